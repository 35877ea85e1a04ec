//! `deltamargin greeks`: one option from flags, and CSV batches checked against the mpmath
//! reference vectors in `lib/tests/data/black_scholes.csv`.

mod common;

use common::{assert_input_error, reference_dir, run, s};

fn greeks(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["greeks"];
    all.extend_from_slice(args);
    let r = run(&all, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("JSON")
}

#[test]
fn single_option_prints_price_and_greeks_as_decimal_strings() {
    let out = greeks(&["--kind", "call", "--spot", "100", "--strike", "100", "--vol", "0.2", "--years", "1"]);
    let keys: Vec<&str> = out.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["price", "delta", "gamma", "vega"]);
    // Black-Scholes at the money, σ = 0.2, T = 1, r = 0: 7.965567455405804…, Φ(0.1) = 0.539827837277029,
    // φ(0.1)/(100·0.2) = 0.019847627374, 100·φ(0.1) = 39.69525474770118.
    let expect = [
        ("price", 7.965567455405804),
        ("delta", 0.539827837277029),
        ("gamma", 0.019847627374),
        ("vega", 39.69525474770118),
    ];
    for (key, want) in expect {
        let got: f64 = s(&out, key).parse().expect("decimal");
        assert!((got - want).abs() < 1e-10, "{key}: {got} vs {want}");
    }
}

#[test]
fn put_with_rate_satisfies_parity() {
    let args = |kind| {
        ["--kind", kind, "--spot", "3000", "--strike", "3200", "--vol", "0.7", "--years", "0.25", "--rate", "0.04"]
    };
    let call: f64 = s(&greeks(&args("call")), "price").parse().expect("decimal");
    let put: f64 = s(&greeks(&args("put")), "price").parse().expect("decimal");
    let parity = 3000.0 - 3200.0 * (-0.04f64 * 0.25).exp();
    assert!((call - put - parity).abs() < 1e-9, "{call} − {put} ≠ {parity}");
}

#[test]
fn negative_rate_values_are_accepted_after_the_flag() {
    let out =
        greeks(&["--kind", "put", "--spot", "1", "--strike", "1", "--vol", "0.5", "--years", "1", "--rate", "-0.01"]);
    assert!(s(&out, "delta").starts_with('-'));
}

#[test]
fn raw_flag_adds_i64f64_bits() {
    let out = greeks(&["--kind", "call", "--spot", "2", "--strike", "1", "--vol", "0", "--years", "1", "--raw"]);
    // Zero volatility: intrinsic value 1, delta 1.
    assert_eq!(s(&out, "price"), "1");
    assert_eq!(s(&out, "delta"), "1");
    assert_eq!(s(&out["raw"], "price"), (1i128 << 64).to_string());
    assert_eq!(s(&out["raw"], "delta"), (1i128 << 64).to_string());
}

#[test]
fn bad_option_inputs_name_the_flag() {
    let base = ["greeks", "--kind", "call", "--spot", "100", "--strike", "100", "--vol", "0.2", "--years", "1"];
    let with = |flag: &str, value: &str| {
        let mut args: Vec<String> = base.iter().map(|a| a.to_string()).collect();
        let i = args.iter().position(|a| a == flag).expect("flag");
        args[i + 1] = value.to_string();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&refs, None)
    };
    assert_input_error(&with("--strike", "0"), "--strike: must be > 0");
    assert_input_error(&with("--spot", "-1"), "--spot: must not be negative");
    assert_input_error(&with("--vol", "-0.2"), "--vol: must not be negative");
    assert_input_error(&with("--years", "1e2"), "--years: exponent notation");
    assert_input_error(&with("--years", "0.1234567890123456789"), "--years: 19 digits");
    assert_input_error(&with("--spot", "10000000000000000000"), "--spot: out of range");
    assert_input_error(&with("--spot", "abc"), "--spot: not a decimal number");
}

fn reference_csv() -> String {
    let path = reference_dir().join("black_scholes.csv");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn csv_batch_matches_the_reference_vectors() {
    let path = reference_dir().join("black_scholes.csv");
    let r = run(&["greeks", "--csv", path.to_str().expect("path")], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reference = reference_csv();
    let mut ref_lines = reference.lines();
    let ref_header: Vec<&str> = ref_lines.next().expect("header").split(',').collect();
    let col = |name: &str| ref_header.iter().position(|h| *h == name).expect("reference column");
    let mut out_lines = r.stdout.lines();
    assert_eq!(out_lines.next(), Some("kind,spot,strike,vol,t_years,rate,price,delta,gamma,vega"));
    let (mut rows, mut worst_price, mut worst_delta) = (0, 0f64, 0f64);
    for (want, got) in ref_lines.filter(|l| !l.trim().is_empty()).zip(out_lines) {
        let want: Vec<&str> = want.split(',').collect();
        let got: Vec<&str> = got.split(',').collect();
        assert_eq!(got.len(), 10);
        // Inputs echoed as given.
        for (i, name) in ["kind", "spot", "strike", "vol", "t_years", "rate"].iter().enumerate() {
            assert_eq!(got[i], want[col(name)], "{name}");
        }
        let f = |x: &str| x.parse::<f64>().expect("number");
        let scale = f(want[col("spot")]).max(f(want[col("strike")]));
        let price_err = (f(got[6]) - f(want[col("price")])).abs() / scale;
        let delta_err = (f(got[7]) - f(want[col("delta")])).abs();
        assert!(price_err <= 1e-10, "price error {price_err:e} on {want:?}");
        assert!(delta_err <= 1e-10, "delta error {delta_err:e} on {want:?}");
        worst_price = worst_price.max(price_err);
        worst_delta = worst_delta.max(delta_err);
        rows += 1;
    }
    assert!(rows >= 400, "only {rows} rows");
    assert_eq!(r.stdout.lines().count(), rows + 1);
    println!("greeks --csv: {rows} rows, max |Δprice|/max(S,K) = {worst_price:.3e}, max |Δdelta| = {worst_delta:.3e}");
}

#[test]
fn csv_columns_are_found_by_name_and_rate_is_optional() {
    let csv = "note,t_years,strike,spot,kind,vol\nx,1,100,100,call,0.2\n\n";
    let r = run(&["greeks", "--csv", "-"], Some(csv));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with("call,100,100,0.2,1,0,7.96556745"), "{}", lines[1]);
}

#[test]
fn csv_errors_name_file_line_and_column() {
    let r =
        run(&["greeks", "--csv", "-"], Some("kind,spot,strike,vol,t_years,rate\ncall,1,1,0.2,1,0\nput,1,0,0.2,1,0\n"));
    assert_input_error(&r, "-:3: column strike: must be > 0");
    let r = run(&["greeks", "--csv", "-"], Some("kind,spot,strike,vol\ncall,1,1,0.2\n"));
    assert_input_error(&r, "-:1: missing column t_years");
    let r = run(&["greeks", "--csv", "-"], Some("kind,spot,strike,vol,t_years\ncall,1,1\n"));
    assert_input_error(&r, "-:2: 3 fields, the header has 5");
    let r = run(&["greeks", "--csv", "-"], Some("kind,spot,strike,vol,t_years\nswap,1,1,1,1\n"));
    assert_input_error(&r, "-:2: column kind: unknown kind \"swap\"");
    let r = run(&["greeks", "--csv", "-"], Some(""));
    assert_input_error(&r, "-: empty CSV");
    let r = run(&["greeks", "--csv", "/nonexistent/deltamargin.csv"], None);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
}
