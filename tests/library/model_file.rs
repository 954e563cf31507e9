//! The model file: save → load → identical predictions, and a strict loader
//! that answers every corrupt or hostile file with a clear error, never a panic.

use crate::support;

use pipelab::api;
use pipelab::persist::ModelFile;
use pipelab::selection::cv::CvHooks;
use support::*;

const IRIS: &str = r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":1000}}}"#;

fn iris_model() -> ModelFile {
    api::fit_model(&dataset("iris"), IRIS, None).unwrap()
}

fn iris_bytes() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/datasets/iris.csv")).unwrap()
}

#[test]
fn save_load_identical_predictions() {
    let m = iris_model();
    let text = m.to_json().unwrap();
    let back = ModelFile::from_json(&text).unwrap();
    assert_eq!(back, m);
    let a = api::predict_csv(&m, &iris_bytes()).unwrap();
    let b = api::predict_csv(&back, &iris_bytes()).unwrap();
    assert_eq!(a, b);
    let header = a.lines().next().unwrap();
    assert_eq!(header, "sepal_length,sepal_width,petal_length,petal_width,species,prediction,proba_setosa,proba_versicolor,proba_virginica");
    assert_eq!(a.lines().count(), 151);
    // The model file carries its version, the spec, schema and classes.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], "pipelab-model");
    assert_eq!(v["format_version"], 2);
    assert_eq!(v["pipeline"]["target"]["classes"], serde_json::json!(["setosa", "versicolor", "virginica"]));
    assert_eq!(v["pipeline"]["schema"][0], serde_json::json!({"name": "sepal_length", "type": "numeric"}));
}

#[test]
fn predict_on_new_data_without_target_and_reordered_columns() {
    let m = iris_model();
    let csv = "petal_width,petal_length,sepal_width,sepal_length\n0.2,1.4,3.5,5.1\n2.3,5.4,3.0,6.2\n";
    let out = api::predict_csv(&m, csv.as_bytes()).unwrap();
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[1].contains(",setosa,"), "{}", rows[1]);
    assert!(rows[2].contains(",virginica,"), "{}", rows[2]);
}

#[test]
fn predict_errors_name_the_column() {
    let m = iris_model();
    let e = api::predict_csv(&m, b"sepal_length,sepal_width,petal_length\n1,2,3\n").unwrap_err().to_string();
    assert!(e.contains("'petal_width'") && e.contains("missing"), "{e}");
    let e = api::predict_csv(&m, b"sepal_length,sepal_width,petal_length,petal_width\n1,2,3,abc\n").unwrap_err().to_string();
    assert!(e.contains("petal_width") && e.contains("abc"), "{e}");
}

fn load_err(text: &str) -> String {
    match std::panic::catch_unwind(|| ModelFile::from_json(text)) {
        Ok(Ok(_)) => panic!("a corrupt model file was accepted: {}", &text[..text.len().min(200)]),
        Ok(Err(e)) => e.to_string(),
        Err(_) => panic!("the loader panicked"),
    }
}

#[test]
fn corrupt_and_hostile_files_are_rejected_clearly() {
    let good = iris_model().to_json().unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "not valid JSON"),
        (good[..good.len() / 2].to_string(), "not valid JSON"),
        ("[1,2,3]".into(), "JSON object"),
        (r#"{"hello":"world"}"#.into(), "'format' is missing"),
        (good.replace("\"pipelab-model\"", "\"other-model\""), "'format' is \"other-model\""),
        (good.replace("\"format_version\":2", "\"format_version\":99"), "newer than this pipelab"),
        (good.replace("\"format_version\":2", "\"format_version\":\"2\""), "format_version"),
        ("[".repeat(100_000), "not valid JSON"),
        (good.replace("\"format_version\":2", "\"format_version\":0"), "not supported"),
        (good.replacen("\"values_f64\":\"", "\"values_f64\":\"#AAA", 1), "not base64"),
        (good.replacen("\"values_f64\":\"", "\"values_f64\":\"AAAA", 1), "8-byte"),
    ];
    for (text, want) in &cases {
        let e = load_err(text);
        assert!(e.contains(want), "expected {want:?} in {e:?}");
    }
    // Structural corruption, each named.
    let mut m = v.clone();
    m["pipeline"]["steps"][0]["StandardScaler"]["mean"] = serde_json::json!([1.0]);
    assert!(load_err(&m.to_string()).contains("StandardScaler"));
    let mut m = v.clone();
    m["pipeline"]["model"]["Fitted"]["LogisticRegression"]["coef"][1] = serde_json::json!([1.0, 2.0]);
    assert!(load_err(&m.to_string()).contains("LogisticRegression"));
    let mut m = v.clone();
    m["pipeline"]["surprise"] = serde_json::json!(1);
    assert!(load_err(&m.to_string()).contains("surprise"));
    let mut m = v.clone();
    m["pipeline"]["steps"][0]["StandardScaler"]["scale"][0] = serde_json::json!(0.0);
    assert!(load_err(&m.to_string()).contains("positive"));
    let mut m = v.clone();
    m["pipeline"]["feature_names"] = serde_json::json!(["a"]);
    assert!(load_err(&m.to_string()).contains("features"));
    v["spec"]["model"] = serde_json::json!({"LinearRegression": {}});
    assert!(load_err(&v.to_string()).contains("LinearRegression"));
}

#[test]
fn prediction_summary_is_the_head_of_the_full_csv() {
    // The page shows this summary; the full CSV is written on download. Both
    // must describe the same predictions, for the loaded table and for new bytes.
    let m = iris_model();
    let table = dataset("iris");
    let full = api::predict_table(&m, &table).unwrap();
    assert_eq!(full, api::predict_csv(&m, &iris_bytes()).unwrap());
    let s = api::predict_summary(&m, &table, 15).unwrap();
    assert_eq!(s.n_rows, 150);
    assert_eq!(s.head_csv.lines().collect::<Vec<_>>(), full.lines().take(16).collect::<Vec<_>>());
    // Fewer rows than the head: all of them.
    let small = api::predict_summary(&m, &table.select_rows(&[3, 1]), 15).unwrap();
    assert_eq!(small.n_rows, 2);
    assert_eq!(small.head_csv.lines().count(), 3);
    // A problem in any row is reported by the summary, not only by the download.
    let bad = api::load_for_model(&m, b"sepal_length,sepal_width,petal_length,petal_width\n1,2,3,4\n1,2,3,x\n");
    let err = bad.and_then(|t| api::predict_summary(&m, &t, 1)).unwrap_err().to_string();
    assert!(err.contains("petal_width"), "{err}");
}

#[test]
fn rows_that_hold_the_target_are_scored_with_the_prediction() {
    // The page's predictions of a file with the target column also show the scores
    // (the monitor's performance check) next to the CV's; without the column there is nothing to score.
    let table = dataset("iris");
    let cv = api::cross_validate(&table, IRIS, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap();
    let m = api::fit_model(&table, IRIS, Some(&cv)).unwrap();
    let s = api::predict_summary(&m, &table, 15).unwrap();
    let p = s.performance.expect("iris holds species: scored");
    assert_eq!((p.target.as_str(), p.n_rows), ("species", 150));
    // The score is the metric on these rows, recomputed here from the predictions CSV.
    let preds = api::predict_table(&m, &table).unwrap();
    let header: Vec<&str> = preds.lines().next().unwrap().split(',').collect();
    let (yi, pi) = (header.iter().position(|&h| h == "species").unwrap(), header.iter().position(|&h| h == "prediction").unwrap());
    let hits = preds.lines().skip(1).filter(|l| l.split(',').nth(yi) == l.split(',').nth(pi)).count();
    let acc = &p.metrics["accuracy"];
    assert!((acc.new - hits as f64 / 150.0).abs() < 1e-12, "accuracy {} vs {hits}/150", acc.new);
    assert_eq!(acc.cv_mean, cv.metrics["accuracy"].mean);
    let no_target = api::load_for_model(&m, b"sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n").unwrap();
    assert!(api::predict_summary(&m, &no_target, 15).unwrap().performance.is_none());
}

#[test]
fn the_reference_cache_gives_the_same_model_file() {
    // The page's Session refits its table on every Train with a reference cache
    // (api::fit_model_cached): each fit must write the file a fit without it writes,
    // whatever was fitted before (other rows: a hold-out; other columns: a drop; other
    // types: a retyped copy that bypasses the cache).
    let table = dataset("titanic_like");
    let specs = [
        r#"{"target":"survived","drop":["name"],"preprocess":{"transformers":[{"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{}}]},{"name":"cat","columns":{"dtype":"categorical"},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}},{"OneHotEncoder":{}}]}]},"model":{"LogisticRegression":{"max_iter":1000}}}"#,
        r#"{"target":"survived","drop":["name","sex","embarked"],"steps":[{"SimpleImputer":{}}],"model":{"LogisticRegression":{}},"holdout":{"test_size":0.2}}"#,
        r#"{"target":"survived","drop":["name","sex","embarked","fare"],"steps":[{"SimpleImputer":{}}],"model":{"LogisticRegression":{}}}"#,
        r#"{"target":"survived","drop":["name","sex","embarked"],"types":{"pclass":"categorical"},"preprocess":{"transformers":[{"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{}}]},{"name":"cat","columns":{"dtype":"categorical"},"steps":[{"OneHotEncoder":{}}]}]},"model":{"LogisticRegression":{}}}"#,
    ];
    let mut cache = api::ReferenceCache::default();
    for round in 0..2 {
        for (i, spec) in specs.iter().enumerate() {
            let plain = api::fit_model_with(&table, spec, None, false).unwrap();
            let cached = api::fit_model_cached(&table, spec, None, false, &mut cache).unwrap();
            assert_eq!(cached.reference, plain.reference, "round {round}, spec {i}");
            assert_eq!(cached.to_json().unwrap(), plain.to_json().unwrap(), "round {round}, spec {i}");
        }
    }
    assert!(!cache.is_empty());
    cache.clear();
    assert!(cache.is_empty());
}

#[test]
fn format_1_files_still_load() {
    // Format 1 wrote the reference's exact values as a JSON array, every count given. The
    // same file in that form loads to the same model, and is written back as format 2.
    let table = dataset("titanic_like");
    let spec = r#"{"target":"survived","drop":["name"],"preprocess":{"transformers":[{"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{}}]},{"name":"cat","columns":{"dtype":"categorical"},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}},{"OneHotEncoder":{}}]}]},"model":{"LogisticRegression":{"max_iter":1000}}}"#;
    let m = api::fit_model(&table, spec, None).unwrap();
    let text = m.to_json().unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut converted = 0;
    for c in v["reference"]["columns"].as_array_mut().unwrap() {
        let d = c["distribution"].as_object_mut().unwrap();
        if let Some(b64) = d.remove("values_f64") {
            let values = pipelab::persist::reference::f64s_from_base64(b64.as_str().unwrap()).unwrap();
            d.entry("counts").or_insert_with(|| serde_json::json!(vec![1u64; values.len()]));
            d.insert("values".into(), serde_json::json!(values));
            converted += 1;
        }
    }
    assert!(converted > 0, "titanic_like has exact numeric columns");
    v["format_version"] = 1.into();
    let old = serde_json::to_string(&v).unwrap();
    assert!(!old.contains("values_f64"));
    let back = ModelFile::from_json(&old).unwrap();
    assert_eq!(back.format_version, 1);
    assert_eq!(back.reference, m.reference);
    assert_eq!(back.pipeline, m.pipeline);
    assert_eq!(back.to_json().unwrap(), text, "written back in format 2");
    // One of the two forms, not both.
    let both = old.replacen("\"values\":[", "\"values_f64\":\"\",\"values\":[", 1);
    assert!(load_err(&both).contains("both values and values_f64"));
}

#[test]
fn a_table_of_distinct_values_writes_no_counts() {
    // A small table's columns hold every value once: the file gives their bytes, no counts.
    let csv = "a,b,y\n0.1,-0,1\n1e-310,5e30,2\n-3.25,1.5,3\n7,2.5,4\n";
    let (table, _) = api::load_table(csv.as_bytes(), "").unwrap();
    let m = api::fit_model(&table, r#"{"target":"y","model":{"LinearRegression":{}}}"#, None).unwrap();
    let text = m.to_json().unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for c in v["reference"]["columns"].as_array().unwrap() {
        assert!(c["distribution"].get("counts").is_none(), "{c}");
        assert!(c["distribution"]["values_f64"].is_string(), "{c}");
    }
    let back = ModelFile::from_json(&text).unwrap();
    assert_eq!(back.reference, m.reference);
    let pipelab::persist::reference::Distribution::Values { values, counts } = &*back.reference.as_ref().unwrap().columns[0].distribution else {
        panic!("exact values")
    };
    assert_eq!(values.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), [-3.25f64, 1e-310, 0.1, 7.0].map(f64::to_bits));
    assert_eq!(counts, &[1, 1, 1, 1]);
}
