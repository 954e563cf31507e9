//! The hostile-CSV catalogue, natively: every case of `common/csv_cases.rs`
//! must produce its specific message. One test per case (named like the case),
//! plus checks that the chunked reader agrees on every case.

use crate::{csv_cases, csv_check};

use csv_cases::CASES;
use pipelab::data::{read_csv, CsvChunkReader, ReadOptions};

fn run(name: &str) {
    let case = CASES.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case named {name}"));
    if let Err(e) = csv_check::check(case) {
        panic!("{e}");
    }
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { run(stringify!($name)); } )*
        const NAMED: &[&str] = &[$(stringify!($name)),*];
    };
}

cases!(
    empty_file,
    only_blank_lines,
    header_only,
    header_only_no_newline,
    ragged_too_few,
    ragged_too_many,
    ragged_line_after_multiline_field,
    ragged_skipped,
    ragged_all_skipped,
    unterminated_quote,
    quoted_delimiter,
    quoted_newline,
    escaped_quotes,
    quote_inside_unquoted_field,
    nul_bytes,
    png_renamed_csv,
    xlsx_renamed_csv,
    xls_renamed_csv,
    pdf_renamed_csv,
    gzip_renamed_csv,
    control_bytes,
    utf16_excel_unicode_text,
    latin1,
    latin1_values_decoded,
    latin1_warning,
    bom,
    excel_bom_crlf_no_final_newline,
    crlf,
    cr_only_old_mac,
    no_trailing_newline,
    blank_lines,
    ragged_line_lf_blank_lines,
    ragged_line_crlf_blank_lines,
    ragged_line_cr_blank_lines,
    quote_closed_lines_later_lf,
    quote_closed_lines_later_crlf,
    semicolon,
    semicolon_decimal_comma,
    decimal_comma_hint,
    tab,
    pipe,
    delimiter_override,
    bad_delimiter_option,
    unknown_option,
    max_bytes,
    columns_100k,
    field_10mb_quoted,
    field_10mb_digits,
    html_header_kept_as_text,
    html_cell_kept_as_text,
    duplicate_headers,
    empty_headers,
    trailing_delimiter,
    no_header_mode,
    numeric_header_warning,
    all_missing_column,
    constant_column,
    mostly_missing_column,
    duplicate_rows,
    id_like_column,
    outliers,
    stray_strings_reported,
    stray_strings_coerced,
    coerce_unknown_column,
    forced_numeric_with_text,
    type_override_unknown_column,
    type_override_keeps_leading_zeros,
    forced_boolean_bad_value,
    nan_literals_are_missing,
    inf_literals,
    missing_tokens_default,
    missing_tokens_custom,
    numbers_signs_spaces_exponents,
    booleans_inferred,
    thousands_separator_is_text,
    target_one_class,
    target_missing_values,
    more_folds_than_rows,
    spec_target_not_in_data,
    spec_drop_not_in_data,
    categorical_target_for_regressor,
    continuous_target_for_classifier,
    infinite_target,
    all_target_missing,
    categorical_feature_without_encoder,
    unterminated_quote_skipped,
    unterminated_quote_skipped_says_where,
    unterminated_quote_skipped_text_column,
    unterminated_quote_in_header_not_skipped,
    ragged_line_lf,
    ragged_line_crlf,
    ragged_line_cr,
    ragged_line_crlf_after_multiline_field,
    ragged_line_mixed_endings,
    unterminated_quote_crlf,
    unterminated_quote_cr,
    forced_numeric_with_text_crlf,
    forced_numeric_with_text_cr,
    inf_literals_cr,
    nul_bytes_cr,
    ragged_skipped_crlf,
    ragged_skipped_cr,
    fold_error_names_the_file_row,
    fold_error_names_the_file_row_crlf,
    spec_types_categorical,
    spec_types_numeric_bad_cell,
    spec_types_unknown_column,
);

#[test]
fn catalogue_is_complete_and_named_uniquely() {
    assert!(CASES.len() >= 40, "the issue asks for at least 40 cases, have {}", CASES.len());
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "duplicate case names");
    for c in CASES {
        assert!(NAMED.contains(&c.name), "case {} has no #[test] in cases!(..)", c.name);
    }
}

/// The chunked reader (what the page's worker uses) gives the same outcome as
/// `read_csv` on every case, fed in 7-byte and 64 KiB chunks.
#[test]
fn chunk_reader_agrees_on_every_case() {
    for c in CASES {
        let bytes = c.input.bytes();
        let opts: ReadOptions = if c.options.is_empty() {
            ReadOptions::default()
        } else {
            match serde_json::from_str(c.options) {
                Ok(o) => o,
                Err(_) => continue,
            }
        };
        let whole = read_csv(&bytes, &opts);
        for size in [7usize, 65536] {
            if size == 7 && bytes.len() > 1 << 20 {
                continue;
            }
            for streaming in [false, true] {
                // The streaming reader refuses a known size over max_bytes at once, with read_csv's message.
                let reader = if streaming { CsvChunkReader::streaming(opts.clone(), bytes.len()) } else { Ok(CsvChunkReader::new(opts.clone())) };
                let mut again = false;
                let chunked = reader.and_then(|mut r| {
                    bytes.chunks(size).try_for_each(|ch| r.feed(ch).map(|a| again |= a))?;
                    again |= r.end()?;
                    if again {
                        return Ok(None);
                    }
                    r.finish().map(Some)
                });
                let chunked = match chunked {
                    Ok(None) => {
                        assert!(streaming, "case {}: a chunk reader keeping its bytes asked for the file again", c.name);
                        continue; // the page reads it again keeping the bytes: the case above
                    }
                    Ok(Some(t)) => Ok(t),
                    Err(e) => Err(e),
                };
                match (&whole, &chunked) {
                    (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "case {} (streaming: {streaming})", c.name),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "case {} (streaming: {streaming})", c.name),
                    _ => panic!("case {} (streaming: {streaming}): read_csv {:?} vs chunked {:?}", c.name, whole.as_ref().err(), chunked.as_ref().err()),
                }
            }
        }
    }
}

/// The CLI's read of a CSV file (`api::read_csv_chunked`: the chunk reader fed what each
/// `read` returns, here at most 4099 bytes) gives `load_table`'s outcome on every case and
/// the bytes back; a progress hook returning `false` stops it with `Cancelled`.
#[test]
fn chunked_file_read_agrees_on_every_case() {
    struct Trickle<'a>(&'a [u8]);
    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(4099);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    for c in CASES {
        let bytes = c.input.bytes();
        let whole = pipelab::api::load_table(&bytes, c.options);
        let mut seen = 0;
        let chunked = pipelab::api::read_csv_chunked(&mut Trickle(&bytes), bytes.len(), c.options, &mut |n| {
            assert!(n > seen && n <= bytes.len(), "case {}: progress {n} after {seen}", c.name);
            seen = n;
            true
        });
        match (&whole, &chunked) {
            (Ok(a), Ok((b, t, r))) => {
                assert_eq!(format!("{a:?}"), format!("{:?}", (t, r)), "case {}", c.name);
                assert!(b == &bytes, "case {}: the bytes come back", c.name);
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "case {}", c.name),
            _ => panic!("case {}: load_table {:?} vs chunked {:?}", c.name, whole.as_ref().err(), chunked.as_ref().err()),
        }
    }
    let bytes = b"a,b\n1,2\n3,4\n".repeat(1000);
    let mut calls = 0;
    let e = pipelab::api::read_csv_chunked(&mut Trickle(&bytes), 0, "", &mut |_| {
        calls += 1;
        calls < 3
    })
    .unwrap_err();
    assert!(matches!(e, pipelab::Error::Cancelled), "{e}");
    assert_eq!(calls, 3, "stopped at the chunk after the hook said so");
}

/// Pathological sizes stay linear: generous bounds that only a quadratic blow-up would break.
#[test]
fn big_shapes_are_not_pathological() {
    for name in ["columns_100k", "field_10mb_quoted", "field_10mb_digits"] {
        let c = CASES.iter().find(|c| c.name == name).unwrap();
        let bytes = c.input.bytes();
        let t = std::time::Instant::now();
        let (table, _) = read_csv(&bytes, &ReadOptions::default()).unwrap();
        let secs = t.elapsed().as_secs_f64();
        eprintln!("{name}: {} bytes, {} cols, read in {secs:.3} s", bytes.len(), table.n_cols());
        assert!(secs < 30.0, "{name} took {secs} s");
    }
}

/// The profile of iris against pandas' `describe()` (public, widely quoted
/// figures: sepal_length count 150, mean 5.843333, std 0.828066, min 4.3,
/// 25% 5.1, 50% 5.80, 75% 6.4, max 7.9) and numpy's `histogram(bins="auto")`
/// (FD width 2·1.3·150^(-1/3) = 0.4893 > Sturges 3.6/(log2 150 + 1) = 0.4375 → ceil(3.6/0.4375) = 9 bins).
#[test]
fn profile_of_iris_matches_pandas_describe() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/datasets/iris.csv")).unwrap();
    let (t, r) = read_csv(&bytes, &ReadOptions::default()).unwrap();
    let p = pipelab::api::profile(&t, &r);
    let c = &p.columns[0];
    assert_eq!((c.name.as_str(), c.count, c.missing), ("sepal_length", 150, 0));
    let s = c.numeric.as_ref().unwrap();
    assert!((s.mean - 5.843333).abs() < 1e-6, "{}", s.mean);
    assert!((s.std_sample.unwrap() - 0.828066).abs() < 1e-6);
    assert!((s.std_population - 0.825301).abs() < 1e-6, "{}", s.std_population);
    assert_eq!((s.min, s.q1, s.median, s.q3, s.max), (4.3, 5.1, 5.8, 6.4, 7.9));
    assert_eq!(s.histogram.counts.len(), 9);
    assert_eq!(s.histogram.counts.iter().sum::<usize>(), 150);
    assert_eq!((s.histogram.edges[0], s.histogram.edges[9]), (4.3, 7.9));
    let species = &p.columns[4];
    let top = &species.categories.as_ref().unwrap().top;
    assert_eq!(top.iter().map(|c| c.count).collect::<Vec<_>>(), vec![50, 50, 50]);
    // iris has one exact duplicate row (row 143 repeats row 102), as pandas' duplicated() finds.
    assert_eq!(p.duplicate_rows, 1);
    assert_eq!(p.duplicate_examples, vec![[143, 102]]);
    // sepal_width has 4 IQR outliers (pandas/numpy: values < 2.05 or > 4.05: 2.0, 4.4, 4.1, 4.2).
    assert_eq!(p.columns[1].numeric.as_ref().unwrap().outliers, 4);
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["columns"][0]["type"], "numeric");
}
