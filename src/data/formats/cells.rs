//! The readers' common output: columns of cells with the types the file gave
//! them, written as CSV text ([`Columns::into_csv`]) or read straight into a
//! table ([`Columns::into_table`]) that is the same as the CSV text would give.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::data::read::{infinite_warning, parse_number, CellRef, InfiniteValues};
use crate::data::table::{Column, ColumnData};
use crate::data::{read_csv, ColumnType, ReadOptions, ReadReport, Table};
use crate::Result;

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

/// A cell of a column that has held only numbers and nulls so far, kept typed:
/// its text is written only if the column is written as CSV.
#[derive(Debug, Clone, Copy)]
enum Num {
    Null,
    Int(i64),
    UInt(u64),
    Float(f64),
}

impl Num {
    /// The cell's CSV text, as [`Columns::push`] writes it.
    fn write(self, out: &mut String) {
        // Writing to a String cannot fail.
        let _ = match self {
            Num::Null => Ok(()),
            Num::Float(x) if x.is_nan() => Ok(()),
            Num::Int(k) => write!(out, "{k}"),
            Num::UInt(k) => write!(out, "{k}"),
            // Shortest text that reads back as the same f64 ("5.1", "1e-7", "inf").
            Num::Float(x) => write!(out, "{x:?}"),
        };
    }
}

/// What kinds of values a column held (only "booleans only" forces a type).
const SEEN_NUM: u8 = 1;
const SEEN_BOOL: u8 = 2;
const SEEN_TEXT: u8 = 4;

struct ColBuf {
    /// `Some` while the column has held only numbers and nulls and has no declared type.
    nums: Option<Vec<Num>>,
    text: String,
    ends: Vec<usize>,
    seen: u8,
    declared: Option<ColumnType>,
}

impl ColBuf {
    /// Turns the typed cells into text (the column is getting a non-number, or a declared type).
    fn make_text(&mut self) {
        if let Some(nums) = self.nums.take() {
            self.ends.reserve(nums.len());
            for n in nums {
                n.write(&mut self.text);
                self.ends.push(self.text.len());
            }
        }
    }
    fn len(&self) -> usize {
        self.nums.as_ref().map_or(self.ends.len(), Vec::len)
    }
    /// Cell `i`'s CSV text, into `scratch` for a typed cell.
    fn cell<'s>(&'s self, i: usize, scratch: &'s mut String) -> &'s str {
        match &self.nums {
            Some(nums) => {
                scratch.clear();
                nums[i].write(scratch);
                scratch
            }
            None => &self.text[if i == 0 { 0 } else { self.ends[i - 1] }..self.ends[i]],
        }
    }
}

/// Named columns filled cell by cell (row by row or column by column).
pub struct Columns {
    names: Vec<String>,
    cols: Vec<ColBuf>,
}

impl Columns {
    pub fn new(names: Vec<String>) -> Self {
        let cols = names.iter().map(|_| ColBuf { nums: Some(Vec::new()), text: String::new(), ends: Vec::new(), seen: 0, declared: None }).collect();
        Columns { names, cols }
    }

    /// Sets column `j`'s type from the file's schema (Parquet): it is forced
    /// whatever the cells look like.
    pub fn declare(&mut self, j: usize, ty: ColumnType) {
        self.cols[j].make_text();
        self.cols[j].declared = Some(ty);
    }

    pub fn n_rows(&self) -> usize {
        self.cols.first().map_or(0, ColBuf::len)
    }

    pub fn reserve(&mut self, j: usize, cells: usize, bytes: usize) {
        let c = &mut self.cols[j];
        match &mut c.nums {
            Some(nums) => nums.reserve(cells),
            None => {
                c.ends.reserve(cells);
                c.text.reserve(bytes);
            }
        }
    }

    /// Appends a cell to column `j`.
    pub fn push(&mut self, j: usize, cell: Cell<'_>) {
        let c = &mut self.cols[j];
        let num = match cell {
            Cell::Null => Some(Num::Null),
            Cell::Int(k) => Some(Num::Int(k)),
            Cell::UInt(k) => Some(Num::UInt(k)),
            Cell::Float(x) => Some(Num::Float(x)),
            Cell::Bool(_) | Cell::Text(_) => None,
        };
        c.seen |= match cell {
            Cell::Null => 0,
            Cell::Float(x) if x.is_nan() => 0,
            Cell::Int(_) | Cell::UInt(_) | Cell::Float(_) => SEEN_NUM,
            Cell::Bool(_) => SEEN_BOOL,
            Cell::Text(_) => SEEN_TEXT,
        };
        if let (Some(nums), Some(n)) = (&mut c.nums, num) {
            nums.push(n);
            return;
        }
        c.make_text();
        match cell {
            Cell::Bool(b) => c.text.push_str(if b { "True" } else { "False" }),
            Cell::Text(s) => c.text.push_str(s),
            _ => num.unwrap_or(Num::Null).write(&mut c.text),
        }
        c.ends.push(c.text.len());
    }

    /// The types to force: a column's declared type, else boolean when every
    /// value was a boolean; numbers, text and mixes are left to the CSV
    /// reader's inference, as they would be for the CSV export (a column of 0
    /// and 1 reads as boolean there too).
    fn types(&self) -> BTreeMap<String, ColumnType> {
        let mut types = BTreeMap::new();
        for (name, c) in self.names.iter().zip(&self.cols) {
            let ty = c.declared.or(if c.seen == SEEN_BOOL { Some(ColumnType::Boolean) } else { None });
            if let Some(ty) = ty {
                types.insert(name.clone(), ty);
            }
        }
        types
    }

    /// CSV text of the columns `which` (header row, comma, `\n`).
    fn csv_of(&self, which: &[usize]) -> String {
        let n = self.n_rows();
        let bytes: usize = which.iter().map(|&j| self.cols[j].text.len() + self.cols[j].len() * 8).sum();
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::with_capacity(bytes + bytes / 8 + 64));
        // Writing to a Vec cannot fail, and every field is UTF-8 text.
        let _ = w.write_record(which.iter().map(|&j| &self.names[j]));
        let mut scratch: Vec<String> = which.iter().map(|_| String::new()).collect();
        for i in 0..n {
            let row: Vec<&str> = which.iter().zip(scratch.iter_mut()).map(|(&j, s)| self.cols[j].cell(i, s)).collect();
            let _ = w.write_record(&row);
        }
        let bytes = w.into_inner().unwrap_or_default();
        // Every field pushed was a &str: the CSV bytes are UTF-8.
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// CSV text (header row, comma, `\n`) and the types to force (see [`Columns::types`]).
    pub fn into_csv(self) -> (String, BTreeMap<String, ColumnType>) {
        let all: Vec<usize> = (0..self.cols.len()).collect();
        (self.csv_of(&all), self.types())
    }

    /// What the CSV reader gives for [`Columns::into_csv`]'s text read with
    /// `opts` and the types forced (the user's own `types` win): the same
    /// table, and the same report except `bytes`, which the caller sets. Typed
    /// columns (only numbers and nulls, no declared type) go straight into the
    /// table when that is sure to give the same columns, values, lines and
    /// warnings ([`Columns::direct`]); otherwise everything goes through text.
    pub fn into_table(self, opts: &ReadOptions) -> Result<(Table, ReadReport)> {
        let opts = super::converted_options(opts, self.types());
        if let Some(done) = self.direct(&opts) {
            return Ok(done);
        }
        let all: Vec<usize> = (0..self.cols.len()).collect();
        read_csv(self.csv_of(&all).as_bytes(), &opts)
    }

    /// The table with typed columns read directly and the others through CSV
    /// text of those columns alone, or `None` where that could differ from
    /// reading all of them as text: the reader would rename or warn about the
    /// header, a missing-value token is a number, `coerce_numeric` or a type
    /// other than numeric is asked of a typed column, a lone text column could
    /// hold a blank line (which the reader skips), the text columns' read
    /// fails (the full read then gives the error) or warns while a typed
    /// column warns too (the order of warnings is the columns').
    ///
    /// A typed cell's value is the one its text (`Num::write`) reads as: an
    /// integer `k` is `k as f64` (both round to nearest, ties to even), a float
    /// is itself (its shortest round-trip text reads back bit for bit), NaN and
    /// null are missing. An integer column of 0 and 1 only (both present) is
    /// boolean (`0`/`1`), as the reader infers for the text "0" and "1"; a float
    /// is never written "0" or "1" ("0.0"), so a float column stays numeric.
    fn direct(&self, opts: &ReadOptions) -> Option<(Table, ReadReport)> {
        let n = self.n_rows();
        if n == 0 || self.cols.len() < 2 {
            return None;
        }
        let mut names = std::collections::HashSet::new();
        for name in &self.names {
            if name.is_empty() || name.trim() != name || name.contains(['\r', '\n']) || !names.insert(name.as_str()) {
                return None;
            }
        }
        if self.names.iter().all(|n| parse_number(n).is_some())
            || !opts.coerce_numeric.is_empty()
            || opts.missing_values.iter().any(|m| parse_number(m.trim()).is_some())
        {
            return None;
        }
        let (typed, rest): (Vec<usize>, Vec<usize>) = (0..self.cols.len()).partition(|&j| self.cols[j].nums.is_some());
        if typed.is_empty() || typed.iter().any(|&j| !matches!(opts.types.get(&self.names[j]), None | Some(ColumnType::Numeric))) {
            return None;
        }
        if let [j] = rest[..] {
            let mut s = String::new();
            if (0..n).any(|i| self.cols[j].cell(i, &mut s).bytes().all(|b| b.is_ascii_whitespace())) {
                return None;
            }
        }
        if !rest.is_empty() && rest.iter().all(|&j| parse_number(&self.names[j]).is_some()) {
            return None;
        }
        let (sub, mut report) = if rest.is_empty() {
            (None, ReadReport { delimiter: ",".into(), encoding: "utf-8".into(), ..Default::default() })
        } else {
            let (t, r) = read_csv(self.csv_of(&rest).as_bytes(), opts).ok()?;
            if t.n_rows != n || t.n_cols() != rest.len() {
                return None;
            }
            (Some(t), r)
        };
        // Numbers hold no line break, nor do the names: every row is on the line the text columns put it.
        let line_of = |i: usize| sub.as_ref().and_then(|t| t.origin.locate(i).1).unwrap_or(i as u64 + 2);
        let sub_warned = !report.warnings.is_empty() || !report.stray_values.is_empty() || !report.infinite_values.is_empty();
        let mut built: Vec<Option<ColumnData>> = (0..self.cols.len()).map(|_| None).collect();
        for &j in &typed {
            let nums = self.cols[j].nums.as_ref()?;
            let mut values = Vec::with_capacity(n);
            let (mut not_01, mut seen) = (false, [false; 2]);
            let mut note = |k: u64| match k {
                0 | 1 => seen[k as usize] = true,
                _ => not_01 = true,
            };
            let (mut n_inf, mut first_inf) = (0usize, None);
            for (i, &c) in nums.iter().enumerate() {
                values.push(match c {
                    Num::Null => f64::NAN,
                    Num::Int(k) => {
                        note(if k < 0 { 2 } else { k as u64 });
                        k as f64
                    }
                    Num::UInt(k) => {
                        note(k);
                        k as f64
                    }
                    Num::Float(x) if x.is_nan() => f64::NAN,
                    Num::Float(x) => {
                        note(2);
                        if x.is_infinite() {
                            n_inf += 1;
                            first_inf.get_or_insert((i, x));
                        }
                        x
                    }
                });
            }
            let forced = opts.types.get(&self.names[j]).copied();
            let data = if forced.is_none() && !not_01 && seen[0] && seen[1] {
                ColumnData::Boolean { values: values.into(), tokens: ["0".into(), "1".into()] }
            } else {
                ColumnData::Numeric(values.into())
            };
            if let Some((i, x)) = first_inf {
                if sub_warned {
                    return None;
                }
                let first = CellRef { line: line_of(i), row: i + 1, value: format!("{x:?}") };
                report.warnings.push(infinite_warning(&self.names[j], n_inf, &first));
                report.infinite_values.push(InfiniteValues { column: self.names[j].clone(), count: n_inf, first });
            }
            built[j] = Some(data);
        }
        let origin = match &sub {
            Some(t) => t.origin.clone(),
            None => crate::data::RowOrigin::from_lines(&(0..n).map(|i| i as u64 + 2).collect::<Vec<_>>()),
        };
        let mut from_text = sub.map(|t| t.columns).unwrap_or_default().into_iter();
        let mut columns = Vec::with_capacity(self.cols.len());
        for (name, b) in self.names.iter().zip(built) {
            let data = match b {
                Some(d) => d,
                None => from_text.next()?.data,
            };
            columns.push(Column { name: name.clone(), data });
        }
        let mut table = Table::new(columns).ok()?;
        table.origin = origin;
        Some((table, report))
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
    /// `into_table` (direct where it can) and the text path, with `bytes` set aside; and whether `direct` answered.
    fn both(names: &[&str], rows: &[&[Cell]], opts: &ReadOptions) -> (String, String, bool) {
        let build = || {
            let mut c = Columns::new(names.iter().map(|n| n.to_string()).collect());
            for r in rows {
                for (j, cell) in r.iter().enumerate() {
                    c.push(j, *cell);
                }
            }
            c
        };
        let strip = |r: Result<(Table, ReadReport)>| format!("{:?}", r.map(|(t, rep)| (t, ReadReport { bytes: 0, ..rep })));
        let (csv, types) = build().into_csv();
        let o = super::super::converted_options(opts, types);
        let direct = build().direct(&o).is_some();
        (strip(build().into_table(opts)), strip(read_csv(csv.as_bytes(), &o)), direct)
    }

    #[test]
    fn typed_columns_read_as_their_text_would() {
        use Cell::*;
        let d = ReadOptions::default();
        let mixed: &[&[Cell]] = &[
            &[Int(1), Text("a"), Int(0), Float(f64::INFINITY), Bool(true)],
            &[Float(2.5), Text("two\nlines"), Int(1), Null, Bool(false)],
            &[Null, Null, Null, Float(-0.0), Null],
            &[UInt(u64::MAX), Text("NA"), Int(1), Float(f64::NAN), Bool(true)],
            &[Int(i64::MIN), Text(" x "), Int(0), Float(f64::NEG_INFINITY), Null],
        ];
        let names = ["a", "t", "b01", "inf", "flag"];
        // (names, rows, options, whether the direct path answers)
        let float_01: &[&[Cell]] = &[&[Float(0.0), Int(0)], &[Float(1.0), Int(2)]];
        let blank: &[&[Cell]] = &[&[Int(1), Text("x")], &[Int(2), Text("  ")]];
        let one_text: &[&[Cell]] = &[&[Int(1), Text("x")], &[Int(2), Text("y")]];
        let stray_rows: Vec<[Cell; 2]> =
            (0..20).map(|i| if i == 3 { [Float(f64::INFINITY), Text("oops")] } else { [Float(1.5), Text(["1", "2"][i % 2])] }).collect();
        let stray_refs: Vec<&[Cell]> = stray_rows.iter().map(|r| &r[..]).collect();
        let stray: &[&[Cell]] = &stray_refs;
        let single: &[&[Cell]] = &[&[Int(1)], &[Null], &[Int(0)]];
        let empty: &[&[Cell]] = &[];
        let cases: Vec<(&[&str], &[&[Cell]], ReadOptions, bool)> = vec![
            (&names, mixed, d.clone(), true),
            (&names, mixed, ReadOptions { types: [("b01".to_string(), ColumnType::Numeric)].into(), ..d.clone() }, true),
            (&names, mixed, ReadOptions { types: [("b01".to_string(), ColumnType::Boolean)].into(), ..d.clone() }, false),
            (&names, mixed, ReadOptions { missing_values: vec!["0".into()], ..d.clone() }, false),
            (&names, mixed, ReadOptions { coerce_numeric: vec!["a".into()], ..d.clone() }, false),
            (&["a", "a", "t", " p", ""], mixed, d.clone(), false),
            (&["x", "y"], float_01, d.clone(), true),
            (&["only"], single, d.clone(), false),
            (&["n", "t"], blank, d.clone(), false),
            (&["n", "t"], one_text, d.clone(), true),
            (&["n", "1"], one_text, d.clone(), false),
            (&["1", "2"], float_01, d.clone(), false),
            (&["n", "t"], stray, d.clone(), false),
            (&["n", "t"], empty, d.clone(), false),
        ];
        for (k, (names, rows, o, direct)) in cases.into_iter().enumerate() {
            let (got, want, answered) = both(names, rows, &o);
            assert_eq!(got, want, "case {k}");
            assert_eq!(answered, direct, "case {k}: the direct path {}", if direct { "stepped aside" } else { "answered" });
        }
        let (got, _, _) = both(&names, mixed, &d);
        assert!(got.contains("Boolean { values: [0.0, 1.0, NaN, 1.0, 0.0], tokens: [\"0\", \"1\"] }"), "{got}");
        assert!(got.contains("first: CellRef { line: 2, row: 1, value: \"inf\" }"), "{got}");
        assert!(got.contains("column: \"inf\", count: 2"), "{got}");
    }
}
