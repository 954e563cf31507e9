//! The transformed-table preview: the ColumnTransformer and the steps of a
//! spec (not the model) fitted on every usable row, as the page shows them
//! before training — the output feature names (scikit-learn's
//! `get_feature_names_out` convention, `cat__sex_female`), the first rows of
//! what the model would be trained on, what each step did to the shape of the
//! data, and for a decomposition as the last step (PCA, TruncatedSVD,
//! LinearDiscriminantAnalysis) the first two components of every row with the
//! target, and the explained variance (ratio).

use serde::Serialize;
use serde_json::Value;

use super::{fit_transformers, in_step, prepare, FittedStep, PipelineSpec, StepTrace, TargetInfo, Transformed};
use crate::data::Table;
use crate::estimator::{ExplainedVariance, FitContext, Target};
use crate::frame::{FData, Frame};
use crate::Result;

/// Points drawn at most in the projection scatter (an evenly strided subset beyond).
pub const MAX_POINTS: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewReport {
    /// Names of the columns that reach the model.
    pub feature_names: Vec<String>,
    /// Usable rows (with a target) the steps were fitted on.
    pub n_rows_in: usize,
    /// Rows out of the steps (fewer when a step removes outliers).
    pub n_rows: usize,
    /// The table row (1-based, as in the data preview) of each shown row.
    pub row_numbers: Vec<usize>,
    /// The first rows of the transformed table: numbers (`null` = missing), or
    /// text for a categorical column no step encoded.
    pub rows: Vec<Vec<Value>>,
    /// One entry per fitted step, in fitting order (branches first).
    pub steps: Vec<StepTrace>,
    pub target: Option<TargetInfo>,
    /// Present when the last top-level step is PCA, TruncatedSVD or LinearDiscriminantAnalysis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection: Option<Projection>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The first two components of a decomposition, for a scatter coloured by the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    pub step: &'static str,
    pub explained_variance_ratio: Vec<f64>,
    /// PCA and TruncatedSVD (LDA has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explained_variance: Option<Vec<f64>>,
    /// Names of the plotted output columns (one or two).
    pub axes: Vec<String>,
    /// Component 1 and 2 of each plotted row (component 2 is 0 when there is only one).
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// The target of each plotted row: the class index into `target.classes`
    /// (classification) or the value (regression); empty without a target.
    pub hue: Vec<f64>,
    /// Rows plotted / rows transformed (an evenly strided subset beyond [`MAX_POINTS`]).
    pub n_points: usize,
    pub n_rows: usize,
}

/// The steps with a projection (explained variance); as a last step, applied to the shown rows only.
const DECOMPOSITIONS: [&str; 3] = ["PCA", "TruncatedSVD", "LinearDiscriminantAnalysis"];

/// Fits the preprocessing and steps of `spec` on every usable row of `table`
/// and reports the transformed table's first `n_rows` rows.
///
/// A last top-level step that is a decomposition (PCA, TruncatedSVD, LDA: the steps with
/// explained variance whose `fit_transform` is their `transform`) is fitted on every row
/// but applied only to the rows the report shows (the first `n_rows` and the projection's
/// ≤ [`MAX_POINTS`]): each projected row is a sum over its own inputs, so these are the bits
/// the whole transform gives them, without projecting the other rows (100,000 × 20 → 10:
/// most of the rows' projection was never shown).
pub fn preview(table: &Table, spec: &PipelineSpec, n_rows: usize) -> Result<PreviewReport> {
    let prep = prepare(table, spec)?;
    let ctx = FitContext::new(spec.seed());
    let mut trace = Vec::new();
    let last = spec.steps.last().filter(|s| s.fit_transform_is_transform() && DECOMPOSITIONS.contains(&s.name()));
    let head = match last {
        Some(_) => PipelineSpec { steps: spec.steps[..spec.steps.len() - 1].to_vec(), ..spec.clone() },
        None => spec.clone(),
    };
    let Transformed { steps, frame, y, rows, .. } = fit_transformers(table, &head, &prep, &prep.rows, &ctx, Some(&mut trace), false)?;
    // `frame`: the output's first rows at least (all of them unless the last step was applied
    // to the shown rows only); `n_out`: the rows out of the steps.
    let (frame, n_out, projection) = match last {
        None => {
            let n = frame.n_rows;
            let projection = steps.last().and_then(|s| projection(s, &frame, &|i| i, n, y.as_ref()));
            (frame, n, projection)
        }
        Some(s) => {
            let k = spec.steps.len() - 1;
            let located = |e| in_step(table.origin.select(&rows).locate_error(e), "steps", k, s.name());
            let fitted = s.fit(&frame, y.as_ref(), &ctx).map_err(located)?;
            let n = frame.n_rows;
            let (out, projection) = if fitted.explained_variance().is_some() {
                // The rows shown: the first `n_rows` (the smallest, so first in `wanted`),
                // then the projection's strided rows.
                let mut wanted: Vec<usize> = (0..n_rows.min(n)).chain((0..n).step_by(stride(n))).collect();
                crate::sorting::sort_usize(&mut wanted);
                wanted.dedup();
                let out = fitted.transform(&frame.select_rows(&wanted)).map_err(located)?;
                let mut pos = vec![0; n];
                for (at, &r) in wanted.iter().enumerate() {
                    pos[r] = at;
                }
                let projection = projection(&fitted, &out, &|i| pos[i], n, y.as_ref());
                (out, projection)
            } else {
                let out = fitted.transform(&frame).map_err(located)?;
                let projection = projection(&fitted, &out, &|i| i, n, y.as_ref());
                (out, projection)
            };
            trace.push(StepTrace {
                branch: None,
                index: k,
                name: s.name(),
                n_features_in: frame.n_cols(),
                n_features_out: out.n_cols(),
                n_rows_in: n,
                n_rows_out: n,
            });
            (out, n, projection)
        }
    };
    let shown = n_rows.min(n_out);
    let out_rows = (0..shown).map(|i| frame.cols.iter().map(|c| cell(&c.data, i)).collect()).collect();
    let mut warnings = prep.warnings.clone();
    warnings.extend(ctx.take_warnings());
    Ok(PreviewReport {
        feature_names: frame.names(),
        n_rows_in: prep.rows.len(),
        n_rows: n_out,
        row_numbers: rows[..shown].iter().map(|&r| r + 1).collect(),
        rows: out_rows,
        steps: trace,
        target: prep.target_info,
        projection,
        warnings,
    })
}

/// The projection's stride: every row up to [`MAX_POINTS`], an evenly strided subset beyond.
fn stride(n: usize) -> usize {
    n.div_ceil(MAX_POINTS).max(1)
}

fn cell(d: &FData, i: usize) -> Value {
    match d {
        // A NaN has no JSON number: `from_f64` gives None, shown as missing.
        FData::Num(v) => serde_json::Number::from_f64(v[i]).map_or(Value::Null, Value::Number),
        FData::Cat(c) => c.get(i).map_or(Value::Null, |s| Value::String(s.to_string())),
    }
}

/// The scatter of `step`'s first two output columns over the `n` rows out of the steps,
/// strided by [`stride`]; row `i`'s outputs are at `pos(i)` in `frame`.
fn projection(step: &FittedStep, frame: &Frame, pos: &dyn Fn(usize) -> usize, n: usize, y: Option<&Target>) -> Option<Projection> {
    let ExplainedVariance { ratio: explained_variance_ratio, variance: explained_variance } = step.explained_variance()?;
    let num = |j: usize| match frame.cols.get(j).map(|c| &c.data) {
        Some(FData::Num(v)) => Some(v.as_slice()),
        _ => None,
    };
    let c0 = num(0)?;
    let c1 = num(1);
    let idx: Vec<usize> = (0..n).step_by(stride(n)).collect();
    let hue = match y {
        Some(Target::Classes { y, .. }) => idx.iter().map(|&i| y[i] as f64).collect(),
        Some(Target::Values(v)) => idx.iter().map(|&i| v[i]).collect(),
        None => Vec::new(),
    };
    Some(Projection {
        step: step.name(),
        explained_variance_ratio,
        explained_variance,
        axes: frame.cols.iter().take(2).map(|c| c.name.clone()).collect(),
        x: idx.iter().map(|&i| c0[pos(i)]).collect(),
        y: idx.iter().map(|&i| c1.map_or(0.0, |c| c[pos(i)])).collect(),
        hue,
        n_points: idx.len(),
        n_rows: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{read_csv, ReadOptions};

    fn table(csv: &str) -> Table {
        read_csv(csv.as_bytes(), &ReadOptions::default()).unwrap().0
    }

    #[test]
    fn preview_reports_names_rows_and_step_shapes() {
        let t = table("a,b,c,y\n1,x,10,0\n2,y,,1\n3,x,30,0\n100,y,40,1\n4,x,50,0\n5,y,60,1\n");
        let spec = PipelineSpec::from_json(
            r#"{"target":"y","preprocess":{"transformers":[
                {"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{}}]},
                {"name":"cat","columns":{"dtype":"categorical"},"steps":[{"OneHotEncoder":{}}]}]},
               "steps":[{"OutlierRemover":{"method":"iqr"}}],
               "model":{"LogisticRegression":{}}}"#,
        )
        .unwrap();
        let r = preview(&t, &spec, 3).unwrap();
        assert_eq!(r.feature_names, ["num__a", "num__c", "cat__b_x", "cat__b_y"]);
        assert_eq!(r.n_rows_in, 6);
        // a = 100 (row 4) is beyond Q3 + 1.5 IQR = 8.5: rows 1, 2, 3, 5, 6 are kept.
        assert_eq!(r.n_rows, 5);
        assert_eq!(r.row_numbers, [1, 2, 3]);
        // The imputed c of row 2 is the mean of 10, 30, 40, 50, 60.
        assert_eq!(r.rows[1], vec![Value::from(2.0), Value::from(38.0), Value::from(0.0), Value::from(1.0)]);
        let shapes: Vec<_> = r.steps.iter().map(|s| (s.branch.as_deref(), s.name, s.n_features_in, s.n_features_out, s.n_rows_in, s.n_rows_out)).collect();
        assert_eq!(shapes, [(Some("num"), "SimpleImputer", 2, 2, 6, 6), (Some("cat"), "OneHotEncoder", 1, 2, 6, 6), (None, "OutlierRemover", 4, 4, 6, 5),]);
        assert!(r.projection.is_none());
        assert!(r.warnings.iter().any(|w| w.contains("OutlierRemover dropped 1")), "{:?}", r.warnings);
    }

    /// The report of a last decomposition applied to the shown rows only is the one of the
    /// whole transform (the frame `fit_transformers` gives for every row), bit for bit.
    #[test]
    fn a_last_decomposition_previews_as_the_whole_transform() {
        let n = 12_345;
        let mut csv = String::from("a,b,c,d,y\n");
        for i in 0..n {
            let f = |k: usize| ((i * k + 7 * k) % 101) as f64 / 9.0 + (i % 13) as f64 * 0.37;
            csv.push_str(&format!("{},{},{},{},{}\n", f(3), f(5) + 1e3, f(11), f(17), i % 3));
        }
        let t = table(&csv);
        for steps in
            [r#"[{"PCA":{"n_components":3}}]"#, r#"[{"StandardScaler":{}},{"PCA":{"n_components":1,"whiten":true}}]"#, r#"[{"LinearDiscriminantAnalysis":{}}]"#]
        {
            let spec = PipelineSpec::from_json(&format!(r#"{{"target":"y","steps":{steps},"model":{{"LogisticRegression":{{}}}}}}"#)).unwrap();
            let r = preview(&t, &spec, 12).unwrap();
            let prep = prepare(&t, &spec).unwrap();
            let whole = fit_transformers(&t, &spec, &prep, &prep.rows, &FitContext::new(spec.seed()), None, false).unwrap();
            let f = &whole.frame;
            assert_eq!(r.n_rows, n);
            assert_eq!(r.feature_names, f.names());
            assert_eq!(r.steps.last().map(|s| (s.n_features_out, s.n_rows_out)), Some((f.n_cols(), n)), "{steps}");
            let want: Vec<Vec<Value>> = (0..12).map(|i| f.cols.iter().map(|c| cell(&c.data, i)).collect()).collect();
            assert_eq!(r.rows, want, "{steps}");
            let p = r.projection.unwrap();
            let col = |j: usize| f.cols.get(j).map(|c| c.numeric("t").unwrap().to_vec());
            let idx: Vec<usize> = (0..n).step_by(stride(n)).collect();
            assert_eq!((p.n_points, p.n_rows, idx.len()), (idx.len(), n, 4_115));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let c0 = col(0).unwrap();
            assert_eq!(bits(&p.x), bits(&idx.iter().map(|&i| c0[i]).collect::<Vec<_>>()), "{steps}");
            let c1 = col(1);
            assert_eq!(bits(&p.y), bits(&idx.iter().map(|&i| c1.as_ref().map_or(0.0, |c| c[i])).collect::<Vec<_>>()), "{steps}");
            assert_eq!(p.hue, idx.iter().map(|&i| (i % 3) as f64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn preview_shows_unencoded_text_and_projects_a_last_pca() {
        let t = table("a,b,y\n1,x,0\n2,y,1\n3,x,0\n5,y,1\n");
        let spec = PipelineSpec::from_json(
            r#"{"target":"y","preprocess":{"transformers":[{"name":"all","columns":{"names":["a","b"]}}]},"model":{"LogisticRegression":{}}}"#,
        )
        .unwrap();
        let r = preview(&t, &spec, 10).unwrap();
        assert_eq!(r.rows[0], vec![Value::from(1.0), Value::from("x")]);
        assert_eq!(r.rows.len(), 4);
        let spec = PipelineSpec::from_json(r#"{"target":"y","drop":["b"],"steps":[{"PCA":{"n_components":1}}],"model":{"LogisticRegression":{}}}"#).unwrap();
        let p = preview(&t, &spec, 2).unwrap().projection.unwrap();
        assert_eq!(p.step, "PCA");
        assert_eq!(p.explained_variance_ratio, vec![1.0]);
        assert_eq!(p.axes, ["pca0"]);
        assert_eq!(p.y, vec![0.0; 4]);
        assert_eq!(p.hue, vec![0.0, 1.0, 0.0, 1.0]);
        // Centred a: mean 2.75.
        assert!((p.x[0].abs() - 1.75).abs() < 1e-12, "{:?}", p.x);
    }
}
