//! Preprocessing steps: imputation, categorical encoding, scaling.

pub mod encoders;
pub mod imputer;
pub mod knn_imputer;
pub mod onehot;
pub mod outliers;
pub mod scaler;
pub mod scalers;
pub mod target_encoder;

use crate::frame::Frame;
use crate::{Error, Result};

/// Checks that a fitted step sees the columns it was fitted on.
pub(crate) fn check_columns(step: &str, fitted: &[String], x: &Frame) -> Result<()> {
    if x.cols.len() != fitted.len() || x.cols.iter().zip(fitted).any(|(c, n)| &c.name != n) {
        let got: Vec<&str> = x.cols.iter().map(|c| c.name.as_str()).collect();
        return Err(Error::data(format!(
            "{step} was fitted on {} column(s) [{}] but received {} [{}]",
            fitted.len(),
            fitted.join(", "),
            got.len(),
            got.join(", ")
        )));
    }
    Ok(())
}

/// Refuses an empty fit with a clear message.
pub(crate) fn check_fit_rows(step: &str, x: &Frame) -> Result<()> {
    if x.n_rows == 0 {
        return Err(Error::data(format!("{step}: cannot fit on 0 rows")));
    }
    Ok(())
}
