//! A clustering pipeline fitted on every row and scored (what `pipelab fit`
//! prints for a clustering model and the page shows).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::Table;
use crate::estimator::{FitContext, Output, Task};
use crate::pipeline::{fit, prepare, FittedPipeline, ModelState, PipelineSpec};
use crate::{Error, Result};

/// Rows above which the silhouette is estimated on a seeded sample of this many rows.
pub const SILHOUETTE_MAX_ROWS: usize = 10_000;

/// A clustering pipeline fitted on every row, scored: what `pipelab fit`
/// prints for a clustering model and the page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusteringReport {
    /// `silhouette`, `davies_bouldin`, `calinski_harabasz` (on the matrix that
    /// reaches the model; DBSCAN noise counts as one more cluster, as in
    /// scikit-learn), `inertia` (KMeans), and `adjusted_rand` /
    /// `normalized_mutual_info` against the spec's `target` when it names one.
    /// A metric that cannot be computed (e.g. a single cluster) is left out with a warning.
    pub metrics: BTreeMap<String, f64>,
    /// Clusters found (noise excluded).
    pub n_clusters: usize,
    /// Rows labelled noise (`-1`); DBSCAN only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_noise: Option<usize>,
    /// Rows in cluster 0, 1, ...
    pub cluster_sizes: Vec<usize>,
    /// Cluster of every row of the table (`-1` = noise).
    pub labels: Vec<i64>,
    /// Silhouette of every row (for a silhouette plot); empty when the
    /// silhouette is not defined or was estimated on a sample.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub silhouette_samples: Vec<f64>,
    pub n_rows: usize,
    pub feature_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Fits a clustering spec on every row and scores the clustering.
pub fn fit_clustering(table: &Table, spec: &PipelineSpec) -> Result<(FittedPipeline, ClusteringReport)> {
    fit_clustering_with(table, spec, 1)
}

/// [`fit_clustering`] with up to `threads` threads for the model's restarts (the same result).
pub fn fit_clustering_with(table: &Table, spec: &PipelineSpec, lend: impl Into<crate::parallel::Lend>) -> Result<(FittedPipeline, ClusteringReport)> {
    use crate::metrics::clustering as mc;
    let prep = prepare(table, spec)?;
    if prep.task != Task::Clustering {
        return Err(Error::spec("model", format!("{} is not a clustering model; evaluate it with cross-validation", spec.model.name())));
    }
    let ctx = FitContext::with_threads(spec.seed(), lend);
    let mut fitted = fit(table, spec, &prep, &prep.rows, &ctx)?;
    let mut warnings = prep.warnings.clone();
    warnings.append(&mut fitted.warnings);
    let x = fitted.transform(&table.rows_view(&prep.rows))?;
    let ModelState::Fitted(model) = &fitted.model else { return Err(Error::data("a clustering pipeline has no single-class model")) };
    let labels: Vec<i64> = match model.training_labels() {
        Some(l) if l.len() == x.nrows() => l.to_vec(),
        _ => {
            warnings.push("the steps changed the rows; labels are the model's predictions on every row".into());
            match model.predict(&x)? {
                Output::Clusters(l) => l,
                _ => return Err(Error::data("the model does not output clusters")),
            }
        }
    };
    let mut metrics = BTreeMap::new();
    let mut silhouette_samples = Vec::new();
    let fail = |name: &str, e: Error, warnings: &mut Vec<String>| warnings.push(format!("{name} not computed: {e}"));
    if x.nrows() > SILHOUETTE_MAX_ROWS {
        // scikit-learn's `silhouette_score(sample_size=…, random_state=seed)`: the first rows of
        // numpy's `RandomState(seed).permutation(n)`.
        let mut idx = crate::split::NumpyRandomState::new(spec.seed()).permutation(x.nrows());
        idx.truncate(SILHOUETTE_MAX_ROWS);
        crate::sorting::sort_usize(&mut idx);
        let xs = x.select(ndarray::Axis(0), &idx);
        let ls: Vec<i64> = idx.iter().map(|&i| labels[i]).collect();
        match mc::silhouette_score(xs.view(), &ls) {
            Ok(v) => {
                metrics.insert("silhouette".to_string(), v);
                warnings.push(format!("silhouette estimated on a random sample of {SILHOUETTE_MAX_ROWS} of the {} rows", x.nrows()));
            }
            Err(e) => fail("silhouette", e, &mut warnings),
        }
    } else {
        match mc::silhouette_samples(x.view(), &labels) {
            Ok(s) => {
                metrics.insert("silhouette".to_string(), s.iter().sum::<f64>() / s.len() as f64);
                silhouette_samples = s;
            }
            Err(e) => fail("silhouette", e, &mut warnings),
        }
    }
    match mc::davies_bouldin(x.view(), &labels) {
        Ok(v) => drop(metrics.insert("davies_bouldin".to_string(), v)),
        Err(e) => fail("davies_bouldin", e, &mut warnings),
    }
    match mc::calinski_harabasz(x.view(), &labels) {
        Ok(v) => drop(metrics.insert("calinski_harabasz".to_string(), v)),
        Err(e) => fail("calinski_harabasz", e, &mut warnings),
    }
    if let Some(v) = model.inertia() {
        metrics.insert("inertia".to_string(), v);
    }
    if let Some(t) = &spec.target {
        // prepare() checked that the column exists. Missing reference values are skipped.
        if let Some(col) = table.column(t) {
            let mut codes: BTreeMap<String, i64> = BTreeMap::new();
            let (mut truth, mut pred) = (Vec::new(), Vec::new());
            for (k, &r) in prep.rows.iter().enumerate() {
                if let Some(v) = col.data.display(r) {
                    let next = codes.len() as i64;
                    truth.push(*codes.entry(v).or_insert(next));
                    pred.push(labels[k]);
                }
            }
            if truth.len() < prep.rows.len() {
                warnings.push(format!("{} row(s) with a missing '{t}' are left out of adjusted_rand / normalized_mutual_info", prep.rows.len() - truth.len()));
            }
            metrics.insert("adjusted_rand".to_string(), mc::adjusted_rand(&truth, &pred)?);
            metrics.insert("normalized_mutual_info".to_string(), mc::normalized_mutual_info(&truth, &pred)?);
        }
    }
    let n_clusters = labels.iter().copied().max().map_or(0, |m| (m + 1).max(0) as usize);
    let mut cluster_sizes = vec![0usize; n_clusters];
    labels.iter().filter(|&&l| l >= 0).for_each(|&l| cluster_sizes[l as usize] += 1);
    let n_noise = model.labels_noise().then(|| labels.iter().filter(|&&l| l < 0).count());
    fitted.warnings = warnings.clone();
    let report = ClusteringReport {
        metrics,
        n_clusters,
        n_noise,
        cluster_sizes,
        labels,
        silhouette_samples,
        n_rows: x.nrows(),
        feature_names: fitted.feature_names.clone(),
        warnings,
    };
    Ok((fitted, report))
}

/// Fits a clustering spec on every row and returns its report (see [`fit_clustering`]).
pub fn evaluate_clustering(table: &Table, spec: &PipelineSpec) -> Result<ClusteringReport> {
    Ok(fit_clustering(table, spec)?.1)
}
