//! The model file: versioned JSON holding the spec, the input schema, the
//! fitted state of every step and the model, the class labels and the
//! training metrics. The loader is strict and bounded: it rejects anything
//! malformed, from a newer format, or internally inconsistent, with an error
//! naming the field — never a panic.

pub mod lineage;
pub mod reference;
#[doc(hidden)]
pub mod robustness;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::MetricSummary;
use crate::pipeline::{FittedPipeline, PipelineSpec};
use crate::{Error, Result};

pub const FORMAT: &str = "pipelab-model";
/// The format this pipelab writes. 2: exact reference values as base64 of their bytes
/// (`reference::Distribution`), counts left out when all are 1.
pub const FORMAT_VERSION: u32 = 2;
/// The oldest format this pipelab reads (1: the reference's values as a JSON array).
pub const OLDEST_FORMAT_VERSION: u32 = 1;
/// Model files larger than this are refused before parsing.
pub const MAX_MODEL_BYTES: usize = 256 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub format: String,
    /// As read (1 or 2); a file is always written in [`FORMAT_VERSION`], the encoding `to_json` uses.
    #[serde(serialize_with = "current_format_version")]
    pub format_version: u32,
    /// The pipelab version that wrote the file.
    pub crate_version: String,
    pub spec: PipelineSpec,
    pub pipeline: FittedPipeline,
    /// Rows the final model was fitted on.
    pub n_train_rows: usize,
    /// Cross-validated metrics measured before the final fit, when available.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cv_metrics: BTreeMap<String, MetricSummary>,
    /// Per-column distributions of the training rows (never rows) for drift
    /// detection; absent in files written before pipelab 0.1 monitoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<reference::TrainingReference>,
    /// Set by retraining: version, parent and training files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<lineage::Lineage>,
    /// With the spec's hold-out part: which rows this model was fitted on,
    /// and the hold-out scores of the model fitted on the training part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout: Option<HoldoutFit>,
}

/// Which rows a model with a hold-out part was fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FittedOn {
    /// The training part: the hold-out scores are this model's.
    TrainingPart,
    /// Every usable row, refitted after the hold-out scoring (`fit --refit-all`):
    /// the hold-out scores are those of the training-part model and this
    /// model has seen the held-out rows.
    AllRows,
}

/// A model file's record of the hold-out part (SPEC.md, "holdout").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldoutFit {
    pub fitted_on: FittedOn,
    /// Rows of the training part and of the held-out part.
    pub n_train: usize,
    pub n_test: usize,
    /// Scores of the training-part model on the held-out rows; NaN (written `null`, as serde_json
    /// writes any non-finite number, and read back as NaN) for a score that is not a finite number.
    /// Not `Option<f64>`: a map of that type compiled its own insert, clone and drop into the
    /// page's first module (≈ 5 KB of wasm) for the same text.
    #[serde(deserialize_with = "scores_or_null")]
    pub scores: BTreeMap<String, f64>,
}

fn scores_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<BTreeMap<String, f64>, D::Error> {
    let scores = BTreeMap::<String, Option<f64>>::deserialize(d)?;
    Ok(crate::sorting::btree_map(scores.into_iter().map(|(k, v)| (k, v.unwrap_or(f64::NAN)))))
}

impl ModelFile {
    pub fn new(spec: PipelineSpec, pipeline: FittedPipeline, n_train_rows: usize, cv_metrics: BTreeMap<String, MetricSummary>) -> Self {
        ModelFile {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            crate_version: env!("CARGO_PKG_VERSION").into(),
            spec,
            pipeline,
            n_train_rows,
            cv_metrics,
            reference: None,
            lineage: None,
            holdout: None,
        }
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::ModelFile(format!("cannot serialize: {e}")))
    }

    /// Refuses a model file of `len` bytes above [`MAX_MODEL_BYTES`]: the CLI
    /// calls it with the file's size (metadata) before reading a byte of it.
    pub fn check_size(len: u64) -> Result<()> {
        if len > MAX_MODEL_BYTES as u64 {
            return Err(Error::ModelFile(format!("{} MB is larger than the {} MB limit", len >> 20, MAX_MODEL_BYTES >> 20)));
        }
        Ok(())
    }

    /// Parses and validates a model file given as bytes: the size first, then UTF-8, then [`ModelFile::from_json`].
    pub fn from_bytes(bytes: &[u8]) -> Result<ModelFile> {
        Self::check_size(bytes.len() as u64)?;
        let text =
            std::str::from_utf8(bytes).map_err(|e| Error::ModelFile(format!("not UTF-8 text (byte {}); is this a pipelab model file?", e.valid_up_to())))?;
        Self::from_json(text)
    }

    /// Parses and validates a model file.
    pub fn from_json(text: &str) -> Result<ModelFile> {
        Self::check_size(text.len() as u64)?;
        let value: serde_json::Value =
            crate::pipeline::json_text::parse(text).map_err(|e| Error::ModelFile(format!("not valid JSON ({e}); is this a pipelab model file?")))?;
        let obj = value.as_object().ok_or_else(|| Error::ModelFile("expected a JSON object at the top level".into()))?;
        match obj.get("format").and_then(|v| v.as_str()) {
            Some(FORMAT) => {}
            Some(other) => return Err(Error::ModelFile(format!("field 'format' is {other:?}, expected {FORMAT:?}"))),
            None => return Err(Error::ModelFile("field 'format' is missing: this is not a pipelab model file".into())),
        }
        match obj.get("format_version").and_then(|v| v.as_u64()) {
            Some(v) if (OLDEST_FORMAT_VERSION as u64..=FORMAT_VERSION as u64).contains(&v) => {}
            Some(v) if v > FORMAT_VERSION as u64 => {
                return Err(Error::ModelFile(format!("format_version {v} is newer than this pipelab reads ({FORMAT_VERSION}); update pipelab to load it")))
            }
            Some(v) => {
                return Err(Error::ModelFile(format!("format_version {v} is not supported (this pipelab reads {OLDEST_FORMAT_VERSION} to {FORMAT_VERSION})")))
            }
            None => return Err(Error::ModelFile("field 'format_version' is missing or not a whole number".into())),
        }
        let file: ModelFile = crate::pipeline::value_de::from_value(&value).map_err(|(path, e)| Error::ModelFile(format!("field '{path}': {e}")))?;
        file.spec.check()?;
        file.pipeline.validate()?;
        if let Some(r) = &file.reference {
            r.validate(&file.pipeline)?;
        }
        if let Some(l) = &file.lineage {
            l.validate()?;
        }
        if file.spec.model.name() != model_name(&file.pipeline) && !matches!(file.pipeline.model, crate::pipeline::ModelState::SingleClass(_)) {
            return Err(Error::ModelFile(format!("the spec names {} but the fitted model is {}", file.spec.model.name(), model_name(&file.pipeline))));
        }
        Ok(file)
    }
}

fn current_format_version<S: serde::Serializer>(_: &u32, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u32(FORMAT_VERSION)
}

fn model_name(p: &FittedPipeline) -> &'static str {
    match &p.model {
        crate::pipeline::ModelState::Fitted(m) => m.name(),
        crate::pipeline::ModelState::SingleClass(_) => "single class",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holdout_scores_write_a_non_finite_score_as_null_and_read_it_as_nan() {
        let scores = crate::sorting::btree_map([("accuracy".to_string(), 0.8125), ("roc_auc".to_string(), f64::NAN)]);
        let h = HoldoutFit { fitted_on: FittedOn::TrainingPart, n_train: 12, n_test: 4, scores };
        let text = serde_json::to_string(&h).unwrap();
        // The text the `Option<f64>` map wrote (`None` for a non-finite score).
        assert_eq!(text, r#"{"fitted_on":"training_part","n_train":12,"n_test":4,"scores":{"accuracy":0.8125,"roc_auc":null}}"#);
        let back: HoldoutFit = serde_json::from_str(&text).unwrap();
        assert_eq!(back.scores["accuracy"], 0.8125);
        assert!(back.scores["roc_auc"].is_nan());
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }
}
