//! Exact trade arithmetic in token base units (README "Units and conventions",
//! `docs/contracts.md`): notionals, fees, option premiums, linear fills with realized P&L, the
//! price band and the reducing rule.
//!
//! Every cash flow is computed once here, as an integer in quote base units, and the engine
//! applies it with opposite signs to the two parties, so it is conserved exactly. Products of two
//! 18-decimal numbers use a 256-bit intermediate, so nothing is lost before the one final
//! rounding, whose direction each function states.

use crate::black_scholes::{greeks as bs_greeks, price as bs_price, OptionKind};
use crate::error::{MathError, MathResult};
use crate::fixed_point::{div_rem_u256, mul_u128_wide, ovf, Precise, U256};
use crate::units::{e18_to_precise, pow10, signed_e18_to_precise, years_until};

/// `10^18`: the scale of every `_e18` number.
pub const ONE_E18: u128 = 1_000_000_000_000_000_000;

/// `floor(a·b / d)` (or `ceil` when `up`) with a 256-bit intermediate; `Overflow` if the result
/// does not fit `u128`, `DivisionByZero` if `d = 0`.
pub fn mul_div(a: u128, b: u128, d: u128, up: bool) -> MathResult<u128> {
    div_u256(mul_u128_wide(a, b), d, up)
}

/// `floor(n / d)` (or `ceil` when `up`) as a 256-bit quotient; `DivisionByZero` if `d = 0`.
pub(crate) fn div_round_u256(n: U256, d: u128, up: bool) -> MathResult<U256> {
    let ((high, low), remainder) = div_rem_u256(n, d).ok_or(MathError::DivisionByZero)?;
    if up && remainder != 0 {
        let (low, carry) = low.overflowing_add(1);
        Ok((ovf(high.checked_add(u128::from(carry)))?, low))
    } else {
        Ok((high, low))
    }
}

/// `floor(n / d)` (or `ceil` when `up`) narrowed to `u128` (`Overflow` if it does not fit).
pub(crate) fn div_u256(n: U256, d: u128, up: bool) -> MathResult<u128> {
    match div_round_u256(n, d, up)? {
        (0, quotient) => Ok(quotient),
        _ => Err(MathError::Overflow),
    }
}

/// `10^(36 − quote_decimals)`: turns `size_e18 · price_e18` into quote base units.
fn notional_divisor(quote_decimals: u8) -> MathResult<u128> {
    // 10^36 / 10^qd, both exact (qd ≤ 24 is checked by pow10).
    ovf(1_000_000_000_000_000_000_000_000_000_000_000_000u128.checked_div(pow10(quote_decimals)?))
}

/// Value of `size_e18` contracts (18 decimals, one contract = one whole unit of the underlying)
/// at `price_e18` (quote per unit, 18 decimals), in **quote base units** (`quote_decimals`,
/// 0–24): `size·price·10^qd / 10^36`, rounded down, or up when `up`.
pub fn notional_units(size_e18: u128, price_e18: u128, quote_decimals: u8, up: bool) -> MathResult<u128> {
    mul_div(size_e18, price_e18, notional_divisor(quote_decimals)?, up)
}

/// Value of `size_e18` contracts at `price_e18` in quote whole units with 18 decimals
/// (`size·price / 10^18`, rounded up): what per-account notional caps compare against.
pub fn notional_e18(size_e18: u128, price_e18: u128) -> MathResult<u128> {
    mul_div(size_e18, price_e18, ONE_E18, true)
}

/// Fee in quote base units: `ceil(notional_units · fee_rate_e18 / 10^18)` (rounded in the fee
/// account's favour: the venue chose the rate, not the protocol).
pub fn fee_units(notional_units: u128, fee_rate_e18: u128) -> MathResult<u128> {
    mul_div(notional_units, fee_rate_e18, ONE_E18, true)
}

/// Largest fee in quote base units a venue may charge one side of an option trade of
/// `size_e18` contracts at `price_e18` when spot is `spot_e18`: its rate of the premium plus its
/// per-contract floor of spot, `fee_units(premium, max_rate_e18) + fee_units(size·spot, floor_e18)`
/// (each part rounded up like a fee). A cheap option can so pay the usual per-contract fee;
/// an expensive one at most the rate. Errors: `Overflow`.
pub fn option_fee_ceiling_units(
    size_e18: u128,
    price_e18: u128,
    spot_e18: u128,
    quote_decimals: u8,
    max_rate_e18: u128,
    floor_e18: u128,
) -> MathResult<u128> {
    let by_premium = fee_units(premium_units(size_e18, price_e18, quote_decimals)?, max_rate_e18)?;
    let by_contract = fee_units(notional_units(size_e18, spot_e18, quote_decimals, true)?, floor_e18)?;
    by_premium.checked_add(by_contract).ok_or(MathError::Overflow)
}

/// Option premium the buyer pays the seller, quote base units: `ceil(size·price)`. Computed once
/// and applied with opposite signs, so it is conserved.
pub fn premium_units(size_e18: u128, price_e18: u128, quote_decimals: u8) -> MathResult<u128> {
    notional_units(size_e18, price_e18, quote_decimals, true)
}

/// Whether `size_e18` is a positive whole number of lots of `lot_e18` (> 0).
pub fn is_whole_lots(size_e18: u128, lot_e18: u128) -> bool {
    size_e18 > 0 && lot_e18 > 0 && size_e18.checked_rem(lot_e18) == Some(0)
}

/// The price band of a linear contract: `|price − mark| ≤ floor(spot · band)`, all 18 decimals
/// (the mark is spot).
pub fn within_band(price_e18: u128, mark_e18: u128, spot_e18: u128, band_e18: u128) -> MathResult<bool> {
    let allowed = mul_div(spot_e18, band_e18, ONE_E18, false)?;
    Ok(price_e18.abs_diff(mark_e18) <= allowed)
}

/// An option's mark (the Black-Scholes price at the oracle's spot and vol, see
/// [`option_mark_e18`]) and its price band, both quote per contract with 18 decimals, rounded
/// down: `vega · band_vol + |Δ| · S · band_spot + tick`. The band is in volatility terms (a
/// cheap far out-of-the-money option's band is a few vol points of its own value, not a
/// fraction of spot), plus what spot can move within the oracle's age for in-the-money options,
/// plus a minimum tick. A trade moves at most `size · band` of value away from the mark.
#[allow(clippy::too_many_arguments)]
pub fn option_mark_and_band_e18(
    kind: OptionKind,
    spot_e18: u128,
    strike_e18: u128,
    vol_e18: u128,
    rate_e18: i128,
    now_ms: u64,
    expiry_ms: u64,
    band_spot_e18: u128,
    band_vol_e18: u128,
    tick_e18: u128,
) -> MathResult<(u128, u128)> {
    if spot_e18 == 0 || strike_e18 == 0 {
        return Err(MathError::OutOfDomain);
    }
    let g = bs_greeks(
        kind,
        e18_to_precise(spot_e18)?,
        e18_to_precise(strike_e18)?,
        e18_to_precise(vol_e18)?,
        years_until(now_ms, expiry_ms),
        signed_e18_to_precise(rate_e18)?,
    )?;
    let mark = precise_to_e18_floor(g.price)?;
    let vega_part = mul_div(precise_to_e18_floor(g.vega)?, band_vol_e18, ONE_E18, false)?;
    let delta_abs = precise_to_e18_floor(Precise::from_bits(g.delta.to_bits().checked_abs().unwrap_or(i128::MAX)))?;
    let spot_part = mul_div(mul_div(delta_abs, spot_e18, ONE_E18, false)?, band_spot_e18, ONE_E18, false)?;
    let band = ovf(ovf(vega_part.checked_add(spot_part))?.checked_add(tick_e18))?;
    Ok((mark, band))
}

/// Whether a leg moves a position from `old_e18` to `new_e18` toward zero without crossing:
/// `new` is zero or has `old`'s sign, and `|new| < |old|`.
pub fn is_reducing(old_e18: i128, new_e18: i128) -> bool {
    let same_side = new_e18 == 0 || (new_e18 > 0) == (old_e18 > 0);
    old_e18 != 0 && same_side && new_e18.unsigned_abs() < old_e18.unsigned_abs()
}

/// The long part `max(size, 0)` of a position, 18 decimals: open interest is the sum of longs.
pub fn long_part(size_e18: i128) -> u128 {
    if size_e18 > 0 {
        size_e18.unsigned_abs()
    } else {
        0
    }
}

/// A linear position after a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinearFill {
    /// New signed size, 18 decimals.
    pub size_e18: i128,
    /// New average entry price, quote per unit, 18 decimals (0 when flat).
    pub entry_e18: u128,
    /// P&L realized into cash by the closed part, quote base units (negative = loss).
    pub realized_units: i128,
}

/// Applies a fill of `fill_e18` contracts (signed: + buys) at `price_e18` to a linear position
/// of `size_e18` at average entry `entry_e18`.
///
/// * Increasing (or opening): no cash moves; the new entry is the size-weighted average,
///   rounded up for a long and down for a short (against the account, so the unrealized P&L of
///   all holders never sums above the exact figure).
/// * Reducing: the closed size realizes `closed·(price − entry)` (long) or `closed·(entry −
///   price)` (short) in quote base units, rounded toward −∞; the entry of the rest is unchanged.
/// * Crossing zero: the whole old position is closed as above and the remainder opens at
///   `price`.
pub fn fill_linear(
    size_e18: i128,
    entry_e18: u128,
    fill_e18: i128,
    price_e18: u128,
    quote_decimals: u8,
) -> MathResult<LinearFill> {
    let new_size = ovf(size_e18.checked_add(fill_e18))?;
    if fill_e18 == 0 {
        return Ok(LinearFill { size_e18, entry_e18, realized_units: 0 });
    }
    if size_e18 == 0 || (size_e18 > 0) == (fill_e18 > 0) {
        let entry = if size_e18 == 0 {
            price_e18
        } else {
            weighted_entry(size_e18.unsigned_abs(), entry_e18, fill_e18.unsigned_abs(), price_e18, size_e18 > 0)?
        };
        return Ok(LinearFill { size_e18: new_size, entry_e18: entry, realized_units: 0 });
    }
    let closed = size_e18.unsigned_abs().min(fill_e18.unsigned_abs());
    let realized_units = realized_pnl_units(closed, entry_e18, price_e18, size_e18 > 0, quote_decimals)?;
    let entry = if new_size == 0 {
        0
    } else if (new_size > 0) == (size_e18 > 0) {
        entry_e18
    } else {
        price_e18
    };
    Ok(LinearFill { size_e18: new_size, entry_e18: entry, realized_units })
}

/// `(a·pa + b·pb) / (a + b)`, rounded up when `up`.
fn weighted_entry(a: u128, pa: u128, b: u128, pb: u128, up: bool) -> MathResult<u128> {
    let (high_a, low_a) = mul_u128_wide(a, pa);
    let (high_b, low_b) = mul_u128_wide(b, pb);
    let (low, carry) = low_a.overflowing_add(low_b);
    let high = ovf(ovf(high_a.checked_add(high_b))?.checked_add(u128::from(carry)))?;
    // a + b is the new position's size, already checked to fit i128.
    div_u256((high, low), ovf(a.checked_add(b))?, up)
}

/// Realized P&L of closing `closed_e18` contracts of a long (`long`) or short position entered
/// at `entry_e18` at `price_e18`, quote base units rounded toward −∞.
pub fn realized_pnl_units(
    closed_e18: u128,
    entry_e18: u128,
    price_e18: u128,
    long: bool,
    quote_decimals: u8,
) -> MathResult<i128> {
    let gain = if long { price_e18 >= entry_e18 } else { entry_e18 >= price_e18 };
    let magnitude = notional_units(closed_e18, price_e18.abs_diff(entry_e18), quote_decimals, !gain)?;
    let magnitude = i128::try_from(magnitude).map_err(|_| MathError::Overflow)?;
    if gain {
        Ok(magnitude)
    } else {
        ovf(magnitude.checked_neg())
    }
}

/// Black-Scholes model price of one option (quote per unit, 18 decimals, rounded down): the mark
/// the price band of option trades is measured from. Expired options (`now_ms ≥ expiry_ms`)
/// are worth their intrinsic value.
pub fn option_mark_e18(
    kind: OptionKind,
    spot_e18: u128,
    strike_e18: u128,
    vol_e18: u128,
    rate_e18: i128,
    now_ms: u64,
    expiry_ms: u64,
) -> MathResult<u128> {
    if spot_e18 == 0 || strike_e18 == 0 {
        return Err(MathError::OutOfDomain);
    }
    let value = bs_price(
        kind,
        e18_to_precise(spot_e18)?,
        e18_to_precise(strike_e18)?,
        e18_to_precise(vol_e18)?,
        years_until(now_ms, expiry_ms),
        signed_e18_to_precise(rate_e18)?,
    )?;
    precise_to_e18_floor(value)
}

/// `floor(x · 10^18)` of a non-negative [`Precise`]; `OutOfDomain` if negative.
pub fn precise_to_e18_floor(x: Precise) -> MathResult<u128> {
    let bits = u128::try_from(x.to_bits()).map_err(|_| MathError::OutOfDomain)?;
    // bits / 2^64 · 10^18
    mul_div(bits, ONE_E18, 1u128 << 64, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const E: u128 = ONE_E18;

    #[test]
    fn mul_div_rounds_both_ways_and_keeps_256_bit_products() {
        assert_eq!(mul_div(7, 3, 2, false), Ok(10));
        assert_eq!(mul_div(7, 3, 2, true), Ok(11));
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX, false), Ok(u128::MAX));
        assert_eq!(mul_div(u128::MAX, 2, 1, false), Err(MathError::Overflow));
        assert_eq!(mul_div(1, 1, 0, false), Err(MathError::DivisionByZero));
    }

    #[test]
    fn notional_units_in_quote_base_units() {
        // 1.5 contracts at 60,000 with 6 quote decimals = 90,000.000000
        assert_eq!(notional_units(3 * E / 2, 60_000 * E, 6, false), Ok(90_000_000_000));
        // 1 wei of size at price 1 with 6 decimals: 1e-18 quote rounds to 0 or 1 base unit.
        assert_eq!(notional_units(1, E, 6, false), Ok(0));
        assert_eq!(notional_units(1, E, 6, true), Ok(1));
        assert_eq!(notional_units(E, E, 24, false), Ok(1_000_000_000_000_000_000_000_000));
        assert_eq!(notional_units(E, E, 25, false), Err(MathError::OutOfDomain));
    }

    #[test]
    fn option_fee_ceiling_is_the_premium_share_plus_the_per_contract_floor() {
        // 2 contracts at 5.00 with spot 60,000, 6 decimals: premium 10.000000; 12.5% of it is
        // 1.250000; the floor 0.03% of 60,000 per contract is 18.000000 each, 36.000000 in all.
        let ceiling = option_fee_ceiling_units(2 * E, 5 * E, 60_000 * E, 6, E / 8, 3 * E / 10_000);
        assert_eq!(ceiling, Ok(1_250_000 + 36_000_000));
        // Without a floor only the premium share remains; a zero rate and floor allow nothing.
        assert_eq!(option_fee_ceiling_units(2 * E, 5 * E, 60_000 * E, 6, E / 8, 0), Ok(1_250_000));
        assert_eq!(option_fee_ceiling_units(2 * E, 5 * E, 60_000 * E, 6, 0, 0), Ok(0));
        // Each part rounds up like a fee: 1 wei of size still allows one base unit per part.
        assert_eq!(option_fee_ceiling_units(1, 5 * E, 60_000 * E, 6, E / 8, 3 * E / 10_000), Ok(2));
        assert_eq!(option_fee_ceiling_units(u128::MAX, u128::MAX, 1, 0, E, 0), Err(MathError::Overflow));
    }

    #[test]
    fn fees_round_up() {
        assert_eq!(fee_units(1_000, E / 1000), Ok(1));
        assert_eq!(fee_units(1_001, E / 1000), Ok(2));
        assert_eq!(fee_units(0, E / 1000), Ok(0));
    }

    #[test]
    fn band_is_a_fraction_of_spot() {
        assert_eq!(within_band(101 * E, 100 * E, 100 * E, E / 100), Ok(true));
        assert_eq!(within_band(101 * E + 1, 100 * E, 100 * E, E / 100), Ok(false));
        assert_eq!(within_band(99 * E, 100 * E, 100 * E, E / 100), Ok(true));
    }

    #[test]
    fn reducing_means_toward_zero_without_crossing() {
        assert!(is_reducing(10, 5));
        assert!(is_reducing(-10, 0));
        assert!(!is_reducing(10, -1));
        assert!(!is_reducing(10, 10));
        assert!(!is_reducing(0, 0));
        assert!(!is_reducing(-3, -4));
    }

    #[test]
    fn linear_fill_open_increase_reduce_cross() {
        let open = fill_linear(0, 0, 2 * E as i128, 100 * E, 6);
        assert_eq!(open, Ok(LinearFill { size_e18: 2 * E as i128, entry_e18: 100 * E, realized_units: 0 }));
        // add 1 at 103: entry (200 + 103)/3 = 101
        let inc = fill_linear(2 * E as i128, 100 * E, E as i128, 103 * E, 6);
        assert_eq!(inc, Ok(LinearFill { size_e18: 3 * E as i128, entry_e18: 101 * E, realized_units: 0 }));
        // sell 1 at 110 from 3 @101: realize +9
        let red = fill_linear(3 * E as i128, 101 * E, -(E as i128), 110 * E, 6);
        assert_eq!(red, Ok(LinearFill { size_e18: 2 * E as i128, entry_e18: 101 * E, realized_units: 9_000_000 }));
        // sell 5 at 95 from 2 @101: realize −12, open −3 @95
        let cross = fill_linear(2 * E as i128, 101 * E, -5 * E as i128, 95 * E, 6);
        assert_eq!(cross, Ok(LinearFill { size_e18: -3 * E as i128, entry_e18: 95 * E, realized_units: -12_000_000 }));
        // close a short with a gain: short 3 @95 bought back at 90
        let close = fill_linear(-3 * E as i128, 95 * E, 3 * E as i128, 90 * E, 6);
        assert_eq!(close, Ok(LinearFill { size_e18: 0, entry_e18: 0, realized_units: 15_000_000 }));
    }

    #[test]
    fn weighted_entry_rounds_against_the_holder() {
        // long 1 @1 wei + 2 @2 wei = 5/3 wei: long rounds up, short rounds down
        assert_eq!(fill_linear(1, 1, 2, 2, 18).map(|f| f.entry_e18), Ok(2));
        assert_eq!(fill_linear(-1, 1, -2, 2, 18).map(|f| f.entry_e18), Ok(1));
    }

    #[test]
    fn realized_losses_round_toward_minus_infinity() {
        // close 1 wei of size with a 1-quote loss at 6 decimals: −1e-18 quote → −1 base unit
        assert_eq!(realized_pnl_units(1, 2 * E, E, true, 6), Ok(-1));
        assert_eq!(realized_pnl_units(1, E, 2 * E, true, 6), Ok(0));
    }

    #[test]
    fn option_mark_matches_intrinsic_at_expiry() {
        let mark = option_mark_e18(OptionKind::Call, 110 * E, 100 * E, E / 2, 0, 1_000, 1_000);
        assert_eq!(mark, Ok(10 * E));
        let put = option_mark_e18(OptionKind::Put, 110 * E, 100 * E, E / 2, 0, 2_000, 1_000);
        assert_eq!(put, Ok(0));
    }
}
