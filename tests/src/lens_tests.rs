//! The lens contract's `stress` (moved out of the engine for the engine's code size): its grid
//! equals `margin-math`'s `stress` computed here from the same stored account, oracle snapshot
//! and block time, bit for bit — for a book of collateral, linear positions, live options and
//! expired options with and without a pinned settlement price — and it fails as the engine's
//! `stress` did: `NoAccount`, then `InvalidStressGrid`, then `UnknownMarket`, then oracle errors
//! (`StalePrice`); a failed read of the engine is `EngineCallFailed`. Grids above
//! `lens::MAX_GRID_POINTS` (340), which trapped in the engine (ink!'s 16 KiB output buffer),
//! are `InvalidStressGrid`.

use engine::types::{AccountData, InstrumentId, OptionType, StressPointView, StressView};
use engine::EngineError;
use margin_math::margin::{stress, Account, Collateral, Market, Position, PositionKind};
use margin_math::trading::option_mark_e18;
use margin_math::OptionKind;

use crate::suite::*;
use crate::utils::{actor, Account as Addr};
use crate::BundleProvider;

/// Spot and vol of the snapshot the grids are compared at.
const SNAPSHOT: [(u32, &str, &str); 3] = [(BTC, "61234.5", "0.71"), (ETH, "2987.25", "0.83"), (IDX, "1010", "0.27")];
/// The snapshot time.
const T_CHECK: u64 = T0 + 120_000;
/// Expiry of the option that is pinned before `T_CHECK`.
const EXPIRY_PINNED: u64 = T0 + 60_000;
/// Expiry of the option that expires unpinned before `T_CHECK`.
const EXPIRY_UNPINNED: u64 = T0 + 120_000;

type StressResult = Result<StressView, EngineError>;

/// `caller` asks the suite's lens for a grid.
fn lens_stress(s: &mut Suite, who: Addr, underlying: u32, spot_points: u32, vol_points: u32, mm: bool) -> StressResult {
    let (owner, lens) = (s.owner, s.lens);
    s.chain.call(owner, lens, "stress", (who, underlying, spot_points, vol_points, mm))
}

/// An instrument of the book with its definition.
#[derive(Clone, Copy)]
struct Listed {
    id: InstrumentId,
    underlying: u32,
    option: Option<(OptionKind, u128, u64)>,
}

fn option_type(kind: OptionKind) -> OptionType {
    match kind {
        OptionKind::Call => OptionType::Call,
        OptionKind::Put => OptionType::Put,
    }
}

/// Alice: quote, BTC and ETH collateral; long BTC and short ETH perpetuals; short 30-day BTC
/// calls, long 1-day BTC puts, long 7-day ETH calls; long a BTC put expiring at
/// `EXPIRY_PINNED` and short an ETH call expiring at `EXPIRY_UNPINNED`. The maker holds the
/// other side of everything. Traded at `T0` at the mark.
fn book(s: &mut Suite) -> (Addr, Addr, Vec<Listed>) {
    let (alice, maker) = (actor(10), actor(55));
    s.fund(maker, s.quote, units("900000000", 6));
    s.fund(alice, s.quote, units("500000", 6));
    s.fund(alice, s.btc, units("1.5", 24));
    s.fund(alice, s.eth, units("3.25", 18));
    s.approve_venue(alice);
    s.approve_venue(maker);
    let mut listed: Vec<Listed> =
        (0..3).map(|u| Listed { id: s.perp[u as usize], underlying: u, option: None }).collect();
    let options = [
        (BTC, OptionKind::Call, "62000", T0 + 30 * 86_400_000),
        (BTC, OptionKind::Put, "55000", T0 + 86_400_000),
        (ETH, OptionKind::Call, "3100", T0 + 7 * 86_400_000),
        (BTC, OptionKind::Put, "61000", EXPIRY_PINNED),
        (ETH, OptionKind::Call, "2900", EXPIRY_UNPINNED),
    ];
    for (u, kind, strike, expiry) in options {
        let id = s.list_option(u, option_type(kind), strike, expiry);
        listed.push(Listed { id, underlying: u, option: Some((kind, e18(strike), expiry)) });
    }
    // (instrument index in `listed`, size in lots of 0.001, alice buys)
    let trades = [(0, 500, true), (1, 10_000, false), (3, 2_000, false), (4, 1_500, true), (5, 4_000, true)];
    let trades = trades.into_iter().chain([(6, 1_000, true), (7, 3_000, false)]);
    for (index, lots, alice_buys) in trades {
        let item = listed[index];
        let (spot, vol) = match item.underlying {
            BTC => ("60000", "0.65"),
            _ => ("3000", "0.8"),
        };
        let now = s.chain.now();
        let price = match item.option {
            None => e18(spot),
            Some((kind, strike, expiry)) => {
                option_mark_e18(kind, e18(spot), strike, e18(vol), 0, now, expiry).expect("mark")
            }
        };
        let (buyer, seller) = if alice_buys { (alice, maker) } else { (maker, alice) };
        s.trade(buyer, seller, item.id, LOT * lots, price, 0).unwrap_or_else(|e| panic!("trade {index}: {e:?}"));
    }
    (alice, maker, listed)
}

fn markets() -> Vec<Market> {
    SNAPSHOT
        .iter()
        .map(|&(u, spot, vol)| Market {
            underlying: u,
            spot_e18: e18(spot),
            vol_e18: e18(vol),
            params: risk().to_math(),
        })
        .collect()
}

/// The stored account as `margin-math` input, from the suite's own knowledge of asset
/// decimals, instrument definitions and the pinned settlement price.
fn math_items(s: &Suite, data: &AccountData, listed: &[Listed], pinned: u128) -> (Vec<Collateral>, Vec<Position>) {
    let collateral = s.math_collateral(data);
    let positions = data
        .positions
        .iter()
        .map(|p| {
            let item = listed.iter().find(|l| l.id == p.instrument).expect("listed instrument");
            let kind = match item.option {
                None => PositionKind::Linear { entry_e18: p.entry_e18 },
                Some((kind, strike_e18, expiry_ms)) => {
                    let settlement_e18 = (expiry_ms == EXPIRY_PINNED).then_some(pinned);
                    PositionKind::Option { kind, strike_e18, expiry_ms, settlement_e18 }
                }
            };
            Position { underlying: item.underlying, size_e18: p.size_e18, kind }
        })
        .collect();
    (collateral, positions)
}

#[test]
fn lens_stress_equals_margin_math_bit_for_bit() {
    let mut s = Suite::new();
    let (alice, maker, listed) = book(&mut s);
    // Expire the first short-dated option and pin it; the second expires unpinned.
    s.chain.set_time(EXPIRY_PINNED + 30_000);
    s.set_prices(&[(BTC, "60500", "0.7"), (ETH, "2990", "0.8"), (IDX, "1000", "0.3")]);
    let pinned_id = listed.iter().find(|l| l.option.is_some_and(|o| o.2 == EXPIRY_PINNED)).expect("pinned").id;
    let caller = s.owner;
    let pinned = s.pin_settlement(caller, pinned_id).expect("pin settlement");
    s.chain.set_time(T_CHECK);
    let prices: Vec<(u32, &str, &str)> = SNAPSHOT.to_vec();
    s.set_prices(&prices);

    let grids = [
        (BTC, 21, 5, true),
        (BTC, 2, 1, false),
        (BTC, 3, 113, false),
        (BTC, 20, 17, true),
        (ETH, 201, 1, false),
        (ETH, 7, 31, true),
        // Nothing held in IDX: the lens reads IDX's market besides the held ones; all zero.
        (IDX, 5, 2, true),
    ];
    let mut expired = 0;
    for who in [alice, maker] {
        let data = s.account(who).expect("account");
        let (collateral, positions) = math_items(&s, &data, &listed, pinned);
        expired += positions
            .iter()
            .filter(|p| matches!(p.kind, PositionKind::Option { expiry_ms, .. } if expiry_ms <= T_CHECK))
            .count();
        let account = Account { cash: data.cash, cash_decimals: 6, collateral: &collateral, positions: &positions };
        for (u, spot_points, vol_points, mm) in grids {
            let view = lens_stress(&mut s, who, u, spot_points, vol_points, mm)
                .unwrap_or_else(|e| panic!("lens stress {u} {spot_points}×{vol_points}: {e:?}"));
            let grid =
                stress(&markets(), &account, T_CHECK, u, spot_points, vol_points, mm).expect("margin-math stress");
            let expected = StressView {
                underlying: u,
                spot_points: grid.spot_points,
                vol_points: grid.vol_points,
                points: grid
                    .points
                    .iter()
                    .map(|p| StressPointView {
                        spot_bits: p.spot.to_bits(),
                        vol_bits: p.vol.to_bits(),
                        loss_bits: p.loss.to_bits(),
                    })
                    .collect(),
                worst_loss_bits: grid.worst_loss.to_bits(),
            };
            assert_eq!(view, expected, "grid {u} {spot_points}×{vol_points} mm={mm}");
            assert_eq!(view.points.len(), (spot_points * vol_points) as usize);
            if u == IDX {
                assert!(view.points.iter().all(|p| p.loss_bits == 0), "nothing held in IDX");
            } else {
                assert!(view.worst_loss_bits > 0, "{u}: a loaded book loses somewhere on the grid");
            }
        }
    }
    assert_eq!(expired, 4, "both accounts hold the pinned and the unpinned expired option");
}

#[test]
fn lens_stress_errors_match_the_engine() {
    let mut s = Suite::new();
    let alice = actor(10);
    s.fund(alice, s.btc, units("1", 24));
    let (owner, lens, engine) = (s.owner, s.lens, s.engine);
    let read: Addr = s.chain.call(owner, lens, "engine", ());
    assert_eq!(read, engine);

    let rejected = |s: &mut Suite, who: Addr, u: u32, spot: u32, vol: u32, expected: EngineError| {
        let result = lens_stress(s, who, u, spot, vol, true);
        assert_eq!(result, Err(expected), "{u} {spot}×{vol}");
        assert!(s.chain.last_reverted, "an Err result reverts");
    };
    // Grid bounds: 2–201 spot points, 1–201 vol points, at most 340 points in all (a larger
    // result would not fit ink!'s output buffer: the engine's `stress` trapped there).
    assert_eq!(lens::MAX_GRID_POINTS, 340);
    let too_large = [(2, 171), (31, 11), (201, 2), (2, 201), (201, 201)];
    for (spot, vol) in [(1, 1), (202, 1), (2, 0), (2, 202), (0, 0), (u32::MAX, u32::MAX)].into_iter().chain(too_large) {
        rejected(&mut s, alice, BTC, spot, vol, EngineError::InvalidStressGrid);
    }
    for (spot, vol) in [(2, 1), (201, 1), (2, 170), (20, 17), (170, 2)] {
        let grid = lens_stress(&mut s, alice, BTC, spot, vol, false).expect("bounds are inclusive");
        assert_eq!(grid.points.len(), (spot * vol) as usize);
    }
    // No account comes first, then the grid, then the market (the engine's order).
    rejected(&mut s, actor(20), BTC, 21, 5, EngineError::NoAccount);
    rejected(&mut s, actor(20), 7, 1, 0, EngineError::NoAccount);
    rejected(&mut s, alice, 7, 21, 5, EngineError::UnknownMarket(7));
    rejected(&mut s, alice, 7, 1, 5, EngineError::InvalidStressGrid);

    // Stale: every price older than the max age.
    s.chain.set_time(T0 + MAX_AGE_MS + 1);
    rejected(&mut s, alice, BTC, 21, 5, EngineError::StalePrice(BTC));
    // Only BTC refreshed: BTC computes, and asking for ETH (not held) reads ETH's stale price.
    s.set_prices(&[(BTC, "60000", "0.65")]);
    lens_stress(&mut s, alice, BTC, 21, 5, true).expect("fresh BTC");
    rejected(&mut s, alice, ETH, 21, 5, EngineError::StalePrice(ETH));

    // A lens whose engine reads fail: over a plain account, and over a contract that is no engine.
    let lens_wasm = wasm(BundleProvider::Lens);
    for (target, salt) in [(actor(40), 7), (s.oracle, 8)] {
        let broken = s.chain.deploy(&lens_wasm, "new", target, owner, salt);
        let result: StressResult = s.chain.call(owner, broken, "stress", (alice, BTC, 21u32, 5u32, true));
        assert_eq!(result, Err(EngineError::EngineCallFailed));
        assert!(s.chain.last_reverted);
    }
}
