//! Shared sorts. Every `sort_by(|a, b| …)` with its own closure compiles a whole
//! copy of the standard library's sort (driftsort + small-sort networks, 5–7 KB
//! of wasm each); 50 call sites made 220 KB of the page's module. These few
//! functions are instantiated once per element type and take the comparison as a
//! `&dyn Fn`, so the page downloads one sort per type. Hot loops (tree split
//! search, k-means, boosting) keep their inlined sorts.

use std::cmp::Ordering;

/// Sorts floats ascending by IEEE total order (`f64::total_cmp`; NaN last).
/// Stable and unstable sorts agree here: values equal under the total order
/// are bit-identical.
pub fn sort_f64(v: &mut [f64]) {
    v.sort_unstable_by(f64::total_cmp);
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
