//! The fund-losing paths an independent review found, each written as the attack: every test
//! failed on the code before its fix (the commit that fixed it quotes the failing run) and
//! passes now. One test per path, named as a sentence.

use engine::types::{LiquidationSlice, MarketConfig, OptionType};
use engine::EngineError;

use crate::liquidation::trader;
use crate::suite::*;
use crate::utils::actor;

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
