//! Spec errors name the path of the offending field, in the words serde_path_to_error used
//! (`a.b[2].c`; "(top level)"), now written by `pipeline/value_de.rs` (bench/HISTORY.md,
//! Session 10): the field, the step or model, the branch, the model file's field.

use pipelab::persist::ModelFile;
use pipelab::pipeline::PipelineSpec;

fn err(spec: &str) -> String {
    PipelineSpec::from_json(spec).unwrap_err().to_string()
}

#[test]
fn spec_errors_name_the_field_path() {
    let cases = [
        (r#"{"model":{"LogisticRegression":{"C":"x"}}}"#, r#"spec model.LogisticRegression.C: invalid type: string "x", expected f64"#),
        (r#"{"model":{"LogisticRegression":{"Cc":1}}}"#, "spec model.LogisticRegression.Cc: unknown field `Cc`, expected one of"),
        (r#"{"model":{"Nope":{}}}"#, "spec model: unknown variant `Nope`, expected one of"),
        (r#"{"model":{}}"#, "spec model: invalid value: map, expected map with a single key"),
        (r#"{"model":3}"#, "spec model: invalid type: integer `3`, expected string or map"),
        (r#"{"steps":[]}"#, "spec (top level): missing field `model`"),
        (r#"{"model":{"Ridge":{}},"extra":1}"#, "spec extra: unknown field `extra`, expected one of"),
        (r#"{"steps":[{"StandardScaler":{}},{"PCA":{"n_components":"a"}}],"model":{"Ridge":{}}}"#, "spec steps[1].PCA.n_components: "),
        (r#"{"steps":{},"model":{"Ridge":{}}}"#, "spec steps: invalid type: map, expected a sequence"),
        (
            r#"{"preprocess":{"transformers":[{"name":"a","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{"strategy":1}}]}]},"model":{"Ridge":{}}}"#,
            "spec preprocess.transformers[0].steps[0].SimpleImputer.strategy: invalid type: integer `1`",
        ),
        (r#"{"preprocess":{"transformers":[{"columns":{"dtype":"numeric"}}]},"model":{"Ridge":{}}}"#, "spec preprocess.transformers[0]: missing field `name`"),
        (r#"{"types":{"a":"text"},"model":{"Ridge":{}}}"#, "spec types.a: unknown variant `text`"),
        (r#"{"model":{"Ridge":{}},"cv":{"KFold":{"n_splits":"5"}}}"#, "spec cv.KFold.n_splits: invalid type: string \"5\""),
        // A struct is an object: serde_json would also take an array of its fields, `value_de` does not
        // (no derived struct's sequence visitor in the page's first module, bench/HISTORY.md Session 11).
        (r#"{"model":{"Ridge":[1.0]}}"#, "spec model.Ridge: invalid type: sequence, expected struct"),
        (r#"{"model":{"Ridge":{}},"holdout":[0.2]}"#, "spec holdout: invalid type: sequence, expected struct HoldoutSpec"),
    ];
    for (spec, want) in cases {
        let e = err(spec);
        assert!(e.starts_with(want), "{spec}\n got: {e}\nwant: {want}");
    }
    // A syntax error names line and column, as before.
    assert!(err("{\"model\":").starts_with("spec (top level): EOF while parsing"), "{}", err("{\"model\":"));
}

#[test]
fn model_file_errors_name_the_field_path() {
    let spec = r#"{"target":"y","model":{"LinearRegression":{}}}"#;
    let (t, _) = pipelab::data::read_csv(b"x,y\n1,2\n2,4\n3,6.5\n4,8\n", &Default::default()).unwrap();
    let m = pipelab::api::fit_model(&t, spec, None).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&m.to_json().unwrap()).unwrap();
    v["spec"]["model"]["LinearRegression"]["fit_intercept"] = "yes".into();
    let e = ModelFile::from_json(&v.to_string()).unwrap_err().to_string();
    assert!(e.starts_with("model file: field 'spec.model.LinearRegression.fit_intercept': invalid type: string \"yes\", expected a boolean"), "{e}");
}

/// A branch's columns as a plain list of names, as scikit-learn's ColumnTransformer takes them,
/// is the selector `{"names": [...]}`; a list that is not of names is still refused with its path.
#[test]
fn a_list_of_columns_is_a_names_selector() {
    let spec = |columns: &str| {
        format!(
            r#"{{"preprocess":{{"transformers":[{{"name":"n","columns":{{"dtype":"numeric"}}}},{{"name":"c","columns":{columns},"steps":[{{"OneHotEncoder":{{}}}}]}}]}},"model":{{"Ridge":{{}}}}}}"#
        )
    };
    let listed = PipelineSpec::from_json(&spec(r#"["city", "zone"]"#)).unwrap();
    assert_eq!(listed, PipelineSpec::from_json(&spec(r#"{"names": ["city", "zone"]}"#)).unwrap());
    assert!(listed.to_json().contains(r#""names": ["#), "{}", listed.to_json());
    let e = err(&spec("[1, 2]"));
    assert!(e.starts_with("spec preprocess.transformers[1].columns.names[0]: invalid type: integer `1`, expected a string"), "{e}");
}
