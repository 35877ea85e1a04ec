//! `deltamargin margin`: equity, margins, health and per-underlying risk of one account.

use margin_math::margin::{evaluate, Account, Health, Market};
use margin_math::MathError;
use serde_json::{json, Map, Value as JsonValue};

use crate::error::{CliError, CliResult};
use crate::input::Snapshot;
use crate::output::{bits, dec, scenario};

/// Evaluates the snapshot; a `margin-math` error is reported at the item that causes it.
pub fn health(snapshot: &Snapshot) -> CliResult<Health> {
    evaluate(&snapshot.markets, &snapshot.account(), snapshot.now_ms).map_err(|e| locate(snapshot, e))
}

/// Finds the smallest part of the input that fails on its own: one position, one collateral
/// entry, one underlying's items, the cash; otherwise the whole account.
pub fn locate(snapshot: &Snapshot, err: MathError) -> CliError {
    let now = snapshot.now_ms;
    let alone = |markets: &[Market], account: Account<'_>| evaluate(markets, &account, now).is_err();
    let empty = Account { cash: 0, collateral: &[], positions: &[], ..snapshot.account() };
    let path = if let Some(k) = (0..snapshot.positions.len())
        .find(|&k| alone(&snapshot.markets, Account { positions: &snapshot.positions[k..=k], ..empty }))
    {
        format!("account.positions[{k}]")
    } else if let Some(j) = (0..snapshot.collateral.len())
        .find(|&j| alone(&snapshot.markets, Account { collateral: &snapshot.collateral[j..=j], ..empty }))
    {
        format!("account.collateral[{j}]")
    } else if let Some(i) = snapshot.markets.iter().position(|m| {
        let collateral: Vec<_> = snapshot.collateral.iter().filter(|c| c.underlying == m.underlying).copied().collect();
        let positions: Vec<_> = snapshot.positions.iter().filter(|p| p.underlying == m.underlying).copied().collect();
        alone(&snapshot.markets[..], Account { collateral: &collateral, positions: &positions, ..empty })
    }) {
        format!("markets[{i}] (all items in {})", snapshot.name(snapshot.markets[i].underlying))
    } else if alone(&snapshot.markets, Account { cash: snapshot.cash_e18, ..empty }) {
        "account.cash".to_string()
    } else {
        "account".to_string()
    };
    CliError::at(&path, format_args!("margin-math error: {err}"))
}

/// The `margin` output: every number a decimal string (see [`crate::decimal`]); with `raw`, a
/// `"raw"` object with the `I80F48` bits of the headline numbers and of each underlying's risk.
pub fn render(snapshot: &Snapshot, health: &Health, raw: bool) -> JsonValue {
    let underlyings: Vec<JsonValue> = health
        .underlyings
        .iter()
        .map(|u| {
            json!({
                "underlying": snapshot.name(u.underlying),
                "value": dec(u.value),
                "delta": dec(u.delta),
                "gamma": dec(u.gamma),
                "vega": dec(u.vega),
                "im": dec(u.initial_margin),
                "mm": dec(u.maintenance_margin),
                "worst_im": scenario(&u.worst_im),
                "worst_mm": scenario(&u.worst_mm),
            })
        })
        .collect();
    let mut out = Map::new();
    out.insert("equity".into(), dec(health.equity));
    out.insert("initial_margin".into(), dec(health.initial_margin));
    out.insert("maintenance_margin".into(), dec(health.maintenance_margin));
    out.insert("health".into(), dec(health.health));
    out.insert("liquidatable".into(), JsonValue::Bool(health.liquidatable));
    out.insert("underlyings".into(), JsonValue::Array(underlyings));
    if raw {
        let per: Vec<JsonValue> = health
            .underlyings
            .iter()
            .map(|u| {
                json!({
                    "underlying": snapshot.name(u.underlying),
                    "value": bits(u.value),
                    "delta": bits(u.delta),
                    "gamma": bits(u.gamma),
                    "vega": bits(u.vega),
                    "im": bits(u.initial_margin),
                    "mm": bits(u.maintenance_margin),
                })
            })
            .collect();
        out.insert(
            "raw".into(),
            json!({
                "format": "I80F48 bits as a decimal i128 string (value = bits / 2^48)",
                "equity": bits(health.equity),
                "initial_margin": bits(health.initial_margin),
                "maintenance_margin": bits(health.maintenance_margin),
                "health": bits(health.health),
                "underlyings": per,
            }),
        );
    }
    JsonValue::Object(out)
}
