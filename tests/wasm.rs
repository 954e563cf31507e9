//! The wasm boundary (`pipelab::wasm::Session`) in a real browser:
//! `wasm-pack test --headless --chrome --mode no-install` (scripts/test.sh).
//! Native `cargo test` compiles this file to nothing.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use pipelab::wasm::Session;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const IRIS: &str = include_str!("../www/datasets/iris.csv");
const DIABETES: &str = include_str!("../www/datasets/diabetes.csv");

/// Scikit-learn's per-fold accuracy, entry `b_iris_std_logreg` of tests/fixtures/reference_shared.json
/// (StandardScaler + LogisticRegression(C=1, max_iter=1000), StratifiedKFold(5)).
const IRIS_LOGREG_ACCURACY: [f64; 5] = [0.9666666666666667, 1.0, 0.9333333333333333, 0.9, 1.0];
/// Entry `a_diabetes_poly2_linreg`: 5-fold RMSE mean.
const DIABETES_POLY2_RMSE_MEAN: f64 = 59.00219277731683;

const IRIS_SPEC: &str = r#"{
  "target": "species",
  "steps": [{"StandardScaler": {}}],
  "model": {"LogisticRegression": {"C": 1.0, "max_iter": 1000}},
  "cv": {"StratifiedKFold": {"n_splits": 5}},
  "scoring": ["accuracy", "f1_macro", "roc_auc"]
}"#;

const DIABETES_SPEC: &str = r#"{
  "target": "target",
  "steps": [{"StandardScaler": {}}, {"PolynomialFeatures": {"degree": 2}}],
  "model": {"LinearRegression": {}},
  "cv": {"KFold": {"n_splits": 5}},
  "scoring": ["rmse", "r2"]
}"#;

fn json(v: JsValue) -> Value {
    // A CV report comes as JSON text (src/wasm/mod.rs `report_to_js`), which the page parses.
    if let Some(text) = v.as_string() {
        return serde_json::from_str(&text).unwrap_or(Value::String(text));
    }
    serde_wasm_bindgen::from_value(v).expect("the session returns JSON-compatible values")
}

fn err_text(e: JsValue) -> String {
    e.dyn_into::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|v| format!("not an Error: {v:?}"))
}

fn noop() -> js_sys::Function {
    js_sys::Function::new_no_args("return true;")
}

/// A progress callback that records its calls and returns `answer`.
fn recorder(answer: bool) -> (Closure<dyn FnMut(f64, f64) -> bool>, Rc<RefCell<Vec<(f64, f64)>>>) {
    let calls = Rc::new(RefCell::new(Vec::new()));
    let c = calls.clone();
    let cb = Closure::wrap(Box::new(move |done: f64, total: f64| {
        c.borrow_mut().push((done, total));
        answer
    }) as Box<dyn FnMut(f64, f64) -> bool>);
    (cb, calls)
}

fn loaded(csv: &str) -> Session {
    let mut s = Session::new();
    s.load_csv(csv.as_bytes(), "").map_err(err_text).expect("dataset loads");
    s
}

#[wasm_bindgen_test]
fn catalog_lists_steps_models_and_metrics() {
    let c = json(Session::new().catalog().unwrap());
    let names = |k: &str| -> Vec<String> { c[k].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_string()).collect() };
    assert!(names("models").contains(&"LinearRegression".to_string()));
    assert!(names("models").contains(&"LogisticRegression".to_string()));
    assert!(names("steps").contains(&"PolynomialFeatures".to_string()));
    let poly = c["steps"].as_array().unwrap().iter().find(|s| s["name"] == "PolynomialFeatures").unwrap();
    assert!(poly["params"].as_array().unwrap().iter().any(|p| p["name"] == "degree" && p["kind"] == "int"));
    assert!(c["metrics"]["regression"].as_array().unwrap().iter().any(|m| m == "rmse"));
}

#[wasm_bindgen_test]
fn load_csv_summarizes_iris() {
    let mut s = Session::new();
    assert!(!s.has_table());
    let sum = json(s.load_csv(IRIS.as_bytes(), "{}").map_err(err_text).unwrap());
    assert_eq!(sum["n_rows"], 150);
    assert_eq!(sum["n_cols"], 5);
    let cols = sum["columns"].as_array().unwrap();
    assert_eq!(cols[0]["name"], "sepal_length");
    assert_eq!(cols[0]["type"], "numeric");
    assert_eq!(cols[4]["name"], "species");
    assert_eq!(cols[4]["type"], "categorical");
    assert_eq!(cols[4]["distinct"], 3);
    assert_eq!(sum["preview"][0][4], "setosa");
    assert!(s.has_table());
}

#[wasm_bindgen_test]
fn iris_cross_validation_matches_scikit_learn_and_reports_progress() {
    let mut s = loaded(IRIS);
    let (cb, calls) = recorder(true);
    let r = json(s.cross_validate(IRIS_SPEC, cb.as_ref().unchecked_ref()).map_err(err_text).unwrap());
    let acc: Vec<f64> = r["metrics"]["accuracy"]["folds"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(acc.len(), 5);
    for (a, b) in acc.iter().zip(IRIS_LOGREG_ACCURACY) {
        assert!((a - b).abs() < 1e-12, "accuracy per fold {acc:?} vs scikit-learn {IRIS_LOGREG_ACCURACY:?}");
    }
    let mean = r["metrics"]["accuracy"]["mean"].as_f64().unwrap();
    assert!((mean - 0.96).abs() < 1e-12, "mean accuracy {mean}");
    let auc = r["metrics"]["roc_auc"]["mean"].as_f64().unwrap();
    assert!(auc > 0.95 && auc <= 1.0, "roc_auc {auc}");
    assert_eq!(r["classes"], serde_json::json!(["setosa", "versicolor", "virginica"]));
    assert_eq!(r["n_rows"], 150);
    assert_eq!(r["folds"].as_array().unwrap().len(), 5);
    assert!(r["folds"][0]["fit_time_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(*calls.borrow(), vec![(1.0, 5.0), (2.0, 5.0), (3.0, 5.0), (4.0, 5.0), (5.0, 5.0)]);
}

#[wasm_bindgen_test]
fn diabetes_poly2_rmse_matches_the_oracle() {
    let mut s = loaded(DIABETES);
    let r = json(s.cross_validate(DIABETES_SPEC, &noop()).map_err(err_text).unwrap());
    let mean = r["metrics"]["rmse"]["mean"].as_f64().unwrap();
    assert!((mean - DIABETES_POLY2_RMSE_MEAN).abs() / DIABETES_POLY2_RMSE_MEAN < 1e-9, "rmse mean {mean}");
}

#[wasm_bindgen_test]
fn malformed_csv_names_the_line_and_keeps_the_previous_table() {
    let mut s = loaded(IRIS);
    let bad = "a,b,c\n1,2,3\n4,5\n";
    let e = err_text(s.load_csv(bad.as_bytes(), "").unwrap_err());
    assert!(e.contains("line 3"), "error should name line 3: {e}");
    // The session is not poisoned: iris is still loaded and usable.
    let sum = json(s.table_summary().unwrap());
    assert_eq!(sum["n_rows"], 150);
    let r = json(s.cross_validate(IRIS_SPEC, &noop()).map_err(err_text).unwrap());
    assert!((r["metrics"]["accuracy"]["mean"].as_f64().unwrap() - 0.96).abs() < 1e-12);
    // Bad read options name the problem too.
    let e = err_text(s.load_csv(IRIS.as_bytes(), r#"{"delimeter": ";"}"#).unwrap_err());
    assert!(e.contains("delimeter"), "{e}");
}

#[wasm_bindgen_test]
fn bad_specs_name_the_field() {
    let mut s = loaded(IRIS);
    let e = err_text(s.cross_validate(r#"{"target": "species", "model": {"LogisticRegression": {"Cc": 1}}}"#, &noop()).unwrap_err());
    assert!(e.contains("Cc"), "unknown parameter should be named: {e}");
    let e = err_text(s.cross_validate(r#"{"target": "species", "model": {"LogisticRegresion": {}}}"#, &noop()).unwrap_err());
    assert!(e.contains("LogisticRegresion"), "unknown model should be named: {e}");
    let e = err_text(s.cross_validate(r#"{"target": "nope", "model": {"LogisticRegression": {}}}"#, &noop()).unwrap_err());
    assert!(e.contains("nope"), "unknown target column should be named: {e}");
    let e = err_text(s.cross_validate(r#"{"target": "species", "model": {"LogisticRegression": {"C": -1}}}"#, &noop()).unwrap_err());
    assert!(e.contains("'C'"), "out-of-range parameter should be named: {e}");
    let e = err_text(s.fit("not json", None).unwrap_err());
    assert!(e.starts_with("spec"), "{e}");
    // Still usable afterwards.
    assert!(s.cross_validate(IRIS_SPEC, &noop()).is_ok());
}

#[wasm_bindgen_test]
fn calls_without_data_or_model_fail_cleanly() {
    let mut s = Session::new();
    assert!(err_text(s.cross_validate(IRIS_SPEC, &noop()).unwrap_err()).contains("no data loaded"));
    assert!(err_text(s.fit(IRIS_SPEC, None).unwrap_err()).contains("no data loaded"));
    assert!(err_text(s.predict_csv(IRIS.as_bytes()).unwrap_err()).contains("no model loaded"));
    let e = err_text(s.load_model("{\"format\": \"something else\"}").unwrap_err());
    assert!(e.starts_with("model file:"), "{e}");
    assert!(err_text(s.load_model("garbage").unwrap_err()).contains("not valid JSON"));
}

#[wasm_bindgen_test]
fn cancelling_from_the_progress_callback_stops_and_keeps_the_table() {
    let mut s = loaded(IRIS);
    let (cb, calls) = recorder(false);
    let e = err_text(s.cross_validate(IRIS_SPEC, cb.as_ref().unchecked_ref()).unwrap_err());
    assert_eq!(e, "cancelled");
    assert_eq!(calls.borrow().len(), 1);
    assert!(s.cross_validate(IRIS_SPEC, &noop()).is_ok());
    // A throwing callback surfaces its own error.
    let throwing = js_sys::Function::new_no_args("throw new Error('boom from progress');");
    assert!(err_text(s.cross_validate(IRIS_SPEC, &throwing).unwrap_err()).contains("boom from progress"));
}

#[wasm_bindgen_test]
fn save_load_predict_gives_identical_predictions() {
    let mut s = loaded(IRIS);
    s.cross_validate(IRIS_SPEC, &noop()).map_err(err_text).unwrap();
    let model_text = s.fit(IRIS_SPEC, None).map_err(err_text).unwrap();
    let direct = s.predict_csv(IRIS.as_bytes()).map_err(err_text).unwrap();
    // Predicting the loaded table (no second read of the file) gives the same text.
    assert_eq!(s.predict_loaded().map_err(err_text).unwrap(), direct);
    // What the page shows first: the row count and the same CSV's first rows.
    let summary = json(s.predict_loaded_summary(15).map_err(err_text).unwrap());
    assert_eq!(summary["n_rows"], 150);
    let head: Vec<&str> = direct.lines().take(16).collect();
    assert_eq!(summary["head_csv"].as_str().unwrap().lines().collect::<Vec<_>>(), head);
    let from_bytes = json(s.predict_csv_summary(IRIS.as_bytes(), 15).map_err(err_text).unwrap());
    assert_eq!(from_bytes, summary);

    // A fresh session (as after a page reload) loads the file and predicts the same bytes.
    let mut t = Session::new();
    let sum = json(t.load_model(&model_text).map_err(err_text).unwrap());
    assert_eq!(sum["model"], "LogisticRegression");
    assert_eq!(sum["target"], "species");
    assert_eq!(sum["classes"], serde_json::json!(["setosa", "versicolor", "virginica"]));
    assert_eq!(sum["feature_names"].as_array().unwrap().len(), 4);
    // The CV of the same spec was stored as the training metrics.
    assert!((sum["cv_metrics"]["accuracy"]["mean"].as_f64().unwrap() - 0.96).abs() < 1e-12);
    let reloaded = t.predict_csv(IRIS.as_bytes()).map_err(err_text).unwrap();
    assert_eq!(direct, reloaded);

    let mut lines = reloaded.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert!(header.contains(&"prediction"));
    assert!(header.contains(&"proba_virginica"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 150);
    let pred_col = header.iter().position(|h| *h == "prediction").unwrap();
    let correct = rows.iter().filter(|r| {
        let f: Vec<&str> = r.split(',').collect();
        f[pred_col] == f[4]
    });
    assert!(correct.count() >= 140, "training accuracy should be high");

    // A model file that was tampered with is rejected, and the loaded model stays.
    let broken = model_text.replacen("\"format_version\":2", "\"format_version\":99", 1);
    assert!(err_text(t.load_model(&broken).unwrap_err()).contains("newer"));
    assert_eq!(t.predict_csv(IRIS.as_bytes()).map_err(err_text).unwrap(), direct);
    // Data missing a column the model needs: the error names it.
    let e = err_text(t.predict_csv(b"sepal_length,sepal_width\n1,2\n").unwrap_err());
    assert!(e.contains("petal_length"), "{e}");
}

#[wasm_bindgen_test]
fn fit_without_matching_cv_stores_no_metrics() {
    let mut s = loaded(DIABETES);
    let text = s.fit(DIABETES_SPEC, None).map_err(err_text).unwrap();
    let sum = json(s.load_model(&text).unwrap());
    assert!(sum["cv_metrics"].as_object().is_none_or(|m| m.is_empty()));
    assert_eq!(sum["n_train_rows"], 442);
    let csv = s.predict_csv(DIABETES.as_bytes()).map_err(err_text).unwrap();
    let n = csv.lines().count();
    assert_eq!(n, 443);
}

// ---------------------------------------------------------------- page-data
// The hostile-CSV catalogue (tests/common/csv_cases.rs) through the same check
// as natively (tests/library/csv_catalogue.rs), here compiled to wasm in Chromium;
// the profile and the streaming read of the page's worker.

#[path = "common/csv_cases.rs"]
mod csv_cases;
#[path = "common/csv_check.rs"]
mod csv_check;

use pipelab::wasm::data::CsvStream;

#[wasm_bindgen_test]
fn csv_catalogue_gives_the_same_outcomes_in_the_browser() {
    assert!(csv_cases::CASES.len() >= 40, "the issue asks for at least 40 cases");
    let failures: Vec<String> = csv_cases::CASES.iter().filter_map(|c| csv_check::check(c).err()).collect();
    assert!(failures.is_empty(), "{} of {} cases fail in wasm:\n{}", failures.len(), csv_cases::CASES.len(), failures.join("\n\n"));
}

/// The page's read path: chunks fed to a CsvStream give the same table as load_csv.
fn streamed(s: &mut Session, bytes: &[u8], options: &str, chunk: usize) -> Result<Value, String> {
    let mut st = CsvStream::new(options, bytes.len() as f64).map_err(err_text)?;
    for ch in bytes.chunks(chunk) {
        st.feed(ch).map_err(err_text)?;
    }
    assert_eq!(st.bytes_received(), bytes.len() as f64);
    s.load_stream(&mut st).map(json).map_err(err_text)
}

#[wasm_bindgen_test]
fn streamed_read_equals_whole_read_and_profile_matches_pandas() {
    let mut a = Session::new();
    let whole = json(a.load_csv(IRIS.as_bytes(), "").unwrap());
    let mut b = Session::new();
    let chunked = streamed(&mut b, IRIS.as_bytes(), "", 97).unwrap();
    assert_eq!(whole, chunked);
    // pandas describe() of iris sepal_length: mean 5.843333, std 0.828066, quartiles 5.1 / 5.8 / 6.4.
    let p = json(b.profile().unwrap());
    assert_eq!(p["n_rows"], 150);
    let c = &p["columns"][0];
    assert_eq!(c["name"], "sepal_length");
    assert!((c["numeric"]["mean"].as_f64().unwrap() - 5.843333).abs() < 1e-6);
    assert!((c["numeric"]["std_sample"].as_f64().unwrap() - 0.828066).abs() < 1e-6);
    assert_eq!((c["numeric"]["q1"].as_f64(), c["numeric"]["median"].as_f64(), c["numeric"]["q3"].as_f64()), (Some(5.1), Some(5.8), Some(6.4)));
    assert_eq!(p["duplicate_rows"], 1);
    assert_eq!(p["flags"][0]["kind"], "duplicate_rows");
}

#[wasm_bindgen_test]
fn streamed_errors_keep_the_previous_table_and_big_files_are_refused_early() {
    let mut s = loaded(IRIS);
    let e = streamed(&mut s, b"a,b,c\n1,2,3\n4,5\n6,7,8\n", "", 5).unwrap_err();
    assert!(e.contains("line 3"), "{e}");
    assert_eq!(json(s.table_summary().unwrap())["n_rows"], 150);
    // Over the page's limit: refused before any byte is read, naming the size and what to do.
    let e = err_text(CsvStream::new("", 3.0 * 1024.0 * 1024.0 * 1024.0).err().expect("a 3 GiB file is refused"));
    assert!(e.contains("3072.0 MB") && e.contains("native command line"), "{e}");
    // A type override travels in the options.
    let t = streamed(&mut s, IRIS.as_bytes(), r#"{"types": {"petal_width": "categorical"}}"#, 4096).unwrap();
    assert_eq!(t["columns"][3]["type"], "categorical");
    assert!(json(s.profile().unwrap())["columns"][3]["categories"]["top"].as_array().is_some_and(|a| !a.is_empty()));
}

// ---------------------------------------------------------------- steps area: the transformed-table preview

/// Entry `k_iris_std_lda2` of tests/fixtures/reference_shared.json: LDA explained variance ratio.
const IRIS_LDA2_EVR: [f64; 2] = [0.9912126049653671, 0.008787395034632802];

#[wasm_bindgen_test]
fn preview_shows_names_rows_and_the_lda_projection() {
    let s = loaded(IRIS);
    let spec = r#"{"target":"species","steps":[{"StandardScaler":{}},{"LinearDiscriminantAnalysis":{"n_components":2}}],"model":{"LogisticRegression":{}}}"#;
    let r = json(s.preview(spec, 4).map_err(err_text).unwrap());
    assert_eq!(r["feature_names"], serde_json::json!(["lineardiscriminantanalysis0", "lineardiscriminantanalysis1"]));
    assert_eq!(r["rows"].as_array().unwrap().len(), 4);
    assert_eq!(r["row_numbers"], serde_json::json!([1, 2, 3, 4]));
    let p = &r["projection"];
    assert_eq!(p["step"], "LinearDiscriminantAnalysis");
    for (k, want) in IRIS_LDA2_EVR.iter().enumerate() {
        let got = p["explained_variance_ratio"][k].as_f64().unwrap();
        assert!((got - want).abs() <= 1e-9 * want, "ratio {k}: {got} vs {want}");
    }
    assert_eq!(p["x"].as_array().unwrap().len(), 150);
    assert_eq!(r["target"]["classes"], serde_json::json!(["setosa", "versicolor", "virginica"]));
    // Errors are the core's text; no data → says so.
    let e = err_text(s.preview(r#"{"target":"nope","model":{"LogisticRegression":{}}}"#, 4).unwrap_err());
    assert!(e.contains("nope"), "{e}");
    assert!(err_text(Session::new().preview(spec, 4).unwrap_err()).contains("no data loaded"));
}

// ---------------------------------------------------------------- models area (src/wasm/models.rs)

/// Entry `f_iris_clustering_shared` (KMeans(n_clusters=3, n_init=10, random_state=0) on the raw iris features).
const IRIS_KMEANS_INERTIA: f64 = 78.851441426146;
const IRIS_KMEANS_SILHOUETTE: f64 = 0.5528190123564095;
const IRIS_KMEANS_DAVIES_BOULDIN: f64 = 0.6619715465007465;

#[wasm_bindgen_test]
fn fit_clustering_gives_the_oracle_metrics_a_2d_view_and_a_usable_model() {
    let mut s = loaded(IRIS);
    let out =
        json(s.fit_clustering(r#"{"target": "species", "model": {"KMeans": {"n_clusters": 3, "n_init": 10, "random_state": 0}}}"#).map_err(err_text).unwrap());
    let r = &out["view"]["report"];
    let m = |k: &str| r["metrics"][k].as_f64().unwrap();
    assert!((m("inertia") - IRIS_KMEANS_INERTIA).abs() / IRIS_KMEANS_INERTIA < 1e-6, "inertia {}", m("inertia"));
    assert!((m("silhouette") - IRIS_KMEANS_SILHOUETTE).abs() < 1e-6);
    assert!((m("davies_bouldin") - IRIS_KMEANS_DAVIES_BOULDIN).abs() < 1e-6);
    assert_eq!(r["n_clusters"], 3);
    assert_eq!(r["silhouette_samples"].as_array().unwrap().len(), 150);
    let p = &out["view"]["projection"];
    assert_eq!(p["x"].as_array().unwrap().len(), 150);
    assert_eq!(p["extra"].as_array().unwrap().len(), 3);
    assert!((p["explained_variance_ratio"][0].as_f64().unwrap() - 0.92461872).abs() < 1e-8);
    assert_eq!(out["view"]["inspection"]["cluster_centers"].as_array().unwrap().len(), 3);
    // The clustering is the session's model now: predict gives every row its cluster.
    let csv = s.predict_csv(IRIS.as_bytes()).map_err(err_text).unwrap();
    let labels: Vec<i64> = csv.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().parse().unwrap()).collect();
    let want: Vec<i64> = r["labels"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(labels, want);
    assert!(json(s.inspect_model().unwrap())["cluster_centers"].is_array());
    // The model text reloads.
    let text = out["model_text"].as_str().unwrap().to_string();
    assert_eq!(json(s.load_model(&text).unwrap())["model"], "KMeans");
}

#[wasm_bindgen_test]
fn inspect_fit_shows_the_tree_and_keeps_the_loaded_model() {
    let mut s = loaded(IRIS);
    assert!(err_text(s.inspect_model().unwrap_err()).contains("no model loaded"));
    let ins = json(s.inspect_fit(r#"{"target": "species", "model": {"DecisionTreeClassifier": {"random_state": 0}}}"#).map_err(err_text).unwrap());
    let root = &ins["tree"];
    let f = root["feature"].as_str().unwrap();
    assert!(f == "petal_length" || f == "petal_width", "root split on {f}");
    assert_eq!(root["samples"], 150);
    assert_eq!(root["left"]["class_label"], "setosa");
    // inspect_fit does not load the model; a supervised spec cannot be clustered.
    assert!(s.inspect_model().is_err());
    let e = err_text(s.fit_clustering(IRIS_SPEC).unwrap_err());
    assert!(e.contains("not a clustering model"), "{e}");
    assert!(s.predict_csv(IRIS.as_bytes()).is_err());
}

// ---------------------------------------------------------------- evaluation (issue 6): src/wasm/eval.rs

#[wasm_bindgen_test]
fn eval_diagnostics_and_curves() {
    let mut s = loaded(IRIS);
    // No cross-validation yet: a readable error.
    assert!(err_text(s.cv_diagnostics().unwrap_err()).contains("cross-validation"));
    s.cross_validate(IRIS_SPEC, &noop()).map_err(err_text).unwrap();
    let d = json(s.cv_diagnostics().map_err(err_text).unwrap());
    assert_eq!(d["n_tested"], 150);
    let m: Vec<Vec<u64>> = serde_json::from_value(d["confusion"].clone()).unwrap();
    assert_eq!(m.iter().map(|r| r.iter().sum::<u64>()).collect::<Vec<_>>(), vec![50, 50, 50]);
    // 0.96 × 150 correct (b_iris_std_logreg mean accuracy).
    assert_eq!(m[0][0] + m[1][1] + m[2][2], (IRIS_LOGREG_ACCURACY.iter().sum::<f64>() / 5.0 * 150.0).round() as u64);
    assert_eq!(d["roc"].as_array().unwrap().len(), 3);

    let (cb, calls) = recorder(true);
    let c = json(s.learning_curve(IRIS_SPEC, r#"{"train_sizes":[0.5,1.0]}"#, cb.as_ref().unchecked_ref()).map_err(err_text).unwrap());
    assert_eq!(c["x"], serde_json::json!([60, 120]));
    assert_eq!(calls.borrow().last(), Some(&(10.0, 10.0)));
    let full: Vec<f64> = serde_json::from_value(c["test"][1]["folds"].clone()).unwrap();
    for (g, w) in full.iter().zip(IRIS_LOGREG_ACCURACY) {
        assert!((g - w).abs() < 1e-9, "learning curve at full size {g} vs oracle {w}");
    }
    let v = json(s.validation_curve(IRIS_SPEC, r#"{"param":"model__C","values":[0.1,1.0]}"#, &noop()).map_err(err_text).unwrap());
    assert_eq!(v["param"], "model__C");
    // Bad options name the field; a cancelled curve says so; the session stays usable.
    assert!(err_text(s.validation_curve(IRIS_SPEC, r#"{"param":"model__nope","values":[1]}"#, &noop()).unwrap_err()).contains("nope"));
    let (stop, _) = recorder(false);
    assert_eq!(err_text(s.learning_curve(IRIS_SPEC, "", stop.as_ref().unchecked_ref()).unwrap_err()), "cancelled");
    assert!(s.cv_diagnostics().is_ok());
}

// ---------------------------------------------------------------- hyperparameter search (src/wasm/search.rs)

/// The iris pipeline with a 2-parameter grid and a Bayesian variant.
const IRIS_GRID_SPEC: &str = r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":500}},
  "cv":{"StratifiedKFold":{"n_splits":3}},"random_state":3,
  "search":{"GridSearchCV":{"param_grid":{"model__C":[0.01,1,100],"StandardScaler__with_mean":[true,false]}}}}"#;
const IRIS_BAYES_SPEC: &str = r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":500}},
  "cv":{"StratifiedKFold":{"n_splits":3}},"random_state":3,
  "search":{"BayesSearchCV":{"search_spaces":{"model__C":{"loguniform":[0.001,100]}},"n_iter":6,"n_initial_points":3}}}"#;

/// Drives plan → evaluate (on `evaluators` sessions, round-robin, like the page's pool) → finish.
fn search_on(planner: &Session, evaluators: &[Session], spec: &str) -> Value {
    let mut results: Vec<JsValue> = Vec::new();
    loop {
        let history = js_sys::Array::from_iter(results.iter());
        let plan_js = planner.search_plan(spec, history.into(), 0.0).map_err(err_text).unwrap();
        let plan = json(plan_js.clone());
        let cands = plan["candidates"].as_array().unwrap().clone();
        if cands.is_empty() {
            break;
        }
        for (i, c) in cands.iter().enumerate() {
            let params = js_sys::JSON::parse(&c.to_string()).unwrap();
            results.push(evaluators[i % evaluators.len()].search_evaluate(spec, plan_js.clone(), params).map_err(err_text).unwrap());
        }
    }
    json(planner.search_finish(spec, js_sys::Array::from_iter(results.iter()).into()).map_err(err_text).unwrap())
}

fn strip_times(mut v: Value) -> Value {
    for c in v["report"]["cv_results"].as_array_mut().unwrap() {
        c["mean_fit_time_ms"] = Value::from(0.0);
    }
    v
}

#[wasm_bindgen_test]
fn search_plan_evaluate_finish_is_independent_of_the_pool() {
    let main = loaded(IRIS);
    for spec in [IRIS_GRID_SPEC, IRIS_BAYES_SPEC] {
        let single = strip_times(search_on(&main, &[loaded(IRIS)], spec));
        let pool = strip_times(search_on(&main, &[loaded(IRIS), loaded(IRIS), loaded(IRIS)], spec));
        assert_eq!(single, pool);
        let report = &single["report"];
        assert!(report["best_score"].as_f64().unwrap() > 0.9);
        let n = report["cv_results"].as_array().unwrap().len();
        // The grid has 6 points; the Bayesian search's budget is 6 trials.
        assert_eq!(n, 6);
        // The refit spec has the best parameters and no search block; fitting it gives the session a model.
        let best: Value = serde_json::from_str(single["best_spec"].as_str().unwrap()).unwrap();
        assert!(best.get("search").is_none_or(Value::is_null));
        // A parameter at its default (C = 1) is left out of the serialized spec.
        assert_eq!(best["model"]["LogisticRegression"]["C"].as_f64().unwrap_or(1.0), report["best_params"]["model__C"].as_f64().unwrap());
        let mut s = loaded(IRIS);
        s.fit(single["best_spec"].as_str().unwrap(), None).map_err(err_text).unwrap();
        assert_eq!(json(s.model_summary().unwrap())["model"], "LogisticRegression");
    }
    // Errors name what is wrong, and a bad candidate comes back as a row with its error.
    let e = err_text(main.search_plan(IRIS_SPEC, JsValue::UNDEFINED, 0.0).unwrap_err());
    assert!(e.contains("search"), "{e}");
    assert!(err_text(Session::new().search_plan(IRIS_GRID_SPEC, JsValue::UNDEFINED, 0.0).unwrap_err()).contains("no data loaded"));
    let plan = main.search_plan(IRIS_GRID_SPEC, JsValue::UNDEFINED, 0.0).unwrap();
    let bad = js_sys::JSON::parse(r#"{"model__C": -1}"#).unwrap();
    let row = json(main.search_evaluate(IRIS_GRID_SPEC, plan, bad).map_err(err_text).unwrap());
    assert!(row["error"].as_str().unwrap().contains("'C'"), "{row}");
}

/// The leakage lab across the boundary: the demo is generated from its seed in the
/// core (the same numbers as natively: tests/library/leakage.rs) and the loaded table is untouched.
#[wasm_bindgen_test]
fn leakage_demo_and_lab_cross_the_boundary() {
    let s = loaded(IRIS);
    let (cb, calls) = recorder(true);
    let demo = json(s.leakage_demo(r#"{"n_rows": 40, "n_features": 300, "k": 10, "seed": 1}"#, cb.as_ref().unchecked_ref()).expect("demo runs"));
    let r = &demo["report"];
    assert_eq!(r["metric"], "accuracy");
    assert_eq!(r["folds"].as_array().map(Vec::len), Some(5));
    let right = r["right"]["accuracy"]["mean"].as_f64().unwrap();
    let wrong = r["wrong"]["accuracy"]["mean"].as_f64().unwrap();
    assert!(wrong > right + 0.2, "wrong {wrong} vs right {right}");
    assert_eq!(calls.borrow().last(), Some(&(10.0, 10.0)), "progress counts both cross-validations");
    assert_eq!(json(s.table_summary().unwrap())["n_rows"], 150, "the demo leaves the loaded table alone");
    let lab = json(s.leakage(IRIS_SPEC, &noop()).expect("lab runs on the loaded table"));
    assert_eq!(lab["stages"][0]["name"], "StandardScaler");
    assert!(err_text(s.leakage_demo(r#"{"n_rows": 3}"#, &noop()).unwrap_err()).contains("at least 10 rows"));
}

// Issue 16 §1–§2 in the page's session: rows named as in the file inside a
// fold, the spec's `types` on the loaded table, the hold-out fit and
// `refit_all`, an existing `prediction` column kept, unseen categories counted.
#[wasm_bindgen_test]
fn page_session_locates_rows_applies_types_and_keeps_the_holdout_honest() {
    // x missing at data row 55 (line 56), CRLF line ends: the fold error names the file's row and line.
    let mut csv = String::from("x,y\r\n");
    for i in 1..=100 {
        csv.push_str(&if i == 55 { format!(",{}\r\n", i % 3) } else { format!("{i},{}\r\n", i % 3) });
    }
    let mut s = loaded(&csv);
    let e = err_text(s.cross_validate(r#"{"target":"y","model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":5}}}"#, &noop()).unwrap_err());
    assert!(e.contains("row 55 (line 56)"), "{e}");
    // types: x as categorical reaches the encoder (4 rows → 4 one-hot columns + nothing else).
    // Each half holds the four categories, so every fold's encoder knows them all.
    let mut s = loaded("x,y\n1,1\n2,2\n3,3\n4,4\n1,1\n2,2\n3,3\n4,4\n");
    let spec = r#"{"target":"y","types":{"x":"categorical"},"preprocess":{"transformers":[{"name":"c","columns":{"dtype":"categorical"},"steps":[{"OneHotEncoder":{}}]}]},"model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":2}}}"#;
    let r = json(s.cross_validate(spec, &noop()).map_err(err_text).unwrap());
    assert_eq!(r["n_features_out"], 4, "{r}");
    // Hold-out: the model is fitted on the training part unless refit_all.
    let mut s = loaded(IRIS);
    let spec = r#"{"target":"species","model":{"GaussianNB":{}},"holdout":{"test_size":0.2,"stratify":true,"random_state":0}}"#;
    s.cross_validate(spec, &noop()).map_err(err_text).unwrap();
    let m: Value = serde_json::from_str(&s.fit(spec, None).map_err(err_text).unwrap()).unwrap();
    assert_eq!((m["n_train_rows"].as_u64(), m["holdout"]["fitted_on"].as_str()), (Some(120), Some("training_part")));
    let m: Value = serde_json::from_str(&s.fit(spec, Some(true)).map_err(err_text).unwrap()).unwrap();
    assert_eq!((m["n_train_rows"].as_u64(), m["holdout"]["fitted_on"].as_str()), (Some(150), Some("all_rows")));
    // Predicting a file that already has a prediction column: kept, the new one renamed, and said so.
    let predicted = s.predict_loaded().map_err(err_text).unwrap();
    let summary = json(s.predict_csv_summary(predicted.as_bytes(), 3).map_err(err_text).unwrap());
    let header = summary["head_csv"].as_str().unwrap().lines().next().unwrap().to_string();
    assert!(header.contains(",prediction,") && header.contains(",prediction_1,"), "{header}");
    assert!(summary["warnings"][0].as_str().unwrap().contains("'prediction' → 'prediction_1'"), "{summary}");
}

// ---------------------------------------------------------------- data formats (issue 18)
// The readers compiled to wasm (the lazily loaded module's code): every fixture
// reads as its CSV export, the hostile-format catalogue gives the native
// messages, and the page's bridge (convert → CSV text + types → the first-load
// module's CSV reader) gives the same table summary as the CSV.

#[path = "common/format_cases.rs"]
mod format_cases;

#[wasm_bindgen_test]
fn formats_read_as_their_csv_export_in_the_browser() {
    use pipelab::api::{self, SourceOptions};
    let mut n = 0;
    for ((name, bytes), (csv_name, csv), native_only) in format_cases::SAME_AS_CSV {
        if *native_only {
            continue; // zstd (C) and SQLite (the page uses sql.js) are native only
        }
        let t = api::load_data(bytes, name, &SourceOptions::default(), "").map_err(|e| format!("{name}: {e}")).unwrap().0;
        let want = api::load_data(csv, csv_name, &SourceOptions::default(), "").unwrap().0;
        // Debug text, not ==: a missing cell is NaN, and NaN != NaN.
        assert_eq!(format!("{t:?}"), format!("{want:?}"), "{name}");
        // The page's bridge: the formats module's entry point, then Session.load_csv with the types forced.
        let c = json(pipelab::wasm::formats::formats_convert(bytes, name, "").map_err(err_text).unwrap());
        let options = serde_json::json!({"types": c["types"]}).to_string();
        let mut s = Session::new();
        let via_page = json(s.load_csv(c["csv"].as_str().unwrap().as_bytes(), &options).unwrap());
        let mut s2 = Session::new();
        let direct = json(s2.load_csv(csv, "").unwrap());
        assert_eq!(via_page["columns"], direct["columns"], "{name}: page summary");
        assert_eq!(via_page["preview"], direct["preview"], "{name}: page preview");
        n += 1;
    }
    assert_eq!(n, 10);
    assert_eq!(pipelab::wasm::source::detect_format(b"PAR1", "x.csv"), "parquet");
}

#[wasm_bindgen_test]
fn format_catalogue_gives_the_native_messages_in_the_browser() {
    use pipelab::api::{self, SourceOptions};
    let mut failures = Vec::new();
    for case in format_cases::CASES.iter().filter(|c| !c.native_only) {
        let source: SourceOptions = serde_json::from_str(case.source).unwrap();
        match api::load_data(case.file.1, case.file.0, &source, "") {
            Ok(_) => failures.push(format!("{}: read without an error", case.name)),
            Err(e) if e.to_string().starts_with(case.expect) => {}
            Err(e) => failures.push(format!("{}: {e}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The typed-query rule the page applies before sql.js runs anything.
    assert!(pipelab::wasm::formats::formats_check_select("SELECT * FROM t").is_ok());
    let e = err_text(pipelab::wasm::formats::formats_check_select("DROP TABLE t").unwrap_err());
    assert!(e.starts_with("SQLite query: starts with DROP"), "{e}");
}
