//! A strict JSON reader that knows where every value is.
//!
//! `serde_json::Value` silently keeps the last of two equal keys and forgets where a value came
//! from. This reader builds its own tree (refusing duplicate keys, naming their path) and offers
//! accessors that report errors as `path: message`, e.g. `account.positions[1].strike: must be > 0`.

use core::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::error::{CliError, CliResult};
use margin_math::decimal::{parse_signed_e18, parse_unsigned_e18};

/// A JSON number as `serde_json` reports it (no arbitrary precision: large integers are floats).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// A non-negative integer that fits `u64`.
    Unsigned(u64),
    /// A negative integer that fits `i64`.
    Signed(i64),
    /// Anything else (fractions, exponents, integers beyond 64 bits).
    Float(f64),
}

/// A parsed JSON value; object entries keep their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, in document order, without duplicate keys.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// A short name of the value's type for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// `parent.key`, or `key` at the top level.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[index]`.
pub fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

struct Seed<'p> {
    path: &'p str,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Json;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor { path: self.path })
    }
}

struct JsonVisitor<'p> {
    path: &'p str,
}

impl<'de> Visitor<'de> for JsonVisitor<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(Number::Unsigned(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(if v >= 0 { Number::Unsigned(v.unsigned_abs()) } else { Number::Signed(v) }))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Number(Number::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        loop {
            let path = index(self.path, items.len());
            match seq.next_element_seed(Seed { path: &path })? {
                Some(item) => items.push(item),
                None => return Ok(Json::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = join(self.path, &key);
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("{path}: duplicate key")));
            }
            let value = map.next_value_seed(Seed { path: &path })?;
            entries.push((key, value));
        }
        Ok(Json::Object(entries))
    }
}

/// Parses a whole JSON document. Syntax errors are reported with line and column, duplicate
/// keys with their path.
pub fn parse(text: &str) -> CliResult<Json> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let result = Seed { path: "" }.deserialize(&mut deserializer).and_then(|v| deserializer.end().map(|()| v));
    result.map_err(|e| match e.classify() {
        serde_json::error::Category::Data => CliError::Input(e.to_string()),
        _ => CliError::Input(format!("input: malformed JSON: {e}")),
    })
}

/// An object being read field by field, with its path.
pub struct Object<'a> {
    path: String,
    entries: &'a [(String, Json)],
}

impl<'a> Object<'a> {
    /// Views `value` (found at `path`) as an object.
    pub fn new(value: &'a Json, path: &str) -> CliResult<Object<'a>> {
        match value {
            Json::Object(entries) => Ok(Object { path: path.to_string(), entries }),
            other => {
                Err(CliError::at(display_path(path), format_args!("expected an object, found {}", other.type_name())))
            }
        }
    }

    /// The object's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path of field `key`.
    pub fn field_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Field `key`, if present (`null` counts as absent).
    pub fn get(&self, key: &str) -> Option<&'a Json> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|v| **v != Json::Null)
    }

    /// Field `key`, or `path.key: missing field`.
    pub fn required(&self, key: &str) -> CliResult<&'a Json> {
        self.get(key).ok_or_else(|| CliError::at(&self.field_path(key), "missing field"))
    }

    /// Fails on the first field not in `allowed`, naming it and listing the allowed ones.
    pub fn deny_unknown(&self, allowed: &[&str], context: &str) -> CliResult<()> {
        match self.entries.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            Some((k, _)) => Err(CliError::at(
                &self.field_path(k),
                format_args!("unknown field{context} (allowed: {})", allowed.join(", ")),
            )),
            None => Ok(()),
        }
    }

    /// Required string field.
    pub fn string(&self, key: &str) -> CliResult<&'a str> {
        as_str(self.required(key)?, &self.field_path(key))
    }

    /// Required array field.
    pub fn array(&self, key: &str) -> CliResult<&'a [Json]> {
        match self.required(key)? {
            Json::Array(items) => Ok(items),
            other => {
                Err(CliError::at(&self.field_path(key), format_args!("expected an array, found {}", other.type_name())))
            }
        }
    }

    /// Optional array field (absent: empty).
    pub fn array_or_empty(&self, key: &str) -> CliResult<&'a [Json]> {
        match self.get(key) {
            None => Ok(&[]),
            Some(_) => self.array(key),
        }
    }

    /// Required non-negative decimal string → `value · 10^18`.
    pub fn unsigned_e18(&self, key: &str) -> CliResult<u128> {
        let path = self.field_path(key);
        let text = decimal_text(self.required(key)?, &path)?;
        parse_unsigned_e18(text).map_err(|e| CliError::at(&path, e))
    }

    /// Required signed decimal string → `value · 10^18`.
    pub fn signed_e18(&self, key: &str) -> CliResult<i128> {
        let path = self.field_path(key);
        let text = decimal_text(self.required(key)?, &path)?;
        parse_signed_e18(text).map_err(|e| CliError::at(&path, e))
    }

    /// Optional non-negative decimal string → `value · 10^18`.
    pub fn optional_unsigned_e18(&self, key: &str) -> CliResult<Option<u128>> {
        self.get(key).map(|_| self.unsigned_e18(key)).transpose()
    }

    /// Optional signed decimal string → `value · 10^18`.
    pub fn optional_signed_e18(&self, key: &str) -> CliResult<Option<i128>> {
        self.get(key).map(|_| self.signed_e18(key)).transpose()
    }

    /// Required unix time in whole seconds (a JSON integer ≥ 0).
    pub fn unix_seconds(&self, key: &str) -> CliResult<u64> {
        let path = self.field_path(key);
        match self.required(key)? {
            Json::Number(Number::Unsigned(s)) => Ok(*s),
            Json::Number(Number::Signed(_)) => Err(CliError::at(&path, "must not be negative (unix seconds)")),
            Json::Number(Number::Float(_)) => {
                Err(CliError::at(&path, "must be a whole number of unix seconds below 2^64 (e.g. 1767225600)"))
            }
            other => Err(CliError::at(
                &path,
                format_args!("expected an integer of unix seconds (e.g. 1767225600), found {}", other.type_name()),
            )),
        }
    }
}

/// `value` as a string, or an error at `path`.
pub fn as_str<'a>(value: &'a Json, path: &str) -> CliResult<&'a str> {
    match value {
        Json::String(s) => Ok(s),
        other => Err(CliError::at(path, format_args!("expected a string, found {}", other.type_name()))),
    }
}

/// The text of a decimal-string field; JSON numbers are refused because they are floats to most
/// JSON tools (write `"0.65"`, not `0.65`).
fn decimal_text<'a>(value: &'a Json, path: &str) -> CliResult<&'a str> {
    match value {
        Json::String(s) => Ok(s),
        Json::Number(_) => Err(CliError::at(path, "must be a decimal string (write \"0.65\", not 0.65)")),
        other => Err(CliError::at(path, format_args!("expected a decimal string, found {}", other.type_name()))),
    }
}

/// The top-level path is shown as `input`.
fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "input"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_with_their_path() {
        let err = parse(r#"{"a": {"b": [1, {"c": 1, "c": 2}]}}"#).unwrap_err();
        assert!(err.to_string().starts_with("a.b[1].c: duplicate key"), "{err}");
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        let err = parse(r#"{"a": 1,}"#).unwrap_err();
        assert!(err.to_string().starts_with("input: malformed JSON"), "{err}");
        assert!(parse(r#"{"a": 1} x"#).is_err());
    }

    #[test]
    fn numbers_keep_their_integer_kind() {
        let v = parse(r#"[1767225600, -3, 1.5, 1e3, 18446744073709551616]"#).unwrap();
        assert_eq!(
            v,
            Json::Array(vec![
                Json::Number(Number::Unsigned(1_767_225_600)),
                Json::Number(Number::Signed(-3)),
                Json::Number(Number::Float(1.5)),
                Json::Number(Number::Float(1000.0)),
                Json::Number(Number::Float(18_446_744_073_709_551_616.0)),
            ])
        );
    }
}
