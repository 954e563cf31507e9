//! Session methods of the Monitor area of the page (www/monitor.js): drift of
//! new data against the session model's training reference, and retraining
//! with lineage. SHA-256 and the time come from the page (WebCrypto, Date);
//! the logic is [`crate::api::drift`] / [`crate::api::retrain`].

use wasm_bindgen::prelude::*;

use super::{js_err, no_model, no_table, to_js, with_progress, Session};
use crate::api;

#[wasm_bindgen]
impl Session {
    /// Drift of a new CSV (bytes) against the session's model. `options_json`:
    /// `{"method": "ks", "threshold": 0.01}` or empty for Evidently's defaults.
    pub fn drift_csv(&self, bytes: &[u8], options_json: &str) -> Result<JsValue, JsValue> {
        let model = self.model.as_ref().ok_or_else(no_model)?;
        let options = api::drift_options(options_json).map_err(js_err)?;
        let table = api::load_for_model(model, bytes).map_err(js_err)?;
        to_js(&api::drift(model, &table, &options).map_err(js_err)?)
    }

    /// Drift of the loaded table against the session's model.
    pub fn drift_loaded(&self, options_json: &str) -> Result<JsValue, JsValue> {
        let model = self.model.as_ref().ok_or_else(no_model)?;
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let options = api::drift_options(options_json).map_err(js_err)?;
        to_js(&api::drift(model, table, &options).map_err(js_err)?)
    }

    /// Retrains the session's model on a new CSV (cross-validation first) and
    /// records the lineage. `parent_sha256` is the SHA-256 of the parent model
    /// file's text, `sha256` that of the CSV bytes, `now` the time (ISO 8601).
    /// Returns `{model_text, lineage, cv_metrics}`; the new model becomes the
    /// session's model. On error the session is unchanged.
    pub fn retrain_csv(
        &mut self,
        bytes: &[u8],
        name: &str,
        sha256: &str,
        parent_sha256: &str,
        now: &str,
        progress: &js_sys::Function,
    ) -> Result<JsValue, JsValue> {
        let parent = self.model.as_ref().ok_or_else(no_model)?;
        let table = api::load_for_model(parent, bytes).map_err(js_err)?;
        let data = [api::RetrainData { name: name.to_string(), sha256: sha256.to_string(), table }];
        let model = with_progress(progress, |hooks| api::retrain(parent, parent_sha256, &data, now, hooks))?;
        let text = model.to_json().map_err(js_err)?;
        let out =
            to_js(&serde_json::json!({ "model_text": text, "lineage": model.lineage, "cv_metrics": model.cv_metrics, "n_train_rows": model.n_train_rows }))?;
        self.model = Some(model);
        Ok(out)
    }
}
