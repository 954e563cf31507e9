//! L-BFGS with a strong-Wolfe line search (Nocedal & Wright, algorithms 7.4,
//! 3.5 and 3.6), for smooth convex objectives such as penalized logistic loss.

/// Options: history size, gradient tolerance (max-norm), iteration cap.
#[derive(Debug, Clone, Copy)]
pub struct LbfgsOptions {
    pub m: usize,
    pub gtol: f64,
    pub max_iter: usize,
}

#[derive(Debug, Clone)]
pub struct LbfgsResult {
    pub x: Vec<f64>,
    pub f: f64,
    pub n_iter: usize,
    pub converged: bool,
    /// max |gradient| at the solution.
    pub grad_max: f64,
    /// The gradient at the solution.
    pub grad: Vec<f64>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Minimizes `f`, which returns the value at `x` and writes the gradient into its second argument.
/// One compiled copy for every objective (`dyn`: each closure type would compile the whole
/// minimizer and line search again, in the page's first module too); the call per evaluation
/// is nothing next to an evaluation.
pub fn minimize(f: &mut dyn FnMut(&[f64], &mut [f64]) -> f64, x0: Vec<f64>, opts: LbfgsOptions) -> LbfgsResult {
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let mut d = vec![0.0; n];
    let mut alpha = vec![0.0; opts.m];
    let mut iter = 0;
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    while iter < opts.max_iter {
        if max_abs(&g) <= opts.gtol || !fx.is_finite() {
            break;
        }
        // Two-loop recursion: d = -H g.
        d.copy_from_slice(&g);
        let k = s_hist.len();
        for i in (0..k).rev() {
            alpha[i] = rho[i] * dot(&s_hist[i], &d);
            for (dj, yj) in d.iter_mut().zip(&y_hist[i]) {
                *dj -= alpha[i] * yj;
            }
        }
        let gamma = if k > 0 { dot(&s_hist[k - 1], &y_hist[k - 1]) / dot(&y_hist[k - 1], &y_hist[k - 1]) } else { 1.0 / max_abs(&g).max(1e-300).max(1.0) };
        for dj in d.iter_mut() {
            *dj *= gamma;
        }
        for i in 0..k {
            let beta = rho[i] * dot(&y_hist[i], &d);
            for (dj, sj) in d.iter_mut().zip(&s_hist[i]) {
                *dj += (alpha[i] - beta) * sj;
            }
        }
        for dj in d.iter_mut() {
            *dj = -*dj;
        }
        let mut dg = dot(&d, &g);
        if dg >= 0.0 {
            // Not a descent direction (numerical trouble): restart with steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            for (dj, gj) in d.iter_mut().zip(&g) {
                *dj = -gj;
            }
            dg = -dot(&g, &g);
        }
        let a0 = if k == 0 { (1.0 / max_abs(&g)).min(1.0) } else { 1.0 };
        let Some((a, f_new)) = wolfe_search(f, &x, fx, dg, &d, a0, &mut x_new, &mut g_new) else {
            break; // no further progress possible at this precision
        };
        let s: Vec<f64> = d.iter().map(|di| a * di).collect();
        let yv: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &yv);
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        let f_old = fx;
        fx = f_new;
        iter += 1;
        if sy > 1e-300 {
            if s_hist.len() == opts.m {
                s_hist.remove(0);
                y_hist.remove(0);
                rho.remove(0);
            }
            s_hist.push(s);
            y_hist.push(yv);
            rho.push(1.0 / sy);
        }
        if (f_old - fx).abs() <= f64::EPSILON * fx.abs().max(1e-300) && max_abs(&g) <= opts.gtol.max(1e-8) {
            break;
        }
    }
    let grad_max = max_abs(&g);
    LbfgsResult { converged: grad_max <= opts.gtol, x, f: fx, n_iter: iter, grad_max, grad: g }
}

/// Strong-Wolfe line search along `d` from `x`; on success `x_new`/`g_new`
/// hold the accepted point and its gradient.
#[allow(clippy::too_many_arguments)]
fn wolfe_search(
    f: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    f0: f64,
    dg0: f64,
    d: &[f64],
    a_init: f64,
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> Option<(f64, f64)> {
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    let mut eval = |a: f64, x_new: &mut [f64], g_new: &mut [f64]| -> (f64, f64) {
        for ((xn, xi), di) in x_new.iter_mut().zip(x).zip(d) {
            *xn = xi + a * di;
        }
        let fa = f(x_new, g_new);
        (fa, dot(g_new, d))
    };
    let tiny_gain = |fa: f64| fa <= f0 + 1e-14 * f0.abs().max(1e-300);
    let (mut a_prev, mut f_prev, mut dg_prev) = (0.0, f0, dg0);
    let mut a = a_init;
    for i in 0..40 {
        let (fa, dga) = eval(a, x_new, g_new);
        if !fa.is_finite() {
            a *= 0.5;
            continue;
        }
        if round_off_wolfe(f0, dg0, fa, dga) {
            return Some((a, fa));
        }
        if fa > f0 + C1 * a * dg0 || (i > 0 && fa >= f_prev) {
            return zoom(&mut eval, f0, dg0, (a_prev, f_prev, dg_prev), (a, fa, dga), x_new, g_new);
        }
        if dga.abs() <= -C2 * dg0 {
            return Some((a, fa));
        }
        if dga >= 0.0 {
            return zoom(&mut eval, f0, dg0, (a, fa, dga), (a_prev, f_prev, dg_prev), x_new, g_new);
        }
        a_prev = a;
        f_prev = fa;
        dg_prev = dga;
        a *= 2.0;
    }
    // Accept the last finite improving point, if any.
    let (fa, _) = eval(a_prev, x_new, g_new);
    (a_prev > 0.0 && tiny_gain(fa) && fa < f0).then_some((a_prev, fa))
}

type Point = (f64, f64, f64); // (step, value, directional derivative)

/// Acceptance once the change of `f` is lost in round-off (near the optimum
/// of a sum over many rows, where `f` cannot resolve a decrease of `|g|²/H`):
/// the strong-Wolfe curvature condition `|φ'(a)| ≤ C2·|φ'(0)|` with `f` not
/// above `f0` beyond round-off. On a locally quadratic objective the curvature
/// condition implies the sufficient decrease `φ'(a) ≤ (2·C1 − 1)·φ'(0)` of
/// Hager & Zhang's approximate Wolfe conditions, so the step still makes
/// progress; without this the line search fails or spends dozens of
/// evaluations bisecting noise.
fn round_off_wolfe(f0: f64, dg0: f64, fa: f64, dga: f64) -> bool {
    const C2: f64 = 0.9;
    fa <= f0 + 1e-12 * f0.abs() && dga.abs() <= -C2 * dg0
}

fn zoom<E: FnMut(f64, &mut [f64], &mut [f64]) -> (f64, f64)>(
    eval: &mut E,
    f0: f64,
    dg0: f64,
    mut lo: Point,
    mut hi: Point,
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> Option<(f64, f64)> {
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    let mut best: Option<Point> = None;
    for _ in 0..50 {
        // Cubic interpolation between lo and hi, safeguarded into the middle of the bracket.
        let (a0, f0i, d0) = lo;
        let (a1, f1i, d1) = hi;
        let width = a1 - a0;
        let mut a = {
            let d1c = d0 + d1 - 3.0 * (f0i - f1i) / (a0 - a1);
            let disc = d1c * d1c - d0 * d1;
            if disc >= 0.0 {
                let d2 = disc.sqrt() * if a1 > a0 { 1.0 } else { -1.0 };
                a1 - (a1 - a0) * (d1 + d2 - d1c) / (d1 - d0 + 2.0 * d2)
            } else {
                a0 + 0.5 * width
            }
        };
        let (lo_b, hi_b) = if a0 < a1 { (a0, a1) } else { (a1, a0) };
        let margin = 0.1 * (hi_b - lo_b);
        if !a.is_finite() || a < lo_b + margin || a > hi_b - margin {
            a = 0.5 * (a0 + a1);
        }
        if (hi_b - lo_b).abs() < 1e-16 * hi_b.abs().max(1.0) {
            break;
        }
        let (fa, dga) = eval(a, x_new, g_new);
        if fa < f0 && best.is_none_or(|b| fa < b.1) {
            best = Some((a, fa, dga));
        }
        if round_off_wolfe(f0, dg0, fa, dga) {
            return Some((a, fa));
        }
        if fa > f0 + C1 * a * dg0 || fa >= lo.1 {
            hi = (a, fa, dga);
        } else {
            if dga.abs() <= -C2 * dg0 {
                return Some((a, fa));
            }
            if dga * (hi.0 - lo.0) >= 0.0 {
                hi = lo;
            }
            lo = (a, fa, dga);
        }
    }
    // Bracket collapsed: take the best decreasing point seen (re-evaluated for its gradient).
    let b = best.or(if lo.0 > 0.0 && lo.1 < f0 { Some(lo) } else { None })?;
    let (fa, _) = eval(b.0, x_new, g_new);
    Some((b.0, fa))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock() {
        let r = minimize(
            &mut |x, g| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            vec![-1.2, 1.0],
            LbfgsOptions { m: 10, gtol: 1e-10, max_iter: 500 },
        );
        assert!(r.converged, "{r:?}");
        assert!((r.x[0] - 1.0).abs() < 1e-8 && (r.x[1] - 1.0).abs() < 1e-8);
    }
}
