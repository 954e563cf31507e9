#!/usr/bin/env bash
# The benchmark of issue 7, in one command: builds the release CLI and the
# production web bundle, then runs bench/bench.mjs (native, headless Chromium,
# scikit-learn when available) and writes bench/out/results.md + results.json.
#
#   scripts/bench.sh            # full sizes, 5 reps
#   scripts/bench.sh --quick    # 1/20 sizes, 1 rep: checks the harness, measures nothing
#   scripts/bench.sh --reps 3 --only cv_logreg,hist_gb   # other options: see bench/bench.mjs
#
# Not part of scripts/test.sh. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

scripts/setup.sh
echo "bench: cargo build --release" >&2
cargo build --release --quiet
echo "bench: scripts/build-web.sh" >&2
scripts/build-web.sh
exec node bench/bench.mjs "$@"
