//! `pipelab cv` and `pipelab fit` state the memory they need before reading the
//! data and refuse cleanly above `--max-memory` (issue 16 §5; src/cli/memory.rs).

use std::process::Command;

fn pipelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn spec() -> String {
    let dir = std::env::temp_dir().join(format!("pipelab-cli-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("spec.json");
    std::fs::write(&p, r#"{"target":"target","model":{"Ridge":{}},"cv":{"KFold":{"n_splits":3}}}"#).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn cv_and_fit_refuse_above_max_memory() {
    let spec = spec();
    let out = std::env::temp_dir().join(format!("pipelab-cli-memory-{}-model.json", std::process::id()));
    let out = out.to_string_lossy();
    for args in [
        vec!["cv", "--data", "www/datasets/diabetes.csv", "--spec", &spec, "--max-memory", "100K"],
        vec!["fit", "--data", "www/datasets/diabetes.csv", "--spec", &spec, "--out", &out, "--max-memory", "100K"],
    ] {
        let (code, stdout, err) = pipelab(&args);
        assert_eq!(code, 1, "{err}");
        assert_eq!(stdout, "");
        // diabetes.csv is 95,137 bytes: about 3 × that is needed, over 100 KiB.
        assert!(err.contains("(0.1 MB) needs about 0.3 MB of memory (the file, its table and each fold's copies); --max-memory: 0.1 MB"), "{err}");
        assert!(err.contains("more than --max-memory (0.1 MB); use a smaller extract (fewer rows or columns), raise --max-memory"), "{err}");
    }
    assert!(!std::path::Path::new(&*out).exists(), "a refused fit writes no model");
    let (code, stdout, err) = pipelab(&["cv", "--data", "www/datasets/diabetes.csv", "--spec", &spec, "--max-memory", "1G"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("\"n_rows\": 442"), "{stdout}");
    assert!(err.contains("needs about 0.3 MB of memory") && err.contains("--max-memory: 1024.0 MB"), "{err}");
    let (code, _, err) = pipelab(&["cv", "--data", "www/datasets/diabetes.csv", "--spec", &spec, "--max-memory", "lots"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--max-memory takes bytes or a size like 4G or 512M"), "{err}");
}
