//! Decision values for scikit-learn's ranking scorers. Its `roc_auc` and
//! `average_precision` scorers ask a classifier for `decision_function` first
//! and `predict_proba` second (`response_method=("decision_function",
//! "predict_proba")` in sklearn/metrics/_scorer.py), so a LinearSVC or an SVC
//! without probabilities is scored on its decision values. For two classes
//! that is one score per row, positive towards the second class.

use super::FittedPipeline;
#[cfg(feature = "full-components")]
use super::{FittedModelEnum, ModelState};
use crate::data::Table;
use crate::Result;

impl FittedPipeline {
    /// Two classes and a model without probabilities but with a decision
    /// function (LinearSVC, SVC): its value for every row of `table`
    /// (larger = more the second class). `None` for any other model.
    pub fn binary_decision(&self, table: &Table) -> Result<Option<Vec<f64>>> {
        // Built without `full-components` (the page's first module) no model has a decision
        // function without probabilities: the SVMs are in the full module.
        #[cfg(not(feature = "full-components"))]
        {
            let _ = table;
            Ok(None)
        }
        #[cfg(feature = "full-components")]
        {
            let ModelState::Fitted(m) = &self.model else { return Ok(None) };
            if self.target.as_ref().is_none_or(|t| t.classes.len() != 2) {
                return Ok(None);
            }
            match m {
                FittedModelEnum::LinearSVC(s) if s.coef.len() == 1 => {
                    let z = s.decision_function(&self.transform(table)?);
                    // Positive towards `classes[1]` (the second class when both are present).
                    let sign = if s.classes.get(1) == Some(&1) { 1.0 } else { -1.0 };
                    Ok(Some(z.column(0).iter().map(|v| sign * v).collect()))
                }
                FittedModelEnum::SVC(s) if s.pairs.len() == 1 => {
                    let d = s.decision_pairs(&self.transform(table)?);
                    // Positive towards the pair's first class `a` (scikit-learn flips it for two classes).
                    let sign = if s.pairs[0].a == 1 { 1.0 } else { -1.0 };
                    Ok(Some(d.column(0).iter().map(|v| sign * v).collect()))
                }
                _ => Ok(None),
            }
        }
    }
}
