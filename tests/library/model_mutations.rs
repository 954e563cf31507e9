//! The spec parser's and the model loader's robustness properties
//! (`pipelab::persist::robustness`, the same checks the fuzz targets
//! `spec_json` and `model_file` run with `scripts/fuzz.sh`) on seeded random
//! mutations of real specs and model files: no panic, every error says
//! something, what loads round-trips and predicts. Deterministic (ChaCha8,
//! fixed seed) so a failure reproduces; the failing input is printed.
//!
//! Seeds: a spec for every registered model and every registered step, a few
//! full specs (ColumnTransformer, hold-out, search, cv, scoring, types), and
//! model files fitted from them on the shared data sets. Mutations are both
//! structural (on the parsed JSON: replace a value by another type or an
//! extreme number, drop a key, empty or grow an array, swap two subtrees) and
//! byte-level (as tests/csv_mutations.rs), so they reach the validators, not
//! just the JSON syntax errors.
//!
//! `PIPELAB_WRITE_FUZZ_SEEDS=DIR cargo test --test library model_mutations::write_fuzz_seeds`
//! writes the seeds as files (scripts/fuzz.sh does it for the fuzz corpora).

use std::panic::{catch_unwind, AssertUnwindSafe};

use pipelab::data::{read_csv, ReadOptions, Table};
use pipelab::persist::robustness::{check_model_on, check_spec_on};
use pipelab::persist::ModelFile;
use pipelab::pipeline::{ModelSpec, StepSpec};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

fn load(name: &str) -> Table {
    let bytes = std::fs::read(format!("{}/www/datasets/{name}.csv", env!("CARGO_MANIFEST_DIR"))).unwrap();
    read_csv(&bytes, &ReadOptions::default()).unwrap().0
}

/// Full specs exercising every part of the format.
fn full_specs() -> Vec<Value> {
    vec![
        json!({"target": "survived", "drop": ["passenger_id", "name"], "types": {"pclass": "categorical"},
            "preprocess": {"transformers": [
                {"name": "num", "columns": {"dtype": "numeric"}, "steps": [{"SimpleImputer": {"strategy": "median"}}, {"StandardScaler": {}}]},
                {"name": "cat", "columns": {"names": ["sex", "embarked", "pclass"]}, "steps": [{"SimpleImputer": {"strategy": "most_frequent"}}, {"OneHotEncoder": {"handle_unknown": "ignore"}}]}
            ], "remainder": "drop"},
            "model": {"LogisticRegression": {"C": 1.0}},
            "cv": {"StratifiedKFold": {"n_splits": 3, "shuffle": true, "random_state": 1}},
            "scoring": ["accuracy", "roc_auc"], "random_state": 3,
            "holdout": {"test_size": 0.2, "shuffle": true, "stratify": true, "random_state": 0}}),
        json!({"target": "species", "steps": [{"StandardScaler": {}}, {"PCA": {"n_components": 2}}], "model": {"SVC": {"C": 1.0}},
            "search": {"GridSearchCV": {"param_grid": {"model__C": [0.1, 1, 10]}, "scoring": "accuracy", "refit": true}}}),
        json!({"target": "target", "steps": [{"PolynomialFeatures": {"degree": 2}}], "model": {"Ridge": {"alpha": 0.5}},
            "search": {"RandomizedSearchCV": {"param_distributions": {"model__alpha": {"loguniform": [0.001, 100]}}, "n_iter": 4, "random_state": 0}}}),
        json!({"target": "class", "model": {"DecisionTreeClassifier": {"max_depth": 3}}, "cv": {"KFold": {"n_splits": 4}}}),
        json!({"model": {"KMeans": {"n_clusters": 3}}, "steps": [{"StandardScaler": {}}]}),
    ]
}

/// A spec per registered model and per registered step, with default parameters.
fn registry_specs() -> Vec<Value> {
    let mut out = Vec::new();
    for m in ModelSpec::all_defaults() {
        out.push(json!({"target": "y", "model": serde_json::to_value(&m).unwrap()}));
    }
    let model = serde_json::to_value(ModelSpec::all_defaults().remove(0)).unwrap();
    for s in StepSpec::all_defaults() {
        out.push(json!({"target": "y", "steps": [serde_json::to_value(&s).unwrap()], "model": model}));
    }
    out
}

fn spec_seeds() -> Vec<Vec<u8>> {
    full_specs().into_iter().chain(registry_specs()).map(|v| serde_json::to_vec_pretty(&v).unwrap()).collect()
}

/// Model files fitted on the shared data sets (small models: the mutations copy them many times).
fn model_seeds() -> Vec<Vec<u8>> {
    let fits: Vec<(&str, Value)> = vec![
        ("titanic_like", full_specs()[0].clone()),
        ("iris", full_specs()[1].clone()),
        ("diabetes", json!({"target": "target", "steps": [{"StandardScaler": {}}], "model": {"Ridge": {"alpha": 0.5}}})),
        ("wine", full_specs()[3].clone()),
        ("iris", json!({"target": "species", "model": {"KNeighborsClassifier": {"n_neighbors": 3}}})),
        ("iris", json!({"target": "species", "model": {"GaussianNB": {}}})),
        ("diabetes", json!({"target": "target", "model": {"RandomForestRegressor": {"n_estimators": 3, "max_depth": 3}}})),
        ("iris", json!({"target": "species", "model": {"HistGradientBoostingClassifier": {"max_iter": 3, "max_depth": 2}}})),
        (
            "titanic_like",
            json!({"target": "survived", "drop": ["name"], "preprocess": {"transformers": [
            {"name": "cat", "columns": {"dtype": "categorical"}, "steps": [{"SimpleImputer": {"strategy": "most_frequent"}}, {"OrdinalEncoder": {}}]},
            {"name": "num", "columns": {"dtype": "numeric"}, "steps": [{"SimpleImputer": {}}]}], "remainder": "drop"},
            "model": {"LinearSVC": {}}}),
        ),
    ];
    let mut out = Vec::new();
    for (data, mut spec) in fits {
        // Fit without the search and hold-out blocks (a plain fit of the spec).
        spec.as_object_mut().unwrap().remove("search");
        let t = load(data);
        let m = pipelab::api::fit_model(&t, &spec.to_string(), None).unwrap_or_else(|e| panic!("seed fit of {spec} on {data}: {e}"));
        out.push(m.to_json().unwrap().into_bytes());
    }
    let km = pipelab::api::fit_clustering_model(&load("iris"), &json!({"drop": ["species"], "model": {"KMeans": {"n_clusters": 3}}}).to_string()).unwrap().0;
    out.push(km.to_json().unwrap().into_bytes());
    out
}

/// Values that break assumptions: other types, extremes, empty things.
fn odd_value(rng: &mut ChaCha8Rng) -> Value {
    match rng.random_range(0..14) {
        0 => Value::Null,
        1 => json!(-1),
        2 => json!(0),
        3 => json!(1e308),
        4 => json!(-1e308),
        5 => json!(u64::MAX),
        6 => json!(""),
        7 => json!("x"),
        8 => json!([]),
        9 => json!({}),
        10 => json!(true),
        11 => json!(0.5),
        12 => json!(1_000_000_000),
        _ => json!([1, 2, 3]),
    }
}

/// Every JSON pointer in `v` (its subtrees).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| pointers(c, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| pointers(c, format!("{at}/{i}"), out)),
        _ => {}
    }
    out.push(at);
}

fn mutate_structure(rng: &mut ChaCha8Rng, v: &mut Value) {
    for _ in 0..rng.random_range(1..=3) {
        let mut ps = Vec::new();
        pointers(v, String::new(), &mut ps);
        let p = ps[rng.random_range(0..ps.len())].clone();
        let other = ps[rng.random_range(0..ps.len())].clone();
        let copy = v.pointer(&other).cloned();
        let Some(node) = v.pointer_mut(&p) else { continue };
        match rng.random_range(0..6) {
            0 | 1 => *node = odd_value(rng),
            2 => match node {
                Value::Object(m) if !m.is_empty() => {
                    let k = m.keys().nth(rng.random_range(0..m.len())).cloned().unwrap_or_default();
                    m.remove(&k);
                }
                Value::Array(a) if !a.is_empty() => {
                    a.truncate(rng.random_range(0..a.len()));
                }
                _ => *node = odd_value(rng),
            },
            3 => match node {
                Value::Array(a) if !a.is_empty() => {
                    let x = a[rng.random_range(0..a.len())].clone();
                    a.push(x);
                }
                Value::Number(n) => *node = json!(-n.as_f64().unwrap_or(0.0)),
                _ => *node = odd_value(rng),
            },
            // Another subtree of the same file where this one was (shape confusion).
            4 => {
                if let Some(c) = copy {
                    *node = c;
                }
            }
            _ => {
                if let Value::Number(n) = node {
                    *node = json!(n.as_f64().unwrap_or(0.0) * 1e6 + 1.0);
                } else {
                    *node = odd_value(rng);
                }
            }
        }
    }
}

const SPECIAL: &[u8] = b"{}[]\":,0123456789-+.eE \n\\ntfu\xff\0";

fn mutate_bytes(rng: &mut ChaCha8Rng, v: &mut Vec<u8>) {
    for _ in 0..rng.random_range(1..=4) {
        let n = v.len();
        if n == 0 {
            v.push(SPECIAL[rng.random_range(0..SPECIAL.len())]);
            continue;
        }
        let at = rng.random_range(0..n);
        match rng.random_range(0..4) {
            0 => v[at] = SPECIAL[rng.random_range(0..SPECIAL.len())],
            1 => v.insert(at, SPECIAL[rng.random_range(0..SPECIAL.len())]),
            2 => {
                let end = (at + rng.random_range(1..32)).min(n);
                v.drain(at..end);
            }
            _ => v.truncate(at),
        }
    }
}

fn mutate(rng: &mut ChaCha8Rng, seed: &[u8]) -> Vec<u8> {
    if rng.random_range(0..4) == 0 {
        let mut v = seed.to_vec();
        mutate_bytes(rng, &mut v);
        return v;
    }
    let mut v: Value = serde_json::from_slice(seed).unwrap();
    mutate_structure(rng, &mut v);
    serde_json::to_vec(&v).unwrap()
}

fn run(name: &str, seeds: &[Vec<u8>], n: usize, seed: u64, check: fn(&[u8]) -> Result<(), String>) -> (usize, Vec<String>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut failures = Vec::new();
    let mut loaded = 0;
    for i in 0..n {
        let input = mutate(&mut rng, &seeds[i % seeds.len()]);
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&input)));
        let problem = match outcome {
            Ok(Ok(())) => {
                if name == "model" && ModelFile::from_bytes(&input).is_ok()
                    || name == "spec" && pipelab::pipeline::PipelineSpec::from_json(&String::from_utf8_lossy(&input)).is_ok()
                {
                    loaded += 1;
                }
                continue;
            }
            Ok(Err(v)) => v,
            Err(p) => format!("panic: {}", p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()),
        };
        let shown = String::from_utf8_lossy(&input);
        let shown: String = shown.chars().take(4000).collect();
        failures.push(format!("{name} case {i}: {problem}\n  input: {shown}"));
        if failures.len() >= 3 {
            break;
        }
    }
    (loaded, failures)
}

#[test]
fn seeded_spec_mutations_never_panic_and_round_trip() {
    let seeds = spec_seeds();
    assert!(seeds.len() > 40, "a spec per model and step; found {}", seeds.len());
    for s in &seeds {
        assert_eq!(check_spec_on(s), Ok(()), "a seed spec must pass: {}", String::from_utf8_lossy(s));
    }
    let (parsed, failures) = run("spec", &seeds, 20_000, 20261203, check_spec_on);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The mutations reach past the syntax: a good share still parses as a spec (then round-trips).
    assert!(parsed > 1000, "only {parsed} of 20000 mutated specs parsed: the mutations do not reach the spec's validation");
}

#[test]
fn seeded_model_file_mutations_never_panic_and_predict() {
    let seeds = model_seeds();
    for s in &seeds {
        assert_eq!(check_model_on(s), Ok(()), "a seed model must pass");
        assert!(ModelFile::from_bytes(s).is_ok());
    }
    let (loaded, failures) = run("model", &seeds, 3_000, 20261204, check_model_on);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(loaded > 100, "only {loaded} of 3000 mutated model files loaded: the mutations do not reach prediction");
}

/// Found by the model_file fuzzer (an hour's run, 2026-12-04): a two-class LogisticRegression file
/// whose `n_classes` was edited to 1 loaded, predicted one probability column for two `proba_`
/// headers, and wrote a ragged CSV. Prediction now refuses it, naming the inconsistency.
#[test]
fn a_model_that_disagrees_with_its_target_on_the_classes_is_refused_at_predict() {
    let seed = String::from_utf8(model_seeds().swap_remove(0)).unwrap();
    assert!(seed.contains("\"n_classes\":2"), "the titanic seed is a two-class LogisticRegression");
    let edited = seed.replacen("\"n_classes\":2", "\"n_classes\":1", 1);
    assert_eq!(check_model_on(edited.as_bytes()), Ok(()));
    let m = ModelFile::from_bytes(edited.as_bytes()).expect("it loads: the shapes are consistent");
    let table = pipelab::persist::robustness::probe_table(&m).expect("a table in the model's schema");
    let e = m.pipeline.predict(&table).unwrap_err().to_string();
    assert_eq!(e, "model file: the model gives probabilities for 1 classes but the file's target lists 2: the file is inconsistent");
}

#[test]
fn the_model_loader_checks_the_size_before_parsing() {
    // One byte over the limit is refused by its length alone (the bytes are not JSON at all).
    let big = vec![b' '; pipelab::persist::MAX_MODEL_BYTES + 1];
    let e = ModelFile::from_bytes(&big).unwrap_err().to_string();
    assert!(e.contains("larger than the 256 MB limit"), "{e}");
    assert!(ModelFile::check_size(pipelab::persist::MAX_MODEL_BYTES as u64).is_ok());
    assert!(ModelFile::check_size(1 << 40).unwrap_err().to_string().contains("1048576 MB"));
    // Not UTF-8: said so, with the byte.
    let e = ModelFile::from_bytes(b"{\"format\": \"\xff\"}").unwrap_err().to_string();
    assert!(e.contains("not UTF-8") && e.contains("byte 12"), "{e}");
}

#[test]
fn write_fuzz_seeds() {
    // Only when asked (scripts/fuzz.sh): writes the seeds as the fuzz corpora.
    let Ok(dir) = std::env::var("PIPELAB_WRITE_FUZZ_SEEDS") else { return };
    for (sub, seeds) in [("spec_json", spec_seeds()), ("model_file", model_seeds())] {
        let d = std::path::Path::new(&dir).join(sub);
        std::fs::create_dir_all(&d).unwrap();
        for (i, s) in seeds.iter().enumerate() {
            std::fs::write(d.join(format!("seed_{i:03}.json")), s).unwrap();
        }
    }
}
