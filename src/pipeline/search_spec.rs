//! The `search` block of a spec (SPEC.md, "Hyperparameter search"): the types
//! only. They live with the spec they are part of; `selection::search` runs them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One candidate: parameter path → value.
pub type ParamSet = BTreeMap<String, Value>;

/// A search distribution: a list of choices, or a continuous / integer range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Distribution {
    Choices(Vec<Value>),
    Uniform {
        uniform: [f64; 2],
    },
    LogUniform {
        loguniform: [f64; 2],
    },
    /// Integers in `[lo, hi)`, as scipy's `randint`.
    RandInt {
        randint: [i64; 2],
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridParams {
    pub param_grid: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    pub scoring: Option<String>,
    #[serde(default = "yes")]
    pub refit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomParams {
    pub param_distributions: BTreeMap<String, Distribution>,
    #[serde(default = "ten")]
    pub n_iter: usize,
    #[serde(default)]
    pub scoring: Option<String>,
    #[serde(default)]
    pub random_state: Option<u64>,
    #[serde(default = "yes")]
    pub refit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BayesParams {
    pub search_spaces: BTreeMap<String, Distribution>,
    /// Trial budget.
    #[serde(default = "thirty")]
    pub n_iter: usize,
    /// Random trials before the model-guided ones.
    #[serde(default = "ten")]
    pub n_initial_points: usize,
    /// Time budget in seconds (stops after the trial that crosses it).
    #[serde(default)]
    pub max_time_s: Option<f64>,
    #[serde(default)]
    pub scoring: Option<String>,
    #[serde(default)]
    pub random_state: Option<u64>,
    #[serde(default = "yes")]
    pub refit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HalvingParams {
    pub param_grid: BTreeMap<String, Vec<Value>>,
    #[serde(default = "three")]
    pub factor: usize,
    /// Rows used in the first round (default: enough for 2 rows per fold per class, at least 20).
    #[serde(default)]
    pub min_resources: Option<usize>,
    #[serde(default)]
    pub scoring: Option<String>,
    #[serde(default)]
    pub random_state: Option<u64>,
    #[serde(default = "yes")]
    pub refit: bool,
}

fn yes() -> bool {
    true
}
fn three() -> usize {
    3
}
fn ten() -> usize {
    10
}
fn thirty() -> usize {
    30
}

/// The `search` block of a spec. Compared (`PartialEq`) only in a build with the
/// `full-components` feature; without it (the page's first module) no spec holds one
/// (`spec.rs`'s `search_block` refuses it) and two never compare equal (below).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "full-components", derive(PartialEq))]
pub enum SearchSpec {
    GridSearchCV(GridParams),
    RandomizedSearchCV(RandomParams),
    BayesSearchCV(BayesParams),
    HalvingGridSearchCV(HalvingParams),
}

/// Without the search (the page's first module, where a spec with a search block does not
/// parse), a search block equals nothing, like NaN: a spec holding one is never taken for
/// another (the page's fit reuses the last cross-validation's scores only for an equal spec).
/// The derived comparison of the search types was ≈ 3.5 KB of that module, never run.
#[cfg(not(feature = "full-components"))]
impl PartialEq for SearchSpec {
    fn eq(&self, _: &SearchSpec) -> bool {
        false
    }
}

impl SearchSpec {
    /// Data-free checks scikit-learn's parameter validation also makes:
    /// `n_iter` at least 1, no empty list of values, `factor` at least 2.
    pub fn check(&self) -> crate::Result<()> {
        let (class, n_iter, grid) = match self {
            SearchSpec::GridSearchCV(p) => ("GridSearchCV", None, Some(&p.param_grid)),
            SearchSpec::RandomizedSearchCV(p) => ("RandomizedSearchCV", Some(p.n_iter), None),
            SearchSpec::BayesSearchCV(p) => ("BayesSearchCV", Some(p.n_iter), None),
            SearchSpec::HalvingGridSearchCV(p) => {
                if p.factor < 2 {
                    return Err(crate::Error::spec(
                        "search.HalvingGridSearchCV.factor",
                        format!("is {}; it must be at least 2 (each round keeps 1/factor of the candidates)", p.factor),
                    ));
                }
                ("HalvingGridSearchCV", None, Some(&p.param_grid))
            }
        };
        if n_iter == Some(0) {
            return Err(crate::Error::spec(format!("search.{class}.n_iter"), "is 0: it is the number of candidates to try, at least 1"));
        }
        if let Some((k, _)) = grid.and_then(|g| g.iter().find(|(_, v)| v.is_empty())) {
            return Err(crate::Error::spec(format!("search.{class}.param_grid.{k}"), "is an empty list: give at least one value to try"));
        }
        let spaces = match self {
            SearchSpec::RandomizedSearchCV(p) => Some(&p.param_distributions),
            SearchSpec::BayesSearchCV(p) => Some(&p.search_spaces),
            _ => None,
        };
        if let Some((k, _)) = spaces.and_then(|s| s.iter().find(|(_, d)| matches!(d, Distribution::Choices(c) if c.is_empty()))) {
            return Err(crate::Error::spec(format!("search.{class}.{k}"), "is an empty list: give at least one value to try"));
        }
        Ok(())
    }
    pub fn scoring(&self) -> Option<&str> {
        match self {
            SearchSpec::GridSearchCV(p) => p.scoring.as_deref(),
            SearchSpec::RandomizedSearchCV(p) => p.scoring.as_deref(),
            SearchSpec::BayesSearchCV(p) => p.scoring.as_deref(),
            SearchSpec::HalvingGridSearchCV(p) => p.scoring.as_deref(),
        }
    }
    pub fn refit(&self) -> bool {
        match self {
            SearchSpec::GridSearchCV(p) => p.refit,
            SearchSpec::RandomizedSearchCV(p) => p.refit,
            SearchSpec::BayesSearchCV(p) => p.refit,
            SearchSpec::HalvingGridSearchCV(p) => p.refit,
        }
    }
}
