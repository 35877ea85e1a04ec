//! Exact decimal strings ↔ integers and fixed-point values, with no floating point: the one
//! parser and printer of the CLI, the simulator's scenario files and the keeper's logs.
//!
//! **Parsing.** A decimal string is `-?D+(.D+)?` (ASCII digits, no exponent, no spaces, no `+`).
//! With `decimals` places it is converted to the integer `value · 10^decimals` exactly — base
//! units of a token with that many decimals, or the 18-decimal integer an oracle or the engine
//! stores (`decimals = 18`, [`parse_signed_e18`]). More fractional digits than `decimals` are an
//! error, never rounded.
//!
//! **Printing.** A fixed-point value with `F` fractional bits is the exact rational `bits / 2^F`.
//! It is printed with its integer part and the first 18 decimals of its fraction, **rounded
//! toward zero** (truncated), then trailing zeros of the fraction and a bare `.` are removed. A
//! value whose truncation is zero prints as `0` (never `-0`). The result parses back, and
//! `|printed| ≤ |exact| < |printed| + 1e-18`. Integers with `decimals` places print exactly.

use alloc::format;
use alloc::string::String;
use core::fmt;

use crate::{Precise, Value};

/// `10^18`: one whole unit in an 18-decimal integer.
pub const E18: u128 = crate::trading::ONE_E18;
/// Most decimal places a parse or print may use (`10^38 < 2^128`).
pub const MAX_DECIMALS: u8 = 38;

/// Why a string is not an acceptable decimal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    /// The string is empty.
    Empty,
    /// The string uses exponent notation (`1e5`), which is refused so that every digit is explicit.
    Exponent,
    /// The string is not of the form `-?D+(.D+)?`.
    Invalid,
    /// More digits after the decimal point than the places allowed: (digits, places).
    TooManyDecimals(usize, u8),
    /// A negative number where only non-negative ones are allowed.
    Negative,
    /// `value · 10^decimals` does not fit the target integer type (or `decimals` > 38).
    OutOfRange,
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecimalError::Empty => f.write_str("empty decimal string"),
            DecimalError::Exponent => {
                f.write_str("exponent notation is not accepted; write the digits out (e.g. \"0.0001\")")
            }
            DecimalError::Invalid => f.write_str(
                "not a decimal number (expected digits with an optional leading '-' and one '.', e.g. \"-1000.5\")",
            ),
            DecimalError::TooManyDecimals(n, places) => {
                write!(f, "{n} digits after the decimal point; at most {places} are accepted")
            }
            DecimalError::Negative => f.write_str("must not be negative"),
            DecimalError::OutOfRange => f.write_str("out of range"),
        }
    }
}

/// `10^exp` for `exp ≤ 38`.
fn pow10(exp: u32) -> Result<u128, DecimalError> {
    10u128.checked_pow(exp).ok_or(DecimalError::OutOfRange)
}

/// `digits` (ASCII digits only) as an integer.
fn digits_value(digits: &str) -> Result<u128, DecimalError> {
    digits.bytes().try_fold(0u128, |acc, d| {
        acc.checked_mul(10)
            .and_then(|a| a.checked_add(u128::from(d.wrapping_sub(b'0'))))
            .ok_or(DecimalError::OutOfRange)
    })
}

/// Sign and `|value| · 10^decimals` of a syntactically valid decimal string.
fn parse_magnitude(s: &str, decimals: u8) -> Result<(bool, u128), DecimalError> {
    if decimals > MAX_DECIMALS {
        return Err(DecimalError::OutOfRange);
    }
    if s.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if let Some((mantissa, exponent)) = body.split_once(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if split_plain(mantissa).is_some() && is_digits(exponent) {
            return Err(DecimalError::Exponent);
        }
        return Err(DecimalError::Invalid);
    }
    let (int, frac) = split_plain(body).ok_or(DecimalError::Invalid)?;
    if frac.len() > usize::from(decimals) {
        return Err(DecimalError::TooManyDecimals(frac.len(), decimals));
    }
    let pad = u32::from(decimals).saturating_sub(u32::try_from(frac.len()).map_err(|_| DecimalError::OutOfRange)?);
    let fraction = digits_value(frac)?.checked_mul(pow10(pad)?).ok_or(DecimalError::OutOfRange)?;
    let magnitude = digits_value(int)?
        .checked_mul(pow10(u32::from(decimals))?)
        .and_then(|w| w.checked_add(fraction))
        .ok_or(DecimalError::OutOfRange)?;
    Ok((negative, magnitude))
}

/// Splits `D+` or `D+.D+` into integer and fraction digits.
fn split_plain(body: &str) -> Option<(&str, &str)> {
    match body.split_once('.') {
        Some((int, frac)) => (is_digits(int) && is_digits(frac)).then_some((int, frac)),
        None => is_digits(body).then_some((body, "")),
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses a signed decimal string to `value · 10^decimals` exactly.
pub fn parse_units_signed(s: &str, decimals: u8) -> Result<i128, DecimalError> {
    let (negative, magnitude) = parse_magnitude(s, decimals)?;
    if negative {
        0i128.checked_sub_unsigned(magnitude).ok_or(DecimalError::OutOfRange)
    } else {
        i128::try_from(magnitude).map_err(|_| DecimalError::OutOfRange)
    }
}

/// Parses a non-negative decimal string to `value · 10^decimals` exactly (`-0` is zero).
pub fn parse_units(s: &str, decimals: u8) -> Result<u128, DecimalError> {
    match parse_magnitude(s, decimals)? {
        (true, m) if m != 0 => Err(DecimalError::Negative),
        (_, m) => Ok(m),
    }
}

/// Parses a signed decimal string to `value · 10^18` exactly.
pub fn parse_signed_e18(s: &str) -> Result<i128, DecimalError> {
    parse_units_signed(s, 18)
}

/// Parses a non-negative decimal string to `value · 10^18` exactly (`-0` is zero).
pub fn parse_unsigned_e18(s: &str) -> Result<u128, DecimalError> {
    parse_units(s, 18)
}

/// `digits` zero-padded to `width` with trailing zeros removed, after a `.` (empty for 0).
fn fraction_text(fraction: u128, width: usize) -> String {
    if fraction == 0 {
        return String::new();
    }
    let digits = format!("{fraction:0width$}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// Prints the fixed-point number `bits / 2^frac_bits` with 18 decimals rounded toward zero,
/// trailing zeros removed (see the module docs). `frac_bits` above 64 is treated as 64.
pub fn format_bits(bits: i128, frac_bits: u32) -> String {
    let frac_bits = frac_bits.min(64);
    let magnitude = bits.unsigned_abs();
    let int = magnitude.checked_shr(frac_bits).unwrap_or(0);
    let mask = 1u128.checked_shl(frac_bits).map_or(u128::MAX, |one| one.wrapping_sub(1));
    // frac < 2^64 and 10^18 < 2^60: the product stays below 2^124.
    let decimals = (magnitude & mask).checked_mul(E18).and_then(|p| p.checked_shr(frac_bits)).unwrap_or(0);
    let sign = if bits < 0 && (int != 0 || decimals != 0) { "-" } else { "" };
    format!("{sign}{int}{}", fraction_text(decimals, 18))
}

/// Prints an integer with `decimals` places exactly (trailing zeros removed): the inverse of
/// [`parse_units`] up to formatting. `decimals` above 38 is treated as 38.
pub fn format_units(x: u128, decimals: u8) -> String {
    let places = decimals.min(MAX_DECIMALS);
    let scale = 10u128.checked_pow(u32::from(places)).unwrap_or(u128::MAX);
    let (int, frac) = (x.checked_div(scale).unwrap_or(0), x.checked_rem(scale).unwrap_or(0));
    format!("{int}{}", fraction_text(frac, usize::from(places)))
}

/// Prints an 18-decimal integer exactly (trailing zeros removed).
pub fn format_e18(x_e18: u128) -> String {
    format_units(x_e18, 18)
}

/// Prints a [`Value`] (`I80F48`) exactly: 18 decimals rounded toward zero, trailing zeros removed.
pub fn format_value(v: Value) -> String {
    format_bits(v.to_bits(), 48)
}

/// Prints a [`Precise`] (`I64F64`) exactly: 18 decimals rounded toward zero, trailing zeros removed.
pub fn format_precise(p: Precise) -> String {
    format_bits(p.to_bits(), 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_decimals_exactly() {
        assert_eq!(parse_signed_e18("-1000.5"), Ok(-1_000_500_000_000_000_000_000));
        assert_eq!(parse_unsigned_e18("0.65"), Ok(650_000_000_000_000_000));
        assert_eq!(parse_unsigned_e18("60000"), Ok(60_000 * E18));
        assert_eq!(parse_unsigned_e18("0.000000000000000001"), Ok(1));
        assert_eq!(parse_unsigned_e18("007.10"), Ok(7_100_000_000_000_000_000));
        assert_eq!(parse_signed_e18("-0"), Ok(0));
        assert_eq!(parse_unsigned_e18("-0.000"), Ok(0));
    }

    #[test]
    fn rejects_what_is_not_a_plain_decimal() {
        assert_eq!(parse_signed_e18(""), Err(DecimalError::Empty));
        assert_eq!(parse_signed_e18("1e5"), Err(DecimalError::Exponent));
        assert_eq!(parse_signed_e18("-2.5E-3"), Err(DecimalError::Exponent));
        for bad in ["abc", "1.", ".5", "+1", " 1", "1 ", "1.2.3", "-", "--1", "1,5", "0x10", "１", "e5", "1e", "NaN"] {
            assert_eq!(parse_signed_e18(bad), Err(DecimalError::Invalid), "{bad:?}");
        }
        assert_eq!(parse_signed_e18("0.1234567890123456789"), Err(DecimalError::TooManyDecimals(19, 18)));
        assert_eq!(parse_unsigned_e18("-0.5"), Err(DecimalError::Negative));
    }

    #[test]
    fn range_limits_are_exact() {
        // i128::MAX = 170141183460469231731.687303715884105727 · 10^18
        assert_eq!(parse_signed_e18("170141183460469231731.687303715884105727"), Ok(i128::MAX));
        assert_eq!(parse_signed_e18("170141183460469231731.687303715884105728"), Err(DecimalError::OutOfRange));
        assert_eq!(parse_signed_e18("-170141183460469231731.687303715884105728"), Ok(i128::MIN));
        assert_eq!(parse_signed_e18("-170141183460469231731.687303715884105729"), Err(DecimalError::OutOfRange));
        assert_eq!(parse_unsigned_e18("340282366920938463463.374607431768211455"), Ok(u128::MAX));
        assert_eq!(parse_unsigned_e18("340282366920938463463.374607431768211456"), Err(DecimalError::OutOfRange));
        assert_eq!(parse_unsigned_e18("99999999999999999999999999999999999999999"), Err(DecimalError::OutOfRange));
    }

    #[test]
    fn prints_truncated_toward_zero() {
        assert_eq!(format_bits(0, 48), "0");
        assert_eq!(format_bits(60_000 << 48, 48), "60000");
        assert_eq!(format_bits(-(3 << 47), 48), "-1.5");
        // 2^-48 = 3.552713678800500929355621337890625e-15
        assert_eq!(format_bits(1, 48), "0.000000000000003552");
        assert_eq!(format_bits(-1, 48), "-0.000000000000003552");
        // 2^-64 = 5.42e-20 truncates to zero, with no sign.
        assert_eq!(format_bits(-1, 64), "0");
        assert_eq!(format_bits(i128::MIN, 64), "-9223372036854775808");
        // floor(0.1 · 2^48) = 28147497671065 → 0.0999999999999978684…
        assert_eq!(format_bits(28_147_497_671_065, 48), "0.099999999999997868");
        assert_eq!(format_bits(i128::MAX, 48), "604462909807314587353087.999999999999996447");
    }

    #[test]
    fn other_places_parse_and_print_exactly() {
        assert_eq!(parse_units("1.5", 6), Ok(1_500_000));
        assert_eq!(parse_units("1000000", 0), Ok(1_000_000));
        assert_eq!(parse_units("0.1234567", 6), Err(DecimalError::TooManyDecimals(7, 6)));
        assert_eq!(parse_units("1.5", 0), Err(DecimalError::TooManyDecimals(1, 0)));
        assert_eq!(parse_units_signed("-12.345678", 6), Ok(-12_345_678));
        assert_eq!(parse_units("1", 39), Err(DecimalError::OutOfRange));
        assert_eq!(parse_units("3.4", 38), Ok(34 * 10u128.pow(37)));
        assert_eq!(parse_units("3.5", 38), Err(DecimalError::OutOfRange), "above u128::MAX ≈ 3.4028e38");
        assert_eq!(format_units(1_500_000, 6), "1.5");
        assert_eq!(format_units(12, 0), "12");
        assert_eq!(format_units(1, 38), "0.00000000000000000000000000000000000001");
    }

    #[test]
    fn e18_integers_print_exactly() {
        assert_eq!(format_e18(0), "0");
        assert_eq!(format_e18(2_975_400_000_000_000_000_000), "2975.4");
        assert_eq!(format_e18(1), "0.000000000000000001");
        assert_eq!(format_e18(u128::MAX), "340282366920938463463.374607431768211455");
        for text in ["0.65", "60000", "87450.25", "0.000000000000000001"] {
            assert_eq!(format_e18(parse_unsigned_e18(text).unwrap()), text);
        }
    }

    #[test]
    fn printed_values_parse_back_to_at_most_the_exact_value() {
        for bits in [1i128, 7, 12_345_678_901_234_567, -98_765_432_109_876, 1 << 100, -(1 << 90) - 3] {
            for frac_bits in [48u32, 64] {
                let printed = format_bits(bits, frac_bits);
                let e18 = parse_signed_e18(&printed).unwrap();
                // |e18 · 2^F| ≤ |bits · 10^18| < (|e18| + 1) · 2^F, in exact big-enough integers.
                let lhs = e18.unsigned_abs() as f64; // only for a coarse check of the magnitude
                let rhs = bits.unsigned_abs() as f64 * 1e18 / 2f64.powi(frac_bits as i32);
                assert!(lhs <= rhs * (1.0 + 1e-12) && lhs >= rhs * (1.0 - 1e-12) - 1.0, "{bits} {frac_bits}");
                assert_eq!(e18 < 0, bits < 0 && printed != "0");
            }
        }
    }
}
