//! Every class of bad input: exit code 2 (1 for I/O), a message on stderr naming the JSON path
//! (or flag, or file:line), nothing on stdout.

mod common;

use common::{assert_input_error, base_account, run, run_json};
use serde_json::{json, Value};

/// Runs `margin` and `stress` on the mutated base account and checks both fail at `needle`.
fn fails_at(mutate: impl Fn(&mut Value), needle: &str) {
    let mut v = base_account();
    mutate(&mut v);
    let text = v.to_string();
    for command in ["margin", "stress"] {
        let r = run_json(command, &text);
        assert_input_error(&r, needle);
    }
}

#[test]
fn the_base_account_is_valid() {
    let r = run_json("margin", &base_account().to_string());
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn malformed_json_is_reported_with_line_and_column() {
    for text in ["", "{", "{\"now\": 1767225600,}", "[1, 2", "{\"now\": 1767225600} trailing", "nul"] {
        let r = run_json("margin", text);
        assert_input_error(&r, "malformed JSON");
        assert!(r.stderr.contains("line"), "{}", r.stderr);
    }
}

#[test]
fn non_object_top_level_is_refused() {
    assert_input_error(&run_json("margin", "[]"), "input: expected an object");
}

#[test]
fn invalid_utf8_is_an_input_error() {
    let path = std::env::temp_dir().join(format!("deltamargin-bad-utf8-{}.json", std::process::id()));
    std::fs::write(&path, [b'{', 0xff, b'}']).expect("write");
    let r = run(&["margin", "--input", path.to_str().expect("path")], None);
    let _ = std::fs::remove_file(&path);
    assert_input_error(&r, "not valid UTF-8");
}

#[test]
fn duplicate_json_keys_are_refused() {
    let text = base_account().to_string().replacen("\"spot\":\"60000\"", "\"spot\":\"60000\",\"spot\":\"1\"", 1);
    assert_input_error(&run_json("margin", &text), "markets[0].spot: duplicate key");
}

#[test]
fn missing_fields_are_named() {
    fails_at(|v| drop(v.as_object_mut().map(|o| o.remove("now"))), "now: missing field");
    fails_at(|v| drop(v.as_object_mut().map(|o| o.remove("account"))), "account: missing field");
    fails_at(
        |v| drop(v["markets"][1].as_object_mut().map(|o| o.remove("vol_floor"))),
        "markets[1].vol_floor: missing field",
    );
    fails_at(|v| drop(v["account"].as_object_mut().map(|o| o.remove("cash"))), "account.cash: missing field");
    fails_at(
        |v| drop(v["account"]["positions"][1].as_object_mut().map(|o| o.remove("expiry"))),
        "account.positions[1].expiry: missing field",
    );
    fails_at(
        |v| drop(v["account"]["positions"][0].as_object_mut().map(|o| o.remove("entry"))),
        "account.positions[0].entry: missing field",
    );
    fails_at(
        |v| drop(v["account"]["collateral"][0].as_object_mut().map(|o| o.remove("amount"))),
        "account.collateral[0].amount: missing field",
    );
}

#[test]
fn unknown_and_misplaced_fields_are_refused() {
    fails_at(|v| v["markets"][0]["spot_shock"] = json!("0.1"), "markets[0].spot_shock: unknown field");
    fails_at(
        |v| v["account"]["positions"][0]["strike"] = json!("1"),
        "account.positions[0].strike: unknown field for kind linear",
    );
    fails_at(
        |v| v["account"]["positions"][1]["entry"] = json!("1"),
        "account.positions[1].entry: unknown field for kind call",
    );
    fails_at(|v| v["extra"] = json!(1), "extra: unknown field");
}

#[test]
fn unknown_underlying_is_named() {
    fails_at(
        |v| v["account"]["positions"][1]["underlying"] = json!("SOL"),
        "account.positions[1].underlying: unknown underlying \"SOL\"",
    );
    fails_at(
        |v| v["account"]["collateral"][0]["underlying"] = json!("DOGE"),
        "account.collateral[0].underlying: unknown underlying",
    );
}

#[test]
fn duplicate_market_is_refused() {
    fails_at(|v| v["markets"][1]["underlying"] = json!("BTC"), "markets[1].underlying: duplicate market \"BTC\"");
}

#[test]
fn negative_vol_is_refused() {
    fails_at(|v| v["markets"][0]["vol"] = json!("-0.65"), "markets[0].vol: must not be negative");
}

#[test]
fn zero_strike_is_refused() {
    fails_at(|v| v["account"]["positions"][1]["strike"] = json!("0"), "account.positions[1].strike: must be > 0");
}

#[test]
fn more_than_18_decimals_are_refused() {
    fails_at(
        |v| v["account"]["positions"][1]["size"] = json!("-2.0000000000000000001"),
        "account.positions[1].size: 19 digits after the decimal point",
    );
    fails_at(|v| v["account"]["cash"] = json!("0.1234567890123456789"), "account.cash: 19 digits");
}

#[test]
fn garbage_and_exponents_and_json_numbers_are_refused() {
    fails_at(|v| v["markets"][0]["spot"] = json!("sixty thousand"), "markets[0].spot: not a decimal number");
    fails_at(|v| v["markets"][0]["spot"] = json!("6e4"), "markets[0].spot: exponent notation");
    fails_at(|v| v["markets"][0]["spot"] = json!(""), "markets[0].spot: empty decimal string");
    fails_at(|v| v["markets"][0]["spot"] = json!(60000), "markets[0].spot: must be a decimal string");
    fails_at(|v| v["markets"][0]["spot"] = json!(true), "markets[0].spot: expected a decimal string");
    fails_at(|v| v["now"] = json!("1767225600"), "now: expected an integer of unix seconds");
    fails_at(|v| v["now"] = json!(1767225600.5), "now: must be a whole number");
    fails_at(|v| v["now"] = json!(-1), "now: must not be negative");
    fails_at(|v| v["markets"] = json!({}), "markets: expected an array");
    fails_at(|v| v["account"]["positions"][0] = json!("linear"), "account.positions[0]: expected an object");
    fails_at(|v| v["account"]["positions"][0]["kind"] = json!(1), "account.positions[0].kind: expected a string");
}

#[test]
fn out_of_range_numbers_are_refused() {
    fails_at(|v| v["account"]["cash"] = json!("170141183460469231732"), "account.cash: out of range");
    fails_at(
        |v| v["account"]["collateral"][0]["amount"] = json!("340282366920938463464"),
        "account.collateral[0].amount: out of range",
    );
    fails_at(
        |v| v["markets"][0]["spot"] = json!("10000000000.000000000000000001"),
        "markets[0].spot: must be ≤ 10000000000",
    );
    fails_at(|v| v["markets"][0]["spot"] = json!("0"), "markets[0].spot: must be > 0");
    fails_at(|v| v["markets"][0]["vol"] = json!("10.5"), "markets[0].vol: must be ≤ 10");
    fails_at(|v| v["markets"][0]["spot_shock_im"] = json!("1"), "markets[0].spot_shock_im: must be < 1");
    fails_at(|v| v["markets"][0]["spot_shock_mm"] = json!("0"), "markets[0].spot_shock_mm: must be > 0");
    fails_at(|v| v["markets"][0]["spot_shock_mm"] = json!("0.2"), "markets[0].spot_shock_mm: must be ≤ spot_shock_im");
    fails_at(|v| v["markets"][0]["vol_shock_mm"] = json!("0.3"), "markets[0].vol_shock_mm: must be ≤ vol_shock_im");
    fails_at(|v| v["markets"][0]["vol_floor"] = json!("0"), "markets[0].vol_floor: must be > 0");
    fails_at(|v| v["markets"][0]["short_option_addon"] = json!("1"), "markets[0].short_option_addon: must be < 1");
    fails_at(|v| v["rate"] = json!("1.5"), "rate: must be between -1 and 1");
    fails_at(|v| v["markets"][1]["rate"] = json!("-1.01"), "markets[1].rate: must be between -1 and 1");
    fails_at(
        |v| v["account"]["collateral"][0]["basis_haircut"] = json!("1"),
        "account.collateral[0].basis_haircut: must be < 1",
    );
    fails_at(|v| v["now"] = json!(18446744073709552u64), "now: out of range");
    fails_at(|v| v["account"]["positions"][1]["expiry"] = json!(u64::MAX), "account.positions[1].expiry: out of range");
    fails_at(
        |v| v["account"]["positions"][0]["entry"] = json!("20000000000"),
        "account.positions[0].entry: must be ≤ 10000000000",
    );
}

#[test]
fn unknown_kind_is_refused() {
    fails_at(
        |v| v["account"]["positions"][1]["kind"] = json!("future"),
        "account.positions[1].kind: unknown kind \"future\"",
    );
}

#[test]
fn settlement_before_expiry_is_refused() {
    fails_at(
        |v| v["account"]["positions"][1]["settlement"] = json!("64000"),
        "account.positions[1].settlement: a settlement price exists only once expired",
    );
}

#[test]
fn margin_math_errors_are_located_at_the_failing_item() {
    // Each value is within the CLI's field checks, but the products overflow I80F48 (2^79).
    fails_at(
        |v| v["account"]["positions"][0]["size"] = json!("-170000000000000000000"),
        "account.positions[0]: margin-math error: arithmetic overflow",
    );
    fails_at(
        |v| v["account"]["collateral"][0]["amount"] = json!("340000000000000000000"),
        "account.collateral[0]: margin-math error: arithmetic overflow",
    );
    // Two collateral entries that overflow only together: located at the underlying's items.
    fails_at(
        |v| {
            v["account"]["collateral"] = json!([
                { "underlying": "ETH", "amount": "150000000000000000000" },
                { "underlying": "ETH", "amount": "150000000000000000000" }
            ])
        },
        "markets[1] (all items in ETH): margin-math error",
    );
}

#[test]
fn missing_input_file_is_an_io_error() {
    for command in ["margin", "stress"] {
        let r = run(&[command, "--input", "/nonexistent/deltamargin/account.json"], None);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stdout.is_empty());
        assert!(r.stderr.contains("cannot read /nonexistent/deltamargin/account.json"), "{}", r.stderr);
    }
}

#[test]
fn usage_errors_exit_with_2_and_print_nothing_on_stdout() {
    for args in [
        &["margin"][..],
        &["frobnicate"],
        &["greeks", "--kind", "call"],
        &["greeks", "--kind", "straddle", "--spot", "1", "--strike", "1", "--vol", "1", "--years", "1"],
        &["stress", "--input", "-", "--spot-points", "1"],
        &["stress", "--input", "-", "--vol-points", "202"],
        &["stress", "--input", "-", "--level", "xx"],
        &["greeks", "--csv", "x.csv", "--kind", "call"],
    ] {
        let r = run(args, Some("{}"));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}");
        assert!(!r.stderr.is_empty(), "{args:?}");
    }
}
