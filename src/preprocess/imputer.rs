//! `SimpleImputer`: replaces missing cells by a per-column statistic learned on
//! the training rows (mean, median, most frequent) or by a constant.
//! As scikit-learn: most-frequent ties go to the smallest value; columns that
//! are entirely missing at fit are dropped (with a warning) except for `constant`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_columns, check_fit_rows};
use crate::data::{CatData, MISSING_CODE};
use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, FData, Frame};
use crate::numeric::median_in_place;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    #[default]
    Mean,
    Median,
    MostFrequent,
    Constant,
}

/// A constant fill value: a number for numeric columns, text for categorical ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FillValue {
    Num(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimpleImputerParams {
    pub strategy: Strategy,
    /// For `constant`: 0 for numbers and "missing_value" for text when absent.
    pub fill_value: Option<FillValue>,
    /// Adds a 0/1 `missingindicator_<col>` column for each column that had missing cells at fit.
    pub add_indicator: bool,
    /// Keep columns that are entirely missing at fit (filled with 0 / the constant).
    pub keep_empty_features: bool,
}

impl Default for SimpleImputerParams {
    fn default() -> Self {
        SimpleImputerParams { strategy: Strategy::Mean, fill_value: None, add_indicator: false, keep_empty_features: false }
    }
}

/// The fill for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Fill {
    Num(f64),
    Text(String),
    /// Column dropped: entirely missing at fit.
    Drop,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimpleImputer {
    pub input_names: Vec<String>,
    pub fills: Vec<Fill>,
    /// Indices of columns that get a missing indicator.
    pub indicator_cols: Vec<usize>,
}

impl StepParams for SimpleImputerParams {
    type Fitted = SimpleImputer;

    fn fit(&self, x: &Frame, _y: Option<&Target>, ctx: &FitContext) -> Result<SimpleImputer> {
        check_fit_rows("SimpleImputer", x)?;
        let mut fills = Vec::with_capacity(x.n_cols());
        let mut indicator_cols = Vec::new();
        for (j, col) in x.cols.iter().enumerate() {
            let n_missing = match &col.data {
                FData::Num(v) => v.iter().filter(|x| x.is_nan()).count(),
                FData::Cat(c) => c.codes.iter().filter(|&&c| c == MISSING_CODE).count(),
            };
            if self.add_indicator && n_missing > 0 {
                indicator_cols.push(j);
            }
            let all_missing = n_missing == x.n_rows;
            let fill = match (&col.data, self.strategy) {
                (FData::Num(_), Strategy::Constant) => match &self.fill_value {
                    None => Fill::Num(0.0),
                    Some(FillValue::Num(v)) => Fill::Num(*v),
                    Some(FillValue::Text(s)) => {
                        return Err(Error::column(&col.name, format!("is numeric but SimpleImputer's fill_value is the text {s:?}; use a number")))
                    }
                },
                (FData::Cat(_), Strategy::Constant) => match &self.fill_value {
                    None => Fill::Text("missing_value".into()),
                    Some(FillValue::Text(s)) => Fill::Text(s.clone()),
                    Some(FillValue::Num(v)) => Fill::Text(crate::data::format_number(*v)),
                },
                (_, _) if all_missing => {
                    if self.keep_empty_features {
                        match &col.data {
                            FData::Num(_) => Fill::Num(0.0),
                            FData::Cat(_) => Fill::Text(String::new()),
                        }
                    } else {
                        ctx.warn(format!("SimpleImputer: column '{}' has no observed values in the training rows and was dropped", col.name));
                        Fill::Drop
                    }
                }
                (FData::Num(v), Strategy::Mean) => {
                    let (s, n) = v.iter().filter(|x| !x.is_nan()).fold((0.0, 0usize), |(s, n), &x| (s + x, n + 1));
                    Fill::Num(s / n as f64)
                }
                (FData::Num(v), Strategy::Median) => {
                    let mut obs: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    Fill::Num(median_in_place(&mut obs))
                }
                (FData::Num(v), Strategy::MostFrequent) => {
                    let mut obs: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    crate::sorting::sort_f64(&mut obs);
                    Fill::Num(mode_sorted(&obs))
                }
                (FData::Cat(c), Strategy::MostFrequent) => Fill::Text(most_frequent_level(c)),
                (FData::Cat(_), s) => {
                    return Err(Error::column(
                        &col.name,
                        format!("is categorical: SimpleImputer(strategy=\"{}\") needs numbers; use \"most_frequent\" or \"constant\"", strategy_name(s)),
                    ))
                }
            };
            fills.push(fill);
        }
        Ok(SimpleImputer { input_names: x.names(), fills, indicator_cols })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("strategy", "choice", json!("mean"), "Statistic used to fill missing cells, learned on the training rows.").choices(&[
                "mean",
                "median",
                "most_frequent",
                "constant",
            ]),
            ParamInfo::new("fill_value", "string", json!(null), "Value for strategy=constant (default 0 for numbers, \"missing_value\" for text)."),
            ParamInfo::new("add_indicator", "bool", json!(false), "Also add a 0/1 column marking which cells were missing."),
            ParamInfo::new("keep_empty_features", "bool", json!(false), "Keep columns with no observed value (otherwise they are dropped)."),
        ]
    }
    fn help() -> &'static str {
        "Fill missing cells with the column's mean, median, most frequent value or a constant."
    }
}

fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Mean => "mean",
        Strategy::Median => "median",
        Strategy::MostFrequent => "most_frequent",
        Strategy::Constant => "constant",
    }
}

/// Most frequent value of a sorted slice; ties resolve to the smallest value.
fn mode_sorted(v: &[f64]) -> f64 {
    let (mut best, mut best_n) = (f64::NAN, 0usize);
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j] == v[i] {
            j += 1;
        }
        if j - i > best_n {
            best = v[i];
            best_n = j - i;
        }
        i = j;
    }
    best
}

/// Most frequent level; ties resolve to the smallest string (as scikit-learn).
fn most_frequent_level(c: &CatData) -> String {
    let mut counts = vec![0usize; c.levels.len()];
    for &code in &c.codes {
        if code != MISSING_CODE {
            counts[code as usize] += 1;
        }
    }
    let mut best: Option<(usize, &str)> = None;
    for (k, &n) in counts.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let s = c.levels[k].as_str();
        best = match best {
            Some((bn, bs)) if bn > n || (bn == n && bs <= s) => Some((bn, bs)),
            _ => Some((n, s)),
        };
    }
    best.map(|(_, s)| s.to_string()).unwrap_or_default()
}

impl FittedTransform for SimpleImputer {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("SimpleImputer", &self.input_names, x)?;
        let mut cols = Vec::with_capacity(x.n_cols() + self.indicator_cols.len());
        for (col, fill) in x.cols.iter().zip(&self.fills) {
            let data = match (&col.data, fill) {
                (_, Fill::Drop) => continue,
                (FData::Num(v), Fill::Num(f)) => FData::Num(v.iter().map(|&x| if x.is_nan() { *f } else { x }).collect()),
                (FData::Cat(c), Fill::Text(s)) => {
                    let mut levels = c.levels.clone();
                    let fill_code = match levels.iter().position(|l| l == s) {
                        Some(k) => k as u32,
                        None => {
                            levels.push(s.clone());
                            (levels.len() - 1) as u32
                        }
                    };
                    let codes = c.codes.iter().map(|&k| if k == MISSING_CODE { fill_code } else { k }).collect();
                    FData::Cat(CatData { codes, levels })
                }
                _ => return Err(Error::column(&col.name, "changed type since SimpleImputer was fitted")),
            };
            cols.push(FCol { name: col.name.clone(), data });
        }
        for &j in &self.indicator_cols {
            let col = &x.cols[j];
            let ind = match &col.data {
                FData::Num(v) => v.iter().map(|x| if x.is_nan() { 1.0 } else { 0.0 }).collect(),
                FData::Cat(c) => c.codes.iter().map(|&k| if k == MISSING_CODE { 1.0 } else { 0.0 }).collect(),
            };
            cols.push(FCol::num(format!("missingindicator_{}", col.name), ind));
        }
        Ok(Frame::new(cols, x.n_rows))
    }
    fn validate(&self) -> Result<()> {
        if self.fills.len() != self.input_names.len() || self.indicator_cols.iter().any(|&j| j >= self.input_names.len()) {
            return Err(Error::ModelFile("SimpleImputer: fills/indicators do not match its input columns".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_mode() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0, 10.0]), 2.5);
        assert_eq!(mode_sorted(&[1.0, 1.0, 2.0, 2.0, 3.0]), 1.0);
        let c = CatData::from_options(&[Some("b"), Some("a"), Some("b"), Some("a"), None]);
        assert_eq!(most_frequent_level(&c), "a");
    }
}
