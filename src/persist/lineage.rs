//! The lineage a retrained model file records: where it came from and on what.
//! Hashes and the time are computed by the shells (the CLI with the `sha2`
//! crate, the page with WebCrypto) and passed in; the core only checks them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::MetricSummary;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingFile {
    pub name: String,
    pub sha256: String,
    pub rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lineage {
    /// 1 for a model fitted from scratch; parent + 1 for a retrained one (a parent without lineage is version 1).
    pub version: u32,
    /// SHA-256 (lowercase hex) of the parent model file's bytes.
    pub parent_sha256: String,
    /// The parent's cross-validation metrics, as stored in it.
    #[serde(default)]
    pub parent_cv_metrics: BTreeMap<String, MetricSummary>,
    /// The files this model was trained on, in order (concatenated).
    pub training_files: Vec<TrainingFile>,
    /// This model's cross-validation metrics (also in `cv_metrics`).
    #[serde(default)]
    pub cv_metrics: BTreeMap<String, MetricSummary>,
    /// When it was retrained, as given by the caller (ISO 8601 UTC from the CLI; the page's clock).
    pub trained_at: String,
}

/// Checks that `s` is 64 lowercase hex digits.
pub fn check_sha256(field: &str, s: &str) -> Result<()> {
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(Error::ModelFile(format!("field '{field}': {s:?} is not a SHA-256 (64 lowercase hex digits)")))
    }
}

impl Lineage {
    pub fn validate(&self) -> Result<()> {
        if self.version < 2 {
            return Err(Error::ModelFile(format!("field 'lineage.version': {} — a retrained model is version 2 or later", self.version)));
        }
        check_sha256("lineage.parent_sha256", &self.parent_sha256)?;
        if self.training_files.is_empty() {
            return Err(Error::ModelFile("field 'lineage.training_files': empty".into()));
        }
        for (i, f) in self.training_files.iter().enumerate() {
            check_sha256(&format!("lineage.training_files[{i}].sha256"), &f.sha256)?;
        }
        for (k, m) in self.cv_metrics.iter().chain(&self.parent_cv_metrics) {
            if m.folds.iter().any(|v| v.is_infinite()) {
                return Err(Error::ModelFile(format!("field 'lineage.cv_metrics.{k}': an infinite fold score")));
            }
        }
        Ok(())
    }
}
