//! The `pipelab` binary: the native CLI (`src/cli/app.rs` and its modules in
//! `src/cli/`). It reads files, threads, sockets and the clock, so it is native
//! only; wasm-pack builds every target of the package for wasm32, where this
//! binary is an empty program.

#[cfg(not(target_arch = "wasm32"))]
#[path = "cli/app.rs"]
mod app;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    app::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
