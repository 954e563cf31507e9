//! Parse throughput of a 100,000 × 20 numeric CSV. Not a timed assertion: run
//! it in release mode and read the printed figure:
//! `cargo test --release --test csv_throughput -- --ignored --nocapture`

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

#[test]
#[ignore = "benchmark: run in release mode with --ignored --nocapture"]
fn parse_throughput_100k_by_20() {
    let bytes = numeric_csv(100_000, 20);
    let mb = bytes.len() as f64 / 1e6;
    let opts = ReadOptions::default();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let (table, _) = read_csv(&bytes, &opts).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!((table.n_rows, table.n_cols()), (100_000, 20));
    }
    let mut best_chunked = f64::INFINITY;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let mut r = CsvChunkReader::new(opts.clone());
        for c in bytes.chunks(1 << 20) {
            r.feed(c).unwrap();
        }
        let (table, _) = r.finish().unwrap();
        best_chunked = best_chunked.min(t.elapsed().as_secs_f64());
        assert_eq!(table.n_rows, 100_000);
    }
    eprintln!(
        "100000x20 numeric CSV, {mb:.1} MB: read_csv {:.1} ms = {:.0} MB/s; CsvChunkReader (1 MiB chunks) {:.1} ms = {:.0} MB/s",
        best * 1e3,
        mb / best,
        best_chunked * 1e3,
        mb / best_chunked
    );
}

/// The generator is what the benchmark claims: 100,000 rows of 20 numeric columns.
#[test]
fn generator_shape() {
    let (t, _) = read_csv(&numeric_csv(50, 20), &ReadOptions::default()).unwrap();
    assert_eq!((t.n_rows, t.n_cols()), (50, 20));
    assert!(t.columns.iter().all(|c| c.data.column_type() == pipelab::data::ColumnType::Numeric));
}
