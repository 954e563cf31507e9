//! The rule for a query typed by the user: one read-only `SELECT` (or `WITH ...
//! SELECT`), nothing else. Shared by the native SQLite reader (which also asks
//! SQLite whether the prepared statement is read-only) and the page's sql.js path.

use crate::{Error, Result};

/// Words that write or change the database (or its connection) when they are
/// not inside a string or a quoted name.
const WRITING: &[&str] = &[
    "insert",
    "update",
    "delete",
    "replace",
    "upsert",
    "create",
    "drop",
    "alter",
    "attach",
    "detach",
    "pragma",
    "vacuum",
    "reindex",
    "analyze",
    "begin",
    "commit",
    "rollback",
    "savepoint",
    "release",
];

/// Accepts a single `SELECT` (or `WITH ... SELECT`, or `VALUES`) statement,
/// with an optional trailing `;`; refuses anything else with a message saying why.
pub fn check_select(sql: &str) -> Result<()> {
    let refuse = |m: String| Err(Error::format("SQLite", "query", m));
    let b = sql.as_bytes();
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    let mut ended = false;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            match sql[i + 2..].find("*/") {
                Some(k) => i += 2 + k + 2,
                None => return refuse("a /* comment is not closed".into()),
            }
        } else if ended {
            return refuse("holds more than one statement; run a single SELECT".into());
        } else if c == b';' {
            ended = true;
            i += 1;
        } else if c == b'\'' || c == b'"' || c == b'`' || c == b'[' {
            let close = if c == b'[' { b']' } else { c };
            i += 1;
            loop {
                match b.get(i) {
                    None => return refuse(format!("a quote ({}) is not closed", c as char)),
                    Some(&q) if q == close => {
                        // A doubled quote is an escaped one.
                        if close != b']' && b.get(i + 1) == Some(&close) {
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(_) => i += 1,
                }
            }
            words.push(String::new());
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            words.push(sql[start..i].to_ascii_lowercase());
        } else {
            i += 1;
        }
    }
    match words.first().map(String::as_str) {
        None => return refuse("is empty; type a SELECT".into()),
        Some("select" | "with" | "values") => {}
        Some(w) => return refuse(format!("starts with {}: only a read-only SELECT can be run", w.to_ascii_uppercase())),
    }
    if let Some(w) = words.iter().find(|w| WRITING.contains(&w.as_str())) {
        return refuse(format!("contains {}: only a read-only SELECT can be run", w.to_ascii_uppercase()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_select;

    #[test]
    fn only_a_single_select_passes() {
        for ok in [
            "SELECT * FROM t",
            "select a, b from t where c = 'x; DROP TABLE t' ;",
            "WITH x AS (SELECT 1) SELECT * FROM x -- comment; DELETE",
            "/* why */ SELECT \"delete\" FROM [update]",
            "VALUES (1, 2)",
        ] {
            assert_eq!(check_select(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("DELETE FROM t", "starts with DELETE"),
            ("SELECT 1; SELECT 2", "more than one statement"),
            ("SELECT 1; DROP TABLE t", "more than one statement"),
            ("WITH x AS (SELECT 1) DELETE FROM t", "contains DELETE"),
            ("PRAGMA table_info(t)", "starts with PRAGMA"),
            ("   ", "is empty"),
            ("SELECT 'open", "not closed"),
            ("ATTACH 'x.db' AS y", "starts with ATTACH"),
        ] {
            let e = check_select(bad).unwrap_err().to_string();
            assert!(e.starts_with("SQLite query: ") && e.contains(why), "{bad}: {e}");
        }
    }
}
