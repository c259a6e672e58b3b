#!/usr/bin/env bash
# Sets up what is missing, builds, and runs every test: unit, integration (real Xvnc in real
# sandboxes) and browser tests (Playwright driving Debian's Chromium). Extra arguments go to
# `dotnet test` (e.g. --filter "FullyQualifiedName~Gateway").
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for project in tests/Sortie.Rfb.Tests tests/Sortie.Tests tests/Sortie.E2E; do
  [ -d "$project" ] || continue
  echo "==> Testing $project"
  dotnet test "$project" --no-build -nologo "$@" 2>&1 | tee -a "$log" || status=1
done

# One closing line for every project together: "N passed, N failed, N skipped".
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
