# Sourced by the benchmarks that need an identity provider (bench_cold.sh, bench_turn.sh):
#   start_idp POD_LOCAL DIR [NAME=VALUE ...]
# starts POD_LOCAL (a release pod-local, embedded store, JSON logs to DIR/pod-local.log, data
# under DIR/idp) on a free 127.0.0.1 port with the given extra settings, waits until it answers,
# and sets idp_port and idp_pid. Exits with its log when it stops before answering.
start_idp() {
  local pod_local=$1 dir=$2
  shift 2
  idp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  env PORT="$idp_port" DATA_DIR="$dir/idp" LOG_FORMAT=json ORDERS_STORE=embedded "$@" "$pod_local" \
    >"$dir/pod-local.log" 2>&1 &
  idp_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$idp_port/pod/api/health" >/dev/null && return 0
    kill -0 "$idp_pid" 2>/dev/null || { cat "$dir/pod-local.log" >&2; exit 1; }
    sleep 0.1
  done
}
