//! The oracle on the real Wasm (`docs/contracts.md`, oracle): median with the lower middle,
//! rejected submissions, reporter removal and re-addition, the quorum-th newest stamp, the window
//! edge, batched reads and events; then the engine's side of freshness: the `max_oracle_age_ms`
//! edge, a stale price blocking a withdrawal while a deposit needs no oracle at all.
//!
//! The suite's oracle has reporters 2–4 (each submitted every feed at `T0`), feeds 0–5 with a
//! 30 s window, quorum 2, a 2% spread and bounds `[1e-18, 1e6]` (prices) or `[1e-18, 10]`
//! (vols); the engine's max oracle age is 30 s. Every test sets the block time explicitly.

use engine::EngineError;
use oracle::{FeedConfig, FeedError, FeedKind, FeedValue, OracleError, ReporterAdded, ReporterRemoved, Submitted};

use crate::suite::*;
use crate::utils::{actor, Account};

/// BTC price feed (market BTC's `price_feed`).
const BTC_PRICE: u32 = 0;
/// BTC volatility feed.
const BTC_VOL: u32 = 1;
/// The largest value the suite's price feeds accept: the markets' max spot, 1e6 with 18 decimals.
const FEED_MAX_E18: u128 = 1_000_000 * E18;

/// Sets every suite feed's quorum to `quorum` (a reporter set of 4 needs 3).
fn set_quorum(s: &mut Suite, quorum: u32) {
    for feed in 0..6u32 {
        let kind = if feed % 2 == 0 { FeedKind::Price } else { FeedKind::Volatility };
        let config = feed_config(kind, quorum, market_config(BTC).max_spot_e18);
        let res: Result<(), OracleError> = s.chain.call(s.owner, s.oracle, "update_feed", (feed, config));
        res.expect("update feed");
    }
}

fn submit(s: &mut Suite, reporter: Account, feed: u32, value_e18: u128, ts_ms: u64) -> Result<(), OracleError> {
    s.chain.call(reporter, s.oracle, "submit", (feed, value_e18, ts_ms))
}

fn submit_batch(s: &mut Suite, reporter: Account, items: Vec<(u32, u128, u64)>) -> Result<(), OracleError> {
    s.chain.call(reporter, s.oracle, "submit_batch", items)
}

fn read(s: &mut Suite, feed: u32) -> Result<FeedValue, FeedError> {
    s.chain.call(s.owner, s.oracle, "PriceOracle::read", feed)
}

fn read_batch(s: &mut Suite, feeds: Vec<u32>) -> Vec<Result<FeedValue, FeedError>> {
    s.chain.call(s.owner, s.oracle, "PriceOracle::read_batch", feeds)
}

fn submissions(s: &mut Suite, feed: u32) -> Vec<(Account, u128, u64)> {
    s.chain.call(s.owner, s.oracle, "submissions", feed)
}

fn add_reporter(s: &mut Suite, who: Account) -> Result<(), OracleError> {
    s.chain.call(s.owner, s.oracle, "add_reporter", who)
}

fn remove_reporter(s: &mut Suite, who: Account) -> Result<(), OracleError> {
    s.chain.call(s.owner, s.oracle, "remove_reporter", who)
}

fn value(value_e18: u128, ts_ms: u64) -> Result<FeedValue, FeedError> {
    Ok(FeedValue { value_e18, ts_ms, window_ms: WINDOW_MS })
}

fn withdraw(s: &mut Suite, who: Account, asset: Account, amount: u128) -> Result<(), EngineError> {
    s.chain.call(who, s.engine, "withdraw", (asset, amount))
}

#[test]
fn even_count_takes_the_lower_middle_and_an_extreme_outlier_does_not_move_it() {
    let mut s = Suite::new();
    let t = T0 + 5_000;
    s.chain.set_time(t);
    let [r1, r2, r3] = s.reporters;
    let r4 = actor(7);
    // Four reporters need a quorum of 3 (a strict majority).
    assert_eq!(add_reporter(&mut s, r4), Err(OracleError::QuorumNotMajority(0)));
    set_quorum(&mut s, 3);
    add_reporter(&mut s, r4).expect("fourth reporter");
    for (r, v) in [(r1, "100"), (r2, "101"), (r3, "102")] {
        submit(&mut s, r, BTC_PRICE, e18(v), t).expect("honest submission");
    }
    // Three fresh values: the middle one.
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("101"), t));

    // The fourth reporter submits the largest accepted value. Sorted: 100, 101, 102, 1e6; the
    // lower middle is 101 (an average of the middles would be 101.5, the upper middle 102), and
    // the three honest values agree with it.
    submit(&mut s, r4, BTC_PRICE, FEED_MAX_E18, t).expect("high outlier is within bounds");
    assert_eq!(submissions(&mut s, BTC_PRICE).len(), 4, "all four values count");
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("101"), t));

    // A low outlier (the smallest accepted value, 1e-18): 1e-18, 100, 101, 102 → 100, an honest
    // reporter's value, not the outlier.
    submit(&mut s, r4, BTC_PRICE, 1, t).expect("low outlier is within bounds");
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("100"), t));
}

#[test]
fn future_timestamps_are_rejected_and_store_nothing() {
    let mut s = Suite::new();
    let t = T0 + 5_000;
    s.chain.set_time(t);
    let r1 = s.reporters[0];
    let before = submissions(&mut s, BTC_PRICE);
    s.chain.clear_events();

    assert_eq!(submit(&mut s, r1, BTC_PRICE, e18("61000"), t + 1), Err(OracleError::FutureTimestamp));
    // A batch is all or nothing: a valid first item is not stored when the second is in the future.
    let batch = vec![(BTC_PRICE, e18("61000"), t), (BTC_VOL, e18("0.7"), t + 1)];
    assert_eq!(submit_batch(&mut s, r1, batch), Err(OracleError::FutureTimestamp));
    assert_eq!(s.chain.event_count(s.oracle), 0);
    assert_eq!(submissions(&mut s, BTC_PRICE), before);
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("60000"), T0));

    // A timestamp equal to the block time is accepted.
    assert_eq!(submit(&mut s, r1, BTC_PRICE, e18("61000"), t), Ok(()));
    assert!(submissions(&mut s, BTC_PRICE).contains(&(r1, e18("61000"), t)));
}

#[test]
fn zero_and_out_of_bounds_values_are_rejected() {
    let mut s = Suite::new();
    let t = T0 + 5_000;
    s.chain.set_time(t);
    let [r1, r2, _] = s.reporters;
    let config = FeedConfig { quorum: 2, min_e18: e18("10"), max_e18: e18("20"), ..feed_config(FeedKind::Price, 2, 0) };
    let created: Result<u32, OracleError> = s.chain.call(s.owner, s.oracle, "create_feed", config);
    let feed = created.expect("create feed");
    assert_eq!(feed, 6, "after the suite's feeds 0–5");

    s.chain.clear_events();
    assert_eq!(submit(&mut s, r1, BTC_PRICE, 0, t), Err(OracleError::ZeroValue));
    assert_eq!(submit(&mut s, r1, feed, 0, t), Err(OracleError::ZeroValue));
    assert_eq!(submit(&mut s, r1, feed, e18("10") - 1, t), Err(OracleError::OutOfBounds));
    assert_eq!(submit(&mut s, r1, feed, e18("20") + 1, t), Err(OracleError::OutOfBounds));
    assert_eq!(submit(&mut s, r1, feed, u128::MAX, t), Err(OracleError::OutOfBounds));
    assert_eq!(submit(&mut s, r1, BTC_PRICE, FEED_MAX_E18 + 1, t), Err(OracleError::OutOfBounds));
    assert_eq!(s.chain.event_count(s.oracle), 0);
    assert!(submissions(&mut s, feed).is_empty());
    assert_eq!(read(&mut s, feed), Err(FeedError::NoQuorum));

    // Both bounds are inclusive.
    assert_eq!(submit(&mut s, r1, feed, e18("20"), t), Ok(()));
    assert_eq!(submit(&mut s, r2, feed, e18("20"), t), Ok(()));
    assert_eq!(read(&mut s, feed), value(e18("20"), t));
    assert_eq!(submit(&mut s, r1, feed, e18("10"), t), Ok(()));
    assert_eq!(submit(&mut s, r2, feed, e18("10"), t), Ok(()));
    assert_eq!(read(&mut s, feed), value(e18("10"), t));
}

#[test]
fn removed_reporter_stops_counting_at_once() {
    let mut s = Suite::new();
    let t = T0 + 5_000;
    s.chain.set_time(t);
    let [r1, r2, r3] = s.reporters;
    for (r, v) in [(r1, "100"), (r2, "101"), (r3, "102")] {
        submit(&mut s, r, BTC_PRICE, e18(v), t).expect("submit");
    }
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("101"), t));

    // Same block: r2's fresh 101 is gone; 100 and 102 remain → lower middle 100.
    remove_reporter(&mut s, r2).expect("remove r2");
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("100"), t));
    assert_eq!(submissions(&mut s, BTC_PRICE), vec![(r1, e18("100"), t), (r3, e18("102"), t)]);
    assert_eq!(submit(&mut s, r2, BTC_PRICE, e18("101"), t), Err(OracleError::NotReporter));

    // One fresh value left, quorum 2: no value, although r3's submission is fresh and stored (and
    // the value the set agreed on before is forgotten with the removal).
    remove_reporter(&mut s, r3).expect("remove r3");
    assert_eq!(read(&mut s, BTC_PRICE), Err(FeedError::NoQuorum));
    let reporters: Vec<Account> = s.chain.call(s.owner, s.oracle, "reporters", ());
    assert_eq!(reporters, vec![r1]);
    assert_eq!(remove_reporter(&mut s, r3), Err(OracleError::NotReporter));
}

#[test]
fn re_added_reporter_old_value_stays_void() {
    let mut s = Suite::new();
    let t = T0 + 5_000;
    s.chain.set_time(t);
    let [r1, r2, r3] = s.reporters;
    for (r, v) in [(r1, "100"), (r2, "101"), (r3, "102")] {
        submit(&mut s, r, BTC_PRICE, e18(v), t).expect("submit");
    }
    remove_reporter(&mut s, r3).expect("remove");
    add_reporter(&mut s, r3).expect("re-add");
    // r3's stored 102 is fresh but from its previous membership: 100, 101 → 100 (with 102 it
    // would be 101).
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("100"), t));
    assert_eq!(submissions(&mut s, BTC_PRICE), vec![(r1, e18("100"), t), (r2, e18("101"), t)]);
    remove_reporter(&mut s, r2).expect("remove r2");
    assert_eq!(read(&mut s, BTC_PRICE), Err(FeedError::NoQuorum), "the void value does not make the quorum");

    // The void submission does not constrain the next one's timestamp either: r3 may submit an
    // observation older than its void one, and that counts (and stamps the value: the second
    // newest of the two).
    let older = t - 1_000;
    assert_eq!(submit(&mut s, r3, BTC_PRICE, e18("100.5"), older), Ok(()));
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("100"), older));
    assert_eq!(submit(&mut s, r3, BTC_PRICE, e18("100.5"), older - 1), Err(OracleError::OlderThanPrevious));
}

#[test]
fn value_carries_the_newest_instant_a_quorum_supports() {
    let mut s = Suite::new();
    let now = T0 + 35_000;
    s.chain.set_time(now);
    let [r1, r2, r3] = s.reporters;
    submit(&mut s, r1, BTC_PRICE, e18("100"), T0 + 10_000).expect("submit");
    submit(&mut s, r2, BTC_PRICE, e18("101"), T0 + 34_999).expect("submit");
    submit(&mut s, r3, BTC_PRICE, e18("102"), T0 + 20_000).expect("submit");
    // The median is r2's value; the stamp the second newest (quorum 2) of the three: r3's. Two
    // reporters vouch for data at least that new; one old observation does not age the value.
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("101"), T0 + 20_000));

    // r1's observation leaves the window (30,001 ms old): 101 and 102 remain, same stamp.
    s.chain.set_time(T0 + 10_000 + WINDOW_MS + 1);
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("101"), T0 + 20_000));
    assert_eq!(submissions(&mut s, BTC_PRICE).len(), 3, "stale values stay stored; the read filters them");
}

#[test]
fn window_edge_is_inclusive() {
    let mut s = Suite::new();
    let t = T0 + 1_000;
    s.chain.set_time(t + 1);
    let [r1, r2, _] = s.reporters;
    submit(&mut s, r1, BTC_PRICE, e18("100"), t).expect("submit");
    submit(&mut s, r2, BTC_PRICE, e18("101"), t + 1).expect("submit");

    // r1's value is exactly WINDOW_MS old: it counts (r3's T0 value is 31 s old and does not).
    s.chain.set_time(t + WINDOW_MS);
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("100"), t));
    // One ms later r1's value is out; r2's alone misses the quorum of 2: the feed keeps the value
    // of its last quorum instant (t + WINDOW_MS), stamped t — stale to the engine, never lost.
    s.chain.set_time(t + WINDOW_MS + 1);
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("100"), t));
}

#[test]
fn batched_reads_return_one_result_per_feed_in_order() {
    let mut s = Suite::new();
    // Every value the suite submitted at T0 is stale now.
    let t = T0 + WINDOW_MS + 1;
    s.chain.set_time(t);
    let [r1, r2, r3] = s.reporters;
    submit(&mut s, r1, BTC_PRICE, e18("100"), t).expect("submit");
    submit(&mut s, r2, BTC_PRICE, e18("101"), t).expect("submit");
    submit(&mut s, r1, BTC_VOL, e18("0.5"), t).expect("submit"); // alone: below quorum
    for (r, v) in [(r1, "0.79"), (r2, "0.81"), (r3, "0.8")] {
        submit(&mut s, r, 3, e18(v), t - 1).expect("submit"); // ETH vol
    }
    let feeds = vec![BTC_PRICE, BTC_VOL, 3, 99, BTC_PRICE, 2];
    // Below quorum now, BTC vol and ETH price keep their last quorum values: the suite's T0
    // submissions, stamped T0.
    let expected = vec![
        value(e18("100"), t),
        value(e18("0.65"), T0),
        value(e18("0.8"), t - 1),
        Err(FeedError::UnknownFeed),
        value(e18("100"), t),
        value(e18("3000"), T0),
    ];
    assert_eq!(read_batch(&mut s, feeds.clone()), expected);
    for (feed, result) in feeds.into_iter().zip(expected) {
        assert_eq!(read(&mut s, feed), result, "single read of feed {feed}");
    }
    assert!(read_batch(&mut s, Vec::new()).is_empty());
}

#[test]
fn submissions_and_reporter_changes_emit_events() {
    let mut s = Suite::new();
    let t = T0 + 5_000;
    s.chain.set_time(t);
    let r1 = s.reporters[0];
    let r4 = actor(7);

    set_quorum(&mut s, 3);
    s.chain.clear_events();
    add_reporter(&mut s, r4).expect("add");
    // The suite's reporters took epochs 1–3.
    assert_eq!(s.chain.events::<ReporterAdded>(s.oracle), vec![ReporterAdded { reporter: r4, epoch: 4 }]);
    assert_eq!(s.chain.event_count(s.oracle), 1);

    s.chain.clear_events();
    submit(&mut s, r4, BTC_PRICE, e18("61000"), t - 7).expect("submit");
    let submitted = Submitted { feed: BTC_PRICE, reporter: r4, value_e18: e18("61000"), ts_ms: t - 7 };
    assert_eq!(s.chain.events::<Submitted>(s.oracle), vec![submitted]);

    s.chain.clear_events();
    submit_batch(&mut s, r1, vec![(BTC_VOL, e18("0.6"), t), (BTC_PRICE, e18("60500"), t - 1)]).expect("batch");
    assert_eq!(
        s.chain.events::<Submitted>(s.oracle),
        vec![
            Submitted { feed: BTC_VOL, reporter: r1, value_e18: e18("0.6"), ts_ms: t },
            Submitted { feed: BTC_PRICE, reporter: r1, value_e18: e18("60500"), ts_ms: t - 1 },
        ]
    );

    s.chain.clear_events();
    remove_reporter(&mut s, r4).expect("remove");
    assert_eq!(s.chain.events::<ReporterRemoved>(s.oracle), vec![ReporterRemoved { reporter: r4 }]);
    assert!(s.chain.events::<ReporterAdded>(s.oracle).is_empty());

    // Failures emit nothing.
    s.chain.clear_events();
    assert_eq!(add_reporter(&mut s, r1), Err(OracleError::AlreadyReporter));
    let by_stranger: Result<(), OracleError> = s.chain.call(actor(10), s.oracle, "add_reporter", actor(11));
    assert_eq!(by_stranger, Err(OracleError::NotOwner));
    assert_eq!(submit(&mut s, r4, BTC_PRICE, e18("1"), t), Err(OracleError::NotReporter));
    assert_eq!(s.chain.event_count(s.oracle), 0);
}

#[test]
fn engine_health_is_fresh_at_max_age_and_stale_one_ms_later() {
    let mut s = Suite::new();
    let alice = actor(10);
    s.fund(alice, s.btc, units("2", 24));

    // BTC repriced at T0 + 10 s; r2 and r3 report an observation 6 s older. The feed's timestamp
    // is the newest instant a quorum (2) supports, so the engine's age runs from T0 + 4 s.
    let t = T0 + 10_000;
    let oldest = T0 + 4_000;
    s.chain.set_time(t);
    let [r1, r2, r3] = s.reporters;
    for (r, ts) in [(r1, t), (r2, oldest), (r3, oldest)] {
        submit_batch(&mut s, r, vec![(BTC_PRICE, e18("61000"), ts), (BTC_VOL, e18("0.6"), ts)]).expect("reprice");
    }
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("61000"), oldest));

    s.chain.set_time(oldest + MAX_AGE_MS);
    let h = s.health(alice).expect("age == max age is fresh");
    assert_eq!(h.now_ms, oldest + MAX_AGE_MS);
    let btc = h.underlyings.iter().find(|u| u.underlying == BTC).expect("btc risk");
    assert_eq!(btc.value_bits, 122_000i128 << 48, "2 BTC at the new price 61,000");
    assert_eq!(btc.delta_bits, 2i128 << 48);

    s.chain.set_time(oldest + MAX_AGE_MS + 1);
    assert_eq!(s.health(alice), Err(EngineError::StalePrice(BTC)));
    // The oracle itself still serves the value with its old stamp: the engine's age limit decides.
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("61000"), oldest));
}

#[test]
fn stale_price_blocks_withdrawal_while_deposit_needs_no_oracle() {
    let mut s = Suite::new();
    let alice = actor(10);
    s.chain.set_time(T0);
    s.fund(alice, s.btc, units("1.5", 24));
    s.fund(alice, s.quote, units("10000", 6));
    let (btc, quote) = (s.btc, s.quote);

    s.chain.set_time(T0 + MAX_AGE_MS + 1);
    let before = s.state(&[alice]);
    s.chain.clear_events();
    assert_eq!(withdraw(&mut s, alice, btc, units("0.5", 24)), Err(EngineError::StalePrice(BTC)));
    // Quote cash too: the account holds BTC collateral, so the margin check needs BTC's price.
    assert_eq!(withdraw(&mut s, alice, quote, units("100", 6)), Err(EngineError::StalePrice(BTC)));
    assert_eq!(s.state(&[alice]), before);
    assert_eq!(s.chain.event_count(s.engine), 0);

    // A deposit at the same stale time goes through.
    s.mint(s.btc, alice, units("0.25", 24));
    assert_eq!(s.deposit(alice, s.btc, units("0.25", 24)), Ok(()));
    let account = s.account(alice).expect("account");
    assert_eq!(account.collateral[0].amount, units("1.75", 24));
    assert_eq!(s.balance(s.btc, s.engine), units("1.75", 24));

    // Every submission out of the oracle's window (quorum lost): the oracle keeps the last
    // quorum value with its T0 stamp, so the engine still sees a stale price, not a missing one;
    // deposits of any asset still work.
    s.chain.set_time(T0 + WINDOW_MS + 1);
    assert_eq!(read(&mut s, BTC_PRICE), value(e18("60000"), T0));
    let before = s.state(&[alice]);
    assert_eq!(withdraw(&mut s, alice, btc, units("0.5", 24)), Err(EngineError::StalePrice(BTC)));
    assert_eq!(s.state(&[alice]), before);
    s.mint(s.eth, alice, units("3", 18));
    assert_eq!(s.deposit(alice, s.eth, units("3", 18)), Ok(()));
    assert_eq!(
        s.account(alice).expect("account").collateral.iter().find(|c| c.asset == s.eth).map(|c| c.amount),
        Some(units("3", 18))
    );
}
