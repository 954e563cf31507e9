//! The memory `cv`, `fit`, `search` and `retrain` need, stated before the data
//! is read, and the `--max-memory` bound they refuse to exceed (issue 16 §5).
//!
//! Each reads the whole file (its bytes stay held), parses it into a typed
//! table and cross-validates: each fold copies its training and test rows and
//! the fitted steps transform them. Folds that run at once (`--threads`) each
//! hold such a copy, so the need is `base + per_fold × concurrent folds`, times
//! the file's size ([`factors`]), fitted to peaks measured with
//! `/usr/bin/time -v` (maximum resident set) on numeric CSVs (bench/HISTORY.md,
//! "Big files"). Without `--max-memory` the bound is the memory the system has
//! available now (`MemAvailable` in /proc/meminfo), when it can be read.

use std::collections::HashMap;

/// The memory of a command relative to its data's size: `(base, per_fold)`,
/// where `per_fold` is paid once per fold held at once.
///
/// Measured on numeric CSVs (5-fold KFold, release build, bench/HISTORY.md): 1 GB:
/// `cv` one thread 2.90 × the file, `fit --no-cv` 2.25 ×, `search` 2 threads
/// 5.0 ×, `retrain` 3.30 ×; 252 MB: `cv` 1 thread 3.05 ×, 2 threads 4.85 ×, so a
/// fold copy (its rows, their frame and matrix, the training rows' predictions)
/// ≈ 1.8 × and the rest ≈ 1.2 × (bytes + table).
pub fn factors(cmd: &str, no_cv: bool) -> (f64, f64) {
    match (cmd, no_cv) {
        // One fit on every row, no fold.
        ("fit", true) => (2.25, 0.0),
        // The table and the bytes; `fit` cross-validates first with the same folds.
        ("cv" | "fit", _) => (1.2, 1.8),
        // Beside them each thread's candidate holds its fold; the refit of the best.
        ("search", _) => (1.4, 1.8),
        // The files' tables and their concatenation.
        ("retrain", _) => (1.5, 1.8),
        _ => (3.0, 0.0),
    }
}

/// The need of `cmd` on `size` bytes of data with `threads` folds at once.
pub fn need(cmd: &str, no_cv: bool, size: u64, threads: usize) -> u64 {
    let (base, per_fold) = factors(cmd, no_cv);
    (size as f64 * (base + per_fold * threads.max(1) as f64)) as u64
}

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

/// The thread count a command asked for: `--threads N` (or `--jobs N`), else all cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threads {
    pub n: usize,
    /// Given on the command line (then never lowered to fit the memory).
    pub explicit: bool,
}

/// States the memory `cmd` needs for `paths` (their sizes summed) on stderr and
/// refuses (the error's text) when it is above `--max-memory` or, without it,
/// above the memory available. Returns the threads to use: the threads asked
/// for, or, when they were not given, the most (from all cores down to 1)
/// whose need fits. Errors with `Usage` text (`true`) for a bad `--max-memory`.
pub fn check(cmd: &str, paths: &[&str], threads: Threads, flags: &HashMap<String, String>) -> Result<usize, (bool, String)> {
    let mut size = 0u64;
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) => size += m.len(),
            Err(_) => return Ok(threads.n), // reading it will say why
        }
    }
    let no_cv = flags.contains_key("no-cv");
    let (bound, what) = match flags.get("max-memory") {
        Some(v) => (Some(parse_size(v).map_err(|e| (true, e))?), "--max-memory"),
        None => (available(), "the memory available now"),
    };
    let mut t = threads.n.max(1);
    if !threads.explicit {
        while t > 1 && bound.is_some_and(|b| need(cmd, no_cv, size, t) > b) {
            t -= 1;
        }
    }
    let need = need(cmd, no_cv, size, t);
    let path = if paths.len() == 1 { paths[0].to_string() } else { format!("{} files", paths.len()) };
    let folds =
        if factors(cmd, no_cv).1 > 0.0 { format!(" and a fold's copies per thread, {t} thread{}", if t == 1 { "" } else { "s" }) } else { String::new() };
    if size >= STATE_FROM || flags.contains_key("max-memory") {
        eprintln!(
            "pipelab: {cmd} of {path} ({:.1} MB) needs about {:.1} MB of memory (the file, its table{folds}){}",
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
                 (fewer rows or columns){}{}, or `pipelab predict`, which streams a file of any size",
                size as f64 / MB,
                need as f64 / MB,
                b as f64 / MB,
                if t > 1 { ", fewer --threads" } else { "" },
                if what == "--max-memory" { ", raise --max-memory" } else { "" }
            ),
        )),
        _ => Ok(t),
    }
}

/// Keeps memory the process freed for its next allocations (glibc only), set at
/// the start of every command but `serve` (a server would hold a burst's memory
/// for good). A fold allocates and frees the same few arrays of 1–32 MB again and
/// again (its rows, their frame, the scaled frame, the matrix, predictions), and
/// glibc's defaults returned each to the kernel when freed (`munmap`, or `brk`
/// shrinking the heap), so the next fold paid a page fault and a zeroed page per
/// 4 KiB again: 30 % of a 5-fold CV of logistic regression on 100,000 × 20
/// (bench/HISTORY.md, Session 11). With the mmap threshold at glibc's maximum
/// (32 MiB) those arrays come from the heap, and with a trim threshold of 1 GiB
/// it is not shrunk after each. Larger arrays (a big file's columns) are still
/// mapped and unmapped alone; the peak is the live memory's, as before.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets two of the allocator's thresholds; called first
    // thing in `main`, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
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

    #[test]
    fn needs_grow_with_the_folds_held_at_once() {
        let gb = 1u64 << 30;
        // The measured peaks (module docs): cv 2.9–3.05 ×, search 5.0 × at 2 threads, retrain 3.3 ×, fit --no-cv 2.25 ×.
        let x = |cmd, no_cv, t| need(cmd, no_cv, gb, t) as f64 / gb as f64;
        assert!((x("cv", false, 1) - 3.0).abs() < 1e-9);
        assert!((x("cv", false, 2) - 4.8).abs() < 1e-9, "252 MB measured: 4.85");
        assert!((x("search", false, 2) - 5.0).abs() < 1e-9);
        assert!((x("retrain", false, 1) - 3.3).abs() < 1e-9);
        assert!((x("fit", true, 4) - 2.25).abs() < 1e-9, "one fit, no fold: threads do not add copies");
        assert!(x("cv", false, 2) > x("cv", false, 1));
        assert_eq!(x("fit", false, 3), x("cv", false, 3));
    }
}
