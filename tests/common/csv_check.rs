//! Runs one catalogue case and renders its outcome as text (see csv_cases.rs).
//! Shared by the native and the browser tests.

#![allow(dead_code)]

use super::csv_cases::Case;
use pipelab::api;
use pipelab::selection::cv::CvHooks;

/// The outcome of reading (and, with a spec, cross-validating) a case's bytes.
pub fn outcome_of(case: &Case, bytes: &[u8]) -> String {
    let (table, report) = match api::load_table(bytes, case.options) {
        Err(e) => return format!("error: {e}"),
        Ok(x) => x,
    };
    let cols = &table.columns;
    let show = |v: Vec<String>| -> String {
        if v.len() > 20 {
            format!("{}|…", v[..20].join("|"))
        } else {
            v.join("|")
        }
    };
    let mut out = format!(
        "ok rows={} cols={} delimiter={} encoding={} names=[{}] types=[{}] missing=[{}] row1=[{}]\n",
        table.n_rows,
        table.n_cols(),
        report.delimiter,
        report.encoding,
        show(table.names()),
        show(cols.iter().map(|c| c.data.column_type().as_str().to_string()).collect()),
        show(cols.iter().map(|c| c.data.missing_count().to_string()).collect()),
        show(
            cols.iter()
                .map(|c| c.data.display(0).map(|s| if s.len() > 60 { format!("{}…", &s[..60]) } else { s }).unwrap_or_else(|| "<missing>".into()))
                .collect()
        ),
    );
    for w in &report.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    for f in api::profile(&table, &report).flags {
        out.push_str(&format!("flag: {}\n", f.message));
    }
    if let Some(spec) = case.spec {
        let now = || 0.0;
        match api::cross_validate(&table, spec, CvHooks { threads: 1, now_ms: &now, progress: &mut |_, _| true, stop: None }) {
            Err(e) => out.push_str(&format!("cv error: {e}\n")),
            Ok(r) => {
                out.push_str(&format!("cv ok n_rows={} cv={}\n", r.n_rows, r.cv));
                for w in &r.warnings {
                    out.push_str(&format!("cv warning: {w}\n"));
                }
            }
        }
    }
    out
}

/// `Err(explanation)` when the outcome lacks the expected text.
pub fn check(case: &Case) -> Result<(), String> {
    let got = outcome_of(case, &case.input.bytes());
    if got.contains(case.expect) {
        Ok(())
    } else {
        Err(format!("case {}: expected {:?} in the outcome:\n{}", case.name, case.expect, got.chars().take(3000).collect::<String>()))
    }
}
