# Diplomatie: the two commands are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
DEMO ?=
DEMO_ITEMS ?= 5000
PROFILE_DIR ?=

.PHONY: run test bench bench-deps fuzz deps deps-run ui ui-test build fmt-check clippy check-deps deny rust-tests e2e package

# System packages, npm packages and tauri-driver, each only when missing.
deps:
	@scripts/install-deps.sh test

deps-run:
	@scripts/install-deps.sh run

# The interface, built into ui/dist (the app embeds it at compile time).
ui:
	cd ui && npm run build

ui-test:
	cd ui && npm test

build: deps-run ui
	$(CARGO) build --release -p diplomatie -p diplomatie-cli -p diplomatie-relay

# A local relay and the desktop app: `make run` opens your profile; `make run DEMO=1` a fresh
# demo profile. PROFILE_DIR=DIR another profile folder (with DEMO=1, only a new or empty folder,
# or a demo made so).
run: build
	@DEMO="$(DEMO)" DEMO_ITEMS="$(DEMO_ITEMS)" PROFILE_DIR="$(PROFILE_DIR)" scripts/run-app.sh

test: deps fmt-check ui ui-test clippy check-deps deny rust-tests e2e

fmt-check:
	$(CARGO) fmt --all -- --check

clippy: ui
	$(CARGO) clippy --workspace --all-targets -- -D warnings

check-deps:
	@scripts/check-deps.sh

# Licences, bans and sources of the dependency tree (deny.toml), offline: the advisory database
# is not fetched. `cargo fetch` first, so that the crates of every platform are there (a no-op
# when they are).
deny:
	@$(CARGO) fetch --quiet
	$(CARGO) deny --offline --log-level error check licenses bans sources

rust-tests: ui
	$(CARGO) test --workspace --exclude diplomatie-e2e

# The Debian package of the desktop app and the diplo CLI, built by Tauri's bundler:
# $CARGO_TARGET_DIR/release/bundle/deb/Diplomatie_<version>_<arch>.deb (./target without it).
package: deps-run ui
	@scripts/package.sh

# The real app under Xvfb through WebDriver, with the CLI and a private D-Bus (tests/); the
# package test unpacks what `make package` built and starts the packaged app.
e2e: ui package
	$(CARGO) build -p diplomatie -p diplomatie-cli -p diplomatie-relay
	$(CARGO) test -p diplomatie-e2e -- --test-threads=1

# What the relay's load benchmark starts besides itself: the release relay, and the
# automerge-repo sync server it compares against (its npm packages as locked, installed again
# only when the lock file changed).
AUTOMERGE_SERVER := benches/automerge-repo-server
bench-deps:
	$(CARGO) build --release -p diplomatie-relay
	@if [ ! -d $(AUTOMERGE_SERVER)/node_modules ] \
	  || [ $(AUTOMERGE_SERVER)/package-lock.json -nt $(AUTOMERGE_SERVER)/node_modules/.package-lock.json ]; then \
	  echo "Installing the automerge-repo server's npm packages (npm ci)…"; \
	  (cd $(AUTOMERGE_SERVER) && npm ci --no-audit --no-fund --loglevel=error); \
	fi

# The store and search benchmarks, the relay under load against automerge-repo's sync server
# (DIPLOMATIE_BENCH=relay alone), then the desktop app's (real app under Xvfb, a million items;
# the profile is kept in the bench cache).
bench: deps ui bench-deps
	$(CARGO) run --release -p diplomatie-bench
	$(CARGO) build --release -p diplomatie -p diplomatie-cli --features diplomatie/bench-baseline
	$(CARGO) run --release -p diplomatie-e2e --bin app-bench

# Two minutes per fuzz target on the committed seeds (nightly toolchain; see fuzz/README.md).
FUZZ_SECONDS ?= 120
fuzz: deps-run
	@command -v cargo-fuzz >/dev/null || cargo +stable install cargo-fuzz --version 0.13.2 --locked
	@for t in eml_parse:eml search_query:search_query domain_json:domain_json automerge_load:automerge_load contact_card:contact_card; do \
	  target=$${t%%:*}; seeds=$${t##*:}; \
	  mkdir -p fuzz/corpus/$$target && cp fuzz/seeds/$$seeds/* fuzz/corpus/$$target/ && \
	  cargo +nightly fuzz run $$target fuzz/corpus/$$target -- -max_total_time=$(FUZZ_SECONDS) -max_len=65536 || exit 1; \
	done
