//! The native CLI: JSON on stdout, one clear line on stderr and a non-zero exit for mistakes.

use std::process::Command;

fn pipelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("pipelab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

#[test]
fn cv_fit_predict_round_trip() {
    let spec = tmp("spec.json");
    std::fs::write(&spec, r#"{"target":"target","steps":[{"StandardScaler":{}},{"PolynomialFeatures":{"degree":2}}],"model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":5}},"scoring":["rmse","r2"]}"#).unwrap();
    let (code, out, err) = pipelab(&["cv", "--data", "www/datasets/diabetes.csv", "--spec", &spec]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_rows"], 442);
    assert_eq!(v["n_features_out"], 66);
    assert_eq!(v["metrics"]["rmse"]["folds"].as_array().unwrap().len(), 5);
    // Oracle a_diabetes_poly2_linreg mean RMSE, rel 1e-6.
    assert!((v["metrics"]["rmse"]["mean"].as_f64().unwrap() / 59.00219277731683 - 1.0).abs() < 1e-6);

    let model = tmp("model.json");
    let (code, out, err) = pipelab(&["fit", "--data", "www/datasets/diabetes.csv", "--spec", &spec, "--out", &model]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["cv_metrics"]["rmse"]["mean"].is_number());
    let pred = tmp("pred.csv");
    let (code, _, err) = pipelab(&["predict", "--model", &model, "--data", "www/datasets/diabetes.csv", "--out", &pred]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&pred).unwrap();
    assert_eq!(text.lines().count(), 443);
    assert!(text.lines().next().unwrap().ends_with(",prediction"));
    let first: f64 = text.lines().nth(1).unwrap().rsplit(',').next().unwrap().parse().unwrap();
    assert!(first.is_finite());
}

#[test]
fn user_mistakes_are_one_clear_line() {
    let bad = tmp("bad.csv");
    std::fs::write(&bad, "a,b\n1,2\n3\n").unwrap();
    let spec = tmp("s.json");
    std::fs::write(&spec, r#"{"target":"b","model":{"LinearRegression":{}}}"#).unwrap();
    for (args, want) in [
        (vec!["cv", "--data", bad.as_str(), "--spec", spec.as_str()], "CSV line 3"),
        (vec!["cv", "--data", "nope.csv", "--spec", spec.as_str()], "cannot read nope.csv"),
        (vec!["cv", "--data", "www/datasets/iris.csv", "--spec", spec.as_str()], "\"b\" is not in the data"),
        (vec!["frobnicate"], "unknown command"),
        (vec!["cv", "--data"], "--data needs a value"),
    ] {
        let (code, out, err) = pipelab(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(out.is_empty());
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    std::fs::write(&spec, r#"{"target":"species","model":{"LogisticRegression":{"C":1,"bogus":2}}}"#).unwrap();
    let (code, _, err) = pipelab(&["cv", "--data", "www/datasets/iris.csv", "--spec", &spec]);
    assert_eq!(code, 1);
    assert!(err.contains("model.LogisticRegression") && err.contains("bogus"), "{err}");
}

/// SPEC.md's step and model tables are `pipelab catalog --markdown`, so the
/// documentation cannot drift from the registry (regenerate them with that command).
#[test]
fn spec_md_tables_match_the_catalog() {
    let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SPEC.md")).expect("SPEC.md");
    let tables = pipelab::pipeline::catalog_markdown();
    assert!(spec.contains(&tables), "SPEC.md's step/model tables differ from the registry: replace them with the output of `pipelab catalog --markdown`");
}
