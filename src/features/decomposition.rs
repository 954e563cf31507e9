//! Dimensionality reduction: `PCA`, `TruncatedSVD` and `LinearDiscriminantAnalysis`
//! used as a transformer.
//!
//! - PCA centres the columns and eigen-decomposes the covariance matrix
//!   (scikit-learn's `covariance_eigh` solver, which its `auto` picks for tall
//!   data): `explained_variance_` uses ddof = 1, `singular_values_ =
//!   sqrt(explained_variance_ · (n − 1))`. Each component is flipped so its
//!   largest-|loading| entry is positive (scikit-learn's `svd_flip` with
//!   `u_based_decision=False`). Output columns are `pca0, pca1, …`.
//! - LDA follows scikit-learn's `svd` solver (within-class covariance scaled to
//!   the identity, then an SVD of the weighted class centres) or its `eigen`
//!   solver (generalised eigenproblem `Sb v = λ Sw v`). The SVDs are computed as
//!   eigen-decompositions of the small Gram matrices. Each discriminant is
//!   flipped so its largest-|scaling| entry is positive (scikit-learn leaves
//!   the sign to LAPACK). Output columns are `lineardiscriminantanalysis0, …`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::selection::finite_columns;
use crate::estimator::class_target_for;
use crate::estimator::{ExplainedVariance, FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, FData, Frame};
use crate::linalg::{self, sym_eigen, BLOCK};
use crate::preprocess::{check_columns, check_fit_rows};
use crate::{Error, Result};
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2};

/// `n_components`: a count, or a fraction of variance to keep (PCA).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NComponents {
    Count(usize),
    Fraction(f64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PcaParams {
    /// Number of components, a variance fraction in (0, 1), or null for min(n_samples, n_features).
    pub n_components: Option<NComponents>,
    pub whiten: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pca {
    pub input_names: Vec<String>,
    pub mean: Vec<f64>,
    /// One row per component (unit length, sign-normalised).
    pub components: Vec<Vec<f64>>,
    /// Variance (ddof = 1) along each kept component.
    pub explained_variance: Vec<f64>,
    pub explained_variance_ratio: Vec<f64>,
    pub singular_values: Vec<f64>,
    pub whiten: bool,
    pub n_samples: usize,
}

/// Where a projection subtracts the centre.
#[derive(Clone, Copy, PartialEq)]
enum Centre {
    /// `(X − μ)V`: each block of rows centred into a buffer first (LDA, as scikit-learn's
    /// `(X − xbar_) @ scalings_`).
    InBlocks,
    /// `XV − μV` (scikit-learn's `PCA.transform`: `X @ components_.T − mean_ @ components_.T`):
    /// the kernel reads the frame's columns directly, no centred copy. With μ = 0 (TruncatedSVD)
    /// both give the same bits.
    AfterProjection,
}

/// Projects the centred columns of `x` on `dirs` (one weight vector per output column).
///
/// Blocked: [`project_block`] writes [`PROJECT_BLOCK`] rows of every output column straight
/// into the outputs, reading the inputs once per group of outputs while the block is in cache.
fn project(x: &Frame, step: &str, center: &[f64], dirs: &[Vec<f64>], scale: Option<&[f64]>, prefix: &str, centre: Centre) -> Result<Frame> {
    let n = x.n_rows;
    match project_in_blocks(x, step, center, dirs, scale, PROJECT_BLOCK, centre, Layout::Columns)? {
        Projected::Columns(outs) => {
            let cols = outs.into_iter().enumerate().map(|(c, v)| FCol::num(format!("{prefix}{c}"), v)).collect();
            Ok(Frame::new(cols, n))
        }
        Projected::Rows(..) => Err(Error::data(format!("internal: {step} projected rows for columns"))),
    }
}

/// [`project`] then [`Frame::to_matrix`], in one pass: each block's outputs are transposed
/// into the row-major result while they are in cache (the same values: each output is the
/// same sum in the same order), instead of a second pass over the whole output frame. A value
/// with an all-ones exponent (NaN or ±inf) takes the two-step path, so the error is
/// `to_matrix`'s own.
fn project_matrix<T: FittedTransform>(
    fitted: &T,
    x: &Frame,
    step: &str,
    center: &[f64],
    dirs: &[Vec<f64>],
    scale: Option<&[f64]>,
    centre: Centre,
) -> Result<Array2<f64>> {
    let (n, k) = (x.n_rows, dirs.len());
    match project_in_blocks(x, step, center, dirs, scale, PROJECT_BLOCK, centre, Layout::Rows)? {
        Projected::Rows(out, false) => Array2::from_shape_vec((n, k), out).map_err(|e| Error::data(format!("internal: {step} output {n} × {k}: {e}"))),
        _ => fitted.transform(x)?.to_matrix(),
    }
}

/// What [`project_in_blocks`] returns: the output columns, or the row-major matrix.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    Columns,
    Rows,
}

enum Projected {
    Columns(Vec<Vec<f64>>),
    /// Row-major `n × k` values, and whether one has an all-ones exponent (NaN or ±inf).
    Rows(Vec<f64>, bool),
}

/// Rows per block of [`project`]: 2,048 (8 × [`BLOCK`]) so each column is read in 16 KB runs
/// (20 interleaved 2 KB runs left the loads waiting on memory: `fill_centred_block`, both
/// passes, was 16.6 % of the PCA benchmark's profile). Each output is a sum over the inputs of
/// its own row, so the block size does not change a bit (`projection_does_not_depend_on_the_block`).
const PROJECT_BLOCK: usize = 8 * BLOCK;

#[allow(clippy::too_many_arguments)]
fn project_in_blocks(
    x: &Frame,
    step: &str,
    center: &[f64],
    dirs: &[Vec<f64>],
    scale: Option<&[f64]>,
    block: usize,
    centre: Centre,
    layout: Layout,
) -> Result<Projected> {
    let inputs: Vec<&[f64]> = x.cols.iter().map(|c| c.numeric(step)).collect::<Result<_>>()?;
    let (n, p, k) = (x.n_rows, inputs.len(), dirs.len());
    if center.len() != p || dirs.iter().any(|w| w.len() != p) || scale.is_some_and(|s| s.len() != k) || inputs.iter().any(|c| c.len() != n) {
        return Err(Error::data(format!("{step}: the fitted weights do not match the {p} input columns")));
    }
    // The weights row-major (k × p); the outputs grown block by block (each block zeroed
    // while in cache, then written: a memset of the whole outputs was 3 % of the benchmark's
    // profile when the heap is reused).
    let w: Vec<f64> = dirs.iter().flatten().copied().collect();
    // μV, each summed over the inputs in order from 0.0 (zeros when centred in blocks).
    let shift: Vec<f64> = match centre {
        Centre::AfterProjection => dirs.iter().map(|d| d.iter().zip(center).fold(0.0, |a, (&wj, &m)| a + wj * m)).collect(),
        Centre::InBlocks => vec![0.0; k],
    };
    let bw = block.min(n).max(1);
    // The row tiles write the result themselves (AVX2, below).
    #[cfg(target_arch = "x86_64")]
    let row_tiles = layout == Layout::Rows && crate::numeric::cpu::avx2();
    #[cfg(not(target_arch = "x86_64"))]
    let row_tiles = false;
    // Columns: the output columns themselves. Rows: one block of each output column (in
    // cache), appended transposed to `matrix` after each block (none for the row tiles).
    let mut outs: Vec<Vec<f64>> = match layout {
        Layout::Columns => (0..k).map(|_| Vec::with_capacity(n)).collect(),
        Layout::Rows if row_tiles => Vec::new(),
        Layout::Rows => (0..k).map(|_| vec![0.0; bw]).collect(),
    };
    let mut matrix = Vec::with_capacity(if layout == Layout::Rows { n * k } else { 0 });
    let mut suspect = false;
    let mut buf = match centre {
        Centre::InBlocks => Array2::<f64>::zeros((p, bw)),
        Centre::AfterProjection => Array2::<f64>::zeros((0, 0)),
    };
    let mut start = 0;
    while start < n {
        let end = (start + bw).min(n);
        let (src, off): (Vec<&[f64]>, usize) = match centre {
            Centre::InBlocks => {
                fill_centred_block(&mut buf, &inputs, center, start, end);
                // `buf` is a fresh standard-layout array, so as_slice is Some.
                (buf.as_slice().unwrap_or(&[]).chunks_exact(bw).collect(), 0)
            }
            Centre::AfterProjection => (inputs.clone(), start),
        };
        #[cfg(target_arch = "x86_64")]
        if row_tiles {
            // The block's rows of the result, written once each by the tiles (below, `set_len`).
            let rows = &mut matrix.spare_capacity_mut()[start * k..end * k];
            // SAFETY: the CPU has AVX2 and FMA (`row_tiles` asked before the loop), all the
            // function requires.
            suspect |= unsafe { project_block_rows_x86(&w, &src, off, &shift, scale, rows, k) };
            start = end;
            continue;
        }
        let mut dst: Vec<&mut [f64]> = outs
            .iter_mut()
            .map(|o| match layout {
                Layout::Columns => {
                    o.resize(end, 0.0);
                    &mut o[start..end]
                }
                Layout::Rows => &mut o[..end - start],
            })
            .collect();
        #[cfg(not(target_arch = "wasm32"))]
        project_block(&w, &src, off, &shift, scale, &mut dst);
        #[cfg(target_arch = "wasm32")]
        project_block_axpy(&w, &src, off, &shift, scale, &mut dst);
        if layout == Layout::Rows {
            suspect |= append_rows(&mut matrix, &outs, end - start);
        }
        start = end;
    }
    if row_tiles {
        debug_assert!(matrix.capacity() >= n * k);
        // SAFETY: the capacity is `n × k` (allocated above) and [`project_block_rows_x86`]
        // wrote every one of the `k` values of every row `0..n`, block by block.
        unsafe { matrix.set_len(n * k) };
    }
    Ok(match layout {
        Layout::Columns => Projected::Columns(outs),
        Layout::Rows => Projected::Rows(matrix, suspect),
    })
}

/// Appends rows `0..len` of the columns to `out`, row-major, each row's values written in
/// order (the columns' blocks are in cache; the output is written once, front to back), and
/// returns whether some value has an all-ones exponent (NaN or ±inf).
fn append_rows(out: &mut Vec<f64>, cols: &[Vec<f64>], len: usize) -> bool {
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    let cols: Vec<&[f64]> = cols.iter().map(|c| &c[..len]).collect();
    let suspect = cols.iter().any(|c| c.iter().fold(0u8, |acc, &x| acc | u8::from(x.to_bits() & EXP == EXP)) != 0);
    for i in 0..len {
        out.extend(cols.iter().map(|c| c[i]));
    }
    suspect
}

/// What a register tile of outputs `c0..c0 + G` needs: the block's inputs (`len` rows from
/// `off`), input `j`'s weights side by side (no bounds check in the
/// loops), and each output's shift and divisor.
#[cfg(not(target_arch = "wasm32"))]
struct Tile<'a, const G: usize> {
    src: Vec<&'a [f64]>,
    wt: Vec<[f64; G]>,
    sh: [f64; G],
    sc: [f64; G],
    divide: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl<'a, const G: usize> Tile<'a, G> {
    #[allow(clippy::too_many_arguments)]
    fn new(w: &'a [f64], src: &[&'a [f64]], off: usize, len: usize, shift: &[f64], scale: Option<&[f64]>, c0: usize) -> Self {
        let p = src.len();
        let ws: [&[f64]; G] = std::array::from_fn(|g| &w[(c0 + g) * p..(c0 + g + 1) * p]);
        Tile {
            src: src.iter().map(|c| &c[off..off + len]).collect(),
            wt: (0..p).map(|j| std::array::from_fn(|g| ws[g][j])).collect(),
            sh: std::array::from_fn(|g| shift[c0 + g]),
            sc: std::array::from_fn(|g| scale.map_or(1.0, |s| s[c0 + g])),
            divide: scale.is_some(),
        }
    }

    /// `(acc − shift) / scale` of output `g` (no division without a scale).
    #[inline(always)]
    fn finish(&self, v: f64, g: usize) -> f64 {
        if self.divide {
            (v - self.sh[g]) / self.sc[g]
        } else {
            v - self.sh[g]
        }
    }

    /// Row `i`'s outputs, one row at a time (the rows after the tiles): the same sums in the
    /// same order as the tiles, then [`Tile::finish`].
    fn row(&self, i: usize) -> [f64; G] {
        let mut acc = [0.0f64; G];
        for (col, wj) in self.src.iter().zip(&self.wt) {
            let b = col[i];
            for (a, &wg) in acc.iter_mut().zip(wj) {
                *a += wg * b;
            }
        }
        std::array::from_fn(|g| self.finish(acc[g], g))
    }
}

/// Rows `i..i + 4H` of a tile's outputs, each `Σ_j w[g][j] · x[j]` in order from 0.0 as a
/// separate multiply and add (the portable code's bits), four rows per 256-bit register.
///
/// # Safety
/// The CPU has AVX2, and `i + 4H` is at most every input's length.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn tile_sums_x86<const G: usize, const H: usize>(t: &Tile<'_, G>, i: usize) -> [[std::arch::x86_64::__m256d; H]; G] {
    use std::arch::x86_64::{__m256d, _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_set1_pd, _mm256_setzero_pd};
    // SAFETY: the loads read `i..i + 4H` of the inputs, in bounds by the caller's promise.
    unsafe {
        let mut acc = [[_mm256_setzero_pd(); H]; G];
        for (col, wj) in t.src.iter().zip(&t.wt) {
            let b: [__m256d; H] = std::array::from_fn(|h| _mm256_loadu_pd(col.as_ptr().add(i + 4 * h)));
            for (a, &wg) in acc.iter_mut().zip(wj) {
                let wj = _mm256_set1_pd(wg);
                for h in 0..H {
                    a[h] = _mm256_add_pd(a[h], _mm256_mul_pd(wj, b[h]));
                }
            }
        }
        acc
    }
}

/// [`project_block`] for the row-major result, on an AVX2 CPU: the block's `len` rows of all `k`
/// outputs written into `rows` (`len × k`, row-major) straight from the tiles' registers, each
/// 4 × 4 square of rows × outputs transposed in registers (instead of a block of each output
/// column transposed afterwards by scalar loads and stores: 21 % of the PCA benchmark). Each
/// output is the same sum in the same order as [`project_tile_x86`]'s (the tiles' shapes
/// differ, not the sums), so the same bits. Returns whether a
/// value has an all-ones exponent (NaN or ±inf: `x − x` is +0 for every finite `x`, NaN
/// otherwise, and the results' `x − x` are OR'd together).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn project_block_rows_x86(
    w: &[f64],
    src: &[&[f64]],
    off: usize,
    shift: &[f64],
    scale: Option<&[f64]>,
    rows: &mut [std::mem::MaybeUninit<f64>],
    k: usize,
) -> bool {
    let mut suspect = false;
    let mut c = 0;
    while c < k {
        let left = k - c;
        // Up to ten outputs × four rows a tile (10 accumulators + an input + a weight of 16
        // registers): the block's inputs read once for PCA(10), so the reads from memory overlap
        // the arithmetic of all ten outputs (two tiles of five × eight rows read them twice, the
        // first tile waiting on memory: 17 % of the projection's samples on its first multiply).
        let g = if left >= 10 {
            10
        } else if left >= 8 {
            8
        } else {
            tile_width(left)
        };
        // SAFETY: this function's own target features (the caller checked the CPU).
        suspect |= unsafe {
            match g {
                10 => rows_tile_x86::<10, 1>(w, src, off, shift, scale, rows, k, c),
                8 => rows_tile_x86::<8, 1>(w, src, off, shift, scale, rows, k, c),
                5 => rows_tile_x86::<5, 2>(w, src, off, shift, scale, rows, k, c),
                4 => rows_tile_x86::<4, 2>(w, src, off, shift, scale, rows, k, c),
                2 => rows_tile_x86::<2, 2>(w, src, off, shift, scale, rows, k, c),
                _ => rows_tile_x86::<1, 2>(w, src, off, shift, scale, rows, k, c),
            }
        };
        c += g;
    }
    suspect
}

/// Outputs per register tile of [`project_block`] with `left` outputs still to do: five when
/// they divide the rest (PCA(10): two reads of each block instead of three; 10 accumulators +
/// 2 inputs + a weight of 16 AVX registers), else four, two or one.
#[cfg(not(target_arch = "wasm32"))]
fn tile_width(left: usize) -> usize {
    if left % 5 == 0 {
        5
    } else if left >= 4 {
        4
    } else if left >= 2 {
        2
    } else {
        1
    }
}

/// Outputs `c0..c0 + G` of [`project_block_rows_x86`], `4·H` rows at a time: [`project_tile_x86`]'s
/// tile (the same sums in the same order), its results stored by rows (`rows[i·k + c0 + g]`),
/// then the rows left one at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn rows_tile_x86<const G: usize, const H: usize>(
    w: &[f64],
    src: &[&[f64]],
    off: usize,
    shift: &[f64],
    scale: Option<&[f64]>,
    rows: &mut [std::mem::MaybeUninit<f64>],
    k: usize,
    c0: usize,
) -> bool {
    use std::arch::x86_64::*;
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    let r = 4 * H;
    let len = rows.len() / k;
    assert!(c0 + G <= k && rows.len() == len * k && src.iter().all(|c| c.len() >= off + len));
    let t = Tile::<G>::new(w, src, off, len, shift, scale, c0);
    let full = len - len % r;
    let out = rows.as_mut_ptr().cast::<f64>();
    // SAFETY: the sums read rows `i..i + 4H` with `i + 4H <= full <= len`, the inputs' length
    // (sliced by `Tile::new`); every store writes a row below `full` at outputs `c0..c0 + G`
    // with `c0 + G <= k` (asserted), inside `rows` (`len × k`).
    let bad = unsafe {
        let mut bad = _mm256_setzero_pd();
        let mut i = 0;
        while i < full {
            // (acc − shift) / scale, as the column tiles.
            let mut v = tile_sums_x86::<G, H>(&t, i);
            for (g, vg) in v.iter_mut().enumerate() {
                let s = _mm256_set1_pd(t.sh[g]);
                for vh in vg.iter_mut() {
                    *vh = _mm256_sub_pd(*vh, s);
                    if t.divide {
                        *vh = _mm256_div_pd(*vh, _mm256_set1_pd(t.sc[g]));
                    }
                    bad = _mm256_or_pd(bad, _mm256_sub_pd(*vh, *vh));
                }
            }
            for h in 0..H {
                let at = |r: usize| out.add((i + 4 * h + r) * k + c0);
                let mut g = 0;
                // Four outputs × four rows: transposed in registers, one store per row.
                while g + 4 <= G {
                    let t0 = _mm256_unpacklo_pd(v[g][h], v[g + 1][h]);
                    let t1 = _mm256_unpackhi_pd(v[g][h], v[g + 1][h]);
                    let t2 = _mm256_unpacklo_pd(v[g + 2][h], v[g + 3][h]);
                    let t3 = _mm256_unpackhi_pd(v[g + 2][h], v[g + 3][h]);
                    _mm256_storeu_pd(at(0).add(g), _mm256_permute2f128_pd::<0x20>(t0, t2));
                    _mm256_storeu_pd(at(1).add(g), _mm256_permute2f128_pd::<0x20>(t1, t3));
                    _mm256_storeu_pd(at(2).add(g), _mm256_permute2f128_pd::<0x31>(t0, t2));
                    _mm256_storeu_pd(at(3).add(g), _mm256_permute2f128_pd::<0x31>(t1, t3));
                    g += 4;
                }
                // Two outputs × four rows: pairs.
                if g + 2 <= G {
                    let t0 = _mm256_unpacklo_pd(v[g][h], v[g + 1][h]);
                    let t1 = _mm256_unpackhi_pd(v[g][h], v[g + 1][h]);
                    _mm_storeu_pd(at(0).add(g), _mm256_castpd256_pd128(t0));
                    _mm_storeu_pd(at(1).add(g), _mm256_castpd256_pd128(t1));
                    _mm_storeu_pd(at(2).add(g), _mm256_extractf128_pd::<1>(t0));
                    _mm_storeu_pd(at(3).add(g), _mm256_extractf128_pd::<1>(t1));
                    g += 2;
                }
                // One output: its four lanes one by one.
                if g < G {
                    let lo = _mm256_castpd256_pd128(v[g][h]);
                    let hi = _mm256_extractf128_pd::<1>(v[g][h]);
                    _mm_storel_pd(at(0).add(g), lo);
                    _mm_storeh_pd(at(1).add(g), lo);
                    _mm_storel_pd(at(2).add(g), hi);
                    _mm_storeh_pd(at(3).add(g), hi);
                }
            }
            i += r;
        }
        bad
    };
    let mut lanes = [0u64; 4];
    // SAFETY: stores four lanes into a local array of four.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), _mm256_castpd_si256(bad)) };
    let mut suspect = lanes.iter().any(|&l| l & EXP == EXP);
    for i in full..len {
        for (g, v) in t.row(i).into_iter().enumerate() {
            suspect |= v.to_bits() & EXP == EXP;
            rows[i * k + c0 + g].write(v);
        }
    }
    suspect
}

/// [`project_block`] in wasm: one `axpy` per weight into each output's block (16 KB, in
/// cache), vectorised by LLVM into f64x2 lanes (the register tiles of [`project_block`] are
/// more live values than V8 has registers); the same sums in the same order, the same bits.
#[cfg(target_arch = "wasm32")]
fn project_block_axpy(w: &[f64], src: &[&[f64]], off: usize, shift: &[f64], scale: Option<&[f64]>, dst: &mut [&mut [f64]]) {
    let p = src.len();
    for (c, (o, wc)) in dst.iter_mut().zip(w.chunks_exact(p.max(1))).enumerate() {
        let len = o.len();
        o.fill(0.0);
        for (b, &wj) in src.iter().zip(wc) {
            o.iter_mut().zip(&b[off..off + len]).for_each(|(o, v)| *o += wj * v);
        }
        let sh = shift[c];
        match scale {
            Some(sc) => o.iter_mut().for_each(|v| *v = (*v - sh) / sc[c]),
            None => o.iter_mut().for_each(|v| *v -= sh),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
/// `dst[c][i] = (Σ_j w[c][j] · src[j][off + i] − shift[c]) / scale[c]` for the
/// `dst[c].len()` rows of the block (`w`: `k × p` row-major, `k = dst.len()`, `p = src.len()`).
/// Each output is summed over `j` in order from 0.0 (separately rounded multiply and add,
/// then the subtraction and the division), the same bits on every path and block size;
/// register tiles of up to five outputs × eight rows share each load of the inputs, and
/// each output is stored once. On an AVX2 CPU in explicit intrinsics (LLVM's vectorisation
/// of the portable tile shuffled lanes and spilled accumulators: 24 % of the benchmark).
fn project_block(w: &[f64], src: &[&[f64]], off: usize, shift: &[f64], scale: Option<&[f64]>, dst: &mut [&mut [f64]]) {
    let k = dst.len();
    let mut c = 0;
    while c < k {
        let g = tile_width(k - c);
        #[cfg(target_arch = "x86_64")]
        if crate::numeric::cpu::avx2() {
            // SAFETY: the CPU has AVX2 and FMA (asked just above), all the function requires.
            unsafe {
                match g {
                    5 => project_tile_x86::<5>(w, src, off, shift, scale, dst, c),
                    4 => project_tile_x86::<4>(w, src, off, shift, scale, dst, c),
                    2 => project_tile_x86::<2>(w, src, off, shift, scale, dst, c),
                    _ => project_tile_x86::<1>(w, src, off, shift, scale, dst, c),
                }
            }
            c += g;
            continue;
        }
        match g {
            5 => project_tile::<5>(w, src, off, shift, scale, dst, c),
            4 => project_tile::<4>(w, src, off, shift, scale, dst, c),
            2 => project_tile::<2>(w, src, off, shift, scale, dst, c),
            _ => project_tile::<1>(w, src, off, shift, scale, dst, c),
        }
        c += g;
    }
}

/// [`project_tile`] with each output's eight rows in two 256-bit registers: `acc + w · x` as a
/// separate multiply and add, then `(acc − shift) / scale`, as the portable code.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn project_tile_x86<const G: usize>(w: &[f64], src: &[&[f64]], off: usize, shift: &[f64], scale: Option<&[f64]>, dst: &mut [&mut [f64]], c0: usize) {
    use std::arch::x86_64::{_mm256_div_pd, _mm256_set1_pd, _mm256_storeu_pd, _mm256_sub_pd};
    const R: usize = 8;
    let len = dst[c0].len();
    let t = Tile::<G>::new(w, src, off, len, shift, scale, c0);
    let full = len - len % R;
    // SAFETY: the sums read rows `i..i + 8` with `i + 8 <= full <= len`, the inputs' length
    // (sliced by `Tile::new`); the stores write `i..i + 8` of the outputs' `len`-long blocks.
    unsafe {
        let mut i = 0;
        while i < full {
            let acc = tile_sums_x86::<G, 2>(&t, i);
            for (g, a) in acc.iter().enumerate() {
                let o = &mut dst[c0 + g][i..i + R];
                let s = _mm256_set1_pd(t.sh[g]);
                let mut v = [_mm256_sub_pd(a[0], s), _mm256_sub_pd(a[1], s)];
                if t.divide {
                    let d = _mm256_set1_pd(t.sc[g]);
                    v = [_mm256_div_pd(v[0], d), _mm256_div_pd(v[1], d)];
                }
                _mm256_storeu_pd(o.as_mut_ptr(), v[0]);
                _mm256_storeu_pd(o.as_mut_ptr().add(4), v[1]);
            }
            i += R;
        }
    }
    project_rows(&t, dst, c0, full);
}

#[cfg(not(target_arch = "wasm32"))]
/// Outputs `c0..c0 + G` of [`project_block`], eight rows at a time, then the rows left one
/// at a time.
fn project_tile<const G: usize>(w: &[f64], src: &[&[f64]], off: usize, shift: &[f64], scale: Option<&[f64]>, dst: &mut [&mut [f64]], c0: usize) {
    const R: usize = 8;
    let len = dst[c0].len();
    let t = Tile::<G>::new(w, src, off, len, shift, scale, c0);
    let full = len - len % R;
    let mut i = 0;
    while i < full {
        let mut acc = [[0.0f64; R]; G];
        for (col, wj) in t.src.iter().zip(&t.wt) {
            let b = &col[i..i + R];
            for (a, &wg) in acc.iter_mut().zip(wj) {
                for l in 0..R {
                    a[l] += wg * b[l];
                }
            }
        }
        for (g, a) in acc.iter().enumerate() {
            dst[c0 + g][i..i + R].iter_mut().zip(a).for_each(|(o, &v)| *o = t.finish(v, g));
        }
        i += R;
    }
    project_rows(&t, dst, c0, full);
}

#[cfg(not(target_arch = "wasm32"))]
/// Rows `from..` of outputs `c0..c0 + G`, one at a time ([`Tile::row`]): the last rows of
/// [`project_tile`] and [`project_tile_x86`].
fn project_rows<const G: usize>(t: &Tile<'_, G>, dst: &mut [&mut [f64]], c0: usize, from: usize) {
    for i in from..dst[c0].len() {
        for (g, v) in t.row(i).into_iter().enumerate() {
            dst[c0 + g][i] = v;
        }
    }
}

/// Writes rows `start..end` of the centred columns into the first `end − start`
/// columns of `buf` (`p × BLOCK`, one input column per row).
fn fill_centred_block(buf: &mut Array2<f64>, cols: &[&[f64]], center: &[f64], start: usize, end: usize) {
    let bw = buf.ncols().max(1);
    // `buf` is a fresh standard-layout array, so as_slice_mut is Some.
    let rows = buf.as_slice_mut().unwrap_or(&mut []).chunks_exact_mut(bw);
    for ((row, col), &m) in rows.zip(cols).zip(center) {
        row.iter_mut().zip(&col[start..end]).for_each(|(o, v)| *o = v - m);
    }
}

crate::numeric::avx2_dispatch! {
    /// [`fill_centred_block`] into `buf` (`bw` values per input column) that also adds each
    /// centred block row's [`linalg::sum`] to `sums` — the same lanes and order, so the same
    /// bits — while the values are in registers, instead of a second pass over the block.
    fn fill_centred_block_sums(buf: &mut [f64], bw: usize, cols: &[&[f64]], center: &[f64], start: usize, end: usize, sums: &mut [f64]) {
        for (((row, col), &m), sj) in buf.chunks_exact_mut(bw.max(1)).zip(cols).zip(center).zip(sums.iter_mut()) {
            let (row, col) = (&mut row[..end - start], &col[start..end]);
            let mut acc = [0.0f64; 8];
            let mut oc = row.chunks_exact_mut(8);
            let mut ic = col.chunks_exact(8);
            for (o, x) in (&mut oc).zip(&mut ic) {
                for ((o, x), a) in o.iter_mut().zip(x).zip(acc.iter_mut()) {
                    *o = x - m;
                    *a += *o;
                }
            }
            let mut t = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
            for (o, x) in oc.into_remainder().iter_mut().zip(ic.remainder()) {
                *o = x - m;
                t += *o;
            }
            *sj += t;
        }
    }
}

/// Flips `v` so that its largest-|entry| (first on ties) is positive.
fn flip_sign(v: &mut [f64]) {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if x.abs() > v[best].abs() {
            best = i;
        }
    }
    if v.get(best).is_some_and(|&b| b < 0.0) {
        v.iter_mut().for_each(|x| *x = -*x);
    }
}

/// Column means of column-major data.
fn means(cols: &[&[f64]], n: usize) -> Vec<f64> {
    cols.iter().map(|c| linalg::sum(c) / n as f64).collect()
}

/// [`finite_columns`] and each column's sum ([`linalg::sum`]) in one pass over the data: a
/// column holding a missing or infinite cell has a non-finite sum, so only a column whose sum
/// is not finite is scanned for the cell to name (the same error, in the same column order).
fn finite_columns_and_sums<'a>(step: &str, x: &'a Frame) -> Result<(Vec<&'a [f64]>, Vec<f64>)> {
    let mut cols = Vec::with_capacity(x.n_cols());
    let mut sums = Vec::with_capacity(x.n_cols());
    for c in &x.cols {
        let v = c.numeric(step)?;
        let s = linalg::sum(v);
        check_finite_sum(step, &c.name, v, s)?;
        cols.push(v);
        sums.push(s);
    }
    Ok((cols, sums))
}

/// `finite_columns`'s check and error for column `name` with cells `v`, given a sum `s` of
/// them (or of them shifted): only a non-finite sum is scanned (an overflowing sum passes).
fn check_finite_sum(step: &str, name: &str, v: &[f64], s: f64) -> Result<()> {
    if !s.is_finite() {
        if let Some(i) = crate::frame::first_unusable(v, false) {
            let what = if v[i].is_nan() { "a missing value" } else { "an infinite value" };
            return Err(Error::column(name, format!("has {what} at row {}; {step} needs finite numbers (add a SimpleImputer before it)", i + 1)));
        }
    }
    Ok(())
}

/// PCA's column means and scatter in one pass over the data (at least 2 rows, 1 to
/// [`linalg::LANE_GRAM_MAX_Q`] columns, all numeric): each column is centred on a shift `s`,
/// the mean of its first [`BLOCK`] rows, and [`scatter_lanes_with`] adds up both the shifted
/// values' scatter and their sums `t`, block by block; then `mean = s + t / n` and
/// `scatter = Σ (x − s)(x − s)ᵀ − t tᵀ / n` (exact algebra; with the shift near the mean the
/// correction is small, unlike scikit-learn's uncentred `XᵀX − n m mᵀ`). Instead of a pass for
/// the sums and another for the scatter. A column holding a missing or infinite cell has a
/// non-finite `t`: only then is it scanned to name the cell ([`check_finite_sum`], in column
/// order, the same error as [`finite_columns_and_sums`]).
fn means_and_scatter<'a>(step: &str, x: &'a Frame) -> Result<(Vec<&'a [f64]>, Vec<f64>, Array2<f64>)> {
    let cols: Vec<&[f64]> = x.cols.iter().map(|c| c.numeric(step)).collect::<Result<_>>()?;
    let (n, p) = (x.n_rows, cols.len());
    let head = BLOCK.min(n).max(1);
    let shift: Vec<f64> = cols.iter().map(|c| linalg::sum(&c[..head.min(c.len())]) / head as f64).collect();
    let mut sums = vec![0.0; p];
    let g = scatter_lanes_with(&cols, &shift, Some(&mut sums));
    for ((c, v), &t) in x.cols.iter().zip(&cols).zip(&sums) {
        check_finite_sum(step, &c.name, v, t)?;
    }
    let nf = n as f64;
    let mean = shift.iter().zip(&sums).map(|(s, t)| s + t / nf).collect();
    let mut scat = Array2::from_shape_fn((p, p), |(j, k)| if j <= k { g[[j, k]] - sums[j] * (sums[k] / nf) } else { 0.0 });
    linalg::symmetrize_upper(&mut scat);
    Ok((cols, mean, scat))
}

/// `Σ_i (x_i − m)(x_i − m)ᵀ` of column-major data (p × p).
///
/// Blocked: [`BLOCK`] rows of the centred columns are copied into a `p × BLOCK`
/// buffer and one matrix product `B Bᵀ` adds their contribution, instead of
/// `p(p+1)/2` latency-bound dot products over whole columns (and no centred
/// copy of the data).
///
/// Up to [`linalg::LANE_GRAM_MAX_Q`] columns, the upper triangle only, by the lane kernel
/// (no packing, half the products; the same bits natively and in the page); wider, `dgemm`.
fn scatter(cols: &[&[f64]], m: &[f64]) -> Array2<f64> {
    if cols.len() <= linalg::LANE_GRAM_MAX_Q {
        scatter_lanes(cols, m)
    } else {
        scatter_gemm(cols, m)
    }
}

/// [`scatter`] through [`linalg::add_gram_upper`] (wasm: matrixmultiply has no SIMD `dgemm`
/// there; natively its 2 × 4-tiled AVX2 copy [`linalg::add_gram_upper_native`], the same
/// bits); the buffer gets a zero row when `p` is odd.
fn scatter_lanes(cols: &[&[f64]], m: &[f64]) -> Array2<f64> {
    scatter_lanes_with(cols, m, None)
}

/// [`scatter_lanes`], also adding each column's sum of `x − m` into `sums` when given
/// ([`linalg::sum`] of each centred block row, summed over the blocks in order).
fn scatter_lanes_with(cols: &[&[f64]], m: &[f64], mut sums: Option<&mut [f64]>) -> Array2<f64> {
    let p = cols.len();
    let p2 = p + p % 2;
    let n = cols.first().map_or(0, |c| c.len());
    let bw = BLOCK.min(n).max(1);
    let mut g = vec![0.0; p2 * p2];
    let mut buf = Array2::<f64>::zeros((p2, bw));
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        match sums.as_deref_mut() {
            // `buf` is a fresh standard-layout array, so as_slice_mut is Some.
            Some(s) => fill_centred_block_sums(buf.as_slice_mut().unwrap_or(&mut []), bw, cols, m, start, end, s),
            None => fill_centred_block(&mut buf, cols, m, start, end),
        }
        // `buf` is a fresh standard-layout array, so as_slice is Some.
        #[cfg(target_arch = "wasm32")]
        linalg::add_gram_upper(buf.as_slice().unwrap_or(&[]), bw, p2, end - start, &mut g);
        #[cfg(not(target_arch = "wasm32"))]
        linalg::add_gram_upper_native(buf.as_slice().unwrap_or(&[]), bw, p2, end - start, &mut g);
        start = end;
    }
    let mut out = Array2::from_shape_fn((p, p), |(j, k)| if j <= k { g[j * p2 + k] } else { 0.0 });
    linalg::symmetrize_upper(&mut out);
    out
}

fn scatter_gemm(cols: &[&[f64]], m: &[f64]) -> Array2<f64> {
    let p = cols.len();
    let n = cols.first().map_or(0, |c| c.len());
    let mut g = Array2::<f64>::zeros((p, p));
    let mut buf = Array2::<f64>::zeros((p, BLOCK.min(n).max(1)));
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        fill_centred_block(&mut buf, cols, m, start, end);
        let b = buf.slice(s![.., ..end - start]);
        general_mat_mul(1.0, &b, &b.t(), 1.0, &mut g);
        start = end;
    }
    linalg::symmetrize_upper(&mut g);
    g
}

impl StepParams for PcaParams {
    type Fitted = Pca;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<Pca> {
        check_fit_rows("PCA", x)?;
        let one_pass = x.n_rows >= 2 && (1..=linalg::LANE_GRAM_MAX_Q).contains(&x.n_cols()) && x.cols.iter().all(|c| matches!(c.data, FData::Num(_)));
        let (cols, mean, scat) = if one_pass {
            means_and_scatter("PCA", x)?
        } else {
            // The errors in their order (a categorical or non-finite column, no column, one row).
            let (cols, sums) = finite_columns_and_sums("PCA", x)?;
            if cols.is_empty() {
                return Err(Error::data("PCA: no input columns"));
            }
            if x.n_rows < 2 {
                return Err(Error::data(format!("PCA needs at least 2 rows to estimate variances; got {}", x.n_rows)));
            }
            let mean: Vec<f64> = sums.iter().map(|s| s / x.n_rows as f64).collect();
            let scat = scatter(&cols, &mean);
            (cols, mean, scat)
        };
        let (n, p) = (x.n_rows, cols.len());
        let max_k = n.min(p);
        let (vals, vecs) = sym_eigen(&scat)?;
        // Descending, negatives (round-off) clipped to 0 as scikit-learn does.
        let order: Vec<usize> = (0..p).rev().take(max_k).collect();
        let ev: Vec<f64> = order.iter().map(|&k| vals[k].max(0.0) / (n - 1) as f64).collect();
        let total: f64 = ev.iter().sum();
        let ratio: Vec<f64> = ev.iter().map(|v| if total > 0.0 { v / total } else { 0.0 }).collect();
        let k = match self.n_components {
            None => max_k,
            Some(NComponents::Count(k)) => {
                if k == 0 || k > max_k {
                    return Err(Error::param("PCA", "n_components", format!("is {k}; it must be between 1 and min(n_samples, n_features) = {max_k}")));
                }
                k
            }
            Some(NComponents::Fraction(f)) => {
                if !(f > 0.0 && f < 1.0) {
                    return Err(Error::param(
                        "PCA",
                        "n_components",
                        format!("is {f}; give a whole number of components or a variance fraction strictly between 0 and 1"),
                    ));
                }
                // searchsorted(cumsum(ratio), f, side="right") + 1
                let mut cum = 0.0;
                let mut idx = 0;
                for r in &ratio {
                    cum += r;
                    if cum <= f {
                        idx += 1;
                    } else {
                        break;
                    }
                }
                (idx + 1).min(max_k)
            }
        };
        let components: Vec<Vec<f64>> = order[..k]
            .iter()
            .map(|&c| {
                let mut v: Vec<f64> = (0..p).map(|j| vecs[[j, c]]).collect();
                flip_sign(&mut v);
                v
            })
            .collect();
        let singular_values = ev[..k].iter().map(|v| (v * (n - 1) as f64).sqrt()).collect();
        Ok(Pca {
            input_names: x.names(),
            mean,
            components,
            explained_variance: ev[..k].to_vec(),
            explained_variance_ratio: ratio[..k].to_vec(),
            singular_values,
            whiten: self.whiten,
            n_samples: n,
        })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new(
                "n_components",
                "float_or_null",
                json!(null),
                "Components to keep: a count (2), a fraction of variance to explain (0.95), or empty for all.",
            )
            .range(Some(0.0), None),
            ParamInfo::new("whiten", "bool", json!(false), "Scale each component to unit variance."),
        ]
    }
    fn help() -> &'static str {
        "Principal component analysis: rotate the centred data onto the directions of largest variance."
    }
}

impl Pca {
    /// The divisor of each output when whitening: `sqrt(explained_variance)`, at least ε.
    fn whitening(&self) -> Option<Vec<f64>> {
        self.whiten.then(|| self.explained_variance.iter().map(|v| v.sqrt().max(f64::EPSILON)).collect())
    }
}

impl FittedTransform for Pca {
    fn explained_variance(&self) -> Option<ExplainedVariance> {
        Some(ExplainedVariance { ratio: self.explained_variance_ratio.clone(), variance: Some(self.explained_variance.clone()) })
    }
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("PCA", &self.input_names, x)?;
        project(x, "PCA", &self.mean, &self.components, self.whitening().as_deref(), "pca", Centre::AfterProjection)
    }
    fn transform_matrix(&self, x: &Frame) -> Result<Array2<f64>> {
        check_columns("PCA", &self.input_names, x)?;
        project_matrix(self, x, "PCA", &self.mean, &self.components, self.whitening().as_deref(), Centre::AfterProjection)
    }
    fn validate(&self) -> Result<()> {
        let p = self.input_names.len();
        let k = self.components.len();
        let ok = self.mean.len() == p
            && self.components.iter().all(|c| c.len() == p)
            && self.explained_variance.len() == k
            && self.explained_variance_ratio.len() == k
            && self.singular_values.len() == k
            && self.mean.iter().chain(self.components.iter().flatten()).chain(&self.explained_variance).all(|v| v.is_finite());
        if !ok {
            return Err(Error::ModelFile("PCA: component, mean and variance lengths do not match the input columns, or values are not finite".into()));
        }
        Ok(())
    }
}

/// `TruncatedSVD.algorithm`: both compute the exact decomposition here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SvdAlgorithm {
    #[default]
    Randomized,
    Arpack,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TruncatedSvdParams {
    pub n_components: usize,
    /// Accepted for scikit-learn compatibility; pipelab always computes the exact top singular vectors
    /// (an eigen-decomposition of XᵀX), which scikit-learn's randomized solver approximates.
    pub algorithm: SvdAlgorithm,
}

impl Default for TruncatedSvdParams {
    fn default() -> Self {
        TruncatedSvdParams { n_components: 2, algorithm: SvdAlgorithm::Randomized }
    }
}

/// `TruncatedSVD`: like PCA but without centring (so it keeps sparse-style data as is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TruncatedSvd {
    pub input_names: Vec<String>,
    /// One row per component (unit length, largest-|entry| positive).
    pub components: Vec<Vec<f64>>,
    pub singular_values: Vec<f64>,
    /// Variance (ddof 0) of each output column on the training rows.
    pub explained_variance: Vec<f64>,
    pub explained_variance_ratio: Vec<f64>,
}

impl StepParams for TruncatedSvdParams {
    type Fitted = TruncatedSvd;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<TruncatedSvd> {
        const NAME: &str = "TruncatedSVD";
        check_fit_rows(NAME, x)?;
        let cols = finite_columns(NAME, x)?;
        let (n, p) = (x.n_rows, cols.len());
        if self.n_components == 0 || self.n_components > p {
            return Err(Error::param(NAME, "n_components", format!("is {}; it must be between 1 and the number of input columns ({p})", self.n_components)));
        }
        let zero = vec![0.0; p];
        let (vals, vecs) = sym_eigen(&scatter(&cols, &zero))?;
        let k = self.n_components;
        let mut components = Vec::with_capacity(k);
        let mut singular_values = Vec::with_capacity(k);
        for c in (0..p).rev().take(k) {
            let mut v: Vec<f64> = (0..p).map(|j| vecs[[j, c]]).collect();
            flip_sign(&mut v);
            components.push(v);
            singular_values.push(vals[c].max(0.0).sqrt());
        }
        let var = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / n as f64;
            v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64
        };
        let total: f64 = cols.iter().map(|c| var(c)).sum();
        let out = project(x, NAME, &zero, &components, None, "truncatedsvd", Centre::AfterProjection)?;
        let explained_variance: Vec<f64> = out.cols.iter().map(|c| c.numeric(NAME).map(var)).collect::<Result<_>>()?;
        let explained_variance_ratio = explained_variance.iter().map(|v| if total > 0.0 { v / total } else { 0.0 }).collect();
        Ok(TruncatedSvd { input_names: x.names(), components, singular_values, explained_variance, explained_variance_ratio })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("n_components", "int", json!(2), "Number of singular directions to keep.").range(Some(1.0), None),
            ParamInfo::new("algorithm", "choice", json!("randomized"), "Accepted for compatibility; pipelab computes the exact decomposition either way.")
                .choices(&["randomized", "arpack"]),
        ]
    }
    fn help() -> &'static str {
        "Project onto the top singular directions without centring (PCA for data that should not be centred)."
    }
}

impl FittedTransform for TruncatedSvd {
    fn explained_variance(&self) -> Option<ExplainedVariance> {
        Some(ExplainedVariance { ratio: self.explained_variance_ratio.clone(), variance: Some(self.explained_variance.clone()) })
    }
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("TruncatedSVD", &self.input_names, x)?;
        project(x, "TruncatedSVD", &vec![0.0; self.input_names.len()], &self.components, None, "truncatedsvd", Centre::AfterProjection)
    }
    fn transform_matrix(&self, x: &Frame) -> Result<Array2<f64>> {
        check_columns("TruncatedSVD", &self.input_names, x)?;
        project_matrix(self, x, "TruncatedSVD", &vec![0.0; self.input_names.len()], &self.components, None, Centre::AfterProjection)
    }
    fn validate(&self) -> Result<()> {
        let p = self.input_names.len();
        let k = self.components.len();
        if self.components.iter().any(|c| c.len() != p || c.iter().any(|v| !v.is_finite()))
            || self.singular_values.len() != k
            || self.explained_variance_ratio.len() != k
        {
            return Err(Error::ModelFile("TruncatedSVD: components do not match the input columns".into()));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LdaSolver {
    #[default]
    Svd,
    Eigen,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LdaParams {
    /// At most min(n_classes − 1, n_features); null = that maximum.
    pub n_components: Option<usize>,
    pub solver: LdaSolver,
    /// Only null (no shrinkage) is implemented.
    pub shrinkage: Option<f64>,
    /// Singular values below `tol` (svd solver) count as zero.
    pub tol: f64,
}

impl Default for LdaParams {
    fn default() -> Self {
        LdaParams { n_components: None, solver: LdaSolver::Svd, shrinkage: None, tol: 1e-4 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lda {
    pub input_names: Vec<String>,
    pub solver: LdaSolver,
    /// Subtracted before projecting: the prior-weighted mean (`xbar_`) for svd, zeros for eigen (as scikit-learn).
    pub center: Vec<f64>,
    /// One scaling vector per output column.
    pub scalings: Vec<Vec<f64>>,
    pub explained_variance_ratio: Vec<f64>,
    pub n_classes: usize,
}

impl StepParams for LdaParams {
    type Fitted = Lda;

    fn fit(&self, x: &Frame, y: Option<&Target>, _ctx: &FitContext) -> Result<Lda> {
        const NAME: &str = "LinearDiscriminantAnalysis";
        check_fit_rows(NAME, x)?;
        if self.shrinkage.is_some() {
            return Err(Error::param(NAME, "shrinkage", "is not implemented; leave it empty (no shrinkage)"));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(Error::param(NAME, "tol", "must be a non-negative number"));
        }
        let yk = class_target_for(NAME, y, x.n_rows)?;
        let cols = finite_columns(NAME, x)?;
        let (n, p) = (x.n_rows, cols.len());
        if p == 0 {
            return Err(Error::data(format!("{NAME}: no input columns")));
        }
        // Classes present, in order.
        let n_cls_total = yk.iter().max().map_or(0, |m| m + 1);
        let mut counts = vec![0usize; n_cls_total];
        for &c in yk {
            counts[c] += 1;
        }
        let present: Vec<usize> = (0..n_cls_total).filter(|&c| counts[c] > 0).collect();
        let k = present.len();
        if k < 2 {
            return Err(Error::data(format!("{NAME} needs at least 2 classes in the training rows; got {k}")));
        }
        if n <= k {
            return Err(Error::data(format!("{NAME} needs more rows ({n}) than classes ({k})")));
        }
        let max_components = (k - 1).min(p);
        let n_out = match self.n_components {
            None => max_components,
            Some(c) if c >= 1 && c <= max_components => c,
            Some(c) => {
                return Err(Error::param(NAME, "n_components", format!("is {c}; it must be between 1 and min(n_classes - 1, n_features) = {max_components}")))
            }
        };
        let mut slot = vec![usize::MAX; n_cls_total];
        for (i, &c) in present.iter().enumerate() {
            slot[c] = i;
        }
        let priors: Vec<f64> = present.iter().map(|&c| counts[c] as f64 / n as f64).collect();
        // Class means (k × p).
        let mut cm = vec![vec![0.0; p]; k];
        for (j, col) in cols.iter().enumerate() {
            for (i, &v) in col.iter().enumerate() {
                cm[slot[yk[i]]][j] += v;
            }
        }
        for (c, row) in cm.iter_mut().enumerate() {
            let cnt = counts[present[c]] as f64;
            row.iter_mut().for_each(|v| *v /= cnt);
        }
        let xbar: Vec<f64> = (0..p).map(|j| (0..k).map(|c| priors[c] * cm[c][j]).sum()).collect();
        let (center, mut scalings, ratio) = match self.solver {
            LdaSolver::Svd => {
                // Within-class centred data, scaled per column by its std.
                let xc: Vec<Vec<f64>> =
                    cols.iter().enumerate().map(|(j, col)| col.iter().enumerate().map(|(i, &v)| v - cm[slot[yk[i]]][j]).collect()).collect();
                let std: Vec<f64> = xc
                    .iter()
                    .map(|c| {
                        let m = c.iter().sum::<f64>() / n as f64;
                        let s = (c.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64).sqrt();
                        if s == 0.0 {
                            1.0
                        } else {
                            s
                        }
                    })
                    .collect();
                let fac = (1.0 / n as f64).sqrt(); // scikit-learn ≥ 1.x: 1/n_samples, so the within-class covariance (ddof 0) becomes the identity
                let xs: Vec<Vec<f64>> = xc.iter().zip(&std).map(|(c, &s)| c.iter().map(|v| fac * v / s).collect()).collect();
                let xs_ref: Vec<&[f64]> = xs.iter().map(Vec::as_slice).collect();
                let zero = vec![0.0; p];
                let (vals, vecs) = sym_eigen(&scatter(&xs_ref, &zero))?;
                // Singular values descending.
                let sv: Vec<(f64, usize)> = (0..p).rev().map(|c| (vals[c].max(0.0).sqrt(), c)).collect();
                let rank = sv.iter().filter(|(s, _)| *s > self.tol).count();
                if rank == 0 {
                    return Err(Error::data(format!("{NAME}: the within-class variance is zero in every column")));
                }
                // scalings (p × rank) = V / std / S
                let sc: Vec<Vec<f64>> = sv[..rank].iter().map(|&(s, c)| (0..p).map(|j| vecs[[j, c]] / std[j] / s).collect()).collect();
                let fac2 = 1.0 / (k - 1) as f64;
                // Between-class matrix (k × rank).
                let xb: Vec<Vec<f64>> = (0..k)
                    .map(|c| {
                        let w = (n as f64 * priors[c] * fac2).sqrt();
                        sc.iter().map(|s| (0..p).map(|j| w * (cm[c][j] - xbar[j]) * s[j]).sum()).collect()
                    })
                    .collect();
                let mut g = ndarray::Array2::<f64>::zeros((rank, rank));
                for a in 0..rank {
                    for b in 0..rank {
                        g[[a, b]] = (0..k).map(|c| xb[c][a] * xb[c][b]).sum();
                    }
                }
                let (vals2, vecs2) = sym_eigen(&g)?;
                let m = k.min(rank);
                let s2: Vec<(f64, usize)> = (0..rank).rev().take(m).map(|c| (vals2[c].max(0.0), c)).collect();
                let total: f64 = s2.iter().map(|(v, _)| v).sum();
                if total <= 0.0 {
                    return Err(Error::data(format!("{NAME}: the class means are identical; there is no discriminant direction")));
                }
                let ratio: Vec<f64> = s2.iter().map(|(v, _)| v / total).take(max_components).collect();
                let s0 = s2[0].0.sqrt();
                let rank2 = s2.iter().filter(|(v, _)| v.sqrt() > self.tol * s0).count();
                let scal: Vec<Vec<f64>> =
                    s2[..rank2].iter().map(|&(_, c2)| (0..p).map(|j| (0..rank).map(|r| sc[r][j] * vecs2[[r, c2]]).sum()).collect()).collect();
                (xbar.clone(), scal, ratio)
            }
            LdaSolver::Eigen => {
                // Sw = Σ prior_c · cov_c (ddof 0); St = cov(X); Sb = St − Sw.
                let mut sw = ndarray::Array2::<f64>::zeros((p, p));
                for (c, &cls) in present.iter().enumerate() {
                    let rows: Vec<usize> = (0..n).filter(|&i| yk[i] == cls).collect();
                    let sub: Vec<Vec<f64>> = cols.iter().map(|col| rows.iter().map(|&i| col[i]).collect()).collect();
                    let sub_ref: Vec<&[f64]> = sub.iter().map(Vec::as_slice).collect();
                    let s = scatter(&sub_ref, &cm[c]);
                    sw.scaled_add(priors[c] / rows.len() as f64, &s);
                }
                let mean = means(&cols, n);
                let st = scatter(&cols, &mean) / n as f64;
                let sb = &st - &sw;
                let swm = nalgebra::DMatrix::from_fn(p, p, |i, j| sw[[i, j]]);
                let chol = nalgebra::Cholesky::new(swm).ok_or_else(|| {
                    Error::data(format!("{NAME}: the within-class covariance is singular (collinear or constant columns); use solver \"svd\""))
                })?;
                let l = chol.l();
                let linv = l.clone().try_inverse().ok_or_else(|| Error::Numerical(format!("{NAME}: singular Cholesky factor")))?;
                let sbm = nalgebra::DMatrix::from_fn(p, p, |i, j| sb[[i, j]]);
                let mm = &linv * sbm * linv.transpose();
                let mm = ndarray::Array2::from_shape_fn((p, p), |(i, j)| 0.5 * (mm[(i, j)] + mm[(j, i)]));
                let (vals, vecs) = sym_eigen(&mm)?;
                let total: f64 = vals.iter().sum();
                let ratio: Vec<f64> = (0..p).rev().take(max_components).map(|c| vals[c] / total).collect();
                let lt_inv = linv.transpose();
                let scal: Vec<Vec<f64>> = (0..p).rev().map(|c| (0..p).map(|j| (0..p).map(|r| lt_inv[(j, r)] * vecs[[r, c]]).sum()).collect()).collect();
                (vec![0.0; p], scal, ratio)
            }
        };
        scalings.truncate(n_out);
        for s in scalings.iter_mut() {
            flip_sign(s);
        }
        if scalings.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Error::Numerical(format!("{NAME}: non-finite scalings; check for constant or collinear columns")));
        }
        Ok(Lda { input_names: x.names(), solver: self.solver, center, scalings, explained_variance_ratio: ratio, n_classes: k })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("n_components", "int_or_null", json!(null), "Discriminant directions to keep (at most classes − 1); empty for the maximum.")
                .range(Some(1.0), None),
            ParamInfo::new("solver", "choice", json!("svd"), "svd: no covariance matrix needed; eigen: generalised eigenproblem of the scatter matrices.")
                .choices(&["svd", "eigen"]),
            ParamInfo::new("tol", "float", json!(1e-4), "Singular values below this are treated as zero (svd solver).").range(Some(0.0), None),
        ]
    }
    fn help() -> &'static str {
        "Project onto the directions that best separate the classes (supervised; needs a class target)."
    }
}

impl FittedTransform for Lda {
    fn explained_variance(&self) -> Option<ExplainedVariance> {
        Some(ExplainedVariance { ratio: self.explained_variance_ratio.clone(), variance: None })
    }
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("LinearDiscriminantAnalysis", &self.input_names, x)?;
        project(x, "LinearDiscriminantAnalysis", &self.center, &self.scalings, None, "lineardiscriminantanalysis", Centre::InBlocks)
    }
    fn transform_matrix(&self, x: &Frame) -> Result<Array2<f64>> {
        check_columns("LinearDiscriminantAnalysis", &self.input_names, x)?;
        project_matrix(self, x, "LinearDiscriminantAnalysis", &self.center, &self.scalings, None, Centre::InBlocks)
    }
    fn validate(&self) -> Result<()> {
        let p = self.input_names.len();
        if self.center.len() != p
            || self.scalings.iter().any(|s| s.len() != p)
            || self.center.iter().chain(self.scalings.iter().flatten()).any(|v| !v.is_finite())
        {
            return Err(Error::ModelFile("LinearDiscriminantAnalysis: scalings do not match the input columns".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(cols: &[&[f64]]) -> Frame {
        let n = cols[0].len();
        Frame::new(cols.iter().enumerate().map(|(j, c)| FCol::num(format!("x{j}"), c.to_vec())).collect(), n)
    }

    #[test]
    fn pca_on_a_line_keeps_one_direction() {
        let f = frame(&[&[1.0, 2.0, 3.0, 4.0], &[-2.0, -4.0, -6.0, -8.0]]);
        let p = PcaParams { n_components: Some(NComponents::Fraction(0.5)), whiten: false }.fit(&f, None, &FitContext::default()).unwrap();
        assert_eq!(p.components.len(), 1);
        // Largest |loading| (the second column) is made positive.
        assert!(p.components[0][1] > 0.0 && p.components[0][0] < 0.0);
        assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
        let out = p.transform(&f).unwrap();
        assert_eq!(out.names(), ["pca0"]);
    }

    #[test]
    fn pca_names_the_first_cell_that_is_not_finite_and_passes_an_overflowing_sum() {
        let fit = |f: &Frame| PcaParams::default().fit(f, None, &FitContext::default());
        let f = frame(&[&[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, f64::NAN, f64::INFINITY], &[f64::INFINITY, 0.0, 0.0, 0.0]]);
        let err = fit(&f).unwrap_err().to_string();
        assert!(err.contains("'x1'") && err.contains("a missing value at row 3"), "{err}");
        let f = frame(&[&[1.0, 2.0, 3.0, 4.0], &[1.0, f64::NEG_INFINITY, 0.0, 0.0]]);
        let err = fit(&f).unwrap_err().to_string();
        assert!(err.contains("'x1'") && err.contains("an infinite value at row 2"), "{err}");
        // Finite cells whose sum overflows pass the check, as they did when it scanned every
        // cell: the fit fails later, on the non-finite covariance, as before.
        let f = frame(&[&[f64::MAX, f64::MAX, 0.0, 1.0], &[1.0, 2.0, 3.0, 5.0]]);
        let err = fit(&f).unwrap_err().to_string();
        assert!(err.contains("non-finite entries"), "{err}");
        let (_, sums) = finite_columns_and_sums("PCA", &f).unwrap();
        assert_eq!(sums[1].to_bits(), linalg::sum(&[1.0, 2.0, 3.0, 5.0]).to_bits());
    }

    #[test]
    fn one_pass_means_and_scatter_match_the_two_passes() {
        // Columns far from zero (the shift keeps the precision), an odd column count, a last
        // block shorter than BLOCK, and a first block unlike the rest.
        let n = 3 * BLOCK + 37;
        let cols: Vec<Vec<f64>> = (0..5)
            .map(|j| {
                (0..n)
                    .map(|i| {
                        let u = ((i * 7919 + j * 104_729) % 1_009) as f64 / 1_009.0 - 0.5;
                        let drift = if i < BLOCK { 3.0 } else { 0.0 };
                        1e6 * j as f64 + (j + 1) as f64 * u + drift + i as f64 * 1e-4
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let f = frame(&refs);
        let (_, mean, scat) = means_and_scatter("PCA", &f).unwrap();
        let (_, sums) = finite_columns_and_sums("PCA", &f).unwrap();
        let want_mean: Vec<f64> = sums.iter().map(|s| s / n as f64).collect();
        let want = scatter_gemm(&refs, &want_mean);
        for (a, b) in mean.iter().zip(&want_mean) {
            assert!((a - b).abs() <= 1e-13 * b.abs().max(1.0), "mean {a} vs {b}");
        }
        for (a, b) in scat.iter().zip(&want) {
            assert!((a - b).abs() <= 1e-12 * want[[0, 0]].max(b.abs()), "scatter {a} vs {b}");
        }
        assert_eq!(scat, scat.t());
    }

    #[test]
    fn projection_does_not_depend_on_the_block() {
        let n = 5_000;
        let cols: Vec<Vec<f64>> =
            (0..12).map(|j| (0..n).map(|i| ((i * 31 + j * 17) % 97) as f64 / 7.0 - 3.0 + j as f64 + ((i * j) % 13) as f64 / 5.0).collect()).collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let f = frame(&refs);
        // 3, 4, 5, 8, 9, 10, 11, 12 outputs: column tiles of 2 + 1, 4, 5, 4 + 4, 4 + 4 + 1, 5 + 5,
        // 4 + 4 + 2 + 1 and 4 + 4 + 4 outputs, row tiles of 2 + 1, 4, 5, 8, 8 + 1, 10, 10 + 1 and
        // 10 + 2; with and without the whitening division.
        for (k, centre, whiten) in [
            (8, Centre::InBlocks, false),
            (9, Centre::AfterProjection, true),
            (12, Centre::AfterProjection, false),
            (4, Centre::AfterProjection, true),
            (4, Centre::InBlocks, true),
            (5, Centre::AfterProjection, false),
            (3, Centre::AfterProjection, true),
            (10, Centre::AfterProjection, true),
            (11, Centre::AfterProjection, false),
        ] {
            let p = PcaParams { n_components: Some(NComponents::Count(k)), whiten }.fit(&f, None, &FitContext::default()).unwrap();
            let scale: Vec<f64> = p.explained_variance.iter().map(|v| if whiten { v.sqrt() } else { 1.0 }).collect();
            let cols_at =
                |block| match project_in_blocks(&f, "PCA", &p.mean, &p.components, whiten.then_some(&scale[..]), block, centre, Layout::Columns).unwrap() {
                    Projected::Columns(c) => c,
                    Projected::Rows(..) => panic!("rows for columns"),
                };
            let rows_at = |block| match project_in_blocks(&f, "PCA", &p.mean, &p.components, whiten.then_some(&scale[..]), block, centre, Layout::Rows).unwrap()
            {
                Projected::Rows(m, suspect) => (m, suspect),
                Projected::Columns(..) => panic!("columns for rows"),
            };
            let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            let want = cols_at(BLOCK);
            // Each output is its row's sum over the inputs in order from 0.0, less the centre's
            // projection summed the same way (or the sum of the centred inputs), then the
            // division, on either CPU path (the page's bits).
            for (c, got) in want.iter().enumerate() {
                let w = &p.components[c];
                let shift = (0..12).fold(0.0, |a, j| a + w[j] * p.mean[j]);
                for (i, g) in got.iter().enumerate() {
                    let v = match centre {
                        Centre::AfterProjection => (0..12).fold(0.0, |a, j| a + w[j] * cols[j][i]) - shift,
                        Centre::InBlocks => (0..12).fold(0.0, |a, j| a + w[j] * (cols[j][i] - p.mean[j])),
                    };
                    assert_eq!(g.to_bits(), (v / scale[c]).to_bits(), "output {c} row {i}");
                }
            }
            // The row-major result: the columns' values transposed, bit for bit.
            let want_rows: Vec<f64> = (0..n).flat_map(|i| want.iter().map(move |c| c[i])).collect();
            let base = crate::numeric::cpu::baseline(|| cols_at(PROJECT_BLOCK));
            let base_rows = crate::numeric::cpu::baseline(|| rows_at(PROJECT_BLOCK));
            assert_eq!((bits(&base_rows.0), base_rows.1), (bits(&want_rows), false), "baseline rows");
            for block in [1, 3, 17, 64, PROJECT_BLOCK, n + 1] {
                for (a, b) in cols_at(block).iter().chain(&base).zip(want.iter().chain(&want)) {
                    assert_eq!(bits(a), bits(b), "block {block}");
                }
                let (m, suspect) = rows_at(block);
                assert_eq!((bits(&m), suspect), (bits(&want_rows), false), "rows, block {block}");
            }
            assert_eq!(bits(p.transform_matrix(&f).unwrap().as_slice().unwrap()), bits(p.transform(&f).unwrap().to_matrix().unwrap().as_slice().unwrap()));
        }
    }

    #[test]
    fn a_projection_to_rows_refuses_as_to_matrix_does() {
        let mut col: Vec<f64> = (0..300).map(|i| i as f64).collect();
        let sq: Vec<f64> = col.iter().map(|v| v * v).collect();
        let p = PcaParams::default().fit(&frame(&[col.as_slice(), sq.as_slice()]), None, &FitContext::default()).unwrap();
        col[257] = f64::NAN;
        let g = frame(&[col.as_slice(), sq.as_slice()]);
        let two_steps = p.transform(&g).unwrap().to_matrix().unwrap_err().to_string();
        assert_eq!(p.transform_matrix(&g).unwrap_err().to_string(), two_steps);
        assert!(two_steps.contains("row 258"), "{two_steps}");
    }

    #[test]
    fn lda_needs_classes() {
        let f = frame(&[&[1.0, 2.0, 3.0, 4.0]]);
        let err = LdaParams::default().fit(&f, None, &FitContext::default()).unwrap_err();
        assert!(err.to_string().contains("target"), "{err}");
        let y = Target::Classes { y: vec![0, 0, 1, 1], n_classes: 2 };
        let l = LdaParams::default().fit(&f, Some(&y), &FitContext::default()).unwrap();
        assert_eq!(l.transform(&f).unwrap().names(), ["lineardiscriminantanalysis0"]);
    }
}
