"""Data-format reading next to pyarrow and pandas (issue 18).

    python bench/formats_bench.py DATA.csv OUTDIR [REPS]

Writes DATA as Parquet (snappy, pyarrow's default row groups) and SQLite
(table `data`) into OUTDIR (reused when present), then times, in this process
after one warm-up: pyarrow.parquet.read_table, pandas.read_parquet (pyarrow
engine), pandas.read_sql("SELECT * FROM data"). Prints JSON lines
{task, median_ms, min_ms, reps}. The same files are timed natively with
`pipelab bench-task --task parse|convert --data FILE` (bench/README.md).
"""

import json
import os
import sqlite3
import statistics
import sys
import time

import pandas as pd
import pyarrow.parquet as pq


def timed(task, f, reps):
    f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"task": task, "median_ms": statistics.median(times), "min_ms": min(times), "reps": reps}))


def main():
    src, out = sys.argv[1], sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    os.makedirs(out, exist_ok=True)
    parquet = os.path.join(out, "data.snappy.parquet")
    db = os.path.join(out, "data.sqlite")
    if not os.path.exists(parquet) or not os.path.exists(db):
        df = pd.read_csv(src)
        df.to_parquet(parquet, index=False, compression="snappy")
        if os.path.exists(db):
            os.remove(db)
        con = sqlite3.connect(db)
        df.to_sql("data", con, index=False)
        con.close()
    timed("pyarrow read_table (parquet)", lambda: pq.read_table(parquet), reps)
    timed("pandas read_parquet", lambda: pd.read_parquet(parquet, engine="pyarrow"), reps)

    def read_sql():
        con = sqlite3.connect(db)
        pd.read_sql("SELECT * FROM data", con)
        con.close()

    timed("pandas read_sql (sqlite SELECT *)", read_sql, reps)


if __name__ == "__main__":
    main()
