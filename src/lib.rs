//! # pipelab
//!
//! A machine-learning pipeline playground: scikit-learn-compatible pipelines
//! (ColumnTransformer → steps → model, cross-validation, metrics) written on
//! ndarray, run natively (the `pipelab` CLI) and in the browser (WebAssembly,
//! see the `wasm` module). See ARCHITECTURE.md for the map, the layers and the
//! invariants; `tests/library/layers.rs` keeps the layers honest.
//!
//! Module map, lowest layer first:
//! - [`error`], [`sorting`], [`numeric`]: errors, shared sorts, shared numerics.
//! - [`data`] (CSV → typed [`data::Table`], profile), [`frame`] (the [`frame::Frame`] between steps),
//!   [`estimator`] (the step/model contracts), [`linalg`], [`split`] (index splitters).
//! - [`preprocess`], [`features`]: transformer steps. [`models`]: estimators.
//! - [`metrics`]: scorers. [`pipeline`]: the spec, the registries, fitting, prediction.
//!   [`persist`]: the model file. [`inspect`]: what the page shows of a model.
//! - [`selection`]: cross-validation, curves, search, diagnostics, the clustering report.
//! - [`api`]: the facade the CLI and the wasm boundary share.

// `wasm-pack test` builds every test target for wasm32 (`cargo build --tests`), this library's
// unit-test harness included, though its tests run natively only (the wasm suite is
// tests/wasm.rs): for that one build the crate is empty. At the page's opt-level 3 it cost CI
// 150 CPU-seconds (issue 12).
#![cfg(not(all(test, target_arch = "wasm32")))]

pub mod api;
pub mod data;
pub mod error;
pub mod estimator;
// The exports match on every step and model: built with all of them (`full-components`: the CLI
// and the page's full module, never its first module).
#[cfg(feature = "full-components")]
pub mod export;
pub mod features;
pub mod frame;
pub mod inspect;
pub mod linalg;
pub mod metrics;
pub mod models;
pub mod monitor;
pub mod numeric;
pub mod parallel;
pub mod persist;
pub mod pipeline;
pub mod preprocess;
pub mod selection;
pub mod sorting;
pub mod split;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
