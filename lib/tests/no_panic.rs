//! Every public function, fed raw bit patterns, returns `Ok` or a typed `Err` and never panics.
//! Tests build with overflow checks on, so an unchecked overflow anywhere would panic here.

use margin_math::black_scholes::{greeks, price, OptionKind};
use margin_math::elementary::{exp, ln, sqrt};
use margin_math::margin::{evaluate, stress, Account, Collateral, Market, MarketParams, Position, PositionKind};
use margin_math::normal::{cdf, pdf};
use margin_math::units::*;
use margin_math::Precise;
use proptest::prelude::*;

fn kind(b: bool) -> OptionKind {
    if b {
        OptionKind::Call
    } else {
        OptionKind::Put
    }
}

proptest! {
    #[test]
    fn elementary_and_normal_never_panic(x in any::<i128>()) {
        let x = Precise::from_bits(x);
        let _ = exp(x);
        let _ = ln(x);
        let _ = sqrt(x);
        let c = cdf(x).unwrap();
        prop_assert!(c >= Precise::ZERO && c <= Precise::ONE);
        let _ = pdf(x).unwrap();
    }

    #[test]
    fn black_scholes_never_panics(b in any::<bool>(), s in any::<i128>(), k in any::<i128>(), v in any::<i128>(), t in any::<i128>(), r in any::<i128>()) {
        let args = (Precise::from_bits(s), Precise::from_bits(k), Precise::from_bits(v), Precise::from_bits(t), Precise::from_bits(r));
        let _ = price(kind(b), args.0, args.1, args.2, args.3, args.4);
        let _ = greeks(kind(b), args.0, args.1, args.2, args.3, args.4);
    }

    /// Same, with magnitudes near the model's domain so the deep code paths run.
    #[test]
    fn black_scholes_never_panics_near_domain(b in any::<bool>(), s in any::<u64>(), k in any::<u64>(), v in any::<u64>(), t in any::<u64>(), r in any::<i64>()) {
        let g = greeks(kind(b), Precise::from_bits(i128::from(s) << 20), Precise::from_bits(i128::from(k) << 20),
            Precise::from_bits(i128::from(v) << 4), Precise::from_bits(i128::from(t) << 8), Precise::from_bits(i128::from(r)));
        if let Ok(g) = g {
            prop_assert!(g.price >= Precise::ZERO);
        }
    }

    #[test]
    fn conversions_never_panic(a in any::<i128>(), u in any::<u128>(), d in any::<u8>(), ms in any::<u64>(), now in any::<u64>()) {
        let _ = units_to_value_floor(a, d);
        let _ = units_to_value_ceil(a, d);
        let _ = unsigned_to_value_floor(u, d);
        let _ = e18_to_value(u);
        let _ = e18_to_precise(u);
        let _ = signed_e18_to_value(a);
        let _ = signed_e18_to_precise(a);
        let _ = ms_to_years(ms);
        let _ = years_until(now, ms);
    }

    #[test]
    fn margin_never_panics(
        spot in any::<u128>(), vol in any::<u128>(), shocks in any::<[u128; 6]>(), rate in any::<i128>(),
        cash in any::<i128>(), dec in any::<u8>(), amount in any::<u128>(), haircut in any::<u128>(),
        sizes in any::<[i128; 3]>(), strike in any::<u128>(), expiry in any::<u64>(), settle in any::<Option<u128>>(),
        now in any::<u64>(), points in any::<(u32, u32)>(),
    ) {
        let params = MarketParams {
            spot_shock_im_e18: shocks[0], spot_shock_mm_e18: shocks[1], vol_shock_im_e18: shocks[2],
            vol_shock_mm_e18: shocks[3], vol_floor_e18: shocks[4], short_option_addon_e18: shocks[5], rate_e18: rate,
        };
        let markets = [Market { underlying: 0, spot_e18: spot, vol_e18: vol, params }];
        let collateral = [Collateral { underlying: 0, amount, decimals: dec, basis_haircut_e18: haircut }];
        let positions = [
            Position { underlying: 0, size_e18: sizes[0], kind: PositionKind::Linear { entry_e18: strike } },
            Position { underlying: 0, size_e18: sizes[1], kind: PositionKind::Option { kind: OptionKind::Call, strike_e18: strike, expiry_ms: expiry, settlement_e18: settle } },
            Position { underlying: 0, size_e18: sizes[2], kind: PositionKind::Option { kind: OptionKind::Put, strike_e18: strike, expiry_ms: expiry, settlement_e18: None } },
        ];
        let acct = Account { cash, cash_decimals: dec, collateral: &collateral, positions: &positions };
        let _ = evaluate(&markets, &acct, now);
        let _ = stress(&markets, &acct, now, 0, points.0 % 300, points.1 % 300, true);
    }

    /// Valid parameters with extreme but in-bound inputs (sizes up to ±2.1e6 contracts, spot
    /// 1e-6 … 1e10, K/S up to 3, vol 0 … 10, expiries from now − 1 day to 100 years, any
    /// settlement, collateral up to 1.8e10 whole tokens): health always computes. Notional per
    /// item stays below ~1e20 quote, far inside `I80F48` (6e23): the engine's caps keep it there.
    #[test]
    fn margin_never_panics_on_valid_params(
        spot in 1_000_000_000_000u128..10_000_000_000u128 * 1_000_000_000_000_000_000,
        vol in 0u128..10_000_000_000_000_000_000, sizes in any::<[i32; 3]>(), strike_scale in 1u128..3_000,
        expiry_offset in -86_400_000i64..3_153_600_000_000, settle in proptest::option::of(0u64..10_000_000_000), dec in 9u8..=24, amount in any::<u64>(),
    ) {
        const E18: u128 = 1_000_000_000_000_000_000;
        let params = MarketParams {
            spot_shock_im_e18: E18 / 5, spot_shock_mm_e18: E18 / 10, vol_shock_im_e18: E18, vol_shock_mm_e18: E18 / 2,
            vol_floor_e18: E18 / 100, short_option_addon_e18: E18 / 50, rate_e18: (E18 / 20) as i128,
        };
        let markets = [Market { underlying: 0, spot_e18: spot, vol_e18: vol, params }];
        let now = 1_767_225_600_000u64;
        let expiry = now.saturating_add_signed(expiry_offset);
        let strike = ((spot / 1000).max(1) * strike_scale).min(10_000_000_000 * E18); // listing bound
        let collateral = [Collateral { underlying: 0, amount: u128::from(amount), decimals: dec, basis_haircut_e18: E18 / 10 }];
        let size = |x: i32| i128::from(x) * 1_000_000_000_000_000; // up to ±2.1e6 contracts
        let positions = [
            Position { underlying: 0, size_e18: size(sizes[0]), kind: PositionKind::Linear { entry_e18: spot } },
            Position { underlying: 0, size_e18: size(sizes[1]), kind: PositionKind::Option { kind: OptionKind::Call, strike_e18: strike, expiry_ms: expiry, settlement_e18: settle.map(|x| u128::from(x) * 1_000_000_000_000_000_000) } },
            Position { underlying: 0, size_e18: size(sizes[2]), kind: PositionKind::Option { kind: OptionKind::Put, strike_e18: strike, expiry_ms: expiry, settlement_e18: None } },
        ];
        let acct = Account { cash: 0, cash_decimals: 6, collateral: &collateral, positions: &positions };
        match evaluate(&markets, &acct, now) {
            Ok(h) => prop_assert!(h.initial_margin >= h.maintenance_margin),
            Err(e) => prop_assert!(false, "health failed to compute in bounds: {e:?}"),
        }
    }
}
