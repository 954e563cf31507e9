//! One forest fit split by trees between workers: the page's worker pool grows
//! parts of the trees (`api::forest_trees`, each worker its own range), and the
//! page's worker joins them into the fitted pipeline (`api::fit_model_with_trees`).
//! Natively the trees of one fit go on threads instead (`parallel::Lend::threads`).
//!
//! Tree `i` is grown from the `i`-th seed of the forest's seed stream whatever
//! range it is grown in (`models::forest`), so the joined forest is the one a
//! single worker grows: the same model file (tests/library/tree_parts.rs).

use super::{FittedModelEnum, FittedPipeline, ModelSpec, ModelState, PipelineSpec};
use crate::models::tree::Tree;
use crate::{Error, Result};

/// The number of trees when a fit of `spec` can be split by trees: a random
/// forest without out-of-bag scoring (each row's score needs every tree) and
/// without a hold-out part (the file's hold-out scores come from the training
/// part's model, fitted whole).
pub fn n_trees(spec: &PipelineSpec) -> Option<usize> {
    if spec.holdout.is_some() {
        return None;
    }
    match &spec.model {
        ModelSpec::RandomForestClassifier(p) if !p.oob_score => Some(p.n_estimators),
        ModelSpec::RandomForestRegressor(p) if !p.oob_score => Some(p.n_estimators),
        _ => None,
    }
}

/// [`n_trees`], or the error naming what can be split.
pub fn n_trees_or_refuse(spec: &PipelineSpec) -> Result<usize> {
    n_trees(spec).ok_or_else(|| Error::spec("model", "this fit cannot be split by trees (a random forest without oob_score or a hold-out part can)"))
}

fn trees_mut(model: &mut ModelState) -> Option<&mut Vec<Tree>> {
    match model {
        ModelState::Fitted(FittedModelEnum::RandomForestClassifier(m)) => Some(&mut m.trees),
        ModelState::Fitted(FittedModelEnum::RandomForestRegressor(m)) => Some(&mut m.trees),
        _ => None,
    }
}

/// The trees of a pipeline fitted with a lent part (no trees when the training
/// rows held a single class: the model is that class, not a forest).
pub fn take_trees(mut fitted: FittedPipeline) -> Result<Vec<Tree>> {
    match &mut fitted.model {
        ModelState::SingleClass(_) => Ok(Vec::new()),
        m => trees_mut(m).map(std::mem::take).ok_or_else(|| Error::data("the pipeline's model is not a random forest: its fit cannot be split by trees")),
    }
}

/// Puts the parts' trees, in part order, into `fitted` (fitted with the empty
/// part `(0, 0)`): `n` trees in all, each checked as a file's trees are.
pub fn join(fitted: &mut FittedPipeline, n: usize, parts: Vec<Vec<Tree>>) -> Result<()> {
    let total: usize = parts.iter().map(Vec::len).sum();
    if matches!(fitted.model, ModelState::SingleClass(_)) {
        // Every worker saw the single class too: no trees to join.
        return if total == 0 { Ok(()) } else { Err(Error::data(format!("{total} trees were grown for a model that predicts a single class"))) };
    }
    let trees = trees_mut(&mut fitted.model).ok_or_else(|| Error::data("the pipeline's model is not a random forest: its fit cannot be split by trees"))?;
    if total != n || !trees.is_empty() {
        return Err(Error::data(format!("the parts hold {total} trees, the forest has {n}")));
    }
    trees.extend(parts.into_iter().flatten());
    // A forest (trees_mut found one above): its trees checked as a file's are.
    if let ModelState::Fitted(m) = &fitted.model {
        m.validate()?;
    }
    Ok(())
}
