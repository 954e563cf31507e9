//! The hostile-CSV catalogue, as pure data: shared by the native test
//! (`tests/library/csv_catalogue.rs`) and the browser test (wasm-bindgen-test), which
//! include this file with `#[path]`. See `csv_check.rs` for how a case runs.
//!
//! Each case: the bytes of a file (literal, a fixture under `tests/fixtures/csv/`,
//! or generated), the read options as JSON, an optional pipeline spec (then
//! cross-validation runs on the table too), and a substring the outcome must
//! contain. The outcome is `error: <message>` when reading fails, otherwise a
//! digest of the table (`ok rows=.. cols=.. names=[..] types=[..] missing=[..]
//! row1=[..]`), the reader's warnings (`warning: ..`), the profile's flags
//! (`flag: ..`) and, with a spec, `cv error: ..` or `cv ok ..` / `cv warning: ..`.

#![allow(dead_code)]

pub enum Input {
    Text(&'static str),
    Bytes(&'static [u8]),
    Gen(fn() -> Vec<u8>),
}

impl Input {
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Input::Text(s) => s.as_bytes().to_vec(),
            Input::Bytes(b) => b.to_vec(),
            Input::Gen(f) => f(),
        }
    }
}

pub struct Case {
    pub name: &'static str,
    pub input: Input,
    /// Read options as JSON (`""` = defaults).
    pub options: &'static str,
    /// A pipeline spec to cross-validate on the table, if any.
    pub spec: Option<&'static str>,
    /// What the outcome must contain.
    pub expect: &'static str,
}

const fn case(name: &'static str, input: Input, options: &'static str, expect: &'static str) -> Case {
    Case { name, input, options, spec: None, expect }
}

const fn cv_case(name: &'static str, input: Input, spec: &'static str, expect: &'static str) -> Case {
    Case { name, input, options: "", spec: Some(spec), expect }
}

use Input::{Bytes, Gen, Text};

fn hundred_thousand_columns() -> Vec<u8> {
    let n = 100_000;
    let mut s = String::with_capacity(n * 14);
    for j in 0..n {
        s.push_str(if j == 0 { "c0" } else { ",c" });
        if j > 0 {
            s.push_str(&j.to_string());
        }
    }
    s.push('\n');
    for j in 0..n {
        if j > 0 {
            s.push(',');
        }
        s.push_str(&(j % 10).to_string());
    }
    s.push('\n');
    s.into_bytes()
}

/// x, y for 10 rows, x missing at data row 7 (line 8).
fn missing_at_row_7() -> Vec<u8> {
    let mut s = String::from("x,y\n");
    for i in 1..=10 {
        s.push_str(&if i == 7 { format!(",{i}\n") } else { format!("{i},{}\n", 2 * i) });
    }
    s.into_bytes()
}

fn missing_at_row_7_crlf() -> Vec<u8> {
    String::from_utf8(missing_at_row_7()).unwrap().replace('\n', "\r\n").into_bytes()
}

fn ten_mb_field() -> Vec<u8> {
    let mut v = b"id,blob\n1,\"".to_vec();
    v.extend(std::iter::repeat_n(b'x', 10 << 20));
    v.extend_from_slice(b"\"\n2,short\n");
    v
}

fn ten_mb_unquoted_number_field() -> Vec<u8> {
    let mut v = b"id,n\n1,".to_vec();
    v.extend(std::iter::repeat_n(b'7', 10 << 20));
    v.extend_from_slice(b"\n2,3\n");
    v
}

fn stray_strings() -> Vec<u8> {
    let mut s = String::from("id,price\n");
    for i in 1..=20 {
        let p = match i {
            8 => "oops".to_string(),
            15 => "12 EUR".to_string(),
            _ => format!("{}.5", i),
        };
        s.push_str(&format!("{i},{p}\n"));
    }
    s.into_bytes()
}

const CLS_SPEC_ONE_CLASS: &str = r#"{"target":"y","model":{"LogisticRegression":{}}}"#;
const REG_SPEC: &str = r#"{"target":"y","model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":2}}}"#;

pub const CASES: &[Case] = &[
    // --- Empty and truncated files
    case("empty_file", Text(""), "", "error: CSV: the file is empty: it has no header and no rows; choose a file with data"),
    case("only_blank_lines", Text("\n\n   \n\r\n"), "", "error: CSV: the file is empty"),
    case("header_only", Text("a,b\n"), "", "error: CSV: the file has a header (2 column(s): a, b) but no data rows; add rows below the header"),
    case("header_only_no_newline", Text("a,b"), "", "but no data rows"),
    // --- Ragged rows
    case("ragged_too_few", Text("a,b,c\n1,2,3\n4,5\n"), "", "error: CSV line 3: has 2 field(s) but the header has 3 (too few: a missing delimiter or a cut line?); fix the row, or set skip_malformed_rows"),
    case("ragged_too_many", Text("a,b\n1,2\n3,4,5\n"), "", "error: CSV line 3: has 3 field(s) but the header has 2 (too many: an unquoted delimiter inside a value? quote that value)"),
    case("ragged_line_after_multiline_field", Text("a,b\n\"x\ny\",1\n2\n"), "", "error: CSV line 4: has 1 field(s)"),
    case("ragged_skipped", Text("a,b\n1,2\n3\n4,5,6\n7,8\n"), r#"{"skip_malformed_rows":true}"#, "warning: 2 malformed row(s) skipped (line(s) 3, 4)"),
    case("ragged_all_skipped", Text("a,b\n1\n2\n"), r#"{"skip_malformed_rows":true}"#, "no data rows (2 malformed row(s) were skipped)"),
    // --- Quoting
    case("unterminated_quote", Text("a,b\n1,2\n3,\"abc\n4,5\n6,7\n"), "", "error: CSV line 3: field 2 (column 'b') opens a quote that is never closed, so the rest of the file (3 more line(s)) would be read as one value; add the closing '\"'"),
    // skip_malformed_rows gets past a quote that is never closed: the record
    // is skipped to the end of the quote's line and reading goes on.
    case("unterminated_quote_skipped", Text("a,b\n1,2\n3,\"abc\n4,5\n6,7\n"), r#"{"skip_malformed_rows":true}"#, "ok rows=3 cols=2"),
    case("unterminated_quote_skipped_says_where", Text("a,b\n1,2\n3,\"abc\n4,5\n6,7\n"), r#"{"skip_malformed_rows":true}"#, "warning: 1 row(s) skipped (line(s) 3): a quote opened in them is never closed"),
    case("unterminated_quote_skipped_text_column", Text("a,b\n1,x\n2,\"y\n3,z\n"), r#"{"skip_malformed_rows":true}"#, "ok rows=2 cols=2 delimiter=, encoding=utf-8 names=[a|b] types=[numeric|categorical]"),
    case("unterminated_quote_in_header_not_skipped", Text("a,\"b\n1,2\n"), r#"{"skip_malformed_rows":true}"#, "(skip_malformed_rows cannot skip the header)"),
    case("quoted_delimiter", Text("a,b\n\"x,y\",2\n"), "", "row1=[x,y|2]"),
    case("quoted_newline", Text("a,b\n\"line1\nline2\",2\n3,4\n"), "", "ok rows=2 cols=2"),
    case("escaped_quotes", Text("a,b\n\"he said \"\"hi\"\"\",2\n"), "", "row1=[he said \"hi\"|2]"),
    case("quote_inside_unquoted_field", Text("size,n\n5\"2,3\n"), "", "row1=[5\"2|3]"),
    // --- Binary and encodings
    case("nul_bytes", Bytes(b"a,b\n1,\x002\n"), "", "error: CSV: the file contains a NUL byte at offset 6 (line 2): it looks like a binary file"),
    case("png_renamed_csv", Bytes(include_bytes!("../fixtures/csv/image_renamed.csv")), "", "error: CSV: the file looks like a PNG image, not CSV text: it is binary (a renamed file?)"),
    case("xlsx_renamed_csv", Bytes(include_bytes!("../fixtures/csv/spreadsheet_renamed.csv")), "", "looks like a ZIP archive (an .xlsx, .ods or .docx file is one), not CSV text: it is binary"),
    case("xls_renamed_csv", Bytes(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest-of-ole"), "", "looks like an old Excel .xls (OLE) document"),
    case("pdf_renamed_csv", Bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "", "looks like a PDF document"),
    case("gzip_renamed_csv", Bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"), "", "looks like a gzip archive (decompress it first)"),
    case("control_bytes", Bytes(b"a,b\n\x01\x02\x03\x04,\x05\x06\x07\x08\n\x0e\x0f\x10\x11,\x12\x13\x14\x15\n"), "", "error: CSV: the file is not text (16 control bytes in the first"),
    case("utf16_excel_unicode_text", Bytes(include_bytes!("../fixtures/csv/utf16.csv")), "", "error: CSV: the file is UTF-16 text (Excel's 'Unicode Text')"),
    case("latin1", Bytes(include_bytes!("../fixtures/csv/latin1.csv")), "", "encoding=windows-1252 names=[name|city|price]"),
    case("latin1_values_decoded", Bytes(include_bytes!("../fixtures/csv/latin1.csv")), "", "row1=[José|München|3,5]"),
    case("latin1_warning", Bytes(include_bytes!("../fixtures/csv/latin1.csv")), "", "warning: the file is not valid UTF-8 (first at line 2)"),
    case("bom", Text("\u{feff}a,b\n1,2\n"), "", "names=[a|b]"),
    case("excel_bom_crlf_no_final_newline", Bytes(include_bytes!("../fixtures/csv/excel_utf8_bom_crlf.csv")), "", "ok rows=3 cols=3 delimiter=, encoding=utf-8 names=[id|name|score]"),
    // --- Line endings and blank lines
    case("crlf", Text("a,b\r\n1,2\r\n3,4\r\n"), "", "ok rows=2 cols=2"),
    case("cr_only_old_mac", Text("a,b\r1,2\r3,4\r"), "", "ok rows=2 cols=2"),
    case("no_trailing_newline", Text("a,b\n1,2\n3,4"), "", "ok rows=2 cols=2"),
    case("blank_lines", Text("a,b\n\n1,2\n\n   \n3,4\n\n"), "", "ok rows=2 cols=2"),
    // Line numbers are the same for LF, CRLF and CR-only files (a text editor's count).
    case("ragged_line_lf", Text("a,b\n1,2\n3,4\n5\n"), "", "error: CSV line 4: has 1 field(s)"),
    case("ragged_line_crlf", Text("a,b\r\n1,2\r\n3,4\r\n5\r\n"), "", "error: CSV line 4: has 1 field(s)"),
    case("ragged_line_cr", Text("a,b\r1,2\r3,4\r5\r"), "", "error: CSV line 4: has 1 field(s)"),
    case("ragged_line_crlf_after_multiline_field", Text("a,b\r\n\"x\r\ny\",1\r\n2\r\n"), "", "error: CSV line 4: has 1 field(s)"),
    case("ragged_line_lf_blank_lines", Text("a,b\n\n1,2\n\n5\n"), "", "error: CSV line 5: has 1 field(s)"),
    case("ragged_line_crlf_blank_lines", Text("a,b\r\n\r\n1,2\r\n\r\n5\r\n"), "", "error: CSV line 5: has 1 field(s)"),
    case("ragged_line_cr_blank_lines", Text("a,b\r\r1,2\r\r5\r"), "", "error: CSV line 5: has 1 field(s)"),
    // A quote that spans lines and closes at the start of a later line, with text after
    // it, makes one record of three fields (as the csv module reads it): ragged at its first line.
    case("quote_closed_lines_later_lf", Text("a,b\n1,2\n3,\"abc\n4,5\n\"x,9\n6,7\n"), r#"{"skip_malformed_rows":true}"#, "warning: 1 malformed row(s) skipped (line(s) 3)"),
    case("quote_closed_lines_later_crlf", Text("a,b\r\n1,2\r\n3,\"abc\r\n4,5\r\n\"x,9\r\n6,7\r\n"), r#"{"skip_malformed_rows":true}"#, "warning: 1 malformed row(s) skipped (line(s) 3)"),
    case("ragged_line_mixed_endings", Text("a,b\n1,2\r\n3,4\r5\n"), "", "error: CSV line 4: has 1 field(s)"),
    case("unterminated_quote_crlf", Text("a,b\r\n1,2\r\n3,\"abc\r\n4,5\r\n"), "", "error: CSV line 3: field 2 (column 'b') opens a quote that is never closed, so the rest of the file (2 more line(s))"),
    case("unterminated_quote_cr", Text("a,b\r1,2\r3,\"abc\r4,5\r"), "", "error: CSV line 3: field 2 (column 'b') opens a quote that is never closed, so the rest of the file (2 more line(s))"),
    case("forced_numeric_with_text_crlf", Text("a\r\n1\r\nabc\r\n"), r#"{"types":{"a":"numeric"}}"#, "error: CSV line 3: column 'a' (row 2) is set to numeric"),
    case("forced_numeric_with_text_cr", Text("a\r1\rabc\r"), r#"{"types":{"a":"numeric"}}"#, "error: CSV line 3: column 'a' (row 2) is set to numeric"),
    case("inf_literals_cr", Text("a\r1\rinf\r"), "", "warning: column 'a' holds 1 infinite value(s) (first at line 3: \"inf\")"),
    case("nul_bytes_cr", Bytes(b"a,b\r1,2\r3,\x004\r"), "", "the file contains a NUL byte at offset 10 (line 3)"),
    case("ragged_skipped_crlf", Text("a,b\r\n1,2\r\n3\r\n4,5,6\r\n7,8\r\n"), r#"{"skip_malformed_rows":true}"#, "warning: 2 malformed row(s) skipped (line(s) 3, 4)"),
    case("ragged_skipped_cr", Text("a,b\r1,2\r3\r4,5,6\r7,8\r"), r#"{"skip_malformed_rows":true}"#, "warning: 2 malformed row(s) skipped (line(s) 3, 4)"),
    // --- Delimiters
    case("semicolon", Text("a;b;c\n1;2;3\n4;5;6\n"), "", "delimiter=; "),
    case("semicolon_decimal_comma", Text("a;b\n1,5;2\n2,5;3\n"), "", "types=[categorical|numeric]"),
    case("decimal_comma_hint", Bytes(include_bytes!("../fixtures/csv/latin1.csv")), "", "warning: column 'price' looks like numbers written with a decimal comma (e.g. \"3,5\"); it was read as categorical"),
    case("tab", Text("a\tb\n1\t2\n"), "", "delimiter=\\t "),
    case("pipe", Text("a|b|c\n1|2|3\n"), "", "delimiter=| "),
    case("delimiter_override", Text("a;b\n1;2\n"), r#"{"delimiter":","}"#, "ok rows=1 cols=1 delimiter=, "),
    case("bad_delimiter_option", Text("a,b\n1,2\n"), r#"{"delimiter":"\""}"#, "error: read options: parameter 'delimiter' '\"' is not allowed"),
    case("unknown_option", Text("a,b\n1,2\n"), r#"{"delimitr":";"}"#, "error: spec read options: unknown field `delimitr`"),
    // --- Size
    case("max_bytes", Text("a,b\n1,2\n3,4\n"), r#"{"max_bytes":10}"#, "error: CSV: the file is 0.0 MB, more than the 0.0 MB limit (max_bytes = 10)"),
    case("columns_100k", Gen(hundred_thousand_columns), "", "ok rows=1 cols=100000"),
    case("field_10mb_quoted", Gen(ten_mb_field), "", "ok rows=2 cols=2 delimiter=, encoding=utf-8 names=[id|blob] types=[numeric|categorical]"),
    case("field_10mb_digits", Gen(ten_mb_unquoted_number_field), "", "ok rows=2 cols=2"),
    // --- Headers
    case("html_header_kept_as_text", Text("<img src=x onerror=alert(1)>,b\n1,2\n"), "", "names=[<img src=x onerror=alert(1)>|b]"),
    case("html_cell_kept_as_text", Text("a,b\n<script>alert(1)</script>,2\n"), "", "row1=[<script>alert(1)</script>|2]"),
    case("duplicate_headers", Text("a,a,a\n1,2,3\n"), "", "warning: header names made unique / non-empty: \"a\" → \"a_2\", \"a\" → \"a_3\""),
    case("empty_headers", Text(",b,\n1,2,3\n"), "", "names=[column_1|b|column_3]"),
    case("trailing_delimiter", Text("a,b,\n1,2,\n3,4,\n"), "", "flag: column 'column_3' is empty (every cell is missing): it carries no information; drop it"),
    case("no_header_mode", Text("1,2\n3,4\n"), r#"{"has_header":false}"#, "ok rows=2 cols=2 delimiter=, encoding=utf-8 names=[column_1|column_2]"),
    case("numeric_header_warning", Text("1,2\n3,4\n"), "", "warning: every header name is a number: if the file has no header row, set has_header to false"),
    // --- Values and types
    case("all_missing_column", Text("a,b\n1,\n2,NA\n3,\n"), "", "flag: column 'b' is empty (every cell is missing): it carries no information; drop it"),
    case("constant_column", Text("a,b\n1,k\n2,k\n3,k\n"), "", "flag: constant column 'b' (every value is \"k\"): it carries no information for a model; drop it"),
    case("mostly_missing_column", Text("a,b\n1,\n2,\n3,5\n"), "", "flag: column 'b' is 66.7% missing"),
    case("duplicate_rows", Text("a,b\n1,x\n2,y\n1,x\n"), "", "flag: 1 duplicate row(s) (e.g. row 3 repeats row 1)"),
    case("id_like_column", Text("name,v\nann,1\nbob,2\ncid,1\ndan,2\neve,1\n"), "", "flag: column 'name' has 5 distinct values in 5 rows (ID-like)"),
    case("outliers", Text("v\n1\n2\n3\n2\n1\n2\n3\n2\n1\n500\n"), "", "flag: column 'v' has 1 outlier(s) by the IQR rule (outside [-1, 5])"),
    case("stray_strings_reported", Gen(stray_strings), "", "warning: column 'price' looks numeric but 2 of 20 cell(s) are not numbers (line 9 (row 8): \"oops\", line 16 (row 15): \"12 EUR\"); it was read as categorical"),
    case("stray_strings_coerced", Gen(stray_strings), r#"{"coerce_numeric":["price"]}"#, "warning: column 'price': 2 cell(s) that are not numbers were read as missing (coerce_numeric): line 9 (row 8): \"oops\""),
    case("coerce_unknown_column", Text("a\n1\n"), r#"{"coerce_numeric":["nope"]}"#, "error: column 'nope': is listed in coerce_numeric but no such column is in the file (columns: a)"),
    case("forced_numeric_with_text", Text("a\n1\nabc\n"), r#"{"types":{"a":"numeric"}}"#, "error: CSV line 3: column 'a' (row 2) is set to numeric but holds \"abc\"; fix the cell, add the token to missing_values, or list the column in coerce_numeric"),
    case("type_override_unknown_column", Text("a\n1\n"), r#"{"types":{"nope":"numeric"}}"#, "error: column 'nope': has a type override but no such column is in the file (columns: a)"),
    case("type_override_keeps_leading_zeros", Text("zip\n02134\n10001\n"), r#"{"types":{"zip":"categorical"}}"#, "types=[categorical] missing=[0] row1=[02134]"),
    case("forced_boolean_bad_value", Text("a\nyes\nmaybe\n"), r#"{"types":{"a":"boolean"}}"#, "error: column 'a': is set to boolean but holds \"maybe\""),
    case("nan_literals_are_missing", Text("a\n1\nNaN\nnan\n4\n"), "", "types=[numeric] missing=[2]"),
    case("inf_literals", Text("a\n1\ninf\n-Infinity\n"), "", "warning: column 'a' holds 2 infinite value(s) (first at line 3: \"inf\"); models need finite numbers"),
    case("missing_tokens_default", Text("a,b\n1,NA\n2,N/A\n3,null\n4,?\n5,-\n6,None\n7,x\n"), "", "missing=[0|6]"),
    case("missing_tokens_custom", Text("a\n1\n-999\n3\n"), r#"{"missing_values":["-999"]}"#, "types=[numeric] missing=[1]"),
    case("numbers_signs_spaces_exponents", Text("a\n +1 \n2e3\n-.5\n"), "", "types=[numeric] missing=[0] row1=[1]"),
    case("booleans_inferred", Text("a,b,c\nyes,1,T\nno,0,f\n"), "", "types=[boolean|boolean|boolean]"),
    case("thousands_separator_is_text", Text("a\n\"1,000\"\n\"2,500\"\n"), "", "types=[categorical]"),
    // --- Pipelines on hostile data
    cv_case("target_one_class", Text("x,y\n1,a\n2,a\n3,a\n4,a\n5,a\n6,a\n"), CLS_SPEC_ONE_CLASS, "cv warning: in every fold: the training rows hold a single class (a); the model always predicts it"),
    cv_case("target_missing_values", Text("x,y\n1,1\n2,\n3,3\n4,NA\n5,5\n6,6\n"), REG_SPEC, "cv warning: 2 row(s) with a missing target 'y' were left out of training and scoring"),
    cv_case("more_folds_than_rows", Text("x,y\n1,1\n2,2\n3,3\n"), r#"{"target":"y","model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":5}}}"#, "cv error: cv: parameter 'n_splits' is 5 but there are only 3 rows; use at most 3 folds"),
    cv_case("spec_target_not_in_data", Text("x,y\n1,1\n2,2\n"), r#"{"target":"nope","model":{"LinearRegression":{}}}"#, "cv error: spec target: column \"nope\" is not in the data (columns: x, y)"),
    cv_case("spec_drop_not_in_data", Text("x,y\n1,1\n2,2\n"), r#"{"target":"y","drop":["zz"],"model":{"LinearRegression":{}}}"#, "cv error: spec drop: column \"zz\" is not in the data"),
    cv_case("categorical_target_for_regressor", Text("x,y\n1,a\n2,b\n"), r#"{"target":"y","model":{"LinearRegression":{}}}"#, "cv error: column 'y': is categorical but LinearRegression is a regressor"),
    cv_case("continuous_target_for_classifier", Text("x,y\n1,0.5\n2,1.5\n"), CLS_SPEC_ONE_CLASS, "cv error: column 'y': holds continuous numbers (e.g. 0.5) but a classifier needs class labels"),
    cv_case("infinite_target", Text("x,y\n1,1\n2,inf\n3,3\n4,4\n"), REG_SPEC, "cv error: column 'y': target has an infinite value at row 2"),
    cv_case("all_target_missing", Text("x,y\n1,\n2,\n"), REG_SPEC, "cv error: column 'y': has no values: every target cell is missing"),
    // Rows inside a fold are named as in the file: data row 7 is line 8, whatever fold meets it.
    cv_case("fold_error_names_the_file_row", Gen(missing_at_row_7), REG_SPEC, "row 7 (line 8) when it reaches the model"),
    cv_case("fold_error_names_the_file_row_crlf", Gen(missing_at_row_7_crlf), REG_SPEC, "row 7 (line 8) when it reaches the model"),
    // The spec's `types` apply to a table already read (the page reads before there is a spec).
    cv_case("spec_types_categorical", Text("x,y\n1,1\n2,2\n3,3\n4,4\n"), r#"{"target":"y","types":{"x":"categorical"},"model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":2}}}"#, "cv error: column 'x': is categorical; add a preprocess branch"),
    cv_case("spec_types_numeric_bad_cell", Gen(stray_strings), r#"{"target":"id","types":{"price":"numeric"},"model":{"LinearRegression":{}}}"#, "cv error: column 'price': the spec's types set it to numeric but row 8 (line 9) holds \"oops\", not a number"),
    cv_case("spec_types_unknown_column", Text("x,y\n1,1\n2,2\n"), r#"{"target":"y","types":{"nope":"numeric"},"model":{"LinearRegression":{}}}"#, "cv error: spec types.nope: no column \"nope\" in the data"),
    cv_case("categorical_feature_without_encoder", Text("x,c,y\n1,a,1\n2,b,2\n3,a,3\n4,b,4\n"), REG_SPEC, "cv error: column 'c': is categorical; add a preprocess branch that encodes it"),
];
