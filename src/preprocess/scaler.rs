//! `StandardScaler`: centre to mean 0 and scale to unit *population* variance
//! (ddof = 0), learned on the training rows. Missing cells are ignored when
//! fitting and stay missing. Constant columns get scale 1, as scikit-learn does.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_columns, check_fit_rows};
use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, Frame};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StandardScalerParams {
    pub with_mean: bool,
    pub with_std: bool,
}

impl Default for StandardScalerParams {
    fn default() -> Self {
        StandardScalerParams { with_mean: true, with_std: true }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardScaler {
    pub input_names: Vec<String>,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    pub with_mean: bool,
    pub with_std: bool,
}

/// Mean and population variance of the non-missing cells, and their count.
pub fn mean_var(v: &[f64]) -> (f64, f64, usize) {
    let (s, n) = v.iter().filter(|x| !x.is_nan()).fold((0.0, 0usize), |(s, n), &x| (s + x, n + 1));
    if n == 0 {
        return (f64::NAN, f64::NAN, 0);
    }
    let mean = s / n as f64;
    let ss: f64 = v.iter().filter(|x| !x.is_nan()).map(|&x| (x - mean) * (x - mean)).sum();
    (mean, ss / n as f64, n)
}

/// [`mean_var`] of each column, four columns interleaved: each column still sums
/// its own cells row after row (numpy's reduction along axis 0, which
/// scikit-learn's scaler runs), so every result is `mean_var`'s bit for bit, but
/// four independent add chains run at once instead of one latency-bound chain. A
/// missing cell adds `+0.0`, which leaves a sum that started at `+0.0` unchanged.
pub fn mean_var_cols(cols: &[&[f64]]) -> Vec<(f64, f64, usize)> {
    let mut out = Vec::with_capacity(cols.len());
    let mut groups = cols.chunks_exact(4);
    for g in &mut groups {
        let n = g[0].len();
        if g.iter().any(|c| c.len() != n) {
            out.extend(g.iter().map(|c| mean_var(c)));
            continue;
        }
        let (a, b, c, d) = (&g[0][..n], &g[1][..n], &g[2][..n], &g[3][..n]);
        let (mut s, mut k) = ([0.0f64; 4], [0usize; 4]);
        for i in 0..n {
            for (l, x) in [a[i], b[i], c[i], d[i]].into_iter().enumerate() {
                let nan = x.is_nan();
                s[l] += if nan { 0.0 } else { x };
                k[l] += usize::from(!nan);
            }
        }
        let m: [f64; 4] = std::array::from_fn(|l| s[l] / k[l] as f64);
        let mut ss = [0.0f64; 4];
        for i in 0..n {
            for (l, x) in [a[i], b[i], c[i], d[i]].into_iter().enumerate() {
                ss[l] += if x.is_nan() { 0.0 } else { (x - m[l]) * (x - m[l]) };
            }
        }
        out.extend((0..4).map(|l| if k[l] == 0 { (f64::NAN, f64::NAN, 0) } else { (m[l], ss[l] / k[l] as f64, k[l]) }));
    }
    out.extend(groups.remainder().iter().map(|c| mean_var(c)));
    out
}

/// scikit-learn's `_is_constant_feature`: variance within float error of zero.
pub fn is_constant(var: f64, mean: f64, n: usize) -> bool {
    let eps = f64::EPSILON;
    let n = n as f64;
    var <= n * eps * var + (n * mean * eps).powi(2)
}

impl StepParams for StandardScalerParams {
    type Fitted = StandardScaler;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<StandardScaler> {
        check_fit_rows("StandardScaler", x)?;
        let mut mean = Vec::with_capacity(x.n_cols());
        let mut scale = Vec::with_capacity(x.n_cols());
        let cols = x.cols.iter().map(|c| c.numeric("StandardScaler")).collect::<Result<Vec<_>>>()?;
        let stats = mean_var_cols(&cols);
        for ((col, v), &(m, var, n)) in x.cols.iter().zip(&cols).zip(&stats) {
            // An infinite cell makes the column's sum ±inf or NaN, so only a column whose mean or
            // variance is not finite is searched (the same error, without a pass over every column).
            if let Some(i) = (!(m.is_finite() && var.is_finite())).then(|| v.iter().position(|x| x.is_infinite())).flatten() {
                return Err(Error::column(&col.name, format!("has an infinite value at row {}; StandardScaler needs finite numbers", i + 1)));
            }
            if n == 0 {
                return Err(Error::column(&col.name, "has no observed value in the training rows; StandardScaler cannot learn its mean"));
            }
            mean.push(if self.with_mean { m } else { 0.0 });
            scale.push(if !self.with_std || is_constant(var, m, n) { 1.0 } else { var.sqrt() });
        }
        Ok(StandardScaler { input_names: x.names(), mean, scale, with_mean: self.with_mean, with_std: self.with_std })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("with_mean", "bool", json!(true), "Subtract the training mean of each column."),
            ParamInfo::new("with_std", "bool", json!(true), "Divide by the training standard deviation (population, ddof=0)."),
        ]
    }
    fn help() -> &'static str {
        "Centre each column to mean 0 and scale it to standard deviation 1."
    }
}

impl FittedTransform for StandardScaler {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("StandardScaler", &self.input_names, x)?;
        let mut cols = Vec::with_capacity(x.n_cols());
        for (j, col) in x.cols.iter().enumerate() {
            let v = col.numeric("StandardScaler")?;
            let (m, s) = (self.mean[j], self.scale[j]);
            cols.push(FCol::num(col.name.clone(), v.iter().map(|&x| (x - m) / s).collect()));
        }
        Ok(Frame::new(cols, x.n_rows))
    }
    fn validate(&self) -> Result<()> {
        let n = self.input_names.len();
        if self.mean.len() != n || self.scale.len() != n {
            return Err(Error::ModelFile(format!("StandardScaler: {} columns but {} means and {} scales", n, self.mean.len(), self.scale.len())));
        }
        if self.scale.iter().any(|s| !(s.is_finite() && *s > 0.0)) || self.mean.iter().any(|m| !m.is_finite()) {
            return Err(Error::ModelFile("StandardScaler: scales must be positive and finite, means finite".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four columns at a time give `mean_var`'s bits: missing cells, all missing, a remainder.
    #[test]
    fn interleaved_columns_match_mean_var_bit_for_bit() {
        let n = 1_001;
        let mut cols: Vec<Vec<f64>> = (0..7).map(|j| (0..n).map(|i| ((i * 7_919 + j * 104_729) % 1_000) as f64 * 0.013_7 - 3.1 * j as f64).collect()).collect();
        cols[1].iter_mut().step_by(3).for_each(|v| *v = f64::NAN);
        cols[2].iter_mut().for_each(|v| *v = f64::NAN);
        cols[3][0] = f64::NAN;
        cols[5].iter_mut().for_each(|v| *v = -0.0);
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let bits = |(m, v, k): (f64, f64, usize)| (m.to_bits(), v.to_bits(), k);
        let got: Vec<_> = mean_var_cols(&refs).into_iter().map(bits).collect();
        let want: Vec<_> = refs.iter().map(|c| bits(mean_var(c))).collect();
        assert_eq!(got, want);
    }
}
