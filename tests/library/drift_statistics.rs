//! Drift statistics against Evidently 0.7.23 and scipy
//! (tests/fixtures/drift_reference.json, made by tests/fixtures/gen_drift.py).
//!
//! Each case's reference is a shared dataset (www/datasets), its new data a
//! shifted / scaled / new-category copy (tests/fixtures/drift/*.csv). The
//! reference distribution is built as a model file stores it; where it is exact
//! (≤ 1,000 distinct values) statistics and p-values must equal Evidently's and
//! scipy's within 1e-9; where quantiles stand in, within the bound the result states.

use std::collections::HashMap;

use pipelab::data::{read_csv, ColumnType, ReadOptions, Table};
use pipelab::monitor::drift::{column_drift, DriftOptions, Method};
use pipelab::monitor::new_sample;
use pipelab::monitor::reference::column_distribution;
use serde_json::Value;

const TOL: f64 = 1e-9;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> Value {
    let text = std::fs::read_to_string(root().join("tests/fixtures/drift_reference.json")).expect("drift fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

fn read(path: &str, types: &HashMap<String, ColumnType>) -> Table {
    let bytes = std::fs::read(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut o = ReadOptions::default();
    o.types = types.clone();
    o.types_for_present_columns_only = true;
    read_csv(&bytes, &o).unwrap_or_else(|e| panic!("{path}: {e}")).0
}

fn evidently_method(display: &str) -> Method {
    match display {
        "K-S p_value" => Method::Ks,
        "chi-square p_value" => Method::Chisquare,
        "Z-test p_value" => Method::Z,
        "Wasserstein distance (normed)" => Method::Wasserstein,
        "Jensen-Shannon distance" => Method::Jensenshannon,
        other => panic!("unexpected Evidently test {other:?}"),
    }
}

struct Tally {
    exact_max_diff: f64,
    approx_max_diff: f64,
    compared: usize,
    methods_same: usize,
    flags_same: usize,
}

fn close(what: &str, got: f64, want: f64, tol: f64, t: &mut Tally, exact: bool) {
    let d = (got - want).abs();
    assert!(d <= tol || (got.is_infinite() && want.is_infinite()), "{what}: pipelab {got} vs reference {want} (|Δ| = {d:e} > {tol:e})");
    if exact {
        t.exact_max_diff = t.exact_max_diff.max(d);
    } else {
        t.approx_max_diff = t.approx_max_diff.max(d);
    }
    t.compared += 1;
}

#[test]
fn drift_matches_evidently_and_scipy() {
    let fx = fixture();
    assert_eq!(fx["evidently"], "0.7.23");
    let mut t = Tally { exact_max_diff: 0.0, approx_max_diff: 0.0, compared: 0, methods_same: 0, flags_same: 0 };
    let mut n_columns = 0;
    for (case, c) in fx["cases"].as_object().expect("cases") {
        let dataset = c["dataset"].as_str().expect("dataset");
        let reference = read(&format!("www/datasets/{dataset}.csv"), &HashMap::new());
        let types: HashMap<String, ColumnType> = reference.columns.iter().map(|c| (c.name.clone(), c.data.column_type())).collect();
        let new = read(c["new_csv"].as_str().expect("new_csv"), &types);
        let rows: Vec<usize> = (0..reference.n_rows).collect();
        let mut n_drifted = 0;
        let cols = c["columns"].as_object().expect("columns");
        for (name, e) in cols {
            n_columns += 1;
            let what = format!("{case}/{name}");
            let rc = reference.column(name).unwrap_or_else(|| panic!("{what}: not in the reference"));
            let nc = new.column(name).unwrap_or_else(|| panic!("{what}: not in the new data"));
            let (n_missing, dist) = column_distribution(&rc.data, &rows);
            let missing_ref = n_missing as f64 / rows.len() as f64;
            let categorical = e["type"] == "categorical";
            assert_eq!(categorical, rc.data.column_type() != ColumnType::Numeric, "{what}: column type");
            let (sample, missing_new) = new_sample(&nc.data, categorical);
            close(&format!("{what} missing rate"), missing_new, e["missing_rate_new"].as_f64().unwrap(), 1e-15, &mut t, true);

            // Evidently's default choice, statistic and flag.
            let d = column_drift(&dist, missing_ref, &sample, missing_new, &DriftOptions::default()).unwrap();
            let ev = &e["evidently"];
            let want_method = evidently_method(ev["method"].as_str().unwrap());
            assert_eq!(d.method, want_method, "{what}: method");
            t.methods_same += 1;
            assert_eq!(d.threshold, ev["threshold"].as_f64().unwrap(), "{what}: threshold");
            assert_eq!(d.n_ref, e["n_ref"].as_f64().unwrap(), "{what}: reference values");
            assert_eq!(d.n_new, e["n_new"].as_f64().unwrap(), "{what}: new values");
            let score = if want_method.is_test() { d.p_value.unwrap() } else { d.statistic.unwrap() };
            let tol = if d.exact { TOL } else { d.bound.unwrap_or_else(|| panic!("{what}: approximate without a bound")) };
            close(&format!("{what} Evidently score ({:?})", d.method), score, ev["score"].as_f64().unwrap(), tol, &mut t, d.exact);
            assert_eq!(d.drifted, ev["drifted"].as_bool().unwrap(), "{what}: drifted ({score} vs {})", d.threshold);
            t.flags_same += 1;
            n_drifted += d.drifted as usize;

            // scipy's statistics, whichever test Evidently chose.
            let sp = &e["scipy"];
            if categorical {
                let news: Vec<&str> = sp["new_categories"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                assert_eq!(d.new_categories, news, "{what}: new categories");
                if let Some(p) = sp["chisquare_p_value"].as_f64() {
                    let k = column_drift(&dist, missing_ref, &sample, missing_new, &DriftOptions { method: Some(Method::Chisquare), threshold: None }).unwrap();
                    close(&format!("{what} chi-squared p"), k.p_value.unwrap(), p, TOL, &mut t, true);
                    match sp["chisquare_statistic"].as_f64() {
                        Some(s) => close(&format!("{what} chi-squared"), k.statistic.unwrap(), s, TOL * s.max(1.0), &mut t, true),
                        None => assert_eq!(k.statistic, None, "{what}: an infinite chi-squared is reported as null"),
                    }
                }
                let k = column_drift(&dist, missing_ref, &sample, missing_new, &DriftOptions { method: Some(Method::Jensenshannon), threshold: None }).unwrap();
                close(&format!("{what} Jensen-Shannon"), k.statistic.unwrap(), sp["jensenshannon"].as_f64().unwrap(), TOL, &mut t, true);
            } else {
                let k = column_drift(&dist, missing_ref, &sample, missing_new, &DriftOptions { method: Some(Method::Ks), threshold: None }).unwrap();
                let (tol_d, exact) = if k.exact { (TOL, true) } else { (k.bound.unwrap(), false) };
                close(&format!("{what} KS statistic"), k.statistic.unwrap(), sp["ks_statistic"].as_f64().unwrap(), tol_d, &mut t, exact);
                if k.exact {
                    close(&format!("{what} KS p-value"), k.p_value.unwrap(), sp["ks_p_value"].as_f64().unwrap(), TOL, &mut t, true);
                }
                let w = column_drift(&dist, missing_ref, &sample, missing_new, &DriftOptions { method: Some(Method::Wasserstein), threshold: None }).unwrap();
                let tol_w = if w.exact { TOL } else { w.bound.unwrap() };
                close(&format!("{what} normed Wasserstein"), w.statistic.unwrap(), sp["wasserstein_normed"].as_f64().unwrap(), tol_w, &mut t, w.exact);
                if d.exact {
                    close(&format!("{what} PSI"), d.psi.unwrap(), sp["psi"].as_f64().unwrap(), TOL, &mut t, true);
                }
            }
        }
        let share = n_drifted as f64 / cols.len() as f64;
        assert_eq!(n_drifted as u64, c["n_drifted"].as_u64().unwrap(), "{case}: drifted columns");
        assert!((share - c["share_drifted"].as_f64().unwrap()).abs() < 1e-15, "{case}: share");
        assert_eq!(share >= 0.5, c["dataset_drift"].as_bool().unwrap(), "{case}: dataset drift");
    }
    eprintln!(
        "drift fixture: {n_columns} columns, {} values compared; methods {} / {n_columns} and drift flags {} / {n_columns} as Evidently; max |Δ| exact {:.3e}, approximate (quantile reference) {:.3e}",
        t.compared, t.methods_same, t.flags_same, t.exact_max_diff, t.approx_max_diff
    );
    assert!(n_columns >= 80, "the fixture should cover every case's columns");
}
