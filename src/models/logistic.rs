//! `LogisticRegression` with an L2 penalty, solved by L-BFGS to the same
//! optimum as scikit-learn's `lbfgs` solver:
//!
//! `C · Σ sᵢ·loss(xᵢ) + ½‖W‖²` (intercept not penalized), divided by `Σ sᵢ` as
//! scikit-learn does internally. Two classes use one logit (the log-odds of the
//! second class); more than two use the full multinomial softmax.

use ndarray::{s, Array1, Array2};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::optim::{minimize, LbfgsOptions, LbfgsResult};
use super::{check_fit, check_n_features};
use crate::estimator::{
    class_target, Coefficients, FitContext, FittedModel, ImportanceKind, Importances, Inspection, ModelParams, Output, ParamInfo, Target, Task,
};
use crate::numeric::{argmax, avx2_dispatch, sigmoid};
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

/// log(1 + exp(z)) without overflow (the reference for [`log1pexp_sigmoid_lanes`]).
#[cfg(test)]
fn log1pexp(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Lanes of the branch-free transcendental kernels below: eight independent
/// chains per polynomial step (four SSE2 / wasm simd128 vectors, two AVX ones),
/// so the loops vectorise and the Horner latency overlaps.
const LANES: usize = 8;

/// `e^x` for `x ≤ 0` (clamped at −700, where `e^x` ≈ 1e-304 is already
/// negligible next to 1), lane by lane without branches or calls: `x = k·ln2 + r`
/// with `|r| ≤ ln2/2`, the Taylor series of `e^r` to degree 13 (truncation
/// < 1e-17 relative), times `2^k` built from the bits. Within 2 ulp of libm's exp.
#[inline(always)]
fn exp_nonpos(x: [f64; LANES]) -> [f64; LANES] {
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 1.5·2^52: adding it rounds to an integer held in the low mantissa bits.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    const C: [f64; 13] = [
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ];
    let mut t = [0.0; LANES];
    let mut r = [0.0; LANES];
    for i in 0..LANES {
        let xi = if x[i] > -700.0 { x[i] } else { -700.0 };
        t[i] = xi * std::f64::consts::LOG2_E + SHIFT;
        let k = t[i] - SHIFT;
        r[i] = (xi - k * LN2_HI) - k * LN2_LO;
    }
    let mut q = [1.0 / 6_227_020_800.0; LANES];
    for c in C {
        for i in 0..LANES {
            q[i] = q[i] * r[i] + c;
        }
    }
    let mut out = [0.0; LANES];
    for i in 0..LANES {
        // k ∈ [−1010, 0] sits in the low bits of t: 2^k = (k + 1023) << 52.
        out[i] = q[i] * f64::from_bits(t[i].to_bits().wrapping_add(1023) << 52);
    }
    out
}

/// `ln(1 + e)` for `0 ≤ e ≤ 1`, lane by lane: `2·atanh(s)` with `s = e/(2+e)`
/// (or `ln2 + 2·atanh((e−1)/(e+3))` above √2−1), so `|s| ≤ 0.172` and the odd
/// series to `s²³` is below 1e-17 relative; no cancellation for small `e`.
#[inline(always)]
fn log1p_unit(e: [f64; LANES]) -> [f64; LANES] {
    const C: [f64; 10] = [1.0 / 21.0, 1.0 / 19.0, 1.0 / 17.0, 1.0 / 15.0, 1.0 / 13.0, 1.0 / 11.0, 1.0 / 9.0, 1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0];
    let mut s = [0.0; LANES];
    let mut add = [0.0; LANES];
    for i in 0..LANES {
        let big = e[i] > std::f64::consts::SQRT_2 - 1.0;
        let num = if big { e[i] - 1.0 } else { e[i] };
        let den = if big { e[i] + 3.0 } else { e[i] + 2.0 };
        add[i] = if big { std::f64::consts::LN_2 } else { 0.0 };
        s[i] = num / den;
    }
    let mut s2 = [0.0; LANES];
    for i in 0..LANES {
        s2[i] = s[i] * s[i];
    }
    let mut q = [1.0 / 23.0; LANES];
    for c in C {
        for i in 0..LANES {
            q[i] = q[i] * s2[i] + c;
        }
    }
    let mut out = [0.0; LANES];
    for i in 0..LANES {
        out[i] = add[i] + 2.0 * s[i] + 2.0 * s[i] * s2[i] * q[i];
    }
    out
}

/// `(log(1 + e^z), σ(z))` lane by lane, from one `e = exp(−|z|)`:
/// `log(1+e^z) = max(z, 0) + log1p(e)`, `σ(z) = (z > 0 ? 1 : e) / (1 + e)`.
#[inline(always)]
fn log1pexp_sigmoid_lanes(z: &[f64; LANES]) -> ([f64; LANES], [f64; LANES]) {
    let mut na = [0.0; LANES];
    for i in 0..LANES {
        na[i] = -z[i].abs();
    }
    let e = exp_nonpos(na);
    let l = log1p_unit(e);
    let mut lp = [0.0; LANES];
    let mut sg = [0.0; LANES];
    for i in 0..LANES {
        let pos = z[i] > 0.0;
        lp[i] = (if pos { z[i] } else { 0.0 }) + l[i];
        sg[i] = (if pos { 1.0 } else { e[i] }) / (1.0 + e[i]);
    }
    (lp, sg)
}

/// Rows per block of the fused passes: the logits of a block stay in L1
/// between the dot products, the transcendental functions and the gradient update.
const BLOCK: usize = 64;

/// `Σ a·b` with four independent accumulators (vectorises; no bounds checks).
#[inline(always)]
fn dot4(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ac, bc) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ar.iter().zip(br) {
        s += x * y;
    }
    s
}

/// [`dot4`] of four consecutive rows of `x` (`p` columns each) with `w`, the
/// four rows interleaved: four 4-lane accumulators share each load of `w`, and
/// the horizontal sums of one row no longer stall the next. Each row's sum is
/// the one `dot4` computes (same lanes, same order), so the result is the same.
#[inline(always)]
fn dot4_rows4(x: &[f64], p: usize, w: &[f64]) -> [f64; 4] {
    let w = &w[..p];
    let (r0, rest) = x.split_at(p);
    let (r1, rest) = rest.split_at(p);
    let (r2, r3) = rest.split_at(p);
    let r3 = &r3[..p];
    let q = p - p % 4;
    let mut acc = [[0.0f64; 4]; 4];
    for ((((wc, a), b), c), d) in w[..q].chunks_exact(4).zip(r0.chunks_exact(4)).zip(r1.chunks_exact(4)).zip(r2.chunks_exact(4)).zip(r3.chunks_exact(4)) {
        for l in 0..4 {
            acc[0][l] += a[l] * wc[l];
            acc[1][l] += b[l] * wc[l];
            acc[2][l] += c[l] * wc[l];
            acc[3][l] += d[l] * wc[l];
        }
    }
    let mut out = [0.0; 4];
    for ((o, a), row) in out.iter_mut().zip(acc).zip([r0, r1, r2, r3]) {
        let mut s = (a[0] + a[1]) + (a[2] + a[3]);
        for (x, y) in row[q..].iter().zip(&w[q..]) {
            s += x * y;
        }
        *o = s;
    }
    out
}

/// `g += r·row`.
#[inline]
fn axpy(r: f64, row: &[f64], g: &mut [f64]) {
    for (gj, &xj) in g.iter_mut().zip(row) {
        *gj += r * xj;
    }
}

/// One block's logits `zᵢ = xᵢ·w + b` (`m` rows of `xb`, `p` columns each), then
/// `(log(1 + e^zᵢ), σ(zᵢ))` over the whole block (entries past `m` stale but finite and
/// unused): the part of [`binary_pass`] that [`binary_hessian`] shares. Inlined natively (into
/// each AVX2 copy); one compiled copy in wasm, called once per 64 rows (the page's first module
/// holds it once instead of twice).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[allow(clippy::too_many_arguments)]
fn block_logits(xb: &[f64], p: usize, m: usize, w: &[f64], b: f64, zb: &mut [f64; BLOCK], lb: &mut [f64; BLOCK], sg: &mut [f64; BLOCK]) {
    let rows4 = xb.chunks_exact(4 * p);
    let rest = rows4.remainder();
    for (zc, r4) in zb.chunks_exact_mut(4).zip(rows4) {
        for (z, d) in zc.iter_mut().zip(dot4_rows4(r4, p, w)) {
            *z = d + b;
        }
    }
    for (z, row) in zb[m - rest.len() / p..m].iter_mut().zip(rest.chunks_exact(p)) {
        *z = dot4(row, w) + b;
    }
    for ((zc, lc), gc) in zb.chunks_exact(LANES).zip(lb.chunks_exact_mut(LANES)).zip(sg.chunks_exact_mut(LANES)) {
        let z: &[f64; LANES] = zc.try_into().expect("chunks_exact(LANES) yields LANES entries");
        let (lp, sv) = log1pexp_sigmoid_lanes(z);
        lc.copy_from_slice(&lp);
        gc.copy_from_slice(&sv);
    }
}

avx2_dispatch! {
/// Binary logistic loss `Σ sᵢ·(log(1+e^zᵢ) − yᵢzᵢ)` with `zᵢ = xᵢ·w + b`, in one
/// pass over the row-major `xs` (`p` columns). Writes `Σ rᵢ·xᵢ` into `g`
/// (`rᵢ = sᵢ·(σ(zᵢ) − yᵢ)`) and returns `(loss, Σ rᵢ)`; both unscaled. With an
/// AVX2 copy natively (`numeric::cpu`): the same sums, four lanes to a register.
fn binary_pass(xs: &[f64], p: usize, yv: &[f64], sw: &[f64], w: &[f64], b: f64, g: &mut [f64]) -> (f64, f64) {
    g.fill(0.0);
    let (mut loss, mut gb) = (0.0, 0.0);
    let mut zb = [0.0f64; BLOCK];
    let mut lb = [0.0f64; BLOCK];
    let mut sb_ = [0.0f64; BLOCK];
    for ((xb, yb), sb) in xs.chunks(BLOCK * p).zip(yv.chunks(BLOCK)).zip(sw.chunks(BLOCK)) {
        let m = yb.len();
        block_logits(xb, p, m, w, b, &mut zb, &mut lb, &mut sb_);
        for ((((z, &lp), &sg), &yi), &s) in zb[..m].iter_mut().zip(&lb[..m]).zip(&sb_[..m]).zip(yb).zip(sb) {
            loss += s * (lp - yi * *z);
            *z = s * (sg - yi);
            gb += *z;
        }
        axpy_block(&zb[..m], xb, p, g);
    }
    (loss, gb)
}
}

/// `g[j] += Σ_i r[i]·xb[i·p + j]` over a block of rows, four columns at a
/// time in register accumulators (the block is in L1; `g` is touched once).
#[inline(always)]
fn axpy_block(r: &[f64], xb: &[f64], p: usize, g: &mut [f64]) {
    let mut j = 0;
    while j + 4 <= p {
        let mut acc = [0.0f64; 4];
        for (&ri, row) in r.iter().zip(xb.chunks_exact(p)) {
            let x = &row[j..j + 4];
            acc[0] += ri * x[0];
            acc[1] += ri * x[1];
            acc[2] += ri * x[2];
            acc[3] += ri * x[3];
        }
        for (gj, a) in g[j..j + 4].iter_mut().zip(acc) {
            *gj += a;
        }
        j += 4;
    }
    for (jj, gj) in g.iter_mut().enumerate().skip(j) {
        let mut a = 0.0;
        for (&ri, row) in r.iter().zip(xb.chunks_exact(p)) {
            a += ri * row[jj];
        }
        *gj += a;
    }
}

/// `h[j·q + k] += Σ_i buf[j·BLOCK + i]·buf[k·BLOCK + i]` for `j ≤ k < q` (`q` a multiple of
/// 4, the variables laid out `BLOCK` apart, rows past the block's end and padding variables
/// zero): the upper triangle of one block's Gram (entries below it inside a tile are written
/// too; the caller ignores them). The lane Gram kernel PCA's scatter and the least squares use
/// — in wasm [`crate::linalg::add_gram_upper`], already in the page's first module; natively its AVX2
/// copy [`crate::linalg::add_gram_upper_native`], the same bits.
fn hessian_block(buf: &[f64], q: usize, h: &mut [f64]) {
    #[cfg(target_arch = "wasm32")]
    crate::linalg::add_gram_upper(buf, BLOCK, q, BLOCK, h);
    #[cfg(not(target_arch = "wasm32"))]
    crate::linalg::add_gram_upper_native(buf, BLOCK, q, BLOCK, h);
}

avx2_dispatch! {
/// The Hessian of the unscaled binary loss at `(w, b)`: `Σ dᵢ x̃ᵢ x̃ᵢᵀ` with `x̃ = (x, 1)` and
/// `dᵢ = sᵢ·σ(zᵢ)(1 − σ(zᵢ))`, as a `(p + 1) × (p + 1)` row-major upper triangle. One
/// pass: per block, the rows scaled by `√dᵢ` are laid out variable by variable and their
/// products summed by [`hessian_block`]. With an AVX2 copy natively (the logits, σ and the
/// layout; the same bits).
fn binary_hessian(xs: &[f64], p: usize, sw: &[f64], w: &[f64], b: f64) -> Vec<f64> {
    let v = p + 1;
    let q = v.div_ceil(4) * 4;
    let mut h = vec![0.0; q * q];
    let mut buf = vec![0.0; q * BLOCK];
    let mut zb = [0.0f64; BLOCK];
    let mut lb = [0.0f64; BLOCK];
    let mut rd = [0.0f64; BLOCK];
    for (xb, sb) in xs.chunks(BLOCK * p).zip(sw.chunks(BLOCK)) {
        let m = sb.len();
        // σ into rd (the log is not needed here).
        block_logits(xb, p, m, w, b, &mut zb, &mut lb, &mut rd);
        for (r, &s) in rd[..m].iter_mut().zip(sb) {
            *r = (s * *r * (1.0 - *r)).sqrt();
        }
        // Rows past m weigh nothing (a partial last block).
        rd[m..].iter_mut().for_each(|r| *r = 0.0);
        for (j, bj) in buf.chunks_exact_mut(BLOCK).take(p).enumerate() {
            for ((o, row), &r) in bj.iter_mut().zip(xb[j..].chunks(p)).zip(&rd[..m]) {
                *o = row[0] * r;
            }
            bj[m..].iter_mut().for_each(|x| *x = 0.0);
        }
        buf[p * BLOCK..v * BLOCK].copy_from_slice(&rd);
        hessian_block(&buf, q, &mut h);
    }
    (0..v * v).map(|e| h[(e / v) * q + e % v]).collect()
}
}

/// Newton's steps for the tail of a binary fit (from a point L-BFGS brought to
/// [`NEWTON_FROM`]): `H d = −∇f` and the full step, kept while `f` does not rise beyond
/// round-off and the gradient shrinks. The Hessian is computed once (one pass) and kept while
/// each step shrinks the gradient at least tenfold (near the optimum it hardly changes:
/// the steps then converge fast at one evaluation each); it is computed again at the current
/// point otherwise, and a step the current point's own Hessian cannot make good hands back to
/// L-BFGS. Returns the point reached (`start` when no step was kept).
#[allow(clippy::too_many_arguments)]
fn newton_tail(
    f: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    hessian: &dyn Fn(&[f64]) -> Vec<f64>,
    start: LbfgsResult,
    p: usize,
    fi: bool,
    l2: f64,
    sw_sum: f64,
    gtol: f64,
    max_steps: usize,
) -> LbfgsResult {
    let mut cur = start;
    let stride = p + fi as usize;
    let v = p + 1;
    let mut x_new = vec![0.0; stride];
    let mut g_new = vec![0.0; stride];
    let mut steps = 0;
    // The factor of the objective's Hessian, and whether it is the current point's.
    let mut chol: Option<(crate::linalg::Spd, bool)> = None;
    while steps < max_steps && cur.grad_max > gtol {
        let (factor, fresh) = match chol.take() {
            Some(c) => c,
            None => {
                let full = hessian(&cur.x);
                // The loss's over Σs (upper triangle), the penalty on the coefficients.
                let h = Array2::from_shape_fn((stride, stride), |(j, k)| {
                    let (a, b) = if j <= k { (j, k) } else { (k, j) };
                    full[a * v + b] / sw_sum + if j == k && j < p { l2 } else { 0.0 }
                });
                match crate::linalg::Spd::factor(&h) {
                    Some(c) => (c, true),
                    None => break,
                }
            }
        };
        let d = factor.solve(&Array1::from_iter(cur.grad.iter().map(|v| -v)));
        for ((xn, &xc), &dj) in x_new.iter_mut().zip(&cur.x).zip(&d) {
            *xn = xc + dj;
        }
        let f_new = f(&x_new, &mut g_new);
        let gmax = g_new.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if !(f_new.is_finite() && f_new <= cur.f + 1e-12 * cur.f.abs() && gmax < cur.grad_max) {
            if fresh {
                break;
            }
            // A kept Hessian too far from the current point's: compute that one.
            continue;
        }
        let keep = gmax <= 0.1 * cur.grad_max;
        cur.x.copy_from_slice(&x_new);
        cur.grad.copy_from_slice(&g_new);
        cur.f = f_new;
        cur.grad_max = gmax;
        cur.n_iter += 1;
        steps += 1;
        if keep {
            chol = Some((factor, false));
        }
    }
    cur.converged = cur.grad_max <= gtol;
    cur
}

/// A big binary fit's sample: every `SAMPLE_EVERY`-th block of rows ([`sample_start`]).
const SAMPLE_EVERY: usize = 8;

/// The fewest rows a binary fit starts from its sample's optimum ([`sample_start`]): the sample
/// then holds at least 2,048 rows.
const SAMPLE_FROM_ROWS: usize = SAMPLE_EVERY * BLOCK * 32;

/// The binary fit's objective at `w` (`p` coefficients, then the intercept when `fi`): the loss
/// over `ssum` (Σ of the weights `sw`) + `l2`·‖coefficients‖²/2, the intercept not penalized, and
/// its gradient into `grad`. The fit minimizes it on all rows, [`sample_start`] on a sample.
#[allow(clippy::too_many_arguments)]
fn binary_objective(xs: &[f64], p: usize, yv: &[f64], sw: &[f64], ssum: f64, l2: f64, fi: bool, w: &[f64], grad: &mut [f64]) -> f64 {
    let b = if fi { w[p] } else { 0.0 };
    let (loss, gb) = binary_pass(xs, p, yv, sw, &w[..p], b, &mut grad[..p]);
    if fi {
        grad[p] = gb / ssum;
    }
    let mut pen = 0.0;
    for (g, &v) in grad[..p].iter_mut().zip(&w[..p]) {
        *g = *g / ssum + l2 * v;
        pen += v * v;
    }
    loss / ssum + 0.5 * l2 * pen
}

/// The starting point of a big binary fit (at least [`SAMPLE_FROM_ROWS`] rows, and 100 per
/// variable in the sample): the same objective — mean loss + `l2`·‖w‖²/2 — minimized by L-BFGS
/// to max |gradient| 1e-5 on every [`SAMPLE_EVERY`]-th block of 64 rows (an eighth of the data,
/// so each evaluation costs an eighth). Its optimum differs from the whole data's by the
/// sample's noise (there max |gradient| ≈ 1e-3 on the benchmark's folds), close enough for
/// Newton's steps to converge from it at once: on the CV benchmark's folds ≈ 2 evaluations'
/// worth here, then 4 evaluations and 2 Hessian passes on all rows, instead of L-BFGS's 13–15
/// evaluations to [`NEWTON_FROM`]. The fit's optimum is the one `tol` defines either way; the
/// start only changes the path to it. `None` for a smaller fit, or when the sample's fit does
/// not converge to finite values.
#[allow(clippy::too_many_arguments)]
fn sample_start(xs: &[f64], p: usize, yv: &[f64], sw: &[f64], l2: f64, fi: bool, opts: LbfgsOptions) -> Option<Vec<f64>> {
    let n = yv.len();
    let stride = p + fi as usize;
    if p == 0 || n < SAMPLE_FROM_ROWS || n / SAMPLE_EVERY < 100 * stride {
        return None;
    }
    let m = n / SAMPLE_EVERY + BLOCK;
    let (mut xsub, mut ysub, mut ssub) = (Vec::with_capacity(m * p), Vec::with_capacity(m), Vec::with_capacity(m));
    for ((xb, yb), sb) in xs.chunks(BLOCK * p).zip(yv.chunks(BLOCK)).zip(sw.chunks(BLOCK)).step_by(SAMPLE_EVERY) {
        xsub.extend_from_slice(xb);
        ysub.extend_from_slice(yb);
        ssub.extend_from_slice(sb);
    }
    let ssum: f64 = ssub.iter().sum();
    if !(ssum > 0.0) {
        return None;
    }
    let mut objective = |w: &[f64], grad: &mut [f64]| binary_objective(&xsub, p, &ysub, &ssub, ssum, l2, fi, w, grad);
    let r = minimize(&mut objective, vec![0.0; stride], LbfgsOptions { gtol: SAMPLE_GTOL, ..opts });
    (r.converged && r.x.iter().all(|v| v.is_finite())).then_some(r.x)
}

/// The max |gradient| to which [`sample_start`] fits the sample.
const SAMPLE_GTOL: f64 = 1e-5;

/// The max |gradient| from which a binary fit finishes with [`newton_tail`].
const NEWTON_FROM: f64 = 1e-4;

/// Multinomial (softmax) loss `Σ sᵢ·(logΣ_c e^{z_ic} − z_{i,yᵢ})`, one pass over
/// the rows. `w` and `grad` are `k` blocks of `stride` (coefficients, then the
/// intercept when `fi`); writes the unscaled gradient and returns the unscaled loss.
#[allow(clippy::too_many_arguments)]
fn multinomial_pass(xs: &[f64], p: usize, stride: usize, fi: bool, y: &[usize], sw: &[f64], w: &[f64], grad: &mut [f64], z: &mut [f64]) -> f64 {
    grad.fill(0.0);
    let mut loss = 0.0;
    for ((row, &yi), &s) in xs.chunks_exact(p).zip(y).zip(sw) {
        for (zc, wc) in z.iter_mut().zip(w.chunks_exact(stride)) {
            *zc = dot4(row, &wc[..p]) + if fi { wc[p] } else { 0.0 };
        }
        let m = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let se: f64 = z.iter().map(|&v| (v - m).exp()).sum();
        let lse = m + se.ln();
        loss += s * (lse - z[yi]);
        for (c, (&zc, gc)) in z.iter().zip(grad.chunks_exact_mut(stride)).enumerate() {
            let r = s * ((zc - lse).exp() - if c == yi { 1.0 } else { 0.0 });
            axpy(r, row, &mut gc[..p]);
            if fi {
                gc[p] += r;
            }
        }
    }
    loss
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
        // The objective reads the row-major data directly: one pass per
        // evaluation computes the logits, the loss and the gradient (no
        // matrix-product packing of X, no per-evaluation allocation).
        let xc = x.as_standard_layout();
        let xs = xc.as_slice().expect("as_standard_layout gives a contiguous row-major array");
        let yv: Vec<f64> = y.iter().map(|&c| (c == 1) as u8 as f64).collect();
        let mut zk = vec![0.0; k];
        let objective = |w: &[f64], grad: &mut [f64], zk: &mut [f64]| -> f64 {
            if k == 1 {
                return binary_objective(xs, p, &yv, &sw, sw_sum, l2, fi, w, grad);
            }
            let loss = multinomial_pass(xs, p, stride, fi, y, &sw, w, grad, zk);
            // Scale by 1/Σs and add the penalty (the intercept is not penalized).
            let mut pen = 0.0;
            for (gc, wc) in grad.chunks_exact_mut(stride).zip(w.chunks_exact(stride)) {
                for (g, &v) in gc[..p].iter_mut().zip(&wc[..p]) {
                    *g = *g / sw_sum + l2 * v;
                    pen += v * v;
                }
                if fi {
                    gc[p] /= sw_sum;
                }
            }
            loss / sw_sum + 0.5 * l2 * pen
        };
        let w0 = vec![0.0; k * stride];
        let gtol = self.tol * 1e-6;
        let opts = LbfgsOptions { m: 10, gtol, max_iter: self.max_iter };
        let r = if k == 1 && gtol < NEWTON_FROM {
            // A big fit starts from the optimum of its rows' sample (below), where Newton's steps
            // converge at once; otherwise L-BFGS runs to NEWTON_FROM first. Then Newton's steps to
            // gtol; L-BFGS again from there if they stop short (a step that does not help).
            let (w0, from) = match sample_start(xs, p, &yv, &sw, l2, fi, opts) {
                Some(w) => (w, f64::INFINITY),
                None => (w0, NEWTON_FROM),
            };
            let first = minimize(&mut |w, g| objective(w, g, &mut zk), w0, LbfgsOptions { gtol: from, ..opts });
            if first.grad_max > from || first.n_iter >= self.max_iter {
                LbfgsResult { converged: first.grad_max <= gtol, ..first }
            } else {
                let hessian = |w: &[f64]| binary_hessian(xs, p, &sw, &w[..p], if fi { w[p] } else { 0.0 });
                let left = self.max_iter - first.n_iter;
                let tail = newton_tail(&mut |w, g| objective(w, g, &mut zk), &hessian, first, p, fi, l2, sw_sum, gtol, left.min(10));
                if tail.converged || tail.n_iter >= self.max_iter {
                    tail
                } else {
                    let done = tail.n_iter;
                    let more = minimize(&mut |w, g| objective(w, g, &mut zk), tail.x, LbfgsOptions { max_iter: self.max_iter - done, ..opts });
                    LbfgsResult { n_iter: done + more.n_iter, ..more }
                }
            }
        } else {
            minimize(&mut |w, g| objective(w, g, &mut zk), w0, opts)
        };
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
            ParamInfo::new(
                "tol",
                "float",
                json!(1e-4),
                "Stopping tolerance; pipelab's lbfgs stops at max|gradient| ≤ tol·1e-6, i.e. at scikit-learn's tightly converged optimum.",
            )
            .range(Some(1e-12), Some(1.0)),
            ParamInfo::new("class_weight", "choice", json!(null), "\"balanced\" weighs classes inversely to their frequency.").choices(&["balanced"]),
        ]
    }
    fn help() -> &'static str {
        "Linear classifier giving class probabilities (softmax for more than two classes)."
    }
}

impl LogisticRegression {
    /// The logits `x·coefᵀ + intercept` (`n × k`): each entry is [`dot4`] of the row and the
    /// coefficients plus the intercept, read row by row (no packing of `x`).
    pub fn decision_function(&self, x: &Array2<f64>) -> Array2<f64> {
        let k = self.coef.len();
        let (n, p) = x.dim();
        let xc = x.as_standard_layout();
        let mut z = Vec::with_capacity(n * k);
        match xc.as_slice() {
            Some(xs) if p > 0 => {
                for row in xs.chunks_exact(p) {
                    z.extend(self.coef.iter().zip(&self.intercept).map(|(c, &b)| dot4(row, c) + b));
                }
            }
            // No columns (or an empty array): every logit is its intercept.
            _ => (0..n).for_each(|_| z.extend_from_slice(&self.intercept)),
        }
        Array2::from_shape_vec((n, k), z).expect("n rows of k logits")
    }

    /// [`decision_function`](Self::decision_function) from the columns (`n` rows each), bit
    /// for bit: the four partial sums of [`dot4`] (term `j` into sum `j mod 4`, in order) kept
    /// for a block of rows, combined as `dot4` combines them, then its remainder terms and
    /// the intercept. Contiguous column reads, no row-major copy.
    fn decision_columns(&self, cols: &[&[f64]], n: usize) -> Array2<f64> {
        const B: usize = 256;
        let k = self.coef.len();
        let p = cols.len();
        let q = p - p % 4;
        let mut z = vec![0.0; n * k];
        let mut acc = vec![0.0; 4 * B];
        let mut start = 0;
        while start < n {
            let len = B.min(n - start);
            for (c, (w, &b)) in self.coef.iter().zip(&self.intercept).enumerate() {
                acc.iter_mut().for_each(|a| *a = 0.0);
                for j in (0..q).step_by(4) {
                    for (l, a) in acc.chunks_exact_mut(B).enumerate() {
                        let wj = w[j + l];
                        a[..len].iter_mut().zip(&cols[j + l][start..start + len]).for_each(|(a, x)| *a += x * wj);
                    }
                }
                for i in 0..len {
                    let a = |l: usize| acc[l * B + i];
                    let mut s = (a(0) + a(1)) + (a(2) + a(3));
                    for j in q..p {
                        s += cols[j][start + i] * w[j];
                    }
                    z[(start + i) * k + c] = s + b;
                }
            }
            start += len;
        }
        Array2::from_shape_vec((n, k), z).expect("n rows of k logits")
    }

    /// Labels and probabilities from the logits.
    fn output_of(&self, z: Array2<f64>) -> Output {
        let n = z.nrows();
        let kc = self.n_classes.max(2);
        if self.coef.len() == 1 {
            // Two columns written row by row; the label is `argmax` of the pair (1 only when p1 > p0).
            let mut pr = Vec::with_capacity(2 * n);
            let mut labels = Vec::with_capacity(n);
            for &zi in z.iter() {
                let p1 = sigmoid(zi);
                let p0 = 1.0 - p1;
                pr.extend_from_slice(&[p0, p1]);
                labels.push(usize::from(p1 > p0));
            }
            let proba =
                if self.n_classes == 1 { Array2::from_elem((n, 1), 1.0) } else { Array2::from_shape_vec((n, 2), pr).expect("two probabilities per row") };
            return Output::Classes { labels, proba: Some(proba) };
        }
        let mut proba = Array2::<f64>::zeros((n, kc));
        for i in 0..n {
            let row = z.row(i);
            let m = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let se: f64 = row.iter().map(|&v| (v - m).exp()).sum();
            for c in 0..kc {
                proba[[i, c]] = (row[c] - m).exp() / se;
            }
        }
        let labels = (0..n).map(|i| argmax(proba.row(i).as_slice().expect("row-major"))).collect();
        Output::Classes { labels, proba: Some(proba) }
    }
}

impl FittedModel for LogisticRegression {
    fn n_features(&self) -> usize {
        self.coef.first().map_or(0, Vec::len)
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features("LogisticRegression", self.n_features(), x)?;
        Ok(self.output_of(self.decision_function(x)))
    }
    /// [`predict`](FittedModel::predict) from the columns: the same logits bit for bit
    /// ([`LogisticRegression::decision_columns`]), so the same output.
    fn predict_columns(&self, cols: &[&[f64]], n: usize) -> Option<Result<Output>> {
        let p = self.n_features();
        let k = self.coef.len();
        if p == 0 || cols.len() != p || cols.iter().any(|c| c.len() != n) || self.intercept.len() != k || self.coef.iter().any(|c| c.len() != p) {
            return None;
        }
        Some(Ok(self.output_of(self.decision_columns(cols, n))))
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        Inspection { coefficients: Some(Coefficients { rows: self.coef.clone(), intercepts: self.intercept.clone(), classes: None }), ..Default::default() }
            .fact("intercept", &self.intercept)
            .fact("n_iter", self.n_iter)
            .fact("converged", self.converged)
    }
    /// |coef| summed over classes (scikit-learn's `SelectFromModel` with `norm_order=1`).
    fn importances(&self) -> Option<Importances> {
        let p = self.n_features();
        Some(Importances { kind: ImportanceKind::AbsCoef, values: (0..p).map(|j| self.coef.iter().map(|r| r[j].abs()).sum()).collect() })
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

#[cfg(test)]
mod fused_tests {
    use super::*;

    /// The AVX2 copy of the fused pass and the baseline give the same bits, pass and fit.
    #[test]
    fn avx2_and_baseline_paths_are_bit_identical() {
        use crate::numeric::cpu;
        let (n, p) = (1_003, 13);
        let mut u = crate::numeric::test_uniform(12_345);
        let mut next = || u() * 2.0 - 1.0;
        let x = Array2::from_shape_fn((n, p), |_| next() * 3.0);
        let y: Vec<usize> = (0..n).map(|i| usize::from(x[[i, 0]] + 0.5 * x[[i, 3]] + next() > 0.0)).collect();
        let w: Vec<f64> = (0..p).map(|_| next()).collect();
        let yv: Vec<f64> = y.iter().map(|&c| c as f64).collect();
        let sw: Vec<f64> = (0..n).map(|_| 0.5 + next().abs()).collect();
        let xs = x.as_slice().expect("from_shape_fn is row-major");
        // Four interleaved rows sum as one row at a time.
        for q in [1, 3, 4, 5, 8, 13] {
            let xq: Vec<f64> = xs[..4 * q].to_vec();
            let got = dot4_rows4(&xq, q, &w[..q]);
            let want: Vec<f64> = xq.chunks_exact(q).map(|r| dot4(r, &w[..q])).collect();
            assert_eq!(got.map(f64::to_bits).to_vec(), want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), "p = {q}");
        }
        let (mut g1, mut g2) = (vec![0.0; p], vec![0.0; p]);
        let a = binary_pass(xs, p, &yv, &sw, &w, 0.3, &mut g1);
        let b = cpu::baseline(|| binary_pass(xs, p, &yv, &sw, &w, 0.3, &mut g2));
        assert_eq!((a.0.to_bits(), a.1.to_bits()), (b.0.to_bits(), b.1.to_bits()));
        assert_eq!(g1.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), g2.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        let target = Target::Classes { y, n_classes: 2 };
        let fit = || LogisticRegressionParams::default().fit(&x, Some(&target), &FitContext::new(0)).expect("fits");
        let (m1, m2) = (fit(), cpu::baseline(fit));
        assert_eq!(m1, m2);
        assert!(m1.n_iter > 3);
    }

    /// The logits from the columns are the row-major logits bit for bit (binary and
    /// multinomial, column counts with and without a remainder, a partial last block).
    #[test]
    fn column_logits_match_row_logits_bit_for_bit() {
        let mut u = crate::numeric::test_uniform(99);
        let mut next = || u() * 2.0 - 1.0;
        for (n, p, k) in [(1, 1, 1), (300, 3, 1), (517, 4, 1), (517, 13, 1), (700, 20, 3), (5, 9, 4)] {
            let x = Array2::from_shape_fn((n, p), |_| next() * 5.0);
            let coef: Vec<Vec<f64>> = (0..k).map(|_| (0..p).map(|_| next() * 2.0).collect()).collect();
            let intercept: Vec<f64> = (0..k).map(|_| next()).collect();
            let n_classes = if k == 1 { 2 } else { k };
            let m = LogisticRegression { coef, intercept, n_classes, n_iter: 1, converged: true, objective: 0.0 };
            let cols: Vec<Vec<f64>> = (0..p).map(|j| x.column(j).to_vec()).collect();
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            let a = m.decision_function(&x);
            let b = m.decision_columns(&refs, n);
            assert_eq!(a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), "n {n} p {p} k {k}");
            let want: Vec<u64> = (0..n)
                .flat_map(|i| m.coef.iter().zip(&m.intercept).map(move |(c, &b0)| (i, c, b0)).collect::<Vec<_>>())
                .map(|(i, c, b0)| (dot4(x.row(i).as_slice().unwrap(), c) + b0).to_bits())
                .collect();
            assert_eq!(a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), want);
            assert_eq!(m.predict(&x).unwrap(), m.predict_columns(&refs, n).unwrap().unwrap());
        }
    }

    /// The blocked Hessian is `Σ dᵢ x̃ᵢ x̃ᵢᵀ` summed directly (to round-off), the same bits on the
    /// AVX2 and baseline paths; a binary fit finished by Newton's steps reaches pure L-BFGS's
    /// optimum, in fewer iterations, with its gradient within `tol·1e-6`.
    #[test]
    fn newton_tail_reaches_the_lbfgs_optimum() {
        use crate::numeric::cpu;
        let (n, p) = (2_003, 7);
        let mut u = crate::numeric::test_uniform(7);
        let mut next = || u() * 2.0 - 1.0;
        let x = Array2::from_shape_fn((n, p), |_| next() * 2.0);
        let y: Vec<usize> = (0..n).map(|i| usize::from(x[[i, 0]] - 2.0 * x[[i, 2]] + x[[i, 5]] + next() > 0.3)).collect();
        let sw: Vec<f64> = (0..n).map(|_| 0.5 + next().abs()).collect();
        let w: Vec<f64> = (0..p).map(|_| next()).collect();
        let xs = x.as_slice().expect("row-major");
        for pp in [1, 2, 3, 4, 7] {
            // Columns 0..pp of x as a row-major matrix of their own (1 to 8 variables with the intercept).
            let xq: Vec<f64> = x.rows().into_iter().flat_map(|r| r.iter().take(pp).copied().collect::<Vec<_>>()).collect();
            let h = binary_hessian(&xq, pp, &sw, &w[..pp], 0.2);
            let hb = cpu::baseline(|| binary_hessian(&xq, pp, &sw, &w[..pp], 0.2));
            assert_eq!(h.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), hb.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), "p = {pp}");
            let v = pp + 1;
            let mut want = vec![0.0; v * v];
            for i in 0..n {
                let row: Vec<f64> = xq[i * pp..(i + 1) * pp].iter().copied().chain([1.0]).collect();
                let sg = sigmoid(dot4(&row[..pp], &w[..pp]) + 0.2);
                let d = sw[i] * sg * (1.0 - sg);
                for j in 0..v {
                    for k in j..v {
                        want[j * v + k] += d * row[j] * row[k];
                    }
                }
            }
            for j in 0..v {
                for k in j..v {
                    let (a, b) = (h[j * v + k], want[j * v + k]);
                    assert!((a - b).abs() <= 1e-10 * b.abs().max(1.0), "p {pp} ({j}, {k}): {a} vs {b}");
                }
            }
        }
        // The page's lane kernel and the native one (AVX2 copy and baseline) give the same bits.
        let q = 12;
        let buf: Vec<f64> = (0..q * BLOCK).map(|_| next()).collect();
        let (mut h1, mut h2, mut h3) = (vec![0.0; q * q], vec![0.0; q * q], vec![0.0; q * q]);
        crate::linalg::add_gram_upper(&buf, BLOCK, q, BLOCK, &mut h1);
        cpu::baseline(|| hessian_block(&buf, q, &mut h2));
        hessian_block(&buf, q, &mut h3);
        for j in 0..q {
            for k in j..q {
                let e = j * q + k;
                assert_eq!((h1[e].to_bits(), h3[e].to_bits()), (h2[e].to_bits(), h2[e].to_bits()), "({j}, {k})");
            }
        }
        let yv: Vec<f64> = y.iter().map(|&c| c as f64).collect();
        let target = Target::Classes { y, n_classes: 2 };
        let newton = LogisticRegressionParams::default().fit(&x, Some(&target), &FitContext::new(0)).expect("fits");
        // Pure L-BFGS on the fit's objective (C = 1, unit weights), to the same tolerance.
        let unit = vec![1.0; n];
        let l2 = 1.0 / n as f64;
        assert_lbfgs_optimum(&newton, xs, p, &yv, &unit, l2, LbfgsOptions { m: 10, gtol: 1e-10, max_iter: 100 });
    }

    /// `fit` is pure L-BFGS's optimum (from zero, on all rows, to `opts`) within 1e-8 per
    /// coefficient and 1e-12 relative in the objective, reached in fewer iterations.
    fn assert_lbfgs_optimum(fit: &LogisticRegression, xs: &[f64], p: usize, yv: &[f64], unit: &[f64], l2: f64, opts: LbfgsOptions) {
        let n = yv.len();
        let mut objective = |v: &[f64], g: &mut [f64]| binary_objective(xs, p, yv, unit, n as f64, l2, true, v, g);
        let lbfgs = minimize(&mut objective, vec![0.0; p + 1], opts);
        assert!(fit.converged && lbfgs.converged && fit.n_iter < lbfgs.n_iter, "{} vs {}", fit.n_iter, lbfgs.n_iter);
        for (a, b) in fit.coef[0].iter().chain(&fit.intercept).zip(&lbfgs.x) {
            assert!((a - b).abs() < 1e-8, "{a} vs {b}");
        }
        assert!((fit.objective - lbfgs.f * n as f64).abs() <= 1e-12 * fit.objective);
    }

    /// A big binary fit, started from its sample's optimum, reaches pure L-BFGS's optimum (from
    /// zero, on all rows) with its gradient within `tol·1e-6`, in fewer iterations.
    #[test]
    fn a_fit_started_from_its_sample_reaches_the_lbfgs_optimum() {
        let (n, p) = (SAMPLE_FROM_ROWS + 1_000, 5);
        let mut u = crate::numeric::test_uniform(31);
        let mut next = || u() * 2.0 - 1.0;
        let x = Array2::from_shape_fn((n, p), |_| next() * 2.0);
        let y: Vec<usize> = (0..n).map(|i| usize::from(x[[i, 0]] - 0.7 * x[[i, 3]] + 0.4 * x[[i, 4]] + next() > 0.1)).collect();
        let xs = x.as_slice().expect("row-major");
        let yv: Vec<f64> = y.iter().map(|&c| c as f64).collect();
        let unit = vec![1.0; n];
        let l2 = 1.0 / n as f64;
        let opts = LbfgsOptions { m: 10, gtol: 1e-10, max_iter: 100 };
        assert!(sample_start(xs, p, &yv, &unit, l2, true, opts).is_some());
        assert!(sample_start(&xs[..(SAMPLE_FROM_ROWS - 1) * p], p, &yv[..SAMPLE_FROM_ROWS - 1], &unit[..SAMPLE_FROM_ROWS - 1], l2, true, opts).is_none());
        let target = Target::Classes { y, n_classes: 2 };
        let fit = LogisticRegressionParams::default().fit(&x, Some(&target), &FitContext::new(0)).expect("fits");
        let baseline = crate::numeric::cpu::baseline(|| LogisticRegressionParams::default().fit(&x, Some(&target), &FitContext::new(0)).expect("fits"));
        assert_eq!(fit, baseline);
        assert_lbfgs_optimum(&fit, xs, p, &yv, &unit, l2, opts);
    }

    /// The branch-free lane kernels agree with libm (`log1pexp`, `sigmoid`)
    /// to a few ulp everywhere; below z = −700 both are below 1e-304.
    #[test]
    fn lane_log1pexp_sigmoid_matches_libm() {
        let mut zs = vec![0.0, -0.0, 1e-300, -1e-300, 1e-16, -1e-16, 0.5, -0.5, 1.0, -1.0, 36.0, -36.0, 699.0, -699.0, 700.0, -700.0, 800.0, -800.0];
        zs.extend((-200_000..=200_000).map(|i| i as f64 * 0.003_7));
        zs.extend((0..2000).map(|i| -(std::f64::consts::SQRT_2 - 1.0).ln() + (i as f64 - 1000.0) * 1e-6));
        let tol = 4.0 * f64::EPSILON;
        for chunk in zs.chunks(LANES) {
            let mut z = [0.0; LANES];
            z[..chunk.len()].copy_from_slice(chunk);
            let (lp, sg) = log1pexp_sigmoid_lanes(&z);
            for i in 0..chunk.len() {
                let (want_lp, want_sg) = (log1pexp(z[i]), sigmoid(z[i]));
                for (what, got, want) in [("log1pexp", lp[i], want_lp), ("sigmoid", sg[i], want_sg)] {
                    let ok = if want.abs() < 1e-300 { got.abs() < 1e-300 } else { ((got - want) / want).abs() <= tol };
                    assert!(ok, "{what}({}) = {got:e}, libm {want:e}", z[i]);
                }
            }
        }
    }
}
