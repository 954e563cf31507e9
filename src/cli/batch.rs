//! `pipelab predict`: streamed batch prediction. The input (a file or stdin)
//! is read in 1 MiB pieces and fed to `api::PredictStream`, which predicts
//! every complete batch of `api::STREAM_BATCH_ROWS` rows and hands back its
//! CSV, written at once. Memory stays bounded whatever the file size: one
//! piece of input, one batch's bytes and table, and its output text (see
//! README "Deploy" for the measured figures).

use std::io::{Read, Write};

use pipelab::api;
use pipelab::persist::ModelFile;

const READ_BYTES: usize = 1 << 20;

/// Predicts `input` (CSV bytes of `data`, a path or `-` for stdin, opened by
/// `source::open_csv_stream`) into `out` (a path, `-` or `None` for stdout).
pub fn predict(model: &ModelFile, data: &str, mut input: Box<dyn Read>, out: Option<&str>) -> Result<(), String> {
    let to_file = out.filter(|p| *p != "-");
    let mut output: Box<dyn Write> = match to_file {
        Some(p) => Box::new(std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(p).map_err(|e| format!("cannot write {p}: {e}"))?)),
        None => Box::new(std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock())),
    };
    let dest = to_file.unwrap_or("stdout");
    let result = run(model, data, &mut *input, &mut *output, dest);
    if result.is_err() {
        if let Some(p) = to_file {
            // Do not leave a partial file that looks like a complete prediction.
            drop(output);
            let _ = std::fs::remove_file(p);
        }
    }
    result
}

fn run(model: &ModelFile, data: &str, input: &mut dyn Read, output: &mut dyn Write, dest: &str) -> Result<(), String> {
    let name = if data == "-" { "stdin" } else { data };
    let mut stream = api::PredictStream::new(model);
    let mut buf = vec![0u8; READ_BYTES];
    // Progress (src/cli/progress.rs): the rows predicted so far; a Ctrl-C stops at the next
    // piece of input, and `predict` removes the --out file it had begun.
    let mut ticker = super::progress::Ticker::new("predict");
    let write = |output: &mut dyn Write, text: &str| -> Result<bool, String> {
        match output.write_all(text.as_bytes()) {
            Ok(()) => Ok(true),
            // `pipelab predict ... | head`: the reader has gone; stop quietly.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(format!("cannot write to {dest}: {e}")),
        }
    };
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("cannot read {name}: {e}")),
        };
        let text = stream.feed(&buf[..n]).map_err(|e| format!("{name}: {e}"))?;
        if !ticker.tick(&format!("{} rows predicted", stream.rows_done())) {
            return Err(super::progress::message());
        }
        if !write(output, &text)? {
            return Ok(());
        }
    }
    let text = stream.finish().map_err(|e| format!("{name}: {e}"))?;
    super::progress::check()?;
    for w in stream.warnings() {
        eprintln!("pipelab: warning: {w}");
    }
    if write(output, &text)? {
        match output.flush() {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(format!("cannot write to {dest}: {e}")),
        }
    }
    Ok(())
}
