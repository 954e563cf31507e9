//! The page's data area: the profile of the loaded table and streaming reads.
//!
//! A dropped file is read by the worker in chunks (`Blob.slice`), each fed to a
//! [`CsvStream`] (the core's [`CsvChunkReader`]), so parsing progresses while the
//! file arrives and the bytes never exist as a JS copy of the whole file. When
//! the last chunk is in, [`Session::load_stream`] turns the stream into the
//! session's table — or leaves the previous table in place on error.
//!
//! The stream keeps only the bytes not parsed yet ([`CsvChunkReader::streaming`]):
//! wasm memory holds the table and a chunk, not the file. In the rare case of a
//! column that turns to text after numbers whose bytes were dropped, `feed` or
//! `end` returns `true` and the worker reads the file again into a
//! [`CsvStream::retaining`] stream, which keeps every byte.

use wasm_bindgen::prelude::*;

use super::{js_err, no_table, to_js, Session};
use crate::api;
use crate::data::{CsvChunkReader, ReadOptions};
use crate::Error;

/// The largest file the page reads: 1 GiB. The streaming read holds the table
/// and a chunk; its rare retaining re-read keeps the file's bytes and builds the
/// table beside them, about 2.5 × the file for a numeric CSV, so the probe asks
/// for that: 1 GiB needs ~2.5 GiB of the 4 GiB a wasm32 module can
/// address, leaving room for the previous table (kept until the new one is read)
/// and for the models. Larger files are for the native CLI.
pub const PAGE_MAX_BYTES: usize = 1 << 30;

/// Peak memory of a read relative to the file size: measured 2.40 × for a
/// 100 000 × 20 numeric CSV (19.9 MB) in Chromium (scripts/measure-read.mjs):
/// the file's bytes (1×), the f64 columns and their growth. That is the
/// retaining re-read's need; the streaming read holds no copy of the file
/// (bench/HISTORY.md, Session 12), but the probe asks for the worst case.
const PEAK_FACTOR_NUM: usize = 5;
const PEAK_FACTOR_DEN: usize = 2;

/// Files from this size on are checked against the memory the tab can get
/// (smaller ones cannot plausibly fail, and probing would inflate the memory
/// the module holds, which only grows).
const PROBE_FROM: usize = 64 << 20;

/// The read options the page sends (JSON; `""` = defaults), capped to the page's size limit.
pub(crate) fn page_options(options_json: &str) -> crate::Result<ReadOptions> {
    let mut opts: ReadOptions = crate::api::parse_options("read options", options_json)?;
    opts.max_bytes = opts.max_bytes.min(PAGE_MAX_BYTES);
    Ok(opts)
}

/// Checks, before any byte is read, that the tab can hold a read of `n_bytes`:
/// under the page's limit, and wasm memory can grow to the expected peak.
/// The probe allocation is freed at once; the allocator reuses that space for
/// the read, so a file that passes does not fail halfway for lack of memory.
pub(crate) fn check_room(n_bytes: usize, opts: &ReadOptions) -> crate::Result<()> {
    if n_bytes > opts.max_bytes {
        return Err(Error::Csv(format!(
            "the file is {:.1} MB; this page reads files of up to {:.1} MB in this browser tab. For a larger file use the native \
             command line, which reads any size (pipelab profile --data FILE.csv, pipelab cv --data FILE.csv --spec SPEC.json)",
            n_bytes as f64 / 1048576.0,
            opts.max_bytes as f64 / 1048576.0
        )));
    }
    if n_bytes < PROBE_FROM {
        return Ok(());
    }
    let peak = n_bytes.saturating_mul(PEAK_FACTOR_NUM) / PEAK_FACTOR_DEN;
    // In blocks: one wasm32 allocation is at most isize::MAX (2 GiB).
    const BLOCK: usize = 256 << 20;
    let mut probe: Vec<Vec<u8>> = Vec::new();
    let mut left = peak;
    let mut ok = true;
    while left > 0 && ok {
        let mut b: Vec<u8> = Vec::new();
        ok = b.try_reserve_exact(left.min(BLOCK)).is_ok();
        left -= left.min(BLOCK);
        probe.push(b);
    }
    drop(probe);
    if !ok {
        return Err(Error::Csv(format!(
            "the file is {:.1} MB and reading it needs about {:.0} MB of memory, more than this browser tab can get; \
             use a smaller extract (fewer rows or columns), or the native CLI (pipelab profile / pipelab cv)",
            n_bytes as f64 / 1048576.0,
            peak as f64 / 1048576.0
        )));
    }
    Ok(())
}

/// The bytes of wasm memory the module holds now (it only grows, so after a
/// read this is the peak of the whole session so far).
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

/// A CSV being read chunk by chunk (see the module docs).
#[wasm_bindgen]
pub struct CsvStream {
    reader: Option<CsvChunkReader>,
}

#[wasm_bindgen]
impl CsvStream {
    /// Starts a read of a file of `n_bytes` with options as JSON. Refuses at
    /// once a file over the page's limit or larger than the tab can hold.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str, n_bytes: f64) -> Result<CsvStream, JsValue> {
        let opts = page_options(options_json).map_err(js_err)?;
        let n = if n_bytes.is_finite() && n_bytes >= 0.0 { n_bytes as usize } else { 0 };
        check_room(n, &opts).map_err(js_err)?;
        let reader = CsvChunkReader::streaming(opts, n).map_err(js_err)?;
        Ok(CsvStream { reader: Some(reader) })
    }

    /// A stream that keeps every byte it is fed: the second read of a file for
    /// which `feed` or `end` returned `true`. Its peak memory is about the file
    /// plus the table.
    pub fn retaining(options_json: &str, n_bytes: f64) -> Result<CsvStream, JsValue> {
        let opts = page_options(options_json).map_err(js_err)?;
        let n = if n_bytes.is_finite() && n_bytes >= 0.0 { n_bytes as usize } else { 0 };
        check_room(n, &opts).map_err(js_err)?;
        let reader = CsvChunkReader::with_capacity(opts, n).map_err(js_err)?;
        Ok(CsvStream { reader: Some(reader) })
    }

    /// Appends a chunk and parses the records it completes. Errors (binary
    /// content, a ragged row...) come as soon as they are known. `true`: the file
    /// must be read again into a [`CsvStream::retaining`] stream (see the module
    /// docs); the rest of this one's chunks are ignored.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<bool, JsValue> {
        let r = self.reader.as_mut().ok_or_else(used)?;
        r.feed(chunk).map_err(js_err)
    }

    /// After the last chunk: parses the last records. `true` as for `feed`.
    /// (`load_stream` does this itself when it was not called.)
    pub fn end(&mut self) -> Result<bool, JsValue> {
        let r = self.reader.as_mut().ok_or_else(used)?;
        r.end().map_err(js_err)
    }

    /// Bytes parsed into the table so far (the progress to show).
    pub fn bytes_consumed(&self) -> f64 {
        self.reader.as_ref().map_or(0.0, |r| r.bytes_consumed() as f64)
    }

    /// Bytes fed so far.
    pub fn bytes_received(&self) -> f64 {
        self.reader.as_ref().map_or(0.0, |r| r.bytes_received() as f64)
    }
}

fn used() -> JsValue {
    js_sys::Error::new("internal: this CSV stream was already finished").into()
}

#[wasm_bindgen]
impl Session {
    /// Finishes a streamed read and makes its table the session's; returns the
    /// table summary. On error the previous table is kept.
    pub fn load_stream(&mut self, stream: &mut CsvStream) -> Result<JsValue, JsValue> {
        let reader = stream.reader.take().ok_or_else(used)?;
        let (table, report) = reader.finish().map_err(js_err)?;
        let summary = to_js(&api::summarize(&table, &report, 20))?;
        self.set_table(table, report);
        Ok(summary)
    }

    /// The profile of the loaded table: per-column statistics, histograms, top
    /// categories and the flags worth acting on before modelling.
    pub fn profile(&self) -> Result<JsValue, JsValue> {
        let (t, r) = self.table.as_ref().ok_or_else(no_table)?;
        to_js(&api::profile(t, r))
    }
}
