//! The native CLI: the same core as the page, for batch use and big files.
//!
//! ```text
//! pipelab cv      --data FILE.csv --spec SPEC.json [--threads N] [TRACKING]
//! pipelab fit     --data FILE.csv --spec SPEC.json --out MODEL.json [--no-cv] [--refit-all] [--threads N] [TRACKING] [--register NAME]
//! pipelab predict --model MODEL.json --data FILE.csv|- [--out PRED.csv|-]
//! pipelab serve   --model MODEL.json [--host 127.0.0.1] [--port 8080] [--max-body-bytes N] [--timeout-ms N]
//! pipelab search  --data FILE.csv --spec SPEC.json [--out MODEL.json] [--threads N] [TRACKING]
//! TRACKING = --mlflow URI [--experiment NAME] [--run-name NAME] [--mlflow-timeout SECS] [--mlflow-required]
//! pipelab summary --data FILE.csv
//! pipelab profile --data FILE.csv [--delimiter C]
//! pipelab catalog
//! pipelab drift   --model MODEL.json --data NEW.csv [--method M] [--threshold T]
//! pipelab retrain --model MODEL.json --data NEW.csv [--data MORE.csv ...] --out MODEL2.json [--threads N]
//! pipelab generate --task classification|regression|blobs --rows N --cols P --seed S [--classes K] --out FILE.csv
//! pipelab export  (--spec SPEC.json | --model MODEL.json) --format sklearn|onnx [--out FILE|-]
//! pipelab leakage (--data FILE.csv --spec SPEC.json | --demo [--rows N --features P --k K --seed S])
//! ```
//! Errors go to stderr as one line, with exit code 1 (2 for usage errors).

#[path = "monitor.rs"]
mod monitor;
#[path = "progress.rs"]
mod progress;

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

#[path = "track.rs"]
mod track;

use pipelab::api;
use pipelab::persist::ModelFile;
use pipelab::selection::cv::CvHooks;

// Bin-only modules of the native shell (I/O, clocks, the OS live here, not in the core).
#[path = "batch.rs"]
mod batch;
#[path = "bench_data.rs"]
mod bench_data;
#[cfg(all(feature = "server", not(target_arch = "wasm32")))]
#[path = "serve.rs"]
mod serve;

#[path = "export.rs"]
mod export_cmd;

#[cfg(feature = "tracking")]
#[path = "http.rs"]
mod http;
#[path = "leakage.rs"]
mod leakage_cmd;
#[path = "memory.rs"]
mod memory;
#[path = "source.rs"]
mod source;

const USAGE: &str = "usage:
  pipelab cv      --data FILE.csv --spec SPEC.json [--delimiter C] [--threads N] [--max-memory SIZE] [TRACKING]
  pipelab fit     --data FILE.csv --spec SPEC.json --out MODEL.json [--no-cv] [--refit-all] [--threads N] [--max-memory SIZE] [TRACKING] [--register NAME]
                  (with a holdout block: fitted on the training part and scored on the held-out rows;
                   --refit-all refits on every row afterwards; the model file's \"holdout\" says which)
  pipelab predict --model MODEL.json --data FILE.csv|- [--out PRED.csv|-]   (streams: any file size; - = stdin/stdout)
  pipelab serve   --model MODEL.json [--host 127.0.0.1] [--port 8080] [--max-body-bytes N] [--timeout-ms N]
  pipelab search  --data FILE.csv --spec SPEC.json [--out MODEL.json] [--threads N] [--max-memory SIZE] [TRACKING]
  pipelab summary --data FILE.csv
  pipelab profile --data FILE.csv [--delimiter C]
  pipelab catalog [--markdown]
  pipelab drift   --model MODEL.json --data NEW.csv [--method psi|ks|wasserstein|chisquare|jensenshannon|z] [--threshold T]
  pipelab retrain --model MODEL.json --data NEW.csv [--data MORE.csv ...] --out MODEL2.json [--threads N] [--max-memory SIZE] [TRACKING]
  pipelab export  (--spec SPEC.json | --model MODEL.json) --format sklearn [--out FILE|-]
  pipelab export  --model MODEL.json --format onnx [--out MODEL.onnx|-]
  pipelab generate --task classification|regression|blobs --rows N --cols P --seed S [--classes K] --out FILE.csv
  pipelab leakage --data FILE.csv --spec SPEC.json [--delimiter C]   (the spec cross-validated the right way and the wrong way)
  pipelab leakage --demo [--rows 60] [--features 2000] [--k 20] [--seed 0]   (random features and labels: leakage from selection)
SOURCE: --data takes CSV, Parquet, SQLite, Excel (xlsx/xls/ods), JSON Lines or JSON, a file or an http(s):// URL
  (https trusts Mozilla's roots and the PEM file named by SSL_CERT_FILE);
  --sheet NAME (a workbook's sheet), --table NAME or --query 'SELECT ...' (a database's table or query)
THREADS: --threads N (or --jobs N): folds, candidates, forest trees and k-means restarts on N threads
  (default: every core, fewer if the memory needs it; 1 = sequential); the results are the same for any N
PROGRESS: cv, fit, search, retrain, predict, summary and profile print progress lines on stderr when it is a
  terminal or with --progress, never with --quiet; Ctrl-C stops them at the next fold / candidate / tree,
  writes nothing and exits with 130 (a second Ctrl-C quits at once)
TRACKING (log the run to an MLflow tracking server; the command's result is printed either way):
  --mlflow http(s)://HOST:PORT [--experiment NAME] [--run-name NAME] [--mlflow-timeout SECS] [--mlflow-required]";

enum Failure {
    Usage(String),
    Run(String),
    /// Ctrl-C: `cancelled: cv after 3 of 5 folds` (src/cli/progress.rs), exit code 130.
    Cancelled(String),
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Run(e.to_string())
    }
}

pub fn main() -> ExitCode {
    // A panic inside a guarded reader (the parquet and calamine crates on malformed input) ends as
    // a "corrupt file" error; printing the crate's panic line before it would only confuse.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !pipelab::data::formats::inside_guarded_reader() {
            report(info)
        }
    }));
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Not for the long-running server: it would hold a burst's memory for good.
    if args.first().map(String::as_str) != Some("serve") {
        memory::keep_freed_memory();
    }
    // The kernels' baseline (SSE2) path on any CPU: to compare or time the two paths (ARCHITECTURE.md).
    if std::env::var_os("PIPELAB_CPU").is_some_and(|v| v == "baseline") {
        pipelab::numeric::cpu::force_baseline();
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("pipelab: {m}\n{USAGE}");
            ExitCode::from(2)
        }
        // After a Ctrl-C, whatever stopped the command (the core's `Cancelled`, a
        // candidate not run) is the cancel.
        Err(Failure::Cancelled(_) | Failure::Run(_)) if progress::cancelled() => {
            eprintln!("pipelab: {}", progress::message());
            ExitCode::from(130)
        }
        Err(Failure::Run(m) | Failure::Cancelled(m)) => {
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

/// Reads a model file: its size (file metadata) is checked against the
/// loader's limit before a byte is read, then it is parsed and validated.
/// Returns the model and its bytes.
fn read_model_file(path: &str) -> Result<(ModelFile, Vec<u8>), Failure> {
    let meta = std::fs::metadata(path).map_err(|e| Failure::Run(format!("cannot read {path}: {e}")))?;
    if meta.is_file() {
        ModelFile::check_size(meta.len()).map_err(|e| Failure::Run(format!("{path}: {e}")))?;
    }
    let bytes = read_file(path)?;
    let model = ModelFile::from_bytes(&bytes).map_err(|e| Failure::Run(format!("{path}: {e}")))?;
    Ok((model, bytes))
}

/// `source::load` with its progress step (`cv: reading data.csv`, `cv: read 120.3 of 500.7 MB (2.0 s)`
/// each second for a CSV, then `cv: 10000 rows read (0.4 s)`); a Ctrl-C while reading stops a CSV's
/// read at its next chunk (`cancelled: cv while reading data.csv`), another format's once it is read.
fn load(
    phase: &str,
    path: &str,
    source: &api::SourceOptions,
    read_options: &str,
) -> Result<(Vec<u8>, pipelab::data::Table, pipelab::data::ReadReport), Failure> {
    let step = progress::step(phase, &format!("reading {path}"));
    let loaded = source::load(path, source, read_options, &mut progress::reading(phase))?;
    step.done(&format!("{} rows read", loaded.1.n_rows));
    progress::check().map_err(Failure::Cancelled)?;
    Ok(loaded)
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
/// Nothing is written once Ctrl-C has cancelled the command.
fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    progress::check().map_err(Failure::Cancelled)?;
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

#[cfg(all(feature = "server", not(target_arch = "wasm32")))]
fn serve_command(rest: &[String]) -> Result<(), Failure> {
    let f = parse_flags(rest, &["model", "host", "port", "max-body-bytes", "timeout-ms"], &[])?;
    let path = need(&f, "model")?;
    let (model, _) = read_model_file(path)?;
    let num = |name: &str, dflt: u64| -> Result<u64, Failure> {
        match f.get(name) {
            Some(v) => v.parse::<u64>().map_err(|_| Failure::Usage(format!("--{name} takes a whole number, got {v:?}"))),
            None => Ok(dflt),
        }
    };
    let port = num("port", serve::DEFAULT_PORT as u64)?;
    let port = u16::try_from(port).map_err(|_| Failure::Usage(format!("--port takes 0..65535, got {port}")))?;
    let cfg = serve::Config {
        host: f.get("host").cloned().unwrap_or_else(|| "127.0.0.1".into()),
        port,
        max_body_bytes: num("max-body-bytes", serve::DEFAULT_MAX_BODY_BYTES as u64)?.max(1) as usize,
        timeout: std::time::Duration::from_millis(num("timeout-ms", serve::DEFAULT_TIMEOUT_MS)?.max(1)),
    };
    serve::run(model, path, cfg).map_err(Failure::Run)
}

#[cfg(not(all(feature = "server", not(target_arch = "wasm32"))))]
fn serve_command(_: &[String]) -> Result<(), Failure> {
    Err(Failure::Run("this build has no scoring server: rebuild with the default `server` feature".into()))
}

/// `known` plus `--sheet`, `--table`, `--query` (src/cli/source.rs).
fn with_source(known: &[&'static str]) -> Vec<&'static str> {
    [known, source::FLAGS].concat()
}

/// `known` plus the tracking options.
fn with_tracking(known: &[&'static str]) -> Vec<&'static str> {
    [known, track::VALUE_FLAGS].concat()
}

/// Logs `run` when `--mlflow` was given; a failure is an error only with `--mlflow-required`.
fn track_run(t: Option<&track::Options>, data_path: &str, bytes: &[u8], rows: usize, run: impl FnOnce() -> track::Run) -> Result<(), Failure> {
    let Some(t) = t else { return Ok(()) };
    let outcome = track::log_run(t, &track::Data::of(data_path, bytes, rows), &run());
    track::report(t, outcome).map_err(Failure::Run)
}

/// `cv`/`fit`/`search`/`retrain`: the memory need stated up front, refused above
/// `--max-memory` (src/cli/memory.rs); the threads to use.
fn check_memory(cmd: &str, paths: &[&str], threads: memory::Threads, f: &HashMap<String, String>) -> Result<usize, Failure> {
    memory::check(cmd, paths, threads, f).map_err(|(usage, e)| if usage { Failure::Usage(e) } else { Failure::Run(e) })
}

/// The flags that set the threads: `--threads N`, or `--jobs N` (scikit-learn's name).
const THREAD_FLAGS: &[&str] = &["threads", "jobs"];

/// `--threads N` / `--jobs N` (1 = sequential); all cores when neither is given.
fn threads_of(f: &HashMap<String, String>) -> Result<memory::Threads, Failure> {
    let given: Vec<(&str, &String)> = THREAD_FLAGS.iter().filter_map(|k| f.get(*k).map(|v| (*k, v))).collect();
    match given.as_slice() {
        [] => Ok(memory::Threads { n: std::thread::available_parallelism().map_or(1, |n| n.get()), explicit: false }),
        [(k, t)] => match t.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(memory::Threads { n, explicit: true }),
            _ => Err(Failure::Usage(format!("--{k} takes a whole number of threads (1 or more), got {t:?}"))),
        },
        _ => Err(Failure::Usage("give --threads or --jobs, not both (they are the same option)".into())),
    }
}

/// `known` plus `--threads`/`--jobs` and `--max-memory`.
fn with_threads(known: &[&'static str]) -> Vec<&'static str> {
    [known, THREAD_FLAGS, &["max-memory"]].concat()
}

/// The commands that report progress and stop cleanly on Ctrl-C (src/cli/progress.rs).
const LONG_COMMANDS: &[&str] = &["cv", "fit", "search", "retrain", "predict", "summary", "profile"];

fn run(args: &[String]) -> Result<(), Failure> {
    let Some(cmd) = args.first() else { return Err(Failure::Usage("no command given".into())) };
    let rest = if LONG_COMMANDS.contains(&cmd.as_str()) { progress::start(cmd, &args[1..]) } else { args[1..].to_vec() };
    let rest = rest.as_slice();
    let start = Instant::now();
    let now = move || start.elapsed().as_secs_f64() * 1000.0;
    match cmd.as_str() {
        "cv" => {
            let f = parse_flags(rest, &with_tracking(&with_source(&with_threads(&["data", "spec", "delimiter"]))), track::SWITCHES)?;
            let tracking = track::Options::from_flags(&f).map_err(Failure::Usage)?;
            let threads = check_memory("cv", &[need(&f, "data")?], threads_of(&f)?, &f)?;
            let data_path = need(&f, "data")?;
            let spec = read_text(need(&f, "spec")?)?;
            // The spec's `types` apply as the data is read, whatever its format.
            let (bytes, table, _) = load("cv", data_path, &source::options(&f), &api::read_options_with_spec(&read_options(&f), &spec)?)?;
            // A line before the first fold, which may be long (its fits stop at a Ctrl-C too).
            progress::step("cv", &format!("cross-validating {} rows", table.n_rows));
            let report = api::cross_validate(
                &table,
                &spec,
                CvHooks { threads, now_ms: &now, progress: &mut progress::hook("cv", "fold"), stop: Some(progress::flag()) },
            )?;
            print_json(&api::CvSummary::of(&report))?;
            let parsed = pipelab::pipeline::PipelineSpec::from_json(&spec)?;
            track_run(tracking.as_ref(), data_path, &bytes, table.n_rows, || track::Run::from_cv("cv", &parsed, &spec, Some(&report)))
        }
        "fit" => {
            let f = parse_flags(
                rest,
                &with_tracking(&with_source(&with_threads(&["data", "spec", "out", "delimiter", "register"]))),
                &["no-cv", "refit-all", "mlflow-required"],
            )?;
            let tracking = track::Options::from_flags(&f).map_err(Failure::Usage)?;
            let out = need(&f, "out")?;
            monitor::refuse_overwrite(out, &[("data", need(&f, "data")?), ("spec", need(&f, "spec")?)])?;
            let threads = check_memory("fit", &[need(&f, "data")?], threads_of(&f)?, &f)?;
            let data_path = need(&f, "data")?;
            let spec = read_text(need(&f, "spec")?)?;
            // The spec's `types` apply as the data is read, whatever its format.
            let (bytes, table, _) = load("fit", data_path, &source::options(&f), &api::read_options_with_spec(&read_options(&f), &spec)?)?;
            if api::is_clustering(&spec)? {
                let step = progress::step("fit", &format!("fitting on {} rows", table.n_rows));
                let (model, report) = api::fit_clustering_model_threads(&table, &spec, progress::lend(threads))?;
                step.done("done");
                let model_json = model.to_json()?;
                monitor::write_atomic(out, &model_json)?;
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
                print_json(&v)?;
                return track_run(tracking.as_ref(), data_path, &bytes, table.n_rows, || {
                    let mut run = track::Run::from_cv("fit", &model.spec, &spec, None);
                    run.metrics.extend(report.metrics.iter().map(|(k, v)| (k.clone(), *v)));
                    run.metrics.push(("n_clusters".to_string(), report.n_clusters as f64));
                    run.artifacts.push((track::MODEL_ARTIFACT.to_string(), model_json.into_bytes()));
                    run
                });
            }
            let cv = if f.contains_key("no-cv") {
                None
            } else {
                // A clustering spec returned above: cross-validation applies.
                progress::step("cv", &format!("cross-validating {} rows", table.n_rows));
                Some(api::cross_validate(
                    &table,
                    &spec,
                    CvHooks { threads, now_ms: &now, progress: &mut progress::hook("cv", "fold"), stop: Some(progress::flag()) },
                )?)
            };
            // The fit has no step count; Ctrl-C during it stops at the next tree, stage or
            // restart (the lent flag), or once it returns, before anything is written.
            progress::check().map_err(Failure::Cancelled)?;
            let step = progress::step("fit", &format!("fitting on {} rows", table.n_rows));
            let fit_start = Instant::now();
            let model = api::fit_model_threads(&table, &spec, cv.as_ref(), f.contains_key("refit-all"), progress::lend(threads))?;
            let fit_ms = fit_start.elapsed().as_secs_f64() * 1000.0;
            step.done("done");
            let model_json = model.to_json()?;
            monitor::write_atomic(out, &model_json)?;
            print_json(&serde_json::json!({
                "model": out,
                "n_train_rows": model.n_train_rows,
                "n_features_out": model.pipeline.feature_names.len(),
                "cv_metrics": model.cv_metrics,
                "holdout": model.holdout,
                "warnings": model.pipeline.warnings,
            }))?;
            track_run(tracking.as_ref(), data_path, &bytes, table.n_rows, || {
                let mut run = track::Run::from_cv("fit", &model.spec, &spec, cv.as_ref());
                run.metrics.push(("fit_time_ms".to_string(), fit_ms));
                run.metrics.push(("n_train_rows".to_string(), model.n_train_rows as f64));
                run.artifacts.push((track::MODEL_ARTIFACT.to_string(), model_json.into_bytes()));
                run
            })
        }
        "predict" => {
            let f = parse_flags(rest, &with_source(&["model", "data", "out"]), &[])?;
            let (model, _) = read_model_file(need(&f, "model")?)?;
            let input = source::open_csv_stream(need(&f, "data")?, &source::options(&f)).map_err(Failure::Run)?;
            batch::predict(&model, need(&f, "data")?, input, f.get("out").map(String::as_str)).map_err(Failure::Run)
        }
        "serve" => serve_command(rest),
        "search" => {
            let f = parse_flags(rest, &with_tracking(&with_source(&with_threads(&["data", "spec", "out", "delimiter"]))), track::SWITCHES)?;
            let tracking = track::Options::from_flags(&f).map_err(Failure::Usage)?;
            if let Some(out) = f.get("out") {
                monitor::refuse_overwrite(out, &[("data", need(&f, "data")?), ("spec", need(&f, "spec")?)])?;
            }
            // Each thread evaluates one candidate, its folds one after the other (at most
            // `threads` folds at once; the page's pool does the same with its workers).
            let threads = check_memory("search", &[need(&f, "data")?], threads_of(&f)?, &f)?;
            let data_path = need(&f, "data")?;
            let spec_text = read_text(need(&f, "spec")?)?;
            // The spec's `types` apply as the data is read, whatever its format.
            let (bytes, table, _) = load("search", data_path, &source::options(&f), &api::read_options_with_spec(&read_options(&f), &spec_text)?)?;
            let spec = pipelab::pipeline::PipelineSpec::from_json(&spec_text)?;
            let runner = move |batch: &[api::ParamSet], eval: &(dyn Fn(&api::ParamSet) -> api::CandidateResult + Sync)| -> Vec<api::CandidateResult> {
                // Candidates are independent: evaluate them on threads, keep their order. A
                // candidate that panicked (or was not started after a Ctrl-C, which the
                // search's progress hook then reports) is a failed candidate.
                let done = pipelab::parallel::map(threads, batch.len(), &|i| eval(&batch[i]), &mut |_, _| !progress::cancelled());
                let e = pipelab::Error::Numerical("internal error while evaluating this candidate".into());
                done.into_iter().zip(batch).map(|(r, p)| r.unwrap_or_else(|| api::search_failed(p, &e))).collect()
            };
            let report = api::search(
                &table,
                &spec,
                CvHooks { threads: 1, now_ms: &now, progress: &mut progress::hook("search", "candidate"), stop: Some(progress::flag()) },
                &runner,
            )?;
            let mut out = serde_json::to_value(&report)?;
            let mut model_json = None;
            if let Some(path) = f.get("out") {
                let best = api::best_spec(&spec, &report)?;
                let step = progress::step("search", &format!("fitting the best candidate on {} rows", table.n_rows));
                let model = api::fit_model_threads(&table, &serde_json::to_string(&best)?, None, false, progress::lend(threads))?;
                step.done("done");
                let text = model.to_json()?;
                monitor::write_atomic(path, &text)?;
                out["model"] = serde_json::Value::from(path.as_str());
                model_json = Some(text);
            }
            print_json(&out)?;
            track_run(tracking.as_ref(), data_path, &bytes, table.n_rows, || {
                let mut run = track::Run::from_search(&spec, &spec_text, &report);
                if let Some(m) = model_json {
                    run.artifacts.push((track::MODEL_ARTIFACT.to_string(), m.into_bytes()));
                }
                run
            })
        }
        "summary" => {
            let f = parse_flags(rest, &with_source(&["data", "delimiter"]), &[])?;
            let (_, table, report) = load("summary", need(&f, "data")?, &source::options(&f), &read_options(&f))?;
            progress::check().map_err(Failure::Cancelled)?;
            let step = progress::step("summary", &format!("summarizing {} rows", table.n_rows));
            let summary = api::summarize(&table, &report, 5);
            step.done("done");
            print_json(&summary)
        }
        "profile" => {
            let f = parse_flags(rest, &with_source(&["data", "delimiter"]), &[])?;
            let (_, table, report) = load("profile", need(&f, "data")?, &source::options(&f), &read_options(&f))?;
            progress::check().map_err(Failure::Cancelled)?;
            let step = progress::step("profile", &format!("profiling {} rows", table.n_rows));
            let profile = api::profile(&table, &report);
            step.done("done");
            print_json(&profile)
        }
        "drift" => monitor::drift(rest),
        "retrain" => monitor::retrain(rest),
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
            let task = bench_data::GenTask::parse(need(&f, "task")?)?;
            let default_classes = if task == bench_data::GenTask::Blobs { 8 } else { 2 };
            let params = bench_data::GenParams {
                task,
                rows: num("rows", None)? as usize,
                cols: num("cols", None)? as usize,
                seed: num("seed", Some(0))?,
                classes: num("classes", Some(default_classes))? as usize,
            };
            let out = need(&f, "out")?;
            let file = std::fs::File::create(out).map_err(|e| Failure::Run(format!("cannot write {out}: {e}")))?;
            bench_data::generate(&params, file)?;
            Ok(())
        }
        "bench-task" => {
            // Hidden: times one operation in-process for bench/bench.mjs; prints JSON.
            let f = parse_flags(rest, &["task", "data", "spec", "reps", "threads"], &[])?;
            let op = bench_data::BenchOp::parse(need(&f, "task")?)?;
            let data = read_file(need(&f, "data")?)?;
            let spec = match f.get("spec") {
                Some(p) => read_text(p)?,
                None if matches!(op, bench_data::BenchOp::Parse | bench_data::BenchOp::Convert) => String::new(),
                None => return Err(Failure::Usage("--spec is required".into())),
            };
            let reps = match f.get("reps") {
                Some(r) => r.parse::<usize>().map_err(|_| Failure::Usage(format!("--reps takes a whole number, got {r:?}")))?,
                None => 5,
            };
            // One thread unless asked (the suite's single-threaded rows stay comparable).
            let threads = if f.contains_key("threads") { threads_of(&f)?.n } else { 1 };
            print_json(&bench_data::bench_task(op, &data, &spec, reps, threads)?)
        }
        "leakage" => {
            let f = parse_flags(rest, &["data", "spec", "delimiter", "rows", "features", "k", "seed"], &["demo"])?;
            let (json, line) = leakage_cmd::run(&f, &read_options(&f), &now).map_err(|e| match e {
                leakage_cmd::LeakError::Usage(m) => Failure::Usage(m),
                leakage_cmd::LeakError::Run(m) => Failure::Run(m),
            })?;
            write_stdout(&format!("{json}\n"))?;
            eprintln!("pipelab: {line}");
            Ok(())
        }
        "export" => {
            let f = parse_flags(rest, &["spec", "model", "format", "out"], &[])?;
            if need(&f, "format")? == "onnx" && !f.contains_key("out") {
                return Err(Failure::Usage("--format onnx writes a binary file: give --out MODEL.onnx (or --out - for stdout)".into()));
            }
            let conv = |e: export_cmd::ExportError| match e {
                export_cmd::ExportError::Usage(m) => Failure::Usage(m),
                export_cmd::ExportError::Run(m) => Failure::Run(m),
            };
            let read = |p: &str| {
                read_text(p).map_err(|e| match e {
                    Failure::Usage(m) | Failure::Run(m) | Failure::Cancelled(m) => m,
                })
            };
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
