//! `FunctionTransformer` limited to a named safe set of element-wise numpy
//! functions (no user code runs): `log1p`, `sqrt`, `square`, `log`, `exp`,
//! `abs`, `reciprocal`. `func` absent = identity, as scikit-learn.
//! A value outside a function's domain (e.g. `log` of 0, `sqrt` of -1) is an
//! error naming the column and the row; missing cells stay missing.
//! Output names are the input names (scikit-learn's `feature_names_out="one-to-one"`).

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::estimator::{FitContext, FittedTransform, ParamInfo, StepParams, Target};
use crate::frame::{FCol, Frame};
use crate::preprocess::{check_columns, check_fit_rows};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SafeFunc {
    Log1p,
    Sqrt,
    Square,
    Log,
    Exp,
    Abs,
    Reciprocal,
}

impl SafeFunc {
    pub fn name(self) -> &'static str {
        match self {
            SafeFunc::Log1p => "log1p",
            SafeFunc::Sqrt => "sqrt",
            SafeFunc::Square => "square",
            SafeFunc::Log => "log",
            SafeFunc::Exp => "exp",
            SafeFunc::Abs => "abs",
            SafeFunc::Reciprocal => "reciprocal",
        }
    }
    #[inline]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            SafeFunc::Log1p => x.ln_1p(),
            SafeFunc::Sqrt => x.sqrt(),
            SafeFunc::Square => x * x,
            SafeFunc::Log => x.ln(),
            SafeFunc::Exp => x.exp(),
            SafeFunc::Abs => x.abs(),
            SafeFunc::Reciprocal => 1.0 / x,
        }
    }
    fn domain(self) -> &'static str {
        match self {
            SafeFunc::Log1p => "log1p needs values > -1",
            SafeFunc::Sqrt => "sqrt needs values >= 0",
            SafeFunc::Log => "log needs values > 0",
            SafeFunc::Reciprocal => "reciprocal needs non-zero values",
            SafeFunc::Exp | SafeFunc::Square => "the result overflows a 64-bit float",
            SafeFunc::Abs => "abs needs finite values",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct FunctionTransformerParams {
    /// One of log1p, sqrt, square, log, exp, abs, reciprocal; absent = identity.
    pub func: Option<SafeFunc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionTransformer {
    pub input_names: Vec<String>,
    pub func: Option<SafeFunc>,
}

impl StepParams for FunctionTransformerParams {
    type Fitted = FunctionTransformer;

    fn fit(&self, x: &Frame, _y: Option<&Target>, _ctx: &FitContext) -> Result<FunctionTransformer> {
        check_fit_rows("FunctionTransformer", x)?;
        for c in &x.cols {
            c.numeric("FunctionTransformer")?;
        }
        Ok(FunctionTransformer { input_names: x.names(), func: self.func })
    }

    fn schema() -> Vec<ParamInfo> {
        vec![ParamInfo::new("func", "choice", json!(null), "Element-wise function applied to every cell (none = identity).").choices(&[
            "log1p",
            "sqrt",
            "square",
            "log",
            "exp",
            "abs",
            "reciprocal",
        ])]
    }
    fn help() -> &'static str {
        "Apply a named element-wise function (log1p, sqrt, square, log, exp, abs, reciprocal) to every column."
    }
}

impl FittedTransform for FunctionTransformer {
    fn transform(&self, x: &Frame) -> Result<Frame> {
        check_columns("FunctionTransformer", &self.input_names, x)?;
        let mut cols = Vec::with_capacity(x.n_cols());
        for col in &x.cols {
            let v = col.numeric("FunctionTransformer")?;
            let out: Vec<f64> = match self.func {
                None => v.to_vec(),
                Some(f) => {
                    let out: Vec<f64> = v.iter().map(|&c| f.apply(c)).collect();
                    // A finite input giving a non-finite output is outside the domain.
                    if let Some(i) = (0..v.len()).find(|&i| !out[i].is_finite() && v[i].is_finite()) {
                        return Err(Error::column(
                            &col.name,
                            format!(
                                "row {} holds {}: {}; FunctionTransformer(func=\"{}\") cannot apply (shift or clip the column first)",
                                i + 1,
                                v[i],
                                f.domain(),
                                f.name()
                            ),
                        ));
                    }
                    out
                }
            };
            cols.push(FCol::num(col.name.clone(), out));
        }
        Ok(Frame::new(cols, x.n_rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_name_column_and_row() {
        let x = Frame::new(vec![FCol::num("a", vec![1.0, 0.0, f64::NAN])], 3);
        let f = FunctionTransformerParams { func: Some(SafeFunc::Log) }.fit(&x, None, &FitContext::default()).unwrap();
        let e = f.transform(&x).unwrap_err().to_string();
        assert!(e.contains("'a'") && e.contains("row 2"), "{e}");
        let f = FunctionTransformerParams { func: Some(SafeFunc::Log1p) }.fit(&x, None, &FitContext::default()).unwrap();
        let t = f.transform(&x).unwrap();
        let v = t.cols[0].numeric("t").unwrap();
        assert_eq!(v[0], 2f64.ln());
        assert!(v[2].is_nan());
        assert!(serde_json::from_str::<FunctionTransformerParams>(r#"{"func":"system"}"#).is_err());
    }
}
