//! The CSV reader's robustness property (`pipelab::data::robustness`, the same
//! check the coverage-guided fuzz target runs with `scripts/fuzz.sh`) on seeded
//! random mutations of real files: no panic, and the chunked reader agrees with
//! `read_csv`. Deterministic (ChaCha8, fixed seed) so a failure reproduces; the
//! failing input is printed in hex.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use pipelab::data::robustness::check_reader_on;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Bytes that matter to a CSV reader: quotes, delimiters, line ends, NUL,
/// invalid UTF-8 lead bytes, a BOM start, number syntax, missing tokens.
const SPECIAL: &[u8] = b"\",;\t|\n\r\0\xff\xc3\xef \\-+.eE0123456789NnaA?x";

fn seeds() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = vec![
        b"a,b\n1,2\n".to_vec(),
        b"\"x\",\"y\"\n\"1,5\",\"a\"\"b\"\n".to_vec(),
        b"\xef\xbb\xbfa;b\r\n1;2\r\n3;4".to_vec(),
        b"n,flag\nNaN,true\ninf,false\n-,yes\n".to_vec(),
    ];
    for dir in ["tests/fixtures/csv", "www/datasets"] {
        let Ok(entries) = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)) else { continue };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        for f in files {
            if let Ok(b) = std::fs::read(&f) {
                // Small seeds, as the fuzz corpus (scripts/fuzz.sh): mutations reach every part.
                out.push(b[..b.len().min(4096)].to_vec());
            }
        }
    }
    out
}

fn mutate(rng: &mut ChaCha8Rng, seed: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(seed.len() + 16);
    v.push(rng.random::<u8>()); // the option selector (first byte)
    v.extend_from_slice(seed);
    for _ in 0..rng.random_range(1..=8) {
        let n = v.len();
        let at = rng.random_range(1..=n);
        match rng.random_range(0..6) {
            0 if at < n => v[at] = SPECIAL[rng.random_range(0..SPECIAL.len())],
            1 => v.insert(at, SPECIAL[rng.random_range(0..SPECIAL.len())]),
            2 if at < n => {
                let end = (at + rng.random_range(1..64)).min(n);
                v.drain(at..end);
            }
            3 if at < n => {
                let end = (at + rng.random_range(1..256)).min(n);
                let piece = v[at..end].to_vec();
                let to = rng.random_range(1..=v.len());
                v.splice(to..to, piece);
            }
            4 => v.truncate(at),
            _ if at < n => v[at] = rng.random(),
            _ => v.push(rng.random()),
        }
    }
    v
}

#[test]
fn seeded_mutations_never_panic_and_both_readers_agree() {
    let seeds = seeds();
    assert!(seeds.len() > 10, "the fixture and example files are the seeds; found {}", seeds.len());
    let mut rng = ChaCha8Rng::seed_from_u64(20261128);
    let mut failures = Vec::new();
    let n = 20_000;
    for i in 0..n {
        let input = mutate(&mut rng, &seeds[i % seeds.len()]);
        let outcome = catch_unwind(AssertUnwindSafe(|| check_reader_on(&input)));
        let problem = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(v)) => v,
            Err(p) => format!("panic: {}", p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()),
        };
        let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
        failures.push(format!("case {i}: {problem}\n  input (hex, first byte = options): {hex}"));
        if failures.len() >= 3 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_plain_file_passes_and_reads_as_a_table() {
    // The mutations start from inputs like this one: it passes the check, and the
    // reader really produces a table from it (both readers erroring would also pass).
    assert_eq!(check_reader_on(b"\0a,b\n1,2\n"), Ok(()));
    let (t, _) = pipelab::data::read_csv(b"a,b\n1,2\n", &Default::default()).unwrap();
    assert_eq!(t.n_rows, 1);
}
