//! The readers' common output: columns of cells written as CSV text, with the
//! types the file gave them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::data::ColumnType;

/// One cell as a reader found it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    UInt(u64),
    /// NaN is written as a missing cell.
    Float(f64),
    Bool(bool),
    Text(&'a str),
}

/// What kinds of values a column held (only "booleans only" forces a type).
const SEEN_NUM: u8 = 1;
const SEEN_BOOL: u8 = 2;
const SEEN_TEXT: u8 = 4;

struct ColBuf {
    text: String,
    ends: Vec<usize>,
    seen: u8,
    declared: Option<ColumnType>,
}

/// Named columns filled cell by cell (row by row or column by column).
pub struct Columns {
    names: Vec<String>,
    cols: Vec<ColBuf>,
}

impl Columns {
    pub fn new(names: Vec<String>) -> Self {
        let cols = names.iter().map(|_| ColBuf { text: String::new(), ends: Vec::new(), seen: 0, declared: None }).collect();
        Columns { names, cols }
    }

    /// Sets column `j`'s type from the file's schema (Parquet): it is forced
    /// whatever the cells look like.
    pub fn declare(&mut self, j: usize, ty: ColumnType) {
        self.cols[j].declared = Some(ty);
    }

    pub fn n_rows(&self) -> usize {
        self.cols.first().map_or(0, |c| c.ends.len())
    }

    pub fn reserve(&mut self, j: usize, cells: usize, bytes: usize) {
        self.cols[j].ends.reserve(cells);
        self.cols[j].text.reserve(bytes);
    }

    /// Appends a cell to column `j`.
    pub fn push(&mut self, j: usize, cell: Cell<'_>) {
        let c = &mut self.cols[j];
        // Writing to a String cannot fail.
        let _ = match cell {
            Cell::Null => Ok(()),
            Cell::Int(k) => {
                c.seen |= SEEN_NUM;
                write!(c.text, "{k}")
            }
            Cell::UInt(k) => {
                c.seen |= SEEN_NUM;
                write!(c.text, "{k}")
            }
            Cell::Float(x) if x.is_nan() => Ok(()),
            Cell::Float(x) => {
                c.seen |= SEEN_NUM;
                // Shortest text that reads back as the same f64 ("5.1", "1e-7", "inf").
                write!(c.text, "{x:?}")
            }
            Cell::Bool(b) => {
                c.seen |= SEEN_BOOL;
                c.text.push_str(if b { "True" } else { "False" });
                Ok(())
            }
            Cell::Text(s) => {
                c.seen |= SEEN_TEXT;
                c.text.push_str(s);
                Ok(())
            }
        };
        c.ends.push(c.text.len());
    }

    /// CSV text (header row, comma, `\n`) and the types to force: a column's
    /// declared type, else boolean when every value was a boolean; numbers,
    /// text and mixes are left to the CSV reader's inference, as they would be
    /// for the CSV export.
    pub fn into_csv(self) -> (String, BTreeMap<String, ColumnType>) {
        let n = self.n_rows();
        let mut types = BTreeMap::new();
        for (name, c) in self.names.iter().zip(&self.cols) {
            // Numbers are left to the CSV reader's inference, as in the CSV
            // export: a column of 0 and 1 reads as boolean there too.
            let ty = c.declared.or(if c.seen == SEEN_BOOL { Some(ColumnType::Boolean) } else { None });
            if let Some(ty) = ty {
                types.insert(name.clone(), ty);
            }
        }
        let bytes: usize = self.cols.iter().map(|c| c.text.len() + c.ends.len()).sum();
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::with_capacity(bytes + bytes / 8 + 64));
        // Writing to a Vec cannot fail, and every field is UTF-8 text.
        let _ = w.write_record(&self.names);
        let mut row: Vec<&str> = Vec::with_capacity(self.cols.len());
        for i in 0..n {
            row.clear();
            for c in &self.cols {
                let start = if i == 0 { 0 } else { c.ends[i - 1] };
                row.push(&c.text[start..c.ends[i]]);
            }
            let _ = w.write_record(&row);
        }
        let bytes = w.into_inner().unwrap_or_default();
        // Every field pushed was a &str: the CSV bytes are UTF-8.
        (String::from_utf8(bytes).unwrap_or_default(), types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_csv_and_types() {
        let mut c = Columns::new(vec!["n".into(), "b".into(), "t".into(), "mix".into(), "decl".into()]);
        c.declare(4, ColumnType::Categorical);
        let rows: [[Cell; 5]; 3] = [
            [Cell::Int(1), Cell::Bool(true), Cell::Text("a \"q\""), Cell::Int(1), Cell::Text("7")],
            [Cell::Float(0.1), Cell::Null, Cell::Null, Cell::Text("x"), Cell::Null],
            [Cell::Float(f64::NAN), Cell::Bool(false), Cell::Text("line\nbreak"), Cell::Float(1e-7), Cell::Text("8")],
        ];
        for r in rows {
            for (j, cell) in r.into_iter().enumerate() {
                c.push(j, cell);
            }
        }
        assert_eq!(c.n_rows(), 3);
        let (csv, types) = c.into_csv();
        assert_eq!(csv, "n,b,t,mix,decl\n1,True,\"a \"\"q\"\"\",1,7\n0.1,,,x,\n,False,\"line\nbreak\",1e-7,8\n");
        assert_eq!(types.get("n"), None);
        assert_eq!(types.get("b"), Some(&ColumnType::Boolean));
        assert_eq!(types.get("t"), None);
        assert_eq!(types.get("mix"), None);
        assert_eq!(types.get("decl"), Some(&ColumnType::Categorical));
    }
}
