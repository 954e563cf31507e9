//! Parity of the tree models with scikit-learn: every `g_*` entry of
//! tests/fixtures/reference_shared.json (a copy of ../shared/oracle/reference_shared.json).
//!
//! Trees and forests are stochastic (feature order, bootstrap), so the oracle
//! gives an `accept_range` for the mean CV score over seeds; we require the mean
//! of our per-seed CV means to fall in it, and every single seed to fall in it
//! too. The pipelines run through the public API exactly as the CLI does.

use std::collections::BTreeMap;

use pipelab::data::{read_csv, ReadOptions, Table};
use pipelab::pipeline::{cross_validate, CvHooks, PipelineSpec};

fn oracle() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference_shared.json")).expect("fixture present");
    // Python's json writes Infinity/NaN (ROC thresholds); they are not JSON and not used here.
    let text = text.replace("-Infinity", "null").replace("Infinity", "null").replace("NaN", "null");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn table(name: &str) -> Table {
    let path = format!("{}/www/datasets/{name}.csv", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read_csv(&bytes, &ReadOptions::default()).expect("dataset parses").0
}

/// Mean CV score per metric for one spec.
fn cv(table: &Table, spec: &str) -> BTreeMap<String, f64> {
    let spec = PipelineSpec::from_json(spec).unwrap_or_else(|e| panic!("spec: {e}\n{spec}"));
    let now = || 0.0;
    let report = cross_validate(table, &spec, CvHooks { now_ms: &now, progress: &mut |_, _| true }).expect("cross-validation runs");
    report.metrics.into_iter().map(|(k, v)| (k, v.mean)).collect()
}

fn range(entry: &serde_json::Value, key: &str) -> (f64, f64) {
    let r = &entry["results"][key]["accept_range"];
    (r[0].as_f64().expect("accept_range[0]"), r[1].as_f64().expect("accept_range[1]"))
}

const TITANIC_PRE: &str = r#""drop": ["passenger_id", "name"],
  "preprocess": {"transformers": [
    {"name": "num", "columns": {"dtype": "numeric"}, "steps": [{"SimpleImputer": {"strategy": "median"}}]},
    {"name": "bool", "columns": {"dtype": "boolean"}},
    {"name": "cat", "columns": {"dtype": "categorical"}, "steps": [{"SimpleImputer": {"strategy": "most_frequent"}}, {"OneHotEncoder": {"handle_unknown": "ignore"}}]}
  ]},"#;

/// Checks a classification entry over `seeds`: every seed and the mean in the accept range.
fn check_classifier(entry_name: &str, dataset: &str, target: &str, pre: &str, model: &str, seeds: &[u64]) {
    let o = oracle();
    let entry = &o["entries"][entry_name];
    let (lo, hi) = range(entry, "over_seeds");
    let t = table(dataset);
    let mut per_seed = Vec::new();
    for &seed in seeds {
        let model = model.replace("SEED", &seed.to_string());
        let spec = format!(r#"{{"target": "{target}", {pre} "model": {model}, "cv": {{"StratifiedKFold": {{"n_splits": 5}}}}, "random_state": {seed}}}"#);
        per_seed.push(cv(&t, &spec)["accuracy"]);
    }
    let mean = per_seed.iter().sum::<f64>() / per_seed.len() as f64;
    eprintln!("{entry_name}: accept [{lo:.4}, {hi:.4}], sklearn mean {:.4}; ours mean {mean:.4} per seed {per_seed:.4?}", entry["results"]["over_seeds"]["mean_over_seeds"].as_f64().unwrap_or(f64::NAN));
    assert!(mean >= lo && mean <= hi, "{entry_name}: mean accuracy {mean} outside [{lo}, {hi}]");
    for (s, v) in seeds.iter().zip(&per_seed) {
        assert!(*v >= lo && *v <= hi, "{entry_name}: seed {s} accuracy {v} outside [{lo}, {hi}]");
    }
}

const TREE_D4: &str = r#"{"DecisionTreeClassifier": {"max_depth": 4, "random_state": SEED}}"#;
const FOREST: &str = r#"{"RandomForestClassifier": {"n_estimators": 100, "random_state": SEED}}"#;
const TREE_SEEDS: &[u64] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const FOREST_SEEDS: &[u64] = &[0, 1, 2];

#[test]
fn g_iris_decision_tree_d4() {
    check_classifier("g_iris_decision_tree_d4", "iris", "species", "", TREE_D4, TREE_SEEDS);
}

#[test]
fn g_wine_decision_tree_d4() {
    check_classifier("g_wine_decision_tree_d4", "wine", "class", "", TREE_D4, TREE_SEEDS);
}

#[test]
fn g_breast_cancer_decision_tree_d4() {
    check_classifier("g_breast_cancer_decision_tree_d4", "breast_cancer", "diagnosis", "", TREE_D4, TREE_SEEDS);
}

#[test]
fn g_titanic_like_decision_tree_d4() {
    check_classifier("g_titanic_like_decision_tree_d4", "titanic_like", "survived", TITANIC_PRE, TREE_D4, TREE_SEEDS);
}

#[test]
fn g_iris_random_forest_100() {
    check_classifier("g_iris_random_forest_100", "iris", "species", "", FOREST, FOREST_SEEDS);
}

#[test]
fn g_wine_random_forest_100() {
    check_classifier("g_wine_random_forest_100", "wine", "class", "", FOREST, FOREST_SEEDS);
}

#[test]
fn g_breast_cancer_random_forest_100() {
    check_classifier("g_breast_cancer_random_forest_100", "breast_cancer", "diagnosis", "", FOREST, FOREST_SEEDS);
}

#[test]
fn g_titanic_like_random_forest_100() {
    check_classifier("g_titanic_like_random_forest_100", "titanic_like", "survived", TITANIC_PRE, FOREST, FOREST_SEEDS);
}

/// Gradient boosting: mean CV r2 in `r2_over_seeds.accept_range`, mean CV rmse within 5 % of scikit-learn's.
fn check_gbr(entry_name: &str, dataset: &str, target: &str, pre: &str, seeds: &[u64]) {
    let o = oracle();
    let entry = &o["entries"][entry_name];
    let (lo, hi) = range(entry, "r2_over_seeds");
    let rmse_ref = entry["results"]["rmse_over_seeds"]["mean"].as_f64().expect("rmse mean");
    let t = table(dataset);
    for &seed in seeds {
        let spec = format!(
            r#"{{"target": "{target}", {pre} "model": {{"GradientBoostingRegressor": {{"n_estimators": 100, "max_depth": 3, "learning_rate": 0.1, "loss": "squared_error", "subsample": 1.0, "random_state": {seed}}}}}, "cv": {{"KFold": {{"n_splits": 5}}}}}}"#
        );
        let m = cv(&t, &spec);
        let (r2, rmse) = (m["r2"], m["rmse"]);
        eprintln!("{entry_name} seed {seed}: r2 {r2:.5} (accept [{lo:.4}, {hi:.4}]), rmse {rmse:.4} (sklearn {rmse_ref:.4}, rel {:.4})", (rmse - rmse_ref).abs() / rmse_ref);
        assert!(r2 >= lo && r2 <= hi, "{entry_name}: seed {seed} r2 {r2} outside [{lo}, {hi}]");
        assert!((rmse - rmse_ref).abs() <= 0.05 * rmse_ref, "{entry_name}: seed {seed} rmse {rmse} vs {rmse_ref}");
    }
}

#[test]
fn g_diabetes_gbr_100_d3() {
    check_gbr("g_diabetes_gbr_100_d3", "diabetes", "target", "", &[0, 1, 2, 3, 4]);
}

#[test]
fn g_housing_like_gbr_100_d3() {
    let pre = r#""preprocess": {"transformers": [
        {"name": "num", "columns": {"dtype": "numeric"}, "steps": [{"SimpleImputer": {"strategy": "median"}}]},
        {"name": "cat", "columns": {"names": ["neighborhood"]}, "steps": [{"SimpleImputer": {"strategy": "most_frequent"}}, {"OneHotEncoder": {}}]}
      ]},"#;
    check_gbr("g_housing_like_gbr_100_d3", "housing_like", "price", pre, &[0, 1]);
}

/// The oracle's entries this file covers are exactly its `g_*` entries.
#[test]
fn covers_every_g_entry() {
    let o = oracle();
    let mut names: Vec<&String> = o["entries"].as_object().expect("entries").keys().filter(|k| k.starts_with("g_")).collect();
    names.sort();
    let src = include_str!("oracle_trees.rs");
    for n in names {
        assert!(src.contains(&format!("fn {n}()")), "no test for {n}");
    }
}
