#!/usr/bin/env bash
# Builds dist/: the <ikm-survey> ES module, its wasm (size profile + wasm-opt -Oz), CSS and the demo page.
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
out=target/wasm-bindgen
rm -rf "$out" dist && mkdir -p "$out" dist
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name ikm-survey-wasm \
  target/wasm32-unknown-unknown/wasm-release/ikm_survey.wasm
# -Oz until nothing more shrinks (--converge). --low-memory-unused lets wasm-opt fold added
# constants into load/store offsets, assuming no access wraps around to the lowest 1 KiB of
# memory: true of Rust's code, whose pointers never wrap (the stack ends at the bottom).
wasm-opt -Oz --converge --low-memory-unused --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  "$out/ikm-survey-wasm_bg.wasm" -o dist/ikm-survey-wasm_bg.wasm
# The JS glue wasm-bindgen writes is readable, not small: minify it, the element module and
# js/platform.js, which wasm-bindgen copies to snippets/ and the glue imports from there.
for js in "$out/ikm-survey-wasm.js" js/ikm-survey.js; do
  terser "$js" --module --compress passes=2 --mangle -o "dist/$(basename "$js")"
done
(cd "$out" && find snippets -name '*.js') | while read -r js; do
  mkdir -p "dist/$(dirname "$js")"
  terser "$out/$js" --module --compress passes=2 --mangle -o "dist/$js"
done
node scripts/shorten-imports.mjs dist/ikm-survey-wasm_bg.wasm dist/ikm-survey-wasm.js
lightningcss --minify styles/ikm-survey.css -o dist/ikm-survey.css
cp index.html styles/demo.css examples/office.json dist/
echo "dist: built $(cd dist && find . -type f | sort | tr '\n' ' ')"
