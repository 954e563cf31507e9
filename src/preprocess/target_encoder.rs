//! `TargetEncoder` (scikit-learn's): each category becomes a shrunk mean of the
//! target over the training rows in that category.
//!
//! - Categories are the sorted values seen at fit (text by code point, numbers by
//!   value); a missing value seen at fit is a category of its own, as in
//!   scikit-learn. A category unseen at fit (or a missing value never seen) is
//!   encoded as the target mean.
//! - `smooth="auto"`: empirical Bayes (Micci-Barreca eq. 5–6), per category
//!   `λ = n·σ² / (n·σ² + σ²_c)` with σ² the target variance and σ²_c the
//!   within-category variance (both ddof 0), encoding `λ·mean_c + (1 − λ)·mean`;
//!   a float `m`: `(sum_c + m·mean) / (n_c + m)`.
//! - Target types: continuous (regression), binary (the mean of the second
//!   class's indicator), multiclass (one column per class, one-vs-rest; columns
//!   grouped by feature, named `<feature>_<class index>` — the step sees class
//!   indices, which are the labels' positions in sorted order).
//! - `fit_transform` (what the training rows get inside a pipeline) is
//!   **cross-fitted** as in scikit-learn: the rows are split in `cv` folds (KFold
//!   for continuous targets, StratifiedKFold for classes) and each fold is
//!   encoded with encodings learnt on the other folds, so no row sees its own
//!   target. `transform` (new rows, test folds) uses the encodings learnt on all
//!   training rows. With `shuffle=false` the folds are scikit-learn's exactly;
//!   with `shuffle=true` (the default) they are drawn from our seeded ChaCha
//!   generator (`random_state`), not numpy's, so they differ from scikit-learn's
//!   (whose default, `random_state=None`, is not reproducible anyway).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::encoders::{column_categories, CategoryKeys};
use super::{check_columns, check_fit_rows};
use crate::data::MISSING_CODE;
use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, FData, Frame};
use crate::split::{CvSpec, KFoldParams};
use crate::{Error, Result};

const NAME: &str = "TargetEncoder";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    #[default]
    Auto,
    Continuous,
    Binary,
    Multiclass,
}

/// `"auto"` or a non-negative number (also read from a numeric text, as a form sends it).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Smooth {
    #[default]
    Auto,
    Value(f64),
}

impl Serialize for Smooth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Smooth::Auto => s.serialize_str("auto"),
            Smooth::Value(v) => s.serialize_f64(*v),
        }
    }
}

impl<'de> Deserialize<'de> for Smooth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(t) if t.trim() == "auto" => Ok(Smooth::Auto),
            serde_json::Value::String(t) => {
                t.trim().parse().map(Smooth::Value).map_err(|_| serde::de::Error::custom(format!("expected \"auto\" or a number, got {t:?}")))
            }
            serde_json::Value::Number(n) => n.as_f64().map(Smooth::Value).ok_or_else(|| serde::de::Error::custom("not a number")),
            other => Err(serde::de::Error::custom(format!("expected \"auto\" or a number, got {}", crate::error::json_text(&other)))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TargetEncoderParams {
    pub target_type: TargetType,
    pub smooth: Smooth,
    /// Folds of the cross fitting in `fit_transform`.
    pub cv: usize,
    pub shuffle: bool,
    pub random_state: Option<u64>,
}

impl Default for TargetEncoderParams {
    fn default() -> Self {
        TargetEncoderParams { target_type: TargetType::Auto, smooth: Smooth::Auto, cv: 5, shuffle: true, random_state: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetColumn {
    pub name: String,
    pub categories: CategoryKeys,
    /// A missing value was seen at fit: it is the category after the last of `categories`.
    pub has_missing: bool,
    /// `encodings[k][c]`: the encoding of category `c` (the missing one last) for output `k`
    /// (one output, or one per class for multiclass).
    pub encodings: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetEncoder {
    pub input_names: Vec<String>,
    /// "continuous", "binary" or "multiclass".
    pub target_type: TargetType,
    /// Classes (multiclass only; else 0).
    pub n_classes: usize,
    /// The target mean (one per class for multiclass): the encoding of unseen categories.
    pub target_mean: Vec<f64>,
    pub columns: Vec<TargetColumn>,
}

/// Category index of every row of `col` (`u32::MAX` = not a fitted category).
fn category_codes(col: &FCol, cats: &CategoryKeys, has_missing: bool) -> Vec<u32> {
    let n_cats = cats.len() as u32;
    let missing = if has_missing { n_cats } else { u32::MAX };
    match (&col.data, cats) {
        (FData::Cat(c), CategoryKeys::Text(keys)) => {
            let index: HashMap<&str, u32> = keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)).collect();
            let level_code: Vec<u32> = c.levels.iter().map(|l| index.get(l.as_str()).copied().unwrap_or(u32::MAX)).collect();
            c.codes.iter().map(|&k| if k == MISSING_CODE { missing } else { level_code[k as usize] }).collect()
        }
        (FData::Num(v), CategoryKeys::Num(keys)) => {
            v.iter().map(|x| if x.is_nan() { missing } else { keys.binary_search_by(|k| k.total_cmp(x)).map_or(u32::MAX, |i| i as u32) }).collect()
        }
        // A column whose kind changed since fit: nothing is known.
        _ => vec![u32::MAX; col.data.len()],
    }
}

/// The y columns the encodings are learnt from: one (continuous, binary) or one per class.
fn target_columns(params: &TargetEncoderParams, y: Option<&Target>) -> Result<(TargetType, usize, Vec<Vec<f64>>, Option<Vec<usize>>)> {
    let y = y.ok_or_else(|| Error::data("TargetEncoder needs a target: set the pipeline's target column"))?;
    let indicator = |y: &[usize], k: usize| -> Vec<f64> { y.iter().map(|&c| f64::from(u8::from(c == k))).collect() };
    match (params.target_type, y) {
        (TargetType::Auto | TargetType::Continuous, Target::Values(v)) => {
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(Error::data(format!("TargetEncoder: the target is missing or infinite at row {}", i + 1)));
            }
            Ok((TargetType::Continuous, 0, vec![v.clone()], None))
        }
        // Continuous on classes: the class indices are the values (as scikit-learn with labels 0..k−1).
        (TargetType::Continuous, Target::Classes { y, .. }) => Ok((TargetType::Continuous, 0, vec![y.iter().map(|&c| c as f64).collect()], None)),
        (TargetType::Auto | TargetType::Binary, Target::Classes { y, n_classes }) if *n_classes <= 2 => {
            Ok((TargetType::Binary, 0, vec![indicator(y, 1)], Some(y.clone())))
        }
        (TargetType::Auto | TargetType::Multiclass, Target::Classes { y, n_classes }) => {
            Ok((TargetType::Multiclass, *n_classes, (0..*n_classes).map(|k| indicator(y, k)).collect(), Some(y.clone())))
        }
        (TargetType::Binary, Target::Classes { n_classes, .. }) => {
            Err(Error::param(NAME, "target_type", format!("is \"binary\" but the target has {n_classes} classes; use \"multiclass\" or \"auto\"")))
        }
        (TargetType::Binary | TargetType::Multiclass, Target::Values(_)) => {
            Err(Error::param(NAME, "target_type", "names classes but the target is continuous (a regression); use \"continuous\" or \"auto\""))
        }
    }
}

/// Encodings of one column for one y column, learnt on `rows`: one per category (the missing one last).
fn encode(codes: &[u32], n_cats: usize, y: &[f64], rows: &[usize], smooth: Smooth) -> (Vec<f64>, f64) {
    let n = rows.len() as f64;
    let mean = rows.iter().map(|&i| y[i]).sum::<f64>() / n;
    let mut sums = vec![0.0; n_cats];
    let mut counts = vec![0usize; n_cats];
    for &i in rows {
        let c = codes[i];
        if (c as usize) < n_cats {
            sums[c as usize] += y[i];
            counts[c as usize] += 1;
        }
    }
    let enc = match smooth {
        Smooth::Value(m) => (0..n_cats).map(|c| if counts[c] == 0 && m == 0.0 { mean } else { (sums[c] + m * mean) / (counts[c] as f64 + m) }).collect(),
        Smooth::Auto => {
            // np.var(y): the mean of squared deviations.
            let var = rows.iter().map(|&i| (y[i] - mean) * (y[i] - mean)).sum::<f64>() / n;
            let means: Vec<f64> = (0..n_cats).map(|c| sums[c] / counts[c] as f64).collect();
            let mut ssd = vec![0.0; n_cats];
            for &i in rows {
                let c = codes[i] as usize;
                if c < n_cats {
                    let d = y[i] - means[c];
                    ssd[c] += d * d;
                }
            }
            (0..n_cats)
                .map(|c| {
                    let nc = counts[c] as f64;
                    let lambda = var * nc / (var * nc + ssd[c] / nc);
                    if lambda.is_nan() {
                        mean
                    } else {
                        lambda * means[c] + (1.0 - lambda) * mean
                    }
                })
                .collect()
        }
    };
    (enc, mean)
}

impl TargetEncoderParams {
    fn check(&self) -> Result<()> {
        if self.cv < 2 {
            return Err(Error::param(NAME, "cv", format!("must be at least 2, got {}", self.cv)));
        }
        if let Smooth::Value(m) = self.smooth {
            if !(m >= 0.0 && m.is_finite()) {
                return Err(Error::param(NAME, "smooth", format!("must be \"auto\" or a number >= 0, got {m}")));
            }
        }
        Ok(())
    }

    /// Categories and row codes of every column, and the y columns.
    #[allow(clippy::type_complexity)]
    fn prepare(&self, x: &Frame, y: Option<&Target>) -> Result<(Vec<(CategoryKeys, bool, Vec<u32>)>, TargetType, usize, Vec<Vec<f64>>, Option<Vec<usize>>)> {
        self.check()?;
        check_fit_rows(NAME, x)?;
        let (kind, n_classes, ys, classes) = target_columns(self, y)?;
        if ys.first().map_or(0, Vec::len) != x.n_rows {
            return Err(Error::data(format!("TargetEncoder: {} rows but {} target values", x.n_rows, ys.first().map_or(0, Vec::len))));
        }
        let cols = x
            .cols
            .iter()
            .map(|col| {
                let (cats, _, has_missing) = column_categories(col);
                let codes = category_codes(col, &cats, has_missing);
                (cats, has_missing, codes)
            })
            .collect();
        Ok((cols, kind, n_classes, ys, classes))
    }

    fn fit_on(&self, x: &Frame, cols: Vec<(CategoryKeys, bool, Vec<u32>)>, kind: TargetType, n_classes: usize, ys: &[Vec<f64>]) -> TargetEncoder {
        let all: Vec<usize> = (0..x.n_rows).collect();
        let mut target_mean = Vec::new();
        let columns = cols
            .into_iter()
            .zip(&x.cols)
            .map(|((categories, has_missing, codes), col)| {
                let n_cats = categories.len() + usize::from(has_missing);
                let mut means = Vec::new();
                let encodings = ys
                    .iter()
                    .map(|yk| {
                        let (e, m) = encode(&codes, n_cats, yk, &all, self.smooth);
                        means.push(m);
                        e
                    })
                    .collect();
                target_mean = means;
                TargetColumn { name: col.name.clone(), categories, has_missing, encodings }
            })
            .collect();
        TargetEncoder { input_names: x.names(), target_type: kind, n_classes, target_mean, columns }
    }
}

impl StepParams for TargetEncoderParams {
    type Fitted = TargetEncoder;
    // Cross-fitted: the training rows are encoded by other folds' encodings.
    const FIT_TRANSFORM_IS_TRANSFORM: bool = false;

    fn fit(&self, x: &Frame, y: Option<&Target>, _ctx: &FitContext) -> Result<TargetEncoder> {
        let (cols, kind, n_classes, ys, _) = self.prepare(x, y)?;
        Ok(self.fit_on(x, cols, kind, n_classes, &ys))
    }

    /// Cross fitting: each fold's rows are encoded with encodings learnt on the other folds.
    fn fit_transform(&self, x: &Frame, y: Option<&Target>, ctx: &FitContext) -> Result<(TargetEncoder, Frame, Option<Vec<usize>>)> {
        let (cols, kind, n_classes, ys, classes) = self.prepare(x, y)?;
        let n = x.n_rows;
        if n < self.cv {
            return Err(Error::param(NAME, "cv", format!("is {} but there are only {n} training rows; lower cv", self.cv)));
        }
        let kp = KFoldParams { n_splits: self.cv, shuffle: self.shuffle, random_state: self.random_state };
        let splitter = if classes.is_some() { CvSpec::StratifiedKFold(kp) } else { CvSpec::KFold(kp) };
        let splits = splitter.split(n, classes.as_deref(), ctx.seed_for(self.random_state)).map_err(|e| Error::param(NAME, "cv", e.to_string()))?;
        let n_out = ys.len();
        // out[j * n_out + k][row]
        let mut out = vec![vec![0.0; n]; cols.len() * n_out];
        for split in &splits {
            for (j, (categories, has_missing, codes)) in cols.iter().enumerate() {
                let n_cats = categories.len() + usize::from(*has_missing);
                for (k, yk) in ys.iter().enumerate() {
                    let (enc, mean) = encode(codes, n_cats, yk, &split.train, self.smooth);
                    let dst = &mut out[j * n_out + k];
                    for &i in &split.test {
                        dst[i] = enc.get(codes[i] as usize).copied().unwrap_or(mean);
                    }
                }
            }
        }
        let fitted = self.fit_on(x, cols, kind, n_classes, &ys);
        let names = fitted.output_names();
        let frame = Frame::new(names.into_iter().zip(out).map(|(name, v)| FCol::num(name, v)).collect(), n);
        Ok((fitted, frame, None))
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("target_type", "choice", json!("auto"), "Type of the target: auto (from the pipeline's task), continuous, binary or multiclass.")
                .choices(&["auto", "continuous", "binary", "multiclass"]),
            ParamInfo::new(
                "smooth",
                "string",
                json!("auto"),
                "Shrinkage towards the target mean: \"auto\" (empirical Bayes) or a number ≥ 0 (larger = more shrinkage).",
            ),
            ParamInfo::new("cv", "int", json!(5), "Folds of the cross fitting that encodes the training rows (no row sees its own target).")
                .range(Some(2.0), None),
            ParamInfo::new("shuffle", "bool", json!(true), "Shuffle the rows before splitting them into the cross-fitting folds."),
            ParamInfo::new("random_state", "int_or_null", json!(null), "Seed of the shuffle (empty: the pipeline's random_state).").range(Some(0.0), None),
        ]
    }
    fn help() -> &'static str {
        "Replace each category by a smoothed mean of the target in it (cross-fitted on the training rows)."
    }
}

impl TargetEncoder {
    fn output_names(&self) -> Vec<String> {
        if self.target_type == TargetType::Multiclass {
            self.columns.iter().flat_map(|c| (0..self.n_classes).map(move |k| format!("{}_{k}", c.name))).collect()
        } else {
            self.input_names.clone()
        }
    }
}

impl FittedTransform for TargetEncoder {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns(NAME, &self.input_names, x)?;
        let mut out = Vec::with_capacity(self.columns.len() * self.target_mean.len());
        for (col, tc) in x.cols.iter().zip(&self.columns) {
            if matches!((&col.data, &tc.categories), (FData::Cat(_), CategoryKeys::Num(_)) | (FData::Num(_), CategoryKeys::Text(_))) {
                return Err(Error::column(&col.name, "changed kind (text / numbers) since TargetEncoder was fitted"));
            }
            let codes = category_codes(col, &tc.categories, tc.has_missing);
            for (enc, &mean) in tc.encodings.iter().zip(&self.target_mean) {
                out.push(codes.iter().map(|&c| enc.get(c as usize).copied().unwrap_or(mean)).collect::<Vec<f64>>());
            }
        }
        let names = self.output_names();
        Ok(Frame::new(names.into_iter().zip(out).map(|(name, v)| FCol::num(name, v)).collect(), x.n_rows))
    }

    fn validate(&self) -> Result<()> {
        let n_out = match self.target_type {
            TargetType::Multiclass => self.n_classes,
            TargetType::Continuous | TargetType::Binary => 1,
            TargetType::Auto => 0,
        };
        let ok = n_out > 0
            && self.target_mean.len() == n_out
            && self.columns.len() == self.input_names.len()
            && self.target_mean.iter().all(|v| v.is_finite())
            && self.columns.iter().zip(&self.input_names).all(|(c, n)| {
                &c.name == n
                    && c.encodings.len() == n_out
                    && c.encodings.iter().all(|e| e.len() == c.categories.len() + usize::from(c.has_missing) && e.iter().all(|v| v.is_finite()))
            });
        if ok {
            Ok(())
        } else {
            Err(Error::data("TargetEncoder in the model file is inconsistent (column, category or class counts do not match)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::CatData;

    fn frame(cells: &[Option<&str>]) -> Frame {
        Frame::new(vec![FCol { name: "c".into(), data: FData::Cat(CatData::from_options(cells)) }], cells.len())
    }

    #[test]
    fn fit_encodes_with_auto_smoothing_and_unknowns_get_the_mean() {
        let x = frame(&[Some("a"), Some("a"), Some("b"), Some("b"), None, Some("a")]);
        let y = Target::Values(vec![1.0, 3.0, 10.0, 10.0, 4.0, 2.0]);
        let f = TargetEncoderParams::default().fit(&x, Some(&y), &FitContext::default()).unwrap();
        let mean = 30.0 / 6.0;
        let var = [1.0, 3.0, 10.0, 10.0, 4.0, 2.0].iter().map(|v: &f64| (v - mean).powi(2)).sum::<f64>() / 6.0;
        // a: mean 2, within variance 2/3; b: variance 0 → its own mean; missing: one row, variance 0 → 4.
        let lambda_a = var * 3.0 / (var * 3.0 + 2.0 / 3.0);
        let want_a = lambda_a * 2.0 + (1.0 - lambda_a) * mean;
        assert_eq!(f.columns[0].categories, CategoryKeys::Text(vec!["a".into(), "b".into()]));
        assert!((f.columns[0].encodings[0][0] - want_a).abs() < 1e-12);
        assert_eq!(f.columns[0].encodings[0][1], 10.0);
        assert_eq!(f.columns[0].encodings[0][2], 4.0);
        let out = f.transform(&frame(&[Some("zz"), Some("b")])).unwrap();
        assert_eq!(out.cols[0].numeric("t").unwrap(), &[mean, 10.0]);
        f.validate().unwrap();
    }

    #[test]
    fn fit_transform_is_cross_fitted_and_multiclass_has_a_column_per_class() {
        let cells: Vec<Option<&str>> = (0..20).map(|i| Some(if i % 2 == 0 { "a" } else { "b" })).collect();
        let x = frame(&cells);
        let y = Target::Classes { y: (0..20).map(|i| i % 3).collect(), n_classes: 3 };
        let p = TargetEncoderParams { shuffle: false, smooth: Smooth::Value(0.0), ..Default::default() };
        let (f, out, keep) = p.fit_transform(&x, Some(&y), &FitContext::default()).unwrap();
        assert!(keep.is_none());
        assert_eq!(out.names(), ["c_0", "c_1", "c_2"]);
        // Cross fitted: differs from fit().transform() on the training rows.
        assert_ne!(f.transform(&x).unwrap(), out);
        // Each row's class shares over the three columns sum to 1 (smooth 0: plain fold means).
        for i in 0..20 {
            let s: f64 = (0..3).map(|k| out.cols[k].numeric("t").unwrap()[i]).sum();
            assert!((s - 1.0).abs() < 1e-12);
        }
        let err = TargetEncoderParams { cv: 1, ..Default::default() }.fit(&x, Some(&y), &FitContext::default()).unwrap_err().to_string();
        assert!(err.contains("cv"), "{err}");
        let err = TargetEncoderParams::default().fit(&x, None, &FitContext::default()).unwrap_err().to_string();
        assert!(err.contains("target"), "{err}");
    }
}
