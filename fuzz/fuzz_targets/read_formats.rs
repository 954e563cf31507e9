//! Fuzz target for the readers of Parquet, Excel/ODS, JSON and SQLite
//! (`src/data/formats/`): no panic on any bytes, and what converts reads back
//! through the CSV reader. The first byte picks the file name (the format when
//! the magic bytes do not tell); the property is
//! `pipelab::data::formats::check_reader_on`, which `cargo test` also runs on
//! seeded mutations of every fixture (tests/library/formats.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 5] = ["data.parquet", "data.xlsx", "data.jsonl", "data.json", "data.sqlite"];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else { return };
    if let Err(violation) = pipelab::data::formats::check_reader_on(NAMES[sel as usize % NAMES.len()], bytes) {
        panic!("{violation}");
    }
});
