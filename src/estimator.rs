//! The contracts every step and model implements, in the spirit of
//! scikit-learn's (construction stores parameters, `fit` validates and learns,
//! learned state lives in a separate *fitted* type) and linfa's (params type →
//! fitted type, so an unfitted model has no `predict`).
//!
//! - [`StepParams`] → [`FittedTransform`] for preprocessing / feature steps (on a [`Frame`]).
//! - [`ModelParams`] → [`FittedModel`] for estimators (on a row-major `Array2<f64>`).
//!
//! Registries in [`crate::pipeline::registry`] list every implementation once;
//! the spec enums, the parameter schemas for the page and the invariant test
//! suite are all generated from that list.

use std::cell::RefCell;

use ndarray::Array2;
use serde::{de::DeserializeOwned, Serialize};

use crate::frame::Frame;
use crate::{Error, Result};

/// The learning task, decided by the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Regression,
    Classification,
    Clustering,
}

/// The target as models see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Regression values.
    Values(Vec<f64>),
    /// Class indices `0..n_classes` (into the pipeline's sorted class labels).
    Classes { y: Vec<usize>, n_classes: usize },
}

impl Target {
    pub fn len(&self) -> usize {
        match self {
            Target::Values(v) => v.len(),
            Target::Classes { y, .. } => y.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn select(&self, rows: &[usize]) -> Target {
        // Every row in order (the pipeline's kept rows when none is missing): a copy instead of
        // a gather (2 % of the PCA benchmark's profile).
        if crate::data::every_row(rows, self.len()) {
            return self.clone();
        }
        match self {
            Target::Values(v) => Target::Values(rows.iter().map(|&r| v[r]).collect()),
            Target::Classes { y, n_classes } => Target::Classes { y: rows.iter().map(|&r| y[r]).collect(), n_classes: *n_classes },
        }
    }
}

/// What a model predicts for a batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Values(Vec<f64>),
    /// Class indices, and class probabilities (rows sum to 1) when the model has them.
    Classes {
        labels: Vec<usize>,
        proba: Option<Array2<f64>>,
    },
    /// Cluster labels; -1 marks noise (DBSCAN).
    Clusters(Vec<i64>),
}

/// Context handed to every fit: the seed, the threads it may use and a sink
/// for warnings a user should see.
#[derive(Debug, Default)]
pub struct FitContext {
    /// Seed for every random choice of this fit (derived from `random_state`).
    pub seed: u64,
    /// Threads a model may use for its independent parts (forest trees, k-means
    /// restarts; `crate::parallel`); the result does not depend on it. 1 = sequential.
    threads: usize,
    /// The lender's stop flag (the CLI's Ctrl-C; `crate::parallel::Lend`).
    stop: Option<&'static std::sync::atomic::AtomicBool>,
    /// The lent part of the pipeline's model (`crate::parallel::Lend::part`), and
    /// whether it applies now: only while the pipeline fits its model
    /// ([`FitContext::model_part`]), not a step's inner estimator.
    part: Option<(usize, usize)>,
    part_armed: std::cell::Cell<bool>,
    warnings: RefCell<Vec<String>>,
}

/// While alive, the lent part applies ([`FitContext::model_part`]).
pub struct ModelPart<'a>(&'a FitContext);

impl Drop for ModelPart<'_> {
    fn drop(&mut self) {
        self.0.part_armed.set(false);
    }
}

impl FitContext {
    /// A sequential fit.
    pub fn new(seed: u64) -> Self {
        FitContext::with_threads(seed, 1)
    }
    /// A fit that may use up to `threads` threads (at least 1), or what a
    /// [`crate::parallel::Lend`] lends: threads and a stop flag.
    pub fn with_threads(seed: u64, lend: impl Into<crate::parallel::Lend>) -> Self {
        let lend = lend.into();
        FitContext { seed, threads: lend.threads.max(1), stop: lend.stop, part: lend.part, part_armed: Default::default(), warnings: RefCell::new(Vec::new()) }
    }
    /// Whether the lender asked the fit to stop.
    pub fn stopped(&self) -> bool {
        crate::parallel::Lend { threads: self.threads, stop: self.stop, part: None }.stopped()
    }
    /// `Err(Cancelled)` once the lender asked the fit to stop: long fits ask
    /// between their independent parts (trees, stages, restarts).
    pub fn check_stop(&self) -> crate::Result<()> {
        if self.stopped() {
            Err(crate::Error::Cancelled)
        } else {
            Ok(())
        }
    }
    pub fn threads(&self) -> usize {
        self.threads.max(1)
    }
    /// Records a warning once (the same text twice is kept once).
    pub fn warn(&self, w: impl Into<String>) {
        let w = w.into();
        let mut ws = self.warnings.borrow_mut();
        if !ws.contains(&w) {
            ws.push(w);
        }
    }
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.warnings.borrow_mut())
    }
    /// Makes the lent part apply to the fits until the guard drops: the pipeline
    /// arms it around its model's fit only, so a forest inside a step
    /// (SelectFromModel) always grows every tree.
    pub fn model_part(&self) -> ModelPart<'_> {
        self.part_armed.set(true);
        ModelPart(self)
    }
    /// The pieces `[from, to)` of its independent pieces a model fits now (a
    /// forest's trees, KMeans' restarts; `None`: all of them). See [`crate::parallel::Lend::part`].
    pub fn part(&self) -> Option<(usize, usize)> {
        self.part.filter(|_| self.part_armed.get())
    }
    /// The seed for a component: its own `random_state` when given, else the pipeline's.
    pub fn seed_for(&self, random_state: Option<u64>) -> u64 {
        random_state.unwrap_or(self.seed)
    }
}

/// One parameter of a step or model, described for generated forms and docs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParamInfo {
    pub name: &'static str,
    /// "float", "int", "bool", "choice", "string", "float_or_null", "int_or_null", "list"
    pub kind: &'static str,
    pub default: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<&'static str>,
    pub help: &'static str,
}

impl ParamInfo {
    pub fn new(name: &'static str, kind: &'static str, default: serde_json::Value, help: &'static str) -> Self {
        ParamInfo { name, kind, default, min: None, max: None, choices: Vec::new(), help }
    }
    pub fn range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.min = min;
        self.max = max;
        self
    }
    pub fn choices(mut self, c: &[&'static str]) -> Self {
        self.kind = "choice";
        self.choices = c.to_vec();
        self
    }
}

/// Parameters of a transformer step (serde: scikit-learn's names and defaults).
pub trait StepParams: Default + Clone + Serialize + DeserializeOwned {
    type Fitted: FittedTransform;
    /// Learns from `x` (and `y` for supervised steps). Validates parameters first.
    fn fit(&self, x: &Frame, y: Option<&Target>, ctx: &FitContext) -> Result<Self::Fitted>;
    /// Whether [`fit_transform`](Self::fit_transform)'s frame is `transform` of the fitted step on
    /// the same rows (the default method). A step that overrides `fit_transform` otherwise (cross
    /// fitting, dropping rows) sets it to `false`: cross-validation then rebuilds the training
    /// rows' frame to score them instead of reusing the fit's (`pipeline::fit_keeping`).
    const FIT_TRANSFORM_IS_TRANSFORM: bool = true;
    /// Fits and transforms the training rows. Steps that drop training rows
    /// (outlier removal) return the kept row indices.
    fn fit_transform(&self, x: &Frame, y: Option<&Target>, ctx: &FitContext) -> Result<(Self::Fitted, Frame, Option<Vec<usize>>)> {
        let fitted = self.fit(x, y, ctx)?;
        let out = fitted.transform(x)?;
        Ok((fitted, out, None))
    }
    fn schema() -> Vec<ParamInfo>;
    /// One-line description for the palette.
    fn help() -> &'static str;
}

/// What a decomposition step (PCA, TruncatedSVD, LDA) explains of its input, one entry per output component.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainedVariance {
    pub ratio: Vec<f64>,
    /// The variance itself, when the step has it (not LDA).
    pub variance: Option<Vec<f64>>,
}

/// A fitted transformer step.
pub trait FittedTransform: Clone + Serialize + DeserializeOwned {
    fn transform(&self, x: &Frame) -> Result<Frame>;
    /// [`FittedTransform::transform`] then [`Frame::to_matrix`]: the row-major result a caller
    /// wanting rows takes (the same values and errors). The decompositions write it in the
    /// projection's pass, without the output frame.
    fn transform_matrix(&self, x: &Frame) -> Result<Array2<f64>> {
        self.transform(x)?.to_matrix()
    }
    /// Decompositions: the variance their components explain (the preview draws their first two); `None` otherwise.
    fn explained_variance(&self) -> Option<ExplainedVariance> {
        None
    }
    /// Checks internal consistency after loading from a file.
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// Parameters of a model.
pub trait ModelParams: Default + Clone + Serialize + DeserializeOwned {
    type Fitted: FittedModel;
    fn task(&self) -> Task;
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<Self::Fitted>;
    /// [`ModelParams::fit`] on the input's columns (`n` rows each, every value finite unless
    /// [`ModelParams::fit_columns_scans`]), for a model that reads columns anyway: the
    /// pipeline then skips the row-major copy of the frame. The same model as `fit` on the
    /// matrix of these columns. `None`: no such path for these data (the pipeline builds the
    /// matrix and calls `fit`).
    fn fit_columns(&self, _cols: &[&[f64]], _n: usize, _y: Option<&Target>, _ctx: &FitContext) -> Option<Result<Self::Fitted>> {
        None
    }
    /// Whether [`ModelParams::fit_columns`] may return `Some`: the pipeline then checks the
    /// columns first; otherwise it checks them while it builds the matrix (one pass less).
    fn may_fit_columns(&self) -> bool {
        false
    }
    /// Whether [`ModelParams::fit_columns`] takes the columns unscanned (values may be NaN or
    /// infinite) because its own first pass over them shows that every value is finite, and
    /// returns `None` when it cannot: the pipeline then scans them (the error names the
    /// column and row) and fits the matrix. One pass over the data less.
    fn fit_columns_scans(&self) -> bool {
        false
    }
    fn schema() -> Vec<ParamInfo>;
    fn help() -> &'static str;
    /// Whether the model takes missing values (NaN) in its input matrix
    /// natively; every other model gets a clear "add a SimpleImputer" error.
    fn accepts_missing(&self) -> bool {
        false
    }
}

/// How a model's feature importances were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportanceKind {
    /// Mean decrease in impurity, normalized to sum 1 (trees, forests, gradient boosting).
    Impurity,
    /// Total split gain, normalized to sum 1 (histogram gradient boosting).
    SplitGain,
    /// |coef| (linear models; summed or averaged over classes as the model says).
    AbsCoef,
}

impl ImportanceKind {
    /// The name the page and the inspection JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportanceKind::Impurity => "impurity",
            ImportanceKind::SplitGain => "split_gain",
            ImportanceKind::AbsCoef => "abs_coef",
        }
    }
}

/// Per-feature importances of a fitted model (one value per input column).
#[derive(Debug, Clone, PartialEq)]
pub struct Importances {
    pub kind: ImportanceKind,
    pub values: Vec<f64>,
}

impl Importances {
    /// |coef| of a single-output linear model.
    pub fn abs_coef(coef: &[f64]) -> Self {
        Importances { kind: ImportanceKind::AbsCoef, values: coef.iter().map(|c| c.abs()).collect() }
    }
}

/// Coefficients of a linear model: one row (regression; binary classification, scoring the
/// second class) or one per class, each with one value per input column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coefficients {
    pub rows: Vec<Vec<f64>>,
    /// One per row.
    pub intercepts: Vec<f64>,
    /// The class indices the rows refer to when the model saw only some classes (LinearSVC);
    /// `None` = all classes in order.
    pub classes: Option<Vec<usize>>,
}

/// A single decision tree, depth-limited for display: nodes `{id, feature, feature_index, threshold,
/// impurity, samples, weighted_samples, value, class (classifier), left, right, truncated}`.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeView {
    pub root: serde_json::Value,
    pub depth: usize,
    pub depth_shown: usize,
    pub n_leaves: usize,
    /// Whether nodes carry a `class` (index) the page labels with the class name.
    pub classifier: bool,
}

/// What a fitted model shows of itself (see [`FittedModel::inspect`]); `crate::inspect` names
/// the classes and features and gives the page its shape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inspection {
    pub coefficients: Option<Coefficients>,
    pub tree: Option<TreeView>,
    /// Clustering models with centres: one per cluster, in feature space.
    pub cluster_centers: Vec<Vec<f64>>,
    /// Scalars worth a line each (n_iter, alpha, oob_score, …); nulls are left out of the view.
    pub facts: Vec<(&'static str, serde_json::Value)>,
    /// Structured details the page does not draw (per-class statistics, support-vector pairs, cluster sizes).
    pub details: Vec<(&'static str, serde_json::Value)>,
}

impl Inspection {
    /// Adds a fact (anything serializable; a value that does not serialize is left out).
    pub fn fact(mut self, name: &'static str, value: impl Serialize) -> Self {
        if let Ok(v) = serde_json::to_value(value) {
            self.facts.push((name, v));
        }
        self
    }
    /// Adds a structured detail.
    pub fn detail(mut self, name: &'static str, value: impl Serialize) -> Self {
        if let Ok(v) = serde_json::to_value(value) {
            self.details.push((name, v));
        }
        self
    }
}

/// A fitted model.
pub trait FittedModel: Clone + Serialize + DeserializeOwned {
    fn n_features(&self) -> usize;
    fn predict(&self, x: &Array2<f64>) -> Result<Output>;
    /// [`FittedModel::predict`] from the input's columns (`n` rows each, checked as for the
    /// matrix), bit for bit the same output, for a model that can skip the row-major copy.
    /// `None`: no such path (the pipeline builds the matrix and calls `predict`).
    fn predict_columns(&self, _cols: &[&[f64]], _n: usize) -> Option<Result<Output>> {
        None
    }
    /// What a learner wants to see (coefficients, a tree, centres, facts); nothing by default.
    fn inspect(&self, _feature_names: &[String]) -> Inspection {
        Inspection::default()
    }
    /// Per-feature importances (`SelectFromModel`, the page's importance chart); none by default.
    fn importances(&self) -> Option<Importances> {
        None
    }
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    /// See [`ModelParams::accepts_missing`].
    fn accepts_missing(&self) -> bool {
        false
    }
    /// Clustering models: the cluster of every training row (scikit-learn's `labels_`; -1 = noise).
    fn training_labels(&self) -> Option<&[i64]> {
        None
    }
    /// k-means: the within-cluster sum of squares of the training rows.
    fn inertia(&self) -> Option<f64> {
        None
    }
    /// Whether the model labels some rows noise (-1) rather than a cluster (DBSCAN).
    fn labels_noise(&self) -> bool {
        false
    }
}

/// The class indices and class count of a classifier's target; a clear error
/// naming `model` when the target is numeric or missing.
pub fn class_target<'a>(model: &str, y: Option<&'a Target>) -> Result<(&'a [usize], usize)> {
    match y {
        Some(Target::Classes { y, n_classes }) => Ok((y, *n_classes)),
        Some(Target::Values(_)) => Err(Error::data(format!("{model} is a classifier but the target is numeric and continuous; pick a regressor"))),
        None => Err(Error::data(format!("{model} needs a target column"))),
    }
}

/// Class indices of a classification target, checked against the row count.
pub fn class_target_for<'a>(step: &str, y: Option<&'a Target>, n: usize) -> Result<&'a [usize]> {
    match y {
        Some(Target::Classes { y, .. }) if y.len() == n => Ok(y),
        Some(Target::Classes { y, .. }) => Err(Error::data(format!("{step}: the target has {} rows but the features have {n}", y.len()))),
        Some(Target::Values(_)) => Err(Error::data(format!("{step} needs a class target but the target is numeric and continuous; use a regression score (f_regression, mutual_info_regression) or a classifier"))),
        None => Err(Error::data(format!("{step} is supervised and needs a target column"))),
    }
}

/// The values of a regression target, checked against the row count.
pub fn value_target_for<'a>(step: &str, y: Option<&'a Target>, n: usize) -> Result<&'a [f64]> {
    match y {
        Some(Target::Values(v)) if v.len() == n => Ok(v),
        Some(Target::Values(v)) => Err(Error::data(format!("{step}: the target has {} rows but the features have {n}", v.len()))),
        Some(Target::Classes { .. }) => Err(Error::data(format!(
            "{step} needs a numeric target but the target is categorical; use a classification score (f_classif, chi2, mutual_info_classif)"
        ))),
        None => Err(Error::data(format!("{step} is supervised and needs a target column"))),
    }
}
