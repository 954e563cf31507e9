//! The invariant suite, in the style of scikit-learn's estimator checks: ONE
//! table-driven test over every registered step (`StepSpec::all_defaults()`)
//! and one over every registered model (`ModelSpec::all_defaults()`), so a
//! component added to the registry is checked automatically.
//!
//! Steps get wine's 13 numeric features and its class target (supervised steps
//! use it, the others ignore it); [`step_input`] lists the few steps that need
//! other input. Models get standardized wine + classes (classification),
//! diabetes + values (regression) or standardized wine alone (clustering),
//! chosen by `ModelSpec::task()`.
//!
//! Every call into a component runs under `catch_unwind`: a panic is a failure,
//! whatever the input. All failures are collected and reported together.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ndarray::{s, Array2};
use pipelab::data::{read_csv, CatData, ReadOptions, Table};
use pipelab::estimator::{FitContext, Output, StepParams, Target, Task};
use pipelab::frame::{FCol, FData, Frame};
use pipelab::pipeline::{encode_classes, FittedModelEnum, FittedStep, ModelSpec, StepSpec};
use pipelab::preprocess::scaler::StandardScalerParams;
use pipelab::Result;

fn load(name: &str) -> Table {
    let bytes = std::fs::read(format!("www/datasets/{name}.csv")).unwrap();
    read_csv(&bytes, &ReadOptions::default()).unwrap().0
}

fn features(t: &Table, target: &str) -> Frame {
    let cols: Vec<usize> = (0..t.n_cols()).filter(|&j| t.columns[j].name != target).collect();
    Frame::from_table(t, &cols)
}

/// Wine's 13 numeric features and its 3-class target.
fn wine() -> (Frame, Target) {
    let t = load("wine");
    let c = t.column("class").unwrap();
    let (labels, y) = encode_classes(&c.name, &c.data).unwrap();
    (features(&t, "class"), Target::Classes { y, n_classes: labels.len() })
}

/// The input a step is checked on. Keep this table short: only steps that
/// cannot take wine's numeric features (or need something to act on) appear.
fn step_input(name: &str, wine: &Frame) -> Frame {
    match name {
        // Encoders: two text columns (3 and 2 levels, one with a missing cell) and a numeric column of codes.
        "OneHotEncoder" | "OrdinalEncoder" | "TargetEncoder" => {
            let n = wine.n_rows;
            let alc = num(wine, 0);
            let colour: Vec<Option<&str>> = (0..n).map(|i| Some(["red", "green", "blue"][i % 3])).collect();
            let strong: Vec<Option<&str>> = (0..n)
                .map(|i| {
                    if i == 5 {
                        None
                    } else if alc[i] > 13.0 {
                        Some("yes")
                    } else {
                        Some("no")
                    }
                })
                .collect();
            let code: Vec<f64> = (0..n).map(|i| (i % 4) as f64).collect();
            Frame::new(
                vec![
                    FCol { name: "colour".into(), data: FData::Cat(CatData::from_options(&colour)) },
                    FCol { name: "strong".into(), data: FData::Cat(CatData::from_options(&strong)) },
                    FCol::num("code", code),
                ],
                n,
            )
        }
        // Imputers: the same features with some missing cells, so they have work to do.
        "SimpleImputer" | "KNNImputer" => {
            let mut x = wine.clone();
            for (j, c) in x.cols.iter_mut().enumerate() {
                if let FData::Num(v) = &mut c.data {
                    let v = v.make_mut();
                    for i in (j..v.len()).step_by(17) {
                        v[i] = f64::NAN;
                    }
                }
            }
            x
        }
        _ => wine.clone(),
    }
}

/// Steps whose default parameters must refuse a category unseen at fit.
const UNSEEN_CATEGORY_IS_ERROR: &[&str] = &["OneHotEncoder", "OrdinalEncoder"];

/// Steps whose `fit_transform` is cross-fitted, as scikit-learn's TargetEncoder: the
/// training rows' output differs from `fit().transform()` by design; names and shape must agree.
const CROSS_FITTED: &[&str] = &["TargetEncoder"];

fn num(f: &Frame, j: usize) -> &[f64] {
    match &f.cols[j].data {
        FData::Num(v) => v,
        FData::Cat(_) => panic!("test input: numeric column expected"),
    }
}

/// Runs `f`, turning a panic into an error message.
fn guard<T>(what: &str, f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|e| {
        let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
        format!("{what} PANICKED: {msg}")
    })
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

/// Same names, rows and cells (numbers within `tol`, relative).
fn same_frame(a: &Frame, b: &Frame, tol: f64) -> std::result::Result<(), String> {
    if a.names() != b.names() || a.n_rows != b.n_rows {
        return Err(format!("shapes/names differ: {:?} ({} rows) vs {:?} ({} rows)", a.names(), a.n_rows, b.names(), b.n_rows));
    }
    for (ca, cb) in a.cols.iter().zip(&b.cols) {
        match (&ca.data, &cb.data) {
            (FData::Num(u), FData::Num(v)) => {
                if let Some(i) = (0..u.len()).find(|&i| !close(u[i], v[i], tol)) {
                    return Err(format!("column '{}' row {i}: {} vs {}", ca.name, u[i], v[i]));
                }
            }
            (FData::Cat(u), FData::Cat(v)) => {
                if let Some(i) = (0..u.len()).find(|&i| u.get(i) != v.get(i)) {
                    return Err(format!("column '{}' row {i}: {:?} vs {:?}", ca.name, u.get(i), v.get(i)));
                }
            }
            _ => return Err(format!("column '{}' changes kind", ca.name)),
        }
    }
    Ok(())
}

/// Tolerance of the save → load checks: none. serde_json's `float_roundtrip` feature
/// (Cargo.toml) parses every written f64 back to the same bits, so a reloaded step or
/// model must give bit-identical output.
fn save_load_tol() -> f64 {
    0.0
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serializable")
}

/// A permutation of 0..n (37 is coprime with the dataset sizes used).
fn permutation(n: usize) -> Vec<usize> {
    let step = if n % 37 == 0 { 41 } else { 37 };
    (0..n).map(|i| (i * step + 5) % n).collect()
}

fn with_cell(x: &Frame, value: f64) -> Option<Frame> {
    let mut x = x.clone();
    let c = x.cols.iter_mut().find(|c| matches!(c.data, FData::Num(_)))?;
    if let FData::Num(v) = &mut c.data {
        v.make_mut()[0] = value;
    }
    Some(x)
}

fn check_step(spec: &StepSpec, x: &Frame, y: &Target) -> Vec<String> {
    let name = spec.name();
    let mut fails = Vec::new();
    let mut fail = |m: String| fails.push(format!("{name}: {m}"));
    let fit = |x: &Frame, y: &Target| -> Result<(FittedStep, Frame, Option<Vec<usize>>)> { spec.fit_transform(x, Some(y), &FitContext::new(0)) };
    let params_before = to_json(spec);

    let (fitted, out, keep) = match guard("fit", || fit(x, y)) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            fail(format!("default fit on its input failed: {e}"));
            return fails;
        }
        Err(p) => {
            fail(p);
            return fails;
        }
    };
    if fitted.name() != name {
        fail(format!("fitted step is named {}", fitted.name()));
    }
    // Output names are unique (get_feature_names_out).
    let mut names = out.names();
    names.sort();
    if names.windows(2).any(|w| w[0] == w[1]) {
        fail(format!("duplicate output names: {:?}", out.names()));
    }
    // Fit is idempotent (and deterministic).
    match guard("refit", || fit(x, y)) {
        Ok(Ok((f2, out2, _))) => {
            if to_json(&f2) != to_json(&fitted) {
                fail("fitting twice gives different fitted states".into());
            }
            if let Err(e) = same_frame(&out, &out2, 0.0) {
                fail(format!("fitting twice gives different outputs: {e}"));
            }
        }
        Ok(Err(e)) => fail(format!("second fit failed: {e}")),
        Err(p) => fail(p),
    }
    // Fit does not change the parameters.
    if to_json(spec) != params_before {
        fail("fit changed the parameters".into());
    }
    // fit_transform == fit().transform() (on the rows kept, for row-dropping steps).
    let rows_in: Vec<usize> = keep.clone().unwrap_or_else(|| (0..x.n_rows).collect());
    let x_kept = x.select_rows(&rows_in);
    let state = to_json(&fitted);
    let batch = match guard("transform", || fitted.transform(&x_kept)) {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            fail(format!("transform of the training rows failed: {e}"));
            return fails;
        }
        Err(p) => {
            fail(p);
            return fails;
        }
    };
    if CROSS_FITTED.contains(&name) {
        if out.names() != batch.names() || out.n_rows != batch.n_rows {
            fail(format!("cross-fitted fit_transform has columns {:?} but fit().transform() {:?}", out.names(), batch.names()));
        }
        if spec.fit_transform_is_transform() {
            fail("is cross-fitted but says fit_transform is transform (cross-validation would score its training rows wrongly)".into());
        }
    } else if let Err(e) = same_frame(&out, &batch, 1e-12) {
        fail(format!("fit_transform differs from fit().transform(): {e}"));
    }
    // A step that says so gives the same bits and rows: cross-validation scores the training
    // rows from the fit's own frame (`pipeline::fit_keeping`).
    if spec.fit_transform_is_transform() {
        if keep.is_some() {
            fail("drops rows but says fit_transform is transform".into());
        } else if let Err(e) = same_frame(&out, &batch, 0.0) {
            fail(format!("says fit_transform is transform, but not bit for bit: {e}"));
        }
    }
    // Transform does not change the fitted state.
    if to_json(&fitted) != state {
        fail("transform changed the fitted state".into());
    }
    // Row by row and shuffled rows give the batch's rows.
    for i in 0..x_kept.n_rows {
        match guard("row transform", || fitted.transform(&x_kept.select_rows(&[i]))) {
            Ok(Ok(r)) => {
                if let Err(e) = same_frame(&r, &batch.select_rows(&[i]), 1e-12) {
                    fail(format!("row {i} alone differs from the batch: {e}"));
                    break;
                }
            }
            Ok(Err(e)) => {
                fail(format!("transform of row {i} alone failed: {e}"));
                break;
            }
            Err(p) => {
                fail(p);
                break;
            }
        }
    }
    let perm = permutation(x_kept.n_rows);
    match guard("shuffled transform", || fitted.transform(&x_kept.select_rows(&perm))) {
        Ok(Ok(r)) => {
            if let Err(e) = same_frame(&r, &batch.select_rows(&perm), 1e-12) {
                fail(format!("shuffled rows differ from the batch: {e}"));
            }
        }
        Ok(Err(e)) => fail(format!("transform of shuffled rows failed: {e}")),
        Err(p) => fail(p),
    }
    // Save → load → identical output.
    match serde_json::from_str::<FittedStep>(&to_json(&fitted)) {
        Ok(loaded) => {
            if let Err(e) = loaded.validate() {
                fail(format!("reloaded step does not validate: {e}"));
            }
            match guard("transform after load", || loaded.transform(&x_kept)) {
                Ok(Ok(r)) => {
                    if let Err(e) = same_frame(&r, &batch, save_load_tol()) {
                        fail(format!("output after save/load differs: {e}"));
                    }
                }
                Ok(Err(e)) => fail(format!("transform after load failed: {e}")),
                Err(p) => fail(p),
            }
        }
        Err(e) => fail(format!("fitted step does not reload from JSON: {e}")),
    }
    // Empty input: an error, not a panic.
    match guard("empty fit", || fit(&x.select_rows(&[]), &y.select(&[]))) {
        Ok(Ok(_)) => fail("fit on 0 rows succeeded; it must be an error".into()),
        Ok(Err(e)) => {
            if e.to_string().is_empty() {
                fail("empty-input error has no message".into());
            }
        }
        Err(p) => fail(p),
    }
    // One sample: either works or errs clearly; never panics.
    let one = x.select_rows(&[0]);
    match guard("one-sample fit", || fit(&one, &y.select(&[0]))) {
        Ok(Ok((f, _, _))) => {
            if let Err(p) = guard("one-sample transform", || f.transform(&one)) {
                fail(p);
            }
        }
        Ok(Err(_)) => {}
        Err(p) => fail(p),
    }
    // NaN and inf, at fit and at transform: an error or a result, never a panic.
    for (label, v) in [("NaN", f64::NAN), ("inf", f64::INFINITY), ("-inf", f64::NEG_INFINITY)] {
        if let Some(bad) = with_cell(x, v) {
            match guard(&format!("fit with {label}"), || fit(&bad, y)) {
                Ok(Ok((f, _, _))) => {
                    if let Err(p) = guard(&format!("transform with {label} after fit"), || f.transform(&bad)) {
                        fail(p);
                    }
                }
                Ok(Err(_)) => {}
                Err(p) => fail(p),
            }
            if let Err(p) = guard(&format!("transform with {label}"), || fitted.transform(&bad)) {
                fail(p);
            }
        }
    }
    // Wrong number, names or order of columns at transform: an error.
    let mut fewer = x.clone();
    fewer.cols.pop();
    let mut more = x.clone();
    more.cols.push(FCol::num("extra", vec![0.0; x.n_rows]));
    let mut renamed = x.clone();
    renamed.cols[0].name.push_str("_renamed");
    let mut swapped = x.clone();
    if swapped.cols.len() > 1 {
        swapped.cols.swap(0, 1);
    }
    for (label, bad) in [("one column fewer", &fewer), ("one column more", &more), ("a renamed column", &renamed), ("two columns swapped", &swapped)] {
        if label == "two columns swapped" && x.cols.len() < 2 {
            continue;
        }
        match guard(label, || fitted.transform(bad)) {
            Ok(Ok(_)) => fail(format!("transform accepted {label}; it must be an error")),
            Ok(Err(_)) => {}
            Err(p) => fail(p),
        }
    }
    // A category unseen at fit.
    if let Some(j) = x.cols.iter().position(|c| matches!(c.data, FData::Cat(_))) {
        let mut unseen = x.clone();
        if let FData::Cat(c) = &mut unseen.cols[j].data {
            c.levels.push("never-seen".into());
            c.codes[0] = (c.levels.len() - 1) as u32;
        }
        match guard("unseen category", || fitted.transform(&unseen)) {
            Ok(Ok(_)) if UNSEEN_CATEGORY_IS_ERROR.contains(&name) => fail("an unseen category was accepted with default handle_unknown".into()),
            Ok(_) => {}
            Err(p) => fail(p),
        }
    }
    fails
}

#[test]
fn every_step_satisfies_the_invariants() {
    let (x, y) = wine();
    let mut fails = Vec::new();
    let specs = StepSpec::all_defaults();
    assert!(specs.len() >= 4, "the registry lists steps");
    // The page's forms: every schema entry is a real parameter of the step.
    for info in StepSpec::catalog() {
        let spec = specs.iter().find(|s| s.name() == info.name).expect("catalog and defaults list the same steps");
        let v = serde_json::to_value(spec).unwrap();
        let params = &v[info.name];
        for p in &info.params {
            if params.get(p.name).is_none() {
                fails.push(format!("{}: schema lists '{}' which is not a parameter", info.name, p.name));
            }
        }
    }
    for spec in &specs {
        let input = step_input(spec.name(), &x);
        fails.extend(check_step(spec, &input, &y));
        eprintln!("checked step {}", spec.name());
    }
    assert!(fails.is_empty(), "{} invariant failure(s):\n{}", fails.len(), fails.join("\n"));
}

// ------------------------------------------------------------------ models

fn model_data(task: Task) -> (Array2<f64>, Option<Target>) {
    match task {
        Task::Regression => {
            let t = load("diabetes");
            let y = match &t.column("target").unwrap().data {
                pipelab::data::ColumnData::Numeric(v) => v.to_vec(),
                _ => panic!("diabetes target is numeric"),
            };
            (features(&t, "target").to_matrix().unwrap(), Some(Target::Values(y)))
        }
        Task::Classification | Task::Clustering => {
            let (x, y) = wine();
            let xs = StandardScalerParams::default().fit_transform(&x, None, &FitContext::default()).unwrap().1;
            (xs.to_matrix().unwrap(), (task == Task::Classification).then_some(y))
        }
    }
}

fn same_output(a: &Output, b: &Output, tol: f64) -> std::result::Result<(), String> {
    match (a, b) {
        (Output::Values(u), Output::Values(v)) => match (0..u.len()).find(|&i| !close(u[i], v[i], tol)) {
            Some(i) if u.len() == v.len() => Err(format!("row {i}: {} vs {}", u[i], v[i])),
            _ if u.len() != v.len() => Err("lengths differ".into()),
            _ => Ok(()),
        },
        (Output::Classes { labels: la, proba: pa }, Output::Classes { labels: lb, proba: pb }) => {
            if la != lb {
                return Err(format!("labels differ: first at row {:?}", la.iter().zip(lb).position(|(a, b)| a != b)));
            }
            match (pa, pb) {
                (Some(p), Some(q)) if p.dim() == q.dim() => match p.iter().zip(q.iter()).position(|(a, b)| !close(*a, *b, tol)) {
                    Some(k) => Err(format!("probabilities differ at flat index {k}")),
                    None => Ok(()),
                },
                (None, None) => Ok(()),
                _ => Err("probability shapes differ".into()),
            }
        }
        (Output::Clusters(u), Output::Clusters(v)) if u == v => Ok(()),
        _ => Err("outputs differ".into()),
    }
}

fn rows_of(out: &Output, rows: &[usize]) -> Output {
    match out {
        Output::Values(v) => Output::Values(rows.iter().map(|&i| v[i]).collect()),
        Output::Classes { labels, proba } => {
            Output::Classes { labels: rows.iter().map(|&i| labels[i]).collect(), proba: proba.as_ref().map(|p| p.select(ndarray::Axis(0), rows)) }
        }
        Output::Clusters(c) => Output::Clusters(rows.iter().map(|&i| c[i]).collect()),
    }
}

fn check_model(spec: &ModelSpec) -> Vec<String> {
    let name = spec.name();
    let mut fails = Vec::new();
    let mut fail = |m: String| fails.push(format!("{name}: {m}"));
    let (x, y) = model_data(spec.task());
    let fit = |x: &Array2<f64>, y: Option<&Target>| -> Result<FittedModelEnum> { spec.fit(x, y, &FitContext::new(0)) };
    let params_before = to_json(spec);
    let model = match guard("fit", || fit(&x, y.as_ref())) {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => {
            fail(format!("default fit failed: {e}"));
            return fails;
        }
        Err(p) => {
            fail(p);
            return fails;
        }
    };
    if model.n_features() != x.ncols() {
        fail(format!("n_features() is {} for {} columns", model.n_features(), x.ncols()));
    }
    if to_json(spec) != params_before {
        fail("fit changed the parameters".into());
    }
    match guard("refit", || fit(&x, y.as_ref())) {
        Ok(Ok(m2)) if to_json(&m2) == to_json(&model) => {}
        Ok(Ok(_)) => fail("fitting twice gives different models".into()),
        Ok(Err(e)) => fail(format!("second fit failed: {e}")),
        Err(p) => fail(p),
    }
    let state = to_json(&model);
    let pred = match guard("predict", || model.predict(&x)) {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            fail(format!("predict failed: {e}"));
            return fails;
        }
        Err(p) => {
            fail(p);
            return fails;
        }
    };
    if to_json(&model) != state {
        fail("predict changed the model".into());
    }
    let n = x.nrows();
    match (&pred, spec.task()) {
        (Output::Values(v), Task::Regression) if v.len() == n => {}
        (Output::Classes { labels, proba }, Task::Classification) if labels.len() == n => {
            if let Some(p) = proba {
                for i in 0..n {
                    let row = p.row(i);
                    let sum: f64 = row.sum();
                    if (sum - 1.0).abs() > 1e-9 || row.iter().any(|v| !(0.0..=1.0).contains(v)) {
                        fail(format!("probabilities of row {i} are not a distribution (sum {sum})"));
                        break;
                    }
                    let max = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                    if row[labels[i]] < max - 1e-12 {
                        fail(format!("row {i}: predicted label is not the most probable class"));
                        break;
                    }
                }
            }
        }
        (Output::Clusters(c), Task::Clustering) if c.len() == n => {}
        _ => fail(format!("predict returned the wrong kind or length of output for a {:?} model", spec.task())),
    }
    // Row by row and shuffled rows.
    for i in 0..n {
        match guard("row predict", || model.predict(&x.slice(s![i..i + 1, ..]).to_owned())) {
            Ok(Ok(r)) => {
                if let Err(e) = same_output(&r, &rows_of(&pred, &[i]), 1e-9) {
                    fail(format!("row {i} alone differs from the batch: {e}"));
                    break;
                }
            }
            Ok(Err(e)) => {
                fail(format!("predict of row {i} alone failed: {e}"));
                break;
            }
            Err(p) => {
                fail(p);
                break;
            }
        }
    }
    let perm = permutation(n);
    match guard("shuffled predict", || model.predict(&x.select(ndarray::Axis(0), &perm))) {
        Ok(Ok(r)) => {
            if let Err(e) = same_output(&r, &rows_of(&pred, &perm), 1e-9) {
                fail(format!("shuffled rows differ from the batch: {e}"));
            }
        }
        Ok(Err(e)) => fail(format!("predict of shuffled rows failed: {e}")),
        Err(p) => fail(p),
    }
    // Save → load → identical predictions.
    match serde_json::from_str::<FittedModelEnum>(&state) {
        Ok(loaded) => {
            if let Err(e) = loaded.validate() {
                fail(format!("reloaded model does not validate: {e}"));
            }
            match guard("predict after load", || loaded.predict(&x)) {
                Ok(Ok(r)) => {
                    if let Err(e) = same_output(&r, &pred, save_load_tol()) {
                        fail(format!("predictions after save/load differ: {e}"));
                    }
                }
                Ok(Err(e)) => fail(format!("predict after load failed: {e}")),
                Err(p) => fail(p),
            }
        }
        Err(e) => fail(format!("fitted model does not reload from JSON: {e}")),
    }
    // Empty input: an error.
    let empty = x.slice(s![0..0, ..]).to_owned();
    let y_empty = y.as_ref().map(|t| t.select(&[]));
    match guard("empty fit", || fit(&empty, y_empty.as_ref())) {
        Ok(Ok(_)) => fail("fit on 0 rows succeeded; it must be an error".into()),
        Ok(Err(_)) => {}
        Err(p) => fail(p),
    }
    // One sample: works or errs, never panics.
    let one = x.slice(s![0..1, ..]).to_owned();
    let y_one = y.as_ref().map(|t| t.select(&[0]));
    match guard("one-sample fit", || fit(&one, y_one.as_ref())) {
        Ok(Ok(m)) => {
            if let Err(p) = guard("one-sample predict", || m.predict(&one)) {
                fail(p);
            }
        }
        Ok(Err(_)) => {}
        Err(p) => fail(p),
    }
    // NaN / inf in the training matrix: never a panic.
    for v in [f64::NAN, f64::INFINITY] {
        let mut bad = x.clone();
        bad[[0, 0]] = v;
        if let Err(p) = guard("fit with non-finite", || fit(&bad, y.as_ref())) {
            fail(p);
        }
    }
    // Wrong width at predict: an error.
    let narrow = x.slice(s![.., ..x.ncols() - 1]).to_owned();
    let wide = ndarray::concatenate(ndarray::Axis(1), &[x.view(), x.slice(s![.., ..1])]).unwrap();
    for (label, bad) in [("one column fewer", &narrow), ("one column more", &wide)] {
        match guard(label, || model.predict(bad)) {
            Ok(Ok(_)) => fail(format!("predict accepted {label}; it must be an error")),
            Ok(Err(_)) => {}
            Err(p) => fail(p),
        }
    }
    fails
}

#[test]
fn every_model_satisfies_the_invariants() {
    let mut fails = Vec::new();
    let specs = ModelSpec::all_defaults();
    assert!(!specs.is_empty());
    for info in ModelSpec::catalog() {
        let spec = specs.iter().find(|s| s.name() == info.name).expect("catalog and defaults list the same models");
        let v = serde_json::to_value(spec).unwrap();
        for p in &info.params {
            if v[info.name].get(p.name).is_none() {
                fails.push(format!("{}: schema lists '{}' which is not a parameter", info.name, p.name));
            }
        }
    }
    for spec in &specs {
        fails.extend(check_model(spec));
        eprintln!("checked model {}", spec.name());
    }
    assert!(fails.is_empty(), "{} invariant failure(s):\n{}", fails.len(), fails.join("\n"));
}

/// A small two-feature table whose target column `y` holds `labels` in turn
/// (the first feature separates them, so every classifier can learn them).
fn labelled_table(labels: &[&str]) -> Table {
    let mut csv = String::from("a,b,y\n");
    for i in 0..60 {
        let k = i % labels.len();
        csv.push_str(&format!("{},{},{}\n", k as f64 * 3.0 + (i as f64 * 0.37).sin(), (i as f64 * 0.91).cos(), labels[k]));
    }
    read_csv(csv.as_bytes(), &ReadOptions::default()).expect("generated CSV parses").0
}

/// Predictor checks at the pipeline level, for every registered classifier:
/// labels written as text, integers or booleans come back exactly as written,
/// and a classifier trained on a single label still answers (that label, with
/// probability 1) instead of failing.
#[test]
fn every_classifier_returns_labels_as_given_and_answers_with_one_label() {
    use pipelab::pipeline::{fit_all, PipelineSpec};
    let mut fails = Vec::new();
    let cases: [&[&str]; 4] = [&["yes", "no"], &["3", "7", "11"], &["true", "false"], &["only"]];
    for spec in ModelSpec::all_defaults().iter().filter(|s| s.task() == Task::Classification) {
        let name = spec.name();
        for labels in cases {
            let table = labelled_table(labels);
            let json = format!(r#"{{"target": "y", "model": {}}}"#, to_json(spec));
            let pspec = PipelineSpec::from_json(&json).expect("spec from the registry parses");
            let outcome = guard("pipeline fit/predict", || -> Result<_> {
                let fitted = fit_all(&table, &pspec)?;
                fitted.predict(&table)
            });
            let pred = match outcome {
                Ok(Ok(p)) => p,
                Ok(Err(e)) => {
                    fails.push(format!("{name} with labels {labels:?}: {e}"));
                    continue;
                }
                Err(p) => {
                    fails.push(format!("{name} with labels {labels:?}: {p}"));
                    continue;
                }
            };
            let got = pred.labels();
            let wrong = got.iter().filter(|l| !labels.contains(&l.as_str())).count();
            if wrong > 0 {
                fails.push(format!("{name} with labels {labels:?}: {wrong} predictions are not one of the given labels (e.g. {:?})", got[0]));
            }
            let mut classes = pred.classes.clone();
            classes.sort();
            let mut want: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
            want.sort();
            if classes != want {
                fails.push(format!("{name} with labels {labels:?}: classes come back as {:?}", pred.classes));
            }
            if labels.len() == 1 {
                if let Output::Classes { proba: Some(p), .. } = &pred.output {
                    if p.iter().any(|&v| v != 1.0) {
                        fails.push(format!("{name} with one label: probabilities are not all 1"));
                    }
                }
            } else {
                let acc = got.iter().enumerate().filter(|(i, l)| l.as_str() == labels[i % labels.len()]).count() as f64 / got.len() as f64;
                if acc < 0.9 {
                    fails.push(format!("{name} with labels {labels:?}: training accuracy {acc} on separable data"));
                }
            }
        }
    }
    assert!(fails.is_empty(), "{} failure(s):\n{}", fails.len(), fails.join("\n"));
}
