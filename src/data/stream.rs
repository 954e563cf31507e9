//! A CSV file read as a sequence of bounded tables ("batches"), for
//! predicting a file of any size in bounded memory (`pipelab predict` streams).
//!
//! Bytes are pushed in with [`CsvBatches::feed`] (the shell reads the file or
//! stdin; this module does no I/O) and tables of at most `batch_rows` rows come
//! out of [`CsvBatches::next_batch`]. Each batch is read by [`read_csv`] on the
//! file's own header bytes followed by the batch's complete records, with the
//! delimiter sniffed once from the file's first 64 KiB exactly as a whole-file
//! read sniffs it, and with the caller's forced column types — so a column the
//! options type reads the same in every batch as in the whole file.
//!
//! Memory: the pending bytes (at most one batch plus one fed chunk, except a
//! single record longer than that) and one batch's table.
//!
//! Positions in errors are the FILE's: an error from batch `k` has its `line`,
//! `row` and byte `offset` numbers shifted by what came before the batch
//! ([`shift_positions`], also used by the caller for errors raised while
//! predicting a batch).
//!
//! A column that the options do not type is inferred per batch. Its cells are
//! echoed the same as by a whole-file read unless the column changes type
//! between batches (numbers in one batch, text in another; or a boolean column
//! spelled `True` in one batch and `true` in another).

use std::collections::VecDeque;

use super::read::{read_csv, sniff_delimiter, ReadOptions, SNIFF_BYTES};
use super::scan::{line_ends, Scanner};
use super::table::Table;
use crate::{Error, Result};

/// One batch: its table and where it sits in the file.
#[derive(Debug)]
pub struct Batch {
    pub table: Table,
    /// Data rows of the file before this batch (its first row is `rows_before + 1`).
    pub rows_before: usize,
    /// What to add to a batch-relative line number to get the file's.
    pub line_shift: u64,
    /// What to add to a batch-relative byte offset to get the file's.
    pub offset_shift: u64,
}

impl Batch {
    /// `e` with its positions made the file's (see [`shift_positions`]).
    pub fn locate(&self, e: Error) -> Error {
        shift_positions(e, self.line_shift, self.rows_before as u64, self.offset_shift)
    }
}

/// Splits a CSV byte stream into batches of complete records.
pub struct CsvBatches {
    opts: ReadOptions,
    batch_rows: usize,
    batch_bytes: usize,
    /// Bytes not yet handed out (after the header once it is known).
    buf: Vec<u8>,
    /// File offset and number of line ends ([`line_ends`]) before `buf[0]`, and whether the byte before it is a `\r`.
    base_offset: u64,
    base_lines: u64,
    base_after_cr: bool,
    rows_done: usize,
    /// The file's bytes up to the end of its header record (BOM and leading blank lines included).
    header: Option<Vec<u8>>,
    header_lines: u64,
    delim: Option<u8>,
    /// The record-boundary scanner (the readers' own), once the delimiter is known.
    scanner: Option<Scanner>,
    /// Next byte of `buf` to scan, and where the record being scanned started.
    scan_pos: usize,
    record_start: usize,
    /// Complete records since the last cut.
    records: usize,
    /// Ends (in `buf`) of complete batches not yet handed out.
    cuts: VecDeque<usize>,
    eof: bool,
    done: bool,
    produced: bool,
}

impl CsvBatches {
    /// `batch_rows`: records per batch (at least 1); `batch_bytes`: a batch is
    /// also cut once it holds this many bytes.
    pub fn new(opts: ReadOptions, batch_rows: usize, batch_bytes: usize) -> Self {
        CsvBatches {
            opts,
            batch_rows: batch_rows.max(1),
            batch_bytes: batch_bytes.max(1),
            buf: Vec::new(),
            base_offset: 0,
            base_lines: 0,
            base_after_cr: false,
            rows_done: 0,
            header: None,
            header_lines: 0,
            delim: None,
            scanner: None,
            scan_pos: 0,
            record_start: 0,
            records: 0,
            cuts: VecDeque::new(),
            eof: false,
            done: false,
            produced: false,
        }
    }

    /// Appends bytes of the file.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        self.advance();
    }

    /// No more bytes will come: the rest is the last batch.
    pub fn finish(&mut self) {
        self.eof = true;
        self.advance();
    }

    /// Data rows handed out so far.
    pub fn rows_done(&self) -> usize {
        self.rows_done
    }

    /// The next complete batch, if any. After [`finish`](Self::finish), returns
    /// the remaining batches and then `None`. A file with no data rows gives
    /// the whole-file reader's error.
    pub fn next_batch(&mut self) -> Result<Option<Batch>> {
        loop {
            let end = match self.cuts.pop_front() {
                Some(c) => c,
                None if self.eof && !self.done => {
                    self.done = true;
                    self.buf.len()
                }
                None => return Ok(None),
            };
            let bytes: Vec<u8> = self.buf.drain(..end).collect();
            for c in self.cuts.iter_mut() {
                *c -= end;
            }
            self.scan_pos -= end.min(self.scan_pos);
            self.record_start -= end.min(self.record_start);
            let line_shift = self.base_lines.saturating_sub(self.header_lines);
            let header_len = self.header.as_ref().map_or(0, |h| h.len()) as u64;
            let offset_shift = self.base_offset.saturating_sub(header_len);
            self.base_offset += bytes.len() as u64;
            self.base_lines += line_ends(&bytes, self.base_after_cr);
            self.base_after_cr = bytes.last().map_or(self.base_after_cr, |&b| b == b'\r');
            let delim = self.delim.unwrap_or(b',');
            // Blank lines only: nothing to read (unless the file has no rows at all,
            // where reading gives the whole-file reader's message).
            let blank = bytes.iter().all(|&b| b.is_ascii_whitespace() && b != delim);
            if blank && (self.produced || !self.done) {
                continue;
            }
            let mut text = self.header.clone().unwrap_or_default();
            text.extend_from_slice(&bytes);
            let rows_before = self.rows_done;
            let locate = |e| shift_positions(e, line_shift, rows_before as u64, offset_shift);
            let (table, _) = read_csv(&text, &self.opts).map_err(locate)?;
            self.rows_done += table.n_rows;
            self.produced = true;
            return Ok(Some(Batch { table, rows_before, line_shift, offset_shift }));
        }
    }

    fn advance(&mut self) {
        if self.delim.is_none() {
            const BOM: &[u8] = b"\xEF\xBB\xBF";
            let undecided = self.buf.len() < 3 && BOM.starts_with(&self.buf) && !self.eof;
            let start = if self.buf.starts_with(BOM) { 3 } else { 0 };
            let text = &self.buf[start..];
            if undecided || (text.len() <= SNIFF_BYTES && !self.eof) {
                return;
            }
            let d = match self.opts.delimiter {
                // An unusable delimiter is reported by the reader of the first batch.
                Some(c) if c.is_ascii() => c as u8,
                Some(_) => b',',
                None => sniff_delimiter(&text[..text.len().min(SNIFF_BYTES)], text.len() > SNIFF_BYTES),
            };
            self.delim = Some(d);
            self.scanner = Some(Scanner::new(d));
            if self.opts.delimiter.is_none() {
                self.opts.delimiter = Some(d as char);
            }
            self.scan_pos = start;
            self.record_start = start;
        }
        self.scan();
    }

    /// Finds record ends from `scan_pos` on: the header's, then batch cuts.
    fn scan(&mut self) {
        let Some(d) = self.delim else { return };
        loop {
            let Some(sc) = self.scanner.as_mut() else { return };
            match sc.next_end(&self.buf[self.scan_pos..]) {
                Some(k) => {
                    let end = self.scan_pos + k;
                    self.scan_pos = end - self.record_end(end, d);
                }
                None => {
                    self.scan_pos = self.buf.len();
                    return;
                }
            }
        }
    }

    /// A record ends at `end`; returns how many bytes were taken off the front of `buf`.
    fn record_end(&mut self, end: usize, d: u8) -> usize {
        if self.header.is_none() {
            let rec = &self.buf[self.record_start..end];
            if rec.iter().all(|&b| b.is_ascii_whitespace() && b != d) {
                self.record_start = end;
                return 0;
            }
            let header: Vec<u8> = self.buf.drain(..end).collect();
            self.header_lines = line_ends(&header, false);
            self.base_offset = header.len() as u64;
            self.base_lines = self.header_lines;
            self.base_after_cr = header.last() == Some(&b'\r');
            self.header = Some(header);
            self.record_start = 0;
            return end;
        }
        self.record_start = end;
        self.records += 1;
        let batch_start = self.cuts.back().copied().unwrap_or(0);
        if self.records >= self.batch_rows || end - batch_start >= self.batch_bytes {
            self.cuts.push_back(end);
            self.records = 0;
        }
        0
    }
}

/// `e` with the numbers after `line `, `row ` and `offset ` in its message
/// (and its `line` field) increased by `lines`, `rows` and `offset`. Numbers
/// inside double-quoted text (cell values in messages) are left alone.
pub fn shift_positions(e: Error, lines: u64, rows: u64, offset: u64) -> Error {
    if lines == 0 && rows == 0 && offset == 0 {
        return e;
    }
    let t = |m: String| shift_text(&m, lines, rows, offset);
    match e {
        Error::CsvLine { line, message } => Error::CsvLine { line: line + lines, message: t(message) },
        Error::Csv(m) => Error::Csv(t(m)),
        Error::Column { column, message } => Error::Column { column, message: t(message) },
        Error::Data(m) => Error::Data(t(m)),
        Error::Numerical(m) => Error::Numerical(t(m)),
        other => other,
    }
}

fn shift_text(msg: &str, lines: u64, rows: u64, offset: u64) -> String {
    let mut out = String::with_capacity(msg.len() + 8);
    let mut in_quote = false;
    let mut prev: Option<char> = None;
    let mut rest = msg;
    'outer: while let Some(c) = rest.chars().next() {
        if c == '"' && prev != Some('\\') {
            in_quote = !in_quote;
        } else if !in_quote && !prev.is_some_and(|p| p.is_alphanumeric()) {
            for (word, add) in [("line ", lines), ("row ", rows), ("offset ", offset)] {
                if let Some(after) = rest.strip_prefix(word) {
                    let n = after.bytes().take_while(|b| b.is_ascii_digit()).count();
                    if let Ok(v) = after[..n].parse::<u64>() {
                        out.push_str(word);
                        out.push_str(&(v + add).to_string());
                        rest = &after[n..];
                        prev = Some('0');
                        continue 'outer;
                    }
                }
            }
        }
        out.push(c);
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}
