//! The margin between the grid points, on the real contracts: the review's attack — a 1-hour
//! call struck 1.5% out of the money, hedged with a short half perpetual, opened with $10 of
//! equity against the attacker's own second account — is refused, because the cell bound charges
//! the book the ≈ 437 it can lose near the strike (the 10 grid points alone charged 0).

use engine::types::OptionType;
use engine::{EngineError, Side};
use margin_math::margin::{evaluate, Account as MathAccount, Position, PositionKind};
use margin_math::trading::option_mark_e18;
use margin_math::OptionKind;

use crate::suite::*;
use crate::utils::actor;

/// A value in quote whole units as `I80F48` bits.
fn value(bits: i128) -> f64 {
    bits as f64 / 2f64.powi(48)
}

#[test]
fn hedged_one_hour_call_cannot_be_opened_with_ten_dollars_of_equity() {
    let mut s = Suite::new();
    s.set_prices(&[(BTC, "60000", "0.1")]);
    let expiry = T0 + 3_600_000;
    let call = s.list_option(BTC, OptionType::Call, "60900", expiry);
    let perp = s.perp[BTC as usize];
    let (attacker, friend, honest) = (actor(30), actor(31), actor(32));
    s.fund(attacker, s.quote, units("10", 6));
    s.fund(friend, s.quote, units("1000000", 6));
    s.fund(honest, s.quote, units("1000", 6));
    for who in [attacker, friend, honest] {
        s.approve_venue(who);
    }
    let now = s.chain.now();
    let mark = option_mark_e18(OptionKind::Call, e18("60000"), e18("60900"), e18("0.1"), 0, now, expiry).expect("mark");

    // The long call alone costs its premium (≈ 0 this far out of the money) and can lose only it.
    s.trade(attacker, friend, call, E18, mark, 0).expect("the naked long call is margined by its premium");
    // The hedge that would make the book lose up to ≈ 437 near the strike is refused.
    let actors = [attacker, friend];
    let before = s.state(&actors);
    let hedge = s.trade(friend, attacker, perp, E18 / 2, e18("60000"), 0);
    assert_eq!(hedge, Err(EngineError::TradeMargin(Side::Seller)));
    assert_eq!(s.state(&actors), before, "a refused trade changes nothing");

    // An account with 1,000 of equity can hold the same book: its IM is the cell bound, equal to
    // margin-math's, and at least the 437 the book can lose.
    s.trade(honest, friend, call, E18, mark, 0).expect("long call");
    s.trade(friend, honest, perp, E18 / 2, e18("60000"), 0).expect("hedge with 1,000 of equity");
    let view = s.health(honest).expect("health");
    let data = s.account(honest).expect("account");
    let positions = [
        Position {
            underlying: BTC,
            size_e18: E18 as i128,
            kind: PositionKind::Option {
                kind: OptionKind::Call,
                strike_e18: e18("60900"),
                expiry_ms: expiry,
                settlement_e18: None,
            },
        },
        Position {
            underlying: BTC,
            size_e18: -(E18 as i128) / 2,
            kind: PositionKind::Linear { entry_e18: e18("60000") },
        },
    ];
    let account = MathAccount { cash: data.cash, cash_decimals: 6, collateral: &[], positions: &positions };
    let markets = [margin_math::margin::Market {
        underlying: BTC,
        spot_e18: e18("60000"),
        vol_e18: e18("0.1"),
        params: risk().to_math(),
    }];
    let health = evaluate(&markets, &account, s.chain.now()).expect("evaluate");
    assert_eq!(view.maintenance_margin_bits, health.maintenance_margin.to_bits());
    assert_eq!(view.initial_margin_bits, health.initial_margin.to_bits());
    let (mm, im) = (value(view.maintenance_margin_bits), value(view.initial_margin_bits));
    println!("hedged 1-hour call on chain: MM {mm:.2}, IM {im:.2}");
    assert!(mm >= 437.0 && im >= mm, "MM {mm} IM {im}");
    let worst = view.underlyings[0].worst_mm;
    assert!(worst.cell.is_some(), "the cell bound sets the maintenance requirement");
}
