#!/usr/bin/env bash
# Builds dist/: the <ikm-survey> module, its wasm (size profile + wasm-opt -Oz) and stylesheet,
# all content-hashed, a stable entry ikm-survey.js, the demo page (a third-party page that
# embeds the widget), and a brotli and a gzip copy of each, made once here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
case "$(command -v wasm-opt)" in
  "$PWD/node_modules/.bin/wasm-opt") ;;
  *) echo "dist: wasm-opt must come from node_modules (run scripts/bootstrap.sh)" >&2; exit 1 ;;
esac
# std is rebuilt for size with panics that trap at once (no message formatting, no source
# locations): 21 KiB gzip less than the prebuilt std. build-std and immediate-abort are unstable flags, unlocked on the
# pinned stable toolchain by RUSTC_BOOTSTRAP for this one build; tests use the plain toolchain.
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
  cargo build -q --profile wasm-release --target wasm32-unknown-unknown -p ikm-survey \
  -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size
cargo build -q --release -p wasm-names
stage=target/wasm-bindgen
rm -rf "$stage" dist && mkdir -p "$stage" dist
wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name ikm-survey-wasm \
  target/wasm32-unknown-unknown/wasm-release/ikm_survey.wasm
# -Oz until nothing more shrinks (--converge). --low-memory-unused lets wasm-opt fold added
# constants into load/store offsets, assuming no access wraps around to the lowest 1 KiB of
# memory: true of Rust's code, whose pointers never wrap (the stack ends at the bottom).
wasm-opt -Oz --converge --low-memory-unused --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  "$stage/ikm-survey-wasm_bg.wasm" -o "$stage/optimized.wasm"
# Short names for the glue's imports and the generated exports (see tools/wasm-names).
target/release/wasm-names "$stage/optimized.wasm" "$stage/short.wasm" "$stage/names.json"
cp js/ikm-survey.js js/outbox-worker.js js/sw.js "$stage/"
lightningcss --minify styles/ikm-survey.css -o "$stage/ikm-survey.css"
node scripts/bundle.mjs "$stage" "$stage/short.wasm" "$stage/names.json" "$stage/ikm-survey.css" dist
cp index.html styles/demo.css examples/office.json dist/
node scripts/precompress.mjs dist
echo "dist: built $(cd dist && find . -type f | sort | tr '\n' ' ')"
