#!/usr/bin/env bash
# Installs everything the project needs, idempotently: seconds when it is all there.
#   scripts/bootstrap.sh run    build tools (wasm target, wasm-bindgen, wasm-pack, wasm-opt)
#   scripts/bootstrap.sh test   the same plus Chromium, chromedriver, PostgreSQL, WebKitGTK's
#                               WebKitWebDriver under Xvfb, and firefox-esr with geckodriver
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf 'bootstrap: %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi
# The size build (scripts/dist.sh) compiles std from source.
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding the rust-src component"
  rustup component add rust-src
fi

# The CLI must equal the wasm-bindgen crate in Cargo.lock, or the test runner refuses to run.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
have_version=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_version" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have_version:-none})"
  # No --locked: the registry mirror lacks one locked transitive version.
  cargo install wasm-bindgen-cli --version "$want" --force
fi

if ! have wasm-pack; then
  say "installing wasm-pack"
  cargo install wasm-pack
fi

# A current wasm-opt from npm; Debian's binaryen cannot parse current rustc output.
# npm writes node_modules/.package-lock.json on install; an older one means package-lock.json changed.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -x node_modules/.bin/lightningcss ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm tools (binaryen, esbuild, lightningcss, axe-core, playwright-core)"
  npm ci --no-audit --no-fund
fi

if [ "$mode" = test ]; then
  missing=()
  have chromium || missing+=(chromium)
  have chromedriver || missing+=(chromium-driver)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  [ -x /usr/bin/time ] || missing+=(time)
  have WebKitWebDriver || missing+=(webkit2gtk-driver)
  have xvfb-run || missing+=(xvfb xauth)
  have firefox-esr || missing+=(firefox-esr)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  # Debian does not package geckodriver; Mozilla publishes it as a crate (about 90 s to build).
  if ! have geckodriver; then
    say "installing geckodriver from crates.io"
    cargo install geckodriver --version 0.37.1 --locked
  fi
fi
say "ready ($mode)"
