//! Where a table's rows came from, so that every error names a row as the
//! user counts it in the file — the 1-based data row and the CSV line — even
//! when it was raised inside a cross-validation fold or the hold-out part,
//! which are tables of their own ([`Table::select_rows`]).
//!
//! Steps and models number rows from 1 in the matrix they were given
//! ("missing value at row 96"); [`Table::locate_error`] turns those numbers
//! into the file's ("row 165 (line 166)"). The pipeline applies it where a
//! table meets the steps (fitting on rows of a table, predicting a table).
//!
//! [`Table::select_rows`]: super::Table::select_rows
//! [`Table::locate_error`]: super::Table::locate_error

use std::sync::Arc;

use crate::Error;

/// The origin of every row of a table: its data row in the file it was read
/// from (0-based here, 1-based in messages) and the line that row starts on.
/// Not part of a table's value: two tables with the same cells are equal
/// wherever their rows came from.
#[derive(Clone, Default)]
pub struct RowOrigin {
    /// Runs of consecutive lines: `(first row, its line)`, sorted; row `r`'s
    /// line is `line + (r - row)` of the last run starting at or before `r`.
    /// Empty: the lines are unknown (a table not read from a CSV file).
    runs: Arc<Vec<(usize, u64)>>,
    /// For a subset of a table: the original row of each row.
    subset: Option<Arc<Vec<usize>>>,
}

impl PartialEq for RowOrigin {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for RowOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RowOrigin")
    }
}

impl RowOrigin {
    /// From the line of every row of a file, in order (compressed into runs).
    pub fn from_lines(lines: &[u64]) -> RowOrigin {
        let mut runs: Vec<(usize, u64)> = Vec::new();
        for (r, &l) in lines.iter().enumerate() {
            match runs.last() {
                Some(&(r0, l0)) if l0 + (r - r0) as u64 == l => {}
                _ => runs.push((r, l)),
            }
        }
        RowOrigin { runs: Arc::new(runs), subset: None }
    }

    /// Whether it knows anything a row number alone does not say.
    pub fn is_known(&self) -> bool {
        !self.runs.is_empty() || self.subset.is_some()
    }

    /// The original (0-based) row of row `r`, and its line when known.
    pub fn locate(&self, r: usize) -> (usize, Option<u64>) {
        let orig = match &self.subset {
            Some(s) => s.get(r).copied().unwrap_or(r),
            None => r,
        };
        let k = self.runs.partition_point(|&(r0, _)| r0 <= orig);
        let line = (k > 0).then(|| {
            let (r0, l0) = self.runs[k - 1];
            l0 + (orig - r0) as u64
        });
        (orig, line)
    }

    /// The origin of `rows` (in that order) of a table with this origin.
    pub fn select(&self, rows: &[usize]) -> RowOrigin {
        let subset = rows.iter().map(|&r| self.locate(r).0).collect();
        RowOrigin { runs: self.runs.clone(), subset: Some(Arc::new(subset)) }
    }

    /// `e` with every "row N" (1-based, counted in this table) in its message
    /// made the file's: "row M (line L)". A number already followed by
    /// "(line" was located before and is left alone, as are numbers inside
    /// double-quoted text (cell values).
    pub fn locate_error(&self, e: Error) -> Error {
        if !self.is_known() {
            return e;
        }
        let f = |m: String| rewrite_rows(&m, &|n| self.shown(n));
        match e {
            Error::CsvLine { line, message } => Error::CsvLine { line, message: f(message) },
            Error::Csv(m) => Error::Csv(f(m)),
            Error::Column { column, message } => Error::Column { column, message: f(message) },
            Error::Data(m) => Error::Data(f(m)),
            Error::Numerical(m) => Error::Numerical(f(m)),
            Error::Param { estimator, param, message } => Error::Param { estimator, param, message: f(message) },
            other => other,
        }
    }

    /// How row `n` (1-based, this table's) is written in a message.
    fn shown(&self, n: usize) -> Option<String> {
        let r = n.checked_sub(1)?;
        if self.subset.as_ref().is_some_and(|s| r >= s.len()) {
            return None;
        }
        let (orig, line) = self.locate(r);
        Some(match line {
            Some(l) => format!("row {} (line {l})", orig + 1),
            None => format!("row {}", orig + 1),
        })
    }
}

/// Rewrites each "row N" of `msg` (a whole word "row", not inside double
/// quotes, not already followed by " (line") with `f(N)`.
pub fn rewrite_rows(msg: &str, f: &dyn Fn(usize) -> Option<String>) -> String {
    let mut out = String::with_capacity(msg.len() + 16);
    let mut in_quote = false;
    let mut prev: Option<char> = None;
    let mut rest = msg;
    'outer: while let Some(c) = rest.chars().next() {
        if c == '"' && prev != Some('\\') {
            in_quote = !in_quote;
        } else if !in_quote && !prev.is_some_and(|p| p.is_alphanumeric() || p == '_') {
            if let Some(after) = rest.strip_prefix("row ") {
                let n = after.bytes().take_while(|b| b.is_ascii_digit()).count();
                let located = after[n..].starts_with(" (line");
                if let (Ok(v), false) = (after[..n].parse::<usize>(), located) {
                    if let Some(s) = f(v) {
                        out.push_str(&s);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_a_fold_are_named_as_in_the_file() {
        // Rows 1..=3 on lines 2..=4, a quoted newline, then rows 4.. from line 6.
        let o = RowOrigin::from_lines(&[2, 3, 4, 6, 7, 8]);
        assert_eq!(o.runs.len(), 2);
        assert_eq!(o.locate(4), (4, Some(7)));
        let fold = o.select(&[5, 1]);
        let e = fold.locate_error(Error::data("missing value at row 1; and row 2, not row 3 or \"row 1\" (row 2 (line 9))"));
        assert_eq!(e.to_string(), "missing value at row 6 (line 8); and row 2 (line 3), not row 3 or \"row 1\" (row 2 (line 9))");
        // A subset of a subset.
        assert_eq!(fold.select(&[0]).locate(0), (5, Some(8)));
        // Nothing known: unchanged.
        let e = RowOrigin::default().locate_error(Error::data("row 1"));
        assert_eq!(e.to_string(), "row 1");
        assert_eq!(rewrite_rows("training row 12 and arrow 3", &|n| Some(format!("row <{n}>"))), "training row <12> and arrow 3");
    }
}
