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
//!
//! `SVC` (RBF kernel): libsvm's SMO (second-order working-set selection,
//! kernel rows computed on demand within a 64 MB cache), one-vs-one with
//! voting for several classes, as scikit-learn. Refuses more than
//! [`SVC_MAX_ROWS`] training rows.

use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::optim::{minimize, LbfgsOptions};
use super::{check_fit, check_n_features};
use crate::estimator::class_target;
use crate::estimator::{Coefficients, FitContext, FittedModel, ImportanceKind, Importances, Inspection, ModelParams, Output, ParamInfo, Target, Task};
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
    /// `"true"` / `"false"` as text (what a form sends); same as the booleans.
    True,
    False,
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
#[allow(clippy::too_many_arguments)]
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
            Dual::Mode(DualMode::True) => true,
            Dual::Mode(DualMode::False) => false,
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
            ParamInfo::new("intercept_scaling", "float", json!(1.0), "Value of the synthetic constant feature; larger = intercept less penalized.")
                .range(Some(1e-3), Some(1e3)),
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
            z.rows().into_iter().map(|r| self.classes[crate::numeric::argmax(r.as_slice().expect("rows of a standard-layout matrix are contiguous"))]).collect()
        };
        Ok(Output::Classes { labels, proba: None })
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        let coefficients = Coefficients { rows: self.coef.clone(), intercepts: self.intercept.clone(), classes: Some(self.classes.clone()) };
        Inspection { coefficients: Some(coefficients), ..Default::default() }
            .fact("intercept", &self.intercept)
            .fact("classes", &self.classes)
            .fact("n_iter", &self.n_iter)
            .fact("solver", &self.solver)
    }
    /// |coef| averaged over the one-vs-rest rows.
    fn importances(&self) -> Option<Importances> {
        let values = (0..self.n_features()).map(|j| self.coef.iter().map(|r| r[j].abs()).sum::<f64>() / self.coef.len() as f64).collect();
        Some(Importances { kind: ImportanceKind::AbsCoef, values })
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

// ---------------------------------------------------------------- SVC (RBF kernel)

/// `gamma`: `"scale"` (1 / (n_features · Var(X))), `"auto"` (1 / n_features) or a number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Gamma {
    Value(f64),
    Mode(GammaMode),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum GammaMode {
    #[default]
    Scale,
    Auto,
}

impl Default for Gamma {
    fn default() -> Self {
        Gamma::Mode(GammaMode::Scale)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    #[default]
    Rbf,
}

/// Largest training set `SVC` accepts (the kernel solver is quadratic in rows).
pub const SVC_MAX_ROWS: usize = 5000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SVCParams {
    #[serde(rename = "C")]
    pub c: f64,
    pub kernel: Kernel,
    pub gamma: Gamma,
    pub tol: f64,
    /// −1 = no limit (scikit-learn's default).
    pub max_iter: i64,
}

impl Default for SVCParams {
    fn default() -> Self {
        SVCParams { c: 1.0, kernel: Kernel::Rbf, gamma: Gamma::default(), tol: 1e-3, max_iter: -1 }
    }
}

/// One one-vs-one problem: classes `a` (positive) and `b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SvcPair {
    pub a: usize,
    pub b: usize,
    /// Indices into the support vectors, and their coefficients `αᵢ·yᵢ`.
    pub sv: Vec<usize>,
    pub dual_coef: Vec<f64>,
    pub rho: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SVC {
    pub gamma: f64,
    pub n_features: usize,
    /// Support vectors, row-major.
    pub support_vectors: Vec<f64>,
    pub pairs: Vec<SvcPair>,
    pub classes: Vec<usize>,
    pub n_classes: usize,
}

fn rbf(a: &[f64], b: &[f64], gamma: f64) -> f64 {
    (-gamma * a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>()).exp()
}

/// Kernel rows computed on demand, kept within a memory budget (oldest evicted first).
struct KernelRows<'a> {
    x: &'a [f64],
    p: usize,
    idx: &'a [usize],
    gamma: f64,
    rows: Vec<Option<Vec<f64>>>,
    order: std::collections::VecDeque<usize>,
    max_rows: usize,
}

impl<'a> KernelRows<'a> {
    fn new(x: &'a [f64], p: usize, idx: &'a [usize], gamma: f64) -> Self {
        let n = idx.len();
        let budget = 64 << 20; // bytes
        let max_rows = (budget / (8 * n.max(1))).max(2);
        KernelRows { x, p, idx, gamma, rows: vec![None; n], order: Default::default(), max_rows }
    }
    fn row(&mut self, i: usize) -> &[f64] {
        if self.rows[i].is_none() {
            if self.order.len() >= self.max_rows {
                if let Some(old) = self.order.pop_front() {
                    self.rows[old] = None;
                }
            }
            let p = self.p;
            let xi = &self.x[self.idx[i] * p..(self.idx[i] + 1) * p];
            let r: Vec<f64> = self.idx.iter().map(|&t| rbf(xi, &self.x[t * p..(t + 1) * p], self.gamma)).collect();
            self.rows[i] = Some(r);
            self.order.push_back(i);
        }
        self.rows[i].as_deref().expect("row computed just above")
    }
}

/// libsvm's SMO for C-SVC (second-order working-set selection, no shrinking)
/// on rows `idx` with labels ±1. Returns (α·y, rho, iterations, converged).
#[allow(clippy::too_many_arguments)]
fn smo(x: &[f64], p: usize, idx: &[usize], y: &[f64], c: f64, gamma: f64, tol: f64, max_iter: usize) -> (Vec<f64>, f64, usize, bool) {
    const TAU: f64 = 1e-12;
    let n = idx.len();
    let mut k = KernelRows::new(x, p, idx, gamma);
    let mut alpha = vec![0.0; n];
    let mut g = vec![-1.0; n];
    let qd = vec![1.0; n]; // K(x, x) = 1 for the RBF kernel
    let up = |a: f64, yt: f64| (yt > 0.0 && a < c) || (yt < 0.0 && a > 0.0);
    let low = |a: f64, yt: f64| (yt > 0.0 && a > 0.0) || (yt < 0.0 && a < c);
    let mut iter = 0;
    let mut converged = false;
    let mut ki = vec![0.0; n];
    let mut kj_buf = vec![0.0; n];
    while iter < max_iter {
        // Working set: i maximizes −y G over I_up; j minimizes the second-order decrease.
        let (mut gmax, mut i_sel) = (f64::NEG_INFINITY, usize::MAX);
        for t in 0..n {
            if up(alpha[t], y[t]) && -y[t] * g[t] >= gmax {
                gmax = -y[t] * g[t];
                i_sel = t;
            }
        }
        if i_sel == usize::MAX {
            converged = true;
            break;
        }
        let i = i_sel;
        ki.copy_from_slice(k.row(i));
        let (mut gmax2, mut j_sel, mut obj_min) = (f64::NEG_INFINITY, usize::MAX, f64::INFINITY);
        for t in 0..n {
            if low(alpha[t], y[t]) {
                let v = y[t] * g[t];
                if v >= gmax2 {
                    gmax2 = v;
                }
                let grad_diff = gmax + v;
                if grad_diff > 0.0 {
                    let quad = qd[i] + qd[t] - 2.0 * ki[t];
                    let od = -(grad_diff * grad_diff) / if quad > 0.0 { quad } else { TAU };
                    if od <= obj_min {
                        obj_min = od;
                        j_sel = t;
                    }
                }
            }
        }
        if gmax + gmax2 < tol || j_sel == usize::MAX {
            converged = true;
            break;
        }
        let j = j_sel;
        iter += 1;
        kj_buf.copy_from_slice(k.row(j));
        let qij = y[i] * y[j] * ki[j];
        let (ai, aj) = (alpha[i], alpha[j]);
        if y[i] != y[j] {
            let quad = (qd[i] + qd[j] + 2.0 * qij).max(TAU);
            let delta = (-g[i] - g[j]) / quad;
            let diff = alpha[i] - alpha[j];
            alpha[i] += delta;
            alpha[j] += delta;
            if diff > 0.0 {
                if alpha[j] < 0.0 {
                    alpha[j] = 0.0;
                    alpha[i] = diff;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = -diff;
            }
            if diff > 0.0 {
                if alpha[i] > c {
                    alpha[i] = c;
                    alpha[j] = c - diff;
                }
            } else if alpha[j] > c {
                alpha[j] = c;
                alpha[i] = c + diff;
            }
        } else {
            let quad = (qd[i] + qd[j] - 2.0 * qij).max(TAU);
            let delta = (g[i] - g[j]) / quad;
            let sum = alpha[i] + alpha[j];
            alpha[i] -= delta;
            alpha[j] += delta;
            if sum > c {
                if alpha[i] > c {
                    alpha[i] = c;
                    alpha[j] = sum - c;
                }
            } else if alpha[j] < 0.0 {
                alpha[j] = 0.0;
                alpha[i] = sum;
            }
            if sum > c {
                if alpha[j] > c {
                    alpha[j] = c;
                    alpha[i] = sum - c;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = sum;
            }
        }
        let (dai, daj) = (alpha[i] - ai, alpha[j] - aj);
        for t in 0..n {
            // Q_it = y_i y_t K_it
            g[t] += y[t] * (y[i] * ki[t] * dai + y[j] * kj_buf[t] * daj);
        }
    }
    // rho as libsvm's calculate_rho.
    let (mut ub, mut lb, mut sum_free, mut n_free) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize);
    for t in 0..n {
        let yg = y[t] * g[t];
        if alpha[t] >= c {
            if y[t] < 0.0 {
                ub = ub.min(yg)
            } else {
                lb = lb.max(yg)
            }
        } else if alpha[t] <= 0.0 {
            if y[t] > 0.0 {
                ub = ub.min(yg)
            } else {
                lb = lb.max(yg)
            }
        } else {
            n_free += 1;
            sum_free += yg;
        }
    }
    let rho = if n_free > 0 { sum_free / n_free as f64 } else { (ub + lb) / 2.0 };
    let coef = alpha.iter().zip(y).map(|(a, yt)| a * yt).collect();
    (coef, rho, iter, converged)
}

impl ModelParams for SVCParams {
    type Fitted = SVC;
    fn task(&self) -> Task {
        Task::Classification
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<SVC> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::param("SVC", "C", format!("must be a positive number, got {}", self.c)));
        }
        if !(self.tol > 0.0 && self.tol.is_finite()) {
            return Err(Error::param("SVC", "tol", format!("must be positive, got {}", self.tol)));
        }
        if self.max_iter == 0 || self.max_iter < -1 {
            return Err(Error::param("SVC", "max_iter", "must be a positive count, or -1 for no limit"));
        }
        if let Gamma::Value(g) = self.gamma {
            if !(g > 0.0 && g.is_finite()) {
                return Err(Error::param("SVC", "gamma", format!("must be \"scale\", \"auto\" or a positive number, got {g}")));
            }
        }
        check_fit("SVC", x)?;
        let (n, p) = x.dim();
        if n > SVC_MAX_ROWS {
            return Err(Error::data(format!(
                "SVC: {n} training rows is more than the {SVC_MAX_ROWS} the kernel solver handles (its cost grows with rows²); use LinearSVC, or sample the data"
            )));
        }
        let (y, n_classes) = class_target("SVC", y)?;
        if y.len() != n {
            return Err(Error::data("SVC: target and feature rows do not match"));
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::data("SVC: the features hold missing or infinite values; add a SimpleImputer"));
        }
        let xc = x.as_standard_layout();
        let xs = xc.as_slice().expect("as_standard_layout gives a contiguous matrix");
        let gamma = match self.gamma {
            Gamma::Value(g) => g,
            Gamma::Mode(GammaMode::Auto) => 1.0 / p as f64,
            Gamma::Mode(GammaMode::Scale) => {
                let m = xs.iter().sum::<f64>() / xs.len() as f64;
                let var = xs.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / xs.len() as f64;
                if var > 0.0 {
                    1.0 / (p as f64 * var)
                } else {
                    1.0
                }
            }
        };
        let mut present = vec![false; n_classes];
        for &c in y {
            present[c] = true;
        }
        let classes: Vec<usize> = (0..n_classes).filter(|&c| present[c]).collect();
        if classes.len() < 2 {
            return Err(Error::data("SVC: the training rows hold a single class; it needs at least two"));
        }
        let max_iter = if self.max_iter < 0 { 10_000_000 } else { self.max_iter as usize };
        let mut sv_of_row = vec![usize::MAX; n];
        let mut support_vectors = Vec::new();
        let mut pairs = Vec::new();
        for (ia, &a) in classes.iter().enumerate() {
            for &b in &classes[ia + 1..] {
                let idx: Vec<usize> = (0..n).filter(|&r| y[r] == a || y[r] == b).collect();
                let yb: Vec<f64> = idx.iter().map(|&r| if y[r] == a { 1.0 } else { -1.0 }).collect();
                let (coef, rho, iters, converged) = smo(xs, p, &idx, &yb, self.c, gamma, self.tol, max_iter);
                if !converged {
                    ctx.warn(format!("SVC: the solver stopped after {iters} iterations before converging; raise max_iter or scale the features"));
                }
                let mut pair = SvcPair { a, b, sv: Vec::new(), dual_coef: Vec::new(), rho };
                for (k, &r) in idx.iter().enumerate() {
                    if coef[k] != 0.0 {
                        if sv_of_row[r] == usize::MAX {
                            sv_of_row[r] = support_vectors.len() / p;
                            support_vectors.extend_from_slice(&xs[r * p..(r + 1) * p]);
                        }
                        pair.sv.push(sv_of_row[r]);
                        pair.dual_coef.push(coef[k]);
                    }
                }
                pairs.push(pair);
            }
        }
        Ok(SVC { gamma, n_features: p, support_vectors, pairs, classes, n_classes })
    }
    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("C", "float", json!(1.0), "Inverse regularization strength: smaller C = smoother boundary.").range(Some(1e-6), Some(1e6)),
            ParamInfo::new("kernel", "choice", json!("rbf"), "Kernel (radial basis function).").choices(&["rbf"]),
            ParamInfo::new(
                "gamma",
                "choice",
                json!("scale"),
                "RBF width: \"scale\" = 1/(n_features·Var(X)), \"auto\" = 1/n_features; the spec also takes a positive number (larger = wigglier).",
            )
            .choices(&["scale", "auto"]),
            ParamInfo::new("tol", "float", json!(1e-3), "Stopping tolerance of the solver.").range(Some(1e-12), Some(1.0)),
            ParamInfo::new("max_iter", "int", json!(-1), "Solver iteration cap (−1 = none).").range(Some(-1.0), Some(1e9)),
        ]
    }
    fn help() -> &'static str {
        "Support vector classifier with an RBF kernel: curved boundaries; small data only (≤ 5,000 rows)."
    }
}

impl SVC {
    /// One-vs-one decision values, one column per pair (positive = the pair's first class).
    pub fn decision_pairs(&self, x: &Array2<f64>) -> Array2<f64> {
        let p = self.n_features;
        let n_sv = self.support_vectors.len() / p.max(1);
        let mut out = Array2::<f64>::zeros((x.nrows(), self.pairs.len()));
        let mut kv = vec![0.0; n_sv];
        let mut q = Vec::with_capacity(p);
        for (i, row) in x.rows().into_iter().enumerate() {
            q.clear();
            q.extend(row.iter());
            for (s, kvs) in kv.iter_mut().enumerate() {
                *kvs = rbf(&q, &self.support_vectors[s * p..(s + 1) * p], self.gamma);
            }
            for (c, pair) in self.pairs.iter().enumerate() {
                out[[i, c]] = pair.sv.iter().zip(&pair.dual_coef).map(|(&s, a)| a * kv[s]).sum::<f64>() - pair.rho;
            }
        }
        out
    }
}

impl FittedModel for SVC {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features("SVC", self.n_features, x)?;
        let d = self.decision_pairs(x);
        let mut votes = vec![0usize; self.n_classes];
        let labels = d
            .rows()
            .into_iter()
            .map(|r| {
                votes.iter_mut().for_each(|v| *v = 0);
                for (pair, &v) in self.pairs.iter().zip(r) {
                    votes[if v > 0.0 { pair.a } else { pair.b }] += 1;
                }
                // Most votes; ties to the smallest class present.
                let mut best = self.classes[0];
                for &c in &self.classes {
                    if votes[c] > votes[best] {
                        best = c;
                    }
                }
                best
            })
            .collect();
        Ok(Output::Classes { labels, proba: None })
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        let n_sv = self.support_vectors.len() / self.n_features.max(1);
        let per_pair: Vec<serde_json::Value> = self.pairs.iter().map(|p| json!({"classes": [p.a, p.b], "n_support": p.sv.len(), "rho": p.rho})).collect();
        Inspection::default()
            .fact("kernel", "rbf")
            .fact("gamma", self.gamma)
            .fact("n_support_vectors", n_sv)
            .detail("pairs", per_pair)
            .detail("classes", &self.classes)
    }
    fn validate(&self) -> Result<()> {
        let p = self.n_features;
        let n_sv = self.support_vectors.len().checked_div(p).unwrap_or(0);
        let k = self.classes.len();
        let ok = p >= 1
            && self.support_vectors.len() == n_sv * p
            && self.support_vectors.iter().all(|v| v.is_finite())
            && self.gamma > 0.0
            && self.gamma.is_finite()
            && k >= 2
            && self.classes.windows(2).all(|w| w[0] < w[1])
            && self.classes.iter().all(|&c| c < self.n_classes)
            && self.pairs.len() == k * (k - 1) / 2
            && self.pairs.iter().all(|pr| {
                pr.a < self.n_classes
                    && pr.b < self.n_classes
                    && pr.sv.len() == pr.dual_coef.len()
                    && pr.sv.iter().all(|&s| s < n_sv)
                    && pr.dual_coef.iter().chain([&pr.rho]).all(|v| v.is_finite())
            });
        if !ok {
            return Err(Error::ModelFile("SVC: support vectors and one-vs-one problems are inconsistent".into()));
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
        let p: LinearSVCParams = serde_json::from_str(r#"{"dual": "false"}"#).unwrap();
        assert_eq!(p.fit(&x, Some(&t), &ctx).unwrap().solver, "primal_lbfgs");
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

    #[test]
    fn svc_separates_rings_and_satisfies_kkt() {
        // Inner disc (class 0) vs outer ring (class 1): no line separates them.
        let mut v = Vec::new();
        let mut y = Vec::new();
        for i in 0..80 {
            let a = i as f64 * 0.7;
            let r = if i % 2 == 0 { 0.5 + 0.3 * (i as f64 * 0.37).sin().abs() } else { 2.0 + 0.3 * (i as f64 * 0.53).cos().abs() };
            v.push(r * a.cos());
            v.push(r * a.sin());
            y.push(i % 2);
        }
        let x = Array2::from_shape_vec((80, 2), v).unwrap();
        let t = Target::Classes { y: y.clone(), n_classes: 2 };
        let ctx = FitContext::new(0);
        let m = SVCParams { tol: 1e-6, ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap();
        let Output::Classes { labels, .. } = m.predict(&x).unwrap() else { panic!() };
        assert_eq!(labels, y);
        let lin = LinearSVCParams::default().fit(&x, Some(&t), &ctx).unwrap();
        let Output::Classes { labels: ll, .. } = lin.predict(&x).unwrap() else { panic!() };
        assert!(ll.iter().zip(&y).filter(|(a, b)| a == b).count() < 70);
        // KKT: Σ αᵢyᵢ = 0; 0 ≤ α ≤ C; free SVs have |y f(x)| = 1 within tolerance.
        let pair = &m.pairs[0];
        let s: f64 = pair.dual_coef.iter().sum();
        assert!(s.abs() < 1e-9, "{s}");
        assert!(pair.dual_coef.iter().all(|a| a.abs() <= 1.0 + 1e-12));
        let d = m.decision_pairs(&x);
        // Rows that are not support vectors lie outside the margin.
        for (r, &yi) in y.iter().enumerate() {
            let yy = if yi == 0 { 1.0 } else { -1.0 };
            let is_sv = (0..m.support_vectors.len() / 2).any(|s| m.support_vectors[2 * s] == x[[r, 0]] && m.support_vectors[2 * s + 1] == x[[r, 1]]);
            if !is_sv {
                assert!(yy * d[[r, 0]] > 1.0 - 1e-5, "row {r}: margin {}", yy * d[[r, 0]]);
            }
        }
        let sv_rows: Vec<usize> = (0..80)
            .filter(|&r| {
                let q = x.row(r);
                (0..m.support_vectors.len() / 2).any(|s| m.support_vectors[2 * s] == q[0] && m.support_vectors[2 * s + 1] == q[1])
            })
            .collect();
        for (k, &svi) in pair.sv.iter().enumerate() {
            let a = pair.dual_coef[k].abs();
            if a > 1e-8 && a < 1.0 - 1e-8 {
                let q = &m.support_vectors[2 * svi..2 * svi + 2];
                let r = sv_rows.iter().copied().find(|&r| x[[r, 0]] == q[0] && x[[r, 1]] == q[1]).unwrap();
                let yy = if y[r] == 0 { 1.0 } else { -1.0 };
                assert!((yy * d[[r, 0]] - 1.0).abs() < 1e-5, "free SV margin {}", yy * d[[r, 0]]);
            }
        }
        m.validate().unwrap();
        // gamma="scale" on this data = 1/(2·Var(X)).
        let xs: Vec<f64> = x.iter().copied().collect();
        let mean = xs.iter().sum::<f64>() / 160.0;
        let var = xs.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 160.0;
        assert!((m.gamma - 1.0 / (2.0 * var)).abs() < 1e-12);
    }

    #[test]
    fn svc_multiclass_params_and_limits() {
        let (x, t) = blobs(3);
        let ctx = FitContext::new(0);
        let m = SVCParams { gamma: Gamma::Value(0.5), ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap();
        assert_eq!(m.pairs.len(), 3);
        let Output::Classes { labels, proba } = m.predict(&x).unwrap() else { panic!() };
        assert!(proba.is_none());
        let Target::Classes { y, .. } = &t else { panic!() };
        assert!(labels.iter().zip(y).filter(|(a, b)| a == b).count() >= 57);
        let p: SVCParams = serde_json::from_str(r#"{"gamma": "auto", "C": 10}"#).unwrap();
        assert_eq!(p.gamma, Gamma::Mode(GammaMode::Auto));
        let p: SVCParams = serde_json::from_str(r#"{"gamma": 0.1}"#).unwrap();
        assert_eq!(p.gamma, Gamma::Value(0.1));
        assert!(serde_json::from_str::<SVCParams>(r#"{"kernel": "poly"}"#).is_err());
        let e = SVCParams { gamma: Gamma::Value(-1.0), ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap_err();
        assert!(e.to_string().contains("gamma"), "{e}");
        let e = SVCParams { c: -1.0, ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap_err();
        assert!(e.to_string().contains("'C'"), "{e}");
        let e = SVCParams { max_iter: 0, ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap_err();
        assert!(e.to_string().contains("max_iter"), "{e}");
        let big = Array2::<f64>::zeros((SVC_MAX_ROWS + 1, 1));
        let tb = Target::Classes { y: (0..SVC_MAX_ROWS + 1).map(|i| i % 2).collect(), n_classes: 2 };
        let e = SVCParams::default().fit(&big, Some(&tb), &ctx).unwrap_err();
        assert!(e.to_string().contains("5000"), "{e}");
        // Constant features: gamma falls back to 1 and the model still answers.
        let xc = Array2::<f64>::ones((6, 2));
        let tc = Target::Classes { y: vec![0, 1, 0, 1, 0, 1], n_classes: 2 };
        let m = SVCParams::default().fit(&xc, Some(&tc), &ctx).unwrap();
        assert_eq!(m.gamma, 1.0);
        assert!(m.predict(&xc).is_ok());
        let mut bad = m.clone();
        bad.pairs.clear();
        assert!(bad.validate().is_err());
    }
}
