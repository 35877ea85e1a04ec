//! Funding on perpetual (linear) contracts: what ties a venue's perpetual price to the index
//! the engine marks at.
//!
//! * **Rate** per funding period: `clamp((mark − index) / index, ±cap)`, 18 decimals, truncated
//!   toward zero. A mark above the index makes longs pay shorts.
//! * **Cumulative index** `F` per market, quote per contract with 18 decimals (signed): over
//!   `elapsed` ms it advances by `rate · index_price · elapsed / period` (truncated toward zero;
//!   longs and shorts read the same `F`, so the direction of this rounding moves no value).
//! * **Settlement**: a position of `size` held from `F₀` to `F₁` owes `size · (F₁ − F₀)` quote
//!   (positive: it pays). Cash moves in whole quote base units: a payer pays the amount rounded
//!   up, a receiver gets it rounded down, and the exact difference — the rounding dust — is
//!   collected per market in units of `1 / dust_scale` base units and handed to the insurance
//!   fund as whole base units ([`collect_dust`]). Longs pay what shorts receive exactly: for a
//!   pair settled over the same span, payer's units = receiver's units + the dust units the
//!   fund gets (property-tested), and never the other way (the fund never pays dust).
//! * **Bounds**: caps up to [`MAX_FUNDING_CAP_E18`] (5% a period), periods of at least
//!   [`MIN_FUNDING_PERIOD_MS`] (a minute) and spots up to 10¹⁰ quote: `F` moves at most
//!   5·10²⁶ (quote·10¹⁸) a minute, 2.7·10³³ in ten years, far inside `i128` (1.7·10³⁸).
//!   Settlement products use 256-bit intermediates; a settlement whose cash would leave `i128`
//!   is an `Overflow` error (it needs more than 10³⁸ base units).

use crate::error::{MathError, MathResult};
use crate::fixed_point::{div_rem_u256, mul_u128_wide, ovf};
use crate::trading::{mul_div, ONE_E18};

/// Largest funding cap per period: 5%, 18 decimals.
pub const MAX_FUNDING_CAP_E18: u128 = ONE_E18 / 20;
/// Shortest funding period: one minute, ms.
pub const MIN_FUNDING_PERIOD_MS: u64 = 60_000;

/// The funding rate for one period, 18 decimals: `clamp((mark − index) / index, ±cap)`,
/// truncated toward zero. Errors: `DivisionByZero` (index 0), `Overflow`.
pub fn rate_e18(mark_e18: u128, index_e18: u128, cap_e18: u128) -> MathResult<i128> {
    let premium = mul_div(mark_e18.abs_diff(index_e18), ONE_E18, index_e18, false)?.min(cap_e18);
    let premium = i128::try_from(premium).map_err(|_| MathError::Overflow)?;
    if mark_e18 >= index_e18 {
        Ok(premium)
    } else {
        ovf(premium.checked_neg())
    }
}

/// `F` advanced over `elapsed_ms` at `rate_e18` per `period_ms` on an index price of
/// `index_e18`: `F + rate · index · elapsed / period`, the step truncated toward zero.
/// Errors: `DivisionByZero` (period 0), `Overflow`.
pub fn advance(f_e18: i128, rate_e18: i128, index_e18: u128, elapsed_ms: u64, period_ms: u64) -> MathResult<i128> {
    if period_ms == 0 {
        return Err(MathError::DivisionByZero);
    }
    let per_period = mul_div(rate_e18.unsigned_abs(), index_e18, ONE_E18, false)?;
    let step = mul_div(per_period, u128::from(elapsed_ms), u128::from(period_ms), false)?;
    let step = i128::try_from(step).map_err(|_| MathError::Overflow)?;
    if rate_e18 >= 0 {
        ovf(f_e18.checked_add(step))
    } else {
        ovf(f_e18.checked_sub(step))
    }
}

/// The dust unit for a quote of `quote_decimals` (≤ 24): amounts are exact in units of
/// `1 / 10^(36 − decimals)` base units, since `size_e18 · ΔF_e18` carries 36 decimals of quote.
/// Errors: `OutOfDomain` (decimals above 24).
pub fn dust_scale(quote_decimals: u8) -> MathResult<u128> {
    let exponent = 36u8.checked_sub(quote_decimals).filter(|_| quote_decimals <= 24).ok_or(MathError::OutOfDomain)?;
    ovf(10u128.checked_pow(u32::from(exponent)))
}

/// One position's funding settled into cash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settled {
    /// Cash to add to the account, quote base units (negative: it pays).
    pub cash: i128,
    /// Rounding dust for the fund, units of `1 / dust_scale` base units.
    pub dust: u128,
}

/// Settles `size_e18` contracts held from index `from_e18` to `to_e18`: owes
/// `size · (to − from)`; a payer's cash falls by that rounded up, a receiver's rises by it
/// rounded down, the difference is `dust`. Errors: `OutOfDomain` (decimals), `Overflow`.
pub fn settle(size_e18: i128, from_e18: i128, to_e18: i128, quote_decimals: u8) -> MathResult<Settled> {
    let scale = dust_scale(quote_decimals)?;
    let delta = ovf(to_e18.checked_sub(from_e18))?;
    let owed = mul_u128_wide(size_e18.unsigned_abs(), delta.unsigned_abs());
    let ((high, units), remainder) = div_rem_u256(owed, scale).ok_or(MathError::DivisionByZero)?;
    if high != 0 {
        return Err(MathError::Overflow);
    }
    let pays = (size_e18 > 0 && delta > 0) || (size_e18 < 0 && delta < 0);
    if pays {
        let up = u128::from(remainder != 0);
        let units = i128::try_from(ovf(units.checked_add(up))?).map_err(|_| MathError::Overflow)?;
        let dust = if remainder == 0 { 0 } else { ovf(scale.checked_sub(remainder))? };
        Ok(Settled { cash: ovf(units.checked_neg())?, dust })
    } else {
        let units = i128::try_from(units).map_err(|_| MathError::Overflow)?;
        Ok(Settled { cash: units, dust: remainder })
    }
}

/// Adds `dust` to a market's pot (units of `1 / scale` base units) and returns the whole base
/// units the pot now holds, for the insurance fund (the pot keeps the remainder).
/// Errors: `DivisionByZero` (scale 0), `Overflow`.
pub fn collect_dust(pot: &mut u128, dust: u128, scale: u128) -> MathResult<u128> {
    let total = ovf(pot.checked_add(dust))?;
    let units = total.checked_div(scale).ok_or(MathError::DivisionByZero)?;
    *pot = total.checked_rem(scale).ok_or(MathError::DivisionByZero)?;
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    const E18: u128 = ONE_E18;

    #[test]
    fn rate_is_the_clamped_premium() {
        // Mark 1% over the index, cap 0.5%: longs pay 0.5% a period.
        assert_eq!(rate_e18(101 * E18, 100 * E18, E18 / 200), Ok((E18 / 200) as i128));
        // 0.2% under, cap 0.5%: shorts pay 0.2%.
        assert_eq!(rate_e18(998 * E18 / 10, 100 * E18, E18 / 200), Ok(-((E18 / 500) as i128)));
        assert_eq!(rate_e18(100 * E18, 100 * E18, E18), Ok(0));
        assert_eq!(rate_e18(1, 0, E18), Err(MathError::DivisionByZero));
    }

    #[test]
    fn index_advances_by_rate_times_price_times_time() {
        // 0.1% a period (8 h) on 60,000 for 4 h: 30 quote per contract.
        let f = advance(0, (E18 / 1000) as i128, 60_000 * E18, 4 * 3_600_000, 8 * 3_600_000);
        assert_eq!(f, Ok((30 * E18) as i128));
        let f = advance(5, -((E18 / 1000) as i128), 60_000 * E18, 4 * 3_600_000, 8 * 3_600_000);
        assert_eq!(f, Ok(5 - (30 * E18) as i128));
        assert_eq!(advance(0, 1, 1, 1, 0), Err(MathError::DivisionByZero));
    }

    #[test]
    fn payers_round_up_receivers_down_and_the_dust_is_the_difference() {
        // 1.5 contracts over ΔF = 1/3 quote (6-decimal quote): 0.5 quote = 500,000 units minus
        // a third of a unit per 1e18 … exact: 1.5 · 0.333…333 = 0.4999999999999999995.
        let third = (E18 / 3) as i128;
        let long = settle((3 * E18 / 2) as i128, 0, third, 6).unwrap();
        let short = settle(-((3 * E18 / 2) as i128), 0, third, 6).unwrap();
        assert_eq!(long.cash, -500_000);
        assert_eq!(short.cash, 499_999);
        let scale = dust_scale(6).unwrap();
        assert_eq!(long.dust + short.dust, scale, "the pair's dust is exactly one base unit");
        let mut pot = 0;
        assert_eq!(collect_dust(&mut pot, long.dust, scale), Ok(0));
        assert_eq!(collect_dust(&mut pot, short.dust, scale), Ok(1));
        assert_eq!(pot, 0);
        // Whole amounts leave no dust.
        assert_eq!(settle((2 * E18) as i128, 0, (3 * E18) as i128, 6), Ok(Settled { cash: -6_000_000, dust: 0 }));
        assert_eq!(settle(0, 0, (3 * E18) as i128, 6), Ok(Settled::default()));
        assert_eq!(dust_scale(25), Err(MathError::OutOfDomain));
    }
}
