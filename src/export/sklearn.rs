//! A pipeline spec as a readable, runnable scikit-learn (>= 1.5) Python script.
//!
//! The script holds `make_pipeline()` (the `Pipeline`, with its `ColumnTransformer`
//! and every parameter pipelab uses, seeds included), `make_cv()` (the splitter
//! pipelab's `effective_cv` picks), the scorers by pipelab metric name, a CSV
//! reader with pipelab's type inference, and a `__main__` that cross-validates
//! and prints the JSON `pipelab cv` prints. Steps with no scikit-learn class
//! (OutlierRemover, CorrelationFilter, the domain checks of FunctionTransformer)
//! become small commented classes inside the script. Where scikit-learn cannot
//! reproduce pipelab exactly (pipelab's own stratified shuffle splits,
//! bootstraps and random feature choices), the script says so in a `NOTE:`
//! comment; [`export_notes`] lists the same notes.
//!
//! Pure string generation (no I/O), usable natively and in the page.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::sklearn_py as py;
use crate::estimator::Task;
use crate::pipeline::{effective_cv, ColumnSelector, ModelSpec, PipelineSpec, Remainder, StepSpec};
use crate::split::CvSpec;
use crate::Result;

/// The script for `spec`. `data_name` (a file name) only appears in the usage line.
pub fn to_sklearn_script(spec: &PipelineSpec, data_name: Option<&str>) -> Result<String> {
    Ok(Gen::new(spec).script(data_name))
}

/// The `NOTE:`s of the script for `spec`: where scikit-learn's numbers can
/// differ from pipelab's (empty when the script reproduces pipelab exactly, up
/// to floating-point rounding).
pub fn export_notes(spec: &PipelineSpec) -> Vec<String> {
    let mut g = Gen::new(spec);
    g.script(None);
    g.notes
}

struct Gen<'a> {
    spec: &'a PipelineSpec,
    seed: u64,
    /// module -> names imported from it.
    imports: BTreeMap<&'static str, BTreeSet<String>>,
    /// Custom code blocks used, in order of first use.
    blocks: Vec<&'static str>,
    /// Domain-checked functions used (FunctionTransformer).
    functions: BTreeSet<&'static str>,
    notes: Vec<String>,
    /// `functools.partial` is needed (mutual information with a seed).
    uses_partial: bool,
    /// Comment lines for the component being rendered (shown above it in the pipeline).
    pending: Vec<String>,
}

/// One step of a Pipeline: its name, its constructor, comment lines above it.
struct Item {
    name: String,
    expr: String,
    comments: Vec<String>,
}

impl<'a> Gen<'a> {
    fn new(spec: &'a PipelineSpec) -> Self {
        Gen {
            spec,
            seed: spec.seed(),
            imports: BTreeMap::new(),
            blocks: Vec::new(),
            functions: BTreeSet::new(),
            notes: Vec::new(),
            uses_partial: false,
            pending: Vec::new(),
        }
    }

    /// A NOTE (listed in the header) shown above the component being rendered.
    fn note_here(&mut self, n: String) {
        self.pending.push(format!("NOTE: {n}"));
        self.note(n);
    }

    fn take_item(&mut self, name: String, expr: String) -> Item {
        Item { name, expr, comments: std::mem::take(&mut self.pending) }
    }

    fn import(&mut self, module: &'static str, name: &str) {
        self.imports.entry(module).or_default().insert(name.to_string());
    }

    fn block(&mut self, b: &'static str) {
        if !self.blocks.contains(&b) {
            self.blocks.push(b);
        }
    }

    fn note(&mut self, n: String) {
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    fn script(&mut self, data_name: Option<&str>) -> String {
        let task = self.spec.model.task();
        if self.spec.search.is_some() {
            self.note("the spec's `search` is not exported: the script cross-validates the pipeline with the parameters as written (run the search with `pipelab search`, then export its best spec).".into());
        }
        let pipeline = self.make_pipeline();
        let cv = self.make_cv(task);
        self.fixed_imports(task);
        let mut out = String::new();
        out.push_str(&self.header(data_name));
        out.push_str(&self.import_lines());
        out.push('\n');
        out.push_str(&self.constants(task));
        if self.blocks.contains(&py::SINCE) {
            out.push_str("\n\n");
            out.push_str(py::SINCE);
        }
        let customs: Vec<&str> = self.blocks.iter().copied().filter(|b| *b != py::SINCE).collect();
        if !customs.is_empty() || !self.functions.is_empty() {
            out.push_str("\n\n# ---------------------------------------------------------------- steps pipelab has and scikit-learn has not\n");
            for b in customs {
                out.push_str("\n\n");
                out.push_str(b);
            }
            if !self.functions.is_empty() {
                out.push_str("\n\n");
                out.push_str(py::CHECKED);
                for f in &self.functions {
                    let (np_name, domain) = function_domain(f);
                    out.push_str(&format!(
                        "\n\ndef safe_{f}(X):\n    \"\"\"pipelab's FunctionTransformer(func=\"{f}\").\"\"\"\n    return checked({np_name}, X, \"{domain}\")\n"
                    ));
                }
            }
        }
        out.push_str("\n\n# ---------------------------------------------------------------- the pipeline\n\n\n");
        out.push_str(&pipeline);
        out.push_str("\n\n");
        out.push_str(&cv);
        out.push_str("\n\n");
        out.push_str(py::READ_DATA);
        out.push_str("\n\n");
        out.push_str(py::SCORING);
        out.push_str("\n\n");
        out.push_str(py::MAIN);
        out
    }

    fn header(&self, data_name: Option<&str>) -> String {
        let data = data_name.unwrap_or("DATA.csv");
        let spec_json = compact_json(&serde_json::to_value(self.spec).unwrap_or(Value::Null), 0);
        let quoted: String = spec_json.lines().map(|l| format!("    {l}\n")).collect();
        let mut notes = String::new();
        if self.notes.is_empty() {
            notes.push_str("It reproduces pipelab's scores up to floating-point rounding.\n");
        } else {
            notes.push_str("Where scikit-learn cannot reproduce pipelab exactly (search for NOTE):\n");
            for n in &self.notes {
                notes.push_str(&wrap(&format!("- {n}"), 100, "  "));
            }
        }
        format!(
            "#!/usr/bin/env python3\n\"\"\"A pipelab pipeline as a scikit-learn script ({model}).\n\n\
             Written by `pipelab export --format sklearn` (pipelab {version}) from this spec:\n\n{quoted}\n\
             Run it with scikit-learn >= 1.5, pandas and numpy:\n\n    python pipeline.py --data {data}\n\n\
             It reads the CSV as pipelab does, cross-validates the same pipeline with the same splitter and\n\
             prints the JSON `pipelab cv --data {data} --spec SPEC.json` prints. Use make_pipeline() on its own\n\
             to fit and predict. {notes}\"\"\"\n",
            model = self.spec.model.name(),
            version = env!("CARGO_PKG_VERSION"),
            quoted = quoted.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\""),
        )
    }

    fn fixed_imports(&mut self, task: Task) {
        self.import("sklearn.pipeline", "Pipeline");
        self.import("sklearn.model_selection", "cross_validate");
        self.import("sklearn.model_selection", "train_test_split");
        for m in [
            "make_scorer",
            "accuracy_score",
            "balanced_accuracy_score",
            "matthews_corrcoef",
            "roc_auc_score",
            "average_precision_score",
            "log_loss",
            "brier_score_loss",
            "mean_squared_error",
            "root_mean_squared_error",
            "mean_absolute_error",
            "median_absolute_error",
            "mean_absolute_percentage_error",
            "max_error",
            "r2_score",
            "explained_variance_score",
            "precision_score",
            "recall_score",
            "f1_score",
        ] {
            self.import("sklearn.metrics", m);
        }
        if task == Task::Clustering {
            for m in ["silhouette_score", "davies_bouldin_score", "calinski_harabasz_score", "adjusted_rand_score", "normalized_mutual_info_score"] {
                self.import("sklearn.metrics", m);
            }
            self.import("sklearn.cluster", "DBSCAN");
        }
    }

    fn import_lines(&self) -> String {
        let mut out = String::from("import argparse\nimport json\nimport re\nimport warnings\n");
        if !self.uses_partial {
            out.push('\n');
        } else {
            out.push_str("from functools import partial\n\n");
        }
        out.push_str("import numpy as np\nimport pandas as pd\n");
        if self.blocks.contains(&py::SINCE) {
            out.push_str("import sklearn\n");
        }
        let base: Vec<&str> = self
            .blocks
            .iter()
            .flat_map(|b| {
                if *b == py::OUTLIER_REMOVER {
                    vec!["BaseEstimator", "MetaEstimatorMixin", "clone"]
                } else if *b == py::CORRELATION_FILTER {
                    vec!["BaseEstimator", "TransformerMixin"]
                } else {
                    vec![]
                }
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !base.is_empty() {
            out.push_str(&format!("from sklearn.base import {}\n", base.join(", ")));
        }
        for (module, names) in &self.imports {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let line = format!("from {module} import {}", names.join(", "));
            if line.len() <= 100 {
                out.push_str(&line);
                out.push('\n');
            } else {
                out.push_str(&format!("from {module} import (\n"));
                for n in names {
                    out.push_str(&format!("    {n},\n"));
                }
                out.push_str(")\n");
            }
        }
        out
    }

    fn constants(&self, task: Task) -> String {
        let target = match &self.spec.target {
            Some(t) => py_str(t),
            None => "None".into(),
        };
        let drop = py_list(&self.spec.drop.iter().map(|d| py_str(d)).collect::<Vec<_>>());
        let types: Vec<String> = self.spec.types.iter().map(|(k, v)| format!("{}: {}", py_str(k), py_str(v.as_str()))).collect();
        let scoring: Vec<String> = self.scoring(task).iter().map(|s| py_str(s)).collect();
        let holdout = match &self.spec.holdout {
            None => "None".to_string(),
            Some(h) => format!(
                "{{\"test_size\": {}, \"shuffle\": {}, \"stratify\": {}, \"random_state\": {}}}",
                py_num(h.test_size),
                py_bool(h.shuffle),
                py_bool(h.stratify),
                h.random_state.unwrap_or(self.seed)
            ),
        };
        let groups = match effective_cv(self.spec, task).group_column() {
            Some(g) => py_str(g),
            None => "None".into(),
        };
        let task_name = match task {
            Task::Classification => "classification",
            Task::Regression => "regression",
            Task::Clustering => "clustering",
        };
        format!(
            "TARGET = {target}  # the column to predict\n\
             DROP = {drop}  # columns that are not features\n\
             TYPES = {{{}}}  # column type overrides (\"numeric\" | \"categorical\" | \"boolean\")\n\
             TASK = \"{task_name}\"\n\
             SCORING = {}  # pipelab metric names\n\
             ROC_AUC_IF_BINARY = {}  # no scoring in the spec: pipelab's defaults, plus roc_auc for two classes\n\
             HOLDOUT = {holdout}  # the test part held out before cross-validation (train_test_split)\n\
             GROUPS = {groups}  # the column whose rows stay together (GroupKFold)\n",
            types.join(", "),
            py_list(&scoring),
            py_bool(task == Task::Classification && self.spec.scoring.is_empty()),
        )
    }

    fn scoring(&self, task: Task) -> Vec<String> {
        if task == Task::Clustering {
            return vec![];
        }
        if self.spec.scoring.is_empty() {
            crate::metrics::default_scoring(task)
        } else {
            self.spec.scoring.clone()
        }
    }

    // ------------------------------------------------------------ the pipeline

    fn make_pipeline(&mut self) -> String {
        let spec: &'a PipelineSpec = self.spec;
        let mut body = String::new();
        let mut uses_types = false;
        let mut top: Vec<Item> = Vec::new();
        if let Some(ct) = &spec.preprocess {
            self.import("sklearn.compose", "ColumnTransformer");
            let mut branches = String::new();
            for t in &ct.transformers {
                let cols = match &t.columns {
                    ColumnSelector::Dtype(ty) => {
                        uses_types = true;
                        format!("columns_of_type({})", py_str(ty.as_str()))
                    }
                    ColumnSelector::Names(names) => py_list(&names.iter().map(|n| py_str(n)).collect::<Vec<_>>()),
                };
                let trans = if t.steps.is_empty() {
                    "\"passthrough\"".to_string()
                } else {
                    let mut items = Vec::new();
                    for (n, s) in named(&t.steps) {
                        let e = self.step(s);
                        items.push(self.take_item(n, e));
                    }
                    pipeline_expr(&items)
                };
                branches.push_str(&format!("({}, {}, {}),\n", py_str(&t.name), trans, cols));
            }
            let remainder = match ct.remainder {
                Remainder::Drop => "drop",
                Remainder::Passthrough => "passthrough",
            };
            body.push_str(&format!(
                "    preprocess = ColumnTransformer(\n        [\n{}        ],\n        remainder=\"{remainder}\",\n    )\n",
                indent_all(&branches, 12)
            ));
            top.push(Item { name: "preprocess".into(), expr: "preprocess".into(), comments: vec![] });
        }
        let model = self.model(&spec.model);
        let model = self.take_item("model".into(), model);
        let rest = self.assemble(&spec.steps, model);
        top.extend(rest);
        let mut doc = String::from("    \"\"\"The pipelab pipeline as a scikit-learn Pipeline.");
        if uses_types {
            doc.push_str(
                "\n\n    `column_types` maps every feature column to its pipelab type (\"numeric\", \"categorical\" or\n    \"boolean\", see read_data); the ColumnTransformer's {\"dtype\": ...} selectors pick columns by it.\n    \"\"\"\n\n    def columns_of_type(kind):\n        return [name for name, t in column_types.items() if t == kind]\n\n",
            );
        } else {
            doc.push_str("\"\"\"\n");
        }
        let signature = if uses_types { "def make_pipeline(column_types):\n" } else { "def make_pipeline(column_types=None):\n" };
        format!("{signature}{doc}{body}    return {}\n", indent_rest(&pipeline_expr(&top), 4))
    }

    /// The top-level steps and the model; an OutlierRemover wraps everything after it.
    fn assemble(&mut self, steps: &[StepSpec], model: Item) -> Vec<Item> {
        let spec_has_preprocess = self.spec.preprocess.is_some();
        let names = named(steps);
        let mut out = Vec::new();
        for (i, (name, s)) in names.iter().enumerate() {
            if let StepSpec::OutlierRemover(p) = s {
                self.block(py::OUTLIER_REMOVER);
                let mut inner = self.assemble(&steps[i + 1..], model);
                let (inner_expr, comments) = if inner.len() == 1 {
                    let it = inner.remove(0);
                    (it.expr, it.comments)
                } else {
                    (pipeline_expr(&inner), vec![])
                };
                let v = serde_json::to_value(p).unwrap_or(Value::Null);
                let kw = format!("method={}, factor={}, threshold={}", py_value(&v["method"]), py_value(&v["factor"]), py_value(&v["threshold"]));
                let mut c = vec!["OutlierRemover wraps the rest of the pipeline: it drops outlying training rows before fitting it.".to_string()];
                if i > 0 || spec_has_preprocess {
                    let n = "OutlierRemover after other steps: a value lying exactly on a fence can fall on either side by the two libraries' rounding of the steps before it.".to_string();
                    c.push(format!("NOTE: {n}"));
                    self.note(n);
                }
                c.extend(comments);
                out.push(Item { name: name.clone(), expr: format!("OutlierRemover(\n    {},\n    {kw},\n)", indent_rest(&inner_expr, 4)), comments: c });
                return out;
            }
            let e = self.step(s);
            out.push(self.take_item(name.clone(), e));
        }
        out.push(model);
        out
    }

    fn step(&mut self, s: &StepSpec) -> String {
        let name = s.name();
        let params = inner_params(serde_json::to_value(s).unwrap_or(Value::Null));
        let catalog = StepSpec::catalog().into_iter().find(|c| c.name == name);
        let order: Vec<&'static str> = catalog.as_ref().map(|c| c.params.iter().map(|p| p.name).collect()).unwrap_or_default();
        let null_default: Vec<&'static str> =
            catalog.as_ref().map(|c| c.params.iter().filter(|p| p.default.is_null()).map(|p| p.name).collect()).unwrap_or_default();
        let mut kw: Vec<(String, String)> = Vec::new();
        let module = match name {
            "SimpleImputer" | "KNNImputer" => "sklearn.impute",
            "OneHotEncoder"
            | "OrdinalEncoder"
            | "TargetEncoder"
            | "StandardScaler"
            | "MinMaxScaler"
            | "RobustScaler"
            | "MaxAbsScaler"
            | "Normalizer"
            | "PowerTransformer"
            | "PolynomialFeatures"
            | "KBinsDiscretizer"
            | "FunctionTransformer" => "sklearn.preprocessing",
            "VarianceThreshold" | "SelectKBest" | "SelectPercentile" | "SelectFromModel" => "sklearn.feature_selection",
            "PCA" | "TruncatedSVD" => "sklearn.decomposition",
            "LinearDiscriminantAnalysis" => "sklearn.discriminant_analysis",
            _ => "",
        };
        for (key, v) in ordered(&params, &order) {
            if v.is_null() && null_default.contains(&key.as_str()) && key != "random_state" && key != "func" {
                continue; // None is scikit-learn's default too
            }
            match (name, key.as_str()) {
                ("OrdinalEncoder", "unknown_value" | "encoded_missing_value") if v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("nan")) => {
                    kw.push((key, "np.nan".into()))
                }
                ("KBinsDiscretizer", "encode") if v == "onehot" => {
                    self.pending.push("pipelab's one-hot bins are dense columns: encode=\"onehot-dense\"".into());
                    kw.push((key, "\"onehot-dense\"".into()));
                }
                ("KBinsDiscretizer", "quantile_method") => {
                    self.block(py::SINCE);
                    if params.get("strategy").and_then(Value::as_str) == Some("quantile") && v != "linear" {
                        self.note_here(format!(
                            "KBinsDiscretizer(quantile_method={v}) needs scikit-learn >= 1.7; older versions compute \"linear\" quantiles."
                        ));
                    }
                    kw.push(("**".into(), format!("since((1, 7), quantile_method={})", py_value(&v))));
                }
                // scikit-learn refuses a random_state when TargetEncoder does not shuffle.
                ("TargetEncoder", "random_state") if params.get("shuffle").and_then(Value::as_bool) == Some(false) => {}
                ("KBinsDiscretizer" | "TargetEncoder", "random_state") => kw.push((key, self.seed_of(&v))),
                ("SelectKBest" | "SelectPercentile", "score_func") => {
                    let f = v.as_str().unwrap_or("f_classif").to_string();
                    self.import("sklearn.feature_selection", &f);
                    if f.starts_with("mutual_info") {
                        let seed = self.seed_of(params.get("random_state").unwrap_or(&Value::Null));
                        self.uses_partial = true;
                        self.note_here(format!("{name}(score_func=\"{f}\"): mutual information is estimated with random noise; pipelab's generator is not numpy's, so the scores (and possibly the columns kept) can differ."));
                        kw.push((key, format!("partial({f}, random_state={seed})")));
                    } else {
                        kw.push((key, f));
                    }
                }
                ("SelectKBest" | "SelectPercentile", "random_state") => {}
                ("SelectFromModel", "estimator") => {
                    if let Ok(m) = serde_json::from_value::<ModelSpec>(v.clone()) {
                        let e = self.model(&m);
                        kw.push((key, e));
                    }
                }
                ("FunctionTransformer", "func") => {
                    if let Some(f) = v.as_str() {
                        let f: &'static str = match f {
                            "log1p" => "log1p",
                            "sqrt" => "sqrt",
                            "square" => "square",
                            "log" => "log",
                            "exp" => "exp",
                            "abs" => "abs",
                            _ => "reciprocal",
                        };
                        self.functions.insert(f);
                        self.pending.push(format!("safe_{f}: np.{f} that refuses values outside its domain, as pipelab does (defined above)"));
                        kw.push((key, format!("safe_{f}")));
                    }
                }
                ("MinMaxScaler", "feature_range") | ("RobustScaler", "quantile_range") => kw.push((key, py_tuple(&v))),
                _ => kw.push((key, py_value(&v))),
            }
        }
        match name {
            "OneHotEncoder" => kw.push(("sparse_output".into(), "False".into())),
            "PCA" => {
                self.pending.push("svd_solver=\"full\": pipelab's PCA is exact (scikit-learn's \"auto\" may pick a randomized solver)".into());
                kw.push(("svd_solver".into(), "\"full\"".into()));
            }
            "TruncatedSVD" => kw.push(("random_state".into(), self.seed.to_string())),
            "KNNImputer" => self.note_here(
                "KNNImputer: between equally distant donors pipelab takes the earlier training row, scikit-learn any (numpy's argpartition); with such ties (integer-valued columns) imputed values can differ.".into(),
            ),
            "FunctionTransformer" => kw.push(("feature_names_out".into(), "\"one-to-one\"".into())),
            _ => {}
        }
        if name == "CorrelationFilter" {
            self.block(py::CORRELATION_FILTER);
        } else if !module.is_empty() {
            self.import(module, name);
        }
        call_expr(name, &kw)
    }

    fn seed_of(&self, v: &Value) -> String {
        match v.as_u64() {
            Some(s) => s.to_string(),
            None => self.seed.to_string(),
        }
    }

    fn model(&mut self, m: &ModelSpec) -> String {
        let name = m.name();
        let params = inner_params(serde_json::to_value(m).unwrap_or(Value::Null));
        let catalog = ModelSpec::catalog().into_iter().find(|c| c.name == name);
        let order: Vec<&'static str> = catalog.as_ref().map(|c| c.params.iter().map(|p| p.name).collect()).unwrap_or_default();
        let null_default: Vec<&'static str> =
            catalog.as_ref().map(|c| c.params.iter().filter(|p| p.default.is_null()).map(|p| p.name).collect()).unwrap_or_default();
        let module = match name {
            "LinearRegression" | "LogisticRegression" | "Ridge" | "Lasso" | "ElasticNet" => "sklearn.linear_model",
            "LinearSVC" | "SVC" => "sklearn.svm",
            "KNeighborsClassifier" | "KNeighborsRegressor" => "sklearn.neighbors",
            "GaussianNB" => "sklearn.naive_bayes",
            "KMeans" | "DBSCAN" | "AgglomerativeClustering" => "sklearn.cluster",
            "DecisionTreeClassifier" | "DecisionTreeRegressor" => "sklearn.tree",
            _ => "sklearn.ensemble",
        };
        self.import(module, name);
        let mut kw: Vec<(String, String)> = Vec::new();
        for (key, v) in ordered(&params, &order) {
            if v.is_null() && null_default.contains(&key.as_str()) && key != "random_state" {
                continue; // None is scikit-learn's default too
            }
            match (name, key.as_str()) {
                // L2 is scikit-learn's default and pipelab's only penalty; `penalty` is deprecated since 1.8.
                ("LogisticRegression", "penalty") => {}
                (_, "random_state") => kw.push((key, self.seed_of(&v))),
                ("LogisticRegression", "tol") => {
                    let tol = v.as_f64().unwrap_or(1e-4);
                    self.pending.push(format!(
                        "pipelab's tol={} stops its lbfgs at max|gradient| <= tol * 1e-6 (the tightly converged optimum): scikit-learn's tol={}",
                        py_num(tol),
                        py_num(tol * 1e-6)
                    ));
                    kw.push((key, py_num(tol * 1e-6)));
                }
                _ => kw.push((key, py_value(&v))),
            }
        }
        let random_trees = |p: &serde_json::Map<String, Value>| p.get("max_features").is_some_and(|f| !f.is_null() && f != 1.0 && f != 1);
        match name {
            "RandomForestClassifier" | "RandomForestRegressor" => {
                self.note_here(format!("{name}: bootstrap samples and feature choices come from pipelab's own seeded generator, not numpy's; per-fold scores agree within the oracle's accept range, not exactly."));
            }
            "GradientBoostingClassifier" | "GradientBoostingRegressor"
                if params.get("subsample").and_then(Value::as_f64).is_some_and(|s| s < 1.0) || random_trees(&params) =>
            {
                self.note_here(format!("{name} with subsample < 1 or max_features: the random draws come from pipelab's own seeded generator, not numpy's; scores agree statistically, not exactly."));
            }
            "DecisionTreeClassifier" | "DecisionTreeRegressor" | "GradientBoostingClassifier" | "GradientBoostingRegressor" => {
                self.note_here(format!("{name}: scikit-learn visits the features in a random order and keeps the first of equally good splits, and compares float32 thresholds; where two splits tie, the trees (and a few predictions) can differ."));
            }
            "HistGradientBoostingClassifier" | "HistGradientBoostingRegressor" => {
                self.note_here(format!(
                    "{name}: histogram sums are added in another order; an exact tie between two splits can go the other way (scores agree to about 1e-3)."
                ));
            }
            "LinearSVC" | "SVC" | "Lasso" | "ElasticNet" => {
                self.note_here(format!("{name}: iterative solvers stop at different points; scores agree to the solvers' tolerance, not to rounding."));
            }
            "KMeans" => {
                self.note_here("KMeans: the k-means++ seeding draws from pipelab's own generator, not numpy's; the clustering found can differ.".into())
            }
            _ => {}
        }
        call_expr(name, &kw)
    }

    // ------------------------------------------------------------ the splitter

    fn make_cv(&mut self, task: Task) -> String {
        let cv = effective_cv(self.spec, task);
        let default = self.spec.cv.is_none();
        let seed_or = |rs: Option<u64>| rs.unwrap_or(self.seed);
        let (expr, note) = match &cv {
            CvSpec::KFold(p) | CvSpec::StratifiedKFold(p) => {
                let name = cv.name();
                if p.shuffle {
                    // pipelab draws the shuffle as numpy's RandomState(random_state) does: the same folds.
                    (format!("{name}(n_splits={}, shuffle=True, random_state={})", p.n_splits, seed_or(p.random_state)), None)
                } else {
                    (format!("{name}(n_splits={}, shuffle=False)", p.n_splits), None)
                }
            }
            CvSpec::RepeatedKFold(p) | CvSpec::RepeatedStratifiedKFold(p) => {
                (format!("{}(n_splits={}, n_repeats={}, random_state={})", cv.name(), p.n_splits, p.n_repeats, seed_or(p.random_state)), None)
            }
            CvSpec::ShuffleSplit(p) | CvSpec::StratifiedShuffleSplit(p) => {
                let size = |v: Option<f64>| v.map_or("None".to_string(), py_size);
                (
                    format!(
                        "{}(n_splits={}, test_size={}, train_size={}, random_state={})",
                        cv.name(),
                        p.n_splits,
                        size(p.test_size),
                        size(p.train_size),
                        seed_or(p.random_state)
                    ),
                    // ShuffleSplit's permutations are numpy's; the stratified allocation is pipelab's own.
                    matches!(cv, CvSpec::StratifiedShuffleSplit(_))
                        .then(|| format!("{}: pipelab allocates and draws the stratified splits its own way, not numpy's, so the splits differ.", cv.name())),
                )
            }
            CvSpec::LeaveOneOut(_) => ("LeaveOneOut()".to_string(), None),
            CvSpec::GroupKFold(p) => (format!("GroupKFold(n_splits={})", p.n_splits), None),
        };
        self.import("sklearn.model_selection", cv.name());
        let mut doc = String::from("    \"\"\"The cross-validation splitter");
        if default {
            doc.push_str(" (pipelab's default: StratifiedKFold(5) for classifiers, KFold(5) otherwise)");
        }
        doc.push_str(".\"\"\"\n");
        let mut out = format!("def make_cv():\n{doc}");
        if let Some(n) = note {
            out.push_str(&wrap(&format!("# NOTE: {n}"), 100, "    # "));
            self.note(n);
        }
        out.push_str(&format!("    return {expr}\n"));
        if let Some(h) = &self.spec.holdout {
            if h.shuffle && h.stratify {
                self.note("holdout (stratify=true): pipelab allocates and draws the stratified test part its own way, not numpy's, so the held-out rows differ; an unstratified hold-out draws numpy's permutation and holds out the same rows.".into());
            }
        }
        out
    }
}

// ------------------------------------------------------------ Python text helpers

/// JSON indented by 2 spaces, with every object or array that fits in 80 characters on one line.
fn compact_json(v: &Value, indent: usize) -> String {
    let one = v.to_string();
    if one.len() + indent <= 80 {
        return one.replace("\":", "\": ").replace(",\"", ", \"");
    }
    let pad = " ".repeat(indent + 2);
    match v {
        Value::Object(m) => {
            let items: Vec<String> = m.iter().map(|(k, x)| format!("{pad}{}: {}", py_str(k), compact_json(x, indent + 2))).collect();
            format!("{{\n{}\n{}}}", items.join(",\n"), " ".repeat(indent))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|x| format!("{pad}{}", compact_json(x, indent + 2))).collect();
            format!("[\n{}\n{}]", items.join(",\n"), " ".repeat(indent))
        }
        other => other.to_string(),
    }
}

fn function_domain(f: &str) -> (&'static str, &'static str) {
    match f {
        "log1p" => ("np.log1p", "log1p needs values > -1"),
        "sqrt" => ("np.sqrt", "sqrt needs values >= 0"),
        "square" => ("np.square", "the result overflows a 64-bit float"),
        "log" => ("np.log", "log needs values > 0"),
        "exp" => ("np.exp", "the result overflows a 64-bit float"),
        "abs" => ("np.abs", "abs needs finite values"),
        _ => ("np.reciprocal", "reciprocal needs non-zero values"),
    }
}

/// Steps named as pipelab's search paths name them: the class name, `_1`, `_2` for repeats.
fn named(steps: &[StepSpec]) -> Vec<(String, &StepSpec)> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    steps
        .iter()
        .map(|s| {
            let k = seen.entry(s.name()).or_insert(0);
            let n = if *k == 0 { s.name().to_string() } else { format!("{}_{}", s.name(), k) };
            *k += 1;
            (n, s)
        })
        .collect()
}

fn inner_params(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => match m.into_iter().next() {
            Some((_, Value::Object(p))) => p,
            _ => serde_json::Map::new(),
        },
        _ => serde_json::Map::new(),
    }
}

/// Parameters in the catalogue's order, then any others (sorted).
fn ordered(params: &serde_json::Map<String, Value>, order: &[&str]) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = order.iter().filter_map(|k| params.get(*k).map(|v| (k.to_string(), v.clone()))).collect();
    for (k, v) in params {
        if !order.contains(&k.as_str()) {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

fn call_expr(name: &str, kw: &[(String, String)]) -> String {
    let args: Vec<String> = kw.iter().map(|(k, v)| if k == "**" { format!("**{v}") } else { format!("{k}={v}") }).collect();
    let one = format!("{name}({})", args.join(", "));
    if one.len() <= 88 && !one.contains('\n') {
        return one;
    }
    let mut s = format!("{name}(\n");
    for a in args {
        s.push_str(&format!("    {},\n", indent_rest(&a, 4)));
    }
    s.push(')');
    s
}

fn pipeline_expr(steps: &[Item]) -> String {
    let mut s = String::from("Pipeline(\n    [\n");
    for it in steps {
        for c in &it.comments {
            s.push_str(&wrap(&format!("        # {c}"), 100, "        # "));
        }
        s.push_str(&format!("        ({}, {}),\n", py_str(&it.name), indent_rest(&it.expr, 8)));
    }
    s.push_str("    ]\n)");
    s
}

/// Indents every line but the first by `n` spaces.
fn indent_rest(s: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    let mut lines = s.lines();
    let mut out = lines.next().unwrap_or("").to_string();
    for l in lines {
        out.push('\n');
        if !l.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(l);
    }
    out
}

fn indent_all(s: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    s.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("{pad}{l}\n") }).collect()
}

/// Wraps a comment line at `width` characters; continuation lines start with `cont`.
fn wrap(text: &str, width: usize, cont: &str) -> String {
    let lead: String = text.chars().take_while(|c| *c == ' ').collect();
    let mut out = String::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + w.len() > width {
            out.push_str(&line);
            out.push('\n');
            line = format!("{cont}{w}");
        } else {
            if line.is_empty() {
                line.push_str(&lead);
            } else {
                line.push(' ');
            }
            line.push_str(w);
        }
    }
    out.push_str(&line);
    out.push('\n');
    out
}

fn py_str(s: &str) -> String {
    // JSON string escapes (\" \\ \n \t \uXXXX) are valid Python escapes.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

fn py_num(x: f64) -> String {
    if x.is_nan() {
        "np.nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "np.inf" } else { "-np.inf" }.into()
    } else {
        serde_json::Number::from_f64(x).map_or_else(|| x.to_string(), |n| n.to_string())
    }
}

/// A size given as a fraction or a whole number of rows.
fn py_size(x: f64) -> String {
    if x >= 1.0 && x.fract() == 0.0 {
        format!("{}", x as u64)
    } else {
        py_num(x)
    }
}

fn py_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn py_tuple(v: &Value) -> String {
    match v.as_array() {
        Some(a) => format!("({})", a.iter().map(py_value).collect::<Vec<_>>().join(", ")),
        None => py_value(v),
    }
}

fn py_value(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => py_bool(*b).into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => py_str(s),
        Value::Array(a) => py_list(&a.iter().map(py_value).collect::<Vec<_>>()),
        Value::Object(m) => format!("{{{}}}", m.iter().map(|(k, v)| format!("{}: {}", py_str(k), py_value(v))).collect::<Vec<_>>().join(", ")),
    }
}
