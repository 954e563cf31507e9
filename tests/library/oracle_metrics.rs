//! Entry l_metrics_fixed_vectors: every metric on five hand-made cases, abs 1e-12.

use crate::support;

use pipelab::metrics::classification::{self as c, AucMode, Average};
use pipelab::metrics::regression as r;
use serde_json::Value;
use support::*;

const TOL: f64 = 1e-12;

/// Encodes labels (numbers or strings) as indices into their sorted order.
fn encode(v: &Value, order: &[Value]) -> Vec<usize> {
    v.as_array().unwrap().iter().map(|x| order.iter().position(|o| o == x).expect("label in labels_order")).collect()
}

#[test]
fn l_metrics_fixed_vectors_classification() {
    let e = entry("l_metrics_fixed_vectors");
    let mut checked = 0;
    for (name, case) in e["results"].as_object().unwrap() {
        let m = &case["metrics"];
        let Some(order) = m["labels_order"].as_array() else { continue };
        let y = encode(&case["input"]["y_true"], order);
        let p = encode(&case["input"]["y_pred"], order);
        let k = order.len();
        let mut w = Vec::new();
        let close = |what: &str, got: f64| {
            let want = m[what].as_f64().unwrap_or_else(|| panic!("{name}: {what} missing"));
            assert_abs(&format!("{name} {what}"), got, want, TOL);
        };
        close("accuracy", c::accuracy(&y, &p));
        close("balanced_accuracy", c::balanced_accuracy(&y, &p, k, &mut w));
        close("mcc", c::matthews(&y, &p, k));
        for (avg, suffix) in [(Average::Macro, "macro"), (Average::Weighted, "weighted"), (Average::Micro, "micro")] {
            let (pr, re, f1) = c::prf(&y, &p, k, avg, &mut w);
            close(&format!("precision_{suffix}"), pr);
            close(&format!("recall_{suffix}"), re);
            close(&format!("f1_{suffix}"), f1);
        }
        let pc = c::per_class(&y, &p, k, &mut w);
        assert_all_abs(&format!("{name} per-class precision"), &pc.precision, &floats(&m["per_class"]["precision"]), TOL);
        assert_all_abs(&format!("{name} per-class recall"), &pc.recall, &floats(&m["per_class"]["recall"]), TOL);
        assert_all_abs(&format!("{name} per-class f1"), &pc.f1, &floats(&m["per_class"]["f1"]), TOL);
        let cm: Vec<Vec<usize>> = m["confusion_matrix_rows_true_cols_pred"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect())
            .collect();
        assert_eq!(c::confusion(&y, &p, k), cm, "{name} confusion matrix");
        if m.get("precision_binary").is_some() {
            let (pr, re, f1) = c::prf(&y, &p, k, Average::Binary, &mut w);
            close("precision_binary", pr);
            close("recall_binary", re);
            close("f1_binary", f1);
        }
        if let Some(score) = case["input"].get("y_score") {
            if k == 2 {
                let s = floats(score);
                let t: Vec<bool> = y.iter().map(|&v| v == 1).collect();
                let proba = c::binary_proba(&s);
                close("roc_auc", c::roc_auc(&y, &proba, AucMode::OvrMacro, &mut w));
                close("average_precision", c::average_precision(&t, &s).unwrap());
                close("log_loss", c::log_loss(&y, &proba));
                close("brier_score", c::brier(&y, &proba));
                let roc = c::roc_curve(&t, &s).unwrap();
                let want = &m["roc_curve_drop_intermediate_false"];
                assert_all_abs(&format!("{name} fpr"), &roc.x, &floats(&want["fpr"]), TOL);
                assert_all_abs(&format!("{name} tpr"), &roc.y, &floats(&want["tpr"]), TOL);
                assert!(roc.thresholds[0].is_infinite());
                assert_all_abs(&format!("{name} thresholds"), &roc.thresholds[1..], &floats(&want["thresholds"])[1..], TOL);
            } else {
                let rows: Vec<Vec<f64>> = score.as_array().unwrap().iter().map(floats).collect();
                let proba = ndarray::Array2::from_shape_fn((rows.len(), k), |(i, j)| rows[i][j]);
                close("roc_auc_ovr_macro", c::roc_auc(&y, &proba, AucMode::OvrMacro, &mut w));
                close("roc_auc_ovr_weighted", c::roc_auc(&y, &proba, AucMode::OvrWeighted, &mut w));
                close("roc_auc_ovo_macro", c::roc_auc(&y, &proba, AucMode::OvoMacro, &mut w));
                close("log_loss", c::log_loss(&y, &proba));
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 4, "four classification cases");
}

#[test]
fn l_metrics_fixed_vectors_regression() {
    let e = entry("l_metrics_fixed_vectors");
    let case = &e["results"]["5_regression"];
    let (y, p) = (floats(&case["input"]["y_true"]), floats(&case["input"]["y_pred"]));
    let m = &case["metrics"];
    for (what, got) in [
        ("mse", r::mse(&y, &p)),
        ("rmse", r::mse(&y, &p).sqrt()),
        ("mae", r::mae(&y, &p)),
        ("r2", r::r2(&y, &p)),
        ("explained_variance", r::explained_variance(&y, &p)),
        ("median_absolute_error", r::median_ae(&y, &p)),
        ("max_error", r::max_error(&y, &p)),
        ("mse_first4_sklearn_doc_example", r::mse(&y[..4], &p[..4])),
        ("r2_first4_sklearn_doc_example", r::r2(&y[..4], &p[..4])),
    ] {
        assert_abs(what, got, m[what].as_f64().unwrap(), TOL);
    }
}
