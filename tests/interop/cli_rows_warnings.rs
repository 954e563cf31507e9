//! Issue 16, §1 and §2, where a user meets them: the CLI (`pipelab cv / fit /
//! search / predict`). Errors name the file's row and line in every fold and
//! in the hold-out part; the spec's `types` apply; vague messages are gone;
//! scikit-learn's warnings are given; the hold-out part is honest; a
//! `prediction` column in the input is kept and the new one renamed.

use std::process::Command;

fn pipelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("pipelab-harden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

fn write(name: &str, text: &str) -> String {
    let p = tmp(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// x, y for `n` rows with x missing at the given data rows (1-based).
fn data_with_missing(n: usize, missing: &[usize], eol: &str) -> String {
    let mut s = format!("x,y{eol}");
    for i in 1..=n {
        if missing.contains(&i) {
            s.push_str(&format!(",{}{eol}", i % 7));
        } else {
            s.push_str(&format!("{i},{}{eol}", i % 7));
        }
    }
    s
}

#[test]
fn cv_errors_name_the_file_row_and_line_in_every_fold() {
    // Data rows 55 and 165 miss x; 200 rows, KFold(5) unshuffled: row 55 is
    // in fold 2's test part and fold 1's training part ("row 15" inside the
    // training matrix of fold 1 before the fix).
    for eol in ["\n", "\r\n", "\r"] {
        let data = write("missing.csv", &data_with_missing(200, &[55, 165], eol));
        let spec = write("lr.json", r#"{"target":"y","model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":5}}}"#);
        let (code, _, err) = pipelab(&["cv", "--data", &data, "--spec", &spec]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("row 55 (line 56)"), "{eol:?}: {err}");
    }
}

#[test]
fn holdout_and_prediction_errors_name_the_file_row() {
    // The held-out part: a category never seen in training with handle_unknown="error".
    let mut s = String::from("c,y\n");
    for i in 1..=40 {
        s.push_str(&format!("{},{}\n", if i == 37 { "zz" } else { ["a", "b"][i % 2] }, i % 2));
    }
    let data = write("holdout.csv", &s);
    let spec = write(
        "oh.json",
        r#"{"target":"y","preprocess":{"transformers":[{"name":"c","columns":{"names":["c"]},"steps":[{"OneHotEncoder":{}}]}]},
            "model":{"LogisticRegression":{}},"holdout":{"test_size":0.25,"shuffle":false}}"#,
    );
    let (code, _, err) = pipelab(&["fit", "--data", &data, "--spec", &spec, "--out", &tmp("m.json"), "--no-cv"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("row 37 (line 38) has the category \"zz\""), "{err}");
}

#[test]
fn spec_types_apply_in_cv_fit_and_search() {
    // `b` holds whole numbers written as text in one cell ("7 " is a number, "seven" is not):
    // with types {"b": "categorical"} it is one-hot encoded; without, read as numbers.
    let mut s = String::from("a,b,y\n");
    for i in 0..30 {
        s.push_str(&format!("{},{},{}\n", i, i % 3, (i % 3) as f64 * 2.0 + i as f64 * 0.1));
    }
    let data = write("types.csv", &s);
    let spec = r#"{"target":"y","types":{"b":"categorical"},
        "preprocess":{"transformers":[{"name":"cat","columns":{"dtype":"categorical"},"steps":[{"OneHotEncoder":{}}]},
                                      {"name":"num","columns":{"dtype":"numeric"},"steps":[]}]},
        "model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":3}}}"#;
    let spec_path = write("types.json", spec);
    let (code, out, err) = pipelab(&["cv", "--data", &data, "--spec", &spec_path]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // 3 one-hot columns for b, plus a.
    assert_eq!(v["n_features_out"], 4, "{out}");
    let model = tmp("types_model.json");
    let (code, out, err) = pipelab(&["fit", "--data", &data, "--spec", &spec_path, "--out", &model, "--no-cv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["n_features_out"], 4);
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let schema = m["pipeline"]["schema"].as_array().unwrap();
    assert!(schema.iter().any(|c| c["name"] == "b" && c["type"] == "categorical"), "{schema:?}");
    // Search reads the data the same way.
    let search = write(
        "types_search.json",
        &spec.replace(
            r#""cv":{"KFold":{"n_splits":3}}"#,
            r#""cv":{"KFold":{"n_splits":3}},"search":{"GridSearchCV":{"param_grid":{"model__fit_intercept":[true,false]}}}"#,
        ),
    );
    let (code, out, err) = pipelab(&["search", "--data", &data, "--spec", &search, "--threads", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("best_params"), "{out}");
    // A cell that cannot take the type: the reader names its line.
    let bad = write("types_bad.csv", "a,y\n1,1\n2,2\nseven,3\n4,4\n");
    let num = write("types_num.json", r#"{"target":"y","types":{"a":"numeric"},"model":{"LinearRegression":{}}}"#);
    let (code, _, err) = pipelab(&["cv", "--data", &bad, "--spec", &num]);
    assert_eq!(code, 1);
    assert!(err.contains("CSV line 4: column 'a' (row 3) is set to numeric but holds \"seven\""), "{err}");
}

#[test]
fn vague_messages_are_precise() {
    let data = "www/datasets/iris.csv";
    let array = write("array.json", "[1, 2]");
    let (code, _, err) = pipelab(&["cv", "--data", data, "--spec", &array]);
    assert_eq!(code, 1);
    assert!(err.contains("a spec is a JSON object, got an array; its shape: {\"target\""), "{err}");
    let zero = write(
        "n_iter0.json",
        r#"{"target":"species","model":{"LogisticRegression":{}},"search":{"RandomizedSearchCV":{"param_distributions":{"model__C":[0.1,1]},"n_iter":0}}}"#,
    );
    let (code, _, err) = pipelab(&["search", "--data", data, "--spec", &zero]);
    assert_eq!(code, 1);
    assert!(err.contains("spec search.RandomizedSearchCV.n_iter: is 0: it is the number of candidates to try, at least 1"), "{err}");
    let empty = write("empty_grid.json", r#"{"target":"species","model":{"LogisticRegression":{}},"search":{"GridSearchCV":{"param_grid":{"model__C":[]}}}}"#);
    let (code, _, err) = pipelab(&["search", "--data", data, "--spec", &empty]);
    assert_eq!(code, 1);
    assert!(err.contains("param_grid.model__C: is an empty list"), "{err}");
}

#[test]
fn skip_malformed_rows_gets_past_an_unterminated_quote() {
    let data = write("quote.csv", "a,y\n1,1\n2,\"2\n3,3\n4,4\n5,5\n6,6\n");
    let (code, out, err) = pipelab(&["summary", "--data", &data]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("CSV line 3: field 2 (column 'y') opens a quote that is never closed"), "{err}");
    // The API's read options (the page's checkbox) skip the record and say which line.
    let (t, report) = pipelab::api::load_table(&std::fs::read(&data).unwrap(), r#"{"skip_malformed_rows":true}"#).unwrap();
    assert_eq!(t.n_rows, 5);
    assert_eq!(report.skipped_rows, vec![3]);
    assert!(report.warnings.iter().any(|w| w.starts_with("1 row(s) skipped (line(s) 3): a quote opened in them is never closed")), "{:?}", report.warnings);
}

#[test]
fn a_classifier_on_a_regression_like_target_is_warned() {
    let spec =
        write("diab_cls.json", r#"{"target":"target","model":{"LogisticRegression":{"max_iter":50}},"cv":{"KFold":{"n_splits":2}},"scoring":["accuracy"]}"#);
    let (code, out, err) = pipelab(&["cv", "--data", "www/datasets/diabetes.csv", "--spec", &spec]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("the target 'target' has 214 distinct numbers in 442 rows (about 2.1 rows per class): it looks like a regression target"), "{out}");
    // A real classification target says nothing of the kind.
    let spec = write("iris_cls.json", r#"{"target":"species","model":{"LogisticRegression":{}}}"#);
    let (_, out, _) = pipelab(&["cv", "--data", "www/datasets/iris.csv", "--spec", &spec]);
    assert!(!out.contains("looks like a regression target"), "{out}");
}

#[test]
fn unseen_categories_are_counted_in_folds_and_at_predict() {
    let mut s = String::from("c,x,y\n");
    for i in 0..40 {
        // "rare" appears only in the last rows: unseen by fold 1's training part... and by the model at predict.
        let c = if i >= 36 { "rare" } else { ["a", "b"][i % 2] };
        s.push_str(&format!("{c},{i},{}\n", i % 2));
    }
    let data = write("unseen.csv", &s);
    let spec = write(
        "unseen.json",
        r#"{"target":"y","preprocess":{"transformers":[{"name":"c","columns":{"names":["c"]},"steps":[{"OneHotEncoder":{"handle_unknown":"ignore"}}]},
            {"name":"n","columns":{"names":["x"]},"steps":[{"StandardScaler":{}}]}]},
            "model":{"LogisticRegression":{}},"cv":{"KFold":{"n_splits":5}}}"#,
    );
    let (code, out, err) = pipelab(&["cv", "--data", &data, "--spec", &spec]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("fold 5: test rows: column 'c': 4 of 8 row(s) hold a category not seen in training (first: \\\"rare\\\")"), "{out}");
    let fit_data = write("unseen_train.csv", &s.lines().take(31).collect::<Vec<_>>().join("\n"));
    let model = tmp("unseen_model.json");
    let (code, _, err) = pipelab(&["fit", "--data", &fit_data, "--spec", &spec, "--out", &model, "--no-cv"]);
    assert_eq!(code, 0, "{err}");
    let pred = tmp("unseen_pred.csv");
    let (code, _, err) = pipelab(&["predict", "--model", &model, "--data", &data, "--out", &pred]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: column 'c': 4 of 40 row(s) hold a category not seen in training (first: \"rare\")"), "{err}");
}

#[test]
fn overflowing_metrics_say_why() {
    let mut s = String::from("x,y\n");
    for i in 0..20 {
        s.push_str(&format!("{i},{}e307\n", if i % 2 == 0 { 1.5 } else { -1.6 }));
    }
    let data = write("huge.csv", &s);
    let spec = write("huge.json", r#"{"target":"y","model":{"KNeighborsRegressor":{"n_neighbors":1}},"cv":{"KFold":{"n_splits":2}},"scoring":["mse","mae"]}"#);
    let (code, out, err) = pipelab(&["cv", "--data", &data, "--spec", &spec]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["metrics"]["mse"]["mean"].is_null(), "{out}");
    assert!(out.contains("mse overflowed and is reported as null: the squared errors (or the target's sum of squares) overflow double precision"), "{out}");
    // The model file stores the null CV score and loads back (it predicts).
    let model = tmp("huge_model_ok.json");
    let (code, _, err) = pipelab(&["fit", "--data", &data, "--spec", &spec, "--out", &model]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&model).unwrap().contains(r#""mse":{"folds":[null,null],"mean":null,"std":null}"#));
    let (code, out, err) = pipelab(&["predict", "--model", &model, "--data", &data]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 21);
}

#[test]
fn fit_with_a_holdout_reports_its_score_and_keeps_the_training_part_model() {
    let spec = write(
        "holdout_fit.json",
        r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{}},"holdout":{"test_size":0.2,"stratify":true,"random_state":0}}"#,
    );
    let model = tmp("holdout_model.json");
    let (code, out, err) = pipelab(&["fit", "--data", "www/datasets/iris.csv", "--spec", &spec, "--out", &model, "--no-cv"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_train_rows"], 120, "{out}");
    assert_eq!(v["holdout"]["fitted_on"], "training_part");
    assert_eq!(v["holdout"]["n_test"], 30);
    assert!(v["holdout"]["scores"]["accuracy"].as_f64().unwrap() > 0.8, "{out}");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(file["holdout"]["fitted_on"], "training_part");
    // With cross-validation: the same hold-out score as `cv` reports.
    let (_, cv_out, _) = pipelab(&["cv", "--data", "www/datasets/iris.csv", "--spec", &spec]);
    let cv: serde_json::Value = serde_json::from_str(&cv_out).unwrap();
    assert_eq!(cv["holdout"]["scores"]["accuracy"], v["holdout"]["scores"]["accuracy"]);
    // --refit-all: every row, and the file says so.
    let all = tmp("holdout_all.json");
    let (code, out, err) = pipelab(&["fit", "--data", "www/datasets/iris.csv", "--spec", &spec, "--out", &all, "--no-cv", "--refit-all"]);
    assert_eq!(code, 0, "{err}");
    let v2: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v2["n_train_rows"], 150);
    assert_eq!(v2["holdout"]["fitted_on"], "all_rows");
    assert_eq!(v2["holdout"]["scores"], v["holdout"]["scores"]);
}

#[test]
fn predict_keeps_an_existing_prediction_column() {
    let spec = write("pred_col.json", r#"{"target":"species","model":{"GaussianNB":{}}}"#);
    let model = tmp("pred_col_model.json");
    let (code, _, err) = pipelab(&["fit", "--data", "www/datasets/iris.csv", "--spec", &spec, "--out", &model, "--no-cv"]);
    assert_eq!(code, 0, "{err}");
    let first = tmp("pred1.csv");
    let (code, _, err) = pipelab(&["predict", "--model", &model, "--data", "www/datasets/iris.csv", "--out", &first]);
    assert_eq!(code, 0, "{err}");
    let second = tmp("pred2.csv");
    let (code, _, err) = pipelab(&["predict", "--model", &model, "--data", &first, "--out", &second]);
    assert_eq!(code, 0, "{err}");
    let header: Vec<String> = std::fs::read_to_string(&second).unwrap().lines().next().unwrap().split(',').map(str::to_string).collect();
    let mut unique = header.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), header.len(), "duplicate column names: {header:?}");
    assert!(header.contains(&"prediction".to_string()) && header.contains(&"prediction_1".to_string()), "{header:?}");
    assert!(header.contains(&"proba_setosa_1".to_string()), "{header:?}");
    assert!(err.contains("'prediction' → 'prediction_1'"), "{err}");
}

#[test]
fn a_model_file_over_the_limit_is_refused_before_reading() {
    // A sparse file of 300 MB: refused from its size (metadata), in well under the time reading it would take.
    let p = tmp("huge_model.json");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(300 << 20).unwrap();
    drop(f);
    let t = std::time::Instant::now();
    for args in [vec!["predict", "--model", p.as_str(), "--data", "www/datasets/iris.csv"], vec!["export", "--model", p.as_str(), "--format", "sklearn"]] {
        let (code, _, err) = pipelab(&args);
        assert_eq!(code, 1);
        assert!(err.contains("300 MB is larger than the 256 MB limit"), "{err}");
    }
    assert!(t.elapsed().as_secs() < 20);
    let _ = std::fs::remove_file(&p);
}
