//! `KMeans`: Lloyd's algorithm with k-means++ seeding, as scikit-learn.
//!
//! - Seeding: greedy k-means++ (scikit-learn's `_kmeans_plusplus`): the first
//!   centre uniformly at random, then for each further centre
//!   `2 + ⌊ln k⌋` candidates drawn with probability ∝ D², keeping the one that
//!   most lowers the potential. `init="random"` picks `k` distinct rows.
//! - Lloyd: the data is centred first (as scikit-learn, for precision); each
//!   iteration assigns rows to the nearest centre in blocks of 256 rows with a
//!   matrix product (`‖c‖² − 2 x·c`), recomputes the means, relocates empty
//!   clusters to the rows farthest from their centres, and stops when the
//!   labels no longer change or the squared centre shift is ≤ `tol × mean
//!   feature variance`. A final assignment follows when stopped by `tol`.
//! - `n_init` runs; the one with the lowest inertia is kept. `n_init="auto"`
//!   (the default, as scikit-learn ≥ 1.4) means 1 run for k-means++ and 10 for
//!   random.
//!
//! Our random numbers come from ChaCha8, not numpy's Mersenne Twister, so a
//! single run may land in another local optimum than scikit-learn's with the
//! same `random_state`; with several runs both find the same partition on
//! well-posed data. `algorithm` ("lloyd"/"elkan") is not offered: both give the
//! same result, and only Lloyd is implemented.

use ndarray::{Array2, ArrayView1, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_finite, check_labels, nearest_center, sq_dist};
use crate::estimator::{FitContext, FittedModel, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::linalg;
use crate::models::{check_fit, check_n_features};
use crate::numeric::avx2_dispatch;
use crate::{Error, Result};

const NAME: &str = "KMeans";
/// Up to this many centre values (k × d), distances are computed directly instead of by a matrix product.
const SMALL: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum KMeansInit {
    #[default]
    #[serde(rename = "k-means++")]
    KMeansPlusPlus,
    #[serde(rename = "random")]
    Random,
}

/// `n_init`: a number of runs or `"auto"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum NInit {
    Runs(u64),
    Name(String),
}

impl<'de> Deserialize<'de> for NInit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) if n.as_u64().is_some_and(|v| v >= 1) => Ok(NInit::Runs(n.as_u64().unwrap_or(1))),
            serde_json::Value::String(s) if s == "auto" => Ok(NInit::Name(s)),
            other => Err(serde::de::Error::custom(format!("n_init must be a positive integer or \"auto\", not {}", crate::error::json_text(&other)))),
        }
    }
}

impl Default for NInit {
    fn default() -> Self {
        NInit::Name("auto".into())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KMeansParams {
    pub n_clusters: usize,
    pub init: KMeansInit,
    pub n_init: NInit,
    pub max_iter: usize,
    pub tol: f64,
    pub random_state: Option<u64>,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams { n_clusters: 8, init: KMeansInit::KMeansPlusPlus, n_init: NInit::default(), max_iter: 300, tol: 1e-4, random_state: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KMeans {
    /// Cluster centres, `n_clusters × n_features`, row-major.
    pub cluster_centers: Vec<f64>,
    pub n_clusters: usize,
    pub n_features: usize,
    /// Sum of squared distances of the training rows to their centre.
    pub inertia: f64,
    /// Lloyd iterations of the kept run.
    pub n_iter: usize,
    /// Cluster of each training row.
    pub labels: Vec<i64>,
    /// A fit of a lent part of the restarts ([`FitContext::part`]): each of
    /// its runs' inertia and labels, in run order, for the page's worker to pick
    /// the best across the parts ([`best_run`]). Empty otherwise; never in a file.
    #[serde(skip)]
    pub part_runs: Vec<PartRun>,
}

/// One restart of a lent part: what picking the best run needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartRun {
    pub inertia: f64,
    pub labels: Vec<i64>,
}

/// The index of the run a fit of every run keeps, from every run's inertia and
/// labels in run order (the parts' [`KMeans::part_runs`] joined): the first
/// run, replaced by a later one with a lower inertia and another partition, as
/// the fit does run by run. `None` for no runs.
pub fn best_run(runs: &[PartRun], n_clusters: usize) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, r) in runs.iter().enumerate() {
        if best.is_none_or(|b| better(r.inertia, &r.labels, runs[b].inertia, &runs[b].labels, n_clusters)) {
            best = Some(i);
        }
    }
    best
}

/// Whether a run (inertia, labels) replaces the best so far (scikit-learn's rule).
fn better(inertia: f64, labels: &[i64], best_inertia: f64, best_labels: &[i64], k: usize) -> bool {
    inertia < best_inertia && !same_clustering(labels, best_labels, k)
}

impl KMeansParams {
    /// The number of restarts a fit runs (`n_init`, "auto" resolved).
    pub fn runs(&self) -> Result<usize> {
        self.n_runs()
    }
    /// The parameter checks of a fit on `n` rows (after the data's own).
    fn check(&self, n: usize) -> Result<()> {
        let k = self.n_clusters;
        if k == 0 {
            return Err(Error::param(NAME, "n_clusters", "must be at least 1"));
        }
        if n < k {
            return Err(Error::data(format!("{NAME}: n_clusters={k} but there are only {n} rows; lower n_clusters")));
        }
        if self.max_iter == 0 {
            return Err(Error::param(NAME, "max_iter", "must be at least 1"));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(Error::param(NAME, "tol", "must be a finite number ≥ 0"));
        }
        Ok(())
    }
    /// The fit on the centred data (`x − mean`, checked by [`KMeansParams::check`]).
    fn fit_centred(&self, c: Centred, mean: ndarray::Array1<f64>, ctx: &FitContext) -> Result<KMeans> {
        let (n, d) = (c.norms.len(), c.d);
        let k = self.n_clusters;
        let runs = self.n_runs()?;
        // tol scaled by the mean feature variance.
        let (xc, xn, sum_sq) = c.finish()?;
        let mean_var = sum_sq / (n * d) as f64;
        let tol = self.tol * mean_var;
        // Every run's starting centres come from one seed stream, drawn in run order before
        // any run starts; the runs (Lloyd's iterations, no randomness) then run on up to
        // `ctx.threads()` threads and the best is picked in run order: the same model on
        // any number of threads. A lent part `[from, to)` (the page's worker pool) draws the
        // starts of the runs before it too, and runs only its own.
        let (from, to) = match ctx.part() {
            None => (0, runs),
            Some((from, to)) if from < to && to <= runs => (from, to),
            Some((from, to)) => return Err(Error::data(format!("runs {from}..{to} are not a part of {NAME}'s {runs} restarts (n_init)"))),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed_for(self.random_state));
        let inits: Vec<Array2<f64>> = (0..to)
            .map(|_| match self.init {
                KMeansInit::KMeansPlusPlus => kmeans_plusplus(xc.view(), &xn, k, &mut rng),
                KMeansInit::Random => {
                    let mut idx: Vec<usize> = (0..n).collect();
                    for i in 0..k {
                        let j = rng.random_range(i..n);
                        idx.swap(i, j);
                    }
                    let mut c = Array2::zeros((k, d));
                    for (r, &i) in idx[..k].iter().enumerate() {
                        c.row_mut(r).assign(&xc.row(i));
                    }
                    c
                }
            })
            .collect();
        let inits = &inits[from..];
        let keep_runs = ctx.part().is_some();
        let mut part_runs = Vec::new();
        // A batch of `threads` runs at a time: at most that many runs' labels are held beside the best.
        let threads = ctx.threads();
        let mut best: Option<Run> = None;
        for start in (0..inits.len()).step_by(threads) {
            // The lender's stop flag (the CLI's Ctrl-C) is asked between restarts.
            ctx.check_stop()?;
            let batch = &inits[start..(start + threads).min(inits.len())];
            let done = crate::parallel::map(threads, batch.len(), &|r| lloyd(xc.view(), batch[r].clone(), self.max_iter, tol), &mut |_, _| true);
            for (r, run) in done.into_iter().enumerate() {
                // Every item of an unstopped loop runs: `None` only if its thread panicked.
                let run = run.ok_or_else(|| Error::Numerical(format!("internal error in {NAME} run {}", from + start + r + 1)))?;
                if keep_runs {
                    part_runs.push(PartRun { inertia: run.inertia, labels: run.labels.clone() });
                }
                if best.as_ref().is_none_or(|b| better(run.inertia, &run.labels, b.inertia, &b.labels, k)) {
                    best = Some(run);
                }
            }
        }
        // from < to: at least one run, so best is set.
        let best = best.ok_or_else(|| Error::data("KMeans: no run"))?;
        let mut sizes = vec![0usize; k];
        best.labels.iter().for_each(|&l| sizes[l as usize] += 1);
        let distinct = sizes.iter().filter(|&&s| s > 0).count();
        if distinct < k {
            ctx.warn(format!("KMeans: only {distinct} distinct clusters found, fewer than n_clusters={k} (duplicate rows?)"));
        }
        if best.n_iter == self.max_iter {
            ctx.warn(format!("KMeans: stopped after max_iter={} iterations before converging; raise max_iter", self.max_iter));
        }
        let centers = &best.centers + &mean;
        Ok(KMeans {
            cluster_centers: centers.iter().copied().collect(),
            n_clusters: k,
            n_features: d,
            inertia: best.inertia,
            n_iter: best.n_iter,
            labels: best.labels,
            part_runs,
        })
    }
    fn n_runs(&self) -> Result<usize> {
        match &self.n_init {
            NInit::Runs(0) => Err(Error::param(NAME, "n_init", "must be at least 1 (or \"auto\")")),
            NInit::Runs(n) => Ok(*n as usize),
            NInit::Name(s) if s == "auto" => Ok(match self.init {
                KMeansInit::KMeansPlusPlus => 1,
                KMeansInit::Random => 10,
            }),
            NInit::Name(s) => Err(Error::param(NAME, "n_init", format!("must be a positive integer or \"auto\", not {s:?}"))),
        }
    }
}

/// One run's result.
struct Run {
    labels: Vec<i64>,
    inertia: f64,
    centers: Array2<f64>,
    n_iter: usize,
}

/// Greedy k-means++ seeding (scikit-learn's `_kmeans_plusplus`, unit weights).
/// `xn`: the rows' squared norms (scikit-learn's `x_squared_norms`).
fn kmeans_plusplus(x: ArrayView2<f64>, xn: &[f64], k: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let (n, d) = x.dim();
    let n_local_trials = 2 + (k as f64).ln() as usize;
    let mut centers = Array2::<f64>::zeros((k, d));
    let first = rng.random_range(0..n);
    centers.row_mut(0).assign(&x.row(first));
    let xs = x.as_standard_layout();
    // as_standard_layout returns a contiguous array, so as_slice is Some.
    let xs: &[f64] = xs.as_slice().unwrap_or(&[]);
    let mut closest = vec![vec![0.0; n]];
    let mut pot = candidate_distances(xs, d, xn, &[first], None, &mut closest)[0];
    let mut closest = closest.pop().unwrap_or_default();
    let mut cum = vec![0.0; n];
    // Each candidate's distances; the chosen one's buffer becomes `closest` (swapped, not copied).
    let mut cand_d: Vec<Vec<f64>> = (0..n_local_trials).map(|_| vec![0.0; n]).collect();
    for c in 1..k {
        let mut acc = 0.0;
        for (cs, &v) in cum.iter_mut().zip(&closest) {
            acc += v;
            *cs = acc;
        }
        let cands: Vec<usize> = (0..n_local_trials)
            .map(|_| {
                let r = rng.random::<f64>() * pot;
                // searchsorted(side="left"): first index with cum >= r, clipped to n-1.
                cum.partition_point(|&v| v < r).min(n - 1)
            })
            .collect();
        let pots = candidate_distances(xs, d, xn, &cands, Some(&closest), &mut cand_d);
        // argmin: the first candidate with the lowest potential (pots has n_local_trials >= 2 entries).
        let mut best = 0;
        for (t, &p) in pots.iter().enumerate() {
            if p < pots[best] {
                best = t;
            }
        }
        pot = pots[best];
        std::mem::swap(&mut closest, &mut cand_d[best]);
        centers.row_mut(c).assign(&x.row(cands[best]));
    }
    centers
}

/// Vectors transposed into groups of `L` lanes for the distance kernels:
/// group `g` holds `d` arrays, array `j` = entry `j` of vectors `g·L .. g·L + L`
/// (missing vectors of the last group padded with 0). A row's dot products
/// with a whole group are then `d` lane-wise multiply-adds on fixed-size
/// arrays, which the compiler turns into SIMD (SSE2 natively, simd128 in
/// wasm) with no packing of the rows — unlike a general matrix product, whose
/// packing of every block of rows costs more than the arithmetic when `d` and
/// the number of vectors are small.
struct Panel<const L: usize> {
    d: usize,
    groups: Vec<[f64; L]>,
    /// Squared norms, padded with +inf (a padded vector is never nearest).
    norms: Vec<[f64; L]>,
}

impl<const L: usize> Panel<L> {
    /// `rows`: the vectors, `norms`: their squared norms.
    fn new<'a>(rows: impl ExactSizeIterator<Item = ArrayView1<'a, f64>>, norms: &[f64], d: usize) -> Panel<L> {
        let m = rows.len();
        let n_groups = m.div_ceil(L);
        let mut groups = vec![[0.0; L]; n_groups * d];
        let mut nv = vec![[f64::INFINITY; L]; n_groups];
        for (v, row) in rows.enumerate() {
            let (g, l) = (v / L, v % L);
            for (j, &x) in row.iter().enumerate() {
                groups[g * d + j][l] = x;
            }
            nv[g][l] = norms[v];
        }
        Panel { d, groups, norms: nv }
    }
    /// Dot products of each of the `R` consecutive rows in `rows` (`R × d`
    /// values) with the vectors of group `g`. Several rows at once give `R × L`
    /// independent accumulators, so the loop is bound by throughput, not by the
    /// latency of one add chain (the rows' short loops overlap out of order);
    /// each dot product still sums over `j` in order, so the result does not
    /// depend on `R`. Row by row over zipped slices: no bounds check is left in
    /// the loop, so the `L` lanes are one SIMD multiply-add (the row-interleaved
    /// form indexed `rows[r·d + j]` and stayed scalar).
    #[inline(always)]
    fn dots<const R: usize>(&self, rows: &[f64], g: usize) -> [[f64; L]; R] {
        let d = self.d;
        let cs = &self.groups[g * d..(g + 1) * d];
        let mut acc = [[0.0; L]; R];
        for (a, row) in acc.iter_mut().zip(rows[..R * d].chunks_exact(d)) {
            for (c, &x) in cs.iter().zip(row) {
                for (al, &cl) in a.iter_mut().zip(c) {
                    *al += x * cl;
                }
            }
        }
        acc
    }
}

impl<const L: usize> Panel<L> {
    /// [`Panel::dots`] with explicit AVX2: the `R` rows interleaved, `W = L / 4` registers of
    /// four lanes per row, so the `R × W` accumulators are independent chains (the compiler's
    /// code of `dots` ran each row's chain of `d` adds on its own, bound by the add's
    /// latency). The same operations in the same order as `dots` (`acc + x · c` from 0 over
    /// `j`, a separate multiply and add: no FMA), so the same bits. `rows`: at least `R × d`
    /// values; `L ≠ 4 W` falls back to `dots`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn dots_avx2<const W: usize, const R: usize>(&self, rows: &[f64], g: usize) -> [[f64; L]; R] {
        use std::arch::x86_64::{__m256d, _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_set1_pd, _mm256_setzero_pd, _mm256_storeu_pd};
        if 4 * W != L {
            return self.dots::<R>(rows, g);
        }
        let d = self.d;
        let cs = &self.groups[g * d..(g + 1) * d];
        let rows = &rows[..R * d];
        let mut acc = [[_mm256_setzero_pd(); W]; R];
        let mut out = [[0.0; L]; R];
        // SAFETY: `c` is `L = 4 W` values, read four at a time at `4 w` for `w < W`; `rows` is
        // `R × d` values (sliced above), read at `r · d + j` for `r < R`, `j < d`; `out[r]` is
        // `L = 4 W` values, written four at a time at `4 w`.
        unsafe {
            for (j, c) in cs.iter().enumerate() {
                let cv: [__m256d; W] = std::array::from_fn(|w| _mm256_loadu_pd(c.as_ptr().add(4 * w)));
                for (r, a) in acc.iter_mut().enumerate() {
                    let x = _mm256_set1_pd(*rows.get_unchecked(r * d + j));
                    for (aw, &c) in a.iter_mut().zip(&cv) {
                        *aw = _mm256_add_pd(*aw, _mm256_mul_pd(x, c));
                    }
                }
            }
            for (o, a) in out.iter_mut().zip(&acc) {
                for (w, &v) in a.iter().enumerate() {
                    _mm256_storeu_pd(o.as_mut_ptr().add(4 * w), v);
                }
            }
        }
        out
    }
}

/// Whether the lane kernels may take [`Panel::dots_avx2`] (an x86-64 CPU with AVX2, see
/// [`crate::numeric::cpu`]); asked once per kernel call.
#[cfg(target_arch = "x86_64")]
fn simd_dots() -> bool {
    crate::numeric::cpu::avx2()
}

avx2_dispatch! {
/// Squared distances from every row of `x` to the rows `ids` (scikit-learn's
/// `euclidean_distances(..., squared=True)`: `‖x‖² − 2 x·c + ‖c‖²` clipped at
/// 0), each replaced by `closest` where that is smaller; candidate `t`'s
/// distances go to `out[t]` (`n` long). Returns each candidate's potential
/// (the sum of its distances).
/// With an AVX2 copy natively (`numeric::cpu`), bit-identical.
fn candidate_distances(x: &[f64], d: usize, xn: &[f64], ids: &[usize], closest: Option<&[f64]>, out: &mut [Vec<f64>]) -> Vec<f64> {
    const L: usize = 4;
    let n = xn.len();
    let t = ids.len();
    let rows: Vec<ArrayView1<f64>> = ids.iter().map(|&i| ArrayView1::from(&x[i * d..(i + 1) * d])).collect();
    let cn: Vec<f64> = ids.iter().map(|&i| xn[i]).collect();
    let panel = Panel::<L>::new(rows.into_iter(), &cn, d);
    let mut pots = vec![0.0; t];
    let n_groups = t.div_ceil(L);
    // Per block of rows: the dot products first (`db[c·BLK + i]`), then one
    // vectorisable pass per candidate over contiguous slices.
    const R: usize = 4;
    const BLK: usize = 256;
    let mut db = vec![0.0; n_groups * L * BLK];
    #[cfg(target_arch = "x86_64")]
    let simd = simd_dots();
    let mut start = 0;
    while start < n {
        let end = (start + BLK).min(n);
        let xb = &x[start * d..end * d];
        let mut put = |i: usize, dots: &[f64; L], g: usize| {
            for (l, &dt) in dots.iter().enumerate() {
                db[(g * L + l) * BLK + i] = dt;
            }
        };
        let mut i0 = 0;
        #[cfg(target_arch = "x86_64")]
        let xb = if simd {
            // Eight rows at a time with explicit AVX2 (the same dot products).
            const R8: usize = 8;
            let blocks = xb.chunks_exact(R8 * d.max(1));
            let rest = blocks.remainder();
            for rows in blocks {
                for g in 0..n_groups {
                    // SAFETY: `simd` is `cpu::avx2()`: the CPU has AVX2.
                    let dots = unsafe { panel.dots_avx2::<1, R8>(rows, g) };
                    for (r, dr) in dots.iter().enumerate() {
                        put(i0 + r, dr, g);
                    }
                }
                i0 += R8;
            }
            rest
        } else {
            xb
        };
        let blocks = xb.chunks_exact(R * d);
        let rest = blocks.remainder();
        for rows in blocks {
            for g in 0..n_groups {
                let dots = panel.dots::<R>(rows, g);
                for (r, dr) in dots.iter().enumerate() {
                    put(i0 + r, dr, g);
                }
            }
            i0 += R;
        }
        for (r, row) in rest.chunks_exact(d).enumerate() {
            for g in 0..n_groups {
                put(i0 + r, &panel.dots::<1>(row, g)[0], g);
            }
        }
        let len = end - start;
        let xnb = &xn[start..end];
        for (c, pot) in pots.iter_mut().enumerate() {
            let cnc = cn[c];
            let o = &mut out[c][start..end];
            // Comparisons, not `f64::max`/`min`: wasm's `f64.max` propagates NaN where Rust's
            // `max` ignores it, so those compile to calls of libm's `fmax`/`fmin` there (7 % of
            // a k-means fit in V8). Same values: `!(v >= 0)` is `max(v, 0)`'s NaN case too.
            let dist = |dt: f64, xx: f64| {
                let v = -2.0 * dt + xx + cnc;
                if v >= 0.0 {
                    v
                } else {
                    0.0
                }
            };
            let dots = &db[c * BLK..c * BLK + len];
            #[cfg(target_arch = "x86_64")]
            if simd {
                // SAFETY: `simd` is `cpu::avx2()`: the CPU has AVX2.
                *pot += unsafe { distances_avx2(dots, xnb, closest.map(|cl| &cl[start..end]), cnc, o) };
                continue;
            }
            match closest {
                // The distance and the minimum in one loop that writes every `o` once from
                // values it does not read from `o`: a second pass `o = min(closest, o)` was
                // compiled into a masked store (`vmaskmovpd`, keeping `o` where it is the
                // smaller), slow on AMD CPUs: ≈ 18 % of this kernel. The same values.
                Some(cl) => {
                    for (((o, &dt), &xx), &c) in o.iter_mut().zip(dots).zip(xnb).zip(&cl[start..end]) {
                        let v = dist(dt, xx);
                        *o = if c < v { c } else { v };
                    }
                }
                None => {
                    for ((o, &dt), &xx) in o.iter_mut().zip(dots).zip(xnb) {
                        *o = dist(dt, xx);
                    }
                }
            }
            *pot += linalg::sum(o);
        }
        start = end;
    }
    #[cfg(target_arch = "x86_64")]
    if simd {
        // SAFETY: the CPU has AVX2 (so SSE2). Orders `distances_avx2`'s streaming stores
        // before whatever follows (another thread may read `out`).
        unsafe { std::arch::x86_64::_mm_sfence() };
    }
    pots
}
}

/// One block of [`candidate_distances`] for one candidate with explicit AVX2: `o[i]` =
/// `max(−2 dots[i] + xn[i] + cn, 0)`, then `min(closest[i], ·)`, and the block's sum as
/// [`linalg::sum`] of `o` adds it (lanes `i mod 8` from 0 over whole chunks of eight from the
/// block's start, reduced pairwise, then the rest in order) — the same operations as the
/// portable loop, so the same bits. `o` is written with streaming stores where it is 16-byte
/// aligned (always from the allocator): it is not read again in this pass, and the next
/// round reads one of the candidates' arrays only after the next pass over the data has
/// evicted it; a streaming store does not first read the line it writes (4 of the pass's
/// ≈ 33 MB per round of k-means++ on 200,000 × 10).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn distances_avx2(dots: &[f64], xn: &[f64], closest: Option<&[f64]>, cn: f64, o: &mut [f64]) -> f64 {
    use std::arch::x86_64::{
        __m256d, _mm256_add_pd, _mm256_and_pd, _mm256_blendv_pd, _mm256_castpd256_pd128, _mm256_cmp_pd, _mm256_extractf128_pd, _mm256_loadu_pd, _mm256_mul_pd,
        _mm256_set1_pd, _mm256_setzero_pd, _mm256_storeu_pd, _mm_stream_pd, _CMP_GE_OQ, _CMP_LT_OQ,
    };
    let len = o.len();
    let (dots, xn) = (&dots[..len], &xn[..len]);
    let cl = closest.map(|c| &c[..len]);
    let dist = |dt: f64, xx: f64| {
        let v = -2.0 * dt + xx + cn;
        if v >= 0.0 {
            v
        } else {
            0.0
        }
    };
    let full = len - len % 8;
    let stream = (o.as_ptr() as usize) % 16 == 0;
    let mut lanes = [0.0f64; 8];
    // SAFETY: every load and store reads or writes `i..i + 4` with `i + 4 <= full <= len`, of
    // `dots`, `xn`, `cl` and `o`, each `len` long (sliced above); `_mm_stream_pd` writes
    // 16-byte-aligned addresses only (`o` is, when `stream`, and `i` steps by 2 values);
    // `lanes` is 8 values, written at 0 and 4.
    unsafe {
        let (m2, cnv, zero) = (_mm256_set1_pd(-2.0), _mm256_set1_pd(cn), _mm256_setzero_pd());
        // Written out, not closures: the intrinsics inline into this function's AVX2 code.
        macro_rules! dist4 {
            ($i:expr) => {{
                let v = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(m2, _mm256_loadu_pd(dots.as_ptr().add($i))), _mm256_loadu_pd(xn.as_ptr().add($i))), cnv);
                let v = _mm256_and_pd(v, _mm256_cmp_pd::<_CMP_GE_OQ>(v, zero));
                match cl {
                    Some(cl) => {
                        let c = _mm256_loadu_pd(cl.as_ptr().add($i));
                        _mm256_blendv_pd(v, c, _mm256_cmp_pd::<_CMP_LT_OQ>(c, v))
                    }
                    None => v,
                }
            }};
        }
        macro_rules! put {
            ($i:expr, $v:expr) => {{
                let p = o.as_mut_ptr().add($i);
                if stream {
                    _mm_stream_pd(p, _mm256_castpd256_pd128($v));
                    _mm_stream_pd(p.add(2), _mm256_extractf128_pd::<1>($v));
                } else {
                    _mm256_storeu_pd(p, $v);
                }
            }};
        }
        let mut acc: [__m256d; 2] = [zero; 2];
        let mut i = 0;
        while i < full {
            let (v0, v1) = (dist4!(i), dist4!(i + 4));
            put!(i, v0);
            put!(i + 4, v1);
            acc = [_mm256_add_pd(acc[0], v0), _mm256_add_pd(acc[1], v1)];
            i += 8;
        }
        _mm256_storeu_pd(lanes.as_mut_ptr(), acc[0]);
        _mm256_storeu_pd(lanes.as_mut_ptr().add(4), acc[1]);
    }
    let a = &lanes;
    let mut sum = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for i in full..len {
        let v = dist(dots[i], xn[i]);
        let v = match cl {
            Some(cl) if cl[i] < v => cl[i],
            _ => v,
        };
        o[i] = v;
        sum += v;
    }
    sum
}

avx2_dispatch! {
/// Assigns every row to its nearest centre; returns the labels and, if `sums`
/// is given, accumulates per-cluster sums and counts.
/// With an AVX2 copy natively (`numeric::cpu`), bit-identical.
fn assign(x: ArrayView2<f64>, centers: &Array2<f64>, labels: &mut [i64], sums: Option<(&mut Array2<f64>, &mut [usize])>) {
    let mut sums = sums;
    const L: usize = 8;
    let d = x.ncols();
    let k = centers.nrows();
    let xs = x.as_standard_layout();
    // as_standard_layout returns a contiguous array, so as_slice is Some.
    let xs: &[f64] = xs.as_slice().unwrap_or(&[]);
    // `sums` is freshly allocated (standard layout), so as_slice_mut is Some.
    let mut sums = sums.as_mut().and_then(|(s, cnt)| s.as_slice_mut().map(|s| (s, &mut **cnt)));
    let mut add = |c: usize, r: &[f64]| {
        if let Some((s, cnt)) = sums.as_mut() {
            s[c * d..(c + 1) * d].iter_mut().zip(r).for_each(|(t, a)| *t += a);
            cnt[c] += 1;
        }
    };
    if k * d <= SMALL || d == 0 {
        // Small problems: exact distances (a − b)².
        let cs: Vec<f64> = centers.iter().copied().collect();
        for (i, r) in xs.chunks_exact(d.max(1)).enumerate() {
            let mut best = (f64::INFINITY, 0usize);
            for (c, cr) in cs.chunks_exact(d.max(1)).enumerate() {
                let mut v = 0.0;
                for (a, b) in r.iter().zip(cr) {
                    let t = a - b;
                    v += t * t;
                }
                if v < best.0 {
                    best = (v, c);
                }
            }
            labels[i] = best.1 as i64;
            add(best.1, r);
        }
        return;
    }
    // Nearest centre by `‖c‖² − 2 x·c` (scikit-learn's Lloyd; ‖x‖² is common to all centres).
    let c_norm: Vec<f64> = centers.rows().into_iter().map(|r| r.dot(&r)).collect();
    let panel = Panel::<L>::new(centers.rows().into_iter(), &c_norm, d);
    let n_groups = k.div_ceil(L);
    let mut nearest = |i: usize, r: &[f64], best: (f64, usize)| {
        labels[i] = best.1 as i64;
        add(best.1, r);
    };
    let better = |best: &mut (f64, usize), dots: &[f64; L], g: usize| {
        for (l, (&dt, &cn)) in dots.iter().zip(&panel.norms[g]).enumerate() {
            let v = cn - 2.0 * dt;
            if v < best.0 {
                *best = (v, g * L + l);
            }
        }
    };
    let mut i0 = 0;
    #[cfg(target_arch = "x86_64")]
    let xs = if simd_dots() {
        // Four rows at a time with explicit AVX2 (the same dot products).
        const R4: usize = 4;
        let blocks = xs.chunks_exact(R4 * d);
        let rest = blocks.remainder();
        for rows in blocks {
            let mut best = [(f64::INFINITY, 0usize); R4];
            for g in 0..n_groups {
                // SAFETY: `simd_dots()` is `cpu::avx2()`: the CPU has AVX2.
                let dots = unsafe { panel.dots_avx2::<2, R4>(rows, g) };
                for (b, dr) in best.iter_mut().zip(&dots) {
                    better(b, dr, g);
                }
            }
            for (r, &b) in best.iter().enumerate() {
                nearest(i0 + r, &rows[r * d..(r + 1) * d], b);
            }
            i0 += R4;
        }
        rest
    } else {
        xs
    };
    const R: usize = 2;
    let blocks = xs.chunks_exact(R * d);
    let rest = blocks.remainder();
    for rows in blocks {
        let mut best = [(f64::INFINITY, 0usize); R];
        for g in 0..n_groups {
            let dots = panel.dots::<R>(rows, g);
            for (b, dr) in best.iter_mut().zip(&dots) {
                better(b, dr, g);
            }
        }
        for (r, &b) in best.iter().enumerate() {
            nearest(i0 + r, &rows[r * d..(r + 1) * d], b);
        }
        i0 += R;
    }
    for (r, row) in rest.chunks_exact(d).enumerate() {
        let mut best = (f64::INFINITY, 0usize);
        for g in 0..n_groups {
            better(&mut best, &panel.dots::<1>(row, g)[0], g);
        }
        nearest(i0 + r, row, best);
    }
}
}

fn inertia_of(x: ArrayView2<f64>, centers: &Array2<f64>, labels: &[i64]) -> f64 {
    let d = x.ncols().max(1);
    let xs = x.as_standard_layout();
    let cs = centers.as_standard_layout();
    // Both are contiguous after as_standard_layout, so as_slice is Some.
    let (xs, cs) = (xs.as_slice().unwrap_or(&[]), cs.as_slice().unwrap_or(&[]));
    xs.chunks_exact(d).zip(labels).map(|(r, &l)| sq_dist(r, &cs[l as usize * d..(l as usize + 1) * d])).sum()
}

/// Lloyd iterations from `centers` (scikit-learn's `_kmeans_single_lloyd`).
fn lloyd(x: ArrayView2<f64>, mut centers: Array2<f64>, max_iter: usize, tol: f64) -> Run {
    let (n, d) = x.dim();
    let k = centers.nrows();
    let mut labels = vec![-1i64; n];
    let mut labels_old = vec![-1i64; n];
    let mut sums = Array2::<f64>::zeros((k, d));
    let mut counts = vec![0usize; k];
    let mut strict = false;
    let mut it = 0;
    while it < max_iter {
        sums.fill(0.0);
        counts.iter_mut().for_each(|c| *c = 0);
        assign(x, &centers, &mut labels, Some((&mut sums, &mut counts)));
        // Relocate empty clusters to the rows farthest from their (old) centres.
        let empty: Vec<usize> = (0..k).filter(|&c| counts[c] == 0).collect();
        if !empty.is_empty() {
            let dist: Vec<f64> =
                x.rows().into_iter().zip(&labels).map(|(r, &l)| r.iter().zip(centers.row(l as usize).iter()).map(|(a, b)| (a - b) * (a - b)).sum()).collect();
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| dist[b].total_cmp(&dist[a]).then(a.cmp(&b)));
            for (&c, &far) in empty.iter().zip(&order) {
                let old = labels[far] as usize;
                let xr = x.row(far);
                let mut so = sums.row_mut(old);
                so -= &xr;
                sums.row_mut(c).assign(&xr);
                counts[c] = 1;
                counts[old] -= 1;
            }
        }
        let mut shift = 0.0;
        for c in 0..k {
            for j in 0..d {
                // counts[c] >= 1 after relocation whenever n >= k (checked in fit).
                let v = if counts[c] > 0 { sums[[c, j]] / counts[c] as f64 } else { centers[[c, j]] };
                let dlt = v - centers[[c, j]];
                shift += dlt * dlt;
                centers[[c, j]] = v;
            }
        }
        it += 1;
        if labels == labels_old {
            strict = true;
            break;
        }
        if shift <= tol {
            break;
        }
        labels_old.copy_from_slice(&labels);
    }
    if !strict {
        assign(x, &centers, &mut labels, None);
    }
    let inertia = inertia_of(x, &centers, &labels);
    Run { labels, inertia, centers, n_iter: it }
}

/// The centred data built block by block of rows: the row-major copy, and from each block while
/// it is in L1 what the fit needs of every row, with no pass of their own over the data: the
/// rows' squared norms (`Σ v·v` in order, as scikit-learn's `x_squared_norms`) and the sum of
/// squares of every value as [`linalg::dot`] of the whole copy adds it (eight lanes over the
/// flat values, the last `n·d mod 8` after them; a block of `BLOCK` rows starts on a
/// multiple of eight values, so the lanes see every value where `dot` does).
struct Centred {
    d: usize,
    x: Vec<f64>,
    norms: Vec<f64>,
    lanes: [f64; 8],
    rest: Vec<f64>,
}

impl Centred {
    const BLOCK: usize = 64;
    fn new(n: usize, d: usize) -> Centred {
        Centred { d, x: Vec::with_capacity(n * d), norms: Vec::with_capacity(n), lanes: [0.0; 8], rest: Vec::new() }
    }
    /// Appends the next `BLOCK` centred rows (fewer in the last block), row-major.
    fn push(&mut self, t: &[f64]) {
        let chunks = t.chunks_exact(8);
        self.rest.extend_from_slice(chunks.remainder());
        for c in chunks {
            for (a, x) in self.lanes.iter_mut().zip(c) {
                *a += x * x;
            }
        }
        self.norms.extend(t.chunks_exact(self.d.max(1)).map(|r| r.iter().map(|v| v * v).sum::<f64>()));
        self.x.extend_from_slice(t);
    }
    /// The `n × d` matrix, the rows' squared norms and the sum of squares.
    fn finish(self) -> Result<(Array2<f64>, Vec<f64>, f64)> {
        let a = &self.lanes;
        let mut s = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
        for v in &self.rest {
            s += v * v;
        }
        let n = self.norms.len();
        let x = Array2::from_shape_vec((n, self.d), self.x).map_err(|e| Error::data(format!("internal: {NAME} centring: {e}")))?;
        Ok((x, self.norms, s))
    }
}

/// The centred data from the columns (each `n` long): blocks of rows transposed in a buffer
/// that stays in L1 (every column read sequentially), then appended.
fn centred_rows(cols: &[&[f64]], n: usize, mean: &[f64]) -> Centred {
    let d = cols.len();
    let mut c = Centred::new(n, d);
    let mut tmp = vec![0.0; Centred::BLOCK * d];
    let mut start = 0;
    while start < n {
        let end = (start + Centred::BLOCK).min(n);
        let t = &mut tmp[..(end - start) * d];
        for (j, (col, &m)) in cols.iter().zip(mean).enumerate() {
            for (row, &x) in t.chunks_exact_mut(d).zip(&col[start..end]) {
                row[j] = x - m;
            }
        }
        c.push(t);
        start = end;
    }
    c
}

/// Whether two labelings are the same partition up to renaming.
fn same_clustering(a: &[i64], b: &[i64], k: usize) -> bool {
    let mut map = vec![-1i64; k];
    for (&u, &v) in a.iter().zip(b) {
        let m = &mut map[u as usize];
        if *m == -1 {
            *m = v;
        } else if *m != v {
            return false;
        }
    }
    true
}

impl ModelParams for KMeansParams {
    type Fitted = KMeans;
    fn task(&self) -> Task {
        Task::Clustering
    }
    fn fit(&self, x: &Array2<f64>, _y: Option<&Target>, ctx: &FitContext) -> Result<KMeans> {
        check_fit(NAME, x)?;
        check_finite(NAME, x)?;
        let (n, d) = x.dim();
        self.check(n)?;
        // Centre the data (as scikit-learn).
        let mean = x.mean_axis(ndarray::Axis(0)).unwrap_or_else(|| ndarray::Array1::zeros(d));
        let xs = x.as_standard_layout();
        let ms = mean.to_vec();
        let mut c = Centred::new(n, d);
        let mut tmp = Vec::with_capacity(Centred::BLOCK * d);
        // as_standard_layout returns a contiguous array, so as_slice is Some.
        for rows in xs.as_slice().unwrap_or(&[]).chunks(Centred::BLOCK * d.max(1)) {
            tmp.clear();
            for r in rows.chunks_exact(d.max(1)) {
                tmp.extend(r.iter().zip(&ms).map(|(a, m)| a - m));
            }
            c.push(&tmp);
        }
        self.fit_centred(c, mean, ctx)
    }
    fn may_fit_columns(&self) -> bool {
        true
    }
    /// The column sums for the means are the scan: a NaN or infinity makes its column's sum
    /// NaN or infinite, so finite sums mean finite values (an overflowing sum of finite
    /// values only sends the fit to the pipeline's scan and the matrix).
    fn fit_columns_scans(&self) -> bool {
        true
    }
    /// The centred row-major copy the fit works on, made straight from the frame's columns:
    /// no uncentred matrix first (one pass over the data and one 8·n·d-byte copy less). The
    /// same model as [`KMeansParams::fit`]: `mean_axis` of an `n × d` row-major matrix with
    /// `d ≥ 2` adds the rows in order from 0, as the column sums here; `d < 2` takes the matrix.
    fn fit_columns(&self, cols: &[&[f64]], n: usize, _y: Option<&Target>, ctx: &FitContext) -> Option<Result<KMeans>> {
        let d = cols.len();
        if d < 2 || cols.iter().any(|c| c.len() != n) {
            return None;
        }
        // Unscanned columns ([`KMeansParams::fit_columns_scans`]): a non-finite mean (or no
        // rows: 0 / 0) leaves the checks and their errors to the pipeline and `fit`.
        // Each column's mean as `mean_axis(Axis(0))` of the row-major matrix computes it
        // (`d ≥ 2`): the rows added in order from 0, then divided by `n`.
        let ms: Vec<f64> = linalg::column_sums_cols(cols, n).iter().map(|&s| s / n as f64).collect();
        if !ms.iter().all(|m| m.is_finite()) {
            return None;
        }
        Some(self.check(n).and_then(|()| self.fit_centred(centred_rows(cols, n, &ms), ndarray::Array1::from(ms), ctx)))
    }
    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("n_clusters", "int", json!(8), "Number of clusters (and centres) to find.").range(Some(1.0), None),
            ParamInfo::new("init", "choice", json!("k-means++"), "How the first centres are chosen: k-means++ spreads them out; random picks rows.")
                .choices(&["k-means++", "random"]),
            ParamInfo::new(
                "n_init",
                "string",
                json!("auto"),
                "Number of runs from different starting centres (the best is kept); \"auto\" = 1 for k-means++, 10 for random.",
            ),
            ParamInfo::new("max_iter", "int", json!(300), "Maximum Lloyd iterations per run.").range(Some(1.0), None),
            ParamInfo::new("tol", "float", json!(1e-4), "Stop when centres move less than this (relative to the data's variance).").range(Some(0.0), None),
            ParamInfo::new("random_state", "int_or_null", json!(null), "Seed for the starting centres (default: the pipeline's seed).").range(Some(0.0), None),
        ]
    }
    fn help() -> &'static str {
        "k-means: splits the rows into k groups around k centres, minimizing squared distances to the centres."
    }
}

impl FittedModel for KMeans {
    fn training_labels(&self) -> Option<&[i64]> {
        Some(&self.labels)
    }
    fn inertia(&self) -> Option<f64> {
        Some(self.inertia)
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features(NAME, self.n_features, x)?;
        check_finite(NAME, x)?;
        Ok(Output::Clusters(nearest_center(x, &self.cluster_centers, self.n_features)))
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        let d = self.n_features.max(1);
        let mut sizes = vec![0usize; self.n_clusters];
        self.labels.iter().for_each(|&l| sizes[l as usize] += 1);
        Inspection { cluster_centers: self.cluster_centers.chunks(d).map(<[f64]>::to_vec).collect(), ..Default::default() }
            .detail("cluster_sizes", sizes)
            .fact("inertia", self.inertia)
            .fact("n_iter", self.n_iter)
    }
    fn validate(&self) -> Result<()> {
        if self.n_clusters == 0 || self.n_features == 0 || self.cluster_centers.len() != self.n_clusters * self.n_features {
            return Err(Error::ModelFile("KMeans: cluster_centers must hold n_clusters × n_features values".into()));
        }
        if self.cluster_centers.iter().any(|v| !v.is_finite()) || !self.inertia.is_finite() {
            return Err(Error::ModelFile("KMeans: centres and inertia must be finite".into()));
        }
        check_labels(NAME, &self.labels, self.n_clusters, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::cluster::testdata::blobs;

    fn fit(p: &KMeansParams, x: &Array2<f64>) -> KMeans {
        p.fit(x, None, &FitContext::new(0)).unwrap()
    }

    #[test]
    fn finds_three_blobs() {
        let (x, y) = blobs(40, 1);
        let m = fit(&KMeansParams { n_clusters: 3, random_state: Some(3), ..Default::default() }, &x);
        assert!(same_clustering(&m.labels, &y, 3) && same_clustering(&y, &m.labels, 3));
        let Output::Clusters(p) = m.predict(&x).unwrap() else { panic!() };
        assert_eq!(p, m.labels);
        // Inertia equals the within-cluster sum of squares around the means.
        let c = crate::models::cluster::cluster_means(x.view(), &y, 3);
        let w: f64 = x.rows().into_iter().zip(&y).map(|(r, &l)| sq_dist(&r.to_vec(), &c.row(l as usize).to_vec())).sum();
        assert!((m.inertia - w).abs() < 1e-9 * w, "{} vs {w}", m.inertia);
        m.validate().unwrap();
    }

    #[test]
    fn reproducible_and_seed_dependent_init() {
        let (x, _) = blobs(30, 2);
        let p = KMeansParams { n_clusters: 5, random_state: Some(7), ..Default::default() };
        assert_eq!(fit(&p, &x), fit(&p, &x));
        let q = KMeansParams { n_init: NInit::Runs(10), ..p.clone() };
        assert!(fit(&q, &x).inertia <= fit(&p, &x).inertia + 1e-12);
    }

    #[test]
    fn lane_kernel_assignment_matches_direct() {
        use rand::{Rng, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // k × d = 260 > SMALL: the lane kernel; 13 centres = one full group of 8 lanes and a padded one.
        let x = Array2::from_shape_fn((600, 20), |_| rng.random::<f64>());
        let c = Array2::from_shape_fn((13, 20), |_| rng.random::<f64>());
        let mut labels = vec![0i64; 600];
        let mut sums = Array2::zeros((13, 20));
        let mut cnt = vec![0usize; 13];
        assign(x.view(), &c, &mut labels, Some((&mut sums, &mut cnt)));
        assert_eq!(labels, nearest_center(&x, c.as_slice().unwrap(), 20));
        assert_eq!(cnt.iter().sum::<usize>(), 600);
        assert!((sums.sum() - x.sum()).abs() < 1e-9);
        let m = fit(&KMeansParams { n_clusters: 5, random_state: Some(1), ..Default::default() }, &x);
        let Output::Clusters(p) = m.predict(&x).unwrap() else { panic!() };
        assert_eq!(p, m.labels);
    }

    /// The AVX2 copies of the kernels and the baseline give the same bits: seeding, Lloyd, labels.
    #[test]
    fn avx2_and_baseline_paths_are_bit_identical() {
        use crate::numeric::cpu;
        use rand::{Rng, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        // 1,001 rows (a remainder after the blocks of rows), d = 11 (not a multiple of the lanes).
        let x = Array2::from_shape_fn((1_001, 11), |_| rng.random::<f64>() * 4.0 - 2.0);
        for k in [3, 13] {
            let p = KMeansParams { n_clusters: k, random_state: Some(2), ..Default::default() };
            let (a, b) = (fit(&p, &x), cpu::baseline(|| fit(&p, &x)));
            assert_eq!(a, b, "k = {k}");
        }
    }

    /// The explicit AVX2 dot products are the portable ones, bit for bit (both lane widths).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_dots_equal_portable_dots() {
        use rand::{Rng, SeedableRng};
        if !crate::numeric::cpu::avx2() {
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for d in [1, 3, 10, 17] {
            let x: Vec<f64> = (0..8 * d).map(|_| rng.random::<f64>() * 6.0 - 3.0).collect();
            let c = Array2::from_shape_fn((13, d), |_| rng.random::<f64>() * 1e3 - 5e2);
            let norms = vec![0.0; 13];
            let p4 = Panel::<4>::new(c.rows().into_iter(), &norms, d);
            let p8 = Panel::<8>::new(c.rows().into_iter(), &norms, d);
            for g in 0..4 {
                // SAFETY: the CPU has AVX2 (asked above).
                let a = unsafe { p4.dots_avx2::<1, 8>(&x, g) };
                let b = p4.dots::<8>(&x, g);
                assert_eq!(format!("{a:?}"), format!("{b:?}"), "d = {d}");
            }
            for g in 0..2 {
                // SAFETY: as above.
                let a = unsafe { p8.dots_avx2::<2, 4>(&x, g) };
                let b = p8.dots::<4>(&x, g);
                assert_eq!(format!("{a:?}"), format!("{b:?}"), "d = {d}");
            }
        }
    }

    /// The AVX2 block of candidate distances is the portable loop and `linalg::sum`, bit for
    /// bit: clipped negatives, ties with `closest`, partial chunks, streaming and plain stores.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_candidate_block_equals_portable() {
        use rand::{Rng, SeedableRng};
        if !crate::numeric::cpu::avx2() {
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for len in [0, 5, 8, 37, 256] {
            let dots: Vec<f64> = (0..len).map(|_| rng.random::<f64>() * 4.0 - 1.0).collect();
            let xn: Vec<f64> = (0..len).map(|_| rng.random::<f64>() * 3.0).collect();
            let cn = 0.75;
            let mut cl: Vec<f64> = (0..len).map(|_| rng.random::<f64>() * 2.0).collect();
            for i in (0..len).step_by(3) {
                let v = -2.0 * dots[i] + xn[i] + cn;
                cl[i] = if v >= 0.0 { v } else { 0.0 };
            }
            for closest in [None, Some(&cl[..])] {
                let want: Vec<f64> = (0..len)
                    .map(|i| {
                        let v = -2.0 * dots[i] + xn[i] + cn;
                        let v = if v >= 0.0 { v } else { 0.0 };
                        match closest {
                            Some(c) if c[i] < v => c[i],
                            _ => v,
                        }
                    })
                    .collect();
                for off in [0, 1] {
                    let mut buf = vec![f64::NAN; len + 1];
                    let o = &mut buf[off..off + len];
                    // SAFETY: the CPU has AVX2 (asked above).
                    let sum = unsafe { distances_avx2(&dots, &xn, closest, cn, o) };
                    assert_eq!(format!("{o:?}"), format!("{want:?}"), "len {len} off {off}");
                    assert_eq!(sum.to_bits(), linalg::sum(&want).to_bits(), "len {len} off {off}");
                }
            }
        }
    }

    /// The frame's columns give the model the matrix gives, bit for bit (and the same errors).
    #[test]
    fn columns_and_matrix_fits_are_identical() {
        use rand::{Rng, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for (n, d) in [(1_001, 1), (700, 2), (1_001, 3), (2_345, 10)] {
            let x = Array2::from_shape_fn((n, d), |_| rng.random::<f64>() * 8.0 - 3.0);
            let cols: Vec<Vec<f64>> = (0..d).map(|j| x.column(j).to_vec()).collect();
            let cols: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            for p in [
                KMeansParams { n_clusters: 5, random_state: Some(4), ..Default::default() },
                KMeansParams { n_clusters: 3, init: KMeansInit::Random, max_iter: 3, random_state: Some(1), ..Default::default() },
            ] {
                let ctx = FitContext::new(0);
                match p.fit_columns(&cols, n, None, &ctx) {
                    // Debug text: every bit (−0.0 too), not `==`.
                    Some(m) => assert_eq!(format!("{:?}", m.unwrap()), format!("{:?}", fit(&p, &x)), "n = {n}, d = {d}"),
                    None => assert!(d < 2),
                }
            }
        }
        let x = Array2::from_shape_fn((3, 2), |(i, j)| (i + j) as f64);
        let cols = [&[0.0, 1.0, 2.0][..], &[1.0, 2.0, 3.0][..]];
        let p = KMeansParams { n_clusters: 4, ..Default::default() };
        let ctx = FitContext::new(0);
        assert_eq!(p.fit_columns(&cols, 3, None, &ctx).unwrap().unwrap_err().to_string(), p.fit(&x, None, &ctx).unwrap_err().to_string());
        // Unscanned columns: a NaN or an infinity anywhere (or no rows) is left to the pipeline.
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let c1 = [0.0, bad, 2.0];
            assert!(p.fit_columns(&[&c1[..], &[1.0, 2.0, 3.0][..]], 3, None, &ctx).is_none());
        }
        assert!(p.fit_columns(&[&[][..], &[][..]], 0, None, &ctx).is_none());
    }

    #[test]
    fn params_validated() {
        let (x, _) = blobs(2, 0);
        let ctx = FitContext::new(0);
        assert!(matches!(KMeansParams { n_clusters: 7, ..Default::default() }.fit(&x, None, &ctx), Err(Error::Data(_))));
        let e = KMeansParams { n_init: NInit::Name("many".into()), n_clusters: 2, ..Default::default() }.fit(&x, None, &ctx).unwrap_err();
        assert!(e.to_string().contains("n_init"), "{e}");
        for bad in [r#"{"n_init": 0}"#, r#"{"n_init": -2}"#, r#"{"n_init": "all"}"#, r#"{"n_init": 2.5}"#] {
            let e = serde_json::from_str::<KMeansParams>(bad).unwrap_err();
            assert!(e.to_string().contains("positive integer or \"auto\""), "{bad}: {e}");
        }
        assert_eq!(serde_json::from_str::<KMeansParams>(r#"{"n_init": "auto"}"#).unwrap().n_init, NInit::default());
        // Round trip through the spec's JSON.
        let p = KMeansParams { n_init: NInit::Runs(3), ..Default::default() };
        assert_eq!(serde_json::from_str::<KMeansParams>(&serde_json::to_string(&p).unwrap()).unwrap(), p);
        let p: KMeansParams = serde_json::from_str(r#"{"n_init": 4, "init": "random"}"#).unwrap();
        assert_eq!(p.n_init, NInit::Runs(4));
        assert!(serde_json::from_str::<KMeansParams>(r#"{"n_inits": 4}"#).is_err());
    }

    #[test]
    fn duplicates_relocate_and_warn() {
        // 6 rows, only 2 distinct points, 3 clusters: one cluster becomes empty and is relocated.
        let x = Array2::from_shape_vec((6, 1), vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]).unwrap();
        let ctx = FitContext::new(0);
        let m = KMeansParams { n_clusters: 3, n_init: NInit::Runs(3), ..Default::default() }.fit(&x, None, &ctx).unwrap();
        assert!(m.inertia.abs() < 1e-12);
        m.validate().unwrap();
    }
}
