//! `deltamargin stress`: grid JSON, level and size flags, SVG output.

mod common;

use common::{base_account, e18, examples_dir, run, run_json, s};
use serde_json::json;

fn stress(args: &[&str], input: &serde_json::Value) -> serde_json::Value {
    let mut all = vec!["stress", "--input", "-"];
    all.extend_from_slice(args);
    let r = run(&all, Some(&input.to_string()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("JSON")
}

#[test]
fn default_grid_is_21_by_5_on_the_maintenance_box() {
    let out = stress(&[], &base_account());
    assert_eq!(s(&out, "level"), "mm");
    assert_eq!(out["spot_points"], json!(21));
    assert_eq!(out["vol_points"], json!(5));
    let u = &out["underlyings"][0];
    assert_eq!(s(u, "underlying"), "BTC");
    let points = u["points"].as_array().expect("points");
    assert_eq!(points.len(), 105);
    // Spot-major: the first five points share the lowest spot S(1 − h_mm) = 56400 (h_mm is
    // floored to 48 bits, so within 1e-9).
    let first = e18(s(&points[0], "spot"));
    assert!((first - 56_400 * 1_000_000_000_000_000_000).abs() < 1_000_000_000, "{first}");
    assert!(points[..5].iter().all(|p| p["spot"] == points[0]["spot"]));
    // worst_loss is the largest point loss (at least zero).
    let worst = points.iter().map(|p| e18(s(p, "loss"))).max().expect("points").max(0);
    assert_eq!(e18(s(u, "worst_loss")), worst);
    assert_eq!(u["covered"], json!(e18(s(u, "margin")) >= worst));
}

#[test]
fn level_and_grid_size_flags_are_honoured() {
    let out = stress(&["--level", "im", "--spot-points", "3", "--vol-points", "1"], &base_account());
    assert_eq!(s(&out, "level"), "im");
    let points = out["underlyings"][0]["points"].as_array().expect("points");
    assert_eq!(points.len(), 3);
    // One vol point: the current vol; spots S(1 − h_im), S, S(1 + h_im).
    assert!(points.iter().all(|p| s(p, "vol") == "0.649999999999998578"), "{points:?}");
    let mid = e18(s(&points[1], "spot"));
    assert!((mid - 60_000 * 1_000_000_000_000_000_000).abs() < 1_000_000_000);
    let margin = margin_of(&base_account());
    assert_eq!(s(&out["underlyings"][0], "margin"), s(&margin["underlyings"][0], "im"));
}

fn margin_of(v: &serde_json::Value) -> serde_json::Value {
    let r = run_json("margin", &v.to_string());
    serde_json::from_str(&r.stdout).expect("JSON")
}

#[test]
fn svg_chart_has_one_panel_per_underlying_and_one_line_per_vol() {
    let mut v = base_account();
    v["account"]["collateral"] = json!([{ "underlying": "ETH", "amount": "10" }]);
    let out_path = std::env::temp_dir().join(format!("deltamargin-stress-{}.svg", std::process::id()));
    let r = run(
        &["stress", "--input", "-", "--svg", out_path.to_str().expect("path"), "--vol-points", "3"],
        Some(&v.to_string()),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(&out_path).expect("svg written");
    let _ = std::fs::remove_file(&out_path);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<polyline").count(), 2 * 3, "two underlyings × three vols");
    assert!(svg.contains("BTC — loss vs spot") && svg.contains("ETH — loss vs spot"));
    assert!(svg.contains("spot (quote per unit)") && svg.contains("MR(mm)"));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(json["underlyings"].as_array().expect("array").len(), 2);
}

#[test]
fn unwritable_svg_path_is_an_io_error_with_nothing_on_stdout() {
    let path = examples_dir().join("short_strangle.json");
    let r = run(&["stress", "--input", path.to_str().expect("path"), "--svg", "/nonexistent/dir/chart.svg"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("cannot write /nonexistent/dir/chart.svg"), "{}", r.stderr);
}

#[test]
fn an_account_without_items_has_an_empty_grid() {
    let mut v = base_account();
    v["account"] = json!({ "cash": "5" });
    let out = stress(&[], &v);
    assert_eq!(out["underlyings"], json!([]));
    assert_eq!(s(&out, "worst_loss"), "0");
}
