//! Monte Carlo scenarios with a Student-t copula and Student-t marginals, seeded and
//! reproducible.
//!
//! For `d` underlyings with correlation matrix `C` (Cholesky factor `L`), yearly vols `σᵢ`, a
//! horizon of `h` days and `ν` degrees of freedom (an integer ≥ 3): each path draws standard
//! normals `z` (Box–Muller) and one `χ²_ν` (the sum of `ν` squared normals) shared by all
//! underlyings, so `tᵢ = (L z)ᵢ / √(χ²/ν)` is multivariate t (in a crash everything moves
//! together). The log return is `rᵢ = σᵢ·√(h/365)·√((ν−2)/ν)·tᵢ`: unit-variance t shocks scaled to
//! each underlying's vol. Vols stay as they are (the vol factors are 1); moving them with the
//! returns is still to do.
//!
//! ChaCha20 seeded with the given seed: the same inputs give the same scenarios on every
//! machine.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::revalue::Scenario;
use crate::RiskError;

const E18: f64 = 1e18;

/// What the paths are drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Yearly vol per underlying (e.g. 0.6).
    pub vols: Vec<f64>,
    /// Correlation matrix (symmetric, unit diagonal, positive definite), row by row.
    pub correlation: Vec<Vec<f64>>,
    /// Degrees of freedom of the t distribution (≥ 3; larger is closer to normal).
    pub dof: u32,
    /// Horizon, days.
    pub horizon_days: f64,
}

/// `paths` scenarios from `model`, seeded by `seed`. Errors:
/// `Empty` (no underlyings or no paths), `NotFinite` (a correlation matrix that is not
/// positive definite, or non-finite inputs).
pub fn scenarios(model: &Model, paths: usize, seed: u64) -> Result<Vec<Scenario>, RiskError> {
    let d = model.vols.len();
    if d == 0 || paths == 0 {
        return Err(RiskError::Empty);
    }
    let l = cholesky(&model.correlation, d).ok_or(RiskError::NotFinite)?;
    if model.dof < 3
        || model.horizon_days.is_nan()
        || model.horizon_days <= 0.0
        || model.vols.iter().any(|v| !v.is_finite() || *v < 0.0)
    {
        return Err(RiskError::NotFinite);
    }
    let nu = f64::from(model.dof);
    let scale: Vec<f64> =
        model.vols.iter().map(|v| v * (model.horizon_days / 365.0).sqrt() * ((nu - 2.0) / nu).sqrt()).collect();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut normal = move || {
        // Box–Muller on (0, 1] × [0, 1).
        let u1: f64 = 1.0 - rng.gen::<f64>();
        let u2: f64 = rng.gen::<f64>();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    };
    let mut out = Vec::with_capacity(paths);
    for _ in 0..paths {
        let z: Vec<f64> = (0..d).map(|_| normal()).collect();
        let chi2: f64 = (0..model.dof).map(|_| normal().powi(2)).sum();
        let w = (chi2 / nu).sqrt();
        let spot_factor_e18 = (0..d)
            .map(|i| {
                let correlated: f64 = (0..=i).map(|k| l[i][k] * z[k]).sum();
                ((scale[i] * correlated / w).exp() * E18).round() as u128
            })
            .collect();
        out.push(Scenario { spot_factor_e18, vol_factor_e18: vec![E18 as u128; d] });
    }
    Ok(out)
}

/// Pearson correlation of equally long return series (the identity for fewer than 3 points).
pub fn correlation(series: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = series.len();
    let mut c = vec![vec![0.0; d]; d];
    for (i, row) in c.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = if i == j { 1.0 } else { pearson(&series[i], &series[j]) };
        }
    }
    c
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 3 {
        return 0.0;
    }
    let (ma, mb) = (a[..n].iter().sum::<f64>() / n as f64, b[..n].iter().sum::<f64>() / n as f64);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for k in 0..n {
        let (x, y) = (a[k] - ma, b[k] - mb);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if saa == 0.0 || sbb == 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Lower Cholesky factor of a `d × d` matrix; `None` unless symmetric positive definite.
fn cholesky(m: &[Vec<f64>], d: usize) -> Option<Vec<Vec<f64>>> {
    if m.len() != d || m.iter().any(|r| r.len() != d) {
        return None;
    }
    let mut l = vec![vec![0.0; d]; d];
    for i in 0..d {
        for j in 0..=i {
            if (m[i][j] - m[j][i]).abs() > 1e-12 {
                return None;
            }
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let v = m[i][i] - s;
                if v.is_nan() || v <= 0.0 {
                    return None;
                }
                l[i][j] = v.sqrt();
            } else {
                l[i][j] = (m[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_returns(s: &[Scenario], i: usize) -> Vec<f64> {
        s.iter().map(|x| (x.spot_factor_e18[i] as f64 / E18).ln()).collect()
    }

    /// Seeded: the same seed gives the same paths, another seed others; the returns have the
    /// asked vol (σ·√(h/365)) and correlation, and fatter tails than a normal (kurtosis of a
    /// t with ν = 5 is 9).
    #[test]
    fn paths_have_the_asked_moments_and_are_reproducible() {
        let model = Model {
            vols: vec![0.6, 0.8],
            correlation: vec![vec![1.0, 0.7], vec![0.7, 1.0]],
            dof: 5,
            horizon_days: 1.0,
        };
        let a = scenarios(&model, 40_000, 7).unwrap();
        assert_eq!(a, scenarios(&model, 40_000, 7).unwrap());
        assert_ne!(a[..10], scenarios(&model, 10, 8).unwrap()[..]);
        let (r0, r1) = (log_returns(&a, 0), log_returns(&a, 1));
        let sd = |r: &[f64]| (r.iter().map(|x| x * x).sum::<f64>() / r.len() as f64).sqrt();
        let want0 = 0.6 * (1.0f64 / 365.0).sqrt();
        assert!((sd(&r0) / want0 - 1.0).abs() < 0.03, "{} vs {want0}", sd(&r0));
        assert!((sd(&r1) / (0.8 * (1.0f64 / 365.0).sqrt()) - 1.0).abs() < 0.03);
        let c = correlation(&[r0.clone(), r1]);
        assert!((c[0][1] - 0.7).abs() < 0.02, "{}", c[0][1]);
        let kurtosis = r0.iter().map(|x| x.powi(4)).sum::<f64>() / r0.len() as f64 / sd(&r0).powi(4);
        assert!(kurtosis > 5.0, "{kurtosis}");
    }

    #[test]
    fn bad_models_are_errors() {
        let ok = Model { vols: vec![0.5], correlation: vec![vec![1.0]], dof: 4, horizon_days: 1.0 };
        assert!(scenarios(&ok, 1, 1).is_ok());
        assert_eq!(scenarios(&ok, 0, 1), Err(RiskError::Empty));
        let not_pd = Model { vols: vec![0.5, 0.5], correlation: vec![vec![1.0, 1.5], vec![1.5, 1.0]], ..ok.clone() };
        assert_eq!(scenarios(&not_pd, 1, 1), Err(RiskError::NotFinite));
        assert_eq!(scenarios(&Model { dof: 2, ..ok }, 1, 1), Err(RiskError::NotFinite));
        assert_eq!(correlation(&[vec![1.0, 2.0, 3.0], vec![2.0, 4.0, 6.0]])[0][1], 1.0);
    }
}
