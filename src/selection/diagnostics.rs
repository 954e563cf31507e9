//! The pictures of a cross-validation, computed from its out-of-fold
//! predictions (scikit-learn's `cross_val_predict` + `ConfusionMatrixDisplay`,
//! `RocCurveDisplay`, `PrecisionRecallDisplay`, `PredictionErrorDisplay`):
//! confusion matrix, ROC and precision–recall curves per class (one-vs-rest;
//! the positive class only for two classes), predicted vs actual values.
//!
//! Every row tested by at least one split counts once, with the prediction of
//! the last split that tested it. For a partition (KFold, StratifiedKFold,
//! GroupKFold, LeaveOneOut) that is exactly `cross_val_predict`; for the
//! repeated splitters it is the last repetition; for ShuffleSplit, rows never
//! tested are left out. `note` says so when it applies.

use serde::{Deserialize, Serialize};

use crate::data::Table;
use crate::estimator::Task;
use crate::metrics::classification::{average_precision, binary_auc, confusion, pr_curve, roc_curve};
use crate::metrics::MetricSummary;
use crate::pipeline::PipelineSpec;
use crate::selection::cv::CvReport;
use crate::{Error, Result};

/// Curve points kept at most (scikit-learn's `drop_intermediate` first, then thinning).
pub const MAX_CURVE_POINTS: usize = 1000;
/// Regression points kept at most for the scatter plots (an even stride over the rows).
pub const MAX_SCATTER_POINTS: usize = 5000;

/// One class's curve (one-vs-rest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassCurve {
    pub class: String,
    /// ROC: false positive rate; PR: recall.
    pub x: Vec<f64>,
    /// ROC: true positive rate; PR: precision.
    pub y: Vec<f64>,
    /// ROC: the AUC of the pooled out-of-fold scores; PR: their average precision.
    pub area: f64,
    /// The same area per fold (folds where the class is present in the test rows
    /// and absent from none), with mean ± std.
    pub folds: MetricSummary,
    /// Rows of this class among the tested rows (PR: the chance level is positives / n).
    pub positives: usize,
}

/// Predicted vs actual values (regression).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionPoints {
    pub actual: Vec<f64>,
    pub predicted: Vec<f64>,
    /// actual − predicted (scikit-learn's `PredictionErrorDisplay` residuals).
    pub residual: Vec<f64>,
    /// Rows behind the points (the points are an even sample when there are more than MAX_SCATTER_POINTS).
    pub n_total: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    pub task: Task,
    pub classes: Vec<String>,
    /// Rows with an out-of-fold prediction.
    pub n_tested: usize,
    /// Classification: counts `confusion[true][predicted]` over the tested rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confusion: Vec<Vec<usize>>,
    /// ROC curves (empty without probabilities).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roc: Vec<ClassCurve>,
    /// Precision–recall curves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pr: Vec<ClassCurve>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<RegressionPoints>,
    /// Caveats (non-partition splitters, no probabilities, thinned curves).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The pictures of `report`. `tested[i]` says whether usable row `i` (index
/// into `report.oof.rows`) was in some test set; `splitter` is the splitter's
/// name (for the caveats of the repeated and shuffle splitters).
pub fn diagnostics(report: &CvReport, tested: &[bool], splitter: &str) -> Diagnostics {
    let oof = &report.oof;
    let idx: Vec<usize> = (0..oof.rows.len()).filter(|&i| tested.get(i).copied().unwrap_or(false)).collect();
    let mut notes = Vec::new();
    if splitter.starts_with("Repeated") {
        notes.push("each row shows its prediction from the last repetition of the splits".to_string());
    } else if splitter.contains("ShuffleSplit") {
        let untested = oof.rows.len() - idx.len();
        notes.push(format!(
            "random splits overlap: each row shows the prediction of the last split that tested it{}",
            if untested > 0 { format!("; {untested} row(s) never tested are left out") } else { String::new() }
        ));
    }
    let mut d = Diagnostics {
        task: report.task,
        classes: report.classes.clone(),
        n_tested: idx.len(),
        confusion: vec![],
        roc: vec![],
        pr: vec![],
        regression: None,
        notes,
    };
    match report.task {
        Task::Classification => {
            let k = report.classes.len();
            let y: Vec<usize> = idx.iter().map(|&i| oof.y_true[i]).collect();
            let p: Vec<usize> = idx.iter().map(|&i| oof.y_pred[i]).collect();
            d.confusion = confusion(&y, &p, k);
            let has_proba = !idx.is_empty() && idx.iter().all(|&i| oof.proba.get(i).is_some_and(|r| r.len() == k));
            if !has_proba {
                d.notes.push("this model gives no class probabilities, so there are no ROC or precision–recall curves".into());
                return d;
            }
            // Two classes: the second class is the positive one (as scikit-learn's pos_label).
            let curve_classes: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
            let folds: Vec<usize> = idx.iter().map(|&i| oof.fold[i]).collect();
            let n_folds = folds.iter().copied().max().map_or(0, |m| m + 1);
            let mut thinned = false;
            for c in curve_classes {
                let t: Vec<bool> = y.iter().map(|&v| v == c).collect();
                let s: Vec<f64> = idx.iter().map(|&i| oof.proba[i][c]).collect();
                let positives = t.iter().filter(|&&b| b).count();
                let per_fold = |area: fn(&[bool], &[f64]) -> Option<f64>| -> MetricSummary {
                    let v: Vec<f64> = (0..n_folds)
                        .filter_map(|f| {
                            let sel: Vec<usize> = (0..t.len()).filter(|&j| folds[j] == f).collect();
                            let tf: Vec<bool> = sel.iter().map(|&j| t[j]).collect();
                            let sf: Vec<f64> = sel.iter().map(|&j| s[j]).collect();
                            area(&tf, &sf)
                        })
                        .collect();
                    if v.is_empty() {
                        MetricSummary { folds: vec![], mean: f64::NAN, std: f64::NAN }
                    } else {
                        MetricSummary::from_folds(v)
                    }
                };
                let name = report.classes[c].clone();
                if let Some(r) = roc_curve(&t, &s) {
                    let (x, yy) = drop_intermediate(&r.x, &r.y);
                    let (x, yy, th) = thin(x, yy);
                    thinned |= th;
                    d.roc.push(ClassCurve {
                        class: name.clone(),
                        x,
                        y: yy,
                        area: binary_auc(&t, &s).unwrap_or(f64::NAN),
                        folds: per_fold(binary_auc),
                        positives,
                    });
                }
                if let Some(r) = pr_curve(&t, &s) {
                    let (x, yy, th) = thin(r.x, r.y);
                    thinned |= th;
                    d.pr.push(ClassCurve {
                        class: name,
                        x,
                        y: yy,
                        area: average_precision(&t, &s).unwrap_or(f64::NAN),
                        folds: per_fold(average_precision),
                        positives,
                    });
                }
            }
            if thinned {
                d.notes.push(format!("curves are drawn with at most {MAX_CURVE_POINTS} points; the areas use every threshold"));
            }
        }
        Task::Regression => {
            let n = idx.len();
            let stride = n.div_ceil(MAX_SCATTER_POINTS).max(1);
            let pick: Vec<usize> = idx.iter().copied().step_by(stride).collect();
            let actual: Vec<f64> = pick.iter().map(|&i| oof.y_true_values[i]).collect();
            let predicted: Vec<f64> = pick.iter().map(|&i| oof.values[i]).collect();
            let residual = actual.iter().zip(&predicted).map(|(a, p)| a - p).collect();
            if stride > 1 {
                d.notes.push(format!("the scatter plots show every {stride}th of the {n} rows"));
            }
            d.regression = Some(RegressionPoints { actual, predicted, residual, n_total: n });
        }
        Task::Clustering => {}
    }
    d
}

/// scikit-learn's `roc_curve(drop_intermediate=True)`: keeps the ends and the
/// points where the curve turns (second difference of either coordinate ≠ 0).
pub fn drop_intermediate(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    if n <= 2 {
        return (x.to_vec(), y.to_vec());
    }
    let turn = |v: &[f64], i: usize| (v[i + 1] - 2.0 * v[i] + v[i - 1]).abs() > 1e-12;
    let keep: Vec<usize> = (0..n).filter(|&i| i == 0 || i == n - 1 || turn(x, i) || turn(y, i)).collect();
    (keep.iter().map(|&i| x[i]).collect(), keep.iter().map(|&i| y[i]).collect())
}

/// At most MAX_CURVE_POINTS points (an even stride, keeping both ends); says whether it thinned.
fn thin(x: Vec<f64>, y: Vec<f64>) -> (Vec<f64>, Vec<f64>, bool) {
    let n = x.len();
    if n <= MAX_CURVE_POINTS {
        return (x, y, false);
    }
    let stride = n.div_ceil(MAX_CURVE_POINTS - 1);
    let mut keep: Vec<usize> = (0..n).step_by(stride).collect();
    if keep.last() != Some(&(n - 1)) {
        keep.push(n - 1);
    }
    (keep.iter().map(|&i| x[i]).collect(), keep.iter().map(|&i| y[i]).collect(), true)
}

/// The pictures of a cross-validation from `report`, the result of
/// cross-validating `spec` on `table` (refused when it belongs to other data).
pub fn cv_diagnostics(table: &Table, spec: &PipelineSpec, report: &CvReport) -> Result<Diagnostics> {
    let plan = super::cv::fold_plan(table, spec, "a clustering has no cross-validation pictures")?;
    if plan.prep.rows != report.oof.rows {
        return Err(Error::data("the cross-validation report does not belong to this data and spec; run cross-validation again"));
    }
    let mut tested = vec![false; plan.prep.rows.len()];
    for s in &plan.splits {
        for &i in &s.test {
            tested[i] = true;
        }
    }
    Ok(diagnostics(report, &tested, plan.cv.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_intermediate_keeps_corners() {
        // A staircase 0,0 → 0,.5 → 0,1 → .5,1 → 1,1: the middle of each straight run goes.
        let (x, y) = drop_intermediate(&[0.0, 0.0, 0.0, 0.5, 1.0], &[0.0, 0.5, 1.0, 1.0, 1.0]);
        assert_eq!(x, vec![0.0, 0.0, 1.0]);
        assert_eq!(y, vec![0.0, 1.0, 1.0]);
    }

    #[test]
    fn thin_keeps_ends() {
        let x: Vec<f64> = (0..2500).map(|i| i as f64).collect();
        let (a, _, t) = thin(x.clone(), x);
        assert!(t && a.len() <= MAX_CURVE_POINTS && a[0] == 0.0 && *a.last().unwrap() == 2499.0);
    }
}
