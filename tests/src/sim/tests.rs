//! The scenario files of `scenarios/` run on the real contracts, with their designed outcomes
//! (derived by hand in each file's header comment, never from a run) asserted exactly where the
//! design fixes them.
//!
//! The insurance identity the engine implements (`docs/contracts.md`, `liquidate` and
//! `recognize_bad_debt`): the fund receives each liquidation's penalty share, pays the capped
//! incentive of an insolvent target's liquidator, and covers bad debt first, the rest going to
//! the deficit; so over a run without `fund_insurance` / `cover_deficit` calls
//! `fund − deficit = starting fund + Σ fund shares − Σ fund-paid incentives − Σ bad debt`,
//! and with no penalties or incentives (every target insolvent, reward cap 0) and a fund
//! exhausted, `deficit = Σ bad debt − starting fund`.

use std::path::PathBuf;

use super::run::{plan, run, SimResult};
use super::scenario::{Scenario, SplitMix64};
use super::world::MarketState;

/// 10^6: the scenarios' quote token has 6 decimals.
const USD: u128 = 1_000_000;

fn scenario(name: &str) -> Scenario {
    let path = manifest_dir().join("../scenarios").join(format!("{name}.toml"));
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn simulate(name: &str) -> SimResult {
    let result = run(&scenario(name), &mut |_, _| {}).unwrap_or_else(|e| panic!("{name}: {e}"));
    for step in &result.steps {
        assert_eq!(step.conservation_error, None, "{name}: conservation after block {}", step.step);
        assert!(step.fund_identity_holds, "{name}: block {}: fund/deficit movement differs from its events", step.step);
    }
    let s = &result.summary;
    assert!(s.fund_identity_holds, "{name}: insurance identity");
    assert_eq!(
        s.final_fund as i128 - s.final_deficit as i128,
        s.starting_fund as i128 + s.fund_shares as i128 - s.fund_paid_incentives as i128 - s.bad_debt as i128,
        "{name}: fund - deficit = start + shares - incentives - bad debt"
    );
    result
}

fn liquidations(r: &SimResult, account: &str) -> u32 {
    r.summary.liquidations_per_account.get(account).copied().unwrap_or_else(|| panic!("no account {account}"))
}

/// Steps in which `account` was liquidated.
fn liquidated_at(r: &SimResult, account: &str) -> Vec<u32> {
    let mut steps: Vec<u32> =
        r.steps.iter().filter(|s| s.liquidations.iter().any(|l| l.target == account)).map(|s| s.step).collect();
    steps.dedup();
    steps
}

fn row<'a>(r: &'a SimResult, step: u32, account: &str) -> &'a super::run::AccountRow {
    let i = r.accounts.iter().position(|a| a == account).expect("account");
    &r.steps[step as usize].accounts[i]
}

#[test]
fn sim_crash_hedged_survives_unhedged_bad_debt() {
    let r = simulate("crash");
    assert_eq!(r.summary.failed_actions, 0);
    assert_eq!(liquidations(&r, "hedged"), 0, "hedged: delta 0, never liquidated");
    assert_eq!(liquidations(&r, "mm"), 0);
    // Insolvent with one position and no collateral: no smaller quantity reaches the end
    // target, so the keeper takes the whole position, its last item, in one call.
    assert_eq!(liquidations(&r, "unhedged"), 1);
    assert_eq!(liquidated_at(&r, "unhedged"), vec![3], "liquidated in the crash block");
    // Equity 10,000 + (39,000 − 60,000) = −11,000: insolvent, no penalty, no reward.
    assert_eq!(r.summary.bad_debt, 11_000 * USD);
    assert_eq!(r.summary.penalties, 0);
    assert_eq!(r.summary.keeper_rewards, 0);
    assert_eq!(r.summary.starting_fund, 50_000 * USD);
    assert_eq!(r.summary.final_fund, 39_000 * USD);
    assert_eq!(r.summary.final_deficit, 0);
    assert!(r.summary.emptied_accounts.contains(&"unhedged".to_string()));
    // hedged: 5,000 cash + 1 BTC at 39,000 + short P&L 21,000 = 65,000 at every price.
    for step in [0, 3, 8] {
        let h = row(&r, step, "hedged");
        assert!(h.equity.starts_with("65000.0000"), "step {step}: hedged equity {}", h.equity);
        assert!(!h.liquidatable);
    }
    assert!(row(&r, 2, "unhedged").equity.starts_with("10000.0000"));
    // The charts (drawn by the one SVG writer): a line per market, a line per account with a
    // circle where the unhedged account was liquidated, and the fund and deficit.
    let dir = std::env::temp_dir().join(format!("deltamargin-sim-svg-{}", std::process::id()));
    let paths = super::svg::write(&r, &dir).expect("charts written");
    assert_eq!(paths.len(), 3);
    let read = |kind: &str| std::fs::read_to_string(dir.join(format!("crash-{kind}.svg"))).expect("chart");
    let (prices, health, fund) = (read("prices"), read("health"), read("fund"));
    assert_eq!(prices.matches("<polyline").count(), r.markets.len());
    assert_eq!(health.matches("<circle").count(), 1, "one liquidation marked");
    assert!(health.contains(">unhedged</text>") && health.contains(">hedged</text>"));
    assert!(fund.contains(">insurance fund</text>") && fund.contains(">deficit</text>"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sim_insolvent_hedged_book_is_emptied_and_its_bad_debt_recognized() {
    let r = simulate("insolvent_hedged");
    assert_eq!(r.summary.failed_actions, 0);
    assert_eq!(liquidations(&r, "mm"), 0);
    // ETH whole in the crash block, then the self-hedging remainder one item per round: the
    // short BTC-PERP (raising MR(mm), equity unchanged), then the 1 BTC, which empties it.
    assert_eq!(liquidated_at(&r, "leveraged"), vec![2, 3, 4]);
    assert_eq!(liquidations(&r, "leveraged"), 3);
    let slices: Vec<&str> = r
        .steps
        .iter()
        .flat_map(|s| s.liquidations.iter())
        .filter(|l| l.target == "leveraged")
        .map(|l| l.slice.as_str())
        .collect();
    assert_eq!(slices, vec!["position ETH-PERP", "position BTC-PERP", "collateral BTC"]);
    assert!(r.summary.emptied_accounts.contains(&"leveraged".to_string()));
    // Equity 61,000 + 200 × (1,950 − 3,000) = −149,000, unchanged by every slice (at the mark,
    // no penalty from an insolvent account), recognized as bad debt when emptied.
    for step in [2, 3] {
        let row = row(&r, step, "leveraged");
        assert!(row.equity.starts_with("-149000.0000"), "step {step}: equity {}", row.equity);
        assert!(row.liquidatable, "step {step}");
    }
    assert_eq!(r.summary.bad_debt, 149_000 * USD);
    assert_eq!(r.summary.penalties, 0);
    // Winding down pays: the fund pays the keeper, at most 500 for this target in all.
    assert_eq!(r.summary.fund_paid_incentives, 500 * USD);
    assert_eq!(r.summary.keeper_rewards, 500 * USD);
    assert_eq!(r.summary.final_fund, 0);
    assert_eq!(r.summary.final_deficit, 49_500 * USD);
}

#[test]
fn sim_oracle_outage_no_liquidation_while_stale() {
    let r = simulate("oracle_outage");
    for step in 2..=4 {
        assert!(r.steps[step].liquidations.is_empty(), "no liquidation at stale step {step}");
        assert_eq!(r.steps[step].fresh, vec![false, true], "step {step}: BTC stale, ETH fresh");
        assert!(row(&r, step as u32, "btc_long").stale, "step {step}");
    }
    assert_eq!(r.steps[5].fresh, vec![true, true]);
    assert_eq!(liquidated_at(&r, "btc_long"), vec![5], "liquidated when the oracle is back");
    // Insolvent by then (bad debt 11,000 below): its one position taken whole, in one call.
    assert_eq!(liquidations(&r, "btc_long"), 1);
    for other in ["btc_mm", "eth_trader", "eth_mm", "saver"] {
        assert_eq!(liquidations(&r, other), 0, "{other}");
    }
    let actions = &r.steps[3].actions;
    assert_eq!(actions.len(), 3);
    assert!(actions[0].ok && actions[0].action.starts_with("deposit 500 USD by saver"), "{:?}", actions[0]);
    assert!(
        actions[1].ok && actions[1].action.starts_with("eth_mm buys 1 ETH-PERP from eth_trader"),
        "{:?}",
        actions[1]
    );
    assert!(!actions[2].ok, "a trade touching the stale market is refused");
    // 120 s after the last BTC submission, past the oracle's 60 s window: the oracle keeps BTC's
    // last quorum value with its old stamp, so the engine names the market stale.
    assert_eq!(actions[2].error.as_deref(), Some("StalePrice(0)"));
    assert_eq!(r.summary.failed_actions, 1);
    assert_eq!(r.summary.bad_debt, 11_000 * USD);
    assert_eq!(r.summary.final_fund, 9_000 * USD);
    assert_eq!(r.summary.final_deficit, 0);
}

#[test]
fn sim_vol_spike_short_options_liquidated() {
    let r = simulate("vol_spike");
    assert_eq!(r.summary.failed_actions, 0);
    assert_eq!(liquidations(&r, "covered"), 0);
    assert_eq!(liquidations(&r, "buyer"), 0);
    let first = liquidated_at(&r, "writer")[0];
    assert!(first >= 4, "not liquidatable while vol <= 0.8 (loss ~1,030 vs ~2,300 of cushion): first at {first}");
    // First below maintenance at vol 1.2 (step 7, the header's estimate); each slice leaves the
    // writer at the end target, a buffer (~60 USD per remaining call) that absorbs one 0.1 step
    // (~34 per call) but not two: one slice every second step, 5 in all up to vol 2.0.
    assert_eq!(liquidated_at(&r, "writer"), vec![7, 9, 11, 13, 15]);
    assert_eq!(liquidations(&r, "writer"), 5, "one slice per liquidation step");
    // Solvent all along: penalties split between keeper and fund, nothing paid by the fund.
    assert_eq!(r.summary.bad_debt, 0);
    assert_eq!(r.summary.final_deficit, 0);
    assert_eq!(r.summary.fund_paid_incentives, 0);
    assert!(r.summary.penalties > 0);
    assert_eq!(r.summary.keeper_rewards + r.summary.fund_shares, r.summary.penalties);
    assert_eq!(r.summary.final_fund, 10_000 * USD + r.summary.fund_shares);
}

#[test]
fn sim_cascade_ci_exhausts_the_fund() {
    let r = simulate("cascade_ci");
    assert_eq!(r.summary.failed_actions, 0);
    assert_eq!(liquidations(&r, "mm"), 0);
    for i in 0..50 {
        let name = format!("retail-{i}");
        // Insolvent after the crash (below): one position taken whole, in one call.
        assert_eq!(liquidations(&r, &name), 1, "{name} liquidated once");
        assert!(r.summary.emptied_accounts.contains(&name), "{name} emptied");
        assert!(liquidated_at(&r, &name).iter().all(|&s| s >= 2), "{name}: not before the crash");
    }
    // 50 × (700 − 2,100) = −70,000 of bad debt against a 20,000 fund.
    assert_eq!(r.summary.bad_debt, 70_000 * USD);
    assert_eq!(r.summary.penalties, 0);
    assert_eq!(r.summary.final_fund, 0);
    assert_eq!(r.summary.final_deficit, 50_000 * USD);
    assert_eq!(r.summary.final_deficit, r.summary.bad_debt - r.summary.starting_fund);
}

#[test]
fn sim_random_walk_conserves() {
    let r = simulate("random_walk");
    assert_eq!(r.steps.len(), 41);
    let spots: Vec<u128> = r.steps.iter().map(|s| s.spots_e18[0]).collect();
    assert!(spots.windows(2).any(|w| w[0] != w[1]), "the walk moves");
}

#[test]
fn sim_random_walk_path_is_seeded() {
    let s = scenario("random_walk");
    let markets: Vec<MarketState> = [("BTC", 60_000u128, 65u128), ("ETH", 3_000, 80)]
        .iter()
        .map(|&(name, spot, vol)| MarketState {
            name: name.into(),
            spot_e18: spot * super::world::E18,
            vol_e18: vol * super::world::E18 / 100,
            oracle_spot_e18: 0,
            oracle_vol_e18: 0,
            oracle_ts_ms: 0,
            max_age_ms: 30_000,
        })
        .collect();
    let a = plan(&s, &markets).expect("plan");
    let b = plan(&s, &markets).expect("plan");
    assert_eq!(a.len(), 40);
    assert!(a.iter().zip(&b).all(|(x, y)| x.spots == y.spots && x.vols == y.vols), "same seed, same path");
    let mut other = s.clone();
    other.random_walk.as_mut().expect("walk").seed = 43;
    let c = plan(&other, &markets).expect("plan");
    assert!(a.iter().zip(&c).any(|(x, y)| x.spots != y.spots), "another seed, another path");
    // Irwin–Hall normals: mean ~0 and variance ~1 over many draws (18-decimal fixed point).
    let mut g = SplitMix64::new(7);
    let n = 20_000i128;
    let draws: Vec<i128> = (0..n).map(|_| g.normal_e18()).collect();
    let mean = draws.iter().sum::<i128>() / n;
    let var = draws.iter().map(|z| (z / 1_000_000_000) * (z / 1_000_000_000)).sum::<i128>() / n;
    assert!(mean.abs() < 30_000_000_000_000_000, "mean {mean}");
    assert!((var - 1_000_000_000_000_000_000).abs() < 50_000_000_000_000_000, "variance {var}");
}

/// The package's directory: cargo's run-time `CARGO_MANIFEST_DIR` (right even when the test
/// binary was built from a clone at another path and reused from a shared target directory),
/// else the one it was compiled in.
fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()))
}
