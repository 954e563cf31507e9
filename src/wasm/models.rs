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
        self.clustering_result(model, view)
    }

    /// Fits a (supervised or clustering) spec on every usable row and returns
    /// the model inspection, without replacing the session's model.
    pub fn inspect_fit(&self, spec_json: &str) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&api::fit_and_inspect(table, spec_json).map_err(js_err)?)
    }

    /// The number of pieces (a forest's trees, KMeans' restarts) when a fit of the
    /// spec can be split between the page's pool workers (www/fit_pool.js;
    /// `api::split_plan`), else `undefined`.
    pub fn split_plan(&self, spec_json: &str) -> Result<Option<u32>, JsValue> {
        let n = api::split_plan(spec_json).map_err(js_err)?;
        Ok(n.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
    }

    /// One pool worker's part of a split fit: the pieces `from..to`, as JSON.
    pub fn fit_part(&self, spec_json: &str, from: u32, to: u32) -> Result<String, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        api::fit_part(table, spec_json, from as usize, to as usize).map_err(js_err)
    }

    /// [`Session::fit`] with the model's pieces fitted by the pool (`parts`: the
    /// workers' `fit_part` texts, in order): the same model file, which becomes
    /// the session's model.
    pub fn fit_with_parts(&mut self, spec_json: &str, parts: Vec<String>) -> Result<String, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = crate::pipeline::PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let cv = self.last_cv.as_ref().filter(|(s, _)| *s == spec).map(|(_, r)| r);
        let model = api::fit_model_with_parts(table, spec_json, cv, Some(&mut self.reference_cache), &parts).map_err(js_err)?;
        let text = model.to_json().map_err(js_err)?;
        self.model = Some(model);
        Ok(text)
    }

    /// [`Session::inspect_fit`] with the model's pieces fitted by the pool.
    pub fn inspect_fit_with_parts(&self, spec_json: &str, parts: Vec<String>) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&api::inspect_model(&api::fit_model_with_parts(table, spec_json, None, None, &parts).map_err(js_err)?))
    }

    /// [`Session::fit_clustering`] with KMeans' restarts run by the pool (`parts`:
    /// the workers' `fit_part` texts, in run order): the same view and model.
    pub fn fit_clustering_with_parts(&mut self, spec_json: &str, parts: Vec<String>) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let (model, view) = api::clustering_view_with_parts(table, spec_json, &parts).map_err(js_err)?;
        self.clustering_result(model, view)
    }

    /// The inspection of the session's model (trained here or loaded from a file).
    pub fn inspect_model(&self) -> Result<JsValue, JsValue> {
        to_js(&api::inspect_model(self.model.as_ref().ok_or_else(no_model)?))
    }
}

impl Session {
    /// A clustering fit's page result `{view, model_text}`; the model becomes the session's.
    fn clustering_result(&mut self, model: crate::persist::ModelFile, view: api::ClusteringView) -> Result<JsValue, JsValue> {
        let text = model.to_json().map_err(js_err)?;
        let out = to_js(&serde_json::json!({ "view": view, "model_text": text }))?;
        self.model = Some(model);
        Ok(out)
    }
}
