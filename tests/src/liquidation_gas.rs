//! Gas of `liquidate` (`scripts/gas-report.sh`): a position slice, a collateral slice and the
//! insolvent path (fund-paid incentive; bad debt on the last item) against a target holding 1, 8
//! and 32 positions (the position ladder of the gas report: half options, up to 8 underlyings).
//! Budget (README "Performance"): ≤ 1% of a 2 s block; this test measures, it does not assert the
//! budget.

use engine::types::{LiquidationParams, LiquidationSlice};
use engine::EngineError;
use margin_math::trading::option_mark_e18;

use crate::gas_report::{ladder, ok, Report};
use crate::suite::*;
use crate::utils::{actor, Account};

const SPOTS: [&str; 8] = ["60000", "3000", "1000", "100", "100", "100", "100", "100"];
const VOLS: [&str; 8] = ["0.65", "0.8", "0.3", "0.5", "0.5", "0.5", "0.5", "0.5"];

/// All eight markets at `factor` (per mille) of their starting spot.
fn prices_at(s: &mut Suite, factor_permille: u128) {
    let spots: Vec<String> = SPOTS
        .iter()
        .map(|x| {
            let v = e18(x) / 1000 * factor_permille;
            format!("{}.{:018}", v / E18, v % E18)
        })
        .collect();
    let items: Vec<(u32, &str, &str)> = (0..8u32).map(|u| (u, spots[u as usize].as_str(), VOLS[u as usize])).collect();
    s.set_prices(&items);
}

fn bits_to_quote(bits: i128) -> f64 {
    bits as f64 / 2f64.powi(48)
}

/// A suite where `user` holds the first `n` ladder positions (for `n = 1`: the BTC linear one) and 0.01 BTC of collateral, with
/// equity just above its initial margin; `liquidator` has 10M quote and approved the engine.
fn target_with(n: usize) -> (Suite, Account, Account, Vec<u32>) {
    let mut s = Suite::with_markets(8);
    let (user, other, liquidator) = (actor(20), actor(21), actor(22));
    s.chain.set_time(T0 + 1_000);
    prices_at(&mut s, 1000);
    s.fund(user, s.quote, units("10000000", 6));
    let btc = s.btc;
    s.fund(user, btc, units("0.01", 24));
    s.fund(other, s.quote, units("100000000", 6));
    s.fund(liquidator, s.quote, units("10000000", 6));
    s.mint(s.quote, liquidator, units("10000000", 6));
    s.approve_engine(liquidator, s.quote, units("10000000", 6));
    s.approve_venue(user);
    s.approve_venue(other);
    let mut linears = Vec::new();
    // One position: the BTC linear contract (rung 1), so the target can become insolvent.
    let rungs: Vec<_> = ladder(&mut s).into_iter().enumerate().collect();
    let rungs = if n == 1 { rungs[1..2].to_vec() } else { rungs[..n].to_vec() };
    for (k, (instrument, u, option)) in rungs {
        let (spot, vol) = (e18(SPOTS[u as usize]), e18(VOLS[u as usize]));
        let price = match option {
            Some((kind, strike, expiry)) => {
                ok(option_mark_e18(kind, spot, strike, vol, 0, s.chain.now(), expiry), "mark")
            }
            None => {
                linears.push(instrument);
                spot
            }
        };
        let user_buys = option.is_none() || (k / 2) % 2 == 0;
        let (buyer, seller) = if user_buys { (user, other) } else { (other, user) };
        ok(s.trade(buyer, seller, instrument, E18, price, 0), "ladder trade");
    }
    // Withdraw quote down to 1% above the initial margin.
    let h = ok(s.health(user), "health");
    let free = bits_to_quote(h.equity_bits) - 1.01 * bits_to_quote(h.initial_margin_bits);
    let amount = (free * 1e6) as u128;
    let r: Result<(), EngineError> = s.chain.call(user, s.engine, "withdraw", (s.quote, amount));
    ok(r, "withdraw to just above IM");
    (s, user, liquidator, linears)
}

/// The BTC linear instrument (id 0 in the suite, the target is long 1 contract) or, with one
/// position only, that position.
fn slice_position(linears: &[u32]) -> LiquidationSlice {
    LiquidationSlice::Position(linears.first().copied().unwrap_or(0))
}

#[test]
fn liquidation_gas_report() {
    let mut report = Report { rows: Vec::new() };
    for n in [1usize, 8, 32] {
        let options = n / 2;
        let underlyings = n.div_ceil(2).min(8);
        let case = |what: &str| format!("{what}; target {n} positions ({options} options), {underlyings} underlyings");

        // Solvent target: a 10% fall takes it below maintenance with positive equity.
        let (mut s, user, liquidator, linears) = target_with(n);
        prices_at(&mut s, 900);
        let h = ok(s.health(user), "health");
        assert!(h.liquidatable && h.equity_bits > 0, "n = {n}: not a solvent liquidatable target: {h:?}");
        let o = s.liquidate(liquidator, user, slice_position(&linears), LOT);
        assert!(o.penalty > 0 && o.health_after_bits > o.health_before_bits);
        report.record(&s.chain, "liquidate", &case("position slice (1 lot, linear)"));
        let btc = s.btc;
        let o = s.liquidate(liquidator, user, LiquidationSlice::Collateral(btc), units("0.001", 24));
        assert!(o.payment > 0);
        report.record(&s.chain, "liquidate", &case("collateral slice (0.001 BTC, paid from the liquidator's cash)"));

        // Insolvent target: a 40% fall leaves negative equity; the fund pays a capped incentive.
        let (mut s, user, liquidator, linears) = target_with(n);
        let r = s.fund_insurance(actor(23), units("100000", 6));
        ok(r, "fund insurance");
        let params = LiquidationParams { insolvent_reward_cap: units("10", 6), ..LiquidationParams::DEFAULT };
        ok(s.set_liquidation_params(params), "params");
        prices_at(&mut s, 600);
        let h = ok(s.health(user), "health");
        assert!(h.equity_bits < 0, "n = {n}: target is not insolvent: {h:?}");
        let o = s.liquidate(liquidator, user, slice_position(&linears), LOT);
        assert!(o.penalty == 0 && o.liquidator_reward > 0);
        report.record(&s.chain, "liquidate", &case("insolvent, position slice (fund-paid incentive)"));
        if n == 1 {
            // Take the collateral, then the last item: bad debt recognized in the same call.
            let o = s.liquidate(liquidator, user, LiquidationSlice::Collateral(btc), units("0.01", 24));
            assert_eq!(o.bad_debt, 0);
            let held = s.account(user).expect("account").positions[0].size_e18.unsigned_abs();
            let o = s.liquidate(liquidator, user, slice_position(&linears), held);
            assert!(o.bad_debt > 0);
            report.record(&s.chain, "liquidate", &case("insolvent, last item: bad debt recognized"));
        }
    }
    let out =
        format!("## Gas of liquidate (drink sandbox, release Wasm; budget ≤ 1% of a 2 s block)\n\n{}", report.render());
    if let Ok(path) = std::env::var("LIQUIDATION_GAS_OUT") {
        std::fs::write(&path, &out).expect("write liquidation gas report");
    }
    println!("{out}");
}
