//! `PolynomialFeatures`: all products of input columns up to `degree`, in
//! scikit-learn's order (bias, then degree 1, then degree 2 as
//! `combinations_with_replacement`, ...), named as `get_feature_names_out`
//! names them (`a^2`, `a b`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, Frame};
use crate::preprocess::{check_columns, check_fit_rows};
use crate::{Error, Result};

/// Refuse expansions beyond this many output columns.
pub const MAX_OUTPUT_FEATURES: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolynomialFeaturesParams {
    pub degree: usize,
    pub interaction_only: bool,
    pub include_bias: bool,
}

impl Default for PolynomialFeaturesParams {
    fn default() -> Self {
        PolynomialFeaturesParams { degree: 2, interaction_only: false, include_bias: true }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolynomialFeatures {
    pub input_names: Vec<String>,
    /// Each output column as the sorted list of input indices multiplied (empty = bias).
    pub combinations: Vec<Vec<usize>>,
}

/// The output combinations in scikit-learn's order.
pub fn combinations(n: usize, degree: usize, interaction_only: bool, include_bias: bool) -> Result<Vec<Vec<usize>>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    if include_bias {
        out.push(Vec::new());
    }
    let mut prev: Vec<Vec<usize>> = vec![Vec::new()];
    for _ in 1..=degree {
        let mut next = Vec::new();
        for c in &prev {
            let start = match c.last() {
                None => 0,
                Some(&l) if interaction_only => l + 1,
                Some(&l) => l,
            };
            for j in start..n {
                let mut d = c.clone();
                d.push(j);
                next.push(d);
                if out.len() + next.len() > MAX_OUTPUT_FEATURES {
                    return Err(Error::data(format!(
                        "PolynomialFeatures(degree={degree}) on {n} columns would make more than {MAX_OUTPUT_FEATURES} columns; lower the degree or select fewer columns"
                    )));
                }
            }
        }
        out.extend(next.iter().cloned());
        prev = next;
    }
    Ok(out)
}

fn feature_name(names: &[String], comb: &[usize]) -> String {
    if comb.is_empty() {
        return "1".into();
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < comb.len() {
        let mut j = i;
        while j < comb.len() && comb[j] == comb[i] {
            j += 1;
        }
        let p = j - i;
        parts.push(if p == 1 { names[comb[i]].clone() } else { format!("{}^{}", names[comb[i]], p) });
        i = j;
    }
    parts.join(" ")
}

impl StepParams for PolynomialFeaturesParams {
    type Fitted = PolynomialFeatures;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<PolynomialFeatures> {
        check_fit_rows("PolynomialFeatures", x)?;
        if self.degree == 0 && !self.include_bias {
            return Err(Error::param("PolynomialFeatures", "degree", "must be at least 1 when include_bias is false"));
        }
        if self.degree > 10 {
            return Err(Error::param("PolynomialFeatures", "degree", format!("is {}; at most 10 is supported", self.degree)));
        }
        for c in &x.cols {
            c.numeric("PolynomialFeatures")?;
        }
        let combinations = combinations(x.n_cols(), self.degree, self.interaction_only, self.include_bias)?;
        Ok(PolynomialFeatures { input_names: x.names(), combinations })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("degree", "int", json!(2), "Highest total power of the products.").range(Some(1.0), Some(10.0)),
            ParamInfo::new("interaction_only", "bool", json!(false), "Only products of distinct columns (no squares)."),
            ParamInfo::new("include_bias", "bool", json!(true), "Add a constant column of ones named \"1\"."),
        ]
    }
    fn help() -> &'static str {
        "Add squares and products of columns so linear models can fit curves and interactions."
    }
}

impl FittedTransform for PolynomialFeatures {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("PolynomialFeatures", &self.input_names, x)?;
        let n = x.n_rows;
        let inputs: Vec<&[f64]> = x.cols.iter().map(|c| c.numeric("PolynomialFeatures")).collect::<Result<_>>()?;
        let mut cols: Vec<FCol> = Vec::with_capacity(self.combinations.len());
        // Each combination is its prefix (already computed, or bias) times one input column.
        let mut index: HashMap<&[usize], usize> = HashMap::new();
        for comb in &self.combinations {
            let name = feature_name(&self.input_names, comb);
            let values = match comb.split_last() {
                None => vec![1.0; n],
                Some((&last, [])) => inputs[last].to_vec(),
                Some((&last, prefix)) => match index.get(prefix) {
                    Some(&k) => {
                        let FCol { data: crate::frame::FData::Num(p), .. } = &cols[k] else { unreachable!("polynomial columns are numeric") };
                        p.iter().zip(inputs[last]).map(|(a, b)| a * b).collect()
                    }
                    None => (0..n).map(|i| comb.iter().map(|&j| inputs[j][i]).product()).collect(),
                },
            };
            index.insert(comb.as_slice(), cols.len());
            cols.push(FCol::num(name, values));
        }
        Ok(Frame::new(cols, n))
    }
    fn validate(&self) -> Result<()> {
        let p = self.input_names.len();
        if self.combinations.len() > MAX_OUTPUT_FEATURES || self.combinations.iter().any(|c| c.iter().any(|&j| j >= p) || c.windows(2).any(|w| w[0] > w[1])) {
            return Err(Error::ModelFile("PolynomialFeatures: combinations refer to unknown input columns".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_names_match_sklearn() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let combs = combinations(3, 2, false, true).unwrap();
        let got: Vec<String> = combs.iter().map(|c| feature_name(&names, c)).collect();
        assert_eq!(got, ["1", "a", "b", "c", "a^2", "a b", "a c", "b^2", "b c", "c^2"]);
        let combs = combinations(3, 3, true, false).unwrap();
        let got: Vec<String> = combs.iter().map(|c| feature_name(&names, c)).collect();
        assert_eq!(got, ["a", "b", "c", "a b", "a c", "b c", "a b c"]);
        assert_eq!(feature_name(&names, &[0, 0, 1]), "a^2 b");
    }
}
