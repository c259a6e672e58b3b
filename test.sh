#!/usr/bin/env bash
# Sets up what is missing, builds, and runs every test: unit, integration (real Xvnc in real
# sandboxes) and browser tests (Playwright driving Debian's Chromium). Extra arguments go to
# `dotnet test` (e.g. --filter "FullyQualifiedName~Gateway"); --long adds the long load tests.
set -euo pipefail
cd "$(dirname "$0")"
# One build, in Release: the browser tests meet the portal as ./run.sh runs it (the Release build of the server, in
# Production: tests/Sortie.Testing/ProductionPortal.cs), and every other test uses the same build.
CONFIGURATION=Release scripts/setup.sh

# --long also runs the long load tests (trait Category=Long, e.g. tests/Sortie.Tests/Load); the default run
# leaves them out (unless a --filter of your own is given, which then decides).
long=0
args=()
for a in "$@"; do if [ "$a" = "--long" ]; then long=1; else args+=("$a"); fi; done
filter=()
[ "$long" = 1 ] || [[ " ${args[*]-} " == *" --filter "* ]] || filter=(--filter "Category!=Long")

# The tests whose behaviour depends on the database again on PostgreSQL: a cluster the tests start on loopback
# (tests/Sortie.Testing/PostgresServer.cs). Left out (they ran on SQLite, and nothing they check differs by database):
# - Runners, Sandbox, Kubernetes, Gateway.EnforcementTests, Gateway.ViewerSocket*: what the runners and the sandbox do,
#   and what the gateway lets through on the wire (the database only holds the rows that start them);
# - Replicas and Data.PostgresTests: on PostgreSQL whatever SORTIE_TEST_DATABASE says (the same tests twice);
# - Auth.TrustedProxyTests and Auth.UntrustedProxyTests: the login throttle, which lives in memory;
# - Hosting.ProductionAssetsTests (static files) and Faults.DiskFullTests (skipped on PostgreSQL: SQLite's disk);
# - Recordings.RecordingFaultTests: a recording's file when the server dies or its disk fills, and what a lone server
#   (SQLite) does with it at a restart (with replicas, the sweep closes it once silent a minute: docs/architecture.md).
# Tests without a server take no time and stay. A --filter of your own decides here too.
pg_filter=()
if [[ " ${args[*]-} " != *" --filter "* ]]; then
  skip=(Runners. Sandbox. Kubernetes. Replicas. Gateway.EnforcementTests. Gateway.ViewerSocket Data.PostgresTests.
    Auth.TrustedProxyTests. Auth.UntrustedProxyTests. Hosting.ProductionAssetsTests. Faults.DiskFullTests.
    Recordings.RecordingFaultTests.)
  where=$(printf '&FullyQualifiedName!~Sortie.Tests.%s' "${skip[@]}")
  where=${where#&}
  [ "$long" = 1 ] || where+="&Category!=Long"
  pg_filter=(--filter "$where")
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# One pass at a time: the tests are CPU-bound on these 2-core machines, and two passes side by side took as long as
# one after the other (measured: the browser tests beside the PostgreSQL pass, 4 min against 2 + 1.7 min) while the
# load made timing-sensitive tests fail.
run_pass() {
  echo "==> Testing $1"
  shift
  dotnet test "$@" --no-build -c Release -nologo 2>&1 | tee -a "$log" || status=1
}
run_pass tests/Sortie.Rfb.Tests tests/Sortie.Rfb.Tests "${filter[@]}" "${args[@]}"
run_pass tests/Sortie.Tests tests/Sortie.Tests "${filter[@]}" "${args[@]}"
run_pass tests/Sortie.E2E tests/Sortie.E2E "${filter[@]}" "${args[@]}"
SORTIE_TEST_DATABASE=postgres run_pass "tests/Sortie.Tests on PostgreSQL" tests/Sortie.Tests "${pg_filter[@]}" "${args[@]}"

# One closing line for every project together: "N passed, N failed, N skipped".
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
echo "(set up, built and tested in $((SECONDS / 60)) min $((SECONDS % 60)) s)"
exit $status
