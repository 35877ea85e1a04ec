//! The oracle's events (outside the contract module so that sandbox tests can decode them).
//! Every state change emits one; each has at most two topic fields.

use deltamargin_interfaces::FeedId;
use ink::primitives::AccountId;

use crate::types::FeedConfig;

/// `transfer_ownership` named a new pending owner; ownership moves when it accepts.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnershipTransferStarted {
    /// The current owner.
    #[ink(topic)]
    pub owner: AccountId,
    /// The account that may now call `accept_ownership`.
    #[ink(topic)]
    pub pending_owner: AccountId,
}

/// `accept_ownership` completed a transfer.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnershipTransferred {
    /// The owner before the transfer.
    #[ink(topic)]
    pub previous_owner: AccountId,
    /// The owner from now on.
    #[ink(topic)]
    pub new_owner: AccountId,
}

/// An account joined the reporter set.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReporterAdded {
    /// The new reporter.
    #[ink(topic)]
    pub reporter: AccountId,
    /// Its membership epoch: only submissions made during this membership count.
    pub epoch: u64,
}

/// An account left the reporter set; its submissions stopped counting in the same call.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReporterRemoved {
    /// The removed reporter.
    #[ink(topic)]
    pub reporter: AccountId,
}

/// The owner created a feed.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedCreated {
    /// The new feed's id (dense, from 0).
    #[ink(topic)]
    pub feed: FeedId,
    /// Its configuration (window in ms, bounds with 18 decimals).
    pub config: FeedConfig,
}

/// The owner changed a feed's configuration.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedUpdated {
    /// The feed's id.
    #[ink(topic)]
    pub feed: FeedId,
    /// The configuration before the change.
    pub previous: FeedConfig,
    /// The configuration from now on (window in ms, bounds with 18 decimals).
    pub config: FeedConfig,
}

/// A reporter's submission replaced its previous one for the feed.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The feed's id.
    #[ink(topic)]
    pub feed: FeedId,
    /// The reporter (the caller).
    #[ink(topic)]
    pub reporter: AccountId,
    /// The submitted value, 18 decimals.
    pub value_e18: u128,
    /// When the reporter observed the value, ms.
    pub ts_ms: u64,
}

/// A whole-hour settlement value was recorded for a price feed: the first value a quorum of the
/// submissions stamped at or after `boundary_ms` supported.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRecorded {
    /// The feed.
    #[ink(topic)]
    pub feed: FeedId,
    /// The boundary, ms.
    #[ink(topic)]
    pub boundary_ms: u64,
    /// The value, 18 decimals.
    pub value_e18: u128,
    /// The value's stamp, ms.
    pub ts_ms: u64,
}
