# Pod: `make run` starts the whole stack locally; `make test` runs every test.
# Both install what they need themselves.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo

.PHONY: help run test check fmt lint unit toolchain clean

help:
	@echo "make run    - the whole stack on 127.0.0.1 (embedded store, local identity provider)"
	@echo "make test   - every test (format, lints, unit, integration, end to end)"
	@echo "make clean  - remove build output and local data"

toolchain:
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust from https://rustup.rs" >&2; exit 1; }
	@rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy

run: toolchain
	$(CARGO) run --release -p pod-local --bin pod-local

fmt: toolchain
	$(CARGO) fmt --all -- --check

lint: toolchain
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit: toolchain
	$(CARGO) test --workspace --locked

test: fmt lint unit
	@echo "make test: all checks passed"

clean:
	$(CARGO) clean
	rm -rf .data build
