//! Random forests (scikit-learn's `RandomForestClassifier` / `RandomForestRegressor`):
//! `n_estimators` trees, each grown on a bootstrap sample (drawn as per-row
//! counts used as sample weights, as scikit-learn does) with `max_features`
//! features examined per split. Probabilities are the mean of the trees' leaf
//! class fractions. Tree `i` is seeded by the `i`-th draw of a ChaCha8 stream
//! seeded with the forest's seed, so a forest is reproducible and each tree can
//! be rebuilt alone.

use ndarray::Array2;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::check_fit;
use super::tree::{
    build_tree, check_finite, ensemble_importances, ensemble_inspection, predict_classes, predict_values, regression_target, tree_schema, validate_ensemble,
    ClassCriterion, ColMajor, Ensemble, Labels, MaxFeatures, MaxFeaturesName, RegCriterion, Tree, TreeConfig,
};
use crate::estimator::class_target;
use crate::estimator::{FitContext, FittedModel, Importances, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::numeric::{argmax, rows_of};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomForestClassifierParams {
    pub n_estimators: usize,
    pub criterion: ClassCriterion,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: Option<MaxFeatures>,
    pub min_impurity_decrease: f64,
    pub bootstrap: bool,
    pub oob_score: bool,
    pub random_state: Option<u64>,
    pub class_weight: Option<ForestClassWeight>,
}

/// scikit-learn's `class_weight` for forests: `"balanced"` from the class
/// frequencies of the whole training set, `"balanced_subsample"` from those of
/// each tree's bootstrap sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForestClassWeight {
    Balanced,
    BalancedSubsample,
}

impl Default for RandomForestClassifierParams {
    fn default() -> Self {
        RandomForestClassifierParams {
            n_estimators: 100,
            criterion: ClassCriterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: Some(MaxFeatures::Name(MaxFeaturesName::Sqrt)),
            min_impurity_decrease: 0.0,
            bootstrap: true,
            oob_score: false,
            random_state: None,
            class_weight: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomForestRegressorParams {
    pub n_estimators: usize,
    pub criterion: RegCriterion,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: Option<MaxFeatures>,
    pub min_impurity_decrease: f64,
    pub bootstrap: bool,
    pub oob_score: bool,
    pub random_state: Option<u64>,
}

impl Default for RandomForestRegressorParams {
    fn default() -> Self {
        RandomForestRegressorParams {
            n_estimators: 100,
            criterion: RegCriterion::SquaredError,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: Some(MaxFeatures::Float(1.0)),
            min_impurity_decrease: 0.0,
            bootstrap: true,
            oob_score: false,
            random_state: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomForestClassifier {
    pub n_features: usize,
    pub n_classes: usize,
    pub trees: Vec<Tree>,
    #[serde(default)]
    pub oob_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomForestRegressor {
    pub n_features: usize,
    pub trees: Vec<Tree>,
    #[serde(default)]
    pub oob_score: Option<f64>,
}

/// What one tree was grown on.
struct Grown {
    tree: Tree,
    /// Bootstrap counts per row (empty without bootstrap).
    counts: Vec<f64>,
}

/// Grows `n_estimators` trees on up to `threads` threads; calls `each` after
/// every tree, in tree order. `class_weight` (classification only) multiplies
/// each row's weight by its class weight.
///
/// Tree `i` is grown from the `i`-th seed of the forest's seed stream, drawn
/// before any tree is grown, and from nothing another tree touches, so the
/// forest is the same on any number of threads. Trees are grown in batches
/// (8 per thread) so that the bootstrap counts `each` reads are held for one
/// batch only, not for the whole forest.
///
/// With a lent part `[from, to)` ([`FitContext::part`]: the page's worker pool
/// splits the trees of one fit) only trees `from..to` are grown, each from its own
/// seed, so the parts joined in order (`pipeline::model_parts::join_trees`) are the forest grown whole.
#[allow(clippy::too_many_arguments)]
fn grow_forest(
    x: &Array2<f64>,
    labels: Labels,
    cfg: &TreeConfig,
    n_estimators: usize,
    bootstrap: bool,
    seed: u64,
    class_weight: Option<ForestClassWeight>,
    ctx: &FitContext,
    mut each: impl FnMut(Grown),
) -> Result<()> {
    let (n, p) = x.dim();
    // Per-row weights when classes are weighted (bootstrap counts × class weight).
    let classes = match labels {
        Labels::Classes { y, n_classes } => Some((y, n_classes)),
        Labels::Values(_) => None,
    };
    let whole = match (class_weight, classes) {
        (Some(ForestClassWeight::Balanced), Some((y, k))) => Some(super::balanced_class_weights(y, k, None)),
        _ => None,
    };
    let xt = ColMajor::new(x);
    let mut seeds = ChaCha8Rng::seed_from_u64(seed);
    let mut tree_seeds: Vec<u64> = (0..n_estimators).map(|_| seeds.next_u64()).collect();
    // The first tree grown here: 0, or the lent part's first.
    let mut first = 0;
    if let Some((from, to)) = ctx.part() {
        if from > to || to > n_estimators {
            return Err(Error::data(format!("trees {from}..{to} are not a part of a forest of {n_estimators} trees")));
        }
        tree_seeds = tree_seeds[from..to].to_vec();
        first = from;
    }
    let grow = |tree_seed: u64| -> Grown {
        let mut rng = ChaCha8Rng::seed_from_u64(tree_seed);
        let mut counts = Vec::new();
        let mut samples: Vec<usize> = Vec::with_capacity(n);
        if bootstrap {
            counts = vec![0.0; n];
            for _ in 0..n {
                counts[rng.random_range(0..n)] += 1.0;
            }
            samples.extend((0..n).filter(|&i| counts[i] > 0.0));
        } else {
            samples.extend(0..n);
        }
        let mut weighted = Vec::new();
        let mut w = if bootstrap { Some(counts.as_slice()) } else { None };
        if let (Some(kind), Some((y, k))) = (class_weight, classes) {
            let per_class = match kind {
                ForestClassWeight::Balanced => whole.clone().unwrap_or_default(),
                ForestClassWeight::BalancedSubsample => super::balanced_class_weights(y, k, w),
            };
            weighted = (0..n).map(|i| w.map_or(1.0, |c| c[i]) * per_class[y[i]]).collect();
            w = Some(weighted.as_slice());
        }
        let tree = build_tree(&xt, p, labels, w, &mut samples, cfg, &mut rng);
        drop(weighted);
        Grown { tree, counts }
    };
    let threads = ctx.threads();
    for (b, batch) in tree_seeds.chunks(threads * 8).enumerate() {
        // The lender's stop flag (the CLI's Ctrl-C) is asked between trees.
        ctx.check_stop()?;
        let grown = crate::parallel::map(threads, batch.len(), &|i| grow(batch[i]), &mut |_, _| !ctx.stopped());
        ctx.check_stop()?;
        for (i, g) in grown.into_iter().enumerate() {
            // Every item of an unstopped loop runs: `None` only if its thread panicked.
            let g = g.ok_or_else(|| Error::Numerical(format!("internal error while growing tree {}", first + b * threads * 8 + i + 1)))?;
            each(g);
        }
    }
    Ok(())
}

fn check_common(model: &str, n_estimators: usize, bootstrap: bool, oob: bool) -> Result<()> {
    if n_estimators == 0 {
        return Err(Error::param(model, "n_estimators", "must be at least 1"));
    }
    if n_estimators > 10_000 {
        return Err(Error::param(model, "n_estimators", format!("{n_estimators} is more than the 10000 trees pipelab builds")));
    }
    if oob && !bootstrap {
        return Err(Error::param(model, "oob_score", "needs bootstrap=true (out-of-bag rows exist only with bootstrap sampling)"));
    }
    Ok(())
}

/// A forest grown in parts (`FitContext::part`) has no out-of-bag score: each row's
/// needs every tree (`pipeline::model_parts::plan` never splits such a fit).
fn check_part(model: &str, oob: bool, ctx: &FitContext) -> Result<()> {
    if oob && ctx.part().is_some() {
        return Err(Error::param(model, "oob_score", "needs every tree in one fit: this fit grows a part of them"));
    }
    Ok(())
}

fn forest_schema(classifier: bool) -> Vec<ParamInfo> {
    let mut v = vec![ParamInfo::new("n_estimators", "int", json!(100), "Number of trees.").range(Some(1.0), Some(10000.0))];
    v.extend(tree_schema(classifier, if classifier { json!("sqrt") } else { json!(1.0) }));
    v.extend([
        ParamInfo::new("bootstrap", "bool", json!(true), "Grow each tree on a bootstrap sample (rows drawn with replacement)."),
        ParamInfo::new("oob_score", "bool", json!(false), "Score each row with the trees that did not see it (out-of-bag estimate)."),
    ]);
    v
}

fn warn_oob(ctx: &FitContext, model: &str, missing: usize) {
    if missing > 0 {
        ctx.warn(format!(
            "{model}: {missing} row(s) were in every bootstrap sample and have no out-of-bag prediction; use more trees for a reliable oob_score"
        ));
    }
}

impl ModelParams for RandomForestClassifierParams {
    type Fitted = RandomForestClassifier;
    fn task(&self) -> Task {
        Task::Classification
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<RandomForestClassifier> {
        const M: &str = "RandomForestClassifier";
        check_fit(M, x)?;
        check_finite(M, x)?;
        check_common(M, self.n_estimators, self.bootstrap, self.oob_score)?;
        check_part(M, self.oob_score, ctx)?;
        let (y, n_classes) = class_target(M, y)?;
        let (n, p) = x.dim();
        let k = n_classes.max(1);
        let cfg = TreeConfig::new(
            M,
            self.criterion.into(),
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.max_features,
            self.min_impurity_decrease,
            p,
        )?;
        let mut trees = Vec::with_capacity(self.n_estimators);
        let mut oob = if self.oob_score { vec![0.0; n * k] } else { Vec::new() };
        let data = rows_of(x);
        grow_forest(
            x,
            Labels::Classes { y, n_classes },
            &cfg,
            self.n_estimators,
            self.bootstrap,
            ctx.seed_for(self.random_state),
            self.class_weight,
            ctx,
            |g| {
                if self.oob_score {
                    for i in (0..n).filter(|&i| g.counts[i] == 0.0) {
                        let v = g.tree.node_value(g.tree.leaf(&data[i * p..(i + 1) * p]));
                        for c in 0..k {
                            oob[i * k + c] += v[c];
                        }
                    }
                }
                trees.push(g.tree);
            },
        )?;
        let oob_score = if self.oob_score {
            let (mut hit, mut seen) = (0usize, 0usize);
            for i in 0..n {
                let row = &oob[i * k..(i + 1) * k];
                if row.iter().sum::<f64>() > 0.0 {
                    seen += 1;
                    hit += (argmax(row) == y[i]) as usize;
                }
            }
            warn_oob(ctx, M, n - seen);
            (seen > 0).then(|| hit as f64 / seen as f64)
        } else {
            None
        };
        Ok(RandomForestClassifier { n_features: p, n_classes, trees, oob_score })
    }
    fn schema() -> Vec<ParamInfo> {
        let mut v = forest_schema(true);
        v.push(
            ParamInfo::new(
                "class_weight",
                "choice",
                json!(null),
                "\"balanced\" weighs rows inversely to their class frequency; \"balanced_subsample\" does it per bootstrap sample.",
            )
            .choices(&["balanced", "balanced_subsample"]),
        );
        v
    }
    fn help() -> &'static str {
        "Many decision trees on bootstrap samples, each split choosing among a random subset of features; votes are averaged."
    }
}

impl ModelParams for RandomForestRegressorParams {
    type Fitted = RandomForestRegressor;
    fn task(&self) -> Task {
        Task::Regression
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<RandomForestRegressor> {
        const M: &str = "RandomForestRegressor";
        check_fit(M, x)?;
        check_finite(M, x)?;
        check_common(M, self.n_estimators, self.bootstrap, self.oob_score)?;
        check_part(M, self.oob_score, ctx)?;
        let y = regression_target(M, y)?;
        let (n, p) = x.dim();
        let cfg = TreeConfig::new(
            M,
            self.criterion.into(),
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.max_features,
            self.min_impurity_decrease,
            p,
        )?;
        let mut trees = Vec::with_capacity(self.n_estimators);
        let (mut oob_sum, mut oob_n) = if self.oob_score { (vec![0.0; n], vec![0usize; n]) } else { (Vec::new(), Vec::new()) };
        let data = rows_of(x);
        grow_forest(x, Labels::Values(y), &cfg, self.n_estimators, self.bootstrap, ctx.seed_for(self.random_state), None, ctx, |g| {
            if self.oob_score {
                for i in (0..n).filter(|&i| g.counts[i] == 0.0) {
                    oob_sum[i] += g.tree.node_value(g.tree.leaf(&data[i * p..(i + 1) * p]))[0];
                    oob_n[i] += 1;
                }
            }
            trees.push(g.tree);
        })?;
        let oob_score = if self.oob_score {
            let idx: Vec<usize> = (0..n).filter(|&i| oob_n[i] > 0).collect();
            warn_oob(ctx, M, n - idx.len());
            if idx.len() < 2 {
                None
            } else {
                let mean = idx.iter().map(|&i| y[i]).sum::<f64>() / idx.len() as f64;
                let ss_tot: f64 = idx.iter().map(|&i| (y[i] - mean).powi(2)).sum();
                let ss_res: f64 = idx.iter().map(|&i| (y[i] - oob_sum[i] / oob_n[i] as f64).powi(2)).sum();
                Some(if ss_tot > 0.0 {
                    1.0 - ss_res / ss_tot
                } else if ss_res == 0.0 {
                    1.0
                } else {
                    0.0
                })
            }
        } else {
            None
        };
        Ok(RandomForestRegressor { n_features: p, trees, oob_score })
    }
    fn schema() -> Vec<ParamInfo> {
        forest_schema(false)
    }
    fn help() -> &'static str {
        "Many regression trees on bootstrap samples; predictions are averaged."
    }
}

impl FittedModel for RandomForestClassifier {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        predict_classes("RandomForestClassifier", &self.trees, self.n_features, self.n_classes, x)
    }
    fn inspect(&self, names: &[String]) -> Inspection {
        ensemble_inspection(&self.trees, names, Ensemble::Forest { oob_score: self.oob_score }, false)
    }
    fn importances(&self) -> Option<Importances> {
        Some(ensemble_importances(&self.trees, self.n_features, Ensemble::Forest { oob_score: self.oob_score }))
    }
    fn validate(&self) -> Result<()> {
        validate_ensemble("RandomForestClassifier", &self.trees, self.n_features, self.n_classes.max(1), true)
    }
}

impl FittedModel for RandomForestRegressor {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        Ok(Output::Values(predict_values("RandomForestRegressor", &self.trees, self.n_features, x)?))
    }
    fn inspect(&self, names: &[String]) -> Inspection {
        ensemble_inspection(&self.trees, names, Ensemble::Forest { oob_score: self.oob_score }, false)
    }
    fn importances(&self) -> Option<Importances> {
        Some(ensemble_importances(&self.trees, self.n_features, Ensemble::Forest { oob_score: self.oob_score }))
    }
    fn validate(&self) -> Result<()> {
        validate_ensemble("RandomForestRegressor", &self.trees, self.n_features, 1, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs(n: usize, p: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let y: Vec<usize> = (0..n).map(|i| i % 3).collect();
        let x = Array2::from_shape_fn((n, p), |(i, j)| if j < 2 { y[i] as f64 * 2.0 + rng.random_range(-1.5..1.5) } else { rng.random_range(-1.0..1.0) });
        (x, y)
    }

    #[test]
    fn deterministic_given_seed_and_learns() {
        let (x, y) = blobs(300, 5, 0);
        let t = Target::Classes { y: y.clone(), n_classes: 3 };
        let p = RandomForestClassifierParams { n_estimators: 20, oob_score: true, random_state: Some(3), ..Default::default() };
        let a = p.fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        let b = p.fit(&x, Some(&t), &FitContext::new(99)).unwrap();
        assert_eq!(a, b, "random_state fixes the forest");
        a.validate().unwrap();
        let c = RandomForestClassifierParams { random_state: Some(4), ..p.clone() }.fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        assert_ne!(a, c);
        let oob = a.oob_score.unwrap();
        assert!(oob > 0.8, "oob {oob}");
        let Output::Classes { labels, proba } = a.predict(&x).unwrap() else { panic!() };
        let acc = labels.iter().zip(&y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64;
        assert!(acc > 0.95);
        for row in proba.unwrap().rows() {
            assert!((row.sum() - 1.0).abs() < 1e-9);
        }
        let imp = a.importances().unwrap().values;
        assert!(imp[0] > imp[4]);
        let facts = a.inspect(&[]).facts;
        assert!(facts.iter().any(|(k, v)| *k == "oob_score" && v.as_f64() == Some(oob)));
    }

    #[test]
    fn regressor_fits_and_scores_oob() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let x = Array2::from_shape_fn((200, 3), |_| rng.random_range(0.0..1.0));
        let y: Vec<f64> = x.rows().into_iter().map(|r| 3.0 * r[0] + r[1] * r[1]).collect();
        let p = RandomForestRegressorParams { n_estimators: 30, oob_score: true, random_state: Some(0), ..Default::default() };
        let m = p.fit(&x, Some(&Target::Values(y.clone())), &FitContext::new(0)).unwrap();
        m.validate().unwrap();
        assert!(m.oob_score.unwrap() > 0.8, "{:?}", m.oob_score);
        let Output::Values(v) = m.predict(&x).unwrap() else { panic!() };
        assert_eq!(v.len(), 200);
    }

    #[test]
    fn parameter_errors() {
        let (x, y) = blobs(30, 2, 0);
        let t = Target::Classes { y, n_classes: 3 };
        let ctx = FitContext::new(0);
        assert!(RandomForestClassifierParams { n_estimators: 0, ..Default::default() }.fit(&x, Some(&t), &ctx).is_err());
        assert!(RandomForestClassifierParams { bootstrap: false, oob_score: true, ..Default::default() }.fit(&x, Some(&t), &ctx).is_err());
        // Without bootstrap and with all features every tree is the same up to tie-breaking.
        let m = RandomForestClassifierParams { n_estimators: 3, bootstrap: false, max_features: None, ..Default::default() }.fit(&x, Some(&t), &ctx).unwrap();
        assert_eq!(m.trees.len(), 3);
        let mut bad = m.clone();
        bad.trees[1].n_features = 7;
        assert!(bad.validate().is_err());
        let mut empty = m;
        empty.trees.clear();
        assert!(empty.validate().is_err());
    }

    /// Rough timing: RandomForestClassifier(100, max_depth=10) on 20,000 × 20.
    /// `cargo test --lib models::forest -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn timing_20k_by_20() {
        let n = 20_000;
        let p = 20;
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let x = Array2::from_shape_fn((n, p), |_| rng.random_range(-1.0..1.0));
        let y: Vec<usize> = x.rows().into_iter().map(|r| (r[0] + r[1] * r[2] + 0.3 * r[3] > 0.0) as usize).collect();
        let t = Target::Classes { y, n_classes: 2 };
        let params = RandomForestClassifierParams { n_estimators: 100, max_depth: Some(10), random_state: Some(0), ..Default::default() };
        // CPU time of this thread (the machine is shared; wall time is not meaningful).
        let cpu =
            || std::fs::read_to_string("/proc/thread-self/schedstat").ok().and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok()).unwrap_or(0.0) / 1e9;
        let c0 = cpu();
        let start = std::time::Instant::now();
        let m = params.fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        let fit = start.elapsed();
        let c1 = cpu();
        let start = std::time::Instant::now();
        m.predict(&x).unwrap();
        let c2 = cpu();
        eprintln!(
            "RandomForestClassifier(100, max_depth=10) 20000x20: fit {:.2}s wall / {:.2}s cpu, predict {:.3}s wall / {:.3}s cpu, {} nodes",
            fit.as_secs_f64(),
            c1 - c0,
            start.elapsed().as_secs_f64(),
            c2 - c1,
            m.trees.iter().map(Tree::n_nodes).sum::<usize>()
        );
    }
}
