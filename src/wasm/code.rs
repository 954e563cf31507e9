//! The "Show the code" area of the page: the spec as a scikit-learn script.

use wasm_bindgen::prelude::*;

use super::{js_err, Session};
use crate::api;

#[wasm_bindgen]
impl Session {
    /// The scikit-learn script equivalent to a spec (JSON); the same text as
    /// `pipelab export --spec SPEC.json --format sklearn`. Needs no data.
    pub fn export_sklearn(&self, spec_json: &str) -> Result<String, JsValue> {
        api::export_sklearn(spec_json).map_err(js_err)
    }
}
