//! The in-memory table: named, typed columns of equal length.

use serde::{Deserialize, Serialize};

/// Code used for a missing categorical cell.
pub const MISSING_CODE: u32 = u32::MAX;

/// The type of a column, inferred from its cells or set by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Numeric,
    Categorical,
    Boolean,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Numeric => "numeric",
            ColumnType::Categorical => "categorical",
            ColumnType::Boolean => "boolean",
        }
    }
}

/// Dictionary-encoded categorical cells: `codes[i]` indexes `levels`, or is
/// [`MISSING_CODE`]. Levels are in first-seen order (steps that need an order sort them).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CatData {
    pub codes: Vec<u32>,
    pub levels: Vec<String>,
}

impl CatData {
    pub fn len(&self) -> usize {
        self.codes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
    /// The cell at `row`, or `None` when missing.
    pub fn get(&self, row: usize) -> Option<&str> {
        match self.codes.get(row) {
            Some(&c) if c != MISSING_CODE => self.levels.get(c as usize).map(String::as_str),
            _ => None,
        }
    }
    /// Build from optional strings (used by tests and by transforms that emit categories).
    pub fn from_options<S: AsRef<str>>(cells: &[Option<S>]) -> Self {
        let mut out = CatData::default();
        let mut index = std::collections::HashMap::new();
        for cell in cells {
            match cell {
                None => out.codes.push(MISSING_CODE),
                Some(s) => {
                    let s = s.as_ref();
                    let code = *index.entry(s.to_string()).or_insert_with(|| {
                        out.levels.push(s.to_string());
                        (out.levels.len() - 1) as u32
                    });
                    out.codes.push(code);
                }
            }
        }
        out
    }
    pub fn select(&self, rows: &[usize]) -> CatData {
        CatData { codes: rows.iter().map(|&r| self.codes[r]).collect(), levels: self.levels.clone() }
    }
}

/// A column of numbers, shared: a clone (a table's column into a step's [`Frame`](crate::frame::Frame),
/// the page's table into a preview or a fit on every row) copies no cells. Reads go through
/// `Deref` to the `Vec`; a writer takes [`Nums::make_mut`] (a copy only when the cells are
/// shared) or [`Nums::into_vec`].
#[derive(Clone, Default, PartialEq)]
pub struct Nums(std::sync::Arc<Vec<f64>>);

impl Nums {
    /// The cells to change in place: copied first when another table or frame shares them.
    pub fn make_mut(&mut self) -> &mut Vec<f64> {
        std::sync::Arc::make_mut(&mut self.0)
    }
    /// The cells as an owned `Vec`: moved out when not shared, else copied.
    pub fn into_vec(self) -> Vec<f64> {
        std::sync::Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }
}

impl std::ops::Deref for Nums {
    type Target = Vec<f64>;
    fn deref(&self) -> &Vec<f64> {
        &self.0
    }
}

impl From<Vec<f64>> for Nums {
    fn from(v: Vec<f64>) -> Nums {
        Nums(std::sync::Arc::new(v))
    }
}

impl FromIterator<f64> for Nums {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Nums {
        Nums::from(iter.into_iter().collect::<Vec<f64>>())
    }
}

impl<'a> IntoIterator for &'a Nums {
    type Item = &'a f64;
    type IntoIter = std::slice::Iter<'a, f64>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl PartialEq<Vec<f64>> for Nums {
    fn eq(&self, other: &Vec<f64>) -> bool {
        *self.0 == *other
    }
}

impl std::fmt::Debug for Nums {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A column's cells.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numbers; NaN marks a missing cell.
    Numeric(Nums),
    /// 0.0 / 1.0 / NaN, with the file's spelling of false and true (`tokens[0]`, `tokens[1]`).
    Boolean {
        values: Nums,
        tokens: [String; 2],
    },
    Categorical(CatData),
}

impl ColumnData {
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Boolean { values, .. } => values.len(),
            ColumnData::Categorical(c) => c.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn column_type(&self) -> ColumnType {
        match self {
            ColumnData::Numeric(_) => ColumnType::Numeric,
            ColumnData::Boolean { .. } => ColumnType::Boolean,
            ColumnData::Categorical(_) => ColumnType::Categorical,
        }
    }
    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => v[row].is_nan(),
            ColumnData::Categorical(c) => c.codes[row] == MISSING_CODE,
        }
    }
    pub fn missing_count(&self) -> usize {
        (0..self.len()).filter(|&r| self.is_missing(r)).count()
    }
    /// The cell as text, as a user would read it (`None` when missing).
    pub fn display(&self, row: usize) -> Option<String> {
        match self {
            ColumnData::Numeric(v) => {
                let x = v[row];
                (!x.is_nan()).then(|| format_number(x))
            }
            ColumnData::Boolean { values, tokens } => {
                let x = values[row];
                (!x.is_nan()).then(|| tokens[(x != 0.0) as usize].clone())
            }
            ColumnData::Categorical(c) => c.get(row).map(str::to_string),
        }
    }
    /// [`display`](Self::display) appended to `out`; a missing cell appends nothing.
    pub fn display_into(&self, row: usize, out: &mut String) {
        match self {
            ColumnData::Numeric(v) => {
                if !v[row].is_nan() {
                    push_number(out, v[row]);
                }
            }
            ColumnData::Boolean { values, tokens } => {
                if !values[row].is_nan() {
                    out.push_str(&tokens[(values[row] != 0.0) as usize]);
                }
            }
            ColumnData::Categorical(c) => out.push_str(c.get(row).unwrap_or_default()),
        }
    }
    pub fn select(&self, rows: &[usize]) -> ColumnData {
        match self {
            ColumnData::Numeric(v) => ColumnData::Numeric(rows.iter().map(|&r| v[r]).collect()),
            ColumnData::Boolean { values, tokens } => ColumnData::Boolean { values: rows.iter().map(|&r| values[r]).collect(), tokens: tokens.clone() },
            ColumnData::Categorical(c) => ColumnData::Categorical(c.select(rows)),
        }
    }
}

/// Whether `rows` is every one of `n` rows, in order (`0..n`): a selection of them is then the
/// data itself, no gather.
pub fn every_row(rows: &[usize], n: usize) -> bool {
    rows.len() == n && rows.iter().enumerate().all(|(i, &r)| i == r)
}

/// Formats a number the way a user typed it: integers without a fraction,
/// others with the shortest representation that round-trips.
pub fn format_number(x: f64) -> String {
    let mut s = String::new();
    push_number(&mut s, x);
    s
}

/// [`format_number`] appended to `out` (no allocation when `out` has room).
pub fn push_number(out: &mut String, x: f64) {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = if x.is_finite() && x == x.trunc() && x.abs() < 1e15 { write!(out, "{}", x as i64) } else { write!(out, "{x}") };
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
}

/// A table of equal-length columns with unique names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub n_rows: usize,
    /// Where each row came from in the file (for messages; not part of the table's value).
    pub origin: super::origin::RowOrigin,
}

impl Table {
    pub fn new(columns: Vec<Column>) -> crate::Result<Table> {
        let n_rows = columns.first().map_or(0, |c| c.data.len());
        for c in &columns {
            if c.data.len() != n_rows {
                return Err(crate::Error::column(&c.name, format!("has {} rows, expected {}", c.data.len(), n_rows)));
            }
        }
        Ok(Table { columns, n_rows, origin: Default::default() })
    }
    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
    /// Each column name's index (the first column of a repeated name, as [`Table::column`]):
    /// for looking up many columns of a wide table (5,000 names one by one were 12.5 M comparisons).
    pub fn index_by_name(&self) -> std::collections::HashMap<&str, usize> {
        let mut m = std::collections::HashMap::with_capacity(self.columns.len());
        for (j, c) in self.columns.iter().enumerate() {
            m.entry(c.name.as_str()).or_insert(j);
        }
        m
    }
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }
    /// `rows` of the table: the table itself when `rows` is every row in order ([`every_row`])
    /// (fitting on all the data copies nothing), else [`select_rows`](Self::select_rows).
    pub fn rows_view(&self, rows: &[usize]) -> std::borrow::Cow<'_, Table> {
        if every_row(rows, self.n_rows) {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(self.select_rows(rows))
        }
    }
    /// A new table holding `rows` (in that order) of every column.
    pub fn select_rows(&self, rows: &[usize]) -> Table {
        Table {
            columns: self.columns.iter().map(|c| Column { name: c.name.clone(), data: c.data.select(rows) }).collect(),
            n_rows: rows.len(),
            origin: self.origin.select(rows),
        }
    }
    /// `e` with the row numbers in its message (counted in this table, from 1)
    /// made the file's: "row M (line L)" (see [`super::origin`]).
    pub fn locate_error(&self, e: crate::Error) -> crate::Error {
        self.origin.locate_error(e)
    }
}
