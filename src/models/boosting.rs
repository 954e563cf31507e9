//! Gradient boosting with regression trees, as scikit-learn's
//! `GradientBoostingRegressor` (squared error) and `GradientBoostingClassifier`
//! (log loss: one tree per stage for two classes, one per class and stage for more).
//!
//! Each stage fits a tree (the shared CART builder, criterion friedman_mse) to
//! the negative gradient; for log loss the leaf values are then replaced by a
//! Newton step `Σ(y−p) / Σ p(1−p)` (× (K−1)/K for K > 2 classes), exactly as
//! scikit-learn's `_update_terminal_regions`. Predictions are
//! `init + learning_rate · Σ tree(x)`. The initial raw score is the mean target
//! (regression), the log-odds of the class prior (binary) or the centred log
//! priors (multinomial).

use ndarray::Array2;
use rand::seq::index::sample;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::tree::{build_tree, check_finite, normalized, ColMajor, Labels, MaxFeatures, RegCriterion, Tree, TreeConfig};
use super::{check_fit, check_n_features};
use crate::estimator::class_target;
use crate::estimator::{FitContext, FittedModel, ImportanceKind, Importances, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::numeric::{argmax, rows_of, sigmoid, softmax};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RegLoss {
    #[default]
    SquaredError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClassLoss {
    #[default]
    LogLoss,
}

macro_rules! gb_params {
    ($name:ident, $loss:ty) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            pub loss: $loss,
            pub learning_rate: f64,
            pub n_estimators: usize,
            pub subsample: f64,
            pub criterion: RegCriterion,
            pub min_samples_split: usize,
            pub min_samples_leaf: usize,
            pub max_depth: Option<usize>,
            pub min_impurity_decrease: f64,
            pub max_features: Option<MaxFeatures>,
            pub random_state: Option<u64>,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    loss: Default::default(),
                    learning_rate: 0.1,
                    n_estimators: 100,
                    subsample: 1.0,
                    criterion: RegCriterion::FriedmanMse,
                    min_samples_split: 2,
                    min_samples_leaf: 1,
                    max_depth: Some(3),
                    min_impurity_decrease: 0.0,
                    max_features: None,
                    random_state: None,
                }
            }
        }

        impl $name {
            fn config(&self, model: &str, p: usize) -> Result<TreeConfig> {
                if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
                    return Err(Error::param(model, "learning_rate", format!("must be a positive number, got {}", self.learning_rate)));
                }
                if self.n_estimators == 0 || self.n_estimators > 100_000 {
                    return Err(Error::param(model, "n_estimators", format!("must be between 1 and 100000, got {}", self.n_estimators)));
                }
                if !(self.subsample > 0.0 && self.subsample <= 1.0) {
                    return Err(Error::param(model, "subsample", format!("must be in (0, 1], got {}", self.subsample)));
                }
                TreeConfig::new(
                    model,
                    self.criterion.into(),
                    self.max_depth,
                    self.min_samples_split,
                    self.min_samples_leaf,
                    self.max_features,
                    self.min_impurity_decrease,
                    p,
                )
            }
        }
    };
}

gb_params!(GradientBoostingRegressorParams, RegLoss);
gb_params!(GradientBoostingClassifierParams, ClassLoss);

fn gb_schema(classifier: bool) -> Vec<ParamInfo> {
    let loss = if classifier {
        ParamInfo::new("loss", "choice", json!("log_loss"), "Loss to minimize (log loss: probabilities as logistic regression).").choices(&["log_loss"])
    } else {
        ParamInfo::new("loss", "choice", json!("squared_error"), "Loss to minimize.").choices(&["squared_error"])
    };
    vec![
        loss,
        ParamInfo::new("learning_rate", "float", json!(0.1), "Shrinks each tree's contribution; smaller needs more trees.").range(Some(1e-6), Some(10.0)),
        ParamInfo::new("n_estimators", "int", json!(100), "Number of boosting stages.").range(Some(1.0), Some(100000.0)),
        ParamInfo::new("subsample", "float", json!(1.0), "Fraction of rows drawn (without replacement) for each stage; < 1 is stochastic boosting.")
            .range(Some(1e-6), Some(1.0)),
        ParamInfo::new("criterion", "choice", json!("friedman_mse"), "Split quality of the stage trees.").choices(&["friedman_mse", "squared_error"]),
        ParamInfo::new("max_depth", "int_or_null", json!(3), "Depth of each stage tree.").range(Some(1.0), Some(100.0)),
        ParamInfo::new("min_samples_split", "int", json!(2), "A node needs at least this many samples to be split.").range(Some(2.0), None),
        ParamInfo::new("min_samples_leaf", "int", json!(1), "Every leaf keeps at least this many samples.").range(Some(1.0), None),
        ParamInfo::new("min_impurity_decrease", "float", json!(0.0), "Split only if the impurity decreases by at least this much.").range(Some(0.0), None),
        ParamInfo::new("max_features", "string", json!(null), "Features examined per split: null (all), \"sqrt\", \"log2\", an int or a float fraction."),
        ParamInfo::new("random_state", "int_or_null", json!(null), "Seed for subsampling and the feature order; null uses the pipeline seed."),
    ]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradientBoostingRegressor {
    pub n_features: usize,
    pub init: f64,
    pub learning_rate: f64,
    pub trees: Vec<Tree>,
    /// Training mean squared error after each stage.
    pub train_score: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradientBoostingClassifier {
    pub n_features: usize,
    pub n_classes: usize,
    /// Initial raw scores: one (binary) or one per class.
    pub init: Vec<f64>,
    pub learning_rate: f64,
    /// Stage `m` holds one tree (binary) or one per class.
    pub stages: Vec<Vec<Tree>>,
    /// Training log loss after each stage.
    pub train_score: Vec<f64>,
}

/// The rows of stage `m`: all, or a subsample without replacement.
fn stage_rows(n: usize, subsample: f64, rng: &mut ChaCha8Rng, out: &mut Vec<usize>, in_bag: &mut [bool]) {
    out.clear();
    if subsample >= 1.0 {
        out.extend(0..n);
        in_bag.iter_mut().for_each(|b| *b = true);
        return;
    }
    let k = ((subsample * n as f64) as usize).clamp(1, n);
    in_bag.iter_mut().for_each(|b| *b = false);
    for i in sample(rng, n, k).into_iter() {
        in_bag[i] = true;
    }
    out.extend((0..n).filter(|&i| in_bag[i]));
}

/// Predicts a boosted classifier (gradient boosting and histogram gradient boosting): the raw
/// score per class is `init` plus `learning_rate` × each stage's leaf value (one tree per class
/// per stage, one tree for two classes), turned into probabilities by the sigmoid (two classes)
/// or the softmax, and the label is the most probable class.
pub(crate) fn boosted_classes(
    model: &str,
    stages: &[Vec<Tree>],
    init: &[f64],
    learning_rate: f64,
    n_classes: usize,
    n_features: usize,
    x: &Array2<f64>,
) -> Result<Output> {
    check_n_features(model, n_features, x)?;
    let n = x.nrows();
    let p = n_features;
    let kc = n_classes.max(1);
    if kc == 1 {
        return Ok(Output::Classes { labels: vec![0; n], proba: Some(Array2::from_elem((n, 1), 1.0)) });
    }
    let k = init.len();
    let data = rows_of(x);
    let mut raw: Vec<f64> = (0..n).flat_map(|_| init.iter().copied()).collect();
    for stage in stages {
        for (c, tree) in stage.iter().enumerate() {
            for i in 0..n {
                raw[i * k + c] += learning_rate * tree.node_value(tree.leaf(&data[i * p..(i + 1) * p]))[0];
            }
        }
    }
    let mut proba = Array2::<f64>::zeros((n, kc));
    let mut buf = vec![0.0; kc];
    for i in 0..n {
        if k == 1 {
            let p1 = sigmoid(raw[i]);
            proba[[i, 0]] = 1.0 - p1;
            proba[[i, 1]] = p1;
        } else {
            softmax(&raw[i * k..(i + 1) * k], &mut buf);
            for c in 0..kc {
                proba[[i, c]] = buf[c];
            }
        }
    }
    let labels = (0..n).map(|i| argmax(proba.row(i).as_slice().expect("a row of a standard-layout array is contiguous"))).collect();
    Ok(Output::Classes { labels, proba: Some(proba) })
}

fn gb_importances(trees: &[&Tree], p: usize) -> Vec<f64> {
    let relevant: Vec<&&Tree> = trees.iter().filter(|t| t.n_nodes() > 1).collect();
    let mut acc = vec![0.0; p];
    for t in &relevant {
        for (a, v) in acc.iter_mut().zip(t.raw_importances()) {
            *a += v;
        }
    }
    normalized(acc)
}

impl ModelParams for GradientBoostingRegressorParams {
    type Fitted = GradientBoostingRegressor;
    fn task(&self) -> Task {
        Task::Regression
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<GradientBoostingRegressor> {
        const M: &str = "GradientBoostingRegressor";
        check_fit(M, x)?;
        check_finite(M, x)?;
        let y = super::tree::regression_target(M, y)?;
        let (n, p) = x.dim();
        let cfg = self.config(M, p)?;
        let xt = ColMajor::new(x);
        let data = rows_of(x);
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed_for(self.random_state));
        let init = y.iter().sum::<f64>() / n as f64;
        let mut raw = vec![init; n];
        let mut resid = vec![0.0; n];
        let mut rows = Vec::with_capacity(n);
        let mut in_bag = vec![true; n];
        let mut trees = Vec::with_capacity(self.n_estimators);
        let mut train_score = Vec::with_capacity(self.n_estimators);
        let lr = self.learning_rate;
        for _ in 0..self.n_estimators {
            // The lender's stop flag (the CLI's Ctrl-C) is asked between stages.
            ctx.check_stop()?;
            for i in 0..n {
                resid[i] = y[i] - raw[i];
            }
            stage_rows(n, self.subsample, &mut rng, &mut rows, &mut in_bag);
            let tree = build_tree(&xt, p, Labels::Values(&resid), None, &mut rows, &cfg, &mut rng);
            let mut mse = 0.0;
            for i in 0..n {
                raw[i] += lr * tree.node_value(tree.leaf(&data[i * p..(i + 1) * p]))[0];
                mse += (y[i] - raw[i]).powi(2);
            }
            train_score.push(mse / n as f64);
            trees.push(tree);
        }
        Ok(GradientBoostingRegressor { n_features: p, init, learning_rate: lr, trees, train_score })
    }
    fn schema() -> Vec<ParamInfo> {
        gb_schema(false)
    }
    fn help() -> &'static str {
        "Gradient boosting: shallow regression trees added one after another, each correcting the errors of the sum so far."
    }
}

impl ModelParams for GradientBoostingClassifierParams {
    type Fitted = GradientBoostingClassifier;
    fn task(&self) -> Task {
        Task::Classification
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<GradientBoostingClassifier> {
        const M: &str = "GradientBoostingClassifier";
        check_fit(M, x)?;
        check_finite(M, x)?;
        let (y, n_classes) = class_target(M, y)?;
        let (n, p) = x.dim();
        let cfg = self.config(M, p)?;
        let lr = self.learning_rate;
        if n_classes < 2 {
            return Ok(GradientBoostingClassifier { n_features: p, n_classes, init: vec![0.0], learning_rate: lr, stages: vec![], train_score: vec![] });
        }
        let k = if n_classes == 2 { 1 } else { n_classes };
        let xt = ColMajor::new(x);
        let data = rows_of(x);
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed_for(self.random_state));
        // Priors, clipped to [eps, 1-eps] as scikit-learn's fit_intercept_only.
        let eps = f64::EPSILON;
        let mut prior = vec![0.0; n_classes];
        for &c in y {
            prior[c] += 1.0 / n as f64;
        }
        let prior: Vec<f64> = prior.iter().map(|&q| q.clamp(eps, 1.0 - eps)).collect();
        let init: Vec<f64> = if k == 1 {
            vec![(prior[1] / (1.0 - prior[1])).ln()]
        } else {
            let logs: Vec<f64> = prior.iter().map(|q| q.ln()).collect();
            let mean = logs.iter().sum::<f64>() / k as f64;
            logs.iter().map(|l| l - mean).collect()
        };
        let mut raw: Vec<f64> = (0..n).flat_map(|_| init.iter().copied()).collect();
        let mut prob = vec![0.0; n * k];
        let mut resid = vec![0.0; n];
        let mut rows = Vec::with_capacity(n);
        let mut in_bag = vec![true; n];
        let mut leaf_of = vec![0usize; n];
        let mut stages = Vec::with_capacity(self.n_estimators);
        let mut train_score = Vec::with_capacity(self.n_estimators);
        let factor = if k == 1 { 1.0 } else { (k as f64 - 1.0) / k as f64 };
        for _ in 0..self.n_estimators {
            // The lender's stop flag (the CLI's Ctrl-C) is asked between stages.
            ctx.check_stop()?;
            // Probabilities at the start of the stage (shared by the K trees).
            for i in 0..n {
                if k == 1 {
                    prob[i] = sigmoid(raw[i]);
                } else {
                    softmax(&raw[i * k..(i + 1) * k], &mut prob[i * k..(i + 1) * k]);
                }
            }
            stage_rows(n, self.subsample, &mut rng, &mut rows, &mut in_bag);
            let mut stage = Vec::with_capacity(k);
            for c in 0..k {
                let target_class = if k == 1 { 1 } else { c };
                for i in 0..n {
                    resid[i] = (y[i] == target_class) as u8 as f64 - prob[i * k + c];
                }
                let mut tree = build_tree(&xt, p, Labels::Values(&resid), None, &mut rows, &cfg, &mut rng);
                // Newton step per leaf over the in-bag rows.
                let nn = tree.n_nodes();
                let mut num = vec![0.0; nn];
                let mut den = vec![0.0; nn];
                for i in 0..n {
                    let leaf = tree.leaf(&data[i * p..(i + 1) * p]);
                    leaf_of[i] = leaf;
                    if in_bag[i] {
                        let pr = prob[i * k + c];
                        num[leaf] += resid[i];
                        den[leaf] += pr * (1.0 - pr);
                    }
                }
                for node in 0..nn {
                    if tree.is_leaf(node) {
                        tree.value[node] = if den[node].abs() < 1e-150 { 0.0 } else { factor * num[node] / den[node] };
                    }
                }
                for i in 0..n {
                    raw[i * k + c] += lr * tree.value[leaf_of[i]];
                }
                stage.push(tree);
            }
            // Training log loss after the stage.
            let mut loss = 0.0;
            for i in 0..n {
                let pr = if k == 1 {
                    let p1 = sigmoid(raw[i]);
                    if y[i] == 1 {
                        p1
                    } else {
                        1.0 - p1
                    }
                } else {
                    let row = &raw[i * k..(i + 1) * k];
                    let m = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                    let s: f64 = row.iter().map(|&r| (r - m).exp()).sum();
                    (row[y[i]] - m).exp() / s
                };
                loss -= pr.max(1e-300).ln();
            }
            train_score.push(loss / n as f64);
            stages.push(stage);
        }
        Ok(GradientBoostingClassifier { n_features: p, n_classes, init, learning_rate: lr, stages, train_score })
    }
    fn schema() -> Vec<ParamInfo> {
        gb_schema(true)
    }
    fn help() -> &'static str {
        "Gradient boosting for classes: shallow trees added stage by stage on the log-loss gradient."
    }
}

impl GradientBoostingRegressor {
    fn raw(&self, x: &Array2<f64>) -> Result<Vec<f64>> {
        check_n_features("GradientBoostingRegressor", self.n_features, x)?;
        let n = x.nrows();
        let p = self.n_features;
        let data = rows_of(x);
        let mut out = vec![self.init; n];
        for tree in &self.trees {
            for (i, o) in out.iter_mut().enumerate() {
                *o += self.learning_rate * tree.node_value(tree.leaf(&data[i * p..(i + 1) * p]))[0];
            }
        }
        Ok(out)
    }
}

impl FittedModel for GradientBoostingRegressor {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        Ok(Output::Values(self.raw(x)?))
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        Inspection::default()
            .fact("n_estimators", self.trees.len())
            .fact("init", self.init)
            .fact("learning_rate", self.learning_rate)
            .fact("train_score", &self.train_score)
    }
    fn importances(&self) -> Option<Importances> {
        let trees: Vec<&Tree> = self.trees.iter().collect();
        Some(Importances { kind: ImportanceKind::Impurity, values: gb_importances(&trees, self.n_features) })
    }
    fn validate(&self) -> Result<()> {
        const M: &str = "GradientBoostingRegressor";
        if !self.init.is_finite() || !self.learning_rate.is_finite() {
            return Err(Error::ModelFile(format!("{M}: init and learning_rate must be finite")));
        }
        for t in &self.trees {
            t.validate(M)?;
            if t.n_features != self.n_features || t.n_outputs != 1 {
                return Err(Error::ModelFile(format!("{M}: a tree's shape does not match the model")));
            }
        }
        Ok(())
    }
}

impl FittedModel for GradientBoostingClassifier {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        boosted_classes("GradientBoostingClassifier", &self.stages, &self.init, self.learning_rate, self.n_classes, self.n_features, x)
    }
    fn inspect(&self, _names: &[String]) -> Inspection {
        Inspection::default()
            .fact("n_estimators", self.stages.len())
            .fact("trees_per_stage", self.init.len())
            .fact("init", &self.init)
            .fact("learning_rate", self.learning_rate)
            .fact("train_score", &self.train_score)
    }
    fn importances(&self) -> Option<Importances> {
        let trees: Vec<&Tree> = self.stages.iter().flatten().collect();
        Some(Importances { kind: ImportanceKind::Impurity, values: gb_importances(&trees, self.n_features) })
    }
    fn validate(&self) -> Result<()> {
        const M: &str = "GradientBoostingClassifier";
        let k = if self.n_classes <= 2 { 1 } else { self.n_classes };
        if self.init.len() != k || self.init.iter().any(|v| !v.is_finite()) || !self.learning_rate.is_finite() {
            return Err(Error::ModelFile(format!("{M}: init must hold {k} finite raw score(s)")));
        }
        if self.n_classes < 2 && !self.stages.is_empty() {
            return Err(Error::ModelFile(format!("{M}: a one-class model has no stages")));
        }
        for stage in &self.stages {
            if stage.len() != k {
                return Err(Error::ModelFile(format!("{M}: each stage must hold {k} tree(s)")));
            }
            for t in stage {
                t.validate(M)?;
                if t.n_features != self.n_features || t.n_outputs != 1 {
                    return Err(Error::ModelFile(format!("{M}: a tree's shape does not match the model")));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn regressor_reduces_training_error_and_is_deterministic() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let x = Array2::from_shape_fn((300, 4), |_| rng.random_range(-1.0..1.0));
        let y: Vec<f64> = x.rows().into_iter().map(|r| (3.0_f64 * r[0]).sin() + r[1] * r[2]).collect();
        let t = Target::Values(y.clone());
        let p = GradientBoostingRegressorParams { random_state: Some(1), ..Default::default() };
        let m = p.fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        m.validate().unwrap();
        assert!(m.train_score.windows(2).all(|w| w[1] <= w[0] + 1e-12));
        let var = {
            let mean = y.iter().sum::<f64>() / y.len() as f64;
            y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / y.len() as f64
        };
        assert!(*m.train_score.last().unwrap() < 0.1 * var);
        assert_eq!(m, p.fit(&x, Some(&t), &FitContext::new(5)).unwrap());
        let sub = GradientBoostingRegressorParams { subsample: 0.5, n_estimators: 20, ..p.clone() }.fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        sub.validate().unwrap();
        // One stage with learning_rate 1 and squared error is a plain regression tree on y - mean.
        let one = GradientBoostingRegressorParams { n_estimators: 1, learning_rate: 1.0, ..p }.fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        let Output::Values(v) = one.predict(&x).unwrap() else { panic!() };
        assert_eq!(v.len(), 300);
    }

    #[test]
    fn binary_and_multiclass_classifier() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let x = Array2::from_shape_fn((240, 3), |_| rng.random_range(-1.0..1.0));
        for k in [2usize, 3] {
            let y: Vec<usize> = x
                .rows()
                .into_iter()
                .map(|r| {
                    if r[0] + 0.5 * r[1] > 0.3 {
                        1
                    } else if k == 3 && r[2] > 0.0 {
                        2
                    } else {
                        0
                    }
                })
                .collect();
            let t = Target::Classes { y: y.clone(), n_classes: k };
            let m = GradientBoostingClassifierParams { n_estimators: 50, random_state: Some(0), ..Default::default() }
                .fit(&x, Some(&t), &FitContext::new(0))
                .unwrap();
            m.validate().unwrap();
            assert_eq!(m.stages[0].len(), if k == 2 { 1 } else { k });
            assert!(m.train_score.last().unwrap() < &m.train_score[0]);
            let Output::Classes { labels, proba } = m.predict(&x).unwrap() else { panic!() };
            let acc = labels.iter().zip(&y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64;
            assert!(acc > 0.9, "k={k} acc={acc}");
            for r in proba.unwrap().rows() {
                assert!((r.sum() - 1.0).abs() < 1e-9);
            }
            let mut bad = m.clone();
            bad.init.push(0.0);
            assert!(bad.validate().is_err());
        }
    }

    #[test]
    fn binary_init_is_prior_log_odds() {
        let x = Array2::from_shape_fn((4, 1), |(i, _)| i as f64);
        let t = Target::Classes { y: vec![0, 1, 1, 1], n_classes: 2 };
        let m = GradientBoostingClassifierParams { n_estimators: 1, ..Default::default() }.fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        assert!((m.init[0] - 3f64.ln()).abs() < 1e-12);
        // A class absent from the training rows gets a tiny probability, not NaN.
        let t3 = Target::Classes { y: vec![0, 1, 1, 1], n_classes: 3 };
        let m3 = GradientBoostingClassifierParams { n_estimators: 3, ..Default::default() }.fit(&x, Some(&t3), &FitContext::new(0)).unwrap();
        let Output::Classes { proba, .. } = m3.predict(&x).unwrap() else { panic!() };
        let pr = proba.unwrap();
        assert!(pr.iter().all(|v| v.is_finite()));
        assert!(pr[[0, 2]] < 1e-6);
    }

    #[test]
    fn parameter_errors() {
        let x = Array2::from_shape_fn((4, 1), |(i, _)| i as f64);
        let t = Target::Values(vec![1.0, 2.0, 3.0, 4.0]);
        let ctx = FitContext::new(0);
        for p in [
            GradientBoostingRegressorParams { learning_rate: 0.0, ..Default::default() },
            GradientBoostingRegressorParams { subsample: 1.5, ..Default::default() },
            GradientBoostingRegressorParams { n_estimators: 0, ..Default::default() },
            GradientBoostingRegressorParams { max_depth: Some(0), ..Default::default() },
        ] {
            assert!(matches!(p.fit(&x, Some(&t), &ctx), Err(Error::Param { .. })));
        }
        assert!(serde_json::from_str::<GradientBoostingRegressorParams>(r#"{"loss": "huber"}"#).is_err());
    }
}
