//! Learning curve (score vs training-set size) and validation curve (score vs
//! one parameter's values), as scikit-learn's `learning_curve` and
//! `validation_curve`: the same splitter as cross-validation (the spec's `cv`,
//! on the training part when the spec has a `holdout`), train and test scores
//! per split, summarized as mean ± population std.
//!
//! Deterministic: the folds come from the spec's seed; `shuffle` of the
//! learning curve permutes each split's training rows before taking the first
//! `n`, drawn as scikit-learn's `shuffle=True` draws them (numpy's RandomState).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::search::{apply_params, ParamSet};

use super::cv::{fold_plan, CvHooks};
use crate::data::Table;
use crate::estimator::{FitContext, Output, Target, Task};
use crate::metrics::MetricSummary;
use crate::metrics::{self, Scored};
use crate::pipeline::{fit, FittedPipeline, PipelineSpec};
use crate::split::NumpyRandomState;
use crate::{Error, Result};

/// What a clustering spec is told by the curves.
const CURVE_CLUSTERING: &str = "learning and validation curves need a supervised model; clustering has no test score";

/// Scores a fitted pipeline on table rows `rows` with metric `name`.
pub fn score_rows(fitted: &FittedPipeline, table: &Table, target: &Target, rows: &[usize], name: &str) -> Result<(f64, Vec<String>)> {
    let sub = table.select_rows(rows);
    let pred = fitted.predict(&sub)?;
    match (&pred.output, target) {
        (Output::Values(p), Target::Values(v)) => {
            let y: Vec<f64> = rows.iter().map(|&r| v[r]).collect();
            metrics::score(name, &Scored::Values { y_true: &y, y_pred: p })
        }
        (Output::Classes { labels, proba }, Target::Classes { y, n_classes }) => {
            let t: Vec<usize> = rows.iter().map(|&r| y[r]).collect();
            let decision = super::cv::decision(fitted, &pred.output, &sub, std::slice::from_ref(&name.to_string()))?;
            metrics::score_with_decision(
                name,
                &Scored::Classes { y_true: &t, y_pred: labels, proba: proba.as_ref(), n_classes: *n_classes },
                decision.as_deref(),
            )
        }
        _ => Err(Error::data("the model's output does not match the target type")),
    }
}

/// The metric a curve plots: the given one, else the spec's first, else the task's default.
fn curve_scoring(spec: &PipelineSpec, task: Task, scoring: &Option<String>) -> Result<String> {
    let name = match scoring {
        Some(s) => s.clone(),
        None => spec.scoring.first().cloned().unwrap_or_else(|| metrics::default_scoring(task).remove(0)),
    };
    metrics::check_scoring(task, std::slice::from_ref(&name))?;
    Ok(name)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearningCurveParams {
    /// Fractions of the largest training set (all ≤ 1), or row counts (any > 1).
    /// Default: 5 evenly spaced fractions from 0.1 to 1.0, as scikit-learn.
    pub train_sizes: Vec<f64>,
    /// Metric; default the spec's first scoring name.
    pub scoring: Option<String>,
    /// Permute each split's training rows before taking the first n (scikit-learn `shuffle`).
    pub shuffle: bool,
    /// Seed of that permutation; default the spec's `random_state`.
    pub random_state: Option<u64>,
}

impl Default for LearningCurveParams {
    fn default() -> Self {
        LearningCurveParams { train_sizes: vec![0.1, 0.325, 0.55, 0.775, 1.0], scoring: None, shuffle: false, random_state: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[derive(Default)]
pub struct ValidationCurveParams {
    /// Parameter path as in search: `model__C`, `<Step>__<param>`, `<branch>__<Step>__<param>`.
    pub param: String,
    /// Values to try, in plotting order.
    pub values: Vec<Value>,
    pub scoring: Option<String>,
}

/// One curve: for each x, train and test scores over the splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveReport {
    /// `learning` or `validation`.
    pub kind: String,
    pub scoring: String,
    pub greater_is_better: bool,
    /// Learning curve: absolute training sizes. Validation curve: the values (JSON).
    pub x: Vec<Value>,
    /// Validation curve: the parameter path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    pub train: Vec<MetricSummary>,
    pub test: Vec<MetricSummary>,
    /// Mean fit time per x (ms, from the caller's clock).
    pub fit_time_ms: Vec<f64>,
    pub n_splits: usize,
    pub cv: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Absolute training sizes as scikit-learn's `_translate_train_sizes`: fractions
/// of `n_max` (floored, at least 1) or counts; sorted, duplicates removed with a warning.
pub fn train_sizes_abs(sizes: &[f64], n_max: usize, warnings: &mut Vec<String>) -> Result<Vec<usize>> {
    let bad = |m: String| Error::param("learning_curve", "train_sizes", m);
    if sizes.is_empty() {
        return Err(bad("give at least one size".into()));
    }
    if let Some(s) = sizes.iter().find(|s| !s.is_finite() || **s <= 0.0) {
        return Err(bad(format!("{s} is not a positive number; use fractions in (0, 1] or row counts")));
    }
    let fractions = sizes.iter().all(|&s| s <= 1.0);
    let mut abs: Vec<usize> = Vec::with_capacity(sizes.len());
    for &s in sizes {
        if fractions {
            abs.push(((s * n_max as f64) as usize).clamp(1, n_max));
        } else {
            if s.fract() != 0.0 {
                return Err(bad(format!("{s} mixes fractions and row counts; give all sizes as fractions ≤ 1 or all as whole row counts")));
            }
            if s as usize > n_max {
                return Err(bad(format!("{s} rows is more than the largest training set ({n_max} rows)")));
            }
            abs.push(s as usize);
        }
    }
    crate::sorting::sort_usize(&mut abs);
    let before = abs.len();
    abs.dedup();
    if abs.len() < before {
        warnings.push(format!("some training sizes were equal after rounding and were merged; sizes used: {abs:?}"));
    }
    Ok(abs)
}

/// Warnings said once each, with where they occurred.
fn note(warnings: &mut Vec<String>, w: String) {
    if !warnings.contains(&w) {
        warnings.push(w);
    }
}

/// scikit-learn's `learning_curve`: for each training size n, every split fits
/// on the first n of its training rows and is scored on them (train) and on its test rows.
pub fn learning_curve(table: &Table, spec: &PipelineSpec, params: &LearningCurveParams, hooks: CvHooks) -> Result<CurveReport> {
    let plan = fold_plan(table, spec, CURVE_CLUSTERING)?;
    let scoring = curve_scoring(spec, plan.prep.task, &params.scoring)?;
    let target = plan.prep.target.as_ref().ok_or_else(|| Error::data("a target is required"))?;
    let n_max = plan.splits.first().map(|s| s.train.len()).unwrap_or(0);
    let mut warnings = plan.prep.warnings.clone();
    let sizes = train_sizes_abs(&params.train_sizes, n_max, &mut warnings)?;
    // Each split's training rows (table rows), permuted once per split if asked: scikit-learn's
    // `rng.permutation(train)`, one numpy RandomState across the splits in order.
    let mut rng = NumpyRandomState::new(params.random_state.unwrap_or(spec.seed()));
    let trains: Vec<Vec<usize>> = plan
        .splits
        .iter()
        .map(|s| {
            let mut rows: Vec<usize> = s.train.iter().map(|&i| plan.prep.rows[i]).collect();
            if params.shuffle {
                rng.shuffle(&mut rows);
            }
            rows
        })
        .collect();
    let total = sizes.len() * plan.splits.len();
    let (mut train, mut test, mut times) = (Vec::new(), Vec::new(), Vec::new());
    let mut done = 0;
    for &n in &sizes {
        let (mut tr, mut te, mut t_sum) = (Vec::new(), Vec::new(), 0.0);
        for (f, split) in plan.splits.iter().enumerate() {
            let rows = &trains[f][..n.min(trains[f].len())];
            let test_rows: Vec<usize> = split.test.iter().map(|&i| plan.prep.rows[i]).collect();
            let ctx = FitContext::new(spec.seed());
            let t0 = (hooks.now_ms)();
            let fitted = fit(table, spec, &plan.prep, rows, &ctx).map_err(|e| at(e, &format!("training size {n}, fold {}", f + 1)))?;
            t_sum += (hooks.now_ms)() - t0;
            for w in &fitted.warnings {
                note(&mut warnings, format!("training size {n}: {w}"));
            }
            let (s, ws) = score_rows(&fitted, table, target, &test_rows, &scoring)?;
            for w in ws {
                note(&mut warnings, format!("training size {n}: {scoring}: {w}"));
            }
            te.push(s);
            tr.push(score_rows(&fitted, table, target, rows, &scoring)?.0);
            done += 1;
            if !(hooks.progress)(done, total) {
                return Err(Error::Cancelled);
            }
        }
        train.push(MetricSummary::from_folds(tr));
        test.push(MetricSummary::from_folds(te));
        times.push(t_sum / plan.splits.len() as f64);
    }
    Ok(CurveReport {
        kind: "learning".into(),
        greater_is_better: metrics::greater_is_better(&scoring),
        scoring,
        x: sizes.iter().map(|&n| Value::from(n)).collect(),
        param: None,
        train,
        test,
        fit_time_ms: times,
        n_splits: plan.splits.len(),
        cv: plan.cv.describe(plan.prep.rows.len()),
        warnings,
    })
}

/// scikit-learn's `validation_curve`: cross-validation of the spec with the
/// parameter `params.param` set to each value in turn.
pub fn validation_curve(table: &Table, spec: &PipelineSpec, params: &ValidationCurveParams, hooks: CvHooks) -> Result<CurveReport> {
    if params.param.is_empty() {
        return Err(Error::param("validation_curve", "param", "name the parameter to vary, e.g. model__C"));
    }
    if params.values.is_empty() {
        return Err(Error::param("validation_curve", "values", "give at least one value"));
    }
    // Every value is applied (and so validated) before any fitting.
    let specs: Vec<PipelineSpec> = params
        .values
        .iter()
        .map(|v| {
            let mut p = ParamSet::new();
            p.insert(params.param.clone(), v.clone());
            apply_params(spec, &p)
        })
        .collect::<Result<_>>()?;
    let plan = fold_plan(table, spec, CURVE_CLUSTERING)?;
    let scoring = curve_scoring(spec, plan.prep.task, &params.scoring)?;
    let target = plan.prep.target.as_ref().ok_or_else(|| Error::data("a target is required"))?;
    let mut warnings = plan.prep.warnings.clone();
    let total = specs.len() * plan.splits.len();
    let (mut train, mut test, mut times) = (Vec::new(), Vec::new(), Vec::new());
    let mut done = 0;
    for (k, s) in specs.iter().enumerate() {
        let label = format!("{}={}", params.param, params.values[k]);
        let (mut tr, mut te, mut t_sum) = (Vec::new(), Vec::new(), 0.0);
        for (f, split) in plan.splits.iter().enumerate() {
            let train_rows: Vec<usize> = split.train.iter().map(|&i| plan.prep.rows[i]).collect();
            let test_rows: Vec<usize> = split.test.iter().map(|&i| plan.prep.rows[i]).collect();
            let ctx = FitContext::new(s.seed());
            let t0 = (hooks.now_ms)();
            let fitted = fit(table, s, &plan.prep, &train_rows, &ctx).map_err(|e| at(e, &format!("{label}, fold {}", f + 1)))?;
            t_sum += (hooks.now_ms)() - t0;
            for w in &fitted.warnings {
                note(&mut warnings, format!("{label}: {w}"));
            }
            let (v, ws) = score_rows(&fitted, table, target, &test_rows, &scoring)?;
            for w in ws {
                note(&mut warnings, format!("{label}: {scoring}: {w}"));
            }
            te.push(v);
            tr.push(score_rows(&fitted, table, target, &train_rows, &scoring)?.0);
            done += 1;
            if !(hooks.progress)(done, total) {
                return Err(Error::Cancelled);
            }
        }
        train.push(MetricSummary::from_folds(tr));
        test.push(MetricSummary::from_folds(te));
        times.push(t_sum / plan.splits.len() as f64);
    }
    Ok(CurveReport {
        kind: "validation".into(),
        greater_is_better: metrics::greater_is_better(&scoring),
        scoring,
        x: params.values.clone(),
        param: Some(params.param.clone()),
        train,
        test,
        fit_time_ms: times,
        n_splits: plan.splits.len(),
        cv: plan.cv.describe(plan.prep.rows.len()),
        warnings,
    })
}

fn at(e: Error, place: &str) -> Error {
    match e {
        Error::Data(m) => Error::Data(format!("{place}: {m}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn train_sizes_like_sklearn() {
        let mut w = vec![];
        // np.linspace(0.1, 1, 5) * 120 → [12, 39, 66, 93, 120] (floored).
        assert_eq!(train_sizes_abs(&[0.1, 0.325, 0.55, 0.775, 1.0], 120, &mut w).unwrap(), vec![12, 39, 66, 93, 120]);
        assert!(w.is_empty());
        assert_eq!(train_sizes_abs(&[0.001, 0.002, 1.0], 100, &mut w).unwrap(), vec![1, 100]);
        assert_eq!(w.len(), 1);
        assert_eq!(train_sizes_abs(&[10.0, 50.0], 100, &mut w).unwrap(), vec![10, 50]);
        assert!(train_sizes_abs(&[10.0, 500.0], 100, &mut w).unwrap_err().to_string().contains("train_sizes"));
        assert!(train_sizes_abs(&[0.5, 2.5], 100, &mut w).is_err());
        assert!(train_sizes_abs(&[], 100, &mut w).is_err());
        assert!(train_sizes_abs(&[-0.5], 100, &mut w).is_err());
    }
}
