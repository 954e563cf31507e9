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
use crate::linalg::{
    centered_gram, centered_gram_cols, column_kernel, column_means, column_means_cols, dot, solve_psd_min_norm, sym_eigen, sym_eigenvalues, PaddedColumns, Spd,
};
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
        let xc = PaddedColumns::from_fn(n, p, |c, out| out.iter_mut().zip(x.column(c)).for_each(|(o, v)| *o = v - mean[c]));
        least_squares_kernel(&xc, y, y_mean, fit_intercept, alpha, rcond)?
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
fn least_squares_kernel(xc: &PaddedColumns, y: &[f64], y_mean: f64, fit_intercept: bool, alpha: f64, rcond: f64) -> Result<(Array1<f64>, usize)> {
    let (n, p) = (xc.nrows(), xc.ncols());
    if y.len() != n {
        return Err(Error::data(format!("least squares: the target has {} values for {n} rows", y.len())));
    }
    let yc = Array1::from_iter(y.iter().map(|v| v - y_mean));
    let k = column_kernel(xc);
    // `w = Xcᵀ dual`: one dot product per (contiguous) centred column.
    let weights = |dual: &Array1<f64>| -> Array1<f64> {
        let d = dual.to_vec();
        (0..p).map(|c| dot(xc.column(c), &d)).collect()
    };
    if let Some((dual, rank)) = kernel_full_rank_solve(&k, &yc, fit_intercept, alpha, rcond)? {
        return Ok((weights(&dual), if alpha > 0.0 { p } else { rank }));
    }
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
    Ok((weights(&dual), if alpha > 0.0 { p } else { rank }))
}

/// [`least_squares_kernel`]'s dual `K⁺ yc` (α = 0) or `(K + αI)⁻¹ yc` (α > 0) by one Cholesky
/// factorization instead of the n × n eigen-decomposition (which was most of a wide fit: the
/// eigenvectors cost several n³), when that is the same solution: always for α > 0 (every
/// eigenpair is used), and for α = 0 when the eigen route would keep every direction — all
/// n, or all but the ones vector when the rows are centred (they then sum to zero, so `K 1 = 0`;
/// `K + c 11ᵀ` moves that eigenvalue to `c n` without touching the others, and `Xcᵀ 1 = 0`
/// removes what it adds to the dual). Whether every other direction is kept is proved by a
/// lower bound of the smallest eigenvalue above the cut-off (`rcond · λ_max ≤ rcond · trace K`),
/// else counted from the eigenvalues alone. `None`: use the eigen route (a rank-deficient
/// kernel, or no positive definite factor).
fn kernel_full_rank_solve(k: &Array2<f64>, yc: &Array1<f64>, centred: bool, alpha: f64, rcond: f64) -> Result<Option<(Array1<f64>, usize)>> {
    let n = k.nrows();
    let trace: f64 = (0..n).map(|i| k[[i, i]]).sum();
    let mut a = k.clone();
    if alpha > 0.0 {
        for i in 0..n {
            a[[i, i]] += alpha;
        }
        return Ok(Spd::factor(&a).map(|f| (f.solve(yc), n)));
    }
    let full = n - usize::from(centred);
    if centred {
        // The ones direction's eigenvalue becomes trace / n, the mean of K's eigenvalues.
        let c = trace / (n as f64 * n as f64);
        a.mapv_inplace(|v| v + c);
    }
    let Some(f) = Spd::factor(&a) else { return Ok(None) };
    // Twice the cut-off: room for the eigen solver's own round-off (≈ n ε λ_max, far below it).
    if f.min_eigenvalue_bound() <= 2.0 * rcond * trace {
        let vals = sym_eigenvalues(k)?;
        let cutoff = vals.last().copied().unwrap_or(0.0).max(0.0) * rcond;
        if vals.iter().filter(|&&l| l > cutoff && l > 0.0).count() != full {
            return Ok(None);
        }
    }
    Ok(Some((f.solve(yc), full)))
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
        Ok(linear_fitted(coef, intercept, rank, ctx))
    }
    fn may_fit_columns(&self) -> bool {
        true
    }
    /// Both routes straight from the frame's columns, with the same sums in the same order
    /// as from the matrix: the Gram route (rows ≥ features) and the wide route, whose centred
    /// columns are built from the frame's as they are (no row-major copy of the matrix).
    fn fit_columns(&self, cols: &[&[f64]], n: usize, y: Option<&Target>, ctx: &FitContext) -> Option<Result<LinearRegression>> {
        let p = cols.len();
        if n == 0 || p == 0 {
            return None;
        }
        let y = match regression_target("LinearRegression", y) {
            Ok(y) => y,
            Err(e) => return Some(Err(e)),
        };
        let (mean, y_mean) = if self.fit_intercept { (column_means_cols(cols, n), y.iter().sum::<f64>() / y.len() as f64) } else { (Array1::zeros(p), 0.0) };
        let rcond = (n.max(p) as f64) * f64::EPSILON * 10.0;
        let solved = if p > n {
            let xc = PaddedColumns::from_fn(n, p, |c, out| out.iter_mut().zip(cols[c]).for_each(|(o, v)| *o = v - mean[c]));
            least_squares_kernel(&xc, y, y_mean, self.fit_intercept, 0.0, rcond)
        } else {
            let (g, b) = centered_gram_cols(cols, y, &mean, y_mean);
            solve_psd_min_norm(&g, &b, rcond)
        };
        Some(solved.map(|(w, rank)| {
            let intercept = if self.fit_intercept { y_mean - mean.dot(&w) } else { 0.0 };
            linear_fitted(w.to_vec(), intercept, rank, ctx)
        }))
    }
    fn schema() -> Vec<ParamInfo> {
        vec![ParamInfo::new("fit_intercept", "bool", json!(true), "Learn a constant term (otherwise the line goes through the origin).")]
    }
    fn help() -> &'static str {
        "Ordinary least squares: the straight-line (hyperplane) fit that minimizes squared error."
    }
}

fn linear_fitted(coef: Vec<f64>, intercept: f64, rank: usize, ctx: &FitContext) -> LinearRegression {
    if rank < coef.len() {
        ctx.warn(format!(
            "LinearRegression: the design has rank {rank} < {} features (collinear columns); the minimum-norm solution is used, predictions are unaffected",
            coef.len()
        ));
    }
    LinearRegression { coef, intercept, rank }
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
    /// [`FittedModel::predict`]'s sums from the columns, 256 rows at a time: the eight
    /// partial sums of [`dot`] (term `j` into sum `j mod 8`, in order), combined as `dot`
    /// combines them, then its remainder terms and the intercept — the same operations in
    /// the same order for every row, so the same bits, over contiguous columns.
    fn predict_columns(&self, cols: &[&[f64]], n: usize) -> Option<Result<Output>> {
        const B: usize = 256;
        let p = self.coef.len();
        if p == 0 || cols.len() != p || cols.iter().any(|c| c.len() != n) {
            return None;
        }
        let full = p - p % 8;
        let mut out = Vec::with_capacity(n);
        let mut acc = vec![0.0; 8 * B];
        let mut start = 0;
        while start < n {
            let len = B.min(n - start);
            acc.iter_mut().for_each(|a| *a = 0.0);
            for c in (0..full).step_by(8) {
                for (k, a) in acc.chunks_exact_mut(B).enumerate() {
                    let w = self.coef[c + k];
                    a[..len].iter_mut().zip(&cols[c + k][start..start + len]).for_each(|(a, x)| *a += x * w);
                }
            }
            for i in 0..len {
                let a = |k: usize| acc[k * B + i];
                let mut s = ((a(0) + a(1)) + (a(2) + a(3))) + ((a(4) + a(5)) + (a(6) + a(7)));
                for j in full..p {
                    s += cols[j][start + i] * self.coef[j];
                }
                out.push(s + self.intercept);
            }
            start += len;
        }
        Some(Ok(Output::Values(out)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predictions_from_columns_are_bit_identical() {
        // Feature counts below, at and around multiples of 8 (dot's partial sums), rows
        // around the 256-row blocks.
        let mut u = crate::numeric::test_uniform(3);
        let mut r = || u() * 200.0 - 100.0;
        for p in [1, 7, 8, 9, 16, 20, 23] {
            for n in [0, 1, 255, 256, 257, 600] {
                let m = LinearRegression { coef: (0..p).map(|_| r()).collect(), intercept: r(), rank: p };
                let x = Array2::from_shape_fn((n, p), |_| r());
                let cols: Vec<Vec<f64>> = (0..p).map(|j| x.column(j).to_vec()).collect();
                let cols: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
                let (Output::Values(a), Some(Ok(Output::Values(b)))) = (m.predict(&x).unwrap(), m.predict_columns(&cols, n)) else { panic!("values") };
                assert_eq!(a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), "p {p}, n {n}");
            }
        }
    }

    #[test]
    fn fits_from_columns_are_bit_identical_to_the_matrix_route() {
        // Both routes of least squares (Gram: p ≤ n; wide kernel: p > n), rows around the
        // kernel's 8-row padding, with and without the intercept.
        let mut u = crate::numeric::test_uniform(5);
        let mut r = || u() * 20.0 - 10.0;
        let ctx = FitContext::default();
        for (n, p) in [(5, 3), (7, 30), (8, 9), (9, 300), (16, 17), (33, 40)] {
            let x = Array2::from_shape_fn((n, p), |_| r());
            let y = Target::Values((0..n).map(|_| r()).collect());
            let cols: Vec<Vec<f64>> = (0..p).map(|j| x.column(j).to_vec()).collect();
            let cols: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            for fit_intercept in [true, false] {
                let params = LinearRegressionParams { fit_intercept };
                let a = params.fit(&x, Some(&y), &ctx).unwrap();
                let b = params.fit_columns(&cols, n, Some(&y), &ctx).expect("fits from columns").unwrap();
                let bits = |m: &LinearRegression| (m.coef.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), m.intercept.to_bits(), m.rank);
                assert_eq!(bits(&a), bits(&b), "n {n}, p {p}, intercept {fit_intercept}");
            }
        }
    }
}
