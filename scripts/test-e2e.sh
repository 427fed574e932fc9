#!/usr/bin/env bash
# End-to-end tests: the real `ikm serve` and Debian's Chromium driven by playwright-core.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -q -p ikm-server
[ -f dist/ikm-survey.js ] || scripts/dist.sh
node --test tests/e2e/
