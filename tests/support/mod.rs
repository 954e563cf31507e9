//! Shared helpers for the native integration tests: the scikit-learn oracle
//! (tests/fixtures/reference_shared.json, a copy of ../shared/oracle/) and the datasets.
#![allow(dead_code)]

use pipelab::data::{read_csv, ReadOptions, Table};
use pipelab::pipeline::PipelineSpec;
use pipelab::selection::cv::{cross_validate, CvHooks, CvReport};
use serde_json::Value;

/// A committed JSON fixture (path relative to the crate root). Python's json
/// writes non-finite numbers as bare `Infinity` / `-Infinity` (ROC thresholds),
/// which is not JSON: they are quoted as "inf" / "-inf" (read them with [`floats`]).
pub fn json_fixture(rel_path: &str) -> Value {
    let path = format!("{}/{rel_path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = text.replace("-Infinity", "\"-inf\"").replace("Infinity", "\"inf\"");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON once Infinity is quoted: {e}"))
}

/// The scikit-learn oracle (tests/fixtures/reference_shared.json, a byte-identical copy of ../shared/oracle/).
pub fn oracle() -> Value {
    json_fixture("tests/fixtures/reference_shared.json")
}

/// The oracle entry `name`.
pub fn entry(name: &str) -> Value {
    oracle()["entries"][name].clone()
}

pub fn dataset(name: &str) -> Table {
    let path = format!("{}/www/datasets/{name}.csv", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("dataset is committed");
    read_csv(&bytes, &ReadOptions::default()).expect("dataset parses").0
}

pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| match x.as_str() {
            Some("inf") => f64::INFINITY,
            Some("-inf") => f64::NEG_INFINITY,
            _ => x.as_f64().expect("number"),
        })
        .collect()
}

pub fn cv(table: &Table, spec: &str) -> CvReport {
    let spec = PipelineSpec::from_json(spec).expect("spec parses");
    cross_validate(table, &spec, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).expect("cross-validation runs")
}

pub fn assert_rel(name: &str, got: f64, want: f64, rel: f64) {
    let err = (got - want).abs() / want.abs().max(1e-300);
    assert!(err <= rel, "{name}: got {got}, oracle {want}, relative error {err:e} > {rel:e}");
}

pub fn assert_abs(name: &str, got: f64, want: f64, abs: f64) {
    let err = (got - want).abs();
    assert!(err <= abs, "{name}: got {got}, oracle {want}, absolute error {err:e} > {abs:e}");
}

pub fn assert_all_abs(name: &str, got: &[f64], want: &[f64], abs: f64) {
    assert_eq!(got.len(), want.len(), "{name}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_abs(&format!("{name}[{i}]"), *g, *w, abs);
    }
}

/// The CV spec the format tests run on a fixture (iris or titanic, in any format).
pub fn format_spec(name: &str) -> &'static str {
    if name.starts_with("iris") {
        r#"{"target":"species","model":{"LogisticRegression":{}},"cv":{"StratifiedKFold":{"n_splits":5}}}"#
    } else {
        r#"{"target":"survived","drop":["name","passenger_id"],"preprocess":{"transformers":[
        {"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{"strategy":"median"}},{"StandardScaler":{}}]},
        {"name":"cat","columns":{"dtype":"categorical"},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}},{"OneHotEncoder":{"handle_unknown":"ignore"}}]}],"remainder":"passthrough"},
        "model":{"LogisticRegression":{"C":0.5}},"cv":{"StratifiedKFold":{"n_splits":3}}}"#
    }
}
