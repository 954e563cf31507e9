//! Cross-validation fold by fold (`cv::evaluate_fold` on any worker, in any
//! order, then `cv::finish_folds`; the page's worker pool, www/cv_pool.js) gives
//! the report `cv::cross_validate` gives (the CLI's and the single worker's
//! path), fold timings aside: regression and classification, with warnings and a
//! hold-out part; and a fold set that does not match the plan is refused.

use crate::support;

use pipelab::pipeline::PipelineSpec;
use pipelab::selection::cv::{self, CvHooks, CvReport};
use support::*;

fn strip(mut r: CvReport) -> CvReport {
    r.folds.iter_mut().for_each(|f| {
        f.fit_time_ms = 0.0;
        f.score_time_ms = 0.0;
    });
    r
}

fn check(data: &str, spec: &str) {
    let t = dataset(data);
    let spec = PipelineSpec::from_json(spec).unwrap();
    let whole = cv::cross_validate(&t, &spec, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap();
    let n = cv::n_folds(&t, &spec).unwrap();
    assert_eq!(n, whole.folds.len());
    // Folds evaluated last first (as pool workers may finish), each on its own.
    let folds: Vec<_> = (0..n).rev().map(|f| cv::evaluate_fold(&t, &spec, f, &|| 0.0).unwrap()).collect();
    // Through JSON, as the results cross from a pool worker to the main worker.
    let folds: Vec<cv::FoldResult> = folds.iter().map(|f| serde_json::from_str(&serde_json::to_string(f).unwrap()).unwrap()).collect();
    let pooled = cv::finish_folds(&t, &spec, folds).unwrap();
    assert_eq!(strip(pooled), strip(whole), "{data}");
}

#[test]
fn fold_by_fold_equals_cross_validate() {
    check("iris", r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{}},"cv":{"StratifiedKFold":{"n_splits":5}}}"#);
    check("diabetes", r#"{"target":"target","model":{"Ridge":{"alpha":1.0}},"cv":{"KFold":{"n_splits":4,"shuffle":true}},"random_state":7}"#);
    check(
        "titanic_like",
        r#"{"target":"survived","drop":["name","sex","embarked"],"steps":[{"SimpleImputer":{}}],"model":{"RandomForestClassifier":{"n_estimators":10}},"holdout":{"test_size":0.2},"scoring":["accuracy","roc_auc"],"random_state":1}"#,
    );
}

#[test]
fn a_wrong_fold_set_is_refused() {
    let t = dataset("iris");
    let spec = PipelineSpec::from_json(r#"{"target":"species","model":{"LogisticRegression":{}},"cv":{"KFold":{"n_splits":3}}}"#).unwrap();
    let f0 = cv::evaluate_fold(&t, &spec, 0, &|| 0.0).unwrap();
    assert!(cv::finish_folds(&t, &spec, vec![f0.clone(), f0]).unwrap_err().to_string().contains("fold results"));
    assert!(cv::evaluate_fold(&t, &spec, 3, &|| 0.0).unwrap_err().to_string().contains("3 folds"));
}
