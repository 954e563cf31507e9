//! The statistics behind drift detection, on weighted samples (distinct values
//! with counts), written to reproduce scipy's results:
//!
//! - [`ks_2samp`]: `scipy.stats.ks_2samp(method="auto")` — the statistic, and
//!   the exact two-sided p-value when both samples have at most 10,000 values
//!   (the same recursions as scipy: `_compute_prob_outside_square` for equal
//!   sizes, Viehmann's "inside" recursion otherwise). Above 10,000 scipy uses the
//!   finite-n Kolmogorov distribution `kstwo.sf(d, round(en))`; here the limiting
//!   Kolmogorov distribution with Stephens' correction stands in (stated in SPEC.md).
//! - [`chisquare_sf`]: the chi-squared survival function through the regularized
//!   upper incomplete gamma function [`gamma_q`] (`scipy.special.gammaincc`).
//! - [`normal_two_sided_p`]: `2 (1 − Φ(|z|))`, with Φ through the same gamma function.
//! - [`wasserstein`]: `scipy.stats.wasserstein_distance` (p = 1) on weighted samples.
//! - [`jensenshannon`]: `scipy.spatial.distance.jensenshannon` (natural log, as Evidently calls it).
//!
//! Pure functions; no allocation beyond what the inputs imply.

pub use crate::numeric::{gamma_q, ln_gamma};

/// P(χ²_df ≥ x).
pub fn chisquare_sf(x: f64, df: f64) -> f64 {
    if x.is_infinite() && x > 0.0 {
        return 0.0;
    }
    gamma_q(df / 2.0, x / 2.0)
}

/// The standard normal CDF Φ(x) (erfc through Q(1/2, ·)).
pub fn normal_cdf(x: f64) -> f64 {
    // erfc(t) = Q(1/2, t²) for t ≥ 0; Φ(x) = erfc(−x/√2)/2.
    let half_tail = 0.5 * gamma_q(0.5, x * x / 2.0);
    if x >= 0.0 {
        1.0 - half_tail
    } else {
        half_tail
    }
}

/// Two-sided p-value of a z statistic, as Evidently computes it: `2 (1 − Φ(|z|))`.
pub fn normal_two_sided_p(z: f64) -> f64 {
    2.0 * (1.0 - normal_cdf(z.abs()))
}

/// A weighted sample: sorted distinct finite values and their positive counts.
#[derive(Debug, Clone, Copy)]
pub struct Weighted<'a> {
    pub values: &'a [f64],
    pub counts: &'a [f64],
}

impl Weighted<'_> {
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }
}

/// Result of the two-sample KS test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsResult {
    pub statistic: f64,
    pub p_value: f64,
    /// Whether the p-value is scipy's exact one (false: the asymptotic stand-in).
    pub exact: bool,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Two-sided two-sample Kolmogorov–Smirnov test (scipy `ks_2samp`, method "auto").
/// Counts must be whole numbers (the sample sizes are their sums).
pub fn ks_2samp(a: Weighted, b: Weighted) -> KsResult {
    let n1 = a.total().round() as u64;
    let n2 = b.total().round() as u64;
    if n1 == 0 || n2 == 0 {
        return KsResult { statistic: f64::NAN, p_value: f64::NAN, exact: false };
    }
    // Walk the union of distinct values; at each, the two ECDFs (as scipy: count / n).
    let (mut i, mut j) = (0, 0);
    let (mut c1, mut c2) = (0.0, 0.0);
    let (mut max_s, mut min_s) = (f64::NEG_INFINITY, f64::INFINITY);
    while i < a.values.len() || j < b.values.len() {
        let x = match (a.values.get(i), b.values.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        if i < a.values.len() && a.values[i] == x {
            c1 += a.counts[i];
            i += 1;
        }
        if j < b.values.len() && b.values[j] == x {
            c2 += b.counts[j];
            j += 1;
        }
        let diff = c1 / n1 as f64 - c2 / n2 as f64;
        max_s = max_s.max(diff);
        min_s = min_s.min(diff);
    }
    let min_s = (-min_s).clamp(0.0, 1.0);
    let d = if min_s > max_s { min_s } else { max_s };
    let g = gcd(n1, n2);
    if n1.max(n2) <= 10_000 {
        if let Some((d, p)) = ks_exact(n1, n2, g, d) {
            return KsResult { statistic: d, p_value: p.clamp(0.0, 1.0), exact: true };
        }
    }
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let en = (m * n / (m + n)).round();
    KsResult { statistic: d, p_value: kolmogorov_sf_stephens(d, en).clamp(0.0, 1.0), exact: false }
}

/// scipy's `_attempt_exact_2kssamp` (two-sided): `None` when the computation fails.
fn ks_exact(n1: u64, n2: u64, g: u64, d: f64) -> Option<(f64, f64)> {
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round() as u64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return Some((d, 1.0));
    }
    let p = if n1 == n2 { prob_outside_square(n1, h) } else { outer_prob_inside(n1, n2, g, h) };
    (p.is_finite() && (0.0..=1.0).contains(&p)).then_some((d, p))
}

/// Pr(D_{n,n} ≥ h/n), scipy's `_compute_prob_outside_square`.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let (n, h) = (n as f64, h as i64);
    let mut p = 0.0;
    let mut k = (n / h as f64).floor() as i64;
    while k >= 0 {
        let mut p1 = 1.0;
        for j in 0..h {
            p1 = (n - (k * h) as f64 - j as f64) * p1 / (n + (k * h) as f64 + j as f64 + 1.0);
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// 1 − Pr(path stays strictly inside |x/m − y/n| < h/lcm): scipy's
/// `_compute_outer_prob_inside_method` (Viehmann's recursion).
fn outer_prob_inside(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = ((m / g) as i64, (n / g) as i64);
    let (m, n, h) = (m as i64, n as i64, h as i64);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((h as f64 / mg as f64).ceil() as i64).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    for v in a.iter_mut().take(maxj as usize).skip(minj as usize) {
        *v = 0.0;
    }
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        minj = ((((ng * i - h) as f64) / mg as f64).floor() as i64 + 1).max(0);
        minj = minj.min(n);
        maxj = ((((ng * i + h) as f64) / mg as f64).ceil() as i64).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            val = (a[(jj + minj - lastminj) as usize] * i as f64 + val * j as f64) / (i + j) as f64;
            a[jj as usize] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let from = (maxj - minj) as usize;
            let to = (from + (lastlen - curlen) as usize).min(a.len());
            for v in &mut a[from..to] {
                *v = 1.0;
            }
        }
    }
    a[(maxj - minj - 1) as usize]
}

/// Limiting Kolmogorov survival function at (√en + 0.12 + 0.11/√en)·d (Stephens 1970).
fn kolmogorov_sf_stephens(d: f64, en: f64) -> f64 {
    let s = en.sqrt();
    let lambda = (s + 0.12 + 0.11 / s) * d;
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=200 {
        let k = k as f64;
        let term = (-2.0 * k * k * lambda * lambda).exp();
        sum += if k as i64 % 2 == 1 { term } else { -term };
        if term < 1e-18 {
            break;
        }
    }
    2.0 * sum
}

/// Chi-squared statistic and p-value of observed against expected counts
/// (`scipy.stats.chisquare(f_obs, f_exp)`, df = k − 1). An expected count of 0
/// with an observed count > 0 gives an infinite statistic and p = 0, as scipy.
pub fn chisquare(f_obs: &[f64], f_exp: &[f64]) -> (f64, f64) {
    let stat: f64 = f_obs.iter().zip(f_exp).map(|(&o, &e)| (o - e) * (o - e) / e).sum();
    let df = f_obs.len() as f64 - 1.0;
    if df <= 0.0 {
        return (stat, f64::NAN);
    }
    (stat, chisquare_sf(stat, df))
}

/// Wasserstein-1 distance between two weighted samples (scipy's `_cdf_distance(1, …)`).
pub fn wasserstein(a: Weighted, b: Weighted) -> f64 {
    let (n1, n2) = (a.total(), b.total());
    let (mut i, mut j) = (0, 0);
    let (mut c1, mut c2) = (0.0, 0.0);
    let mut prev: Option<f64> = None;
    let mut prev_diff = 0.0;
    let mut sum = 0.0;
    while i < a.values.len() || j < b.values.len() {
        let x = match (a.values.get(i), b.values.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        if let Some(p) = prev {
            sum += prev_diff * (x - p);
        }
        if i < a.values.len() && a.values[i] == x {
            c1 += a.counts[i];
            i += 1;
        }
        if j < b.values.len() && b.values[j] == x {
            c2 += b.counts[j];
            j += 1;
        }
        prev_diff = (c1 / n1 - c2 / n2).abs();
        prev = Some(x);
    }
    sum
}

/// Population standard deviation (numpy `std`, ddof 0) of a weighted sample.
pub fn weighted_std(a: Weighted) -> f64 {
    let n = a.total();
    let mean = a.values.iter().zip(a.counts).map(|(v, c)| v * c).sum::<f64>() / n;
    let var = a.values.iter().zip(a.counts).map(|(v, c)| c * (v - mean) * (v - mean)).sum::<f64>() / n;
    var.sqrt()
}

/// Jensen–Shannon distance of two (unnormalized) probability vectors, natural log
/// (`scipy.spatial.distance.jensenshannon(p, q)`).
pub fn jensenshannon(p: &[f64], q: &[f64]) -> f64 {
    let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
    let rel_entr = |x: f64, y: f64| {
        if x > 0.0 && y > 0.0 {
            x * (x / y).ln()
        } else if x == 0.0 && y >= 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    };
    let mut left = 0.0;
    let mut right = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = (a + b) / 2.0;
        left += rel_entr(a, m);
        right += rel_entr(b, m);
    }
    ((left + right) / 2.0).sqrt()
}

/// Population stability index of two fraction vectors: Σ (r − c) ln(r / c),
/// each fraction floored at 1e-4 so an empty bin stays finite.
pub fn psi(reference: &[f64], current: &[f64]) -> f64 {
    reference
        .iter()
        .zip(current)
        .map(|(&r, &c)| {
            let (r, c) = (r.max(1e-4), c.max(1e-4));
            (r - c) * (r / c).ln()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut f = 1.0f64;
        for n in 1..30 {
            f *= n as f64;
            assert!((ln_gamma(n as f64 + 1.0) - f.ln()).abs() < 1e-12 * f.ln().max(1.0), "n={n}");
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
    }

    #[test]
    fn gamma_q_known_values() {
        // Q(1, x) = e^{-x}; Q(1/2, x) = erfc(√x); values from scipy.special.gammaincc.
        for &x in &[0.1, 1.0, 2.5, 10.0, 40.0] {
            assert!((gamma_q(1.0, x) - (-x).exp()).abs() < 1e-15, "x={x}");
        }
        // The Lanczos ln Γ limits agreement to a few 1e-15 (the drift tests need 1e-9).
        assert!((gamma_q(0.5, 1.0) - 0.157_299_207_050_281_05).abs() < 1e-14);
        assert!((gamma_q(2.5, 3.0) - 0.306_218_918_413_278_75).abs() < 1e-14);
        assert!((chisquare_sf(3.84, 1.0) - 0.050_043_521_248_705_19).abs() < 1e-13);
        assert!((chisquare_sf(20.0, 10.0) - 0.029_252_688_076_961_124).abs() < 1e-13);
    }

    #[test]
    fn normal_cdf_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-16);
        assert!((normal_cdf(1.96) - 0.975_002_104_851_779_5).abs() < 1e-15);
        assert!((normal_cdf(-3.0) - 0.001_349_898_031_630_093_3).abs() < 1e-17);
        assert!((normal_two_sided_p(1.0) - 0.317_310_507_862_914_15).abs() < 1e-14);
    }

    #[test]
    fn ks_small_exact_cases() {
        // scipy.stats.ks_2samp([1,2,3,4,5], [3,4,5,6,7,8]) → D = 0.5, p = 0.35714285714285715 (n1 ≠ n2)
        let a = Weighted { values: &[1.0, 2.0, 3.0, 4.0, 5.0], counts: &[1.0; 5] };
        let b = Weighted { values: &[3.0, 4.0, 5.0, 6.0, 7.0, 8.0], counts: &[1.0; 6] };
        let r = ks_2samp(a, b);
        assert!((r.statistic - 0.5).abs() < 1e-15, "{r:?}");
        assert!((r.p_value - 0.35714285714285715).abs() < 1e-12, "{r:?}");
        // Equal sizes: ks_2samp([1,2,3], [4,5,6]) → D = 1, p = 0.1
        let a = Weighted { values: &[1.0, 2.0, 3.0], counts: &[1.0; 3] };
        let b = Weighted { values: &[4.0, 5.0, 6.0], counts: &[1.0; 3] };
        let r = ks_2samp(a, b);
        assert_eq!(r.statistic, 1.0);
        assert!((r.p_value - 0.09999999999999999).abs() < 1e-15, "{r:?}");
        // Identical samples: p = 1.
        let r = ks_2samp(a, a);
        assert_eq!((r.statistic, r.p_value), (0.0, 1.0));
    }

    #[test]
    fn wasserstein_and_js_basics() {
        let a = Weighted { values: &[0.0, 1.0, 3.0], counts: &[1.0; 3] };
        let b = Weighted { values: &[5.0, 6.0, 8.0], counts: &[1.0; 3] };
        assert!((wasserstein(a, b) - 5.0).abs() < 1e-15);
        // Half the mass moves by 1: W = 0.5.
        let a = Weighted { values: &[0.0, 1.0], counts: &[1.0, 1.0] };
        let b = Weighted { values: &[0.0], counts: &[2.0] };
        assert!((wasserstein(a, b) - 0.5).abs() < 1e-15);
        assert_eq!(jensenshannon(&[1.0, 0.0], &[1.0, 0.0]), 0.0);
        // jensenshannon([1, 0], [0, 1]) = sqrt(ln 2)
        assert!((jensenshannon(&[1.0, 0.0], &[0.0, 1.0]) - std::f64::consts::LN_2.sqrt()).abs() < 1e-15);
    }
}
