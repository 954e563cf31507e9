//! `LinearRegression`: ordinary least squares. Solves the centred normal
//! equations by a symmetric eigen-decomposition and returns the minimum-norm
//! solution, so rank-deficient designs (e.g. polynomial features of a binary
//! column) give the same predictions as scikit-learn's `lstsq`.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_fit, check_n_features, named};
use crate::estimator::{FitContext, FittedModel, ModelParams, Output, ParamInfo, Target, Task};
use crate::linalg::{centered_gram, column_means, dot, solve_psd_min_norm};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearRegressionParams {
    pub fit_intercept: bool,
}

impl Default for LinearRegressionParams {
    fn default() -> Self {
        LinearRegressionParams { fit_intercept: true }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearRegression {
    pub coef: Vec<f64>,
    pub intercept: f64,
    pub rank: usize,
}

pub(crate) fn regression_target<'a>(model: &str, y: Option<&'a Target>) -> Result<&'a [f64]> {
    match y {
        Some(Target::Values(v)) => Ok(v),
        Some(Target::Classes { .. }) => Err(Error::data(format!("{model} is a regressor but the target is categorical; pick a classifier"))),
        None => Err(Error::data(format!("{model} needs a target column"))),
    }
}

/// Solves (optionally centred) least squares with an L2 penalty `alpha` (0 = OLS).
pub(crate) fn least_squares(x: &Array2<f64>, y: &[f64], fit_intercept: bool, alpha: f64) -> Result<(Vec<f64>, f64, usize)> {
    let p = x.ncols();
    let (mean, y_mean) = if fit_intercept { (column_means(x.view()), y.iter().sum::<f64>() / y.len() as f64) } else { (Array1::zeros(p), 0.0) };
    let (mut g, b) = centered_gram(x.view(), y, &mean, y_mean);
    for j in 0..p {
        g[[j, j]] += alpha;
    }
    let rcond = (x.nrows().max(p) as f64) * f64::EPSILON * 10.0;
    let (w, rank) = solve_psd_min_norm(&g, &b, rcond)?;
    let intercept = if fit_intercept { y_mean - mean.dot(&w) } else { 0.0 };
    Ok((w.to_vec(), intercept, rank))
}

impl ModelParams for LinearRegressionParams {
    type Fitted = LinearRegression;
    fn task(&self) -> Task {
        Task::Regression
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<LinearRegression> {
        check_fit("LinearRegression", x)?;
        let y = regression_target("LinearRegression", y)?;
        let (coef, intercept, rank) = least_squares(x, y, self.fit_intercept, 0.0)?;
        if rank < x.ncols() {
            ctx.warn(format!(
                "LinearRegression: the design has rank {rank} < {} features (collinear columns); the minimum-norm solution is used, predictions are unaffected",
                x.ncols()
            ));
        }
        Ok(LinearRegression { coef, intercept, rank })
    }
    fn schema() -> Vec<ParamInfo> {
        vec![ParamInfo::new("fit_intercept", "bool", json!(true), "Learn a constant term (otherwise the line goes through the origin).")]
    }
    fn help() -> &'static str {
        "Ordinary least squares: the straight-line (hyperplane) fit that minimizes squared error."
    }
}

impl FittedModel for LinearRegression {
    fn n_features(&self) -> usize {
        self.coef.len()
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features("LinearRegression", self.coef.len(), x)?;
        let p = self.coef.len();
        if p == 0 {
            return Ok(Output::Values(vec![self.intercept; x.nrows()]));
        }
        let xs = x.as_standard_layout();
        // as_standard_layout returns a contiguous array, so as_slice is Some.
        let xs: &[f64] = xs.as_slice().unwrap_or(&[]);
        Ok(Output::Values(xs.chunks_exact(p).map(|r| dot(r, &self.coef) + self.intercept).collect()))
    }
    fn inspect(&self, names: &[String]) -> serde_json::Value {
        json!({"kind": "linear", "coef": named(names, &self.coef), "intercept": self.intercept, "rank": self.rank})
    }
    fn validate(&self) -> Result<()> {
        if self.coef.iter().chain([&self.intercept]).any(|v| !v.is_finite()) {
            return Err(Error::ModelFile("LinearRegression: coefficients must be finite".into()));
        }
        Ok(())
    }
}
