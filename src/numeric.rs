//! Shared numerics, the crate's lowest layer beside `error` and `sorting`:
//! numpy-compatible percentiles and medians, softmax, the logistic function,
//! argmax, a row-major view of a matrix, and the run-time CPU dispatch of the
//! native kernels ([`cpu`], [`avx2_dispatch!`]). One home for each, so a fix (or a
//! faster version) reaches every model and step that uses it.

use std::borrow::Cow;

use ndarray::Array2;

/// numpy's `_lerp`: exact at both ends, as numpy computes it.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// `np.percentile(v, q)` (method "linear") of an ascending-sorted, NaN-free slice; `q` in 0..=100.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let virtual_index = (n - 1) as f64 * (q / 100.0);
    if virtual_index >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    if virtual_index < 0.0 {
        return sorted[0];
    }
    let prev = virtual_index.floor();
    let i = prev as usize;
    lerp(sorted[i], sorted[i + 1], virtual_index - prev)
}

/// `np.percentile(v, q)` (method "linear") of an unsorted, NaN-free slice.
pub fn percentile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    crate::sorting::sort_f64(&mut s);
    percentile_sorted(&s, q)
}

/// numpy's `percentile(method="averaged_inverted_cdf")` of an ascending-sorted, non-empty slice.
pub fn percentile_aicdf(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let virtual_index = n as f64 * (q / 100.0) - 1.0;
    if virtual_index >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    if virtual_index < 0.0 {
        return sorted[0];
    }
    let prev = virtual_index.floor();
    let gamma = if virtual_index - prev == 0.0 { 0.5 } else { 1.0 };
    let i = prev as usize;
    let (a, b) = (sorted[i], sorted[i + 1]);
    // numpy's _lerp with t >= 0.5
    b - (b - a) * (1.0 - gamma)
}

/// `np.median` of an ascending-sorted, NaN-free slice (NaN when empty).
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// `np.median` of a NaN-free slice, sorting it in place (NaN when empty).
pub fn median_in_place(v: &mut [f64]) -> f64 {
    crate::sorting::sort_f64(v);
    median_sorted(v)
}

/// Writes softmax(raw) into `out` (same length), shifted by the maximum for stability.
pub fn softmax(raw: &[f64], out: &mut [f64]) {
    let m = raw.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let mut s = 0.0;
    for (o, &r) in out.iter_mut().zip(raw) {
        *o = (r - m).exp();
        s += *o;
    }
    out.iter_mut().for_each(|o| *o /= s);
}

/// Numerically safe logistic function: `1 / (1 + e^−z)` for `z ≥ 0`, `e^z / (1 + e^z)`
/// below. Written without a branch around the `exp` (one `e = exp(−|z|)`, then a select
/// of the numerator): the same bits as the two-branch form, but a sign that changes from
/// row to row (the raw scores of a boosting fit) no longer costs a mispredicted branch.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    let e = (-z.abs()).exp();
    let num = if z >= 0.0 { 1.0 } else { e };
    num / (1.0 + e)
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

/// Row-major contiguous view of `x` (copies only when `x` is not standard layout).
pub fn rows_of(x: &Array2<f64>) -> Cow<'_, [f64]> {
    match x.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(x.iter().copied().collect()),
    }
}

// ---------------------------------------------------------------- special functions (p-values)

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ≈ 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, &c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularized lower incomplete gamma P(a, x) by its series (x < a + 1).
fn gamma_p_series(a: f64, x: f64) -> f64 {
    let mut sum = 1.0 / a;
    let mut term = sum;
    let mut ap = a;
    for _ in 0..10_000 {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if term.abs() < sum.abs() * 1e-17 {
            break;
        }
    }
    (sum.ln() - x + a * x.ln() - ln_gamma(a)).exp()
}

/// Regularized upper incomplete gamma Q(a, x) by its continued fraction (x ≥ a + 1), modified Lentz.
fn gamma_q_cf(a: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-17 {
            break;
        }
    }
    (-x + a * x.ln() - ln_gamma(a)).exp() * h
}

/// Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x ≥ 0.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x.is_nan() || a.is_nan() || a <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    if x < a + 1.0 {
        1.0 - gamma_p_series(a, x)
    } else {
        gamma_q_cf(a, x)
    }
}

/// Run-time CPU dispatch of the native hot kernels (issue 17): the CLI stays a
/// portable x86-64 binary (baseline SSE2), and a kernel written with
/// [`avx2_dispatch!`] also has a copy compiled for AVX2 + FMA, taken when the CPU
/// has both. The copy runs the same operations in the same order (Rust never
/// contracts `a * b + c` into an FMA; the kernels add in independent lanes, which
/// AVX2 only packs four to a register instead of two), so its results are
/// bit-identical to the baseline's, to the page's (wasm32 has one path) and to
/// one another across machines: the FMA feature only lets LLVM use the newer
/// instruction encodings.
pub mod cpu {
    use std::cell::Cell;
    use std::sync::atomic::{AtomicBool, Ordering};

    static FORCE_BASELINE: AtomicBool = AtomicBool::new(false);
    thread_local! {
        static BASELINE_HERE: Cell<bool> = const { Cell::new(false) };
    }

    /// Whether the kernels take their AVX2 copies now: an x86-64 CPU with AVX2
    /// and FMA, unless turned off (the CLI's `PIPELAB_CPU=baseline`, or
    /// [`baseline`] on this thread). std caches the CPU's answer.
    #[inline]
    pub fn avx2() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::is_x86_feature_detected!("avx2")
                && std::is_x86_feature_detected!("fma")
                && !FORCE_BASELINE.load(Ordering::Relaxed)
                && !BASELINE_HERE.with(Cell::get)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// Every kernel takes its baseline path from now on, on every thread (the
    /// CLI's `PIPELAB_CPU=baseline`: to compare the two paths or time them).
    pub fn force_baseline() {
        FORCE_BASELINE.store(true, Ordering::Relaxed);
    }

    /// Runs `f` with the baseline kernels on this thread (tests compare the paths).
    pub fn baseline<R>(f: impl FnOnce() -> R) -> R {
        let was = BASELINE_HERE.with(|b| b.replace(true));
        let r = f();
        BASELINE_HERE.with(|b| b.set(was));
        r
    }
}

/// Defines a kernel function with an AVX2 + FMA copy taken at run time when
/// [`cpu::avx2`] says so (see [`cpu`]). The body is written once as ordinary
/// portable code (lanes in fixed-size arrays, independent accumulators) and
/// inlined into both copies; arguments are plain identifiers, no generics
/// besides lifetimes.
macro_rules! avx2_dispatch {
    ($(#[$m:meta])* $vis:vis fn $name:ident $(<$($lt:lifetime),+>)? ($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$m])*
        $vis fn $name $(<$($lt),+>)? ($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn kernel $(<$($lt),+>)? ($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2 $(<$($lt),+>)? ($($arg: $ty),*) $(-> $ret)? {
                    kernel($($arg),*)
                }
                if $crate::numeric::cpu::avx2() {
                    // SAFETY: the CPU has AVX2 and FMA (asked just above), all `avx2` requires.
                    return unsafe { avx2($($arg),*) };
                }
            }
            kernel($($arg),*)
        }
    };
}
pub(crate) use avx2_dispatch;

/// Test data: a seeded 64-bit LCG (Knuth's MMIX constants), the same sequence on every
/// platform; each call steps it and returns the new state.
#[cfg(test)]
pub(crate) fn test_lcg(mut s: u64) -> impl FnMut() -> u64 {
    move || {
        s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        s
    }
}

/// Test data: [`test_lcg`]'s top 53 bits as a uniform value in `[0, 1)`.
#[cfg(test)]
pub(crate) fn test_uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut next = test_lcg(seed);
    move || (next() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile_sorted(&[7.0], 25.0), 7.0);
        assert_eq!(percentile_sorted(&x, 25.0), 1.75);
        assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 90.0), 3.7);
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0, 10.0]), 2.5);
        assert!(median_sorted(&[]).is_nan());
    }

    #[test]
    fn softmax_sigmoid_argmax() {
        let mut out = [0.0; 3];
        softmax(&[1000.0, 1000.0, 1000.0], &mut out);
        assert!(out.iter().all(|&p| (p - 1.0 / 3.0).abs() < 1e-15));
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(-800.0) >= 0.0 && sigmoid(800.0) == 1.0);
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
    }

    /// The branch-free `sigmoid` gives the bits of the two-branch form it replaced.
    #[test]
    fn sigmoid_equals_the_two_branch_form() {
        let two_branch = |z: f64| {
            if z >= 0.0 {
                1.0 / (1.0 + (-z).exp())
            } else {
                let e = z.exp();
                e / (1.0 + e)
            }
        };
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut zs = vec![0.0, -0.0, 1e-300, -1e-300, 745.0, -745.0, 800.0, -800.0, f64::INFINITY, f64::NEG_INFINITY];
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Uniform in [-40, 40), and a wider spread of magnitudes.
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            zs.push(80.0 * u - 40.0);
            zs.push((u - 0.5) * 10f64.powi((x % 7) as i32 - 3));
        }
        for z in zs {
            assert_eq!(sigmoid(z).to_bits(), two_branch(z).to_bits(), "z = {z:e}");
        }
    }
}
