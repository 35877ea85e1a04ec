//! The fund-losing paths an independent review found, each written as the attack: every test
//! failed on the code before its fix (the commit that fixed it quotes the failing run) and
//! passes now. One test per path, named as a sentence.

use engine::events::{BadDebtRecognized, ChangeExecuted, DeficitCovered};
use engine::types::{LiquidationParams, LiquidationSlice, MarketConfig, OptionType};
use engine::{EngineError, Side};
use margin_math::trading::option_mark_e18;
use margin_math::OptionKind;

use crate::liquidation::{cash, conserved, health, move_to, trader};
use crate::suite::*;
use crate::utils::actor;

type Unit = Result<(), EngineError>;

/// The reporters at indices `reporters` submit `(underlying, spot, vol)` stamped `ts_ms`.
fn submit_from(s: &mut Suite, reporters: &[usize], prices: &[(u32, &str, &str)], ts_ms: u64) {
    let items: Vec<(u32, u128, u64)> =
        prices.iter().flat_map(|&(u, p, v)| [(2 * u, e18(p), ts_ms), (2 * u + 1, e18(v), ts_ms)]).collect();
    for &r in reporters {
        let reporter = s.reporters[r];
        let res: Result<(), oracle::OracleError> = s.chain.call(reporter, s.oracle, "submit_batch", items.clone());
        res.expect("submit");
    }
}

// ------------------------------------------------------------------ 1. insolvent hedged books

/// A: 1 BTC collateral hedged by a short BTC perpetual and a long 100 ETH perpetual; ETH falls
/// to 2,300 (E = 60,000 − 70,000 = −10,000) and the ETH leg is liquidated. What is left hedges
/// itself (MR = 0) with E = −10,000: every slice raises MR, yet the account must be emptied and
/// its bad debt recognized.
#[test]
fn insolvent_account_whose_items_hedge_each_other_can_be_emptied() {
    let mut s = Suite::new();
    let (a, h, l) = (trader(&mut s, 10, "0"), trader(&mut s, 11, "10000000"), trader(&mut s, 12, "10000000"));
    let (btc, quote) = (s.btc, s.quote);
    let (btc_perp, eth_perp) = (s.perp[BTC as usize], s.perp[ETH as usize]);
    s.fund_insurance(actor(13), units("20000", 6)).expect("fund");
    let cap = units("10000", 6);
    let params = LiquidationParams { insolvent_reward_cap: cap, ..LiquidationParams::DEFAULT };
    s.set_liquidation_params(params).expect("params");
    s.fund(a, btc, units("1", 24));
    s.trade(h, a, btc_perp, E18, e18("60000"), 0).expect("hedge");
    s.trade(a, h, eth_perp, 100 * E18, e18("3000"), 0).expect("ETH long");
    move_to(&mut s, T0 + 1_000, "60000", "2300");
    s.liquidate(l, a, LiquidationSlice::Position(eth_perp), 100 * E18);
    let left = health(&mut s, a);
    assert!(left.liquidatable && left.equity_bits < 0);
    assert_eq!(left.maintenance_margin_bits, 0, "what is left hedges itself");
    // The liquidator takes the collateral (paying 60,000 quote tokens in) and the short perp.
    s.mint(quote, l, units("60000", 6));
    s.approve_engine(l, quote, units("60000", 6));
    s.chain.clear_events();
    let first = s.try_liquidate(l, a, LiquidationSlice::Collateral(btc), units("1", 24));
    assert!(first.is_ok(), "the collateral of an insolvent hedged book can be taken: {first:?}");
    let first = first.expect("collateral");
    // No penalty from an insolvent target, and its equity did not move (a slice at the mark).
    assert_eq!(first.penalty, 0);
    assert_eq!(health(&mut s, a).equity_bits, left.equity_bits);
    // Winding it down pays: the fund pays share · rate · (the slice's own risk, 1 BTC · 60,000 ·
    // 6% = 3,600), 900, although what is left needs more margin than before.
    let near = |x: u128, want: u128| x <= want && want - x <= 2;
    assert!(near(first.liquidator_reward, units("900", 6)), "{first:?}");
    let last = s.try_liquidate(l, a, LiquidationSlice::Position(btc_perp), E18).expect("the perpetual");
    assert!(near(last.liquidator_reward, units("900", 6)), "{last:?}");
    assert_eq!(last.bad_debt, units("10000", 6), "the bad debt is recognized when the account is emptied");
    let events = s.chain.events::<BadDebtRecognized>(s.engine);
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].fund_cover, events[0].deficit_increase), (units("10000", 6), 0));
    let data = s.account(a).expect("account");
    assert!(data.collateral.is_empty() && data.positions.is_empty() && data.cash == 0);
    conserved(&mut s, &[a, h, l, actor(13)]);
}

// ------------------------------------------------------------------ 2. the reducing exception

/// An insolvent long (1 BTC at 60,000 on 6,100 USD; BTC at 53,000: E = −900) sells half its
/// position to a friend at the bottom of the band: maintenance health rises (MR falls faster
/// than E) while 530 of value moves to the friend — bad debt the protocol would pay.
#[test]
fn insolvent_seller_cannot_move_value_to_a_friend_through_the_band() {
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "6100"), trader(&mut s, 11, "1000000"));
    let friend = trader(&mut s, 14, "1000000");
    let perp = s.perp[BTC as usize];
    s.trade(a, h, perp, E18, e18("60000"), 0).expect("open long");
    move_to(&mut s, T0 + 1_000, "53000", "3000");
    assert!(health(&mut s, a).equity_bits < 0);
    let (a_cash, friend_cash) = (cash(&mut s, a), cash(&mut s, friend));
    // 2% below the mark.
    let res = s.trade(friend, a, perp, E18 / 2, e18("51940"), 0);
    assert_eq!(res, Err(EngineError::TradeMargin(Side::Seller)));
    assert_eq!((cash(&mut s, a), cash(&mut s, friend)), (a_cash, friend_cash));
}

// ------------------------------------------------------------------ 3. a back-dating reporter

/// Two reporters submit fresh values; the third submits the same honest values stamped 45 s in
/// the past (window 60 s, max age 30 s). One reporter must not be able to make the market
/// stale: trades still go through.
#[test]
fn backdated_reporter_cannot_make_a_market_stale() {
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "100000"), trader(&mut s, 11, "1000000"));
    let perp = s.perp[BTC as usize];
    let prices = [(BTC, "60000", "0.65"), (ETH, "3000", "0.8"), (IDX, "1000", "0.3")];
    for step in 1..=3u64 {
        let now = T0 + 40_000 + step * 20_000;
        s.chain.set_time(now);
        submit_from(&mut s, &[0, 1], &prices, now);
        submit_from(&mut s, &[2], &prices, now - 45_000);
    }
    let res = s.trade(a, h, perp, E18, e18("60000"), 0);
    assert_eq!(res, Ok(()), "one back-dating reporter made the market stale");
}

// ------------------------------------------------------------------ 4. a minority sets the price

/// Three reporters, quorum 2: one honest reporter is offline and a malicious one submits BTC at
/// 1,000 while the other honest one says 60,000. One reporter must not move the price: the long
/// BTC account is not liquidated at 1,000.
#[test]
fn one_malicious_reporter_cannot_set_the_price() {
    let mut s = Suite::new();
    let (a, h, l) = (trader(&mut s, 10, "10000"), trader(&mut s, 11, "1000000"), trader(&mut s, 12, "1000000"));
    let perp = s.perp[BTC as usize];
    s.trade(a, h, perp, E18, e18("60000"), 0).expect("open long");
    let now = T0 + 61_000;
    s.chain.set_time(now);
    submit_from(&mut s, &[0], &[(BTC, "60000", "0.65"), (ETH, "3000", "0.8"), (IDX, "1000", "0.3")], now);
    submit_from(&mut s, &[1], &[(BTC, "1000", "0.65"), (ETH, "3000", "0.8"), (IDX, "1000", "0.3")], now);
    let res = s.try_liquidate(l, a, LiquidationSlice::Position(perp), E18 / 10);
    // The two fresh values disagree: the feed serves the last agreed value (the suite's, 61 s
    // old), so BTC is stale — nobody is liquidated at 1,000.
    assert_eq!(res, Err(EngineError::StalePrice(BTC)), "a single reporter set BTC to 1,000");
    assert_eq!(crate::liquidation::size(&mut s, a, perp), E18 as i128);
}

// ------------------------------------------------------------------ 5. settlement timing

/// BTC is 60,000 at an option's expiry and 65,000 half an hour later. The settlement price must
/// not depend on who pins or when: pinned at +30 min it is still the first value after expiry.
#[test]
fn settlement_price_does_not_depend_on_when_it_is_pinned() {
    let mut s = Suite::new();
    let expiry = T0 + 3_600_000;
    let call = s.list_option(BTC, OptionType::Call, "60000", expiry);
    s.chain.set_time(expiry);
    s.set_prices(&[(BTC, "60000", "0.65"), (ETH, "3000", "0.8"), (IDX, "1000", "0.3")]);
    s.chain.set_time(expiry + 1_800_000);
    s.set_prices(&[(BTC, "65000", "0.65"), (ETH, "3000", "0.8"), (IDX, "1000", "0.3")]);
    let pinned = s.pin_settlement(actor(40), call);
    assert_eq!(pinned, Ok(e18("60000")), "pinned half an hour late at the later price");
}

// ------------------------------------------------------------------ 6. option bands

/// A far out-of-the-money option worth about 5 is traded between friends at 1,000: within 2% of
/// spot (1,200) but 200 times its value. Option bands must be in volatility terms.
#[test]
fn option_band_is_not_a_fraction_of_spot() {
    let mut s = Suite::new();
    let (a, friend) = (trader(&mut s, 10, "100000"), trader(&mut s, 14, "100000"));
    let expiry = T0 + 7 * 86_400_000;
    let call = s.list_option(BTC, OptionType::Call, "80000", expiry);
    let mark = option_mark_e18(OptionKind::Call, e18("60000"), e18("80000"), e18("0.65"), 0, T0, expiry).expect("mark");
    assert!(mark < e18("10"), "the option is worth {mark}");
    let res = s.trade(friend, a, call, E18, e18("1000"), 0);
    assert_eq!(res, Err(EngineError::PriceOutOfBand));
}

/// A venue may not be authorized to charge each side its whole trade value.
#[test]
fn venue_fee_cap_is_bounded_by_a_protocol_ceiling() {
    let mut s = Suite::new();
    let owner = s.owner;
    let res: Unit = s.chain.call(owner, s.engine, "authorize_venue", (actor(20), E18, 0u128));
    assert_eq!(res, Err(EngineError::InvalidFeeRate));
    // Within the ceiling for options (12.5% of the premium), a linear trade may still pay at
    // most 1% of its notional.
    let res: Unit = s.chain.call(owner, s.engine, "authorize_venue", (s.venue, E18 / 8, 0u128));
    assert_eq!(res, Ok(()));
    let (a, b) = (trader(&mut s, 10, "100000"), trader(&mut s, 11, "100000"));
    let res = s.trade(a, b, s.perp[BTC as usize], E18 / 10, e18("60000"), E18 / 100 + 1);
    assert_eq!(res, Err(EngineError::FeeTooHigh));
    assert_eq!(s.trade(a, b, s.perp[BTC as usize], E18 / 10, e18("60000"), E18 / 100), Ok(()));
}

// ------------------------------------------------------------------ 7. prices above max_spot

/// A market listed with a `max_spot` below its price feed's upper bound: a real price above
/// `max_spot` would make every holder unevaluable. Listing must refuse it.
#[test]
fn market_cannot_be_listed_below_its_feeds_upper_bound() {
    let mut s = Suite::new();
    let owner = s.owner;
    // The suite's price feeds accept values up to the suite's max_spot; this market's cap is 10x lower.
    let config = MarketConfig { max_spot_e18: e18("100000"), ..market_config(BTC) };
    let res: Result<u32, EngineError> = s.chain.call(owner, s.engine, "list_market", config);
    assert_eq!(res, Err(EngineError::InvalidFeed(0)), "a market whose feed can report above its max_spot");
    // Nor may an update lower max_spot below it.
    let res: Result<(), EngineError> = s.chain.call(owner, s.engine, "update_market", (BTC, config));
    assert_eq!(res, Err(EngineError::InvalidFeed(0)));
}

// ------------------------------------------------------------------ 8. owner changes without notice

/// A healthy account (long 1 BTC on 10,000 USD: MM 3,600) becomes liquidatable if the owner
/// doubles the maintenance shock four times in one block. Risk-raising changes must wait.
#[test]
fn owner_cannot_raise_shocks_without_notice() {
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "10000"), trader(&mut s, 11, "1000000"));
    s.trade(a, h, s.perp[BTC as usize], E18, e18("60000"), 0).expect("open long");
    assert!(!health(&mut s, a).liquidatable);
    let owner = s.owner;
    // The deployment's default notice, one day (the suite runs without one).
    let day = engine::types::DEFAULT_CHANGE_DELAY_MS;
    let res: Unit = s.chain.call(owner, s.engine, "set_change_delay", day);
    assert_eq!(res, Ok(()));
    let mut config = market_config(BTC);
    for _ in 0..3 {
        config.risk.spot_shock_mm_e18 *= 2;
        config.risk.spot_shock_im_e18 = config.risk.spot_shock_im_e18.max(config.risk.spot_shock_mm_e18);
        let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, config));
        if res.is_err() {
            assert_eq!(res, Err(EngineError::NoticeRequired));
            break;
        }
    }
    assert!(!health(&mut s, a).liquidatable, "the owner made a healthy account liquidatable in one block");

    // Announced, the same change waits a day; everyone sees it coming (the event carries it).
    let raised = MarketConfig {
        risk: engine::types::RiskParams { spot_shock_mm_e18: e18("0.09"), ..market_config(BTC).risk },
        ..market_config(BTC)
    };
    let call = selector_call("update_market", (BTC, raised));
    let eta: Result<u64, EngineError> = s.chain.call(owner, s.engine, "announce", call.clone());
    let eta = eta.expect("announce");
    assert_eq!(eta, T0 + day);
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, raised));
    assert_eq!(res, Err(EngineError::NoticePending(eta)));
    // Not a different change under the same announcement.
    let other =
        MarketConfig { risk: engine::types::RiskParams { spot_shock_mm_e18: e18("0.1"), ..raised.risk }, ..raised };
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, other));
    assert_eq!(res, Err(EngineError::NoticeRequired));
    s.chain.set_time(eta);
    s.set_prices(&[(BTC, "60000", "0.65"), (ETH, "3000", "0.8"), (IDX, "1000", "0.3")]);
    s.chain.clear_events();
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, raised));
    assert_eq!(res, Ok(()));
    assert_eq!(s.chain.events::<ChangeExecuted>(s.engine).len(), 1);
    // Once: the announcement is consumed.
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, market_config(BTC)));
    assert_eq!(res, Ok(()), "lowering the shock back reduces risk: at once");
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, raised));
    assert_eq!(res, Err(EngineError::NoticeRequired));
    // The notice itself changes only through the notice.
    let res: Unit = s.chain.call(owner, s.engine, "set_change_delay", 0u64);
    assert_eq!(res, Err(EngineError::NoticeRequired));
}

/// Lowering margins is immediate, but only down to half of the values last set with notice: a
/// compromised owner halving the shocks four times in one block would let a trader carry 20 BTC
/// on 10,000 USD (IM at a 0.625% shock: 7,500) and leave bad debt on a 5% move. Further down
/// waits the notice like a raise; once executed, the new values are the floor's reference.
#[test]
fn owner_cannot_lower_margins_far_in_one_block() {
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "10000"), trader(&mut s, 11, "10000000"));
    let owner = s.owner;
    let day = engine::types::DEFAULT_CHANGE_DELAY_MS;
    let res: Unit = s.chain.call(owner, s.engine, "set_change_delay", day);
    assert_eq!(res, Ok(()));
    let halved = |c: MarketConfig| MarketConfig {
        risk: engine::types::RiskParams {
            spot_shock_im_e18: c.risk.spot_shock_im_e18 / 2,
            spot_shock_mm_e18: c.risk.spot_shock_mm_e18 / 2,
            ..c.risk
        },
        ..c
    };
    let mut config = market_config(BTC);
    let mut refused = None;
    for _ in 0..4 {
        let next = halved(config);
        let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, next));
        if res.is_err() {
            refused = Some(res);
            break;
        }
        config = next;
    }
    assert_eq!(refused, Some(Err(EngineError::NoticeRequired)), "margins fell 16-fold in one block");
    assert_eq!(config, halved(market_config(BTC)), "one halving below the listed values is immediate");
    let res = s.trade(a, h, s.perp[BTC as usize], 20 * E18, e18("60000"), 0);
    assert!(res.is_err(), "20 BTC opened on 10,000 USD of equity: {res:?}");

    // Announced, the next halving runs after the delay and becomes the new reference.
    let quarter = halved(config);
    let eta: Result<u64, EngineError> =
        s.chain.call(owner, s.engine, "announce", selector_call("update_market", (BTC, quarter)));
    let eta = eta.expect("announce");
    s.chain.set_time(eta);
    s.set_prices(&[(BTC, "60000", "0.65"), (ETH, "3000", "0.8"), (IDX, "1000", "0.3")]);
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, quarter));
    assert_eq!(res, Ok(()));
    let eighth = halved(quarter);
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, eighth));
    assert_eq!(res, Ok(()), "half of the new reference is immediate again");
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, halved(eighth)));
    assert_eq!(res, Err(EngineError::NoticeRequired));
    // Raising back toward the reference is a raise: it waits the notice.
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, quarter));
    assert_eq!(res, Err(EngineError::NoticeRequired));
}

/// A liquidation pause that never ends lets underwater books sink into bad debt while the
/// owner waits. A pause lasts at most `MAX_LIQUIDATION_PAUSE_MS` (one day) and ends by itself;
/// pausing again within a pause length of its end needs notice.
#[test]
fn liquidation_pause_ends_on_its_own_and_is_renewed_only_with_notice() {
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "7000"), trader(&mut s, 11, "1000000"));
    let l = trader(&mut s, 12, "1000000");
    let perp = s.perp[BTC as usize];
    s.trade(a, h, perp, E18, e18("60000"), 0).expect("open long");
    let owner = s.owner;
    let day = engine::types::DEFAULT_CHANGE_DELAY_MS;
    let res: Unit = s.chain.call(owner, s.engine, "set_change_delay", day);
    assert_eq!(res, Ok(()));
    let paused = engine::types::PauseFlags { liquidations: true, ..Default::default() };
    assert_eq!(s.set_paused(paused), Ok(()));
    move_to(&mut s, T0 + day - 1, "53500", "3000");
    assert!(health(&mut s, a).liquidatable);
    let slice = LiquidationSlice::Position(perp);
    assert_eq!(s.try_liquidate(l, a, slice, LOT).map(|_| ()), Err(EngineError::Paused));
    // A day later the pause is over without any owner action.
    move_to(&mut s, T0 + day, "53500", "3000");
    let res = s.try_liquidate(l, a, slice, LOT);
    assert!(res.is_ok(), "liquidations still paused a day after the pause: {res:?}");
    // Lifting the flag and pausing again at once is a renewal: it needs notice.
    assert_eq!(s.set_paused(engine::types::PauseFlags::default()), Ok(()));
    assert_eq!(s.set_paused(paused), Err(EngineError::NoticeRequired));
    // A pause length after the last one ended, a new pause is immediate again.
    move_to(&mut s, T0 + 2 * day, "53500", "3000");
    assert_eq!(s.set_paused(paused), Ok(()));
    assert_eq!(s.try_liquidate(l, a, slice, LOT).map(|_| ()), Err(EngineError::Paused));
}

/// Approvals given to a venue before it was deauthorized do not come back with a new
/// authorization: an account must approve it again.
#[test]
fn reauthorized_venue_does_not_revive_old_approvals() {
    let mut s = Suite::new();
    let (a, b) = (trader(&mut s, 10, "100000"), trader(&mut s, 11, "100000"));
    let (owner, venue) = (s.owner, s.venue);
    let res: Unit = s.chain.call(owner, s.engine, "deauthorize_venue", venue);
    assert_eq!(res, Ok(()));
    let res: Unit = s.chain.call(owner, s.engine, "authorize_venue", (venue, E18 / 100, 0u128));
    assert_eq!(res, Ok(()));
    let perp = s.perp[BTC as usize];
    assert_eq!(s.trade(a, b, perp, E18 / 10, e18("60000"), 0), Err(EngineError::VenueNotApproved(Side::Buyer)));
    let approved: Result<bool, EngineError> = s.chain.call(a, s.engine, "is_venue_approved", (a, venue));
    assert_eq!(approved, Ok(false));
    s.approve_venue(a);
    s.approve_venue(b);
    assert_eq!(s.trade(a, b, perp, E18 / 10, e18("60000"), 0), Ok(()));
}

// ------------------------------------------------------------------ 9. deficit and insurance

/// A deficit exists (900); then the insurance fund receives 10,000. The fund must pay the deficit
/// down at once, so quote withdrawals reopen.
#[test]
fn insurance_fund_pays_down_the_deficit() {
    let mut s = Suite::new();
    let (a, h) = (trader(&mut s, 10, "6100"), trader(&mut s, 11, "1000000"));
    let l = trader(&mut s, 12, "1000000");
    s.trade(a, h, s.perp[BTC as usize], E18, e18("60000"), 0).expect("open long");
    move_to(&mut s, T0 + 1_000, "53000", "3000");
    s.liquidate(l, a, LiquidationSlice::Position(s.perp[BTC as usize]), E18);
    assert_eq!(s.deficit(), units("900", 6));
    s.chain.clear_events();
    s.fund_insurance(actor(13), units("10000", 6)).expect("fund");
    assert_eq!(s.deficit(), 0, "the fund held quote and the deficit stayed");
    let covered = s.chain.events::<DeficitCovered>(s.engine);
    assert_eq!(covered.len(), 1);
    assert_eq!((covered[0].amount, covered[0].deficit, covered[0].from_fund), (units("900", 6), 0, true));
    assert_eq!(s.insurance_fund(), units("9100", 6));
    let res: Unit = s.chain.call(h, s.engine, "withdraw", (s.quote, units("1000", 6)));
    assert_eq!(res, Ok(()));
}

/// The fund-paid incentive of an insolvent target is capped per target: one-lot liquidations
/// must not collect the cap again and again.
#[test]
fn insolvent_reward_cap_applies_per_target_not_per_call() {
    let mut s = Suite::new();
    s.fund_insurance(actor(13), units("100000", 6)).expect("fund");
    let cap = units("100", 6);
    let params = LiquidationParams { insolvent_reward_cap: cap, ..LiquidationParams::DEFAULT };
    s.set_liquidation_params(params).expect("params");
    let (a, h) = (trader(&mut s, 10, "61000"), trader(&mut s, 11, "10000000"));
    let l = trader(&mut s, 12, "10000000");
    let perp = s.perp[BTC as usize];
    s.trade(a, h, perp, 10 * E18, e18("60000"), 0).expect("open long");
    move_to(&mut s, T0 + 1_000, "53000", "3000");
    assert!(health(&mut s, a).equity_bits < 0);
    let mut paid = 0;
    for _ in 0..5 {
        paid += s.liquidate(l, a, LiquidationSlice::Position(perp), E18).liquidator_reward;
    }
    assert!(paid <= cap, "five calls paid {paid} from the fund against a per-target cap of {cap}");
    assert_eq!(paid, cap, "the cap is reached, once");
    conserved(&mut s, &[a, h, l, actor(13)]);
}
