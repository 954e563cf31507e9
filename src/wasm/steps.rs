//! The steps area of the page: the transformed-table preview.

use wasm_bindgen::prelude::*;

use super::{js_err, no_table, to_js, Session};
use crate::api;

#[wasm_bindgen]
impl Session {
    /// Fits the spec's preprocessing and steps (not the model) on every usable
    /// row of the loaded table and returns the output feature names, the first
    /// `n_rows` transformed rows, per-step shapes and, for a decomposition as
    /// the last step, the projection and explained variance (see
    /// `crate::pipeline::preview::PreviewReport`).
    pub fn preview(&self, spec_json: &str, n_rows: usize) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&api::preview(table, spec_json, n_rows).map_err(js_err)?)
    }
}
