//! `pipelab export --format sklearn`: the exported script, run by the pinned
//! scikit-learn (PIPELAB_PYTHON, default ~/.cache/pipelab/venv-interop/bin/python),
//! gives the per-fold scores `pipelab cv` gives.
//!
//! Every case writes its script, and two Python processes run all the scripts
//! (one import of scikit-learn each) while pipelab cross-validates the same
//! specs. Deterministic pipelines must agree per fold to rel 1e-6 on every
//! metric (and on n_rows, n_features_out, the splitter and the hold-out
//! scores); seeded forests/boosting within the oracle's `accept_range`; a few
//! iterative or approximate ones within the tolerance stated in the case. The
//! table covers the oracle's pipelines and every step and model.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use pipelab::api;
use pipelab::data::{read_csv, ReadOptions, Table};
use pipelab::pipeline::PipelineSpec;
use pipelab::selection::cv::CvHooks;
use serde_json::Value;

#[derive(Clone, Copy, Debug)]
enum Check {
    /// Every fold of every metric to rel 1e-6.
    Exact,
    /// Every fold of every metric within this absolute difference.
    Abs(f64),
    /// The mean of `metric` from the script inside the oracle entry's accept range
    /// (`results.<key>.accept_range`), and within the range's width of pipelab's mean.
    Oracle(&'static str, &'static str, &'static str),
    /// The mean of every metric within this relative difference (stochastic pipelines
    /// with no oracle range: pipelab's generator is not numpy's).
    Mean(f64),
    /// Clustering: every metric pipelab reports within this relative difference.
    Cluster(f64),
}

struct Case {
    name: &'static str,
    data: &'static str,
    spec: String,
    check: Check,
}

fn case(name: &'static str, data: &'static str, spec: &str, check: Check) -> Case {
    Case { name, data, spec: spec.to_string(), check }
}

const TITANIC_DROP: &str = r#""target": "survived", "drop": ["passenger_id", "name"]"#;

fn titanic(pre: &str, steps: &str, model: &str, extra: &str) -> String {
    format!(r#"{{{TITANIC_DROP}, "preprocess": {pre}, "steps": [{steps}], "model": {model}{extra}}}"#)
}

/// The titanic ColumnTransformer of the oracle's d entry, with `num` and `cat` branch steps.
fn titanic_pre(num: &str, cat: &str) -> String {
    format!(
        r#"{{"transformers": [
        {{"name": "num", "columns": {{"dtype": "numeric"}}, "steps": [{num}]}},
        {{"name": "bool", "columns": {{"dtype": "boolean"}}}},
        {{"name": "cat", "columns": {{"dtype": "categorical"}}, "steps": [{cat}]}}]}}"#
    )
}

fn simple(target: &str, steps: &str, model: &str, extra: &str) -> String {
    format!(r#"{{"target": "{target}", "steps": [{steps}], "model": {model}{extra}}}"#)
}

const STD: &str = r#"{"StandardScaler": {}}"#;
const LR: &str = r#"{"LogisticRegression": {"max_iter": 1000}}"#;
const IMPUTE_OHE: &str = r#"{"SimpleImputer": {"strategy": "most_frequent"}}, {"OneHotEncoder": {"handle_unknown": "ignore"}}"#;

fn cases() -> Vec<Case> {
    use Check::*;
    let scoring_binary = r#", "scoring": ["accuracy", "balanced_accuracy", "precision", "recall", "f1", "f1_micro", "precision_macro", "recall_weighted", "f1_weighted", "matthews_corrcoef", "roc_auc", "average_precision", "log_loss", "brier_score"]"#;
    let scoring_multi = r#", "scoring": ["accuracy", "f1_macro", "precision_weighted", "recall_micro", "roc_auc", "roc_auc_ovr_weighted", "roc_auc_ovo", "log_loss", "matthews_corrcoef"]"#;
    let scoring_reg = r#", "scoring": ["mse", "rmse", "mae", "median_ae", "mape", "max_error", "r2", "explained_variance"]"#;
    let kfold = r#", "cv": {"KFold": {"n_splits": 5}}"#;
    vec![
        // ---- the oracle's pipelines (tests/fixtures/reference_shared.json)
        case(
            "a_diabetes_poly2_linreg",
            "diabetes",
            &simple("target", &format!(r#"{STD}, {{"PolynomialFeatures": {{"degree": 2}}}}"#), r#"{"LinearRegression": {}}"#, r#", "scoring": ["rmse", "r2"]"#),
            Exact,
        ),
        case(
            "b_iris_std_logreg",
            "iris",
            &simple("species", STD, r#"{"LogisticRegression": {"C": 1.0, "max_iter": 1000}}"#, r#", "scoring": ["accuracy", "f1_macro", "roc_auc"]"#),
            Exact,
        ),
        case(
            "b_breast_cancer_std_logreg",
            "breast_cancer",
            &simple("diagnosis", STD, r#"{"LogisticRegression": {"C": 1.0, "max_iter": 1000}}"#, r#", "scoring": ["accuracy", "f1_macro", "roc_auc"]"#),
            Exact,
        ),
        case("c_diabetes_std_ridge_alpha1", "diabetes", &simple("target", STD, r#"{"Ridge": {"alpha": 1.0}}"#, ""), Exact),
        case("c_diabetes_std_lasso_alpha0.1", "diabetes", &simple("target", STD, r#"{"Lasso": {"alpha": 0.1}}"#, ""), Exact),
        case(
            "d_titanic_impute_onehot_logreg",
            "titanic_like",
            &format!(
                r#"{{{TITANIC_DROP}, "preprocess": {{"transformers": [
                {{"name": "age_mean", "columns": {{"names": ["age"]}}, "steps": [{{"SimpleImputer": {{"strategy": "mean"}}}}]}},
                {{"name": "fare_median", "columns": {{"names": ["fare"]}}, "steps": [{{"SimpleImputer": {{"strategy": "median"}}}}]}},
                {{"name": "counts_most_frequent", "columns": {{"names": ["sibsp", "parch"]}}, "steps": [{{"SimpleImputer": {{"strategy": "most_frequent"}}}}]}},
                {{"name": "passthrough", "columns": {{"names": ["pclass", "has_cabin"]}}}},
                {{"name": "cat", "columns": {{"names": ["sex", "embarked"]}}, "steps": [{IMPUTE_OHE}]}}]}},
                "model": {{"LogisticRegression": {{"C": 1.0, "max_iter": 1000}}}}, "cv": {{"StratifiedKFold": {{"n_splits": 5}}}}, "scoring": ["accuracy"]}}"#
            ),
            Exact,
        ),
        case("e_wine_std_pca2_logreg", "wine", &simple("class", &format!(r#"{STD}, {{"PCA": {{"n_components": 2}}}}"#), LR, ""), Exact),
        case(
            "g_iris_decision_tree_d4",
            "iris",
            &simple("species", "", r#"{"DecisionTreeClassifier": {"max_depth": 4, "random_state": 0}}"#, ""),
            Oracle("g_iris_decision_tree_d4", "over_seeds", "accuracy"),
        ),
        case(
            "g_wine_decision_tree_d4",
            "wine",
            &simple("class", "", r#"{"DecisionTreeClassifier": {"max_depth": 4, "random_state": 0}}"#, ""),
            Oracle("g_wine_decision_tree_d4", "over_seeds", "accuracy"),
        ),
        case(
            "g_breast_cancer_decision_tree_d4",
            "breast_cancer",
            &simple("diagnosis", "", r#"{"DecisionTreeClassifier": {"max_depth": 4, "random_state": 0}}"#, ""),
            Oracle("g_breast_cancer_decision_tree_d4", "over_seeds", "accuracy"),
        ),
        case(
            "g_titanic_like_decision_tree_d4",
            "titanic_like",
            &titanic(
                &titanic_pre(r#"{"SimpleImputer": {"strategy": "median"}}"#, IMPUTE_OHE),
                "",
                r#"{"DecisionTreeClassifier": {"max_depth": 4, "random_state": 0}}"#,
                "",
            ),
            Oracle("g_titanic_like_decision_tree_d4", "over_seeds", "accuracy"),
        ),
        case(
            "g_iris_random_forest_100",
            "iris",
            &simple("species", "", r#"{"RandomForestClassifier": {"n_estimators": 100, "random_state": 0}}"#, ""),
            Oracle("g_iris_random_forest_100", "over_seeds", "accuracy"),
        ),
        case(
            "g_wine_random_forest_100",
            "wine",
            &simple("class", "", r#"{"RandomForestClassifier": {"n_estimators": 100, "random_state": 0}}"#, ""),
            Oracle("g_wine_random_forest_100", "over_seeds", "accuracy"),
        ),
        case(
            "g_breast_cancer_random_forest_100",
            "breast_cancer",
            &simple("diagnosis", "", r#"{"RandomForestClassifier": {"n_estimators": 100, "random_state": 0}}"#, ""),
            Oracle("g_breast_cancer_random_forest_100", "over_seeds", "accuracy"),
        ),
        case(
            "g_titanic_like_random_forest_100",
            "titanic_like",
            &titanic(
                &titanic_pre(r#"{"SimpleImputer": {"strategy": "median"}}"#, IMPUTE_OHE),
                "",
                r#"{"RandomForestClassifier": {"n_estimators": 100, "random_state": 0}}"#,
                "",
            ),
            Oracle("g_titanic_like_random_forest_100", "over_seeds", "accuracy"),
        ),
        case(
            "g_diabetes_gbr_100_d3",
            "diabetes",
            &simple("target", "", r#"{"GradientBoostingRegressor": {"n_estimators": 100, "max_depth": 3, "random_state": 0}}"#, kfold),
            Oracle("g_diabetes_gbr_100_d3", "r2_over_seeds", "r2"),
        ),
        case(
            "g_housing_like_gbr_100_d3",
            "housing_like",
            &format!(
                r#"{{"target": "price", "preprocess": {{"transformers": [
                {{"name": "num", "columns": {{"dtype": "numeric"}}, "steps": [{{"SimpleImputer": {{"strategy": "median"}}}}]}},
                {{"name": "cat", "columns": {{"names": ["neighborhood"]}}, "steps": [{{"SimpleImputer": {{"strategy": "most_frequent"}}}}, {{"OneHotEncoder": {{}}}}]}}]}},
                "model": {{"GradientBoostingRegressor": {{"n_estimators": 100, "max_depth": 3, "random_state": 0}}}}{kfold}}}"#
            ),
            Oracle("g_housing_like_gbr_100_d3", "r2_over_seeds", "r2"),
        ),
        case("h_iris_gaussian_nb", "iris", &simple("species", "", r#"{"GaussianNB": {}}"#, ""), Exact),
        case("h_wine_std_knn5", "wine", &simple("class", STD, r#"{"KNeighborsClassifier": {"n_neighbors": 5}}"#, ""), Exact),
        case("h_iris_linear_svc", "iris", &simple("species", "", r#"{"LinearSVC": {"C": 1.0}}"#, r#", "scoring": ["accuracy"]"#), Exact),
        case("h_wine_std_linear_svc", "wine", &simple("class", STD, r#"{"LinearSVC": {"C": 1.0}}"#, r#", "scoring": ["accuracy"]"#), Exact),
        case(
            "i_breast_cancer_std_logreg_C0.1",
            "breast_cancer",
            &simple("diagnosis", STD, r#"{"LogisticRegression": {"C": 0.1, "max_iter": 1000}}"#, r#", "scoring": ["accuracy"]"#),
            Exact,
        ),
        case(
            "j_wine_kbins_uniform_ordinal",
            "wine",
            &simple("class", r#"{"KBinsDiscretizer": {"n_bins": 5, "encode": "ordinal", "strategy": "uniform"}}"#, LR, ""),
            Exact,
        ),
        case("j_wine_minmax_logreg", "wine", &simple("class", r#"{"MinMaxScaler": {}}"#, LR, ""), Exact),
        case("j_wine_robust_logreg", "wine", &simple("class", r#"{"RobustScaler": {}}"#, LR, ""), Exact),
        case(
            "k_iris_std_lda2_logreg",
            "iris",
            &simple("species", &format!(r#"{STD}, {{"LinearDiscriminantAnalysis": {{"n_components": 2}}}}"#), LR, ""),
            Exact,
        ),
        // ---- every other step
        case(
            "ordinal_encoder_titanic",
            "titanic_like",
            &titanic(
                &titanic_pre(r#"{"SimpleImputer": {}}, {"StandardScaler": {}}"#, r#"{"SimpleImputer": {"strategy": "most_frequent"}}, {"OrdinalEncoder": {}}"#),
                "",
                LR,
                "",
            ),
            Exact,
        ),
        // Titanic's integer columns make equally distant donors common (pipelab takes the earlier row,
        // numpy's argpartition any): the continuous housing columns have none.
        case(
            "knn_imputer_housing",
            "housing_like",
            &format!(
                r#"{{"target": "price", "preprocess": {{"transformers": [
            {{"name": "num", "columns": {{"dtype": "numeric"}}, "steps": [{{"KNNImputer": {{"n_neighbors": 4, "weights": "distance"}}}}, {STD}]}},
            {{"name": "cat", "columns": {{"dtype": "categorical"}}, "steps": [{{"OrdinalEncoder": {{}}}}]}}]}},
            "model": {{"Ridge": {{}}}}}}"#
            ),
            Exact,
        ),
        case(
            "simple_imputer_constant_indicator",
            "titanic_like",
            &titanic(
                &titanic_pre(
                    r#"{"SimpleImputer": {"strategy": "constant", "fill_value": 0, "add_indicator": true}}, {"StandardScaler": {}}"#,
                    r#"{"SimpleImputer": {"strategy": "constant", "fill_value": "missing"}}, {"OneHotEncoder": {"handle_unknown": "ignore", "drop": "if_binary"}}"#,
                ),
                "",
                LR,
                "",
            ),
            Exact,
        ),
        case(
            "target_encoder_no_shuffle",
            "titanic_like",
            &titanic(
                &titanic_pre(
                    r#"{"SimpleImputer": {"strategy": "median"}}, {"StandardScaler": {}}"#,
                    r#"{"SimpleImputer": {"strategy": "most_frequent"}}, {"TargetEncoder": {"shuffle": false}}"#,
                ),
                "",
                LR,
                "",
            ),
            Exact,
        ),
        case(
            "target_encoder_shuffled",
            "titanic_like",
            &titanic(
                &titanic_pre(
                    r#"{"SimpleImputer": {"strategy": "median"}}, {"StandardScaler": {}}"#,
                    r#"{"SimpleImputer": {"strategy": "most_frequent"}}, {"TargetEncoder": {}}"#,
                ),
                "",
                LR,
                "",
            ),
            Exact,
        ),
        case(
            "housing_onehot_min_frequency_remainder",
            "housing_like",
            &format!(
                r#"{{"target": "price", "preprocess": {{"transformers": [
            {{"name": "cat", "columns": {{"dtype": "categorical"}}, "steps": [{{"SimpleImputer": {{"strategy": "most_frequent"}}}}, {{"OneHotEncoder": {{"handle_unknown": "infrequent_if_exist", "min_frequency": 300}}}}]}}],
            "remainder": "passthrough"}}, "steps": [{{"SimpleImputer": {{}}}}, {STD}], "model": {{"Ridge": {{"alpha": 10.0}}}}}}"#
            ),
            Exact,
        ),
        case(
            "wine_maxabs_normalizer",
            "wine",
            &simple("class", r#"{"MaxAbsScaler": {}}, {"Normalizer": {"norm": "l1"}}, {"StandardScaler": {}}"#, LR, ""),
            Exact,
        ),
        case("wine_power_transformer", "wine", &simple("class", r#"{"PowerTransformer": {}}"#, LR, ""), Exact),
        // On raw values: after a scaler, the values lying exactly on a fence (diabetes' s4 has some)
        // fall on either side by the libraries' rounding.
        case(
            "diabetes_outlier_remover_iqr",
            "diabetes",
            &simple(
                "target",
                r#"{"OutlierRemover": {"factor": 1.5}}, {"StandardScaler": {}}, {"PolynomialFeatures": {"degree": 2, "include_bias": false}}"#,
                r#"{"Ridge": {"alpha": 1.0}}"#,
                "",
            ),
            Exact,
        ),
        case(
            "diabetes_scaled_outlier_remover",
            "diabetes",
            &simple("target", r#"{"StandardScaler": {}}, {"OutlierRemover": {"factor": 1.5}}"#, r#"{"Ridge": {"alpha": 1.0}}"#, ""),
            Mean(0.03),
        ),
        case(
            "diabetes_outlier_remover_zscore_first",
            "diabetes",
            &simple("target", r#"{"OutlierRemover": {"method": "zscore", "threshold": 2.5}}"#, r#"{"LinearRegression": {}}"#, scoring_reg),
            Exact,
        ),
        case("wine_kbins_quantile_onehot", "wine", &simple("class", r#"{"KBinsDiscretizer": {"n_bins": 4}}"#, LR, ""), Exact),
        case(
            "wine_kbins_kmeans_ordinal",
            "wine",
            &simple("class", r#"{"KBinsDiscretizer": {"n_bins": 3, "encode": "ordinal", "strategy": "kmeans"}}, {"StandardScaler": {}}"#, LR, ""),
            Exact,
        ),
        case("wine_log1p_function", "wine", &simple("class", r#"{"FunctionTransformer": {"func": "log1p"}}, {"StandardScaler": {}}"#, LR, ""), Exact),
        case(
            "housing_sqrt_function",
            "housing_like",
            &format!(
                r#"{{"target": "price", "drop": ["neighborhood"], "steps": [{{"SimpleImputer": {{}}}}, {{"FunctionTransformer": {{"func": "sqrt"}}}}, {{"FunctionTransformer": {{}}}}, {STD}], "model": {{"Ridge": {{}}}}}}"#
            ),
            Exact,
        ),
        case(
            "wine_variance_kbest_percentile",
            "wine",
            &simple(
                "class",
                r#"{"VarianceThreshold": {"threshold": 0.05}}, {"StandardScaler": {}}, {"SelectKBest": {"k": 8}}, {"SelectPercentile": {"percentile": 50}}"#,
                LR,
                "",
            ),
            Exact,
        ),
        case(
            "diabetes_kbest_f_regression",
            "diabetes",
            &simple("target", r#"{"SelectKBest": {"score_func": "f_regression", "k": 5}}"#, r#"{"LinearRegression": {}}"#, ""),
            Exact,
        ),
        case(
            "breast_cancer_chi2_mutual_info",
            "breast_cancer",
            &simple(
                "diagnosis",
                r#"{"SelectKBest": {"score_func": "chi2", "k": 20}}, {"SelectKBest": {"score_func": "mutual_info_classif", "k": 10}}, {"StandardScaler": {}}"#,
                LR,
                "",
            ),
            Mean(0.03),
        ),
        case(
            "wine_select_from_model",
            "wine",
            &simple("class", r#"{"StandardScaler": {}}, {"SelectFromModel": {"estimator": {"LogisticRegression": {"C": 0.5}}, "threshold": "mean"}}"#, LR, ""),
            Exact,
        ),
        case(
            "breast_cancer_correlation_filter",
            "breast_cancer",
            &simple("diagnosis", r#"{"CorrelationFilter": {"threshold": 0.9}}, {"StandardScaler": {}}"#, LR, scoring_binary),
            Exact,
        ),
        case("wine_truncated_svd", "wine", &simple("class", r#"{"StandardScaler": {}}, {"TruncatedSVD": {"n_components": 5}}"#, LR, ""), Exact),
        case(
            "wine_pca_fraction_whiten",
            "wine",
            &simple("class", r#"{"StandardScaler": {}}, {"PCA": {"n_components": 0.8, "whiten": true}}"#, LR, scoring_multi),
            Exact,
        ),
        // ---- every other model
        case("diabetes_elastic_net", "diabetes", &simple("target", STD, r#"{"ElasticNet": {"alpha": 0.1, "l1_ratio": 0.7}}"#, ""), Exact),
        case(
            "breast_cancer_logreg_balanced",
            "breast_cancer",
            &simple("diagnosis", STD, r#"{"LogisticRegression": {"class_weight": "balanced", "C": 0.3}}"#, scoring_binary),
            Exact,
        ),
        case("iris_std_svc", "iris", &simple("species", STD, r#"{"SVC": {"C": 2.0}}"#, r#", "scoring": ["accuracy", "f1_macro"]"#), Exact),
        case(
            "diabetes_knn_regressor",
            "diabetes",
            &simple("target", STD, r#"{"KNeighborsRegressor": {"n_neighbors": 7, "weights": "distance"}}"#, scoring_reg),
            Exact,
        ),
        case("diabetes_decision_tree_regressor", "diabetes", &simple("target", "", r#"{"DecisionTreeRegressor": {"max_depth": 3}}"#, ""), Exact),
        case(
            "diabetes_random_forest_regressor",
            "diabetes",
            &simple("target", "", r#"{"RandomForestRegressor": {"n_estimators": 50, "max_depth": 6}}"#, ""),
            Mean(0.03),
        ),
        case(
            "breast_cancer_gradient_boosting_classifier",
            "breast_cancer",
            &simple("diagnosis", "", r#"{"GradientBoostingClassifier": {"n_estimators": 50}}"#, r#", "scoring": ["accuracy", "roc_auc"]"#),
            Mean(0.02),
        ),
        case(
            "housing_hist_gradient_boosting_regressor",
            "housing_like",
            r#"{"target": "price", "preprocess": {"transformers": [
            {"name": "num", "columns": {"dtype": "numeric"}, "steps": [{"SimpleImputer": {"strategy": "median"}}]},
            {"name": "cat", "columns": {"names": ["neighborhood"]}, "steps": [{"SimpleImputer": {"strategy": "most_frequent"}}, {"OneHotEncoder": {}}]}]},
            "model": {"HistGradientBoostingRegressor": {"random_state": 0}}, "scoring": ["r2"]}"#,
            Abs(2e-3),
        ),
        case(
            "wine_hist_gradient_boosting_classifier",
            "wine",
            &simple("class", "", r#"{"HistGradientBoostingClassifier": {}}"#, r#", "scoring": ["accuracy"]"#),
            Abs(0.03),
        ),
        case("iris_kmeans", "iris", r#"{"target": "species", "model": {"KMeans": {"n_clusters": 3, "n_init": 10}}}"#, Cluster(1e-6)),
        case("iris_std_dbscan", "iris", &simple("species", STD, r#"{"DBSCAN": {"eps": 0.6, "min_samples": 4}}"#, ""), Cluster(1e-9)),
        case(
            "wine_std_agglomerative",
            "wine",
            &format!(r#"{{"drop": ["class"], "steps": [{STD}], "model": {{"AgglomerativeClustering": {{"n_clusters": 3, "linkage": "average"}}}}}}"#),
            Cluster(1e-9),
        ),
        // ---- splitters and the hold-out part
        case(
            "iris_nb_leave_one_out",
            "iris",
            &simple("species", "", r#"{"GaussianNB": {}}"#, r#", "cv": {"LeaveOneOut": {}}, "scoring": ["accuracy"]"#),
            Exact,
        ),
        case(
            "titanic_group_kfold",
            "titanic_like",
            &titanic(
                &titanic_pre(r#"{"SimpleImputer": {}}, {"StandardScaler": {}}"#, IMPUTE_OHE),
                "",
                LR,
                r#", "cv": {"GroupKFold": {"n_splits": 3, "groups": "pclass"}}"#,
            ),
            Exact,
        ),
        case(
            "diabetes_holdout_no_shuffle",
            "diabetes",
            &simple("target", STD, r#"{"Ridge": {"alpha": 0.5}}"#, r#", "holdout": {"test_size": 0.2, "shuffle": false}, "cv": {"KFold": {"n_splits": 4}}"#),
            Exact,
        ),
        case(
            "iris_shuffled_stratified_kfold",
            "iris",
            &simple("species", STD, LR, r#", "cv": {"StratifiedKFold": {"n_splits": 5, "shuffle": true, "random_state": 3}}"#),
            Exact,
        ),
        case(
            "diabetes_shuffle_split",
            "diabetes",
            &simple("target", STD, r#"{"Ridge": {}}"#, r#", "cv": {"ShuffleSplit": {"n_splits": 6, "test_size": 0.2}}"#),
            Exact,
        ),
        case(
            "wine_repeated_stratified",
            "wine",
            &simple("class", STD, r#"{"GaussianNB": {}}"#, r#", "cv": {"RepeatedStratifiedKFold": {"n_splits": 3, "n_repeats": 2}}"#),
            Exact,
        ),
        case("wine_multiclass_metrics", "wine", &simple("class", STD, LR, scoring_multi), Exact),
        case(
            "breast_cancer_holdout_stratified",
            "breast_cancer",
            &simple("diagnosis", STD, LR, r#", "holdout": {"test_size": 0.25, "stratify": true}"#),
            Mean(0.03),
        ),
    ]
}

fn python() -> PathBuf {
    let p = match std::env::var_os("PIPELAB_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/pipelab/venv-interop/bin/python"),
    };
    assert!(
        p.exists(),
        "no Python for the scikit-learn interop test at {} — run scripts/setup.sh (it makes the pinned venv) or set PIPELAB_PYTHON",
        p.display()
    );
    p
}

fn dataset_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("www/datasets").join(format!("{name}.csv"))
}

fn table(name: &str) -> Table {
    read_csv(&std::fs::read(dataset_path(name)).expect("dataset"), &ReadOptions::default()).expect("dataset parses").0
}

const DRIVER: &str = r#"import contextlib, io, json, runpy, sys, traceback
for job in json.load(open(sys.argv[1])):
    out = io.StringIO()
    sys.argv = [job["script"], "--data", job["data"]]
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(job["script"], run_name="__main__")
        open(job["out"], "w").write(out.getvalue())
    except BaseException:
        open(job["out"] + ".err", "w").write(traceback.format_exc())
"#;

fn rel(a: f64, b: f64) -> f64 {
    if a == b || (a.is_nan() && b.is_nan()) {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs()).max(1e-12)
    }
}

fn folds(v: &Value) -> Vec<f64> {
    v["folds"].as_array().map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()).unwrap_or_default()
}

#[test]
fn exported_scripts_reproduce_pipelab_cv() {
    let py = python();
    let dir = std::env::temp_dir().join(format!("pipelab-export-sklearn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = cases();
    // Write every script; two job lists, balanced.
    let mut jobs: [Vec<Value>; 2] = [vec![], vec![]];
    for (i, c) in cases.iter().enumerate() {
        PipelineSpec::from_json(&c.spec).unwrap_or_else(|e| panic!("{}: spec: {e}", c.name));
        let script = api::export_sklearn(&c.spec).unwrap_or_else(|e| panic!("{}: export: {e}", c.name));
        let path = dir.join(format!("{}.py", c.name));
        std::fs::write(&path, script).unwrap();
        let out = dir.join(format!("{}.json", c.name));
        jobs[i % 2].push(serde_json::json!({"script": path, "data": dataset_path(c.data), "out": out}));
    }
    let children: Vec<_> = jobs
        .iter()
        .enumerate()
        .map(|(k, j)| {
            let list = dir.join(format!("jobs{k}.json"));
            std::fs::write(&list, serde_json::to_string(j).unwrap()).unwrap();
            let driver = dir.join("driver.py");
            std::fs::write(&driver, DRIVER).unwrap();
            Command::new(&py).arg(&driver).arg(&list).env("OMP_NUM_THREADS", "1").env("OPENBLAS_NUM_THREADS", "1").spawn().expect("python starts")
        })
        .collect();
    // pipelab's side while Python runs.
    let now = || 0.0;
    let ours: Vec<Result<Value, String>> = cases
        .iter()
        .map(|c| {
            let t = table(c.data);
            if matches!(c.check, Check::Cluster(_)) {
                api::evaluate_clustering(&t, &c.spec).map(|r| serde_json::to_value(r).unwrap()).map_err(|e| e.to_string())
            } else {
                api::cross_validate(&t, &c.spec, CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None })
                    .map(|r| serde_json::json!({"metrics": r.metrics, "train_metrics": r.train_metrics, "n_rows": r.n_rows, "n_features_out": r.n_features_out, "cv": r.cv, "holdout": r.holdout}))
                    .map_err(|e| e.to_string())
            }
        })
        .collect();
    for mut ch in children {
        assert!(ch.wait().expect("python runs").success(), "the Python driver failed");
    }
    let oracle = support::oracle();
    let mut failures = Vec::new();
    eprintln!("{:<48} {:>12}  check", "pipeline", "max rel diff");
    for (c, ours) in cases.iter().zip(&ours) {
        let ours = match ours {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: pipelab: {e}", c.name));
                continue;
            }
        };
        let out = dir.join(format!("{}.json", c.name));
        let text = match std::fs::read_to_string(&out) {
            Ok(t) => t,
            Err(_) => {
                let err = std::fs::read_to_string(dir.join(format!("{}.json.err", c.name))).unwrap_or_default();
                failures.push(format!("{}: the script failed:\n{err}", c.name));
                continue;
            }
        };
        let theirs: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: script output is not JSON: {e}\n{text}", c.name));
        let mut max_rel: f64 = 0.0;
        let mut fail = |m: String| failures.push(format!("{}: {m}", c.name));
        if let Check::Cluster(tol) = c.check {
            for (k, v) in ours["metrics"].as_object().unwrap() {
                let (a, b) = (v.as_f64().unwrap(), theirs["metrics"][k].as_f64().unwrap_or(f64::NAN));
                max_rel = max_rel.max(rel(a, b));
                if rel(a, b) > tol {
                    fail(format!("{k}: pipelab {a} vs scikit-learn {b}"));
                }
            }
            if ours["cluster_sizes"] != theirs["cluster_sizes"] && tol < 1e-6 {
                fail(format!("cluster sizes {} vs {}", ours["cluster_sizes"], theirs["cluster_sizes"]));
            }
            eprintln!("{:<48} {:>12.2e}  {:?}", c.name, max_rel, c.check);
            continue;
        }
        for key in ["n_rows", "n_features_out", "cv"] {
            if ours[key] != theirs[key] && !matches!(c.check, Check::Mean(_)) {
                fail(format!("{key}: pipelab {} vs scikit-learn {}", ours[key], theirs[key]));
            }
        }
        let metrics = ours["metrics"].as_object().unwrap();
        for (m, v) in metrics {
            let (a, b) = (folds(v), folds(&theirs["metrics"][m]));
            if a.len() != b.len() {
                fail(format!("{m}: {} folds vs {}", a.len(), b.len()));
                continue;
            }
            for (i, (x, y)) in a.iter().zip(&b).enumerate() {
                let r = rel(*x, *y);
                max_rel = max_rel.max(r);
                let bad = match c.check {
                    Check::Exact => r > 1e-6,
                    Check::Abs(tol) => (x - y).abs() > tol,
                    _ => false,
                };
                if bad {
                    fail(format!("{m} fold {}: pipelab {x} vs scikit-learn {y} (rel {r:.2e})", i + 1));
                }
            }
            let (ma, mb) = (v["mean"].as_f64().unwrap(), theirs["metrics"][m]["mean"].as_f64().unwrap_or(f64::NAN));
            match c.check {
                Check::Mean(tol) if rel(ma, mb) > tol || mb.is_nan() => fail(format!("{m} mean: pipelab {ma} vs scikit-learn {mb} (allowed {tol})")),
                Check::Oracle(entry, key, metric) if metric == m => {
                    let r = &oracle["entries"][entry]["results"][key]["accept_range"];
                    let (lo, hi) = (r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
                    if !(lo..=hi).contains(&mb) {
                        fail(format!("scikit-learn's {m} mean {mb} outside the oracle's accept range [{lo}, {hi}]"));
                    }
                    if (ma - mb).abs() > hi - lo {
                        fail(format!("{m} mean: pipelab {ma} vs scikit-learn {mb}, more than the accept range's width {}", hi - lo));
                    }
                }
                _ => {}
            }
        }
        if matches!(c.check, Check::Exact) {
            if let Some(h) = ours["holdout"].as_object() {
                for (m, v) in h["scores"].as_object().unwrap() {
                    let (a, b) = (v.as_f64().unwrap(), theirs["holdout"]["scores"][m].as_f64().unwrap_or(f64::NAN));
                    if rel(a, b) > 1e-6 {
                        fail(format!("holdout {m}: pipelab {a} vs scikit-learn {b}"));
                    }
                }
                if h["n_test"] != theirs["holdout"]["n_test"] {
                    fail(format!("holdout n_test {} vs {}", h["n_test"], theirs["holdout"]["n_test"]));
                }
            }
        }
        eprintln!("{:<48} {:>12.2e}  {:?}", c.name, max_rel, c.check);
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} mismatch(es):\n{}", failures.len(), failures.join("\n"));
}

/// Every step and model of the registry appears in the table above, so each
/// one's generated code is run by scikit-learn.
#[test]
fn the_table_covers_every_step_and_model() {
    let specs: String = cases().iter().map(|c| c.spec.clone()).collect();
    for c in pipelab::pipeline::StepSpec::catalog().iter().chain(pipelab::pipeline::ModelSpec::catalog().iter()) {
        assert!(specs.contains(&format!("\"{}\"", c.name)), "no exported-script case uses {}", c.name);
    }
}

/// The script states where it cannot match pipelab exactly, and a model file exports its spec.
#[test]
fn notes_and_model_files() {
    let spec =
        PipelineSpec::from_json(r#"{"target": "y", "model": {"RandomForestClassifier": {}}, "cv": {"KFold": {"n_splits": 3, "shuffle": true}}}"#).unwrap();
    let notes = pipelab::export::sklearn::export_notes(&spec);
    assert!(notes.iter().any(|n| n.contains("RandomForestClassifier")), "{notes:?}");
    // A shuffled KFold draws numpy's permutation (the same folds): no note; a stratified
    // shuffle split is pipelab's own.
    assert!(!notes.iter().any(|n| n.contains("KFold")), "{notes:?}");
    let script = pipelab::export::sklearn::to_sklearn_script(&spec, Some("data.csv")).unwrap();
    assert!(script.contains("KFold(n_splits=3, shuffle=True, random_state=0)"));
    let sss = PipelineSpec::from_json(r#"{"target": "y", "model": {"Ridge": {}}, "cv": {"StratifiedShuffleSplit": {"n_splits": 3}}}"#).unwrap();
    assert!(pipelab::export::sklearn::export_notes(&sss).iter().any(|n| n.contains("StratifiedShuffleSplit")));
    assert!(script.contains("python pipeline.py --data data.csv"));
    let exact = PipelineSpec::from_json(r#"{"target": "y", "steps": [{"StandardScaler": {}}], "model": {"Ridge": {}}}"#).unwrap();
    assert!(pipelab::export::sklearn::export_notes(&exact).is_empty());
    // A model file holds its spec: its script is the spec's.
    let t = table("iris");
    let spec = r#"{"target": "species", "steps": [{"StandardScaler": {}}], "model": {"GaussianNB": {}}}"#;
    let model = api::fit_model(&t, spec, None).unwrap();
    assert_eq!(api::export_sklearn_model(&model).unwrap(), api::export_sklearn(spec).unwrap());
}

/// The CLI: `pipelab export` writes the facade's script to stdout or a file, from a spec or
/// a model file; an unknown format and conflicting or missing sources are usage errors (exit 2).
#[test]
fn cli_export() {
    let bin = env!("CARGO_BIN_EXE_pipelab");
    let dir = std::env::temp_dir().join(format!("pipelab-export-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = r#"{"target": "species", "steps": [{"StandardScaler": {}}], "model": {"KNeighborsClassifier": {}}}"#;
    let spec_path = dir.join("spec.json");
    std::fs::write(&spec_path, spec).unwrap();
    let want = api::export_sklearn(spec).unwrap();
    let run = |args: &[&str]| Command::new(bin).args(args).output().expect("pipelab runs");
    let out = run(&["export", "--spec", spec_path.to_str().unwrap(), "--format", "sklearn"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
    let py_path = dir.join("pipeline.py");
    let out = run(&["export", "--spec", spec_path.to_str().unwrap(), "--format", "sklearn", "--out", py_path.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&py_path).unwrap(), want);
    // From a model file: the spec it holds.
    let model = api::fit_model(&table("iris"), spec, None).unwrap();
    let model_path = dir.join("model.json");
    std::fs::write(&model_path, model.to_json().unwrap()).unwrap();
    let out = run(&["export", "--model", model_path.to_str().unwrap(), "--format", "sklearn", "--out", "-"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
    for bad in [
        vec!["export", "--spec", spec_path.to_str().unwrap(), "--format", "pmml"],
        vec!["export", "--spec", spec_path.to_str().unwrap(), "--model", model_path.to_str().unwrap(), "--format", "sklearn"],
        vec!["export", "--format", "sklearn"],
    ] {
        let out = run(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
