//! Bit-identity: the raw bits of E, IM, MM, health and per-underlying value, Δ, Γ, vega and
//! requirements that the contract's `health` returns equal `margin-math`'s `evaluate` on the same
//! stored account, oracle snapshot and block time — and the `deltamargin margin --raw` CLI on the
//! same account written as canonical JSON — on 34 accounts: 30 generated, including options
//! within an hour of expiry and deep out of the money, and 4 delta-hedged long options within an
//! hour of expiry, whose requirements the cell bound between the grid points sets.

use std::path::PathBuf;
use std::process::Command;

use engine::types::{AccountData, CellView, HealthView, InstrumentId, OptionType, ScenarioView};
use margin_math::margin::{evaluate, Account, Collateral, Health, Market, Position, PositionKind};
use margin_math::OptionKind;

use crate::suite::*;
use crate::utils::{actor, Account as Addr};

/// Spot and vol strings of the snapshot the accounts are compared at.
const SNAPSHOT: [(u32, &str, &str, &str); 3] =
    [(BTC, "BTC", "61234.5", "0.71"), (ETH, "ETH", "2987.25", "0.83"), (IDX, "IDX", "1010", "0.27")];
/// The snapshot time: whole seconds, so the CLI's unix-seconds `now` is the same instant.
const T_CHECK: u64 = T0 + 120_000;

/// A tiny deterministic generator (64-bit LCG), so the portfolios are reproducible.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An instrument of the pool with its definition.
#[derive(Clone, Copy)]
struct Listed {
    id: InstrumentId,
    underlying: u32,
    option: Option<(OptionType, u128, u64)>,
}

fn spot_vol(underlying: u32) -> (&'static str, &'static str) {
    match underlying {
        BTC => ("60000", "0.65"),
        ETH => ("3000", "0.8"),
        _ => ("1000", "0.3"),
    }
}

fn option_kind(t: OptionType) -> OptionKind {
    match t {
        OptionType::Call => OptionKind::Call,
        OptionType::Put => OptionKind::Put,
    }
}

/// Lists the instrument pool: the three perpetuals and options per underlying at strikes
/// 50%, 95%, 100%, 105% and 200% of spot, expiring in 10 minutes, 59 minutes, 1 day and 30 days.
fn pool(s: &mut Suite) -> Vec<Listed> {
    let mut out: Vec<Listed> = (0..3).map(|u| Listed { id: s.perp[u as usize], underlying: u, option: None }).collect();
    let expiries = [T0 + 600_000, T0 + 3_540_000, T0 + 86_400_000, T0 + 30 * 86_400_000];
    for u in [BTC, ETH, IDX] {
        let spot = e18(spot_vol(u).0);
        let strikes = [
            (50u128, OptionType::Put),
            (95, OptionType::Put),
            (100, OptionType::Call),
            (105, OptionType::Call),
            (200, OptionType::Call),
        ];
        for (k, (pct, option_type)) in strikes.into_iter().enumerate() {
            let expiry = expiries[(k + u as usize) % expiries.len()];
            let strike = spot / 100 * pct;
            let id = s.list_option(u, option_type, &decimal(strike, 18), expiry);
            out.push(Listed { id, underlying: u, option: Some((option_type, strike, expiry)) });
        }
    }
    out
}

/// Exact decimal string of `units` with `decimals` decimals (trailing zeros trimmed).
fn decimal(units: u128, decimals: u32) -> String {
    let scale = 10u128.pow(decimals);
    let (int, frac) = (units / scale, units % scale);
    if frac == 0 {
        return int.to_string();
    }
    let frac = format!("{frac:0width$}", width = decimals as usize);
    format!("{int}.{}", frac.trim_end_matches('0'))
}

fn signed_decimal(units: i128, decimals: u32) -> String {
    let text = decimal(units.unsigned_abs(), decimals);
    if units < 0 {
        format!("-{text}")
    } else {
        text
    }
}

/// Builds 30 accounts with random collateral and 1–6 positions each, traded at the mark
/// against a well-funded market maker.
fn build_accounts(s: &mut Suite, listed: &[Listed]) -> Vec<Addr> {
    let maker = actor(55);
    s.fund(maker, s.quote, units("900000000", 6));
    s.approve_venue(maker);
    let mut rng = Lcg(0x5eed_0001);
    let mut accounts = Vec::new();
    for i in 0..30u8 {
        let who = actor(10 + i);
        s.approve_venue(who);
        s.fund(who, s.quote, units(&format!("{}", 20_000 + rng.below(400_000)), 6));
        if rng.below(2) == 0 {
            s.fund(who, s.btc, units(&format!("{}.{}", rng.below(3), rng.below(1000)), 24) + 1_000_000);
        }
        if rng.below(3) == 0 {
            s.fund(who, s.eth, units(&format!("{}.{:06}", rng.below(20), rng.below(1_000_000)), 18) + 1);
        }
        if rng.below(3) == 0 {
            s.fund(who, s.idx, 1 + u128::from(rng.below(40)));
        }
        let positions = 1 + rng.below(6);
        for _ in 0..positions {
            let item = listed[rng.below(listed.len() as u64) as usize];
            let size = LOT * u128::from(1 + rng.below(3000));
            let now = s.chain.now();
            let (spot, vol) = spot_vol(item.underlying);
            let price = match item.option {
                None => e18(spot),
                Some((t, strike, expiry)) => {
                    margin_math::trading::option_mark_e18(option_kind(t), e18(spot), strike, e18(vol), 0, now, expiry)
                        .expect("mark")
                }
            };
            let (buyer, seller) = if rng.below(2) == 0 { (who, maker) } else { (maker, who) };
            // A trade the account cannot margin is simply skipped: the portfolio stays valid.
            let _ = s.trade(buyer, seller, item.id, size, price, 0);
        }
        accounts.push(who);
    }
    // Delta-hedged long options within an hour of expiry struck inside the shock box: the books
    // whose requirement the cell bound between the grid points sets.
    let hedged: [(u32, usize, &str, i128); 4] = [
        (IDX, 2, "20", -10), // IDX 100% call, 10 minutes; short 10 perpetuals
        (IDX, 3, "20", -4),  // IDX 105% call, 59 minutes
        (ETH, 3, "10", -2),  // ETH 105% call, 10 minutes
        (BTC, 1, "2", 1),    // BTC 95% put, 59 minutes; long 1 perpetual
    ];
    for (i, (underlying, k, size, hedge)) in hedged.into_iter().enumerate() {
        let who = actor(56 + i as u8);
        s.approve_venue(who);
        s.fund(who, s.quote, units("500000", 6));
        let item = listed
            .iter()
            .filter(|l| l.underlying == underlying && l.option.is_some())
            .nth(k)
            .copied()
            .expect("pool option");
        let Some((t, strike, expiry)) = item.option else { unreachable!() };
        let (spot, vol) = spot_vol(underlying);
        let now = s.chain.now();
        let mark = margin_math::trading::option_mark_e18(option_kind(t), e18(spot), strike, e18(vol), 0, now, expiry)
            .expect("mark");
        s.trade(who, maker, item.id, e18(size), mark, 0).expect("long option");
        let perp = s.perp[underlying as usize];
        let lots = e18(&hedge.unsigned_abs().to_string());
        let (buyer, seller) = if hedge > 0 { (who, maker) } else { (maker, who) };
        s.trade(buyer, seller, perp, lots, e18(spot), 0).expect("hedge");
        accounts.push(who);
    }
    accounts
}

fn markets() -> Vec<Market> {
    let r = risk();
    SNAPSHOT
        .iter()
        .map(|&(u, _, spot, vol)| Market { underlying: u, spot_e18: e18(spot), vol_e18: e18(vol), params: r.to_math() })
        .collect()
}

/// The stored account as `margin-math` input, built here from the suite's own knowledge of
/// asset decimals and instrument definitions.
fn math_items(s: &Suite, data: &AccountData, listed: &[Listed]) -> (Vec<Collateral>, Vec<Position>) {
    let collateral = s.math_collateral(data);
    let positions = data
        .positions
        .iter()
        .map(|p| {
            let item = listed.iter().find(|l| l.id == p.instrument).expect("listed instrument");
            let kind = match item.option {
                None => PositionKind::Linear { entry_e18: p.entry_e18 },
                Some((t, strike_e18, expiry_ms)) => {
                    PositionKind::Option { kind: option_kind(t), strike_e18, expiry_ms, settlement_e18: None }
                }
            };
            Position { underlying: item.underlying, size_e18: p.size_e18, kind }
        })
        .collect();
    (collateral, positions)
}

fn assert_same(view: &HealthView, health: &Health, who: &str) {
    assert_eq!(view.equity_bits, health.equity.to_bits(), "{who}: E");
    assert_eq!(view.initial_margin_bits, health.initial_margin.to_bits(), "{who}: IM");
    assert_eq!(view.maintenance_margin_bits, health.maintenance_margin.to_bits(), "{who}: MM");
    assert_eq!(view.health_bits, health.health.to_bits(), "{who}: health");
    assert_eq!(view.liquidatable, health.liquidatable, "{who}: liquidatable");
    assert_eq!(view.underlyings.len(), health.underlyings.len(), "{who}: underlyings");
    for (v, u) in view.underlyings.iter().zip(&health.underlyings) {
        assert_eq!(v.underlying, u.underlying);
        assert_eq!(v.value_bits, u.value.to_bits(), "{who}: value of {}", u.underlying);
        assert_eq!(v.delta_bits, u.delta.to_bits(), "{who}: delta of {}", u.underlying);
        assert_eq!(v.gamma_bits, u.gamma.to_bits(), "{who}: gamma of {}", u.underlying);
        assert_eq!(v.vega_bits, u.vega.to_bits(), "{who}: vega of {}", u.underlying);
        assert_eq!(v.initial_margin_bits, u.initial_margin.to_bits(), "{who}: IM of {}", u.underlying);
        assert_eq!(v.maintenance_margin_bits, u.maintenance_margin.to_bits(), "{who}: MM of {}", u.underlying);
        for (view, scenario, level) in [(&v.worst_mm, &u.worst_mm, "MM"), (&v.worst_im, &u.worst_im, "IM")] {
            let cell = scenario.cell.map(|c| CellView {
                spot_high_bits: c.spot_high.to_bits(),
                vol_high_bits: c.vol_high.to_bits(),
                at_spot_bits: c.at_spot.to_bits(),
                vega_credit_bits: c.vega_credit.to_bits(),
            });
            let want = ScenarioView {
                spot_bits: scenario.spot.to_bits(),
                vol_bits: scenario.vol.to_bits(),
                loss_bits: scenario.loss.to_bits(),
                cell,
            };
            assert_eq!(*view, want, "{who}: worst {level} scenario of {}", u.underlying);
        }
    }
}

/// The account as the CLI's canonical account JSON.
fn account_json(data: &AccountData, collateral: &[Collateral], positions: &[Position]) -> String {
    let r = risk();
    let markets: Vec<String> = SNAPSHOT
        .iter()
        .map(|&(_, name, spot, vol)| {
            format!(
                r#"{{"underlying":"{name}","spot":"{spot}","vol":"{vol}","spot_shock_im":"{}","spot_shock_mm":"{}","vol_shock_im":"{}","vol_shock_mm":"{}","vol_floor":"{}","short_option_addon":"{}"}}"#,
                decimal(r.spot_shock_im_e18, 18),
                decimal(r.spot_shock_mm_e18, 18),
                decimal(r.vol_shock_im_e18, 18),
                decimal(r.vol_shock_mm_e18, 18),
                decimal(r.vol_floor_e18, 18),
                decimal(r.short_option_addon_e18, 18)
            )
        })
        .collect();
    let name = |u: u32| SNAPSHOT[u as usize].1;
    let collateral: Vec<String> = collateral
        .iter()
        .map(|c| {
            // The CLI reads 18-decimal amounts: the same rational number gives the same bits.
            let amount_e18 = match c.decimals {
                24 => {
                    assert_eq!(c.amount % 1_000_000, 0, "BTC amounts are generated with ≤ 18 decimals");
                    c.amount / 1_000_000
                }
                d => c.amount * 10u128.pow(18 - u32::from(d)),
            };
            format!(r#"{{"underlying":"{}","amount":"{}"}}"#, name(c.underlying), decimal(amount_e18, 18))
        })
        .collect();
    let positions: Vec<String> = positions
        .iter()
        .map(|p| match p.kind {
            PositionKind::Linear { entry_e18 } => format!(
                r#"{{"underlying":"{}","kind":"linear","size":"{}","entry":"{}"}}"#,
                name(p.underlying),
                signed_decimal(p.size_e18, 18),
                decimal(entry_e18, 18)
            ),
            PositionKind::Option { kind, strike_e18, expiry_ms, .. } => {
                assert_eq!(expiry_ms % 1000, 0);
                let kind = if kind == OptionKind::Call { "call" } else { "put" };
                format!(
                    r#"{{"underlying":"{}","kind":"{kind}","strike":"{}","expiry":{},"size":"{}"}}"#,
                    name(p.underlying),
                    decimal(strike_e18, 18),
                    expiry_ms / 1000,
                    signed_decimal(p.size_e18, 18)
                )
            }
        })
        .collect();
    format!(
        r#"{{"now":{},"rate":"0","markets":[{}],"account":{{"cash":"{}","collateral":[{}],"positions":[{}]}}}}"#,
        T_CHECK / 1000,
        markets.join(","),
        signed_decimal(data.cash, 6),
        collateral.join(","),
        positions.join(",")
    )
}

/// The `deltamargin` binary: `$DELTAMARGIN_CLI`, or the workspace's release/debug build in
/// `$CARGO_TARGET_DIR` (scripts/test.sh builds it before the sandbox tests).
fn cli_path() -> PathBuf {
    if let Ok(path) = std::env::var("DELTAMARGIN_CLI") {
        return PathBuf::from(path);
    }
    let target = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from("../target"));
    let candidates = [target.join("release/deltamargin"), target.join("debug/deltamargin")];
    candidates.into_iter().find(|p| p.exists()).unwrap_or_else(|| {
        panic!("deltamargin CLI not built: run scripts/test.sh, or `cargo build -p deltamargin-cli` in the workspace")
    })
}

/// The `raw` bits the CLI prints for E, IM, MM, health and, per underlying, value, Δ, Γ, vega,
/// IM and MM — in that order.
fn cli_raw_bits(json: &str, dir: &std::path::Path, index: usize) -> Vec<i128> {
    let path = dir.join(format!("account-{index}.json"));
    std::fs::write(&path, json).expect("write account JSON");
    let out = Command::new(cli_path()).args(["margin", "--input"]).arg(&path).arg("--raw").output().expect("run CLI");
    assert!(out.status.success(), "CLI failed on {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let raw = &text[text.find("\"raw\"").expect("raw section")..];
    raw.lines()
        .filter_map(|line| {
            let (key, value) = line.trim().split_once(':')?;
            let key = key.trim_matches('"');
            let keep = [
                "equity",
                "initial_margin",
                "maintenance_margin",
                "health",
                "value",
                "delta",
                "gamma",
                "vega",
                "im",
                "mm",
            ];
            keep.contains(&key)
                .then(|| value.trim().trim_end_matches(',').trim_matches('"').parse::<i128>().ok())
                .flatten()
        })
        .collect()
}

fn view_bits(view: &HealthView) -> Vec<i128> {
    let mut bits = vec![view.equity_bits, view.initial_margin_bits, view.maintenance_margin_bits, view.health_bits];
    for u in &view.underlyings {
        bits.extend([
            u.value_bits,
            u.delta_bits,
            u.gamma_bits,
            u.vega_bits,
            u.initial_margin_bits,
            u.maintenance_margin_bits,
        ]);
    }
    bits
}

#[test]
fn contract_health_equals_margin_math_and_cli_bit_for_bit() {
    let mut s = Suite::new();
    let listed = pool(&mut s);
    let accounts = build_accounts(&mut s, &listed);
    s.chain.set_time(T_CHECK);
    let prices: Vec<(u32, &str, &str)> = SNAPSHOT.iter().map(|&(u, _, spot, vol)| (u, spot, vol)).collect();
    s.set_prices(&prices);
    let dir = std::env::temp_dir().join(format!("deltamargin-bit-identity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (mut compared, mut near_expiry, mut deep_otm, mut with_options, mut cells) = (0, 0, 0, 0, 0);
    for (i, who) in accounts.into_iter().enumerate() {
        let data = s.account(who).expect("account");
        let view = s.health(who).unwrap_or_else(|e| panic!("health of account {i}: {e:?}"));
        let (collateral, positions) = math_items(&s, &data, &listed);
        let account = Account { cash: data.cash, cash_decimals: 6, collateral: &collateral, positions: &positions };
        let health = evaluate(&markets(), &account, T_CHECK).expect("margin-math evaluate");
        assert_same(&view, &health, &format!("account {i}"));
        cells += view.underlyings.iter().filter(|u| u.worst_mm.cell.is_some() || u.worst_im.cell.is_some()).count();
        let json = account_json(&data, &collateral, &positions);
        assert_eq!(cli_raw_bits(&json, &dir, i), view_bits(&view), "account {i}: CLI bits differ; JSON: {json}");
        compared += 1;
        let options: Vec<&Position> =
            positions.iter().filter(|p| matches!(p.kind, PositionKind::Option { .. })).collect();
        with_options += usize::from(!options.is_empty());
        for p in options {
            if let PositionKind::Option { strike_e18, expiry_ms, .. } = p.kind {
                near_expiry += usize::from(expiry_ms - T_CHECK < 3_600_000);
                let spot = e18(SNAPSHOT[p.underlying as usize].2);
                deep_otm += usize::from(strike_e18 >= 2 * spot / 100 * 95 || strike_e18 <= spot / 100 * 55);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("bit-identity: {compared} accounts, {with_options} with options, {near_expiry} option positions within an hour of expiry, {deep_otm} deep out of the money, {cells} requirements set by a cell bound");
    assert!(compared >= 30);
    assert!(cells >= 4, "hedged near-expiry longs must be margined by the cell bound");
    assert!(with_options >= 10, "the generator must produce option books");
    assert!(near_expiry >= 3, "options within an hour of expiry must be covered");
    assert!(deep_otm >= 3, "deep out-of-the-money options must be covered");
}
