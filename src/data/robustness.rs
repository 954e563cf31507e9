//! The reader's robustness property, shared by the coverage-guided fuzz target
//! (`fuzz/fuzz_targets/read_csv.rs`, `scripts/fuzz.sh`) and the seeded mutation
//! test that `cargo test` runs (`tests/library/csv_mutations.rs`).

use super::{profile, read_csv, CsvChunkReader, ReadOptions};

/// Reads `data` as the fuzz target does and checks the property: no panic, and
/// the chunked reader gives the same result as [`read_csv`] (same table and
/// report, or both an error); a table's profile counts its rows. The first byte
/// chooses the options and the chunk size. Returns a description of a
/// violation (a panic propagates, as the fuzzer needs).
pub fn check_reader_on(data: &[u8]) -> Result<(), String> {
    let Some((&sel, bytes)) = data.split_first() else { return Ok(()) };
    let mut o = ReadOptions::default();
    o.has_header = sel & 1 == 0;
    o.skip_malformed_rows = sel & 2 != 0;
    if sel & 4 != 0 {
        o.delimiter = Some(';');
    }
    if sel & 8 != 0 {
        o.missing_values = vec!["0".into(), "x".into()];
    }
    let whole = read_csv(bytes, &o);
    let chunk = 1 + (sel >> 4) as usize * 5;
    let mut r = CsvChunkReader::new(o);
    let mut fed = Ok(());
    for c in bytes.chunks(chunk) {
        fed = r.feed(c);
        if fed.is_err() {
            break;
        }
    }
    let chunked = fed.and_then(|_| r.finish());
    match (&whole, &chunked) {
        // Debug text compares NaN cells as equal.
        (Ok(a), Ok(b)) if format!("{a:?}") != format!("{b:?}") => return Err(format!("read_csv and CsvChunkReader give different tables: {a:?} vs {b:?}")),
        (Ok(_), Err(_)) | (Err(_), Ok(_)) => return Err(format!("read_csv and CsvChunkReader disagree: {whole:?} vs {chunked:?}")),
        _ => {}
    }
    if let Ok((t, _)) = whole {
        let p = profile(&t);
        if p.n_rows != t.n_rows {
            return Err(format!("the profile counts {} rows, the table has {}", p.n_rows, t.n_rows));
        }
        serde_json::to_string(&p).map_err(|e| format!("the profile does not serialise: {e}"))?;
    }
    Ok(())
}
