//! Shared sorts. Every `sort_by(|a, b| …)` with its own closure compiles a whole
//! copy of the standard library's sort (driftsort + small-sort networks, 5–7 KB
//! of wasm each); 50 call sites made 220 KB of the page's module. These few
//! functions are instantiated once per element type and take the comparison as a
//! `&dyn Fn`, so the page downloads one sort per type. Hot loops (tree split
//! search, k-means, boosting) keep their inlined sorts.

use std::cmp::Ordering;

/// Sorts floats ascending by IEEE total order (`f64::total_cmp`; NaN last).
/// Stable and unstable sorts agree here: values equal under the total order
/// are bit-identical, so any correct sort gives the same bits.
///
/// Long slices take an LSD radix sort on the order-preserving integer key of
/// each value (11-bit digits, 6 passes, one counting pass for all digits; a
/// pass whose digit is the same for every value is skipped): in wasm a
/// comparison sort of 100,000 values was most of a model file's drift
/// reference (bench/HISTORY.md, "Session 10").
pub fn sort_f64(v: &mut [f64]) {
    if v.len() < RADIX_MIN || u32::try_from(v.len()).is_err() {
        v.sort_unstable_by(f64::total_cmp);
    } else {
        radix_sort_f64(v);
    }
}

/// Below this length the comparison sort is as fast and needs no buffers.
const RADIX_MIN: usize = 2048;
const DIGIT_BITS: u32 = 11;
const BUCKETS: usize = 1 << DIGIT_BITS;
const PASSES: usize = 6; // ceil(64 / 11)

/// The unsigned key whose order is `f64::total_cmp`'s: negative values (sign
/// bit set) have every bit flipped, the others only the sign bit.
#[inline]
fn total_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

#[inline]
fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

fn radix_sort_f64(v: &mut [f64]) {
    let n = v.len();
    let mut keys: Vec<u64> = v.iter().map(|&x| total_key(x)).collect();
    let mut counts = vec![[0u32; BUCKETS]; PASSES];
    for &k in &keys {
        for (p, c) in counts.iter_mut().enumerate() {
            c[((k >> (p as u32 * DIGIT_BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    let mut other = vec![0u64; n];
    for (p, c) in counts.iter_mut().enumerate() {
        // Every value has the same digit here: the pass would not move anything.
        if c.iter().any(|&m| m as usize == n) {
            continue;
        }
        let mut sum = 0u32;
        for m in c.iter_mut() {
            let here = *m;
            *m = sum;
            sum += here;
        }
        let shift = p as u32 * DIGIT_BITS;
        for &k in &keys {
            let d = ((k >> shift) as usize) & (BUCKETS - 1);
            other[c[d] as usize] = k;
            c[d] += 1;
        }
        std::mem::swap(&mut keys, &mut other);
    }
    for (x, &k) in v.iter_mut().zip(&keys) {
        *x = from_total_key(k);
    }
}

/// Stable sort of indices (or any `usize` keys) with a comparison of two of them.
pub fn sort_indices_by(idx: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    idx.sort_by(|&a, &b| cmp(a, b));
}

/// Stable sort of any slice with a comparison; one instantiation per `T`.
pub fn sort_by<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering) {
    v.sort_by(|a, b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_sort_in_total_order_with_nan_last() {
        let mut v = vec![3.0, f64::NAN, -0.0, 0.0, -1.0, f64::INFINITY];
        sort_f64(&mut v);
        assert_eq!(&v[..5], &[-1.0, -0.0, 0.0, 3.0, f64::INFINITY]);
        assert!(v[1].is_sign_negative() && v[2].is_sign_positive());
        assert!(v[5].is_nan());
    }

    #[test]
    fn radix_sort_matches_the_comparison_sort_bit_for_bit() {
        // Long enough for the radix path; negatives, ±0, subnormals, infinities, NaNs of
        // both signs, repeats, and a column whose high digits are all equal.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let specials = [0.0, -0.0, f64::MIN_POSITIVE / 4.0, -f64::MIN_POSITIVE / 4.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -f64::NAN, 1.5, -1.5];
        let mut cases: Vec<Vec<f64>> = Vec::new();
        cases.push((0..10_000).map(|i| if i % 7 == 0 { specials[i % specials.len()] } else { f64::from_bits(next()) }).collect());
        cases.push((0..5_000).map(|_| (next() % 1000) as f64 * 0.25 - 100.0).collect());
        cases.push((0..RADIX_MIN).map(|_| 1.0 + (next() % 64) as f64 * f64::EPSILON).collect());
        for v in cases {
            let mut expected = v.clone();
            expected.sort_unstable_by(f64::total_cmp);
            let mut got = v;
            sort_f64(&mut got);
            let bits = |s: &[f64]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&expected));
        }
    }

    #[test]
    fn index_sort_is_stable() {
        let key = [2, 1, 2, 1, 0];
        let mut idx: Vec<usize> = (0..5).collect();
        sort_indices_by(&mut idx, &|a, b| key[a].cmp(&key[b]));
        assert_eq!(idx, vec![4, 1, 3, 0, 2]);
        let mut pairs = vec![(1.0_f64, 'b'), (0.5, 'z'), (1.0, 'a')];
        sort_by(&mut pairs, &|p, q| p.0.total_cmp(&q.0));
        assert_eq!(pairs, vec![(0.5, 'z'), (1.0, 'b'), (1.0, 'a')]);
    }
}
