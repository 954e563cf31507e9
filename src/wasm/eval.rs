//! Evaluation pictures and curves (issue 6): the diagnostics of the last
//! cross-validation, the learning curve and the validation curve. The work is
//! in the core (`api::cv_diagnostics`, `selection::curves`); this only converts.

use wasm_bindgen::prelude::*;

use super::{js_err, no_table, to_js, with_progress, Session};
use crate::api;

fn no_cv() -> JsValue {
    js_sys::Error::new("no cross-validation yet: run Train & cross-validate first").into()
}

#[wasm_bindgen]
impl Session {
    /// Confusion matrix, ROC / precision–recall curves per class, predicted vs
    /// actual values: the pictures of the last cross-validation.
    pub fn cv_diagnostics(&self) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let (spec, report) = self.last_cv.as_ref().ok_or_else(no_cv)?;
        to_js(&api::cv_diagnostics(table, spec, report).map_err(js_err)?)
    }

    /// Learning curve of `spec_json` with options `params_json` (see
    /// `LearningCurveParams`); `progress(done, total)` after every fit.
    pub fn learning_curve(&self, spec_json: &str, params_json: &str, progress: &js_sys::Function) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&with_progress(progress, |h| api::learning_curve(table, spec_json, params_json, h))?)
    }

    /// Validation curve of `spec_json` with options `params_json` (`{"param": "model__C", "values": [...]}`).
    pub fn validation_curve(&self, spec_json: &str, params_json: &str, progress: &js_sys::Function) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&with_progress(progress, |h| api::validation_curve(table, spec_json, params_json, h))?)
    }
}
