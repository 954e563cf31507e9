//! Shared sorts. Every `sort_by(|a, b| …)` with its own closure compiles a whole
//! copy of the standard library's sort (driftsort + small-sort networks, 5–7 KB
//! of wasm each); 50 call sites made 220 KB of the page's module, and one per
//! element type still made 84 KB of the first module (bench/HISTORY.md, "Session
//! 11"). So every stable sort here goes through ONE instantiation, of `usize`
//! keys with a `&dyn Fn` comparison ([`sort_indices_by`]; [`sort_by`] sorts
//! positions, then moves the elements: a few hundred bytes per type), and
//! the integer and float sorts through the one `u64` sort the tree builder
//! needs anyway. Hot loops (tree split search, k-means, boosting) keep their
//! inlined sorts.

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
        // The total-order keys sorted as integers: the same bits as `sort_unstable_by(f64::total_cmp)`.
        let mut keys: Vec<u64> = v.iter().map(|&x| total_key(x)).collect();
        keys.sort_unstable();
        for (x, &k) in v.iter_mut().zip(&keys) {
            *x = from_total_key(k);
        }
    } else {
        radix_sort_f64(v);
    }
}

/// Sorts `usize`s ascending (the `u64` sort's one copy; equal values are identical, so
/// stable or not gives the same result).
pub fn sort_usize(v: &mut [usize]) {
    let mut keys: Vec<u64> = v.iter().map(|&x| x as u64).collect();
    keys.sort_unstable();
    for (x, &k) in v.iter_mut().zip(&keys) {
        // Each key came from a `usize` just above.
        *x = k as usize;
    }
}

/// Sorts `i64`s ascending (through the `u64` sort: the sign bit flipped keeps the order).
pub fn sort_i64(v: &mut [i64]) {
    let mut keys: Vec<u64> = v.iter().map(|&x| (x as u64) ^ (1 << 63)).collect();
    keys.sort_unstable();
    for (x, &k) in v.iter_mut().zip(&keys) {
        *x = (k ^ (1 << 63)) as i64;
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

/// Stable sort of indices (or any `usize` keys) with a comparison of two of them: the
/// one copy of the standard library's stable sort in the first module (the comparison is a
/// `&dyn Fn`, so every call site shares it). A merge sort of our own (≈ 600 B instead of
/// ≈ 8 KB) was tried: faster below 2,000 keys but 1.3–2.4× slower from 20,000 (the ROC
/// curve's sort of a fold's scores, a profile's category counts), so std's stays.
pub fn sort_indices_by(idx: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    idx.sort_by(|&a, &b| cmp(a, b));
}

/// Stable sort of any slice with a comparison: the positions are sorted by
/// [`sort_indices_by`] (the one compiled sort), then the elements moved along the
/// permutation's cycles; per `T` only that move is compiled.
pub fn sort_by<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering) {
    let mut perm: Vec<usize> = (0..v.len()).collect();
    sort_indices_by(&mut perm, &|a, b| cmp(&v[a], &v[b]));
    // v[i] becomes the old v[perm[i]]: follow each cycle, marking done positions (perm[j] = j).
    for i in 0..v.len() {
        let mut j = i;
        loop {
            let k = perm[j];
            perm[j] = j;
            if k == i {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

/// [`sort_by`] by a key (stable), as `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: &dyn Fn(&T) -> K) {
    sort_by(v, &|a, b| key(a).cmp(&key(b)));
}

/// `iter.collect::<BTreeMap<_, _>>()` without a sort: `FromIterator` stable-sorts its
/// input first, which compiles a copy of the standard library's driftsort per key and
/// value type (three in the first module, from cross-validation's metric maps). Inserted
/// one by one, the map is the same (a repeated key keeps its last value, as with `collect`).
pub fn btree_map<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> std::collections::BTreeMap<K, V> {
    let mut m = std::collections::BTreeMap::new();
    for (k, v) in items {
        m.insert(k, v);
    }
    m
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
    fn shared_sorts_match_the_standard_sorts() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for n in [0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 1000, 4097] {
            for range in [3, 1000, u64::MAX] {
                let key: Vec<u64> = (0..n).map(|_| next() % range).collect();
                let mut got: Vec<usize> = (0..n).collect();
                sort_indices_by(&mut got, &|a, b| key[a].cmp(&key[b]));
                let mut expected: Vec<usize> = (0..n).collect();
                expected.sort_by(|&a, &b| key[a].cmp(&key[b]));
                assert_eq!(got, expected, "n = {n}, range = {range}");
                let mut pairs: Vec<(u64, usize)> = key.iter().copied().zip(0..).collect();
                let mut want = pairs.clone();
                want.sort_by_key(|q| std::cmp::Reverse(q.0));
                sort_by(&mut pairs, &|p, q| q.0.cmp(&p.0));
                assert_eq!(pairs, want);
                let mut strings: Vec<String> = key.iter().map(|k| k.to_string()).collect();
                let mut want = strings.clone();
                want.sort();
                sort_by(&mut strings, &|a, b| a.cmp(b));
                assert_eq!(strings, want);
                let mut u: Vec<usize> = key.iter().map(|&k| (k >> 40) as usize).collect();
                let mut want = u.clone();
                want.sort_unstable();
                sort_usize(&mut u);
                assert_eq!(u, want);
                let mut s: Vec<i64> = key.iter().map(|&k| k as i64).collect();
                let mut want = s.clone();
                want.sort_unstable();
                sort_i64(&mut s);
                assert_eq!(s, want);
            }
        }
    }

    #[test]
    fn btree_map_keeps_the_last_value_of_a_repeated_key_as_collect_does() {
        let items = vec![("b", 1), ("a", 2), ("b", 3)];
        assert_eq!(btree_map(items.clone()), items.into_iter().collect());
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
