//! Shared output helpers: numbers as exact decimal strings, raw bits, pretty JSON.

use margin_math::margin::Scenario;
use margin_math::Value;
use serde_json::{json, Value as JsonValue};

use crate::decimal::format_value;

/// A [`Value`] as a JSON decimal string (18 decimals, truncated toward zero; see [`crate::decimal`]).
pub fn dec(v: Value) -> JsonValue {
    JsonValue::String(format_value(v))
}

/// The raw `I80F48` bits of a [`Value`] as a JSON string holding a decimal `i128`
/// (a JSON number would lose digits in most parsers).
pub fn bits(v: Value) -> JsonValue {
    JsonValue::String(v.to_bits().to_string())
}

/// A grid point `{spot, vol, loss}`.
pub fn scenario(s: &Scenario) -> JsonValue {
    json!({ "spot": dec(s.spot), "vol": dec(s.vol), "loss": dec(s.loss) })
}

/// Pretty JSON (two-space indent, keys in insertion order) with a final newline.
pub fn pretty(v: &JsonValue) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_else(|_| String::from("null"));
    text.push('\n');
    text
}
