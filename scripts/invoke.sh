#!/usr/bin/env bash
# make invoke EVENT=events/alexa/launch.json
# Sends one recorded event to its function running under `cargo lambda watch` (the Lambda
# runtime emulator), with a fresh token and timestamps (pod-events), and prints the answer.
# Auth0 calls go to the local stack's identity provider (start `make run` for events that need it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
event=${1:?usage: scripts/invoke.sh events/alexa/launch.json}
case "$event" in
  events/alexa/*) function=pod-skill ;;
  events/http/api-*) function=pod-api ;;
  events/http/web-*) function=pod-web ;;
  *) echo "invoke: $event is not under events/alexa or events/http" >&2; exit 2 ;;
esac
[ -f "$event" ] || { echo "invoke: no such event $event" >&2; exit 2; }
scripts/venv.sh
export PATH="$root/.venv/bin:$PATH"
cargo run -q -p pod-local --bin pod-events -- --out build/events ${CODE:+--code "$CODE"} ${ORDER_ID:+--order-id "$ORDER_ID"} >&2

work=$(mktemp -d)
local_port=$(grep -E '^PORT=' functions/local/local.env | cut -d= -f2)
{
  grep -E '^[A-Z_]+=' functions/local/local.env
  echo "AUTH0_DOMAIN=${AUTH0_DOMAIN:-http://127.0.0.1:${PORT:-$local_port}/auth0}"
  echo "APP_BASE_URL=${APP_BASE_URL:-http://127.0.0.1:${PORT:-$local_port}}"
  echo "DATA_DIR=$work/data"
  echo "LOG_FORMAT=json"
} >"$work/env"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid cargo lambda watch --ignore-changes --features embedded-store -A 127.0.0.1 -P "$port" --env-file "$work/env" >"$work/watch.log" 2>&1 &
watch=$!
trap 'kill -- -$watch 2>/dev/null || true; wait $watch 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 $watch 2>/dev/null || { cat "$work/watch.log" >&2; exit 1; }
  sleep 0.2
done
# A function that fails to start would leave the invoke waiting: give up after four minutes.
if ! timeout 240 cargo lambda invoke "$function" -A 127.0.0.1 -P "$port" --data-file "build/$event" -o json; then
  echo "--- cargo lambda watch log ---" >&2; tail -30 "$work/watch.log" >&2; exit 1
fi
