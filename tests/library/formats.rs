//! Data formats besides CSV (issue 18), natively: every fixture yields the same
//! table as its CSV export (same profile JSON, same CV scores, same model file),
//! the hostile-format catalogue gives its messages, and the CLI reads every
//! format (`--sheet`, `--table`, `--query`, an http:// URL).
use std::process::Command;

use crate::format_cases::{CASES, SAME_AS_CSV};
use pipelab::api::{self, SourceOptions};
use pipelab::data::{ColumnType, Table};
use pipelab::selection::cv::CvHooks;

fn load(name: &str, bytes: &[u8], source: &str) -> pipelab::Result<Table> {
    let source: SourceOptions = serde_json::from_str(source).unwrap();
    api::load_data(bytes, name, &source, "").map(|(t, _)| t)
}

fn spec_for(name: &str) -> &'static str {
    if name.starts_with("iris") {
        r#"{"target":"species","model":{"LogisticRegression":{}},"cv":{"StratifiedKFold":{"n_splits":5}}}"#
    } else {
        r#"{"target":"survived","drop":["name","passenger_id"],"preprocess":{"transformers":[
        {"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{"strategy":"median"}},{"StandardScaler":{}}]},
        {"name":"cat","columns":{"dtype":"categorical"},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}},{"OneHotEncoder":{"handle_unknown":"ignore"}}]}],"remainder":"passthrough"},
        "model":{"LogisticRegression":{"C":0.5}},"cv":{"StratifiedKFold":{"n_splits":3}}}"#
    }
}

#[test]
fn every_format_reads_as_its_csv_export() {
    for ((name, bytes), (csv_name, csv), _) in SAME_AS_CSV {
        let t = load(name, bytes, "{}").unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = load(csv_name, csv, "{}").unwrap();
        assert_eq!(t, want, "{name} reads as {csv_name}");
        let p = serde_json::to_string(&api::profile(&t, &Default::default())).unwrap();
        assert_eq!(p, serde_json::to_string(&api::profile(&want, &Default::default())).unwrap(), "{name}: profile");
    }
}

#[test]
fn same_cv_scores_and_model_file_as_the_csv_export() {
    let now = || 0.0;
    for ((name, bytes), (csv_name, csv), _) in SAME_AS_CSV.iter().filter(|c| !c.0 .0.starts_with("types")) {
        let spec = spec_for(name);
        let (t, want) = (load(name, bytes, "{}").unwrap(), load(csv_name, csv, "{}").unwrap());
        let a = api::cross_validate(&t, spec, CvHooks { now_ms: &now, progress: &mut |_, _| true }).unwrap();
        let b = api::cross_validate(&want, spec, CvHooks { now_ms: &now, progress: &mut |_, _| true }).unwrap();
        assert_eq!(serde_json::to_string(&api::CvSummary::of(&a)).unwrap(), serde_json::to_string(&api::CvSummary::of(&b)).unwrap(), "{name}: CV");
        let ma = api::fit_model(&t, spec, Some(&a)).unwrap().to_json().unwrap();
        let mb = api::fit_model(&want, spec, Some(&b)).unwrap().to_json().unwrap();
        assert!(ma == mb, "{name}: the model files differ");
    }
}

#[test]
fn parquet_types_come_from_the_schema() {
    let ((name, bytes), _, _) = SAME_AS_CSV.iter().find(|c| c.0 .0 == "types.parquet").unwrap();
    let t = load(name, bytes, "{}").unwrap();
    let ty: Vec<(String, ColumnType)> = t.columns.iter().map(|c| (c.name.clone(), c.data.column_type())).collect();
    let want = [
        ("day", ColumnType::Categorical),
        ("at", ColumnType::Categorical),
        ("price", ColumnType::Numeric),
        ("small", ColumnType::Numeric),
        ("f32", ColumnType::Numeric),
        ("city", ColumnType::Categorical),
        ("flag", ColumnType::Boolean),
    ];
    assert_eq!(ty, want.map(|(n, t)| (n.to_string(), t)));
    let c = api::convert(bytes, name, &SourceOptions::default()).unwrap();
    assert_eq!(c.n_rows, 3);
    assert!(c.csv.starts_with("day,at,price,small,f32,city,flag\n2020-01-01,2020-01-01 12:30:05,12.34,1,0.1,Paris,True\n"), "{}", c.csv);
}

#[test]
fn sheets_tables_and_queries_are_chosen() {
    let ((_, iris_db), _, _) = SAME_AS_CSV.iter().find(|c| c.0 .0 == "iris.sqlite").unwrap();
    let two_sheets = include_bytes!("../fixtures/formats/two_sheets.xlsx");
    let two_tables = include_bytes!("../fixtures/formats/two_tables.sqlite");
    assert_eq!(api::data_parts(two_sheets, "b.xlsx").unwrap(), ["first", "second"]);
    assert_eq!(api::data_parts(two_tables, "d.sqlite").unwrap(), ["blobs", "iris", "people"]);
    let first = load("b.xlsx", two_sheets, r#"{"sheet": "first"}"#).unwrap();
    assert_eq!(
        (first.n_rows, first.names()),
        (5, vec!["sepal_length", "sepal_width", "petal_length", "petal_width", "species"].into_iter().map(String::from).collect::<Vec<_>>())
    );
    let second = load("b.xlsx", two_sheets, r#"{"sheet": "second"}"#).unwrap();
    assert_eq!((second.n_rows, second.n_cols()), (5, 11));
    let no_header = load("b.xlsx", two_sheets, r#"{"sheet": "first", "header": false}"#).unwrap();
    assert_eq!((no_header.n_rows, no_header.columns[0].name.as_str()), (6, "column_1"));
    let people = load("d.sqlite", two_tables, r#"{"table": "people"}"#).unwrap();
    assert_eq!(people.n_rows, 5);
    let q = load("d.sqlite", two_tables, r#"{"query": "SELECT species, COUNT(*) AS n FROM iris GROUP BY species ORDER BY species"}"#).unwrap();
    assert_eq!(q.n_rows, 3);
    assert_eq!(q.columns[1].data.column_type(), ColumnType::Numeric);
    // The single table of a database is read without asking; the query equals the table.
    let whole = load("iris.sqlite", iris_db, "{}").unwrap();
    assert_eq!(load("iris.sqlite", iris_db, r#"{"query": "SELECT * FROM iris"}"#).unwrap(), whole);
}

#[test]
fn hostile_formats_give_their_messages() {
    let mut failures = Vec::new();
    for case in CASES {
        match load(case.file.0, case.file.1, case.source) {
            Ok(_) => failures.push(format!("{}: read without an error", case.name)),
            Err(e) if e.to_string().starts_with(case.expect) => {}
            Err(e) => failures.push(format!("{}: got {e:?}\n   want {:?}...", case.name, case.expect)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_prefix_of_a_parquet_file_fails_cleanly() {
    // The reader never panics: every truncation is an error (or, for the whole file, the table).
    let ((name, bytes), _, _) = SAME_AS_CSV[0];
    for n in (0..bytes.len()).step_by(97) {
        let r = load(name, &bytes[..n], "{}");
        assert!(matches!(r, Err(pipelab::Error::Format { .. }) | Err(pipelab::Error::Csv(_))), "prefix {n}: {r:?}");
    }
}

#[test]
fn seeded_mutations_of_every_format_fail_cleanly() {
    // The fuzz property (fuzz/fuzz_targets/read_formats.rs) on seeded mutations of every
    // fixture: flipped, deleted and inserted bytes and truncations never panic; a read
    // either gives a table or an error that says something.
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
    let mut n = 0;
    let files = SAME_AS_CSV.iter().map(|(file, _, _)| *file).chain(CASES.iter().map(|c| c.file));
    for (name, bytes) in files {
        for _ in 0..40 {
            let mut b = bytes.to_vec();
            for _ in 0..rng.random_range(1..6) {
                let at = rng.random_range(0..b.len().max(1));
                match rng.random_range(0..4) {
                    0 if !b.is_empty() => b[at] ^= 1 << rng.random_range(0..8),
                    1 if !b.is_empty() => {
                        b.remove(at);
                    }
                    2 => b.insert(at.min(b.len()), rng.random()),
                    _ => b.truncate(at),
                }
            }
            if let Err(violation) = pipelab::data::formats::check_reader_on(name, &b) {
                panic!("{name}, mutation {n}: {violation}");
            }
            n += 1;
        }
    }
    assert!(n > 500, "{n} mutations");
}

// ---- the CLI ----

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
    let (code, out, err) = pipelab(&["search", "--data", &format!("{F}iris.parquet"), "--spec", &spec, "--threads", "1"]);
    assert_eq!(code, 0, "search: {err}");
    assert!(out.contains("\"best\"") || out.contains("best"), "{out}");
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
    let (code, _, err) = pipelab(&["profile", "--data", "https://example.com/data.parquet"]);
    assert_eq!(code, 1);
    assert!(err.contains("plain http:// only") && err.contains("curl -O"), "{err}");
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
