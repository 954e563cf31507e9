//! [`Frame`]: what flows between pipeline steps — named columns, each numeric
//! (`f64`, NaN = missing) or categorical (dictionary-encoded). Column-major so
//! column-wise steps (imputers, scalers, encoders) stream over contiguous memory.
//! Models take the final all-numeric frame as a row-major `Array2<f64>`.

use ndarray::Array2;

use crate::data::{CatData, ColumnData, Nums, Table};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum FData {
    /// Shared with the table it came from until a step writes new cells ([`Nums`]).
    Num(Nums),
    Cat(CatData),
}

impl FData {
    pub fn len(&self) -> usize {
        match self {
            FData::Num(v) => v.len(),
            FData::Cat(c) => c.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FCol {
    pub name: String,
    pub data: FData,
}

impl FCol {
    pub fn num(name: impl Into<String>, v: Vec<f64>) -> FCol {
        FCol { name: name.into(), data: FData::Num(v.into()) }
    }
    /// The numeric cells, or an error naming the column and the step that needed numbers.
    pub fn numeric(&self, step: &str) -> Result<&[f64]> {
        match &self.data {
            FData::Num(v) => Ok(v),
            FData::Cat(_) => Err(Error::column(
                &self.name,
                format!("is categorical but {step} needs numbers; encode it first (OneHotEncoder or OrdinalEncoder) or select only numeric columns"),
            )),
        }
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub cols: Vec<FCol>,
    pub n_rows: usize,
}

impl Frame {
    pub fn new(cols: Vec<FCol>, n_rows: usize) -> Frame {
        debug_assert!(cols.iter().all(|c| c.data.len() == n_rows));
        Frame { cols, n_rows }
    }
    pub fn n_cols(&self) -> usize {
        self.cols.len()
    }
    pub fn names(&self) -> Vec<String> {
        self.cols.iter().map(|c| c.name.clone()).collect()
    }
    /// Columns of `table` by index, booleans becoming 0/1 numbers. The numbers are shared
    /// with the table, not copied ([`Nums`]).
    pub fn from_table(table: &Table, columns: &[usize]) -> Frame {
        let cols = columns
            .iter()
            .map(|&j| {
                let c = &table.columns[j];
                let data = match &c.data {
                    ColumnData::Numeric(v) => FData::Num(v.clone()),
                    ColumnData::Boolean { values, .. } => FData::Num(values.clone()),
                    ColumnData::Categorical(cat) => FData::Cat(cat.clone()),
                };
                FCol { name: c.name.clone(), data }
            })
            .collect();
        Frame { cols, n_rows: table.n_rows }
    }
    /// [`Frame::from_table`] of `table.select_rows(rows)`, gathered straight from `table`:
    /// one copy of the chosen columns instead of every column copied, then the chosen ones again.
    pub fn from_table_rows(table: &Table, columns: &[usize], rows: &[usize]) -> Frame {
        if crate::data::every_row(rows, table.n_rows) {
            return Frame::from_table(table, columns);
        }
        let gather = |v: &[f64]| rows.iter().map(|&r| v[r]).collect::<Nums>();
        let cols = columns
            .iter()
            .map(|&j| {
                let c = &table.columns[j];
                let data = match &c.data {
                    ColumnData::Numeric(v) => FData::Num(gather(v)),
                    ColumnData::Boolean { values, .. } => FData::Num(gather(values)),
                    ColumnData::Categorical(cat) => FData::Cat(cat.select(rows)),
                };
                FCol { name: c.name.clone(), data }
            })
            .collect();
        Frame { cols, n_rows: rows.len() }
    }
    /// [`Frame::from_table`] of every column of a table the caller owns: the data is moved.
    pub fn from_owned_table(table: Table) -> Frame {
        let n_rows = table.n_rows;
        let cols = table
            .columns
            .into_iter()
            .map(|c| {
                let data = match c.data {
                    ColumnData::Numeric(v) => FData::Num(v),
                    ColumnData::Boolean { values, .. } => FData::Num(values),
                    ColumnData::Categorical(cat) => FData::Cat(cat),
                };
                FCol { name: c.name, data }
            })
            .collect();
        Frame { cols, n_rows }
    }
    /// Every column must be numeric; checks for NaN/inf too (models need finite values).
    pub fn to_matrix(&self) -> Result<Array2<f64>> {
        self.to_matrix_with(false)
    }
    /// The matrix for a model; `allow_missing` lets NaN through (models that
    /// handle missing values natively: histogram gradient boosting). Infinite
    /// values are refused either way.
    pub fn to_matrix_with(&self, allow_missing: bool) -> Result<Array2<f64>> {
        matrix_of_columns_checked(self, &self.model_columns_unscanned(allow_missing)?, allow_missing)
    }
    /// The columns as a model takes them, with [`Frame::to_matrix_with`]'s checks (numeric,
    /// finite unless `allow_missing`, `n_rows` long) and errors, without the row-major copy.
    pub fn model_columns(&self, allow_missing: bool) -> Result<Vec<&[f64]>> {
        let n = self.n_rows;
        let mut cols = Vec::with_capacity(self.cols.len());
        for col in &self.cols {
            let v = col.numeric("the model")?;
            if let Some(i) = first_unusable(v, allow_missing) {
                let what = if v[i].is_nan() { "a missing value" } else { "an infinite value" };
                return Err(Error::column(&col.name, format!("has {what} at row {} when it reaches the model; add a SimpleImputer (or fix the data)", i + 1)));
            }
            if v.len() != n {
                return Err(Error::column(&col.name, format!("internal: holds {} values for {n} rows", v.len())));
            }
            cols.push(v);
        }
        Ok(cols)
    }
    /// [`Frame::model_columns`] without the finiteness scan, for a caller that checks the values
    /// in a pass it makes anyway ([`matrix_of_columns_checked`]) or that were checked before (the
    /// same frame). A numeric or length fault gives `model_columns`' error (the first in column order).
    pub fn model_columns_unscanned(&self, allow_missing: bool) -> Result<Vec<&[f64]>> {
        let n = self.n_rows;
        let mut cols = Vec::with_capacity(self.cols.len());
        for col in &self.cols {
            match &col.data {
                FData::Num(v) if v.len() == n => cols.push(v.as_slice()),
                _ => return self.model_columns(allow_missing),
            }
        }
        Ok(cols)
    }
    /// A frame from a row-major matrix with the given column names.
    pub fn from_matrix(x: &Array2<f64>, names: Vec<String>) -> Frame {
        let cols = names.into_iter().enumerate().map(|(j, name)| FCol::num(name, x.column(j).to_vec())).collect();
        Frame { cols, n_rows: x.nrows() }
    }
    pub fn select_rows(&self, rows: &[usize]) -> Frame {
        let cols = self
            .cols
            .iter()
            .map(|c| FCol {
                name: c.name.clone(),
                data: match &c.data {
                    FData::Num(v) => FData::Num(rows.iter().map(|&r| v[r]).collect()),
                    FData::Cat(cat) => FData::Cat(cat.select(rows)),
                },
            })
            .collect();
        Frame { cols, n_rows: rows.len() }
    }
}

/// The row-major `n × p` matrix of `n`-long columns (as [`Frame::model_columns`] gives them).
pub fn matrix_of_columns(cols: &[&[f64]], n: usize) -> Result<Array2<f64>> {
    Ok(transpose(cols, n, false, None)?.0)
}

/// The row-major matrix of the columns scaled as a fitted StandardScaler scales them,
/// `(x − mean[j]) / scale[j]` (the same operations, so the same values as the scaled frame's
/// [`matrix_of_columns`]), and whether some scaled value has an all-ones exponent (NaN or ±inf).
pub fn scaled_matrix_of_columns(cols: &[&[f64]], n: usize, mean: &[f64], scale: &[f64]) -> Result<(Array2<f64>, bool)> {
    if mean.len() != cols.len() || scale.len() != cols.len() {
        return Err(Error::data(format!("internal: {} columns for {} means and {} scales", cols.len(), mean.len(), scale.len())));
    }
    transpose(cols, n, true, Some((mean, scale)))
}

/// [`matrix_of_columns`] of [`Frame::model_columns_unscanned`]'s columns, with `model_columns`'
/// check done in the same pass: each block of a column is scanned while it is in L1 (one read of
/// the data instead of two). A value with an all-ones exponent (NaN or ±inf) has the frame
/// scanned by `model_columns`, so the error (or, with `allow_missing`, NaN let through) is its own.
pub fn matrix_of_columns_checked(frame: &Frame, cols: &[&[f64]], allow_missing: bool) -> Result<Array2<f64>> {
    let (x, suspect) = transpose(cols, frame.n_rows, true, None)?;
    if suspect {
        frame.model_columns(allow_missing)?;
    }
    Ok(x)
}

/// The transposition behind [`matrix_of_columns`]; with `scan`, also whether some value has an
/// all-ones exponent (NaN or ±inf); with `affine = (mean, scale)`, of `(x − mean[j]) / scale[j]`.
fn transpose(cols: &[&[f64]], n: usize, scan: bool, affine: Option<(&[f64], &[f64])>) -> Result<(Array2<f64>, bool)> {
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    let mut suspect = false;
    let p = cols.len();
    // Column-major → row-major in blocks of rows: a block is transposed into a
    // small buffer that stays in L1 (every column read sequentially), then
    // appended to the output — no zero-fill of the whole output first.
    const BLOCK: usize = 64;
    let mut out = Vec::with_capacity(n * p);
    if p > 0 {
        let mut tmp = vec![0.0; BLOCK * p];
        let mut buf = [0.0; BLOCK];
        let mut start = 0;
        while start < n {
            let end = (start + BLOCK).min(n);
            let t = &mut tmp[..(end - start) * p];
            for (j, col) in cols.iter().enumerate() {
                let vals = match affine {
                    Some((mean, scale)) => {
                        let (m, s) = (mean[j], scale[j]);
                        for (b, &x) in buf.iter_mut().zip(&col[start..end]) {
                            *b = (x - m) / s;
                        }
                        &buf[..end - start]
                    }
                    None => &col[start..end],
                };
                for (row, &x) in t.chunks_exact_mut(p).zip(vals) {
                    row[j] = x;
                }
                if scan {
                    let any = vals.iter().fold(0u8, |acc, &x| acc | u8::from(x.to_bits() & EXP == EXP));
                    suspect |= any != 0;
                }
            }
            out.extend_from_slice(t);
            start = end;
        }
    }
    let x = Array2::from_shape_vec((n, p), out).map_err(|e| Error::data(format!("internal: frame shape {n} × {p}: {e}")))?;
    Ok((x, suspect))
}

/// The first index of `v` holding a value a model cannot take (NaN unless
/// `allow_missing`, ±inf always), if any. The scan is a branch-free OR over
/// chunks (it vectorises); only a chunk that holds a bad value is searched.
pub(crate) fn first_unusable(v: &[f64], allow_missing: bool) -> Option<usize> {
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    let bad = |x: f64| {
        let b = x.to_bits();
        // Exponent all ones: ±inf (mantissa 0) or NaN (mantissa ≠ 0).
        (b & EXP == EXP) && !(allow_missing && x.is_nan())
    };
    const CHUNK: usize = 256;
    for (c, chunk) in v.chunks(CHUNK).enumerate() {
        let any = chunk.iter().fold(0u8, |acc, &x| acc | u8::from(x.to_bits() & EXP == EXP));
        if any != 0 {
            if let Some(i) = chunk.iter().position(|&x| bad(x)) {
                return Some(c * CHUNK + i);
            }
        }
    }
    None
}
