//! Exports of a pipeline to formats other tools run. Sits beside `pipeline` /
//! `persist` (layer 5): it reads a spec or a [`crate::persist::ModelFile`] and
//! never imports `selection` or `api`. Pure: bytes and strings out, no I/O.
//!
//! - [`onnx`]: a fitted pipeline as an ONNX graph (`pipelab export --format onnx`, the page's "Download ONNX").
//! - [`sklearn`]: the spec as a readable, runnable scikit-learn Python script
//!   (`pipelab export --format sklearn`, the page's "Show the code").

pub mod onnx;
pub mod sklearn;
mod sklearn_py;
