#!/usr/bin/env bash
# Installs what Sortie needs on a Debian 12 machine, only what is missing, then restores and builds.
# Used by ./run.sh and ./test.sh; safe to run again (quick when everything is there).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the sandbox, the VNC server, the demo desktop, the RDP client and the relay of RDP and
# web-proxy sessions, Chromium (web-proxy sessions and the browser tests), and what the RDP tests run as their
# remote desktop (an RDP server sharing an Xvfb display, xsetroot to paint it, winpr-hash for its accounts),
# Tk (wish: the tests' clipboard app), PostgreSQL (the tests start their own server on loopback), and curl and jq
# (a test runs docs/api.md's curl guide as written).
packages=(bubblewrap tigervnc-standalone-server openbox xterm chromium fonts-dejavu-core fonts-noto-color-emoji util-linux procps
  freerdp2-x11 socat
  freerdp2-shadow-x11 xvfb x11-xserver-utils winpr-utils
  tk
  postgresql-15
  curl jq)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is needed (dotnet on PATH)." >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js and npm are needed for the browser viewer (noVNC)." >&2; exit 1; }

# noVNC, served as ES modules straight from its npm package.
if [ ! -f src/Sortie/node_modules/@novnc/novnc/core/rfb.js ]; then
  echo "==> Installing noVNC (npm)"
  (cd src/Sortie && npm ci --no-audit --no-fund --loglevel=error)
fi
# axe-core, which the browser tests inject into pages to check their accessibility.
if [ ! -f tests/Sortie.E2E/node_modules/axe-core/axe.min.js ]; then
  echo "==> Installing axe-core (npm)"
  (cd tests/Sortie.E2E && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "==> Building"
dotnet tool restore >/dev/null
dotnet build Sortie.slnx -c "${CONFIGURATION:-Debug}" -nologo -v quiet -clp:ErrorsOnly
