//! The demo (`scripts/demo.sh`): one story on the real Wasm in the drink sandbox, told on stdout
//! (run with `--nocapture`) and asserted, so it is also a test.
//!
//! Alice deposits BTC and USD, a market maker deposits USD, Alice goes leveraged long BTC with a
//! perpetual and sells a call; Bob goes long with little margin. BTC crashes 35%. Alice becomes
//! liquidatable but stays solvent: a keeper liquidates her in slices (collateral, then the perp,
//! halving a slice the engine refuses as too large) until she is back above maintenance. Bob is
//! insolvent: the keeper takes his whole position, the insurance fund covers what it can and the
//! rest becomes deficit, which holds quote withdrawals until the owner covers it. The story ends
//! with every account's standing, the fund, the deficit, the conservation check and the gas of
//! each message kind.

use engine::events::BadDebtRecognized;
use engine::types::{HealthView, LiquidationOutcome, LiquidationParams, LiquidationSlice, OptionType};
use engine::EngineError;
use margin_math::trading::option_mark_e18;
use margin_math::OptionKind;

use crate::conservation::{self, bits_str, units_str};
use crate::suite::*;
use crate::utils::{actor, Account};

/// One day, ms.
const DAY_MS: u64 = 86_400_000;
/// Ref_time of a 2 s block, ps.
const BLOCK_PS: f64 = 2e12;

/// `1234567.89` → `1,234,567.89` (sign kept).
fn grouped(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// `I80F48` bits as quote with 2 decimals and thousands separators.
fn usd_bits(bits: i128) -> String {
    grouped(&bits_str(bits, 2))
}

/// Quote base units (6 decimals) with 2 decimals.
fn usd(units: i128) -> String {
    grouped(&units_str(units, 6, 2))
}

/// An 18-decimal price or size with `places` decimals.
fn dec18(x: u128, places: u32) -> String {
    grouped(&units_str(x as i128, 18, places))
}

fn standing(h: &HealthView) -> String {
    format!(
        "E {:>12} | IM {:>11} | MM {:>11} | health {:>12}{}",
        usd_bits(h.equity_bits),
        usd_bits(h.initial_margin_bits),
        usd_bits(h.maintenance_margin_bits),
        usd_bits(h.health_bits),
        if h.liquidatable { "  LIQUIDATABLE" } else { "" }
    )
}

/// Gas of each message kind, in the order first seen.
#[derive(Default)]
struct Gas(Vec<(String, u64, u64)>);

impl Gas {
    fn record(&mut self, s: &Suite, what: &str) {
        let (ref_time, proof) = (s.chain.last_gas.ref_time(), s.chain.last_gas.proof_size());
        match self.0.iter_mut().find(|(w, _, _)| w == what) {
            Some(entry) => {
                entry.1 = entry.1.max(ref_time);
                entry.2 = entry.2.max(proof);
            }
            None => self.0.push((what.to_string(), ref_time, proof)),
        }
    }
}

fn health(s: &mut Suite, gas: &mut Gas, who: Account) -> HealthView {
    let view = s.health(who).expect("health computes");
    gas.record(s, "health (view)");
    view
}

fn submit(s: &mut Suite, gas: &mut Gas, prices: &[(u32, &str, &str)]) {
    s.set_prices(prices);
    gas.record(s, "oracle submit_batch (per reporter)");
}

#[test]
fn story() {
    let mut s = Suite::new();
    let mut gas = Gas::default();
    let (owner, quote, btc, engine) = (s.owner, s.quote, s.btc, s.engine);
    let alice = actor(10);
    let maker = actor(11);
    let bob = actor(12);
    let keeper = actor(20);
    let actors = [alice, maker, bob, keeper, s.fee_account, owner];
    let mut now = T0;

    println!();
    println!("== deltamargin sandbox story ==");
    println!("drink sandbox, the real Wasm of the oracle, engine and PSP22 tokens; block time 2026-01-01 00:00 UTC");
    println!("oracle (3 reporters, median): BTC 60,000 USD, vol 65% | ETH 3,000, vol 80% | IDX 1,000, vol 30%");
    println!("BTC market: maintenance shock 6% spot / 12 vol points, initial 10% / 20, short option add-on 1%");
    println!();

    // ------------------------------------------------------------------ 1. deposits
    println!("1. Deposits");
    s.mint(btc, alice, units("1", 24));
    s.deposit(alice, btc, units("1", 24)).expect("alice deposits BTC");
    gas.record(&s, "deposit (collateral)");
    s.mint(quote, alice, units("20000", 6));
    s.deposit(alice, quote, units("20000", 6)).expect("alice deposits USD");
    gas.record(&s, "deposit (quote)");
    println!("   alice deposits 1 BTC (PSP22 token, 24 decimals) and 20,000 USD");
    s.fund(maker, quote, units("2000000", 6));
    println!("   maker deposits 2,000,000 USD");
    s.fund(bob, quote, units("10000", 6));
    println!("   bob deposits 10,000 USD");
    s.fund(keeper, quote, units("1000000", 6));
    println!("   keeper deposits 1,000,000 USD (its margin, and what it pays for collateral it takes)");
    s.fund_insurance(owner, units("15000", 6)).expect("fund insurance");
    gas.record(&s, "fund_insurance");
    let params = LiquidationParams { insolvent_reward_cap: units("100", 6), ..LiquidationParams::DEFAULT };
    s.set_liquidation_params(params).expect("liquidation params");
    println!("   owner seeds the insurance fund with 15,000 USD (liquidation penalty 50% of the MM released,");
    println!("   half to the keeper, half to the fund; liquidation ends at MM + 50% of (IM - MM))");
    for who in [alice, maker, bob] {
        s.approve_venue(who);
    }
    let h = health(&mut s, &mut gas, alice);
    println!("   alice  {}", standing(&h));
    assert!(!h.liquidatable);
    println!();

    // ------------------------------------------------------------------ 2. trades
    println!("2. Trades through the venue (fee 0.05% a side)");
    let fee = E18 / 2000;
    let perp = s.perp[BTC as usize];
    s.trade(alice, maker, perp, e18("2.6"), e18("60000"), fee).expect("alice buys the perp");
    gas.record(&s, "apply_trade (perp)");
    println!("   alice buys 2.6 BTC-PERP from maker at 60,000");
    let expiry = T0 + 30 * DAY_MS;
    let call = s.list_option(BTC, OptionType::Call, "66000", expiry);
    let mark = option_mark_e18(OptionKind::Call, e18("60000"), e18("66000"), e18("0.65"), 0, now, expiry).unwrap();
    let call_price = mark / E18 * E18;
    s.trade(maker, alice, call, E18, call_price, fee).expect("alice sells the call");
    gas.record(&s, "apply_trade (option)");
    println!("   alice sells 1 BTC call 66,000 (30 days) to maker at {} (model price)", dec18(call_price, 2));
    s.trade(bob, maker, perp, e18("1.5"), e18("60000"), fee).expect("bob buys the perp");
    println!("   bob buys 1.5 BTC-PERP from maker at 60,000 (9x leverage on 10,000 USD)");
    let alice_before_crash = health(&mut s, &mut gas, alice);
    let bob_before_crash = health(&mut s, &mut gas, bob);
    let delta = alice_before_crash.underlyings[0].delta_bits;
    println!("   alice  {}  (net delta {} BTC)", standing(&alice_before_crash), bits_str(delta, 3));
    println!("   bob    {}", standing(&bob_before_crash));
    assert!(!alice_before_crash.liquidatable && !bob_before_crash.liquidatable);
    println!();

    // ------------------------------------------------------------------ 3. crash
    now += 5_000;
    s.chain.set_time(now);
    submit(&mut s, &mut gas, &[(BTC, "39000", "0.9"), (ETH, "3000", "0.8"), (IDX, "1000", "0.3")]);
    println!("3. Crash: the reporters submit BTC 39,000 USD (-35%), vol 90%");
    let alice_crashed = health(&mut s, &mut gas, alice);
    let bob_crashed = health(&mut s, &mut gas, bob);
    println!("   alice  {}", standing(&alice_crashed));
    println!("   bob    {}", standing(&bob_crashed));
    assert!(alice_crashed.liquidatable, "the crash makes alice liquidatable");
    assert!(alice_crashed.equity_bits > 0, "alice stays solvent");
    assert!(bob_crashed.equity_bits < 0, "bob is insolvent");
    println!();

    // ------------------------------------------------------------------ 4. keeper on alice
    println!("4. The keeper liquidates alice in slices");
    println!(
        "   {:<2} {:<16} {:>9} {:>10} {:>9} {:>9} {:>9} {:>11} {:>11}",
        "#", "slice", "quantity", "mark", "penalty", "keeper", "fund", "health bef.", "health aft."
    );
    let fund_before = s.insurance_fund();
    let mut slices = 0;
    let mut refusals = 0;
    // The keeper asks for the whole perp first and halves the slice whenever the engine refuses
    // it as too large (one lot less would already reach the liquidation-end target).
    let mut quantity = e18("2.6");
    let mut plan: Vec<(LiquidationSlice, u128, &str)> =
        vec![(LiquidationSlice::Collateral(btc), units("0.25", 24), "BTC collateral")];
    let mut rows = 0;
    loop {
        rows += 1;
        assert!(rows < 30, "the keeper loop ends");
        let (slice, q, name) = plan.pop().unwrap_or((LiquidationSlice::Position(perp), quantity, "BTC-PERP"));
        now += 1_000;
        s.chain.set_time(now);
        let before = health(&mut s, &mut gas, alice);
        if !before.liquidatable {
            println!("   alice's health is positive again: she is no longer liquidatable and the keeper stops");
            break;
        }
        match s.try_liquidate(keeper, alice, slice, q) {
            Ok(o) => {
                let kind = if matches!(slice, LiquidationSlice::Collateral(_)) { "collateral" } else { "position" };
                gas.record(&s, &format!("liquidate ({kind} slice)"));
                slices += 1;
                let shown = if matches!(slice, LiquidationSlice::Collateral(_)) {
                    units_str(q as i128, 24, 3)
                } else {
                    dec18(q, 3)
                };
                println!(
                    "   {:<2} {:<16} {:>9} {:>10} {:>9} {:>9} {:>9} {:>11} {:>11}",
                    slices,
                    name,
                    shown,
                    dec18(o.price_e18, 0),
                    usd(o.penalty as i128),
                    usd(o.liquidator_reward as i128),
                    usd(o.fund_share as i128),
                    usd_bits(o.health_before_bits),
                    usd_bits(o.health_after_bits)
                );
                assert!(o.health_after_bits > o.health_before_bits, "each slice raises health");
                assert_eq!(o.penalty, o.liquidator_reward + o.fund_share);
                assert_eq!(o.bad_debt, 0);
            }
            Err(EngineError::LiquidationTooLarge) => {
                println!(
                    "      {name} x {}: refused, LiquidationTooLarge (one lot less already reaches the end target)",
                    dec18(q, 3)
                );
                refusals += 1;
                quantity = (q / 2 / LOT * LOT).max(LOT);
            }
            Err(e) => panic!("unexpected liquidation error {e:?}"),
        }
    }
    let alice_after = health(&mut s, &mut gas, alice);
    let end_target = alice_after.maintenance_margin_bits
        + (alice_after.initial_margin_bits - alice_after.maintenance_margin_bits) / 2;
    println!("   alice  {}", standing(&alice_after));
    println!(
        "   {} slices, {} refused as too large; equity {} vs MM {} (a single slice may go up to the end target \
         MM + 50% (IM - MM) = {})",
        slices,
        refusals,
        usd_bits(alice_after.equity_bits),
        usd_bits(alice_after.maintenance_margin_bits),
        usd_bits(end_target)
    );
    assert!(slices >= 2 && refusals >= 1 && !alice_after.liquidatable);
    let fund_from_alice = s.insurance_fund() - fund_before;
    println!("   insurance fund received {} USD of penalties", usd(fund_from_alice as i128));
    assert!(fund_from_alice > 0);
    println!();

    // ------------------------------------------------------------------ 5. bob: bad debt
    println!("5. Bob is insolvent: the keeper takes his whole position");
    let (fund0, deficit0) = (s.insurance_fund(), s.deficit());
    s.chain.clear_events();
    let o: LiquidationOutcome = s.liquidate(keeper, bob, LiquidationSlice::Position(perp), e18("1.5"));
    gas.record(&s, "liquidate (insolvent, last item)");
    let events = s.chain.events::<BadDebtRecognized>(engine);
    assert_eq!(events.len(), 1);
    let (fund1, deficit1) = (s.insurance_fund(), s.deficit());
    println!(
        "   1.5 BTC-PERP at {}: bad debt {} USD; insurance fund {} -> {} (covers {}), deficit {} -> {}",
        dec18(o.price_e18, 0),
        usd(o.bad_debt as i128),
        usd(fund0 as i128),
        usd(fund1 as i128),
        usd(events[0].fund_cover as i128),
        usd(deficit0 as i128),
        usd(deficit1 as i128)
    );
    println!(
        "   keeper's incentive from the fund: {} USD (capped at 100 USD and at what the fund has left)",
        usd(o.liquidator_reward as i128)
    );
    assert!(o.bad_debt > 0 && o.penalty == 0);
    assert_eq!(events[0].bad_debt, o.bad_debt);
    assert_eq!(events[0].fund_cover + events[0].deficit_increase, o.bad_debt);
    assert_eq!(fund1, 0, "the fund is exhausted");
    assert!(deficit1 > 0, "the rest is deficit");
    assert_eq!(s.account(bob).map(|a| a.cash), Some(0), "bob's debt is written off");

    let withdraw = |s: &mut Suite, who: Account, amount: u128| -> Result<(), EngineError> {
        s.chain.call(who, s.engine, "withdraw", (s.quote, amount))
    };
    let refused = withdraw(&mut s, maker, units("100000", 6));
    println!("   maker withdraws 100,000 USD: {:?}", refused.clone().unwrap_err());
    assert_eq!(refused, Err(EngineError::DeficitOutstanding));
    s.cover_deficit(deficit1).expect("cover deficit");
    gas.record(&s, "admin(cover_deficit)");
    println!("   owner covers the deficit of {} USD", usd(deficit1 as i128));
    withdraw(&mut s, maker, units("100000", 6)).expect("withdrawal resumes");
    gas.record(&s, "withdraw (quote)");
    println!("   maker withdraws 100,000 USD: ok");
    println!();

    // ------------------------------------------------------------------ 6. summary
    println!("6. Summary at BTC 39,000");
    println!("   {:<8} {:>14} {:>12} {:>12} {:>14}  liquidatable", "account", "equity", "IM", "MM", "health");
    for (name, who) in [("alice", alice), ("bob", bob), ("maker", maker), ("keeper", keeper)] {
        let h = health(&mut s, &mut gas, who);
        println!(
            "   {:<8} {:>14} {:>12} {:>12} {:>14}  {}",
            name,
            usd_bits(h.equity_bits),
            usd_bits(h.initial_margin_bits),
            usd_bits(h.maintenance_margin_bits),
            usd_bits(h.health_bits),
            if h.liquidatable { "yes" } else { "no" }
        );
        assert!(!h.liquidatable, "{name} is not liquidatable at the end");
    }
    let (fund, deficit) = (s.insurance_fund(), s.deficit());
    println!("   insurance fund {} USD, deficit {} USD", usd(fund as i128), usd(deficit as i128));
    let report = conservation::check(&mut s, &actors, 100).expect("conservation holds");
    let held = s.balance(quote, engine);
    println!(
        "   conservation: passed (engine holds {} USD; rounding dust kept: {} base units; positions net to zero)",
        usd(held as i128),
        report.quote_surplus.0
    );
    println!();
    println!("   gas per message kind (largest seen; ref_time as share of a 2 s block)");
    println!("   {:<36} {:>14} {:>8} {:>12}", "message", "ref_time ps", "block", "proof bytes");
    for (what, ref_time, proof) in &gas.0 {
        println!(
            "   {:<36} {:>14} {:>7.3}% {:>12}",
            what,
            grouped(&ref_time.to_string()),
            *ref_time as f64 / BLOCK_PS * 100.0,
            grouped(&proof.to_string())
        );
    }
    println!("== end of story ==");
}
