//! The lesson in the core (issue 15 §3, §4): every step, model and metric is explained in
//! the catalogue and `pipelab catalog` / `catalog --markdown` print it; every metric a
//! clustering report holds is explained; `pipelab summary` says which column it would
//! predict, why, and whether to ask first.

use std::process::Command;

use pipelab::estimator::Task;
use pipelab::pipeline::explain;

fn pipelab(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    assert!(out.status.success(), "pipelab {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn nonempty(v: &serde_json::Value, part: &str, who: &str) {
    let t = v[part].as_str().unwrap_or_else(|| panic!("{who}: no {part} in {v}"));
    assert!(t.len() > 20, "{who}: {part} {t:?}");
}

#[test]
fn pipelab_catalog_prints_every_explanation() {
    let v: serde_json::Value = serde_json::from_str(&pipelab(&["catalog"])).unwrap();
    let mut n = 0;
    for kind in ["steps", "models"] {
        for c in v[kind].as_array().unwrap() {
            let name = c["name"].as_str().unwrap();
            for part in ["what", "when", "pitfall"] {
                nonempty(&c["explain"], part, name);
            }
            n += 1;
        }
    }
    assert_eq!(n, pipelab::pipeline::StepSpec::catalog().len() + pipelab::pipeline::ModelSpec::catalog().len());
    let ex = &v["metric_explanations"];
    for task in ["classification", "regression"] {
        for m in v["metrics"][task].as_array().unwrap() {
            let m = m.as_str().unwrap();
            for part in ["what", "when", "pitfall"] {
                nonempty(&ex[m], part, m);
            }
        }
    }
    for m in explain::CLUSTERING_METRICS {
        nonempty(&ex[*m], "pitfall", m);
    }
}

#[test]
fn catalog_markdown_prints_the_paragraphs_and_spec_md_has_them() {
    let md = pipelab(&["catalog", "--markdown"]);
    assert_eq!(md.trim_end(), pipelab::pipeline::catalog_markdown().trim_end());
    for name in ["StandardScaler", "HistGradientBoostingRegressor", "rmse", "log_loss", "silhouette"] {
        let e = explain::component(name).or_else(|| explain::metric(name)).unwrap();
        assert!(md.contains(&format!("- **`{name}`**: {}", e.paragraph())), "{name} in catalog --markdown");
    }
    let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SPEC.md")).unwrap();
    assert!(
        spec.contains(&explain::markdown_for_catalog()),
        "SPEC.md's explanations differ from the catalogue: replace them with `pipelab catalog --markdown`"
    );
}

#[test]
fn every_metric_of_a_clustering_report_is_explained() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/datasets/iris.csv")).unwrap();
    let (table, _) = pipelab::api::load_table(&bytes, "").unwrap();
    let spec = r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"KMeans":{"n_clusters":3,"random_state":0}}}"#;
    let report = pipelab::api::evaluate_clustering(&table, spec).unwrap();
    assert_eq!(report.metrics.len(), 6, "{:?}", report.metrics.keys());
    for m in report.metrics.keys() {
        assert!(explain::metric(m).is_some(), "clustering metric {m} has no explanation");
        assert!(explain::CLUSTERING_METRICS.contains(&m.as_str()), "{m} missing from CLUSTERING_METRICS");
    }
}

#[test]
fn summary_says_which_column_to_predict_why_and_whether_to_ask() {
    let guess = |file: &str| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(&pipelab(&["summary", "--data", &format!("www/datasets/{file}")])).unwrap();
        v["target_guess"].clone()
    };
    let g = guess("iris.csv");
    assert_eq!((g["column"].as_str(), g["task"].as_str(), g["ask"].as_bool()), (Some("species"), Some("classification"), Some(false)));
    assert_eq!(g["reason"], "species is the last column; species is text with 3 classes: classification");
    let g = guess("diabetes.csv");
    assert_eq!((g["column"].as_str(), g["task"].as_str(), g["ask"].as_bool()), (Some("target"), Some("regression"), Some(false)));
    // housing_like's last column, price, is continuous and not named like a target: asked about.
    let g = guess("housing_like.csv");
    assert_eq!((g["column"].as_str(), g["task"].as_str(), g["ask"].as_bool()), (Some("price"), Some("regression"), Some(true)));
    assert!(g["reason"].as_str().unwrap().contains("(continuous)"), "{g}");
    // wine's class holds the whole numbers 0, 1, 2: classes.
    let g = guess("wine.csv");
    assert_eq!((g["column"].as_str(), g["task"].as_str()), (Some("class"), Some("classification")));
    // Each column says what it would make as the target (the page's reason when the user picks it).
    let v: serde_json::Value = serde_json::from_str(&pipelab(&["summary", "--data", "www/datasets/titanic_like.csv"])).unwrap();
    let col = |n: &str| v["columns"].as_array().unwrap().iter().find(|c| c["name"] == n).unwrap()["as_target"].clone();
    assert_eq!(col("survived")["task"], serde_json::json!(Task::Classification));
    assert_eq!(col("passenger_id")["plausible"], false);
    assert_eq!(col("name")["plausible"], false);
    assert_eq!(col("fare")["task"], "regression");
}
