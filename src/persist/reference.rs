//! The training reference a model file carries for drift detection: per input
//! column its type, missing count and distribution, and the distribution of the
//! cross-validation's out-of-fold predictions. Only per-column distributions are
//! kept, never rows.
//!
//! Numeric distributions are exact (sorted distinct values with counts) when a
//! column has at most [`MAX_EXACT_DISTINCT`] distinct values; otherwise they are
//! [`N_QUANTILES`] quantile intervals (1,001 cut points at probabilities i/1000,
//! numpy's linear interpolation) plus the exact count, mean and standard deviation.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::data::{ColumnData, ColumnType, Table};
use crate::pipeline::FittedPipeline;
use crate::{Error, Result};

pub const MAX_EXACT_DISTINCT: usize = 1000;
pub const N_QUANTILES: usize = 1000;

/// A distribution of one column (or of the predictions).
///
/// In the model file (format 2) exact values are `values_f64`: the values' little-endian
/// IEEE-754 bytes in base64 (no float formatting or parsing; 10.7 characters a value
/// instead of up to 24), and `counts` is left out when every count is 1 (a column of
/// distinct values, as every column of a small table). Format 1's `values` array is still
/// read. See [`DistributionRepr`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "DistributionRepr")]
pub enum Distribution {
    /// Every distinct finite value (ascending) with its count.
    Values { values: Vec<f64>, counts: Vec<u64> },
    /// `quantiles[i]` is the quantile at probability i / (len − 1); `n` values in all.
    Quantiles { n: u64, mean: f64, std: f64, quantiles: Vec<f64> },
    /// Category counts (category text as in the file; booleans by their spelling).
    Categories { categories: Vec<String>, counts: Vec<u64> },
}

impl Distribution {
    /// Number of non-missing values described.
    pub fn n(&self) -> u64 {
        match self {
            Distribution::Values { counts, .. } | Distribution::Categories { counts, .. } => counts.iter().fold(0u64, |a, &c| a.saturating_add(c)),
            Distribution::Quantiles { n, .. } => *n,
        }
    }

    /// Distinct values (an upper bound of `N_QUANTILES + 1` … for quantiles: more than the exact limit).
    pub fn n_distinct(&self) -> usize {
        match self {
            Distribution::Values { values, .. } => values.len(),
            Distribution::Categories { categories, .. } => categories.len(),
            Distribution::Quantiles { .. } => MAX_EXACT_DISTINCT + 1,
        }
    }

    /// The distribution of numbers (NaN and infinities are missing and skipped).
    pub fn numeric(values: &[f64]) -> Distribution {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        crate::sorting::sort_f64(&mut v);
        let mut distinct: Vec<f64> = Vec::new();
        let mut counts: Vec<u64> = Vec::new();
        for &x in &v {
            match distinct.last() {
                Some(&l) if l == x => *counts.last_mut().expect("a count exists for every distinct value") += 1,
                _ => {
                    if distinct.len() == MAX_EXACT_DISTINCT {
                        return Distribution::quantiles_of_sorted(&v);
                    }
                    distinct.push(x);
                    counts.push(1);
                }
            }
        }
        Distribution::Values { values: distinct, counts }
    }

    fn quantiles_of_sorted(v: &[f64]) -> Distribution {
        let n = v.len();
        let mean = v.iter().sum::<f64>() / n as f64;
        let std = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64).sqrt();
        let quantiles = (0..=N_QUANTILES).map(|i| quantile_sorted(v, i as f64 / N_QUANTILES as f64)).collect();
        Distribution::Quantiles { n: n as u64, mean, std, quantiles }
    }

    /// Category counts in first-seen order of the given texts (`None` = missing, skipped).
    pub fn categories<'a>(cells: impl Iterator<Item = Option<&'a str>>) -> Distribution {
        let mut index = std::collections::HashMap::new();
        let mut categories = Vec::new();
        let mut counts: Vec<u64> = Vec::new();
        for c in cells.flatten() {
            let k = *index.entry(c.to_string()).or_insert_with(|| {
                categories.push(c.to_string());
                counts.push(0);
                categories.len() - 1
            });
            counts[k] += 1;
        }
        Distribution::Categories { categories, counts }
    }

    /// Checks the invariants a loaded file must hold; `field` names it in errors.
    pub fn validate(&self, field: &str) -> Result<()> {
        let bad = |m: String| Err(Error::ModelFile(format!("field '{field}': {m}")));
        match self {
            Distribution::Values { values, counts } => {
                if values.len() != counts.len() {
                    return bad(format!("{} values but {} counts", values.len(), counts.len()));
                }
                if values.len() > MAX_EXACT_DISTINCT {
                    return bad(format!("{} distinct values; at most {MAX_EXACT_DISTINCT} are stored exactly", values.len()));
                }
                if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                    return bad(format!("values[{i}] is not a finite number"));
                }
                if let Some(i) = values.windows(2).position(|w| w[0] >= w[1]) {
                    return bad(format!("values must be strictly increasing (values[{}] ≥ values[{}])", i, i + 1));
                }
                if let Some(i) = counts.iter().position(|&c| c == 0) {
                    return bad(format!("counts[{i}] is 0; counts must be positive"));
                }
            }
            Distribution::Quantiles { n, mean, std, quantiles } => {
                if quantiles.len() != N_QUANTILES + 1 {
                    return bad(format!("{} quantiles, expected {}", quantiles.len(), N_QUANTILES + 1));
                }
                if let Some(i) = quantiles.iter().position(|v| !v.is_finite()) {
                    return bad(format!("quantiles[{i}] is not a finite number"));
                }
                if let Some(i) = quantiles.windows(2).position(|w| w[0] > w[1]) {
                    return bad(format!("quantiles must be non-decreasing (quantiles[{}] > quantiles[{}])", i, i + 1));
                }
                if (*n as usize) <= MAX_EXACT_DISTINCT {
                    return bad(format!("n = {n}: a column with so few values is stored exactly"));
                }
                if !mean.is_finite() || !std.is_finite() || *std < 0.0 {
                    return bad("mean and std must be finite, std ≥ 0".into());
                }
            }
            Distribution::Categories { categories, counts } => {
                if categories.len() != counts.len() {
                    return bad(format!("{} categories but {} counts", categories.len(), counts.len()));
                }
                let mut seen = std::collections::HashSet::new();
                if let Some(c) = categories.iter().find(|c| !seen.insert(c.as_str())) {
                    return bad(format!("category {c:?} appears twice"));
                }
                if let Some(i) = counts.iter().position(|&c| c == 0) {
                    return bad(format!("counts[{i}] is 0; counts must be positive"));
                }
            }
        }
        Ok(())
    }
}

/// What a [`Distribution`] reads from a model file: format 1's `values` array or format 2's
/// `values_f64` (exactly one of them), and `counts` (absent: every value once).
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum DistributionRepr {
    Values {
        #[serde(default)]
        values: Option<Vec<f64>>,
        #[serde(default)]
        values_f64: Option<String>,
        #[serde(default)]
        counts: Option<Vec<u64>>,
    },
    Quantiles {
        n: u64,
        mean: f64,
        std: f64,
        quantiles: Vec<f64>,
    },
    Categories {
        categories: Vec<String>,
        counts: Vec<u64>,
    },
}

impl TryFrom<DistributionRepr> for Distribution {
    type Error = String;

    fn try_from(r: DistributionRepr) -> std::result::Result<Distribution, String> {
        Ok(match r {
            DistributionRepr::Values { values, values_f64, counts } => {
                let values = match (values, values_f64) {
                    (Some(v), None) => v,
                    (None, Some(text)) => f64s_from_base64(&text).map_err(|e| format!("values_f64: {e}"))?,
                    (Some(_), Some(_)) => return Err("both values and values_f64 are given; a file holds one of them".into()),
                    (None, None) => return Err("missing field `values_f64`".into()),
                };
                let counts = counts.unwrap_or_else(|| vec![1; values.len()]);
                Distribution::Values { values, counts }
            }
            DistributionRepr::Quantiles { n, mean, std, quantiles } => Distribution::Quantiles { n, mean, std, quantiles },
            DistributionRepr::Categories { categories, counts } => Distribution::Categories { categories, counts },
        })
    }
}

impl Serialize for Distribution {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self {
            Distribution::Values { values, counts } => {
                let ones = counts.iter().all(|&c| c == 1);
                let mut st = s.serialize_struct("Distribution", 3 - usize::from(ones))?;
                st.serialize_field("kind", "values")?;
                st.serialize_field("values_f64", &f64s_to_base64(values))?;
                if !ones {
                    st.serialize_field("counts", counts)?;
                }
                st.end()
            }
            Distribution::Quantiles { n, mean, std, quantiles } => {
                let mut st = s.serialize_struct("Distribution", 5)?;
                st.serialize_field("kind", "quantiles")?;
                st.serialize_field("n", n)?;
                st.serialize_field("mean", mean)?;
                st.serialize_field("std", std)?;
                st.serialize_field("quantiles", quantiles)?;
                st.end()
            }
            Distribution::Categories { categories, counts } => {
                let mut st = s.serialize_struct("Distribution", 3)?;
                st.serialize_field("kind", "categories")?;
                st.serialize_field("categories", categories)?;
                st.serialize_field("counts", counts)?;
                st.end()
            }
        }
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The values' little-endian bytes in standard base64 (RFC 4648, with padding). Three values
/// (24 bytes) make 32 characters with no padding: the loop works on those blocks, the last
/// one or two values go through the byte path (a wide table's reference is 2.5 M values).
pub fn f64s_to_base64(values: &[f64]) -> String {
    let mut out = vec![0u8; (values.len() * 8).div_ceil(3) * 4];
    let full = values.len() / 3;
    for (dst, vs) in out.chunks_exact_mut(32).zip(values.chunks_exact(3)) {
        let mut bytes = [0u8; 24];
        for (b, v) in bytes.chunks_exact_mut(8).zip(vs) {
            b.copy_from_slice(&v.to_le_bytes());
        }
        for (d, c) in dst.chunks_exact_mut(4).zip(bytes.chunks_exact(3)) {
            encode_group(d, c[0], c[1], c[2]);
        }
    }
    let tail: Vec<u8> = values[full * 3..].iter().flat_map(|v| v.to_le_bytes()).collect();
    let rest = &mut out[full * 32..];
    let mut groups = tail.chunks(3);
    for d in rest.chunks_exact_mut(4) {
        match groups.next() {
            Some(&[a, b, c]) => encode_group(d, a, b, c),
            Some(&[a, b]) => {
                encode_group(d, a, b, 0);
                d[3] = b'=';
            }
            Some(&[a]) => {
                encode_group(d, a, 0, 0);
                d[2] = b'=';
                d[3] = b'=';
            }
            _ => {}
        }
    }
    // Only bytes of the ASCII alphabet and '=' were written (every output byte: the tail's groups cover the rest).
    String::from_utf8(out).unwrap_or_default()
}

fn encode_group(d: &mut [u8], a: u8, b: u8, c: u8) {
    let n = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
    d[0] = BASE64[(n >> 18) as usize];
    d[1] = BASE64[(n >> 12 & 63) as usize];
    d[2] = BASE64[(n >> 6 & 63) as usize];
    d[3] = BASE64[(n & 63) as usize];
}

/// [`f64s_to_base64`] read back; the error names the offending character or length.
pub fn f64s_from_base64(text: &str) -> std::result::Result<Vec<f64>, String> {
    let b = text.as_bytes();
    if b.len() % 4 != 0 {
        return Err(format!("{} characters of base64; a multiple of 4 expected", b.len()));
    }
    let digit = |i: usize| -> std::result::Result<u32, String> {
        match b[i] {
            c @ b'A'..=b'Z' => Ok(u32::from(c - b'A')),
            c @ b'a'..=b'z' => Ok(u32::from(c - b'a') + 26),
            c @ b'0'..=b'9' => Ok(u32::from(c - b'0') + 52),
            b'+' => Ok(62),
            b'/' => Ok(63),
            _ => Err(format!("character {} is not base64", i + 1)),
        }
    };
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return Err("more than two '=' at the end".into());
    }
    let mut bytes = Vec::with_capacity(b.len() / 4 * 3);
    for q in (0..b.len()).step_by(4) {
        let last = q + 4 == b.len();
        let used = if last { 4 - pad } else { 4 };
        let mut n = 0u32;
        for i in 0..4 {
            n = n << 6 | if i < used { digit(q + i)? } else { 0 };
        }
        bytes.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8][..used - 1]);
    }
    if bytes.len() % 8 != 0 {
        return Err(format!("{} bytes; whole 8-byte numbers expected", bytes.len()));
    }
    Ok(bytes.chunks_exact(8).map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])).collect())
}

/// numpy's default ("linear") quantile of sorted, non-empty data.
pub fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    let pos = p * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    let frac = pos - lo as f64;
    // numpy's _lerp: a + (b − a)·t, switched to b − (b − a)(1 − t) when t ≥ 0.5.
    let (a, b) = (v[lo], v[hi]);
    let d = b - a;
    if frac >= 0.5 {
        b - d * (1.0 - frac)
    } else {
        a + d * frac
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnReference {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Missing cells among the training rows.
    pub n_missing: u64,
    /// Shared with the page's [`ReferenceCache`]: a fit from the cache copies no values
    /// (500 × 5,000: 40 MB and their copy per fit).
    #[serde(serialize_with = "shared_out", deserialize_with = "shared_in")]
    pub distribution: Arc<Distribution>,
}

fn shared_out<S: serde::Serializer>(d: &Arc<Distribution>, s: S) -> std::result::Result<S::Ok, S::Error> {
    d.as_ref().serialize(s)
}

fn shared_in<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Arc<Distribution>, D::Error> {
    Distribution::deserialize(d).map(Arc::new)
}

impl ColumnReference {
    pub fn missing_rate(&self) -> f64 {
        let total = self.n_missing + self.distribution.n();
        if total == 0 {
            0.0
        } else {
            self.n_missing as f64 / total as f64
        }
    }
}

/// What the model file keeps of its training data for drift detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingReference {
    /// Training rows described (the rows with a target).
    pub n_rows: u64,
    pub columns: Vec<ColumnReference>,
    /// Out-of-fold predictions of the cross-validation run before the fit
    /// (class labels for classifiers, values for regressors), when one ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prediction: Option<Distribution>,
}

/// The distribution of one table column over `rows`.
pub fn column_distribution(data: &ColumnData, rows: &[usize]) -> (u64, Distribution) {
    let missing = |r: &usize| match data {
        ColumnData::Numeric(v) => !v[*r].is_finite(),
        _ => data.is_missing(*r),
    };
    let n_missing = rows.iter().filter(|r| missing(r)).count() as u64;
    let dist = match data {
        // Every row in order (a fit on the whole table): the column itself, no gathered copy.
        ColumnData::Numeric(v) if crate::data::every_row(rows, v.len()) => Distribution::numeric(v),
        ColumnData::Numeric(v) => Distribution::numeric(&rows.iter().map(|&r| v[r]).collect::<Vec<_>>()),
        ColumnData::Boolean { .. } | ColumnData::Categorical(_) => {
            let cells: Vec<Option<String>> = rows.iter().map(|&r| data.display(r)).collect();
            Distribution::categories(cells.iter().map(|c| c.as_deref()))
        }
    };
    (n_missing, dist)
}

/// Builds the reference of a fitted pipeline's input columns over the training
/// rows, with the distribution of the out-of-fold predictions when a
/// cross-validation gave them (`monitor::prediction_reference`).
pub fn build(table: &Table, rows: &[usize], pipeline: &FittedPipeline, prediction: Option<Distribution>) -> Result<TrainingReference> {
    build_cached(table, rows, pipeline, prediction, None)
}

/// The column references already built for one table and one set of training rows: the
/// page refits the loaded table on every Train, and sorting every input column was about
/// half of a LinearRegression fit in the browser (bench/HISTORY.md, Session 10). Valid
/// for one table only: its owner (the wasm `Session`) clears it when the table changes.
#[derive(Debug, Default)]
pub struct ReferenceCache {
    rows: Vec<usize>,
    /// By column name.
    columns: std::collections::HashMap<String, ColumnReference>,
}

impl ReferenceCache {
    /// Forgets every column (the table changed).
    pub fn clear(&mut self) {
        self.rows = Vec::new();
        self.columns = Default::default();
    }

    /// The references held for `rows` (for tests and sizes).
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// [`build`], taking each column's reference from `cache` when it holds it for the same
/// rows (and the same column type), and storing the ones it computes there. The result is
/// the same with or without the cache.
pub fn build_cached(
    table: &Table,
    rows: &[usize],
    pipeline: &FittedPipeline,
    prediction: Option<Distribution>,
    mut cache: Option<&mut ReferenceCache>,
) -> Result<TrainingReference> {
    if let Some(c) = cache.as_deref_mut() {
        if c.rows != rows {
            c.clear();
            c.rows = rows.to_vec();
        }
    }
    let index = table.index_by_name();
    let mut columns = Vec::with_capacity(pipeline.schema.len());
    for s in &pipeline.schema {
        let cached = cache.as_deref().and_then(|c| c.columns.get(&s.name)).filter(|r| r.ty == s.ty);
        if let Some(r) = cached {
            columns.push(r.clone());
            continue;
        }
        let col = index.get(s.name.as_str()).map(|&j| &table.columns[j]).ok_or_else(|| Error::data(format!("column {:?} is not in the data", s.name)))?;
        let (n_missing, distribution) = column_distribution(&col.data, rows);
        let r = ColumnReference { name: s.name.clone(), ty: s.ty, n_missing, distribution: Arc::new(distribution) };
        if let Some(c) = cache.as_deref_mut() {
            c.columns.insert(r.name.clone(), r.clone());
        }
        columns.push(r);
    }
    Ok(TrainingReference { n_rows: rows.len() as u64, columns, prediction })
}

impl TrainingReference {
    /// Validates a loaded reference against the pipeline's input schema.
    pub fn validate(&self, pipeline: &FittedPipeline) -> Result<()> {
        if self.columns.len() != pipeline.schema.len() {
            return Err(Error::ModelFile(format!(
                "field 'reference.columns': {} columns but the pipeline reads {}",
                self.columns.len(),
                pipeline.schema.len()
            )));
        }
        for (i, (c, s)) in self.columns.iter().zip(&pipeline.schema).enumerate() {
            if c.name != s.name || c.ty != s.ty {
                return Err(Error::ModelFile(format!(
                    "field 'reference.columns[{i}]': column {:?} ({}) does not match the pipeline's input {:?} ({})",
                    c.name,
                    c.ty.as_str(),
                    s.name,
                    s.ty.as_str()
                )));
            }
            let numeric = matches!(*c.distribution, Distribution::Values { .. } | Distribution::Quantiles { .. });
            if numeric != (c.ty == ColumnType::Numeric) {
                return Err(Error::ModelFile(format!(
                    "field 'reference.columns[{i}].distribution': a {} column needs {} distribution",
                    c.ty.as_str(),
                    if c.ty == ColumnType::Numeric { "a numeric (values or quantiles)" } else { "a categories" }
                )));
            }
            c.distribution.validate(&format!("reference.columns[{i}].distribution"))?;
            if c.n_missing.checked_add(c.distribution.n()) != Some(self.n_rows) {
                return Err(Error::ModelFile(format!(
                    "field 'reference.columns[{i}]': {} missing + {} present ≠ n_rows {}",
                    c.n_missing,
                    c.distribution.n(),
                    self.n_rows
                )));
            }
        }
        if let Some(p) = &self.prediction {
            p.validate("reference.prediction")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_are_exact() {
        let d = Distribution::numeric(&[3.0, 1.0, f64::NAN, 3.0, 2.0]);
        assert_eq!(d, Distribution::Values { values: vec![1.0, 2.0, 3.0], counts: vec![1, 1, 2] });
        d.validate("x").unwrap();
    }

    #[test]
    fn many_distinct_values_become_quantiles() {
        let v: Vec<f64> = (0..5000).map(|i| (i as f64) * 0.5).collect();
        let d = Distribution::numeric(&v);
        let Distribution::Quantiles { n, quantiles, .. } = &d else { panic!("expected quantiles") };
        assert_eq!(*n, 5000);
        assert_eq!(quantiles[0], 0.0);
        assert_eq!(quantiles[N_QUANTILES], 2499.5);
        assert_eq!(quantiles[500], quantile_sorted(&v, 0.5));
        d.validate("x").unwrap();
    }

    #[test]
    fn base64_round_trips_every_bit() {
        // RFC 4648's vectors through the byte encoder, then f64 bit patterns.
        let bytes_of = |t: &str| -> Vec<u8> { t.bytes().collect() };
        assert_eq!(bytes_of(&f64s_to_base64(&[])), b"");
        let one = f64s_to_base64(&[f64::from_le_bytes(*b"foobar!!")]);
        assert_eq!(one, "Zm9vYmFyISE=");
        let xs = [0.0, -0.0, 1.0, -1.5, 0.1, 5e-324, f64::MIN_POSITIVE, f64::MAX, -f64::MAX, 1e300, std::f64::consts::PI];
        for n in 0..=xs.len() {
            let text = f64s_to_base64(&xs[..n]);
            assert_eq!(text.len(), (n * 8).div_ceil(3) * 4);
            let back = f64s_from_base64(&text).unwrap();
            assert_eq!(back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), xs[..n].iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            // The model file's field: the text as it is (no escape), the counts unless all 1.
            let d = Distribution::Values { values: xs[..n].to_vec(), counts: vec![2; n] };
            let counts = if n == 0 { String::new() } else { format!(r#","counts":[{}]"#, vec!["2"; n].join(",")) };
            assert_eq!(serde_json::to_string(&d).unwrap(), format!(r#"{{"kind":"values","values_f64":"{text}"{counts}}}"#));
        }
        assert!(f64s_from_base64("Zm9vYmFyISE").unwrap_err().contains("multiple of 4"));
        assert!(f64s_from_base64("Zm9v YmFyISE=").unwrap_err().contains("multiple of 4"));
        assert!(f64s_from_base64("Zm9vYmF*ISE=").unwrap_err().contains("character 8"));
        assert!(f64s_from_base64("Zm9vYmFy").unwrap_err().contains("8-byte"));
        assert!(f64s_from_base64("Zm9vYm==ISE=").unwrap_err().contains("not base64"));
        assert!(f64s_from_base64("Z===").is_err());
    }

    #[test]
    fn validation_names_the_field() {
        let d = Distribution::Values { values: vec![2.0, 1.0], counts: vec![1, 1] };
        let e = d.validate("reference.columns[3].distribution").unwrap_err().to_string();
        assert!(e.contains("reference.columns[3].distribution") && e.contains("increasing"), "{e}");
        let d = Distribution::Categories { categories: vec!["a".into()], counts: vec![0] };
        assert!(d.validate("f").unwrap_err().to_string().contains("counts[0]"));
    }
}
