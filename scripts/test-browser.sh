#!/usr/bin/env bash
# Browser tests of the widget: starts the test endpoint, runs wasm-bindgen-test in headless
# Chromium (Debian's chromium + chromedriver), stops the endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
port=${IKM_TEST_PORT:-18931}
python3 tests/support/endpoint.py "$port" &
endpoint=$!
trap 'kill $endpoint 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/last" >/dev/null 2>&1 && break
  sleep 0.1
done
export IKM_TEST_ENDPOINT="http://127.0.0.1:$port"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}
cargo test -p ikm-survey --target wasm32-unknown-unknown --test widget
