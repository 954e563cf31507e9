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

# 2. wasm-bindgen-cli at exactly the version in Cargo.lock (the CLI and the
#    library must match, or the generated glue is rejected).
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
[ -n "$want" ] || fail "cannot find the wasm-bindgen version in Cargo.lock"
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
have_runner=$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ] || [ "$have_runner" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (found '${have:-none}'); this compiles for a few minutes"
  if ! cargo install wasm-bindgen-cli --version "$want" --locked --force >/tmp/pipelab-setup-wbg.log 2>&1; then
    cargo install wasm-bindgen-cli --version "$want" --force >>/tmp/pipelab-setup-wbg.log 2>&1 \
      || { tail -40 /tmp/pipelab-setup-wbg.log >&2; fail "cargo install wasm-bindgen-cli $want failed (log /tmp/pipelab-setup-wbg.log)"; }
  fi
fi

# 3. wasm-pack (runs the wasm-bindgen-test suite in headless Chromium).
if ! command -v wasm-pack >/dev/null; then
  log "installing wasm-pack; this compiles for a few minutes"
  cargo install wasm-pack --locked >/tmp/pipelab-setup-wpack.log 2>&1 \
    || { tail -40 /tmp/pipelab-setup-wpack.log >&2; fail "cargo install wasm-pack failed (log /tmp/pipelab-setup-wpack.log)"; }
fi

# 4. Chromium and its driver, from Debian.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  [ "$(id -u)" = 0 ] && SUDO="" || SUDO="sudo"
  log "installing chromium and chromium-driver from Debian"
  quiet $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive quiet $SUDO apt-get install -y chromium chromium-driver
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
exit 0
