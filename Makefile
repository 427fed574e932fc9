# The README's commands. `make run` and `make test` each set up everything first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# Cargo's tools first, then npm's current wasm-opt ahead of any /usr/bin/wasm-opt.
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: run test dist bootstrap-run bootstrap-test lint test-native test-browser test-vendor test-e2e size bench

## run: set up, build the widget, and serve the survey, the collector and /admin on SQLite;
## the first run fills data/ikm.db with example responses (IKM_DEMO=0 starts it empty)
run: dist
	cargo build --release -q -p ikm-server
	if [ ! -e data/ikm.db ] && [ "$${IKM_DEMO:-1}" != 0 ]; then \
	  target/release/ikm demo-data --db sqlite://data/ikm.db --config examples/office.json; fi
	target/release/ikm serve --db sqlite://data/ikm.db --config examples/office.json --addr $(or $(IKM_ADDR),127.0.0.1:8080)

## test: set up, then formatting, lints and every test suite
test: bootstrap-test lint test-native dist size test-browser test-vendor test-e2e
	@echo "make test: all suites passed"

## dist: build the embeddable widget into dist/
dist: bootstrap-run
	scripts/dist.sh

bootstrap-run:
	scripts/bootstrap.sh run

bootstrap-test:
	scripts/bootstrap.sh test

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	cargo clippy -p ikm-survey --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo clippy -p ikm-survey --target wasm32-unknown-unknown --features steps --lib -- -D warnings

## native tests; the collector's run against SQLite and a real PostgreSQL started here
test-native:
	url=$$(scripts/postgres.sh start); \
	trap 'scripts/postgres.sh stop' EXIT; \
	IKM_TEST_POSTGRES_URL=$$url IKM_TEST_POSTGRES_CA=$$(scripts/postgres.sh ca) IKM_REQUIRE_POSTGRES=1 \
	  cargo test --workspace --all-features

## the widget in headless Chromium against a real local endpoint
test-browser:
	scripts/test-browser.sh

## real Chromium, the demo page served by ikm serve, keyboard-only completion, the report
test-vendor:
	scripts/test-vendor.sh

test-e2e:
	scripts/test-e2e.sh

## the shipped size of dist/ (gzip), checked against the budget
size:
	scripts/size-budget.sh

## bench: performance figures (ikm score on 1M rows; ingest and report of ikm serve; 125 units
## on two replicas (PostgreSQL): ingest and the yearly recap of the whole deployment; the
## survey's load on a throttled phone beside a plain form and Formbricks; what the proof of work
## adds to a send on the phone profile)
bench: bootstrap-test dist
	bench/score.sh
	cargo bench -p ikm-server --bench ingest
	cargo bench -p ikm-server --bench suggestions
	IKM_BENCH_POSTGRES_URL=$$(scripts/postgres.sh start) cargo bench -p ikm-server --bench units
	bench/load.sh
	node bench/proof.mjs
