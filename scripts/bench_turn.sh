#!/usr/bin/env bash
# Part of make bench: the whole warm voice turn on the deployed shape (scripts/bench_turn.py):
# the skill binary under the Lambda Runtime API emulator, on DynamoDB (a local moto server), with
# a release pod-local as the identity provider, run twice: with Auth0's answers delayed as they
# are from a Lambda function (BENCH_IDP_DELAY_MS for a token, profile or key call, default 80;
# BENCH_IDP_PASSWORDLESS_DELAY_MS for a passwordless start, default 400), and with no delay (what
# Pod and the store add by themselves). Usage: scripts/bench_turn.sh BIN_DIR OUT_DIR
# (BIN_DIR holds pod-skill, pod-local, pod-events and pod-table; OUT_DIR gets turn-delayed.json
# and turn-undelayed.json). BENCH_TURNS (default 60) sets the confirmed orders per run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=${1:?usage: scripts/bench_turn.sh BIN_DIR OUT_DIR}
out=${2:?usage: scripts/bench_turn.sh BIN_DIR OUT_DIR}
if [ -z "${AWS_ENDPOINT_URL_DYNAMODB:-}" ]; then
  exec scripts/with-moto.sh "$0" "$@"
fi
turns=${BENCH_TURNS:-60}
delay=${BENCH_IDP_DELAY_MS:-80}
passwordless=${BENCH_IDP_PASSWORDLESS_DELAY_MS:-400}
# Each run's user gets one code per turn (and one to warm up): within CODE_SENDS_PER_HOUR's most.
[[ $turns =~ ^[1-9][0-9]*$ ]] && ((turns <= 98)) || {
  echo "bench_turn: BENCH_TURNS must be 1 to 98 (one user, at most 100 codes an hour)" >&2
  exit 1
}
work=$(mktemp -d)
idp_pid=
trap 'if [ -n "$idp_pid" ]; then kill $idp_pid 2>/dev/null || true; wait $idp_pid 2>/dev/null || true; fi; rm -rf "$work"' EXIT
source scripts/bench_idp.sh

one_run() { # LABEL DELAY_MS PASSWORDLESS_DELAY_MS
  local label=$1 run="$work/$1"
  mkdir -p "$run"
  export ORDERS_TABLE="pod-orders-turn-$label-$$"
  "$bin/pod-table" >/dev/null
  start_idp "$bin/pod-local" "$run" LOCAL_IDP_DELAY_MS="$2" LOCAL_IDP_PASSWORDLESS_DELAY_MS="$3"
  local port=$idp_port
  AUTH0_DOMAIN="http://127.0.0.1:$port/auth0" "$bin/pod-events" --out "$run/events" >/dev/null
  {
    grep -E '^[A-Z_]+=' functions/local/local.env | grep -vE '^(PORT|DATA_DIR|LOG_FORMAT|ORDERS_STORE)='
    echo "AUTH0_DOMAIN=http://127.0.0.1:$port/auth0"
    echo "LOG_FORMAT=json"
    echo "CODE_SENDS_PER_HOUR=100"
    echo "ORDERS_STORE=dynamodb"
    echo "ORDERS_TABLE=$ORDERS_TABLE"
    echo "AWS_ENDPOINT_URL_DYNAMODB=$AWS_ENDPOINT_URL_DYNAMODB"
    echo "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"
    echo "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY"
    echo "AWS_REGION=us-east-1"
  } >"$run/function.env"
  python3 scripts/bench_turn.py --bin-dir "$bin" --events "$run/events" --env-file "$run/function.env" \
    --auth0 "http://127.0.0.1:$port/auth0" --turns "$turns" --label "$label" \
    --idp-delay-ms "$2" --idp-passwordless-delay-ms "$3" --out "$out/turn-$label.json"
  if [ "$label" = delayed ]; then item_sizes >"$out/item-sizes.json"; fi
  kill $idp_pid 2>/dev/null || true
  wait $idp_pid 2>/dev/null || true
  idp_pid=
}

# The largest item of each kind the run left in the table, in bytes as DynamoDB sizes them
# (attribute names and values), for the cost line's request units.
item_sizes() {
  .venv/bin/python - <<'PY'
import json, os, boto3
client = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"], region_name="us-east-1")
def size(value):
    (kind, v), = value.items()
    if kind in ("S", "B"):
        return len(v.encode() if isinstance(v, str) else v)
    if kind == "N":
        return (len(v.lstrip("-").replace(".", "").strip("0")) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(size(e) + 1 for e in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + size(e) + 1 for k, e in v.items())
    return sum(len(str(e).encode()) for e in v)  # SS, NS, BS
largest = {}
for page in client.get_paginator("scan").paginate(TableName=os.environ["ORDERS_TABLE"]):
    for item in page["Items"]:
        kind = item.get("SK", {}).get("S", "?").split("#", 1)[0]
        bytes_ = sum(len(name.encode()) + size(value) for name, value in item.items())
        largest[kind] = max(largest.get(kind, 0), bytes_)
print(json.dumps(largest, sort_keys=True))
PY
}

one_run delayed "$delay" "$passwordless"
one_run undelayed 0 0
