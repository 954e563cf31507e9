//! Regression metrics, as scikit-learn computes them.

pub fn mse(y: &[f64], p: &[f64]) -> f64 {
    y.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / y.len() as f64
}

pub fn mae(y: &[f64], p: &[f64]) -> f64 {
    y.iter().zip(p).map(|(a, b)| (a - b).abs()).sum::<f64>() / y.len() as f64
}

pub fn median_ae(y: &[f64], p: &[f64]) -> f64 {
    let mut e: Vec<f64> = y.iter().zip(p).map(|(a, b)| (a - b).abs()).collect();
    crate::numeric::median_in_place(&mut e)
}

pub fn max_error(y: &[f64], p: &[f64]) -> f64 {
    y.iter().zip(p).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
}

/// Mean absolute percentage error as a fraction (scikit-learn: |y − p| / max(|y|, eps)).
pub fn mape(y: &[f64], p: &[f64]) -> f64 {
    y.iter().zip(p).map(|(a, b)| (a - b).abs() / a.abs().max(f64::EPSILON)).sum::<f64>() / y.len() as f64
}

/// R² as scikit-learn: 1 − SSres/SStot; a constant `y` gives 1.0 for a perfect
/// prediction and 0.0 otherwise.
pub fn r2(y: &[f64], p: &[f64]) -> f64 {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let ss_res: f64 = y.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum();
    let ss_tot: f64 = y.iter().map(|a| (a - mean) * (a - mean)).sum();
    if ss_tot == 0.0 {
        return if ss_res == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - ss_res / ss_tot
}

/// Explained variance: 1 − Var(y − p) / Var(y), same constant-`y` convention as R².
pub fn explained_variance(y: &[f64], p: &[f64]) -> f64 {
    let n = y.len() as f64;
    let d: Vec<f64> = y.iter().zip(p).map(|(a, b)| a - b).collect();
    let md = d.iter().sum::<f64>() / n;
    let vd = d.iter().map(|v| (v - md) * (v - md)).sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let vy = y.iter().map(|v| (v - my) * (v - my)).sum::<f64>() / n;
    if vy == 0.0 {
        return if vd == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - vd / vy
}
