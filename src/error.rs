//! One error type for the whole core. Every message names what is at fault
//! (row, column, field, parameter) and, where useful, what to do about it.
//! Nothing in the core panics on user data: fallible paths return [`Result`].

use thiserror::Error;

/// The crate-wide result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// The CSV could not be read. `line` is 1-based as a text editor counts it.
    #[error("CSV line {line}: {message}")]
    CsvLine { line: u64, message: String },
    /// The CSV as a whole is unusable (empty, binary, too large...).
    #[error("CSV: {0}")]
    Csv(String),
    /// A column's content does not fit what was asked of it.
    #[error("column '{column}': {message}")]
    Column { column: String, message: String },
    /// The pipeline spec is malformed or inconsistent. `path` locates the field.
    #[error("spec {path}: {message}")]
    Spec { path: String, message: String },
    /// A step or model parameter is out of range.
    #[error("{estimator}: parameter '{param}' {message}")]
    Param { estimator: String, param: String, message: String },
    /// The data cannot be used for the requested fit (one class, too few rows...).
    #[error("{0}")]
    Data(String),
    /// A model file is malformed, from a newer format, or inconsistent.
    #[error("model file: {0}")]
    ModelFile(String),
    /// A numerical routine failed (singular matrix, no convergence where it is fatal).
    #[error("numerical: {0}")]
    Numerical(String),
    /// A Parquet, SQLite, Excel or JSON file could not be read. `place` locates
    /// the fault (row group, sheet, row, column, field), or is empty.
    #[error("{format}{}: {message}", at(.place))]
    Format { format: String, place: String, message: String },
    /// The user cancelled a long-running operation.
    #[error("cancelled")]
    Cancelled,
    /// A spec names a model this build leaves out (the page's first module, built without the
    /// `full-components` feature): the page moves the session to its full module and asks again.
    #[error("{0} is in the page's full module")]
    NeedFull(String),
}

impl Error {
    pub fn column(column: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Column { column: column.into(), message: message.into() }
    }
    pub fn spec(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Spec { path: path.into(), message: message.into() }
    }
    pub fn param(estimator: &str, param: &str, message: impl Into<String>) -> Self {
        Error::Param { estimator: estimator.into(), param: param.into(), message: message.into() }
    }
    pub fn format(format: &str, place: &str, message: impl Into<String>) -> Self {
        Error::Format { format: format.into(), place: place.into(), message: message.into() }
    }
    pub fn data(message: impl Into<String>) -> Self {
        Error::Data(message.into())
    }
}

fn at(place: &str) -> String {
    if place.is_empty() {
        String::new()
    } else {
        format!(" {place}")
    }
}

/// A value as compact JSON text, for messages: the text `Value`'s `Display` writes (`{v}`), which
/// links serde_json's compact and pretty writers to a formatter (≈ 4 KB of the first module) for
/// what this one writer does. Writing a `Value` to a `String` cannot fail (its keys are strings).
pub(crate) fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn json_text_writes_what_display_writes() {
        let texts = [
            "null",
            "true",
            "0",
            "-7",
            "18446744073709551615",
            "-9223372036854775808",
            "1.5",
            "-2.5e-300",
            "1e21",
            "0.1",
            r#""plain""#,
            r#""q\"uo\\te\n\u0001é\u2028""#,
            "[]",
            "{}",
            r#"[1, "a", [null, {"b": 2.25}]]"#,
            r#"{"z": 1, "a": {"nested": [true, false]}, "m": "x\ty"}"#,
        ];
        for t in texts {
            let v: Value = serde_json::from_str(t).unwrap();
            assert_eq!(json_text(&v), v.to_string(), "{t}");
            assert_eq!(json_text(&v), format!("{v}"), "{t}");
        }
    }
}
