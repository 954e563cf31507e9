//! Index splitters: pure generators of (train, test) index sets whose folds
//! match scikit-learn's — the unshuffled ones, `GroupKFold` and `LeaveOneOut`, and
//! the shuffled `KFold`, `StratifiedKFold`, their repeated forms, `ShuffleSplit` and
//! the unstratified hold-out split, which draw from [`NumpyRandomState`] exactly
//! as scikit-learn draws from numpy's `RandomState(random_state)` — and the
//! stratified shuffle splits (pipelab's own allocation and generator). They know
//! nothing of pipelines, so steps (TargetEncoder's cross-fitting) and
//! `selection::cv` both use them from below.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// numpy's legacy `RandomState` (MT19937), the part scikit-learn's splitters use: seeding
/// by an integer and `shuffle` / `permutation` (each swap partner drawn by numpy's
/// `random_interval`, rejection from the smallest bit mask). A seed in `[0, 2³²)` is
/// `RandomState(seed)`; numpy refuses larger integers, and pipelab seeds them as
/// `RandomState([low 32 bits, high 32 bits])` (init_by_array).
pub struct NumpyRandomState {
    mt: [u32; 624],
    pos: usize,
}

impl NumpyRandomState {
    pub fn new(seed: u64) -> NumpyRandomState {
        match u32::try_from(seed) {
            Ok(s) => NumpyRandomState::init_genrand(s),
            // Truncations: the low and the high 32 bits.
            Err(_) => NumpyRandomState::init_by_array(&[seed as u32, (seed >> 32) as u32]),
        }
    }

    fn init_genrand(seed: u32) -> NumpyRandomState {
        let mut mt = [0u32; 624];
        mt[0] = seed;
        for i in 1..624 {
            mt[i] = 1_812_433_253u32.wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_add(i as u32);
        }
        NumpyRandomState { mt, pos: 624 }
    }

    fn init_by_array(key: &[u32]) -> NumpyRandomState {
        let mut s = NumpyRandomState::init_genrand(19_650_218);
        let mt = &mut s.mt;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..624.max(key.len()) {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_664_525)).wrapping_add(key[j]).wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= 624 {
                mt[0] = mt[623];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..623 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= 624 {
                mt[0] = mt[623];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        s
    }

    fn next_u32(&mut self) -> u32 {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        let mag = |y: u32| if y & 1 == 1 { 0x9908_b0df } else { 0 };
        if self.pos >= 624 {
            let mt = &mut self.mt;
            for k in 0..624 {
                let y = (mt[k] & UPPER) | (mt[(k + 1) % 624] & LOWER);
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ mag(y);
            }
            self.pos = 0;
        }
        let mut y = self.mt[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// A uniform integer in `0..=max` (numpy's `random_interval`).
    fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        for s in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> s;
        }
        loop {
            let v = if max <= u64::from(u32::MAX) {
                u64::from(self.next_u32()) & mask
            } else {
                ((u64::from(self.next_u32()) << 32) | u64::from(self.next_u32())) & mask
            };
            if v <= max {
                return v;
            }
        }
    }

    /// numpy's `RandomState.shuffle` of a 1-D array: Fisher–Yates from the end.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.interval(i as u64) as usize;
            v.swap(i, j);
        }
    }

    /// numpy's `RandomState.permutation(n)`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.shuffle(&mut v);
        v
    }
}

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RepeatedParams {
    pub n_splits: usize,
    pub n_repeats: usize,
    pub random_state: Option<u64>,
}

impl Default for RepeatedParams {
    fn default() -> Self {
        RepeatedParams { n_splits: 5, n_repeats: 10, random_state: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShuffleSplitParams {
    pub n_splits: usize,
    /// Fraction in (0, 1) or a row count (≥ 1); default 0.1 as scikit-learn.
    pub test_size: Option<f64>,
    pub train_size: Option<f64>,
    pub random_state: Option<u64>,
}

impl Default for ShuffleSplitParams {
    fn default() -> Self {
        ShuffleSplitParams { n_splits: 10, test_size: None, train_size: None, random_state: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct LeaveOneOutParams {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupKFoldParams {
    pub n_splits: usize,
    /// The column whose values define the groups (rows of a group never straddle train and test).
    pub groups: String,
}

impl Default for GroupKFoldParams {
    fn default() -> Self {
        GroupKFoldParams { n_splits: 5, groups: String::new() }
    }
}

/// LeaveOneOut is refused above this many rows (use KFold).
pub const MAX_LEAVE_ONE_OUT: usize = 2_000;

/// A cross-validation splitter, as named in the spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CvSpec {
    KFold(KFoldParams),
    StratifiedKFold(KFoldParams),
    RepeatedKFold(RepeatedParams),
    RepeatedStratifiedKFold(RepeatedParams),
    ShuffleSplit(ShuffleSplitParams),
    StratifiedShuffleSplit(ShuffleSplitParams),
    LeaveOneOut(LeaveOneOutParams),
    GroupKFold(GroupKFoldParams),
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
            CvSpec::RepeatedKFold(_) => "RepeatedKFold",
            CvSpec::RepeatedStratifiedKFold(_) => "RepeatedStratifiedKFold",
            CvSpec::ShuffleSplit(_) => "ShuffleSplit",
            CvSpec::StratifiedShuffleSplit(_) => "StratifiedShuffleSplit",
            CvSpec::LeaveOneOut(_) => "LeaveOneOut",
            CvSpec::GroupKFold(_) => "GroupKFold",
        }
    }
    /// The number of splits for `n` rows.
    pub fn n_splits(&self, n: usize) -> usize {
        match self {
            CvSpec::KFold(p) | CvSpec::StratifiedKFold(p) => p.n_splits,
            CvSpec::RepeatedKFold(p) | CvSpec::RepeatedStratifiedKFold(p) => p.n_splits * p.n_repeats,
            CvSpec::ShuffleSplit(p) | CvSpec::StratifiedShuffleSplit(p) => p.n_splits,
            CvSpec::LeaveOneOut(_) => n,
            CvSpec::GroupKFold(p) => p.n_splits,
        }
    }
    /// A short description, e.g. `KFold(n_splits=5)`.
    pub fn describe(&self, n: usize) -> String {
        format!("{}(n_splits={})", self.name(), self.n_splits(n))
    }
    /// The group column a splitter needs, if any.
    pub fn group_column(&self) -> Option<&str> {
        match self {
            CvSpec::GroupKFold(p) => Some(p.groups.as_str()),
            _ => None,
        }
    }
    /// Whether the splitter needs class labels.
    pub fn is_stratified(&self) -> bool {
        matches!(self, CvSpec::StratifiedKFold(_) | CvSpec::RepeatedStratifiedKFold(_) | CvSpec::StratifiedShuffleSplit(_))
    }
    /// Splits `n` rows; `classes` is required for stratification, `groups` for GroupKFold.
    pub fn split(&self, n: usize, classes: Option<&[usize]>, seed: u64) -> Result<Vec<Split>> {
        self.split_groups(n, classes, None, seed)
    }
    pub fn split_groups(&self, n: usize, classes: Option<&[usize]>, groups: Option<&[usize]>, seed: u64) -> Result<Vec<Split>> {
        let need_classes =
            || classes.ok_or_else(|| Error::spec("cv", format!("{} needs a categorical target; use its unstratified twin for regression", self.name())));
        match self {
            CvSpec::KFold(p) => Ok(splits_from_assignment(&kfold_assign(n, p, seed)?, p.n_splits)),
            CvSpec::StratifiedKFold(p) => Ok(splits_from_assignment(&stratified_assign(need_classes()?, p, seed)?, p.n_splits)),
            CvSpec::RepeatedKFold(p) | CvSpec::RepeatedStratifiedKFold(p) => {
                if p.n_repeats == 0 {
                    return Err(Error::param(self.name(), "n_repeats", "must be at least 1"));
                }
                // One RandomState shared by the repetitions, as scikit-learn's `_RepeatedSplits`.
                let mut rng = NumpyRandomState::new(p.random_state.unwrap_or(seed));
                let mut out = Vec::new();
                for _ in 0..p.n_repeats {
                    let kp = KFoldParams { n_splits: p.n_splits, shuffle: true, random_state: None };
                    let folds = if matches!(self, CvSpec::RepeatedKFold(_)) {
                        kfold_assign_with(n, &kp, &mut rng)?
                    } else {
                        stratified_assign_with(need_classes()?, &kp, &mut rng)?
                    };
                    out.extend(splits_from_assignment(&folds, p.n_splits));
                }
                Ok(out)
            }
            CvSpec::ShuffleSplit(p) => shuffle_split(n, p, None, seed),
            CvSpec::StratifiedShuffleSplit(p) => shuffle_split(n, p, Some(need_classes()?), seed),
            CvSpec::LeaveOneOut(_) => {
                if n < 2 {
                    return Err(Error::param("LeaveOneOut", "n_splits", "needs at least 2 rows"));
                }
                if n > MAX_LEAVE_ONE_OUT {
                    return Err(Error::spec(
                        "cv",
                        format!("LeaveOneOut on {n} rows would fit {n} models; it is meant for small data (≤ {MAX_LEAVE_ONE_OUT} rows) — use KFold"),
                    ));
                }
                Ok((0..n).map(|i| Split { train: (0..n).filter(|&j| j != i).collect(), test: vec![i] }).collect())
            }
            CvSpec::GroupKFold(p) => {
                let g = groups.ok_or_else(|| Error::spec("cv.GroupKFold.groups", "names no group column"))?;
                Ok(splits_from_assignment(&group_kfold_assign(g, p.n_splits)?, p.n_splits))
            }
        }
    }
}

/// Resolves a size given as a fraction (0, 1) or a count.
fn resolve_size(v: f64, n: usize, what: &str) -> Result<usize> {
    if v > 0.0 && v < 1.0 {
        Ok((v * n as f64).ceil() as usize)
    } else if v >= 1.0 && v.fract() == 0.0 && (v as usize) < n {
        Ok(v as usize)
    } else {
        Err(Error::param("ShuffleSplit", what, format!("must be a fraction in (0, 1) or a whole number of rows below {n}, got {v}")))
    }
}

/// Test and train sizes as scikit-learn's `_validate_shuffle_split` computes them.
pub fn shuffle_sizes(n: usize, test_size: Option<f64>, train_size: Option<f64>, default_test: f64) -> Result<(usize, usize)> {
    let (n_test, n_train) = match (test_size, train_size) {
        (None, None) => {
            let t = (default_test * n as f64).ceil() as usize;
            (t, n - t)
        }
        (Some(t), None) => {
            let t = resolve_size(t, n, "test_size")?;
            (t, n - t)
        }
        (None, Some(tr)) => {
            let tr = if tr > 0.0 && tr < 1.0 { (tr * n as f64).floor() as usize } else { resolve_size(tr, n, "train_size")? };
            (n - tr, tr)
        }
        (Some(t), Some(tr)) => {
            let t = resolve_size(t, n, "test_size")?;
            let tr = if tr > 0.0 && tr < 1.0 { (tr * n as f64).floor() as usize } else { resolve_size(tr, n, "train_size")? };
            (t, tr)
        }
    };
    if n_train == 0 || n_test == 0 || n_train + n_test > n {
        return Err(Error::data(format!("a split of {n} rows into {n_train} training and {n_test} test rows is impossible; adjust test_size/train_size")));
    }
    Ok((n_test, n_train))
}

fn shuffle_split(n: usize, p: &ShuffleSplitParams, classes: Option<&[usize]>, seed: u64) -> Result<Vec<Split>> {
    if p.n_splits == 0 {
        return Err(Error::param("ShuffleSplit", "n_splits", "must be at least 1"));
    }
    let (n_test, n_train) = shuffle_sizes(n, p.test_size, p.train_size, 0.1)?;
    let seed = p.random_state.unwrap_or(seed);
    let Some(y) = classes else {
        // scikit-learn's ShuffleSplit: one RandomState, a permutation per split.
        let mut rng = NumpyRandomState::new(seed);
        return Ok((0..p.n_splits).map(|_| permuted_split(&rng.permutation(n), n_test, n_train)).collect());
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..p.n_splits).map(|_| stratified_holdout(n, n_test, n_train, y, &mut rng)).collect()
}

/// The test part (the permutation's first `n_test` rows) and the training part (the next
/// `n_train`), each sorted: scikit-learn's `ShuffleSplit` split of a permutation.
fn permuted_split(order: &[usize], n_test: usize, n_train: usize) -> Split {
    let mut train = order[n_test..n_test + n_train].to_vec();
    let mut test = order[..n_test].to_vec();
    crate::sorting::sort_usize(&mut train);
    crate::sorting::sort_usize(&mut test);
    Split { train, test }
}

/// One random stratified train/test split (per-class test counts proportional to class
/// frequency, largest remainders first), from pipelab's own generator.
fn stratified_holdout(n: usize, n_test: usize, n_train: usize, y: &[usize], rng: &mut ChaCha8Rng) -> Result<Split> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let k = y.iter().copied().max().map_or(0, |m| m + 1);
    let mut counts = vec![0usize; k];
    for &c in y {
        counts[c] += 1;
    }
    if counts.contains(&1) {
        return Err(Error::data("a class has a single row: a stratified split cannot put it in both train and test; use a non-stratified split"));
    }
    // Allocate test rows per class by largest remainder.
    let exact: Vec<f64> = counts.iter().map(|&c| c as f64 * n_test as f64 / n as f64).collect();
    let mut alloc: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut rest = n_test.saturating_sub(alloc.iter().sum());
    let mut by_rem: Vec<usize> = (0..k).collect();
    crate::sorting::sort_indices_by(&mut by_rem, &|a, b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    for &c in by_rem.iter().cycle().take(k * 2) {
        if rest == 0 {
            break;
        }
        if alloc[c] < counts[c] {
            alloc[c] += 1;
            rest -= 1;
        }
    }
    let train_share = n_train as f64 / (n - n_test).max(1) as f64;
    let mut taken = vec![0usize; k];
    let mut trained = vec![0usize; k];
    let (mut tr, mut te) = (Vec::new(), Vec::new());
    for &i in &order {
        let c = y[i];
        if taken[c] < alloc[c] {
            taken[c] += 1;
            te.push(i);
        } else if (trained[c] as f64) < ((counts[c] - alloc[c]) as f64 * train_share).round() {
            trained[c] += 1;
            tr.push(i);
        }
    }
    crate::sorting::sort_usize(&mut tr);
    crate::sorting::sort_usize(&mut te);
    Ok(Split { train: tr, test: te })
}

/// Hold-out split (`train_test_split`): seeded, optionally stratified.
pub fn train_test_split(n: usize, test_size: f64, classes: Option<&[usize]>, shuffle: bool, seed: u64) -> Result<Split> {
    let (n_test, n_train) = shuffle_sizes(n, Some(test_size), None, 0.25)?;
    if !shuffle {
        if classes.is_some() {
            return Err(Error::data("a stratified hold-out split needs shuffle=true (as in scikit-learn)"));
        }
        return Ok(Split { train: (0..n_train).collect(), test: (n_train..n).collect() });
    }
    match classes {
        // scikit-learn's `train_test_split`: the first split of ShuffleSplit.
        None => Ok(permuted_split(&NumpyRandomState::new(seed).permutation(n), n_test, n_train)),
        Some(y) => stratified_holdout(n, n_test, n_train, y, &mut ChaCha8Rng::seed_from_u64(seed)),
    }
}

/// scikit-learn's GroupKFold: groups by decreasing size, each to the fold with the fewest rows so far.
fn group_kfold_assign(groups: &[usize], k: usize) -> Result<Vec<usize>> {
    if k < 2 {
        return Err(Error::param("GroupKFold", "n_splits", "must be at least 2"));
    }
    let n_groups = groups.iter().copied().max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; n_groups];
    for &g in groups {
        size[g] += 1;
    }
    let present = size.iter().filter(|&&s| s > 0).count();
    if present < k {
        return Err(Error::param("GroupKFold", "n_splits", format!("is {k} but there are only {present} groups; lower n_splits")));
    }
    let mut order: Vec<usize> = (0..n_groups).filter(|&g| size[g] > 0).collect();
    // Stable sort by size descending (numpy argsort(kind="mergesort") of -sizes): ties keep group order.
    crate::sorting::sort_indices_by(&mut order, &|a, b| size[b].cmp(&size[a]));
    let mut fold_rows = vec![0usize; k];
    let mut fold_of_group = vec![0usize; n_groups];
    for g in order {
        let f = (0..k).min_by_key(|&f| (fold_rows[f], f)).expect("k >= 2 folds");
        fold_rows[f] += size[g];
        fold_of_group[g] = f;
    }
    Ok(groups.iter().map(|&g| fold_of_group[g]).collect())
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
    kfold_assign_with(n, p, &mut NumpyRandomState::new(p.random_state.unwrap_or(seed)))
}

/// [`kfold_assign`] drawing its shuffle from `rng` (scikit-learn's `KFold` with a
/// `RandomState`: the repeated splitters share one across repetitions).
fn kfold_assign_with(n: usize, p: &KFoldParams, rng: &mut NumpyRandomState) -> Result<Vec<usize>> {
    check_splits(p, n)?;
    let k = p.n_splits;
    let mut order: Vec<usize> = (0..n).collect();
    if p.shuffle {
        rng.shuffle(&mut order);
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
    stratified_assign_with(y, p, &mut NumpyRandomState::new(p.random_state.unwrap_or(seed)))
}

/// [`stratified_assign`] drawing its shuffles from `rng` (one per class, in class order).
fn stratified_assign_with(y: &[usize], p: &KFoldParams, rng: &mut NumpyRandomState) -> Result<Vec<usize>> {
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
        y_order.extend(std::iter::repeat_n(c, cnt));
    }
    let mut alloc = vec![vec![0usize; n_classes]; k];
    for (i, &c) in y_order.iter().enumerate() {
        alloc[i % k][c] += 1;
    }
    let mut fold_of = vec![0; n];
    for c in 0..n_classes {
        let mut folds_for_class: Vec<usize> = (0..k).flat_map(|f| std::iter::repeat_n(f, alloc[f][c])).collect();
        if p.shuffle {
            rng.shuffle(&mut folds_for_class);
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
        assert_eq!(CvSpec::KFold(KFoldParams::default()).n_splits(442), 5);
        let sizes: Vec<usize> = s.iter().map(|s| s.test.len()).collect();
        assert_eq!(sizes, vec![89, 89, 88, 88, 88]);
        assert_eq!(s[1].test[0], 89);
    }

    #[test]
    fn group_kfold_keeps_groups_together() {
        let g = [0, 0, 0, 1, 1, 2, 3, 3, 3, 3];
        let s = CvSpec::GroupKFold(GroupKFoldParams { n_splits: 2, groups: "g".into() }).split_groups(10, None, Some(&g), 0).unwrap();
        // Sizes g3=4, g0=3, g1=2, g2=1: g3→fold0, g0→fold1, g1→fold1 (3 < 4), g2→fold0 (4 < 5).
        assert_eq!(s[0].test, vec![5, 6, 7, 8, 9]);
        assert_eq!(s[1].test, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn stratified_shuffle_split_proportions() {
        let y: Vec<usize> = (0..100).map(|i| usize::from(i % 4 == 0)).collect();
        let s = CvSpec::StratifiedShuffleSplit(ShuffleSplitParams { n_splits: 3, test_size: Some(0.2), ..Default::default() }).split(100, Some(&y), 7).unwrap();
        for sp in &s {
            assert_eq!(sp.test.len(), 20);
            assert_eq!(sp.test.iter().filter(|&&i| y[i] == 1).count(), 5);
            assert_eq!(sp.train.len(), 80);
            assert!(sp.train.iter().all(|i| !sp.test.contains(i)));
        }
        // Same seed, same split; the browser and the CLI agree.
        assert_eq!(
            s,
            CvSpec::StratifiedShuffleSplit(ShuffleSplitParams { n_splits: 3, test_size: Some(0.2), ..Default::default() }).split(100, Some(&y), 7).unwrap()
        );
    }

    #[test]
    fn loo_and_repeated() {
        assert_eq!(CvSpec::LeaveOneOut(LeaveOneOutParams {}).split(4, None, 0).unwrap().len(), 4);
        let r = CvSpec::RepeatedKFold(RepeatedParams { n_splits: 3, n_repeats: 2, random_state: Some(1) }).split(9, None, 0).unwrap();
        assert_eq!(r.len(), 6);
        assert_ne!(r[0].test, r[3].test);
    }

    #[test]
    fn too_many_folds() {
        let e = CvSpec::KFold(KFoldParams { n_splits: 10, ..Default::default() }).split(3, None, 0).unwrap_err();
        assert!(e.to_string().contains("only 3 rows"));
    }
}
