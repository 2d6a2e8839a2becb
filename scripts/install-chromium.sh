#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver (Debian's `chromium` and `chromium-driver`
# packages: /usr/bin/chromium, /usr/bin/chromedriver) for the browser test
# (functions/local/tests/e2e/browser.rs). Does nothing when both are there already.
# Needs root (or sudo) and apt; quiet unless something fails.
set -euo pipefail

chromium=/usr/bin/chromium
chromedriver=/usr/bin/chromedriver

if [ -x "$chromium" ] && [ -x "$chromedriver" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "install-chromium: apt-get is missing; install Chromium and chromedriver as $chromium and $chromedriver" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-chromium: run as root (or install sudo)" >&2; exit 1; }
  sudo=(sudo)
fi

echo "install-chromium: installing chromium and chromium-driver with apt" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq &&
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-chromium: apt-get failed" >&2
  exit 1
fi

for binary in "$chromium" "$chromedriver"; do
  [ -x "$binary" ] || { echo "install-chromium: $binary is still missing after the install" >&2; exit 1; }
done
echo "install-chromium: $("$chromium" --version 2>/dev/null || echo chromium), $("$chromedriver" --version | head -n 1)" >&2
