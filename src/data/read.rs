//! CSV bytes → [`Table`]: decoding, delimiter sniffing, header repair, type inference.
//!
//! Parsing is a single pass in the common case: every column starts as a
//! numeric builder and stays one while its cells parse as numbers. A column
//! whose first failure comes after row 0 is re-read in a second pass as text.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::table::{CatData, Column, ColumnData, ColumnType, Table, MISSING_CODE};
use crate::{Error, Result};

/// The default tokens read as a missing cell (compared after trimming spaces).
pub const DEFAULT_MISSING: &[&str] = &["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?", "-"];

/// How to read a CSV. Every field has a sensible default (`{}` in JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadOptions {
    /// Field delimiter; sniffed among `,` `;` tab `|` when absent.
    pub delimiter: Option<char>,
    /// Whether the first record names the columns.
    pub has_header: bool,
    /// Tokens that mean "missing".
    pub missing_values: Vec<String>,
    /// Column types forced by the user, by column name.
    pub types: HashMap<String, ColumnType>,
    /// Skip rows whose field count differs from the header's (reported) instead of failing.
    pub skip_malformed_rows: bool,
    /// Refuse input larger than this many bytes.
    pub max_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            delimiter: None,
            has_header: true,
            missing_values: DEFAULT_MISSING.iter().map(|s| s.to_string()).collect(),
            types: HashMap::new(),
            skip_malformed_rows: false,
            max_bytes: 1 << 31,
        }
    }
}

/// What the reader did besides producing the table: for the page and the CLI to show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReadReport {
    pub delimiter: String,
    pub encoding: String,
    /// Header names that were changed, as `(original, new)`.
    pub renamed_headers: Vec<(String, String)>,
    /// 1-based line numbers of rows skipped for a wrong field count.
    pub skipped_rows: Vec<u64>,
    pub warnings: Vec<String>,
}

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Reads CSV bytes into a typed table.
pub fn read_csv(bytes: &[u8], opts: &ReadOptions) -> Result<(Table, ReadReport)> {
    let mut report = ReadReport::default();
    if bytes.len() > opts.max_bytes {
        return Err(Error::Csv(format!(
            "the file is {} MB, more than the {} MB this reader accepts; use the native CLI for larger files",
            bytes.len() >> 20,
            opts.max_bytes >> 20
        )));
    }
    let text = decode(bytes, &mut report)?;
    if text.trim().is_empty() {
        return Err(Error::Csv("the file is empty: it has no header and no rows".into()));
    }
    let delim = match opts.delimiter {
        Some(c) if c.is_ascii() && c != '"' && c != '\n' && c != '\r' => c as u8,
        Some(c) => return Err(Error::Csv(format!("delimiter {c:?} is not allowed: use one ASCII character other than a quote or newline"))),
        None => sniff_delimiter(text.as_bytes()),
    };
    report.delimiter = match delim {
        b'\t' => "\\t".to_string(),
        d => (d as char).to_string(),
    };
    let missing: HashSet<&str> = opts.missing_values.iter().map(|s| s.trim()).collect();

    let make_reader = || {
        csv::ReaderBuilder::new()
            .delimiter(delim)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
    };

    // Header.
    let mut rdr = make_reader();
    let mut record = csv::ByteRecord::new();
    let mut first = loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) if is_blank(&record) => continue,
            Ok(true) => break record.clone(),
            Ok(false) => return Err(Error::Csv("the file is empty: it has no header and no rows".into())),
            Err(e) => return Err(csv_error(e)),
        }
    };
    let n_cols = first.len();
    let (names, data_starts_at_first) = if opts.has_header {
        (unique_headers(&first, &mut report)?, false)
    } else {
        ((1..=n_cols).map(|i| format!("column_{i}")).collect::<Vec<_>>(), true)
    };
    for name in opts.types.keys() {
        if !names.contains(name) {
            return Err(Error::column(name, "has a type override but no such column is in the file"));
        }
    }

    // Pass 1.
    let forced: Vec<Option<ColumnType>> = names.iter().map(|n| opts.types.get(n).copied()).collect();
    let mut builders: Vec<Builder> = forced
        .iter()
        .map(|f| match f {
            Some(ColumnType::Categorical) => Builder::Cat(CatBuilder::default()),
            _ => Builder::Num(NumBuilder::default()),
        })
        .collect();
    let mut needs_pass2 = false;
    let mut n_rows = 0usize;
    let mut kept_lines: Vec<u64> = Vec::new();
    let mut handle = |rec: &csv::ByteRecord, builders: &mut Vec<Builder>, report: &mut ReadReport| -> Result<bool> {
        let line = rec.position().map_or(0, |p| p.line());
        if is_blank(rec) {
            return Ok(false);
        }
        if rec.len() != n_cols {
            if opts.skip_malformed_rows {
                report.skipped_rows.push(line);
                return Ok(false);
            }
            return Err(Error::CsvLine {
                line,
                message: format!(
                    "has {} fields but the header has {}; fix the row (an unquoted delimiter inside a value?) or choose 'skip malformed rows'",
                    rec.len(),
                    n_cols
                ),
            });
        }
        for (j, field) in rec.iter().enumerate() {
            let s = std::str::from_utf8(field).map_err(|_| Error::CsvLine { line, message: "invalid UTF-8".into() })?;
            let s = s.trim();
            let is_missing = missing.contains(s);
            match &mut builders[j] {
                Builder::Num(b) => {
                    if is_missing {
                        b.values.push(f64::NAN);
                    } else if let Some(x) = parse_number(s) {
                        b.note(s);
                        b.values.push(x);
                    } else if forced[j] == Some(ColumnType::Numeric) {
                        return Err(Error::CsvLine {
                            line,
                            message: format!("column '{}' is set to numeric but holds {:?}; change the column's type or fix the cell", names[j], truncate(s, 40)),
                        });
                    } else if b.values.is_empty() || b.values.iter().all(|v| v.is_nan()) {
                        // Text from the start (or after only missing cells): no re-read needed.
                        let mut c = CatBuilder::default();
                        for _ in 0..b.values.len() {
                            c.push(None);
                        }
                        c.push(Some(s));
                        builders[j] = Builder::Cat(c);
                    } else {
                        builders[j] = Builder::Deferred;
                        needs_pass2 = true;
                    }
                }
                Builder::Cat(c) => c.push((!is_missing).then_some(s)),
                Builder::Deferred => {}
            }
        }
        Ok(true)
    };
    if data_starts_at_first {
        if handle(&first, &mut builders, &mut report)? {
            n_rows += 1;
            kept_lines.push(first.position().map_or(0, |p| p.line()));
        }
    }
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {
                if handle(&record, &mut builders, &mut report)? {
                    n_rows += 1;
                }
            }
            Ok(false) => break,
            Err(e) => return Err(csv_error(e)),
        }
    }
    first.clear();

    // Pass 2: columns that turned out to be text after some numbers.
    if needs_pass2 {
        let deferred: Vec<usize> = (0..n_cols).filter(|&j| matches!(builders[j], Builder::Deferred)).collect();
        let mut cats: Vec<CatBuilder> = deferred.iter().map(|_| CatBuilder::default()).collect();
        let mut rdr = make_reader();
        let mut header_skipped = !opts.has_header;
        while rdr.read_byte_record(&mut record).map_err(csv_error)? {
            if is_blank(&record) {
                continue;
            }
            if !header_skipped {
                header_skipped = true;
                continue;
            }
            if record.len() != n_cols {
                continue; // skipped in pass 1 as well
            }
            for (k, &j) in deferred.iter().enumerate() {
                let s = std::str::from_utf8(&record[j]).unwrap_or("").trim();
                cats[k].push((!missing.contains(s)).then_some(s));
            }
        }
        for (k, &j) in deferred.iter().enumerate() {
            builders[j] = Builder::Cat(std::mem::take(&mut cats[k]));
        }
    }

    if n_rows == 0 {
        return Err(Error::Csv(format!(
            "the file has a header ({} columns) but no data rows",
            n_cols
        )));
    }
    let mut columns = Vec::with_capacity(n_cols);
    for (j, (b, name)) in builders.into_iter().zip(names).enumerate() {
        let data = finish(b, forced[j], &name)?;
        columns.push(Column { name, data });
    }
    if !report.skipped_rows.is_empty() {
        report.warnings.push(format!(
            "{} malformed row(s) skipped (lines {})",
            report.skipped_rows.len(),
            summarize_lines(&report.skipped_rows)
        ));
    }
    Ok((Table::new(columns)?, report))
}

fn summarize_lines(lines: &[u64]) -> String {
    let shown: Vec<String> = lines.iter().take(10).map(|l| l.to_string()).collect();
    if lines.len() > 10 {
        format!("{}, …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn csv_error(e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    Error::CsvLine { line, message: e.to_string() }
}

fn is_blank(rec: &csv::ByteRecord) -> bool {
    rec.len() == 0 || (rec.len() == 1 && rec[0].iter().all(|b| b.is_ascii_whitespace()))
}

/// UTF-8 (BOM stripped) or, failing that, Latin-1 / Windows-1252 with a warning.
fn decode<'a>(bytes: &'a [u8], report: &mut ReadReport) -> Result<Cow<'a, str>> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::Csv(format!(
            "the file contains a NUL byte at offset {pos}: it looks like a binary file (a spreadsheet or archive?), not CSV text; export it as CSV"
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => {
            report.encoding = "utf-8".into();
            Ok(Cow::Borrowed(s))
        }
        Err(e) => {
            let controls = bytes.iter().filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b)).count();
            if controls * 100 > bytes.len().max(1) {
                return Err(Error::Csv("the file is not text (many control bytes): it looks binary; export it as CSV".into()));
            }
            report.encoding = "windows-1252".into();
            report.warnings.push(format!(
                "the file is not valid UTF-8 (first bad byte at offset {}); it was decoded as Windows-1252 / Latin-1",
                e.valid_up_to()
            ));
            Ok(Cow::Owned(bytes.iter().map(|&b| cp1252(b)).collect()))
        }
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    if (0x80..0xa0).contains(&b) {
        HIGH[(b - 0x80) as usize]
    } else {
        b as char
    }
}

/// Picks the candidate delimiter giving the most consistent multi-field rows
/// over the first lines; comma when nothing stands out.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let sample_end = text.len().min(64 * 1024);
    let sample = &text[..sample_end];
    let mut best = (b',', 0usize);
    for &d in &CANDIDATES {
        let mut rdr = csv::ReaderBuilder::new().delimiter(d).has_headers(false).flexible(true).from_reader(sample);
        let mut counts: Vec<usize> = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while counts.len() < 30 {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) if is_blank(&rec) => {}
                Ok(true) => counts.push(rec.len()),
                _ => break,
            }
        }
        // Drop a possibly cut last line of the sample.
        if sample_end < text.len() && counts.len() > 1 {
            counts.pop();
        }
        let Some(&first) = counts.first() else { continue };
        if first < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        let score = consistent * 1000 + first;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn unique_headers(rec: &csv::ByteRecord, report: &mut ReadReport) -> Result<Vec<String>> {
    let mut names = Vec::with_capacity(rec.len());
    let mut seen: HashSet<String> = HashSet::new();
    for (i, field) in rec.iter().enumerate() {
        let raw = std::str::from_utf8(field).map_err(|_| Error::CsvLine { line: 1, message: "invalid UTF-8 in header".into() })?;
        let trimmed = raw.trim();
        let mut name = if trimmed.is_empty() { format!("column_{}", i + 1) } else { trimmed.to_string() };
        if seen.contains(&name) {
            let base = name.clone();
            let mut k = 2;
            while seen.contains(&format!("{base}_{k}")) {
                k += 1;
            }
            name = format!("{base}_{k}");
        }
        if name != raw {
            report.renamed_headers.push((raw.to_string(), name.clone()));
        }
        seen.insert(name.clone());
        names.push(name);
    }
    if !report.renamed_headers.is_empty() {
        let list: Vec<String> = report.renamed_headers.iter().map(|(a, b)| format!("{a:?} → {b:?}")).collect();
        report.warnings.push(format!("header names made unique / non-empty: {}", list.join(", ")));
    }
    Ok(names)
}

/// Parses a numeric cell: integers, decimals, exponents, a leading `+`,
/// `inf`/`-inf`. Rejects anything else (thousands separators, units...).
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.strip_prefix('+').unwrap_or(s);
    let b = t.as_bytes();
    let first = *b.first()?;
    // Fast reject: std's parser accepts "nan"/"infinity" spellings; keep only digits,
    // '.', '-' starts, and explicit inf.
    if !(first.is_ascii_digit() || first == b'.' || first == b'-') {
        return match t.to_ascii_lowercase().as_str() {
            "inf" | "infinity" => Some(f64::INFINITY),
            _ => None,
        };
    }
    if first == b'-' && t.len() > 1 && !(b[1].is_ascii_digit() || b[1] == b'.') {
        return match t.to_ascii_lowercase().as_str() {
            "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        };
    }
    t.parse::<f64>().ok()
}

enum Builder {
    Num(NumBuilder),
    Cat(CatBuilder),
    /// Numbers first, then text: re-read as text in pass 2.
    Deferred,
}

#[derive(Default)]
struct NumBuilder {
    values: Vec<f64>,
    /// Every non-missing token was exactly "0" or "1".
    not_01: bool,
    seen: [bool; 2],
}

impl NumBuilder {
    fn note(&mut self, s: &str) {
        if !self.not_01 {
            match s {
                "0" => self.seen[0] = true,
                "1" => self.seen[1] = true,
                _ => self.not_01 = true,
            }
        }
    }
}

#[derive(Default)]
struct CatBuilder {
    index: HashMap<String, u32>,
    data: CatData,
}

impl CatBuilder {
    fn push(&mut self, s: Option<&str>) {
        match s {
            None => self.data.codes.push(MISSING_CODE),
            Some(s) => {
                let code = match self.index.get(s) {
                    Some(&c) => c,
                    None => {
                        let c = self.data.levels.len() as u32;
                        self.data.levels.push(s.to_string());
                        self.index.insert(s.to_string(), c);
                        c
                    }
                };
                self.data.codes.push(code);
            }
        }
    }
}

const BOOL_PAIRS: [(&str, &str); 3] = [("false", "true"), ("no", "yes"), ("f", "t")];

fn finish(b: Builder, forced: Option<ColumnType>, name: &str) -> Result<ColumnData> {
    match b {
        Builder::Num(n) => {
            let is_bool = !n.not_01 && n.seen[0] && n.seen[1];
            match forced {
                Some(ColumnType::Boolean) if !n.not_01 => Ok(ColumnData::Boolean { values: n.values, tokens: ["0".into(), "1".into()] }),
                Some(ColumnType::Boolean) => Err(Error::column(name, "is set to boolean but holds numbers other than 0 and 1")),
                None if is_bool => Ok(ColumnData::Boolean { values: n.values, tokens: ["0".into(), "1".into()] }),
                _ => Ok(ColumnData::Numeric(n.values)),
            }
        }
        Builder::Cat(c) => {
            let data = c.data;
            if forced == Some(ColumnType::Categorical) {
                return Ok(ColumnData::Categorical(data));
            }
            if let Some(b) = as_boolean(&data) {
                return Ok(b);
            }
            if forced == Some(ColumnType::Boolean) {
                let bad = data.levels.iter().find(|l| bool_value(l).is_none()).cloned().unwrap_or_default();
                return Err(Error::column(name, format!("is set to boolean but holds {bad:?}; booleans are true/false, yes/no, t/f or 1/0")));
            }
            Ok(ColumnData::Categorical(data))
        }
        Builder::Deferred => Err(Error::column(name, "internal: column was not re-read")),
    }
}

fn bool_value(s: &str) -> Option<(usize, bool)> {
    let l = s.to_ascii_lowercase();
    BOOL_PAIRS.iter().enumerate().find_map(|(p, (f, t))| {
        if l == *f {
            Some((p, false))
        } else if l == *t {
            Some((p, true))
        } else {
            None
        }
    })
}

/// A text column whose levels all belong to one boolean vocabulary.
fn as_boolean(data: &CatData) -> Option<ColumnData> {
    if data.levels.is_empty() || data.levels.len() > 4 {
        return None;
    }
    let mut pair = None;
    let mut tokens = [String::new(), String::new()];
    let mut map = Vec::with_capacity(data.levels.len());
    for level in &data.levels {
        let (p, v) = bool_value(level)?;
        if *pair.get_or_insert(p) != p {
            return None;
        }
        if tokens[v as usize].is_empty() {
            tokens[v as usize] = level.clone();
        }
        map.push(if v { 1.0 } else { 0.0 });
    }
    let p = pair?;
    for (v, t) in tokens.iter_mut().enumerate() {
        if t.is_empty() {
            let (f, tr) = BOOL_PAIRS[p];
            *t = if v == 1 { tr.to_string() } else { f.to_string() };
        }
    }
    let values = data.codes.iter().map(|&c| if c == MISSING_CODE { f64::NAN } else { map[c as usize] }).collect();
    Some(ColumnData::Boolean { values, tokens })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Result<Table> {
        read_csv(s.as_bytes(), &ReadOptions::default()).map(|(t, _)| t)
    }

    #[test]
    fn infers_types() {
        let t = read("a,b,c,d\n1,x,true,1\n2.5,y,False,0\n,z,,1\n").unwrap();
        assert_eq!(t.n_rows, 3);
        assert_eq!(t.columns[0].data.column_type(), ColumnType::Numeric);
        assert_eq!(t.columns[1].data.column_type(), ColumnType::Categorical);
        assert_eq!(t.columns[2].data.column_type(), ColumnType::Boolean);
        assert_eq!(t.columns[3].data.column_type(), ColumnType::Boolean);
        assert!(t.columns[0].data.is_missing(2));
        assert_eq!(t.columns[2].data.display(1).as_deref(), Some("False"));
    }

    #[test]
    fn late_text_column_is_reread() {
        let t = read("a,b\n1,2\n3,x\n").unwrap();
        match &t.columns[1].data {
            ColumnData::Categorical(c) => {
                assert_eq!(c.get(0), Some("2"));
                assert_eq!(c.get(1), Some("x"));
            }
            other => panic!("expected categorical, got {other:?}"),
        }
    }

    #[test]
    fn sniffs_semicolon_and_handles_bom_crlf() {
        let t = read("\u{feff}a;b\r\n1,5;2\r\n3;4").unwrap();
        assert_eq!(t.names(), vec!["a", "b"]);
        assert_eq!(t.columns[0].data.column_type(), ColumnType::Categorical);
    }

    #[test]
    fn ragged_row_names_line() {
        let e = read("a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(e.to_string().split(':').next().unwrap(), "CSV line 3");
    }

    #[test]
    fn empty_and_header_only() {
        assert!(read("").unwrap_err().to_string().contains("empty"));
        assert!(read("a,b\n").unwrap_err().to_string().contains("no data rows"));
    }

    #[test]
    fn duplicate_and_empty_headers() {
        let (t, r) = read_csv(b"a,a,\n1,2,3\n", &ReadOptions::default()).unwrap();
        assert_eq!(t.names(), vec!["a", "a_2", "column_3"]);
        assert_eq!(r.renamed_headers.len(), 2);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("+1e3"), Some(1000.0));
        assert_eq!(parse_number("-.5"), Some(-0.5));
        assert_eq!(parse_number("1,000"), None);
        assert_eq!(parse_number("nan"), None);
        assert_eq!(parse_number("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_number("abc"), None);
    }
}
