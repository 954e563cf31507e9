//! The layer rule of ARCHITECTURE.md, checked on the source: every `crate::X`
//! path in a module of layer L names a module of layer ≤ L. A new top-level
//! module must be given its layer here (the test fails on an unknown one), so
//! the map in ARCHITECTURE.md and this table stay one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules of `src/` by layer, lowest first (ARCHITECTURE.md, "Layers").
const LAYERS: &[&[&str]] = &[
    &["error", "sorting", "numeric", "parallel"],
    &["data", "frame", "estimator", "linalg", "split"],
    &["preprocess", "features", "models"],
    &["metrics"],
    &["pipeline", "persist", "inspect"],
    &["export"],
    &["selection"],
    &["monitor"],
    &["api"],
    // The shells: the wasm boundary and the CLI's own modules (src/cli/, declared by main.rs).
    &["wasm", "cli"],
];

/// Allowed upward imports, each with its reason.
const EXCEPTIONS: &[(&str, &str, &str)] =
    &[("src/features/selection.rs", "pipeline", "SelectFromModel holds the spec of the model it fits (a ModelSpec from the registry)")];

fn layer_of() -> BTreeMap<&'static str, usize> {
    LAYERS.iter().enumerate().flat_map(|(i, ms)| ms.iter().map(move |m| (*m, i))).collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None` for the crate roots).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    match first.as_str() {
        "lib.rs" | "main.rs" => None,
        f => Some(f.trim_end_matches(".rs").to_string()),
    }
}

fn ident(s: &str) -> String {
    s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

/// Every `crate::NAME` in the code of `text` (comments left out), with its line number.
fn crate_refs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let names: Vec<String> = match after.strip_prefix('{') {
                // `crate::{Error, Result}` or `crate::{data::Table, pipeline}`: each item's first segment.
                Some(list) => list.split('}').next().unwrap_or("").split(',').map(|item| ident(item.trim())).collect(),
                None => vec![ident(after)],
            };
            for name in names {
                match name.as_str() {
                    "" => {}
                    "Error" | "Result" => out.push((n + 1, "error".to_string())),
                    _ => out.push((n + 1, name)),
                }
            }
            rest = after;
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let layers = layer_of();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    let mut unknown = Vec::new();
    let mut refs_seen = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src/");
        let Some(module) = module_of(rel) else { continue };
        let Some(&own) = layers.get(module.as_str()) else {
            unknown.push(format!("src/{}: module '{module}' has no layer in tests/library/layers.rs", rel.display()));
            continue;
        };
        let text = std::fs::read_to_string(f).expect("source is UTF-8");
        let shown = format!("src/{}", rel.display());
        for (line, target) in crate_refs(&text) {
            refs_seen += 1;
            let Some(&theirs) = layers.get(target.as_str()) else {
                // `crate::` inside the CLI's own modules means the binary crate; anything else is unknown.
                if module != "cli" {
                    unknown.push(format!("{shown}:{line}: crate::{target} has no layer in tests/library/layers.rs"));
                }
                continue;
            };
            if theirs > own && !EXCEPTIONS.iter().any(|(p, t, _)| *p == shown && *t == target) {
                upward.push(format!("{shown}:{line}: {module} (layer {own}) imports crate::{target} (layer {theirs})"));
            }
        }
    }
    assert!(refs_seen > 100, "the scan found only {refs_seen} crate:: paths; is it reading the sources?");
    assert!(unknown.is_empty(), "modules without a layer:\n{}", unknown.join("\n"));
    assert!(upward.is_empty(), "{} upward import(s):\n{}", upward.len(), upward.join("\n"));
}

#[test]
fn the_scan_sees_what_it_must() {
    let refs = crate_refs("use crate::{Error, data::Table};\nuse crate::pipeline::x; // crate::api\nlet a = crate::numeric::argmax(&v);");
    let names: Vec<&str> = refs.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["error", "data", "pipeline", "numeric"]);
    let layers = layer_of();
    assert!(layers["pipeline"] > layers["models"] && layers["api"] > layers["selection"]);
}
