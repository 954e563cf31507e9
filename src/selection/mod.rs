//! Model selection: index splitters (`KFold`, `StratifiedKFold`) whose folds
//! match scikit-learn's when `shuffle` is false.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KFoldParams {
    pub n_splits: usize,
    pub shuffle: bool,
    pub random_state: Option<u64>,
}

impl Default for KFoldParams {
    fn default() -> Self {
        KFoldParams { n_splits: 5, shuffle: false, random_state: None }
    }
}

/// A cross-validation splitter, as named in the spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CvSpec {
    KFold(KFoldParams),
    StratifiedKFold(KFoldParams),
}

/// One split: training row indices and test row indices (both ascending).
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

impl CvSpec {
    pub fn name(&self) -> &'static str {
        match self {
            CvSpec::KFold(_) => "KFold",
            CvSpec::StratifiedKFold(_) => "StratifiedKFold",
        }
    }
    pub fn n_splits(&self) -> usize {
        match self {
            CvSpec::KFold(p) | CvSpec::StratifiedKFold(p) => p.n_splits,
        }
    }
    /// Splits `n` rows; `classes` is required for stratification.
    pub fn split(&self, n: usize, classes: Option<&[usize]>, seed: u64) -> Result<Vec<Split>> {
        let folds = match self {
            CvSpec::KFold(p) => kfold_assign(n, p, seed)?,
            CvSpec::StratifiedKFold(p) => {
                let y = classes.ok_or_else(|| Error::spec("cv", "StratifiedKFold needs a categorical target; use KFold for regression"))?;
                stratified_assign(y, p, seed)?
            }
        };
        Ok(splits_from_assignment(&folds, self.n_splits()))
    }
}

fn check_splits(p: &KFoldParams, n: usize) -> Result<()> {
    if p.n_splits < 2 {
        return Err(Error::param("cv", "n_splits", format!("must be at least 2, got {}", p.n_splits)));
    }
    if p.n_splits > n {
        return Err(Error::param("cv", "n_splits", format!("is {} but there are only {n} rows; use at most {n} folds", p.n_splits)));
    }
    Ok(())
}

/// Test fold of every row for KFold: contiguous blocks, the first `n % k` folds one longer.
fn kfold_assign(n: usize, p: &KFoldParams, seed: u64) -> Result<Vec<usize>> {
    check_splits(p, n)?;
    let k = p.n_splits;
    let mut order: Vec<usize> = (0..n).collect();
    if p.shuffle {
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(p.random_state.unwrap_or(seed)));
    }
    let mut fold_of = vec![0; n];
    let mut start = 0;
    for f in 0..k {
        let size = n / k + usize::from(f < n % k);
        for &row in &order[start..start + size] {
            fold_of[row] = f;
        }
        start += size;
    }
    Ok(fold_of)
}

/// scikit-learn's StratifiedKFold allocation: classes encoded in order of
/// first appearance, sorted labels dealt round-robin to folds, then each
/// class's rows given their folds in row order.
fn stratified_assign(y: &[usize], p: &KFoldParams, seed: u64) -> Result<Vec<usize>> {
    let n = y.len();
    check_splits(p, n)?;
    let k = p.n_splits;
    // Encode by first appearance.
    let max = y.iter().copied().max().unwrap_or(0);
    let mut enc = vec![usize::MAX; max + 1];
    let mut n_classes = 0;
    for &c in y {
        if enc[c] == usize::MAX {
            enc[c] = n_classes;
            n_classes += 1;
        }
    }
    let ye: Vec<usize> = y.iter().map(|&c| enc[c]).collect();
    let mut counts = vec![0usize; n_classes];
    for &c in &ye {
        counts[c] += 1;
    }
    if counts.iter().all(|&c| c < k) {
        return Err(Error::param("cv", "n_splits", format!("is {k} but every class has fewer members; lower n_splits")));
    }
    // y_order = sorted encoded labels; allocation[f][c] = count of c in y_order[f::k].
    let mut y_order = Vec::with_capacity(n);
    for (c, &cnt) in counts.iter().enumerate() {
        y_order.extend(std::iter::repeat(c).take(cnt));
    }
    let mut alloc = vec![vec![0usize; n_classes]; k];
    for (i, &c) in y_order.iter().enumerate() {
        alloc[i % k][c] += 1;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(p.random_state.unwrap_or(seed));
    let mut fold_of = vec![0; n];
    for c in 0..n_classes {
        let mut folds_for_class: Vec<usize> = (0..k).flat_map(|f| std::iter::repeat(f).take(alloc[f][c])).collect();
        if p.shuffle {
            folds_for_class.shuffle(&mut rng);
        }
        let mut it = folds_for_class.into_iter();
        for (row, &cls) in ye.iter().enumerate() {
            if cls == c {
                fold_of[row] = it.next().expect("allocation covers every row of the class");
            }
        }
    }
    Ok(fold_of)
}

fn splits_from_assignment(fold_of: &[usize], k: usize) -> Vec<Split> {
    (0..k)
        .map(|f| {
            let (test, train): (Vec<usize>, Vec<usize>) = (0..fold_of.len()).partition(|&i| fold_of[i] == f);
            Split { train, test }
        })
        .collect()
}

/// Test fold of every row, for comparison with scikit-learn's assignment.
pub fn fold_assignment(splits: &[Split], n: usize) -> Vec<usize> {
    let mut out = vec![usize::MAX; n];
    for (f, s) in splits.iter().enumerate() {
        for &i in &s.test {
            out[i] = f;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kfold_sizes() {
        let s = CvSpec::KFold(KFoldParams::default()).split(442, None, 0).unwrap();
        let sizes: Vec<usize> = s.iter().map(|s| s.test.len()).collect();
        assert_eq!(sizes, vec![89, 89, 88, 88, 88]);
        assert_eq!(s[1].test[0], 89);
    }

    #[test]
    fn too_many_folds() {
        let e = CvSpec::KFold(KFoldParams { n_splits: 10, ..Default::default() }).split(3, None, 0).unwrap_err();
        assert!(e.to_string().contains("only 3 rows"));
    }
}
