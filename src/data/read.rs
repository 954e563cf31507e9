//! CSV bytes → [`Table`]: binary detection, decoding, delimiter sniffing,
//! header repair, type inference, and precise messages for broken files.
//!
//! One engine serves both entry points: [`read_csv`] (all bytes at once) and
//! [`CsvChunkReader`] (bytes fed in chunks by a worker, with progress). A tiny
//! scanner that mirrors the `csv` crate's quoting rules (quote opens only at the
//! start of a field, `""` escapes, `\r`, `\n` or `\r\n` end a record) finds record
//! boundaries, so each complete run of records is handed to the `csv` crate as
//! soon as it has arrived. The scanner also remembers where an open quote
//! started: that is how an unterminated quote is reported with its line.
//!
//! Parsing is a single pass in the common case: every column starts as a numeric
//! builder and stays one while its cells parse as numbers. A column whose first
//! text cell comes after numbers is re-read as text from the retained bytes at
//! the end (the only reason the chunk reader keeps the bytes it was fed).
//!
//! Decoding: each field is taken as UTF-8 when it is valid UTF-8, otherwise it
//! is decoded as Windows-1252 (a superset of Latin-1) and the report says so.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::scan::{has_byte, line_ends, Scanner};
use super::table::{CatData, Column, ColumnData, ColumnType, Table, MISSING_CODE};
use crate::{Error, Result};

/// The default tokens read as a missing cell (compared after trimming spaces).
/// `nan` in any case is also always read as a missing number in a numeric column.
pub const DEFAULT_MISSING: &[&str] = &["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?", "-"];

/// How many leading bytes the delimiter sniffer looks at.
pub(super) const SNIFF_BYTES: usize = 64 * 1024;
/// How many example cells a report lists per column.
const MAX_EXAMPLES: usize = 5;

/// How to read a CSV. Every field has a sensible default (`{}` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadOptions {
    /// Field delimiter; sniffed among `,` `;` tab `|` when absent.
    pub delimiter: Option<char>,
    /// Whether the first record names the columns (`false`: names are `column_1`, `column_2`, ...).
    pub has_header: bool,
    /// Tokens that mean "missing" (compared after trimming spaces).
    pub missing_values: Vec<String>,
    /// Column types forced by the user, by column name.
    pub types: HashMap<String, ColumnType>,
    /// Apply `types` only to the columns the file has, instead of refusing a
    /// type for an absent column (reading new data for a model: a missing
    /// column is reported by predict, naming what the model needs).
    #[serde(skip)]
    pub types_for_present_columns_only: bool,
    /// Skip rows whose field count differs from the header's (reported) instead of failing.
    pub skip_malformed_rows: bool,
    /// Refuse input larger than this many bytes.
    pub max_bytes: usize,
    /// Columns read as numbers where a cell that is not a number becomes missing (reported).
    pub coerce_numeric: Vec<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            delimiter: None,
            has_header: true,
            missing_values: DEFAULT_MISSING.iter().map(|s| s.to_string()).collect(),
            types: HashMap::new(),
            types_for_present_columns_only: false,
            skip_malformed_rows: false,
            max_bytes: 1 << 31,
            coerce_numeric: Vec::new(),
        }
    }
}

/// One cell, located for the user: `line` as a text editor counts it, `row`
/// as the 1-based data row (header excluded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CellRef {
    pub line: u64,
    pub row: usize,
    pub value: String,
}

/// A mostly numeric column with a few cells that are not numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StrayValues {
    pub column: String,
    /// Cells that are neither a number nor a missing token.
    pub count: usize,
    /// Cells that are numbers.
    pub numeric_count: usize,
    /// The first few stray cells.
    pub examples: Vec<CellRef>,
    /// `true`: they were read as missing (`coerce_numeric`); `false`: the column was read as categorical.
    pub coerced: bool,
}

/// A numeric column holding `inf` / `-inf`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InfiniteValues {
    pub column: String,
    pub count: usize,
    pub first: CellRef,
}

/// What the reader did besides producing the table: for the page and the CLI to show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadReport {
    pub delimiter: String,
    /// `utf-8`, or `windows-1252` when some field was not valid UTF-8.
    pub encoding: String,
    /// Header names that were changed, as `(original, new)`.
    pub renamed_headers: Vec<(String, String)>,
    /// 1-based line numbers of rows skipped for a wrong field count.
    pub skipped_rows: Vec<u64>,
    pub stray_values: Vec<StrayValues>,
    pub infinite_values: Vec<InfiniteValues>,
    /// Input size: the CSV text's, or the file's for another format (`api::load_data`).
    pub bytes: usize,
    /// One line each, for the user.
    pub warnings: Vec<String>,
}

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Reads CSV bytes into a typed table.
pub fn read_csv(bytes: &[u8], opts: &ReadOptions) -> Result<(Table, ReadReport)> {
    let mut r = Reader::new(Cow::Borrowed(bytes), opts.clone());
    r.expected = bytes.len();
    r.advance(0, false)?;
    r.finish()
}

/// Refuses an input of `n_bytes` when it exceeds `opts.max_bytes`. The page can
/// call this with the file's size before reading anything.
pub fn check_size(n_bytes: usize, opts: &ReadOptions) -> Result<()> {
    if n_bytes > opts.max_bytes {
        return Err(Error::Csv(format!(
            "the file is {:.1} MB, more than the {:.1} MB limit (max_bytes = {}); use a smaller extract, or the native CLI which can raise max_bytes",
            n_bytes as f64 / 1048576.0,
            opts.max_bytes as f64 / 1048576.0,
            opts.max_bytes
        )));
    }
    Ok(())
}

/// Incremental CSV reading for a worker that reads a file in chunks.
///
/// ```
/// # use pipelab::data::{CsvChunkReader, ReadOptions, read_csv};
/// let bytes = b"a,b\n1,x\n2,y\n";
/// let mut r = CsvChunkReader::new(ReadOptions::default());
/// for chunk in bytes.chunks(3) {
///     r.feed(chunk).unwrap();
///     let _progress = (r.bytes_consumed(), r.bytes_received());
/// }
/// let (table, _report) = r.finish().unwrap();
/// assert_eq!(table, read_csv(bytes, &ReadOptions::default()).unwrap().0);
/// ```
///
/// Every complete record is parsed as soon as its bytes arrive (after the first
/// 64 KiB, which are needed to sniff the delimiter), so `feed` does the work
/// progressively and [`bytes_consumed`](Self::bytes_consumed) is real parsing
/// progress. Problems are reported as early as they are known: size over
/// `max_bytes`, binary content, a ragged row. The result of `finish` is the
/// same table and report as [`read_csv`] on the concatenated bytes; when a file
/// has two faults, which one is reported first may differ.
/// The reader keeps the bytes it was fed (to re-read a column that turns out to
/// be text late); peak memory is about the file size plus the table. A
/// [`streaming`](Self::streaming) reader keeps only the bytes not parsed yet
/// (the page: peak memory about the table plus a chunk), and asks for the file
/// again in the rare case that needs the bytes back.
pub struct CsvChunkReader {
    inner: Reader<'static>,
}

impl CsvChunkReader {
    pub fn new(opts: ReadOptions) -> Self {
        CsvChunkReader { inner: Reader::new(Cow::Owned(Vec::new()), opts) }
    }
    /// A reader for a file of known size (`File.size` on the page): refuses it
    /// at once when it exceeds `max_bytes`, and reserves the buffer so feeding never reallocates.
    pub fn with_capacity(opts: ReadOptions, n_bytes: usize) -> Result<Self> {
        check_size(n_bytes, &opts)?;
        let mut inner = Reader::new(Cow::Owned(Vec::with_capacity(n_bytes)), opts);
        inner.expected = n_bytes;
        Ok(CsvChunkReader { inner })
    }
    /// A reader that drops the bytes of the records it has parsed (the page, whose
    /// worker still holds the `File`): memory is the table plus the last chunk, not
    /// the file plus the table. The same table and report as the other readers,
    /// except when a column turns out to be text after numbers whose bytes were
    /// dropped: its cells must be read again as text, so [`feed`](Self::feed) or
    /// [`end`](Self::end) returns `true` — read the file again with
    /// [`with_capacity`](Self::with_capacity). `n_bytes` (0 when unknown) is
    /// refused at once when it exceeds `max_bytes`, and sizes the columns.
    pub fn streaming(opts: ReadOptions, n_bytes: usize) -> Result<Self> {
        check_size(n_bytes, &opts)?;
        let mut inner = Reader::new(Cow::Owned(Vec::new()), opts);
        inner.retain = false;
        inner.expected = n_bytes;
        Ok(CsvChunkReader { inner })
    }
    /// Appends a chunk and parses every record it completes. `true`: this
    /// [`streaming`](Self::streaming) reader needs the file again from its start
    /// (see there); later chunks are ignored.
    /// After an error, the reader is unusable: every later call returns the same error.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<bool> {
        if let Some(e) = &self.inner.failed {
            return Err(e.clone());
        }
        if self.inner.restart {
            return Ok(true);
        }
        let old = self.inner.received();
        let buf = self.inner.buf.to_mut();
        if !self.inner.retain && buf.capacity() - buf.len() < chunk.len() {
            // A streaming reader's buffer holds a partial record and the new chunk:
            // sized once for a chunk and an eighth (Vec's doubling would reach twice
            // the chunk, and hold both blocks while it moves).
            let mut bigger = Vec::with_capacity(buf.len() + chunk.len() + chunk.len() / 8);
            bigger.extend_from_slice(buf);
            *buf = bigger;
        }
        buf.extend_from_slice(chunk);
        let r = self.inner.advance(old, false);
        if let Err(e) = &r {
            self.inner.failed = Some(e.clone());
        }
        r.map(|()| self.inner.restart)
    }
    /// No more bytes: parses the last records. `true` as for [`feed`](Self::feed).
    /// [`finish`](Self::finish) does this itself when it was not called.
    pub fn end(&mut self) -> Result<bool> {
        if let Some(e) = &self.inner.failed {
            return Err(e.clone());
        }
        let r = self.inner.end();
        if let Err(e) = &r {
            self.inner.failed = Some(e.clone());
        }
        r.map(|()| self.inner.restart)
    }
    /// Bytes fed so far.
    pub fn bytes_received(&self) -> usize {
        self.inner.received()
    }
    /// Bytes whose records have been parsed into the table.
    pub fn bytes_consumed(&self) -> usize {
        self.inner.start + self.inner.parsed
    }
    /// Parses what is left and returns the table.
    pub fn finish(mut self) -> Result<(Table, ReadReport)> {
        if let Some(e) = self.inner.failed {
            return Err(e);
        }
        self.inner.finish()
    }
    /// [`finish`](Self::finish), giving back the bytes fed too (the CLI keeps
    /// them for lineage and tracking), so they are held once, not twice.
    pub fn finish_with_bytes(mut self) -> Result<(Table, ReadReport, Vec<u8>)> {
        if let Some(e) = self.inner.failed {
            return Err(e);
        }
        let (table, report) = self.inner.finish()?;
        Ok((table, report, std::mem::take(&mut self.inner.buf).into_owned()))
    }
}

/// The engine behind both entry points; `buf` is borrowed by `read_csv`, owned by the chunk reader.
struct Reader<'a> {
    buf: Cow<'a, [u8]>,
    opts: ReadOptions,
    failed: Option<Error>,
    magic_checked: bool,
    first_nul: Option<usize>,
    /// Offset of the text after a UTF-8 BOM (known once the engine has started).
    start: usize,
    scanner: Option<Scanner>,
    engine: Option<Engine>,
    /// Text offset (from `start`) up to which records were parsed, and the line there.
    parsed: usize,
    parsed_line: u64,
    /// Text offset where the scanner started (after a record skipped for an unterminated quote).
    scan_base: usize,
    /// Keep every byte (`false`: a streaming chunk reader, which drops parsed records).
    retain: bool,
    /// Bytes dropped from the front of `buf` (0 while `retain`).
    dropped: usize,
    /// The file's size when known (a streaming reader sizes the columns from it).
    expected: usize,
    /// A column needs bytes that were dropped: the caller must read the file again.
    restart: bool,
    /// The last records were parsed (`end`).
    ended: bool,
    /// The engine after `end`, for `finish`.
    ended_engine: Option<Engine>,
}

impl<'a> Reader<'a> {
    fn new(buf: Cow<'a, [u8]>, opts: ReadOptions) -> Self {
        Reader {
            buf,
            opts,
            failed: None,
            magic_checked: false,
            first_nul: None,
            start: 0,
            scanner: None,
            engine: None,
            parsed: 0,
            parsed_line: 1,
            scan_base: 0,
            retain: true,
            dropped: 0,
            expected: 0,
            restart: false,
            ended: false,
            ended_engine: None,
        }
    }

    /// Bytes received so far (dropped ones included).
    fn received(&self) -> usize {
        self.dropped + self.buf.len()
    }

    /// The text (after a BOM) still held, and how many of its first bytes were
    /// dropped: the text's byte `i` is `view[i - cut]`.
    fn text_view(&self) -> (&[u8], usize) {
        text_view(&self.buf, self.start, self.dropped)
    }

    /// A streaming reader drops the records parsed so far, keeping the byte before
    /// the next record (`after_cr` looks at it). A column that needs pass 2 before
    /// anything was dropped makes the reader keep every byte from then on instead.
    fn drop_parsed(&mut self) {
        if self.retain {
            return;
        }
        let Some(engine) = &self.engine else { return };
        if engine.needs_pass2 {
            if self.dropped <= self.start {
                self.retain = true;
            } else {
                self.restart = true;
            }
            return;
        }
        let keep_from = self.start + self.parsed.saturating_sub(1);
        if keep_from > self.dropped {
            self.buf.to_mut().drain(..keep_from - self.dropped);
            self.dropped = keep_from;
        }
    }

    /// Handles the bytes from `old` on; `last` when no more will come.
    fn advance(&mut self, old: usize, last: bool) -> Result<()> {
        let len = self.received();
        check_size(len, &self.opts)?;
        let fresh = &self.buf[old - self.dropped..];
        if self.first_nul.is_none() && has_byte(fresh, 0) {
            self.first_nul = fresh.iter().position(|&b| b == 0).map(|p| p + old);
        }
        if !self.magic_checked && (len >= 16 || last) {
            self.magic_checked = true;
            check_magic(&self.buf)?;
        }
        if self.magic_checked {
            if let Some(pos) = self.first_nul {
                let line = if self.dropped == 0 {
                    1 + line_ends(&self.buf[..pos], false)
                } else {
                    // The NUL is in bytes not parsed yet (it is refused as it arrives).
                    let (text, cut) = self.text_view();
                    self.parsed_line + line_ends(&text[self.parsed - cut..pos - self.start - cut], after_cr(text, self.parsed, cut))
                };
                return Err(Error::Csv(format!(
                    "the file contains a NUL byte at offset {pos} (line {line}): it looks like a binary file (a spreadsheet or archive?), not CSV text; open it in its program and export it as CSV"
                )));
            }
        }
        if self.engine.is_none() {
            let bom = b"\xEF\xBB\xBF";
            let has_bom = self.buf.starts_with(bom);
            let start = if has_bom { 3 } else { 0 };
            let undecided = !has_bom && len < 3 && bom.starts_with(&self.buf) && !last;
            if undecided || (len - start <= SNIFF_BYTES && !last) {
                return Ok(());
            }
            self.start = start;
            let text = &self.buf[start..];
            let cut = text.len() > SNIFF_BYTES;
            let mut engine = Engine::new(self.opts.clone(), &text[..text.len().min(SNIFF_BYTES)], cut, len)?;
            engine.expected_text = self.expected.saturating_sub(start);
            self.scanner = Some(Scanner::new(engine.delim));
            self.engine = Some(engine);
        }
        let (text, cut) = text_view(&self.buf, self.start, self.dropped);
        let (Some(engine), Some(sc)) = (self.engine.as_mut(), self.scanner.as_mut()) else { return Ok(()) };
        let from = self.scan_base + sc.seen() as usize;
        if let Some(k) = sc.scan_to_last_end(&text[from - cut..]) {
            let boundary = from + k;
            let records = &text[self.parsed - cut..boundary - cut];
            let after = after_cr(text, self.parsed, cut);
            let lines = engine.process(records, self.parsed_line, after)?;
            self.parsed_line += lines.unwrap_or_else(|| line_ends(records, after));
            self.parsed = boundary;
        }
        self.drop_parsed();
        Ok(())
    }

    /// No more bytes: parses the last records (and skips unterminated quotes).
    fn end(&mut self) -> Result<()> {
        if self.ended || self.restart {
            return Ok(());
        }
        let len = self.received();
        self.advance(len, true)?;
        if self.restart {
            return Ok(());
        }
        let (Some(mut engine), Some(sc)) = (self.engine.take(), self.scanner.take()) else {
            return Err(Error::Csv("internal: the reader did not start".into()));
        };
        engine.report.bytes = len;
        let (text, cut) = text_view(&self.buf, self.start, self.dropped);
        let text_len = cut + text.len();
        let mut sc = sc;
        while sc.in_quote() {
            let (quote_line, quote_field, quote_at) = sc.open_quote();
            let column = engine.names.get(quote_field).map(|n| format!(" (column '{}')", truncate(n, 60))).unwrap_or_default();
            let never_closed = format!(
                "field {}{column} opens a quote that is never closed, so the rest of the file ({} more line(s)) would be read as one value; add the closing '\"' or remove the stray quote",
                quote_field + 1,
                sc.line().saturating_sub(quote_line)
            );
            if !self.opts.skip_malformed_rows {
                return Err(Error::CsvLine { line: quote_line, message: never_closed });
            }
            if !engine.header_done {
                return Err(Error::CsvLine { line: quote_line, message: format!("{never_closed} (skip_malformed_rows cannot skip the header)") });
            }
            // Skip the record that holds the stray quote, up to the end of the
            // quote's line, and read on from the next line.
            let quote_at = self.scan_base + quote_at as usize;
            let mut next = text[quote_at - cut..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(text_len, |k| quote_at + k + 1);
            if text.get(next - 1 - cut) == Some(&b'\r') && text.get(next - cut) == Some(&b'\n') {
                next += 1;
            }
            engine.skip_unterminated(self.parsed_line..=quote_line, self.parsed..next);
            self.parsed_line += line_ends(&text[self.parsed - cut..next - cut], after_cr(text, self.parsed, cut));
            self.parsed = next;
            self.scan_base = next;
            sc = Scanner::at_line(engine.delim, self.parsed_line);
            // The records up to the next stray quote (if any) are read as usual.
            if let Some(k) = sc.scan_to_last_end(&text[next - cut..]) {
                if sc.in_quote() {
                    let records = &text[next - cut..next + k - cut];
                    engine.process(records, self.parsed_line, after_cr(text, next, cut))?;
                    self.parsed_line += line_ends(records, after_cr(text, next, cut));
                    self.parsed = next + k;
                }
            }
        }
        if self.parsed < text_len {
            engine.process(&text[self.parsed - cut..], self.parsed_line, after_cr(text, self.parsed, cut))?;
        }
        self.ended = true;
        if engine.needs_pass2 && cut > 0 {
            self.restart = true;
            return Ok(());
        }
        self.ended_engine = Some(engine);
        Ok(())
    }

    fn finish(&mut self) -> Result<(Table, ReadReport)> {
        self.end()?;
        if self.restart {
            return Err(Error::Csv(
                "internal: a column turned to text after numbers whose bytes were dropped; read the file again with CsvChunkReader::with_capacity".into(),
            ));
        }
        let Some(engine) = self.ended_engine.take() else {
            return Err(Error::Csv("internal: the reader did not start".into()));
        };
        let (text, _) = self.text_view();
        engine.finish(text)
    }
}

/// The text (after a BOM of `start` bytes) still in `buf`, of which `dropped`
/// bytes were dropped, and how many of the text's first bytes that cut: the
/// text's byte `i` is `view[i - cut]`.
fn text_view(buf: &[u8], start: usize, dropped: usize) -> (&[u8], usize) {
    if dropped <= start {
        (&buf[start - dropped..], 0)
    } else {
        (buf, dropped - start)
    }
}

/// Whether the byte before `at` (a text offset) is a `\r` (a `\n` at `at` then ends
/// no new line); `text` starts at offset `cut` (see `Reader::text_view`).
fn after_cr(text: &[u8], at: usize, cut: usize) -> bool {
    at > 0 && text[at - 1 - cut] == b'\r'
}

/// Known binary formats, by their first bytes.
fn check_magic(bytes: &[u8]) -> Result<()> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "a PNG image"),
        (b"PK\x03\x04", "a ZIP archive (an .xlsx, .ods or .docx file is one)"),
        (b"PK\x05\x06", "an empty ZIP archive"),
        (b"\xD0\xCF\x11\xE0", "an old Excel .xls (OLE) document"),
        (b"%PDF", "a PDF document"),
        (b"\x1F\x8B", "a gzip archive (decompress it first)"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x7FELF", "a program"),
        (b"SQLite format 3\0", "an SQLite database"),
        (b"PAR1", "a Parquet file"),
    ];
    for (sig, what) in MAGIC {
        if bytes.starts_with(sig) {
            return Err(Error::Csv(format!(
                "the file looks like {what}, not CSV text: it is binary (a renamed file?); open it in its program and export the data as CSV"
            )));
        }
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Error::Csv(
            "the file is UTF-16 text (Excel's 'Unicode Text'), which this reader does not decode; save it as 'CSV UTF-8' and try again".into(),
        ));
    }
    Ok(())
}

/// Column builders and everything learned so far.
struct Engine {
    opts: ReadOptions,
    delim: u8,
    missing: HashSet<String>,
    /// Some missing token parses as a number (e.g. `-999`): check tokens before numbers.
    missing_numeric: bool,
    header_done: bool,
    names: Vec<String>,
    forced: Vec<Option<ColumnType>>,
    coerce: Vec<bool>,
    builders: Vec<Builder>,
    n_cols: usize,
    n_rows: usize,
    /// Line of each kept data row (for messages about cells).
    row_lines: Vec<u64>,
    needs_pass2: bool,
    report: ReadReport,
    latin1_line: Option<u64>,
    /// Lines of records skipped for a quote never closed.
    unterminated: Vec<std::ops::RangeInclusive<u64>>,
    /// Their bytes in the text (pass 2 reads around them).
    unterminated_spans: Vec<std::ops::Range<usize>>,
    /// The text's size when known (0: unknown), and the text bytes given to
    /// `process` before the current call: the columns are sized from them.
    expected_text: usize,
    bytes_before: usize,
    sized: bool,
    /// The quote-free path's row of plain decimals (value and [`PlainNum::kind`]), reused.
    row_buf: Vec<(f64, u8)>,
}

/// After how many rows the columns are sized for the whole file (when its size is known).
const SIZE_AFTER_ROWS: usize = 4096;

impl Engine {
    fn new(opts: ReadOptions, sample: &[u8], cut: bool, bytes: usize) -> Result<Engine> {
        let controls = sample.iter().filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b)).count();
        if controls * 100 > sample.len().max(1) {
            return Err(Error::Csv(format!(
                "the file is not text ({controls} control bytes in the first {} bytes): it looks binary; open it in its program and export it as CSV",
                sample.len()
            )));
        }
        let delim = match opts.delimiter {
            Some(c) if c.is_ascii() && c != '"' && c != '\n' && c != '\r' => c as u8,
            Some(c) => {
                return Err(Error::param("read options", "delimiter", format!("{c:?} is not allowed: use one ASCII character other than a quote or a newline")))
            }
            None => sniff_delimiter(sample, cut),
        };
        let mut report = ReadReport { bytes, encoding: "utf-8".into(), ..Default::default() };
        report.delimiter = match delim {
            b'\t' => "\\t".to_string(),
            d => (d as char).to_string(),
        };
        let missing: HashSet<String> = opts.missing_values.iter().map(|s| s.trim().to_string()).collect();
        let missing_numeric = missing.iter().any(|m| parse_number(m).is_some());
        Ok(Engine {
            opts,
            delim,
            missing,
            missing_numeric,
            header_done: false,
            names: Vec::new(),
            forced: Vec::new(),
            coerce: Vec::new(),
            builders: Vec::new(),
            n_cols: 0,
            n_rows: 0,
            row_lines: Vec::new(),
            needs_pass2: false,
            report,
            latin1_line: None,
            unterminated: Vec::new(),
            unterminated_spans: Vec::new(),
            expected_text: 0,
            bytes_before: 0,
            sized: false,
            row_buf: Vec::new(),
        })
    }

    /// Reserves every column for the rows the whole text will hold, estimated from
    /// the first `n_rows` rows in `bytes_done` bytes (+3 %), instead of letting each
    /// grow by doubling (up to 2 × the rows, and a copy at each step). Only capacity:
    /// a wrong estimate costs memory or a doubling, never a different table. Skipped
    /// when the estimate is implausible (over 6 bytes of table per byte of text).
    fn size_columns(&mut self, bytes_done: usize) {
        self.sized = true;
        if bytes_done == 0 || self.expected_text <= bytes_done {
            return;
        }
        let est = (self.n_rows as f64 * (self.expected_text as f64 / bytes_done as f64) * 1.03) as usize + 64;
        if est.saturating_mul(8 * (self.n_cols + 1)) > self.expected_text.saturating_mul(6) {
            return;
        }
        let more = est.saturating_sub(self.n_rows);
        // A failed reservation only leaves the doubling growth.
        let _ = self.row_lines.try_reserve_exact(more);
        for b in &mut self.builders {
            match b {
                Builder::Num(n) => drop(n.values.try_reserve_exact(more)),
                Builder::Cat(c) => drop(c.data.codes.try_reserve_exact(more)),
                Builder::Deferred => {}
            }
        }
    }

    /// Parses complete records; `first_line` is the line the text starts on,
    /// `after_cr` whether the byte before it was a `\r`. Lines are counted by
    /// [`line_ends`] up to each record's first byte (the `csv` crate's own
    /// line numbers count `\n` only: one too low after CRLF, always 1 in CR files).
    /// Returns the line ends in `text` when the quote-free path counted them.
    fn process(&mut self, text: &[u8], first_line: u64, after_cr: bool) -> Result<Option<u64>> {
        if !has_byte(text, b'"') && !text.starts_with(b"\xEF\xBB\xBF") {
            return self.process_plain(text, first_line, after_cr).map(Some);
        }
        self.process_csv(text, first_line, after_cr).map(|()| None)
    }

    /// [`process`](Self::process) through the `csv` crate (text with quotes).
    fn process_csv(&mut self, text: &[u8], first_line: u64, after_cr: bool) -> Result<()> {
        let mut rdr = csv::ReaderBuilder::new().delimiter(self.delim).has_headers(false).flexible(true).from_reader(text);
        let mut rec = csv::ByteRecord::new();
        let (mut at, mut line) = (0usize, first_line);
        let mut line_at = |pos: Option<&csv::Position>| {
            let mut to = pos.map_or(at, |p| (p.byte() as usize).clamp(at, text.len()));
            // A record's position is where the reader started looking for it, before
            // the blank lines it skips: its first byte is after them.
            while to < text.len() && matches!(text[to], b'\r' | b'\n') {
                to += 1;
            }
            line += line_ends(&text[at..to], if at == 0 { after_cr } else { text[at - 1] == b'\r' });
            at = to;
            line
        };
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {
                    let line = line_at(rec.position());
                    self.record(&rec, line)?;
                    if !self.sized && self.n_rows >= SIZE_AFTER_ROWS && self.expected_text > 0 {
                        let done = rec.position().map_or(0, |p| p.byte() as usize);
                        self.size_columns(self.bytes_before + done);
                    }
                }
                Ok(false) => {
                    self.bytes_before += text.len();
                    return Ok(());
                }
                Err(e) => {
                    let line = line_at(e.position());
                    return Err(Error::CsvLine { line, message: e.to_string() });
                }
            }
        }
    }

    /// [`process`](Self::process) for text without a quote (most files): records end
    /// at `\n`, `\r` or `\r\n` and fields at the delimiter, as in the `csv` crate's
    /// dialect, but split here without its byte-at-a-time state machine; empty
    /// lines are skipped as it does. (A leading BOM, which the crate strips, also
    /// takes its path.) Returns the line ends in `text`, counted as [`line_ends`] does.
    fn process_plain(&mut self, text: &[u8], first_line: u64, after_cr: bool) -> Result<u64> {
        let mut rec = csv::ByteRecord::new();
        let (mut pos, mut line, mut prev_cr) = (0usize, first_line, after_cr);
        let mut fast = self.plain_rows_ok();
        while pos < text.len() {
            match text[pos] {
                b'\n' => {
                    line += u64::from(!prev_cr);
                    prev_cr = false;
                    pos += 1;
                }
                b'\r' => {
                    line += 1;
                    prev_cr = true;
                    pos += 1;
                }
                _ => {
                    let end = match self.plain_row(text, pos, line, fast) {
                        Some(end) => end,
                        None => {
                            let end = text[pos..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(text.len(), |k| pos + k);
                            rec.clear();
                            for field in text[pos..end].split(|&b| b == self.delim) {
                                rec.push_field(field);
                            }
                            self.record(&rec, line)?;
                            fast = self.plain_rows_ok();
                            end
                        }
                    };
                    if !self.sized && self.n_rows >= SIZE_AFTER_ROWS && self.expected_text > 0 {
                        self.size_columns(self.bytes_before + pos);
                    }
                    pos = end;
                    prev_cr = false;
                }
            }
        }
        self.bytes_before += text.len();
        Ok(line - first_line)
    }

    /// Whether [`plain_row`](Self::plain_row) may read the next records: the header is
    /// read, every column is still numeric, no missing token is a number (a plain
    /// decimal is then always a number, never a missing cell), and the delimiter
    /// is none of the bytes a plain decimal holds.
    fn plain_rows_ok(&self) -> bool {
        self.header_done
            && !self.missing_numeric
            && !matches!(self.delim, b'0'..=b'9' | b'.' | b'-')
            && self.builders.iter().all(|b| matches!(b, Builder::Num(_)))
    }

    /// The record at `text[pos..]` when it is `n_cols` plain decimals (`-?[0-9]+(\.[0-9]+)?`,
    /// [`plain_number`]) between delimiters, up to `\n`, `\r` or the end of `text`: pushed
    /// as [`record`](Self::record) would push it (the same values, the same 0/1 notes),
    /// in one pass over its bytes, with no field copies, UTF-8 checks or trimming. Returns
    /// where the record ends; `None` (nothing pushed) for any other record, which then
    /// takes the general path. `ok`: [`plain_rows_ok`](Self::plain_rows_ok).
    #[inline]
    fn plain_row(&mut self, text: &[u8], pos: usize, line: u64, ok: bool) -> Option<usize> {
        if !ok {
            return None;
        }
        let n = self.n_cols;
        self.row_buf.clear();
        let mut i = pos;
        loop {
            let num = plain_number(text, i)?;
            self.row_buf.push((num.value, num.kind));
            match text.get(num.end) {
                None | Some(b'\n' | b'\r') => {
                    i = num.end;
                    break;
                }
                Some(&b) if b == self.delim && self.row_buf.len() < n => i = num.end + 1,
                _ => return None,
            }
        }
        if self.row_buf.len() != n {
            return None;
        }
        for (b, &(v, kind)) in self.builders.iter_mut().zip(&self.row_buf) {
            // Every builder is numeric (`plain_rows_ok`).
            if let Builder::Num(nb) = b {
                if !nb.not_01 {
                    match kind {
                        0 | 1 => nb.seen[kind as usize] = true,
                        _ => nb.not_01 = true,
                    }
                }
                nb.values.push(v);
            }
        }
        self.n_rows += 1;
        self.row_lines.push(line);
        Some(i)
    }

    /// A record skipped for a quote never closed (`skip_malformed_rows`): its lines.
    fn skip_unterminated(&mut self, lines: std::ops::RangeInclusive<u64>, span: std::ops::Range<usize>) {
        self.report.skipped_rows.push(*lines.start());
        self.unterminated.push(lines);
        self.unterminated_spans.push(span);
    }

    fn start_columns(&mut self, rec: &csv::ByteRecord, line: u64) -> Result<()> {
        self.header_done = true;
        self.n_cols = rec.len();
        self.names = if self.opts.has_header {
            let mut scratch = String::new();
            let raw: Vec<String> = rec.iter().map(|f| decode_field(f, &mut scratch, &mut self.latin1_line, line).to_string()).collect();
            unique_headers(&raw, &mut self.report)
        } else {
            (1..=self.n_cols).map(|i| format!("column_{i}")).collect()
        };
        let mut keys: Vec<&String> = self.opts.types.keys().collect();
        crate::sorting::sort_by(&mut keys, &|a, b| a.cmp(b));
        for name in keys {
            if !self.names.contains(name) && !self.opts.types_for_present_columns_only {
                return Err(Error::column(name, format!("has a type override but no such column is in the file (columns: {})", list_names(&self.names))));
            }
        }
        for name in &self.opts.coerce_numeric {
            if !self.names.contains(name) {
                return Err(Error::column(
                    name,
                    format!("is listed in coerce_numeric but no such column is in the file (columns: {})", list_names(&self.names)),
                ));
            }
            if let Some(t) = self.opts.types.get(name) {
                if *t != ColumnType::Numeric {
                    return Err(Error::column(name, format!("is listed in coerce_numeric but its type is set to {}; choose one", t.as_str())));
                }
            }
        }
        self.forced = self.names.iter().map(|n| self.opts.types.get(n).copied()).collect();
        self.coerce = self.names.iter().map(|n| self.opts.coerce_numeric.contains(n)).collect();
        self.builders = self
            .forced
            .iter()
            .map(|f| match f {
                Some(ColumnType::Categorical) => Builder::Cat(CatBuilder::default()),
                _ => Builder::Num(NumBuilder::default()),
            })
            .collect();
        Ok(())
    }

    fn record(&mut self, rec: &csv::ByteRecord, line: u64) -> Result<()> {
        if is_blank(rec) {
            return Ok(());
        }
        if !self.header_done {
            self.start_columns(rec, line)?;
            if self.opts.has_header {
                return Ok(());
            }
        }
        if rec.len() != self.n_cols {
            if self.opts.skip_malformed_rows {
                self.report.skipped_rows.push(line);
                return Ok(());
            }
            let (what, hint) = if rec.len() < self.n_cols {
                ("too few", "a missing delimiter or a cut line?")
            } else {
                ("too many", "an unquoted delimiter inside a value? quote that value")
            };
            return Err(Error::CsvLine {
                line,
                message: format!(
                    "has {} field(s) but the header has {} ({what}: {hint}); fix the row, or set skip_malformed_rows to skip such rows",
                    rec.len(),
                    self.n_cols
                ),
            });
        }
        let row = self.n_rows + 1;
        let mut scratch = String::new();
        for (j, field) in rec.iter().enumerate() {
            let s = cell(field, &mut scratch, &mut self.latin1_line, line);
            match &mut self.builders[j] {
                Builder::Num(b) => {
                    let num = if self.missing_numeric && self.missing.contains(s) { None } else { parse_number(s) };
                    if let Some(x) = num {
                        b.note(s);
                        if x.is_infinite() {
                            b.n_inf += 1;
                            if b.first_inf.is_none() {
                                b.first_inf = Some(CellRef { line, row, value: s.to_string() });
                            }
                        }
                        b.values.push(x);
                    } else if self.missing.contains(s) || s.eq_ignore_ascii_case("nan") {
                        b.values.push(f64::NAN);
                    } else if self.coerce[j] {
                        b.values.push(f64::NAN);
                        b.coerced += 1;
                        if b.coerced_examples.len() < MAX_EXAMPLES {
                            b.coerced_examples.push(CellRef { line, row, value: truncate(s, 40) });
                        }
                    } else if self.forced[j] == Some(ColumnType::Numeric) {
                        return Err(Error::CsvLine {
                            line,
                            message: format!(
                                "column '{}' (row {row}) is set to numeric but holds {:?}; fix the cell, add the token to missing_values, or list the column in coerce_numeric to read such cells as missing",
                                self.names[j],
                                truncate(s, 40)
                            ),
                        });
                    } else if b.values.iter().all(|v| v.is_nan()) {
                        // Text from the start (or after only missing cells): no re-read needed.
                        let mut c = CatBuilder::default();
                        for _ in 0..b.values.len() {
                            c.push(None);
                        }
                        c.push(Some(s));
                        self.builders[j] = Builder::Cat(c);
                    } else {
                        self.builders[j] = Builder::Deferred;
                        self.needs_pass2 = true;
                    }
                }
                Builder::Cat(c) => c.push((!self.missing.contains(s)).then_some(s)),
                Builder::Deferred => {}
            }
        }
        self.n_rows += 1;
        self.row_lines.push(line);
        Ok(())
    }

    fn finish(mut self, text: &[u8]) -> Result<(Table, ReadReport)> {
        if !self.header_done {
            return Err(Error::Csv("the file is empty: it has no header and no rows; choose a file with data".into()));
        }
        if self.n_rows == 0 {
            let why = if self.report.skipped_rows.is_empty() {
                String::new()
            } else {
                format!(" ({} malformed row(s) were skipped)", self.report.skipped_rows.len())
            };
            return Err(Error::Csv(format!(
                "the file has a header ({} column(s): {}) but no data rows{why}; add rows below the header",
                self.n_cols,
                list_names(&self.names)
            )));
        }
        if self.needs_pass2 {
            self.reread_deferred(text)?;
        }
        if let Some(line) = self.latin1_line {
            self.report.encoding = "windows-1252".into();
            self.report.warnings.push(format!(
                "the file is not valid UTF-8 (first at line {line}); such fields were decoded as Windows-1252 / Latin-1 — check accented letters, or save the file as 'CSV UTF-8'"
            ));
        }
        let mut columns = Vec::with_capacity(self.n_cols);
        let builders = std::mem::take(&mut self.builders);
        let names = std::mem::take(&mut self.names);
        for (j, (b, name)) in builders.into_iter().zip(names).enumerate() {
            if let Builder::Num(n) = &b {
                if n.coerced > 0 {
                    let numeric_count = n.values.iter().filter(|v| !v.is_nan()).count();
                    self.report.warnings.push(format!(
                        "column '{name}': {} cell(s) that are not numbers were read as missing (coerce_numeric): {}",
                        n.coerced,
                        list_cells(&n.coerced_examples, n.coerced)
                    ));
                    self.report.stray_values.push(StrayValues {
                        column: name.clone(),
                        count: n.coerced,
                        numeric_count,
                        examples: n.coerced_examples.clone(),
                        coerced: true,
                    });
                }
            }
            let inf = match &b {
                Builder::Num(n) if n.n_inf > 0 => n.first_inf.clone().map(|f| (n.n_inf, f)),
                _ => None,
            };
            let data = finish(b, self.forced[j], &name)?;
            if let (Some((count, first)), ColumnData::Numeric(_)) = (inf, &data) {
                self.report.warnings.push(infinite_warning(&name, count, &first));
                self.report.infinite_values.push(InfiniteValues { column: name.clone(), count, first });
            }
            if let ColumnData::Categorical(c) = &data {
                if self.forced[j].is_none() && self.delim != b',' && decimal_comma(c) {
                    let example = c.levels.iter().find(|l| l.contains(',')).cloned().unwrap_or_default();
                    self.report.warnings.push(format!(
                        "column '{name}' looks like numbers written with a decimal comma (e.g. {example:?}); it was read as categorical — export the file with '.' as the decimal separator"
                    ));
                }
                if self.forced[j].is_none() {
                    if let Some(s) = stray_numbers(&name, c, &self.row_lines) {
                        self.report.warnings.push(format!(
                            "column '{name}' looks numeric but {} of {} cell(s) are not numbers ({}); it was read as categorical — fix those cells, add the token to missing_values, or list the column in coerce_numeric to read them as missing",
                            s.count,
                            s.count + s.numeric_count,
                            list_cells(&s.examples, s.count)
                        ));
                        self.report.stray_values.push(s);
                    }
                }
            }
            columns.push(Column { name, data });
        }
        let ragged: Vec<u64> = self.report.skipped_rows.iter().copied().filter(|l| !self.unterminated.iter().any(|r| r.start() == l)).collect();
        if !ragged.is_empty() {
            self.report.warnings.push(format!(
                "{} malformed row(s) skipped (line(s) {}): their field count differs from the header's",
                ragged.len(),
                summarize_lines(&ragged)
            ));
        }
        if !self.unterminated.is_empty() {
            let lines: Vec<String> =
                self.unterminated.iter().map(|r| if r.start() == r.end() { r.start().to_string() } else { format!("{}-{}", r.start(), r.end()) }).collect();
            self.report.warnings.push(format!(
                "{} row(s) skipped (line(s) {}): a quote opened in them is never closed; each was skipped to the end of the quote's line and reading went on from the next line",
                self.unterminated.len(),
                lines.join(", ")
            ));
        }
        if self.opts.has_header && !columns.is_empty() && columns.iter().all(|c| parse_number(&c.name).is_some()) {
            self.report
                .warnings
                .push("every header name is a number: if the file has no header row, set has_header to false so the first row is kept as data".into());
        }
        let mut table = Table::new(columns)?;
        table.origin = super::origin::RowOrigin::from_lines(&self.row_lines);
        Ok((table, self.report))
    }

    /// Pass 2: columns that turned out to be text after some numbers.
    fn reread_deferred(&mut self, text: &[u8]) -> Result<()> {
        let deferred: Vec<usize> = (0..self.n_cols).filter(|&j| matches!(self.builders[j], Builder::Deferred)).collect();
        let mut cats: Vec<CatBuilder> = deferred.iter().map(|_| CatBuilder::default()).collect();
        let mut record = csv::ByteRecord::new();
        let mut header_skipped = !self.opts.has_header;
        let mut scratch = String::new();
        let mut ignored = None;
        // The text without the records skipped for a quote never closed, as pass 1 read it.
        let mut segments = Vec::with_capacity(self.unterminated_spans.len() + 1);
        let mut from = 0;
        for span in &self.unterminated_spans {
            segments.push(&text[from..span.start]);
            from = span.end;
        }
        segments.push(&text[from..]);
        for segment in segments {
            let mut rdr = csv::ReaderBuilder::new().delimiter(self.delim).has_headers(false).flexible(true).from_reader(segment);
            while rdr.read_byte_record(&mut record).map_err(|e| Error::CsvLine { line: e.position().map_or(0, |p| p.line()), message: e.to_string() })? {
                if is_blank(&record) {
                    continue;
                }
                if !header_skipped {
                    header_skipped = true;
                    continue;
                }
                if record.len() != self.n_cols {
                    continue; // skipped in pass 1 as well
                }
                for (k, &j) in deferred.iter().enumerate() {
                    let s = cell(&record[j], &mut scratch, &mut ignored, 0);
                    cats[k].push((!self.missing.contains(s)).then_some(s));
                }
            }
        }
        for (k, &j) in deferred.iter().enumerate() {
            if cats[k].data.codes.len() != self.n_rows {
                return Err(Error::column(&self.names[j], "internal: the second pass read a different number of rows"));
            }
            self.builders[j] = Builder::Cat(std::mem::take(&mut cats[k]));
        }
        Ok(())
    }
}

/// The warning for a numeric column holding `count` infinite values, the first at `first`.
pub(super) fn infinite_warning(name: &str, count: usize, first: &CellRef) -> String {
    format!(
        "column '{name}' holds {count} infinite value(s) (first at line {}: {:?}); models need finite numbers — fix them, or add the token to missing_values",
        first.line, first.value
    )
}

/// A categorical column where numbers dominate: the few text cells are reported.
fn stray_numbers(name: &str, c: &CatData, row_lines: &[u64]) -> Option<StrayValues> {
    let is_num: Vec<bool> = c.levels.iter().map(|l| parse_number(l).is_some()).collect();
    if !is_num.iter().any(|&b| b) {
        return None;
    }
    let mut numeric_count = 0;
    let mut count = 0;
    let mut examples = Vec::new();
    for (i, &k) in c.codes.iter().enumerate() {
        if k == MISSING_CODE {
            continue;
        }
        if is_num[k as usize] {
            numeric_count += 1;
        } else {
            count += 1;
            if examples.len() < MAX_EXAMPLES {
                examples.push(CellRef { line: row_lines.get(i).copied().unwrap_or(0), row: i + 1, value: truncate(&c.levels[k as usize], 40) });
            }
        }
    }
    // "A few": at most 10% of the non-missing cells.
    (count > 0 && count * 10 <= count + numeric_count).then(|| StrayValues { column: name.to_string(), count, numeric_count, examples, coerced: false })
}

/// Every level is a number once a single ',' is read as '.', and some level has a ','.
fn decimal_comma(c: &CatData) -> bool {
    let mut any = false;
    for l in &c.levels {
        if l.matches(',').count() == 1 {
            any = true;
            if parse_number(&l.replacen(',', ".", 1)).is_none() {
                return false;
            }
        } else if parse_number(l).is_none() {
            return false;
        }
    }
    any
}

fn list_cells(cells: &[CellRef], total: usize) -> String {
    let shown: Vec<String> = cells.iter().map(|c| format!("line {} (row {}): {:?}", c.line, c.row, c.value)).collect();
    let more = if total > cells.len() { format!(", and {} more", total - cells.len()) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

fn list_names(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(10).map(|n| truncate(n, 40)).collect();
    if names.len() > 10 {
        format!("{}, … ({} in all)", shown.join(", "), names.len())
    } else {
        shown.join(", ")
    }
}

/// UTF-8 when valid, else Windows-1252 into `scratch` (noting the first line where it happened).
fn decode_field<'f>(field: &'f [u8], scratch: &'f mut String, latin1_line: &mut Option<u64>, line: u64) -> &'f str {
    match std::str::from_utf8(field) {
        Ok(s) => s,
        Err(_) => {
            latin1_line.get_or_insert(line);
            scratch.clear();
            scratch.extend(field.iter().map(|&b| cp1252(b)));
            scratch.as_str()
        }
    }
}

/// A cell's text, trimmed of surrounding whitespace (ASCII on the bytes first: the common case is cheap).
fn cell<'f>(field: &'f [u8], scratch: &'f mut String, latin1_line: &mut Option<u64>, line: u64) -> &'f str {
    let f = field.trim_ascii();
    let unicode_edges = f.first().is_some_and(|&b| b >= 0x80) || f.last().is_some_and(|&b| b >= 0x80);
    let s = decode_field(f, scratch, latin1_line, line);
    if unicode_edges {
        s.trim()
    } else {
        s
    }
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

fn is_blank(rec: &csv::ByteRecord) -> bool {
    rec.is_empty() || (rec.len() == 1 && rec[0].iter().all(|b| b.is_ascii_whitespace()))
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™',
        'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    if (0x80..0xa0).contains(&b) {
        HIGH[(b - 0x80) as usize]
    } else {
        b as char
    }
}

/// Picks the candidate delimiter giving the most consistent multi-field rows
/// over the first lines; comma when nothing stands out. `cut`: the sample
/// ends inside the file, so its last line may be partial.
pub(super) fn sniff_delimiter(sample: &[u8], cut: bool) -> u8 {
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
        if cut && counts.len() > 1 && counts.len() < 30 {
            counts.pop();
        }
        let Some(&first) = counts.first() else { continue };
        if first < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        let score = consistent * 1000 + first.min(999);
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn unique_headers(raw: &[String], report: &mut ReadReport) -> Vec<String> {
    let mut names = Vec::with_capacity(raw.len());
    let mut seen: HashSet<String> = HashSet::with_capacity(raw.len());
    for (i, raw) in raw.iter().enumerate() {
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
        if &name != raw {
            report.renamed_headers.push((raw.clone(), name.clone()));
        }
        seen.insert(name.clone());
        names.push(name);
    }
    if !report.renamed_headers.is_empty() {
        let list: Vec<String> = report.renamed_headers.iter().take(10).map(|(a, b)| format!("{:?} → {:?}", truncate(a, 40), truncate(b, 40))).collect();
        let more = if report.renamed_headers.len() > 10 { format!(" and {} more", report.renamed_headers.len() - 10) } else { String::new() };
        report.warnings.push(format!("header names made unique / non-empty: {}{more}", list.join(", ")));
    }
    names
}

/// Parses a numeric cell: integers, decimals, exponents, a leading `+`,
/// `inf`/`-inf`/`infinity`. Rejects anything else (thousands separators, units,
/// `nan` — which the reader treats as missing).
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

/// A plain decimal read by [`plain_number`].
struct PlainNum {
    value: f64,
    /// 0 or 1 for the text `0` or `1` (what [`NumBuilder::note`] looks for), else 2.
    kind: u8,
    /// The offset just after its last byte.
    end: usize,
}

/// Exact powers of ten (every one up to 10^22 is a double).
const POW10: [f64; 23] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/// Appends the decimal digits at `text[*i..]` to `w` (wrapping: the caller refuses
/// more than 19 digits), eight at a time while eight are there (one multiply-add per
/// eight digits instead of a dependency chain of eight), then one at a time.
#[inline(always)]
fn digits(text: &[u8], i: &mut usize, w: &mut u64) {
    while let Some(eight) = text.get(*i..).and_then(|t| t.first_chunk::<8>()) {
        let v = u64::from_le_bytes(*eight);
        // Every byte in b'0'..=b'9': no byte's high bit set after adding 0x46 or subtracting 0x30.
        if (v.wrapping_add(0x4646_4646_4646_4646) | v.wrapping_sub(0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        // The eight digits' value (the SWAR step of `core::num::dec2flt`'s parser).
        let v = v - 0x3030_3030_3030_3030;
        let v = v.wrapping_mul(10).wrapping_add(v >> 8);
        let v1 = (v & 0x0000_00ff_0000_00ff).wrapping_mul(0x000f_4240_0000_0064);
        let v2 = ((v >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(0x0000_2710_0000_0001);
        *w = w.wrapping_mul(100_000_000).wrapping_add(u64::from((v1.wrapping_add(v2) >> 32) as u32));
        *i += 8;
    }
    while let Some(&c) = text.get(*i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *w = w.wrapping_mul(10).wrapping_add(u64::from(d));
        *i += 1;
    }
}

/// `5^-q` for `q` = 22 down to 1 as 128-bit fractions (high, low word), normalised so
/// the top bit is set and rounded up: `⌊2^(z+127) / 5^q⌋ + 1` with `z = ⌈log2 5^q⌉`,
/// the entries of the Eisel-Lemire table (fast_float's, and `core::num::dec2flt`'s)
/// for these exponents.
const POW5_NEG: [(u64, u64); 22] = [
    (0xf1c90080baf72cb1, 0x5324c68b12dd6339),
    (0x971da05074da7bee, 0xd3f6fc16ebca5e04),
    (0xbce5086492111aea, 0x88f4bb1ca6bcf585),
    (0xec1e4a7db69561a5, 0x2b31e9e3d06c32e6),
    (0x9392ee8e921d5d07, 0x3aff322e62439fd0),
    (0xb877aa3236a4b449, 0x09befeb9fad487c3),
    (0xe69594bec44de15b, 0x4c2ebe687989a9b4),
    (0x901d7cf73ab0acd9, 0x0f9d37014bf60a11),
    (0xb424dc35095cd80f, 0x538484c19ef38c95),
    (0xe12e13424bb40e13, 0x2865a5f206b06fba),
    (0x8cbccc096f5088cb, 0xf93f87b7442e45d4),
    (0xafebff0bcb24aafe, 0xf78f69a51539d749),
    (0xdbe6fecebdedd5be, 0xb573440e5a884d1c),
    (0x89705f4136b4a597, 0x31680a88f8953031),
    (0xabcc77118461cefc, 0xfdc20d2b36ba7c3e),
    (0xd6bf94d5e57a42bc, 0x3d32907604691b4d),
    (0x8637bd05af6c69b5, 0xa63f9a49c2c1b110),
    (0xa7c5ac471b478423, 0x0fcf80dc33721d54),
    (0xd1b71758e219652b, 0xd3c36113404ea4a9),
    (0x83126e978d4fdf3b, 0x645a1cac083126ea),
    (0xa3d70a3d70a3d70a, 0x3d70a3d70a3d70a4),
    (0xcccccccccccccccc, 0xcccccccccccccccd),
];

/// `w / 10^decimals` correctly rounded (`1 <= decimals <= 22`, `w >= 2^53` exact), by
/// the Eisel-Lemire algorithm as `core::num::dec2flt::lemire::compute_float` runs it
/// for these exponents (Lemire, "Number parsing at a gigabyte per second", 2021): the
/// 128-bit product of `w` with `5^-decimals` decides the 54 leading bits and the
/// rounding unless the product is too close to a halfway point; those rare cases
/// (and the round-to-even ties `core` resolves in place) return `None`, and the
/// caller asks `str::parse`. The same bits as `str::parse` (which takes this path
/// for such texts): `plain_numbers_equal_str_parse`.
#[inline]
fn decimal_to_f64(w: u64, decimals: usize) -> Option<f64> {
    let q = -(decimals as i32);
    let (hi5, lo5) = POW5_NEG[POW5_NEG.len() - decimals];
    let lz = w.leading_zeros();
    let w = w << lz;
    let mul = |a: u64, b: u64| {
        let p = u128::from(a) * u128::from(b);
        (p as u64, (p >> 64) as u64)
    };
    // The product's high 128 bits, refined with the table's low word only when the
    // bits below the 55 kept ones are all ones (a carry could reach them).
    let (mut lo, mut hi) = mul(w, hi5);
    const MASK: u64 = u64::MAX >> 55;
    if hi & MASK == MASK {
        let (_, second_hi) = mul(w, lo5);
        lo = lo.wrapping_add(second_hi);
        if second_hi > lo {
            hi += 1;
        }
    }
    if lo == u64::MAX {
        return None;
    }
    let upperbit = (hi >> 63) as i32;
    let shift = upperbit + 64 - 52 - 3;
    let mut mantissa = hi >> shift;
    // `core`'s `power(q) + upperbit - lz - MINIMUM_EXPONENT`: the biased binary exponent.
    let mut power2 = ((q * (152_170 + 65_536)) >> 16) + 63 + upperbit - lz as i32 + 1023;
    if power2 <= 0 {
        return None;
    }
    if lo <= 1 && q >= -4 && mantissa & 3 == 1 && (mantissa << shift) == hi {
        return None;
    }
    mantissa += mantissa & 1;
    mantissa >>= 1;
    if mantissa >= 2 << 52 {
        mantissa = 1 << 52;
        power2 += 1;
    }
    mantissa &= !(1 << 52);
    if power2 >= 0x7ff {
        return None;
    }
    Some(f64::from_bits(mantissa | (power2 as u64) << 52))
}

/// The number at `text[start..]` when it is a plain decimal: `-?[0-9]+(\.[0-9]+)?` of at
/// most 19 digits, ending at the end of `text` or at any byte that is not a digit or `.`
/// (the caller checks that byte). Its value is the one [`parse_number`] gives the same
/// text (`str::parse`'s correctly rounded double): with a significand `w < 2^53` and at
/// most 22 decimals, `w / 10^decimals` is one correctly rounded division of two exact
/// doubles (Clinger's fast path, which `str::parse` also takes); a larger `w` with 1 to
/// 22 decimals goes through [`decimal_to_f64`]; what is left is handed to `str::parse`. `None` for anything else (a sign `+`, an exponent, `inf`,
/// spaces, more digits, an empty or lone `.` part): the general path reads it.
#[inline(always)]
fn plain_number(text: &[u8], start: usize) -> Option<PlainNum> {
    let neg = text.get(start) == Some(&b'-');
    let digits_from = start + usize::from(neg);
    let mut i = digits_from;
    let mut w: u64 = 0;
    digits(text, &mut i, &mut w);
    let n_int = i - digits_from;
    if n_int == 0 {
        return None;
    }
    let mut decimals = 0;
    if text.get(i) == Some(&b'.') {
        i += 1;
        let from = i;
        digits(text, &mut i, &mut w);
        decimals = i - from;
        if decimals == 0 {
            return None;
        }
    }
    // 19 digits cannot overflow `w` (< 10^19 < 2^64).
    if n_int + decimals > 19 {
        return None;
    }
    let exact = if w < 1 << 53 && decimals < POW10.len() {
        Some(w as f64 / POW10[decimals])
    } else if (1..=POW5_NEG.len()).contains(&decimals) {
        decimal_to_f64(w, decimals)
    } else {
        None
    };
    let value = match exact {
        Some(v) if neg => -v,
        Some(v) => v,
        None => std::str::from_utf8(&text[start..i]).ok()?.parse::<f64>().ok()?,
    };
    let kind = if i - start == 1 && w <= 1 { w as u8 } else { 2 };
    Some(PlainNum { value, kind, end: i })
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
    /// Some non-missing token was not exactly "0" or "1".
    not_01: bool,
    seen: [bool; 2],
    n_inf: usize,
    first_inf: Option<CellRef>,
    coerced: usize,
    coerced_examples: Vec<CellRef>,
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
                Some(ColumnType::Boolean) if !n.not_01 => Ok(ColumnData::Boolean { values: n.values.into(), tokens: ["0".into(), "1".into()] }),
                Some(ColumnType::Boolean) => Err(Error::column(name, "is set to boolean but holds numbers other than 0 and 1")),
                None if is_bool => Ok(ColumnData::Boolean { values: n.values.into(), tokens: ["0".into(), "1".into()] }),
                _ => Ok(ColumnData::Numeric(n.values.into())),
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
pub(super) fn as_boolean(data: &CatData) -> Option<ColumnData> {
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

    fn chunked(bytes: &[u8], opts: &ReadOptions, size: usize) -> Result<(Table, ReadReport)> {
        let mut r = CsvChunkReader::new(opts.clone());
        for c in bytes.chunks(size.max(1)) {
            r.feed(c)?;
            assert!(r.bytes_consumed() <= r.bytes_received());
        }
        r.finish()
    }

    /// The streaming reader, and the retaining one when it asks for the file again (as the page does).
    fn streamed(bytes: &[u8], opts: &ReadOptions, size: usize) -> (Result<(Table, ReadReport)>, bool) {
        let run = || -> Result<Option<(Table, ReadReport)>> {
            let mut r = CsvChunkReader::streaming(opts.clone(), bytes.len())?;
            for c in bytes.chunks(size.max(1)) {
                if r.feed(c)? {
                    return Ok(None);
                }
                assert!(r.bytes_consumed() <= r.bytes_received());
            }
            if r.end()? {
                return Ok(None);
            }
            r.finish().map(Some)
        };
        match run() {
            Ok(Some(t)) => (Ok(t), false),
            Ok(None) => (chunked(bytes, opts, size), true),
            Err(e) => (Err(e), false),
        }
    }

    fn same_as_whole(bytes: &[u8], opts: &ReadOptions) {
        let whole = read_csv(bytes, opts);
        for size in [1, 2, 3, 7, 64, 1000, 70_000, bytes.len() + 1] {
            for (c, how) in [(chunked(bytes, opts, size), "kept"), (streamed(bytes, opts, size).0, "streamed")] {
                match (&whole, &c) {
                    (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "chunk size {size}, {how}"),
                    (Err(_), Err(_)) => {}
                    _ => panic!("chunk size {size}, {how}: {whole:?} vs {c:?}"),
                }
            }
        }
    }

    /// The quote-free split gives the `csv` crate's records and lines.
    #[test]
    fn plain_split_equals_the_csv_crate() {
        let texts: &[&[u8]] = &[
            b"a,b\n1,2\n\n3,4\n",
            b"a,b\r\n1,2\r\n\r\n3,x\r\n5,6",
            b"a;b\r1;2\r\r3;4\r",
            b"a,b\n1,2\n3\n4,5,6\n  \n,\n7,8",
            b"a,b,c\n,,\n1,,\n\n\n\r\n\r\r\n2,3,4\n",
            b"\n\na,b\n1,2\n",
            b"x,y\ncaf\xc3\xa9,1\nb\xe9,2\n \t,3\n",
        ];
        for (k, text) in texts.iter().enumerate() {
            for skip in [false, true] {
                for after_cr in [false, true] {
                    let o = ReadOptions { skip_malformed_rows: skip, ..Default::default() };
                    let delim = if k == 2 { Some(';') } else { None };
                    let o = ReadOptions { delimiter: delim, ..o };
                    let run = |plain: bool| {
                        let mut e = Engine::new(o.clone(), text, false, text.len()).unwrap();
                        if plain {
                            let lines = e.process_plain(text, 3, after_cr).map_err(|e| e.to_string())?;
                            assert_eq!(lines, line_ends(text, after_cr), "text {k}");
                        } else {
                            e.process_csv(text, 3, after_cr).map_err(|e| e.to_string())?;
                        }
                        e.finish(text).map_err(|e| e.to_string())
                    };
                    assert_eq!(format!("{:?}", run(true)), format!("{:?}", run(false)), "text {k}, skip {skip}, after_cr {after_cr}");
                }
            }
        }
    }

    /// The quote-free path's plain decimals give `parse_number`'s bits, on many random
    /// texts: shortest forms of random doubles (16-17 digits, the benchmark's files),
    /// random digit strings of every length around the 19-digit and 2^53 limits, with
    /// leading zeros, signs and up to 25 decimals; and it refuses what it does not read.
    #[test]
    fn plain_numbers_equal_str_parse() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        let check = |t: &str| {
            let want = parse_number(t);
            let got = plain_number(t.as_bytes(), 0);
            if let Some(p) = &got {
                assert_eq!(p.end, t.len(), "{t}");
                assert_eq!(Some(p.value.to_bits()), want.map(f64::to_bits), "{t}");
                assert_eq!(
                    p.kind,
                    match t {
                        "0" => 0,
                        "1" => 1,
                        _ => 2,
                    },
                    "{t}"
                );
            }
            got.is_some()
        };
        let mut read = 0;
        for _ in 0..200_000 {
            let x: f64 = match rng.random_range(0..4) {
                0 => rng.random::<f64>(),
                1 => rng.random_range(-1e4..1e4),
                2 => f64::from_bits(rng.random::<u64>()),
                _ => rng.random_range(-10.0..10.0) * 10f64.powi(rng.random_range(-8..12)),
            };
            if x.is_finite() {
                read += usize::from(check(&format!("{x}")));
            }
            let n_int = rng.random_range(1..=21);
            let n_dec = rng.random_range(0..=25);
            let mut t = String::new();
            if rng.random::<bool>() {
                t.push('-');
            }
            for k in 0..n_int {
                let lead = k == 0 && rng.random_range(0..4) == 0;
                t.push(if lead { '0' } else { char::from(b'0' + rng.random_range(0..10u8)) });
            }
            if n_dec > 0 {
                t.push('.');
                for _ in 0..n_dec {
                    t.push(char::from(b'0' + rng.random_range(0..10u8)));
                }
            }
            read += usize::from(check(&t));
        }
        assert!(read > 150_000, "only {read} read by the fast path");
        // Significands past 2^53 with every count of decimals (the Eisel-Lemire path),
        // near powers of two and halfway points too.
        for _ in 0..300_000 {
            let w = match rng.random_range(0..3) {
                0 => rng.random_range(1u64 << 53..10_000_000_000_000_000_000),
                1 => (1u64 << rng.random_range(53..64)).wrapping_add(rng.random_range(0..64)).wrapping_sub(32),
                _ => rng.random_range(1u64 << 53..1 << 60) / 1000 * 1000 + 500,
            };
            let digits = w.to_string();
            let dec = rng.random_range(1..=digits.len().min(22));
            let t = format!("{}.{}", &digits[..digits.len() - dec], &digits[digits.len() - dec..]);
            let t = if t.starts_with('.') { format!("0{t}") } else { t };
            check(&t);
            check(&format!("-{t}"));
        }
        for t in ["0", "1", "-0", "-0.0", "00", "01", "1.5", "9007199254740991", "9007199254740993", "0.1", "123456789.0123456789"] {
            assert!(check(t), "{t}");
        }
        for t in ["", "-", ".", "1.", ".5", "-.5", "+1", "1e5", "inf", "nan", "12345678901234567890", "1.2.3x"] {
            let p = plain_number(t.as_bytes(), 0);
            assert!(p.is_none() || p.is_some_and(|p| p.end < t.len()), "{t}");
        }
    }

    /// Numeric files through the quote-free path's plain rows give the `csv` crate's
    /// table: plain decimals, then rows the general path must read (spaces, `+`,
    /// exponents, missing cells, `nan`, ragged rows, a column turning to text).
    #[test]
    fn plain_rows_equal_the_csv_crate() {
        let texts: &[&[u8]] = &[
            b"a,b,c\n1,2,0\n-0.5,3.25,1\n0,1,0\n",
            b"a,b\n1,2\n 3,4\n+5,6e2\n,7\nnan,NA\n8,9\n10\n11,12,13\n-0,0.000\n",
            b"a,b\n0,1\n1,0\n",
            b"a,b\n1,2\n3,x\n5,6\n",
            b"a,b\n1,2\n3,4.\n5,.5\n12345678901234567890,1\n",
            b"a\tb\r\n1.5\t2\r\n3\t4",
        ];
        for (k, text) in texts.iter().enumerate() {
            for skip in [false, true] {
                for missing in [vec!["NA".to_string()], vec!["NA".to_string(), "-0".to_string()]] {
                    let o = ReadOptions { skip_malformed_rows: skip, missing_values: missing, ..Default::default() };
                    let run = |plain: bool| {
                        let mut e = Engine::new(o.clone(), text, false, text.len()).unwrap();
                        if plain {
                            e.process_plain(text, 1, false).map_err(|e| e.to_string())?;
                        } else {
                            e.process_csv(text, 1, false).map_err(|e| e.to_string())?;
                        }
                        e.finish(text).map_err(|e| e.to_string())
                    };
                    assert_eq!(format!("{:?}", run(true)), format!("{:?}", run(false)), "text {k}, skip {skip}");
                }
            }
        }
    }

    #[test]
    fn streaming_reader_drops_parsed_bytes_and_asks_again_for_a_late_text_column() {
        let mut text = String::from("id,x\n");
        for i in 0..40_000 {
            text.push_str(&format!("{i},{}.25\n", i % 13));
        }
        let numeric = text.clone();
        text.push_str("40000,late\n");
        let o = ReadOptions::default();
        // All numbers: read in one pass, holding about one chunk of the text.
        let mut r = CsvChunkReader::streaming(o.clone(), numeric.len()).unwrap();
        for c in numeric.as_bytes().chunks(100_000) {
            assert!(!r.feed(c).unwrap());
            assert!(r.inner.buf.len() <= 100_000, "{}", r.inner.buf.len());
        }
        assert_eq!(r.bytes_received(), numeric.len());
        assert!(!r.end().unwrap());
        assert_eq!(format!("{:?}", r.finish().unwrap()), format!("{:?}", read_csv(numeric.as_bytes(), &o).unwrap()));
        // A text cell after the first chunk's bytes were dropped: the file is asked for again.
        assert!(streamed(text.as_bytes(), &o, 100_000).1);
        let (t, _) = streamed(text.as_bytes(), &o, 100_000).0.unwrap();
        assert_eq!(t.columns[1].data.column_type(), ColumnType::Categorical);
        // ... but not when it comes in the first chunk: the reader keeps the bytes from then on.
        let (t, again) = streamed(text.as_bytes(), &o, text.len());
        assert!(!again);
        assert_eq!(format!("{:?}", t.unwrap()), format!("{:?}", read_csv(text.as_bytes(), &o).unwrap()));
        // A NUL after dropped bytes names its line.
        let mut nul = numeric.clone().into_bytes();
        nul.extend_from_slice(b"1,\x002\n");
        let mut r = CsvChunkReader::streaming(o.clone(), nul.len()).unwrap();
        let e = nul.chunks(100_000).try_for_each(|c| r.feed(c).map(drop)).unwrap_err().to_string();
        assert!(e.contains("line 40002"), "{e}");
    }

    #[test]
    fn chunk_reader_matches_read_csv() {
        let o = ReadOptions::default();
        same_as_whole(b"a,b,c\n1,\"x,\ny\",true\r\n2,\"he said \"\"hi\"\"\",false\n\n3,z,true", &o);
        same_as_whole(b"\xEF\xBB\xBFa;b\r\n1;2\r\n3;x\r\n", &o);
        same_as_whole("caf\u{e9},n\nna\u{ef}ve,1\n".as_bytes(), &o);
        same_as_whole(b"name,v\ncaf\xe9,1\nb,2\n", &o);
        same_as_whole(b"a,b\n1,2\n3\n4,5\n", &ReadOptions { skip_malformed_rows: true, ..o.clone() });
        same_as_whole(b"a,b\n1,\"open\n2,3\n", &o);
        // More than the sniff window, with a late text cell (pass 2) and quotes.
        let mut big = String::from("id,x,label\n");
        for i in 0..20_000 {
            big.push_str(&format!("{i},{}.5,\"l{}\"\n", i % 97, i % 5));
        }
        big.push_str("20000,oops,\"l,1\"\n");
        same_as_whole(big.as_bytes(), &o);
    }

    #[test]
    fn chunk_progress_counts_parsed_bytes() {
        let mut text = String::from("a,b\n");
        for i in 0..30_000 {
            text.push_str(&format!("{i},{}\n", i * 2));
        }
        let mut r = CsvChunkReader::new(ReadOptions::default());
        r.feed(&text.as_bytes()[..100_000]).unwrap();
        // Past the sniff window: complete records were parsed already.
        assert!(r.bytes_consumed() > 90_000 && r.bytes_consumed() <= 100_000, "{}", r.bytes_consumed());
        r.feed(&text.as_bytes()[100_000..]).unwrap();
        assert_eq!(r.bytes_consumed(), text.len());
        assert_eq!(r.finish().unwrap().0.n_rows, 30_000);
    }

    #[test]
    fn known_size_refused_before_reading() {
        let o = ReadOptions { max_bytes: 1000, ..Default::default() };
        let e = CsvChunkReader::with_capacity(o.clone(), 5000).err().unwrap().to_string();
        assert!(e.contains("more than the 0.0 MB limit (max_bytes = 1000)"), "{e}");
        let mut r = CsvChunkReader::with_capacity(o, 8).unwrap();
        r.feed(b"a\n1\n2\n").unwrap();
        assert_eq!(r.finish().unwrap().0.n_rows, 2);
    }

    #[test]
    fn unterminated_quote_names_its_line() {
        let e = read("a,b\n1,2\n3,\"oops\n4,5\n6,7\n").unwrap_err().to_string();
        assert!(e.starts_with("CSV line 3: field 2 (column 'b') opens a quote that is never closed"), "{e}");
    }

    #[test]
    fn stray_strings_reported_and_coerced() {
        let mut s = String::from("x,y\n");
        for i in 0..30 {
            s.push_str(&format!("{i},{}\n", if i == 12 { "n/a?".to_string() } else { i.to_string() }));
        }
        let (t, r) = read_csv(s.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(t.columns[1].data.column_type(), ColumnType::Categorical);
        assert_eq!(r.stray_values[0].examples[0], CellRef { line: 14, row: 13, value: "n/a?".into() });
        let o = ReadOptions { coerce_numeric: vec!["y".into()], ..Default::default() };
        let (t, r) = read_csv(s.as_bytes(), &o).unwrap();
        assert_eq!(t.columns[1].data.column_type(), ColumnType::Numeric);
        assert!(t.columns[1].data.is_missing(12));
        assert!(r.stray_values[0].coerced);
    }

    #[test]
    fn missing_token_that_is_a_number() {
        let o = ReadOptions { missing_values: vec!["-999".into()], ..Default::default() };
        let (t, _) = read_csv(b"a\n1\n-999\n3\n", &o).unwrap();
        assert!(t.columns[0].data.is_missing(1));
        assert!(!t.columns[0].data.is_missing(0));
    }
}
