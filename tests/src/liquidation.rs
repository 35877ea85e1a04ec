//! Liquidation (`docs/contracts.md`) on the real Wasm: who may be liquidated and by whom, what a
//! slice may be, the health-improvement rule, the penalty (paid for requirement released, capped at
//! the target's equity), the close factor (the end target within one lot), the liquidator's own
//! margin, stale markets, pauses and the grace period, collateral paid for with quote tokens,
//! insolvency (fund first, then deficit, fund-paid capped incentive), the deficit gate on quote
//! withdrawals, `fund_insurance`, `cover_deficit` and `set_liquidation_params`. Every rejection is
//! checked with the full state before and after; every multi-step test ends with the conservation
//! check. Expected numbers come from `margin-math` on the engine's own health views or are worked
//! out by hand in the comments.

use deltamargin_interfaces::{FeedError, FeedValue, PSP22Error};
use engine::events::{BadDebtRecognized, DeficitCovered, InsuranceFunded, Liquidated, LiquidationParamsChanged};
use engine::types::{
    HealthView, InstrumentId, LiquidationOutcome, LiquidationParams, LiquidationSlice, OptionType, PauseFlags,
};
use engine::{EngineError, Side};

use margin_math::liquidation::{collateral_value_units, penalty_units, share_units, Standing};
use margin_math::trading::option_mark_e18;
use margin_math::units::units_to_value_floor;
use margin_math::{OptionKind, Value};

pub(crate) use crate::state::assert_rejected;
use crate::suite::*;
use crate::utils::{actor, Account};

/// One day, ms.
pub(crate) const DAY_MS: u64 = 86_400_000;

/// Quote rounding dust the engine may keep at the end of a test (base units): every rounding
/// of a transfer favours the protocol by less than one base unit.
pub(crate) const MAX_DUST: u128 = 50;

/// [`assert_rejected`] for `liquidate(target, slice, quantity)` called by `liquidator`.
pub(crate) fn assert_liquidation_rejected(
    s: &mut Suite,
    actors: &[Account],
    liquidator: Account,
    (target, slice, quantity): (Account, LiquidationSlice, u128),
    expected: EngineError,
) {
    assert_rejected::<LiquidationOutcome>(s, actors, liquidator, "liquidate", (target, slice, quantity), expected);
}

/// Actor `n` with `usd` quote deposited and the suite's venue approved.
pub(crate) fn trader(s: &mut Suite, n: u8, usd: &str) -> Account {
    let who = actor(n);
    if usd != "0" {
        s.fund(who, s.quote, units(usd, 6));
    }
    s.approve_venue(who);
    who
}

/// Conservation (`conservation::check`: collateral, quote with pending settlements and
/// linear unrealized P&L, positions netting to zero, open interest, health computing) with at
/// most `MAX_DUST` base units of rounding surplus.
pub(crate) fn conserved(s: &mut Suite, actors: &[Account]) {
    if let Err(e) = crate::conservation::check(s, actors, MAX_DUST) {
        panic!("conservation: {e}");
    }
}

/// Quote cash of `who` (0 without an account).
pub(crate) fn cash(s: &mut Suite, who: Account) -> i128 {
    s.account(who).map_or(0, |a| a.cash)
}

/// Signed size of `who`'s position in `instrument` (0 if none).
pub(crate) fn size(s: &mut Suite, who: Account, instrument: InstrumentId) -> i128 {
    let data = s.account(who).unwrap_or_default();
    data.positions.iter().find(|p| p.instrument == instrument).map_or(0, |p| p.size_e18)
}

/// Collateral balance of `who` in `asset` (base units).
pub(crate) fn collateral(s: &mut Suite, who: Account, asset: Account) -> u128 {
    let data = s.account(who).unwrap_or_default();
    data.collateral.iter().find(|c| c.asset == asset).map_or(0, |c| c.amount)
}

/// The health view of `who` (fresh prices required).
pub(crate) fn health(s: &mut Suite, who: Account) -> HealthView {
    s.health(who).unwrap_or_else(|e| panic!("health of {who:?}: {e:?}"))
}

/// E, MR(im), MR(mm) of a health view as `margin-math` sees them.
pub(crate) fn standing(view: &HealthView) -> Standing {
    Standing {
        equity: Value::from_bits(view.equity_bits),
        initial_margin: Value::from_bits(view.initial_margin_bits),
        maintenance_margin: Value::from_bits(view.maintenance_margin_bits),
    }
}

/// The nominal penalty (quote base units) of a liquidation that took the target from `before`
/// to `after`, at the suite's default rate 0.5.
pub(crate) fn nominal_penalty(before: &HealthView, after: &HealthView, rate_e18: u128) -> u128 {
    let (mm0, mm1) =
        (Value::from_bits(before.maintenance_margin_bits), Value::from_bits(after.maintenance_margin_bits));
    penalty_units(mm0, mm1, rate_e18, 6).expect("penalty")
}

/// `floor(cash)` in quote whole units as fixed-point bits: how equity counts cash.
fn cash_bits(units: i128) -> i128 {
    units_to_value_floor(units, 6).expect("cash").to_bits()
}

/// Sets every market's prices at `ms` (BTC and ETH as given, IDX unchanged at 1,000).
pub(crate) fn move_to(s: &mut Suite, ms: u64, btc: &str, eth: &str) {
    s.chain.set_time(ms);
    s.set_prices(&[(BTC, btc, "0.65"), (ETH, eth, "0.8"), (IDX, "1000", "0.3")]);
}

/// A (10) with `usd` quote, long `size` BTC perp bought at 60,000 from H (11, 1,000,000 USD);
/// then BTC moves to `btc` at `T0 + 1 s`. Returns (A, H).
fn long_btc(s: &mut Suite, usd: &str, size_e18: u128, btc: &str) -> (Account, Account) {
    let (a, h) = (trader(s, 10, usd), trader(s, 11, "1000000"));
    s.trade(a, h, s.perp[BTC as usize], size_e18, e18("60000"), 0).expect("open long");
    move_to(s, T0 + 1_000, btc, "3000");
    (a, h)
}

/// 1 BTC long at 60,000 with 6,100 USD, then BTC at 53,000: equity 6,100 − 7,000 = −900 USD.
fn insolvent_long(s: &mut Suite) -> (Account, Account) {
    long_btc(s, "6100", E18, "53000")
}

// ---------------------------------------------------------------------------------- who and what

#[test]
fn healthy_account_cannot_be_liquidated() {
    let mut s = Suite::new();
    // Long 1 BTC at 60,000 with 10,000 USD: health = 10,000 + (S − 60,000) − 0.06·S, zero at
    // S = 50,000 / 0.94 = 53,191.49.
    let (a, h) = long_btc(&mut s, "10000", E18, "53192");
    let l = trader(&mut s, 12, "1000000");
    let perp = s.perp[BTC as usize];
    let actors = [a, h, l];
    let view = health(&mut s, a);
    assert!(!view.liquidatable && view.health_bits > 0, "{view:?}");
    // 0.48 USD of health left.
    assert!(view.health_bits < (1 << 48), "{view:?}");
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (a, LiquidationSlice::Position(perp), LOT),
        EngineError::NotLiquidatable,
    );
    // The liquidator's side of the rules: no account, or no quantity.
    let (nobody, stranger) = (actor(40), actor(41));
    assert_liquidation_rejected(
        &mut s,
        &actors,
        nobody,
        (a, LiquidationSlice::Position(perp), LOT),
        EngineError::NoAccount,
    );
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (stranger, LiquidationSlice::Position(perp), LOT),
        EngineError::NoAccount,
    );
    assert_liquidation_rejected(&mut s, &actors, l, (a, LiquidationSlice::Position(perp), 0), EngineError::ZeroAmount);
    // The counterparty (short, in profit) is healthy as well.
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (h, LiquidationSlice::Position(perp), LOT),
        EngineError::NotLiquidatable,
    );

    // One dollar lower the account is liquidatable (health −0.46), and one lot goes.
    move_to(&mut s, T0 + 2_000, "53191", "3000");
    let view = health(&mut s, a);
    assert!(view.liquidatable && view.health_bits < 0 && view.health_bits > -(1 << 48), "{view:?}");
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(perp), LOT);
    assert_eq!(outcome.health_before_bits, view.health_bits);
    assert_eq!(size(&mut s, a, perp), (E18 - LOT) as i128);
    assert_eq!(size(&mut s, l, perp), LOT as i128);
    conserved(&mut s, &actors);
}

#[test]
fn self_liquidation_is_rejected() {
    let mut s = Suite::new();
    let (a, h) = long_btc(&mut s, "7000", E18, "53500");
    assert!(health(&mut s, a).liquidatable);
    let perp = s.perp[BTC as usize];
    let actors = [a, h];
    for quantity in [LOT, E18] {
        assert_liquidation_rejected(
            &mut s,
            &actors,
            a,
            (a, LiquidationSlice::Position(perp), quantity),
            EngineError::SelfLiquidation,
        );
    }
    // Checked before anything else: even a healthy account cannot name itself.
    assert_liquidation_rejected(
        &mut s,
        &actors,
        h,
        (h, LiquidationSlice::Position(perp), LOT),
        EngineError::SelfLiquidation,
    );
}

#[test]
fn invalid_slices_are_rejected() {
    let mut s = Suite::new();
    let (a, h, l) = (trader(&mut s, 10, "2000"), trader(&mut s, 11, "1000000"), trader(&mut s, 12, "1000000"));
    let (btc, eth, idx, quote) = (s.btc, s.eth, s.idx, s.quote);
    // 1 ETH and one wei, 0.1 BTC, 2,000 USD; long 1 BTC perp at 60,000: E 11,000, IM 6,900.
    s.fund(a, eth, E18 + 1);
    s.fund(a, btc, units("0.1", 24));
    let perp = s.perp[BTC as usize];
    s.trade(a, h, perp, E18, e18("60000"), 0).expect("open");
    // BTC at 52,000: E = 11,000 − 800 − 8,000 = 2,200 < MM = 1.1·52,000·0.06 + 180 = 3,612.
    move_to(&mut s, T0 + 1_000, "52000", "3000");
    assert!(health(&mut s, a).liquidatable);
    s.mint(quote, l, units("100000", 6));
    s.approve_engine(l, quote, units("100000", 6));
    let actors = [a, h, l];
    let btc_step = 10u128.pow(21); // one lot (0.001) of a 24-decimal token
    let eth_step = 10u128.pow(15);
    let cases = [
        // More than the holding.
        (LiquidationSlice::Position(perp), E18 + LOT),
        // Not whole lots (and not the whole holding).
        (LiquidationSlice::Position(perp), LOT + 1),
        (LiquidationSlice::Position(perp), E18 - 1),
        // A position the target does not hold, and an unlisted instrument.
        (LiquidationSlice::Position(s.perp[ETH as usize]), LOT),
        (LiquidationSlice::Position(99), LOT),
        // Collateral: more than held, not whole lots, a remainder below one lot (the dust wei).
        (LiquidationSlice::Collateral(eth), E18 + 2),
        (LiquidationSlice::Collateral(eth), eth_step + 1),
        (LiquidationSlice::Collateral(eth), E18),
        (LiquidationSlice::Collateral(btc), btc_step + 5),
        (LiquidationSlice::Collateral(btc), units("0.1", 24) - btc_step / 2),
        // An asset the target does not hold, and the quote asset itself.
        (LiquidationSlice::Collateral(idx), 1),
        (LiquidationSlice::Collateral(quote), units("1", 6)),
    ];
    for (slice, quantity) in cases {
        assert_liquidation_rejected(&mut s, &actors, l, (a, slice, quantity), EngineError::InvalidSlice);
    }
    // The whole holding may be taken although it is not whole lots: 1 ETH + 1 wei at 3,000 costs
    // ceil(3,000.000000000000003) = 3,000.000001 USD.
    let (wallet, l_cash) = (s.balance(quote, l), cash(&mut s, l));
    let outcome = s.liquidate(l, a, LiquidationSlice::Collateral(eth), E18 + 1);
    assert_eq!(outcome.payment, units("3000", 6) + 1);
    assert_eq!(cash(&mut s, l), l_cash - outcome.payment as i128 + outcome.liquidator_reward as i128);
    assert_eq!(s.balance(quote, l), wallet, "no token moves");
    assert_eq!(collateral(&mut s, a, eth), 0);
    assert_eq!(collateral(&mut s, l, eth), E18 + 1);
    // Whole lots of BTC collateral pass.
    s.liquidate(l, a, LiquidationSlice::Collateral(btc), btc_step);
    assert_eq!(collateral(&mut s, a, btc), units("0.1", 24) - btc_step);
    conserved(&mut s, &actors);
}

// ---------------------------------------------------------------------------------- health improves

#[test]
fn taking_a_hedge_leg_that_raises_risk_is_rejected() {
    let mut s = Suite::new();
    let (a, h, l) = (trader(&mut s, 10, "0"), trader(&mut s, 11, "1000000"), trader(&mut s, 12, "1000000"));
    let (btc, quote) = (s.btc, s.quote);
    let (btc_perp, eth_perp) = (s.perp[BTC as usize], s.perp[ETH as usize]);
    // 1 BTC collateral hedged by a short BTC perp (Δ_BTC = 0, no BTC requirement), and an
    // unhedged long of 100 ETH (IM 30,000 against E 60,000).
    s.fund(a, btc, units("1", 24));
    s.trade(h, a, btc_perp, E18, e18("60000"), 0).expect("hedge");
    s.trade(a, h, eth_perp, 100 * E18, e18("3000"), 0).expect("ETH long");
    // ETH at 2,450: E = 60,000 − 55,000 = 5,000 < MM = 100·2,450·0.06 = 14,700.
    move_to(&mut s, T0 + 1_000, "60000", "2450");
    let before = health(&mut s, a);
    assert!(before.liquidatable);
    assert_eq!(before.underlyings[0].maintenance_margin_bits, 0, "the BTC hedge carries no requirement");
    s.mint(quote, l, units("100000", 6));
    s.approve_engine(l, quote, units("100000", 6));
    let actors = [a, h, l];
    // Taking part of the short perp (or of the collateral) unhedges BTC: MR(mm) rises by
    // 0.1·60,000·0.06 = 360, no penalty is due, and health falls.
    for slice in [LiquidationSlice::Position(btc_perp), LiquidationSlice::Collateral(btc)] {
        let quantity = if slice == LiquidationSlice::Position(btc_perp) { E18 / 10 } else { units("0.1", 24) };
        assert_liquidation_rejected(&mut s, &actors, l, (a, slice, quantity), EngineError::HealthNotImproved);
    }
    // The whole hedge leg too.
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (a, LiquidationSlice::Position(btc_perp), E18),
        EngineError::HealthNotImproved,
    );
    // The risky ETH leg is what may go: 10 ETH release 1,470 of MR(mm), the penalty is 735.
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(eth_perp), 10 * E18);
    let after = health(&mut s, a);
    assert!(after.health_bits > before.health_bits);
    assert_eq!(outcome.health_after_bits, after.health_bits);
    assert_eq!(outcome.penalty, nominal_penalty(&before, &after, E18 / 2));
    assert!(outcome.penalty.abs_diff(units("735", 6)) <= 1, "{outcome:?}");
    conserved(&mut s, &actors);
}

#[test]
fn penalty_never_turns_equity_negative() {
    let mut s = Suite::new();
    // Long 1 BTC at 60,000 with 7,000 USD; BTC at 53,500: E = 500, MR(mm) = 3,210, health −2,710.
    let (a, h) = long_btc(&mut s, "7000", E18, "53500");
    let l = trader(&mut s, 12, "1000000");
    let perp = s.perp[BTC as usize];
    let before = health(&mut s, a);
    assert_eq!(before.equity_bits, 500 << 48);
    let (fund0, l_cash0) = (s.insurance_fund(), cash(&mut s, l));
    s.chain.clear_events();
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(perp), E18);
    // Nominal penalty: half of the 3,210 released = 1,605 USD; capped at the equity less one
    // ulp, floored: 499.999999 USD.
    let after = health(&mut s, a);
    assert!(nominal_penalty(&before, &after, E18 / 2) > units("1604", 6));
    assert_eq!(outcome.penalty, units("500", 6) - 1);
    assert_eq!(outcome.liquidator_reward, share_units(outcome.penalty, E18 / 2).unwrap());
    assert_eq!(outcome.liquidator_reward, 249_999_999);
    assert_eq!(outcome.fund_share, 250_000_000);
    assert_eq!((outcome.payment, outcome.bad_debt), (0, 0));
    assert_eq!(outcome.price_e18, e18("53500"));
    // The target keeps one base unit: its equity is not negative.
    assert_eq!(cash(&mut s, a), 1);
    assert!(after.equity_bits >= 0 && !after.liquidatable);
    assert_eq!(outcome.health_after_bits, after.health_bits);
    assert_eq!(s.insurance_fund(), fund0 + 250_000_000);
    assert_eq!(cash(&mut s, l), l_cash0 + 249_999_999);
    let events = s.chain.events::<Liquidated>(s.engine);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (e.target, e.liquidator, e.slice, e.quantity, e.outcome),
        (a, l, LiquidationSlice::Position(perp), E18, outcome)
    );
    conserved(&mut s, &[a, h, l]);
}

// ---------------------------------------------------------------------------------- close factor

/// Long 10 BTC at 60,000 with 61,000 USD, BTC at 57,000: E = 31,000, MR(mm) = 34,200,
/// MR(im) = 57,000. After taking q: E = 31,000 − 1,710·q (penalty half of 0.06·57,000·q), end
/// target (10 − q)·57,000·0.08: reached from q = 14,600 / 2,850 = 5.1228.
fn close_factor_scenario() -> (Suite, Account, Account, Account) {
    let mut s = Suite::new();
    let (a, h) = long_btc(&mut s, "61000", 10 * E18, "57000");
    let l = trader(&mut s, 12, "1000000");
    (s, a, h, l)
}

#[test]
fn close_factor_stops_within_one_lot_of_the_end_target() {
    let buffer = LiquidationParams::DEFAULT.end_buffer_e18;
    let (mut s, a, h, l) = close_factor_scenario();
    let perp = s.perp[BTC as usize];
    let actors = [a, h, l];
    assert!(health(&mut s, a).liquidatable);
    // One lot beyond the smallest quantity that reaches the target, and everything: too large.
    for quantity in [e18("5.124"), e18("6"), 10 * E18] {
        assert_liquidation_rejected(
            &mut s,
            &actors,
            l,
            (a, LiquidationSlice::Position(perp), quantity),
            EngineError::LiquidationTooLarge,
        );
    }
    // 5.123 reaches it and is allowed: 5.122 would not have reached it.
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(perp), e18("5.123"));
    let after = health(&mut s, a);
    assert_eq!(outcome.health_after_bits, after.health_bits);
    assert!(standing(&after).reached_end(buffer).unwrap(), "{after:?}");
    assert!(!after.liquidatable);
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (a, LiquidationSlice::Position(perp), LOT),
        EngineError::NotLiquidatable,
    );
    conserved(&mut s, &actors);

    // The same account liquidated by one lot less stops short of the target.
    let (mut s, a, _, l) = close_factor_scenario();
    s.liquidate(l, a, LiquidationSlice::Position(perp), e18("5.122"));
    let short = health(&mut s, a);
    assert!(!standing(&short).reached_end(buffer).unwrap(), "{short:?}");
    let gap = standing(&short).end_target(buffer).unwrap() - standing(&short).equity;
    // 2,850·0.0008 ≈ 2.3 USD short of the target.
    assert!(gap > Value::from_num(2) && gap < Value::from_num(3), "{gap}");
    // Below the target but above MR(mm): liquidation is over.
    assert!(!short.liquidatable);
    // Small quantities are never too large: a still-liquidatable account may lose one lot at a
    // time (here the original account, from a fresh scenario).
    let (mut s, a, _, l) = close_factor_scenario();
    s.liquidate(l, a, LiquidationSlice::Position(perp), LOT);
    assert_eq!(size(&mut s, a, perp), (10 * E18 - LOT) as i128);
}

#[test]
fn liquidator_below_initial_margin_is_rejected() {
    let mut s = Suite::new();
    let (a, h) = long_btc(&mut s, "7000", E18, "53500");
    let poor = trader(&mut s, 12, "100");
    let perp = s.perp[BTC as usize];
    let actors = [a, h, poor];
    // Taking the whole long needs IM 5,350 against 100 USD (plus a 250 reward).
    assert_liquidation_rejected(
        &mut s,
        &actors,
        poor,
        (a, LiquidationSlice::Position(perp), E18),
        EngineError::LiquidatorMargin,
    );
    assert_liquidation_rejected(
        &mut s,
        &actors,
        poor,
        (a, LiquidationSlice::Position(perp), e18("0.1")),
        EngineError::LiquidatorMargin,
    );
    // A slice its margin carries passes (0.01 BTC: IM 53.5).
    s.liquidate(poor, a, LiquidationSlice::Position(perp), e18("0.01"));
    let view = health(&mut s, poor);
    assert!(view.equity_bits >= view.initial_margin_bits);
    conserved(&mut s, &actors);
}

// ---------------------------------------------------------------------------------- insolvency

#[test]
fn sybil_self_liquidation_through_a_second_account_yields_no_profit() {
    let mut s = Suite::new();
    let cap = units("100", 6);
    let insurer = actor(13);
    s.fund_insurance(insurer, units("10000", 6)).expect("fund");
    let params = LiquidationParams { insolvent_reward_cap: cap, ..LiquidationParams::DEFAULT };
    s.set_liquidation_params(params).expect("params");
    // The attacker's account A (10) loses 6,100 deposited against the honest H (11); its second
    // account B (12) liquidates A.
    let (a, h) = insolvent_long(&mut s);
    let b = trader(&mut s, 12, "100000");
    let deposited = units("6100", 6) + units("100000", 6);
    let b_before = health(&mut s, b);
    let a_before = health(&mut s, a);
    assert!(a_before.equity_bits < 0);
    let outcome = s.liquidate(b, a, LiquidationSlice::Position(s.perp[BTC as usize]), E18);
    // No penalty from an insolvent target; the fund pays B at most the cap.
    assert_eq!((outcome.penalty, outcome.fund_share), (0, 0));
    assert_eq!(outcome.liquidator_reward, cap);
    assert_eq!(outcome.bad_debt, units("900", 6));
    let (a_after, b_after) = (health(&mut s, a), health(&mut s, b));
    let b_gain = b_after.equity_bits - b_before.equity_bits;
    assert!(b_gain <= cash_bits(cap as i128), "B gained {b_gain} bits, more than the cap");
    assert_eq!(b_gain, cash_bits(units("100100", 6) as i128) - cash_bits(units("100000", 6) as i128));
    // Together A and B hold less than the attacker deposited: it lost 6,000 of 6,100.
    let total = a_after.equity_bits + b_after.equity_bits;
    assert_eq!(a_after.equity_bits, 0);
    assert!(total < cash_bits(deposited as i128));
    assert_eq!(total, cash_bits(units("100100", 6) as i128));
    // The fund paid the bad debt and the capped reward.
    assert_eq!(s.insurance_fund(), units("10000", 6) - units("900", 6) - cap);
    conserved(&mut s, &[a, h, b, insurer]);
}

#[test]
fn dust_collateral_cannot_block_bad_debt_recognition() {
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "6100"), trader(&mut s, 11, "1000000"));
    let (eth, quote) = (s.eth, s.quote);
    // One wei of ETH left in the account would keep it from being empty.
    s.fund(a, eth, 1);
    let perp = s.perp[BTC as usize];
    s.trade(a, h, perp, E18, e18("60000"), 0).expect("open");
    move_to(&mut s, T0 + 1_000, "53000", "3000");
    let l = trader(&mut s, 12, "1000000");
    s.mint(quote, l, 10);
    s.approve_engine(l, quote, 10);
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(perp), E18);
    assert_eq!(outcome.bad_debt, 0, "the wei is still there");
    assert_eq!(cash(&mut s, a), -(units("900", 6) as i128));
    assert!(health(&mut s, a).liquidatable);
    // The wei is a whole holding: it may be taken (paid ceil(3e-15 USD) = 1 base unit), and the
    // emptied account's debt is recognized at once.
    s.chain.clear_events();
    let outcome = s.liquidate(l, a, LiquidationSlice::Collateral(eth), 1);
    assert_eq!(outcome.payment, 1);
    assert_eq!(outcome.bad_debt, units("900", 6) - 1);
    let events = s.chain.events::<BadDebtRecognized>(s.engine);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (e.account, e.bad_debt, e.fund_cover, e.deficit_increase),
        (a, units("900", 6) - 1, 0, units("900", 6) - 1)
    );
    assert_eq!(s.deficit(), units("900", 6) - 1);
    let data = s.account(a).expect("account");
    assert!(data.is_empty(), "{data:?}");
    assert_eq!(collateral(&mut s, l, eth), 1);
    conserved(&mut s, &[a, h, l]);
}

#[test]
fn insolvency_drains_the_fund_then_records_deficit_once() {
    let mut s = Suite::new();
    let insurer = actor(13);
    s.fund_insurance(insurer, units("400", 6)).expect("fund");
    let params = LiquidationParams { insolvent_reward_cap: units("50", 6), ..LiquidationParams::DEFAULT };
    s.set_liquidation_params(params).expect("params");
    let (a, h) = insolvent_long(&mut s);
    let l = trader(&mut s, 12, "1000000");
    let perp = s.perp[BTC as usize];
    let l_cash = cash(&mut s, l);
    s.chain.clear_events();
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(perp), E18);
    // 900 of bad debt: the fund's 400 first, 500 to the deficit; nothing is left for a reward.
    assert_eq!(
        outcome,
        LiquidationOutcome {
            price_e18: e18("53000"),
            health_before_bits: outcome.health_before_bits,
            health_after_bits: outcome.health_after_bits,
            equity_before_bits: outcome.equity_before_bits,
            equity_after_bits: outcome.equity_after_bits,
            penalty: 0,
            liquidator_reward: 0,
            fund_share: 0,
            payment: 0,
            bad_debt: units("900", 6),
        }
    );
    // The health after the slice is taken before the write-off: E = −900, MR = 0.
    assert_eq!(outcome.health_after_bits, -(900 << 48));
    let events = s.chain.events::<BadDebtRecognized>(s.engine);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (e.account, e.bad_debt, e.fund_cover, e.deficit_increase),
        (a, units("900", 6), units("400", 6), units("500", 6))
    );
    assert_eq!(s.chain.events::<Liquidated>(s.engine).len(), 1);
    assert_eq!((s.insurance_fund(), s.deficit()), (0, units("500", 6)));
    assert_eq!(s.account(a).expect("A"), Default::default());
    assert_eq!(cash(&mut s, l), l_cash);
    // Recognized once: the empty account offers nothing more, and the deficit stays.
    let actors = [a, h, l, insurer];
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (a, LiquidationSlice::Position(perp), LOT),
        EngineError::InvalidSlice,
    );
    // A second insolvency with the fund empty goes to the deficit whole.
    let b = trader(&mut s, 14, "1000");
    s.trade(b, h, perp, e18("0.1"), e18("53000"), 0).expect("B long");
    move_to(&mut s, T0 + 2_000, "40000", "3000");
    s.chain.clear_events();
    let outcome = s.liquidate(l, b, LiquidationSlice::Position(perp), e18("0.1"));
    // 1,000 − 0.1·13,000 = −300.
    assert_eq!(outcome.bad_debt, units("300", 6));
    let events = s.chain.events::<BadDebtRecognized>(s.engine);
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].fund_cover, events[0].deficit_increase), (0, units("300", 6)));
    assert_eq!((s.insurance_fund(), s.deficit()), (0, units("800", 6)));
    // New insurance money pays the deficit down at once; the rest stays in the fund.
    s.fund_insurance(insurer, units("1000", 6)).expect("fund again");
    assert_eq!((s.insurance_fund(), s.deficit()), (units("200", 6), 0));
    conserved(&mut s, &[a, b, h, l, insurer]);
}

#[test]
fn insolvent_target_pays_no_penalty_and_the_fund_paid_reward_is_capped() {
    let mut s = Suite::new();
    let insurer = actor(13);
    s.fund_insurance(insurer, units("10000", 6)).expect("fund");
    let cap = units("100", 6);
    let params = LiquidationParams { insolvent_reward_cap: cap, ..LiquidationParams::DEFAULT };
    s.set_liquidation_params(params).expect("params");
    let (a, h) = insolvent_long(&mut s);
    let l = trader(&mut s, 12, "1000000");
    let perp = s.perp[BTC as usize];
    let l_cash = cash(&mut s, l);
    // Half the position: A realizes −3,500 and pays no penalty; its share of the nominal penalty
    // (about 0.25·0.5·3,180 = 397.5) is capped at 100 and paid by the fund.
    let before = health(&mut s, a);
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(perp), E18 / 2);
    let after = health(&mut s, a);
    let share = share_units(nominal_penalty(&before, &after, E18 / 2), E18 / 2).unwrap();
    assert!(share > cap, "{share}");
    assert_eq!((outcome.penalty, outcome.fund_share, outcome.liquidator_reward), (0, 0, cap));
    assert_eq!(cash(&mut s, a), (units("6100", 6) - units("3500", 6)) as i128);
    assert_eq!(after.equity_bits, before.equity_bits, "no penalty: E stays at −900");
    assert_eq!(outcome.health_after_bits, after.health_bits);
    assert_eq!(cash(&mut s, l), l_cash + cap as i128);
    assert_eq!(s.insurance_fund(), units("10000", 6) - cap);
    // A cap above the share pays the share exactly, after the fund covered the bad debt.
    let params = LiquidationParams { insolvent_reward_cap: units("1000000", 6), ..params };
    s.set_liquidation_params(params).expect("params");
    let before = after;
    let fund = s.insurance_fund();
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(perp), E18 / 2);
    let after = health(&mut s, a);
    let share = share_units(nominal_penalty(&before, &after, E18 / 2), E18 / 2).unwrap();
    assert!(share > units("390", 6) && share < units("400", 6), "{share}");
    assert_eq!((outcome.penalty, outcome.fund_share, outcome.liquidator_reward), (0, 0, share));
    assert_eq!(outcome.bad_debt, units("900", 6));
    assert_eq!(s.insurance_fund(), fund - units("900", 6) - share);
    assert_eq!(cash(&mut s, l), l_cash + (cap + share) as i128);
    conserved(&mut s, &[a, h, l, insurer]);
}

#[test]
fn deficit_gates_quote_withdrawals_until_the_owner_covers_it() {
    let mut s = Suite::new();
    let (a, h) = insolvent_long(&mut s);
    let l = trader(&mut s, 12, "1000000");
    let (quote, eth, owner, mallory) = (s.quote, s.eth, s.owner, actor(40));
    s.fund(h, eth, E18);
    s.liquidate(l, a, LiquidationSlice::Position(s.perp[BTC as usize]), E18);
    assert_eq!(s.deficit(), units("900", 6));
    let actors = [a, h, l, owner, mallory];
    assert_rejected::<()>(&mut s, &actors, h, "withdraw", (quote, units("1", 6)), EngineError::DeficitOutstanding);
    assert_rejected::<()>(&mut s, &actors, l, "withdraw", (quote, 1u128), EngineError::DeficitOutstanding);
    // Collateral withdrawals are not gated.
    let res: Result<(), EngineError> = s.chain.call(h, s.engine, "withdraw", (eth, E18));
    assert_eq!(res, Ok(()));
    // Only the owner covers, and at most the deficit.
    s.mint(quote, mallory, units("900", 6));
    s.approve_engine(mallory, quote, units("900", 6));
    assert_rejected::<()>(&mut s, &actors, mallory, "cover_deficit", units("900", 6), EngineError::NotOwner);
    s.mint(quote, owner, units("2000", 6));
    s.approve_engine(owner, quote, units("2000", 6));
    assert_rejected::<()>(&mut s, &actors, owner, "cover_deficit", units("900", 6) + 1, EngineError::ExceedsDeficit);
    assert_rejected::<()>(&mut s, &actors, owner, "cover_deficit", 0u128, EngineError::ZeroAmount);
    // A partial cover leaves the gate closed.
    let engine_quote = s.balance(quote, s.engine);
    s.chain.clear_events();
    let res: Result<(), EngineError> = s.chain.call(owner, s.engine, "cover_deficit", units("400", 6));
    assert_eq!(res, Ok(()));
    let events = s.chain.events::<DeficitCovered>(s.engine);
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].amount, events[0].deficit), (units("400", 6), units("500", 6)));
    assert_eq!(s.deficit(), units("500", 6));
    assert_rejected::<()>(&mut s, &actors, h, "withdraw", (quote, units("1", 6)), EngineError::DeficitOutstanding);
    assert_rejected::<()>(&mut s, &actors, owner, "cover_deficit", units("500", 6) + 1, EngineError::ExceedsDeficit);
    let res: Result<(), EngineError> = s.chain.call(owner, s.engine, "cover_deficit", units("500", 6));
    assert_eq!(res, Ok(()));
    assert_eq!(s.deficit(), 0);
    assert_eq!(s.balance(quote, s.engine), engine_quote + units("900", 6));
    assert_eq!(s.balance(quote, owner), units("1100", 6));
    // The gate is open again.
    let h_wallet = s.balance(quote, h);
    let res: Result<(), EngineError> = s.chain.call(h, s.engine, "withdraw", (quote, units("1000", 6)));
    assert_eq!(res, Ok(()));
    assert_eq!(s.balance(quote, h), h_wallet + units("1000", 6));
    // With no deficit there is nothing to cover.
    assert_rejected::<()>(&mut s, &actors, owner, "cover_deficit", 1u128, EngineError::ExceedsDeficit);
    conserved(&mut s, &actors);
}

#[test]
fn fund_insurance_moves_tokens() {
    let mut s = Suite::new();
    let (quote, engine) = (s.quote, s.engine);
    let (donor, poor) = (actor(13), actor(14));
    let amount = units("1234.567891", 6);
    s.mint(quote, donor, amount + 7);
    s.mint(quote, poor, 5);
    let actors = [donor, poor];
    // Without an allowance, beyond the wallet, or nothing: rejected.
    assert_rejected::<()>(
        &mut s,
        &actors,
        donor,
        "fund_insurance",
        amount,
        EngineError::TokenError(PSP22Error::InsufficientAllowance),
    );
    s.approve_engine(poor, quote, 10);
    assert_rejected::<()>(
        &mut s,
        &actors,
        poor,
        "fund_insurance",
        10u128,
        EngineError::TokenError(PSP22Error::InsufficientBalance),
    );
    assert_rejected::<()>(&mut s, &actors, donor, "fund_insurance", 0u128, EngineError::ZeroAmount);
    s.approve_engine(donor, quote, amount);
    s.chain.clear_events();
    let res: Result<(), EngineError> = s.chain.call(donor, engine, "fund_insurance", amount);
    assert_eq!(res, Ok(()));
    assert_eq!(s.insurance_fund(), amount);
    assert_eq!(s.balance(quote, donor), 7);
    assert_eq!(s.balance(quote, engine), amount);
    let events = s.chain.events::<InsuranceFunded>(engine);
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].from, events[0].amount), (donor, amount));
    // Funding creates no margin account.
    assert_eq!(s.account(donor), None);
    // Anyone may fund; the helper mints, approves and funds.
    s.fund_insurance(poor, 3).expect("fund 3");
    assert_eq!(s.insurance_fund(), amount + 3);
    conserved(&mut s, &actors);
}

// ---------------------------------------------------------------------------------- rounding

#[test]
fn repeated_one_lot_liquidations_pay_the_liquidator_nothing_beyond_its_rewards() {
    let mut s = Suite::new();
    let (a, h, l) = (trader(&mut s, 10, "9200"), trader(&mut s, 11, "1000000"), trader(&mut s, 12, "1000000"));
    let expiry = T0 + 30 * DAY_MS;
    let call = s.list_option(BTC, OptionType::Call, "60000", expiry);
    let eth_perp = s.perp[ETH as usize];
    // A sells a 30-day at-the-money call at its model price (≈ 4,454; IM ≈ 5,714) and buys
    // 10 ETH (IM 3,000).
    let mark = option_mark_e18(OptionKind::Call, e18("60000"), e18("60000"), e18("0.65"), 0, T0, expiry).unwrap();
    s.trade(h, a, call, E18, mark, 0).expect("sell the call");
    s.trade(a, h, eth_perp, 10 * E18, e18("3000"), 0).expect("buy ETH");
    // BTC 64,000, ETH 2,800: E ≈ 9,200 − 2,421 − 2,000 = 4,779 < MR(mm) ≈ 4,146 + 1,680.
    move_to(&mut s, T0 + 1_000, "64000", "2800");
    let l0 = health(&mut s, l);
    let l_cash0 = cash(&mut s, l);
    let mut rewards: u128 = 0;
    let mut view = health(&mut s, a);
    assert!(view.liquidatable, "{view:?}");
    for slice in [LiquidationSlice::Position(call), LiquidationSlice::Position(eth_perp)] {
        for _ in 0..10 {
            let outcome = s.liquidate(l, a, slice, LOT);
            let after = health(&mut s, a);
            // The outcome reports exactly the health the views show before and after.
            assert_eq!(outcome.health_before_bits, view.health_bits);
            assert_eq!(outcome.health_after_bits, after.health_bits);
            assert!(after.health_bits > view.health_bits);
            assert_eq!(outcome.penalty, nominal_penalty(&view, &after, E18 / 2));
            assert_eq!(outcome.liquidator_reward, share_units(outcome.penalty, E18 / 2).unwrap());
            rewards += outcome.liquidator_reward;
            view = after;
        }
    }
    assert!(rewards > 0);
    assert_eq!(size(&mut s, l, call), -((10 * LOT) as i128));
    assert_eq!(size(&mut s, l, eth_perp), (10 * LOT) as i128);
    // The liquidator's equity at the mark gained no more than its rewards: the premiums it
    // received (rounded down) are worth at most the short calls it took (valued up).
    let l1 = health(&mut s, l);
    let gain = l1.equity_bits - l0.equity_bits;
    let paid = cash_bits(l_cash0 + rewards as i128) - cash_bits(l_cash0);
    assert!(gain <= paid, "liquidator gained {gain} bits at the mark, rewards were {paid}");
    // ... and not much less either (a few base units of rounding over 20 fills).
    assert!(paid - gain < cash_bits(20), "gain {gain}, rewards {paid}");
    conserved(&mut s, &[a, h, l]);
}

// ---------------------------------------------------------------------------------- options

#[test]
fn covered_short_straddle_ten_minutes_before_expiry_is_not_liquidatable() {
    let mut s = Suite::new();
    let (a, h, l) = (trader(&mut s, 10, "60000"), trader(&mut s, 11, "1000000"), trader(&mut s, 12, "1000000"));
    s.fund(a, s.btc, units("1", 24));
    let expiry = T0 + DAY_MS;
    let call = s.list_option(BTC, OptionType::Call, "60000", expiry);
    let put = s.list_option(BTC, OptionType::Put, "60000", expiry);
    // The call covered by 1 BTC, the put by 60,000 USD cash.
    for (instrument, kind) in [(call, OptionKind::Call), (put, OptionKind::Put)] {
        let mark = option_mark_e18(kind, e18("60000"), e18("60000"), e18("0.65"), 0, T0, expiry).unwrap();
        s.trade(h, a, instrument, E18, mark, 0).expect("sell");
    }
    let actors = [a, h, l];
    for (before_ms, spot) in [(600_000, "60000"), (600_000, "56000"), (600_000, "64000"), (60_000, "60000.01")] {
        move_to(&mut s, expiry - before_ms, spot, "3000");
        let view = health(&mut s, a);
        assert!(!view.liquidatable && view.health_bits > 0, "{spot} {before_ms} ms before expiry: {view:?}");
        // Gamma near expiry costs at most the covered book's worst payoff move on the grid:
        // 2·S·h_mm + add-on 2·0.01·S (slope 2 below the strike), plus the vol shock's little.
        let s_whole = spot.split('.').next().unwrap().parse::<i128>().unwrap();
        let bound = (2 * s_whole * 6 / 100 + 2 * s_whole / 100 + 200) << 48;
        assert!(view.maintenance_margin_bits < bound, "{spot}: {view:?}");
        for slice in [LiquidationSlice::Position(call), LiquidationSlice::Position(put)] {
            assert_liquidation_rejected(&mut s, &actors, l, (a, slice, LOT), EngineError::NotLiquidatable);
        }
    }
}

// ---------------------------------------------------------------------------------- staleness, pauses

/// Account `a` (10) long 1 BTC-PERP and 10 ETH-PERP from `h` (11) on 10,000 USD, liquidatable at
/// BTC 56,000 / ETH 2,800 (set at T0 + 1 s); `l` (12) is the liquidator. Returns the suite, the
/// three accounts and the two perps.
fn long_btc_and_eth_below_maintenance() -> (Suite, [Account; 3], u32, u32) {
    let mut s = Suite::new();
    let (a, h, l) = (trader(&mut s, 10, "10000"), trader(&mut s, 11, "1000000"), trader(&mut s, 12, "1000000"));
    let (btc_perp, eth_perp) = (s.perp[BTC as usize], s.perp[ETH as usize]);
    s.trade(a, h, btc_perp, E18, e18("60000"), 0).expect("BTC long");
    s.trade(a, h, eth_perp, 10 * E18, e18("3000"), 0).expect("ETH long");
    // BTC 56,000, ETH 2,800: E = 10,000 − 4,000 − 2,000 = 4,000 < MR(mm) = 3,360 + 1,680.
    move_to(&mut s, T0 + 1_000, "56000", "2800");
    assert!(health(&mut s, a).liquidatable);
    (s, [a, h, l], btc_perp, eth_perp)
}

#[test]
fn stale_slice_market_is_rejected_while_another_stale_market_does_not_block() {
    let (mut s, [a, h, l], btc_perp, eth_perp) = long_btc_and_eth_below_maintenance();
    // 40 s later only BTC is refreshed: ETH is older than the 30 s max age (still within the
    // oracle's 60 s window, so it has a value).
    s.chain.set_time(T0 + 41_000);
    s.set_prices(&[(BTC, "56000", "0.65")]);
    assert_eq!(s.health(a), Err(EngineError::StalePrice(ETH)));
    let actors = [a, h, l];
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (a, LiquidationSlice::Position(eth_perp), LOT),
        EngineError::StalePrice(ETH),
    );
    // The fresh BTC market is sliced, ETH counting at its last price.
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(btc_perp), e18("0.1"));
    assert!(outcome.health_after_bits > outcome.health_before_bits);
    assert!(outcome.health_before_bits < 0);
    assert_eq!(outcome.price_e18, e18("56000"));
    assert_eq!(size(&mut s, a, btc_perp), e18("0.9") as i128);
    // A stale BTC market blocks its own slices in turn.
    s.chain.set_time(T0 + 42_000);
    s.set_prices(&[(ETH, "2800", "0.8")]);
    s.chain.set_time(T0 + 72_000);
    s.set_prices(&[(ETH, "2800", "0.8")]);
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (a, LiquidationSlice::Position(btc_perp), LOT),
        EngineError::StalePrice(BTC),
    );
    move_to(&mut s, T0 + 73_000, "56000", "2800");
    conserved(&mut s, &actors);
}

#[test]
fn liquidations_paused_or_within_the_grace_period_are_rejected() {
    let mut s = Suite::new();
    let (a, h) = long_btc(&mut s, "7000", E18, "53500");
    let l = trader(&mut s, 12, "1000000");
    let perp = s.perp[BTC as usize];
    let actors = [a, h, l];
    s.set_grace_period(600_000).expect("grace");
    s.set_paused(PauseFlags { liquidations: true, ..PauseFlags::default() }).expect("pause");
    assert_liquidation_rejected(&mut s, &actors, l, (a, LiquidationSlice::Position(perp), LOT), EngineError::Paused);
    // Pausing new risk or withdrawals does not stop liquidations; unpausing liquidations starts
    // the grace period.
    move_to(&mut s, T0 + 2_000, "53500", "3000");
    let others = PauseFlags { new_risk: true, withdrawals: true, liquidations: false };
    s.set_paused(others).expect("unpause liquidations");
    let resume: u64 =
        s.chain.call::<engine::types::EngineConfig>(s.owner, s.engine, "config", ()).liquidations_resume_at_ms;
    assert_eq!(resume, T0 + 602_000);
    move_to(&mut s, T0 + 601_999, "53500", "3000");
    assert_liquidation_rejected(&mut s, &actors, l, (a, LiquidationSlice::Position(perp), LOT), EngineError::Paused);
    move_to(&mut s, T0 + 602_000, "53500", "3000");
    s.liquidate(l, a, LiquidationSlice::Position(perp), LOT);
    assert_eq!(size(&mut s, l, perp), LOT as i128);
    // Pausing again stops them at once.
    s.set_paused(PauseFlags { liquidations: true, ..others }).expect("pause again");
    assert_liquidation_rejected(&mut s, &actors, l, (a, LiquidationSlice::Position(perp), LOT), EngineError::Paused);
    conserved(&mut s, &actors);
}

// ---------------------------------------------------------------------------------- collateral

#[test]
fn collateral_slice_is_paid_from_the_liquidators_margin_cash() {
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "0"), trader(&mut s, 11, "1000000"));
    let l = trader(&mut s, 12, "10000");
    let (btc, quote, engine) = (s.btc, s.quote, s.engine);
    // 1 BTC collateral and a long of 100 ETH.
    s.fund(a, btc, units("1", 24));
    s.trade(a, h, s.perp[ETH as usize], 100 * E18, e18("3000"), 0).expect("ETH long");
    let price = e18("60000.123456789012345678");
    s.chain.set_time(T0 + 1_000);
    s.set_prices(&[(BTC, "60000.123456789012345678", "0.65"), (ETH, "2450", "0.8")]);
    let before = health(&mut s, a);
    assert!(before.liquidatable);
    let quantity = 123 * 10u128.pow(21); // 0.123 BTC, 123 lots
                                         // ceil(0.123 · 60,000.123456789012345678 · 10^6) base units, worked out in integers.
    let exact = 123 * price; // · 10^6 / (10^3 · 10^18)
    let payment = exact / 10u128.pow(15) + u128::from(exact % 10u128.pow(15) != 0);
    assert_eq!(payment, 7_380_015_186);
    assert_eq!(collateral_value_units(quantity, 24, price, 6, true), Ok(payment));
    let actors = [a, h, l];
    let slice = LiquidationSlice::Collateral(btc);
    // The payment comes from the margin account, not the wallet: l's 10,000 USD of cash pay the
    // 7,380 and it needs no tokens, no allowance.
    assert_eq!(s.balance(quote, l), 0);
    let (engine_quote, engine_btc) = (s.balance(quote, engine), s.balance(btc, engine));
    let (a_cash, l_cash, fund) = (cash(&mut s, a), cash(&mut s, l), s.insurance_fund());
    let btc_total = s.state(&[]).assets[1].expect("btc").total_deposits;
    let outcome = s.liquidate(l, a, slice, quantity);
    let after = health(&mut s, a);
    assert_eq!(outcome.payment, payment);
    assert_eq!(outcome.price_e18, price);
    assert_eq!(outcome.penalty, nominal_penalty(&before, &after, E18 / 2));
    // 0.5 · 0.123 · 60,000.12 · 0.06 ≈ 221.4 USD.
    assert!(outcome.penalty.abs_diff(221_400_455) <= 2, "{outcome:?}");
    assert_eq!(outcome.liquidator_reward, share_units(outcome.penalty, E18 / 2).unwrap());
    assert_eq!(outcome.fund_share, outcome.penalty - outcome.liquidator_reward);
    // Tokens: nothing moved; the engine holds the same quote and BTC.
    assert_eq!(s.balance(quote, l), 0);
    assert_eq!(s.balance(quote, engine), engine_quote);
    assert_eq!(s.balance(btc, engine), engine_btc);
    assert_eq!(s.state(&[]).assets[1].expect("btc").total_deposits, btc_total);
    // Accounts: the BTC moved, the payment went from l's cash to a's, the penalty split.
    assert_eq!(collateral(&mut s, a, btc), units("1", 24) - quantity);
    assert_eq!(collateral(&mut s, l, btc), quantity);
    assert_eq!(cash(&mut s, a), a_cash + payment as i128 - outcome.penalty as i128);
    assert_eq!(cash(&mut s, l), l_cash - payment as i128 + outcome.liquidator_reward as i128);
    assert_eq!(s.insurance_fund(), fund + outcome.fund_share);
    assert_eq!(outcome.health_after_bits, after.health_bits);
    conserved(&mut s, &actors);
}

#[test]
fn collateral_slice_the_liquidator_cannot_carry_is_refused() {
    // l has 500 USD of cash: paying 7,380 for 0.123 BTC leaves it E = 500 (the BTC at the
    // mark, cash −6,880) against MR(im) = 0.123 · 60,000 · 10% = 738: refused, nothing moves.
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "0"), trader(&mut s, 11, "1000000"));
    let l = trader(&mut s, 12, "500");
    let btc = s.btc;
    s.fund(a, btc, units("1", 24));
    s.trade(a, h, s.perp[ETH as usize], 100 * E18, e18("3000"), 0).expect("ETH long");
    s.chain.set_time(T0 + 1_000);
    s.set_prices(&[(BTC, "60000", "0.65"), (ETH, "2450", "0.8")]);
    assert!(health(&mut s, a).liquidatable);
    let actors = [a, h, l];
    let slice = LiquidationSlice::Collateral(btc);
    assert_liquidation_rejected(&mut s, &actors, l, (a, slice, units("0.123", 24)), EngineError::LiquidatorMargin);
    // A slice it can carry passes: 0.001 BTC costs 60 USD.
    let outcome = s.liquidate(l, a, slice, units("0.001", 24));
    assert_eq!(outcome.payment, units("60", 6));
    conserved(&mut s, &actors);
}

// ---------------------------------------------------------------------------------- admin

#[test]
fn liquidation_params_out_of_bounds_are_rejected() {
    let mut s = Suite::new();
    let (owner, mallory) = (s.owner, actor(40));
    let base = LiquidationParams::DEFAULT;
    assert_eq!(s.liquidation_params(), base);
    let one = E18;
    assert_rejected::<()>(&mut s, &[mallory], mallory, "set_liquidation_params", base, EngineError::NotOwner);
    // Fractions above 1 (bounds are checked before steps).
    for params in [
        LiquidationParams { penalty_rate_e18: one + 1, ..base },
        LiquidationParams { liquidator_share_e18: one + 1, ..base },
        LiquidationParams { end_buffer_e18: one + 1, ..base },
        LiquidationParams { liquidator_share_e18: u128::MAX, ..base },
    ] {
        assert_rejected::<()>(
            &mut s,
            &[],
            owner,
            "set_liquidation_params",
            params,
            EngineError::InvalidLiquidationParams,
        );
    }
    // Rate and b move at most a factor of 2 per update.
    for params in [
        LiquidationParams { penalty_rate_e18: one / 4 - 1, ..base },
        LiquidationParams { end_buffer_e18: one / 4 - 1, ..base },
    ] {
        assert_rejected::<()>(&mut s, &[], owner, "set_liquidation_params", params, EngineError::StepTooLarge);
    }
    // At the limits, and the share and the reward cap move freely.
    let next = LiquidationParams {
        penalty_rate_e18: one,
        liquidator_share_e18: 0,
        end_buffer_e18: one / 4,
        insolvent_reward_cap: u128::MAX,
    };
    s.chain.clear_events();
    s.set_liquidation_params(next).expect("at the limits");
    assert_eq!(s.liquidation_params(), next);
    let events = s.chain.events::<LiquidationParamsChanged>(s.engine);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].params, next);
    // Steps count from the current values: b 0.25 → 0.5 + 1 wei is too far, 0.5 is fine.
    let too_far = LiquidationParams { end_buffer_e18: one / 2 + 1, ..next };
    assert_rejected::<()>(&mut s, &[], owner, "set_liquidation_params", too_far, EngineError::StepTooLarge);
    let back = LiquidationParams { end_buffer_e18: one / 2, liquidator_share_e18: one, ..next };
    s.set_liquidation_params(back).expect("back");
    assert_eq!(s.liquidation_params(), back);
}

#[test]
fn market_whose_oracle_lost_quorum_does_not_block_slices_elsewhere() {
    let (mut s, [a, h, l], btc_perp, eth_perp) = long_btc_and_eth_below_maintenance();
    // 70 s after ETH's last submissions: beyond the oracle's 60 s window its reporters no longer
    // make a quorum. The oracle keeps ETH's last quorum value (stamped T0 + 1 s), so ETH is a
    // stale market valued at its last price, not a missing one.
    s.chain.set_time(T0 + 71_000);
    s.set_prices(&[(BTC, "56000", "0.65")]);
    let eth_price: Result<FeedValue, FeedError> =
        s.chain.call(s.owner, s.oracle, "PriceOracle::read", market_config(ETH).price_feed);
    assert_eq!(eth_price, Ok(FeedValue { value_e18: e18("2800"), ts_ms: T0 + 1_000, window_ms: WINDOW_MS }));
    let actors = [a, h, l];
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (a, LiquidationSlice::Position(eth_perp), LOT),
        EngineError::StalePrice(ETH),
    );
    // The fresh BTC market is sliced.
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(btc_perp), e18("0.1"));
    assert!(outcome.health_before_bits < 0 && outcome.health_after_bits > outcome.health_before_bits);
    assert_eq!(size(&mut s, a, btc_perp), e18("0.9") as i128);
    assert_eq!(size(&mut s, a, eth_perp), 10 * e18("1") as i128);
}

#[test]
fn stale_market_of_the_liquidator_is_named_in_the_error() {
    let mut s = Suite::new();
    let (a, h, l) = (trader(&mut s, 10, "7000"), trader(&mut s, 11, "1000000"), trader(&mut s, 12, "1000000"));
    let (btc_perp, eth_perp) = (s.perp[BTC as usize], s.perp[ETH as usize]);
    // At 56,000: E = 7,000 − 4,000 = 3,000 < MR(mm) = 3,360.
    s.trade(a, h, btc_perp, E18, e18("60000"), 0).expect("BTC long");
    // The liquidator holds ETH; only its ETH market goes stale.
    s.trade(l, h, eth_perp, E18, e18("3000"), 0).expect("liquidator's ETH");
    move_to(&mut s, T0 + 1_000, "56000", "3000");
    assert!(health(&mut s, a).liquidatable);
    s.chain.set_time(T0 + 41_000);
    s.set_prices(&[(BTC, "56000", "0.65")]);
    let actors = [a, h, l];
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (a, LiquidationSlice::Position(btc_perp), LOT),
        EngineError::StalePrice(ETH),
    );
}

#[test]
fn insolvent_account_cannot_close_its_last_position_by_trade() {
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "6100"), trader(&mut s, 11, "1000000"));
    let btc_perp = s.perp[BTC as usize];
    s.trade(a, h, btc_perp, E18, e18("60000"), 0).expect("BTC long");
    // At 53,000 the account's equity is 6,100 − 7,000 = −900.
    move_to(&mut s, T0 + 1_000, "53000", "3000");
    assert!(health(&mut s, a).equity_bits < 0);
    // Selling the last position through a venue would leave cash −900 and nothing to liquidate.
    let venue = s.venue;
    let args = (h, a, btc_perp, E18, e18("53000"), 0u128);
    assert_rejected::<()>(&mut s, &[a, h], venue, "apply_trade", args, EngineError::TradeMargin(Side::Seller));
    // A liquidation takes it and recognizes the bad debt.
    let outcome = s.liquidate(h, a, LiquidationSlice::Position(btc_perp), E18);
    assert_eq!(outcome.bad_debt, units("900", 6));
    assert_eq!(s.deficit(), units("900", 6));
    conserved(&mut s, &[a, h]);
}
