//! Cross-validation fold by fold, for the page's worker pool (www/cv_pool.js):
//! the main worker says how many folds there are ([`Session::cv_plan`]), each
//! pool worker (its own Session holding the same table) evaluates folds
//! ([`Session::cv_fold`]), and the main worker assembles the report
//! ([`Session::cv_finish`]) — the same report `cross_validate` gives, because
//! both run the core's `selection::cv` fold code. Also the hand-over of the last
//! cross-validation when the page switches to the full module (www/worker.js).

use wasm_bindgen::prelude::*;

use super::{js_err, no_table, now_ms, page_report, to_js, Session};
use crate::api::{self, FoldResult};
use crate::pipeline::PipelineSpec;
#[cfg(feature = "web-full")]
use crate::selection::cv::CvReport;

#[cfg(feature = "web-full")]
fn from_js<T: serde::de::DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(v).map_err(|e| js_sys::Error::new(&format!("internal: cannot read the {what} sent by the page: {e}")).into())
}

fn internal(what: String) -> JsValue {
    js_sys::Error::new(&format!("internal: {what}")).into()
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

    /// Fold `fold` (from 0) of cross-validating the spec on the loaded table, as text
    /// ([`FoldResult::into_text`]: its JSON, with any non-finite number carried beside it): one
    /// string crosses to the page and on to the main worker, where a JS object of the fold's
    /// out-of-fold predictions, a JS array per row, cost more to build, clone twice and read
    /// back than the fold's fit (bench/HISTORY.md, Session 12); and the first module has no
    /// JS-object reader of a fold (bench/HISTORY.md, Session 14, core4).
    pub fn cv_fold(&self, spec_json: &str, fold: usize) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let result = api::cv_fold(table, &spec, fold, &now_ms).map_err(js_err)?;
        let text = result.into_text().map_err(|e| internal(format!("cannot write fold {}: {e}", fold + 1)))?;
        Ok(JsValue::from_str(&text))
    }

    /// The report of the folds (the `cv_fold` results: texts or objects), as `cross_validate`
    /// returns it (JSON text, or the object; without the out-of-fold predictions, which the
    /// session keeps); it becomes the session's last cross-validation.
    pub fn cv_finish(&mut self, spec_json: &str, folds: Vec<JsValue>) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let folds = folds
            .into_iter()
            .enumerate()
            .map(|(i, fold)| {
                let text = fold.as_string().ok_or_else(|| internal(format!("fold result {} sent by the page is not text", i + 1)))?;
                FoldResult::from_text(&text).map_err(|e| internal(format!("cannot read fold result {} sent by the page: {e}", i + 1)))
            })
            .collect::<Result<Vec<FoldResult>, JsValue>>()?;
        let mut report = api::cv_finish(table, &spec, folds).map_err(js_err)?;
        let out = page_report(&mut report)?;
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
