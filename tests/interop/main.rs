//! The shells and their consumers, out of process: the CLI binary, the scoring
//! server, streamed prediction, and the exports and tracking checked by the real
//! tools (scikit-learn and ONNX Runtime from the pinned venv and npm, a real
//! `mlflow server`). One test binary, so the long waits on Python and Node
//! overlap across libtest's threads. `onnx_check.mjs` / `.py` beside this file are
//! the ONNX Runtime drivers. Run one area with `cargo test --test interop export_onnx`.
// Native only: wasm-pack builds every test target for wasm32.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod cli_memory;
mod cli_rows_warnings;
mod export_onnx;
mod export_sklearn;
mod formats_cli;
mod https_cli;
mod mlflow;
mod monitor_cli;
mod predict_stream;
mod serve;
