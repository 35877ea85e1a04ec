//! The examples in `examples/`: byte-for-byte golden outputs of `margin` and `stress`, plus
//! sanity checks computed here by hand, independently of the code under test.
//!
//! Regenerate the golden files after an intended change with
//! `UPDATE_GOLDEN=1 cargo test -p deltamargin-cli --test golden` and review the diff.

mod common;

use common::{add, close_relative, e18, examples_dir, mul, rational, run, s};

const EXAMPLES: [&str; 4] = ["hedged_basis", "short_strangle", "calendar_spread", "naked_long_spot"];

fn check_golden(name: &str, command: &str) {
    let dir = examples_dir();
    let input = dir.join(format!("{name}.json"));
    let golden = dir.join(format!("{name}.{command}.json"));
    let r = run(&[command, "--input", input.to_str().expect("utf-8 path")], None);
    assert_eq!(r.code, 0, "{command} {name} failed: {}", r.stderr);
    assert!(r.stderr.is_empty(), "unexpected stderr: {}", r.stderr);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &r.stdout).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&golden)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create it)", golden.display()));
    assert!(
        r.stdout == expected,
        "{command} output for {name} differs from {} (UPDATE_GOLDEN=1 regenerates it):\n{}",
        golden.display(),
        r.stdout
    );
}

#[test]
fn margin_outputs_match_the_golden_files() {
    for name in EXAMPLES {
        check_golden(name, "margin");
    }
}

#[test]
fn stress_outputs_match_the_golden_files() {
    for name in EXAMPLES {
        check_golden(name, "stress");
    }
}

fn margin_of(name: &str) -> (serde_json::Value, serde_json::Value) {
    let path = examples_dir().join(format!("{name}.json"));
    let input: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read example")).expect("example JSON");
    let r = run(&["margin", "--input", path.to_str().expect("utf-8 path")], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (input, serde_json::from_str(&r.stdout).expect("output JSON"))
}

#[test]
fn hedged_basis_nets_to_zero_delta_and_zero_margin() {
    let (_, out) = margin_of("hedged_basis");
    let btc = &out["underlyings"][0];
    assert_eq!(s(btc, "delta"), "0");
    assert_eq!(s(btc, "mm"), "0");
    assert_eq!(s(btc, "im"), "0");
    assert_eq!(s(&out, "maintenance_margin"), "0");
    assert_eq!(s(&out, "initial_margin"), "0");
    assert_eq!(out["liquidatable"], serde_json::Value::Bool(false));
}

#[test]
fn naked_long_spot_needs_amount_times_spot_times_shock() {
    let (input, out) = margin_of("naked_long_spot");
    let market = &input["markets"][0];
    let amount = rational(s(&input["account"]["collateral"][0], "amount"));
    let spot = rational(s(market, "spot"));
    let cash = rational(s(&input["account"], "cash"));
    // MM = amount · spot · h_mm, IM = amount · spot · h_im (a delta-one book: |Δ|·S·h exactly).
    let mm = mul(mul(amount, spot), rational(s(market, "spot_shock_mm")));
    let im = mul(mul(amount, spot), rational(s(market, "spot_shock_im")));
    let equity = add(cash, mul(amount, spot));
    for (key, expected) in [("maintenance_margin", mm), ("initial_margin", im), ("equity", equity)] {
        let got = rational(s(&out, key));
        assert!(close_relative(got, expected, 1, 1_000_000_000_000), "{key}: {got:?} vs {expected:?}");
    }
    let btc = &out["underlyings"][0];
    assert!(close_relative(rational(s(btc, "delta")), amount, 1, 1_000_000_000_000));
    assert!(close_relative(rational(s(btc, "value")), mul(amount, spot), 1, 1_000_000_000_000));
    // The worst maintenance scenario is the full spot drop S(1 − h_mm).
    let h = rational(s(market, "spot_shock_mm"));
    let low = mul(spot, (h.1 - h.0, h.1));
    assert!(close_relative(rational(s(&btc["worst_mm"], "spot")), low, 1, 1_000_000_000_000));
}

#[test]
fn margin_levels_are_ordered_in_every_example() {
    for name in EXAMPLES {
        let (_, out) = margin_of(name);
        let [e, im, mm, h] = ["equity", "initial_margin", "maintenance_margin", "health"].map(|k| e18(s(&out, k)));
        assert!(im >= mm, "{name}: IM < MM");
        assert!(mm >= 0, "{name}: MM < 0");
        // health = equity − MM; each printed number is truncated by less than 1e-18.
        assert!((e - mm - h).abs() <= 2, "{name}: health ≠ equity − MM");
    }
}
