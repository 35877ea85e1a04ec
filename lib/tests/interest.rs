//! Properties of the interest pool (`margin_math::interest`): indices never fall, the interest
//! suppliers and the fund receive never exceeds what the borrowers' balances grow by, and
//! nothing overflows within ten years at the maximum rate.

use margin_math::interest::{
    accrue, bring_to_now, contribution, Pool, RateModel, MAX_BORROW_RATE_E18, MAX_INDEX_E18, SECONDS_PER_YEAR,
};
use proptest::prelude::*;

const E18: u128 = 1_000_000_000_000_000_000;
const YEAR_MS: u64 = 31_536_000_000;

/// Valid rate curves, up to the maximum rate at full utilization.
fn model() -> impl Strategy<Value = RateModel> {
    (0..=E18, 0..=E18, 0..=E18, 0..=E18, 0..=E18, 0..=E18).prop_filter_map(
        "rate above the maximum",
        |(base, low, kink, high, reserve, max_u)| {
            let m = RateModel {
                base_rate_e18: base / 4,
                slope_low_e18: low / 2,
                kink_e18: kink,
                slope_high_e18: high,
                reserve_factor_e18: reserve,
                max_utilization_e18: max_u,
            };
            m.is_valid().then_some(m)
        },
    )
}

/// Account balances in quote base units (up to 10^15 each, both signs).
fn balances() -> impl Strategy<Value = Vec<i128>> {
    prop::collection::vec(-1_000_000_000_000_000i128..=1_000_000_000_000_000, 1..12)
}

/// Builds a pool holding `cash` balances taken at the pool's current indices.
fn pool_with(cash: &[i128], pool: &mut Pool) {
    for &c in cash {
        let share = contribution(c, pool.index_for(c)).unwrap();
        pool.exchange((0, 0), share).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)
    ))]

    /// Over any sequence of accruals both indices never fall, the fund's share never exceeds the
    /// interest, and what suppliers' and borrowers' own balances grow by brackets the interest:
    /// borrowers pay at least what is charged, suppliers and the fund receive at most it.
    #[test]
    fn accrual_never_pays_out_more_than_borrowers_owe(
        m in model(),
        cash in balances(),
        steps in prop::collection::vec(1u64..=30 * 86_400_000, 1..8),
    ) {
        let mut pool = Pool::new(0);
        pool_with(&cash, &mut pool);
        let start = pool;
        let (mut now, mut interest, mut reserve) = (0u64, 0u128, 0u128);
        for dt in steps {
            now += dt;
            let before = pool;
            let a = accrue(&mut pool, &m, now).unwrap();
            prop_assert!(pool.supply_index_e18 >= before.supply_index_e18);
            prop_assert!(pool.borrow_index_e18 >= before.borrow_index_e18);
            prop_assert!(a.reserve <= a.interest);
            prop_assert!(a.borrow_rate_e18 <= MAX_BORROW_RATE_E18);
            interest += a.interest;
            reserve += a.reserve;
        }
        let (mut owed, mut paid) = (0u128, 0u128);
        for &c in &cash {
            let taken_at = start.index_for(c);
            let grown = bring_to_now(c, taken_at, &pool).unwrap();
            if c < 0 {
                owed += grown.unsigned_abs() - c.unsigned_abs();
            } else {
                paid += grown.unsigned_abs() - c.unsigned_abs();
            }
        }
        prop_assert!(owed >= interest, "borrowers owe {owed} < charged {interest}");
        prop_assert!(paid + reserve <= interest, "paid {paid} + reserve {reserve} > charged {interest}");
    }

    /// Ten years at the maximum rate, accrued in any steps, from any totals up to 10^30 base
    /// units: no overflow, indices below the cap (so interest still accrues).
    #[test]
    fn ten_years_at_the_maximum_rate_stay_within_range(
        supplied in 1u128..=1_000_000_000_000_000_000_000_000_000_000,
        borrowed_pct in 0u128..=100,
        steps in prop::collection::vec(1u64..=YEAR_MS, 1..20),
    ) {
        let m = RateModel { base_rate_e18: MAX_BORROW_RATE_E18, ..RateModel::ZERO };
        let borrowed = supplied / 100 * borrowed_pct;
        let mut pool = Pool { supplied_scaled: supplied, borrowed_scaled: borrowed, ..Pool::new(0) };
        let total: u64 = steps.iter().sum();
        let scale = (10 * YEAR_MS) as f64 / total as f64;
        let mut now = 0u64;
        for dt in steps {
            now = (now + (dt as f64 * scale) as u64).min(10 * YEAR_MS);
            accrue(&mut pool, &m, now).unwrap();
        }
        accrue(&mut pool, &m, 10 * YEAR_MS).unwrap();
        prop_assert!(pool.borrow_index_e18 < MAX_INDEX_E18);
        prop_assert!(pool.supply_index_e18 <= pool.borrow_index_e18);
        prop_assert!(pool.borrowed().is_ok() && pool.supplied().is_ok());
    }
}

/// Ten years at 100%: far below the cap. Reference (mpmath, 40 digits): with the per-second
/// rate rounded up to 31,709,791,984·10⁻¹⁸, `(1 + 31,709,791,984·10⁻¹⁸)^315,360,000 =
/// 22,026.462304169069`; continuous compounding would give e^10 = 22,026.465794806718 (per-second
/// compounding is lower by the relative r²t/(2n) = 1.6·10⁻⁷).
#[test]
fn ten_years_at_the_maximum_rate_by_hand() {
    let m = RateModel { base_rate_e18: MAX_BORROW_RATE_E18, ..RateModel::ZERO };
    let mut pool = Pool { supplied_scaled: 1, borrowed_scaled: 1, ..Pool::new(0) };
    accrue(&mut pool, &m, 10 * YEAR_MS).unwrap();
    let expected_e12 = 22_026_462_304_169_069u128;
    let growth_e12 = pool.borrow_index_e18 / 1_000_000;
    assert!(growth_e12 >= expected_e12, "rounding is upward: {growth_e12} vs {expected_e12}");
    // High by at most seconds·1e-18 relative: 3.15e-10 · 2.2e16 ≈ 6.9e6 units of 1e-12
    // (measured: 4.35e6, i.e. 2.0e-10).
    assert!(growth_e12 - expected_e12 < 6_900_000, "{growth_e12} vs {expected_e12}");
    assert_eq!(SECONDS_PER_YEAR * 1000, u128::from(YEAR_MS));
}
