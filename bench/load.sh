#!/usr/bin/env bash
# The side-by-side load benchmark (bench/load/run.mjs): builds the release server and dist/,
# and the widget as it was before this release (IKM_BENCH_BASELINE_REV, built once into
# target/bench-baseline/REV and reused), then measures every contender in one run.
#   bench/load.sh                 7 interleaved runs (IKM_BENCH_RUNS to change)
#   IKM_BENCH_BASELINE_REV=none bench/load.sh   without the before-build
#   IKM_BENCH_ONLY='no prerender' bench/load.sh  the floor, Formbricks and the matching contenders
#   IKM_BENCH_TRACE=/tmp/traces bench/load.sh     also a Chrome trace of every load (DevTools' Performance panel)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
rev=${IKM_BENCH_BASELINE_REV:-21efc83}
cargo build -q --release -p ikm-server
[ -f dist/manifest.json ] || scripts/dist.sh > /dev/null
if [ "$rev" != none ]; then
  base="target/bench-baseline/$rev"
  if [ ! -f "$base/dist/ikm-survey.js" ]; then
    echo "bench: building the widget as of $rev (once; reused later)" >&2
    rm -rf "$base/src" && mkdir -p "$base/target"
    git worktree prune
    git worktree add -f --detach "$base/src" "$rev" > /dev/null
    ln -s ../target "$base/src/target"
    (cd "$base/src" && npm ci --no-audit --no-fund > /dev/null 2>&1 && scripts/dist.sh > /dev/null)
    mv "$base/src/dist" "$base/dist"
    git worktree remove --force "$base/src"
  fi
  export IKM_BENCH_BASELINE_DIST="$PWD/$base/dist"
fi
node bench/load/run.mjs
