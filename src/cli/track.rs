//! MLflow tracking for the CLI (`--mlflow URI` on `cv`, `fit`, `search`, …).
//!
//! Talks to a tracking server through its REST API: `experiments/get-by-name` /
//! `create`, `runs/create`, `runs/log-batch`, `runs/update`, the artifact proxy
//! (`PUT /api/2.0/mlflow-artifacts/artifacts/<path>`, the server's default since
//! MLflow 2) and, for `--register`, `registered-models/create` +
//! `model-versions/create`. Any command calls [`log_run`] with a [`Run`] built from
//! what it has ([`Run::from_cv`], [`Run::from_search`], or by hand).
//!
//! Layout (the page's "Log runs to MLflow" writes the same):
//! - params: the spec's parameters by search path (`model`, `model__C`,
//!   `num__SimpleImputer__strategy`, …; `pipelab::selection::params`);
//! - metrics: `<metric>_mean`, `<metric>_std`, and each fold's score as `<metric>` with
//!   step = fold index (0-based); `train_<metric>_mean/_std`, `holdout_<metric>`, `fit_time_ms_mean`;
//! - tags: `pipelab.version`, `pipelab.command`, `data.sha256`, `data.rows`, `data.name`;
//! - artifacts: `spec.json`, `model/model.json` (fit), `search_results.json` (search).
//!
//! A search is a parent run plus one child run per candidate (tag `mlflow.parentRunId`).
//!
//! Failures never stop the command: [`report`] prints what was not logged and why on
//! stderr and turns it into an error only with `--mlflow-required`.

#![cfg_attr(not(feature = "tracking"), allow(dead_code))]

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use pipelab::metrics::MetricSummary;
use pipelab::pipeline::PipelineSpec;
use pipelab::selection::params::{param_text, search_params, spec_params};
use pipelab::selection::search::{self, SearchReport};

/// Options taking a value that every tracked command accepts.
pub const VALUE_FLAGS: &[&str] = &["mlflow", "experiment", "run-name", "mlflow-timeout"];
/// Switches every tracked command accepts.
pub const SWITCHES: &[&str] = &["mlflow-required"];

/// Parameter values longer than this are cut (MLflow's limit since 2.x).
const MAX_PARAM_VALUE: usize = 6000;
/// MLflow's per-request limits for `runs/log-batch`.
const BATCH_METRICS: usize = 1000;
const BATCH_PARAMS: usize = 100;

/// What `--mlflow …` asked for.
pub struct Options {
    /// `http://host:port[/prefix]`, without the trailing slash.
    pub uri: String,
    pub experiment: String,
    pub run_name: Option<String>,
    pub required: bool,
    /// Per request (connect + send + answer).
    pub timeout: Duration,
    /// `--register NAME`: also create a registered model version from the run's model artifact.
    pub register: Option<String>,
}

impl Options {
    /// `None` without `--mlflow`; an error (usage) for a tracking flag given without it.
    pub fn from_flags(f: &HashMap<String, String>) -> Result<Option<Options>, String> {
        let Some(uri) = f.get("mlflow") else {
            for name in ["experiment", "run-name", "mlflow-timeout", "mlflow-required", "register"] {
                if f.contains_key(name) {
                    return Err(format!("--{name} needs --mlflow URI"));
                }
            }
            return Ok(None);
        };
        let timeout = match f.get("mlflow-timeout") {
            Some(t) => match t.parse::<f64>() {
                Ok(s) if s > 0.0 && s.is_finite() => Duration::from_secs_f64(s),
                _ => return Err(format!("--mlflow-timeout takes a positive number of seconds, got {t:?}")),
            },
            None => Duration::from_secs(15),
        };
        let experiment = f
            .get("experiment")
            .cloned()
            .or_else(|| std::env::var("MLFLOW_EXPERIMENT_NAME").ok().filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "Default".to_string());
        Ok(Some(Options {
            uri: uri.trim_end_matches('/').to_string(),
            experiment,
            run_name: f.get("run-name").cloned(),
            required: f.contains_key("mlflow-required"),
            timeout,
            register: f.get("register").cloned(),
        }))
    }
}

/// The data a run was trained or scored on.
pub struct Data {
    pub name: String,
    pub sha256: String,
    pub rows: usize,
}

impl Data {
    /// `path`'s file name, the SHA-256 of its bytes, and the rows read from it.
    pub fn of(path: &str, bytes: &[u8], rows: usize) -> Data {
        use sha2::{Digest, Sha256};
        let name = std::path::Path::new(path).file_name().map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
        let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        Data { name, sha256, rows }
    }
}

/// One run to log (a search's candidates are its `children`).
#[derive(Default)]
pub struct Run {
    /// The CLI command (`cv`, `fit`, `search`, `retrain`): tag `pipelab.command`.
    pub command: String,
    pub run_name: Option<String>,
    pub params: Vec<(String, String)>,
    /// Per-fold scores: logged as `<name>` (step = fold), `<name>_mean`, `<name>_std`.
    pub cv_metrics: Vec<(String, MetricSummary)>,
    /// Single values, logged at step 0.
    pub metrics: Vec<(String, f64)>,
    pub tags: Vec<(String, String)>,
    /// (artifact path, content).
    pub artifacts: Vec<(String, Vec<u8>)>,
    pub children: Vec<Run>,
}

/// The artifact path of the model file; `--register` registers the folder holding it.
pub const MODEL_ARTIFACT: &str = "model/model.json";

impl Run {
    /// A cross-validated spec: its parameters, the per-fold metrics, train metrics,
    /// held-out scores, fit times and warnings.
    pub fn from_cv(command: &str, spec: &PipelineSpec, spec_text: &str, report: Option<&pipelab::selection::cv::CvReport>) -> Run {
        let mut run = Run { command: command.to_string(), params: spec_params(spec), ..Run::default() };
        run.artifacts.push(("spec.json".to_string(), spec_text.as_bytes().to_vec()));
        if let Some(r) = report {
            run.add_cv_metrics(&r.metrics);
            for (k, m) in &r.train_metrics {
                run.metrics.push((format!("train_{k}_mean"), m.mean));
                run.metrics.push((format!("train_{k}_std"), m.std));
            }
            if let Some(h) = &r.holdout {
                run.metrics.extend(h.scores.iter().map(|(k, v)| (format!("holdout_{k}"), *v)));
            }
            if !r.folds.is_empty() {
                let times: Vec<f64> = r.folds.iter().map(|f| f.fit_time_ms).collect();
                run.metrics.push(("fit_time_ms_mean".to_string(), times.iter().sum::<f64>() / times.len() as f64));
            }
            run.tags.push(("pipelab.cv".to_string(), r.cv.clone()));
            if !r.warnings.is_empty() {
                run.artifacts.push(("warnings.txt".to_string(), (r.warnings.join("\n") + "\n").into_bytes()));
            }
        }
        run
    }

    pub fn add_cv_metrics(&mut self, metrics: &BTreeMap<String, MetricSummary>) {
        self.cv_metrics.extend(metrics.iter().map(|(k, m)| (k.clone(), m.clone())));
    }

    /// A search: the parent run (the spec without the searched values, the search's own
    /// settings, `best_<path>` params, the best candidate's folds) and one child per candidate.
    pub fn from_search(spec: &PipelineSpec, spec_text: &str, report: &SearchReport) -> Run {
        let mut base = spec.clone();
        base.search = None;
        let mut run = Run { command: "search".to_string(), params: spec_params(&base), ..Run::default() };
        run.params.extend(search_params(spec));
        run.params.extend(report.best_params.iter().map(|(k, v)| (format!("best_{k}"), param_text(v))));
        run.artifacts.push(("spec.json".to_string(), spec_text.as_bytes().to_vec()));
        if let Ok(results) = serde_json::to_vec_pretty(report) {
            run.artifacts.push(("search_results.json".to_string(), results));
        }
        let scoring = &report.scoring;
        if let Some(best) = report.cv_results.get(report.best_index) {
            run.cv_metrics.push((scoring.clone(), summary(best)));
        }
        run.metrics.push(("best_cv_score".to_string(), report.best_score));
        run.metrics.push(("n_candidates".to_string(), report.cv_results.len() as f64));
        for (i, c) in report.cv_results.iter().enumerate() {
            let mut child = Run { command: "search".to_string(), run_name: None, ..Run::default() };
            // The candidate's full spec when it applies; its own paths otherwise (a failed candidate).
            child.params = match search::apply_params(&base, &c.params) {
                Ok(s) => spec_params(&s),
                Err(_) => c.params.iter().map(|(k, v)| (k.clone(), param_text(v))).collect(),
            };
            child.tags.push(("search.index".to_string(), i.to_string()));
            child.tags.push(("search.rank".to_string(), c.rank.to_string()));
            child.tags.push(("search.iteration".to_string(), c.iteration.to_string()));
            child.tags.push(("search.n_resources".to_string(), c.n_resources.to_string()));
            match &c.error {
                Some(e) => child.tags.push(("search.error".to_string(), e.clone())),
                None => {
                    child.cv_metrics.push((scoring.clone(), summary(c)));
                    child.metrics.push((format!("train_{scoring}_mean"), c.mean_train_score));
                    child.metrics.push(("fit_time_ms_mean".to_string(), c.mean_fit_time_ms));
                }
            }
            run.children.push(child);
        }
        run
    }
}

fn summary(c: &search::CandidateResult) -> MetricSummary {
    MetricSummary { folds: c.split_test_scores.clone(), mean: c.mean_test_score, std: c.std_test_score }
}

/// What arrived.
pub struct Logged {
    pub experiment_id: String,
    pub run_id: String,
    pub children: usize,
    pub model_version: Option<String>,
    /// Values MLflow cannot store (NaN, ±inf metrics), left out.
    pub skipped: Vec<String>,
}

/// Prints the outcome on stderr; `Err` (the message) only when `--mlflow-required` and something was not logged.
pub fn report(opts: &Options, outcome: Result<Logged, String>) -> Result<(), String> {
    match outcome {
        Ok(l) => {
            let mut line = format!(
                "pipelab: mlflow: logged run {} in experiment {:?} ({}/#/experiments/{}/runs/{})",
                l.run_id, opts.experiment, opts.uri, l.experiment_id, l.run_id
            );
            if l.children > 0 {
                line += &format!(" with {} child runs", l.children);
            }
            if let (Some(v), Some(name)) = (&l.model_version, &opts.register) {
                line += &format!("; registered model {name:?} version {v}");
            }
            eprintln!("{line}");
            if !l.skipped.is_empty() {
                eprintln!("pipelab: mlflow: not logged (MLflow stores finite numbers only): {}", l.skipped.join(", "));
            }
            Ok(())
        }
        Err(why) => {
            eprintln!("pipelab: mlflow: not logged to {}: {why}", opts.uri);
            if opts.required {
                Err(format!("--mlflow-required: the run was not logged to {}: {why}", opts.uri))
            } else {
                Ok(())
            }
        }
    }
}

/// Logs `run` (and its children) to the tracking server. The error says what was not logged and why.
pub fn log_run(opts: &Options, data: &Data, run: &Run) -> Result<Logged, String> {
    let client = Client::new(opts)?;
    let experiment_id = client.experiment_id(&opts.experiment).map_err(|e| format!("finding or creating experiment {:?}: {e}", opts.experiment))?;
    let mut logged = Logged { experiment_id: experiment_id.clone(), run_id: String::new(), children: 0, model_version: None, skipped: Vec::new() };
    let name = opts.run_name.clone().or_else(|| run.run_name.clone());
    let (run_id, artifact_uri, run_name) =
        client.create_run(&experiment_id, name.as_deref(), &base_tags(run, data, None)).map_err(|e| format!("creating the run: {e}"))?;
    logged.run_id = run_id.clone();
    let body = client.log_all(&run_id, run, &mut logged.skipped).map_err(|e| format!("logging parameters and metrics: {e}"));
    let body = body.and_then(|()| {
        for (path, bytes) in &run.artifacts {
            client.upload(&artifact_uri, path, bytes).map_err(|e| format!("uploading artifact {path}: {e}"))?;
        }
        Ok(())
    });
    let body = body.and_then(|()| {
        for (i, child) in run.children.iter().enumerate() {
            let child_name = child.run_name.clone().unwrap_or_else(|| format!("{run_name}-{i}"));
            let (cid, _, _) = client
                .create_run(&experiment_id, Some(&child_name), &base_tags(child, data, Some(&run_id)))
                .map_err(|e| format!("creating child run {i} of {}: {e}", run.children.len()))?;
            let r = client.log_all(&cid, child, &mut logged.skipped).and_then(|()| client.finish(&cid, "FINISHED"));
            r.map_err(|e| format!("logging child run {i} ({cid}): {e}"))?;
            logged.children += 1;
        }
        Ok(())
    });
    let body = body.and_then(|()| match &opts.register {
        Some(model) if run.artifacts.iter().any(|(p, _)| p == MODEL_ARTIFACT) => {
            let folder = MODEL_ARTIFACT.rsplit_once('/').map_or(MODEL_ARTIFACT, |(d, _)| d);
            let v = client.register(model, &format!("{artifact_uri}/{folder}"), &run_id).map_err(|e| format!("registering model {model:?}: {e}"))?;
            logged.model_version = Some(v);
            Ok(())
        }
        Some(_) => Err("--register needs a model file, and this run has none".to_string()),
        None => Ok(()),
    });
    match body {
        Ok(()) => {
            client.finish(&run_id, "FINISHED").map_err(|e| format!("run {run_id} was logged but not marked finished: {e}"))?;
            Ok(logged)
        }
        Err(e) => {
            // Best effort: mark the partial run as failed so the UI does not show it running forever.
            let _ = client.finish(&run_id, "FAILED");
            Err(format!("run {run_id} is incomplete (marked FAILED): {e}"))
        }
    }
}

fn base_tags(run: &Run, data: &Data, parent: Option<&str>) -> Vec<(String, String)> {
    let mut tags = vec![
        ("pipelab.version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        ("pipelab.command".to_string(), run.command.clone()),
        ("data.name".to_string(), data.name.clone()),
        ("data.sha256".to_string(), data.sha256.clone()),
        ("data.rows".to_string(), data.rows.to_string()),
        ("mlflow.source.name".to_string(), "pipelab".to_string()),
        ("mlflow.source.type".to_string(), "LOCAL".to_string()),
    ];
    if let Some(p) = parent {
        tags.push(("mlflow.parentRunId".to_string(), p.to_string()));
    }
    tags.extend(run.tags.iter().cloned());
    tags
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Checks the scheme before any request: http:// or https:// (src/cli/http.rs).
fn check_uri(uri: &str) -> Result<(), String> {
    let rest = uri.strip_prefix("http://").or_else(|| uri.strip_prefix("https://"));
    if rest.is_none_or(str::is_empty) {
        return Err(format!("{uri:?} is not an http:// or https:// tracking URI (expected e.g. http://127.0.0.1:5000)"));
    }
    Ok(())
}

/// Without the `tracking` feature there is no client: [`Client::new`] says so and nothing else runs.
#[cfg(not(feature = "tracking"))]
enum Client {}

#[cfg(not(feature = "tracking"))]
impl Client {
    fn new(opts: &Options) -> Result<Client, String> {
        check_uri(&opts.uri)?;
        Err("this pipelab was built without the `tracking` feature (cargo build --features tracking)".to_string())
    }
    fn experiment_id(&self, _: &str) -> Result<String, String> {
        match *self {}
    }
    fn create_run(&self, _: &str, _: Option<&str>, _: &[(String, String)]) -> Result<(String, String, String), String> {
        match *self {}
    }
    fn log_all(&self, _: &str, _: &Run, _: &mut Vec<String>) -> Result<(), String> {
        match *self {}
    }
    fn upload(&self, _: &str, _: &str, _: &[u8]) -> Result<(), String> {
        match *self {}
    }
    fn finish(&self, _: &str, _: &str) -> Result<(), String> {
        match *self {}
    }
    fn register(&self, _: &str, _: &str, _: &str) -> Result<String, String> {
        match *self {}
    }
}

#[cfg(feature = "tracking")]
struct Client {
    agent: ureq::Agent,
    base: String,
}

#[cfg(feature = "tracking")]
impl Client {
    fn new(opts: &Options) -> Result<Client, String> {
        check_uri(&opts.uri)?;
        Ok(Client { agent: super::http::agent(opts.timeout)?, base: opts.uri.clone() })
    }

    /// Sends one request; `Ok` only for a 2xx answer, parsed as JSON (empty = `{}`).
    fn call(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Result<serde_json::Value, ApiError> {
        let url = format!("{}{path}", self.base);
        let resp = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            (_, Some(b)) => self.agent.post(&url).header("Content-Type", "application/json").send(b.to_string()),
            (_, None) => self.agent.post(&url).send_empty(),
        };
        answer(&url, resp)
    }

    fn experiment_id(&self, name: &str) -> Result<String, ApiError> {
        let get = |c: &Client| -> Result<Option<String>, ApiError> {
            let q = format!("/api/2.0/mlflow/experiments/get-by-name?experiment_name={}", percent(name));
            match c.call("GET", &q, None) {
                Ok(v) => Ok(v.pointer("/experiment/experiment_id").and_then(|i| i.as_str()).map(str::to_string)),
                Err(ApiError::Http { code, .. }) if code == "RESOURCE_DOES_NOT_EXIST" => Ok(None),
                Err(e) => Err(e),
            }
        };
        if let Some(id) = get(self)? {
            return Ok(id);
        }
        match self.call("POST", "/api/2.0/mlflow/experiments/create", Some(&serde_json::json!({"name": name}))) {
            Ok(v) => v
                .get("experiment_id")
                .and_then(|i| i.as_str())
                .map(str::to_string)
                .ok_or_else(|| ApiError::Shape("experiments/create gave no experiment_id".into())),
            // Created by someone else in between: look it up again.
            Err(ApiError::Http { code, .. }) if code == "RESOURCE_ALREADY_EXISTS" => {
                get(self)?.ok_or_else(|| ApiError::Shape(format!("experiment {name:?} exists but cannot be found")))
            }
            Err(e) => Err(e),
        }
    }

    /// → (run_id, artifact_uri, run_name).
    fn create_run(&self, experiment_id: &str, name: Option<&str>, tags: &[(String, String)]) -> Result<(String, String, String), ApiError> {
        let mut body = serde_json::json!({"experiment_id": experiment_id, "start_time": now_ms(), "tags": kv(tags)});
        if let Some(n) = name {
            body["run_name"] = n.into();
        }
        let v = self.call("POST", "/api/2.0/mlflow/runs/create", Some(&body))?;
        let info = v.pointer("/run/info").ok_or_else(|| ApiError::Shape("runs/create gave no run.info".into()))?;
        let field = |k: &str| info.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let id = field("run_id");
        if id.is_empty() {
            return Err(ApiError::Shape("runs/create gave no run_id".into()));
        }
        Ok((id, field("artifact_uri"), field("run_name")))
    }

    /// Params, metrics and the run's own tags, in batches within MLflow's limits.
    fn log_all(&self, run_id: &str, run: &Run, skipped: &mut Vec<String>) -> Result<(), ApiError> {
        let ts = now_ms();
        let mut metrics = Vec::new();
        let mut push = |key: String, value: f64, step: usize| {
            if value.is_finite() {
                metrics.push(serde_json::json!({"key": key, "value": value, "timestamp": ts, "step": step}));
            } else {
                skipped.push(format!("{key}={value}"));
            }
        };
        for (k, m) in &run.cv_metrics {
            for (i, v) in m.folds.iter().enumerate() {
                push(k.clone(), *v, i);
            }
            push(format!("{k}_mean"), m.mean, 0);
            push(format!("{k}_std"), m.std, 0);
        }
        for (k, v) in &run.metrics {
            push(k.clone(), *v, 0);
        }
        let params: Vec<serde_json::Value> = run.params.iter().map(|(k, v)| serde_json::json!({"key": k, "value": cut(v, MAX_PARAM_VALUE)})).collect();
        let mut chunks: Vec<serde_json::Value> = Vec::new();
        for c in params.chunks(BATCH_PARAMS) {
            chunks.push(serde_json::json!({"run_id": run_id, "params": c}));
        }
        for c in metrics.chunks(BATCH_METRICS) {
            chunks.push(serde_json::json!({"run_id": run_id, "metrics": c}));
        }
        for body in chunks {
            self.call("POST", "/api/2.0/mlflow/runs/log-batch", Some(&body))?;
        }
        Ok(())
    }

    fn finish(&self, run_id: &str, status: &str) -> Result<(), ApiError> {
        self.call("POST", "/api/2.0/mlflow/runs/update", Some(&serde_json::json!({"run_id": run_id, "status": status, "end_time": now_ms()}))).map(|_| ())
    }

    /// Through the server's artifact proxy: `mlflow-artifacts:/<exp>/<run>/artifacts` →
    /// `PUT <uri>/api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>`.
    fn upload(&self, artifact_uri: &str, path: &str, bytes: &[u8]) -> Result<(), ApiError> {
        let rest = proxied_path(artifact_uri).ok_or_else(|| {
            ApiError::Shape(format!(
                "the run's artifact location {artifact_uri:?} is not served by the tracking server (start it with --artifacts-destination, or without --no-serve-artifacts)"
            ))
        })?;
        let url = format!("{}/api/2.0/mlflow-artifacts/artifacts/{}/{}", self.base, rest.trim_matches('/'), path);
        let resp = self.agent.put(&url).header("Content-Type", "application/octet-stream").send(bytes);
        answer(&url, resp).map(|_| ())
    }

    /// Creates the registered model (if new) and a version from `source` → the version number.
    fn register(&self, name: &str, source: &str, run_id: &str) -> Result<String, ApiError> {
        match self.call("POST", "/api/2.0/mlflow/registered-models/create", Some(&serde_json::json!({"name": name}))) {
            Ok(_) => {}
            Err(ApiError::Http { code, .. }) if code == "RESOURCE_ALREADY_EXISTS" => {}
            Err(e) => return Err(e),
        }
        let v = self.call("POST", "/api/2.0/mlflow/model-versions/create", Some(&serde_json::json!({"name": name, "source": source, "run_id": run_id})))?;
        v.pointer("/model_version/version")
            .and_then(|x| x.as_str())
            .map(str::to_string)
            .ok_or_else(|| ApiError::Shape("model-versions/create gave no version".into()))
    }
}

/// `mlflow-artifacts:/1/abc/artifacts` or `mlflow-artifacts://host:port/1/abc/artifacts` → `1/abc/artifacts`.
fn proxied_path(artifact_uri: &str) -> Option<&str> {
    let rest = artifact_uri.strip_prefix("mlflow-artifacts:")?;
    match rest.strip_prefix("//") {
        Some(with_host) => with_host.find('/').map(|i| &with_host[i..]),
        None => Some(rest),
    }
}

/// Why a request failed.
#[derive(Debug)]
enum ApiError {
    /// Nothing answered (refused, unreachable, timed out).
    Transport(String),
    /// The server answered with an error status (MLflow's `error_code` and `message`).
    Http { status: u16, code: String, message: String },
    /// A 2xx answer that is not what the API documents.
    Shape(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Transport(m) | ApiError::Shape(m) => f.write_str(m),
            ApiError::Http { status, code, message } if code.is_empty() => write!(f, "HTTP {status}: {message}"),
            ApiError::Http { status, code, message } => write!(f, "HTTP {status} {code}: {message}"),
        }
    }
}

#[cfg(feature = "tracking")]
fn answer(url: &str, resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<serde_json::Value, ApiError> {
    let mut resp = resp.map_err(|e| {
        if let Some(tls) = super::http::tls_problem(url, &e) {
            return ApiError::Transport(tls);
        }
        ApiError::Transport(match e {
            ureq::Error::Timeout(_) => format!("{url}: no answer within the timeout (--mlflow-timeout)"),
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => format!("{url}: the tracking server is unreachable ({e})"),
            ureq::Error::Io(ref io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!("{url}: connection refused (is the tracking server running?)")
            }
            other => format!("{url}: {other}"),
        })
    })?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    if (200..300).contains(&status) {
        if text.trim().is_empty() {
            return Ok(serde_json::json!({}));
        }
        return serde_json::from_str(&text).map_err(|_| ApiError::Shape(format!("{url}: the answer is not JSON: {}", cut(&text, 200))));
    }
    let parsed: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    let field = |k: &str| parsed.as_ref().and_then(|v| v.get(k)).and_then(|x| x.as_str()).map(str::to_string);
    Err(ApiError::Http { status, code: field("error_code").unwrap_or_default(), message: field("message").unwrap_or_else(|| cut(text.trim(), 300)) })
}

fn kv(pairs: &[(String, String)]) -> Vec<serde_json::Value> {
    pairs.iter().map(|(k, v)| serde_json::json!({"key": k, "value": v})).collect()
}

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_locations_map_to_the_proxy() {
        assert_eq!(proxied_path("mlflow-artifacts:/1/abc/artifacts"), Some("/1/abc/artifacts"));
        assert_eq!(proxied_path("mlflow-artifacts://127.0.0.1:5000/1/abc/artifacts"), Some("/1/abc/artifacts"));
        assert_eq!(proxied_path("/tmp/mlruns/1/abc/artifacts"), None);
        assert_eq!(proxied_path("s3://bucket/1/abc"), None);
    }

    #[test]
    fn only_http_and_https_are_accepted() {
        assert!(check_uri("http://127.0.0.1:5000").is_ok());
        assert!(check_uri("https://mlflow.example.com").is_ok());
        assert!(check_uri("databricks").unwrap_err().contains("not an http:// or https:// tracking URI"));
        assert!(check_uri("http://").is_err());
        assert!(check_uri("https://").is_err());
    }

    #[test]
    fn names_are_percent_encoded() {
        assert_eq!(percent("my exp/1"), "my%20exp%2F1");
    }
}
