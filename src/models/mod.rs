//! Models: every estimator the spec can name. Each file holds a params type
//! (scikit-learn's parameter names and defaults) and its fitted type.

pub mod boosting;
pub mod cluster;
pub mod forest;
pub mod hist_boosting;
mod hist_kernels;
pub mod knn;
pub mod linear;
pub mod linear_cd;
pub mod logistic;
pub mod naive_bayes;
pub mod optim;
pub mod svm;
pub mod tree;

use ndarray::Array2;

use crate::{Error, Result};

/// Checks the feature count a fitted model expects.
pub(crate) fn check_n_features(model: &str, expected: usize, x: &Array2<f64>) -> Result<()> {
    if x.ncols() != expected {
        return Err(Error::data(format!("{model} was fitted on {expected} features but received {}", x.ncols())));
    }
    Ok(())
}

/// Refuses to fit on no rows.
pub(crate) fn check_fit(model: &str, x: &Array2<f64>) -> Result<()> {
    if x.nrows() == 0 {
        return Err(Error::data(format!("{model}: cannot fit on 0 rows")));
    }
    if x.ncols() == 0 {
        return Err(Error::data(format!("{model}: no feature columns reach the model; check the column selections")));
    }
    Ok(())
}

/// Per-class weights of scikit-learn's `class_weight="balanced"`:
/// `n / (n_present · count(class))`, where `count` and `n` are weighted by
/// `mult` (e.g. bootstrap counts) when given and `n_present` is the number of
/// classes that occur. Classes that do not occur get weight 0.
pub(crate) fn balanced_class_weights(y: &[usize], n_classes: usize, mult: Option<&[f64]>) -> Vec<f64> {
    let mut counts = vec![0.0; n_classes];
    for (i, &c) in y.iter().enumerate() {
        counts[c] += mult.map_or(1.0, |m| m[i]);
    }
    let n: f64 = counts.iter().sum();
    let present = counts.iter().filter(|&&c| c > 0.0).count() as f64;
    counts.iter().map(|&c| if c > 0.0 { n / (present * c) } else { 0.0 }).collect()
}
