#!/usr/bin/env bash
# Starts the built pod-local binary the way `make run` does (on a free port and a
# fresh data directory) and plays scripts/conversation.sh against it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
binary=${1:-target/debug/pod-local}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data=$(mktemp -d)
log="$data/pod-local.log"
PORT=$port DATA_DIR="$data/store" "$binary" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/pod/api/health" >/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
if ! PORT=$port scripts/conversation.sh; then
  echo "--- pod-local log ---" >&2; cat "$log" >&2; exit 1
fi
grep -q "Your Pizza on Demand code" "$log" || { echo "the code was not printed on the console" >&2; exit 1; }
echo "smoke: the README conversation works against pod-local"
