//! The crate's one parallel loop: independent items (cross-validation folds,
//! forest trees, k-means restarts) evaluated on up to `threads` scoped threads
//! natively, and by the same loop on one thread on wasm32 (no std threads there)
//! or when `threads` is 1.
//!
//! Results come back in item order and each item computes exactly what it would
//! compute alone (its seed is fixed before the loop), so a result never depends
//! on the number of threads. Items are handed out in index order from one
//! counter: when the loop stops early, every item below the last one started
//! has finished, so "the first failure" is the one a sequential run meets.

use std::sync::atomic::{AtomicBool, Ordering};

/// What a caller lends a long native call: up to `threads` threads, and a stop
/// flag (the CLI's Ctrl-C) the call checks between its independent parts
/// (forest trees, boosting stages, k-means restarts), ending with
/// `Error::Cancelled`. A thread count converts into a `Lend` without a flag,
/// so `fit_all_with(table, spec, 4)` reads as before; the page lends none (its
/// Cancel ends the worker).
#[derive(Debug, Clone, Copy)]
pub struct Lend {
    pub threads: usize,
    pub stop: Option<&'static AtomicBool>,
    /// Only the pieces `[from, to)` of the pipeline's model (a forest's trees,
    /// KMeans' restarts): the page's worker pool splits one fit between its
    /// workers (`api::fit_part`, `api::fit_model_with_parts`). `None`: every piece.
    pub part: Option<(usize, usize)>,
}

impl Lend {
    /// Whether the lender has asked the call to stop.
    pub fn stopped(&self) -> bool {
        self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }
}

impl From<usize> for Lend {
    fn from(threads: usize) -> Self {
        Lend { threads, stop: None, part: None }
    }
}

/// Runs `f(0)`, ..., `f(n - 1)` on up to `threads` threads and returns their
/// results in index order.
///
/// `after(done, &result)` runs on the calling thread each time an item has
/// finished (`done` counts finished items, 1 to `n`; results arrive in
/// completion order); returning `false` stops the loop: no item starts after
/// it, the running ones finish. An item not run (stopped, or it panicked:
/// natively a panic is caught on either path) is `None`. Callers check their
/// cancel flag there (progress and cancel stay on the caller's thread) and
/// stop at an item's error.
pub fn map<R: Send>(threads: usize, n: usize, f: &(dyn Fn(usize) -> R + Sync), after: &mut dyn FnMut(usize, &R) -> bool) -> Vec<Option<R>> {
    let workers = threads.min(n);
    #[cfg(not(target_arch = "wasm32"))]
    if workers > 1 {
        return threaded(workers, n, f, after);
    }
    let _ = workers;
    let mut out: Vec<Option<R>> = (0..n).map(|_| None).collect();
    let mut done = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        // A panicked item is `None` and not counted, as on the threaded path.
        let Some(r) = run_item(f, i) else { continue };
        done += 1;
        let go = after(done, &r);
        *slot = Some(r);
        if !go {
            break;
        }
    }
    out
}

/// `f(i)`; natively a panic inside it is caught and the item is `None`, as on the
/// threaded path, where a panicking worker's item is `None` (wasm32 has no unwinding
/// to catch: a panic there aborts the module, as before).
fn run_item<R>(f: &(dyn Fn(usize) -> R + Sync), i: usize) -> Option<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        // AssertUnwindSafe: after a panic nothing of the item's state is used again (its
        // result slot stays `None`); what `f` shares with other items it only reads (`Sync`).
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(i))).ok()
    }
    #[cfg(target_arch = "wasm32")]
    {
        Some(f(i))
    }
}

/// The number of threads each of `outer` concurrent items may use inside
/// itself (at least 1), so that the whole stays within `threads`.
pub fn inner(threads: usize, outer: usize) -> usize {
    (threads / outer.max(1)).max(1)
}

#[cfg(not(target_arch = "wasm32"))]
fn threaded<R: Send>(workers: usize, n: usize, f: &(dyn Fn(usize) -> R + Sync), after: &mut dyn FnMut(usize, &R) -> bool) -> Vec<Option<R>> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::mpsc;

    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut out: Vec<Option<R>> = (0..n).map(|_| None).collect();
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<(usize, R)>();
        let mut handles = Vec::with_capacity(workers);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            // A worker that panics drops its sender; its item stays `None` and the
            // panic is not propagated: the handle is joined (and its error dropped) below.
            handles.push(s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    if tx.send((i, f(i))).is_err() {
                        break;
                    }
                }
            }));
        }
        drop(tx);
        let mut done = 0;
        // Ends when every worker has dropped its sender (finished, stopped or panicked).
        for (i, r) in rx {
            done += 1;
            if !after(done, &r) {
                stop.store(true, Ordering::Relaxed);
            }
            out[i] = Some(r);
        }
        for h in handles {
            // A panicked worker's error is dropped here: its item is `None`.
            let _ = h.join();
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_in_order_for_any_thread_count() {
        let want: Vec<Option<u64>> = (0..37u64).map(|i| Some(i * i)).collect();
        for t in [1, 2, 3, 8, 64] {
            let mut seen = Vec::new();
            let got = map(t, 37, &|i| (i as u64) * (i as u64), &mut |d, _| {
                seen.push(d);
                true
            });
            assert_eq!(got, want, "threads={t}");
            assert_eq!(seen, (1..=37).collect::<Vec<_>>(), "progress counts finished items, threads={t}");
        }
        assert!(map(4, 0, &|i| i, &mut |_, _| true).is_empty());
    }

    #[test]
    fn stopping_leaves_a_prefix_done() {
        for t in [1, 2, 3] {
            // Items after the stop are slow, so the workers cannot finish them all before it.
            let f = |i: usize| {
                if i > 10 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                i
            };
            let got = map(t, 100, &f, &mut |_, &r| r != 10);
            // Items are taken in order: everything below the item that stopped the loop ran.
            assert!(got[..=10].iter().all(Option::is_some), "threads={t}");
            assert!(got.iter().filter(|r| r.is_some()).count() < 100, "threads={t}: the loop stopped");
        }
    }

    #[test]
    fn a_panicking_item_is_none_and_does_not_propagate() {
        let got = map(2, 6, &|i| if i == 3 { panic!("item 3") } else { i }, &mut |_, _| true);
        assert_eq!(got[3], None);
        assert_eq!(got.iter().filter(|r| r.is_some()).count(), 5);
    }

    #[test]
    fn a_panicking_item_is_none_on_one_thread_too() {
        // The one-thread path runs on the calling thread: the panic is caught there, the
        // loop goes on with the next item, and progress counts only the finished ones.
        let mut seen = Vec::new();
        let got = map(1, 6, &|i| if i == 3 { panic!("item 3") } else { i }, &mut |d, &r| {
            seen.push((d, r));
            true
        });
        assert_eq!(got, vec![Some(0), Some(1), Some(2), None, Some(4), Some(5)]);
        assert_eq!(seen, vec![(1, 0), (2, 1), (3, 2), (4, 4), (5, 5)]);
    }

    #[test]
    fn a_lend_stops_when_its_flag_is_set() {
        static FLAG: AtomicBool = AtomicBool::new(false);
        let lend = Lend { threads: 2, stop: Some(&FLAG), part: None };
        assert!(!lend.stopped() && !Lend::from(3).stopped());
        FLAG.store(true, Ordering::Relaxed);
        assert!(lend.stopped());
    }

    #[test]
    fn inner_budget() {
        assert_eq!(inner(2, 5), 1);
        assert_eq!(inner(8, 2), 4);
        assert_eq!(inner(1, 0), 1);
    }
}
