//! Session methods of the model area of the page: clustering (fit on every row,
//! report + 2-D view) and model inspection. The logic lives in [`crate::api`] /
//! [`crate::inspect`]; these methods only convert.

use wasm_bindgen::prelude::*;

use super::{js_err, no_model, no_table, to_js, Session};
use crate::api;

#[wasm_bindgen]
impl Session {
    /// Fits a clustering spec on every row of the loaded table. Returns
    /// `{view: {report, projection, inspection}, model_text}`; the fitted model
    /// becomes the session's model (for predict and download). On error the
    /// session is unchanged.
    pub fn fit_clustering(&mut self, spec_json: &str) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let (model, view) = api::clustering_view(table, spec_json).map_err(js_err)?;
        let text = model.to_json().map_err(js_err)?;
        let out = to_js(&serde_json::json!({ "view": view, "model_text": text }))?;
        self.model = Some(model);
        Ok(out)
    }

    /// Fits a (supervised or clustering) spec on every usable row and returns
    /// the model inspection, without replacing the session's model.
    pub fn inspect_fit(&self, spec_json: &str) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&api::fit_and_inspect(table, spec_json).map_err(js_err)?)
    }

    /// The inspection of the session's model (trained here or loaded from a file).
    pub fn inspect_model(&self) -> Result<JsValue, JsValue> {
        to_js(&api::inspect_model(self.model.as_ref().ok_or_else(no_model)?))
    }
}
