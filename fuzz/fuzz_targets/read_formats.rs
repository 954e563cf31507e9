//! Fuzz target for the readers of Parquet, Excel/ODS, JSON and SQLite
//! (`src/data/formats/`): no panic on any bytes, and what converts reads back
//! through the CSV reader. The first byte picks the file name (the format when
//! the magic bytes do not tell); the property is
//! `pipelab::data::formats::check_reader_on`, which `cargo test` also runs on
//! seeded mutations of every fixture (tests/library/formats.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 5] = ["data.parquet", "data.xlsx", "data.jsonl", "data.json", "data.sqlite"];

/// libFuzzer's panic hook aborts on every panic, caught or not. The parquet crate asserts on some
/// malformed pages, and calamine (built with overflow checks) panics on hostile cell references;
/// the native readers catch those and report a corrupt file (catalogue cases,
/// tests/common/format_cases.rs), so a panic raised inside either crate is let through to that
/// catch; any other panic (ours, or another reader's) is still a crash.
fn tolerate_reader_crate_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.location().is_some_and(|l| l.file().contains("/parquet-") || l.file().contains("/calamine-")) {
                return;
            }
            abort(info);
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    tolerate_reader_crate_panics();
    let Some((&sel, bytes)) = data.split_first() else { return };
    if let Err(violation) = pipelab::data::formats::check_reader_on(NAMES[sel as usize % NAMES.len()], bytes) {
        panic!("{violation}");
    }
});
