//! `GaussianNB`: one independent Gaussian per (class, feature), as
//! scikit-learn's: variances are population variances plus
//! `var_smoothing · max(feature variance over all rows)`; priors are the class
//! frequencies unless given. Classes absent from the training rows get prior 0
//! and are never predicted.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_fit, check_n_features};
use crate::estimator::class_target;
use crate::estimator::{FitContext, FittedModel, Inspection, ModelParams, Output, ParamInfo, Target, Task};
use crate::numeric::argmax;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GaussianNBParams {
    /// Prior probabilities of the classes (in sorted class order); `None` = class frequencies.
    pub priors: Option<Vec<f64>>,
    pub var_smoothing: f64,
}

impl Default for GaussianNBParams {
    fn default() -> Self {
        GaussianNBParams { priors: None, var_smoothing: 1e-9 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GaussianNB {
    /// `theta[c][j]`: mean of feature j in class c.
    pub theta: Vec<Vec<f64>>,
    /// `var[c][j]`: variance (smoothed) of feature j in class c.
    pub var: Vec<Vec<f64>>,
    pub class_prior: Vec<f64>,
    pub class_count: Vec<f64>,
    pub epsilon: f64,
}

impl ModelParams for GaussianNBParams {
    type Fitted = GaussianNB;
    fn task(&self) -> Task {
        Task::Classification
    }
    fn fit(&self, x: &Array2<f64>, y: Option<&Target>, _ctx: &FitContext) -> Result<GaussianNB> {
        if !(self.var_smoothing >= 0.0 && self.var_smoothing.is_finite()) {
            return Err(Error::param("GaussianNB", "var_smoothing", format!("must be a finite number ≥ 0, got {}", self.var_smoothing)));
        }
        check_fit("GaussianNB", x)?;
        let (y, k) = class_target("GaussianNB", y)?;
        let (n, p) = x.dim();
        if y.len() != n || y.iter().any(|&c| c >= k) {
            return Err(Error::data("GaussianNB: target and feature rows do not match"));
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::data("GaussianNB: the features hold missing or infinite values; add a SimpleImputer"));
        }
        let mut count = vec![0.0; k];
        let mut theta = vec![vec![0.0; p]; k];
        for (i, row) in x.rows().into_iter().enumerate() {
            let c = y[i];
            count[c] += 1.0;
            for (t, v) in theta[c].iter_mut().zip(row) {
                *t += v;
            }
        }
        for c in 0..k {
            if count[c] > 0.0 {
                theta[c].iter_mut().for_each(|t| *t /= count[c]);
            }
        }
        let mut var = vec![vec![0.0; p]; k];
        for (i, row) in x.rows().into_iter().enumerate() {
            let c = y[i];
            for j in 0..p {
                let d = row[j] - theta[c][j];
                var[c][j] += d * d;
            }
        }
        // epsilon = var_smoothing · max over features of the overall variance.
        let mut gmean = vec![0.0; p];
        for row in x.rows() {
            for (g, v) in gmean.iter_mut().zip(row) {
                *g += v;
            }
        }
        gmean.iter_mut().for_each(|g| *g /= n as f64);
        let mut gvar = vec![0.0; p];
        for row in x.rows() {
            for j in 0..p {
                let d = row[j] - gmean[j];
                gvar[j] += d * d;
            }
        }
        let max_var = gvar.iter().fold(0.0f64, |m, v| m.max(v / n as f64));
        let epsilon = self.var_smoothing * max_var;
        for (vc, &nc) in var.iter_mut().zip(&count) {
            for v in vc.iter_mut() {
                *v = if nc > 0.0 { *v / nc } else { 0.0 } + epsilon;
            }
        }
        if var.iter().flatten().any(|&v| v <= 0.0) {
            return Err(Error::data(
                "GaussianNB: a feature has zero variance within a class and var_smoothing is 0 (or every feature is constant); raise var_smoothing",
            ));
        }
        let class_prior = match &self.priors {
            Some(pr) => {
                if pr.len() != k {
                    return Err(Error::param("GaussianNB", "priors", format!("has {} values but the target has {k} classes", pr.len())));
                }
                if pr.iter().any(|&v| v.is_nan() || v < 0.0) {
                    return Err(Error::param("GaussianNB", "priors", "must be non-negative"));
                }
                if (pr.iter().sum::<f64>() - 1.0).abs() > 1e-8 {
                    return Err(Error::param("GaussianNB", "priors", "must sum to 1"));
                }
                pr.clone()
            }
            None => count.iter().map(|&c| c / n as f64).collect(),
        };
        Ok(GaussianNB { theta, var, class_prior, class_count: count, epsilon })
    }
    fn schema() -> Vec<ParamInfo> {
        vec![
            ParamInfo::new("priors", "list", json!(null), "Prior probability of each class (sorted class order); empty = class frequencies."),
            ParamInfo::new("var_smoothing", "float", json!(1e-9), "Fraction of the largest feature variance added to every variance, for stability.")
                .range(Some(0.0), Some(1.0)),
        ]
    }
    fn help() -> &'static str {
        "Gaussian naive Bayes: each feature is normally distributed within a class, independently of the others."
    }
}

impl GaussianNB {
    /// Joint log-likelihood `log P(c) + log P(x | c)` of every row and class (−∞ for classes with prior 0).
    pub fn joint_log_likelihood(&self, x: &Array2<f64>) -> Array2<f64> {
        let k = self.theta.len();
        let n = x.nrows();
        let mut jll = Array2::<f64>::zeros((n, k));
        // Per-class constants.
        let consts: Vec<f64> =
            (0..k).map(|c| self.class_prior[c].ln() - 0.5 * self.var[c].iter().map(|v| (2.0 * std::f64::consts::PI * v).ln()).sum::<f64>()).collect();
        for (i, row) in x.rows().into_iter().enumerate() {
            for c in 0..k {
                let (th, va) = (&self.theta[c], &self.var[c]);
                let mut s = 0.0;
                for j in 0..row.len() {
                    let d = row[j] - th[j];
                    s += d * d / va[j];
                }
                jll[[i, c]] = consts[c] - 0.5 * s;
            }
        }
        jll
    }
}

impl FittedModel for GaussianNB {
    fn n_features(&self) -> usize {
        self.theta.first().map_or(0, Vec::len)
    }
    fn predict(&self, x: &Array2<f64>) -> Result<Output> {
        check_n_features("GaussianNB", self.n_features(), x)?;
        let jll = self.joint_log_likelihood(x);
        let n = x.nrows();
        let k = self.theta.len();
        let mut proba = Array2::<f64>::zeros((n, k));
        let mut labels = Vec::with_capacity(n);
        for i in 0..n {
            let row = jll.row(i);
            let r = row.as_slice().expect("rows of a standard-layout matrix are contiguous");
            labels.push(argmax(r));
            let m = r.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            if !m.is_finite() {
                // Non-finite input: fall back to the priors.
                proba.row_mut(i).assign(&ndarray::ArrayView1::from(&self.class_prior));
                continue;
            }
            let se: f64 = r.iter().map(|&v| (v - m).exp()).sum();
            let lse = m + se.ln();
            for c in 0..k {
                proba[[i, c]] = (r[c] - lse).exp();
            }
        }
        Ok(Output::Classes { labels, proba: Some(proba) })
    }
    fn inspect(&self, names: &[String]) -> Inspection {
        let fname = |j: usize| names.get(j).cloned().unwrap_or_else(|| format!("x{j}"));
        let classes: Vec<serde_json::Value> = (0..self.theta.len())
            .map(|c| {
                let feats: Vec<serde_json::Value> =
                    (0..self.n_features()).map(|j| json!({"feature": fname(j), "mean": self.theta[c][j], "var": self.var[c][j]})).collect();
                json!({"class": c, "prior": self.class_prior[c], "count": self.class_count[c], "features": feats})
            })
            .collect();
        Inspection::default().detail("classes", classes).fact("epsilon", self.epsilon)
    }
    fn validate(&self) -> Result<()> {
        let k = self.theta.len();
        let p = self.n_features();
        let ok = k >= 1
            && p >= 1
            && self.var.len() == k
            && self.class_prior.len() == k
            && self.class_count.len() == k
            && self.theta.iter().all(|r| r.len() == p && r.iter().all(|v| v.is_finite()))
            && self.var.iter().all(|r| r.len() == p && r.iter().all(|v| v.is_finite() && *v > 0.0))
            && self.class_prior.iter().all(|v| v.is_finite() && *v >= 0.0)
            && (self.class_prior.iter().sum::<f64>() - 1.0).abs() < 1e-6
            && self.epsilon.is_finite();
        if !ok {
            return Err(Error::ModelFile("GaussianNB: class means, variances and priors are inconsistent".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (Array2<f64>, Target) {
        let x = Array2::from_shape_vec((6, 2), vec![1.0, 2.0, 1.2, 1.8, 0.8, 2.1, 5.0, 7.0, 5.5, 6.5, 4.8, 7.2]).unwrap();
        (x, Target::Classes { y: vec![0, 0, 0, 1, 1, 1], n_classes: 2 })
    }

    #[test]
    fn fits_means_variances_and_probabilities() {
        let (x, t) = toy();
        let m = GaussianNBParams::default().fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        assert!((m.theta[0][0] - 1.0).abs() < 1e-12);
        let v00 = (0.0 + 0.04 + 0.04) / 3.0;
        assert!((m.var[0][0] - v00 - m.epsilon).abs() < 1e-15);
        assert_eq!(m.class_prior, vec![0.5, 0.5]);
        let Output::Classes { labels, proba } = m.predict(&x).unwrap() else { panic!() };
        assert_eq!(labels, vec![0, 0, 0, 1, 1, 1]);
        let p = proba.unwrap();
        for r in p.rows() {
            assert!((r.sum() - 1.0).abs() < 1e-12);
        }
        // Hand-computed log-likelihood for row 0, class 0.
        let jll = m.joint_log_likelihood(&x);
        let mut want = 0.5f64.ln();
        for j in 0..2 {
            let v = m.var[0][j];
            want += -0.5 * (2.0 * std::f64::consts::PI * v).ln() - 0.5 * (x[[0, j]] - m.theta[0][j]).powi(2) / v;
        }
        assert!((jll[[0, 0]] - want).abs() < 1e-12);
        m.validate().unwrap();
        let _ = m.inspect(&["a".into(), "b".into()]);
    }

    #[test]
    fn priors_absent_class_and_errors() {
        let (x, _) = toy();
        let t3 = Target::Classes { y: vec![0, 0, 0, 2, 2, 2], n_classes: 3 };
        let m = GaussianNBParams::default().fit(&x, Some(&t3), &FitContext::new(0)).unwrap();
        let Output::Classes { labels, proba } = m.predict(&x).unwrap() else { panic!() };
        assert_eq!(labels, vec![0, 0, 0, 2, 2, 2]);
        assert!(proba.unwrap().column(1).iter().all(|&v| v == 0.0));
        let (x, t) = toy();
        let m = GaussianNBParams { priors: Some(vec![0.9, 0.1]), ..Default::default() }.fit(&x, Some(&t), &FitContext::new(0)).unwrap();
        assert_eq!(m.class_prior, vec![0.9, 0.1]);
        for bad in [vec![0.5], vec![0.7, 0.7], vec![-0.5, 1.5]] {
            let e = GaussianNBParams { priors: Some(bad), ..Default::default() }.fit(&x, Some(&t), &FitContext::new(0)).unwrap_err();
            assert!(e.to_string().contains("priors"), "{e}");
        }
        let e = GaussianNBParams { var_smoothing: -1.0, ..Default::default() }.fit(&x, Some(&t), &FitContext::new(0)).unwrap_err();
        assert!(e.to_string().contains("var_smoothing"));
        assert!(GaussianNBParams::default().fit(&x, Some(&Target::Values(vec![0.0; 6])), &FitContext::new(0)).is_err());
        // Constant feature: smoothing from the other feature keeps variances positive.
        let mut xc = x.clone();
        xc.column_mut(1).fill(3.0);
        let m = GaussianNBParams::default().fit(&xc, Some(&t), &FitContext::new(0)).unwrap();
        assert!(m.var[0][1] > 0.0);
        // All constant + one sample: zero variance everywhere -> clear error.
        let x1 = Array2::from_shape_vec((1, 2), vec![1.0, 2.0]).unwrap();
        let e = GaussianNBParams::default().fit(&x1, Some(&Target::Classes { y: vec![0], n_classes: 1 }), &FitContext::new(0)).unwrap_err();
        assert!(e.to_string().contains("var_smoothing"), "{e}");
        let mut bad = m.clone();
        bad.var[0][0] = 0.0;
        assert!(bad.validate().is_err());
        assert!(m.predict(&Array2::zeros((1, 3))).is_err());
    }
}
