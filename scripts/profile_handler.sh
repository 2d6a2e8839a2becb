#!/usr/bin/env bash
# make profile: where the skill handler's CPU time goes, per stage, for the order, a right code
# and a wrong code. Builds the criterion bench (functions/skill/benches/handler.rs) as make bench
# does but with symbols, samples each case with perf (user space, call graphs), and sums the
# samples by the stage their innermost Pod-or-library frame belongs to (scripts/profile_stages.py).
# Writes build/bench/profile.{md,json} and prints the Markdown.
#
# Needs perf (Debian: apt-get install linux-perf; installed when missing and run as root).
# PROFILE_SECONDS (default 8) sets each case's sampling time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${PROFILE_SECONDS:-8}
out=build/bench
mkdir -p "$out"
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "profile: PROFILE_SECONDS must be a positive whole number" >&2; exit 2; }

if ! command -v perf >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null
  fi
  command -v perf >/dev/null || { echo "profile: perf is missing (Debian: apt-get install linux-perf)" >&2; exit 1; }
fi

# The bench profile as make bench builds it (opt-level z, fat LTO), its symbol table kept (not stripped).
export CARGO_PROFILE_BENCH_STRIP=false
bench=$(cargo bench -q -p pod-skill --bench handler --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "handler" and m.get("executable"):
        print(m["executable"])')
[ -x "$bench" ] || { echo "profile: the handler bench did not build" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for case in order authorize_right authorize_wrong; do
  echo "profile: sampling skill/$case for ${seconds}s" >&2
  perf record -q -F 999 -g --call-graph dwarf,16384 -o "$work/$case.data" -- \
    "$bench" --bench "^skill/$case\$" --warm-up-time 1 --measurement-time "$seconds" >/dev/null 2>&1
  perf script -i "$work/$case.data" -F ip,sym 2>/dev/null >"$work/$case.stacks"
done
python3 scripts/profile_stages.py "$work" "$out"
