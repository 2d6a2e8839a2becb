#!/usr/bin/env bash
# Runs schemathesis (property-based API testing from the OpenAPI document) against the
# internal API of a real pod-local on a free port, with a dev user's token, and stops it after.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
binary=${1:-target/debug/pod-local}
examples=${SCHEMATHESIS_EXAMPLES:-25}
scripts/venv.sh
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
PORT=$port DATA_DIR="$work/store" CODE_SENDS_PER_HOUR=100 "$binary" >"$work/pod-local.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/pod/api/health" >/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$work/pod-local.log" >&2; exit 1; }
  sleep 0.1
done
setting() { grep -E "^$1=" functions/local/local.env | cut -d= -f2-; }
token() {
  curl -sf "http://127.0.0.1:$port/auth0/oauth/token" -H 'content-type: application/json' -d '{
    "grant_type": "password", "username": "'"$1"'", "password": "'"$2"'",
    "client_id": "'"$(setting APP_CLIENT_ID)"'", "client_secret": "'"$(setting APP_CLIENT_SECRET)"'",
    "audience": "'"$(setting API_ID)"'", "scope": "openid"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
run() {
  .venv/bin/schemathesis --config-file schemathesis.toml run "http://127.0.0.1:$port/pod/api/openapi.json" \
    --checks all --max-examples "$examples" --seed 20261125 --no-color "$@"
}
# Every operation as ana, but the erasure of her data: erasing it between the stateful steps
# (an order created, then read) would fail checks that are right.
ana=$(token ana pizza-ana-1)
cy=$(token cy pizza-cy-1)
run --header "Authorization: Bearer $ana" --exclude-operation-id eraseMyData
# The erasure as cy, a user no other step uses (this run's store is thrown away afterwards).
run --header "Authorization: Bearer $cy" --include-operation-id eraseMyData --phases examples,coverage,fuzzing
