//! Wide data (issue 17): least squares with more features than rows goes through the n × n
//! kernel, not the p × p Gram matrix, and gives scikit-learn's answers — the minimum-norm
//! `lstsq` solution for LinearRegression, the dual (`X Xᵀ + αI`) solution for Ridge.
//!
//! Reference: tests/fixtures/wide_reference.json, written by tests/fixtures/gen_wide.py
//! (scikit-learn 1.9.1). The synthetic designs are rebuilt here bit for bit from integers.

use std::path::PathBuf;

use ndarray::Array2;
use pipelab::data::{read_csv, ReadOptions};
use pipelab::estimator::{FitContext, FittedModel, ModelParams, Output, Target};
use pipelab::models::linear::LinearRegressionParams;
use pipelab::models::linear_cd::RidgeParams;
use pipelab::selection::cv::{cross_validate, CvHooks};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reference() -> Value {
    let text = std::fs::read_to_string(root().join("tests/fixtures/wide_reference.json")).expect("wide_reference.json");
    serde_json::from_str(&text).expect("reference JSON")
}

fn splitmix(idx: u64) -> f64 {
    let mut z = idx.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 * 2f64.powi(-53) - 0.5
}

/// gen_wide.py's `design(n, p, seed)`.
fn design(n: usize, p: usize, seed: u64) -> (Array2<f64>, Vec<f64>) {
    let x = Array2::from_shape_fn((n, p), |(i, j)| splitmix((seed << 32) + (i * p + j) as u64));
    let w: Vec<f64> = (0..20).map(|j| 4.0 * splitmix(((seed + 1) << 32) + j as u64)).collect();
    let y = (0..n).map(|i| (0..20).map(|j| w[j] * x[[i, j]]).sum::<f64>() + 0.1 * splitmix(((seed + 2) << 32) + i as u64)).collect();
    (x, y)
}

fn close(what: &str, ours: f64, want: f64, tol: f64) {
    let d = (ours - want).abs() / want.abs().max(1.0);
    assert!(d <= tol, "{what}: ours {ours} vs scikit-learn {want} (rel {d:.2e} > {tol:.0e})");
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

fn check_case(key: &str) {
    let r = &reference()[key];
    let (n, p, seed, train) =
        (r["n"].as_u64().unwrap() as usize, r["p"].as_u64().unwrap() as usize, r["seed"].as_u64().unwrap(), r["train_rows"].as_u64().unwrap() as usize);
    let (x, y) = design(n, p, seed);
    assert_eq!(x[[0, 0]], r["x00"].as_f64().unwrap(), "the design is rebuilt bit for bit");
    close("y[0]", y[0], r["y0"].as_f64().unwrap(), 1e-15);
    let xt = x.slice(ndarray::s![..train, ..]).to_owned();
    let xh = x.slice(ndarray::s![train.., ..]).to_owned();
    let yt = Target::Values(y[..train].to_vec());
    let ctx = FitContext::new(0);
    let lin = LinearRegressionParams::default().fit(&xt, Some(&yt), &ctx).unwrap();
    let ridge = RidgeParams::default().fit(&xt, Some(&yt), &ctx).unwrap();
    for (name, coef, intercept, model_out) in
        [("linear", &lin.coef, lin.intercept, lin.predict(&xh).unwrap()), ("ridge", &ridge.coef, ridge.intercept, ridge.predict(&xh).unwrap())]
    {
        let want = &r[name];
        for (j, (a, b)) in coef.iter().zip(nums(&want["coef_head"])).enumerate() {
            close(&format!("{key} {name} coef[{j}]"), *a, b, 1e-7);
        }
        close(&format!("{key} {name} |coef|"), coef.iter().map(|c| c * c).sum::<f64>().sqrt(), want["coef_norm"].as_f64().unwrap(), 1e-8);
        close(&format!("{key} {name} intercept"), intercept, want["intercept"].as_f64().unwrap(), 1e-8);
        let Output::Values(pred) = model_out else { panic!("values") };
        for (i, (a, b)) in pred.iter().zip(nums(&want["predict_held_out"])).enumerate() {
            close(&format!("{key} {name} held-out prediction {i}"), *a, b, 1e-7);
        }
    }
    // Minimum norm: the rank is at most the training rows less one (centred).
    assert!(lin.rank < train, "rank {} of a {train} × {p} design", lin.rank);
}

#[test]
fn linear_and_ridge_on_500_by_5000_match_scikit_learn() {
    check_case("wide_500x5000");
}

#[test]
fn linear_and_ridge_on_10_by_10000_match_scikit_learn() {
    check_case("wide_10x10000");
}

fn cv_r2(table: &pipelab::data::Table, spec: &str) -> (Vec<f64>, Vec<f64>) {
    let spec = pipelab::pipeline::PipelineSpec::from_json(spec).expect("spec");
    let now = || 0.0;
    let r = cross_validate(table, &spec, CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None }).expect("cross-validation");
    (r.metrics["r2"].folds.clone(), r.train_metrics["r2"].folds.clone())
}

#[test]
fn linear_regression_cv_on_500_by_5000_matches_scikit_learn() {
    let r = &reference()["wide_500x5000"];
    let (x, y) = design(500, 5000, 7);
    let mut csv = String::new();
    csv.push_str(&(0..5000).map(|j| format!("x{j}")).collect::<Vec<_>>().join(","));
    csv.push_str(",y\n");
    for (row, yi) in x.rows().into_iter().zip(&y) {
        for v in row {
            csv.push_str(&format!("{v:?},"));
        }
        csv.push_str(&format!("{yi:?}\n"));
    }
    let table = read_csv(csv.as_bytes(), &ReadOptions::default()).unwrap().0;
    let (test, _) = cv_r2(&table, r#"{"target": "y", "model": {"LinearRegression": {}}}"#);
    for (k, (a, b)) in test.iter().zip(nums(&r["linear"]["cv_test_r2"])).enumerate() {
        close(&format!("fold {k} r2"), *a, b, 1e-7);
    }
}

#[test]
fn breast_cancer_poly3_linear_regression_cv_matches_scikit_learn() {
    let r = &reference()["breast_cancer_poly3"];
    let bytes = std::fs::read(root().join("www/datasets/breast_cancer.csv")).expect("dataset");
    let table = read_csv(&bytes, &ReadOptions::default()).unwrap().0;
    let (test, train) = cv_r2(&table, &r["spec"].to_string());
    println!("pipelab test r2 {test:?}\nsklearn test r2 {:?}", nums(&r["test_r2"]));
    for (k, (a, b)) in test.iter().zip(nums(&r["test_r2"])).enumerate() {
        close(&format!("fold {k} test r2"), *a, b, 1e-6);
    }
    for (k, (a, b)) in train.iter().zip(nums(&r["train_r2"])).enumerate() {
        close(&format!("fold {k} train r2"), *a, b, 1e-9);
    }
}
