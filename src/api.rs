//! The facade shared by the CLI and the wasm boundary: plain Rust in, JSON-able
//! structures out. Neither caller reimplements any of this.

use serde::Serialize;
use serde_json::json;

pub use crate::data::formats::{check_select, detect, Converted, Format, SourceOptions};
use crate::data::{read_csv, ColumnData, ReadOptions, ReadReport, Table};
use crate::estimator::Task;
use crate::metrics;
pub use crate::persist::reference::ReferenceCache;
use crate::persist::ModelFile;
use crate::pipeline::{self, ModelSpec, PipelineSpec, StepSpec};
use crate::selection::cv::{CvHooks, CvReport};
use crate::{Error, Result};

/// Reads CSV bytes with options given as JSON (`{}` or empty for defaults).
pub fn load_table(bytes: &[u8], options_json: &str) -> Result<(Table, ReadReport)> {
    read_csv(bytes, &parse_options("read options", options_json)?)
}

/// Reads data in any supported format (CSV, Parquet, SQLite, Excel, JSON;
/// detected by [`crate::data::formats::detect`]) with CSV read options as JSON.
/// A non-CSV file yields the table its CSV text ([`convert`]) would, read with
/// its own types forced (see `src/data/formats/`): the same table as its CSV
/// export; its numeric columns skip the text.
pub fn load_data(bytes: &[u8], name: &str, source: &SourceOptions, options_json: &str) -> Result<(Table, ReadReport)> {
    let opts: ReadOptions = parse_options("read options", options_json)?;
    if detect(bytes, name) == Format::Csv {
        return read_csv(bytes, &opts);
    }
    crate::data::formats::to_table(bytes, name, source, &opts)
}

/// How many bytes [`read_csv_chunked`] reads and parses at a time: the page's chunk (www/worker.js).
pub const READ_CHUNK: usize = 4 << 20;

/// [`load_table`] for a CSV read from `input` a chunk at a time (the CLI's
/// `--data FILE.csv`) by the page's chunk reader ([`crate::data::CsvChunkReader`]):
/// `progress(bytes read so far)` is asked after each chunk, and `false` stops
/// the read there with [`Error::Cancelled`]. `n_bytes` (the size, 0 when
/// unknown, a pipe) refuses an input over `max_bytes` at once and reserves the
/// buffer. The same table and report as [`load_table`] on the bytes, which
/// come back too (held once: the reader keeps them anyway).
pub fn read_csv_chunked(
    input: &mut dyn std::io::Read,
    n_bytes: usize,
    options_json: &str,
    progress: &mut dyn FnMut(usize) -> bool,
) -> Result<(Vec<u8>, Table, ReadReport)> {
    let opts: ReadOptions = parse_options("read options", options_json)?;
    let mut reader = crate::data::CsvChunkReader::with_capacity(opts, n_bytes)?;
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Data(format!("cannot read it after {} bytes: {e}", reader.bytes_received()))),
        };
        reader.feed(&chunk[..n])?;
        if !progress(reader.bytes_received()) {
            return Err(Error::Cancelled);
        }
    }
    let (table, report, bytes) = reader.finish_with_bytes()?;
    Ok((bytes, table, report))
}

/// [`load_for_model`] for any supported format.
pub fn load_data_for_model(model: &ModelFile, bytes: &[u8], name: &str, source: &SourceOptions) -> Result<Table> {
    if detect(bytes, name) == Format::Csv {
        return load_for_model(model, bytes);
    }
    Ok(crate::data::formats::to_table(bytes, name, source, &read_options_for(model))?.0)
}

/// A non-CSV file as CSV text + its types (what the page's lazily loaded
/// module hands to the first-load one, and what `pipelab predict` streams).
pub fn convert(bytes: &[u8], name: &str, source: &SourceOptions) -> Result<Converted> {
    crate::data::formats::to_csv(bytes, name, source)
}

/// The sheets of a workbook or the tables of a database, for a picker.
#[cfg(feature = "formats")]
pub fn data_parts(bytes: &[u8], name: &str) -> Result<Vec<String>> {
    crate::data::formats::parts(bytes, name)
}

/// Options given as JSON (`""` = the defaults): read options, source options. An error names
/// `what` (the derived parameter types go through [`parse_params`], which adds the field path).
/// Parsed as a `Value` first, then by `value_de` as the spec is: the options types then have no
/// deserializer of their own for JSON text (the page's first module, bench/HISTORY.md "after the
/// browserspeed merge"). A syntax error still names its line and column.
pub(crate) fn parse_options<T: serde::de::DeserializeOwned + Default>(what: &str, json: &str) -> Result<T> {
    if json.trim().is_empty() {
        return Ok(T::default());
    }
    let value: serde_json::Value = crate::pipeline::json_text::parse(json).map_err(|e| Error::spec(what, e.to_string()))?;
    crate::pipeline::value_de::from_value(&value).map_err(|(_, e)| Error::spec(what, e.to_string()))
}

/// A column as the page lists it.
#[derive(Debug, Serialize)]
pub struct ColumnSummary {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub missing: usize,
    pub distinct: usize,
    /// What the column would make as the target, and why (`data::target`).
    pub as_target: crate::data::target::AsTarget,
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
    /// The column preselected as the target, why, and whether to ask first.
    pub target_guess: crate::data::target::TargetGuess,
}

pub fn summarize(table: &Table, report: &ReadReport, preview_rows: usize) -> TableSummary {
    let columns = table
        .columns
        .iter()
        .map(|c| {
            let distinct = distinct(&c.data);
            let as_target = crate::data::target::as_target(c, table.n_rows, distinct);
            ColumnSummary { name: c.name.clone(), ty: c.data.column_type().as_str(), missing: c.data.missing_count(), distinct, as_target }
        })
        .collect::<Vec<_>>();
    let target_guess = crate::data::target::guess(&columns.iter().map(|c| (c.name.as_str(), &c.as_target)).collect::<Vec<_>>());
    let preview = (0..table.n_rows.min(preview_rows)).map(|i| table.columns.iter().map(|c| c.data.display(i)).collect()).collect();
    TableSummary { n_rows: table.n_rows, n_cols: table.n_cols(), columns, preview, report: report.clone(), target_guess }
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

/// `table` with the spec's `types` applied (SPEC.md: "column type overrides
/// applied when reading the CSV"): every operation that takes a spec and a
/// table already read goes through it, so the page (which reads the file
/// before there is a spec) and the CLI read a column the same way.
pub fn typed<'t>(table: &'t Table, spec: &PipelineSpec) -> Result<std::borrow::Cow<'t, Table>> {
    crate::data::retype(table, &spec.types)
}

/// Read options (JSON, as [`load_table`] takes them) with a spec's `types`
/// added, for a shell that reads the file after the spec (the CLI).
pub fn read_options_with_spec(options_json: &str, spec_json: &str) -> Result<String> {
    let mut opts: serde_json::Value = if options_json.trim().is_empty() {
        json!({})
    } else {
        crate::pipeline::json_text::parse(options_json).map_err(|e| Error::spec("read options", e.to_string()))?
    };
    let spec = PipelineSpec::from_json(spec_json)?;
    if !spec.types.is_empty() {
        opts["types"] = serde_json::to_value(&spec.types).map_err(|e| Error::spec("types", e.to_string()))?;
    }
    Ok(opts.to_string())
}

/// Cross-validates a spec given as JSON.
pub fn cross_validate(table: &Table, spec_json: &str, hooks: CvHooks) -> Result<CvReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    crate::selection::cv::cross_validate(&*typed(table, &spec)?, &spec, hooks)
}

/// What `pipelab cv` prints (and the exported scikit-learn script prints in
/// the same shape): the report without its per-row out-of-fold predictions.
#[derive(Debug, Serialize)]
pub struct CvSummary<'a> {
    pub metrics: &'a std::collections::BTreeMap<String, crate::metrics::MetricSummary>,
    pub train_metrics: &'a std::collections::BTreeMap<String, crate::metrics::MetricSummary>,
    pub n_rows: usize,
    pub n_features_out: usize,
    pub cv: &'a str,
    pub holdout: &'a Option<crate::selection::cv::HoldoutReport>,
    pub warnings: &'a [String],
}

impl<'a> CvSummary<'a> {
    pub fn of(r: &'a CvReport) -> Self {
        CvSummary {
            metrics: &r.metrics,
            train_metrics: &r.train_metrics,
            n_rows: r.n_rows,
            n_features_out: r.n_features_out,
            cv: &r.cv,
            holdout: &r.holdout,
            warnings: &r.warnings,
        }
    }
}

/// Fits on all rows and returns the model file. `cv` (from a previous
/// cross-validation of the same spec) is stored as the training metrics.
///
/// With a `holdout` block the model is fitted on the training part and the
/// file records its hold-out scores ([`crate::persist::HoldoutFit`]); see
/// [`fit_model_with`] to refit on every row afterwards.
pub fn fit_model(table: &Table, spec_json: &str, cv: Option<&CvReport>) -> Result<ModelFile> {
    fit_model_with(table, spec_json, cv, false)
}

/// [`fit_model`]; with a `holdout` block and `refit_all`, the model is
/// refitted on every usable row after the hold-out scoring (`fit
/// --refit-all`, the page's "refit on all rows"), and the file says so.
pub fn fit_model_with(table: &Table, spec_json: &str, cv: Option<&CvReport>, refit_all: bool) -> Result<ModelFile> {
    fit_model_threads(table, spec_json, cv, refit_all, 1)
}

/// [`fit_model_with`] for a shell that refits the same table again and again (the page's
/// Session: every Train refits the loaded table): the drift reference's column
/// distributions are taken from `cache` when it holds them for the same training rows,
/// and stored there otherwise. The model file is the same as without the cache. The
/// cache belongs to `table`: its owner clears it ([`ReferenceCache::clear`]) when the
/// table changes. A spec with `types` (a retyped copy of the table) bypasses it.
pub fn fit_model_cached(table: &Table, spec_json: &str, cv: Option<&CvReport>, refit_all: bool, cache: &mut ReferenceCache) -> Result<ModelFile> {
    fit_model_impl(table, spec_json, cv, refit_all, crate::parallel::Lend::from(1), Some(cache))
}

/// [`fit_model_with`] on up to `threads` threads natively (the model's
/// independent parts: forest trees, k-means restarts); the model file is the same.
/// A [`crate::parallel::Lend`] with a stop flag (the CLI's Ctrl-C) ends it with
/// `Error::Cancelled` at the next tree, stage or restart once the flag is set.
pub fn fit_model_threads(
    table: &Table,
    spec_json: &str,
    cv: Option<&CvReport>,
    refit_all: bool,
    threads: impl Into<crate::parallel::Lend>,
) -> Result<ModelFile> {
    fit_model_impl(table, spec_json, cv, refit_all, threads.into(), None)
}

fn fit_model_impl(
    table: &Table,
    spec_json: &str,
    cv: Option<&CvReport>,
    refit_all: bool,
    threads: crate::parallel::Lend,
    cache: Option<&mut ReferenceCache>,
) -> Result<ModelFile> {
    use crate::persist::{FittedOn, HoldoutFit};
    let spec = PipelineSpec::from_json(spec_json)?;
    let typed_table = typed(table, &spec)?;
    // The cache describes the caller's table; a retyped copy has other columns.
    let cache = if matches!(typed_table, std::borrow::Cow::Borrowed(_)) { cache } else { None };
    let table = &*typed_table;
    let prep = pipeline::prepare(table, &spec)?;
    let (fitted, rows, holdout) = match crate::selection::cv::fit_on_training_part(table, &spec, threads)? {
        None => (pipeline::fit_all_with(table, &spec, threads)?, prep.rows, None),
        Some((train_model, report, train)) => {
            // A non-finite score is NaN in the file's record (written `null`).
            let scores = crate::sorting::btree_map(report.scores.iter().map(|(k, &v)| (k.clone(), if v.is_finite() { v } else { f64::NAN })));
            let record = |fitted_on| HoldoutFit { fitted_on, n_train: report.n_train, n_test: report.n_test, scores };
            if refit_all {
                (pipeline::fit_all_with(table, &spec, threads)?, prep.rows, Some(record(FittedOn::AllRows)))
            } else {
                (train_model, train, Some(record(FittedOn::TrainingPart)))
            }
        }
    };
    // The drift reference describes the rows the model learned from.
    let reference = crate::persist::reference::build_cached(table, &rows, &fitted, cv.and_then(crate::monitor::prediction_reference), cache)?;
    let mut file = ModelFile::new(spec, fitted, rows.len(), cv.map(|r| r.metrics.clone()).unwrap_or_default());
    file.reference = Some(reference);
    file.holdout = holdout;
    Ok(file)
}

/// How many pieces a fit of `spec_json` can be split into between workers (the
/// page's worker pool: [`fit_part`] on each, then [`fit_model_with_parts`] or
/// [`clustering_view_with_parts`]): a random forest's trees or KMeans' restarts;
/// `None` when it cannot be split (another model, an out-of-bag score, a single
/// restart, a hold-out part). See `pipeline::model_parts`.
#[cfg(feature = "full-components")]
pub fn split_plan(spec_json: &str) -> Result<Option<usize>> {
    Ok(pipeline::model_parts::plan(&PipelineSpec::from_json(spec_json)?).map(|(_, n)| n))
}

/// The pieces `from..to` of the model a fit of `spec_json` on `table` fits (one
/// worker's part, as JSON): the pipeline's steps are fitted as for the whole
/// fit, then only those trees are grown, each from its own seed, or only those
/// restarts run, each from its own start.
#[cfg(feature = "full-components")]
pub fn fit_part(table: &Table, spec_json: &str, from: usize, to: usize) -> Result<String> {
    let spec = PipelineSpec::from_json(spec_json)?;
    pipeline::model_parts::plan_or_refuse(&spec)?;
    let typed_table = typed(table, &spec)?;
    let lend = crate::parallel::Lend { threads: 1, stop: None, part: Some((from, to)) };
    pipeline::model_parts::take_part(pipeline::fit_all_with(&typed_table, &spec, lend)?)
}

/// The lent part the page's worker fits to join `parts` ([`fit_part`]'s texts
/// for consecutive ranges covering every piece, in order): no trees (they are
/// put in after), or the one restart the whole fit keeps.
#[cfg(feature = "full-components")]
fn join_part(spec_json: &str, parts: &[String]) -> Result<(pipeline::model_parts::Pieces, usize, (usize, usize))> {
    use pipeline::model_parts::{kept_run, plan_or_refuse, Pieces};
    let spec = PipelineSpec::from_json(spec_json)?;
    let (pieces, n) = plan_or_refuse(&spec)?;
    let part = match pieces {
        Pieces::Trees => (0, 0),
        Pieces::Runs => kept_run(&spec, n, parts)?,
    };
    Ok((pieces, n, part))
}

/// [`fit_model_cached`] with the model's pieces fitted elsewhere: `parts` are
/// [`fit_part`]'s texts for consecutive ranges covering every piece, in order.
/// The model file is the one [`fit_model_cached`] writes.
#[cfg(feature = "full-components")]
pub fn fit_model_with_parts(table: &Table, spec_json: &str, cv: Option<&CvReport>, cache: Option<&mut ReferenceCache>, parts: &[String]) -> Result<ModelFile> {
    let (pieces, n, part) = join_part(spec_json, parts)?;
    let lend = crate::parallel::Lend { threads: 1, stop: None, part: Some(part) };
    let mut file = fit_model_impl(table, spec_json, cv, false, lend, cache)?;
    if pieces == pipeline::model_parts::Pieces::Trees {
        pipeline::model_parts::join_trees(&mut file.pipeline, n, parts)?;
    }
    Ok(file)
}

/// [`clustering_view`] with KMeans' restarts run elsewhere (`parts`: [`fit_part`]'s
/// texts, in run order): the same model file and view.
#[cfg(feature = "full-components")]
pub fn clustering_view_with_parts(table: &Table, spec_json: &str, parts: &[String]) -> Result<(ModelFile, ClusteringView)> {
    let (pieces, _, part) = join_part(spec_json, parts)?;
    if pieces != pipeline::model_parts::Pieces::Runs {
        return Err(Error::spec("model", "only KMeans' restarts are split for a clustering fit"));
    }
    clustering_view_lent(table, spec_json, crate::parallel::Lend { threads: 1, stop: None, part: Some(part) })
}

/// Drift of new data (a table read with [`load_for_model`]) against the
/// training reference in `model`; see [`crate::monitor::drift`].
pub fn drift(model: &ModelFile, table: &Table, options: &crate::monitor::drift::DriftOptions) -> Result<crate::monitor::DriftReport> {
    crate::monitor::drift(model, table, options)
}

/// Drift options from JSON (`{"method": "ks", "threshold": 0.01}`; empty for defaults).
pub fn drift_options(json: &str) -> Result<crate::monitor::drift::DriftOptions> {
    parse_params("drift options", json)
}

/// A new training file for [`retrain`]: its name, the SHA-256 of its bytes
/// (computed by the shell), and its table read with [`load_for_model`].
pub struct RetrainData {
    pub name: String,
    pub sha256: String,
    pub table: Table,
}

/// Refits the parent's spec on the concatenated `data` (cross-validation first,
/// as `pipelab fit` does) and records the lineage: version parent + 1, the
/// parent's SHA-256 and CV metrics, each file's SHA-256 and rows, and `now`
/// (the time, given by the shell).
/// Its fits (the cross-validation's folds and the refit after it) are lent
/// `hooks.threads` and `hooks.stop` (the CLI's Ctrl-C; [`crate::parallel::Lend`]).
pub fn retrain(parent: &ModelFile, parent_sha256: &str, data: &[RetrainData], now: &str, hooks: CvHooks) -> Result<ModelFile> {
    use crate::persist::lineage::{check_sha256, Lineage, TrainingFile};
    check_sha256("parent_sha256", parent_sha256).map_err(|e| Error::data(e.to_string()))?;
    for d in data {
        check_sha256(&format!("sha256 of {}", d.name), &d.sha256).map_err(|e| Error::data(e.to_string()))?;
    }
    let named: Vec<(&str, &Table)> = data.iter().map(|d| (d.name.as_str(), &d.table)).collect();
    let table = crate::monitor::concat_tables(&named)?;
    let spec_json = serde_json::to_string(&parent.spec).map_err(|e| Error::data(format!("cannot serialize the parent's spec: {e}")))?;
    let threads = crate::parallel::Lend { threads: hooks.threads, stop: hooks.stop, part: None };
    let mut model = if parent.spec.model.task() == Task::Clustering {
        fit_clustering_model_threads(&table, &spec_json, threads)?.0
    } else {
        let cv = crate::selection::cv::cross_validate(&table, &parent.spec, hooks)?;
        fit_model_threads(&table, &spec_json, Some(&cv), false, threads)?
    };
    let version = parent.lineage.as_ref().map_or(1, |l| l.version).saturating_add(1);
    model.lineage = Some(Lineage {
        version,
        parent_sha256: parent_sha256.to_string(),
        parent_cv_metrics: parent.cv_metrics.clone(),
        training_files: data.iter().map(|d| TrainingFile { name: d.name.clone(), sha256: d.sha256.clone(), rows: d.table.n_rows }).collect(),
        cv_metrics: model.cv_metrics.clone(),
        trained_at: now.to_string(),
    });
    Ok(model)
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
    /// What the user should hear: renamed output columns, categories unseen in training.
    pub warnings: Vec<String>,
    /// When the rows hold the model's target column: the model's scores on them,
    /// next to its cross-validated scores (the monitor's performance check).
    pub performance: Option<crate::monitor::Performance>,
}

pub fn predict_summary(model: &ModelFile, table: &Table, n_head: usize) -> Result<PredictionSummary> {
    let p = model.pipeline.predict(table)?;
    // Rows are predicted independently (fitted steps only transform), so the
    // head's predictions are those of the whole table.
    let head: Vec<usize> = (0..table.n_rows.min(n_head)).collect();
    let head_csv = model.pipeline.predictions_csv(&table.rows_view(&head))?;
    let mut warnings = prediction_warnings(model, &table.names(), &p.unseen);
    // A target column that cannot be scored (a regressor's target with text in it)
    // does not stop the predictions: the user hears why it was not scored.
    let performance = crate::monitor::performance(model, table, &p.output).unwrap_or_else(|e| {
        warnings.push(format!("the rows were not scored against their target column: {e}"));
        None
    });
    Ok(PredictionSummary { n_rows: table.n_rows, head_csv, warnings, performance })
}

/// The warnings of a prediction: renamed output columns, categories unseen in training.
pub fn prediction_warnings(model: &ModelFile, columns: &[String], unseen: &[pipeline::Unseen]) -> Vec<String> {
    model.pipeline.output_columns_note(columns).into_iter().chain(unseen.iter().map(|u| u.to_string())).collect()
}

/// The catalogue of steps, models and metrics the page builds its forms from.
pub fn catalog() -> serde_json::Value {
    let tasks = [Task::Classification, Task::Regression];
    let directions: std::collections::BTreeMap<&str, bool> =
        tasks.iter().flat_map(|&t| metrics::scorer_names(t).iter().map(|&m| (m, metrics::greater_is_better(m)))).collect();
    let metric_explanations: std::collections::BTreeMap<_, _> = pipeline::explain::metrics().collect();
    json!({
        "steps": StepSpec::catalog(),
        "models": ModelSpec::catalog(),
        "metrics": {
            "classification": metrics::scorer_names(Task::Classification),
            "regression": metrics::scorer_names(Task::Regression),
        },
        // The metrics a spec without `scoring` is scored with: the page ticks these.
        "default_metrics": {
            "classification": metrics::default_scoring(Task::Classification),
            "regression": metrics::default_scoring(Task::Regression),
        },
        // Each metric's direction, so captions and charts say "lower is better" for errors.
        "metric_greater_is_better": directions,
        // What each metric measures, when to use it, a pitfall (the page's glossary).
        "metric_explanations": metric_explanations,
        "model_format_version": crate::persist::FORMAT_VERSION,
        "version": env!("CARGO_PKG_VERSION"),
    })
}

/// Fits a clustering spec (given as JSON) on every row and scores it.
pub fn evaluate_clustering(table: &Table, spec_json: &str) -> Result<crate::selection::clustering::ClusteringReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    crate::selection::clustering::evaluate_clustering(&*typed(table, &spec)?, &spec)
}

/// Fits a clustering spec on every row: the model file and the clustering report.
pub fn fit_clustering_model(table: &Table, spec_json: &str) -> Result<(ModelFile, crate::selection::clustering::ClusteringReport)> {
    fit_clustering_model_threads(table, spec_json, 1)
}

/// [`fit_clustering_model`] on up to `threads` threads natively (k-means restarts); the same model file.
/// Stops as [`fit_model_threads`] does with a lent stop flag.
pub fn fit_clustering_model_threads(
    table: &Table,
    spec_json: &str,
    threads: impl Into<crate::parallel::Lend>,
) -> Result<(ModelFile, crate::selection::clustering::ClusteringReport)> {
    let spec = PipelineSpec::from_json(spec_json)?;
    let table = &*typed(table, &spec)?;
    let (fitted, report) = crate::selection::clustering::fit_clustering_with(table, &spec, threads)?;
    let n = report.n_rows;
    let rows = pipeline::prepare(table, &spec)?.rows;
    let reference = crate::persist::reference::build(table, &rows, &fitted, None)?;
    let mut file = ModelFile::new(spec, fitted, n, Default::default());
    file.reference = Some(reference);
    Ok((file, report))
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
    pipeline::preview::preview(&*typed(table, &spec)?, &spec, n_rows)
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
    pub report: crate::selection::clustering::ClusteringReport,
    /// `None` (with a warning in the report) when the matrix cannot be projected.
    pub projection: Option<crate::inspect::Projection>,
    pub inspection: crate::inspect::ModelInspection,
}

/// Fits a clustering spec on every row: the model file and what the page shows.
pub fn clustering_view(table: &Table, spec_json: &str) -> Result<(ModelFile, ClusteringView)> {
    clustering_view_lent(table, spec_json, 1.into())
}

fn clustering_view_lent(table: &Table, spec_json: &str, lend: crate::parallel::Lend) -> Result<(ModelFile, ClusteringView)> {
    let (model, mut report) = fit_clustering_model_threads(table, spec_json, lend)?;
    let table = &*typed(table, &model.spec)?;
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
pub fn cv_diagnostics(table: &Table, spec: &PipelineSpec, report: &CvReport) -> Result<crate::selection::diagnostics::Diagnostics> {
    crate::selection::diagnostics::cv_diagnostics(&*typed(table, spec)?, spec, report)
}

fn parse_params<T: serde::de::DeserializeOwned + Default>(what: &str, text: &str) -> Result<T> {
    if text.trim().is_empty() {
        return Ok(T::default());
    }
    let value: serde_json::Value = crate::pipeline::json_text::parse(text).map_err(|e| Error::spec(what, e.to_string()))?;
    crate::pipeline::value_de::from_value(&value)
        .map_err(|(path, e)| Error::spec(if path == "." { what.to_string() } else { format!("{what}.{path}") }, e.to_string()))
}

/// Learning curve of a spec (JSON) with options (JSON, see `LearningCurveParams`).
pub fn learning_curve(table: &Table, spec_json: &str, params_json: &str, hooks: CvHooks) -> Result<crate::selection::curves::CurveReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    let params = parse_params("learning_curve", params_json)?;
    crate::selection::curves::learning_curve(&*typed(table, &spec)?, &spec, &params, hooks)
}

/// Validation curve of a spec (JSON) with options (JSON, see `ValidationCurveParams`).
pub fn validation_curve(table: &Table, spec_json: &str, params_json: &str, hooks: CvHooks) -> Result<crate::selection::curves::CurveReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    let params = parse_params("validation_curve", params_json)?;
    crate::selection::curves::validation_curve(&*typed(table, &spec)?, &spec, &params, hooks)
}

// ---------------------------------------------------------------- hyperparameter search

pub use crate::selection::search::{BatchRunner, CandidateResult, ParamSet, Plan, SearchReport};

/// Cross-validates a parsed spec (the page keeps the spec it cross-validated).
pub fn cross_validate_spec(table: &Table, spec: &PipelineSpec, hooks: CvHooks) -> Result<CvReport> {
    crate::selection::cv::cross_validate(&*typed(table, spec)?, spec, hooks)
}

/// Cross-validation fold by fold (the page's worker pool, www/cv_pool.js): the number of folds,
/// one fold (on any worker holding the same table), and the report of all folds — the same
/// report as [`cross_validate_spec`], the fold timings aside.
pub use crate::selection::cv::FoldResult;

pub fn cv_n_folds(table: &Table, spec: &PipelineSpec) -> Result<usize> {
    crate::selection::cv::n_folds(table, spec)
}

pub fn cv_fold(table: &Table, spec: &PipelineSpec, fold: usize, now_ms: &(dyn Fn() -> f64 + Sync)) -> Result<FoldResult> {
    crate::selection::cv::evaluate_fold(table, spec, fold, now_ms)
}

pub fn cv_finish(table: &Table, spec: &PipelineSpec, folds: Vec<FoldResult>) -> Result<CvReport> {
    crate::selection::cv::finish_folds(table, spec, folds)
}

/// Runs the spec's `search` block to the end; `runner` evaluates each batch
/// of candidates (on threads natively); results do not depend on it.
/// `hooks.stop` (the CLI's Ctrl-C) is lent to the candidates' fold fits.
pub fn search(table: &Table, spec: &PipelineSpec, hooks: CvHooks, runner: &BatchRunner) -> Result<SearchReport> {
    crate::selection::search::run_with(&*typed(table, spec)?, spec, hooks, runner)
}

/// The next batch of a stepwise search given the results so far (the page's worker pool).
pub fn search_plan(spec: &PipelineSpec, n_rows: usize, history: &[CandidateResult], elapsed_ms: f64) -> Result<Plan> {
    crate::selection::search::plan(spec, n_rows, history, elapsed_ms)
}

/// Cross-validates one candidate of a plan; a failure comes back in the result's `error`.
pub fn search_evaluate(table: &Table, spec: &PipelineSpec, params: &ParamSet, plan: &Plan, hooks: CvHooks) -> CandidateResult {
    match typed(table, spec) {
        Ok(t) => crate::selection::search::evaluate_task(&t, spec, params, plan, hooks),
        Err(e) => search_failed(params, &e),
    }
}

/// The result row of a candidate whose evaluation died (a panicking thread).
pub fn search_failed(params: &ParamSet, e: &Error) -> CandidateResult {
    crate::selection::search::failed(params, e)
}

/// Ranks a finished search's results and returns the report with the spec
/// that holds the best parameters (without its search block).
pub fn search_finish(spec: &PipelineSpec, results: Vec<CandidateResult>) -> Result<(SearchReport, PipelineSpec)> {
    let report = crate::selection::search::finish(spec, results)?;
    let best = crate::selection::search::apply_params(spec, &report.best_params)?;
    Ok((report, best))
}

/// The spec with the search's best parameters applied.
pub fn best_spec(spec: &PipelineSpec, report: &SearchReport) -> Result<PipelineSpec> {
    crate::selection::search::apply_params(spec, &report.best_params)
}

// ---------------------------------------------------------------- deploy: scoring requests and streamed prediction

/// A scoring answer in MLflow's scoring-server shape: `predictions` (class
/// labels, numbers, or cluster ids), and for classifiers `probabilities`
/// (one row per input row, columns in `classes` order) and `classes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    pub predictions: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probabilities: Option<Vec<Vec<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
}

/// The input a model expects (`GET /schema`): its columns and their types, the task, the target and classes.
pub fn model_schema(model: &ModelFile) -> serde_json::Value {
    let p = &model.pipeline;
    json!({
        "inputs": p.schema.iter().map(|s| json!({"name": s.name, "type": s.ty.as_str()})).collect::<Vec<_>>(),
        "task": p.task(),
        "target": p.target.as_ref().map(|t| t.name.clone()),
        "classes": p.target.as_ref().map(|t| t.classes.clone()).filter(|c| !c.is_empty()),
        "model": model.spec.model.name(),
    })
}

/// Columns of a request that the model does not read are refused (a typo would
/// otherwise silently score with the column missing), except the target and
/// the spec's `drop` columns, which are ignored (rows copied from the training
/// data carry them).
fn check_request_columns(model: &ModelFile, columns: &[String]) -> Result<()> {
    let schema = &model.pipeline.schema;
    let target = model.pipeline.target.as_ref().map(|t| t.name.as_str());
    let ignored = |c: &str| Some(c) == target || model.spec.drop.iter().any(|d| d == c);
    let reads = || schema.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ");
    for (k, c) in columns.iter().enumerate() {
        if columns[..k].contains(c) {
            return Err(Error::column(c, "is named twice in the request"));
        }
        if !schema.iter().any(|s| &s.name == c) && !ignored(c) {
            return Err(Error::column(c, format!("is not a column this model reads (unknown column); it reads: {}", reads())));
        }
    }
    let missing: Vec<&str> = schema.iter().map(|s| s.name.as_str()).filter(|n| !columns.iter().any(|c| c == n)).collect();
    if let Some(first) = missing.first() {
        return Err(Error::column(*first, format!("is missing from the request (missing column(s): {}); the model reads: {}", missing.join(", "), reads())));
    }
    Ok(())
}

fn scores_for_table(model: &ModelFile, table: &Table) -> Result<Scores> {
    use crate::estimator::Output;
    let p = model.pipeline.predict(table)?;
    let num = |x: f64| serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number);
    Ok(match &p.output {
        Output::Values(v) => Scores { predictions: v.iter().map(|&x| num(x)).collect(), probabilities: None, classes: None },
        Output::Clusters(c) => Scores { predictions: c.iter().map(|&k| json!(k)).collect(), probabilities: None, classes: None },
        Output::Classes { labels, proba } => Scores {
            predictions: labels.iter().map(|&k| json!(p.classes.get(k).cloned().unwrap_or_default())).collect(),
            probabilities: proba.as_ref().map(|pr| pr.rows().into_iter().map(|r| r.to_vec()).collect()),
            classes: Some(p.classes.clone()),
        },
    })
}

/// Scores rows given as JSON cells (the scoring server's `dataframe_split` and
/// `dataframe_records`): `columns` names the cells of each row. Cells are read
/// with the training schema's types and the CSV reader's rules
/// ([`crate::data::records`]), so a row scores as the same row of a CSV file
/// given to [`predict_csv`]. Errors name the row (from 1) and column at fault.
pub fn predict_records(model: &ModelFile, columns: &[String], rows: &[Vec<serde_json::Value>]) -> Result<Scores> {
    if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != columns.len()) {
        return Err(Error::data(format!("row {} has {} value(s) but {} column(s) are named", i + 1, r.len(), columns.len())));
    }
    check_request_columns(model, columns)?;
    let schema: Vec<(String, crate::data::ColumnType)> = model.pipeline.schema.iter().map(|s| (s.name.clone(), s.ty)).collect();
    let at: Vec<usize> = schema.iter().map(|(n, _)| columns.iter().position(|c| c == n).unwrap_or(usize::MAX)).collect();
    let missing = read_options_for(model).missing_values;
    let cell = |i: usize, j: usize| rows.get(i).and_then(|r| r.get(at[j]));
    let table = crate::data::records::table_from_cells(&schema, rows.len(), &cell, &missing)?;
    scores_for_table(model, &table)
}

/// Scores a CSV body (the scoring server's `text/csv` requests): read as
/// [`predict_csv`] reads its file, with the same column checks as [`predict_records`].
pub fn predict_csv_scores(model: &ModelFile, bytes: &[u8]) -> Result<Scores> {
    let table = load_for_model(model, bytes)?;
    check_request_columns(model, &table.names())?;
    scores_for_table(model, &table)
}

/// Rows per batch of a streamed prediction, and the bytes after which a batch is cut early.
pub const STREAM_BATCH_ROWS: usize = 8192;
pub const STREAM_BATCH_BYTES: usize = 8 << 20;

/// Prediction of a CSV of any size in bounded memory: feed its bytes in
/// pieces, get the prediction CSV of each completed batch back. The output is
/// the same bytes as [`predict_csv`] on the whole file (see
/// [`crate::data::stream`] for the one exception: a column the model does not
/// read that changes type between batches). Errors name the file's line and row.
pub struct PredictStream<'m> {
    model: &'m ModelFile,
    batches: crate::data::stream::CsvBatches,
    wrote_header: bool,
    columns: Vec<String>,
    unseen: Vec<pipeline::Unseen>,
}

impl<'m> PredictStream<'m> {
    pub fn new(model: &'m ModelFile) -> Self {
        Self::with_batch(model, STREAM_BATCH_ROWS, STREAM_BATCH_BYTES)
    }
    pub fn with_batch(model: &'m ModelFile, batch_rows: usize, batch_bytes: usize) -> Self {
        let mut opts = read_options_for(model);
        opts.types_for_present_columns_only = true;
        PredictStream {
            model,
            batches: crate::data::stream::CsvBatches::new(opts, batch_rows, batch_bytes),
            wrote_header: false,
            columns: Vec::new(),
            unseen: Vec::new(),
        }
    }
    /// Feeds bytes; returns the prediction CSV of the batches they complete (often empty).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<String> {
        self.batches.feed(bytes);
        self.drain()
    }
    /// The input has ended: the prediction CSV of the last batch(es).
    pub fn finish(&mut self) -> Result<String> {
        self.batches.finish();
        self.drain()
    }
    /// Data rows predicted so far.
    pub fn rows_done(&self) -> usize {
        self.batches.rows_done()
    }
    /// What the user should hear about the rows so far (see [`prediction_warnings`]).
    pub fn warnings(&self) -> Vec<String> {
        let rows = self.rows_done();
        let unseen: Vec<pipeline::Unseen> = self.unseen.iter().map(|u| pipeline::Unseen { rows, ..u.clone() }).collect();
        prediction_warnings(self.model, &self.columns, &unseen)
    }
    fn drain(&mut self) -> Result<String> {
        let mut out = String::new();
        while let Some(b) = self.batches.next_batch()? {
            if !self.wrote_header {
                self.columns = b.table.names();
            }
            let p = self.model.pipeline.predict(&b.table).map_err(|e| b.locate(e))?;
            pipeline::Unseen::merge(&mut self.unseen, &p.unseen);
            out.push_str(&self.model.pipeline.predictions_csv_of(&b.table, &p, !self.wrote_header).map_err(|e| b.locate(e))?);
            self.wrote_header = true;
        }
        Ok(out)
    }
}

/// The spec's parameters by search path (`model__C`, `num__SimpleImputer__strategy`, …) as text,
/// for experiment tracking: the CLI's MLflow logging and the page's run history use the same names.
pub fn spec_params(spec_json: &str) -> Result<Vec<(String, String)>> {
    Ok(crate::selection::params::spec_params(&PipelineSpec::from_json(spec_json)?))
}

/// What a tracked run logs as parameters, by the search's paths: the spec's own (`params`,
/// without its search block), the search's settings (`search`, empty without one) and, for each
/// given candidate (`{path: value}`), the full parameters of the spec it makes (`candidates`;
/// a candidate that does not apply gets its own paths only).
#[derive(Debug, Serialize)]
pub struct TrackParams {
    pub params: Vec<(String, String)>,
    pub search: Vec<(String, String)>,
    pub candidates: Vec<Vec<(String, String)>>,
}

pub fn track_params(spec_json: &str, candidates: &[crate::selection::search::ParamSet]) -> Result<TrackParams> {
    use crate::selection::params::{param_text, search_params, spec_params};
    let spec = PipelineSpec::from_json(spec_json)?;
    let mut base = spec.clone();
    base.search = None;
    let candidates = candidates
        .iter()
        .map(|c| match crate::selection::search::apply_params(&base, c) {
            Ok(s) => spec_params(&s),
            Err(_) => c.iter().map(|(k, v)| (k.clone(), param_text(v))).collect(),
        })
        .collect();
    Ok(TrackParams { params: spec_params(&base), search: search_params(&spec), candidates })
}

/// The fitted pipeline as an ONNX model (serialized protobuf): raw input columns in,
/// `label`/`probabilities`, `variable` or KMeans `label`/`scores` out (SPEC.md, "ONNX export").
#[cfg(feature = "full-components")]
pub fn export_onnx(model: &ModelFile) -> Result<Vec<u8>> {
    crate::export::onnx::to_onnx(model)
}

// ---------------------------------------------------------------- export

/// The scikit-learn script equivalent to a spec (JSON): `pipelab export --format sklearn`
/// and the page's "Show the code". See [`crate::export::sklearn`].
#[cfg(feature = "full-components")]
pub fn export_sklearn(spec_json: &str) -> Result<String> {
    let spec = PipelineSpec::from_json(spec_json)?;
    crate::export::sklearn::to_sklearn_script(&spec, None)
}

/// The scikit-learn script of the spec a model file was fitted from.
#[cfg(feature = "full-components")]
pub fn export_sklearn_model(model: &ModelFile) -> Result<String> {
    crate::export::sklearn::to_sklearn_script(&model.spec, None)
}

// ---------------------------------------------------------------- leakage lab

pub use crate::selection::leakage::{DemoParams, LeakageReport};

/// The leakage lab on a spec (JSON): cross-validated the right way and the wrong
/// way (steps fitted on every row first). See [`crate::selection::leakage::compare`].
pub fn leakage(table: &Table, spec_json: &str, hooks: CvHooks) -> Result<LeakageReport> {
    let spec = PipelineSpec::from_json(spec_json)?;
    crate::selection::leakage::compare(table, &spec, hooks)
}

/// The classic demo: what was generated, the pipeline, and the two cross-validations.
#[derive(Debug, Serialize)]
pub struct LeakageDemo {
    pub params: DemoParams,
    pub spec: PipelineSpec,
    pub report: LeakageReport,
}

/// Demo parameters from JSON (`{"n_rows": 60, "n_features": 2000, "k": 20, "seed": 0}`; empty for these defaults).
pub fn demo_params(json: &str) -> Result<DemoParams> {
    parse_params("leakage demo", json)
}

/// The demo's random table (no signal: Gaussian features, balanced random 0/1 `label`) and its spec.
pub fn leakage_demo_data(params: &DemoParams) -> Result<(Table, PipelineSpec)> {
    Ok((crate::selection::leakage::demo_table(params)?, crate::selection::leakage::demo_spec(params)?))
}

/// Generates the demo's data from its seed and runs the leakage lab on it.
pub fn leakage_demo(params: &DemoParams, hooks: CvHooks) -> Result<LeakageDemo> {
    let (table, spec) = leakage_demo_data(params)?;
    let report = crate::selection::leakage::compare(&table, &spec, hooks)?;
    Ok(LeakageDemo { params: *params, spec, report })
}
