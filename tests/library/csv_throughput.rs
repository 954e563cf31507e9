//! Parse throughput of a 100,000 × 20 numeric CSV. Not a timed assertion: run
//! it in release mode and read the printed figure:
//! `cargo test --release --test library csv_throughput -- --ignored --nocapture`

use pipelab::data::{read_csv, CsvChunkReader, ReadOptions};

fn numeric_csv(rows: usize, cols: usize) -> Vec<u8> {
    let mut s = String::with_capacity(rows * cols * 10);
    s.push_str(&(0..cols).map(|j| format!("x{j}")).collect::<Vec<_>>().join(","));
    s.push('\n');
    // A cheap deterministic generator (no clock, no OS randomness).
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..rows {
        for j in 0..cols {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let v = (state >> 11) as f64 / (1u64 << 53) as f64 * 200.0 - 100.0;
            if j > 0 {
                s.push(',');
            }
            s.push_str(&format!("{v:.6}"));
        }
        s.push('\n');
    }
    s.into_bytes()
}

/// CPU time of this thread in seconds (Linux `/proc/thread-self/schedstat`), so the
/// figure means something on a loaded machine; `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, Option<f64>) {
    let c0 = thread_cpu_seconds();
    let t = std::time::Instant::now();
    let out = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu = match (c0, thread_cpu_seconds()) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    (out, wall, cpu)
}

#[test]
#[ignore = "benchmark: run in release mode with --ignored --nocapture"]
fn parse_throughput_100k_by_20() {
    let bytes = numeric_csv(100_000, 20);
    let mb = bytes.len() as f64 / 1e6;
    let opts = ReadOptions::default();
    let (mut wall, mut cpu) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..5 {
        let (table, w, c) = timed(|| read_csv(&bytes, &opts).unwrap().0);
        assert_eq!((table.n_rows, table.n_cols()), (100_000, 20));
        wall = wall.min(w);
        cpu = cpu.min(c.unwrap_or(w));
    }
    let (mut wall_c, mut cpu_c) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..5 {
        let (table, w, c) = timed(|| {
            let mut r = CsvChunkReader::with_capacity(opts.clone(), bytes.len()).unwrap();
            for c in bytes.chunks(1 << 20) {
                r.feed(c).unwrap();
            }
            r.finish().unwrap().0
        });
        assert_eq!(table.n_rows, 100_000);
        wall_c = wall_c.min(w);
        cpu_c = cpu_c.min(c.unwrap_or(w));
    }
    eprintln!(
        "100000x20 numeric CSV, {mb:.1} MB: read_csv {:.0} MB/s CPU time ({:.0} MB/s wall); CsvChunkReader (1 MiB chunks, with_capacity) {:.0} MB/s CPU ({:.0} MB/s wall)",
        mb / cpu,
        mb / wall,
        mb / cpu_c,
        mb / wall_c
    );
}

/// The generator is what the benchmark claims: 100,000 rows of 20 numeric columns.
#[test]
fn generator_shape() {
    let (t, _) = read_csv(&numeric_csv(50, 20), &ReadOptions::default()).unwrap();
    assert_eq!((t.n_rows, t.n_cols()), (50, 20));
    assert!(t.columns.iter().all(|c| c.data.column_type() == pipelab::data::ColumnType::Numeric));
}
