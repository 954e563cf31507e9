//! Data formats besides CSV: Parquet, SQLite, Excel/ODS, JSON Lines and JSON.
//!
//! Every reader yields the same [`Table`](super::Table) as the CSV export of the
//! same data, by construction: a reader turns its file into CSV text (numbers in
//! their shortest round-trip spelling, booleans as `True`/`False` as pandas
//! writes them, missing cells empty) plus a `types` map from the file's own
//! types (a Parquet schema: text and dates stay categorical, booleans boolean;
//! elsewhere: columns holding only booleans), and that text goes through the
//! one CSV reader ([`super::read_csv`]) with those types forced. Numbers are
//! left to that reader's inference, so a 0/1 column is boolean as in the CSV export. The page does the same across its two wasm modules: the
//! lazily loaded one converts, the first-load one reads the CSV as if dropped.
//! Natively ([`to_table`]) columns of numbers skip the text: they go straight
//! into the table where that gives the same table as the text would
//! ([`Columns::into_table`] says when), and only the other columns are written
//! and read as CSV.
//!
//! - [`detect`]: the format, from the first bytes (magic) first, the name second.
//! - [`to_csv`]: bytes → [`Converted`] (behind the `formats` cargo feature;
//!   SQLite also needs the native-only `sqlite` feature).
//! - [`check_select`]: the rule for a typed SQL query (a single read-only `SELECT`),
//!   shared by the native reader and the page's sql.js path.
//!
//! Errors are [`Error::Format`](crate::Error::Format), naming the row group,
//! sheet, row, column or field at fault.

mod cells;
#[cfg(feature = "formats")]
mod excel;
#[cfg(feature = "formats")]
mod json;
#[cfg(feature = "formats")]
mod parquet;
mod sql;
#[cfg(all(feature = "sqlite", not(target_arch = "wasm32")))]
mod sqlite;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use cells::{Cell, Columns};
pub use sql::check_select;

use super::table::ColumnType;
#[cfg(feature = "formats")]
use crate::Error;
use crate::Result;

/// The formats pipelab reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Parquet,
    Sqlite,
    /// xlsx, xls, xlsb or ods.
    Excel,
    /// JSON Lines, an array of records, or pandas' `orient="split"`.
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Sqlite => "sqlite",
            Format::Excel => "excel",
            Format::Json => "json",
        }
    }
    /// The name used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Parquet => "Parquet",
            Format::Sqlite => "SQLite",
            Format::Excel => "Excel",
            Format::Json => "JSON",
        }
    }
}

/// The format of a file from its first bytes (16 are enough) and its name.
/// Content wins: a Parquet file named `data.csv` is Parquet. Text that starts
/// (after a BOM and spaces) with `[` or `{` is JSON; otherwise the extension
/// decides, and CSV is the default.
pub fn detect(head: &[u8], name: &str) -> Format {
    if head.starts_with(b"PAR1") {
        return Format::Parquet;
    }
    if head.starts_with(b"SQLite format 3\0") {
        return Format::Sqlite;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"\xD0\xCF\x11\xE0") {
        return Format::Excel;
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if let Some(&b) = text.iter().find(|b| !b.is_ascii_whitespace()) {
        if b == b'[' || b == b'{' {
            return Format::Json;
        }
    }
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "parquet" | "pq" => Format::Parquet,
        "sqlite" | "sqlite3" | "db" => Format::Sqlite,
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Format::Excel,
        "json" | "jsonl" | "ndjson" => Format::Json,
        _ => Format::Csv,
    }
}

/// Which part of a file to read, and how. Every field is optional (`{}` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceOptions {
    /// The workbook's sheet (required when it has several).
    pub sheet: Option<String>,
    /// The database's table or view (required when it has several and no `query`).
    pub table: Option<String>,
    /// A single read-only `SELECT` to run on the database instead of a table.
    pub query: Option<String>,
    /// Whether a sheet's first row names the columns (`false`: `column_1`, `column_2`, ...).
    pub header: bool,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions { sheet: None, table: None, query: None, header: true }
    }
}

/// A file turned into CSV text: what the CSV reader then reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Converted {
    pub format: Format,
    /// CSV text (comma, header row, `\n`).
    pub csv: String,
    /// The types the file itself gives its columns, forced when the CSV is read.
    pub types: BTreeMap<String, ColumnType>,
    /// The workbook's sheets or the database's tables (empty for other formats).
    pub parts: Vec<String>,
    /// The sheet or table read (or `query`), empty for other formats.
    pub part: String,
    pub n_rows: usize,
}

/// A non-CSV file's columns, the parts it offers and the part read.
#[cfg(feature = "formats")]
fn read_columns(format: Format, bytes: &[u8], source: &SourceOptions) -> Result<(Columns, Vec<String>, String)> {
    Ok(match format {
        Format::Csv => return Err(Error::format("CSV", "", "the file is CSV text: read it with the CSV reader")),
        Format::Parquet => (parquet::read(bytes)?, Vec::new(), String::new()),
        Format::Json => (json::read(bytes)?, Vec::new(), String::new()),
        Format::Excel => excel::read(bytes, source)?,
        Format::Sqlite => read_sqlite(bytes, source)?,
    })
}

/// Converts a non-CSV file to CSV text and types (see the module doc).
#[cfg(feature = "formats")]
pub fn to_csv(bytes: &[u8], name: &str, source: &SourceOptions) -> Result<Converted> {
    let format = detect(bytes, name);
    let (columns, parts, part) = read_columns(format, bytes, source)?;
    let n_rows = columns.n_rows();
    let (csv, types) = columns.into_csv();
    Ok(Converted { format, csv, types, parts, part, n_rows })
}

/// How a converted file's CSV text is read: its own dialect (comma, a header row) and its
/// types forced on the columns it has; the user's own `types` in `base` win.
fn converted_options(base: &super::ReadOptions, types: impl IntoIterator<Item = (String, ColumnType)>) -> super::ReadOptions {
    let mut opts = base.clone();
    opts.delimiter = Some(',');
    opts.has_header = true;
    opts.types_for_present_columns_only = true;
    for (k, t) in types {
        opts.types.entry(k).or_insert(t);
    }
    opts
}

/// A non-CSV file read into a table: the table and report [`to_csv`]'s text
/// gives read with `opts` and its types forced (the user's `types` win), with
/// `bytes` the file's size; numeric columns skip the text ([`Columns::into_table`]).
#[cfg(feature = "formats")]
pub fn to_table(bytes: &[u8], name: &str, source: &SourceOptions, opts: &super::ReadOptions) -> Result<(super::Table, super::ReadReport)> {
    let (columns, _, _) = read_columns(detect(bytes, name), bytes, source)?;
    let (table, mut report) = columns.into_table(opts)?;
    report.bytes = bytes.len();
    Ok((table, report))
}

/// Without the `formats` feature (the page's first-load module) only CSV is read.
#[cfg(not(feature = "formats"))]
pub fn to_csv(bytes: &[u8], name: &str, _source: &SourceOptions) -> Result<Converted> {
    Err(crate::Error::format(detect(bytes, name).label(), "", "this build reads CSV only (it was built without the `formats` feature)"))
}

/// Without the `formats` feature only CSV is read.
#[cfg(not(feature = "formats"))]
pub fn to_table(bytes: &[u8], name: &str, source: &SourceOptions, _opts: &super::ReadOptions) -> Result<(super::Table, super::ReadReport)> {
    Err(to_csv(bytes, name, source).err().unwrap_or_else(|| crate::Error::format("CSV", "", "this build reads CSV only")))
}

#[cfg(all(feature = "formats", feature = "sqlite", not(target_arch = "wasm32")))]
fn read_sqlite(bytes: &[u8], source: &SourceOptions) -> Result<(Columns, Vec<String>, String)> {
    sqlite::read(bytes, source)
}

#[cfg(all(feature = "formats", not(all(feature = "sqlite", not(target_arch = "wasm32")))))]
fn read_sqlite(_: &[u8], _: &SourceOptions) -> Result<(Columns, Vec<String>, String)> {
    Err(Error::format("SQLite", "", "this build reads no SQLite databases (the page reads them with sql.js; natively, build with the `sqlite` feature)"))
}

/// Rows handed in by a shell that read a database itself (the page's sql.js):
/// `columns` names them, each row holds JSON cells (numbers, strings, `null`,
/// booleans). Converted exactly as the native SQLite reader converts its rows.
pub fn rows_to_csv(format: Format, columns: &[String], rows: &[Vec<serde_json::Value>], part: &str) -> Result<Converted> {
    let mut out = Columns::new(columns.to_vec());
    for (i, row) in rows.iter().enumerate() {
        if row.len() != columns.len() {
            return Err(crate::Error::format(format.label(), &format!("row {}", i + 1), format!("has {} cells for {} columns", row.len(), columns.len())));
        }
        for (j, v) in row.iter().enumerate() {
            let cell = match v {
                serde_json::Value::Null => Cell::Null,
                serde_json::Value::Bool(b) => Cell::Bool(*b),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(k) => Cell::Int(k),
                    None => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
                serde_json::Value::String(s) => Cell::Text(s),
                _ => {
                    return Err(crate::Error::format(
                        format.label(),
                        &format!("row {}, column '{}'", i + 1, columns[j]),
                        "holds a binary or nested value; only numbers, text and null can be read",
                    ))
                }
            };
            out.push(j, cell);
        }
    }
    let n_rows = out.n_rows();
    let (csv, types) = out.into_csv();
    Ok(Converted { format, csv, types, parts: Vec::new(), part: part.to_string(), n_rows })
}

#[cfg(not(target_arch = "wasm32"))]
thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a reader whose crate (parquet, calamine) may panic on malformed input, natively: the panic
/// becomes a "corrupt file" error for `format`. While it runs, [`inside_guarded_reader`] is true,
/// so the CLI's panic hook stays quiet about a panic that ends as that error.
#[cfg(all(feature = "formats", not(target_arch = "wasm32")))]
fn guarded<T>(format: &str, read: impl FnOnce() -> Result<T> + std::panic::UnwindSafe) -> Result<T> {
    let outer = GUARDED.replace(true);
    let r = std::panic::catch_unwind(read);
    GUARDED.set(outer);
    r.unwrap_or_else(|_| Err(Error::format(format, "", "the file is corrupt (the reader failed on its content)")))
}

/// True while a guarded reader runs on this thread (a panic now is caught and reported as a
/// corrupt file): the CLI's panic hook prints nothing then.
pub fn inside_guarded_reader() -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    return GUARDED.get();
    #[cfg(target_arch = "wasm32")]
    return false;
}

/// `'a', 'b' and 'c'` for messages.
#[cfg(feature = "formats")]
fn listed(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.split_last() {
        None => "none".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The sheets of a workbook or the tables of a database (empty for other
/// formats): what a picker offers before [`to_csv`] reads one.
#[cfg(feature = "formats")]
pub fn parts(bytes: &[u8], name: &str) -> Result<Vec<String>> {
    match detect(bytes, name) {
        Format::Excel => excel::sheets(bytes),
        #[cfg(all(feature = "sqlite", not(target_arch = "wasm32")))]
        Format::Sqlite => sqlite::parts(bytes),
        _ => Ok(Vec::new()),
    }
}

/// The readers' robustness property, shared by the fuzz target
/// (`fuzz/fuzz_targets/read_formats.rs`) and the seeded mutations `cargo test` runs
/// (`tests/library/formats.rs`): no panic on any bytes, and a file that converts
/// reads through the CSV reader (its CSV text is the reader's contract) or gives an
/// error that says something, and [`to_table`] gives the same table, report and error. `name` decides the format when the bytes do not.
#[cfg(feature = "formats")]
pub fn check_reader_on(name: &str, bytes: &[u8]) -> std::result::Result<(), String> {
    if detect(bytes, name) == Format::Csv {
        return Ok(()); // the CSV reader's own property: crate::data::robustness
    }
    let source = SourceOptions::default();
    match to_csv(bytes, name, &source) {
        Ok(c) => {
            let opts = converted_options(&super::ReadOptions::default(), c.types.iter().map(|(k, v)| (k.clone(), *v)));
            let text = super::read_csv(c.csv.as_bytes(), &opts);
            // The native read, which skips the text for numeric columns, gives the same table and
            // report (but `bytes`), or the same error.
            match (&text, to_table(bytes, name, &source, &super::ReadOptions::default())) {
                (Ok((t, r)), Ok((d, mut dr))) => {
                    dr.bytes = r.bytes;
                    if format!("{t:?}") != format!("{d:?}") || *r != dr {
                        return Err(format!("read directly: {d:?} {dr:?}; through the text: {t:?} {r:?}"));
                    }
                }
                (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
                (a, b) => return Err(format!("read directly: {b:?}; through the text: {a:?}")),
            }
            match text {
                Ok((t, _)) if t.n_rows != c.n_rows && c.n_rows > 0 => Err(format!("{} rows converted but {} read back", c.n_rows, t.n_rows)),
                Err(e) if e.to_string().trim().is_empty() => Err("an empty error message".into()),
                _ => Ok(()),
            }
        }
        Err(e) if e.to_string().trim().is_empty() => Err("an empty error message".into()),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_prefers_content_over_the_name() {
        assert_eq!(detect(b"PAR1\x15\x04", "data.csv"), Format::Parquet);
        assert_eq!(detect(b"SQLite format 3\0", "x.txt"), Format::Sqlite);
        assert_eq!(detect(b"PK\x03\x04\x14\0", "book"), Format::Excel);
        assert_eq!(detect(b"\xD0\xCF\x11\xE0\xA1\xB1", "old.xls"), Format::Excel);
        assert_eq!(detect(b"\xEF\xBB\xBF  [{\"a\":1}]", "a.csv"), Format::Json);
        assert_eq!(detect(b"{\"a\": 1}\n", "x"), Format::Json);
        assert_eq!(detect(b"a,b\n1,2\n", "x.parquet"), Format::Parquet);
        assert_eq!(detect(b"a,b\n1,2\n", "x.JSONL"), Format::Json);
        assert_eq!(detect(b"a,b\n1,2\n", "x.db"), Format::Sqlite);
        assert_eq!(detect(b"a,b\n1,2\n", "x.csv"), Format::Csv);
        assert_eq!(detect(b"", ""), Format::Csv);
    }

    #[test]
    fn rows_convert_like_the_native_reader() {
        let rows = vec![
            vec![serde_json::json!(1), serde_json::json!("x"), serde_json::json!(null)],
            vec![serde_json::json!(2.5), serde_json::json!("y,z"), serde_json::json!(true)],
        ];
        let c = rows_to_csv(Format::Sqlite, &["a".into(), "b".into(), "c".into()], &rows, "t").unwrap();
        assert_eq!(c.csv, "a,b,c\n1,x,\n2.5,\"y,z\",True\n");
        assert_eq!(c.types.get("a"), None);
        assert_eq!(c.types.get("b"), None);
        assert_eq!(c.types.get("c"), Some(&ColumnType::Boolean));
        let bad = rows_to_csv(Format::Sqlite, &["a".into()], &[vec![serde_json::json!({"k": 1})]], "t").unwrap_err();
        assert_eq!(bad.to_string(), "SQLite row 1, column 'a': holds a binary or nested value; only numbers, text and null can be read");
    }
}
