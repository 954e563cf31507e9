//! Histogram-based gradient boosting, as scikit-learn's
//! `HistGradientBoostingRegressor` / `HistGradientBoostingClassifier`:
//!
//! - Features are binned once: up to `max_bins` (≤ 255) bins per feature with
//!   thresholds at midpoints of distinct values, or at "midpoint" percentiles
//!   when there are more distinct values; missing values get their own bin.
//! - Each iteration grows one tree per raw score (1, or K for K > 2 classes)
//!   leaf-wise (best gain first) up to `max_leaf_nodes`, from gradient/hessian
//!   histograms; a child's histogram is the parent's minus its sibling's.
//! - Split gain `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`; missing values are
//!   tried on both sides and the better side is remembered (at predict, a feature
//!   that had no missing values at fit sends them to the child with more samples).
//! - Leaf value `−learning_rate · G/(H+λ)`.
//! - `early_stopping="auto"` turns on above 10,000 rows: 10 % of the rows
//!   (stratified for classifiers) are held out and training stops when the
//!   validation loss has not improved by `tol` for `n_iter_no_change` iterations.
//!
//! Not implemented: native categorical features (one-hot them in `preprocess`),
//! monotonic/interaction constraints, class weights, scorers other than the loss.

use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::boosting::boosted_classes;
use super::check_n_features;
use super::hist_kernels::{hist_all_rows, hist_rows, partition, subtract, Bin, NB};
use super::tree::{normalized, Tree};
use crate::estimator::class_target;
use crate::estimator::{FitContext, FittedModel, ImportanceKind, Importances, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::numeric::{rows_of, sigmoid, softmax};
use crate::{Error, Result};

const MISSING_BIN: u8 = 255;
const MIN_HESSIAN_TO_SPLIT: f64 = 1e-3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HistRegLoss {
    #[default]
    SquaredError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HistClassLoss {
    #[default]
    LogLoss,
}

/// `early_stopping`: `"auto"` (on above 10,000 rows), `true` or `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EarlyStopping {
    Bool(bool),
    Auto(AutoTag),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AutoTag {
    Auto,
}

impl Default for EarlyStopping {
    fn default() -> Self {
        EarlyStopping::Auto(AutoTag::Auto)
    }
}

macro_rules! hgb_params {
    ($name:ident, $loss:ty) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            pub loss: $loss,
            pub learning_rate: f64,
            pub max_iter: usize,
            pub max_leaf_nodes: Option<usize>,
            pub max_depth: Option<usize>,
            pub min_samples_leaf: usize,
            pub l2_regularization: f64,
            pub max_bins: usize,
            pub early_stopping: EarlyStopping,
            pub validation_fraction: f64,
            pub n_iter_no_change: usize,
            pub tol: f64,
            pub random_state: Option<u64>,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    loss: Default::default(),
                    learning_rate: 0.1,
                    max_iter: 100,
                    max_leaf_nodes: Some(31),
                    max_depth: None,
                    min_samples_leaf: 20,
                    l2_regularization: 0.0,
                    max_bins: 255,
                    early_stopping: EarlyStopping::default(),
                    validation_fraction: 0.1,
                    n_iter_no_change: 10,
                    tol: 1e-7,
                    random_state: None,
                }
            }
        }

        impl $name {
            fn settings(&self, model: &str, n: usize) -> Result<Settings> {
                if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
                    return Err(Error::param(model, "learning_rate", format!("must be a positive number, got {}", self.learning_rate)));
                }
                if self.max_iter == 0 || self.max_iter > 100_000 {
                    return Err(Error::param(model, "max_iter", format!("must be between 1 and 100000, got {}", self.max_iter)));
                }
                if self.max_leaf_nodes.is_some_and(|m| m < 2) {
                    return Err(Error::param(model, "max_leaf_nodes", "must be at least 2 (or null)"));
                }
                if self.max_depth == Some(0) {
                    return Err(Error::param(model, "max_depth", "must be at least 1 (or null)"));
                }
                if self.min_samples_leaf == 0 {
                    return Err(Error::param(model, "min_samples_leaf", "must be at least 1"));
                }
                if !(self.l2_regularization >= 0.0 && self.l2_regularization.is_finite()) {
                    return Err(Error::param(model, "l2_regularization", "must be a non-negative number"));
                }
                if !(2..=255).contains(&self.max_bins) {
                    return Err(Error::param(model, "max_bins", format!("must be between 2 and 255, got {}", self.max_bins)));
                }
                if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
                    return Err(Error::param(model, "validation_fraction", "must be in (0, 1)"));
                }
                if self.n_iter_no_change == 0 {
                    return Err(Error::param(model, "n_iter_no_change", "must be at least 1"));
                }
                let early = match self.early_stopping {
                    EarlyStopping::Bool(b) => b,
                    EarlyStopping::Auto(_) => n > 10_000,
                };
                Ok(Settings {
                    lr: self.learning_rate,
                    max_iter: self.max_iter,
                    max_leaf_nodes: self.max_leaf_nodes.unwrap_or(usize::MAX),
                    max_depth: self.max_depth.unwrap_or(usize::MAX),
                    min_samples_leaf: self.min_samples_leaf,
                    l2: self.l2_regularization,
                    max_bins: self.max_bins,
                    early,
                    validation_fraction: self.validation_fraction,
                    n_iter_no_change: self.n_iter_no_change,
                    tol: self.tol,
                })
            }
        }
    };
}

hgb_params!(HistGradientBoostingRegressorParams, HistRegLoss);
hgb_params!(HistGradientBoostingClassifierParams, HistClassLoss);

struct Settings {
    lr: f64,
    max_iter: usize,
    max_leaf_nodes: usize,
    max_depth: usize,
    min_samples_leaf: usize,
    l2: f64,
    max_bins: usize,
    early: bool,
    validation_fraction: f64,
    n_iter_no_change: usize,
    tol: f64,
}

fn hgb_schema(classifier: bool) -> Vec<ParamInfo> {
    let loss = if classifier {
        ParamInfo::new("loss", "choice", json!("log_loss"), "Loss to minimize.").choices(&["log_loss"])
    } else {
        ParamInfo::new("loss", "choice", json!("squared_error"), "Loss to minimize.").choices(&["squared_error"])
    };
    vec![
        loss,
        ParamInfo::new("learning_rate", "float", json!(0.1), "Shrinks each tree's contribution.").range(Some(1e-6), Some(10.0)),
        ParamInfo::new("max_iter", "int", json!(100), "Maximum number of boosting iterations.").range(Some(1.0), Some(100000.0)),
        ParamInfo::new("max_leaf_nodes", "int_or_null", json!(31), "Maximum leaves per tree (trees grow best-leaf-first).").range(Some(2.0), None),
        ParamInfo::new("max_depth", "int_or_null", json!(null), "Maximum depth of each tree; null for no limit.").range(Some(1.0), None),
        ParamInfo::new("min_samples_leaf", "int", json!(20), "Every leaf keeps at least this many samples.").range(Some(1.0), None),
        ParamInfo::new("l2_regularization", "float", json!(0.0), "L2 penalty on leaf values.").range(Some(0.0), None),
        ParamInfo::new("max_bins", "int", json!(255), "Bins per feature for non-missing values (missing values get one more).").range(Some(2.0), Some(255.0)),
        ParamInfo::new(
            "early_stopping",
            "string",
            json!("auto"),
            "\"auto\" (on above 10,000 rows), true or false: stop when the held-out loss stops improving.",
        ),
        ParamInfo::new("validation_fraction", "float", json!(0.1), "Share of rows held out for early stopping.").range(Some(0.01), Some(0.99)),
        ParamInfo::new("n_iter_no_change", "int", json!(10), "Iterations without improvement before stopping.").range(Some(1.0), None),
        ParamInfo::new("tol", "float", json!(1e-7), "Minimum improvement of the held-out loss.").range(Some(0.0), None),
        ParamInfo::new("random_state", "int_or_null", json!(null), "Seed for the early-stopping split; null uses the pipeline seed."),
    ]
}

// ---------------------------------------------------------------------------
// Binning
// ---------------------------------------------------------------------------

/// Bin thresholds of one column (scikit-learn 1.9's `_find_binning_thresholds`):
/// midpoints of distinct values, or `averaged_inverted_cdf` percentiles when there
/// are more than `max_bins` distinct values (duplicates removed).
fn bin_thresholds(col: &mut Vec<f64>, max_bins: usize) -> Vec<f64> {
    col.retain(|v| !v.is_nan());
    // The radix sort from 2,048 values (the same bits as any sort by total order).
    crate::sorting::sort_f64(col);
    let mut distinct = col.clone();
    distinct.dedup();
    if distinct.len() <= 1 {
        return Vec::new();
    }
    let mut t: Vec<f64> = if distinct.len() <= max_bins {
        distinct.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect()
    } else {
        let n = col.len();
        let step = 100.0 / max_bins as f64;
        (1..max_bins)
            .map(|k| {
                let q = (k as f64 * step) / 100.0;
                let vi = n as f64 * q - 1.0;
                let prev = vi.floor();
                let (lo, hi) = ((prev.max(0.0) as usize).min(n - 1), ((prev + 1.0).max(0.0) as usize).min(n - 1));
                if vi - prev == 0.0 {
                    0.5 * (col[lo] + col[hi])
                } else {
                    col[hi]
                }
            })
            .collect()
    };
    t.dedup();
    t
}

struct Binned {
    /// Feature-major bin codes (`codes[f * n + r]`).
    codes: Vec<u8>,
    n: usize,
    thresholds: Vec<Vec<f64>>,
    has_missing: Vec<bool>,
}

/// Bins the features of `rows` (`None`: every row, in order) read from their columns:
/// no row-major copy of the training rows (100,000 × 20: 16 MB).
fn bin_data(cols: &[&[f64]], rows: Option<&[usize]>, max_bins: usize) -> Binned {
    let p = cols.len();
    let n = rows.map_or_else(|| cols.first().map_or(0, |c| c.len()), <[usize]>::len);
    let mut codes = vec![0u8; n * p];
    let mut thresholds = Vec::with_capacity(p);
    let mut has_missing = Vec::with_capacity(p);
    let mut buf = Vec::with_capacity(n);
    for (j, col) in cols.iter().enumerate() {
        buf.clear();
        match rows {
            None => buf.extend_from_slice(col),
            Some(r) => buf.extend(r.iter().map(|&i| col[i])),
        }
        let t = bin_thresholds(&mut buf, max_bins);
        let mut miss = false;
        for i in 0..n {
            let v = match rows {
                None => col[i],
                Some(r) => col[r[i]],
            };
            let c = if v.is_nan() {
                miss = true;
                MISSING_BIN
            } else {
                t.partition_point(|&th| th < v) as u8
            };
            codes[j * n + i] = c;
        }
        thresholds.push(t);
        has_missing.push(miss);
    }
    Binned { codes, n, thresholds, has_missing }
}

// ---------------------------------------------------------------------------
// Tree growing
// ---------------------------------------------------------------------------

struct Split {
    gain: f64,
    feature: usize,
    bin: usize,
    missing_left: bool,
    left: Bin,
}

struct Leaf {
    start: usize,
    end: usize,
    depth: usize,
    node: usize,
    total: Bin,
    /// The leaf's histogram while it may still be split (empty otherwise).
    hist: Vec<Bin>,
    split: Option<Split>,
}

/// Buffers reused by every tree of a fit: histograms (`p * NB` bins each) no
/// longer needed, and the right-hand rows of a partition.
#[derive(Default)]
struct Scratch {
    pool: Vec<Vec<Bin>>,
    right: Vec<u32>,
    /// (gradient, hessian) of a node's rows in sample order.
    ordered: Vec<[f64; 2]>,
}

impl Scratch {
    /// A histogram of `len` bins, recycled when possible: its bins hold whatever they
    /// held (the kernels overwrite every bin; zeroing 5,120 bins per node was 6.5 % of a fit).
    fn hist(&mut self, len: usize) -> Vec<Bin> {
        match self.pool.pop() {
            Some(mut h) => {
                h.resize(len, Bin::default());
                h.truncate(len);
                h
            }
            None => vec![Bin::default(); len],
        }
    }
    fn give_back(&mut self, h: Vec<Bin>) {
        if h.capacity() > 0 {
            self.pool.push(h);
        }
    }
}

struct Grower<'a> {
    b: &'a Binned,
    /// (gradient, hessian) per training row.
    gh: &'a [[f64; 2]],
    s: &'a Settings,
    p: usize,
}

#[inline]
fn neg_loss(g: f64, h: f64, l2: f64) -> f64 {
    g * g / (h + l2)
}

impl Grower<'_> {
    /// Histogram of the rows `samples`; `all_rows` says they are `0..n` in order.
    fn histogram(&self, samples: &[u32], all_rows: bool, scratch: &mut Scratch) -> Vec<Bin> {
        let mut hist = scratch.hist(self.p * NB);
        if all_rows {
            hist_all_rows(&self.b.codes, self.b.n, self.gh, &mut hist);
        } else {
            hist_rows(&self.b.codes, self.b.n, samples, self.gh, &mut scratch.ordered, &mut hist);
        }
        hist
    }

    /// Whether `best_split` can find a split for a node (without its histogram).
    fn may_split(&self, total: Bin, depth: usize) -> bool {
        let s = self.s;
        !(depth >= s.max_depth || (total.c as usize) < 2 * s.min_samples_leaf || total.h < MIN_HESSIAN_TO_SPLIT)
    }

    fn best_split(&self, hist: &[Bin], total: Bin, depth: usize) -> Option<Split> {
        let s = self.s;
        if depth >= s.max_depth || (total.c as usize) < 2 * s.min_samples_leaf || total.h < MIN_HESSIAN_TO_SPLIT {
            return None;
        }
        let parent = neg_loss(total.g, total.h, s.l2);
        let mut best: Option<Split> = None;
        let msl = s.min_samples_leaf as u32;
        for f in 0..self.p {
            let h = &hist[f * NB..(f + 1) * NB];
            let nb = self.b.thresholds[f].len() + 1;
            let miss = h[MISSING_BIN as usize];
            let has_missing = self.b.has_missing[f];
            let consider = |left: Bin, bin: usize, missing_left: bool, best: &mut Option<Split>| {
                let right = Bin { g: total.g - left.g, h: total.h - left.h, c: total.c - left.c };
                if left.c < msl || right.c < msl || left.h < MIN_HESSIAN_TO_SPLIT || right.h < MIN_HESSIAN_TO_SPLIT {
                    return;
                }
                let gain = neg_loss(left.g, left.h, s.l2) + neg_loss(right.g, right.h, s.l2) - parent;
                if gain > 0.0 && best.as_ref().is_none_or(|b| gain > b.gain) {
                    *best = Some(Split { gain, feature: f, bin, missing_left, left });
                }
            };
            // Missing values to the right; with missing values also "all non-missing left".
            let end = if has_missing { nb } else { nb - 1 };
            let mut acc = Bin::default();
            for (bin, hb) in h.iter().enumerate().take(end) {
                acc.g += hb.g;
                acc.h += hb.h;
                acc.c += hb.c;
                consider(acc, bin, false, &mut best);
            }
            // Missing values to the left (right-to-left scan as scikit-learn).
            if has_missing && miss.c > 0 {
                let mut right = Bin::default();
                for bin in (0..nb - 1).rev() {
                    let hb = h[bin + 1];
                    right.g += hb.g;
                    right.h += hb.h;
                    right.c += hb.c;
                    let left = Bin { g: total.g - right.g, h: total.h - right.h, c: total.c - right.c };
                    consider(left, bin, true, &mut best);
                }
            }
        }
        best
    }

    /// Grows one tree over `samples` (all training rows `0..n` in order on entry;
    /// reordered in place so that each leaf's rows are contiguous).
    /// Returns the tree (leaf values already shrunk) and the leaf ranges of `samples`.
    fn grow(&self, samples: &mut [u32], gains: &mut [f64], scratch: &mut Scratch) -> (Tree, Vec<(usize, usize, f64)>) {
        let s = self.s;
        let mut tree = Tree {
            n_features: self.p,
            n_outputs: 1,
            children_left: vec![],
            children_right: vec![],
            feature: vec![],
            threshold: vec![],
            impurity: vec![],
            n_node_samples: vec![],
            weighted_n_node_samples: vec![],
            value: vec![],
            missing_left: vec![],
        };
        let push = |tree: &mut Tree, t: Bin| {
            tree.children_left.push(-1);
            tree.children_right.push(-1);
            tree.feature.push(0);
            tree.threshold.push(0.0);
            tree.impurity.push(0.0);
            tree.n_node_samples.push(t.c as usize);
            tree.weighted_n_node_samples.push(t.h);
            tree.value.push(-s.lr * t.g / (t.h + s.l2));
            tree.missing_left.push(false);
            tree.children_left.len() - 1
        };
        let hist = self.histogram(samples, true, scratch);
        let mut total = Bin::default();
        for bin in &hist[..NB] {
            total.g += bin.g;
            total.h += bin.h;
            total.c += bin.c;
        }
        let root = push(&mut tree, total);
        let split = self.best_split(&hist, total, 0);
        let mut leaves = vec![Leaf { start: 0, end: samples.len(), depth: 0, node: root, total, hist, split }];
        let mut n_leaves = 1;
        while n_leaves < s.max_leaf_nodes {
            // The splittable leaf with the largest gain (first on ties).
            let mut pick: Option<usize> = None;
            for (i, l) in leaves.iter().enumerate() {
                if let Some(sp) = &l.split {
                    if pick.is_none_or(|k| sp.gain > leaves[k].split.as_ref().map_or(f64::NEG_INFINITY, |b| b.gain)) {
                        pick = Some(i);
                    }
                }
            }
            let Some(k) = pick else { break };
            let leaf = leaves.swap_remove(k);
            let Some(sp) = leaf.split else { break };
            // Partition the leaf's samples (stable: left rows first, each side in order).
            let codes = &self.b.codes[sp.feature * self.b.n..(sp.feature + 1) * self.b.n];
            let mut goes_left = [false; NB];
            for (c, l) in goes_left.iter_mut().enumerate() {
                *l = if c == MISSING_BIN as usize { sp.missing_left } else { c <= sp.bin };
            }
            let mid = leaf.start + partition(&mut samples[leaf.start..leaf.end], codes, &goes_left, &mut scratch.right);
            let lt = sp.left;
            let rt = Bin { g: leaf.total.g - lt.g, h: leaf.total.h - lt.h, c: leaf.total.c - lt.c };
            let ln = push(&mut tree, lt);
            let rn = push(&mut tree, rt);
            let node = leaf.node;
            tree.children_left[node] = ln as i64;
            tree.children_right[node] = rn as i64;
            tree.feature[node] = sp.feature;
            let th = &self.b.thresholds[sp.feature];
            tree.threshold[node] = if sp.bin < th.len() { th[sp.bin] } else { f64::MAX };
            tree.missing_left[node] = if self.b.has_missing[sp.feature] { sp.missing_left } else { lt.c >= rt.c };
            gains[sp.feature] += sp.gain;
            n_leaves += 1;
            let depth = leaf.depth + 1;
            // The children's histograms are only needed if one of them may be split
            // later: build the smaller child's, subtract it from the parent's for the larger.
            let (mut lh, mut rh, mut lsplit, mut rsplit) = (Vec::new(), Vec::new(), None, None);
            if n_leaves < s.max_leaf_nodes && (self.may_split(lt, depth) || self.may_split(rt, depth)) {
                let large_is_left = mid - leaf.start > leaf.end - mid;
                let small = if large_is_left { (mid, leaf.end) } else { (leaf.start, mid) };
                let hs = self.histogram(&samples[small.0..small.1], false, scratch);
                let mut hl = leaf.hist;
                subtract(&mut hl, &hs);
                (lh, rh) = if large_is_left { (hl, hs) } else { (hs, hl) };
                lsplit = self.best_split(&lh, lt, depth);
                rsplit = self.best_split(&rh, rt, depth);
                if lsplit.is_none() {
                    scratch.give_back(std::mem::take(&mut lh));
                }
                if rsplit.is_none() {
                    scratch.give_back(std::mem::take(&mut rh));
                }
            } else {
                scratch.give_back(leaf.hist);
            }
            leaves.push(Leaf { start: leaf.start, end: mid, depth, node: ln, total: lt, hist: lh, split: lsplit });
            leaves.push(Leaf { start: mid, end: leaf.end, depth, node: rn, total: rt, hist: rh, split: rsplit });
        }
        let ranges = leaves.iter().map(|l| (l.start, l.end, tree.value[l.node])).collect();
        for l in leaves {
            scratch.give_back(l.hist);
        }
        (tree, ranges)
    }
}

// ---------------------------------------------------------------------------
// Boosting loop shared by the regressor and the classifier
// ---------------------------------------------------------------------------

enum Loss<'a> {
    Squared(&'a [f64]),
    /// Class indices; `k` raw scores per row (1 = binary).
    Log {
        y: &'a [usize],
        k: usize,
    },
}

struct Boosted {
    init: Vec<f64>,
    trees: Vec<Vec<Tree>>,
    gains: Vec<f64>,
    train_score: Vec<f64>,
    validation_score: Vec<f64>,
}

/// Mean loss over `rows` (half squared error, or log loss).
fn mean_loss(loss: &Loss, rows: &[usize], raw: &[f64]) -> f64 {
    if rows.is_empty() {
        return 0.0;
    }
    let mut tot = 0.0;
    match loss {
        Loss::Squared(y) => {
            for (i, &r) in rows.iter().enumerate() {
                tot += 0.5 * (y[r] - raw[i]).powi(2);
            }
        }
        Loss::Log { y, k } => {
            let k = *k;
            for (i, &r) in rows.iter().enumerate() {
                let pr = if k == 1 {
                    let p1 = sigmoid(raw[i]);
                    if y[r] == 1 {
                        p1
                    } else {
                        1.0 - p1
                    }
                } else {
                    let row = &raw[i * k..(i + 1) * k];
                    let m = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                    let s: f64 = row.iter().map(|&v| (v - m).exp()).sum();
                    (row[y[r]] - m).exp() / s
                };
                tot -= pr.max(1e-300).ln();
            }
        }
    }
    tot / rows.len() as f64
}

/// `mean_loss` over the training rows, and for log loss the probabilities of
/// `raw` into `prob` on the way (the next iteration's gradients need them).
/// Same operations in the same order as `mean_loss`, so the same numbers.
/// Without `want_loss` only the probabilities (the loss is 0): scikit-learn
/// scores the training rows only for early stopping, and a logarithm per row
/// and iteration was 9 % of a fit (bench/HISTORY.md, Session 11).
fn train_prob_and_loss(loss: &Loss, train: &[usize], raw: &[f64], prob: &mut [f64], want_loss: bool) -> f64 {
    let Loss::Log { y, k } = loss else { return if want_loss { mean_loss(loss, train, raw) } else { 0.0 } };
    if train.is_empty() {
        return 0.0;
    }
    let k = *k;
    if !want_loss {
        for (i, pi) in prob.chunks_exact_mut(k).enumerate().take(train.len()) {
            if k == 1 {
                pi[0] = sigmoid(raw[i]);
            } else {
                softmax(&raw[i * k..(i + 1) * k], pi);
            }
        }
        return 0.0;
    }
    let mut tot = 0.0;
    for (i, &r) in train.iter().enumerate() {
        let pr = if k == 1 {
            let p1 = sigmoid(raw[i]);
            prob[i] = p1;
            if y[r] == 1 {
                p1
            } else {
                1.0 - p1
            }
        } else {
            let pi = &mut prob[i * k..(i + 1) * k];
            softmax(&raw[i * k..(i + 1) * k], pi);
            pi[y[r]]
        };
        tot -= pr.max(1e-300).ln();
    }
    tot / train.len() as f64
}

/// Boosting on the features' columns (`cols[j][row]`, `n` rows each).
fn boost(cols: &[&[f64]], n: usize, loss: Loss, n_classes: usize, s: &Settings, seed: u64) -> Boosted {
    let p = cols.len();
    let k = match loss {
        Loss::Squared(_) => 1,
        Loss::Log { k, .. } => k,
    };
    // Train / validation split.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (train, valid): (Vec<usize>, Vec<usize>) = if s.early {
        let mut valid = Vec::new();
        match &loss {
            Loss::Log { y, .. } => {
                for c in 0..n_classes {
                    let mut idx: Vec<usize> = (0..n).filter(|&i| y[i] == c).collect();
                    idx.shuffle(&mut rng);
                    let take = ((idx.len() as f64) * s.validation_fraction).round() as usize;
                    valid.extend_from_slice(&idx[..take.min(idx.len())]);
                }
            }
            Loss::Squared(_) => {
                let mut idx: Vec<usize> = (0..n).collect();
                idx.shuffle(&mut rng);
                valid.extend_from_slice(&idx[..((n as f64 * s.validation_fraction).ceil() as usize).min(n - 1)]);
            }
        }
        let mut is_valid = vec![false; n];
        valid.iter().for_each(|&i| is_valid[i] = true);
        valid.sort_unstable();
        ((0..n).filter(|&i| !is_valid[i]).collect(), valid)
    } else {
        ((0..n).collect(), Vec::new())
    };
    // Early stopping needs both a non-empty validation set and training rows.
    let (train, valid, early) = if s.early && (valid.is_empty() || train.is_empty()) { ((0..n).collect(), Vec::new(), false) } else { (train, valid, s.early) };
    // Bins are learned on the training rows only (all of them, in order, without early stopping).
    let binned_train = bin_data(cols, (train.len() < n).then_some(&train[..]), s.max_bins);
    let nt = train.len();
    // Baseline raw scores.
    let init: Vec<f64> = match &loss {
        Loss::Squared(y) => vec![train.iter().map(|&r| y[r]).sum::<f64>() / nt as f64],
        Loss::Log { y, k } => {
            let eps = f64::EPSILON;
            let mut prior = vec![0.0; n_classes.max(2)];
            for &r in &train {
                prior[y[r]] += 1.0 / nt as f64;
            }
            let prior: Vec<f64> = prior.iter().map(|&q| q.clamp(eps, 1.0 - eps)).collect();
            if *k == 1 {
                vec![(prior[1] / (1.0 - prior[1])).ln()]
            } else {
                let logs: Vec<f64> = prior.iter().map(|q| q.ln()).collect();
                let mean = logs.iter().sum::<f64>() / *k as f64;
                logs.iter().map(|l| l - mean).collect()
            }
        }
    };
    let mut raw: Vec<f64> = (0..nt).flat_map(|_| init.iter().copied()).collect();
    let mut raw_valid: Vec<f64> = (0..valid.len()).flat_map(|_| init.iter().copied()).collect();
    // The validation rows, row-major, for the trees' walks.
    let valid_rows: Vec<f64> = valid.iter().flat_map(|&r| cols.iter().map(move |c| c[r])).collect();
    let mut gh = vec![[0.0, 1.0]; nt];
    let mut prob = vec![0.0; nt * k];
    let mut samples: Vec<u32> = Vec::with_capacity(nt);
    let mut scratch = Scratch::default();
    let mut gains = vec![0.0; p];
    let mut trees = Vec::new();
    // The training loss per iteration only with early stopping, as scikit-learn's `train_score_`.
    let mut train_score = Vec::new();
    let first = train_prob_and_loss(&loss, &train, &raw, &mut prob, early);
    if early {
        train_score.push(-first);
    }
    let mut validation_score = if early { vec![-mean_loss(&loss, &valid, &raw_valid)] } else { Vec::new() };
    // Log loss: per raw score `c`, each training row's `1.0` if its class is `c`'s target,
    // else `0.0`, gathered once, so that the gradient loop below reads three contiguous
    // arrays (vectorised) instead of gathering `y[train[i]]` every iteration.
    let is_target: Vec<Vec<f64>> = match &loss {
        Loss::Log { y, .. } => (0..k).map(|c| train.iter().map(|&r| f64::from(u8::from(y[r] == if k == 1 { 1 } else { c }))).collect()).collect(),
        Loss::Squared(_) => Vec::new(),
    };
    for _ in 0..s.max_iter {
        // `prob` holds the probabilities of the current raw scores (log loss).
        let mut stage = Vec::with_capacity(k);
        for c in 0..k {
            match &loss {
                Loss::Squared(y) => {
                    for (i, &r) in train.iter().enumerate() {
                        gh[i][0] = raw[i] - y[r];
                    }
                }
                Loss::Log { .. } => {
                    let gradient = |g: &mut [f64; 2], pr: f64, t: f64| *g = [pr - t, pr * (1.0 - pr)];
                    if k == 1 {
                        for ((g, &pr), &t) in gh.iter_mut().zip(&prob[..nt]).zip(&is_target[0]) {
                            gradient(g, pr, t);
                        }
                    } else {
                        for ((g, pr), &t) in gh.iter_mut().zip(prob.chunks_exact(k)).zip(&is_target[c]) {
                            gradient(g, pr[c], t);
                        }
                    }
                }
            }
            samples.clear();
            samples.extend(0..nt as u32);
            let grower = Grower { b: &binned_train, gh: &gh, s, p };
            let (tree, ranges) = grower.grow(&mut samples, &mut gains, &mut scratch);
            // The new tree's leaf values onto the training rows it holds (no tree walk).
            for (a, b, v) in ranges {
                for &sm in &samples[a..b] {
                    raw[sm as usize * k + c] += v;
                }
            }
            for (i, row) in valid_rows.chunks_exact(p).enumerate() {
                raw_valid[i * k + c] += tree.node_value(tree.leaf(row))[0];
            }
            stage.push(tree);
        }
        trees.push(stage);
        let tl = train_prob_and_loss(&loss, &train, &raw, &mut prob, early);
        if early {
            train_score.push(-tl);
        }
        if early {
            validation_score.push(-mean_loss(&loss, &valid, &raw_valid));
            // scikit-learn's _should_stop.
            let reference = s.n_iter_no_change + 1;
            if validation_score.len() >= reference {
                let ref_score = validation_score[validation_score.len() - reference] + s.tol;
                if !validation_score[validation_score.len() - reference + 1..].iter().any(|&v| v > ref_score) {
                    break;
                }
            }
        }
    }
    Boosted { init, trees, gains, train_score, validation_score }
}

// ---------------------------------------------------------------------------
// Fitted models
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistGradientBoostingRegressor {
    pub n_features: usize,
    pub init: f64,
    /// One tree per iteration; leaf values already include the learning rate.
    pub trees: Vec<Tree>,
    pub split_gain: Vec<f64>,
    /// Minus the training loss at the start and after each iteration, with early stopping
    /// only (empty without, as scikit-learn's `train_score_`).
    pub train_score: Vec<f64>,
    #[serde(default)]
    pub validation_score: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistGradientBoostingClassifier {
    pub n_features: usize,
    pub n_classes: usize,
    pub init: Vec<f64>,
    /// Per iteration: one tree (binary) or one per class.
    pub stages: Vec<Vec<Tree>>,
    pub split_gain: Vec<f64>,
    /// Minus the training loss at the start and after each iteration, with early stopping
    /// only (empty without, as scikit-learn's `train_score_`).
    pub train_score: Vec<f64>,
    #[serde(default)]
    pub validation_score: Vec<f64>,
}

fn check_x(model: &str, cols: &[&[f64]], n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::data(format!("{model}: cannot fit on 0 rows")));
    }
    if cols.is_empty() {
        return Err(Error::data(format!("{model}: no feature columns reach the model; check the column selections")));
    }
    if cols.iter().any(|c| c.iter().any(|v| v.is_infinite())) {
        return Err(Error::data(format!("{model}: the features hold infinite values (missing values are fine)")));
    }
    Ok(())
}

/// A matrix's columns, copied (the matrix route; the pipeline gives its frame's columns).
fn columns_of(x: &Array2<f64>) -> Vec<Vec<f64>> {
    x.columns().into_iter().map(|c| c.to_vec()).collect()
}

fn slices(cols: &[Vec<f64>]) -> Vec<&[f64]> {
    cols.iter().map(Vec::as_slice).collect()
}

impl ModelParams for HistGradientBoostingRegressorParams {
    fn accepts_missing(&self) -> bool {
        true
    }
    type Fitted = HistGradientBoostingRegressor;
    fn task(&self) -> Task {
        Task::Regression
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<HistGradientBoostingRegressor> {
        let cols = columns_of(x);
        self.fit_cols(&slices(&cols), x.nrows(), y, ctx)
    }
    fn may_fit_columns(&self) -> bool {
        true
    }
    /// The frame's columns are what binning reads: no row-major matrix.
    fn fit_columns(&self, cols: &[&[f64]], n: usize, y: Option<&Target>, ctx: &FitContext) -> Option<Result<HistGradientBoostingRegressor>> {
        Some(self.fit_cols(cols, n, y, ctx))
    }
    fn schema() -> Vec<ParamInfo> {
        hgb_schema(false)
    }
    fn help() -> &'static str {
        "Fast gradient boosting on binned features (up to 255 bins); handles missing values without imputation."
    }
}

impl ModelParams for HistGradientBoostingClassifierParams {
    fn accepts_missing(&self) -> bool {
        true
    }
    type Fitted = HistGradientBoostingClassifier;
    fn task(&self) -> Task {
        Task::Classification
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<HistGradientBoostingClassifier> {
        let cols = columns_of(x);
        self.fit_cols(&slices(&cols), x.nrows(), y, ctx)
    }
    fn may_fit_columns(&self) -> bool {
        true
    }
    /// The frame's columns are what binning reads: no row-major matrix.
    fn fit_columns(&self, cols: &[&[f64]], n: usize, y: Option<&Target>, ctx: &FitContext) -> Option<Result<HistGradientBoostingClassifier>> {
        Some(self.fit_cols(cols, n, y, ctx))
    }
    fn schema() -> Vec<ParamInfo> {
        hgb_schema(true)
    }
    fn help() -> &'static str {
        "Fast gradient boosting for classes on binned features; handles missing values without imputation."
    }
}

impl HistGradientBoostingRegressorParams {
    fn fit_cols(&self, cols: &[&[f64]], n: usize, y: Option<&Target>, ctx: &FitContext) -> Result<HistGradientBoostingRegressor> {
        const M: &str = "HistGradientBoostingRegressor";
        check_x(M, cols, n)?;
        let y = super::tree::regression_target(M, y)?;
        let s = self.settings(M, n)?;
        let s = Settings { early: s.early && n >= 2, ..s };
        let b = boost(cols, n, Loss::Squared(y), 0, &s, ctx.seed_for(self.random_state));
        Ok(HistGradientBoostingRegressor {
            n_features: cols.len(),
            init: b.init[0],
            trees: b.trees.into_iter().flatten().collect(),
            split_gain: b.gains,
            train_score: b.train_score,
            validation_score: b.validation_score,
        })
    }
}

impl HistGradientBoostingClassifierParams {
    fn fit_cols(&self, cols: &[&[f64]], n: usize, y: Option<&Target>, ctx: &FitContext) -> Result<HistGradientBoostingClassifier> {
        const M: &str = "HistGradientBoostingClassifier";
        check_x(M, cols, n)?;
        let (y, n_classes) = class_target(M, y)?;
        let s = self.settings(M, n)?;
        let p = cols.len();
        if n_classes < 2 {
            return Ok(HistGradientBoostingClassifier {
                n_features: p,
                n_classes,
                init: vec![0.0],
                stages: vec![],
                split_gain: vec![0.0; p],
                train_score: vec![],
                validation_score: vec![],
            });
        }
        let k = if n_classes == 2 { 1 } else { n_classes };
        let b = boost(cols, n, Loss::Log { y, k }, n_classes, &s, ctx.seed_for(self.random_state));
        Ok(HistGradientBoostingClassifier {
            n_features: p,
            n_classes,
            init: b.init,
            stages: b.trees,
            split_gain: b.gains,
            train_score: b.train_score,
            validation_score: b.validation_score,
        })
    }
}

fn validate_tree_list<'a>(model: &str, trees: impl Iterator<Item = &'a Tree>, p: usize) -> Result<()> {
    for t in trees {
        t.validate(model)?;
        if t.n_features != p || t.n_outputs != 1 {
            return Err(Error::ModelFile(format!("{model}: a tree's shape does not match the model")));
        }
    }
    Ok(())
}

impl FittedModel for HistGradientBoostingRegressor {
    fn accepts_missing(&self) -> bool {
        true
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features("HistGradientBoostingRegressor", self.n_features, x)?;
        let p = self.n_features;
        let data = rows_of(x);
        let mut out = vec![self.init; x.nrows()];
        for tree in &self.trees {
            for (i, o) in out.iter_mut().enumerate() {
                *o += tree.node_value(tree.leaf(&data[i * p..(i + 1) * p]))[0];
            }
        }
        Ok(Output::Values(out))
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        Inspection::default()
            .fact("importance_type", "total split gain (normalized)")
            .fact("n_iter", self.trees.len())
            .fact("init", self.init)
            .fact("train_score", &self.train_score)
            .fact("validation_score", &self.validation_score)
    }
    fn importances(&self) -> Option<Importances> {
        Some(Importances { kind: ImportanceKind::SplitGain, values: normalized(self.split_gain.clone()) })
    }
    fn validate(&self) -> Result<()> {
        const M: &str = "HistGradientBoostingRegressor";
        if !self.init.is_finite() || self.split_gain.len() != self.n_features {
            return Err(Error::ModelFile(format!("{M}: init must be finite and split_gain must have one entry per feature")));
        }
        validate_tree_list(M, self.trees.iter(), self.n_features)
    }
}

impl FittedModel for HistGradientBoostingClassifier {
    fn accepts_missing(&self) -> bool {
        true
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        // Leaf values are stored already scaled by the learning rate.
        boosted_classes("HistGradientBoostingClassifier", &self.stages, &self.init, 1.0, self.n_classes, self.n_features, x)
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        Inspection::default()
            .fact("importance_type", "total split gain (normalized)")
            .fact("n_iter", self.stages.len())
            .fact("trees_per_iteration", self.init.len())
            .fact("init", &self.init)
            .fact("train_score", &self.train_score)
            .fact("validation_score", &self.validation_score)
    }
    fn importances(&self) -> Option<Importances> {
        Some(Importances { kind: ImportanceKind::SplitGain, values: normalized(self.split_gain.clone()) })
    }
    fn validate(&self) -> Result<()> {
        const M: &str = "HistGradientBoostingClassifier";
        let k = if self.n_classes <= 2 { 1 } else { self.n_classes };
        if self.init.len() != k || self.init.iter().any(|v| !v.is_finite()) || self.split_gain.len() != self.n_features {
            return Err(Error::ModelFile(format!("{M}: init must hold {k} finite raw score(s) and split_gain one entry per feature")));
        }
        if self.n_classes < 2 && !self.stages.is_empty() || self.stages.iter().any(|s| s.len() != k) {
            return Err(Error::ModelFile(format!("{M}: each iteration must hold {k} tree(s)")));
        }
        validate_tree_list(M, self.stages.iter().flatten(), self.n_features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn binning_matches_sklearn_rules() {
        let mut c = vec![3.0, 1.0, f64::NAN, 2.0, 1.0];
        assert_eq!(bin_thresholds(&mut c, 255), vec![1.5, 2.5]);
        // More distinct values than bins: "midpoint" percentiles.
        let mut c: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(bin_thresholds(&mut c, 4), vec![2.0, 4.5, 7.0]);
        let x = Array2::from_shape_vec((4, 1), vec![1.0, f64::NAN, 2.0, 3.0]).unwrap();
        let b = bin_data(&slices(&columns_of(&x)), None, 255);
        assert_eq!(b.codes, vec![0, MISSING_BIN, 1, 2]);
        // A subset of rows bins as that subset's matrix would.
        let b = bin_data(&slices(&columns_of(&x)), Some(&[3, 1, 2]), 255);
        assert_eq!(b.codes, vec![1, MISSING_BIN, 0]);
        let b = bin_data(&slices(&columns_of(&x)), None, 255);
        assert_eq!(b.codes, vec![0, MISSING_BIN, 1, 2]);
        assert!(b.has_missing[0]);
    }

    fn data(n: usize, seed: u64, missing: bool) -> (Array2<f64>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Array2::from_shape_fn((n, 4), |_| rng.random_range(-1.0..1.0));
        let y: Vec<f64> = x.rows().into_iter().map(|r| 2.0 * r[0] + (3.0_f64 * r[1]).sin() + 0.1 * r[2]).collect();
        if missing {
            for i in (0..n).step_by(7) {
                x[[i, 0]] = f64::NAN;
            }
        }
        (x, y)
    }

    #[test]
    fn regressor_learns_handles_missing_and_is_deterministic() {
        let (x, y) = data(1000, 0, true);
        let t = Target::Values(y.clone());
        let p = HistGradientBoostingRegressorParams { random_state: Some(0), ..Default::default() };
        let m = p.fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        m.validate().unwrap();
        assert_eq!(m.trees.len(), 100, "no early stopping below 10,000 rows");
        assert!(m.trees.iter().all(|t| t.n_leaves() <= 31));
        let Output::Values(v) = m.predict(&x).unwrap() else { panic!() };
        let mse = v.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / y.len() as f64;
        assert!(mse < 0.1, "mse {mse}");
        assert_eq!(m, p.fit(&x, Some(&t), &FitContext::new(3)).unwrap());
        let mut bad = m.clone();
        bad.trees[0].children_left[0] = 0;
        assert!(bad.validate().is_err());
    }

    #[test]
    fn early_stopping_stops() {
        let (x, y) = data(400, 1, false);
        let t = Target::Values(y);
        let m = HistGradientBoostingRegressorParams { early_stopping: EarlyStopping::Bool(true), max_iter: 1000, learning_rate: 0.5, ..Default::default() }
            .fit(&x, Some(&t), &FitContext::new(0))
            .unwrap();
        assert!(m.trees.len() < 1000);
        assert_eq!(m.validation_score.len(), m.trees.len() + 1);
        let p: HistGradientBoostingRegressorParams = serde_json::from_str(r#"{"early_stopping": "auto"}"#).unwrap();
        assert_eq!(p.early_stopping, EarlyStopping::Auto(AutoTag::Auto));
        let p: HistGradientBoostingRegressorParams = serde_json::from_str(r#"{"early_stopping": false}"#).unwrap();
        assert_eq!(p.early_stopping, EarlyStopping::Bool(false));
    }

    #[test]
    fn classifier_binary_and_multiclass() {
        let (x, v) = data(600, 2, true);
        for k in [2usize, 3] {
            let y: Vec<usize> = v
                .iter()
                .map(|&t| {
                    if t > 0.5 {
                        1
                    } else if k == 3 && t < -0.5 {
                        2
                    } else {
                        0
                    }
                })
                .collect();
            let tgt = Target::Classes { y: y.clone(), n_classes: k };
            let m = HistGradientBoostingClassifierParams::default().fit(&x, Some(&tgt), &FitContext::new(0)).unwrap();
            m.validate().unwrap();
            let Output::Classes { labels, proba } = m.predict(&x).unwrap() else { panic!() };
            let acc = labels.iter().zip(&y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64;
            assert!(acc > 0.9, "k={k} acc={acc}");
            assert!(proba.unwrap().rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-9));
        }
    }

    #[test]
    fn parameter_errors() {
        let (x, y) = data(50, 3, false);
        let t = Target::Values(y);
        let ctx = FitContext::new(0);
        for p in [
            HistGradientBoostingRegressorParams { max_bins: 256, ..Default::default() },
            HistGradientBoostingRegressorParams { max_leaf_nodes: Some(1), ..Default::default() },
            HistGradientBoostingRegressorParams { learning_rate: -1.0, ..Default::default() },
            HistGradientBoostingRegressorParams { min_samples_leaf: 0, ..Default::default() },
        ] {
            assert!(matches!(p.fit(&x, Some(&t), &ctx), Err(Error::Param { .. })));
        }
    }

    /// Rough timing: HistGradientBoostingClassifier(defaults, early stopping off) on 20,000 × 20.
    /// `cargo test --lib models::hist_boosting -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn timing_20k_by_20() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let x = Array2::from_shape_fn((20_000, 20), |_| rng.random_range(-1.0..1.0));
        let y: Vec<usize> = x.rows().into_iter().map(|r| (r[0] + r[1] * r[2] + 0.3 * r[3] > 0.0) as usize).collect();
        let t = Target::Classes { y, n_classes: 2 };
        let cpu =
            || std::fs::read_to_string("/proc/thread-self/schedstat").ok().and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok()).unwrap_or(0.0) / 1e9;
        let c0 = cpu();
        let m = HistGradientBoostingClassifierParams { early_stopping: EarlyStopping::Bool(false), ..Default::default() }
            .fit(&x, Some(&t), &FitContext::new(0))
            .unwrap();
        let c1 = cpu();
        m.predict(&x).unwrap();
        eprintln!("HistGradientBoostingClassifier(100 iter) 20000x20: fit {:.2}s cpu, predict {:.3}s cpu", c1 - c0, cpu() - c1);
    }
}
