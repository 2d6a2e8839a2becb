#!/usr/bin/env bash
# Part of make bench: cold start and peak memory of each Lambda function binary, as
# Lambda builds it (no embedded store: ORDERS_STORE=dynamodb, here on a local moto
# server), answered through scripts/bench_cold_start.py's Runtime API emulator, with a
# release pod-local as the identity provider. Usage: scripts/bench_cold.sh BIN_DIR OUT_JSON
# (BIN_DIR holds pod-skill, pod-api, pod-web, pod-local, pod-events and pod-table).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=${1:?usage: scripts/bench_cold.sh BIN_DIR OUT_JSON}
out=${2:?usage: scripts/bench_cold.sh BIN_DIR OUT_JSON}
if [ -z "${AWS_ENDPOINT_URL_DYNAMODB:-}" ]; then
  exec scripts/with-moto.sh "$0" "$@"
fi
work=$(mktemp -d)
export ORDERS_TABLE=pod-orders-cold-start
"$bin/pod-table" >/dev/null
idp_pid=
trap 'if [ -n "$idp_pid" ]; then kill $idp_pid 2>/dev/null || true; wait $idp_pid 2>/dev/null || true; fi; rm -rf "$work"' EXIT
source scripts/bench_idp.sh
start_idp "$bin/pod-local" "$work"
port=$idp_port
AUTH0_DOMAIN="http://127.0.0.1:$port/auth0" "$bin/pod-events" --out "$work/events" >/dev/null
{
  grep -E '^[A-Z_]+=' functions/local/local.env
  echo "ORDERS_STORE=dynamodb"
  echo "ORDERS_TABLE=$ORDERS_TABLE"
  echo "AWS_ENDPOINT_URL_DYNAMODB=$AWS_ENDPOINT_URL_DYNAMODB"
  echo "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"
  echo "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY"
} >"$work/function.env"
# As deployed, the secret settings come from one Secrets Manager secret (on the same moto server),
# fetched at each cold start; a second, shorter run with them in the environment gives the fetch's share.
secret_names='^(API_SIGNING_KEY|APP_CLIENT_SECRET|MGMT_CLIENT_SECRET|CODE_SECRET|SESSION_KEY)='
arn=$(grep -E "$secret_names" "$work/function.env" | .venv/bin/python -c '
import json, os, sys, uuid, boto3
values = dict(line.rstrip("\n").split("=", 1) for line in sys.stdin)
client = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"], region_name="us-east-1")
secret = json.dumps({name.lower(): value for name, value in values.items()})
print(client.create_secret(Name=f"pod/bench-{uuid.uuid4()}", SecretString=secret)["ARN"])')
{
  grep -vE "$secret_names" "$work/function.env"
  echo "SECRETS_ARN=$arn"
  echo "AWS_ENDPOINT_URL_SECRETS_MANAGER=$AWS_ENDPOINT_URL_DYNAMODB"
} >"$work/function-secrets.env"
python3 scripts/bench_cold_start.py --bin-dir "$bin" --events "$work/events" --env-file "$work/function-secrets.env" \
  --auth0 "http://127.0.0.1:$port/auth0" --runs "${BENCH_COLD_RUNS:-20}" --warm "${BENCH_WARM:-200}" --out "$out"
python3 scripts/bench_cold_start.py --bin-dir "$bin" --events "$work/events" --env-file "$work/function.env" \
  --auth0 "http://127.0.0.1:$port/auth0" --runs "${BENCH_COLD_RUNS:-20}" --warm 0 --out "${out%.json}-env-secrets.json"
