//! The page's readers for Parquet, Excel/ODS and JSON, and the conversion of
//! rows read by sql.js (SQLite): compiled only with the `formats` cargo
//! feature, so they live in the lazily loaded wasm module, never in the
//! first-load one (issue 17's budget).
//!
//! The bridge is text: a file becomes CSV text plus its `types` map
//! ([`crate::api::convert`]), which the worker then reads with the first-load
//! module's streaming CSV reader exactly as a dropped CSV, with `types` forced.
//! Every format yields the same table as its CSV export by construction, and
//! the two modules share no memory or handles.

use wasm_bindgen::prelude::*;

use super::{js_err, to_js};
use crate::api;
use crate::data::formats::{rows_to_csv, Format, SourceOptions};

fn source(json: &str) -> Result<SourceOptions, JsValue> {
    api::parse_options("source options", json).map_err(js_err)
}

/// The sheets of a workbook (empty for other formats), for the page's picker.
#[wasm_bindgen]
pub fn formats_parts(bytes: &[u8], name: &str) -> Result<JsValue, JsValue> {
    to_js(&api::data_parts(bytes, name).map_err(js_err)?)
}

/// A Parquet, Excel or JSON file as `{format, csv, types, parts, part, n_rows}`;
/// `source_json` chooses the sheet (`{"sheet": "..."}`, `{"header": false}`).
#[wasm_bindgen]
pub fn formats_convert(bytes: &[u8], name: &str, source_json: &str) -> Result<JsValue, JsValue> {
    to_js(&api::convert(bytes, name, &source(source_json)?).map_err(js_err)?)
}

/// Rows read by sql.js as `{columns: [...], rows: [[...], ...]}` (JSON text) →
/// the same `{csv, types, ...}` as the native SQLite reader gives.
#[wasm_bindgen]
pub fn formats_rows(rows_json: &str, part: &str) -> Result<JsValue, JsValue> {
    #[derive(serde::Deserialize)]
    struct Rows {
        columns: Vec<String>,
        rows: Vec<Vec<serde_json::Value>>,
    }
    let r: Rows = serde_json::from_str(rows_json).map_err(|e| js_err(crate::Error::format("SQLite", "", format!("rows from sql.js: {e}"))))?;
    to_js(&rows_to_csv(Format::Sqlite, &r.columns, &r.rows, part).map_err(js_err)?)
}

/// Refuses a typed query that is not a single read-only SELECT (the rule the
/// native reader applies), before sql.js runs it.
#[wasm_bindgen]
pub fn formats_check_select(sql: &str) -> Result<(), JsValue> {
    api::check_select(sql).map_err(js_err)
}
