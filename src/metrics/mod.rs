//! Metrics, named as scikit-learn's scorers (without the `neg_` prefix;
//! errors are positive numbers). [`score`] dispatches by name.

pub mod classification;
pub mod clustering;
pub mod regression;

use ndarray::Array2;

use crate::estimator::Task;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Whether a larger value of the metric is better (for ranking in search).
pub fn greater_is_better(name: &str) -> bool {
    !matches!(name, "mse" | "rmse" | "mae" | "median_ae" | "mape" | "max_error" | "log_loss" | "brier_score" | "davies_bouldin")
}

/// Every scorer name, by task.
pub fn scorer_names(task: Task) -> &'static [&'static str] {
    match task {
        Task::Classification => &[
            "accuracy",
            "balanced_accuracy",
            "precision",
            "recall",
            "f1",
            "precision_micro",
            "recall_micro",
            "f1_micro",
            "precision_macro",
            "recall_macro",
            "f1_macro",
            "precision_weighted",
            "recall_weighted",
            "f1_weighted",
            "matthews_corrcoef",
            "roc_auc",
            "roc_auc_ovr",
            "roc_auc_ovr_weighted",
            "roc_auc_ovo",
            "average_precision",
            "log_loss",
            "brier_score",
        ],
        Task::Regression => &["mse", "rmse", "mae", "median_ae", "mape", "max_error", "r2", "explained_variance"],
        Task::Clustering => &[],
    }
}

/// The defaults when a spec names no scoring.
pub fn default_scoring(task: Task) -> Vec<String> {
    match task {
        Task::Classification => vec!["accuracy".into(), "f1_macro".into()],
        Task::Regression => vec!["r2".into(), "rmse".into()],
        Task::Clustering => vec![],
    }
}

/// Checks that every scorer name exists for the task.
pub fn check_scoring(task: Task, names: &[String]) -> Result<()> {
    let known = scorer_names(task);
    for n in names {
        if !known.contains(&n.as_str()) {
            return Err(Error::spec(
                "scoring",
                format!(
                    "unknown {} metric {n:?}; known: {}",
                    match task {
                        Task::Classification => "classification",
                        Task::Regression => "regression",
                        Task::Clustering => "clustering",
                    },
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// What scoring needs of a fold's predictions.
pub enum Scored<'a> {
    Values { y_true: &'a [f64], y_pred: &'a [f64] },
    Classes { y_true: &'a [usize], y_pred: &'a [usize], proba: Option<&'a Array2<f64>>, n_classes: usize },
}

/// Computes the metric `name`. Returns `(value, warnings)`.
pub fn score<'a>(name: &str, s: &Scored<'a>) -> Result<(f64, Vec<String>)> {
    use classification as c;
    match s {
        Scored::Values { y_true, y_pred } => {
            let v = match name {
                "mse" => regression::mse(y_true, y_pred),
                "rmse" => regression::mse(y_true, y_pred).sqrt(),
                "mae" => regression::mae(y_true, y_pred),
                "median_ae" => regression::median_ae(y_true, y_pred),
                "mape" => regression::mape(y_true, y_pred),
                "max_error" => regression::max_error(y_true, y_pred),
                "r2" => regression::r2(y_true, y_pred),
                "explained_variance" => regression::explained_variance(y_true, y_pred),
                _ => return Err(Error::spec("scoring", format!("{name:?} is not a regression metric"))),
            };
            Ok((v, overflow_warning(name, v, y_true, y_pred).into_iter().collect()))
        }
        Scored::Classes { y_true, y_pred, proba, n_classes } => {
            let mut w = Vec::new();
            let need_proba = |p: &Option<&'a Array2<f64>>| -> Result<&'a Array2<f64>> {
                p.ok_or_else(|| Error::spec("scoring", format!("{name} needs class probabilities; this model has none")))
            };
            let binary_only = |w: &mut Vec<String>| -> Result<()> {
                if *n_classes > 2 {
                    return Err(Error::spec(
                        "scoring",
                        format!("{name} is for two classes; with {n_classes} classes use {name}_macro, {name}_weighted or {name}_micro"),
                    ));
                }
                let _ = w;
                Ok(())
            };
            let v = match name {
                "accuracy" => c::accuracy(y_true, y_pred),
                "balanced_accuracy" => c::balanced_accuracy(y_true, y_pred, *n_classes, &mut w),
                "precision" | "recall" | "f1" => {
                    binary_only(&mut w)?;
                    let r = c::prf(y_true, y_pred, *n_classes, c::Average::Binary, &mut w);
                    match name {
                        "precision" => r.0,
                        "recall" => r.1,
                        _ => r.2,
                    }
                }
                "precision_micro" | "recall_micro" | "f1_micro" => c::prf(y_true, y_pred, *n_classes, c::Average::Micro, &mut w).0,
                "matthews_corrcoef" => c::matthews(y_true, y_pred, *n_classes),
                "roc_auc_ovr" => c::roc_auc(y_true, need_proba(proba)?, c::AucMode::OvrMacro, &mut w),
                "roc_auc_ovr_weighted" => c::roc_auc(y_true, need_proba(proba)?, c::AucMode::OvrWeighted, &mut w),
                "roc_auc_ovo" => c::roc_auc(y_true, need_proba(proba)?, c::AucMode::OvoMacro, &mut w),
                "average_precision" => {
                    binary_only(&mut w)?;
                    let p = need_proba(proba)?;
                    let t: Vec<bool> = y_true.iter().map(|&v| v == 1).collect();
                    let s: Vec<f64> = p.column(p.ncols() - 1).to_vec();
                    c::average_precision(&t, &s).unwrap_or_else(|| {
                        w.push("average_precision is undefined without positive samples; reported as NaN".into());
                        f64::NAN
                    })
                }
                "log_loss" => c::log_loss(y_true, need_proba(proba)?),
                "brier_score" => {
                    binary_only(&mut w)?;
                    c::brier(y_true, need_proba(proba)?)
                }
                "precision_macro" => c::prf(y_true, y_pred, *n_classes, c::Average::Macro, &mut w).0,
                "recall_macro" => c::prf(y_true, y_pred, *n_classes, c::Average::Macro, &mut w).1,
                "f1_macro" => c::prf(y_true, y_pred, *n_classes, c::Average::Macro, &mut w).2,
                "precision_weighted" => c::prf(y_true, y_pred, *n_classes, c::Average::Weighted, &mut w).0,
                "recall_weighted" => c::prf(y_true, y_pred, *n_classes, c::Average::Weighted, &mut w).1,
                "f1_weighted" => c::prf(y_true, y_pred, *n_classes, c::Average::Weighted, &mut w).2,
                "roc_auc" => c::roc_auc(y_true, need_proba(proba)?, c::AucMode::OvrMacro, &mut w),
                _ => return Err(Error::spec("scoring", format!("{name:?} is not a classification metric"))),
            };
            Ok((v, w))
        }
    }
}

/// Why a regression metric is not a finite number (it is written as `null`):
/// the errors or their squares overflow double precision (about 1.8e308), or
/// a prediction is infinite.
fn overflow_warning(name: &str, v: f64, y_true: &[f64], y_pred: &[f64]) -> Option<String> {
    if v.is_finite() || y_true.is_empty() {
        return None;
    }
    let max_abs = |x: &[f64]| x.iter().filter(|v| v.is_finite()).fold(0.0f64, |m, v| m.max(v.abs()));
    if let Some(i) = y_pred.iter().position(|p| !p.is_finite()) {
        return Some(format!("{name} is not a finite number (reported as null): the prediction for scored row {} is {}", i + 1, y_pred[i]));
    }
    let what = match name {
        "mse" | "rmse" | "r2" | "explained_variance" => "the squared errors (or the target's sum of squares) overflow",
        _ => "the errors overflow",
    };
    Some(format!(
        "{name} overflowed and is reported as null: {what} double precision (largest finite value about 1.8e308); the target reaches {:e} and the predictions {:e} — rescale the target (e.g. divide it by a power of ten)",
        max_abs(y_true),
        max_abs(y_pred)
    ))
}

/// [`score`], with the decision values of a two-class model that has no
/// probabilities (LinearSVC, SVC): `roc_auc` and `average_precision` read
/// them as scikit-learn's scorers do (they ask for `decision_function` before
/// `predict_proba`). Other metrics, and models with probabilities, go to [`score`].
pub fn score_with_decision(name: &str, s: &Scored<'_>, decision: Option<&[f64]>) -> Result<(f64, Vec<String>)> {
    if let (Some(d), Scored::Classes { y_true, proba: None, n_classes: 2, .. }) = (decision, s) {
        let mut w = Vec::new();
        match name {
            "roc_auc" => {
                let m = Array2::from_shape_fn((d.len(), 2), |(i, j)| if j == 1 { d[i] } else { -d[i] });
                let v = classification::roc_auc(y_true, &m, classification::AucMode::OvrMacro, &mut w);
                return Ok((v, w));
            }
            "average_precision" => {
                let t: Vec<bool> = y_true.iter().map(|&v| v == 1).collect();
                let v = classification::average_precision(&t, d).unwrap_or_else(|| {
                    w.push("average_precision is undefined without positive samples; reported as NaN".into());
                    f64::NAN
                });
                return Ok((v, w));
            }
            _ => {}
        }
    }
    score(name, s)
}

/// Whether scoring `names` needs the decision values of a model without probabilities.
pub fn needs_decision(names: &[String]) -> bool {
    names.iter().any(|n| n == "roc_auc" || n == "average_precision")
}

/// The default metrics for a task with `n_classes` classes: a two-class
/// problem adds `roc_auc` (scikit-learn scores it from probabilities or, for
/// a LinearSVC or SVC, decision values; for more classes its `roc_auc`
/// scorer refuses the data, so it is not a default there).
pub fn default_scoring_for(task: Task, n_classes: usize) -> Vec<String> {
    let mut v = default_scoring(task);
    if task == Task::Classification && n_classes == 2 {
        v.push("roc_auc".into());
    }
    v
}

/// Per-fold scores of one metric, their mean and population standard deviation.
/// A score that is not a number is written as `null` (JSON has no NaN) and
/// read back as NaN, so a model file holding one still loads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    #[serde(deserialize_with = "folds_or_null")]
    pub folds: Vec<f64>,
    #[serde(deserialize_with = "f64_or_null")]
    pub mean: f64,
    #[serde(deserialize_with = "f64_or_null")]
    pub std: f64,
}

fn f64_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

fn folds_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<f64>, D::Error> {
    Ok(Vec::<Option<f64>>::deserialize(d)?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

impl MetricSummary {
    pub fn from_folds(folds: Vec<f64>) -> Self {
        let n = folds.len() as f64;
        let mean = folds.iter().sum::<f64>() / n;
        let std = (folds.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
        MetricSummary { folds, mean, std }
    }
}
