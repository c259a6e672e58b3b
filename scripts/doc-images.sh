#!/usr/bin/env bash
# Refreshes the user guide's pictures (docs/images) from the screenshots the browser tests take.
# Run ./test.sh (or the E2E project alone) first; this only copies the latest ones. Each picture on a phone
# (390×844, "-phone") sits beside the one at 1280×800.
set -euo pipefail
cd "$(dirname "$0")/.."
shots=tests/Sortie.E2E/bin/Release/net10.0/screenshots
mkdir -p docs/images
# guide picture = test screenshot
while read -r picture shot; do
  cp "$shots/$shot" "docs/images/$picture"
done <<'LIST'
session-manager.png session-manager-shared.png
session-manager-phone.png session-manager-shared-phone.png
share-dialog.png share-dialog-link.png
share-dialog-phone.png share-dialog-link-phone.png
session-view-only.png session-view-only.png
session-view-only-phone.png session-view-only-phone.png
session-revoked.png session-revoked.png
join-bad-link.png join-bad-link.png
session-manager-admin.png session-manager-admin.png
login-join.png login-join.png
session-recording.png session-recording.png
session-recorded-gate.png session-recorded-gate.png
recordings.png recordings.png
recording-player.png recording-player.png
LIST
echo "docs/images refreshed from $shots"
