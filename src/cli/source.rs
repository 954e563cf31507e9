//! Where the CLI reads a data file: a path, `-` (stdin, for `predict`), or an
//! `http://` or `https://` URL (src/cli/http.rs: trusted roots, TLS errors); in any format `api::load_data` reads. `--sheet NAME`,
//! `--table NAME` and `--query SQL` choose the part of a workbook or database.
//! This is the one place the CLI reads `--data`.

use std::io::Read;

use pipelab::api::{self, Format, SourceOptions};
use pipelab::data::ReadReport;
use pipelab::data::Table;
use pipelab::persist::ModelFile;

/// The flags every `--data` command accepts besides `--data`.
pub const FLAGS: &[&str] = &["sheet", "table", "query"];

pub fn options(flags: &std::collections::HashMap<String, String>) -> SourceOptions {
    options_with(|k| flags.get(k).cloned())
}

/// [`options`] from any flag lookup (the monitor commands keep their flags in a list).
pub fn options_with(flag: impl Fn(&str) -> Option<String>) -> SourceOptions {
    SourceOptions { sheet: flag("sheet"), table: flag("table"), query: flag("query"), header: true }
}

fn is_url(path: &str) -> bool {
    path.starts_with("http://") || path.starts_with("https://")
}

/// The bytes of a file or URL.
pub fn read_bytes(path: &str) -> Result<Vec<u8>, String> {
    if is_url(path) {
        fetch(path)
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

#[cfg(all(feature = "tracking", not(target_arch = "wasm32")))]
fn fetch(url: &str) -> Result<Vec<u8>, String> {
    let agent = super::http::agent(std::time::Duration::from_secs(60))?;
    let resp = agent.get(url).call().map_err(|e| super::http::tls_problem(url, &e).unwrap_or_else(|| format!("{url}: cannot fetch it ({e})")))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("{url}: the server answered HTTP {}", status.as_u16()));
    }
    let mut bytes = Vec::new();
    resp.into_body().into_reader().read_to_end(&mut bytes).map_err(|e| format!("{url}: the download failed ({e})"))?;
    Ok(bytes)
}

#[cfg(not(all(feature = "tracking", not(target_arch = "wasm32"))))]
fn fetch(url: &str) -> Result<Vec<u8>, String> {
    Err(format!("{url}: this build has no HTTP client (rebuild with the default `tracking` feature), download the file first"))
}

/// The name used to detect a URL's format: its path without the query string.
fn name_of(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or(path)
}

/// Reads `--data` into a table; the raw bytes come back too (lineage, tracking).
/// A CSV file (or pipe) is read a chunk at a time ([`api::read_csv_chunked`]) with
/// `progress(bytes read, size or 0)` after each chunk, `false` stopping the read;
/// a URL and the other formats are read whole (their readers take all the bytes).
pub fn load(
    path: &str,
    source: &SourceOptions,
    read_options: &str,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<(Vec<u8>, Table, ReadReport), String> {
    if !is_url(path) {
        let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let mut head = [0u8; 16];
        let n = read_head(&mut file, &mut head).map_err(|e| format!("cannot read {path}: {e}"))?;
        // The format the whole bytes would be detected as: 16 bytes hold every magic
        // number, and JSON is told by the first byte that is not a space.
        let text = head[..n].strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head[..n]);
        let decided = n < head.len() || text.iter().any(|b| !b.is_ascii_whitespace());
        if decided && api::detect(&head[..n], name_of(path)) == Format::Csv {
            let size = file.metadata().ok().filter(|m| m.is_file()).map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
            let mut input = std::io::Read::chain(&head[..n], file);
            return api::read_csv_chunked(&mut input, size, read_options, &mut |done| progress(done, size)).map_err(|e| format!("{path}: {e}"));
        }
    }
    let bytes = read_bytes(path)?;
    let (table, report) = api::load_data(&bytes, name_of(path), source, read_options).map_err(|e| format!("{path}: {e}"))?;
    Ok((bytes, table, report))
}

/// Reads new data for a model (`drift`, `retrain`); the raw bytes come back too.
pub fn load_for_model(model: &ModelFile, path: &str, source: &SourceOptions) -> Result<(Vec<u8>, Table), String> {
    let bytes = read_bytes(path)?;
    let table = api::load_data_for_model(model, &bytes, name_of(path), source).map_err(|e| format!("{path}: {e}"))?;
    Ok((bytes, table))
}

/// A stream of CSV bytes for `predict`: stdin and CSV files are streamed as
/// they are; a URL is downloaded; any other format is converted first.
pub fn open_csv_stream(path: &str, source: &SourceOptions) -> Result<Box<dyn Read>, String> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    if !is_url(path) {
        let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let mut head = [0u8; 16];
        let n = read_head(&mut file, &mut head).map_err(|e| format!("cannot read {path}: {e}"))?;
        if api::detect(&head[..n], path) == Format::Csv {
            let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            return Ok(Box::new(file));
        }
    }
    let bytes = read_bytes(path)?;
    if api::detect(&bytes, name_of(path)) == Format::Csv {
        return Ok(Box::new(std::io::Cursor::new(bytes)));
    }
    let c = api::convert(&bytes, name_of(path), source).map_err(|e| format!("{path}: {e}"))?;
    Ok(Box::new(std::io::Cursor::new(c.csv.into_bytes())))
}

fn read_head(file: &mut std::fs::File, head: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}
