//! Fixed-point types and checked, direction-aware arithmetic on them.
//!
//! Rounding is explicit in the names: `_floor` rounds toward −∞ (values, assets),
//! `_ceil` toward +∞ (requirements, liabilities). `fixed`'s own `checked_mul` floors.

use crate::error::{MathError, MathResult};
use fixed::types::{I64F64, I80F48};

/// Money and quantities in whole-token units: 80 integer bits, 48 fractional (≈ 3.55e-15).
pub type Value = I80F48;
/// The option-pricing path: 64 integer bits, 64 fractional (≈ 5.42e-20).
pub type Precise = I64F64;

/// Fractional bits of [`Value`].
pub const VALUE_FRAC_BITS: u32 = 48;
/// Fractional bits of [`Precise`].
pub const PRECISE_FRAC_BITS: u32 = 64;

/// `Option` → `MathError::Overflow`.
#[inline]
pub(crate) fn ovf<T>(x: Option<T>) -> MathResult<T> {
    x.ok_or(MathError::Overflow)
}

/// `a · b` of two `u64`s as `(high, low)` 64-bit halves, exact. Built from four 32 × 32-bit
/// products with native 64-bit operations only: on wasm32 a 128-bit multiply is a call to the
/// emulated `__multi3`, several times slower (pallet-contracts charges per Wasm instruction).
#[inline(always)]
pub(crate) fn mul_wide_u64(a: u64, b: u64) -> (u64, u64) {
    const LOW: u64 = 0xFFFF_FFFF;
    let (a0, a1) = (a & LOW, a >> 32);
    let (b0, b1) = (b & LOW, b >> 32);
    // Each partial product of two 32-bit halves is below 2^64; the wrapping ops never wrap.
    let p00 = a0.wrapping_mul(b0);
    let p01 = a0.wrapping_mul(b1);
    let p10 = a1.wrapping_mul(b0);
    let p11 = a1.wrapping_mul(b1);
    // < 3 · 2^32
    let mid = (p00 >> 32).wrapping_add(p01 & LOW).wrapping_add(p10 & LOW);
    let low = (mid << 32) | (p00 & LOW);
    let high = p11.wrapping_add(p01 >> 32).wrapping_add(p10 >> 32).wrapping_add(mid >> 32);
    (high, low)
}

/// `a · b` of two `i64`s as `(high, low)` halves of the two's-complement 128-bit product, exact
/// (the signed high half is the unsigned one minus each negative factor's partner).
#[inline(always)]
pub(crate) fn mul_wide_i64(a: i64, b: i64) -> (i64, u64) {
    let (au, bu) = (a.cast_unsigned(), b.cast_unsigned());
    let (mut high, low) = mul_wide_u64(au, bu);
    if a < 0 {
        high = high.wrapping_sub(bu);
    }
    if b < 0 {
        high = high.wrapping_sub(au);
    }
    (high.cast_signed(), low)
}

/// `floor(a · b / 2^62)` for Q62 `i64`s whose product is below 2^125 in magnitude (so the
/// result fits `i64`; callers guarantee it). Exactly `((a as i128 * b as i128) >> 62) as i64`.
#[inline(always)]
pub(crate) fn mul_q62_i64(a: i64, b: i64) -> i64 {
    let (high, low) = mul_wide_i64(a, b);
    ((high.cast_unsigned() << 2) | (low >> 62)).cast_signed()
}

/// `a · b` for raw `i128`s, `None` on overflow — exactly `a.checked_mul(b)`, but when both
/// factors fit in 64 bits (the common case in the polynomial kernels) it uses one widening
/// 64 × 64 → 128-bit multiply ([`mul_wide_i64`]), which cannot overflow. Same result bits
/// either way.
#[inline(always)]
pub(crate) fn imul(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) => {
            let (high, low) = mul_wide_i64(x, y);
            Some((i128::from(high) << 64) | i128::from(low))
        }
        _ => a.checked_mul(b),
    }
}

/// `floor(a · b / 2^64)` for raw [`Precise`] bits, `None` if it does not fit: bit for bit
/// `I64F64::checked_mul` (which floors the exact 256-bit product), from four 64-bit limb
/// products ([`mul_wide_u64`]) instead of `fixed`'s emulated 256-bit arithmetic.
#[inline]
#[allow(clippy::cast_possible_truncation)] // `as u64` takes the low limb on purpose
pub(crate) fn mul_q64_i128(a: i128, b: i128) -> Option<i128> {
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    let (a1, a0) = ((ua >> 64) as u64, ua as u64);
    let (b1, b0) = ((ub >> 64) as u64, ub as u64);
    let wide = |(h, l): (u64, u64)| (u128::from(h) << 64) | u128::from(l);
    // |a·b| / 2^64 = a1·b1·2^64 + a1·b0 + a0·b1 + high(a0·b0), remainder low(a0·b0).
    let (h00, l00) = mul_wide_u64(a0, b0);
    let (h11, l11) = mul_wide_u64(a1, b1);
    if h11 != 0 {
        return None;
    }
    let q = (u128::from(l11) << 64)
        .checked_add(wide(mul_wide_u64(a1, b0)))?
        .checked_add(wide(mul_wide_u64(a0, b1)))?
        .checked_add(u128::from(h00))?;
    if (a < 0) == (b < 0) {
        i128::try_from(q).ok()
    } else {
        // floor of a negative quotient: round the magnitude up when the remainder is not zero.
        let q = if l00 == 0 { q } else { q.checked_add(1)? };
        0i128.checked_sub_unsigned(q)
    }
}

/// `a + b`, checked.
#[inline]
pub fn add(a: Value, b: Value) -> MathResult<Value> {
    ovf(a.checked_add(b))
}

/// `a − b`, checked.
#[inline]
pub fn sub(a: Value, b: Value) -> MathResult<Value> {
    ovf(a.checked_sub(b))
}

/// `a · b` rounded toward −∞.
#[inline]
pub fn mul_floor(a: Value, b: Value) -> MathResult<Value> {
    ovf(a.checked_mul(b))
}

/// `a · b` rounded toward +∞.
#[inline]
pub fn mul_ceil(a: Value, b: Value) -> MathResult<Value> {
    let neg = ovf(a.checked_neg())?;
    ovf(ovf(neg.checked_mul(b))?.checked_neg())
}

/// `a · b` in [`Precise`], rounded toward −∞.
#[inline]
pub fn pmul(a: Precise, b: Precise) -> MathResult<Precise> {
    ovf(mul_q64_i128(a.to_bits(), b.to_bits())).map(Precise::from_bits)
}

/// `a + b` in [`Precise`], checked.
#[inline]
pub fn padd(a: Precise, b: Precise) -> MathResult<Precise> {
    ovf(a.checked_add(b))
}

/// `a − b` in [`Precise`], checked.
#[inline]
pub fn psub(a: Precise, b: Precise) -> MathResult<Precise> {
    ovf(a.checked_sub(b))
}

/// [`Precise`] → [`Value`], rounded toward −∞ (drops 16 fractional bits).
#[inline]
pub fn precise_to_value_floor(x: Precise) -> Value {
    Value::from_bits(x.to_bits() >> 16)
}

/// [`Precise`] → [`Value`], rounded toward +∞.
#[inline]
pub fn precise_to_value_ceil(x: Precise) -> Value {
    let bits = x.to_bits();
    let floor = bits >> 16;
    // floor < 2^111, so adding one cannot overflow.
    Value::from_bits(if bits & 0xFFFF == 0 { floor } else { floor.saturating_add(1) })
}

/// [`Value`] → [`Precise`] (exact; fails if the integer part needs more than 63 bits).
#[inline]
pub fn value_to_precise(x: Value) -> MathResult<Precise> {
    ovf(x.to_bits().checked_mul(1 << 16)).map(Precise::from_bits)
}

/// `size · x` for a [`Value`] quantity and a [`Precise`] per-unit amount, rounded toward +∞
/// if `up`, else toward −∞. The per-unit amount is first rounded to [`Value`] in the same
/// direction for the sign of `size`, so the product's rounding error is below
/// `(|size| + 1) · 2^-48`.
pub fn mul_size_precise(size: Value, x: Precise, up: bool) -> MathResult<Value> {
    let x_rounded_up = up == (size >= Value::ZERO);
    let xv = if x_rounded_up { precise_to_value_ceil(x) } else { precise_to_value_floor(x) };
    if up {
        mul_ceil(size, xv)
    } else {
        mul_floor(size, xv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_mul_floors_and_mul_ceil_rounds_up() {
        let tiny = Value::from_bits(1);
        let half = Value::from_num(0.5);
        assert_eq!(mul_floor(tiny, half).unwrap(), Value::ZERO);
        assert_eq!(mul_ceil(tiny, half).unwrap(), tiny);
        assert_eq!(mul_floor(-tiny, half).unwrap(), -tiny);
        assert_eq!(mul_ceil(-tiny, half).unwrap(), Value::ZERO);
    }

    #[test]
    fn precise_to_value_rounds_both_ways() {
        let x = Precise::from_bits((5 << 16) + 1);
        assert_eq!(precise_to_value_floor(x).to_bits(), 5);
        assert_eq!(precise_to_value_ceil(x).to_bits(), 6);
        assert_eq!(precise_to_value_floor(-x).to_bits(), -6);
        assert_eq!(precise_to_value_ceil(-x).to_bits(), -5);
        let exact = Precise::from_bits(7 << 16);
        assert_eq!(precise_to_value_ceil(exact).to_bits(), 7);
    }

    /// Edge and pseudo-random raw values: all sign/limb combinations, carries, overflow limits.
    fn samples() -> std::vec::Vec<i128> {
        let mut v = std::vec![0, 1, -1, 2, -2, i128::MAX, i128::MIN, i128::MAX - 1, i128::MIN + 1];
        for k in [31, 32, 63, 64, 65, 95, 96, 126] {
            let p = 1i128 << k;
            v.extend([p, -p, p - 1, -(p - 1), p + 1, -(p + 1)]);
        }
        let mut x: u128 = 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C834;
        for _ in 0..400 {
            x = x.wrapping_mul(0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645).wrapping_add(1);
            let r = x as i128;
            v.extend([r, r >> 40, r >> 64, r >> 70, r >> 90, r >> 100]);
        }
        v
    }

    #[test]
    fn limb_multiplies_match_the_wide_products() {
        let s = samples();
        for &a in &s {
            for &b in s.iter().step_by(7) {
                let want = Precise::from_bits(a).checked_mul(Precise::from_bits(b)).map(Precise::to_bits);
                assert_eq!(mul_q64_i128(a, b), want, "pmul {a} {b}");
                assert_eq!(imul(a, b), a.checked_mul(b), "imul {a} {b}");
                let (x, y) = (a as i64, b as i64);
                let (h, l) = mul_wide_i64(x, y);
                assert_eq!((i128::from(h) << 64) | i128::from(l), i128::from(x) * i128::from(y));
                let (h, l) = mul_wide_u64(x as u64, y as u64);
                assert_eq!((u128::from(h) << 64) | u128::from(l), u128::from(x as u64) * u128::from(y as u64));
                let (x, y) = (x >> 2, y >> 2); // product below 2^125
                assert_eq!(mul_q62_i64(x, y), ((i128::from(x) * i128::from(y)) >> 62) as i64);
            }
        }
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(mul_floor(Value::MAX, Value::from_num(2)), Err(MathError::Overflow));
        assert_eq!(mul_ceil(Value::MIN, Value::ONE), Err(MathError::Overflow));
        assert_eq!(value_to_precise(Value::MAX), Err(MathError::Overflow));
    }
}
