//! Data formats besides CSV (issue 18), natively: every fixture yields the same
//! table as its CSV export (same profile JSON, same CV scores, same model file),
//! the hostile-format catalogue gives its messages, and the CLI reads every
//! format (`--sheet`, `--table`, `--query`, an http:// URL).

use crate::format_cases::{CASES, SAME_AS_CSV};
use pipelab::api::{self, SourceOptions};
use pipelab::data::{ColumnType, Table};
use pipelab::selection::cv::CvHooks;

use crate::support::format_spec as spec_for;

fn load(name: &str, bytes: &[u8], source: &str) -> pipelab::Result<Table> {
    let source: SourceOptions = serde_json::from_str(source).unwrap();
    api::load_data(bytes, name, &source, "").map(|(t, _)| t)
}

#[test]
fn every_format_reads_as_its_csv_export() {
    for ((name, bytes), (csv_name, csv), _) in SAME_AS_CSV {
        let t = load(name, bytes, "{}").unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = load(csv_name, csv, "{}").unwrap();
        // Debug text, not ==: a missing cell is NaN, and NaN != NaN.
        assert_eq!(format!("{t:?}"), format!("{want:?}"), "{name} reads as {csv_name}");
        let p = serde_json::to_string(&api::profile(&t, &Default::default())).unwrap();
        assert_eq!(p, serde_json::to_string(&api::profile(&want, &Default::default())).unwrap(), "{name}: profile");
    }
}

#[test]
fn same_cv_scores_and_model_file_as_the_csv_export() {
    let now = || 0.0;
    for ((name, bytes), (csv_name, csv), _) in SAME_AS_CSV.iter().filter(|c| !c.0 .0.starts_with("types")) {
        let spec = spec_for(name);
        let (t, want) = (load(name, bytes, "{}").unwrap(), load(csv_name, csv, "{}").unwrap());
        let a = api::cross_validate(&t, spec, CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None }).unwrap();
        let b = api::cross_validate(&want, spec, CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None }).unwrap();
        assert_eq!(serde_json::to_string(&api::CvSummary::of(&a)).unwrap(), serde_json::to_string(&api::CvSummary::of(&b)).unwrap(), "{name}: CV");
        let ma = api::fit_model(&t, spec, Some(&a)).unwrap().to_json().unwrap();
        let mb = api::fit_model(&want, spec, Some(&b)).unwrap().to_json().unwrap();
        assert!(ma == mb, "{name}: the model files differ");
    }
}

#[test]
fn parquet_types_come_from_the_schema() {
    let ((name, bytes), _, _) = SAME_AS_CSV.iter().find(|c| c.0 .0 == "types.parquet").unwrap();
    let t = load(name, bytes, "{}").unwrap();
    let ty: Vec<(String, ColumnType)> = t.columns.iter().map(|c| (c.name.clone(), c.data.column_type())).collect();
    let want = [
        ("day", ColumnType::Categorical),
        ("at", ColumnType::Categorical),
        ("price", ColumnType::Numeric),
        ("small", ColumnType::Numeric),
        ("f32", ColumnType::Numeric),
        ("city", ColumnType::Categorical),
        ("flag", ColumnType::Boolean),
    ];
    assert_eq!(ty, want.map(|(n, t)| (n.to_string(), t)));
    let c = api::convert(bytes, name, &SourceOptions::default()).unwrap();
    assert_eq!(c.n_rows, 3);
    assert!(c.csv.starts_with("day,at,price,small,f32,city,flag\n2020-01-01,2020-01-01 12:30:05,12.34,1,0.1,Paris,True\n"), "{}", c.csv);
}

#[test]
fn sheets_tables_and_queries_are_chosen() {
    let ((_, iris_db), _, _) = SAME_AS_CSV.iter().find(|c| c.0 .0 == "iris.sqlite").unwrap();
    let two_sheets = include_bytes!("../fixtures/formats/two_sheets.xlsx");
    let two_tables = include_bytes!("../fixtures/formats/two_tables.sqlite");
    assert_eq!(api::data_parts(two_sheets, "b.xlsx").unwrap(), ["first", "second"]);
    assert_eq!(api::data_parts(two_tables, "d.sqlite").unwrap(), ["blobs", "iris", "people"]);
    let first = load("b.xlsx", two_sheets, r#"{"sheet": "first"}"#).unwrap();
    assert_eq!(
        (first.n_rows, first.names()),
        (5, vec!["sepal_length", "sepal_width", "petal_length", "petal_width", "species"].into_iter().map(String::from).collect::<Vec<_>>())
    );
    let second = load("b.xlsx", two_sheets, r#"{"sheet": "second"}"#).unwrap();
    assert_eq!((second.n_rows, second.n_cols()), (5, 11));
    let no_header = load("b.xlsx", two_sheets, r#"{"sheet": "first", "header": false}"#).unwrap();
    assert_eq!((no_header.n_rows, no_header.columns[0].name.as_str()), (6, "column_1"));
    let people = load("d.sqlite", two_tables, r#"{"table": "people"}"#).unwrap();
    assert_eq!(people.n_rows, 5);
    let q = load("d.sqlite", two_tables, r#"{"query": "SELECT species, COUNT(*) AS n FROM iris GROUP BY species ORDER BY species"}"#).unwrap();
    assert_eq!(q.n_rows, 3);
    assert_eq!(q.columns[1].data.column_type(), ColumnType::Numeric);
    // The single table of a database is read without asking; the query equals the table.
    let whole = load("iris.sqlite", iris_db, "{}").unwrap();
    assert_eq!(load("iris.sqlite", iris_db, r#"{"query": "SELECT * FROM iris"}"#).unwrap(), whole);
}

#[test]
fn hostile_formats_give_their_messages() {
    let mut failures = Vec::new();
    for case in CASES {
        match load(case.file.0, case.file.1, case.source) {
            Ok(_) => failures.push(format!("{}: read without an error", case.name)),
            Err(e) if e.to_string().starts_with(case.expect) => {}
            Err(e) => failures.push(format!("{}: got {e:?}\n   want {:?}...", case.name, case.expect)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_prefix_of_a_parquet_file_fails_cleanly() {
    // The reader never panics: every truncation is an error (or, for the whole file, the table).
    let ((name, bytes), _, _) = SAME_AS_CSV[0];
    for n in (0..bytes.len()).step_by(97) {
        let r = load(name, &bytes[..n], "{}");
        assert!(matches!(r, Err(pipelab::Error::Format { .. }) | Err(pipelab::Error::Csv(_))), "prefix {n}: {r:?}");
    }
}

#[test]
fn seeded_mutations_of_every_format_fail_cleanly() {
    // The fuzz property (fuzz/fuzz_targets/read_formats.rs) on seeded mutations of every
    // fixture: flipped, deleted and inserted bytes and truncations never panic; a read
    // either gives a table or an error that says something.
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
    let mut n = 0;
    let files = SAME_AS_CSV.iter().map(|(file, _, _)| *file).chain(CASES.iter().map(|c| c.file));
    for (name, bytes) in files {
        for _ in 0..40 {
            let mut b = bytes.to_vec();
            for _ in 0..rng.random_range(1..6) {
                let at = rng.random_range(0..b.len().max(1));
                match rng.random_range(0..4) {
                    0 if !b.is_empty() => b[at] ^= 1 << rng.random_range(0..8),
                    1 if !b.is_empty() => {
                        b.remove(at);
                    }
                    2 => b.insert(at.min(b.len()), rng.random()),
                    _ => b.truncate(at),
                }
            }
            if let Err(violation) = pipelab::data::formats::check_reader_on(name, &b) {
                panic!("{name}, mutation {n}: {violation}");
            }
            n += 1;
        }
    }
    assert!(n > 500, "{n} mutations");
}

/// The text path: the file's CSV text read with its types forced over `options` (the user's
/// types win), as `api::load_data` read every non-CSV file before numeric columns skipped the text.
fn through_text(name: &str, bytes: &[u8], options: &str) -> pipelab::Result<(Table, pipelab::data::ReadReport)> {
    let c = api::convert(bytes, name, &SourceOptions::default())?;
    let mut o: pipelab::data::ReadOptions = if options.is_empty() { Default::default() } else { serde_json::from_str(options).unwrap() };
    o.delimiter = Some(',');
    o.has_header = true;
    o.types_for_present_columns_only = true;
    for (k, t) in &c.types {
        o.types.entry(k.clone()).or_insert(*t);
    }
    pipelab::data::read_csv(c.csv.as_bytes(), &o)
}

#[test]
fn numeric_parquet_columns_skip_the_text_and_read_the_same() {
    let (name, bytes) = ("numeric_edges.parquet", &include_bytes!("../fixtures/formats/numeric_edges.parquet")[..]);
    // Options that keep the direct path (none; a numeric type) and options under which it steps
    // aside for the text (a boolean type on a typed column, a number as missing token,
    // coerce_numeric, a text column typed numeric: the same error).
    let options = [
        "",
        r#"{"types": {"bin01": "numeric", "u8": "numeric"}}"#,
        r#"{"types": {"bin01": "boolean"}}"#,
        r#"{"types": {"only1": "categorical"}}"#,
        r#"{"missing_values": ["-1", ""]}"#,
        r#"{"coerce_numeric": ["dec"]}"#,
        r#"{"types": {"note": "numeric"}}"#,
    ];
    for o in options {
        let direct = api::load_data(bytes, name, &SourceOptions::default(), o);
        let text = through_text(name, bytes, o);
        match (direct, text) {
            (Ok((t, mut r)), Ok((want, want_r))) => {
                assert_eq!(format!("{t:?}"), format!("{want:?}"), "options {o}");
                assert_eq!(r.bytes, bytes.len(), "the report counts the file's bytes");
                r.bytes = want_r.bytes;
                assert_eq!(r, want_r, "options {o}");
                assert_eq!(
                    (0..t.n_rows).map(|i| t.origin.locate(i).1).collect::<Vec<_>>(),
                    (0..want.n_rows).map(|i| want.origin.locate(i).1).collect::<Vec<_>>()
                );
            }
            (Err(e), Err(want)) => assert_eq!(e.to_string(), want.to_string(), "options {o}"),
            (d, t) => panic!("options {o}: {d:?} against the text's {t:?}"),
        }
    }
    // The edges themselves, as the text decides them.
    let (t, r) = api::load_data(bytes, name, &SourceOptions::default(), "").unwrap();
    let num = |c: &str| match &t.column(c).unwrap().data {
        pipelab::data::ColumnData::Numeric(v) => v.clone(),
        other => panic!("{c}: {other:?}"),
    };
    let f32s = num("f32");
    // A float32 is its own shortest text read as f64: 0.1, not 0.10000000149011612.
    assert_eq!(f32s[0].to_bits(), 0.1f64.to_bits());
    assert_eq!(f32s[1].to_bits(), 0.33333334f64.to_bits());
    assert_eq!(f32s[2], 16777216.0);
    assert_eq!(f32s[3].to_bits(), 1e-45f64.to_bits());
    assert!(f32s[4].is_nan() && f32s[5] == f64::INFINITY);
    assert_eq!(t.column("bin01").unwrap().data.column_type(), ColumnType::Boolean, "0/1 integers are boolean, as in the CSV");
    assert_eq!(t.column("only1").unwrap().data.column_type(), ColumnType::Numeric, "1 alone is not a boolean");
    assert_eq!(t.column("float01").unwrap().data.column_type(), ColumnType::Numeric, "0.0 and 1.0 are written 0.0 and 1.0");
    assert!(num("null_f64").iter().chain(&num("null_i32")).all(|x| x.is_nan()));
    assert_eq!(num("big")[..3], [9007199254740992.0, -9223372036854775808.0, 9223372036854775807i64 as f64]);
    assert_eq!(num("u64")[0], u64::MAX as f64);
    let dec = num("dec");
    assert!(dec[0] == 1.005 && dec[1].is_nan() && dec[2] == -123456789.125 && dec[3] == 0.0);
    let dbl = num("dbl");
    assert!(dbl[0].is_nan() && dbl[1].to_bits() == (-0.0f64).to_bits() && dbl[3] == 5e-324 && dbl[5] == 0.1 + 0.2);
    // Infinities are reported on the CSV text's lines: the multi-line cell of row 2 moves them down one.
    let lines: Vec<(String, u64, usize)> = r.infinite_values.iter().map(|v| (v.column.clone(), v.first.line, v.first.row)).collect();
    assert_eq!(lines, [("f32".to_string(), 8, 6), ("dbl".to_string(), 7, 5)]);
    match &t.column("flag").unwrap().data {
        pipelab::data::ColumnData::Boolean { tokens, .. } => assert_eq!(tokens, &["false".to_string(), "True".to_string()]),
        other => panic!("flag: {other:?}"),
    }
}
