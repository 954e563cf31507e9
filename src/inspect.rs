//! What a learner wants to see of a fitted pipeline, in one shape for every
//! model: coefficients with feature names (one row per class for multiclass
//! linear classifiers), intercepts, feature importances (impurity-based for
//! trees / forests / boosting, split gain for histogram boosting, |coef| for
//! linear models), the depth-limited structure of a single decision tree with
//! class labels, cluster centres — and, for clustering, a 2-D view of the rows
//! on their first two principal components.
//!
//! Built on each model's typed `inspect` and `importances` (see [`crate::estimator::FittedModel`]);
//! this module only names things (class labels instead of indices) and gives
//! the page one shape to draw.

use ndarray::Array2;
use serde::Serialize;
use serde_json::Value;

use crate::estimator::{Coefficients, Inspection, Task, TreeView};
use crate::features::decomposition::{NComponents, PcaParams};
use crate::frame::{FCol, Frame};
use crate::pipeline::{FittedPipeline, ModelState};
use crate::{Error, Result};

/// One row of coefficients: the output they produce (the target, or a class).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoefRow {
    /// The target name (regression) or the class label this row scores.
    pub label: String,
    /// One value per entry of [`ModelInspection::feature_names`].
    pub values: Vec<f64>,
    pub intercept: f64,
}

/// Per-feature importances and how they were computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Importances {
    /// "impurity" (mean decrease in impurity, normalized to sum 1), "split_gain"
    /// (histogram boosting, normalized), or "abs_coef" (|coef|, summed over classes).
    pub kind: &'static str,
    /// One value per entry of [`ModelInspection::feature_names`].
    pub values: Vec<f64>,
}

/// The fitted model, as the page shows it after training.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInspection {
    pub model: String,
    pub task: Task,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Class labels in model order (classification).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// Names of the columns that reach the model.
    pub feature_names: Vec<String>,
    /// Linear models: one row (regression, binary classification: the positive class) or one per class.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coefficients: Vec<CoefRow>,
    /// For a binary linear classifier: the class its single row scores against (`"<pos> vs <neg>"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binary_negative_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importances: Option<Importances>,
    /// A single decision tree, depth-limited: nodes `{feature, threshold, impurity, samples,
    /// value, class_label (classifier), left, right, truncated}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree_depth: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree_depth_shown: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_leaves: Option<usize>,
    /// KMeans / AgglomerativeClustering: one centre per cluster, in feature space.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cluster_centers: Vec<Vec<f64>>,
    /// Scalar facts worth a line each (n_iter, alpha, oob_score, n_support_vectors, …).
    pub facts: Vec<(String, Value)>,
    /// A sentence when the model is a constant (a single training class).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Everything else the model reports (its facts, per-class statistics, cluster sizes, …), by name.
    pub details: Value,
}

/// Inspects a fitted pipeline's model: the model's typed [`Inspection`] and [`FittedModel::importances`]
/// (see `crate::estimator`), with class labels and feature names put in.
///
/// [`FittedModel::importances`]: crate::estimator::FittedModel::importances
pub fn inspect_pipeline(p: &FittedPipeline, model_name: &str) -> ModelInspection {
    let classes = p.target.as_ref().map(|t| t.classes.clone()).unwrap_or_default();
    let mut out = ModelInspection {
        model: model_name.to_string(),
        task: p.task(),
        target: p.target.as_ref().map(|t| t.name.clone()),
        classes: classes.clone(),
        feature_names: p.feature_names.clone(),
        coefficients: Vec::new(),
        binary_negative_class: None,
        importances: None,
        tree: None,
        tree_depth: None,
        tree_depth_shown: None,
        n_leaves: None,
        cluster_centers: Vec::new(),
        facts: Vec::new(),
        note: None,
        details: Value::Null,
    };
    let m = match &p.model {
        ModelState::Fitted(m) => m,
        ModelState::SingleClass(k) => {
            out.note = Some(format!("the training rows hold a single class ({}); the model always predicts it", classes.get(*k).cloned().unwrap_or_default()));
            return out;
        }
    };
    let Inspection { coefficients, tree, cluster_centers, facts, details } = m.inspect(&p.feature_names);
    let label = |k: usize| classes.get(k).cloned().unwrap_or_else(|| k.to_string());

    if let Some(Coefficients { rows, intercepts, classes: seen }) = coefficients {
        // Class indices the rows refer to (LinearSVC lists the classes it saw).
        let seen: Vec<usize> = seen.unwrap_or_else(|| (0..classes.len()).collect());
        let n_rows = rows.len();
        for (r, values) in rows.into_iter().enumerate() {
            let row_label = match out.task {
                Task::Classification if n_rows == 1 && seen.len() == 2 => {
                    out.binary_negative_class = Some(label(seen[0]));
                    label(seen[1])
                }
                Task::Classification => seen.get(r).map_or_else(|| r.to_string(), |&k| label(k)),
                _ => out.target.clone().unwrap_or_else(|| "y".into()),
            };
            out.coefficients.push(CoefRow { label: row_label, values, intercept: intercepts.get(r).copied().unwrap_or(0.0) });
        }
    }

    out.importances = m.importances().map(|i| Importances { kind: i.kind.as_str(), values: i.values });

    if let Some(TreeView { mut root, depth, depth_shown, n_leaves, classifier }) = tree {
        if classifier {
            label_tree(&mut root, &classes);
        }
        out.tree = Some(root);
        out.tree_depth = Some(depth);
        out.tree_depth_shown = Some(depth_shown);
        out.n_leaves = Some(n_leaves);
    }

    out.cluster_centers = cluster_centers;

    // Scalars get a line each (in name order); everything else stays in `details`.
    let mut all = serde_json::Map::new();
    for (k, v) in facts.into_iter().chain(details) {
        if v.is_number() || v.is_boolean() || v.is_string() {
            out.facts.push((k.to_string(), v.clone()));
        }
        all.insert(k.to_string(), v);
    }
    crate::sorting::sort_by(&mut out.facts, &|a, b| a.0.cmp(&b.0));
    out.details = Value::Object(all);
    out
}

/// Adds `class_label` (the class with the largest value) to every node of a
/// classifier tree's JSON.
fn label_tree(node: &mut Value, classes: &[String]) {
    if let Some(k) = node.get("class").and_then(Value::as_u64) {
        if let Some(c) = classes.get(k as usize) {
            node["class_label"] = Value::String(c.clone());
        }
    } else if classes.len() == 1 {
        node["class_label"] = Value::String(classes[0].clone());
    }
    for side in ["left", "right"] {
        if let Some(child) = node.get_mut(side) {
            label_tree(child, classes);
        }
    }
}

/// Rows (and optionally extra points, e.g. cluster centres) on the first two
/// principal components of the matrix that reaches the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    /// First component of every row.
    pub x: Vec<f64>,
    /// Second component of every row (zeros when the matrix has one column).
    pub y: Vec<f64>,
    /// Share of the variance each shown component explains.
    pub explained_variance_ratio: Vec<f64>,
    /// The extra points projected the same way (`[pc1, pc2]` each).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<[f64; 2]>,
}

/// Projects `x` on its first two principal components (scikit-learn's PCA:
/// centred, covariance eigenvectors), and `extra` points with the same map.
pub fn pca_2d(x: &Array2<f64>, extra: &[Vec<f64>]) -> Result<Projection> {
    let (n, p) = x.dim();
    if n < 2 || p == 0 {
        return Err(Error::data(format!("a 2-D view needs at least 2 rows and 1 column; got {n} × {p}")));
    }
    let cols: Vec<FCol> = (0..p).map(|j| FCol::num(format!("x{j}"), x.column(j).to_vec())).collect();
    let frame = Frame::new(cols, n);
    let k = p.min(n).min(2);
    let pca = crate::estimator::StepParams::fit(
        &PcaParams { n_components: Some(NComponents::Count(k)), whiten: false },
        &frame,
        None,
        &crate::estimator::FitContext::new(0),
    )?;
    let project = |row: &mut dyn Iterator<Item = f64>| -> [f64; 2] {
        let centred: Vec<f64> = row.zip(&pca.mean).map(|(v, m)| v - m).collect();
        let mut out = [0.0; 2];
        for (c, comp) in pca.components.iter().enumerate().take(2) {
            out[c] = centred.iter().zip(comp).map(|(a, b)| a * b).sum();
        }
        out
    };
    let (mut px, mut py) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for r in x.rows() {
        let [a, b] = project(&mut r.iter().copied());
        px.push(a);
        py.push(b);
    }
    let extra = extra.iter().filter(|e| e.len() == p).map(|e| project(&mut e.iter().copied())).collect();
    Ok(Projection { x: px, y: py, explained_variance_ratio: pca.explained_variance_ratio.clone(), extra })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn pca_2d_of_a_line_puts_everything_on_the_first_axis() {
        let x = array![[0.0, 0.0], [1.0, 2.0], [2.0, 4.0], [3.0, 6.0]];
        let p = pca_2d(&x, &[vec![1.5, 3.0]]).unwrap();
        assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
        assert!(p.y.iter().all(|v| v.abs() < 1e-12));
        // Distances along the line are kept.
        assert!(((p.x[3] - p.x[0]).abs() - 45f64.sqrt()).abs() < 1e-12);
        // The centre of the data projects to the origin.
        assert!(p.extra[0][0].abs() < 1e-12 && p.extra[0][1].abs() < 1e-12);
    }

    #[test]
    fn pca_2d_of_one_column_has_a_zero_second_axis() {
        let x = array![[1.0], [2.0], [4.0]];
        let p = pca_2d(&x, &[]).unwrap();
        assert_eq!(p.explained_variance_ratio.len(), 1);
        assert_eq!(p.y, vec![0.0; 3]);
        assert!(pca_2d(&array![[1.0]], &[]).is_err());
    }
}
