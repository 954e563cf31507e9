//! JSON Lines (one record per line), a JSON array of records, or pandas'
//! `orient="split"` (`{"columns": [...], "data": [[...], ...]}`) → columns.
//! Records are flat: a nested object or array is refused with its record and field.
//! Columns are in first-seen key order; a key a record lacks is a missing cell.

use std::collections::HashMap;

use serde::de::{MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::cells::{Cell, Columns};
use crate::{Error, Result};

/// A JSON object with its keys in file order.
struct Record(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object (one record)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> std::result::Result<Record, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = m.next_entry::<String, Value>()? {
                    v.push((k, x));
                }
                Ok(Record(v))
            }
        }
        d.deserialize_map(V)
    }
}

fn syntax(e: serde_json::Error) -> Error {
    Error::format("JSON", &format!("line {}, column {}", e.line(), e.column()), strip_position(&e.to_string()))
}

/// serde_json appends " at line L column C"; the place already says it.
fn strip_position(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(k) => m[..k].to_string(),
        None => m.to_string(),
    }
}

fn shown(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "a nested object",
        _ => "an array",
    }
}

fn cell<'a>(v: &'a Value, place: impl Fn() -> String) -> Result<Cell<'a>> {
    Ok(match v {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(k), _) => Cell::Int(k),
            (None, Some(k)) => Cell::UInt(k),
            _ => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Cell::Text(s),
        Value::Array(_) | Value::Object(_) => {
            return Err(Error::format(
                "JSON",
                &place(),
                format!("holds {}; only flat records (numbers, text, true/false, null) can be read — flatten it first (e.g. pandas.json_normalize)", shown(v)),
            ))
        }
    })
}

pub(super) fn read(bytes: &[u8]) -> Result<Columns> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match first {
        None => Err(Error::format("JSON", "", "the file is empty")),
        Some(b'[') => {
            let records: Vec<Record> = serde_json::from_slice(bytes).map_err(syntax)?;
            from_records(records.into_iter().map(|r| (r, None)).collect())
        }
        Some(b'{') => {
            let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Record>();
            let mut records = Vec::new();
            let mut line = 1usize;
            let mut offset = 0usize;
            // Not a `for`: the loop asks the stream for its byte offset after each record.
            #[allow(clippy::while_let_on_iterator)]
            while let Some(r) = stream.next() {
                let r = r.map_err(syntax)?;
                // The line the record starts on (after the whitespace before it).
                let skipped = bytes[offset..].iter().take_while(|b| b.is_ascii_whitespace()).collect::<Vec<_>>();
                line += skipped.iter().filter(|&&&b| b == b'\n').count();
                let start_line = line;
                let end = stream.byte_offset();
                line += bytes[offset + skipped.len()..end].iter().filter(|&&b| b == b'\n').count();
                offset = end;
                records.push((r, Some(start_line)));
            }
            if records.len() == 1 && is_split(&records[0].0) {
                return from_split(records.pop().map(|r| r.0).unwrap_or(Record(Vec::new())));
            }
            from_records(records)
        }
        Some(_) => Err(Error::format("JSON", "line 1", "expected an array of records, JSON Lines records or {\"columns\", \"data\"}")),
    }
}

fn is_split(r: &Record) -> bool {
    r.0.iter().any(|(k, v)| k == "columns" && v.is_array()) && r.0.iter().any(|(k, v)| k == "data" && v.is_array())
}

fn from_records(records: Vec<(Record, Option<usize>)>) -> Result<Columns> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    for (r, _) in &records {
        for (k, _) in &r.0 {
            if !index.contains_key(k.as_str()) {
                index.insert(k, names.len());
                names.push(k.clone());
            }
        }
    }
    let mut out = Columns::new(names.clone());
    let mut row: Vec<Cell> = vec![Cell::Null; names.len()];
    for (i, (r, line)) in records.iter().enumerate() {
        row.iter_mut().for_each(|c| *c = Cell::Null);
        for (k, v) in &r.0 {
            let place = || match line {
                Some(l) => format!("record {} (line {l}), field '{k}'", i + 1),
                None => format!("record {}, field '{k}'", i + 1),
            };
            row[index[k.as_str()]] = cell(v, place)?;
        }
        for (j, c) in row.iter().enumerate() {
            out.push(j, *c);
        }
    }
    Ok(out)
}

fn from_split(r: Record) -> Result<Columns> {
    let mut columns = None;
    let mut data = None;
    for (k, v) in r.0 {
        match (k.as_str(), v) {
            ("columns", Value::Array(c)) => columns = Some(c),
            ("data", Value::Array(d)) => data = Some(d),
            _ => {}
        }
    }
    let (Some(columns), Some(data)) = (columns, data) else { return Err(Error::format("JSON", "", "expected \"columns\" and \"data\" arrays")) };
    let names: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(j, c)| match c {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(Error::format("JSON", &format!("columns[{j}]"), "a column name must be text")),
        })
        .collect::<Result<_>>()?;
    let mut out = Columns::new(names.clone());
    for (i, row) in data.iter().enumerate() {
        let Value::Array(cells) = row else { return Err(Error::format("JSON", &format!("data row {}", i + 1), "is not an array of cells")) };
        if cells.len() != names.len() {
            return Err(Error::format("JSON", &format!("data row {}", i + 1), format!("has {} cells for {} columns", cells.len(), names.len())));
        }
        for (j, v) in cells.iter().enumerate() {
            out.push(j, cell(v, || format!("data row {}, column '{}'", i + 1, names[j]))?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::read;

    fn csv(s: &str) -> String {
        read(s.as_bytes()).map(|c| c.into_csv().0).unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn the_three_shapes_give_the_same_csv() {
        let want = "b,a\n1,x\n2.5,\n";
        assert_eq!(csv("[{\"b\": 1, \"a\": \"x\"}, {\"b\": 2.5, \"a\": null}]"), want);
        assert_eq!(csv("{\"b\": 1, \"a\": \"x\"}\n{\"b\": 2.5}\n"), want);
        assert_eq!(csv("{\"columns\": [\"b\", \"a\"], \"index\": [0, 1], \"data\": [[1, \"x\"], [2.5, null]]}"), want);
    }

    #[test]
    fn nested_values_and_syntax_errors_are_located() {
        assert_eq!(
            csv("{\"a\": 1}\n\n{\"a\": 2, \"addr\": {\"city\": \"x\"}}\n"),
            "ERR JSON record 2 (line 3), field 'addr': holds a nested object; only flat records (numbers, text, true/false, null) can be read — flatten it first (e.g. pandas.json_normalize)"
        );
        assert!(csv("[{\"a\": [1]}]").starts_with("ERR JSON record 1, field 'a': holds an array"));
        assert!(csv("{\"columns\": [\"a\"], \"data\": [[{}]]}").starts_with("ERR JSON data row 1, column 'a': holds a nested object"));
        assert_eq!(csv("{\"a\": 1}\n{\"a\": }\n"), "ERR JSON line 2, column 7: expected value");
        assert!(csv("[1, 2]").starts_with("ERR JSON line 1, column 2: invalid type: integer `1`, expected a JSON object (one record)"), "{}", csv("[1, 2]"));
    }
}
