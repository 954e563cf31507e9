//! `OutlierRemover`: drops training rows that are outliers in any numeric
//! column — only while fitting (and so only from training folds). `transform`
//! passes every row through unchanged, so scoring uses all test rows.
//!
//! - `method="iqr"`: a row is an outlier when a cell lies outside
//!   `[q1 - factor * iqr, q3 + factor * iqr]` (numpy linear percentiles).
//! - `method="zscore"`: when `|x - mean| / std > threshold` (population std; constant columns never flag).
//!
//! Missing cells never flag a row; categorical columns are ignored. Not a
//! scikit-learn class (scikit-learn pipelines cannot drop rows); it is only
//! allowed in the top-level `steps`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::scaler::mean_var;
use super::{check_columns, check_fit_rows};
use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FData, Frame};
use crate::numeric::percentile_sorted;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OutlierMethod {
    #[default]
    Iqr,
    Zscore,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutlierRemoverParams {
    pub method: OutlierMethod,
    /// IQR multiplier (method "iqr").
    pub factor: f64,
    /// Largest accepted |z-score| (method "zscore").
    pub threshold: f64,
}

impl Default for OutlierRemoverParams {
    fn default() -> Self {
        OutlierRemoverParams { method: OutlierMethod::Iqr, factor: 1.5, threshold: 3.0 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlierRemover {
    pub input_names: Vec<String>,
    pub method: OutlierMethod,
    /// Accepted range of each column (infinite bounds, written "-inf"/"inf", for ignored columns).
    #[serde(with = "super::encoders::special_f64_vec")]
    pub lower: Vec<f64>,
    #[serde(with = "super::encoders::special_f64_vec")]
    pub upper: Vec<f64>,
    /// Training rows seen and dropped by the fit.
    pub n_train: usize,
    pub n_dropped: usize,
}

impl OutlierRemoverParams {
    /// Per column: accepted range, and (mean, std) for z-scores (std 0 = never flags).
    #[allow(clippy::type_complexity)]
    fn bounds(&self, x: &Frame) -> Result<(Vec<f64>, Vec<f64>, Vec<(f64, f64)>)> {
        let (mut lower, mut upper) = (Vec::with_capacity(x.n_cols()), Vec::with_capacity(x.n_cols()));
        let mut z = vec![(0.0, 0.0); x.n_cols()];
        for (j, col) in x.cols.iter().enumerate() {
            let v = match &col.data {
                FData::Num(v) => v,
                FData::Cat(_) => {
                    lower.push(f64::NEG_INFINITY);
                    upper.push(f64::INFINITY);
                    continue;
                }
            };
            let mut obs: Vec<f64> = v.iter().copied().filter(|c| !c.is_nan()).collect();
            if obs.is_empty() {
                lower.push(f64::NEG_INFINITY);
                upper.push(f64::INFINITY);
                continue;
            }
            if let Some(i) = v.iter().position(|c| c.is_infinite()) {
                return Err(Error::column(&col.name, format!("has an infinite value at row {}; OutlierRemover needs finite numbers", i + 1)));
            }
            match self.method {
                OutlierMethod::Iqr => {
                    crate::sorting::sort_f64(&mut obs);
                    let q1 = percentile_sorted(&obs, 25.0);
                    let q3 = percentile_sorted(&obs, 75.0);
                    let iqr = q3 - q1;
                    lower.push(q1 - self.factor * iqr);
                    upper.push(q3 + self.factor * iqr);
                }
                OutlierMethod::Zscore => {
                    let (m, var, _) = mean_var(&obs);
                    let sd = var.sqrt();
                    if sd > 0.0 {
                        z[j] = (m, sd);
                        lower.push(m - self.threshold * sd);
                        upper.push(m + self.threshold * sd);
                    } else {
                        lower.push(f64::NEG_INFINITY);
                        upper.push(f64::INFINITY);
                    }
                }
            }
        }
        Ok((lower, upper, z))
    }

    /// Fits and returns the kept training rows.
    fn fit_keep(&self, x: &Frame, ctx: &FitContext) -> Result<(OutlierRemover, Vec<usize>)> {
        match self.method {
            OutlierMethod::Iqr if !(self.factor.is_finite() && self.factor >= 0.0) => {
                return Err(Error::param("OutlierRemover", "factor", format!("must be a finite number >= 0, got {}", self.factor)))
            }
            OutlierMethod::Zscore if !(self.threshold.is_finite() && self.threshold > 0.0) => {
                return Err(Error::param("OutlierRemover", "threshold", format!("must be a finite number > 0, got {}", self.threshold)))
            }
            _ => {}
        }
        check_fit_rows("OutlierRemover", x)?;
        let (lower, upper, z) = self.bounds(x)?;
        let mut keep_mask = vec![true; x.n_rows];
        for (j, col) in x.cols.iter().enumerate() {
            if let FData::Num(v) = &col.data {
                let (lo, hi) = (lower[j], upper[j]);
                if self.method == OutlierMethod::Zscore {
                    let (m, sd) = z[j];
                    if sd > 0.0 {
                        for (k, &c) in keep_mask.iter_mut().zip(v) {
                            if !c.is_nan() && ((c - m) / sd).abs() > self.threshold {
                                *k = false;
                            }
                        }
                    }
                    continue;
                }
                for (k, &c) in keep_mask.iter_mut().zip(v) {
                    if c < lo || c > hi {
                        *k = false;
                    }
                }
            }
        }
        let keep: Vec<usize> = (0..x.n_rows).filter(|&i| keep_mask[i]).collect();
        if keep.is_empty() {
            return Err(Error::data("OutlierRemover would drop every training row; raise factor/threshold"));
        }
        let n_dropped = x.n_rows - keep.len();
        ctx.warn(format!("OutlierRemover dropped {n_dropped} of {} training rows", x.n_rows));
        Ok((OutlierRemover { input_names: x.names(), method: self.method, lower, upper, n_train: x.n_rows, n_dropped }, keep))
    }
}

impl StepParams for OutlierRemoverParams {
    type Fitted = OutlierRemover;
    // Drops training rows; `transform` keeps every row.
    const FIT_TRANSFORM_IS_TRANSFORM: bool = false;

    fn fit(&self, x: &Frame, _y: Option<&Target>, ctx: &FitContext) -> Result<OutlierRemover> {
        Ok(self.fit_keep(x, ctx)?.0)
    }

    fn fit_transform(&self, x: &Frame, _y: Option<&Target>, ctx: &FitContext) -> Result<(OutlierRemover, Frame, Option<Vec<usize>>)> {
        let (fitted, keep) = self.fit_keep(x, ctx)?;
        let out = x.select_rows(&keep);
        Ok((fitted, out, Some(keep)))
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("method", "choice", json!("iqr"), "Outlier rule: outside the IQR fences, or |z-score| above threshold.").choices(&["iqr", "zscore"]),
            ParamInfo::new("factor", "float", json!(1.5), "IQR fence multiplier: outliers lie below q1 - factor*IQR or above q3 + factor*IQR.")
                .range(Some(0.0), None),
            ParamInfo::new("threshold", "float", json!(3.0), "Largest accepted |z-score| for method zscore.").range(Some(0.0), None),
        ]
    }
    fn help() -> &'static str {
        "Drop training rows with an outlying value in any numeric column (fit only; test rows are always scored)."
    }
}

impl FittedTransform for OutlierRemover {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("OutlierRemover", &self.input_names, x)?;
        Ok(x.clone())
    }
    fn validate(&self) -> Result<()> {
        let n = self.input_names.len();
        if self.lower.len() != n || self.upper.len() != n || self.n_dropped >= self.n_train.max(1) {
            return Err(Error::ModelFile("OutlierRemover: bounds do not match its input columns".into()));
        }
        if self.lower.iter().zip(&self.upper).any(|(l, u)| l.is_nan() || u.is_nan() || l > u) {
            return Err(Error::ModelFile("OutlierRemover: invalid bounds".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::FCol;

    #[test]
    fn iqr_drops_only_while_fitting() {
        let x = Frame::new(vec![FCol::num("a", vec![1.0, 2.0, 3.0, 4.0, 100.0])], 5);
        let ctx = FitContext::default();
        let (f, out, keep) = OutlierRemoverParams::default().fit_transform(&x, None, &ctx).unwrap();
        assert_eq!(keep.unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(out.n_rows, 4);
        assert_eq!(f.n_dropped, 1);
        assert_eq!(f.transform(&x).unwrap(), x);
        assert_eq!(ctx.take_warnings(), vec!["OutlierRemover dropped 1 of 5 training rows".to_string()]);
    }

    #[test]
    fn zscore_threshold() {
        let mut v: Vec<f64> = (0..20).map(|i| i as f64 % 3.0).collect();
        v.push(50.0);
        let x = Frame::new(vec![FCol::num("a", v)], 21);
        let p = OutlierRemoverParams { method: OutlierMethod::Zscore, ..Default::default() };
        let (_, _, keep) = p.fit_transform(&x, None, &FitContext::default()).unwrap();
        assert_eq!(keep.unwrap().len(), 20);
    }
}
