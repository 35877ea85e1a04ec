//! `deltamargin greeks`: Black-Scholes price and greeks of one option, or of a CSV batch.
//!
//! Inputs are decimal strings parsed exactly to 18-decimal integers and converted to `I64F64`
//! with `margin_math::units::{e18_to_precise, signed_e18_to_precise}` (floor), exactly as the
//! contracts convert oracle values. Outputs are printed from the `I64F64` bits (18 decimals,
//! truncated toward zero).

use margin_math::black_scholes::{greeks, Greeks, OptionKind};
use margin_math::units::{e18_to_precise, signed_e18_to_precise};
use margin_math::Precise;
use serde_json::{json, Value as JsonValue};

use crate::error::{CliError, CliResult};
use margin_math::decimal::{format_precise, parse_signed_e18, parse_unsigned_e18};

/// One option's inputs as given (decimal strings).
#[derive(Debug, Clone, Copy)]
pub struct OptionText<'a> {
    /// `call` or `put`.
    pub kind: &'a str,
    /// Spot, quote per unit (> 0).
    pub spot: &'a str,
    /// Strike, quote per unit (> 0).
    pub strike: &'a str,
    /// Volatility, annualized fraction (≥ 0).
    pub vol: &'a str,
    /// Time to expiry in years (≥ 0).
    pub years: &'a str,
    /// Continuously compounded annual rate.
    pub rate: &'a str,
}

/// Names of the six inputs in error messages (flags or CSV columns).
pub struct Names {
    /// Prefix of every message, e.g. `data.csv:7: column ` or `--`.
    pub prefix: String,
    /// Input names in the order kind, spot, strike, vol, years, rate.
    pub names: [&'static str; 6],
    /// Where a `margin-math` error is reported (`option`, `data.csv:7`).
    pub whole: String,
}

/// Flag names for the single-option form.
pub fn flag_names() -> Names {
    Names { prefix: "--".into(), names: ["kind", "spot", "strike", "vol", "years", "rate"], whole: "option".into() }
}

/// Parses and prices one option.
pub fn compute(o: &OptionText<'_>, n: &Names) -> CliResult<Greeks> {
    let at = |i: usize| format!("{}{}", n.prefix, n.names[i]);
    let kind = match o.kind {
        "call" => OptionKind::Call,
        "put" => OptionKind::Put,
        other => return Err(CliError::at(&at(0), format_args!("unknown kind \"{other}\" (expected call or put)"))),
    };
    let positive = |i: usize, text: &str| -> CliResult<Precise> {
        let e18 = parse_unsigned_e18(text).map_err(|e| CliError::at(&at(i), e))?;
        if e18 == 0 {
            return Err(CliError::at(&at(i), "must be > 0"));
        }
        e18_to_precise(e18).map_err(|_| CliError::at(&at(i), "out of range (must be < 2^63)"))
    };
    let non_negative = |i: usize, text: &str| -> CliResult<Precise> {
        let e18 = parse_unsigned_e18(text).map_err(|e| CliError::at(&at(i), e))?;
        e18_to_precise(e18).map_err(|_| CliError::at(&at(i), "out of range (must be < 2^63)"))
    };
    let spot = positive(1, o.spot)?;
    let strike = positive(2, o.strike)?;
    let vol = non_negative(3, o.vol)?;
    let years = non_negative(4, o.years)?;
    let rate_e18 = parse_signed_e18(o.rate).map_err(|e| CliError::at(&at(5), e))?;
    let rate = signed_e18_to_precise(rate_e18).map_err(|_| CliError::at(&at(5), "out of range"))?;
    greeks(kind, spot, strike, vol, years, rate)
        .map_err(|e| CliError::at(&n.whole, format_args!("margin-math error: {e}")))
}

/// The single-option JSON: `{price, delta, gamma, vega}` as decimal strings, plus the raw
/// `I64F64` bits if `raw`.
pub fn render(g: &Greeks, raw: bool) -> JsonValue {
    let mut out = json!({
        "price": format_precise(g.price),
        "delta": format_precise(g.delta),
        "gamma": format_precise(g.gamma),
        "vega": format_precise(g.vega),
    });
    if raw {
        out["raw"] = json!({
            "format": "I64F64 bits as a decimal i128 string (value = bits / 2^64)",
            "price": g.price.to_bits().to_string(),
            "delta": g.delta.to_bits().to_string(),
            "gamma": g.gamma.to_bits().to_string(),
            "vega": g.vega.to_bits().to_string(),
        });
    }
    out
}

/// Prices every row of a CSV with a header naming at least `kind,spot,strike,vol,t_years`
/// (`rate` optional, default `0`; other columns ignored; columns found by name, any order).
/// Returns `kind,spot,strike,vol,t_years,rate,price,delta,gamma,vega` with the inputs echoed as
/// given. `source` names the file in error messages. Blank lines are skipped.
pub fn csv(text: &str, source: &str) -> CliResult<String> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| CliError::at(source, "empty CSV (expected a header line)"))?;
    let header: Vec<&str> = header.split(',').map(str::trim).collect();
    let column = |name: &str, required: bool| -> CliResult<Option<usize>> {
        match header.iter().position(|h| *h == name) {
            Some(i) => Ok(Some(i)),
            None if required => Err(CliError::at(
                &format!("{source}:1"),
                format_args!("missing column {name} (header needs kind,spot,strike,vol,t_years and optionally rate)"),
            )),
            None => Ok(None),
        }
    };
    let cols = [
        column("kind", true)?,
        column("spot", true)?,
        column("strike", true)?,
        column("vol", true)?,
        column("t_years", true)?,
        column("rate", false)?,
    ];
    let mut out = String::from("kind,spot,strike,vol,t_years,rate,price,delta,gamma,vega\n");
    for (i, line) in lines {
        let line_no = i + 1;
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let get = |c: Option<usize>| -> CliResult<&str> {
            match c {
                None => Ok("0"),
                Some(c) => fields.get(c).copied().ok_or_else(|| {
                    CliError::at(
                        &format!("{source}:{line_no}"),
                        format_args!("{} fields, the header has {}", fields.len(), header.len()),
                    )
                }),
            }
        };
        let o = OptionText {
            kind: get(cols[0])?,
            spot: get(cols[1])?,
            strike: get(cols[2])?,
            vol: get(cols[3])?,
            years: get(cols[4])?,
            rate: get(cols[5])?,
        };
        let names = Names {
            prefix: format!("{source}:{line_no}: column "),
            names: ["kind", "spot", "strike", "vol", "t_years", "rate"],
            whole: format!("{source}:{line_no}"),
        };
        let g = compute(&o, &names)?;
        let row = [
            o.kind,
            o.spot,
            o.strike,
            o.vol,
            o.years,
            o.rate,
            &format_precise(g.price),
            &format_precise(g.delta),
            &format_precise(g.gamma),
            &format_precise(g.vega),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    Ok(out)
}
