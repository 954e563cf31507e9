//! `OneHotEncoder`: one 0/1 column per category seen at fit, categories sorted
//! as scikit-learn sorts them (strings by code point, numbers by value; a
//! missing value is its own category, named `nan`, placed last).
//! Output names follow `get_feature_names_out`: `<column>_<category>`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_columns, check_fit_rows};
use crate::data::format_number;
use crate::data::MISSING_CODE;
use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, FData, Frame};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HandleUnknown {
    #[default]
    Error,
    Ignore,
    /// Unknown categories go to the infrequent column when the column has one, else all zeros.
    InfrequentIfExist,
}

/// `min_frequency`: an absolute count (integer >= 1) or a fraction of the training rows (0 < f <= 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MinFrequency {
    Count(u64),
    Fraction(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Drop {
    First,
    IfBinary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct OneHotEncoderParams {
    pub handle_unknown: HandleUnknown,
    pub drop: Option<Drop>,
    /// Categories seen fewer times than this are grouped into `<col>_infrequent_sklearn`.
    pub min_frequency: Option<MinFrequency>,
    /// At most this many output columns per input column (the infrequent group counts as one).
    pub max_categories: Option<usize>,
}

/// A category key: text or a number (`None` = the missing category).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnCategories {
    pub name: String,
    /// Sorted category labels as they appear in output names.
    pub categories: Vec<String>,
    /// Whether the last category is the missing one.
    pub has_missing: bool,
    /// Index of the dropped *output* column of this input column (after grouping infrequent ones), if any.
    pub dropped: Option<usize>,
    /// Indices (into `categories`) of the infrequent categories, grouped into one output column placed last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub infrequent: Vec<usize>,
}

impl ColumnCategories {
    /// The output column of each category (frequent ones in order, then the infrequent group).
    pub fn output_index(&self) -> Vec<usize> {
        let n_freq = self.categories.len() - self.infrequent.len();
        let mut k_freq = 0;
        (0..self.categories.len())
            .map(|k| {
                if self.infrequent.contains(&k) {
                    n_freq
                } else {
                    k_freq += 1;
                    k_freq - 1
                }
            })
            .collect()
    }
    /// Output category labels, as `get_feature_names_out` suffixes them (before dropping).
    pub fn output_labels(&self) -> Vec<String> {
        let mut out: Vec<String> = self.categories.iter().enumerate().filter(|(k, _)| !self.infrequent.contains(k)).map(|(_, c)| c.clone()).collect();
        if !self.infrequent.is_empty() {
            out.push("infrequent_sklearn".into());
        }
        out
    }
}

/// scikit-learn's `_identify_infrequent`: `counts` in category order, stable by count for max_categories.
pub fn identify_infrequent(counts: &[usize], n_samples: usize, min_frequency: Option<MinFrequency>, max_categories: Option<usize>) -> Vec<usize> {
    let mut infrequent: Vec<bool> = match min_frequency {
        Some(MinFrequency::Count(m)) => counts.iter().map(|&c| (c as u64) < m).collect(),
        Some(MinFrequency::Fraction(f)) => {
            let min_abs = n_samples as f64 * f;
            counts.iter().map(|&c| (c as f64) < min_abs).collect()
        }
        None => vec![false; counts.len()],
    };
    let n_current = counts.len() - infrequent.iter().filter(|&&b| b).count() + 1;
    if let Some(maxc) = max_categories {
        if maxc < n_current {
            let frequent = maxc - 1;
            if frequent == 0 {
                infrequent.iter_mut().for_each(|b| *b = true);
            } else {
                let mut order: Vec<usize> = (0..counts.len()).collect();
                crate::sorting::sort_indices_by(&mut order, &|a, b| counts[a].cmp(&counts[b])); // stable, as argsort(kind="mergesort")
                for &k in &order[..counts.len() - frequent] {
                    infrequent[k] = true;
                }
            }
        }
    }
    (0..counts.len()).filter(|&k| infrequent[k]).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneHotEncoder {
    pub input_names: Vec<String>,
    pub columns: Vec<ColumnCategories>,
    pub handle_unknown: HandleUnknown,
}

impl StepParams for OneHotEncoderParams {
    type Fitted = OneHotEncoder;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<OneHotEncoder> {
        match self.min_frequency {
            Some(MinFrequency::Count(0)) => return Err(Error::param("OneHotEncoder", "min_frequency", "must be an integer >= 1 or a fraction in (0, 1]")),
            Some(MinFrequency::Fraction(f)) if !(f > 0.0 && f <= 1.0) => {
                return Err(Error::param("OneHotEncoder", "min_frequency", format!("as a fraction must be in (0, 1], got {f}")))
            }
            _ => {}
        }
        if self.max_categories == Some(0) {
            return Err(Error::param("OneHotEncoder", "max_categories", "must be >= 1"));
        }
        check_fit_rows("OneHotEncoder", x)?;
        let infrequent_enabled = self.min_frequency.is_some() || self.max_categories.is_some();
        let mut columns = Vec::with_capacity(x.n_cols());
        for col in &x.cols {
            // Sorted categories with their counts; the missing category (if any) last.
            let (mut categories, mut counts, has_missing) = match &col.data {
                FData::Cat(c) => {
                    let mut count = vec![0usize; c.levels.len()];
                    let mut missing = 0usize;
                    for &k in &c.codes {
                        if k == MISSING_CODE {
                            missing += 1;
                        } else {
                            count[k as usize] += 1;
                        }
                    }
                    let mut order: Vec<usize> = (0..c.levels.len()).filter(|&k| count[k] > 0).collect();
                    crate::sorting::sort_indices_by(&mut order, &|a, b| c.levels[a].cmp(&c.levels[b]));
                    let cats: Vec<String> = order.iter().map(|&k| c.levels[k].clone()).collect();
                    let counts: Vec<usize> = order.iter().map(|&k| count[k]).collect();
                    (cats, counts, missing)
                }
                FData::Num(v) => {
                    let mut vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    crate::sorting::sort_f64(&mut vals);
                    let mut cats = Vec::new();
                    let mut counts = Vec::new();
                    let mut i = 0;
                    while i < vals.len() {
                        let mut j = i;
                        while j < vals.len() && vals[j] == vals[i] {
                            j += 1;
                        }
                        cats.push(format_number(vals[i]));
                        counts.push(j - i);
                        i = j;
                    }
                    (cats, counts, v.len() - vals.len())
                }
            };
            if has_missing > 0 {
                categories.push("nan".into());
                counts.push(has_missing);
            }
            if categories.len() > 10_000 {
                return Err(Error::column(
                    &col.name,
                    format!("has {} distinct values: too many to one-hot encode (an ID column?); drop it or use OrdinalEncoder", categories.len()),
                ));
            }
            let infrequent = if infrequent_enabled { identify_infrequent(&counts, x.n_rows, self.min_frequency, self.max_categories) } else { Vec::new() };
            let n_out = categories.len() - infrequent.len() + usize::from(!infrequent.is_empty());
            let dropped = match self.drop {
                None => None,
                Some(Drop::First) => Some(0),
                Some(Drop::IfBinary) => (n_out == 2).then_some(0),
            };
            columns.push(ColumnCategories { name: col.name.clone(), categories, has_missing: has_missing > 0, dropped, infrequent });
        }
        Ok(OneHotEncoder { input_names: x.names(), columns, handle_unknown: self.handle_unknown })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("handle_unknown", "choice", json!("error"), "What to do with a category not seen in training: fail, or encode it as all zeros.")
                .choices(&["error", "ignore", "infrequent_if_exist"]),
            ParamInfo::new(
                "drop",
                "choice",
                json!(null),
                "Drop the first category of every column (or only of two-category columns) to avoid collinear columns.",
            )
            .choices(&["first", "if_binary"]),
            ParamInfo::new(
                "min_frequency",
                "float_or_null",
                json!(null),
                "Group categories rarer than this count (integer) or fraction of rows into one infrequent column.",
            ),
            ParamInfo::new(
                "max_categories",
                "int_or_null",
                json!(null),
                "At most this many output columns per input column; the rarest are grouped as infrequent.",
            )
            .range(Some(1.0), None),
        ]
    }
    fn help() -> &'static str {
        "Turn each category into its own 0/1 column."
    }
}

impl OneHotEncoder {
    /// Cells of `x` whose category was not seen in training and that
    /// [`transform`](FittedTransform::transform) encodes as all zeros
    /// (`handle_unknown="ignore"`, or `"infrequent_if_exist"` without an
    /// infrequent group): per input column, the count and the first such
    /// category (`None`: a missing cell). scikit-learn warns about them
    /// ("Found unknown categories in columns ... during transform").
    pub fn unseen(&self, x: &Frame) -> Vec<(String, usize, Option<String>)> {
        let mut out = Vec::new();
        if self.handle_unknown == HandleUnknown::Error {
            return out;
        }
        for (col, cats) in x.cols.iter().zip(&self.columns) {
            if self.handle_unknown == HandleUnknown::InfrequentIfExist && !cats.infrequent.is_empty() {
                continue;
            }
            let known: std::collections::HashSet<&str> = cats.categories.iter().map(String::as_str).collect();
            let (mut n, mut first): (usize, Option<Option<String>>) = (0, None);
            let mut note = |key: Option<String>| {
                let seen = match &key {
                    None => cats.has_missing,
                    Some(k) => known.contains(k.as_str()),
                };
                if !seen {
                    n += 1;
                    first.get_or_insert(key);
                }
            };
            match &col.data {
                FData::Cat(c) => {
                    let level_known: Vec<bool> = c.levels.iter().map(|l| known.contains(l.as_str())).collect();
                    for &k in &c.codes {
                        if k == MISSING_CODE {
                            note(None);
                        } else if !level_known[k as usize] {
                            note(Some(c.levels[k as usize].clone()));
                        }
                    }
                }
                FData::Num(v) => v.iter().for_each(|&x| note((!x.is_nan()).then(|| format_number(x)))),
            }
            if n > 0 {
                out.push((cats.name.clone(), n, first.flatten()));
            }
        }
        out
    }
}

impl FittedTransform for OneHotEncoder {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("OneHotEncoder", &self.input_names, x)?;
        let n = x.n_rows;
        let mut out = Vec::new();
        for (col, cats) in x.cols.iter().zip(&self.columns) {
            let index: HashMap<&str, usize> = cats.categories.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
            let missing_idx = cats.has_missing.then(|| cats.categories.len() - 1);
            // Category index of each row (None = unknown → all zeros).
            let mut row_cat: Vec<Option<usize>> = Vec::with_capacity(n);
            let lookup = |key: Option<String>, row: usize| -> Result<Option<usize>> {
                let found = match &key {
                    None => missing_idx,
                    Some(k) => index.get(k.as_str()).copied(),
                };
                if found.is_none() && self.handle_unknown == HandleUnknown::Error {
                    let shown = key.unwrap_or_else(|| "a missing value".into());
                    return Err(Error::column(
                        &col.name,
                        format!(
                            "row {} has the category {:?}, not seen when OneHotEncoder was fitted; set handle_unknown=\"ignore\" (or \"infrequent_if_exist\") or impute first",
                            row + 1,
                            shown
                        ),
                    ));
                }
                Ok(found)
            };
            match &col.data {
                FData::Cat(c) => {
                    // Map each level once.
                    let mut level_map: Vec<Option<Option<usize>>> = vec![None; c.levels.len()];
                    for (row, &k) in c.codes.iter().enumerate() {
                        if k == MISSING_CODE {
                            row_cat.push(lookup(None, row)?);
                        } else {
                            let slot = &mut level_map[k as usize];
                            if slot.is_none() {
                                *slot = Some(lookup(Some(c.levels[k as usize].clone()), row)?);
                            }
                            row_cat.push(slot.flatten());
                        }
                    }
                }
                FData::Num(v) => {
                    for (row, &x) in v.iter().enumerate() {
                        row_cat.push(lookup((!x.is_nan()).then(|| format_number(x)), row)?);
                    }
                }
            }
            let out_index = cats.output_index();
            let labels = cats.output_labels();
            let unknown_to = (self.handle_unknown == HandleUnknown::InfrequentIfExist && !cats.infrequent.is_empty()).then(|| labels.len() - 1);
            let row_out: Vec<Option<usize>> = row_cat.iter().map(|c| c.map(|k| out_index[k]).or(unknown_to)).collect();
            for (k, label) in labels.iter().enumerate() {
                if cats.dropped == Some(k) {
                    continue;
                }
                let v = row_out.iter().map(|&c| if c == Some(k) { 1.0 } else { 0.0 }).collect();
                out.push(FCol::num(format!("{}_{}", cats.name, label), v));
            }
        }
        Ok(Frame::new(out, n))
    }
    fn validate(&self) -> Result<()> {
        if self.columns.len() != self.input_names.len() {
            return Err(Error::ModelFile("OneHotEncoder: categories do not match its input columns".into()));
        }
        for c in &self.columns {
            let n_out = c.categories.len() - c.infrequent.len() + usize::from(!c.infrequent.is_empty());
            if c.dropped.is_some_and(|d| d >= n_out)
                || (c.has_missing && c.categories.is_empty())
                || c.infrequent.iter().any(|&k| k >= c.categories.len())
                || c.infrequent.windows(2).any(|w| w[0] >= w[1])
            {
                return Err(Error::ModelFile(format!("OneHotEncoder: column '{}' has inconsistent categories", c.name)));
            }
        }
        Ok(())
    }
}
