//! ROC-AUC and average precision of models without probabilities (LinearSVC,
//! SVC) scored from their decision values, as scikit-learn's `roc_auc` and
//! `average_precision` scorers do (response_method=("decision_function",
//! "predict_proba")), against scikit-learn 1.9.1's per-fold scores
//! (tests/fixtures/decision_auc_reference.json, made by
//! tests/fixtures/gen_decision_auc.py with the interop venv). Where
//! scikit-learn refuses (roc_auc_ovr needs predict_proba; roc_auc on more
//! than two classes), pipelab refuses too.

use pipelab::api;
use pipelab::data::{read_csv, ReadOptions};
use pipelab::selection::cv::CvHooks;
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("../fixtures/decision_auc_reference.json")).unwrap()
}

fn cv(dataset: &str, spec: &str) -> pipelab::Result<pipelab::selection::cv::CvReport> {
    let bytes = std::fs::read(format!("{}/www/datasets/{dataset}.csv", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let (table, _) = read_csv(&bytes, &ReadOptions::default()).unwrap();
    let now = || 0.0;
    api::cross_validate(&table, spec, CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None })
}

#[test]
fn decision_function_scores_match_scikit_learn() {
    let r = reference();
    assert_eq!(r["versions"]["scikit-learn"], "1.9.1");
    let mut compared = 0;
    let mut refused = 0;
    let mut report = Vec::new();
    for c in r["cases"].as_array().unwrap() {
        let (dataset, target, model, scoring) =
            (c["dataset"].as_str().unwrap(), c["target"].as_str().unwrap(), c["model"].as_str().unwrap(), c["scoring"].as_str().unwrap());
        // pipelab refuses average_precision for more than two classes whatever the model (scikit-learn macro-averages it): not compared.
        if scoring == "average_precision" && c["n_classes"] != 2 {
            continue;
        }
        let spec = format!(
            r#"{{"target":"{target}","steps":[{{"StandardScaler":{{}}}}],"model":{{"{model}":{{}}}},"cv":{{"StratifiedKFold":{{"n_splits":5}}}},"scoring":["{scoring}"]}}"#
        );
        let got = cv(dataset, &spec);
        match (&c["folds"], got) {
            (Value::Array(want), Ok(rep)) => {
                let folds = &rep.metrics[scoring].folds;
                for (k, (w, g)) in want.iter().zip(folds).enumerate() {
                    let w = w.as_f64().unwrap();
                    // SVC matches libsvm to its tolerance; LinearSVC's solver to ~1e-4 on its coefficients: the ranking is what counts.
                    let tol = if model == "SVC" { 1e-9 } else { 2e-3 };
                    assert!((w - g).abs() <= tol, "{dataset} {model} {scoring} fold {}: scikit-learn {w}, pipelab {g}", k + 1);
                    report.push(format!("{dataset} {model} {scoring} fold {}: |Δ| = {:.2e}", k + 1, (w - g).abs()));
                }
                compared += 1;
            }
            (Value::Null, Err(e)) => {
                let e = e.to_string();
                assert!(e.contains("needs class probabilities"), "{dataset} {model} {scoring}: {e}");
                refused += 1;
            }
            (want, got) => panic!("{dataset} {model} {scoring}: scikit-learn {want} ({}), pipelab {got:?}", c["sklearn_error"]),
        }
    }
    eprintln!("{}", report.join("\n"));
    assert_eq!((compared, refused), (4, 6), "every case of the reference was checked");
}

#[test]
fn binary_default_metrics_include_roc_auc() {
    // No scoring given: a two-class problem gets roc_auc (from probabilities, or
    // decision values for LinearSVC); more classes do not (scikit-learn's roc_auc refuses them).
    let r = cv("breast_cancer", r#"{"target":"diagnosis","steps":[{"StandardScaler":{}}],"model":{"LinearSVC":{}}}"#).unwrap();
    assert_eq!(r.metrics.keys().collect::<Vec<_>>(), ["accuracy", "f1_macro", "roc_auc"]);
    assert!(r.metrics["roc_auc"].mean > 0.98);
    let r = cv("iris", r#"{"target":"species","model":{"GaussianNB":{}}}"#).unwrap();
    assert_eq!(r.metrics.keys().collect::<Vec<_>>(), ["accuracy", "f1_macro"]);
    assert!(pipelab::metrics::default_scoring_for(pipelab::estimator::Task::Classification, 2).contains(&"roc_auc".to_string()));
}
