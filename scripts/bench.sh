#!/usr/bin/env bash
# make bench: every performance figure of Pod, measured on this machine, written to
# build/bench/results.md and results.json (scripts/bench_report.py) and summarised.
#   1. handler CPU cost per request (criterion; skill and api, embedded store, identity in process)
#   2. external round trips per intent on a warm instance (embedded store and DynamoDB on moto)
#   3. cold start and peak memory per function binary (a Lambda Runtime API emulator)
#   4. throughput and latency of the local stack under wrk (embedded store and DynamoDB on moto)
#   5. release binary size per function, x86_64 and aarch64 (cargo lambda build --arm64)
#   6. the whole warm voice turn: the skill binary under the Runtime API emulator on DynamoDB (moto),
#      Auth0's answers delayed as from Lambda; p50/p99 to the answer and to the progressive
#      response, and what 1,000,000 confirmed orders cost (scripts/bench_turn.sh)
# BENCH_SECONDS (default 10) sets each load run's length; BENCH_SKIP="load arm64 turn" skips parts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.jsonl "$out"/*.txt "$out"/*.md
target=${CARGO_TARGET_DIR:-target}
skip=" ${BENCH_SKIP:-} "
scripts/venv.sh
export PATH="$root/.venv/bin:$PATH"

echo "bench 1/6: handler CPU cost (criterion)" >&2
cargo bench -q -p pod-skill --bench handler -- --output-format bencher 2>/dev/null | grep '^test ' >"$out/criterion.txt"
cargo bench -q -p pod-api --bench list_orders -- --output-format bencher 2>/dev/null | grep '^test ' >>"$out/criterion.txt"

echo "bench 2/6: round trips per intent (embedded, DynamoDB on moto)" >&2
scripts/with-moto.sh cargo bench -q -p pod-local --bench round_trips 2>/dev/null | grep '^{' >"$out/round-trips.jsonl"

echo "bench 3/6: cold start and peak memory per function" >&2
# The function binaries as Lambda builds them (no dev features), copied aside at once: a later
# cargo bench or test build of the same package puts a variant with test features in their place.
bins="$out/bin"
rm -rf "$bins" && mkdir -p "$bins"
cargo build -q --release -p pod-skill -p pod-api -p pod-web --bin pod-skill --bin pod-api --bin pod-web
cp "$target/release/pod-skill" "$target/release/pod-api" "$target/release/pod-web" "$bins/"
cargo build -q --release -p pod-local --bin pod-local --bin pod-events --bin pod-table
cp "$target/release/pod-local" "$target/release/pod-events" "$target/release/pod-table" "$bins/"
scripts/bench_cold.sh "$bins" "$out/cold-start.json"

if [[ $skip != *" load "* ]]; then
  echo "bench 4/6: load (wrk) on the local stack" >&2
  POD_LOCAL_BIN="$bins/pod-local" scripts/bench_load.sh
  # Every commit is durable; concurrent writers share the flush (group commit). The same flow on
  # disk and on tmpfs, alone and eight at once, shows what the disk's flush still costs.
  echo "bench 4/6: the embedded store's flows on disk and on tmpfs, 1 and 8 connections" >&2
  for data in disk tmpfs; do
    for conns in 1 8; do
      root=""
      [ "$data" = disk ] || root=/dev/shm
      BENCH_SCENARIOS=flow BENCH_CONNECTIONS=$conns BENCH_USERS_PER_CONNECTION=64 \
        BENCH_DATA_ROOT=$root BENCH_DATA_LABEL=$data \
        BENCH_LOAD_OUT="$out/load-durability-$data-$conns.json" POD_LOCAL_BIN="$bins/pod-local" \
        scripts/bench_load.sh embedded >/dev/null
    done
  done
fi

echo "bench 5/6: release binary sizes" >&2
# One binary path per line; the report reads each one's size and architecture (ELF header).
for function in pod-skill pod-api pod-web; do echo "$bins/$function"; done >"$out/binaries.txt"
if [[ $skip != *" arm64 "* ]]; then
  LAMBDA_DIR="$target/lambda" scripts/build.sh >&2
  for function in pod-skill pod-api pod-web; do echo "$target/lambda/$function/bootstrap"; done >>"$out/binaries.txt"
fi

if [[ $skip != *" turn "* ]]; then
  echo "bench 6/6: the voice turn on the deployed shape (Runtime API emulator, DynamoDB on moto, Auth0 delayed)" >&2
  scripts/bench_turn.sh "$bins" "$out" >&2
fi

python3 scripts/bench_report.py "$out"
