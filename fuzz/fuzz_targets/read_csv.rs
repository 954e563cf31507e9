//! Fuzz target for the CSV reader: no panic on any input, and the chunked
//! reader gives the same result as `read_csv` (same table and report, or both
//! an error). The first byte chooses options and the chunk size. The property
//! lives in the library (`pipelab::data::robustness`), which `cargo test` also
//! runs on seeded mutations (tests/library/csv_mutations.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = pipelab::data::robustness::check_reader_on(data) {
        panic!("{violation}");
    }
});
