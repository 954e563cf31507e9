#!/usr/bin/env bash
# Builds the page's WebAssembly module into www/pkg and copies the vendored
# JS libraries into www/vendor. Expects scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# getrandom 0.3's browser backend comes from its `wasm_js` feature (Cargo.toml); no
# RUSTFLAGS here, so the wasm test build in scripts/test.sh (same wasm-release profile,
# web-full features) reuses this build's dependencies and library.

fail() { echo "build-web: ERROR: $*" >&2; exit 1; }

# Two modules (Cargo features, see Cargo.toml): www/pkg/pipelab_core* (web-core: what
# load → profile → CV → fit → predict needs; fetched at page load) and www/pkg/pipelab_full*
# (web-full: every area; www/worker.js switches to it on first use). A service worker
# caches pipelab_core.js, pipelab_core_bg.wasm, pipelab_full.js and pipelab_full_bg.wasm.
#
# PIPELAB_WEB_PROFILE=dev: a quick unoptimised-LTO build for iterating on the page
# (dev profile, no wasm-opt). The default is the production build.
# PIPELAB_WEB_PROFILE=ci: the test command's build ([profile.wasm-ci]: no fat LTO, 16 codegen
# units; same code and features).
profile="${PIPELAB_WEB_PROFILE:-release}"
if [ "$profile" = dev ]; then
  cargo_profile=(); wasm_dir=debug
  # The dev build keeps function names (readable panics and profiles).
  strip_flags=()
elif [ "$profile" = ci ]; then
  cargo_profile=(--profile wasm-ci); wasm_dir=wasm-ci
  strip_flags=(--remove-name-section --remove-producers-section)
else
  # [profile.wasm-release] in Cargo.toml: release + fat LTO at opt-level 3
  # (measurements in ARCHITECTURE.md, "Bundle size and speed"). The production
  # modules have no name or producers section (wasm-opt below would drop them too).
  cargo_profile=(--profile wasm-release); wasm_dir=wasm-release
  strip_flags=(--remove-name-section --remove-producers-section)
fi
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$wasm_dir/pipelab.wasm"

rm -rf www/pkg
mkdir -p www/pkg
# wasm-opt (npm binaryen; never Debian's binaryen 108, which breaks the module) is
# off by default: on this module it shrinks the raw size but makes the gzip LARGER
# (-Oz: 625 → 730 KB gzip; -O3 on the old opt-level-3 build: -0.4 %), and it takes
# minutes. PIPELAB_WASM_OPT=-O3 (or -Oz, -Os, ...) runs it. See ARCHITECTURE.md,
# "Bundle size and speed".
wasm_opt="${PIPELAB_WASM_OPT:-none}"
for part in core full; do
  cargo build --lib "${cargo_profile[@]}" --target wasm32-unknown-unknown --quiet --no-default-features --features "web-$part"
  [ -f "$wasm" ] || fail "cargo did not produce $wasm"
  wasm-bindgen --target web "${strip_flags[@]}" --out-dir www/pkg --out-name "pipelab_$part" "$wasm"
  out="www/pkg/pipelab_${part}_bg.wasm"
  if [ "$profile" != dev ] && [ "$wasm_opt" != none ]; then
    [ -x node_modules/.bin/wasm-opt ] || fail "node_modules/.bin/wasm-opt missing: run scripts/setup.sh (npm ci)"
    node_modules/.bin/wasm-opt "$wasm_opt" --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$out" -o "$out.opt" || fail "wasm-opt failed"
    mv "$out.opt" "$out"
  fi
done

# The catalogue (palette, forms, explanations) as a file the worker fetches at start-up:
# only the full module carries the code and texts that build it.
node scripts/web-catalog.mjs || fail "web-catalog failed"

mkdir -p www/vendor
cp node_modules/chart.js/dist/chart.umd.min.js www/vendor/chart.umd.min.js
# idb (the run history's IndexedDB wrapper, www/runs_store.js): a plain ES module with no imports.
cp node_modules/idb/build/index.js www/vendor/idb.js
# sql.js (SQLite compiled to WebAssembly): the page's SQLite reader, loaded by
# www/sqlite_worker.js only when an SQLite file is dropped (issue 18).
cp node_modules/sql.js/dist/sql-wasm.js node_modules/sql.js/dist/sql-wasm.wasm www/vendor/

# The service worker's cache list and build hash (sw.js; a new build replaces the cache).
node scripts/web-manifest.mjs || fail "web-manifest failed"

for part in core full; do
  out="www/pkg/pipelab_${part}_bg.wasm"
  raw=$(stat -c %s "$out")
  gz=$(gzip -9 -c "$out" | wc -c)
  awk -v f="$out" -v r="$raw" -v g="$gz" \
    'BEGIN { printf "build-web: %s  raw %d bytes (%.1f KiB), gzip -9 %d bytes (%.1f KiB)\n", f, r, r / 1024, g, g / 1024 }'
done
echo "build-web: www/pkg/catalog.json  raw $(stat -c %s www/pkg/catalog.json) bytes, gzip -9 $(gzip -9 -c www/pkg/catalog.json | wc -c) bytes (fetched with the first module)"
