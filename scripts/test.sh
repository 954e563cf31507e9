#!/usr/bin/env bash
# Runs every test level; exits non-zero if any fails.
#   0. style:   cargo fmt --check, eslint, cargo clippy -D warnings (native and wasm32)
#   1. native:  cargo test (unit + parity with the scikit-learn oracle)
#   2. wasm:    wasm-pack test --headless --chrome (tests/wasm.rs, wasm-bindgen-test in Chromium)
#   3. e2e:     the built page served on 127.0.0.1, driven in headless Chromium by playwright-core
#   (fuzz:      scripts/fuzz.sh, only with PIPELAB_FUZZ_SECONDS=N; see below)
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# wasm-pack's Chrome runner finds Debian's chromedriver and chromium here.
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || echo /usr/bin/chromedriver)}"

scripts/setup.sh || exit 1
# The interop venv scripts/setup.sh made (scikit-learn, onnxruntime, mlflow): tests
# that check an export against the real consumer run its python.
export PIPELAB_PYTHON="${PIPELAB_PYTHON:-${PIPELAB_VENV:-$HOME/.cache/pipelab/venv-interop}/bin/python}"

failed=()
step() {
  local name=$1
  shift
  echo "=== $name: $*"
  local t0=$SECONDS
  if "$@"; then
    echo "=== $name: ok ($((SECONDS - t0)) s)"
  else
    echo "=== $name: FAILED ($((SECONDS - t0)) s)"
    failed+=("$name")
  fi
}

# Style first, so a slip fails in seconds: formatting, lints (native and wasm32), the page's JS.
style() {
  cargo fmt --check || { echo "style: run 'cargo fmt'"; return 1; }
  node_modules/.bin/eslint www tests/e2e scripts bench || return 1
  cargo clippy --quiet --all-targets -- -D warnings || return 1
  cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings || return 1
}
step style style
step native cargo test
step wasm wasm-pack test --headless --chrome --mode no-install -- --test wasm

e2e() {
  scripts/build-web.sh || return 1
  local log
  log=$(mktemp)
  node scripts/serve.mjs --port 0 >"$log" 2>&1 &
  local pid=$!
  local url=""
  for _ in $(seq 100); do
    url=$(grep -o 'http://[^ ]*' "$log" | head -1)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    cat "$log" >&2
    kill "$pid" 2>/dev/null
    return 1
  fi
  PIPELAB_URL="$url" node --test tests/e2e/
  local rc=$?
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$log"
  return $rc
}
step e2e e2e

# The coverage-guided fuzzer (scripts/fuzz.sh, nightly) is not a step: its cold
# build took 5 of CI's 20 minutes. Its property runs in `cargo test` on seeded
# mutations (tests/library/csv_mutations.rs); PIPELAB_FUZZ_SECONDS=N adds a fuzz run here.
if [ -n "${PIPELAB_FUZZ_SECONDS:-}" ]; then
  step fuzz scripts/fuzz.sh "$PIPELAB_FUZZ_SECONDS"
fi

if [ ${#failed[@]} -eq 0 ]; then
  echo "all test levels passed (native, wasm, e2e); screenshots: test-results/"
  exit 0
fi
echo "FAILED: ${failed[*]}"
exit 1
