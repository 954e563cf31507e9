//! Modules of the native CLI only (the binary declares them; the library and
//! the wasm build never see them): anything that does I/O, reads a clock or
//! the OS lives here, above `api`.

pub mod bench_data;
