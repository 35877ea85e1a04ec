//! deltamargin keeper: finds accounts below maintenance margin and liquidates them, over any
//! chain that implements [`KeeperChain`] — a live node over RPC ([`live`], the
//! `deltamargin-keeper` binary) or the drink sandbox (its backend lives in the sandbox crate
//! `tests/`, which the simulator and the tests use). This crate does not depend on drink.
//!
//! One round ([`Keeper::run_once`]): read a [`plan::RoundView`] through the engine's views (pages
//! of `accounts(from, limit)`, every market, asset and account, one oracle `read_batch`), plan
//! off-chain with `margin-math` ([`plan::plan`], pure and unit-tested), then for each planned
//! liquidation dry-run it (the node is authoritative near the boundary: `LiquidationTooLarge`
//! shrinks the quantity by one lot, `HealthNotImproved` / `NotLiquidatable` / `StalePrice` skip)
//! and send it. Failures back off: per target (exponential in rounds) and globally on chain
//! errors. Everything is logged as [`KeeperLog`] entries (`Display` gives one human line each).
//!
//! For the simulator (helper S): `Keeper::new(KeeperConfig::default())` once, then
//! `keeper.run_once(&mut SandboxChain::new(&mut chain, engine, keeper_account))` every block;
//! the keeper account needs an engine account with quote deposited (its margin, and what it
//! pays for collateral it takes). [`KeeperLog`] has more variants than the
//! skeleton's two (`Skipped`, `Rejected`, `ChainFailure`): match with a wildcard arm.

pub mod admin;
pub mod chain;
pub mod cli;
pub mod drill;
pub mod live;
pub mod params;
pub mod plan;

use std::collections::BTreeMap;

use deltamargin_core::types::{LiquidationOutcome, LiquidationSlice};
use deltamargin_core::EngineError;

pub use chain::ChainReader;
pub use plan::{plan, Decision, Planned, RoundView};

/// An account (or contract) id.
pub type Account = ink::primitives::AccountId;

/// An ink! message's selector: the first 4 bytes of `blake2_256(name)` (for trait messages,
/// `"Trait::message"`).
pub fn selector(name: &str) -> [u8; 4] {
    let mut hash = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(name.as_bytes(), &mut hash);
    [hash[0], hash[1], hash[2], hash[3]]
}

/// Why a chain operation failed (transport, dispatch, decoding); never a contract's typed error,
/// which comes back as a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError(pub String);

impl core::fmt::Display for ChainError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The result of executing a contract message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    /// The message's SCALE-encoded `MessageResult` output.
    pub output: Vec<u8>,
    /// ref_time consumed, ps.
    pub ref_time_ps: u64,
    /// Whether the contract reverted (returned `Err`).
    pub reverted: bool,
}

/// What the keeper needs from a chain: raw contract calls as the keeper's signer, read-only
/// (dry-run, never committed) or submitted, and the block time. Typed engine and oracle calls
/// are built on these by the keeper, so both backends share them.
pub trait KeeperChain {
    /// The keeper's account (signer of its liquidations).
    fn keeper(&self) -> Account;
    /// The engine contract.
    fn engine(&self) -> Account;
    /// The current block timestamp, ms.
    fn now_ms(&mut self) -> Result<u64, ChainError>;
    /// Calls `contract` with `input` (selector + SCALE arguments) as the keeper without
    /// committing anything (a dry run).
    fn query(&mut self, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError>;
    /// Calls `contract` with `input` as the keeper and commits it (a transaction).
    fn submit(&mut self, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError>;
}

/// Keeper settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperConfig {
    /// Accounts read per `accounts(from, limit)` page (the engine returns at most 100).
    pub page_size: u32,
    /// Liquidations sent per round at most.
    pub max_liquidations_per_round: u32,
    /// Dry runs per liquidation at most (each `LiquidationTooLarge` shrinks the quantity by one
    /// lot and retries).
    pub max_dry_runs: u32,
    /// Longest back-off, rounds (per target and global).
    pub max_backoff_rounds: u32,
}

impl Default for KeeperConfig {
    fn default() -> Self {
        KeeperConfig { page_size: 64, max_liquidations_per_round: 16, max_dry_runs: 4, max_backoff_rounds: 64 }
    }
}

/// One logged keeper decision or action (`Display`: one human-readable line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeeperLog {
    /// A liquidation was sent and succeeded.
    Liquidated {
        /// The liquidated account.
        target: Account,
        /// What was taken.
        slice: LiquidationSlice,
        /// How much (contracts e18 or collateral base units).
        quantity: u128,
        /// The engine's outcome.
        outcome: LiquidationOutcome,
        /// ref_time consumed, ps.
        ref_time_ps: u64,
    },
    /// A liquidatable account left alone (planning found no feasible slice, the target is in
    /// back-off, or its dry run said no), and why.
    Skipped {
        /// The account.
        target: Account,
        /// Why, human readable.
        reason: String,
    },
    /// The engine refused a liquidation (dry run or transaction) with a typed error.
    Rejected {
        /// The account.
        target: Account,
        /// The slice tried.
        slice: LiquidationSlice,
        /// The quantity tried.
        quantity: u128,
        /// The engine's error.
        error: EngineError,
    },
    /// A chain operation failed (transport, dispatch, decoding); the keeper backs off.
    ChainFailure(String),
    /// Anything else worth a log line (idle rounds, back-off), human readable.
    Note(String),
}

/// `0x` and the first 4 bytes of an account id, hex: short enough for log lines.
pub fn short(account: &Account) -> String {
    let bytes: &[u8; 32] = account.as_ref();
    format!("0x{}…", bytes[..4].iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// `x_e18` as a decimal number (trailing zeros dropped).
pub fn e18_text(x: u128) -> String {
    margin_math::decimal::format_e18(x)
}

fn slice_text(slice: &LiquidationSlice, quantity: u128) -> String {
    match slice {
        LiquidationSlice::Position(id) => format!("{} contracts of instrument {id}", e18_text(quantity)),
        LiquidationSlice::Collateral(asset) => format!("{quantity} base units of collateral {}", short(asset)),
    }
}

fn bits_text(bits: i128) -> String {
    format!("{:.2}", margin_math::Value::from_bits(bits))
}

impl core::fmt::Display for KeeperLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KeeperLog::Liquidated { target, slice, quantity, outcome, ref_time_ps } => write!(
                f,
                "liquidated {}: {} at {}, health {} -> {}, penalty {} (keeper reward {}, fund {}), payment {}, bad debt {}, {:.3} ms ref_time",
                short(target),
                slice_text(slice, *quantity),
                e18_text(outcome.price_e18),
                bits_text(outcome.health_before_bits),
                bits_text(outcome.health_after_bits),
                outcome.penalty,
                outcome.liquidator_reward,
                outcome.fund_share,
                outcome.payment,
                outcome.bad_debt,
                *ref_time_ps as f64 / 1e9,
            ),
            KeeperLog::Skipped { target, reason } => write!(f, "skipped {}: {reason}", short(target)),
            KeeperLog::Rejected { target, slice, quantity, error } => {
                write!(f, "rejected {}: {} -> {error:?}", short(target), slice_text(slice, *quantity))
            }
            KeeperLog::ChainFailure(message) => write!(f, "chain error: {message}"),
            KeeperLog::Note(message) => f.write_str(message),
        }
    }
}

/// One logfmt value: bare when it is a plain token, else double-quoted with `"` and `\`
/// escaped (and newlines as `\n`), so a log collector splits every line into the same keys.
fn logfmt_value(value: &str) -> String {
    let plain = !value.is_empty() && value.chars().all(|c| c.is_ascii_graphic() && c != '"' && c != '=' && c != '\\');
    if plain {
        return value.to_string();
    }
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    format!("\"{escaped}\"")
}

fn slice_key(slice: &LiquidationSlice) -> String {
    match slice {
        LiquidationSlice::Position(id) => format!("position:{id}"),
        LiquidationSlice::Collateral(asset) => format!("collateral:{}", hex_account(asset)),
    }
}

/// `0x` + 64 hex digits.
pub fn hex_account(account: &Account) -> String {
    let bytes: &[u8; 32] = account.as_ref();
    format!("0x{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

impl KeeperLog {
    /// The entry as one logfmt line at `ts_ms` (ms since the Unix epoch): `ts`, `level` (info,
    /// warn for skips and refusals, error for chain failures), `event` (liquidated, skipped,
    /// rejected, chain_error, note), the entry's fields (accounts as 0x-hex, amounts as integers
    /// in base units or 18-decimal text, health as decimals) and `msg`, the human line.
    pub fn logfmt(&self, ts_ms: u128) -> String {
        let (level, event, fields): (&str, &str, Vec<(&str, String)>) = match self {
            KeeperLog::Liquidated { target, slice, quantity, outcome, ref_time_ps } => (
                "info",
                "liquidated",
                vec![
                    ("target", hex_account(target)),
                    ("slice", slice_key(slice)),
                    ("quantity", quantity.to_string()),
                    ("price", e18_text(outcome.price_e18)),
                    ("health_before", bits_text(outcome.health_before_bits)),
                    ("health_after", bits_text(outcome.health_after_bits)),
                    ("penalty", outcome.penalty.to_string()),
                    ("reward", outcome.liquidator_reward.to_string()),
                    ("fund_share", outcome.fund_share.to_string()),
                    ("payment", outcome.payment.to_string()),
                    ("bad_debt", outcome.bad_debt.to_string()),
                    ("ref_time_ps", ref_time_ps.to_string()),
                ],
            ),
            KeeperLog::Skipped { target, reason } => {
                ("warn", "skipped", vec![("target", hex_account(target)), ("reason", reason.clone())])
            }
            KeeperLog::Rejected { target, slice, quantity, error } => (
                "warn",
                "rejected",
                vec![
                    ("target", hex_account(target)),
                    ("slice", slice_key(slice)),
                    ("quantity", quantity.to_string()),
                    ("error", format!("{error:?}")),
                ],
            ),
            KeeperLog::ChainFailure(message) => ("error", "chain_error", vec![("error", message.clone())]),
            KeeperLog::Note(_) => ("info", "note", vec![]),
        };
        let mut line = format!("ts={ts_ms} level={level} event={event}");
        for (key, value) in fields {
            line.push_str(&format!(" {key}={}", logfmt_value(&value)));
        }
        line.push_str(&format!(" msg={}", logfmt_value(&self.to_string())));
        line
    }
}

/// Back-off state of one target: failures in a row and the round it may be tried again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct BackOff {
    failures: u32,
    until_round: u64,
}

/// The keeper: its configuration and its back-off state between rounds.
#[derive(Debug, Clone, Default)]
pub struct Keeper {
    /// Settings.
    pub config: KeeperConfig,
    /// Rounds run so far.
    round: u64,
    /// Per-target back-off.
    targets: BTreeMap<Account, BackOff>,
    /// Global back-off after chain errors.
    global: BackOff,
}

/// What one attempt at a planned liquidation ended with.
enum Attempt {
    Done(KeeperLog),
    /// The target failed in a way worth backing off from.
    TargetFailure(KeeperLog),
    /// The chain failed: stop the round.
    Chain(String),
}

impl Keeper {
    /// A keeper with `config`.
    pub fn new(config: KeeperConfig) -> Self {
        Keeper { config, ..Keeper::default() }
    }

    /// `2^failures` rounds, capped.
    fn delay(&self, failures: u32) -> u64 {
        let cap = u64::from(self.config.max_backoff_rounds.max(1));
        1u64.checked_shl(failures.min(63)).unwrap_or(u64::MAX).min(cap)
    }

    /// Whether the keeper waits this round after chain errors (rounds still to wait).
    pub fn global_backoff_rounds(&self) -> u64 {
        self.global.until_round.saturating_sub(self.round)
    }

    /// One round: page through the engine's accounts, margin them off-chain from one oracle
    /// snapshot, and liquidate the worst first (dry-run before each send).
    pub fn run_once(&mut self, chain: &mut impl KeeperChain) -> Vec<KeeperLog> {
        self.round = self.round.saturating_add(1);
        let mut logs = Vec::new();
        if self.round < self.global.until_round {
            logs.push(KeeperLog::Note(format!(
                "backing off after chain errors: {} more round(s)",
                self.global.until_round - self.round
            )));
            return logs;
        }
        let snapshot = match chain.read_snapshot(self.config.page_size) {
            Ok(s) => s,
            Err(e) => {
                self.chain_failed(&mut logs, format!("reading the snapshot: {e}"));
                return logs;
            }
        };
        let mut sent = 0u32;
        for decision in plan(&snapshot) {
            match decision {
                Decision::Idle(reason) => logs.push(KeeperLog::Note(format!("idle: {reason}"))),
                Decision::Skip { target, health, reason } => {
                    let health = health.map_or("unknown".to_string(), |h| format!("{h:.2}"));
                    logs.push(KeeperLog::Skipped { target, reason: format!("health {health}: {reason}") });
                }
                Decision::Liquidate(planned) => {
                    let target = planned.target;
                    if let Some(b) = self.targets.get(&target) {
                        if self.round < b.until_round {
                            logs.push(KeeperLog::Skipped {
                                target,
                                reason: format!("backing off for {} more round(s)", b.until_round - self.round),
                            });
                            continue;
                        }
                    }
                    if sent >= self.config.max_liquidations_per_round {
                        logs.push(KeeperLog::Skipped { target, reason: "round limit reached".into() });
                        continue;
                    }
                    sent += 1;
                    match self.attempt(chain, &planned, &mut logs) {
                        Attempt::Done(log) => {
                            self.targets.remove(&target);
                            logs.push(log);
                        }
                        Attempt::TargetFailure(log) => {
                            let failures = self.targets.get(&target).map_or(0, |b| b.failures).saturating_add(1);
                            let until_round = self.round.saturating_add(self.delay(failures));
                            self.targets.insert(target, BackOff { failures, until_round });
                            logs.push(log);
                        }
                        Attempt::Chain(message) => {
                            self.chain_failed(&mut logs, message);
                            return logs;
                        }
                    }
                }
            }
        }
        self.global = BackOff::default();
        logs
    }

    fn chain_failed(&mut self, logs: &mut Vec<KeeperLog>, message: String) {
        self.global.failures = self.global.failures.saturating_add(1);
        let delay = self.delay(self.global.failures);
        self.global.until_round = self.round.saturating_add(delay);
        logs.push(KeeperLog::ChainFailure(format!("{message}; backing off {delay} round(s)")));
    }

    /// Dry-run (shrinking on `LiquidationTooLarge`), then send.
    fn attempt(&mut self, chain: &mut impl KeeperChain, planned: &Planned, logs: &mut Vec<KeeperLog>) -> Attempt {
        let (target, slice) = (planned.target, planned.slice);
        let mut quantity = planned.quantity;
        for _ in 0..self.config.max_dry_runs.max(1) {
            let verdict = match chain.dry_run_liquidation(target, slice, quantity) {
                Ok((verdict, _)) => verdict,
                Err(e) => return Attempt::Chain(format!("dry run of liquidate: {e}")),
            };
            match verdict {
                Ok(_) => {
                    return match chain.send_liquidation(target, slice, quantity) {
                        Ok((Ok(outcome), ref_time_ps)) => {
                            Attempt::Done(KeeperLog::Liquidated { target, slice, quantity, outcome, ref_time_ps })
                        }
                        Ok((Err(error), _)) => {
                            Attempt::TargetFailure(KeeperLog::Rejected { target, slice, quantity, error })
                        }
                        Err(e) => Attempt::Chain(format!("sending liquidate: {e}")),
                    };
                }
                Err(EngineError::LiquidationTooLarge) if quantity > planned.step => {
                    let smaller = quantity - planned.step;
                    logs.push(KeeperLog::Note(format!(
                        "dry run of {} on {}: LiquidationTooLarge, shrinking to {}",
                        slice_text(&slice, quantity),
                        short(&target),
                        slice_text(&slice, smaller)
                    )));
                    quantity = smaller;
                }
                Err(
                    error
                    @ (EngineError::HealthNotImproved | EngineError::NotLiquidatable | EngineError::StalePrice(_)),
                ) => {
                    return Attempt::Done(KeeperLog::Skipped {
                        target,
                        reason: format!("dry run of {} says {error:?}", slice_text(&slice, quantity)),
                    });
                }
                Err(error) => return Attempt::TargetFailure(KeeperLog::Rejected { target, slice, quantity, error }),
            }
        }
        Attempt::TargetFailure(KeeperLog::Skipped {
            target,
            reason: format!("still too large after {} dry runs", self.config.max_dry_runs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_are_logfmt_with_quoted_free_text() {
        let target = Account::from([0xab; 32]);
        let skipped = KeeperLog::Skipped { target, reason: "health -1.50: no slice in a \"fresh\" market".into() };
        let line = skipped.logfmt(1_767_225_600_000);
        let expected_target = format!("0x{}", "ab".repeat(32));
        assert_eq!(
            line,
            format!(
                "ts=1767225600000 level=warn event=skipped target={expected_target} \
                 reason=\"health -1.50: no slice in a \\\"fresh\\\" market\" \
                 msg=\"skipped 0xabababab…: health -1.50: no slice in a \\\"fresh\\\" market\""
            )
        );
        let rejected = KeeperLog::Rejected {
            target,
            slice: LiquidationSlice::Position(3),
            quantity: 5,
            error: EngineError::LiquidationTooLarge,
        };
        let line = rejected.logfmt(7);
        assert!(line.starts_with("ts=7 level=warn event=rejected target=0xabab"), "{line}");
        assert!(line.contains(" slice=position:3 quantity=5 error=LiquidationTooLarge msg=\""), "{line}");
        let failure = KeeperLog::ChainFailure("node gone\nreconnecting".into()).logfmt(1);
        assert_eq!(
            failure,
            "ts=1 level=error event=chain_error error=\"node gone\\nreconnecting\" msg=\"chain error: node gone\\nreconnecting\""
        );
        assert_eq!(logfmt_value("plain-token_1.5"), "plain-token_1.5");
        assert_eq!(logfmt_value(""), "\"\"");
    }
}
