//! Integer-first conversions from on-chain integers to fixed point (README, "Units and
//! conventions").
//!
//! An amount `a` with `d` decimals is `q = a / 10^d` whole units plus the fraction
//! `(a % 10^d) / 10^d`, which is computed as `floor((a % 10^d) · 2^F / 10^d)`: the result is
//! the exact value rounded toward −∞ at the target's resolution. `fixed`'s decimal parser
//! (round to nearest) is never used, so the CLI (decimal string → e18 integer → here) and the
//! contracts (integers from storage and the oracle → here) get identical bits.

use crate::error::{MathError, MathResult};
use crate::fixed_point::{divrem_u128_u64, ovf, Precise, Value, PRECISE_FRAC_BITS, VALUE_FRAC_BITS};

/// Oracle values and model parameters carry 18 decimals.
pub const E18_DECIMALS: u8 = 18;
/// Largest supported token decimals.
pub const MAX_DECIMALS: u8 = 24;
/// Milliseconds in the 365-day year used for option time (`T = Δms / 31_536_000_000`).
pub const MS_PER_YEAR: u64 = 31_536_000_000;

/// `10^decimals` for token decimals `0..=24`; `OutOfDomain` above.
pub fn pow10(decimals: u8) -> MathResult<u128> {
    if decimals > MAX_DECIMALS {
        return Err(MathError::OutOfDomain);
    }
    ovf(10u128.checked_pow(u32::from(decimals)))
}

/// `floor(a / 10^d)` and `ceil(a / 10^d)` as raw fixed-point bits with `frac_bits` fraction.
/// Returns `(floor_bits, is_exact)`.
fn unsigned_to_bits(a: u128, decimals: u8, frac_bits: u32) -> MathResult<(u128, bool)> {
    let scale = pow10(decimals)?;
    // Up to 19 decimals the scale fits 64 bits: native 64-bit divisions (the hot path: every
    // e18 oracle value, parameter, size and strike). Same quotients and remainders as below.
    let (q, frac, exact) = match u64::try_from(scale) {
        Ok(scale64) => {
            let (q, r) = ovf(divrem_u128_u64(a, scale64))?;
            let (frac, exact) = frac_of_u64(r, scale64, frac_bits)?;
            (q, frac, exact)
        }
        Err(_) => {
            let q = ovf(a.checked_div(scale))?;
            let r = ovf(a.checked_rem(scale))?;
            let (frac, exact) = frac_of(r, scale, frac_bits)?;
            (q, frac, exact)
        }
    };
    let int_bits = ovf(q.checked_mul(ovf(1u128.checked_shl(frac_bits))?))?;
    Ok((ovf(int_bits.checked_add(frac))?, exact))
}

/// `floor(r · 2^frac_bits / scale)` for `r < scale ≤ 10^24`, and whether it is exact.
fn frac_of(r: u128, scale: u128, frac_bits: u32) -> MathResult<(u128, bool)> {
    // Long division in 32-bit chunks keeps every intermediate below 2^(80+32) < 2^128.
    let mut rem = r;
    let mut out: u128 = 0;
    let mut left = frac_bits;
    while left > 0 {
        let step = if left >= 32 { 32 } else { left };
        rem = ovf(rem.checked_shl(step))?;
        let digit = ovf(rem.checked_div(scale))?;
        rem = ovf(rem.checked_rem(scale))?;
        out = ovf(ovf(out.checked_shl(step))?.checked_add(digit))?;
        left = ovf(left.checked_sub(step))?;
    }
    Ok((out, rem == 0))
}

/// [`frac_of`] for a 64-bit `scale` (`r < scale`): each 32-bit step divides a value below
/// `scale · 2^32` by `scale` with one [`divrem_u128_u64`], so the quotient digits and the final
/// remainder are exactly those of `frac_of`.
fn frac_of_u64(r: u64, scale: u64, frac_bits: u32) -> MathResult<(u128, bool)> {
    let mut rem = r;
    let mut out: u128 = 0;
    let mut left = frac_bits;
    while left > 0 {
        let step = if left >= 32 { 32 } else { left };
        let shifted = ovf(u128::from(rem).checked_shl(step))?;
        let (digit, next) = ovf(divrem_u128_u64(shifted, scale))?;
        rem = next;
        out = ovf(ovf(out.checked_shl(step))?.checked_add(digit))?;
        left = ovf(left.checked_sub(step))?;
    }
    Ok((out, rem == 0))
}

fn bits_to_signed(bits: u128) -> MathResult<i128> {
    i128::try_from(bits).map_err(|_| MathError::Overflow)
}

/// Signed base units with `decimals` (0–24) → [`Value`], rounded toward −∞.
pub fn units_to_value_floor(amount: i128, decimals: u8) -> MathResult<Value> {
    signed_to_value(amount, decimals, false)
}

/// Signed base units with `decimals` (0–24) → [`Value`], rounded toward +∞.
pub fn units_to_value_ceil(amount: i128, decimals: u8) -> MathResult<Value> {
    signed_to_value(amount, decimals, true)
}

fn signed_to_value(amount: i128, decimals: u8, up: bool) -> MathResult<Value> {
    let (bits, exact) = unsigned_to_bits(amount.unsigned_abs(), decimals, VALUE_FRAC_BITS)?;
    // floor(|a|) for positives; for negatives floor(−|a|) = −ceil(|a|).
    let bump = !exact && (up == (amount >= 0));
    let mag = if bump { ovf(bits.checked_add(1))? } else { bits };
    let mag = bits_to_signed(mag)?;
    let signed = if amount >= 0 { mag } else { ovf(mag.checked_neg())? };
    Ok(Value::from_bits(signed))
}

/// Unsigned base units with `decimals` (0–24) → [`Value`], rounded toward −∞.
pub fn unsigned_to_value_floor(amount: u128, decimals: u8) -> MathResult<Value> {
    let (bits, _) = unsigned_to_bits(amount, decimals, VALUE_FRAC_BITS)?;
    Ok(Value::from_bits(bits_to_signed(bits)?))
}

/// Signed base units → [`Value`], rounded toward zero (the magnitude floored), so that equal and
/// opposite quantities convert to exactly opposite values. Used for position sizes: a short
/// perpetual of the same size as the collateral nets to exactly zero delta.
pub fn units_to_value_toward_zero(amount: i128, decimals: u8) -> MathResult<Value> {
    let (bits, _) = unsigned_to_bits(amount.unsigned_abs(), decimals, VALUE_FRAC_BITS)?;
    let mag = bits_to_signed(bits)?;
    Ok(Value::from_bits(if amount >= 0 { mag } else { ovf(mag.checked_neg())? }))
}

/// An 18-decimal requirement parameter (shock, add-on, haircut) → [`Value`], rounded toward +∞,
/// so requirements computed from it are never below those of the exact decimal parameter.
pub fn e18_to_value_ceil(x_e18: u128) -> MathResult<Value> {
    let (bits, exact) = unsigned_to_bits(x_e18, E18_DECIMALS, VALUE_FRAC_BITS)?;
    let bits = if exact { bits } else { ovf(bits.checked_add(1))? };
    Ok(Value::from_bits(bits_to_signed(bits)?))
}

/// An 18-decimal integer (oracle value, price, parameter) → [`Value`], rounded toward −∞.
pub fn e18_to_value(x_e18: u128) -> MathResult<Value> {
    unsigned_to_value_floor(x_e18, E18_DECIMALS)
}

/// A signed 18-decimal integer (position size, rate) → [`Value`], rounded toward −∞.
pub fn signed_e18_to_value(x_e18: i128) -> MathResult<Value> {
    units_to_value_floor(x_e18, E18_DECIMALS)
}

/// An 18-decimal integer → [`Precise`] (`I64F64`), rounded toward −∞. Fails above 2^63.
pub fn e18_to_precise(x_e18: u128) -> MathResult<Precise> {
    let (bits, _) = unsigned_to_bits(x_e18, E18_DECIMALS, PRECISE_FRAC_BITS)?;
    Ok(Precise::from_bits(bits_to_signed(bits)?))
}

/// A signed 18-decimal integer → [`Precise`], rounded toward −∞.
pub fn signed_e18_to_precise(x_e18: i128) -> MathResult<Precise> {
    let (bits, exact) = unsigned_to_bits(x_e18.unsigned_abs(), E18_DECIMALS, PRECISE_FRAC_BITS)?;
    let mag = if x_e18 < 0 && !exact { ovf(bits.checked_add(1))? } else { bits };
    let mag = bits_to_signed(mag)?;
    Ok(Precise::from_bits(if x_e18 >= 0 { mag } else { ovf(mag.checked_neg())? }))
}

/// Milliseconds → years of 365 days as [`Precise`], by one exact floor division
/// (`T = Δms / 31_536_000_000`). Infallible: `u64::MAX` ms is 5.8e8 years.
pub fn ms_to_years(delta_ms: u64) -> Precise {
    let q = delta_ms / MS_PER_YEAR;
    let r = u128::from(delta_ms % MS_PER_YEAR);
    // r < 2^35, so r · 2^64 < 2^99: no overflow.
    let frac = (r << 64).checked_div(u128::from(MS_PER_YEAR)).unwrap_or(0);
    let bits = (u128::from(q) << 64) | frac;
    // q < 2^30, so bits < 2^94 always fits in i128.
    Precise::from_bits(i128::try_from(bits).unwrap_or(i128::MAX))
}

/// Years from `now_ms` until `expiry_ms`; zero once expired.
pub fn years_until(now_ms: u64, expiry_ms: u64) -> Precise {
    ms_to_years(expiry_ms.saturating_sub(now_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_first_floor_matches_exact_rationals() {
        // 1.5 with 6 decimals is exact in binary.
        assert_eq!(units_to_value_floor(1_500_000, 6).unwrap(), Value::from_num(1.5));
        // 0.1 is not: floor and ceil bracket it by one ulp.
        let lo = units_to_value_floor(1, 1).unwrap();
        let hi = units_to_value_ceil(1, 1).unwrap();
        assert_eq!(hi.to_bits() - lo.to_bits(), 1);
        assert!(lo.to_bits() * 10 < 1 << 48 && hi.to_bits() * 10 > 1 << 48);
        // Negative amounts floor toward −∞.
        assert_eq!(units_to_value_floor(-1, 1).unwrap(), -hi);
        assert_eq!(units_to_value_ceil(-1, 1).unwrap(), -lo);
    }

    #[test]
    fn twenty_four_decimals_and_limits() {
        let one = unsigned_to_value_floor(10u128.pow(24), 24).unwrap();
        assert_eq!(one, Value::ONE);
        let x = unsigned_to_value_floor(10u128.pow(24) + 1, 24).unwrap();
        assert_eq!(x, Value::ONE); // 1e-24 is below one ulp (3.55e-15)
        assert_eq!(unsigned_to_value_floor(1, 25), Err(MathError::OutOfDomain));
        assert_eq!(unsigned_to_value_floor(u128::MAX, 0), Err(MathError::Overflow));
    }

    #[test]
    fn e18_to_precise_is_exact_floor() {
        let half = e18_to_precise(500_000_000_000_000_000).unwrap();
        assert_eq!(half.to_bits(), 1i128 << 63);
        let x = e18_to_precise(1).unwrap(); // 1e-18 · 2^64 = 18.446…
        assert_eq!(x.to_bits(), 18);
        assert_eq!(signed_e18_to_precise(-1).unwrap().to_bits(), -19);
        assert!(e18_to_precise(u128::MAX).is_err());
    }

    #[test]
    fn years_are_one_exact_division() {
        assert_eq!(ms_to_years(MS_PER_YEAR), Precise::ONE);
        let half_year = ms_to_years(MS_PER_YEAR / 2);
        assert_eq!(half_year.to_bits(), 1i128 << 63);
        let one_ms = ms_to_years(1).to_bits();
        assert_eq!(one_ms, ((1u128 << 64) / 31_536_000_000) as i128);
        assert_eq!(years_until(10, 5), Precise::ZERO);
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: the generic 128-bit path for any scale.
    fn reference(a: u128, decimals: u8, frac_bits: u32) -> (u128, bool) {
        let scale = pow10(decimals).unwrap();
        let (frac, exact) = frac_of(a % scale, scale, frac_bits).unwrap();
        ((a / scale) * (1u128 << frac_bits) + frac, exact)
    }

    proptest! {
        #[test]
        fn fast_path_equals_the_generic_division(
            a in prop_oneof![any::<u64>().prop_map(u128::from), 0u128..(1u128 << 100)],
            decimals in 0u8..=19,
            frac_bits in prop_oneof![Just(48u32), Just(64u32), 1u32..=64],
        ) {
            // Keep q · 2^frac_bits within 128 bits, as the callers' domains do.
            let scale = pow10(decimals).unwrap();
            prop_assume!((a / scale).leading_zeros() > frac_bits);
            prop_assert_eq!(unsigned_to_bits(a, decimals, frac_bits).unwrap(), reference(a, decimals, frac_bits));
        }
    }

    #[test]
    fn fast_path_edges() {
        for decimals in [0u8, 1, 6, 18, 19] {
            let scale = pow10(decimals).unwrap();
            for a in
                [0u128, 1, scale - 1, scale, scale + 1, 3 * scale - 1, u128::from(u64::MAX), (1u128 << 63) * scale - 1]
            {
                for frac_bits in [48u32, 64] {
                    if (a / scale).leading_zeros() > frac_bits {
                        assert_eq!(
                            unsigned_to_bits(a, decimals, frac_bits).unwrap(),
                            reference(a, decimals, frac_bits),
                            "a={a} d={decimals} f={frac_bits}"
                        );
                    }
                }
            }
        }
    }
}
