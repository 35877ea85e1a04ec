//! Helpers shared by the CLI integration tests: running the built binary, example paths, an
//! independent decimal reader and a valid base account to break in bad-input tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `deltamargin args…` with `stdin` (empty if `None`).
pub fn run(args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deltamargin"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn deltamargin");
    {
        let mut pipe = child.stdin.take().expect("stdin");
        // The process may exit (usage errors) before reading its input: a broken pipe is fine.
        let _ = pipe.write_all(stdin.unwrap_or("").as_bytes());
    }
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Runs `deltamargin <command> --input -` with `json` on stdin.
pub fn run_json(command: &str, json: &str) -> Run {
    run(&[command, "--input", "-"], Some(json))
}

/// Asserts a bad-input failure: exit code 2, nothing on stdout, stderr mentions `needle`.
pub fn assert_input_error(r: &Run, needle: &str) {
    assert_eq!(r.code, 2, "exit code; stderr: {}", r.stderr);
    assert!(r.stdout.is_empty(), "stdout must be empty, got: {}", r.stdout);
    assert!(r.stderr.contains(needle), "stderr should mention {needle:?}, got: {}", r.stderr);
}

/// `examples/` at the repository root.
pub fn examples_dir() -> PathBuf {
    manifest_dir().join("../examples")
}

/// The reference vectors committed in `lib/tests/data`, or `$DELTAMARGIN_REFERENCE_DIR` (as in
/// `lib/tests`).
pub fn reference_dir() -> PathBuf {
    match std::env::var("DELTAMARGIN_REFERENCE_DIR") {
        Ok(dir) => PathBuf::from(dir),
        Err(_) => manifest_dir().join("../lib/tests/data"),
    }
}

/// An exact decimal string as a rational `(numerator, 10^decimals)`, written independently of
/// the code under test (any number of decimals).
pub fn rational(text: &str) -> (i128, i128) {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = format!("{int}{frac}");
    let mut n: i128 = digits.parse().unwrap_or_else(|_| panic!("not a decimal: {text}"));
    if negative {
        n = -n;
    }
    (n, 10i128.pow(frac.len() as u32))
}

/// A printed decimal (≤ 18 decimals) as an 18-decimal integer.
pub fn e18(text: &str) -> i128 {
    let (n, d) = rational(text);
    assert!(d <= 1_000_000_000_000_000_000, "{text}: more than 18 decimals");
    n * (1_000_000_000_000_000_000 / d)
}

/// `a · b` of two rationals.
pub fn mul(a: (i128, i128), b: (i128, i128)) -> (i128, i128) {
    (a.0 * b.0, a.1 * b.1)
}

/// `a + b` of two rationals.
pub fn add(a: (i128, i128), b: (i128, i128)) -> (i128, i128) {
    (a.0 * b.1 + b.0 * a.1, a.1 * b.1)
}

/// `|a − b| ≤ tol_num/tol_den · |b|` for rationals given as `(num, den)` pairs, cross-multiplied
/// in `i128` (the operands here are small enough).
pub fn close_relative(a: (i128, i128), b: (i128, i128), tol_num: i128, tol_den: i128) -> bool {
    // |a.0·b.1 − b.0·a.1| / (a.1·b.1) ≤ tol · |b.0| / b.1   ⇔   |a.0·b.1 − b.0·a.1|·tol_den ≤ tol_num·|b.0|·a.1
    let diff = (a.0 * b.1 - b.0 * a.1).abs();
    diff * tol_den <= tol_num * b.0.abs() * a.1
}

/// Field `key` of a JSON object as a string.
pub fn s<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key).and_then(|x| x.as_str()).unwrap_or_else(|| panic!("missing string {key} in {v}"))
}

/// A valid account with one option and one linear position on BTC and ETH collateral, used as
/// the starting point of the bad-input tests.
pub fn base_account() -> serde_json::Value {
    serde_json::json!({
        "now": 1767225600,
        "rate": "0",
        "markets": [
            { "underlying": "BTC", "spot": "60000", "vol": "0.65",
              "spot_shock_im": "0.10", "spot_shock_mm": "0.06",
              "vol_shock_im": "0.20", "vol_shock_mm": "0.12",
              "vol_floor": "0.05", "short_option_addon": "0.01" },
            { "underlying": "ETH", "spot": "3000", "vol": "0.7",
              "spot_shock_im": "0.12", "spot_shock_mm": "0.08",
              "vol_shock_im": "0.25", "vol_shock_mm": "0.15",
              "vol_floor": "0.1", "short_option_addon": "0.015" }
        ],
        "account": {
            "cash": "-1000.5",
            "collateral": [ { "underlying": "BTC", "amount": "1.5" } ],
            "positions": [
                { "underlying": "BTC", "kind": "linear", "size": "-1.5", "entry": "59000" },
                { "underlying": "BTC", "kind": "call", "strike": "65000", "expiry": 1769904000, "size": "-2" }
            ]
        }
    })
}

/// The package's directory: cargo's run-time `CARGO_MANIFEST_DIR` (right even when the test
/// binary was built from a clone at another path and reused from a shared target directory),
/// else the one it was compiled in.
fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()))
}
