//! `KBinsDiscretizer`: bins each column into intervals, as scikit-learn does.
//! - `uniform`: edges = `np.linspace(min, max, n_bins + 1)` (`i * step + min`, last edge = max exactly).
//! - `quantile`: edges = percentiles at `linspace(0, 100, n_bins + 1)` (`quantile_method`).
//! - `kmeans`: 1-D k-means (Lloyd, initialised at the uniform bin centres, as scikit-learn's
//!   `KMeans(init=..., n_init=1)`), edges = midpoints of the sorted centres plus min and max.
//!
//! For quantile and kmeans, edges closer than 1e-8 are merged (with a warning), so a
//! column can get fewer bins. A constant column gets one bin (with a warning).
//! Transform: `bin = searchsorted(inner_edges, x, side="right")` — a value equal to an
//! inner edge goes to the upper bin; values beyond the training range go to the end bins.
//! `encode="ordinal"` keeps the names; `onehot` / `onehot-dense` output `<col>_<bin>.0` 0/1 columns
//! (dense in both cases: frames are dense).

use rand::seq::index::sample;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, Frame};
use crate::numeric::{percentile_aicdf, percentile_sorted};
use crate::preprocess::{check_columns, check_fit_rows};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Encode {
    #[default]
    #[serde(rename = "onehot")]
    Onehot,
    #[serde(rename = "onehot-dense")]
    OnehotDense,
    #[serde(rename = "ordinal")]
    Ordinal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BinStrategy {
    Uniform,
    #[default]
    Quantile,
    Kmeans,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum QuantileMethod {
    /// numpy's default percentile (linear interpolation; scikit-learn's default before 1.9).
    Linear,
    /// numpy's `averaged_inverted_cdf` (scikit-learn's default since 1.9).
    #[default]
    AveragedInvertedCdf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KBinsDiscretizerParams {
    pub n_bins: usize,
    pub encode: Encode,
    pub strategy: BinStrategy,
    pub quantile_method: QuantileMethod,
    /// Fit quantile/kmeans edges on at most this many rows (sampled with `random_state`); null = all rows.
    pub subsample: Option<usize>,
    pub random_state: Option<u64>,
}

impl Default for KBinsDiscretizerParams {
    fn default() -> Self {
        KBinsDiscretizerParams {
            n_bins: 5,
            encode: Encode::Onehot,
            strategy: BinStrategy::Quantile,
            quantile_method: QuantileMethod::AveragedInvertedCdf,
            subsample: Some(200_000),
            random_state: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KBinsDiscretizer {
    pub input_names: Vec<String>,
    /// Per column: `n_bins + 1` increasing edges (a constant column: `[v, v]`, one bin).
    pub bin_edges: Vec<Vec<f64>>,
    pub n_bins: Vec<usize>,
    pub encode: Encode,
}

/// `np.linspace(a, b, n + 1)` exactly as numpy computes it.
pub fn linspace(a: f64, b: f64, n_intervals: usize) -> Vec<f64> {
    let step = (b - a) / n_intervals as f64;
    let mut out: Vec<f64> = (0..=n_intervals).map(|i| if step == 0.0 { (i as f64 / n_intervals as f64) * (b - a) + a } else { i as f64 * step + a }).collect();
    out[n_intervals] = b;
    out
}

/// scikit-learn's KMeans (lloyd, one init) on one column; returns the final centres.
fn kmeans_1d(x: &[f64], init: &[f64]) -> Vec<f64> {
    const CHUNK: usize = 256;
    let n = x.len();
    let k = init.len();
    // KMeans centres the data for accuracy and adds the mean back at the end.
    let mean = x.iter().sum::<f64>() / n as f64;
    let xc: Vec<f64> = x.iter().map(|&v| v - mean).collect();
    let var = xc.iter().map(|&v| v * v).sum::<f64>() / n as f64;
    let tol = var * 1e-4;
    let mut centers: Vec<f64> = init.iter().map(|&c| c - mean).collect();
    let mut new_centers = vec![0.0; k];
    let mut labels = vec![0usize; n];
    let mut labels_old = vec![usize::MAX; n];
    let mut weight = vec![0.0; k];
    let assign = |centers: &[f64], labels: &mut [usize]| {
        for (l, &v) in labels.iter_mut().zip(&xc) {
            // argmin of ||c||^2 - 2 x c (first minimum on ties), as scikit-learn's gemm-based E-step.
            let mut best = 0;
            let mut bd = f64::INFINITY;
            for (j, &c) in centers.iter().enumerate() {
                let d = c * c - 2.0 * v * c;
                if d < bd {
                    bd = d;
                    best = j;
                }
            }
            *l = best;
        }
    };
    let mut strict = false;
    for _ in 0..300 {
        assign(&centers, &mut labels);
        // M-step: per-chunk sums, then added (scikit-learn's chunked update).
        new_centers.iter_mut().for_each(|c| *c = 0.0);
        weight.iter_mut().for_each(|w| *w = 0.0);
        let mut cs = vec![0.0; k];
        let mut cw = vec![0.0; k];
        for start in (0..n).step_by(CHUNK) {
            cs.iter_mut().for_each(|c| *c = 0.0);
            cw.iter_mut().for_each(|c| *c = 0.0);
            for i in start..(start + CHUNK).min(n) {
                cs[labels[i]] += xc[i];
                cw[labels[i]] += 1.0;
            }
            for j in 0..k {
                new_centers[j] += cs[j];
                weight[j] += cw[j];
            }
        }
        // Empty clusters take the points farthest from their centres.
        let empty: Vec<usize> = (0..k).filter(|&j| weight[j] == 0.0).collect();
        if !empty.is_empty() {
            let mut far: Vec<usize> = (0..n).collect();
            crate::sorting::sort_indices_by(&mut far, &|a, b| {
                let da = (xc[a] - centers[labels[a]]).powi(2);
                let db = (xc[b] - centers[labels[b]]).powi(2);
                db.total_cmp(&da).then(a.cmp(&b))
            });
            for (idx, &e) in empty.iter().enumerate() {
                let Some(&i) = far.get(idx) else { break };
                let old = labels[i];
                new_centers[old] -= xc[i];
                new_centers[e] = xc[i];
                weight[e] = 1.0;
                weight[old] -= 1.0;
            }
        }
        for j in 0..k {
            if weight[j] > 0.0 {
                new_centers[j] *= 1.0 / weight[j];
            } else {
                new_centers[j] = centers[j];
            }
        }
        let shift: f64 = centers.iter().zip(&new_centers).map(|(a, b)| (a - b) * (a - b)).sum();
        std::mem::swap(&mut centers, &mut new_centers);
        if labels == labels_old {
            strict = true;
            break;
        }
        if shift <= tol {
            break;
        }
        labels_old.copy_from_slice(&labels);
    }
    let _ = strict;
    centers.iter().map(|&c| c + mean).collect()
}

impl StepParams for KBinsDiscretizerParams {
    type Fitted = KBinsDiscretizer;

    fn fit(&self, x: &Frame, _y: Option<&Target>, ctx: &FitContext) -> Result<KBinsDiscretizer> {
        if self.n_bins < 2 {
            return Err(Error::param("KBinsDiscretizer", "n_bins", format!("must be >= 2, got {}", self.n_bins)));
        }
        if self.subsample == Some(0) {
            return Err(Error::param("KBinsDiscretizer", "subsample", "must be >= 1 or null"));
        }
        check_fit_rows("KBinsDiscretizer", x)?;
        let rows: Option<Vec<usize>> = match (self.strategy, self.subsample) {
            (BinStrategy::Uniform, _) | (_, None) => None,
            (_, Some(s)) if x.n_rows <= s => None,
            (_, Some(s)) => {
                let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed_for(self.random_state));
                let mut idx = sample(&mut rng, x.n_rows, s).into_vec();
                crate::sorting::sort_usize(&mut idx);
                Some(idx)
            }
        };
        let mut bin_edges = Vec::with_capacity(x.n_cols());
        let mut n_bins = Vec::with_capacity(x.n_cols());
        for col in &x.cols {
            let full = col.numeric("KBinsDiscretizer")?;
            if let Some(i) = full.iter().position(|v| !v.is_finite()) {
                return Err(Error::column(
                    &col.name,
                    format!("has a missing or infinite value at row {}; KBinsDiscretizer needs finite numbers (impute first)", i + 1),
                ));
            }
            let v: Vec<f64> = match &rows {
                None => full.to_vec(),
                Some(r) => r.iter().map(|&i| full[i]).collect(),
            };
            let (mn, mx) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &c| (a.min(c), b.max(c)));
            if mn == mx {
                ctx.warn(format!("KBinsDiscretizer: column '{}' is constant and will be replaced with 0", col.name));
                bin_edges.push(vec![mn, mx]);
                n_bins.push(1);
                continue;
            }
            let nb = self.n_bins;
            let mut edges = match self.strategy {
                BinStrategy::Uniform => linspace(mn, mx, nb),
                BinStrategy::Quantile => {
                    let mut s = v.clone();
                    crate::sorting::sort_f64(&mut s);
                    let levels = linspace(0.0, 100.0, nb);
                    levels
                        .iter()
                        .map(|&q| match self.quantile_method {
                            QuantileMethod::Linear => percentile_sorted(&s, q),
                            QuantileMethod::AveragedInvertedCdf => percentile_aicdf(&s, q),
                        })
                        .collect()
                }
                BinStrategy::Kmeans => {
                    if v.len() < nb {
                        return Err(Error::column(
                            &col.name,
                            format!("has {} rows, fewer than n_bins={nb}; kmeans binning needs at least n_bins rows", v.len()),
                        ));
                    }
                    let u = linspace(mn, mx, nb);
                    let init: Vec<f64> = u.windows(2).map(|w| (w[1] + w[0]) * 0.5).collect();
                    let mut centers = kmeans_1d(&v, &init);
                    crate::sorting::sort_f64(&mut centers);
                    let mut e = vec![mn];
                    e.extend(centers.windows(2).map(|w| (w[1] + w[0]) * 0.5));
                    e.push(mx);
                    e
                }
            };
            if self.strategy != BinStrategy::Uniform {
                // np.ediff1d(edges, to_begin=inf) > 1e-8
                let mut kept = Vec::with_capacity(edges.len());
                let mut prev = f64::NAN;
                for (i, &e) in edges.iter().enumerate() {
                    if i == 0 || e - prev > 1e-8 {
                        kept.push(e);
                    }
                    prev = e;
                }
                if kept.len() - 1 != nb {
                    ctx.warn(format!(
                        "KBinsDiscretizer: bins whose width are too small (i.e., <= 1e-8) in column '{}' are removed ({} bins left); consider decreasing the number of bins",
                        col.name,
                        kept.len() - 1
                    ));
                }
                edges = kept;
            }
            n_bins.push(edges.len() - 1);
            bin_edges.push(edges);
        }
        Ok(KBinsDiscretizer { input_names: x.names(), bin_edges, n_bins, encode: self.encode })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("n_bins", "int", json!(5), "Number of bins per column.").range(Some(2.0), None),
            ParamInfo::new("encode", "choice", json!("onehot"), "Output: one 0/1 column per bin (onehot, onehot-dense) or the bin index (ordinal).")
                .choices(&["onehot", "onehot-dense", "ordinal"]),
            ParamInfo::new(
                "strategy",
                "choice",
                json!("quantile"),
                "Bin edges: equal widths (uniform), equal counts (quantile) or 1-D k-means clusters (kmeans).",
            )
            .choices(&["uniform", "quantile", "kmeans"]),
            ParamInfo::new("quantile_method", "choice", json!("averaged_inverted_cdf"), "Percentile definition for strategy=quantile (numpy's method).")
                .choices(&["averaged_inverted_cdf", "linear"]),
            ParamInfo::new("subsample", "int_or_null", json!(200000), "Fit quantile/kmeans edges on at most this many sampled rows (null = all).")
                .range(Some(1.0), None),
            ParamInfo::new("random_state", "int_or_null", json!(null), "Seed for subsampling (default: the pipeline's seed)."),
        ]
    }
    fn help() -> &'static str {
        "Bin each numeric column into n_bins intervals (equal width, equal count or k-means)."
    }
}

impl FittedTransform for KBinsDiscretizer {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("KBinsDiscretizer", &self.input_names, x)?;
        let mut out = Vec::new();
        for (j, col) in x.cols.iter().enumerate() {
            let v = col.numeric("KBinsDiscretizer")?;
            let inner = &self.bin_edges[j][1..self.bin_edges[j].len() - 1];
            let mut bins = Vec::with_capacity(v.len());
            for (i, &c) in v.iter().enumerate() {
                if !c.is_finite() {
                    return Err(Error::column(
                        &col.name,
                        format!("has a missing or infinite value at row {}; KBinsDiscretizer needs finite numbers (impute first)", i + 1),
                    ));
                }
                // searchsorted(side="right"): number of inner edges <= c.
                bins.push(inner.partition_point(|&e| e <= c));
            }
            match self.encode {
                Encode::Ordinal => out.push(FCol::num(col.name.clone(), bins.iter().map(|&b| b as f64).collect())),
                Encode::Onehot | Encode::OnehotDense => {
                    for k in 0..self.n_bins[j] {
                        // scikit-learn names bins by float category: `<col>_0.0`.
                        out.push(FCol::num(format!("{}_{}.0", col.name, k), bins.iter().map(|&b| if b == k { 1.0 } else { 0.0 }).collect()));
                    }
                }
            }
        }
        Ok(Frame::new(out, x.n_rows))
    }
    fn validate(&self) -> Result<()> {
        let n = self.input_names.len();
        if self.bin_edges.len() != n || self.n_bins.len() != n {
            return Err(Error::ModelFile("KBinsDiscretizer: bin edges do not match its input columns".into()));
        }
        for (e, &nb) in self.bin_edges.iter().zip(&self.n_bins) {
            if nb == 0 || e.len() != nb + 1 || e.iter().any(|v| !v.is_finite()) || e.windows(2).any(|w| w[0] > w[1]) {
                return Err(Error::ModelFile("KBinsDiscretizer: bin edges must be finite, increasing, n_bins + 1 per column".into()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linspace_matches_numpy() {
        // np.linspace(11.03, 14.83, 6) (oracle j_wine_kbins_minmax_robust)
        assert_eq!(linspace(11.03, 14.83, 5), vec![11.03, 11.79, 12.549999999999999, 13.309999999999999, 14.07, 14.83]);
    }

    #[test]
    fn kmeans_separates_clusters() {
        let v = vec![0.0, 0.1, 0.2, 5.0, 5.1, 5.2, 10.0, 10.1, 10.2];
        let mut c = kmeans_1d(&v, &[1.0, 5.0, 9.0]);
        crate::sorting::sort_f64(&mut c);
        assert!((c[0] - 0.1).abs() < 1e-12 && (c[1] - 5.1).abs() < 1e-12 && (c[2] - 10.1).abs() < 1e-12, "{c:?}");
    }
}
