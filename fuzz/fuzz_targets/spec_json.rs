//! Fuzz target for the spec parser (`PipelineSpec::from_json`): no panic on any
//! input, an error always says something, and a spec that parses round-trips
//! through its own JSON. The property lives in the library
//! (`pipelab::persist::robustness::check_spec_on`), which `cargo test` also runs
//! on seeded mutations (tests/model_mutations.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = pipelab::persist::robustness::check_spec_on(data) {
        panic!("{violation}");
    }
});
