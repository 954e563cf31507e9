//! Benchmark support: deterministic synthetic data sets (`pipelab generate`)
//! and in-process timing of one core operation (`pipelab bench-task`).
//!
//! The data is written as CSV so that every peer of the benchmark (the native
//! CLI, the page's wasm build, scikit-learn) reads the very same bytes. Every
//! number is written with Rust's shortest round-trip formatting, so parsing the
//! file gives back bit-identical `f64`s.
//!
//! Generators (all drawn from one `ChaCha8Rng` seeded with `seed`, in a fixed
//! order, so the same arguments always give the same bytes):
//! - `classification`: features `x_j = m_j + s_j z_j` with `z ~ N(0, 1)`; the
//!   label is the argmax over `classes` linear scores `w_k · z + noise`
//!   (for two classes: the sign of one linear score plus noise).
//! - `regression`: `y = w · z + 0.5 · noise`, features as above.
//! - `blobs`: `classes` gaussian clusters (centres uniform in [-10, 10]^P,
//!   standard deviation 1, as scikit-learn's `make_blobs`); `y` is the cluster.
//!
//! The last column is always `y`; features are `x0 .. x{P-1}`.

use std::io::Write;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use pipelab::data::Table;
use pipelab::estimator::FitContext;
use pipelab::frame::Frame;
use pipelab::pipeline::{self, PipelineSpec};
use pipelab::selection::cv::CvHooks;
use pipelab::{Error, Result};

/// What kind of data set [`generate`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenTask {
    Classification,
    Regression,
    Blobs,
}

impl GenTask {
    pub fn parse(s: &str) -> Result<GenTask> {
        match s {
            "classification" => Ok(GenTask::Classification),
            "regression" => Ok(GenTask::Regression),
            "blobs" => Ok(GenTask::Blobs),
            other => Err(Error::spec("--task", format!("unknown data task {other:?}; use classification, regression or blobs"))),
        }
    }
}

/// Arguments of [`generate`].
#[derive(Debug, Clone, PartialEq)]
pub struct GenParams {
    pub task: GenTask,
    pub rows: usize,
    pub cols: usize,
    pub seed: u64,
    /// Classes (classification) or clusters (blobs); ignored for regression.
    pub classes: usize,
}

/// A standard normal draw (Box–Muller; one of the pair is used so the draw
/// count per value is fixed).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // u1 in (0, 1]: 1 - [0, 1) never hits 0, so ln is finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Writes the data set as CSV (header `x0,..,x{P-1},y`, `\n` line ends) to `out`.
pub fn generate<W: Write>(p: &GenParams, out: W) -> Result<()> {
    if p.rows == 0 {
        return Err(Error::param("generate", "rows", "must be at least 1"));
    }
    if p.cols == 0 {
        return Err(Error::param("generate", "cols", "must be at least 1"));
    }
    if p.task != GenTask::Regression && p.classes < 2 {
        return Err(Error::param("generate", "classes", "must be at least 2"));
    }
    let io = |e: std::io::Error| Error::data(format!("cannot write the generated data: {e}"));
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let pcols = p.cols;
    let k = if p.task == GenTask::Regression { 1 } else { p.classes };

    // Model of the data, drawn first.
    let offsets: Vec<f64> = (0..pcols).map(|_| rng.random_range(-5.0..5.0)).collect();
    let scales: Vec<f64> = (0..pcols).map(|_| rng.random_range(0.5..3.0)).collect();
    let n_scores = if p.task == GenTask::Classification && k == 2 { 1 } else { k };
    let weights: Vec<f64> = (0..n_scores * pcols).map(|_| normal(&mut rng)).collect();
    let centres: Vec<f64> = (0..k * pcols).map(|_| rng.random_range(-10.0..10.0)).collect();

    let header: Vec<String> = (0..pcols).map(|j| format!("x{j}")).chain(std::iter::once("y".to_string())).collect();
    writeln!(w, "{}", header.join(",")).map_err(io)?;

    let mut z = vec![0.0; pcols];
    let mut line = String::with_capacity(pcols * 24);
    use std::fmt::Write as _;
    for _ in 0..p.rows {
        line.clear();
        let label = match p.task {
            GenTask::Blobs => {
                let c = rng.random_range(0..k);
                for (j, zj) in z.iter_mut().enumerate() {
                    *zj = centres[c * pcols + j] + normal(&mut rng);
                }
                c as f64
            }
            _ => {
                for zj in z.iter_mut() {
                    *zj = normal(&mut rng);
                }
                let score = |s: usize| -> f64 { weights[s * pcols..(s + 1) * pcols].iter().zip(&z).map(|(a, b)| a * b).sum::<f64>() };
                match p.task {
                    GenTask::Regression => score(0) + 0.5 * normal(&mut rng),
                    _ if n_scores == 1 => f64::from(score(0) + normal(&mut rng) > 0.0),
                    _ => {
                        let mut best = (0usize, f64::NEG_INFINITY);
                        for s in 0..n_scores {
                            let v = score(s) + normal(&mut rng);
                            if v > best.1 {
                                best = (s, v);
                            }
                        }
                        best.0 as f64
                    }
                }
            }
        };
        for j in 0..pcols {
            let x = match p.task {
                GenTask::Blobs => z[j],
                _ => offsets[j] + scales[j] * z[j],
            };
            // `{}` on f64 is the shortest text that parses back to the same bits.
            let _ = write!(line, "{x},");
        }
        match p.task {
            GenTask::Regression => {
                let _ = writeln!(line, "{label}");
            }
            _ => {
                let _ = writeln!(line, "{}", label as u64);
            }
        }
        w.write_all(line.as_bytes()).map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(())
}

/// The operation [`bench_task`] times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchOp {
    /// Data bytes → typed table (the bytes are read from disk once, before timing):
    /// `api::load_data`, so a Parquet / SQLite / Excel / JSON file is timed the same way.
    Parse,
    /// A non-CSV file → CSV text + types only (`api::convert`), the first half of its `parse`.
    Convert,
    /// `cross_validate` of the spec (its splitter; default 5 folds).
    Cv,
    /// `fit_all` of the spec.
    Fit,
    /// `fit_all` then `predict` on the same table.
    FitPredict,
    /// `fit_transform` of the spec's top-level steps only (its model is ignored).
    Transform,
}

impl BenchOp {
    pub fn parse(s: &str) -> Result<BenchOp> {
        match s {
            "parse" => Ok(BenchOp::Parse),
            "convert" => Ok(BenchOp::Convert),
            "cv" => Ok(BenchOp::Cv),
            "fit" => Ok(BenchOp::Fit),
            "fit_predict" => Ok(BenchOp::FitPredict),
            "transform" => Ok(BenchOp::Transform),
            other => Err(Error::spec("--task", format!("unknown benchmark task {other:?}; use parse, convert, cv, fit, fit_predict or transform"))),
        }
    }
}

/// Timings of one benchmark task, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub reps: usize,
    /// Every timed repetition, in order.
    pub times_ms: Vec<f64>,
    /// The process's peak resident set (VmHWM), when the OS reports it.
    pub peak_rss_kb: Option<u64>,
}

/// The process's peak resident set size in KiB (Linux `/proc/self/status` VmHWM).
pub fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The median of `v` (mean of the middle two for an even count); `v` must not be empty.
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    pipelab::sorting::sort_f64(&mut s);
    let n = s.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

/// Fits the spec's top-level steps on every usable row and returns the
/// transformed matrix (the model is not fitted). A `preprocess` block is not supported here.
pub fn fit_transform_steps(table: &Table, spec: &PipelineSpec) -> Result<ndarray::Array2<f64>> {
    if spec.preprocess.is_some() {
        return Err(Error::spec("preprocess", "the transform benchmark times top-level steps only; move them to steps"));
    }
    let (last, before) = spec.steps.split_last().ok_or_else(|| Error::spec("steps", "the transform benchmark needs at least one step"))?;
    let prep = pipeline::prepare(table, spec)?;
    let ctx = FitContext::new(spec.seed());
    let sub = if prep.rows.len() == table.n_rows { None } else { Some(table.select_rows(&prep.rows)) };
    let mut frame = Frame::from_table(sub.as_ref().unwrap_or(table), &prep.feature_cols);
    let mut y = prep.target.as_ref().map(|t| t.select(&prep.rows));
    for s in before {
        let (_, out, keep) = s.fit_transform(&frame, y.as_ref(), &ctx)?;
        if let Some(keep) = keep {
            y = y.map(|t| t.select(&keep));
        }
        frame = out;
    }
    // The last step's result row-major, as scikit-learn's `fit_transform` returns it: fitted,
    // then `transform_matrix` (the same values and errors as `transform` + `to_matrix`; the
    // decompositions write it in their projection's pass) when its fit_transform is its transform.
    if last.fit_transform_is_transform() {
        return last.fit(&frame, y.as_ref(), &ctx)?.transform_matrix(&frame);
    }
    last.fit_transform(&frame, y.as_ref(), &ctx)?.1.to_matrix()
}

/// Times `op` in-process: the data is parsed once (except for `parse`, which
/// times exactly that), one untimed warm-up run, then `reps` timed runs.
/// `threads`: what `cv` and `fit` may use (1 = the sequential path; the suite's `"jobs": -1` tasks give every core).
pub fn bench_task(op: BenchOp, data: &[u8], spec_json: &str, reps: usize, threads: usize) -> Result<BenchResult> {
    let reps = reps.max(1);
    let only_read = matches!(op, BenchOp::Parse | BenchOp::Convert);
    let source = pipelab::api::SourceOptions::default();
    let load = || pipelab::api::load_data(data, "", &source, "");
    let spec = if only_read { None } else { Some(PipelineSpec::from_json(spec_json)?) };
    let table = if only_read { None } else { Some(load()?.0) };
    let run = || -> Result<()> {
        match (op, &table, &spec) {
            (BenchOp::Parse, _, _) => {
                std::hint::black_box(load()?);
            }
            (BenchOp::Convert, _, _) => {
                std::hint::black_box(pipelab::api::convert(data, "", &source)?);
            }
            (BenchOp::Cv, Some(t), Some(s)) => {
                let now = || 0.0;
                std::hint::black_box(pipelab::selection::cv::cross_validate(t, s, CvHooks { threads, now_ms: &now, progress: &mut |_, _| true, stop: None })?);
            }
            (BenchOp::Fit, Some(t), Some(s)) => {
                std::hint::black_box(pipeline::fit_all_with(t, s, threads)?);
            }
            (BenchOp::FitPredict, Some(t), Some(s)) => {
                let fitted = pipeline::fit_all(t, s)?;
                std::hint::black_box(fitted.predict(t)?);
            }
            (BenchOp::Transform, Some(t), Some(s)) => {
                std::hint::black_box(fit_transform_steps(t, s)?);
            }
            // Unreachable: table and spec are Some for every op but Parse (set above).
            _ => return Err(Error::data("internal: benchmark state missing")),
        }
        Ok(())
    };
    run()?; // warm-up
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t0 = Instant::now();
        run()?;
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    let min = times.iter().copied().fold(f64::INFINITY, f64::min);
    let max = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(BenchResult { median_ms: median(&times), min_ms: min, max_ms: max, reps, times_ms: times, peak_rss_kb: peak_rss_kb() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipelab::data::ReadOptions;

    fn gen(task: GenTask, rows: usize, cols: usize, seed: u64, classes: usize) -> Vec<u8> {
        let mut out = Vec::new();
        generate(&GenParams { task, rows, cols, seed, classes }, &mut out).unwrap();
        out
    }

    #[test]
    fn classes_are_all_present_and_balanced_enough() {
        let bytes = gen(GenTask::Classification, 2000, 5, 3, 3);
        let (t, _) = pipelab::data::read_csv(&bytes, &ReadOptions::default()).unwrap();
        let y = match &t.column("y").unwrap().data {
            pipelab::data::ColumnData::Numeric(v) | pipelab::data::ColumnData::Boolean { values: v, .. } => v.clone(),
            other => panic!("y is not numeric: {other:?}"),
        };
        for c in 0..3 {
            let n = y.iter().filter(|&&v| v == c as f64).count();
            assert!(n > 200, "class {c} has only {n} of 2000 rows");
        }
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn parse_and_fit_tasks_time_every_rep() {
        let bytes = gen(GenTask::Regression, 300, 4, 1, 2);
        let spec = r#"{"target":"y","model":{"LinearRegression":{}}}"#;
        for op in [BenchOp::Parse, BenchOp::Cv, BenchOp::Fit, BenchOp::FitPredict] {
            let r = bench_task(op, &bytes, spec, 3, 2).unwrap();
            assert_eq!(r.times_ms.len(), 3);
            assert!(r.min_ms <= r.median_ms && r.median_ms <= r.max_ms);
        }
        let spec = r#"{"target":"y","steps":[{"StandardScaler":{}}],"model":{"LinearRegression":{}}}"#;
        let r = bench_task(BenchOp::Transform, &bytes, spec, 2, 1).unwrap();
        assert_eq!(r.reps, 2);
        let x = fit_transform_steps(&pipelab::data::read_csv(&bytes, &ReadOptions::default()).unwrap().0, &PipelineSpec::from_json(spec).unwrap()).unwrap();
        assert_eq!(x.dim(), (300, 4));
        let m0: f64 = x.column(0).iter().sum::<f64>() / 300.0;
        assert!(m0.abs() < 1e-12, "scaled column mean {m0}");
    }
}

/// The generator's properties (were tests/bench_data.rs while this module sat in the library).
#[cfg(test)]
mod generator_tests {

    use super::{generate, GenParams, GenTask};
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
}
