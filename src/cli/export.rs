//! `pipelab export`: a spec or a model file in another format.
//!
//! ```text
//! pipelab export (--spec SPEC.json | --model MODEL.json) --format sklearn [--out FILE | -]
//! pipelab export --model MODEL.json --format onnx [--out MODEL.onnx | -]
//! ```
//! `--out -` or no `--out` writes to stdout. Formats are dispatched by one
//! `match` so each new format is one arm.

use std::collections::HashMap;

use pipelab::api;
use pipelab::persist::ModelFile;

/// What to export: a spec's text or a parsed model file.
pub enum Source {
    Spec(String),
    Model(Box<ModelFile>),
}

/// Reads the source named by `--spec` or `--model` (exactly one).
pub fn source(flags: &HashMap<String, String>, read_text: &dyn Fn(&str) -> Result<String, String>) -> Result<Source, ExportError> {
    match (flags.get("spec"), flags.get("model")) {
        (Some(s), None) => Ok(Source::Spec(read_text(s).map_err(ExportError::Run)?)),
        (None, Some(m)) => {
            // The size first (file metadata), then the bytes.
            let (model, _) = super::read_model_file(m).map_err(|e| match e {
                super::Failure::Usage(x) | super::Failure::Run(x) | super::Failure::Cancelled(x) => ExportError::Run(x),
            })?;
            Ok(Source::Model(Box::new(model)))
        }
        (Some(_), Some(_)) => Err(ExportError::Usage("give either --spec or --model, not both".into())),
        (None, None) => Err(ExportError::Usage("--spec SPEC.json or --model MODEL.json is required".into())),
    }
}

pub enum ExportError {
    Usage(String),
    Run(String),
}

/// The exported bytes for `format`.
pub fn export(format: &str, src: &Source) -> Result<Vec<u8>, ExportError> {
    let run = |e: pipelab::Error| ExportError::Run(e.to_string());
    match format {
        "sklearn" => {
            let script = match src {
                Source::Spec(text) => api::export_sklearn(text).map_err(run)?,
                Source::Model(m) => api::export_sklearn_model(m).map_err(run)?,
            };
            Ok(script.into_bytes())
        }
        "onnx" => match src {
            Source::Model(m) => api::export_onnx(m).map_err(run),
            Source::Spec(_) => Err(ExportError::Usage("--format onnx exports a fitted model: give --model MODEL.json, not --spec".into())),
        },
        other => Err(ExportError::Usage(format!("unknown --format {other:?}; known: onnx, sklearn"))),
    }
}
