//! `exp`, `ln` and `sqrt` on [`Precise`] (`I64F64`), computed on raw integers.
//!
//! Kernels work in Q62 (62 fractional bits in an `i128`) so that every product of two kernel
//! values fits in 128 bits; results are returned in Q64.

use crate::error::{MathError, MathResult};
use crate::fixed_point::{div_wide, imul, mul_q62_i64, ovf, Precise};

/// Fractional bits of the kernels.
const K: u32 = 62;
/// ln 2 · 2^96, rounded to nearest (error < 2^-97).
const LN2_Q96: i128 = 54_916_777_467_707_473_351_141_471_128;
/// √2 · 2^62, rounded down.
const SQRT2_Q62: i128 = 6_521_908_912_666_391_106;
/// Above this (Q64 raw ≈ 43.668 = ln 2^63) `exp` overflows `I64F64`.
const EXP_MAX_Q64: i128 = 43 << 64;
/// Below this `exp` is less than half an ulp of `I64F64` (e^-45 ≈ 2.9e-20 < 2^-64).
const EXP_MIN_Q64: i128 = -(45 << 64);

/// `a · b >> K` for kernel values (floor). Callers keep `|a·b| < 2^127`.
#[inline]
fn kmul(a: i128, b: i128) -> MathResult<i128> {
    Ok(ovf(imul(a, b))? >> K)
}

/// 1/n! in Q62 for n = 0..=17 (rounded down; all ≤ 2^62, so they fit `i64`).
const INV_FACT_Q62: [i64; 18] = inv_factorials();

#[allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation
)] // const-evaluated; every value ≤ 2^62
const fn inv_factorials() -> [i64; 18] {
    let mut out = [0i64; 18];
    let mut fact: i128 = 1;
    let mut n = 0;
    while n < 18 {
        if n > 0 {
            fact *= n as i128;
        }
        out[n] = ((1i128 << K) / fact) as i64;
        n += 1;
    }
    out
}

/// 1/(2n+1) in Q62 for n = 0..=12 (rounded down; all ≤ 2^62).
const INV_ODD_Q62: [i64; 13] = inv_odds();

#[allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation
)] // const-evaluated; every value ≤ 2^62
const fn inv_odds() -> [i64; 13] {
    let mut out = [0i64; 13];
    let mut n = 0;
    while n < 13 {
        out[n] = ((1i128 << K) / (2 * n as i128 + 1)) as i64;
        n += 1;
    }
    out
}

/// Horner evaluation of `Σ c[i] · x^i` in Q62 for `|x| < 2^61` (0.5; otherwise `Overflow`).
///
/// Runs on `i64` with 64-bit limb multiplies (`|acc · x| < 2^63 · 2^61`, inside
/// `mul_q62_i64`'s bound): the same floors as an `i128` evaluation, so the same bits, as long
/// as the partial sums fit `i64` — they stay below 1.5 in the kernels here, and an overflow
/// would be an error, never a wrong value.
#[inline]
fn horner(coeffs: &[i64], x: i128) -> MathResult<i128> {
    const BOUND: i64 = 1 << 61;
    let x = i64::try_from(x).ok().filter(|x| (-BOUND..BOUND).contains(x)).ok_or(MathError::Overflow)?;
    let mut acc: i64 = 0;
    for c in coeffs.iter().rev() {
        acc = ovf(mul_q62_i64(acc, x).checked_add(*c))?;
    }
    Ok(i128::from(acc))
}

/// e^x.
///
/// * Domain: `x < 43` (larger arguments return `Overflow`; `I64F64` ends at 2^63 ≈ e^43.67).
/// * Special values: `exp(0) = 1` exactly; `x ≤ −45` returns 0 (the true value is below
///   half an ulp, 2^-65).
/// * Method: `x = k·ln2 + r` with `|r| ≤ ln2/2` (ln 2 to 96 bits), a degree-17 Taylor
///   polynomial for `e^r` in Q62 (truncation < 1e-24), then a shift by `k`.
/// * Error: relative ≤ 4e-18 plus one ulp (2^-64 ≈ 5.4e-20) of the result.
pub fn exp(x: Precise) -> MathResult<Precise> {
    let x_raw = x.to_bits();
    if x_raw >= EXP_MAX_Q64 {
        return Err(MathError::Overflow);
    }
    if x_raw <= EXP_MIN_Q64 {
        return Ok(Precise::ZERO);
    }
    // |x| < 45, so x · 2^32 fits easily: x in Q96.
    let x_q96 = ovf(x_raw.checked_mul(1 << 32))?;
    // k = round(x / ln2)
    let k = ovf(ovf(x_q96.checked_add(LN2_Q96 >> 1))?.checked_div_euclid(LN2_Q96))?;
    let r_q96 = ovf(x_q96.checked_sub(ovf(k.checked_mul(LN2_Q96))?))?;
    let r = r_q96 >> (96 - K);
    let er = horner(&INV_FACT_Q62, r)?; // e^r in Q62, within [0.70, 1.42]
                                        // result Q64 = er · 2^(k + 2)
    let shift = ovf(k.checked_add(2))?;
    let bits = if shift >= 0 {
        let s = u32::try_from(shift).map_err(|_| MathError::Overflow)?;
        let out = ovf(er.checked_shl(s))?;
        if out >> s != er {
            return Err(MathError::Overflow);
        }
        out
    } else {
        let s = u32::try_from(ovf(shift.checked_neg())?).map_err(|_| MathError::Overflow)?;
        if s >= 127 {
            0
        } else {
            er >> s
        }
    };
    Ok(Precise::from_bits(bits))
}

/// Natural logarithm of a positive raw fixed-point number `raw · 2^-frac_bits`, in Q64.
///
/// The argument is normalized by a bit shift (exact), so the error does not depend on the
/// magnitude of the argument.
pub(crate) fn ln_raw(raw: u128, frac_bits: u32) -> MathResult<i128> {
    if raw == 0 {
        return Err(MathError::NonPositive);
    }
    let msb = 127u32.saturating_sub(raw.leading_zeros());
    // mantissa in Q62 within [1, 2)
    let m = if msb >= K { raw >> msb.saturating_sub(K) } else { raw << K.saturating_sub(msb) };
    let mut m = i128::try_from(m).map_err(|_| MathError::Overflow)?;
    let mut e = ovf(i128::from(msb).checked_sub(i128::from(frac_bits)))?;
    if m > SQRT2_Q62 {
        m >>= 1;
        e = ovf(e.checked_add(1))?;
    }
    // ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716
    let one = 1i128 << K;
    let num = ovf(m.checked_sub(one))?;
    let den = ovf(m.checked_add(one))?;
    // den < 2^64: two 64-bit limb divisions, the bits of `checked_div`.
    let s = ovf(div_wide(ovf(imul(num, one))?, den))?;
    let z = kmul(s, s)?;
    let series = horner(&INV_ODD_Q62, z)?;
    let ln_m_q62 = kmul(s, series)?; // half of ln m, Q62
    let ln_m_q64 = ovf(ln_m_q62.checked_mul(8))?; // ·2 for atanh, ·4 for Q62 → Q64
    let e_ln2_q64 = ovf(e.checked_mul(LN2_Q96))? >> 32;
    ovf(e_ln2_q64.checked_add(ln_m_q64))
}

/// Natural logarithm.
///
/// * Domain: `x > 0`; otherwise `NonPositive`.
/// * Special values: `ln(1) = 0` exactly.
/// * Method: `x = m·2^e` with `m ∈ [√½, √2]` by an exact shift, `ln m = 2·atanh((m−1)/(m+1))`
///   by a 13-term series (truncation < 1e-21), plus `e·ln2` with ln 2 to 96 bits.
/// * Error: absolute ≤ 1e-18 for every representable argument.
pub fn ln(x: Precise) -> MathResult<Precise> {
    let raw = x.to_bits();
    if raw <= 0 {
        return Err(MathError::NonPositive);
    }
    ln_raw(raw.unsigned_abs(), 64).map(Precise::from_bits)
}

/// Square root, rounded down to the last bit of `I64F64`.
///
/// * Domain: `x ≥ 0`; otherwise `NonPositive`.
/// * Special values: exact for perfect squares; `sqrt(0) = 0`.
/// * Error: never above the true root; exactly `floor(√x · 2^64)` for `x < 1`, relative error
///   ≤ 2^-63 above (the root of the shifted integer has at least 63 significant bits).
pub fn sqrt(x: Precise) -> MathResult<Precise> {
    let raw = x.to_bits();
    if raw < 0 {
        return Err(MathError::NonPositive);
    }
    let raw = raw.unsigned_abs();
    // want isqrt(raw · 2^64); shift by an even amount 2j ≤ 64 that keeps it in 128 bits,
    // then scale by 2^(32 − j).
    let room = raw.leading_zeros() & !1; // even
    let two_j = if room >= 64 { 64 } else { room };
    let root = (raw << two_j).isqrt() << 32u32.saturating_sub(two_j >> 1);
    i128::try_from(root).map(Precise::from_bits).map_err(|_| MathError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64) -> Precise {
        Precise::from_num(x)
    }

    #[test]
    fn exp_special_values() {
        assert_eq!(exp(Precise::ZERO).unwrap(), Precise::ONE);
        assert_eq!(exp(p(-46.0)).unwrap(), Precise::ZERO);
        assert_eq!(exp(p(43.5)), Err(MathError::Overflow));
        assert!((exp(p(1.0)).unwrap().to_num::<f64>() - core::f64::consts::E).abs() < 1e-15);
        // e^-30 ≈ 9.4e-14 carries ~17 significant bits at Q64: check it absolutely.
        assert!((exp(p(-30.0)).unwrap().to_num::<f64>() - (-30f64).exp()).abs() < 2e-19);
        assert!((exp(p(40.0)).unwrap().to_num::<f64>() / 40f64.exp() - 1.0).abs() < 1e-14);
    }

    #[test]
    fn ln_special_values_and_inverse() {
        assert_eq!(ln(Precise::ONE).unwrap(), Precise::ZERO);
        assert_eq!(ln(Precise::ZERO), Err(MathError::NonPositive));
        assert_eq!(ln(p(-1.0)), Err(MathError::NonPositive));
        assert!((ln(p(2.0)).unwrap().to_num::<f64>() - core::f64::consts::LN_2).abs() < 1e-17);
        let smallest = ln(Precise::from_bits(1)).unwrap().to_num::<f64>();
        assert!((smallest + 64.0 * core::f64::consts::LN_2).abs() < 1e-13);
        for x in [0.001, 0.37, 1.5, 7.0, 1234.5, 9.0e18] {
            let back = exp(ln(p(x)).unwrap());
            if x < 43.0f64.exp() {
                let rel = back.unwrap().to_num::<f64>() / x - 1.0;
                assert!(rel.abs() < 1e-15, "x={x} rel={rel}");
            }
        }
    }

    #[test]
    fn sqrt_exact_squares_and_floor() {
        assert_eq!(sqrt(p(4.0)).unwrap(), p(2.0));
        assert_eq!(sqrt(p(0.25)).unwrap(), p(0.5));
        assert_eq!(sqrt(Precise::ZERO).unwrap(), Precise::ZERO);
        assert_eq!(sqrt(p(-0.5)), Err(MathError::NonPositive));
        let two = sqrt(p(2.0)).unwrap().to_bits() as u128;
        // floor(√2 · 2^64) = 26087635650665564424
        assert!(26_087_635_650_665_564_424u128 - two <= 2);
        let big = sqrt(Precise::MAX).unwrap().to_num::<f64>();
        assert!((big / 9.223_372_036_854_776e18f64.sqrt() - 1.0).abs() < 1e-15);
    }
}
