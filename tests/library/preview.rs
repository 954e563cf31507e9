//! The transformed-table preview (`pipelab::api::preview`, the page's Preview
//! button) against scikit-learn 1.9.1: numbers from tests/fixtures/reference_shared.json,
//! entries `d_titanic_impute_onehot_logreg`, `e_wine_std_pca2` and `k_iris_std_lda2`,
//! at the tolerances the entries state.

use crate::support;

use pipelab::api;
use serde_json::Value;
use support::*;

/// The spec of entry d_titanic_impute_onehot_logreg (as in tests/library/oracle_pipeline.rs).
const TITANIC: &str = r#"{"target":"survived","drop":["passenger_id","name"],
 "preprocess":{"transformers":[
   {"name":"age_mean","columns":{"names":["age"]},"steps":[{"SimpleImputer":{"strategy":"mean"}}]},
   {"name":"fare_median","columns":{"names":["fare"]},"steps":[{"SimpleImputer":{"strategy":"median"}}]},
   {"name":"counts_most_frequent","columns":{"names":["sibsp","parch"]},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}}]},
   {"name":"passthrough","columns":{"names":["pclass","has_cabin"]}},
   {"name":"cat","columns":{"names":["sex","embarked"]},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}},{"OneHotEncoder":{"handle_unknown":"ignore"}}]}
 ]},
 "model":{"LogisticRegression":{"max_iter":1000}}}"#;

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

fn row(r: &[Value]) -> Vec<f64> {
    r.iter().map(|v| v.as_f64().expect("numeric cell")).collect()
}

#[test]
fn titanic_preview_names_and_first_rows_match_sklearn() {
    let e = entry("d_titanic_impute_onehot_logreg");
    let t = dataset("titanic_like");
    let r = api::preview(&t, TITANIC, 5).unwrap();
    assert_eq!(r.feature_names, strings(&e["spec"]["output_column_order"]));
    assert_eq!(r.n_rows_in, t.n_rows);
    assert_eq!(r.n_rows, t.n_rows);
    assert_eq!(r.row_numbers, [1, 2, 3, 4, 5]);
    assert_eq!(r.rows.len(), 5);
    for (i, want) in e["results"]["transformed_first3_rows"].as_array().unwrap().iter().enumerate() {
        assert_all_abs(&format!("transformed row {i}"), &row(&r.rows[i]), &floats(want), 1e-12);
    }
    // Per-step shapes: the two-column one-hot branch gives 5 columns (sex: 2, embarked: 3).
    let onehot = r.steps.iter().find(|s| s.name == "OneHotEncoder").unwrap();
    assert_eq!((onehot.branch.as_deref(), onehot.n_features_in, onehot.n_features_out), (Some("cat"), 2, 5));
    assert_eq!(r.steps.len(), 5);
    assert!(r.projection.is_none());
}

#[test]
fn wine_std_pca2_preview_projection_matches_sklearn() {
    let e = entry("e_wine_std_pca2")["results"].clone();
    let t = dataset("wine");
    let spec = r#"{"target":"class","steps":[{"StandardScaler":{}},{"PCA":{"n_components":2}}],"model":{"LogisticRegression":{}}}"#;
    let r = api::preview(&t, spec, 10).unwrap();
    assert_eq!(r.feature_names, ["pca0", "pca1"]);
    let p = r.projection.expect("PCA is the last step");
    assert_eq!(p.step, "PCA");
    assert_eq!((p.n_points, p.n_rows), (178, 178));
    let want = floats(&e["explained_variance_ratio"]);
    for (k, (g, w)) in p.explained_variance_ratio.iter().zip(&want).enumerate() {
        assert_rel(&format!("explained_variance_ratio[{k}]"), *g, *w, 1e-9);
    }
    let ev = floats(&e["explained_variance"]);
    for (k, (g, w)) in p.explained_variance.as_ref().unwrap().iter().zip(&ev).enumerate() {
        assert_rel(&format!("explained_variance[{k}]"), *g, *w, 1e-9);
    }
    for (i, s) in e["scores_first5_sign_normalised"].as_array().unwrap().iter().enumerate() {
        assert_all_abs(&format!("scores row {i}"), &[p.x[i], p.y[i]], &floats(s), 1e-8);
        assert_all_abs(&format!("table row {i}"), &row(&r.rows[i]), &floats(s), 1e-8);
    }
    // Coloured by the class index (wine's classes 0, 1, 2, sorted).
    assert_eq!(r.target.unwrap().classes, ["0", "1", "2"]);
    assert_eq!(p.hue.len(), 178);
    assert_eq!(p.hue[0], 0.0);
    assert_eq!(p.hue[177], 2.0);
}

#[test]
fn iris_std_lda2_preview_projection_matches_sklearn() {
    let e = entry("k_iris_std_lda2")["results"].clone();
    let t = dataset("iris");
    let spec = r#"{"target":"species","steps":[{"StandardScaler":{}},{"LinearDiscriminantAnalysis":{"n_components":2}}],"model":{"LogisticRegression":{}}}"#;
    let r = api::preview(&t, spec, 5).unwrap();
    let p = r.projection.expect("LDA is the last step");
    assert_eq!(p.step, "LinearDiscriminantAnalysis");
    assert!(p.explained_variance.is_none());
    let want = floats(&e["explained_variance_ratio"]);
    for (k, (g, w)) in p.explained_variance_ratio.iter().zip(&want).enumerate() {
        assert_rel(&format!("explained_variance_ratio[{k}]"), *g, *w, 1e-9);
    }
    // The oracle flips each column so its first row is positive.
    let (sx, sy) = (p.x[0].signum(), p.y[0].signum());
    for (i, s) in e["transform_first5_sign_normalised_first_row_positive"].as_array().unwrap().iter().enumerate() {
        assert_all_abs(&format!("lda row {i}"), &[p.x[i] * sx, p.y[i] * sy], &floats(s), 1e-8);
    }
}

#[test]
fn preview_errors_name_the_problem() {
    let t = dataset("titanic_like");
    // A categorical column reaching no encoder is shown as text, not an error...
    let r = api::preview(&t, r#"{"target":"survived","drop":["passenger_id","name"],"preprocess":{"transformers":[{"name":"cat","columns":{"names":["sex"]}}]},"model":{"LogisticRegression":{}}}"#, 2).unwrap();
    assert_eq!(r.feature_names, ["cat__sex"]);
    assert!(r.rows[0][0].is_string());
    // ...but a row-removing step in a branch is refused with the spec path.
    let err = api::preview(&t, r#"{"target":"survived","drop":["passenger_id","name"],"preprocess":{"transformers":[{"name":"num","columns":{"names":["age","fare"]},"steps":[{"SimpleImputer":{}},{"OutlierRemover":{}}]}]},"model":{"LogisticRegression":{}}}"#, 2)
        .unwrap_err()
        .to_string();
    assert!(err.contains("preprocess.transformers[0].steps[1]") && err.contains("top-level"), "{err}");
    let err = api::preview(&t, r#"{"target":"nope","model":{"LogisticRegression":{}}}"#, 2).unwrap_err().to_string();
    assert!(err.contains("nope"), "{err}");
}
