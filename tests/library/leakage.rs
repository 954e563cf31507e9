//! The leakage lab and the leak warning (src/selection/leakage.rs), natively and through the CLI.
//!
//! Tolerances are chance-level bounds from the binomial distribution, not a
//! fixture: the demo's features and labels are pure noise, so a model that
//! learned nothing gets Binomial(n, 1/2) of its n out-of-fold answers right.
//! The right way must stay within the central 99.9 % of that distribution; the
//! wrong way must exceed what chance reaches with probability 1e-6.

use std::process::Command;

use pipelab::api;
use pipelab::selection::cv::CvHooks;

/// P(X ≤ k) for X ~ Binomial(n, 1/2).
fn binom_cdf(k: usize, n: usize) -> f64 {
    let mut log_c = 0.0f64;
    let mut total = 0.0;
    for i in 0..=k {
        if i > 0 {
            log_c += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        total += (log_c - n as f64 * std::f64::consts::LN_2).exp();
    }
    total
}

/// Accuracies [lo, hi] outside which a chance-level classifier on n rows falls with probability ≤ alpha per tail.
fn chance_bounds(n: usize, alpha: f64) -> (f64, f64) {
    let mut lo = 0;
    while binom_cdf(lo, n) <= alpha {
        lo += 1;
    }
    let mut hi = n;
    while 1.0 - binom_cdf(hi - 1, n) <= alpha {
        hi -= 1;
    }
    (lo as f64 / n as f64, hi as f64 / n as f64)
}

fn run<T>(f: impl FnOnce(CvHooks) -> pipelab::Result<T>) -> T {
    let now = || 0.0;
    f(CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None }).unwrap()
}

#[test]
fn binomial_bounds_are_what_they_say() {
    assert!((binom_cdf(60, 60) - 1.0).abs() < 1e-12);
    // P(X ≤ 30) = 1/2 + C(60, 30) / 2^61.
    assert!((binom_cdf(30, 60) - 0.551_289_1).abs() < 1e-6, "{}", binom_cdf(30, 60));
    let (lo, hi) = chance_bounds(60, 0.0005);
    assert!(lo < 0.5 && hi > 0.5 && (0.5 - lo - (hi - 0.5)).abs() < 1e-12);
}

#[test]
fn the_classic_demo_leaks_the_wrong_way_and_stays_at_chance_the_right_way() {
    let p = api::DemoParams::default();
    assert_eq!((p.n_rows, p.n_features, p.k, p.seed), (60, 2000, 20, 0));
    let (lo, hi) = chance_bounds(p.n_rows, 0.0005);
    let far = chance_bounds(p.n_rows, 1e-6).1;
    for seed in [0, 1, 2] {
        let demo = run(|h| api::leakage_demo(&api::DemoParams { seed, ..p }, h));
        let r = &demo.report;
        let right = r.right["accuracy"].mean;
        let wrong = r.wrong["accuracy"].mean;
        eprintln!("seed {seed}: right way {right:.4}, wrong way {wrong:.4} (chance bounds [{lo:.3}, {hi:.3}], far ≥ {far:.3})");
        assert!((lo..=hi).contains(&right), "seed {seed}: right way {right} outside [{lo}, {hi}]");
        assert!(wrong >= far, "seed {seed}: wrong way {wrong} < {far}");
        assert_eq!(r.majority_share, Some(0.5));
        assert_eq!(r.n_rows, 60);
        // Every row is a test row exactly once, and SelectKBest saw all of them the wrong way.
        let mut tested: Vec<usize> = r.folds.iter().flat_map(|f| f.test_rows.clone()).collect();
        tested.sort_unstable();
        assert_eq!(tested, (0..60).collect::<Vec<_>>());
        assert_eq!(
            r.stages.iter().map(|s| (s.name.as_str(), s.wrong_way_saw_test_rows)).collect::<Vec<_>>(),
            [("SelectKBest", true), ("LogisticRegression", false)]
        );
    }
}

#[test]
fn without_a_target_aware_step_both_ways_agree() {
    // StandardScaler only learns means and variances: fitting it on every row leaks almost nothing.
    let csv = std::fs::read("www/datasets/iris.csv").unwrap();
    let (table, _) = api::load_table(&csv, "").unwrap();
    let spec = r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":1000}},"cv":{"StratifiedKFold":{"n_splits":5}},"scoring":["accuracy"]}"#;
    let r = run(|h| api::leakage(&table, spec, h));
    let (right, wrong) = (r.right["accuracy"].mean, r.wrong["accuracy"].mean);
    assert!((right - wrong).abs() <= 0.02, "right {right} wrong {wrong}");
    // The right way is the ordinary cross-validation, fold for fold.
    let cv = run(|h| api::cross_validate(&table, spec, h));
    assert_eq!(r.right["accuracy"], cv.metrics["accuracy"]);
}

#[test]
fn the_lab_refuses_clustering_and_cancels() {
    let csv = std::fs::read("www/datasets/iris.csv").unwrap();
    let (table, _) = api::load_table(&csv, "").unwrap();
    let now = || 0.0;
    let e = api::leakage(&table, r#"{"model":{"KMeans":{}}}"#, CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None }).unwrap_err();
    assert!(e.to_string().contains("supervised"), "{e}");
    let mut seen = Vec::new();
    let spec = r#"{"target":"species","model":{"GaussianNB":{}},"cv":{"StratifiedKFold":{"n_splits":3}}}"#;
    let e = api::leakage(
        &table,
        spec,
        CvHooks {
            stop: None,
            threads: 1,
            now_ms: &now,
            progress: &mut |d, t| {
                seen.push((d, t));
                d < 4
            },
        },
    )
    .unwrap_err();
    assert!(matches!(e, pipelab::Error::Cancelled), "{e}");
    assert_eq!(seen, [(1, 6), (2, 6), (3, 6), (4, 6)], "both cross-validations count toward one total");
    assert!(api::leakage_demo(
        &api::DemoParams { n_rows: 100_000, n_features: 100_000, ..Default::default() },
        CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None }
    )
    .unwrap_err()
    .to_string()
    .contains("cells"));
}

/// A table with a column that is the target in disguise.
fn leaky_csv(classification: bool) -> Vec<u8> {
    let mut s = String::from("x1,x2,leak,y\n");
    for i in 0..100usize {
        let y = if classification { (i * 37 % 2) as f64 } else { ((i * 17) % 23) as f64 + (i % 5) as f64 * 0.3 };
        let leak = if classification {
            if y > 0.5 {
                10.0 + (i % 3) as f64
            } else {
                -10.0 - (i % 3) as f64
            }
        } else {
            3.0 * y - 1.0 + ((i * 7) % 3) as f64 * 0.01
        };
        s.push_str(&format!("{},{},{leak},{y}\n", (i * 13) % 7, (i * 5) % 11));
    }
    s.into_bytes()
}

#[test]
fn cross_validation_names_a_feature_that_is_the_answer() {
    for (classification, model, how) in [(false, "LinearRegression", "|correlation|"), (true, "LogisticRegression", "one-feature tree")] {
        let (table, _) = api::load_table(&leaky_csv(classification), "").unwrap();
        let spec = format!(r#"{{"target":"y","model":{{"{model}":{{}}}}}}"#);
        let r = run(|h| api::cross_validate(&table, &spec, h));
        let leaks: Vec<&String> = r.warnings.iter().filter(|w| w.contains("leaking")).collect();
        assert_eq!(leaks.len(), 1, "{model}: {:?}", r.warnings);
        assert!(leaks[0].contains("column 'leak' predicts the target 'y' almost perfectly on its own") && leaks[0].contains(how), "{}", leaks[0]);
        assert!(leaks[0].contains("on the 100 training rows"), "{}", leaks[0]);
    }
}

#[test]
fn the_leak_check_is_measured_on_the_training_part_only() {
    // With a hold-out part, only the rows cross-validation uses are counted.
    let (table, _) = api::load_table(&leaky_csv(false), "").unwrap();
    let spec = r#"{"target":"y","model":{"LinearRegression":{}},"holdout":{"test_size":0.25,"random_state":0}}"#;
    let r = run(|h| api::cross_validate(&table, spec, h));
    assert!(r.warnings.iter().any(|w| w.contains("on the 75 training rows")), "{:?}", r.warnings);
}

#[test]
fn the_example_data_sets_raise_no_leak_warning() {
    for (file, target, model) in [
        ("iris.csv", "species", "LogisticRegression"),
        ("diabetes.csv", "target", "LinearRegression"),
        ("breast_cancer.csv", "diagnosis", "GaussianNB"),
        ("wine.csv", "class", "GaussianNB"),
    ] {
        let (table, _) = api::load_table(&std::fs::read(format!("www/datasets/{file}")).unwrap(), "").unwrap();
        let spec = format!(r#"{{"target":"{target}","model":{{"{model}":{{}}}},"scoring":[]}}"#);
        let prep = pipelab::pipeline::prepare(&table, &pipelab::pipeline::PipelineSpec::from_json(&spec).unwrap()).unwrap();
        let w = pipelab::selection::leakage::leak_warnings(&table, &prep);
        assert!(w.is_empty(), "{file}: {w:?}");
    }
}

fn pipelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn cli_leakage_demo_and_spec() {
    let (code, out, err) = pipelab(&["leakage", "--demo", "--rows", "40", "--features", "500", "--k", "10", "--seed", "4"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["params"]["n_features"], 500);
    assert_eq!(v["spec"]["steps"][0]["SelectKBest"]["k"], 10);
    let wrong = v["report"]["wrong"]["accuracy"]["mean"].as_f64().unwrap();
    let right = v["report"]["right"]["accuracy"]["mean"].as_f64().unwrap();
    assert!(wrong > right + 0.2, "wrong {wrong} right {right}");
    assert!(err.contains("right way (steps fitted inside each fold)") && err.contains("wrong way (steps fitted on all rows first)"), "{err}");
    // The same as the library's.
    let demo = run(|h| api::leakage_demo(&api::DemoParams { n_rows: 40, n_features: 500, k: 10, seed: 4 }, h));
    assert_eq!(wrong, demo.report.wrong["accuracy"].mean);

    let dir = std::env::temp_dir().join(format!("pipelab-leakage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("leaky.csv");
    std::fs::write(&data, leaky_csv(false)).unwrap();
    let spec = dir.join("spec.json");
    std::fs::write(&spec, r#"{"target":"y","steps":[{"StandardScaler":{}}],"model":{"Ridge":{}},"scoring":["rmse"]}"#).unwrap();
    let (code, out, err) = pipelab(&["leakage", "--data", data.to_str().unwrap(), "--spec", spec.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["metric"], "rmse");
    assert_eq!(v["greater_is_better"], false);
    assert!(err.contains("rmse (lower is better)"), "{err}");
    assert!(v["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("column 'leak'")));
    // `cv` prints the leak warning in its JSON.
    let (code, out, err) = pipelab(&["cv", "--data", data.to_str().unwrap(), "--spec", spec.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("column 'leak' predicts the target 'y' almost perfectly"), "{out}");

    let (code, _, err) = pipelab(&["leakage", "--demo", "--data", "x.csv"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = pipelab(&["leakage", "--data", data.to_str().unwrap(), "--spec", spec.to_str().unwrap(), "--seed", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--seed goes with --demo"), "{err}");
}
