#!/usr/bin/env bash
# Deploy benchmark (not a test; figures go to bench/README.md "Deploy"):
#  1. `pipelab serve`: requests/s and p50/p99 latency for 1-row and 1,000-row
#     requests at 1, 8 and 64 concurrent keep-alive clients (examples/serve_load.rs),
#     with the titanic_like pipeline of SPEC.md (ColumnTransformer, imputers,
#     one-hot, polynomial features, logistic regression).
#     With --mlflow: the same requests to `mlflow models serve` (2 uvicorn workers, the
#     interop venv) serving the scikit-learn twin of that pipeline (bench/mlflow_model.py).
#  2. `pipelab predict` streaming a ~1 GB generated CSV: MB/s and peak RSS (/usr/bin/time -v).
# Usage: bench/serve_bench.sh [--no-serve] [--no-stream] [--mlflow] [--stream-rows N]
# Writes bench/out/serve/*.json and prints a markdown table. Only 127.0.0.1; temp files in /tmp, deleted.
set -euo pipefail
cd "$(dirname "$0")/.."

do_serve=1; do_stream=1; do_mlflow=0; stream_rows=2600000
PY="${PIPELAB_PYTHON:-$HOME/.cache/pipelab/venv-interop/bin/python}"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-serve) do_serve=0 ;;
    --no-stream) do_stream=0 ;;
    --mlflow) do_mlflow=1 ;;
    --stream-rows) stream_rows="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

cargo build --release --bin pipelab --example serve_load
BIN=target/release/pipelab
LOAD=target/release/examples/serve_load
OUT=bench/out/serve
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/pipelab-serve-bench.XXXXXX)
SERVER_PID=""
MLFLOW_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$MLFLOW_PID" ]; then kill -TERM -- "-$MLFLOW_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The SPEC.md example pipeline, fitted on titanic_like.
sed -n '/^```json/,/^```/p' SPEC.md | sed -n '2,/^```/p' | sed '$d' > "$WORK/spec.json"
"$BIN" fit --data www/datasets/titanic_like.csv --spec "$WORK/spec.json" --out "$WORK/model.json" --no-cv > /dev/null

if [ "$do_serve" = 1 ]; then
  python3 - "$WORK" <<'EOF'
import csv, json, sys
work = sys.argv[1]
rows = list(csv.reader(open("www/datasets/titanic_like.csv", newline="")))
header, data = rows[0], rows[1:]
numeric = {"passenger_id", "pclass", "age", "sibsp", "parch", "fare", "survived"}
def cell(h, c):
    if c == "":
        return None
    if h == "has_cabin":
        return c == "True"
    return float(c) if h in numeric else c
def body(n):
    picked = [data[i % len(data)] for i in range(n)]
    return {"dataframe_split": {"columns": header, "data": [[cell(h, c) for h, c in zip(header, r)] for r in picked]}}
for n in (1, 1000):
    json.dump(body(n), open(f"{work}/body_{n}.json", "w"))
EOF
  # $1 = server name, $2 = address, $3 = requests divisor (the slower server gets fewer requests)
  run_load() {
    for rows in 1 1000; do
      for clients in 1 8 64; do
        if [ "$rows" = 1 ]; then n=$((clients * 200 > 4000 ? clients * 200 : 4000)); else n=$((clients * 10 > 400 ? clients * 10 : 400)); fi
        n=$((n / $3)); [ "$n" -ge "$clients" ] || n=$clients
        r=$("$LOAD" --addr "$2" --body "$WORK/body_$rows.json" --clients "$clients" --requests "$n" --warmup 3)
        echo "$r" > "$OUT/${1}_${rows}rows_${clients}clients.json"
        python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(f\"| $1 | {$rows:,} | {r['clients']} | {r['requests']} | {r['errors']} | {r['rps']:,.0f} | {r['rps']*$rows:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |\")" "$r"
      done
    done
  }
  "$BIN" serve --model "$WORK/model.json" --port 0 > "$WORK/serve.out" 2> "$WORK/serve.log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do grep -q 'listening on' "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  ADDR=$(sed -n 's#.*listening on http://##p' "$WORK/serve.out")
  echo "| server | rows/request | clients | requests | errors | requests/s | rows/s | p50 ms | p99 ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  run_load pipelab "$ADDR" 1
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=""
  echo "pipelab log: $(grep -c 'POST /invocations 200' "$WORK/serve.log") answered 200, $(grep -c 'POST /invocations [45]' "$WORK/serve.log" || true) errors"
  if [ "$do_mlflow" = 1 ]; then
    "$PY" bench/mlflow_model.py "$WORK/mlmodel" > /dev/null
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    PATH="$(dirname "$PY"):$PATH" setsid mlflow models serve -m "$WORK/mlmodel" --env-manager local -h 127.0.0.1 -p "$port" -w 2 > "$WORK/mlflow.log" 2>&1 &
    MLFLOW_PID=$!
    for _ in $(seq 1 300); do curl -sf "127.0.0.1:$port/ping" > /dev/null 2>&1 && break; sleep 1; done
    run_load mlflow "127.0.0.1:$port" 4
    kill -TERM -- "-$MLFLOW_PID" 2>/dev/null || true; MLFLOW_PID=""
  fi
fi

if [ "$do_stream" = 1 ]; then
  "$BIN" generate --task classification --rows 20000 --cols 20 --seed 5 --out "$WORK/train.csv"
  echo '{"target": "y", "steps": [{"StandardScaler": {}}], "model": {"LogisticRegression": {}}}' > "$WORK/gen_spec.json"
  "$BIN" fit --data "$WORK/train.csv" --spec "$WORK/gen_spec.json" --out "$WORK/gen_model.json" --no-cv > /dev/null
  "$BIN" generate --task classification --rows "$stream_rows" --cols 20 --seed 6 --out "$WORK/big.csv"
  bytes=$(stat -c %s "$WORK/big.csv")
  /usr/bin/time -v "$BIN" predict --model "$WORK/gen_model.json" --data "$WORK/big.csv" --out "$WORK/pred.csv" 2> "$WORK/time.txt"
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
  cpu_user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
  cpu_sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
  out_bytes=$(stat -c %s "$WORK/pred.csv")
  lines=$(wc -l < "$WORK/pred.csv")
  python3 - "$bytes" "$wall" "$rss" "$cpu_user" "$cpu_sys" "$out_bytes" "$lines" "$stream_rows" <<'EOF' | tee "$OUT/stream.json"
import json, sys
b, wall, rss, u, s, ob, lines, rows = sys.argv[1:]
parts = [float(p) for p in wall.split(":")]
secs = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
print(json.dumps({"input_bytes": int(b), "rows": int(rows), "output_bytes": int(ob), "output_lines": int(lines),
                  "wall_s": secs, "user_s": float(u), "sys_s": float(s), "MB_per_s": int(b) / 1e6 / secs,
                  "peak_rss_MB": int(rss) / 1024}))
EOF
  rm -f "$WORK/big.csv" "$WORK/pred.csv"
fi
