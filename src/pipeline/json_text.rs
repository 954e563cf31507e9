//! JSON text → `serde_json::Value`, for every JSON text the page's first module reads (the spec,
//! the model file, the option blocks).
//!
//! It is serde_json's own `from_str::<Value>` rewritten over bytes: the same values (numbers
//! as `u64`, `i64` or `f64` by the same rules, `-0` a float, the last of two equal keys kept,
//! a nesting limit of 127), the same errors with the same words, line and column
//! (`expected `,` or `}` at line 3 column 7`). The one difference is where a decimal number
//! becomes an `f64`: serde_json's `float_roundtrip` parser (lexical's, ≈ 32 KB of wasm code
//! and tables) is replaced by `str::parse::<f64>`, which the CSV reader already links. Both
//! round correctly, so the bits are the same (the tests below compare the two on random
//! and edge-case numbers and on broken texts). bench/HISTORY.md, Session 12 (helper size4).

use std::fmt;

use serde_json::{Map, Number, Value};

/// A syntax error, displayed as serde_json displays its own: `{what} at line {line} column {column}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    what: &'static str,
    line: usize,
    column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.what, self.line, self.column)
    }
}

impl std::error::Error for SyntaxError {}

// serde_json's messages (its `ErrorCode`'s Display).
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_VALUE: &str = "EOF while parsing a value";
const EXPECTED_COLON: &str = "expected `:`";
const EXPECTED_LIST_COMMA_OR_END: &str = "expected `,` or `]`";
const EXPECTED_OBJECT_COMMA_OR_END: &str = "expected `,` or `}`";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_VALUE: &str = "expected value";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const OUT_OF_RANGE: &str = "number out of range";
const INVALID_UNICODE: &str = "invalid unicode code point";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const KEY_MUST_BE_A_STRING: &str = "key must be a string";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING_CHARACTERS: &str = "trailing characters";
const END_OF_HEX_ESCAPE: &str = "unexpected end of hex escape";
const RECURSION_LIMIT: &str = "recursion limit exceeded";

/// Parses one JSON value (whitespace around it allowed), as `serde_json::from_str::<Value>`.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    let mut p = Parser { b: text.as_bytes(), i: 0, depth: 128 };
    let value = p.value()?;
    match p.ws() {
        Some(_) => Err(p.peek_err(TRAILING_CHARACTERS)),
        None => Ok(value),
    }
}

type Res<T> = Result<T, SyntaxError>;

struct Parser<'a> {
    b: &'a [u8],
    /// The next byte to read.
    i: usize,
    /// Containers that may still open (serde_json's recursion limit).
    depth: u8,
}

impl Parser<'_> {
    /// An error at byte `at`, positioned as serde_json positions it: the line (1-based) and
    /// the bytes before `at` on that line.
    #[cold]
    fn at(&self, what: &'static str, at: usize) -> SyntaxError {
        let before = &self.b[..at.min(self.b.len())];
        let start_of_line = before.iter().rposition(|&c| c == b'\n').map_or(0, |n| n + 1);
        let line = 1 + before[..start_of_line].iter().filter(|&&c| c == b'\n').count();
        SyntaxError { what, line, column: before.len() - start_of_line }
    }

    /// An error about the last byte read (serde_json's `error`).
    fn err(&self, what: &'static str) -> SyntaxError {
        self.at(what, self.i)
    }

    /// An error about the next, unread byte (serde_json's `peek_error`).
    fn peek_err(&self, what: &'static str) -> SyntaxError {
        self.at(what, self.i + 1)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips whitespace; the next byte, unread.
    fn ws(&mut self) -> Option<u8> {
        while let Some(c) = self.peek() {
            if !matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(c);
            }
            self.i += 1;
        }
        None
    }

    fn value(&mut self) -> Res<Value> {
        let Some(c) = self.ws() else { return Err(self.peek_err(EOF_VALUE)) };
        match c {
            b'n' => self.ident(b"null").map(|()| Value::Null),
            b't' => self.ident(b"true").map(|()| Value::Bool(true)),
            b'f' => self.ident(b"false").map(|()| Value::Bool(false)),
            b'-' => {
                self.i += 1;
                self.number(false)
            }
            b'0'..=b'9' => self.number(true),
            b'"' => {
                self.i += 1;
                self.string().map(Value::String)
            }
            b'[' | b'{' => {
                self.depth -= 1;
                if self.depth == 0 {
                    return Err(self.peek_err(RECURSION_LIMIT));
                }
                self.i += 1;
                let v = if c == b'[' { self.array() } else { self.object() };
                self.depth += 1;
                v
            }
            _ => Err(self.peek_err(EXPECTED_VALUE)),
        }
    }

    /// `word` with its first byte already peeked.
    fn ident(&mut self, word: &[u8]) -> Res<()> {
        self.i += 1;
        for &expected in &word[1..] {
            let Some(c) = self.peek() else { return Err(self.err(EOF_VALUE)) };
            self.i += 1;
            if c != expected {
                return Err(self.err(EXPECTED_IDENT));
            }
        }
        Ok(())
    }

    fn array(&mut self) -> Res<Value> {
        let mut items = Vec::new();
        loop {
            let Some(c) = self.ws() else { return Err(self.peek_err(EOF_LIST)) };
            if c == b']' {
                self.i += 1;
                return Ok(Value::Array(items));
            }
            if !items.is_empty() {
                if c != b',' {
                    return Err(self.peek_err(EXPECTED_LIST_COMMA_OR_END));
                }
                self.i += 1;
                match self.ws() {
                    Some(b']') => return Err(self.peek_err(TRAILING_COMMA)),
                    Some(_) => {}
                    None => return Err(self.peek_err(EOF_VALUE)),
                }
            }
            items.push(self.value()?);
        }
    }

    fn object(&mut self) -> Res<Value> {
        let mut map = Map::new();
        let mut first = true;
        loop {
            let Some(c) = self.ws() else { return Err(self.peek_err(EOF_OBJECT)) };
            if c == b'}' {
                self.i += 1;
                return Ok(Value::Object(map));
            }
            if first {
                first = false;
                if c != b'"' {
                    return Err(self.peek_err(KEY_MUST_BE_A_STRING));
                }
            } else if c == b',' {
                self.i += 1;
                match self.ws() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.peek_err(TRAILING_COMMA)),
                    Some(_) => return Err(self.peek_err(KEY_MUST_BE_A_STRING)),
                    None => return Err(self.peek_err(EOF_VALUE)),
                }
            } else {
                return Err(self.peek_err(EXPECTED_OBJECT_COMMA_OR_END));
            }
            self.i += 1;
            let key = self.string()?;
            match self.ws() {
                Some(b':') => self.i += 1,
                Some(_) => return Err(self.peek_err(EXPECTED_COLON)),
                None => return Err(self.peek_err(EOF_OBJECT)),
            }
            let value = self.value()?;
            map.insert(key, value);
        }
    }

    /// A string's contents, its opening quote read.
    fn string(&mut self) -> Res<String> {
        let mut out = Vec::new();
        let mut run = self.i;
        loop {
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            let Some(c) = self.peek() else { return Err(self.err(EOF_STRING)) };
            out.extend_from_slice(&self.b[run..self.i]);
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).map_err(|_| self.err(INVALID_UNICODE)),
                b'\\' => self.escape(&mut out)?,
                _ => return Err(self.err(CONTROL_CHARACTER)),
            }
            run = self.i;
        }
    }

    /// An escape, its backslash read.
    fn escape(&mut self, out: &mut Vec<u8>) -> Res<()> {
        let Some(c) = self.peek() else { return Err(self.err(EOF_STRING)) };
        self.i += 1;
        let byte = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => b'\x08',
            b'f' => b'\x0c',
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode_escape(out),
            _ => return Err(self.err(INVALID_ESCAPE)),
        };
        out.push(byte);
        Ok(())
    }

    /// `\uXXXX`, `\u` read; a leading surrogate must be followed by a trailing one.
    fn unicode_escape(&mut self, out: &mut Vec<u8>) -> Res<()> {
        let n = self.hex4()?;
        let code = match n {
            0xDC00..=0xDFFF => return Err(self.err(LONE_SURROGATE)),
            0xD800..=0xDBFF => {
                for expected in [b'\\', b'u'] {
                    let Some(c) = self.peek() else { return Err(self.err(EOF_STRING)) };
                    self.i += 1;
                    if c != expected {
                        return Err(self.err(END_OF_HEX_ESCAPE));
                    }
                }
                let n2 = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&n2) {
                    return Err(self.err(LONE_SURROGATE));
                }
                ((u32::from(n - 0xD800) << 10) | u32::from(n2 - 0xDC00)) + 0x1_0000
            }
            _ => u32::from(n),
        };
        let c = char::from_u32(code).ok_or_else(|| self.err(INVALID_UNICODE))?;
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }

    fn hex4(&mut self) -> Res<u16> {
        let Some(digits) = self.b.get(self.i..self.i + 4) else {
            self.i = self.b.len();
            return Err(self.err(EOF_STRING));
        };
        self.i += 4;
        let mut n = 0u16;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.err(INVALID_ESCAPE)),
            };
            n = (n << 4) | u16::from(v);
        }
        Ok(n)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    /// A number, its sign (if any) read. An integer that fits is a `u64` (an `i64` when
    /// negative); anything else is the correctly rounded `f64` of its text.
    fn number(&mut self, positive: bool) -> Res<Value> {
        let start = self.i;
        let Some(c) = self.peek() else { return Err(self.err(EOF_VALUE)) };
        self.i += 1;
        match c {
            b'0' => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_err(INVALID_NUMBER));
                }
            }
            b'1'..=b'9' => self.digits(),
            _ => return Err(self.err(INVALID_NUMBER)),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            let fraction = self.i;
            self.digits();
            if self.i == fraction {
                return Err(self.peek_err(if self.peek().is_some() { INVALID_NUMBER } else { EOF_VALUE }));
            }
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            let mantissa_end = self.i;
            self.i += 1;
            let mut positive_exp = true;
            match self.peek() {
                Some(b'+') => self.i += 1,
                Some(b'-') => {
                    self.i += 1;
                    positive_exp = false;
                }
                _ => {}
            }
            let Some(c) = self.peek() else { return Err(self.err(EOF_VALUE)) };
            self.i += 1;
            if !c.is_ascii_digit() {
                return Err(self.err(INVALID_NUMBER));
            }
            // serde_json's exponent overflow: beyond i32, a non-zero number with a positive
            // exponent is out of range and anything else is zero.
            let mut exp = i32::from(c - b'0');
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.i += 1;
                match exp.checked_mul(10).and_then(|e| e.checked_add(i32::from(d - b'0'))) {
                    Some(e) => exp = e,
                    None => {
                        let zero = self.b[start..mantissa_end].iter().all(|&c| c == b'0' || c == b'.');
                        if !zero && positive_exp {
                            return Err(self.err(OUT_OF_RANGE));
                        }
                        self.digits();
                        return Ok(float(if positive { 0.0 } else { -0.0 }));
                    }
                }
            }
            integer = false;
        }
        let text = &self.b[start..self.i];
        if integer {
            let mut n = 0u64;
            let fits = text.iter().all(|&d| match n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d - b'0'))) {
                Some(m) => {
                    n = m;
                    true
                }
                None => false,
            });
            if fits {
                return Ok(if positive {
                    Value::Number(n.into())
                } else {
                    let neg = (n as i64).wrapping_neg();
                    // As serde_json: `-0` and integers below i64::MIN are floats.
                    if neg >= 0 {
                        float(-(n as f64))
                    } else {
                        Value::Number(neg.into())
                    }
                });
            }
        }
        // The text is ASCII digits, '.', 'e', signs: valid UTF-8 and valid for `f64::from_str`.
        let f: f64 = std::str::from_utf8(text).ok().and_then(|t| t.parse().ok()).ok_or_else(|| self.err(INVALID_NUMBER))?;
        if f.is_infinite() {
            return Err(self.err(OUT_OF_RANGE));
        }
        Ok(float(if positive { f } else { -f }))
    }
}

/// A finite float as a `Value` (every caller passes a finite one; `Null` otherwise, as serde_json).
fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(text: &str) {
        let ours = parse(text).map_err(|e| e.to_string());
        let theirs = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
        assert_eq!(ours, theirs, "{text:?}");
        // Equal `Value`s compare floats with `==`: compare the bits (and -0.0) too.
        if let (Ok(a), Ok(b)) = (&ours, &theirs) {
            assert_eq!(bits(a), bits(b), "{text:?}");
        }
    }

    fn bits(v: &Value) -> Vec<(u64, bool, bool)> {
        let mut out = Vec::new();
        fn walk(v: &Value, out: &mut Vec<(u64, bool, bool)>) {
            match v {
                Value::Number(n) => out.push((n.as_f64().map_or(0, f64::to_bits), n.is_u64(), n.is_i64())),
                Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
                Value::Object(m) => m.values().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        walk(v, &mut out);
        out
    }

    #[test]
    fn values_and_errors_match_serde_json() {
        let cases = [
            "",
            " ",
            "null",
            "nul",
            "nulx",
            "true",
            "tru",
            "false",
            "fals",
            "x",
            " \n\t\r 1 ",
            "1 2",
            "[]",
            "[1,2]",
            "[1,]",
            "[1 2]",
            "[",
            "[1",
            "[1,",
            "{}",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "{\"a\":1,",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:2}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":1,2:3}",
            "{\"a\":1,\"a\":2}",
            "{\"b\":1,\"a\":[true,null,{}]}",
            "\"abc",
            "\"a\\\"b\"",
            "\"\\u00e9\\n\\t\\/\\\\\\b\\f\\r\"",
            "\"\\x\"",
            "\"\\",
            "\"\\u12\"",
            "\"\\u12",
            "\"\\uzzzz\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud83d\"",
            "\"\\ud83dx\"",
            "\"\\ud83d\\n\"",
            "\"\\ud83d\\u0041\"",
            "\"\\ude00\"",
            "\"\\ud83d",
            "\"\\ud83d\\",
            "\"a\u{1}b\"",
            "\"é ü 日本\"",
            "\"\u{7f}\"",
            "0",
            "-0",
            "-",
            "-x",
            "01",
            "-01",
            "1.",
            "1.x",
            "1.5",
            "-1.5",
            "1e",
            "1e+",
            "1ex",
            "1e5",
            "1E5",
            "1e+5",
            "1e-5",
            "-0.0",
            "0.0e0",
            "1.0",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "-18446744073709551615",
            "-18446744073709551616",
            "123456789012345678901234567890",
            "1e308",
            "1e309",
            "-1e309",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "4.9e-324",
            "2.4e-324",
            "2.5e-324",
            "1e-400",
            "-1e-400",
            "1e2147483647",
            "1e2147483648",
            "1e-2147483648",
            "0e99999999999",
            "0.000e99999999999",
            "-1e-99999999999",
            "1e99999999999",
            "1e99999999999 x",
            "0.1",
            "0.2",
            "0.30000000000000004",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "9007199254740993",
            "9007199254740993.0",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
            "0.0000000000000000000000000000000000000000000001e46",
            "[1,\n2,\n 3x]",
            "{\n  \"a\": [1,\n  2,,]}",
            "\n\n  }",
            "[1]\n x",
            "{\"a\":\"b\"\n,\n\"c\"\n:\n tru\n}",
            "[0.5e-7, -3.25E+2, 1e0, 5e-1]",
        ];
        for text in cases {
            same(text);
        }
        for depth in [126, 127, 128, 129, 200] {
            same(&"[".repeat(depth));
            same(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
            same(&format!("{}{}", "{\"a\":".repeat(depth), "}".repeat(depth)));
        }
    }

    #[test]
    fn random_floats_round_trip_as_serde_json_reads_them() {
        // A small LCG: the same numbers every run.
        let mut next = crate::numeric::test_lcg(0x9e37_79b9_7f4a_7c15);
        for k in 0..20_000 {
            let f = f64::from_bits(next());
            if !f.is_finite() {
                continue;
            }
            // Shortest form (what the model file writes), then exponent and digit variants.
            let texts = [
                serde_json::to_string(&f).unwrap_or_default(),
                format!("{f:e}"),
                format!("{f:.17e}"),
                format!("{f:.25e}"),
                format!("{}", (next() % 1_000_000_000) as f64 / 10f64.powi(k % 30)),
                format!("{}.{}e{}", next() % 100, next(), (next() % 700) as i64 - 350),
            ];
            for t in texts {
                if !t.is_empty() {
                    same(&t);
                    same(&format!("[{t}, -{t}]"));
                }
            }
        }
    }
}
