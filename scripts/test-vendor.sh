#!/usr/bin/env bash
# Yew's own test suite run on our patched copy in vendor/yew (see vendor/README.md): the native
# tests and the browser tests in headless Chromium, with the features upstream tests with.
# First proves that vendor/yew is the published crate plus exactly vendor/yew-small-maps.patch,
# byte for byte: the pristine .crate (checked against its sha256), the patch applied, the
# documented [workspace] table added, compared file by file (only Cargo.lock, re-resolved to
# this repository's versions, is left out).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

YEW_VERSION=0.23.0
YEW_SHA256=2c154fadfa97eabdd3f3b79345ceeb9c05ee8f13f76d3d881d17fba618bf558d
check="$PWD/target/vendor-check"
crate="$check/yew-$YEW_VERSION.crate"
mkdir -p "$check"
if [ ! -f "$crate" ] || ! echo "$YEW_SHA256  $crate" | sha256sum --check --status; then
  curl -sSfL --retry 3 -o "$crate.part" "https://static.crates.io/crates/yew/yew-$YEW_VERSION.crate"
  mv "$crate.part" "$crate"
fi
echo "$YEW_SHA256  $crate" | sha256sum --check --status || {
  echo "test-vendor: the downloaded yew-$YEW_VERSION.crate does not have the sha256 in vendor/README.md" >&2
  exit 1
}
expected="$check/expected"
rm -rf "$expected" && mkdir -p "$expected"
tar -xzf "$crate" -C "$expected"
pristine="$expected/yew-$YEW_VERSION"
git apply --directory="target/vendor-check/expected/yew-$YEW_VERSION" vendor/yew-small-maps.patch
{
  head -n 11 "$pristine/Cargo.toml"
  printf '%s\n' \
    '# Added when vendored (see ../README.md): a workspace of its own, so that its tests run here' \
    '# with its own Cargo.lock.' \
    '[workspace]' \
    ''
  tail -n +12 "$pristine/Cargo.toml"
} >"$pristine/Cargo.toml.new"
mv "$pristine/Cargo.toml.new" "$pristine/Cargo.toml"
if ! diff -r -x Cargo.lock -x target "$pristine" vendor/yew >"$check/diff.txt"; then
  echo "test-vendor: vendor/yew is not yew $YEW_VERSION plus vendor/yew-small-maps.patch:" >&2
  head -n 40 "$check/diff.txt" >&2
  exit 1
fi
echo "test-vendor: vendor/yew = yew $YEW_VERSION (sha256 ok) + yew-small-maps.patch, byte for byte"
# Its own build directory: vendor/yew is a workspace of its own, with its own Cargo.lock.
export CARGO_TARGET_DIR="$PWD/target/vendor-yew"
cd vendor/yew
features=csr,hydration,ssr,test
cargo test -q --features "$features"
# `non_bubbling` focuses an element, and headless Chromium fires no focus events in a window
# that has no focus: it fails on unmodified yew 0.23.0 here too.
# The library's tests, then every file under tests/.
wasm-pack test --headless --chrome -- --features "$features" -- --exact --skip dom_bundle::btag::listeners::tests::non_bubbling
