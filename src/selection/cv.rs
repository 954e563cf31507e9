//! Cross-validation of a pipeline: one fold plan (the rows and splits a spec's
//! `cv` gives, on the training part when the spec holds out a test part) shared
//! by [`cross_validate`], the learning and validation curves and the
//! diagnostics; per-fold scores, out-of-fold predictions and fold warnings.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::data::Table;
use crate::estimator::{FitContext, Output, Target, Task};
use crate::metrics::{self, MetricSummary, Scored};
use crate::parallel::Lend;
use crate::pipeline::{effective_cv, fit, fit_keeping, holdout_split, prepare, PipelineSpec, Prepared};
use crate::split::{CvSpec, Split};
use crate::{Error, Result};

/// One fold's bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldInfo {
    pub n_train: usize,
    pub n_test: usize,
    pub fit_time_ms: f64,
    pub score_time_ms: f64,
}

/// Out-of-fold predictions: every usable row predicted by the fold that held it out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OofPredictions {
    pub rows: Vec<usize>,
    pub fold: Vec<usize>,
    /// Regression: predicted values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
    /// Classification: true and predicted class indices, probabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub y_true: Vec<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub y_pred: Vec<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proba: Vec<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub y_true_values: Vec<f64>,
}

/// The result of cross-validation, as the CLI prints it and the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    pub metrics: BTreeMap<String, MetricSummary>,
    pub train_metrics: BTreeMap<String, MetricSummary>,
    pub n_rows: usize,
    pub n_features_out: usize,
    pub task: Task,
    pub cv: String,
    pub folds: Vec<FoldInfo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    pub feature_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub oof: OofPredictions,
    /// With a `holdout` block: the final scores of a model fitted on the whole
    /// training part, measured once on the untouched test part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout: Option<HoldoutReport>,
}

impl CvReport {
    /// The report as JSON text, or `None` when it holds a number JSON cannot write (NaN or an
    /// infinity, which serde_json writes as `null`). The page's worker sends the report as this
    /// text and the page parses it (`JSON.parse` gives the same object as the report converted
    /// to JS, which building element by element and cloning to the page cost 20,000 objects per
    /// 20,000 out-of-fold rows); a report with such a number crosses as the object (NaN kept).
    /// The report writes `null` for nothing else (its one `Option` is left out when `None`),
    /// so a `null` written is a non-finite number.
    pub fn json_text_if_finite(&self) -> Option<String> {
        let null = std::cell::Cell::new(false);
        let mut out = Vec::new();
        self.serialize(&mut serde_json::Serializer::with_formatter(&mut out, NullSpotter(&null))).ok()?;
        if null.get() {
            return None;
        }
        String::from_utf8(out).ok()
    }
}

/// serde_json's compact formatter that notes whether it wrote a `null`.
struct NullSpotter<'a>(&'a std::cell::Cell<bool>);

impl serde_json::ser::Formatter for NullSpotter<'_> {
    fn write_null<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.set(true);
        writer.write_all(b"null")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutReport {
    pub n_train: usize,
    pub n_test: usize,
    pub scores: BTreeMap<String, f64>,
}

/// Hooks the caller provides: the threads it lends, a clock (the core reads none) and progress/cancel.
pub struct CvHooks<'a> {
    /// Threads the folds (and inside them the fits) may use natively; 1 = sequential
    /// (always so on wasm32). The report does not depend on it (fold timings aside).
    pub threads: usize,
    pub now_ms: &'a (dyn Fn() -> f64 + Sync),
    /// Called after each fold with (done, total); returning false cancels.
    pub progress: &'a mut dyn FnMut(usize, usize) -> bool,
    /// A stop flag lent to the fold fits (the CLI's Ctrl-C; [`Lend`]): once it is set,
    /// the running folds end at their next forest tree, boosting stage or k-means
    /// restart with `Error::Cancelled` instead of finishing first. The page lends none.
    pub stop: Option<&'static AtomicBool>,
}

/// The rows and splits cross-validation of `spec` uses: `prep.rows` is the
/// training part when the spec holds out a test part (`holdout`, in table
/// rows); split indices point into `prep.rows`. Cross-validation, the curves
/// and the diagnostics all start here, so they agree on every fold.
pub struct FoldPlan {
    pub prep: Prepared,
    pub splits: Vec<Split>,
    pub cv: CvSpec,
    /// (training part, held-out test part), when the spec has a `holdout`.
    pub holdout: Option<(Vec<usize>, Vec<usize>)>,
}

/// The fold plan of `spec` on `table`. A clustering spec has no test score:
/// it is refused with `clustering_error`, which says what the caller wanted.
pub fn fold_plan(table: &Table, spec: &PipelineSpec, clustering_error: &str) -> Result<FoldPlan> {
    let mut prep = prepare(table, spec)?;
    let holdout = holdout_split(spec, &prep)?;
    if let Some((train, _)) = &holdout {
        prep.rows = train.clone();
    }
    if prep.task == Task::Clustering {
        return Err(Error::data(clustering_error));
    }
    let cv = effective_cv(spec, prep.task);
    let classes: Option<Vec<usize>> = match &prep.target {
        Some(Target::Classes { y, .. }) => Some(prep.rows.iter().map(|&r| y[r]).collect()),
        _ => None,
    };
    let groups = match cv.group_column() {
        Some(g) => Some(group_ids(table, g, &prep.rows)?),
        None => None,
    };
    let splits = cv.split_groups(prep.rows.len(), classes.as_deref(), groups.as_deref(), spec.seed())?;
    Ok(FoldPlan { prep, splits, cv, holdout })
}

/// Group ids (0..) of `rows` from column `name` (as cross-validation numbers them).
fn group_ids(table: &Table, name: &str, rows: &[usize]) -> Result<Vec<usize>> {
    let col = table.column(name).ok_or_else(|| Error::spec("cv.GroupKFold.groups", format!("column {name:?} is not in the data")))?;
    let mut ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    rows.iter()
        .map(|&r| {
            let key = col.data.display(r).ok_or_else(|| Error::column(name, format!("is the group column but row {} is missing", r + 1)))?;
            let next = ids.len();
            Ok(*ids.entry(key).or_insert(next))
        })
        .collect()
}

fn scored<'a>(pred: &'a Output, y: &'a Target, rows: &[usize], buf: &'a mut (Vec<f64>, Vec<usize>)) -> Result<Scored<'a>> {
    match (pred, y) {
        (Output::Values(p), Target::Values(v)) => {
            buf.0 = rows.iter().map(|&r| v[r]).collect();
            Ok(Scored::Values { y_true: &buf.0, y_pred: p })
        }
        (Output::Classes { labels, proba }, Target::Classes { y, n_classes }) => {
            buf.1 = rows.iter().map(|&r| y[r]).collect();
            Ok(Scored::Classes { y_true: &buf.1, y_pred: labels, proba: proba.as_ref(), n_classes: *n_classes })
        }
        _ => Err(Error::data("the model's output does not match the target type")),
    }
}

/// What one fold of a cross-validation contributes to the report: fold `fold`
/// fitted on its training rows, its scores, warnings and test predictions. Folds
/// are independent: the page evaluates them on a pool of workers
/// ([`evaluate_fold`]) and [`finish_folds`] assembles the report, the same code
/// [`cross_validate`] runs fold after fold, so the report is the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldResult {
    pub fold: usize,
    /// `(metric, score)` in the spec's scoring order, on the test rows and on the training rows.
    pub test_scores: Vec<(String, f64)>,
    pub train_scores: Vec<(String, f64)>,
    /// The fitted pipeline's warnings, then the test scorers' (`metric: warning`), in that order.
    pub warnings: Vec<String>,
    pub feature_names: Vec<String>,
    pub info: FoldInfo,
    /// Predictions of the test rows, in the split's order.
    pub test_values: Vec<f64>,
    pub test_labels: Vec<usize>,
    pub test_proba: Option<Vec<Vec<f64>>>,
}

impl FoldResult {
    /// The fold's numbers that JSON may not carry (NaN, ±inf), in one fixed order: the test
    /// and training scores, the test predictions and probabilities, the two timings.
    fn floats_mut(&mut self) -> impl Iterator<Item = &mut f64> {
        let scores = self.test_scores.iter_mut().chain(&mut self.train_scores).map(|(_, s)| s);
        let proba = self.test_proba.iter_mut().flatten().flatten();
        scores.chain(&mut self.test_values).chain(proba).chain([&mut self.info.fit_time_ms, &mut self.info.score_time_ms])
    }

    /// The fold as text for the page's worker pool (www/cv_pool.js): its JSON when every number
    /// is finite; else `!` and each non-finite number's place (in [`FoldResult::floats_mut`]'s
    /// order) and bits, `place:bits` in hexadecimal, comma-separated, a newline, then the JSON of
    /// the fold with 0 in those places. [`FoldResult::from_text`] reads both, bit for bit.
    pub fn into_text(mut self) -> std::result::Result<String, String> {
        let mut head = String::new();
        for (i, x) in self.floats_mut().enumerate() {
            if !x.is_finite() {
                head.push(if head.is_empty() { '!' } else { ',' });
                head.push_str(&format!("{i:x}:{:x}", x.to_bits()));
                *x = 0.0;
            }
        }
        let json = serde_json::to_string(&self).map_err(|e| e.to_string())?;
        Ok(if head.is_empty() { json } else { format!("{head}\n{json}") })
    }

    /// The fold of [`FoldResult::into_text`]'s text.
    pub fn from_text(text: &str) -> std::result::Result<FoldResult, String> {
        let (head, json) = match text.strip_prefix('!') {
            Some(rest) => rest.split_once('\n').ok_or("no newline after the non-finite numbers")?,
            None => ("", text),
        };
        let value = crate::pipeline::json_text::parse(json).map_err(|e| e.to_string())?;
        let mut fold = crate::pipeline::value_de::from_value::<FoldResult>(&value).map_err(|(path, e)| format!("{path}: {e}"))?;
        if !head.is_empty() {
            let mut places = Vec::new();
            for item in head.split(',') {
                let parsed = item.split_once(':').and_then(|(i, b)| Some((usize::from_str_radix(i, 16).ok()?, u64::from_str_radix(b, 16).ok()?)));
                places.push(parsed.ok_or_else(|| format!("bad non-finite number `{item}`"))?);
            }
            let mut places = places.into_iter().peekable();
            for (i, x) in fold.floats_mut().enumerate() {
                if let Some(&(_, bits)) = places.peek().filter(|(at, _)| *at == i) {
                    *x = f64::from_bits(bits);
                    places.next();
                }
            }
            if let Some((at, _)) = places.next() {
                return Err(format!("non-finite number at place {at}, out of order or beyond the fold's numbers"));
            }
        }
        Ok(fold)
    }
}

/// The scoring of a spec (its own, or the task's default), checked.
/// The decision values scoring needs from a model without probabilities (see [`metrics::score_with_decision`]).
pub(crate) fn decision(fitted: &crate::pipeline::FittedPipeline, out: &Output, table: &Table, scoring: &[String]) -> Result<Option<Vec<f64>>> {
    if decision_needed(out, scoring) {
        fitted.binary_decision(table)
    } else {
        Ok(None)
    }
}

/// Whether [`decision`] asks the model for decision values (it then needs the rows' table).
fn decision_needed(out: &Output, scoring: &[String]) -> bool {
    matches!(out, Output::Classes { proba: None, .. }) && metrics::needs_decision(scoring)
}

/// Fits `spec` on the training part `train` and scores it once on the
/// held-out rows `test`: the fitted pipeline, the report, and the warnings
/// about the held-out rows (categories unseen in training).
#[allow(clippy::too_many_arguments)]
pub(crate) fn holdout_fit(
    table: &Table,
    spec: &PipelineSpec,
    prep: &Prepared,
    train: &[usize],
    test: &[usize],
    scoring: &[String],
    lend: impl Into<crate::parallel::Lend>,
) -> Result<(crate::pipeline::FittedPipeline, HoldoutReport, Vec<String>)> {
    let target = prep.target.as_ref().ok_or_else(|| Error::data("a target is required"))?;
    let ctx = FitContext::with_threads(spec.seed(), lend);
    let fitted = fit(table, spec, prep, train, &ctx)?;
    let test_table = table.select_rows(test);
    let pred = fitted.predict(&test_table)?;
    let dec = decision(&fitted, &pred.output, &test_table, scoring)?;
    let warnings = pred.unseen.iter().map(|u| format!("hold-out part: {u}")).collect();
    let mut buf = (Vec::new(), Vec::new());
    let s = scored(&pred.output, target, test, &mut buf)?;
    let mut scores = BTreeMap::new();
    for m in scoring {
        scores.insert(m.clone(), metrics::score_with_decision(m, &s, dec.as_deref())?.0);
    }
    Ok((fitted, HoldoutReport { n_train: train.len(), n_test: test.len(), scores }, warnings))
}

/// The model `fit` keeps for a spec with a hold-out part: fitted on the
/// training part and scored once on the held-out rows (the training rows
/// are returned too). `None` without a `holdout` block.
#[allow(clippy::type_complexity)]
pub fn fit_on_training_part(
    table: &Table,
    spec: &PipelineSpec,
    lend: impl Into<crate::parallel::Lend>,
) -> Result<Option<(crate::pipeline::FittedPipeline, HoldoutReport, Vec<usize>)>> {
    let prep = prepare(table, spec)?;
    let Some((train, test)) = holdout_split(spec, &prep)? else { return Ok(None) };
    let n_classes = prep.target_info.as_ref().map_or(0, |t| t.classes.len());
    let scoring = if spec.scoring.is_empty() { metrics::default_scoring_for(prep.task, n_classes) } else { spec.scoring.clone() };
    metrics::check_scoring(prep.task, &scoring)?;
    let (mut fitted, report, w) = holdout_fit(table, spec, &prep, &train, &test, &scoring, lend)?;
    let mut all = prep.warnings.clone();
    all.append(&mut fitted.warnings);
    all.extend(w);
    fitted.warnings = all;
    Ok(Some((fitted, report, train)))
}

fn scoring_of(spec: &PipelineSpec, prep: &Prepared) -> Result<Vec<String>> {
    let n_classes = prep.target_info.as_ref().map_or(0, |t| t.classes.len());
    let scoring = if spec.scoring.is_empty() { metrics::default_scoring_for(prep.task, n_classes) } else { spec.scoring.clone() };
    metrics::check_scoring(prep.task, &scoring)?;
    Ok(scoring)
}

const CV_CLUSTERING: &str = "cross-validation needs a supervised model; clustering is evaluated with fit";

/// The number of folds cross-validating `spec` on `table` runs (the page's pool asks for each).
pub fn n_folds(table: &Table, spec: &PipelineSpec) -> Result<usize> {
    let plan = fold_plan(table, spec, CV_CLUSTERING)?;
    scoring_of(spec, &plan.prep)?;
    Ok(plan.splits.len())
}

/// Evaluates fold `fold` (from 0) of cross-validating `spec` on `table`.
pub fn evaluate_fold(table: &Table, spec: &PipelineSpec, fold: usize, now_ms: &(dyn Fn() -> f64 + Sync)) -> Result<FoldResult> {
    let plan = fold_plan(table, spec, CV_CLUSTERING)?;
    let scoring = scoring_of(spec, &plan.prep)?;
    if fold >= plan.splits.len() {
        return Err(Error::data(format!("fold {} asked for, but the cross-validation has {} folds", fold + 1, plan.splits.len())));
    }
    fold_result(table, spec, &plan, &scoring, fold, now_ms, Lend::from(1))
}

/// Fold `f` fitted with what `lend` lends its fit: up to `threads` threads, a stop flag.
fn fold_result(
    table: &Table,
    spec: &PipelineSpec,
    plan: &FoldPlan,
    scoring: &[String],
    f: usize,
    now_ms: &(dyn Fn() -> f64 + Sync),
    lend: Lend,
) -> Result<FoldResult> {
    let prep = &plan.prep;
    let target = prep.target.as_ref().ok_or_else(|| Error::data("a target is required"))?;
    let split = &plan.splits[f];
    let train_rows: Vec<usize> = split.train.iter().map(|&i| prep.rows[i]).collect();
    let test_rows: Vec<usize> = split.test.iter().map(|&i| prep.rows[i]).collect();
    let ctx = FitContext::with_threads(spec.seed(), lend);
    let t0 = now_ms();
    // The fit keeps the model's input (when the steps allow it), so the training rows are
    // scored from it instead of being selected, transformed and copied again.
    let (fitted, train_input) = fit_keeping(table, spec, prep, &train_rows, &ctx, true).map_err(|e| fold_error(e, f))?;
    let t1 = now_ms();
    // The test rows are gathered straight from the table (a table of them only for a decision function).
    let test_pred = fitted.predict_rows(table, &test_rows).map_err(|e| fold_error(e, f))?;
    let t2 = now_ms();
    let mut train_table = None;
    let train_pred = match &train_input {
        Some(input) => fitted.predict_training(input).map_err(|e| table.origin.select(&train_rows).locate_error(e)),
        None => fitted.predict(train_table.get_or_insert_with(|| table.select_rows(&train_rows))),
    }
    .map_err(|e| fold_error(e, f))?;
    drop(train_input);
    let test_decision = if decision_needed(&test_pred.output, scoring) {
        decision(&fitted, &test_pred.output, &table.select_rows(&test_rows), scoring).map_err(|e| fold_error(e, f))?
    } else {
        None
    };
    let train_decision = if decision_needed(&train_pred.output, scoring) {
        decision(&fitted, &train_pred.output, train_table.get_or_insert_with(|| table.select_rows(&train_rows)), scoring).map_err(|e| fold_error(e, f))?
    } else {
        None
    };
    let mut warnings = fitted.warnings.clone();
    warnings.extend(test_pred.unseen.iter().map(|u| format!("test rows: {u}")));
    let mut buf = (Vec::new(), Vec::new());
    let s_test = scored(&test_pred.output, target, &test_rows, &mut buf)?;
    let mut test_scores = Vec::with_capacity(scoring.len());
    for m in scoring {
        let (v, ws) = metrics::score_with_decision(m, &s_test, test_decision.as_deref())?;
        warnings.extend(ws.into_iter().map(|w| format!("{m}: {w}")));
        test_scores.push((m.clone(), v));
    }
    let mut buf2 = (Vec::new(), Vec::new());
    let s_train = scored(&train_pred.output, target, &train_rows, &mut buf2)?;
    let mut train_scores = Vec::with_capacity(scoring.len());
    for m in scoring {
        train_scores.push((m.clone(), metrics::score_with_decision(m, &s_train, train_decision.as_deref())?.0));
    }
    let (test_values, test_labels, test_proba) = match test_pred.output {
        Output::Values(p) => (p, vec![], None),
        Output::Classes { labels, proba } => (vec![], labels, proba.map(|pr| pr.rows().into_iter().map(|r| r.to_vec()).collect())),
        Output::Clusters(_) => (vec![], vec![], None),
    };
    Ok(FoldResult {
        fold: f,
        test_scores,
        train_scores,
        warnings,
        feature_names: fitted.feature_names.clone(),
        info: FoldInfo { n_train: train_rows.len(), n_test: test_rows.len(), fit_time_ms: t1 - t0, score_time_ms: t2 - t1 },
        test_values,
        test_labels,
        test_proba,
    })
}

/// Cross-validates `spec` on `table`: per-fold train and test scores for every metric.
///
/// Folds run on up to `hooks.threads` threads (`crate::parallel`), the threads
/// left over going to each fold's fit; progress counts finished folds and is
/// asked on the caller's thread, so a cancel stops folds from starting. The
/// report is the one the sequential loop gives: folds are assembled in order,
/// and a failure is the first failing fold's.
pub fn cross_validate(table: &Table, spec: &PipelineSpec, hooks: CvHooks) -> Result<CvReport> {
    let plan = fold_plan(table, spec, CV_CLUSTERING)?;
    let scoring = scoring_of(spec, &plan.prep)?;
    let total = plan.splits.len();
    let threads = hooks.threads.max(1);
    let outer = threads.min(total);
    let inner = Lend { threads: crate::parallel::inner(threads, outer), stop: hooks.stop, part: None };
    let now_ms = hooks.now_ms;
    let progress = hooks.progress;
    let mut cancelled = false;
    let results = crate::parallel::map(outer, total, &|f| fold_result(table, spec, &plan, &scoring, f, now_ms, inner), &mut |done, r| {
        // After a cancel or an error, the folds still running finish unreported.
        if cancelled || r.is_err() {
            return false;
        }
        cancelled = !progress(done, total);
        !cancelled
    });
    let mut folds = Vec::with_capacity(total);
    for r in results {
        match r {
            Some(Ok(fold)) if !cancelled => folds.push(fold),
            Some(Err(e)) if !cancelled => return Err(e),
            Some(_) => return Err(Error::Cancelled),
            None if cancelled => return Err(Error::Cancelled),
            None => return Err(Error::Numerical(format!("internal error while evaluating fold {}", folds.len() + 1))),
        }
    }
    assemble(table, spec, plan, &scoring, folds, threads)
}

/// The report of a cross-validation whose folds were evaluated one by one
/// ([`evaluate_fold`], in any order, on any worker): the same report as
/// [`cross_validate`] (the fold timings aside).
pub fn finish_folds(table: &Table, spec: &PipelineSpec, mut folds: Vec<FoldResult>) -> Result<CvReport> {
    let plan = fold_plan(table, spec, CV_CLUSTERING)?;
    let scoring = scoring_of(spec, &plan.prep)?;
    crate::sorting::sort_by_key(&mut folds, &|r| r.fold);
    if folds.len() != plan.splits.len() || folds.iter().enumerate().any(|(f, r)| r.fold != f) {
        return Err(Error::data(format!("internal: {} fold results for a cross-validation of {} folds", folds.len(), plan.splits.len())));
    }
    assemble(table, spec, plan, &scoring, folds, 1)
}

/// Appends a fold's score of metric `m` to that metric's scores (a metric named twice
/// gets both, as `entry(m).or_default().push(v)` did).
fn push_score(scores: &mut Vec<(String, Vec<f64>)>, m: String, v: f64) {
    match scores.iter_mut().find(|(k, _)| *k == m) {
        Some((_, vs)) => vs.push(v),
        None => scores.push((m, vec![v])),
    }
}

fn assemble(table: &Table, spec: &PipelineSpec, plan: FoldPlan, scoring: &[String], results: Vec<FoldResult>, threads: usize) -> Result<CvReport> {
    let FoldPlan { prep, splits, cv, holdout: held } = plan;
    let target = prep.target.as_ref().ok_or_else(|| Error::data("a target is required"))?;
    // Each metric's fold scores, the metrics in first-seen order (a few: a linear search; a
    // `BTreeMap<String, Vec<f64>>` compiled its own insert, ≈ 4 KB of wasm); the report's maps
    // below sort them.
    let mut test_scores: Vec<(String, Vec<f64>)> = Vec::new();
    let mut train_scores: Vec<(String, Vec<f64>)> = Vec::new();
    let mut folds = Vec::new();
    let mut warnings = prep.warnings.clone();
    // A feature that alone predicts the target: named, measured on the rows cross-validated.
    warnings.extend(super::leakage::leak_warnings(table, &prep));
    let mut fold_warnings = FoldWarnings::default();
    let mut n_features_out = 0;
    let mut feature_names = Vec::new();
    let n_usable = prep.rows.len();
    let mut oof = OofPredictions {
        rows: prep.rows.clone(),
        fold: vec![0; n_usable],
        values: vec![],
        y_true: vec![],
        y_pred: vec![],
        proba: vec![],
        y_true_values: vec![],
    };
    match target {
        Target::Values(v) => {
            oof.values = vec![f64::NAN; n_usable];
            oof.y_true_values = prep.rows.iter().map(|&r| v[r]).collect();
        }
        Target::Classes { y, .. } => {
            oof.y_true = prep.rows.iter().map(|&r| y[r]).collect();
            oof.y_pred = vec![0; n_usable];
            oof.proba = vec![vec![]; n_usable];
        }
    }
    let total = splits.len();
    for (mut r, split) in results.into_iter().zip(&splits) {
        let f = r.fold;
        // Each row's probabilities are moved into the report, not copied.
        let mut test_proba = r.test_proba.take();
        for w in r.warnings {
            fold_warnings.note(w, f);
        }
        for (m, v) in r.test_scores {
            push_score(&mut test_scores, m, v);
        }
        for (m, v) in r.train_scores {
            push_score(&mut train_scores, m, v);
        }
        n_features_out = r.feature_names.len();
        feature_names = r.feature_names;
        for (k, &i) in split.test.iter().enumerate() {
            oof.fold[i] = f;
            if let Some(&p) = r.test_values.get(k) {
                oof.values[i] = p;
            }
            if let Some(&l) = r.test_labels.get(k) {
                oof.y_pred[i] = l;
                if let Some(pr) = test_proba.as_mut().and_then(|pr| pr.get_mut(k)) {
                    oof.proba[i] = std::mem::take(pr);
                }
            }
        }
        folds.push(r.info);
    }
    warnings.extend(fold_warnings.render(total));
    let holdout = match &held {
        None => None,
        Some((train, test)) => {
            let (_, report, w) = holdout_fit(table, spec, &prep, train, test, scoring, threads)?;
            warnings.extend(w);
            Some(report)
        }
    };
    Ok(CvReport {
        holdout,
        metrics: crate::sorting::btree_map(test_scores.into_iter().map(|(k, v)| (k, MetricSummary::from_folds(v)))),
        train_metrics: crate::sorting::btree_map(train_scores.into_iter().map(|(k, v)| (k, MetricSummary::from_folds(v)))),
        n_rows: n_usable,
        n_features_out,
        task: prep.task,
        cv: cv.describe(n_usable),
        folds,
        classes: prep.target_info.map(|t| t.classes).unwrap_or_default(),
        feature_names,
        warnings,
        oof,
    })
}

/// Warnings gathered per fold, each said once with the folds it occurred in.
#[derive(Default)]
struct FoldWarnings(Vec<(String, Vec<usize>)>);

impl FoldWarnings {
    fn note(&mut self, w: String, fold: usize) {
        match self.0.iter_mut().find(|(m, _)| *m == w) {
            Some((_, folds)) if folds.last() == Some(&fold) => {}
            Some((_, folds)) => folds.push(fold),
            None => self.0.push((w, vec![fold])),
        }
    }
    fn render(self, n_folds: usize) -> Vec<String> {
        self.0
            .into_iter()
            .map(|(w, folds)| match folds.as_slice() {
                f if f.len() == n_folds && n_folds > 1 => format!("in every fold: {w}"),
                [f] => format!("fold {}: {w}", f + 1),
                f => format!("folds {}: {w}", f.iter().map(|k| (k + 1).to_string()).collect::<Vec<_>>().join(", ")),
            })
            .collect()
    }
}

fn fold_error(e: Error, f: usize) -> Error {
    match e {
        Error::Data(m) => Error::Data(format!("fold {}: {m}", f + 1)),
        other => other,
    }
}
