//! Progress on stderr and Ctrl-C for the CLI's long commands (`cv`, `fit`,
//! `search`, `retrain`, `predict`, `summary`, `profile`): the native side of what
//! the page's worker hooks do.
//!
//! - **Progress**: one line per step on stderr (`cv: fold 3 of 5 done (2.1 s)`,
//!   `search: candidate 12 of 40 done (8.0 s)`), shown when stderr is a terminal
//!   or with `--progress`, never with `--quiet`. Stdout keeps the JSON result only.
//! - **Cancel**: the first SIGINT sets the flag every progress hook returns (the
//!   core checks it between folds, candidates, curve points; a fit is lent it
//!   with [`lend`] and checks it between trees, stages, restarts, and so are the
//!   fits inside the folds of `cv`, `fit`, `retrain` and the search's candidates:
//!   `CvHooks::stop`), and [`check`] is
//!   asked before any output is written, so a cancelled command writes nothing and
//!   ends with `cancelled: cv after 3 of 5 folds` and exit code 130. A second
//!   SIGINT exits at once (130). Installed with `libc::sigaction` (Unix; elsewhere
//!   Ctrl-C ends the process as before). `serve` does not install it: tokio's
//!   signal handling shuts the server down gracefully.
//! - **Reading** `--data`: a CSV is read a chunk (4 MiB) at a time, with
//!   `cv: read 120.3 of 500.7 MB (2.0 s)` at most once a second and a Ctrl-C
//!   stopping it at the next chunk ([`reading`]); other formats are read whole.
//!
//! One command runs per process, so the state is process-wide (atomics and a
//! mutex), which also lets the search's candidate runner (a `Fn + Sync`
//! closure) ask the flag.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The switches every long command takes.
pub const SWITCHES: &[&str] = &["progress", "quiet"];

static CANCEL: AtomicBool = AtomicBool::new(false);
static SHOW: AtomicBool = AtomicBool::new(false);
/// Where the command is (what the cancel message names): `cv after 3 of 5 folds`.
static WHERE: Mutex<String> = Mutex::new(String::new());

/// Removes `--progress` / `--quiet` from `args`, decides whether progress is
/// shown (`--quiet` wins, then `--progress`, else whether stderr is a terminal),
/// installs the SIGINT handler and records `command` as where the run is.
pub fn start(command: &str, args: &[String]) -> Vec<String> {
    let quiet = args.iter().any(|a| a == "--quiet");
    let asked = args.iter().any(|a| a == "--progress");
    SHOW.store(!quiet && (asked || std::io::stderr().is_terminal()), Ordering::Relaxed);
    set_where(format!("{command} before its first step"));
    install_sigint();
    args.iter().filter(|a| !SWITCHES.iter().any(|s| a.strip_prefix("--") == Some(s))).cloned().collect()
}

/// `threads` and the Ctrl-C flag, lent to a fit: it stops at the next forest tree,
/// boosting stage or k-means restart once the flag is set (`Error::Cancelled`).
pub fn lend(threads: usize) -> pipelab::parallel::Lend {
    pipelab::parallel::Lend { threads, stop: Some(flag()), part: None }
}

/// The Ctrl-C flag itself (what the long commands put in `CvHooks::stop`).
pub fn flag() -> &'static AtomicBool {
    &CANCEL
}

/// Whether a SIGINT has asked the command to stop.
pub fn cancelled() -> bool {
    CANCEL.load(Ordering::SeqCst)
}

/// `Err(the cancel message)` once a SIGINT has come: asked before any output.
pub fn check() -> Result<(), String> {
    if cancelled() {
        Err(message())
    } else {
        Ok(())
    }
}

/// `cancelled: cv after 3 of 5 folds`.
pub fn message() -> String {
    format!("cancelled: {}", lock().as_str())
}

fn lock() -> std::sync::MutexGuard<'static, String> {
    // A poisoned lock only means a thread panicked while writing a short string: keep it.
    WHERE.lock().unwrap_or_else(|p| p.into_inner())
}

fn set_where(w: String) {
    *lock() = w;
}

fn line(text: &str) {
    if SHOW.load(Ordering::Relaxed) {
        eprintln!("{text}");
    }
}

/// A step without a count: `fit: fitting on 10000 rows` (`phase` = `fit`).
/// Returns a timer for [`Step::done`].
pub fn step(phase: &str, what: &str) -> Step {
    set_where(format!("{phase} while {what}"));
    line(&format!("{phase}: {what}"));
    Step { phase: phase.to_string(), start: Instant::now() }
}

pub struct Step {
    phase: String,
    start: Instant,
}

impl Step {
    /// `fit: done (1.2 s)`, or `read: 10000 rows (0.3 s)` with `what` = `10000 rows`.
    pub fn done(self, what: &str) {
        line(&format!("{}: {what} ({:.1} s)", self.phase, self.start.elapsed().as_secs_f64()));
    }
}

/// The progress hook of a counted phase (the core's `CvHooks::progress`):
/// prints `{phase}: {unit} {done} of {total} done (x.x s)` and returns `false`
/// once cancelled, which stops the core at its next check.
pub fn hook(phase: &'static str, unit: &'static str) -> impl FnMut(usize, usize) -> bool {
    let start = Instant::now();
    set_where(format!("{phase} after 0 {unit}s"));
    move |done, total| {
        set_where(format!("{phase} after {done} of {total} {unit}s"));
        line(&format!("{phase}: {unit} {done} of {total} done ({:.1} s)", start.elapsed().as_secs_f64()));
        !cancelled()
    }
}

/// The progress of reading `--data` (`source::load`): `cv: read 120.3 of 500.7 MB (2.0 s)`
/// (`cv: read 12.0 MB (1.0 s)` when the size is unknown: a pipe), at most once a second.
/// Returns `false` once cancelled, which stops the read at its next chunk.
pub fn reading(phase: &str) -> impl FnMut(usize, usize) -> bool + '_ {
    let start = Instant::now();
    let mut last = start;
    move |done, total| {
        if last.elapsed().as_secs_f64() >= 1.0 {
            last = Instant::now();
            line(&format!("{phase}: {} ({:.1} s)", read_amount(done, total), start.elapsed().as_secs_f64()));
        }
        !cancelled()
    }
}

/// `read 120.3 of 500.7 MB`, or `read 12.0 MB` when `total` is 0 (unknown).
fn read_amount(done: usize, total: usize) -> String {
    // MB as `check_memory` counts them (MiB), so the two messages agree.
    let mb = |b: usize| b as f64 / 1048576.0;
    if total == 0 {
        format!("read {:.1} MB", mb(done))
    } else {
        format!("read {:.1} of {:.1} MB", mb(done), mb(total))
    }
}

/// A counted phase whose total is unknown (`predict`'s rows streamed from a
/// file or stdin): at most one line a second. Returns `false` once cancelled.
pub struct Ticker {
    phase: &'static str,
    start: Instant,
    last: Instant,
}

impl Ticker {
    pub fn new(phase: &'static str) -> Self {
        let now = Instant::now();
        Ticker { phase, start: now, last: now }
    }

    /// `count` (e.g. `120000 rows predicted`) so far.
    pub fn tick(&mut self, count: &str) -> bool {
        set_where(format!("{} after {count}", self.phase));
        if self.last.elapsed().as_secs_f64() >= 1.0 {
            self.last = Instant::now();
            line(&format!("{}: {count} ({:.1} s)", self.phase, self.start.elapsed().as_secs_f64()));
        }
        !cancelled()
    }
}

#[cfg(unix)]
extern "C" fn on_sigint(_: libc::c_int) {
    // Only async-signal-safe calls here: atomics, write(2), _exit(2).
    if CANCEL.swap(true, Ordering::SeqCst) {
        // SAFETY: _exit ends the process at once; it is async-signal-safe.
        unsafe { libc::_exit(130) }
    }
    if SHOW.load(Ordering::Relaxed) {
        let note = b"pipelab: stopping at the next check (Ctrl-C again to quit at once)\n";
        // SAFETY: writes a static buffer of its own length to fd 2; the result does not matter.
        unsafe {
            libc::write(2, note.as_ptr().cast(), note.len());
        }
    }
}

#[cfg(unix)]
fn install_sigint() {
    // SAFETY: a zeroed `sigaction` is a valid empty one; the handler only touches
    // atomics and async-signal-safe calls; SA_RESTART keeps reads and writes going.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
        sa.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut sa.sa_mask);
        // A failure leaves the default (Ctrl-C ends the process), as before this module.
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
    }
}

#[cfg(not(unix))]
fn install_sigint() {}

#[cfg(test)]
mod tests {
    #[test]
    fn read_amount_in_mb() {
        assert_eq!(super::read_amount(126_143_693, 525_022_003), "read 120.3 of 500.7 MB");
        assert_eq!(super::read_amount(12 << 20, 0), "read 12.0 MB");
    }
}
