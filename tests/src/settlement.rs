//! Option settlement (`docs/contracts.md`) on the real Wasm: the price of (underlying, expiry) is
//! pinned once, from the oracle's record of the first value a quorum of submissions stamped from
//! the expiry's minute on supported — whoever pins, whenever — and every holder
//! settles at it — on demand (`settle`, by anyone) or lazily (withdrawals, trades, liquidations) —
//! whatever the order and however the oracle moves afterwards. Expired options no longer trade;
//! until pinned they are valued at intrinsic on the grid around spot and can be liquidated at that
//! price; once pinned a liquidation settles them first; a settlement that empties an account in
//! debt recognizes the bad debt. Rejections are checked with the full state before and after.

use engine::events::{BadDebtRecognized, Liquidated, PositionSettled, SettlementPinned};
use engine::types::{InstrumentId, LiquidationOutcome, LiquidationSlice, OptionType};
use engine::EngineError;
use margin_math::liquidation::{intrinsic_e18, settlement_cash_units};
use margin_math::trading::option_mark_e18;
use margin_math::OptionKind;

use crate::liquidation::{
    assert_liquidation_rejected, assert_rejected, cash, collateral, conserved, health, move_to, size, trader, DAY_MS,
};
use crate::suite::*;
use crate::utils::{actor, Account};

/// One hour, ms: the options here expire at `T0 + HOUR_MS`.
const HOUR_MS: u64 = 3_600_000;
const EXPIRY: u64 = T0 + HOUR_MS;

/// Lists a one-hour BTC option and has `seller` sell `size_e18` of it to `buyer` at its model
/// price at `T0` (BTC 60,000 / 65%).
fn sell_option(
    s: &mut Suite,
    (buyer, seller): (Account, Account),
    instrument: InstrumentId,
    kind: OptionKind,
    strike: &str,
    size_e18: u128,
) {
    let mark = option_mark_e18(kind, e18("60000"), e18(strike), e18("0.65"), 0, T0, EXPIRY).expect("mark");
    s.trade(buyer, seller, instrument, size_e18, mark, 0).expect("option trade");
}

/// Every reporter submits BTC (and ETH) at exactly `ms`, the block time.
fn prices_at(s: &mut Suite, ms: u64, btc: &str) {
    move_to(s, ms, btc, "3000");
}

/// Cash owed to (+) or by (−) a holder of `size_e18` of a call/put struck at `strike` when
/// `price` is pinned: `margin-math`'s settlement amount (longs rounded down, shorts up).
fn settlement_cash(kind: OptionKind, strike: &str, price: &str, size_e18: i128) -> i128 {
    settlement_cash_units(size_e18, intrinsic_e18(kind, e18(price), e18(strike)), 6).expect("settlement cash")
}

// ---------------------------------------------------------------------------------- pinning

#[test]
fn pin_before_expiry_is_rejected() {
    let mut s = Suite::new();
    let (h, w) = (trader(&mut s, 10, "100000"), trader(&mut s, 11, "100000"));
    let call = s.list_option(BTC, OptionType::Call, "60000", EXPIRY);
    sell_option(&mut s, (h, w), call, OptionKind::Call, "60000", E18);
    let keeper = actor(20);
    let actors = [h, w, keeper];
    // One millisecond before expiry, with a fresh price stamped then.
    prices_at(&mut s, EXPIRY - 1, "61000");
    assert_rejected::<u128>(&mut s, &actors, keeper, "pin_settlement", call, EngineError::NotExpired);
    assert_rejected::<i128>(&mut s, &actors, keeper, "settle", (h, call), EngineError::NotExpired);
    // A linear instrument never expires; an unlisted one is unknown.
    let perp = s.perp[BTC as usize];
    assert_rejected::<u128>(&mut s, &actors, keeper, "pin_settlement", perp, EngineError::NotExpired);
    assert_rejected::<i128>(&mut s, &actors, keeper, "settle", (h, perp), EngineError::NotExpired);
    assert_rejected::<u128>(&mut s, &actors, keeper, "pin_settlement", 99u32, EngineError::UnknownInstrument(99));
    // At expiry, with a value stamped at expiry: pinned.
    prices_at(&mut s, EXPIRY, "61000");
    s.chain.clear_events();
    assert_eq!(s.pin_settlement(keeper, call), Ok(e18("61000")));
    let events = s.chain.events::<SettlementPinned>(s.engine);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!((e.underlying, e.expiry_ms, e.price_e18, e.price_ts_ms), (BTC, EXPIRY, e18("61000"), EXPIRY));
    assert_eq!(s.settlement_price(BTC, EXPIRY), Some(e18("61000")));
    assert_eq!(s.account(keeper), None, "pinning needs no account");
}

#[test]
fn pin_waits_for_a_quorum_of_values_stamped_from_expiry_on() {
    let mut s = Suite::new();
    let call = s.list_option(BTC, OptionType::Call, "60000", EXPIRY);
    let keeper = actor(20);
    // Every reporter's latest value is 5 s before expiry; 1 s after expiry it is still fresh,
    // but it is not a settlement price: the oracle recorded nothing for the expiry's minute.
    prices_at(&mut s, EXPIRY - 5_000, "61000");
    s.chain.set_time(EXPIRY + 1_000);
    assert_rejected::<u128>(&mut s, &[keeper], keeper, "pin_settlement", call, EngineError::SettlementNotReady);
    // One reporter moving on is not enough: a quorum (2) of values stamped from expiry on is.
    let item = vec![(0u32, e18("62000"), EXPIRY + 1_000), (1u32, e18("0.65"), EXPIRY + 1_000)];
    let res: Result<(), oracle::OracleError> = s.chain.call(s.reporters[0], s.oracle, "submit_batch", item);
    assert_eq!(res, Ok(()));
    assert_rejected::<u128>(&mut s, &[keeper], keeper, "pin_settlement", call, EngineError::SettlementNotReady);
    assert_eq!(s.settlement_price(BTC, EXPIRY), None);
    // The second one records it: the lower middle of 62,000 and 61,500.
    s.chain.set_time(EXPIRY + 2_000);
    let item = vec![(0u32, e18("61500"), EXPIRY + 2_000), (1u32, e18("0.65"), EXPIRY + 2_000)];
    let res: Result<(), oracle::OracleError> = s.chain.call(s.reporters[1], s.oracle, "submit_batch", item);
    assert_eq!(res, Ok(()));
    // Later values change nothing, and a pin a day later gets the same price.
    prices_at(&mut s, EXPIRY + 40_000, "61700");
    s.chain.set_time(EXPIRY + DAY_MS);
    assert_eq!(s.pin_settlement(keeper, call), Ok(e18("61500")));
}

#[test]
fn second_pin_of_an_expiry_is_rejected() {
    let mut s = Suite::new();
    let call = s.list_option(BTC, OptionType::Call, "60000", EXPIRY);
    let put = s.list_option(BTC, OptionType::Put, "55000", EXPIRY);
    let later = s.list_option(BTC, OptionType::Call, "60000", EXPIRY + HOUR_MS);
    let eth_call = s.list_option(ETH, OptionType::Call, "3000", EXPIRY);
    let keeper = actor(20);
    prices_at(&mut s, EXPIRY, "61000");
    assert_eq!(s.pin_settlement(keeper, call), Ok(e18("61000")));
    assert_rejected::<u128>(&mut s, &[keeper], keeper, "pin_settlement", call, EngineError::AlreadyPinned);
    // The price belongs to (underlying, expiry): every option on the pair settles at it, even
    // after the oracle moved.
    prices_at(&mut s, EXPIRY + 10_000, "65000");
    assert_rejected::<u128>(&mut s, &[keeper], keeper, "pin_settlement", put, EngineError::AlreadyPinned);
    assert_eq!(s.settlement_price(BTC, EXPIRY), Some(e18("61000")));
    // Another expiry and another underlying have their own prices.
    assert_eq!(s.pin_settlement(keeper, eth_call), Ok(e18("3000")));
    prices_at(&mut s, EXPIRY + HOUR_MS, "66000");
    assert_eq!(s.pin_settlement(keeper, later), Ok(e18("66000")));
    assert_eq!(s.settlement_price(BTC, EXPIRY), Some(e18("61000")));
    assert_eq!(s.settlement_price(BTC, EXPIRY + HOUR_MS), Some(e18("66000")));
    assert_eq!(s.settlement_price(ETH, EXPIRY), Some(e18("3000")));
    assert_rejected::<u128>(&mut s, &[keeper], keeper, "pin_settlement", later, EngineError::AlreadyPinned);
}

// ---------------------------------------------------------------------------------- settling

#[test]
fn settle_before_pin_is_rejected() {
    let mut s = Suite::new();
    let (h, w) = (trader(&mut s, 10, "100000"), trader(&mut s, 11, "100000"));
    let call = s.list_option(BTC, OptionType::Call, "60000", EXPIRY);
    sell_option(&mut s, (h, w), call, OptionKind::Call, "60000", E18);
    let (keeper, stranger) = (actor(20), actor(21));
    let other = trader(&mut s, 12, "100");
    let actors = [h, w, keeper, other];
    prices_at(&mut s, EXPIRY, "61000");
    for who in [h, w] {
        assert_rejected::<i128>(&mut s, &actors, keeper, "settle", (who, call), EngineError::NotPinned);
    }
    // Lazily, before the pin, nothing settles either: a withdrawal leaves the option in place.
    let res: Result<(), EngineError> = s.chain.call(h, s.engine, "withdraw", (s.quote, 1u128));
    assert_eq!(res, Ok(()));
    assert_eq!(size(&mut s, h, call), E18 as i128);
    s.pin_settlement(keeper, call).expect("pin");
    // After the pin: an account without the position, and no account at all.
    assert_rejected::<i128>(&mut s, &actors, keeper, "settle", (other, call), EngineError::InvalidSlice);
    assert_rejected::<i128>(&mut s, &actors, keeper, "settle", (stranger, call), EngineError::NoAccount);
    assert_eq!(s.settle(keeper, h, call), Ok(settlement_cash(OptionKind::Call, "60000", "61000", E18 as i128)));
    // Settled once: the position is gone.
    assert_rejected::<i128>(&mut s, &actors, keeper, "settle", (h, call), EngineError::InvalidSlice);
    conserved(&mut s, &actors);
}

/// Holders of a one-hour call (60,000) and put (62,000): H1 long 1 call, W1 short 1 call and
/// 1 put, H2 long 0.5 call and 1 put, W2 short 0.5 call. The price pinned at expiry is
/// 61,234.567890123456789. They settle in `order` (indices into [H1, H2, W1, W2]), ten minutes
/// apart while the oracle keeps moving; the third settles lazily through a withdrawal and the
/// fourth two days later with the oracle long stale. Returns each holder's cash change from
/// settlement, in holder order.
fn settle_in_order(order: [usize; 4]) -> [i128; 4] {
    let mut s = Suite::new();
    let holders = [
        trader(&mut s, 10, "100000"),
        trader(&mut s, 11, "100000"),
        trader(&mut s, 12, "100000"),
        trader(&mut s, 13, "100000"),
    ];
    let [h1, h2, w1, w2] = holders;
    let call = s.list_option(BTC, OptionType::Call, "60000", EXPIRY);
    let put = s.list_option(BTC, OptionType::Put, "62000", EXPIRY);
    sell_option(&mut s, (h1, w1), call, OptionKind::Call, "60000", E18);
    sell_option(&mut s, (h2, w2), call, OptionKind::Call, "60000", E18 / 2);
    sell_option(&mut s, (h2, w1), put, OptionKind::Put, "62000", E18);
    let keeper = actor(20);
    let price = "61234.567890123456789";
    prices_at(&mut s, EXPIRY, price);
    // Expired options trade no more, neither opening nor closing.
    let venue = s.venue;
    for (buyer, seller) in [(h1, w2), (w1, h1)] {
        let args = (buyer, seller, call, LOT, e18("1000"), 0u128);
        assert_rejected::<()>(&mut s, &holders, venue, "apply_trade", args, EngineError::InstrumentExpired(call));
    }
    s.chain.set_time(EXPIRY + 5_000);
    assert_eq!(s.pin_settlement(keeper, put), Ok(e18(price)));
    let cash0: Vec<i128> = holders.iter().map(|&who| cash(&mut s, who)).collect();
    let mut moved = [0i128; 4];
    let later_prices = ["70000", "50000", "61234"];
    for (step, &i) in order.iter().enumerate() {
        let who = holders[i];
        s.chain.clear_events();
        match step {
            0 | 1 => {
                prices_at(&mut s, EXPIRY + 600_000 * (step as u64 + 1), later_prices[step]);
                // Anyone settles anyone; naming one option settles all of the holder's expired
                // ones (H2 and W1 hold both: the last one they hold is named).
                let instrument = s.account(who).unwrap().positions.last().unwrap().instrument;
                let res = s.settle(keeper, who, instrument);
                moved[i] = res.expect("settle");
                assert_eq!(cash(&mut s, who), cash0[i] + moved[i]);
            }
            2 => {
                prices_at(&mut s, EXPIRY + 1_800_000, later_prices[2]);
                // A withdrawal settles first.
                let res: Result<(), EngineError> = s.chain.call(who, s.engine, "withdraw", (s.quote, 1u128));
                assert_eq!(res, Ok(()));
                moved[i] = cash(&mut s, who) + 1 - cash0[i];
            }
            _ => {
                // Two days on, with no fresh price at all: settlement needs no oracle.
                s.chain.set_time(EXPIRY + 2 * DAY_MS);
                moved[i] = s.settle(who, who, call).expect("settle late");
            }
        }
        let events = s.chain.events::<PositionSettled>(s.engine);
        let from_events: i128 = events.iter().map(|e| e.cash).sum();
        assert!(events.iter().all(|e| e.account == who));
        assert_eq!(from_events, moved[i], "holder {i}");
        assert!(s.account(who).unwrap().positions.is_empty(), "holder {i} settled everything");
    }
    assert_eq!(s.settlement_price(BTC, EXPIRY), Some(e18(price)));
    for id in [call, put] {
        let listing: Result<engine::types::Instrument, EngineError> = s.chain.call(s.owner, s.engine, "instrument", id);
        assert_eq!(listing.unwrap().open_interest_e18, 0);
    }
    conserved(&mut s, &[h1, h2, w1, w2, keeper]);
    moved
}

#[test]
fn every_holder_settles_at_the_pinned_price_whatever_the_order_or_delay() {
    let price = "61234.567890123456789";
    let call = |size: i128| settlement_cash(OptionKind::Call, "60000", price, size);
    let put = |size: i128| settlement_cash(OptionKind::Put, "62000", price, size);
    let one = E18 as i128;
    let expected = [call(one), call(one / 2) + put(one), call(-one) + put(-one), call(-one / 2)];
    // Intrinsic 1,234.567890123456789 (call) and 765.432109876543211 (put): longs get the floor,
    // shorts pay the ceiling, so the engine keeps at most a base unit per short.
    assert_eq!(expected, [1_234_567_890, 617_283_945 + 765_432_109, -1_234_567_891 - 765_432_110, -617_283_946]);
    assert_eq!(settle_in_order([0, 1, 2, 3]), expected);
    assert_eq!(settle_in_order([3, 2, 1, 0]), expected);
}

#[test]
fn settlement_that_empties_an_account_in_debt_recognizes_bad_debt() {
    let mut s = Suite::new();
    let (h, w) = (trader(&mut s, 10, "100000"), trader(&mut s, 11, "6500"));
    let call = s.list_option(BTC, OptionType::Call, "60000", EXPIRY);
    // W sells a one-hour at-the-money call (premium ≈ 166, IM ≈ 6,434) with 6,500 USD.
    sell_option(&mut s, (h, w), call, OptionKind::Call, "60000", E18);
    let w_cash = cash(&mut s, w);
    assert!(w_cash > units("6600", 6) as i128 && w_cash < units("6700", 6) as i128, "{w_cash}");
    let insurer = actor(13);
    s.fund_insurance(insurer, units("1000", 6)).expect("fund");
    let keeper = actor(20);
    prices_at(&mut s, EXPIRY, "70000");
    s.pin_settlement(keeper, call).expect("pin");
    s.chain.clear_events();
    // W owes 10,000 with about 6,666 of cash: settling empties it in debt.
    assert_eq!(s.settle(keeper, w, call), Ok(-(units("10000", 6) as i128)));
    let debt = (units("10000", 6) as i128 - w_cash) as u128;
    let settled = s.chain.events::<PositionSettled>(s.engine);
    assert_eq!(settled.len(), 1);
    assert_eq!((settled[0].account, settled[0].instrument, settled[0].size_e18), (w, call, -(E18 as i128)));
    let events = s.chain.events::<BadDebtRecognized>(s.engine);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (e.account, e.bad_debt, e.fund_cover, e.deficit_increase),
        (w, debt, units("1000", 6), debt - units("1000", 6))
    );
    assert_eq!((s.insurance_fund(), s.deficit()), (0, debt - units("1000", 6)));
    assert!(s.account(w).unwrap().is_empty());
    // The long is paid in full, but its quote waits for the deficit to be covered.
    let h_cash = cash(&mut s, h);
    assert_eq!(s.settle(keeper, h, call), Ok(units("10000", 6) as i128));
    assert_eq!(cash(&mut s, h), h_cash + units("10000", 6) as i128);
    let quote = s.quote;
    assert_rejected::<()>(&mut s, &[h, w], h, "withdraw", (quote, 1u128), EngineError::DeficitOutstanding);
    conserved(&mut s, &[h, w, insurer, keeper]);
}

// ---------------------------------------------------------------------------------- liquidation

#[test]
fn unpinned_expired_option_is_liquidated_at_intrinsic_around_spot() {
    let mut s = Suite::new();
    let (h, a, l) = (trader(&mut s, 10, "100000"), trader(&mut s, 11, "6500"), trader(&mut s, 12, "100000"));
    let call = s.list_option(BTC, OptionType::Call, "60000", EXPIRY);
    sell_option(&mut s, (h, a), call, OptionKind::Call, "60000", E18);
    let a_cash = cash(&mut s, a);
    // Expired at 66,000, not pinned: the short is worth −6,000 (intrinsic at spot) and needs
    // MR(mm) = (69,960 − 60,000) − 6,000 + 0.01·66,000 = 4,620 on the grid around spot.
    prices_at(&mut s, EXPIRY, "66000");
    let view = health(&mut s, a);
    assert_eq!(view.underlyings[0].value_bits, -(6000 << 48));
    let mm = view.maintenance_margin_bits;
    assert!((mm - (4620 << 48)).abs() < (1 << 48) / 1000, "MR(mm) {view:?}");
    assert!(view.liquidatable && view.equity_bits > 0);
    assert_eq!(s.settlement_price(BTC, EXPIRY), None);
    let outcome = s.liquidate(l, a, LiquidationSlice::Position(call), E18);
    // At intrinsic: the liquidator takes the short and receives 6,000 for it.
    assert_eq!(outcome.price_e18, e18("6000"));
    let equity_left = a_cash - units("6000", 6) as i128;
    // The penalty (nominal 2,310) is capped at the equity less one base unit.
    assert_eq!(outcome.penalty as i128, equity_left - 1);
    assert_eq!(cash(&mut s, a), 1);
    assert_eq!(size(&mut s, l, call), -(E18 as i128));
    assert_eq!(
        cash(&mut s, l),
        units("100000", 6) as i128 + units("6000", 6) as i128 + outcome.liquidator_reward as i128
    );
    // Pinned later, at the oracle's first value from expiry on (66,000, whatever came after):
    // the liquidator pays 6,000, the long receives it.
    prices_at(&mut s, EXPIRY + 10_000, "66100");
    assert_eq!(s.pin_settlement(actor(20), call), Ok(e18("66000")));
    assert_eq!(s.settle(l, l, call), Ok(-(units("6000", 6) as i128)));
    assert_eq!(s.settle(l, h, call), Ok(units("6000", 6) as i128));
    conserved(&mut s, &[h, a, l]);
}

#[test]
fn pinned_expired_option_is_settled_during_liquidation() {
    let mut s = Suite::new();
    let (h, a, l) = (trader(&mut s, 10, "100000"), trader(&mut s, 11, "3800"), trader(&mut s, 12, "100000"));
    let (eth, quote) = (s.eth, s.quote);
    s.fund(a, eth, E18);
    let call = s.list_option(BTC, OptionType::Call, "60000", EXPIRY);
    // 3,800 USD and 1 ETH against a short one-hour call (IM ≈ 6,434 + 300).
    sell_option(&mut s, (h, a), call, OptionKind::Call, "60000", E18);
    let a_cash = cash(&mut s, a);
    // Pinned at 66,700 with ETH at 2,800: E = cash − 6,700 + 2,800 ≈ 66 < MR(mm) = 168 (the
    // pinned option carries no requirement).
    move_to(&mut s, EXPIRY, "66700", "2800");
    s.pin_settlement(actor(20), call).expect("pin");
    let before = health(&mut s, a);
    assert!(before.liquidatable && before.equity_bits > 0, "{before:?}");
    s.mint(quote, l, units("2000", 6));
    s.approve_engine(l, quote, units("2000", 6));
    let actors = [h, a, l];
    // The option is settled before the slice is looked up: it is not there to take (and the
    // rejected call settles nothing).
    assert_liquidation_rejected(
        &mut s,
        &actors,
        l,
        (a, LiquidationSlice::Position(call), E18),
        EngineError::InvalidSlice,
    );
    assert_eq!(size(&mut s, a, call), -(E18 as i128));
    s.chain.clear_events();
    let outcome = s.liquidate(l, a, LiquidationSlice::Collateral(eth), E18 / 2);
    let settled = s.chain.events::<PositionSettled>(s.engine);
    assert_eq!(settled.len(), 1);
    let e = &settled[0];
    assert_eq!((e.account, e.instrument, e.size_e18, e.cash), (a, call, -(E18 as i128), -(units("6700", 6) as i128)));
    let liquidated = s.chain.events::<Liquidated>(s.engine);
    assert_eq!(liquidated.len(), 1);
    assert_eq!(liquidated[0].outcome, outcome);
    // The health the liquidation started from is the pinned valuation the view showed.
    assert_eq!(outcome.health_before_bits, before.health_bits);
    assert_eq!(outcome.payment, units("1400", 6));
    assert_eq!(
        outcome,
        LiquidationOutcome { price_e18: e18("2800"), payment: units("1400", 6), bad_debt: 0, ..outcome }
    );
    let data = s.account(a).unwrap();
    assert!(data.positions.is_empty());
    assert_eq!(collateral(&mut s, a, eth), E18 / 2);
    assert_eq!(data.cash, a_cash - units("6700", 6) as i128 + units("1400", 6) as i128 - outcome.penalty as i128);
    assert_eq!(outcome.health_after_bits, health(&mut s, a).health_bits);
    assert!(outcome.health_after_bits > outcome.health_before_bits);
    // The long settles at the same price.
    assert_eq!(s.settle(h, h, call), Ok(units("6700", 6) as i128));
    conserved(&mut s, &actors);
}

#[test]
fn settlement_is_the_first_value_after_expiry_whenever_it_is_pinned() {
    let mut s = Suite::new();
    let call = s.list_option(BTC, OptionType::Call, "60000", EXPIRY);
    let later = s.list_option(BTC, OptionType::Call, "60000", EXPIRY + 2 * HOUR_MS);
    let keeper = actor(20);
    // Nobody pinned during the first hour and the price moved since; a keeper pinning now
    // still gets the value at expiry (the option expired out of the money at 59,000).
    prices_at(&mut s, EXPIRY, "59000");
    prices_at(&mut s, EXPIRY + HOUR_MS + 1, "65000");
    assert_eq!(s.pin_settlement(keeper, call), Ok(e18("59000")));
    // An expiry whose minute the reporters missed (an outage) has no record: it waits.
    prices_at(&mut s, EXPIRY + 2 * HOUR_MS + 120_000, "64000");
    assert_rejected::<u128>(&mut s, &[keeper], keeper, "pin_settlement", later, EngineError::SettlementNotReady);
    assert_eq!(s.settlement_price(BTC, EXPIRY + 2 * HOUR_MS), None);
}
