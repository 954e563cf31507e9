//! Parity of the walking skeleton with scikit-learn 1.9.1, at the tolerances
//! the oracle states (tests/fixtures/reference_shared.json, entries named below).

use crate::support;

use pipelab::estimator::Target;
use pipelab::pipeline::{fit_all, prepare, FittedModelEnum, ModelState, PipelineSpec};
use pipelab::split::{fold_assignment, CvSpec, KFoldParams};
use support::*;

const POLY2: &str = r#"{"target":"target","steps":[{"StandardScaler":{}},{"PolynomialFeatures":{"degree":2}}],
  "model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":5}},"scoring":["rmse","r2"]}"#;

/// Entry a_diabetes_poly2_linreg: StandardScaler + PolynomialFeatures(2) + LinearRegression, 5-fold RMSE.
#[test]
fn a_diabetes_poly2_linreg() {
    let e = entry("a_diabetes_poly2_linreg");
    let r = cv(&dataset("diabetes"), POLY2);
    let want = floats(&e["results"]["cv_rmse"]["per_fold"]);
    for (i, (g, w)) in r.metrics["rmse"].folds.iter().zip(&want).enumerate() {
        assert_rel(&format!("rmse fold {i}"), *g, *w, 1e-6);
    }
    assert_rel("rmse mean", r.metrics["rmse"].mean, e["results"]["cv_rmse"]["mean"].as_f64().unwrap(), 1e-6);
    assert_rel("rmse std", r.metrics["rmse"].std, e["results"]["cv_rmse"]["std"].as_f64().unwrap(), 1e-6);
    let want_r2 = floats(&e["results"]["cv_r2"]["per_fold"]);
    assert_all_abs("r2", &r.metrics["r2"].folds, &want_r2, 1e-6);
    // Feature names and count of the design (66 columns, sklearn's names).
    let names: Vec<String> = e["results"]["full_fit"]["feature_names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(r.n_features_out, 66);
    assert_eq!(r.feature_names, names);
}

/// Entry a_diabetes_poly2_linreg, full fit: fitted values (abs 1e-6) and train RMSE (rel 1e-6).
#[test]
fn a_diabetes_poly2_full_fit_predictions() {
    let e = entry("a_diabetes_poly2_linreg");
    let t = dataset("diabetes");
    let spec = PipelineSpec::from_json(POLY2).unwrap();
    let fitted = fit_all(&t, &spec).unwrap();
    let pred = match fitted.predict(&t).unwrap().output {
        pipelab::estimator::Output::Values(v) => v,
        other => panic!("expected values, got {other:?}"),
    };
    let full = &e["results"]["full_fit"];
    assert_all_abs("fitted_first10", &pred[..10], &floats(&full["fitted_first10"]), 1e-6);
    let Target::Values(y) = prepare(&t, &spec).unwrap().target.unwrap() else { panic!("regression target") };
    let rmse = (y.iter().zip(&pred).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / y.len() as f64).sqrt();
    assert_rel("train rmse", rmse, full["train_rmse"].as_f64().unwrap(), 1e-6);
    // Our solver returns the minimum-norm solution: rank 64 of 66, coefficients rel 1e-4.
    let ModelState::Fitted(FittedModelEnum::LinearRegression(m)) = &fitted.model else { panic!("linear model") };
    assert_eq!(m.rank as u64, full["design_rank_after_centering"].as_u64().unwrap());
    let want = floats(&full["coef_min_norm_numpy_lstsq"]);
    let scale = want.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    for (j, (g, w)) in m.coef.iter().zip(&want).enumerate() {
        assert!((g - w).abs() <= 1e-4 * w.abs().max(1e-3 * scale), "coef {j}: {g} vs min-norm {w}");
    }
}

fn logistic_entry(entry_name: &str, dataset_name: &str, target: &str) {
    let e = entry(entry_name);
    let spec = format!(
        r#"{{"target":"{target}","steps":[{{"StandardScaler":{{}}}}],"model":{{"LogisticRegression":{{"C":1.0,"max_iter":1000}}}},
            "cv":{{"StratifiedKFold":{{"n_splits":5}}}},"scoring":["accuracy","f1_macro","roc_auc"]}}"#
    );
    let t = dataset(dataset_name);
    let r = cv(&t, &spec);
    for m in ["accuracy", "f1_macro", "roc_auc"] {
        // Same samples classified identically → per-fold abs 1e-9.
        assert_all_abs(m, &r.metrics[m].folds, &floats(&e["results"]["cv"][m]["per_fold"]), 1e-9);
        assert_abs(&format!("{m} mean"), r.metrics[m].mean, e["results"]["cv"][m]["mean"].as_f64().unwrap(), 1e-9);
    }
    // Full fit vs the tightly converged optimum: coef abs 1e-4, objective rel 1e-7.
    let fitted = fit_all(&t, &PipelineSpec::from_json(&spec).unwrap()).unwrap();
    let ModelState::Fitted(FittedModelEnum::LogisticRegression(m)) = &fitted.model else { panic!("logistic model") };
    let tight = &e["results"]["full_fit_tight_tol"];
    for (c, row) in tight["coef"].as_array().unwrap().iter().enumerate() {
        assert_all_abs(&format!("coef[{c}]"), &m.coef[c], &floats(row), 1e-4);
    }
    assert_all_abs("intercept", &m.intercept, &floats(&tight["intercept"]), 1e-4);
    assert_rel("objective", m.objective, tight["objective"].as_f64().unwrap(), 1e-7);
    let classes: Vec<String> = e["spec"]["classes_order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(fitted.target.unwrap().classes, classes);
}

/// Entry b_iris_std_logreg (multinomial softmax, 3 classes).
#[test]
fn b_iris_std_logreg() {
    logistic_entry("b_iris_std_logreg", "iris", "species");
}

/// Entry b_breast_cancer_std_logreg (binary; positive class M).
#[test]
fn b_breast_cancer_std_logreg() {
    logistic_entry("b_breast_cancer_std_logreg", "breast_cancer", "diagnosis");
}

pub const TITANIC: &str = r#"{"target":"survived","drop":["passenger_id","name"],
 "preprocess":{"transformers":[
   {"name":"age_mean","columns":{"names":["age"]},"steps":[{"SimpleImputer":{"strategy":"mean"}}]},
   {"name":"fare_median","columns":{"names":["fare"]},"steps":[{"SimpleImputer":{"strategy":"median"}}]},
   {"name":"counts_most_frequent","columns":{"names":["sibsp","parch"]},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}}]},
   {"name":"passthrough","columns":{"names":["pclass","has_cabin"]}},
   {"name":"cat","columns":{"names":["sex","embarked"]},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}},{"OneHotEncoder":{"handle_unknown":"ignore"}}]}
 ]},
 "model":{"LogisticRegression":{"max_iter":1000}},"cv":{"StratifiedKFold":{"n_splits":5}},"scoring":["accuracy"]}"#;

/// Entry d_titanic_impute_onehot_logreg: ColumnTransformer (imputers + one-hot) + LogisticRegression.
#[test]
fn d_titanic_impute_onehot_logreg() {
    let e = entry("d_titanic_impute_onehot_logreg");
    let t = dataset("titanic_like");
    let r = cv(&t, TITANIC);
    assert_abs("cv accuracy mean", r.metrics["accuracy"].mean, e["results"]["cv_accuracy"]["mean"].as_f64().unwrap(), 0.01);
    let order: Vec<String> = e["spec"]["output_column_order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(r.feature_names, order);
    let spec = PipelineSpec::from_json(TITANIC).unwrap();
    let fitted = fit_all(&t, &spec).unwrap();
    // Imputation on the full data (rel 1e-12) and the first transformed rows.
    let x = fitted.transform(&t.select_rows(&[0, 1, 2])).unwrap();
    for (i, row) in e["results"]["transformed_first3_rows"].as_array().unwrap().iter().enumerate() {
        assert_all_abs(&format!("transformed row {i}"), x.row(i).as_slice().unwrap(), &floats(row), 1e-12);
    }
    let pre = fitted.preprocess.as_ref().unwrap();
    let fill = |branch: usize, col: usize| -> f64 {
        match &pre.branches[branch].steps[0] {
            pipelab::pipeline::FittedStep::SimpleImputer(s) => match &s.fills[col] {
                pipelab::preprocess::imputer::Fill::Num(v) => *v,
                other => panic!("numeric fill expected, got {other:?}"),
            },
            other => panic!("imputer expected, got {}", other.name()),
        }
    };
    let imp = &e["results"]["imputation_full_data"];
    assert_rel("age mean fill", fill(0, 0), imp["age"]["fill_value"].as_f64().unwrap(), 1e-12);
    assert_rel("fare median fill", fill(1, 0), imp["fare"]["fill_value"].as_f64().unwrap(), 1e-12);
    assert_eq!(fill(2, 0), imp["sibsp"]["fill_value"].as_f64().unwrap());
    assert_eq!(fill(2, 1), imp["parch"]["fill_value"].as_f64().unwrap());
    let ModelState::Fitted(FittedModelEnum::LogisticRegression(m)) = &fitted.model else { panic!("logistic") };
    assert_all_abs("coef vs tight", &m.coef[0], &floats(&e["results"]["full_fit_tight_tol"]["coef"][0]), 1e-3);
}

/// The `folds` field: StratifiedKFold(5, shuffle=False) assignments row by row, and the KFold rule.
#[test]
fn fold_assignments_match_sklearn() {
    let o = oracle();
    for (key, ds, target) in [
        ("iris_skf5", "iris", "species"),
        ("wine_skf5", "wine", "class"),
        ("breast_cancer_skf5", "breast_cancer", "diagnosis"),
        ("titanic_like_skf5", "titanic_like", "survived"),
    ] {
        let t = dataset(ds);
        let spec = PipelineSpec::from_json(&format!(r#"{{"target":"{target}","model":{{"LogisticRegression":{{}}}}}}"#)).unwrap();
        let prep = prepare(&t, &spec).unwrap();
        let Some(Target::Classes { y, .. }) = &prep.target else { panic!("classes") };
        let splits = CvSpec::StratifiedKFold(KFoldParams::default()).split(y.len(), Some(y), 0).unwrap();
        let got = fold_assignment(&splits, y.len());
        let want: Vec<usize> = o["folds"][key]["test_fold_of_row"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        assert_eq!(got, want, "{key}");
    }
    // kfold5_rule: 442 → 89, 89, 88, 88, 88 contiguous; 5000 → 1000 each.
    for (n, sizes) in [(442, vec![89, 89, 88, 88, 88]), (5000, vec![1000; 5])] {
        let s = CvSpec::KFold(KFoldParams::default()).split(n, None, 0).unwrap();
        assert_eq!(s.iter().map(|s| s.test.len()).collect::<Vec<_>>(), sizes);
        let mut start = 0;
        for f in &s {
            assert_eq!(f.test, (start..start + f.test.len()).collect::<Vec<_>>());
            start += f.test.len();
        }
    }
}
