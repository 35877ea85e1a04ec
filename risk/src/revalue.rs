//! Full revaluation of a book over scenarios with `margin-math`: each scenario moves every
//! underlying's spot and volatility by its own factor and moves time forward by the horizon;
//! the book's P&L is `E(shocked markets, now + horizon) − E(markets, now)` with
//! `margin_math::margin::equity` — options by Black-Scholes at the shocked spot and vol and the
//! shorter time to expiry, linear positions and collateral exact, the same valuation the engine
//! runs.

use margin_math::margin::{equity, Account, Market};
use margin_math::trading::mul_div;
use margin_math::MathError;
use rayon::prelude::*;

const E18: u128 = 1_000_000_000_000_000_000;

/// One joint move of the markets.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Per market (same order as the markets): new spot = spot · factor, 18 decimals.
    pub spot_factor_e18: Vec<u128>,
    /// Per market: new vol = vol · factor, 18 decimals (1e18: unchanged).
    pub vol_factor_e18: Vec<u128>,
}

impl Scenario {
    /// A scenario from log returns of the spots (vols unchanged): factor `e^r`, to 18 decimals.
    pub fn from_log_returns(returns: &[f64]) -> Scenario {
        let factor = |r: f64| (r.exp() * E18 as f64).round() as u128;
        Scenario {
            spot_factor_e18: returns.iter().map(|&r| factor(r)).collect(),
            vol_factor_e18: vec![E18; returns.len()],
        }
    }
}

/// The book's P&L (quote whole units) in each scenario over `horizon_ms`, revalued in parallel
/// (rayon; the result does not depend on the number of threads). Errors: margin-math's
/// (`UnknownUnderlying`, `Overflow`, `OutOfDomain` for a scenario with the wrong number of
/// factors or a shocked vol outside the model's domain).
pub fn pnl(
    markets: &[Market],
    account: &Account<'_>,
    now_ms: u64,
    horizon_ms: u64,
    scenarios: &[Scenario],
) -> Result<Vec<f64>, MathError> {
    let base = equity(markets, account, now_ms)?;
    let later = now_ms.checked_add(horizon_ms).ok_or(MathError::Overflow)?;
    // Every scenario on its own, on every core; results in scenario order.
    scenarios
        .par_iter()
        .map(|s| {
            if s.spot_factor_e18.len() != markets.len() || s.vol_factor_e18.len() != markets.len() {
                return Err(MathError::OutOfDomain);
            }
            let mut shocked = markets.to_vec();
            for ((m, &fs), &fv) in shocked.iter_mut().zip(&s.spot_factor_e18).zip(&s.vol_factor_e18) {
                m.spot_e18 = mul_div(m.spot_e18, fs, E18, false)?;
                m.vol_e18 = mul_div(m.vol_e18, fv, E18, false)?;
            }
            let value = equity(&shocked, account, later)?;
            Ok((value - base).to_num::<f64>())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use margin_math::margin::{Collateral, MarketParams, Position, PositionKind};

    const NOW: u64 = 1_767_225_600_000;

    fn params() -> MarketParams {
        MarketParams {
            spot_shock_im_e18: E18 / 10,
            spot_shock_mm_e18: 6 * E18 / 100,
            vol_shock_im_e18: 3 * E18 / 10,
            vol_shock_mm_e18: 2 * E18 / 10,
            vol_floor_e18: E18 / 10,
            short_option_addon_e18: E18 / 100,
            rate_e18: 0,
        }
    }

    fn btc(spot: u128) -> Market {
        Market { underlying: 0, spot_e18: spot * E18, vol_e18: 6 * E18 / 10, params: params() }
    }

    /// Linear and collateral are exact: long 2 BTC perpetual and 1 BTC collateral at 60,000;
    /// a +10% move gains 3 · 6,000 = 18,000 and a −25% move loses 45,000.
    #[test]
    fn linear_books_move_exactly() {
        let positions = [Position {
            underlying: 0,
            size_e18: 2 * E18 as i128,
            kind: PositionKind::Linear { entry_e18: 60_000 * E18 },
        }];
        let collateral = [Collateral { underlying: 0, amount: E18, decimals: 18, basis_haircut_e18: 0 }];
        let account = Account { cash: 0, cash_decimals: 18, collateral: &collateral, positions: &positions };
        let up = Scenario { spot_factor_e18: vec![11 * E18 / 10], vol_factor_e18: vec![E18] };
        let down = Scenario { spot_factor_e18: vec![3 * E18 / 4], vol_factor_e18: vec![2 * E18] };
        let p = pnl(&[btc(60_000)], &account, NOW, 86_400_000, &[up, down]).unwrap();
        assert_eq!(p, vec![18_000.0, -45_000.0]);
    }

    /// A long call gains with spot and vol and loses time value: at-the-money 60,000 call,
    /// 30 days, vol 60%, r = 0 (mpmath, 365-day year): value today 4,112.3644; after one day at
    /// spot 63,000 and vol 66%: 6,213.1718 (29 days to expiry) — a P&L of 2,100.8074.
    #[test]
    fn options_are_revalued_at_shocked_spot_vol_and_shorter_time() {
        let expiry = NOW + 30 * 86_400_000;
        let positions = [Position {
            underlying: 0,
            size_e18: E18 as i128,
            kind: PositionKind::Option {
                kind: margin_math::OptionKind::Call,
                strike_e18: 60_000 * E18,
                expiry_ms: expiry,
                settlement_e18: None,
            },
        }];
        let account = Account { cash: 0, cash_decimals: 18, collateral: &[], positions: &positions };
        let s = Scenario { spot_factor_e18: vec![105 * E18 / 100], vol_factor_e18: vec![11 * E18 / 10] };
        let p = pnl(&[btc(60_000)], &account, NOW, 86_400_000, &[s]).unwrap();
        assert!((p[0] - 2_100.807_4).abs() < 0.01, "{}", p[0]);
        let wrong = Scenario { spot_factor_e18: vec![], vol_factor_e18: vec![] };
        assert_eq!(pnl(&[btc(60_000)], &account, NOW, 0, &[wrong]), Err(MathError::OutOfDomain));
    }
}

/// Historical scenarios: for markets named `names` (in market order), every horizon window of
/// `history` moves each spot by its column's price ratio `P[t+h]/P[t]` and, where the history has
/// `<name>_vol`, each vol by that column's ratio (vols unchanged without one). Errors:
/// `Err(name)` for a market the history has no price column for.
pub fn historical(
    history: &crate::history::History,
    names: &[&str],
    horizon_rows: usize,
    overlapping: bool,
) -> Result<Vec<Scenario>, String> {
    let column = |list: &[(String, Vec<f64>)], name: &str| list.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let mut spot_moves = Vec::new();
    let mut vol_moves = Vec::new();
    for &name in names {
        let prices = column(&history.prices, name).ok_or_else(|| name.to_string())?;
        spot_moves.push(crate::history::returns(&prices, horizon_rows, overlapping));
        vol_moves.push(column(&history.vols, name).map(|v| crate::history::returns(&v, horizon_rows, overlapping)));
    }
    let count = spot_moves.first().map_or(0, Vec::len);
    let factor = |r: f64| (r.exp() * E18 as f64).round() as u128;
    Ok((0..count)
        .map(|t| Scenario {
            spot_factor_e18: spot_moves.iter().map(|r| factor(r[t])).collect(),
            vol_factor_e18: vol_moves.iter().map(|v| v.as_ref().map_or(E18, |v| factor(v[t]))).collect(),
        })
        .collect())
}

#[cfg(test)]
mod historical_tests {
    use super::*;
    use margin_math::margin::{Position, PositionKind};

    /// Historical VaR is exactly the order statistic of the revalued P&L: one BTC perpetual
    /// over the shipped history's 730 daily moves, VaR₉₉ = the 723rd smallest loss
    /// (⌈0.99 · 730⌉ = 723), which is one of the scenarios' own P&L.
    #[test]
    fn historical_var_is_a_revalued_scenario() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/history.csv");
        let history = crate::history::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        let scenarios = historical(&history, &["BTC"], 1, true).unwrap();
        assert_eq!(scenarios.len(), 730);
        let market = crate::testing::btc_at_60000();
        let positions =
            [Position { underlying: 0, size_e18: E18 as i128, kind: PositionKind::Linear { entry_e18: 60_000 * E18 } }];
        let account = Account { cash: 0, cash_decimals: 18, collateral: &[], positions: &positions };
        let pnl = pnl(&[market], &account, 1_767_225_600_000, 86_400_000, &scenarios).unwrap();
        let t = crate::tail::tail(&pnl, 0.99, 0.95).unwrap();
        assert_eq!(t.rank, 723);
        let mut losses: Vec<f64> = pnl.iter().map(|x| -x).collect();
        losses.sort_by(f64::total_cmp);
        assert_eq!(t.var, losses[722]);
        assert!(pnl.contains(&-t.var));
        assert!(t.var > 0.0 && t.es >= t.var);
        assert_eq!(historical(&history, &["XRP"], 1, true), Err("XRP".to_string()));
    }
}
