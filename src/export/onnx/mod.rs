//! ONNX export of a fitted pipeline (issue 13): one graph that takes the raw input
//! columns and does the whole pipeline, runnable by any ONNX runtime.
//!
//! - Inputs: one per column of the model's schema, `[N, 1]`: `double` for numeric and
//!   boolean (0/1) columns, `string` for categorical ones (a missing cell is the
//!   empty string; a missing number is NaN), as skl2onnx does for a ColumnTransformer.
//! - Outputs (skl2onnx's names): classifiers `label` `[N]` (int64 when every class
//!   label is an integer, else string) and `probabilities` `[N, K]` double (no ZipMap),
//!   or `scores` (decision values) for the SVMs that have no probabilities;
//!   regressors `variable` `[N, 1]` double; KMeans `label` `[N]` int64 and `scores`
//!   `[N, K]` (the distance to each centre).
//! - Operators: `ai.onnx` opset 21 and `ai.onnx.ml` opset 5 (TreeEnsemble). Every
//!   value is double: no operator forces float32.
//!
//! Layout: `proto.rs` (the prost messages), `graph.rs` (the builder and the frame of
//! columns), `steps.rs` (one match arm per step), `models.rs` (one per model). A new
//! component adds its arm there; the registry's exhaustive enums make the compiler
//! point at the match when a component is added.

pub mod graph;
pub mod models;
pub mod proto;
pub mod steps;

use prost::Message;

use crate::data::ColumnType;
use crate::estimator::Task;
use crate::persist::ModelFile;
use crate::pipeline::ModelState;
use crate::{Error, Result};
use graph::{Attr, Block, Graph, OFrame, ML};
use models::ModelOut;
use proto::{
    data_type as dt, Dimension, GraphProto, ModelProto, OperatorSetIdProto, StringStringEntryProto, TensorShapeProto, TypeProto, TypeProtoTensor,
    ValueInfoProto,
};

pub const OPSET: i64 = 21;
pub const ML_OPSET: i64 = 5;
/// IR version 10 (ONNX 1.16), the one that goes with opset 21.
pub const IR_VERSION: i64 = 10;

/// The error for a component the graph cannot express.
pub fn refuse(component: &str, reason: &str) -> Error {
    Error::data(format!("{component} cannot be exported to ONNX: {reason}"))
}

fn value_info(name: &str, elem: i32, dims: &[Option<i64>]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| match d {
            Some(v) => Dimension { dim_value: Some(*v), dim_param: None },
            None => Dimension { dim_value: None, dim_param: Some("N".into()) },
        })
        .collect();
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto { tensor_type: Some(TypeProtoTensor { elem_type: elem, shape: Some(TensorShapeProto { dim }) }) }),
        doc_string: String::new(),
    }
}

/// Output names the graph reserves.
const RESERVED: [&str; 4] = ["label", "probabilities", "variable", "scores"];

/// The ONNX model (serialized `ModelProto`) computing `model`'s predictions.
pub fn to_onnx(model: &ModelFile) -> Result<Vec<u8>> {
    let p = &model.pipeline;
    let mut g = Graph::default();
    let mut inputs = Vec::new();
    let mut frame_cols: Vec<(String, bool)> = Vec::new();
    for s in &p.schema {
        if RESERVED.contains(&s.name.as_str()) || s.name.starts_with("pl:") {
            return Err(Error::column(&s.name, "has a name the ONNX graph reserves for its outputs; rename the column to export"));
        }
        let string = s.ty == ColumnType::Categorical;
        inputs.push(value_info(&s.name, if string { dt::STRING } else { dt::DOUBLE }, &[None, Some(1)]));
        frame_cols.push((s.name.clone(), string));
    }
    let column = |name: &str| -> Result<OFrame> {
        let (n, string) = frame_cols.iter().find(|(n, _)| n == name).ok_or_else(|| Error::column(name, "is not in the model's schema"))?;
        Ok(OFrame { blocks: vec![Block { value: n.clone(), width: 1, string: *string }], names: vec![n.clone()] })
    };
    // ColumnTransformer (or every schema column).
    let mut frame = OFrame::default();
    match &p.preprocess {
        None => {
            for s in &p.schema {
                frame.extend(column(&s.name)?);
            }
        }
        Some(ct) => {
            for b in &ct.branches {
                let mut f = OFrame::default();
                for c in &b.columns {
                    f.extend(column(c)?);
                }
                for s in &b.steps {
                    f = steps::emit_step(&mut g, s, f).map_err(|e| in_branch(e, &b.name))?;
                }
                f.names = f.names.iter().map(|n| format!("{}__{n}", b.name)).collect();
                frame.extend(f);
            }
            for c in &ct.remainder {
                let mut f = column(c)?;
                f.names = vec![format!("remainder__{c}")];
                frame.extend(f);
            }
        }
    }
    for s in &p.steps {
        frame = steps::emit_step(&mut g, s, frame)?;
    }
    let n_feat = frame.n_cols();
    let x = frame.matrix(&mut g, "the model")?;
    let is_classifier = p.task() == Task::Classification;
    let out = match &p.model {
        ModelState::Fitted(m) => models::emit_model(&mut g, m, &x, n_feat)?,
        ModelState::SingleClass(k) => {
            let k_classes = p.target.as_ref().map_or(1, |t| t.classes.len()).max(1);
            // Every row: class k with probability 1.
            let zero = g.scalar_f64(0.0);
            let first = g.gather_cols(&x, &[0]);
            let zcol = g.mul(&first, &zero);
            let nan = g.op("IsNaN", &[&zcol], vec![]);
            let zcol = g.where_(&nan, &zero, &zcol);
            let mut row = vec![0.0; k_classes];
            row[(*k).min(k_classes - 1)] = 1.0;
            let row = g.c_f64("single_class", &[1, k_classes], row);
            let proba = g.add(&zcol, &row);
            let index = g.op("ArgMax", &[&proba], vec![("axis", Attr::I(1)), ("keepdims", Attr::I(0))]);
            ModelOut::Classes { index, proba: Some(proba), scores: None }
        }
    };
    let mut outputs = Vec::new();
    match out {
        ModelOut::Classes { index, proba, scores } => {
            if !is_classifier {
                return Err(Error::data("internal: a classifier's output for a non-classification target"));
            }
            let classes = p.target.as_ref().map(|t| t.classes.clone()).unwrap_or_default();
            let ints: Option<Vec<i64>> = classes.iter().map(|c| c.parse::<i64>().ok()).collect();
            let (table, elem) = match ints {
                Some(v) => (g.c_i64("classes", &[v.len()], v), dt::INT64),
                None => (g.c_str("classes", &[classes.len()], classes.clone()), dt::STRING),
            };
            g.op_named("Gather", &[&table, &index], vec![("axis", Attr::I(0))], "label");
            outputs.push(value_info("label", elem, &[None]));
            if let Some(pr) = proba {
                g.op_named("Identity", &[&pr], vec![], "probabilities");
                outputs.push(value_info("probabilities", dt::DOUBLE, &[None, Some(classes.len() as i64)]));
            }
            if let Some(sc) = scores {
                g.op_named("Identity", &[&sc], vec![], "scores");
                outputs.push(value_info("scores", dt::DOUBLE, &[None, None]));
            }
        }
        ModelOut::Values(v) => {
            g.op_named("Identity", &[&v], vec![], "variable");
            outputs.push(value_info("variable", dt::DOUBLE, &[None, Some(1)]));
        }
        ModelOut::Clusters { index, distances } => {
            g.op_named("Identity", &[&index], vec![], "label");
            outputs.push(value_info("label", dt::INT64, &[None]));
            g.op_named("Identity", &[&distances], vec![], "scores");
            outputs.push(value_info("scores", dt::DOUBLE, &[None, None]));
        }
    }
    let mut opset_import = vec![OperatorSetIdProto { domain: String::new(), version: OPSET }];
    if g.uses_ml {
        opset_import.push(OperatorSetIdProto { domain: ML.into(), version: ML_OPSET });
    }
    let model_name = match &p.model {
        ModelState::Fitted(m) => m.name(),
        ModelState::SingleClass(_) => "single class",
    };
    let proto = ModelProto {
        ir_version: IR_VERSION,
        producer_name: "pipelab".into(),
        producer_version: model.crate_version.clone(),
        domain: String::new(),
        model_version: 1,
        doc_string: format!("pipelab pipeline ending in {model_name}"),
        graph: Some(GraphProto {
            node: g.nodes,
            name: "pipelab".into(),
            initializer: g.initializers,
            doc_string: String::new(),
            input: inputs,
            output: outputs,
        }),
        opset_import,
        metadata_props: vec![StringStringEntryProto { key: "pipelab_format_version".into(), value: model.format_version.to_string() }],
    };
    Ok(proto.encode_to_vec())
}

fn in_branch(e: Error, branch: &str) -> Error {
    match e {
        Error::Data(m) => Error::Data(format!("preprocess branch '{branch}': {m}")),
        other => other,
    }
}
