//! Parity of the "steps A" transformers with scikit-learn.
//!
//! - `j_wine_kbins_minmax_robust` and `d_titanic_impute_onehot_logreg` come from
//!   tests/fixtures/reference_shared.json (scikit-learn 1.9.1), at the entries' tolerances.
//! - Every other number comes from tests/fixtures/steps_a_reference.json, generated ONCE
//!   with scikit-learn 1.9.1 / numpy 2.4.6 / scipy 1.17.1 by tests/fixtures/gen_steps_a.py
//!   (data and expected outputs are both in the JSON; the tests need no Python).

use crate::support;

use pipelab::data::{read_csv, CatData, ReadOptions};
use pipelab::estimator::{FitContext, FittedTransform, StepParams};
use pipelab::features::binning::{BinStrategy, Encode, KBinsDiscretizerParams, QuantileMethod};
use pipelab::frame::{FCol, FData, Frame};
use pipelab::pipeline::{fit_all, FittedStep, PipelineSpec};
use pipelab::preprocess::encoders::{OrdinalEncoderParams, OrdinalHandleUnknown};
use pipelab::preprocess::imputer::{Fill, SimpleImputerParams};
use pipelab::preprocess::knn_imputer::{KNNImputerParams, KnnWeights};
use pipelab::preprocess::onehot::{HandleUnknown, MinFrequency, OneHotEncoderParams};
use pipelab::preprocess::scalers::*;
use pipelab::selection::cv::{cross_validate, CvHooks};
use serde_json::Value;

fn load_json(path: &str) -> Value {
    support::json_fixture(path)
}

fn shared() -> Value {
    load_json("tests/fixtures/reference_shared.json")
}

fn steps_ref() -> Value {
    load_json("tests/fixtures/steps_a_reference.json")
}

fn table(name: &str) -> pipelab::data::Table {
    let bytes = std::fs::read(format!("www/datasets/{name}")).unwrap();
    read_csv(&bytes, &ReadOptions::default()).unwrap().0
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn vecf(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

fn matf(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(vecf).collect()
}

/// Row-major values of a frame.
fn rows(fr: &Frame) -> Vec<Vec<f64>> {
    let cols: Vec<&[f64]> = fr.cols.iter().map(|c| c.numeric("test").unwrap()).collect();
    (0..fr.n_rows).map(|i| cols.iter().map(|c| c[i]).collect()).collect()
}

/// Max deviation between two matrices (NaN must match NaN); panics naming the cell beyond `tol`.
fn assert_mat(what: &str, got: &[Vec<f64>], want: &[Vec<f64>], abs: f64, rel: f64) -> f64 {
    assert_eq!(got.len(), want.len(), "{what}: row count");
    let mut worst: f64 = 0.0;
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: row {i} width");
        for (j, (&a, &b)) in g.iter().zip(w).enumerate() {
            if b.is_nan() {
                assert!(a.is_nan(), "{what}[{i}][{j}]: got {a}, want NaN");
                continue;
            }
            let d = (a - b).abs();
            assert!(d <= abs + rel * b.abs(), "{what}[{i}][{j}]: got {a}, want {b} (diff {d:e})");
            worst = worst.max(d);
        }
    }
    worst
}

fn num_frame(obj: &Value, names: &[&str]) -> Frame {
    let cols: Vec<FCol> = names.iter().map(|n| FCol::num(*n, vecf(&obj[*n]))).collect();
    let n = cols[0].data.len();
    Frame::new(cols, n)
}

fn cat_frame(obj: &Value, names: &[&str]) -> Frame {
    let cols: Vec<FCol> = names
        .iter()
        .map(|n| {
            let cells: Vec<Option<&str>> = obj[*n].as_array().unwrap().iter().map(|v| v.as_str()).collect();
            FCol { name: n.to_string(), data: FData::Cat(CatData::from_options(&cells)) }
        })
        .collect();
    let n = cols[0].data.len();
    Frame::new(cols, n)
}

fn fit_t<P: StepParams>(p: &P, x: &Frame) -> P::Fitted {
    p.fit(x, None, &FitContext::default()).unwrap()
}

// ------------------------------------------------------------------ j_wine_kbins_minmax_robust

#[test]
fn j_wine_kbins_minmax_robust() {
    let r = &shared()["entries"]["j_wine_kbins_minmax_robust"]["results"];
    let t = table("wine.csv");
    let names = ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium"];
    let idx: Vec<usize> = names.iter().map(|n| t.column_index(n).unwrap()).collect();
    let x = Frame::from_table(&t, &idx);
    let first5 = |fr: &Frame| rows(fr)[..5].to_vec();
    assert_mat("input_first5", &first5(&x), &matf(&r["input_first5"]), 0.0, 0.0);

    // KBinsDiscretizer(n_bins=5, encode="ordinal", strategy="uniform"), abs 1e-12 (bins exact).
    let kb = KBinsDiscretizerParams { n_bins: 5, encode: Encode::Ordinal, strategy: BinStrategy::Uniform, ..Default::default() };
    let fk = fit_t(&kb, &x);
    let w = assert_mat("kbins_bin_edges", &fk.bin_edges, &matf(&r["kbins_bin_edges"]), 1e-12, 0.0);
    println!("kbins edges max |diff| = {w:e}");
    let xt = fk.transform(&x).unwrap();
    assert_mat("kbins_first5", &first5(&xt), &matf(&r["kbins_first5"]), 0.0, 0.0);
    let all = rows(&xt);
    let mut counts = vec![vec![0.0; 5]; 5];
    for row in &all {
        for (j, &b) in row.iter().enumerate() {
            counts[j][b as usize] += 1.0;
        }
    }
    assert_mat("kbins_counts_per_bin_all_rows", &counts, &matf(&r["kbins_counts_per_bin_all_rows"]), 0.0, 0.0);
    // Edge case of the entry: alcohol row 127 (0-based) is 11.79 == the first inner edge -> bin 1.
    assert_eq!(x.cols[0].numeric("t").unwrap()[127], 11.79);
    assert_eq!(all[127][0], 1.0, "value on an inner edge goes to the upper bin");

    // MinMaxScaler(), abs 1e-12.
    let fm = fit_t(&MinMaxScalerParams::default(), &x);
    assert_mat("minmax_data_min", std::slice::from_ref(&fm.data_min), &[vecf(&r["minmax_data_min"])], 1e-12, 0.0);
    assert_mat("minmax_data_max", std::slice::from_ref(&fm.data_max), &[vecf(&r["minmax_data_max"])], 1e-12, 0.0);
    let w = assert_mat("minmax_first5", &first5(&fm.transform(&x).unwrap()), &matf(&r["minmax_first5"]), 1e-12, 0.0);
    println!("minmax first5 max |diff| = {w:e}");

    // RobustScaler(), abs 1e-12.
    let fr = fit_t(&RobustScalerParams::default(), &x);
    let w1 = assert_mat("robust_center", std::slice::from_ref(&fr.center), &[vecf(&r["robust_center"])], 1e-12, 0.0);
    let w2 = assert_mat("robust_scale", std::slice::from_ref(&fr.scale), &[vecf(&r["robust_scale"])], 1e-12, 0.0);
    let w3 = assert_mat("robust_first5", &first5(&fr.transform(&x).unwrap()), &matf(&r["robust_first5"]), 1e-12, 0.0);
    println!("robust center/scale/first5 max |diff| = {w1:e} {w2:e} {w3:e}");
}

// ------------------------------------------------------------------ d_titanic_impute_onehot_logreg

const TITANIC_SPEC: &str = r#"{
  "target": "survived",
  "drop": ["passenger_id", "name"],
  "preprocess": {"transformers": [
    {"name": "age_mean", "columns": {"names": ["age"]}, "steps": [{"SimpleImputer": {"strategy": "mean"}}]},
    {"name": "fare_median", "columns": {"names": ["fare"]}, "steps": [{"SimpleImputer": {"strategy": "median"}}]},
    {"name": "counts_most_frequent", "columns": {"names": ["sibsp", "parch"]}, "steps": [{"SimpleImputer": {"strategy": "most_frequent"}}]},
    {"name": "passthrough", "columns": {"names": ["pclass", "has_cabin"]}, "steps": []},
    {"name": "cat", "columns": {"names": ["sex", "embarked"]}, "steps": [
      {"SimpleImputer": {"strategy": "most_frequent"}},
      {"OneHotEncoder": {"handle_unknown": "ignore"}}
    ]}
  ]},
  "model": {"LogisticRegression": {"C": 1.0, "max_iter": 1000}},
  "scoring": ["accuracy"]
}"#;

#[test]
fn d_titanic_impute_onehot_logreg() {
    let e = &shared()["entries"]["d_titanic_impute_onehot_logreg"];
    let r = &e["results"];
    let t = table("titanic_like.csv");
    let spec = PipelineSpec::from_json(TITANIC_SPEC).unwrap();
    let fitted = fit_all(&t, &spec).unwrap();
    let want_names: Vec<String> = e["spec"]["output_column_order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(fitted.feature_names, want_names);

    // Fill values (rel 1e-12).
    let imp = &r["imputation_full_data"];
    let ct = fitted.preprocess.as_ref().unwrap();
    let fill_of = |branch: &str, k: usize| -> Fill {
        let b = ct.branches.iter().find(|b| b.name == branch).unwrap();
        match &b.steps[0] {
            FittedStep::SimpleImputer(s) => s.fills[k].clone(),
            other => panic!("{branch}: unexpected step {}", other.name()),
        }
    };
    for (branch, k, col) in [("age_mean", 0, "age"), ("fare_median", 0, "fare"), ("counts_most_frequent", 0, "sibsp"), ("counts_most_frequent", 1, "parch")] {
        let want = f(&imp[col]["fill_value"]);
        match fill_of(branch, k) {
            Fill::Num(v) => {
                assert!((v - want).abs() <= 1e-12 * want.abs(), "{col}: fill {v} vs sklearn {want}");
                println!("{col} fill {v} (sklearn {want}, rel diff {:e})", if want == 0.0 { (v - want).abs() } else { ((v - want) / want).abs() });
            }
            other => panic!("{col}: {other:?}"),
        }
    }
    assert_eq!(fill_of("cat", 0), Fill::Text(imp["categorical_fill_values"]["sex"].as_str().unwrap().into()));
    assert_eq!(fill_of("cat", 1), Fill::Text(imp["categorical_fill_values"]["embarked"].as_str().unwrap().into()));

    // transformed_first3_rows (rel 1e-12).
    let xt = fitted.transform(&t.select_rows(&[0, 1, 2])).unwrap();
    let got: Vec<Vec<f64>> = xt.rows().into_iter().map(|r| r.to_vec()).collect();
    assert_mat("transformed_first3_rows", &got, &matf(&r["transformed_first3_rows"]), 0.0, 1e-12);

    // CV accuracy, LogisticRegression(max_iter=1000): mean within abs 0.01.
    let now = || 0.0;
    let mut progress = |_: usize, _: usize| true;
    let rep = cross_validate(&t, &spec, CvHooks { threads: 1, now_ms: &now, progress: &mut progress, stop: None }).unwrap();
    let acc = &rep.metrics["accuracy"];
    let want = f(&r["cv_accuracy"]["mean"]);
    println!("titanic CV accuracy per fold {:?} mean {} (sklearn {want}, diff {:e})", acc.folds, acc.mean, (acc.mean - want).abs());
    assert!((acc.mean - want).abs() <= 0.01, "cv accuracy mean {} vs sklearn {want}", acc.mean);
}

// ------------------------------------------------------------------ steps without an oracle entry

const NUM: [&str; 4] = ["a", "b", "c", "d"];

#[test]
fn knn_imputer_matches_sklearn() {
    let r = steps_ref();
    let train = num_frame(&r["numeric"]["train_nan"], &NUM);
    let new = num_frame(&r["numeric"]["new"], &NUM);
    let mut worst: f64 = 0.0;
    for (wname, weights) in [("uniform", KnnWeights::Uniform), ("distance", KnnWeights::Distance)] {
        for k in [1usize, 3, 5] {
            let key = format!("{wname}_k{k}");
            let fitted = fit_t(&KNNImputerParams { n_neighbors: k, weights, ..Default::default() }, &train);
            let want = &r["knn_imputer"][&key];
            worst = worst.max(assert_mat(&format!("knn {key} train"), &rows(&fitted.transform(&train).unwrap()), &matf(&want["train"]), 1e-12, 1e-12));
            worst = worst.max(assert_mat(&format!("knn {key} new"), &rows(&fitted.transform(&new).unwrap()), &matf(&want["new"]), 1e-12, 1e-12));
        }
    }
    println!("KNNImputer max |diff| = {worst:e}");
    let fitted = fit_t(&KNNImputerParams { add_indicator: true, ..Default::default() }, &train);
    let names = fitted.transform(&train).unwrap().names();
    let want: Vec<String> = r["knn_imputer"]["indicator_names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().into()).collect();
    assert_eq!(names, want);
}

#[test]
fn simple_imputer_indicator_names() {
    let r = steps_ref();
    let train = num_frame(&r["numeric"]["train_nan"], &NUM);
    let fitted = fit_t(&SimpleImputerParams { add_indicator: true, ..Default::default() }, &train);
    let want: Vec<String> = r["simple_imputer_indicator_names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().into()).collect();
    assert_eq!(fitted.transform(&train).unwrap().names(), want);
}

/// Lambdas come from a bounded Brent search (scipy's `fminbound`, xtol 1.48e-8) over a flat
/// log-likelihood; numpy evaluates log1p/expm1 with SIMD (SVML) kernels accurate to ~1 ulp, so the
/// search can stop at a slightly different point: lambdas agree to 5e-8 (≈ 3 x xtol), outputs to 1e-6.
#[test]
fn power_transformer_matches_sklearn() {
    let r = steps_ref();
    let pt = &r["power_transformer"];
    let train = num_frame(&r["numeric"]["train"], &NUM);
    let mut new = num_frame(&r["numeric"]["new"], &NUM);
    for c in new.cols.iter_mut() {
        if let FData::Num(v) = &mut c.data {
            v.make_mut().iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = 1.0);
        }
    }
    for std in [true, false] {
        let want = &pt[format!("standardize_{std}")];
        let fitted = fit_t(&PowerTransformerParams { standardize: std, ..Default::default() }, &train);
        let wl = assert_mat("lambdas", std::slice::from_ref(&fitted.lambdas), &[vecf(&want["lambdas"])], 5e-8, 0.0);
        let wt = assert_mat("train", &rows(&fitted.transform(&train).unwrap()), &matf(&want["train"]), 1e-6, 0.0);
        let wn = assert_mat("new", &rows(&fitted.transform(&new).unwrap()), &matf(&want["new"]), 1e-6, 0.0);
        println!("PowerTransformer standardize={std}: lambdas max |diff| {wl:e}, train {wt:e}, new {wn:e}");
    }
    let with_nan = num_frame(&r["numeric"]["train_nan"], &NUM);
    let fitted = fit_t(&PowerTransformerParams::default(), &with_nan);
    let wl = assert_mat("lambdas (NaN)", std::slice::from_ref(&fitted.lambdas), &[vecf(&pt["with_nan"]["lambdas"])], 5e-8, 0.0);
    let wt = assert_mat("train (NaN)", &rows(&fitted.transform(&with_nan).unwrap()), &matf(&pt["with_nan"]["train"]), 1e-6, 0.0);
    println!("PowerTransformer with NaN: lambdas {wl:e}, train {wt:e}");
}

#[test]
fn simple_scalers_match_sklearn() {
    let r = steps_ref();
    let train = num_frame(&r["numeric"]["train"], &NUM);
    let train_nan = num_frame(&r["numeric"]["train_nan"], &NUM);
    let new = num_frame(&r["numeric"]["new"], &NUM);
    for (name, norm) in [("l1", Norm::L1), ("l2", Norm::L2), ("max", Norm::Max)] {
        let fitted = fit_t(&NormalizerParams { norm }, &train);
        let w = assert_mat(&format!("Normalizer {name}"), &rows(&fitted.transform(&train).unwrap()), &matf(&r["normalizer"][name]), 1e-15, 1e-14);
        println!("Normalizer {name}: max |diff| {w:e}");
    }
    let m = fit_t(&MaxAbsScalerParams::default(), &train_nan);
    assert_mat("max_abs", std::slice::from_ref(&m.max_abs), &[vecf(&r["max_abs_scaler"]["max_abs"])], 0.0, 0.0);
    assert_mat("MaxAbsScaler train", &rows(&m.transform(&train_nan).unwrap()), &matf(&r["max_abs_scaler"]["train"]), 0.0, 1e-15);
    assert_mat("MaxAbsScaler new", &rows(&m.transform(&new).unwrap()), &matf(&r["max_abs_scaler"]["new"]), 0.0, 1e-15);
    let mm = fit_t(&MinMaxScalerParams { feature_range: [-1.0, 2.0], clip: true }, &train_nan);
    assert_mat("MinMaxScaler clip new", &rows(&mm.transform(&new).unwrap()), &matf(&r["min_max_scaler_clip"]["new"]), 1e-14, 0.0);
    assert_mat("MinMaxScaler clip train", &rows(&mm.transform(&train_nan).unwrap()), &matf(&r["min_max_scaler_clip"]["train"]), 1e-14, 0.0);
    let rs = fit_t(&RobustScalerParams { quantile_range: [10.0, 90.0], ..Default::default() }, &train_nan);
    let want = &r["robust_scaler_10_90"];
    assert_mat("RobustScaler(10,90) center", std::slice::from_ref(&rs.center), &[vecf(&want["center"])], 0.0, 1e-15);
    assert_mat("RobustScaler(10,90) scale", std::slice::from_ref(&rs.scale), &[vecf(&want["scale"])], 0.0, 1e-15);
    assert_mat("RobustScaler(10,90) train", &rows(&rs.transform(&train_nan).unwrap()), &matf(&want["train"]), 1e-15, 1e-14);
}

#[test]
fn ordinal_encoder_matches_sklearn() {
    let r = steps_ref();
    let train = cat_frame(&r["categorical"]["train"], &["color", "size"]);
    let new = cat_frame(&r["categorical"]["new"], &["color", "size"]);
    let p = OrdinalEncoderParams { handle_unknown: OrdinalHandleUnknown::UseEncodedValue, unknown_value: Some(-1.0), ..Default::default() };
    let fitted = fit_t(&p, &train);
    assert_mat("OrdinalEncoder train", &rows(&fitted.transform(&train).unwrap()), &matf(&r["ordinal_encoder"]["train"]), 0.0, 0.0);
    assert_mat("OrdinalEncoder new", &rows(&fitted.transform(&new).unwrap()), &matf(&r["ordinal_encoder"]["new"]), 0.0, 0.0);
    let p2 = OrdinalEncoderParams { encoded_missing_value: -2.0, ..p.clone() };
    let fitted = fit_t(&p2, &train);
    assert_mat("OrdinalEncoder(-2) train", &rows(&fitted.transform(&train).unwrap()), &matf(&r["ordinal_encoder_missing_-2"]["train"]), 0.0, 0.0);
    assert_mat("OrdinalEncoder(-2) new", &rows(&fitted.transform(&new).unwrap()), &matf(&r["ordinal_encoder_missing_-2"]["new"]), 0.0, 0.0);
    // Infrequent categories share the last code.
    for (name, case) in r["ordinal_encoder_infrequent"].as_object().unwrap() {
        let params = &case["params"];
        let p3 = OrdinalEncoderParams {
            min_frequency: match &params["min_frequency"] {
                Value::Null => None,
                v if v.is_u64() => Some(MinFrequency::Count(v.as_u64().unwrap())),
                v => Some(MinFrequency::Fraction(v.as_f64().unwrap())),
            },
            max_categories: params["max_categories"].as_u64().map(|v| v as usize),
            ..p.clone()
        };
        let fitted = fit_t(&p3, &train);
        assert_mat(&format!("OrdinalEncoder {name} train"), &rows(&fitted.transform(&train).unwrap()), &matf(&case["train"]), 0.0, 0.0);
        assert_mat(&format!("OrdinalEncoder {name} new"), &rows(&fitted.transform(&new).unwrap()), &matf(&case["new"]), 0.0, 0.0);
    }
    // handle_unknown="error" names the column and the row.
    let strict = fit_t(&OrdinalEncoderParams::default(), &train);
    let msg = strict.transform(&new).unwrap_err().to_string();
    assert!(msg.contains("'color'") && msg.contains("row 2"), "{msg}");
}

#[test]
fn onehot_infrequent_matches_sklearn() {
    let r = steps_ref();
    let train = cat_frame(&r["categorical"]["train"], &["color", "size"]);
    let new = cat_frame(&r["categorical"]["new"], &["color", "size"]);
    let cases = r["onehot_infrequent"].as_object().unwrap();
    assert_eq!(cases.len(), 6);
    for (name, case) in cases {
        let params = &case["params"];
        let min_frequency = match &params["min_frequency"] {
            Value::Null => None,
            v if v.is_u64() => Some(MinFrequency::Count(v.as_u64().unwrap())),
            v => Some(MinFrequency::Fraction(v.as_f64().unwrap())),
        };
        let p = OneHotEncoderParams {
            handle_unknown: HandleUnknown::InfrequentIfExist,
            drop: params["drop"].as_str().map(|_| pipelab::preprocess::onehot::Drop::First),
            min_frequency,
            max_categories: params["max_categories"].as_u64().map(|v| v as usize),
        };
        let fitted = fit_t(&p, &train);
        let out = fitted.transform(&train).unwrap();
        let want_names: Vec<String> = case["names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().into()).collect();
        assert_eq!(out.names(), want_names, "{name}");
        assert_mat(&format!("{name} train"), &rows(&out), &matf(&case["train"]), 0.0, 0.0);
        assert_mat(&format!("{name} new"), &rows(&fitted.transform(&new).unwrap()), &matf(&case["new"]), 0.0, 0.0);
    }
}

#[test]
fn kbins_strategies_match_sklearn() {
    let r = steps_ref();
    let t = table("wine.csv");
    let names: Vec<&str> = r["kbins_columns"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let idx: Vec<usize> = names.iter().map(|n| t.column_index(n).unwrap()).collect();
    let x = Frame::from_table(&t, &idx);
    for (key, strategy, qm) in [
        ("quantile_averaged_inverted_cdf", BinStrategy::Quantile, QuantileMethod::AveragedInvertedCdf),
        ("quantile_linear", BinStrategy::Quantile, QuantileMethod::Linear),
        ("kmeans", BinStrategy::Kmeans, QuantileMethod::AveragedInvertedCdf),
        ("uniform", BinStrategy::Uniform, QuantileMethod::AveragedInvertedCdf),
    ] {
        let want = &r["kbins"][key];
        let p = KBinsDiscretizerParams { n_bins: 5, strategy, encode: Encode::Ordinal, quantile_method: qm, ..Default::default() };
        let fitted = fit_t(&p, &x);
        let w = assert_mat(&format!("{key} edges"), &fitted.bin_edges, &matf(&want["bin_edges"]), 1e-9, 1e-12);
        let n_bins: Vec<f64> = fitted.n_bins.iter().map(|&b| b as f64).collect();
        assert_mat(&format!("{key} n_bins"), &[n_bins], &[vecf(&want["n_bins"])], 0.0, 0.0);
        assert_mat(&format!("{key} bins"), &rows(&fitted.transform(&x).unwrap()), &matf(&want["train"]), 0.0, 0.0);
        println!("KBinsDiscretizer {key}: edges max |diff| {w:e}, all bins equal");
    }
    let p = KBinsDiscretizerParams { n_bins: 4, encode: Encode::OnehotDense, ..Default::default() };
    let out = fit_t(&p, &x).transform(&x).unwrap();
    let want: Vec<String> = r["kbins"]["onehot_names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().into()).collect();
    assert_eq!(out.names(), want);
    // Duplicate edges are removed, with a warning.
    let ties = Frame::new(vec![FCol::num("t", vecf(&r["kbins"]["ties"]["data"]))], 40);
    let ctx = FitContext::default();
    let fitted = KBinsDiscretizerParams { encode: Encode::Ordinal, ..Default::default() }.fit(&ties, None, &ctx).unwrap();
    assert_eq!(fitted.bin_edges[0], vecf(&r["kbins"]["ties"]["bin_edges"]));
    assert_eq!(fitted.n_bins[0] as u64, r["kbins"]["ties"]["n_bins"].as_u64().unwrap());
    assert!(ctx.take_warnings().iter().any(|w| w.contains("too small")));
}

// ------------------------------------------------------------------ OutlierRemover in a pipeline

#[test]
fn outlier_remover_drops_training_rows_only() {
    let t = table("diabetes.csv");
    let target = t.names().last().unwrap().clone();
    let spec = |steps: &str| {
        PipelineSpec::from_json(&format!(r#"{{"target": "{target}", "steps": [{steps}], "model": {{"LinearRegression": {{}}}}, "scoring": ["r2"]}}"#)).unwrap()
    };
    let now = || 0.0;
    let mut progress = |_: usize, _: usize| true;
    let with = cross_validate(
        &t,
        &spec(r#"{"OutlierRemover": {"method": "iqr", "factor": 1.5}}"#),
        CvHooks { threads: 1, now_ms: &now, progress: &mut progress, stop: None },
    )
    .unwrap();
    let mut progress = |_: usize, _: usize| true;
    let without = cross_validate(&t, &spec(r#"{"StandardScaler": {}}"#), CvHooks { threads: 1, now_ms: &now, progress: &mut progress, stop: None }).unwrap();
    // Every test row is still scored.
    let n_test: usize = with.folds.iter().map(|f| f.n_test).sum();
    assert_eq!(n_test, t.n_rows);
    assert_eq!(with.folds.iter().map(|f| f.n_test).collect::<Vec<_>>(), without.folds.iter().map(|f| f.n_test).collect::<Vec<_>>());
    // Each fold reports how many training rows it dropped.
    for (k, f) in with.folds.iter().enumerate() {
        let w = with
            .warnings
            .iter()
            .find(|w| w.starts_with(&format!("fold {}: OutlierRemover dropped ", k + 1)))
            .unwrap_or_else(|| panic!("no drop warning for fold {}: {:?}", k + 1, with.warnings));
        assert!(w.ends_with(&format!(" of {} training rows", f.n_train)), "{w}");
    }
    println!("OutlierRemover warnings: {:?}", with.warnings);
    // The fitted pipeline records the count, and transform keeps every row.
    let fitted = fit_all(&t, &spec(r#"{"OutlierRemover": {"method": "zscore", "threshold": 3.0}}"#)).unwrap();
    match &fitted.steps[0] {
        FittedStep::OutlierRemover(o) => {
            assert_eq!(o.n_train, t.n_rows);
            assert!(o.n_dropped > 0 && o.n_dropped < t.n_rows / 10, "dropped {}", o.n_dropped);
        }
        other => panic!("unexpected {}", other.name()),
    }
    assert_eq!(fitted.transform(&t).unwrap().nrows(), t.n_rows);
    // Not allowed inside a ColumnTransformer branch.
    let bad = PipelineSpec::from_json(&format!(
        r#"{{"target": "{target}", "preprocess": {{"transformers": [{{"name": "num", "columns": {{"dtype": "numeric"}}, "steps": [{{"OutlierRemover": {{}}}}]}}]}}, "model": {{"LinearRegression": {{}}}}}}"#
    ))
    .unwrap();
    let e = fit_all(&t, &bad).unwrap_err().to_string();
    assert!(e.contains("removes rows"), "{e}");
}

// ------------------------------------------------------------------ invariants of these steps

/// For each step: fit twice gives the same state; transform does not change it; the whole batch
/// equals row-by-row; save -> load -> validate -> same output; empty input is an error, not a panic.
#[test]
fn steps_a_invariants() {
    use pipelab::pipeline::StepSpec;
    let r = steps_ref();
    let num = num_frame(&r["numeric"]["train"], &NUM);
    let num_nan = num_frame(&r["numeric"]["train_nan"], &NUM);
    let cat = cat_frame(&r["categorical"]["train"], &["color", "size"]);
    let specs: Vec<(&str, &Frame)> = vec![
        (r#"{"MinMaxScaler": {"feature_range": [-1, 1], "clip": true}}"#, &num_nan),
        (r#"{"RobustScaler": {"quantile_range": [10, 90]}}"#, &num_nan),
        (r#"{"MaxAbsScaler": {}}"#, &num_nan),
        (r#"{"Normalizer": {"norm": "l1"}}"#, &num),
        (r#"{"PowerTransformer": {}}"#, &num_nan),
        (r#"{"OrdinalEncoder": {"handle_unknown": "use_encoded_value", "unknown_value": -1}}"#, &cat),
        (r#"{"OrdinalEncoder": {"handle_unknown": "use_encoded_value", "unknown_value": -1, "max_categories": 3}}"#, &cat),
        (r#"{"OneHotEncoder": {"handle_unknown": "infrequent_if_exist", "min_frequency": 5, "max_categories": 4}}"#, &cat),
        (r#"{"KNNImputer": {"n_neighbors": 3, "weights": "distance", "add_indicator": true}}"#, &num_nan),
        (r#"{"KBinsDiscretizer": {"n_bins": 4, "strategy": "kmeans", "encode": "onehot-dense"}}"#, &num),
        (r#"{"KBinsDiscretizer": {"n_bins": 4}}"#, &num),
        (r#"{"FunctionTransformer": {"func": "square"}}"#, &num_nan),
        (r#"{"OutlierRemover": {"method": "zscore", "threshold": 2.0}}"#, &num_nan),
    ];
    let same = |a: &Frame, b: &Frame| {
        a.names() == b.names() && rows(a).iter().flatten().zip(rows(b).iter().flatten()).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    };
    for (json, x) in specs {
        let spec: StepSpec = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        let ctx = FitContext::default();
        let (f1, _, _) = spec.fit_transform(x, None, &ctx).unwrap();
        let (f2, _, _) = spec.fit_transform(x, None, &ctx).unwrap();
        // Compared as JSON: fitted states may hold NaN (NaN != NaN).
        let state = |f: &FittedStep| serde_json::to_string(f).unwrap();
        assert_eq!(state(&f1), state(&f2), "{json}: fit is not idempotent");
        let out = f1.transform(x).unwrap();
        assert_eq!(out.n_rows, x.n_rows, "{json}");
        let before = state(&f1);
        let again = f1.transform(x).unwrap();
        assert_eq!(state(&f1), before, "{json}: transform changed the fitted state");
        assert!(same(&out, &again), "{json}: transform not deterministic");
        for i in [0usize, 7, x.n_rows - 1] {
            let one = f1.transform(&x.select_rows(&[i])).unwrap();
            assert!(same(&one, &out.select_rows(&[i])), "{json}: row {i} alone differs from the batch");
        }
        let saved = serde_json::to_string(&f1).unwrap();
        let loaded: FittedStep = serde_json::from_str(&saved).unwrap_or_else(|e| panic!("{json}: reload failed: {e}\n{saved}"));
        loaded.validate().unwrap();
        // serde_json's `float_roundtrip` makes save -> load bit-identical.
        let reloaded = loaded.transform(x).unwrap();
        assert_eq!(reloaded.names(), out.names(), "{json}");
        assert_mat(&format!("{json} save/load"), &rows(&reloaded), &rows(&out), 0.0, 0.0);
        let empty = x.select_rows(&[]);
        assert!(spec.fit_transform(&empty, None, &ctx).is_err(), "{json}: fit on 0 rows must fail");
        let wrong = Frame::new(x.cols[..1].to_vec(), x.n_rows);
        assert!(f1.transform(&wrong).is_err(), "{json}: wrong columns must fail");
    }
}
