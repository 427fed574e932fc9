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
# The wasm twice: the default build, and one question per screen (feature `steps`), which
# only pages that ask for it load (js/ikm-survey.js); each gets its glue, names and bundle.
wasm() {
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
    cargo build -q --profile wasm-release --target wasm32-unknown-unknown -p ikm-survey "$@" \
    -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size
}
cargo build -q --release -p wasm-names
rm -rf dist && mkdir -p dist
# Builds, optimizes and bundles one variant: STAGE_DIR CSS [steps].
variant() {
  local stage=$1 css=$2
  shift 2
  rm -rf "$stage" && mkdir -p "$stage"
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
  cp js/ikm-survey.js js/ikm-survey-build.js js/outbox-worker.js js/sw.js "$stage/"
  cat $css > "$stage/styles.css"
  lightningcss --minify "$stage/styles.css" -o "$stage/ikm-survey.css"
  # The styles only the steps build adds, which the element's module carries (scripts/bundle.mjs).
  lightningcss --minify styles/ikm-steps.css -o "$stage/extra.css"
  node scripts/bundle.mjs "$stage" "$stage/short.wasm" "$stage/names.json" "$stage/ikm-survey.css" dist "$@"
}
wasm --features steps
variant target/wasm-bindgen-steps "styles/ikm-survey.css styles/ikm-steps.css" steps
wasm
variant target/wasm-bindgen styles/ikm-survey.css
cp index.html styles/demo.css examples/office.json dist/
node scripts/precompress.mjs dist
echo "dist: built $(cd dist && find . -type f | sort | tr '\n' ' ')"
