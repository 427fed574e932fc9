#!/usr/bin/env bash
# Yew's own test suite run on our patched copy in vendor/yew (see vendor/README.md): the native
# tests and the browser tests in headless Chromium, with the features upstream tests with.
# First checks that vendor/yew-small-maps.patch is exactly the change the copy carries.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
git apply -R --check --directory=vendor/yew vendor/yew-small-maps.patch 2>/dev/null || {
  echo "test-vendor: vendor/yew does not carry exactly vendor/yew-small-maps.patch" >&2
  exit 1
}
# Its own build directory: vendor/yew is a workspace of its own, with its own Cargo.lock.
export CARGO_TARGET_DIR="$PWD/target/vendor-yew"
cd vendor/yew
features=csr,hydration,ssr,test
cargo test -q --features "$features"
# `non_bubbling` focuses an element, and headless Chromium fires no focus events in a window
# that has no focus: it fails on unmodified yew 0.23.0 here too.
# The library's tests, then every file under tests/.
wasm-pack test --headless --chrome -- --features "$features" -- --exact --skip dom_bundle::btag::listeners::tests::non_bubbling
