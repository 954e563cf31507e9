//! Evaluation pictures and curves (issue 6): the diagnostics computed from a
//! cross-validation's out-of-fold predictions, and the learning / validation
//! curves, checked against the oracle entries b_iris_std_logreg and
//! b_breast_cancer_std_logreg (tests/fixtures/reference_shared.json) and
//! against the plain cross-validation they must agree with.

use crate::support;

use pipelab::api;
use pipelab::estimator::{FitContext, Output};
use pipelab::metrics::classification::confusion;
use pipelab::pipeline::{fit, prepare, PipelineSpec};
use pipelab::selection::curves::{learning_curve, validation_curve, CurveReport, LearningCurveParams, ValidationCurveParams};
use pipelab::selection::cv::{CvHooks, CvReport};
use pipelab::selection::diagnostics::Diagnostics;
use support::*;

fn logreg(target: &str, scoring: &str) -> String {
    format!(
        r#"{{"target":"{target}","steps":[{{"StandardScaler":{{}}}}],"model":{{"LogisticRegression":{{"C":1.0,"max_iter":1000}}}},
            "cv":{{"StratifiedKFold":{{"n_splits":5}}}},"scoring":{scoring}}}"#
    )
}

fn hooks_run<T>(f: impl FnOnce(CvHooks) -> T) -> T {
    f(CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None })
}

fn diag(table: &pipelab::data::Table, spec: &str) -> (CvReport, Diagnostics) {
    let r = cv(table, spec);
    let d = api::cv_diagnostics(table, &PipelineSpec::from_json(spec).unwrap(), &r).expect("diagnostics");
    (r, d)
}

/// Trapezoid area under a curve given as points.
fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2).zip(y.windows(2)).map(|(a, b)| (a[1] - a[0]) * (b[0] + b[1]) / 2.0).sum()
}

/// b_iris_std_logreg: the out-of-fold confusion matrix equals the sum of the
/// per-fold confusion matrices of fits on the oracle's fold assignment
/// (folds.iris_skf5), and its diagonal gives the oracle's accuracy.
#[test]
fn iris_confusion_from_oof_equals_the_oracle_folds() {
    let t = dataset("iris");
    let spec_text = logreg("species", r#"["accuracy","roc_auc"]"#);
    let (r, d) = diag(&t, &spec_text);
    assert_eq!(d.classes, vec!["setosa", "versicolor", "virginica"]);
    assert_eq!(d.n_tested, 150);
    let spec = PipelineSpec::from_json(&spec_text).unwrap();
    let prep = prepare(&t, &spec).unwrap();
    let fold_of_row: Vec<usize> = oracle()["folds"]["iris_skf5"]["test_fold_of_row"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
    let pipelab::estimator::Target::Classes { y, .. } = prep.target.clone().unwrap() else { panic!("classes") };
    let mut sum = vec![vec![0usize; 3]; 3];
    let oracle_acc = floats(&entry("b_iris_std_logreg")["results"]["cv"]["accuracy"]["per_fold"]);
    for f in 0..5 {
        let train: Vec<usize> = (0..150).filter(|&i| fold_of_row[i] != f).collect();
        let test: Vec<usize> = (0..150).filter(|&i| fold_of_row[i] == f).collect();
        let fitted = fit(&t, &spec, &prep, &train, &FitContext::new(0)).unwrap();
        let Output::Classes { labels, .. } = fitted.predict(&t.select_rows(&test)).unwrap().output else { panic!("classes") };
        let truth: Vec<usize> = test.iter().map(|&i| y[i]).collect();
        let m = confusion(&truth, &labels, 3);
        let acc = (0..3).map(|c| m[c][c]).sum::<usize>() as f64 / test.len() as f64;
        assert_abs(&format!("fold {f} accuracy"), acc, oracle_acc[f], 1e-9);
        for a in 0..3 {
            for b in 0..3 {
                sum[a][b] += m[a][b];
            }
        }
    }
    assert_eq!(d.confusion, sum);
    // Row sums are the class sizes; the diagonal is 0.96 × 150 correct rows (oracle mean accuracy).
    assert_eq!(d.confusion.iter().map(|r| r.iter().sum::<usize>()).collect::<Vec<_>>(), vec![50, 50, 50]);
    let correct: usize = (0..3).map(|c| d.confusion[c][c]).sum();
    assert_abs("pooled accuracy", correct as f64 / 150.0, r.metrics["accuracy"].mean, 1e-12);
    // One-vs-rest curves for each of the three classes; the per-fold AUCs averaged
    // over classes and folds are the roc_auc (ovr macro) score, = the oracle's 0.99733.
    assert_eq!(d.roc.len(), 3);
    assert_eq!(d.pr.len(), 3);
    let macro_mean = d.roc.iter().map(|c| c.folds.mean).sum::<f64>() / 3.0;
    assert_abs("ovr macro mean of per-fold AUCs", macro_mean, r.metrics["roc_auc"].mean, 1e-12);
    assert_abs("vs oracle", macro_mean, entry("b_iris_std_logreg")["results"]["cv"]["roc_auc"]["mean"].as_f64().unwrap(), 1e-9);
    for c in &d.roc {
        assert_abs(&format!("ROC area of {} vs its points", c.class), trapezoid(&c.x, &c.y), c.area, 1e-12);
        assert_eq!(c.positives, 50);
    }
}

/// b_breast_cancer_std_logreg: one ROC and one PR curve (positive class M); the
/// mean of the per-fold AUCs is the oracle's roc_auc mean; the pooled AUC is the
/// area under the drawn curve; per-fold average precision matches the metric.
#[test]
fn breast_cancer_roc_and_pr_match_the_metrics_and_the_oracle() {
    let t = dataset("breast_cancer");
    let (r, d) = diag(&t, &logreg("diagnosis", r#"["roc_auc","average_precision","accuracy"]"#));
    assert_eq!(d.roc.len(), 1);
    assert_eq!(d.pr.len(), 1);
    let roc = &d.roc[0];
    assert_eq!(roc.class, "M");
    assert_eq!(roc.positives, 212);
    let e = entry("b_breast_cancer_std_logreg");
    assert_all_abs("per-fold AUC", &roc.folds.folds, &floats(&e["results"]["cv"]["roc_auc"]["per_fold"]), 1e-9);
    assert_abs("mean AUC", roc.folds.mean, e["results"]["cv"]["roc_auc"]["mean"].as_f64().unwrap(), 1e-9);
    assert_abs("mean AUC vs metric", roc.folds.mean, r.metrics["roc_auc"].mean, 1e-15);
    assert_abs("pooled AUC vs points", trapezoid(&roc.x, &roc.y), roc.area, 1e-12);
    assert!(roc.area > 0.98 && roc.area <= 1.0, "pooled AUC {}", roc.area);
    assert_eq!((roc.x[0], roc.y[0]), (0.0, 0.0));
    assert_eq!((*roc.x.last().unwrap(), *roc.y.last().unwrap()), (1.0, 1.0));
    // drop_intermediate leaves only the corners of the staircase.
    assert!(roc.x.len() < 100, "{} ROC points", roc.x.len());
    let pr = &d.pr[0];
    assert_all_abs("per-fold AP", &pr.folds.folds, &r.metrics["average_precision"].folds, 1e-12);
    assert_eq!((*pr.x.last().unwrap(), *pr.y.last().unwrap()), (0.0, 1.0));
    // Confusion: 569 rows, and its diagonal matches the mean accuracy (folds differ in size by one row: abs 1e-3).
    let total: usize = d.confusion.iter().flatten().sum();
    assert_eq!(total, 569);
    let correct = d.confusion[0][0] + d.confusion[1][1];
    assert_abs("pooled accuracy", correct as f64 / 569.0, e["results"]["cv"]["accuracy"]["mean"].as_f64().unwrap(), 1e-3);
}

/// diabetes (regression): every row predicted once; residual = actual − predicted;
/// R² of the pooled points is close to the per-fold mean.
#[test]
fn diabetes_predicted_vs_actual() {
    let t = dataset("diabetes");
    let spec = r#"{"target":"target","steps":[{"StandardScaler":{}}],"model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":5}},"scoring":["r2"]}"#;
    let (r, d) = diag(&t, spec);
    let p = d.regression.expect("regression points");
    assert_eq!(p.n_total, 442);
    assert_eq!(p.actual.len(), 442);
    for i in 0..442 {
        assert_eq!(p.residual[i], p.actual[i] - p.predicted[i]);
    }
    let r2 = pipelab::metrics::regression::r2(&p.actual, &p.predicted);
    assert!((r2 - r.metrics["r2"].mean).abs() < 0.02, "pooled {r2} vs mean {}", r.metrics["r2"].mean);
    assert!(d.confusion.is_empty() && d.roc.is_empty());
}

/// ShuffleSplit tests only some rows: they are the ones shown, with a note.
#[test]
fn shuffle_split_shows_only_tested_rows() {
    let t = dataset("iris");
    let spec = r#"{"target":"species","model":{"LogisticRegression":{"max_iter":1000}},"cv":{"ShuffleSplit":{"n_splits":2,"test_size":0.2,"random_state":3}}}"#;
    let (_, d) = diag(&t, spec);
    assert!(d.n_tested <= 60 && d.n_tested >= 30, "{}", d.n_tested);
    assert_eq!(d.confusion.iter().flatten().sum::<usize>(), d.n_tested);
    assert!(d.notes.iter().any(|n| n.contains("never tested")), "{:?}", d.notes);
}

/// A hold-out spec: the pictures cover the training part only.
#[test]
fn holdout_diagnostics_cover_the_training_part() {
    let t = dataset("iris");
    let spec = r#"{"target":"species","model":{"LogisticRegression":{"max_iter":1000}},"holdout":{"test_size":0.2,"stratify":true,"random_state":1}}"#;
    let (r, d) = diag(&t, spec);
    assert_eq!(d.n_tested, 120);
    let h = r.holdout.expect("holdout scores");
    assert_eq!((h.n_train, h.n_test), (120, 30));
}

fn lc(t: &pipelab::data::Table, spec: &str, p: LearningCurveParams) -> CurveReport {
    hooks_run(|h| learning_curve(t, &PipelineSpec::from_json(spec).unwrap(), &p, h)).expect("learning curve")
}

/// The learning curve at the full training size is the plain cross-validation score.
#[test]
fn learning_curve_full_size_equals_cv() {
    let t = dataset("iris");
    let spec = logreg("species", r#"["accuracy"]"#);
    let r = cv(&t, &spec);
    let c = lc(&t, &spec, LearningCurveParams::default());
    assert_eq!(c.x, vec![12, 39, 66, 93, 120].into_iter().map(serde_json::Value::from).collect::<Vec<_>>());
    assert_eq!(c.test.len(), 5);
    assert_eq!(c.test[4].folds, r.metrics["accuracy"].folds);
    assert_eq!(c.train[4].folds, r.train_metrics["accuracy"].folds);
    assert_eq!(c.scoring, "accuracy");
    // Without shuffling, the first 12 training rows of iris are all setosa: a single class, with scikit-learn's warning.
    assert!(c.warnings.iter().any(|w| w.contains("single class")), "{:?}", c.warnings);
    // Shuffled: the training rows permuted as scikit-learn's `learning_curve(shuffle=True,
    // random_state=7)` permutes them (numpy's RandomState), so the same fold scores
    // (scikit-learn 1.9.1, the same pipeline with LogisticRegression(tol=1e-10)).
    let p = LearningCurveParams { shuffle: true, random_state: Some(7), ..Default::default() };
    let a = lc(&t, &spec, p.clone());
    assert_eq!(a, lc(&t, &spec, p));
    let sklearn_test = [[0.8, 0.6666666666666666, 0.7666666666666667, 0.8333333333333334, 0.8666666666666667], [0.9, 1.0, 0.9, 0.9333333333333333, 1.0]];
    let sklearn_train = [
        [1.0, 0.8333333333333334, 1.0, 1.0, 0.8333333333333334],
        [0.9743589743589743, 0.9743589743589743, 0.9487179487179487, 0.9743589743589743, 0.9487179487179487],
    ];
    for (k, (te, tr)) in sklearn_test.iter().zip(&sklearn_train).enumerate() {
        assert_eq!(a.test[k].folds, te.to_vec(), "test, size {k}");
        assert_eq!(a.train[k].folds, tr.to_vec(), "train, size {k}");
    }
}

/// The validation curve at one value is the CV score of the spec with that value;
/// C small underfits; an unknown parameter path is refused with its name.
#[test]
fn validation_curve_matches_cv_and_validates_the_parameter() {
    let t = dataset("breast_cancer");
    let spec_text = logreg("diagnosis", r#"["roc_auc"]"#);
    let spec = PipelineSpec::from_json(&spec_text).unwrap();
    let p = ValidationCurveParams { param: "model__C".into(), values: vec![0.001.into(), 1.0.into(), 100.0.into()], scoring: Some("accuracy".into()) };
    let c = hooks_run(|h| validation_curve(&t, &spec, &p, h)).unwrap();
    assert_eq!(c.param.as_deref(), Some("model__C"));
    assert_eq!(c.scoring, "accuracy");
    let plain = cv(&t, &logreg("diagnosis", r#"["accuracy"]"#));
    assert_eq!(c.test[1].folds, plain.metrics["accuracy"].folds);
    assert_abs("oracle accuracy at C=1", c.test[1].mean, entry("b_breast_cancer_std_logreg")["results"]["cv"]["accuracy"]["mean"].as_f64().unwrap(), 1e-9);
    assert!(c.train[0].mean < c.train[2].mean, "training score grows with C");
    let bad = ValidationCurveParams { param: "model__not_a_param".into(), values: vec![1.0.into()], scoring: None };
    let e = hooks_run(|h| validation_curve(&t, &spec, &bad, h)).unwrap_err().to_string();
    assert!(e.contains("not_a_param"), "{e}");
    let bad_value = ValidationCurveParams { param: "model__C".into(), values: vec!["big".into()], scoring: None };
    assert!(hooks_run(|h| validation_curve(&t, &spec, &bad_value, h)).is_err());
}

/// Progress reaches (sizes × splits) and returning false cancels.
#[test]
fn curves_report_progress_and_cancel() {
    let t = dataset("iris");
    let spec = PipelineSpec::from_json(&logreg("species", r#"["accuracy"]"#)).unwrap();
    let mut seen = Vec::new();
    let p = LearningCurveParams { train_sizes: vec![0.5, 1.0], ..Default::default() };
    learning_curve(
        &t,
        &spec,
        &p,
        CvHooks {
            stop: None,
            threads: 1,
            now_ms: &|| 0.0,
            progress: &mut |d, n| {
                seen.push((d, n));
                true
            },
        },
    )
    .unwrap();
    assert_eq!(seen.last(), Some(&(10, 10)));
    let e = learning_curve(&t, &spec, &p, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |d, _| d < 3, stop: None }).unwrap_err();
    assert!(matches!(e, pipelab::Error::Cancelled));
}

/// Options given as JSON through the facade: unknown fields are refused with their path.
#[test]
fn curve_options_from_json() {
    let t = dataset("iris");
    let spec = logreg("species", r#"["accuracy"]"#);
    let c = hooks_run(|h| api::learning_curve(&t, &spec, r#"{"train_sizes":[30,60,120]}"#, h)).unwrap();
    assert_eq!(c.x.len(), 3);
    let e = hooks_run(|h| api::learning_curve(&t, &spec, r#"{"train_size":[0.5]}"#, h)).unwrap_err().to_string();
    assert!(e.contains("train_size"), "{e}");
    let e = hooks_run(|h| api::validation_curve(&t, &spec, r#"{"param":"model__C","values":[]}"#, h)).unwrap_err().to_string();
    assert!(e.contains("values"), "{e}");
}

/// Constant predictions (C = 1e-6: every row predicted B): scikit-learn's
/// zero-division warning for precision, said once for every fold, and an
/// empty predicted-M column in the confusion matrix.
#[test]
fn constant_predictions_warn_like_sklearn() {
    let t = dataset("breast_cancer");
    let spec =
        r#"{"target":"diagnosis","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"C":1e-6}},"scoring":["precision","f1_macro","accuracy"]}"#;
    let (r, d) = diag(&t, spec);
    assert!(r.warnings.iter().any(|w| w.starts_with("in every fold: precision: precision is ill-defined")), "{:?}", r.warnings);
    assert_eq!(r.metrics["precision"].mean, 0.0);
    assert_eq!(d.confusion[0][1] + d.confusion[1][1], 0, "nothing predicted M");
    assert_abs("accuracy = share of B", r.metrics["accuracy"].mean, 357.0 / 569.0, 2e-3);
}
