//! The exact base-unit cash flows (`mul_div`, weighted entries, collateral values, value →
//! base units) against `primitive-types`' 256-bit arithmetic: the same results, roundings and
//! overflow errors as the straightforward 256-bit formulas.

use margin_math::fixed_point::Value;
use margin_math::liquidation::{collateral_value_units, value_to_units_floor};
use margin_math::trading::{fill_linear, mul_div};
use margin_math::MathError;
use primitive_types::U256;
use proptest::prelude::*;

/// Operands of every size: full width, shifted down, and the 64-bit limb boundaries.
fn operand() -> impl Strategy<Value = u128> {
    prop_oneof![
        any::<u128>(),
        (any::<u128>(), 0u32..128).prop_map(|(x, s)| x >> s),
        prop::sample::select(vec![0, 1, 2, 10, u128::from(u64::MAX), 1 << 64, 1 << 127, u128::MAX]),
    ]
}

/// `floor(n / d)` or `ceil` (`up`) narrowed to `u128`, the reference for every quotient.
fn div_ref(n: U256, d: U256, up: bool) -> Result<u128, MathError> {
    if d.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    let (q, r) = n.div_mod(d);
    let q = if up && !r.is_zero() { q.checked_add(U256::one()).ok_or(MathError::Overflow)? } else { q };
    u128::try_from(q).map_err(|_| MathError::Overflow)
}

fn pow10(e: u32) -> U256 {
    U256::from(10u8).pow(U256::from(e))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    #[test]
    fn mul_div_matches_256_bit_reference(a in operand(), b in operand(), d in operand(), up: bool) {
        let want = div_ref(U256::from(a) * U256::from(b), U256::from(d), up);
        prop_assert_eq!(mul_div(a, b, d, up), want);
    }

    #[test]
    fn weighted_entry_matches_256_bit_reference(
        size in 1i128..=i128::MAX >> 1,
        fill in 1i128..=i128::MAX >> 1,
        entry in operand(),
        price in operand(),
        short: bool,
        shift in 0u32..100,
    ) {
        let (size, fill) = (size >> shift, (fill >> (shift / 2)).max(1));
        let (size, fill) = if short { (-size, -fill) } else { (size, fill) };
        let got = fill_linear(size, entry, fill, price, 6);
        if size == 0 {
            prop_assert_eq!(got.map(|f| f.entry_e18), Ok(price));
        } else {
            let (a, b) = (size.unsigned_abs(), fill.unsigned_abs());
            let numerator = U256::from(a)
                .checked_mul(U256::from(entry))
                .and_then(|x| x.checked_add(U256::from(b) * U256::from(price)));
            // Longs average up, shorts down (against the account).
            let want = numerator
                .ok_or(MathError::Overflow)
                .and_then(|n| div_ref(n, U256::from(a) + U256::from(b), !short));
            prop_assert_eq!(got.map(|f| f.entry_e18), want);
        }
    }

    #[test]
    fn collateral_value_matches_256_bit_reference(
        amount in operand(),
        price in operand(),
        decimals in 0u8..=24,
        quote_decimals in 0u8..=24,
        up: bool,
    ) {
        // amount · price · 10^(qd − decimals − 18)
        let product = U256::from(amount) * U256::from(price);
        let (up_scale, down_scale) = (u32::from(quote_decimals), u32::from(decimals) + 18);
        let want = if up_scale >= down_scale {
            product
                .checked_mul(pow10(up_scale - down_scale))
                .and_then(|x| u128::try_from(x).ok())
                .ok_or(MathError::Overflow)
        } else {
            div_ref(product, pow10(down_scale - up_scale), up)
        };
        prop_assert_eq!(collateral_value_units(amount, decimals, price, quote_decimals, up), want);
    }

    #[test]
    fn value_to_units_floor_matches_256_bit_reference(bits: i128, shift in 0u32..127, decimals in 0u8..=24) {
        let bits = bits >> shift;
        // floor(bits · 10^decimals / 2^48)
        let product = U256::from(bits.unsigned_abs()) * pow10(u32::from(decimals));
        let (whole, fraction) = (product >> 48, product & ((U256::one() << 48) - 1));
        let want = if bits >= 0 {
            i128::try_from(whole).map_err(|_| MathError::Overflow)
        } else {
            let magnitude = if fraction.is_zero() { whole } else { whole + 1 };
            u128::try_from(magnitude)
                .ok()
                .and_then(|m| 0i128.checked_sub_unsigned(m))
                .ok_or(MathError::Overflow)
        };
        prop_assert_eq!(value_to_units_floor(Value::from_bits(bits), decimals), want);
    }
}
