//! Regression metrics.

pub fn mse(y: &[f64], p: &[f64]) -> f64 {
    y.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / y.len() as f64
}

pub fn mae(y: &[f64], p: &[f64]) -> f64 {
    y.iter().zip(p).map(|(a, b)| (a - b).abs()).sum::<f64>() / y.len() as f64
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
