//! `--mlflow`: the CLI logs to a REAL MLflow tracking server (the pinned one of the
//! interop venv, `$PIPELAB_PYTHON -m mlflow server`), and everything is read back
//! through MLflow's REST API: every parameter, metric (with its fold steps), tag and
//! artifact, the registered model version, a search's parent and child runs.
//! Then the failure cases: unreachable, slow and erroring servers, other schemes (https: tests/interop/https_cli.rs).
//!
//! The server starts once (it takes 30-90 s on a loaded machine) in the one test that
//! needs it; a guard kills its process group when that test ends, panics included.
// Native only: it drives the CLI and a Python server (wasm-pack builds every test target for wasm32).
#![cfg(feature = "tracking")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const IRIS: &str = "www/datasets/iris.csv";

fn python() -> PathBuf {
    let p = std::env::var_os("PIPELAB_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/pipelab/venv-interop/bin/python"));
    assert!(
        p.exists(),
        "the MLflow test needs the interop venv's python at {} (set PIPELAB_PYTHON, or run scripts/setup.sh to create it); it is not skipped",
        p.display()
    );
    p
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn tmpdir(what: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pipelab-mlflow-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A running `mlflow server`; dropping it stops its whole process group (uvicorn workers included).
struct Server {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Server {
    fn start() -> Server {
        let py = python();
        let dir = tmpdir("server");
        let port = free_port();
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let mut cmd = Command::new(&py);
        cmd.args(["-m", "mlflow", "server", "--backend-store-uri"])
            .arg(format!("sqlite:///{}", dir.join("mlflow.db").display()))
            .arg("--artifacts-destination")
            .arg(dir.join("artifacts"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--workers", "1"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        // No job runner (huey consumers): tracking needs none, and it starts faster without.
        cmd.env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {} -m mlflow server: {e}", py.display()));
        let server = Server { child, url: format!("http://127.0.0.1:{port}"), dir };
        let t0 = Instant::now();
        loop {
            if let Ok(mut r) = agent(Duration::from_secs(2)).get(format!("{}/health", server.url)).call() {
                if r.status() == 200 && r.body_mut().read_to_string().unwrap_or_default().contains("OK") {
                    eprintln!("mlflow server up on {} after {:.1} s", server.url, t0.elapsed().as_secs_f64());
                    return server;
                }
            }
            let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default();
            let tail: String = log.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
            assert!(t0.elapsed() < Duration::from_secs(240), "mlflow server did not answer /health within 240 s; its log ends:\n{tail}");
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn get(&self, path: &str) -> Value {
        let mut r = agent(Duration::from_secs(30)).get(format!("{}{path}", self.url)).call().unwrap();
        let text = r.body_mut().read_to_string().unwrap();
        assert_eq!(r.status(), 200, "GET {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let mut r =
            agent(Duration::from_secs(30)).post(format!("{}{path}", self.url)).header("Content-Type", "application/json").send(body.to_string()).unwrap();
        let text = r.body_mut().read_to_string().unwrap();
        assert_eq!(r.status(), 200, "POST {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    fn bytes(&self, path: &str) -> Vec<u8> {
        let mut r = agent(Duration::from_secs(30)).get(format!("{}{path}", self.url)).call().unwrap();
        assert_eq!(r.status(), 200, "GET {path}");
        r.body_mut().read_to_vec().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pgid = format!("-{}", self.child.id());
        // `--`: a negative pid (the process group) would be read as an option otherwise.
        let _ = Command::new("kill").args(["-TERM", "--", &pgid]).status();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &pgid]).status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into()
}

fn pipelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn run_id_from(stderr: &str) -> String {
    let rest = stderr.split("logged run ").nth(1).unwrap_or_else(|| panic!("no 'logged run' line in stderr:\n{stderr}"));
    rest.split_whitespace().next().unwrap().to_string()
}

fn kv(list: &Value) -> std::collections::BTreeMap<String, Value> {
    list.as_array().map(|a| a.iter().map(|e| (e["key"].as_str().unwrap().to_string(), e["value"].clone())).collect()).unwrap_or_default()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The fold history of one metric, ordered by step.
fn history(s: &Server, run: &str, key: &str) -> Vec<(i64, f64)> {
    let h = s.get(&format!("/api/2.0/mlflow/metrics/get-history?run_id={run}&metric_key={key}&max_results=1000"));
    let mut v: Vec<(i64, f64)> = h["metrics"].as_array().unwrap().iter().map(|m| (m["step"].as_i64().unwrap_or(0), f(&m["value"]))).collect();
    v.sort_by_key(|(s, _)| *s);
    v
}

fn artifact_paths(s: &Server, run: &str, dir: Option<&str>) -> Vec<String> {
    let q = match dir {
        Some(d) => format!("/api/2.0/mlflow/artifacts/list?run_id={run}&path={d}"),
        None => format!("/api/2.0/mlflow/artifacts/list?run_id={run}"),
    };
    s.get(&q)["files"].as_array().map(|a| a.iter().map(|e| e["path"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

/// The artifact's bytes, downloaded through the server's artifact proxy.
fn artifact(s: &Server, info: &Value, path: &str) -> Vec<u8> {
    let root = info["artifact_uri"].as_str().unwrap().strip_prefix("mlflow-artifacts:").unwrap().trim_start_matches('/');
    s.bytes(&format!("/api/2.0/mlflow-artifacts/artifacts/{root}/{path}"))
}

#[test]
fn cv_fit_and_search_arrive_in_a_real_mlflow_server() {
    let t0 = Instant::now();
    let server = Server::start();
    let dir = tmpdir("cli");
    let spec_path = dir.join("spec.json");
    let spec_text = r#"{"target":"species","preprocess":{"transformers":[{"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{"strategy":"median"}},{"StandardScaler":{}}]}]},
 "steps":[{"PolynomialFeatures":{"degree":2}}],
 "model":{"LogisticRegression":{"C":0.5,"max_iter":500}},"cv":{"StratifiedKFold":{"n_splits":4}},"scoring":["accuracy","f1_macro"]}"#;
    std::fs::write(&spec_path, spec_text).unwrap();
    let spec = spec_path.to_str().unwrap();
    let url = server.url.as_str();
    let spec_parsed = pipelab::pipeline::PipelineSpec::from_json(spec_text).unwrap();
    let expected_params = pipelab::selection::params::spec_params(&spec_parsed);
    let iris_sha = sha256_hex(&Path::new(env!("CARGO_MANIFEST_DIR")).join(IRIS));

    // ---- cv: params, per-fold metrics with steps, mean/std, tags, the spec artifact.
    let (code, out, err) = pipelab(&["cv", "--data", IRIS, "--spec", spec, "--mlflow", url, "--experiment", "pipelab-test", "--run-name", "cv-run"]);
    assert_eq!(code, 0, "{err}");
    let printed: Value = serde_json::from_str(&out).unwrap();
    let cv_run = run_id_from(&err);
    let run = server.get(&format!("/api/2.0/mlflow/runs/get?run_id={cv_run}"))["run"].clone();
    let info = &run["info"];
    assert_eq!(info["run_name"], "cv-run");
    assert_eq!(info["status"], "FINISHED");
    let exp = server.get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=pipelab-test");
    assert_eq!(info["experiment_id"], exp["experiment"]["experiment_id"]);
    let params = kv(&run["data"]["params"]);
    assert_eq!(params.len(), expected_params.len(), "{params:?}");
    for (k, v) in &expected_params {
        assert_eq!(params.get(k).and_then(Value::as_str), Some(v.as_str()), "param {k}");
    }
    assert_eq!(params["model"], "LogisticRegression");
    assert_eq!(params["model__C"], "0.5");
    assert_eq!(params["model__max_iter"], "500");
    assert_eq!(params["num__SimpleImputer__strategy"], "median");
    assert_eq!(params["PolynomialFeatures__degree"], "2");
    assert_eq!(params["cv__n_splits"], "4");
    let tags = kv(&run["data"]["tags"]);
    assert_eq!(tags["pipelab.version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(tags["pipelab.command"], "cv");
    assert_eq!(tags["data.name"], "iris.csv");
    assert_eq!(tags["data.rows"], "150");
    assert_eq!(tags["data.sha256"].as_str().unwrap(), iris_sha);
    let latest = kv(&run["data"]["metrics"]);
    for m in ["accuracy", "f1_macro"] {
        let folds: Vec<f64> = printed["metrics"][m]["folds"].as_array().unwrap().iter().map(f).collect();
        assert_eq!(folds.len(), 4);
        let h = history(&server, &cv_run, m);
        assert_eq!(h, folds.iter().enumerate().map(|(i, v)| (i as i64, *v)).collect::<Vec<_>>(), "{m} per fold, step = fold index");
        assert_eq!(f(&latest[&format!("{m}_mean")]), f(&printed["metrics"][m]["mean"]), "{m}_mean");
        assert_eq!(f(&latest[&format!("{m}_std")]), f(&printed["metrics"][m]["std"]), "{m}_std");
        assert_eq!(f(&latest[&format!("train_{m}_mean")]), f(&printed["train_metrics"][m]["mean"]));
    }
    assert!(latest.contains_key("fit_time_ms_mean"));
    assert_eq!(artifact_paths(&server, &cv_run, None), vec!["spec.json"]);
    assert_eq!(artifact(&server, info, "spec.json"), spec_text.as_bytes());

    // ---- fit --register: the model file as an artifact, a registered model version.
    let model_path = dir.join("model.json");
    let (code, _, err) = pipelab(&[
        "fit",
        "--data",
        IRIS,
        "--spec",
        spec,
        "--out",
        model_path.to_str().unwrap(),
        "--mlflow",
        url,
        "--experiment",
        "pipelab-test",
        "--register",
        "iris-classifier",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("registered model \"iris-classifier\" version 1"), "{err}");
    let fit_run = run_id_from(&err);
    let run = server.get(&format!("/api/2.0/mlflow/runs/get?run_id={fit_run}"))["run"].clone();
    assert_eq!(kv(&run["data"]["tags"])["pipelab.command"], "fit");
    assert_eq!(kv(&run["data"]["params"])["model__C"], "0.5");
    let latest = kv(&run["data"]["metrics"]);
    assert!(latest.contains_key("accuracy_mean") && latest.contains_key("fit_time_ms"), "{latest:?}");
    assert_eq!(f(&latest["n_train_rows"]), 150.0);
    assert_eq!(artifact_paths(&server, &fit_run, Some("model")), vec!["model/model.json"]);
    assert_eq!(artifact(&server, &run["info"], "model/model.json"), std::fs::read(&model_path).unwrap(), "the model artifact is the file written by --out");
    let reg = server.get("/api/2.0/mlflow/registered-models/get?name=iris-classifier");
    let v = &reg["registered_model"]["latest_versions"][0];
    assert_eq!(v["version"], "1");
    assert_eq!(v["run_id"], fit_run.as_str());
    assert_eq!(v["source"].as_str().unwrap(), format!("{}/model", run["info"]["artifact_uri"].as_str().unwrap()));
    // A second --register adds version 2 to the same registered model.
    let (code, _, err) = pipelab(&[
        "fit",
        "--data",
        IRIS,
        "--spec",
        spec,
        "--out",
        model_path.to_str().unwrap(),
        "--no-cv",
        "--mlflow",
        url,
        "--experiment",
        "pipelab-test",
        "--register",
        "iris-classifier",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("version 2"), "{err}");

    // ---- retrain: the refitted model's CV folds, its lineage as tags, the new model file.
    let model2 = dir.join("model2.json");
    let (code, out, err) = pipelab(&[
        "retrain",
        "--model",
        model_path.to_str().unwrap(),
        "--data",
        IRIS,
        "--out",
        model2.to_str().unwrap(),
        "--mlflow",
        url,
        "--experiment",
        "pipelab-test",
    ]);
    assert_eq!(code, 0, "{err}");
    let printed: Value = serde_json::from_str(&out).unwrap();
    let re_run = run_id_from(&err);
    let run = server.get(&format!("/api/2.0/mlflow/runs/get?run_id={re_run}"))["run"].clone();
    let tags = kv(&run["data"]["tags"]);
    assert_eq!(tags["pipelab.command"], "retrain");
    assert_eq!(tags["pipelab.lineage.version"], printed["lineage"]["version"].to_string().as_str());
    assert_eq!(tags["pipelab.lineage.parent_sha256"].as_str().unwrap(), sha256_hex(&model_path));
    let folds: Vec<f64> = printed["cv_metrics"]["accuracy"]["folds"].as_array().unwrap().iter().map(f).collect();
    assert_eq!(history(&server, &re_run, "accuracy"), folds.iter().enumerate().map(|(i, v)| (i as i64, *v)).collect::<Vec<_>>());
    assert_eq!(artifact(&server, &run["info"], "model/model.json"), std::fs::read(&model2).unwrap());

    // ---- search: a parent run and one child per candidate.
    let search_path = dir.join("search.json");
    let mut sv: Value = serde_json::from_str(spec_text).unwrap();
    sv["search"] =
        json!({"GridSearchCV": {"param_grid": {"model__C": [0.1, 1.0, 10.0], "num__SimpleImputer__strategy": ["mean", "median"]}, "scoring": "accuracy"}});
    std::fs::write(&search_path, sv.to_string()).unwrap();
    let (code, out, err) = pipelab(&[
        "search",
        "--data",
        IRIS,
        "--spec",
        search_path.to_str().unwrap(),
        "--mlflow",
        url,
        "--experiment",
        "pipelab-test",
        "--run-name",
        "grid",
        "--threads",
        "2",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("with 6 child runs"), "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let parent = run_id_from(&err);
    let prun = server.get(&format!("/api/2.0/mlflow/runs/get?run_id={parent}"))["run"].clone();
    let pparams = kv(&prun["data"]["params"]);
    assert_eq!(prun["info"]["run_name"], "grid");
    assert_eq!(pparams["search"], "GridSearchCV");
    let best = &report["best_params"];
    assert_eq!(pparams["best_model__C"].as_str().unwrap(), best["model__C"].to_string());
    assert_eq!(pparams["best_num__SimpleImputer__strategy"].as_str().unwrap(), best["num__SimpleImputer__strategy"].as_str().unwrap());
    assert_eq!(f(&kv(&prun["data"]["metrics"])["best_cv_score"]), f(&report["best_score"]));
    let mut parent_files = artifact_paths(&server, &parent, None);
    parent_files.sort();
    assert_eq!(parent_files, vec!["search_results.json", "spec.json"]);
    let exp_id = prun["info"]["experiment_id"].as_str().unwrap().to_string();
    let children = server.post(
        "/api/2.0/mlflow/runs/search",
        json!({"experiment_ids": [exp_id], "filter": format!("tags.mlflow.parentRunId = '{parent}'"), "max_results": 100}),
    );
    let children = children["runs"].as_array().unwrap();
    let candidates = report["cv_results"].as_array().unwrap();
    assert_eq!(children.len(), candidates.len());
    assert_eq!(children.len(), 6);
    for c in children {
        let p = kv(&c["data"]["params"]);
        let t = kv(&c["data"]["tags"]);
        let i: usize = t["search.index"].as_str().unwrap().parse().unwrap();
        let cand = &candidates[i];
        assert_eq!(p["model__C"].as_str().unwrap(), cand["params"]["model__C"].to_string(), "child {i}");
        assert_eq!(p["num__SimpleImputer__strategy"].as_str().unwrap(), cand["params"]["num__SimpleImputer__strategy"].as_str().unwrap());
        // Everything else is the base spec's.
        assert_eq!(p["model__max_iter"], "500");
        assert_eq!(p["PolynomialFeatures__degree"], "2");
        assert_eq!(t["search.rank"].as_str().unwrap(), cand["rank"].to_string());
        assert_eq!(t["data.sha256"].as_str().unwrap(), iris_sha);
        let m = kv(&c["data"]["metrics"]);
        assert_eq!(f(&m["accuracy_mean"]), f(&cand["mean_test_score"]));
        assert_eq!(f(&m["accuracy_std"]), f(&cand["std_test_score"]));
        let cid = c["info"]["run_id"].as_str().unwrap();
        let folds: Vec<(i64, f64)> = cand["split_test_scores"].as_array().unwrap().iter().enumerate().map(|(k, v)| (k as i64, f(v))).collect();
        assert_eq!(history(&server, cid, "accuracy"), folds, "child {i} folds");
        assert_eq!(c["info"]["status"], "FINISHED");
    }

    // ---- --register belongs to fit.
    let (code, out, err) = pipelab(&["cv", "--data", IRIS, "--spec", spec, "--mlflow", url, "--experiment", "pipelab-test", "--register", "x"]);
    assert_eq!(code, 2, "--register is for fit only: {err}");
    assert!(out.is_empty());
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("mlflow test took {:.1} s", t0.elapsed().as_secs_f64());
}

/// A TCP server that answers every request with `response` (or never, when `None`).
fn fake_server(response: Option<String>) -> (String, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let h = std::thread::spawn(move || {
        let mut held = Vec::new();
        l.set_nonblocking(false).unwrap();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(20) {
            let Ok((mut s, _)) = l.accept() else { break };
            let mut buf = [0u8; 65536];
            let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
            let _ = s.read(&mut buf);
            match response {
                Some(ref r) => {
                    let _ = s.write_all(r.as_bytes());
                    break;
                }
                None => held.push(s), // hold the connection open, never answer
            }
        }
    });
    (url, h)
}

fn cv_spec() -> String {
    let dir = tmpdir("fail");
    let p = dir.join("spec.json");
    std::fs::write(&p, r#"{"target":"species","model":{"LogisticRegression":{"max_iter":300}},"cv":{"StratifiedKFold":{"n_splits":3}}}"#).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn an_unreachable_server_does_not_stop_the_command() {
    let spec = cv_spec();
    let port = free_port(); // nothing listens there any more
    let url = format!("http://127.0.0.1:{port}");
    let (code, out, err) = pipelab(&["cv", "--data", IRIS, "--spec", &spec, "--mlflow", &url]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("the CV result is printed");
    assert!(v["metrics"]["accuracy"]["mean"].as_f64().unwrap() > 0.8);
    assert!(err.contains(&format!("pipelab: mlflow: not logged to {url}")), "{err}");
    assert!(err.contains("connection refused") || err.contains("unreachable"), "{err}");
    let (code, out, err) = pipelab(&["cv", "--data", IRIS, "--spec", &spec, "--mlflow", &url, "--mlflow-required"]);
    assert_eq!(code, 1, "{err}");
    assert!(serde_json::from_str::<Value>(&out).is_ok(), "the result is still printed: {out}");
    assert!(err.contains("--mlflow-required"), "{err}");
}

#[test]
fn a_slow_server_times_out_with_a_note() {
    let spec = cv_spec();
    let (url, _h) = fake_server(None);
    let t0 = Instant::now();
    let (code, out, err) = pipelab(&["cv", "--data", IRIS, "--spec", &spec, "--mlflow", &url, "--mlflow-timeout", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(serde_json::from_str::<Value>(&out).is_ok());
    assert!(err.contains("no answer within the timeout"), "{err}");
    assert!(t0.elapsed() < Duration::from_secs(15), "gave up after the timeout, not later");
}

#[test]
fn an_http_error_is_reported_with_its_status() {
    let spec = cv_spec();
    let body = r#"{"error_code":"TEMPORARILY_UNAVAILABLE","message":"down!!"}"#;
    let (url, _h) = fake_server(Some(format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )));
    let (code, _, err) = pipelab(&["cv", "--data", IRIS, "--spec", &spec, "--mlflow", &url, "--mlflow-required"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("HTTP 503 TEMPORARILY_UNAVAILABLE: down!!"), "{err}");
}

#[test]
fn other_schemes_are_refused_clearly() {
    // https:// is accepted (tests/interop/https_cli.rs); anything else is refused before any request.
    let spec = cv_spec();
    let (code, out, err) = pipelab(&["cv", "--data", IRIS, "--spec", &spec, "--mlflow", "file:///tmp/mlruns"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.is_empty());
    assert!(err.contains("not an http:// or https:// tracking URI"), "{err}");
    let (code, _, err) = pipelab(&["cv", "--data", IRIS, "--spec", &spec, "--mlflow", "databricks", "--mlflow-required"]);
    assert_eq!(code, 1);
    assert!(err.contains("not an http:// or https:// tracking URI"), "{err}");
    let (code, _, err) = pipelab(&["cv", "--data", IRIS, "--spec", &spec, "--experiment", "x"]);
    assert_eq!(code, 2, "a tracking flag without --mlflow is a usage error: {err}");
    assert!(err.contains("--experiment needs --mlflow"), "{err}");
}
