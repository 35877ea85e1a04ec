//! Property tests of the pricing kernels and the margin model.
//!
//! Case count: proptest's default (256) or `PROPTEST_CASES` (CI sets 2000). Each strategy
//! states its domain in its name and bounds.

mod common;

use common::params;

use margin_math::black_scholes::{greeks, price, OptionKind};
use margin_math::elementary::{exp, ln, sqrt};
use margin_math::margin::{evaluate, stress, Account, Collateral, Market, MarketParams, Position, PositionKind};
use margin_math::normal::{cdf, pdf};
use margin_math::units::{
    e18_to_precise, e18_to_value, e18_to_value_ceil, ms_to_years, units_to_value_ceil, units_to_value_floor,
    units_to_value_toward_zero,
};
use margin_math::{Precise, Value};
use proptest::prelude::*;

const E18: u128 = 1_000_000_000_000_000_000;
const NOW_MS: u64 = 1_767_225_600_000;
const HOUR_MS: u64 = 3_600_000;

fn p(x_e18: u128) -> Precise {
    e18_to_precise(x_e18).unwrap()
}

/// Pricing domain: S, K ∈ [1e-3, 1e6], σ ∈ [0.01, 3], T ∈ [0, 5] years, r ∈ [−0.05, 0.1].
fn bs_inputs() -> impl Strategy<Value = (u128, u128, u128, u64, i128)> {
    (
        E18 / 1000..1_000_000 * E18,
        E18 / 1000..1_000_000 * E18,
        E18 / 100..3 * E18,
        0u64..5 * 31_536_000_000,
        -(E18 as i128) / 20..(E18 as i128) / 10,
    )
}

fn rate(r: i128) -> Precise {
    margin_math::units::signed_e18_to_precise(r).unwrap()
}

fn f(x: Precise) -> f64 {
    x.to_num()
}

proptest! {
    #[test]
    fn put_call_parity_holds((s, k, v, t_ms, r) in bs_inputs()) {
        let (sp, kp, vp, tp, rp) = (p(s), p(k), p(v), ms_to_years(t_ms), rate(r));
        let call = price(OptionKind::Call, sp, kp, vp, tp, rp).unwrap();
        let put = price(OptionKind::Put, sp, kp, vp, tp, rp).unwrap();
        let disc = exp(-(rp * tp)).unwrap();
        let lhs = f(call) - f(put);
        let rhs = f(sp) - f(kp * disc);
        let scale = f(sp).max(f(kp));
        // C − P = S − K e^{−rT}; tolerance: f64 measurement and a few ulp of each term.
        prop_assert!((lhs - rhs).abs() <= 1e-14 * scale + 1e-17, "C−P={lhs} S−K'={rhs}");
    }

    #[test]
    fn deltas_are_bounded_and_gamma_vega_non_negative((s, k, v, t_ms, r) in bs_inputs()) {
        let (sp, kp, vp, tp, rp) = (p(s), p(k), p(v), ms_to_years(t_ms), rate(r));
        let c = greeks(OptionKind::Call, sp, kp, vp, tp, rp).unwrap();
        let q = greeks(OptionKind::Put, sp, kp, vp, tp, rp).unwrap();
        prop_assert!(c.delta >= Precise::ZERO && c.delta <= Precise::ONE);
        prop_assert!(q.delta >= -Precise::ONE && q.delta <= Precise::ZERO);
        prop_assert!(c.gamma >= Precise::ZERO && c.vega >= Precise::ZERO);
        prop_assert_eq!(c.gamma, q.gamma);
        prop_assert_eq!(c.vega, q.vega);
        // Δcall − Δput = 1 up to the table error of Φ
        prop_assert!((f(c.delta) - f(q.delta) - 1.0).abs() <= 1e-17);
        prop_assert!(c.price >= Precise::ZERO && q.price >= Precise::ZERO);
    }

    #[test]
    fn price_and_delta_are_monotone_in_spot((s, k, v, t_ms, r) in bs_inputs(), bump in 1u128..1000) {
        let (kp, vp, tp, rp) = (p(k), p(v), ms_to_years(t_ms), rate(r));
        let s2 = s + s / 1000 * bump / 1000 + 1;
        let lo = greeks(OptionKind::Call, p(s), kp, vp, tp, rp).unwrap();
        let hi = greeks(OptionKind::Call, p(s2), kp, vp, tp, rp).unwrap();
        // Prices carry an absolute error of order 1e-18·max(S, K) (Φ's table error times the
        // larger leg), so monotonicity is asserted up to 1e-17·max(S, K); delta up to 64 ulp.
        let price_tol = Precise::from_num(1e-17 * f(p(s2)).max(f(kp)));
        let tol = Precise::from_bits(64);
        prop_assert!(hi.price + price_tol >= lo.price, "call price fell: {} → {}", lo.price, hi.price);
        prop_assert!(hi.delta + tol >= lo.delta, "call delta fell: {} → {}", lo.delta, hi.delta);
        let plo = price(OptionKind::Put, p(s), kp, vp, tp, rp).unwrap();
        let phi = price(OptionKind::Put, p(s2), kp, vp, tp, rp).unwrap();
        prop_assert!(phi <= plo + price_tol, "put price rose: {plo} → {phi}");
    }

    #[test]
    fn price_is_monotone_in_vol((s, k, v, t_ms, r) in bs_inputs(), bump in 1u128..E18) {
        let (sp, kp, tp, rp) = (p(s), p(k), ms_to_years(t_ms), rate(r));
        let tol = Precise::from_num(1e-17 * f(sp).max(f(kp)));
        for kind in [OptionKind::Call, OptionKind::Put] {
            let lo = price(kind, sp, kp, p(v), tp, rp).unwrap();
            let hi = price(kind, sp, kp, p(v + bump), tp, rp).unwrap();
            prop_assert!(hi + tol >= lo);
        }
    }

    /// price(λS, λK) = λ·price(S, K) for λ = 2^j (exact scaling, so only rounding differs):
    /// tolerance 1e-15·λ·max(S, K) plus 64 ulp of Q64.
    #[test]
    fn price_is_positively_homogeneous((s, k, v, t_ms, r) in bs_inputs(), j in 0u32..8) {
        let (vp, tp, rp) = (p(v), ms_to_years(t_ms), rate(r));
        let lambda = Precise::from_num(1u64 << j);
        for kind in [OptionKind::Call, OptionKind::Put] {
            let base = price(kind, p(s), p(k), vp, tp, rp).unwrap();
            let scaled = price(kind, p(s) * lambda, p(k) * lambda, vp, tp, rp).unwrap();
            let err = (f(scaled) - f(base * lambda)).abs();
            prop_assert!(err <= 1e-15 * f(lambda) * f(p(s)).max(f(p(k))) + 64.0 * f64::powi(2.0, -64),
                "λ={lambda} err={err}");
        }
    }

    #[test]
    fn exp_ln_sqrt_cdf_are_consistent(x in -40i128 * (E18 as i128)..40 * (E18 as i128)) {
        let xp = margin_math::units::signed_e18_to_precise(x).unwrap();
        let e = exp(xp).unwrap();
        if e > Precise::from_num(1e-6) {
            let back = ln(e).unwrap();
            prop_assert!((f(back) - f(xp)).abs() < 1e-12);
        }
        let sum = f(cdf(xp).unwrap()) + f(cdf(-xp).unwrap());
        prop_assert!((sum - 1.0).abs() <= 1e-17);
        prop_assert!(pdf(xp).unwrap() >= Precise::ZERO);
        let a = xp.abs();
        let r = f(sqrt(a).unwrap());
        let want = f(a).sqrt();
        prop_assert!(r <= want * (1.0 + 1e-15) && want - r <= want * 2f64.powi(-52) + 2f64.powi(-63), "√{a} = {r}, want {want}");
    }

    #[test]
    fn unit_conversions_bracket_the_exact_value(a in any::<i64>(), d in 0u8..=24) {
        let lo = units_to_value_floor(i128::from(a), d).unwrap();
        let hi = units_to_value_ceil(i128::from(a), d).unwrap();
        prop_assert!(hi.to_bits() - lo.to_bits() <= 1);
        // lo·10^d ≤ a·2^48/2^48 ≤ hi·10^d, checked in exact integers (i128 wide enough for i64·2^48
        // only when d is small; compare via division instead)
        let scale = 10i128.pow(u32::from(d));
        let exact_num = i128::from(a) * (1 << 48); // a·2^48 fits: |a| < 2^63
        prop_assert!(lo.to_bits().checked_mul(scale).is_none_or(|v| v <= exact_num));
        prop_assert!(hi.to_bits().checked_mul(scale).is_none_or(|v| v >= exact_num));
    }
}

// ---------------------------------------------------------------- the margin model

fn market(u: u32, spot_e18: u128, vol_e18: u128, params: MarketParams) -> Market {
    Market { underlying: u, spot_e18, vol_e18, params }
}

fn linear(u: u32, size_e18: i128, entry_e18: u128) -> Position {
    Position { underlying: u, size_e18, kind: PositionKind::Linear { entry_e18 } }
}

fn option(u: u32, kind: OptionKind, size_e18: i128, strike_e18: u128, expiry_ms: u64) -> Position {
    Position {
        underlying: u,
        size_e18,
        kind: PositionKind::Option { kind, strike_e18, expiry_ms, settlement_e18: None },
    }
}

fn coll(u: u32, amount: u128, decimals: u8) -> Collateral {
    Collateral { underlying: u, amount, decimals, basis_haircut_e18: 0 }
}

fn account<'a>(cash: i128, collateral: &'a [Collateral], positions: &'a [Position]) -> Account<'a> {
    Account { cash, cash_decimals: 18, collateral, positions }
}

/// Delta-one book: collateral (18 decimals) and linear positions on one underlying.
fn delta_one_book() -> impl Strategy<Value = (u128, u128, Vec<i128>, u128)> {
    (
        E18..100_000 * E18,                                                     // spot 1 … 1e5
        0u128..1_000 * E18,                                                     // collateral amount
        prop::collection::vec(-1_000 * E18 as i128..1_000 * E18 as i128, 0..6), // linear sizes
        E18..100_000 * E18,                                                     // entry price
    )
}

/// |MR − |D|·S·h| ≤ (|D|·S + |D| + S + 2)·2^-48: one ulp of rounding on each input conversion
/// (D, S, h, each scaled by the other factors) and on each of the two products.
fn close_to_exact(mr: Value, d_abs_e18: u128, spot_e18: u128, h_e18: u128) -> bool {
    let exact = (d_abs_e18 as f64 / 1e18) * (spot_e18 as f64 / 1e18) * (h_e18 as f64 / 1e18);
    let (d, s) = (d_abs_e18 as f64 / 1e18, spot_e18 as f64 / 1e18);
    let tol = (d * s + d + s + 2.0) * 2f64.powi(-48) + exact * 1e-15;
    (mr.to_num::<f64>() - exact).abs() <= tol
}

proptest! {
    /// A collateral + linear book needs exactly ceil(|D|·ceil(S·h)), D the net delta, and that is
    /// |Δ|·S·h up to input rounding.
    #[test]
    fn linear_only_book_needs_exactly_delta_times_spot_times_shock((spot, amount, sizes, entry) in delta_one_book()) {
        let positions: Vec<Position> = sizes.iter().map(|&s| linear(0, s, entry)).collect();
        let collateral = [coll(0, amount, 18)];
        let h = evaluate(&[market(0, spot, 6 * E18 / 10, params())], &account(0, &collateral, &positions), NOW_MS).unwrap();
        let d_e18: i128 = amount as i128 + sizes.iter().sum::<i128>();
        let u = &h.underlyings[0];
        // bit-exact against the documented formula, computed here from the converted inputs
        let d = e18_to_value(amount).unwrap()
            + sizes.iter().map(|&s| units_to_value_toward_zero(s, 18).unwrap()).sum::<Value>();
        prop_assert_eq!(u.delta, d);
        let s = e18_to_value(spot).unwrap();
        let ceil_mul = |a: Value, b: Value| -((-a) * b);
        let want_mm = ceil_mul(d.abs(), ceil_mul(s, e18_to_value_ceil(6 * E18 / 100).unwrap()));
        let want_im = ceil_mul(d.abs(), ceil_mul(s, e18_to_value_ceil(E18 / 10).unwrap()));
        prop_assert_eq!(u.maintenance_margin, want_mm);
        prop_assert_eq!(u.initial_margin, want_im);
        prop_assert!(close_to_exact(u.maintenance_margin, d_e18.unsigned_abs(), spot, 6 * E18 / 100));
        prop_assert!(close_to_exact(u.initial_margin, d_e18.unsigned_abs(), spot, E18 / 10));
    }

    /// Adding a delta-one position that moves the net delta toward zero (without crossing past
    /// its mirror image) never raises the requirement, beyond conversion rounding at the exact
    /// mirror: each of the three quantities is up to one ulp off, so |D| may differ by up to five
    /// ulps between the two books, i.e. `5·ceil(S·h)·2^-48`, plus an ulp per product.
    #[test]
    fn hedges_never_raise_margin((spot, amount, sizes, entry) in delta_one_book(), frac in 0u128..=2000) {
        let collateral = [coll(0, amount, 18)];
        let mut positions: Vec<Position> = sizes.iter().map(|&s| linear(0, s, entry)).collect();
        let m = [market(0, spot, 6 * E18 / 10, params())];
        let before = evaluate(&m, &account(0, &collateral, &positions), NOW_MS).unwrap();
        let d_e18: i128 = amount as i128 + sizes.iter().sum::<i128>();
        let hedge = -d_e18 / 1000 * frac as i128; // 0 … −2·D
        positions.push(linear(0, hedge, spot));
        let after = evaluate(&m, &account(0, &collateral, &positions), NOW_MS).unwrap();
        let slack = |h_e18: u128| Value::from_bits((6 * (spot / E18 + 1) * h_e18 / E18 + 1) as i128 + 2);
        prop_assert!(after.maintenance_margin <= before.maintenance_margin + slack(6 * E18 / 100));
        prop_assert!(after.initial_margin <= before.initial_margin + slack(E18 / 10));
        if frac < 2000 {
            // strictly inside the mirror, the move of |D| dwarfs any rounding
            prop_assert!(after.maintenance_margin <= before.maintenance_margin || d_e18.unsigned_abs() < 1000);
        }
    }

    /// IM ≥ MM for every book, options included; and the health identities.
    #[test]
    fn initial_margin_is_never_below_maintenance(book in option_book(true)) {
        let (m, collateral, positions, cash) = book;
        let h = evaluate(&m, &account(cash, &collateral, &positions), NOW_MS).unwrap();
        prop_assert!(h.initial_margin >= h.maintenance_margin);
        prop_assert!(h.maintenance_margin >= Value::ZERO);
        prop_assert_eq!(h.health, h.equity - h.maintenance_margin);
        prop_assert_eq!(h.liquidatable, h.health < Value::ZERO);
        for u in &h.underlyings {
            prop_assert!(u.initial_margin >= u.maintenance_margin);
            prop_assert!(u.worst_mm.loss <= u.maintenance_margin);
        }
    }

    /// Scaling every size by 2^j scales MR by 2^j (positive homogeneity), within one ulp per
    /// rounded term: (items·(j+2)) · 2^-48 · 2^j plus 1e-12 relative.
    #[test]
    fn margin_is_positively_homogeneous_in_size(book in option_book(true), j in 1u32..6) {
        let (m, collateral, positions, cash) = book;
        let k = 1i128 << j;
        let scaled_pos: Vec<Position> = positions.iter().map(|p| Position { size_e18: p.size_e18 * k, ..*p }).collect();
        let scaled_col: Vec<Collateral> = collateral.iter().map(|c| Collateral { amount: c.amount * k as u128, ..*c }).collect();
        let base = evaluate(&m, &account(cash, &collateral, &positions), NOW_MS).unwrap();
        let scaled = evaluate(&m, &account(cash * k, &scaled_col, &scaled_pos), NOW_MS).unwrap();
        let items = (positions.len() + collateral.len() + 2) as f64;
        for (a, b) in [(base.maintenance_margin, scaled.maintenance_margin), (base.initial_margin, scaled.initial_margin)] {
            let want = a.to_num::<f64>() * k as f64;
            let tol = items * 40.0 * 2f64.powi(-48) * k as f64 * 1e3 + want.abs() * 1e-12;
            prop_assert!((b.to_num::<f64>() - want).abs() <= tol, "MR {a} ×{k} = {want}, got {b}");
        }
    }

    /// The coverage promise (`docs/model.md`) on its oldest domain, kept as a regression: delta-one
    /// items plus *short* options (T ≥ 1 h, K/S ∈ [0.5, 2], σ ∈ [0.1, 2], ≤ 8 options). Short
    /// options make the loss convex in spot and increasing in vol, so its maximum over the box
    /// `[S(1±h_mm)] × [max(σ−v, σ_min), σ+v]` sits on the grid's corners. Checked against a
    /// 41 × 9 full-revaluation grid; tolerance 1e-12 relative for the two grids' spot rounding.
    #[test]
    fn maintenance_margin_covers_fine_grid_loss_for_short_option_books(book in option_book(false)) {
        let (m, collateral, positions, cash) = book;
        let acct = account(cash, &collateral, &positions);
        let h = evaluate(&m, &acct, NOW_MS).unwrap();
        for u in &h.underlyings {
            let grid = stress(&m, &acct, NOW_MS, u.underlying, 41, 9, true).unwrap();
            let tol = grid.worst_loss.to_num::<f64>().abs() * 1e-12 + 1e-9;
            prop_assert!(u.maintenance_margin.to_num::<f64>() + tol >= grid.worst_loss.to_num::<f64>(),
                "underlying {}: MR(mm) {} < fine-grid loss {}", u.underlying, u.maintenance_margin, grid.worst_loss);
        }
    }
}

/// Books on two underlyings in the model's original test domain: up to 8 options each with
/// T ∈ [1 h, 1 y], K/S ∈ [0.5, 2], σ ∈ [0.1, 2]; collateral and linear positions of either sign.
/// With `allow_long = false` every option is short.
fn option_book(allow_long: bool) -> impl Strategy<Value = (Vec<Market>, Vec<Collateral>, Vec<Position>, i128)> {
    let market_s = (E18..100_000 * E18, E18 / 10..2 * E18);
    let opt_s = (0u32..2, any::<bool>(), 1u128..100 * E18, 500u128..2000, HOUR_MS..365 * 24 * HOUR_MS, any::<bool>());
    (
        prop::collection::vec(market_s, 2),
        prop::collection::vec(opt_s, 0..16),
        prop::collection::vec((0u32..2, 0u128..50 * E18), 0..3),
        prop::collection::vec((0u32..2, -50 * E18 as i128..50 * E18 as i128), 0..3),
        -1_000_000 * E18 as i128..1_000_000 * E18 as i128,
    )
        .prop_map(move |(mk, opts, cols, lins, cash)| {
            let markets: Vec<Market> =
                mk.iter().enumerate().map(|(i, &(s, v))| market(i as u32, s, v, params())).collect();
            let mut positions = Vec::new();
            let mut count = [0usize; 2];
            for (u, is_call, size, k_permille, t_ms, long) in opts {
                if count[u as usize] == 8 {
                    continue;
                }
                count[u as usize] += 1;
                let spot = markets[u as usize].spot_e18;
                let strike = spot / 1000 * k_permille;
                let kind = if is_call { OptionKind::Call } else { OptionKind::Put };
                let signed = if allow_long && long { size as i128 } else { -(size as i128) };
                positions.push(option(u, kind, signed, strike, NOW_MS + t_ms));
            }
            for (u, size) in lins {
                positions.push(linear(u, size, markets[u as usize].spot_e18));
            }
            let collateral: Vec<Collateral> = cols.into_iter().map(|(u, a)| coll(u, a, 18)).collect();
            (markets, collateral, positions, cash)
        })
}

/// A liquidation-like change of underlying 0: drop one of its positions (the `cut`-th mod 4, if
/// any) and halve its collateral.
fn change_underlying_zero(
    collateral: &[Collateral],
    positions: &[Position],
    cut: usize,
) -> (Vec<Collateral>, Vec<Position>) {
    let mut changed_positions = positions.to_vec();
    if let Some(i) =
        changed_positions.iter().enumerate().filter(|(_, p)| p.underlying == 0).map(|(i, _)| i).nth(cut % 4)
    {
        changed_positions.remove(i);
    }
    let changed_collateral: Vec<Collateral> = collateral
        .iter()
        .map(|c| if c.underlying == 0 { Collateral { amount: c.amount / 2, ..*c } } else { *c })
        .filter(|c| c.amount > 0)
        .collect();
    (changed_collateral, changed_positions)
}

proptest! {
    /// Liquidation revalues only the slice's underlying: replacing that underlying's contribution
    /// and the cash in a full evaluation gives exactly (bit for bit) the full evaluation of the
    /// changed account.
    #[test]
    fn standing_recombined_per_underlying_equals_full_evaluation(
        book in option_book(true),
        cut in 0usize..16,
        cash_change in -1_000 * E18 as i128..1_000 * E18 as i128,
    ) {
        use margin_math::liquidation::Standing;
        let (markets, collateral, positions, cash) = book;
        let before = evaluate(&markets, &account(cash, &collateral, &positions), NOW_MS).unwrap();
        let (changed_collateral, changed_positions) = change_underlying_zero(&collateral, &positions, cut);
        let new_cash = cash + cash_change;
        let full = evaluate(&markets, &account(new_cash, &changed_collateral, &changed_positions), NOW_MS).unwrap();
        let only_c: Vec<Collateral> = changed_collateral.iter().copied().filter(|c| c.underlying == 0).collect();
        let only_p: Vec<Position> = changed_positions.iter().copied().filter(|p| p.underlying == 0).collect();
        let only = evaluate(&markets[..1], &account(0, &only_c, &only_p), NOW_MS).unwrap();
        let old = before.underlyings.iter().find(|r| r.underlying == 0);
        let recombined = Standing::of(&before).replace(old, only.underlyings.first(), cash, new_cash, 18).unwrap();
        prop_assert_eq!(recombined, Standing::of(&full));
        prop_assert_eq!(recombined.health().unwrap(), full.health);
    }
}

/// [`option_book`] with some options expired: unpinned (valued at intrinsic around spot) or
/// pinned at a settlement price within ±50% of spot.
fn option_book_with_expired() -> impl Strategy<Value = (Vec<Market>, Vec<Collateral>, Vec<Position>, i128)> {
    (option_book(true), prop::collection::vec((0u8..4, 500u128..1500), 16)).prop_map(|(book, expiries)| {
        let (markets, collateral, mut positions, cash) = book;
        for (p, (what, settle_permille)) in positions.iter_mut().zip(expiries) {
            let spot = markets[p.underlying as usize].spot_e18;
            if let PositionKind::Option { ref mut expiry_ms, ref mut settlement_e18, .. } = p.kind {
                match what {
                    0 => *expiry_ms = NOW_MS - 1,
                    1 => {
                        *expiry_ms = NOW_MS;
                        *settlement_e18 = Some(spot / 1000 * settle_permille);
                    }
                    _ => {}
                }
            }
        }
        (markets, collateral, positions, cash)
    })
}

proptest! {
    /// The maintenance-only evaluation gives exactly (bit for bit) the equity, maintenance
    /// margin and health of the full evaluation, in total and per underlying.
    #[test]
    fn maintenance_evaluation_equals_full_evaluation(book in option_book_with_expired()) {
        use margin_math::margin::evaluate_maintenance;
        let (markets, collateral, positions, cash) = book;
        let acct = account(cash, &collateral, &positions);
        let full = evaluate(&markets, &acct, NOW_MS).unwrap();
        let m = evaluate_maintenance(&markets, &acct, NOW_MS).unwrap();
        prop_assert_eq!(m.equity, full.equity);
        prop_assert_eq!(m.maintenance_margin, full.maintenance_margin);
        prop_assert_eq!(m.health, full.health);
        prop_assert_eq!(m.liquidatable, full.liquidatable);
        prop_assert_eq!(m.underlyings.len(), full.underlyings.len());
        for (a, b) in m.underlyings.iter().zip(&full.underlyings) {
            prop_assert_eq!(a.underlying, b.underlying);
            prop_assert_eq!(a.value, b.value);
            prop_assert_eq!(a.maintenance_margin, b.maintenance_margin);
        }
    }

    /// Liquidation's lazy end-target decision (maintenance standings recombined per underlying,
    /// the initial margin computed only when `E ≥ MR(mm)`: the other underlyings' from the
    /// account before, the changed one's alone) equals the decision from a full evaluation of
    /// the changed account. The cash change aims near the end target so both sides are hit.
    #[test]
    fn lazy_end_target_decision_equals_full_evaluation(
        book in option_book_with_expired(),
        cut in 0usize..16,
        buffer in 0u128..=E18,
        jitter in -2_000i128..2_000,
    ) {
        use margin_math::liquidation::{MaintenanceStanding, Standing};
        use margin_math::margin::evaluate_maintenance;
        let (markets, collateral, positions, cash) = book;
        let before = evaluate_maintenance(&markets, &account(cash, &collateral, &positions), NOW_MS).unwrap();
        let (changed_collateral, changed_positions) = change_underlying_zero(&collateral, &positions, cut);
        // Cash that puts the changed account's equity within ±2000e-6 quote of its end target.
        let unmoved = evaluate(&markets, &account(cash, &changed_collateral, &changed_positions), NOW_MS).unwrap();
        let gap = Standing::of(&unmoved).end_target(buffer).unwrap() - unmoved.equity;
        let new_cash = cash + (gap.to_num::<f64>() * 1e18) as i128 + jitter * 1_000_000_000_000;
        let full = evaluate(&markets, &account(new_cash, &changed_collateral, &changed_positions), NOW_MS).unwrap();
        let full_decision = Standing::of(&full).reached_end(buffer).unwrap();

        let only_c: Vec<Collateral> = changed_collateral.iter().copied().filter(|c| c.underlying == 0).collect();
        let only_p: Vec<Position> = changed_positions.iter().copied().filter(|p| p.underlying == 0).collect();
        let only = evaluate_maintenance(&markets[..1], &account(0, &only_c, &only_p), NOW_MS).unwrap();
        let old = before.underlyings.iter().find(|r| r.underlying == 0);
        let after = MaintenanceStanding::of(&before).replace(old, only.underlyings.first(), cash, new_cash, 18).unwrap();
        prop_assert_eq!(after.equity, full.equity);
        prop_assert_eq!(after.maintenance_margin, full.maintenance_margin);
        let mut asked = false;
        let lazy = after.reached_end(buffer, || {
            asked = true;
            let other_c: Vec<Collateral> = collateral.iter().copied().filter(|c| c.underlying != 0).collect();
            let other_p: Vec<Position> = positions.iter().copied().filter(|p| p.underlying != 0).collect();
            let others = evaluate(&markets, &account(0, &other_c, &other_p), NOW_MS)?;
            let changed = evaluate(&markets[..1], &account(0, &only_c, &only_p), NOW_MS)?;
            Ok::<Value, margin_math::MathError>(others.initial_margin + changed.initial_margin)
        }).unwrap();
        prop_assert_eq!(lazy, full_decision);
        prop_assert_eq!(asked, full.equity >= full.maintenance_margin);
    }
}

proptest! {
    /// `equity` is `evaluate`'s equity, bit for bit, on option books with expired options too
    /// (the risk statistics revalue books with it).
    #[test]
    fn equity_alone_is_evaluates_equity(book in option_book_with_expired()) {
        let (markets, collateral, positions, cash) = book;
        let a = account(cash, &collateral, &positions);
        let full = evaluate(&markets, &a, NOW_MS).unwrap();
        prop_assert_eq!(margin_math::margin::equity(&markets, &a, NOW_MS).unwrap(), full.equity);
    }
}
