#!/usr/bin/env bash
# Runs the chaos test (tests/e2e/chaos.test.mjs) N times in a row (default 30), stopping at the
# first failure, whose full output is kept; for finding rare failures, not part of make test.
# Needs what scripts/test-e2e.sh needs (it builds the collector, and dist/ when missing).
# About 2.3 minutes a run; prints one line per run and the count of green runs in a row.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
runs=${1:-30}
cargo build -q -p ikm-server
[ -f dist/ikm-survey.js ] || scripts/dist.sh
log=$(mktemp -d)
for i in $(seq 1 "$runs"); do
  if node --test tests/e2e/chaos.test.mjs > "$log/run-$i.log" 2>&1; then
    echo "run $i: pass $(grep -o 'chaos: .*' "$log/run-$i.log" | head -c 400)"
  else
    echo "run $i: FAILED after $((i - 1)) green runs in a row; output in $log/run-$i.log" >&2
    exit 1
  fi
done
echo "chaos loop: $runs green runs in a row"
