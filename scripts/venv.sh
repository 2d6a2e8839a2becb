#!/usr/bin/env bash
# Makes sure .venv (under the checkout, git-ignored) has requirements-dev.txt installed.
# Prints nothing when it is already up to date.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
stamp="$venv/.requirements-dev.txt"
if [ -f "$stamp" ] && cmp -s "$stamp" "$root/requirements-dev.txt"; then
  exit 0
fi
echo "venv: installing requirements-dev.txt into .venv" >&2
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/requirements-dev.txt"
cp "$root/requirements-dev.txt" "$stamp"
