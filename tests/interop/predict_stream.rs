//! Streamed batch prediction (`pipelab predict`, `api::PredictStream`): the
//! output is byte-identical to the whole-file prediction (`api::predict_csv`)
//! on every shared dataset, at every batch size and however the bytes are cut;
//! errors name the file's line and row, as the whole-file read names them.

use std::io::Write;
use std::process::{Command, Stdio};

use pipelab::api;
use pipelab::persist::ModelFile;

fn root(rel: &str) -> String {
    format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("pipelab-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

fn fit(data: &[u8], spec: &str) -> ModelFile {
    let (table, _) = api::load_table(data, "").unwrap();
    api::fit_model(&table, spec, None).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// Streams `data` through a model in batches of `rows`, fed in pieces of `piece` bytes.
fn streamed(model: &ModelFile, data: &[u8], rows: usize, piece: usize) -> pipelab::Result<String> {
    let mut s = api::PredictStream::with_batch(model, rows, 1 << 20);
    let mut out = String::new();
    for p in data.chunks(piece) {
        out.push_str(&s.feed(p)?);
    }
    out.push_str(&s.finish()?);
    Ok(out)
}

const TITANIC_SPEC: &str = r#"{"target": "survived", "drop": ["passenger_id", "name"],
  "preprocess": {"transformers": [
    {"name": "num", "columns": {"dtype": "numeric"}, "steps": [{"SimpleImputer": {"strategy": "median"}}, {"StandardScaler": {}}]},
    {"name": "cat", "columns": {"dtype": "categorical"}, "steps": [{"SimpleImputer": {"strategy": "most_frequent"}}, {"OneHotEncoder": {"handle_unknown": "ignore"}}]},
    {"name": "flags", "columns": {"dtype": "boolean"}}], "remainder": "drop"},
  "steps": [{"PolynomialFeatures": {"degree": 2, "interaction_only": true}}],
  "model": {"LogisticRegression": {"C": 1.0, "max_iter": 1000}}}"#;

/// One model per shared dataset, covering matrix products (logistic, PCA, polynomial
/// features), neighbours, trees, SVMs, categoricals and missing values.
fn dataset_specs() -> Vec<(&'static str, String)> {
    vec![
        ("iris", r#"{"target": "species", "steps": [{"StandardScaler": {}}], "model": {"LogisticRegression": {}}}"#.to_string()),
        ("titanic_like", TITANIC_SPEC.to_string()),
        (
            "wine",
            r#"{"target": "class", "steps": [{"StandardScaler": {}}, {"PCA": {"n_components": 5}}], "model": {"KNeighborsClassifier": {"n_neighbors": 7}}}"#
                .to_string(),
        ),
        ("breast_cancer", r#"{"target": "diagnosis", "steps": [{"StandardScaler": {}}], "model": {"SVC": {}}}"#.to_string()),
        (
            "diabetes",
            r#"{"target": "target", "steps": [{"StandardScaler": {}}, {"PolynomialFeatures": {"degree": 2}}], "model": {"LinearRegression": {}}}"#.to_string(),
        ),
        (
            "housing_like",
            r#"{"target": "price", "preprocess": {"transformers": [
              {"name": "num", "columns": {"dtype": "numeric"}, "steps": [{"SimpleImputer": {"strategy": "median"}}, {"StandardScaler": {}}]},
              {"name": "cat", "columns": {"dtype": "categorical"}, "steps": [{"OneHotEncoder": {}}]}]},
              "model": {"RandomForestRegressor": {"n_estimators": 10, "max_depth": 6}}}"#
                .to_string(),
        ),
    ]
}

#[test]
fn streamed_equals_whole_file_on_every_shared_dataset() {
    for (name, spec) in dataset_specs() {
        let data = std::fs::read(root(&format!("www/datasets/{name}.csv"))).unwrap();
        let model = fit(&data, &spec);
        let whole = api::predict_csv(&model, &data).unwrap();
        assert!(whole.lines().count() > 100, "{name}");
        for (rows, piece) in [(1, 997), (7, 4096), (64, 1), (1000, 65536), (100_000, data.len())] {
            if piece == 1 && data.len() > 100_000 {
                continue; // byte-at-a-time feeding only on the smaller files
            }
            let s = streamed(&model, &data, rows, piece).unwrap_or_else(|e| panic!("{name} rows={rows} piece={piece}: {e}"));
            assert!(s == whole, "{name}: batches of {rows} rows fed in {piece}-byte pieces differ from the whole-file prediction");
        }
    }
}

#[test]
fn cli_streams_files_and_stdin_byte_identically() {
    let data_path = root("www/datasets/titanic_like.csv");
    let data = std::fs::read(&data_path).unwrap();
    let model = fit(&data, TITANIC_SPEC);
    let model_path = tmp("titanic.json");
    std::fs::write(&model_path, model.to_json().unwrap()).unwrap();
    let whole = api::predict_csv(&model, &data).unwrap();
    let bin = env!("CARGO_BIN_EXE_pipelab");

    let out_path = tmp("titanic_pred.csv");
    let st = Command::new(bin).args(["predict", "--model", &model_path, "--data", &data_path, "--out", &out_path]).status().unwrap();
    assert!(st.success());
    assert!(std::fs::read_to_string(&out_path).unwrap() == whole, "--data FILE --out FILE");

    for args in [vec!["--out", "-"], vec![]] {
        let mut child = Command::new(bin)
            .args(["predict", "--model", &model_path, "--data", "-"])
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = data.clone();
        let feeder = std::thread::spawn(move || {
            for p in data.chunks(1000) {
                stdin.write_all(p).unwrap();
            }
        });
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8(out.stdout).unwrap() == whole, "stdin → stdout ({args:?})");
    }
}

/// A generated file of 40,000 rows: five batches of `STREAM_BATCH_ROWS` through the CLI.
#[test]
fn cli_streams_a_file_of_many_batches() {
    let bin = env!("CARGO_BIN_EXE_pipelab");
    let data_path = tmp("gen.csv");
    let st = Command::new(bin)
        .args(["generate", "--task", "classification", "--rows", "40000", "--cols", "8", "--seed", "3", "--classes", "3", "--out", &data_path])
        .status()
        .unwrap();
    assert!(st.success());
    let data = std::fs::read(&data_path).unwrap();
    let model = fit(&data, r#"{"target": "y", "steps": [{"StandardScaler": {}}], "model": {"LogisticRegression": {}}}"#);
    let model_path = tmp("gen_model.json");
    std::fs::write(&model_path, model.to_json().unwrap()).unwrap();
    let whole = api::predict_csv(&model, &data).unwrap();
    const { assert!(40_000 > 4 * api::STREAM_BATCH_ROWS) };
    let out = Command::new(bin).args(["predict", "--model", &model_path, "--data", &data_path]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout.len(), whole.len());
    assert!(out.stdout == whole.as_bytes(), "the streamed CLI output differs from the whole-file prediction");
    let _ = std::fs::remove_file(&data_path);
}

/// Every fault gives the same message streamed (in batches of 10 rows, so the
/// fault sits in a later batch) as when the whole file is read at once.
#[test]
fn errors_name_the_files_line_and_row() {
    let iris = std::fs::read_to_string(root("www/datasets/iris.csv")).unwrap();
    let strict = r#"{"target": "species", "preprocess": {"transformers": [
        {"name": "num", "columns": {"names": ["sepal_length", "sepal_width", "petal_length"]}},
        {"name": "cat", "columns": {"names": ["kind"]}, "steps": [{"OneHotEncoder": {}}]}]},
        "model": {"LogisticRegression": {}}}"#;
    let mut lines: Vec<String> = iris.lines().map(String::from).collect();
    lines[0].push_str(",kind");
    for (i, l) in lines.iter_mut().enumerate().skip(1) {
        l.push_str(if i % 2 == 0 { ",a" } else { ",b" });
    }
    let base = lines.join("\n") + "\n";
    let model = fit(base.as_bytes(), strict);

    let with_line = |k: usize, text: &str| {
        let mut l = lines.clone();
        l[k] = text.to_string();
        l.join("\n") + "\n"
    };
    let cases = [
        // a number column holding text on line 58 (row 57)
        (with_line(57, "5.1,abc,1.4,0.2,setosa,a"), vec!["line 58", "row 57", "\"abc\""]),
        // a ragged row
        (with_line(91, "5.1,3.5"), vec!["line 92"]),
        // a category the encoder never saw (row 120)
        (with_line(120, "5.1,3.5,1.4,0.2,setosa,zzz"), vec!["row 120", "zzz"]),
        // an unterminated quote
        (with_line(133, "5.1,3.5,1.4,0.2,setosa,\"open"), vec!["line 134"]),
        // a missing column
        (base.replace(",kind", ",other"), vec!["'kind'"]),
    ];
    for (text, wants) in cases {
        let whole = api::predict_csv(&model, text.as_bytes()).unwrap_err().to_string();
        let stream = streamed(&model, text.as_bytes(), 10, 333).unwrap_err().to_string();
        assert_eq!(stream, whole, "streamed and whole-file errors differ");
        for w in wants {
            assert!(whole.contains(w), "{whole:?} should name {w}");
        }
    }

    // The CLI exits 1 with that message and leaves no partial output file.
    let bad = tmp("bad.csv");
    std::fs::write(&bad, with_line(120, "5.1,3.5,1.4,0.2,setosa,zzz")).unwrap();
    let model_path = tmp("strict.json");
    std::fs::write(&model_path, model.to_json().unwrap()).unwrap();
    let out_path = tmp("bad_pred.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(["predict", "--model", &model_path, "--data", &bad, "--out", &out_path]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row 120") && err.contains("zzz"), "{err}");
    assert!(!std::path::Path::new(&out_path).exists(), "a failed prediction must not leave a partial file");
}

#[test]
fn blank_lines_crlf_bom_and_quoted_newlines_across_batches() {
    let iris = std::fs::read_to_string(root("www/datasets/iris.csv")).unwrap();
    let spec = r#"{"target": "species", "model": {"LogisticRegression": {}}}"#;
    let model = fit(iris.as_bytes(), spec);
    let mut text = String::from("\u{feff}\r\n");
    for (i, l) in iris.lines().enumerate() {
        text.push_str(l);
        text.push_str(if i % 3 == 0 { "\r\n" } else { "\n" });
        if i % 17 == 0 {
            text.push_str("\n  \n");
        }
    }
    let whole = api::predict_csv(&model, text.as_bytes()).unwrap();
    for (rows, piece) in [(1, 1), (5, 50), (33, 7)] {
        assert!(streamed(&model, text.as_bytes(), rows, piece).unwrap() == whole, "rows={rows} piece={piece}");
    }
    // Quoted fields with the delimiter, quotes and newlines inside (titanic's names), cut everywhere.
    let t = std::fs::read_to_string(root("www/datasets/titanic_like.csv")).unwrap();
    let t = t.replacen("Braund, Mr. Owen Harris", "Braund,\nMr. \"\"Owen\"\"\r\nHarris", 1);
    let model = fit(t.as_bytes(), TITANIC_SPEC);
    let whole = api::predict_csv(&model, t.as_bytes()).unwrap();
    for (rows, piece) in [(1, 3), (2, 11), (9, 1)] {
        assert!(streamed(&model, t.as_bytes(), rows, piece).unwrap() == whole, "titanic rows={rows} piece={piece}");
    }
}
