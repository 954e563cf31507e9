//! Excel workbooks (xlsx, xlsm, xlsb, xls) and OpenDocument spreadsheets (ods)
//! → columns, with calamine (pure Rust). One sheet is read: the one asked for,
//! or the only one. The first row is the header unless `header` is false.
//! Formulas are read as their cached values; dates as text (`YYYY-MM-DD`, or
//! `YYYY-MM-DD HH:MM:SS` when the time is not midnight); an error cell
//! (`#DIV/0!`) as its text, as Excel's own CSV export writes it.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, DataRef, HeaderRow, Range, Reader, Sheets};

use super::cells::{Cell, Columns};
use super::SourceOptions;
use crate::{Error, Result};

fn fail(place: &str, m: impl Into<String>) -> Error {
    Error::format("Excel", place, m)
}

/// An OLE container holding an `EncryptedPackage` stream is a password-protected workbook.
fn is_encrypted(bytes: &[u8]) -> bool {
    const NAME: &[u8] = b"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";
    bytes.starts_with(b"\xD0\xCF\x11\xE0") && bytes.windows(NAME.len()).any(|w| w == NAME)
}

type Book<'a> = calamine::Sheets<Cursor<&'a [u8]>>;

fn open(bytes: &[u8]) -> Result<Book<'_>> {
    if is_encrypted(bytes) {
        return Err(fail("", "the workbook is password-protected (encrypted): open it, remove the password and save it again, or export the sheet as CSV"));
    }
    open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| fail("", format!("not a readable workbook (xlsx, xls, xlsb or ods): {e}")))
}

/// The workbook's sheet names, in order.
pub(super) fn sheets(bytes: &[u8]) -> Result<Vec<String>> {
    Ok(open(bytes)?.sheet_names())
}

/// calamine's cell-reference parser overflows on hostile references (a column name of 14
/// letters, a row number of 11 digits). Every profile builds calamine with overflow checks
/// (Cargo.toml), so such a reference panics instead of wrapping to a wrong cell; natively the panic
/// is caught and reported as a corrupt file (wasm32 traps: the page drops the lazily loaded module's
/// instance and says the same, www/formats_worker.js), as the Parquet reader's are.
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn read(bytes: &[u8], source: &SourceOptions) -> Result<(Columns, Vec<String>, String)> {
    super::guarded("Excel", || read_inner(bytes, source))
}

#[cfg(target_arch = "wasm32")]
pub(super) fn read(bytes: &[u8], source: &SourceOptions) -> Result<(Columns, Vec<String>, String)> {
    read_inner(bytes, source)
}

fn read_inner(bytes: &[u8], source: &SourceOptions) -> Result<(Columns, Vec<String>, String)> {
    let mut book = open(bytes)?;
    let names = book.sheet_names();
    let sheet = match &source.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => return Err(fail(&format!("sheet '{s}'"), format!("no such sheet; the workbook has {}", super::listed(&names)))),
        None if names.len() == 1 => names[0].clone(),
        None if names.is_empty() => return Err(fail("", "the workbook has no sheets")),
        None => {
            return Err(fail(
                "",
                format!("the workbook has {} sheets ({}): choose one (--sheet NAME, or the page's sheet list)", names.len(), super::listed(&names)),
            ))
        }
    };
    let range = sheet_range(&mut book, &sheet)?;
    let mut rows = range.rows();
    let width = range.width();
    let mut text = String::new();
    let header: Vec<String> = if source.header {
        match rows.next() {
            Some(h) => h
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect(),
            None => Vec::new(),
        }
    } else {
        (1..=width).map(|j| format!("column_{j}")).collect()
    };
    if header.is_empty() {
        return Err(fail(&format!("sheet '{sheet}'"), "the sheet is empty"));
    }
    let mut out = Columns::new(header);
    for row in rows {
        for (j, c) in row.iter().enumerate() {
            let v = cell(c, &mut text);
            out.push(j, v);
        }
    }
    Ok((out, names, sheet))
}

/// The most cells a sheet's used range may span (rows × columns from its first to its last cell,
/// empty cells included: the table is dense). 50 million cells is the size of the largest CSV the
/// page has been measured on (2.5 M × 20); a larger span is almost always one stray cell far from
/// the data, and it would allocate gigabytes before reading a value.
pub(super) const MAX_CELLS: u64 = 50_000_000;

/// The sheet's cells from row 1 (the header row), as a dense range. For xlsx and xlsb the cells are
/// collected sparsely and the span checked against [`MAX_CELLS`] before the dense range is made:
/// calamine's own `worksheet_range` allocates it first, so a 1.5 KB workbook with cells in A1 and
/// XFD1048576 asked for 512 GB and aborted the process. xls and ods sheets are made dense by calamine
/// when the workbook is opened.
fn sheet_range(book: &mut Book<'_>, sheet: &str) -> Result<Range<Data>> {
    let place = format!("sheet '{sheet}'");
    let at = |e: String| fail(&place, e);
    let cells = match book {
        Sheets::Xlsx(x) => {
            let mut r = x.worksheet_cells_reader(sheet).map_err(|e| at(e.to_string()))?;
            collect_cells(|| r.next_cell().map_err(|e| e.to_string())).map_err(at)?
        }
        Sheets::Xlsb(x) => {
            let mut r = x.worksheet_cells_reader(sheet).map_err(|e| at(e.to_string()))?;
            collect_cells(|| r.next_cell().map_err(|e| e.to_string())).map_err(at)?
        }
        _ => return book.with_header_row(HeaderRow::Row(0)).worksheet_range(sheet).map_err(|e| at(e.to_string())),
    };
    let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0, u32::MAX, 0);
    for (r, c) in cells.iter().map(|c| c.get_position()) {
        (r0, r1, c0, c1) = (r0.min(r), r1.max(r), c0.min(c), c1.max(c));
    }
    if !cells.is_empty() {
        let span = (u64::from(r1) - u64::from(r0) + 1) * (u64::from(c1) - u64::from(c0) + 1);
        if span > MAX_CELLS {
            return Err(at(format!(
                "its cells span {}:{} ({} rows × {} columns = {span} cells, empty ones included), more than the {MAX_CELLS} cells pipelab reads from a sheet; \
                 a stray cell far from the data (Ctrl+End in the spreadsheet shows the last one) or a damaged file: delete the empty rows and columns, or export the data as CSV",
                cell_name(r0, c0),
                cell_name(r1, c1),
                u64::from(r1) - u64::from(r0) + 1,
                u64::from(c1) - u64::from(c0) + 1,
            )));
        }
    }
    Ok(Range::from_sparse(cells))
}

/// The non-empty cells in reading order, with an empty cell put in row 1 above the first cell
/// when that row is empty (what calamine's `HeaderRow::Row(0)` does: the header is row 1).
fn collect_cells<'a>(
    mut next: impl FnMut() -> std::result::Result<Option<calamine::Cell<DataRef<'a>>>, String>,
) -> std::result::Result<Vec<calamine::Cell<Data>>, String> {
    let mut cells = Vec::new();
    while let Some(c) = next()? {
        if !matches!(c.get_value(), DataRef::Empty) {
            let pos = c.get_position();
            cells.push(calamine::Cell::new(pos, Data::from(c.get_value().clone())));
        }
    }
    if let Some(col) = cells.first().map(|c| c.get_position()).filter(|p| p.0 != 0).map(|p| p.1) {
        cells.insert(0, calamine::Cell::new((0, col), Data::Empty));
    }
    Ok(cells)
}

/// A cell's A1 name from its 0-based row and column.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        c -= 1;
        letters.push(b'A' + (c % 26) as u8);
        c /= 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), u64::from(row) + 1)
}

fn cell<'a>(c: &'a Data, text: &'a mut String) -> Cell<'a> {
    match c {
        Data::Empty => Cell::Null,
        Data::Int(k) => Cell::Int(*k),
        // A spreadsheet stores every number as a float: a whole number is written as the
        // integer it is ("1", not "1.0"), as the CSV export of the sheet has it, so a 0/1
        // column is read as boolean there and here alike.
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Cell::Int(*x as i64),
        Data::Float(x) => Cell::Float(*x),
        Data::Bool(b) => Cell::Bool(*b),
        Data::String(s) => Cell::Text(s),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
        Data::DateTime(dt) if dt.is_duration() => Cell::Float(dt.as_f64()),
        Data::DateTime(dt) => {
            let (y, m, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            text.clear();
            let _ = std::fmt::Write::write_fmt(text, format_args!("{y:04}-{m:02}-{d:02}"));
            if (h, mi, s, ms) != (0, 0, 0, 0) {
                let _ = std::fmt::Write::write_fmt(text, format_args!(" {h:02}:{mi:02}:{s:02}"));
                if ms != 0 {
                    let _ = std::fmt::Write::write_fmt(text, format_args!(".{ms:03}"));
                }
            }
            Cell::Text(text)
        }
        Data::Error(e) => {
            text.clear();
            let _ = std::fmt::Write::write_fmt(text, format_args!("{e}"));
            Cell::Text(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_workbooks_are_named() {
        let mut enc = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        enc.extend_from_slice(b"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0");
        let e = read(&enc, &SourceOptions::default()).err().unwrap().to_string();
        assert!(e.starts_with("Excel: the workbook is password-protected"), "{e}");
        let e = read(b"PK\x03\x04garbage", &SourceOptions::default()).err().unwrap().to_string();
        assert!(e.starts_with("Excel: not a readable workbook"), "{e}");
    }
}
