//! The text output: the per-step table and the summary.

use core::fmt::Write as _;

use super::run::SimResult;
use crate::conservation::units_str;

/// An 18-decimal value as a decimal string with `places` decimals (rounded toward zero).
pub fn e18_str(value: u128, places: u32) -> String {
    units_str(value as i128, 18, places)
}

/// Liquidations listed one line each.
const MAX_LIQUIDATION_LINES: usize = 12;

/// Accounts shown one column each in the table; beyond this the table shows counts instead.
pub const MAX_ACCOUNT_COLUMNS: usize = 6;

fn cut(text: &str, places: usize) -> String {
    match text.split_once('.') {
        Some((int, _)) if places == 0 => int.to_string(),
        Some((int, frac)) => format!("{int}.{}", &frac[..places.min(frac.len())]),
        None => text.to_string(),
    }
}

/// The per-step table and the summary, as printed by `simulate`.
pub fn text(result: &SimResult) -> String {
    let mut s = String::new();
    let qd = u32::from(result.quote_decimals);
    let money = |v: u128| units_str(v as i128, qd, 2);
    let _ = writeln!(s, "== scenario {} ==", result.scenario);
    if !result.description.is_empty() {
        let _ = writeln!(s, "{}", result.description.trim());
    }
    let few = result.accounts.len() <= MAX_ACCOUNT_COLUMNS;
    let _ = writeln!(
        s,
        "{}",
        if few {
            "per account: equity / MM / health (quote); ! = liquidatable, stale = a held market is stale, - = holds nothing"
        } else {
            "accounts: liquidatable / stale / holding nothing, and the lowest health (quote)"
        }
    );
    // Header.
    let mut header = format!("{:>4} {:>7}", "step", "t(s)");
    for m in &result.markets {
        let _ = write!(header, " {m:>10}");
    }
    if few {
        for a in &result.accounts {
            let _ = write!(header, " {a:>30}");
        }
    } else {
        let _ = write!(header, " {:>8} {:>6} {:>6} {:>14}", "liquid.", "stale", "empty", "min health");
    }
    let _ = write!(header, " {:>5} {:>14} {:>14}", "liqs", "fund", "deficit");
    let _ = writeln!(s, "{header}");
    let t0 = result.steps.first().map_or(0, |r| r.time_ms);
    for r in &result.steps {
        let mut line = format!("{:>4} {:>7}", r.step, (r.time_ms - t0) / 1000);
        for (u, spot) in r.spots_e18.iter().enumerate() {
            let mark = if r.outage.iter().any(|o| *o == result.markets[u]) { "*" } else { "" };
            let _ = write!(line, " {:>10}", format!("{}{mark}", e18_str(*spot, 2)));
        }
        if few {
            for a in &r.accounts {
                let cell = if a.stale {
                    "stale".to_string()
                } else if a.empty {
                    "-".to_string()
                } else {
                    format!(
                        "{}/{}/{}{}",
                        cut(&a.equity, 0),
                        cut(&a.maintenance_margin, 0),
                        cut(&a.health, 0),
                        if a.liquidatable { "!" } else { "" }
                    )
                };
                let _ = write!(line, " {cell:>30}");
            }
        } else {
            let liquidatable = r.accounts.iter().filter(|a| a.liquidatable).count();
            let stale = r.accounts.iter().filter(|a| a.stale).count();
            let empty = r.accounts.iter().filter(|a| a.empty).count();
            let min = r
                .accounts
                .iter()
                .filter(|a| !a.stale && !a.empty)
                .min_by(|a, b| a.health_f64.total_cmp(&b.health_f64))
                .map_or("-".to_string(), |a| cut(&a.health, 2));
            let _ = write!(line, " {liquidatable:>8} {stale:>6} {empty:>6} {min:>14}");
        }
        let _ = write!(line, " {:>5} {:>14} {:>14}", r.liquidations.len(), money(r.insurance_fund), money(r.deficit));
        if let Some(e) = &r.conservation_error {
            let _ = write!(line, "  CONSERVATION FAILED: {e}");
        }
        let _ = writeln!(s, "{line}");
    }
    let _ = writeln!(s, "(* = oracle not updated for that market this step)");
    let failed: Vec<_> =
        result.steps.iter().flat_map(|r| r.actions.iter().map(move |a| (r.step, a))).filter(|(_, a)| !a.ok).collect();
    for (step, a) in &failed {
        let _ = writeln!(s, "step {step}: refused: {} ({})", a.action, a.error.as_deref().unwrap_or(""));
    }

    let liquidations: Vec<_> =
        result.steps.iter().flat_map(|r| r.liquidations.iter().map(move |l| (r.step, l))).collect();
    if !liquidations.is_empty() {
        let _ =
            writeln!(s, "\nliquidations (slice, quantity, mark, health before, penalty, liquidator reward, bad debt):");
    }
    for (step, l) in liquidations.iter().take(MAX_LIQUIDATION_LINES) {
        let quantity = match l.slice.strip_prefix("collateral ") {
            Some(symbol) => {
                let decimals = result.assets.iter().find(|a| a.0 == symbol).map_or(0, |a| u32::from(a.1));
                units_str(l.quantity as i128, decimals, 3)
            }
            None => e18_str(l.quantity, 3),
        };
        let _ = writeln!(
            s,
            "  step {step}: {} by {}: {} x {quantity} at {}, health {}, penalty {}, reward {}, bad debt {}",
            l.target,
            l.liquidator,
            l.slice,
            e18_str(l.price_e18, 2),
            cut(&l.health_before, 2),
            money(l.penalty),
            money(l.liquidator_reward),
            money(l.bad_debt)
        );
    }
    if liquidations.len() > MAX_LIQUIDATION_LINES {
        let _ = writeln!(s, "  … {} more (see --json)", liquidations.len() - MAX_LIQUIDATION_LINES);
    }

    let sum = &result.summary;
    let _ = writeln!(s, "\n== summary ==");
    let liquidated: Vec<_> = sum.liquidations_per_account.iter().filter(|(_, &n)| n > 0).collect();
    let never = sum.liquidations_per_account.len() - liquidated.len();
    let _ = writeln!(
        s,
        "liquidation calls per account: {}{}",
        if liquidated.is_empty() { "none".to_string() } else { String::new() },
        if liquidated.len() <= 12 {
            liquidated.iter().map(|(a, n)| format!("{a} {n}")).collect::<Vec<_>>().join(", ")
        } else {
            format!(
                "{} accounts liquidated, {} calls",
                liquidated.len(),
                liquidated.iter().map(|(_, &n)| n).sum::<u32>()
            )
        }
    );
    let _ = writeln!(s, "accounts never liquidated: {never}");
    let _ = writeln!(s, "keeper rewards: {} {}", money(sum.keeper_rewards), result.quote);
    let _ = writeln!(
        s,
        "penalties: {} (fund share {}); fund-paid incentives: {}",
        money(sum.penalties),
        money(sum.fund_shares),
        money(sum.fund_paid_incentives)
    );
    let _ = writeln!(s, "bad debt: {} {}", money(sum.bad_debt), result.quote);
    let _ = writeln!(
        s,
        "insurance fund: {} -> {}; deficit: {}",
        money(sum.starting_fund),
        money(sum.final_fund),
        money(sum.final_deficit)
    );
    let _ = writeln!(
        s,
        "fund - deficit = start + fund shares - fund-paid incentives - bad debt: {}",
        if sum.fund_identity_holds { "holds" } else { "VIOLATED" }
    );
    let _ = writeln!(
        s,
        "conservation after every block: {}",
        if sum.conservation_failures == 0 {
            format!("holds ({} blocks)", result.steps.len())
        } else {
            format!("FAILED in {} blocks", sum.conservation_failures)
        }
    );
    let _ = writeln!(s, "gas per message kind (ref_time, ms of a 2 s block's 2000):");
    let _ = writeln!(s, "  {:<22} {:>7} {:>10} {:>10}", "message", "count", "mean ms", "max ms");
    for (kind, g) in &sum.gas {
        let _ = writeln!(
            s,
            "  {:<22} {:>7} {:>10.3} {:>10.3}",
            kind,
            g.count,
            g.mean() as f64 / 1e9,
            g.max_ref_time_ps as f64 / 1e9
        );
    }
    s
}
