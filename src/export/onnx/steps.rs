//! Emitters of the transformer steps: each maps the [`OFrame`] a fitted step
//! receives to the frame it returns, with standard `ai.onnx` operators in double.

use super::graph::{Graph, OFrame};
use super::refuse;
use crate::features::binning::Encode;
use crate::features::function::SafeFunc;
use crate::pipeline::FittedStep;
use crate::preprocess::encoders::{CategoryKeys, OrdinalHandleUnknown};
use crate::preprocess::imputer::Fill;
use crate::preprocess::onehot::HandleUnknown;
use crate::preprocess::scalers::Norm;
use crate::{Error, Result};

/// Emits one fitted step.
pub fn emit_step(g: &mut Graph, step: &FittedStep, x: OFrame) -> Result<OFrame> {
    let name = step.name();
    if let Some(n) = input_names(step) {
        if n.len() != x.n_cols() {
            return Err(Error::data(format!("{name} was fitted on {} columns but {} reach it in the graph", n.len(), x.n_cols())));
        }
    }
    match step {
        FittedStep::SimpleImputer(s) => {
            let mut out = OFrame::default();
            for (j, fill) in s.fills.iter().enumerate() {
                let (col, is_str) = x.column(g, j);
                let missing = missing_mask(g, &col, is_str);
                let filled = match (fill, is_str) {
                    (Fill::Drop, _) => continue,
                    (Fill::Num(f), false) => {
                        let c = g.c_f64("fill", &[1, 1], vec![*f]);
                        g.where_(&missing, &c, &col)
                    }
                    (Fill::Text(t), true) => {
                        let c = g.c_str("fill", &[1, 1], vec![t.clone()]);
                        g.where_(&missing, &c, &col)
                    }
                    _ => return Err(Error::column(&x.names[j], "changed type since SimpleImputer was fitted")),
                };
                push_col(&mut out, filled, x.names[j].clone(), is_str);
            }
            // Missing indicators follow, in `indicator_cols` order as SimpleImputer::transform writes them.
            for &j in &s.indicator_cols {
                let (col, is_str) = x.column(g, j);
                let missing = missing_mask(g, &col, is_str);
                let v = g.to_f64(&missing);
                push_col(&mut out, v, format!("missingindicator_{}", x.names[j]), false);
            }
            Ok(out)
        }
        FittedStep::StandardScaler(s) => affine(g, &x, name, Some(&s.mean), Some(&s.scale)),
        FittedStep::RobustScaler(s) => affine(g, &x, name, Some(&s.center), Some(&s.scale)),
        FittedStep::MaxAbsScaler(s) => affine(g, &x, name, None, Some(&s.scale)),
        FittedStep::MinMaxScaler(s) => {
            let m = x.matrix(g, name)?;
            let p = x.n_cols();
            let sc = g.c_f64("scale", &[1, p], s.scale.clone());
            let mn = g.c_f64("min", &[1, p], s.min.clone());
            let t = g.mul(&m, &sc);
            let mut t = g.add(&t, &mn);
            if s.clip {
                let lo = g.scalar_f64(s.feature_range[0]);
                let hi = g.scalar_f64(s.feature_range[1]);
                let c = g.op("Max", &[&t, &lo], vec![]);
                let c = g.op("Min", &[&c, &hi], vec![]);
                let nan = g.op("IsNaN", &[&t], vec![]);
                t = g.where_(&nan, &t, &c);
            }
            Ok(OFrame::numeric(t, x.names.clone()))
        }
        FittedStep::Normalizer(s) => {
            let m = x.matrix(g, name)?;
            let a = g.op("Abs", &[&m], vec![]);
            let n = match s.norm {
                Norm::L1 => g.row_sum(&a),
                Norm::L2 => {
                    let sq = g.mul(&m, &m);
                    let ss = g.row_sum(&sq);
                    g.op("Sqrt", &[&ss], vec![])
                }
                Norm::Max => g.reduce("ReduceMax", &a, 1, true),
            };
            // handle_zero_scale: a norm below 10·eps divides by 1.
            let tiny = g.scalar_f64(10.0 * f64::EPSILON);
            let one = g.scalar_f64(1.0);
            let small = g.op("Less", &[&n, &tiny], vec![]);
            let n = g.where_(&small, &one, &n);
            Ok(OFrame::numeric(g.div(&m, &n), x.names.clone()))
        }
        FittedStep::PowerTransformer(s) => {
            let m = x.matrix(g, name)?;
            let p = x.n_cols();
            let eps = f64::EPSILON;
            // x >= 0: |λ| < eps ? log1p(x) : expm1(λ·log1p(x)) / λ
            let lp = g.log1p(&m);
            let safe_lam = g.c_f64("lambda", &[1, p], s.lambdas.iter().map(|&l| if l.abs() < eps { 1.0 } else { l }).collect());
            let t = g.mul(&safe_lam, &lp);
            let e = g.expm1(&t);
            let pos_general = g.div(&e, &safe_lam);
            let is_l0 = bool_const(g, s.lambdas.iter().map(|&l| l.abs() < eps).collect());
            let pos = g.where_(&is_l0, &lp, &pos_general);
            // x < 0: |λ − 2| > eps ? −expm1((2 − λ)·log1p(−x)) / (2 − λ) : −log1p(−x)
            let neg_x = g.op("Neg", &[&m], vec![]);
            let lpn = g.log1p(&neg_x);
            let two_minus = g.c_f64("two_minus_lambda", &[1, p], s.lambdas.iter().map(|&l| if (l - 2.0).abs() > eps { 2.0 - l } else { 1.0 }).collect());
            let t2 = g.mul(&two_minus, &lpn);
            let e2 = g.expm1(&t2);
            let q2 = g.div(&e2, &two_minus);
            let neg_general = g.op("Neg", &[&q2], vec![]);
            let neg_two = g.op("Neg", &[&lpn], vec![]);
            let is_l2 = bool_const(g, s.lambdas.iter().map(|&l| (l - 2.0).abs() <= eps).collect());
            let neg = g.where_(&is_l2, &neg_two, &neg_general);
            let zero = g.scalar_f64(0.0);
            let ge0 = g.op("GreaterOrEqual", &[&m, &zero], vec![]);
            let mut out = g.where_(&ge0, &pos, &neg);
            if !s.mean.is_empty() {
                let mean = g.c_f64("mean", &[1, p], s.mean.clone());
                let sc = g.c_f64("scale", &[1, p], s.scale.clone());
                out = g.sub(&out, &mean);
                out = g.div(&out, &sc);
            }
            Ok(OFrame::numeric(out, x.names.clone()))
        }
        FittedStep::OneHotEncoder(s) => {
            let mut out = OFrame::default();
            for (j, cats) in s.columns.iter().enumerate() {
                let (col, is_str) = x.column(g, j);
                let f = category_indicators(g, &col, is_str, &cats.categories, cats.has_missing);
                let out_index = cats.output_index();
                let labels = cats.output_labels();
                let kept: Vec<usize> = (0..labels.len()).filter(|&k| cats.dropped != Some(k)).collect();
                let c = cats.categories.len();
                let mut mat = vec![0.0; c * kept.len()];
                for (k, &o) in out_index.iter().enumerate() {
                    if let Some(pos) = kept.iter().position(|&q| q == o) {
                        mat[k * kept.len() + pos] = 1.0;
                    }
                }
                if kept.is_empty() {
                    continue;
                }
                let mm = g.c_f64("onehot", &[c, kept.len()], mat);
                let mut o = g.op("MatMul", &[&f, &mm], vec![]);
                if s.handle_unknown == HandleUnknown::InfrequentIfExist && !cats.infrequent.is_empty() {
                    if let Some(pos) = kept.iter().position(|&q| q == labels.len() - 1) {
                        let known = g.row_sum(&f);
                        let one = g.scalar_f64(1.0);
                        let unknown = g.sub(&one, &known);
                        let mut e = vec![0.0; kept.len()];
                        e[pos] = 1.0;
                        let e = g.c_f64("infrequent", &[1, kept.len()], e);
                        let add = g.mul(&unknown, &e);
                        o = g.add(&o, &add);
                    }
                }
                out.extend(OFrame::numeric(o, kept.iter().map(|&k| format!("{}_{}", cats.name, labels[k])).collect()));
            }
            Ok(out)
        }
        FittedStep::OrdinalEncoder(s) => {
            let mut out = OFrame::default();
            for (j, oc) in s.columns.iter().enumerate() {
                let (col, is_str) = x.column(g, j);
                let (cats, numeric): (Vec<String>, bool) = match &oc.categories {
                    CategoryKeys::Text(v) => (v.clone(), false),
                    CategoryKeys::Num(v) => (v.iter().map(|&c| crate::data::format_number(c)).collect(), true),
                };
                if numeric == is_str {
                    return Err(Error::column(&x.names[j], "changed type (numeric/categorical) since OrdinalEncoder was fitted"));
                }
                let f = category_indicators(g, &col, is_str, &cats, false);
                let codes = oc.codes();
                let cm = g.c_f64("codes", &[codes.len(), 1], codes);
                let code = g.op("MatMul", &[&f, &cm], vec![]);
                let known = g.row_sum(&f);
                let half = g.scalar_f64(0.5);
                let known = g.op("Greater", &[&known, &half], vec![]);
                // Where pipelab refuses (handle_unknown="error"), the graph writes NaN.
                let unk = match (s.handle_unknown, s.unknown_value) {
                    (OrdinalHandleUnknown::UseEncodedValue, Some(u)) => u,
                    _ => f64::NAN,
                };
                let unk_c = g.scalar_f64(unk);
                let v = g.where_(&known, &code, &unk_c);
                let missing = missing_mask(g, &col, is_str);
                let miss_c = g.scalar_f64(if oc.has_missing { s.encoded_missing_value } else { unk });
                let v = g.where_(&missing, &miss_c, &v);
                push_col(&mut out, v, x.names[j].clone(), false);
            }
            Ok(out)
        }
        FittedStep::PolynomialFeatures(s) => {
            let mut cols: Vec<String> = Vec::with_capacity(s.combinations.len());
            let inputs: Vec<String> = (0..x.n_cols())
                .map(|j| {
                    let (c, is_str) = x.column(g, j);
                    if is_str {
                        Err(Error::column(&x.names[j], "is categorical but PolynomialFeatures needs numbers; encode it first"))
                    } else {
                        Ok(c)
                    }
                })
                .collect::<Result<_>>()?;
            let mut index: std::collections::HashMap<&[usize], usize> = std::collections::HashMap::new();
            for comb in &s.combinations {
                let v = match comb.split_last() {
                    None => match inputs.first() {
                        Some(first) => g.ones_like(first),
                        None => return Err(Error::data("PolynomialFeatures: no input columns")),
                    },
                    Some((&last, [])) => inputs[last].clone(),
                    Some((&last, prefix)) => match index.get(prefix) {
                        Some(&k) => {
                            let p = cols[k].clone();
                            g.mul(&p, &inputs[last])
                        }
                        None => {
                            // ((1·a)·b)… as the product pipelab computes; 1·a == a exactly.
                            let mut acc = inputs[comb[0]].clone();
                            for &jj in &comb[1..] {
                                acc = g.mul(&acc, &inputs[jj]);
                            }
                            acc
                        }
                    },
                };
                index.insert(comb.as_slice(), cols.len());
                cols.push(v);
            }
            let names = (0..cols.len()).map(|k| format!("poly{k}")).collect();
            Ok(OFrame::numeric(g.concat(&cols, 1), names))
        }
        FittedStep::KBinsDiscretizer(s) => {
            let mut out = OFrame::default();
            for j in 0..x.n_cols() {
                let (col, is_str) = x.column(g, j);
                if is_str {
                    return Err(Error::column(&x.names[j], "is categorical but KBinsDiscretizer needs numbers"));
                }
                let edges = &s.bin_edges[j];
                let inner: Vec<f64> = edges[1..edges.len() - 1].to_vec();
                // searchsorted(side="right"): the number of inner edges <= x.
                let bins = if inner.is_empty() {
                    let z = g.scalar_f64(0.0);
                    g.mul(&col, &z)
                } else {
                    let e = g.c_f64("edges", &[1, inner.len()], inner);
                    let le = g.op("LessOrEqual", &[&e, &col], vec![]);
                    let le = g.to_f64(&le);
                    g.row_sum(&le)
                };
                match s.encode {
                    Encode::Ordinal => push_col(&mut out, bins, x.names[j].clone(), false),
                    Encode::Onehot | Encode::OnehotDense => {
                        let nb = s.n_bins[j];
                        let ks = g.c_f64("bins", &[1, nb], (0..nb).map(|k| k as f64).collect());
                        let eq = g.op("Equal", &[&bins, &ks], vec![]);
                        let oh = g.to_f64(&eq);
                        out.extend(OFrame::numeric(oh, (0..nb).map(|k| format!("{}_{k}.0", x.names[j])).collect()));
                    }
                }
            }
            Ok(out)
        }
        FittedStep::FunctionTransformer(s) => {
            let Some(f) = s.func else { return Ok(x) };
            let m = x.matrix(g, name)?;
            let v = match f {
                SafeFunc::Log1p => g.log1p(&m),
                SafeFunc::Sqrt => g.op("Sqrt", &[&m], vec![]),
                SafeFunc::Square => g.mul(&m, &m),
                SafeFunc::Log => g.op("Log", &[&m], vec![]),
                SafeFunc::Exp => g.op("Exp", &[&m], vec![]),
                SafeFunc::Abs => g.op("Abs", &[&m], vec![]),
                SafeFunc::Reciprocal => {
                    let one = g.scalar_f64(1.0);
                    g.div(&one, &m)
                }
            };
            Ok(OFrame::numeric(v, x.names.clone()))
        }
        FittedStep::VarianceThreshold(s) => select(g, &x, &s.keep),
        FittedStep::SelectKBest(s) | FittedStep::SelectPercentile(s) => select(g, &x, &s.keep),
        FittedStep::SelectFromModel(s) => select(g, &x, &s.keep),
        FittedStep::CorrelationFilter(s) => select(g, &x, &s.keep),
        FittedStep::PCA(s) => {
            let scale: Option<Vec<f64>> = s.whiten.then(|| s.explained_variance.iter().map(|v| v.sqrt().max(f64::EPSILON)).collect());
            project(g, &x, name, Some(&s.mean), &s.components, scale, "pca")
        }
        FittedStep::TruncatedSVD(s) => project(g, &x, name, None, &s.components, None, "truncatedsvd"),
        FittedStep::LinearDiscriminantAnalysis(s) => project(g, &x, name, Some(&s.center), &s.scalings, None, "lineardiscriminantanalysis"),
        // Drops training rows only; at prediction it passes every row through unchanged,
        // so it is left out of the graph by design.
        FittedStep::OutlierRemover(_) => Ok(x),
        FittedStep::KNNImputer(_) => {
            Err(refuse("KNNImputer", "its neighbour search over the stored training rows with missing-aware distances has no ONNX operator (not implemented)"))
        }
        FittedStep::TargetEncoder(s) => {
            // The prediction-time lookup (`transform`; the cross-fitted encodings are for training rows only):
            // each category's encoding, an unseen category the target mean.
            let mut out = OFrame::default();
            let n_out = s.target_mean.len();
            for (j, tc) in s.columns.iter().enumerate() {
                let (col, is_str) = x.column(g, j);
                let mut cats: Vec<String> = match &tc.categories {
                    CategoryKeys::Text(v) if is_str => v.clone(),
                    CategoryKeys::Num(v) if !is_str => v.iter().map(|&c| crate::data::format_number(c)).collect(),
                    _ => return Err(Error::column(&x.names[j], "changed kind (text / numbers) since TargetEncoder was fitted")),
                };
                if tc.has_missing {
                    cats.push(String::new());
                }
                let c = cats.len();
                if tc.encodings.len() != n_out || tc.encodings.iter().any(|e| e.len() != c) {
                    return Err(Error::data(format!("TargetEncoder: the encodings of column '{}' do not match its categories", tc.name)));
                }
                let f = category_indicators(g, &col, is_str, &cats, tc.has_missing);
                let mut w = vec![0.0; c * n_out];
                for (k, enc) in tc.encodings.iter().enumerate() {
                    for (q, &v) in enc.iter().enumerate() {
                        w[q * n_out + k] = v;
                    }
                }
                let w = g.c_f64("encodings", &[c, n_out], w);
                let known = g.op("MatMul", &[&f, &w], vec![]);
                let seen = g.row_sum(&f);
                let half = g.scalar_f64(0.5);
                let seen = g.op("Greater", &[&seen, &half], vec![]);
                let mean = g.c_f64("target_mean", &[1, n_out], s.target_mean.clone());
                let v = g.where_(&seen, &known, &mean);
                let names = if n_out > 1 { (0..n_out).map(|k| format!("{}_{k}", tc.name)).collect() } else { vec![x.names[j].clone()] };
                out.extend(OFrame::numeric(v, names));
            }
            Ok(out)
        }
    }
}

fn input_names(step: &FittedStep) -> Option<&[String]> {
    match step {
        FittedStep::SimpleImputer(s) => Some(&s.input_names),
        FittedStep::OneHotEncoder(s) => Some(&s.input_names),
        FittedStep::StandardScaler(s) => Some(&s.input_names),
        FittedStep::OrdinalEncoder(s) => Some(&s.input_names),
        FittedStep::MinMaxScaler(s) => Some(&s.input_names),
        FittedStep::RobustScaler(s) => Some(&s.input_names),
        FittedStep::MaxAbsScaler(s) => Some(&s.input_names),
        FittedStep::PowerTransformer(s) => Some(&s.input_names),
        FittedStep::PolynomialFeatures(s) => Some(&s.input_names),
        FittedStep::KBinsDiscretizer(s) => Some(&s.input_names),
        _ => None,
    }
}

fn push_col(out: &mut OFrame, value: String, name: String, string: bool) {
    out.blocks.push(super::graph::Block { value, width: 1, string });
    out.names.push(name);
}

/// A `[1, p]` bool constant (built from doubles: bool initializers need int32_data).
fn bool_const(g: &mut Graph, v: Vec<bool>) -> String {
    let p = v.len();
    let c = g.c_f64("mask", &[1, p], v.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect());
    let half = g.scalar_f64(0.5);
    g.op("Greater", &[&c, &half], vec![])
}

/// Missing cells of an `[N, 1]` column: NaN, or the empty string for text.
pub fn missing_mask(g: &mut Graph, col: &str, is_str: bool) -> String {
    if is_str {
        let e = g.c_str("empty", &[1, 1], vec![String::new()]);
        g.op("Equal", &[col, &e], vec![])
    } else {
        g.op("IsNaN", &[col], vec![])
    }
}

/// `[N, C]` double 0/1: which category each row holds. Text columns compare strings (the
/// missing category, last when `has_missing`, is the empty string); numeric columns
/// compare the categories' numbers (the missing one by IsNaN).
fn category_indicators(g: &mut Graph, col: &str, is_str: bool, cats: &[String], has_missing: bool) -> String {
    let c = cats.len();
    if is_str {
        let keys: Vec<String> = cats.iter().enumerate().map(|(k, s)| if has_missing && k == c - 1 { String::new() } else { s.clone() }).collect();
        let kc = g.c_str("categories", &[1, c], keys);
        let eq = g.op("Equal", &[col, &kc], vec![]);
        g.to_f64(&eq)
    } else {
        let keys: Vec<f64> = cats.iter().enumerate().map(|(k, s)| if has_missing && k == c - 1 { f64::NAN } else { s.parse().unwrap_or(f64::NAN) }).collect();
        let kc = g.c_f64("categories", &[1, c], keys);
        let eq = g.op("Equal", &[col, &kc], vec![]);
        let mut f = g.to_f64(&eq);
        if has_missing {
            let nan = g.op("IsNaN", &[col], vec![]);
            let nan = g.to_f64(&nan);
            let mut e = vec![0.0; c];
            e[c - 1] = 1.0;
            let e = g.c_f64("missing", &[1, c], e);
            let add = g.mul(&nan, &e);
            f = g.add(&f, &add);
        }
        f
    }
}

/// `(x − center) / scale` on the whole matrix (either part optional).
fn affine(g: &mut Graph, x: &OFrame, step: &str, center: Option<&[f64]>, scale: Option<&[f64]>) -> Result<OFrame> {
    let mut m = x.matrix(g, step)?;
    let p = x.n_cols();
    if let Some(c) = center {
        let c = g.c_f64("center", &[1, p], c.to_vec());
        m = g.sub(&m, &c);
    }
    if let Some(s) = scale {
        let s = g.c_f64("scale", &[1, p], s.to_vec());
        m = g.div(&m, &s);
    }
    Ok(OFrame::numeric(m, x.names.clone()))
}

fn select(g: &mut Graph, x: &OFrame, keep: &[usize]) -> Result<OFrame> {
    if let Some(&j) = keep.iter().find(|&&j| j >= x.n_cols()) {
        return Err(Error::data(format!("a selection step keeps column {j} of {}", x.n_cols())));
    }
    let mut out = OFrame::default();
    for &j in keep {
        let (c, s) = x.column(g, j);
        push_col(&mut out, c, x.names[j].clone(), s);
    }
    Ok(out)
}

/// `(x − center) · dirsᵀ [/ scale]`.
fn project(g: &mut Graph, x: &OFrame, step: &str, center: Option<&[f64]>, dirs: &[Vec<f64>], scale: Option<Vec<f64>>, prefix: &str) -> Result<OFrame> {
    let p = x.n_cols();
    let k = dirs.len();
    if dirs.iter().any(|d| d.len() != p) {
        return Err(Error::data(format!("{step}: the fitted weights do not match the {p} input columns")));
    }
    let mut m = x.matrix(g, step)?;
    if let Some(c) = center {
        let c = g.c_f64("center", &[1, p], c.to_vec());
        m = g.sub(&m, &c);
    }
    let mut w = vec![0.0; p * k];
    for (c, d) in dirs.iter().enumerate() {
        for (j, &v) in d.iter().enumerate() {
            w[j * k + c] = v;
        }
    }
    let w = g.c_f64("components", &[p, k], w);
    let mut o = g.op("MatMul", &[&m, &w], vec![]);
    if let Some(s) = scale {
        let s = g.c_f64("scale", &[1, k], s);
        o = g.div(&o, &s);
    }
    Ok(OFrame::numeric(o, (0..k).map(|c| format!("{prefix}{c}")).collect()))
}
