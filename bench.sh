#!/usr/bin/env bash
# Sets up what is missing, builds, runs Sortie's benchmarks and prints a markdown table (also written to
# bench/results.md). What each row measures: docs/benchmarks.md. Takes a few minutes.
#   ./bench.sh                 everything
#   ./bench.sh --seconds 3     shorter measuring windows (default 5 s)
#   ./bench.sh --only throughput,revocation,start,api,fanout   some of the rows (the RFB filter suite always runs
#                              unless --no-micro is given)
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh

# Debian's websockify: the common alternative to Sortie's gateway, measured beside it.
if ! dpkg-query -W -f='${Status}' websockify 2>/dev/null | grep -q "install ok installed"; then
  echo "==> Installing Debian packages: websockify"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends websockify >/dev/null
fi

micro=1
args=()
for a in "$@"; do
  if [ "$a" = "--no-micro" ]; then micro=0; else args+=("$a"); fi
done

echo "==> Building the benchmarks (Release)"
dotnet build bench/Sortie.Bench -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Sortie.Rfb.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly

mkdir -p bench
dotnet bench/Sortie.Bench/bin/Release/net10.0/Sortie.Bench.dll --out bench/results.md "${args[@]}"

if [ "$micro" = 1 ]; then
  echo "==> RFB filter hot paths (BenchmarkDotNet, short job)"
  artifacts=$(mktemp -d)
  trap 'rm -rf "$artifacts"' EXIT
  (cd bench/Sortie.Rfb.Benchmarks/bin/Release/net10.0 &&
    dotnet Sortie.Rfb.Benchmarks.dll --filter '*' --job short --warmupCount 2 --iterationCount 5 \
      --exporters csv --artifacts "$artifacts" >"$artifacts/log.txt" 2>&1) ||
    { tail -30 "$artifacts/log.txt"; echo "The BenchmarkDotNet suite failed." >&2; exit 1; }
  # Every operation pushes 4 MiB through a filter: MiB/s on one core = 4 / mean seconds.
  csv=$(ls "$artifacts"/results/*-report.csv | head -1)
  python3 - "$csv" >>bench/results.md <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"), delimiter=","))
def seconds(text):
    value, unit = text.replace(",", "").split()
    return float(value) * {"ns": 1e-9, "μs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1}[unit]
print()
print("| RFB filter (BenchmarkDotNet, one core) | Mean per 4 MiB | Throughput | Allocated |")
print("|---|---|---|---|")
for r in rows:
    mean = seconds(r["Mean"])
    print(f"| {r['Method'].strip(chr(39))} | {r['Mean']} | {4 / mean:,.0f} MiB/s | {r.get('Allocated', '')} |")
PY
fi

echo
cat bench/results.md
