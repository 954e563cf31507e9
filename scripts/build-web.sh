#!/usr/bin/env bash
# Builds the page's WebAssembly module into www/pkg and copies the vendored
# JS libraries into www/vendor. Expects scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# getrandom 0.3's browser backend comes from its `wasm_js` feature (Cargo.toml);
# no RUSTFLAGS here, so this build shares its cache with wasm-pack's.

fail() { echo "build-web: ERROR: $*" >&2; exit 1; }

[ -x node_modules/.bin/wasm-opt ] || fail "node_modules/.bin/wasm-opt missing: run scripts/setup.sh (npm ci)"

# PIPELAB_WEB_PROFILE=dev: a quick unoptimised-LTO build for iterating on the page
# (dev profile, no wasm-opt). The default is the production build.
profile="${PIPELAB_WEB_PROFILE:-release}"
if [ "$profile" = dev ]; then
  cargo build --lib --target wasm32-unknown-unknown --quiet
  wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/debug/pipelab.wasm"
else
  cargo build --lib --release --target wasm32-unknown-unknown --quiet
  wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/pipelab.wasm"
fi
[ -f "$wasm" ] || fail "cargo did not produce $wasm"

rm -rf www/pkg
wasm-bindgen --target web --out-dir www/pkg "$wasm"

# wasm-opt from the npm binaryen package (never Debian's binaryen 108, which breaks the module).
out=www/pkg/pipelab_bg.wasm
[ "$profile" = dev ] || node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out" -o "$out.opt" || fail "wasm-opt failed"
[ "$profile" = dev ] || mv "$out.opt" "$out"

mkdir -p www/vendor
cp node_modules/chart.js/dist/chart.umd.min.js www/vendor/chart.umd.min.js

raw=$(stat -c %s "$out")
gz=$(gzip -9 -c "$out" | wc -c)
awk -v f="$out" -v r="$raw" -v g="$gz" \
  'BEGIN { printf "build-web: %s  raw %d bytes (%.1f KiB), gzip -9 %d bytes (%.1f KiB)\n", f, r, r / 1024, g, g / 1024 }'
