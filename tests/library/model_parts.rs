//! A fit split between workers (the page's worker pool, www/fit_pool.js): each
//! worker fits a range of a forest's trees or of KMeans' restarts (`api::fit_part`),
//! the page's worker joins them (`api::fit_model_with_parts`,
//! `api::clustering_view_with_parts`), and the model file (and the clustering view)
//! is byte for byte the one a single fit writes, whatever the split.

use crate::support;

use pipelab::api;
use support::*;

/// The pieces fitted in `k` even ranges, as www/fit_pool.js splits them.
fn parts(t: &pipelab::data::Table, spec: &str, n: usize, k: usize) -> Vec<String> {
    let (q, r) = (n / k, n % k);
    (0..k)
        .map(|i| {
            let from = i * q + i.min(r);
            api::fit_part(t, spec, from, from + q + usize::from(i < r)).unwrap()
        })
        .collect()
}

fn same_file_from_parts(data: &str, spec: &str) {
    let t = dataset(data);
    let whole = api::fit_model(&t, spec, None).unwrap().to_json().unwrap();
    let n = api::split_plan(spec).unwrap().expect("a forest without oob_score, KMeans with restarts is split");
    for k in [1, 2, 3, 7] {
        let joined = api::fit_model_with_parts(&t, spec, None, None, &parts(&t, spec, n, k)).unwrap();
        assert_eq!(joined.to_json().unwrap(), whole, "{data}, {k} part(s)");
    }
    // The page's session path (the drift reference cached between fits) writes the same file.
    let mut cache = api::ReferenceCache::default();
    for _ in 0..2 {
        let joined = api::fit_model_with_parts(&t, spec, None, Some(&mut cache), &parts(&t, spec, n, 2)).unwrap();
        assert_eq!(joined.to_json().unwrap(), whole, "{data}, cached reference");
    }
}

#[test]
fn a_forest_grown_in_parts_is_the_forest_grown_whole() {
    same_file_from_parts(
        "wine",
        r#"{"target":"class","model":{"RandomForestClassifier":{"n_estimators":23,"class_weight":"balanced_subsample","max_depth":6}},"random_state":4}"#,
    );
    same_file_from_parts(
        "diabetes",
        r#"{"target":"target","steps":[{"StandardScaler":{}}],"model":{"RandomForestRegressor":{"n_estimators":12,"max_features":0.5}},"random_state":9}"#,
    );
}

#[test]
fn a_forest_inside_a_step_grows_every_tree_when_the_model_is_split() {
    // SelectFromModel's own forest is not the pipeline's model: the lent part must not reach it.
    same_file_from_parts(
        "wine",
        r#"{"target":"class","steps":[{"SelectFromModel":{"estimator":{"RandomForestClassifier":{"n_estimators":9}},"max_features":5}}],"model":{"RandomForestClassifier":{"n_estimators":10}},"random_state":2}"#,
    );
}

#[test]
fn fits_that_cannot_be_split_say_so() {
    let t = dataset("wine");
    let oob = r#"{"target":"class","model":{"RandomForestClassifier":{"n_estimators":10,"oob_score":true}}}"#;
    let holdout = r#"{"target":"class","holdout":{"test_size":0.25},"model":{"RandomForestClassifier":{"n_estimators":10}}}"#;
    let logistic = r#"{"target":"class","model":{"LogisticRegression":{}}}"#;
    let one_run = r#"{"target":"class","model":{"KMeans":{"n_clusters":3}}}"#;
    for spec in [oob, holdout, logistic, one_run] {
        assert_eq!(api::split_plan(spec).unwrap(), None, "{spec}");
        let e = api::fit_part(&t, spec, 0, 5).unwrap_err().to_string();
        assert!(e.contains("cannot be split between workers"), "{e}");
    }
    let spec = r#"{"target":"class","model":{"RandomForestClassifier":{"n_estimators":10}}}"#;
    // Ranges outside the forest, parts that miss trees or hold unreadable text.
    let e = api::fit_part(&t, spec, 4, 11).unwrap_err().to_string();
    assert!(e.contains("trees 4..11 are not a part of a forest of 10 trees"), "{e}");
    let short = vec![api::fit_part(&t, spec, 0, 6).unwrap()];
    let e = api::fit_model_with_parts(&t, spec, None, None, &short).unwrap_err().to_string();
    assert!(e.contains("the parts hold 6 trees, the forest has 10"), "{e}");
    let e = api::fit_model_with_parts(&t, spec, None, None, &["[{".to_string()]).unwrap_err().to_string();
    assert!(e.contains("part 1 of the forest's trees cannot be read"), "{e}");
}

/// The clustering view (report, 2-D view, inspection) and model file of KMeans
/// run whole, and from its restarts run in `k` parts.
fn same_clustering_from_parts(data: &str, spec: &str) {
    let t = dataset(data);
    let (model, view) = api::clustering_view(&t, spec).unwrap();
    let (whole, whole_view) = (model.to_json().unwrap(), serde_json::to_string(&view).unwrap());
    let whole_fit = api::fit_model(&t, spec, None).unwrap().to_json().unwrap();
    let n = api::split_plan(spec).unwrap().expect("KMeans with restarts is split");
    for k in [1, 2, 3, n] {
        let parts = parts(&t, spec, n, k);
        let (model, view) = api::clustering_view_with_parts(&t, spec, &parts).unwrap();
        assert_eq!(model.to_json().unwrap(), whole, "{data}, {k} part(s)");
        assert_eq!(serde_json::to_string(&view).unwrap(), whole_view, "{data}, {k} part(s): the view");
        let fitted = api::fit_model_with_parts(&t, spec, None, None, &parts).unwrap();
        assert_eq!(fitted.to_json().unwrap(), whole_fit, "{data}, {k} part(s): fit");
    }
}

#[test]
fn kmeans_restarts_run_in_parts_keep_the_run_the_whole_fit_keeps() {
    // Random starts (n_init "auto" = 10) on wine's unscaled columns: the restarts land in
    // different optima, so which run is kept depends on every run.
    let random = r#"{"target":"class","steps":[{"StandardScaler":{}}],"model":{"KMeans":{"n_clusters":4,"init":"random"}},"random_state":3}"#;
    same_clustering_from_parts("wine", random);
    // k-means++ starts, the later runs' starts drawn after the earlier ones'; a warning (max_iter).
    same_clustering_from_parts("iris", r#"{"target":"species","model":{"KMeans":{"n_clusters":5,"n_init":5,"max_iter":2}},"random_state":11}"#);
    // Which run is kept is not always the first: the test would not see a wrong pick otherwise.
    let t = dataset("wine");
    let runs: Vec<pipelab::models::cluster::kmeans::PartRun> = serde_json::from_str(&api::fit_part(&t, random, 0, 10).unwrap()).unwrap();
    let kept = pipelab::models::cluster::kmeans::best_run(&runs, 4).unwrap();
    assert!(kept > 0, "the first of ten random starts is kept: the test does not tell the picks apart");
    assert!(runs.iter().any(|r| r.inertia != runs[kept].inertia), "every run found the same optimum");
}

#[test]
fn kmeans_parts_that_do_not_cover_the_restarts_are_refused() {
    let t = dataset("iris");
    let spec = r#"{"target":"species","model":{"KMeans":{"n_clusters":3,"n_init":4}}}"#;
    let e = api::fit_part(&t, spec, 3, 5).unwrap_err().to_string();
    assert!(e.contains("runs 3..5 are not a part of KMeans's 4 restarts"), "{e}");
    let short = vec![api::fit_part(&t, spec, 0, 3).unwrap()];
    let e = api::clustering_view_with_parts(&t, spec, &short).unwrap_err().to_string();
    assert!(e.contains("the parts hold 3 restarts, KMeans runs 4"), "{e}");
    let bad = vec![r#"[{"inertia":1.0,"labels":[0,7]}]"#.to_string(); 4];
    let e = api::fit_model_with_parts(&t, spec, None, None, &bad).unwrap_err().to_string();
    assert!(e.contains("restart 1 holds a label outside 0..3"), "{e}");
    let e = api::clustering_view_with_parts(&t, spec, &["[".to_string()]).unwrap_err().to_string();
    assert!(e.contains("part 1 of the restarts cannot be read"), "{e}");
}
