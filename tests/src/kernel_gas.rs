//! On-chain cost of the margin-math kernels (`scripts/gas-report.sh` companion): the test-only
//! `probe` contract runs one kernel `n` times; ref_time at `n = 20` minus `n = 0`, over 20, is the
//! cost of one call on the real Wasm. Every result must equal margin-math's native result for the
//! same inputs (same code on both sides). Budgets (README "Performance") are reported, not
//! asserted.

use std::fmt::Write as _;

use ink::scale::{Decode, Encode};
use margin_math::black_scholes::{self, ln_of, OptionKind, OptionTerms};
use margin_math::{elementary, fixed_point, normal, Precise};

use crate::suite::wasm;
use crate::utils::{actor, Account, Chain};
use crate::BundleProvider;

/// Iterations of the measured run.
const N: u32 = 20;

fn p(x: f64) -> Precise {
    Precise::from_num(x)
}

struct Probe {
    chain: Chain,
    probe: Account,
    rows: Vec<(&'static str, &'static str, u64, u64, f64)>,
}

impl Probe {
    /// Calls `message` with `args(0)` and `args(N)`, checks the `n = N` result against `native`
    /// and records the per-call ref_time.
    fn measure<A: Encode, R: Decode + PartialEq + std::fmt::Debug + Default>(
        &mut self,
        name: &'static str,
        what: &'static str,
        message: &str,
        args: impl Fn(u32) -> A,
        native: R,
    ) {
        let origin = actor(1);
        let none: R = self.chain.call(origin, self.probe, message, args(0));
        assert_eq!(none, R::default(), "{name}: n = 0 must not run the kernel");
        let base = self.chain.last_gas.ref_time();
        let got: R = self.chain.call(origin, self.probe, message, args(N));
        let total = self.chain.last_gas.ref_time();
        assert_eq!(got, native, "{name}: on-chain result differs from margin-math native");
        assert!(total > base, "{name}: {N} kernel calls cost nothing ({total} ≤ {base})");
        let per_call = (total - base) as f64 / f64::from(N);
        self.rows.push((name, what, base, total, per_call));
    }

    fn render(&self) -> String {
        let mut out = String::from("## Kernel gas (drink sandbox, pallet-contracts 31 weights, release Wasm)\n\n");
        out.push_str("Budget (README, Performance): one BS price on chain ≤ 1.2e8 ps, goal ≤ 4.2e7 ps.\n\n");
        out.push_str("| kernel | what | ref_time n=0 (ps) | ref_time n=20 (ps) | ref_time per call (ps) |\n");
        out.push_str("|---|---|---:|---:|---:|\n");
        for (name, what, base, total, per_call) in &self.rows {
            let _ =
                writeln!(out, "| `{name}` | {what} | {:.4e} | {:.4e} | {per_call:.3e} |", *base as f64, *total as f64);
        }
        out
    }
}

#[test]
fn kernel_gas() {
    let mut chain = Chain::new();
    let probe = chain.deploy(&wasm(BundleProvider::Probe), "new", (), actor(1), 0);
    let mut k = Probe { chain, probe, rows: Vec::new() };

    // A 30-day BTC call and put near the money (the example BTC market: 60,000, σ 0.65).
    let (spot, strike, vol, years) = (p(60_000.0), p(63_000.0), p(0.65), p(30.0 / 365.0));
    let bits = |x: Precise| x.to_bits();
    let bs_args = |call: bool| move |n: u32| (call, bits(spot), bits(strike), bits(vol), bits(years), n);
    let zero = Precise::ZERO;
    for (call, kind, name_price, name_at, name_greeks) in [
        (true, OptionKind::Call, "price (call)", "price_at (call)", "greeks (call)"),
        (false, OptionKind::Put, "price (put)", "price_at (put)", "greeks (put)"),
    ] {
        let native = black_scholes::price(kind, spot, strike, vol, years, zero).expect("native price");
        k.measure(name_price, "`black_scholes::price` from scratch", "price", bs_args(call), native.to_bits());
        let terms = OptionTerms::new(kind, strike, years, zero).expect("terms");
        let cached =
            terms.price_at(spot, ln_of(spot).expect("ln"), &terms.at_vol(vol).expect("vol")).expect("price_at");
        assert_eq!(cached, native, "the cached path gives the bits of price");
        k.measure(
            name_at,
            "`OptionTerms::price_at` (grid point, terms cached)",
            "price_at",
            bs_args(call),
            cached.to_bits(),
        );
        let g = black_scholes::greeks(kind, spot, strike, vol, years, zero).expect("native greeks");
        let g_bits = (g.price.to_bits(), g.delta.to_bits(), g.gamma.to_bits(), g.vega.to_bits());
        k.measure(name_greeks, "`black_scholes::greeks` from scratch", "greeks", bs_args(call), g_bits);
    }
    let terms = OptionTerms::new(OptionKind::Call, strike, years, zero).expect("terms");
    terms.at_vol(vol).expect("at_vol");
    k.measure(
        "at_vol",
        "σ√T and 1/σ√T (per option and grid vol)",
        "at_vol",
        |n| (bits(strike), bits(vol), bits(years), n),
        1i128,
    );

    let x = p(0.37);
    k.measure("cdf", "Φ(0.37)", "cdf", |n| (bits(x), n), normal::cdf(x).expect("cdf").to_bits());
    let x2 = p(2.2);
    k.measure("cdf", "Φ(2.2)", "cdf", |n| (bits(x2), n), normal::cdf(x2).expect("cdf").to_bits());
    k.measure("pdf", "φ(0.37)", "pdf", |n| (bits(x), n), normal::pdf(x).expect("pdf").to_bits());
    k.measure("ln_of", "ln 60000", "ln_of", |n| (bits(spot), n), ln_of(spot).expect("ln").to_bits());
    let e = p(-0.0685);
    k.measure("exp", "e^-0.0685", "exp", |n| (bits(e), n), elementary::exp(e).expect("exp").to_bits());
    k.measure("sqrt", "√(30/365)", "sqrt", |n| (bits(years), n), elementary::sqrt(years).expect("sqrt").to_bits());
    let (a, b) = (p(60_000.123), p(0.6543));
    k.measure(
        "pmul",
        "60000.123 × 0.6543",
        "pmul",
        |n| (bits(a), bits(b), n),
        fixed_point::pmul(a, b).expect("pmul").to_bits(),
    );
    let s = p(0.1863);
    let q = Precise::ONE.checked_div(s).expect("div");
    k.measure("div", "`I64F64::checked_div` 1 / 0.1863", "div", |n| (bits(Precise::ONE), bits(s), n), q.to_bits());
    let pdiv = |a: Precise, b: Precise| fixed_point::pdiv(a, b).expect("pdiv");
    assert_eq!(pdiv(Precise::ONE, s), q, "pdiv gives the bits of checked_div");
    k.measure("pdiv", "`fixed_point::pdiv` 1 / 0.1863", "pdiv", |n| (bits(Precise::ONE), bits(s), n), q.to_bits());
    // A two-limb divisor, as in Γ = φ(d1)/(S·σ√T).
    let (d, sst) = (p(0.3814), p(60_000.0 * 0.1863));
    let g = d.checked_div(sst).expect("div");
    assert_eq!(pdiv(d, sst), g, "pdiv gives the bits of checked_div");
    k.measure("div", "`I64F64::checked_div` 0.3814 / 11178", "div", |n| (bits(d), bits(sst), n), g.to_bits());
    k.measure("pdiv", "`fixed_point::pdiv` 0.3814 / 11178", "pdiv", |n| (bits(d), bits(sst), n), g.to_bits());

    let out = k.render();
    if let Ok(path) = std::env::var("KERNEL_GAS_OUT") {
        std::fs::write(&path, &out).expect("write kernel gas table");
    }
    println!("{out}");
}
