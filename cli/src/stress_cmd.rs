//! `deltamargin stress`: full revaluation of each held underlying on a fine spot × vol grid.

use margin_math::margin::{stress, StressGrid};
use margin_math::Value;
use serde_json::{json, Value as JsonValue};

use crate::error::{CliError, CliResult};
use crate::input::Snapshot;
use crate::margin_cmd;
use crate::output::dec;
use crate::svg::Panel;
use margin_math::decimal::{format_e18, format_value, E18};

/// Which margin level's box to stress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Initial margin: `S(1 ± h_im)`, `σ ± v_im`.
    Initial,
    /// Maintenance margin: `S(1 ± h_mm)`, `σ ± v_mm`.
    Maintenance,
}

impl Level {
    /// `im` or `mm`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Initial => "im",
            Level::Maintenance => "mm",
        }
    }
}

/// One underlying's grid with the model's margin for comparison.
#[derive(Debug, Clone)]
pub struct UnderlyingStress {
    /// Underlying name.
    pub name: String,
    /// Current spot as given, 18 decimals.
    pub spot_e18: u128,
    /// Current volatility as given, 18 decimals.
    pub vol_e18: u128,
    /// `MR_u` at the stressed level, from `evaluate`.
    pub margin: Value,
    /// The grid from `margin_math::margin::stress`.
    pub grid: StressGrid,
}

/// Stresses every underlying the account holds, in market order.
pub fn run(snapshot: &Snapshot, spot_points: u32, vol_points: u32, level: Level) -> CliResult<Vec<UnderlyingStress>> {
    let health = margin_cmd::health(snapshot)?;
    let maintenance = level == Level::Maintenance;
    let account = snapshot.account();
    let mut out = Vec::new();
    for u in &health.underlyings {
        let i = u.underlying as usize;
        let market = snapshot.markets.get(i).ok_or_else(|| CliError::Input(format!("markets[{i}]: missing")))?;
        let grid =
            stress(&snapshot.markets, &account, snapshot.now_ms, u.underlying, spot_points, vol_points, maintenance)
                .map_err(|e| margin_cmd::locate(snapshot, e))?;
        out.push(UnderlyingStress {
            name: snapshot.name(u.underlying).to_string(),
            spot_e18: market.spot_e18,
            vol_e18: market.vol_e18,
            margin: if maintenance { u.maintenance_margin } else { u.initial_margin },
            grid,
        });
    }
    Ok(out)
}

/// The `stress` JSON: level, grid size, totals, and per underlying the current spot and vol
/// (as given in the input), the margin at that level, the worst loss, whether the margin covers it, and every point
/// (spot-major: all vols of the lowest spot first).
pub fn render(results: &[UnderlyingStress], spot_points: u32, vol_points: u32, level: Level) -> CliResult<JsonValue> {
    let overflow = || CliError::Input("stress: total overflows I80F48".into());
    let mut total_worst = Value::ZERO;
    let mut total_margin = Value::ZERO;
    let mut per = Vec::new();
    for r in results {
        total_worst = total_worst.checked_add(r.grid.worst_loss).ok_or_else(overflow)?;
        total_margin = total_margin.checked_add(r.margin).ok_or_else(overflow)?;
        let points: Vec<JsonValue> = r
            .grid
            .points
            .iter()
            .map(|p| json!({ "spot": dec(p.spot), "vol": dec(p.vol), "loss": dec(p.loss) }))
            .collect();
        per.push(json!({
            "underlying": r.name,
            "spot": format_e18(r.spot_e18),
            "vol": format_e18(r.vol_e18),
            "margin": dec(r.margin),
            "worst_loss": dec(r.grid.worst_loss),
            "covered": r.margin >= r.grid.worst_loss,
            "points": points,
        }));
    }
    Ok(json!({
        "level": level.name(),
        "spot_points": spot_points,
        "vol_points": vol_points,
        "margin": dec(total_margin),
        "worst_loss": dec(total_worst),
        "underlyings": per,
    }))
}

/// An 18-decimal integer as a float, for drawing only.
fn spot_f64(x_e18: u128) -> f64 {
    (x_e18 / E18) as f64 + (x_e18 % E18) as f64 / E18 as f64
}

/// The exact decimal of `v` cut (toward zero) to at most `decimals` decimals.
fn short(v: Value, decimals: usize) -> String {
    let text = format_value(v);
    match text.split_once('.') {
        Some((int, frac)) if frac.len() > decimals => {
            let frac = frac[..decimals].trim_end_matches('0');
            if frac.is_empty() {
                if int == "-0" {
                    "0".to_string()
                } else {
                    int.to_string()
                }
            } else {
                format!("{int}.{frac}")
            }
        }
        _ => text,
    }
}

/// Chart data: one series per vol point, spots ascending.
pub fn panels(results: &[UnderlyingStress], level: Level) -> Vec<Panel> {
    results
        .iter()
        .map(|r| {
            let m = r.grid.vol_points as usize;
            let series = (0..m)
                .map(|j| {
                    let pts: Vec<(f64, f64)> = r
                        .grid
                        .points
                        .iter()
                        .skip(j)
                        .step_by(m.max(1))
                        .map(|p| (p.spot.to_num::<f64>(), p.loss.to_num::<f64>()))
                        .collect();
                    let vol = r.grid.points.get(j).map_or(0.0, |p| p.vol.to_num::<f64>());
                    (vol, pts)
                })
                .collect();
            let note = format!(
                "worst loss {} · margin MR({}) {} · spot {} · vol {}",
                short(r.grid.worst_loss, 2),
                level.name(),
                short(r.margin, 2),
                format_e18(r.spot_e18),
                format_e18(r.vol_e18),
            );
            Panel { name: r.name.clone(), spot: spot_f64(r.spot_e18), margin: r.margin.to_num::<f64>(), note, series }
        })
        .collect()
}
