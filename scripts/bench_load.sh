#!/usr/bin/env bash
# Load benchmark of the local stack (the release pod-local) with wrk:
#   scripts/bench_load.sh [embedded|dynamodb]      (no argument: both, one after the other)
#
# For each order store it starts pod-local on a free port with its own data directory
# and its own dev users, mints an access token per user, and runs two wrk scenarios:
#   list  GET /pod/api/orders, each connection as its own user (who has a few orders);
#   flow  POST /pod/api/orders -> the code from GET /auth0/outbox?to=ADDRESS&last=1 ->
#         POST /pod/api/orders/{id}/confirm, counted only when confirmed (200, "confirmed").
# dynamodb runs inside scripts/with-moto.sh (moto answers one request at a time, so its
# figures say more about moto than about Pod). Writes build/bench/load.json and prints a
# Markdown table; fails when a scenario had unexpected answers or socket errors, or when
# the flow scenario completed no flow.
#
# Settings (environment):
#   POD_LOCAL_BIN   the pod-local to run (target/release/pod-local); pod-table is taken
#                   from the same directory unless POD_TABLE_BIN says otherwise
#   BENCH_SECONDS   length of each wrk run (10)
#   BENCH_CONNECTIONS  wrk connections, one wrk thread each (16)
#   BENCH_SCENARIOS  which scenarios to run ("list flow")
#   BENCH_DATA_ROOT  where the embedded store's data directory goes (a fresh directory under
#                   the system's temporary directory): /dev/shm puts it on tmpfs
#   BENCH_DATA_LABEL what the rows call that place in the "data" column ("disk")
#   BENCH_LOAD_OUT   the JSON written (build/bench/load.json)
#   BENCH_USERS_PER_CONNECTION  users each flow connection takes in turn (16 per 10 s of run):
#                   Pod sends a user at most CODE_SENDS_PER_HOUR codes an hour, and that
#                   setting is at most 100
# Needs wrk (installed with apt-get when missing and run as root), curl and python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-16}
per_conn=${BENCH_USERS_PER_CONNECTION:-$(((seconds + 9) / 10 * 16))}
pod_local=${POD_LOCAL_BIN:-target/release/pod-local}
pod_table=${POD_TABLE_BIN:-$(dirname "$pod_local")/pod-table}
scenarios=${BENCH_SCENARIOS:-list flow}
data_root=${BENCH_DATA_ROOT:-}
data_label=${BENCH_DATA_LABEL:-disk}
load_out=${BENCH_LOAD_OUT:-build/bench/load.json}
sends_per_hour=100 # the most CODE_SENDS_PER_HOUR allows
preload=3          # orders per user of the list scenario
out=build/bench

die() {
  echo "bench_load: $*" >&2
  exit 1
}

for n in "$seconds" "$conns" "$per_conn"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS, BENCH_CONNECTIONS and BENCH_USERS_PER_CONNECTION must be positive whole numbers"
done

# The dev users file, and the access tokens: HS256 with API_SIGNING_KEY, as the local
# identity provider signs them (issuer http://127.0.0.1:PORT/auth0/, audience API_ID,
# subject auth0|<first 24 hex of sha256("pod-dev-user:" + username)>).
users_tool() {
  python3 - "$@" <<'PY'
import base64, hashlib, hmac, json, os, sys, time

def settings():
    values = {}
    with open(os.environ.get("POD_LOCAL_ENV", "functions/local/local.env")) as env:
        for line in env:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    values.update(os.environ)
    return values

def users(groups):
    """[(group, username, address)]: even users get a phone (codes by SMS), odd ones email only."""
    listed, n = [], 0
    for group, count in groups:
        for i in range(count):
            username = f"load-{group}-{i:04d}"
            email = f"{username}@example.com"
            phone = f"+1415556{n:04d}" if n % 2 == 0 else None
            listed.append((group, username, email, phone))
            n += 1
    return listed

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def token(username, issuer, config, now):
    user_id = "auth0|" + hashlib.sha256(f"pod-dev-user:{username}".encode()).hexdigest()[:24]
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"iss": issuer, "sub": user_id, "aud": config["API_ID"], "iat": now, "exp": now + 4 * 3600,
              "scope": "openid offline_access", "azp": config.get("APP_CLIENT_ID", "")}
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    signature = hmac.new(config["API_SIGNING_KEY"].encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)

command, workdir = sys.argv[1], sys.argv[2]
groups = [("list", int(sys.argv[3])), ("flow", int(sys.argv[4]))]
if command == "users":
    entries = [{"username": u, "password": f"pw-{u}", "email": e, **({"phone_number": p} if p else {})}
               for _, u, e, p in users(groups)]
    with open(os.path.join(workdir, "dev-users.json"), "w") as f:
        json.dump(entries, f)
elif command == "tokens":
    config, issuer, now = settings(), sys.argv[5].rstrip("/") + "/auth0/", int(time.time())
    files = {group: open(os.path.join(workdir, f"{group}-users.txt"), "w") for group, _ in groups}
    for group, username, email, phone in users(groups):
        files[group].write(f"{token(username, issuer, config, now)} {phone or email.lower()}\n")
    for f in files.values():
        f.close()
PY
}

server_pid=

# Ctrl-C first (pod-local then stops gracefully); SIGTERM if it has not gone after 5 s
# (a SIGINT that lands before pod-local listens for it is ignored: bash starts background
# commands with SIGINT ignored).
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -INT "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}

# Runs both scenarios against a fresh pod-local on one store; appends the results to $work/results.jsonl.
run_store() {
  local store=$1 dir="$work/$1" data="$work/$1/data"
  [ -z "$data_root" ] || data=$(mktemp -d "$data_root/pod-bench-data.XXXXXX")
  mkdir -p "$dir" "$data"
  users_tool users "$dir" "$conns" "$((conns * per_conn))"
  if [ "$store" = dynamodb ]; then
    "$pod_table" >"$dir/pod-table.log" 2>&1 || { cat "$dir/pod-table.log" >&2; die "pod-table failed"; }
  fi

  # PORT=0: pod-local picks a free port and prints it. Its own identity provider, not a tenant.
  : >"$dir/pod-local.log"
  env -u AUTH0_DOMAIN -u TOKEN_ALGORITHM -u APP_BASE_URL \
    PORT=0 ORDERS_STORE="$store" DATA_DIR="$data" DEV_USERS_FILE="$dir/dev-users.json" \
    CODE_SENDS_PER_HOUR=$sends_per_hour LOG_FORMAT=json RUST_LOG="${RUST_LOG:-info}" \
    "$pod_local" >"$dir/pod-local.log" 2>&1 &
  server_pid=$!
  local base=
  for _ in $(seq 1 300); do
    base=$(sed -n 's/^Pod is running on \(http:[^ ]*\).*/\1/p' "$dir/pod-local.log" | head -1) || true
    [ -n "$base" ] && curl -sf -o /dev/null "$base/pod/api/health" && break
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$dir/pod-local.log" >&2; die "pod-local ($store) did not start"; }
    sleep 0.1
  done
  curl -sf -o /dev/null "$base/pod/api/health" || die "pod-local ($store) is not healthy; see $dir/pod-local.log"
  echo "bench_load: $store: pod-local on $base, $conns connections, ${seconds}s per scenario" >&2

  users_tool tokens "$dir" "$conns" "$((conns * per_conn))" "$base"
  local token status
  while read -r token _; do
    for _ in $(seq 1 "$preload"); do
      status=$(curl -s -o /dev/null -w '%{http_code}' "$base/pod/api/orders" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' -d '{"size":"large","toppings":["pepperoni"]}')
      [ "$status" = 201 ] || die "preloading an order answered $status, not 201; see $dir/pod-local.log"
    done
  done <"$dir/list-users.txt"

  local scenario script
  for scenario in $scenarios; do
    case $scenario in list) script=scripts/wrk/list_orders.lua ;; flow) script=scripts/wrk/order_confirm.lua ;; esac
    wrk -t"$conns" -c"$conns" -d"${seconds}s" --timeout 10s --latency -s "$script" "$base/" \
      -- "$dir/$scenario-users.txt" "$conns" >"$dir/wrk-$scenario.txt" 2>&1 ||
      { cat "$dir/wrk-$scenario.txt" >&2; die "wrk ($store, $scenario) failed"; }
    local line
    line=$(sed -n 's/^BENCH_RESULT //p' "$dir/wrk-$scenario.txt")
    [ -n "$line" ] || { cat "$dir/wrk-$scenario.txt" >&2; die "wrk ($store, $scenario) printed no result"; }
    python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r["store"] = sys.argv[2]; print(json.dumps(r))' \
      "$line" "$store" >>"$work/results.jsonl"
  done
  stop_server
  [ -z "$data_root" ] || rm -rf "$data"
}

# Inside scripts/with-moto.sh: one store only, into the caller's work directory.
if [ -n "${BENCH_LOAD_INNER:-}" ]; then
  work=$BENCH_LOAD_WORK
  trap stop_server EXIT
  run_store "$BENCH_LOAD_INNER"
  exit 0
fi

case "${1:-both}" in
  embedded | dynamodb) stores=("$1") ;;
  both) stores=(embedded dynamodb) ;;
  *) die "usage: scripts/bench_load.sh [embedded|dynamodb]" ;;
esac
[ $# -le 1 ] || die "usage: scripts/bench_load.sh [embedded|dynamodb]"

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  fi
  command -v wrk >/dev/null || die "wrk is missing (Debian/Ubuntu: apt-get install wrk)"
fi
for tool in curl python3; do command -v $tool >/dev/null || die "$tool is missing"; done
[ -x "$pod_local" ] || die "no pod-local at $pod_local: cargo build --release -p pod-local --bin pod-local --bin pod-table (or set POD_LOCAL_BIN)"

work=$(mktemp -d)
trap 'stop_server; echo "bench_load: failed; logs and wrk output kept in $work" >&2' EXIT
mkdir -p "$out"
: >"$work/results.jsonl"

for store in "${stores[@]}"; do
  case $store in
    embedded) run_store embedded ;;
    dynamodb)
      [ -x "$pod_table" ] || die "no pod-table at $pod_table (or set POD_TABLE_BIN)"
      ORDERS_STORE=dynamodb BENCH_LOAD_INNER=dynamodb BENCH_LOAD_WORK="$work" \
        POD_LOCAL_BIN="$pod_local" POD_TABLE_BIN="$pod_table" scripts/with-moto.sh "$root/scripts/bench_load.sh"
      ;;
  esac
done

verdict=0
python3 - "$work/results.jsonl" "$load_out" "$seconds" "$conns" "$data_label" <<'PY' || verdict=$?
import json, os, sys
results = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
rows, problems = [], []
for r in results:
    errors = r["unexpected"] + r["socket_errors"]
    rows.append({
        "store": r["store"], "scenario": r["scenario"], "rps": round(r["rps"], 1),
        "flows_per_s": round(r["flows_per_s"], 1) if "flows_per_s" in r else None,
        "p50_ms": round(r["p50_ms"], 2), "p99_ms": round(r["p99_ms"], 2), "errors": errors,
        "requests": r["requests"], "flows": r.get("flows"), "non2xx": r["non2xx"],
        "socket_errors": r["socket_errors"], "statuses": r["statuses"],
        "seconds": round(r["seconds"], 2), "connections": int(sys.argv[4]),
        "data": sys.argv[5] if r["store"] == "embedded" else None,
    })
    where = f'{r["store"]}/{r["scenario"]}'
    if errors:
        problems.append(f'{where}: {r["unexpected"]} unexpected answers, {r["socket_errors"]} socket errors '
                        f'(statuses {r["statuses"] or "none"})')
        if ",429:" in "," + r["statuses"]:
            problems.append(f"{where}: 429 means a user ran out of codes for the hour: "
                            "raise BENCH_USERS_PER_CONNECTION")
    if r["scenario"] == "flow" and not r.get("flows"):
        problems.append(f"{where}: no flow completed")
with open(sys.argv[2], "w") as f:
    json.dump(rows, f, indent=2)
    f.write("\n")
print(f"Load on {os.cpu_count()} cores, {sys.argv[4]} connections, {sys.argv[3]} s per scenario "
      "(wrk against the release pod-local; the figures are rough).\n")
print("| store | scenario | requests/s | flows/s | p50 ms | p99 ms | errors |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    flows = "—" if r["flows_per_s"] is None else f'{r["flows_per_s"]:.1f}'
    print(f'| {r["store"]} | {r["scenario"]} | {r["rps"]:.1f} | {flows} | {r["p50_ms"]:.2f} | {r["p99_ms"]:.2f} | {r["errors"]} |')
for p in problems:
    print(f"bench_load: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
[ "$verdict" = 0 ] || exit 1 # the EXIT trap says where the logs are
trap - EXIT
rm -rf "$work"
echo "bench_load: results in $load_out" >&2
