#!/usr/bin/env bash
# make build: the three Lambda functions with cargo-lambda, release, for arm64 (Graviton,
# as the template deploys them); if the aarch64 target cannot be added, for x86_64 with a
# clear message. ARCH=x86_64 asks for x86_64. Binaries: target/lambda/<function>/bootstrap.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/venv.sh
export PATH="$root/.venv/bin:$PATH"
arch=${ARCH:-arm64}
if [ "$arch" = arm64 ]; then
  if ! rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu \
    && ! rustup target add aarch64-unknown-linux-gnu; then
    echo "build: cannot add the aarch64-unknown-linux-gnu target; building x86_64 instead." >&2
    echo "build: set Architectures: [x86_64] in infra/template.yaml before deploying these." >&2
    arch=x86_64
  fi
fi
case "$arch" in
  arm64) flag=--arm64 ;;
  x86_64) flag=--x86-64 ;;
  *) echo "build: ARCH must be arm64 or x86_64, not $arch" >&2; exit 2 ;;
esac
cargo lambda build --release "$flag" --lambda-dir "${LAMBDA_DIR:-target/lambda}" \
  -p pod-skill -p pod-api -p pod-web --bin pod-skill --bin pod-api --bin pod-web
for function in pod-skill pod-api pod-web; do
  bytes=$(stat -c %s "${LAMBDA_DIR:-target/lambda}/$function/bootstrap")
  echo "build: $function ($arch) $((bytes / 1024)) KiB"
done
