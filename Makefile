# Pod: `make run` starts the whole stack locally; `make test` runs every test.
# Both install what they need themselves.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

.PHONY: help build run run-dynamodb table test fmt lint unit smoke infra sam-build model deploy skill-package invoke invoke-check events chat browser fuzz schemathesis bench profile toolchain clean

help:
	@echo "make run    - the whole stack on 127.0.0.1 (embedded store, local identity provider)"
	@echo "make test   - every test (format, lints, template, the SAM build, unit, integration, end to end)"
	@echo "make run-dynamodb - the stack on a local DynamoDB-compatible server (moto, in memory)"
	@echo "make table  - create the orders table where the AWS settings point (ORDERS_TABLE)"
	@echo "make sam-build - sam validate --lint + sam build (cargo-lambda, arm64) into build/sam/, offline (part of make test)"
	@echo "make deploy - make sam-build, then sam deploy --guided of build/sam/, then the skill package from the stack outputs"
	@echo "make invoke EVENT=events/alexa/launch.json - one recorded event through cargo lambda watch"
	@echo "make build  - the three functions with cargo lambda build --release --arm64 (target/lambda/)"
	@echo "make bench  - handler cost, load, cold start, memory, binary size, round trips: build/bench/results.md"
	@echo "make profile - where the skill handler's CPU time goes, by stage (perf): build/bench/profile.md"
	@echo "make chat   - talk to the skill in a terminal (USER=ben, SCRIPT=scripts/seed-conversation.chat, STEP_UP=voice_pin_or_code SCRIPT=scripts/voice-pin-conversation.chat, LOCALE=de-DE SCRIPT=scripts/full-conversation-de.chat)"
	@echo "make events - build/events/ with a fresh token and timestamps (for sam local invoke -e)"
	@echo "make clean  - remove build output and local data"

toolchain:
	@command -v curl >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq curl; }
	@command -v python3 >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq python3; }
	@command -v npm >/dev/null || [ -n "$${POD_SKIP_NODE:-}" ] || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq nodejs npm; } || { echo "npm is missing (the web login test runs oidc-provider): install Node.js 20+ and npm, or set POD_SKIP_NODE=1" >&2; exit 1; }
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust from https://rustup.rs" >&2; exit 1; }
	@{ $(CARGO) fmt --version && $(CARGO) clippy --version; } >/dev/null 2>&1 || rustup component add rustfmt clippy

run: toolchain
	$(CARGO) run -p pod-local --bin pod-local

# The stack on DynamoDB: a local moto server, the table, then pod-local (all stop on Ctrl-C).
run-dynamodb: toolchain
	ORDERS_STORE=dynamodb scripts/with-moto.sh sh -c \
	  '$(CARGO) run -q -p pod-local --bin pod-table && $(CARGO) run -p pod-local --bin pod-local'

# Creates the orders table on whatever endpoint the AWS settings point at
# (e.g. AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000); does nothing if it exists.
table: toolchain
	$(CARGO) run -q -p pod-local --bin pod-table

fmt: toolchain
	$(CARGO) fmt --all -- --check

lint: toolchain
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# Headless Chromium and chromedriver for functions/local/tests/e2e/browser.rs (apt, as root; no-op when present).
browser:
	scripts/install-chromium.sh

# Every crate's tests, with a DynamoDB-compatible server (moto) on 127.0.0.1 for the
# DynamoDB store suite and the end-to-end run on DynamoDB; the server stops afterwards.
unit: toolchain browser
	scripts/with-moto.sh $(CARGO) test --workspace --locked

# The SAM template: cfn-lint, and a check that it matches the code (table keys, TTL, binaries,
# the metrics the alarms and the dashboard read), with the check's own tests.
infra:
	scripts/venv.sh
	.venv/bin/cfn-lint infra/template.yaml
	.venv/bin/python scripts/test_check_template.py
	.venv/bin/python scripts/check-template.py

# sam validate --lint and sam build (cargo-lambda, release, arm64) of the template, offline, into
# build/sam/; checks the build holds the template's three functions as aarch64 binaries.
# The release build shares the target dir with make build and make bench.
sam-build: toolchain
	scripts/sam-build.sh

# The interaction models are generated from one source; the skill package fills from stack outputs.
model:
	python3 alexa-model/generate.py --check
	APP_CLIENT_ID=example APP_CLIENT_SECRET=example python3 scripts/fill-skill-package.py infra/example-stack-outputs.json

# The three Lambda functions, release, arm64 (x86_64 with a message if the target cannot be added).
build: toolchain
	scripts/build.sh

STACK ?= pod
# Deploys to your AWS account (needs credentials, Docker is not needed: cargo-lambda builds):
# the build make test proves (make sam-build), then sam deploy of its built template.
deploy: sam-build
	SAM_CLI_TELEMETRY=0 .venv/bin/sam deploy --guided --template-file build/sam/template.yaml \
	  --stack-name $(STACK) --capabilities CAPABILITY_IAM
	$(MAKE) skill-package

# build/skill-package/ and build/account-linking.json from the deployed stack (APP_CLIENT_ID/SECRET in env).
skill-package:
	mkdir -p build
	aws cloudformation describe-stacks --stack-name $(STACK) --query 'Stacks[0].Outputs' > build/stack-outputs.json
	python3 scripts/fill-skill-package.py build/stack-outputs.json $(if $(ENDPOINT),--endpoint $(ENDPOINT),)

CHAT_USER ?= $(or $(USER_NAME),ana)
chat: toolchain
	$(CARGO) run -q -p pod-local --bin pod-local -- chat --user $(CHAT_USER) $(if $(SCRIPT),--script $(SCRIPT),) $(if $(STEP_UP),--step-up $(STEP_UP),) $(if $(LOCALE),--locale $(LOCALE),)

# Benchmarks (not part of make test): results in build/bench/results.md and results.json.
bench: toolchain
	scripts/bench.sh

# Where the skill handler's CPU time goes, by stage (perf over the criterion bench): build/bench/profile.md.
profile: toolchain
	scripts/profile_handler.sh

# Longer property-based fuzzing of the Alexa parser/handler and the API bodies (make test runs 256 cases each).
FUZZ_CASES ?= 20000
fuzz: toolchain
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --release -p pod-skill -p pod-api --test fuzz

events: toolchain
	$(CARGO) run -q -p pod-local --bin pod-events

EVENT ?= events/alexa/launch.json
invoke: toolchain
	scripts/invoke.sh $(EVENT)

# One event per function through the Lambda runtime emulator (cargo lambda watch + invoke).
invoke-check: toolchain
	scripts/invoke.sh events/alexa/launch.json | grep "Welcome to Pizza on Demand" >/dev/null
	scripts/invoke.sh events/http/api-health.json | grep '"statusCode": 200' >/dev/null
	scripts/invoke.sh events/http/web-policy.json | grep "Privacy policy" >/dev/null
	@echo "invoke-check: the skill, api and web functions answer their recorded events under cargo lambda"

# schemathesis against the API of a real pod-local (SCHEMATHESIS_EXAMPLES per operation, default 25).
schemathesis: toolchain
	$(CARGO) build -p pod-local --bin pod-local --locked
	scripts/schemathesis.sh $(TARGET_DIR)/debug/pod-local

smoke: toolchain
	$(CARGO) build -p pod-local --bin pod-local --locked
	scripts/smoke-local.sh $(TARGET_DIR)/debug/pod-local

test: fmt lint infra sam-build model unit smoke schemathesis invoke-check
	@echo "make test: all checks passed"

clean:
	$(CARGO) clean
	rm -rf .data build .venv
