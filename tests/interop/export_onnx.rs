//! ONNX export checked by a real ONNX Runtime (issue 13 §1): every case fits a
//! pipeline on a shared dataset with the library (the code `pipelab fit` runs),
//! exports it, runs the graph in onnxruntime-node (tests/interop/onnx_check.mjs) on
//! the same rows and compares with the pipeline's own predictions (`pipelab predict`):
//! labels identical (rows whose two best classes tie are counted and reported),
//! probabilities and regression values within 1e-5 relative (plus 1e-12 absolute,
//! for values at zero) — every operator of the graph computes in double.
//!
//! Needs `node` and `node_modules/onnxruntime-node` (npm ci); without them the tests
//! FAIL with a message saying so.

use std::path::PathBuf;
use std::process::Command;

use pipelab::api;
use pipelab::data::{ColumnData, Table};
use pipelab::estimator::Output;
use pipelab::persist::ModelFile;
use serde_json::{json, Value};

const RTOL: f64 = 1e-5;
const ATOL: f64 = 1e-12;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("pipelab-onnx-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Fails loudly when the runtime is missing: this suite must never pass without running it.
fn require_runtime() {
    let node = Command::new("node").arg("--version").output();
    assert!(node.is_ok_and(|o| o.status.success()), "node is not on PATH: the ONNX export tests need Node.js and onnxruntime-node (npm ci)");
    assert!(
        root().join("node_modules/onnxruntime-node/package.json").exists(),
        "node_modules/onnxruntime-node is missing: run `npm ci` (or link /work/main/node_modules) — the ONNX export tests need the real ONNX Runtime"
    );
}

fn load(dataset: &str) -> Table {
    let bytes = std::fs::read(root().join("www/datasets").join(format!("{dataset}.csv"))).unwrap();
    api::load_table(&bytes, "").unwrap().0
}

/// The graph's inputs for every schema column of `model`, from `table`.
fn inputs_json(model: &ModelFile, table: &Table) -> Value {
    let cols: Vec<Value> = model
        .pipeline
        .schema
        .iter()
        .map(|s| {
            let c = table.column(&s.name).unwrap();
            match &c.data {
                ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => {
                    json!({"name": s.name, "type": "double", "values": v.iter().map(|x| if x.is_nan() { Value::Null } else { json!(x) }).collect::<Vec<_>>()})
                }
                ColumnData::Categorical(cat) => {
                    let vals: Vec<Value> = cat.codes.iter().map(|&k| cat.levels.get(k as usize).map_or(Value::Null, |l| json!(l))).collect();
                    json!({"name": s.name, "type": "string", "values": vals})
                }
            }
        })
        .collect();
    json!({"n_rows": table.n_rows, "columns": cols})
}

/// Runs `onnx` in onnxruntime-node on `inputs`; returns its outputs by name.
fn run_ort(tag: &str, onnx: &[u8], inputs: &Value) -> Value {
    run_runtime(Runtime::Node, tag, onnx, inputs)
}

#[derive(Clone, Copy, PartialEq)]
enum Runtime {
    Node,
    Python,
}

/// The interop venv's python (scikit-learn, onnxruntime): `PIPELAB_PYTHON` or the default path.
fn python() -> String {
    std::env::var("PIPELAB_PYTHON").unwrap_or_else(|_| format!("{}/.cache/pipelab/venv-interop/bin/python", std::env::var("HOME").unwrap_or_default()))
}

fn run_runtime(rt: Runtime, tag: &str, onnx: &[u8], inputs: &Value) -> Value {
    let dir = tmp_dir();
    let mp = dir.join(format!("{tag}.onnx"));
    let ip = dir.join(format!("{tag}.inputs.json"));
    std::fs::write(&mp, onnx).unwrap();
    std::fs::write(&ip, inputs.to_string()).unwrap();
    let mut cmd = match rt {
        Runtime::Node => {
            let mut c = Command::new("node");
            c.arg(root().join("tests/interop/onnx_check.mjs"));
            c
        }
        Runtime::Python => {
            let mut c = Command::new(python());
            c.arg(root().join("tests/interop/onnx_check.py"));
            c
        }
    };
    let out = cmd.arg(&mp).arg(&ip).current_dir(root()).output().expect("the runtime starts");
    assert!(out.status.success(), "{tag}: onnxruntime failed: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["outputs"].clone()
}

fn f64s(v: &Value) -> Vec<f64> {
    v["data"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= RTOL * a.abs().max(b.abs()) + ATOL
}

#[derive(Debug, Default)]
struct Outcome {
    rows: usize,
    ties: usize,
    /// Largest |a − b| / max(|a|, |b|) over every compared number (0 when both are 0).
    max_rel: f64,
    max_abs: f64,
}

/// Exports `model`, runs it and compares; `Err` describes the first disagreement.
fn check(tag: &str, model: &ModelFile, table: &Table) -> Result<Outcome, String> {
    check_with(Runtime::Node, tag, model, table)
}

fn check_with(rt: Runtime, tag: &str, model: &ModelFile, table: &Table) -> Result<Outcome, String> {
    let onnx = api::export_onnx(model).map_err(|e| format!("export failed: {e}"))?;
    // The model file round-trips through JSON as the CLI reads it.
    let model = ModelFile::from_json(&model.to_json().unwrap()).unwrap();
    assert_eq!(api::export_onnx(&model).unwrap(), onnx, "{tag}: export is deterministic");
    let pred = model.pipeline.predict(table).map_err(|e| format!("predict failed: {e}"))?;
    let outs = run_runtime(rt, tag, &onnx, &inputs_json(&model, table));
    let n = table.n_rows;
    let mut o = Outcome { rows: n, ..Default::default() };
    let mut rel = |a: f64, b: f64| {
        let d = (a - b).abs();
        if d > 0.0 {
            o.max_rel = o.max_rel.max(d / a.abs().max(b.abs()));
            o.max_abs = o.max_abs.max(d);
        }
    };
    match &pred.output {
        Output::Values(v) => {
            let got = f64s(&outs["variable"]);
            if outs["variable"]["dims"] != json!([n, 1]) {
                return Err(format!("variable has dims {}", outs["variable"]["dims"]));
            }
            for i in 0..n {
                rel(v[i], got[i]);
                if !close(v[i], got[i]) {
                    return Err(format!("row {}: pipelab {} vs onnxruntime {}", i + 1, v[i], got[i]));
                }
            }
        }
        Output::Classes { proba, .. } => {
            let labels = pred.labels();
            let got: Vec<String> =
                outs["label"]["data"].as_array().unwrap().iter().map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())).collect();
            let k = pred.classes.len();
            let onnx_p = outs.get("probabilities").map(f64s);
            let scores = outs.get("scores").map(f64s);
            match (proba, &onnx_p) {
                (Some(p), Some(q)) => {
                    if outs["probabilities"]["dims"] != json!([n, k]) {
                        return Err(format!("probabilities has dims {}", outs["probabilities"]["dims"]));
                    }
                    for i in 0..n {
                        for c in 0..k {
                            rel(p[[i, c]], q[i * k + c]);
                            if !close(p[[i, c]], q[i * k + c]) {
                                return Err(format!("row {} class {}: probability {} vs onnxruntime {}", i + 1, pred.classes[c], p[[i, c]], q[i * k + c]));
                            }
                        }
                    }
                }
                (None, None) => {}
                (a, b) => return Err(format!("probabilities present in pipelab: {}, in the graph: {}", a.is_some(), b.is_some())),
            }
            for i in 0..n {
                if labels[i] == got[i] {
                    continue;
                }
                // A tie: the two best probabilities (or a decision value) equal to rounding.
                let tie = match (proba, &scores) {
                    (Some(p), _) => {
                        let mut r: Vec<f64> = p.row(i).to_vec();
                        r.sort_by(|a, b| b.total_cmp(a));
                        r.len() > 1 && (r[0] - r[1]).abs() <= 1e-12
                    }
                    (None, Some(s)) => {
                        let w = s.len() / n;
                        s[i * w..(i + 1) * w].iter().any(|v| v.abs() <= 1e-12)
                    }
                    _ => false,
                };
                if !tie {
                    return Err(format!("row {}: pipelab predicts {:?}, onnxruntime {:?}", i + 1, labels[i], got[i]));
                }
                o.ties += 1;
            }
        }
        Output::Clusters(c) => {
            let got = f64s(&outs["label"]);
            let d = f64s(&outs["scores"]);
            let pipelab::pipeline::ModelState::Fitted(pipelab::pipeline::FittedModelEnum::KMeans(km)) = &model.pipeline.model else {
                return Err("only KMeans clusters are exported".into());
            };
            let x = model.pipeline.transform(table).unwrap();
            let (kc, p) = (km.n_clusters, km.n_features);
            for i in 0..n {
                if got[i] as i64 != c[i] {
                    return Err(format!("row {}: cluster {} vs onnxruntime {}", i + 1, c[i], got[i]));
                }
                for j in 0..kc {
                    let want = (0..p).map(|f| (x[[i, f]] - km.cluster_centers[j * p + f]).powi(2)).sum::<f64>().sqrt();
                    rel(want, d[i * kc + j]);
                    if !close(want, d[i * kc + j]) {
                        return Err(format!("row {} centre {j}: distance {want} vs onnxruntime {}", i + 1, d[i * kc + j]));
                    }
                }
            }
        }
    }
    Ok(o)
}

/// (case, dataset, spec): together they use every exportable step and model.
const CASES: &[(&str, &str, &str)] = &[
    (
        "iris_impute_scale_logreg",
        "iris",
        r#"{"target":"species","preprocess":{"transformers":[{"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{}},{"StandardScaler":{}}]}]},"model":{"LogisticRegression":{}}}"#,
    ),
    (
        "titanic_ct_onehot_logreg",
        "titanic_like",
        r#"{"target":"survived","drop":["name","passenger_id"],"preprocess":{"transformers":[
        {"name":"num","columns":{"names":["pclass","age","sibsp","parch","fare"]},"steps":[{"SimpleImputer":{"strategy":"median","add_indicator":true}},{"StandardScaler":{}}]},
        {"name":"cat","columns":{"names":["sex","embarked"]},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}},{"OneHotEncoder":{"handle_unknown":"ignore"}}]}],"remainder":"passthrough"},
        "model":{"LogisticRegression":{"C":0.5}}}"#,
    ),
    (
        "titanic_onehot_missing_category_forest",
        "titanic_like",
        r#"{"target":"survived","drop":["name","passenger_id"],"preprocess":{"transformers":[
        {"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{"strategy":"mean"}}]},
        {"name":"cat","columns":{"dtype":"categorical"},"steps":[{"OneHotEncoder":{"handle_unknown":"infrequent_if_exist","min_frequency":100}}]}]},
        "model":{"RandomForestClassifier":{"n_estimators":20,"max_depth":6}}}"#,
    ),
    (
        "titanic_ordinal_tree",
        "titanic_like",
        r#"{"target":"survived","drop":["name","passenger_id"],"preprocess":{"transformers":[
        {"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{"strategy":"constant","fill_value":-1}}]},
        {"name":"cat","columns":{"dtype":"categorical"},"steps":[{"OrdinalEncoder":{"handle_unknown":"use_encoded_value","unknown_value":-1,"encoded_missing_value":-2}}]}],"remainder":"passthrough"},
        "model":{"DecisionTreeClassifier":{"max_depth":5}}}"#,
    ),
    (
        "titanic_numeric_categories_target_encoder",
        "titanic_like",
        r#"{"target":"survived","drop":["name","passenger_id"],"preprocess":{"transformers":[
        {"name":"numcat","columns":{"names":["pclass","sibsp"]},"steps":[{"OneHotEncoder":{"handle_unknown":"ignore"}}]},
        {"name":"ord","columns":{"names":["parch"]},"steps":[{"OrdinalEncoder":{"encoded_missing_value":-1}}]},
        {"name":"te","columns":{"names":["sex","embarked"]},"steps":[{"TargetEncoder":{}}]},
        {"name":"num","columns":{"names":["age","fare"]},"steps":[{"SimpleImputer":{}}]}]},
        "model":{"LogisticRegression":{}}}"#,
    ),
    (
        "housing_target_encoder_continuous",
        "housing_like",
        r#"{"target":"price","preprocess":{"transformers":[
        {"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{}}]},
        {"name":"cat","columns":{"names":["neighborhood","bedrooms"]},"steps":[{"TargetEncoder":{}}]}]},"model":{"Ridge":{}}}"#,
    ),
    (
        "wine_target_encoder_multiclass",
        "wine",
        r#"{"target":"class","preprocess":{"transformers":[
        {"name":"num","columns":{"dtype":"numeric"},"steps":[{"StandardScaler":{}}]},
        {"name":"mg","columns":{"names":["magnesium"]},"steps":[{"TargetEncoder":{"target_type":"multiclass"}}]}]},"model":{"LogisticRegression":{}}}"#,
    ),
    (
        "titanic_hgb_native_missing",
        "titanic_like",
        r#"{"target":"survived","drop":["name","passenger_id","sex","embarked"],"model":{"HistGradientBoostingClassifier":{"max_iter":30}}}"#,
    ),
    (
        "housing_onehot_drop_linreg",
        "housing_like",
        r#"{"target":"price","preprocess":{"transformers":[
        {"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{}},{"StandardScaler":{}}]},
        {"name":"cat","columns":{"names":["neighborhood"]},"steps":[{"OneHotEncoder":{"drop":"first"}}]}]},"model":{"LinearRegression":{}}}"#,
    ),
    (
        "housing_function_poly_ridge",
        "housing_like",
        r#"{"target":"price","drop":["neighborhood"],"steps":[{"SimpleImputer":{}},{"FunctionTransformer":{"func":"log1p"}},{"StandardScaler":{}},{"PolynomialFeatures":{"degree":2}}],"model":{"Ridge":{"alpha":1.0}}}"#,
    ),
    ("housing_hgb_regressor", "housing_like", r#"{"target":"price","drop":["neighborhood"],"model":{"HistGradientBoostingRegressor":{"max_iter":40}}}"#),
    ("diabetes_lasso", "diabetes", r#"{"target":"target","steps":[{"StandardScaler":{}}],"model":{"Lasso":{"alpha":0.1}}}"#),
    (
        "diabetes_elasticnet_outliers",
        "diabetes",
        r#"{"target":"target","steps":[{"OutlierRemover":{}},{"RobustScaler":{}}],"model":{"ElasticNet":{"alpha":0.01}}}"#,
    ),
    ("diabetes_tree_regressor", "diabetes", r#"{"target":"target","model":{"DecisionTreeRegressor":{"max_depth":6}}}"#),
    ("diabetes_forest_regressor", "diabetes", r#"{"target":"target","model":{"RandomForestRegressor":{"n_estimators":15,"max_depth":8}}}"#),
    ("diabetes_gb_regressor", "diabetes", r#"{"target":"target","model":{"GradientBoostingRegressor":{"n_estimators":40}}}"#),
    (
        "diabetes_knn_distance",
        "diabetes",
        r#"{"target":"target","steps":[{"MinMaxScaler":{"clip":true}}],"model":{"KNeighborsRegressor":{"n_neighbors":7,"weights":"distance"}}}"#,
    ),
    ("wine_minmax_knn", "wine", r#"{"target":"class","steps":[{"MinMaxScaler":{}}],"model":{"KNeighborsClassifier":{"n_neighbors":5}}}"#),
    (
        "wine_manhattan_knn",
        "wine",
        r#"{"target":"class","steps":[{"StandardScaler":{}}],"model":{"KNeighborsClassifier":{"n_neighbors":4,"metric":"manhattan","weights":"distance"}}}"#,
    ),
    ("wine_robust_svc", "wine", r#"{"target":"class","steps":[{"RobustScaler":{}}],"model":{"SVC":{"C":2.0}}}"#),
    ("wine_power_logreg", "wine", r#"{"target":"class","steps":[{"PowerTransformer":{}}],"model":{"LogisticRegression":{}}}"#),
    (
        "wine_kbins_onehot_logreg",
        "wine",
        r#"{"target":"class","steps":[{"KBinsDiscretizer":{"n_bins":4,"encode":"onehot-dense","strategy":"quantile"}}],"model":{"LogisticRegression":{}}}"#,
    ),
    (
        "wine_kbins_ordinal_gb",
        "wine",
        r#"{"target":"class","steps":[{"KBinsDiscretizer":{"n_bins":5,"encode":"ordinal","strategy":"uniform"}}],"model":{"GradientBoostingClassifier":{"n_estimators":20}}}"#,
    ),
    (
        "wine_svd_lda_nb",
        "wine",
        r#"{"target":"class","steps":[{"StandardScaler":{}},{"TruncatedSVD":{"n_components":8}},{"LinearDiscriminantAnalysis":{}}],"model":{"GaussianNB":{}}}"#,
    ),
    ("breast_maxabs_linearsvc", "breast_cancer", r#"{"target":"diagnosis","steps":[{"MaxAbsScaler":{}}],"model":{"LinearSVC":{}}}"#),
    (
        "breast_variance_kbest_logreg",
        "breast_cancer",
        r#"{"target":"diagnosis","steps":[{"VarianceThreshold":{"threshold":0.001}},{"SelectKBest":{"k":10}},{"StandardScaler":{}}],"model":{"LogisticRegression":{}}}"#,
    ),
    (
        "breast_percentile_frommodel_gb",
        "breast_cancer",
        r#"{"target":"diagnosis","steps":[{"SelectPercentile":{"percentile":50}},{"SelectFromModel":{"estimator":{"LogisticRegression":{"C":0.1}}}}],"model":{"GradientBoostingClassifier":{"n_estimators":25}}}"#,
    ),
    (
        "breast_corr_pca_whiten_logreg",
        "breast_cancer",
        r#"{"target":"diagnosis","steps":[{"CorrelationFilter":{"threshold":0.9}},{"StandardScaler":{}},{"PCA":{"n_components":5,"whiten":true}}],"model":{"LogisticRegression":{}}}"#,
    ),
    ("breast_hgb_binary", "breast_cancer", r#"{"target":"diagnosis","model":{"HistGradientBoostingClassifier":{"max_iter":20}}}"#),
    ("iris_normalizer_nb", "iris", r#"{"target":"species","steps":[{"Normalizer":{}}],"model":{"GaussianNB":{}}}"#),
    ("iris_normalizer_l1_max_svc", "iris", r#"{"target":"species","steps":[{"Normalizer":{"norm":"l1"}},{"Normalizer":{"norm":"max"}}],"model":{"SVC":{}}}"#),
    ("iris_linearsvc_multiclass", "iris", r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LinearSVC":{}}}"#),
    ("iris_gb_multiclass", "iris", r#"{"target":"species","model":{"GradientBoostingClassifier":{"n_estimators":15}}}"#),
    ("iris_hgb_multiclass", "iris", r#"{"target":"species","model":{"HistGradientBoostingClassifier":{"max_iter":15}}}"#),
    ("iris_forest_sqrt", "iris", r#"{"target":"species","model":{"RandomForestClassifier":{"n_estimators":25}}}"#),
    ("iris_kmeans", "iris", r#"{"drop":["species"],"steps":[{"StandardScaler":{}}],"model":{"KMeans":{"n_clusters":3}}}"#),
    (
        "iris_function_sqrt_square_lda",
        "iris",
        r#"{"target":"species","steps":[{"FunctionTransformer":{"func":"sqrt"}},{"FunctionTransformer":{"func":"square"}},{"LinearDiscriminantAnalysis":{"n_components":2}}],"model":{"LogisticRegression":{}}}"#,
    ),
];

fn fit(dataset: &str, spec: &str) -> (Table, ModelFile) {
    let table = load(dataset);
    let fitted = if api::is_clustering(spec).unwrap() { api::fit_clustering_model(&table, spec).map(|r| r.0) } else { api::fit_model(&table, spec, None) };
    let model = fitted.unwrap_or_else(|e| panic!("fitting {spec} on {dataset}: {e}"));
    (table, model)
}

#[test]
fn every_exportable_pipeline_matches_onnxruntime() {
    require_runtime();
    let mut failures = Vec::new();
    let mut steps_seen = std::collections::BTreeSet::new();
    let mut models_seen = std::collections::BTreeSet::new();
    let mut total_ties = 0;
    for (tag, dataset, spec) in CASES {
        let (table, model) = fit(dataset, spec);
        for s in model.pipeline.steps.iter().chain(model.pipeline.preprocess.iter().flat_map(|ct| ct.branches.iter().flat_map(|b| &b.steps))) {
            steps_seen.insert(s.name());
        }
        if let pipelab::pipeline::ModelState::Fitted(m) = &model.pipeline.model {
            models_seen.insert(m.name());
        }
        match check(tag, &model, &table) {
            Ok(o) => {
                total_ties += o.ties;
                println!("{tag:45} {dataset:14} {:5} rows, ties {}, max rel diff {:.1e}, max abs diff {:.1e}", o.rows, o.ties, o.max_rel, o.max_abs);
            }
            Err(e) => failures.push(format!("{tag}: {e}")),
        }
    }
    println!("{} cases, {total_ties} tied rows in all", CASES.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Coverage: every step and model the exporter supports appears in a case.
    let not_exported_steps = ["KNNImputer"];
    for s in pipelab::pipeline::StepSpec::catalog() {
        if !not_exported_steps.contains(&s.name) {
            assert!(steps_seen.contains(s.name), "no case exports the step {}", s.name);
        }
    }
    let not_exported_models = ["DBSCAN", "AgglomerativeClustering"];
    for m in pipelab::pipeline::ModelSpec::catalog() {
        if !not_exported_models.contains(&m.name) {
            assert!(models_seen.contains(m.name), "no case exports the model {}", m.name);
        }
    }
}

#[test]
fn non_exportable_components_are_refused_by_name() {
    let cases = [
        ("iris", r#"{"drop":["species"],"model":{"DBSCAN":{"eps":0.8}}}"#, "DBSCAN cannot be exported to ONNX"),
        ("iris", r#"{"drop":["species"],"model":{"AgglomerativeClustering":{"n_clusters":3}}}"#, "AgglomerativeClustering cannot be exported to ONNX"),
        (
            "titanic_like",
            r#"{"target":"survived","drop":["name","passenger_id","sex","embarked"],"steps":[{"KNNImputer":{}}],"model":{"LogisticRegression":{}}}"#,
            "KNNImputer cannot be exported to ONNX",
        ),
        ("iris", r#"{"target":"species","model":{"KNeighborsClassifier":{"p":3}}}"#, "KNeighbors cannot be exported to ONNX"),
    ];
    for (dataset, spec, want) in cases {
        let (_, model) = fit(dataset, spec);
        let err = api::export_onnx(&model).expect_err(want).to_string();
        assert!(err.contains(want), "{spec}: {err}");
    }
}

#[test]
fn cli_export_writes_a_model_onnxruntime_runs() {
    require_runtime();
    let dir = tmp_dir();
    let spec = dir.join("cli_spec.json");
    let model = dir.join("cli_model.json");
    let onnx = dir.join("cli_model.onnx");
    std::fs::write(&spec, CASES[1].2).unwrap();
    let bin = env!("CARGO_BIN_EXE_pipelab");
    let run = |args: &[&str]| Command::new(bin).args(args).current_dir(root()).output().unwrap();
    let o = run(&["fit", "--data", "www/datasets/titanic_like.csv", "--spec", spec.to_str().unwrap(), "--out", model.to_str().unwrap(), "--no-cv"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["export", "--model", model.to_str().unwrap(), "--format", "onnx", "--out", onnx.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = ModelFile::from_json(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let table = load("titanic_like");
    let outs = run_ort("cli", &std::fs::read(&onnx).unwrap(), &inputs_json(&m, &table));
    let labels = m.pipeline.predict(&table).unwrap().labels();
    let got: Vec<String> = outs["label"]["data"].as_array().unwrap().iter().map(|v| v.to_string()).collect();
    assert_eq!(got, labels, "int64 labels of the 0/1 target");
    // Usage errors: unknown format, missing --out.
    let o = run(&["export", "--model", model.to_str().unwrap(), "--format", "pmml", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("pmml"));
    let o = run(&["export", "--model", model.to_str().unwrap(), "--format", "onnx"]);
    assert_eq!(o.status.code(), Some(2));
}

/// The same graphs in the Python onnxruntime of the interop venv (a second, independent
/// runtime build): strings, missing values and TreeEnsemble on titanic, KMeans and SVC on
/// iris. Fails when the venv is missing (scripts/setup.sh makes it).
#[test]
fn python_onnxruntime_agrees() {
    let py = python();
    let ok = Command::new(&py).args(["-c", "import onnxruntime"]).output().is_ok_and(|o| o.status.success());
    assert!(ok, "{py} cannot import onnxruntime: run scripts/setup.sh (it makes the interop venv) or set PIPELAB_PYTHON");
    for tag in
        ["titanic_onehot_missing_category_forest", "titanic_hgb_native_missing", "titanic_numeric_categories_target_encoder", "iris_kmeans", "wine_robust_svc"]
    {
        let (_, dataset, spec) = CASES.iter().find(|c| c.0 == tag).unwrap();
        let (table, model) = fit(dataset, spec);
        let o = check_with(Runtime::Python, &format!("py_{tag}"), &model, &table).unwrap_or_else(|e| panic!("{tag} in Python onnxruntime: {e}"));
        println!("python onnxruntime {tag:45} {} rows, ties {}, max rel diff {:.1e}", o.rows, o.ties, o.max_rel);
    }
}

/// Training rows of a single class: the model file holds a constant answer, and so does the graph.
#[test]
fn single_class_model_exports_its_constant_answer() {
    require_runtime();
    let text = std::fs::read_to_string(root().join("www/datasets/iris.csv")).unwrap();
    let setosa: String = text.lines().take(51).map(|l| format!("{l}\n")).collect();
    let table = api::load_table(setosa.as_bytes(), "").unwrap().0;
    let model = api::fit_model(&table, r#"{"target":"species","model":{"LogisticRegression":{}}}"#, None).unwrap();
    assert!(matches!(model.pipeline.model, pipelab::pipeline::ModelState::SingleClass(_)));
    let o = check("single_class", &model, &table).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((o.rows, o.ties), (50, 0));
}
