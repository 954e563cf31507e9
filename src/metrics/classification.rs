//! Classification metrics on class indices, with scikit-learn's conventions:
//! - labels are those present in `y_true ∪ y_pred`, in class order;
//! - a zero division counts as 0 (scikit-learn's `zero_division=0`) and is reported as a warning;
//! - ROC-AUC counts a tied (positive, negative) pair as ½.

use ndarray::Array2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Average {
    /// The positive class only (the second class).
    Binary,
    /// Global counts.
    Micro,
    /// Unweighted mean over labels.
    Macro,
    /// Support-weighted mean over labels.
    Weighted,
}

pub fn accuracy(y: &[usize], p: &[usize]) -> f64 {
    y.iter().zip(p).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

/// Confusion matrix `m[true][pred]` over `n_classes` classes.
pub fn confusion(y: &[usize], p: &[usize], n_classes: usize) -> Vec<Vec<usize>> {
    let n = n_classes.max(y.iter().chain(p).map(|&c| c + 1).max().unwrap_or(0));
    let mut m = vec![vec![0; n]; n];
    for (&a, &b) in y.iter().zip(p) {
        m[a][b] += 1;
    }
    m
}

/// Per-class precision, recall, F1 and support, over all `n_classes` (absent classes give zeros).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PerClass {
    pub precision: Vec<f64>,
    pub recall: Vec<f64>,
    pub f1: Vec<f64>,
    pub support: Vec<usize>,
    /// Whether the class occurs in y_true or y_pred.
    pub present: Vec<bool>,
}

pub fn per_class(y: &[usize], p: &[usize], n_classes: usize, warnings: &mut Vec<String>) -> PerClass {
    let m = confusion(y, p, n_classes);
    let k = m.len();
    let mut out = PerClass { precision: vec![0.0; k], recall: vec![0.0; k], f1: vec![0.0; k], support: vec![0; k], present: vec![false; k] };
    for c in 0..k {
        let tp = m[c][c] as f64;
        let support: usize = m[c].iter().sum();
        let predicted: usize = (0..k).map(|r| m[r][c]).sum();
        out.support[c] = support;
        out.present[c] = support > 0 || predicted > 0;
        if !out.present[c] {
            continue;
        }
        let prec = if predicted == 0 {
            warn(warnings, "precision is ill-defined for a class that is never predicted; counted as 0");
            0.0
        } else {
            tp / predicted as f64
        };
        let rec = if support == 0 {
            warn(warnings, "recall is ill-defined for a class absent from y_true; counted as 0");
            0.0
        } else {
            tp / support as f64
        };
        out.precision[c] = prec;
        out.recall[c] = rec;
        out.f1[c] = if prec + rec == 0.0 { 0.0 } else { 2.0 * prec * rec / (prec + rec) };
    }
    out
}

fn warn(w: &mut Vec<String>, s: &str) {
    if !w.iter().any(|x| x == s) {
        w.push(s.to_string());
    }
}

/// Precision, recall and F1 with the given averaging.
pub fn prf(y: &[usize], p: &[usize], n_classes: usize, avg: Average, warnings: &mut Vec<String>) -> (f64, f64, f64) {
    match avg {
        Average::Micro => {
            // Single-label multiclass: micro precision = recall = F1 = accuracy.
            let a = accuracy(y, p);
            (a, a, a)
        }
        Average::Binary => {
            let pc = per_class(y, p, n_classes.max(2), warnings);
            (pc.precision[1], pc.recall[1], pc.f1[1])
        }
        Average::Macro | Average::Weighted => {
            let pc = per_class(y, p, n_classes, warnings);
            let (mut sp, mut sr, mut sf, mut sw) = (0.0, 0.0, 0.0, 0.0);
            for c in 0..pc.present.len() {
                if !pc.present[c] {
                    continue;
                }
                let w = if avg == Average::Macro { 1.0 } else { pc.support[c] as f64 };
                sp += w * pc.precision[c];
                sr += w * pc.recall[c];
                sf += w * pc.f1[c];
                sw += w;
            }
            if sw == 0.0 {
                return (0.0, 0.0, 0.0);
            }
            (sp / sw, sr / sw, sf / sw)
        }
    }
}

/// Mean per-class recall over classes present in `y`.
pub fn balanced_accuracy(y: &[usize], p: &[usize], n_classes: usize, warnings: &mut Vec<String>) -> f64 {
    let m = confusion(y, p, n_classes);
    let mut s = 0.0;
    let mut k_present = 0;
    for (k, row) in m.iter().enumerate() {
        let support: usize = row.iter().sum();
        if support > 0 {
            s += m[k][k] as f64 / support as f64;
            k_present += 1;
        } else if m.iter().any(|r| r[k] > 0) {
            warn(warnings, "y_pred contains classes not in y_true");
        }
    }
    s / k_present as f64
}

/// Matthews correlation coefficient (multiclass form); 0 when undefined.
pub fn matthews(y: &[usize], p: &[usize], n_classes: usize) -> f64 {
    let m = confusion(y, p, n_classes);
    let k = m.len();
    let s = y.len() as f64;
    let c: f64 = (0..k).map(|i| m[i][i] as f64).sum();
    let t: Vec<f64> = (0..k).map(|i| m[i].iter().sum::<usize>() as f64).collect();
    let pr: Vec<f64> = (0..k).map(|j| (0..k).map(|i| m[i][j]).sum::<usize>() as f64).collect();
    let tp: f64 = t.iter().zip(&pr).map(|(a, b)| a * b).sum();
    let den = ((s * s - pr.iter().map(|v| v * v).sum::<f64>()) * (s * s - t.iter().map(|v| v * v).sum::<f64>())).sqrt();
    if den == 0.0 {
        0.0
    } else {
        (c * s - tp) / den
    }
}

/// A ROC curve with every distinct threshold (scikit-learn's `drop_intermediate=False`):
/// thresholds start at +∞.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub thresholds: Vec<f64>,
}

fn sorted_desc(s: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..s.len()).collect();
    crate::sorting::sort_indices_by(&mut idx, &|a, b| s[b].total_cmp(&s[a]));
    idx
}

/// Cumulative (true positives, false positives, threshold) at each distinct score, descending.
fn cumulative(t: &[bool], s: &[f64]) -> Vec<(f64, f64, f64)> {
    let idx = sorted_desc(s);
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let v = s[idx[i]];
        while i < idx.len() && s[idx[i]] == v {
            if t[idx[i]] {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            i += 1;
        }
        out.push((tp, fp, v));
    }
    out
}

/// ROC curve (fpr, tpr, thresholds); `None` when a class is absent.
pub fn roc_curve(t: &[bool], s: &[f64]) -> Option<Curve> {
    let pos = t.iter().filter(|&&b| b).count() as f64;
    let neg = t.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let mut c = Curve { x: vec![0.0], y: vec![0.0], thresholds: vec![f64::INFINITY] };
    for (tp, fp, v) in cumulative(t, s) {
        c.x.push(fp / neg);
        c.y.push(tp / pos);
        c.thresholds.push(v);
    }
    Some(c)
}

/// Precision-recall curve as scikit-learn orders it for plotting: recall decreasing to 0, precision to 1.
pub fn pr_curve(t: &[bool], s: &[f64]) -> Option<Curve> {
    let pos = t.iter().filter(|&&b| b).count() as f64;
    if pos == 0.0 {
        return None;
    }
    let cum = cumulative(t, s);
    let mut c = Curve { x: Vec::new(), y: Vec::new(), thresholds: Vec::new() };
    for &(tp, fp, v) in cum.iter().rev() {
        c.x.push(tp / pos);
        c.y.push(if tp + fp == 0.0 { 1.0 } else { tp / (tp + fp) });
        c.thresholds.push(v);
    }
    c.x.push(0.0);
    c.y.push(1.0);
    Some(c)
}

/// Area under the ROC curve, ties counted ½ (trapezoid over distinct thresholds).
pub fn binary_auc(t: &[bool], s: &[f64]) -> Option<f64> {
    let pos = t.iter().filter(|&&b| b).count() as f64;
    let neg = t.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let (mut prev_tp, mut prev_fp, mut area) = (0.0, 0.0, 0.0);
    for (tp, fp, _) in cumulative(t, s) {
        area += (fp - prev_fp) * (tp + prev_tp) / 2.0;
        prev_tp = tp;
        prev_fp = fp;
    }
    Some(area / (pos * neg))
}

/// Average precision: Σ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds (scikit-learn's definition, no interpolation).
pub fn average_precision(t: &[bool], s: &[f64]) -> Option<f64> {
    let pos = t.iter().filter(|&&b| b).count() as f64;
    if pos == 0.0 {
        return None;
    }
    let (mut prev_r, mut ap) = (0.0, 0.0);
    for (tp, fp, _) in cumulative(t, s) {
        let r = tp / pos;
        ap += (r - prev_r) * tp / (tp + fp);
        prev_r = r;
    }
    Some(ap)
}

/// How to average multiclass ROC-AUC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AucMode {
    OvrMacro,
    OvrWeighted,
    OvoMacro,
}

/// ROC-AUC: binary (score = probability of the second class) or multiclass by `mode`.
/// NaN with a warning when undefined (a class missing from the fold).
pub fn roc_auc(y: &[usize], proba: &Array2<f64>, mode: AucMode, warnings: &mut Vec<String>) -> f64 {
    let k = proba.ncols();
    if k <= 2 {
        let t: Vec<bool> = y.iter().map(|&c| c == 1).collect();
        let s: Vec<f64> = (0..y.len()).map(|i| proba[[i, k.saturating_sub(1)]]).collect();
        return binary_auc(&t, &s).unwrap_or_else(|| {
            warn(warnings, "roc_auc is undefined when only one class is present in y_true; reported as NaN");
            f64::NAN
        });
    }
    let undefined = |w: &mut Vec<String>| {
        warn(w, "roc_auc (multiclass) is undefined when a class is absent from y_true; reported as NaN");
        f64::NAN
    };
    match mode {
        AucMode::OvrMacro | AucMode::OvrWeighted => {
            let (mut total, mut wsum) = (0.0, 0.0);
            for c in 0..k {
                let t: Vec<bool> = y.iter().map(|&v| v == c).collect();
                let s: Vec<f64> = proba.column(c).to_vec();
                let Some(a) = binary_auc(&t, &s) else { return undefined(warnings) };
                let w = if mode == AucMode::OvrMacro { 1.0 } else { t.iter().filter(|&&b| b).count() as f64 };
                total += w * a;
                wsum += w;
            }
            total / wsum
        }
        AucMode::OvoMacro => {
            let mut total = 0.0;
            let mut pairs = 0.0;
            for a in 0..k {
                for b in (a + 1)..k {
                    let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == a || y[i] == b).collect();
                    let ta: Vec<bool> = rows.iter().map(|&i| y[i] == a).collect();
                    let tb: Vec<bool> = rows.iter().map(|&i| y[i] == b).collect();
                    let sa: Vec<f64> = rows.iter().map(|&i| proba[[i, a]]).collect();
                    let sb: Vec<f64> = rows.iter().map(|&i| proba[[i, b]]).collect();
                    let (Some(x), Some(z)) = (binary_auc(&ta, &sa), binary_auc(&tb, &sb)) else { return undefined(warnings) };
                    total += (x + z) / 2.0;
                    pairs += 1.0;
                }
            }
            total / pairs
        }
    }
}

/// Log loss with probabilities clipped to [eps, 1 − eps] (eps = f64 machine epsilon) and rows renormalized.
pub fn log_loss(y: &[usize], proba: &Array2<f64>) -> f64 {
    let eps = f64::EPSILON;
    let mut total = 0.0;
    for (i, &c) in y.iter().enumerate() {
        let row = proba.row(i);
        let clipped: Vec<f64> = row.iter().map(|&p| p.clamp(eps, 1.0 - eps)).collect();
        let s: f64 = clipped.iter().sum();
        let p = clipped.get(c).copied().unwrap_or(eps) / s;
        total -= p.ln();
    }
    total / y.len() as f64
}

/// Brier score of the positive (second) class probability.
pub fn brier(y: &[usize], proba: &Array2<f64>) -> f64 {
    let k = proba.ncols();
    y.iter().enumerate().map(|(i, &c)| (proba[[i, k - 1]] - (c == 1) as u8 as f64).powi(2)).sum::<f64>() / y.len() as f64
}

/// Wraps a binary score vector (probability of the second class) as a two-column probability matrix.
pub fn binary_proba(s: &[f64]) -> Array2<f64> {
    Array2::from_shape_fn((s.len(), 2), |(i, j)| if j == 1 { s[i] } else { 1.0 - s[i] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_with_ties() {
        let a = binary_auc(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]).unwrap();
        assert!((a - 0.75).abs() < 1e-15);
        let a = binary_auc(&[false, true, false, true], &[0.5, 0.5, 0.5, 0.9]).unwrap();
        assert!((a - 0.75).abs() < 1e-15);
    }

    #[test]
    fn f1_macro_ignores_absent_labels() {
        let mut w = vec![];
        let (p, r, f) = prf(&[0, 0, 1, 1], &[0, 1, 1, 1], 3, Average::Macro, &mut w);
        assert!((p - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-15);
        assert!((r - 0.75).abs() < 1e-15);
        assert!((f - (2.0 / 3.0 + 0.8) / 2.0).abs() < 1e-15);
    }
}
