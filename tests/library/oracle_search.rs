//! Search and validation: entry i_breast_cancer_gridsearch_logreg_C, plus the
//! randomized / Bayesian / halving searches and the hold-out pattern.

use crate::support;

use pipelab::pipeline::PipelineSpec;
use pipelab::selection::cv::{cross_validate, CvHooks};
use pipelab::selection::search;
use support::*;

fn run(table: &pipelab::data::Table, spec: &str) -> search::SearchReport {
    let spec = PipelineSpec::from_json(spec).unwrap();
    search::run(table, &spec, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap()
}

/// Entry i_breast_cancer_gridsearch_logreg_C: best C exact, best score abs 0.005.
#[test]
fn i_breast_cancer_gridsearch_logreg_c() {
    let e = entry("i_breast_cancer_gridsearch_logreg_C");
    let r = run(
        &dataset("breast_cancer"),
        r#"{"target":"diagnosis","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":1000}},
            "cv":{"StratifiedKFold":{"n_splits":5}},
            "search":{"GridSearchCV":{"param_grid":{"model__C":[0.01,0.1,1,10]},"scoring":"accuracy"}}}"#,
    );
    assert_eq!(r.best_params["model__C"].as_f64().unwrap(), e["results"]["best_C"].as_f64().unwrap());
    assert_abs("best_score", r.best_score, e["results"]["best_score"].as_f64().unwrap(), 0.005);
    assert_eq!(r.cv_results.len(), 4);
    // The three converged candidates match per fold; C=10 is where sklearn's default tol stops early.
    for c in ["0.01", "0.1", "1"] {
        let got = r.cv_results.iter().find(|x| x.params["model__C"].as_f64().unwrap() == c.parse::<f64>().unwrap()).unwrap();
        assert_all_abs(&format!("C={c}"), &got.split_test_scores, &floats(&e["results"]["split_test_scores"][c]), 1e-9);
    }
    assert_eq!(r.cv_results.iter().map(|c| c.rank).collect::<Vec<_>>()[..3], [4, 2, 1]);
}

#[test]
fn randomized_bayes_and_halving_are_seeded() {
    let t = dataset("iris");
    let base = r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":500}},"cv":{"StratifiedKFold":{"n_splits":3}},"random_state":3,"#;
    for search in [
        r#""search":{"RandomizedSearchCV":{"param_distributions":{"model__C":{"loguniform":[0.001,100]},"StandardScaler__with_mean":[true,false]},"n_iter":6}}}"#,
        r#""search":{"BayesSearchCV":{"search_spaces":{"model__C":{"loguniform":[0.001,100]}},"n_iter":8,"n_initial_points":4}}}"#,
        r#""search":{"HalvingGridSearchCV":{"param_grid":{"model__C":[0.001,0.01,0.1,1,10,100]},"factor":2,"min_resources":40}}}"#,
    ] {
        let spec = format!("{base}{search}");
        let a = run(&t, &spec);
        let b = run(&t, &spec);
        assert_eq!(a, b, "same seed, same search: {search}");
        assert!(a.best_score > 0.85, "{search}: best {}", a.best_score);
        assert_eq!(a.trace.len(), a.cv_results.len());
        assert!(a.trace.windows(2).all(|w| w[1] >= w[0]), "trace is best-so-far");
    }
    // Halving: later rounds use more rows and fewer candidates.
    let h = run(
        &t,
        &format!(r#"{base}"search":{{"HalvingGridSearchCV":{{"param_grid":{{"model__C":[0.001,0.01,0.1,1,10,100]}},"factor":2,"min_resources":40}}}}}}"#),
    );
    let rounds: Vec<(usize, usize)> = (0..4)
        .map(|i| (h.cv_results.iter().filter(|c| c.iteration == i).count(), h.cv_results.iter().find(|c| c.iteration == i).map_or(0, |c| c.n_resources)))
        .collect();
    assert_eq!(rounds[0], (6, 40));
    assert_eq!(rounds[1], (3, 80));
    assert_eq!(rounds[2], (2, 150));
}

#[test]
fn search_errors_name_the_parameter() {
    let t = dataset("iris");
    let spec =
        PipelineSpec::from_json(r#"{"target":"species","model":{"LogisticRegression":{}},"search":{"GridSearchCV":{"param_grid":{"model__C":[-1, 1]}}}}"#)
            .unwrap();
    let r = search::run(&t, &spec, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap();
    // An invalid value fails its candidate (kept in the table with the error) and the valid one wins.
    assert!(r.cv_results[0].error.as_deref().unwrap().contains("'C'"));
    assert_eq!(r.best_index, 1);
    let spec =
        PipelineSpec::from_json(r#"{"target":"species","model":{"LogisticRegression":{}},"search":{"GridSearchCV":{"param_grid":{"model__gamma":[1]}}}}"#)
            .unwrap();
    let e = search::run(&t, &spec, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap_err().to_string();
    assert!(e.contains("gamma"), "{e}");
}

#[test]
fn holdout_scores_the_untouched_test_part() {
    let t = dataset("breast_cancer");
    let spec = PipelineSpec::from_json(
        r#"{"target":"diagnosis","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":1000}},
            "holdout":{"test_size":0.2,"stratify":true,"random_state":1},"scoring":["accuracy","roc_auc"]}"#,
    )
    .unwrap();
    let r = cross_validate(&t, &spec, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap();
    let h = r.holdout.unwrap();
    assert_eq!((h.n_train, h.n_test), (455, 114));
    assert_eq!(r.n_rows, 455, "CV runs on the training part only");
    assert!(h.scores["accuracy"] > 0.93 && h.scores["roc_auc"] > 0.97, "{:?}", h.scores);
    // Stratified: out-of-fold truth covers the training part with the data's class shares (212 M of 569 → 170 of 455).
    let m = r.classes.iter().position(|c| c == "M").unwrap();
    assert_eq!(r.oof.y_true.iter().filter(|&&c| c == m).count(), 170);
}

#[test]
fn group_kfold_never_splits_a_group() {
    let mut csv = String::from("g,x,y\n");
    for i in 0..60 {
        csv.push_str(&format!("p{},{},{}\n", i % 7, i as f64 * 0.5, (i % 3) as f64 + i as f64 * 0.1));
    }
    let t = pipelab::data::read_csv(csv.as_bytes(), &Default::default()).unwrap().0;
    let spec =
        PipelineSpec::from_json(r#"{"target":"y","drop":["g"],"model":{"LinearRegression":{}},"cv":{"GroupKFold":{"n_splits":3,"groups":"g"}}}"#).unwrap();
    let r = cross_validate(&t, &spec, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap();
    assert_eq!(r.folds.len(), 3);
    for g in 0..7 {
        let folds: std::collections::BTreeSet<usize> = (0..60).filter(|i| i % 7 == g).map(|i| r.oof.fold[i]).collect();
        assert_eq!(folds.len(), 1, "group p{g} straddles folds");
    }
}
