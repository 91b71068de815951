#!/usr/bin/env bash
# Peer test: the real itchat 1.3.10 (PyPI) client against webwx-sim.
# Creates a venv under target/, starts the simulator with --auto-scan, runs
# tests/peers/itchat/test_itchat.py against it, and always stops the simulator.
# Exit status: 0 when every check passed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${ITCHAT_VENV:-$ROOT/target/peer-itchat-venv}"
mkdir -p "$(dirname "$VENV")"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import itchat' 2>/dev/null; then
  echo "peer-itchat: creating venv in $VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'itchat==1.3.10'
fi

cargo build -q -p webwx-sim --bin webwx-sim

OUT="$(mktemp)"
SIM_PID=""
cleanup() {
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  rm -f "$OUT"
}
trap cleanup EXIT INT TERM

cargo run -q -p webwx-sim --bin webwx-sim -- \
  --listen 127.0.0.1:0 --auto-scan --hold-ms 500 --scan-delay-ms 200 >"$OUT" 2>&1 &
SIM_PID=$!

URL=""
for _ in $(seq 1 300); do
  if LINE="$(head -n 1 "$OUT" 2>/dev/null)" && [[ "$LINE" == "webwx-sim listening on "* ]]; then
    URL="${LINE#webwx-sim listening on }"
    break
  fi
  if ! kill -0 "$SIM_PID" 2>/dev/null; then
    echo "peer-itchat: the simulator exited early:" >&2
    cat "$OUT" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "peer-itchat: the simulator did not start" >&2
  exit 1
fi
echo "peer-itchat: simulator at $URL"

set +e
( cd "$(mktemp -d)" && timeout 110 "$VENV/bin/python" -u "$ROOT/tests/peers/itchat/test_itchat.py" "$URL" )
STATUS=$?
set -e
if [ "$STATUS" -ne 0 ]; then
  echo "peer-itchat: FAILED (status $STATUS)" >&2
fi
exit "$STATUS"
