//! Interfaces the deltamargin contracts call each other through, as `#[ink::trait_definition]`
//! traits: [`PSP22`] and [`PSP22Metadata`] (the PSP22 standard, so the engine works with any
//! PSP22 token) and [`PriceOracle`] (the engine's view of the oracle).
//!
//! Message selectors are derived from `Trait::message` (e.g. `PSP22::transfer`), exactly as the
//! standard's reference implementation derives them, so wallets and other contracts interoperate.
//! This crate is not a contract: it has no `ink-as-dependency` feature and is never deployed.
#![cfg_attr(not(feature = "std"), no_std)]

use ink::prelude::{string::String, vec::Vec};
use ink::primitives::AccountId;

/// Errors of the PSP22 standard (same variants and order, hence the same SCALE encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[allow(clippy::cast_possible_truncation)]
pub enum PSP22Error {
    /// Custom error type for implementation-based errors.
    Custom(String),
    /// Returned when an account does not have enough tokens to complete the operation.
    InsufficientBalance,
    /// Returned if there is not enough allowance to complete the operation.
    InsufficientAllowance,
    /// Returned if recipient's address is zero (unused by ink! contracts, kept for the standard).
    ZeroRecipientAddress,
    /// Returned if sender's address is zero (unused by ink! contracts, kept for the standard).
    ZeroSenderAddress,
    /// Returned if a safe transfer check failed (unused, kept for the standard).
    SafeTransferCheckFailed(String),
}

/// The PSP22 fungible-token standard (amounts in the token's base units).
#[ink::trait_definition]
pub trait PSP22 {
    /// Total token supply, base units.
    #[ink(message)]
    fn total_supply(&self) -> u128;

    /// Balance of `owner`, base units.
    #[ink(message)]
    fn balance_of(&self, owner: AccountId) -> u128;

    /// Amount `spender` may still withdraw from `owner`, base units.
    #[ink(message)]
    fn allowance(&self, owner: AccountId, spender: AccountId) -> u128;

    /// Moves `value` base units from the caller to `to`; emits `Transfer`.
    #[ink(message)]
    fn transfer(&mut self, to: AccountId, value: u128, data: Vec<u8>) -> Result<(), PSP22Error>;

    /// Moves `value` base units from `from` to `to` using the caller's allowance; emits
    /// `Transfer` and `Approval` (the decreased allowance).
    #[ink(message)]
    fn transfer_from(&mut self, from: AccountId, to: AccountId, value: u128, data: Vec<u8>) -> Result<(), PSP22Error>;

    /// Sets the caller's allowance for `spender` to `value`; emits `Approval`.
    #[ink(message)]
    fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error>;

    /// Raises the caller's allowance for `spender` by `delta_value` (saturating); emits `Approval`.
    #[ink(message)]
    fn increase_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error>;

    /// Lowers the caller's allowance for `spender` by `delta_value`; `InsufficientAllowance` if it
    /// is smaller; emits `Approval`.
    #[ink(message)]
    fn decrease_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error>;
}

/// The PSP22 metadata extension.
#[ink::trait_definition]
pub trait PSP22Metadata {
    /// Token name.
    #[ink(message)]
    fn token_name(&self) -> Option<String>;

    /// Token symbol.
    #[ink(message)]
    fn token_symbol(&self) -> Option<String>;

    /// Number of decimals of one whole token (the engine accepts 0–24).
    #[ink(message)]
    fn token_decimals(&self) -> u8;
}

/// Identifier of an oracle feed (a price or a volatility).
pub type FeedId = u32;

/// A feed's aggregated value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct FeedValue {
    /// Median of the fresh submissions, 18 decimals (price: quote per whole token; volatility:
    /// annualized fraction).
    pub value_e18: u128,
    /// The newest instant a quorum of the agreeing submissions supports (the quorum-th newest
    /// of their timestamps), ms: consumers compare it with their own freshness limit.
    pub ts_ms: u64,
    /// The feed's window at the time of reading, ms: a consumer whose freshness limit is
    /// shorter than the window cannot rely on every value in the median being that fresh.
    pub window_ms: u64,
}

/// What a feed is and how its values are bounded: what a consumer checks before binding to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct FeedInfo {
    /// What the feed measures.
    pub kind: FeedKind,
    /// How long a submission counts, ms.
    pub window_ms: u64,
    /// Largest value a submission may have, 18 decimals: no value above it can ever be read.
    pub max_e18: u128,
}

/// Why a feed has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[allow(clippy::cast_possible_truncation)]
pub enum FeedError {
    /// Returned if no feed has this id.
    UnknownFeed,
    /// Returned if a quorum of the feed's submissions was never fresh at the same time (a new
    /// feed, or reporters that never overlapped). A feed that had a value keeps its last one
    /// (with its old timestamp) through an outage or a dispute.
    NoQuorum,
    /// Returned if the feed's reporters disagree now (fewer than a quorum of the fresh values
    /// lie within the feed's maximum spread of their median) and it never had a value before.
    Disputed,
}

/// What a feed measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[allow(clippy::cast_possible_truncation)]
pub enum FeedKind {
    /// Price of one whole token in the quote token, 18 decimals.
    Price,
    /// Annualized volatility as a fraction (0.65 = 65%), 18 decimals.
    Volatility,
}

/// What the engine reads from the oracle.
#[ink::trait_definition]
pub trait PriceOracle {
    /// The aggregated value of `feed`.
    #[ink(message)]
    fn read(&self, feed: FeedId) -> Result<FeedValue, FeedError>;

    /// The aggregated values of `feeds`, one result per id, in order.
    #[ink(message)]
    fn read_batch(&self, feeds: Vec<FeedId>) -> Vec<Result<FeedValue, FeedError>>;

    /// What `feed` measures, its window and its upper bound, or `None` if no feed has this id
    /// (checked by the engine when a market is listed or updated).
    #[ink(message)]
    fn feed_info(&self, feed: FeedId) -> Option<FeedInfo>;

    /// The settlement value of price feed `feed` for the whole-hour boundary `boundary_ms`: the
    /// first value a quorum of the submissions stamped at or after the boundary supported, as
    /// recorded when they arrived (`ts_ms` is that value's stamp), or `None` if none was
    /// recorded (an outage or a dispute over the hour, or a boundary older than the oracle
    /// keeps). Depends on the oracle's data alone, not on who reads it or when.
    #[ink(message)]
    fn settlement(&self, feed: FeedId, boundary_ms: u64) -> Option<FeedValue>;
}
