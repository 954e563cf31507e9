//! # pipelab
//!
//! A machine-learning pipeline playground: scikit-learn-compatible pipelines
//! (ColumnTransformer → steps → model, cross-validation, metrics) written on
//! ndarray, run natively (the `pipelab` CLI) and in the browser (WebAssembly,
//! see `wasm.rs`). See ARCHITECTURE.md for the map and the invariants.
//!
//! Module map:
//! - [`data`]: CSV → typed column-wise [`data::Table`].
//! - [`frame`]: the [`frame::Frame`] that flows between steps.
//! - [`estimator`]: the step/model traits ([`estimator::StepParams`], [`estimator::ModelParams`]).
//! - [`preprocess`], [`features`]: transformer steps. [`models`]: estimators.
//! - [`pipeline`]: the spec, registries, fitting, prediction, cross-validation.
//! - [`selection`]: splitters. [`metrics`]: scorers. [`persist`]: the model file.
//! - [`api`]: the JSON-in/JSON-out facade the CLI and the wasm boundary share.

pub mod api;
pub mod bench_data;
pub mod data;
pub mod error;
pub mod estimator;
pub mod export;
pub mod features;
pub mod frame;
pub mod inspect;
pub mod linalg;
pub mod metrics;
pub mod models;
pub mod persist;
pub mod pipeline;
pub mod preprocess;
pub mod selection;
pub mod sorting;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
