//! The gas report (`scripts/gas-report.sh`): ref_time and proof_size of every message measured in
//! the sandbox on the real Wasm, `health` and `apply_trade` at 1, 8 and 32 positions (half
//! options), each as a share of a 2 s block and of Aleph Zero's 400 ms block, and each contract's
//! Wasm size. Budgets are in the README ("Performance"); this test measures, it does not assert
//! them.

use std::fmt::Write as _;

use engine::types::{InstrumentId, InstrumentKind, OptionType};
use engine::EngineError;
use margin_math::trading::option_mark_e18;
use margin_math::OptionKind;

use crate::suite::*;
use crate::utils::{actor, is_engine_admin_message, Account, Chain};
use crate::BundleProvider;

/// ref_time of a 2 s block, ps.
pub(crate) const BLOCK_2S_PS: f64 = 2e12;
/// ref_time of Aleph Zero's 400 ms block, ps.
const BLOCK_400MS_PS: f64 = 4e11;

pub(crate) struct Report {
    pub(crate) rows: Vec<(String, String, u64, u64)>,
}

impl Report {
    pub(crate) fn record(&mut self, chain: &Chain, message: &str, case: &str) {
        assert!(!chain.last_reverted, "{message} ({case}) reverted: the report only measures successful calls");
        let gas = chain.last_gas;
        assert!(gas.ref_time() > 0, "{message} measured no gas");
        self.rows.push((message.to_string(), case.to_string(), gas.ref_time(), gas.proof_size()));
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("| message | case | ref_time (ps) | proof_size (B) | % of 2 s block | % of 400 ms block |\n");
        out.push_str("|---|---|---:|---:|---:|---:|\n");
        for (message, case, ref_time, proof) in &self.rows {
            let t = *ref_time as f64;
            let _ = writeln!(
                out,
                "| `{message}` | {case} | {t:.3e} | {proof} | {:.3}% | {:.3}% |",
                100.0 * t / BLOCK_2S_PS,
                100.0 * t / BLOCK_400MS_PS
            );
        }
        out
    }
}

pub(crate) fn ok<T: std::fmt::Debug, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

/// One instrument of the position ladder: its id, underlying and, for an option, its kind, strike
/// (e18) and expiry (ms).
pub(crate) type LadderRung = (InstrumentId, u32, Option<(OptionKind, u128, u64)>);

/// The 32 instruments of the position ladder: for k in 0..32, underlying `(k / 2) % 8`, an option
/// for even k (calls and puts, strikes 95%/105% of spot, 30 days) and a linear contract for odd k.
pub(crate) fn ladder(s: &mut Suite) -> Vec<LadderRung> {
    let spots = ["60000", "3000", "1000", "100", "100", "100", "100", "100"];
    let expiry = T0 + 30 * 86_400_000;
    let mut extra_linear = Vec::new();
    for u in 0..8u32 {
        let res: Result<u32, EngineError> =
            s.chain.call(s.owner, s.engine, "list_instrument", (u, InstrumentKind::Linear));
        extra_linear.push(ok(res, "list second linear"));
    }
    let mut out = Vec::new();
    for k in 0..32u32 {
        let u = (k / 2) % 8;
        let spot = e18(spots[u as usize]);
        if k % 2 == 0 {
            let (option_type, kind) = if (k / 2) % 2 == 0 {
                (OptionType::Call, OptionKind::Call)
            } else {
                (OptionType::Put, OptionKind::Put)
            };
            let strike = if k < 16 { spot / 100 * 95 } else { spot / 100 * 105 };
            let kind_e = InstrumentKind::Option { option_type, strike_e18: strike, expiry_ms: expiry };
            let res: Result<u32, EngineError> = s.chain.call(s.owner, s.engine, "list_instrument", (u, kind_e));
            out.push((ok(res, "list option"), u, Some((kind, strike, expiry))));
        } else {
            let id = if k < 16 { u } else { extra_linear[u as usize] };
            out.push((id, u, None));
        }
    }
    out
}

#[test]
fn gas_report() {
    let mut report = Report { rows: Vec::new() };
    let mut s = Suite::with_markets(8);
    let (owner, engine, oracle) = (s.owner, s.engine, s.oracle);
    let (user, other) = (actor(20), actor(21));

    // ---- token
    s.mint(s.quote, user, units("300000000", 6));
    report.record(&s.chain, "token::mint", "owner mints");
    let r: Result<(), deltamargin_interfaces::PSP22Error> =
        s.chain.call(user, s.quote, "PSP22::transfer", (other, units("100000000", 6), Vec::<u8>::new()));
    ok(r, "transfer");
    report.record(&s.chain, "PSP22::transfer", "plain transfer");
    let r: Result<(), deltamargin_interfaces::PSP22Error> =
        s.chain.call(user, s.quote, "PSP22::approve", (other, units("1", 6)));
    ok(r, "approve");
    report.record(&s.chain, "PSP22::approve", "");
    let r: Result<(), deltamargin_interfaces::PSP22Error> =
        s.chain.call(other, s.quote, "PSP22::transfer_from", (user, other, units("1", 6), Vec::<u8>::new()));
    ok(r, "transfer_from");
    report.record(&s.chain, "PSP22::transfer_from", "with allowance");
    let _: u128 = s.chain.call(owner, s.quote, "PSP22::balance_of", user);
    report.record(&s.chain, "PSP22::balance_of", "");

    // ---- oracle
    s.chain.set_time(T0 + 1_000);
    let now = s.chain.now();
    let r: Result<(), oracle::OracleError> = s.chain.call(s.reporters[0], oracle, "submit", (0u32, e18("60000"), now));
    ok(r, "submit");
    report.record(&s.chain, "oracle::submit", "one value");
    let items: Vec<(u32, u128, u64)> =
        (0..16u32).map(|f| (f, if f % 2 == 0 { e18("100") } else { e18("0.5") }, now)).collect();
    let items: Vec<(u32, u128, u64)> = items
        .into_iter()
        .enumerate()
        .map(|(i, (f, v, t))| match i {
            0 => (f, e18("60000"), t),
            1 => (f, e18("0.65"), t),
            2 => (f, e18("3000"), t),
            3 => (f, e18("0.8"), t),
            4 => (f, e18("1000"), t),
            5 => (f, e18("0.3"), t),
            _ => (f, v, t),
        })
        .collect();
    for r in s.reporters {
        let res: Result<(), oracle::OracleError> = s.chain.call(r, oracle, "submit_batch", items.clone());
        ok(res, "submit_batch");
    }
    report.record(&s.chain, "oracle::submit_batch", "16 feeds");
    let r: Result<deltamargin_interfaces::FeedValue, deltamargin_interfaces::FeedError> =
        s.chain.call(owner, oracle, "PriceOracle::read", 0u32);
    ok(r, "read");
    report.record(&s.chain, "PriceOracle::read", "3 reporters");
    let _: Vec<Result<deltamargin_interfaces::FeedValue, deltamargin_interfaces::FeedError>> =
        s.chain.call(owner, oracle, "PriceOracle::read_batch", (0..16u32).collect::<Vec<_>>());
    report.record(&s.chain, "PriceOracle::read_batch", "16 feeds, 3 reporters");

    // ---- engine admin
    let r: Result<(), EngineError> = s.chain.call(owner, engine, "authorize_venue", (actor(7), E18 / 100, 0u128));
    ok(r, "authorize");
    report.record(&s.chain, "admin(authorize_venue)", "");
    let r: Result<u32, EngineError> = s.chain.call(owner, engine, "list_instrument", (BTC, InstrumentKind::Linear));
    ok(r, "list_instrument");
    report.record(&s.chain, "admin(list_instrument)", "linear");
    let config = market_config(BTC);
    let r: Result<(), EngineError> = s.chain.call(owner, engine, "update_market", (BTC, config));
    ok(r, "update_market");
    report.record(&s.chain, "admin(update_market)", "");

    // ---- deposits and venue approval
    let approve: Result<(), deltamargin_interfaces::PSP22Error> =
        s.chain.call(user, s.quote, "PSP22::approve", (engine, units("100000000", 6)));
    ok(approve, "approve engine");
    let r: Result<(), EngineError> = s.chain.call(user, engine, "deposit", (s.quote, units("100000000", 6)));
    ok(r, "deposit");
    report.record(&s.chain, "deposit", "quote, new account");
    s.mint(s.btc, user, units("2", 24));
    let approve: Result<(), deltamargin_interfaces::PSP22Error> =
        s.chain.call(user, s.btc, "PSP22::approve", (engine, units("2", 24)));
    ok(approve, "approve btc");
    let r: Result<(), EngineError> = s.chain.call(user, engine, "deposit", (s.btc, units("2", 24)));
    ok(r, "deposit btc");
    report.record(&s.chain, "deposit", "collateral asset");
    let r: Result<(), EngineError> = s.chain.call(user, engine, "withdraw", (s.btc, units("1", 24)));
    ok(r, "withdraw");
    report.record(&s.chain, "withdraw", "collateral, 1 underlying priced");
    s.approve_venue(user);
    report.record(&s.chain, "approve_venue", "");
    s.fund(other, s.quote, units("100000000", 6));
    s.approve_venue(other);

    // ---- the position ladder
    let rungs = ladder(&mut s);
    for (k, (instrument, u, option)) in rungs.into_iter().enumerate() {
        let n = k + 1;
        let spot_vol = [("60000", "0.65"), ("3000", "0.8"), ("1000", "0.3")];
        let (spot, vol) = spot_vol.get(u as usize).copied().unwrap_or(("100", "0.5"));
        let price = match option {
            Some((kind, strike, expiry)) => {
                let now = s.chain.now();
                ok(option_mark_e18(kind, e18(spot), strike, e18(vol), 0, now, expiry), "mark")
            }
            None => e18(spot),
        };
        // Long every linear contract and every other option, short the rest.
        let user_buys = option.is_none() || (k / 2) % 2 == 0;
        let (buyer, seller) = if user_buys { (user, other) } else { (other, user) };
        ok(s.trade(buyer, seller, instrument, E18, price, 0), "ladder trade");
        if [1, 8, 32].contains(&n) {
            let options = n.div_ceil(2);
            let case = format!("{n} positions ({options} options), {} underlyings", (n.div_ceil(2)).min(8));
            report.record(&s.chain, "apply_trade", &format!("opening position {n}: {case}"));
            ok(s.health(user), "health");
            report.record(&s.chain, "health", &case);
        }
    }
    let lens = s.lens;
    let r: Result<engine::types::StressView, EngineError> =
        s.chain.call(owner, lens, "stress", (user, BTC, 21u32, 5u32, true));
    ok(r, "lens.stress");
    report.record(
        &s.chain,
        "lens.stress",
        "BTC, 21 × 5 grid, 4 positions (of 32 on 8 underlyings, read from engine and oracle)",
    );
    let r: Result<(), EngineError> = s.chain.call(user, engine, "withdraw", (s.quote, units("1000", 6)));
    ok(r, "withdraw quote");
    report.record(&s.chain, "withdraw", "quote, 32 positions on 8 underlyings");
    let _: Option<engine::types::AccountData> = s.chain.call(owner, engine, "account", user);
    report.record(&s.chain, "account", "32 positions");
    let _: Vec<Account> = s.chain.call(owner, engine, "accounts", (0u32, 100u32));
    report.record(&s.chain, "accounts", "page of all accounts");

    remaining_messages(&mut s, &mut report, user, other);

    let mut out = String::from("## Gas (drink sandbox, pallet-contracts 31 weights, release Wasm)\n\n");
    out.push_str(&report.render());
    out.push_str("\n## Wasm size (release, wasm-opt)\n\n| contract | bytes | KiB |\n|---|---:|---:|\n");
    for (name, bundle) in [
        ("engine", BundleProvider::Engine),
        ("engine_admin (owner messages, delegate-called)", BundleProvider::EngineAdmin),
        ("lens", BundleProvider::Lens),
        ("oracle", BundleProvider::Oracle),
        ("token", BundleProvider::Token),
        ("hostile_token (tests only)", BundleProvider::HostileToken),
    ] {
        let size = wasm(bundle).len();
        assert!(size > 0);
        let _ = writeln!(out, "| {name} | {size} | {:.1} |", size as f64 / 1024.0);
    }
    if let Ok(path) = std::env::var("GAS_REPORT_OUT") {
        std::fs::write(&path, &out).expect("write gas report");
    }
    println!("{out}");
}

type EngineResult<T> = Result<T, EngineError>;
type OracleResult<T> = Result<T, oracle::OracleError>;
type TokenResult = Result<(), deltamargin_interfaces::PSP22Error>;

/// Calls `message` and records its gas (the call must succeed).
fn measure<R: ink::scale::Decode + std::fmt::Debug>(
    s: &mut Suite,
    report: &mut Report,
    origin: Account,
    contract: Account,
    message: &str,
    args: impl ink::scale::Encode,
    case: &str,
) -> R {
    let result: R = s.chain.call(origin, contract, message, args);
    // The engine's owner messages run in the admin module through `admin` (one more code load).
    if contract == s.engine && is_engine_admin_message(message) {
        report.record(&s.chain, &format!("admin({message})"), case);
    } else {
        report.record(&s.chain, message, case);
    }
    result
}

/// Every message not measured on the way: admin, views, ownership, of engine, oracle and token.
fn remaining_messages(s: &mut Suite, report: &mut Report, user: Account, other: Account) {
    let (owner, engine, oracle, quote) = (s.owner, s.engine, s.oracle, s.quote);
    let new_owner = actor(30);

    // ---- engine: listing and admin
    let feed_config = feed_config(oracle::FeedKind::Price, 2, market_config(BTC).max_spot_e18);
    let feed: OracleResult<u32> = measure(s, report, owner, oracle, "create_feed", feed_config, "");
    let feed = ok(feed, "create_feed");
    let r: OracleResult<()> = measure(s, report, owner, oracle, "update_feed", (feed, feed_config), "same config");
    ok(r, "update_feed");
    let r: EngineResult<u32> = measure(s, report, owner, engine, "list_market", market_config(BTC), "feeds checked");
    let new_market = ok(r, "list_market");
    let token_wasm = wasm(BundleProvider::Token);
    let extra = s.chain.deploy(&token_wasm, "new", (Some("XTR".to_string()), Some("XTR".to_string()), 18u8), owner, 90);
    let r: EngineResult<()> = measure(
        s,
        report,
        owner,
        engine,
        "list_asset",
        (extra, new_market, 0u128, units("1000", 18)),
        "decimals read from the token",
    );
    ok(r, "list_asset");
    let r: EngineResult<()> =
        measure(s, report, owner, engine, "update_asset", (extra, e18("0.01"), units("2000", 18)), "");
    ok(r, "update_asset");
    let r: EngineResult<()> = measure(s, report, owner, engine, "deauthorize_venue", actor(7), "");
    ok(r, "deauthorize_venue");
    let fee_account = s.fee_account;
    let r: EngineResult<()> = measure(s, report, owner, engine, "set_fee_account", fee_account, "");
    ok(r, "set_fee_account");
    let r: EngineResult<()> = measure(s, report, owner, engine, "set_max_positions", 32u32, "");
    ok(r, "set_max_positions");
    let r: EngineResult<()> = measure(s, report, owner, engine, "set_grace_period", 600_000u64, "");
    ok(r, "set_grace_period");
    let r: EngineResult<()> = measure(s, report, owner, engine, "set_paused", engine::types::PauseFlags::default(), "");
    ok(r, "set_paused");
    let r: EngineResult<()> = measure(s, report, owner, engine, "set_reduce_only", (BTC, false), "");
    ok(r, "set_reduce_only");

    // ---- engine: views
    let config: engine::types::EngineConfig = measure(s, report, owner, engine, "config", (), "");
    assert_eq!(config.owner, owner);
    let _: EngineResult<engine::types::MarketConfig> = measure(s, report, owner, engine, "market", BTC, "");
    let _: EngineResult<engine::types::AssetConfig> = measure(s, report, owner, engine, "asset", quote, "");
    let _: EngineResult<Vec<Account>> = measure(s, report, owner, engine, "collateral_assets", (), "");
    let _: EngineResult<engine::types::Instrument> = measure(s, report, owner, engine, "instrument", 0u32, "");
    let venue = s.venue;
    let _: EngineResult<engine::types::VenueConfig> = measure(s, report, owner, engine, "venue", venue, "");
    let _: EngineResult<bool> = measure(s, report, owner, engine, "is_venue_approved", (user, venue), "");
    let _: EngineResult<bool> = measure(s, report, owner, engine, "is_reduce_only", BTC, "");
    let r: EngineResult<engine::types::HealthView> =
        measure(s, report, owner, engine, "health", other, "32 positions (the counterparty)");
    ok(r, "health of the counterparty");

    // ---- oracle: reporters and views
    // Quorum 2 stays a majority of 2 or 3 reporters: replace one reporter (every feed checked).
    let third = s.reporters[2];
    let r: OracleResult<()> = measure(s, report, owner, oracle, "remove_reporter", third, "every feed checked");
    ok(r, "remove_reporter");
    let r: OracleResult<()> = measure(s, report, owner, oracle, "add_reporter", third, "every feed checked");
    ok(r, "add_reporter");
    let _: Vec<Account> = measure(s, report, owner, oracle, "reporters", (), "3 reporters");
    let _: u32 = measure(s, report, owner, oracle, "feed_count", (), "");
    let _: Option<oracle::FeedConfig> = measure(s, report, owner, oracle, "feed_config", 0u32, "");
    let _: Option<deltamargin_interfaces::FeedInfo> =
        measure(s, report, owner, oracle, "PriceOracle::feed_info", 0u32, "");
    let _: Option<deltamargin_interfaces::FeedValue> =
        measure(s, report, owner, oracle, "PriceOracle::settlement", (0u32, T0), "a recorded minute");
    let _: Vec<(Account, u128, u64)> = measure(s, report, owner, oracle, "submissions", 0u32, "3 reporters");
    let _: Account = measure(s, report, owner, oracle, "owner", (), "oracle");
    let _: Option<Account> = measure(s, report, owner, oracle, "pending_owner", (), "oracle");

    // ---- token: the rest of PSP22 and metadata
    let _: u128 = measure(s, report, owner, quote, "PSP22::total_supply", (), "");
    let _: u128 = measure(s, report, owner, quote, "PSP22::allowance", (user, other), "");
    let r: TokenResult = measure(s, report, user, quote, "PSP22::increase_allowance", (other, 5u128), "");
    ok(r, "increase_allowance");
    let r: TokenResult = measure(s, report, user, quote, "PSP22::decrease_allowance", (other, 5u128), "");
    ok(r, "decrease_allowance");
    let _: Option<String> = measure(s, report, owner, quote, "PSP22Metadata::token_name", (), "");
    let _: Option<String> = measure(s, report, owner, quote, "PSP22Metadata::token_symbol", (), "");
    let _: u8 = measure(s, report, owner, quote, "PSP22Metadata::token_decimals", (), "");
    let _: Account = measure(s, report, owner, quote, "owner", (), "token");

    // ---- two-step ownership, last (the owner changes)
    for (contract, name) in [(engine, "engine"), (oracle, "oracle")] {
        let r: EngineResult<()> = if contract == engine {
            measure(s, report, owner, contract, "transfer_ownership", new_owner, name)
        } else {
            let r: OracleResult<()> = measure(s, report, owner, contract, "transfer_ownership", new_owner, name);
            r.map_err(|_| EngineError::NotOwner)
        };
        ok(r, "transfer_ownership");
        let r: EngineResult<()> = if contract == engine {
            measure(s, report, new_owner, contract, "accept_ownership", (), name)
        } else {
            let r: OracleResult<()> = measure(s, report, new_owner, contract, "accept_ownership", (), name);
            r.map_err(|_| EngineError::NotOwner)
        };
        ok(r, "accept_ownership");
    }
}
