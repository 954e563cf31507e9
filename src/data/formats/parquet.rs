//! Parquet → columns, through the `parquet` crate's column API (no arrow): each
//! row group's column chunks are decoded into typed values and definition levels.
//!
//! Types come from the file's schema: integers, floats, doubles and decimals
//! are numbers (numeric, or boolean for a 0/1 column, as the CSV reader infers
//! for the CSV export); booleans boolean; strings (and enums, JSON text)
//! categorical even when they look like numbers;
//! dates (`DATE`) are written as text `YYYY-MM-DD` and timestamps as
//! `YYYY-MM-DD HH:MM:SS[.ffffff]` (categorical, as pandas' CSV export writes
//! them). Nulls are missing. Nested columns (lists, maps, structs), INT96,
//! times of day, binary and other types are refused, naming the column.

use std::sync::Arc;

use parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as Physical};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::DataType;
use parquet::file::reader::FileReader;
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::schema::types::ColumnDescriptor;

use super::cells::{Cell, Columns};
use crate::data::ColumnType;
use crate::{Error, Result};

const BATCH: usize = 8192;

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int {
        unsigned: bool,
    },
    Float,
    Text,
    Date,
    /// Units per second.
    Timestamp(i64),
    Decimal(i32),
}

/// The crate has a few `expect`s on malformed input; natively a panic is
/// caught and reported as a corrupt file (wasm32 traps instead: the page drops
/// the lazily loaded module's instance and says the same, www/formats_worker.js).
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn read(bytes: &[u8]) -> Result<Columns> {
    let data = bytes.to_vec();
    super::guarded("Parquet", move || read_inner(data))
}

#[cfg(target_arch = "wasm32")]
pub(super) fn read(bytes: &[u8]) -> Result<Columns> {
    read_inner(bytes.to_vec())
}

fn read_inner(data: Vec<u8>) -> Result<Columns> {
    check_footer(&data).map_err(|m| Error::format("Parquet", "", m))?;
    let n_bytes = data.len();
    let bytes = bytes::Bytes::from(data);
    let reader = SerializedFileReader::new(bytes.clone()).map_err(|e| {
        let m = e.to_string();
        let m = if m.contains("footer") || m.contains("EOF") || m.contains("size") || n_bytes < 12 {
            format!("the file is truncated or not Parquet ({m}); download or export it again")
        } else {
            m
        };
        Error::format("Parquet", "", m)
    })?;
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr_ptr();
    let descrs: Vec<Arc<ColumnDescriptor>> = (0..schema.num_columns()).map(|j| schema.column(j)).collect();
    let kinds: Vec<Kind> = descrs.iter().map(|d| kind(d)).collect::<Result<_>>()?;
    let names: Vec<String> = descrs.iter().map(|d| d.name().to_string()).collect();
    let mut out = Columns::new(names.clone());
    // Text stays text ("007" is not 7); numbers are left to the CSV reader's
    // inference, as in the CSV export (a column of 0 and 1 is boolean there).
    for (j, k) in kinds.iter().enumerate() {
        match k {
            Kind::Bool => out.declare(j, ColumnType::Boolean),
            Kind::Text | Kind::Date | Kind::Timestamp(_) => out.declare(j, ColumnType::Categorical),
            _ => {}
        }
    }
    let n_groups = reader.num_row_groups();
    let mut row0 = 0usize;
    for g in 0..n_groups {
        let place_g = |j: usize| format!("row group {} of {n_groups}, column '{}'", g + 1, names[j]);
        let rg = reader.get_row_group(g).map_err(|e| Error::format("Parquet", &format!("row group {} of {n_groups}", g + 1), e.to_string()))?;
        let n = usize::try_from(rg.metadata().num_rows()).map_err(|_| Error::format("Parquet", &format!("row group {}", g + 1), "a negative row count"))?;
        for j in 0..descrs.len() {
            let c = rg.metadata().column(j);
            check_page_headers(&bytes, c.dictionary_page_offset().unwrap_or(c.data_page_offset()), c.compressed_size())
                .map_err(|m| Error::format("Parquet", &place_g(j), m))?;
            let fail = |e: parquet::errors::ParquetError| Error::format("Parquet", &place_g(j), e.to_string());
            let col = rg.get_column_reader(j).map_err(fail)?;
            let max_def = descrs[j].max_def_level();
            out.reserve(j, n, n * 8);
            read_chunk(col, kinds[j], n, max_def, &mut out, j, row0).map_err(|e| match e {
                Error::Format { place, message, .. } if place.is_empty() => Error::format("Parquet", &place_g(j), message),
                other => other,
            })?;
        }
        row0 += n;
    }
    Ok(out)
}

fn unsupported(d: &ColumnDescriptor, what: &str) -> Error {
    Error::format(
        "Parquet",
        &format!("column '{}'", d.path().string()),
        format!("has type {what}, which pipelab does not read; convert it (to a number or text) before exporting"),
    )
}

fn kind(d: &ColumnDescriptor) -> Result<Kind> {
    if d.max_rep_level() > 0 {
        return Err(unsupported(d, "list (a repeated, nested column)"));
    }
    if d.path().parts().len() > 1 {
        return Err(unsupported(d, "struct (a nested column)"));
    }
    let logical = d.logical_type_ref();
    let conv = d.converted_type();
    let scale = d.type_scale();
    Ok(match (d.physical_type(), logical) {
        (Physical::BOOLEAN, _) => Kind::Bool,
        (Physical::INT32 | Physical::INT64, Some(LogicalType::Date)) => Kind::Date,
        (Physical::INT32, None) if conv == ConvertedType::DATE => Kind::Date,
        (Physical::INT64, Some(LogicalType::Timestamp(t))) => Kind::Timestamp(match &t.unit {
            TimeUnit::MILLIS => 1_000,
            TimeUnit::MICROS => 1_000_000,
            TimeUnit::NANOS => 1_000_000_000,
        }),
        (Physical::INT64, None) if conv == ConvertedType::TIMESTAMP_MILLIS => Kind::Timestamp(1_000),
        (Physical::INT64, None) if conv == ConvertedType::TIMESTAMP_MICROS => Kind::Timestamp(1_000_000),
        (Physical::INT32 | Physical::INT64 | Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY, Some(LogicalType::Decimal(dt))) => Kind::Decimal(dt.scale),
        (Physical::INT32 | Physical::INT64 | Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY, None) if conv == ConvertedType::DECIMAL => {
            Kind::Decimal(scale)
        }
        (Physical::INT32 | Physical::INT64, Some(LogicalType::Integer(it))) => Kind::Int { unsigned: !it.is_signed },
        (Physical::INT32 | Physical::INT64, None) => {
            Kind::Int { unsigned: matches!(conv, ConvertedType::UINT_8 | ConvertedType::UINT_16 | ConvertedType::UINT_32 | ConvertedType::UINT_64) }
        }
        (Physical::FLOAT | Physical::DOUBLE, None) => Kind::Float,
        (Physical::BYTE_ARRAY, Some(LogicalType::String | LogicalType::Enum | LogicalType::Json)) => Kind::Text,
        (Physical::BYTE_ARRAY, None) if matches!(conv, ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON) => Kind::Text,
        (Physical::INT96, _) => return Err(unsupported(d, "INT96 (a legacy timestamp; write timestamps as INT64, e.g. pyarrow's default)")),
        (Physical::BYTE_ARRAY, None) => return Err(unsupported(d, "binary (bytes without a text annotation)")),
        (p, Some(l)) => return Err(unsupported(d, &format!("{p} annotated {l:?}"))),
        (p, None) => return Err(unsupported(d, &p.to_string())),
    })
}

/// Reads one column chunk of `n` rows into column `j` of `out`.
fn read_chunk(col: ColumnReader, kind: Kind, n: usize, max_def: i16, out: &mut Columns, j: usize, row0: usize) -> Result<()> {
    let mut text = String::new();
    match col {
        ColumnReader::BoolColumnReader(r) => each(r, n, max_def, |_, v| {
            out.push(j, v.map_or(Cell::Null, |b| Cell::Bool(*b)));
            Ok(())
        }),
        ColumnReader::Int32ColumnReader(r) => each(r, n, max_def, |_, v| {
            let cell = match v {
                None => Cell::Null,
                Some(&x) => int_cell(kind, x as i64, x as u32 as u64, &mut text),
            };
            out.push(j, cell);
            Ok(())
        }),
        ColumnReader::Int64ColumnReader(r) => each(r, n, max_def, |_, v| {
            let cell = match v {
                None => Cell::Null,
                Some(&x) => int_cell(kind, x, x as u64, &mut text),
            };
            out.push(j, cell);
            Ok(())
        }),
        ColumnReader::FloatColumnReader(r) => each(r, n, max_def, |_, v| {
            // The float32's own shortest spelling, as pandas writes it ("0.1", not 0.10000000149011612).
            out.push(j, v.map_or(Cell::Null, |&x| Cell::Float(format!("{x:?}").parse::<f64>().unwrap_or(x as f64))));
            Ok(())
        }),
        ColumnReader::DoubleColumnReader(r) => each(r, n, max_def, |_, v| {
            out.push(j, v.map_or(Cell::Null, |&x| Cell::Float(x)));
            Ok(())
        }),
        ColumnReader::ByteArrayColumnReader(r) => each(r, n, max_def, |i, v| {
            match v {
                None => out.push(j, Cell::Null),
                Some(b) => match kind {
                    Kind::Decimal(scale) => {
                        decimal_bytes(b.data(), scale, &mut text)?;
                        out.push(j, Cell::Text(&text))
                    }
                    _ => {
                        let s =
                            std::str::from_utf8(b.data()).map_err(|_| Error::format("Parquet", "", format!("row {} is not valid UTF-8 text", row0 + i + 1)))?;
                        out.push(j, Cell::Text(s))
                    }
                },
            }
            Ok(())
        }),
        ColumnReader::FixedLenByteArrayColumnReader(r) => each(r, n, max_def, |_, v| {
            match v {
                None => out.push(j, Cell::Null),
                Some(b) => {
                    let Kind::Decimal(scale) = kind else { return Err(Error::format("Parquet", "", "fixed-length bytes that are not a decimal")) };
                    decimal_bytes(b.data(), scale, &mut text)?;
                    out.push(j, Cell::Text(&text))
                }
            }
            Ok(())
        }),
        ColumnReader::Int96ColumnReader(_) => Err(Error::format("Parquet", "", "INT96 is not read")),
    }
}

/// An INT32/INT64 value as its column reads it; `unsigned` is the same bits as an unsigned integer.
fn int_cell(kind: Kind, x: i64, unsigned: u64, text: &mut String) -> Cell<'_> {
    match kind {
        Kind::Int { unsigned: true } => Cell::UInt(unsigned),
        Kind::Date => {
            text.clear();
            let (y, m, d) = civil(x);
            let _ = std::fmt::Write::write_fmt(text, format_args!("{y:04}-{m:02}-{d:02}"));
            Cell::Text(text)
        }
        Kind::Timestamp(per_second) => {
            text.clear();
            let (secs, frac) = (x.div_euclid(per_second), x.rem_euclid(per_second));
            let (y, m, d) = civil(secs.div_euclid(86_400));
            let s = secs.rem_euclid(86_400);
            let _ = std::fmt::Write::write_fmt(text, format_args!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60));
            if frac != 0 {
                let digits = per_second.ilog10() as usize;
                let _ = std::fmt::Write::write_fmt(text, format_args!(".{frac:0digits$}"));
            }
            Cell::Text(text)
        }
        Kind::Decimal(scale) => {
            decimal_text(x as i128, scale, text);
            Cell::Text(text)
        }
        _ => Cell::Int(x),
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The unscaled integer with its decimal point: exact text, read as the nearest f64.
fn decimal_text(unscaled: i128, scale: i32, text: &mut String) {
    text.clear();
    let digits = unscaled.unsigned_abs().to_string();
    if unscaled < 0 {
        text.push('-');
    }
    if scale <= 0 {
        text.push_str(&digits);
        text.push_str(&"0".repeat(scale.unsigned_abs() as usize));
    } else {
        let scale = scale as usize;
        let padded = if digits.len() <= scale { format!("{}{digits}", "0".repeat(scale + 1 - digits.len())) } else { digits };
        let (int, frac) = padded.split_at(padded.len() - scale);
        text.push_str(int);
        text.push('.');
        text.push_str(frac);
    }
}

fn decimal_bytes(b: &[u8], scale: i32, text: &mut String) -> Result<()> {
    if b.is_empty() || b.len() > 16 {
        return Err(Error::format("Parquet", "", format!("a decimal of {} bytes (at most 16 are read)", b.len())));
    }
    // Big-endian two's complement, sign-extended to 128 bits.
    let mut v: i128 = if b[0] & 0x80 != 0 { -1 } else { 0 };
    for &byte in b {
        v = (v << 8) | byte as i128;
    }
    decimal_text(v, scale, text);
    Ok(())
}

/// Walks the page headers of the column chunk at `start..start + len` before the crate decodes
/// them. The crate skips a header's unknown fields one element at a time and counts a list's
/// booleans as taking no bytes, so a mutated 10 KB file that declares lists of 2^31 booleans
/// kept it busy for seconds per list (found by the `read_formats` fuzzer). Here every list, set
/// and map must fit in the bytes that are left (each element takes at least one byte in
/// Thrift's compact protocol), so the walk is linear in the chunk's size.
fn check_page_headers(file: &[u8], start: i64, len: i64) -> std::result::Result<(), String> {
    let (Ok(start), Ok(len)) = (usize::try_from(start), usize::try_from(len)) else {
        return Err("the column chunk has a negative offset or size (corrupt metadata)".into());
    };
    let Some(chunk) = start.checked_add(len).and_then(|end| file.get(start..end)) else {
        return Err(format!("the column chunk (bytes {start}..+{len}) lies past the end of the file ({} bytes): truncated or corrupt", file.len()));
    };
    let mut pos = 0usize;
    while pos < chunk.len() {
        let mut r = Compact { buf: &chunk[pos..], at: 0 };
        let page_size = r.page_header().map_err(|m| format!("the page header at byte {}: {m} (corrupt file)", start + pos))?;
        pos = pos.saturating_add(r.at).saturating_add(page_size);
    }
    Ok(())
}

/// Walks the footer (the file's metadata, Thrift-encoded before the last 8 bytes) before the crate
/// decodes it, for the reason [`check_page_headers`] walks page headers: the crate's skipping of
/// unknown fields is superlinear on crafted lists (an 8.5 KB footer found by the `read_formats`
/// fuzzer took 0.2 s in a release build, seconds unoptimised). A footer whose declared length does
/// not fit, or an encrypted footer (`PARE`), is left to the crate, which says so.
fn check_footer(file: &[u8]) -> std::result::Result<(), String> {
    let n = file.len();
    if n < 12 || &file[n - 4..] != b"PAR1" {
        return Ok(());
    }
    let len = u32::from_le_bytes([file[n - 8], file[n - 7], file[n - 6], file[n - 5]]) as usize;
    let Some(start) = (n - 8).checked_sub(len) else { return Ok(()) };
    let mut r = Compact { buf: &file[start..n - 8], at: 0 };
    r.fields(32, |_, _, _| Ok(false)).map_err(|m| format!("the file's metadata (its footer, {len} bytes from byte {start}) is corrupt: {m}"))
}

/// A reader of Thrift's compact protocol that only skips, within its buffer.
struct Compact<'a> {
    buf: &'a [u8],
    at: usize,
}

impl Compact<'_> {
    fn byte(&mut self) -> std::result::Result<u8, String> {
        let b = *self.buf.get(self.at).ok_or("it ends early")?;
        self.at += 1;
        Ok(b)
    }
    fn varint(&mut self) -> std::result::Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number runs past 10 bytes".into())
    }
    fn skip(&mut self, n: u64) -> std::result::Result<(), String> {
        let left = (self.buf.len() - self.at) as u64;
        if n > left {
            return Err(format!("{n} bytes declared, {left} left"));
        }
        self.at += n as usize;
        Ok(())
    }
    /// `n` elements of at least one byte each must fit in what is left.
    fn count(&mut self, n: u64) -> std::result::Result<u64, String> {
        let left = (self.buf.len() - self.at) as u64;
        if n > left {
            return Err(format!("a list of {n} elements in the {left} bytes left"));
        }
        Ok(n)
    }
    /// Skips one value of compact type `t`; `in_list`: a boolean is a byte there, not part of the field header.
    fn value(&mut self, t: u8, in_list: bool, depth: u8) -> std::result::Result<(), String> {
        if depth == 0 {
            return Err("nested too deeply".into());
        }
        match t {
            1 | 2 if !in_list => Ok(()),
            1..=3 => self.skip(1),
            4..=6 => self.varint().map(drop),
            7 => self.skip(8),
            8 => {
                let n = self.varint()?;
                self.skip(n)
            }
            9 | 10 => {
                let h = self.byte()?;
                let n = if h >> 4 == 15 { self.varint()? } else { u64::from(h >> 4) };
                for _ in 0..self.count(n)? {
                    self.value(h & 0x0f, true, depth - 1)?;
                }
                Ok(())
            }
            11 => {
                let n = self.varint()?;
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..self.count(n)? {
                        self.value(kv >> 4, true, depth - 1)?;
                        self.value(kv & 0x0f, true, depth - 1)?;
                    }
                }
                Ok(())
            }
            12 => self.fields(depth - 1, |_, _, _| Ok(false)).map(drop),
            13 => self.skip(16),
            _ => Err(format!("an unknown field type {t}")),
        }
    }
    /// Reads a struct's fields up to its stop byte; `take(r, id, type)` reads a field itself (true) or leaves it to be skipped.
    fn fields(&mut self, depth: u8, mut take: impl FnMut(&mut Self, i16, u8) -> std::result::Result<bool, String>) -> std::result::Result<(), String> {
        let mut id = 0i16;
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(());
            }
            let t = h & 0x0f;
            id = if h >> 4 == 0 {
                let z = self.varint()?;
                ((z >> 1) as i64 ^ -((z & 1) as i64)) as i16
            } else {
                id.wrapping_add(i16::from(h >> 4))
            };
            if !take(self, id, t)? {
                self.value(t, false, depth)?;
            }
        }
    }
    /// A `PageHeader`: returns its `compressed_page_size` (field 3).
    fn page_header(&mut self) -> std::result::Result<usize, String> {
        let mut size = None;
        self.fields(32, |r, id, t| {
            if id == 3 && t == 5 {
                let z = r.varint()?;
                let v = (z >> 1) as i64 ^ -((z & 1) as i64);
                size = Some(usize::try_from(v).map_err(|_| format!("a negative page size {v}"))?);
                return Ok(true);
            }
            Ok(false)
        })?;
        size.ok_or_else(|| "no page size".to_string())
    }
}

/// Calls `f(row_in_chunk, value)` for each of the chunk's `n` rows (`None` = null).
fn each<T: DataType>(mut r: ColumnReaderImpl<T>, n: usize, max_def: i16, mut f: impl FnMut(usize, Option<&T::T>) -> Result<()>) -> Result<()> {
    let mut defs: Vec<i16> = Vec::new();
    let mut values: Vec<T::T> = Vec::new();
    let mut done = 0usize;
    while done < n {
        defs.clear();
        values.clear();
        let want = (n - done).min(BATCH);
        let (records, _, levels) = r
            .read_records(want, if max_def > 0 { Some(&mut defs) } else { None }, None, &mut values)
            .map_err(|e| Error::format("Parquet", "", format!("row {}: {e}", done + 1)))?;
        if records == 0 {
            return Err(Error::format("Parquet", "", format!("the column chunk ends after {done} of its {n} rows (truncated or corrupt)")));
        }
        if max_def > 0 {
            let mut vals = values.iter();
            for (k, &d) in defs[..levels.min(defs.len())].iter().enumerate() {
                f(done + k, if d == max_def { vals.next() } else { None })?;
            }
        } else {
            for (k, v) in values.iter().enumerate() {
                f(done + k, Some(v))?;
            }
        }
        done += records;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_decimals_are_exact_text() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(18_262), (2020, 1, 1));
        assert_eq!(civil(-1), (1969, 12, 31));
        assert_eq!(civil(11_016), (2000, 2, 29));
        let mut t = String::new();
        for (v, s, want) in [(12345i128, 2, "123.45"), (-5, 3, "-0.005"), (7, 0, "7"), (7, -2, "700"), (100, 2, "1.00")] {
            decimal_text(v, s, &mut t);
            assert_eq!(t, want);
        }
        decimal_bytes(&[0xFF, 0xFE], 1, &mut t).unwrap();
        assert_eq!(t, "-0.2");
        let mut t2 = String::new();
        assert_eq!(int_cell(Kind::Timestamp(1_000), 1_577_836_800_250, 0, &mut t2), Cell::Text("2020-01-01 00:00:00.250"));
    }

    #[test]
    fn page_headers_are_walked_in_bytes_not_in_declared_elements() {
        // PageHeader { 1: type = 0, 2: uncompressed = 3, 3: compressed = 3 } then 3 bytes of page.
        let good = [0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 1, 2, 3];
        assert_eq!(check_page_headers(&good, 0, good.len() as i64), Ok(()));
        // An unknown field 4 holding a list of 2^31 - 1 booleans in 7 bytes: refused at once
        // (the parquet crate counted such booleans as free and looped over them).
        let hostile = [0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x19, 0xF1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00];
        let e = check_page_headers(&hostile, 0, hostile.len() as i64).unwrap_err();
        assert_eq!(e, "the page header at byte 0: a list of 2147483647 elements in the 1 bytes left (corrupt file)");
        // A list of booleans that fits is skipped (one byte each), then the page.
        let bools = [0x15, 0x00, 0x15, 0x04, 0x15, 0x04, 0x19, 0x21, 0x01, 0x02, 0x00, 9, 9];
        assert_eq!(check_page_headers(&bools, 0, bools.len() as i64), Ok(()));
        // A page past the chunk's end, a chunk past the file's end, a negative size.
        assert!(check_page_headers(&good[..8], 0, 8).is_ok(), "the last page is the crate's to find short");
        assert!(check_page_headers(&good, 4, 20).unwrap_err().contains("past the end of the file"));
        assert!(check_page_headers(&good, 0, -1).unwrap_err().contains("negative"));
        let negative = [0x15, 0x00, 0x15, 0x06, 0x15, 0x05, 0x00];
        assert!(check_page_headers(&negative, 0, 7).unwrap_err().contains("a negative page size -3"));
    }
}
