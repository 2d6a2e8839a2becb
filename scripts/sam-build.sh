#!/usr/bin/env bash
# make sam-build (part of make test; make deploy deploys what it builds): the SAM CLI from
# .venv validates infra/template.yaml (sam validate --lint) and builds it (sam build with
# cargo-lambda, arm64, release), offline: no AWS account, credentials or Docker. Then checks
# that the build holds exactly the three functions the template names, each an aarch64 ELF.
#
# SAM builds rust-cargolambda functions in the source tree and hands cargo the workspace's
# target directory (or CARGO_TARGET_DIR), so this reuses make build's compiled dependencies.
# Output: build/sam/ (the built template is build/sam/template.yaml).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/venv.sh
export PATH="$root/.venv/bin:$PATH"
# No telemetry, no update check, no credentials or instance metadata lookups: all of it is offline.
export SAM_CLI_TELEMETRY=0
export SAM_CLI_BETA_RUST_CARGO_LAMBDA=1
export AWS_EC2_METADATA_DISABLED=true
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${AWS_REGION:-eu-west-1}}
build_dir=${SAM_BUILD_DIR:-build/sam}

if ! rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
  rustup target add aarch64-unknown-linux-gnu
fi

sam validate --lint --template-file infra/template.yaml
sam build --template-file infra/template.yaml --build-dir "$build_dir" --beta-features

# The functions the template names (every AWS::Serverless::Function), each built as
# <build dir>/<LogicalId>/bootstrap for arm64, and nothing else.
python3 - "$build_dir" <<'EOF'
import pathlib
import re
import sys

build = pathlib.Path(sys.argv[1])
template = pathlib.Path("infra/template.yaml").read_text()
named = set(re.findall(r"^  (\w+):\n    Type: AWS::Serverless::Function$", template, flags=re.M))
built = {p.name for p in build.iterdir() if p.is_dir()}
problems = []
if named != {"SkillFunction", "ApiFunction", "WebFunction"}:
    problems.append(f"the template names {sorted(named)}, not the skill, api and web functions")
if built != named:
    problems.append(f"built {sorted(built)}, the template names {sorted(named)}")
EM_AARCH64 = 183
for name in sorted(named):
    bootstrap = build / name / "bootstrap"
    if not bootstrap.is_file():
        problems.append(f"{bootstrap} is missing")
        continue
    head = bootstrap.read_bytes()[:20]
    machine = int.from_bytes(head[18:20], "little")
    if head[:4] != b"\x7fELF" or head[4] != 2 or machine != EM_AARCH64:
        problems.append(f"{bootstrap} is not a 64-bit aarch64 ELF (machine {machine})")
    else:
        print(f"sam-build: {name}/bootstrap aarch64 ELF, {bootstrap.stat().st_size // 1024} KiB")
if problems:
    sys.exit("sam-build: " + "; ".join(problems))
print(f"sam-build: {build}/ holds the three functions of infra/template.yaml, built for arm64")
EOF
