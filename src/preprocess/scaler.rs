//! `StandardScaler`: centre to mean 0 and scale to unit *population* variance
//! (ddof = 0), learned on the training rows. Missing cells are ignored when
//! fitting and stay missing. Constant columns get scale 1, as scikit-learn does.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_columns, check_fit_rows};
use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, Frame};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StandardScalerParams {
    pub with_mean: bool,
    pub with_std: bool,
}

impl Default for StandardScalerParams {
    fn default() -> Self {
        StandardScalerParams { with_mean: true, with_std: true }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardScaler {
    pub input_names: Vec<String>,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    pub with_mean: bool,
    pub with_std: bool,
}

/// Mean and population variance of the non-missing cells, and their count.
pub fn mean_var(v: &[f64]) -> (f64, f64, usize) {
    let (s, n) = v.iter().filter(|x| !x.is_nan()).fold((0.0, 0usize), |(s, n), &x| (s + x, n + 1));
    if n == 0 {
        return (f64::NAN, f64::NAN, 0);
    }
    let mean = s / n as f64;
    let ss: f64 = v.iter().filter(|x| !x.is_nan()).map(|&x| (x - mean) * (x - mean)).sum();
    (mean, ss / n as f64, n)
}

/// scikit-learn's `_is_constant_feature`: variance within float error of zero.
pub fn is_constant(var: f64, mean: f64, n: usize) -> bool {
    let eps = f64::EPSILON;
    let n = n as f64;
    var <= n * eps * var + (n * mean * eps).powi(2)
}

impl StepParams for StandardScalerParams {
    type Fitted = StandardScaler;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<StandardScaler> {
        check_fit_rows("StandardScaler", x)?;
        let mut mean = Vec::with_capacity(x.n_cols());
        let mut scale = Vec::with_capacity(x.n_cols());
        for col in &x.cols {
            let v = col.numeric("StandardScaler")?;
            if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                return Err(Error::column(&col.name, format!("has an infinite value at row {}; StandardScaler needs finite numbers", i + 1)));
            }
            let (m, var, n) = mean_var(v);
            if n == 0 {
                return Err(Error::column(&col.name, "has no observed value in the training rows; StandardScaler cannot learn its mean"));
            }
            mean.push(if self.with_mean { m } else { 0.0 });
            scale.push(if !self.with_std || is_constant(var, m, n) { 1.0 } else { var.sqrt() });
        }
        Ok(StandardScaler { input_names: x.names(), mean, scale, with_mean: self.with_mean, with_std: self.with_std })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("with_mean", "bool", json!(true), "Subtract the training mean of each column."),
            ParamInfo::new("with_std", "bool", json!(true), "Divide by the training standard deviation (population, ddof=0)."),
        ]
    }
    fn help() -> &'static str {
        "Centre each column to mean 0 and scale it to standard deviation 1."
    }
}

impl FittedTransform for StandardScaler {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("StandardScaler", &self.input_names, x)?;
        let mut cols = Vec::with_capacity(x.n_cols());
        for (j, col) in x.cols.iter().enumerate() {
            let v = col.numeric("StandardScaler")?;
            let (m, s) = (self.mean[j], self.scale[j]);
            cols.push(FCol::num(col.name.clone(), v.iter().map(|&x| (x - m) / s).collect()));
        }
        Ok(Frame::new(cols, x.n_rows))
    }
    fn validate(&self) -> Result<()> {
        let n = self.input_names.len();
        if self.mean.len() != n || self.scale.len() != n {
            return Err(Error::ModelFile(format!("StandardScaler: {} columns but {} means and {} scales", n, self.mean.len(), self.scale.len())));
        }
        if self.scale.iter().any(|s| !(s.is_finite() && *s > 0.0)) || self.mean.iter().any(|m| !m.is_finite()) {
            return Err(Error::ModelFile("StandardScaler: scales must be positive and finite, means finite".into()));
        }
        Ok(())
    }
}
