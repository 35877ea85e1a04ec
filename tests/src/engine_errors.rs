//! Every `EngineError` the engine can return today, each triggered by its own test, with the full
//! observable state compared before and after the failing call (a message that returns `Err`
//! must change nothing). `every_error_variant_is_mapped_to_its_test` maps each variant to its test
//! (or to the reason it cannot be reached yet) with an exhaustive `match`, so a new variant fails
//! to compile until it has a test, and a renamed test fails the map.

use deltamargin_interfaces::{FeedError, PSP22Error};
use engine::events::{OwnershipTransferStarted, OwnershipTransferred, PauseChanged};
use engine::types::{
    InstrumentKind, MarketConfig, OptionType, PauseFlags, RiskParams, StressView, MAX_ASSETS, MAX_GRACE_PERIOD_MS,
    MAX_MARKETS,
};
use engine::{EngineError, Side};
use ink::scale::{Decode, Encode};

use crate::state::assert_rejected;
use crate::suite::*;
use crate::utils::{actor, selector, Account};
use crate::BundleProvider;

type Unit = Result<(), EngineError>;

/// Alice (10) and Bob (11) with 1,000,000 USD each, both approving the suite's venue.
fn funded_pair(s: &mut Suite) -> (Account, Account) {
    let (alice, bob) = (actor(10), actor(11));
    for who in [alice, bob] {
        s.fund(who, s.quote, units("1000000", 6));
        s.approve_venue(who);
    }
    (alice, bob)
}

/// The venue's `apply_trade` arguments.
fn trade_args(buyer: Account, seller: Account, instrument: u32, size: u128, price: u128, fee: u128) -> impl Encode {
    (buyer, seller, instrument, size, price, fee)
}

/// Deploys a fresh token with `decimals` (salt ≥ 100 keeps it apart from the suite's).
fn deploy_token(s: &mut Suite, symbol: &str, decimals: u8, salt: u32) -> Account {
    let wasm = wasm(BundleProvider::Token);
    s.chain.deploy(&wasm, "new", (Some(symbol.to_string()), Some(symbol.to_string()), decimals), s.owner, salt)
}

// ---------------------------------------------------------------------------------- ownership

#[test]
fn non_owner_cannot_list_market() {
    let mut s = Suite::new();
    let mallory = actor(40);
    assert_rejected::<u32>(&mut s, &[mallory], mallory, "list_market", market_config(BTC), EngineError::NotOwner);
    // Every owner-gated message checks the caller.
    assert_rejected::<u32>(
        &mut s,
        &[mallory],
        mallory,
        "list_instrument",
        (BTC, InstrumentKind::Linear),
        EngineError::NotOwner,
    );
    assert_rejected::<()>(
        &mut s,
        &[mallory],
        mallory,
        "authorize_venue",
        (mallory, 0u128, 0u128),
        EngineError::NotOwner,
    );
    assert_rejected::<()>(&mut s, &[mallory], mallory, "set_max_positions", 4u32, EngineError::NotOwner);
    let owner: Account = s.chain.call::<engine::types::EngineConfig>(mallory, s.engine, "config", ()).owner;
    assert_eq!(owner, s.owner);
}

#[test]
fn non_pending_owner_cannot_accept_ownership() {
    let mut s = Suite::new();
    let (heir, mallory) = (actor(20), actor(40));
    // Nothing pending: nobody can accept.
    assert_rejected::<()>(&mut s, &[mallory], mallory, "accept_ownership", (), EngineError::NotPendingOwner);
    let res: Unit = s.chain.call(s.owner, s.engine, "transfer_ownership", heir);
    assert_eq!(res, Ok(()));
    assert_rejected::<()>(&mut s, &[mallory, heir], mallory, "accept_ownership", (), EngineError::NotPendingOwner);
    // The owner itself is not the pending owner either.
    let owner = s.owner;
    assert_rejected::<()>(&mut s, &[heir], owner, "accept_ownership", (), EngineError::NotPendingOwner);
    let (current, pending): (Account, Option<Account>) = (
        s.chain.call::<engine::types::EngineConfig>(mallory, s.engine, "config", ()).owner,
        s.chain.call::<engine::types::EngineConfig>(mallory, s.engine, "config", ()).pending_owner,
    );
    assert_eq!((current, pending), (s.owner, Some(heir)), "failed accepts leave the transfer pending");
}

#[test]
fn ownership_moves_in_two_steps_with_events() {
    let mut s = Suite::new();
    let (owner, heir, other) = (s.owner, actor(20), actor(21));
    s.chain.clear_events();
    let res: Unit = s.chain.call(owner, s.engine, "transfer_ownership", heir);
    assert_eq!(res, Ok(()));
    let started = s.chain.events::<OwnershipTransferStarted>(s.engine);
    assert_eq!(started.len(), 1);
    assert_eq!((started[0].owner, started[0].pending_owner), (owner, heir));
    // Until accepted, the old owner rules and the heir does not.
    let current: Account = s.chain.call::<engine::types::EngineConfig>(heir, s.engine, "config", ()).owner;
    assert_eq!(current, owner);
    assert_rejected::<()>(&mut s, &[heir], heir, "set_max_positions", 4u32, EngineError::NotOwner);
    // A second proposal replaces the first.
    let res: Unit = s.chain.call(owner, s.engine, "transfer_ownership", other);
    assert_eq!(res, Ok(()));
    assert_rejected::<()>(&mut s, &[heir], heir, "accept_ownership", (), EngineError::NotPendingOwner);
    let res: Unit = s.chain.call(owner, s.engine, "transfer_ownership", heir);
    assert_eq!(res, Ok(()));

    s.chain.clear_events();
    let res: Unit = s.chain.call(heir, s.engine, "accept_ownership", ());
    assert_eq!(res, Ok(()));
    let moved = s.chain.events::<OwnershipTransferred>(s.engine);
    assert_eq!(moved.len(), 1);
    assert_eq!((moved[0].previous_owner, moved[0].new_owner), (owner, heir));
    let (current, pending): (Account, Option<Account>) = (
        s.chain.call::<engine::types::EngineConfig>(heir, s.engine, "config", ()).owner,
        s.chain.call::<engine::types::EngineConfig>(heir, s.engine, "config", ()).pending_owner,
    );
    assert_eq!((current, pending), (heir, None));
    // The old owner lost its rights, the new one has them, and the transfer cannot be replayed.
    assert_rejected::<()>(&mut s, &[heir], owner, "set_max_positions", 4u32, EngineError::NotOwner);
    assert_rejected::<()>(&mut s, &[heir], heir, "accept_ownership", (), EngineError::NotPendingOwner);
    let res: Unit = s.chain.call(heir, s.engine, "set_max_positions", 4u32);
    assert_eq!(res, Ok(()));
    let max: u32 = s.chain.call::<engine::types::EngineConfig>(heir, s.engine, "config", ()).max_positions;
    assert_eq!(max, 4);
}

// ---------------------------------------------------------------------------------- listing

#[test]
fn unlisted_token_cannot_be_deposited_or_updated() {
    let mut s = Suite::new();
    let alice = actor(10);
    let stranger = deploy_token(&mut s, "XYZ", 18, 100);
    let res: Result<(), PSP22Error> = s.chain.call(s.owner, stranger, "mint", (alice, 1_000u128));
    assert_eq!(res, Ok(()));
    let res: Result<(), PSP22Error> = s.chain.call(alice, stranger, "PSP22::approve", (s.engine, 1_000u128));
    assert_eq!(res, Ok(()));
    assert_rejected::<()>(&mut s, &[alice], alice, "deposit", (stranger, 1_000u128), EngineError::UnknownAsset);
    let owner = s.owner;
    assert_rejected::<()>(&mut s, &[alice], owner, "update_asset", (stranger, 0u128, 1u128), EngineError::UnknownAsset);
    assert_eq!(s.balance(stranger, alice), 1_000, "the tokens never moved");
}

#[test]
fn listed_asset_cannot_be_listed_again() {
    let mut s = Suite::new();
    let owner = s.owner;
    let (btc, quote) = (s.btc, s.quote);
    let cap = units("10", 24);
    assert_rejected::<()>(&mut s, &[], owner, "list_asset", (btc, BTC, 0u128, cap), EngineError::AssetAlreadyListed);
    // Under another market too, and the quote asset as collateral.
    assert_rejected::<()>(&mut s, &[], owner, "list_asset", (btc, ETH, 0u128, cap), EngineError::AssetAlreadyListed);
    assert_rejected::<()>(
        &mut s,
        &[],
        owner,
        "list_asset",
        (quote, BTC, 0u128, 1_000u128),
        EngineError::AssetAlreadyListed,
    );
}

#[test]
fn seventeenth_collateral_asset_cannot_be_listed() {
    let mut s = Suite::new();
    let owner = s.owner;
    // The suite listed 3; fill up to MAX_ASSETS.
    for i in 3..MAX_ASSETS {
        let token = deploy_token(&mut s, &format!("T{i}"), 6, 100 + i);
        let res: Unit = s.chain.call(owner, s.engine, "list_asset", (token, ETH, 0u128, units("1000", 6)));
        assert_eq!(res, Ok(()), "asset {i}");
    }
    let listed: Result<Vec<Account>, EngineError> = s.chain.call(owner, s.engine, "collateral_assets", ());
    let listed = listed.expect("collateral_assets");
    assert_eq!(listed.len() as u32, MAX_ASSETS);
    let extra = deploy_token(&mut s, "EXTRA", 6, 200);
    let args = (extra, ETH, 0u128, units("1000", 6));
    assert_rejected::<()>(&mut s, &[], owner, "list_asset", args, EngineError::TooManyAssets);
    let asset: Result<engine::types::AssetConfig, EngineError> = s.chain.call(owner, s.engine, "asset", extra);
    assert_eq!(asset, Err(EngineError::UnknownAsset));
}

#[test]
fn token_with_25_decimals_cannot_be_listed() {
    let mut s = Suite::new();
    let owner = s.owner;
    let wide = deploy_token(&mut s, "WIDE", 25, 100);
    assert_rejected::<()>(
        &mut s,
        &[],
        owner,
        "list_asset",
        (wide, BTC, 0u128, 1u128),
        EngineError::UnsupportedDecimals(25),
    );
    // 24 decimals is the largest accepted.
    let widest = deploy_token(&mut s, "W24", 24, 101);
    let res: Unit = s.chain.call(owner, s.engine, "list_asset", (widest, BTC, 0u128, 1u128));
    assert_eq!(res, Ok(()));
}

#[test]
fn asset_haircut_of_one_hundred_percent_or_oversized_cap_is_rejected() {
    let mut s = Suite::new();
    let owner = s.owner;
    let token = deploy_token(&mut s, "NEW", 18, 100);
    let cap = units("1000", 18);
    assert_rejected::<()>(&mut s, &[], owner, "list_asset", (token, ETH, E18, cap), EngineError::InvalidAssetParams);
    // A cap worth more than 1e18 quote at the market's max spot (1e6): 1e12 whole tokens + 1 unit.
    let too_big = units("1000000000000", 18) + 1;
    assert_rejected::<()>(
        &mut s,
        &[],
        owner,
        "list_asset",
        (token, ETH, 0u128, too_big),
        EngineError::InvalidAssetParams,
    );
    let (eth, quote) = (s.eth, s.quote);
    assert_rejected::<()>(&mut s, &[], owner, "update_asset", (eth, E18, cap), EngineError::InvalidAssetParams);
    // The quote asset never takes a haircut.
    assert_rejected::<()>(&mut s, &[], owner, "update_asset", (quote, 1u128, cap), EngineError::InvalidAssetParams);
    // Just inside both bounds is accepted.
    let res: Unit = s.chain.call(owner, s.engine, "list_asset", (token, ETH, E18 - 1, too_big - 1));
    assert_eq!(res, Ok(()));
}

#[test]
fn unlisted_market_is_rejected() {
    let mut s = Suite::new();
    let owner = s.owner;
    let kind = InstrumentKind::Linear;
    assert_rejected::<u32>(&mut s, &[], owner, "list_instrument", (3u32, kind), EngineError::UnknownMarket(3));
    let config = market_config(BTC);
    assert_rejected::<()>(&mut s, &[], owner, "update_market", (7u32, config), EngineError::UnknownMarket(7));
    let token = deploy_token(&mut s, "NEW", 18, 100);
    assert_rejected::<()>(&mut s, &[], owner, "list_asset", (token, 3u32, 0u128, 1u128), EngineError::UnknownMarket(3));
}

#[test]
fn thirty_third_market_cannot_be_listed() {
    let mut s = Suite::new();
    let owner = s.owner;
    for u in 3..MAX_MARKETS {
        let res: Result<u32, EngineError> = s.chain.call(owner, s.engine, "list_market", market_config(BTC));
        assert_eq!(res, Ok(u));
    }
    assert_rejected::<u32>(&mut s, &[], owner, "list_market", market_config(BTC), EngineError::TooManyMarkets);
    let count: u32 = s.chain.call::<engine::types::EngineConfig>(owner, s.engine, "config", ()).market_count;
    assert_eq!(count, MAX_MARKETS);
}

#[test]
fn market_with_zero_band_is_rejected() {
    let mut s = Suite::new();
    let owner = s.owner;
    let zero_band = MarketConfig { band_e18: 0, ..market_config(BTC) };
    assert_rejected::<u32>(&mut s, &[], owner, "list_market", zero_band, EngineError::InvalidMarketParams);
    assert_rejected::<()>(&mut s, &[], owner, "update_market", (BTC, zero_band), EngineError::InvalidMarketParams);
    // Other bounds of the same check: zero lot, zero age, age above a day, spot cap above 1e10,
    // a band above 100%.
    let invalid = [
        MarketConfig { lot_e18: 0, ..market_config(BTC) },
        MarketConfig { max_oracle_age_ms: 0, ..market_config(BTC) },
        MarketConfig { max_oracle_age_ms: 86_400_001, ..market_config(BTC) },
        MarketConfig { max_spot_e18: e18("10000000000") + 1, ..market_config(BTC) },
        MarketConfig { band_e18: E18 + 1, ..market_config(BTC) },
    ];
    for config in invalid {
        assert_rejected::<u32>(&mut s, &[], owner, "list_market", config, EngineError::InvalidMarketParams);
    }
    // The position cap shares the variant: 0 and 33 are out of bounds.
    assert_rejected::<()>(&mut s, &[], owner, "set_max_positions", 0u32, EngineError::InvalidMarketParams);
    assert_rejected::<()>(&mut s, &[], owner, "set_max_positions", 33u32, EngineError::InvalidMarketParams);
}

#[test]
fn option_expiring_now_or_earlier_cannot_be_listed() {
    let mut s = Suite::new();
    let owner = s.owner;
    let option = |strike_e18: u128, expiry_ms: u64| InstrumentKind::Option {
        option_type: OptionType::Call,
        strike_e18,
        expiry_ms,
    };
    let now = s.chain.now();
    let minute = 60_000;
    // Expired or expiring now; off a whole minute (the oracle's settlement boundaries); more
    // than 10 years ahead.
    let ten_years = engine::types::MAX_EXPIRY_HORIZON_MS;
    for kind in [
        option(e18("60000"), now),
        option(e18("60000"), now - minute),
        option(e18("60000"), now + 1),
        option(e18("60000"), now + minute + 1),
        option(e18("60000"), now + ten_years + minute),
    ] {
        assert_rejected::<u32>(&mut s, &[], owner, "list_instrument", (BTC, kind), EngineError::InvalidInstrument);
    }
    // Strikes outside 1e-6 ..= 1e10.
    for strike in [e18("0.000001") - 1, e18("10000000000") + 1] {
        let kind = option(strike, now + minute);
        assert_rejected::<u32>(&mut s, &[], owner, "list_instrument", (BTC, kind), EngineError::InvalidInstrument);
    }
    let res: Result<u32, EngineError> =
        s.chain.call(owner, s.engine, "list_instrument", (BTC, option(E18, now + minute)));
    assert_eq!(res, Ok(3));
    let res: Result<u32, EngineError> =
        s.chain.call(owner, s.engine, "list_instrument", (BTC, option(E18, now - now % minute + ten_years)));
    assert_eq!(res, Ok(4), "ten years ahead on a whole minute is the furthest");
}

// ---------------------------------------------------------------------------------- deposits and withdrawals

#[test]
fn zero_deposit_or_withdrawal_is_rejected() {
    let mut s = Suite::new();
    let alice = actor(10);
    s.fund(alice, s.quote, units("100", 6));
    let quote = s.quote;
    assert_rejected::<()>(&mut s, &[alice], alice, "deposit", (quote, 0u128), EngineError::ZeroAmount);
    assert_rejected::<()>(&mut s, &[alice], alice, "withdraw", (quote, 0u128), EngineError::ZeroAmount);
}

#[test]
fn deposit_above_cap_is_rejected() {
    let mut s = Suite::new();
    let (owner, alice, eth) = (s.owner, actor(10), s.eth);
    let cap = units("10", 18);
    let res: Unit = s.chain.call(owner, s.engine, "update_asset", (eth, 0u128, cap));
    assert_eq!(res, Ok(()));
    s.fund(alice, eth, units("4", 18));
    s.mint(eth, alice, units("7", 18));
    let res: Result<(), PSP22Error> = s.chain.call(alice, eth, "PSP22::approve", (s.engine, units("7", 18)));
    assert_eq!(res, Ok(()));
    // 4 + 7 > 10.
    assert_rejected::<()>(&mut s, &[alice], alice, "deposit", (eth, units("7", 18)), EngineError::DepositCapExceeded);
    // Exactly up to the cap is accepted.
    let res: Unit = s.chain.call(alice, s.engine, "deposit", (eth, units("6", 18)));
    assert_eq!(res, Ok(()));
    assert_rejected::<()>(&mut s, &[alice], alice, "deposit", (eth, 1u128), EngineError::DepositCapExceeded);
}

#[test]
fn withdrawal_without_account_is_rejected() {
    let mut s = Suite::new();
    let (nobody, quote, btc) = (actor(30), s.quote, s.btc);
    assert_rejected::<()>(&mut s, &[nobody], nobody, "withdraw", (quote, 1u128), EngineError::NoAccount);
    assert_rejected::<()>(&mut s, &[nobody], nobody, "withdraw", (btc, 1u128), EngineError::NoAccount);
    let health = s.health(nobody);
    assert_eq!(health, Err(EngineError::NoAccount));
}

#[test]
fn withdrawing_more_collateral_than_deposited_is_rejected() {
    let mut s = Suite::new();
    let (alice, btc, eth) = (actor(10), s.btc, s.eth);
    s.fund(alice, btc, units("1.5", 24));
    let too_much = units("1.5", 24) + 1;
    assert_rejected::<()>(&mut s, &[alice], alice, "withdraw", (btc, too_much), EngineError::InsufficientCollateral);
    // A listed asset the account never deposited.
    assert_rejected::<()>(&mut s, &[alice], alice, "withdraw", (eth, 1u128), EngineError::InsufficientCollateral);
}

#[test]
fn withdrawing_more_cash_than_held_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob, quote) = (actor(10), actor(11), s.quote);
    s.fund(alice, quote, units("100", 6));
    s.fund(bob, quote, units("1000", 6));
    // The engine holds 1,100 USD, but Alice's cash is 100.
    assert_rejected::<()>(
        &mut s,
        &[alice, bob],
        alice,
        "withdraw",
        (quote, units("100", 6) + 1),
        EngineError::InsufficientCash,
    );
    // An amount beyond i128 is not a panic either.
    assert_rejected::<()>(&mut s, &[alice, bob], alice, "withdraw", (quote, u128::MAX), EngineError::InsufficientCash);
}

#[test]
fn withdrawal_below_initial_margin_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = (actor(10), actor(11));
    s.fund(alice, s.quote, units("10000", 6));
    s.fund(bob, s.quote, units("1000000", 6));
    s.approve_venue(alice);
    s.approve_venue(bob);
    // Long 1 BTC at 60,000: IM = 10% of 60,000 = 6,000 against E = 10,000.
    s.trade(alice, bob, s.perp[BTC as usize], E18, e18("60000"), 0).expect("trade");
    let quote = s.quote;
    assert_rejected::<()>(
        &mut s,
        &[alice, bob],
        alice,
        "withdraw",
        (quote, units("4001", 6)),
        EngineError::InsufficientMargin,
    );
    // Collateral withdrawals face the same check.
    s.fund(alice, s.eth, units("1", 18));
    // 5,500 cash + 1 ETH (3,000) = 8,500 covers IM 6,000 + 300; without the ETH it would not.
    let res: Unit = s.chain.call(alice, s.engine, "withdraw", (quote, units("4500", 6)));
    assert_eq!(res, Ok(()));
    let eth = s.eth;
    assert_rejected::<()>(
        &mut s,
        &[alice, bob],
        alice,
        "withdraw",
        (eth, units("1", 18)),
        EngineError::InsufficientMargin,
    );
}

#[test]
fn quote_withdrawal_beyond_engine_liquidity_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob, quote) = (actor(10), actor(11), s.quote);
    // Alice brings quote, Bob only BTC: every quote token in the engine is Alice's.
    s.fund(alice, quote, units("100000", 6));
    s.fund(bob, s.btc, units("10", 24));
    s.approve_venue(alice);
    s.approve_venue(bob);
    let perp = s.perp[BTC as usize];
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("open");
    s.chain.set_time(T0 + 1_000);
    s.set_prices(&[(BTC, "66000", "0.65")]);
    s.trade(bob, alice, perp, E18, e18("66000"), 0).expect("close");
    // Alice realized +6,000 that Bob owes against his BTC: her cash exceeds the engine's quote.
    let cash = s.account(alice).expect("alice").cash;
    assert_eq!(cash, units("106000", 6) as i128);
    assert_eq!(s.account(bob).expect("bob").cash, -(units("6000", 6) as i128));
    assert_eq!(s.balance(quote, s.engine), units("100000", 6));
    assert_rejected::<()>(
        &mut s,
        &[alice, bob],
        alice,
        "withdraw",
        (quote, units("100000", 6) + 1),
        EngineError::InsufficientLiquidity,
    );
    // Everything the engine holds can leave.
    let res: Unit = s.chain.call(alice, s.engine, "withdraw", (quote, units("100000", 6)));
    assert_eq!(res, Ok(()));
    assert_eq!(s.account(alice).expect("alice").cash, units("6000", 6) as i128);
}

// ---------------------------------------------------------------------------------- trades

#[test]
fn underfunded_buyer_fails_trade_margin() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let broke = actor(12);
    s.approve_venue(broke);
    let venue = s.venue;
    let args = trade_args(broke, alice, s.perp[BTC as usize], E18, e18("60000"), 0);
    assert_rejected::<()>(
        &mut s,
        &[alice, bob, broke],
        venue,
        "apply_trade",
        args,
        EngineError::TradeMargin(Side::Buyer),
    );
}

#[test]
fn underfunded_seller_fails_trade_margin() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let broke = actor(12);
    s.approve_venue(broke);
    let venue = s.venue;
    let args = trade_args(alice, broke, s.perp[BTC as usize], E18, e18("60000"), 0);
    assert_rejected::<()>(
        &mut s,
        &[alice, bob, broke],
        venue,
        "apply_trade",
        args,
        EngineError::TradeMargin(Side::Seller),
    );
}

#[test]
fn lost_quorum_is_an_oracle_feed_error() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    for r in [s.reporters[0], s.reporters[1]] {
        let res: Result<(), oracle::OracleError> = s.chain.call(s.owner, s.oracle, "remove_reporter", r);
        assert_eq!(res, Ok(()));
    }
    let venue = s.venue;
    let args = trade_args(alice, bob, s.perp[BTC as usize], E18, e18("60000"), 0);
    assert_rejected::<()>(
        &mut s,
        &[alice, bob],
        venue,
        "apply_trade",
        args,
        EngineError::OracleFeed(market_config(BTC).price_feed, FeedError::NoQuorum),
    );
}

#[test]
fn disputed_feed_without_an_agreed_value_is_an_oracle_feed_error() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    // Removing a reporter forgets the values the set agreed on; the two left then disagree.
    let res: Result<(), oracle::OracleError> = s.chain.call(s.owner, s.oracle, "remove_reporter", s.reporters[2]);
    assert_eq!(res, Ok(()));
    // Past the window of the suite's first values, so only the two new ones count.
    let now = T0 + WINDOW_MS + 1_000;
    s.chain.set_time(now);
    for (r, price) in [(0, "60000"), (1, "70000")] {
        let items = vec![(0u32, e18(price), now), (1u32, e18("0.65"), now)];
        let res: Result<(), oracle::OracleError> = s.chain.call(s.reporters[r], s.oracle, "submit_batch", items);
        assert_eq!(res, Ok(()));
    }
    let venue = s.venue;
    let args = trade_args(alice, bob, s.perp[BTC as usize], E18, e18("60000"), 0);
    assert_rejected::<()>(
        &mut s,
        &[alice, bob],
        venue,
        "apply_trade",
        args,
        EngineError::OracleFeed(market_config(BTC).price_feed, FeedError::Disputed),
    );
}

#[test]
fn change_delay_above_thirty_days_is_rejected() {
    let mut s = Suite::new();
    let owner = s.owner;
    let max = engine::types::MAX_CHANGE_DELAY_MS;
    assert_rejected::<()>(&mut s, &[], owner, "set_change_delay", max + 1, EngineError::InvalidChangeDelay);
    let res: Unit = s.chain.call(owner, s.engine, "set_change_delay", max);
    assert_eq!(res, Ok(()));
    let config: engine::types::EngineConfig = s.chain.call(owner, s.engine, "config", ());
    assert_eq!(config.change_delay_ms, max);
}

#[test]
fn market_on_missing_or_wrong_kind_feed_is_rejected() {
    let mut s = Suite::new();
    let owner = s.owner;
    // A feed id the oracle does not have, a vol feed as price feed, a price feed as vol feed.
    for (config, feed) in [
        (MarketConfig { price_feed: 99, ..market_config(BTC) }, 99),
        (MarketConfig { price_feed: 1, vol_feed: 1, ..market_config(BTC) }, 1),
        (MarketConfig { price_feed: 0, vol_feed: 2, ..market_config(BTC) }, 2),
    ] {
        assert_rejected::<u32>(&mut s, &[], owner, "list_market", config, EngineError::InvalidFeed(feed));
        assert_rejected::<()>(&mut s, &[], owner, "update_market", (BTC, config), EngineError::InvalidFeed(feed));
    }
}

#[test]
fn admin_call_that_is_not_an_admin_message_is_rejected() {
    let mut s = Suite::new();
    let (owner, alice) = (s.owner, actor(10));
    let with_args = |message: &str, args: &[u8]| [&selector(message)[..], args].concat();
    let calls = [
        // Shorter than a selector.
        vec![1u8, 2, 3],
        // A user message: the admin module does not have it (ink! LangError).
        with_args("deposit", &(s.quote, 1u128).encode()),
        // An admin message whose arguments do not decode (the module traps).
        with_args("list_market", &[0xff]),
    ];
    for call in calls {
        assert_rejected::<Vec<u8>>(&mut s, &[alice], owner, "admin", call, EngineError::InvalidAdminCall);
    }
    // The same path runs real admin messages: the `Ok` value comes back as its SCALE bytes.
    let id: Result<Vec<u8>, EngineError> =
        s.chain.call(owner, s.engine, "admin", with_args("list_market", &market_config(BTC).encode()));
    assert_eq!(id, Ok(3u32.encode()));
    let count: u32 = s.chain.call::<engine::types::EngineConfig>(owner, s.engine, "config", ()).market_count;
    assert_eq!(count, 4);
}

#[test]
fn engine_names_the_admin_module_it_delegates_to() {
    let mut s = Suite::new();
    let expected = s.chain.upload(&wasm(BundleProvider::EngineAdmin), s.owner);
    let hash: ink::primitives::Hash =
        s.chain.call::<engine::types::EngineConfig>(s.owner, s.engine, "config", ()).admin_code_hash;
    assert_eq!(hash, expected);
}

#[test]
fn engine_with_a_token_as_oracle_fails_oracle_calls() {
    let mut s = Suite::new();
    let (owner, alice) = (s.owner, actor(10));
    // An engine whose "oracle" is the quote token: it has no `PriceOracle::read_batch`.
    let bad = s.chain.deploy_engine(
        &wasm(BundleProvider::Engine),
        &wasm(BundleProvider::EngineAdmin),
        (s.quote, s.quote, units("1000000000", 6), s.fee_account),
        owner,
        77,
    );
    s.engine = bad;
    // Listing a market asks the oracle what its feeds measure: the token cannot answer.
    assert_rejected::<u32>(&mut s, &[alice], owner, "list_market", market_config(BTC), EngineError::OracleCallFailed);
    let count: u32 = s.chain.call::<engine::types::EngineConfig>(owner, bad, "config", ()).market_count;
    assert_eq!(count, 0);
}

#[test]
fn stale_price_blocks_trade() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let perp = s.perp[BTC as usize];
    // Exactly the max age is still fresh.
    s.chain.set_time(T0 + MAX_AGE_MS);
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("a price exactly max-age old is fresh");
    s.chain.set_time(T0 + MAX_AGE_MS + 1);
    let venue = s.venue;
    let args = trade_args(alice, bob, perp, E18, e18("60000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::StalePrice(BTC));
    // Withdrawals of an account with positions need fresh prices too.
    let quote = s.quote;
    assert_rejected::<()>(&mut s, &[alice, bob], alice, "withdraw", (quote, 1u128), EngineError::StalePrice(BTC));
}

#[test]
fn price_above_market_max_is_out_of_range() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let venue = s.venue;
    // A spot below the engine's 1e-6 (the feed accepts down to 1e-18): out of range.
    s.chain.set_time(T0 + 1_000);
    s.set_prices(&[(BTC, "0.0000009", "0.65")]);
    let args = trade_args(alice, bob, s.perp[BTC as usize], LOT, e18("0.0000009"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::PriceOutOfRange(BTC));
    // The feed's upper bound is the market's max spot; were the oracle's owner to raise it, a
    // price above the max would make the market stale (valued at the max), not unevaluable.
    let owner = s.owner;
    let wide = oracle::FeedConfig { max_e18: e18("10000000000"), ..feed_config(oracle::FeedKind::Price, 2, 0) };
    let res: Result<(), oracle::OracleError> = s.chain.call(owner, s.oracle, "update_feed", (0u32, wide));
    assert_eq!(res, Ok(()));
    s.chain.set_time(T0 + 2_000);
    s.set_prices(&[(BTC, "1000000.000000000000000001", "0.65")]);
    let args = trade_args(alice, bob, s.perp[BTC as usize], LOT, e18("1000000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::StalePrice(BTC));
    // Exactly the max is accepted.
    s.chain.set_time(T0 + 3_000);
    s.set_prices(&[(BTC, "1000000", "0.65")]);
    s.trade(alice, bob, s.perp[BTC as usize], LOT, e18("1000000"), 0).expect("spot at the max");
}

#[test]
fn unauthorized_caller_cannot_report_trades() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let args = trade_args(alice, bob, s.perp[BTC as usize], E18, e18("60000"), 0);
    // Even one of the parties cannot report its own trade.
    assert_rejected::<()>(&mut s, &[alice, bob], alice, "apply_trade", args, EngineError::VenueNotAuthorized);
    let (owner, stranger) = (s.owner, actor(41));
    assert_rejected::<()>(&mut s, &[alice, bob], owner, "deauthorize_venue", stranger, EngineError::VenueNotAuthorized);
    // Approving a venue that is not authorized is refused as well.
    assert_rejected::<()>(&mut s, &[alice], alice, "approve_venue", (stranger, true), EngineError::VenueNotAuthorized);
}

#[test]
fn trade_for_buyer_without_approval_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let carol = actor(12);
    s.fund(carol, s.quote, units("1000000", 6));
    let venue = s.venue;
    let args = trade_args(carol, bob, s.perp[BTC as usize], E18, e18("60000"), 0);
    let expected = EngineError::VenueNotApproved(Side::Buyer);
    assert_rejected::<()>(&mut s, &[alice, bob, carol], venue, "apply_trade", args, expected);
}

#[test]
fn trade_for_seller_without_approval_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let carol = actor(12);
    s.fund(carol, s.quote, units("1000000", 6));
    let venue = s.venue;
    let args = trade_args(alice, carol, s.perp[BTC as usize], E18, e18("60000"), 0);
    let expected = EngineError::VenueNotApproved(Side::Seller);
    assert_rejected::<()>(&mut s, &[alice, bob, carol], venue, "apply_trade", args, expected);
}

#[test]
fn venue_fee_above_the_protocol_ceiling_is_rejected() {
    let mut s = Suite::new();
    let (owner, desk) = (s.owner, actor(20));
    let ceiling = engine::types::MAX_OPTION_FEE_RATE_E18;
    assert_rejected::<()>(
        &mut s,
        &[],
        owner,
        "authorize_venue",
        (desk, ceiling + 1, 0u128),
        EngineError::InvalidFeeRate,
    );
    let venue: Result<engine::types::VenueConfig, EngineError> = s.chain.call(owner, s.engine, "venue", desk);
    assert_eq!(venue, Err(EngineError::VenueNotAuthorized));
    let res: Unit =
        s.chain.call(owner, s.engine, "authorize_venue", (desk, ceiling, engine::types::MAX_OPTION_FEE_FLOOR_E18));
    assert_eq!(res, Ok(()), "the protocol ceilings (12.5%, 0.03% of spot) are the largest maximum");
}

#[test]
fn self_trade_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let venue = s.venue;
    let args = trade_args(alice, alice, s.perp[BTC as usize], E18, e18("60000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::SelfTrade);
}

#[test]
fn size_that_is_not_whole_lots_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let venue = s.venue;
    let perp = s.perp[BTC as usize];
    for size in [LOT + 1, LOT / 2, E18 - 1] {
        let args = trade_args(alice, bob, perp, size, e18("60000"), 0);
        assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::NotWholeLots);
    }
}

#[test]
fn zero_size_or_zero_price_trade_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let venue = s.venue;
    let perp = s.perp[BTC as usize];
    let args = trade_args(alice, bob, perp, 0, e18("60000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::ZeroAmount);
    let args = trade_args(alice, bob, perp, E18, 0, 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::ZeroAmount);
}

#[test]
fn price_outside_band_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let venue = s.venue;
    // Band 2% of 60,000 = 1,200.
    let args = trade_args(alice, bob, s.perp[BTC as usize], E18, e18("61200") + 1, 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::PriceOutOfBand);
}

#[test]
fn fee_above_venue_maximum_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let venue = s.venue;
    // The suite's venue may charge 1%.
    let args = trade_args(alice, bob, s.perp[BTC as usize], E18, e18("60000"), E18 / 100 + 1);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::FeeTooHigh);
}

#[test]
fn trade_in_unlisted_instrument_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let venue = s.venue;
    let args = trade_args(alice, bob, 3, E18, e18("60000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::UnknownInstrument(3));
}

#[test]
fn trade_in_expired_option_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let expiry = T0 + 3_600_000;
    let call = s.list_option(BTC, OptionType::Call, "60000", expiry);
    s.chain.set_time(expiry);
    s.set_prices(&[(BTC, "60000", "0.65")]);
    let venue = s.venue;
    let args = trade_args(alice, bob, call, E18, e18("1"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::InstrumentExpired(call));
}

#[test]
fn trade_above_open_interest_cap_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let owner = s.owner;
    let config = MarketConfig { open_interest_cap_e18: E18, ..market_config(BTC) };
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, config));
    assert_eq!(res, Ok(()));
    let perp = s.perp[BTC as usize];
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("up to the cap");
    let venue = s.venue;
    let args = trade_args(alice, bob, perp, LOT, e18("60000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::OpenInterestCapExceeded);
}

#[test]
fn buyer_above_notional_cap_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let owner = s.owner;
    // 50,000 quote per account: 1 BTC at 60,000 is above it.
    let config = MarketConfig { account_notional_cap_e18: e18("50000"), ..market_config(BTC) };
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, config));
    assert_eq!(res, Ok(()));
    let venue = s.venue;
    let args = trade_args(alice, bob, s.perp[BTC as usize], E18, e18("60000"), 0);
    let expected = EngineError::NotionalCapExceeded(Side::Buyer);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, expected);
}

#[test]
fn seller_above_notional_cap_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let carol = actor(12);
    s.fund(carol, s.quote, units("1000000", 6));
    s.approve_venue(carol);
    let perp = s.perp[BTC as usize];
    // Alice is short 1 before the cap is lowered; buying it back reduces her, so only the
    // seller (Carol, opening a short) is capped.
    s.trade(bob, alice, perp, E18, e18("60000"), 0).expect("open");
    let owner = s.owner;
    let config = MarketConfig { account_notional_cap_e18: e18("50000"), ..market_config(BTC) };
    let res: Unit = s.chain.call(owner, s.engine, "update_market", (BTC, config));
    assert_eq!(res, Ok(()));
    let venue = s.venue;
    let args = trade_args(alice, carol, perp, E18, e18("60000"), 0);
    let expected = EngineError::NotionalCapExceeded(Side::Seller);
    assert_rejected::<()>(&mut s, &[alice, bob, carol], venue, "apply_trade", args, expected);
}

#[test]
fn position_beyond_cap_is_rejected() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let owner = s.owner;
    let res: Unit = s.chain.call(owner, s.engine, "set_max_positions", 1u32);
    assert_eq!(res, Ok(()));
    s.trade(alice, bob, s.perp[BTC as usize], E18, e18("60000"), 0).expect("first position");
    let venue = s.venue;
    let args = trade_args(alice, bob, s.perp[ETH as usize], E18, e18("3000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::TooManyPositions);
}

#[test]
fn stress_grid_out_of_bounds_is_rejected() {
    // `stress` lives in the lens contract (kept out of the engine for its code size); its errors
    // are the engine's.
    let mut s = Suite::new();
    let alice = actor(10);
    s.fund(alice, s.btc, units("1", 24));
    let (owner, lens) = (s.owner, s.lens);
    for (spot_points, vol_points) in [(1u32, 1u32), (202, 1), (2, 0), (2, 202)] {
        let before = s.state(&[alice]);
        s.chain.clear_events();
        let args = (alice, BTC, spot_points, vol_points, true);
        let grid: Result<StressView, EngineError> = s.chain.call(owner, lens, "stress", args);
        assert_eq!(grid, Err(EngineError::InvalidStressGrid), "{spot_points} × {vol_points}");
        assert!(s.chain.last_reverted, "an Err result must revert");
        assert_eq!(s.chain.event_count(lens), 0);
        assert_eq!(s.state(&[alice]), before, "a failed call changes nothing");
    }
    let grid: Result<StressView, EngineError> = s.chain.call(owner, lens, "stress", (alice, BTC, 2u32, 1u32, true));
    assert_eq!(grid.map(|g| g.points.len()), Ok(2));
}

#[test]
fn deposit_without_allowance_is_a_token_error() {
    let mut s = Suite::new();
    let (alice, eth) = (actor(10), s.eth);
    s.mint(eth, alice, units("5", 18));
    let args = (eth, units("5", 18));
    let expected = EngineError::TokenError(PSP22Error::InsufficientAllowance);
    assert_rejected::<()>(&mut s, &[alice], alice, "deposit", args, expected);
}

#[test]
fn deposit_beyond_balance_is_a_token_error() {
    let mut s = Suite::new();
    let (alice, eth) = (actor(10), s.eth);
    s.mint(eth, alice, 50);
    let res: Result<(), PSP22Error> = s.chain.call(alice, eth, "PSP22::approve", (s.engine, 100u128));
    assert_eq!(res, Ok(()));
    let expected = EngineError::TokenError(PSP22Error::InsufficientBalance);
    assert_rejected::<()>(&mut s, &[alice], alice, "deposit", (eth, 100u128), expected);
}

// ---------------------------------------------------------------------------------- the map

// ---------------------------------------------------------------------------------- pauses

fn set_paused(s: &mut Suite, flags: PauseFlags) {
    let (owner, engine) = (s.owner, s.engine);
    let res: Unit = s.chain.call(owner, engine, "set_paused", flags);
    assert_eq!(res, Ok(()));
}

#[test]
fn withdrawal_while_paused_is_rejected() {
    let mut s = Suite::new();
    let (alice, _) = funded_pair(&mut s);
    let quote = s.quote;
    let non_owner = actor(12);
    assert_rejected::<()>(
        &mut s,
        &[alice],
        non_owner,
        "set_paused",
        PauseFlags { withdrawals: true, ..PauseFlags::default() },
        EngineError::NotOwner,
    );
    set_paused(&mut s, PauseFlags { withdrawals: true, ..PauseFlags::default() });
    assert_rejected::<()>(&mut s, &[alice], alice, "withdraw", (quote, units("1", 6)), EngineError::Paused);
    // Deposits are never paused.
    s.fund(alice, quote, units("5", 6));
    set_paused(&mut s, PauseFlags::default());
    let res: Unit = s.chain.call(alice, s.engine, "withdraw", (quote, units("1", 6)));
    assert_eq!(res, Ok(()));
}

#[test]
fn new_risk_while_paused_admits_only_reducing_trades() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let perp = s.perp[BTC as usize];
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("open");
    set_paused(&mut s, PauseFlags { new_risk: true, ..PauseFlags::default() });
    let venue = s.venue;
    // Growing either side is refused.
    let args = trade_args(alice, bob, perp, E18, e18("60000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob], venue, "apply_trade", args, EngineError::Paused);
    // A trade that reduces both sides passes.
    s.trade(bob, alice, perp, E18 / 2, e18("60000"), 0).expect("reducing trade while paused");
    assert_eq!(s.account(alice).expect("alice").positions[0].size_e18, (E18 / 2) as i128);
}

#[test]
fn trade_on_reduce_only_market_must_reduce() {
    let mut s = Suite::new();
    let (alice, bob) = funded_pair(&mut s);
    let perp = s.perp[BTC as usize];
    s.trade(alice, bob, perp, E18, e18("60000"), 0).expect("open");
    let (owner, engine) = (s.owner, s.engine);
    let res: Unit = s.chain.call(owner, engine, "set_reduce_only", (BTC, true));
    assert_eq!(res, Ok(()));
    let flagged: Result<bool, EngineError> = s.chain.call(owner, engine, "is_reduce_only", BTC);
    assert_eq!(flagged, Ok(true));
    let venue = s.venue;
    let carol = actor(12);
    s.fund(carol, s.quote, units("1000000", 6));
    s.approve_venue(carol);
    // Alice reduces, but Carol would open: refused. Crossing through zero is refused too.
    let args = trade_args(carol, alice, perp, E18 / 2, e18("60000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob, carol], venue, "apply_trade", args, EngineError::ReduceOnly(BTC));
    let args = trade_args(bob, alice, perp, 2 * E18, e18("60000"), 0);
    assert_rejected::<()>(&mut s, &[alice, bob, carol], venue, "apply_trade", args, EngineError::ReduceOnly(BTC));
    s.trade(bob, alice, perp, E18, e18("60000"), 0).expect("closing both sides");
    // Other markets are unaffected.
    s.trade(carol, alice, s.perp[ETH as usize], E18, e18("3000"), 0).expect("ETH still open for new risk");
}

#[test]
fn grace_period_above_seven_days_is_rejected() {
    let mut s = Suite::new();
    let (owner, engine) = (s.owner, s.engine);
    let too_long = MAX_GRACE_PERIOD_MS + 1;
    assert_rejected::<()>(&mut s, &[], owner, "set_grace_period", too_long, EngineError::InvalidGracePeriod);
    let res: Unit = s.chain.call(owner, engine, "set_grace_period", 600_000u64);
    assert_eq!(res, Ok(()));
    // Unpausing liquidations starts the grace period at the current block time.
    set_paused(&mut s, PauseFlags { liquidations: true, ..PauseFlags::default() });
    s.chain.set_time(T0 + 5_000);
    s.chain.clear_events();
    set_paused(&mut s, PauseFlags::default());
    let resume: u64 =
        s.chain.call::<engine::types::EngineConfig>(owner, engine, "config", ()).liquidations_resume_at_ms;
    assert_eq!(resume, T0 + 5_000 + 600_000);
    let events = s.chain.events::<PauseChanged>(engine);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].liquidations_resume_at_ms, T0 + 605_000);
    assert_eq!(events[0].flags, PauseFlags::default());
}

#[test]
fn market_update_beyond_step_is_rejected() {
    let mut s = Suite::new();
    let (owner, engine, eth) = (s.owner, s.engine, s.eth);
    let base = market_config(BTC);
    let r = base.risk;
    // One wei beyond a factor of 2, in each direction and for each kind of parameter.
    let too_far = [
        MarketConfig { band_e18: 2 * base.band_e18 + 1, ..base },
        MarketConfig { lot_e18: base.lot_e18 / 2 - 1, ..base },
        MarketConfig { max_oracle_age_ms: 2 * base.max_oracle_age_ms + 1, ..base },
        MarketConfig { risk: RiskParams { spot_shock_mm_e18: r.spot_shock_mm_e18 / 2 - 1, ..r }, ..base },
        MarketConfig { risk: RiskParams { short_option_addon_e18: 2 * r.short_option_addon_e18 + 1, ..r }, ..base },
        MarketConfig { risk: RiskParams { rate_e18: e18("0.05") as i128 + 1, ..r }, ..base },
    ];
    for config in too_far {
        assert_rejected::<()>(&mut s, &[], owner, "update_market", (BTC, config), EngineError::StepTooLarge);
    }
    // Exactly at the limits passes, and caps move freely.
    let at_limit = MarketConfig {
        band_e18: 2 * base.band_e18,
        lot_e18: base.lot_e18 / 2,
        open_interest_cap_e18: base.open_interest_cap_e18 / 100,
        risk: RiskParams { rate_e18: -(e18("0.05") as i128), ..r },
        ..base
    };
    let res: Unit = s.chain.call(owner, engine, "update_market", (BTC, at_limit));
    assert_eq!(res, Ok(()));
    // An asset's haircut: from 0 at most to 0.05, then a factor of 2.
    let cap = units("1000000", 18);
    assert_rejected::<()>(&mut s, &[], owner, "update_asset", (eth, e18("0.05") + 1, cap), EngineError::StepTooLarge);
    let res: Unit = s.chain.call(owner, engine, "update_asset", (eth, e18("0.05"), cap));
    assert_eq!(res, Ok(()));
    assert_rejected::<()>(&mut s, &[], owner, "update_asset", (eth, e18("0.1") + 1, cap), EngineError::StepTooLarge);
}

/// The test that triggers `e`, or why `e` cannot be reached yet ("unreachable: …"), or the test of
/// another module that covers it ("tokens::…", "liquidation::…", "settlement::…"). Exhaustive: a
/// new variant must be mapped here.
fn test_for(e: &EngineError) -> &'static str {
    use EngineError::*;
    match e {
        NotOwner => "non_owner_cannot_list_market",
        NotPendingOwner => "non_pending_owner_cannot_accept_ownership",
        UnknownAsset => "unlisted_token_cannot_be_deposited_or_updated",
        AssetAlreadyListed => "listed_asset_cannot_be_listed_again",
        TooManyAssets => "seventeenth_collateral_asset_cannot_be_listed",
        UnsupportedDecimals(_) => "token_with_25_decimals_cannot_be_listed",
        InvalidAssetParams => "asset_haircut_of_one_hundred_percent_or_oversized_cap_is_rejected",
        UnknownMarket(_) => "unlisted_market_is_rejected",
        TooManyMarkets => "thirty_third_market_cannot_be_listed",
        InvalidMarketParams => "market_with_zero_band_is_rejected",
        UnknownInstrument(_) => "trade_in_unlisted_instrument_is_rejected",
        InvalidInstrument => "option_expiring_now_or_earlier_cannot_be_listed",
        InstrumentExpired(_) => "trade_in_expired_option_is_rejected",
        ZeroAmount => "zero_deposit_or_withdrawal_is_rejected",
        DepositCapExceeded => "deposit_above_cap_is_rejected",
        TokenCallFailed => "tokens::trapping_token_is_a_typed_error",
        TokenError(PSP22Error::InsufficientAllowance) => "deposit_without_allowance_is_a_token_error",
        TokenError(PSP22Error::InsufficientBalance) => "deposit_beyond_balance_is_a_token_error",
        TokenError(
            PSP22Error::Custom(_)
            | PSP22Error::ZeroRecipientAddress
            | PSP22Error::ZeroSenderAddress
            | PSP22Error::SafeTransferCheckFailed(_),
        ) => {
            "unreachable: the engine only passes on what the token returns; the suite's PSP22 token returns only \
             InsufficientAllowance/InsufficientBalance (a hostile token's own errors belong to tokens.rs)"
        }
        TransferMismatch { .. } => "tokens::fee_on_transfer_token_is_rejected",
        NoAccount => "withdrawal_without_account_is_rejected",
        InsufficientCollateral => "withdrawing_more_collateral_than_deposited_is_rejected",
        InsufficientCash => "withdrawing_more_cash_than_held_is_rejected",
        InsufficientLiquidity => "quote_withdrawal_beyond_engine_liquidity_is_rejected",
        DeficitOutstanding => "liquidation::deficit_gates_quote_withdrawals_until_the_owner_covers_it",
        InsufficientMargin => "withdrawal_below_initial_margin_is_rejected",
        TradeMargin(Side::Buyer) => "underfunded_buyer_fails_trade_margin",
        TradeMargin(Side::Seller) => "underfunded_seller_fails_trade_margin",
        OracleFeed(_, FeedError::NoQuorum) => "lost_quorum_is_an_oracle_feed_error",
        OracleFeed(_, FeedError::Disputed) => "disputed_feed_without_an_agreed_value_is_an_oracle_feed_error",
        NoticeRequired | NoticePending(_) => "attacks::owner_cannot_raise_shocks_without_notice",
        InvalidChangeDelay => "change_delay_above_thirty_days_is_rejected",
        OracleFeed(_, FeedError::UnknownFeed) => {
            "unreachable: listing checks that both feeds exist (InvalidFeed) and the oracle never deletes a feed"
        }
        InvalidFeed(_) => "market_on_missing_or_wrong_kind_feed_is_rejected",
        OracleCallFailed => "engine_with_a_token_as_oracle_fails_oracle_calls",
        StalePrice(_) => "stale_price_blocks_trade",
        PriceOutOfRange(_) => "price_above_market_max_is_out_of_range",
        VenueNotAuthorized => "unauthorized_caller_cannot_report_trades",
        VenueNotApproved(Side::Buyer) => "trade_for_buyer_without_approval_is_rejected",
        VenueNotApproved(Side::Seller) => "trade_for_seller_without_approval_is_rejected",
        InvalidFeeRate => "venue_fee_above_the_protocol_ceiling_is_rejected",
        SelfTrade => "self_trade_is_rejected",
        NotWholeLots => "size_that_is_not_whole_lots_is_rejected",
        PriceOutOfBand => "price_outside_band_is_rejected",
        FeeTooHigh => "fee_above_venue_maximum_is_rejected",
        OpenInterestCapExceeded => "trade_above_open_interest_cap_is_rejected",
        NotionalCapExceeded(Side::Buyer) => "buyer_above_notional_cap_is_rejected",
        NotionalCapExceeded(Side::Seller) => "seller_above_notional_cap_is_rejected",
        TooManyPositions => "position_beyond_cap_is_rejected",
        InvalidStressGrid => "stress_grid_out_of_bounds_is_rejected",
        EngineCallFailed => "lens_tests::lens_stress_errors_match_the_engine",
        InvalidAdminCall => "admin_call_that_is_not_an_admin_message_is_rejected",
        Paused => "withdrawal_while_paused_is_rejected",
        ReduceOnly(_) => "trade_on_reduce_only_market_must_reduce",
        InvalidGracePeriod => "grace_period_above_seven_days_is_rejected",
        StepTooLarge => "market_update_beyond_step_is_rejected",
        NotLiquidatable => "liquidation::healthy_account_cannot_be_liquidated",
        SelfLiquidation => "liquidation::self_liquidation_is_rejected",
        InvalidSlice => "liquidation::invalid_slices_are_rejected",
        HealthNotImproved => "liquidation::taking_a_hedge_leg_that_raises_risk_is_rejected",
        LiquidationTooLarge => "liquidation::close_factor_stops_within_one_lot_of_the_end_target",
        LiquidatorMargin => "liquidation::liquidator_below_initial_margin_is_rejected",
        InvalidLiquidationParams => "liquidation::liquidation_params_out_of_bounds_are_rejected",
        ExceedsDeficit => "liquidation::deficit_gates_quote_withdrawals_until_the_owner_covers_it",
        NotExpired => "settlement::pin_before_expiry_is_rejected",
        SettlementNotReady => "settlement::pin_waits_for_a_quorum_of_values_stamped_from_expiry_on",
        NotPinned => "settlement::settle_before_pin_is_rejected",
        AlreadyPinned => "settlement::second_pin_of_an_expiry_is_rejected",
        Math(_) => {
            "unreachable: listing caps (spot ≤ max_spot ≤ 1e10, strikes in 1e-6..=1e10, vol ≤ 10, notional and \
             deposit caps ≤ 1e18 quote, ≤ 32 positions) keep every reachable state computable"
        }
    }
}

#[test]
fn every_error_variant_is_mapped_to_its_test() {
    // Each module's source, by the prefix its tests are named with in `test_for`.
    let sources = [
        ("", include_str!("engine_errors.rs")),
        ("tokens::", include_str!("tokens.rs")),
        ("liquidation::", include_str!("liquidation.rs")),
        ("settlement::", include_str!("settlement.rs")),
        ("attacks::", include_str!("attacks.rs")),
        ("lens_tests::", include_str!("lens_tests.rs")),
    ];
    // Every variant, read from the SCALE codec itself: a variant index followed by zero bytes
    // decodes (with zero/empty payloads) exactly when the index is a variant.
    let mut variants: Vec<EngineError> = (0..=u8::MAX)
        .filter_map(|index| {
            let mut bytes = vec![index];
            bytes.extend([0u8; 64]);
            EngineError::decode(&mut &bytes[..]).ok()
        })
        .collect();
    assert_eq!(variants.len(), 63, "EngineError has 63 variants; map any new one in test_for");
    // Payloads that select a different test than the zero payload does.
    variants.extend([
        EngineError::TradeMargin(Side::Seller),
        EngineError::VenueNotApproved(Side::Seller),
        EngineError::NotionalCapExceeded(Side::Seller),
        EngineError::OracleFeed(0, FeedError::NoQuorum),
        EngineError::OracleFeed(0, FeedError::Disputed),
        EngineError::TokenError(PSP22Error::InsufficientAllowance),
        EngineError::TokenError(PSP22Error::InsufficientBalance),
    ]);
    let mut unreachable = Vec::new();
    for e in &variants {
        let name = test_for(e);
        if let Some(why) = name.strip_prefix("unreachable: ") {
            assert!(why.len() > 20, "{e:?}: say why it is unreachable");
            unreachable.push(format!("{e:?}"));
        } else {
            // The longest matching prefix names the module ("" matches every name).
            let (prefix, source) = sources
                .iter()
                .filter(|(prefix, _)| name.starts_with(prefix))
                .max_by_key(|(prefix, _)| prefix.len())
                .expect("the empty prefix matches");
            let test = &name[prefix.len()..];
            assert!(!test.contains("::"), "{e:?}: `{name}` names an unknown module");
            assert!(source.contains(&format!("#[test]\nfn {test}() {{")), "{e:?}: no test `{test}` in `{prefix}`");
        }
    }
    println!("unreachable today: {unreachable:?}");
}
