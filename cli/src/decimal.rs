//! Exact decimal strings ↔ integers and fixed-point values, with no floating point.
//!
//! **Parsing.** A decimal string is `-?D+(.D+)?` (ASCII digits, at most 18 after the point, no
//! exponent, no spaces, no `+`). It is converted to the integer `value · 10^18` exactly — the same
//! 18-decimal integer an oracle or the engine would store — and that integer is what the CLI hands
//! to `margin-math`, which converts it integer-first (README, "Units and conventions"). `fixed`'s
//! own decimal parser (round to nearest) is never used.
//!
//! **Printing.** A fixed-point value with `F` fractional bits is the exact rational
//! `bits / 2^F`. It is printed with its integer part and the first 18 decimals of its fraction,
//! **rounded toward zero** (truncated), then trailing zeros of the fraction and a bare `.` are
//! removed. A value whose truncation is zero prints as `0` (never `-0`). The result is a valid
//! input decimal string again, and `|printed| ≤ |exact| < |printed| + 1e-18`. Computed from the
//! raw bits with `u128` arithmetic only, so it is exact and deterministic on every platform.

use core::fmt;

use margin_math::{Precise, Value};

/// `10^18`: one whole unit in an 18-decimal integer.
pub const E18: u128 = 1_000_000_000_000_000_000;
/// Most digits accepted after the decimal point.
pub const MAX_DECIMALS: usize = 18;

/// Why a string is not an acceptable decimal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    /// The string is empty.
    Empty,
    /// The string uses exponent notation (`1e5`), which is refused so that every digit is explicit.
    Exponent,
    /// The string is not of the form `-?D+(.D+)?`.
    Invalid,
    /// More than 18 digits after the decimal point (the count is given).
    TooManyDecimals(usize),
    /// A negative number where only non-negative ones are allowed.
    Negative,
    /// `value · 10^18` does not fit the target integer type.
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
            DecimalError::TooManyDecimals(n) => {
                write!(f, "{n} digits after the decimal point; at most 18 are accepted")
            }
            DecimalError::Negative => f.write_str("must not be negative"),
            DecimalError::OutOfRange => f.write_str("out of range"),
        }
    }
}

/// Sign and `|value| · 10^18` of a syntactically valid decimal string.
fn parse_magnitude(s: &str) -> Result<(bool, u128), DecimalError> {
    if s.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if let Some(pos) = body.find(['e', 'E']) {
        let (mantissa, exponent) = (&body[..pos], &body[pos + 1..]);
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if split_plain(mantissa).is_some() && is_digits(exponent) {
            return Err(DecimalError::Exponent);
        }
        return Err(DecimalError::Invalid);
    }
    let (int, frac) = split_plain(body).ok_or(DecimalError::Invalid)?;
    if frac.len() > MAX_DECIMALS {
        return Err(DecimalError::TooManyDecimals(frac.len()));
    }
    let mut whole: u128 = 0;
    for d in int.bytes() {
        whole =
            whole.checked_mul(10).and_then(|w| w.checked_add(u128::from(d - b'0'))).ok_or(DecimalError::OutOfRange)?;
    }
    let mut fraction: u128 = 0;
    for d in frac.bytes() {
        fraction = fraction * 10 + u128::from(d - b'0'); // at most 18 digits: < 10^18
    }
    // Pad the fraction to 18 digits; frac.len() ≤ 18 so the exponent is in 0..=18.
    fraction *= 10u128.pow((MAX_DECIMALS - frac.len()) as u32);
    let magnitude = whole.checked_mul(E18).and_then(|w| w.checked_add(fraction)).ok_or(DecimalError::OutOfRange)?;
    Ok((negative, magnitude))
}

/// Splits `D+` or `D+.D+` into integer and fraction digits.
fn split_plain(body: &str) -> Option<(&str, &str)> {
    let (int, frac) = match body.split_once('.') {
        Some((int, frac)) => (int, frac),
        None => (body, ""),
    };
    let frac_ok = if body.contains('.') { is_digits(frac) } else { true };
    (is_digits(int) && frac_ok).then_some((int, frac))
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses a signed decimal string to `value · 10^18` exactly.
pub fn parse_signed_e18(s: &str) -> Result<i128, DecimalError> {
    let (negative, magnitude) = parse_magnitude(s)?;
    if negative {
        0i128.checked_sub_unsigned(magnitude).ok_or(DecimalError::OutOfRange)
    } else {
        i128::try_from(magnitude).map_err(|_| DecimalError::OutOfRange)
    }
}

/// Parses a non-negative decimal string to `value · 10^18` exactly (`-0` is accepted as zero).
pub fn parse_unsigned_e18(s: &str) -> Result<u128, DecimalError> {
    match parse_magnitude(s)? {
        (true, m) if m != 0 => Err(DecimalError::Negative),
        (_, m) => Ok(m),
    }
}

/// Prints the fixed-point number `bits / 2^frac_bits` (`frac_bits ≤ 64`) with 18 decimals
/// rounded toward zero, trailing zeros removed (see the module docs).
pub fn format_bits(bits: i128, frac_bits: u32) -> String {
    assert!(frac_bits <= 64, "format_bits supports at most 64 fractional bits");
    let magnitude = bits.unsigned_abs();
    let int = magnitude >> frac_bits;
    let frac = magnitude & ((1u128 << frac_bits) - 1);
    // frac < 2^64 and 10^18 < 2^60: the product stays below 2^124.
    let decimals = (frac * E18) >> frac_bits;
    let mut out = String::new();
    if bits < 0 && (int != 0 || decimals != 0) {
        out.push('-');
    }
    out.push_str(&int.to_string());
    if decimals != 0 {
        let digits = format!("{decimals:018}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

/// Prints an 18-decimal integer exactly (trailing zeros removed): the inverse of
/// [`parse_unsigned_e18`] up to formatting.
pub fn format_e18(x_e18: u128) -> String {
    let int = x_e18 / E18;
    let frac = x_e18 % E18;
    if frac == 0 {
        int.to_string()
    } else {
        let digits = format!("{frac:018}");
        format!("{int}.{}", digits.trim_end_matches('0'))
    }
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
        assert_eq!(parse_signed_e18("0.1234567890123456789"), Err(DecimalError::TooManyDecimals(19)));
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
