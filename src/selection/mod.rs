//! Model selection, above the pipeline: cross-validation ([`cv`], with the one
//! fold plan the curves and diagnostics share), learning and validation curves
//! ([`curves`]), hyperparameter search ([`search`]), the pictures of a
//! cross-validation ([`diagnostics`]) and the clustering report ([`clustering`]).

pub mod clustering;
pub mod curves;
pub mod cv;
pub mod diagnostics;
pub mod search;
