//! Evaluation pictures and curves (issue 6): the diagnostics of the last
//! cross-validation, the learning curve and the validation curve. The work is
//! in the core (`api::cv_diagnostics`, `selection::curves`); this only converts.

use wasm_bindgen::prelude::*;

use super::{js_err, no_table, now_ms, to_js, Session};
use crate::api;
use crate::pipeline::CvHooks;

fn no_cv() -> JsValue {
    js_sys::Error::new("no cross-validation yet: run Train & cross-validate first").into()
}

/// Runs `f` with hooks that call `progress(done, total)`; a `false` return
/// cancels, a throwing callback surfaces its own error.
fn with_progress<T>(progress: &js_sys::Function, f: impl FnOnce(CvHooks) -> crate::Result<T>) -> Result<T, JsValue> {
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
    let result = f(CvHooks { now_ms: &now_ms, progress: &mut on_progress });
    if let Some(e) = js_failure {
        return Err(e);
    }
    result.map_err(js_err)
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
