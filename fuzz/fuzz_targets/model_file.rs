//! Fuzz target for the model loader (`ModelFile::from_bytes`: size, UTF-8,
//! JSON, validation) and what a loaded model does next: round-trip, inspect,
//! predict a small table. No panic on any input; an error always says
//! something. The property lives in the library
//! (`pipelab::persist::robustness::check_model_on`), which `cargo test` also
//! runs on seeded mutations (tests/model_mutations.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = pipelab::persist::robustness::check_model_on(data) {
        panic!("{violation}");
    }
});
