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
    if cfg!(target_arch = "wasm32") && x.ncols() < LANE_GRAM_MAX_Q {
        centered_gram_lanes(x, y, mean, y_mean)
    } else {
        centered_gram_gemm(x, y, mean, y_mean)
    }
}

/// Up to this many variables a Gram block goes through [`add_gram_upper`] in wasm
/// (its `q × BLOCK` buffer, ≤ 128 KB, stays in cache; wider data keeps `dgemm`'s packing).
pub const LANE_GRAM_MAX_Q: usize = 64;

/// [`centered_gram`] through matrixmultiply's `dgemm` (natively it picks AVX/FMA at run time).
fn centered_gram_gemm(x: ArrayView2<f64>, y: &[f64], mean: &Array1<f64>, y_mean: f64) -> (Array2<f64>, Array1<f64>) {
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

/// [`centered_gram`] through [`add_gram_upper`]: in wasm, matrixmultiply has no SIMD
/// `dgemm` kernel (its simd128 kernel is `sgemm` only), and the scalar one computed both
/// triangles. Each block of rows is centred into a transposed `q × BLOCK` buffer (one
/// variable per row, `q = p + 1` with `y` last, rounded up to an even count with a zero row).
fn centered_gram_lanes(x: ArrayView2<f64>, y: &[f64], mean: &Array1<f64>, y_mean: f64) -> (Array2<f64>, Array1<f64>) {
    let (n, p) = x.dim();
    let q = p + 1;
    let q2 = q + q % 2;
    let bw = BLOCK.min(n).max(1);
    let mut g1 = vec![0.0; q2 * q2];
    let mut buf = vec![0.0; q2 * bw];
    let mean = mean.as_slice().map(<[f64]>::to_vec).unwrap_or_else(|| mean.to_vec());
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        for (i, xrow) in x.slice(s![start..end, ..]).rows().into_iter().enumerate() {
            match xrow.as_slice() {
                Some(xr) => xr.iter().zip(&mean).enumerate().for_each(|(j, (v, m))| buf[j * bw + i] = v - m),
                None => xrow.iter().zip(&mean).enumerate().for_each(|(j, (v, m))| buf[j * bw + i] = v - m),
            }
        }
        buf[p * bw..p * bw + (end - start)].iter_mut().zip(&y[start..end]).for_each(|(o, v)| *o = v - y_mean);
        add_gram_upper(&buf, bw, q2, end - start, &mut g1);
        start = end;
    }
    let mut g = Array2::from_shape_fn((p, p), |(j, k)| if j <= k { g1[j * q2 + k] } else { 0.0 });
    symmetrize_upper(&mut g);
    let xty = Array1::from_shape_fn(p, |j| g1[j * q2 + p]);
    (g, xty)
}

/// Adds the upper triangle (`j ≤ k`) of `B Bᵀ` into `g` (`q × q`, row-major), where row
/// `j` of `B` is `buf[j * stride..j * stride + len]`; `q` must be even (callers pad with a
/// zero row). 2 × 2 output tiles, each with four lane sums (rows `i ≡ 0, 1, 2, 3 mod 4`)
/// held in two [`F2`] (SIMD128 in wasm: LLVM did not vectorise the scalar form), combined
/// as `(l0 + l1) + (l2 + l3)` and added to `g` once per block. The lower triangle is
/// left as it was.
pub fn add_gram_upper(buf: &[f64], stride: usize, q: usize, len: usize, g: &mut [f64]) {
    debug_assert!(q % 2 == 0 && g.len() >= q * q && buf.len() >= q.saturating_sub(1) * stride + len);
    let row = |j: usize| &buf[j * stride..j * stride + len];
    for j in (0..q).step_by(2) {
        let (a0, a1) = (row(j), row(j + 1));
        for k in (j..q).step_by(2) {
            let (b0, b1) = (row(k), row(k + 1));
            // acc[t][h]: tile entry t (00, 01, 10, 11), lanes 2h, 2h + 1.
            let mut acc = [[F2::zero(); 2]; 4];
            let chunks = a0.chunks_exact(4).zip(a1.chunks_exact(4)).zip(b0.chunks_exact(4).zip(b1.chunks_exact(4)));
            for ((x0, x1), (y0, y1)) in chunks {
                for h in 0..2 {
                    let (u0, u1) = (F2::load(&x0[2 * h..]), F2::load(&x1[2 * h..]));
                    let (v0, v1) = (F2::load(&y0[2 * h..]), F2::load(&y1[2 * h..]));
                    acc[0][h] = acc[0][h].add_mul(u0, v0);
                    acc[1][h] = acc[1][h].add_mul(u0, v1);
                    acc[2][h] = acc[2][h].add_mul(u1, v0);
                    acc[3][h] = acc[3][h].add_mul(u1, v1);
                }
            }
            let mut t = acc.map(|[lo, hi]| {
                let (lo, hi) = (lo.lanes(), hi.lanes());
                (lo[0] + lo[1]) + (hi[0] + hi[1])
            });
            for i in len - len % 4..len {
                t[0] += a0[i] * b0[i];
                t[1] += a0[i] * b1[i];
                t[2] += a1[i] * b0[i];
                t[3] += a1[i] * b1[i];
            }
            g[j * q + k] += t[0];
            g[j * q + k + 1] += t[1];
            g[(j + 1) * q + k] += t[2];
            g[(j + 1) * q + k + 1] += t[3];
        }
    }
}

/// Two f64 lanes: wasm's `f64x2` (SIMD128), natively a plain pair with the same
/// arithmetic (each lane a separately rounded multiply, then add; Rust never fuses them),
/// so the native tests see the bits the page computes.
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Copy)]
struct F2(core::arch::wasm32::v128);

#[cfg(target_arch = "wasm32")]
impl F2 {
    #[inline(always)]
    fn zero() -> F2 {
        F2(core::arch::wasm32::f64x2_splat(0.0))
    }
    /// `s[0], s[1]`.
    #[inline(always)]
    fn load(s: &[f64]) -> F2 {
        F2(core::arch::wasm32::f64x2(s[0], s[1]))
    }
    /// `self + a · b` lane by lane.
    #[inline(always)]
    fn add_mul(self, a: F2, b: F2) -> F2 {
        use core::arch::wasm32::{f64x2_add, f64x2_mul};
        F2(f64x2_add(self.0, f64x2_mul(a.0, b.0)))
    }
    #[inline(always)]
    fn lanes(self) -> [f64; 2] {
        use core::arch::wasm32::f64x2_extract_lane;
        [f64x2_extract_lane::<0>(self.0), f64x2_extract_lane::<1>(self.0)]
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Copy)]
struct F2([f64; 2]);

#[cfg(not(target_arch = "wasm32"))]
impl F2 {
    #[inline(always)]
    fn zero() -> F2 {
        F2([0.0, 0.0])
    }
    #[inline(always)]
    fn load(s: &[f64]) -> F2 {
        F2([s[0], s[1]])
    }
    #[inline(always)]
    fn add_mul(self, a: F2, b: F2) -> F2 {
        F2([self.0[0] + a.0[0] * b.0[0], self.0[1] + a.0[1] * b.0[1]])
    }
    #[inline(always)]
    fn lanes(self) -> [f64; 2] {
        self.0
    }
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
    crate::sorting::sort_indices_by(&mut order, &|i, j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
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
    fn lane_gram_matches_gemm() {
        // Both routes of centered_gram (wasm's lanes, native dgemm) on an odd p, a last
        // block shorter than BLOCK and not a multiple of 4, and a strided view.
        let (n, p) = (2 * BLOCK + 7, 5);
        let mut s = 7u64;
        let x = Array2::from_shape_fn((n, p + 1), |_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.3
        });
        let xv = x.slice(s![.., ..p]);
        let y: Vec<f64> = (0..n).map(|i| x[[i, p]] * 3.0 + i as f64 * 1e-3).collect();
        let mean = column_means(xv);
        let y_mean = y.iter().sum::<f64>() / n as f64;
        let (g1, b1) = centered_gram_gemm(xv, &y, &mean, y_mean);
        let (g2, b2) = centered_gram_lanes(xv, &y, &mean, y_mean);
        for (a, b) in g1.iter().zip(&g2).chain(b1.iter().zip(&b2)) {
            assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
        }
        assert_eq!(g2, g2.t());
    }

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
