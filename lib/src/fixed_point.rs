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

/// The high and low 64-bit limbs of `x`.
#[inline(always)]
#[allow(clippy::cast_possible_truncation)] // `as u64` takes the low limb on purpose
const fn limbs(x: u128) -> (u64, u64) {
    ((x >> 64) as u64, x as u64)
}

/// `high · 2^64 + low`.
#[inline(always)]
const fn join(high: u64, low: u64) -> u128 {
    ((high as u128) << 64) | low as u128
}

/// `(u1 · 2^64 + u0) / v` and its remainder when `u1 < v` (so the quotient fits 64 bits),
/// `None` otherwise (which includes `v = 0`). Hacker's Delight `divlu`: the divisor is
/// normalized and the quotient found as two 32-bit digits, each from one native 64-bit
/// division and at most two corrections. On wasm32 a 128-bit division is a call to the
/// emulated `__udivti3` (a bit-serial loop), a 64-bit one a single instruction.
#[inline(always)]
pub(crate) fn div_128_64(u1: u64, u0: u64, v: u64) -> Option<(u64, u64)> {
    const B: u64 = 1 << 32;
    const LOW: u64 = B - 1;
    if u1 >= v {
        return None;
    }
    let s = v.leading_zeros(); // < 64: v > u1 ≥ 0
    let v = v << s;
    // vn1 ≥ 2^31
    let (vn1, vn0) = (v >> 32, v & LOW);
    // Top 64 bits of u · 2^s (fits: u1 < v); `63 ^ s` is `63 − s`, and the split shift keeps
    // s = 0 in range.
    let un32 = (u1 << s) | ((u0 >> 1) >> (63 ^ s));
    let un10 = u0 << s;
    // One 32-bit quotient digit of (hi · 2^32 + lo) / v for hi < v, lo < 2^32, and the remainder
    // (below v, so the wrapping arithmetic yields it exactly).
    let digit = |hi: u64, lo: u64| -> Option<(u64, u64)> {
        let mut q = hi.checked_div(vn1)?;
        let mut rhat = hi.wrapping_sub(q.wrapping_mul(vn1));
        while rhat < B && (q >= B || q.wrapping_mul(vn0) > ((rhat << 32) | lo)) {
            q = q.wrapping_sub(1);
            rhat = rhat.wrapping_add(vn1);
        }
        Some((q, ((hi << 32) | lo).wrapping_sub(q.wrapping_mul(v))))
    };
    let (q1, un21) = digit(un32, un10 >> 32)?;
    let (q0, rem) = digit(un21, un10 & LOW)?;
    Some(((q1 << 32) | q0, rem >> s))
}

/// `a / v` and `a mod v` for a 64-bit divisor (`None` if `v = 0`): one native 64-bit division
/// and one [`div_128_64`] instead of the emulated 128-bit division (two on wasm32 for `/` and
/// `%`). Exact, the same results as `a / v` and `a % v`.
#[inline]
pub(crate) fn divrem_u128_u64(a: u128, v: u64) -> Option<(u128, u64)> {
    let (a1, a0) = limbs(a);
    let q1 = a1.checked_div(v)?;
    let r1 = a1.checked_rem(v)?;
    let (q0, rem) = div_128_64(r1, a0, v)?;
    Some((join(q1, q0), rem))
}

/// `n / d` for raw `i128`s, rounded toward zero, `None` if `d = 0` or on overflow: exactly
/// `n.checked_div(d)`. When `|d|` fits 64 bits (the `ln` kernel's `(m − 1)/(m + 1)`) it is two
/// [`div_128_64`] steps instead of the emulated 128-bit division.
#[inline(always)]
pub(crate) fn div_wide(n: i128, d: i128) -> Option<i128> {
    let Ok(dm) = u64::try_from(d.unsigned_abs()) else {
        return n.checked_div(d);
    };
    let (n1, n0) = limbs(n.unsigned_abs());
    let q1 = n1.checked_div(dm)?;
    let (q0, _) = div_128_64(n1.wrapping_sub(q1.wrapping_mul(dm)), n0, dm)?;
    let q = join(q1, q0);
    if (n < 0) == (d < 0) {
        i128::try_from(q).ok()
    } else {
        0i128.checked_sub_unsigned(q)
    }
}

/// One step of Knuth's algorithm D with a normalized two-limb divisor `v` (top bit set):
/// `(r · 2^64 + x) / v` and its remainder, for `r < v` (so the quotient digit fits 64 bits).
/// The digit estimated from the top limbs is at most 2 too large (Knuth, Theorem 4.3.1B).
#[inline(always)]
fn div_step(r: u128, x: u64, v: u128) -> Option<(u64, u128)> {
    let (v1, v0) = limbs(v);
    let (r1, r0) = limbs(r);
    let mut q = if r1 >= v1 { u64::MAX } else { div_128_64(r1, r0, v1)?.0 };
    // 192-bit values as (top limb, low 128 bits): tuples compare lexicographically.
    let t = (r1, join(r0, x));
    let product = |q: u64| {
        let (h1, l1) = mul_wide_u64(q, v1);
        let (h0, l0) = mul_wide_u64(q, v0);
        let mid = u128::from(h0).wrapping_add(u128::from(l1)); // < 2^65
        let (carry, mid_low) = limbs(mid);
        (h1.wrapping_add(carry), join(mid_low, l0))
    };
    let mut p = product(q);
    while p > t {
        q = q.wrapping_sub(1);
        p = (p.0.wrapping_sub(u64::from(p.1 < v)), p.1.wrapping_sub(v));
    }
    // t − p < v < 2^128: the low 128 bits are the remainder.
    Some((q, t.1.wrapping_sub(p.1)))
}

/// A 256-bit unsigned integer as `(high, low)` 128-bit halves: the exact intermediates of the
/// base-unit cash flows in [`crate::trading`] and [`crate::liquidation`].
pub(crate) type U256 = (u128, u128);

/// `a · b` exactly, as a [`U256`]: four [`mul_wide_u64`] limb products.
#[inline]
pub(crate) fn mul_u128_wide(a: u128, b: u128) -> U256 {
    let (a1, a0) = limbs(a);
    let (b1, b0) = limbs(b);
    let (h00, l00) = mul_wide_u64(a0, b0);
    let (h01, l01) = mul_wide_u64(a0, b1);
    let (h10, l10) = mul_wide_u64(a1, b0);
    let (h11, l11) = mul_wide_u64(a1, b1);
    // Column sums of 64-bit limbs: below 3 · 2^64 and 4 · 2^64, so they never wrap; the top
    // limb cannot exceed 64 bits because a · b < 2^256.
    let (carry1, limb1) = limbs(u128::from(h00).wrapping_add(u128::from(l01)).wrapping_add(u128::from(l10)));
    let column2 =
        u128::from(h01).wrapping_add(u128::from(h10)).wrapping_add(u128::from(l11)).wrapping_add(u128::from(carry1));
    let (carry2, limb2) = limbs(column2);
    (join(h11.wrapping_add(carry2), limb2), join(limb1, l00))
}

/// `n / d` and `n mod d` for a [`U256`] `n` and `d > 0`, exact (`None` if `d = 0`). Schoolbook
/// long division with 64-bit limbs: [`div_128_64`] per limb when `d < 2^64`, else the
/// divisor is normalized and each quotient limb is one Knuth step ([`div_step`]).
#[inline(never)]
pub(crate) fn div_rem_u256(n: U256, d: u128) -> Option<(U256, u128)> {
    let (n3, n2) = limbs(n.0);
    let (n1, n0) = limbs(n.1);
    let (d1, d0) = limbs(d);
    let mut q = [0u64; 4];
    let remainder = if d1 == 0 {
        let mut r = 0u64;
        for (digit, x) in q.iter_mut().zip([n3, n2, n1, n0]) {
            (*digit, r) = div_128_64(r, x, d0)?;
        }
        u128::from(r)
    } else {
        // v = d · 2^s has its top bit set; n · 2^s has the five limbs (top, m3, m2, m1, m0).
        // `63 ^ s` is `63 − s`, and the split shift keeps s = 0 in range.
        let s = d1.leading_zeros();
        let v = d << s;
        let shift = |high: u64, low: u64| (high << s) | ((low >> 1) >> (63 ^ s));
        let mut r = u128::from((n3 >> 1) >> (63 ^ s));
        for (digit, x) in q.iter_mut().zip([shift(n3, n2), shift(n2, n1), shift(n1, n0), n0 << s]) {
            (*digit, r) = div_step(r, x, v)?;
        }
        r >> s
    };
    let [q3, q2, q1, q0] = q;
    Some(((join(q3, q2), join(q1, q0)), remainder))
}

/// `(a · 2^64) / b` for raw [`Precise`] bits, rounded toward zero, `None` if `b = 0` or the
/// quotient does not fit: bit for bit `I64F64::checked_div` (`fixed` truncates the exact
/// quotient of its 256-bit numerator). Long division with 64-bit limbs — one native division
/// plus two [`div_128_64`] when `|b| < 2^64` (`1/σ√T`), two [`div_step`]s otherwise — instead of
/// `fixed`'s 256/128-bit division built on emulated 128-bit divisions.
#[inline]
pub(crate) fn div_q64_i128(a: i128, b: i128) -> Option<i128> {
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    let (a1, a0) = limbs(ua);
    let (b1, b0) = limbs(ub);
    let q = if b1 == 0 {
        // (a1, a0, 0) / b0: a first digit a1 / b0 ≥ 1 would put the quotient at ≥ 2^128.
        let (q1, r) = div_128_64(a1, a0, b0)?;
        let (q0, _) = div_128_64(r, 0, b0)?;
        join(q1, q0)
    } else {
        // Normalize: v = b · 2^s with its top bit set; a · 2^s · 2^64 has the limbs
        // (top, high(a·2^s), low(a·2^s), 0) with top < 2^s ≤ v's top limb.
        let s = b1.leading_zeros();
        let v = ub << s;
        let top = (a1 >> 1) >> (63 ^ s);
        let (mid, low) = limbs(ua << s);
        let (q1, r) = div_step(join(top, mid), low, v)?;
        let (q0, _) = div_step(r, 0, v)?;
        join(q1, q0)
    };
    if (a < 0) == (b < 0) {
        i128::try_from(q).ok()
    } else {
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

/// `a / b` in [`Precise`], rounded toward zero; `Overflow` if `b = 0` or the quotient does not
/// fit. Same bits as `I64F64::checked_div`, at a fraction of its cost on wasm32.
#[inline]
pub fn pdiv(a: Precise, b: Precise) -> MathResult<Precise> {
    ovf(div_q64_i128(a.to_bits(), b.to_bits())).map(Precise::from_bits)
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

    /// Divisors and dividends that stress long division: limb boundaries, runs of ones,
    /// alternating bits, top-limb patterns that make the estimated digit too large.
    fn division_samples() -> std::vec::Vec<i128> {
        let mut v = samples();
        for k in 0..128 {
            let ones = u128::MAX >> k;
            v.extend([ones as i128, (ones >> 1) as i128, -((ones >> 1) as i128), (1u128 << k) as i128]);
        }
        for pattern in [0x5555_5555_5555_5555_5555_5555_5555_5555u128, 0x8000_0000_0000_0000_FFFF_FFFF_FFFF_FFFF] {
            for k in [0, 1, 31, 33, 63, 64, 65, 96] {
                let x = (pattern >> k) as i128;
                v.extend([x, -x, x ^ 1]);
            }
        }
        v.extend([1 << 64 | 1, (1 << 64) - 1, (1 << 65) - 1, 0x7FFF_FFFF_FFFF_FFFF_0000_0000_0000_0001]);
        v
    }

    fn check_div(a: i128, b: i128) {
        let want = Precise::from_bits(a).checked_div(Precise::from_bits(b)).map(Precise::to_bits);
        assert_eq!(div_q64_i128(a, b), want, "pdiv {a} / {b}");
        assert_eq!(div_wide(a, b), a.checked_div(b), "div_wide {a} / {b}");
    }

    /// About 1.5 million pairs against `fixed`'s `checked_div` (and `i128::checked_div`), both
    /// signs, tiny and huge magnitudes, zero divisors and overflow (`None`).
    #[test]
    fn limb_divisions_match_fixed_checked_div() {
        let s = division_samples();
        for &a in &s {
            for &b in s.iter().step_by(5) {
                check_div(a, b);
            }
        }
        // Quotients next to a chosen q (remainders near 0 and near b: every correction path).
        let mut x: u128 = 0x0123_4567_89AB_CDEF_FEDC_BA98_7654_3210;
        for i in 0..200_000u32 {
            x = x.wrapping_mul(0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645).wrapping_add(1);
            let b = (x as i128) >> (i % 120);
            let q = (x.rotate_left(64) as i128) >> (64 + i % 60);
            if let Some(a) = mul_q64_i128(q, b) {
                for a in [a, a.wrapping_add(1), a.wrapping_sub(1), a.wrapping_add(b)] {
                    check_div(a, b);
                }
            }
        }
        for &b in &[0i128, 1, -1, i128::MAX, i128::MIN] {
            check_div(i128::MIN, b);
            check_div(i128::MAX, b);
        }
        assert_eq!(pdiv(Precise::ONE, Precise::ZERO), Err(MathError::Overflow));
        assert_eq!(pdiv(Precise::MAX, Precise::from_bits(1 << 63)), Err(MathError::Overflow));
        assert_eq!(pdiv(Precise::from_num(-3), Precise::from_num(2)).unwrap(), Precise::from_num(-1.5));
    }

    #[test]
    fn div_128_64_matches_u128_division() {
        let s = division_samples();
        for &a in &s {
            for &b in s.iter().step_by(3) {
                let (u, v) = (a as u128, b as u64);
                let (u1, u0) = limbs(u);
                let want = (u1 < v).then(|| ((u / u128::from(v)) as u64, (u % u128::from(v)) as u64));
                assert_eq!(div_128_64(u1, u0, v), want, "{u} / {v}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn pdiv_is_fixed_checked_div(a: i128, b: i128, sa in 0u32..127, sb in 0u32..127) {
            for (x, y) in [(a, b), (a >> sa, b >> sb), (a >> sa, b), (a, b >> sb)] {
                check_div(x, y);
            }
        }
    }

    /// `primitive-types`' 256-bit arithmetic as the reference for the hand-written one.
    fn reference(n: U256) -> primitive_types::U256 {
        (primitive_types::U256::from(n.0) << 128) + primitive_types::U256::from(n.1)
    }

    /// Operands of every size: full width, shifted down, and the limb boundaries.
    fn wide_operand() -> impl proptest::strategy::Strategy<Value = u128> {
        use proptest::prelude::*;
        prop_oneof![
            any::<u128>(),
            (any::<u128>(), 0u32..128).prop_map(|(x, s)| x >> s),
            prop::sample::select(&[0, 1, 2, 0xFFFF_FFFF_FFFF_FFFF, 1 << 64, (1 << 64) + 1, 1 << 127, u128::MAX][..]),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        #[test]
        fn mul_u128_wide_is_the_exact_product(a in wide_operand(), b in wide_operand()) {
            let want = primitive_types::U256::from(a).full_mul(primitive_types::U256::from(b));
            let got = mul_u128_wide(a, b);
            proptest::prop_assert_eq!(primitive_types::U512::from(reference(got)), want);
        }

        #[test]
        fn div_rem_u256_is_exact(h in wide_operand(), l in wide_operand(), d in wide_operand()) {
            let got = div_rem_u256((h, l), d);
            if d == 0 {
                proptest::prop_assert_eq!(got, None);
            } else {
                let (n, dd) = (reference((h, l)), primitive_types::U256::from(d));
                let (q, r) = got.unwrap();
                proptest::prop_assert_eq!(reference(q), n / dd);
                proptest::prop_assert_eq!(primitive_types::U256::from(r), n % dd);
            }
        }
    }

    #[test]
    fn div_rem_u256_at_the_edges() {
        let max = u128::MAX;
        assert_eq!(div_rem_u256((max, max), 1), Some(((max, max), 0)));
        assert_eq!(div_rem_u256((max, max), max), Some(((1, 1), 0)));
        // (max − 1) · 2^128 = max² − 1 = max · (max − 1) + (max − 1)
        assert_eq!(div_rem_u256((max - 1, 0), max), Some(((0, max - 1), max - 1)));
        assert_eq!(div_rem_u256((0, 7), 2), Some(((0, 3), 1)));
        assert_eq!(div_rem_u256((1, 0), 1 << 64), Some(((0, 1 << 64), 0)));
        assert_eq!(div_rem_u256((0, 5), 0), None);
        assert_eq!(mul_u128_wide(max, max), (max - 1, 1));
        assert_eq!(mul_u128_wide(1 << 64, 1 << 64), (1, 0));
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(mul_floor(Value::MAX, Value::from_num(2)), Err(MathError::Overflow));
        assert_eq!(mul_ceil(Value::MIN, Value::ONE), Err(MathError::Overflow));
        assert_eq!(value_to_precise(Value::MAX), Err(MathError::Overflow));
    }
}
