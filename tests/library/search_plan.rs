//! The stepwise search driver the page's worker pool uses (`search::plan` →
//! `search::evaluate_task` on any worker → `search::finish`) gives exactly the
//! report of `search::run` (the CLI's path), whatever the pool size and the
//! order the workers finish in; and the page's grid search on breast cancer
//! matches entry i_breast_cancer_gridsearch_logreg_C.

use crate::support;

use pipelab::data::Table;
use pipelab::pipeline::PipelineSpec;
use pipelab::selection::cv::CvHooks;
use pipelab::selection::search::{self, CandidateResult, SearchReport};
use support::*;

fn hooks() -> CvHooks<'static> {
    // A leaked no-op progress callback: tests only.
    CvHooks { threads: 1, now_ms: &|| 0.0, progress: Box::leak(Box::new(|_, _| true)), stop: None }
}

/// Fit times are wall-clock: the only field allowed to differ between runs.
fn strip(mut r: SearchReport) -> SearchReport {
    r.cv_results.iter_mut().for_each(|c| c.mean_fit_time_ms = 0.0);
    r
}

/// Simulates the page: `workers` workers take the plan's candidates round-robin,
/// each finishing in its own order (last worker first), results put back in plan order.
fn pool_run(table: &Table, spec: &PipelineSpec, workers: usize) -> (SearchReport, usize) {
    let mut results: Vec<CandidateResult> = Vec::new();
    let mut plans = 0;
    loop {
        let plan = search::plan(spec, table.n_rows, &results, 0.0).unwrap();
        if plan.candidates.is_empty() {
            break;
        }
        plans += 1;
        assert!(plan.total >= results.len() + plan.candidates.len(), "total {} is an upper bound", plan.total);
        let mut slots: Vec<Option<CandidateResult>> = vec![None; plan.candidates.len()];
        for w in (0..workers).rev() {
            for i in (w..plan.candidates.len()).step_by(workers).rev() {
                slots[i] = Some(search::evaluate_task(table, spec, &plan.candidates[i], &plan, hooks()));
            }
        }
        results.extend(slots.into_iter().map(|s| s.unwrap()));
    }
    (search::finish(spec, results).unwrap(), plans)
}

const IRIS_BASE: &str = r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":500}},"cv":{"StratifiedKFold":{"n_splits":3}},"random_state":3,"#;

#[test]
fn pool_order_and_size_do_not_change_the_report() {
    let t = dataset("iris");
    for (search, min_plans) in [
        (r#""search":{"GridSearchCV":{"param_grid":{"model__C":[0.01,0.1,1,10],"StandardScaler__with_mean":[true,false]}}}}"#, 1),
        (
            r#""search":{"RandomizedSearchCV":{"param_distributions":{"model__C":{"loguniform":[0.001,100]},"StandardScaler__with_mean":[true,false]},"n_iter":6}}}"#,
            1,
        ),
        // 4 random initial points in one batch, then one trial per plan.
        (r#""search":{"BayesSearchCV":{"search_spaces":{"model__C":{"loguniform":[0.001,100]}},"n_iter":8,"n_initial_points":4}}}"#, 5),
        // One plan per round.
        (r#""search":{"HalvingGridSearchCV":{"param_grid":{"model__C":[0.001,0.01,0.1,1,10,100]},"factor":2,"min_resources":40}}}"#, 3),
    ] {
        let spec = PipelineSpec::from_json(&format!("{IRIS_BASE}{search}")).unwrap();
        let cli = strip(search::run(&t, &spec, hooks()).unwrap());
        for workers in [1, 3, 8] {
            let (page, plans) = pool_run(&t, &spec, workers);
            assert_eq!(strip(page), cli, "{workers} workers: {search}");
            assert_eq!(plans, min_plans, "{search}");
        }
    }
}

#[test]
fn bayes_time_budget_stops_planning() {
    let t = dataset("iris");
    let spec = PipelineSpec::from_json(&format!(
        r#"{IRIS_BASE}"search":{{"BayesSearchCV":{{"search_spaces":{{"model__C":{{"loguniform":[0.001,100]}}}},"n_iter":8,"n_initial_points":3,"max_time_s":1}}}}}}"#
    ))
    .unwrap();
    let first = search::plan(&spec, t.n_rows, &[], 5000.0).unwrap();
    assert_eq!(first.candidates.len(), 3, "nothing evaluated yet: the budget does not stop the first batch");
    let done: Vec<CandidateResult> = first.candidates.iter().map(|c| search::evaluate_task(&t, &spec, c, &first, hooks())).collect();
    assert_eq!(search::plan(&spec, t.n_rows, &done, 999.0).unwrap().candidates.len(), 1);
    assert!(search::plan(&spec, t.n_rows, &done, 1001.0).unwrap().candidates.is_empty());
}

#[test]
fn halving_plan_tells_rows_and_totals() {
    let t = dataset("iris");
    let spec = PipelineSpec::from_json(&format!(
        r#"{IRIS_BASE}"search":{{"HalvingGridSearchCV":{{"param_grid":{{"model__C":[0.001,0.01,0.1,1,10,100]}},"factor":2,"min_resources":40}}}}}}"#
    ))
    .unwrap();
    let p = search::plan(&spec, t.n_rows, &[], 0.0).unwrap();
    assert_eq!((p.candidates.len(), p.iteration, p.n_resources, p.total), (6, 0, Some(40), 6 + 3 + 2));
    let rows = search::halving_rows(150, 40, p.seed);
    assert_eq!(rows.len(), 40);
    assert!(rows.windows(2).all(|w| w[0] < w[1]));
    // Each round's rows contain the previous round's.
    let more = search::halving_rows(150, 80, p.seed);
    assert!(rows.iter().all(|r| more.contains(r)));
    // A partly evaluated round plans only its remaining candidates.
    let one = search::evaluate_task(&t, &spec, &p.candidates[0], &p, hooks());
    assert_eq!(one.n_resources, 40);
    let rest = search::plan(&spec, t.n_rows, &[one], 0.0).unwrap();
    assert_eq!(rest.candidates, p.candidates[1..].to_vec());
}

/// Entry i_breast_cancer_gridsearch_logreg_C through the page's path: best C exact, best score abs 0.005,
/// and the per-fold scores of the converged candidates to 1e-9.
#[test]
fn breast_cancer_grid_through_the_plan_matches_the_oracle() {
    let e = entry("i_breast_cancer_gridsearch_logreg_C");
    let t = dataset("breast_cancer");
    let spec = PipelineSpec::from_json(
        r#"{"target":"diagnosis","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{"max_iter":1000}},
            "cv":{"StratifiedKFold":{"n_splits":5}},
            "search":{"GridSearchCV":{"param_grid":{"model__C":[0.01,0.1,1,10]},"scoring":"accuracy"}}}"#,
    )
    .unwrap();
    let (r, _) = pool_run(&t, &spec, 3);
    assert_eq!(r.best_params["model__C"].as_f64().unwrap(), e["results"]["best_C"].as_f64().unwrap());
    assert_abs("best_score", r.best_score, e["results"]["best_score"].as_f64().unwrap(), 0.005);
    for c in ["0.01", "0.1", "1"] {
        let got = r.cv_results.iter().find(|x| x.params["model__C"].as_f64().unwrap() == c.parse::<f64>().unwrap()).unwrap();
        assert_all_abs(&format!("C={c}"), &got.split_test_scores, &floats(&e["results"]["split_test_scores"][c]), 1e-9);
    }
    // The refit spec carries the best C and no search block.
    let best = search::apply_params(&spec, &r.best_params).unwrap();
    assert!(best.search.is_none());
    assert_eq!(serde_json::to_value(&best).unwrap()["model"]["LogisticRegression"]["C"], serde_json::json!(1.0));
}
