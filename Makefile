# Diplomatie: the two commands are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
PROFILE_DIR ?= $(HOME)/.local/share/diplomatie/demo
DEMO_ITEMS ?= 2000

.PHONY: run test bench fuzz deps build fmt-check clippy check-deps rust-tests

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

# Two minutes per fuzz target on the committed seeds (nightly toolchain; see fuzz/README.md).
FUZZ_SECONDS ?= 120
fuzz: deps
	@command -v cargo-fuzz >/dev/null || cargo +stable install cargo-fuzz --version 0.13.2 --locked
	@for t in eml_parse:eml search_query:search_query domain_json:domain_json; do \
	  target=$${t%%:*}; seeds=$${t##*:}; \
	  mkdir -p fuzz/corpus/$$target && cp fuzz/seeds/$$seeds/* fuzz/corpus/$$target/ && \
	  cargo +nightly fuzz run $$target fuzz/corpus/$$target -- -max_total_time=$(FUZZ_SECONDS) -max_len=65536 || exit 1; \
	done
