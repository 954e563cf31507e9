//! The data-format fixtures (written by tests/fixtures/gen_formats.py) and the
//! hostile-format catalogue, shared by the native tests (tests/formats.rs) and
//! the wasm ones (tests/wasm.rs): each bad file must give its specific message.

#![allow(dead_code)]

macro_rules! fixture {
    ($f:literal) => {
        ($f, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats/", $f)) as &'static [u8])
    };
}

/// (file, bytes, the CSV export it must read as, read natively only).
pub const SAME_AS_CSV: &[((&str, &[u8]), (&str, &[u8]), bool)] = &[
    (fixture!("iris.parquet"), fixture!("iris.csv"), false),
    (fixture!("iris.gzip.parquet"), fixture!("iris.csv"), false),
    (fixture!("iris.zstd.parquet"), fixture!("iris.csv"), true),
    (fixture!("iris.xlsx"), fixture!("iris.csv"), false),
    (fixture!("iris.jsonl"), fixture!("iris.csv"), false),
    (fixture!("iris.json"), fixture!("iris.csv"), false),
    (fixture!("iris.sqlite"), fixture!("iris.sqlite.csv"), true),
    (fixture!("titanic.parquet"), fixture!("titanic.csv"), false),
    (fixture!("titanic.xlsx"), fixture!("titanic.csv"), false),
    (fixture!("titanic.jsonl"), fixture!("titanic.csv"), false),
    (fixture!("titanic.json"), fixture!("titanic.csv"), false),
    (fixture!("titanic.sqlite"), fixture!("titanic.sqlite.csv"), true),
    (fixture!("types.parquet"), fixture!("types.csv"), false),
];

pub struct Case {
    pub name: &'static str,
    pub file: (&'static str, &'static [u8]),
    /// Source options as JSON (`{}`: defaults).
    pub source: &'static str,
    /// The whole message must start with this.
    pub expect: &'static str,
    pub native_only: bool,
}

pub const CASES: &[Case] = &[
    Case {
        name: "truncated_parquet",
        file: fixture!("bad_truncated.parquet"),
        source: "{}",
        expect: "Parquet: the file is truncated or not Parquet",
        native_only: false,
    },
    Case {
        name: "parquet_list_column",
        file: fixture!("bad_list_column.parquet"),
        source: "{}",
        expect: "Parquet column 'tags.list.element': has type list (a repeated, nested column), which pipelab does not read",
        native_only: false,
    },
    Case {
        name: "parquet_binary_column",
        file: fixture!("bad_binary_column.parquet"),
        source: "{}",
        expect: "Parquet column 'raw': has type binary (bytes without a text annotation), which pipelab does not read",
        native_only: false,
    },
    Case {
        // Found by the read_formats fuzzer: a mutated page header declaring lists of 2^31
        // booleans kept the parquet crate busy for seconds per list; refused before decoding.
        name: "parquet_page_header_list_past_its_bytes",
        file: fixture!("bad_page_header_huge_list.parquet"),
        source: "{}",
        expect: "Parquet row group 1 of 3, column 'name': the page header at byte ",
        native_only: false,
    },
    Case {
        name: "json_nested_object",
        file: fixture!("bad_nested.jsonl"),
        source: "{}",
        expect: "JSON record 2 (line 2), field 'address': holds a nested object; only flat records",
        native_only: false,
    },
    Case {
        name: "workbook_with_two_sheets_needs_a_choice",
        file: fixture!("two_sheets.xlsx"),
        source: "{}",
        expect: "Excel: the workbook has 2 sheets ('first' and 'second'): choose one",
        native_only: false,
    },
    Case {
        name: "workbook_unknown_sheet",
        file: fixture!("two_sheets.xlsx"),
        source: r#"{"sheet": "third"}"#,
        expect: "Excel sheet 'third': no such sheet; the workbook has 'first' and 'second'",
        native_only: false,
    },
    Case {
        // Found by the read_formats fuzzer (2026-12-04, 7,900 executions): a dictionary page whose
        // length prefix runs past its bytes trips an assert inside the parquet crate. Natively the
        // reader catches it and says the file is corrupt; in wasm32 it traps, and the page drops the
        // lazily loaded module's instance and says the same (www/formats_worker.js), hence native only.
        name: "parquet_dictionary_length_past_its_bytes",
        file: fixture!("bad_dictionary_length_past_its_bytes.parquet"),
        source: "{}",
        expect: "Parquet: the file is corrupt (the reader failed on its content)",
        native_only: true,
    },
    Case {
        // Found by the read_formats fuzzer (2026-12-04): a footer whose thrift the parquet crate
        // skipped slowly (8.5 KB: 0.2 s in a release build, ~7 s in the tests' unoptimised parquet,
        // over 10 s in the sanitizer build). The footer is now walked in bytes first, as page headers
        // are (check_footer): refused at once, so in the page too.
        name: "parquet_footer_slow_thrift",
        file: fixture!("bad_footer_slow_thrift.parquet"),
        source: "{}",
        expect: "Parquet: the file's metadata (its footer, 4205 bytes from byte 4334) is corrupt: a list of 61633725 elements in the 4199 bytes left",
        native_only: false,
    },
    Case {
        // 1.5 KB with cells in A1 and XFD1048576: calamine's worksheet_range made the dense range
        // first (512 GB; the CLI aborted). The span is checked before the range is made.
        name: "excel_cell_span_too_large",
        file: fixture!("bad_cell_span_too_large.xlsx"),
        source: "{}",
        expect: "Excel sheet 'Sheet1': its cells span A1:XFD1048576 (1048576 rows × 16384 columns = 17179869184 cells, empty ones included), more than the 50000000 cells",
        native_only: false,
    },
    Case {
        // Found by the read_formats fuzzer (2026-12-04): a cell reference with a very long column
        // name overflows calamine's parser. Built with overflow checks in every profile (Cargo.toml),
        // it panics instead of wrapping to a wrong cell; natively that is caught (wasm traps: the page
        // drops the reader's instance and says the same, tests/e2e/formats.test.mjs).
        name: "excel_column_name_overflow",
        file: fixture!("bad_column_name_overflow.xlsx"),
        source: "{}",
        expect: "Excel: the file is corrupt (the reader failed on its content)",
        native_only: true,
    },
    Case {
        name: "corrupt_sqlite",
        file: fixture!("bad_corrupt.sqlite"),
        source: "{}",
        expect: "SQLite: the database is corrupt, truncated or encrypted",
        native_only: true,
    },
    Case {
        // Found by the read_formats fuzzer: rusqlite's column_names panicked on it.
        name: "sqlite_column_name_not_utf8",
        file: fixture!("bad_column_name_not_utf8.sqlite"),
        source: "{}",
        expect: "SQLite table 'titanic': column 8's name is not valid UTF-8 text",
        native_only: true,
    },
    Case {
        name: "sqlite_non_select_query",
        file: fixture!("two_tables.sqlite"),
        source: r#"{"query": "DELETE FROM iris"}"#,
        expect: "SQLite query: starts with DELETE: only a read-only SELECT can be run",
        native_only: true,
    },
    Case {
        name: "sqlite_two_statements",
        file: fixture!("two_tables.sqlite"),
        source: r#"{"query": "SELECT * FROM iris; DROP TABLE iris"}"#,
        expect: "SQLite query: holds more than one statement",
        native_only: true,
    },
    Case {
        name: "sqlite_needs_a_table",
        file: fixture!("two_tables.sqlite"),
        source: "{}",
        expect: "SQLite: the database has 3 tables ('blobs', 'iris' and 'people'): choose one",
        native_only: true,
    },
    Case {
        name: "sqlite_blob_cell",
        file: fixture!("two_tables.sqlite"),
        source: r#"{"table": "blobs"}"#,
        expect: "SQLite table 'blobs', row 1, column 'payload': holds a BLOB",
        native_only: true,
    },
];
