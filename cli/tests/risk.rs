//! `deltamargin risk`: historical VaR/ES of example accounts over the shipped synthetic history.

mod common;

use common::{assert_input_error, examples_dir, run};

fn risk(example: &str, extra: &[&str]) -> common::Run {
    let input = examples_dir().join(example);
    let history = examples_dir().join("history.csv");
    let mut args = vec!["risk", "--input", input.to_str().unwrap(), "--history", history.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args, None)
}

fn json(r: &common::Run) -> serde_json::Value {
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("JSON output")
}

fn number(v: &serde_json::Value) -> f64 {
    v.as_str().expect("decimal string").parse().expect("number")
}

/// A delta-neutral book (collateral hedged by an equal short perpetual) loses nothing in any
/// scenario.
#[test]
fn a_hedged_book_has_no_var() {
    let out = json(&risk("hedged_basis.json", &[]));
    assert_eq!(out["scenarios"], 730);
    for level in out["levels"].as_array().unwrap() {
        assert_eq!(level["var"], "0.000000");
        assert_eq!(level["es"], "0.000000");
    }
}

/// 1.5 BTC collateral (spot 87,450.25): each day's P&L is 1.5 · 87,450.25 · (P[t+1]/P[t] − 1),
/// computed here from the CSV independently; the command's VaR is that list's 723rd smallest
/// loss (⌈0.99 · 730⌉) and its ES the mean of the 8 worst.
#[test]
fn spot_collateral_var_is_the_order_statistic_of_its_daily_moves() {
    let text = std::fs::read_to_string(examples_dir().join("history.csv")).unwrap();
    let btc: Vec<f64> = text.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect();
    let mut losses: Vec<f64> = btc.windows(2).map(|w| -1.5 * 87_450.25 * (w[1] / w[0] - 1.0)).collect();
    losses.sort_by(f64::total_cmp);
    let out = json(&risk("naked_long_spot.json", &["--confidence", "0.99"]));
    let level = &out["levels"][0];
    assert_eq!(level["rank"], 723);
    assert!((number(&level["var"]) - losses[722]).abs() < 1e-3, "{} vs {}", level["var"], losses[722]);
    let es = losses[722..].iter().sum::<f64>() / 8.0;
    assert!((number(&level["es"]) - es).abs() < 1e-3, "{} vs {es}", level["es"]);
    // The worst scenario listed first, with its start day.
    assert!((number(&out["worst"][0]["loss"]) - losses[729]).abs() < 1e-3);
    assert!(out["worst"][0]["start"].as_str().unwrap().starts_with("202"));
}

/// Longer horizons: overlapping windows give one scenario per start day, disjoint ones one per
/// horizon.
#[test]
fn horizons_and_windows() {
    assert_eq!(json(&risk("short_strangle.json", &["--horizon-days", "5", "--overlapping"]))["scenarios"], 726);
    assert_eq!(json(&risk("short_strangle.json", &["--horizon-days", "5"]))["scenarios"], 146);
}

#[test]
fn bad_input_is_an_input_error() {
    assert_input_error(&risk("naked_long_spot.json", &["--horizon-days", "0"]), "--horizon-days");
    assert_input_error(&risk("naked_long_spot.json", &["--confidence", "1.5"]), "--confidence");
    assert_input_error(&risk("naked_long_spot.json", &["--coverage", "0"]), "--coverage");
    let bad = std::env::temp_dir().join(format!("dm-risk-{}.csv", std::process::id()));
    std::fs::write(&bad, "time,XRP\nx,1\ny,2\n").unwrap();
    let input = examples_dir().join("naked_long_spot.json");
    let r = run(&["risk", "--input", input.to_str().unwrap(), "--history", bad.to_str().unwrap()], None);
    assert_input_error(&r, "no price column for market BTC");
    std::fs::write(&bad, "time,BTC\nx,1\ny,oops\n").unwrap();
    let r = run(&["risk", "--input", input.to_str().unwrap(), "--history", bad.to_str().unwrap()], None);
    assert_input_error(&r, "line 3, column 2");
    let _ = std::fs::remove_file(&bad);
}

/// The margin backtest: 1.5 BTC collateral has MR(mm) = 1.5 · 87,450.25 · 0.06 = 7,870.5225;
/// the exceedances are the days whose loss (computed here from the CSV) passes it, and Kupiec's
/// statistic is the textbook formula on that count.
#[test]
fn the_margin_backtest_counts_losses_beyond_mm() {
    let text = std::fs::read_to_string(examples_dir().join("history.csv")).unwrap();
    let btc: Vec<f64> = text.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect();
    let mm = 1.5 * 87_450.25 * 0.06;
    let x = btc.windows(2).filter(|w| -1.5 * 87_450.25 * (w[1] / w[0] - 1.0) > mm).count();
    let out = json(&risk("naked_long_spot.json", &[]));
    let b = &out["backtest"];
    assert_eq!(b["mm"], "7870.522500");
    assert_eq!(b["exceedances"], x as u64);
    let (n, xf, p) = (730.0f64, x as f64, 0.01f64);
    let lr =
        -2.0 * ((n - xf) * (1.0 - p).ln() + xf * p.ln()) + 2.0 * ((n - xf) * (1.0 - xf / n).ln() + xf * (xf / n).ln());
    assert!((number(&b["kupiec_lr"]) - lr).abs() < 1e-5, "{} vs {lr}", b["kupiec_lr"]);
    assert_eq!(b["per_underlying"][0]["underlying"], "BTC");
    assert_eq!(b["per_underlying"][0]["exceedances"], x as u64);
    assert!(["green", "yellow", "red"].contains(&b["traffic_light"].as_str().unwrap()));
    // A delta-neutral book never exceeds: green.
    let hedged = json(&risk("hedged_basis.json", &[]));
    assert_eq!(hedged["backtest"]["exceedances"], 0);
}
