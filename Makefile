# Pod: `make run` starts the whole stack locally; `make test` runs every test.
# Both install what they need themselves.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo

.PHONY: help run test fmt lint unit smoke toolchain clean

help:
	@echo "make run    - the whole stack on 127.0.0.1 (embedded store, local identity provider)"
	@echo "make test   - every test (format, lints, unit, integration, end to end)"
	@echo "make clean  - remove build output and local data"

toolchain:
	@command -v curl >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq curl; }
	@command -v python3 >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq python3; }
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust from https://rustup.rs" >&2; exit 1; }
	@{ $(CARGO) fmt --version && $(CARGO) clippy --version; } >/dev/null 2>&1 || rustup component add rustfmt clippy

run: toolchain
	$(CARGO) run -p pod-local --bin pod-local

fmt: toolchain
	$(CARGO) fmt --all -- --check

lint: toolchain
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit: toolchain
	$(CARGO) test --workspace --locked

smoke: toolchain
	$(CARGO) build -p pod-local --bin pod-local --locked
	scripts/smoke-local.sh target/debug/pod-local

test: fmt lint unit smoke
	@echo "make test: all checks passed"

clean:
	$(CARGO) clean
	rm -rf .data build
