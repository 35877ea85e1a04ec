//! Helpers shared by the integration tests: decimal parsing and reference-file lookup.
#![allow(dead_code)]

use std::path::PathBuf;

/// The committed reference vectors, `lib/tests/data` (see its README), or
/// `$DELTAMARGIN_REFERENCE_DIR` to run against another set.
pub fn reference_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("DELTAMARGIN_REFERENCE_DIR") {
        return PathBuf::from(dir);
    }
    manifest_dir().join("tests/data")
}

/// Reads a CSV with a header into rows of (column → text).
pub fn read_csv(name: &str) -> Vec<std::collections::HashMap<String, String>> {
    let path = reference_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("header").split(',').map(str::to_owned).collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| header.iter().cloned().zip(l.split(',').map(str::to_owned)).collect())
        .collect()
}

/// Exact decimal string → 18-decimal integer (test helper; fails on > 18 decimals).
pub fn e18(text: &str) -> i128 {
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    assert!(frac.len() <= 18, "{text}: more than 18 decimals");
    let mut v: i128 = int.parse::<i128>().unwrap() * 10i128.pow(18);
    if !frac.is_empty() {
        v += frac.parse::<i128>().unwrap() * 10i128.pow(18 - frac.len() as u32);
    }
    if neg {
        -v
    } else {
        v
    }
}

/// Parses a reference value (up to ~45 significant digits) to f64 for error measurement.
pub fn f(text: &str) -> f64 {
    text.parse().unwrap()
}

/// The example risk parameters (as in `examples/` and the sandbox suite): shocks 10%/6% spot,
/// 0.20/0.12 vol, floor 0.05, add-on 1%, r = 0.
pub fn params() -> margin_math::margin::MarketParams {
    const E18: u128 = 1_000_000_000_000_000_000;
    margin_math::margin::MarketParams {
        spot_shock_im_e18: E18 / 10,
        spot_shock_mm_e18: 6 * E18 / 100,
        vol_shock_im_e18: 2 * E18 / 10,
        vol_shock_mm_e18: 12 * E18 / 100,
        vol_floor_e18: 5 * E18 / 100,
        short_option_addon_e18: E18 / 100,
        rate_e18: 0,
    }
}

/// The package's directory: cargo's run-time `CARGO_MANIFEST_DIR` (right even when the test
/// binary was built from a clone at another path and reused from a shared target directory),
/// else the one it was compiled in.
fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()))
}
