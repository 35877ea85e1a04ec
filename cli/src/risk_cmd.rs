//! `deltamargin risk`: VaR and Expected Shortfall of one account by historical simulation — every
//! horizon window of a price history revalues the whole book with `margin-math` (the engine's
//! valuation), and the tail statistics come from `deltamargin-risk`.

use deltamargin_risk::backtest::{kupiec, traffic_light, Light};
use deltamargin_risk::history::{self, History};
use deltamargin_risk::revalue::{historical, pnl};
use deltamargin_risk::tail::tail;
use serde_json::{json, Value as JsonValue};

use crate::error::{CliError, CliResult};
use crate::input::Snapshot;

/// What `risk` was asked.
#[derive(Debug, Clone)]
pub struct RiskOptions {
    /// Horizon in history rows (one row per day: the horizon's length in days).
    pub horizon_rows: usize,
    /// Overlapping windows (every start row) instead of disjoint ones.
    pub overlapping: bool,
    /// Confidence levels, each in (0, 1).
    pub confidences: Vec<f64>,
    /// Probability of the VaR interval, in (0, 1).
    pub coverage: f64,
    /// How many worst scenarios to list.
    pub worst: usize,
    /// Reference coverage of the margin backtest (Kupiec, traffic light), in (0, 1).
    pub backtest_coverage: f64,
    /// Monte Carlo instead of historical scenarios for VaR and ES: `(paths, seed, dof)`.
    pub monte_carlo: Option<(usize, u64, u32)>,
}

/// Each held underlying's items revalued alone (cash 0) over the scenarios: `(underlying id,
/// P&L per scenario)`, in market order. The book's P&L is exactly their sum plus nothing (cash
/// does not move), since equity is cash plus the per-underlying values.
fn per_underlying_pnl(
    snapshot: &Snapshot,
    scenarios: &[deltamargin_risk::revalue::Scenario],
    horizon_ms: u64,
) -> CliResult<Vec<(u32, Vec<f64>)>> {
    let mut out = Vec::new();
    for m in &snapshot.markets {
        let collateral: Vec<_> = snapshot.collateral.iter().filter(|c| c.underlying == m.underlying).copied().collect();
        let positions: Vec<_> = snapshot.positions.iter().filter(|p| p.underlying == m.underlying).copied().collect();
        if collateral.is_empty() && positions.is_empty() {
            continue;
        }
        let account = margin_math::margin::Account {
            cash: 0,
            collateral: &collateral,
            positions: &positions,
            ..snapshot.account()
        };
        let p = pnl(&snapshot.markets, &account, snapshot.now_ms, horizon_ms, scenarios)
            .map_err(|e| CliError::at("account", format_args!("margin-math error: {e}")))?;
        out.push((m.underlying, p));
    }
    Ok(out)
}

/// Runs `f` over `scenarios` in about a hundred chunks, with a progress bar on stderr (drawn
/// only when stderr is a terminal, so pipes and tests see nothing), and joins the results.
fn with_progress<T>(
    scenarios: &[deltamargin_risk::revalue::Scenario],
    f: impl Fn(&[deltamargin_risk::revalue::Scenario]) -> CliResult<Vec<T>>,
) -> CliResult<Vec<T>> {
    let bar = indicatif::ProgressBar::new(scenarios.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("revaluing {pos}/{len} scenarios {bar:40} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut out = Vec::with_capacity(scenarios.len());
    for chunk in scenarios.chunks(scenarios.len().div_ceil(100).max(1)) {
        out.extend(f(chunk)?);
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    Ok(out)
}

/// Parses the history; errors carry the file name and the line and column.
pub fn read_history(text: &str, name: &str) -> CliResult<History> {
    history::parse(text).map_err(|e| CliError::at(name, e))
}

/// Runs the historical simulation and renders its JSON. Errors: a market without a price
/// column in the history, too short a history, bad levels, margin-math errors.
pub fn run(snapshot: &Snapshot, history: &History, history_name: &str, o: &RiskOptions) -> CliResult<JsonValue> {
    if o.horizon_rows == 0 {
        return Err(CliError::at("--horizon-days", "must be at least 1"));
    }
    if !(o.coverage > 0.0 && o.coverage < 1.0) {
        return Err(CliError::at("--coverage", format_args!("{} is not between 0 and 1", o.coverage)));
    }
    let names: Vec<&str> = snapshot.markets.iter().map(|m| snapshot.name(m.underlying)).collect();
    let scenarios = historical(history, &names, o.horizon_rows, o.overlapping)
        .map_err(|name| CliError::at(history_name, format_args!("no price column for market {name}")))?;
    if scenarios.is_empty() {
        return Err(CliError::at(history_name, "shorter than the horizon: no scenario"));
    }
    let horizon_ms = (o.horizon_rows as u64).saturating_mul(86_400_000);
    let revalue = |scenarios: &[deltamargin_risk::revalue::Scenario]| {
        with_progress(scenarios, |chunk| {
            pnl(&snapshot.markets, &snapshot.account(), snapshot.now_ms, horizon_ms, chunk)
                .map_err(|e| CliError::at("account", format_args!("margin-math error: {e}")))
        })
    };
    let hist_pnl = revalue(&scenarios)?;
    let hist_parts = per_underlying_pnl(snapshot, &scenarios, horizon_ms)?;
    // The VaR/ES scenarios: the history's windows, or Monte Carlo paths whose correlation is
    // fitted to the history's returns over the horizon and whose vols are the markets' own.
    let (method, model, paths) = match o.monte_carlo {
        None => (json!("historical"), JsonValue::Null, None),
        Some((count, seed, dof)) => {
            let returns: Vec<Vec<f64>> = names
                .iter()
                .map(|n| {
                    let prices = history.prices.iter().find(|(c, _)| c == n).map(|(_, p)| p.as_slice()).unwrap_or(&[]);
                    history::returns(prices, o.horizon_rows, true)
                })
                .collect();
            let model = deltamargin_risk::monte_carlo::Model {
                vols: snapshot.markets.iter().map(|m| m.vol_e18 as f64 / 1e18).collect(),
                correlation: deltamargin_risk::monte_carlo::correlation(&returns),
                dof,
                horizon_days: o.horizon_rows as f64,
            };
            let drawn = deltamargin_risk::monte_carlo::scenarios(&model, count, seed)
                .map_err(|e| CliError::at("--monte-carlo", e))?;
            let info = json!({ "paths": count, "seed": seed, "dof": dof, "correlation": model.correlation });
            (json!("monte-carlo"), info, Some(drawn))
        }
    };
    let (pnl, parts) = match &paths {
        None => (hist_pnl.clone(), hist_parts.clone()),
        Some(drawn) => (revalue(drawn)?, per_underlying_pnl(snapshot, drawn, horizon_ms)?),
    };
    // Scenarios from the smallest loss to the largest (ties in scenario order).
    let mut by_loss: Vec<usize> = (0..pnl.len()).collect();
    by_loss.sort_by(|&a, &b| (-pnl[a]).total_cmp(&-pnl[b]));
    let step = if o.overlapping { 1 } else { o.horizon_rows };
    let start_of = |i: usize| match paths {
        None => json!(history.times.get(i * step).cloned().unwrap_or_default()),
        Some(_) => json!(format!("path {i}")),
    };
    let mut levels = Vec::new();
    for &c in &o.confidences {
        let t = tail(&pnl, c, o.coverage).map_err(|e| CliError::at("--confidence", e))?;
        let end =
            |r: Option<(usize, f64)>| r.map_or(JsonValue::Null, |(rank, v)| json!({ "rank": rank, "loss": num(v) }));
        // Contributions: each underlying's own loss in the VaR scenario, and its mean loss over
        // the ES scenarios; they sum to the book's VaR and ES.
        let tail_scenarios = &by_loss[t.rank - 1..];
        let contributions: Vec<JsonValue> = parts
            .iter()
            .map(|(u, p)| {
                let es = tail_scenarios.iter().map(|&i| -p[i]).sum::<f64>() / tail_scenarios.len() as f64;
                json!({ "underlying": snapshot.name(*u), "var": num(-p[tail_scenarios[0]]), "es": num(es) })
            })
            .collect();
        levels.push(json!({
            "contributions": contributions,
            "confidence": c,
            "var": num(t.var),
            "es": num(t.es),
            "rank": t.rank,
            "var_interval": { "coverage": o.coverage, "low": end(t.var_low), "high": end(t.var_high) },
        }));
    }
    let mut order: Vec<usize> = (0..pnl.len()).collect();
    order.sort_by(|&a, &b| pnl[a].total_cmp(&pnl[b]));
    let worst: Vec<JsonValue> =
        order.iter().take(o.worst).map(|&i| json!({ "start": start_of(i), "loss": num(-pnl[i]) })).collect();
    let backtest = backtest(snapshot, &hist_pnl, &hist_parts, o)?;
    let joint = joint_stress(snapshot)?;
    Ok(json!({
        "method": method,
        "monte_carlo": model,
        "scenarios": pnl.len(),
        "horizon_days": o.horizon_rows,
        "overlapping": o.overlapping,
        "history": { "rows": history.times.len(), "first": history.times.first(), "last": history.times.last() },
        "levels": levels,
        "worst": worst,
        "backtest": backtest,
        "joint_stress": joint,
    }))
}

/// The diversification-failure stress: every market moved at once by the same fraction
/// `f = 0, 0.1, …, 1` of its own initial-margin spot shock — all down, all up, and each in the
/// direction that loses most for that underlying alone (correlation ±1 aligned against the
/// book) — vols unchanged, no time passing; the book's loss beside MR(mm) and MR(im), which
/// charge each underlying's worst case separately.
fn joint_stress(snapshot: &Snapshot) -> CliResult<JsonValue> {
    const E18: u128 = 1_000_000_000_000_000_000;
    let health = crate::margin_cmd::health(snapshot)?;
    let math = |e: margin_math::MathError| CliError::at("account", format_args!("margin-math error: {e}"));
    let n = snapshot.markets.len();
    let factor = |shock_e18: u128, tenths: u128, up: bool| {
        let step = shock_e18.saturating_mul(tenths) / 10;
        if up {
            E18.saturating_add(step)
        } else {
            E18.saturating_sub(step)
        }
    };
    let full = |up: &[bool]| deltamargin_risk::revalue::Scenario {
        spot_factor_e18: snapshot
            .markets
            .iter()
            .zip(up)
            .map(|(m, &u)| factor(m.params.spot_shock_im_e18, 10, u))
            .collect(),
        vol_factor_e18: vec![E18; n],
    };
    // The losing direction of each underlying alone: up if moving it alone up loses more.
    let mut aligned = Vec::with_capacity(n);
    for (i, m) in snapshot.markets.iter().enumerate() {
        let collateral: Vec<_> = snapshot.collateral.iter().filter(|c| c.underlying == m.underlying).copied().collect();
        let positions: Vec<_> = snapshot.positions.iter().filter(|p| p.underlying == m.underlying).copied().collect();
        let alone = margin_math::margin::Account {
            cash: 0,
            collateral: &collateral,
            positions: &positions,
            ..snapshot.account()
        };
        let mut up = vec![false; n];
        up[i] = true;
        let mut down_only = full(&vec![false; n]);
        let mut up_only = full(&up);
        for j in (0..n).filter(|&j| j != i) {
            down_only.spot_factor_e18[j] = E18;
            up_only.spot_factor_e18[j] = E18;
        }
        let p = pnl(&snapshot.markets, &alone, snapshot.now_ms, 0, &[down_only, up_only]).map_err(math)?;
        aligned.push(p[1] < p[0]);
    }
    let mut rows = Vec::new();
    for tenths in 0..=10u128 {
        let at = |up: &[bool]| deltamargin_risk::revalue::Scenario {
            spot_factor_e18: snapshot
                .markets
                .iter()
                .zip(up)
                .map(|(m, &u)| factor(m.params.spot_shock_im_e18, tenths, u))
                .collect(),
            vol_factor_e18: vec![E18; n],
        };
        let scenarios = [at(&vec![false; n]), at(&vec![true; n]), at(&aligned)];
        let p = pnl(&snapshot.markets, &snapshot.account(), snapshot.now_ms, 0, &scenarios).map_err(math)?;
        rows.push(json!({
            "fraction_of_im_shock": tenths as f64 / 10.0,
            "all_down": num(-p[0]),
            "all_up": num(-p[1]),
            "aligned": num(-p[2]),
        }));
    }
    Ok(json!({
        "mm": num(health.maintenance_margin.to_num::<f64>()),
        "im": num(health.initial_margin.to_num::<f64>()),
        "aligned_directions": snapshot.markets.iter().zip(&aligned)
            .map(|(m, &up)| json!({ "underlying": snapshot.name(m.underlying), "direction": if up { "up" } else { "down" } }))
            .collect::<Vec<_>>(),
        "losses": rows,
    }))
}

/// The margin backtest: in how many windows the book's loss exceeded today's MR(mm) (by more
/// than 10⁻⁶ quote), in total
/// and per underlying (each underlying's items revalued alone against its own MR_u(mm)), with
/// Kupiec's test and the traffic light at `backtest_coverage`. The book is re-centred on today's
/// markets at every window start, so MR(mm) is today's; the windows supply the moves.
fn backtest(
    snapshot: &Snapshot,
    total_pnl: &[f64],
    parts: &[(u32, Vec<f64>)],
    o: &RiskOptions,
) -> CliResult<JsonValue> {
    let health = crate::margin_cmd::health(snapshot)?;
    let verdict = |pnl: &[f64], mm: f64| -> CliResult<JsonValue> {
        let n = pnl.len() as u64;
        // Beyond MR by more than 1e-6 quote: a book that cannot lose (MR 0) still shows
        // fixed-point rounding of a few 2^-48 in its revaluations.
        let exceedances = pnl.iter().filter(|&&p| -p > mm + 1e-6).count() as u64;
        let k = kupiec(n, exceedances, o.backtest_coverage).map_err(|e| CliError::at("--backtest-coverage", e))?;
        let light =
            traffic_light(n, exceedances, o.backtest_coverage).map_err(|e| CliError::at("--backtest-coverage", e))?;
        let light = match light {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        };
        Ok(json!({
            "mm": num(mm),
            "exceedances": exceedances,
            "rate": num(k.rate),
            "expected_rate": num(k.expected_rate),
            "kupiec_lr": num(k.lr),
            "kupiec_p_value": num(k.p_value),
            "traffic_light": light,
        }))
    };
    let mut per_underlying = Vec::new();
    for u in &health.underlyings {
        let Some((_, pnl)) = parts.iter().find(|(id, _)| *id == u.underlying) else { continue };
        let mut row = verdict(pnl, u.maintenance_margin.to_num::<f64>())?;
        row["underlying"] = json!(snapshot.name(u.underlying));
        per_underlying.push(row);
    }
    let mut total = verdict(total_pnl, health.maintenance_margin.to_num::<f64>())?;
    total["coverage"] = json!(o.backtest_coverage);
    total["per_underlying"] = json!(per_underlying);
    Ok(total)
}

/// A statistic as a decimal string with 6 decimals (statistics are `f64`; the revaluation
/// behind them is margin-math's exact fixed point).
fn num(x: f64) -> String {
    let text = format!("{x:.6}");
    if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}
