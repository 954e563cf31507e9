//! Clustering metrics, as scikit-learn's `sklearn.metrics`:
//! silhouette (mean and per sample), Davies–Bouldin, Calinski–Harabasz
//! (internal: need the data) and adjusted Rand index, normalized mutual
//! information (external: compare two labelings).
//!
//! Labels are arbitrary integers. Like scikit-learn, these functions treat the
//! noise label `-1` of DBSCAN as one more cluster (scikit-learn's metrics know
//! nothing of noise), so DBSCAN scores include the noise "cluster".
//! Distances are euclidean.

use ndarray::{Array2, ArrayView2};

use crate::{Error, Result};

/// Dense label indices `0..k` (in sorted label order) and `k`.
pub fn dense_labels(labels: &[i64]) -> (Vec<usize>, usize) {
    let mut u: Vec<i64> = labels.to_vec();
    crate::sorting::sort_i64(&mut u);
    u.dedup();
    // binary_search on the sorted distinct labels always succeeds.
    (labels.iter().map(|l| u.binary_search(l).unwrap_or(0)).collect(), u.len())
}

/// scikit-learn's `check_number_of_labels`: 2 ≤ k ≤ n − 1.
fn check_k(k: usize, n: usize) -> Result<()> {
    if k < 2 || k + 1 > n {
        return Err(Error::data(format!("the clustering has {k} cluster(s) over {n} rows; this score needs between 2 and n_rows − 1 clusters")));
    }
    Ok(())
}

fn check_shape(x: ArrayView2<f64>, labels: &[i64]) -> Result<()> {
    if x.nrows() != labels.len() {
        return Err(Error::data(format!("{} rows but {} labels", x.nrows(), labels.len())));
    }
    Ok(())
}

fn row_major(x: ArrayView2<f64>) -> Vec<f64> {
    x.as_standard_layout().iter().copied().collect()
}

/// Silhouette coefficient of every row (scikit-learn's `silhouette_samples`,
/// euclidean): `(b − a) / max(a, b)`, 0 for rows alone in their cluster.
/// Pairwise distances are accumulated per cluster in blocks of rows, using
/// symmetry; memory is O(n·k), never n².
pub fn silhouette_samples(x: ArrayView2<f64>, labels: &[i64]) -> Result<Vec<f64>> {
    check_shape(x, labels)?;
    let (lab, k) = dense_labels(labels);
    let n = lab.len();
    check_k(k, n)?;
    let d = x.ncols();
    let xs = row_major(x);
    // sums[i * k + c] = Σ_{j in cluster c} ‖x_i − x_j‖
    let mut sums = vec![0.0f64; n * k];
    const BLOCK: usize = 64;
    let mut ib = 0;
    while ib < n {
        let ie = (ib + BLOCK).min(n);
        for j in ib..n {
            let xj = &xs[j * d..(j + 1) * d];
            let lj = lab[j];
            for i in ib..ie.min(j) {
                let dist = crate::models::cluster::sq_dist(&xs[i * d..(i + 1) * d], xj).sqrt();
                sums[i * k + lj] += dist;
                sums[j * k + lab[i]] += dist;
            }
        }
        ib = ie;
    }
    let mut freq = vec![0usize; k];
    lab.iter().for_each(|&c| freq[c] += 1);
    Ok((0..n)
        .map(|i| {
            let own = lab[i];
            let a = sums[i * k + own] / (freq[own] as f64 - 1.0);
            let b = (0..k).filter(|&c| c != own).map(|c| sums[i * k + c] / freq[c] as f64).fold(f64::INFINITY, f64::min);
            let s = (b - a) / a.max(b);
            if s.is_nan() {
                0.0
            } else {
                s
            }
        })
        .collect())
}

/// Mean silhouette coefficient (scikit-learn's `silhouette_score`, euclidean, all rows).
pub fn silhouette_score(x: ArrayView2<f64>, labels: &[i64]) -> Result<f64> {
    let s = silhouette_samples(x, labels)?;
    Ok(s.iter().sum::<f64>() / s.len() as f64)
}

fn centroids(xs: &[f64], d: usize, lab: &[usize], k: usize) -> (Array2<f64>, Vec<usize>) {
    let mut c = Array2::<f64>::zeros((k, d));
    let mut cnt = vec![0usize; k];
    for (i, &l) in lab.iter().enumerate() {
        cnt[l] += 1;
        for j in 0..d {
            c[[l, j]] += xs[i * d + j];
        }
    }
    for l in 0..k {
        for j in 0..d {
            c[[l, j]] /= cnt[l] as f64;
        }
    }
    (c, cnt)
}

/// Davies–Bouldin index (scikit-learn's `davies_bouldin_score`; lower is better).
pub fn davies_bouldin(x: ArrayView2<f64>, labels: &[i64]) -> Result<f64> {
    check_shape(x, labels)?;
    let (lab, k) = dense_labels(labels);
    let n = lab.len();
    check_k(k, n)?;
    let d = x.ncols();
    let xs = row_major(x);
    let (c, cnt) = centroids(&xs, d, &lab, k);
    let mut intra = vec![0.0f64; k];
    for (i, &l) in lab.iter().enumerate() {
        let mut s = 0.0;
        for j in 0..d {
            let t = xs[i * d + j] - c[[l, j]];
            s += t * t;
        }
        intra[l] += s.sqrt();
    }
    for l in 0..k {
        intra[l] /= cnt[l] as f64;
    }
    let cd = |a: usize, b: usize| (0..d).map(|j| (c[[a, j]] - c[[b, j]]).powi(2)).sum::<f64>().sqrt();
    // np.allclose(v, 0): |v| <= 1e-8.
    let intra_zero = intra.iter().all(|t| t.abs() <= 1e-8);
    let centres_zero = (0..k).all(|a| (0..k).all(|b| cd(a, b) <= 1e-8));
    if intra_zero || centres_zero {
        return Ok(0.0);
    }
    let mut total = 0.0;
    for a in 0..k {
        let mut m = f64::NEG_INFINITY;
        for b in 0..k {
            let dist = cd(a, b);
            let dist = if dist == 0.0 { f64::INFINITY } else { dist };
            m = m.max((intra[a] + intra[b]) / dist);
        }
        total += m;
    }
    Ok(total / k as f64)
}

/// Calinski–Harabasz index (scikit-learn's `calinski_harabasz_score`; higher is better).
pub fn calinski_harabasz(x: ArrayView2<f64>, labels: &[i64]) -> Result<f64> {
    check_shape(x, labels)?;
    let (lab, k) = dense_labels(labels);
    let n = lab.len();
    check_k(k, n)?;
    let d = x.ncols();
    let xs = row_major(x);
    let (c, cnt) = centroids(&xs, d, &lab, k);
    let mean: Vec<f64> = (0..d).map(|j| (0..n).map(|i| xs[i * d + j]).sum::<f64>() / n as f64).collect();
    let mut extra = 0.0;
    for l in 0..k {
        extra += cnt[l] as f64 * (0..d).map(|j| (c[[l, j]] - mean[j]).powi(2)).sum::<f64>();
    }
    let mut intra = 0.0;
    for (i, &l) in lab.iter().enumerate() {
        intra += (0..d).map(|j| (xs[i * d + j] - c[[l, j]]).powi(2)).sum::<f64>();
    }
    if intra == 0.0 {
        return Ok(1.0);
    }
    Ok(extra * (n - k) as f64 / (intra * (k as f64 - 1.0)))
}

/// A dense contingency table with its row and column sums.
type Contingency = (Vec<Vec<u64>>, Vec<u64>, Vec<u64>);

/// Contingency table (dense) of two labelings, with row and column sums.
fn contingency(a: &[i64], b: &[i64]) -> Result<Contingency> {
    if a.len() != b.len() {
        return Err(Error::data(format!("labelings of different lengths ({} and {})", a.len(), b.len())));
    }
    let (la, ka) = dense_labels(a);
    let (lb, kb) = dense_labels(b);
    let mut t = vec![vec![0u64; kb]; ka];
    for (&i, &j) in la.iter().zip(&lb) {
        t[i][j] += 1;
    }
    let rows = t.iter().map(|r| r.iter().sum()).collect();
    let cols = (0..kb).map(|j| t.iter().map(|r| r[j]).sum()).collect();
    Ok((t, rows, cols))
}

/// Adjusted Rand index (scikit-learn's `adjusted_rand_score`).
pub fn adjusted_rand(labels_true: &[i64], labels_pred: &[i64]) -> Result<f64> {
    let (t, rows, cols) = contingency(labels_true, labels_pred)?;
    let n = labels_true.len() as i128;
    let sum_sq: i128 = t.iter().flatten().map(|&v| (v as i128) * (v as i128)).sum();
    let ck: i128 = t.iter().map(|r| r.iter().zip(&cols).map(|(&v, &c)| v as i128 * c as i128).sum::<i128>()).sum();
    let cc: i128 = t.iter().zip(&rows).map(|(r, &rs)| r.iter().map(|&v| v as i128 * rs as i128).sum::<i128>()).sum();
    let tp = sum_sq - n;
    let fp = ck - sum_sq; // C[0,1]
    let fnn = cc - sum_sq; // C[1,0]
    let tn = n * n - fp - fnn - sum_sq;
    if fnn == 0 && fp == 0 {
        return Ok(1.0);
    }
    let num = 2.0 * ((tp as f64) * (tn as f64) - (fnn as f64) * (fp as f64));
    let den = ((tp + fnn) as f64) * ((fnn + tn) as f64) + ((tp + fp) as f64) * ((fp + tn) as f64);
    Ok(num / den)
}

fn entropy(counts: &[u64]) -> f64 {
    let pi: Vec<f64> = counts.iter().filter(|&&c| c > 0).map(|&c| c as f64).collect();
    if pi.len() <= 1 {
        return 0.0;
    }
    let s: f64 = pi.iter().sum();
    -pi.iter().map(|&p| (p / s) * (p.ln() - s.ln())).sum::<f64>()
}

/// Normalized mutual information with the arithmetic mean of the entropies
/// (scikit-learn's `normalized_mutual_info_score` default).
pub fn normalized_mutual_info(labels_true: &[i64], labels_pred: &[i64]) -> Result<f64> {
    let (t, rows, cols) = contingency(labels_true, labels_pred)?;
    let (ka, kb) = (rows.len(), cols.len());
    if (ka == 1 && kb == 1) || (ka == 0 && kb == 0) {
        return Ok(1.0);
    }
    let mi = if ka == 1 || kb == 1 {
        0.0
    } else {
        let total: f64 = rows.iter().sum::<u64>() as f64;
        let (ls_r, ls_c) = ((rows.iter().sum::<u64>() as f64).ln(), (cols.iter().sum::<u64>() as f64).ln());
        let mut mi = 0.0;
        for (i, r) in t.iter().enumerate() {
            for (j, &v) in r.iter().enumerate() {
                if v == 0 {
                    continue;
                }
                let nm = v as f64 / total;
                let outer = (rows[i] as f64) * (cols[j] as f64);
                let term = nm * ((v as f64).ln() - total.ln()) + nm * (-outer.ln() + ls_r + ls_c);
                if term.abs() >= f64::EPSILON {
                    mi += term;
                }
            }
        }
        mi.max(0.0)
    };
    if mi == 0.0 {
        return Ok(0.0);
    }
    let norm = (entropy(&rows) + entropy(&cols)) / 2.0;
    Ok(mi / norm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn silhouette_hand_computed() {
        // 1-D: cluster A = {0, 1}, cluster B = {4}.
        // row 0: a = 1, b = 4 -> 0.75; row 1: a = 1, b = 3 -> 2/3; row 2: singleton -> 0.
        let x = array![[0.0], [1.0], [4.0]];
        let s = silhouette_samples(x.view(), &[7, 7, -1]).unwrap();
        close(s[0], 0.75);
        close(s[1], 2.0 / 3.0);
        close(s[2], 0.0);
        close(silhouette_score(x.view(), &[7, 7, -1]).unwrap(), (0.75 + 2.0 / 3.0) / 3.0);
        // Needs 2..n-1 clusters.
        assert!(silhouette_score(x.view(), &[0, 0, 0]).is_err());
        assert!(silhouette_score(x.view(), &[0, 1, 2]).is_err());
    }

    #[test]
    fn silhouette_blocks_agree_with_naive() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let x = Array2::from_shape_fn((200, 3), |_| rng.random::<f64>());
        let labels: Vec<i64> = (0..200).map(|_| rng.random_range(0..4)).collect();
        let s = silhouette_samples(x.view(), &labels).unwrap();
        for i in [0, 63, 64, 65, 199] {
            let mean_to = |c: i64| {
                let js: Vec<usize> = (0..200).filter(|&j| labels[j] == c && j != i).collect();
                js.iter().map(|&j| (&x.row(i) - &x.row(j)).mapv(|v| v * v).sum().sqrt()).sum::<f64>() / js.len() as f64
            };
            let a = mean_to(labels[i]);
            let b = (0..4)
                .filter(|&c| c != labels[i])
                .map(|c| {
                    let js: Vec<usize> = (0..200).filter(|&j| labels[j] == c).collect();
                    js.iter().map(|&j| (&x.row(i) - &x.row(j)).mapv(|v| v * v).sum().sqrt()).sum::<f64>() / js.len() as f64
                })
                .fold(f64::INFINITY, f64::min);
            assert!((s[i] - (b - a) / a.max(b)).abs() < 1e-12);
        }
    }

    #[test]
    fn davies_bouldin_and_calinski_hand_computed() {
        // Clusters {0, 2} (centroid 1, intra 1) and {10, 12} (centroid 11, intra 1): DB = (1+1)/10 = 0.2.
        let x = array![[0.0], [2.0], [10.0], [12.0]];
        let l = [0, 0, 1, 1];
        close(davies_bouldin(x.view(), &l).unwrap(), 0.2);
        // CH: mean 6; extra = 2·25 + 2·25 = 100; intra = 4; (n−k)/(k−1) = 2 -> 100·2/4 = 50.
        close(calinski_harabasz(x.view(), &l).unwrap(), 50.0);
        // Zero within-cluster spread.
        let y = array![[0.0], [0.0], [1.0], [1.0]];
        close(calinski_harabasz(y.view(), &l).unwrap(), 1.0);
        close(davies_bouldin(y.view(), &l).unwrap(), 0.0);
    }

    #[test]
    fn ari_and_nmi_hand_computed() {
        // scikit-learn docs: adjusted_rand_score([0, 0, 1, 2], [0, 0, 1, 1]) = 0.5714285714285715
        close(adjusted_rand(&[0, 0, 1, 2], &[0, 0, 1, 1]).unwrap(), 0.5714285714285715);
        close(adjusted_rand(&[0, 0, 1, 1], &[5, 5, -1, -1]).unwrap(), 1.0);
        // adjusted_rand_score([0, 0, 1, 1], [0, 1, 0, 1]) = -0.5
        close(adjusted_rand(&[0, 0, 1, 1], &[0, 1, 0, 1]).unwrap(), -0.5);
        close(normalized_mutual_info(&[0, 0, 1, 1], &[1, 1, 0, 0]).unwrap(), 1.0);
        close(normalized_mutual_info(&[0, 0, 1, 1], &[0, 1, 0, 1]).unwrap(), 0.0);
        close(normalized_mutual_info(&[0, 0, 0], &[1, 1, 1]).unwrap(), 1.0);
        // [0,0,1,1] vs [0,0,0,1]: MI = ln2 − (3/4)·H(1/3) ... check against the closed form.
        let h = |p: &[f64]| -p.iter().filter(|&&v| v > 0.0).map(|v| v * v.ln()).sum::<f64>();
        let mi = h(&[0.5, 0.5]) + h(&[0.75, 0.25]) - h(&[0.5, 0.25, 0.25]);
        close(normalized_mutual_info(&[0, 0, 1, 1], &[0, 0, 0, 1]).unwrap(), mi / ((h(&[0.5, 0.5]) + h(&[0.75, 0.25])) / 2.0));
    }
}
