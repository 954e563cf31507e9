//! Reading a model file on the page (the full module only: the model file's
//! derived deserializers are among the largest code in the module, and the
//! first-load path — data → CV → fit → predict — writes model files but never
//! reads one; www/worker.js switches to the full module for `load_model`).

use wasm_bindgen::prelude::*;

use super::{js_err, model_summary, Session};
use crate::persist::ModelFile;

#[wasm_bindgen]
impl Session {
    /// Loads a model file (JSON text) and returns its summary. On error the
    /// previously loaded model is kept.
    pub fn load_model(&mut self, text: &str) -> Result<JsValue, JsValue> {
        let model = ModelFile::from_json(text).map_err(js_err)?;
        let out = model_summary(&model)?;
        self.model = Some(model);
        Ok(out)
    }
}
