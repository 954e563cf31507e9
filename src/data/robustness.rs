//! The reader's robustness property, shared by the coverage-guided fuzz target
//! (`fuzz/fuzz_targets/read_csv.rs`, `scripts/fuzz.sh`) and the seeded mutation
//! test that `cargo test` runs (`tests/library/csv_mutations.rs`).

use super::{profile, read_csv, CsvChunkReader, ReadOptions};

/// Reads `data` as the fuzz target does and checks the property: no panic, and
/// the chunked reader gives the same result as [`read_csv`] (same table and
/// report, or both an error), and so does the streaming chunk reader unless it
/// asks for the file again; a table's profile counts its rows. The first byte
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
    for streaming in [false, true] {
        let mut r = if streaming { CsvChunkReader::streaming(o.clone(), bytes.len()).map_err(|e| e.to_string())? } else { CsvChunkReader::new(o.clone()) };
        let mut fed = Ok(false);
        for c in bytes.chunks(chunk) {
            fed = r.feed(c);
            if !matches!(fed, Ok(false)) {
                break;
            }
        }
        let fed = fed.and_then(|again| if again { Ok(true) } else { r.end() });
        if matches!(fed, Ok(true)) {
            if !streaming {
                return Err("a chunk reader that keeps its bytes asked for the file again".into());
            }
            continue; // the page reads the file again, keeping the bytes: the case above
        }
        let chunked = fed.and_then(|_| r.finish());
        match (&whole, &chunked) {
            // Debug text compares NaN cells as equal.
            (Ok(a), Ok(b)) if format!("{a:?}") != format!("{b:?}") => {
                return Err(format!("read_csv and CsvChunkReader (streaming: {streaming}) give different tables: {a:?} vs {b:?}"))
            }
            (Ok(_), Err(_)) | (Err(_), Ok(_)) => {
                return Err(format!("read_csv and CsvChunkReader (streaming: {streaming}) disagree: {whole:?} vs {chunked:?}"))
            }
            _ => {}
        }
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
