//! The facade shared by the CLI and the wasm boundary: plain Rust in, JSON-able
//! structures out. Neither caller reimplements any of this.

use serde::Serialize;
use serde_json::json;

use crate::data::{read_csv, ColumnData, ReadOptions, ReadReport, Table};
use crate::metrics;
use crate::persist::ModelFile;
use crate::pipeline::{self, CvHooks, CvReport, ModelSpec, PipelineSpec, StepSpec};
use crate::estimator::Task;
use crate::{Error, Result};

/// Reads CSV bytes with options given as JSON (`{}` or empty for defaults).
pub fn load_table(bytes: &[u8], options_json: &str) -> Result<(Table, ReadReport)> {
    let opts: ReadOptions = if options_json.trim().is_empty() {
        ReadOptions::default()
    } else {
        serde_json::from_str(options_json).map_err(|e| Error::spec("read options", e.to_string()))?
    };
    read_csv(bytes, &opts)
}

/// A column as the page lists it.
#[derive(Debug, Serialize)]
pub struct ColumnSummary {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub missing: usize,
    pub distinct: usize,
}

/// What the page shows right after a file is read.
#[derive(Debug, Serialize)]
pub struct TableSummary {
    pub n_rows: usize,
    pub n_cols: usize,
    pub columns: Vec<ColumnSummary>,
    /// First rows, as text (`null` = missing).
    pub preview: Vec<Vec<Option<String>>>,
    pub report: ReadReport,
}

pub fn summarize(table: &Table, report: &ReadReport, preview_rows: usize) -> TableSummary {
    let columns = table
        .columns
        .iter()
        .map(|c| ColumnSummary {
            name: c.name.clone(),
            ty: c.data.column_type().as_str(),
            missing: c.data.missing_count(),
            distinct: distinct(&c.data),
        })
        .collect();
    let preview = (0..table.n_rows.min(preview_rows)).map(|i| table.columns.iter().map(|c| c.data.display(i)).collect()).collect();
    TableSummary { n_rows: table.n_rows, n_cols: table.n_cols(), columns, preview, report: report.clone() }
}

fn distinct(d: &ColumnData) -> usize {
    match d {
        ColumnData::Categorical(c) => {
            let mut seen = vec![false; c.levels.len()];
            c.codes.iter().filter(|&&k| k != crate::data::MISSING_CODE).for_each(|&k| seen[k as usize] = true);
            seen.iter().filter(|&&s| s).count()
        }
        ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => {
            let mut u: Vec<u64> = v.iter().filter(|x| !x.is_nan()).map(|x| x.to_bits()).collect();
            u.sort_unstable();
            u.dedup();
            u.len()
        }
    }
}

/// The profile the page shows after a drop (and `pipelab profile` prints):
/// per-column statistics and flags, with the reader's warnings attached.
pub fn profile(table: &Table, report: &ReadReport) -> crate::data::Profile {
    let mut p = crate::data::profile(table);
    p.read_warnings = report.warnings.clone();
    p
}

/// Cross-validates a spec given as JSON.
pub fn cross_validate(table: &Table, spec_json: &str, hooks: CvHooks) -> Result<CvReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    pipeline::cross_validate(table, &spec, hooks)
}

/// Fits on all rows and returns the model file. `cv` (from a previous
/// cross-validation of the same spec) is stored as the training metrics.
pub fn fit_model(table: &Table, spec_json: &str, cv: Option<&CvReport>) -> Result<ModelFile> {
    let spec = PipelineSpec::from_json(spec_json)?;
    let fitted = pipeline::fit_all(table, &spec)?;
    let prep_rows = pipeline::prepare(table, &spec)?.rows.len();
    Ok(ModelFile::new(spec, fitted, prep_rows, cv.map(|r| r.metrics.clone()).unwrap_or_default()))
}

/// Read options that reproduce the training column types for new data.
pub fn read_options_for(model: &ModelFile) -> ReadOptions {
    let mut o = ReadOptions::default();
    o.types = model.pipeline.schema.iter().map(|s| (s.name.clone(), s.ty)).collect();
    o
}

/// Reads new data for a model: the training schema's types are enforced
/// for the columns the model reads; other columns are read as inferred.
pub fn load_for_model(model: &ModelFile, bytes: &[u8]) -> Result<Table> {
    let mut opts = read_options_for(model);
    // Only force types for columns that exist; a missing column is reported by predict.
    opts.types_for_present_columns_only = true;
    Ok(read_csv(bytes, &opts)?.0)
}

/// Predictions on new CSV bytes, as CSV text.
pub fn predict_csv(model: &ModelFile, bytes: &[u8]) -> Result<String> {
    let table = load_for_model(model, bytes)?;
    model.pipeline.predictions_csv(&table)
}

/// Predictions on a table already in memory (the page's loaded data), as CSV text.
pub fn predict_table(model: &ModelFile, table: &Table) -> Result<String> {
    model.pipeline.predictions_csv(table)
}

/// What the page shows right after predicting: how many rows were predicted
/// and the prediction CSV of the first `n_head` rows. Every row is predicted
/// (so a problem in any row is reported now), but the full CSV — every input
/// column again, tens of megabytes for a large file — is written only when the
/// user downloads it ([`predict_table`], [`predict_csv`]).
#[derive(Debug, Clone, Serialize)]
pub struct PredictionSummary {
    pub n_rows: usize,
    pub head_csv: String,
}

pub fn predict_summary(model: &ModelFile, table: &Table, n_head: usize) -> Result<PredictionSummary> {
    model.pipeline.predict(table)?;
    // Rows are predicted independently (fitted steps only transform), so the
    // head's predictions are those of the whole table.
    let head: Vec<usize> = (0..table.n_rows.min(n_head)).collect();
    let head_csv = model.pipeline.predictions_csv(&table.rows_view(&head))?;
    Ok(PredictionSummary { n_rows: table.n_rows, head_csv })
}

/// The catalogue of steps, models and metrics the page builds its forms from.
pub fn catalog() -> serde_json::Value {
    json!({
        "steps": StepSpec::catalog(),
        "models": ModelSpec::catalog(),
        "metrics": {
            "classification": metrics::scorer_names(Task::Classification),
            "regression": metrics::scorer_names(Task::Regression),
        },
        "model_format_version": crate::persist::FORMAT_VERSION,
        "version": env!("CARGO_PKG_VERSION"),
    })
}

/// Fits a clustering spec (given as JSON) on every row and scores it.
pub fn evaluate_clustering(table: &Table, spec_json: &str) -> Result<pipeline::ClusteringReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    pipeline::evaluate_clustering(table, &spec)
}

/// Fits a clustering spec on every row: the model file and the clustering report.
pub fn fit_clustering_model(table: &Table, spec_json: &str) -> Result<(ModelFile, pipeline::ClusteringReport)> {
    let spec = PipelineSpec::from_json(spec_json)?;
    let (fitted, report) = pipeline::fit_clustering(table, &spec)?;
    let n = report.n_rows;
    Ok((ModelFile::new(spec, fitted, n, Default::default()), report))
}

/// Whether a spec (JSON) names a clustering model.
pub fn is_clustering(spec_json: &str) -> Result<bool> {
    Ok(PipelineSpec::from_json(spec_json)?.model.task() == Task::Clustering)
}

/// The transformed-table preview of a spec (given as JSON): its preprocessing
/// and steps fitted on every usable row, without the model. See
/// [`pipeline::preview::preview`].
pub fn preview(table: &Table, spec_json: &str, n_rows: usize) -> Result<pipeline::preview::PreviewReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    pipeline::preview::preview(table, &spec, n_rows)
}

/// What the page shows of a fitted model (coefficients, importances, tree, centres).
pub fn inspect_model(model: &ModelFile) -> crate::inspect::ModelInspection {
    crate::inspect::inspect_pipeline(&model.pipeline, model.spec.model.name())
}

/// Fits a spec (JSON) on every usable row and inspects the model, without keeping it.
pub fn fit_and_inspect(table: &Table, spec_json: &str) -> Result<crate::inspect::ModelInspection> {
    Ok(inspect_model(&fit_model(table, spec_json, None)?))
}

/// A clustering fitted on every row, as the page shows it: the report
/// (metrics, sizes, labels, per-row silhouettes), the rows on their first two
/// principal components (with the cluster centres, when the model has them),
/// and the model inspection.
#[derive(Debug, Clone, Serialize)]
pub struct ClusteringView {
    pub report: pipeline::ClusteringReport,
    /// `None` (with a warning in the report) when the matrix cannot be projected.
    pub projection: Option<crate::inspect::Projection>,
    pub inspection: crate::inspect::ModelInspection,
}

/// Fits a clustering spec on every row: the model file and what the page shows.
pub fn clustering_view(table: &Table, spec_json: &str) -> Result<(ModelFile, ClusteringView)> {
    let (model, mut report) = fit_clustering_model(table, spec_json)?;
    let inspection = inspect_model(&model);
    let projection = match model.pipeline.transform(table).and_then(|x| crate::inspect::pca_2d(&x, &inspection.cluster_centers)) {
        Ok(p) => Some(p),
        Err(e) => {
            report.warnings.push(format!("no 2-D view: {e}"));
            None
        }
    };
    Ok((model, ClusteringView { report, projection, inspection }))
}

// ---------------------------------------------------------------- evaluation pictures and curves

/// The pictures of a cross-validation (confusion matrix, ROC / precision–recall
/// curves, predicted vs actual) from `report`, the result of cross-validating `spec` on `table`.
pub fn cv_diagnostics(table: &Table, spec: &PipelineSpec, report: &CvReport) -> Result<metrics::diagnostics::Diagnostics> {
    let plan = crate::selection::curves::fold_plan(table, spec)?;
    if plan.prep.rows != report.oof.rows {
        return Err(Error::data("the cross-validation report does not belong to this data and spec; run cross-validation again"));
    }
    let mut tested = vec![false; plan.prep.rows.len()];
    for s in &plan.splits {
        for &i in &s.test {
            tested[i] = true;
        }
    }
    let splitter = pipeline::effective_cv(spec, plan.prep.task).name();
    Ok(metrics::diagnostics::diagnostics(report, &tested, splitter))
}

fn parse_params<T: serde::de::DeserializeOwned + Default>(what: &str, text: &str) -> Result<T> {
    if text.trim().is_empty() {
        return Ok(T::default());
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::spec(if path == "." { what.to_string() } else { format!("{what}.{path}") }, e.into_inner().to_string())
    })
}

/// Learning curve of a spec (JSON) with options (JSON, see `LearningCurveParams`).
pub fn learning_curve(table: &Table, spec_json: &str, params_json: &str, hooks: CvHooks) -> Result<crate::selection::curves::CurveReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    let params = parse_params("learning_curve", params_json)?;
    crate::selection::curves::learning_curve(table, &spec, &params, hooks)
}

/// Validation curve of a spec (JSON) with options (JSON, see `ValidationCurveParams`).
pub fn validation_curve(table: &Table, spec_json: &str, params_json: &str, hooks: CvHooks) -> Result<crate::selection::curves::CurveReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    let params = parse_params("validation_curve", params_json)?;
    crate::selection::curves::validation_curve(table, &spec, &params, hooks)
}

// ---------------------------------------------------------------- export

/// The scikit-learn script equivalent to a spec (JSON): `pipelab export --format sklearn`
/// and the page's "Show the code". See [`crate::export::sklearn`].
pub fn export_sklearn(spec_json: &str) -> Result<String> {
    let spec = PipelineSpec::from_json(spec_json)?;
    crate::export::sklearn::to_sklearn_script(&spec, None)
}

/// The scikit-learn script of the spec a model file was fitted from.
pub fn export_sklearn_model(model: &ModelFile) -> Result<String> {
    crate::export::sklearn::to_sklearn_script(&model.spec, None)
}
