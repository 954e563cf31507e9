//! A spec as a flat list of named parameters, for experiment tracking (MLflow's
//! `log-batch`, the page's run history and its "compare" view).
//!
//! Names are the parameter paths the search uses ([`super::search::apply_params`]
//! resolves every `…__<param>` name this module gives back), so a logged run and a
//! search over it speak the same language:
//! - `model` — the model's class; `model__C` — its parameters;
//! - `steps` — the top-level step classes in order; `PolynomialFeatures__degree` —
//!   a parameter of the first step of that class, `PolynomialFeatures_1__degree` of the second;
//! - `preprocess__<branch>` — a ColumnTransformer branch's step classes (`passthrough`
//!   when it has none); `num__SimpleImputer__strategy` — a parameter of a step in branch `num`;
//! - `cv`, `cv__n_splits`, `random_state`, `holdout__test_size` — how the run was scored
//!   (not search paths: the search does not vary them).
//!
//! Values are text as MLflow stores parameters: strings as they are, everything else
//! as compact JSON (`1.0`, `true`, `null`, `[0.0,1.0]`). Every parameter of every
//! step appears, defaults included, as the spec serializes them.

use serde_json::Value;

use crate::pipeline::PipelineSpec;

/// The parameters of `spec` as (path, value) pairs, in spec order.
/// The spec's `search` block is not included (a search logs it separately).
pub fn spec_params(spec: &PipelineSpec) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // Serializing a spec cannot fail: every field is a plain struct, enum, number or string.
    let v = serde_json::to_value(spec).unwrap_or(Value::Null);
    if let Some((class, params)) = one_key(v.get("model")) {
        out.push(("model".to_string(), class.clone()));
        push_params(&mut out, "model", params);
    }
    if let Some(steps) = v.get("steps").and_then(Value::as_array) {
        out.push(("steps".to_string(), class_list(steps)));
        push_steps(&mut out, "", steps);
    }
    if let Some(branches) = v.pointer("/preprocess/transformers").and_then(Value::as_array) {
        for b in branches {
            let Some(name) = b.get("name").and_then(Value::as_str) else { continue };
            let steps = b.get("steps").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
            out.push((format!("preprocess__{name}"), class_list(steps)));
            push_steps(&mut out, &format!("{name}__"), steps);
        }
        if let Some(r) = v.pointer("/preprocess/remainder") {
            out.push(("preprocess__remainder".to_string(), text(r)));
        }
    }
    if let Some((class, params)) = one_key(v.get("cv")) {
        out.push(("cv".to_string(), class.clone()));
        push_params(&mut out, "cv", params);
    }
    if let Some(h) = v.get("holdout").and_then(Value::as_object) {
        for (k, val) in h {
            out.push((format!("holdout__{k}"), text(val)));
        }
    }
    if let Some(r) = v.get("random_state") {
        out.push(("random_state".to_string(), text(r)));
    }
    out
}

/// The spec's `search` block as `search` (its class, e.g. `GridSearchCV`) and `search__<field>`
/// (`search__param_grid` as compact JSON): what a search's parent run logs beside [`spec_params`].
pub fn search_params(spec: &PipelineSpec) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(search) = &spec.search else { return out };
    // Serializing a search spec cannot fail (maps with string keys, numbers, strings).
    let v = serde_json::to_value(search).unwrap_or(Value::Null);
    if let Some((class, params)) = one_key(Some(&v)) {
        out.push(("search".to_string(), class.clone()));
        push_params(&mut out, "search", params);
    }
    out
}

/// The values of a parameter set (a search candidate's `{path: value}`) as text, as [`spec_params`] writes them.
pub fn param_text(value: &Value) -> String {
    text(value)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `{"Class": {params}}` → (Class, params).
fn one_key(v: Option<&Value>) -> Option<(&String, &Value)> {
    let obj = v?.as_object()?;
    if obj.len() != 1 {
        return None;
    }
    obj.iter().next()
}

fn push_params(out: &mut Vec<(String, String)>, prefix: &str, params: &Value) {
    if let Some(p) = params.as_object() {
        for (k, val) in p {
            out.push((format!("{prefix}__{k}"), text(val)));
        }
    }
}

fn class_list(steps: &[Value]) -> String {
    let names: Vec<&str> = steps.iter().filter_map(|s| one_key(Some(s)).map(|(c, _)| c.as_str())).collect();
    if names.is_empty() {
        "passthrough".to_string()
    } else {
        names.join(", ")
    }
}

/// Steps named as `find_step` in search.rs finds them: the class, then `Class_k` for the k-th repeat.
fn push_steps(out: &mut Vec<(String, String)>, prefix: &str, steps: &[Value]) {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for s in steps {
        let Some((class, params)) = one_key(Some(s)) else { continue };
        let k = match seen.iter_mut().find(|(c, _)| c.eq_ignore_ascii_case(class)) {
            Some((_, n)) => {
                *n += 1;
                *n - 1
            }
            None => {
                seen.push((class.clone(), 1));
                0
            }
        };
        let name = if k == 0 { format!("{prefix}{class}") } else { format!("{prefix}{class}_{k}") };
        push_params(out, &name, params);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selection::search::{apply_params, ParamSet};

    const SPEC: &str = r#"{
      "target": "y",
      "preprocess": {"transformers": [
        {"name": "num", "columns": {"dtype": "numeric"}, "steps": [{"SimpleImputer": {"strategy": "median"}}, {"StandardScaler": {}}]},
        {"name": "flags", "columns": {"dtype": "boolean"}}
      ]},
      "steps": [{"PolynomialFeatures": {"degree": 3}}, {"PolynomialFeatures": {"degree": 2}}, {"MaxAbsScaler": {}}],
      "model": {"LogisticRegression": {"C": 0.5}},
      "cv": {"KFold": {"n_splits": 4}},
      "random_state": 7
    }"#;

    fn get<'a>(p: &'a [(String, String)], k: &str) -> &'a str {
        p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no parameter {k}: {p:?}"))
    }

    #[test]
    fn names_follow_the_search_paths() {
        let spec = PipelineSpec::from_json(SPEC).unwrap();
        let p = spec_params(&spec);
        assert_eq!(get(&p, "model"), "LogisticRegression");
        assert_eq!(get(&p, "model__C"), "0.5");
        assert_eq!(get(&p, "model__penalty"), "l2");
        assert_eq!(get(&p, "model__class_weight"), "null");
        assert_eq!(get(&p, "steps"), "PolynomialFeatures, PolynomialFeatures, MaxAbsScaler");
        assert_eq!(get(&p, "PolynomialFeatures__degree"), "3");
        assert_eq!(get(&p, "PolynomialFeatures_1__degree"), "2");
        assert_eq!(get(&p, "num__SimpleImputer__strategy"), "median");
        assert_eq!(get(&p, "num__StandardScaler__with_mean"), "true");
        assert_eq!(get(&p, "preprocess__num"), "SimpleImputer, StandardScaler");
        assert_eq!(get(&p, "preprocess__flags"), "passthrough");
        assert_eq!(get(&p, "cv"), "KFold");
        assert_eq!(get(&p, "cv__n_splits"), "4");
        assert_eq!(get(&p, "random_state"), "7");
        let names: std::collections::HashSet<&str> = p.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.len(), p.len(), "names are unique");
    }

    #[test]
    fn every_step_parameter_path_resolves_in_the_search() {
        // Setting each logged parameter back through the search's resolver with its
        // own logged value must give the same spec: the names are real paths.
        let spec = PipelineSpec::from_json(SPEC).unwrap();
        let p = spec_params(&spec);
        let mut checked = 0;
        for (name, value) in &p {
            let parts = name.split("__").count();
            if parts < 2 || name.starts_with("cv__") || name.starts_with("preprocess__") || name.starts_with("holdout__") {
                continue;
            }
            let json: Value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.clone()));
            let set: ParamSet = [(name.clone(), json)].into_iter().collect();
            let back = apply_params(&spec, &set).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(back, spec, "{name}");
            checked += 1;
        }
        assert!(checked > 10, "{checked}");
    }

    #[test]
    fn the_search_block_is_logged_apart() {
        let mut v: Value = serde_json::from_str(SPEC).unwrap();
        v["search"] = serde_json::json!({"GridSearchCV": {"param_grid": {"model__C": [0.1, 1.0]}}});
        let spec = PipelineSpec::from_json(&v.to_string()).unwrap();
        assert!(spec_params(&spec).iter().all(|(n, _)| !n.starts_with("search")));
        let s = search_params(&spec);
        assert_eq!(get(&s, "search"), "GridSearchCV");
        assert_eq!(get(&s, "search__param_grid"), r#"{"model__C":[0.1,1.0]}"#);
    }

    #[test]
    fn a_changed_parameter_shows_under_its_path() {
        let spec = PipelineSpec::from_json(SPEC).unwrap();
        let set: ParamSet =
            [("num__SimpleImputer__strategy".to_string(), Value::from("mean")), ("model__C".to_string(), Value::from(2.0))].into_iter().collect();
        let p = spec_params(&apply_params(&spec, &set).unwrap());
        assert_eq!(get(&p, "num__SimpleImputer__strategy"), "mean");
        assert_eq!(get(&p, "model__C"), "2.0");
    }
}
