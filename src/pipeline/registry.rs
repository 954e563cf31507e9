//! The registries: every step and model the spec can name, listed once.
//!
//! Adding a step or model is one line in [`step_registry!`] / [`model_registry!`]
//! invocations below: the spec enum (serde, externally tagged, scikit-learn
//! class names), the fitted enum (for the model file), dispatch, the
//! parameter schema for the page and the invariant test suite all follow.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::estimator::{
    ExplainedVariance, FitContext, FittedModel, FittedTransform, Importances, Inspection, ModelParams, Output, ParamInfo, StepParams, Target, Task,
};
use crate::frame::Frame;
use crate::Result;

/// A step's entry in the catalogue the page builds its palette and forms from.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentInfo {
    pub name: &'static str,
    /// For steps, the stage of the pipeline the page groups its palette by: "imputation" |
    /// "encoding" | "scaling" | "outliers" | "feature_engineering" | "selection" | "reduction".
    /// For models, the task: "classification" | "regression" | "clustering".
    pub group: &'static str,
    pub help: &'static str,
    /// What it does in one short line (the page's pipeline diagram), from `summaries.rs`.
    pub summary: &'static str,
    pub params: Vec<ParamInfo>,
    /// What it does, when to use it, a pitfall (`explain.rs`; a test keeps every entry explained).
    pub explain: Option<&'static super::explain::Explanation>,
}

/// The step and model tables of SPEC.md, as markdown (`pipelab catalog --markdown`);
/// a test keeps SPEC.md equal to it.
pub fn catalog_markdown() -> String {
    fn table(out: &mut String, kind: &str, group: &str, items: &[ComponentInfo]) {
        out.push_str(&format!("| {kind} | {group} | parameters (defaults) | what it does |\n|---|---|---|---|\n"));
        for c in items {
            let params: Vec<String> =
                c.params.iter().map(|p| if p.default.is_null() { format!("`{}`", p.name) } else { format!("`{}`={}", p.name, p.default) }).collect();
            out.push_str(&format!("| `{}` | {} | {} | {} |\n", c.name, c.group, params.join(", "), c.help.replace('|', "\\|")));
        }
    }
    let mut out = String::new();
    table(&mut out, "step", "stage", &StepSpec::catalog());
    out.push('\n');
    table(&mut out, "model", "task", &ModelSpec::catalog());
    out.push('\n');
    out.push_str(&super::explain::markdown_for_catalog());
    out
}

macro_rules! step_registry {
    ($($(#[$attr:meta])* $name:ident => $params:ty, $group:expr;)*) => {
        /// A step as written in the spec: `{"ClassName": {params}}`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum StepSpec { $($(#[$attr])* $name($params),)* }

        /// A fitted step, as stored in the model file.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum FittedStep { $($(#[$attr])* $name(<$params as StepParams>::Fitted),)* }

        impl StepSpec {
            pub fn name(&self) -> &'static str {
                match self { $($(#[$attr])* StepSpec::$name(_) => stringify!($name),)* }
            }
            pub fn fit_transform(&self, x: &Frame, y: Option<&Target>, ctx: &FitContext) -> Result<(FittedStep, Frame, Option<Vec<usize>>)> {
                match self {
                    $($(#[$attr])* StepSpec::$name(p) => {
                        let (f, out, keep) = p.fit_transform(x, y, ctx)?;
                        Ok((FittedStep::$name(f), out, keep))
                    })*
                }
            }
            /// [`StepParams::fit`] only (no transform of the training rows).
            pub fn fit(&self, x: &Frame, y: Option<&Target>, ctx: &FitContext) -> Result<FittedStep> {
                match self {
                    $($(#[$attr])* StepSpec::$name(p) => Ok(FittedStep::$name(p.fit(x, y, ctx)?)),)*
                }
            }
            /// See [`StepParams::FIT_TRANSFORM_IS_TRANSFORM`].
            pub fn fit_transform_is_transform(&self) -> bool {
                match self { $($(#[$attr])* StepSpec::$name(_) => <$params as StepParams>::FIT_TRANSFORM_IS_TRANSFORM,)* }
            }
            /// Every step with its parameter schema, those of the full module included.
            pub fn catalog() -> Vec<ComponentInfo> {
                vec![$(ComponentInfo { name: stringify!($name), group: $group, help: <$params as StepParams>::help(), summary: super::summaries::summary(stringify!($name)), params: <$params as StepParams>::schema(), explain: super::explain::component(stringify!($name)) },)*]
            }
            /// Whether `name` is a step this build can parse and fit (every step unless built
            /// without the `full-components` feature: the page's first module).
            pub fn is_built(name: &str) -> bool {
                match name { $($(#[$attr])* stringify!($name) => true,)* _ => false }
            }
            /// Every step's name, those not in this build included.
            pub const ALL_NAMES: &'static [&'static str] = &[$(stringify!($name)),*];
            /// Every step with default parameters (for the invariant suite).
            // Pushed one by one: a `#[cfg]` entry cannot sit in `vec![...]`.
            #[allow(clippy::vec_init_then_push)]
            pub fn all_defaults() -> Vec<StepSpec> {
                let mut all = Vec::new();
                $($(#[$attr])* all.push(StepSpec::$name(<$params>::default()));)*
                all
            }
        }

        impl FittedStep {
            pub fn name(&self) -> &'static str {
                match self { $($(#[$attr])* FittedStep::$name(_) => stringify!($name),)* }
            }
            pub fn transform(&self, x: &Frame) -> Result<Frame> {
                match self { $($(#[$attr])* FittedStep::$name(f) => f.transform(x),)* }
            }
            /// See [`FittedTransform::transform_matrix`].
            pub fn transform_matrix(&self, x: &Frame) -> Result<Array2<f64>> {
                match self { $($(#[$attr])* FittedStep::$name(f) => f.transform_matrix(x),)* }
            }
            pub fn validate(&self) -> Result<()> {
                match self { $($(#[$attr])* FittedStep::$name(f) => f.validate(),)* }
            }
            /// See [`FittedTransform::explained_variance`].
            pub fn explained_variance(&self) -> Option<ExplainedVariance> {
                match self { $($(#[$attr])* FittedStep::$name(f) => f.explained_variance(),)* }
            }
        }
    };
}

macro_rules! model_registry {
    ($($(#[$attr:meta])* $name:ident => $params:ty, $group:expr;)*) => {
        /// A model as written in the spec: `{"ClassName": {params}}`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum ModelSpec { $($(#[$attr])* $name($params),)* }

        /// A fitted model, as stored in the model file.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum FittedModelEnum { $($(#[$attr])* $name(<$params as ModelParams>::Fitted),)* }

        impl ModelSpec {
            pub fn name(&self) -> &'static str {
                match self { $($(#[$attr])* ModelSpec::$name(_) => stringify!($name),)* }
            }
            pub fn task(&self) -> Task {
                match self { $($(#[$attr])* ModelSpec::$name(p) => p.task(),)* }
            }
            pub fn fit(&self, x: &Array2<f64>, y: Option<&Target>, ctx: &FitContext) -> Result<FittedModelEnum> {
                match self { $($(#[$attr])* ModelSpec::$name(p) => Ok(FittedModelEnum::$name(p.fit(x, y, ctx)?)),)* }
            }
            /// See [`ModelParams::fit_columns`].
            pub fn fit_columns(&self, cols: &[&[f64]], n: usize, y: Option<&Target>, ctx: &FitContext) -> Option<Result<FittedModelEnum>> {
                match self { $($(#[$attr])* ModelSpec::$name(p) => p.fit_columns(cols, n, y, ctx).map(|r| r.map(FittedModelEnum::$name)),)* }
            }
            /// See [`ModelParams::may_fit_columns`].
            pub fn may_fit_columns(&self) -> bool {
                match self { $($(#[$attr])* ModelSpec::$name(p) => p.may_fit_columns(),)* }
            }
            /// See [`ModelParams::fit_columns_scans`].
            pub fn fit_columns_scans(&self) -> bool {
                match self { $($(#[$attr])* ModelSpec::$name(p) => p.fit_columns_scans(),)* }
            }
            /// Every model, those of the full module included (the page lists them all; a
            /// spec naming one the first module lacks moves the page to the full one).
            pub fn catalog() -> Vec<ComponentInfo> {
                vec![$(ComponentInfo { name: stringify!($name), group: $group, help: <$params as ModelParams>::help(), summary: super::summaries::summary(stringify!($name)), params: <$params as ModelParams>::schema(), explain: super::explain::component(stringify!($name)) },)*]
            }
            /// Whether `name` is a model this build can parse and fit (every model unless
            /// built without the `full-components` feature: the page's first module).
            pub fn is_built(name: &str) -> bool {
                match name { $($(#[$attr])* stringify!($name) => true,)* _ => false }
            }
            /// Every model's name, those not in this build included.
            pub const ALL_NAMES: &'static [&'static str] = &[$(stringify!($name)),*];
            /// See [`ModelParams::accepts_missing`].
            pub fn accepts_missing(&self) -> bool {
                match self { $($(#[$attr])* ModelSpec::$name(p) => p.accepts_missing(),)* }
            }
            // Pushed one by one: a `#[cfg]` entry cannot sit in `vec![...]`.
            #[allow(clippy::vec_init_then_push)]
            pub fn all_defaults() -> Vec<ModelSpec> {
                let mut all = Vec::new();
                $($(#[$attr])* all.push(ModelSpec::$name(<$params>::default()));)*
                all
            }
        }

        impl FittedModelEnum {
            pub fn name(&self) -> &'static str {
                match self { $($(#[$attr])* FittedModelEnum::$name(_) => stringify!($name),)* }
            }
            pub fn n_features(&self) -> usize {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.n_features(),)* }
            }
            pub fn predict(&self, x: &Array2<f64>) -> Result<Output> {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.predict(x),)* }
            }
            /// See [`FittedModel::predict_columns`].
            pub fn predict_columns(&self, cols: &[&[f64]], n: usize) -> Option<Result<Output>> {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.predict_columns(cols, n),)* }
            }
            pub fn inspect(&self, names: &[String]) -> Inspection {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.inspect(names),)* }
            }
            /// See [`FittedModel::importances`]: |coef| for linear models (summed over classes,
            /// scikit-learn's `norm_order=1`; LinearSVC averages), `feature_importances_` for tree models.
            pub fn importances(&self) -> Option<Importances> {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.importances(),)* }
            }
            pub fn validate(&self) -> Result<()> {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.validate(),)* }
            }
            pub fn accepts_missing(&self) -> bool {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.accepts_missing(),)* }
            }
            pub fn training_labels(&self) -> Option<&[i64]> {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.training_labels(),)* }
            }
            pub fn inertia(&self) -> Option<f64> {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.inertia(),)* }
            }
            pub fn labels_noise(&self) -> bool {
                match self { $($(#[$attr])* FittedModelEnum::$name(m) => m.labels_noise(),)* }
            }
        }
    };
}

use crate::features::binning::KBinsDiscretizerParams;
use crate::features::decomposition::{LdaParams, PcaParams, TruncatedSvdParams};
use crate::features::function::FunctionTransformerParams;
use crate::features::poly::PolynomialFeaturesParams;
use crate::features::selection::{CorrelationFilterParams, SelectFromModelParams, SelectKBestParams, SelectPercentileParams, VarianceThresholdParams};
use crate::preprocess::encoders::OrdinalEncoderParams;
use crate::preprocess::imputer::SimpleImputerParams;
use crate::preprocess::knn_imputer::KNNImputerParams;
use crate::preprocess::onehot::OneHotEncoderParams;
use crate::preprocess::outliers::OutlierRemoverParams;
use crate::preprocess::scaler::StandardScalerParams;
use crate::preprocess::scalers::{MaxAbsScalerParams, MinMaxScalerParams, NormalizerParams, PowerTransformerParams, RobustScalerParams};
use crate::preprocess::target_encoder::TargetEncoderParams;

// The steps the page's first module has (its default pipeline's and the common encoders and
// scalers); those marked `full-components` are in the lazily loaded module only.
step_registry! {
    SimpleImputer => SimpleImputerParams, "imputation";
    OneHotEncoder => OneHotEncoderParams, "encoding";
    StandardScaler => StandardScalerParams, "scaling";
    PolynomialFeatures => PolynomialFeaturesParams, "feature_engineering";
    #[cfg(feature = "full-components")]
    KNNImputer => KNNImputerParams, "imputation";
    OrdinalEncoder => OrdinalEncoderParams, "encoding";
    #[cfg(feature = "full-components")]
    TargetEncoder => TargetEncoderParams, "encoding";
    MinMaxScaler => MinMaxScalerParams, "scaling";
    RobustScaler => RobustScalerParams, "scaling";
    MaxAbsScaler => MaxAbsScalerParams, "scaling";
    #[cfg(feature = "full-components")]
    Normalizer => NormalizerParams, "scaling";
    #[cfg(feature = "full-components")]
    PowerTransformer => PowerTransformerParams, "scaling";
    #[cfg(feature = "full-components")]
    OutlierRemover => OutlierRemoverParams, "outliers";
    #[cfg(feature = "full-components")]
    KBinsDiscretizer => KBinsDiscretizerParams, "feature_engineering";
    #[cfg(feature = "full-components")]
    FunctionTransformer => FunctionTransformerParams, "feature_engineering";
    #[cfg(feature = "full-components")]
    VarianceThreshold => VarianceThresholdParams, "selection";
    #[cfg(feature = "full-components")]
    SelectKBest => SelectKBestParams, "selection";
    #[cfg(feature = "full-components")]
    SelectPercentile => SelectPercentileParams, "selection";
    #[cfg(feature = "full-components")]
    SelectFromModel => SelectFromModelParams, "selection";
    #[cfg(feature = "full-components")]
    CorrelationFilter => CorrelationFilterParams, "selection";
    #[cfg(feature = "full-components")]
    PCA => PcaParams, "reduction";
    #[cfg(feature = "full-components")]
    TruncatedSVD => TruncatedSvdParams, "reduction";
    #[cfg(feature = "full-components")]
    LinearDiscriminantAnalysis => LdaParams, "reduction";
}

use crate::models::boosting::{GradientBoostingClassifierParams, GradientBoostingRegressorParams};
use crate::models::cluster::agglomerative::AgglomerativeClusteringParams;
use crate::models::cluster::dbscan::DBSCANParams;
use crate::models::cluster::kmeans::KMeansParams;
use crate::models::forest::{RandomForestClassifierParams, RandomForestRegressorParams};
use crate::models::hist_boosting::{HistGradientBoostingClassifierParams, HistGradientBoostingRegressorParams};
use crate::models::knn::{KNeighborsClassifierParams, KNeighborsRegressorParams};
use crate::models::linear::LinearRegressionParams;
use crate::models::linear_cd::{ElasticNetParams, LassoParams, RidgeParams};
use crate::models::logistic::LogisticRegressionParams;
use crate::models::naive_bayes::GaussianNBParams;
use crate::models::svm::{LinearSVCParams, SVCParams};
use crate::models::tree::{DecisionTreeClassifierParams, DecisionTreeRegressorParams};

// The models the page's first module has (the default pipeline's and the common linear
// ones; the decision trees, whose builder the leakage warnings use anyway); the families
// marked `full-components` are in the lazily loaded module only (Cargo.toml, ARCHITECTURE.md).
model_registry! {
    LinearRegression => LinearRegressionParams, "regression";
    LogisticRegression => LogisticRegressionParams, "classification";
    Ridge => RidgeParams, "regression";
    Lasso => LassoParams, "regression";
    ElasticNet => ElasticNetParams, "regression";
    #[cfg(feature = "full-components")]
    LinearSVC => LinearSVCParams, "classification";
    #[cfg(feature = "full-components")]
    SVC => SVCParams, "classification";
    #[cfg(feature = "full-components")]
    KNeighborsClassifier => KNeighborsClassifierParams, "classification";
    #[cfg(feature = "full-components")]
    KNeighborsRegressor => KNeighborsRegressorParams, "regression";
    GaussianNB => GaussianNBParams, "classification";
    #[cfg(feature = "full-components")]
    KMeans => KMeansParams, "clustering";
    #[cfg(feature = "full-components")]
    DBSCAN => DBSCANParams, "clustering";
    #[cfg(feature = "full-components")]
    AgglomerativeClustering => AgglomerativeClusteringParams, "clustering";
    DecisionTreeClassifier => DecisionTreeClassifierParams, "classification";
    DecisionTreeRegressor => DecisionTreeRegressorParams, "regression";
    #[cfg(feature = "full-components")]
    RandomForestClassifier => RandomForestClassifierParams, "classification";
    #[cfg(feature = "full-components")]
    RandomForestRegressor => RandomForestRegressorParams, "regression";
    #[cfg(feature = "full-components")]
    GradientBoostingClassifier => GradientBoostingClassifierParams, "classification";
    #[cfg(feature = "full-components")]
    GradientBoostingRegressor => GradientBoostingRegressorParams, "regression";
    #[cfg(feature = "full-components")]
    HistGradientBoostingClassifier => HistGradientBoostingClassifierParams, "classification";
    #[cfg(feature = "full-components")]
    HistGradientBoostingRegressor => HistGradientBoostingRegressorParams, "regression";
}
