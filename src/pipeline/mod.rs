//! The pipeline: spec → validated plan → fitted pipeline, and cross-validation.
//!
//! Data flow of one fit: `Table` → (target encoded, feature columns chosen) →
//! ColumnTransformer branches on `Frame`s → concatenated `Frame` → top-level
//! steps → `Array2<f64>` → model. Every step is fitted on the rows it is
//! given only; cross-validation gives it the training rows of a fold.

pub mod preview;
pub mod registry;
pub mod spec;

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

pub use registry::{catalog_markdown, ComponentInfo, FittedModelEnum, FittedStep, ModelSpec, StepSpec};
pub use spec::{ColumnSelector, ColumnTransformerSpec, HoldoutSpec, PipelineSpec, Remainder, TransformerSpec};

use crate::data::{ColumnData, ColumnType, Table};
use crate::data::format_number;
use crate::estimator::{FitContext, Output, Target, Task};
use crate::frame::{FCol, Frame};
use crate::metrics::{self, Scored};
use crate::selection::{CvSpec, KFoldParams};
use crate::{Error, Result};

/// A column the fitted pipeline reads, with the type it had in training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
}

/// The target: its column, the task, and for classifiers the class labels in model order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetInfo {
    pub name: String,
    pub task: Task,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedBranch {
    pub name: String,
    pub columns: Vec<String>,
    pub steps: Vec<FittedStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedColumnTransformer {
    pub branches: Vec<FittedBranch>,
    /// Columns passed through untouched (`remainder: "passthrough"`).
    pub remainder: Vec<String>,
}

/// The fitted model, or a constant answer when training saw a single class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelState {
    Fitted(FittedModelEnum),
    SingleClass(usize),
}

/// A fitted pipeline: everything needed to predict on new rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedPipeline {
    pub schema: Vec<SchemaColumn>,
    pub target: Option<TargetInfo>,
    pub preprocess: Option<FittedColumnTransformer>,
    pub steps: Vec<FittedStep>,
    pub model: ModelState,
    /// Names of the columns that reach the model.
    pub feature_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The target encoded over the whole table, and the rows usable for learning.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub task: Task,
    /// Rows with a target value (all rows for clustering).
    pub rows: Vec<usize>,
    /// Aligned with the table's rows; entries of rows without a target are unused.
    pub target: Option<Target>,
    pub target_info: Option<TargetInfo>,
    /// Feature column indices in table order.
    pub feature_cols: Vec<usize>,
    pub warnings: Vec<String>,
}

/// Sorted class labels of a column (numbers by value, booleans false < true,
/// text by code point) and each row's class index (`usize::MAX` when missing).
pub fn encode_classes(name: &str, data: &ColumnData) -> Result<(Vec<String>, Vec<usize>)> {
    match data {
        ColumnData::Categorical(c) => {
            let mut present = vec![false; c.levels.len()];
            for &k in &c.codes {
                if k != crate::data::MISSING_CODE {
                    present[k as usize] = true;
                }
            }
            let mut order: Vec<usize> = (0..c.levels.len()).filter(|&k| present[k]).collect();
            crate::sorting::sort_indices_by(&mut order, &|a, b| c.levels[a].cmp(&c.levels[b]));
            let mut rank = vec![usize::MAX; c.levels.len()];
            for (i, &k) in order.iter().enumerate() {
                rank[k] = i;
            }
            let classes = order.iter().map(|&k| c.levels[k].clone()).collect();
            let codes = c.codes.iter().map(|&k| if k == crate::data::MISSING_CODE { usize::MAX } else { rank[k as usize] }).collect();
            Ok((classes, codes))
        }
        ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => {
            if let Some(x) = v.iter().find(|x| !x.is_nan() && (x.fract() != 0.0 || x.is_infinite())) {
                return Err(Error::column(
                    name,
                    format!("holds continuous numbers (e.g. {x}) but a classifier needs class labels; pick a regressor, or bin the target"),
                ));
            }
            let mut vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            crate::sorting::sort_f64(&mut vals);
            vals.dedup();
            let classes = match data {
                ColumnData::Boolean { tokens, .. } => vals.iter().map(|&x| tokens[(x != 0.0) as usize].clone()).collect(),
                _ => vals.iter().map(|&x| format_number(x)).collect(),
            };
            let codes = v
                .iter()
                .map(|x| if x.is_nan() { usize::MAX } else { vals.binary_search_by(|p| p.total_cmp(x)).unwrap_or(usize::MAX) })
                .collect();
            Ok((classes, codes))
        }
    }
}

/// Resolves the target and the feature columns of `table` for `spec`.
pub fn prepare(table: &Table, spec: &PipelineSpec) -> Result<Prepared> {
    let task = spec.model.task();
    for d in &spec.drop {
        if table.column(d).is_none() {
            return Err(Error::spec("drop", format!("column {d:?} is not in the data (columns: {})", table.names().join(", "))));
        }
    }
    let mut warnings = Vec::new();
    let target_idx = match (&spec.target, task) {
        (Some(t), _) => Some(table.column_index(t).ok_or_else(|| {
            Error::spec("target", format!("column {t:?} is not in the data (columns: {})", table.names().join(", ")))
        })?),
        (None, Task::Clustering) => None,
        (None, _) => return Err(Error::spec("target", format!("{} needs a target column; choose one", spec.model.name()))),
    };
    let feature_cols: Vec<usize> =
        (0..table.n_cols()).filter(|&j| Some(j) != target_idx && !spec.drop.contains(&table.columns[j].name)).collect();
    if feature_cols.is_empty() {
        return Err(Error::data("no feature columns are left after removing the target and the dropped columns"));
    }
    let (target, target_info, rows) = match (target_idx, task) {
        (None, _) => (None, None, (0..table.n_rows).collect()),
        (Some(t), Task::Clustering) => {
            let _ = t; // kept out of the features; may be used as a reference labelling
            (None, None, (0..table.n_rows).collect())
        }
        (Some(t), Task::Regression) => {
            let col = &table.columns[t];
            let v = match &col.data {
                ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => v.clone(),
                ColumnData::Categorical(_) => {
                    return Err(Error::column(&col.name, format!("is categorical but {} is a regressor; pick a classifier or a numeric target", spec.model.name())))
                }
            };
            if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                return Err(Error::column(&col.name, format!("target has an infinite value at row {}", i + 1)));
            }
            let rows: Vec<usize> = (0..v.len()).filter(|&i| !v[i].is_nan()).collect();
            let info = TargetInfo { name: col.name.clone(), task, classes: vec![] };
            (Some(Target::Values(v)), Some(info), rows)
        }
        (Some(t), Task::Classification) => {
            let col = &table.columns[t];
            let (classes, codes) = encode_classes(&col.name, &col.data)?;
            let rows: Vec<usize> = (0..codes.len()).filter(|&i| codes[i] != usize::MAX).collect();
            let n_classes = classes.len();
            let y = codes.into_iter().map(|c| if c == usize::MAX { 0 } else { c }).collect();
            let info = TargetInfo { name: col.name.clone(), task, classes };
            (Some(Target::Classes { y, n_classes }), Some(info), rows)
        }
    };
    if let Some(info) = &target_info {
        let dropped = table.n_rows - rows.len();
        if dropped > 0 {
            warnings.push(format!("{dropped} row(s) with a missing target '{}' were left out of training and scoring", info.name));
        }
        if rows.is_empty() {
            return Err(Error::column(&info.name, "has no values: every target cell is missing"));
        }
    }
    Ok(Prepared { task, rows, target, target_info, feature_cols, warnings })
}

/// The columns a selector picks among the feature columns, in table (or listed) order.
fn select_columns(table: &Table, feature_cols: &[usize], sel: &ColumnSelector, path: &str) -> Result<Vec<usize>> {
    match sel {
        ColumnSelector::Dtype(t) => Ok(feature_cols.iter().copied().filter(|&j| table.columns[j].data.column_type() == *t).collect()),
        ColumnSelector::Names(names) => names
            .iter()
            .map(|n| match table.column_index(n) {
                Some(j) if feature_cols.contains(&j) => Ok(j),
                Some(_) => Err(Error::spec(path, format!("column {n:?} is the target or dropped; it cannot be a feature"))),
                None => Err(Error::spec(path, format!("column {n:?} is not in the data (columns: {})", table.names().join(", ")))),
            })
            .collect(),
    }
}

fn prefix(frame: Frame, name: &str) -> Frame {
    let cols = frame.cols.into_iter().map(|c| FCol { name: format!("{name}__{}", c.name), data: c.data }).collect();
    Frame::new(cols, frame.n_rows)
}

fn concat(frames: Vec<Frame>, n_rows: usize) -> Frame {
    Frame::new(frames.into_iter().flat_map(|f| f.cols).collect(), n_rows)
}

/// What the ColumnTransformer and the steps of a spec produce on the rows they are fitted on.
pub(crate) struct Transformed {
    pub preprocess: Option<FittedColumnTransformer>,
    pub steps: Vec<FittedStep>,
    /// The frame that reaches the model (training rows, after row-removing steps).
    pub frame: Frame,
    pub y: Option<Target>,
    /// The table row behind each row of `frame`.
    pub rows: Vec<usize>,
    /// Table columns read, sorted.
    pub used: Vec<usize>,
}

/// One fitted step: where it sits and what it did to the shape of the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepTrace {
    /// The ColumnTransformer branch, or `None` for the top-level steps.
    pub branch: Option<String>,
    pub index: usize,
    pub name: &'static str,
    pub n_features_in: usize,
    pub n_features_out: usize,
    pub n_rows_in: usize,
    pub n_rows_out: usize,
}

/// Fits `spec` on `rows` of `table`.
pub fn fit(table: &Table, spec: &PipelineSpec, prep: &Prepared, rows: &[usize], ctx: &FitContext) -> Result<FittedPipeline> {
    let Transformed { preprocess, steps, frame, y, used, .. } = fit_transformers(table, spec, prep, rows, ctx, None)?;
    let feature_names = frame.names();
    let x = frame.to_matrix_with(spec.model.accepts_missing())?;
    let model = match &y {
        Some(Target::Classes { y: codes, .. }) if !codes.is_empty() && codes.iter().all(|&c| c == codes[0]) => {
            ctx.warn(format!(
                "the training rows hold a single class ({}); the model always predicts it",
                prep.target_info.as_ref().and_then(|t| t.classes.get(codes[0]).cloned()).unwrap_or_default()
            ));
            ModelState::SingleClass(codes[0])
        }
        _ => ModelState::Fitted(spec.model.fit(&x, y.as_ref(), ctx)?),
    };
    let schema = used.iter().map(|&j| SchemaColumn { name: table.columns[j].name.clone(), ty: table.columns[j].data.column_type() }).collect();
    Ok(FittedPipeline { schema, target: prep.target_info.clone(), preprocess, steps, model, feature_names, warnings: ctx.take_warnings() })
}

/// Fits the ColumnTransformer and the steps of `spec` (not the model) on `rows`
/// of `table`; `trace` (when given) receives one entry per fitted step.
pub(crate) fn fit_transformers(
    table: &Table,
    spec: &PipelineSpec,
    prep: &Prepared,
    rows: &[usize],
    ctx: &FitContext,
    mut trace: Option<&mut Vec<StepTrace>>,
) -> Result<Transformed> {
    let sub = table.rows_view(rows);
    let mut y = prep.target.as_ref().map(|t| t.select(rows));
    let mut kept_rows = rows.to_vec();
    let mut used: Vec<usize> = Vec::new();
    let mut note = |branch: Option<&str>, index: usize, name: &'static str, before: &Frame, after: &Frame| {
        if let Some(t) = trace.as_deref_mut() {
            t.push(StepTrace {
                branch: branch.map(str::to_string),
                index,
                name,
                n_features_in: before.n_cols(),
                n_features_out: after.n_cols(),
                n_rows_in: before.n_rows,
                n_rows_out: after.n_rows,
            });
        }
    };
    // ColumnTransformer.
    let (frame, preprocess) = match &spec.preprocess {
        None => {
            for &j in &prep.feature_cols {
                if table.columns[j].data.column_type() == ColumnType::Categorical {
                    return Err(Error::column(
                        &table.columns[j].name,
                        "is categorical; add a preprocess branch that encodes it (e.g. OneHotEncoder) or list it in drop",
                    ));
                }
            }
            used.extend(&prep.feature_cols);
            (Frame::from_table(&sub, &prep.feature_cols), None)
        }
        Some(ct) => {
            let mut outs = Vec::new();
            let mut branches = Vec::new();
            let mut selected = vec![false; table.n_cols()];
            for (i, t) in ct.transformers.iter().enumerate() {
                let path = format!("preprocess.transformers[{i}].columns");
                let cols = select_columns(table, &prep.feature_cols, &t.columns, &path)?;
                for &j in &cols {
                    selected[j] = true;
                    if !used.contains(&j) {
                        used.push(j);
                    }
                }
                let mut f = Frame::from_table(&sub, &cols);
                let mut fitted = Vec::new();
                for (k, s) in t.steps.iter().enumerate() {
                    let (fs, out, keep) = s.fit_transform(&f, y.as_ref(), ctx).map_err(|e| in_step(e, &t.name, k, s.name()))?;
                    if keep.is_some() {
                        return Err(Error::spec(format!("preprocess.transformers[{i}].steps[{k}]"), format!("{} removes rows; put it in the top-level steps", s.name())));
                    }
                    note(Some(&t.name), k, s.name(), &f, &out);
                    fitted.push(fs);
                    f = out;
                }
                branches.push(FittedBranch { name: t.name.clone(), columns: cols.iter().map(|&j| table.columns[j].name.clone()).collect(), steps: fitted });
                outs.push(prefix(f, &t.name));
            }
            let mut remainder = Vec::new();
            if ct.remainder == Remainder::Passthrough {
                let rest: Vec<usize> = prep.feature_cols.iter().copied().filter(|&j| !selected[j]).collect();
                for &j in &rest {
                    if table.columns[j].data.column_type() == ColumnType::Categorical {
                        return Err(Error::column(&table.columns[j].name, "is categorical and passed through by remainder=\"passthrough\"; encode it in a branch or drop it"));
                    }
                    used.push(j);
                }
                remainder = rest.iter().map(|&j| table.columns[j].name.clone()).collect();
                outs.push(prefix(Frame::from_table(&sub, &rest), "remainder"));
            }
            (concat(outs, sub.n_rows), Some(FittedColumnTransformer { branches, remainder }))
        }
    };
    // Top-level steps.
    let mut frame = frame;
    let mut steps = Vec::new();
    for (k, s) in spec.steps.iter().enumerate() {
        let (fs, out, keep) = s.fit_transform(&frame, y.as_ref(), ctx).map_err(|e| in_step(e, "steps", k, s.name()))?;
        if let Some(keep) = keep {
            y = y.map(|t| t.select(&keep));
            kept_rows = keep.iter().map(|&i| kept_rows[i]).collect();
        }
        note(None, k, s.name(), &frame, &out);
        steps.push(fs);
        frame = out;
    }
    used.sort_unstable();
    Ok(Transformed { preprocess, steps, frame, y, rows: kept_rows, used })
}

fn in_step(e: Error, branch: &str, k: usize, name: &str) -> Error {
    match e {
        Error::Data(m) => Error::Data(format!("{branch}[{k}] {name}: {m}")),
        other => other,
    }
}

/// Predictions of a fitted pipeline, with labels as the user wrote them.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    pub output: Output,
    /// Class labels (classification) in probability-column order.
    pub classes: Vec<String>,
}

impl Predictions {
    /// The prediction of each row as text (class label, number, or cluster id).
    pub fn labels(&self) -> Vec<String> {
        match &self.output {
            Output::Values(v) => v.iter().map(|x| format!("{x}")).collect(),
            Output::Classes { labels, .. } => labels.iter().map(|&k| self.classes.get(k).cloned().unwrap_or_default()).collect(),
            Output::Clusters(c) => c.iter().map(|k| k.to_string()).collect(),
        }
    }
}

impl FittedPipeline {
    pub fn task(&self) -> Task {
        match (&self.target, &self.model) {
            (Some(t), _) => t.task,
            _ => Task::Clustering,
        }
    }

    /// Conforms `table` to the training schema: every schema column must be
    /// present with a compatible type.
    fn input_frame_columns(&self, table: &Table) -> Result<Table> {
        let mut cols = Vec::with_capacity(self.schema.len());
        for s in &self.schema {
            let c = table.column(&s.name).ok_or_else(|| {
                Error::column(&s.name, format!("is missing from the data; the model was trained with columns: {}", self.schema.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")))
            })?;
            let data = match (s.ty, &c.data) {
                (a, d) if a == d.column_type() => d.clone(),
                (ColumnType::Numeric, ColumnData::Boolean { values, tokens }) if tokens[0] == "0" => ColumnData::Numeric(values.clone()),
                (ColumnType::Boolean, ColumnData::Numeric(v)) if v.iter().all(|x| x.is_nan() || *x == 0.0 || *x == 1.0) => {
                    ColumnData::Boolean { values: v.clone(), tokens: ["0".into(), "1".into()] }
                }
                (want, d) => {
                    let row = (0..d.len()).find(|&i| !d.is_missing(i));
                    let example = row.and_then(|i| d.display(i).map(|v| format!(" (row {} holds {:?})", i + 1, v))).unwrap_or_default();
                    return Err(Error::column(
                        &s.name,
                        format!("was {} when the model was trained but is {} here{example}", want.as_str(), d.column_type().as_str()),
                    ));
                }
            };
            cols.push(crate::data::Column { name: s.name.clone(), data });
        }
        Table::new(cols)
    }

    /// The matrix that reaches the model for the rows of `table`.
    pub fn transform(&self, table: &Table) -> Result<Array2<f64>> {
        let allow_missing = matches!(&self.model, ModelState::Fitted(m) if m.accepts_missing());
        self.transform_frame(table)?.to_matrix_with(allow_missing)
    }

    pub fn transform_frame(&self, table: &Table) -> Result<Frame> {
        let t = self.input_frame_columns(table)?;
        let all: Vec<usize> = (0..t.n_cols()).collect();
        let mut frame = match &self.preprocess {
            None => Frame::from_table(&t, &all),
            Some(ct) => {
                let mut outs = Vec::new();
                for b in &ct.branches {
                    let idx: Vec<usize> = b.columns.iter().map(|n| t.column_index(n).ok_or_else(|| Error::column(n, "is missing from the data"))).collect::<Result<_>>()?;
                    let mut f = Frame::from_table(&t, &idx);
                    for s in &b.steps {
                        f = s.transform(&f)?;
                    }
                    outs.push(prefix(f, &b.name));
                }
                if !ct.remainder.is_empty() {
                    let idx: Vec<usize> = ct.remainder.iter().map(|n| t.column_index(n).ok_or_else(|| Error::column(n, "is missing from the data"))).collect::<Result<_>>()?;
                    outs.push(prefix(Frame::from_table(&t, &idx), "remainder"));
                }
                concat(outs, t.n_rows)
            }
        };
        for s in &self.steps {
            frame = s.transform(&frame)?;
        }
        Ok(frame)
    }

    pub fn predict(&self, table: &Table) -> Result<Predictions> {
        let x = self.transform(table)?;
        let classes = self.target.as_ref().map(|t| t.classes.clone()).unwrap_or_default();
        let output = match &self.model {
            ModelState::Fitted(m) => m.predict(&x)?,
            ModelState::SingleClass(k) => {
                let n = x.nrows();
                let mut proba = Array2::zeros((n, classes.len().max(1)));
                proba.column_mut((*k).min(classes.len().saturating_sub(1))).fill(1.0);
                Output::Classes { labels: vec![*k; n], proba: Some(proba) }
            }
        };
        Ok(Predictions { output, classes })
    }

    /// Predictions as CSV: the input's rows, a `prediction` column, and `proba_<class>` columns for classifiers.
    pub fn predictions_csv(&self, table: &Table) -> Result<String> {
        self.predictions_csv_with(table, true)
    }

    /// [`predictions_csv`](Self::predictions_csv), with or without the header
    /// line (streamed prediction writes it once, before the first batch).
    pub fn predictions_csv_with(&self, table: &Table, with_header: bool) -> Result<String> {
        let p = self.predict(table)?;
        let labels = p.labels();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = table.names();
        header.push("prediction".into());
        let proba = match &p.output {
            Output::Classes { proba: Some(pr), .. } => {
                header.extend(p.classes.iter().map(|c| format!("proba_{c}")));
                Some(pr)
            }
            _ => None,
        };
        if with_header {
            w.write_record(&header).map_err(|e| Error::Csv(e.to_string()))?;
        }
        // One reused buffer per cell: this loop writes every input cell again
        // (100,000 × 20 cells for a 40 MB file), so no allocation per cell.
        let mut cell = String::new();
        let csv_err = |e: csv::Error| Error::Csv(e.to_string());
        for i in 0..table.n_rows {
            for c in &table.columns {
                cell.clear();
                c.data.display_into(i, &mut cell);
                w.write_field(&cell).map_err(csv_err)?;
            }
            w.write_field(&labels[i]).map_err(csv_err)?;
            if let Some(pr) = proba {
                for v in pr.row(i) {
                    cell.clear();
                    // Writing to a String cannot fail.
                    let _ = std::fmt::Write::write_fmt(&mut cell, format_args!("{v}"));
                    w.write_field(&cell).map_err(csv_err)?;
                }
            }
            w.write_record(None::<&[u8]>).map_err(csv_err)?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Csv(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| Error::Csv(e.to_string()))
    }

    /// Checks internal consistency (used when loading a model file).
    pub fn validate(&self) -> Result<()> {
        if let Some(ct) = &self.preprocess {
            for b in &ct.branches {
                for s in &b.steps {
                    s.validate()?;
                }
                if let Some(c) = b.columns.iter().find(|c| !self.schema.iter().any(|s| &s.name == *c)) {
                    return Err(Error::ModelFile(format!("branch '{}' reads column '{c}' that is not in the schema", b.name)));
                }
            }
        }
        for s in &self.steps {
            s.validate()?;
        }
        match &self.model {
            ModelState::Fitted(m) => {
                m.validate()?;
                if m.n_features() != self.feature_names.len() {
                    return Err(Error::ModelFile(format!(
                        "the model expects {} features but the pipeline names {}",
                        m.n_features(),
                        self.feature_names.len()
                    )));
                }
            }
            ModelState::SingleClass(k) => {
                if self.target.as_ref().is_none_or(|t| *k >= t.classes.len()) {
                    return Err(Error::ModelFile("single-class model refers to an unknown class".into()));
                }
            }
        }
        if let Some(t) = &self.target {
            if t.task == Task::Classification && t.classes.is_empty() {
                return Err(Error::ModelFile("a classifier must list its classes".into()));
            }
        }
        Ok(())
    }
}

/// Per-fold scores of one metric, their mean and population standard deviation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    pub folds: Vec<f64>,
    pub mean: f64,
    pub std: f64,
}

impl MetricSummary {
    pub fn from_folds(folds: Vec<f64>) -> Self {
        let n = folds.len() as f64;
        let mean = folds.iter().sum::<f64>() / n;
        let std = (folds.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
        MetricSummary { folds, mean, std }
    }
}

/// One fold's bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldInfo {
    pub n_train: usize,
    pub n_test: usize,
    pub fit_time_ms: f64,
    pub score_time_ms: f64,
}

/// Out-of-fold predictions: every usable row predicted by the fold that held it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutReport {
    pub n_train: usize,
    pub n_test: usize,
    pub scores: BTreeMap<String, f64>,
}

/// Splits the usable rows into (training part, held-out test part) per the spec's `holdout`.
pub fn holdout_split(spec: &PipelineSpec, prep: &Prepared) -> Result<Option<(Vec<usize>, Vec<usize>)>> {
    let Some(h) = &spec.holdout else { return Ok(None) };
    let classes: Option<Vec<usize>> = match (&prep.target, h.stratify) {
        (Some(Target::Classes { y, .. }), true) => Some(prep.rows.iter().map(|&r| y[r]).collect()),
        (_, true) => return Err(Error::spec("holdout.stratify", "needs a classification target")),
        _ => None,
    };
    let s = crate::selection::train_test_split(prep.rows.len(), h.test_size, classes.as_deref(), h.shuffle, h.random_state.unwrap_or(spec.seed()))?;
    Ok(Some((s.train.iter().map(|&i| prep.rows[i]).collect(), s.test.iter().map(|&i| prep.rows[i]).collect())))
}

/// Hooks the caller provides: a clock (the core reads none) and progress/cancel.
pub struct CvHooks<'a> {
    pub now_ms: &'a (dyn Fn() -> f64 + Sync),
    /// Called after each fold with (done, total); returning false cancels.
    pub progress: &'a mut dyn FnMut(usize, usize) -> bool,
}

/// The splitter a spec uses: its own, or StratifiedKFold(5) for classifiers and KFold(5) otherwise.
pub fn effective_cv(spec: &PipelineSpec, task: Task) -> CvSpec {
    spec.cv.clone().unwrap_or(match task {
        Task::Classification => CvSpec::StratifiedKFold(KFoldParams::default()),
        _ => CvSpec::KFold(KFoldParams::default()),
    })
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

/// Cross-validates `spec` on `table`: per-fold train and test scores for every metric.
pub fn cross_validate(table: &Table, spec: &PipelineSpec, hooks: CvHooks) -> Result<CvReport> {
    let mut prep = prepare(table, spec)?;
    let held = holdout_split(spec, &prep)?;
    if let Some((train, _)) = &held {
        prep.rows = train.clone();
    }
    if prep.task == Task::Clustering {
        return Err(Error::data("cross-validation needs a supervised model; clustering is evaluated with fit"));
    }
    let scoring = if spec.scoring.is_empty() { metrics::default_scoring(prep.task) } else { spec.scoring.clone() };
    metrics::check_scoring(prep.task, &scoring)?;
    let cv = effective_cv(spec, prep.task);
    let target = prep.target.as_ref().ok_or_else(|| Error::data("a target is required"))?;
    let local_classes: Option<Vec<usize>> = match target {
        Target::Classes { y, .. } => Some(prep.rows.iter().map(|&r| y[r]).collect()),
        _ => None,
    };
    let groups = match cv.group_column() {
        Some(g) => Some(group_ids(table, g, &prep.rows)?),
        None => None,
    };
    let splits = cv.split_groups(prep.rows.len(), local_classes.as_deref(), groups.as_deref(), spec.seed())?;
    let mut test_scores: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut train_scores: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut folds = Vec::new();
    let mut warnings = prep.warnings.clone();
    let mut fold_warnings = FoldWarnings::default();
    let mut n_features_out = 0;
    let mut feature_names = Vec::new();
    let n_usable = prep.rows.len();
    let mut oof = OofPredictions { rows: prep.rows.clone(), fold: vec![0; n_usable], values: vec![], y_true: vec![], y_pred: vec![], proba: vec![], y_true_values: vec![] };
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
    for (f, split) in splits.iter().enumerate() {
        let train_rows: Vec<usize> = split.train.iter().map(|&i| prep.rows[i]).collect();
        let test_rows: Vec<usize> = split.test.iter().map(|&i| prep.rows[i]).collect();
        let ctx = FitContext::new(spec.seed());
        let t0 = (hooks.now_ms)();
        let fitted = fit(table, spec, &prep, &train_rows, &ctx).map_err(|e| fold_error(e, f))?;
        let t1 = (hooks.now_ms)();
        let test_pred = fitted.predict(&table.select_rows(&test_rows)).map_err(|e| fold_error(e, f))?;
        let t2 = (hooks.now_ms)();
        let train_pred = fitted.predict(&table.select_rows(&train_rows)).map_err(|e| fold_error(e, f))?;
        for w in &fitted.warnings {
            fold_warnings.note(w.clone(), f);
        }
        n_features_out = fitted.feature_names.len();
        feature_names = fitted.feature_names.clone();
        let mut buf = (Vec::new(), Vec::new());
        let s_test = scored(&test_pred.output, target, &test_rows, &mut buf)?;
        for m in &scoring {
            let (v, ws) = metrics::score(m, &s_test)?;
            for w in ws {
                fold_warnings.note(format!("{m}: {w}"), f);
            }
            test_scores.entry(m.clone()).or_default().push(v);
        }
        let mut buf2 = (Vec::new(), Vec::new());
        let s_train = scored(&train_pred.output, target, &train_rows, &mut buf2)?;
        for m in &scoring {
            let (v, _) = metrics::score(m, &s_train)?;
            train_scores.entry(m.clone()).or_default().push(v);
        }
        for (k, &i) in split.test.iter().enumerate() {
            oof.fold[i] = f;
            match &test_pred.output {
                Output::Values(p) => oof.values[i] = p[k],
                Output::Classes { labels, proba } => {
                    oof.y_pred[i] = labels[k];
                    if let Some(pr) = proba {
                        oof.proba[i] = pr.row(k).to_vec();
                    }
                }
                Output::Clusters(_) => {}
            }
        }
        folds.push(FoldInfo { n_train: train_rows.len(), n_test: test_rows.len(), fit_time_ms: t1 - t0, score_time_ms: t2 - t1 });
        if !(hooks.progress)(f + 1, total) {
            return Err(Error::Cancelled);
        }
    }
    warnings.extend(fold_warnings.render(total));
    let holdout = match &held {
        None => None,
        Some((train, test)) => {
            let ctx = FitContext::new(spec.seed());
            let fitted = fit(table, spec, &prep, train, &ctx)?;
            let pred = fitted.predict(&table.select_rows(test))?;
            let mut buf = (Vec::new(), Vec::new());
            let s = scored(&pred.output, target, test, &mut buf)?;
            let mut scores = BTreeMap::new();
            for m in &scoring {
                scores.insert(m.clone(), metrics::score(m, &s)?.0);
            }
            Some(HoldoutReport { n_train: train.len(), n_test: test.len(), scores })
        }
    };
    Ok(CvReport {
        holdout,
        metrics: test_scores.into_iter().map(|(k, v)| (k, MetricSummary::from_folds(v))).collect(),
        train_metrics: train_scores.into_iter().map(|(k, v)| (k, MetricSummary::from_folds(v))).collect(),
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

/// Group ids (0..) of `rows` from column `name`, for GroupKFold.
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

/// Fits on every usable row.
pub fn fit_all(table: &Table, spec: &PipelineSpec) -> Result<FittedPipeline> {
    let prep = prepare(table, spec)?;
    let ctx = FitContext::new(spec.seed());
    let mut fitted = fit(table, spec, &prep, &prep.rows, &ctx)?;
    let mut w = prep.warnings;
    w.append(&mut fitted.warnings);
    fitted.warnings = w;
    Ok(fitted)
}

/// Rows above which the silhouette is estimated on a seeded sample of this many rows.
pub const SILHOUETTE_MAX_ROWS: usize = 10_000;

/// A clustering pipeline fitted on every row, scored: what `pipelab fit`
/// prints for a clustering model and the page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusteringReport {
    /// `silhouette`, `davies_bouldin`, `calinski_harabasz` (on the matrix that
    /// reaches the model; DBSCAN noise counts as one more cluster, as in
    /// scikit-learn), `inertia` (KMeans), and `adjusted_rand` /
    /// `normalized_mutual_info` against the spec's `target` when it names one.
    /// A metric that cannot be computed (e.g. a single cluster) is left out with a warning.
    pub metrics: BTreeMap<String, f64>,
    /// Clusters found (noise excluded).
    pub n_clusters: usize,
    /// Rows labelled noise (`-1`); DBSCAN only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_noise: Option<usize>,
    /// Rows in cluster 0, 1, ...
    pub cluster_sizes: Vec<usize>,
    /// Cluster of every row of the table (`-1` = noise).
    pub labels: Vec<i64>,
    /// Silhouette of every row (for a silhouette plot); empty when the
    /// silhouette is not defined or was estimated on a sample.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub silhouette_samples: Vec<f64>,
    pub n_rows: usize,
    pub feature_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Fits a clustering spec on every row and scores the clustering.
pub fn fit_clustering(table: &Table, spec: &PipelineSpec) -> Result<(FittedPipeline, ClusteringReport)> {
    use crate::metrics::clustering as mc;
    use crate::models::cluster::{inertia, training_labels};
    let prep = prepare(table, spec)?;
    if prep.task != Task::Clustering {
        return Err(Error::spec("model", format!("{} is not a clustering model; evaluate it with cross-validation", spec.model.name())));
    }
    let ctx = FitContext::new(spec.seed());
    let mut fitted = fit(table, spec, &prep, &prep.rows, &ctx)?;
    let mut warnings = prep.warnings.clone();
    warnings.append(&mut fitted.warnings);
    let x = fitted.transform(&table.rows_view(&prep.rows))?;
    let ModelState::Fitted(model) = &fitted.model else { return Err(Error::data("a clustering pipeline has no single-class model")) };
    let labels: Vec<i64> = match training_labels(model) {
        Some(l) if l.len() == x.nrows() => l.to_vec(),
        _ => {
            warnings.push("the steps changed the rows; labels are the model's predictions on every row".into());
            match model.predict(&x)? {
                Output::Clusters(l) => l,
                _ => return Err(Error::data("the model does not output clusters")),
            }
        }
    };
    let mut metrics = BTreeMap::new();
    let mut silhouette_samples = Vec::new();
    let fail = |name: &str, e: Error, warnings: &mut Vec<String>| warnings.push(format!("{name} not computed: {e}"));
    if x.nrows() > SILHOUETTE_MAX_ROWS {
        use rand::{seq::SliceRandom, SeedableRng};
        let mut idx: Vec<usize> = (0..x.nrows()).collect();
        idx.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(spec.seed()));
        idx.truncate(SILHOUETTE_MAX_ROWS);
        idx.sort_unstable();
        let xs = x.select(ndarray::Axis(0), &idx);
        let ls: Vec<i64> = idx.iter().map(|&i| labels[i]).collect();
        match mc::silhouette_score(xs.view(), &ls) {
            Ok(v) => {
                metrics.insert("silhouette".to_string(), v);
                warnings.push(format!("silhouette estimated on a random sample of {SILHOUETTE_MAX_ROWS} of the {} rows", x.nrows()));
            }
            Err(e) => fail("silhouette", e, &mut warnings),
        }
    } else {
        match mc::silhouette_samples(x.view(), &labels) {
            Ok(s) => {
                metrics.insert("silhouette".to_string(), s.iter().sum::<f64>() / s.len() as f64);
                silhouette_samples = s;
            }
            Err(e) => fail("silhouette", e, &mut warnings),
        }
    }
    match mc::davies_bouldin(x.view(), &labels) {
        Ok(v) => drop(metrics.insert("davies_bouldin".to_string(), v)),
        Err(e) => fail("davies_bouldin", e, &mut warnings),
    }
    match mc::calinski_harabasz(x.view(), &labels) {
        Ok(v) => drop(metrics.insert("calinski_harabasz".to_string(), v)),
        Err(e) => fail("calinski_harabasz", e, &mut warnings),
    }
    if let Some(v) = inertia(model) {
        metrics.insert("inertia".to_string(), v);
    }
    if let Some(t) = &spec.target {
        // prepare() checked that the column exists. Missing reference values are skipped.
        if let Some(col) = table.column(t) {
            let mut codes: BTreeMap<String, i64> = BTreeMap::new();
            let (mut truth, mut pred) = (Vec::new(), Vec::new());
            for (k, &r) in prep.rows.iter().enumerate() {
                if let Some(v) = col.data.display(r) {
                    let next = codes.len() as i64;
                    truth.push(*codes.entry(v).or_insert(next));
                    pred.push(labels[k]);
                }
            }
            if truth.len() < prep.rows.len() {
                warnings.push(format!("{} row(s) with a missing '{t}' are left out of adjusted_rand / normalized_mutual_info", prep.rows.len() - truth.len()));
            }
            metrics.insert("adjusted_rand".to_string(), mc::adjusted_rand(&truth, &pred)?);
            metrics.insert("normalized_mutual_info".to_string(), mc::normalized_mutual_info(&truth, &pred)?);
        }
    }
    let n_clusters = labels.iter().copied().max().map_or(0, |m| (m + 1).max(0) as usize);
    let mut cluster_sizes = vec![0usize; n_clusters];
    labels.iter().filter(|&&l| l >= 0).for_each(|&l| cluster_sizes[l as usize] += 1);
    let n_noise = matches!(model, FittedModelEnum::DBSCAN(_)).then(|| labels.iter().filter(|&&l| l < 0).count());
    fitted.warnings = warnings.clone();
    let report = ClusteringReport {
        metrics,
        n_clusters,
        n_noise,
        cluster_sizes,
        labels,
        silhouette_samples,
        n_rows: x.nrows(),
        feature_names: fitted.feature_names.clone(),
        warnings,
    };
    Ok((fitted, report))
}

/// Fits a clustering spec on every row and returns its report (see [`fit_clustering`]).
pub fn evaluate_clustering(table: &Table, spec: &PipelineSpec) -> Result<ClusteringReport> {
    Ok(fit_clustering(table, spec)?.1)
}
