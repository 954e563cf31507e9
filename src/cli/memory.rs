//! The memory `cv` and `fit` need, stated before the data file is read, and the
//! `--max-memory` bound they refuse to exceed (issue 16 §5).
//!
//! Both read the whole file, parse it into a typed table, and cross-validate:
//! each fold copies its training rows and the fitted steps transform them. The
//! peak is about `NEED_FACTOR` × the file's size, measured with `/usr/bin/time -v`
//! (maximum resident set) on numeric CSVs (ARCHITECTURE.md, "Big files"). Without
//! `--max-memory` the bound is the memory the system has available now
//! (`MemAvailable` in /proc/meminfo), when it can be read.

use std::collections::HashMap;

/// Peak resident memory of `cv`/`fit` relative to the CSV's size (see the module docs).
pub const NEED_FACTOR: f64 = 3.0;
/// Files from this size on get their memory need stated on stderr even without `--max-memory`.
const STATE_FROM: u64 = 64 << 20;

const MB: f64 = 1048576.0;

/// Parses a size: bytes, or a number with K, M, G or T (powers of 1024; `4G`, `512M`, `1.5G`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return Err(format!("--max-memory takes bytes or a size like 4G or 512M, got {text:?}")),
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok((v * mult as f64) as u64),
        _ => Err(format!("--max-memory takes bytes or a size like 4G or 512M, got {text:?}")),
    }
}

/// The memory this system has available now, if known.
fn available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// States the memory `cmd` needs for `path` (on stderr) and refuses (the error's
/// text) when it is above `--max-memory` or, without it, above the memory available.
/// Errors with `Usage` text for a bad `--max-memory`.
pub fn check(cmd: &str, path: &str, flags: &HashMap<String, String>) -> Result<(), (bool, String)> {
    let Ok(meta) = std::fs::metadata(path) else { return Ok(()) }; // reading it will say why
    let size = meta.len();
    let need = (size as f64 * NEED_FACTOR) as u64;
    let (bound, what) = match flags.get("max-memory") {
        Some(v) => (Some(parse_size(v).map_err(|e| (true, e))?), "--max-memory"),
        None => (available(), "the memory available now"),
    };
    if size >= STATE_FROM || flags.contains_key("max-memory") {
        eprintln!(
            "pipelab: {cmd} of {path} ({:.1} MB) needs about {:.1} MB of memory (the file, its table and each fold's copies){}",
            size as f64 / MB,
            need as f64 / MB,
            bound.map(|b| format!("; {what}: {:.1} MB", b as f64 / MB)).unwrap_or_default()
        );
    }
    match bound {
        Some(b) if need > b => Err((
            false,
            format!(
                "{cmd} of {path} ({:.1} MB) needs about {:.1} MB of memory, more than {what} ({:.1} MB); use a smaller extract \
                 (fewer rows or columns){}, or `pipelab predict`, which streams a file of any size",
                size as f64 / MB,
                need as f64 / MB,
                b as f64 / MB,
                if what == "--max-memory" { ", raise --max-memory" } else { "" }
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("4X").is_err());
    }
}
