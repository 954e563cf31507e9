//! The native CLI: JSON on stdout, one clear line on stderr and a non-zero exit for mistakes.

use std::process::Command;

fn pipelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pipelab")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("pipelab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

#[test]
fn cv_fit_predict_round_trip() {
    let spec = tmp("spec.json");
    std::fs::write(&spec, r#"{"target":"target","steps":[{"StandardScaler":{}},{"PolynomialFeatures":{"degree":2}}],"model":{"LinearRegression":{}},"cv":{"KFold":{"n_splits":5}},"scoring":["rmse","r2"]}"#).unwrap();
    let (code, out, err) = pipelab(&["cv", "--data", "www/datasets/diabetes.csv", "--spec", &spec]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_rows"], 442);
    assert_eq!(v["n_features_out"], 66);
    assert_eq!(v["metrics"]["rmse"]["folds"].as_array().unwrap().len(), 5);
    // Oracle a_diabetes_poly2_linreg mean RMSE, rel 1e-6.
    assert!((v["metrics"]["rmse"]["mean"].as_f64().unwrap() / 59.00219277731683 - 1.0).abs() < 1e-6);

    let model = tmp("model.json");
    let (code, out, err) = pipelab(&["fit", "--data", "www/datasets/diabetes.csv", "--spec", &spec, "--out", &model]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["cv_metrics"]["rmse"]["mean"].is_number());
    let pred = tmp("pred.csv");
    let (code, _, err) = pipelab(&["predict", "--model", &model, "--data", "www/datasets/diabetes.csv", "--out", &pred]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&pred).unwrap();
    assert_eq!(text.lines().count(), 443);
    assert!(text.lines().next().unwrap().ends_with(",prediction"));
    let first: f64 = text.lines().nth(1).unwrap().rsplit(',').next().unwrap().parse().unwrap();
    assert!(first.is_finite());
}

#[test]
fn user_mistakes_are_one_clear_line() {
    let bad = tmp("bad.csv");
    std::fs::write(&bad, "a,b\n1,2\n3\n").unwrap();
    let spec = tmp("s.json");
    std::fs::write(&spec, r#"{"target":"b","model":{"LinearRegression":{}}}"#).unwrap();
    for (args, want) in [
        (vec!["cv", "--data", bad.as_str(), "--spec", spec.as_str()], "CSV line 3"),
        (vec!["cv", "--data", "nope.csv", "--spec", spec.as_str()], "cannot read nope.csv"),
        (vec!["cv", "--data", "www/datasets/iris.csv", "--spec", spec.as_str()], "\"b\" is not in the data"),
        (vec!["frobnicate"], "unknown command"),
        (vec!["cv", "--data"], "--data needs a value"),
    ] {
        let (code, out, err) = pipelab(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(out.is_empty());
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    std::fs::write(&spec, r#"{"target":"species","model":{"LogisticRegression":{"C":1,"bogus":2}}}"#).unwrap();
    let (code, _, err) = pipelab(&["cv", "--data", "www/datasets/iris.csv", "--spec", &spec]);
    assert_eq!(code, 1);
    assert!(err.contains("model.LogisticRegression") && err.contains("bogus"), "{err}");
}

/// SPEC.md's step and model tables are `pipelab catalog --markdown`, so the
/// documentation cannot drift from the registry (regenerate them with that command).
#[test]
fn spec_md_tables_match_the_catalog() {
    let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SPEC.md")).expect("SPEC.md");
    let tables = pipelab::pipeline::catalog_markdown();
    assert!(spec.contains(&tables), "SPEC.md's step/model tables differ from the registry: replace them with the output of `pipelab catalog --markdown`");
}

/// A generated classification file for the progress tests (`pipelab generate`).
fn generated(name: &str, rows: &str) -> String {
    let data = tmp(name);
    let (code, _, err) = pipelab(&["generate", "--task", "classification", "--rows", rows, "--cols", "6", "--seed", "1", "--out", &data]);
    assert_eq!(code, 0, "{err}");
    data
}

/// `--progress`: one stderr line per fold / candidate, stdout the same JSON as without it;
/// `--quiet` (and a stderr that is not a terminal, as here) shows none.
#[test]
fn progress_lines_on_stderr_only() {
    let data = generated("progress.csv", "300");
    let spec = tmp("progress-spec.json");
    std::fs::write(&spec, r#"{"target":"y","model":{"LogisticRegression":{}},"cv":{"StratifiedKFold":{"n_splits":4}}}"#).unwrap();
    let (code, plain, err) = pipelab(&["cv", "--data", &data, "--spec", &spec, "--threads", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("cv: "), "no progress when stderr is not a terminal: {err}");
    let (code, out, err) = pipelab(&["cv", "--data", &data, "--spec", &spec, "--threads", "2", "--progress"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, plain, "stdout is the result only");
    assert!(err.contains(&format!("cv: reading {data}\n")), "{err}");
    assert!(err.contains("cv: 300 rows read ("), "{err}");
    assert!(err.contains("cv: cross-validating 300 rows\n"), "{err}");
    for k in 1..=4 {
        assert!(err.contains(&format!("cv: fold {k} of 4 done (")), "fold {k}: {err}");
    }
    let (code, out, err) = pipelab(&["cv", "--data", &data, "--spec", &spec, "--progress", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, plain);
    assert!(!err.contains("cv: "), "--quiet wins: {err}");

    std::fs::write(&spec, r#"{"target":"y","model":{"LogisticRegression":{}},"cv":{"KFold":{"n_splits":3}},"search":{"GridSearchCV":{"param_grid":{"model__C":[0.1,1.0,10.0,100.0,1000.0]}}}}"#)
        .unwrap();
    let (code, out, err) = pipelab(&["search", "--data", &data, "--spec", &spec, "--progress", "--threads", "2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["cv_results"].as_array().unwrap().len(), 5);
    // The core reports after each batch of at most 4 candidates.
    assert!(err.contains("search: candidate 4 of 5 done (") && err.contains("search: candidate 5 of 5 done ("), "{err}");
}

/// Reads `child`'s stderr line by line until `ready(all read so far)`, sends it `signals`
/// SIGINTs, and returns its exit status, stdout and whole stderr.
fn interrupt(child: &mut std::process::Child, ready: impl Fn(&str) -> bool, signals: usize) -> (std::process::ExitStatus, String, String) {
    use std::io::{BufRead, Read};
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !ready(&seen) {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "stderr ended before the awaited line: {seen}");
        seen.push_str(&line);
    }
    for _ in 0..signals {
        let st = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
        assert!(st.success());
    }
    stderr.read_to_string(&mut seen).unwrap();
    let status = child.wait().unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    (status, stdout, seen)
}

/// Ctrl-C: the first SIGINT stops `fit` at the next fold (or, in the fit itself, at the next
/// tree), nothing is written, the message says where, exit code 130; a second SIGINT exits at
/// once, also with 130.
#[test]
fn sigint_cancels_cleanly() {
    use std::process::Stdio;
    let data = generated("sigint.csv", "2000");
    let cv_spec = tmp("sigint-cv.json");
    // 40 folds of a forest: long enough that the command is still running when the signal comes.
    std::fs::write(&cv_spec, r#"{"target":"y","model":{"RandomForestClassifier":{"n_estimators":30}},"cv":{"KFold":{"n_splits":40}}}"#).unwrap();
    let fit_spec = tmp("sigint-fit.json");
    // One fit of 400 trees: stopped between trees.
    std::fs::write(&fit_spec, r#"{"target":"y","model":{"RandomForestClassifier":{"n_estimators":400}}}"#).unwrap();
    // Two folds, each a forest of 10000 trees (about 40 s in a debug build): on two threads, both folds' fits are lent
    // the flag and stop at their next tree, so no fold is done (the later `--threads` wins).
    let long_cv_spec = tmp("sigint-long-cv.json");
    std::fs::write(&long_cv_spec, r#"{"target":"y","model":{"RandomForestClassifier":{"n_estimators":10000}},"cv":{"KFold":{"n_splits":2}}}"#).unwrap();
    let cases = [
        (&cv_spec, &[][..], "cv: fold 1 of 40 done", 1, "pipelab: cancelled: cv after "),
        (&cv_spec, &[][..], "cv: fold 1 of 40 done", 2, ""),
        (&fit_spec, &["--no-cv"][..], "fit: fitting on 2000 rows", 1, "pipelab: cancelled: fit while fitting on 2000 rows\n"),
        (&long_cv_spec, &["--threads", "2"][..], "cv: cross-validating 2000 rows", 1, "pipelab: cancelled: cv after 0 folds\n"),
    ];
    for (i, (spec, extra, wait_for, signals, want)) in cases.into_iter().enumerate() {
        let out = tmp(&format!("sigint-model-{i}.json"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_pipelab"))
            .args(["fit", "--data", &data, "--spec", spec, "--out", &out, "--threads", "1", "--progress"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (status, stdout, seen) = interrupt(&mut child, |seen| seen.contains(wait_for), signals);
        assert_eq!(status.code(), Some(130), "case {i}: {seen}");
        assert!(stdout.is_empty(), "case {i}: no partial output: {stdout}");
        assert!(!std::path::Path::new(&out).exists(), "case {i}: no --out file after a cancel");
        assert!(seen.contains(want), "case {i}: {seen}");
        assert!(!seen.contains("fold 40 of 40") && !seen.contains("fit: done"), "case {i}: {seen}");
        if i == 0 {
            assert!(seen.contains(" of 40 folds\n"), "{seen}");
        }
        if i == 3 {
            assert!(!seen.contains("cv: fold 1 of 2"), "the running folds stopped: {seen}");
        }
    }

    // Ctrl-C while `--data` is read: the read stops at its next chunk. The CSV comes through a
    // pipe that never ends (its rows over and over), so only a stop inside the read ends the
    // command, and the writer then finds the pipe closed.
    let fifo = tmp("sigint-read.csv");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let text = std::fs::read_to_string(&data).unwrap();
    let body = text.split_once('\n').unwrap().1.to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pipelab"))
        .args(["cv", "--data", &fifo, "--spec", &cv_spec, "--progress"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let writer = std::thread::spawn({
        let fifo = fifo.clone();
        move || {
            use std::io::Write;
            // Opening blocks until the command opens the pipe to read it.
            let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            pipe.write_all(text.as_bytes()).unwrap();
            // The file's rows (0.2 MB) ten times a second, for at most a minute; the
            // command's end closes the pipe.
            for _ in 0..600 {
                if let Err(e) = pipe.write_all(body.as_bytes()) {
                    return Some(e.kind());
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            None
        }
    });
    // The progress line comes once a second while the read goes on (a pipe: no size).
    let (status, stdout, seen) = interrupt(&mut child, |seen| seen.contains("cv: read ") && seen.ends_with(" s)\n"), 1);
    assert!(seen.contains(&format!("cv: reading {fifo}\n")), "{seen}");
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(stdout.is_empty(), "no partial output: {stdout}");
    assert!(seen.contains(&format!("pipelab: cancelled: cv while reading {fifo}\n")), "{seen}");
    assert!(!seen.contains("rows read"), "{seen}");
    assert_eq!(writer.join().unwrap(), Some(std::io::ErrorKind::BrokenPipe), "the read stopped before the pipe ended");
    std::fs::remove_file(&fifo).unwrap();
}
