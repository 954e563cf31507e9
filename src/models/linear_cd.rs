//! Penalized linear regression as scikit-learn fits it:
//!
//! - `Ridge`: `‖y − Xw − b‖² + alpha‖w‖²`, closed form on centred data
//!   (the same normal equations as [`least_squares`]).
//! - `Lasso` / `ElasticNet`: `1/(2n)‖y − Xw − b‖² + alpha·l1_ratio·‖w‖₁ +
//!   alpha·(1 − l1_ratio)/2·‖w‖²`, by cyclic coordinate descent on centred
//!   data with scikit-learn's stopping rule: after a sweep whose largest
//!   coefficient change is below `tol · max|w|`, the duality gap is computed
//!   and the fit stops when it is below `tol · ‖y − ȳ‖²`.
//!   `Lasso` is `ElasticNet` with `l1_ratio = 1`.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::linear::{least_squares, regression_target};
use super::{check_fit, check_n_features};
use crate::estimator::{Coefficients, FitContext, FittedModel, Importances, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::linalg::column_means;
use crate::{Error, Result};

/// A fitted penalized linear regression (`Ridge`, `Lasso`, `ElasticNet`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PenalizedLinear {
    pub coef: Vec<f64>,
    pub intercept: f64,
    /// Coordinate-descent sweeps (0 for the closed-form Ridge).
    #[serde(default)]
    pub n_iter: usize,
    /// Duality gap at the end, in scikit-learn's units (`0.5‖r‖² + …`, not divided by n).
    #[serde(default)]
    pub dual_gap: f64,
}

fn predict_linear(model: &str, coef: &[f64], intercept: f64, x: &Array2<f64>) -> Result<Output> {
    check_n_features(model, coef.len(), x)?;
    let w = ndarray::ArrayView1::from(coef);
    Ok(Output::Values((x.dot(&w) + intercept).to_vec()))
}

fn validate_linear(model: &str, m: &PenalizedLinear) -> Result<()> {
    if m.coef.is_empty() {
        return Err(Error::ModelFile(format!("{model}: no coefficients")));
    }
    if m.coef.iter().chain([&m.intercept]).any(|v| !v.is_finite()) {
        return Err(Error::ModelFile(format!("{model}: coefficients must be finite")));
    }
    if !(m.dual_gap.is_finite()) {
        return Err(Error::ModelFile(format!("{model}: dual_gap must be finite")));
    }
    Ok(())
}

fn check_alpha(model: &str, alpha: f64) -> Result<()> {
    if !(alpha >= 0.0 && alpha.is_finite()) {
        return Err(Error::param(model, "alpha", format!("must be a finite number ≥ 0, got {alpha}")));
    }
    Ok(())
}

// ---------------------------------------------------------------- Ridge

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RidgeParams {
    pub alpha: f64,
    pub fit_intercept: bool,
}

impl Default for RidgeParams {
    fn default() -> Self {
        RidgeParams { alpha: 1.0, fit_intercept: true }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ridge {
    pub coef: Vec<f64>,
    pub intercept: f64,
    pub alpha: f64,
}

impl ModelParams for RidgeParams {
    type Fitted = Ridge;
    fn task(&self) -> Task {
        Task::Regression
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<Ridge> {
        check_alpha("Ridge", self.alpha)?;
        check_fit("Ridge", x)?;
        let y = regression_target("Ridge", y)?;
        let (coef, intercept, rank) = least_squares(x, y, self.fit_intercept, self.alpha)?;
        if rank < x.ncols() {
            ctx.warn(format!("Ridge: the penalized system has rank {rank} < {} features; the minimum-norm solution is used", x.ncols()));
        }
        Ok(Ridge { coef, intercept, alpha: self.alpha })
    }
    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("alpha", "float", json!(1.0), "L2 penalty strength: larger alpha shrinks coefficients towards 0.").range(Some(0.0), Some(1e6)),
            ParamInfo::new("fit_intercept", "bool", json!(true), "Learn a constant term (not penalized)."),
        ]
    }
    fn help() -> &'static str {
        "Least squares with an L2 penalty (ridge): stable with correlated features."
    }
}

impl FittedModel for Ridge {
    fn n_features(&self) -> usize {
        self.coef.len()
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        predict_linear("Ridge", &self.coef, self.intercept, x)
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        Inspection { coefficients: Some(Coefficients { rows: vec![self.coef.clone()], intercepts: vec![self.intercept], classes: None }), ..Default::default() }
            .fact("intercept", self.intercept)
            .fact("alpha", self.alpha)
    }
    fn importances(&self) -> Option<Importances> {
        Some(Importances::abs_coef(&self.coef))
    }
    fn validate(&self) -> Result<()> {
        if self.coef.is_empty() || self.coef.iter().chain([&self.intercept, &self.alpha]).any(|v| !v.is_finite()) {
            return Err(Error::ModelFile("Ridge: coefficients must be finite and non-empty".into()));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- coordinate descent

/// Result of [`enet_coordinate_descent`].
#[derive(Debug, Clone)]
pub(crate) struct CdResult {
    pub w: Vec<f64>,
    pub gap: f64,
    pub tol_scaled: f64,
    pub n_iter: usize,
    pub converged: bool,
}

/// scikit-learn's `enet_coordinate_descent` (dense, cyclic) on a column-major
/// copy `xc` (`p` columns of `n` entries each, already centred):
/// minimizes `½‖y − Xw‖² + l1·‖w‖₁ + ½·l2·‖w‖²`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn enet_coordinate_descent(xc: &[f64], n: usize, p: usize, y: &[f64], l1: f64, l2: f64, max_iter: usize, tol: f64) -> CdResult {
    let col = |j: usize| &xc[j * n..(j + 1) * n];
    let norm2: Vec<f64> = (0..p).map(|j| col(j).iter().map(|v| v * v).sum()).collect();
    let mut w = vec![0.0; p];
    let mut r: Vec<f64> = y.to_vec();
    let d_w_tol = tol;
    let tol_scaled = tol * y.iter().map(|v| v * v).sum::<f64>();
    let mut gap = tol_scaled + 1.0;
    let mut n_iter = 0;
    let mut converged = false;
    let mut xta = vec![0.0; p];
    for it in 0..max_iter {
        n_iter = it + 1;
        let mut w_max = 0.0f64;
        let mut d_w_max = 0.0f64;
        for j in 0..p {
            if norm2[j] == 0.0 {
                continue;
            }
            let xj = col(j);
            let w_old = w[j];
            if w_old != 0.0 {
                for (ri, &xi) in r.iter_mut().zip(xj) {
                    *ri += w_old * xi;
                }
            }
            let tmp: f64 = xj.iter().zip(&r).map(|(a, b)| a * b).sum();
            let wj = tmp.signum() * (tmp.abs() - l1).max(0.0) / (norm2[j] + l2);
            let wj = if tmp == 0.0 { 0.0 } else { wj };
            w[j] = wj;
            if wj != 0.0 {
                for (ri, &xi) in r.iter_mut().zip(xj) {
                    *ri -= wj * xi;
                }
            }
            d_w_max = d_w_max.max((wj - w_old).abs());
            w_max = w_max.max(wj.abs());
        }
        if w_max == 0.0 || d_w_max / w_max < d_w_tol || it == max_iter - 1 {
            // Duality gap.
            for j in 0..p {
                let xj = col(j);
                xta[j] = xj.iter().zip(&r).map(|(a, b)| a * b).sum::<f64>() - l2 * w[j];
            }
            let dual_norm = xta.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let r_norm2: f64 = r.iter().map(|v| v * v).sum();
            let w_norm2: f64 = w.iter().map(|v| v * v).sum();
            let (konst, mut g) = if dual_norm > l1 {
                let c = l1 / dual_norm;
                (c, 0.5 * (r_norm2 + r_norm2 * c * c))
            } else {
                (1.0, r_norm2)
            };
            let l1_norm: f64 = w.iter().map(|v| v.abs()).sum();
            let ry: f64 = r.iter().zip(y).map(|(a, b)| a * b).sum();
            g += l1 * l1_norm - konst * ry + 0.5 * l2 * (1.0 + konst * konst) * w_norm2;
            gap = g;
            if gap < tol_scaled {
                converged = true;
                break;
            }
        }
    }
    CdResult { w, gap, tol_scaled, n_iter, converged }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Selection {
    #[default]
    Cyclic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ElasticNetParams {
    pub alpha: f64,
    pub l1_ratio: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
    pub selection: Selection,
}

impl Default for ElasticNetParams {
    fn default() -> Self {
        ElasticNetParams { alpha: 1.0, l1_ratio: 0.5, fit_intercept: true, max_iter: 1000, tol: 1e-4, selection: Selection::Cyclic }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LassoParams {
    pub alpha: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
    pub selection: Selection,
}

impl Default for LassoParams {
    fn default() -> Self {
        LassoParams { alpha: 1.0, fit_intercept: true, max_iter: 1000, tol: 1e-4, selection: Selection::Cyclic }
    }
}

fn fit_enet(model: &str, p: &ElasticNetParams, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<PenalizedLinear> {
    check_alpha(model, p.alpha)?;
    if !(0.0..=1.0).contains(&p.l1_ratio) {
        return Err(Error::param(model, "l1_ratio", format!("must be between 0 and 1, got {}", p.l1_ratio)));
    }
    if !(p.tol >= 0.0 && p.tol.is_finite()) {
        return Err(Error::param(model, "tol", format!("must be a finite number ≥ 0, got {}", p.tol)));
    }
    if p.max_iter == 0 {
        return Err(Error::param(model, "max_iter", "must be at least 1"));
    }
    check_fit(model, x)?;
    let y = regression_target(model, y)?;
    let (n, nf) = x.dim();
    if y.len() != n {
        return Err(Error::data(format!("{model}: {n} rows but {} target values", y.len())));
    }
    if p.alpha == 0.0 {
        ctx.warn(format!("{model}: alpha=0 is ordinary least squares, which coordinate descent solves slowly; prefer LinearRegression"));
    }
    let (mean, y_mean) = if p.fit_intercept { (column_means(x.view()), y.iter().sum::<f64>() / n as f64) } else { (Array1::zeros(nf), 0.0) };
    // Column-major centred copy: each coordinate update streams one contiguous column.
    let mut xc = vec![0.0; n * nf];
    for (i, row) in x.rows().into_iter().enumerate() {
        for j in 0..nf {
            xc[j * n + i] = row[j] - mean[j];
        }
    }
    let yc: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
    if xc.iter().chain(&yc).any(|v| !v.is_finite()) {
        return Err(Error::data(format!("{model}: the features or the target hold non-finite values; impute or drop them first")));
    }
    let l1 = p.alpha * p.l1_ratio * n as f64;
    let l2 = p.alpha * (1.0 - p.l1_ratio) * n as f64;
    let r = enet_coordinate_descent(&xc, n, nf, &yc, l1, l2, p.max_iter, p.tol);
    if !r.converged && r.gap > r.tol_scaled {
        ctx.warn(format!(
            "{model}: coordinate descent did not converge in {} iterations (duality gap {:.3e} > tolerance {:.3e}); increase max_iter or scale the features",
            r.n_iter, r.gap, r.tol_scaled
        ));
    }
    let intercept = y_mean - mean.iter().zip(&r.w).map(|(m, w)| m * w).sum::<f64>();
    Ok(PenalizedLinear { coef: r.w, intercept, n_iter: r.n_iter, dual_gap: r.gap })
}

fn enet_schema(with_l1_ratio: bool) -> Vec<ParamInfo> {
    let mut v =
        vec![ParamInfo::new("alpha", "float", json!(1.0), "Penalty strength: larger alpha = more coefficients at exactly 0.").range(Some(0.0), Some(1e6))];
    if with_l1_ratio {
        v.push(ParamInfo::new("l1_ratio", "float", json!(0.5), "Mix of the penalties: 1 = Lasso (L1), 0 = ridge-like (L2).").range(Some(0.0), Some(1.0)));
    }
    v.extend([
        ParamInfo::new("fit_intercept", "bool", json!(true), "Learn a constant term (not penalized)."),
        ParamInfo::new("max_iter", "int", json!(1000), "Maximum coordinate-descent sweeps.").range(Some(1.0), Some(1e6)),
        ParamInfo::new(
            "tol",
            "float",
            json!(1e-4),
            "Stop when the duality gap is below tol·‖y−ȳ‖² (checked after a sweep that changed coefficients by < tol).",
        )
        .range(Some(0.0), Some(1.0)),
        ParamInfo::new("selection", "choice", json!("cyclic"), "Coordinate order (cyclic).").choices(&["cyclic"]),
    ]);
    v
}

impl ModelParams for ElasticNetParams {
    type Fitted = ElasticNet;
    fn task(&self) -> Task {
        Task::Regression
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<ElasticNet> {
        Ok(ElasticNet(fit_enet("ElasticNet", self, x, y, ctx)?))
    }
    fn schema() -> Vec<ParamInfo> {
        enet_schema(true)
    }
    fn help() -> &'static str {
        "Linear regression with a mix of L1 and L2 penalties (coordinate descent)."
    }
}

impl ModelParams for LassoParams {
    type Fitted = Lasso;
    fn task(&self) -> Task {
        Task::Regression
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<Lasso> {
        let p = ElasticNetParams {
            alpha: self.alpha,
            l1_ratio: 1.0,
            fit_intercept: self.fit_intercept,
            max_iter: self.max_iter,
            tol: self.tol,
            selection: self.selection,
        };
        Ok(Lasso(fit_enet("Lasso", &p, x, y, ctx)?))
    }
    fn schema() -> Vec<ParamInfo> {
        enet_schema(false)
    }
    fn help() -> &'static str {
        "Linear regression with an L1 penalty: sets some coefficients exactly to 0 (feature selection)."
    }
}

macro_rules! penalized_fitted {
    ($ty:ident, $name:expr) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $ty(pub PenalizedLinear);

        impl FittedModel for $ty {
            fn n_features(&self) -> usize {
                self.0.coef.len()
            }
            fn predict(&self, x: &Array2<f64>) -> Result<Output> {
                predict_linear($name, &self.0.coef, self.0.intercept, x)
            }
            fn inspect(&self, _names: &[String]) -> Inspection {
                let m = &self.0;
                Inspection {
                    coefficients: Some(Coefficients { rows: vec![m.coef.clone()], intercepts: vec![m.intercept], classes: None }),
                    ..Default::default()
                }
                .fact("intercept", m.intercept)
                .fact("n_nonzero", m.coef.iter().filter(|c| **c != 0.0).count())
                .fact("n_iter", m.n_iter)
                .fact("dual_gap", m.dual_gap)
            }
            fn importances(&self) -> Option<Importances> {
                Some(Importances::abs_coef(&self.0.coef))
            }
            fn validate(&self) -> Result<()> {
                validate_linear($name, &self.0)
            }
        }
    };
}

penalized_fitted!(Lasso, "Lasso");
penalized_fitted!(ElasticNet, "ElasticNet");

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Array2<f64>, Vec<f64>) {
        // y = 3·x0 − 2·x1 + 1 + small deterministic noise; x2 is pure noise.
        let n = 60;
        let mut x = Array2::zeros((n, 3));
        let mut y = vec![0.0; n];
        for i in 0..n {
            let t = i as f64;
            x[[i, 0]] = (t * 0.37).sin() * 2.0;
            x[[i, 1]] = (t * 0.11).cos() + 0.01 * t;
            x[[i, 2]] = ((t * 1.7).sin() * 1000.0).fract();
            y[i] = 3.0 * x[[i, 0]] - 2.0 * x[[i, 1]] + 1.0 + 0.05 * ((t * 2.3).sin());
        }
        (x, y)
    }

    fn ctx() -> FitContext {
        FitContext::new(0)
    }

    #[test]
    fn ridge_alpha0_is_ols_and_alpha_shrinks() {
        let (x, y) = data();
        let t = Target::Values(y);
        let r0 = RidgeParams { alpha: 0.0, fit_intercept: true }.fit(&x, Some(&t), &ctx()).unwrap();
        let r1 = RidgeParams { alpha: 100.0, fit_intercept: true }.fit(&x, Some(&t), &ctx()).unwrap();
        assert!((r0.coef[0] - 3.0).abs() < 0.05, "{:?}", r0.coef);
        let n0: f64 = r0.coef.iter().map(|v| v * v).sum();
        let n1: f64 = r1.coef.iter().map(|v| v * v).sum();
        assert!(n1 < n0);
        r1.validate().unwrap();
    }

    #[test]
    fn lasso_optimality_conditions() {
        // KKT: |Xᵀr|/n ≤ alpha for zero coefficients, = alpha·sign(w) otherwise.
        let (x, y) = data();
        let t = Target::Values(y.clone());
        let alpha = 0.05;
        let m = LassoParams { alpha, tol: 1e-12, max_iter: 100000, ..Default::default() }.fit(&x, Some(&t), &ctx()).unwrap();
        let Output::Values(pred) = m.predict(&x).unwrap() else { panic!() };
        let n = y.len() as f64;
        for j in 0..3 {
            let g: f64 = (0..y.len()).map(|i| x[[i, j]] * (y[i] - pred[i])).sum::<f64>() / n;
            if m.0.coef[j] == 0.0 {
                assert!(g.abs() <= alpha + 1e-8, "feature {j}: {g}");
            } else {
                assert!((g - alpha * m.0.coef[j].signum()).abs() < 1e-6, "feature {j}: {g} vs {}", m.0.coef[j]);
            }
        }
        // Residuals sum to 0 with an intercept.
        assert!(y.iter().zip(&pred).map(|(a, b)| a - b).sum::<f64>().abs() < 1e-8);
    }

    #[test]
    fn large_alpha_zeroes_everything() {
        let (x, y) = data();
        let ybar = y.iter().sum::<f64>() / y.len() as f64;
        let m = LassoParams { alpha: 1e3, ..Default::default() }.fit(&x, Some(&Target::Values(y)), &ctx()).unwrap();
        assert!(m.0.coef.iter().all(|&c| c == 0.0));
        assert!((m.0.intercept - ybar).abs() < 1e-12);
    }

    #[test]
    fn elasticnet_l1_ratio0_matches_ridge_scaled() {
        // ElasticNet(alpha, l1_ratio=0) = Ridge(alpha·n).
        let (x, y) = data();
        let t = Target::Values(y.clone());
        let a = 0.1;
        let e = ElasticNetParams { alpha: a, l1_ratio: 0.0, tol: 1e-14, max_iter: 100000, ..Default::default() }.fit(&x, Some(&t), &ctx()).unwrap();
        let r = RidgeParams { alpha: a * y.len() as f64, fit_intercept: true }.fit(&x, Some(&t), &ctx()).unwrap();
        for j in 0..3 {
            assert!((e.0.coef[j] - r.coef[j]).abs() < 1e-6, "{:?} vs {:?}", e.0.coef, r.coef);
        }
    }

    #[test]
    fn constant_feature_gets_zero_and_one_sample_works() {
        let (mut x, y) = data();
        x.column_mut(2).fill(7.0);
        let t = Target::Values(y.clone());
        let m = ElasticNetParams { alpha: 0.01, ..Default::default() }.fit(&x, Some(&t), &ctx()).unwrap();
        assert_eq!(m.0.coef[2], 0.0);
        let r = RidgeParams::default().fit(&x, Some(&t), &ctx()).unwrap();
        assert!(r.coef[2].abs() < 1e-9);
        // One sample: everything centred away; predicts the value.
        let x1 = Array2::from_shape_vec((1, 2), vec![1.0, 2.0]).unwrap();
        let t1 = Target::Values(vec![5.0]);
        let m1 = LassoParams::default().fit(&x1, Some(&t1), &ctx()).unwrap();
        assert_eq!(m1.predict(&x1).unwrap(), Output::Values(vec![5.0]));
        let r1 = RidgeParams::default().fit(&x1, Some(&t1), &ctx()).unwrap();
        let Output::Values(p) = r1.predict(&x1).unwrap() else { panic!() };
        assert!((p[0] - 5.0).abs() < 1e-12);
    }

    #[test]
    fn bad_params_and_targets_are_refused() {
        let (x, y) = data();
        let t = Target::Values(y);
        let e = LassoParams { alpha: -1.0, ..Default::default() }.fit(&x, Some(&t), &ctx()).unwrap_err();
        assert!(e.to_string().contains("alpha"), "{e}");
        let e = ElasticNetParams { l1_ratio: 1.5, ..Default::default() }.fit(&x, Some(&t), &ctx()).unwrap_err();
        assert!(e.to_string().contains("l1_ratio"), "{e}");
        let e = ElasticNetParams { max_iter: 0, ..Default::default() }.fit(&x, Some(&t), &ctx()).unwrap_err();
        assert!(e.to_string().contains("max_iter"), "{e}");
        let e = RidgeParams { alpha: f64::NAN, ..Default::default() }.fit(&x, Some(&t), &ctx()).unwrap_err();
        assert!(e.to_string().contains("alpha"), "{e}");
        let c = Target::Classes { y: vec![0; 60], n_classes: 2 };
        assert!(LassoParams::default().fit(&x, Some(&c), &ctx()).is_err());
        assert!(serde_json::from_str::<LassoParams>(r#"{"l1_ratio": 0.5}"#).is_err());
        let m = LassoParams::default().fit(&x, Some(&t), &ctx()).unwrap();
        assert!(m.predict(&Array2::zeros((2, 2))).is_err());
        let mut bad = m.clone();
        bad.0.coef[0] = f64::NAN;
        assert!(bad.validate().is_err());
        // Non-converged fits warn.
        let c2 = ctx();
        ElasticNetParams { alpha: 1e-6, max_iter: 1, tol: 1e-12, ..Default::default() }.fit(&x, Some(&t), &c2).unwrap();
        assert!(c2.take_warnings().iter().any(|w| w.contains("did not converge")));
    }
}
