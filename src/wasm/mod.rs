//! The WebAssembly boundary: the ONLY module that touches JS types.
//!
//! A thin facade over [`crate::api`]: a [`Session`] holds the loaded table,
//! the last cross-validation report and a loaded model file. Results cross as
//! plain JS objects (JSON-compatible: maps become objects) or strings; errors
//! cross as `js_sys::Error` whose message is the core [`crate::Error`]'s
//! Display text. A failed call never changes the session's state: the
//! previously loaded table, report and model stay usable.
//!
//! Each area of the page adds its methods in a submodule of its own, as a
//! further `#[wasm_bindgen] impl Session` block (wasm-bindgen allows several);
//! the helpers below (`js_err`, `to_js`, `no_table`, `no_model`) are shared.

// Areas of the lazily loaded module only (Cargo feature `web-full`, scripts/build-web.sh);
// the first module (`web-core`) has the Session below and the data area.
mod cv_folds;
#[cfg(feature = "web-full")]
mod eval;
#[cfg(feature = "web-full")]
mod models;
#[cfg(feature = "web-full")]
mod monitor;
#[cfg(feature = "web-full")]
mod search;
#[cfg(feature = "web-full")]
mod steps;

#[cfg(feature = "web-full")]
mod track;

#[cfg(feature = "web-full")]
mod export;

#[cfg(feature = "web-full")]
mod code;

#[cfg(feature = "web-full")]
mod leakage;

#[cfg(feature = "web-full")]
mod model_file;
// Data formats (issue 18): detection in the first-load module; the readers
// only in a build with the `formats` feature (the lazily loaded module).
#[cfg(feature = "formats")]
pub mod formats;
pub mod source;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::api;
use crate::data::{ReadReport, Table};
use crate::persist::ModelFile;
use crate::pipeline::PipelineSpec;
use crate::selection::cv::{CvHooks, CvReport};

pub mod data;

/// Installs the panic hook so a bug shows as a readable console message
/// instead of "unreachable executed".
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

pub(crate) fn js_err(e: crate::Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    // The worker (www/worker.js) answers `need_full` to an error of this name.
    if matches!(e, crate::Error::NeedFull(_)) {
        err.set_name("NeedFull");
    }
    err.into()
}

pub(crate) fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).map_err(|e| js_sys::Error::new(&format!("internal: cannot convert the result for JavaScript: {e}")).into())
}

/// A cross-validation report for the page: JSON text when every number is finite (the worker
/// sends the string and the page parses it: `CvReport::json_text_if_finite`), else the JS object.
pub(crate) fn report_to_js(report: &CvReport) -> Result<JsValue, JsValue> {
    match report.json_text_if_finite() {
        Some(text) => Ok(JsValue::from_str(&text)),
        None => to_js(report),
    }
}

/// The page's copy of a cross-validation report: [`report_to_js`] without the out-of-fold
/// predictions, which the page reads nothing of (the Session keeps them for the evaluation
/// pictures and hands them to the full module: [`Session::last_cv_report`]). Writing and
/// parsing a 100,000-row CV's predictions as JSON numbers was ≈ 10 % of the browser's CV.
pub(crate) fn page_report(report: &mut CvReport) -> Result<JsValue, JsValue> {
    let oof = std::mem::take(&mut report.oof);
    let out = report_to_js(report);
    report.oof = oof;
    out
}

/// Runs `f` with hooks that call `progress(done, total)`; a `false` return
/// cancels, a throwing callback surfaces its own error.
pub(crate) fn with_progress<T>(progress: &js_sys::Function, f: impl FnOnce(CvHooks) -> crate::Result<T>) -> Result<T, JsValue> {
    let mut js_failure: Option<JsValue> = None;
    let mut on_progress = |done: usize, total: usize| -> bool {
        match progress.call2(&JsValue::NULL, &JsValue::from_f64(done as f64), &JsValue::from_f64(total as f64)) {
            Ok(v) => v.as_bool() != Some(false),
            Err(e) => {
                js_failure = Some(e);
                false
            }
        }
    };
    let result = f(CvHooks { threads: 1, now_ms: &now_ms, progress: &mut on_progress, stop: None });
    if let Some(e) = js_failure {
        return Err(e);
    }
    result.map_err(js_err)
}

pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The crate version, for the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// One user's working state in the page (lives in the Web Worker).
#[wasm_bindgen]
pub struct Session {
    pub(crate) table: Option<(Table, ReadReport)>,
    /// The spec (parsed, for comparison) and the report of the last successful cross-validation.
    pub(crate) last_cv: Option<(PipelineSpec, CvReport)>,
    pub(crate) model: Option<ModelFile>,
    /// The drift reference's column distributions of the loaded table, kept between fits
    /// (`api::fit_model_cached`); cleared with every new table ([`Session::set_table`]).
    pub(crate) reference_cache: api::ReferenceCache,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Session {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        Session { table: None, last_cv: None, model: None, reference_cache: api::ReferenceCache::default() }
    }

    /// Steps, models (with parameter schemas) and metric names. Full module only: the page
    /// reads it from `www/pkg/catalog.json`, which scripts/build-web.sh writes by calling this
    /// (the schemas, help and explanation texts were 41 KB gzip of code and strings the first
    /// module need not carry; bench/HISTORY.md, "Session 11").
    #[cfg(feature = "web-full")]
    pub fn catalog(&self) -> Result<JsValue, JsValue> {
        to_js(&api::catalog())
    }

    /// Reads CSV bytes (options as JSON, `""` or `{}` for defaults) and
    /// returns the table summary. On error the previous table is kept.
    pub fn load_csv(&mut self, bytes: &[u8], options_json: &str) -> Result<JsValue, JsValue> {
        let (table, report) = api::load_table(bytes, options_json).map_err(js_err)?;
        let summary = to_js(&api::summarize(&table, &report, 20))?;
        self.set_table(table, report);
        Ok(summary)
    }

    /// Whether a table is loaded.
    pub fn has_table(&self) -> bool {
        self.table.is_some()
    }

    /// The summary of the loaded table (for a page that lost its view).
    pub fn table_summary(&self) -> Result<JsValue, JsValue> {
        let (t, r) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&api::summarize(t, r, 20))
    }

    /// Cross-validates the spec on the loaded table. `progress(done, total)`
    /// is called after every fold; returning `false` from it cancels. The report is
    /// JSON text (`report_to_js`; the page parses it), or the JS object when it holds NaN,
    /// without its out-of-fold predictions (`page_report`).
    pub fn cross_validate(&mut self, spec_json: &str, progress: &js_sys::Function) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let mut report = with_progress(progress, |h| api::cross_validate_spec(table, &spec, h))?;
        let out = page_report(&mut report)?;
        self.last_cv = Some((spec, report));
        Ok(out)
    }

    /// The last cross-validation's whole report, out-of-fold predictions included, as
    /// `report_to_js` (`undefined` when there is none): the worker hands it to the full
    /// module when the page moves there (www/worker.js `handoff`, then `restore_cv`).
    pub fn last_cv_report(&self) -> Result<JsValue, JsValue> {
        match &self.last_cv {
            Some((_, report)) => report_to_js(report),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Fits the spec on every usable row and returns the model file as JSON
    /// text. When the last cross-validation used the same spec, its metrics
    /// are stored in the file as the training metrics. The model also becomes
    /// the session's loaded model.
    /// With a hold-out part the model is fitted on the training part, or on
    /// every row with `refit_all` (the file's `holdout` says which).
    pub fn fit(&mut self, spec_json: &str, refit_all: Option<bool>) -> Result<String, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let cv = self.last_cv.as_ref().filter(|(s, _)| *s == spec).map(|(_, r)| r);
        let model = api::fit_model_cached(table, spec_json, cv, refit_all.unwrap_or(false), &mut self.reference_cache).map_err(js_err)?;
        let text = model.to_json().map_err(js_err)?;
        self.model = Some(model);
        Ok(text)
    }

    /// The summary of the loaded model.
    pub fn model_summary(&self) -> Result<JsValue, JsValue> {
        model_summary(self.model.as_ref().ok_or_else(no_model)?)
    }

    /// Predicts the rows of a CSV with the loaded model; returns CSV text with
    /// the input's columns, `prediction` and `proba_<class>` for classifiers.
    pub fn predict_csv(&self, bytes: &[u8]) -> Result<String, JsValue> {
        let model = self.model.as_ref().ok_or_else(no_model)?;
        api::predict_csv(model, bytes).map_err(js_err)
    }

    /// Predicts the loaded table with the loaded model (no second read of the
    /// file); the same CSV text as `predict_csv` on the file's bytes.
    pub fn predict_loaded(&self) -> Result<String, JsValue> {
        let model = self.model.as_ref().ok_or_else(no_model)?;
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        api::predict_table(model, table).map_err(js_err)
    }

    /// Predicts every row of the loaded table and returns `{n_rows, head_csv}`
    /// (the prediction CSV of the first `n_head` rows); the page asks for the
    /// whole CSV (`predict_loaded`) only when the user downloads it.
    pub fn predict_loaded_summary(&self, n_head: usize) -> Result<JsValue, JsValue> {
        let model = self.model.as_ref().ok_or_else(no_model)?;
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&api::predict_summary(model, table, n_head).map_err(js_err)?)
    }

    /// `predict_loaded_summary` for the rows of a CSV (new data).
    pub fn predict_csv_summary(&self, bytes: &[u8], n_head: usize) -> Result<JsValue, JsValue> {
        let model = self.model.as_ref().ok_or_else(no_model)?;
        let table = api::load_for_model(model, bytes).map_err(js_err)?;
        to_js(&api::predict_summary(model, &table, n_head).map_err(js_err)?)
    }
}

impl Session {
    /// Makes `table` the session's: the last cross-validation and the reference cache
    /// belonged to the previous one.
    pub(crate) fn set_table(&mut self, table: Table, report: ReadReport) {
        self.table = Some((table, report));
        self.last_cv = None;
        self.reference_cache.clear();
    }
}

pub(crate) fn no_table() -> JsValue {
    js_sys::Error::new("no data loaded: load a CSV file first").into()
}

pub(crate) fn no_model() -> JsValue {
    js_sys::Error::new("no model loaded: train a model or load a model file first").into()
}

pub(crate) fn model_summary(m: &ModelFile) -> Result<JsValue, JsValue> {
    let p = &m.pipeline;
    to_js(&serde_json::json!({
        "format_version": m.format_version,
        "crate_version": m.crate_version,
        "model": m.spec.model.name(),
        "task": p.task(),
        "target": p.target.as_ref().map(|t| t.name.clone()),
        "classes": p.target.as_ref().map(|t| t.classes.clone()).unwrap_or_default(),
        "schema": p.schema,
        "feature_names": p.feature_names,
        "n_train_rows": m.n_train_rows,
        "cv_metrics": m.cv_metrics,
        "lineage": m.lineage,
        "has_reference": m.reference.is_some(),
        "warnings": p.warnings,
        "spec": spec_value(&m.spec),
    }))
}

/// The spec as a JSON value, written by the model file's own serializer and parsed back (the
/// same value as `serde_json::to_value`, whose second serializer of every step and model cost
/// the first module ~20 KB raw).
fn spec_value(spec: &crate::pipeline::PipelineSpec) -> serde_json::Value {
    serde_json::to_string(spec).ok().and_then(|text| crate::pipeline::json_text::parse(&text).ok()).unwrap_or(serde_json::Value::Null)
}
