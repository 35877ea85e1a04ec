//! deltamargin's off-chain risk statistics (issue 18's first part): the numbers a risk desk reads
//! off a distribution of portfolio P&L — Value at Risk and Expected Shortfall by order
//! statistics, a distribution-free confidence interval for the VaR, and the backtest of a margin
//! against realized losses (Kupiec's proportion-of-failures test and the Basel traffic light).
//!
//! Off chain and after the revaluation: the P&L of each scenario comes from `margin-math`
//! (exact, fixed point); the statistics over them use `f64`.

pub mod backtest;
pub mod history;
pub mod monte_carlo;
pub mod revalue;
pub mod tail;

/// Why a statistic cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RiskError {
    /// No scenarios (or no observations).
    Empty,
    /// A confidence level outside `(0, 1)`.
    BadConfidence(f64),
    /// A P&L value that is NaN or infinite.
    NotFinite,
    /// More exceedances than observations.
    BadCount,
}

impl core::fmt::Display for RiskError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            RiskError::Empty => write!(f, "no scenarios"),
            RiskError::BadConfidence(c) => write!(f, "confidence {c} is not between 0 and 1"),
            RiskError::NotFinite => write!(f, "a P&L value is not a finite number"),
            RiskError::BadCount => write!(f, "more exceedances than observations"),
        }
    }
}

impl std::error::Error for RiskError {}

/// `ln C(n, k) + k ln p + (n − k) ln(1 − p)`: the log of the binomial probability of `k`.
pub(crate) fn ln_binomial_pmf(n: u64, k: u64, p: f64) -> f64 {
    let ln_choose = ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k);
    let (k, rest) = (k as f64, (n - k) as f64);
    let with_p = if k == 0.0 { 0.0 } else { k * p.ln() };
    let with_q = if rest == 0.0 { 0.0 } else { rest * (-p).ln_1p() };
    ln_choose + with_p + with_q
}

/// `P(X ≤ k)` for `X ~ Binomial(n, p)`, summed in order (exact to `f64` rounding).
pub fn binomial_cdf(n: u64, k: u64, p: f64) -> f64 {
    (0..=k.min(n)).map(|i| ln_binomial_pmf(n, i, p).exp()).sum::<f64>().min(1.0)
}

/// `ln(n!)`: summed for small `n`, Stirling's series (error below 1e-12) above.
pub(crate) fn ln_factorial(n: u64) -> f64 {
    if n < 64 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64 + 1.0;
    // ln Γ(x) by Stirling with three correction terms.
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x.powi(3))
        + 1.0 / (1260.0 * x.powi(5))
}

/// Test helpers shared by the modules' tests.
#[cfg(test)]
pub(crate) mod testing {
    /// BTC at 60,000, vol 0.5, 10% / 5% spot shocks and no vol shocks: the test books' market.
    pub(crate) fn btc_at_60000() -> margin_math::margin::Market {
        const E18: u128 = 1_000_000_000_000_000_000;
        let params = margin_math::margin::MarketParams {
            spot_shock_im_e18: E18 / 10,
            spot_shock_mm_e18: E18 / 20,
            vol_shock_im_e18: 0,
            vol_shock_mm_e18: 0,
            vol_floor_e18: E18 / 10,
            short_option_addon_e18: 0,
            rate_e18: 0,
        };
        margin_math::margin::Market { underlying: 0, spot_e18: 60_000 * E18, vol_e18: E18 / 2, params }
    }

    /// `Φ⁻¹(u)` by Newton's method on margin-math's normal CDF, from `start`.
    pub(crate) fn normal_quantile(u: f64, start: f64) -> f64 {
        let f = |z: f64| margin_math::Precise::from_num(z);
        let mut z = start;
        for _ in 0..8 {
            let phi = margin_math::normal::cdf(f(z)).unwrap().to_num::<f64>();
            let density = margin_math::normal::pdf(f(z)).unwrap().to_num::<f64>();
            z -= (phi - u) / density;
        }
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factorials_and_the_binomial() {
        assert!((ln_factorial(10) - 3_628_800f64.ln()).abs() < 1e-12);
        // ln(100!) = 363.73937555556349014... (mpmath)
        assert!((ln_factorial(100) - 363.739_375_555_563_49).abs() < 1e-9);
        // P(X ≤ 4), X ~ Bin(250, 0.01) = 0.892187626903625 (mpmath).
        assert!((binomial_cdf(250, 4, 0.01) - 0.892_187_626_903_625).abs() < 1e-12);
        assert!((binomial_cdf(250, 250, 0.01) - 1.0).abs() < 1e-12);
        assert!((binomial_cdf(3, 0, 0.5) - 0.125).abs() < 1e-15);
    }

    /// The closed-form check, through the revaluation: long 2 BTC perpetual at 60,000
    /// with spot moves `1 + 3%·z`, z standard normal (a stratified sample of 20,000): P&L =
    /// 3,600·z exactly, so VaR₉₉ = 3,600 · 2.326348 = 8,374.85 and ES₉₉ = 3,600 · 2.665214 =
    /// 9,594.77 (textbook normal values), within the sample's discreteness.
    #[test]
    fn linear_book_under_normal_moves_matches_the_closed_form() {
        use margin_math::margin::{Account, Position, PositionKind};
        const E18: u128 = 1_000_000_000_000_000_000;
        let market = testing::btc_at_60000();
        let positions = [Position {
            underlying: 0,
            size_e18: 2 * E18 as i128,
            kind: PositionKind::Linear { entry_e18: 60_000 * E18 },
        }];
        let account = Account { cash: 0, cash_decimals: 18, collateral: &[], positions: &positions };
        let n = 20_000;
        let mut z = -4.0;
        let scenarios: Vec<revalue::Scenario> = (1..=n)
            .map(|i| {
                z = testing::normal_quantile((i as f64 - 0.5) / n as f64, z);
                let factor = ((1.0 + 0.03 * z) * 1e18).round() as u128;
                revalue::Scenario { spot_factor_e18: vec![factor], vol_factor_e18: vec![E18] }
            })
            .collect();
        let pnl = revalue::pnl(&[market], &account, 1_767_225_600_000, 86_400_000, &scenarios).unwrap();
        let t = tail::tail(&pnl, 0.99, 0.95).unwrap();
        assert!((t.var - 8_374.85).abs() < 4.0, "VaR {}", t.var);
        assert!((t.es - 9_594.77).abs() < 12.0, "ES {}", t.es);
    }
}
