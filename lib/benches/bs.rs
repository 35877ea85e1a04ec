//! Native speed of the fixed-point pricing path against an f64 baseline (budget, README
//! "Performance": native BS price+greeks ≥ 200 k/s/core, goal ≥ 1 M/s and ≤ 5× an f64
//! implementation).
//!
//! Criterion groups:
//! * `bs_greeks` / `bs_price`: 256 fixed, deterministic inputs (calls and puts, S/K 0.5–2,
//!   σ 0.1–2, T 1 hour–2 years) through `margin_math::black_scholes` and through the f64
//!   implementation below; throughput in options.
//! * `evaluate`: `margin::evaluate` of a 32-position book (8 underlyings, 16 options, 16 linear,
//!   2 collateral) and the same model in f64 (per option: 1 price + 1 greeks + 2 × 10 grid prices).
//! * `primitives`: `normal::cdf`, `normal::pdf`, `elementary::{exp, ln, sqrt}` (per call), to see
//!   where the fixed-point time goes, and the f64 Φ for scale.
//!
//! After the groups, `main` times each pair again with `Instant` and prints `summary:` lines
//! with the fixed/f64 ratio (skipped in `--test`/`--list` mode).
//!
//! Run: `cargo bench -p margin-math --bench bs`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use margin_math::black_scholes::{greeks, price};
use margin_math::elementary::{exp, ln, sqrt};
use margin_math::margin::{evaluate, Account, Collateral, Market, MarketParams, Position, PositionKind};
use margin_math::normal::{cdf, pdf};
use margin_math::{OptionKind, Precise};

// The f64 baseline is the margin model's reference twin (lib/tests/twin): Cody's erfc,
// Black-Scholes and the whole margin model in plain f64.
#[path = "../tests/twin/mod.rs"]
mod twin;
use twin::{core_f64, evaluate_f64, greeks_f64, phi_f64, price_f64, ONE_E18};

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

const N_INPUTS: usize = 256;
const HOURS_PER_YEAR: f64 = 8760.0;

#[derive(Debug, Clone, Copy)]
struct BsInput {
    kind: OptionKind,
    spot: Precise,
    strike: Precise,
    vol: Precise,
    years: Precise,
    rate: Precise,
}

#[derive(Debug, Clone, Copy)]
struct BsInputF64 {
    kind: OptionKind,
    spot: f64,
    strike: f64,
    vol: f64,
    years: f64,
    rate: f64,
}

/// `frac(1/2 + i·α)`: an additive-recurrence (Weyl) low-discrepancy sequence, deterministic.
fn weyl(i: usize, alpha: f64) -> f64 {
    (0.5 + i as f64 * alpha).fract()
}

/// 256 deterministic inputs, log-uniform in S/K ∈ [0.5, 2], σ ∈ [0.1, 2], T ∈ [1 h, 2 y] and
/// S ∈ [0.5, 60 000]; calls and puts alternate; r ∈ {0, 1%, 3%, 5%}.
fn bs_inputs() -> (Vec<BsInput>, Vec<BsInputF64>) {
    let mut fixed = Vec::with_capacity(N_INPUTS);
    let mut float = Vec::with_capacity(N_INPUTS);
    for i in 0..N_INPUTS {
        let ratio = 0.5 * 4f64.powf(weyl(i, 2f64.sqrt() - 1.0));
        let vol = 0.1 * 20f64.powf(weyl(i, 3f64.sqrt() - 1.0));
        let years = (2.0 * HOURS_PER_YEAR).powf(weyl(i, 5f64.sqrt() - 2.0)) / HOURS_PER_YEAR;
        let spot = 0.5 * 120_000f64.powf(weyl(i, 7f64.sqrt() - 2.0));
        let rate = [0.0, 0.01, 0.03, 0.05][(i / 2) % 4];
        let kind = if i % 2 == 0 { OptionKind::Call } else { OptionKind::Put };
        let x = BsInput {
            kind,
            spot: Precise::from_num(spot),
            strike: Precise::from_num(spot / ratio),
            vol: Precise::from_num(vol),
            years: Precise::from_num(years),
            rate: Precise::from_num(rate),
        };
        // The f64 side gets the fixed-point inputs back, so both price the same numbers.
        float.push(BsInputF64 {
            kind,
            spot: x.spot.to_num(),
            strike: x.strike.to_num(),
            vol: x.vol.to_num(),
            years: x.years.to_num(),
            rate: x.rate.to_num(),
        });
        fixed.push(x);
    }
    (fixed, float)
}

const NOW_MS: u64 = 1_750_000_000_000;
const DAY_MS: u64 = 86_400_000;

fn e18(x: f64) -> u128 {
    (x * ONE_E18).round() as u128
}

fn se18(x: f64) -> i128 {
    (x * ONE_E18).round() as i128
}

/// 8 underlyings with realistic parameters: h 0.10/0.06, v 0.20/0.12, σ_min 0.05, add-on 0.01.
fn markets() -> Vec<Market> {
    let spots = [60_000.0, 3_000.0, 150.0, 0.45, 7.0, 15.0, 30.0, 8.0];
    let vols = [0.55, 0.70, 0.95, 1.20, 0.80, 0.85, 0.90, 0.75];
    let rates = [0.03, 0.03, 0.0, 0.0, 0.02, 0.01, 0.0, 0.05];
    (0..8)
        .map(|j| Market {
            underlying: j as u32,
            spot_e18: e18(spots[j]),
            vol_e18: e18(vols[j]),
            params: MarketParams {
                spot_shock_im_e18: e18(0.10),
                spot_shock_mm_e18: e18(0.06),
                vol_shock_im_e18: e18(0.20),
                vol_shock_mm_e18: e18(0.12),
                vol_floor_e18: e18(0.05),
                short_option_addon_e18: e18(0.01),
                rate_e18: se18(rates[j]),
            },
        })
        .collect()
}

/// 32 positions: per underlying two linear (long and short) and two options (a short call
/// 10% OTM and a long put 10% OTM, expiries from 1 hour to 1 year), ≈ 100 k quote notional each.
fn positions(markets: &[Market]) -> Vec<Position> {
    let call_days = [7.0, 14.0, 30.0, 60.0, 90.0, 120.0, 180.0, 365.0];
    let put_days = [1.0 / 24.0, 1.0, 3.0, 30.0, 45.0, 7.0, 90.0, 270.0];
    let mut out = Vec::with_capacity(32);
    for (j, m) in markets.iter().enumerate() {
        let s = m.spot_e18 as f64 / ONE_E18;
        let n = 100_000.0 / s;
        let u = m.underlying;
        let expiry = |days: f64| NOW_MS + (days * DAY_MS as f64) as u64;
        out.push(Position {
            underlying: u,
            size_e18: se18(0.8 * n),
            kind: PositionKind::Linear { entry_e18: e18(s * 0.97) },
        });
        out.push(Position {
            underlying: u,
            size_e18: se18(-0.3 * n),
            kind: PositionKind::Linear { entry_e18: e18(s * 1.02) },
        });
        out.push(Position {
            underlying: u,
            size_e18: se18(-0.5 * n),
            kind: PositionKind::Option {
                kind: OptionKind::Call,
                strike_e18: e18(s * 1.1),
                expiry_ms: expiry(call_days[j]),
                settlement_e18: None,
            },
        });
        out.push(Position {
            underlying: u,
            size_e18: se18(0.5 * n),
            kind: PositionKind::Option {
                kind: OptionKind::Put,
                strike_e18: e18(s * 0.9),
                expiry_ms: expiry(put_days[j]),
                settlement_e18: None,
            },
        });
    }
    out
}

fn collateral() -> Vec<Collateral> {
    vec![
        // 2 BTC with 8 decimals.
        Collateral { underlying: 0, amount: 200_000_000, decimals: 8, basis_haircut_e18: 0 },
        // 10 bridged ETH with 18 decimals and a 2% basis haircut.
        Collateral { underlying: 1, amount: 10 * 10u128.pow(18), decimals: 18, basis_haircut_e18: e18(0.02) },
    ]
}

// ---------------------------------------------------------------------------------------------
// Sanity: the two sides compute the same thing
// ---------------------------------------------------------------------------------------------

struct Fixture {
    bs: Vec<BsInput>,
    bs_f64: Vec<BsInputF64>,
    markets: Vec<Market>,
    positions: Vec<Position>,
    collateral: Vec<Collateral>,
}

impl Fixture {
    fn new() -> Self {
        let (bs, bs_f64) = bs_inputs();
        let markets = markets();
        let positions = positions(&markets);
        Fixture { bs, bs_f64, markets, positions, collateral: collateral() }
    }

    fn account(&self) -> Account<'_> {
        Account { cash: 500_000_000_000, cash_decimals: 6, collateral: &self.collateral, positions: &self.positions }
    }
}

/// Max |price diff|/max(S, K) and |delta diff| between the fixed and f64 implementations; panics if
/// they disagree beyond the accuracy budgets (README "Performance"; a broken baseline is no
/// baseline).
fn check_agreement(fx: &Fixture) -> (f64, f64, f64) {
    let (mut price_err, mut delta_err) = (0.0f64, 0.0f64);
    for (x, y) in fx.bs.iter().zip(&fx.bs_f64) {
        let g = greeks(x.kind, x.spot, x.strike, x.vol, x.years, x.rate).expect("fixed greeks");
        let h = greeks_f64(y.kind, y.spot, y.strike, y.vol, y.years, y.rate);
        price_err = price_err.max((g.price.to_num::<f64>() - h.price).abs() / y.spot.max(y.strike));
        delta_err = delta_err.max((g.delta.to_num::<f64>() - h.delta).abs());
        // Relative 1e-9 above the Q64 resolution: φ is good to a few 2^-64 ≈ 5.4e-20 absolute, which
        // gamma scales by 1/(S·σ√T) and vega by S·√T, plus two ulp of the result.
        let (s, sqrt_t) = (y.spot, y.years.sqrt());
        let gamma_tol = 1e-9 * h.gamma.abs() + 2e-19 / (s * y.vol * sqrt_t) + 2e-19;
        let vega_tol = 1e-9 * h.vega.abs() + 2e-19 * s * sqrt_t + 2e-19;
        assert!((g.gamma.to_num::<f64>() - h.gamma).abs() <= gamma_tol, "gamma disagrees: {x:?} {g:?} {h:?}");
        assert!((g.vega.to_num::<f64>() - h.vega).abs() <= vega_tol, "vega disagrees: {x:?} {g:?} {h:?}");
    }
    assert!(price_err < 1e-10 && delta_err < 1e-10, "BS disagrees: price {price_err:e}, delta {delta_err:e}");
    for i in -4000..=4000 {
        let x = f64::from(i) / 400.0;
        let a = cdf(Precise::from_num(x)).expect("cdf").to_num::<f64>();
        assert!((a - phi_f64(x)).abs() < 1e-15, "Φ({x}) disagrees: {a} vs {}", phi_f64(x));
    }
    let fixed = evaluate(&fx.markets, &fx.account(), NOW_MS).expect("evaluate");
    let float = evaluate_f64(&fx.markets, &fx.account(), NOW_MS);
    assert_eq!(fixed.underlyings.len(), float.underlyings.len());
    let mut margin_err = 0.0f64;
    let pairs = [
        (fixed.equity.to_num::<f64>(), float.equity),
        (fixed.initial_margin.to_num::<f64>(), float.initial_margin),
        (fixed.maintenance_margin.to_num::<f64>(), float.maintenance_margin),
        (fixed.health.to_num::<f64>(), float.health),
    ];
    for (a, b) in pairs {
        margin_err = margin_err.max((a - b).abs() / b.abs().max(1.0));
    }
    for (a, b) in fixed.underlyings.iter().zip(&float.underlyings) {
        assert_eq!(a.underlying, b.underlying);
        for (p, q) in [
            (a.value.to_num::<f64>(), b.value),
            (a.delta.to_num::<f64>(), b.delta),
            (a.gamma.to_num::<f64>(), b.gamma),
            (a.vega.to_num::<f64>(), b.vega),
            (a.initial_margin.to_num::<f64>(), b.initial_margin),
            (a.maintenance_margin.to_num::<f64>(), b.maintenance_margin),
        ] {
            margin_err = margin_err.max((p - q).abs() / q.abs().max(1.0));
        }
    }
    assert_eq!(fixed.liquidatable, float.liquidatable);
    assert!(margin_err < 1e-9, "margin models disagree: {margin_err:e}");
    (price_err, delta_err, margin_err)
}

// ---------------------------------------------------------------------------------------------
// Kernels shared by criterion and the summary
// ---------------------------------------------------------------------------------------------

fn run_greeks_fixed(xs: &[BsInput]) {
    for x in xs {
        let _ = black_box(greeks(
            black_box(x.kind),
            black_box(x.spot),
            black_box(x.strike),
            black_box(x.vol),
            black_box(x.years),
            black_box(x.rate),
        ));
    }
}

fn run_greeks_f64(xs: &[BsInputF64]) {
    for x in xs {
        black_box(greeks_f64(
            black_box(x.kind),
            black_box(x.spot),
            black_box(x.strike),
            black_box(x.vol),
            black_box(x.years),
            black_box(x.rate),
        ));
    }
}

fn run_price_fixed(xs: &[BsInput]) {
    for x in xs {
        let _ = black_box(price(
            black_box(x.kind),
            black_box(x.spot),
            black_box(x.strike),
            black_box(x.vol),
            black_box(x.years),
            black_box(x.rate),
        ));
    }
}

fn run_price_f64(xs: &[BsInputF64]) {
    for x in xs {
        black_box(price_f64(
            black_box(x.kind),
            black_box(x.spot),
            black_box(x.strike),
            black_box(x.vol),
            black_box(x.years),
            black_box(x.rate),
        ));
    }
}

/// Per-primitive argument sets derived from the BS inputs: the values the pricing path feeds them.
struct PrimitiveArgs {
    /// d1 and d2 (Φ and φ arguments).
    d: Vec<Precise>,
    d_f64: Vec<f64>,
    /// −r·T and −d1²/2 (exp arguments).
    exp_args: Vec<Precise>,
    /// S and K (ln arguments).
    ln_args: Vec<Precise>,
    /// T (sqrt arguments).
    sqrt_args: Vec<Precise>,
}

fn primitive_args(fx: &Fixture) -> PrimitiveArgs {
    let mut p = PrimitiveArgs { d: vec![], d_f64: vec![], exp_args: vec![], ln_args: vec![], sqrt_args: vec![] };
    for (x, y) in fx.bs.iter().zip(&fx.bs_f64) {
        let (d1, d2, ..) = core_f64(y.spot, y.strike, y.vol, y.years, y.rate);
        p.d.push(Precise::from_num(if p.d.len() % 2 == 0 { d1 } else { d2 }));
        p.d_f64.push(if p.d_f64.len() % 2 == 0 { d1 } else { d2 });
        p.exp_args.push(Precise::from_num(if p.exp_args.len() % 2 == 0 { -y.rate * y.years } else { -0.5 * d1 * d1 }));
        p.ln_args.push(if p.ln_args.len() % 2 == 0 { x.spot } else { x.strike });
        p.sqrt_args.push(x.years);
    }
    p
}

// ---------------------------------------------------------------------------------------------
// Criterion groups
// ---------------------------------------------------------------------------------------------

fn bench_bs(c: &mut Criterion) {
    let fx = Fixture::new();
    let n = fx.bs.len() as u64;
    let mut g = c.benchmark_group("bs_greeks");
    g.throughput(Throughput::Elements(n));
    g.bench_function(BenchmarkId::new("fixed_i64f64", n), |b| b.iter(|| run_greeks_fixed(&fx.bs)));
    g.bench_function(BenchmarkId::new("f64", n), |b| b.iter(|| run_greeks_f64(&fx.bs_f64)));
    g.finish();
    let mut g = c.benchmark_group("bs_price");
    g.throughput(Throughput::Elements(n));
    g.bench_function(BenchmarkId::new("fixed_i64f64", n), |b| b.iter(|| run_price_fixed(&fx.bs)));
    g.bench_function(BenchmarkId::new("f64", n), |b| b.iter(|| run_price_f64(&fx.bs_f64)));
    g.finish();
}

fn bench_evaluate(c: &mut Criterion) {
    let fx = Fixture::new();
    let account = fx.account();
    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(1));
    g.bench_function("fixed_8u_32p_16opt", |b| {
        b.iter(|| evaluate(black_box(&fx.markets), black_box(&account), black_box(NOW_MS)))
    });
    g.bench_function("f64_8u_32p_16opt", |b| {
        b.iter(|| evaluate_f64(black_box(&fx.markets), black_box(&account), black_box(NOW_MS)))
    });
    g.finish();
}

fn bench_primitives(c: &mut Criterion) {
    let fx = Fixture::new();
    let a = primitive_args(&fx);
    let mut g = c.benchmark_group("primitives");
    g.throughput(Throughput::Elements(N_INPUTS as u64));
    g.bench_function("normal_cdf", |b| b.iter(|| a.d.iter().for_each(|&x| _ = black_box(cdf(black_box(x))))));
    g.bench_function("normal_pdf", |b| b.iter(|| a.d.iter().for_each(|&x| _ = black_box(pdf(black_box(x))))));
    g.bench_function("exp", |b| b.iter(|| a.exp_args.iter().for_each(|&x| _ = black_box(exp(black_box(x))))));
    g.bench_function("ln", |b| b.iter(|| a.ln_args.iter().for_each(|&x| _ = black_box(ln(black_box(x))))));
    g.bench_function("sqrt", |b| b.iter(|| a.sqrt_args.iter().for_each(|&x| _ = black_box(sqrt(black_box(x))))));
    g.bench_function("f64_phi_cody", |b| b.iter(|| a.d_f64.iter().for_each(|&x| _ = black_box(phi_f64(black_box(x))))));
    g.finish();
}

criterion_group! {
    name = pricing;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = bench_bs, bench_evaluate
}

criterion_group! {
    name = primitives;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = bench_primitives
}

// ---------------------------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------------------------

/// Seconds per call of `f` (which does `per_call` elements): the median of 5 rounds of ≈ 0.2 s.
fn time_per_element(per_call: usize, mut f: impl FnMut()) -> f64 {
    let mut iters = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        if t.elapsed() >= Duration::from_millis(20) {
            break;
        }
        iters *= 2;
    }
    iters *= 10; // ≈ 0.2 s per round
    let mut rounds: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_secs_f64() / (iters as f64 * per_call as f64)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[2]
}

fn summary() {
    let fx = Fixture::new();
    let (price_err, delta_err, margin_err) = check_agreement(&fx);
    let account = fx.account();
    let n = fx.bs.len();
    let pair = |name: &str, fixed: f64, float: f64| {
        println!(
            "summary: {name} fixed {:.3} M/s, f64 {:.2} M/s, ratio {:.1}x",
            1e-6 / fixed,
            1e-6 / float,
            fixed / float
        );
    };
    let greeks_fixed = time_per_element(n, || run_greeks_fixed(&fx.bs));
    let greeks_float = time_per_element(n, || run_greeks_f64(&fx.bs_f64));
    pair("bs_greeks", greeks_fixed, greeks_float);
    let price_fixed = time_per_element(n, || run_price_fixed(&fx.bs));
    let price_float = time_per_element(n, || run_price_f64(&fx.bs_f64));
    pair("bs_price", price_fixed, price_float);
    let eval_fixed = time_per_element(1, || _ = black_box(evaluate(black_box(&fx.markets), &account, NOW_MS)));
    let eval_float = time_per_element(1, || _ = black_box(evaluate_f64(black_box(&fx.markets), &account, NOW_MS)));
    println!(
        "summary: evaluate 8u/32p/16opt fixed {:.1} us ({:.0}/s), f64 {:.2} us ({:.0}/s), ratio {:.1}x \
         (352 BS evaluations per book)",
        eval_fixed * 1e6,
        1.0 / eval_fixed,
        eval_float * 1e6,
        1.0 / eval_float,
        eval_fixed / eval_float
    );
    let a = primitive_args(&fx);
    let ns = |args: &[Precise], f: fn(Precise) -> margin_math::error::MathResult<Precise>| {
        time_per_element(args.len(), || args.iter().for_each(|&x| _ = black_box(f(black_box(x))))) * 1e9
    };
    let phi_ns = time_per_element(n, || a.d_f64.iter().for_each(|&x| _ = black_box(phi_f64(black_box(x))))) * 1e9;
    println!(
        "summary: fixed primitives ns/call: cdf {:.1}, pdf {:.1}, exp {:.1}, ln {:.1}, sqrt {:.1}; f64 Φ (Cody) {:.1}; \
         greeks {:.1}, price {:.1}",
        ns(&a.d, cdf),
        ns(&a.d, pdf),
        ns(&a.exp_args, exp),
        ns(&a.ln_args, ln),
        ns(&a.sqrt_args, sqrt),
        phi_ns,
        greeks_fixed * 1e9,
        price_fixed * 1e9,
    );
    let per_core = 1.0 / greeks_fixed;
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "summary: fixed-point BS price+greeks per second per core: {:.0} (budget >= 200k: {}; goal >= 1M: {}; \
         goal <= 5x f64: {} at {:.1}x)",
        per_core,
        verdict(per_core >= 2e5),
        verdict(per_core >= 1e6),
        verdict(greeks_fixed / greeks_float <= 5.0),
        greeks_fixed / greeks_float
    );
    println!(
        "summary: fixed vs f64 agreement: price {price_err:.1e}·max(S,K), delta {delta_err:.1e}, margin rel {margin_err:.1e}"
    );
}

fn main() {
    pricing();
    primitives();
    criterion::Criterion::default().configure_from_args().final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` and `--list` do not want the timing.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list" || a == "--test") {
        summary();
    }
}
