//! Shared output helpers: numbers as exact decimal strings, raw bits, pretty JSON.

use margin_math::margin::Scenario;
use margin_math::Value;
use serde_json::{json, Value as JsonValue};

use margin_math::decimal::format_value;

/// A [`Value`] as a JSON decimal string (18 decimals, truncated toward zero; see [`crate::decimal`]).
pub fn dec(v: Value) -> JsonValue {
    JsonValue::String(format_value(v))
}

/// The raw `I80F48` bits of a [`Value`] as a JSON string holding a decimal `i128`
/// (a JSON number would lose digits in most parsers).
pub fn bits(v: Value) -> JsonValue {
    JsonValue::String(v.to_bits().to_string())
}

/// Where a requirement is set: a grid point `{spot, vol, loss}`, or a cell bound
/// `{cell: {spot_low, spot_high, vol_low, vol_high}, spot, loss, vega_credit}` with `spot` the
/// point of the cell where the bound sits.
pub fn scenario(s: &Scenario) -> JsonValue {
    match s.cell {
        None => json!({ "spot": dec(s.spot), "vol": dec(s.vol), "loss": dec(s.loss) }),
        Some(c) => json!({
            "cell": {
                "spot_low": dec(s.spot),
                "spot_high": dec(c.spot_high),
                "vol_low": dec(s.vol),
                "vol_high": dec(c.vol_high),
            },
            "spot": dec(c.at_spot),
            "loss": dec(s.loss),
            "vega_credit": dec(c.vega_credit),
        }),
    }
}

/// Pretty JSON (two-space indent, keys in insertion order) with a final newline.
pub fn pretty(v: &JsonValue) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_else(|_| String::from("null"));
    text.push('\n');
    text
}
