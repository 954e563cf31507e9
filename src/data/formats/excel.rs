//! Excel workbooks (xlsx, xlsm, xlsb, xls) and OpenDocument spreadsheets (ods)
//! → columns, with calamine (pure Rust). One sheet is read: the one asked for,
//! or the only one. The first row is the header unless `header` is false.
//! Formulas are read as their cached values; dates as text (`YYYY-MM-DD`, or
//! `YYYY-MM-DD HH:MM:SS` when the time is not midnight); an error cell
//! (`#DIV/0!`) as its text, as Excel's own CSV export writes it.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, HeaderRow, Reader};

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

pub(super) fn read(bytes: &[u8], source: &SourceOptions) -> Result<(Columns, Vec<String>, String)> {
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
    let range = book.with_header_row(HeaderRow::Row(0)).worksheet_range(&sheet).map_err(|e| fail(&format!("sheet '{sheet}'"), e.to_string()))?;
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
