#!/usr/bin/env bash
# Runs every test level; exits non-zero if any fails.
#   0. style:   cargo fmt --check, eslint
#   1. native:  cargo test (unit + parity with the scikit-learn oracle), linted by clippy;
#               built first, run beside steps 2 and 3 (see "Two cores" below)
#   -  web build: the page's two wasm modules (scripts/build-web.sh) and the wasm suite's
#               build, linted by clippy; beside the native build
#   2. wasm:    wasm-pack test --headless --chrome (tests/wasm.rs, wasm-bindgen-test in Chromium)
#   3. e2e:     the built page served on 127.0.0.1, driven in headless Chromium by playwright-core
#   (fuzz:      scripts/fuzz.sh, only with PIPELAB_FUZZ_SECONDS=N; see below)
#
# Two cores, one compile of each dependency per profile (issue 12, CI within 15 minutes):
# - clippy is not a separate `cargo clippy` (a check build of every dependency, natively
#   and for wasm32): clippy-driver wraps rustc for this crate only
#   (RUSTC_WORKSPACE_WRAPPER) in the builds the tests need anyway, with -D warnings, so
#   `cargo test` lints the library, the CLI and every test target, and the wasm builds
#   lint the page's two feature sets (web-core, web-full);
# - the page is built with [profile.wasm-ci] (the production profile without fat LTO, in 4
#   codegen units: same code, results and features; the fat-LTO build ran on one core for
#   most of the budget), and the wasm suite with the same profile and features,
#   so it reuses the page build's dependencies and library;
# - the page build runs beside the native build (different profile directories, no shared
#   lock), and the native tests beside the wasm suite and e2e: each pair is CPU-bound, but
#   the native tests wait on Python and servers part of their time;
# - the test builds compile dependencies unoptimised except the hot numeric ones, and the
#   CI page build its dependencies at opt-level 1 (Cargo.toml, [profile.test], [profile.wasm-ci]);
# - the e2e files run two at a time (node --test --test-concurrency=2).
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

# A fresh tree (CI's clean clone) gains nothing from incremental compilation caches, which
# cost time to write: it builds without them (and so stays without them on later runs).
[ -d "$CARGO_TARGET_DIR/debug/incremental" ] || export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# Clippy inside the builds (above). CLIPPY_ARGS is how `cargo clippy -- -D warnings`
# hands its arguments to clippy-driver; the lints allowed on purpose are in Cargo.toml.
if [ -z "${PIPELAB_NO_CLIPPY:-}" ]; then
  export RUSTC_WORKSPACE_WRAPPER="${RUSTC_WORKSPACE_WRAPPER:-$(command -v clippy-driver || echo "$HOME/.cargo/bin/clippy-driver")}"
  export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
fi

# Style first, so a slip fails in seconds: formatting and the page's JS.
style() {
  cargo fmt --check || { echo "style: run 'cargo fmt'"; return 1; }
  node_modules/.bin/eslint www tests/e2e scripts bench || return 1
}
step style style

# The wasm suite's build: the page's profile and features (shares its dependencies and library).
# Both use [profile.wasm-ci] (Cargo.toml): the production profile without fat LTO, which ran
# on one core for most of CI's budget; serve.sh builds the production modules.
WASM_TEST_ARGS=(--test wasm --profile wasm-ci --no-default-features --features web-full)
# wasm-pack builds `cargo build --tests` plus these arguments, which includes the library's own
# unit-test harness for wasm32 (empty there: the `cfg` at the top of src/lib.rs; at opt-level 3
# it was 88 s on the serial path before e2e): the same command here, beside native, leaves
# wasm-pack nothing to compile.
web_build() {
  PIPELAB_WEB_PROFILE=ci scripts/build-web.sh || return 1
  CARGO_BUILD_TARGET=wasm32-unknown-unknown cargo build --quiet --tests "${WASM_TEST_ARGS[@]}"
}
# The log lives in the target directory (not /tmp, which tests and other tools clean).
mkdir -p "$CARGO_TARGET_DIR"
weblog="$CARGO_TARGET_DIR/web-build.log"
rm -f "$weblog" "$weblog.rc"
web_t0=$SECONDS
( web_build >"$weblog" 2>&1; echo $? >"$weblog.rc" ) &
webpid=$!
echo "=== web build: scripts/build-web.sh + the wasm suite's build (beside native; output below when it ends)"
# The native build first (`cargo test --no-run`: every test binary, and target/debug/pipelab,
# which e2e runs); its tests then run beside the wasm suite and e2e: all are CPU-bound, but the
# native tests wait on Python and servers part of their time (695 s in all from a clean clone,
# 719 s with the tests after the build; bench/HISTORY.md, "CI time").
step native-build cargo test --no-run --quiet
native_built=yes
[[ " ${failed[*]-} " == *" native-build "* ]] && native_built=no
nativelog="$CARGO_TARGET_DIR/native-tests.log"
rm -f "$nativelog" "$nativelog.rc"
native_t0=$SECONDS
if [ "$native_built" = yes ]; then
  ( cargo test >"$nativelog" 2>&1; echo "$? $((SECONDS - native_t0))" >"$nativelog.rc" ) &
  nativepid=$!
  echo "=== native: cargo test (beside wasm and e2e; output below when it ends)"
fi
wait "$webpid"
web_rc=$(cat "$weblog.rc" 2>/dev/null || echo "none (the build was killed)")
cat "$weblog"
if [ "$web_rc" = 0 ]; then
  echo "=== web build: ok ($((SECONDS - web_t0)) s, beside native)"
else
  echo "=== web build: FAILED ($((SECONDS - web_t0)) s, exit status $web_rc; log $weblog)"
  failed+=("web-build")
fi

if [ "$web_rc" = 0 ]; then
  step wasm wasm-pack test --headless --chrome --mode no-install -- "${WASM_TEST_ARGS[@]}"
fi

e2e() {
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
  PIPELAB_URL="$url" node --test --test-concurrency=2 tests/e2e/
  local rc=$?
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$log"
  return $rc
}
[ "$web_rc" = 0 ] && step e2e e2e

if [ "$native_built" = yes ]; then
  wait "$nativepid"
  read -r native_rc native_s <"$nativelog.rc" || native_rc="none (the run was killed)"
  cat "$nativelog"
  if [ "$native_rc" = 0 ]; then
    echo "=== native: ok (${native_s} s, beside wasm and e2e)"
  else
    echo "=== native: FAILED (${native_s:-?} s, exit status $native_rc; log $nativelog)"
    failed+=("native")
  fi
fi

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
