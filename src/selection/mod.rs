//! Model selection, above the pipeline: cross-validation ([`cv`], with the one
//! fold plan the curves and diagnostics share), learning and validation curves
//! ([`curves`]), hyperparameter search ([`search`]), the pictures of a
//! cross-validation ([`diagnostics`]), the clustering report ([`clustering`])
//! a spec's parameters named by the search's paths ([`params`]) and the leakage lab
//! (the wrong-way cross-validation, the classic demo, the leak warnings: [`leakage`]).

pub mod clustering;
pub mod curves;
pub mod cv;
pub mod diagnostics;
pub mod leakage;
pub mod params;
pub mod search;
