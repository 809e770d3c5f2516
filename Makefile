# Diplomatie: the two commands are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
PROFILE_DIR ?= $(HOME)/.local/share/diplomatie/demo
DEMO_ITEMS ?= 2000

.PHONY: run test bench deps build fmt-check clippy check-deps rust-tests demo

deps:
	@scripts/install-deps.sh

build: deps
	$(CARGO) build --release -p diplomatie-cli

# Until the desktop app exists, `make run` starts the command-line demo.
run: build
	@scripts/run-demo.sh "$(PROFILE_DIR)" "$(DEMO_ITEMS)" "$(DEMO)"

test: deps fmt-check clippy check-deps rust-tests

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

check-deps:
	@scripts/check-deps.sh

rust-tests:
	$(CARGO) test --workspace

bench: deps
	$(CARGO) run --release -p diplomatie-bench
