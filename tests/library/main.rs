//! The library's integration tests, run in-process: parity with scikit-learn's
//! oracle, the invariant suite, the readers, the model file, the drift statistics
//! and the layer rule. One test binary (each binary links the whole crate, so 21
//! of them cost minutes of linking; one lets libtest spread every test over the
//! cores). Run one area with `cargo test --test library oracle_trees`.
// Native only: wasm-pack builds every test target for wasm32; tests/wasm.rs is the wasm suite.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/csv_cases.rs"]
mod csv_cases;
#[path = "../common/csv_check.rs"]
mod csv_check;
#[path = "../common/format_cases.rs"]
mod format_cases;
#[path = "../support/mod.rs"]
mod support;

mod csv_catalogue;
mod csv_mutations;
mod csv_throughput;
mod cv_folds;
mod decision_scoring;
mod diagnostics_curves;
mod drift_statistics;
mod explanations;
mod formats;
mod hgb_missing;
mod invariants;
mod layers;
mod leakage;
mod model_file;
mod model_mutations;
mod model_parts;
mod model_view;
mod oracle_clustering;
mod oracle_features;
mod oracle_metrics;
mod oracle_models;
mod oracle_pipeline;
mod oracle_preprocess;
mod oracle_search;
mod oracle_trees;
mod preview;
mod search_plan;
mod shuffled_folds;
mod spec_paths;
mod target_encoder;
mod threads;
mod wide_linear;
