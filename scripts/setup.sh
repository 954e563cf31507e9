#!/usr/bin/env bash
# Installs what the web build and the tests need, idempotently, on a fresh
# Debian machine. Quiet when everything is already there; says what failed
# otherwise. Nothing here downloads a browser or a prebuilt binary: Rust tools
# come from crates.io (cargo install), Chromium from Debian, npm packages from
# the committed package-lock.json (wasm-opt comes from the npm `binaryen`
# package; Debian's binaryen 108 breaks the module, so it is never used).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "setup: $*" >&2; }
fail() { echo "setup: ERROR: $*" >&2; exit 1; }
# Runs a command quietly; on failure prints its output and stops.
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    echo "$out" | tail -40 >&2
    fail "'$*' failed"
  fi
}

export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || fail "cargo not found: install Rust (rustup) first"
command -v node >/dev/null || fail "node not found: apt-get install -y nodejs npm"
command -v npm >/dev/null || fail "npm not found: apt-get install -y npm"

# 1. The wasm target.
if command -v rustup >/dev/null; then
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    quiet rustup target add wasm32-unknown-unknown
  fi
fi

# 1b. rustfmt and clippy (the test command's style step).
if command -v rustup >/dev/null; then
  for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || quiet rustup component add "$c"
  done
fi

# 2-3. wasm-bindgen-cli (at exactly the version in Cargo.lock: the CLI and the library must
#    match, or the generated glue is rejected) and wasm-pack (runs the wasm-bindgen-test suite
#    in headless Chromium). Both compile from crates.io, side by side and in the background
#    while the Debian, npm and Python steps below wait on the network; a fresh machine (CI)
#    pays for them on every run, so they build at a low opt-level: wasm-pack only drives cargo,
#    and wasm-bindgen at opt-level 1 still processes the page's modules in about a second.
tool_pids=()
tool_logs=()
install_tool() { # name log opt-level cargo-install-args...
  local name=$1 tlog=$2 opt=$3
  shift 3
  (
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt CARGO_PROFILE_RELEASE_DEBUG=false CARGO_INCREMENTAL=0
    cargo install "$@" --locked --force >"$tlog" 2>&1 || cargo install "$@" --force >>"$tlog" 2>&1
  ) &
  tool_pids+=($!)
  tool_logs+=("$name:$tlog")
}
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
[ -n "$want" ] || fail "cannot find the wasm-bindgen version in Cargo.lock"
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
have_runner=$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ] || [ "$have_runner" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (found '${have:-none}') in the background; this compiles for a few minutes"
  install_tool wasm-bindgen-cli /tmp/pipelab-setup-wbg.log 1 wasm-bindgen-cli --version "$want"
fi
if ! command -v wasm-pack >/dev/null; then
  log "installing wasm-pack in the background; this compiles for a few minutes"
  install_tool wasm-pack /tmp/pipelab-setup-wpack.log 0 wasm-pack
fi

# 4. Chromium and its driver, from Debian.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  [ "$(id -u)" = 0 ] && SUDO="" || SUDO="sudo"
  log "installing chromium and chromium-driver from Debian"
  quiet $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive quiet $SUDO apt-get install -y chromium chromium-driver
fi

# 4b. The `openssl` command: tests/interop/https_cli.rs makes its CA and server certificate with it.
if ! command -v openssl >/dev/null; then
  [ "$(id -u)" = 0 ] && SUDO="" || SUDO="sudo"
  log "installing openssl from Debian"
  quiet $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive quiet $SUDO apt-get install -y openssl
fi

# 5. npm packages from the lock file, when node_modules is missing or older than the lock.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -x node_modules/.bin/wasm-opt ]; then
  log "installing npm packages (npm ci)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 quiet npm ci --no-audit --no-fund
fi

# 6. The Python venv for interoperability checks only (the product never needs
#    Python): scikit-learn runs the exported scripts, onnxruntime cross-checks the
#    ONNX export, `mlflow server` receives the tracking tests' runs. Pinned in
#    scripts/interop-requirements.txt; kept outside the clone so every clone on
#    this machine (and CI's) shares it; rebuilt when the requirements change.
#    PIPELAB_NO_PYTHON=1 skips it (the interop tests then fail, saying why).
venv="${PIPELAB_VENV:-$HOME/.cache/pipelab/venv-interop}"
req=scripts/interop-requirements.txt
if [ -z "${PIPELAB_NO_PYTHON:-}" ] && ! cmp -s "$req" "$venv/.requirements" 2>/dev/null; then
  py=$(command -v python3 || true)
  [ -n "$py" ] || { [ "$(id -u)" = 0 ] && SUDO="" || SUDO="sudo"; quiet $SUDO apt-get update; DEBIAN_FRONTEND=noninteractive quiet $SUDO apt-get install -y python3 python3-venv; py=$(command -v python3); }
  log "creating the interop Python venv at $venv (pip install -r $req); a few minutes the first time"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  quiet "$py" -m venv "$venv"
  quiet "$venv/bin/pip" install -q --upgrade pip
  quiet "$venv/bin/pip" install -q -r "$req"
  cp "$req" "$venv/.requirements"
fi

# The background installs of step 2-3.
for i in "${!tool_pids[@]}"; do
  name=${tool_logs[$i]%%:*}
  tlog=${tool_logs[$i]#*:}
  wait "${tool_pids[$i]}" || { tail -40 "$tlog" >&2; fail "cargo install $name failed (log $tlog)"; }
done
exit 0
