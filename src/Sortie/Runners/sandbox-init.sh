#!/bin/bash
# The first process inside a session's sandbox: the display server, then the app on it.
# The session lasts while both do; the runner kills the whole sandbox to end it.

# The runner's standard input is for the app alone (an RDP password, say): kept aside as fd 3, away from the rest.
exec 3<&0 0</dev/null

# Every viewer comes through the gateway's one socket, one "host" to Xvnc: its blacklist (5 connections that end
# before the handshake lock the host out for 10 s) would lock out everyone at once. The gateway authenticates and
# rate-limits instead, so the blacklist never engages (a timeout of 0 lets every attempt through).
Xvnc :1 -rfbport -1 -rfbunixpath /run/sortie/vnc.sock -rfbunixmode 0600 \
  -SecurityTypes None -AlwaysShared -nolisten tcp -depth 24 -BlacklistThreshold 1000000 -BlacklistTimeout 0 \
  -geometry "$SORTIE_GEOMETRY" -desktop "$SORTIE_DESKTOP_NAME" >/run/sortie/xvnc.log 2>&1 &
xvnc=$!

# The one place outside this sandbox it may reach (see SandboxPlanner's Egress): a relay outside listens on
# /run/sortie/egress.sock; here it becomes 127.0.0.1:$SORTIE_EGRESS_PORT, on the sandbox's own loopback.
if [ -n "${SORTIE_EGRESS_PORT:-}" ]; then
  socat "TCP-LISTEN:$SORTIE_EGRESS_PORT,bind=127.0.0.1,fork,reuseaddr" UNIX-CONNECT:/run/sortie/egress.sock \
    >/run/sortie/egress.log 2>&1 &
  listening=$(printf ':%04X 00000000:0000 0A' "$SORTIE_EGRESS_PORT")
  for _ in $(seq 1000); do grep -q "$listening" /proc/net/tcp && break; sleep 0.01; done
fi

for _ in $(seq 1000); do [ -S /tmp/.X11-unix/X1 ] && break; sleep 0.01; done
export DISPLAY=:1
bash -c "$SORTIE_APP_COMMAND" <&3 3<&- >/run/sortie/app.log 2>&1 &
app=$!
exec 3<&-

wait -n -p ended "$xvnc" "$app"
status=$?
# When the display dies its app usually dies with it, and may be reaped first: the display is gone if Xvnc is
# (a zombie, state Z, counts as gone). A killed Xvnc is still tearing down (state R or D) when its app notices the
# lost display and exits, so it is given half a second to be gone before the app is blamed.
display_alive() {
  state=$(awk '{print $3}' "/proc/$xvnc/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}
if [ "$ended" = "$app" ]; then
  for _ in $(seq 50); do display_alive || break; sleep 0.01; done
fi
if [ "$ended" = "$app" ] && display_alive; then
  echo "app exited $status" >/run/sortie/exit
else
  echo "display exited" >/run/sortie/exit
fi
