//! Every core, the same result (issue 17): cross-validation folds, forest trees
//! and k-means restarts on 1, 2 and 3 threads give exactly the same scores,
//! out-of-fold predictions, warnings and model JSON; progress counts finished
//! folds and a cancel on the threaded path stops the cross-validation.

use crate::support;

use pipelab::api;
use pipelab::error::Error;
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

fn cv_on(data: &str, spec: &str, threads: usize) -> CvReport {
    let t = dataset(data);
    let spec = PipelineSpec::from_json(spec).unwrap();
    let mut seen = Vec::new();
    let r = cv::cross_validate(
        &t,
        &spec,
        CvHooks {
            stop: None,
            threads,
            now_ms: &|| 0.0,
            progress: &mut |d, n| {
                seen.push((d, n));
                true
            },
        },
    )
    .unwrap();
    let n = r.folds.len();
    assert_eq!(seen, (1..=n).map(|d| (d, n)).collect::<Vec<_>>(), "progress counts finished folds, threads={threads}");
    strip(r)
}

fn same_cv_on_any_threads(data: &str, spec: &str) {
    let one = cv_on(data, spec, 1);
    for t in [2, 3] {
        let many = cv_on(data, spec, t);
        // Bit-identical: compared as JSON text too (f64s printed to round-trip).
        assert_eq!(serde_json::to_string(&many).unwrap(), serde_json::to_string(&one).unwrap(), "{data}, threads={t}");
        assert_eq!(many, one, "{data}, threads={t}");
    }
}

#[test]
fn cv_of_a_classifier_is_the_same_on_any_number_of_threads() {
    same_cv_on_any_threads(
        "breast_cancer",
        r#"{"target":"diagnosis","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"C":0.5}},"cv":{"StratifiedKFold":{"n_splits":5,"shuffle":true}},"scoring":["accuracy","roc_auc","log_loss"],"random_state":3}"#,
    );
    // Folds whose fits are forests: the threads left over go to the trees (3 threads, 5 folds: 1 each).
    same_cv_on_any_threads(
        "titanic_like",
        r#"{"target":"survived","drop":["name","sex","embarked"],"steps":[{"SimpleImputer":{}}],"model":{"RandomForestClassifier":{"n_estimators":12,"max_depth":5}},"holdout":{"test_size":0.2},"scoring":["accuracy","roc_auc"],"random_state":1}"#,
    );
}

#[test]
fn cv_of_a_regressor_is_the_same_on_any_number_of_threads() {
    same_cv_on_any_threads("diabetes", r#"{"target":"target","model":{"Ridge":{"alpha":1.0}},"cv":{"KFold":{"n_splits":4,"shuffle":true}},"random_state":7}"#);
    // Two folds on three threads: one thread per fold, the third goes unused (3 / 2 = 1 inside).
    same_cv_on_any_threads(
        "diabetes",
        r#"{"target":"target","model":{"RandomForestRegressor":{"n_estimators":10,"max_depth":4}},"cv":{"KFold":{"n_splits":2}},"random_state":2}"#,
    );
}

fn model_json(data: &str, spec: &str, threads: usize) -> String {
    let t = dataset(data);
    let m = if api::is_clustering(spec).unwrap() {
        api::fit_clustering_model_threads(&t, spec, threads).unwrap().0
    } else {
        api::fit_model_threads(&t, spec, None, false, threads).unwrap()
    };
    m.to_json().unwrap()
}

fn same_model_on_any_threads(data: &str, spec: &str) {
    let one = model_json(data, spec, 1);
    for t in [2, 3] {
        assert_eq!(model_json(data, spec, t), one, "{data}, threads={t}");
    }
}

#[test]
fn forests_are_the_same_on_any_number_of_threads() {
    // 30 trees on 3 threads: batches of 24 then 6, out-of-bag sums taken in tree order.
    same_model_on_any_threads(
        "wine",
        r#"{"target":"class","model":{"RandomForestClassifier":{"n_estimators":30,"oob_score":true,"class_weight":"balanced_subsample"}},"random_state":4}"#,
    );
    same_model_on_any_threads(
        "diabetes",
        r#"{"target":"target","model":{"RandomForestRegressor":{"n_estimators":25,"max_features":0.5,"oob_score":true}},"random_state":9}"#,
    );
}

#[test]
fn kmeans_restarts_are_the_same_on_any_number_of_threads() {
    same_model_on_any_threads(
        "iris",
        r#"{"drop":["species"],"steps":[{"StandardScaler":{}}],"model":{"KMeans":{"n_clusters":4,"n_init":7,"random_state":0}}}"#,
    );
    same_model_on_any_threads("wine", r#"{"drop":["class"],"model":{"KMeans":{"n_clusters":3,"n_init":5,"init":"random"}},"random_state":5}"#);
}

#[test]
fn a_cancel_on_the_threaded_path_stops_the_cross_validation() {
    let t = dataset("diabetes");
    let spec = PipelineSpec::from_json(r#"{"target":"target","model":{"Ridge":{}},"cv":{"KFold":{"n_splits":10}}}"#).unwrap();
    for threads in [1, 2, 3] {
        let mut calls = 0;
        let e = cv::cross_validate(
            &t,
            &spec,
            CvHooks {
                stop: None,
                threads,
                now_ms: &|| 0.0,
                progress: &mut |d, _| {
                    calls += 1;
                    d < 2
                },
            },
        )
        .unwrap_err();
        assert!(matches!(e, Error::Cancelled), "threads={threads}: {e}");
        // Progress is not asked again after the cancel (folds already running finish unreported;
        // that none starts after it is src/parallel.rs's test).
        assert_eq!(calls, 2, "threads={threads}");
    }
}

/// A fit lent a stop flag that is set (the CLI's Ctrl-C) ends with `Cancelled` at its next
/// tree, boosting stage or k-means restart, on any number of threads; unset, it fits as lent threads.
#[test]
fn a_lent_stop_flag_cancels_forests_boosting_and_kmeans() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static STOP: AtomicBool = AtomicBool::new(false);
    let specs = [
        ("wine", r#"{"target":"class","model":{"RandomForestClassifier":{"n_estimators":30}}}"#),
        ("diabetes", r#"{"target":"target","model":{"GradientBoostingRegressor":{"n_estimators":20}}}"#),
        ("wine", r#"{"target":"class","model":{"GradientBoostingClassifier":{"n_estimators":5}}}"#),
        ("iris", r#"{"drop":["species"],"model":{"KMeans":{"n_clusters":3,"n_init":4}}}"#),
    ];
    for (data, spec) in specs {
        let t = dataset(data);
        for threads in [1, 2] {
            let lend = pipelab::parallel::Lend { threads, stop: Some(&STOP), part: None };
            let fit = || {
                if api::is_clustering(spec).unwrap() {
                    api::fit_clustering_model_threads(&t, spec, lend).map(|m| m.0)
                } else {
                    api::fit_model_threads(&t, spec, None, false, lend)
                }
            };
            STOP.store(false, Ordering::Relaxed);
            assert_eq!(fit().unwrap().to_json().unwrap(), model_json(data, spec, threads), "{spec}");
            STOP.store(true, Ordering::Relaxed);
            let e = fit().unwrap_err();
            assert!(matches!(e, Error::Cancelled), "{spec}, threads={threads}: {e}");
        }
    }
}

/// The stop flag lent to the fits inside the folds (`cv`, `fit`, `retrain` and the search's
/// candidates in the CLI): unset, the same report as without it on any number of threads; set,
/// the running folds end at their next tree with `Cancelled` instead of finishing, and no fold
/// is reported done.
#[test]
fn a_stop_flag_lent_to_the_folds_cancels_cross_validation_and_search() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static STOP: AtomicBool = AtomicBool::new(false);
    let data = "wine";
    let spec_json =
        r#"{"target":"class","model":{"RandomForestClassifier":{"n_estimators":20}},"cv":{"KFold":{"n_splits":3,"shuffle":true}},"random_state":5}"#;
    let t = dataset(data);
    let spec = PipelineSpec::from_json(spec_json).unwrap();
    for threads in [1, 2, 3] {
        let mut calls = 0;
        let mut cv = || {
            cv::cross_validate(
                &t,
                &spec,
                CvHooks {
                    threads,
                    now_ms: &|| 0.0,
                    progress: &mut |_, _| {
                        calls += 1;
                        true
                    },
                    stop: Some(&STOP),
                },
            )
        };
        STOP.store(false, Ordering::Relaxed);
        assert_eq!(strip(cv().unwrap()), cv_on(data, spec_json, threads), "threads={threads}");
        STOP.store(true, Ordering::Relaxed);
        let e = cv().unwrap_err();
        assert!(matches!(e, Error::Cancelled), "threads={threads}: {e}");
        assert_eq!(calls, 3, "threads={threads}: the cancelled run reported no fold");
    }

    // A search: its candidates' folds are lent the flag; the progress hook (as the CLI's) ends it.
    let search_json = r#"{"target":"class","model":{"RandomForestClassifier":{"n_estimators":10}},"cv":{"KFold":{"n_splits":2}},"search":{"GridSearchCV":{"param_grid":{"model__max_depth":[2,3]}}},"random_state":1}"#;
    let search = PipelineSpec::from_json(search_json).unwrap();
    let runner = |batch: &[api::ParamSet], eval: &(dyn Fn(&api::ParamSet) -> api::CandidateResult + Sync)| batch.iter().map(eval).collect::<Vec<_>>();
    let run = |stop: Option<&'static AtomicBool>| {
        let hooks = CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| !STOP.load(Ordering::Relaxed), stop };
        api::search(&t, &search, hooks, &runner)
    };
    STOP.store(false, Ordering::Relaxed);
    let plain = api::search(&t, &search, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }, &runner).unwrap();
    assert_eq!(serde_json::to_string(&run(Some(&STOP)).unwrap()).unwrap(), serde_json::to_string(&plain).unwrap());
    STOP.store(true, Ordering::Relaxed);
    assert!(matches!(run(Some(&STOP)).unwrap_err(), Error::Cancelled));
}

#[test]
fn a_failing_fold_is_the_same_error_on_any_number_of_threads() {
    // Every fold of this spec fails (more neighbours than training rows): the first fold's error, whatever the threads.
    let t = dataset("iris");
    let spec = PipelineSpec::from_json(r#"{"target":"species","model":{"KNeighborsClassifier":{"n_neighbors":130}},"cv":{"KFold":{"n_splits":5}}}"#).unwrap();
    let err = |threads| cv::cross_validate(&t, &spec, CvHooks { threads, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap_err().to_string();
    let one = err(1);
    assert!(one.contains("n_neighbors"), "{one}");
    assert_eq!(err(2), one);
    assert_eq!(err(3), one);
}
