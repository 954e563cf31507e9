//! CLI commands of the monitor area (`drift`, `retrain`) and the model-file
//! writing rules `fit`, `search` and `retrain` share: never overwrite a file
//! the command reads, and write atomically (temporary file in the same
//! directory, then rename), so a failed run never leaves half a file.
//! Bin-only: this is where the clock and SHA-256 (the `sha2` crate) live.

use std::path::{Path, PathBuf};

use pipelab::api;
use pipelab::monitor::drift::{DriftOptions, Method};
use pipelab::persist::ModelFile;
use pipelab::selection::cv::CvHooks;

use super::{print_json, Failure};

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The current time as ISO 8601 UTC (`2026-12-03T12:00:00Z`).
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Refuses an output path that is one of the command's inputs.
pub fn refuse_overwrite(out: &str, inputs: &[(&str, &str)]) -> Result<(), Failure> {
    for (what, path) in inputs {
        if same_file(Path::new(out), Path::new(path)) {
            return Err(Failure::Run(format!("--out {out} is the {what} this command reads; choose another output file")));
        }
    }
    Ok(())
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename;
/// nothing once Ctrl-C has cancelled the command (src/cli/progress.rs).
pub fn write_atomic(path: &str, text: &str) -> Result<(), Failure> {
    use std::io::Write;
    super::progress::check().map_err(Failure::Cancelled)?;
    let target = PathBuf::from(path);
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Failure::Run(format!("cannot write {path}: {e}")));
    }
    Ok(())
}

/// `--name value` pairs where `--data` may repeat.
fn parse(args: &[String], known: &[&str]) -> Result<Vec<(String, String)>, Failure> {
    parse_with_switches(args, known, &[])
}

/// As [`parse`], with switches (flags without a value, recorded with an empty value).
fn parse_with_switches(args: &[String], known: &[&str], switches: &[&str]) -> Result<Vec<(String, String)>, Failure> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let Some(name) = args[i].strip_prefix("--") else { return Err(Failure::Usage(format!("unexpected argument {:?}", args[i]))) };
        if switches.contains(&name) {
            out.push((name.to_string(), String::new()));
            i += 1;
            continue;
        }
        if !known.contains(&name) {
            return Err(Failure::Usage(format!("unknown option --{name}")));
        }
        let v = args.get(i + 1).ok_or_else(|| Failure::Usage(format!("--{name} needs a value")))?;
        if name != "data" && out.iter().any(|(k, _): &(String, String)| k == name) {
            return Err(Failure::Usage(format!("--{name} is given twice")));
        }
        out.push((name.to_string(), v.clone()));
        i += 2;
    }
    Ok(out)
}

/// `--sheet`, `--table`, `--query` (src/cli/source.rs).
fn source_options(f: &[(String, String)]) -> api::SourceOptions {
    super::source::options_with(|k| get(f, k).map(str::to_string))
}

fn get<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn need<'a>(f: &'a [(String, String)], name: &str) -> Result<&'a str, Failure> {
    get(f, name).ok_or_else(|| Failure::Usage(format!("--{name} is required")))
}

fn load_model(path: &str) -> Result<(ModelFile, Vec<u8>), Failure> {
    super::read_model_file(path)
}

/// `pipelab drift --model M --data NEW.csv [--method ..] [--threshold ..]`
pub fn drift(args: &[String]) -> Result<(), Failure> {
    let f = parse(args, &["model", "data", "method", "threshold", "sheet", "table", "query"])?;
    let (model, _) = load_model(need(&f, "model")?)?;
    let data = need(&f, "data")?;
    let (_, table) = super::source::load_for_model(&model, data, &source_options(&f)).map_err(Failure::Run)?;
    let mut options = DriftOptions::default();
    if let Some(m) = get(&f, "method") {
        options.method = Some(Method::parse(m).map_err(|e| Failure::Usage(e.to_string()))?);
    }
    if let Some(t) = get(&f, "threshold") {
        options.threshold = Some(t.parse::<f64>().map_err(|_| Failure::Usage(format!("--threshold takes a number, got {t:?}")))?);
    }
    print_json(&api::drift(&model, &table, &options)?)
}

/// `pipelab retrain --model M --data NEW.csv [--data MORE.csv ...] --out M2.json [--threads N] [--max-memory SIZE]`
pub fn retrain(args: &[String]) -> Result<(), Failure> {
    let known = [&["model", "data", "out", "max-memory"][..], super::THREAD_FLAGS, super::source::FLAGS, super::track::VALUE_FLAGS].concat();
    let f = parse_with_switches(args, &known, super::track::SWITCHES)?;
    let flags: std::collections::HashMap<String, String> =
        f.iter().filter(|(k, _)| k != "data" && !super::source::FLAGS.contains(&k.as_str())).cloned().collect();
    let tracking = super::track::Options::from_flags(&flags).map_err(Failure::Usage)?;
    let model_path = need(&f, "model")?;
    let out = need(&f, "out")?;
    let data_paths: Vec<&str> = f.iter().filter(|(k, _)| k == "data").map(|(_, v)| v.as_str()).collect();
    if data_paths.is_empty() {
        return Err(Failure::Usage("--data is required".into()));
    }
    let mut inputs = vec![("parent model", model_path)];
    inputs.extend(data_paths.iter().map(|p| ("data", *p)));
    refuse_overwrite(out, &inputs)?;
    let threads = super::check_memory("retrain", &data_paths, super::threads_of(&flags)?, &flags)?;
    let (parent, parent_bytes) = load_model(model_path)?;
    let mut data = Vec::new();
    let mut all_bytes = Vec::new();
    for p in &data_paths {
        let step = super::progress::step("retrain", &format!("reading {p}"));
        let (bytes, table) = super::source::load_for_model(&parent, p, &source_options(&f)).map_err(Failure::Run)?;
        step.done(&format!("{} rows read", table.n_rows));
        super::progress::check().map_err(Failure::Cancelled)?;
        all_bytes.extend_from_slice(&bytes);
        data.push(api::RetrainData { name: p.to_string(), sha256: sha256_hex(&bytes), table });
    }
    let start = std::time::Instant::now();
    let now = move || start.elapsed().as_secs_f64() * 1000.0;
    // Progress counts the cross-validation's folds; the refit after them has no count, but is
    // lent the Ctrl-C flag (stops at the next tree, stage or restart).
    let hooks = CvHooks { threads, now_ms: &now, progress: &mut super::progress::hook("cv", "fold"), stop: Some(super::progress::flag()) };
    let step = super::progress::step("retrain", "cross-validating, then refitting");
    let model = api::retrain(&parent, &sha256_hex(&parent_bytes), &data, &now_utc(), hooks)?;
    step.done("done");
    let model_json = model.to_json()?;
    write_atomic(out, &model_json)?;
    print_json(&serde_json::json!({
        "model": out,
        "n_train_rows": model.n_train_rows,
        "cv_metrics": model.cv_metrics,
        "lineage": model.lineage,
        "warnings": model.pipeline.warnings,
    }))?;
    // MLflow (`--mlflow URI`): the refitted spec, its CV metrics per fold, the lineage as tags, the model file.
    let Some(t) = tracking else { return Ok(()) };
    let spec_text = model.spec.to_json();
    let mut run = super::track::Run::from_cv("retrain", &model.spec, &spec_text, None);
    run.add_cv_metrics(&model.cv_metrics);
    run.metrics.push(("n_train_rows".to_string(), model.n_train_rows as f64));
    if let Some(l) = &model.lineage {
        run.tags.push(("pipelab.lineage.version".to_string(), l.version.to_string()));
        run.tags.push(("pipelab.lineage.parent_sha256".to_string(), l.parent_sha256.clone()));
    }
    run.artifacts.push((super::track::MODEL_ARTIFACT.to_string(), model_json.into_bytes()));
    let name = if data_paths.len() == 1 { data_paths[0] } else { "retrain data" };
    let outcome = super::track::log_run(&t, &super::track::Data::of(name, &all_bytes, model.n_train_rows), &run);
    super::track::report(&t, outcome).map_err(Failure::Run)
}
