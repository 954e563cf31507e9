//! `LinearRegression`: ordinary least squares. Solves the centred normal
//! equations (or, for wide data, the n × n kernel system) by a symmetric
//! eigen-decomposition and returns the minimum-norm solution, so
//! rank-deficient designs (e.g. polynomial features of a binary column, more
//! features than rows) give the same predictions as scikit-learn's `lstsq`.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_fit, check_n_features};
use crate::estimator::{Coefficients, FitContext, FittedModel, Importances, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::linalg::{centered_gram, column_means, dot, solve_psd_min_norm, sym_eigen, symmetrize_upper};
use crate::{Error, Result};
use ndarray::linalg::general_mat_mul;

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

/// Solves (optionally centred) least squares with an L2 penalty `alpha` (0 = OLS): the
/// minimum-norm solution for a rank-deficient design (as `scipy.linalg.lstsq`), the ridge solution
/// for `alpha > 0`. Returns the coefficients, the intercept and the rank of the (penalized) system.
///
/// Two routes with the same answer, whichever is cheaper: with at least as many rows as
/// features, the p × p Gram matrix `XᵀX` (cost n·p² + p³); with more features than rows (wide
/// data), the n × n kernel `XXᵀ` (cost p·n² + n³; scikit-learn's Ridge takes the same dual
/// route, `_solve_cholesky_kernel`, when n_features > n_samples). Both drop directions whose
/// eigenvalue (squared singular value) is below `rcond · λ_max`.
pub(crate) fn least_squares(x: &Array2<f64>, y: &[f64], fit_intercept: bool, alpha: f64) -> Result<(Vec<f64>, f64, usize)> {
    let (n, p) = x.dim();
    let (mean, y_mean) = if fit_intercept { (column_means(x.view()), y.iter().sum::<f64>() / y.len() as f64) } else { (Array1::zeros(p), 0.0) };
    let rcond = (n.max(p) as f64) * f64::EPSILON * 10.0;
    let (w, rank) = if p > n {
        least_squares_kernel(x, y, &mean, y_mean, alpha, rcond)?
    } else {
        let (mut g, b) = centered_gram(x.view(), y, &mean, y_mean);
        for j in 0..p {
            g[[j, j]] += alpha;
        }
        solve_psd_min_norm(&g, &b, rcond)?
    };
    let intercept = if fit_intercept { y_mean - mean.dot(&w) } else { 0.0 };
    Ok((w.to_vec(), intercept, rank))
}

/// The wide-data route of [`least_squares`]: with `Xc` the centred rows and `K = Xc Xcᵀ = U Λ Uᵀ`,
/// `w = Xcᵀ Σₖ uₖ (uₖᵀ yc) / (λₖ + α)` — for α = 0 the minimum-norm least-squares solution
/// (`Xcᵀ K⁺ yc`, the thin SVD of `Xc` read from `K`'s eigenpairs), for α > 0 the ridge solution
/// (`Xcᵀ (K + αI)⁻¹ yc`). The rank is the number of eigenvalues kept (α = 0), else p (the
/// penalized system has full rank).
fn least_squares_kernel(x: &Array2<f64>, y: &[f64], mean: &Array1<f64>, y_mean: f64, alpha: f64, rcond: f64) -> Result<(Array1<f64>, usize)> {
    let (n, p) = x.dim();
    let mut xc = Array2::<f64>::zeros((n, p));
    for (mut out, row) in xc.rows_mut().into_iter().zip(x.rows()) {
        out.iter_mut().zip(row.iter()).zip(mean.iter()).for_each(|((o, v), m)| *o = v - m);
    }
    let yc = Array1::from_iter(y.iter().map(|v| v - y_mean));
    let mut k = Array2::<f64>::zeros((n, n));
    general_mat_mul(1.0, &xc, &xc.t(), 0.0, &mut k);
    symmetrize_upper(&mut k);
    let (vals, vecs) = sym_eigen(&k)?;
    let cutoff = vals.last().copied().unwrap_or(0.0).max(0.0) * rcond;
    let mut dual = Array1::<f64>::zeros(n);
    let mut rank = 0;
    for (idx, &l) in vals.iter().enumerate() {
        let kept = l > cutoff && l > 0.0;
        rank += usize::from(kept);
        if kept || alpha > 0.0 {
            let u = vecs.column(idx);
            dual.scaled_add(u.dot(&yc) / (l.max(0.0) + alpha), &u);
        }
    }
    Ok((xc.t().dot(&dual), if alpha > 0.0 { p } else { rank }))
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
    fn inspect(&self, _names: &[String]) -> Inspection {
        Inspection { coefficients: Some(Coefficients { rows: vec![self.coef.clone()], intercepts: vec![self.intercept], classes: None }), ..Default::default() }
            .fact("intercept", self.intercept)
            .fact("rank", self.rank)
    }
    fn importances(&self) -> Option<Importances> {
        Some(Importances::abs_coef(&self.coef))
    }
    fn validate(&self) -> Result<()> {
        if self.coef.iter().chain([&self.intercept]).any(|v| !v.is_finite()) {
            return Err(Error::ModelFile("LinearRegression: coefficients must be finite".into()));
        }
        Ok(())
    }
}
