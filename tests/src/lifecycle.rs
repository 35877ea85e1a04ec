//! The whole path: list, deposit collateral with 0, 6, 18 and 24 decimals, approve a venue,
//! trade linear and options, move prices, check health.

use engine::types::OptionType;

use crate::suite::*;
use crate::utils::actor;

#[test]
fn deposit_trade_and_reprice() {
    let mut s = Suite::new();
    let (alice, bob) = (actor(10), actor(11));
    s.fund(alice, s.quote, units("100000", 6));
    s.fund(alice, s.btc, units("1.5", 24));
    s.fund(alice, s.eth, units("10", 18));
    s.fund(alice, s.idx, 25);
    s.fund(bob, s.quote, units("500000", 6));
    assert_eq!(s.balance(s.btc, s.engine), units("1.5", 24));
    assert_eq!(s.balance(s.idx, s.engine), 25);
    let a = s.account(alice).expect("alice account");
    assert_eq!(a.cash, units("100000", 6) as i128);
    assert_eq!(a.collateral.len(), 3);

    s.approve_venue(alice);
    s.approve_venue(bob);
    // Alice hedges her BTC with a short perpetual at 60,000.
    s.trade(bob, alice, s.perp[BTC as usize], e18("1.5"), e18("60000"), 0).expect("perp trade");
    let h = s.health(alice).expect("health");
    let btc = h.underlyings.iter().find(|u| u.underlying == BTC).expect("btc risk");
    assert_eq!(btc.delta_bits, 0, "collateral and an equal short perpetual net to zero delta");

    // Bob sells Alice a call for 2,000 per contract.
    let expiry = T0 + 30 * 86_400_000;
    let call = s.list_option(BTC, OptionType::Call, "65000", expiry);
    let before_cash = s.account(alice).expect("alice").cash;
    let mark = margin_math::trading::option_mark_e18(
        margin_math::OptionKind::Call,
        e18("60000"),
        e18("65000"),
        e18("0.65"),
        0,
        T0,
        expiry,
    )
    .expect("mark");
    let price = mark / LOT * LOT; // any price within the band
    s.trade(alice, bob, call, e18("2"), price, E18 / 1000).expect("option trade");
    let after = s.account(alice).expect("alice");
    let premium = margin_math::trading::premium_units(e18("2"), price, 6).expect("premium");
    let fee = margin_math::trading::fee_units(
        margin_math::trading::notional_units(e18("2"), price, 6, true).expect("notional"),
        E18 / 1000,
    )
    .expect("fee");
    assert_eq!(after.cash, before_cash - premium as i128 - fee as i128);

    // Prices move: health is recomputed from the new oracle values.
    s.chain.set_time(T0 + 10_000);
    s.set_prices(&[(BTC, "54000", "0.9"), (ETH, "2500", "0.9"), (IDX, "900", "0.4")]);
    let moved = s.health(alice).expect("health after move");
    assert_ne!(moved.equity_bits, h.equity_bits);
    assert!(!moved.liquidatable);
}

/// The harness routes exactly the admin module's messages through the engine's `admin`: the list
/// is read from the admin module's metadata (no hand-kept copy), holds the owner messages and
/// module views, and none of the engine's own six messages, which the engine answers directly.
#[test]
fn engine_admin_messages_are_the_admin_modules_and_not_the_engines() {
    use crate::utils::{engine_admin_messages, message_labels};
    let admin = engine_admin_messages();
    assert_eq!(admin.len(), 36, "{admin:?}");
    for message in ["list_market", "authorize_venue", "announce", "set_change_delay", "config", "account", "settle"] {
        assert!(admin.iter().any(|m| m == message), "{message} is an admin-module message");
    }
    let mut engine = message_labels(crate::BundleProvider::Engine);
    engine.sort();
    assert_eq!(engine, ["admin", "apply_trade", "deposit", "health", "liquidate", "withdraw"]);
    assert!(admin.iter().all(|m| !engine.contains(m)), "a message in both would be ambiguous");
}
