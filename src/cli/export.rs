//! `pipelab export --model MODEL.json --format onnx --out MODEL.onnx`: writes a fitted
//! pipeline in a format other tools run. The format is one match arm each.

use crate::{need, parse_flags, read_text, Failure};
use pipelab::api;
use pipelab::persist::ModelFile;

pub fn run(rest: &[String]) -> Result<(), Failure> {
    let f = parse_flags(rest, &["model", "spec", "format", "out"], &[])?;
    let format = need(&f, "format")?;
    let out = need(&f, "out")?;
    let bytes: Vec<u8> = match format {
        "onnx" => {
            if f.contains_key("spec") {
                return Err(Failure::Usage("--format onnx exports a fitted model: give --model MODEL.json, not --spec".into()));
            }
            let model = ModelFile::from_json(&read_text(need(&f, "model")?)?)?;
            api::export_onnx(&model)?
        }
        other => return Err(Failure::Usage(format!("--format {other:?} is not supported (formats: onnx)"))),
    };
    std::fs::write(out, bytes).map_err(|e| Failure::Run(format!("cannot write {out}: {e}")))?;
    Ok(())
}
