//! The pipeline: spec → validated plan → fitted pipeline, prediction.
//! Cross-validation of a pipeline lives one layer up, in `selection::cv`.
//!
//! Data flow of one fit: `Table` → (target encoded, feature columns chosen) →
//! ColumnTransformer branches on `Frame`s → concatenated `Frame` → top-level
//! steps → `Array2<f64>` → model. Every step is fitted on the rows it is
//! given only; cross-validation gives it the training rows of a fold.

pub mod explain;
pub(crate) mod json_text;

mod decision;
#[cfg(feature = "full-components")]
pub mod model_parts;
pub mod preview;
pub mod registry;
pub mod search_spec;
pub mod spec;
pub mod summaries;
pub(crate) mod value_de;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

pub use registry::{catalog_markdown, ComponentInfo, FittedModelEnum, FittedStep, ModelSpec, StepSpec};
pub use spec::{ColumnSelector, ColumnTransformerSpec, HoldoutSpec, PipelineSpec, Remainder, TransformerSpec};

use crate::data::format_number;
use crate::data::{ColumnData, ColumnType, Table};
use crate::estimator::{FitContext, FittedTransform, Output, StepParams, Target, Task};
use crate::frame::{FCol, Frame};
use crate::split::{CvSpec, KFoldParams};
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
            let codes = v.iter().map(|x| if x.is_nan() { usize::MAX } else { vals.binary_search_by(|p| p.total_cmp(x)).unwrap_or(usize::MAX) }).collect();
            Ok((classes, codes))
        }
    }
}

/// The rows `0..n` where `keep` holds, in order: written into a vector of `n` (collecting the
/// filter grew its vector by doubling, and pushed one row at a time: 1.7 % of the native PCA
/// benchmark, 5 % of the page's), then cut to the rows kept.
fn kept_rows(n: usize, keep: impl Fn(usize) -> bool) -> Vec<usize> {
    let mut rows = vec![0; n];
    let mut m = 0;
    for i in 0..n {
        rows[m] = i;
        m += usize::from(keep(i));
    }
    rows.truncate(m);
    rows
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
        (Some(t), _) => Some(
            table.column_index(t).ok_or_else(|| Error::spec("target", format!("column {t:?} is not in the data (columns: {})", table.names().join(", "))))?,
        ),
        (None, Task::Clustering) => None,
        (None, _) => return Err(Error::spec("target", format!("{} needs a target column; choose one", spec.model.name()))),
    };
    let feature_cols: Vec<usize> = (0..table.n_cols()).filter(|&j| Some(j) != target_idx && !spec.drop.contains(&table.columns[j].name)).collect();
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
                ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => v.to_vec(),
                ColumnData::Categorical(_) => {
                    return Err(Error::column(
                        &col.name,
                        format!("is categorical but {} is a regressor; pick a classifier or a numeric target", spec.model.name()),
                    ))
                }
            };
            if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                return Err(table.locate_error(Error::column(&col.name, format!("target has an infinite value at row {}", i + 1))));
            }
            let rows = kept_rows(v.len(), |i| !v[i].is_nan());
            let info = TargetInfo { name: col.name.clone(), task, classes: vec![] };
            (Some(Target::Values(v)), Some(info), rows)
        }
        (Some(t), Task::Classification) => {
            let col = &table.columns[t];
            let (classes, codes) = encode_classes(&col.name, &col.data)?;
            let rows = kept_rows(codes.len(), |i| codes[i] != usize::MAX);
            let n_classes = classes.len();
            if let Some(w) = regression_like_target(&col.name, &col.data, n_classes, rows.len()) {
                warnings.push(w);
            }
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

/// A classification target that looks like a regression one: scikit-learn's
/// rule (more than 20 rows and more distinct classes than half of them, in
/// `check_classification_targets`) and, for numbers, more than 20 distinct
/// values with fewer than 5 rows per class on average (diabetes: 214 in 442).
fn regression_like_target(name: &str, data: &ColumnData, n_classes: usize, n_rows: usize) -> Option<String> {
    let numeric = matches!(data, ColumnData::Numeric(_));
    let sklearn_rule = n_rows > 20 && n_classes as f64 > (0.5 * n_rows as f64).round();
    let sparse_numbers = numeric && n_classes > 20 && n_classes * 5 > n_rows;
    if !(sklearn_rule || sparse_numbers) {
        return None;
    }
    let what = if numeric { "distinct numbers" } else { "distinct classes" };
    Some(format!(
        "the target '{name}' has {n_classes} {what} in {n_rows} rows (about {:.1} rows per class): it looks like a regression target, and a classifier treats every value as a class of its own — pick a regressor, or bin the target into a few classes",
        n_rows as f64 / n_classes.max(1) as f64
    ))
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
    /// The frame that reaches the model (training rows, after row-removing steps); with
    /// `defer_scaler` and a final StandardScaler, that scaler's input (it is fitted, not applied).
    pub frame: Frame,
    pub y: Option<Target>,
    /// The table row behind each row of `frame`.
    pub rows: Vec<usize>,
    /// Table columns read, sorted.
    pub used: Vec<usize>,
    /// The last of `steps` is a StandardScaler fitted only, not applied (`defer_scaler`):
    /// `frame` is its input.
    pub scaler_deferred: bool,
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
    Ok(fit_keeping(table, spec, prep, rows, ctx, false)?.0)
}

/// What the model of a [`fit_keeping`] was fitted on: the training rows' final frame and, for a
/// model without a column path, their row-major matrix. [`FittedPipeline::predict_training`]
/// scores the training rows from it instead of selecting, transforming and copying them again.
pub struct TrainingInput {
    frame: Frame,
    matrix: Option<Array2<f64>>,
    /// `frame` is a final StandardScaler's input (`fit_keeping` wrote the scaled values into
    /// `matrix` only): the model reads the matrix.
    matrix_only: bool,
}

/// Whether every step of `spec` (branches and top level) transforms its training rows as its
/// `transform` would (no cross fitting, no dropped rows): then the fit's final frame is what
/// `predict` builds for the same rows.
fn steps_transform_as_fitted(spec: &PipelineSpec) -> bool {
    let branches = spec.preprocess.as_ref().is_none_or(|ct| ct.transformers.iter().all(|t| t.steps.iter().all(StepSpec::fit_transform_is_transform)));
    branches && spec.steps.iter().all(StepSpec::fit_transform_is_transform)
}

/// [`fit`], also returning the model's input when `keep` is set and the spec's steps allow it
/// ([`steps_transform_as_fitted`]): cross-validation scores the training rows from it, with the
/// same predictions as `predict` on a table of those rows (the same frame, the same matrix).
pub fn fit_keeping(
    table: &Table,
    spec: &PipelineSpec,
    prep: &Prepared,
    rows: &[usize],
    ctx: &FitContext,
    keep: bool,
) -> Result<(FittedPipeline, Option<TrainingInput>)> {
    let allow_missing = spec.model.accepts_missing();
    let reads_columns = spec.model.may_fit_columns();
    // A model whose column fit checks the values in its own pass takes them unscanned.
    let model_scans = reads_columns && spec.model.fit_columns_scans();
    // A final StandardScaler before a model that takes a matrix is fitted only: its
    // `(x − mean) / scale` is written straight into the matrix (the same values, no scaled frame).
    let Transformed { preprocess, steps, mut frame, y, used, rows: kept, scaler_deferred } =
        fit_transformers(table, spec, prep, rows, ctx, None, !reads_columns)?;
    let mut scaler = match steps.last() {
        Some(FittedStep::StandardScaler(sc)) if scaler_deferred => Some(sc.clone()),
        _ => None,
    };
    // Rows in the model's messages are the rows it was given: named as in the file.
    let locate = |e: Error| table.origin.select(&kept).locate_error(e);
    let single_class = matches!(&y, Some(Target::Classes { y: codes, .. }) if !codes.is_empty() && codes.iter().all(|&c| c == codes[0]));
    if let (Some(sc), true) = (&scaler, single_class) {
        // No matrix to write it into: the scaled frame, as without the deferral.
        frame = sc.transform(&frame).map_err(|e| in_step(locate(e), "steps", spec.steps.len() - 1, "StandardScaler"))?;
        scaler = None;
    }
    let feature_names = frame.names();
    // A model that reads columns takes the frame's (no row-major copy); the checks are the same.
    // Any other model's matrix is checked as it is built (the same errors, one pass less).
    let cols = if reads_columns && !model_scans { frame.model_columns(allow_missing) } else { frame.model_columns_unscanned(allow_missing) }.map_err(locate)?;
    let part = ctx.model_part();
    let mut matrix = None;
    let model = match &y {
        Some(Target::Classes { y: codes, .. }) if single_class => {
            if !reads_columns || model_scans {
                frame.model_columns(allow_missing).map_err(locate)?;
            }
            ctx.warn(format!(
                "the training rows hold a single class ({}); the model always predicts it",
                prep.target_info.as_ref().and_then(|t| t.classes.get(codes[0]).cloned()).unwrap_or_default()
            ));
            ModelState::SingleClass(codes[0])
        }
        _ => match if reads_columns { spec.model.fit_columns(&cols, frame.n_rows, y.as_ref(), ctx) } else { None } {
            Some(fitted) => ModelState::Fitted(fitted.map_err(locate)?),
            None if reads_columns => {
                if model_scans {
                    frame.model_columns(allow_missing).map_err(locate)?;
                }
                let x = crate::frame::matrix_of_columns(&cols, frame.n_rows)?;
                let fitted = spec.model.fit(&x, y.as_ref(), ctx).map_err(locate)?;
                matrix = Some(x);
                ModelState::Fitted(fitted)
            }
            None => {
                let x = match &scaler {
                    Some(sc) => scaled_matrix(sc, &frame, &cols, allow_missing, spec.steps.len() - 1).map_err(locate)?,
                    None => crate::frame::matrix_of_columns_checked(&frame, &cols, allow_missing).map_err(locate)?,
                };
                let fitted = spec.model.fit(&x, y.as_ref(), ctx).map_err(locate)?;
                matrix = Some(x);
                ModelState::Fitted(fitted)
            }
        },
    };
    drop(part);
    let schema = used.iter().map(|&j| SchemaColumn { name: table.columns[j].name.clone(), ty: table.columns[j].data.column_type() }).collect();
    let fitted = FittedPipeline { schema, target: prep.target_info.clone(), preprocess, steps, model, feature_names, warnings: ctx.take_warnings() };
    let matrix_only = scaler.is_some();
    let input = (keep && kept.len() == rows.len() && steps_transform_as_fitted(spec)).then_some(TrainingInput { frame, matrix, matrix_only });
    Ok((fitted, input))
}

/// The model's matrix of the final StandardScaler `sc`'s input columns `cols` (of `frame`):
/// `(x − mean) / scale` as `sc.transform` computes it, checked as `model_columns` checks the
/// scaled frame; a NaN or infinity has the scaled frame built for `model_columns`' own error.
fn scaled_matrix(sc: &crate::preprocess::scaler::StandardScaler, frame: &Frame, cols: &[&[f64]], allow_missing: bool, k: usize) -> Result<Array2<f64>> {
    let (x, suspect) = crate::frame::scaled_matrix_of_columns(cols, frame.n_rows, &sc.mean, &sc.scale)?;
    if suspect {
        let scaled = sc.transform(frame).map_err(|e| in_step(e, "steps", k, "StandardScaler"))?;
        scaled.model_columns(allow_missing)?;
    }
    Ok(x)
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
    defer_scaler: bool,
) -> Result<Transformed> {
    // The chosen columns of `rows` are gathered into frames straight from `table` (no
    // intermediate table of every column); the rows' origin is selected only for an error.
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
            (Frame::from_table_rows(table, &prep.feature_cols, rows), None)
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
                let mut f = Frame::from_table_rows(table, &cols, rows);
                let mut fitted = Vec::new();
                for (k, s) in t.steps.iter().enumerate() {
                    let (fs, out, keep) =
                        s.fit_transform(&f, y.as_ref(), ctx).map_err(|e| in_step(table.origin.select(rows).locate_error(e), &t.name, k, s.name()))?;
                    if keep.is_some() {
                        return Err(Error::spec(
                            format!("preprocess.transformers[{i}].steps[{k}]"),
                            format!("{} removes rows; put it in the top-level steps", s.name()),
                        ));
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
                        return Err(Error::column(
                            &table.columns[j].name,
                            "is categorical and passed through by remainder=\"passthrough\"; encode it in a branch or drop it",
                        ));
                    }
                    used.push(j);
                }
                remainder = rest.iter().map(|&j| table.columns[j].name.clone()).collect();
                outs.push(prefix(Frame::from_table_rows(table, &rest, rows), "remainder"));
            }
            (concat(outs, rows.len()), Some(FittedColumnTransformer { branches, remainder }))
        }
    };
    // Top-level steps.
    let mut frame = frame;
    let mut steps = Vec::new();
    let mut scaler_deferred = false;
    for (k, s) in spec.steps.iter().enumerate() {
        if let (true, true, StepSpec::StandardScaler(p)) = (defer_scaler, k + 1 == spec.steps.len(), s) {
            // Fitted only: `fit_keeping` scales the columns as it builds the model's matrix.
            let fs = p.fit(&frame, y.as_ref(), ctx).map_err(|e| in_step(table.origin.select(&kept_rows).locate_error(e), "steps", k, s.name()))?;
            steps.push(FittedStep::StandardScaler(fs));
            scaler_deferred = true;
            break;
        }
        let (fs, out, keep) =
            s.fit_transform(&frame, y.as_ref(), ctx).map_err(|e| in_step(table.origin.select(&kept_rows).locate_error(e), "steps", k, s.name()))?;
        if let Some(keep) = keep {
            y = y.map(|t| t.select(&keep));
            kept_rows = keep.iter().map(|&i| kept_rows[i]).collect();
        }
        note(None, k, s.name(), &frame, &out);
        steps.push(fs);
        frame = out;
    }
    crate::sorting::sort_usize(&mut used);
    Ok(Transformed { preprocess, steps, frame, y, rows: kept_rows, used, scaler_deferred })
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
    /// Categories unseen in training that were encoded as all zeros, per column.
    pub unseen: Vec<Unseen>,
}

/// Cells of one column whose category was not seen in training, encoded as
/// all zeros by `OneHotEncoder(handle_unknown="ignore")`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unseen {
    pub column: String,
    pub count: usize,
    /// Rows predicted.
    pub rows: usize,
    /// The first unseen category (`None`: a missing value).
    pub first: Option<String>,
}

impl Unseen {
    /// Adds the counts of `more` (another batch of rows) to `all`, column by
    /// column; the caller sets `rows` to the rows predicted in all.
    pub fn merge(all: &mut Vec<Unseen>, more: &[Unseen]) {
        for m in more {
            match all.iter_mut().find(|a| a.column == m.column) {
                Some(a) => a.count += m.count,
                None => all.push(m.clone()),
            }
        }
    }
}

impl std::fmt::Display for Unseen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let example = self.first.as_ref().map_or_else(|| "a missing value".to_string(), |c| format!("{c:?}"));
        write!(
            f,
            "column '{}': {} of {} row(s) hold a category not seen in training (first: {example}); OneHotEncoder(handle_unknown=\"ignore\") encodes them as all zeros",
            self.column, self.count, self.rows
        )
    }
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

    /// Conforms `table` (its `rows`, when given: gathered here, where a table of those rows
    /// was a copy of every column first) to the training schema: every schema column must be
    /// present with a compatible type.
    fn input_frame_columns(&self, table: &Table, rows: Option<&[usize]>) -> Result<Table> {
        let mut cols = Vec::with_capacity(self.schema.len());
        let index = table.index_by_name();
        for s in &self.schema {
            let c = index.get(s.name.as_str()).map(|&j| &table.columns[j]).ok_or_else(|| {
                Error::column(
                    &s.name,
                    format!(
                        "is missing from the data; the model was trained with columns: {}",
                        self.schema.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            let d = match rows {
                Some(rows) => std::borrow::Cow::Owned(c.data.select(rows)),
                None => std::borrow::Cow::Borrowed(&c.data),
            };
            if s.ty == d.column_type() {
                cols.push(crate::data::Column { name: s.name.clone(), data: d.into_owned() });
                continue;
            }
            let data = match (s.ty, &*d) {
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
    /// Rows in messages are named as in the file the table was read from.
    pub fn transform(&self, table: &Table) -> Result<Array2<f64>> {
        let allow_missing = matches!(&self.model, ModelState::Fitted(m) if m.accepts_missing());
        self.transform_frame(table)?.to_matrix_with(allow_missing).map_err(|e| table.locate_error(e))
    }

    pub fn transform_frame(&self, table: &Table) -> Result<Frame> {
        self.transform_frame_rows(table, None, &mut Vec::new()).map_err(|e| table.locate_error(e))
    }

    /// The final frame of `table` (of its `rows` when given); `notes` receives the categories
    /// unseen in training, per column.
    fn transform_frame_rows(&self, table: &Table, rows: Option<&[usize]>, notes: &mut Vec<Unseen>) -> Result<Frame> {
        let t = self.input_frame_columns(table, rows)?;
        let mut frame = match &self.preprocess {
            // `t` is this call's own copy of the columns: moved, not copied again.
            None => Frame::from_owned_table(t),
            Some(ct) => {
                let mut outs = Vec::new();
                for b in &ct.branches {
                    let idx: Vec<usize> =
                        b.columns.iter().map(|n| t.column_index(n).ok_or_else(|| Error::column(n, "is missing from the data"))).collect::<Result<_>>()?;
                    let mut f = Frame::from_table(&t, &idx);
                    for s in &b.steps {
                        if let FittedStep::OneHotEncoder(e) = s {
                            notes.extend(e.unseen(&f).into_iter().map(|(column, count, first)| Unseen { column, count, rows: f.n_rows, first }));
                        }
                        f = s.transform(&f)?;
                    }
                    outs.push(prefix(f, &b.name));
                }
                if !ct.remainder.is_empty() {
                    let idx: Vec<usize> =
                        ct.remainder.iter().map(|n| t.column_index(n).ok_or_else(|| Error::column(n, "is missing from the data"))).collect::<Result<_>>()?;
                    outs.push(prefix(Frame::from_table(&t, &idx), "remainder"));
                }
                concat(outs, t.n_rows)
            }
        };
        for s in &self.steps {
            if let FittedStep::OneHotEncoder(e) = s {
                notes.extend(e.unseen(&frame).into_iter().map(|(column, count, first)| Unseen { column, count, rows: frame.n_rows, first }));
            }
            frame = s.transform(&frame)?;
        }
        Ok(frame)
    }

    pub fn predict(&self, table: &Table) -> Result<Predictions> {
        let mut unseen = Vec::new();
        let frame = self.transform_frame_rows(table, None, &mut unseen).map_err(|e| table.locate_error(e))?;
        let output = self.model_output(&frame, None, false).map_err(|e| table.locate_error(e))?;
        self.predictions(output, unseen)
    }

    /// [`predict`](Self::predict) of `table.select_rows(rows)`, without that table: the
    /// schema's columns of `rows` are gathered once (a CV fold's test rows). The same output,
    /// notes and errors (rows named as in the file).
    pub fn predict_rows(&self, table: &Table, rows: &[usize]) -> Result<Predictions> {
        let locate = |e: Error| table.origin.select(rows).locate_error(e);
        let mut unseen = Vec::new();
        let frame = self.transform_frame_rows(table, Some(rows), &mut unseen).map_err(locate)?;
        let output = self.model_output(&frame, None, false).map_err(locate)?;
        self.predictions(output, unseen)
    }

    /// [`predict`](Self::predict) of the training rows of a [`fit_keeping`], from the frame (and
    /// matrix) the model was fitted on: the same output as `predict` on a table of those rows.
    /// Categories unseen in training are not counted (the training rows hold none to report).
    pub fn predict_training(&self, input: &TrainingInput) -> Result<Predictions> {
        if let (true, ModelState::Fitted(m), Some(x)) = (input.matrix_only, &self.model, &input.matrix) {
            return self.predictions(m.predict(x)?, Vec::new());
        }
        // The fit checked this frame's values (`fit_keeping`): no second scan.
        let output = self.model_output(&input.frame, input.matrix.as_ref(), true)?;
        self.predictions(output, Vec::new())
    }

    /// The model's output for the final `frame`; `matrix`, when given, is its row-major copy;
    /// `checked`: the frame's values passed `model_columns` already (the fit's own input).
    fn model_output(&self, frame: &Frame, matrix: Option<&Array2<f64>>, checked: bool) -> Result<Output> {
        let allow_missing = matches!(&self.model, ModelState::Fitted(m) if m.accepts_missing());
        let cols = if checked { frame.model_columns_unscanned(allow_missing) } else { frame.model_columns(allow_missing) }?;
        Ok(match &self.model {
            // A model that reads columns skips the row-major copy (the same output).
            ModelState::Fitted(m) => match (m.predict_columns(&cols, frame.n_rows), matrix) {
                (Some(out), _) => out,
                (None, Some(x)) => m.predict(x),
                (None, None) => crate::frame::matrix_of_columns(&cols, frame.n_rows).and_then(|x| m.predict(&x)),
            }?,
            ModelState::SingleClass(k) => {
                let n_classes = self.target.as_ref().map_or(0, |t| t.classes.len());
                let n = frame.n_rows;
                let mut proba = Array2::zeros((n, n_classes.max(1)));
                proba.column_mut((*k).min(n_classes.saturating_sub(1))).fill(1.0);
                Output::Classes { labels: vec![*k; n], proba: Some(proba) }
            }
        })
    }

    /// The checked [`Predictions`] of a model's `output`.
    fn predictions(&self, output: Output, unseen: Vec<Unseen>) -> Result<Predictions> {
        let classes = self.target.as_ref().map(|t| t.classes.clone()).unwrap_or_default();
        if let Output::Classes { labels, proba } = &output {
            // A model file whose model and target disagree on the classes (edited by hand, or
            // corrupt: found by the model_file fuzzer, whose prediction CSV came out ragged).
            let k = classes.len();
            if let Some(pr) = proba.as_ref().filter(|pr| pr.ncols() != k) {
                return Err(Error::ModelFile(format!(
                    "the model gives probabilities for {} classes but the file's target lists {k}: the file is inconsistent",
                    pr.ncols()
                )));
            }
            if let Some(l) = labels.iter().find(|&&l| l >= k) {
                return Err(Error::ModelFile(format!(
                    "the model predicts class number {} but the file's target lists {k} classes: the file is inconsistent",
                    l + 1
                )));
            }
        }
        Ok(Predictions { output, classes, unseen })
    }

    /// Predictions as CSV: the input's rows, a `prediction` column, and `proba_<class>` columns for classifiers.
    pub fn predictions_csv(&self, table: &Table) -> Result<String> {
        self.predictions_csv_with(table, true)
    }

    /// [`predictions_csv`](Self::predictions_csv), with or without the header
    /// line (streamed prediction writes it once, before the first batch).
    pub fn predictions_csv_with(&self, table: &Table, with_header: bool) -> Result<String> {
        self.predictions_csv_of(table, &self.predict(table)?, with_header)
    }

    /// The prediction CSV of `table` from its predictions `p` (made by [`predict`](Self::predict)).
    pub fn predictions_csv_of(&self, table: &Table, p: &Predictions, with_header: bool) -> Result<String> {
        let labels = p.labels();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = table.names();
        let (prediction, probas) = self.output_columns(&header);
        header.push(prediction);
        let proba = match &p.output {
            Output::Classes { proba: Some(pr), .. } => {
                header.extend(probas);
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

    /// The names of the columns a prediction CSV adds to the input's
    /// `columns`: `prediction` and, for classifiers, `proba_<class>` — each
    /// made free with a `_1`, `_2`, … suffix when the input already has a
    /// column of that name (a file that was predicted before).
    pub fn output_columns(&self, columns: &[String]) -> (String, Vec<String>) {
        let mut taken: std::collections::HashSet<String> = columns.iter().cloned().collect();
        let mut free = |base: String| {
            let mut name = base.clone();
            let mut k = 0;
            while taken.contains(&name) {
                k += 1;
                name = format!("{base}_{k}");
            }
            taken.insert(name.clone());
            name
        };
        let prediction = free("prediction".into());
        let classes = self.target.as_ref().map(|t| t.classes.clone()).unwrap_or_default();
        let probas = classes.iter().map(|c| free(format!("proba_{c}"))).collect();
        (prediction, probas)
    }

    /// What to tell the user when [`output_columns`](Self::output_columns)
    /// had to rename: which input columns were in the way and where the
    /// predictions went instead.
    pub fn output_columns_note(&self, columns: &[String]) -> Option<String> {
        let (prediction, probas) = self.output_columns(columns);
        let classes = self.target.as_ref().map(|t| t.classes.clone()).unwrap_or_default();
        let wanted = std::iter::once("prediction".to_string()).chain(classes.iter().map(|c| format!("proba_{c}")));
        let moved: Vec<String> = wanted.zip(std::iter::once(prediction).chain(probas)).filter(|(a, b)| a != b).map(|(a, b)| format!("'{a}' → '{b}'")).collect();
        (!moved.is_empty()).then(|| {
            format!("the data already has column(s) the predictions would be written to; they are kept and the new columns renamed: {}", moved.join(", "))
        })
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
                    return Err(Error::ModelFile(format!("the model expects {} features but the pipeline names {}", m.n_features(), self.feature_names.len())));
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

/// Splits the usable rows into (training part, held-out test part) per the spec's `holdout`.
pub fn holdout_split(spec: &PipelineSpec, prep: &Prepared) -> Result<Option<(Vec<usize>, Vec<usize>)>> {
    let Some(h) = &spec.holdout else { return Ok(None) };
    let classes: Option<Vec<usize>> = match (&prep.target, h.stratify) {
        (Some(Target::Classes { y, .. }), true) => Some(prep.rows.iter().map(|&r| y[r]).collect()),
        (_, true) => return Err(Error::spec("holdout.stratify", "needs a classification target")),
        _ => None,
    };
    let s = crate::split::train_test_split(prep.rows.len(), h.test_size, classes.as_deref(), h.shuffle, h.random_state.unwrap_or(spec.seed()))?;
    Ok(Some((s.train.iter().map(|&i| prep.rows[i]).collect(), s.test.iter().map(|&i| prep.rows[i]).collect())))
}

/// The splitter a spec uses: its own, or StratifiedKFold(5) for classifiers and KFold(5) otherwise.
pub fn effective_cv(spec: &PipelineSpec, task: Task) -> CvSpec {
    spec.cv.clone().unwrap_or(match task {
        Task::Classification => CvSpec::StratifiedKFold(KFoldParams::default()),
        _ => CvSpec::KFold(KFoldParams::default()),
    })
}

/// Fits on every usable row.
pub fn fit_all(table: &Table, spec: &PipelineSpec) -> Result<FittedPipeline> {
    fit_all_with(table, spec, 1)
}

/// [`fit_all`] with up to `threads` threads for the model's independent parts
/// (forest trees, k-means restarts); the fitted pipeline is the same.
pub fn fit_all_with(table: &Table, spec: &PipelineSpec, lend: impl Into<crate::parallel::Lend>) -> Result<FittedPipeline> {
    let prep = prepare(table, spec)?;
    let ctx = FitContext::with_threads(spec.seed(), lend);
    let mut fitted = fit(table, spec, &prep, &prep.rows, &ctx)?;
    let mut w = prep.warnings;
    w.append(&mut fitted.warnings);
    fitted.warnings = w;
    Ok(fitted)
}
