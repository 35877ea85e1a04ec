//! Accuracy against the mpmath reference vectors in `lib/tests/data/` (read at test time; how
//! they are made and checked: `lib/tests/data/README.md`).
//!
//! Floors asserted (the accuracy budgets, README "Performance"): Φ abs error ≤ 1e-12, delta abs
//! error ≤ 1e-10, price abs error ≤ 1e-10 · max(S, K). The maxima found are printed
//! (`--nocapture`). Errors are measured in f64, so figures below ~1e-16 (relative to the compared
//! value) are at the measurement floor.

mod common;

use common::{e18, f, read_csv};
use margin_math::black_scholes::{greeks, OptionKind};
use margin_math::normal::{cdf, pdf};
use margin_math::units::{e18_to_precise, signed_e18_to_precise};
use margin_math::Precise;

fn precise(text: &str) -> Precise {
    signed_e18_to_precise(e18(text)).unwrap()
}

#[test]
fn normal_cdf_and_pdf_match_every_reference_row() {
    let rows = read_csv("normal.csv");
    assert!(rows.len() >= 400, "reference file too short: {}", rows.len());
    let (mut worst_cdf, mut worst_pdf, mut worst_pdf_rel) = (0f64, 0f64, 0f64);
    for row in &rows {
        let x = precise(&row["x"]);
        let got_cdf = cdf(x).unwrap().to_num::<f64>();
        let got_pdf = pdf(x).unwrap().to_num::<f64>();
        let (want_cdf, want_pdf) = (f(&row["cdf"]), f(&row["pdf"]));
        let err_cdf = (got_cdf - want_cdf).abs();
        let err_pdf = (got_pdf - want_pdf).abs();
        assert!(err_cdf <= 1e-12, "Φ({}) = {got_cdf}, want {want_cdf}", row["x"]);
        assert!(err_pdf <= 1e-12, "φ({}) = {got_pdf}, want {want_pdf}", row["x"]);
        worst_cdf = worst_cdf.max(err_cdf);
        worst_pdf = worst_pdf.max(err_pdf);
        // Q64 resolves 5.4e-20 absolutely: relative accuracy is meaningful only above ~1e-8.
        if want_pdf > 1e-8 {
            worst_pdf_rel = worst_pdf_rel.max(err_pdf / want_pdf);
        }
    }
    println!("normal.csv: {} rows; max |ΔΦ| = {worst_cdf:.3e}; max |Δφ| = {worst_pdf:.3e} (relative {worst_pdf_rel:.3e} where φ > 1e-8)", rows.len());
    assert!(worst_pdf_rel < 1e-11);
}

#[test]
fn black_scholes_matches_every_reference_row() {
    let rows = read_csv("black_scholes.csv");
    assert!(rows.len() >= 400, "reference file too short: {}", rows.len());
    let mut worst_price = 0f64; // relative to max(S, K)
    let mut worst_delta = 0f64;
    let mut worst_gamma_rel = 0f64;
    let mut worst_vega_rel = 0f64;
    for row in &rows {
        let kind = match row["kind"].as_str() {
            "call" => OptionKind::Call,
            "put" => OptionKind::Put,
            other => panic!("unknown kind {other}"),
        };
        let spot = e18_to_precise(e18(&row["spot"]) as u128).unwrap();
        let strike = e18_to_precise(e18(&row["strike"]) as u128).unwrap();
        let g =
            greeks(kind, spot, strike, precise(&row["vol"]), precise(&row["t_years"]), precise(&row["rate"])).unwrap();
        let scale = f(&row["spot"]).max(f(&row["strike"]));
        let err_price = (g.price.to_num::<f64>() - f(&row["price"])).abs() / scale;
        let err_delta = (g.delta.to_num::<f64>() - f(&row["delta"])).abs();
        let (want_gamma, want_vega) = (f(&row["gamma"]), f(&row["vega"]));
        let err_gamma = (g.gamma.to_num::<f64>() - want_gamma).abs();
        let err_vega = (g.vega.to_num::<f64>() - want_vega).abs();
        let ctx = format!("{row:?} got {g:?}");
        assert!(err_price <= 1e-10, "price error {err_price:e}·max(S,K): {ctx}");
        assert!(err_delta <= 1e-10, "delta error {err_delta:e}: {ctx}");
        // gamma = φ/(S·σ√T) and vega = S·φ·√T inherit φ's absolute resolution (Q64, 5.4e-20):
        // relative 1e-9 plus that floor, scaled by the factor each applies to φ, plus two ulp of Q64.
        let (s, sig_sqrt_t) = (f(&row["spot"]), f(&row["vol"]) * f(&row["t_years"]).sqrt());
        assert!(err_gamma <= 1e-9 * want_gamma + 1e-15 / (s * sig_sqrt_t) + 2e-19, "gamma error {err_gamma:e}: {ctx}");
        assert!(
            err_vega <= 1e-9 * want_vega + 1e-15 * s * f(&row["t_years"]).sqrt() + 2e-19,
            "vega error {err_vega:e}: {ctx}"
        );
        worst_price = worst_price.max(err_price);
        worst_delta = worst_delta.max(err_delta);
        if want_gamma * s * sig_sqrt_t > 1e-8 && want_gamma > 1e-8 {
            worst_gamma_rel = worst_gamma_rel.max(err_gamma / want_gamma);
        }
        if want_vega / (s * f(&row["t_years"]).sqrt()) > 1e-8 {
            worst_vega_rel = worst_vega_rel.max(err_vega / want_vega);
        }
    }
    println!(
        "black_scholes.csv: {} rows; max |Δprice|/max(S,K) = {worst_price:.3e}; max |Δdelta| = {worst_delta:.3e}; \
         max relative gamma error = {worst_gamma_rel:.3e} (where Γ and φ(d1) > 1e-8); max relative vega error = {worst_vega_rel:.3e} (where φ(d1) > 1e-8)",
        rows.len()
    );
}
