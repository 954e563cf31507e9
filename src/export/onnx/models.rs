//! Emitters of the models: each takes the `[N, p]` double matrix that reaches the
//! model and returns what it predicts as graph values. Everything is computed in
//! double: linear models, SVMs, naive Bayes, k-NN and k-means with arithmetic
//! operators, trees with `ai.onnx.ml` TreeEnsemble (opset 5, double thresholds and
//! leaf weights).

use super::graph::{tensor_f64, Attr, Graph, ML};
use super::proto::{data_type as dt, TensorProto};
use super::refuse;
use crate::models::knn::{KnnIndex, Metric, Weights};
use crate::models::tree::Tree;
use crate::pipeline::FittedModelEnum;
use crate::{Error, Result};

/// What a model emits.
pub enum ModelOut {
    /// Class indices (int64 `[N]`, into the pipeline's classes), probabilities `[N, K]`
    /// when the model has them, else decision scores.
    Classes { index: String, proba: Option<String>, scores: Option<String> },
    /// Regression values `[N, 1]`.
    Values(String),
    /// Cluster index (int64 `[N]`) and the distance to every centre `[N, K]`.
    Clusters { index: String, distances: String },
}

pub fn emit_model(g: &mut Graph, m: &FittedModelEnum, x: &str, p: usize) -> Result<ModelOut> {
    if m.n_features() != p {
        return Err(Error::data(format!("{} expects {} features but the graph gives it {p}", m.name(), m.n_features())));
    }
    match m {
        FittedModelEnum::LinearRegression(m) => Ok(ModelOut::Values(linear(g, x, std::slice::from_ref(&m.coef), &[m.intercept]))),
        FittedModelEnum::Ridge(m) => Ok(ModelOut::Values(linear(g, x, std::slice::from_ref(&m.coef), &[m.intercept]))),
        FittedModelEnum::Lasso(m) => Ok(ModelOut::Values(linear(g, x, std::slice::from_ref(&m.0.coef), &[m.0.intercept]))),
        FittedModelEnum::ElasticNet(m) => Ok(ModelOut::Values(linear(g, x, std::slice::from_ref(&m.0.coef), &[m.0.intercept]))),
        FittedModelEnum::LogisticRegression(m) => {
            let z = linear(g, x, &m.coef, &m.intercept);
            let proba = if m.coef.len() == 1 { binary_proba(g, &z) } else { g.op("Softmax", &[&z], vec![("axis", Attr::I(1))]) };
            let index = argmax(g, &proba);
            Ok(ModelOut::Classes { index, proba: Some(proba), scores: None })
        }
        FittedModelEnum::LinearSVC(m) => {
            let z = linear(g, x, &m.coef, &m.intercept);
            let pos = if m.coef.len() == 1 {
                let zero = g.scalar_f64(0.0);
                let gt = g.op("Greater", &[&z, &zero], vec![]);
                let gt = g.op("Cast", &[&gt], vec![("to", Attr::I(dt::INT64 as i64))]);
                let flat = g.c_i64("shape", &[1], vec![-1]);
                g.op("Reshape", &[&gt, &flat], vec![])
            } else {
                argmax(g, &z)
            };
            let classes = g.c_i64("classes", &[m.classes.len()], m.classes.iter().map(|&c| c as i64).collect());
            let index = g.op("Gather", &[&classes, &pos], vec![("axis", Attr::I(0))]);
            Ok(ModelOut::Classes { index, proba: None, scores: Some(z) })
        }
        FittedModelEnum::SVC(m) => {
            let n_sv = m.support_vectors.len() / m.n_features.max(1);
            let sq = sq_distances(g, x, &m.support_vectors, n_sv, m.n_features);
            let ng = g.scalar_f64(-m.gamma);
            let t = g.mul(&ng, &sq);
            let k = g.op("Exp", &[&t], vec![]);
            let np = m.pairs.len();
            let mut w = vec![0.0; n_sv * np];
            for (c, pair) in m.pairs.iter().enumerate() {
                for (&s, &a) in pair.sv.iter().zip(&pair.dual_coef) {
                    w[s * np + c] += a;
                }
            }
            let w = g.c_f64("dual_coef", &[n_sv, np], w);
            let d = g.op("MatMul", &[&k, &w], vec![]);
            let rho = g.c_f64("rho", &[1, np], m.pairs.iter().map(|p| p.rho).collect());
            let d = g.sub(&d, &rho);
            // Votes: a pair's first class when its decision is > 0, else its second.
            let kc = m.classes.len();
            let col = |c: usize| m.classes.iter().position(|&k| k == c);
            let (mut a, mut b) = (vec![0.0; np * kc], vec![0.0; np * kc]);
            for (q, pair) in m.pairs.iter().enumerate() {
                if let (Some(ia), Some(ib)) = (col(pair.a), col(pair.b)) {
                    a[q * kc + ia] = 1.0;
                    b[q * kc + ib] = 1.0;
                }
            }
            let zero = g.scalar_f64(0.0);
            let gt = g.op("Greater", &[&d, &zero], vec![]);
            let gt = g.to_f64(&gt);
            let one = g.scalar_f64(1.0);
            let le = g.sub(&one, &gt);
            let a = g.c_f64("vote_a", &[np, kc], a);
            let b = g.c_f64("vote_b", &[np, kc], b);
            let va = g.op("MatMul", &[&gt, &a], vec![]);
            let vb = g.op("MatMul", &[&le, &b], vec![]);
            let votes = g.add(&va, &vb);
            let pos = argmax(g, &votes);
            let classes = g.c_i64("classes", &[kc], m.classes.iter().map(|&c| c as i64).collect());
            let index = g.op("Gather", &[&classes, &pos], vec![("axis", Attr::I(0))]);
            Ok(ModelOut::Classes { index, proba: None, scores: Some(d) })
        }
        FittedModelEnum::GaussianNB(m) => {
            let k = m.theta.len();
            let pf = m.theta.first().map_or(0, Vec::len);
            // jll[c] = log prior[c] − ½ Σ log(2π var) − ½ Σ (x − θ)² / var
            let consts: Vec<f64> =
                (0..k).map(|c| m.class_prior[c].ln() - 0.5 * m.var[c].iter().map(|v| (2.0 * std::f64::consts::PI * v).ln()).sum::<f64>()).collect();
            let x3 = unsqueeze1(g, x);
            let th = g.c_f64("theta", &[1, k, pf], m.theta.iter().flatten().copied().collect());
            let va = g.c_f64("var", &[1, k, pf], m.var.iter().flatten().copied().collect());
            let d = g.sub(&x3, &th);
            let d2 = g.mul(&d, &d);
            let q = g.div(&d2, &va);
            let s = g.reduce("ReduceSum", &q, 2, false);
            let half = g.scalar_f64(-0.5);
            let s = g.mul(&s, &half);
            let cst = g.c_f64("jll_const", &[1, k], consts);
            let jll = g.add(&cst, &s);
            let index = argmax(g, &jll);
            let proba = g.op("Softmax", &[&jll], vec![("axis", Attr::I(1))]);
            Ok(ModelOut::Classes { index, proba: Some(proba), scores: None })
        }
        FittedModelEnum::KNeighborsClassifier(m) => {
            let (idx, w) = knn(g, x, &m.index)?;
            let kc = m.n_classes.max(1);
            let nt = m.y.len();
            let mut onehot = vec![0.0; nt * kc];
            for (t, &c) in m.y.iter().enumerate() {
                onehot[t * kc + c] = 1.0;
            }
            let oh = g.c_f64("neighbour_classes", &[nt, kc], onehot);
            let votes = g.op("Gather", &[&oh, &idx], vec![("axis", Attr::I(0))]); // [N, k, K]
            let votes = g.mul(&votes, &w);
            let votes = g.reduce("ReduceSum", &votes, 1, false); // [N, K]
            let tot = g.row_sum(&votes);
            let proba = g.div(&votes, &tot);
            let index = argmax(g, &proba);
            Ok(ModelOut::Classes { index, proba: Some(proba), scores: None })
        }
        FittedModelEnum::KNeighborsRegressor(m) => {
            let (idx, w) = knn(g, x, &m.index)?;
            let nt = m.y.len();
            let y = g.c_f64("neighbour_targets", &[nt, 1], m.y.clone());
            let v = g.op("Gather", &[&y, &idx], vec![("axis", Attr::I(0))]); // [N, k, 1]
            let v = g.mul(&v, &w);
            let s = g.reduce("ReduceSum", &v, 1, false); // [N, 1]
            let sw = g.reduce("ReduceSum", &w, 1, false);
            Ok(ModelOut::Values(g.div(&s, &sw)))
        }
        FittedModelEnum::KMeans(m) => {
            let sq = sq_distances(g, x, &m.cluster_centers, m.n_clusters, m.n_features);
            let index = g.op("ArgMin", &[&sq], vec![("axis", Attr::I(1)), ("keepdims", Attr::I(0))]);
            let distances = g.op("Sqrt", &[&sq], vec![]);
            Ok(ModelOut::Clusters { index, distances })
        }
        FittedModelEnum::DecisionTreeRegressor(m) => Ok(ModelOut::Values(trees_mean(g, x, std::slice::from_ref(&m.tree), 1.0))),
        FittedModelEnum::RandomForestRegressor(m) => Ok(ModelOut::Values(trees_mean(g, x, &m.trees, 1.0 / m.trees.len().max(1) as f64))),
        FittedModelEnum::DecisionTreeClassifier(m) => Ok(forest_classes(g, x, std::slice::from_ref(&m.tree), m.n_classes)),
        FittedModelEnum::RandomForestClassifier(m) => Ok(forest_classes(g, x, &m.trees, m.n_classes)),
        FittedModelEnum::GradientBoostingRegressor(m) => {
            let entries: Vec<(&Tree, usize, f64)> = m.trees.iter().map(|t| (t, 0, m.learning_rate)).collect();
            let s = tree_ensemble(g, x, &entries, 1);
            let init = g.scalar_f64(m.init);
            Ok(ModelOut::Values(g.add(&init, &s)))
        }
        FittedModelEnum::HistGradientBoostingRegressor(m) => {
            let entries: Vec<(&Tree, usize, f64)> = m.trees.iter().map(|t| (t, 0, 1.0)).collect();
            let s = tree_ensemble(g, x, &entries, 1);
            let init = g.scalar_f64(m.init);
            Ok(ModelOut::Values(g.add(&init, &s)))
        }
        FittedModelEnum::GradientBoostingClassifier(m) => boosted_classes(g, x, &m.stages, &m.init, m.learning_rate, m.n_classes, "GradientBoostingClassifier"),
        FittedModelEnum::HistGradientBoostingClassifier(m) => boosted_classes(g, x, &m.stages, &m.init, 1.0, m.n_classes, "HistGradientBoostingClassifier"),
        FittedModelEnum::DBSCAN(_) => Err(refuse("DBSCAN", "it labels only the rows it was fitted on (it has no rule for new rows)")),
        FittedModelEnum::AgglomerativeClustering(_) => {
            Err(refuse("AgglomerativeClustering", "it labels only the rows it was fitted on (it has no rule for new rows)"))
        }
    }
}

/// `x · Wᵀ + b` for `W` = `coef` rows: `[N, rows]`.
fn linear(g: &mut Graph, x: &str, coef: &[Vec<f64>], intercept: &[f64]) -> String {
    let k = coef.len();
    let p = coef.first().map_or(0, Vec::len);
    let mut w = vec![0.0; p * k];
    for (c, r) in coef.iter().enumerate() {
        for (j, &v) in r.iter().enumerate() {
            w[j * k + c] = v;
        }
    }
    let w = g.c_f64("coef", &[p, k], w);
    let z = g.op("MatMul", &[x, &w], vec![]);
    let b = g.c_f64("intercept", &[1, k], intercept.to_vec());
    g.add(&z, &b)
}

/// `[1 − σ(z), σ(z)]` for a `[N, 1]` decision.
fn binary_proba(g: &mut Graph, z: &str) -> String {
    let p1 = g.op("Sigmoid", &[z], vec![]);
    let one = g.scalar_f64(1.0);
    let p0 = g.sub(&one, &p1);
    g.concat(&[p0, p1], 1)
}

/// Index of the first maximum of each row: int64 `[N]`.
fn argmax(g: &mut Graph, m: &str) -> String {
    g.op("ArgMax", &[m], vec![("axis", Attr::I(1)), ("keepdims", Attr::I(0))])
}

/// `[N, p]` → `[N, 1, p]`.
fn unsqueeze1(g: &mut Graph, x: &str) -> String {
    let ax = g.c_i64("axes", &[1], vec![1]);
    g.op("Unsqueeze", &[x, &ax], vec![])
}

/// Squared euclidean distances `[N, R]` from each row of `x` to the `r` rows of `points` (row-major `r × p`).
fn sq_distances(g: &mut Graph, x: &str, points: &[f64], r: usize, p: usize) -> String {
    let x3 = unsqueeze1(g, x);
    let pts = g.c_f64("points", &[1, r, p], points.to_vec());
    let d = g.sub(&x3, &pts);
    let d2 = g.mul(&d, &d);
    g.reduce("ReduceSum", &d2, 2, false)
}

/// The k nearest training rows (indices `[N, k]`, lower index first on ties, as TopK
/// guarantees) and their weights `[N, k, 1]`.
fn knn(g: &mut Graph, x: &str, ix: &KnnIndex) -> Result<(String, String)> {
    let p = ix.n_features;
    let nt = ix.x.len() / p.max(1);
    let k = ix.n_neighbors.min(nt);
    let x3 = unsqueeze1(g, x);
    let pts = g.c_f64("train_rows", &[1, nt, p], ix.x.clone());
    let d = g.sub(&x3, &pts);
    let euclid = match ix.metric {
        Metric::Euclidean => true,
        Metric::Manhattan => false,
        Metric::Minkowski if ix.p == 2.0 => true,
        Metric::Minkowski if ix.p == 1.0 => false,
        Metric::Minkowski => return Err(refuse("KNeighbors", &format!("the Minkowski distance with p = {} is not exported (p = 1 and p = 2 are)", ix.p))),
    };
    let dist = if euclid {
        let d2 = g.mul(&d, &d);
        g.reduce("ReduceSum", &d2, 2, false)
    } else {
        let a = g.op("Abs", &[&d], vec![]);
        g.reduce("ReduceSum", &a, 2, false)
    };
    let kk = g.c_i64("k", &[1], vec![k as i64]);
    let tk = g.op_n("", "TopK", &[&dist, &kk], 2, vec![("axis", Attr::I(1)), ("largest", Attr::I(0)), ("sorted", Attr::I(1))]);
    let (vals, idx) = (tk[0].clone(), tk[1].clone());
    let w = match ix.weights {
        Weights::Uniform => g.ones_like(&vals),
        Weights::Distance => {
            let dv = if euclid { g.op("Sqrt", &[&vals], vec![]) } else { vals };
            // Any neighbour at distance 0: weights are (d == 0); else 1 / d.
            let zero = g.scalar_f64(0.0);
            let is0 = g.op("Equal", &[&dv, &zero], vec![]);
            let is0f = g.to_f64(&is0);
            let any0 = g.reduce("ReduceMax", &is0f, 1, true);
            let one = g.scalar_f64(1.0);
            let inv = g.div(&one, &dv);
            let has0 = g.op("Greater", &[&any0, &zero], vec![]);
            g.where_(&has0, &is0f, &inv)
        }
    };
    let ax = g.c_i64("axes", &[1], vec![2]);
    let w3 = g.op("Unsqueeze", &[&w, &ax], vec![]);
    Ok((idx, w3))
}

/// Class probabilities of (averaged) classification trees, renormalized as pipelab does.
fn forest_classes(g: &mut Graph, x: &str, trees: &[Tree], n_classes: usize) -> ModelOut {
    let k = n_classes.max(1);
    let inv = 1.0 / trees.len().max(1) as f64;
    // One copy of each tree per class: a TreeEnsemble leaf feeds one target.
    let mut entries: Vec<(&Tree, usize, f64)> = Vec::new();
    for t in trees {
        for c in 0..k {
            entries.push((t, c, inv));
        }
    }
    let s = tree_ensemble_multi(g, x, &entries, k);
    let tot = g.row_sum(&s);
    let zero = g.scalar_f64(0.0);
    let pos = g.op("Greater", &[&tot, &zero], vec![]);
    let unif = g.scalar_f64(1.0 / k as f64);
    let zeros = g.mul(&s, &zero);
    let uniform = g.add(&zeros, &unif);
    let div = g.div(&s, &tot);
    let proba = g.where_(&pos, &div, &uniform);
    let index = argmax(g, &proba);
    ModelOut::Classes { index, proba: Some(proba), scores: None }
}

fn trees_mean(g: &mut Graph, x: &str, trees: &[Tree], scale: f64) -> String {
    let entries: Vec<(&Tree, usize, f64)> = trees.iter().map(|t| (t, 0, scale)).collect();
    tree_ensemble(g, x, &entries, 1)
}

fn boosted_classes(g: &mut Graph, x: &str, stages: &[Vec<Tree>], init: &[f64], lr: f64, n_classes: usize, name: &str) -> Result<ModelOut> {
    let k = init.len();
    if n_classes < 2 || k == 0 {
        return Err(refuse(name, "it was fitted on a single class"));
    }
    let mut entries: Vec<(&Tree, usize, f64)> = Vec::new();
    for stage in stages {
        for (c, t) in stage.iter().enumerate() {
            entries.push((t, c, lr));
        }
    }
    let s = tree_ensemble(g, x, &entries, k);
    let init = g.c_f64("init", &[1, k], init.to_vec());
    let raw = g.add(&init, &s);
    let proba = if k == 1 { binary_proba(g, &raw) } else { g.op("Softmax", &[&raw], vec![("axis", Attr::I(1))]) };
    let index = argmax(g, &proba);
    Ok(ModelOut::Classes { index, proba: Some(proba), scores: None })
}

/// Trees whose leaves hold one value each (output 0) → `[N, n_targets]` sums of `scale · leaf`.
fn tree_ensemble(g: &mut Graph, x: &str, entries: &[(&Tree, usize, f64)], n_targets: usize) -> String {
    let e: Vec<(&Tree, usize, f64, usize)> = entries.iter().map(|&(t, c, s)| (t, c, s, 0)).collect();
    ensemble(g, x, &e, n_targets)
}

/// Trees whose leaves hold one value per class: the copy for class `c` reads output `c`.
fn tree_ensemble_multi(g: &mut Graph, x: &str, entries: &[(&Tree, usize, f64)], n_targets: usize) -> String {
    let e: Vec<(&Tree, usize, f64, usize)> = entries.iter().map(|&(t, c, s)| (t, c, s, c)).collect();
    ensemble(g, x, &e, n_targets)
}

/// One `ai.onnx.ml` TreeEnsemble (opset 5) node: `x <= threshold` goes to the true (left)
/// child; a missing value follows the side pipelab sends it to.
fn ensemble(g: &mut Graph, x: &str, entries: &[(&Tree, usize, f64, usize)], n_targets: usize) -> String {
    let mut featureids = Vec::new();
    let mut splits = Vec::new();
    let mut truenode = Vec::new();
    let mut trueleaf = Vec::new();
    let mut falsenode = Vec::new();
    let mut falseleaf = Vec::new();
    let mut missing_true = Vec::new();
    let mut roots = Vec::new();
    let mut leaf_target = Vec::new();
    let mut leaf_weight = Vec::new();
    for &(t, target, scale, output) in entries {
        let n = t.n_nodes();
        let no = t.n_outputs.max(1);
        let base_node = featureids.len();
        // Interior nodes and leaves numbered in node order within this tree.
        let mut interior = vec![usize::MAX; n];
        let mut leaf = vec![usize::MAX; n];
        let (mut ni, mut nl) = (0, 0);
        for i in 0..n {
            if t.is_leaf(i) {
                leaf[i] = leaf_weight.len() + nl;
                nl += 1;
            } else {
                interior[i] = base_node + ni;
                ni += 1;
            }
        }
        for i in 0..n {
            if t.is_leaf(i) {
                leaf_target.push(target as i64);
                leaf_weight.push(scale * t.value[i * no + output]);
            }
        }
        if ni == 0 {
            // A single leaf: one split whose both sides reach it.
            roots.push(featureids.len() as i64);
            featureids.push(0);
            splits.push(0.0);
            truenode.push(leaf[0] as i64);
            trueleaf.push(1);
            falsenode.push(leaf[0] as i64);
            falseleaf.push(1);
            missing_true.push(0);
            continue;
        }
        roots.push(interior[0] as i64);
        for i in 0..n {
            if t.is_leaf(i) {
                continue;
            }
            let l = t.children_left[i] as usize;
            let r = t.children_right[i] as usize;
            featureids.push(t.feature[i] as i64);
            splits.push(t.threshold[i]);
            let (lid, lleaf) = if t.is_leaf(l) { (leaf[l], 1) } else { (interior[l], 0) };
            let (rid, rleaf) = if t.is_leaf(r) { (leaf[r], 1) } else { (interior[r], 0) };
            truenode.push(lid as i64);
            trueleaf.push(lleaf);
            falsenode.push(rid as i64);
            falseleaf.push(rleaf);
            let go_left = match t.missing_left.get(i) {
                Some(&m) => m,
                None => t.weighted_n_node_samples[l] >= t.weighted_n_node_samples[r],
            };
            missing_true.push(go_left as i64);
        }
    }
    let n_nodes = featureids.len();
    let modes = TensorProto { dims: vec![n_nodes as i64], data_type: dt::UINT8, int32_data: vec![0; n_nodes], ..Default::default() };
    let n_leaves = leaf_weight.len();
    g.op_n(
        ML,
        "TreeEnsemble",
        &[x],
        1,
        vec![
            ("aggregate_function", Attr::I(1)),
            ("leaf_targetids", Attr::Ints(leaf_target)),
            ("leaf_weights", Attr::T(tensor_f64(&[n_leaves], leaf_weight))),
            ("n_targets", Attr::I(n_targets as i64)),
            ("nodes_falseleafs", Attr::Ints(falseleaf)),
            ("nodes_falsenodeids", Attr::Ints(falsenode)),
            ("nodes_featureids", Attr::Ints(featureids)),
            ("nodes_missing_value_tracks_true", Attr::Ints(missing_true)),
            ("nodes_modes", Attr::T(modes)),
            ("nodes_splits", Attr::T(tensor_f64(&[n_nodes], splits))),
            ("nodes_trueleafs", Attr::Ints(trueleaf)),
            ("nodes_truenodeids", Attr::Ints(truenode)),
            ("post_transform", Attr::I(0)),
            ("tree_roots", Attr::Ints(roots)),
        ],
    )
    .remove(0)
}
