//! `KNeighborsClassifier` / `KNeighborsRegressor`: exact neighbours by a
//! pruned scan, one query row at a time against the stored training rows
//! (memory O(k) per query, never O(n²)). Neighbours are ordered by distance,
//! then by training-row index, so distance ties resolve to the earlier row;
//! vote ties resolve to the smallest class (numpy's argmax), as the
//! scikit-learn reference does.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::linear::regression_target;
use super::{check_fit, check_n_features};
use crate::estimator::class_target;
use crate::estimator::{FitContext, FittedModel, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::numeric::argmax;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Weights {
    #[default]
    Uniform,
    Distance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    #[default]
    Minkowski,
    Euclidean,
    Manhattan,
}

/// Parameters shared by the classifier and the regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KNeighborsParams {
    pub n_neighbors: usize,
    pub weights: Weights,
    pub metric: Metric,
    /// Power of the Minkowski metric (2 = euclidean, 1 = manhattan).
    pub p: f64,
}

impl Default for KNeighborsParams {
    fn default() -> Self {
        KNeighborsParams { n_neighbors: 5, weights: Weights::Uniform, metric: Metric::Minkowski, p: 2.0 }
    }
}

/// The stored training set and the distance settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnnIndex {
    pub n_neighbors: usize,
    pub weights: Weights,
    pub metric: Metric,
    pub p: f64,
    pub n_features: usize,
    /// Training rows, row-major (`n_train × n_features`).
    pub x: Vec<f64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Dist {
    /// Squared euclidean (root taken on the k selected).
    Sq,
    L1,
    /// Σ|d|^p (root 1/p taken on the k selected).
    Pow(f64),
    Chebyshev,
}

impl KnnIndex {
    fn n_train(&self) -> usize {
        self.x.len() / self.n_features.max(1)
    }

    fn dist_kind(&self) -> Dist {
        match self.metric {
            Metric::Euclidean => Dist::Sq,
            Metric::Manhattan => Dist::L1,
            Metric::Minkowski if self.p == 2.0 => Dist::Sq,
            Metric::Minkowski if self.p == 1.0 => Dist::L1,
            Metric::Minkowski if self.p.is_infinite() => Dist::Chebyshev,
            Metric::Minkowski => Dist::Pow(self.p),
        }
    }

    /// Calls `f(query_row, neighbours)` for every row of `q`, with the
    /// `n_neighbors` nearest training rows as (distance, index), nearest first.
    ///
    /// Training rows are scanned in index order while the k best so far are
    /// kept sorted by (distance, index); a row's partial distance is dropped
    /// as soon as it reaches the current k-th distance (terms are ≥ 0, and a
    /// later row loses ties), so most rows cost a few features. Distances
    /// are summed in feature order, so results do not depend on the pruning.
    fn for_each_neighbours(&self, q: &Array2<f64>, mut f: impl FnMut(usize, &[(f64, usize)])) {
        const CHUNK: usize = 4;
        let p = self.n_features;
        let nt = self.n_train();
        let k = self.n_neighbors.min(nt);
        let kind = self.dist_kind();
        let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
        let mut qr: Vec<f64> = Vec::with_capacity(p);
        for (i, row) in q.rows().into_iter().enumerate() {
            qr.clear();
            qr.extend(row.iter());
            best.clear();
            for (t, tr) in self.x.chunks_exact(p).enumerate() {
                let bound = if best.len() == k { best[k - 1].0 } else { f64::INFINITY };
                let mut d = 0.0f64;
                let mut pruned = false;
                for (qc, tc) in qr.chunks(CHUNK).zip(tr.chunks(CHUNK)) {
                    match kind {
                        Dist::Sq => qc.iter().zip(tc).for_each(|(a, b)| d += (a - b) * (a - b)),
                        Dist::L1 => qc.iter().zip(tc).for_each(|(a, b)| d += (a - b).abs()),
                        Dist::Pow(pw) => qc.iter().zip(tc).for_each(|(a, b)| d += (a - b).abs().powf(pw)),
                        Dist::Chebyshev => qc.iter().zip(tc).for_each(|(a, b)| d = d.max((a - b).abs())),
                    }
                    if d >= bound {
                        pruned = true;
                        break;
                    }
                }
                if pruned {
                    continue;
                }
                // NaN distances (missing query values) rank last.
                let d = if d.is_nan() { f64::INFINITY } else { d };
                if best.len() == k {
                    if d >= best[k - 1].0 {
                        continue;
                    }
                    best.pop();
                }
                // After every entry with distance ≤ d: earlier rows win ties.
                let pos = best.partition_point(|e| e.0 <= d);
                best.insert(pos, (d, t));
            }
            for e in best.iter_mut() {
                e.0 = match kind {
                    Dist::Sq => e.0.sqrt(),
                    Dist::Pow(pw) => e.0.powf(1.0 / pw),
                    _ => e.0,
                };
            }
            f(i, &best);
        }
    }

    /// Neighbour weights: 1 (uniform) or 1/distance, where exact matches take all the weight.
    fn weights_of(&self, nb: &[(f64, usize)], w: &mut Vec<f64>) {
        w.clear();
        match self.weights {
            Weights::Uniform => w.extend(nb.iter().map(|_| 1.0)),
            Weights::Distance => {
                if nb.iter().any(|e| e.0 == 0.0) {
                    w.extend(nb.iter().map(|e| if e.0 == 0.0 { 1.0 } else { 0.0 }));
                } else {
                    w.extend(nb.iter().map(|e| 1.0 / e.0));
                }
            }
        }
    }

    fn validate(&self, model: &str) -> Result<()> {
        let ok = self.n_features >= 1
            && !self.x.is_empty()
            && self.x.len() % self.n_features == 0
            && self.n_neighbors >= 1
            && self.p >= 1.0
            && self.x.iter().all(|v| v.is_finite());
        if !ok {
            return Err(Error::ModelFile(format!("{model}: stored training rows are inconsistent")));
        }
        Ok(())
    }

    fn inspect(&self) -> Inspection {
        Inspection::default()
            .fact("n_neighbors", self.n_neighbors)
            .fact("weights", self.weights)
            .fact("metric", self.metric)
            .fact("p", self.p)
            .fact("n_samples_fit", self.n_train())
    }
}

fn build_index(model: &str, p: &KNeighborsParams, x: &Array2<f64>) -> Result<KnnIndex> {
    if p.n_neighbors == 0 {
        return Err(Error::param(model, "n_neighbors", "must be at least 1"));
    }
    if p.metric == Metric::Minkowski && (p.p.is_nan() || p.p < 1.0) {
        return Err(Error::param(model, "p", format!("must be ≥ 1 for the Minkowski metric, got {}", p.p)));
    }
    check_fit(model, x)?;
    if p.n_neighbors > x.nrows() {
        return Err(Error::param(model, "n_neighbors", format!("is {} but only {} training rows are available; lower n_neighbors", p.n_neighbors, x.nrows())));
    }
    if let Some((i, _)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::data(format!(
            "{model}: training row {} holds a missing or infinite value; add a SimpleImputer before the model",
            i / x.ncols() + 1
        )));
    }
    let xs: Vec<f64> = x.iter().copied().collect();
    Ok(KnnIndex { n_neighbors: p.n_neighbors, weights: p.weights, metric: p.metric, p: p.p, n_features: x.ncols(), x: xs })
}

fn knn_schema() -> Vec<ParamInfo> {
    vec![
        ParamInfo::new("n_neighbors", "int", json!(5), "How many nearest training rows vote.").range(Some(1.0), Some(1000.0)),
        ParamInfo::new("weights", "choice", json!("uniform"), "uniform: every neighbour counts the same; distance: closer neighbours count more (1/distance).")
            .choices(&["uniform", "distance"]),
        ParamInfo::new("metric", "choice", json!("minkowski"), "Distance between rows (minkowski uses the power p).").choices(&[
            "minkowski",
            "euclidean",
            "manhattan",
        ]),
        ParamInfo::new("p", "float", json!(2.0), "Minkowski power: 1 = manhattan, 2 = euclidean.").range(Some(1.0), Some(10.0)),
    ]
}

// ---------------------------------------------------------------- classifier

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct KNeighborsClassifierParams(pub KNeighborsParams);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KNeighborsClassifier {
    pub index: KnnIndex,
    pub y: Vec<usize>,
    pub n_classes: usize,
}

impl ModelParams for KNeighborsClassifierParams {
    type Fitted = KNeighborsClassifier;
    fn task(&self) -> Task {
        Task::Classification
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, _ctx: &FitContext) -> Result<KNeighborsClassifier> {
        let index = build_index("KNeighborsClassifier", &self.0, x)?;
        let (y, n_classes) = class_target("KNeighborsClassifier", y)?;
        if y.len() != x.nrows() {
            return Err(Error::data("KNeighborsClassifier: target and feature rows do not match"));
        }
        Ok(KNeighborsClassifier { index, y: y.to_vec(), n_classes })
    }
    fn schema() -> Vec<ParamInfo> {
        knn_schema()
    }
    fn help() -> &'static str {
        "k nearest neighbours: a row takes the majority class of the k most similar training rows."
    }
}

impl FittedModel for KNeighborsClassifier {
    fn n_features(&self) -> usize {
        self.index.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features("KNeighborsClassifier", self.index.n_features, x)?;
        let n = x.nrows();
        let k = self.n_classes.max(1);
        let mut proba = Array2::<f64>::zeros((n, k));
        let mut labels = vec![0; n];
        let mut w = Vec::new();
        self.index.for_each_neighbours(x, |i, nb| {
            self.index.weights_of(nb, &mut w);
            let mut row = proba.row_mut(i);
            for (e, wi) in nb.iter().zip(&w) {
                row[self.y[e.1]] += wi;
            }
            let s: f64 = row.sum();
            if s > 0.0 {
                row.mapv_inplace(|v| v / s);
            }
            labels[i] = argmax(row.as_slice().expect("rows of a standard-layout matrix are contiguous"));
        });
        Ok(Output::Classes { labels, proba: Some(proba) })
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        self.index.inspect()
    }
    fn validate(&self) -> Result<()> {
        self.index.validate("KNeighborsClassifier")?;
        if self.y.len() != self.index.n_train() || self.y.iter().any(|&c| c >= self.n_classes) {
            return Err(Error::ModelFile("KNeighborsClassifier: stored labels do not match the stored rows".into()));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- regressor

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct KNeighborsRegressorParams(pub KNeighborsParams);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KNeighborsRegressor {
    pub index: KnnIndex,
    pub y: Vec<f64>,
}

impl ModelParams for KNeighborsRegressorParams {
    type Fitted = KNeighborsRegressor;
    fn task(&self) -> Task {
        Task::Regression
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, _ctx: &FitContext) -> Result<KNeighborsRegressor> {
        let index = build_index("KNeighborsRegressor", &self.0, x)?;
        let y = regression_target("KNeighborsRegressor", y)?;
        if y.len() != x.nrows() {
            return Err(Error::data("KNeighborsRegressor: target and feature rows do not match"));
        }
        Ok(KNeighborsRegressor { index, y: y.to_vec() })
    }
    fn schema() -> Vec<ParamInfo> {
        knn_schema()
    }
    fn help() -> &'static str {
        "k nearest neighbours: a row's prediction is the average target of the k most similar training rows."
    }
}

impl FittedModel for KNeighborsRegressor {
    fn n_features(&self) -> usize {
        self.index.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features("KNeighborsRegressor", self.index.n_features, x)?;
        let mut out = vec![0.0; x.nrows()];
        let mut w = Vec::new();
        self.index.for_each_neighbours(x, |i, nb| {
            self.index.weights_of(nb, &mut w);
            let (mut s, mut sw) = (0.0, 0.0);
            for (e, wi) in nb.iter().zip(&w) {
                s += wi * self.y[e.1];
                sw += wi;
            }
            out[i] = s / sw;
        });
        Ok(Output::Values(out))
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        self.index.inspect()
    }
    fn validate(&self) -> Result<()> {
        self.index.validate("KNeighborsRegressor")?;
        if self.y.len() != self.index.n_train() || self.y.iter().any(|v| !v.is_finite()) {
            return Err(Error::ModelFile("KNeighborsRegressor: stored targets do not match the stored rows".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> Array2<f64> {
        Array2::from_shape_vec((6, 1), vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0]).unwrap()
    }

    fn params(k: usize, weights: Weights, metric: Metric, p: f64) -> KNeighborsParams {
        KNeighborsParams { n_neighbors: k, weights, metric, p }
    }

    #[test]
    fn classifier_votes_and_probabilities() {
        let x = line();
        let t = Target::Classes { y: vec![0, 0, 1, 1, 1, 1], n_classes: 2 };
        let m = KNeighborsClassifierParams(params(3, Weights::Uniform, Metric::Euclidean, 2.0)).fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        let q = Array2::from_shape_vec((2, 1), vec![0.4, 6.0]).unwrap();
        let Output::Classes { labels, proba } = m.predict(&q).unwrap() else { panic!() };
        // 0.4 -> rows 0,1,2 (classes 0,0,1); 6.0 -> distances 6,5,4,4,5,6 -> rows 2,3 then row 1 (5, index 1 < 4).
        assert_eq!(labels, vec![0, 1]);
        let p = proba.unwrap();
        assert!((p[[0, 0]] - 2.0 / 3.0).abs() < 1e-12);
        assert!((p[[1, 1]] - 2.0 / 3.0).abs() < 1e-12);
        // Distance weights: an exact match takes the vote.
        let m = KNeighborsClassifierParams(params(3, Weights::Distance, Metric::Minkowski, 2.0)).fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        let q = Array2::from_shape_vec((1, 1), vec![2.0]).unwrap();
        let Output::Classes { labels, proba } = m.predict(&q).unwrap() else { panic!() };
        assert_eq!(labels, vec![1]);
        assert_eq!(proba.unwrap()[[0, 1]], 1.0);
        m.validate().unwrap();
    }

    #[test]
    fn vote_ties_go_to_the_smallest_class() {
        let x = line();
        let t = Target::Classes { y: vec![1, 0, 1, 0, 0, 0], n_classes: 2 };
        let m = KNeighborsClassifierParams(params(2, Weights::Uniform, Metric::Euclidean, 2.0)).fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        let q = Array2::from_shape_vec((1, 1), vec![0.5]).unwrap();
        let Output::Classes { labels, .. } = m.predict(&q).unwrap() else { panic!() };
        assert_eq!(labels, vec![0]);
    }

    #[test]
    fn regressor_metrics_and_weights() {
        let x = Array2::from_shape_vec((4, 2), vec![0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 3.0, 3.0]).unwrap();
        let t = Target::Values(vec![1.0, 2.0, 3.0, 10.0]);
        let q = Array2::from_shape_vec((1, 2), vec![0.0, 0.0]).unwrap();
        let m = KNeighborsRegressorParams(params(2, Weights::Uniform, Metric::Manhattan, 2.0)).fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        assert_eq!(m.predict(&q).unwrap(), Output::Values(vec![1.5]));
        let q2 = Array2::from_shape_vec((1, 2), vec![0.5, 1.0]).unwrap();
        // Distances (euclid): row0 √1.25, row1 √1.25, row2 √1.25, row3 ... → first two by index.
        let m = KNeighborsRegressorParams(params(2, Weights::Distance, Metric::Minkowski, 3.0)).fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        let Output::Values(v) = m.predict(&q2).unwrap() else { panic!() };
        // Minkowski p=3: row0 (0.125+1)^(1/3), row1 same, row2 (0.125+1)^(1/3): ties -> rows 0,1, equal weights.
        assert!((v[0] - 1.5).abs() < 1e-12, "{v:?}");
        m.validate().unwrap();
    }

    #[test]
    fn errors() {
        let x = line();
        let t = Target::Classes { y: vec![0, 0, 1, 1, 1, 1], n_classes: 2 };
        let e = KNeighborsClassifierParams(params(7, Weights::Uniform, Metric::Euclidean, 2.0)).fit(&x, Some(&t), &FitContext::new(0)).unwrap_err();
        assert!(e.to_string().contains("n_neighbors"), "{e}");
        let e = KNeighborsClassifierParams(params(0, Weights::Uniform, Metric::Euclidean, 2.0)).fit(&x, Some(&t), &FitContext::new(0)).unwrap_err();
        assert!(e.to_string().contains("n_neighbors"));
        let e = KNeighborsRegressorParams(params(1, Weights::Uniform, Metric::Minkowski, 0.5))
            .fit(&x, Some(&Target::Values(vec![0.0; 6])), &FitContext::new(0))
            .unwrap_err();
        assert!(e.to_string().contains("'p'"), "{e}");
        assert!(serde_json::from_str::<KNeighborsClassifierParams>(r#"{"k": 3}"#).is_err());
        assert!(serde_json::from_str::<KNeighborsClassifierParams>(r#"{"metric": "cosine"}"#).is_err());
        let p: KNeighborsClassifierParams = serde_json::from_str(r#"{"n_neighbors": 1}"#).unwrap();
        // One sample: 1-NN returns its label.
        let x1 = Array2::from_shape_vec((1, 1), vec![3.0]).unwrap();
        let m = KNeighborsRegressorParams(p.0.clone()).fit(&x1, Some(&Target::Values(vec![4.0])), &FitContext::new(0)).unwrap();
        assert_eq!(m.predict(&line()).unwrap(), Output::Values(vec![4.0; 6]));
        let mut xn = line();
        xn[[2, 0]] = f64::NAN;
        assert!(KNeighborsClassifierParams::default().fit(&xn, Some(&t), &FitContext::new(0)).is_err());
        let m = KNeighborsClassifierParams::default().fit(&line(), Some(&t), &FitContext::new(0)).unwrap();
        let mut bad = m.clone();
        bad.y.pop();
        assert!(bad.validate().is_err());
        assert!(m.predict(&Array2::zeros((1, 2))).is_err());
    }

    #[test]
    fn pruned_scan_equals_full_sort_with_ties() {
        // Integer grid data: many equal distances; 9 features so the pruning crosses chunks.
        let (n, p) = (120, 9);
        let x = Array2::from_shape_fn((n, p), |(i, j)| ((i * 7 + j * 3) % 5) as f64);
        let q = Array2::from_shape_fn((30, p), |(i, j)| ((i * 5 + j * 2) % 4) as f64);
        for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Minkowski] {
            let pw = if metric == Metric::Minkowski { 3.0 } else { 2.0 };
            let idx = build_index("test", &params(7, Weights::Uniform, metric, pw), &x).unwrap();
            idx.for_each_neighbours(&q, |i, nb| {
                let mut all: Vec<(f64, usize)> = (0..n)
                    .map(|t| {
                        let d: f64 = (0..p)
                            .map(|j| {
                                let v = (q[[i, j]] - x[[t, j]]).abs();
                                match metric {
                                    Metric::Manhattan => v,
                                    Metric::Euclidean => v * v,
                                    Metric::Minkowski => v.powf(3.0),
                                }
                            })
                            .sum();
                        (d, t)
                    })
                    .collect();
                crate::sorting::sort_by(&mut all, &|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let want: Vec<usize> = all[..7].iter().map(|e| e.1).collect();
                let got: Vec<usize> = nb.iter().map(|e| e.1).collect();
                assert_eq!(got, want, "query {i} {metric:?}");
            });
        }
    }
}
