//! Metrics, named as scikit-learn's scorers (without the `neg_` prefix;
//! errors are positive numbers). [`score`] dispatches by name.

pub mod classification;
pub mod clustering;
pub mod regression;

use ndarray::Array2;

use crate::estimator::Task;
use crate::{Error, Result};

/// Whether a larger value of the metric is better (for ranking in search).
pub fn greater_is_better(name: &str) -> bool {
    !matches!(name, "mse" | "rmse" | "mae" | "median_ae" | "mape" | "log_loss" | "davies_bouldin")
}

/// Every scorer name, by task.
pub fn scorer_names(task: Task) -> &'static [&'static str] {
    match task {
        Task::Classification => &[
            "accuracy",
            "balanced_accuracy",
            "precision_macro",
            "recall_macro",
            "f1_macro",
            "precision_weighted",
            "recall_weighted",
            "f1_weighted",
            "roc_auc",
        ],
        Task::Regression => &["mse", "rmse", "mae", "r2"],
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
                format!("unknown {} metric {n:?}; known: {}", match task { Task::Classification => "classification", Task::Regression => "regression", Task::Clustering => "clustering" }, known.join(", ")),
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
pub fn score(name: &str, s: &Scored) -> Result<(f64, Vec<String>)> {
    use classification as c;
    match s {
        Scored::Values { y_true, y_pred } => {
            let v = match name {
                "mse" => regression::mse(y_true, y_pred),
                "rmse" => regression::mse(y_true, y_pred).sqrt(),
                "mae" => regression::mae(y_true, y_pred),
                "r2" => regression::r2(y_true, y_pred),
                _ => return Err(Error::spec("scoring", format!("{name:?} is not a regression metric"))),
            };
            Ok((v, vec![]))
        }
        Scored::Classes { y_true, y_pred, proba, n_classes } => {
            let mut w = Vec::new();
            let v = match name {
                "accuracy" => c::accuracy(y_true, y_pred),
                "balanced_accuracy" => c::balanced_accuracy(y_true, y_pred, *n_classes, &mut w),
                "precision_macro" => c::prf(y_true, y_pred, *n_classes, c::Average::Macro, &mut w).0,
                "recall_macro" => c::prf(y_true, y_pred, *n_classes, c::Average::Macro, &mut w).1,
                "f1_macro" => c::prf(y_true, y_pred, *n_classes, c::Average::Macro, &mut w).2,
                "precision_weighted" => c::prf(y_true, y_pred, *n_classes, c::Average::Weighted, &mut w).0,
                "recall_weighted" => c::prf(y_true, y_pred, *n_classes, c::Average::Weighted, &mut w).1,
                "f1_weighted" => c::prf(y_true, y_pred, *n_classes, c::Average::Weighted, &mut w).2,
                "roc_auc" => match proba {
                    Some(p) => c::roc_auc(y_true, p, &mut w),
                    None => return Err(Error::spec("scoring", "roc_auc needs class probabilities; this model has none")),
                },
                _ => return Err(Error::spec("scoring", format!("{name:?} is not a classification metric"))),
            };
            Ok((v, w))
        }
    }
}
