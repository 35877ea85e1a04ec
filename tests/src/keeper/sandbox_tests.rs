//! The keeper's `run_once` on the real contracts in the drink sandbox: what it liquidates, what
//! it leaves alone, and that its outcomes are the engine's.

use engine::events::Liquidated;
use engine::types::{AccountData, LiquidationOutcome, LiquidationParams, LiquidationSlice};
use engine::EngineError;

use super::chain::ChainReader;
use super::{Keeper, KeeperConfig, KeeperLog, SandboxChain};
use crate::liquidation::{health, move_to, standing, trader};
use crate::suite::*;
use crate::utils::Account;

/// A (10) long `size` BTC perp bought at 60,000 from H (11) with `usd` quote; the keeper K (12)
/// with 1,000,000 USD; then BTC moves to `btc` at `T0 + 1 s`. Returns (A, H, K).
fn long_btc(s: &mut Suite, usd: &str, size: &str, btc: &str) -> (Account, Account, Account) {
    let (a, h, k) = (trader(s, 10, usd), trader(s, 11, "1000000"), trader(s, 12, "1000000"));
    s.trade(a, h, s.perp[BTC as usize], e18(size), e18("60000"), 0).expect("open long");
    move_to(s, T0 + 1_000, btc, "3000");
    (a, h, k)
}

fn round(s: &mut Suite, keeper: &mut Keeper, k: Account) -> Vec<KeeperLog> {
    let engine = s.engine;
    let logs = keeper.run_once(&mut SandboxChain::new(&mut s.chain, engine, k));
    for log in &logs {
        println!("keeper: {log}");
    }
    logs
}

fn liquidated(logs: &[KeeperLog]) -> Vec<(Account, LiquidationSlice, u128, LiquidationOutcome)> {
    logs.iter()
        .filter_map(|l| match l {
            KeeperLog::Liquidated { target, slice, quantity, outcome, .. } => {
                Some((*target, *slice, *quantity, *outcome))
            }
            _ => None,
        })
        .collect()
}

/// Everything a liquidation could change, for "nothing happened" checks.
fn state(s: &mut Suite, who: &[Account]) -> (Vec<Option<AccountData>>, u128, u128) {
    let accounts = who.iter().map(|w| s.account(*w)).collect();
    (accounts, s.insurance_fund(), s.deficit())
}

#[test]
fn keeper_liquidates_to_the_end_target_in_one_slice_and_matches_the_engine() {
    // The engine test `close_factor_stops_within_one_lot_of_the_end_target`: 10 BTC long at
    // 60,000 with 61,000 USD, BTC at 57,000; the engine takes 5.123 BTC and refuses 5.124.
    let mut s = Suite::new();
    let (a, h, k) = long_btc(&mut s, "61000", "10", "57000");
    assert!(health(&mut s, a).liquidatable);
    let mut keeper = Keeper::new(KeeperConfig::default());
    s.chain.clear_events();
    let logs = round(&mut s, &mut keeper, k);
    let done = liquidated(&logs);
    assert_eq!(done.len(), 1, "{logs:?}");
    let (target, slice, quantity, outcome) = done[0];
    assert_eq!((target, slice, quantity), (a, LiquidationSlice::Position(s.perp[BTC as usize]), e18("5.123")));
    // The keeper's outcome is the engine's: its event and its health view afterwards.
    let events = s.chain.events::<Liquidated>(s.engine);
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].target, events[0].liquidator, events[0].outcome), (a, k, outcome));
    let after = health(&mut s, a);
    assert_eq!(outcome.health_after_bits, after.health_bits);
    assert!(!after.liquidatable);
    assert!(standing(&after).reached_end(LiquidationParams::DEFAULT.end_buffer_e18).unwrap());
    // The keeper took the contracts over at the mark.
    let kdata = s.account(k).unwrap();
    assert_eq!(kdata.positions.len(), 1);
    assert_eq!(kdata.positions[0].size_e18, e18("5.123") as i128);
    // Next round: nothing left to do, and H (healthy all along) never appears.
    let logs = round(&mut s, &mut keeper, k);
    assert!(logs.is_empty(), "{logs:?}");
    assert!(health(&mut s, h).health_bits > 0);
}

#[test]
fn keeper_takes_an_insolvent_account_whole() {
    // 1 BTC long at 60,000 with 6,100 USD, BTC at 53,000: E = −900 USD. No quantity reaches
    // the end target, so the keeper takes the whole position; the 900 USD become bad debt
    // (the insurance fund is empty: deficit).
    let mut s = Suite::new();
    let (a, _, k) = long_btc(&mut s, "6100", "1", "53000");
    let mut keeper = Keeper::new(KeeperConfig::default());
    let logs = round(&mut s, &mut keeper, k);
    let done = liquidated(&logs);
    assert_eq!(done.len(), 1, "{logs:?}");
    let (target, _, quantity, outcome) = done[0];
    assert_eq!((target, quantity), (a, E18));
    assert_eq!((outcome.penalty, outcome.bad_debt), (0, units("900", 6)));
    assert_eq!(s.account(a), Some(AccountData::default()));
    assert_eq!(s.deficit(), units("900", 6));
    assert!(round(&mut s, &mut keeper, k).is_empty());
}

#[test]
fn keeper_leaves_a_stale_or_silent_market_alone() {
    let mut s = Suite::new();
    let (a, h, k) = long_btc(&mut s, "61000", "10", "57000");
    let actors = [a, h, k];
    let mut keeper = Keeper::new(KeeperConfig::default());
    let before = state(&mut s, &actors);
    // 40 s later only ETH and IDX are refreshed: BTC is stale (max age 30 s) but still valued.
    // 70 s: BTC's reporters are silent beyond the oracle's 60 s window (quorum lost): the oracle
    // keeps BTC's last value, stamped T0, so the market is still stale, not blocking.
    for t in [41_000, 71_000] {
        s.chain.set_time(T0 + t);
        s.set_prices(&[(ETH, "3000", "0.8"), (IDX, "1000", "0.3")]);
        let logs = round(&mut s, &mut keeper, k);
        assert!(liquidated(&logs).is_empty(), "{logs:?}");
        assert!(
            logs.iter().any(|l| matches!(l, KeeperLog::Skipped { target, reason } if *target == a && reason.contains("no slice in a fresh market"))),
            "{t}: {logs:?}"
        );
        assert_eq!(state(&mut s, &actors), before, "{t}");
    }
    // BTC back: the keeper liquidates.
    move_to(&mut s, T0 + 72_000, "57000", "3000");
    let logs = round(&mut s, &mut keeper, k);
    assert_eq!(liquidated(&logs).len(), 1, "{logs:?}");
}

#[test]
fn dry_runs_commit_nothing() {
    let mut s = Suite::new();
    let (a, h, k) = long_btc(&mut s, "61000", "10", "57000");
    let actors = [a, h, k];
    let before = state(&mut s, &actors);
    let perp = s.perp[BTC as usize];
    s.chain.clear_events();
    let engine = s.engine;
    let mut chain = SandboxChain::new(&mut s.chain, engine, k);
    let (verdict, ref_time) = chain.dry_run_liquidation(a, LiquidationSlice::Position(perp), e18("5.123")).unwrap();
    assert!(verdict.is_ok(), "{verdict:?}");
    assert!(ref_time > 0);
    let (too_large, _) = chain.dry_run_liquidation(a, LiquidationSlice::Position(perp), e18("5.124")).unwrap();
    assert_eq!(too_large, Err(EngineError::LiquidationTooLarge));
    assert_eq!(s.chain.event_count(s.engine), 0);
    assert_eq!(state(&mut s, &actors), before);
}

/// A chain whose `liquidate` dry runs answer `OracleCallFailed` while `refusals` lasts (an
/// oracle contract failing for that call: a refusal the keeper's plan cannot foresee), and
/// are the sandbox's otherwise.
struct Refusing<'a> {
    inner: SandboxChain<'a>,
    refusals: u32,
}

impl super::KeeperChain for Refusing<'_> {
    fn keeper(&self) -> Account {
        self.inner.keeper()
    }
    fn engine(&self) -> Account {
        self.inner.engine()
    }
    fn now_ms(&mut self) -> Result<u64, super::ChainError> {
        self.inner.now_ms()
    }
    fn query(&mut self, contract: Account, input: Vec<u8>) -> Result<super::Executed, super::ChainError> {
        if self.refusals > 0 && input.starts_with(&crate::utils::selector("liquidate")) {
            self.refusals -= 1;
            let answer: Result<Result<LiquidationOutcome, EngineError>, ink::LangError> =
                Ok(Err(EngineError::OracleCallFailed));
            return Ok(super::Executed { output: ink::scale::Encode::encode(&answer), ref_time_ps: 0, reverted: true });
        }
        self.inner.query(contract, input)
    }
    fn submit(&mut self, contract: Account, input: Vec<u8>) -> Result<super::Executed, super::ChainError> {
        self.inner.submit(contract, input)
    }
}

#[test]
fn keeper_backs_off_from_a_target_the_engine_keeps_refusing_then_succeeds() {
    // A: 1 BTC collateral (60,000 USD), long 10 ETH at 3,000, closed at 2,000: cash −10,000.
    // BTC at 10,500: E = 500 < MR(mm) = 10,500·0.06 = 630. Only a collateral slice exists
    // (paid from the keeper's margin cash); the engine refuses it (the oracle call fails).
    let mut s = Suite::new();
    let (a, h, k) = (trader(&mut s, 10, "0"), trader(&mut s, 11, "1000000"), trader(&mut s, 12, "1000000"));
    let eth_perp = s.perp[ETH as usize];
    s.fund(a, s.btc, units("1", 24));
    s.trade(a, h, eth_perp, e18("10"), e18("3000"), 0).expect("ETH long");
    move_to(&mut s, T0 + 1_000, "60000", "2000");
    s.trade(h, a, eth_perp, e18("10"), e18("2000"), 0).expect("ETH closed at a loss");
    move_to(&mut s, T0 + 2_000, "10500", "2000");
    assert!(health(&mut s, a).liquidatable);
    let mut keeper = Keeper::new(KeeperConfig::default());
    let engine = s.engine;
    let refusing = |s: &mut Suite, keeper: &mut Keeper, refusals: u32| {
        let logs = keeper.run_once(&mut Refusing { inner: SandboxChain::new(&mut s.chain, engine, k), refusals });
        for log in &logs {
            println!("keeper: {log}");
        }
        logs
    };
    let logs = refusing(&mut s, &mut keeper, 1);
    assert!(
        logs.iter().any(|l| matches!(
            l,
            KeeperLog::Rejected { target, error: EngineError::OracleCallFailed, .. } if *target == a
        )),
        "{logs:?}"
    );
    // Round 2: backing off (2 rounds after the first failure), with the engine answering again.
    let logs = round(&mut s, &mut keeper, k);
    assert!(
        logs.iter().any(
            |l| matches!(l, KeeperLog::Skipped { target, reason } if *target == a && reason.contains("backing off"))
        ),
        "{logs:?}"
    );
    let mut done = Vec::new();
    for _ in 0..8 {
        done.extend(liquidated(&round(&mut s, &mut keeper, k)));
        if !done.is_empty() {
            break;
        }
    }
    assert_eq!(done.len(), 1);
    let (target, slice, quantity, outcome) = done[0];
    assert_eq!((target, slice), (a, LiquidationSlice::Collateral(s.btc)));
    // Whole lots of 0.001 BTC in base units (10^21), the payment at 10,500 per BTC, from the
    // keeper's margin cash (its wallet holds no quote).
    assert_eq!(quantity % units("0.001", 24), 0);
    assert_eq!(outcome.payment, quantity / units("0.001", 24) * units("10.5", 6));
    assert_eq!(s.balance(s.quote, k), 0);
    assert!(!health(&mut s, a).liquidatable);
}
