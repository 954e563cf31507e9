//! One fit's model split between workers: the page's worker pool fits parts of
//! the model's independent pieces (`api::fit_part`, each worker its own range),
//! and the page's worker joins them (`api::fit_model_with_parts`,
//! `api::fit_clustering_with_parts`). Natively the pieces of one fit go on
//! threads instead (`parallel::Lend::threads`). Two models split:
//! - a random forest, by trees: tree `i` is grown from the `i`-th seed of the
//!   forest's seed stream whatever range it is grown in (`models::forest`); the
//!   parts' trees are put into the page's worker's fit, in order;
//! - KMeans with several restarts (`n_init`), by runs: a part draws the starts of
//!   the runs before it from the one seed stream and runs Lloyd for its own
//!   (`models::cluster::kmeans`); the page's worker picks the kept run from every
//!   run's inertia and labels by the rule the whole fit applies run by run
//!   ([`crate::models::cluster::kmeans::best_run`]) and fits that run alone.
//!
//! Either way the joined model is the one a single worker fits: the same model
//! file and clustering report (tests/library/model_parts.rs).

use super::{FittedModelEnum, FittedPipeline, ModelSpec, ModelState, PipelineSpec};
use crate::models::cluster::kmeans::PartRun;
use crate::models::tree::Tree;
use crate::{Error, Result};

/// What a fit is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pieces {
    /// A random forest's trees.
    Trees,
    /// KMeans' restarts.
    Runs,
}

/// How a fit of `spec` can be split: what by, and how many pieces — a random
/// forest without out-of-bag scoring (each row's score needs every tree), or
/// KMeans with two or more restarts; either without a hold-out part (the file's
/// hold-out scores come from the training part's model, fitted whole).
pub fn plan(spec: &PipelineSpec) -> Option<(Pieces, usize)> {
    if spec.holdout.is_some() {
        return None;
    }
    match &spec.model {
        ModelSpec::RandomForestClassifier(p) if !p.oob_score => Some((Pieces::Trees, p.n_estimators)),
        ModelSpec::RandomForestRegressor(p) if !p.oob_score => Some((Pieces::Trees, p.n_estimators)),
        ModelSpec::KMeans(p) => p.runs().ok().filter(|&n| n > 1).map(|n| (Pieces::Runs, n)),
        _ => None,
    }
}

/// [`plan`], or the error naming what can be split.
pub fn plan_or_refuse(spec: &PipelineSpec) -> Result<(Pieces, usize)> {
    plan(spec).ok_or_else(|| {
        Error::spec(
            "model",
            "this fit cannot be split between workers (a random forest without oob_score, or KMeans with n_init ≥ 2, without a hold-out part, can)",
        )
    })
}

fn trees_mut(model: &mut ModelState) -> Option<&mut Vec<Tree>> {
    match model {
        ModelState::Fitted(FittedModelEnum::RandomForestClassifier(m)) => Some(&mut m.trees),
        ModelState::Fitted(FittedModelEnum::RandomForestRegressor(m)) => Some(&mut m.trees),
        _ => None,
    }
}

/// The part of a pipeline fitted with a lent part, as JSON text: the forest's
/// trees (none when the training rows held a single class: the model is that
/// class, not a forest), or the restarts' inertia and labels.
pub fn take_part(mut fitted: FittedPipeline) -> Result<String> {
    let write = |e: serde_json::Error| Error::data(format!("cannot write the part: {e}"));
    match &mut fitted.model {
        ModelState::SingleClass(_) => Ok("[]".into()),
        ModelState::Fitted(FittedModelEnum::KMeans(m)) => serde_json::to_string(&m.part_runs).map_err(write),
        m => {
            let trees = trees_mut(m).map(std::mem::take).ok_or_else(|| Error::data("the pipeline's model cannot be split between workers"))?;
            serde_json::to_string(&trees).map_err(write)
        }
    }
}

/// Reads the parts' texts, naming the one that cannot be read.
fn read_parts<T: serde::de::DeserializeOwned>(parts: &[String], what: &str) -> Result<Vec<Vec<T>>> {
    parts
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::from_str(t).map_err(|e| Error::data(format!("part {} of the {what} cannot be read: {e}", i + 1))))
        .collect()
}

/// The run a fit of every restart keeps, from the parts' texts (consecutive
/// ranges covering all `n` runs, in order): the lent part `[i, i + 1)` the page's
/// worker fits to join them.
pub fn kept_run(spec: &PipelineSpec, n: usize, parts: &[String]) -> Result<(usize, usize)> {
    let runs: Vec<PartRun> = read_parts(parts, "restarts")?.into_iter().flatten().collect();
    if runs.len() != n {
        return Err(Error::data(format!("the parts hold {} restarts, KMeans runs {n}", runs.len())));
    }
    let k = match &spec.model {
        ModelSpec::KMeans(p) => p.n_clusters,
        _ => return Err(Error::data("the pipeline's model is not KMeans: its fit cannot be split by restarts")),
    };
    if let Some(r) = runs.iter().position(|r| r.labels.iter().any(|&l| l < 0 || l as usize >= k)) {
        return Err(Error::data(format!("restart {} holds a label outside 0..{k}", r + 1)));
    }
    // n ≥ 2 (plan) runs, so one is kept.
    let i = crate::models::cluster::kmeans::best_run(&runs, k).ok_or_else(|| Error::data("KMeans: no run"))?;
    Ok((i, i + 1))
}

/// Puts the parts' trees (texts of consecutive ranges, in order) into `fitted`
/// (fitted with the empty part `(0, 0)`): `n` trees in all, each checked as a
/// file's trees are.
pub fn join_trees(fitted: &mut FittedPipeline, n: usize, parts: &[String]) -> Result<()> {
    let parts: Vec<Vec<Tree>> = read_parts(parts, "forest's trees")?;
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
