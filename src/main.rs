//! The native CLI: the same core as the page, for batch use and big files.
//!
//! ```text
//! pipelab cv      --data FILE.csv --spec SPEC.json
//! pipelab fit     --data FILE.csv --spec SPEC.json --out MODEL.json [--no-cv]
//! pipelab predict --model MODEL.json --data FILE.csv [--out PRED.csv]
//! pipelab search  --data FILE.csv --spec SPEC.json [--out MODEL.json] [--threads N]
//! pipelab summary --data FILE.csv
//! pipelab profile --data FILE.csv [--delimiter C]
//! pipelab catalog
//! pipelab generate --task classification|regression|blobs --rows N --cols P --seed S [--classes K] --out FILE.csv
//! pipelab export  (--spec SPEC.json | --model MODEL.json) --format sklearn [--out FILE|-]
//! ```
//! Errors go to stderr as one line, with exit code 1 (2 for usage errors).

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

use pipelab::api;
use pipelab::persist::ModelFile;
use pipelab::pipeline::CvHooks;
use pipelab::selection::search;

#[path = "cli/export.rs"]
mod export_cmd;

const USAGE: &str = "usage:
  pipelab cv      --data FILE.csv --spec SPEC.json [--delimiter C]
  pipelab fit     --data FILE.csv --spec SPEC.json --out MODEL.json [--no-cv]
  pipelab predict --model MODEL.json --data FILE.csv [--out PRED.csv]
  pipelab search  --data FILE.csv --spec SPEC.json [--out MODEL.json] [--threads N]
  pipelab summary --data FILE.csv
  pipelab profile --data FILE.csv [--delimiter C]
  pipelab catalog [--markdown]
  pipelab generate --task classification|regression|blobs --rows N --cols P --seed S [--classes K] --out FILE.csv
  pipelab export  (--spec SPEC.json | --model MODEL.json) --format sklearn [--out FILE|-]";

enum Failure {
    Usage(String),
    Run(String),
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Run(e.to_string())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("pipelab: {m}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Run(m)) => {
            eprintln!("pipelab: error: {m}");
            ExitCode::from(1)
        }
    }
}

fn parse_flags(args: &[String], known: &[&str], switches: &[&str]) -> Result<HashMap<String, String>, Failure> {
    let mut out = HashMap::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let Some(name) = a.strip_prefix("--") else { return Err(Failure::Usage(format!("unexpected argument {a:?}"))) };
        if switches.contains(&name) {
            out.insert(name.to_string(), String::new());
            i += 1;
        } else if known.contains(&name) {
            let v = args.get(i + 1).ok_or_else(|| Failure::Usage(format!("--{name} needs a value")))?;
            out.insert(name.to_string(), v.clone());
            i += 2;
        } else {
            return Err(Failure::Usage(format!("unknown option --{name}")));
        }
    }
    Ok(out)
}

fn need<'a>(flags: &'a HashMap<String, String>, name: &str) -> Result<&'a str, Failure> {
    flags.get(name).map(String::as_str).ok_or_else(|| Failure::Usage(format!("--{name} is required")))
}

fn read_file(path: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Run(format!("cannot read {path}: {e}")))
}

fn read_text(path: &str) -> Result<String, Failure> {
    String::from_utf8(read_file(path)?).map_err(|_| Failure::Run(format!("{path} is not UTF-8 text")))
}

fn read_options(flags: &HashMap<String, String>) -> String {
    match flags.get("delimiter") {
        Some(d) => serde_json::json!({"delimiter": d.replace("\\t", "\t")}).to_string(),
        None => String::new(),
    }
}

/// Writes to stdout; a closed pipe (`pipelab ... | head`) ends quietly instead of panicking.
fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Run(format!("cannot write to stdout: {e}"))),
    }
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    write_stdout(&format!("{}\n", serde_json::to_string_pretty(v)?))
}

fn run(args: &[String]) -> Result<(), Failure> {
    let Some(cmd) = args.first() else { return Err(Failure::Usage("no command given".into())) };
    let rest = &args[1..];
    let start = Instant::now();
    let now = move || start.elapsed().as_secs_f64() * 1000.0;
    match cmd.as_str() {
        "cv" => {
            let f = parse_flags(rest, &["data", "spec", "delimiter"], &[])?;
            let (table, _) = api::load_table(&read_file(need(&f, "data")?)?, &read_options(&f))?;
            let spec = read_text(need(&f, "spec")?)?;
            let report = api::cross_validate(&table, &spec, CvHooks { now_ms: &now, progress: &mut |_, _| true })?;
            let metrics: serde_json::Map<String, serde_json::Value> =
                report.metrics.iter().map(|(k, v)| (k.clone(), serde_json::json!({"folds": v.folds, "mean": v.mean, "std": v.std}))).collect();
            print_json(&serde_json::json!({
                "metrics": metrics,
                "train_metrics": report.train_metrics,
                "n_rows": report.n_rows,
                "n_features_out": report.n_features_out,
                "cv": report.cv,
                "holdout": report.holdout,
                "warnings": report.warnings,
            }))
        }
        "fit" => {
            let f = parse_flags(rest, &["data", "spec", "out", "delimiter"], &["no-cv"])?;
            let (table, _) = api::load_table(&read_file(need(&f, "data")?)?, &read_options(&f))?;
            let spec = read_text(need(&f, "spec")?)?;
            let out = need(&f, "out")?;
            if api::is_clustering(&spec)? {
                let (model, report) = api::fit_clustering_model(&table, &spec)?;
                std::fs::write(out, model.to_json()?).map_err(|e| Failure::Run(format!("cannot write {out}: {e}")))?;
                for w in &report.warnings {
                    eprintln!("pipelab: warning: {w}");
                }
                let mut v = serde_json::json!({
                    "model": out,
                    "metrics": report.metrics,
                    "n_clusters": report.n_clusters,
                    "cluster_sizes": report.cluster_sizes,
                });
                if let Some(n) = report.n_noise {
                    v["n_noise"] = n.into();
                }
                return print_json(&v);
            }
            let cv = if f.contains_key("no-cv") {
                None
            } else {
                match api::cross_validate(&table, &spec, CvHooks { now_ms: &now, progress: &mut |_, _| true }) {
                    Ok(r) => Some(r),
                    Err(pipelab::Error::Data(m)) if m.contains("clustering") => None,
                    Err(e) => return Err(e.into()),
                }
            };
            let model = api::fit_model(&table, &spec, cv.as_ref())?;
            std::fs::write(out, model.to_json()?).map_err(|e| Failure::Run(format!("cannot write {out}: {e}")))?;
            print_json(&serde_json::json!({
                "model": out,
                "n_train_rows": model.n_train_rows,
                "n_features_out": model.pipeline.feature_names.len(),
                "cv_metrics": model.cv_metrics,
                "warnings": model.pipeline.warnings,
            }))
        }
        "predict" => {
            let f = parse_flags(rest, &["model", "data", "out"], &[])?;
            let model = ModelFile::from_json(&read_text(need(&f, "model")?)?)?;
            let csv = api::predict_csv(&model, &read_file(need(&f, "data")?)?)?;
            match f.get("out") {
                Some(path) => std::fs::write(path, csv).map_err(|e| Failure::Run(format!("cannot write {path}: {e}")))?,
                None => write_stdout(&csv)?,
            }
            Ok(())
        }
        "search" => {
            let f = parse_flags(rest, &["data", "spec", "out", "threads", "delimiter"], &[])?;
            let (table, _) = api::load_table(&read_file(need(&f, "data")?)?, &read_options(&f))?;
            let spec = pipelab::pipeline::PipelineSpec::from_json(&read_text(need(&f, "spec")?)?)?;
            let threads = match f.get("threads") {
                Some(t) => t.parse::<usize>().map_err(|_| Failure::Usage(format!("--threads takes a whole number, got {t:?}")))?.max(1),
                None => std::thread::available_parallelism().map_or(1, |n| n.get()),
            };
            let runner = move |batch: &[search::ParamSet], eval: &(dyn Fn(&search::ParamSet) -> search::CandidateResult + Sync)| -> Vec<search::CandidateResult> {
                // Candidates are independent: evaluate them on threads, keep their order.
                let per = batch.len().div_ceil(threads).max(1);
                std::thread::scope(|s| {
                    let handles: Vec<_> = batch.chunks(per).map(|chunk| (chunk, s.spawn(move || chunk.iter().map(eval).collect::<Vec<_>>()))).collect();
                    handles
                        .into_iter()
                        .flat_map(|(chunk, h)| {
                            h.join().unwrap_or_else(|_| {
                                let e = pipelab::Error::Numerical("internal error while evaluating this candidate".into());
                                chunk.iter().map(|p| search::failed(p, &e)).collect()
                            })
                        })
                        .collect()
                })
            };
            let report = search::run_with(&table, &spec, CvHooks { now_ms: &now, progress: &mut |_, _| true }, &runner)?;
            let mut out = serde_json::to_value(&report)?;
            if let Some(path) = f.get("out") {
                let best = search::apply_params(&spec, &report.best_params)?;
                let model = api::fit_model(&table, &serde_json::to_string(&best)?, None)?;
                std::fs::write(path, model.to_json()?).map_err(|e| Failure::Run(format!("cannot write {path}: {e}")))?;
                out["model"] = serde_json::Value::from(path.as_str());
            }
            print_json(&out)
        }
        "summary" => {
            let f = parse_flags(rest, &["data", "delimiter"], &[])?;
            let (table, report) = api::load_table(&read_file(need(&f, "data")?)?, &read_options(&f))?;
            print_json(&api::summarize(&table, &report, 5))
        }
        "profile" => {
            let f = parse_flags(rest, &["data", "delimiter"], &[])?;
            let (table, report) = api::load_table(&read_file(need(&f, "data")?)?, &read_options(&f))?;
            print_json(&api::profile(&table, &report))
        }
        "catalog" => {
            let f = parse_flags(rest, &[], &["markdown"])?;
            if f.contains_key("markdown") {
                write_stdout(&pipelab::pipeline::catalog_markdown())
            } else {
                print_json(&api::catalog())
            }
        }
        "generate" => {
            // Deterministic synthetic data for the benchmark (bench/README.md).
            let f = parse_flags(rest, &["task", "rows", "cols", "seed", "classes", "out"], &[])?;
            let num = |name: &str, dflt: Option<u64>| -> Result<u64, Failure> {
                match (f.get(name), dflt) {
                    (Some(v), _) => v.parse::<u64>().map_err(|_| Failure::Usage(format!("--{name} takes a whole number, got {v:?}"))),
                    (None, Some(d)) => Ok(d),
                    (None, None) => Err(Failure::Usage(format!("--{name} is required"))),
                }
            };
            let task = pipelab::bench_data::GenTask::parse(need(&f, "task")?)?;
            let default_classes = if task == pipelab::bench_data::GenTask::Blobs { 8 } else { 2 };
            let params = pipelab::bench_data::GenParams {
                task,
                rows: num("rows", None)? as usize,
                cols: num("cols", None)? as usize,
                seed: num("seed", Some(0))?,
                classes: num("classes", Some(default_classes))? as usize,
            };
            let out = need(&f, "out")?;
            let file = std::fs::File::create(out).map_err(|e| Failure::Run(format!("cannot write {out}: {e}")))?;
            pipelab::bench_data::generate(&params, file)?;
            Ok(())
        }
        "bench-task" => {
            // Hidden: times one operation in-process for bench/bench.mjs; prints JSON.
            let f = parse_flags(rest, &["task", "data", "spec", "reps"], &[])?;
            let op = pipelab::bench_data::BenchOp::parse(need(&f, "task")?)?;
            let data = read_file(need(&f, "data")?)?;
            let spec = match f.get("spec") {
                Some(p) => read_text(p)?,
                None if op == pipelab::bench_data::BenchOp::Parse => String::new(),
                None => return Err(Failure::Usage("--spec is required".into())),
            };
            let reps = match f.get("reps") {
                Some(r) => r.parse::<usize>().map_err(|_| Failure::Usage(format!("--reps takes a whole number, got {r:?}")))?,
                None => 5,
            };
            print_json(&pipelab::bench_data::bench_task(op, &data, &spec, reps)?)
        }
        "export" => {
            let f = parse_flags(rest, &["spec", "model", "format", "out"], &[])?;
            let conv = |e: export_cmd::ExportError| match e {
                export_cmd::ExportError::Usage(m) => Failure::Usage(m),
                export_cmd::ExportError::Run(m) => Failure::Run(m),
            };
            let read = |p: &str| read_text(p).map_err(|e| match e {
                Failure::Usage(m) | Failure::Run(m) => m,
            });
            let src = export_cmd::source(&f, &read).map_err(conv)?;
            let bytes = export_cmd::export(need(&f, "format")?, &src).map_err(conv)?;
            match f.get("out").map(String::as_str) {
                None | Some("-") => {
                    use std::io::Write;
                    let mut out = std::io::stdout().lock();
                    match out.write_all(&bytes).and_then(|_| out.flush()) {
                        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Run(format!("cannot write to stdout: {e}"))),
                        _ => Ok(()),
                    }
                }
                Some(path) => std::fs::write(path, &bytes).map_err(|e| Failure::Run(format!("cannot write {path}: {e}"))),
            }
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(Failure::Usage(format!("unknown command {other:?}"))),
    }
}
