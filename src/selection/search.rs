//! Hyperparameter search: `GridSearchCV`, `RandomizedSearchCV`, `BayesSearchCV`
//! (a seeded Tree-structured Parzen Estimator) and `HalvingGridSearchCV`.
//!
//! Parameters are addressed as scikit-learn addresses them in a pipeline:
//! - `model__C` — a parameter of the model;
//! - `StandardScaler__with_mean` (or `standardscaler__with_mean`) — a top-level step, by class name;
//!   `PolynomialFeatures_1__degree` picks the second of two steps of the same class;
//! - `num__SimpleImputer__strategy` — a step inside the ColumnTransformer branch named `num`.
//!
//! One stepwise driver runs every search: [`plan`] (the candidates that can
//! run now, given the results so far) → [`evaluate_task`] (one per candidate,
//! on the CLI's threads or the page's worker pool) → [`finish`] (ranking);
//! [`run_with`] loops over it for a caller that evaluates a batch at a time.
//! The results do not depend on how many workers evaluate them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::data::Table;
use crate::metrics;
use crate::pipeline::PipelineSpec;
use crate::selection::cv::{cross_validate, CvHooks};
use crate::{Error, Result};

pub use crate::pipeline::search_spec::{BayesParams, Distribution, GridParams, HalvingParams, ParamSet, RandomParams, SearchSpec};

/// One evaluated candidate (a row of `cv_results_`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateResult {
    pub params: ParamSet,
    pub mean_test_score: f64,
    pub std_test_score: f64,
    pub split_test_scores: Vec<f64>,
    pub mean_train_score: f64,
    pub mean_fit_time_ms: f64,
    /// Rows used (halving rounds use fewer).
    pub n_resources: usize,
    /// Halving round (0 for other searches).
    pub iteration: usize,
    /// 1 = best; ties share the lowest rank (scikit-learn's `method="min"`).
    pub rank: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The result of a search, as `pipelab search` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchReport {
    pub best_params: ParamSet,
    pub best_score: f64,
    pub best_index: usize,
    pub scoring: String,
    pub cv_results: Vec<CandidateResult>,
    /// Best score so far after each trial, in trial order (the trace for plots).
    pub trace: Vec<f64>,
}

/// Sets parameters by path on a copy of `spec`, validating names and values.
pub fn apply_params(spec: &PipelineSpec, params: &ParamSet) -> Result<PipelineSpec> {
    let mut v = serde_json::to_value(spec).map_err(|e| Error::spec("search", e.to_string()))?;
    for (path, value) in params {
        let slot = resolve(&mut v, path)?;
        *slot = value.clone();
    }
    let mut spec: PipelineSpec =
        crate::pipeline::value_de::from_value(&v).map_err(|(path, e)| Error::spec(format!("search parameter at {path}"), e.to_string()))?;
    spec.search = None;
    spec.check()?;
    Ok(spec)
}

/// Finds the JSON slot of a parameter path in a serialized spec.
fn resolve<'a>(v: &'a mut Value, path: &str) -> Result<&'a mut Value> {
    let parts: Vec<&str> = path.split("__").collect();
    let bad = |m: String| Error::spec(format!("search parameter {path:?}"), m);
    let (container, param): (&'a mut Value, &str) = match parts.as_slice() {
        ["model", p] => {
            let model =
                v.get_mut("model").and_then(|m| m.as_object_mut()).and_then(|m| m.values_mut().next()).ok_or_else(|| bad("the spec has no model".into()))?;
            (model, p)
        }
        [step, p] => (
            find_step(v.get_mut("steps"), step)
                .ok_or_else(|| bad(format!("no top-level step named {step:?}; use model__<param>, <Step>__<param> or <branch>__<Step>__<param>")))?,
            p,
        ),
        [branch, step, p] => {
            let branches =
                v.pointer_mut("/preprocess/transformers").and_then(|t| t.as_array_mut()).ok_or_else(|| bad("the spec has no preprocess block".into()))?;
            let b = branches
                .iter_mut()
                .find(|b| b.get("name").and_then(|n| n.as_str()) == Some(branch))
                .ok_or_else(|| bad(format!("no preprocess branch named {branch:?}")))?;
            (find_step(b.get_mut("steps"), step).ok_or_else(|| bad(format!("branch {branch:?} has no step {step:?}")))?, p)
        }
        _ => return Err(bad("expected model__<param>, <Step>__<param> or <branch>__<Step>__<param>".into())),
    };
    let obj = container.as_object_mut().ok_or_else(|| bad("the step's parameters are not an object".into()))?;
    Ok(obj.entry(param.to_string()).or_insert(Value::Null))
}

/// The parameter object of the step named `name` (class name, case-insensitive; `Name_k` for the k-th of that class).
fn find_step<'a>(steps: Option<&'a mut Value>, name: &str) -> Option<&'a mut Value> {
    let steps = steps?.as_array_mut()?;
    let (base, index) = match name.rsplit_once('_') {
        Some((b, k)) if k.chars().all(|c| c.is_ascii_digit()) && !k.is_empty() => (b, k.parse::<usize>().ok()?),
        _ => (name, 0),
    };
    steps.iter_mut().filter_map(|s| s.as_object_mut()?.iter_mut().next().filter(|(k, _)| k.eq_ignore_ascii_case(base)).map(|(_, v)| v)).nth(index)
}

/// The candidates of a grid or randomized search (Bayes and halving generate theirs as they go).
pub fn candidates(search: &SearchSpec, seed: u64) -> Result<Vec<ParamSet>> {
    match search {
        SearchSpec::GridSearchCV(p) => grid(&p.param_grid),
        SearchSpec::HalvingGridSearchCV(p) => grid(&p.param_grid),
        SearchSpec::RandomizedSearchCV(p) => {
            check_space(&p.param_distributions)?;
            let mut rng = ChaCha8Rng::seed_from_u64(p.random_state.unwrap_or(seed));
            // A pure grid of lists with fewer points than n_iter is enumerated (as scikit-learn does).
            if p.param_distributions.values().all(|d| matches!(d, Distribution::Choices(_))) {
                let as_grid: BTreeMap<String, Vec<Value>> =
                    p.param_distributions.iter().map(|(k, d)| (k.clone(), if let Distribution::Choices(c) = d { c.clone() } else { vec![] })).collect();
                let all = grid(&as_grid)?;
                if all.len() <= p.n_iter {
                    return Ok(all);
                }
            }
            Ok((0..p.n_iter).map(|_| sample_space(&p.param_distributions, &mut rng)).collect())
        }
        SearchSpec::BayesSearchCV(_) => Err(Error::spec("search", "BayesSearchCV proposes its trials one at a time; use suggest()")),
    }
}

fn grid(g: &BTreeMap<String, Vec<Value>>) -> Result<Vec<ParamSet>> {
    if g.is_empty() {
        return Err(Error::spec("search.param_grid", "is empty; name at least one parameter with a list of values"));
    }
    if let Some((k, _)) = g.iter().find(|(_, v)| v.is_empty()) {
        return Err(Error::spec(format!("search.param_grid.{k}"), "has no values"));
    }
    let total: usize = g.values().map(Vec::len).product();
    if total > 10_000 {
        return Err(Error::spec("search.param_grid", format!("has {total} combinations; at most 10,000 (use RandomizedSearchCV or HalvingGridSearchCV)")));
    }
    // scikit-learn's ParameterGrid: keys sorted, the last key varies fastest.
    let keys: Vec<&String> = g.keys().collect();
    let mut out = Vec::with_capacity(total);
    for mut i in 0..total {
        let mut idx = vec![0; keys.len()];
        for (j, k) in keys.iter().enumerate().rev() {
            let n = g[*k].len();
            idx[j] = i % n;
            i /= n;
        }
        out.push(keys.iter().zip(&idx).map(|(k, &ix)| ((*k).clone(), g[*k][ix].clone())).collect());
    }
    Ok(out)
}

fn check_space(space: &BTreeMap<String, Distribution>) -> Result<()> {
    if space.is_empty() {
        return Err(Error::spec("search", "the search space is empty"));
    }
    for (k, d) in space {
        let ok = match d {
            Distribution::Choices(c) => !c.is_empty(),
            Distribution::Uniform { uniform: [a, b] } => a.is_finite() && b.is_finite() && a < b,
            Distribution::LogUniform { loguniform: [a, b] } => *a > 0.0 && b.is_finite() && a < b,
            Distribution::RandInt { randint: [a, b] } => a < b,
        };
        if !ok {
            return Err(Error::spec(format!("search space {k}"), "needs a non-empty list, or a range [low, high] with low < high (low > 0 for loguniform)"));
        }
    }
    Ok(())
}

fn sample_space(space: &BTreeMap<String, Distribution>, rng: &mut ChaCha8Rng) -> ParamSet {
    space
        .iter()
        .map(|(k, d)| {
            let v = match d {
                Distribution::Choices(c) => c[rng.random_range(0..c.len())].clone(),
                Distribution::Uniform { uniform: [a, b] } => Value::from(rng.random_range(*a..*b)),
                Distribution::LogUniform { loguniform: [a, b] } => Value::from(rng.random_range(a.ln()..b.ln()).exp()),
                Distribution::RandInt { randint: [a, b] } => Value::from(rng.random_range(*a..*b)),
            };
            (k.clone(), v)
        })
        .collect()
}

/// Cross-validates one candidate on `rows` (all rows when `None`), scoring with `scoring`.
pub fn evaluate(table: &Table, spec: &PipelineSpec, params: &ParamSet, scoring: &str, hooks: CvHooks) -> Result<CandidateResult> {
    let mut s = apply_params(spec, params)?;
    s.scoring = vec![scoring.to_string()];
    let r = cross_validate(table, &s, hooks)?;
    let test = &r.metrics[scoring];
    let fit_ms = r.folds.iter().map(|f| f.fit_time_ms).sum::<f64>() / r.folds.len().max(1) as f64;
    Ok(CandidateResult {
        params: params.clone(),
        mean_test_score: test.mean,
        std_test_score: test.std,
        split_test_scores: test.folds.clone(),
        mean_train_score: r.train_metrics[scoring].mean,
        mean_fit_time_ms: fit_ms,
        n_resources: r.n_rows,
        iteration: 0,
        rank: 0,
        error: None,
    })
}

/// A failed candidate (e.g. an invalid parameter value) is kept in the table with its error.
pub fn failed(params: &ParamSet, e: &Error) -> CandidateResult {
    CandidateResult {
        params: params.clone(),
        mean_test_score: f64::NAN,
        std_test_score: f64::NAN,
        split_test_scores: vec![],
        mean_train_score: f64::NAN,
        mean_fit_time_ms: 0.0,
        n_resources: 0,
        iteration: 0,
        rank: 0,
        error: Some(e.to_string()),
    }
}

/// The metric a search optimizes: its own `scoring`, else the spec's first, else the task default.
pub fn search_scoring(spec: &PipelineSpec, search: &SearchSpec) -> String {
    search
        .scoring()
        .map(str::to_string)
        .or_else(|| spec.scoring.first().cloned())
        .unwrap_or_else(|| metrics::default_scoring(spec.model.task()).first().cloned().unwrap_or_else(|| "accuracy".into()))
}

/// Ranks evaluated candidates (ties share the lowest rank; failures rank last) and picks the best:
/// among equal scores the first in evaluation order, as scikit-learn. Halving ranks only the last round.
pub fn rank(mut results: Vec<CandidateResult>, scoring: &str) -> Result<SearchReport> {
    let gib = metrics::greater_is_better(scoring);
    let signed = |r: &CandidateResult| {
        if r.mean_test_score.is_nan() {
            f64::NEG_INFINITY
        } else if gib {
            r.mean_test_score
        } else {
            -r.mean_test_score
        }
    };
    let last_iter = results.iter().map(|r| r.iteration).max().unwrap_or(0);
    let scores: Vec<f64> = results.iter().map(|r| if r.iteration == last_iter { signed(r) } else { f64::NEG_INFINITY }).collect();
    for i in 0..results.len() {
        results[i].rank = 1 + scores.iter().filter(|&&s| s > scores[i]).count();
    }
    let best_index = (0..results.len())
        .filter(|&i| scores[i] > f64::NEG_INFINITY)
        .fold(None, |b: Option<usize>, i| match b {
            Some(j) if scores[j] >= scores[i] => Some(j),
            _ => Some(i),
        })
        .ok_or_else(|| match results.iter().find_map(|r| r.error.clone()).filter(|e| !e.trim().is_empty()) {
            Some(first) => Error::data(format!("every candidate failed; the first error: {first}")),
            None if results.is_empty() => Error::data("the search evaluated no candidate (an empty grid or n_iter 0?): nothing to rank"),
            None => Error::data(format!("none of the {} candidate(s) has a finite score to rank (every score is missing or not a number)", results.len())),
        })?;
    let mut trace = Vec::with_capacity(results.len());
    let mut best = f64::NEG_INFINITY;
    for s in results.iter().map(signed) {
        best = best.max(s);
        trace.push(if gib { best } else { -best });
    }
    Ok(SearchReport {
        best_params: results[best_index].params.clone(),
        best_score: results[best_index].mean_test_score,
        best_index,
        scoring: scoring.to_string(),
        cv_results: results,
        trace,
    })
}

/// Equal values, numbers compared by value (`1` and `1.0` are the same choice: a history
/// that went through JavaScript comes back with whole floats as integers).
fn same_value(a: &Value, b: &Value) -> bool {
    a == b || matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y)
}

/// The generator of Bayesian trial number `trial` (so a trial's draws depend only on its number and the history).
fn trial_rng(seed: u64, trial: usize) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ (trial as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Proposes the next Bayesian trial from the history (params, score) with a
/// Tree-structured Parzen Estimator: random for the first `n_initial` trials,
/// then the best of 24 draws from the "good" density by the ratio l(x)/g(x).
pub fn suggest(space: &BTreeMap<String, Distribution>, history: &[(ParamSet, f64)], greater_is_better: bool, n_initial: usize, seed: u64) -> Result<ParamSet> {
    check_space(space)?;
    let mut rng = trial_rng(seed, history.len());
    let valid: Vec<&(ParamSet, f64)> = history.iter().filter(|(_, s)| s.is_finite()).collect();
    if valid.len() < n_initial.max(2) {
        return Ok(sample_space(space, &mut rng));
    }
    let mut sorted = valid.clone();
    crate::sorting::sort_by(&mut sorted, &|a, b| if greater_is_better { b.1.total_cmp(&a.1) } else { a.1.total_cmp(&b.1) });
    let n_good = ((0.25 * sorted.len() as f64).ceil() as usize).max(1);
    let (good, bad) = sorted.split_at(n_good);
    let mut out = ParamSet::new();
    for (k, d) in space {
        let pick = |set: &[&(ParamSet, f64)]| -> Vec<Value> { set.iter().filter_map(|(p, _)| p.get(k).cloned()).collect() };
        let (gv, bv) = (pick(good), pick(bad));
        let v = match d {
            Distribution::Choices(c) => {
                let probs = |obs: &[Value]| -> Vec<f64> {
                    let mut w: Vec<f64> = c.iter().map(|ch| 1.0 + obs.iter().filter(|o| same_value(o, ch)).count() as f64).collect();
                    let s: f64 = w.iter().sum();
                    w.iter_mut().for_each(|x| *x /= s);
                    w
                };
                let (l, g) = (probs(&gv), probs(&bv));
                let mut best = (0usize, f64::NEG_INFINITY);
                for _ in 0..24 {
                    let mut u: f64 = rng.random();
                    let mut i = 0;
                    while i + 1 < l.len() && u > l[i] {
                        u -= l[i];
                        i += 1;
                    }
                    let ratio = l[i] / g[i];
                    if ratio > best.1 {
                        best = (i, ratio);
                    }
                }
                c[best.0].clone()
            }
            _ => {
                let (lo, hi, log, int) = match d {
                    Distribution::Uniform { uniform: [a, b] } => (*a, *b, false, false),
                    Distribution::LogUniform { loguniform: [a, b] } => (a.ln(), b.ln(), true, false),
                    Distribution::RandInt { randint: [a, b] } => (*a as f64, (*b - 1) as f64 + 0.999_999, false, true),
                    Distribution::Choices(_) => unreachable!("handled above"),
                };
                let to_x = |v: &Value| v.as_f64().map(|x| if log { x.ln() } else { x });
                let (gx, bx): (Vec<f64>, Vec<f64>) = (gv.iter().filter_map(to_x).collect(), bv.iter().filter_map(to_x).collect());
                let width = hi - lo;
                let bw = |n: usize| (width / (n as f64 + 1.0).sqrt()).max(width * 1e-3);
                let density = |x: f64, obs: &[f64]| -> f64 {
                    let h = bw(obs.len());
                    let prior = 1.0 / width;
                    let kern: f64 = obs.iter().map(|&m| (-0.5 * ((x - m) / h).powi(2)).exp() / (h * (2.0 * std::f64::consts::PI).sqrt())).sum();
                    (prior + kern) / (obs.len() as f64 + 1.0)
                };
                let mut best = (lo, f64::NEG_INFINITY);
                for _ in 0..24 {
                    let j = rng.random_range(0..=gx.len());
                    let x = if j == gx.len() {
                        rng.random_range(lo..hi)
                    } else {
                        let z: f64 = {
                            // Box-Muller.
                            let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
                            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
                        };
                        (gx[j] + z * bw(gx.len())).clamp(lo, hi - width * 1e-12)
                    };
                    let ratio = density(x, &gx) / density(x, &bx);
                    if ratio > best.1 {
                        best = (x, ratio);
                    }
                }
                let x = if log { best.0.exp() } else { best.0 };
                if int {
                    Value::from(x.floor() as i64)
                } else {
                    Value::from(x)
                }
            }
        };
        out.insert(k.clone(), v);
    }
    Ok(out)
}

/// Runs the whole search sequentially (the page parallelizes with a worker pool;
/// the CLI may run candidates on threads through [`run_with`]).
pub fn run(table: &Table, spec: &PipelineSpec, hooks: CvHooks) -> Result<SearchReport> {
    run_with(table, spec, hooks, &|batch, eval| batch.iter().map(eval).collect())
}

/// A way to evaluate a batch of candidates (sequentially, on threads, ...).
pub type BatchRunner<'r> = dyn Fn(&[ParamSet], &(dyn Fn(&ParamSet) -> CandidateResult + Sync)) -> Vec<CandidateResult> + 'r;

/// Runs the search, evaluating each batch of independent candidates with `runner`.
///
/// The search advances by [`plan`]: the candidates that are determined by the
/// results so far are evaluated (a batch at a time, so progress and cancel stay
/// responsive), then the plan is asked again. The page drives the very same
/// plan from a pool of Web Workers, so both give the same results.
///
/// `hooks.stop` (the CLI's Ctrl-C) is lent to every candidate's fold fits: a running
/// candidate ends at its next tree, stage or restart once it is set (a failed
/// candidate, and `progress` then cancels the search). Unset, the same report.
pub fn run_with(table: &Table, spec: &PipelineSpec, hooks: CvHooks, runner: &BatchRunner) -> Result<SearchReport> {
    let now = hooks.now_ms;
    let stop = hooks.stop;
    let progress = hooks.progress;
    let start = now();
    let mut results: Vec<CandidateResult> = Vec::new();
    loop {
        let p = plan(spec, table.n_rows, &results, now() - start)?;
        if p.candidates.is_empty() {
            break;
        }
        let sub;
        let on: &Table = match p.n_resources {
            Some(r) if r < table.n_rows => {
                sub = table.select_rows(&halving_rows(table.n_rows, r, p.seed));
                &sub
            }
            _ => table,
        };
        let chunk = &p.candidates[..p.candidates.len().min(4)];
        let eval = |c: &ParamSet| evaluate_planned(on, spec, c, &p, CvHooks { stop, threads: 1, now_ms: now, progress: &mut |_, _| true });
        results.extend(runner(chunk, &eval));
        if !progress(results.len(), p.total) {
            return Err(Error::Cancelled);
        }
    }
    finish(spec, results)
}

/// The next batch of a search: candidates that can be evaluated independently
/// (in any order, on any worker), given the results so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Empty when the search is over (then call [`finish`]).
    pub candidates: Vec<ParamSet>,
    /// Halving round of these candidates (0 for other searches).
    pub iteration: usize,
    /// Halving: the candidates are cross-validated on this many rows ([`halving_rows`]).
    pub n_resources: Option<usize>,
    /// The seed of the halving row order.
    pub seed: u64,
    /// Candidates the whole search evaluates (an upper bound for a Bayesian search with a time budget).
    pub total: usize,
    pub scoring: String,
}

/// Plans the next batch from `history` (the results so far, in plan order).
/// Grid and randomized searches give every candidate at once; a Bayesian
/// search gives its random initial points at once, then one trial at a time
/// (each depends on every earlier score), and stops when `elapsed_ms` passes
/// its time budget; successive halving gives one round at a time.
pub fn plan(spec: &PipelineSpec, n_rows: usize, history: &[CandidateResult], elapsed_ms: f64) -> Result<Plan> {
    let search = spec.search.as_ref().ok_or_else(|| Error::spec("search", "the spec has no search block"))?;
    let scoring = search_scoring(spec, search);
    metrics::check_scoring(spec.model.task(), std::slice::from_ref(&scoring))?;
    let seed = spec.seed();
    let mut out = Plan { candidates: vec![], iteration: 0, n_resources: None, seed, total: 0, scoring };
    match search {
        SearchSpec::GridSearchCV(_) | SearchSpec::RandomizedSearchCV(_) => {
            let cands = candidates(search, seed)?;
            out.total = cands.len();
            out.candidates = cands.into_iter().skip(history.len()).collect();
        }
        SearchSpec::BayesSearchCV(p) => {
            let seed = p.random_state.unwrap_or(seed);
            out.total = p.n_iter;
            let over_time = !history.is_empty() && p.max_time_s.is_some_and(|t| elapsed_ms > t * 1000.0);
            if history.len() >= p.n_iter || over_time {
                return Ok(out);
            }
            check_space(&p.search_spaces)?;
            // The first max(n_initial_points, 2) trials are random draws that depend only
            // on their number (see `suggest`): they form one batch.
            let n_random = p.n_initial_points.max(2).min(p.n_iter);
            if history.len() < n_random {
                out.candidates = (history.len()..n_random).map(|i| sample_space(&p.search_spaces, &mut trial_rng(seed, i))).collect();
            } else {
                let h: Vec<(ParamSet, f64)> = history.iter().map(|r| (r.params.clone(), r.mean_test_score)).collect();
                out.candidates = vec![suggest(&p.search_spaces, &h, metrics::greater_is_better(&out.scoring), p.n_initial_points, seed)?];
            }
        }
        SearchSpec::HalvingGridSearchCV(p) => {
            if p.factor < 2 {
                return Err(Error::param("HalvingGridSearchCV", "factor", "must be at least 2"));
            }
            out.seed = p.random_state.unwrap_or(seed);
            let mut cands = candidates(search, seed)?;
            let n = n_rows;
            let n_rounds = ((cands.len() as f64).ln() / (p.factor as f64).ln()).ceil() as usize + 1;
            let min_r = p.min_resources.unwrap_or_else(|| (n / p.factor.pow(n_rounds.saturating_sub(1) as u32)).max(20)).min(n);
            let resources = |it: usize| min_r.saturating_mul(p.factor.saturating_pow(it as u32)).min(n);
            // Candidates per round: known in advance (the top ceil(k / factor) go on).
            let mut k = cands.len();
            for it in 0.. {
                out.total += k;
                if k == 1 || resources(it) == n {
                    break;
                }
                k = k.div_ceil(p.factor).max(1);
            }
            let gib = metrics::greater_is_better(&out.scoring);
            let mut iteration = 0;
            loop {
                let r = resources(iteration);
                let round: Vec<&CandidateResult> = history.iter().filter(|c| c.iteration == iteration).collect();
                if round.len() < cands.len() {
                    out.candidates = cands.split_off(round.len());
                    out.iteration = iteration;
                    out.n_resources = Some(r);
                    return Ok(out);
                }
                if cands.len() == 1 || r == n {
                    return Ok(out);
                }
                let key = |c: &CandidateResult| {
                    if c.mean_test_score.is_nan() {
                        f64::NEG_INFINITY
                    } else if gib {
                        c.mean_test_score
                    } else {
                        -c.mean_test_score
                    }
                };
                let mut idx: Vec<usize> = (0..round.len()).collect();
                crate::sorting::sort_indices_by(&mut idx, &|a, b| key(round[b]).total_cmp(&key(round[a])).then(a.cmp(&b)));
                let keep = cands.len().div_ceil(p.factor).max(1);
                cands = idx.iter().take(keep).map(|&i| round[i].params.clone()).collect();
                iteration += 1;
            }
        }
    }
    Ok(out)
}

/// The rows of a halving round that uses `r` of the table's `n` rows: the first
/// `r` of a seeded shuffle, in table order (so each round's rows contain the previous round's).
pub fn halving_rows(n: usize, r: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut ChaCha8Rng::seed_from_u64(seed));
    let mut rows = order[..r.min(n)].to_vec();
    crate::sorting::sort_usize(&mut rows);
    rows
}

/// Cross-validates one planned candidate on `table` (for a halving round, the
/// caller passes the round's rows: [`evaluate_task`] does it for one candidate).
/// A candidate that fails (an invalid value, a fit that fails) is returned with its error.
pub fn evaluate_planned(table: &Table, spec: &PipelineSpec, params: &ParamSet, plan: &Plan, hooks: CvHooks) -> CandidateResult {
    let mut r = evaluate(table, spec, params, &plan.scoring, hooks).unwrap_or_else(|e| failed(params, &e));
    r.iteration = plan.iteration;
    if let Some(n) = plan.n_resources {
        r.n_resources = n;
    }
    r
}

/// One candidate of a plan on the full table (selects the halving round's rows itself): what a pool worker runs.
pub fn evaluate_task(table: &Table, spec: &PipelineSpec, params: &ParamSet, plan: &Plan, hooks: CvHooks) -> CandidateResult {
    match plan.n_resources {
        Some(r) if r < table.n_rows => evaluate_planned(&table.select_rows(&halving_rows(table.n_rows, r, plan.seed)), spec, params, plan, hooks),
        _ => evaluate_planned(table, spec, params, plan, hooks),
    }
}

/// Ranks the results of a finished search (see [`rank`]).
pub fn finish(spec: &PipelineSpec, results: Vec<CandidateResult>) -> Result<SearchReport> {
    let search = spec.search.as_ref().ok_or_else(|| Error::spec("search", "the spec has no search block"))?;
    let scoring = search_scoring(spec, search);
    let mut report = rank(results, &scoring)?;
    report.scoring = scoring;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn grid_order_matches_parameter_grid() {
        let g: BTreeMap<String, Vec<Value>> =
            [("b".to_string(), vec![json!(1), json!(2)]), ("a".to_string(), vec![json!("x"), json!("y")])].into_iter().collect();
        let c = grid(&g).unwrap();
        let got: Vec<(Value, Value)> = c.iter().map(|p| (p["a"].clone(), p["b"].clone())).collect();
        assert_eq!(got, vec![(json!("x"), json!(1)), (json!("x"), json!(2)), (json!("y"), json!(1)), (json!("y"), json!(2))]);
    }

    #[test]
    fn paths_resolve_and_validate() {
        let spec = PipelineSpec::from_json(
            r#"{"target":"y","preprocess":{"transformers":[{"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{}}]}]},
                "steps":[{"StandardScaler":{}},{"PolynomialFeatures":{}}],"model":{"LogisticRegression":{}}}"#,
        )
        .unwrap();
        let p: ParamSet = [
            ("model__C".to_string(), json!(0.5)),
            ("num__SimpleImputer__strategy".to_string(), json!("median")),
            ("polynomialfeatures__degree".to_string(), json!(3)),
        ]
        .into_iter()
        .collect();
        let s = apply_params(&spec, &p).unwrap();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["model"]["LogisticRegression"]["C"], json!(0.5));
        assert_eq!(v["preprocess"]["transformers"][0]["steps"][0]["SimpleImputer"]["strategy"], json!("median"));
        assert_eq!(v["steps"][1]["PolynomialFeatures"]["degree"], json!(3));
        let bad: ParamSet = [("model__Cee".to_string(), json!(1))].into_iter().collect();
        assert!(apply_params(&spec, &bad).unwrap_err().to_string().contains("Cee"));
        let bad: ParamSet = [("nope__x".to_string(), json!(1))].into_iter().collect();
        assert!(apply_params(&spec, &bad).unwrap_err().to_string().contains("no top-level step named \"nope\""));
    }

    #[test]
    fn rank_ties_take_the_first() {
        let mk = |s: f64| CandidateResult {
            params: ParamSet::new(),
            mean_test_score: s,
            std_test_score: 0.0,
            split_test_scores: vec![],
            mean_train_score: 0.0,
            mean_fit_time_ms: 0.0,
            n_resources: 0,
            iteration: 0,
            rank: 0,
            error: None,
        };
        let r = rank(vec![mk(0.5), mk(0.9), mk(0.9), mk(f64::NAN)], "accuracy").unwrap();
        assert_eq!(r.best_index, 1);
        assert_eq!(r.cv_results.iter().map(|c| c.rank).collect::<Vec<_>>(), vec![3, 1, 1, 4]);
        let r = rank(vec![mk(3.0), mk(2.0)], "rmse").unwrap();
        assert_eq!(r.best_index, 1);
        assert_eq!(r.trace, vec![3.0, 2.0]);
    }

    #[test]
    fn tpe_is_seeded_and_in_range() {
        let space: BTreeMap<String, Distribution> = [
            ("c".to_string(), Distribution::LogUniform { loguniform: [1e-3, 1e3] }),
            ("k".to_string(), Distribution::RandInt { randint: [1, 10] }),
            ("s".to_string(), Distribution::Choices(vec![json!("a"), json!("b")])),
        ]
        .into_iter()
        .collect();
        let mut h = Vec::new();
        for i in 0..20 {
            let p = suggest(&space, &h, true, 5, 42).unwrap();
            assert_eq!(p, suggest(&space, &h, true, 5, 42).unwrap());
            let c = p["c"].as_f64().unwrap();
            let k = p["k"].as_i64().unwrap();
            assert!((1e-3..=1e3).contains(&c) && (1..10).contains(&k));
            // A score peaked at c = 1: TPE should concentrate there.
            h.push((p, -(c.ln()).abs() + i as f64 * 0.0));
        }
        let late: Vec<f64> = h[10..].iter().map(|(p, _)| p["c"].as_f64().unwrap().ln().abs()).collect();
        let early: Vec<f64> = h[..5].iter().map(|(p, _)| p["c"].as_f64().unwrap().ln().abs()).collect();
        assert!(late.iter().sum::<f64>() / late.len() as f64 <= early.iter().sum::<f64>() / early.len() as f64 + 1.0);
    }
}
