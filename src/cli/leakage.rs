//! `pipelab leakage`: the leakage lab in the terminal.
//!
//! ```text
//! pipelab leakage --data FILE.csv --spec SPEC.json [--delimiter C]
//! pipelab leakage --demo [--rows 60] [--features 2000] [--k 20] [--seed 0]
//! ```
//! Prints the report (JSON) on stdout: the spec cross-validated the right way
//! (every step fitted inside each training fold) and the wrong way (the steps
//! fitted on every row first, then only the model cross-validated); a one-line
//! comparison goes to stderr. `--demo` generates the classic case (random
//! features, random labels, SelectKBest → LogisticRegression) from the seed.

use std::collections::HashMap;

use pipelab::api;
use pipelab::selection::cv::CvHooks;

pub enum LeakError {
    Usage(String),
    Run(String),
}

fn run_err(e: impl std::fmt::Display) -> LeakError {
    LeakError::Run(e.to_string())
}

/// The JSON text to print, and the comparison line for stderr.
pub fn run(f: &HashMap<String, String>, read_options: &str, now: &(dyn Fn() -> f64 + Sync)) -> Result<(String, String), LeakError> {
    let num = |name: &str| -> Result<Option<u64>, LeakError> {
        f.get(name).map(|v| v.parse::<u64>().map_err(|_| LeakError::Usage(format!("--{name} takes a whole number, got {v:?}")))).transpose()
    };
    if f.contains_key("demo") {
        if f.contains_key("data") || f.contains_key("spec") {
            return Err(LeakError::Usage("--demo makes its own data and pipeline: leave out --data and --spec".into()));
        }
        let mut p = api::DemoParams::default();
        p.n_rows = num("rows")?.map_or(p.n_rows, |v| v as usize);
        p.n_features = num("features")?.map_or(p.n_features, |v| v as usize);
        p.k = num("k")?.map_or(p.k, |v| v as usize);
        p.seed = num("seed")?.unwrap_or(p.seed);
        let demo = api::leakage_demo(&p, CvHooks { threads: 1, now_ms: now, progress: &mut |_, _| true, stop: None }).map_err(run_err)?;
        let line = format!("demo ({} rows × {} random features, random labels): {}", p.n_rows, p.n_features, compare_line(&demo.report));
        return Ok((serde_json::to_string_pretty(&demo).map_err(run_err)?, line));
    }
    for flag in ["rows", "features", "k", "seed"] {
        if f.contains_key(flag) {
            return Err(LeakError::Usage(format!("--{flag} goes with --demo")));
        }
    }
    let data = f.get("data").ok_or_else(|| LeakError::Usage("--data FILE.csv and --spec SPEC.json (or --demo) are required".into()))?;
    let spec = f.get("spec").ok_or_else(|| LeakError::Usage("--spec SPEC.json is required".into()))?;
    let bytes = std::fs::read(data).map_err(|e| LeakError::Run(format!("cannot read {data}: {e}")))?;
    let spec = std::fs::read_to_string(spec).map_err(|e| LeakError::Run(format!("cannot read {spec}: {e}")))?;
    let (table, _) = api::load_table(&bytes, read_options).map_err(run_err)?;
    let report = api::leakage(&table, &spec, CvHooks { threads: 1, now_ms: now, progress: &mut |_, _| true, stop: None }).map_err(run_err)?;
    Ok((serde_json::to_string_pretty(&report).map_err(run_err)?, compare_line(&report)))
}

fn compare_line(r: &api::LeakageReport) -> String {
    let m = &r.metric;
    let show = |s: Option<&pipelab::metrics::MetricSummary>| s.map_or("—".to_string(), |s| format!("{:.3} ± {:.3}", s.mean, s.std));
    let chance = r.majority_share.map_or(String::new(), |c| format!("; always guessing the most frequent class scores accuracy {c:.3}"));
    format!(
        "{m} ({}) right way (steps fitted inside each fold) {} · wrong way (steps fitted on all rows first) {}{chance}",
        if r.greater_is_better { "higher is better" } else { "lower is better" },
        show(r.right.get(m)),
        show(r.wrong.get(m)),
    )
}
