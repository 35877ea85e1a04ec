//! Interest on quote cash: positive cash is supplied to the pool, negative cash is borrowed from
//! it. Each side grows through a cumulative index (18 decimals, starting at 1): a balance last
//! brought up to date at index `i₀` is worth `cash · i / i₀` at index `i` (Aave's and Mango's
//! scaled balances, kept per account as the nominal cash and the index it was taken at).
//!
//! * **Borrow rate** (per year, 18 decimals) from utilization `U = borrowed / supplied` on a
//!   kinked curve: `base + slope_low · min(U, kink) + slope_high · max(U − kink, 0)`, with `U`
//!   capped at 1 for the curve.
//! * **Compounding** per whole second: over `n` seconds the borrow index grows by
//!   `(1 + r / 31,536,000)ⁿ` (exponentiation by squaring, every product rounded up), so
//!   borrowers' debt rounds up. The interest charged over the step, `ΔB`, is computed from the
//!   borrowed total (rounded down, so it never exceeds what the borrowers' own balances grow
//!   by); the reserve factor's share of it (rounded up) goes to the insurance fund and the rest
//!   is spread over the supplied total (rounded up, so suppliers' claims grow by at most it):
//!   the supply index grows by `floor((ΔB − reserve) / supplied)`.
//! * **Bounds.** Rates are at most [`MAX_BORROW_RATE_E18`] (100% a year). At that rate a debt
//!   grows at most `e^10 ≈ 22,026`-fold in ten years, so totals up to 1.5·10³⁴ base units (10¹⁶
//!   whole units of an 18-decimal quote) stay within `u128` for ten years of uninterrupted
//!   maximum rate (property-tested from totals of 10³⁰). Beyond that — or past
//!   [`MAX_INDEX_E18`], a growth of 10¹⁸, 41 years at the maximum rate — accrual stops: the
//!   indices keep their value, time moves on, nothing overflows and no call fails.
//! * **Approximation error.** Per-second compounding differs from continuous compounding by a
//!   relative `r²t/(2·31,536,000)`: at the maximum rate over a year the index is
//!   `e · (1 − 1.6·10⁻⁸)`. The fixed-point products round up, and exponentiation by squaring
//!   doubles an early rounding's relative error at each later squaring, so the index is high
//!   by at most about `seconds · 10⁻¹⁸` relative (3·10⁻¹¹ over a year; over ten years at the
//!   maximum rate the bound is 3.2·10⁻¹⁰ and the measured error 2.0·10⁻¹⁰).

use crate::error::{MathError, MathResult};
use crate::fixed_point::ovf;
use crate::trading::{mul_div, ONE_E18};

/// Seconds in the 365-day year rates are quoted for.
pub const SECONDS_PER_YEAR: u128 = 31_536_000;
/// Highest borrow rate the curve may reach: 100% a year, 18 decimals.
pub const MAX_BORROW_RATE_E18: u128 = ONE_E18;
/// Highest value of either index (a growth of 10^18 since the start); accrual stops there.
pub const MAX_INDEX_E18: u128 = ONE_E18 * ONE_E18;

/// The borrow-rate curve and how interest is shared, all 18 decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateModel {
    /// Rate at zero utilization, per year.
    pub base_rate_e18: u128,
    /// Rate added per unit of utilization up to the kink, per year.
    pub slope_low_e18: u128,
    /// Utilization where the steep part starts (≤ 1).
    pub kink_e18: u128,
    /// Rate added per unit of utilization above the kink, per year.
    pub slope_high_e18: u128,
    /// Share of the borrowers' interest that goes to the insurance fund (≤ 1).
    pub reserve_factor_e18: u128,
    /// Utilization a quote withdrawal may not push the pool above (≤ 1).
    pub max_utilization_e18: u128,
}

impl RateModel {
    /// No interest at all (the engine's default until the owner sets a curve).
    pub const ZERO: RateModel = RateModel {
        base_rate_e18: 0,
        slope_low_e18: 0,
        kink_e18: ONE_E18,
        slope_high_e18: 0,
        reserve_factor_e18: 0,
        max_utilization_e18: ONE_E18,
    };

    /// Whether the fractions are at most 1 and the rate at full utilization (the curve's
    /// highest) is at most [`MAX_BORROW_RATE_E18`].
    pub fn is_valid(&self) -> bool {
        let fractions_ok =
            self.kink_e18 <= ONE_E18 && self.reserve_factor_e18 <= ONE_E18 && self.max_utilization_e18 <= ONE_E18;
        fractions_ok && self.borrow_rate_e18(ONE_E18).is_ok_and(|r| r <= MAX_BORROW_RATE_E18)
    }

    /// The borrow rate per year (18 decimals) at utilization `utilization_e18` (capped at 1),
    /// rounded up. Errors: `Overflow` (only for parameters that `is_valid` rejects).
    pub fn borrow_rate_e18(&self, utilization_e18: u128) -> MathResult<u128> {
        let u = utilization_e18.min(ONE_E18);
        let low = mul_div(u.min(self.kink_e18), self.slope_low_e18, ONE_E18, true)?;
        let high = mul_div(u.saturating_sub(self.kink_e18), self.slope_high_e18, ONE_E18, true)?;
        ovf(self.base_rate_e18.checked_add(low).and_then(|r| r.checked_add(high)))
    }

    /// Whether borrowers pay at least as much under `self` as under `old` at every utilization
    /// (the curve is piecewise linear, so its value at 0, the two kinks and 1 decide), and the
    /// fund's share is not lower: a change that is not is one borrowers must be given notice of.
    pub fn raises_cost_over(&self, old: &RateModel) -> bool {
        let points = [0, self.kink_e18, old.kink_e18, ONE_E18];
        points.iter().any(|&u| match (self.borrow_rate_e18(u), old.borrow_rate_e18(u)) {
            (Ok(new), Ok(was)) => new > was,
            _ => true,
        })
    }
}

/// `borrowed / supplied`, 18 decimals, rounded up; 0 with nothing borrowed, 1 when borrowed
/// exceeds supplied (or nothing is supplied).
pub fn utilization_e18(borrowed: u128, supplied: u128) -> MathResult<u128> {
    if borrowed == 0 {
        Ok(0)
    } else if borrowed >= supplied {
        Ok(ONE_E18)
    } else {
        mul_div(borrowed, ONE_E18, supplied, true)
    }
}

/// `(1 + rate/SECONDS_PER_YEAR)^seconds` with 18 decimals, every product rounded up.
/// Errors: `Overflow` if the growth passes `u128` (not reached below [`MAX_INDEX_E18`]-scale
/// growth; [`accrue`] stops earlier).
pub fn compound_e18(rate_e18: u128, seconds: u64) -> MathResult<u128> {
    let per_second = ovf(ONE_E18.checked_add(rate_e18.div_ceil(SECONDS_PER_YEAR)))?;
    let (mut result, mut base, mut n) = (ONE_E18, per_second, seconds);
    while n > 0 {
        if n & 1 == 1 {
            result = mul_div(result, base, ONE_E18, true)?;
        }
        n >>= 1;
        if n > 0 {
            base = mul_div(base, base, ONE_E18, true)?;
        }
    }
    Ok(result)
}

/// The pool's interest state (what the engine stores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    /// Supply index, 18 decimals (starts at 1).
    pub supply_index_e18: u128,
    /// Borrow index, 18 decimals (starts at 1).
    pub borrow_index_e18: u128,
    /// Σ supplied cash in index units: `Σ ceil(cash · 1e18 / index taken at)` (rounded up, so
    /// the supply index's growth is never overstated).
    pub supplied_scaled: u128,
    /// Σ borrowed cash in index units: `Σ floor(|cash| · 1e18 / index taken at)` (rounded down,
    /// so the interest charged never exceeds what the borrowers' balances grow by).
    pub borrowed_scaled: u128,
    /// Time up to which interest has accrued, ms (advances by whole seconds).
    pub accrued_to_ms: u64,
}

impl Pool {
    /// A pool with nothing supplied or borrowed, indices 1, accrued to `now_ms`.
    pub const fn new(now_ms: u64) -> Pool {
        Pool {
            supply_index_e18: ONE_E18,
            borrow_index_e18: ONE_E18,
            supplied_scaled: 0,
            borrowed_scaled: 0,
            accrued_to_ms: now_ms,
        }
    }

    /// Supplied quote, base units (rounded down).
    pub fn supplied(&self) -> MathResult<u128> {
        mul_div(self.supplied_scaled, self.supply_index_e18, ONE_E18, false)
    }

    /// Borrowed quote, base units (rounded down).
    pub fn borrowed(&self) -> MathResult<u128> {
        mul_div(self.borrowed_scaled, self.borrow_index_e18, ONE_E18, false)
    }

    /// The index a balance of sign `cash` grows with.
    pub fn index_for(&self, cash: i128) -> u128 {
        if cash < 0 {
            self.borrow_index_e18
        } else {
            self.supply_index_e18
        }
    }

    /// Replaces a balance's contribution `old` (from [`contribution`] when it was taken)
    /// by `new`'s. Errors: `Overflow` (a total would leave `u128`; `old` not in the totals).
    pub fn exchange(&mut self, old: (u128, u128), new: (u128, u128)) -> MathResult<()> {
        let supplied = self.supplied_scaled.checked_sub(old.0).and_then(|s| s.checked_add(new.0));
        let borrowed = self.borrowed_scaled.checked_sub(old.1).and_then(|b| b.checked_add(new.1));
        self.supplied_scaled = ovf(supplied)?;
        self.borrowed_scaled = ovf(borrowed)?;
        Ok(())
    }
}

/// A balance's share of the pool's totals, `(supplied_scaled, borrowed_scaled)`: `cash` taken at
/// index `index_e18` (the supply index for cash > 0, the borrow index for cash < 0), rounded as
/// the totals are ([`Pool`]). The same inputs give the same share, so a balance's share is
/// removed exactly when it changes. Errors: `DivisionByZero` (index 0 with cash ≠ 0).
pub fn contribution(cash: i128, index_e18: u128) -> MathResult<(u128, u128)> {
    let amount = cash.unsigned_abs();
    if cash > 0 {
        Ok((mul_div(amount, ONE_E18, index_e18, true)?, 0))
    } else if cash < 0 {
        Ok((0, mul_div(amount, ONE_E18, index_e18, false)?))
    } else {
        Ok((0, 0))
    }
}

/// What one accrual did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accrual {
    /// Interest charged to borrowers, quote base units.
    pub interest: u128,
    /// Its reserve-factor share, for the insurance fund, quote base units.
    pub reserve: u128,
    /// The borrow rate applied, per year, 18 decimals.
    pub borrow_rate_e18: u128,
}

/// Accrues `pool` to `now_ms` (whole seconds; the remainder waits for the next call) under
/// `model`: the borrow index compounds, the interest charged is split between the fund
/// (`reserve`) and the suppliers (supply index). Nothing happens before a whole second has
/// passed. Indices stop at [`MAX_INDEX_E18`], and accrual stops where the borrowed total would
/// leave `u128` (see the module's bounds). Errors: `Overflow` (only for models `is_valid`
/// rejects).
pub fn accrue(pool: &mut Pool, model: &RateModel, now_ms: u64) -> MathResult<Accrual> {
    let seconds = now_ms.saturating_sub(pool.accrued_to_ms) / 1000;
    if seconds == 0 {
        return Ok(Accrual::default());
    }
    pool.accrued_to_ms = ovf(pool.accrued_to_ms.checked_add(seconds.checked_mul(1000).ok_or(MathError::Overflow)?))?;
    let borrowed_before = pool.borrowed()?;
    let rate = model.borrow_rate_e18(utilization_e18(borrowed_before, pool.supplied()?)?)?;
    if rate == 0 || pool.borrow_index_e18 >= MAX_INDEX_E18 {
        return Ok(Accrual { borrow_rate_e18: rate, ..Accrual::default() });
    }
    // The index stops at its cap (a growth past `u128` is past the cap too) …
    let index = compound_e18(rate, seconds)
        .and_then(|growth| mul_div(pool.borrow_index_e18, growth, ONE_E18, true))
        .unwrap_or(MAX_INDEX_E18)
        .min(MAX_INDEX_E18);
    let before_index = pool.borrow_index_e18;
    pool.borrow_index_e18 = index;
    // … and interest stops where the borrowed total would leave `u128`.
    let Ok(borrowed_after) = pool.borrowed() else {
        pool.borrow_index_e18 = before_index;
        return Ok(Accrual { borrow_rate_e18: rate, ..Accrual::default() });
    };
    let interest = borrowed_after.saturating_sub(borrowed_before);
    let reserve = if pool.supplied_scaled == 0 {
        interest
    } else {
        mul_div(interest, model.reserve_factor_e18, ONE_E18, true)?.min(interest)
    };
    if pool.supplied_scaled > 0 {
        let step = mul_div(interest.saturating_sub(reserve), ONE_E18, pool.supplied_scaled, false)?;
        pool.supply_index_e18 = pool.supply_index_e18.saturating_add(step).min(MAX_INDEX_E18);
    }
    Ok(Accrual { interest, reserve, borrow_rate_e18: rate })
}

/// `cash` taken at index `taken_at_e18` brought to `pool`'s current index: supplied balances
/// grow with the supply index (rounded down), borrowed ones with the borrow index (rounded up,
/// more debt). A zero balance or `taken_at_e18 = 0` (never taken) stays as it is.
/// Errors: `Overflow`.
pub fn bring_to_now(cash: i128, taken_at_e18: u128, pool: &Pool) -> MathResult<i128> {
    if cash == 0 || taken_at_e18 == 0 {
        return Ok(cash);
    }
    let borrowed = cash < 0;
    let now = mul_div(cash.unsigned_abs(), pool.index_for(cash), taken_at_e18, borrowed)?;
    let now = i128::try_from(now).map_err(|_| MathError::Overflow)?;
    if borrowed {
        ovf(now.checked_neg())
    } else {
        Ok(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const E18: u128 = ONE_E18;

    fn curve() -> RateModel {
        RateModel {
            base_rate_e18: E18 / 100,          // 1%
            slope_low_e18: E18 / 10,           // +10% at the kink
            kink_e18: 8 * E18 / 10,            // 80%
            slope_high_e18: 2 * E18,           // +200% per unit above
            reserve_factor_e18: E18 / 10,      // 10%
            max_utilization_e18: 9 * E18 / 10, // 90%
        }
    }

    #[test]
    fn the_curve_is_kinked() {
        let m = curve();
        assert_eq!(m.borrow_rate_e18(0), Ok(E18 / 100));
        // At the kink: 1% + 0.8·10% = 9%.
        assert_eq!(m.borrow_rate_e18(8 * E18 / 10), Ok(9 * E18 / 100));
        // At 90%: 9% + 0.1·200% = 29%.
        assert_eq!(m.borrow_rate_e18(9 * E18 / 10), Ok(29 * E18 / 100));
        // Capped at full utilization: 9% + 0.2·200% = 49%.
        assert_eq!(m.borrow_rate_e18(2 * E18), Ok(49 * E18 / 100));
        assert!(m.is_valid());
        assert!(!RateModel { slope_high_e18: 5 * E18, ..m }.is_valid());
        assert!(!RateModel { kink_e18: 2 * E18, ..m }.is_valid());
        assert!(RateModel::ZERO.is_valid());
    }

    #[test]
    fn utilization_edges() {
        assert_eq!(utilization_e18(0, 0), Ok(0));
        assert_eq!(utilization_e18(5, 0), Ok(E18));
        assert_eq!(utilization_e18(1, 3), Ok(E18 / 3 + 1));
        assert_eq!(utilization_e18(7, 7), Ok(E18));
    }

    #[test]
    fn a_raise_is_any_higher_point_of_the_curve() {
        let m = curve();
        assert!(!m.raises_cost_over(&m));
        assert!(RateModel { base_rate_e18: m.base_rate_e18 + 1, ..m }.raises_cost_over(&m));
        assert!(RateModel { kink_e18: m.kink_e18 - E18 / 10, ..m }.raises_cost_over(&m));
        assert!(!RateModel { slope_high_e18: E18, ..m }.raises_cost_over(&m));
        assert!(!RateModel::ZERO.raises_cost_over(&m));
    }

    #[test]
    fn compounding_matches_hand_figures() {
        assert_eq!(compound_e18(E18, 0), Ok(E18));
        // One second at 31.536%/year: 1 + 1e-8 exactly.
        assert_eq!(compound_e18(315_360_000_000_000_000, 1), Ok(E18 + 10_000_000_000));
        // Two seconds: (1 + 1e-8)² = 1 + 2e-8 + 1e-16.
        assert_eq!(compound_e18(315_360_000_000_000_000, 2), Ok(E18 + 20_000_000_000 + 100));
        // A year at 100%: (1 + 1/31,536,000)^31,536,000 = e·(1 − 1/(2n) + …) = 2.718281785…
        let year = compound_e18(E18, 31_536_000).unwrap();
        assert!((2_718_281_785_000_000_000..2_718_281_786_000_000_000).contains(&year), "{year}");
    }

    #[test]
    fn accrual_charges_borrowers_and_pays_suppliers_and_the_fund() {
        let m = curve();
        // 1,000,000 supplied, 500,000 borrowed (U = 50%: rate 1% + 5% = 6%).
        let mut pool = Pool { supplied_scaled: 1_000_000_000_000, borrowed_scaled: 500_000_000_000, ..Pool::new(0) };
        let a = accrue(&mut pool, &m, 31_536_000_000).unwrap();
        assert_eq!(a.borrow_rate_e18, 6 * E18 / 100);
        // e^0.06 − 1 = 6.18365%: of 500,000 base units (·1e6) …
        assert!((30_918_000_000..30_919_000_000).contains(&a.interest), "{}", a.interest);
        assert_eq!(a.reserve, a.interest.div_ceil(10));
        // Suppliers' growth is at most their share.
        let supplied_growth = pool.supplied().unwrap() - 1_000_000_000_000;
        assert!(supplied_growth <= a.interest - a.reserve);
        assert!(a.interest - a.reserve - supplied_growth <= 1);
        // Nothing happens within a second.
        let before = pool;
        assert_eq!(accrue(&mut pool, &m, 31_536_000_999).unwrap(), Accrual::default());
        assert_eq!(pool, before);
    }

    #[test]
    fn balances_grow_with_their_side_rounding_toward_the_pool() {
        let pool = Pool { supply_index_e18: 3 * E18 / 2, borrow_index_e18: 2 * E18, ..Pool::new(0) };
        assert_eq!(bring_to_now(1001, E18, &pool), Ok(1501));
        assert_eq!(bring_to_now(-1001, E18, &pool), Ok(-2002));
        assert_eq!(bring_to_now(-3, 3 * E18 / 2, &pool), Ok(-4));
        assert_eq!(bring_to_now(5, 0, &pool), Ok(5));
        assert_eq!(bring_to_now(0, E18, &pool), Ok(0));
        assert_eq!(contribution(3, pool.supply_index_e18), Ok((2, 0)));
        assert_eq!(contribution(-3, pool.borrow_index_e18), Ok((0, 1)));
        assert_eq!(contribution(0, 0), Ok((0, 0)));
        assert_eq!(contribution(1, 0), Err(MathError::DivisionByZero));
    }

    #[test]
    fn indices_stop_at_the_cap() {
        let m = RateModel { base_rate_e18: MAX_BORROW_RATE_E18, ..RateModel::ZERO };
        let mut pool = Pool { supplied_scaled: 10, borrowed_scaled: 10, ..Pool::new(0) };
        // 50 years at 100%: e^50 would pass the cap of 1e18.
        accrue(&mut pool, &m, 50 * 31_536_000_000).unwrap();
        assert_eq!(pool.borrow_index_e18, MAX_INDEX_E18);
        let again = accrue(&mut pool, &m, 51 * 31_536_000_000).unwrap();
        assert_eq!(again.interest, 0);
        assert_eq!(pool.borrow_index_e18, MAX_INDEX_E18);
        assert_eq!(pool.accrued_to_ms, 51 * 31_536_000_000);
        // A borrowed total that would leave u128 stops accrual instead of failing.
        let mut huge = Pool { supplied_scaled: u128::MAX / 2, borrowed_scaled: u128::MAX / 2, ..Pool::new(0) };
        let a = accrue(&mut huge, &m, 31_536_000_000).unwrap();
        assert_eq!((a.interest, huge.borrow_index_e18), (0, ONE_E18));
    }
}
