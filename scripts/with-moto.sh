#!/usr/bin/env bash
# Runs a command with a DynamoDB-compatible server (moto) on 127.0.0.1, and stops
# the server afterwards, whether the command passed or failed.
#   scripts/with-moto.sh cargo test --workspace
# moto comes from PyPI into .venv under the checkout (git-ignored; scripts/venv.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
"$root/scripts/venv.sh"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
"$venv/bin/python" "$root/scripts/moto_server.py" 127.0.0.1 "$port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
# The tests read POD_TEST_DYNAMODB_ENDPOINT; the stack and `make table` read the
# standard AWS settings, pointed at the local server (fake credentials, as moto checks none).
export POD_TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
export AWS_ENDPOINT_URL_DYNAMODB="$POD_TEST_DYNAMODB_ENDPOINT"
export AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
echo "with-moto: DynamoDB-compatible server on $POD_TEST_DYNAMODB_ENDPOINT" >&2
"$@"
