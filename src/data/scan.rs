//! The one record-boundary scanner of the CSV readers: [`read_csv`] and
//! [`CsvChunkReader`](super::CsvChunkReader) use it to hand complete records
//! to the `csv` crate, the batch splitter ([`super::stream::CsvBatches`]) to
//! cut a file into batches. It mirrors `csv_core`'s default dialect: a quote
//! opens only at the start of a field, `""` escapes a quote, `\r`, `\n` or
//! `\r\n` end a record.
//!
//! It also counts lines as a text editor does, for every error and warning
//! that names one: `\n`, `\r\n` and a lone `\r` each end one line
//! ([`line_ends`]), so LF, CRLF and old-Mac CR files give the same numbers.
//!
//! [`read_csv`]: super::read_csv

/// Where the scanner is inside a record.
#[derive(Clone, Copy, PartialEq, Debug)]
enum State {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

/// Line ends in `bytes` (`\n`, `\r\n`, lone `\r`); `after_cr`: the byte before
/// `bytes` was a `\r` (so a leading `\n` completes that line end, not a new one).
pub fn line_ends(bytes: &[u8], after_cr: bool) -> u64 {
    let lf = count_byte(bytes, b'\n');
    if !has_byte(bytes, b'\r') {
        return lf - (after_cr && bytes.first() == Some(&b'\n')) as u64;
    }
    let mut n = 0;
    let mut prev_cr = after_cr;
    for &b in bytes {
        n += (b == b'\r' || (b == b'\n' && !prev_cr)) as u64;
        prev_cr = b == b'\r';
    }
    n
}

/// Whether `bytes` holds `needle`, 64 bytes at a time with no exit inside a block, which
/// the compiler turns into SIMD compares (SSE2 natively, simd128 in wasm); `contains`
/// (core's `memchr`) reads two words at a time and was 12 % of a parse.
pub fn has_byte(bytes: &[u8], needle: u8) -> bool {
    let mut blocks = bytes.chunks_exact(64);
    for b in &mut blocks {
        if b.iter().fold(0u8, |a, &x| a | u8::from(x == needle)) != 0 {
            return true;
        }
    }
    blocks.remainder().contains(&needle)
}

/// How many bytes of `bytes` are `needle`: byte-wide counts over blocks of 255 bytes
/// (SIMD compares and adds), not a `u64` per byte.
pub fn count_byte(bytes: &[u8], needle: u8) -> u64 {
    bytes.chunks(255).map(|b| u64::from(b.iter().fold(0u8, |a, &x| a.wrapping_add(u8::from(x == needle))))).sum()
}

/// The scanner's state between calls: feed it the bytes that follow the ones
/// it has seen, in any pieces.
#[derive(Debug, Clone)]
pub struct Scanner {
    delim: u8,
    state: State,
    /// 0-based index of the field being scanned in the current record.
    field: usize,
    /// 1-based line at the scan position.
    line: u64,
    /// The last byte seen was `\r`.
    prev_cr: bool,
    /// Bytes seen.
    seen: u64,
    /// Where the open quote started: line, field (0-based) and byte (counted from the first byte fed).
    quote_line: u64,
    quote_field: usize,
    quote_at: u64,
}

impl Scanner {
    pub fn new(delim: u8) -> Self {
        Scanner::at_line(delim, 1)
    }

    /// A scanner whose first byte is on line `line` (restarting after a skipped record).
    pub fn at_line(delim: u8, line: u64) -> Self {
        Scanner { delim, state: State::StartField, field: 0, line, prev_cr: false, seen: 0, quote_line: 0, quote_field: 0, quote_at: 0 }
    }

    /// Inside a quoted field (at the end of the input: a quote never closed).
    pub fn in_quote(&self) -> bool {
        self.state == State::InQuoted
    }
    /// The line at the scan position.
    pub fn line(&self) -> u64 {
        self.line
    }
    /// Bytes seen so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }
    /// Line, field (0-based) and byte position of the quote that opened the current quoted field.
    pub fn open_quote(&self) -> (u64, usize, u64) {
        (self.quote_line, self.quote_field, self.quote_at)
    }

    /// One byte; `true` when it ends a record.
    #[inline]
    fn step(&mut self, b: u8) -> bool {
        let d = self.delim;
        self.line += (b == b'\r' || (b == b'\n' && !self.prev_cr)) as u64;
        self.prev_cr = b == b'\r';
        self.seen += 1;
        let newline = b == b'\n' || b == b'\r';
        let end = match self.state {
            State::StartField => {
                if b == b'"' {
                    self.state = State::InQuoted;
                    self.quote_line = self.line;
                    self.quote_field = self.field;
                    self.quote_at = self.seen - 1;
                    false
                } else if b == d {
                    self.field += 1;
                    false
                } else if newline {
                    true
                } else {
                    self.state = State::InField;
                    false
                }
            }
            State::InField => {
                if b == d {
                    self.field += 1;
                    self.state = State::StartField;
                    false
                } else {
                    newline
                }
            }
            State::InQuoted => {
                if b == b'"' {
                    self.state = State::QuoteInQuoted;
                }
                false
            }
            State::QuoteInQuoted => {
                if b == b'"' {
                    self.state = State::InQuoted;
                    false
                } else if b == d {
                    self.field += 1;
                    self.state = State::StartField;
                    false
                } else if newline {
                    true
                } else {
                    self.state = State::InField;
                    false
                }
            }
        };
        if end {
            self.state = State::StartField;
            self.field = 0;
        }
        end
    }

    /// Skips over the inside of a quoted field: the bytes before the next quote
    /// (all of `bytes` when there is none) only count lines. Returns how many were skipped.
    fn skip_quoted(&mut self, bytes: &[u8]) -> usize {
        let k = bytes.iter().position(|&b| b == b'"').unwrap_or(bytes.len());
        if k > 0 {
            self.line += line_ends(&bytes[..k], self.prev_cr);
            self.prev_cr = bytes[k - 1] == b'\r';
            self.seen += k as u64;
        }
        k
    }

    /// Scans `bytes` to the end; returns the offset just after the LAST record
    /// terminator in them, if any (the whole-file and chunk readers parse up to there).
    pub fn scan_to_last_end(&mut self, bytes: &[u8]) -> Option<usize> {
        if bytes.is_empty() {
            return None;
        }
        let quoted = matches!(self.state, State::InQuoted | State::QuoteInQuoted);
        if !quoted && !has_byte(bytes, b'"') {
            // Fast path: no quote can open, so every terminator ends a record
            // (written so that it vectorizes).
            let d = self.delim;
            let last = bytes.iter().rposition(|&b| b == b'\n' || b == b'\r');
            let tail = match last {
                Some(k) => {
                    self.line += line_ends(&bytes[..=k], self.prev_cr);
                    self.field = 0;
                    &bytes[k + 1..]
                }
                None => bytes,
            };
            self.field += count_byte(tail, d) as usize;
            self.state = match (last, tail.last()) {
                (_, Some(&b)) if b != d => State::InField,
                (None, None) => self.state,
                _ => State::StartField,
            };
            self.prev_cr = bytes[bytes.len() - 1] == b'\r';
            self.seen += bytes.len() as u64;
            return last.map(|k| k + 1);
        }
        let mut last = None;
        let mut i = 0;
        while i < bytes.len() {
            if self.state == State::InQuoted {
                i += self.skip_quoted(&bytes[i..]);
                if i == bytes.len() {
                    break;
                }
            }
            if self.step(bytes[i]) {
                last = Some(i + 1);
            }
            i += 1;
        }
        last
    }

    /// Scans `bytes` up to the FIRST record terminator; returns the offset just
    /// after it, or `None` when `bytes` holds none (all of them were scanned).
    pub fn next_end(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < bytes.len() {
            if self.state == State::InQuoted {
                i += self.skip_quoted(&bytes[i..]);
                if i == bytes.len() {
                    return None;
                }
            }
            let end = self.step(bytes[i]);
            i += 1;
            if end {
                return Some(i);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_the_same_for_lf_crlf_and_cr() {
        for (text, n) in [(&b"a\nb\nc"[..], 2), (b"a\r\nb\r\nc", 2), (b"a\rb\rc", 2), (b"a\r\n\r\nb", 2), (b"a\n\rb", 2)] {
            assert_eq!(line_ends(text, false), n, "{text:?}");
            // Any split gives the same count.
            for k in 0..=text.len() {
                let (x, y) = text.split_at(k);
                assert_eq!(line_ends(x, false) + line_ends(y, x.last() == Some(&b'\r')), n, "{text:?} split at {k}");
            }
        }
    }

    #[test]
    fn both_scans_find_the_same_records_in_any_pieces() {
        let text = b"a,\"b\nc\",d\r\n1,\"x\"\"y\",2\r3,4,5\n\"open";
        let mut whole = Scanner::new(b',');
        let mut ends = Vec::new();
        let mut at = 0;
        while let Some(k) = whole.next_end(&text[at..]) {
            at += k;
            ends.push(at);
        }
        assert_eq!(ends, [10, 11, 22, 28]);
        assert!(whole.in_quote());
        assert_eq!(whole.open_quote(), (5, 0, 28));
        assert_eq!(whole.line(), 5);
        for piece in 1..text.len() {
            let mut s = Scanner::new(b',');
            let mut last = None;
            for (i, c) in text.chunks(piece).enumerate() {
                if let Some(k) = s.scan_to_last_end(c) {
                    last = Some(i * piece + k);
                }
            }
            assert_eq!(last, Some(28), "pieces of {piece}");
            assert_eq!((s.line(), s.in_quote(), s.open_quote()), (5, true, (5, 0, 28)), "pieces of {piece}");
        }
    }
}
