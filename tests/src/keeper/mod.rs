//! The keeper: finds accounts below maintenance margin and liquidates them, over any chain that
//! implements [`KeeperChain`] (the drink sandbox for `simulate` and tests, a live node over RPC).
//!
//! Skeleton (interfaces fixed, bodies to be written): see the README's keeper section.

pub mod cli;

use engine::types::{LiquidationOutcome, LiquidationSlice};

use crate::utils::Account;

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
    /// Accounts read per `accounts(from, limit)` page.
    pub page_size: u32,
    /// Liquidations sent per round at most.
    pub max_liquidations_per_round: u32,
}

impl Default for KeeperConfig {
    fn default() -> Self {
        KeeperConfig { page_size: 64, max_liquidations_per_round: 16 }
    }
}

/// One logged keeper decision or action.
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
    /// Anything else worth a log line (skips, dry-run rejections, back-off), human readable.
    Note(String),
}

/// The keeper: its configuration and its back-off state between rounds.
#[derive(Debug, Clone, Default)]
pub struct Keeper {
    /// Settings.
    pub config: KeeperConfig,
}

impl Keeper {
    /// A keeper with `config`.
    pub fn new(config: KeeperConfig) -> Self {
        Keeper { config }
    }

    /// One round: page through the engine's accounts, margin them off-chain from one oracle
    /// snapshot, and liquidate the worst first (dry-run before each send).
    pub fn run_once(&mut self, _chain: &mut impl KeeperChain) -> Vec<KeeperLog> {
        Vec::new()
    }
}
