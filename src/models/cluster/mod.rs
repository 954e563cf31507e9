//! Clustering models: `KMeans`, `DBSCAN`, `AgglomerativeClustering`.
//!
//! Every fitted clustering model keeps the labels of its training rows
//! (scikit-learn's `labels_`), which the clustering report scores; `predict`
//! on new rows is nearest-centre for k-means (as scikit-learn),
//! nearest-core-sample-within-eps for DBSCAN and nearest-cluster-centroid for
//! agglomerative clustering (scikit-learn has no `predict` for those two; see
//! their modules).

pub mod agglomerative;
pub mod dbscan;
pub mod kmeans;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Distance used by DBSCAN and the non-ward agglomerative linkages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    #[default]
    Euclidean,
    Manhattan,
}

impl Metric {
    /// The distance between two rows.
    #[inline]
    pub fn dist(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            Metric::Euclidean => sq_dist(a, b).sqrt(),
            Metric::Manhattan => a.iter().zip(b).map(|(u, v)| (u - v).abs()).sum(),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Euclidean => "euclidean",
            Metric::Manhattan => "manhattan",
        }
    }
}

/// Squared euclidean distance between two rows.
#[inline]
pub fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (u, v) in a.iter().zip(b) {
        let d = u - v;
        s += d * d;
    }
    s
}

/// Means of the rows of each cluster `0..k` (noise `-1` ignored). Empty clusters get zeros.
pub(crate) fn cluster_means(x: ArrayView2<f64>, labels: &[i64], k: usize) -> Array2<f64> {
    let mut c = Array2::<f64>::zeros((k, x.ncols()));
    let mut counts = vec![0usize; k];
    for (row, &l) in x.rows().into_iter().zip(labels) {
        if l >= 0 && (l as usize) < k {
            counts[l as usize] += 1;
            let mut cr = c.row_mut(l as usize);
            cr += &row;
        }
    }
    for (j, &n) in counts.iter().enumerate() {
        if n > 0 {
            c.row_mut(j).mapv_inplace(|v| v / n as f64);
        }
    }
    c
}

/// Rejects non-finite input (the pipeline already does; models may be called directly).
pub(crate) fn check_finite(model: &str, x: &Array2<f64>) -> Result<()> {
    if let Some((i, _)) = x.rows().into_iter().enumerate().find(|(_, r)| r.iter().any(|v| !v.is_finite())) {
        return Err(Error::data(format!("{model}: row {} holds a missing or infinite value; impute or drop it first", i + 1)));
    }
    Ok(())
}

/// Nearest row of `centers` (row-major, `k × d`) for each row of `x`; ties go to the lower index.
pub(crate) fn nearest_center(x: &Array2<f64>, centers: &[f64], d: usize) -> Vec<i64> {
    if d == 0 {
        return vec![0; x.nrows()];
    }
    let k = centers.len() / d;
    let xs = x.as_standard_layout();
    // as_standard_layout returns a contiguous array, so as_slice is Some.
    let xs: &[f64] = xs.as_slice().unwrap_or(&[]);
    xs.chunks_exact(d)
        .map(|r| {
            let mut best = (f64::INFINITY, 0usize);
            for c in 0..k {
                let dd = sq_dist(r, &centers[c * d..(c + 1) * d]);
                if dd < best.0 {
                    best = (dd, c);
                }
            }
            best.1 as i64
        })
        .collect()
}

/// Checks a stored label vector: values in `-1..k` (noise only when allowed).
pub(crate) fn check_labels(model: &str, labels: &[i64], k: usize, allow_noise: bool) -> Result<()> {
    let lo = if allow_noise { -1 } else { 0 };
    if let Some(l) = labels.iter().find(|&&l| l < lo || l >= k as i64) {
        return Err(Error::ModelFile(format!("{model}: label {l} is outside {lo}..{k}")));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod testdata {
    use ndarray::Array2;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Three well separated 2-D blobs of `per` points each (centres (0,0), (10,0), (0,10)).
    pub fn blobs(per: usize, seed: u64) -> (Array2<f64>, Vec<i64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let centres = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)];
        let mut x = Array2::zeros((3 * per, 2));
        let mut y = Vec::new();
        for (c, &(cx, cy)) in centres.iter().enumerate() {
            for i in 0..per {
                let r = c * per + i;
                x[[r, 0]] = cx + rng.random::<f64>() * 2.0 - 1.0;
                x[[r, 1]] = cy + rng.random::<f64>() * 2.0 - 1.0;
                y.push(c as i64);
            }
        }
        (x, y)
    }
}
