//! `LogisticRegression` with an L2 penalty, solved by L-BFGS to the same
//! optimum as scikit-learn's `lbfgs` solver:
//!
//! `C · Σ sᵢ·loss(xᵢ) + ½‖W‖²` (intercept not penalized), divided by `Σ sᵢ` as
//! scikit-learn does internally. Two classes use one logit (the log-odds of the
//! second class); more than two use the full multinomial softmax.

use ndarray::{s, Array1, Array2, Axis};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::optim::{minimize, LbfgsOptions};
use super::{check_fit, check_n_features, named};
use crate::estimator::{FitContext, FittedModel, ModelParams, Output, ParamInfo, Target, Task};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Penalty {
    #[default]
    L2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeight {
    /// `n_samples / (n_classes · count(class))`, as scikit-learn's "balanced".
    #[default]
    Balanced,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticRegressionParams {
    #[serde(rename = "C")]
    pub c: f64,
    pub penalty: Penalty,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
    pub class_weight: Option<ClassWeight>,
    /// Only "lbfgs" is implemented; accepted for scikit-learn compatibility.
    pub solver: String,
}

impl Default for LogisticRegressionParams {
    fn default() -> Self {
        LogisticRegressionParams { c: 1.0, penalty: Penalty::L2, fit_intercept: true, max_iter: 100, tol: 1e-4, class_weight: None, solver: "lbfgs".into() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogisticRegression {
    /// One row per logit: 1 row for two classes, `n_classes` rows otherwise.
    pub coef: Vec<Vec<f64>>,
    pub intercept: Vec<f64>,
    pub n_classes: usize,
    pub n_iter: usize,
    pub converged: bool,
    /// Objective at the solution, in scikit-learn's units `C·Σloss + ½‖W‖²`.
    pub objective: f64,
}

pub(crate) fn class_target<'a>(model: &str, y: Option<&'a Target>) -> Result<(&'a [usize], usize)> {
    match y {
        Some(Target::Classes { y, n_classes }) => Ok((y, *n_classes)),
        Some(Target::Values(_)) => Err(Error::data(format!("{model} is a classifier but the target is numeric and continuous; pick a regressor"))),
        None => Err(Error::data(format!("{model} needs a target column"))),
    }
}

/// Numerically safe logistic function (shared by the boosting models).
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// log(1 + exp(z)) without overflow (the reference for [`log1pexp_sigmoid`]).
#[cfg(test)]
fn log1pexp(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// `(log1pexp(z), sigmoid(z))` with one `exp`: bit-identical to calling the two
/// (same branches and operations; at z = 0 both forms of the sigmoid give 0.5).
#[inline]
fn log1pexp_sigmoid(z: f64) -> (f64, f64) {
    if z > 0.0 {
        let e = (-z).exp();
        (z + e.ln_1p(), 1.0 / (1.0 + e))
    } else {
        let e = z.exp();
        (e.ln_1p(), e / (1.0 + e))
    }
}

impl ModelParams for LogisticRegressionParams {
    type Fitted = LogisticRegression;
    fn task(&self) -> Task {
        Task::Classification
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<LogisticRegression> {
        check_fit("LogisticRegression", x)?;
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::param("LogisticRegression", "C", format!("must be a positive number, got {}", self.c)));
        }
        if !(self.tol > 0.0) {
            return Err(Error::param("LogisticRegression", "tol", "must be positive"));
        }
        if self.solver != "lbfgs" {
            return Err(Error::param("LogisticRegression", "solver", format!("{:?} is not available; pipelab implements \"lbfgs\"", self.solver)));
        }
        let (y, n_classes) = class_target("LogisticRegression", y)?;
        let (n, p) = x.dim();
        // Sample weights.
        let sw: Vec<f64> = match self.class_weight {
            Some(ClassWeight::Balanced) => {
                let cw = super::balanced_class_weights(y, n_classes, None);
                y.iter().map(|&c| cw[c]).collect()
            }
            _ => vec![1.0; n],
        };
        let sw_sum: f64 = sw.iter().sum();
        let k = if n_classes <= 2 { 1 } else { n_classes };
        let fi = self.fit_intercept;
        let stride = p + fi as usize;
        // Objective divided by Σs: mean loss + ‖W‖² / (2 C Σs).
        let l2 = 1.0 / (self.c * sw_sum);
        let mut z = Array2::<f64>::zeros((n, k));
        let mut resid = Array2::<f64>::zeros((n, k));
        let objective = |w: &[f64], grad: &mut [f64], z: &mut Array2<f64>, resid: &mut Array2<f64>| -> f64 {
            let wm = ndarray::ArrayView2::from_shape((k, stride), w).expect("parameter vector has k·stride entries");
            let coef = wm.slice(s![.., ..p]);
            ndarray::linalg::general_mat_mul(1.0, x, &coef.t(), 0.0, z);
            if fi {
                let b = wm.column(p);
                *z += &b;
            }
            let mut loss = 0.0;
            if k == 1 {
                // Hot loop (every L-BFGS evaluation): one exp per row, no index checks.
                let zs = z.as_slice().expect("z is a fresh standard-layout n×1 array");
                let rs = resid.as_slice_mut().expect("resid is a fresh standard-layout n×1 array");
                for (((&zi, r), &c), &s) in zs.iter().zip(rs.iter_mut()).zip(y).zip(&sw) {
                    let yi = (c == 1) as u8 as f64;
                    let (lp, sg) = log1pexp_sigmoid(zi);
                    loss += s * (lp - yi * zi);
                    *r = s * (sg - yi);
                }
            } else {
                for i in 0..n {
                    let row = z.row(i);
                    let m = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                    let se: f64 = row.iter().map(|&v| (v - m).exp()).sum();
                    let lse = m + se.ln();
                    loss += sw[i] * (lse - row[y[i]]);
                    for c in 0..k {
                        resid[[i, c]] = sw[i] * ((row[c] - lse).exp() - if c == y[i] { 1.0 } else { 0.0 });
                    }
                }
            }
            let mut gm = ndarray::ArrayViewMut2::from_shape((k, stride), grad).expect("gradient has k·stride entries");
            {
                let mut gc = gm.slice_mut(s![.., ..p]);
                ndarray::linalg::general_mat_mul(1.0 / sw_sum, &resid.t(), x, 0.0, &mut gc);
                gc.scaled_add(l2, &coef);
            }
            if fi {
                let gb = resid.sum_axis(Axis(0)) / sw_sum;
                gm.column_mut(p).assign(&gb);
            }
            loss / sw_sum + 0.5 * l2 * coef.iter().map(|v| v * v).sum::<f64>()
        };
        let w0 = vec![0.0; k * stride];
        let opts = LbfgsOptions { m: 10, gtol: self.tol * 1e-6, max_iter: self.max_iter };
        let r = minimize(|w, g| objective(w, g, &mut z, &mut resid), w0, opts);
        if r.x.iter().any(|v| !v.is_finite()) {
            return Err(Error::Numerical("LogisticRegression: the optimizer diverged (non-finite coefficients); scale the features".into()));
        }
        if !r.converged && r.grad_max > 1e-5 {
            ctx.warn(format!(
                "LogisticRegression: lbfgs stopped after {} iterations before converging (max |gradient| {:.2e}); increase max_iter or scale the features",
                r.n_iter, r.grad_max
            ));
        }
        let wm = Array2::from_shape_vec((k, stride), r.x).expect("parameter vector has k·stride entries");
        let coef = (0..k).map(|c| wm.slice(s![c, ..p]).to_vec()).collect();
        let intercept = if fi { wm.column(p).to_vec() } else { vec![0.0; k] };
        Ok(LogisticRegression { coef, intercept, n_classes, n_iter: r.n_iter, converged: r.converged, objective: r.f * sw_sum * self.c })
    }
    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("C", "float", json!(1.0), "Inverse regularization strength: smaller C = simpler model.").range(Some(1e-6), Some(1e6)),
            ParamInfo::new("penalty", "choice", json!("l2"), "Regularization penalty.").choices(&["l2"]),
            ParamInfo::new("fit_intercept", "bool", json!(true), "Learn a constant term (not penalized)."),
            ParamInfo::new("max_iter", "int", json!(100), "Maximum lbfgs iterations.").range(Some(1.0), Some(100000.0)),
            ParamInfo::new("tol", "float", json!(1e-4), "Stopping tolerance; pipelab's lbfgs stops at max|gradient| ≤ tol·1e-6, i.e. at scikit-learn's tightly converged optimum.").range(Some(1e-12), Some(1.0)),
            ParamInfo::new("class_weight", "choice", json!(null), "\"balanced\" weighs classes inversely to their frequency.").choices(&["balanced"]),
        ]
    }
    fn help() -> &'static str {
        "Linear classifier giving class probabilities (softmax for more than two classes)."
    }
}

impl LogisticRegression {
    pub fn decision_function(&self, x: &Array2<f64>) -> Array2<f64> {
        let k = self.coef.len();
        let p = x.ncols();
        let mut w = Array2::<f64>::zeros((p, k));
        for (c, row) in self.coef.iter().enumerate() {
            for j in 0..p {
                w[[j, c]] = row[j];
            }
        }
        let mut z = x.dot(&w);
        z += &Array1::from(self.intercept.clone());
        z
    }
}

impl FittedModel for LogisticRegression {
    fn n_features(&self) -> usize {
        self.coef.first().map_or(0, Vec::len)
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features("LogisticRegression", self.n_features(), x)?;
        let z = self.decision_function(x);
        let n = x.nrows();
        let kc = self.n_classes.max(2);
        let mut proba = Array2::<f64>::zeros((n, kc));
        if self.coef.len() == 1 {
            for i in 0..n {
                let p1 = sigmoid(z[[i, 0]]);
                proba[[i, 0]] = 1.0 - p1;
                proba[[i, 1]] = p1;
            }
        } else {
            for i in 0..n {
                let row = z.row(i);
                let m = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let se: f64 = row.iter().map(|&v| (v - m).exp()).sum();
                for c in 0..kc {
                    proba[[i, c]] = (row[c] - m).exp() / se;
                }
            }
        }
        let labels = (0..n).map(|i| argmax(proba.row(i).as_slice().expect("row-major"))).collect();
        if self.n_classes == 1 {
            proba = Array2::from_elem((n, 1), 1.0);
        }
        Ok(Output::Classes { labels, proba: Some(proba) })
    }
    fn inspect(&self, names: &[String]) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self.coef.iter().map(|r| named(names, r)).collect();
        json!({"kind": "linear_classifier", "coef": rows, "intercept": self.intercept, "n_iter": self.n_iter, "converged": self.converged})
    }
    fn validate(&self) -> Result<()> {
        let k = self.coef.len();
        let p = self.n_features();
        let ok = (k == 1 && self.n_classes <= 2 || k == self.n_classes && k > 2)
            && self.intercept.len() == k
            && self.coef.iter().all(|r| r.len() == p && r.iter().all(|v| v.is_finite()))
            && self.intercept.iter().all(|v| v.is_finite());
        if !ok {
            return Err(Error::ModelFile(format!("LogisticRegression: coefficient shapes do not match {} classes", self.n_classes)));
        }
        Ok(())
    }
}

/// Index of the largest value; the first on ties (as numpy's argmax).
pub fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod fused_tests {
    use super::*;

    #[test]
    fn fused_log1pexp_sigmoid_is_bit_identical() {
        let mut zs = vec![0.0, -0.0, 1e-300, -1e-300, 1e-16, -1e-16, 0.5, -0.5, 1.0, -1.0, 36.0, -36.0, 700.0, -700.0, 800.0, -800.0];
        zs.extend((-2000..=2000).map(|i| i as f64 * 0.0173));
        for z in zs {
            let (a, b) = log1pexp_sigmoid(z);
            assert_eq!(a.to_bits(), log1pexp(z).to_bits(), "log1pexp({z})");
            assert_eq!(b.to_bits(), sigmoid(z).to_bits(), "sigmoid({z})");
        }
    }
}
