//! Classification metrics on class indices, matching scikit-learn's
//! conventions: labels are those present in `y_true ∪ y_pred`; a zero division
//! counts as 0 with a warning.

use ndarray::Array2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Average {
    Macro,
    Weighted,
}

pub fn accuracy(y: &[usize], p: &[usize]) -> f64 {
    y.iter().zip(p).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

/// Confusion matrix `m[true][pred]` over `n_classes` classes.
pub fn confusion(y: &[usize], p: &[usize], n_classes: usize) -> Vec<Vec<usize>> {
    let mut m = vec![vec![0; n_classes]; n_classes];
    for (&a, &b) in y.iter().zip(p) {
        m[a][b] += 1;
    }
    m
}

/// Precision, recall and F1 averaged over the labels present in `y ∪ p`.
pub fn prf(y: &[usize], p: &[usize], n_classes: usize, avg: Average, warnings: &mut Vec<String>) -> (f64, f64, f64) {
    let m = confusion(y, p, n_classes);
    let (mut sp, mut sr, mut sf, mut sw) = (0.0, 0.0, 0.0, 0.0);
    let mut n_labels = 0usize;
    for k in 0..n_classes {
        let tp = m[k][k] as f64;
        let support: usize = m[k].iter().sum();
        let predicted: usize = (0..n_classes).map(|r| m[r][k]).sum();
        if support == 0 && predicted == 0 {
            continue;
        }
        n_labels += 1;
        let prec = if predicted == 0 {
            warnings.push("precision is ill-defined for a class with no predicted samples; counted as 0".into());
            0.0
        } else {
            tp / predicted as f64
        };
        let rec = if support == 0 {
            warnings.push("recall is ill-defined for a class with no true samples; counted as 0".into());
            0.0
        } else {
            tp / support as f64
        };
        let f1 = if prec + rec == 0.0 { 0.0 } else { 2.0 * prec * rec / (prec + rec) };
        let w = match avg {
            Average::Macro => 1.0,
            Average::Weighted => support as f64,
        };
        sp += w * prec;
        sr += w * rec;
        sf += w * f1;
        sw += w;
    }
    if n_labels == 0 || sw == 0.0 {
        return (0.0, 0.0, 0.0);
    }
    (sp / sw, sr / sw, sf / sw)
}

/// Mean per-class recall over classes present in `y`.
pub fn balanced_accuracy(y: &[usize], p: &[usize], n_classes: usize, warnings: &mut Vec<String>) -> f64 {
    let m = confusion(y, p, n_classes);
    let mut s = 0.0;
    let mut k_present = 0;
    for k in 0..n_classes {
        let support: usize = m[k].iter().sum();
        if support > 0 {
            s += m[k][k] as f64 / support as f64;
            k_present += 1;
        } else if (0..n_classes).any(|r| m[r][k] > 0) {
            warnings.push("y_pred contains classes not in y_true".into());
        }
    }
    s / k_present as f64
}

/// Area under the ROC curve of scores `s` for binary truth `t`, ties handled
/// with the trapezoidal rule (as scikit-learn's `roc_curve` + `auc`).
pub fn binary_auc(t: &[bool], s: &[f64]) -> Option<f64> {
    let pos = t.iter().filter(|&&b| b).count() as f64;
    let neg = t.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let mut idx: Vec<usize> = (0..s.len()).collect();
    idx.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
    let (mut tp, mut fp, mut prev_tp, mut prev_fp, mut area) = (0.0, 0.0, 0.0, 0.0, 0.0);
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
        area += (fp - prev_fp) * (tp + prev_tp) / 2.0;
        prev_tp = tp;
        prev_fp = fp;
    }
    Some(area / (pos * neg))
}

/// ROC-AUC: binary (score = probability of the second class) or one-vs-rest
/// macro average for more classes. NaN with a warning when undefined.
pub fn roc_auc(y: &[usize], proba: &Array2<f64>, warnings: &mut Vec<String>) -> f64 {
    let k = proba.ncols();
    if k <= 2 {
        let t: Vec<bool> = y.iter().map(|&c| c == 1).collect();
        let s: Vec<f64> = (0..y.len()).map(|i| proba[[i, k.saturating_sub(1)]]).collect();
        return binary_auc(&t, &s).unwrap_or_else(|| {
            warnings.push("roc_auc is undefined when only one class is present in the fold".into());
            f64::NAN
        });
    }
    let mut total = 0.0;
    for c in 0..k {
        let t: Vec<bool> = y.iter().map(|&v| v == c).collect();
        let s: Vec<f64> = proba.column(c).to_vec();
        match binary_auc(&t, &s) {
            Some(a) => total += a,
            None => {
                warnings.push(format!("roc_auc (one-vs-rest) is undefined: class #{c} is absent from (or alone in) the fold"));
                return f64::NAN;
            }
        }
    }
    total / k as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_with_ties() {
        // sklearn: roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) == 0.75
        let a = binary_auc(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]).unwrap();
        assert!((a - 0.75).abs() < 1e-15);
        // ties: roc_auc_score([0,1,0,1],[0.5,0.5,0.5,0.9]) == 0.75
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
