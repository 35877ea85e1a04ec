//! The oracle's one error type (outside the contract module so that sandbox tests can import it
//! for typed assertions).

use deltamargin_interfaces::FeedId;
use margin_math::feed::SubmissionError;

/// Why an oracle message failed. A message that returns `Err` reverts all its state changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[allow(clippy::cast_possible_truncation)] // parity-scale-codec's derive casts variant indices (docs/build.md)
pub enum OracleError {
    /// Returned if an owner-only message is called by an account other than the owner.
    NotOwner,
    /// Returned if `accept_ownership` is called by an account other than the pending owner, or
    /// while no ownership transfer is pending.
    NotPendingOwner,
    /// Returned if `add_reporter` names an account that already is a reporter.
    AlreadyReporter,
    /// Returned if `remove_reporter` names an account that is not a reporter, or if `submit` /
    /// `submit_batch` is called by an account that is not a reporter.
    NotReporter,
    /// Returned if `add_reporter` is called while the reporter set already holds
    /// [`MAX_REPORTERS`](crate::MAX_REPORTERS) accounts.
    TooManyReporters,
    /// Returned if `add_reporter` would overflow the `u64` membership-epoch counter (after 2^64
    /// additions: unreachable in practice, handled so that nothing wraps).
    EpochOverflow,
    /// Returned if a message names a feed id that no feed has.
    UnknownFeed,
    /// Returned if `create_feed` is called when every `u32` feed id is in use.
    TooManyFeeds,
    /// Returned if a feed configuration has `window_ms == 0`.
    ZeroWindow,
    /// Returned if a feed configuration has `quorum == 0` or `quorum > MAX_REPORTERS` (a quorum
    /// that the bounded reporter set could never meet).
    InvalidQuorum,
    /// Returned if a feed configuration has `min_e18 == 0` (zero is never a valid value).
    ZeroMinBound,
    /// Returned if a feed configuration has `max_e18 < min_e18`.
    InvertedBounds,
    /// Returned if a feed configuration has `max_spread_e18 == 0` or above 1e18 (100%).
    InvalidSpread,
    /// Returned if a feed's quorum would not be a strict majority of the reporter set
    /// (`quorum > reporters / 2`): by `create_feed` / `update_feed` for the feed's
    /// own quorum, by `add_reporter` / `remove_reporter` for the first feed (named) whose quorum
    /// the change would break — change that feed's quorum first.
    QuorumNotMajority(FeedId),
    /// Returned if `update_feed` would change a feed's kind (price ↔ volatility): consumers bind
    /// feeds by id, so a feed's meaning never changes; create a new feed instead.
    KindChange,
    /// Returned if a submitted value is zero.
    ZeroValue,
    /// Returned if a submitted value lies outside the feed's bounds `[min_e18, max_e18]`.
    OutOfBounds,
    /// Returned if a submission's timestamp lies after the block timestamp.
    FutureTimestamp,
    /// Returned if a submission's timestamp is older than the same reporter's previous submission
    /// for the same feed during its current membership (no rewinding; an equal timestamp is
    /// accepted; a submission voided by removal does not constrain).
    OlderThanPrevious,
}

impl From<SubmissionError> for OracleError {
    fn from(error: SubmissionError) -> Self {
        match error {
            SubmissionError::ZeroValue => OracleError::ZeroValue,
            SubmissionError::OutOfBounds => OracleError::OutOfBounds,
            SubmissionError::FutureTimestamp => OracleError::FutureTimestamp,
        }
    }
}
