//! `pipelab serve`, driven over real HTTP/1.1 on 127.0.0.1 (a free port picked
//! by the server: `--port 0`, read back from its stdout line).
//!
//! For a model fitted on iris and one on titanic_like (categoricals, missing
//! values, booleans, dropped columns): every endpoint, every input format
//! (dataframe_split, dataframe_records, text/csv) scored against
//! `pipelab predict` on the same rows, malformed requests answered with a 4xx
//! naming the fault while the server keeps serving, 1,000 requests from 16
//! concurrent clients all equal to `pipelab predict`, then SIGTERM and a clean exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_pipelab");
const BODY_LIMIT: usize = 256 * 1024;

fn root(rel: &str) -> String {
    format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("pipelab-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

struct Server {
    child: Child,
    addr: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(model: &str) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--model", model, "--host", "127.0.0.1", "--port", "0", "--max-body-bytes", &BODY_LIMIT.to_string(), "--timeout-ms", "30000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().strip_prefix("pipelab serve: listening on http://").unwrap_or_else(|| panic!("unexpected first line {line:?}")).to_string();
        assert!(addr.starts_with("127.0.0.1:"), "{addr}");
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(l);
            }
        });
        Server { child, addr, log }
    }

    fn request(&self, method: &str, path: &str, ctype: Option<&str>, body: &[u8]) -> (u16, Value) {
        http(&self.addr, method, path, ctype, body)
    }

    /// SIGTERM, then a bounded wait for a clean exit.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "the server did not stop within 20 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "exit status after SIGTERM: {status}");
        std::thread::sleep(Duration::from_millis(100));
        let log = self.log.lock().unwrap();
        assert!(log.iter().any(|l| l.contains("SIGTERM")), "{log:?}");
        assert_eq!(log.last().map(String::as_str), Some("pipelab serve: stopped"));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on its own connection; the JSON answer (or the text as a JSON string).
fn http(addr: &str, method: &str, path: &str, ctype: Option<&str>, body: &[u8]) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if let Some(t) = ctype {
        head.push_str(&format!("Content-Type: {t}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before reading all of an oversized body.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    let body = if chunked { unchunk(body) } else { body.to_string() };
    let v = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, v)
}

fn unchunk(mut s: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = s.split_once("\r\n").unwrap();
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
}

/// A dataset read as text cells (header + rows), and `pipelab predict`'s answer for it.
struct Expected {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Per row: the prediction and the probabilities, as `pipelab predict` writes them.
    labels: Vec<String>,
    proba: Vec<Vec<f64>>,
}

fn expected(model: &str, data: &str) -> Expected {
    let out = Command::new(BIN).args(["predict", "--model", model, "--data", data]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut pred = csv::Reader::from_reader(&out.stdout[..]);
    let ph: Vec<String> = pred.headers().unwrap().iter().map(String::from).collect();
    let at = ph.iter().position(|h| h == "prediction").unwrap();
    let (mut labels, mut proba) = (Vec::new(), Vec::new());
    for r in pred.records() {
        let r = r.unwrap();
        labels.push(r[at].to_string());
        proba.push(r.iter().skip(at + 1).map(|x| x.parse::<f64>().unwrap()).collect());
    }
    let mut rdr = csv::Reader::from_path(data).unwrap();
    let header = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = rdr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows.len(), labels.len());
    Expected { header, rows, labels, proba }
}

/// A cell as a client would send it: numbers as JSON numbers in numeric columns,
/// empty cells as null, text as strings; `as_text` sends every cell as a string.
fn cell(text: &str, numeric: bool, as_text: bool) -> Value {
    if text.is_empty() {
        Value::Null
    } else if as_text || !numeric {
        Value::String(text.to_string())
    } else {
        serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_string()))
    }
}

#[derive(Clone, Copy, Debug)]
enum Format {
    Split,
    SplitText,
    Records,
    Csv,
}

/// The request body for `rows` (indices into `e.rows`) in `format`.
fn body(e: &Expected, numeric: &[bool], rows: &[usize], format: Format) -> (Option<&'static str>, Vec<u8>) {
    match format {
        Format::Split | Format::SplitText => {
            let as_text = matches!(format, Format::SplitText);
            let data: Vec<Value> = rows.iter().map(|&i| Value::Array(e.rows[i].iter().zip(numeric).map(|(c, &n)| cell(c, n, as_text)).collect())).collect();
            (Some("application/json"), json!({"dataframe_split": {"columns": e.header, "data": data}}).to_string().into_bytes())
        }
        Format::Records => {
            let recs: Vec<Value> = rows
                .iter()
                .map(|&i| Value::Object(e.header.iter().zip(&e.rows[i]).zip(numeric).map(|((h, c), &n)| (h.clone(), cell(c, n, false))).collect()))
                .collect();
            (Some("application/json; charset=utf-8"), json!({ "dataframe_records": recs }).to_string().into_bytes())
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&e.header).unwrap();
            for &i in rows {
                w.write_record(&e.rows[i]).unwrap();
            }
            (Some("text/csv"), w.into_inner().unwrap())
        }
    }
}

/// Checks an answer against `pipelab predict` row by row (exact: both print shortest round-trip floats).
fn check(e: &Expected, rows: &[usize], status: u16, v: &Value, what: &str) {
    assert_eq!(status, 200, "{what}: {v}");
    let preds = v["predictions"].as_array().unwrap_or_else(|| panic!("{what}: {v}"));
    assert_eq!(preds.len(), rows.len(), "{what}");
    for (k, &i) in rows.iter().enumerate() {
        match &preds[k] {
            Value::String(s) => assert_eq!(s, &e.labels[i], "{what}: row {i}"),
            Value::Number(x) => assert_eq!(x.as_f64(), e.labels[i].parse::<f64>().ok(), "{what}: row {i}"),
            other => panic!("{what}: row {i}: prediction {other}"),
        }
        if !e.proba[i].is_empty() {
            let got: Vec<f64> = v["probabilities"][k].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
            assert_eq!(got, e.proba[i], "{what}: probabilities of row {i}");
        }
    }
}

fn fit(data: &str, spec: &str, name: &str) -> String {
    let spec_path = tmp(&format!("{name}_spec.json"));
    std::fs::write(&spec_path, spec).unwrap();
    let model = tmp(&format!("{name}.json"));
    let out = Command::new(BIN).args(["fit", "--data", data, "--spec", &spec_path, "--out", &model, "--no-cv"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    model
}

/// Everything but the load test, for one model.
fn exercise(server: &Server, e: &Expected, numeric: &[bool], classes: Option<&[&str]>) {
    for path in ["/ping", "/health"] {
        assert_eq!(server.request("GET", path, None, b"").0, 200, "{path}");
    }
    let (st, v) = server.request("GET", "/version", None, b"");
    assert_eq!(st, 200);
    assert_eq!(v["format"], "pipelab-model");
    assert_eq!(v["pipelab_version"], env!("CARGO_PKG_VERSION"));
    let (st, schema) = server.request("GET", "/schema", None, b"");
    assert_eq!(st, 200);
    let inputs = schema["inputs"].as_array().unwrap();
    assert!(!inputs.is_empty());
    for c in inputs {
        let j = e.header.iter().position(|h| h == c["name"].as_str().unwrap()).unwrap();
        assert_eq!(c["type"] == "numeric", numeric[j], "{c}");
    }

    // Every row, in every format.
    let all: Vec<usize> = (0..e.rows.len()).collect();
    for format in [Format::Split, Format::SplitText, Format::Records, Format::Csv] {
        let (ct, b) = body(e, numeric, &all, format);
        let (st, v) = server.request("POST", "/invocations", ct, &b);
        check(e, &all, st, &v, &format!("{format:?}"));
        if let Some(cl) = classes {
            assert_eq!(v["classes"], json!(cl));
        } else {
            assert!(v.get("probabilities").is_none() && v.get("classes").is_none());
        }
    }

    // Faults: a 4xx naming what is wrong, and the server keeps serving.
    // The first numeric column the model reads (not an ignored ID or target).
    let num_at = (0..e.header.len()).find(|&j| numeric[j] && inputs.iter().any(|c| c["name"] == e.header[j].as_str())).unwrap();
    let first_numeric = e.header[num_at].clone();
    let row = |i: usize| Value::Array(e.rows[i].iter().zip(numeric).map(|(c, &n)| cell(c, n, false)).collect());
    let mut bad_cell = vec![row(0), row(1), row(2)];
    bad_cell[2][num_at] = json!("twelve");
    let mut short = vec![row(0), row(1)];
    short[1].as_array_mut().unwrap().pop();
    let mut unknown_cols = e.header.clone();
    unknown_cols.push("bogus_column".into());
    let mut unknown_row = row(0);
    unknown_row.as_array_mut().unwrap().push(json!(1));
    let input_name = inputs[0]["name"].as_str().unwrap().to_string();
    let missing_cols: Vec<String> = e.header.iter().filter(|h| **h != input_name).cloned().collect();
    let missing_row: Vec<Value> = e.header.iter().zip(row(0).as_array().unwrap()).filter(|(h, _)| **h != input_name).map(|(_, v)| v.clone()).collect();
    let cases: Vec<(u16, &str, Option<&str>, Vec<u8>, Vec<String>)> = vec![
        (400, "BAD_REQUEST", Some("application/json"), b"{\"dataframe_split\": {\"columns\": [".to_vec(), vec!["not valid JSON".into(), "line 1".into()]),
        (400, "BAD_REQUEST", Some("application/json"), b"[1, 2, 3]".to_vec(), vec!["dataframe_split".into()]),
        (400, "BAD_REQUEST", Some("application/json"), json!({"instances_typo": []}).to_string().into_bytes(), vec!["instances_typo".into()]),
        (
            400,
            "BAD_REQUEST",
            Some("application/json"),
            json!({"dataframe_split": {"columns": e.header, "data": short}}).to_string().into_bytes(),
            vec!["row 2".into()],
        ),
        (400, "BAD_REQUEST", Some("application/json"), json!({"dataframe_split": {"columns": e.header}}).to_string().into_bytes(), vec!["data".into()]),
        (400, "BAD_REQUEST", Some("application/json"), json!({"dataframe_records": [row(0)]}).to_string().into_bytes(), vec!["row 1".into(), "object".into()]),
        (
            400,
            "INVALID_PARAMETER_VALUE",
            Some("application/json"),
            json!({"dataframe_split": {"columns": e.header, "data": bad_cell}}).to_string().into_bytes(),
            vec![format!("'{first_numeric}'"), "row 3".into(), "twelve".into()],
        ),
        (
            400,
            "INVALID_PARAMETER_VALUE",
            Some("application/json"),
            json!({"dataframe_split": {"columns": unknown_cols, "data": [unknown_row]}}).to_string().into_bytes(),
            vec!["'bogus_column'".into(), "unknown column".into()],
        ),
        (
            400,
            "INVALID_PARAMETER_VALUE",
            Some("application/json"),
            json!({"dataframe_split": {"columns": missing_cols, "data": [missing_row]}}).to_string().into_bytes(),
            vec![format!("'{input_name}'"), "missing".into()],
        ),
        (
            400,
            "INVALID_PARAMETER_VALUE",
            Some("text/csv"),
            {
                let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
                w.write_record(&e.header).unwrap();
                w.write_record(&e.rows[1]).unwrap();
                w.write_record(e.rows[0].iter().map(String::as_str).chain(["extra"])).unwrap();
                w.into_inner().unwrap()
            },
            vec!["CSV line 3".into(), "too many".into()],
        ),
        (415, "BAD_REQUEST", Some("application/x-www-form-urlencoded"), b"a=1".to_vec(), vec!["text/csv".into()]),
        (415, "BAD_REQUEST", None, b"{}".to_vec(), vec!["Content-Type".into()]),
        (413, "RESOURCE_LIMIT_EXCEEDED", Some("text/csv"), vec![b'1'; BODY_LIMIT + 4096], vec!["--max-body-bytes".into()]),
    ];
    for (want, code, ct, b, needles) in cases {
        let (st, v) = server.request("POST", "/invocations", ct, &b);
        assert_eq!(st, want, "{v}");
        assert_eq!(v["error_code"], code, "{v}");
        let msg = v["message"].as_str().unwrap();
        for n in &needles {
            assert!(msg.contains(n.as_str()), "{msg:?} should contain {n:?}");
        }
        assert_eq!(server.request("GET", "/ping", None, b"").0, 200, "the server stopped serving after {msg}");
    }
    let (st, v) = server.request("GET", "/nope", None, b"");
    assert_eq!((st, v["error_code"].as_str()), (404, Some("ENDPOINT_NOT_FOUND")));
    // Still scoring correctly after the faults.
    let (ct, b) = body(e, numeric, &[5, 6], Format::Split);
    let (st, v) = server.request("POST", "/invocations", ct, &b);
    check(e, &[5, 6], st, &v, "after faults");
}

/// 1,000 requests from 16 concurrent clients, each checked against `pipelab predict`.
fn load(server: &Server, e: &Expected, numeric: &[bool]) {
    let n = e.rows.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for client in 0..16 {
            let done = &done;
            s.spawn(move || {
                for k in (client..1000).step_by(16) {
                    let start = (k * 37) % n;
                    let len = 1 + (k % 25);
                    let rows: Vec<usize> = (start..start + len).map(|i| i % n).collect();
                    let format = [Format::Split, Format::Records, Format::Csv, Format::SplitText][k % 4];
                    let (ct, b) = body(e, numeric, &rows, format);
                    let (st, v) = server.request("POST", "/invocations", ct, &b);
                    check(e, &rows, st, &v, &format!("request {k} ({format:?})"));
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(done.into_inner(), 1000);
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log.lock().unwrap();
    let ok_lines = log.iter().filter(|l| l.starts_with("pipelab serve: POST /invocations 200 rows=") && l.ends_with("ms")).count();
    assert!(ok_lines >= 1000, "one log line per request: {ok_lines} lines for the 1,000 requests");
}

#[test]
fn serves_an_iris_classifier() {
    let data = root("www/datasets/iris.csv");
    let model = fit(&data, r#"{"target": "species", "steps": [{"StandardScaler": {}}], "model": {"LogisticRegression": {}}}"#, "iris");
    let e = expected(&model, &data);
    let numeric = [true, true, true, true, false];
    let server = Server::start(&model);
    exercise(&server, &e, &numeric, Some(&["setosa", "versicolor", "virginica"]));
    load(&server, &e, &numeric);
    server.stop();
}

#[test]
fn serves_a_titanic_pipeline_with_categoricals_and_missing_values() {
    let data = root("www/datasets/titanic_like.csv");
    let spec = r#"{"target": "survived", "drop": ["passenger_id", "name"],
      "preprocess": {"transformers": [
        {"name": "num", "columns": {"dtype": "numeric"}, "steps": [{"SimpleImputer": {"strategy": "median"}}, {"StandardScaler": {}}]},
        {"name": "cat", "columns": {"dtype": "categorical"}, "steps": [{"SimpleImputer": {"strategy": "most_frequent"}}, {"OneHotEncoder": {"handle_unknown": "ignore"}}]},
        {"name": "flags", "columns": {"dtype": "boolean"}}], "remainder": "drop"},
      "steps": [{"PolynomialFeatures": {"degree": 2, "interaction_only": true}}],
      "model": {"LogisticRegression": {"C": 1.0, "max_iter": 1000}}}"#;
    let model = fit(&data, spec, "titanic");
    let e = expected(&model, &data);
    assert!(e.rows.iter().any(|r| r.iter().any(|c| c.is_empty())), "the data should have missing cells");
    // passenger_id,pclass,name,sex,age,sibsp,parch,fare,embarked,has_cabin,survived
    let numeric = [true, true, false, false, true, true, true, true, false, false, true];
    let server = Server::start(&model);
    exercise(&server, &e, &numeric, Some(&["0", "1"]));
    load(&server, &e, &numeric);
    server.stop();
}

#[test]
fn serves_a_regressor() {
    let data = root("www/datasets/diabetes.csv");
    let model = fit(&data, r#"{"target": "target", "steps": [{"StandardScaler": {}}], "model": {"Ridge": {"alpha": 1.0}}}"#, "diabetes");
    let e = expected(&model, &data);
    let numeric = vec![true; e.header.len()];
    let server = Server::start(&model);
    let all: Vec<usize> = (0..e.rows.len()).collect();
    for format in [Format::Split, Format::Records, Format::Csv] {
        let (ct, b) = body(&e, &numeric, &all, format);
        let (st, v) = server.request("POST", "/invocations", ct, &b);
        check(&e, &all, st, &v, &format!("{format:?}"));
        assert!(v.get("probabilities").is_none() && v.get("classes").is_none());
    }
    server.stop();
}
