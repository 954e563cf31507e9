//! Inner loops of histogram gradient boosting (`hist_boosting.rs`): building
//! gradient/hessian histograms and partitioning a node's rows. Portable code
//! written so that the compiler drops bounds checks (fixed 256-bin blocks
//! indexed by a `u8`), natively and in wasm.

use crate::numeric::avx2_dispatch;

/// One histogram bin: sums of gradients and hessians, and the row count.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub(crate) struct Bin {
    pub g: f64,
    pub h: f64,
    pub c: u32,
}

/// 256 bins per feature (the last one is the missing bin).
pub(crate) const NB: usize = 256;

#[cfg(any(not(target_arch = "x86_64"), test))]
#[inline(always)]
fn add(b: &mut Bin, g: f64, h: f64) {
    b.g += g;
    b.h += h;
    b.c += 1;
}

/// The histograms of the rows `rows` (row index, (gradient, hessian)) in
/// `hist`, every bin overwritten (feature-major codes, `n` per feature), four features per pass
/// over the rows: each row's (g, h) is loaded once for four independent
/// histogram updates. Every bin still sums its rows in the order of `rows`.
/// The portable form (wasm): `hist` (`p * NB` bins) zeroed, then each bin's three
/// sums updated in place.
#[cfg(any(not(target_arch = "x86_64"), test))]
#[inline(always)]
fn hist_features_in_place<I: Iterator<Item = (usize, [f64; 2])> + Clone>(codes_fm: &[u8], n: usize, rows: I, hist: &mut [Bin]) {
    hist.fill(Bin::default());
    if n == 0 {
        return;
    }
    let p = codes_fm.len() / n;
    let mut f = 0;
    while f + 4 <= p {
        let col = |k: usize| &codes_fm[(f + k) * n..(f + k + 1) * n];
        let (c0, c1, c2, c3) = (col(0), col(1), col(2), col(3));
        let hs = &mut hist[f * NB..(f + 4) * NB];
        let (h0, hs) = hs.split_at_mut(NB);
        let (h1, hs) = hs.split_at_mut(NB);
        let (h2, h3) = hs.split_at_mut(NB);
        let bins = "split_at_mut(NB) yields NB bins";
        let (h0, h1, h2, h3): (&mut [Bin; NB], &mut [Bin; NB], &mut [Bin; NB], &mut [Bin; NB]) =
            (h0.try_into().expect(bins), h1.try_into().expect(bins), h2.try_into().expect(bins), h3.try_into().expect(bins));
        for (s, [g, h]) in rows.clone() {
            add(&mut h0[c0[s] as usize], g, h);
            add(&mut h1[c1[s] as usize], g, h);
            add(&mut h2[c2[s] as usize], g, h);
            add(&mut h3[c3[s] as usize], g, h);
        }
        f += 4;
    }
    for f in f..p {
        let c0 = &codes_fm[f * n..(f + 1) * n];
        let h0: &mut [Bin; NB] = (&mut hist[f * NB..(f + 1) * NB]).try_into().expect("NB bins");
        for (s, [g, h]) in rows.clone() {
            add(&mut h0[c0[s] as usize], g, h);
        }
    }
}

/// One bin while a histogram is built natively: (g, h, count, 0) in one aligned
/// 32-byte block, so that a row's update is one load, one add and one store
/// (a 256-bit `vaddpd` in the AVX2 copy) instead of three of each. The count is
/// exact as an `f64` (below 2^53 rows).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Acc([f64; 4]);

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn add4(a: &mut Acc, v: [f64; 4]) {
    for (x, y) in a.0.iter_mut().zip(v) {
        *x += y;
    }
}

/// The native form of the above: the same sums in the same order (so the same
/// bits as the portable form), accumulated four features at a time in `Acc`
/// bins (4 × 256 × 32 B = 32 KiB, in L1), then written out as `Bin`s.
/// Every bin of `hist` is overwritten (`hist` holds `p * NB` bins).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn hist_features_acc<I: Iterator<Item = (usize, [f64; 2])> + Clone>(codes_fm: &[u8], n: usize, rows: I, hist: &mut [Bin]) {
    if n == 0 {
        hist.fill(Bin::default());
        return;
    }
    let p = codes_fm.len() / n;
    let mut acc = [Acc::default(); 4 * NB];
    let mut f = 0;
    while f < p {
        let w = (p - f).min(4);
        {
            let (a0, rest) = acc.split_at_mut(NB);
            let (a1, rest) = rest.split_at_mut(NB);
            let (a2, a3) = rest.split_at_mut(NB);
            let bins = "split_at_mut(NB) of 4 * NB yields NB bins";
            let (a0, a1, a2, a3): (&mut [Acc; NB], &mut [Acc; NB], &mut [Acc; NB], &mut [Acc; NB]) =
                (a0.try_into().expect(bins), a1.try_into().expect(bins), a2.try_into().expect(bins), a3.try_into().expect(bins));
            let col = |k: usize| &codes_fm[(f + k) * n..(f + k + 1) * n];
            if w == 4 {
                let (c0, c1, c2, c3) = (col(0), col(1), col(2), col(3));
                for (s, [g, h]) in rows.clone() {
                    let v = [g, h, 1.0, 0.0];
                    add4(&mut a0[c0[s] as usize], v);
                    add4(&mut a1[c1[s] as usize], v);
                    add4(&mut a2[c2[s] as usize], v);
                    add4(&mut a3[c3[s] as usize], v);
                }
            } else {
                for (k, a) in [a0, a1, a2].into_iter().enumerate().take(w) {
                    let c = col(k);
                    for (s, [g, h]) in rows.clone() {
                        add4(&mut a[c[s] as usize], [g, h, 1.0, 0.0]);
                    }
                }
            }
        }
        // Out as `Bin`s, and the accumulators zeroed for the next features.
        for (b, a) in hist[f * NB..(f + w) * NB].iter_mut().zip(&mut acc[..w * NB]) {
            let [g, h, c, _] = std::mem::take(a).0;
            // `c` is a sum of 1.0s, an exact integer below 2^52: `c + 2^52` holds it in
            // its low mantissa bits, read as an integer (one add; `c as u32`'s saturating
            // conversion added two compares per bin to every node's histogram).
            let c = (c + 4_503_599_627_370_496.0).to_bits() as u32;
            *b = Bin { g, h, c };
        }
        f += w;
    }
}

#[cfg(target_arch = "x86_64")]
use hist_features_acc as hist_features;
#[cfg(not(target_arch = "x86_64"))]
use hist_features_in_place as hist_features;

avx2_dispatch! {
/// Histogram of all rows `0..n` in their natural order (the root of a tree):
/// streams the feature-major code columns and the (gradient, hessian) pairs.
/// Every bin of `hist` is overwritten. With an AVX2 copy natively (`numeric::cpu`), bit-identical.
pub(crate) fn hist_all_rows(codes_fm: &[u8], n: usize, gh: &[[f64; 2]], hist: &mut [Bin]) {
    hist_features(codes_fm, n, gh[..n].iter().copied().enumerate(), hist);
}
}

avx2_dispatch! {
/// Histogram of the rows `samples` (any subset, any order), as scikit-learn:
/// the (gradient, hessian) pairs of the rows are first gathered in sample order
/// into `ordered` (a tight loop, many independent loads in flight), then the
/// features' code columns (`n` bytes each, cache-resident) are read at the
/// samples' rows, four features per pass. Each bin sums its rows in the order
/// of `samples`, as `hist_all_rows` does; every bin of `hist` is overwritten.
/// With an AVX2 copy natively (`numeric::cpu`), bit-identical.
pub(crate) fn hist_rows(codes_fm: &[u8], n: usize, samples: &[u32], gh: &[[f64; 2]], ordered: &mut Vec<[f64; 2]>, hist: &mut [Bin]) {
    ordered.clear();
    ordered.extend(samples.iter().map(|&s| gh[s as usize]));
    hist_features(codes_fm, n, samples.iter().map(|&s| s as usize).zip(ordered.iter().copied()), hist);
}
}

/// `parent -= child`, bin by bin (the sibling's histogram by subtraction).
pub(crate) fn subtract(parent: &mut [Bin], child: &[Bin]) {
    for (a, b) in parent.iter_mut().zip(child) {
        a.g -= b.g;
        a.h -= b.h;
        a.c -= b.c;
    }
}

avx2_dispatch! {
/// Stable partition of `part` by `left[codes[s]]`: rows going left keep their
/// order at the front, rows going right follow in their order. Branch-free
/// (the direction of a row is unpredictable); `scratch` holds the right rows.
/// Returns the number of rows going left.
/// With an AVX2 copy natively (`numeric::cpu`), bit-identical.
pub(crate) fn partition(part: &mut [u32], codes: &[u8], left: &[bool; NB], scratch: &mut Vec<u32>) -> usize {
    scratch.clear();
    scratch.resize(part.len(), 0);
    let (mut li, mut ri) = (0usize, 0usize);
    for i in 0..part.len() {
        let s = part[i];
        let l = left[codes[s as usize] as usize];
        // li <= i: writing the front never overwrites a row not yet read.
        part[li] = s;
        scratch[ri] = s;
        li += l as usize;
        ri += (!l) as usize;
    }
    part[li..].copy_from_slice(&scratch[..ri]);
    li
}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX2 copies and the baseline give the same bins and the same partition.
    #[test]
    fn avx2_and_baseline_paths_are_bit_identical() {
        use crate::numeric::cpu;
        let (n, p) = (997usize, 7usize);
        let codes_fm: Vec<u8> = (0..n * p).map(|i| ((i * 7_919) % 251) as u8).collect();
        let gh: Vec<[f64; 2]> = (0..n).map(|i| [(i as f64 * 0.37).sin(), 0.1 + (i % 5) as f64 * 0.3]).collect();
        let sub: Vec<u32> = (0..n as u32).filter(|s| s % 3 != 1).rev().collect();
        let run = || {
            let mut a = vec![Bin::default(); p * NB];
            let mut b = vec![Bin::default(); p * NB];
            let mut ordered = Vec::new();
            hist_all_rows(&codes_fm, n, &gh, &mut a);
            hist_rows(&codes_fm, n, &sub, &gh, &mut ordered, &mut b);
            let mut left = [false; NB];
            left.iter_mut().step_by(3).for_each(|l| *l = true);
            let mut part = sub.clone();
            let k = partition(&mut part, &codes_fm[..n], &left, &mut Vec::new());
            let bits = |h: &[Bin]| h.iter().map(|b| (b.g.to_bits(), b.h.to_bits(), b.c)).collect::<Vec<_>>();
            (bits(&a), bits(&b), part, k)
        };
        assert_eq!(run(), cpu::baseline(run));
    }

    /// The native kernels (32-byte bins) and the portable in-place one (the wasm
    /// build's) give the same bits: every feature-group width, rows in any order,
    /// stale bins overwritten.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn native_and_portable_histograms_are_bit_identical() {
        let n = 1_009usize;
        for p in 1..=17usize {
            let codes_fm: Vec<u8> = (0..n * p).map(|i| ((i * 7_919 + i / 13) % 256) as u8).collect();
            let gh: Vec<[f64; 2]> = (0..n).map(|i| [(i as f64 * 0.37).sin() * 1e3f64.powi((i % 5) as i32 - 2), 0.1 + (i % 7) as f64 * 0.3]).collect();
            let sub: Vec<u32> = (0..n as u32).filter(|s| s % 3 != 1).rev().collect();
            let stale = Bin { g: 1.5, h: -2.0, c: 7 };
            let bits = |h: &[Bin]| h.iter().map(|b| (b.g.to_bits(), b.h.to_bits(), b.c)).collect::<Vec<_>>();
            let mut a = vec![stale; p * NB];
            let mut b = vec![stale; p * NB];
            hist_rows(&codes_fm, n, &sub, &gh, &mut Vec::new(), &mut a);
            hist_features_in_place(&codes_fm, n, sub.iter().map(|&s| s as usize).zip(sub.iter().map(|&s| gh[s as usize])), &mut b);
            assert_eq!(bits(&a), bits(&b), "p = {p}");
            let mut a = vec![stale; p * NB];
            hist_all_rows(&codes_fm, n, &gh, &mut a);
            hist_features_in_place(&codes_fm, n, gh.iter().copied().enumerate(), &mut b);
            assert_eq!(bits(&a), bits(&b), "p = {p}");
        }
    }

    #[test]
    fn row_and_column_kernels_agree_and_partition_is_stable() {
        let (n, p) = (50usize, 6usize);
        let codes_fm: Vec<u8> = (0..n * p).map(|i| ((i * 37) % 11) as u8).collect();
        let gh: Vec<[f64; 2]> = (0..n).map(|i| [(i as f64 * 0.37).sin(), 0.1 + (i % 5) as f64]).collect();
        let mut a = vec![Bin::default(); p * NB];
        let mut b = vec![Bin::default(); p * NB];
        hist_all_rows(&codes_fm, n, &gh, &mut a);
        let all: Vec<u32> = (0..n as u32).collect();
        let mut ordered = Vec::new();
        hist_rows(&codes_fm, n, &all, &gh, &mut ordered, &mut b);
        assert_eq!(a, b);
        // A subset in a shuffled order: each bin is that subset's sum in that order.
        let sub: Vec<u32> = vec![7, 3, 41, 0, 19, 22];
        let mut c = vec![Bin::default(); p * NB];
        hist_rows(&codes_fm, n, &sub, &gh, &mut ordered, &mut c);
        for f in 0..p {
            let mut want = [Bin::default(); NB];
            for &s in &sub {
                let w = &mut want[codes_fm[f * n + s as usize] as usize];
                w.g += gh[s as usize][0];
                w.h += gh[s as usize][1];
                w.c += 1;
            }
            assert_eq!(&c[f * NB..(f + 1) * NB], &want[..]);
        }
        assert_eq!(a[..NB].iter().map(|b| b.c).sum::<u32>(), n as u32);
        let mut left = [false; NB];
        left[..5].iter_mut().for_each(|l| *l = true);
        let mut part = all.clone();
        let mut scratch = Vec::new();
        let k = partition(&mut part, &codes_fm[..n], &left, &mut scratch);
        let want_l: Vec<u32> = all.iter().copied().filter(|&s| codes_fm[s as usize] < 5).collect();
        let want_r: Vec<u32> = all.iter().copied().filter(|&s| codes_fm[s as usize] >= 5).collect();
        assert_eq!(k, want_l.len());
        assert_eq!(&part[..k], &want_l[..]);
        assert_eq!(&part[k..], &want_r[..]);
    }
}
