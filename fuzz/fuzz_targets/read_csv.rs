//! Fuzz target for the CSV reader: no panic on any input, and the chunked
//! reader gives the same result as `read_csv` (same table and report, or both
//! an error). The first byte chooses options and the chunk size.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pipelab::data::{profile, read_csv, CsvChunkReader, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else { return };
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
        (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
        (Err(_), Err(_)) => {}
        _ => panic!("read_csv and CsvChunkReader disagree: {whole:?} vs {chunked:?}"),
    }
    if let Ok((t, _)) = whole {
        let p = profile(&t);
        assert_eq!(p.n_rows, t.n_rows);
        let _ = serde_json::to_string(&p);
    }
});
