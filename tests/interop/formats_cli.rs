//! The CLI reads every format (issue 18): `profile`, `cv`, `fit`, `predict`, `drift` and
//! `search` on a Parquet, Excel, JSON or SQLite file print what they print for the file's
//! CSV export; `--sheet`, `--table`, `--query`, an `http://` URL and their errors
//! (`https://`: tests/interop/https_cli.rs).

use std::process::Command;

use crate::support::format_spec as spec_for;

fn pipelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("pipelab-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

const F: &str = "tests/fixtures/formats/";

#[test]
fn cli_profile_cv_fit_predict_drift_read_every_format() {
    let spec = tmp("spec.json");
    std::fs::write(&spec, spec_for("iris")).unwrap();
    let csv = format!("{F}iris.csv");
    let (code, want_profile, err) = pipelab(&["profile", "--data", &csv]);
    assert_eq!(code, 0, "{err}");
    let (code, want_cv, err) = pipelab(&["cv", "--data", &csv, "--spec", &spec]);
    assert_eq!(code, 0, "{err}");
    let model = tmp("iris_model.json");
    let (code, _, err) = pipelab(&["fit", "--data", &csv, "--spec", &spec, "--out", &model]);
    assert_eq!(code, 0, "{err}");
    let want_model = std::fs::read_to_string(&model).unwrap();
    let (code, want_pred, err) = pipelab(&["predict", "--model", &model, "--data", &csv]);
    assert_eq!(code, 0, "{err}");
    let (code, want_drift, err) = pipelab(&["drift", "--model", &model, "--data", &csv]);
    assert_eq!(code, 0, "{err}");
    for file in ["iris.parquet", "iris.zstd.parquet", "iris.xlsx", "iris.jsonl", "iris.json", "iris.sqlite"] {
        let data = format!("{F}{file}");
        let (code, out, err) = pipelab(&["profile", "--data", &data]);
        assert_eq!((code, out.as_str()), (0, want_profile.as_str()), "profile {file}: {err}");
        let (code, out, err) = pipelab(&["cv", "--data", &data, "--spec", &spec]);
        assert_eq!((code, out.as_str()), (0, want_cv.as_str()), "cv {file}: {err}");
        let m = tmp(&format!("{file}.model.json"));
        let (code, _, err) = pipelab(&["fit", "--data", &data, "--spec", &spec, "--out", &m]);
        assert_eq!(code, 0, "fit {file}: {err}");
        assert!(std::fs::read_to_string(&m).unwrap() == want_model, "fit {file}: the model file differs");
        let (code, out, err) = pipelab(&["predict", "--model", &model, "--data", &data]);
        assert_eq!((code, out.as_str()), (0, want_pred.as_str()), "predict {file}: {err}");
        let (code, out, err) = pipelab(&["drift", "--model", &model, "--data", &data]);
        assert_eq!((code, out.as_str()), (0, want_drift.as_str()), "drift {file}: {err}");
    }
    let search = tmp("search.json");
    std::fs::write(
        &search,
        r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":500}},"cv":{"StratifiedKFold":{"n_splits":3}},
        "search":{"GridSearchCV":{"param_grid":{"model__C":[0.1,1,10]},"scoring":"accuracy"}}}"#,
    )
    .unwrap();
    let (code, want, err) = pipelab(&["search", "--data", &csv, "--spec", &search, "--threads", "1"]);
    assert_eq!(code, 0, "search: {err}");
    let (code, out, err) = pipelab(&["search", "--data", &format!("{F}iris.parquet"), "--spec", &search, "--threads", "1"]);
    assert_eq!(code, 0, "search: {err}");
    let strip = |s: &str| s.lines().filter(|l| !l.contains("_time")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&out), strip(&want), "search on Parquet and on its CSV export");
}

#[test]
fn cli_sheet_table_query_and_errors() {
    let (code, out, err) = pipelab(&["summary", "--data", &format!("{F}two_sheets.xlsx"), "--sheet", "second"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"n_rows\": 5") && out.contains("\"n_cols\": 11"), "{out}");
    let (code, _, err) = pipelab(&["summary", "--data", &format!("{F}two_sheets.xlsx")]);
    assert_eq!(code, 1);
    assert!(err.contains("two_sheets.xlsx: Excel: the workbook has 2 sheets ('first' and 'second'): choose one (--sheet NAME"), "{err}");
    let (code, out, err) = pipelab(&["summary", "--data", &format!("{F}two_tables.sqlite"), "--query", "SELECT * FROM iris WHERE species = 'setosa'"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"n_rows\": 50"), "{out}");
    let (code, _, err) = pipelab(&["summary", "--data", &format!("{F}two_tables.sqlite"), "--query", "UPDATE iris SET species = 'x'"]);
    assert_eq!(code, 1);
    assert!(err.contains("SQLite query: starts with UPDATE: only a read-only SELECT can be run"), "{err}");
    let (code, _, err) = pipelab(&["profile", "--data", &format!("{F}bad_truncated.parquet")]);
    assert_eq!(code, 1);
    assert!(err.contains("Parquet: the file is truncated or not Parquet"), "{err}");
}

/// Serves `body` to every GET on a free port (until the test process ends).
fn serve(body: Vec<u8>, status: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(s, "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = s.write_all(&body);
        }
    });
    format!("http://{addr}")
}

#[test]
fn cli_reads_an_http_url() {
    let (code, want, err) = pipelab(&["profile", "--data", &format!("{F}titanic.csv")]);
    assert_eq!(code, 0, "{err}");
    let base = serve(std::fs::read(format!("{F}titanic.parquet")).unwrap(), "200 OK");
    let (code, out, err) = pipelab(&["profile", "--data", &format!("{base}/export/titanic.parquet?version=2")]);
    assert_eq!((code, out.as_str()), (0, want.as_str()), "{err}");
    // An API answering JSON: detected from the content, whatever the path.
    let base = serve(std::fs::read(format!("{F}titanic.json")).unwrap(), "200 OK");
    let (code, out, err) = pipelab(&["profile", "--data", &format!("{base}/api/passengers")]);
    assert_eq!((code, out.as_str()), (0, want.as_str()), "{err}");
    let base = serve(b"gone".to_vec(), "404 Not Found");
    let (code, _, err) = pipelab(&["profile", "--data", &format!("{base}/x.csv")]);
    assert_eq!(code, 1);
    assert!(err.contains("the server answered HTTP 404"), "{err}");
}
