#!/usr/bin/env bash
# Sets up what is missing, builds, and runs the portal: SQLite, the local sandbox runner,
# a seeded admin and demo apps. Open http://127.0.0.1:8080 (or $ASPNETCORE_URLS).
set -euo pipefail
cd "$(dirname "$0")"
CONFIGURATION=Release scripts/setup.sh
export SORTIE_DATA_DIR="${SORTIE_DATA_DIR:-$PWD/data}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:8080}"
echo "==> Sortie on $ASPNETCORE_URLS (data in $SORTIE_DATA_DIR)"
cd src/Sortie
exec dotnet run -c Release --no-build --no-launch-profile
