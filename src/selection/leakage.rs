//! Leakage, shown rather than told.
//!
//! [`compare`] cross-validates one spec twice: the right way (every step
//! fitted inside each training fold, [`super::cv::cross_validate`]) and the
//! wrong way (the preprocessing and the steps fitted once on ALL the rows,
//! then only the model cross-validated on the transformed table — what
//! `X_t = pipe[:-1].fit_transform(X, y); cross_val_score(model, X_t, y)` does
//! in scikit-learn). [`demo_table`] / [`demo_spec`] make the classic case
//! (random features, random labels, SelectKBest before the split) from a seed.
//!
//! [`leak_warnings`] names a feature that predicts the target almost
//! perfectly on its own (|Pearson r| > 0.98 for a numeric target, or a
//! single-feature depth-limited tree with training accuracy ≥ 0.99 for
//! classes): cross-validation adds them to its warnings.

use std::collections::BTreeMap;

use ndarray::{Array2, Axis};
use rand::{Rng, SeedableRng};
use serde::Serialize;

use super::cv::{cross_validate, fold_plan, CvHooks, FoldPlan};
use crate::data::{Column, ColumnData, Table};
use crate::estimator::{FitContext, FittedModel, ModelParams, Output, Target, Task};
use crate::metrics::{self, MetricSummary, Scored};
use crate::pipeline::{fit_transformers, PipelineSpec, Prepared, StepTrace};
use crate::{Error, Result};

/// A stage of the pipeline as the per-fold diagram draws it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// The step's (or model's) class name.
    pub name: String,
    /// Where it sits: a ColumnTransformer branch name, `"steps"`, or `"model"`.
    pub place: String,
    pub index: usize,
    /// Whether the wrong way fitted it on every row, the test rows of each fold included.
    pub wrong_way_saw_test_rows: bool,
}

/// One fold: how many rows trained and tested, and which rows were tested.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeakFold {
    pub n_train: usize,
    pub n_test: usize,
    /// Positions (0-based, into the usable rows in table order) of this fold's test rows.
    pub test_rows: Vec<usize>,
}

/// The two cross-validations of one spec side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeakageReport {
    /// The first scoring metric (the one the page puts side by side).
    pub metric: String,
    pub greater_is_better: bool,
    /// Every step fitted inside each training fold (as pipelab always does).
    pub right: BTreeMap<String, MetricSummary>,
    /// Steps fitted once on every row, then the model cross-validated on the result.
    pub wrong: BTreeMap<String, MetricSummary>,
    /// Usable rows (with a target) that were cross-validated.
    pub n_rows: usize,
    pub task: Task,
    pub cv: String,
    /// Classification: the share of the most frequent class (what always guessing it scores in accuracy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub majority_share: Option<f64>,
    pub stages: Vec<Stage>,
    pub folds: Vec<LeakFold>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Cross-validates `spec` the right way and the wrong way (see the module doc).
/// `hooks.progress` sees 2 × the number of folds in all.
pub fn compare(table: &Table, spec: &PipelineSpec, hooks: CvHooks) -> Result<LeakageReport> {
    let CvHooks { threads, now_ms, progress, stop } = hooks;
    let right = {
        let mut inner = |d: usize, t: usize| progress(d, 2 * t);
        cross_validate(table, spec, CvHooks { threads, now_ms, progress: &mut inner, stop })?
    };
    let FoldPlan { prep, splits, cv, .. } = fold_plan(table, spec, "the leakage lab needs a supervised model: clustering has no test score")?;
    let scoring = if spec.scoring.is_empty() { metrics::default_scoring(prep.task) } else { spec.scoring.clone() };
    let metric = scoring.first().cloned().ok_or_else(|| Error::spec("scoring", "name at least one metric"))?;

    // The wrong way: preprocessing and steps fitted on every usable row, once.
    let ctx = FitContext::new(spec.seed());
    let mut trace: Vec<StepTrace> = Vec::new();
    let tr =
        fit_transformers(table, spec, &prep, &prep.rows, &ctx, Some(&mut trace), false).map_err(|e| wrong_way_error(e, "fitting the steps on every row"))?;
    let y = tr.y.as_ref().ok_or_else(|| Error::data("a target is required"))?;
    let x = tr.frame.to_matrix_with(spec.model.accepts_missing())?;
    // Table row → row of the transformed frame (a row-removing step may have dropped some).
    let mut at = vec![usize::MAX; table.n_rows];
    for (i, &r) in tr.rows.iter().enumerate() {
        at[r] = i;
    }
    let mut warnings: Vec<String> = ctx.take_warnings().into_iter().map(|w| format!("wrong way: {w}")).collect();
    let dropped = prep.rows.len() - tr.rows.len();
    if dropped > 0 {
        warnings.push(format!("wrong way: the steps fitted on every row removed {dropped} row(s); those rows are neither trained on nor scored"));
    }
    let mut wrong_scores: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut folds = Vec::with_capacity(splits.len());
    let total = splits.len();
    for (f, split) in splits.iter().enumerate() {
        let train: Vec<usize> = split.train.iter().map(|&i| at[prep.rows[i]]).filter(|&i| i != usize::MAX).collect();
        let test: Vec<usize> = split.test.iter().map(|&i| at[prep.rows[i]]).filter(|&i| i != usize::MAX).collect();
        let mut test_rows = split.test.clone();
        crate::sorting::sort_usize(&mut test_rows);
        folds.push(LeakFold { n_train: split.train.len(), n_test: split.test.len(), test_rows });
        let fold_ctx = FitContext::new(spec.seed());
        let y_train = y.select(&train);
        let y_test = y.select(&test);
        let x_train = x.select(Axis(0), &train);
        let x_test = x.select(Axis(0), &test);
        let pred = match &y_train {
            Target::Classes { y: codes, n_classes } if !codes.is_empty() && codes.iter().all(|&c| c == codes[0]) => {
                let mut proba = Array2::zeros((test.len(), *n_classes));
                proba.column_mut(codes[0]).fill(1.0);
                Output::Classes { labels: vec![codes[0]; test.len()], proba: Some(proba) }
            }
            _ => {
                let m = spec.model.fit(&x_train, Some(&y_train), &fold_ctx).map_err(|e| wrong_way_error(e, &format!("fold {}", f + 1)))?;
                m.predict(&x_test)?
            }
        };
        for w in fold_ctx.take_warnings() {
            let w = format!("wrong way: {w}");
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        let s = scored(&pred, &y_test)?;
        for m in &scoring {
            wrong_scores.entry(m.clone()).or_default().push(metrics::score(m, &s)?.0);
        }
        if !progress(total + f + 1, 2 * total) {
            return Err(Error::Cancelled);
        }
    }
    let mut stages: Vec<Stage> = trace
        .iter()
        .map(|t| Stage { name: t.name.to_string(), place: t.branch.clone().unwrap_or_else(|| "steps".into()), index: t.index, wrong_way_saw_test_rows: true })
        .collect();
    stages.push(Stage { name: spec.model.name().to_string(), place: "model".into(), index: 0, wrong_way_saw_test_rows: false });
    let majority_share = match &prep.target {
        Some(Target::Classes { y, n_classes }) => {
            let mut counts = vec![0usize; *n_classes];
            for &r in &prep.rows {
                counts[y[r]] += 1;
            }
            counts.iter().max().map(|&m| m as f64 / prep.rows.len().max(1) as f64)
        }
        _ => None,
    };
    warnings.extend(right.warnings.iter().map(|w| format!("right way: {w}")));
    Ok(LeakageReport {
        greater_is_better: metrics::greater_is_better(&metric),
        metric,
        right: right.metrics,
        wrong: wrong_scores.into_iter().map(|(k, v)| (k, MetricSummary::from_folds(v))).collect(),
        n_rows: prep.rows.len(),
        task: prep.task,
        cv: cv.describe(prep.rows.len()),
        majority_share,
        stages,
        folds,
        warnings,
    })
}

fn wrong_way_error(e: Error, what: &str) -> Error {
    match e {
        Error::Data(m) => Error::Data(format!("wrong way, {what}: {m}")),
        other => other,
    }
}

fn scored<'a>(pred: &'a Output, y: &'a Target) -> Result<Scored<'a>> {
    match (pred, y) {
        (Output::Values(p), Target::Values(v)) => Ok(Scored::Values { y_true: v, y_pred: p }),
        (Output::Classes { labels, proba }, Target::Classes { y, n_classes }) => {
            Ok(Scored::Classes { y_true: y, y_pred: labels, proba: proba.as_ref(), n_classes: *n_classes })
        }
        _ => Err(Error::data("the model's output does not match the target type")),
    }
}

// ---------------------------------------------------------------- the classic demo

/// The demo's size: few rows, many pure-noise features.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoParams {
    pub n_rows: usize,
    pub n_features: usize,
    /// Features SelectKBest keeps.
    pub k: usize,
    pub seed: u64,
}

impl Default for DemoParams {
    fn default() -> Self {
        DemoParams { n_rows: 60, n_features: 2000, k: 20, seed: 0 }
    }
}

/// Most cells the demo generates (the page runs it in a browser tab).
pub const DEMO_MAX_CELLS: usize = 5_000_000;

/// Random data with no signal at all: `n_features` standard normal columns
/// `x0001…` and a `label` column of 0/1 drawn as an exactly balanced shuffle,
/// all from `seed` (ChaCha8, Box–Muller): the same table natively and in the browser.
pub fn demo_table(p: &DemoParams) -> Result<Table> {
    if p.n_rows < 10 || p.n_features < 1 {
        return Err(Error::spec("leakage demo", format!("needs at least 10 rows and 1 feature (got {} × {})", p.n_rows, p.n_features)));
    }
    if p.n_rows.saturating_mul(p.n_features) > DEMO_MAX_CELLS {
        return Err(Error::spec("leakage demo", format!("{} × {} cells is more than the {DEMO_MAX_CELLS} the demo makes", p.n_rows, p.n_features)));
    }
    if p.k < 1 || p.k > p.n_features {
        return Err(Error::spec("leakage demo.k", format!("must be between 1 and the number of features ({}), got {}", p.n_features, p.k)));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(p.seed);
    let width = p.n_features.to_string().len().max(4);
    let mut columns = Vec::with_capacity(p.n_features + 1);
    for j in 0..p.n_features {
        let mut v = Vec::with_capacity(p.n_rows + 1);
        while v.len() < p.n_rows {
            let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
            let u2: f64 = rng.random::<f64>();
            let r = (-2.0 * u1.ln()).sqrt();
            let t = std::f64::consts::TAU * u2;
            v.push(r * t.cos());
            v.push(r * t.sin());
        }
        v.truncate(p.n_rows);
        columns.push(Column { name: format!("x{:0width$}", j + 1), data: ColumnData::Numeric(v.into()) });
    }
    // Half the rows 1, half 0, shuffled (Fisher–Yates).
    let mut label: Vec<f64> = (0..p.n_rows).map(|i| (i < p.n_rows / 2) as u8 as f64).collect();
    for i in (1..label.len()).rev() {
        let j = rng.random_range(0..=i);
        label.swap(i, j);
    }
    columns.push(Column { name: "label".into(), data: ColumnData::Numeric(label.into()) });
    Table::new(columns)
}

/// The demo's pipeline: SelectKBest (ANOVA F) keeps the `k` features most
/// related to the label, then a logistic regression; stratified 5-fold CV, accuracy.
pub fn demo_spec(p: &DemoParams) -> Result<PipelineSpec> {
    let json = serde_json::json!({
        "target": "label",
        "steps": [{"SelectKBest": {"k": p.k}}],
        "model": {"LogisticRegression": {}},
        "cv": {"StratifiedKFold": {"n_splits": 5, "shuffle": true, "random_state": p.seed}},
        "scoring": ["accuracy"],
    });
    PipelineSpec::from_json(&json.to_string())
}

// ---------------------------------------------------------------- a feature that is the answer

/// |Pearson r| above which a numeric feature is called a probable leak (regression).
pub const LEAK_CORRELATION: f64 = 0.98;
/// Training accuracy of a single-feature depth-limited tree at or above which a feature is called a probable leak (classification).
pub const LEAK_TREE_ACCURACY: f64 = 0.99;
/// Fewer usable rows than this: no check (any feature fits a handful of rows).
pub const LEAK_MIN_ROWS: usize = 20;
/// The tree check runs on at most this many rows (evenly strided).
pub const LEAK_MAX_TREE_ROWS: usize = 20_000;

/// Warnings naming each feature column that predicts the target almost
/// perfectly on its own, measured on `prep.rows` (the rows cross-validation
/// trains and tests on; never a held-out test part).
pub fn leak_warnings(table: &Table, prep: &Prepared) -> Vec<String> {
    let (Some(target), Some(info)) = (&prep.target, &prep.target_info) else { return Vec::new() };
    if prep.rows.len() < LEAK_MIN_ROWS {
        return Vec::new();
    }
    let mut out = Vec::new();
    for &j in &prep.feature_cols {
        let col = &table.columns[j];
        let found = match target {
            Target::Values(y) => correlation_leak(&col.data, y, &prep.rows).map(|r| format!("|correlation| {r:.4}")),
            Target::Classes { y, n_classes } => tree_leak(&col.data, y, *n_classes, &prep.rows).map(|a| format!("a one-feature tree scores accuracy {a:.4}")),
        };
        if let Some(how) = found {
            out.push(format!(
                "column '{}' predicts the target '{}' almost perfectly on its own ({how} on the {} training rows): it is probably leaking the answer \
                 (a copy of the target, or a value known only after the outcome); drop it unless it will really be known when predicting",
                col.name,
                info.name,
                prep.rows.len()
            ));
        }
    }
    out
}

fn numeric(d: &ColumnData) -> Option<&[f64]> {
    match d {
        ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => Some(v),
        ColumnData::Categorical(_) => None,
    }
}

/// |r| when above [`LEAK_CORRELATION`] on the rows where the feature is present (at least half of them).
fn correlation_leak(d: &ColumnData, y: &[f64], rows: &[usize]) -> Option<f64> {
    let x = numeric(d)?;
    let pairs: Vec<(f64, f64)> = rows.iter().map(|&r| (x[r], y[r])).filter(|(a, _)| a.is_finite()).collect();
    if pairs.len() < LEAK_MIN_ROWS || 2 * pairs.len() < rows.len() {
        return None;
    }
    let n = pairs.len() as f64;
    let (mx, my) = pairs.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    let r = (sxy / (sxx.sqrt() * syy.sqrt())).abs();
    (r > LEAK_CORRELATION).then_some(r)
}

/// The training accuracy of a one-feature tree of depth ⌈log2 classes⌉ + 1 (at most 4 levels)
/// when at least [`LEAK_TREE_ACCURACY`]. A categorical feature counts as one leaf per level, and
/// only with at most as many levels as such a tree has leaves (an id-like column fits anything).
fn tree_leak(d: &ColumnData, y: &[usize], n_classes: usize, rows: &[usize]) -> Option<f64> {
    if n_classes < 2 {
        return None;
    }
    let depth = (usize::BITS - (n_classes - 1).leading_zeros()) as usize + 1;
    let depth = depth.min(4);
    let stride = rows.len().div_ceil(LEAK_MAX_TREE_ROWS).max(1);
    let sample: Vec<usize> = rows.iter().copied().step_by(stride).collect();
    let acc = match d {
        ColumnData::Categorical(c) => {
            if c.levels.len() > 1 << depth {
                return None;
            }
            let mut counts = vec![vec![0usize; n_classes]; c.levels.len() + 1];
            for &r in &sample {
                let k = c.codes[r];
                let k = if k == crate::data::MISSING_CODE { c.levels.len() } else { k as usize };
                counts[k][y[r]] += 1;
            }
            counts.iter().map(|c| c.iter().max().copied().unwrap_or(0)).sum::<usize>() as f64 / sample.len().max(1) as f64
        }
        _ => {
            let x = numeric(d)?;
            let present: Vec<usize> = sample.into_iter().filter(|&r| x[r].is_finite()).collect();
            if present.len() < LEAK_MIN_ROWS || 2 * present.len() < rows.len().min(LEAK_MAX_TREE_ROWS) {
                return None;
            }
            // No tree can reach the threshold: skip fitting it (the same answer, in one pass).
            if let Some(most) = interval_accuracy_bound(x, y, n_classes, &present, 1 << depth) {
                if most < LEAK_TREE_ACCURACY {
                    return None;
                }
            }
            one_feature_tree_accuracy(x, y, n_classes, &present, depth)?
        }
    };
    (acc >= LEAK_TREE_ACCURACY).then_some(acc)
}

/// The training accuracy of a one-feature tree of depth `depth` fitted on `present` (finite `x`).
fn one_feature_tree_accuracy(x: &[f64], y: &[usize], n_classes: usize, present: &[usize], depth: usize) -> Option<f64> {
    let xm = Array2::from_shape_fn((present.len(), 1), |(i, _)| x[present[i]]);
    let yt = Target::Classes { y: present.iter().map(|&r| y[r]).collect(), n_classes };
    let params = crate::models::tree::DecisionTreeClassifierParams { max_depth: Some(depth), random_state: Some(0), ..Default::default() };
    let fitted = params.fit(&xm, Some(&yt), &FitContext::new(0)).ok()?;
    let Ok(Output::Classes { labels, .. }) = fitted.predict(&xm) else { return None };
    let Target::Classes { y: yy, .. } = &yt else { return None };
    Some(labels.iter().zip(yy).filter(|(a, b)| a == b).count() as f64 / present.len() as f64)
}

/// Bins of [`interval_accuracy_bound`]: equal widths over the rows' range.
const LEAK_BOUND_BINS: usize = 1024;

/// An upper bound on the training accuracy of any classifier of one feature that
/// cuts its values into at most `leaves` intervals (a one-feature tree of depth d has
/// at most 2^d leaves, each an interval of `x`), or `None` when the range cannot be
/// binned. The values are put into equal-width bins, a bin index never decreasing
/// with the value: a bin that no cut falls in lies inside one interval and one label,
/// so it errs on at least the rows not of its most common class; at most
/// `leaves - 1` bins hold a cut, and those count as free. One pass over the rows, where
/// the tree sorts them at each node: the leak check fits its trees only on a feature
/// that passes this bound, which random features do not.
fn interval_accuracy_bound(x: &[f64], y: &[usize], n_classes: usize, rows: &[usize], leaves: usize) -> Option<f64> {
    let (lo, hi) = rows.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| (lo.min(x[r]), hi.max(x[r])));
    let scale = LEAK_BOUND_BINS as f64 / (hi - lo);
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    let mut counts = vec![0u32; LEAK_BOUND_BINS * n_classes];
    for &r in rows {
        // (x - lo) * scale does not decrease as x grows, nor does the cast; the last bin takes hi.
        let b = (((x[r] - lo) * scale) as usize).min(LEAK_BOUND_BINS - 1);
        counts[b * n_classes + y[r]] += 1;
    }
    let mut minority: Vec<u64> =
        counts.chunks_exact(n_classes).map(|c| c.iter().map(|&k| u64::from(k)).sum::<u64>() - u64::from(c.iter().copied().max().unwrap_or(0))).collect();
    // Ascending, by the `u64` sort the first module already has (a descending comparison
    // compiled a sort of its own, ≈ 4 KB of wasm): the `leaves - 1` largest are the last.
    minority.sort_unstable();
    let kept = minority.len().saturating_sub(leaves.saturating_sub(1));
    let errors: u64 = minority[..kept].iter().sum();
    let n = rows.len() as u64;
    Some((n - errors.min(n)) as f64 / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{read_csv, ReadOptions};

    fn hooks_run<T>(f: impl FnOnce(CvHooks) -> Result<T>) -> Result<T> {
        let now = || 0.0;
        f(CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None })
    }

    #[test]
    fn demo_table_is_seeded_and_balanced() {
        let p = DemoParams { n_rows: 30, n_features: 7, k: 3, seed: 5 };
        let a = demo_table(&p).unwrap();
        let b = demo_table(&p).unwrap();
        assert_eq!(a, b);
        assert_eq!((a.n_rows, a.n_cols()), (30, 8));
        let ColumnData::Numeric(l) = &a.columns[7].data else { panic!("label is numeric") };
        assert_eq!(l.iter().sum::<f64>(), 15.0);
        let c = demo_table(&DemoParams { seed: 6, ..p }).unwrap();
        assert_ne!(a, c);
        assert!(demo_table(&DemoParams { n_rows: 5, ..p }).is_err());
        assert!(demo_table(&DemoParams { k: 8, ..p }).is_err());
    }

    #[test]
    fn a_copied_target_is_named_and_an_honest_feature_is_not() {
        let mut csv = String::from("x,copy,noisy,y\n");
        for i in 0..40 {
            let y = (i * 7 % 13) as f64;
            csv.push_str(&format!("{},{},{},{}\n", (i * 31 % 17) as f64, y * 2.0 + 1.0, y + ((i * 5 % 11) as f64), y));
        }
        let t = read_csv(csv.as_bytes(), &ReadOptions::default()).unwrap().0;
        let spec = PipelineSpec::from_json(r#"{"target":"y","model":{"LinearRegression":{}}}"#).unwrap();
        let prep = crate::pipeline::prepare(&t, &spec).unwrap();
        let w = leak_warnings(&t, &prep);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("column 'copy'") && w[0].contains("leaking the answer"), "{w:?}");
        // Three classes: the copy separates them with two thresholds.
        let mut csv = String::from("x,copy,y\n");
        for i in 0..40 {
            let y = i * 7 % 3;
            csv.push_str(&format!("{},{},{y}\n", (i * 31 % 17) as f64, y * 2 + 1));
        }
        let t = read_csv(csv.as_bytes(), &ReadOptions::default()).unwrap().0;
        let spec = PipelineSpec::from_json(r#"{"target":"y","model":{"DecisionTreeClassifier":{}}}"#).unwrap();
        let prep = crate::pipeline::prepare(&t, &spec).unwrap();
        let w = leak_warnings(&t, &prep);
        assert!(w.iter().any(|m| m.contains("column 'copy'") && m.contains("one-feature tree")), "{w:?}");
        assert!(!w.iter().any(|m| m.contains("column 'x'")), "{w:?}");
    }

    #[test]
    fn the_interval_bound_is_never_below_the_trees_accuracy() {
        // Class-dependent values with a share of labels flipped, ties, an outlier or a
        // constant column: the bound is at least the fitted tree's training accuracy,
        // so skipping the tree below the threshold never changes the leak check's answer.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut near = 0;
        for n_classes in [2usize, 3, 5, 9] {
            let depth = ((usize::BITS - (n_classes - 1).leading_zeros()) as usize + 1).min(4);
            for flip in [0.0, 0.002, 0.006, 0.01, 0.015, 0.03, 0.2, 1.0] {
                for shape in 0..4 {
                    let n = 3_000;
                    let y: Vec<usize> = (0..n).map(|_| rng.random_range(0..n_classes)).collect();
                    let x: Vec<f64> = y
                        .iter()
                        .enumerate()
                        .map(|(i, &c)| {
                            let c = if rng.random::<f64>() < flip { rng.random_range(0..n_classes) } else { c };
                            let v = c as f64 * 10.0 + rng.random::<f64>() * 9.0;
                            match shape {
                                0 => v,
                                1 => v.round(),
                                2 if i == 7 => 1e12,
                                3 => 4.0,
                                _ => v,
                            }
                        })
                        .collect();
                    let rows: Vec<usize> = (0..n).collect();
                    let acc = one_feature_tree_accuracy(&x, &y, n_classes, &rows, depth).unwrap();
                    if let Some(bound) = interval_accuracy_bound(&x, &y, n_classes, &rows, 1 << depth) {
                        assert!(bound >= acc, "{n_classes} classes, flip {flip}, shape {shape}: bound {bound} < tree {acc}");
                        near += usize::from((acc - LEAK_TREE_ACCURACY).abs() < 0.01);
                    }
                    let col = ColumnData::Numeric(x.clone().into());
                    assert_eq!(tree_leak(&col, &y, n_classes, &rows), (acc >= LEAK_TREE_ACCURACY).then_some(acc));
                }
            }
        }
        assert!(near > 4, "few cases near the threshold: {near}");
    }

    #[test]
    fn the_wrong_way_never_fits_steps_per_fold() {
        let p = DemoParams { n_rows: 40, n_features: 300, k: 10, seed: 1 };
        let t = demo_table(&p).unwrap();
        let spec = demo_spec(&p).unwrap();
        let r = hooks_run(|h| compare(&t, &spec, h)).unwrap();
        assert_eq!(r.metric, "accuracy");
        assert_eq!(r.folds.len(), 5);
        assert_eq!(r.folds.iter().map(|f| f.n_test).sum::<usize>(), 40);
        assert_eq!(r.stages.len(), 2);
        assert!(r.stages[0].wrong_way_saw_test_rows && !r.stages[1].wrong_way_saw_test_rows);
        assert_eq!(r.majority_share, Some(0.5));
        assert!(r.wrong["accuracy"].mean > r.right["accuracy"].mean + 0.2, "{:?} vs {:?}", r.wrong["accuracy"], r.right["accuracy"]);
    }
}
