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

/// `a · b` for raw `i128`s, `None` on overflow — exactly `a.checked_mul(b)`, but when both
/// factors fit in 64 bits (the common case in the polynomial kernels) it uses one widening
/// 64 × 64 → 128-bit multiply, which cannot overflow: on wasm32 this avoids the much slower
/// overflow-checked 128-bit multiply (`__muloti4`). Same result bits either way.
#[inline]
pub(crate) fn imul(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) => Some(i128::from(x).wrapping_mul(i128::from(y))),
        _ => a.checked_mul(b),
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
    ovf(a.checked_mul(b))
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

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(mul_floor(Value::MAX, Value::from_num(2)), Err(MathError::Overflow));
        assert_eq!(mul_ceil(Value::MIN, Value::ONE), Err(MathError::Overflow));
        assert_eq!(value_to_precise(Value::MAX), Err(MathError::Overflow));
    }
}
