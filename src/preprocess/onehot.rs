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
    /// Index of the dropped category, if any.
    pub dropped: Option<usize>,
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
        check_fit_rows("OneHotEncoder", x)?;
        let mut columns = Vec::with_capacity(x.n_cols());
        for col in &x.cols {
            let (mut categories, has_missing) = match &col.data {
                FData::Cat(c) => {
                    let mut seen = vec![false; c.levels.len()];
                    let mut missing = false;
                    for &k in &c.codes {
                        if k == MISSING_CODE {
                            missing = true;
                        } else {
                            seen[k as usize] = true;
                        }
                    }
                    let mut cats: Vec<String> = c.levels.iter().zip(&seen).filter(|(_, &s)| s).map(|(l, _)| l.clone()).collect();
                    cats.sort();
                    (cats, missing)
                }
                FData::Num(v) => {
                    let mut vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    vals.sort_by(|a, b| a.total_cmp(b));
                    vals.dedup();
                    (vals.into_iter().map(format_number).collect(), v.iter().any(|x| x.is_nan()))
                }
            };
            if has_missing {
                categories.push("nan".into());
            }
            let dropped = match self.drop {
                None => None,
                Some(Drop::First) => Some(0),
                Some(Drop::IfBinary) => (categories.len() == 2).then_some(0),
            };
            if categories.len() > 10_000 {
                return Err(Error::column(
                    &col.name,
                    format!("has {} distinct values: too many to one-hot encode (an ID column?); drop it or use OrdinalEncoder", categories.len()),
                ));
            }
            columns.push(ColumnCategories { name: col.name.clone(), categories, has_missing, dropped });
        }
        Ok(OneHotEncoder { input_names: x.names(), columns, handle_unknown: self.handle_unknown })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("handle_unknown", "choice", json!("error"), "What to do with a category not seen in training: fail, or encode it as all zeros.")
                .choices(&["error", "ignore"]),
            ParamInfo::new("drop", "choice", json!(null), "Drop the first category of every column (or only of two-category columns) to avoid collinear columns.")
                .choices(&["first", "if_binary"]),
        ]
    }
    fn help() -> &'static str {
        "Turn each category into its own 0/1 column."
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
                            "row {} has the category {:?}, not seen when OneHotEncoder was fitted; set handle_unknown=\"ignore\" or impute first",
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
            for (k, cat) in cats.categories.iter().enumerate() {
                if cats.dropped == Some(k) {
                    continue;
                }
                let v = row_cat.iter().map(|&c| if c == Some(k) { 1.0 } else { 0.0 }).collect();
                out.push(FCol::num(format!("{}_{}", cats.name, cat), v));
            }
        }
        Ok(Frame::new(out, n))
    }
    fn validate(&self) -> Result<()> {
        if self.columns.len() != self.input_names.len() {
            return Err(Error::ModelFile("OneHotEncoder: categories do not match its input columns".into()));
        }
        for c in &self.columns {
            if c.dropped.is_some_and(|d| d >= c.categories.len()) || (c.has_missing && c.categories.is_empty()) {
                return Err(Error::ModelFile(format!("OneHotEncoder: column '{}' has inconsistent categories", c.name)));
            }
        }
        Ok(())
    }
}
