//! Cross-validation fold by fold, for the page's worker pool (www/cv_pool.js):
//! the main worker says how many folds there are ([`Session::cv_plan`]), each
//! pool worker (its own Session holding the same table) evaluates folds
//! ([`Session::cv_fold`]), and the main worker assembles the report
//! ([`Session::cv_finish`]) — the same report `cross_validate` gives, because
//! both run the core's `selection::cv` fold code. Also the hand-over of the last
//! cross-validation when the page switches to the full module (www/worker.js).

use wasm_bindgen::prelude::*;

use super::{js_err, no_table, now_ms, to_js, Session};
use crate::api::{self, FoldResult};
use crate::pipeline::PipelineSpec;
#[cfg(feature = "web-full")]
use crate::selection::cv::CvReport;

fn from_js<T: serde::de::DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(v).map_err(|e| js_sys::Error::new(&format!("internal: cannot read the {what} sent by the page: {e}")).into())
}

#[wasm_bindgen]
impl Session {
    /// `{n_folds}` of cross-validating the spec on the loaded table (errors as `cross_validate`'s).
    pub fn cv_plan(&self, spec_json: &str) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let n_folds = api::cv_n_folds(table, &spec).map_err(js_err)?;
        to_js(&serde_json::json!({ "n_folds": n_folds }))
    }

    /// Fold `fold` (from 0) of cross-validating the spec on the loaded table.
    pub fn cv_fold(&self, spec_json: &str, fold: usize) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        to_js(&api::cv_fold(table, &spec, fold, &now_ms).map_err(js_err)?)
    }

    /// The report of the folds (an array of `cv_fold` results); it becomes the
    /// session's last cross-validation, as after `cross_validate`.
    pub fn cv_finish(&mut self, spec_json: &str, folds: JsValue) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let folds: Vec<FoldResult> = from_js(folds, "fold results")?;
        let report = api::cv_finish(table, &spec, folds).map_err(js_err)?;
        let out = to_js(&report)?;
        self.last_cv = Some((spec, report));
        Ok(out)
    }

    /// Makes `report` (a `cross_validate` result of another Session on the same
    /// table) this session's last cross-validation of `spec_json`. Only a full worker
    /// adopts a report (www/worker.js), so the first module leaves out the report's
    /// deserializer (17 KB raw, 6.8 KB gzip).
    #[cfg(feature = "web-full")]
    pub fn restore_cv(&mut self, spec_json: &str, report: JsValue) -> Result<(), JsValue> {
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let report: CvReport = from_js(report, "cross-validation report")?;
        self.last_cv = Some((spec, report));
        Ok(())
    }
}
