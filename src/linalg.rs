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
    centered_gram_of(Src::Rows(x), y, mean, y_mean)
}

/// [`centered_gram`] of the matrix whose columns are `cols` (each `y.len()` long): the
/// same values in the same order, so the same bits, without a row-major copy first.
pub fn centered_gram_cols(cols: &[&[f64]], y: &[f64], mean: &Array1<f64>, y_mean: f64) -> (Array2<f64>, Array1<f64>) {
    centered_gram_of(Src::Cols(cols, y.len()), y, mean, y_mean)
}

/// [`column_means`] of the matrix whose columns are `cols` (`n` rows): the same sums in the same order.
pub fn column_means_cols(cols: &[&[f64]], n: usize) -> Array1<f64> {
    Array1::from(column_sums_cols(cols, n)) / n.max(1) as f64
}

/// Each column's sum over its first `n` values (each column at least `n` long), added in
/// order from 0: the bits of a plain sequential sum, as [`column_means`] adds the rows of a
/// matrix. Up to 16 columns at a time (groups of equal size), row by row, so their sums are
/// independent chains (a column at a time would wait on each add's latency) and at most 16
/// streams are read (every column's row `i` at once left a wide table's 5,000 columns
/// thrashing the cache: 8 % of the page's 500 × 5,000 LinearRegression fit).
pub fn column_sums_cols(cols: &[&[f64]], n: usize) -> Vec<f64> {
    let mut acc = vec![0.0; cols.len()];
    let width = cols.len().div_ceil(cols.len().div_ceil(16).max(1)).max(1);
    for (acc, group) in acc.chunks_mut(width).zip(cols.chunks(width)) {
        let group: Vec<&[f64]> = group.iter().map(|c| &c[..n]).collect();
        for i in 0..n {
            for (a, c) in acc.iter_mut().zip(&group) {
                *a += c[i];
            }
        }
    }
    acc
}

/// A matrix as rows (an ndarray view) or as columns (a frame's).
#[derive(Clone, Copy)]
enum Src<'a> {
    Rows(ArrayView2<'a, f64>),
    Cols(&'a [&'a [f64]], usize),
}

impl Src<'_> {
    fn dim(&self) -> (usize, usize) {
        match self {
            Src::Rows(x) => x.dim(),
            Src::Cols(c, n) => (*n, c.len()),
        }
    }
}

fn centered_gram_of(x: Src, y: &[f64], mean: &Array1<f64>, y_mean: f64) -> (Array2<f64>, Array1<f64>) {
    if cfg!(target_arch = "wasm32") && x.dim().1 < LANE_GRAM_MAX_Q {
        centered_gram_lanes(x, y, mean, y_mean)
    } else {
        centered_gram_gemm(x, y, mean, y_mean)
    }
}

/// Up to this many variables a Gram block goes through [`add_gram_upper`] in wasm
/// (its `q × BLOCK` buffer, ≤ 128 KB, stays in cache; wider data keeps `dgemm`'s packing).
pub const LANE_GRAM_MAX_Q: usize = 64;

/// [`centered_gram`] through matrixmultiply's `dgemm` (natively it picks AVX/FMA at run time).
fn centered_gram_gemm(x: Src, y: &[f64], mean: &Array1<f64>, y_mean: f64) -> (Array2<f64>, Array1<f64>) {
    let (n, p) = x.dim();
    let q = p + 1;
    let mut g1 = Array2::<f64>::zeros((q, q));
    let mut buf = Array2::<f64>::zeros((BLOCK.min(n).max(1), q));
    let mean = mean.as_slice().map(<[f64]>::to_vec).unwrap_or_else(|| mean.to_vec());
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let mut b = buf.slice_mut(s![..end - start, ..]);
        match x {
            Src::Rows(x) => {
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
            }
            Src::Cols(cols, _) => {
                for (j, (col, m)) in cols.iter().zip(&mean).enumerate() {
                    b.column_mut(j).iter_mut().zip(&col[start..end]).for_each(|(o, v)| *o = v - m);
                }
                b.column_mut(p).iter_mut().zip(&y[start..end]).for_each(|(o, v)| *o = v - y_mean);
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
fn centered_gram_lanes(x: Src, y: &[f64], mean: &Array1<f64>, y_mean: f64) -> (Array2<f64>, Array1<f64>) {
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
        match x {
            Src::Rows(x) => {
                for (i, xrow) in x.slice(s![start..end, ..]).rows().into_iter().enumerate() {
                    match xrow.as_slice() {
                        Some(xr) => xr.iter().zip(&mean).enumerate().for_each(|(j, (v, m))| buf[j * bw + i] = v - m),
                        None => xrow.iter().zip(&mean).enumerate().for_each(|(j, (v, m))| buf[j * bw + i] = v - m),
                    }
                }
            }
            Src::Cols(cols, _) => {
                for (j, (col, m)) in cols.iter().zip(&mean).enumerate() {
                    buf[j * bw..j * bw + (end - start)].iter_mut().zip(&col[start..end]).for_each(|(o, v)| *o = v - m);
                }
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

/// Columns per pass of the wasm [`column_kernel`] (500 × 5,000 in V8, for the row-major
/// kernel it replaced: 32 to 256 columns within 15 %, 256 the fastest).
const KERNEL_COLS: usize = 256;

/// Rows per tile of [`column_kernel`]'s lane route, and the multiple its columns are padded to.
const KERNEL_PAD: usize = 8;

/// An `n × p` matrix as its `p` columns back to back, each padded with zeros to `q` entries
/// (`q ≥ n`, a multiple of [`KERNEL_PAD`]): the input of [`column_kernel`]. Built only by
/// [`PaddedColumns::from_fn`], so `buf.len() == q · p` always holds.
pub struct PaddedColumns {
    buf: Vec<f64>,
    q: usize,
    n: usize,
    p: usize,
}

impl PaddedColumns {
    /// Column `c` is written by `fill(c, out)` into its `n` entries (`out.len() == n`).
    pub fn from_fn(n: usize, p: usize, mut fill: impl FnMut(usize, &mut [f64])) -> PaddedColumns {
        let q = n.div_ceil(KERNEL_PAD) * KERNEL_PAD;
        let mut buf = vec![0.0; q * p];
        for (c, col) in buf.chunks_exact_mut(q.max(1)).enumerate() {
            fill(c, &mut col[..n]);
        }
        PaddedColumns { buf, q, n, p }
    }

    /// The `n` entries of column `c`.
    pub fn column(&self, c: usize) -> &[f64] {
        &self.buf[c * self.q..c * self.q + self.n]
    }

    /// The number of columns.
    pub fn ncols(&self) -> usize {
        self.p
    }

    /// The number of rows.
    pub fn nrows(&self) -> usize {
        self.n
    }
}

/// `Σ_c x_c x_cᵀ` (`n × n`, symmetric): the kernel matrix `X Xᵀ` of wide least squares from
/// the matrix's columns, so a frame's columns go in with no row-major copy of the matrix.
/// Natively `dgemm` (AVX/FMA at run time); in wasm, [`add_column_kernel_upper`] one block of
/// [`KERNEL_COLS`] columns after another.
pub fn column_kernel(x: &PaddedColumns) -> Array2<f64> {
    let &PaddedColumns { ref buf, q, n, p } = x;
    if n == 0 || p == 0 {
        return Array2::zeros((n, n));
    }
    let mut k = if cfg!(target_arch = "wasm32") {
        let mut g = vec![0.0; q * q];
        for block in buf.chunks(KERNEL_COLS * q) {
            add_column_kernel_upper(block, q, &mut g);
        }
        Array2::from_shape_fn((n, n), |(j, l)| if j <= l { g[j * q + l] } else { 0.0 })
    } else {
        let mut k = Array2::<f64>::zeros((n, n));
        // `buf` is `p × q` row-major (from_fn makes buf.len() == q · p), so `X` is the first n
        // columns of that matrix, transposed.
        if let Ok(v) = ArrayView2::from_shape((p, q), buf.as_slice()) {
            let v = v.slice(s![.., ..n]);
            general_mat_mul(1.0, &v.t(), &v, 0.0, &mut k);
        }
        k
    };
    symmetrize_upper(&mut k);
    k
}

/// Adds the upper triangle (`j ≤ k`, and some entries just below it) of `Σ_c x_c x_cᵀ` into
/// `g` (`q × q`, row-major), over the columns `x_c = block[c * q..(c + 1) * q]`. 2 × 8 output
/// tiles (rows `j, j + 1` against `k..k + 8`): per column two broadcast values and four
/// [`F2`] loads for eight lane multiply-adds, each entry one running sum over the block's
/// columns in order, added to `g` once per block. `q` must be a multiple of [`KERNEL_PAD`].
fn add_column_kernel_upper(block: &[f64], q: usize, g: &mut [f64]) {
    debug_assert!(q % KERNEL_PAD == 0 && g.len() >= q * q && block.len() % q == 0);
    for j in (0..q).step_by(2) {
        for k in (j - j % KERNEL_PAD..q).step_by(KERNEL_PAD) {
            let mut acc = [[F2::zero(); 4]; 2];
            for col in block.chunks_exact(q) {
                let (a, b) = (&col[j..j + 2], &col[k..k + KERNEL_PAD]);
                let (u0, u1) = (F2::splat(a[0]), F2::splat(a[1]));
                for (t, pair) in b.chunks_exact(2).enumerate() {
                    let v = F2::load(pair);
                    acc[0][t] = acc[0][t].add_mul(u0, v);
                    acc[1][t] = acc[1][t].add_mul(u1, v);
                }
            }
            for (r, row) in acc.iter().enumerate() {
                let out = &mut g[(j + r) * q + k..(j + r) * q + k + KERNEL_PAD];
                for (pair, a) in out.chunks_exact_mut(2).zip(row) {
                    let l = a.lanes();
                    pair[0] += l[0];
                    pair[1] += l[1];
                }
            }
        }
    }
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

/// [`add_gram_upper`] natively: the same sums bit for bit (each entry's four lane sums over
/// rows `i ≡ 0, 1, 2, 3 mod 4`, combined as `(l0 + l1) + (l2 + l3)`, then the last
/// `len % 4` rows in order, added to `g` once per block), in 2 × 4 output tiles (rows
/// `j, j + 1` against `k..k + 4`: six row loads for eight lane products). On an x86-64 CPU
/// with AVX2 ([`crate::numeric::cpu::avx2`]) each entry's four lanes are one 256-bit
/// register (explicit intrinsics: LLVM vectorised the portable tile across the entries, with
/// shuffles); multiply and add stay separately rounded (no FMA), so the bits stay the page's.
/// Entries below the diagonal inside a tile are written too; callers read the upper
/// triangle. `q` must be even.
#[cfg(not(target_arch = "wasm32"))]
pub fn add_gram_upper_native(buf: &[f64], stride: usize, q: usize, len: usize, g: &mut [f64]) {
    debug_assert!(q % 2 == 0 && g.len() >= q * q && buf.len() >= q.saturating_sub(1) * stride + len);
    #[cfg(target_arch = "x86_64")]
    if crate::numeric::cpu::avx2() {
        // SAFETY: the CPU has AVX2 and FMA (asked just above), all the function requires.
        unsafe { gram_upper_tiles_x86(buf, stride, q, len, g) };
        return;
    }
    gram_upper_tiles(buf, stride, q, len, g);
}

/// The portable tiles of [`add_gram_upper_native`].
#[cfg(not(target_arch = "wasm32"))]
fn gram_upper_tiles(buf: &[f64], stride: usize, q: usize, len: usize, g: &mut [f64]) {
    let row = |j: usize| &buf[j * stride..j * stride + len];
    for j in (0..q).step_by(2) {
        let a = [row(j), row(j + 1)];
        let mut k = j;
        while k + 4 <= q {
            add_tile(g, q, j, k, gram_tile(a, [row(k), row(k + 1), row(k + 2), row(k + 3)]));
            k += 4;
        }
        if k < q {
            add_tile(g, q, j, k, gram_tile(a, [row(k), row(k + 1)]));
        }
    }
}

/// Adds a tile's two rows at `(j, k)` of the `q × q` matrix `g`.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn add_tile<const W: usize>(g: &mut [f64], q: usize, j: usize, k: usize, t: [[f64; W]; 2]) {
    for (r, tr) in t.iter().enumerate() {
        g[(j + r) * q + k..(j + r) * q + k + W].iter_mut().zip(tr).for_each(|(o, v)| *o += v);
    }
}

/// [`gram_upper_tiles`] with the lanes in AVX registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn gram_upper_tiles_x86(buf: &[f64], stride: usize, q: usize, len: usize, g: &mut [f64]) {
    let row = |j: usize| &buf[j * stride..j * stride + len];
    for j in (0..q).step_by(2) {
        let a = [row(j), row(j + 1)];
        let mut k = j;
        while k + 4 <= q {
            // SAFETY: this function's own target features (the caller checked the CPU).
            let t = unsafe { gram_tile_x86(a, [row(k), row(k + 1), row(k + 2), row(k + 3)]) };
            add_tile(g, q, j, k, t);
            k += 4;
        }
        if k < q {
            // SAFETY: as above.
            let t = unsafe { gram_tile_x86(a, [row(k), row(k + 1)]) };
            add_tile(g, q, j, k, t);
        }
    }
}

/// [`gram_tile`] with each entry's four lanes in one 256-bit register: `acc + x · y` as a
/// separate multiply and add, as the portable code.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn gram_tile_x86<const W: usize>(a: [&[f64]; 2], b: [&[f64]; W]) -> [[f64; W]; 2] {
    use std::arch::x86_64::{_mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_setzero_pd, _mm256_storeu_pd};
    let len = a[0].len();
    assert!(a[1].len() == len && b.iter().all(|r| r.len() == len));
    let full = len - len % 4;
    let mut out = [[0.0f64; W]; 2];
    // SAFETY: every load reads `i..i + 4` with `i + 4 <= full <= len`, the length of every row
    // (checked above); the stores write a local `[f64; 4]`.
    unsafe {
        let mut acc = [[_mm256_setzero_pd(); W]; 2];
        let mut i = 0;
        while i < full {
            let x0 = _mm256_loadu_pd(a[0].as_ptr().add(i));
            let x1 = _mm256_loadu_pd(a[1].as_ptr().add(i));
            for (t, bt) in b.iter().enumerate() {
                let y = _mm256_loadu_pd(bt.as_ptr().add(i));
                acc[0][t] = _mm256_add_pd(acc[0][t], _mm256_mul_pd(x0, y));
                acc[1][t] = _mm256_add_pd(acc[1][t], _mm256_mul_pd(x1, y));
            }
            i += 4;
        }
        for (o, ar) in out.iter_mut().zip(&acc) {
            for (ot, &v) in o.iter_mut().zip(ar) {
                let mut l = [0.0f64; 4];
                _mm256_storeu_pd(l.as_mut_ptr(), v);
                *ot = (l[0] + l[1]) + (l[2] + l[3]);
            }
        }
    }
    for i in full..len {
        for (t, bt) in b.iter().enumerate() {
            out[0][t] += a[0][i] * bt[i];
            out[1][t] += a[1][i] * bt[i];
        }
    }
    out
}

/// One tile of [`add_gram_upper_native`]: rows `a` against the `W` rows `b` (all `len` long).
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn gram_tile<const W: usize>(a: [&[f64]; 2], b: [&[f64]; W]) -> [[f64; W]; 2] {
    let len = a[0].len();
    let full = len - len % 4;
    let mut acc = [[[0.0f64; 4]; W]; 2];
    let mut i = 0;
    while i < full {
        let x: [&[f64]; 2] = [&a[0][i..i + 4], &a[1][i..i + 4]];
        for (t, bt) in b.iter().enumerate() {
            let y = &bt[i..i + 4];
            for (acc_r, xr) in acc.iter_mut().zip(&x) {
                for l in 0..4 {
                    acc_r[t][l] += xr[l] * y[l];
                }
            }
        }
        i += 4;
    }
    let mut out = acc.map(|r| r.map(|l| (l[0] + l[1]) + (l[2] + l[3])));
    for i in full..len {
        for (t, bt) in b.iter().enumerate() {
            out[0][t] += a[0][i] * bt[i];
            out[1][t] += a[1][i] * bt[i];
        }
    }
    out
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
    #[inline(always)]
    fn splat(v: f64) -> F2 {
        F2(core::arch::wasm32::f64x2_splat(v))
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
    fn splat(v: f64) -> F2 {
        F2([v, v])
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

/// The eigenvalues of a symmetric matrix, ascending: those [`sym_eigen`] gives (nalgebra runs
/// the same iteration without accumulating the eigenvectors, a fraction of the cost).
pub fn sym_eigenvalues(a: &Array2<f64>) -> Result<Vec<f64>> {
    let p = a.nrows();
    if a.iter().any(|v| !v.is_finite()) {
        return Err(Error::Numerical("matrix has non-finite entries".into()));
    }
    let mut vals: Vec<f64> = nalgebra::DMatrix::from_fn(p, p, |i, j| a[[i, j]]).symmetric_eigenvalues().iter().copied().collect();
    crate::sorting::sort_f64(&mut vals);
    Ok(vals)
}

/// The Cholesky factorization `A = L Lᵀ` of a symmetric positive definite matrix.
pub struct Spd(nalgebra::Cholesky<f64, nalgebra::Dyn>);

impl Spd {
    /// `None` when `a` is not positive definite (numerically) or not finite.
    pub fn factor(a: &Array2<f64>) -> Option<Spd> {
        if a.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let n = a.nrows();
        nalgebra::Cholesky::new(nalgebra::DMatrix::from_fn(n, n, |i, j| a[[i, j]])).map(Spd)
    }

    /// `A⁻¹ b`.
    pub fn solve(&self, b: &Array1<f64>) -> Array1<f64> {
        let x = self.0.solve(&nalgebra::DVector::from_iterator(b.len(), b.iter().copied()));
        Array1::from_iter(x.iter().copied())
    }

    /// A lower bound of `A`'s smallest eigenvalue: `1 / ‖L⁻¹‖_F²` (`λ_min = 1 / ‖A⁻¹‖₂ =
    /// 1 / ‖L⁻¹‖₂²`, and `‖·‖₂ ≤ ‖·‖_F`; loose by at most a factor n). `L⁻¹` is found one
    /// column at a time by forward substitution (n³/6 multiply-adds), never stored.
    pub fn min_eigenvalue_bound(&self) -> f64 {
        let l = self.0.l_dirty();
        let n = l.nrows();
        // Row-major copy of the lower triangle: the substitution reads rows.
        let mut rows = vec![0.0; n * n];
        for j in 0..n {
            for i in j..n {
                rows[i * n + j] = l[(i, j)];
            }
        }
        let mut x = vec![0.0; n];
        let mut sum_sq = 0.0;
        for j in 0..n {
            // Column j of L⁻¹: zero above j.
            x[j] = 1.0 / rows[j * n + j];
            sum_sq += x[j] * x[j];
            for i in j + 1..n {
                let v = -dot(&rows[i * n + j..i * n + i], &x[j..i]) / rows[i * n + i];
                x[i] = v;
                sum_sq += v * v;
            }
        }
        if sum_sq.is_finite() && sum_sq > 0.0 {
            1.0 / sum_sq
        } else {
            0.0
        }
    }
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
        let mut u = crate::numeric::test_uniform(7);
        let x = Array2::from_shape_fn((n, p + 1), |_| u() - 0.3);
        let xv = x.slice(s![.., ..p]);
        let y: Vec<f64> = (0..n).map(|i| x[[i, p]] * 3.0 + i as f64 * 1e-3).collect();
        let mean = column_means(xv);
        let y_mean = y.iter().sum::<f64>() / n as f64;
        let (g1, b1) = centered_gram_gemm(Src::Rows(xv), &y, &mean, y_mean);
        let (g2, b2) = centered_gram_lanes(Src::Rows(xv), &y, &mean, y_mean);
        for (a, b) in g1.iter().zip(&g2).chain(b1.iter().zip(&b2)) {
            assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
        }
        assert_eq!(g2, g2.t());
        // From the columns: the same bits on either route.
        let cols: Vec<Vec<f64>> = (0..p).map(|j| xv.column(j).to_vec()).collect();
        let cols: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        assert_eq!(column_means_cols(&cols, n), mean);
        assert_eq!(centered_gram_gemm(Src::Cols(&cols, n), &y, &mean, y_mean), (g1, b1));
        assert_eq!(centered_gram_lanes(Src::Cols(&cols, n), &y, &mean, y_mean), (g2, b2));
    }

    #[test]
    fn native_gram_tiles_match_the_lane_kernel_bit_for_bit() {
        // Every row count mod 4, q a multiple of 4 and not (the 2 × 2 tail), on both CPU paths.
        let mut u = crate::numeric::test_uniform(3);
        let mut next = || u() - 0.4;
        for (q, len) in [(2, 5), (4, 8), (6, 13), (20, 256), (22, 255), (8, 3)] {
            let stride = len + 3;
            let buf: Vec<f64> = (0..q * stride).map(|_| next()).collect();
            let g0: Vec<f64> = (0..q * q).map(|_| next()).collect();
            let mut want = g0.clone();
            add_gram_upper(&buf, stride, q, len, &mut want);
            for baseline in [false, true] {
                let mut got = g0.clone();
                if baseline {
                    crate::numeric::cpu::baseline(|| add_gram_upper_native(&buf, stride, q, len, &mut got));
                } else {
                    add_gram_upper_native(&buf, stride, q, len, &mut got);
                }
                for j in 0..q {
                    for k in j..q {
                        assert_eq!(got[j * q + k].to_bits(), want[j * q + k].to_bits(), "q {q} len {len} ({j}, {k})");
                    }
                }
            }
        }
    }

    #[test]
    fn column_kernel_lanes_match_gemm() {
        // The wasm route (2 × 8 tiles over padded columns) against dgemm: row counts around
        // the 8-row padding, column counts across KERNEL_COLS blocks.
        let mut u = crate::numeric::test_uniform(13);
        let mut r = || u() - 0.5;
        for (n, p) in [(1, 3), (7, 20), (8, 8), (9, KERNEL_COLS + 1), (37, 2 * KERNEL_COLS + 13)] {
            let x = PaddedColumns::from_fn(n, p, |_, out| out.iter_mut().for_each(|v| *v = r()));
            let want = column_kernel(&x);
            let q = x.q;
            let mut g = vec![0.0; q * q];
            for block in x.buf.chunks(KERNEL_COLS * q) {
                add_column_kernel_upper(block, q, &mut g);
            }
            for j in 0..n {
                for k in j..n {
                    let (a, b) = (want[[j, k]], g[j * q + k]);
                    assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "n {n} p {p} ({j}, {k}): {a} vs {b}");
                    let direct: f64 = (0..p).map(|c| x.column(c)[j] * x.column(c)[k]).sum();
                    assert!((a - direct).abs() <= 1e-12 * a.abs().max(1.0));
                }
            }
            assert_eq!(want, want.t());
        }
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
