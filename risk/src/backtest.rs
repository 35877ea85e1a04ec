//! Backtesting a margin against realized losses: over `n` horizons, `x` times the book lost more
//! than the requirement computed at the start.
//!
//! * **Kupiec's proportion-of-failures test** compares the exceedance rate `x/n` with a
//!   reference rate `p = 1 − coverage`: `LR = −2 ln[(1−p)^(n−x) p^x] + 2 ln[(1−x/n)^(n−x) (x/n)^x]`
//!   is χ²(1) when the true rate is `p`; the p-value is `P(χ²₁ ≥ LR) = 2·(1 − Φ(√LR))`.
//!   The margin is a scenario requirement (the worst loss over a shock box), not a VaR at a
//!   confidence, so the test asks whether losses beyond it happen about as often as the
//!   reference coverage says — too many means the box is too small for the history; far too few
//!   means it charges more than that coverage needs.
//! * **Traffic light** (the Basel convention): green while `P(X ≤ x) < 95%`, red from
//!   `P(X ≤ x) ≥ 99.99%`, yellow between, `X ~ Binomial(n, p)` — for 250 days at 99%: green 0–4,
//!   yellow 5–9, red 10 and more.

use margin_math::fixed_point::Precise;

use crate::{binomial_cdf, RiskError};

/// Kupiec's test of an exceedance count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kupiec {
    /// Observations (horizons).
    pub observations: u64,
    /// Horizons whose loss exceeded the margin.
    pub exceedances: u64,
    /// `exceedances / observations`.
    pub rate: f64,
    /// The reference exceedance probability `1 − coverage`.
    pub expected_rate: f64,
    /// The likelihood-ratio statistic.
    pub lr: f64,
    /// `P(χ²₁ ≥ lr)`.
    pub p_value: f64,
}

/// The Basel zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    /// Consistent with the coverage.
    Green,
    /// Could be bad luck; look.
    Yellow,
    /// Too many exceedances for the coverage.
    Red,
}

/// Kupiec's test of `exceedances` out of `observations` against `coverage` (e.g. 0.99).
/// Errors: `Empty` (no observations), `BadCount`, `BadConfidence`.
pub fn kupiec(observations: u64, exceedances: u64, coverage: f64) -> Result<Kupiec, RiskError> {
    if observations == 0 {
        return Err(RiskError::Empty);
    }
    if exceedances > observations {
        return Err(RiskError::BadCount);
    }
    if !(coverage > 0.0 && coverage < 1.0) {
        return Err(RiskError::BadConfidence(coverage));
    }
    let (n, x, p) = (observations as f64, exceedances as f64, 1.0 - coverage);
    let rate = x / n;
    // Log-likelihood of x exceedances at probability q, with 0 · ln 0 = 0.
    let ll = |q: f64| {
        let hits = if x == 0.0 { 0.0 } else { x * q.ln() };
        let misses = if x == n { 0.0 } else { (n - x) * (-q).ln_1p() };
        hits + misses
    };
    let lr = (2.0 * (ll(rate) - ll(p))).max(0.0);
    Ok(Kupiec { observations, exceedances, rate, expected_rate: p, lr, p_value: chi2_1_tail(lr) })
}

/// The zone of `exceedances` out of `observations` at `coverage`. Errors: as [`kupiec`].
pub fn traffic_light(observations: u64, exceedances: u64, coverage: f64) -> Result<Light, RiskError> {
    kupiec(observations, exceedances, coverage)?;
    let cumulative = binomial_cdf(observations, exceedances, 1.0 - coverage);
    Ok(if cumulative < 0.95 {
        Light::Green
    } else if cumulative < 0.9999 {
        Light::Yellow
    } else {
        Light::Red
    })
}

/// `P(χ²₁ ≥ s) = 2·(1 − Φ(√s))`, with margin-math's normal distribution.
fn chi2_1_tail(s: f64) -> f64 {
    let z = Precise::from_num(s.sqrt().min(30.0));
    match margin_math::normal::cdf(z) {
        Ok(phi) => (2.0 * (1.0 - phi.to_num::<f64>())).clamp(0.0, 1.0),
        Err(_) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kupiec_matches_a_hand_computed_case() {
        // 5 exceedances in 250 days against 99% (mpmath): LR = 1.95680978823063,
        // p-value = 0.161854917196042.
        let k = kupiec(250, 5, 0.99).unwrap();
        assert!((k.lr - 1.956_809_788_230_63).abs() < 1e-10, "{}", k.lr);
        assert!((k.p_value - 0.161_854_917_196_042).abs() < 1e-9, "{}", k.p_value);
        assert_eq!(k.rate, 0.02);
        // Exactly the expected rate: LR 0 (to f64 rounding; 1 − 0.99 is not exactly 0.01),
        // p-value 1 (near 0 the square root magnifies that rounding to about 1e-8).
        let k = kupiec(100, 1, 0.99).unwrap();
        assert!(k.lr.abs() < 1e-12 && k.p_value > 0.9999, "{k:?}");
        // No exceedances in 250 days at 99%: LR = −2·250·ln 0.99 = 5.0252, p = 0.0250 (mpmath).
        let k = kupiec(250, 0, 0.99).unwrap();
        assert!((k.lr - 5.025_167_926_750_7).abs() < 1e-9, "{}", k.lr);
        assert!((k.p_value - 0.024_981).abs() < 1e-5, "{}", k.p_value);
    }

    #[test]
    fn basel_zones_for_250_days_at_99_percent() {
        let zone = |x| traffic_light(250, x, 0.99).unwrap();
        assert_eq!((0..=4).map(zone).collect::<Vec<_>>(), vec![Light::Green; 5]);
        assert_eq!((5..=9).map(zone).collect::<Vec<_>>(), vec![Light::Yellow; 5]);
        assert_eq!(zone(10), Light::Red);
        assert_eq!(zone(250), Light::Red);
    }

    #[test]
    fn bad_counts_are_typed_errors() {
        assert_eq!(kupiec(0, 0, 0.99), Err(RiskError::Empty));
        assert_eq!(kupiec(10, 11, 0.99), Err(RiskError::BadCount));
        assert_eq!(kupiec(10, 1, 1.0), Err(RiskError::BadConfidence(1.0)));
    }
}
