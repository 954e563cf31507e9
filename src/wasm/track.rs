//! Experiment tracking on the page (www/runs.js, www/mlflow.js): the parameter names
//! a run is recorded and logged under are the core's (`crate::selection::params`), the
//! same the CLI's `--mlflow` logs, so a run logged from either shell lines up in MLflow.

use wasm_bindgen::prelude::*;

use super::{js_err, to_js, Session};
use crate::selection::search::ParamSet;

#[wasm_bindgen]
impl Session {
    /// `{params, search, candidates}` (see `api::track_params`): `[path, text]` pairs of the
    /// spec, of its search block, and of each candidate (`candidates`: an array of `{path: value}`).
    pub fn track_params(&self, spec_json: &str, candidates: JsValue) -> Result<JsValue, JsValue> {
        let candidates: Vec<ParamSet> = if candidates.is_undefined() || candidates.is_null() {
            vec![]
        } else {
            serde_wasm_bindgen::from_value(candidates)
                .map_err(|e| js_sys::Error::new(&format!("internal: cannot read the candidates sent by the page: {e}")))?
        };
        to_js(&crate::api::track_params(spec_json, &candidates).map_err(js_err)?)
    }
}
