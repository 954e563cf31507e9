//! Feature selection steps. Each learns a subset of its input columns and its
//! transform keeps exactly those columns (names unchanged), as scikit-learn's
//! `SelectorMixin` does.
//!
//! - `VarianceThreshold`: keeps columns whose population variance (missing
//!   cells ignored) exceeds `threshold` (with 0, min(variance, peak-to-peak) as
//!   scikit-learn, so float noise on a constant column does not keep it).
//! - `SelectKBest` / `SelectPercentile` with `f_classif` (one-way ANOVA F),
//!   `f_regression` (F from Pearson r), `chi2`, `mutual_info_classif` and
//!   `mutual_info_regression` (Kraskov k-NN estimator with 3 neighbours and
//!   1e-10-scaled noise, as scikit-learn; seeded by `random_state`). The F and
//!   chi² scores follow scikit-learn's formulas operation by operation.
//! - `SelectFromModel`: fits a nested model spec and keeps columns whose
//!   importance (|coef|, summed over classes) reaches `threshold`.
//! - `CorrelationFilter` (not in scikit-learn): drops the later column of
//!   each pair whose |Pearson r| exceeds `threshold`, and says which and why.

use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::estimator::{class_target_for, value_target_for, FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, Frame};
use crate::numeric::{ln_gamma, percentile};
use crate::pipeline::registry::ModelSpec;
use crate::preprocess::{check_columns, check_fit_rows};
use crate::{Error, Result};

// ---------------------------------------------------------------- helpers

/// The columns of `x` as numbers, refusing categorical, missing and infinite cells.
pub(crate) fn finite_columns<'a>(step: &str, x: &'a Frame) -> Result<Vec<&'a [f64]>> {
    x.cols
        .iter()
        .map(|c| {
            let v = c.numeric(step)?;
            // The chunked scan of the models' check (it vectorises; the first bad cell as before).
            if let Some(i) = crate::frame::first_unusable(v, false) {
                let what = if v[i].is_nan() { "a missing value" } else { "an infinite value" };
                return Err(Error::column(&c.name, format!("has {what} at row {}; {step} needs finite numbers (add a SimpleImputer before it)", i + 1)));
            }
            Ok(v)
        })
        .collect()
}

/// Keeps the columns `keep` (indices into the fitted inputs).
fn select_columns(step: &str, input_names: &[String], keep: &[usize], x: &Frame) -> Result<Frame> {
    check_columns(step, input_names, x)?;
    let cols: Vec<FCol> = keep.iter().map(|&j| x.cols[j].clone()).collect();
    Ok(Frame::new(cols, x.n_rows))
}

fn validate_keep(step: &str, input_names: &[String], keep: &[usize]) -> Result<()> {
    if keep.is_empty() || keep.iter().any(|&j| j >= input_names.len()) || keep.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::ModelFile(format!("{step}: selected column indices are inconsistent with its {} input columns", input_names.len())));
    }
    Ok(())
}

fn finite_or_none(v: &[f64]) -> Vec<Option<f64>> {
    v.iter().map(|x| x.is_finite().then_some(*x)).collect()
}

// ---------------------------------------------------------------- VarianceThreshold

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct VarianceThresholdParams {
    pub threshold: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VarianceThreshold {
    pub input_names: Vec<String>,
    /// Per input column (null when the column has no observed value).
    pub variances: Vec<Option<f64>>,
    pub keep: Vec<usize>,
}

impl StepParams for VarianceThresholdParams {
    type Fitted = VarianceThreshold;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<VarianceThreshold> {
        check_fit_rows("VarianceThreshold", x)?;
        if !(self.threshold >= 0.0 && self.threshold.is_finite()) {
            return Err(Error::param("VarianceThreshold", "threshold", format!("must be a non-negative number, got {}", self.threshold)));
        }
        let mut variances = Vec::with_capacity(x.n_cols());
        for col in &x.cols {
            let v = col.numeric("VarianceThreshold")?;
            if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                return Err(Error::column(&col.name, format!("has an infinite value at row {}; VarianceThreshold needs finite numbers", i + 1)));
            }
            let (mean, var, n) = crate::preprocess::scaler::mean_var(v);
            let _ = mean;
            if n == 0 {
                variances.push(None);
                continue;
            }
            let mut var = var;
            if self.threshold == 0.0 && n == v.len() {
                // np.nanmin([var, ptp]); ptp is NaN (ignored) when the column has missing cells.
                let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| (l.min(x), h.max(x)));
                var = var.min(hi - lo);
            }
            variances.push(Some(var));
        }
        let keep: Vec<usize> = (0..x.n_cols()).filter(|&j| variances[j].is_some_and(|v| v > self.threshold)).collect();
        if keep.is_empty() {
            let extra = if x.n_rows == 1 { " (a single row has no variance)" } else { "" };
            return Err(Error::data(format!("VarianceThreshold: no column has a variance above threshold={}{extra}; lower the threshold", self.threshold)));
        }
        Ok(VarianceThreshold { input_names: x.names(), variances, keep })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![ParamInfo::new("threshold", "float", json!(0.0), "Drop columns whose training variance is not above this (0 drops constant columns).")
            .range(Some(0.0), None)]
    }
    fn help() -> &'static str {
        "Drop columns with (near) zero variance."
    }
}

impl FittedTransform for VarianceThreshold {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        select_columns("VarianceThreshold", &self.input_names, &self.keep, x)
    }
    fn validate(&self) -> Result<()> {
        validate_keep("VarianceThreshold", &self.input_names, &self.keep)
    }
}

// ---------------------------------------------------------------- univariate scores

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ScoreFunc {
    #[default]
    FClassif,
    FRegression,
    Chi2,
    MutualInfoClassif,
    MutualInfoRegression,
}

impl ScoreFunc {
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreFunc::FClassif => "f_classif",
            ScoreFunc::FRegression => "f_regression",
            ScoreFunc::Chi2 => "chi2",
            ScoreFunc::MutualInfoClassif => "mutual_info_classif",
            ScoreFunc::MutualInfoRegression => "mutual_info_regression",
        }
    }
}

const SCORE_CHOICES: &[&str] = &["f_classif", "f_regression", "chi2", "mutual_info_classif", "mutual_info_regression"];

/// Scores of each column for `func` (NaN where undefined, e.g. constant columns).
pub fn univariate_scores(step: &str, func: ScoreFunc, x: &Frame, y: Option<&Target>, seed: u64) -> Result<Vec<f64>> {
    if x.n_cols() == 0 {
        return Err(Error::data(format!("{step}: no input columns to score")));
    }
    let cols = finite_columns(step, x)?;
    let n = x.n_rows;
    match func {
        ScoreFunc::FClassif => Ok(f_classif(&cols, class_target_for(step, y, n)?)),
        ScoreFunc::FRegression => Ok(f_regression(&cols, value_target_for(step, y, n)?)),
        ScoreFunc::Chi2 => {
            let yk = class_target_for(step, y, n)?;
            for (c, col) in x.cols.iter().zip(&cols) {
                if let Some(i) = col.iter().position(|&v| v < 0.0) {
                    return Err(Error::column(
                        &c.name,
                        format!("has a negative value at row {}; chi2 needs non-negative features (counts, frequencies, MinMaxScaler output)", i + 1),
                    ));
                }
            }
            Ok(chi2(&cols, yk))
        }
        ScoreFunc::MutualInfoClassif => {
            let yk = class_target_for(step, y, n)?;
            mutual_info(step, &cols, MiTarget::Classes(yk), seed)
        }
        ScoreFunc::MutualInfoRegression => {
            let yv = value_target_for(step, y, n)?;
            mutual_info(step, &cols, MiTarget::Values(yv), seed)
        }
    }
}

// ---------------------------------------------------------------- p-values

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Regularized incomplete beta I_x(a, b).
fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_bt = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_bt.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - ln_bt.exp() * beta_cf(b, a, 1.0 - x) / b
    }
}

/// Survival function of the F(d1, d2) distribution (scipy's `fdtrc`).
pub fn f_sf(d1: f64, d2: f64, f: f64) -> f64 {
    if f.is_nan() || d1 <= 0.0 || d2 <= 0.0 {
        return f64::NAN;
    }
    if f <= 0.0 {
        return 1.0;
    }
    if f.is_infinite() {
        return 0.0;
    }
    beta_inc(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f))
}

/// Survival function of the χ²(k) distribution (scipy's `chdtrc`): Q(k/2, x/2).
pub fn chi2_sf(k: f64, x: f64) -> f64 {
    if x.is_nan() || k <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    crate::numeric::gamma_q(k / 2.0, x / 2.0)
}

/// `pvalues_` of the F and χ² tests (None for mutual information, which has none).
pub fn univariate_pvalues(func: ScoreFunc, scores: &[f64], y: Option<&Target>) -> Vec<Option<f64>> {
    let (n, k) = match y {
        Some(Target::Classes { y, .. }) => {
            let mut seen = std::collections::BTreeSet::new();
            seen.extend(y.iter().copied());
            (y.len() as f64, seen.len() as f64)
        }
        Some(Target::Values(v)) => (v.len() as f64, 0.0),
        None => (0.0, 0.0),
    };
    let p: Vec<f64> = match func {
        ScoreFunc::FClassif => scores.iter().map(|&f| f_sf(k - 1.0, n - k, f)).collect(),
        ScoreFunc::FRegression => scores
            .iter()
            .map(|&f| {
                if f == f64::MAX {
                    0.0
                } else if f == 0.0 {
                    1.0
                } else {
                    f_sf(1.0, n - 2.0, f)
                }
            })
            .collect(),
        ScoreFunc::Chi2 => scores.iter().map(|&c| chi2_sf((k - 1.0).max(1.0), c)).collect(),
        ScoreFunc::MutualInfoClassif | ScoreFunc::MutualInfoRegression => return vec![None; scores.len()],
    };
    finite_or_none(&p)
}

/// scikit-learn's `f_classif` (its `f_oneway`, on the classes present).
pub fn f_classif(cols: &[&[f64]], y: &[usize]) -> Vec<f64> {
    let n_cls = y.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![0usize; n_cls];
    for &c in y {
        counts[c] += 1;
    }
    let present: Vec<usize> = (0..n_cls).filter(|&c| counts[c] > 0).collect();
    let k = present.len();
    let n = y.len() as f64;
    let mut sums = vec![0.0; n_cls];
    let mut sq = vec![0.0; n_cls];
    cols.iter()
        .map(|col| {
            sums.iter_mut().for_each(|s| *s = 0.0);
            sq.iter_mut().for_each(|s| *s = 0.0);
            for (&v, &c) in col.iter().zip(y) {
                sums[c] += v;
                sq[c] += v * v;
            }
            let ss_alldata: f64 = present.iter().map(|&c| sq[c]).sum();
            let sum_all: f64 = present.iter().map(|&c| sums[c]).sum();
            let square_of_sums_alldata = sum_all * sum_all;
            let sstot = ss_alldata - square_of_sums_alldata / n;
            let mut ssbn = 0.0;
            for &c in &present {
                ssbn += sums[c] * sums[c] / counts[c] as f64;
            }
            ssbn -= square_of_sums_alldata / n;
            let sswn = sstot - ssbn;
            let msb = ssbn / (k as f64 - 1.0);
            let msw = sswn / (n - k as f64);
            msb / msw
        })
        .collect()
}

/// scikit-learn's `f_regression` (center=True, force_finite=True).
pub fn f_regression(cols: &[&[f64]], y: &[f64]) -> Vec<f64> {
    let n = y.len();
    let ym = y.iter().sum::<f64>() / n as f64;
    let yc: Vec<f64> = y.iter().map(|v| v - ym).collect();
    let ynorm = yc.iter().map(|v| v * v).sum::<f64>().sqrt();
    let dof = n as f64 - 2.0;
    cols.iter()
        .map(|col| {
            let mean = col.iter().sum::<f64>() / n as f64;
            let sq: f64 = col.iter().map(|v| v * v).sum();
            let xnorm = (sq - n as f64 * mean * mean).sqrt();
            let dot: f64 = yc.iter().zip(col.iter()).map(|(a, b)| a * b).sum();
            let r = dot / xnorm / ynorm;
            let r2 = r * r;
            let f = r2 / (1.0 - r2) * dof;
            if f.is_nan() {
                0.0
            } else if f.is_infinite() {
                f64::MAX
            } else {
                f
            }
        })
        .collect()
}

/// scikit-learn's `chi2`: Σ_classes (observed − expected)² / expected.
pub fn chi2(cols: &[&[f64]], y: &[usize]) -> Vec<f64> {
    let n_cls = y.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![0usize; n_cls];
    for &c in y {
        counts[c] += 1;
    }
    let present: Vec<usize> = (0..n_cls).filter(|&c| counts[c] > 0).collect();
    let n = y.len() as f64;
    // LabelBinarizer: one class gives one all-zero column; two classes give [1 − Y, Y].
    let class_prob: Vec<f64> = if present.len() == 1 { vec![0.0] } else { present.iter().map(|&c| counts[c] as f64 / n).collect() };
    let mut obs = vec![0.0; n_cls];
    cols.iter()
        .map(|col| {
            obs.iter_mut().for_each(|o| *o = 0.0);
            for (&v, &c) in col.iter().zip(y) {
                obs[c] += v;
            }
            let feature_count: f64 = col.iter().sum();
            let observed: Vec<f64> = if present.len() == 1 { vec![0.0] } else { present.iter().map(|&c| obs[c]).collect() };
            observed
                .iter()
                .zip(&class_prob)
                .map(|(&o, &p)| {
                    let e = p * feature_count;
                    let d = o - e;
                    d * d / e
                })
                .sum()
        })
        .collect()
}

/// The k-NN (3 neighbours) MI estimate between a continuous column and class
/// indices, on already scaled and jittered values (scikit-learn's `_compute_mi_cd`).
pub fn mi_continuous_discrete(c: &[f64], d: &[usize]) -> f64 {
    mi_cd(c, d, &digamma_table(c.len() + 1))
}

/// The k-NN (3 neighbours, Chebyshev) MI estimate between two continuous
/// columns, on already scaled and jittered values (scikit-learn's `_compute_mi_cc`).
pub fn mi_continuous_continuous(x: &[f64], y: &[f64]) -> f64 {
    if x.len() <= MI_NEIGHBORS || x.len() != y.len() {
        return f64::NAN;
    }
    mi_cc(x, y, &digamma_table(x.len() + 1))
}

enum MiTarget<'a> {
    Classes(&'a [usize]),
    Values(&'a [f64]),
}

const MI_NEIGHBORS: usize = 3;

/// digamma(m) for m = 1..=n: −γ + H(m − 1).
fn digamma_table(n: usize) -> Vec<f64> {
    const EULER: f64 = 0.577_215_664_901_532_9;
    let mut t = vec![f64::NAN; n + 1];
    let mut h = 0.0;
    for m in 1..=n {
        t[m] = -EULER + h;
        h += 1.0 / m as f64;
    }
    t
}

/// Standard normal draws (Box–Muller on the seeded generator).
fn normals(rng: &mut rand_chacha::ChaCha8Rng, n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
        let u2: f64 = rng.random::<f64>();
        let r = (-2.0 * u1.ln()).sqrt();
        let t = std::f64::consts::TAU * u2;
        out.push(r * t.cos());
        out.push(r * t.sin());
    }
    out.truncate(n);
    out
}

/// `scale(v, with_mean=False)` then `+= 1e-10 · max(1, mean|v|) · N(0, 1)`.
fn scale_and_jitter(v: &[f64], rng: &mut rand_chacha::ChaCha8Rng) -> Vec<f64> {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
    let sd = if sd < 10.0 * f64::EPSILON { 1.0 } else { sd };
    let mut s: Vec<f64> = v.iter().map(|x| x / sd).collect();
    let amp = 1e-10 * (s.iter().map(|x| x.abs()).sum::<f64>() / n).max(1.0);
    for (x, z) in s.iter_mut().zip(normals(rng, v.len())) {
        *x += amp * z;
    }
    s
}

/// Number of entries of sorted `s` within `r` of `c` (|s_j − c| ≤ r, as a radius query).
fn count_within(s: &[f64], c: f64, r: f64) -> usize {
    let lo = s.partition_point(|&v| v < c && c - v > r);
    let hi = s.partition_point(|&v| v < c || v - c <= r);
    hi - lo
}

/// Distance to the k-th nearest other point of sorted `s` from position `i` (1-D).
fn kth_distance_sorted(s: &[f64], i: usize, k: usize) -> f64 {
    let (mut l, mut r) = (i as isize - 1, i + 1);
    let mut d = 0.0;
    for _ in 0..k {
        let dl = if l >= 0 { s[i] - s[l as usize] } else { f64::INFINITY };
        let dr = if r < s.len() { s[r] - s[i] } else { f64::INFINITY };
        if dl <= dr {
            d = dl;
            l -= 1;
        } else {
            d = dr;
            r += 1;
        }
    }
    d
}

/// MI between a continuous `c` and discrete `d` (scikit-learn's `_compute_mi_cd`).
fn mi_cd(c: &[f64], d: &[usize], psi: &[f64]) -> f64 {
    let n_cls = d.iter().max().map_or(0, |m| m + 1);
    let mut by_class: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n_cls];
    for (i, (&v, &k)) in c.iter().zip(d).enumerate() {
        by_class[k].push((v, i));
    }
    let n = c.len();
    let mut radius = vec![0.0; n];
    let mut k_all = vec![0usize; n];
    let mut label_counts = vec![0usize; n];
    for members in by_class.iter_mut().filter(|m| !m.is_empty()) {
        crate::sorting::sort_by(members, &|a, b| a.0.total_cmp(&b.0));
        let count = members.len();
        let vals: Vec<f64> = members.iter().map(|m| m.0).collect();
        for (pos, &(_, i)) in members.iter().enumerate() {
            label_counts[i] = count;
            if count > 1 {
                let k = MI_NEIGHBORS.min(count - 1);
                radius[i] = next_toward_zero(kth_distance_sorted(&vals, pos, k));
                k_all[i] = k;
            }
        }
    }
    let kept: Vec<usize> = (0..n).filter(|&i| label_counts[i] > 1).collect();
    let m = kept.len();
    if m == 0 {
        return 0.0;
    }
    let mut sorted: Vec<f64> = kept.iter().map(|&i| c[i]).collect();
    crate::sorting::sort_f64(&mut sorted);
    let mut sum_k = 0.0;
    let mut sum_l = 0.0;
    let mut sum_m = 0.0;
    for &i in &kept {
        sum_k += psi[k_all[i]];
        sum_l += psi[label_counts[i]];
        sum_m += psi[count_within(&sorted, c[i], radius[i])];
    }
    let mf = m as f64;
    (psi[m] + sum_k / mf - sum_l / mf - sum_m / mf).max(0.0)
}

/// `np.nextafter(r, 0)`.
fn next_toward_zero(r: f64) -> f64 {
    if r > 0.0 && r.is_finite() {
        f64::from_bits(r.to_bits() - 1)
    } else {
        r
    }
}

/// MI between two continuous variables (scikit-learn's `_compute_mi_cc`, Chebyshev metric).
fn mi_cc(x: &[f64], y: &[f64], psi: &[f64]) -> f64 {
    let n = x.len();
    let k = MI_NEIGHBORS;
    let mut order: Vec<usize> = (0..n).collect();
    crate::sorting::sort_indices_by(&mut order, &|a, b| x[a].total_cmp(&x[b]));
    let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
    let ys_by_x: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let mut ysorted = y.to_vec();
    crate::sorting::sort_f64(&mut ysorted);
    let mut best = [f64::INFINITY; MI_NEIGHBORS];
    let mut sum_nx = 0.0;
    let mut sum_ny = 0.0;
    for pos in 0..n {
        best.iter_mut().for_each(|b| *b = f64::INFINITY);
        let (xi, yi) = (xs[pos], ys_by_x[pos]);
        let consider = |j: usize, best: &mut [f64; MI_NEIGHBORS]| {
            let d = (xs[j] - xi).abs().max((ys_by_x[j] - yi).abs());
            if d < best[k - 1] {
                let mut t = k - 1;
                while t > 0 && best[t - 1] > d {
                    best[t] = best[t - 1];
                    t -= 1;
                }
                best[t] = d;
            }
        };
        let mut j = pos;
        while j > 0 {
            j -= 1;
            if xi - xs[j] > best[k - 1] {
                break;
            }
            consider(j, &mut best);
        }
        for j in pos + 1..n {
            if xs[j] - xi > best[k - 1] {
                break;
            }
            consider(j, &mut best);
        }
        let r = next_toward_zero(best[k - 1]);
        sum_nx += psi[count_within(&xs, xi, r)];
        sum_ny += psi[count_within(&ysorted, yi, r)];
    }
    let nf = n as f64;
    (psi[n] + psi[k] - sum_nx / nf - sum_ny / nf).max(0.0)
}

fn mutual_info(step: &str, cols: &[&[f64]], y: MiTarget, seed: u64) -> Result<Vec<f64>> {
    let n = cols.first().map_or(0, |c| c.len());
    if n <= MI_NEIGHBORS {
        return Err(Error::data(format!(
            "{step}: mutual information needs more than {MI_NEIGHBORS} rows (it uses {MI_NEIGHBORS} nearest neighbours); got {n}"
        )));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let xs: Vec<Vec<f64>> = cols.iter().map(|c| scale_and_jitter(c, &mut rng)).collect();
    let psi = digamma_table(n + 1);
    Ok(match y {
        MiTarget::Classes(d) => xs.iter().map(|c| mi_cd(c, d, &psi)).collect(),
        MiTarget::Values(v) => {
            let yv = scale_and_jitter(v, &mut rng);
            xs.iter().map(|c| mi_cc(c, &yv, &psi)).collect()
        }
    })
}

/// scikit-learn's `_clean_nans`: NaN scores rank lowest.
fn clean(scores: &[f64]) -> Vec<f64> {
    scores.iter().map(|&s| if s.is_nan() { f64::MIN } else { s }).collect()
}

// ---------------------------------------------------------------- SelectKBest

/// `k`: a count or "all".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KParam {
    Count(usize),
    Word(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SelectKBestParams {
    pub score_func: ScoreFunc,
    pub k: KParam,
    /// Seed of the mutual-information jitter (pipeline seed when absent).
    pub random_state: Option<u64>,
}

impl Default for SelectKBestParams {
    fn default() -> Self {
        SelectKBestParams { score_func: ScoreFunc::FClassif, k: KParam::Count(10), random_state: None }
    }
}

/// A fitted univariate selector (SelectKBest and SelectPercentile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnivariateSelection {
    pub input_names: Vec<String>,
    pub score_func: ScoreFunc,
    /// `scores_` per input column (null where undefined, e.g. a constant column).
    pub scores: Vec<Option<f64>>,
    /// `pvalues_` of the F / χ² tests (null for mutual information and where undefined).
    pub pvalues: Vec<Option<f64>>,
    pub keep: Vec<usize>,
}

impl StepParams for SelectKBestParams {
    type Fitted = UnivariateSelection;

    fn fit(&self, x: &Frame, y: Option<&Target>, ctx: &FitContext) -> Result<UnivariateSelection> {
        const NAME: &str = "SelectKBest";
        check_fit_rows(NAME, x)?;
        let p = x.n_cols();
        let k = match &self.k {
            KParam::Count(k) => *k,
            KParam::Word(w) if w == "all" => p,
            KParam::Word(w) => return Err(Error::param(NAME, "k", format!("is {w:?}; give a number of columns or \"all\""))),
        };
        if k == 0 {
            return Err(Error::param(NAME, "k", "must be at least 1"));
        }
        let scores = univariate_scores(NAME, self.score_func, x, y, ctx.seed_for(self.random_state))?;
        if k > p {
            ctx.warn(format!("SelectKBest: k={k} is more than the {p} input columns; all columns are kept"));
        }
        let cleaned = clean(&scores);
        let mut order: Vec<usize> = (0..p).collect();
        crate::sorting::sort_indices_by(&mut order, &|a, b| cleaned[a].total_cmp(&cleaned[b]));
        let mut keep: Vec<usize> = order[p - k.min(p)..].to_vec();
        crate::sorting::sort_usize(&mut keep);
        Ok(UnivariateSelection {
            input_names: x.names(),
            score_func: self.score_func,
            pvalues: univariate_pvalues(self.score_func, &scores, y),
            scores: finite_or_none(&scores),
            keep,
        })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("score_func", "choice", json!("f_classif"), "How each column is scored against the target.").choices(SCORE_CHOICES),
            ParamInfo::new("k", "int", json!(10), "Number of best-scoring columns to keep (or \"all\").").range(Some(1.0), None),
            ParamInfo::new("random_state", "int_or_null", json!(null), "Seed for the mutual-information estimators (pipeline seed when empty)."),
        ]
    }
    fn help() -> &'static str {
        "Keep the k columns that score best against the target."
    }
}

impl FittedTransform for UnivariateSelection {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        select_columns("univariate selection", &self.input_names, &self.keep, x)
    }
    fn validate(&self) -> Result<()> {
        if self.scores.len() != self.input_names.len() || self.pvalues.len() != self.input_names.len() {
            return Err(Error::ModelFile("univariate selection: one score per input column expected".into()));
        }
        validate_keep("univariate selection", &self.input_names, &self.keep)
    }
}

// ---------------------------------------------------------------- SelectPercentile

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SelectPercentileParams {
    pub score_func: ScoreFunc,
    pub percentile: f64,
    pub random_state: Option<u64>,
}

impl Default for SelectPercentileParams {
    fn default() -> Self {
        SelectPercentileParams { score_func: ScoreFunc::FClassif, percentile: 10.0, random_state: None }
    }
}

impl StepParams for SelectPercentileParams {
    type Fitted = UnivariateSelection;

    fn fit(&self, x: &Frame, y: Option<&Target>, ctx: &FitContext) -> Result<UnivariateSelection> {
        const NAME: &str = "SelectPercentile";
        check_fit_rows(NAME, x)?;
        if !(0.0..=100.0).contains(&self.percentile) {
            return Err(Error::param(NAME, "percentile", format!("is {}; it must be between 0 and 100", self.percentile)));
        }
        let scores = univariate_scores(NAME, self.score_func, x, y, ctx.seed_for(self.random_state))?;
        let p = scores.len();
        let keep: Vec<usize> = if self.percentile == 100.0 {
            (0..p).collect()
        } else if self.percentile == 0.0 {
            Vec::new()
        } else {
            let s = clean(&scores);
            let threshold = percentile(&s, 100.0 - self.percentile);
            let mut mask: Vec<bool> = s.iter().map(|&v| v > threshold).collect();
            let ties: Vec<usize> = (0..p).filter(|&j| s[j] == threshold).collect();
            if !ties.is_empty() {
                let max_feats = (p as f64 * self.percentile / 100.0) as i64;
                let t = max_feats - mask.iter().filter(|&&m| m).count() as i64;
                // Python slicing ties[:t].
                let upto = if t >= 0 { (t as usize).min(ties.len()) } else { (ties.len() as i64 + t).max(0) as usize };
                for &j in &ties[..upto] {
                    mask[j] = true;
                }
            }
            (0..p).filter(|&j| mask[j]).collect()
        };
        if keep.is_empty() {
            return Err(Error::param(NAME, "percentile", format!("={} keeps no column of {p}; raise it", self.percentile)));
        }
        Ok(UnivariateSelection {
            input_names: x.names(),
            score_func: self.score_func,
            pvalues: univariate_pvalues(self.score_func, &scores, y),
            scores: finite_or_none(&scores),
            keep,
        })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("score_func", "choice", json!("f_classif"), "How each column is scored against the target.").choices(SCORE_CHOICES),
            ParamInfo::new("percentile", "float", json!(10.0), "Percent of the columns to keep (best scores first).").range(Some(0.0), Some(100.0)),
            ParamInfo::new("random_state", "int_or_null", json!(null), "Seed for the mutual-information estimators (pipeline seed when empty)."),
        ]
    }
    fn help() -> &'static str {
        "Keep the given percentage of columns that score best against the target."
    }
}

// ---------------------------------------------------------------- SelectFromModel

/// `threshold`: a number, or "mean", "median", "1.25*mean".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Threshold {
    Value(f64),
    Rule(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SelectFromModelParams {
    /// The model whose importances decide, as a spec: `{"LogisticRegression": {}}`.
    pub estimator: Box<ModelSpec>,
    /// Default: "mean" (1e-5 for Lasso models, as scikit-learn).
    pub threshold: Option<Threshold>,
    pub max_features: Option<usize>,
}

impl Default for SelectFromModelParams {
    fn default() -> Self {
        SelectFromModelParams { estimator: Box::new(ModelSpec::LogisticRegression(Default::default())), threshold: None, max_features: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectFromModel {
    pub input_names: Vec<String>,
    pub estimator: String,
    pub importances: Vec<f64>,
    pub threshold: f64,
    pub keep: Vec<usize>,
}

fn resolve_threshold(t: &Threshold, imp: &[f64]) -> Result<f64> {
    const NAME: &str = "SelectFromModel";
    let mean = imp.iter().sum::<f64>() / imp.len() as f64;
    let reference = |r: &str| -> Result<f64> {
        match r.trim() {
            "mean" => Ok(mean),
            "median" => Ok(percentile(imp, 50.0)),
            other => Err(Error::param(NAME, "threshold", format!("has the unknown reference {other:?}; use \"mean\" or \"median\""))),
        }
    };
    match t {
        Threshold::Value(v) if v.is_finite() => Ok(*v),
        Threshold::Value(v) => Err(Error::param(NAME, "threshold", format!("must be finite, got {v}"))),
        Threshold::Rule(s) => match s.split_once('*') {
            Some((scale, r)) => {
                let scale: f64 = scale.trim().parse().map_err(|_| Error::param(NAME, "threshold", format!("{s:?}: the factor before '*' is not a number")))?;
                Ok(scale * reference(r)?)
            }
            None => reference(s),
        },
    }
}

impl StepParams for SelectFromModelParams {
    type Fitted = SelectFromModel;

    fn fit(&self, x: &Frame, y: Option<&Target>, ctx: &FitContext) -> Result<SelectFromModel> {
        const NAME: &str = "SelectFromModel";
        check_fit_rows(NAME, x)?;
        let cols = finite_columns(NAME, x)?;
        let (n, p) = (x.n_rows, cols.len());
        if p == 0 {
            return Err(Error::data(format!("{NAME}: no input columns")));
        }
        if let Some(m) = self.max_features {
            if m > p {
                return Err(Error::param(NAME, "max_features", format!("is {m} but there are only {p} input columns")));
            }
        }
        let mut xm = ndarray::Array2::<f64>::zeros((n, p));
        for (j, c) in cols.iter().enumerate() {
            for (i, &v) in c.iter().enumerate() {
                xm[[i, j]] = v;
            }
        }
        let model = self.estimator.fit(&xm, y, ctx)?;
        let importances = model.importances().map(|i| i.values).ok_or_else(|| {
            Error::param(NAME, "estimator", format!("{} exposes no coefficients or feature importances; pick a linear or tree model", model.name()))
        })?;
        if importances.len() != p || importances.iter().any(|v| !v.is_finite()) {
            return Err(Error::Numerical(format!("{NAME}: {} gave {} importances for {p} columns (or non-finite ones)", model.name(), importances.len())));
        }
        let threshold = match &self.threshold {
            Some(t) => resolve_threshold(t, &importances)?,
            None if self.estimator.name().contains("Lasso") => 1e-5,
            None => resolve_threshold(&Threshold::Rule("mean".into()), &importances)?,
        };
        let mut mask = vec![true; p];
        if let Some(m) = self.max_features {
            // argsort(-scores, kind="mergesort")[:max_features]
            let mut order: Vec<usize> = (0..p).collect();
            crate::sorting::sort_indices_by(&mut order, &|a, b| importances[b].total_cmp(&importances[a]));
            mask = vec![false; p];
            for &j in &order[..m] {
                mask[j] = true;
            }
        }
        let keep: Vec<usize> = (0..p).filter(|&j| mask[j] && importances[j] >= threshold).collect();
        if keep.is_empty() {
            return Err(Error::param(
                NAME,
                "threshold",
                format!("={threshold:.4} keeps no column (largest importance {:.4}); lower it", importances.iter().fold(0.0f64, |a, &b| a.max(b))),
            ));
        }
        Ok(SelectFromModel { input_names: x.names(), estimator: model.name().to_string(), importances, threshold, keep })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new(
                "estimator",
                "model",
                json!({"LogisticRegression": {}}),
                "The model whose coefficients (|coef|, summed over classes) or importances rank the columns.",
            ),
            ParamInfo::new(
                "threshold",
                "string",
                json!(null),
                "Keep columns with importance ≥ this: a number, \"mean\", \"median\" or e.g. \"1.25*mean\" (default mean).",
            ),
            ParamInfo::new("max_features", "int_or_null", json!(null), "Keep at most this many columns (the most important).").range(Some(1.0), None),
        ]
    }
    fn help() -> &'static str {
        "Keep the columns a model finds important (large |coefficient| or importance)."
    }
}

impl FittedTransform for SelectFromModel {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        select_columns("SelectFromModel", &self.input_names, &self.keep, x)
    }
    fn validate(&self) -> Result<()> {
        if self.importances.len() != self.input_names.len() || !self.threshold.is_finite() {
            return Err(Error::ModelFile("SelectFromModel: one importance per input column and a finite threshold expected".into()));
        }
        validate_keep("SelectFromModel", &self.input_names, &self.keep)
    }
}

// ---------------------------------------------------------------- CorrelationFilter

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorrelationFilterParams {
    /// Drop a column when |Pearson r| with an earlier kept column exceeds this.
    pub threshold: f64,
}

impl Default for CorrelationFilterParams {
    fn default() -> Self {
        CorrelationFilterParams { threshold: 0.95 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DroppedColumn {
    pub column: String,
    /// The earlier column it duplicates.
    pub correlated_with: String,
    pub correlation: f64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationFilter {
    pub input_names: Vec<String>,
    pub keep: Vec<usize>,
    pub dropped: Vec<DroppedColumn>,
}

impl StepParams for CorrelationFilterParams {
    type Fitted = CorrelationFilter;

    fn fit(&self, x: &Frame, _y: Option<&Target>, ctx: &FitContext) -> Result<CorrelationFilter> {
        const NAME: &str = "CorrelationFilter";
        check_fit_rows(NAME, x)?;
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::param(NAME, "threshold", format!("is {}; it must be in (0, 1]", self.threshold)));
        }
        let cols = finite_columns(NAME, x)?;
        if cols.is_empty() {
            return Err(Error::data(format!("{NAME}: no input columns")));
        }
        let n = x.n_rows as f64;
        // Centred columns scaled to unit norm (None for constant columns: r undefined).
        let unit: Vec<Option<Vec<f64>>> = cols
            .iter()
            .map(|c| {
                let m = c.iter().sum::<f64>() / n;
                let d: Vec<f64> = c.iter().map(|v| v - m).collect();
                let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
                (norm > 0.0 && norm.is_finite()).then(|| d.iter().map(|v| v / norm).collect())
            })
            .collect();
        let mut keep: Vec<usize> = Vec::new();
        let mut dropped = Vec::new();
        for j in 0..cols.len() {
            let mut hit = None;
            if let Some(uj) = &unit[j] {
                for &i in &keep {
                    if let Some(ui) = &unit[i] {
                        let r: f64 = ui.iter().zip(uj).map(|(a, b)| a * b).sum::<f64>().clamp(-1.0, 1.0);
                        if r.abs() > self.threshold {
                            hit = Some((i, r));
                            break;
                        }
                    }
                }
            }
            match hit {
                None => keep.push(j),
                Some((i, r)) => {
                    let (a, b) = (&x.cols[j].name, &x.cols[i].name);
                    let reason =
                        format!("CorrelationFilter dropped '{a}': its Pearson correlation with the earlier column '{b}' is {r:.4} (|r| > {})", self.threshold);
                    ctx.warn(reason.clone());
                    dropped.push(DroppedColumn { column: a.clone(), correlated_with: b.clone(), correlation: r, reason });
                }
            }
        }
        Ok(CorrelationFilter { input_names: x.names(), keep, dropped })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![ParamInfo::new("threshold", "float", json!(0.95), "Drop the later column of each pair whose |Pearson correlation| is above this.")
            .range(Some(0.0), Some(1.0))]
    }
    fn help() -> &'static str {
        "Drop near-duplicate columns: the later of each highly correlated pair (says which and why)."
    }
}

impl FittedTransform for CorrelationFilter {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        select_columns("CorrelationFilter", &self.input_names, &self.keep, x)
    }
    fn validate(&self) -> Result<()> {
        validate_keep("CorrelationFilter", &self.input_names, &self.keep)
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
    fn percentile_matches_numpy() {
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
        assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 90.0), 3.7);
        assert_eq!(percentile(&[5.0], 30.0), 5.0);
    }

    #[test]
    fn variance_threshold_drops_constant() {
        let f = frame(&[&[1.0, 1.0, 1.0], &[1.0, 2.0, f64::NAN], &[0.1, 0.1, 0.1]]);
        let v = VarianceThresholdParams::default().fit(&f, None, &FitContext::default()).unwrap();
        assert_eq!(v.keep, [1]);
        assert_eq!(v.transform(&f).unwrap().names(), ["x1"]);
    }

    #[test]
    fn correlation_filter_names_both_columns() {
        let f = frame(&[&[1.0, 2.0, 3.0, 4.0], &[2.0, 1.0, 4.0, 3.0], &[2.0, 4.1, 6.0, 8.0]]);
        let ctx = FitContext::default();
        let c = CorrelationFilterParams::default().fit(&f, None, &ctx).unwrap();
        assert_eq!(c.keep, [0, 1]);
        assert_eq!(c.dropped[0].column, "x2");
        assert_eq!(c.dropped[0].correlated_with, "x0");
        let w = ctx.take_warnings();
        assert!(w[0].contains("'x2'") && w[0].contains("'x0'") && w[0].contains("0.99"), "{w:?}");
    }

    #[test]
    fn mi_detects_dependence_and_is_seeded() {
        let x: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64).collect();
        let noise: Vec<f64> = (0..200).map(|i| ((i * 53) % 97) as f64).collect();
        let y = Target::Values(x.iter().map(|v| v * v).collect());
        let f = frame(&[&x, &noise]);
        let s1 = univariate_scores("t", ScoreFunc::MutualInfoRegression, &f, Some(&y), 3).unwrap();
        let s2 = univariate_scores("t", ScoreFunc::MutualInfoRegression, &f, Some(&y), 3).unwrap();
        assert_eq!(s1, s2);
        assert!(s1[0] > 1.5 && s1[0] > s1[1] + 1.0, "{s1:?}");
    }

    #[test]
    fn supervised_steps_need_the_right_target() {
        let f = frame(&[&[1.0, 2.0, 3.0, 4.0, 5.0]]);
        let err = SelectKBestParams::default().fit(&f, None, &FitContext::default()).unwrap_err();
        assert!(err.to_string().contains("target"), "{err}");
        let err = SelectKBestParams::default().fit(&f, Some(&Target::Values(vec![1.0; 5])), &FitContext::default()).unwrap_err();
        assert!(err.to_string().contains("class target"), "{err}");
    }
}
