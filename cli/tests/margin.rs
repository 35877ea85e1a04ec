//! `deltamargin margin`: output shape, raw bits, stdin, rate overrides, expired options.

mod common;

use common::{base_account, e18, run, run_json, s};
use serde_json::json;

fn margin(v: &serde_json::Value, raw: bool) -> serde_json::Value {
    let args: &[&str] = if raw { &["margin", "--input", "-", "--raw"] } else { &["margin", "--input", "-"] };
    let r = run(args, Some(&v.to_string()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty());
    serde_json::from_str(&r.stdout).expect("JSON")
}

#[test]
fn output_has_the_documented_shape_and_key_order() {
    let out = margin(&base_account(), false);
    let keys: Vec<&str> = out.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["equity", "initial_margin", "maintenance_margin", "health", "liquidatable", "underlyings"]);
    let u = out["underlyings"].as_array().expect("array");
    // ETH is listed as a market but not held: only BTC is reported.
    assert_eq!(u.len(), 1);
    let keys: Vec<&str> = u[0].as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["underlying", "value", "delta", "gamma", "vega", "im", "mm", "worst_im", "worst_mm"]);
    assert_eq!(s(&u[0], "underlying"), "BTC");
    for w in ["worst_im", "worst_mm"] {
        let keys: Vec<&str> = u[0][w].as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(keys, ["spot", "vol", "loss"]);
    }
    assert!(out.get("raw").is_none());
}

#[test]
fn raw_bits_agree_with_the_decimal_strings() {
    let out = margin(&base_account(), true);
    let raw = &out["raw"];
    for (dec_key, raw_key) in [
        ("equity", "equity"),
        ("initial_margin", "initial_margin"),
        ("maintenance_margin", "maintenance_margin"),
        ("health", "health"),
    ] {
        let bits: i128 = s(raw, raw_key).parse().expect("i128");
        // value = bits / 2^48 and printed = trunc(value · 10^18), so
        // |bits · 10^18 − printed · 2^48| < 2^48 (no overflow: |bits| < 2^70 here).
        let printed = e18(s(&out, dec_key));
        let gap = bits * 1_000_000_000_000_000_000 - (printed << 48);
        assert!(gap.abs() < 1 << 48, "{dec_key}: printed {printed} vs bits {bits}");
    }
    let ru = &raw["underlyings"][0];
    assert_eq!(s(ru, "underlying"), "BTC");
    for key in ["value", "delta", "gamma", "vega", "im", "mm"] {
        let _: i128 = s(ru, key).parse().expect("i128 bits");
    }
}

#[test]
fn input_file_and_stdin_give_the_same_output() {
    let text = serde_json::to_string_pretty(&base_account()).expect("json");
    let path = std::env::temp_dir().join(format!("deltamargin-margin-{}.json", std::process::id()));
    std::fs::write(&path, &text).expect("write");
    let from_file = run(&["margin", "--input", path.to_str().expect("path")], None);
    let _ = std::fs::remove_file(&path);
    let from_stdin = run_json("margin", &text);
    assert_eq!(from_file.code, 0);
    assert_eq!(from_file.stdout, from_stdin.stdout);
}

#[test]
fn a_market_rate_overrides_the_default_rate() {
    let mut v = base_account();
    v["rate"] = json!("0.05");
    let with_default = margin(&v, false);
    v["markets"][0]["rate"] = json!("0");
    let overridden = margin(&v, false);
    v["rate"] = json!("0");
    let zero = margin(&v, false);
    assert_eq!(overridden, zero);
    assert_ne!(with_default["equity"], zero["equity"]);
}

#[test]
fn expired_option_with_settlement_is_worth_its_intrinsic_value_without_risk() {
    let mut v = base_account();
    v["account"]["collateral"] = json!([]);
    v["account"]["positions"] = json!([
        { "underlying": "BTC", "kind": "put", "strike": "65000", "expiry": 1767225600, "size": "2", "settlement": "61000" }
    ]);
    let out = margin(&v, false);
    // 2 · (65000 − 61000) = 8000 of value; cash −1000.5.
    assert_eq!(s(&out, "equity"), "6999.5");
    assert_eq!(s(&out, "maintenance_margin"), "0");
    assert_eq!(s(&out["underlyings"][0], "delta"), "0");
}

#[test]
fn negative_health_is_liquidatable() {
    let mut v = base_account();
    v["account"]["cash"] = json!("-95000");
    let out = margin(&v, false);
    assert!(s(&out, "health").starts_with('-'));
    assert_eq!(out["liquidatable"], json!(true));
}

#[test]
fn optional_lists_may_be_absent() {
    let mut v = base_account();
    let account = v["account"].as_object_mut().expect("object");
    account.remove("collateral");
    account.remove("positions");
    let out = margin(&v, false);
    assert_eq!(s(&out, "equity"), "-1000.5");
    assert_eq!(out["underlyings"], json!([]));
}

/// The model nets collateral with linear positions (`docs/model.md`): BTC collateral plus an
/// equal short BTC perpetual needs no margin — also for amounts
/// that are not binary fractions (3.2): sizes convert toward zero, so they cancel exactly.
#[test]
fn collateral_and_an_equal_short_perpetual_net_exactly_for_any_amount() {
    let mut v = base_account();
    v["account"]["collateral"] = json!([{ "underlying": "BTC", "amount": "3.2" }]);
    v["account"]["positions"] = json!([{ "underlying": "BTC", "kind": "linear", "size": "-3.2", "entry": "60000" }]);
    let out = margin(&v, false);
    assert_eq!(s(&out["underlyings"][0], "delta"), "0");
    assert_eq!(s(&out, "maintenance_margin"), "0");
}
