//! `pipelab drift` and `pipelab retrain` end to end, the model file's reference
//! and lineage fields, and the `--out` rules (no overwriting an input, atomic write).

use std::process::Command;

use serde_json::Value;

fn pipelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("pipelab-monitor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

fn sha256_of(path: &str) -> String {
    // Independent of the crate: the system's sha256sum.
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

const IRIS_SPEC: &str = r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{}},"cv":{"StratifiedKFold":{"n_splits":5}},"scoring":["accuracy","f1_macro"]}"#;

fn fit_iris(name: &str) -> String {
    let spec = tmp(&format!("{name}.spec.json"));
    std::fs::write(&spec, IRIS_SPEC).unwrap();
    let model = tmp(&format!("{name}.json"));
    let (code, _, err) = pipelab(&["fit", "--data", "www/datasets/iris.csv", "--spec", &spec, "--out", &model]);
    assert_eq!(code, 0, "{err}");
    model
}

#[test]
fn fit_stores_the_training_reference() {
    let model = fit_iris("ref");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let r = &v["reference"];
    assert_eq!(r["n_rows"], 150);
    let cols = r["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 4);
    assert_eq!(cols[0]["name"], "sepal_length");
    assert_eq!(cols[0]["distribution"]["kind"], "values");
    let counts: u64 = cols[0]["distribution"]["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).sum();
    assert_eq!(counts, 150);
    // The out-of-fold predictions: 150 labels over the three classes.
    assert_eq!(r["prediction"]["kind"], "categories");
    let n: u64 = r["prediction"]["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).sum();
    assert_eq!(n, 150);
    assert!(v.get("lineage").is_none());
}

#[test]
fn drift_flags_a_shifted_copy_and_not_the_same_data() {
    let model = fit_iris("drift");
    let (code, out, err) = pipelab(&["drift", "--model", &model, "--data", "www/datasets/iris.csv"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_drifted"], 0);
    assert_eq!(v["dataset_drift"], false);
    assert_eq!(v["columns"]["sepal_length"]["method"], "ks");
    assert_eq!(v["columns"]["sepal_length"]["p_value"], 1.0);
    assert_eq!(v["prediction"]["method"], "chisquare");
    // The training data itself, labelled: the score is the in-sample one, no drop.
    assert_eq!(v["performance"]["dropped"], false);
    assert!(v["performance"]["metrics"]["accuracy"]["new"].as_f64().unwrap() > 0.9);

    // The fixture's shifted copy (sepal_length + 0.6, petal_width × 1.3): two of four columns drift,
    // Evidently's verdict (tests/library/drift_statistics.rs compares the numbers).
    let (code, out, err) = pipelab(&["drift", "--model", &model, "--data", "tests/fixtures/drift/iris_shifted.csv"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_drifted"], 2, "{out}");
    assert_eq!(v["share_drifted"], 0.5);
    assert_eq!(v["dataset_drift"], true);
    assert_eq!(v["columns"]["sepal_length"]["drifted"], true);
    assert_eq!(v["columns"]["sepal_width"]["drifted"], false);
    assert!(v["columns"]["sepal_length"]["psi"].as_f64().unwrap() > 0.1);

    // Overrides.
    let (code, out, err) = pipelab(&["drift", "--model", &model, "--data", "tests/fixtures/drift/iris_shifted.csv", "--method", "psi", "--threshold", "0.2"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["columns"]["petal_length"]["method"], "psi");
    assert_eq!(v["columns"]["petal_length"]["threshold"], 0.2);
    let (code, _, err) = pipelab(&["drift", "--model", &model, "--data", "www/datasets/iris.csv", "--method", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown drift method"), "{err}");

    // A file without an input column is named.
    let partial = tmp("partial.csv");
    std::fs::write(&partial, "sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n").unwrap();
    let (code, _, err) = pipelab(&["drift", "--model", &model, "--data", &partial]);
    assert_eq!(code, 1);
    assert!(err.contains("petal_width"), "{err}");
}

#[test]
fn a_model_without_reference_is_explained() {
    let model = fit_iris("old");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("reference");
    let old = tmp("old-format.json");
    std::fs::write(&old, v.to_string()).unwrap();
    // Still loads and predicts …
    let (code, _, err) = pipelab(&["predict", "--model", &old, "--data", "www/datasets/iris.csv"]);
    assert_eq!(code, 0, "{err}");
    // … but drift says what it needs.
    let (code, _, err) = pipelab(&["drift", "--model", &old, "--data", "www/datasets/iris.csv"]);
    assert_eq!(code, 1);
    assert!(err.contains("no training reference") && err.contains("trained by pipelab"), "{err}");
}

#[test]
fn the_loader_validates_the_reference_and_lineage() {
    let model = fit_iris("validate");
    let good: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let cases: Vec<(&str, Box<dyn Fn(&mut Value)>, &str)> = vec![
        (
            "unsorted values",
            Box::new(|v: &mut Value| {
                let d = &mut v["reference"]["columns"][1]["distribution"];
                let mut values = pipelab::persist::reference::f64s_from_base64(d["values_f64"].as_str().unwrap()).unwrap();
                values[0] = 99.0;
                d["values_f64"] = pipelab::persist::reference::f64s_to_base64(&values).into();
            }),
            "reference.columns[1].distribution",
        ),
        ("zero count", Box::new(|v: &mut Value| v["reference"]["columns"][0]["distribution"]["counts"][0] = 0.into()), "counts[0]"),
        (
            "counts length",
            Box::new(|v: &mut Value| {
                v["reference"]["columns"][2]["distribution"]["counts"].as_array_mut().unwrap().pop();
            }),
            "reference.columns[2].distribution",
        ),
        ("row total", Box::new(|v: &mut Value| v["reference"]["n_rows"] = 151.into()), "n_rows"),
        ("column name", Box::new(|v: &mut Value| v["reference"]["columns"][3]["name"] = "x".into()), "reference.columns[3]"),
        ("unknown field", Box::new(|v: &mut Value| v["reference"]["columns"][0]["extra"] = 1.into()), "extra"),
        (
            "bad lineage hash",
            Box::new(|v: &mut Value| v["lineage"] = serde_json::json!({"version": 2, "parent_sha256": "abc", "training_files": [], "trained_at": "t"})),
            "lineage.parent_sha256",
        ),
    ];
    for (what, edit, expect) in cases {
        let mut v = good.clone();
        edit(&mut v);
        let path = tmp("bad.json");
        std::fs::write(&path, v.to_string()).unwrap();
        let (code, _, err) = pipelab(&["predict", "--model", &path, "--data", "www/datasets/iris.csv"]);
        assert_eq!(code, 1, "{what}: the loader accepted it");
        assert!(err.contains(expect), "{what}: {err}");
    }
}

#[test]
fn retrain_records_lineage_and_versions_count_up() {
    let model = fit_iris("parent");
    let parent_sha = sha256_of(&model);
    let m2 = tmp("child.json");
    let (code, out, err) =
        pipelab(&["retrain", "--model", &model, "--data", "www/datasets/iris.csv", "--data", "tests/fixtures/drift/iris_same.csv", "--out", &m2]);
    assert_eq!(code, 0, "{err}");
    let printed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(printed["n_train_rows"], 250);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&m2).unwrap()).unwrap();
    let l = &v["lineage"];
    assert_eq!(l["version"], 2);
    assert_eq!(l["parent_sha256"], parent_sha.as_str());
    assert_eq!(l["training_files"][0]["sha256"], sha256_of("www/datasets/iris.csv").as_str());
    assert_eq!(l["training_files"][0]["rows"], 150);
    assert_eq!(l["training_files"][1]["rows"], 100);
    assert!(l["parent_cv_metrics"]["accuracy"]["mean"].is_number());
    assert_eq!(l["cv_metrics"], v["cv_metrics"]);
    let t = l["trained_at"].as_str().unwrap();
    assert!(t.len() == 20 && t.ends_with('Z') && t.starts_with("20"), "{t}");
    assert_eq!(v["reference"]["n_rows"], 250);

    let m3 = tmp("grandchild.json");
    let (code, _, err) = pipelab(&["retrain", "--model", &m2, "--data", "tests/fixtures/drift/iris_shifted.csv", "--out", &m3]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&m3).unwrap()).unwrap();
    assert_eq!(v["lineage"]["version"], 3);
    assert_eq!(v["lineage"]["parent_sha256"], sha256_of(&m2).as_str());

    // Files with other columns: the file and column are named.
    let other = tmp("other.csv");
    std::fs::write(&other, "sepal_length,sepal_width,petal_len,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n").unwrap();
    let (code, _, err) = pipelab(&["retrain", "--model", &model, "--data", "www/datasets/iris.csv", "--data", &other, "--out", &tmp("x.json")]);
    assert_eq!(code, 1);
    assert!(err.contains("petal_length") && err.contains("petal_len") && err.contains("other.csv"), "{err}");
}

#[test]
fn out_never_overwrites_an_input_and_writes_atomically() {
    let model = fit_iris("guard");
    let before = std::fs::read(&model).unwrap();
    let (code, _, err) = pipelab(&["retrain", "--model", &model, "--data", "www/datasets/iris.csv", "--out", &model]);
    assert_eq!(code, 1);
    assert!(err.contains("parent model"), "{err}");
    assert_eq!(std::fs::read(&model).unwrap(), before, "the parent model was touched");

    let data = tmp("data-copy.csv");
    std::fs::copy("www/datasets/iris.csv", &data).unwrap();
    let spec = tmp("guard.spec.json");
    std::fs::write(&spec, IRIS_SPEC).unwrap();
    for (out, what) in [(&data, "data"), (&spec, "spec")] {
        let (code, _, err) = pipelab(&["fit", "--data", &data, "--spec", &spec, "--out", out]);
        assert_eq!(code, 1, "fit overwrote its {what}");
        assert!(err.contains(what), "{err}");
    }
    assert_eq!(std::fs::read(&data).unwrap(), std::fs::read("www/datasets/iris.csv").unwrap());

    // A failed fit leaves the previous output whole and no temporary file behind. In a directory of
    // its own: the other tests of this binary write their files atomically into tmp()'s directory at
    // the same time, and one's temporary file was seen here mid-write.
    let own = tmp("atomic");
    std::fs::create_dir_all(&own).unwrap();
    let out = format!("{own}/atomic.json");
    std::fs::write(&out, "previous").unwrap();
    let bad = tmp("bad.spec.json");
    std::fs::write(&bad, r#"{"target":"nope","model":{"LogisticRegression":{}}}"#).unwrap();
    let (code, _, _) = pipelab(&["fit", "--data", &data, "--spec", &bad, "--out", &out]);
    assert_eq!(code, 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    let dir = std::path::Path::new(&out).parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
