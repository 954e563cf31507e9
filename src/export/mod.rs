//! Exports of a fitted pipeline to formats other tools run. Sits beside
//! `pipeline`/`persist` (it reads a [`crate::persist::ModelFile`]); pure like the core.

pub mod onnx;
