//! `DBSCAN`: density-based clustering, as scikit-learn.
//!
//! A row is a *core sample* when at least `min_samples` rows (itself included)
//! lie within distance `eps` (`≤ eps`). Clusters are grown from core samples in
//! row order, exactly as scikit-learn's `dbscan_inner`, so border rows reachable
//! from two clusters get the same label as in scikit-learn. Rows reached by no
//! cluster are noise (`-1`).
//!
//! Neighbour search uses a uniform grid of cell side `eps` over the (up to) three
//! features with the widest range: candidates come from the 3^k adjacent cells
//! and are checked on the full distance, so memory stays O(n) (scikit-learn
//! stores every neighbourhood). Each row is queried at most twice.
//!
//! `predict` on new rows (scikit-learn's DBSCAN has no `predict`): the label of
//! the nearest core sample within `eps`, else `-1`.
//! Left out: `algorithm`, `leaf_size`, `p`, `n_jobs` (search-structure tuning),
//! `sample_weight`; `metric` is `euclidean` or `manhattan`.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_finite, check_labels, Metric};
use crate::estimator::{FitContext, FittedModel, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::models::{check_fit, check_n_features};
use crate::{Error, Result};

const NAME: &str = "DBSCAN";
const GRID_DIMS: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DBSCANParams {
    pub eps: f64,
    pub min_samples: usize,
    pub metric: Metric,
}

impl Default for DBSCANParams {
    fn default() -> Self {
        DBSCANParams { eps: 0.5, min_samples: 5, metric: Metric::Euclidean }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DBSCAN {
    pub eps: f64,
    pub metric: Metric,
    pub n_features: usize,
    /// Training-row indices of the core samples.
    pub core_sample_indices: Vec<usize>,
    /// The core samples, row-major (`n_core × n_features`).
    pub components: Vec<f64>,
    /// Cluster label of every training row (`-1` = noise).
    pub labels: Vec<i64>,
    /// Number of clusters found (noise excluded).
    pub n_clusters: usize,
}

/// A uniform grid over a row-major point set, for fixed-radius neighbour queries.
pub(crate) struct Grid<'a> {
    x: &'a [f64],
    d: usize,
    radius: f64,
    radius_sq: f64,
    metric: Metric,
    dims: Vec<usize>,
    mins: Vec<f64>,
    /// Points in cell order.
    order: Vec<usize>,
    /// Sorted (cell key, start, end) into `order`.
    cells: Vec<([i64; GRID_DIMS], usize, usize)>,
}

impl<'a> Grid<'a> {
    pub(crate) fn new(x: &'a [f64], d: usize, radius: f64, metric: Metric) -> Grid<'a> {
        let n = x.len().checked_div(d).unwrap_or(0);
        // Grid on the features with the widest range (more than one cell wide).
        let mut spread: Vec<(f64, usize, f64)> = (0..d)
            .map(|j| {
                let (lo, hi) = (0..n).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), i| (lo.min(x[i * d + j]), hi.max(x[i * d + j])));
                (hi - lo, j, lo)
            })
            .filter(|&(w, _, _)| w > radius)
            .collect();
        crate::sorting::sort_by(&mut spread, &|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        spread.truncate(GRID_DIMS);
        let dims: Vec<usize> = spread.iter().map(|s| s.1).collect();
        let mins: Vec<f64> = spread.iter().map(|s| s.2).collect();
        let mut g =
            Grid { x, d, radius, radius_sq: radius * radius * (1.0 + 4.0 * f64::EPSILON), metric, dims, mins, order: (0..n).collect(), cells: Vec::new() };
        let keys: Vec<[i64; GRID_DIMS]> = (0..n).map(|i| g.key(&x[i * d..(i + 1) * d])).collect();
        crate::sorting::sort_indices_by(&mut g.order, &|a, b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
        let mut s = 0;
        while s < n {
            let k = keys[g.order[s]];
            let mut e = s + 1;
            while e < n && keys[g.order[e]] == k {
                e += 1;
            }
            g.cells.push((k, s, e));
            s = e;
        }
        g
    }

    fn key(&self, p: &[f64]) -> [i64; GRID_DIMS] {
        let mut k = [0i64; GRID_DIMS];
        for (t, (&j, &lo)) in self.dims.iter().zip(&self.mins).enumerate() {
            // `as` saturates; far-away cells merge, which only adds candidates.
            k[t] = ((p[j] - lo) / self.radius).floor() as i64;
        }
        k
    }

    /// Calls `f(index, distance)` for every point within `radius` of `q` (any
    /// order); `f` returns false to stop early.
    pub(crate) fn within(&self, q: &[f64], mut f: impl FnMut(usize, f64) -> bool) {
        let base = self.key(q);
        let nd = self.dims.len();
        let total = 3usize.pow(nd as u32);
        for code in 0..total {
            let mut key = base;
            let mut c = code;
            for t in key.iter_mut().take(nd) {
                *t = t.saturating_add((c % 3) as i64 - 1);
                c /= 3;
            }
            let Ok(ci) = self.cells.binary_search_by(|cell| cell.0.cmp(&key)) else { continue };
            let (_, s, e) = self.cells[ci];
            for &i in &self.order[s..e] {
                let p = &self.x[i * self.d..(i + 1) * self.d];
                let dist = match self.metric {
                    // Compare squared distances; take the root only for neighbours.
                    Metric::Euclidean => {
                        let sq = super::sq_dist(q, p);
                        if sq > self.radius_sq {
                            continue;
                        }
                        sq.sqrt()
                    }
                    Metric::Manhattan => self.metric.dist(q, p),
                };
                if dist <= self.radius && !f(i, dist) {
                    return;
                }
            }
        }
    }
}

impl ModelParams for DBSCANParams {
    type Fitted = DBSCAN;
    fn task(&self) -> Task {
        Task::Clustering
    }
    fn fit(&self, x: &Array2<f64>, _y: Option<&Target>, _ctx: &FitContext) -> Result<DBSCAN> {
        check_fit(NAME, x)?;
        check_finite(NAME, x)?;
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            return Err(Error::param(NAME, "eps", "must be a finite number > 0"));
        }
        if self.min_samples == 0 {
            return Err(Error::param(NAME, "min_samples", "must be at least 1"));
        }
        let (n, d) = x.dim();
        let xs = x.as_standard_layout();
        // as_standard_layout returns a contiguous array, so as_slice is Some.
        let xs: &[f64] = xs.as_slice().unwrap_or(&[]);
        let grid = Grid::new(xs, d, self.eps, self.metric);
        let row = |i: usize| &xs[i * d..(i + 1) * d];
        let ms = self.min_samples;
        let is_core: Vec<bool> = (0..n)
            .map(|i| {
                let mut cnt = 0;
                grid.within(row(i), |_, _| {
                    cnt += 1;
                    cnt < ms
                });
                cnt >= ms
            })
            .collect();
        // scikit-learn's dbscan_inner: depth-first expansion from each unlabeled core row, in row order.
        let mut labels = vec![-1i64; n];
        let mut stack: Vec<usize> = Vec::new();
        let mut label = 0i64;
        for start in 0..n {
            if labels[start] != -1 || !is_core[start] {
                continue;
            }
            let mut i = start;
            loop {
                if labels[i] == -1 {
                    labels[i] = label;
                    if is_core[i] {
                        grid.within(row(i), |v, _| {
                            if labels[v] == -1 {
                                stack.push(v);
                            }
                            true
                        });
                    }
                }
                match stack.pop() {
                    Some(v) => i = v,
                    None => break,
                }
            }
            label += 1;
        }
        let core_sample_indices: Vec<usize> = (0..n).filter(|&i| is_core[i]).collect();
        let components = core_sample_indices.iter().flat_map(|&i| row(i).iter().copied()).collect();
        Ok(DBSCAN { eps: self.eps, metric: self.metric, n_features: d, core_sample_indices, components, labels, n_clusters: label as usize })
    }
    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("eps", "float", json!(0.5), "Neighbourhood radius: rows closer than this are neighbours.").range(Some(0.0), None),
            ParamInfo::new("min_samples", "int", json!(5), "Neighbours (the row itself included) a row needs to be a core sample.").range(Some(1.0), None),
            ParamInfo::new("metric", "choice", json!("euclidean"), "Distance between rows.").choices(&["euclidean", "manhattan"]),
        ]
    }
    fn help() -> &'static str {
        "DBSCAN: clusters are dense regions (rows with many neighbours within eps); isolated rows are noise (-1). No need to choose k."
    }
}

impl FittedModel for DBSCAN {
    fn training_labels(&self) -> Option<&[i64]> {
        Some(&self.labels)
    }
    fn labels_noise(&self) -> bool {
        true
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    /// Nearest core sample within eps, else -1 (scikit-learn has no `DBSCAN.predict`).
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features(NAME, self.n_features, x)?;
        check_finite(NAME, x)?;
        let d = self.n_features;
        let grid = Grid::new(&self.components, d, self.eps, self.metric);
        let core_labels: Vec<i64> = self.core_sample_indices.iter().map(|&i| self.labels[i]).collect();
        let xs = x.as_standard_layout();
        // as_standard_layout returns a contiguous array, so as_slice is Some.
        let xs: &[f64] = xs.as_slice().unwrap_or(&[]);
        let out = xs
            .chunks_exact(d)
            .map(|q| {
                let mut best: Option<(f64, usize)> = None;
                grid.within(q, |c, dist| {
                    if best.is_none_or(|(bd, bc)| dist < bd || (dist == bd && c < bc)) {
                        best = Some((dist, c));
                    }
                    true
                });
                best.map_or(-1, |(_, c)| core_labels[c])
            })
            .collect();
        Ok(Output::Clusters(out))
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        let mut sizes = vec![0usize; self.n_clusters];
        self.labels.iter().filter(|&&l| l >= 0).for_each(|&l| sizes[l as usize] += 1);
        Inspection::default()
            .fact("n_core_samples", self.core_sample_indices.len())
            .detail("cluster_sizes", sizes)
            .fact("n_noise", self.labels.iter().filter(|&&l| l < 0).count())
    }
    fn validate(&self) -> Result<()> {
        if !(self.eps > 0.0 && self.eps.is_finite()) || self.n_features == 0 {
            return Err(Error::ModelFile("DBSCAN: eps must be > 0 and n_features ≥ 1".into()));
        }
        if self.components.len() != self.core_sample_indices.len() * self.n_features || self.components.iter().any(|v| !v.is_finite()) {
            return Err(Error::ModelFile("DBSCAN: components must hold n_core × n_features finite values".into()));
        }
        if self.core_sample_indices.iter().any(|&i| i >= self.labels.len() || self.labels[i] < 0) {
            return Err(Error::ModelFile("DBSCAN: every core sample must be a labelled training row".into()));
        }
        check_labels(NAME, &self.labels, self.n_clusters, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::cluster::testdata::blobs;

    /// Brute-force DBSCAN (scikit-learn's algorithm with full neighbourhoods) for comparison.
    fn brute(x: &Array2<f64>, eps: f64, ms: usize, metric: Metric) -> Vec<i64> {
        let n = x.nrows();
        let r = |i: usize| x.row(i).to_vec();
        let nb: Vec<Vec<usize>> = (0..n).map(|i| (0..n).filter(|&j| metric.dist(&r(i), &r(j)) <= eps).collect()).collect();
        let core: Vec<bool> = nb.iter().map(|v| v.len() >= ms).collect();
        let mut labels = vec![-1i64; n];
        let mut l = 0;
        for s in 0..n {
            if labels[s] != -1 || !core[s] {
                continue;
            }
            let mut stack = vec![s];
            while let Some(i) = stack.pop() {
                if labels[i] == -1 {
                    labels[i] = l;
                    if core[i] {
                        stack.extend(nb[i].iter().copied().filter(|&v| labels[v] == -1));
                    }
                }
            }
            l += 1;
        }
        labels
    }

    #[test]
    fn blobs_with_noise() {
        let (mut x, _) = blobs(30, 4);
        // Two isolated rows become noise.
        x.push_row(ndarray::ArrayView1::from(&[50.0, 50.0])).unwrap();
        x.push_row(ndarray::ArrayView1::from(&[-40.0, 5.0])).unwrap();
        let m = DBSCANParams { eps: 1.0, min_samples: 4, ..Default::default() }.fit(&x, None, &FitContext::new(0)).unwrap();
        assert_eq!(m.n_clusters, 3);
        assert_eq!(&m.labels[90..], &[-1, -1]);
        assert_eq!(m.labels, brute(&x, 1.0, 4, Metric::Euclidean));
        m.validate().unwrap();
        // predict on the training rows: core rows keep their label, noise stays noise.
        let Output::Clusters(p) = m.predict(&x).unwrap() else { panic!() };
        for &i in &m.core_sample_indices {
            assert_eq!(p[i], m.labels[i]);
        }
        assert_eq!(&p[90..], &[-1, -1]);
    }

    #[test]
    fn matches_brute_force_on_random_data() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for (d, eps, ms, metric) in
            [(1, 0.004, 3, Metric::Euclidean), (2, 0.08, 4, Metric::Euclidean), (5, 0.5, 3, Metric::Manhattan), (4, 0.15, 2, Metric::Euclidean)]
        {
            let x = Array2::from_shape_fn((300, d), |_| rng.random::<f64>());
            let m = DBSCANParams { eps, min_samples: ms, metric }.fit(&x, None, &FitContext::new(0)).unwrap();
            assert_eq!(m.labels, brute(&x, eps, ms, metric), "d={d}");
            assert!(m.n_clusters >= 2, "d={d}: the case should be non-trivial");
        }
    }

    #[test]
    fn params_validated() {
        let (x, _) = blobs(3, 0);
        let ctx = FitContext::new(0);
        assert!(DBSCANParams { eps: 0.0, ..Default::default() }.fit(&x, None, &ctx).unwrap_err().to_string().contains("eps"));
        assert!(DBSCANParams { min_samples: 0, ..Default::default() }.fit(&x, None, &ctx).unwrap_err().to_string().contains("min_samples"));
        assert!(serde_json::from_str::<DBSCANParams>(r#"{"metric": "cosine"}"#).is_err());
    }
}
