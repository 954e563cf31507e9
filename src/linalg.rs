//! Small dense linear algebra on top of ndarray, with nalgebra for the
//! decompositions (symmetric eigen). See ARCHITECTURE.md for why nalgebra.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView2};

use crate::{Error, Result};

/// Rows per block in the blocked kernels below: a block of centred rows
/// (`BLOCK × p` values) stays in L1/L2 while the matrix product consumes it.
pub const BLOCK: usize = 256;

/// Column means of a row-major matrix.
pub fn column_means(x: ArrayView2<f64>) -> Array1<f64> {
    let n = x.nrows().max(1) as f64;
    let p = x.ncols();
    let mut m = vec![0.0; p];
    for row in x.rows() {
        match row.as_slice() {
            Some(r) => m.iter_mut().zip(r).for_each(|(a, v)| *a += v),
            None => m.iter_mut().zip(row.iter()).for_each(|(a, v)| *a += v),
        }
    }
    Array1::from(m) / n
}

/// `(X - 1 mᵀ)ᵀ (X - 1 mᵀ)` and `(X - 1 mᵀ)ᵀ (y - ȳ)` (`m`, `ȳ` zero when `center` is false).
///
/// Blocked: each block of [`BLOCK`] rows is centred into a small row-major
/// buffer `[X_b − m | y_b − ȳ]` and one matrix product accumulates its Gram
/// matrix (the last column of which is `Xᵀy`). Centring stays exact (no
/// `XᵀX − n m mᵀ` cancellation) and the per-block partial sums are more
/// accurate than one running sum over all rows.
pub fn centered_gram(x: ArrayView2<f64>, y: &[f64], mean: &Array1<f64>, y_mean: f64) -> (Array2<f64>, Array1<f64>) {
    let (n, p) = x.dim();
    let q = p + 1;
    let mut g1 = Array2::<f64>::zeros((q, q));
    let mut buf = Array2::<f64>::zeros((BLOCK.min(n).max(1), q));
    let mean = mean.as_slice().map(<[f64]>::to_vec).unwrap_or_else(|| mean.to_vec());
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let mut b = buf.slice_mut(s![..end - start, ..]);
        for ((mut brow, xrow), &yi) in b.rows_mut().into_iter().zip(x.slice(s![start..end, ..]).rows()).zip(&y[start..end]) {
            // `buf` is a fresh standard-layout array, so its rows are contiguous.
            if let Some(br) = brow.as_slice_mut() {
                match xrow.as_slice() {
                    Some(xr) => br[..p].iter_mut().zip(xr).zip(&mean).for_each(|((o, v), m)| *o = v - m),
                    None => br[..p].iter_mut().zip(xrow.iter()).zip(&mean).for_each(|((o, v), m)| *o = v - m),
                }
                br[p] = yi - y_mean;
            }
        }
        let b = buf.slice(s![..end - start, ..]);
        general_mat_mul(1.0, &b.t(), &b, 1.0, &mut g1);
        start = end;
    }
    let mut g = g1.slice(s![..p, ..p]).to_owned();
    symmetrize_upper(&mut g);
    let xty = g1.slice(s![..p, p]).to_owned();
    (g, xty)
}

/// Sum of `v` with eight independent accumulators (numpy's `add.reduce`
/// also unrolls by eight): a throughput-bound loop the compiler vectorises,
/// instead of one latency-bound chain, and a smaller round-off.
pub fn sum(v: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for x in rest {
        s += x;
    }
    s
}

/// Dot product with eight independent accumulators (see [`sum`]).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for ((s, u), v) in acc.iter_mut().zip(x).zip(y) {
            *s += u * v;
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (u, v) in ra.iter().zip(rb) {
        s += u * v;
    }
    s
}

/// Copies the upper triangle onto the lower one (the two halves of a Gram
/// matrix from a blocked product may differ in the last bit).
pub fn symmetrize_upper(g: &mut Array2<f64>) {
    let p = g.nrows();
    for j in 0..p {
        for k in 0..j {
            g[[j, k]] = g[[k, j]];
        }
    }
}

/// Eigen-decomposition of a symmetric matrix: eigenvalues ascending and the
/// matching eigenvectors as columns.
pub fn sym_eigen(a: &Array2<f64>) -> Result<(Vec<f64>, Array2<f64>)> {
    let p = a.nrows();
    if a.iter().any(|v| !v.is_finite()) {
        return Err(Error::Numerical("matrix has non-finite entries".into()));
    }
    let m = nalgebra::DMatrix::from_fn(p, p, |i, j| a[[i, j]]);
    let eig = m.symmetric_eigen();
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&i, &j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
    let vals = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let mut vecs = Array2::<f64>::zeros((p, p));
    for (c, &i) in order.iter().enumerate() {
        for r in 0..p {
            vecs[[r, c]] = eig.eigenvectors[(r, i)];
        }
    }
    Ok((vals, vecs))
}

/// Minimum-norm solution of the normal equations `G w = b` for a symmetric
/// positive semi-definite `G`, dropping directions with eigenvalue below
/// `rcond * λ_max` (the Gram-matrix analogue of `lstsq`'s singular-value cut-off).
pub fn solve_psd_min_norm(g: &Array2<f64>, b: &Array1<f64>, rcond: f64) -> Result<(Array1<f64>, usize)> {
    let p = g.nrows();
    let (vals, vecs) = sym_eigen(g)?;
    let lmax = vals.last().copied().unwrap_or(0.0).max(0.0);
    let cutoff = lmax * rcond;
    let mut w = Array1::<f64>::zeros(p);
    let mut rank = 0;
    for (k, &l) in vals.iter().enumerate() {
        if l > cutoff && l > 0.0 {
            rank += 1;
            let v = vecs.column(k);
            let c = v.dot(b) / l;
            w.scaled_add(c, &v);
        }
    }
    Ok((w, rank))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn min_norm_on_rank_deficient() {
        // Two identical columns: min-norm splits the weight evenly.
        let x = array![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        let y = [2.0, 4.0, 6.0];
        let zero = Array1::zeros(2);
        let (g, b) = centered_gram(x.view(), &y, &zero, 0.0);
        let (w, rank) = solve_psd_min_norm(&g, &b, 1e-12).unwrap();
        assert_eq!(rank, 1);
        assert!((w[0] - 1.0).abs() < 1e-12 && (w[1] - 1.0).abs() < 1e-12);
    }
}
