//! The robustness properties of the spec parser and the model loader, shared by
//! the coverage-guided fuzz targets (`fuzz/fuzz_targets/spec_json.rs`,
//! `fuzz/fuzz_targets/model_file.rs`, `scripts/fuzz.sh`) and the seeded
//! mutation tests `cargo test` runs (`tests/library/model_mutations.rs`), as
//! [`crate::data::robustness`] is for the CSV reader.

use serde_json::Value;

use super::ModelFile;
use crate::data::ColumnType;
use crate::pipeline::PipelineSpec;

/// An error message must say something: not empty, not ending on a colon
/// (a message that promised a detail and gave none).
fn check_message(what: &str, e: &crate::Error) -> Result<(), String> {
    let m = e.to_string();
    let t = m.trim_end();
    if t.is_empty() || t.ends_with(':') {
        return Err(format!("{what} gave an empty or truncated error message: {m:?}"));
    }
    Ok(())
}

/// The spec parser's property on any bytes (read as UTF-8, invalid sequences
/// replaced): no panic; an error says something; a spec that parses writes
/// JSON that parses back to the same spec.
pub fn check_spec_on(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let spec = match PipelineSpec::from_json(&text) {
        Ok(s) => s,
        Err(e) => return check_message("PipelineSpec::from_json", &e),
    };
    let json = spec.to_json();
    // Compared as JSON: a NaN parameter (OrdinalEncoder's encoded_missing_value) is not equal to itself.
    match PipelineSpec::from_json(&json) {
        Ok(back) if back == spec || back.to_json() == json => Ok(()),
        Ok(back) => Err(format!("the spec does not round-trip through its JSON: {spec:?} vs {back:?}")),
        Err(e) => Err(format!("the spec's own JSON does not parse back ({e}): {json}")),
    }
}

/// The rows the loaded model predicts: four per schema column, covering a
/// plain value, another value, an unseen or odd value and a missing cell.
pub fn probe_table(model: &ModelFile) -> crate::Result<crate::data::Table> {
    let schema: Vec<(String, ColumnType)> = model.pipeline.schema.iter().map(|s| (s.name.clone(), s.ty)).collect();
    let cells: Vec<Vec<Value>> = schema
        .iter()
        .map(|(_, ty)| match ty {
            ColumnType::Numeric => vec![Value::from(0.0), Value::from(1.5), Value::from(-1e6), Value::Null],
            ColumnType::Boolean => vec![Value::Bool(true), Value::Bool(false), Value::Null, Value::Bool(true)],
            ColumnType::Categorical => vec![Value::from("a"), Value::from("b"), Value::from("never seen"), Value::Null],
        })
        .collect();
    let cell = |i: usize, j: usize| cells.get(j).and_then(|c| c.get(i));
    crate::data::records::table_from_cells(&schema, 4, &cell, &crate::data::ReadOptions::default().missing_values)
}

/// The model loader's property on any bytes: no panic; an error says
/// something; a file that loads (size, UTF-8, JSON, validation) writes JSON
/// that loads back to the same model, can be inspected, and predicts a small
/// table ([`probe_table`]) without panicking — one output per row when it
/// predicts at all.
pub fn check_model_on(data: &[u8]) -> Result<(), String> {
    let model = match ModelFile::from_bytes(data) {
        Ok(m) => m,
        Err(e) => return check_message("ModelFile::from_bytes", &e),
    };
    let json = model.to_json().map_err(|e| format!("a loaded model does not serialise: {e}"))?;
    // Compared as JSON: a metric that is not a number (NaN, written as null) is not equal to itself.
    match ModelFile::from_json(&json).and_then(|back| back.to_json()) {
        Ok(again) if again == json => {}
        Ok(_) => return Err("the model does not round-trip through its JSON".into()),
        Err(e) => return Err(format!("the model's own JSON does not load back: {e}")),
    }
    let _ = crate::inspect::inspect_pipeline(&model.pipeline, model.spec.model.name());
    let table = probe_table(&model).map_err(|e| format!("the probe table does not build from the schema: {e}"))?;
    match model.pipeline.predict(&table) {
        Ok(p) => {
            let n = p.labels().len();
            if n != table.n_rows {
                return Err(format!("{n} predictions for {} rows", table.n_rows));
            }
            if let Err(e) = model.pipeline.predictions_csv(&table) {
                return Err(format!("predict succeeded but writing its CSV failed: {e}"));
            }
        }
        Err(e) => check_message("predict", &e)?,
    }
    Ok(())
}
