//! The pipeline spec: one JSON document shared by the page, the CLI and the
//! model file. Step and model names are scikit-learn class names; parameters
//! are scikit-learn's names with its defaults. See SPEC.md.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::registry::{ModelSpec, StepSpec};
use crate::data::ColumnType;
use crate::split::CvSpec;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSpec {
    /// The column to predict (absent for clustering).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Columns never used as features.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop: Vec<String>,
    /// Column type overrides applied when reading the CSV.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<String, ColumnType>,
    /// A ColumnTransformer: parallel branches on column selections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preprocess: Option<ColumnTransformerSpec>,
    /// Steps applied in order to the whole matrix after `preprocess`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepSpec>,
    pub model: ModelSpec,
    /// Cross-validation splitter; default StratifiedKFold(5) for classifiers, KFold(5) otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cv: Option<CvSpec>,
    /// Metric names; defaults per task when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scoring: Vec<String>,
    /// Seed for every random step that has no `random_state` of its own (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_state: Option<u64>,
    /// Hyperparameter search (`pipelab search`, the page's Tune panel). Parsed only in a build
    /// with the `full-components` feature: the page's first module answers a spec with a search
    /// block by `Error::NeedFull` (see [`search_block`]).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "search_block::de", serialize_with = "search_block::ser")]
    pub search: Option<super::search_spec::SearchSpec>,
    /// Hold out a test part: search and CV run on the rest; one final score on the held-out rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout: Option<HoldoutSpec>,
}

/// `train_test_split` parameters for the train / validation / test pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HoldoutSpec {
    pub test_size: f64,
    pub shuffle: bool,
    /// Stratify by the target (classification).
    pub stratify: bool,
    pub random_state: Option<u64>,
}

impl Default for HoldoutSpec {
    fn default() -> Self {
        HoldoutSpec { test_size: 0.25, shuffle: true, stratify: false, random_state: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnTransformerSpec {
    pub transformers: Vec<TransformerSpec>,
    #[serde(default)]
    pub remainder: Remainder,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransformerSpec {
    pub name: String,
    pub columns: ColumnSelector,
    /// Steps of this branch; empty = passthrough.
    #[serde(default)]
    pub steps: Vec<StepSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum ColumnSelector {
    /// Every feature column of this type.
    Dtype(ColumnType),
    /// These columns, in this order.
    Names(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Remainder {
    #[default]
    Drop,
    Passthrough,
}

/// The spec's `search` field. With the `full-components` feature, the derived (de)serializers of
/// [`SearchSpec`](super::search_spec::SearchSpec). Without it (the page's first module, where a
/// search never runs: the Tune panel is the full module's), `null` or absent is `None` and a
/// search block is refused ([`PipelineSpec::from_value`] turns that into `Error::NeedFull`), so
/// the search types' deserializer and serializer code (44 KB raw, 14 KB gzip) stay out of the module.
mod search_block {
    use super::super::search_spec::SearchSpec;
    #[cfg(feature = "full-components")]
    use serde::Serialize;
    use serde::{Deserialize, Deserializer, Serializer};

    #[cfg(feature = "full-components")]
    pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SearchSpec>, D::Error> {
        Option::<SearchSpec>::deserialize(d)
    }

    #[cfg(feature = "full-components")]
    pub fn ser<S: Serializer>(v: &Option<SearchSpec>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }

    #[cfg(not(feature = "full-components"))]
    pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SearchSpec>, D::Error> {
        match Option::<serde::de::IgnoredAny>::deserialize(d)? {
            None => Ok(None),
            Some(_) => Err(serde::de::Error::custom(UNBUILT)),
        }
    }

    /// Never reached: without the feature no spec has a search block (`de` refuses one).
    #[cfg(not(feature = "full-components"))]
    pub fn ser<S: Serializer>(v: &Option<SearchSpec>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(_) => Err(serde::ser::Error::custom(UNBUILT)),
        }
    }

    #[cfg(feature = "full-components")]
    pub fn check(v: &Option<SearchSpec>) -> crate::Result<()> {
        v.as_ref().map_or(Ok(()), SearchSpec::check)
    }

    /// Never reached from a spec's text (`de` refuses a search block); a spec built with one
    /// in code is refused as the text is, so the search's checks stay out of the module.
    #[cfg(not(feature = "full-components"))]
    pub fn check(v: &Option<SearchSpec>) -> crate::Result<()> {
        match v {
            None => Ok(()),
            Some(_) => Err(crate::Error::NeedFull("search".to_string())),
        }
    }

    /// What a search block is in a build without the search (the page's first module).
    #[cfg(not(feature = "full-components"))]
    pub const UNBUILT: &str = "a search block is run by the page's full module";
}

/// A step or model named in `value` (as any object's key: the spec's model, a step, a
/// SelectFromModel's estimator, ...) that this build leaves out; never one in a build with
/// every component. Asked only of a spec that does not parse, so a spec that parses is never
/// sent elsewhere.
fn unbuilt_component(value: &serde_json::Value) -> Option<&'static str> {
    let unbuilt = |k: &str| {
        let model = ModelSpec::ALL_NAMES.iter().find(|n| **n == k && !ModelSpec::is_built(n));
        model.or_else(|| StepSpec::ALL_NAMES.iter().find(|n| **n == k && !StepSpec::is_built(n))).copied()
    };
    match value {
        serde_json::Value::Object(m) => m.iter().find_map(|(k, v)| unbuilt(k).or_else(|| unbuilt_component(v))),
        serde_json::Value::Array(a) => a.iter().find_map(unbuilt_component),
        _ => None,
    }
}

/// Rewrites every `preprocess.transformers[i].columns` written as a list of names (as
/// scikit-learn's ColumnTransformer takes them) into the selector `{"names": [...]}`.
fn listed_columns_as_names(value: &mut serde_json::Value) {
    let transformers = value.get_mut("preprocess").and_then(|p| p.get_mut("transformers")).and_then(serde_json::Value::as_array_mut);
    for t in transformers.into_iter().flatten() {
        if let Some(c) = t.get_mut("columns").filter(|c| c.is_array()) {
            let mut names = serde_json::Map::new();
            names.insert("names".to_string(), c.take());
            *c = serde_json::Value::Object(names);
        }
    }
}

/// The shape of a spec, for messages (SPEC.md has the whole format).
pub const SPEC_SHAPE: &str = r#"{"target": "COLUMN", "preprocess": {...}, "steps": [{"StandardScaler": {}}], "model": {"LogisticRegression": {"C": 1.0}}, "cv": {...}, "scoring": [...]} (only "model" is required; see SPEC.md)"#;

impl PipelineSpec {
    /// Parses a spec, naming the path of the offending field on error.
    pub fn from_json(text: &str) -> Result<PipelineSpec> {
        // Syntax first (serde_json's message names the line and column), then the
        // structure from the parsed value. Going through `Value` on purpose: the
        // model file (persist.rs) and the search (selection/search.rs) deserialize
        // specs from a `Value` too (`value_de`, which names the field path), so the
        // large derived deserializers of every step and model are compiled once
        // instead of once per input type (−16 % of the wasm; bench/HISTORY.md).
        let mut value: serde_json::Value = super::json_text::parse(text).map_err(|e| Error::spec("(top level)", e.to_string()))?;
        listed_columns_as_names(&mut value);
        if !value.is_object() {
            let got = match &value {
                serde_json::Value::Array(_) => "an array",
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::Bool(_) => "true or false",
                _ => "null",
            };
            return Err(Error::spec("(top level)", format!("a spec is a JSON object, got {got}; its shape: {SPEC_SHAPE}")));
        }
        let spec = PipelineSpec::from_value(&value)?;
        spec.check()?;
        Ok(spec)
    }

    /// The structural part of [`PipelineSpec::from_json`] (no [`PipelineSpec::check`]).
    pub(crate) fn from_value(value: &serde_json::Value) -> Result<PipelineSpec> {
        // A search block in a build without the search (see `search_block`), else a component.
        let unbuilt = || match value.get("search") {
            Some(s) if !cfg!(feature = "full-components") && !s.is_null() => Some("search"),
            _ => unbuilt_component(value),
        };
        super::value_de::from_value(value).map_err(|(path, e)| match unbuilt() {
            Some(name) => Error::NeedFull(name.to_string()),
            None => Error::spec(if path == "." { "(top level)".to_string() } else { path }, e.to_string()),
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Consistency checks that need no data.
    pub fn check(&self) -> Result<()> {
        if let Some(ct) = &self.preprocess {
            let mut names = std::collections::HashSet::new();
            for (i, t) in ct.transformers.iter().enumerate() {
                if t.name.is_empty() || t.name.contains("__") {
                    return Err(Error::spec(format!("preprocess.transformers[{i}].name"), "must be non-empty and must not contain \"__\""));
                }
                if !names.insert(t.name.as_str()) {
                    return Err(Error::spec(format!("preprocess.transformers[{i}].name"), format!("{:?} is used twice; branch names must be unique", t.name)));
                }
            }
        }
        search_block::check(&self.search)?;
        if let Some(t) = &self.target {
            if self.drop.contains(t) {
                return Err(Error::spec("drop", format!("the target {t:?} is also listed in drop")));
            }
        }
        Ok(())
    }

    pub fn seed(&self) -> u64 {
        self.random_state.unwrap_or(0)
    }
}
