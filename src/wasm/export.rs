//! Session methods of the page's Export area: the session's model (trained on the
//! page or loaded from a file) in formats other tools run. Logic in [`crate::api`].

use wasm_bindgen::prelude::*;

use super::{js_err, no_model, Session};
use crate::api;

#[wasm_bindgen]
impl Session {
    /// The session's model as an ONNX file (bytes; a `Uint8Array` in JavaScript).
    /// A component the graph cannot express is an error naming it.
    pub fn export_onnx(&self) -> Result<Vec<u8>, JsValue> {
        api::export_onnx(self.model.as_ref().ok_or_else(no_model)?).map_err(js_err)
    }
}
