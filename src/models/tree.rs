//! Decision trees (CART, as scikit-learn's `BestSplitter`) and the tree
//! builder shared by the forests and gradient boosting.
//!
//! - Depth-first growth; node ids in creation order (left child first), so a
//!   child's id is always larger than its parent's — `validate` relies on it
//!   to rule out cycles in a model file.
//! - At each node the candidate features are visited in a random order
//!   (Fisher–Yates on the seeded ChaCha8 stream); features constant in the
//!   node do not count towards `max_features`; ties keep the first split found.
//! - Each visited feature is sorted once per node (values with sample indices);
//!   thresholds are midpoints between consecutive distinct values (values closer
//!   than 1e-7 are not split, as scikit-learn's `FEATURE_THRESHOLD`).
//! - Criteria: gini, entropy (= log_loss) for classification; squared_error
//!   (and friedman_mse for boosting) for regression. Sample weights (bootstrap
//!   counts) are supported; `min_samples_leaf` counts distinct samples.

use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::logistic::ClassWeight;
use super::{check_fit, check_n_features};
use crate::estimator::{
    class_target, FitContext, FittedModel, ImportanceKind, Importances, Inspection, ModelParams, Output, ParamInfo, Target, Task, TreeView,
};
use crate::numeric::{argmax, rows_of};
use crate::{Error, Result};

/// Values closer than this are treated as equal (no split between them).
const FEATURE_THRESHOLD: f64 = 1e-7;
/// Impurity at or below this makes a node a leaf (numpy's double epsilon).
const EPSILON: f64 = f64::EPSILON;
/// How many levels of the tree `inspect` draws.
pub(crate) const INSPECT_DEPTH: usize = 4;

// ---------------------------------------------------------------------------
// Parameters shared by the tree-based models
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MaxFeaturesName {
    Sqrt,
    Log2,
}

/// `max_features`: `"sqrt"`, `"log2"`, an int (a count) or a float (a fraction of the features).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MaxFeatures {
    Name(MaxFeaturesName),
    Int(u64),
    Float(f64),
}

impl MaxFeatures {
    /// The number of features to examine at each split, as scikit-learn resolves it.
    pub(crate) fn resolve(mf: Option<MaxFeatures>, p: usize, model: &str) -> Result<usize> {
        let k = match mf {
            None => p,
            Some(MaxFeatures::Name(MaxFeaturesName::Sqrt)) => ((p as f64).sqrt() as usize).max(1),
            Some(MaxFeatures::Name(MaxFeaturesName::Log2)) => ((p as f64).log2() as usize).max(1),
            Some(MaxFeatures::Int(k)) => {
                if k == 0 {
                    return Err(Error::param(model, "max_features", "must be at least 1 (an int counts features, a float in (0, 1] is a fraction)"));
                }
                (k as usize).min(p)
            }
            Some(MaxFeatures::Float(f)) => {
                if !(f > 0.0 && f <= 1.0) {
                    return Err(Error::param(model, "max_features", format!("a float must be in (0, 1], got {f}")));
                }
                ((f * p as f64) as usize).max(1)
            }
        };
        Ok(k.clamp(1, p.max(1)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClassCriterion {
    #[default]
    Gini,
    Entropy,
    LogLoss,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RegCriterion {
    #[default]
    SquaredError,
    FriedmanMse,
}

/// The criterion the builder uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Crit {
    Gini,
    Entropy,
    Mse,
    /// Same splits as `Mse` (the proxies rank identically); improvement as Friedman's.
    FriedmanMse,
}

impl From<ClassCriterion> for Crit {
    fn from(c: ClassCriterion) -> Crit {
        match c {
            ClassCriterion::Gini => Crit::Gini,
            ClassCriterion::Entropy | ClassCriterion::LogLoss => Crit::Entropy,
        }
    }
}

impl From<RegCriterion> for Crit {
    fn from(c: RegCriterion) -> Crit {
        match c {
            RegCriterion::SquaredError => Crit::Mse,
            RegCriterion::FriedmanMse => Crit::FriedmanMse,
        }
    }
}

/// Resolved growth limits.
#[derive(Debug, Clone)]
pub(crate) struct TreeConfig {
    pub crit: Crit,
    pub max_depth: usize,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: usize,
    pub min_impurity_decrease: f64,
}

impl TreeConfig {
    /// Validates the common parameters, naming the offending one.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        model: &str,
        crit: Crit,
        max_depth: Option<usize>,
        min_samples_split: usize,
        min_samples_leaf: usize,
        max_features: Option<MaxFeatures>,
        min_impurity_decrease: f64,
        p: usize,
    ) -> Result<TreeConfig> {
        if max_depth == Some(0) {
            return Err(Error::param(model, "max_depth", "must be at least 1 (or null for unlimited)"));
        }
        if min_samples_split < 2 {
            return Err(Error::param(model, "min_samples_split", format!("must be at least 2, got {min_samples_split}")));
        }
        if min_samples_leaf < 1 {
            return Err(Error::param(model, "min_samples_leaf", "must be at least 1"));
        }
        if !(min_impurity_decrease >= 0.0 && min_impurity_decrease.is_finite()) {
            return Err(Error::param(model, "min_impurity_decrease", format!("must be a non-negative number, got {min_impurity_decrease}")));
        }
        Ok(TreeConfig {
            crit,
            max_depth: max_depth.unwrap_or(usize::MAX),
            min_samples_split,
            min_samples_leaf,
            max_features: MaxFeatures::resolve(max_features, p, model)?,
            min_impurity_decrease,
        })
    }
}

/// Refuses missing or infinite feature values (trees here need imputed data).
pub(crate) fn check_finite(model: &str, x: &Array2<f64>) -> Result<()> {
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            let what = if row[j].is_nan() { "a missing value" } else { "an infinite value" };
            return Err(Error::data(format!("{model}: feature {} of training row {} is {what}; add a SimpleImputer step before the model", j + 1, i + 1)));
        }
    }
    Ok(())
}

/// Features stored column by column for split search, with each value's dense
/// rank in its column (computed once per fit and shared by every tree): a node
/// sorts its samples by rank with a radix sort instead of comparing floats.
pub(crate) struct ColMajor {
    n: usize,
    /// `rank[j*n + i]`: dense rank of row i's value among column j's distinct values.
    rank: Vec<u32>,
    /// Column j's distinct values, ascending.
    uniq: Vec<Vec<f64>>,
    /// Bits needed to hold column j's largest rank.
    bits: Vec<u32>,
}

impl ColMajor {
    pub(crate) fn new(x: &Array2<f64>) -> ColMajor {
        let (n, p) = x.dim();
        let mut rank = vec![0u32; n * p];
        let mut uniq = Vec::with_capacity(p);
        let mut bits = Vec::with_capacity(p);
        let mut order: Vec<(f64, u32)> = Vec::with_capacity(n);
        for j in 0..p {
            order.clear();
            order.extend(x.column(j).iter().enumerate().map(|(i, &v)| (v, i as u32)));
            order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            let mut u: Vec<f64> = Vec::new();
            for &(v, i) in &order {
                if u.last() != Some(&v) {
                    u.push(v);
                }
                rank[j * n + i as usize] = (u.len() - 1) as u32;
            }
            bits.push(32 - (u.len().saturating_sub(1) as u32).leading_zeros());
            uniq.push(u);
        }
        ColMajor { n, rank, uniq, bits }
    }
    #[inline]
    fn value(&self, j: usize, i: usize) -> f64 {
        self.uniq[j][self.rank[j * self.n + i] as usize]
    }
}

/// Sorts keys `(rank << 32) | sample` by rank: LSD radix on the rank bytes for big
/// nodes, pdqsort for small ones.
fn sort_keys(keys: &mut Vec<u64>, tmp: &mut Vec<u64>, rank_bits: u32) {
    if keys.len() <= 128 {
        keys.sort_unstable();
        return;
    }
    tmp.clear();
    tmp.resize(keys.len(), 0);
    let passes = rank_bits.div_ceil(8);
    for pass in 0..passes {
        let shift = 32 + 8 * pass;
        let mut count = [0usize; 256];
        for &k in keys.iter() {
            count[((k >> shift) & 255) as usize] += 1;
        }
        if count.contains(&keys.len()) {
            continue;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let t = *c;
            *c = sum;
            sum += t;
        }
        for &k in keys.iter() {
            let b = ((k >> shift) & 255) as usize;
            tmp[count[b]] = k;
            count[b] += 1;
        }
        std::mem::swap(keys, tmp);
    }
}

/// The target as the builder sees it.
#[derive(Clone, Copy)]
pub(crate) enum Labels<'a> {
    Classes { y: &'a [usize], n_classes: usize },
    Values(&'a [f64]),
}

// ---------------------------------------------------------------------------
// The fitted tree (flat arrays, as scikit-learn's `tree_`)
// ---------------------------------------------------------------------------

/// A fitted binary tree. Node 0 is the root; leaves have both children -1.
/// `value` holds `n_outputs` numbers per node: class fractions (classification)
/// or the mean target (regression; boosting stores its leaf step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tree {
    pub n_features: usize,
    pub n_outputs: usize,
    pub children_left: Vec<i64>,
    pub children_right: Vec<i64>,
    pub feature: Vec<usize>,
    pub threshold: Vec<f64>,
    pub impurity: Vec<f64>,
    pub n_node_samples: Vec<usize>,
    pub weighted_n_node_samples: Vec<f64>,
    pub value: Vec<f64>,
    /// Where missing values go at each node (histogram boosting learns it);
    /// empty = to the child that saw more training samples.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_left: Vec<bool>,
}

impl Tree {
    pub fn n_nodes(&self) -> usize {
        self.children_left.len()
    }

    #[inline]
    pub fn is_leaf(&self, node: usize) -> bool {
        self.children_left[node] < 0
    }

    /// The leaf a row falls in. Missing values go to the child that saw more
    /// training samples (scikit-learn's rule for features without missing values at fit).
    #[inline]
    pub fn leaf(&self, row: &[f64]) -> usize {
        let mut node = 0usize;
        // Children ids are > parent ids (checked by `validate`), so this terminates.
        while self.children_left[node] >= 0 {
            let l = self.children_left[node] as usize;
            let r = self.children_right[node] as usize;
            let v = row[self.feature[node]];
            node = if v <= self.threshold[node] {
                l
            } else if v.is_nan() {
                let go_left = match self.missing_left.get(node) {
                    Some(&m) => m,
                    None => self.weighted_n_node_samples[l] >= self.weighted_n_node_samples[r],
                };
                if go_left {
                    l
                } else {
                    r
                }
            } else {
                r
            };
        }
        node
    }

    #[inline]
    pub fn node_value(&self, node: usize) -> &[f64] {
        &self.value[node * self.n_outputs..(node + 1) * self.n_outputs]
    }

    /// Unnormalized impurity decrease per feature, divided by the root weight
    /// (scikit-learn's `compute_feature_importances(normalize=False)`).
    pub fn raw_importances(&self) -> Vec<f64> {
        let mut imp = vec![0.0; self.n_features];
        for node in 0..self.n_nodes() {
            if self.is_leaf(node) {
                continue;
            }
            let l = self.children_left[node] as usize;
            let r = self.children_right[node] as usize;
            let w = &self.weighted_n_node_samples;
            imp[self.feature[node]] += w[node] * self.impurity[node] - w[l] * self.impurity[l] - w[r] * self.impurity[r];
        }
        let root = self.weighted_n_node_samples.first().copied().unwrap_or(1.0);
        if root > 0.0 {
            for v in &mut imp {
                *v /= root;
            }
        }
        imp
    }

    pub fn max_depth(&self) -> usize {
        let mut depth = vec![0usize; self.n_nodes()];
        let mut best = 0;
        for node in 0..self.n_nodes() {
            if !self.is_leaf(node) {
                for c in [self.children_left[node], self.children_right[node]] {
                    depth[c as usize] = depth[node] + 1;
                    best = best.max(depth[node] + 1);
                }
            }
        }
        best
    }

    pub fn n_leaves(&self) -> usize {
        (0..self.n_nodes()).filter(|&n| self.is_leaf(n)).count()
    }

    /// Rejects trees that could index out of range or loop.
    pub fn validate(&self, model: &str) -> Result<()> {
        let bad = |m: String| Err(Error::ModelFile(format!("{model}: {m}")));
        let n = self.n_nodes();
        if n == 0 {
            return bad("a tree has no nodes".into());
        }
        if self.n_outputs == 0 {
            return bad("a tree has n_outputs = 0".into());
        }
        if self.children_right.len() != n
            || self.feature.len() != n
            || self.threshold.len() != n
            || self.impurity.len() != n
            || self.n_node_samples.len() != n
            || self.weighted_n_node_samples.len() != n
            || n.checked_mul(self.n_outputs) != Some(self.value.len())
            || !(self.missing_left.is_empty() || self.missing_left.len() == n)
        {
            return bad(format!("tree arrays have inconsistent lengths for {n} nodes"));
        }
        for node in 0..n {
            let (l, r) = (self.children_left[node], self.children_right[node]);
            if l < 0 || r < 0 {
                if l != -1 || r != -1 {
                    return bad(format!("node {node} has one child only"));
                }
                continue;
            }
            if l as u64 <= node as u64 || r as u64 <= node as u64 || l as u64 >= n as u64 || r as u64 >= n as u64 {
                return bad(format!("node {node} has child ids ({l}, {r}) that are out of range or not after it"));
            }
            if self.feature[node] >= self.n_features {
                return bad(format!("node {node} splits on feature {} but the model has {} features", self.feature[node], self.n_features));
            }
            if !self.threshold[node].is_finite() {
                return bad(format!("node {node} has a non-finite threshold"));
            }
        }
        if self.value.iter().any(|v| !v.is_finite()) || self.weighted_n_node_samples.iter().any(|v| !v.is_finite()) {
            return bad("a tree holds non-finite values".into());
        }
        Ok(())
    }

    /// The first `depth` levels as nested JSON for drawing.
    pub fn structure(&self, names: &[String], depth: usize) -> serde_json::Value {
        self.node_json(0, names, depth)
    }

    fn node_json(&self, node: usize, names: &[String], depth: usize) -> serde_json::Value {
        let mut o = json!({
            "id": node,
            "impurity": self.impurity[node],
            "samples": self.n_node_samples[node],
            "weighted_samples": self.weighted_n_node_samples[node],
            "value": self.node_value(node),
        });
        if self.n_outputs > 1 {
            o["class"] = json!(argmax(self.node_value(node)));
        }
        if !self.is_leaf(node) {
            let f = self.feature[node];
            o["feature"] = json!(names.get(f).cloned().unwrap_or_else(|| format!("x{f}")));
            o["feature_index"] = json!(f);
            o["threshold"] = json!(self.threshold[node]);
            if depth == 0 {
                o["truncated"] = json!(true);
            } else {
                o["left"] = self.node_json(self.children_left[node] as usize, names, depth - 1);
                o["right"] = self.node_json(self.children_right[node] as usize, names, depth - 1);
            }
        }
        o
    }
}

/// Normalizes to sum 1 (all zeros stay zeros).
pub(crate) fn normalized(mut v: Vec<f64>) -> Vec<f64> {
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        for x in &mut v {
            *x /= s;
        }
    }
    v
}

// ---------------------------------------------------------------------------
// The builder
// ---------------------------------------------------------------------------

/// Weighted target statistics of a node.
#[derive(Clone)]
struct Stats {
    w: f64,
    /// Per-class weights (classification).
    counts: Vec<f64>,
    /// Σ w·y and Σ w·y² (regression).
    sum: f64,
    sumsq: f64,
}

fn xlogx(x: f64) -> f64 {
    if x > 0.0 {
        x * x.ln()
    } else {
        0.0
    }
}

struct Builder<'a> {
    xt: &'a ColMajor,
    labels: Labels<'a>,
    weights: Option<&'a [f64]>,
    cfg: &'a TreeConfig,
    n_features: usize,
    pairs: Vec<(f64, usize)>,
    keys: Vec<u64>,
    tmp: Vec<u64>,
    left_counts: Vec<f64>,
    features: Vec<usize>,
    tree: Tree,
}

struct Best {
    proxy: f64,
    feature: usize,
    threshold: f64,
}

impl<'a> Builder<'a> {
    #[inline]
    fn w(&self, s: usize) -> f64 {
        match self.weights {
            Some(w) => w[s],
            None => 1.0,
        }
    }

    fn stats(&self, samples: &[usize]) -> Stats {
        let mut st = Stats { w: 0.0, counts: vec![0.0; if let Labels::Classes { n_classes, .. } = self.labels { n_classes } else { 0 }], sum: 0.0, sumsq: 0.0 };
        match self.labels {
            Labels::Classes { y, .. } => {
                for &s in samples {
                    let w = self.w(s);
                    st.counts[y[s]] += w;
                    st.w += w;
                }
            }
            Labels::Values(y) => {
                for &s in samples {
                    let w = self.w(s);
                    st.w += w;
                    st.sum += w * y[s];
                    st.sumsq += w * y[s] * y[s];
                }
            }
        }
        st
    }

    fn impurity(&self, st: &Stats) -> f64 {
        if st.w <= 0.0 {
            return 0.0;
        }
        match self.cfg.crit {
            Crit::Gini => 1.0 - st.counts.iter().map(|c| (c / st.w) * (c / st.w)).sum::<f64>(),
            Crit::Entropy => -st
                .counts
                .iter()
                .filter(|&&c| c > 0.0)
                .map(|&c| {
                    let p = c / st.w;
                    p * p.log2()
                })
                .sum::<f64>(),
            Crit::Mse | Crit::FriedmanMse => {
                let m = st.sum / st.w;
                (st.sumsq / st.w - m * m).max(0.0)
            }
        }
    }

    fn push_node(&mut self, st: &Stats, impurity: f64, n: usize) -> usize {
        let t = &mut self.tree;
        let id = t.children_left.len();
        t.children_left.push(-1);
        t.children_right.push(-1);
        t.feature.push(0);
        t.threshold.push(0.0);
        t.impurity.push(impurity);
        t.n_node_samples.push(n);
        t.weighted_n_node_samples.push(st.w);
        match self.labels {
            Labels::Classes { .. } => {
                for &c in &st.counts {
                    t.value.push(if st.w > 0.0 { c / st.w } else { 0.0 });
                }
            }
            Labels::Values(_) => t.value.push(if st.w > 0.0 { st.sum / st.w } else { 0.0 }),
        }
        id
    }

    /// Best split of one feature over `samples` (already sorted into `self.pairs`); updates `best`.
    fn scan_feature(&mut self, f: usize, st: &Stats, best: &mut Option<Best>) {
        let m = self.pairs.len();
        let min_leaf = self.cfg.min_samples_leaf;
        let total_w = st.w;
        let pairs = &self.pairs;
        let weights = self.weights;
        let wt = |s: usize| weights.map_or(1.0, |w| w[s]);
        let consider = |proxy: f64, i: usize, best: &mut Option<Best>| {
            if best.as_ref().is_none_or(|b| proxy > b.proxy) {
                let (a, b) = (pairs[i].0, pairs[i + 1].0);
                let mut thr = a / 2.0 + b / 2.0;
                if thr == b || !thr.is_finite() {
                    thr = a;
                }
                *best = Some(Best { proxy, feature: f, threshold: thr });
            }
        };
        match (self.labels, self.cfg.crit) {
            (Labels::Classes { y, .. }, crit) => {
                let left = &mut self.left_counts;
                left.iter_mut().for_each(|c| *c = 0.0);
                let total = &st.counts;
                let mut wl = 0.0;
                if crit == Crit::Gini {
                    let mut sql = 0.0;
                    let mut sqr: f64 = total.iter().map(|c| c * c).sum();
                    for i in 0..m - 1 {
                        let s = pairs[i].1;
                        let c = y[s];
                        let w = wt(s);
                        let lc = left[c];
                        let rc = total[c] - lc;
                        sql += (2.0 * lc + w) * w;
                        sqr += (w - 2.0 * rc) * w;
                        left[c] = lc + w;
                        wl += w;
                        if pairs[i + 1].0 <= pairs[i].0 + FEATURE_THRESHOLD {
                            continue;
                        }
                        let nl = i + 1;
                        if nl < min_leaf || m - nl < min_leaf {
                            continue;
                        }
                        let wr = total_w - wl;
                        if wl <= 0.0 || wr <= 0.0 {
                            continue;
                        }
                        consider(sql / wl + sqr / wr, i, best);
                    }
                } else {
                    let mut sl = 0.0;
                    let mut sr: f64 = total.iter().map(|&c| xlogx(c)).sum();
                    for i in 0..m - 1 {
                        let s = pairs[i].1;
                        let c = y[s];
                        let w = wt(s);
                        let lc = left[c];
                        let rc = total[c] - lc;
                        sl += xlogx(lc + w) - xlogx(lc);
                        sr += xlogx(rc - w) - xlogx(rc);
                        left[c] = lc + w;
                        wl += w;
                        if pairs[i + 1].0 <= pairs[i].0 + FEATURE_THRESHOLD {
                            continue;
                        }
                        let nl = i + 1;
                        if nl < min_leaf || m - nl < min_leaf {
                            continue;
                        }
                        let wr = total_w - wl;
                        if wl <= 0.0 || wr <= 0.0 {
                            continue;
                        }
                        consider(sl - xlogx(wl) + sr - xlogx(wr), i, best);
                    }
                }
            }
            (Labels::Values(y), _) => {
                let mut suml = 0.0;
                let mut wl = 0.0;
                let total_sum = st.sum;
                for i in 0..m - 1 {
                    let s = pairs[i].1;
                    let w = wt(s);
                    suml += w * y[s];
                    wl += w;
                    if pairs[i + 1].0 <= pairs[i].0 + FEATURE_THRESHOLD {
                        continue;
                    }
                    let nl = i + 1;
                    if nl < min_leaf || m - nl < min_leaf {
                        continue;
                    }
                    let wr = total_w - wl;
                    if wl <= 0.0 || wr <= 0.0 {
                        continue;
                    }
                    let sumr = total_sum - suml;
                    consider(suml * suml / wl + sumr * sumr / wr, i, best);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn improvement(&self, root_w: f64, st: &Stats, imp: f64, l: &Stats, imp_l: f64, r: &Stats, imp_r: f64) -> f64 {
        match self.cfg.crit {
            Crit::FriedmanMse => {
                let diff = r.w * l.sum - l.w * r.sum;
                if l.w > 0.0 && r.w > 0.0 {
                    diff * diff / (l.w * r.w * root_w)
                } else {
                    0.0
                }
            }
            _ => (st.w / root_w) * (imp - r.w / st.w * imp_r - l.w / st.w * imp_l),
        }
    }

    fn build(mut self, samples: &mut [usize], rng: &mut ChaCha8Rng) -> Tree {
        struct Job {
            start: usize,
            end: usize,
            depth: usize,
            parent: usize,
            is_left: bool,
            stats: Stats,
            impurity: f64,
        }
        let root = self.stats(samples);
        let root_w = root.w;
        let root_imp = self.impurity(&root);
        let mut stack = vec![Job { start: 0, end: samples.len(), depth: 0, parent: usize::MAX, is_left: false, stats: root, impurity: root_imp }];
        while let Some(job) = stack.pop() {
            let Job { start, end, depth, parent, is_left, stats, impurity } = job;
            let n = end - start;
            let id = self.push_node(&stats, impurity, n);
            if parent != usize::MAX {
                if is_left {
                    self.tree.children_left[parent] = id as i64;
                } else {
                    self.tree.children_right[parent] = id as i64;
                }
            }
            let cfg = self.cfg;
            if depth >= cfg.max_depth || n < cfg.min_samples_split || n < 2 * cfg.min_samples_leaf || impurity <= EPSILON {
                continue;
            }
            // Visit features in random order until max_features non-constant ones were examined.
            let mut best: Option<Best> = None;
            let mut remaining = self.n_features;
            let mut visited = 0;
            while remaining > 0 && visited < cfg.max_features {
                let j = rng.random_range(0..remaining);
                remaining -= 1;
                self.features.swap(j, remaining);
                let f = self.features[remaining];
                let xt = self.xt;
                let rank = &xt.rank[f * xt.n..(f + 1) * xt.n];
                let uniq = &xt.uniq[f];
                self.keys.clear();
                self.keys.extend(samples[start..end].iter().map(|&s| ((rank[s] as u64) << 32) | s as u64));
                sort_keys(&mut self.keys, &mut self.tmp, xt.bits[f]);
                let (lo, hi) = (uniq[(self.keys[0] >> 32) as usize], uniq[(self.keys[n - 1] >> 32) as usize]);
                if hi <= lo + FEATURE_THRESHOLD {
                    continue; // constant in this node: does not count
                }
                self.pairs.clear();
                self.pairs.extend(self.keys.iter().map(|&k| (uniq[(k >> 32) as usize], (k & 0xffff_ffff) as usize)));
                visited += 1;
                self.scan_feature(f, &stats, &mut best);
            }
            let Some(best) = best else { continue };
            // Partition the node's samples: x <= threshold first.
            let xt = self.xt;
            let part = &mut samples[start..end];
            let (mut i, mut j) = (0, part.len());
            while i < j {
                if xt.value(best.feature, part[i]) <= best.threshold {
                    i += 1;
                } else {
                    j -= 1;
                    part.swap(i, j);
                }
            }
            let mid = start + i;
            if mid == start || mid == end {
                continue;
            }
            let ls = self.stats(&samples[start..mid]);
            let rs = self.stats(&samples[mid..end]);
            let li = self.impurity(&ls);
            let ri = self.impurity(&rs);
            let imp = self.improvement(root_w, &stats, impurity, &ls, li, &rs, ri);
            if imp + EPSILON < cfg.min_impurity_decrease {
                continue;
            }
            self.tree.feature[id] = best.feature;
            self.tree.threshold[id] = best.threshold;
            // Placeholders until the children are created (keeps `is_leaf` false meanwhile).
            self.tree.children_left[id] = 0;
            self.tree.children_right[id] = 0;
            stack.push(Job { start: mid, end, depth: depth + 1, parent: id, is_left: false, stats: rs, impurity: ri });
            stack.push(Job { start, end: mid, depth: depth + 1, parent: id, is_left: true, stats: ls, impurity: li });
        }
        self.tree
    }
}

/// Grows one tree on `samples` (rows with positive weight; reordered in place).
pub(crate) fn build_tree(
    xt: &ColMajor,
    n_features: usize,
    labels: Labels,
    weights: Option<&[f64]>,
    samples: &mut [usize],
    cfg: &TreeConfig,
    rng: &mut ChaCha8Rng,
) -> Tree {
    let n_outputs = match labels {
        Labels::Classes { n_classes, .. } => n_classes.max(1),
        Labels::Values(_) => 1,
    };
    let b = Builder {
        xt,
        labels,
        weights,
        cfg,
        n_features,
        pairs: Vec::with_capacity(samples.len()),
        keys: Vec::with_capacity(samples.len()),
        tmp: Vec::with_capacity(samples.len()),
        left_counts: vec![0.0; n_outputs],
        features: (0..n_features).collect(),
        tree: Tree {
            n_features,
            n_outputs,
            children_left: vec![],
            children_right: vec![],
            feature: vec![],
            threshold: vec![],
            impurity: vec![],
            n_node_samples: vec![],
            weighted_n_node_samples: vec![],
            value: vec![],
            missing_left: vec![],
        },
    };
    b.build(samples, rng)
}

// ---------------------------------------------------------------------------
// DecisionTreeClassifier / DecisionTreeRegressor
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionTreeClassifierParams {
    pub criterion: ClassCriterion,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: Option<MaxFeatures>,
    pub random_state: Option<u64>,
    pub min_impurity_decrease: f64,
    /// `"balanced"` weighs each row by `n / (n_classes · count(its class))`.
    pub class_weight: Option<ClassWeight>,
}

impl Default for DecisionTreeClassifierParams {
    fn default() -> Self {
        DecisionTreeClassifierParams {
            criterion: ClassCriterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            random_state: None,
            min_impurity_decrease: 0.0,
            class_weight: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionTreeRegressorParams {
    pub criterion: RegCriterion,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: Option<MaxFeatures>,
    pub random_state: Option<u64>,
    pub min_impurity_decrease: f64,
}

impl Default for DecisionTreeRegressorParams {
    fn default() -> Self {
        DecisionTreeRegressorParams {
            criterion: RegCriterion::SquaredError,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            random_state: None,
            min_impurity_decrease: 0.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionTreeClassifier {
    pub n_classes: usize,
    pub tree: Tree,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionTreeRegressor {
    pub tree: Tree,
}

/// Schema entries shared by trees and forests.
pub(crate) fn tree_schema(classifier: bool, max_features_default: serde_json::Value) -> Vec<ParamInfo> {
    let mut v = Vec::new();
    if classifier {
        v.push(
            ParamInfo::new("criterion", "choice", json!("gini"), "Split quality: gini impurity or entropy (information gain; log_loss is the same).")
                .choices(&["gini", "entropy", "log_loss"]),
        );
    } else {
        v.push(
            ParamInfo::new("criterion", "choice", json!("squared_error"), "Split quality: reduction of the squared error.")
                .choices(&["squared_error", "friedman_mse"]),
        );
    }
    v.extend([
        ParamInfo::new("max_depth", "int_or_null", json!(null), "Maximum depth of a tree; null grows until leaves are pure.").range(Some(1.0), Some(1000.0)),
        ParamInfo::new("min_samples_split", "int", json!(2), "A node needs at least this many samples to be split.").range(Some(2.0), None),
        ParamInfo::new("min_samples_leaf", "int", json!(1), "Every leaf keeps at least this many samples.").range(Some(1.0), None),
        ParamInfo::new(
            "max_features",
            "string",
            max_features_default,
            "Features examined per split: null (all), \"sqrt\", \"log2\", an int count or a float fraction.",
        ),
        ParamInfo::new("min_impurity_decrease", "float", json!(0.0), "Split only if the weighted impurity decreases by at least this much.")
            .range(Some(0.0), None),
        ParamInfo::new(
            "random_state",
            "int_or_null",
            json!(null),
            "Seed for the feature order (ties between equally good splits); null uses the pipeline seed.",
        ),
    ]);
    v
}

pub(crate) fn regression_target<'a>(model: &str, y: Option<&'a Target>) -> Result<&'a [f64]> {
    let v = super::linear::regression_target(model, y)?;
    if v.iter().any(|t| !t.is_finite()) {
        return Err(Error::data(format!("{model}: the target has missing or infinite values")));
    }
    Ok(v)
}

impl ModelParams for DecisionTreeClassifierParams {
    type Fitted = DecisionTreeClassifier;
    fn task(&self) -> Task {
        Task::Classification
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<DecisionTreeClassifier> {
        const M: &str = "DecisionTreeClassifier";
        check_fit(M, x)?;
        check_finite(M, x)?;
        let (y, n_classes) = class_target(M, y)?;
        let (n, p) = x.dim();
        let cfg = TreeConfig::new(
            M,
            self.criterion.into(),
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.max_features,
            self.min_impurity_decrease,
            p,
        )?;
        let xt = ColMajor::new(x);
        let mut samples: Vec<usize> = (0..n).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed_for(self.random_state));
        let weights: Option<Vec<f64>> = self.class_weight.map(|ClassWeight::Balanced| {
            let cw = super::balanced_class_weights(y, n_classes, None);
            y.iter().map(|&c| cw[c]).collect()
        });
        let tree = build_tree(&xt, p, Labels::Classes { y, n_classes }, weights.as_deref(), &mut samples, &cfg, &mut rng);
        Ok(DecisionTreeClassifier { n_classes, tree })
    }
    fn schema() -> Vec<ParamInfo> {
        let mut v = tree_schema(true, json!(null));
        v.push(
            ParamInfo::new("class_weight", "choice", json!(null), "\"balanced\" weighs rows inversely to their class frequency (for imbalanced classes).")
                .choices(&["balanced"]),
        );
        v
    }
    fn help() -> &'static str {
        "A single decision tree: a flowchart of threshold questions on the features (CART)."
    }
}

impl ModelParams for DecisionTreeRegressorParams {
    type Fitted = DecisionTreeRegressor;
    fn task(&self) -> Task {
        Task::Regression
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<DecisionTreeRegressor> {
        const M: &str = "DecisionTreeRegressor";
        check_fit(M, x)?;
        check_finite(M, x)?;
        let y = regression_target(M, y)?;
        let (n, p) = x.dim();
        let cfg = TreeConfig::new(
            M,
            self.criterion.into(),
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.max_features,
            self.min_impurity_decrease,
            p,
        )?;
        let xt = ColMajor::new(x);
        let mut samples: Vec<usize> = (0..n).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed_for(self.random_state));
        let tree = build_tree(&xt, p, Labels::Values(y), None, &mut samples, &cfg, &mut rng);
        Ok(DecisionTreeRegressor { tree })
    }
    fn schema() -> Vec<ParamInfo> {
        tree_schema(false, json!(null))
    }
    fn help() -> &'static str {
        "A single regression tree: predicts the mean target of the leaf a row falls in."
    }
}

/// Class probabilities of `trees` averaged (one tree = its leaf fractions).
pub(crate) fn predict_classes(model: &str, trees: &[Tree], n_features: usize, n_classes: usize, x: &Array2<f64>) -> Result<Output> {
    check_n_features(model, n_features, x)?;
    let n = x.nrows();
    let k = n_classes.max(1);
    let data = rows_of(x);
    let mut proba = Array2::<f64>::zeros((n, k));
    let inv = 1.0 / trees.len().max(1) as f64;
    if let Some(pr) = proba.as_slice_mut() {
        for tree in trees {
            for i in 0..n {
                let row = &data[i * n_features..(i + 1) * n_features];
                let v = tree.node_value(tree.leaf(row));
                for (c, &pv) in v.iter().take(k).enumerate() {
                    pr[i * k + c] += pv * inv;
                }
            }
        }
    }
    // Renormalize (guards against rounding and hand-edited files).
    for mut row in proba.rows_mut() {
        let s: f64 = row.sum();
        if s > 0.0 {
            row /= s;
        } else {
            row.fill(1.0 / k as f64);
        }
    }
    let labels = (0..n).map(|i| argmax(proba.row(i).as_slice().expect("a row of a standard-layout array is contiguous"))).collect();
    Ok(Output::Classes { labels, proba: Some(proba) })
}

/// Mean of `trees`' leaf values.
pub(crate) fn predict_values(model: &str, trees: &[Tree], n_features: usize, x: &Array2<f64>) -> Result<Vec<f64>> {
    check_n_features(model, n_features, x)?;
    let n = x.nrows();
    let data = rows_of(x);
    let mut out = vec![0.0; n];
    let inv = 1.0 / trees.len().max(1) as f64;
    for tree in trees {
        for (i, o) in out.iter_mut().enumerate() {
            let row = &data[i * n_features..(i + 1) * n_features];
            *o += tree.node_value(tree.leaf(row))[0] * inv;
        }
    }
    Ok(out)
}

/// A tree model as the page shows it: a single decision tree or a forest of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Ensemble {
    Tree,
    Forest { oob_score: Option<f64> },
}

/// Impurity importances of a tree model: a tree's normalized; a forest's the mean of its
/// non-trivial trees' normalized importances, normalized again (scikit-learn's).
pub(crate) fn ensemble_importances(trees: &[Tree], n_features: usize, kind: Ensemble) -> Importances {
    let values = match (kind, trees) {
        (Ensemble::Tree, [tree]) => normalized(tree.raw_importances()),
        _ => {
            let mut acc = vec![0.0; n_features];
            let mut used = 0usize;
            for t in trees.iter().filter(|t| t.n_nodes() > 1) {
                used += 1;
                for (a, v) in acc.iter_mut().zip(normalized(t.raw_importances())) {
                    *a += v;
                }
            }
            if used > 0 {
                acc.iter_mut().for_each(|a| *a /= used as f64);
            }
            normalized(acc)
        }
    };
    Importances { kind: ImportanceKind::Impurity, values }
}

/// What the page shows of a tree model: a single tree drawn to [`INSPECT_DEPTH`] levels, a forest summarized.
pub(crate) fn ensemble_inspection(trees: &[Tree], names: &[String], kind: Ensemble, classifier: bool) -> Inspection {
    match (kind, trees) {
        (Ensemble::Tree, [tree]) => {
            let view = TreeView {
                root: tree.structure(names, INSPECT_DEPTH),
                depth: tree.max_depth(),
                depth_shown: INSPECT_DEPTH,
                n_leaves: tree.n_leaves(),
                classifier,
            };
            Inspection { tree: Some(view), ..Default::default() }
                .fact("n_nodes", tree.n_nodes())
                .fact("n_leaves", tree.n_leaves())
                .fact("depth", tree.max_depth())
                .fact("tree_depth_shown", INSPECT_DEPTH)
        }
        (_, trees) => Inspection::default()
            .fact("n_estimators", trees.len())
            .fact("oob_score", if let Ensemble::Forest { oob_score } = kind { oob_score } else { None })
            .fact("mean_depth", trees.iter().map(|t| t.max_depth() as f64).sum::<f64>() / trees.len().max(1) as f64)
            .fact("total_nodes", trees.iter().map(Tree::n_nodes).sum::<usize>()),
    }
}

/// Checks a tree model loaded from a file: at least one tree, each consistent and of the model's
/// shape (`outputs` = class count for a classifier, 1 for a regressor), class fractions non-negative.
pub(crate) fn validate_ensemble(model: &str, trees: &[Tree], n_features: usize, outputs: usize, classifier: bool) -> Result<()> {
    if trees.is_empty() {
        return Err(Error::ModelFile(format!("{model}: the model has no trees")));
    }
    for t in trees {
        t.validate(model)?;
        if t.n_features != n_features || t.n_outputs != outputs {
            return Err(Error::ModelFile(format!("{model}: a tree's shape does not match the model ({n_features} features, {outputs} outputs)")));
        }
        if classifier && t.value.iter().any(|&v| v < 0.0) {
            return Err(Error::ModelFile(format!("{model}: negative class fraction")));
        }
    }
    Ok(())
}

impl FittedModel for DecisionTreeClassifier {
    fn n_features(&self) -> usize {
        self.tree.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        predict_classes("DecisionTreeClassifier", std::slice::from_ref(&self.tree), self.tree.n_features, self.n_classes, x)
    }
    fn inspect(&self, names: &[String]) -> Inspection {
        ensemble_inspection(std::slice::from_ref(&self.tree), names, Ensemble::Tree, true)
    }
    fn importances(&self) -> Option<Importances> {
        Some(ensemble_importances(std::slice::from_ref(&self.tree), self.tree.n_features, Ensemble::Tree))
    }
    fn validate(&self) -> Result<()> {
        validate_ensemble("DecisionTreeClassifier", std::slice::from_ref(&self.tree), self.tree.n_features, self.n_classes.max(1), true)
    }
}

impl FittedModel for DecisionTreeRegressor {
    fn n_features(&self) -> usize {
        self.tree.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        Ok(Output::Values(predict_values("DecisionTreeRegressor", std::slice::from_ref(&self.tree), self.tree.n_features, x)?))
    }
    fn inspect(&self, names: &[String]) -> Inspection {
        ensemble_inspection(std::slice::from_ref(&self.tree), names, Ensemble::Tree, false)
    }
    fn importances(&self) -> Option<Importances> {
        Some(ensemble_importances(std::slice::from_ref(&self.tree), self.tree.n_features, Ensemble::Tree))
    }
    fn validate(&self) -> Result<()> {
        validate_ensemble("DecisionTreeRegressor", std::slice::from_ref(&self.tree), self.tree.n_features, 1, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn classes(y: &[usize], k: usize) -> Target {
        Target::Classes { y: y.to_vec(), n_classes: k }
    }

    fn fit_clf(p: DecisionTreeClassifierParams, x: &Array2<f64>, y: &[usize], k: usize) -> DecisionTreeClassifier {
        p.fit(x, Some(&classes(y, k)), &FitContext::new(0)).unwrap()
    }

    #[test]
    fn pure_node_is_a_single_leaf() {
        let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let m = fit_clf(DecisionTreeClassifierParams::default(), &x, &[1, 1, 1], 2);
        assert_eq!(m.tree.n_nodes(), 1);
        let Output::Classes { labels, proba } = m.predict(&x).unwrap() else { panic!() };
        assert_eq!(labels, vec![1, 1, 1]);
        assert_eq!(proba.unwrap().row(0).to_vec(), vec![0.0, 1.0]);
    }

    #[test]
    fn one_class_of_three_still_answers() {
        let x = array![[1.0], [2.0]];
        let m = fit_clf(DecisionTreeClassifierParams::default(), &x, &[2, 2], 3);
        let Output::Classes { labels, proba } = m.predict(&array![[10.0]]).unwrap() else { panic!() };
        assert_eq!(labels, vec![2]);
        assert_eq!(proba.unwrap().row(0).to_vec(), vec![0.0, 0.0, 1.0]);
    }

    #[test]
    fn constant_features_give_a_leaf_with_class_fractions() {
        let x = array![[1.0, 5.0], [1.0, 5.0], [1.0, 5.0], [1.0, 5.0]];
        let m = fit_clf(DecisionTreeClassifierParams::default(), &x, &[0, 1, 1, 1], 2);
        assert_eq!(m.tree.n_nodes(), 1);
        let Output::Classes { labels, proba } = m.predict(&x).unwrap() else { panic!() };
        assert_eq!(labels, vec![1; 4]);
        assert!((proba.unwrap()[[0, 1]] - 0.75).abs() < 1e-12);
        assert_eq!(m.importances().unwrap().values[0], 0.0);
    }

    #[test]
    fn stump_splits_at_midpoint_on_the_informative_feature() {
        // Feature 0 is noise; feature 1 separates the classes between 2 and 6.
        let x = array![[3.0, 1.0], [1.0, 2.0], [2.0, 6.0], [3.0, 7.0], [1.0, 8.0]];
        let p = DecisionTreeClassifierParams { max_depth: Some(1), ..Default::default() };
        for seed in 0..5 {
            let m = DecisionTreeClassifierParams { random_state: Some(seed), ..p.clone() }
                .fit(&x, Some(&classes(&[0, 0, 1, 1, 1], 2)), &FitContext::new(0))
                .unwrap();
            assert_eq!(m.tree.n_nodes(), 3);
            assert_eq!(m.tree.feature[0], 1);
            assert_eq!(m.tree.threshold[0], 4.0);
            assert_eq!(m.tree.max_depth(), 1);
            assert_eq!(m.importances().unwrap().values[1], 1.0);
            assert_eq!(m.inspect(&["a".into(), "b".into()]).tree.unwrap().root["feature"], json!("b"));
        }
    }

    #[test]
    fn regressor_stump_and_leaf_means() {
        let x = array![[0.0], [1.0], [2.0], [10.0], [11.0]];
        let y = Target::Values(vec![1.0, 1.0, 1.0, 5.0, 7.0]);
        let m = DecisionTreeRegressorParams { max_depth: Some(1), ..Default::default() }.fit(&x, Some(&y), &FitContext::new(0)).unwrap();
        assert_eq!(m.tree.threshold[0], 6.0);
        let Output::Values(v) = m.predict(&array![[1.5], [20.0]]).unwrap() else { panic!() };
        assert_eq!(v, vec![1.0, 6.0]);
        // Unlimited depth fits the training data exactly.
        let full = DecisionTreeRegressorParams::default().fit(&x, Some(&y), &FitContext::new(0)).unwrap();
        let Output::Values(v) = full.predict(&x).unwrap() else { panic!() };
        assert_eq!(v, vec![1.0, 1.0, 1.0, 5.0, 7.0]);
    }

    fn noisy(n: usize, p: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x = Array2::from_shape_fn((n, p), |_| rng.random_range(0..5) as f64);
        let y = (0..n).map(|i| ((x[[i, 0]] + x[[i, 1]] + rng.random_range(0.0..3.0)) as usize) % 3).collect();
        (x, y)
    }

    #[test]
    fn deterministic_for_a_fixed_seed() {
        let (x, y) = noisy(200, 6, 1);
        let p = DecisionTreeClassifierParams { max_features: Some(MaxFeatures::Name(MaxFeaturesName::Sqrt)), random_state: Some(7), ..Default::default() };
        let a = fit_clf(p.clone(), &x, &y, 3);
        let b = fit_clf(p, &x, &y, 3);
        assert_eq!(a, b);
        a.validate().unwrap();
        let other = fit_clf(DecisionTreeClassifierParams { max_features: Some(MaxFeatures::Int(1)), random_state: Some(8), ..Default::default() }, &x, &y, 3);
        assert_ne!(a.tree, other.tree);
    }

    #[test]
    fn limits_are_respected() {
        let (x, y) = noisy(300, 4, 2);
        let m = fit_clf(DecisionTreeClassifierParams { min_samples_leaf: 10, criterion: ClassCriterion::Entropy, ..Default::default() }, &x, &y, 3);
        for node in 0..m.tree.n_nodes() {
            assert!(m.tree.n_node_samples[node] >= 10);
        }
        let d = fit_clf(DecisionTreeClassifierParams { max_depth: Some(3), ..Default::default() }, &x, &y, 3);
        assert!(d.tree.max_depth() <= 3);
        let s = fit_clf(DecisionTreeClassifierParams { min_impurity_decrease: 10.0, ..Default::default() }, &x, &y, 3);
        assert_eq!(s.tree.n_nodes(), 1);
    }

    #[test]
    fn bad_params_and_data_are_errors() {
        let x = array![[1.0], [2.0]];
        let y = classes(&[0, 1], 2);
        let ctx = FitContext::new(0);
        for p in [
            DecisionTreeClassifierParams { max_depth: Some(0), ..Default::default() },
            DecisionTreeClassifierParams { min_samples_split: 1, ..Default::default() },
            DecisionTreeClassifierParams { min_samples_leaf: 0, ..Default::default() },
            DecisionTreeClassifierParams { max_features: Some(MaxFeatures::Float(1.5)), ..Default::default() },
            DecisionTreeClassifierParams { max_features: Some(MaxFeatures::Int(0)), ..Default::default() },
        ] {
            assert!(matches!(p.fit(&x, Some(&y), &ctx), Err(Error::Param { .. })));
        }
        assert!(DecisionTreeClassifierParams::default().fit(&array![[f64::NAN], [1.0]], Some(&y), &ctx).is_err());
        assert!(DecisionTreeClassifierParams::default().fit(&x, Some(&Target::Values(vec![1.0, 2.0])), &ctx).is_err());
    }

    #[test]
    fn max_features_parses_like_sklearn() {
        let p: DecisionTreeClassifierParams = serde_json::from_str(r#"{"max_features": "sqrt"}"#).unwrap();
        assert_eq!(p.max_features, Some(MaxFeatures::Name(MaxFeaturesName::Sqrt)));
        let p: DecisionTreeClassifierParams = serde_json::from_str(r#"{"max_features": 3}"#).unwrap();
        assert_eq!(MaxFeatures::resolve(p.max_features, 10, "m").unwrap(), 3);
        let p: DecisionTreeClassifierParams = serde_json::from_str(r#"{"max_features": 0.5}"#).unwrap();
        assert_eq!(MaxFeatures::resolve(p.max_features, 10, "m").unwrap(), 5);
        let p: DecisionTreeClassifierParams = serde_json::from_str(r#"{"max_features": 1.0}"#).unwrap();
        assert_eq!(MaxFeatures::resolve(p.max_features, 10, "m").unwrap(), 10);
        assert_eq!(MaxFeatures::resolve(Some(MaxFeatures::Name(MaxFeaturesName::Log2)), 30, "m").unwrap(), 4);
        assert!(serde_json::from_str::<DecisionTreeClassifierParams>(r#"{"max_features": "cube"}"#).is_err());
        assert!(serde_json::from_str::<DecisionTreeClassifierParams>(r#"{"max_depht": 3}"#).is_err());
    }

    #[test]
    fn hostile_trees_are_rejected_and_missing_values_route() {
        let (x, y) = noisy(100, 3, 3);
        let m = fit_clf(DecisionTreeClassifierParams { max_depth: Some(3), ..Default::default() }, &x, &y, 3);
        m.validate().unwrap();
        let mut cyc = m.clone();
        cyc.tree.children_left[1] = 0; // back-edge
        assert!(cyc.validate().is_err());
        let mut oob = m.clone();
        oob.tree.children_right[0] = 10_000;
        assert!(oob.validate().is_err());
        let mut feat = m.clone();
        feat.tree.feature[0] = 3;
        assert!(feat.validate().is_err());
        let mut thr = m.clone();
        thr.tree.threshold[0] = f64::NAN;
        assert!(thr.validate().is_err());
        let mut short = m.clone();
        short.tree.value.pop();
        assert!(short.validate().is_err());
        let mut one = m.clone();
        one.tree.children_left[0] = -1;
        assert!(one.validate().is_err());
        // NaN at predict follows the bigger child instead of failing.
        let Output::Classes { labels, .. } = m.predict(&array![[f64::NAN, f64::NAN, f64::NAN]]).unwrap() else { panic!() };
        assert_eq!(labels.len(), 1);
        assert!(m.predict(&array![[1.0, 2.0]]).is_err());
    }
}
