//! `KNNImputer`: each missing cell becomes the (optionally distance-weighted)
//! mean of that column over the `n_neighbors` nearest training rows that have
//! it, as scikit-learn computes it:
//! - distance = `nan_euclidean`: `sqrt(n_features / n_present * sum over coordinates present in both of (a - b)^2)`,
//!   undefined (NaN) when no coordinate is present in both;
//! - receivers with no defined distance to any donor get the column's training mean;
//! - `weights="distance"`: weight `1/d`, and when some donors are at distance 0 only those count.
//! - columns entirely missing at fit are dropped (as scikit-learn, unless `keep_empty_features`).
//!
//! Ties between equally distant donors go to the earlier training row (numpy's argpartition leaves them unspecified).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_columns, check_fit_rows};
use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, Frame};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum KnnWeights {
    #[default]
    Uniform,
    Distance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KNNImputerParams {
    pub n_neighbors: usize,
    pub weights: KnnWeights,
    /// Adds a 0/1 `missingindicator_<col>` column for each column that had missing cells at fit.
    pub add_indicator: bool,
    /// Keep columns entirely missing at fit (filled with 0).
    pub keep_empty_features: bool,
}

impl Default for KNNImputerParams {
    fn default() -> Self {
        KNNImputerParams { n_neighbors: 5, weights: KnnWeights::Uniform, add_indicator: false, keep_empty_features: false }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KNNImputer {
    pub input_names: Vec<String>,
    pub n_neighbors: usize,
    pub weights: KnnWeights,
    /// Training rows, row-major (`n_fit x n_features`), NaN = missing (written "nan").
    #[serde(with = "super::encoders::special_f64_vec")]
    pub fit_x: Vec<f64>,
    pub n_fit: usize,
    /// Columns kept in the output (false = entirely missing at fit and dropped).
    pub valid: Vec<bool>,
    /// Training mean of each column (fallback when no donor distance is defined).
    pub col_mean: Vec<f64>,
    /// Columns that get a missing indicator.
    pub indicator_cols: Vec<usize>,
    #[serde(default)]
    pub keep_empty_features: bool,
}

impl StepParams for KNNImputerParams {
    type Fitted = KNNImputer;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<KNNImputer> {
        if self.n_neighbors == 0 {
            return Err(Error::param("KNNImputer", "n_neighbors", "must be >= 1"));
        }
        check_fit_rows("KNNImputer", x)?;
        let (n, p) = (x.n_rows, x.n_cols());
        let mut fit_x = vec![0.0; n * p];
        let mut valid = Vec::with_capacity(p);
        let mut col_mean = Vec::with_capacity(p);
        let mut indicator_cols = Vec::new();
        for (j, col) in x.cols.iter().enumerate() {
            let v = col.numeric("KNNImputer")?;
            if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                return Err(Error::column(&col.name, format!("has an infinite value at row {}; KNNImputer needs finite numbers", i + 1)));
            }
            let (s, cnt) = v.iter().filter(|c| !c.is_nan()).fold((0.0, 0usize), |(s, k), &c| (s + c, k + 1));
            valid.push(cnt > 0);
            col_mean.push(if cnt > 0 { s / cnt as f64 } else { 0.0 });
            if self.add_indicator && cnt < n {
                indicator_cols.push(j);
            }
            for (i, &c) in v.iter().enumerate() {
                fit_x[i * p + j] = c;
            }
        }
        Ok(KNNImputer {
            input_names: x.names(),
            n_neighbors: self.n_neighbors,
            weights: self.weights,
            fit_x,
            n_fit: n,
            valid,
            col_mean,
            indicator_cols,
            keep_empty_features: self.keep_empty_features,
        })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("n_neighbors", "int", json!(5), "Number of nearest training rows (having the value) averaged to fill a missing cell.")
                .range(Some(1.0), None),
            ParamInfo::new("weights", "choice", json!("uniform"), "Plain mean of the neighbours, or weighted by inverse distance.")
                .choices(&["uniform", "distance"]),
            ParamInfo::new("add_indicator", "bool", json!(false), "Also add a 0/1 column marking which cells were missing."),
            ParamInfo::new("keep_empty_features", "bool", json!(false), "Keep columns with no observed value (filled with 0) instead of dropping them."),
        ]
    }
    fn help() -> &'static str {
        "Fill missing cells with the mean of that column over the nearest training rows (nan-euclidean distance)."
    }
}

/// scikit-learn's `nan_euclidean` distance between two rows (NaN when no coordinate is present in both).
#[inline]
pub fn nan_euclidean(a: &[f64], b: &[f64]) -> f64 {
    let mut ss = 0.0;
    let mut present = 0usize;
    for (&u, &v) in a.iter().zip(b) {
        if !u.is_nan() && !v.is_nan() {
            let d = u - v;
            ss += d * d;
            present += 1;
        }
    }
    if present == 0 {
        f64::NAN
    } else {
        (ss * (a.len() as f64 / present as f64)).sqrt()
    }
}

impl FittedTransform for KNNImputer {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("KNNImputer", &self.input_names, x)?;
        let (n, p) = (x.n_rows, x.n_cols());
        let cols: Vec<&[f64]> = x.cols.iter().map(|c| c.numeric("KNNImputer")).collect::<Result<_>>()?;
        let mut out: Vec<Vec<f64>> = cols.iter().map(|c| c.to_vec()).collect();
        let mut row = vec![0.0; p];
        let mut dist = vec![0.0; self.n_fit];
        let mut cand: Vec<(f64, usize)> = Vec::with_capacity(self.n_fit);
        for i in 0..n {
            if !(0..p).any(|j| self.valid[j] && cols[j][i].is_nan()) {
                continue;
            }
            for j in 0..p {
                row[j] = cols[j][i];
            }
            for (r, d) in dist.iter_mut().enumerate() {
                *d = nan_euclidean(&row, &self.fit_x[r * p..(r + 1) * p]);
            }
            for j in 0..p {
                if !self.valid[j] || !row[j].is_nan() {
                    continue;
                }
                // Potential donors: training rows that have column j.
                cand.clear();
                let mut any_defined = false;
                for (r, &d) in dist.iter().enumerate() {
                    if !self.fit_x[r * p + j].is_nan() {
                        any_defined |= !d.is_nan();
                        cand.push((d, r));
                    }
                }
                if !any_defined {
                    out[j][i] = self.col_mean[j];
                    continue;
                }
                let k = self.n_neighbors.min(cand.len());
                // NaN distances sort last (as numpy); ties by training row.
                let key = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                if k < cand.len() {
                    cand.select_nth_unstable_by(k - 1, key);
                }
                let donors = &cand[..k];
                let value_of = |r: usize| self.fit_x[r * p + j];
                let (mut num, mut den) = (0.0, 0.0);
                match self.weights {
                    KnnWeights::Uniform => {
                        for &(d, r) in donors {
                            if !d.is_nan() {
                                num += value_of(r);
                                den += 1.0;
                            }
                        }
                    }
                    KnnWeights::Distance => {
                        let has_zero = donors.iter().any(|&(d, _)| d == 0.0);
                        for &(d, r) in donors {
                            let w = if has_zero {
                                if d == 0.0 {
                                    1.0
                                } else {
                                    0.0
                                }
                            } else if d.is_nan() {
                                0.0
                            } else {
                                1.0 / d
                            };
                            num += w * value_of(r);
                            den += w;
                        }
                    }
                }
                out[j][i] = num / den;
            }
        }
        let mut res = Vec::with_capacity(p + self.indicator_cols.len());
        for (j, (col, v)) in x.cols.iter().zip(out).enumerate() {
            if self.valid[j] {
                res.push(FCol::num(col.name.clone(), v));
            } else if self.keep_empty_features {
                res.push(FCol::num(col.name.clone(), vec![0.0; n]));
            }
        }
        for &j in &self.indicator_cols {
            res.push(FCol::num(format!("missingindicator_{}", x.cols[j].name), cols[j].iter().map(|c| if c.is_nan() { 1.0 } else { 0.0 }).collect()));
        }
        Ok(Frame::new(res, n))
    }
    fn validate(&self) -> Result<()> {
        let p = self.input_names.len();
        if self.fit_x.len() != self.n_fit * p || self.valid.len() != p || self.col_mean.len() != p || self.indicator_cols.iter().any(|&j| j >= p) {
            return Err(Error::ModelFile("KNNImputer: stored training rows do not match its input columns".into()));
        }
        if self.n_neighbors == 0 || self.fit_x.iter().any(|x| x.is_infinite()) || self.col_mean.iter().any(|x| !x.is_finite()) {
            return Err(Error::ModelFile("KNNImputer: invalid n_neighbors or non-finite stored values".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sklearn_doc_example() {
        // sklearn KNNImputer docstring: X = [[1, 2, nan], [3, 4, 3], [nan, 6, 5], [8, 8, 7]], n_neighbors=2
        // -> [[1, 2, 4], [3, 4, 3], [5.5, 6, 5], [8, 8, 7]]
        let nan = f64::NAN;
        let f =
            Frame::new(vec![FCol::num("a", vec![1.0, 3.0, nan, 8.0]), FCol::num("b", vec![2.0, 4.0, 6.0, 8.0]), FCol::num("c", vec![nan, 3.0, 5.0, 7.0])], 4);
        let p = KNNImputerParams { n_neighbors: 2, ..Default::default() };
        let t = p.fit(&f, None, &FitContext::default()).unwrap().transform(&f).unwrap();
        let get = |j: usize| t.cols[j].numeric("t").unwrap().to_vec();
        assert_eq!(get(0), vec![1.0, 3.0, 5.5, 8.0]);
        assert_eq!(get(2), vec![4.0, 3.0, 5.0, 7.0]);
    }
}
