#!/usr/bin/env bash
# The CLI on a 1 GB CSV (issue 16 §5): every command on the same file, each under
# /usr/bin/time -v; prints one Markdown row per command (exit status, wall, CPU, peak
# RSS, and stderr's last line, which says why when a command refuses).
#
#   bench/bigfile_cli.sh [PIPELAB_BINARY] [WORK_DIR]
#
# The binary defaults to target/release/pipelab (cargo build --release; for a quicker
# build of the same optimisation level without the fat-LTO link:
#   CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo build --release).
# The file: `pipelab generate --task regression --rows 2500000 --cols 20 --seed 11`
# (about 1 GB; 20 numeric features x0..x19 and a numeric target y).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/release/pipelab}"
dir="${2:-${TMPDIR:-/tmp}/pipelab-bigfile}"
rows="${PIPELAB_BIG_ROWS:-2500000}"
mkdir -p "$dir"
data="$dir/big.csv"
[ -x "$bin" ] || { echo "bigfile_cli: $bin is not an executable (build it first)" >&2; exit 2; }
if [ ! -f "$data" ]; then
  "$bin" generate --task regression --rows "$rows" --cols 20 --seed 11 --out "$data" >&2
fi
bytes=$(stat -c %s "$data")

cat >"$dir/linreg.json" <<'EOF'
{"steps": [{"StandardScaler": {}}], "model": {"LinearRegression": {}}, "target": "y",
 "cv": {"KFold": {"n_splits": 5}}, "scoring": ["rmse", "r2"]}
EOF
cat >"$dir/search.json" <<'EOF'
{"steps": [{"StandardScaler": {}}], "model": {"Ridge": {}}, "target": "y",
 "cv": {"KFold": {"n_splits": 5}}, "scoring": ["rmse"],
 "search": {"GridSearchCV": {"param_grid": {"model__alpha": [0.1, 1, 10]}, "refit": true}}}
EOF

run() {
  local name=$1
  shift
  local err="$dir/$name.err"
  local rc=0
  /usr/bin/time -v "$@" >"$dir/$name.out" 2>"$err" || rc=$?
  local wall user sys rss last
  wall=$(grep 'Elapsed (wall clock)' "$err" | awk '{print $NF}')
  user=$(grep 'User time' "$err" | awk '{print $NF}')
  sys=$(grep 'System time' "$err" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$err" | awk '{printf "%.0f MB", $NF / 1024}')
  last=$( (grep -v -E '^\s+(Command being timed|User time|System time|Percent|Elapsed|Average|Maximum|Major|Minor|Voluntary|Involuntary|Swaps|File system|Socket|Signals|Page size|Exit status)' "$err" | grep -v -e '^\s*$' -e '^Command exited' | tail -1 || true) | cut -c1-160)
  echo "| $name | $rc | $wall | ${user} + ${sys} s | $rss | ${last//|/\\|} |"
}

echo "file: $data, $bytes bytes ($rows rows × 21 columns); binary: $bin"
echo
echo "| command | exit | wall | CPU (user + sys) | peak RSS | stderr's last line |"
echo "|---|---:|---:|---:|---:|---|"
run summary "$bin" summary --data "$data"
run profile "$bin" profile --data "$data"
run cv "$bin" cv --data "$data" --spec "$dir/linreg.json"
run cv-bounded "$bin" cv --data "$data" --spec "$dir/linreg.json" --max-memory 1G
run fit "$bin" fit --data "$data" --spec "$dir/linreg.json" --out "$dir/model.json" --no-cv
run search "$bin" search --data "$data" --spec "$dir/search.json" --out "$dir/search-model.json" --threads 2
run predict "$bin" predict --model "$dir/model.json" --data "$data" --out "$dir/pred.csv"
run drift "$bin" drift --model "$dir/model.json" --data "$data"
run retrain "$bin" retrain --model "$dir/model.json" --data "$data" --out "$dir/model2.json"
