//! A forest's fit split by trees between workers (the page's worker pool,
//! www/fit_pool.js): each worker grows a range of the trees (`api::forest_trees`),
//! the page's worker joins them (`api::fit_model_with_trees`), and the model file
//! is byte for byte the one a single fit writes, whatever the split.

use crate::support;

use pipelab::api;
use support::*;

/// The forest's trees grown in `k` even ranges, as www/fit_pool.js splits them.
fn parts(t: &pipelab::data::Table, spec: &str, n: usize, k: usize) -> Vec<String> {
    let (q, r) = (n / k, n % k);
    (0..k)
        .map(|i| {
            let from = i * q + i.min(r);
            api::forest_trees(t, spec, from, from + q + usize::from(i < r)).unwrap()
        })
        .collect()
}

fn same_file_from_parts(data: &str, spec: &str) {
    let t = dataset(data);
    let whole = api::fit_model(&t, spec, None).unwrap().to_json().unwrap();
    let n = api::forest_plan(spec).unwrap().expect("a forest without oob_score is split");
    for k in [1, 2, 3, 7] {
        let joined = api::fit_model_with_trees(&t, spec, None, None, &parts(&t, spec, n, k)).unwrap();
        assert_eq!(joined.to_json().unwrap(), whole, "{data}, {k} part(s)");
    }
    // The page's session path (the drift reference cached between fits) writes the same file.
    let mut cache = api::ReferenceCache::default();
    for _ in 0..2 {
        let joined = api::fit_model_with_trees(&t, spec, None, Some(&mut cache), &parts(&t, spec, n, 2)).unwrap();
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
    for spec in [oob, holdout, logistic] {
        assert_eq!(api::forest_plan(spec).unwrap(), None, "{spec}");
        let e = api::forest_trees(&t, spec, 0, 5).unwrap_err().to_string();
        assert!(e.contains("cannot be split by trees"), "{e}");
    }
    let spec = r#"{"target":"class","model":{"RandomForestClassifier":{"n_estimators":10}}}"#;
    // Ranges outside the forest, parts that miss trees or hold unreadable text.
    let e = api::forest_trees(&t, spec, 4, 11).unwrap_err().to_string();
    assert!(e.contains("trees 4..11 are not a part of a forest of 10 trees"), "{e}");
    let short = vec![api::forest_trees(&t, spec, 0, 6).unwrap()];
    let e = api::fit_model_with_trees(&t, spec, None, None, &short).unwrap_err().to_string();
    assert!(e.contains("the parts hold 6 trees, the forest has 10"), "{e}");
    let e = api::fit_model_with_trees(&t, spec, None, None, &["[{".to_string()]).unwrap_err().to_string();
    assert!(e.contains("part 1 of the forest's trees cannot be read"), "{e}");
}
