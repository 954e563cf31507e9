//! `AgglomerativeClustering`: bottom-up hierarchical clustering, as
//! scikit-learn (which calls SciPy's `linkage` for ward/complete/average and
//! its own minimum spanning tree for single).
//!
//! - `ward`: nearest-neighbour chain on cluster centroids, merge cost
//!   `√(2·|A||B|/(|A|+|B|))·‖c_A − c_B‖` (SciPy's ward heights); O(n·d) memory.
//! - `single`: Prim's minimum spanning tree; O(n) memory.
//! - `complete`, `average`: nearest-neighbour chain with Lance–Williams updates
//!   on the condensed distance matrix; O(n²) memory, hence the lower row limit.
//!
//! Merges are sorted by height (stable) and numbered as SciPy does; the tree
//! is cut into `n_clusters` clusters by undoing the last merges, and labels
//! are numbered as scikit-learn's `_hc_cut` does. With `distance_threshold`
//! (and `n_clusters: null`) the tree is cut where merge heights reach the threshold.
//!
//! `predict` on new rows (scikit-learn has no `predict` here): the cluster
//! whose training centroid is nearest (euclidean).
//! Left out: `connectivity` (no structured clustering), `memory`,
//! `compute_full_tree` (the full tree is always built; labels are unaffected),
//! `compute_distances` (heights are always kept).

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_finite, check_labels, cluster_means, nearest_center, sq_dist, Metric};
use crate::estimator::{FitContext, FittedModel, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::models::{check_fit, check_n_features};
use crate::{Error, Result};

const NAME: &str = "AgglomerativeClustering";
/// Row limit for ward and single linkage (O(n) memory, O(n²) time).
pub const MAX_ROWS_LINEAR_MEMORY: usize = 20_000;
/// Row limit for complete and average linkage (condensed n² / 2 matrix: 400 MB at 10,000 rows).
pub const MAX_ROWS_MATRIX: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Linkage {
    #[default]
    Ward,
    Complete,
    Average,
    Single,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgglomerativeClusteringParams {
    pub n_clusters: Option<usize>,
    pub linkage: Linkage,
    pub metric: Metric,
    pub distance_threshold: Option<f64>,
}

impl Default for AgglomerativeClusteringParams {
    fn default() -> Self {
        AgglomerativeClusteringParams { n_clusters: Some(2), linkage: Linkage::Ward, metric: Metric::Euclidean, distance_threshold: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgglomerativeClustering {
    pub n_clusters: usize,
    pub n_features: usize,
    pub linkage: Linkage,
    /// Cluster of each training row.
    pub labels: Vec<i64>,
    /// Centroid of each cluster (row-major `n_clusters × n_features`), for `predict`.
    pub centroids: Vec<f64>,
    /// The merge tree as scikit-learn's `children_`: node `n + i` is merge `i`.
    pub children: Vec<[usize; 2]>,
    /// Height of each merge (scikit-learn's `distances_`).
    pub distances: Vec<f64>,
}

/// One merge of slots `a`, `b` at height `h` (slot ids, before relabelling).
struct Merge {
    a: usize,
    b: usize,
    h: f64,
}

/// Index into the condensed matrix for i < j.
#[inline]
fn cidx(n: usize, i: usize, j: usize) -> usize {
    n * i - i * (i + 1) / 2 + (j - i - 1)
}

/// Ward by nearest-neighbour chain on centroids. Compares squared ward costs.
fn ward_chain(x: &[f64], n: usize, d: usize) -> Vec<Merge> {
    let mut cent: Vec<f64> = x.to_vec();
    let mut size = vec![1usize; n];
    let mut active: Vec<usize> = (0..n).collect();
    let mut pos = vec![0usize; n];
    for (p, &a) in active.iter().enumerate() {
        pos[a] = p;
    }
    let cost = |cent: &[f64], size: &[usize], a: usize, b: usize| {
        let (na, nb) = (size[a] as f64, size[b] as f64);
        2.0 * na * nb / (na + nb) * sq_dist(&cent[a * d..(a + 1) * d], &cent[b * d..(b + 1) * d])
    };
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    let mut chain: Vec<usize> = Vec::new();
    while active.len() > 1 {
        if chain.is_empty() {
            chain.push(active[0]);
        }
        let (x0, y0, best) = loop {
            let xk = chain[chain.len() - 1];
            let (mut y, mut best) = if chain.len() > 1 {
                let y = chain[chain.len() - 2];
                (y, cost(&cent, &size, xk, y))
            } else {
                (usize::MAX, f64::INFINITY)
            };
            for &i in &active {
                if i == xk {
                    continue;
                }
                let c = cost(&cent, &size, xk, i);
                if c < best {
                    best = c;
                    y = i;
                }
            }
            if chain.len() > 1 && y == chain[chain.len() - 2] {
                break (xk, y, best);
            }
            chain.push(y);
        };
        chain.pop();
        chain.pop();
        let (a, b) = if x0 < y0 { (x0, y0) } else { (y0, x0) };
        merges.push(Merge { a, b, h: best.max(0.0).sqrt() });
        // Merge a into b (SciPy keeps the larger slot id).
        let (na, nb) = (size[a] as f64, size[b] as f64);
        for j in 0..d {
            cent[b * d + j] = (na * cent[a * d + j] + nb * cent[b * d + j]) / (na + nb);
        }
        size[b] += size[a];
        size[a] = 0;
        let p = pos[a];
        active.swap_remove(p);
        if p < active.len() {
            pos[active[p]] = p;
        }
    }
    merges
}

/// Complete / average linkage by nearest-neighbour chain on the condensed matrix.
/// Active clusters are scanned in index order (a mask, not a shuffled list) so
/// the matrix is read as sequentially as the condensed layout allows.
fn matrix_chain(x: &[f64], n: usize, d: usize, linkage: Linkage, metric: Metric) -> Vec<Merge> {
    let mut dm = vec![0.0f64; n * (n - 1) / 2];
    for i in 0..n {
        let base = cidx(n, i, i + 1);
        let xi = &x[i * d..(i + 1) * d];
        for j in i + 1..n {
            dm[base + (j - i - 1)] = metric.dist(xi, &x[j * d..(j + 1) * d]);
        }
    }
    let mut size = vec![1usize; n];
    let mut alive = vec![true; n];
    let mut n_alive = n;
    let mut merges = Vec::with_capacity(n - 1);
    let mut chain: Vec<usize> = Vec::new();
    // Nearest alive neighbour of `xk` (ties: the current candidate, then the lowest index).
    let nearest = |dm: &[f64], alive: &[bool], xk: usize, mut y: usize, mut best: f64| {
        for i in 0..xk {
            if alive[i] {
                let c = dm[cidx(n, i, xk)];
                if c < best {
                    best = c;
                    y = i;
                }
            }
        }
        if xk + 1 < n {
            let base = cidx(n, xk, xk + 1);
            for (off, &c) in dm[base..base + (n - xk - 1)].iter().enumerate() {
                if c < best && alive[xk + 1 + off] {
                    best = c;
                    y = xk + 1 + off;
                }
            }
        }
        (y, best)
    };
    let get = |dm: &[f64], i: usize, j: usize| if i < j { dm[cidx(n, i, j)] } else { dm[cidx(n, j, i)] };
    while n_alive > 1 {
        if chain.is_empty() {
            // n_alive > 1, so an alive index exists.
            chain.push(alive.iter().position(|&a| a).unwrap_or(0));
        }
        let (x0, y0, best) = loop {
            let xk = chain[chain.len() - 1];
            let (y, best) = if chain.len() > 1 {
                let prev = chain[chain.len() - 2];
                nearest(&dm, &alive, xk, prev, get(&dm, xk, prev))
            } else {
                nearest(&dm, &alive, xk, usize::MAX, f64::INFINITY)
            };
            if chain.len() > 1 && y == chain[chain.len() - 2] {
                break (xk, y, best);
            }
            chain.push(y);
        };
        chain.pop();
        chain.pop();
        let (a, b) = if x0 < y0 { (x0, y0) } else { (y0, x0) };
        merges.push(Merge { a, b, h: best });
        let (na, nb) = (size[a] as f64, size[b] as f64);
        alive[a] = false;
        n_alive -= 1;
        for (i, _) in alive.iter().enumerate().filter(|&(i, &al)| al && i != b) {
            let (dai, dbi) = (get(&dm, a, i), get(&dm, b, i));
            let v = match linkage {
                Linkage::Complete => dai.max(dbi),
                _ => (na * dai + nb * dbi) / (na + nb),
            };
            let k = if i < b { cidx(n, i, b) } else { cidx(n, b, i) };
            dm[k] = v;
        }
        size[b] += size[a];
        size[a] = 0;
    }
    merges
}

/// Single linkage by Prim's minimum spanning tree (scikit-learn's `mst_linkage_core`).
fn single_mst(x: &[f64], n: usize, d: usize, metric: Metric) -> Vec<Merge> {
    let mut in_tree = vec![false; n];
    let mut best = vec![f64::INFINITY; n];
    let mut merges = Vec::with_capacity(n - 1);
    let mut cur = 0;
    for _ in 1..n {
        in_tree[cur] = true;
        let mut next = (f64::INFINITY, usize::MAX);
        for j in 0..n {
            if in_tree[j] {
                continue;
            }
            let dd = metric.dist(&x[cur * d..(cur + 1) * d], &x[j * d..(j + 1) * d]);
            if dd < best[j] {
                best[j] = dd;
            }
            if best[j] < next.0 || next.1 == usize::MAX {
                next = (best[j], j);
            }
        }
        merges.push(Merge { a: cur, b: next.1, h: next.0 });
        cur = next.1;
    }
    merges
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Sorts merges by height (stable) and renumbers them as SciPy's linkage matrix:
/// children of merge `i` are node ids (`< n` leaves, `n + j` merge `j`).
fn to_tree(mut merges: Vec<Merge>, n: usize) -> (Vec<[usize; 2]>, Vec<f64>) {
    crate::sorting::sort_by(&mut merges, &|p, q| p.h.total_cmp(&q.h));
    let mut parent: Vec<usize> = (0..2 * n).collect();
    let mut node: Vec<usize> = (0..2 * n).collect(); // root slot -> node id
    let mut children = Vec::with_capacity(merges.len());
    let mut heights = Vec::with_capacity(merges.len());
    for (i, m) in merges.iter().enumerate() {
        let (ra, rb) = (find(&mut parent, m.a), find(&mut parent, m.b));
        let (na, nb) = (node[ra], node[rb]);
        children.push([na.min(nb), na.max(nb)]);
        heights.push(m.h);
        parent[ra] = rb;
        node[rb] = n + i;
    }
    (children, heights)
}

/// Python's `heapq` push / pushpop on a min-heap of i64 (to number labels as `_hc_cut`).
fn sift_down(h: &mut [i64], start: usize, mut pos: usize) {
    let item = h[pos];
    while pos > start {
        let parent = (pos - 1) >> 1;
        if item < h[parent] {
            h[pos] = h[parent];
            pos = parent;
        } else {
            break;
        }
    }
    h[pos] = item;
}
fn sift_up(h: &mut [i64], mut pos: usize) {
    let end = h.len();
    let start = pos;
    let item = h[pos];
    let mut child = 2 * pos + 1;
    while child < end {
        let right = child + 1;
        if right < end && h[child] >= h[right] {
            child = right;
        }
        h[pos] = h[child];
        pos = child;
        child = 2 * pos + 1;
    }
    h[pos] = item;
    sift_down(h, start, pos);
}
fn heappush(h: &mut Vec<i64>, v: i64) {
    h.push(v);
    let last = h.len() - 1;
    sift_down(h, 0, last);
}
fn heappushpop(h: &mut [i64], v: i64) -> i64 {
    if !h.is_empty() && h[0] < v {
        let top = h[0];
        h[0] = v;
        sift_up(h, 0);
        return top;
    }
    v
}

/// Labels for a cut into `k` clusters (scikit-learn's `_hc_cut` numbering).
fn hc_cut(k: usize, children: &[[usize; 2]], n: usize) -> Vec<i64> {
    if k >= n {
        return (0..n as i64).collect();
    }
    let mut nodes: Vec<i64> = vec![-((2 * n - 2) as i64)];
    for _ in 0..k - 1 {
        let top = (-nodes[0]) as usize;
        let ch = children[top - n];
        heappush(&mut nodes, -(ch[0] as i64));
        heappushpop(&mut nodes, -(ch[1] as i64));
    }
    let mut labels = vec![-1i64; n];
    let mut stack = Vec::new();
    for (i, &node) in nodes.iter().enumerate() {
        stack.push((-node) as usize);
        while let Some(v) = stack.pop() {
            if v < n {
                labels[v] = i as i64;
            } else {
                stack.extend(children[v - n]);
            }
        }
    }
    labels
}

impl ModelParams for AgglomerativeClusteringParams {
    type Fitted = AgglomerativeClustering;
    fn task(&self) -> Task {
        Task::Clustering
    }
    fn fit(&self, x: &Array2<f64>, _y: Option<&Target>, _ctx: &FitContext) -> Result<AgglomerativeClustering> {
        check_fit(NAME, x)?;
        check_finite(NAME, x)?;
        let (n, d) = x.dim();
        match (self.n_clusters, self.distance_threshold) {
            (Some(_), Some(_)) => return Err(Error::param(NAME, "distance_threshold", "cannot be set together with n_clusters; set n_clusters to null")),
            (None, None) => return Err(Error::param(NAME, "n_clusters", "is null, so distance_threshold must be given")),
            (Some(0), _) => return Err(Error::param(NAME, "n_clusters", "must be at least 1")),
            (Some(k), _) if k > n => return Err(Error::data(format!("{NAME}: n_clusters={k} but there are only {n} rows; lower n_clusters"))),
            (_, Some(t)) if !(t >= 0.0 && t.is_finite()) => return Err(Error::param(NAME, "distance_threshold", "must be a finite number ≥ 0")),
            _ => {}
        }
        if self.linkage == Linkage::Ward && self.metric != Metric::Euclidean {
            return Err(Error::param(NAME, "metric", "must be euclidean with linkage=\"ward\""));
        }
        let limit = match self.linkage {
            Linkage::Ward | Linkage::Single => MAX_ROWS_LINEAR_MEMORY,
            _ => MAX_ROWS_MATRIX,
        };
        if n > limit {
            return Err(Error::data(format!(
                "{NAME} with linkage={:?} holds at most {limit} rows here (it needs O(n²) time{}) but got {n}; sample the rows, or use KMeans or DBSCAN",
                format!("{:?}", self.linkage).to_lowercase(),
                if limit == MAX_ROWS_MATRIX { " and memory" } else { "" }
            )));
        }
        let xs = x.as_standard_layout();
        // as_standard_layout returns a contiguous array, so as_slice is Some.
        let xs: &[f64] = xs.as_slice().unwrap_or(&[]);
        let merges = if n < 2 {
            Vec::new()
        } else {
            match self.linkage {
                Linkage::Ward => ward_chain(xs, n, d),
                Linkage::Single => single_mst(xs, n, d, self.metric),
                l => matrix_chain(xs, n, d, l, self.metric),
            }
        };
        let (children, distances) = to_tree(merges, n);
        let k = match (self.n_clusters, self.distance_threshold) {
            (Some(k), _) => k,
            (None, Some(t)) => distances.iter().filter(|&&h| h >= t).count() + 1,
            _ => 1,
        };
        let labels = if n < 2 { vec![0; n] } else { hc_cut(k, &children, n) };
        let centroids = cluster_means(x.view(), &labels, k).iter().copied().collect();
        Ok(AgglomerativeClustering { n_clusters: k, n_features: d, linkage: self.linkage, labels, centroids, children, distances })
    }
    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("n_clusters", "int_or_null", json!(2), "Number of clusters to cut the tree into (null: cut at distance_threshold).")
                .range(Some(1.0), None),
            ParamInfo::new(
                "linkage",
                "choice",
                json!("ward"),
                "How the distance between two groups is measured: ward (least variance increase), complete (farthest pair), average, single (closest pair).",
            )
            .choices(&["ward", "complete", "average", "single"]),
            ParamInfo::new("metric", "choice", json!("euclidean"), "Distance between rows (ward needs euclidean).").choices(&["euclidean", "manhattan"]),
            ParamInfo::new(
                "distance_threshold",
                "float_or_null",
                json!(null),
                "Cut the tree where merges are at least this far apart (needs n_clusters = null).",
            )
            .range(Some(0.0), None),
        ]
    }
    fn help() -> &'static str {
        "Hierarchical clustering: starts with every row alone and repeatedly merges the two closest groups (up to 20,000 rows)."
    }
}

impl FittedModel for AgglomerativeClustering {
    fn training_labels(&self) -> Option<&[i64]> {
        Some(&self.labels)
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    /// Nearest training-cluster centroid (scikit-learn has no `predict` for this model).
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features(NAME, self.n_features, x)?;
        check_finite(NAME, x)?;
        Ok(Output::Clusters(nearest_center(x, &self.centroids, self.n_features)))
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        let mut sizes = vec![0usize; self.n_clusters];
        self.labels.iter().for_each(|&l| sizes[l as usize] += 1);
        Inspection { cluster_centers: self.centroids.chunks(self.n_features.max(1)).map(<[f64]>::to_vec).collect(), ..Default::default() }
            .fact("linkage", self.linkage)
            .detail("cluster_sizes", sizes)
    }
    fn validate(&self) -> Result<()> {
        let n = self.labels.len();
        if self.n_clusters == 0 || self.n_features == 0 || self.centroids.len() != self.n_clusters * self.n_features {
            return Err(Error::ModelFile("AgglomerativeClustering: centroids must hold n_clusters × n_features values".into()));
        }
        if self.centroids.iter().chain(&self.distances).any(|v| !v.is_finite()) {
            return Err(Error::ModelFile("AgglomerativeClustering: centroids and distances must be finite".into()));
        }
        if self.children.len() != self.distances.len() || self.children.len() != n.saturating_sub(1) {
            return Err(Error::ModelFile("AgglomerativeClustering: the merge tree must have one merge per row but one".into()));
        }
        if self.children.iter().enumerate().any(|(i, c)| c[0] >= n + i || c[1] >= n + i) {
            return Err(Error::ModelFile("AgglomerativeClustering: a merge refers to a later node".into()));
        }
        check_labels(NAME, &self.labels, self.n_clusters, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::cluster::testdata::blobs;

    /// Naive O(n³) agglomeration for comparison (returns sorted merge heights).
    fn naive_heights(x: &Array2<f64>, linkage: Linkage) -> Vec<f64> {
        let n = x.nrows();
        let mut clusters: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        let dist = |a: &[usize], b: &[usize]| -> f64 {
            let pair = |i: usize, j: usize| sq_dist(&x.row(i).to_vec(), &x.row(j).to_vec()).sqrt();
            match linkage {
                Linkage::Single => a.iter().flat_map(|&i| b.iter().map(move |&j| pair(i, j))).fold(f64::INFINITY, f64::min),
                Linkage::Complete => a.iter().flat_map(|&i| b.iter().map(move |&j| pair(i, j))).fold(0.0, f64::max),
                Linkage::Average => a.iter().flat_map(|&i| b.iter().map(move |&j| pair(i, j))).sum::<f64>() / (a.len() * b.len()) as f64,
                Linkage::Ward => {
                    let m = |c: &[usize]| cluster_means(x.select(ndarray::Axis(0), c).view(), &vec![0; c.len()], 1);
                    let (ma, mb) = (m(a), m(b));
                    let (na, nb) = (a.len() as f64, b.len() as f64);
                    (2.0 * na * nb / (na + nb) * sq_dist(&ma.row(0).to_vec(), &mb.row(0).to_vec())).sqrt()
                }
            }
        };
        let mut hs = Vec::new();
        while clusters.len() > 1 {
            let mut best = (f64::INFINITY, 0, 0);
            for i in 0..clusters.len() {
                for j in i + 1..clusters.len() {
                    let dd = dist(&clusters[i], &clusters[j]);
                    if dd < best.0 {
                        best = (dd, i, j);
                    }
                }
            }
            let b = clusters.remove(best.2);
            clusters[best.1].extend(b);
            hs.push(best.0);
        }
        crate::sorting::sort_f64(&mut hs);
        hs
    }

    #[test]
    fn heights_match_naive_for_every_linkage() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let x = Array2::from_shape_fn((40, 3), |_| rng.random::<f64>());
        for l in [Linkage::Ward, Linkage::Complete, Linkage::Average, Linkage::Single] {
            let m = AgglomerativeClusteringParams { linkage: l, n_clusters: Some(4), ..Default::default() }.fit(&x, None, &FitContext::new(0)).unwrap();
            let want = naive_heights(&x, l);
            for (a, b) in m.distances.iter().zip(&want) {
                assert!((a - b).abs() < 1e-9, "{l:?}: {a} vs {b}");
            }
            m.validate().unwrap();
            let mut sizes = [0; 4];
            m.labels.iter().for_each(|&v| sizes[v as usize] += 1);
            assert!(sizes.iter().all(|&s| s > 0));
        }
    }

    #[test]
    fn three_blobs_and_predict() {
        let (x, y) = blobs(20, 6);
        for l in [Linkage::Ward, Linkage::Complete, Linkage::Average, Linkage::Single] {
            let m = AgglomerativeClusteringParams { linkage: l, n_clusters: Some(3), ..Default::default() }.fit(&x, None, &FitContext::new(0)).unwrap();
            // Same partition as the truth.
            let mut map = [-1i64; 3];
            for (&a, &b) in m.labels.iter().zip(&y) {
                if map[b as usize] == -1 {
                    map[b as usize] = a;
                }
                assert_eq!(map[b as usize], a, "{l:?}");
            }
            let Output::Clusters(p) = m.predict(&x).unwrap() else { panic!() };
            assert_eq!(p, m.labels);
        }
    }

    #[test]
    fn threshold_and_limits() {
        let (x, _) = blobs(10, 1);
        let ctx = FitContext::new(0);
        let m = AgglomerativeClusteringParams { n_clusters: None, distance_threshold: Some(5.0), ..Default::default() }.fit(&x, None, &ctx).unwrap();
        assert_eq!(m.n_clusters, 3);
        assert!(AgglomerativeClusteringParams { distance_threshold: Some(1.0), ..Default::default() }.fit(&x, None, &ctx).is_err());
        assert!(AgglomerativeClusteringParams { metric: Metric::Manhattan, ..Default::default() }
            .fit(&x, None, &ctx)
            .unwrap_err()
            .to_string()
            .contains("metric"));
        let big = Array2::<f64>::zeros((MAX_ROWS_MATRIX + 1, 1));
        let e = AgglomerativeClusteringParams { linkage: Linkage::Average, ..Default::default() }.fit(&big, None, &ctx).unwrap_err();
        assert!(e.to_string().contains("at most 10000 rows"), "{e}");
    }

    #[test]
    fn hc_cut_numbering_matches_sklearn_small_case() {
        // Points 0,1 close; 2,3 close; 4 far. Ward tree: (0,1)->5, (2,3)->6, (5,6)->7, (4,7)->8.
        let x = Array2::from_shape_vec((5, 1), vec![0.0, 0.1, 1.0, 1.1, 10.0]).unwrap();
        let m = AgglomerativeClusteringParams { n_clusters: Some(3), ..Default::default() }.fit(&x, None, &FitContext::new(0)).unwrap();
        assert_eq!(m.children, vec![[0, 1], [2, 3], [5, 6], [4, 7]]);
        // _hc_cut(3): nodes = [-8] -> push -4 (child 0 = 4), pushpop -7 -> heap [-7, -4]; then split 7: push -5, pushpop -6
        // -> heap [-6, -4, -5]: label 0 = node 6 {2,3}, label 1 = node 4, label 2 = node 5 {0,1}.
        assert_eq!(m.labels, vec![2, 2, 0, 0, 1]);
    }
}
