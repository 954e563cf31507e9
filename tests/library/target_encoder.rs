//! Parity of `TargetEncoder` with scikit-learn 1.9.1. The numbers come from
//! tests/fixtures/target_encoder_reference.json, generated ONCE by
//! tests/fixtures/gen_target_encoder.py (scikit-learn 1.9.1, numpy 2.4.6) on the
//! committed datasets; these tests need no Python. Cross fitting with
//! `shuffle=false` (scikit-learn's folds are then deterministic).

use pipelab::data::{read_csv, ColumnData, ReadOptions, Table};
use pipelab::estimator::{FitContext, FittedTransform, StepParams, Target};
use pipelab::frame::{FData, Frame};
use pipelab::pipeline::{encode_classes, fit_all, FittedStep, PipelineSpec};
use pipelab::preprocess::encoders::CategoryKeys;
use pipelab::preprocess::target_encoder::{Smooth, TargetEncoderParams};
use serde_json::Value;

fn reference(case: &str) -> Value {
    let text = std::fs::read_to_string("tests/fixtures/target_encoder_reference.json").unwrap();
    serde_json::from_str::<Value>(&text).unwrap()[case].clone()
}

fn table(name: &str) -> Table {
    read_csv(&std::fs::read(format!("www/datasets/{name}")).unwrap(), &ReadOptions::default()).unwrap().0
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

fn column(f: &Frame, j: usize) -> &[f64] {
    match &f.cols[j].data {
        FData::Num(v) => v,
        FData::Cat(_) => panic!("numeric output expected"),
    }
}

fn close(what: &str, got: f64, want: f64, rel: f64) {
    assert!((got - want).abs() <= rel * (1.0 + want.abs()), "{what}: got {got}, scikit-learn {want}");
}

/// Fits the case's encoder; checks categories, encodings, target mean, names and the
/// cross-fitted `fit_transform` and `transform` outputs.
fn check(case: &str, data: &str) {
    let r = reference(case);
    let t = table(data);
    let names = strings(&r["columns"]);
    let idx: Vec<usize> = names.iter().map(|n| t.column_index(n).unwrap()).collect();
    let x = Frame::from_table(&t, &idx);
    let target = r["target"].as_str().unwrap();
    let col = t.column(target).unwrap();
    let y = if r["target_type"] == "continuous" {
        match &col.data {
            ColumnData::Numeric(v) => Target::Values(v.to_vec()),
            _ => panic!("numeric target"),
        }
    } else {
        let (classes, y) = encode_classes(target, &col.data).unwrap();
        assert_eq!(classes, strings(&r["classes"]));
        Target::Classes { y, n_classes: classes.len() }
    };
    let smooth = match &r["smooth"] {
        Value::String(_) => Smooth::Auto,
        v => Smooth::Value(v.as_f64().unwrap()),
    };
    let p = TargetEncoderParams { smooth, shuffle: false, ..Default::default() };
    let (fitted, out, _) = p.fit_transform(&x, Some(&y), &FitContext::new(0)).unwrap();

    // Categories (sorted, the missing one last) and encodings_.
    let mut k = 0;
    for (j, c) in fitted.columns.iter().enumerate() {
        let want_cats = r["categories"][j].as_array().unwrap();
        let n_known = want_cats.iter().filter(|v| !v.is_null()).count();
        assert_eq!(c.has_missing, want_cats.len() > n_known, "{case}: column {j} missing category");
        match &c.categories {
            CategoryKeys::Text(v) => assert_eq!(v, &want_cats[..n_known].iter().map(|x| x.as_str().unwrap().to_string()).collect::<Vec<_>>()),
            CategoryKeys::Num(v) => assert_eq!(v, &want_cats[..n_known].iter().map(|x| x.as_f64().unwrap()).collect::<Vec<_>>()),
        }
        for e in &c.encodings {
            let want = floats(&r["encodings"][k]);
            assert_eq!(e.len(), want.len(), "{case}: encodings {k}");
            for (a, b) in e.iter().zip(&want) {
                close(&format!("{case} encoding {k}"), *a, *b, 1e-12);
            }
            k += 1;
        }
    }
    for (a, b) in fitted.target_mean.iter().zip(floats(&r["target_mean"])) {
        close(&format!("{case} target mean"), *a, b, 1e-12);
    }
    // Names: scikit-learn's, except that multiclass columns carry the class index
    // (the step sees indices into the sorted labels), not the label.
    let want_names = strings(&r["feature_names_out"]);
    let classes = if r["target_type"] == "multiclass" { strings(&r["classes"]) } else { vec![] };
    let ours: Vec<String> = want_names
        .iter()
        .map(|n| match classes.iter().position(|c| n.ends_with(&format!("_{c}"))) {
            Some(i) => format!("{}_{i}", &n[..n.len() - classes[i].len() - 1]),
            None => n.clone(),
        })
        .collect();
    assert_eq!(out.names(), ours, "{case}: output names");

    // The cross-fitted training output, and transform with the full-data encodings.
    let tr = fitted.transform(&x).unwrap();
    for j in 0..out.n_cols() {
        let s_ft: f64 = column(&out, j).iter().sum();
        let s_tr: f64 = column(&tr, j).iter().sum();
        close(&format!("{case} fit_transform column {j} sum"), s_ft, r["fit_transform_column_sums"][j].as_f64().unwrap(), 1e-12);
        close(&format!("{case} transform column {j} sum"), s_tr, r["transform_column_sums"][j].as_f64().unwrap(), 1e-12);
    }
    let (rows, tr_rows) = match r.get("fit_transform") {
        Some(all) => (all.as_array().unwrap().clone(), None),
        None => (r["fit_transform_first_rows"].as_array().unwrap().clone(), Some(r["transform_first_rows"].as_array().unwrap().clone())),
    };
    for (i, row) in rows.iter().enumerate() {
        for (j, want) in floats(row).iter().enumerate() {
            close(&format!("{case} fit_transform[{i}][{j}]"), column(&out, j)[i], *want, 1e-12);
        }
    }
    for (i, row) in tr_rows.iter().flatten().enumerate() {
        for (j, want) in floats(row).iter().enumerate() {
            close(&format!("{case} transform[{i}][{j}]"), column(&tr, j)[i], *want, 1e-12);
        }
    }
    eprintln!("{case}: {} rows, {} output columns match scikit-learn at 1e-12", out.n_rows, out.n_cols());
}

#[test]
fn titanic_binary_auto_smoothing() {
    check("titanic_binary_auto", "titanic_like.csv");
}

#[test]
fn titanic_binary_smooth_2() {
    check("titanic_binary_smooth2", "titanic_like.csv");
}

#[test]
fn titanic_multiclass_pclass() {
    check("titanic_multiclass_pclass", "titanic_like.csv");
}

#[test]
fn housing_continuous_auto_smoothing() {
    check("housing_continuous_auto", "housing_like.csv");
}

/// In a pipeline the training rows get the cross-fitted encoding and the model file keeps
/// the full-data encodings; with shuffle (the default) the folds come from random_state.
#[test]
fn in_a_pipeline_and_seeded() {
    let t = table("titanic_like.csv");
    let spec = |extra: &str| {
        PipelineSpec::from_json(&format!(
            r#"{{"target":"survived","drop":["passenger_id","name"],"preprocess":{{"transformers":[
                {{"name":"te","columns":{{"names":["sex","embarked"]}},"steps":[{{"TargetEncoder":{{{extra}}}}}]}}]}},
              "model":{{"LogisticRegression":{{}}}}}}"#
        ))
        .unwrap()
    };
    let a = fit_all(&t, &spec("")).unwrap();
    assert_eq!(a.feature_names, ["te__sex", "te__embarked"]);
    let b = fit_all(&t, &spec(r#""random_state": 0"#)).unwrap();
    assert_eq!(a, b, "random_state defaults to the pipeline's (0)");
    let r = reference("titanic_binary_smooth2");
    let c = fit_all(&t, &spec(r#""smooth": 2.0, "shuffle": false"#)).unwrap();
    let FittedStep::TargetEncoder(te) = &c.preprocess.as_ref().unwrap().branches[0].steps[0] else { panic!("TargetEncoder expected") };
    close("pipeline encoding sex=female", te.columns[0].encodings[0][0], r["encodings"][0][0].as_f64().unwrap(), 1e-12);
    // The preview shows the cross-fitted training rows.
    let p = pipelab::api::preview(&t, &spec(r#""smooth": 2.0, "shuffle": false"#).to_json(), 3).unwrap();
    let want = r["fit_transform"][0].as_array().unwrap();
    close("preview row 0", p.rows[0][0].as_f64().unwrap(), want[0].as_f64().unwrap(), 1e-12);
    // Errors name the parameter.
    let err = fit_all(&t, &spec(r#""cv": 1"#)).unwrap_err().to_string();
    assert!(err.contains("cv"), "{err}");
    let bad = r#"{"target":"survived","drop":["passenger_id","name"],"preprocess":{"transformers":[{"name":"te","columns":{"names":["sex"]},"steps":[{"TargetEncoder":{"smooth":"lots"}}]}]},"model":{"LogisticRegression":{}}}"#;
    let err = PipelineSpec::from_json(bad).unwrap_err().to_string();
    assert!(err.contains("smooth") && err.contains("lots"), "{err}");
}
