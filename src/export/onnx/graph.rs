//! A small graph builder: unique value names, nodes in topological order (each
//! node is added after its inputs exist), constants as initializers, and the
//! [`OFrame`] — the pipeline's named columns as ONNX values — that steps map.

use super::proto::{attribute_type as at, data_type as dt, AttributeProto, NodeProto, TensorProto};
use crate::{Error, Result};

/// The operator-set domain of the classic-ML operators.
pub const ML: &str = "ai.onnx.ml";

#[derive(Default)]
pub struct Graph {
    pub nodes: Vec<NodeProto>,
    pub initializers: Vec<TensorProto>,
    counter: usize,
    /// Whether any `ai.onnx.ml` operator was used (its opset is then imported).
    pub uses_ml: bool,
}

/// An attribute for [`Graph::op`].
pub enum Attr {
    I(i64),
    F(f32),
    S(String),
    Ints(Vec<i64>),
    Floats(Vec<f32>),
    Strings(Vec<String>),
    T(TensorProto),
}

fn attribute(name: &str, a: Attr) -> AttributeProto {
    let mut p = AttributeProto { name: name.into(), ..Default::default() };
    match a {
        Attr::I(i) => {
            p.i = i;
            p.r#type = at::INT;
        }
        Attr::F(f) => {
            p.f = f;
            p.r#type = at::FLOAT;
        }
        Attr::S(s) => {
            p.s = s.into_bytes();
            p.r#type = at::STRING;
        }
        Attr::Ints(v) => {
            p.ints = v;
            p.r#type = at::INTS;
        }
        Attr::Floats(v) => {
            p.floats = v;
            p.r#type = at::FLOATS;
        }
        Attr::Strings(v) => {
            p.strings = v.into_iter().map(String::into_bytes).collect();
            p.r#type = at::STRINGS;
        }
        Attr::T(t) => {
            p.t = Some(t);
            p.r#type = at::TENSOR;
        }
    }
    p
}

/// A double tensor (no name: for attributes).
pub fn tensor_f64(dims: &[usize], data: Vec<f64>) -> TensorProto {
    TensorProto { dims: dims.iter().map(|&d| d as i64).collect(), data_type: dt::DOUBLE, double_data: data, ..Default::default() }
}

impl Graph {
    /// A fresh value name starting with `hint`.
    pub fn fresh(&mut self, hint: &str) -> String {
        self.counter += 1;
        format!("{hint}_{}", self.counter)
    }

    /// Adds a node of the default domain with one output; returns the output's name.
    pub fn op(&mut self, op: &str, inputs: &[&str], attrs: Vec<(&str, Attr)>) -> String {
        self.op_n("", op, inputs, 1, attrs).remove(0)
    }

    /// Adds a node with `n_out` outputs in `domain`.
    pub fn op_n(&mut self, domain: &str, op: &str, inputs: &[&str], n_out: usize, attrs: Vec<(&str, Attr)>) -> Vec<String> {
        if domain == ML {
            self.uses_ml = true;
        }
        let outputs: Vec<String> = (0..n_out).map(|_| self.fresh(op)).collect();
        let name = self.fresh(&format!("node_{op}"));
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.clone(),
            name,
            op_type: op.into(),
            attribute: attrs.into_iter().map(|(n, a)| attribute(n, a)).collect(),
            domain: domain.into(),
            ..Default::default()
        });
        outputs
    }

    /// Adds a node whose single output gets the given (graph output) name.
    pub fn op_named(&mut self, op: &str, inputs: &[&str], attrs: Vec<(&str, Attr)>, output: &str) {
        let name = self.fresh(&format!("node_{op}"));
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.to_string()],
            name,
            op_type: op.into(),
            attribute: attrs.into_iter().map(|(n, a)| attribute(n, a)).collect(),
            ..Default::default()
        });
    }

    fn init(&mut self, hint: &str, mut t: TensorProto) -> String {
        let name = self.fresh(hint);
        t.name = name.clone();
        self.initializers.push(t);
        name
    }
    pub fn c_f64(&mut self, hint: &str, dims: &[usize], data: Vec<f64>) -> String {
        debug_assert_eq!(dims.iter().product::<usize>(), data.len());
        self.init(hint, tensor_f64(dims, data))
    }
    pub fn scalar_f64(&mut self, v: f64) -> String {
        self.c_f64("c", &[], vec![v])
    }
    pub fn c_i64(&mut self, hint: &str, dims: &[usize], data: Vec<i64>) -> String {
        self.init(hint, TensorProto { dims: dims.iter().map(|&d| d as i64).collect(), data_type: dt::INT64, int64_data: data, ..Default::default() })
    }
    pub fn c_str(&mut self, hint: &str, dims: &[usize], data: Vec<String>) -> String {
        self.init(
            hint,
            TensorProto {
                dims: dims.iter().map(|&d| d as i64).collect(),
                data_type: dt::STRING,
                string_data: data.into_iter().map(String::into_bytes).collect(),
                ..Default::default()
            },
        )
    }

    // ---- common idioms

    pub fn add(&mut self, a: &str, b: &str) -> String {
        self.op("Add", &[a, b], vec![])
    }
    pub fn sub(&mut self, a: &str, b: &str) -> String {
        self.op("Sub", &[a, b], vec![])
    }
    pub fn mul(&mut self, a: &str, b: &str) -> String {
        self.op("Mul", &[a, b], vec![])
    }
    pub fn div(&mut self, a: &str, b: &str) -> String {
        self.op("Div", &[a, b], vec![])
    }
    /// Bool → double (0/1).
    pub fn to_f64(&mut self, x: &str) -> String {
        self.op("Cast", &[x], vec![("to", Attr::I(dt::DOUBLE as i64))])
    }
    pub fn where_(&mut self, c: &str, a: &str, b: &str) -> String {
        self.op("Where", &[c, a, b], vec![])
    }
    pub fn concat(&mut self, parts: &[String], axis: i64) -> String {
        if parts.len() == 1 {
            return parts[0].clone();
        }
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        self.op("Concat", &refs, vec![("axis", Attr::I(axis))])
    }
    /// Columns `idx` of a matrix (axis 1).
    pub fn gather_cols(&mut self, m: &str, idx: &[usize]) -> String {
        let i = self.c_i64("idx", &[idx.len()], idx.iter().map(|&k| k as i64).collect());
        self.op("Gather", &[m, &i], vec![("axis", Attr::I(1))])
    }
    /// `ReduceSum` over axis 1, keeping it ([N, k] → [N, 1]).
    pub fn row_sum(&mut self, x: &str) -> String {
        let axes = self.c_i64("axes", &[1], vec![1]);
        self.op("ReduceSum", &[x, &axes], vec![("keepdims", Attr::I(1))])
    }
    pub fn reduce(&mut self, op: &str, x: &str, axis: i64, keepdims: bool) -> String {
        let axes = self.c_i64("axes", &[1], vec![axis]);
        self.op(op, &[x, &axes], vec![("keepdims", Attr::I(keepdims as i64))])
    }
    /// A double tensor of ones shaped like `like` ([N, 1]).
    pub fn ones_like(&mut self, like: &str) -> String {
        let shape = self.op("Shape", &[like], vec![]);
        self.op("ConstantOfShape", &[&shape], vec![("value", Attr::T(tensor_f64(&[1], vec![1.0])))])
    }
    /// `log1p` to full precision: `u = 1 + x; u == 1 ? x : log(u) · x / (u − 1)` (Goldberg).
    pub fn log1p(&mut self, x: &str) -> String {
        let one = self.scalar_f64(1.0);
        let u = self.add(&one, x);
        let is_one = self.op("Equal", &[&u, &one], vec![]);
        let lu = self.op("Log", &[&u], vec![]);
        let um1 = self.sub(&u, &one);
        let num = self.mul(&lu, x);
        let q = self.div(&num, &um1);
        self.where_(&is_one, x, &q)
    }
    /// `expm1` to full precision: `u = exp(x); u == 1 ? x : u − 1 == −1 ? −1 : (u − 1) · x / log(u)` (Kahan);
    /// an infinite `u` gives `u`.
    pub fn expm1(&mut self, x: &str) -> String {
        let one = self.scalar_f64(1.0);
        let m1 = self.scalar_f64(-1.0);
        let u = self.op("Exp", &[x], vec![]);
        let um1 = self.sub(&u, &one);
        let lu = self.op("Log", &[&u], vec![]);
        let num = self.mul(&um1, x);
        let q = self.div(&num, &lu);
        let inf = self.op("IsInf", &[&u], vec![]);
        let q = self.where_(&inf, &u, &q);
        let is_m1 = self.op("Equal", &[&um1, &m1], vec![]);
        let q = self.where_(&is_m1, &m1, &q);
        let is_one = self.op("Equal", &[&u, &one], vec![]);
        self.where_(&is_one, x, &q)
    }
}

/// A value holding one or more columns of the pipeline's frame.
#[derive(Debug, Clone)]
pub struct Block {
    /// `[N, width]` double, or `[N, 1]` string.
    pub value: String,
    pub width: usize,
    pub string: bool,
}

/// The frame between steps: named columns held in blocks.
#[derive(Debug, Clone, Default)]
pub struct OFrame {
    pub blocks: Vec<Block>,
    pub names: Vec<String>,
}

impl OFrame {
    pub fn numeric(value: String, names: Vec<String>) -> OFrame {
        OFrame { blocks: vec![Block { value, width: names.len(), string: false }], names }
    }
    pub fn n_cols(&self) -> usize {
        self.names.len()
    }
    pub fn extend(&mut self, other: OFrame) {
        self.blocks.extend(other.blocks);
        self.names.extend(other.names);
    }
    fn locate(&self, j: usize) -> (usize, usize) {
        let mut start = 0;
        for (b, blk) in self.blocks.iter().enumerate() {
            if j < start + blk.width {
                return (b, j - start);
            }
            start += blk.width;
        }
        (self.blocks.len(), 0)
    }
    /// Column `j` as an `[N, 1]` value, and whether it holds strings.
    pub fn column(&self, g: &mut Graph, j: usize) -> (String, bool) {
        let (b, k) = self.locate(j);
        let blk = &self.blocks[b];
        if blk.width == 1 {
            (blk.value.clone(), blk.string)
        } else {
            let v = blk.value.clone();
            (g.gather_cols(&v, &[k]), false)
        }
    }
    /// Every column as one `[N, p]` double matrix; a string column is an error naming it and `step`.
    pub fn matrix(&self, g: &mut Graph, step: &str) -> Result<String> {
        let mut start = 0;
        for blk in &self.blocks {
            if blk.string {
                return Err(Error::column(
                    &self.names[start],
                    format!("is categorical but {step} needs numbers; encode it first (OneHotEncoder or OrdinalEncoder)"),
                ));
            }
            start += blk.width;
        }
        let parts: Vec<String> = self.blocks.iter().map(|b| b.value.clone()).collect();
        if parts.is_empty() {
            return Err(Error::data(format!("{step}: no columns reach it")));
        }
        Ok(g.concat(&parts, 1))
    }
}
