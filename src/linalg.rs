//! Small dense linear algebra on top of ndarray, with nalgebra for the
//! decompositions (symmetric eigen). See ARCHITECTURE.md for why nalgebra.

use ndarray::{Array1, Array2, ArrayView2};

use crate::{Error, Result};

/// Column means of a row-major matrix.
pub fn column_means(x: ArrayView2<f64>) -> Array1<f64> {
    let n = x.nrows().max(1) as f64;
    let mut m = Array1::<f64>::zeros(x.ncols());
    for row in x.rows() {
        m += &row;
    }
    m / n
}

/// `(X - 1 mᵀ)ᵀ (X - 1 mᵀ)` and `(X - 1 mᵀ)ᵀ (y - ȳ)` in one pass over the rows
/// (`m`, `ȳ` zero when `center` is false).
pub fn centered_gram(x: ArrayView2<f64>, y: &[f64], mean: &Array1<f64>, y_mean: f64) -> (Array2<f64>, Array1<f64>) {
    let p = x.ncols();
    let mut g = Array2::<f64>::zeros((p, p));
    let mut xty = Array1::<f64>::zeros(p);
    let mut r = vec![0.0; p];
    for (i, row) in x.rows().into_iter().enumerate() {
        for j in 0..p {
            r[j] = row[j] - mean[j];
        }
        let yi = y[i] - y_mean;
        for j in 0..p {
            let rj = r[j];
            xty[j] += rj * yi;
            let gj = g.row_mut(j).into_slice().expect("rows of a standard-layout matrix are contiguous");
            for k in j..p {
                gj[k] += rj * r[k];
            }
        }
    }
    for j in 0..p {
        for k in 0..j {
            g[[j, k]] = g[[k, j]];
        }
    }
    (g, xty)
}

/// Eigen-decomposition of a symmetric matrix: eigenvalues ascending and the
/// matching eigenvectors as columns.
pub fn sym_eigen(a: &Array2<f64>) -> Result<(Vec<f64>, Array2<f64>)> {
    let p = a.nrows();
    if a.iter().any(|v| !v.is_finite()) {
        return Err(Error::Numerical("matrix has non-finite entries".into()));
    }
    let m = nalgebra::DMatrix::from_fn(p, p, |i, j| a[[i, j]]);
    let eig = m.symmetric_eigen();
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&i, &j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
    let vals = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let mut vecs = Array2::<f64>::zeros((p, p));
    for (c, &i) in order.iter().enumerate() {
        for r in 0..p {
            vecs[[r, c]] = eig.eigenvectors[(r, i)];
        }
    }
    Ok((vals, vecs))
}

/// Minimum-norm solution of the normal equations `G w = b` for a symmetric
/// positive semi-definite `G`, dropping directions with eigenvalue below
/// `rcond * λ_max` (the Gram-matrix analogue of `lstsq`'s singular-value cut-off).
pub fn solve_psd_min_norm(g: &Array2<f64>, b: &Array1<f64>, rcond: f64) -> Result<(Array1<f64>, usize)> {
    let p = g.nrows();
    let (vals, vecs) = sym_eigen(g)?;
    let lmax = vals.last().copied().unwrap_or(0.0).max(0.0);
    let cutoff = lmax * rcond;
    let mut w = Array1::<f64>::zeros(p);
    let mut rank = 0;
    for (k, &l) in vals.iter().enumerate() {
        if l > cutoff && l > 0.0 {
            rank += 1;
            let v = vecs.column(k);
            let c = v.dot(b) / l;
            w.scaled_add(c, &v);
        }
    }
    Ok((w, rank))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn min_norm_on_rank_deficient() {
        // Two identical columns: min-norm splits the weight evenly.
        let x = array![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        let y = [2.0, 4.0, 6.0];
        let zero = Array1::zeros(2);
        let (g, b) = centered_gram(x.view(), &y, &zero, 0.0);
        let (w, rank) = solve_psd_min_norm(&g, &b, 1e-12).unwrap();
        assert_eq!(rank, 1);
        assert!((w[0] - 1.0).abs() < 1e-12 && (w[1] - 1.0).abs() < 1e-12);
    }
}
