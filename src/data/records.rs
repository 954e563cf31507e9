//! JSON rows → [`Table`], for the scoring server's `dataframe_split` /
//! `dataframe_records` bodies. The column types are given (a model's training
//! schema), so nothing is inferred: a cell either fits its column's type or is
//! refused with an error naming its row and column.
//!
//! Cells are read with the CSV reader's rules, so a request scores exactly as
//! the same rows in a CSV file given to `pipelab predict`: numbers may also come
//! as strings (`"5.1"`), the missing tokens (`""`, `"NA"`, ... see
//! [`DEFAULT_MISSING`](super::DEFAULT_MISSING)) and `null` are missing, strings
//! are trimmed, booleans are `true`/`false` (or the reader's vocabularies and 0/1).

use std::collections::HashMap;

use serde_json::Value;

use super::read::parse_number;
use super::table::{CatData, Column, ColumnData, ColumnType, Table, MISSING_CODE};
use crate::{Error, Result};

/// Builds a table with one column per `(name, type)` in `columns`, taking each
/// row's cells from `cell(row, column_index)`. `missing` are the missing tokens.
/// Rows are numbered from 1 in messages.
pub fn table_from_cells<'v>(
    columns: &[(String, ColumnType)],
    n_rows: usize,
    cell: &dyn Fn(usize, usize) -> Option<&'v Value>,
    missing: &[String],
) -> Result<Table> {
    let missing: Vec<&str> = missing.iter().map(|s| s.trim()).collect();
    let is_missing = |s: &str| missing.contains(&s);
    let mut out = Vec::with_capacity(columns.len());
    for (j, (name, ty)) in columns.iter().enumerate() {
        let bad = |i: usize, v: &Value, want: &str| Error::column(name, format!("row {} holds {} but the model reads this column as {want}", i + 1, shown(v)));
        let data = match ty {
            ColumnType::Numeric => {
                let mut v = Vec::with_capacity(n_rows);
                for i in 0..n_rows {
                    let x = match cell(i, j) {
                        None | Some(Value::Null) => f64::NAN,
                        Some(Value::Number(n)) => n.as_f64().ok_or_else(|| bad(i, &Value::Number(n.clone()), "numbers"))?,
                        Some(Value::String(s)) => {
                            let s = s.trim();
                            if is_missing(s) || s.eq_ignore_ascii_case("nan") {
                                f64::NAN
                            } else {
                                parse_number(s).ok_or_else(|| bad(i, &Value::String(s.to_string()), "numbers"))?
                            }
                        }
                        Some(Value::Bool(b)) => return Err(bad(i, &Value::Bool(*b), "numbers")),
                        Some(other) => return Err(bad(i, other, "numbers")),
                    };
                    v.push(x);
                }
                ColumnData::Numeric(v.into())
            }
            ColumnType::Boolean => {
                let mut v = Vec::with_capacity(n_rows);
                for i in 0..n_rows {
                    let x = match cell(i, j) {
                        None | Some(Value::Null) => f64::NAN,
                        Some(Value::Bool(b)) => *b as u8 as f64,
                        Some(Value::Number(n)) if n.as_f64() == Some(0.0) || n.as_f64() == Some(1.0) => n.as_f64().unwrap_or(0.0),
                        Some(Value::String(s)) => {
                            let s = s.trim();
                            if is_missing(s) {
                                f64::NAN
                            } else {
                                match s.to_ascii_lowercase().as_str() {
                                    "true" | "yes" | "t" | "1" => 1.0,
                                    "false" | "no" | "f" | "0" => 0.0,
                                    _ => return Err(bad(i, &Value::String(s.to_string()), "booleans (true/false, yes/no, t/f, 1/0)")),
                                }
                            }
                        }
                        Some(other) => return Err(bad(i, other, "booleans (true/false, yes/no, t/f, 1/0)")),
                    };
                    v.push(x);
                }
                ColumnData::Boolean { values: v.into(), tokens: ["false".into(), "true".into()] }
            }
            ColumnType::Categorical => {
                let mut index: HashMap<String, u32> = HashMap::new();
                let mut c = CatData { codes: Vec::with_capacity(n_rows), levels: Vec::new() };
                for i in 0..n_rows {
                    let text: Option<String> = match cell(i, j) {
                        None | Some(Value::Null) => None,
                        Some(Value::String(s)) => Some(s.trim().to_string()),
                        // A category written as a number or boolean: its JSON text, as a CSV would hold it.
                        Some(Value::Number(n)) => Some(n.to_string()),
                        Some(Value::Bool(b)) => Some(if *b { "True" } else { "False" }.to_string()),
                        Some(other) => return Err(bad(i, other, "categories (strings)")),
                    };
                    match text.filter(|s| !is_missing(s)) {
                        None => c.codes.push(MISSING_CODE),
                        Some(s) => {
                            let next = c.levels.len() as u32;
                            let code = *index.entry(s.clone()).or_insert_with(|| {
                                c.levels.push(s);
                                next
                            });
                            c.codes.push(code);
                        }
                    }
                }
                ColumnData::Categorical(c)
            }
        };
        out.push(Column { name: name.clone(), data });
    }
    Table::new(out)
}

/// A JSON value as a message shows it (short).
fn shown(v: &Value) -> String {
    let s = match v {
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
        other => crate::error::json_text(other),
    };
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn build(cols: &[(&str, ColumnType)], rows: Value) -> Result<Table> {
        let cols: Vec<(String, ColumnType)> = cols.iter().map(|(n, t)| (n.to_string(), *t)).collect();
        let rows = rows.as_array().unwrap().clone();
        let missing: Vec<String> = crate::data::DEFAULT_MISSING.iter().map(|s| s.to_string()).collect();
        table_from_cells(&cols, rows.len(), &|i, j| rows[i].get(j), &missing)
    }

    #[test]
    fn reads_each_type_and_missing() {
        let t = build(
            &[("x", ColumnType::Numeric), ("c", ColumnType::Categorical), ("b", ColumnType::Boolean)],
            json!([[1.5, "a", true], ["2", " b ", "no"], [null, "NA", null], ["nan", 3, 1]]),
        )
        .unwrap();
        assert_eq!(t.n_rows, 4);
        match &t.columns[0].data {
            ColumnData::Numeric(v) => assert!(v[0] == 1.5 && v[1] == 2.0 && v[2].is_nan() && v[3].is_nan()),
            d => panic!("{d:?}"),
        }
        assert_eq!(t.columns[1].data.display(1).as_deref(), Some("b"));
        assert!(t.columns[1].data.is_missing(2));
        assert_eq!(t.columns[1].data.display(3).as_deref(), Some("3"));
        match &t.columns[2].data {
            ColumnData::Boolean { values, .. } => assert!(values[0] == 1.0 && values[1] == 0.0 && values[2].is_nan() && values[3] == 1.0),
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn names_row_and_column_at_fault() {
        let e = build(&[("x", ColumnType::Numeric)], json!([[1], ["abc"]])).unwrap_err().to_string();
        assert!(e.contains("'x'") && e.contains("row 2") && e.contains("\"abc\""), "{e}");
        let e = build(&[("x", ColumnType::Numeric)], json!([[true]])).unwrap_err().to_string();
        assert!(e.contains("row 1") && e.contains("true"), "{e}");
        let e = build(&[("b", ColumnType::Boolean)], json!([[0], [7]])).unwrap_err().to_string();
        assert!(e.contains("'b'") && e.contains("row 2"), "{e}");
        let e = build(&[("c", ColumnType::Categorical)], json!([[[1, 2]]])).unwrap_err().to_string();
        assert!(e.contains("a list"), "{e}");
    }
}
