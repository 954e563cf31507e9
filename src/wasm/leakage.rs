//! The leakage lab (www/leakage.js): the loaded data's pipeline cross-validated
//! the right way and the wrong way, and the classic demo generated from a seed.

use wasm_bindgen::prelude::*;

use super::{js_err, no_table, to_js, with_progress, Session};
use crate::api;

#[wasm_bindgen]
impl Session {
    /// The spec (JSON) cross-validated twice on the loaded table: steps fitted
    /// inside each training fold, and steps fitted on every row first (see
    /// `crate::selection::leakage::LeakageReport`). `progress(done, total)` per
    /// fold of either; `false` cancels.
    pub fn leakage(&self, spec_json: &str, progress: &js_sys::Function) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&with_progress(progress, |h| api::leakage(table, spec_json, h))?)
    }

    /// The classic demo: random features and labels generated from the seed in
    /// `params_json` (`{"n_rows", "n_features", "k", "seed"}`, `""` for the
    /// defaults), SelectKBest → LogisticRegression cross-validated both ways.
    /// The session's loaded table is not touched.
    pub fn leakage_demo(&self, params_json: &str, progress: &js_sys::Function) -> Result<JsValue, JsValue> {
        let params = api::demo_params(params_json).map_err(js_err)?;
        to_js(&with_progress(progress, |h| api::leakage_demo(&params, h))?)
    }
}
