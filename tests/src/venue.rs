//! Venue trades: the price band (linear and options, both edges), self-trades, fees, approvals
//! and authorizations, expiry, unlisted instruments, the bound on value colluding accounts can
//! move through the band, the IM-or-reducing rule, realized P&L, the `TradeApplied` event and
//! open interest. Expected numbers come from `margin-math` or are worked out by hand.

use engine::events::{TradeApplied, VenueApprovalChanged, VenueDeauthorized};
use engine::types::{InstrumentId, InstrumentKind, MarketConfig, OptionType, PositionData};
use engine::{EngineError, Side};
use margin_math::trading::{
    fee_units, fill_linear, notional_units, option_mark_and_band_e18, option_mark_e18, premium_units,
};
use margin_math::OptionKind;

use crate::suite::*;
use crate::utils::{actor, Account};

type Unit = Result<(), EngineError>;

/// One day, ms.
const DAY_MS: u64 = 86_400_000;

/// `who` with 1,000,000 USD and the suite's venue approved.
fn trader(s: &mut Suite, n: u8) -> Account {
    let who = actor(n);
    s.fund(who, s.quote, units("1000000", 6));
    s.approve_venue(who);
    who
}

fn cash(s: &mut Suite, who: Account) -> i128 {
    s.account(who).map_or(0, |a| a.cash)
}

fn position(s: &mut Suite, who: Account, instrument: InstrumentId) -> PositionData {
    let data = s.account(who).unwrap_or_default();
    data.positions.iter().find(|p| p.instrument == instrument).copied().unwrap_or(PositionData {
        instrument,
        underlying: BTC,
        kind: InstrumentKind::Linear,
        size_e18: 0,
        entry_e18: 0,
    })
}

fn open_interest(s: &mut Suite, instrument: InstrumentId) -> u128 {
    let i: Result<engine::types::Instrument, EngineError> = s.chain.call(s.owner, s.engine, "instrument", instrument);
    i.expect("listed").open_interest_e18
}

/// `venue` reports a trade.
fn trade_via(
    s: &mut Suite,
    venue: Account,
    (buyer, seller): (Account, Account),
    instrument: InstrumentId,
    size_e18: u128,
    price_e18: u128,
    fee_rate_e18: u128,
) -> Unit {
    s.chain.call(venue, s.engine, "apply_trade", (buyer, seller, instrument, size_e18, price_e18, fee_rate_e18))
}

/// Asserts that the suite's venue cannot book the trade: exactly `expected`, and the full state
/// of `actors` unchanged.
fn assert_trade_rejected(
    s: &mut Suite,
    actors: &[Account],
    (buyer, seller): (Account, Account),
    instrument: InstrumentId,
    size_e18: u128,
    price_e18: u128,
    fee_rate_e18: u128,
    expected: EngineError,
) {
    let venue = s.venue;
    assert_trade_rejected_via(
        s,
        venue,
        actors,
        (buyer, seller),
        instrument,
        size_e18,
        price_e18,
        fee_rate_e18,
        expected,
    );
}

#[allow(clippy::too_many_arguments)]
fn assert_trade_rejected_via(
    s: &mut Suite,
    venue: Account,
    actors: &[Account],
    parties: (Account, Account),
    instrument: InstrumentId,
    size_e18: u128,
    price_e18: u128,
    fee_rate_e18: u128,
    expected: EngineError,
) {
    let before = s.state(actors);
    let result = trade_via(s, venue, parties, instrument, size_e18, price_e18, fee_rate_e18);
    assert_eq!(result, Err(expected));
    assert_eq!(s.state(actors), before, "a rejected trade changes nothing");
}

/// `x` quote whole units as `I80F48` bits.
fn quote_bits(x: i128) -> i128 {
    x << 48
}

// ---------------------------------------------------------------------------------- band

#[test]
fn linear_price_at_band_edge_is_accepted_and_one_wei_beyond_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    s.chain.set_time(T0 + 1_000);
    s.set_prices(&[(ETH, "3000.123456789012345679", "0.8")]);
    let spot = e18("3000.123456789012345679");
    // Band 2% of spot, rounded down: spot·2/100.
    let allowed = spot * 2 / 100;
    assert_eq!(allowed, e18("60.002469135780246913"));
    let perp = s.perp[ETH as usize];
    let actors = [alice, bob];
    assert_trade_rejected(&mut s, &actors, (alice, bob), perp, E18, spot + allowed + 1, 0, EngineError::PriceOutOfBand);
    s.trade(alice, bob, perp, E18, spot + allowed, 0).expect("upper edge");
    assert_trade_rejected(&mut s, &actors, (alice, bob), perp, E18, spot - allowed - 1, 0, EngineError::PriceOutOfBand);
    s.trade(alice, bob, perp, E18, spot - allowed, 0).expect("lower edge");
    assert_eq!(position(&mut s, alice, perp).size_e18, 2 * E18 as i128);
}

#[test]
fn option_price_at_band_edge_around_the_model_price_is_accepted_and_beyond_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let expiry = T0 + 30 * DAY_MS;
    let call = s.list_option(BTC, OptionType::Call, "62000", expiry);
    let put = s.list_option(BTC, OptionType::Put, "58000", expiry);
    let (spot, vol) = (e18("60000"), e18("0.65"));
    let config = market_config(BTC);
    let actors = [alice, bob];
    for (instrument, kind, strike) in [(call, OptionKind::Call, e18("62000")), (put, OptionKind::Put, e18("58000"))] {
        // The option band is in volatility terms: vega · 0.05 + |Δ| · S · 0.02 + 0.01.
        let (mark, allowed) = option_mark_and_band_e18(
            kind,
            spot,
            strike,
            vol,
            0,
            T0,
            expiry,
            config.band_e18,
            config.band_vol_e18,
            config.tick_e18,
        )
        .expect("band");
        assert_eq!(mark, option_mark_e18(kind, spot, strike, vol, 0, T0, expiry).expect("mark"));
        assert!(mark > allowed, "both edges are positive prices: mark {mark}, band {allowed}");
        let size = E18 / 10;
        for (beyond, edge) in [(mark + allowed + 1, mark + allowed), (mark - allowed - 1, mark - allowed)] {
            assert_trade_rejected(
                &mut s,
                &actors,
                (alice, bob),
                instrument,
                size,
                beyond,
                0,
                EngineError::PriceOutOfBand,
            );
            let paid = cash(&mut s, alice);
            s.trade(alice, bob, instrument, size, edge, 0).expect("at the edge");
            let premium = premium_units(size, edge, 6).expect("premium") as i128;
            assert_eq!(cash(&mut s, alice), paid - premium);
        }
        assert_eq!(position(&mut s, alice, instrument).size_e18, (2 * E18 / 10) as i128);
    }
}

// ---------------------------------------------------------------------------------- who may trade

#[test]
fn self_trade_is_rejected_for_linear_and_options() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let call = s.list_option(BTC, OptionType::Call, "60000", T0 + 30 * DAY_MS);
    s.trade(alice, bob, s.perp[BTC as usize], E18, e18("60000"), 0).expect("a position to wash");
    let perp = s.perp[BTC as usize];
    assert_trade_rejected(&mut s, &[alice, bob], (alice, alice), perp, E18, e18("60000"), 0, EngineError::SelfTrade);
    assert_trade_rejected(&mut s, &[alice, bob], (bob, bob), call, E18, e18("5000"), 0, EngineError::SelfTrade);
}

#[test]
fn fee_up_to_the_venue_maximum_is_accepted_and_above_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let (owner, desk) = (s.owner, actor(20));
    let max = E18 / 400; // 0.25%
    let res: Unit = s.chain.call(owner, s.engine, "authorize_venue", (desk, max, 0u128));
    assert_eq!(res, Ok(()));
    for who in [alice, bob] {
        let res: Unit = s.chain.call(who, s.engine, "approve_venue", (desk, true));
        assert_eq!(res, Ok(()));
    }
    let perp = s.perp[BTC as usize];
    let fee_account = s.fee_account;
    let actors = [alice, bob, fee_account];
    let price = e18("60000");
    assert_trade_rejected_via(&mut s, desk, &actors, (alice, bob), perp, E18, price, max + 1, EngineError::FeeTooHigh);
    assert_eq!(trade_via(&mut s, desk, (alice, bob), perp, E18, price, max), Ok(()));
    // 0.25% of 60,000 = 150 USD from each side.
    assert_eq!(cash(&mut s, fee_account), 2 * units("150", 6) as i128);
    // The owner lowers the maximum: the old maximum is now too high.
    let res: Unit = s.chain.call(owner, s.engine, "authorize_venue", (desk, max / 2, 0u128));
    assert_eq!(res, Ok(()));
    assert_trade_rejected_via(&mut s, desk, &actors, (alice, bob), perp, E18, price, max, EngineError::FeeTooHigh);
}

/// A cheap option may pay the venue's per-contract floor on top of its share of the premium:
/// 12.5% of the premium plus 0.03% of spot per contract, and not one base unit more. The
/// floor is the owner's to grant (up to the protocol's ceiling) and raising it waits for notice.
#[test]
fn option_fee_may_reach_the_premium_share_plus_the_per_contract_floor() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let (owner, desk) = (s.owner, actor(20));
    let (rate, floor) = (E18 / 8, engine::types::MAX_OPTION_FEE_FLOOR_E18);
    assert_eq!(floor, 3 * E18 / 10_000, "0.03% of spot per contract");
    let res: Unit = s.chain.call(owner, s.engine, "authorize_venue", (desk, rate, floor + 1));
    assert_eq!(res, Err(EngineError::InvalidFeeRate), "a floor above the protocol's ceiling");
    let res: Unit = s.chain.call(owner, s.engine, "authorize_venue", (desk, rate, floor / 2));
    assert_eq!(res, Ok(()));
    // The suite runs without notice; with the default delay, raising the floor waits.
    let day = engine::types::DEFAULT_CHANGE_DELAY_MS;
    let res: Unit = s.chain.call(owner, s.engine, "set_change_delay", day);
    assert_eq!(res, Ok(()));
    let res: Unit = s.chain.call(owner, s.engine, "authorize_venue", (desk, rate, floor));
    assert_eq!(res, Err(EngineError::NoticeRequired), "raising the floor waits");
    for who in [alice, bob] {
        let res: Unit = s.chain.call(who, s.engine, "approve_venue", (desk, true));
        assert_eq!(res, Ok(()));
    }
    // A far out-of-the-money call: its premium's 12.5% is far below the floor.
    let expiry = T0 + 30 * DAY_MS;
    let call = s.list_option(BTC, OptionType::Call, "90000", expiry);
    let price =
        option_mark_e18(OptionKind::Call, e18("60000"), e18("90000"), e18("0.65"), 0, T0, expiry).expect("mark");
    let premium = premium_units(E18, price, 6).expect("premium");
    assert!(premium > 0 && premium < units("100", 6), "a cheap option: premium {premium}");
    // 12.5% of the premium (rounded up) plus 0.015% of 60,000 = 9 USD for the one contract.
    let ceiling = premium.div_ceil(8) + units("9", 6);
    let rate_for = |fee: u128| fee * E18 / premium;
    let (fee_account, actors) = (s.fee_account, [alice, bob, s.fee_account]);
    assert_trade_rejected_via(
        &mut s,
        desk,
        &actors,
        (alice, bob),
        call,
        E18,
        price,
        rate_for(ceiling + 1),
        EngineError::FeeTooHigh,
    );
    assert_eq!(trade_via(&mut s, desk, (alice, bob), call, E18, price, rate_for(ceiling)), Ok(()));
    assert_eq!(cash(&mut s, fee_account), 2 * ceiling as i128, "each side paid the ceiling");
    // The suite's venue has no floor: its 1% of the premium is all an option trade may pay.
    let suite_ceiling = premium.div_ceil(100);
    let res = s.trade(alice, bob, call, E18, price, rate_for(suite_ceiling + 1));
    assert_eq!(res, Err(EngineError::FeeTooHigh));
    assert_eq!(s.trade(alice, bob, call, E18, price, rate_for(suite_ceiling)), Ok(()));
}

#[test]
fn venue_cannot_trade_for_accounts_that_did_not_approve_it() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let (owner, desk) = (s.owner, actor(20));
    let res: Unit = s.chain.call(owner, s.engine, "authorize_venue", (desk, E18 / 100, 0u128));
    assert_eq!(res, Ok(()));
    // Both approved the suite's venue, neither the desk.
    let perp = s.perp[BTC as usize];
    let price = e18("60000");
    let expected = EngineError::VenueNotApproved(Side::Buyer);
    assert_trade_rejected_via(&mut s, desk, &[alice, bob], (alice, bob), perp, E18, price, 0, expected);
    let res: Unit = s.chain.call(alice, s.engine, "approve_venue", (desk, true));
    assert_eq!(res, Ok(()));
    let expected = EngineError::VenueNotApproved(Side::Seller);
    assert_trade_rejected_via(&mut s, desk, &[alice, bob], (alice, bob), perp, E18, price, 0, expected);
    let res: Unit = s.chain.call(bob, s.engine, "approve_venue", (desk, true));
    assert_eq!(res, Ok(()));
    assert_eq!(trade_via(&mut s, desk, (alice, bob), perp, E18, price, 0), Ok(()));
}

#[test]
fn revoked_approval_stops_the_venue() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let (engine, venue) = (s.engine, s.venue);
    let perp = s.perp[BTC as usize];
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("approved");
    s.chain.clear_events();
    let res: Unit = s.chain.call(alice, engine, "approve_venue", (venue, false));
    assert_eq!(res, Ok(()));
    let changes = s.chain.events::<VenueApprovalChanged>(engine);
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0].account, changes[0].venue, changes[0].approved), (alice, venue, false));
    let approved: Result<bool, EngineError> = s.chain.call(alice, engine, "is_venue_approved", (alice, venue));
    assert_eq!(approved, Ok(false));
    // Not even a trade that reduces Alice's position.
    let expected = EngineError::VenueNotApproved(Side::Seller);
    assert_trade_rejected(&mut s, &[alice, bob], (bob, alice), perp, E18, e18("60000"), 0, expected);
    let expected = EngineError::VenueNotApproved(Side::Buyer);
    assert_trade_rejected(&mut s, &[alice, bob], (alice, bob), perp, E18, e18("60000"), 0, expected);
    // Approving again restores it.
    s.approve_venue(alice);
    s.trade(bob, alice, perp, E18, e18("60000"), 0).expect("approved again");
    assert_eq!(position(&mut s, alice, perp).size_e18, 0);
}

#[test]
fn deauthorized_venue_cannot_trade_until_reauthorized() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let (owner, engine, venue) = (s.owner, s.engine, s.venue);
    let perp = s.perp[BTC as usize];
    s.chain.clear_events();
    let res: Unit = s.chain.call(owner, engine, "deauthorize_venue", venue);
    assert_eq!(res, Ok(()));
    let events = s.chain.events::<VenueDeauthorized>(engine);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].venue, venue);
    let config: Result<engine::types::VenueConfig, EngineError> = s.chain.call(owner, engine, "venue", venue);
    assert_eq!(config, Err(EngineError::VenueNotAuthorized));
    assert_trade_rejected(
        &mut s,
        &[alice, bob],
        (alice, bob),
        perp,
        E18,
        e18("60000"),
        0,
        EngineError::VenueNotAuthorized,
    );
    let carol = actor(12);
    let res: Unit = s.chain.call(carol, engine, "approve_venue", (venue, true));
    assert_eq!(res, Err(EngineError::VenueNotAuthorized));
    // Re-authorization by the owner starts a new epoch: approvals given before do not count
    // (an owner cannot revive a venue the accounts trusted once); they approve it again.
    let res: Unit = s.chain.call(owner, engine, "authorize_venue", (venue, E18 / 100, 0u128));
    assert_eq!(res, Ok(()));
    let expected = EngineError::VenueNotApproved(Side::Buyer);
    assert_trade_rejected(&mut s, &[alice, bob], (alice, bob), perp, E18, e18("60000"), 0, expected);
    s.approve_venue(alice);
    s.approve_venue(bob);
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("authorized and approved again");
}

// ---------------------------------------------------------------------------------- instruments

#[test]
fn option_cannot_trade_at_or_after_expiry() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let expiry = T0 + 3_600_000;
    let call = s.list_option(BTC, OptionType::Call, "60000", expiry);
    // One millisecond before expiry it still trades at its model price.
    s.chain.set_time(expiry - 1);
    s.set_prices(&[(BTC, "60000", "0.65")]);
    let mark = option_mark_e18(OptionKind::Call, e18("60000"), e18("60000"), e18("0.65"), 0, expiry - 1, expiry)
        .expect("mark 1 ms before expiry");
    s.trade(alice, bob, call, E18, mark.max(1), 0).expect("1 ms before expiry");
    for now in [expiry, expiry + DAY_MS] {
        s.chain.set_time(now);
        s.set_prices(&[(BTC, "60000", "0.65")]);
        let expected = EngineError::InstrumentExpired(call);
        // Neither opening nor closing.
        assert_trade_rejected(&mut s, &[alice, bob], (bob, alice), call, E18, mark.max(1), 0, expected.clone());
        assert_trade_rejected(&mut s, &[alice, bob], (alice, bob), call, E18, 0, 0, expected);
    }
}

#[test]
fn unlisted_instrument_cannot_trade() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let count: u32 = s.chain.call::<engine::types::EngineConfig>(s.owner, s.engine, "config", ()).instrument_count;
    assert_eq!(count, 3);
    for id in [count, u32::MAX] {
        let expected = EngineError::UnknownInstrument(id);
        assert_trade_rejected(&mut s, &[alice, bob], (alice, bob), id, E18, e18("60000"), 0, expected);
    }
}

// ---------------------------------------------------------------------------------- value moved by trades

#[test]
fn wash_trades_between_colluding_accounts_move_at_most_the_band_per_leg() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let fee_account = s.fee_account;
    let perp = s.perp[BTC as usize];
    let (spot, size) = (e18("60000"), e18("1.5"));
    let allowed = spot / 50; // 2% of spot
    let (high, low) = (spot + allowed, spot - allowed);
    // band·S·size: 1,200 · 1.5 = 1,800 USD per leg.
    let per_leg: i128 = 1_800_000_000;
    assert_eq!(notional_units(size, allowed, 6, false), Ok(per_leg as u128));
    let total = |s: &mut Suite| cash(s, alice) + cash(s, bob) + cash(s, fee_account);
    let start_total = total(&mut s);
    let engine_quote = s.balance(s.quote, s.engine);

    // Round trip 1, no fee: Alice buys at the top of the band and sells at the bottom.
    let e_alice = s.health(alice).expect("health").equity_bits;
    let e_bob = s.health(bob).expect("health").equity_bits;
    s.trade(alice, bob, perp, size, high, 0).expect("buy at the top");
    // Marked at spot, each leg moves exactly band·S·size of equity and no cash.
    assert_eq!(s.health(alice).expect("health").equity_bits, e_alice - quote_bits(1_800));
    assert_eq!(s.health(bob).expect("health").equity_bits, e_bob + quote_bits(1_800));
    assert_eq!(total(&mut s), start_total);
    // The bound is tight: one wei further is refused.
    let actors = [alice, bob, fee_account];
    assert_trade_rejected(&mut s, &actors, (bob, alice), perp, size, low - 1, 0, EngineError::PriceOutOfBand);
    let (cash_alice, cash_bob) = (cash(&mut s, alice), cash(&mut s, bob));
    s.trade(bob, alice, perp, size, low, 0).expect("sell at the bottom");
    assert_eq!(cash(&mut s, alice), cash_alice - 2 * per_leg);
    assert_eq!(cash(&mut s, bob), cash_bob + 2 * per_leg);
    assert_eq!(s.health(alice).expect("health").equity_bits, e_alice - quote_bits(3_600));
    assert_eq!(position(&mut s, alice, perp).size_e18, 0);
    assert_eq!(position(&mut s, bob, perp).size_e18, 0);
    assert_eq!(total(&mut s), start_total, "a round trip without fees conserves cash exactly");

    // Two more round trips with a 0.1% fee: the fee account gains what both sides pay.
    let rate = E18 / 1000;
    let fee =
        |price: u128| fee_units(notional_units(size, price, 6, true).expect("notional"), rate).expect("fee") as i128;
    let (fee_high, fee_low) = (fee(high), fee(low));
    // By hand: 0.1% of 1.5 · 61,200 = 91.8 USD; of 1.5 · 58,800 = 88.2 USD.
    assert_eq!((fee_high, fee_low), (91_800_000, 88_200_000));
    for round in 1..=2i128 {
        let (a0, b0, f0) = (cash(&mut s, alice), cash(&mut s, bob), cash(&mut s, fee_account));
        s.trade(alice, bob, perp, size, high, rate).expect("buy at the top");
        s.trade(bob, alice, perp, size, low, rate).expect("sell at the bottom");
        let (a1, b1, f1) = (cash(&mut s, alice), cash(&mut s, bob), cash(&mut s, fee_account));
        assert_eq!(a1 - a0, -2 * per_leg - fee_high - fee_low, "round {round}");
        assert_eq!(b1 - b0, 2 * per_leg - fee_high - fee_low, "round {round}");
        assert_eq!(f1 - f0, 2 * (fee_high + fee_low), "round {round}");
        assert_eq!(total(&mut s), start_total, "round {round}: Σ cash of both and the fee account is conserved");
    }
    assert_eq!(s.balance(s.quote, s.engine), engine_quote, "no token moved");
}

#[test]
fn wash_trade_rounding_never_creates_cash() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    s.chain.set_time(T0 + 1_000);
    s.set_prices(&[(IDX, "1000.000000000000000333", "0.3")]);
    let perp = s.perp[IDX as usize];
    let spot = e18("1000.000000000000000333");
    let allowed = spot / 50;
    let (high, low, size) = (spot + allowed, spot - allowed, e18("0.007"));
    let sum = |s: &mut Suite| cash(s, alice) + cash(s, bob);
    let start = sum(&mut s);
    s.trade(alice, bob, perp, size, high, 0).expect("open");
    s.trade(bob, alice, perp, size, low, 0).expect("close");
    // Each side's realized P&L is rounded toward −∞ on its own, so the pair can only lose dust to
    // the engine, never create cash.
    let alice_pnl = fill_linear(size as i128, high, -(size as i128), low, 6).expect("fill").realized_units;
    let bob_pnl = fill_linear(-(size as i128), high, size as i128, low, 6).expect("fill").realized_units;
    // By hand: 0.007 · (high − low) = 0.007 · 40.000000000000000000012 = 0.280000000000000000000084 USD: −0.280001 and +0.280000.
    assert_eq!((alice_pnl, bob_pnl), (-280_001, 280_000));
    assert_eq!(sum(&mut s) - start, alice_pnl + bob_pnl);
    assert_eq!(sum(&mut s) - start, -1);
}

// ---------------------------------------------------------------------------------- margin rule

#[test]
fn account_below_initial_margin_may_reduce_but_not_increase_or_cross() {
    let mut s = Suite::new();
    let (alice, bob) = (actor(10), trader(&mut s, 11));
    s.fund(alice, s.quote, units("10000", 6));
    s.approve_venue(alice);
    let perp = s.perp[BTC as usize];
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("long 1 BTC with 10,000 USD");
    s.chain.set_time(T0 + 1_000);
    s.set_prices(&[(BTC, "55000", "0.65")]);
    // E = 10,000 − 5,000 = 5,000 < IM = 5,500; MM = 3,300: healthy but below IM.
    let h = s.health(alice).expect("health");
    assert_eq!(h.equity_bits, quote_bits(5_000));
    assert!(h.equity_bits < h.initial_margin_bits && h.health_bits > 0);
    let actors = [alice, bob];
    let price = e18("55000");
    // Increasing.
    let expected = EngineError::TradeMargin(Side::Buyer);
    assert_trade_rejected(&mut s, &actors, (alice, bob), perp, LOT, price, 0, expected);
    // Crossing zero to a smaller short (|−0.95| < |1|) is not reducing: E 5,000 < IM 5,225.
    let expected = EngineError::TradeMargin(Side::Seller);
    assert_trade_rejected(&mut s, &actors, (bob, alice), perp, e18("1.95"), price, 0, expected);

    // Reducing by 0.05 at the bottom of the band is refused: below IM, a side trades at the mark
    // or better for itself (an insolvent seller could otherwise hand value to a friend).
    let expected = EngineError::TradeMargin(Side::Seller);
    assert_trade_rejected(&mut s, &actors, (bob, alice), perp, e18("0.05"), e18("53900"), 0, expected);
    // At the mark: E is unchanged (the loss moves from unrealized to cash), MM falls by 0.05·3,300.
    let cash_before = cash(&mut s, alice);
    s.trade(bob, alice, perp, e18("0.05"), price, 0).expect("reducing below IM at the mark");
    let expected_fill = fill_linear(E18 as i128, e18("60000"), -(e18("0.05") as i128), price, 6).expect("fill");
    assert_eq!(expected_fill.realized_units, -250_000_000);
    assert_eq!(cash(&mut s, alice), cash_before + expected_fill.realized_units);
    assert_eq!(
        position(&mut s, alice, perp),
        PositionData {
            instrument: perp,
            underlying: BTC,
            kind: InstrumentKind::Linear,
            size_e18: e18("0.95") as i128,
            entry_e18: e18("60000")
        }
    );
    let after = s.health(alice).expect("health");
    // 9,750 − 0.95·5,000 = 5,000, still below IM (0.95·5,500 = 5,225): the reducing rule let it
    // through. margin-math converts sizes toward zero (`units_to_value_toward_zero`, for exact
    // netting), so 0.95 becomes 0.95 − 0.2·2⁻⁴⁸ and the 5,000 loss per unit is understated by
    // 1,000 bits (3.6e-12 USD), in the account's favour.
    assert_eq!(after.equity_bits - quote_bits(5_000), 1_000);
    assert!(after.equity_bits < after.initial_margin_bits);
    assert!(after.health_bits > h.health_bits, "maintenance health rose");
    // Still no increase.
    assert_trade_rejected(&mut s, &actors, (alice, bob), perp, LOT, price, 0, EngineError::TradeMargin(Side::Buyer));
}

// ---------------------------------------------------------------------------------- cash flows

#[test]
fn reducing_a_linear_position_realizes_exactly_the_fill_pnl() {
    let mut s = Suite::new();
    let (alice, bob, carol) = (trader(&mut s, 10), trader(&mut s, 11), trader(&mut s, 12));
    let perp = s.perp[BTC as usize];
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("open long 1 @ 60,000");

    // A gain: sell 0.333 of it at 61,234.567891234567891234.
    s.chain.set_time(T0 + 1_000);
    s.set_prices(&[(BTC, "61000.5", "0.65")]);
    let p1 = e18("61234.567891234567891234");
    let (a0, c0) = (cash(&mut s, alice), cash(&mut s, carol));
    s.trade(carol, alice, perp, e18("0.333"), p1, 0).expect("reduce");
    let fill = fill_linear(E18 as i128, e18("60000"), -(e18("0.333") as i128), p1, 6).expect("fill");
    assert_eq!(fill.realized_units, 411_111_107, "0.333 · 1,234.567891… = 411.111107… USD, rounded down");
    assert_eq!(cash(&mut s, alice) - a0, fill.realized_units);
    assert_eq!(
        position(&mut s, alice, perp),
        PositionData {
            instrument: perp,
            underlying: BTC,
            kind: InstrumentKind::Linear,
            size_e18: e18("0.667") as i128,
            entry_e18: e18("60000")
        }
    );
    assert_eq!(cash(&mut s, carol), c0, "opening realizes nothing");
    let long = PositionData {
        instrument: perp,
        underlying: BTC,
        kind: InstrumentKind::Linear,
        size_e18: e18("0.333") as i128,
        entry_e18: p1,
    };
    assert_eq!(position(&mut s, carol, perp), long);

    // A loss, crossing zero: Alice sells 0.777 (closes 0.667 at a loss, opens 0.11 short) to Bob,
    // who buys back 0.777 of his 1 short with a gain.
    s.chain.set_time(T0 + 2_000);
    s.set_prices(&[(BTC, "59000.123", "0.65")]);
    let p2 = e18("59100.000000000000000001");
    let (a1, b1) = (cash(&mut s, alice), cash(&mut s, bob));
    s.trade(bob, alice, perp, e18("0.777"), p2, 0).expect("cross");
    let fa = fill_linear(e18("0.667") as i128, e18("60000"), -(e18("0.777") as i128), p2, 6).expect("fill");
    let fb = fill_linear(-(E18 as i128), e18("60000"), e18("0.777") as i128, p2, 6).expect("fill");
    assert_eq!(fa.realized_units, -600_300_000, "0.667 · −899.999…999 = −600.2999… USD, rounded toward −∞");
    assert_eq!(fb.realized_units, 699_299_999, "0.777 · 899.999…999 = 699.2999… USD, rounded down");
    assert_eq!(cash(&mut s, alice) - a1, fa.realized_units);
    assert_eq!(cash(&mut s, bob) - b1, fb.realized_units);
    let short = PositionData {
        instrument: perp,
        underlying: BTC,
        kind: InstrumentKind::Linear,
        size_e18: -(e18("0.11") as i128),
        entry_e18: p2,
    };
    assert_eq!(position(&mut s, alice, perp), short, "the remainder opens at the trade price");
    let rest = PositionData {
        instrument: perp,
        underlying: BTC,
        kind: InstrumentKind::Linear,
        size_e18: -(e18("0.223") as i128),
        entry_e18: e18("60000"),
    };
    assert_eq!(position(&mut s, bob, perp), rest, "a reduced position keeps its entry");

    // Increasing realizes nothing and averages the entry (long rounds up, short down).
    let (b2, c2) = (cash(&mut s, bob), cash(&mut s, carol));
    let p3 = e18("59000.000000000000000007");
    s.trade(carol, bob, perp, e18("0.002"), p3, 0).expect("increase both");
    let fb = fill_linear(-(e18("0.223") as i128), e18("60000"), -(e18("0.002") as i128), p3, 6).expect("fill");
    let fc = fill_linear(e18("0.333") as i128, p1, e18("0.002") as i128, p3, 6).expect("fill");
    assert_eq!((fb.realized_units, fc.realized_units), (0, 0));
    assert_eq!((cash(&mut s, bob), cash(&mut s, carol)), (b2, c2));
    assert_eq!(position(&mut s, bob, perp).entry_e18, fb.entry_e18);
    assert_eq!(position(&mut s, carol, perp).entry_e18, fc.entry_e18);
    // By hand, sizes in lots: (223·60,000 + 2·p3) / 225 rounded down for the short, and
    // (333·p1 + 2·p3) / 335 rounded up for the long.
    assert_eq!(fb.entry_e18, (223 * e18("60000") + 2 * p3) / 225);
    assert_eq!(fc.entry_e18, (333 * p1 + 2 * p3).div_ceil(335));
}

#[test]
fn fees_go_to_the_fee_account_and_both_sides_pay_them() {
    let mut s = Suite::new();
    let (alice, bob) = (trader(&mut s, 10), trader(&mut s, 11));
    let fee_account = s.fee_account;
    let perp = s.perp[ETH as usize];
    // Without a fee the fee account is not even created.
    s.trade(alice, bob, perp, E18, e18("3000"), 0).expect("no fee");
    assert_eq!(s.account(fee_account), None);

    let rate = e18("0.0037");
    let (size, price) = (e18("0.123"), e18("3001.234567"));
    let fee = fee_units(notional_units(size, price, 6, true).expect("notional"), rate).expect("fee");
    // By hand: 0.123 · 3,001.234567 = 369.151851741 → 369.151852 USD (up); 0.37% of it,
    // 1,365,861.8524 base units → 1,365,862 (up).
    assert_eq!(fee, 1_365_862);
    let (a0, b0) = (cash(&mut s, alice), cash(&mut s, bob));
    s.trade(alice, bob, perp, size, price, rate).expect("linear with fee");
    assert_eq!(cash(&mut s, alice), a0 - fee as i128);
    assert_eq!(cash(&mut s, bob), b0 - fee as i128);
    assert_eq!(cash(&mut s, fee_account), 2 * fee as i128);

    // Options: the fee is charged on the premium (size · price), besides the premium itself.
    let expiry = T0 + 30 * DAY_MS;
    let call = s.list_option(ETH, OptionType::Call, "3100", expiry);
    let mark = option_mark_e18(OptionKind::Call, e18("3000"), e18("3100"), e18("0.8"), 0, T0, expiry).expect("mark");
    let size = e18("0.777");
    let premium = premium_units(size, mark, 6).expect("premium");
    let fee = fee_units(notional_units(size, mark, 6, true).expect("notional"), rate).expect("fee");
    let (a1, b1, f1) = (cash(&mut s, alice), cash(&mut s, bob), cash(&mut s, fee_account));
    s.trade(alice, bob, call, size, mark, rate).expect("option with fee");
    assert_eq!(cash(&mut s, alice), a1 - premium as i128 - fee as i128);
    assert_eq!(cash(&mut s, bob), b1 + premium as i128 - fee as i128);
    assert_eq!(cash(&mut s, fee_account), f1 + 2 * fee as i128);
}

#[test]
fn trade_applied_event_reports_every_field() {
    let mut s = Suite::new();
    let (alice, bob, carol) = (trader(&mut s, 10), trader(&mut s, 11), trader(&mut s, 12));
    let (engine, venue) = (s.engine, s.venue);
    let perp = s.perp[BTC as usize];
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("open");

    // Alice sells 0.4 to Carol at 60,500 with a 0.2% fee: she realizes 0.4 · 500 = 200 USD.
    let (size, price, rate) = (e18("0.4"), e18("60500"), E18 / 500);
    s.chain.clear_events();
    s.trade(carol, alice, perp, size, price, rate).expect("reduce");
    let events = s.chain.events::<TradeApplied>(engine);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    let fee = fee_units(notional_units(size, price, 6, true).expect("notional"), rate).expect("fee");
    assert_eq!(fee, 48_400_000, "0.2% of 24,200 USD");
    assert_eq!((e.instrument, e.buyer, e.seller, e.venue), (perp, carol, alice, venue));
    assert_eq!((e.size_e18, e.price_e18, e.premium, e.fee_per_side), (size, price, 0, fee));
    assert_eq!((e.buyer_realized, e.seller_realized), (0, 200_000_000));

    // An option: the premium is reported, nothing is realized.
    let expiry = T0 + 7 * DAY_MS;
    let put = s.list_option(BTC, OptionType::Put, "59000", expiry);
    let mark = option_mark_e18(OptionKind::Put, e18("60000"), e18("59000"), e18("0.65"), 0, T0, expiry).expect("mark");
    let size = e18("1.234");
    s.chain.clear_events();
    s.trade(bob, carol, put, size, mark, 0).expect("option");
    let events = s.chain.events::<TradeApplied>(engine);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    let premium = premium_units(size, mark, 6).expect("premium");
    assert_eq!((e.instrument, e.buyer, e.seller, e.venue), (put, bob, carol, venue));
    assert_eq!((e.size_e18, e.price_e18, e.premium, e.fee_per_side), (size, mark, premium, 0));
    assert_eq!((e.buyer_realized, e.seller_realized), (0, 0));
}

#[test]
fn open_interest_is_the_sum_of_long_sizes() {
    let mut s = Suite::new();
    let (alice, bob, carol) = (trader(&mut s, 10), trader(&mut s, 11), trader(&mut s, 12));
    let perp = s.perp[BTC as usize];
    let p = e18("60000");
    // (buyer, seller, size) → longs after the trade, by hand.
    let steps = [
        ((alice, bob), e18("2"), e18("2")),   // A +2, B −2
        ((carol, alice), e18("1"), e18("2")), // A +1, C +1, B −2
        ((bob, alice), e18("3"), e18("2")),   // A −2, B +1, C +1
        ((alice, carol), e18("2"), e18("1")), // A 0, B +1, C −1
    ];
    for (i, ((buyer, seller), size, oi)) in steps.into_iter().enumerate() {
        s.trade(buyer, seller, perp, size, p, 0).unwrap_or_else(|e| panic!("step {i}: {e:?}"));
        assert_eq!(open_interest(&mut s, perp), oi, "step {i}");
        let net: i128 = [alice, bob, carol].into_iter().map(|w| position(&mut s, w, perp).size_e18).sum();
        assert_eq!(net, 0, "step {i}: positions sum to zero");
    }
    assert_eq!(s.account(alice).expect("alice").positions, vec![], "a closed position is removed");

    // Other instruments keep their own open interest.
    let call = s.list_option(BTC, OptionType::Call, "60000", T0 + 30 * DAY_MS);
    s.trade(alice, bob, call, e18("0.5"), e18("5000"), 0).expect("option");
    assert_eq!(open_interest(&mut s, call), e18("0.5"));
    assert_eq!(open_interest(&mut s, perp), e18("1"));

    // The cap lowered below the current open interest: trades that lower it still pass, trades
    // that raise it do not.
    let owner = s.owner;
    let capped = MarketConfig { open_interest_cap_e18: e18("0.2"), ..market_config(BTC) };
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, capped));
    assert_eq!(res, Ok(()));
    s.trade(carol, bob, perp, e18("0.5"), p, 0).expect("lowering open interest");
    assert_eq!(open_interest(&mut s, perp), e18("0.5"));
    let expected = EngineError::OpenInterestCapExceeded;
    assert_trade_rejected(&mut s, &[alice, bob, carol], (alice, carol), perp, e18("0.1"), p, 0, expected);
}
