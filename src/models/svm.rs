//! `LinearSVC`: L2-regularized linear support vector classification as
//! liblinear solves it for scikit-learn:
//!
//! `min ½‖w̃‖² + C Σ loss(yᵢ w̃·x̃ᵢ)` with `x̃ᵢ = [xᵢ, intercept_scaling]`, so the
//! intercept is an extra (penalized) feature, exactly as in liblinear.
//! `loss` is `squared_hinge` (`max(0, 1 − m)²`) or `hinge` (`max(0, 1 − m)`).
//!
//! Solvers follow scikit-learn's `dual="auto"` choice: the dual problem by
//! liblinear's dual coordinate descent (with shrinking, random order seeded by
//! `random_state`) when there are fewer rows than features or the loss is
//! `hinge`; otherwise the primal problem (squared hinge is differentiable) by
//! L-BFGS. Both reach the same optimum. More than two classes: one-vs-rest,
//! the highest decision value wins.

use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::logistic::class_target;
use super::optim::{minimize, LbfgsOptions};
use super::{check_fit, check_n_features, named};
use crate::estimator::{FitContext, FittedModel, ModelParams, Output, ParamInfo, Target, Task};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SvcLoss {
    #[default]
    SquaredHinge,
    Hinge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DualMode {
    #[default]
    Auto,
}

/// scikit-learn's `dual`: `"auto"`, `true` or `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Dual {
    Flag(bool),
    Mode(DualMode),
}

impl Default for Dual {
    fn default() -> Self {
        Dual::Mode(DualMode::Auto)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearSVCParams {
    #[serde(rename = "C")]
    pub c: f64,
    pub loss: SvcLoss,
    pub dual: Dual,
    pub fit_intercept: bool,
    pub intercept_scaling: f64,
    pub tol: f64,
    pub max_iter: usize,
    pub random_state: Option<u64>,
}

impl Default for LinearSVCParams {
    fn default() -> Self {
        LinearSVCParams {
            c: 1.0,
            loss: SvcLoss::SquaredHinge,
            dual: Dual::default(),
            fit_intercept: true,
            intercept_scaling: 1.0,
            tol: 1e-4,
            max_iter: 1000,
            random_state: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearSVC {
    /// One row per one-vs-rest problem (a single row for two classes: positive = `classes[1]`).
    pub coef: Vec<Vec<f64>>,
    pub intercept: Vec<f64>,
    /// Class indices seen in training, ascending.
    pub classes: Vec<usize>,
    pub n_classes: usize,
    /// Iterations of each problem.
    pub n_iter: Vec<usize>,
    /// "dual_cd" or "primal_lbfgs".
    pub solver: String,
}

struct Binary {
    w: Vec<f64>,
    bias: f64,
    n_iter: usize,
    converged: bool,
}

/// liblinear's `solve_l2r_l1l2_svc`: dual coordinate descent with shrinking.
#[allow(clippy::too_many_arguments)]
fn dual_cd(xs: &[f64], n: usize, p: usize, yb: &[f64], c: f64, loss: SvcLoss, s: f64, tol: f64, max_iter: usize, rng: &mut ChaCha8Rng) -> Binary {
    let (diag, upper) = match loss {
        SvcLoss::SquaredHinge => (0.5 / c, f64::INFINITY),
        SvcLoss::Hinge => (0.0, c),
    };
    let row = |i: usize| &xs[i * p..(i + 1) * p];
    let qd: Vec<f64> = (0..n).map(|i| diag + row(i).iter().map(|v| v * v).sum::<f64>() + s * s).collect();
    let mut alpha = vec![0.0; n];
    let mut w = vec![0.0; p];
    let mut wb = 0.0;
    let mut index: Vec<usize> = (0..n).collect();
    let mut active = n;
    let (mut pgmax_old, mut pgmin_old) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut iter = 0;
    let mut converged = false;
    while iter < max_iter {
        let (mut pgmax_new, mut pgmin_new) = (f64::NEG_INFINITY, f64::INFINITY);
        index[..active].shuffle(rng);
        let mut k = 0;
        while k < active {
            let i = index[k];
            let yi = yb[i];
            let xi = row(i);
            let g = yi * (xi.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + s * wb) - 1.0 + alpha[i] * diag;
            let mut pg = 0.0;
            if alpha[i] == 0.0 {
                if g > pgmax_old {
                    active -= 1;
                    index.swap(k, active);
                    continue;
                } else if g < 0.0 {
                    pg = g;
                }
            } else if alpha[i] == upper {
                if g < pgmin_old {
                    active -= 1;
                    index.swap(k, active);
                    continue;
                } else if g > 0.0 {
                    pg = g;
                }
            } else {
                pg = g;
            }
            pgmax_new = pgmax_new.max(pg);
            pgmin_new = pgmin_new.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (alpha[i] - g / qd[i]).max(0.0).min(upper);
                let d = (alpha[i] - old) * yi;
                for (wj, xj) in w.iter_mut().zip(xi) {
                    *wj += d * xj;
                }
                wb += d * s;
            }
            k += 1;
        }
        iter += 1;
        if pgmax_new - pgmin_new <= tol {
            if active == n {
                converged = true;
                break;
            }
            active = n;
            pgmax_old = f64::INFINITY;
            pgmin_old = f64::NEG_INFINITY;
            continue;
        }
        pgmax_old = if pgmax_new <= 0.0 { f64::INFINITY } else { pgmax_new };
        pgmin_old = if pgmin_new >= 0.0 { f64::NEG_INFINITY } else { pgmin_new };
    }
    Binary { w, bias: wb * s, n_iter: iter, converged }
}

/// The primal squared-hinge problem by L-BFGS (the objective is C¹, piecewise quadratic).
fn primal_lbfgs(xs: &[f64], n: usize, p: usize, yb: &[f64], c: f64, s: f64, tol: f64, max_iter: usize) -> Binary {
    let with_b = s != 0.0;
    let dim = p + with_b as usize;
    let objective = |w: &[f64], g: &mut [f64]| -> f64 {
        g.copy_from_slice(w);
        let mut f = 0.5 * w.iter().map(|v| v * v).sum::<f64>();
        let wb = if with_b { w[p] } else { 0.0 };
        for i in 0..n {
            let xi = &xs[i * p..(i + 1) * p];
            let z = xi.iter().zip(&w[..p]).map(|(a, b)| a * b).sum::<f64>() + s * wb;
            let m = 1.0 - yb[i] * z;
            if m > 0.0 {
                f += c * m * m;
                let coef = -2.0 * c * m * yb[i];
                for (gj, xj) in g[..p].iter_mut().zip(xi) {
                    *gj += coef * xj;
                }
                if with_b {
                    g[p] += coef * s;
                }
            }
        }
        f
    };
    // liblinear stops at ‖g‖ ≤ tol·max(min(#pos, #neg), 1)/n · ‖g₀‖; we converge much tighter
    // (same optimum, so the answer does not depend on where a solver happens to stop).
    let mut objective = objective;
    let mut g0 = vec![0.0; dim];
    objective(&vec![0.0; dim], &mut g0);
    let g0max = g0.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let r = minimize(&mut objective, vec![0.0; dim], LbfgsOptions { m: 10, gtol: (tol * 1e-6 * g0max).max(1e-12), max_iter: max_iter.max(1) * 10 });
    let bias = if with_b { r.x[p] * s } else { 0.0 };
    let converged = r.converged || r.grad_max <= tol * g0max;
    Binary { w: r.x[..p].to_vec(), bias, n_iter: r.n_iter, converged }
}

impl ModelParams for LinearSVCParams {
    type Fitted = LinearSVC;
    fn task(&self) -> Task {
        Task::Classification
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<LinearSVC> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::param("LinearSVC", "C", format!("must be a positive number, got {}", self.c)));
        }
        if !(self.tol > 0.0 && self.tol.is_finite()) {
            return Err(Error::param("LinearSVC", "tol", format!("must be positive, got {}", self.tol)));
        }
        if self.max_iter == 0 {
            return Err(Error::param("LinearSVC", "max_iter", "must be at least 1"));
        }
        if self.fit_intercept && !(self.intercept_scaling > 0.0 && self.intercept_scaling.is_finite()) {
            return Err(Error::param("LinearSVC", "intercept_scaling", format!("must be positive, got {}", self.intercept_scaling)));
        }
        check_fit("LinearSVC", x)?;
        let (y, n_classes) = class_target("LinearSVC", y)?;
        let (n, p) = x.dim();
        if y.len() != n {
            return Err(Error::data("LinearSVC: target and feature rows do not match"));
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::data("LinearSVC: the features hold missing or infinite values; add a SimpleImputer"));
        }
        let mut present = vec![false; n_classes];
        for &c in y {
            present[c] = true;
        }
        let classes: Vec<usize> = (0..n_classes).filter(|&c| present[c]).collect();
        if classes.len() < 2 {
            return Err(Error::data("LinearSVC: the training rows hold a single class; it needs at least two"));
        }
        let dual = match self.dual {
            Dual::Flag(d) => d,
            Dual::Mode(DualMode::Auto) => self.loss == SvcLoss::Hinge || n < p,
        };
        if !dual && self.loss == SvcLoss::Hinge {
            return Err(Error::param("LinearSVC", "dual", "loss=\"hinge\" is only solved in the dual; set dual to true or \"auto\""));
        }
        let s = if self.fit_intercept { self.intercept_scaling } else { 0.0 };
        let xc = x.as_standard_layout();
        let xs = xc.as_slice().expect("as_standard_layout gives a contiguous matrix");
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed_for(self.random_state));
        let problems: Vec<usize> = if classes.len() == 2 { vec![classes[1]] } else { classes.clone() };
        let mut coef = Vec::new();
        let mut intercept = Vec::new();
        let mut n_iter = Vec::new();
        let mut yb = vec![0.0; n];
        for &pos in &problems {
            for (b, &c) in yb.iter_mut().zip(y) {
                *b = if c == pos { 1.0 } else { -1.0 };
            }
            let r = if dual {
                dual_cd(xs, n, p, &yb, self.c, self.loss, s, self.tol, self.max_iter, &mut rng)
            } else {
                primal_lbfgs(xs, n, p, &yb, self.c, s, self.tol, self.max_iter)
            };
            if !r.converged {
                ctx.warn(format!(
                    "LinearSVC: the solver stopped after {} iterations before converging; increase max_iter or scale the features (StandardScaler)",
                    r.n_iter
                ));
            }
            if r.w.iter().chain([&r.bias]).any(|v| !v.is_finite()) {
                return Err(Error::Numerical("LinearSVC: the solver diverged (non-finite coefficients); scale the features".into()));
            }
            coef.push(r.w);
            intercept.push(r.bias);
            n_iter.push(r.n_iter);
        }
        Ok(LinearSVC { coef, intercept, classes, n_classes, n_iter, solver: if dual { "dual_cd" } else { "primal_lbfgs" }.into() })
    }
    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("C", "float", json!(1.0), "Inverse regularization strength: smaller C = wider margin, simpler model.").range(Some(1e-6), Some(1e6)),
            ParamInfo::new("loss", "choice", json!("squared_hinge"), "Penalty for points inside the margin.").choices(&["squared_hinge", "hinge"]),
            ParamInfo::new("dual", "choice", json!("auto"), "Solve the dual (coordinate descent) or the primal problem; auto picks as scikit-learn.")
                .choices(&["auto", "true", "false"]),
            ParamInfo::new("fit_intercept", "bool", json!(true), "Learn a constant term (penalized, as liblinear does)."),
            ParamInfo::new("intercept_scaling", "float", json!(1.0), "Value of the synthetic constant feature; larger = intercept less penalized.").range(Some(1e-3), Some(1e3)),
            ParamInfo::new("tol", "float", json!(1e-4), "Stopping tolerance.").range(Some(1e-12), Some(1.0)),
            ParamInfo::new("max_iter", "int", json!(1000), "Maximum solver iterations.").range(Some(1.0), Some(1e6)),
            ParamInfo::new("random_state", "int_or_null", json!(null), "Seed of the coordinate order (dual solver)."),
        ]
    }
    fn help() -> &'static str {
        "Linear support vector classifier: a maximum-margin separating hyperplane (one-vs-rest for several classes)."
    }
}

impl LinearSVC {
    /// Decision values, one column per row of `coef`.
    pub fn decision_function(&self, x: &Array2<f64>) -> Array2<f64> {
        let k = self.coef.len();
        let mut z = Array2::<f64>::zeros((x.nrows(), k));
        for (i, row) in x.rows().into_iter().enumerate() {
            for c in 0..k {
                z[[i, c]] = row.iter().zip(&self.coef[c]).map(|(a, b)| a * b).sum::<f64>() + self.intercept[c];
            }
        }
        z
    }
}

impl FittedModel for LinearSVC {
    fn n_features(&self) -> usize {
        self.coef.first().map_or(0, Vec::len)
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features("LinearSVC", self.n_features(), x)?;
        let z = self.decision_function(x);
        let labels = if self.coef.len() == 1 {
            z.column(0).iter().map(|&v| if v > 0.0 { self.classes[1] } else { self.classes[0] }).collect()
        } else {
            z.rows()
                .into_iter()
                .map(|r| self.classes[super::logistic::argmax(r.as_slice().expect("rows of a standard-layout matrix are contiguous"))])
                .collect()
        };
        Ok(Output::Classes { labels, proba: None })
    }
    fn inspect(&self, names: &[String]) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self.coef.iter().map(|r| named(names, r)).collect();
        let imp: Vec<f64> = (0..self.n_features()).map(|j| self.coef.iter().map(|r| r[j].abs()).sum::<f64>() / self.coef.len() as f64).collect();
        json!({"kind": "linear_classifier", "coef": rows, "intercept": self.intercept, "classes": self.classes,
               "n_iter": self.n_iter, "solver": self.solver, "feature_importances": named(names, &imp)})
    }
    fn validate(&self) -> Result<()> {
        let k = self.coef.len();
        let p = self.n_features();
        let ok = self.classes.len() >= 2
            && self.classes.windows(2).all(|w| w[0] < w[1])
            && self.classes.iter().all(|&c| c < self.n_classes)
            && (k == 1 && self.classes.len() == 2 || k == self.classes.len() && k > 2)
            && p >= 1
            && self.intercept.len() == k
            && self.coef.iter().all(|r| r.len() == p && r.iter().all(|v| v.is_finite()))
            && self.intercept.iter().all(|v| v.is_finite());
        if !ok {
            return Err(Error::ModelFile("LinearSVC: coefficient shapes do not match the classes".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two Gaussian-ish blobs per class on a grid, deterministic.
    fn blobs(k: usize) -> (Array2<f64>, Target) {
        let centers = [(0.0, 0.0), (4.0, 0.5), (1.0, 4.0)];
        let mut v = Vec::new();
        let mut y = Vec::new();
        for c in 0..k {
            for i in 0..20 {
                let t = i as f64;
                v.push(centers[c].0 + (t * 1.3).sin());
                v.push(centers[c].1 + (t * 0.7).cos());
                y.push(c);
            }
        }
        (Array2::from_shape_vec((20 * k, 2), v).unwrap(), Target::Classes { y, n_classes: k })
    }

    fn objective(m: &LinearSVC, x: &Array2<f64>, y: &[usize], c: f64, hinge: bool) -> f64 {
        let w = &m.coef[0];
        let b = m.intercept[0];
        let mut f = 0.5 * (w.iter().map(|v| v * v).sum::<f64>() + b * b);
        for (i, r) in x.rows().into_iter().enumerate() {
            let yi = if y[i] == m.classes[1] { 1.0 } else { -1.0 };
            let z = r.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() + b;
            let l = (1.0 - yi * z).max(0.0);
            f += c * if hinge { l } else { l * l };
        }
        f
    }

    #[test]
    fn primal_and_dual_reach_the_same_optimum() {
        let (x, t) = blobs(2);
        let Target::Classes { y, .. } = &t else { panic!() };
        let ctx = FitContext::new(0);
        let pr = LinearSVCParams { dual: Dual::Flag(false), ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap();
        let du = LinearSVCParams { dual: Dual::Flag(true), tol: 1e-10, max_iter: 100000, ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap();
        assert_eq!(pr.solver, "primal_lbfgs");
        assert_eq!(du.solver, "dual_cd");
        for j in 0..2 {
            assert!((pr.coef[0][j] - du.coef[0][j]).abs() < 1e-5, "{:?} vs {:?}", pr.coef, du.coef);
        }
        assert!((pr.intercept[0] - du.intercept[0]).abs() < 1e-5);
        let (fp, fd) = (objective(&pr, &x, y, 1.0, false), objective(&du, &x, y, 1.0, false));
        assert!((fp - fd).abs() < 1e-7 * fp.max(1.0), "{fp} {fd}");
        let Output::Classes { labels, proba } = pr.predict(&x).unwrap() else { panic!() };
        assert!(proba.is_none());
        assert_eq!(&labels, y);
        pr.validate().unwrap();
    }

    #[test]
    fn hinge_loss_dual_is_optimal_and_ovr_works() {
        let (x, t) = blobs(3);
        let ctx = FitContext::new(0);
        let m = LinearSVCParams { loss: SvcLoss::Hinge, tol: 1e-8, max_iter: 100000, ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap();
        assert_eq!(m.coef.len(), 3);
        let Output::Classes { labels, .. } = m.predict(&x).unwrap() else { panic!() };
        let Target::Classes { y, .. } = &t else { panic!() };
        let acc = labels.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64;
        assert!(acc > 0.95, "{acc}");
        // Binary hinge: perturbing the solution does not lower the objective.
        let (x2, t2) = blobs(2);
        let Target::Classes { y: y2, .. } = &t2 else { panic!() };
        let m2 = LinearSVCParams { loss: SvcLoss::Hinge, tol: 1e-10, max_iter: 100000, ..Default::default() }.fit(&x2, Some(&t2), &ctx).unwrap();
        let f0 = objective(&m2, &x2, y2, 1.0, true);
        for d in [[1e-3, 0.0, 0.0], [0.0, -1e-3, 0.0], [0.0, 0.0, 1e-3], [-1e-3, 1e-3, -1e-3]] {
            let mut mm = m2.clone();
            mm.coef[0][0] += d[0];
            mm.coef[0][1] += d[1];
            mm.intercept[0] += d[2];
            assert!(objective(&mm, &x2, y2, 1.0, true) >= f0 - 1e-9);
        }
    }

    #[test]
    fn errors_and_edge_cases() {
        let (x, t) = blobs(2);
        let ctx = FitContext::new(0);
        let e = LinearSVCParams { c: 0.0, ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap_err();
        assert!(e.to_string().contains("'C'"), "{e}");
        let e = LinearSVCParams { loss: SvcLoss::Hinge, dual: Dual::Flag(false), ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap_err();
        assert!(e.to_string().contains("dual"), "{e}");
        let e = LinearSVCParams { max_iter: 0, ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap_err();
        assert!(e.to_string().contains("max_iter"));
        let p: LinearSVCParams = serde_json::from_str(r#"{"C": 0.5, "loss": "hinge", "dual": true}"#).unwrap();
        assert_eq!(p.dual, Dual::Flag(true));
        let p: LinearSVCParams = serde_json::from_str(r#"{"dual": "auto"}"#).unwrap();
        assert_eq!(p.dual, Dual::Mode(DualMode::Auto));
        assert!(serde_json::from_str::<LinearSVCParams>(r#"{"penalty": "l1"}"#).is_err());
        assert!(serde_json::from_str::<LinearSVCParams>(r#"{"dual": "maybe"}"#).is_err());
        // One sample of one class: refused with a clear message.
        let x1 = Array2::from_shape_vec((1, 2), vec![1.0, 2.0]).unwrap();
        assert!(LinearSVCParams::default().fit(&x1, Some(&Target::Classes { y: vec![0], n_classes: 2 }), &ctx).is_err());
        // Constant feature: its weight is 0.
        let mut xc = x.clone();
        xc.column_mut(1).fill(0.0);
        let m = LinearSVCParams::default().fit(&xc, Some(&t), &ctx).unwrap();
        assert!(m.coef[0][1].abs() < 1e-12);
        // Absent class in the training rows: never predicted.
        let Target::Classes { y, .. } = &t else { panic!() };
        let t3 = Target::Classes { y: y.iter().map(|&c| c * 2).collect(), n_classes: 3 };
        let m = LinearSVCParams::default().fit(&x, Some(&t3), &ctx).unwrap();
        assert_eq!(m.classes, vec![0, 2]);
        let Output::Classes { labels, .. } = m.predict(&x).unwrap() else { panic!() };
        assert!(labels.iter().all(|&l| l != 1));
        let mut bad = m.clone();
        bad.intercept.push(0.0);
        assert!(bad.validate().is_err());
    }
}
