//! Feed configuration and the contract's stored records.

use deltamargin_interfaces::FeedId;
use ink::primitives::AccountId;

use crate::errors::OracleError;
use margin_math::feed::FeedRules;

/// 10^18: a fraction of 1 with 18 decimals.
const ONE_E18: u128 = 1_000_000_000_000_000_000;

/// How many whole-minute settlement records the oracle keeps per price feed: the last 7 days (a
/// record's slot is reused 10,080 minutes later, so the storage a feed's records take is bounded
/// and paid once, by the reporters whose submissions write them).
pub const SETTLEMENT_SLOTS: u64 = 10_080;

/// The recorded settlement value of one whole-minute boundary of one price feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct SettlementRecord {
    /// The boundary, ms (a whole minute).
    pub boundary_ms: u64,
    /// The first value a quorum of the submissions stamped at or after it supported, 18 decimals.
    pub value_e18: u128,
    /// That value's stamp, ms.
    pub ts_ms: u64,
}

/// Largest number of reporters the oracle holds at once; reads iterate over all of them, so this
/// bounds the gas of `read`.
pub const MAX_REPORTERS: u32 = 32;

pub use deltamargin_interfaces::{FeedInfo, FeedKind};

/// A feed's parameters, set by the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct FeedConfig {
    /// What the feed measures; fixed at creation.
    pub kind: FeedKind,
    /// How long a submission counts, ms (> 0): a submission counts while
    /// `block timestamp − ts_ms ≤ window_ms` (inclusive).
    pub window_ms: u64,
    /// Fresh submissions needed for a value (1 ≤ quorum ≤ [`MAX_REPORTERS`]).
    pub quorum: u32,
    /// Smallest accepted value, 18 decimals (> 0).
    pub min_e18: u128,
    /// Largest accepted value, 18 decimals (≥ `min_e18`).
    pub max_e18: u128,
    /// How far from the median a fresh value may lie and still agree with it, a fraction of the
    /// median with 18 decimals (`0 < max_spread_e18 ≤ 1e18`; 0.02e18 = 2%). Fewer than `quorum`
    /// agreeing values make the feed disputed (see `margin_math::feed::aggregate`).
    pub max_spread_e18: u128,
}

impl FeedConfig {
    /// Checks the configuration: `window_ms > 0` ([`OracleError::ZeroWindow`]),
    /// `1 ≤ quorum ≤ MAX_REPORTERS` ([`OracleError::InvalidQuorum`]), `min_e18 > 0`
    /// ([`OracleError::ZeroMinBound`]), `max_e18 ≥ min_e18` ([`OracleError::InvertedBounds`]) and
    /// `0 < max_spread_e18 ≤ 1e18` ([`OracleError::InvalidSpread`]), in this order.
    pub fn validate(&self) -> Result<(), OracleError> {
        if self.window_ms == 0 {
            return Err(OracleError::ZeroWindow);
        }
        if self.quorum == 0 || self.quorum > MAX_REPORTERS {
            return Err(OracleError::InvalidQuorum);
        }
        if self.min_e18 == 0 {
            return Err(OracleError::ZeroMinBound);
        }
        if self.max_e18 < self.min_e18 {
            return Err(OracleError::InvertedBounds);
        }
        if self.max_spread_e18 == 0 || self.max_spread_e18 > ONE_E18 {
            return Err(OracleError::InvalidSpread);
        }
        Ok(())
    }

    /// Whether `quorum` is a strict majority of `reporters` reporters: `quorum > reporters / 2`.
    /// A minority then can neither set nor dispute a value. (A quorum above the reporter count
    /// is allowed: the feed then has no value until enough reporters join, which endangers
    /// nobody's funds.)
    pub fn quorum_is_majority_of(&self, reporters: usize) -> bool {
        usize::try_from(self.quorum).unwrap_or(usize::MAX) > reporters / 2
    }

    /// The aggregation rules of `margin_math::feed`.
    pub fn rules(&self) -> FeedRules {
        FeedRules { window_ms: self.window_ms, quorum: self.quorum, max_spread_e18: self.max_spread_e18 }
    }

    /// Whether `value_e18` lies within `[min_e18, max_e18]`.
    pub fn in_bounds(&self, value_e18: u128) -> bool {
        self.min_e18 <= value_e18 && value_e18 <= self.max_e18
    }
}

/// A reporter and the epoch of its current membership.
///
/// Every `add_reporter` draws a new epoch from a counter that only grows, and each submission
/// stores the epoch it was made in. A submission counts only while its epoch equals its reporter's
/// current epoch: removal voids the reporter's submissions at once, and re-adding the reporter
/// does not revive them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Reporter {
    /// The reporter's account.
    pub account: AccountId,
    /// Epoch of the current membership (≥ 1).
    pub epoch: u64,
}

/// A reporter's latest submission for one feed, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct StoredSubmission {
    /// The value, 18 decimals.
    pub value_e18: u128,
    /// When the reporter observed it, ms.
    pub ts_ms: u64,
    /// The reporter's membership epoch when it was submitted.
    pub epoch: u64,
}

/// One item of `submit_batch`: feed id, value (18 decimals), observation timestamp (ms).
pub type BatchItem = (FeedId, u128, u64);

/// The latest submission of each current reporter for one feed (one storage cell per feed).
pub type FeedSubmissions = ink::prelude::vec::Vec<(AccountId, StoredSubmission)>;

/// A feed as stored: its configuration and the latest submission of each current reporter, in
/// one storage cell (a read of a feed is one storage access whatever the number of reporters).
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Feed {
    /// The feed's parameters.
    pub config: FeedConfig,
    /// Latest submission per reporter. Entries of reporters that were removed are pruned
    /// whenever the feed takes a submission.
    pub submissions: FeedSubmissions,
    /// The last value the feed's submissions gave when one of them arrived, `(value_e18,
    /// ts_ms)`: served, with its old stamp, when the feed has no value now and the stored
    /// submissions alone no longer show an earlier one (a reporter's disputing submission
    /// replaces its agreeing one).
    pub last_value: Option<(u128, u64)>,
}
