#!/bin/bash
# The first process inside a session's sandbox: the display server, then the app on it.
# The session lasts while both do; the runner kills the whole sandbox to end it.
Xvnc :1 -rfbport -1 -rfbunixpath /run/sortie/vnc.sock -rfbunixmode 0600 \
  -SecurityTypes None -AlwaysShared -nolisten tcp -depth 24 \
  -geometry "$SORTIE_GEOMETRY" -desktop "$SORTIE_DESKTOP_NAME" >/run/sortie/xvnc.log 2>&1 &
xvnc=$!
for _ in $(seq 1000); do [ -S /tmp/.X11-unix/X1 ] && break; sleep 0.01; done
export DISPLAY=:1
bash -c "$SORTIE_APP_COMMAND" >/run/sortie/app.log 2>&1 &
app=$!
wait -n "$xvnc" "$app"
if kill -0 "$xvnc" 2>/dev/null; then echo "app exited" >/run/sortie/exit; else echo "display exited" >/run/sortie/exit; fi
