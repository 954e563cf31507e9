//! `OrdinalEncoder`: each category becomes its index among the sorted
//! categories seen at fit (text by code point, numbers by value), as a number.
//! A missing value seen at fit is encoded as `encoded_missing_value` (NaN by
//! default); unknown categories either fail (`handle_unknown="error"`) or become
//! `unknown_value` (`"use_encoded_value"`). Output names are the input names.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::json;

use super::onehot::{identify_infrequent, MinFrequency};
use super::{check_columns, check_fit_rows};
use crate::data::MISSING_CODE;
use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, FData, Frame};
use crate::{Error, Result};

/// Serde for an `f64` that may be NaN: written as the text "nan" (JSON has no NaN);
/// read from a number, "nan" or null.
pub mod nan_f64 {
    use super::*;
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
        if v.is_nan() {
            s.serialize_str("nan")
        } else {
            s.serialize_f64(*v)
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(f64::NAN),
            serde_json::Value::Number(n) => n.as_f64().ok_or_else(|| serde::de::Error::custom("not a number")),
            serde_json::Value::String(s) if s.eq_ignore_ascii_case("nan") => Ok(f64::NAN),
            other => Err(serde::de::Error::custom(format!("expected a number or \"nan\", got {}", crate::error::json_text(&other)))),
        }
    }
}

/// Like [`nan_f64`] for an optional value: null = absent, "nan" = NaN.
pub mod opt_nan_f64 {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(x) if x.is_nan() => s.serialize_str("nan"),
            Some(x) => s.serialize_f64(*x),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<f64>, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::Number(n) => n.as_f64().map(Some).ok_or_else(|| serde::de::Error::custom("not a number")),
            serde_json::Value::String(s) if s.eq_ignore_ascii_case("nan") => Ok(Some(f64::NAN)),
            other => Err(serde::de::Error::custom(format!("expected a number, \"nan\" or null, got {}", crate::error::json_text(&other)))),
        }
    }
}

/// Serde for a `Vec<f64>` that may hold NaN or infinities (JSON has neither): written as
/// "nan", "inf", "-inf"; read from numbers, those texts, or null (NaN).
pub mod special_f64_vec {
    use super::*;
    use serde::ser::SerializeSeq;
    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for &x in v {
            if x.is_nan() {
                seq.serialize_element("nan")?;
            } else if x == f64::INFINITY {
                seq.serialize_element("inf")?;
            } else if x == f64::NEG_INFINITY {
                seq.serialize_element("-inf")?;
            } else {
                seq.serialize_element(&x)?;
            }
        }
        seq.end()
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<f64>, D::Error> {
        let raw: Vec<serde_json::Value> = Vec::deserialize(d)?;
        raw.into_iter()
            .map(|v| match v {
                serde_json::Value::Null => Ok(f64::NAN),
                serde_json::Value::Number(n) => n.as_f64().ok_or_else(|| serde::de::Error::custom("not a number")),
                serde_json::Value::String(s) => match s.to_ascii_lowercase().as_str() {
                    "nan" => Ok(f64::NAN),
                    "inf" => Ok(f64::INFINITY),
                    "-inf" => Ok(f64::NEG_INFINITY),
                    _ => Err(serde::de::Error::custom(format!("expected a number, \"nan\", \"inf\" or \"-inf\", got {s:?}"))),
                },
                other => Err(serde::de::Error::custom(format!("expected a number, got {}", crate::error::json_text(&other)))),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OrdinalHandleUnknown {
    #[default]
    Error,
    UseEncodedValue,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrdinalEncoderParams {
    pub handle_unknown: OrdinalHandleUnknown,
    /// Code for unknown categories; required (an integer or "nan") with `use_encoded_value`.
    #[serde(with = "opt_nan_f64")]
    pub unknown_value: Option<f64>,
    /// Code for missing values seen at fit (default NaN).
    #[serde(with = "nan_f64")]
    pub encoded_missing_value: f64,
    /// Categories seen fewer times than this (count, or fraction of rows) share the last code.
    pub min_frequency: Option<MinFrequency>,
    /// At most this many codes per column; the rarest categories share the last one.
    pub max_categories: Option<usize>,
}

impl Default for OrdinalEncoderParams {
    fn default() -> Self {
        OrdinalEncoderParams {
            handle_unknown: OrdinalHandleUnknown::Error,
            unknown_value: None,
            encoded_missing_value: f64::NAN,
            min_frequency: None,
            max_categories: None,
        }
    }
}

/// The sorted categories of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum CategoryKeys {
    Text(Vec<String>),
    Num(Vec<f64>),
}

impl CategoryKeys {
    pub fn len(&self) -> usize {
        match self {
            CategoryKeys::Text(v) => v.len(),
            CategoryKeys::Num(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdinalColumn {
    pub name: String,
    pub categories: CategoryKeys,
    /// A missing value was seen at fit (it is encoded as `encoded_missing_value`).
    pub has_missing: bool,
    /// Indices (into `categories`) of infrequent categories: they all get the last code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub infrequent: Vec<usize>,
}

impl OrdinalColumn {
    /// The code of each category: frequent ones in order, then one shared code for the infrequent ones.
    pub fn codes(&self) -> Vec<f64> {
        let n_freq = self.categories.len() - self.infrequent.len();
        let mut next = 0usize;
        (0..self.categories.len())
            .map(|k| {
                if self.infrequent.contains(&k) {
                    n_freq as f64
                } else {
                    next += 1;
                    (next - 1) as f64
                }
            })
            .collect()
    }
    /// Number of distinct codes.
    pub fn n_codes(&self) -> usize {
        self.categories.len() - self.infrequent.len() + usize::from(!self.infrequent.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdinalEncoder {
    pub input_names: Vec<String>,
    pub columns: Vec<OrdinalColumn>,
    pub handle_unknown: OrdinalHandleUnknown,
    #[serde(with = "opt_nan_f64")]
    pub unknown_value: Option<f64>,
    #[serde(with = "nan_f64")]
    pub encoded_missing_value: f64,
}

/// Sorted categories seen in a column, their counts, and whether a missing value was seen.
pub fn column_categories(col: &FCol) -> (CategoryKeys, Vec<usize>, bool) {
    match &col.data {
        FData::Cat(c) => {
            let mut count = vec![0usize; c.levels.len()];
            let mut missing = false;
            for &k in &c.codes {
                if k == MISSING_CODE {
                    missing = true;
                } else {
                    count[k as usize] += 1;
                }
            }
            let mut order: Vec<usize> = (0..c.levels.len()).filter(|&k| count[k] > 0).collect();
            crate::sorting::sort_indices_by(&mut order, &|a, b| c.levels[a].cmp(&c.levels[b]));
            let cats = order.iter().map(|&k| c.levels[k].clone()).collect();
            (CategoryKeys::Text(cats), order.iter().map(|&k| count[k]).collect(), missing)
        }
        FData::Num(v) => {
            let mut vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            crate::sorting::sort_f64(&mut vals);
            let mut cats = Vec::new();
            let mut counts = Vec::new();
            for &x in &vals {
                if cats.last() == Some(&x) {
                    *counts.last_mut().unwrap_or(&mut 0) += 1;
                } else {
                    cats.push(x);
                    counts.push(1);
                }
            }
            (CategoryKeys::Num(cats), counts, vals.len() < v.len())
        }
    }
}

impl StepParams for OrdinalEncoderParams {
    type Fitted = OrdinalEncoder;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<OrdinalEncoder> {
        match (self.handle_unknown, self.unknown_value) {
            (OrdinalHandleUnknown::UseEncodedValue, None) => {
                return Err(Error::param("OrdinalEncoder", "unknown_value", "must be set (an integer or \"nan\") when handle_unknown=\"use_encoded_value\""))
            }
            (OrdinalHandleUnknown::UseEncodedValue, Some(u)) if !u.is_nan() && u.fract() != 0.0 => {
                return Err(Error::param("OrdinalEncoder", "unknown_value", format!("must be an integer or \"nan\", got {u}")))
            }
            (OrdinalHandleUnknown::Error, Some(u)) => {
                return Err(Error::param(
                    "OrdinalEncoder",
                    "unknown_value",
                    format!("is {u} but is only used with handle_unknown=\"use_encoded_value\"; remove it or change handle_unknown"),
                ))
            }
            _ => {}
        }
        match self.min_frequency {
            Some(MinFrequency::Count(0)) => return Err(Error::param("OrdinalEncoder", "min_frequency", "must be an integer >= 1 or a fraction in (0, 1]")),
            Some(MinFrequency::Fraction(f)) if !(f > 0.0 && f <= 1.0) => {
                return Err(Error::param("OrdinalEncoder", "min_frequency", format!("as a fraction must be in (0, 1], got {f}")))
            }
            _ => {}
        }
        if self.max_categories == Some(0) {
            return Err(Error::param("OrdinalEncoder", "max_categories", "must be >= 1"));
        }
        check_fit_rows("OrdinalEncoder", x)?;
        let infrequent_enabled = self.min_frequency.is_some() || self.max_categories.is_some();
        let mut columns = Vec::with_capacity(x.n_cols());
        for col in &x.cols {
            let (categories, counts, has_missing) = column_categories(col);
            // As scikit-learn, the missing value never counts as (in)frequent.
            let infrequent = if infrequent_enabled { identify_infrequent(&counts, x.n_rows, self.min_frequency, self.max_categories) } else { Vec::new() };
            columns.push(OrdinalColumn { name: col.name.clone(), categories, has_missing, infrequent });
        }
        let max_card = columns.iter().map(|c| c.n_codes()).max().unwrap_or(0) as f64;
        if let Some(u) = self.unknown_value {
            if u >= 0.0 && u < max_card {
                return Err(Error::param(
                    "OrdinalEncoder",
                    "unknown_value",
                    format!("{u} is already the code of a seen category (codes run 0..{}); use -1 or \"nan\"", max_card as usize - 1),
                ));
            }
        }
        let m = self.encoded_missing_value;
        let max_card_missing = columns.iter().filter(|c| c.has_missing).map(|c| c.n_codes()).max().unwrap_or(0) as f64;
        if !m.is_nan() && m >= 0.0 && m < max_card_missing {
            return Err(Error::param(
                "OrdinalEncoder",
                "encoded_missing_value",
                format!("{m} is already the code of a seen category in a column with missing values; use -1 or \"nan\""),
            ));
        }
        Ok(OrdinalEncoder {
            input_names: x.names(),
            columns,
            handle_unknown: self.handle_unknown,
            unknown_value: self.unknown_value,
            encoded_missing_value: self.encoded_missing_value,
        })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("handle_unknown", "choice", json!("error"), "A category unseen in training: fail, or encode it as unknown_value.")
                .choices(&["error", "use_encoded_value"]),
            ParamInfo::new(
                "unknown_value",
                "float_or_null",
                json!(null),
                "Code for unseen categories with use_encoded_value (an integer such as -1, or \"nan\").",
            ),
            ParamInfo::new("encoded_missing_value", "float_or_null", json!("nan"), "Code for missing values (default: stays missing)."),
            ParamInfo::new(
                "min_frequency",
                "float_or_null",
                json!(null),
                "Categories rarer than this count (integer) or fraction of rows share the last code.",
            ),
            ParamInfo::new("max_categories", "int_or_null", json!(null), "At most this many codes per column; the rarest categories share the last one.")
                .range(Some(1.0), None),
        ]
    }
    fn help() -> &'static str {
        "Replace each category by its index among the sorted training categories."
    }
}

impl OrdinalEncoder {
    fn unknown(&self, col: &str, row: usize, shown: &str) -> Result<f64> {
        match (self.handle_unknown, self.unknown_value) {
            (OrdinalHandleUnknown::UseEncodedValue, Some(u)) => Ok(u),
            _ => Err(Error::column(
                col,
                format!(
                    "row {} has the category {shown}, not seen when OrdinalEncoder was fitted; set handle_unknown=\"use_encoded_value\" with unknown_value, or impute first",
                    row + 1
                ),
            )),
        }
    }
}

impl FittedTransform for OrdinalEncoder {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("OrdinalEncoder", &self.input_names, x)?;
        let mut out = Vec::with_capacity(x.n_cols());
        for (col, oc) in x.cols.iter().zip(&self.columns) {
            let missing = |row: usize| -> Result<f64> {
                if oc.has_missing {
                    Ok(self.encoded_missing_value)
                } else {
                    self.unknown(&col.name, row, "a missing value")
                }
            };
            let mut v = Vec::with_capacity(x.n_rows);
            let codes = oc.codes();
            match (&col.data, &oc.categories) {
                (FData::Cat(c), CategoryKeys::Text(cats)) => {
                    let index: HashMap<&str, usize> = cats.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
                    let level_code: Vec<Option<f64>> = c.levels.iter().map(|l| index.get(l.as_str()).map(|&i| codes[i])).collect();
                    for (row, &k) in c.codes.iter().enumerate() {
                        if k == MISSING_CODE {
                            v.push(missing(row)?);
                        } else {
                            match level_code[k as usize] {
                                Some(code) => v.push(code),
                                None => v.push(self.unknown(&col.name, row, &format!("{:?}", c.levels[k as usize]))?),
                            }
                        }
                    }
                }
                (FData::Num(vals), CategoryKeys::Num(cats)) => {
                    for (row, &c) in vals.iter().enumerate() {
                        if c.is_nan() {
                            v.push(missing(row)?);
                        } else {
                            match cats.binary_search_by(|p| p.total_cmp(&c)) {
                                Ok(i) => v.push(codes[i]),
                                Err(_) => v.push(self.unknown(&col.name, row, &crate::data::format_number(c))?),
                            }
                        }
                    }
                }
                _ => return Err(Error::column(&col.name, "changed type (numeric/categorical) since OrdinalEncoder was fitted")),
            }
            out.push(FCol::num(col.name.clone(), v));
        }
        Ok(Frame::new(out, x.n_rows))
    }
    fn validate(&self) -> Result<()> {
        if self.columns.len() != self.input_names.len() || self.columns.iter().zip(&self.input_names).any(|(c, n)| &c.name != n) {
            return Err(Error::ModelFile("OrdinalEncoder: categories do not match its input columns".into()));
        }
        for c in &self.columns {
            if c.infrequent.iter().any(|&k| k >= c.categories.len()) || c.infrequent.windows(2).any(|w| w[0] >= w[1]) {
                return Err(Error::ModelFile(format!("OrdinalEncoder: column '{}' has invalid infrequent categories", c.name)));
            }
            if let CategoryKeys::Num(v) = &c.categories {
                if v.iter().any(|x| !x.is_finite()) || v.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(Error::ModelFile(format!("OrdinalEncoder: column '{}' has unsorted or non-finite categories", c.name)));
                }
            }
        }
        if self.handle_unknown == OrdinalHandleUnknown::UseEncodedValue && self.unknown_value.is_none() {
            return Err(Error::ModelFile("OrdinalEncoder: use_encoded_value without unknown_value".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::CatData;

    #[test]
    fn codes_unknown_and_missing() {
        let fit = Frame::new(vec![FCol { name: "c".into(), data: FData::Cat(CatData::from_options(&[Some("b"), Some("a"), None, Some("c")])) }], 4);
        let p = OrdinalEncoderParams { handle_unknown: OrdinalHandleUnknown::UseEncodedValue, unknown_value: Some(-1.0), ..Default::default() };
        let f = p.clone().fit(&fit, None, &FitContext::default()).unwrap();
        let t = f.transform(&fit).unwrap();
        let FData::Num(v) = &t.cols[0].data else { panic!() };
        assert_eq!(&v[..2], &[1.0, 0.0]);
        assert!(v[2].is_nan());
        assert_eq!(v[3], 2.0);
        let new = Frame::new(vec![FCol { name: "c".into(), data: FData::Cat(CatData::from_options(&[Some("z")])) }], 1);
        let FData::Num(v) = &f.transform(&new).unwrap().cols[0].data.clone() else { panic!() };
        assert_eq!(v, &vec![-1.0]);
        let strict = OrdinalEncoderParams::default().fit(&fit, None, &FitContext::default()).unwrap();
        assert!(strict.transform(&new).is_err());
        let bad = OrdinalEncoderParams { handle_unknown: OrdinalHandleUnknown::UseEncodedValue, unknown_value: Some(1.0), ..Default::default() };
        assert!(bad.fit(&fit, None, &FitContext::default()).is_err());
        let json = serde_json::to_string(&f).unwrap();
        let back: OrdinalEncoder = serde_json::from_str(&json).unwrap();
        assert!(back.encoded_missing_value.is_nan());
    }
}
