//! Value at Risk and Expected Shortfall of a P&L distribution given by scenarios.
//!
//! Losses are `−P&L`, sorted ascending: `L₍₁₎ ≤ … ≤ L₍ₙ₎`. At confidence `c` (e.g. 0.99):
//! * `VaR_c = L₍ₖ₎` with `k = ⌈c·n⌉`: the smallest loss that at least a share `c` of the
//!   scenarios do not exceed (an order statistic, no interpolation: historical VaR is exactly a
//!   revalued scenario's loss);
//! * `ES_c` = the mean of the losses from `L₍ₖ₎` up, the `n − k + 1` worst scenarios;
//! * the interval `[L₍ⱼ₎, L₍ₘ₎]` covers the true `c`-quantile with probability at least
//!   `coverage`, whatever the distribution: the number of scenarios below the true quantile is
//!   `Binomial(n, c)`, so `j` and `m` are its `(1 − coverage)/2` and `(1 + coverage)/2`
//!   quantiles (an index past the sample is reported as `None`: too few scenarios to bound that
//!   side).

use crate::{binomial_cdf, RiskError};

/// The tail of a scenario P&L distribution at one confidence level.
#[derive(Debug, Clone, PartialEq)]
pub struct Tail {
    /// Confidence level, e.g. 0.99.
    pub confidence: f64,
    /// Scenarios.
    pub scenarios: usize,
    /// Value at Risk: the `k`-th smallest loss (quote; positive = loss).
    pub var: f64,
    /// Expected Shortfall: the mean loss of the `scenarios − k + 1` worst scenarios.
    pub es: f64,
    /// `k = ⌈confidence · scenarios⌉` (1-based rank of the VaR among the sorted losses).
    pub rank: usize,
    /// Lower end of the VaR's distribution-free interval, with its rank; `None` if the sample
    /// is too small to bound it.
    pub var_low: Option<(usize, f64)>,
    /// Upper end, likewise.
    pub var_high: Option<(usize, f64)>,
    /// Probability the interval was built for (e.g. 0.95).
    pub coverage: f64,
}

/// The tail of `pnl` at `confidence`, with a `coverage` interval for the VaR. Errors: `Empty`,
/// `BadConfidence` (either level outside `(0, 1)`), `NotFinite`.
pub fn tail(pnl: &[f64], confidence: f64, coverage: f64) -> Result<Tail, RiskError> {
    for level in [confidence, coverage] {
        if !(level > 0.0 && level < 1.0) {
            return Err(RiskError::BadConfidence(level));
        }
    }
    if pnl.is_empty() {
        return Err(RiskError::Empty);
    }
    if pnl.iter().any(|x| !x.is_finite()) {
        return Err(RiskError::NotFinite);
    }
    let mut losses: Vec<f64> = pnl.iter().map(|x| -x).collect();
    losses.sort_by(f64::total_cmp);
    let n = losses.len();
    let rank = rank_of(confidence, n);
    let var = losses[rank - 1];
    let worst = &losses[rank - 1..];
    let es = worst.iter().sum::<f64>() / worst.len() as f64;
    let (low, high) = interval_ranks(n, confidence, coverage);
    let at = |r: Option<usize>| r.map(|r| (r, losses[r - 1]));
    Ok(Tail { confidence, scenarios: n, var, es, rank, var_low: at(low), var_high: at(high), coverage })
}

/// `⌈c · n⌉` clamped to `1..=n` (computed so that `c · n` landing on an integer gives that
/// integer despite binary rounding).
pub fn rank_of(confidence: f64, n: usize) -> usize {
    let exact = confidence * n as f64;
    let rounded = exact.round();
    let k = if (exact - rounded).abs() < 1e-9 * exact.max(1.0) { rounded } else { exact.ceil() };
    (k as usize).clamp(1, n)
}

/// Ranks `(j, m)` of the distribution-free interval for the `c`-quantile of `n` samples: `j`
/// the largest with `P(B < j) ≤ (1 − coverage)/2`, `m` the smallest with
/// `P(B < m) ≥ (1 + coverage)/2`, `B ~ Binomial(n, c)`; `None` where no rank in `1..=n` does.
pub fn interval_ranks(n: usize, confidence: f64, coverage: f64) -> (Option<usize>, Option<usize>) {
    let n64 = n as u64;
    let (lo_p, hi_p) = ((1.0 - coverage) / 2.0, (1.0 + coverage) / 2.0);
    // P(B < r) = P(B ≤ r − 1).
    let below = |r: usize| if r == 0 { 0.0 } else { binomial_cdf(n64, r as u64 - 1, confidence) };
    let low = (1..=n).rev().find(|&r| below(r) <= lo_p);
    let high = (1..=n).find(|&r| below(r) >= hi_p);
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_is_an_order_statistic_and_es_the_mean_beyond() {
        // 100 scenarios with P&L −1 … −100 (losses 1 … 100).
        let pnl: Vec<f64> = (1..=100).map(|i| -(i as f64)).collect();
        let t = tail(&pnl, 0.95, 0.9).unwrap();
        assert_eq!((t.rank, t.var), (95, 95.0));
        // Mean of 95 … 100.
        assert_eq!(t.es, 97.5);
        let t = tail(&pnl, 0.99, 0.9).unwrap();
        assert_eq!((t.rank, t.var, t.es), (99, 99.0, 99.5));
        // Order does not matter; gains are negative losses.
        let shuffled: Vec<f64> = (1..=100).map(|i| -(((i * 37) % 100 + 1) as f64)).collect();
        assert_eq!(tail(&shuffled, 0.95, 0.9).unwrap().var, 95.0);
        assert_eq!(tail(&[5.0], 0.99, 0.9).unwrap().var, -5.0);
    }

    #[test]
    fn ranks_round_up_but_not_past_exact_products() {
        assert_eq!(rank_of(0.99, 100), 99);
        assert_eq!(rank_of(0.99, 250), 248); // 247.5 → 248
        assert_eq!(rank_of(0.95, 20), 19);
        assert_eq!(rank_of(0.1, 3), 1); // 0.3 → 1
        assert_eq!(rank_of(0.999, 10), 10);
    }

    #[test]
    fn the_interval_brackets_the_estimate() {
        // n = 1000, c = 0.99, B ~ Bin(1000, 0.99) (mpmath): P(B < 983) = 0.0138 ≤ 0.025 <
        // P(B < 984) = 0.0264, and P(B < 996) = 0.9713 < 0.975 ≤ P(B < 997) = 0.9899.
        let (low, high) = interval_ranks(1000, 0.99, 0.95);
        assert_eq!((low, high), (Some(983), Some(997)));
        // Too few scenarios to bound the upper side at 99%.
        let (_, high) = interval_ranks(50, 0.99, 0.95);
        assert_eq!(high, None);
    }

    /// Normal P&L with σ = 1,000 (a stratified sample: the `(i − ½)/n` quantiles): VaR and ES
    /// match the closed forms `σ·z_c` and `σ·φ(z_c)/(1 − c)` — at 99%, z = 2.326348 and
    /// φ(z)/(1 − c) = 2.665214 (textbook values) — within the sample's discreteness (the
    /// stratified sample stops at the 1/(2n) quantile, so its ES falls short by about 0.1%).
    #[test]
    fn normal_pnl_matches_the_closed_form() {
        let n = 20_000;
        let sigma = 1_000.0;
        let mut z = -4.0;
        let pnl: Vec<f64> = (1..=n)
            .map(|i| {
                z = crate::testing::normal_quantile((i as f64 - 0.5) / n as f64, z);
                sigma * z
            })
            .collect();
        let t = tail(&pnl, 0.99, 0.95).unwrap();
        assert!((t.var - sigma * 2.326_348).abs() < 1.0, "VaR {}", t.var);
        assert!((t.es - sigma * 2.665_214).abs() < 3.0, "ES {}", t.es);
        let (low, high) = (t.var_low.unwrap().1, t.var_high.unwrap().1);
        assert!(low < t.var && t.var < high);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert_eq!(tail(&[], 0.99, 0.95), Err(RiskError::Empty));
        assert_eq!(tail(&[1.0], 1.0, 0.95), Err(RiskError::BadConfidence(1.0)));
        assert_eq!(tail(&[1.0], 0.99, 0.0), Err(RiskError::BadConfidence(0.0)));
        assert_eq!(tail(&[f64::NAN], 0.99, 0.95), Err(RiskError::NotFinite));
    }
}
