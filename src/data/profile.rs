//! The profile of a table: what to look at before modelling ("check for
//! duplicates, missing values and outliers early").
//!
//! Conventions (also listed in [`Profile::notes`] for the page):
//! - Statistics of a numeric column use its finite values; missing cells and
//!   `±inf` are counted apart.
//! - `std_population` is numpy's `np.std` (ddof = 0); `std_sample` is pandas'
//!   `Series.std` (ddof = 1, `null` with a single value).
//! - Quartiles use numpy's default linear interpolation (`np.percentile`, `method="linear"`).
//! - The histogram uses numpy's `bins="auto"`: the smaller of the Freedman–Diaconis
//!   and Sturges bin widths (Sturges when the IQR is 0), equal-width bins from min
//!   to max, the last bin closed; capped at [`MAX_BINS`] bins.
//! - Outliers: the IQR rule, values below `q1 - 1.5·IQR` or above `q3 + 1.5·IQR`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::format_number;
use super::table::{ColumnData, ColumnType, Table, MISSING_CODE};

/// At most this many histogram bins.
pub const MAX_BINS: usize = 200;
/// Categories listed by name; the rest are summed as "other".
pub const TOP_CATEGORIES: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub n_rows: usize,
    pub n_cols: usize,
    /// Rows identical to an earlier row (missing equals missing), like pandas' `duplicated().sum()`.
    pub duplicate_rows: usize,
    /// Up to 5 duplicates as `[row, first_row]`, 1-based data rows.
    pub duplicate_examples: Vec<[usize; 2]>,
    pub columns: Vec<ColumnProfile>,
    /// Everything worth a look before modelling, each with why it matters.
    pub flags: Vec<Flag>,
    /// Warnings from reading the file (stray strings, skipped rows, encoding...).
    #[serde(default)]
    pub read_warnings: Vec<String>,
    /// The statistical conventions used.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Non-missing cells.
    pub count: usize,
    pub missing: usize,
    /// `100 · missing / rows`.
    pub missing_pct: f64,
    /// Distinct non-missing values.
    pub distinct: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<TopCategories>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericStats {
    /// Finite values the statistics are computed on.
    pub n_finite: usize,
    pub n_infinite: usize,
    pub mean: f64,
    /// ddof = 0 (numpy).
    pub std_population: f64,
    /// ddof = 1 (pandas); `null` for a single value.
    pub std_sample: Option<f64>,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    /// IQR-rule fences and the count of finite values outside them.
    pub outlier_low: f64,
    pub outlier_high: f64,
    pub outliers: usize,
    pub histogram: Histogram,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// `counts.len() + 1` edges; bin i is `[edges[i], edges[i+1])`, the last one closed.
    pub edges: Vec<f64>,
    pub counts: Vec<usize>,
    /// How the bins were chosen.
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub value: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopCategories {
    /// Most frequent first (ties: first seen first), at most [`TOP_CATEGORIES`].
    pub top: Vec<CategoryCount>,
    /// Cells in the remaining categories, and how many categories those are.
    pub other_count: usize,
    pub other_distinct: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    DuplicateRows,
    AllMissing,
    Constant,
    MostlyMissing,
    IdLike,
    Outliers,
    Infinite,
}

/// Something in the data a modeller should act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    /// The column, or `null` for a table-level flag.
    pub column: Option<String>,
    /// One line: what was found and why it matters for modelling.
    pub message: String,
}

/// Profiles every column of `table` and flags what deserves attention.
pub fn profile(table: &Table) -> Profile {
    let n = table.n_rows;
    let mut columns = Vec::with_capacity(table.n_cols());
    let mut flags = Vec::new();
    for c in &table.columns {
        let missing = c.data.missing_count();
        let count = n - missing;
        let (distinct, numeric, categories) = match &c.data {
            ColumnData::Numeric(v) => {
                let (distinct, stats) = numeric_stats(v);
                (distinct, stats, None)
            }
            ColumnData::Boolean { values, tokens } => {
                let ones = values.iter().filter(|&&x| x == 1.0).count();
                let zeros = values.iter().filter(|&&x| x == 0.0).count();
                let mut top: Vec<CategoryCount> = [(tokens[1].clone(), ones), (tokens[0].clone(), zeros)]
                    .into_iter()
                    .filter(|(_, k)| *k > 0)
                    .map(|(value, count)| CategoryCount { value, count })
                    .collect();
                crate::sorting::sort_by(&mut top, &|a, b| b.count.cmp(&a.count));
                (top.len(), None, Some(TopCategories { top, other_count: 0, other_distinct: 0 }))
            }
            ColumnData::Categorical(cat) => {
                let mut counts = vec![0usize; cat.levels.len()];
                for &k in &cat.codes {
                    if k != MISSING_CODE {
                        counts[k as usize] += 1;
                    }
                }
                let mut order: Vec<usize> = (0..counts.len()).filter(|&k| counts[k] > 0).collect();
                crate::sorting::sort_indices_by(&mut order, &|a, b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
                let top = order.iter().take(TOP_CATEGORIES).map(|&k| CategoryCount { value: cat.levels[k].clone(), count: counts[k] }).collect();
                let rest = &order[order.len().min(TOP_CATEGORIES)..];
                let cats = TopCategories { top, other_count: rest.iter().map(|&k| counts[k]).sum(), other_distinct: rest.len() };
                (order.len(), None, Some(cats))
            }
        };
        let name = &c.name;
        let missing_pct = if n == 0 { 0.0 } else { 100.0 * missing as f64 / n as f64 };
        if n > 0 && missing == n {
            flags.push(flag(FlagKind::AllMissing, name, format!("column '{name}' is empty (every cell is missing): it carries no information; drop it")));
        } else if distinct == 1 {
            let v = (0..n).find_map(|i| c.data.display(i)).unwrap_or_default();
            flags.push(flag(
                FlagKind::Constant,
                name,
                format!("constant column '{name}' (every value is {v:?}): it carries no information for a model; drop it"),
            ));
        }
        if missing * 2 > n && missing < n {
            flags.push(flag(
                FlagKind::MostlyMissing,
                name,
                format!(
                    "column '{name}' is {missing_pct:.1}% missing: imputing it mostly invents values — drop it, or impute and add a missing-indicator feature"
                ),
            ));
        }
        if c.data.column_type() == ColumnType::Categorical && n >= 2 && distinct >= 2 && distinct * 10 >= n * 9 {
            flags.push(flag(
                FlagKind::IdLike,
                name,
                format!(
                    "column '{name}' has {distinct} distinct values in {n} rows (ID-like): one-hot encoding it makes one feature per row, so the model memorises rows instead of learning; drop it"
                ),
            ));
        }
        if let (Some(s), ColumnData::Numeric(v)) = (&numeric, &c.data) {
            if n >= 10 && distinct == n && v.windows(2).all(|w| w[1] > w[0]) && v.iter().all(|x| x.fract() == 0.0) {
                flags.push(flag(
                    FlagKind::IdLike,
                    name,
                    format!("column '{name}' is a distinct increasing integer per row (a row index or ID?): as a feature it only encodes file order; drop it"),
                ));
            }
            if s.outliers > 0 {
                flags.push(flag(
                    FlagKind::Outliers,
                    name,
                    format!(
                        "column '{name}' has {} outlier(s) by the IQR rule (outside [{}, {}]): they can dominate scaling and linear models — check them for errors, or use a robust scaler or a tree model",
                        s.outliers,
                        short(s.outlier_low),
                        short(s.outlier_high)
                    ),
                ));
            }
            if s.n_infinite > 0 {
                flags.push(flag(
                    FlagKind::Infinite,
                    name,
                    format!("column '{name}' holds {} infinite value(s): models need finite numbers; replace them or mark them missing", s.n_infinite),
                ));
            }
        }
        columns.push(ColumnProfile { name: name.clone(), ty: c.data.column_type(), count, missing, missing_pct, distinct, numeric, categories });
    }
    let (duplicate_rows, duplicate_examples) = duplicates(table);
    if duplicate_rows > 0 {
        let [r, f] = duplicate_examples[0];
        flags.insert(
            0,
            Flag {
                kind: FlagKind::DuplicateRows,
                column: None,
                message: format!(
                    "{duplicate_rows} duplicate row(s) (e.g. row {r} repeats row {f}): they over-weight those rows and can leak between cross-validation folds, inflating scores; remove them unless repeats are real"
                ),
            },
        );
    }
    Profile {
        n_rows: n,
        n_cols: table.n_cols(),
        duplicate_rows,
        duplicate_examples,
        columns,
        flags,
        read_warnings: Vec::new(),
        notes: vec![
            "numeric statistics use finite values; missing and infinite cells are counted apart".into(),
            "std_population: ddof=0 (numpy np.std); std_sample: ddof=1 (pandas Series.std)".into(),
            "quartiles: numpy linear interpolation (np.percentile default)".into(),
            format!("histogram: numpy bins='auto' (min of Freedman-Diaconis and Sturges widths), at most {MAX_BINS} bins"),
            "outliers: IQR rule, outside [q1 - 1.5*IQR, q3 + 1.5*IQR]".into(),
        ],
    }
}

/// A number for a message: integers as such, others with at most 4 decimals.
fn short(x: f64) -> String {
    if x == x.trunc() {
        return format_number(x);
    }
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn flag(kind: FlagKind, column: &str, message: String) -> Flag {
    Flag { kind, column: Some(column.to_string()), message }
}

pub use crate::numeric::percentile_sorted;

fn numeric_stats(v: &[f64]) -> (usize, Option<NumericStats>) {
    let mut sorted: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    crate::sorting::sort_f64(&mut sorted);
    let mut distinct = 0;
    for (i, x) in sorted.iter().enumerate() {
        if i == 0 || *x != sorted[i - 1] {
            distinct += 1;
        }
    }
    let n_all = sorted.len();
    sorted.retain(|x| x.is_finite());
    let n_infinite = n_all - sorted.len();
    let m = sorted.len();
    if m == 0 {
        return (distinct, None);
    }
    let mean = pairwise_sum(&sorted) / m as f64;
    let ss: f64 = sorted.iter().map(|x| (x - mean) * (x - mean)).sum();
    let (q1, median, q3) = (percentile_sorted(&sorted, 25.0), percentile_sorted(&sorted, 50.0), percentile_sorted(&sorted, 75.0));
    let iqr = q3 - q1;
    let (lo, hi) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
    let outliers = sorted.iter().filter(|&&x| x < lo || x > hi).count();
    let stats = NumericStats {
        n_finite: m,
        n_infinite,
        mean,
        std_population: (ss / m as f64).sqrt(),
        std_sample: (m > 1).then(|| (ss / (m - 1) as f64).sqrt()),
        min: sorted[0],
        q1,
        median,
        q3,
        max: sorted[m - 1],
        outlier_low: lo,
        outlier_high: hi,
        outliers,
        histogram: histogram_auto(&sorted, iqr),
    };
    (distinct, Some(stats))
}

fn pairwise_sum(x: &[f64]) -> f64 {
    if x.len() <= 128 {
        x.iter().sum()
    } else {
        let h = x.len() / 2;
        pairwise_sum(&x[..h]) + pairwise_sum(&x[h..])
    }
}

/// `np.histogram(x, bins="auto")` on sorted finite data (`iqr` = q3 - q1).
pub fn histogram_auto(sorted: &[f64], iqr: f64) -> Histogram {
    let n = sorted.len();
    let (mut first, mut last) = (sorted[0], sorted[n - 1]);
    let ptp = last - first;
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    let sturges = ptp / ((n as f64).log2() + 1.0);
    let fd = 2.0 * iqr * (n as f64).powf(-1.0 / 3.0);
    let width = if fd > 0.0 { fd.min(sturges) } else { sturges };
    let mut rule = "numpy auto".to_string();
    let mut bins = if width > 0.0 { ((last - first) / width).ceil() as usize } else { 1 };
    if bins > MAX_BINS {
        rule = format!("numpy auto, capped at {MAX_BINS} bins");
        bins = MAX_BINS;
    }
    let bins = bins.max(1);
    let step = (last - first) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| first + i as f64 * step).collect();
    edges[bins] = last;
    let mut counts = vec![0usize; bins];
    let norm = bins as f64 / (last - first);
    for &x in sorted {
        let mut k = (((x - first) * norm) as usize).min(bins - 1);
        if x < edges[k] && k > 0 {
            k -= 1;
        } else if k + 1 < bins && x >= edges[k + 1] {
            k += 1;
        }
        counts[k] += 1;
    }
    Histogram { edges, counts, rule }
}

/// Count of rows equal to an earlier row, and up to 5 examples `[row, first]` (1-based).
fn duplicates(table: &Table) -> (usize, Vec<[usize; 2]>) {
    let n = table.n_rows;
    if n < 2 {
        return (0, Vec::new());
    }
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, v: u64| (h.rotate_left(5) ^ v).wrapping_mul(K);
    let mut hashes = vec![0u64; n];
    for c in &table.columns {
        match &c.data {
            ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => {
                for (h, x) in hashes.iter_mut().zip(v) {
                    *h = mix(*h, canon_bits(*x));
                }
            }
            ColumnData::Categorical(cat) => {
                for (h, &k) in hashes.iter_mut().zip(&cat.codes) {
                    *h = mix(*h, k as u64);
                }
            }
        }
    }
    let same = |a: usize, b: usize| {
        table.columns.iter().all(|c| match &c.data {
            ColumnData::Numeric(v) | ColumnData::Boolean { values: v, .. } => canon_bits(v[a]) == canon_bits(v[b]),
            ColumnData::Categorical(cat) => cat.codes[a] == cat.codes[b],
        })
    };
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(n);
    let mut count = 0;
    let mut examples = Vec::new();
    for (r, &h) in hashes.iter().enumerate() {
        let bucket = seen.entry(h).or_default();
        if let Some(&first) = bucket.iter().find(|&&f| same(f, r)) {
            count += 1;
            if examples.len() < 5 {
                examples.push([r + 1, first + 1]);
            }
        } else {
            bucket.push(r);
        }
    }
    (count, examples)
}

/// Bits of a value with every NaN equal and -0 = +0.
fn canon_bits(x: f64) -> u64 {
    if x.is_nan() {
        0x7ff8_0000_0000_0000
    } else if x == 0.0 {
        0
    } else {
        x.to_bits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{read_csv, ReadOptions};

    fn prof(s: &str) -> Profile {
        profile(&read_csv(s.as_bytes(), &ReadOptions::default()).unwrap().0)
    }

    #[test]
    fn numpy_percentiles() {
        let x = [1.0, 2.0, 3.0, 4.0];
        // np.percentile([1,2,3,4], [25,50,75]) = [1.75, 2.5, 3.25]
        assert_eq!(percentile_sorted(&x, 25.0), 1.75);
        assert_eq!(percentile_sorted(&x, 50.0), 2.5);
        assert_eq!(percentile_sorted(&x, 75.0), 3.25);
        assert_eq!(percentile_sorted(&[7.0], 25.0), 7.0);
    }

    #[test]
    fn histogram_matches_numpy_auto_small_case() {
        // np.histogram([1,2,2,3,3,3,4,4,4,4], bins='auto'):
        // ptp 3, sturges width 3/(log2(10)+1)=0.6929, IQR=4-2.25=1.75,
        // FD width 2*1.75*10^(-1/3)=1.6245 → width 0.6929 → ceil(4.33)=5 bins.
        let x = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 4.0];
        let h = histogram_auto(&x, percentile_sorted(&x, 75.0) - percentile_sorted(&x, 25.0));
        assert_eq!(h.counts, vec![1, 2, 0, 3, 4]);
        // np.linspace(1, 4, 6): arange(6) * 0.6 + 1
        assert_eq!(h.edges, vec![1.0, 1.6, 2.2, 2.8, 3.4, 4.0]);
        // A constant column: one bin [x-0.5, x+0.5].
        let h = histogram_auto(&[5.0, 5.0], 0.0);
        assert_eq!((h.edges.clone(), h.counts.clone()), (vec![4.5, 5.5], vec![2]));
    }

    #[test]
    fn flags_and_counts() {
        let p = prof("id,k,c,m,v\n1,x,same,,1\n2,y,same,,2\n3,z,same,1,3\n3,z,same,1,3\n");
        assert_eq!(p.duplicate_rows, 1);
        assert_eq!(p.duplicate_examples, vec![[4, 3]]);
        let kinds: Vec<(FlagKind, Option<&str>)> = p.flags.iter().map(|f| (f.kind, f.column.as_deref())).collect();
        assert!(kinds.contains(&(FlagKind::DuplicateRows, None)));
        assert!(kinds.contains(&(FlagKind::Constant, Some("c"))));
        assert!(!kinds.contains(&(FlagKind::IdLike, Some("k"))), "3 distinct in 4 rows is 75%");
        let m = &p.columns[3];
        assert_eq!((m.missing, m.missing_pct, m.distinct), (2, 50.0, 1));
        let v = p.columns[4].numeric.as_ref().unwrap();
        assert_eq!((v.min, v.q1, v.median, v.q3, v.max), (1.0, 1.75, 2.5, 3.0, 3.0));
        assert_eq!(v.std_sample.unwrap(), (((1.0f64 - 2.25).powi(2) + 0.25f64.powi(2) + 2.0 * 0.75f64.powi(2)) / 3.0).sqrt());
    }

    #[test]
    fn top_categories_and_other() {
        let mut s = String::from("c\n");
        for i in 0..12 {
            for _ in 0..(12 - i) {
                s.push_str(&format!("k{i}\n"));
            }
        }
        let p = prof(&s);
        let t = p.columns[0].categories.as_ref().unwrap();
        assert_eq!(t.top.len(), 10);
        assert_eq!((t.top[0].value.as_str(), t.top[0].count), ("k0", 12));
        assert_eq!((t.other_count, t.other_distinct), (2 + 1, 2));
    }

    #[test]
    fn json_has_null_for_undefined() {
        let p = prof("a\n5\n");
        let j = serde_json::to_value(&p).unwrap();
        assert!(j["columns"][0]["numeric"]["std_sample"].is_null());
    }
}
