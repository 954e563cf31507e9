//! SQLite databases → columns, natively, with rusqlite's bundled SQLite. The
//! bytes are deserialized into an in-memory database opened read-only (no file
//! is touched; `query_only` is on), then one table or view is read, or one
//! query that passes [`check_select`](super::check_select) and that SQLite
//! itself calls read-only.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB};

use super::cells::{Cell, Columns};
use super::SourceOptions;
use crate::{Error, Result};

fn fail(place: &str, m: impl Into<String>) -> Error {
    Error::format("SQLite", place, m)
}

fn explain(e: rusqlite::Error) -> String {
    let m = e.to_string();
    if m.contains("file is not a database") || m.contains("malformed") || m.contains("encrypted") {
        format!("the database is corrupt, truncated or encrypted ({m}); open it with sqlite3 and export it again, or remove the encryption")
    } else {
        m
    }
}

fn open(bytes: &[u8]) -> Result<Connection> {
    if bytes.len() >= i32::MAX as usize {
        return Err(fail("", "the database is larger than 2 GiB; read a query's result exported as CSV or Parquet"));
    }
    let mut conn = Connection::open_in_memory().map_err(|e| fail("", e.to_string()))?;
    conn.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), true).map_err(|e| fail("", explain(e)))?;
    conn.execute_batch("PRAGMA query_only = ON").map_err(|e| fail("", explain(e)))?;
    Ok(conn)
}

/// The database's tables and views, by name.
fn tables(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .map_err(|e| fail("", explain(e)))?;
    let names = st.query_map([], |r| r.get::<_, String>(0)).map_err(|e| fail("", explain(e)))?;
    names.collect::<std::result::Result<Vec<_>, _>>().map_err(|e| fail("", explain(e)))
}

/// The result columns' names of `sql` (which `conn` has already prepared without error), or an
/// error naming the column whose name is not UTF-8: rusqlite's `column_names` panics on one (found
/// by the `read_formats` fuzzer; tests/fixtures/formats/bad_column_name_not_utf8.sqlite).
fn column_names(conn: &Connection, sql: &str, place: &str) -> Result<Vec<String>> {
    use rusqlite::ffi;
    let c_sql = std::ffi::CString::new(sql).map_err(|_| fail(place, "holds a NUL character"))?;
    let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
    // SAFETY: `conn.handle()` is the handle of the open connection `conn`, which outlives this
    // function; `c_sql` is NUL-terminated (length -1: read to the NUL); `stmt` receives a statement
    // that is finalized below on every path.
    let rc = unsafe { ffi::sqlite3_prepare_v2(conn.handle(), c_sql.as_ptr(), -1, &mut stmt, std::ptr::null_mut()) };
    if rc != ffi::SQLITE_OK || stmt.is_null() {
        // SAFETY: finalizing a null statement is a no-op; a non-null one came from prepare above.
        unsafe { ffi::sqlite3_finalize(stmt) };
        return Err(fail(place, format!("cannot be prepared (SQLite code {rc})")));
    }
    // SAFETY: `stmt` is a valid prepared statement until the finalize below.
    let n = unsafe { ffi::sqlite3_column_count(stmt) };
    let mut names = Vec::with_capacity(n.max(0) as usize);
    let mut bad = None;
    for j in 0..n {
        // SAFETY: `j` is a column index below the count; the returned pointer (NUL-terminated, or null
        // when out of memory) stays valid until the statement is finalized, and is copied before that.
        let name = unsafe {
            let p = ffi::sqlite3_column_name(stmt, j);
            (!p.is_null()).then(|| std::ffi::CStr::from_ptr(p).to_bytes().to_vec())
        };
        match name.map(String::from_utf8) {
            Some(Ok(s)) => names.push(s),
            _ => {
                bad = Some(j as usize + 1);
                break;
            }
        }
    }
    // SAFETY: `stmt` came from prepare above and is finalized once.
    unsafe { ffi::sqlite3_finalize(stmt) };
    match bad {
        Some(j) => {
            Err(fail(place, format!("column {j}'s name is not valid UTF-8 text; rename it (ALTER TABLE ... RENAME COLUMN) or select it AS another name")))
        }
        None => Ok(names),
    }
}

pub(super) fn parts(bytes: &[u8]) -> Result<Vec<String>> {
    tables(&open(bytes)?)
}

pub(super) fn read(bytes: &[u8], source: &SourceOptions) -> Result<(Columns, Vec<String>, String)> {
    let conn = open(bytes)?;
    let names = tables(&conn)?;
    let (sql, part, place) = match (&source.query, &source.table) {
        (Some(q), _) => {
            super::check_select(q)?;
            (q.clone(), "query".to_string(), "query".to_string())
        }
        (None, Some(t)) if names.contains(t) => (format!("SELECT * FROM \"{}\"", t.replace('"', "\"\"")), t.clone(), format!("table '{t}'")),
        (None, Some(t)) => return Err(fail(&format!("table '{t}'"), format!("no such table; the database has {}", super::listed(&names)))),
        (None, None) if names.len() == 1 => (format!("SELECT * FROM \"{}\"", names[0].replace('"', "\"\"")), names[0].clone(), format!("table '{}'", names[0])),
        (None, None) if names.is_empty() => return Err(fail("", "the database has no tables")),
        (None, None) => {
            return Err(fail(
                "",
                format!(
                    "the database has {} tables ({}): choose one (--table NAME) or run a query (--query \"SELECT ...\")",
                    names.len(),
                    super::listed(&names)
                ),
            ))
        }
    };
    let mut st = conn.prepare(&sql).map_err(|e| match e {
        rusqlite::Error::MultipleStatement => fail("query", "holds more than one statement; run a single SELECT"),
        e => fail(&place, explain(e)),
    })?;
    if !st.readonly() {
        return Err(fail("query", "is not read-only: only a SELECT can be run"));
    }
    let cols = column_names(&conn, &sql, &place)?;
    let mut out = Columns::new(cols.clone());
    let mut rows = st.query([]).map_err(|e| fail(&place, explain(e)))?;
    let mut i = 0usize;
    while let Some(row) = rows.next().map_err(|e| fail(&format!("{place}, row {}", i + 1), explain(e)))? {
        i += 1;
        for (j, name) in cols.iter().enumerate() {
            let at = || format!("{place}, row {i}, column '{name}'");
            let v = row.get_ref(j).map_err(|e| fail(&at(), e.to_string()))?;
            let cell = match v {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(k) => Cell::Int(k),
                ValueRef::Real(x) => Cell::Float(x),
                ValueRef::Text(t) => Cell::Text(std::str::from_utf8(t).map_err(|_| fail(&at(), "holds text that is not UTF-8"))?),
                ValueRef::Blob(_) => return Err(fail(&at(), "holds a BLOB (binary data); select the other columns, or cast it in a query")),
            };
            out.push(j, cell);
        }
    }
    Ok((out, names, part))
}
