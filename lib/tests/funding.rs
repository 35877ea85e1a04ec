//! Properties of perpetual funding (`margin_math::funding`): over any index path, positions that
//! sum to zero settle to zero to the base unit — what longs pay is what shorts receive plus the
//! dust the fund collects — and the index stays in range for ten years at the caps.

use margin_math::funding::{
    advance, collect_dust, dust_scale, rate_e18, settle, MAX_FUNDING_CAP_E18, MIN_FUNDING_PERIOD_MS,
};
use proptest::prelude::*;

const E18: u128 = 1_000_000_000_000_000_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)
    ))]

    /// Positions summing to zero, each settled at its own checkpoints and all at the end:
    /// Σ cash + the fund's whole units = 0 exactly, and the dust pot is empty.
    #[test]
    fn funding_is_zero_sum_to_the_base_unit(
        sizes in prop::collection::vec(1i128..=1_000_000 * E18 as i128, 1..5),
        path in prop::collection::vec((-(E18 as i128) / 20..=E18 as i128 / 20, 1u64..=8 * 3_600_000, 1u128..=100_000), 1..10),
        checkpoints in prop::collection::vec(prop::collection::vec(any::<bool>(), 10), 6),
        decimals in 0u8..=24,
    ) {
        // Longs with the given sizes, one short holding their sum.
        let mut positions: Vec<i128> = sizes.clone();
        positions.push(-sizes.iter().sum::<i128>());
        let scale = dust_scale(decimals).unwrap();
        let mut f = vec![0i128];
        for &(rate, dt, price) in &path {
            let last = *f.last().unwrap();
            f.push(advance(last, rate, price * E18, dt, 8 * 3_600_000).unwrap());
        }
        let (mut cash, mut fund, mut pot) = (0i128, 0u128, 0u128);
        for (i, &size) in positions.iter().enumerate() {
            let mut at = 0usize;
            for step in 1..f.len() {
                let settle_here = step == f.len() - 1 || checkpoints[i % checkpoints.len()][step % 10];
                if settle_here {
                    let s = settle(size, f[at], f[step], decimals).unwrap();
                    cash += s.cash;
                    fund += collect_dust(&mut pot, s.dust, scale).unwrap();
                    at = step;
                }
            }
        }
        prop_assert_eq!(pot, 0, "dust left in the pot");
        prop_assert_eq!(cash + fund as i128, 0, "cash {} fund {}", cash, fund);
    }

    /// A payer pays at least, a receiver gets at most, the exact amount; the rate stays within
    /// the cap.
    #[test]
    fn rounding_favours_the_pool(
        size in -1_000_000 * E18 as i128..=1_000_000 * E18 as i128,
        delta in -(1_000_000 * E18 as i128)..=1_000_000 * E18 as i128,
        mark in 1u128..=1_000_000 * E18,
        index in 1u128..=1_000_000 * E18,
    ) {
        let s = settle(size, 0, delta, 6).unwrap();
        // Exact owed in units of 1e-30 base units (6 decimals): size·delta.
        let owed = primitive_types::U256::from(size.unsigned_abs()) * primitive_types::U256::from(delta.unsigned_abs());
        let paid = primitive_types::U256::from(s.cash.unsigned_abs()) * primitive_types::U256::from(10u128.pow(30));
        if (size > 0) == (delta > 0) && size != 0 && delta != 0 {
            prop_assert!(s.cash <= 0 && paid >= owed);
        } else {
            prop_assert!(s.cash >= 0 && paid <= owed);
        }
        let cap = MAX_FUNDING_CAP_E18;
        let r = rate_e18(mark, index, cap).unwrap();
        prop_assert!(r.unsigned_abs() <= cap);
        prop_assert_eq!(r >= 0, mark >= index);
    }
}

/// Ten years of funding at the cap every minute on the largest spot stays inside `i128`.
#[test]
fn ten_years_at_the_cap_stay_in_range() {
    let minutes = 10 * 365 * 24 * 60u64;
    let f = advance(
        0,
        MAX_FUNDING_CAP_E18 as i128,
        10_000_000_000 * E18,
        minutes * MIN_FUNDING_PERIOD_MS,
        MIN_FUNDING_PERIOD_MS,
    )
    .unwrap();
    // 0.05 · 1e10 quote per minute for 5,256,000 minutes = 2.628e15 quote per contract.
    assert_eq!(f, 2_628_000_000_000_000 * E18 as i128);
    // A million contracts settled over it, in an 18-decimal quote: 2.6e39 base units would
    // leave i128, so it is a typed error; in a 6-decimal quote it is 2.6e27 units.
    assert!(settle(1_000_000 * E18 as i128, 0, f, 18).is_err());
    assert_eq!(settle(1_000_000 * E18 as i128, 0, f, 6).unwrap().cash, -2_628_000_000_000_000_000_000_000_000);
}
