#!/usr/bin/env bash
# make bench: handler CPU cost (criterion) and release binary sizes, written to
# build/bench/results.md with the machine they were measured on, and summarised.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
mkdir -p "$out"
target=${CARGO_TARGET_DIR:-target}

echo "bench: criterion (skill handler, api list orders)" >&2
cargo bench -q -p pod-skill --bench handler -- --output-format bencher 2>/dev/null | grep '^test ' >"$out/criterion.txt"
cargo bench -q -p pod-api --bench list_orders -- --output-format bencher 2>/dev/null | grep '^test ' >>"$out/criterion.txt"

echo "bench: release binaries (x86_64)" >&2
cargo build -q --release -p pod-skill -p pod-api -p pod-web --bins

{
  echo "# Pod benchmarks"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') — \`make bench\`."
  echo
  echo "## Handler CPU cost (criterion, embedded store on disk, identity provider in process)"
  echo
  echo "| benchmark | time per request | target |"
  echo "| --- | --- | --- |"
  while read -r _ name _ _ ns _; do
    ns=${ns//,/}
    us=$(python3 -c "print(f'{$ns/1000:.1f}')")
    target_col="—"
    case "$name" in skill/*) target_col="< 100 µs: $(python3 -c "print('met' if $ns < 100000 else 'missed')")" ;; esac
    echo "| \`$name\` | $us µs | $target_col |"
  done <"$out/criterion.txt"
  echo
  echo "## Release binary size (x86_64, stripped, thin LTO, codegen-units 1)"
  echo
  echo "| function | size | target |"
  echo "| --- | --- | --- |"
  for bin in pod-skill pod-api pod-web; do
    bytes=$(stat -c %s "$target/release/$bin")
    echo "| $bin | $(python3 -c "print(f'{$bytes/1048576:.1f}')") MiB | < 8 MB: $(python3 -c "print('met' if $bytes < 8000000 else 'missed')") |"
  done
} >"$out/results.md"
cat "$out/results.md"
