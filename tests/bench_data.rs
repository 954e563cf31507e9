//! The benchmark's data generator: deterministic bytes, and CSV that reads
//! back with the asked shape and the exact numbers that were written.

use pipelab::bench_data::{generate, GenParams, GenTask};
use pipelab::data::{read_csv, ColumnData, ReadOptions};

fn gen(task: GenTask, rows: usize, cols: usize, seed: u64, classes: usize) -> Vec<u8> {
    let mut out = Vec::new();
    generate(&GenParams { task, rows, cols, seed, classes }, &mut out).expect("generate");
    out
}

fn numeric(data: &ColumnData) -> &[f64] {
    match data {
        // A 0/1 label column is inferred as boolean; its values are still 0.0 / 1.0.
        ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => v,
        other => panic!("expected a numeric column, got {:?}", other.column_type()),
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    for task in [GenTask::Classification, GenTask::Regression, GenTask::Blobs] {
        let a = gen(task, 500, 7, 42, 3);
        let b = gen(task, 500, 7, 42, 3);
        assert_eq!(a, b, "{task:?}: same seed gave different bytes");
        let c = gen(task, 500, 7, 43, 3);
        assert_ne!(a, c, "{task:?}: a different seed gave the same bytes");
    }
}

#[test]
fn csv_parses_back_with_the_right_shape_and_values() {
    for (task, classes) in [(GenTask::Classification, 2), (GenTask::Classification, 4), (GenTask::Regression, 2), (GenTask::Blobs, 8)] {
        let bytes = gen(task, 1000, 6, 7, classes);
        let (t, report) = read_csv(&bytes, &ReadOptions::default()).expect("read back");
        assert_eq!(report.delimiter, ",");
        assert_eq!((t.n_rows, t.n_cols()), (1000, 7), "{task:?}");
        assert_eq!(t.names(), vec!["x0", "x1", "x2", "x3", "x4", "x5", "y"]);
        // Every value round-trips: re-format the parsed numbers and compare with the text.
        let text = String::from_utf8(bytes).expect("utf-8");
        let first_row: Vec<&str> = text.lines().nth(1).expect("a data row").split(',').collect();
        for (j, cell) in first_row.iter().enumerate() {
            let parsed = numeric(&t.columns[j].data)[0];
            assert_eq!(parsed.to_bits(), cell.parse::<f64>().expect("a number").to_bits(), "{task:?} column {j}");
        }
        let y = numeric(&t.column("y").expect("y").data);
        match task {
            GenTask::Regression => {
                assert!(y.iter().any(|v| v.fract() != 0.0), "regression target should be continuous");
            }
            _ => {
                let mut seen = vec![0usize; classes];
                for &v in y {
                    assert!(v >= 0.0 && v < classes as f64 && v.fract() == 0.0, "{task:?}: label {v}");
                    seen[v as usize] += 1;
                }
                assert!(seen.iter().all(|&n| n > 0), "{task:?}: some class is empty: {seen:?}");
            }
        }
    }
}

#[test]
fn bad_arguments_are_errors_not_panics() {
    let mut out = Vec::new();
    assert!(generate(&GenParams { task: GenTask::Regression, rows: 0, cols: 3, seed: 0, classes: 2 }, &mut out).is_err());
    assert!(generate(&GenParams { task: GenTask::Blobs, rows: 10, cols: 3, seed: 0, classes: 1 }, &mut out).is_err());
    assert!(GenTask::parse("images").is_err());
}
