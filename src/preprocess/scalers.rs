//! Scalers beyond `StandardScaler`, each as scikit-learn computes it:
//! - `MinMaxScaler`: `x * scale + min` with `scale = (hi - lo) / (max - min)`, `min = lo - data_min * scale`; optional clip.
//! - `RobustScaler`: `(x - median) / (q_hi - q_lo)`, percentiles as numpy's default (linear interpolation).
//! - `MaxAbsScaler`: `x / max|x|`.
//! - `Normalizer`: each *row* divided by its l1, l2 or max norm (stateless).
//! - `PowerTransformer`: Yeo-Johnson with lambda maximising the log-likelihood (scipy's `yeojohnson_normmax`:
//!   bounded Brent, `fminbound`), then standardised.
//!
//! Missing cells (NaN) are ignored when fitting and stay missing (except `Normalizer`,
//! which, as scikit-learn, refuses them). Zero ranges/scales become 1, as
//! `_handle_zeros_in_scale` does. Output names are the input names.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::scaler::{is_constant, mean_var};
use super::{check_columns, check_fit_rows};
use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, Frame};
use crate::numeric::{median_sorted, percentile_sorted};
use crate::{Error, Result};

/// scikit-learn's `_handle_zeros_in_scale`: scales below `10 * eps` become 1.
pub fn handle_zero_scale(s: f64) -> f64 {
    if s < 10.0 * f64::EPSILON {
        1.0
    } else {
        s
    }
}

/// The observed (non-NaN) cells of a column, sorted; errors on infinities.
pub fn sorted_observed(col: &FCol, step: &str) -> Result<Vec<f64>> {
    let v = col.numeric(step)?;
    if let Some(i) = v.iter().position(|x| x.is_infinite()) {
        return Err(Error::column(&col.name, format!("has an infinite value at row {}; {step} needs finite numbers", i + 1)));
    }
    let mut obs: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if obs.is_empty() {
        return Err(Error::column(&col.name, format!("has no observed value in the training rows; {step} cannot learn from it (impute or drop it)")));
    }
    crate::sorting::sort_f64(&mut obs);
    Ok(obs)
}

fn check_lengths(step: &str, n: usize, arrays: &[(&str, &[f64])]) -> Result<()> {
    for (name, a) in arrays {
        if a.len() != n {
            return Err(Error::ModelFile(format!("{step}: {n} columns but {} values in '{name}'", a.len())));
        }
        if a.iter().any(|x| !x.is_finite()) {
            return Err(Error::ModelFile(format!("{step}: '{name}' holds a non-finite value")));
        }
    }
    Ok(())
}

/// Applies `f(j, x)` to every cell of every (numeric) column, keeping the names.
fn map_columns(step: &str, x: &Frame, f: impl Fn(usize, f64) -> f64) -> Result<Frame> {
    let mut cols = Vec::with_capacity(x.n_cols());
    for (j, col) in x.cols.iter().enumerate() {
        let v = col.numeric(step)?;
        cols.push(FCol::num(col.name.clone(), v.iter().map(|&c| f(j, c)).collect()));
    }
    Ok(Frame::new(cols, x.n_rows))
}

// ---------------------------------------------------------------- MinMaxScaler

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MinMaxScalerParams {
    /// Desired range of the transformed data, `[min, max]`.
    pub feature_range: [f64; 2],
    /// Clip transformed values of unseen data to `feature_range`.
    pub clip: bool,
}

impl Default for MinMaxScalerParams {
    fn default() -> Self {
        MinMaxScalerParams { feature_range: [0.0, 1.0], clip: false }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinMaxScaler {
    pub input_names: Vec<String>,
    pub data_min: Vec<f64>,
    pub data_max: Vec<f64>,
    pub scale: Vec<f64>,
    pub min: Vec<f64>,
    pub feature_range: [f64; 2],
    pub clip: bool,
}

impl StepParams for MinMaxScalerParams {
    type Fitted = MinMaxScaler;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<MinMaxScaler> {
        let [lo, hi] = self.feature_range;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(Error::param("MinMaxScaler", "feature_range", format!("must be [min, max] with min < max, got [{lo}, {hi}]")));
        }
        check_fit_rows("MinMaxScaler", x)?;
        let n = x.n_cols();
        let (mut data_min, mut data_max, mut scale, mut min) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        for col in &x.cols {
            let v = col.numeric("MinMaxScaler")?;
            if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                return Err(Error::column(&col.name, format!("has an infinite value at row {}; MinMaxScaler needs finite numbers", i + 1)));
            }
            let (mn, mx) = v.iter().filter(|c| !c.is_nan()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &c| (a.min(c), b.max(c)));
            if mn > mx {
                return Err(Error::column(&col.name, "has no observed value in the training rows; MinMaxScaler cannot learn its range"));
            }
            let s = (hi - lo) / handle_zero_scale(mx - mn);
            data_min.push(mn);
            data_max.push(mx);
            scale.push(s);
            min.push(lo - mn * s);
        }
        Ok(MinMaxScaler { input_names: x.names(), data_min, data_max, scale, min, feature_range: self.feature_range, clip: self.clip })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("feature_range", "list", json!([0.0, 1.0]), "Target range [min, max] of the scaled columns."),
            ParamInfo::new("clip", "bool", json!(false), "Clip values of new rows that fall outside the training range to feature_range."),
        ]
    }
    fn help() -> &'static str {
        "Rescale each column linearly so the training minimum and maximum map to feature_range."
    }
}

impl FittedTransform for MinMaxScaler {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("MinMaxScaler", &self.input_names, x)?;
        let [lo, hi] = self.feature_range;
        map_columns("MinMaxScaler", x, |j, c| {
            let t = c * self.scale[j] + self.min[j];
            if self.clip && !t.is_nan() {
                t.max(lo).min(hi)
            } else {
                t
            }
        })
    }
    fn validate(&self) -> Result<()> {
        let n = self.input_names.len();
        check_lengths("MinMaxScaler", n, &[("data_min", &self.data_min), ("data_max", &self.data_max), ("scale", &self.scale), ("min", &self.min)])?;
        if self.feature_range[0].partial_cmp(&self.feature_range[1]) != Some(std::cmp::Ordering::Less) {
            return Err(Error::ModelFile("MinMaxScaler: feature_range must be increasing".into()));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- RobustScaler

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RobustScalerParams {
    pub with_centering: bool,
    pub with_scaling: bool,
    /// Percentiles `[q_min, q_max]` whose difference is the scale.
    pub quantile_range: [f64; 2],
}

impl Default for RobustScalerParams {
    fn default() -> Self {
        RobustScalerParams { with_centering: true, with_scaling: true, quantile_range: [25.0, 75.0] }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RobustScaler {
    pub input_names: Vec<String>,
    /// Medians (0 when `with_centering` is false).
    pub center: Vec<f64>,
    /// Interquantile ranges (1 when `with_scaling` is false or the range is zero).
    pub scale: Vec<f64>,
}

impl StepParams for RobustScalerParams {
    type Fitted = RobustScaler;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<RobustScaler> {
        let [qa, qb] = self.quantile_range;
        if !(0.0 <= qa && qa <= qb && qb <= 100.0) {
            return Err(Error::param("RobustScaler", "quantile_range", format!("must satisfy 0 <= q_min <= q_max <= 100, got [{qa}, {qb}]")));
        }
        check_fit_rows("RobustScaler", x)?;
        let mut center = Vec::with_capacity(x.n_cols());
        let mut scale = Vec::with_capacity(x.n_cols());
        for col in &x.cols {
            let obs = sorted_observed(col, "RobustScaler")?;
            center.push(if self.with_centering { median_sorted(&obs) } else { 0.0 });
            scale.push(if self.with_scaling { handle_zero_scale(percentile_sorted(&obs, qb) - percentile_sorted(&obs, qa)) } else { 1.0 });
        }
        Ok(RobustScaler { input_names: x.names(), center, scale })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("with_centering", "bool", json!(true), "Subtract the training median of each column."),
            ParamInfo::new("with_scaling", "bool", json!(true), "Divide by the interquantile range (a zero range leaves the column unscaled)."),
            ParamInfo::new("quantile_range", "list", json!([25.0, 75.0]), "Percentiles [q_min, q_max] (0..100) whose difference is the scale."),
        ]
    }
    fn help() -> &'static str {
        "Centre on the median and scale by the interquartile range: robust to outliers."
    }
}

impl FittedTransform for RobustScaler {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("RobustScaler", &self.input_names, x)?;
        map_columns("RobustScaler", x, |j, c| (c - self.center[j]) / self.scale[j])
    }
    fn validate(&self) -> Result<()> {
        check_lengths("RobustScaler", self.input_names.len(), &[("center", &self.center), ("scale", &self.scale)])?;
        if self.scale.iter().any(|&s| s <= 0.0) {
            return Err(Error::ModelFile("RobustScaler: scales must be positive".into()));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- MaxAbsScaler

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MaxAbsScalerParams {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxAbsScaler {
    pub input_names: Vec<String>,
    pub max_abs: Vec<f64>,
    pub scale: Vec<f64>,
}

impl StepParams for MaxAbsScalerParams {
    type Fitted = MaxAbsScaler;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<MaxAbsScaler> {
        check_fit_rows("MaxAbsScaler", x)?;
        let mut max_abs = Vec::with_capacity(x.n_cols());
        for col in &x.cols {
            let obs = sorted_observed(col, "MaxAbsScaler")?;
            // Sorted: the largest magnitude is at one of the ends.
            max_abs.push(obs[0].abs().max(obs[obs.len() - 1].abs()));
        }
        let scale = max_abs.iter().map(|&m| handle_zero_scale(m)).collect();
        Ok(MaxAbsScaler { input_names: x.names(), max_abs, scale })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![]
    }
    fn help() -> &'static str {
        "Divide each column by its largest absolute training value (keeps zeros and signs)."
    }
}

impl FittedTransform for MaxAbsScaler {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("MaxAbsScaler", &self.input_names, x)?;
        map_columns("MaxAbsScaler", x, |j, c| c / self.scale[j])
    }
    fn validate(&self) -> Result<()> {
        check_lengths("MaxAbsScaler", self.input_names.len(), &[("max_abs", &self.max_abs), ("scale", &self.scale)])?;
        if self.scale.iter().any(|&s| s <= 0.0) {
            return Err(Error::ModelFile("MaxAbsScaler: scales must be positive".into()));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- Normalizer

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Norm {
    L1,
    #[default]
    L2,
    Max,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizerParams {
    pub norm: Norm,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Normalizer {
    pub input_names: Vec<String>,
    pub norm: Norm,
}

impl StepParams for NormalizerParams {
    type Fitted = Normalizer;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<Normalizer> {
        check_fit_rows("Normalizer", x)?;
        for col in &x.cols {
            col.numeric("Normalizer")?;
        }
        Ok(Normalizer { input_names: x.names(), norm: self.norm })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![ParamInfo::new("norm", "choice", json!("l2"), "Norm each row is divided by (rows of zeros stay zero).").choices(&["l1", "l2", "max"])]
    }
    fn help() -> &'static str {
        "Scale each row (not column) to unit norm: l1, l2 or max."
    }
}

impl FittedTransform for Normalizer {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("Normalizer", &self.input_names, x)?;
        let cols: Vec<&[f64]> = x.cols.iter().map(|c| c.numeric("Normalizer")).collect::<Result<_>>()?;
        for (c, v) in x.cols.iter().zip(&cols) {
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(Error::column(
                    &c.name,
                    format!("has a missing or infinite value at row {}; Normalizer needs finite numbers (impute first)", i + 1),
                ));
            }
        }
        let mut norms = vec![0.0f64; x.n_rows];
        for v in &cols {
            match self.norm {
                Norm::L1 => norms.iter_mut().zip(v.iter()).for_each(|(n, &c)| *n += c.abs()),
                Norm::L2 => norms.iter_mut().zip(v.iter()).for_each(|(n, &c)| *n += c * c),
                Norm::Max => norms.iter_mut().zip(v.iter()).for_each(|(n, &c)| *n = n.max(c.abs())),
            }
        }
        for n in norms.iter_mut() {
            if self.norm == Norm::L2 {
                *n = n.sqrt();
            }
            *n = handle_zero_scale(*n);
        }
        let out = x.cols.iter().zip(&cols).map(|(c, v)| FCol::num(c.name.clone(), v.iter().zip(&norms).map(|(&a, &n)| a / n).collect())).collect();
        Ok(Frame::new(out, x.n_rows))
    }
}

// ---------------------------------------------------------------- PowerTransformer

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PowerMethod {
    #[default]
    YeoJohnson,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PowerTransformerParams {
    pub method: PowerMethod,
    pub standardize: bool,
}

impl Default for PowerTransformerParams {
    fn default() -> Self {
        PowerTransformerParams { method: PowerMethod::YeoJohnson, standardize: true }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerTransformer {
    pub input_names: Vec<String>,
    pub lambdas: Vec<f64>,
    /// Mean and scale of the transformed training columns (empty when not standardizing).
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
}

/// The Yeo-Johnson transform of one value, as scipy's `_yeojohnson_transform` (used by scikit-learn).
pub fn yeo_johnson(x: f64, lmbda: f64) -> f64 {
    let eps = f64::EPSILON;
    if x >= 0.0 {
        if lmbda.abs() < eps {
            x.ln_1p()
        } else {
            (lmbda * x.ln_1p()).exp_m1() / lmbda
        }
    } else if (lmbda - 2.0).abs() > eps {
        -((2.0 - lmbda) * (-x).ln_1p()).exp_m1() / (2.0 - lmbda)
    } else {
        -(-x).ln_1p()
    }
}

/// numpy's pairwise summation (`np.sum` of a contiguous 1-D float64 array), bit for bit.
pub fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in a {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

/// scipy's `yeojohnson_normmax` objective: the negative log-likelihood (+inf when the variance underflows).
fn yj_neg_llf(x: &[f64], sum_sign_log1p: f64, lmbda: f64, buf: &mut Vec<f64>) -> f64 {
    buf.clear();
    buf.extend(x.iter().map(|&v| yeo_johnson(v, lmbda)));
    let n = x.len() as f64;
    // np.var: pairwise sums, as numpy (so the optimiser takes the same path as scipy's).
    let mean = pairwise_sum(buf) / n;
    buf.iter_mut().for_each(|t| *t = (*t - mean) * (*t - mean));
    let var = pairwise_sum(buf) / n;
    // NaN or underflowing variance: reject this lambda.
    if var.is_nan() || var < f64::MIN_POSITIVE {
        return f64::INFINITY;
    }
    let loglike = -n / 2.0 * var.ln() + (lmbda - 1.0) * sum_sign_log1p;
    if loglike.is_infinite() {
        return f64::INFINITY;
    }
    -loglike
}

/// `scipy.optimize.fminbound(f, x1, x2, xtol)` (bounded Brent, maxfun 500), step for step.
pub fn fminbound(f: &mut dyn FnMut(f64) -> f64, x1: f64, x2: f64, xatol: f64) -> f64 {
    let maxfun = 500;
    let sqrt_eps = (2.2e-16f64).sqrt();
    let golden_mean = 0.5 * (3.0 - 5f64.sqrt());
    let (mut a, mut b) = (x1, x2);
    let mut fulc = a + golden_mean * (b - a);
    let mut nfc = fulc;
    let mut xf = fulc;
    let (mut rat, mut e): (f64, f64) = (0.0, 0.0);
    let mut fx = f(xf);
    let mut num = 1;
    let mut ffulc = fx;
    let mut fnfc = fx;
    let mut xm = 0.5 * (a + b);
    let mut tol1 = sqrt_eps * xf.abs() + xatol / 3.0;
    let mut tol2 = 2.0 * tol1;
    let sign = |v: f64| {
        if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
        } else {
            0.0
        }
    };
    while (xf - xm).abs() > (tol2 - 0.5 * (b - a)) {
        let mut golden = true;
        if e.abs() > tol1 {
            golden = false;
            let mut r = (xf - nfc) * (fx - ffulc);
            let mut q = (xf - fulc) * (fx - fnfc);
            let mut p = (xf - fulc) * q - (xf - nfc) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            }
            q = q.abs();
            r = e;
            e = rat;
            if p.abs() < (0.5 * q * r).abs() && p > q * (a - xf) && p < q * (b - xf) {
                rat = (p + 0.0) / q;
                let x = xf + rat;
                if (x - a) < tol2 || (b - x) < tol2 {
                    let si = sign(xm - xf) + if xm - xf == 0.0 { 1.0 } else { 0.0 };
                    rat = tol1 * si;
                }
            } else {
                golden = true;
            }
        }
        if golden {
            e = if xf >= xm { a - xf } else { b - xf };
            rat = golden_mean * e;
        }
        let si = sign(rat) + if rat == 0.0 { 1.0 } else { 0.0 };
        let x = xf + si * rat.abs().max(tol1);
        let fu = f(x);
        num += 1;
        if fu <= fx {
            if x >= xf {
                a = xf;
            } else {
                b = xf;
            }
            fulc = nfc;
            ffulc = fnfc;
            nfc = xf;
            fnfc = fx;
            xf = x;
            fx = fu;
        } else {
            if x < xf {
                a = x;
            } else {
                b = x;
            }
            if fu <= fnfc || nfc == xf {
                fulc = nfc;
                ffulc = fnfc;
                nfc = x;
                fnfc = fu;
            } else if fu <= ffulc || fulc == xf || fulc == nfc {
                fulc = x;
                ffulc = fu;
            }
        }
        xm = 0.5 * (a + b);
        tol1 = sqrt_eps * xf.abs() + xatol / 3.0;
        tol2 = 2.0 * tol1;
        if num >= maxfun {
            break;
        }
    }
    xf
}

/// The Yeo-Johnson lambda of the observed values: scipy's `yeojohnson_normmax` (used by scikit-learn 1.9).
pub fn yeo_johnson_lambda(x: &[f64]) -> f64 {
    if x.iter().all(|&v| v == 0.0) {
        return 1.0;
    }
    let terms: Vec<f64> = x.iter().map(|&v| if v == 0.0 { 0.0 } else { v.signum() * v.abs().ln_1p() }).collect();
    let s = pairwise_sum(&terms);
    let max_abs = x.iter().fold(0.0f64, |m, &v| m.max(v.abs()));
    let log1p_max_x = (20.0 * max_abs).ln_1p();
    let log_eps = f64::EPSILON.ln();
    let log_tiny = (f64::MIN_POSITIVE.ln() - log_eps) / 2.0;
    let log_max = (f64::MAX.ln() + log_eps) / 2.0;
    let (mut lb, mut ub) = (log_tiny / log1p_max_x, log_max / log1p_max_x);
    if x.iter().all(|&v| v < 0.0) {
        (lb, ub) = (2.0 - ub, 2.0 - lb);
    } else if x.iter().any(|&v| v < 0.0) {
        (lb, ub) = ((2.0 - ub).max(lb), (2.0 - lb).min(ub));
    }
    let mut buf = Vec::with_capacity(x.len());
    let mut f = |l: f64| yj_neg_llf(x, s, l, &mut buf);
    fminbound(&mut f, lb, ub, 1.48e-8)
}

impl StepParams for PowerTransformerParams {
    type Fitted = PowerTransformer;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<PowerTransformer> {
        check_fit_rows("PowerTransformer", x)?;
        let mut lambdas = Vec::with_capacity(x.n_cols());
        let (mut mean, mut scale) = (Vec::new(), Vec::new());
        for col in &x.cols {
            let v = col.numeric("PowerTransformer")?;
            if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                return Err(Error::column(&col.name, format!("has an infinite value at row {}; PowerTransformer needs finite numbers", i + 1)));
            }
            let obs: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            if obs.is_empty() {
                return Err(Error::column(&col.name, "has no observed value in the training rows; PowerTransformer cannot learn from it"));
            }
            // scikit-learn checks constancy on the raw column (NaN makes the mean NaN: not constant).
            let has_nan = obs.len() < v.len();
            let (m, var, n) = mean_var(&obs);
            let lambda = if !has_nan && is_constant(var, m, n) { 1.0 } else { yeo_johnson_lambda(&obs) };
            lambdas.push(lambda);
            if self.standardize {
                let t: Vec<f64> = v.iter().map(|&c| yeo_johnson(c, lambda)).collect();
                let (tm, tv, tn) = mean_var(&t);
                mean.push(tm);
                scale.push(if is_constant(tv, tm, tn) { 1.0 } else { tv.sqrt() });
            }
        }
        Ok(PowerTransformer { input_names: x.names(), lambdas, mean, scale })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("method", "choice", json!("yeo-johnson"), "Power transform family (Yeo-Johnson accepts negative values).").choices(&["yeo-johnson"]),
            ParamInfo::new("standardize", "bool", json!(true), "Standardize the transformed columns to mean 0 and standard deviation 1."),
        ]
    }
    fn help() -> &'static str {
        "Make each column more Gaussian-like with a Yeo-Johnson power transform fitted by maximum likelihood."
    }
}

impl FittedTransform for PowerTransformer {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("PowerTransformer", &self.input_names, x)?;
        let std = !self.mean.is_empty();
        map_columns("PowerTransformer", x, |j, c| {
            let t = yeo_johnson(c, self.lambdas[j]);
            if std {
                (t - self.mean[j]) / self.scale[j]
            } else {
                t
            }
        })
    }
    fn validate(&self) -> Result<()> {
        let n = self.input_names.len();
        check_lengths("PowerTransformer", n, &[("lambdas", &self.lambdas)])?;
        if !self.mean.is_empty() || !self.scale.is_empty() {
            check_lengths("PowerTransformer", n, &[("mean", &self.mean), ("scale", &self.scale)])?;
            if self.scale.iter().any(|&s| s <= 0.0) {
                return Err(Error::ModelFile("PowerTransformer: scales must be positive".into()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_percentiles() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile_sorted(&v, 25.0), 1.75);
        assert_eq!(percentile_sorted(&v, 75.0), 3.25);
        assert_eq!(percentile_sorted(&v, 100.0), 4.0);
        assert_eq!(percentile_sorted(&v, 0.0), 1.0);
        assert_eq!(median_sorted(&v), 2.5);
    }

    #[test]
    fn fminbound_finds_parabola_minimum() {
        let mut f = |x: f64| (x - 0.7) * (x - 0.7) + 1.0;
        let x = fminbound(&mut f, -2.0, 2.0, 1.48e-8);
        assert!((x - 0.7).abs() < 1e-7, "{x}");
    }

    #[test]
    fn yeo_johnson_identity_at_one() {
        for &x in &[-3.0, -0.5, 0.0, 0.5, 4.0] {
            assert!((yeo_johnson(x, 1.0) - x).abs() < 1e-15);
        }
        assert_eq!(yeo_johnson(1.0, 0.0), 2f64.ln());
        assert_eq!(yeo_johnson(-1.0, 2.0), -(2f64.ln()));
    }
}
