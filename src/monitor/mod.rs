//! Monitoring a fitted model: drift of new data against the training
//! reference stored in the model file, prediction drift, performance on new
//! labels, and the lineage a retrained model records.
//!
//! Sits beside `persist` (above `pipeline` and `metrics`, below `selection`
//! and `api`): it reads model files and predicts with their pipelines, and
//! never fits.

pub mod drift;
// The model file records these (layer 4, under persist); drift reads them from here too.
pub use crate::persist::{lineage, reference};
pub mod stats;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::{ColumnData, ColumnType, Table};
use crate::estimator::{Output, Task};
use crate::metrics::{self, Scored};
use crate::persist::ModelFile;
use crate::{Error, Result};
use drift::{column_drift, ColumnDrift, DriftOptions, Sample};
use reference::Distribution;

/// The score of one metric on the new labelled rows against the cross-validation's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricComparison {
    pub new: f64,
    pub cv_mean: f64,
    pub cv_std: f64,
    pub greater_is_better: bool,
    /// new − cv_mean, signed so that negative is worse.
    pub change: f64,
    /// Worse than the CV mean by more than 2 CV standard deviations.
    pub dropped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Performance {
    pub target: String,
    /// New rows scored (rows with a usable target value).
    pub n_rows: usize,
    pub metrics: BTreeMap<String, MetricComparison>,
    pub dropped: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What `pipelab drift` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    pub columns: BTreeMap<String, ColumnDrift>,
    pub n_columns: usize,
    pub n_drifted: usize,
    pub share_drifted: f64,
    /// At least half of the columns drifted (Evidently's drift share 0.5).
    pub dataset_drift: bool,
    pub n_rows_ref: u64,
    pub n_rows_new: usize,
    /// The model's predictions on the new rows against its out-of-fold predictions.
    pub prediction: Option<ColumnDrift>,
    pub performance: Option<Performance>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The new sample of a table column (as the reference describes it) and its missing rate.
pub fn new_sample(data: &ColumnData, categorical: bool) -> (Sample, f64) {
    let n = data.len();
    let (sample, present) = match (data, categorical) {
        (ColumnData::Numeric(v), false) => {
            let s = Sample::numeric(v);
            let present = v.iter().filter(|x| x.is_finite()).count();
            (s, present)
        }
        _ => {
            let cells: Vec<Option<String>> = (0..n).map(|r| data.display(r)).collect();
            let present = cells.iter().filter(|c| c.is_some()).count();
            match Distribution::categories(cells.iter().map(|c| c.as_deref())) {
                Distribution::Categories { categories, counts } => {
                    (Sample::Categories { categories, counts: counts.into_iter().map(|c| c as f64).collect() }, present)
                }
                _ => (Sample::Categories { categories: vec![], counts: vec![] }, present),
            }
        }
    };
    let missing = if n == 0 { 0.0 } else { (n - present) as f64 / n as f64 };
    (sample, missing)
}

/// Drift of `table` (new data, read with the model's column types) against the model's training reference.
pub fn drift(model: &ModelFile, table: &Table, options: &DriftOptions) -> Result<DriftReport> {
    let reference = model.reference.as_ref().ok_or_else(|| {
        Error::data(format!(
            "this model file (written by pipelab {}) holds no training reference; drift needs a model trained by pipelab {} or later — fit or retrain it again",
            model.crate_version,
            env!("CARGO_PKG_VERSION")
        ))
    })?;
    if let Some(t) = options.threshold {
        if !t.is_finite() || t < 0.0 {
            return Err(Error::spec("threshold", format!("must be a finite number ≥ 0, got {t}")));
        }
    }
    let mut columns = BTreeMap::new();
    let mut missing_cols = Vec::new();
    for c in &reference.columns {
        let Some(col) = table.column(&c.name) else {
            missing_cols.push(c.name.clone());
            continue;
        };
        let categorical = c.ty != ColumnType::Numeric;
        if !categorical && !matches!(col.data, ColumnData::Numeric(_)) {
            return Err(Error::column(&c.name, format!("was numeric in the training data but is {} here", col.data.column_type().as_str())));
        }
        let (sample, missing_new) = new_sample(&col.data, categorical);
        let d = column_drift(&c.distribution, c.missing_rate(), &sample, missing_new, options).map_err(|e| Error::column(&c.name, e.to_string()))?;
        columns.insert(c.name.clone(), d);
    }
    if !missing_cols.is_empty() {
        return Err(Error::data(format!(
            "the new data lacks the model's input column(s) {}; its columns are: {}",
            missing_cols.join(", "),
            table.names().join(", ")
        )));
    }
    let n_drifted = columns.values().filter(|c| c.drifted).count();
    let n_columns = columns.len();
    let share_drifted = if n_columns == 0 { 0.0 } else { n_drifted as f64 / n_columns as f64 };
    let mut warnings = Vec::new();
    let predictions = model.pipeline.predict(table)?;
    let prediction = match &reference.prediction {
        None => {
            warnings.push("the model file holds no out-of-fold predictions (it was fitted without cross-validation): no prediction drift".into());
            None
        }
        Some(p) => {
            let sample = match &predictions.output {
                Output::Values(v) => Sample::numeric(v),
                Output::Classes { .. } => match Distribution::categories(predictions.labels().iter().map(|s| Some(s.as_str()))) {
                    Distribution::Categories { categories, counts } => {
                        Sample::Categories { categories, counts: counts.into_iter().map(|c| c as f64).collect() }
                    }
                    _ => Sample::Categories { categories: vec![], counts: vec![] },
                },
                Output::Clusters(_) => Sample::Categories { categories: vec![], counts: vec![] },
            };
            Some(column_drift(p, 0.0, &sample, 0.0, options)?)
        }
    };
    let performance = performance(model, table, &predictions.output)?;
    Ok(DriftReport {
        columns,
        n_columns,
        n_drifted,
        share_drifted,
        dataset_drift: n_columns > 0 && share_drifted >= 0.5,
        n_rows_ref: reference.n_rows,
        n_rows_new: table.n_rows,
        prediction,
        performance,
        warnings,
    })
}

/// Scores the model on the new rows when they hold the target column (`None`
/// when they do not, or no row has a usable target value). The monitor's
/// drift report and the page's predictions both report it.
pub fn performance(model: &ModelFile, table: &Table, output: &Output) -> Result<Option<Performance>> {
    let Some(target) = &model.pipeline.target else { return Ok(None) };
    let Some(col) = table.column(&target.name) else { return Ok(None) };
    let scoring = if model.spec.scoring.is_empty() { metrics::default_scoring(target.task) } else { model.spec.scoring.clone() };
    let mut warnings = Vec::new();
    let mut results = BTreeMap::new();
    let rows: Vec<usize>;
    match (target.task, output) {
        (Task::Regression, Output::Values(pred)) => {
            let ColumnData::Numeric(y) = &col.data else {
                return Err(Error::column(&target.name, "the target of a regressor must be numeric in the new data"));
            };
            rows = (0..table.n_rows).filter(|&r| y[r].is_finite()).collect();
            let yt: Vec<f64> = rows.iter().map(|&r| y[r]).collect();
            let yp: Vec<f64> = rows.iter().map(|&r| pred[r]).collect();
            if rows.is_empty() {
                return Ok(None);
            }
            for m in &scoring {
                let (v, w) = metrics::score(m, &Scored::Values { y_true: &yt, y_pred: &yp })?;
                warnings.extend(w.into_iter().map(|w| format!("{m}: {w}")));
                results.insert(m.clone(), v);
            }
        }
        (Task::Classification, Output::Classes { labels, proba }) => {
            let mut unknown = 0usize;
            let mut r_ok = Vec::new();
            let mut yt = Vec::new();
            for r in 0..table.n_rows {
                let Some(t) = col.data.display(r) else { continue };
                match target.classes.iter().position(|c| *c == t) {
                    Some(k) => {
                        r_ok.push(r);
                        yt.push(k);
                    }
                    None => unknown += 1,
                }
            }
            if unknown > 0 {
                warnings.push(format!("{unknown} row(s) have a class the model never saw; they are not scored"));
            }
            rows = r_ok;
            if rows.is_empty() {
                return Ok(None);
            }
            let yp: Vec<usize> = rows.iter().map(|&r| labels[r]).collect();
            let pr = proba.as_ref().map(|p| p.select(ndarray::Axis(0), &rows));
            for m in &scoring {
                match metrics::score(m, &Scored::Classes { y_true: &yt, y_pred: &yp, proba: pr.as_ref(), n_classes: target.classes.len() }) {
                    Ok((v, w)) => {
                        warnings.extend(w.into_iter().map(|w| format!("{m}: {w}")));
                        results.insert(m.clone(), v);
                    }
                    Err(e) => warnings.push(format!("{m} not scored: {e}")),
                }
            }
        }
        _ => return Ok(None),
    }
    let mut metrics_out = BTreeMap::new();
    for (m, v) in results {
        let Some(cv) = model.cv_metrics.get(&m) else {
            warnings.push(format!("{m}: the model file holds no cross-validation score to compare with"));
            continue;
        };
        let gib = metrics::greater_is_better(&m);
        let change = if gib { v - cv.mean } else { cv.mean - v };
        metrics_out.insert(m, MetricComparison { new: v, cv_mean: cv.mean, cv_std: cv.std, greater_is_better: gib, change, dropped: change < -2.0 * cv.std });
    }
    let dropped = metrics_out.values().any(|c| c.dropped);
    Ok(Some(Performance { target: target.name.clone(), n_rows: rows.len(), metrics: metrics_out, dropped, warnings }))
}

/// Concatenates tables read from several files (same columns in the same order,
/// same types); `names` name the files in errors.
pub fn concat_tables(tables: &[(&str, &Table)]) -> Result<Table> {
    let Some(&(first_name, first)) = tables.first() else { return Err(Error::data("no data given")) };
    for &(name, t) in &tables[1..] {
        if t.names() != first.names() {
            let (a, b) = (first.names(), t.names());
            let detail = match a.iter().zip(&b).position(|(x, y)| x != y) {
                Some(i) => format!("column {} is {:?} in {first_name} but {:?} in {name}", i + 1, a[i], b[i]),
                None => format!("{first_name} has {} columns, {name} has {}", a.len(), b.len()),
            };
            return Err(Error::data(format!("the data files must have the same columns: {detail}")));
        }
        for (c0, c) in first.columns.iter().zip(&t.columns) {
            let (t0, t1) = (c0.data.column_type(), c.data.column_type());
            if t0 != t1 {
                return Err(Error::column(&c.name, format!("is {} in {first_name} but {} in {name}", t0.as_str(), t1.as_str())));
            }
        }
    }
    let mut columns = Vec::with_capacity(first.n_cols());
    for (j, c0) in first.columns.iter().enumerate() {
        let data = match &c0.data {
            ColumnData::Numeric(_) => ColumnData::Numeric(tables.iter().flat_map(|(_, t)| numeric_values(&t.columns[j].data)).collect()),
            ColumnData::Boolean { tokens, .. } => {
                ColumnData::Boolean { values: tables.iter().flat_map(|(_, t)| numeric_values(&t.columns[j].data)).collect(), tokens: tokens.clone() }
            }
            ColumnData::Categorical(_) => {
                let cells: Vec<Option<String>> = tables.iter().flat_map(|(_, t)| (0..t.n_rows).map(move |r| t.columns[j].data.display(r))).collect();
                ColumnData::Categorical(crate::data::CatData::from_options(&cells))
            }
        };
        columns.push(crate::data::Column { name: c0.name.clone(), data });
    }
    Table::new(columns)
}

fn numeric_values(d: &ColumnData) -> Vec<f64> {
    match d {
        ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => v.to_vec(),
        ColumnData::Categorical(c) => vec![f64::NAN; c.len()],
    }
}

/// The distribution of a cross-validation's out-of-fold predictions, which the
/// model file keeps as the reference for prediction drift.
pub fn prediction_reference(r: &crate::selection::cv::CvReport) -> Option<reference::Distribution> {
    if !r.oof.values.is_empty() {
        Some(reference::Distribution::numeric(&r.oof.values))
    } else if !r.oof.y_pred.is_empty() {
        Some(reference::Distribution::categories(r.oof.y_pred.iter().map(|&k| r.classes.get(k).map(String::as_str))))
    } else {
        None
    }
}
