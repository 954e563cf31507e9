//! Which reader a file needs (in the first-load module: a few bytes of code).
//! The worker reads the first 16 bytes and the name, and sends anything but
//! CSV to the lazily loaded formats module (`src/wasm/formats.rs`).

use wasm_bindgen::prelude::*;

/// `"csv"`, `"parquet"`, `"sqlite"`, `"excel"` or `"json"`: magic bytes first, the name second.
#[wasm_bindgen]
pub fn detect_format(head: &[u8], name: &str) -> String {
    crate::data::formats::detect(head, name).as_str().to_string()
}
