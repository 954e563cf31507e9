//! Drift of one column: new values against the training reference's
//! distribution, with the test Evidently 0.7.23 chooses by default
//! (`evidently/legacy/calculations/stattests/registry.py::_get_default_stattest`):
//!
//! | reference (non-missing values) | column | distinct values (reference ∪ new) | test | drift when |
//! |---|---|---|---|---|
//! | ≤ 1,000 | numeric | > 5 | two-sample Kolmogorov–Smirnov | p ≤ 0.05 |
//! | ≤ 1,000 | numeric or categorical | 3 … 5 (numeric), > 2 (categorical) | chi-squared | p < 0.05 |
//! | ≤ 1,000 | numeric or categorical | ≤ 2 | two-proportion Z-test | p < 0.05 |
//! | > 1,000 | numeric | > 5 | Wasserstein distance normed by the reference std | ≥ 0.1 |
//! | > 1,000 | categorical, or numeric with ≤ 5 values | | Jensen–Shannon distance (natural log) | ≥ 0.1 |
//!
//! Missing and infinite values are dropped first, as Evidently does. The
//! reference is the stored distribution: exact when it holds the distinct
//! values, otherwise the 1,001 stored quantiles stand in for the sample (each
//! inner cut point weighs 1/1000 of the rows, the two ends 1/2000), and the
//! result says it is approximate and how far off it can be.

use serde::{Deserialize, Serialize};

use super::reference::Distribution;
use super::stats::{self, Weighted};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Ks,
    Chisquare,
    Z,
    Wasserstein,
    Jensenshannon,
    Psi,
}

impl Method {
    pub fn parse(s: &str) -> Result<Method> {
        Ok(match s {
            "ks" => Method::Ks,
            "chisquare" => Method::Chisquare,
            "z" => Method::Z,
            "wasserstein" => Method::Wasserstein,
            "jensenshannon" => Method::Jensenshannon,
            "psi" => Method::Psi,
            _ => return Err(Error::spec("method", format!("unknown drift method {s:?}; use psi, ks, wasserstein, chisquare, jensenshannon or z"))),
        })
    }
    pub fn default_threshold(self) -> f64 {
        match self {
            Method::Ks | Method::Chisquare | Method::Z => 0.05,
            Method::Wasserstein | Method::Jensenshannon | Method::Psi => 0.1,
        }
    }
    /// Whether the statistic compared with the threshold is a p-value.
    pub fn is_test(self) -> bool {
        matches!(self, Method::Ks | Method::Chisquare | Method::Z)
    }
}

/// Options of a drift run: a method and/or threshold applied to every column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftOptions {
    #[serde(default)]
    pub method: Option<Method>,
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// A sample of new values: sorted distinct finite numbers with counts, or category counts.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    Numeric { values: Vec<f64>, counts: Vec<f64> },
    Categories { categories: Vec<String>, counts: Vec<f64> },
}

impl Sample {
    pub fn numeric(values: &[f64]) -> Sample {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        crate::sorting::sort_f64(&mut v);
        let (mut out, mut counts): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
        for x in v {
            if out.last() == Some(&x) {
                *counts.last_mut().expect("a count exists for every value") += 1.0;
            } else {
                out.push(x);
                counts.push(1.0);
            }
        }
        Sample::Numeric { values: out, counts }
    }
    pub fn from_distribution(d: &Distribution) -> Sample {
        match d.clone() {
            Distribution::Values { values, counts } => Sample::Numeric { values, counts: counts.into_iter().map(|c| c as f64).collect() },
            Distribution::Categories { categories, counts } => Sample::Categories { categories, counts: counts.into_iter().map(|c| c as f64).collect() },
            // The quantiles' stand-in sample (see the module comment).
            Distribution::Quantiles { .. } => ref_sample(d).sample,
        }
    }
    fn total(&self) -> f64 {
        match self {
            Sample::Numeric { counts, .. } | Sample::Categories { counts, .. } => counts.iter().sum(),
        }
    }
}

/// The reference as the tests see it: weighted values, and whether it is exact.
struct RefSample {
    sample: Sample,
    n: f64,
    exact: bool,
    std: f64,
    /// For quantiles: max − min.
    range: f64,
}

fn ref_sample(d: &Distribution) -> RefSample {
    match d {
        Distribution::Quantiles { n, std, quantiles, .. } => {
            let k = quantiles.len() - 1;
            let n = *n as f64;
            // Merge equal cut points so the values stay strictly increasing.
            let (mut values, mut counts): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
            for (i, &q) in quantiles.iter().enumerate() {
                let w = if i == 0 || i == k { 0.5 } else { 1.0 } / k as f64 * n;
                if values.last() == Some(&q) {
                    *counts.last_mut().expect("a count exists for every value") += w;
                } else {
                    values.push(q);
                    counts.push(w);
                }
            }
            RefSample { sample: Sample::Numeric { values, counts }, n, exact: false, std: *std, range: quantiles[k] - quantiles[0] }
        }
        other => {
            let sample = Sample::from_distribution(other);
            let n = sample.total();
            let std = match &sample {
                Sample::Numeric { values, counts } => stats::weighted_std(Weighted { values, counts }),
                _ => 0.0,
            };
            RefSample { sample, n, exact: true, std, range: 0.0 }
        }
    }
}

/// Reference and new distributions on the same bins, for the page's overlay.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Chart {
    /// `edges` has one more entry than each fraction list.
    Histogram {
        edges: Vec<f64>,
        reference: Vec<f64>,
        new: Vec<f64>,
    },
    Bars {
        categories: Vec<String>,
        reference: Vec<f64>,
        new: Vec<f64>,
    },
    None,
}

/// The drift of one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnDrift {
    /// "numeric" or "categorical" (booleans are categorical, as for Evidently).
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub method: Method,
    /// KS D, chi-squared, z, normed Wasserstein, Jensen–Shannon distance or PSI (null when infinite or undefined).
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    pub threshold: f64,
    pub drifted: bool,
    /// How far past the threshold: threshold / p for tests, statistic / threshold for distances (≥ 1 means drift).
    pub severity: f64,
    pub missing_rate_ref: f64,
    pub missing_rate_new: f64,
    pub new_categories: Vec<String>,
    /// PSI over 10 reference-quantile bins (numeric columns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psi: Option<f64>,
    pub n_ref: f64,
    pub n_new: f64,
    /// Whether the reference was stored exactly (false: quantiles stood in).
    pub exact: bool,
    /// When not exact: the most the statistic can differ from its value on the training rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub chart: Chart,
}

/// Evidently's default test for a column.
pub fn default_method(categorical: bool, n_ref: f64, n_values: usize) -> Method {
    if n_ref <= 1000.0 {
        if !categorical && n_values > 5 {
            Method::Ks
        } else if n_values > 2 {
            Method::Chisquare
        } else {
            Method::Z
        }
    } else if !categorical && n_values > 5 {
        Method::Wasserstein
    } else {
        Method::Jensenshannon
    }
}

/// Union of the distinct values of both samples with each one's count (0 when absent), in sorted order.
fn aligned(a: &Sample, b: &Sample) -> (Vec<String>, Vec<f64>, Vec<f64>, Vec<f64>) {
    match (a, b) {
        (Sample::Numeric { values: va, counts: ca }, Sample::Numeric { values: vb, counts: cb }) => {
            let (mut i, mut j) = (0, 0);
            let (mut keys, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
            while i < va.len() || j < vb.len() {
                let v = match (va.get(i), vb.get(j)) {
                    (Some(&p), Some(&q)) => p.min(q),
                    (Some(&p), None) => p,
                    (None, Some(&q)) => q,
                    (None, None) => break,
                };
                let mut cx = 0.0;
                let mut cy = 0.0;
                if i < va.len() && va[i] == v {
                    cx = ca[i];
                    i += 1;
                }
                if j < vb.len() && vb[j] == v {
                    cy = cb[j];
                    j += 1;
                }
                keys.push(v);
                x.push(cx);
                y.push(cy);
            }
            (keys.iter().map(|v| crate::data::format_number(*v)).collect(), keys, x, y)
        }
        (Sample::Categories { categories: ka, counts: ca }, Sample::Categories { categories: kb, counts: cb }) => {
            let mut keys: Vec<String> = ka.iter().chain(kb).cloned().collect();
            crate::sorting::sort_by(&mut keys, &|a, b| a.cmp(b));
            keys.dedup();
            let find = |k: &[String], c: &[f64], key: &str| k.iter().position(|s| s == key).map_or(0.0, |i| c[i]);
            let x = keys.iter().map(|key| find(ka, ca, key)).collect();
            let y = keys.iter().map(|key| find(kb, cb, key)).collect();
            (keys, vec![], x, y)
        }
        _ => (vec![], vec![], vec![], vec![]),
    }
}

fn z_test(x: &[f64], y: &[f64]) -> (f64, f64) {
    let (n1, n2): (f64, f64) = (x.iter().sum(), y.iter().sum());
    let nz1 = x.iter().filter(|&&c| c > 0.0).count();
    let nz2 = y.iter().filter(|&&c| c > 0.0).count();
    if nz1 == 1 && nz2 == 1 && x.iter().zip(y).all(|(a, b)| (*a > 0.0) == (*b > 0.0)) {
        return (0.0, 1.0);
    }
    // Share of values other than the first (sorted) key.
    let p1 = (n1 - x[0]) / n1;
    let p2 = (n2 - y[0]) / n2;
    let p = (p1 * n1 + p2 * n2) / (n1 + n2);
    let z = (p1 - p2) / (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    (z, stats::normal_two_sided_p(z))
}

/// numpy's linear quantile of a weighted sample with whole counts (as if expanded).
fn weighted_quantile(values: &[f64], counts: &[f64], p: f64) -> f64 {
    let n: f64 = counts.iter().sum();
    let pos = p * (n - 1.0);
    let lo = pos.floor();
    let frac = pos - lo;
    let at = |k: f64| -> f64 {
        let mut cum = 0.0;
        for (v, c) in values.iter().zip(counts) {
            cum += c;
            if k < cum {
                return *v;
            }
        }
        *values.last().unwrap_or(&f64::NAN)
    };
    let (a, b) = (at(lo), at((lo + 1.0).min(n - 1.0)));
    let d = b - a;
    if frac >= 0.5 {
        b - d * (1.0 - frac)
    } else {
        a + d * frac
    }
}

/// Fractions of a weighted sample in the bins (−∞, e₁], (e₁, e₂], …, (e₉, ∞).
fn decile_fractions(values: &[f64], counts: &[f64], edges: &[f64]) -> Vec<f64> {
    let n: f64 = counts.iter().sum();
    let mut out = vec![0.0; edges.len() + 1];
    for (v, c) in values.iter().zip(counts) {
        let k = edges.partition_point(|e| e < v);
        out[k] += c / n;
    }
    out
}

/// PSI with 10 bins cut at the reference's deciles.
fn psi_numeric(r: &Distribution, rv: &[f64], rc: &[f64], nv: &[f64], nc: &[f64]) -> f64 {
    let edges: Vec<f64> = (1..10)
        .map(|k| match r {
            Distribution::Quantiles { quantiles, .. } => quantiles[k * (quantiles.len() - 1) / 10],
            _ => weighted_quantile(rv, rc, k as f64 / 10.0),
        })
        .collect();
    stats::psi(&decile_fractions(rv, rc, &edges), &decile_fractions(nv, nc, &edges))
}

/// Fractions for Jensen–Shannon on numbers as Evidently bins them: value counts
/// when the reference has ≤ 20 distinct values, else a Sturges histogram of both samples.
fn js_numeric(rv: &[f64], rc: &[f64], nv: &[f64], nc: &[f64]) -> f64 {
    let a = Sample::Numeric { values: rv.to_vec(), counts: rc.to_vec() };
    let b = Sample::Numeric { values: nv.to_vec(), counts: nc.to_vec() };
    if rv.len() <= 20 {
        let (_, _, x, y) = aligned(&a, &b);
        return stats::jensenshannon(&x, &y);
    }
    let n: f64 = rc.iter().sum::<f64>() + nc.iter().sum::<f64>();
    let lo = rv[0].min(nv[0]);
    let hi = rv[rv.len() - 1].max(nv[nv.len() - 1]);
    let width = (hi - lo) / (n.log2() + 1.0);
    let bins = if width > 0.0 { ((hi - lo) / width).ceil() as usize } else { 1 };
    let edges = linspace(lo, hi, bins);
    let hist = |v: &[f64], c: &[f64]| {
        let mut out = vec![0.0; bins];
        for (x, w) in v.iter().zip(c) {
            let k = edges[1..bins].partition_point(|e| e <= x);
            out[k.min(bins - 1)] += w;
        }
        out
    };
    stats::jensenshannon(&hist(rv, rc), &hist(nv, nc))
}

/// numpy's `linspace(lo, hi, bins + 1)`.
fn linspace(lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let step = (hi - lo) / bins as f64;
    let mut e: Vec<f64> = (0..=bins).map(|k| k as f64 * step + lo).collect();
    e[bins] = hi;
    e
}

fn chart(a: &Sample, b: &Sample) -> Chart {
    match (a, b) {
        (Sample::Numeric { values: rv, counts: rc }, Sample::Numeric { values: nv, counts: nc }) => {
            let (Some(&lo), Some(&hi)) =
                (rv.first().into_iter().chain(nv.first()).min_by(|x, y| x.total_cmp(y)), rv.last().into_iter().chain(nv.last()).max_by(|x, y| x.total_cmp(y)))
            else {
                return Chart::None;
            };
            let bins = if hi > lo { 20 } else { 1 };
            let edges = if hi > lo { linspace(lo, hi, bins) } else { vec![lo - 0.5, lo + 0.5] };
            let hist = |v: &[f64], c: &[f64]| {
                let n: f64 = c.iter().sum();
                let mut out = vec![0.0; bins];
                for (x, w) in v.iter().zip(c) {
                    let k = edges[1..bins].partition_point(|e| e <= x);
                    out[k.min(bins - 1)] += w / n;
                }
                out
            };
            Chart::Histogram { reference: hist(rv, rc), new: hist(nv, nc), edges }
        }
        (Sample::Categories { .. }, Sample::Categories { .. }) => {
            let (keys, _, x, y) = aligned(a, b);
            let (sx, sy): (f64, f64) = (x.iter().sum::<f64>().max(1.0), y.iter().sum::<f64>().max(1.0));
            let mut idx: Vec<usize> = (0..keys.len()).collect();
            crate::sorting::sort_indices_by(&mut idx, &|i, j| (x[j] / sx + y[j] / sy).total_cmp(&(x[i] / sx + y[i] / sy)));
            idx.truncate(30);
            Chart::Bars {
                categories: idx.iter().map(|&i| keys[i].clone()).collect(),
                reference: idx.iter().map(|&i| x[i] / sx).collect(),
                new: idx.iter().map(|&i| y[i] / sy).collect(),
            }
        }
        _ => Chart::None,
    }
}

/// The drift of one column: `reference` (with its missing rate) against the new `sample`.
pub fn column_drift(reference: &Distribution, missing_rate_ref: f64, sample: &Sample, missing_rate_new: f64, options: &DriftOptions) -> Result<ColumnDrift> {
    let categorical = matches!(reference, Distribution::Categories { .. });
    let r = ref_sample(reference);
    let n_new = sample.total();
    let (keys, _, x, y) = aligned(&r.sample, sample);
    let new_categories: Vec<String> = if categorical { keys.iter().zip(&x).filter(|(_, &c)| c == 0.0).map(|(k, _)| k.clone()).collect() } else { vec![] };
    let n_values = if r.exact { keys.len() } else { usize::MAX };
    let method = options.method.unwrap_or_else(|| default_method(categorical, r.n, n_values));
    let threshold = options.threshold.unwrap_or_else(|| method.default_threshold());
    let ty = if categorical { "categorical" } else { "numeric" };
    let mut out = ColumnDrift {
        ty,
        method,
        statistic: None,
        p_value: None,
        threshold,
        drifted: false,
        severity: 0.0,
        missing_rate_ref,
        missing_rate_new,
        new_categories,
        psi: None,
        n_ref: r.n,
        n_new,
        exact: r.exact,
        bound: None,
        note: None,
        chart: chart(&r.sample, sample),
    };
    if n_new == 0.0 || r.n == 0.0 {
        out.note = Some(if n_new == 0.0 { "every new value is missing" } else { "every training value was missing" }.into());
        out.drifted = n_new == 0.0 && r.n > 0.0;
        out.severity = if out.drifted { f64::INFINITY } else { 0.0 };
        return Ok(out);
    }
    let numeric_parts = match (&r.sample, sample) {
        (Sample::Numeric { values: rv, counts: rc }, Sample::Numeric { values: nv, counts: nc }) => Some((rv, rc, nv, nc)),
        _ => None,
    };
    if let Some((rv, rc, nv, nc)) = numeric_parts {
        out.psi = Some(psi_numeric(reference, rv, rc, nv, nc));
    }
    let (statistic, p_value) = match method {
        Method::Ks => {
            let Some((rv, rc, nv, nc)) = numeric_parts else { return Err(Error::spec("method", "ks is for numeric columns")) };
            let k = stats::ks_2samp(Weighted { values: rv, counts: rc }, Weighted { values: nv, counts: nc });
            if !k.exact && r.exact {
                out.note = Some("p-value from the limiting Kolmogorov distribution (more than 10,000 values)".into());
            }
            if !r.exact {
                out.bound = Some(2.0 / r.n.clamp(1.0, 1e9) + 1.0 / 1000.0);
            }
            (k.statistic, Some(k.p_value))
        }
        Method::Chisquare => {
            let k_norm = n_new / r.n;
            let f_exp: Vec<f64> = x.iter().map(|c| c * k_norm).collect();
            let (s, p) = stats::chisquare(&y, &f_exp);
            (s, Some(if p.is_nan() { 1.0 } else { p }))
        }
        Method::Z => {
            if keys.len() > 2 {
                return Err(Error::spec("method", format!("the Z-test is for two values; this column has {}", keys.len())));
            }
            let (z, p) = z_test(&x, &y);
            (z, Some(p))
        }
        Method::Wasserstein => {
            let Some((rv, rc, nv, nc)) = numeric_parts else { return Err(Error::spec("method", "wasserstein is for numeric columns")) };
            let norm = r.std.max(0.001);
            if !r.exact {
                out.bound = Some(2.0 * r.range / 1000.0 / norm);
            }
            (stats::wasserstein(Weighted { values: rv, counts: rc }, Weighted { values: nv, counts: nc }) / norm, None)
        }
        Method::Jensenshannon => match numeric_parts {
            Some((rv, rc, nv, nc)) => (js_numeric(rv, rc, nv, nc), None),
            None => (stats::jensenshannon(&x, &y), None),
        },
        Method::Psi => match numeric_parts {
            Some(_) => (out.psi.unwrap_or(f64::NAN), None),
            None => {
                let rf: Vec<f64> = x.iter().map(|c| c / r.n).collect();
                let nf: Vec<f64> = y.iter().map(|c| c / n_new).collect();
                (stats::psi(&rf, &nf), None)
            }
        },
    };
    out.statistic = statistic.is_finite().then_some(statistic);
    out.p_value = p_value;
    (out.drifted, out.severity) = match (method, p_value) {
        (Method::Ks, Some(p)) => (p <= threshold, if p > 0.0 { threshold / p } else { f64::INFINITY }),
        (_, Some(p)) => (p < threshold, if p > 0.0 { threshold / p } else { f64::INFINITY }),
        (_, None) => (statistic >= threshold, if threshold > 0.0 { statistic / threshold } else { f64::INFINITY }),
    };
    if !out.severity.is_finite() {
        out.severity = f64::MAX;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_methods_follow_evidently() {
        assert_eq!(default_method(false, 150.0, 35), Method::Ks);
        assert_eq!(default_method(false, 150.0, 5), Method::Chisquare);
        assert_eq!(default_method(false, 150.0, 2), Method::Z);
        assert_eq!(default_method(true, 1000.0, 3), Method::Chisquare);
        assert_eq!(default_method(true, 1000.0, 2), Method::Z);
        assert_eq!(default_method(false, 1001.0, 6), Method::Wasserstein);
        assert_eq!(default_method(false, 1001.0, 5), Method::Jensenshannon);
        assert_eq!(default_method(true, 5000.0, 2), Method::Jensenshannon);
    }

    #[test]
    fn weighted_quantile_is_numpys() {
        // np.quantile([1, 2, 2, 3, 10], [0.1, 0.5, 0.9]) = [1.4, 2.0, 7.2]
        let (v, c) = ([1.0, 2.0, 3.0, 10.0], [1.0, 2.0, 1.0, 1.0]);
        assert!((weighted_quantile(&v, &c, 0.1) - 1.4).abs() < 1e-15);
        assert_eq!(weighted_quantile(&v, &c, 0.5), 2.0);
        assert!((weighted_quantile(&v, &c, 0.9) - 7.2).abs() < 1e-14);
    }

    #[test]
    fn identical_samples_do_not_drift() {
        let d = Distribution::numeric(&(0..200).map(|i| (i % 37) as f64).collect::<Vec<_>>());
        let s = Sample::from_distribution(&d);
        let r = column_drift(&d, 0.0, &s, 0.0, &DriftOptions::default()).unwrap();
        assert_eq!(r.method, Method::Ks);
        assert_eq!(r.p_value, Some(1.0));
        assert!(!r.drifted);
        assert!(r.psi.unwrap().abs() < 1e-12);
    }
}
