#![cfg_attr(not(feature = "std"), no_std, no_main)]
//! The deltamargin oracle (`docs/contracts.md`): price and volatility feeds reported by an
//! owner-managed set of reporters and read by the engine through
//! [`PriceOracle`](deltamargin_interfaces::PriceOracle).
//!
//! * Each reporter keeps one latest submission per feed (value with 18 decimals, observation
//!   timestamp in ms). Submissions that are zero, outside the feed's bounds, in the future or
//!   older than the reporter's previous one are rejected.
//! * A feed's value is the median of the fresh submissions of the current reporters (even count:
//!   the lower middle) once a quorum of them lies within the feed's maximum spread of it,
//!   stamped with the newest instant such a quorum supports (the quorum-th newest of their
//!   timestamps) — computed by [`margin_math::feed::aggregate`], so off-chain tools get the same
//!   result. Fewer agreeing values than the quorum: the feed is disputed. Quorums are strict
//!   majorities of the reporter set, so a minority can neither set nor dispute a value, and one
//!   back-dating reporter cannot age it.
//! * With no value now (an outage or a dispute) the feed serves its last value with its old
//!   timestamp (consumers judge staleness): the later of what its stored submissions last gave
//!   ([`margin_math::feed::latest_value`]) and the value recorded at the last submission that
//!   gave one.
//! * Price feeds record, at the first submission that makes it possible, each whole minute's
//!   settlement value: the first value a quorum of the submissions stamped from that minute on
//!   supports (kept 7 days), so a settlement price depends on the oracle's data alone.
//! * Removing a reporter voids its submissions at once; re-adding it does not revive them
//!   (membership epochs, see [`types::Reporter`]).
//! * Two-step ownership.
//!
//! The contract is glue: the rules live in `margin_math::feed`, errors in [`errors`], events in
//! [`events`], configuration types in [`types`].

pub mod errors;
pub mod events;
pub mod types;

pub use self::oracle::{Oracle, OracleRef};
pub use deltamargin_interfaces::{FeedError, FeedId, FeedValue};
pub use errors::OracleError;
pub use events::{
    FeedCreated, FeedUpdated, OwnershipTransferStarted, OwnershipTransferred, ReporterAdded, ReporterRemoved,
    SettlementRecorded, Submitted,
};
pub use types::{BatchItem, FeedConfig, FeedInfo, FeedKind, SettlementRecord, MAX_REPORTERS, SETTLEMENT_SLOTS};

/// Returns `Err($err)` from the enclosing function unless `$cond` holds.
macro_rules! ensure {
    ($cond:expr, $err:expr) => {
        if !$cond {
            return Err($err);
        }
    };
}

#[ink::contract]
mod oracle {
    use crate::errors::OracleError;
    use crate::events::{
        FeedCreated, FeedUpdated, OwnershipTransferStarted, OwnershipTransferred, ReporterAdded, ReporterRemoved,
        SettlementRecorded, Submitted,
    };
    use crate::types::{
        BatchItem, Feed, FeedConfig, FeedKind, Reporter, SettlementRecord, StoredSubmission, MAX_REPORTERS,
        SETTLEMENT_SLOTS,
    };
    use deltamargin_interfaces::{FeedError, FeedId, FeedInfo, FeedValue, PriceOracle};
    use ink::prelude::vec::Vec;
    use ink::storage::{Lazy, Mapping};
    use margin_math::feed::{self, FeedAggregateError, Submission};

    /// The oracle's state.
    #[ink(storage)]
    pub struct Oracle {
        /// May manage reporters and feeds and hand ownership on.
        owner: AccountId,
        /// Named by `transfer_ownership`; becomes owner by calling `accept_ownership`.
        pending_owner: Option<AccountId>,
        /// Number of feeds; feed ids are `0..feed_count`.
        feed_count: FeedId,
        /// Last membership epoch handed out (0: none yet).
        last_epoch: u64,
        /// The current reporters with their membership epochs, in order of addition
        /// (at most [`MAX_REPORTERS`]).
        reporters: Lazy<Vec<Reporter>>,
        /// Each feed's configuration and latest submissions, one storage cell per feed id.
        feeds: Mapping<FeedId, Feed>,
        /// Whole-minute settlement records of the price feeds, by (feed, slot): slot
        /// `(boundary / 1 min) mod SETTLEMENT_SLOTS`, so a feed keeps its last 7 days of records.
        settlements: Mapping<(FeedId, u64), SettlementRecord>,
    }

    impl Oracle {
        /// Creates an oracle owned by the caller, with no reporters and no feeds.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                owner: Self::env().caller(),
                pending_owner: None,
                feed_count: 0,
                last_epoch: 0,
                reporters: Lazy::new(),
                feeds: Mapping::new(),
                settlements: Mapping::new(),
            }
        }

        // ---------------------------------------------------------------- ownership

        /// The current owner.
        #[ink(message)]
        pub fn owner(&self) -> AccountId {
            self.owner
        }

        /// The account named by the last `transfer_ownership` that has not accepted yet, if any.
        #[ink(message)]
        pub fn pending_owner(&self) -> Option<AccountId> {
            self.pending_owner
        }

        /// Starts handing ownership to `new_owner`, who must then call `accept_ownership`. A later
        /// call replaces the pending owner; the current owner keeps all rights until acceptance.
        ///
        /// Caller: the owner. Errors: [`OracleError::NotOwner`].
        /// Event: [`OwnershipTransferStarted`].
        #[ink(message)]
        pub fn transfer_ownership(&mut self, new_owner: AccountId) -> Result<(), OracleError> {
            self.ensure_owner()?;
            self.pending_owner = Some(new_owner);
            self.env().emit_event(OwnershipTransferStarted { owner: self.owner, pending_owner: new_owner });
            Ok(())
        }

        /// Completes an ownership transfer: the caller becomes the owner and no transfer is pending.
        ///
        /// Caller: the pending owner. Errors: [`OracleError::NotPendingOwner`] (also when no
        /// transfer is pending). Event: [`OwnershipTransferred`].
        #[ink(message)]
        pub fn accept_ownership(&mut self) -> Result<(), OracleError> {
            let caller = self.env().caller();
            ensure!(self.pending_owner == Some(caller), OracleError::NotPendingOwner);
            let previous_owner = self.owner;
            self.owner = caller;
            self.pending_owner = None;
            self.env().emit_event(OwnershipTransferred { previous_owner, new_owner: caller });
            Ok(())
        }

        // ---------------------------------------------------------------- reporters

        /// The current reporters, in order of addition.
        #[ink(message)]
        pub fn reporters(&self) -> Vec<AccountId> {
            self.reporters.get_or_default().iter().map(|r| r.account).collect()
        }

        /// Adds `who` to the reporter set with a fresh membership epoch: only submissions made from
        /// now on count (earlier ones, from a previous membership, stay void).
        ///
        /// Caller: the owner. Errors: [`OracleError::NotOwner`], [`OracleError::AlreadyReporter`],
        /// [`OracleError::TooManyReporters`] (the set holds [`MAX_REPORTERS`]),
        /// [`OracleError::EpochOverflow`]. Event: [`ReporterAdded`].
        #[ink(message)]
        pub fn add_reporter(&mut self, who: AccountId) -> Result<(), OracleError> {
            self.ensure_owner()?;
            let mut reporters = self.reporters.get_or_default();
            ensure!(!reporters.iter().any(|r| r.account == who), OracleError::AlreadyReporter);
            let full = u32::try_from(reporters.len()).map_or(true, |len| len >= MAX_REPORTERS);
            ensure!(!full, OracleError::TooManyReporters);
            let epoch = self.last_epoch.checked_add(1).ok_or(OracleError::EpochOverflow)?;
            self.ensure_majorities(reporters.len().saturating_add(1), false)?;
            self.last_epoch = epoch;
            reporters.push(Reporter { account: who, epoch });
            self.reporters.set(&reporters);
            self.env().emit_event(ReporterAdded { reporter: who, epoch });
            Ok(())
        }

        /// Removes `who` from the reporter set. Its submissions stop counting in every feed at once
        /// (reads in the same block already ignore them) and are not revived if it is re-added.
        ///
        /// Caller: the owner. Errors: [`OracleError::NotOwner`], [`OracleError::NotReporter`].
        /// Event: [`ReporterRemoved`].
        #[ink(message)]
        pub fn remove_reporter(&mut self, who: AccountId) -> Result<(), OracleError> {
            self.ensure_owner()?;
            let mut reporters = self.reporters.get_or_default();
            let before = reporters.len();
            reporters.retain(|r| r.account != who);
            ensure!(reporters.len() != before, OracleError::NotReporter);
            self.ensure_majorities(reporters.len(), true)?;
            self.reporters.set(&reporters);
            self.env().emit_event(ReporterRemoved { reporter: who });
            Ok(())
        }

        // ---------------------------------------------------------------- feeds

        /// Number of feeds; their ids are `0..feed_count()`.
        #[ink(message)]
        pub fn feed_count(&self) -> FeedId {
            self.feed_count
        }

        /// The configuration of `feed`, or `None` if no feed has this id.
        #[ink(message)]
        pub fn feed_config(&self, feed: FeedId) -> Option<FeedConfig> {
            self.feeds.get(feed).map(|f| f.config)
        }

        /// Creates a feed with `config` (window in ms, bounds with 18 decimals) and returns its id,
        /// the next dense id from 0.
        ///
        /// Caller: the owner. Errors: [`OracleError::NotOwner`]; an invalid config
        /// ([`OracleError::ZeroWindow`], [`OracleError::InvalidQuorum`],
        /// [`OracleError::ZeroMinBound`], [`OracleError::InvertedBounds`], see
        /// [`FeedConfig::validate`]); [`OracleError::TooManyFeeds`]. Event: [`FeedCreated`].
        #[ink(message)]
        pub fn create_feed(&mut self, config: FeedConfig) -> Result<FeedId, OracleError> {
            self.ensure_owner()?;
            config.validate()?;
            let feed = self.feed_count;
            let reporters = self.reporters.get_or_default().len();
            ensure!(config.quorum_is_majority_of(reporters), OracleError::QuorumNotMajority(feed));
            self.feed_count = feed.checked_add(1).ok_or(OracleError::TooManyFeeds)?;
            self.feeds.insert(feed, &Feed { config, submissions: Vec::new(), last_value: None });
            self.env().emit_event(FeedCreated { feed, config });
            Ok(feed)
        }

        /// Replaces the configuration of `feed` with `config`. Takes effect at once for reads:
        /// stored submissions outside new bounds stop counting, a new window or quorum applies to
        /// the next read.
        ///
        /// Caller: the owner. Errors: [`OracleError::NotOwner`], [`OracleError::UnknownFeed`], an
        /// invalid config (as for `create_feed`), [`OracleError::KindChange`] (`config.kind` differs
        /// from the feed's kind). Event: [`FeedUpdated`].
        #[ink(message)]
        pub fn update_feed(&mut self, feed: FeedId, config: FeedConfig) -> Result<(), OracleError> {
            self.ensure_owner()?;
            let mut stored = self.feeds.get(feed).ok_or(OracleError::UnknownFeed)?;
            let previous = stored.config;
            config.validate()?;
            ensure!(config.kind == previous.kind, OracleError::KindChange);
            let reporters = self.reporters.get_or_default().len();
            ensure!(config.quorum_is_majority_of(reporters), OracleError::QuorumNotMajority(feed));
            stored.config = config;
            // A recorded value outside new bounds is forgotten, like the submissions it came from.
            stored.last_value = stored.last_value.filter(|&(value_e18, _)| config.in_bounds(value_e18));
            self.feeds.insert(feed, &stored);
            self.env().emit_event(FeedUpdated { feed, previous, config });
            Ok(())
        }

        // ---------------------------------------------------------------- submissions

        /// Records the caller's observation of `feed`: `value_e18` (18 decimals) observed at
        /// `ts_ms` (ms, ≤ the block timestamp). It replaces the caller's previous submission for
        /// the feed. An old `ts_ms` is accepted (it simply counts for less time), but never one
        /// older than the caller's previous submission for the feed during its current membership.
        ///
        /// Caller: a reporter. Errors, in this order: [`OracleError::NotReporter`],
        /// [`OracleError::UnknownFeed`], [`OracleError::ZeroValue`], [`OracleError::OutOfBounds`]
        /// (outside `[min_e18, max_e18]`), [`OracleError::FutureTimestamp`] (`ts_ms` after the
        /// block timestamp), [`OracleError::OlderThanPrevious`]. Event: [`Submitted`].
        #[ink(message)]
        pub fn submit(&mut self, feed: FeedId, value_e18: u128, ts_ms: u64) -> Result<(), OracleError> {
            self.submit_batch(ink::prelude::vec![(feed, value_e18, ts_ms)])
        }

        /// Records several observations, all or nothing: each item `(feed, value_e18, ts_ms)` is
        /// checked as by `submit` (a feed named twice must not go back in time within the batch
        /// either), and nothing is stored unless every item passes. Items are applied in order, so
        /// for a feed named twice the later item is the one kept. An empty batch does nothing.
        /// Each feed's storage cell is read and written once per call.
        ///
        /// Caller: a reporter. Errors: those of `submit`, for the first failing item.
        /// Events: one [`Submitted`] per item, in order.
        #[ink(message)]
        pub fn submit_batch(&mut self, items: Vec<BatchItem>) -> Result<(), OracleError> {
            let (reporter, epoch, reporters) = self.caller_as_reporter()?;
            // Each feed's cell, loaded once, updated in memory, written at the end.
            let mut cells: Vec<(FeedId, Feed)> = Vec::new();
            for &(feed, value_e18, ts_ms) in &items {
                let position = match cells.iter().position(|(f, _)| *f == feed) {
                    Some(position) => position,
                    None => {
                        cells.push((feed, self.feeds.get(feed).ok_or(OracleError::UnknownFeed)?));
                        cells.len().saturating_sub(1)
                    }
                };
                let Some((_, Feed { config, submissions: stored, .. })) = cells.get_mut(position) else { continue };
                let previous_ts_ms =
                    stored.iter().find(|(a, s)| *a == reporter && s.epoch == epoch).map(|(_, s)| s.ts_ms);
                self.check_submission(config, value_e18, ts_ms, previous_ts_ms)?;
                // Keep only entries of current memberships (at most MAX_REPORTERS), then replace
                // or add the reporter's own.
                stored.retain(|(account, s)| {
                    *account != reporter && reporters.iter().any(|r| r.account == *account && r.epoch == s.epoch)
                });
                stored.push((reporter, StoredSubmission { value_e18, ts_ms, epoch }));
            }
            let now = self.env().block_timestamp();
            for (_, cell) in &mut cells {
                let submissions: Vec<Submission> = counted(cell, &reporters).into_iter().map(|(_, s)| s).collect();
                if let Ok(value) = feed::aggregate(&submissions, now, &cell.config.rules()) {
                    cell.last_value = Some((value.value_e18, value.ts_ms));
                }
            }
            for (feed, stored) in &cells {
                self.feeds.insert(*feed, stored);
            }
            for (feed, value_e18, ts_ms) in items {
                self.env().emit_event(Submitted { feed, reporter, value_e18, ts_ms });
            }
            for (feed, stored) in &cells {
                if stored.config.kind == FeedKind::Price {
                    self.record_settlement(*feed, stored, &reporters);
                }
            }
            Ok(())
        }

        /// The submissions that count toward `feed`: the latest one of each current reporter, made
        /// during its current membership and within the feed's current bounds, as
        /// `(reporter, value_e18, ts_ms)` in reporter order. Freshness is not filtered here (compare
        /// `ts_ms` with the feed's window). Empty for an unknown feed.
        #[ink(message)]
        pub fn submissions(&self, feed: FeedId) -> Vec<(AccountId, u128, u64)> {
            let Some(stored) = self.feeds.get(feed) else {
                return Vec::new();
            };
            let reporters = self.reporters.get_or_default();
            counted(&stored, &reporters).into_iter().map(|(who, s)| (who, s.value_e18, s.ts_ms)).collect()
        }

        // ---------------------------------------------------------------- internals

        fn ensure_owner(&self) -> Result<(), OracleError> {
            ensure!(self.env().caller() == self.owner, OracleError::NotOwner);
            Ok(())
        }

        /// The caller, its membership epoch and the reporter set, if the caller is a reporter.
        fn caller_as_reporter(&self) -> Result<(AccountId, u64, Vec<Reporter>), OracleError> {
            let caller = self.env().caller();
            let reporters = self.reporters.get_or_default();
            let epoch = reporters.iter().find(|r| r.account == caller).map(|r| r.epoch);
            epoch.map(|epoch| (caller, epoch, reporters)).ok_or(OracleError::NotReporter)
        }

        /// Checks one submission against the feed's configuration, the block timestamp and the
        /// reporter's previous timestamp for the feed.
        fn check_submission(
            &self,
            config: &FeedConfig,
            value_e18: u128,
            ts_ms: u64,
            previous_ts_ms: Option<u64>,
        ) -> Result<(), OracleError> {
            let now_ms = self.env().block_timestamp();
            feed::check_submission(value_e18, ts_ms, now_ms, config.min_e18, config.max_e18)?;
            ensure!(previous_ts_ms.is_none_or(|previous| ts_ms >= previous), OracleError::OlderThanPrevious);
            Ok(())
        }

        /// The value of `feed` at the block timestamp (see `PriceOracle::read`).
        fn value(&self, feed: FeedId, reporters: &[Reporter]) -> Result<FeedValue, FeedError> {
            let stored = self.feeds.get(feed).ok_or(FeedError::UnknownFeed)?;
            let submissions: Vec<Submission> = counted(&stored, reporters).into_iter().map(|(_, s)| s).collect();
            let config = stored.config;
            let now = self.env().block_timestamp();
            let recorded = stored.last_value.map(|(value_e18, ts_ms)| Submission { value_e18, ts_ms });
            let value = match feed::aggregate(&submissions, now, &config.rules()) {
                Ok(value) => value,
                // No value now: the later of the last one the stored submissions show and the
                // last one recorded at a submission.
                Err(now_error) => match (feed::latest_value(&submissions, now, &config.rules()).ok(), recorded) {
                    (Some(a), Some(b)) => {
                        if a.ts_ms >= b.ts_ms {
                            a
                        } else {
                            b
                        }
                    }
                    (Some(a), None) => a,
                    (None, Some(b)) => b,
                    (None, None) => {
                        return Err(match now_error {
                            FeedAggregateError::NoQuorum => FeedError::NoQuorum,
                            FeedAggregateError::Disputed => FeedError::Disputed,
                        })
                    }
                },
            };
            Ok(FeedValue { value_e18: value.value_e18, ts_ms: value.ts_ms, window_ms: config.window_ms })
        }

        /// Checks that every feed's quorum stays a strict majority of `reporters` reporters; with
        /// `forget`, also drops each feed's recorded last value (a removed reporter's
        /// submissions stop counting at once, including in the value they helped form).
        fn ensure_majorities(&mut self, reporters: usize, forget: bool) -> Result<(), OracleError> {
            for feed in 0..self.feed_count {
                let Some(mut stored) = self.feeds.get(feed) else { continue };
                ensure!(stored.config.quorum_is_majority_of(reporters), OracleError::QuorumNotMajority(feed));
                if forget && stored.last_value.is_some() {
                    stored.last_value = None;
                    self.feeds.insert(feed, &stored);
                }
            }
            Ok(())
        }

        /// After a price feed took submissions: records the current whole minute's settlement value
        /// if it has none yet and a quorum of the submissions stamped from the minute on agrees
        /// (`margin_math::feed::settlement_value`). Emits `SettlementRecorded`.
        fn record_settlement(&mut self, feed: FeedId, stored: &Feed, reporters: &[Reporter]) {
            let now = self.env().block_timestamp();
            let boundary_ms = feed::settlement_boundary(now);
            let slot = (boundary_ms / feed::SETTLEMENT_PERIOD_MS) % SETTLEMENT_SLOTS;
            if self.settlements.get((feed, slot)).is_some_and(|r| r.boundary_ms == boundary_ms) {
                return;
            }
            let submissions: Vec<Submission> = counted(stored, reporters).into_iter().map(|(_, s)| s).collect();
            let Ok(value) = feed::settlement_value(&submissions, now, boundary_ms, &stored.config.rules()) else {
                return;
            };
            let record = SettlementRecord { boundary_ms, value_e18: value.value_e18, ts_ms: value.ts_ms };
            self.settlements.insert((feed, slot), &record);
            self.env().emit_event(SettlementRecorded {
                feed,
                boundary_ms,
                value_e18: value.value_e18,
                ts_ms: value.ts_ms,
            });
        }
    }

    /// The counted submissions of a feed (see `submissions`), in reporter order.
    fn counted(stored: &Feed, reporters: &[Reporter]) -> Vec<(AccountId, Submission)> {
        reporters
            .iter()
            .filter_map(|r| {
                stored
                    .submissions
                    .iter()
                    .find(|(account, s)| *account == r.account && s.epoch == r.epoch)
                    .filter(|(_, s)| stored.config.in_bounds(s.value_e18))
                    .map(|(_, s)| (r.account, Submission { value_e18: s.value_e18, ts_ms: s.ts_ms }))
            })
            .collect()
    }

    impl Default for Oracle {
        fn default() -> Self {
            Self::new()
        }
    }

    impl PriceOracle for Oracle {
        /// The value of `feed` at the block timestamp: the median (even count: lower middle) of
        /// the counted submissions no older than the feed's window (inclusive), once a quorum of
        /// them agrees (lies within the feed's maximum spread of it), stamped with the
        /// quorum-th newest timestamp among the agreeing ones (ms), with the feed's window.
        /// Value with 18 decimals. With no value now (fewer than a quorum fresh, or disputed),
        /// the feed's last value with its old timestamp: check `ts_ms` against your own
        /// freshness limit.
        ///
        /// Caller: anyone. Errors: [`FeedError::UnknownFeed`], [`FeedError::NoQuorum`] /
        /// [`FeedError::Disputed`] (no value now and none before, e.g. a new feed). No events.
        #[ink(message)]
        fn read(&self, feed: FeedId) -> Result<FeedValue, FeedError> {
            self.value(feed, &self.reporters.get_or_default())
        }

        /// `read` for each id of `feeds`, in order (the reporter set is loaded once).
        ///
        /// Caller: anyone. Errors: per item, as for `read`. No events.
        #[ink(message)]
        fn read_batch(&self, feeds: Vec<FeedId>) -> Vec<Result<FeedValue, FeedError>> {
            let reporters = self.reporters.get_or_default();
            feeds.into_iter().map(|feed| self.value(feed, &reporters)).collect()
        }

        /// What `feed` measures, its window and its upper bound (`None` for an unknown id).
        ///
        /// Caller: anyone. No errors, no events.
        #[ink(message)]
        fn feed_info(&self, feed: FeedId) -> Option<FeedInfo> {
            self.feeds.get(feed).map(|stored| FeedInfo {
                kind: stored.config.kind,
                window_ms: stored.config.window_ms,
                max_e18: stored.config.max_e18,
            })
        }

        /// The recorded settlement value of price feed `feed` for the whole minute `boundary_ms`
        /// (see the trait), with the feed's current window.
        ///
        /// Caller: anyone. No errors (`None`: no record), no events.
        #[ink(message)]
        fn settlement(&self, feed: FeedId, boundary_ms: u64) -> Option<FeedValue> {
            let slot = (boundary_ms / feed::SETTLEMENT_PERIOD_MS) % SETTLEMENT_SLOTS;
            let record = self.settlements.get((feed, slot)).filter(|r| r.boundary_ms == boundary_ms)?;
            let window_ms = self.feeds.get(feed).map_or(0, |f| f.config.window_ms);
            Some(FeedValue { value_e18: record.value_e18, ts_ms: record.ts_ms, window_ms })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::types::FeedKind;
        use ink::env::test::{self, DefaultAccounts, EmittedEvent};
        use ink::env::DefaultEnvironment;
        use ink::scale::Decode;

        const E18: u128 = 1_000_000_000_000_000_000;
        const NOW: u64 = 1_767_225_600_000;
        const WINDOW: u64 = 60_000;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            test::default_accounts::<DefaultEnvironment>()
        }

        fn account(n: u8) -> AccountId {
            AccountId::from([n; 32])
        }

        fn set_caller(who: AccountId) {
            test::set_caller::<DefaultEnvironment>(who);
        }

        fn set_now(ms: u64) {
            test::set_block_timestamp::<DefaultEnvironment>(ms);
        }

        fn price_config(quorum: u32) -> FeedConfig {
            FeedConfig {
                kind: FeedKind::Price,
                window_ms: WINDOW,
                quorum,
                min_e18: E18 / 1_000_000,
                max_e18: 10_000_000_000 * E18,
                // 100%: these tests are about medians and windows; disputes have their own.
                max_spread_e18: E18,
            }
        }

        fn events() -> Vec<EmittedEvent> {
            test::recorded_events().collect()
        }

        fn decode<E: Decode>(event: &EmittedEvent) -> E {
            E::decode(&mut &event.data[..]).expect("event decodes")
        }

        fn last_event<E: Decode>() -> E {
            decode(events().last().expect("an event"))
        }

        /// Owner alice, reporters r1..=rn (accounts [1;32]..), one price feed (id 0) with `quorum`,
        /// block time NOW. The caller is left as alice.
        fn setup(reporters: u8, quorum: u32) -> Oracle {
            set_now(NOW);
            set_caller(accounts().alice);
            let mut oracle = Oracle::new();
            for n in 1..=reporters {
                oracle.add_reporter(account(n)).unwrap();
            }
            assert_eq!(oracle.create_feed(price_config(quorum)), Ok(0));
            oracle
        }

        fn submit_as(
            oracle: &mut Oracle,
            reporter: u8,
            feed: FeedId,
            value_e18: u128,
            ts_ms: u64,
        ) -> Result<(), OracleError> {
            set_caller(account(reporter));
            oracle.submit(feed, value_e18, ts_ms)
        }

        // ------------------------------------------------------------ ownership

        #[ink::test]
        fn constructor_makes_the_caller_owner() {
            set_caller(accounts().bob);
            let oracle = Oracle::new();
            assert_eq!(oracle.owner(), accounts().bob);
            assert_eq!(oracle.pending_owner(), None);
            assert_eq!(oracle.reporters(), Vec::<AccountId>::new());
            assert_eq!(oracle.feed_count(), 0);
            assert_eq!(oracle.feed_config(0), None);
        }

        #[ink::test]
        fn two_step_ownership_transfer() {
            let mut oracle = setup(0, 1);
            let (alice, bob) = (accounts().alice, accounts().bob);
            assert_eq!(oracle.transfer_ownership(bob), Ok(()));
            assert_eq!(oracle.pending_owner(), Some(bob));
            assert_eq!(oracle.owner(), alice);
            let started: OwnershipTransferStarted = last_event();
            assert_eq!(started, OwnershipTransferStarted { owner: alice, pending_owner: bob });
            assert_eq!(events().last().unwrap().topics.len(), 3);

            // The owner keeps its rights until acceptance.
            assert_eq!(oracle.add_reporter(account(1)), Ok(()));

            set_caller(bob);
            assert_eq!(oracle.accept_ownership(), Ok(()));
            assert_eq!(oracle.owner(), bob);
            assert_eq!(oracle.pending_owner(), None);
            let done: OwnershipTransferred = last_event();
            assert_eq!(done, OwnershipTransferred { previous_owner: alice, new_owner: bob });

            set_caller(alice);
            assert_eq!(oracle.add_reporter(account(2)), Err(OracleError::NotOwner));
            assert_eq!(oracle.transfer_ownership(alice), Err(OracleError::NotOwner));
        }

        #[ink::test]
        fn non_owner_cannot_start_a_transfer() {
            let mut oracle = setup(0, 1);
            set_caller(accounts().bob);
            assert_eq!(oracle.transfer_ownership(accounts().bob), Err(OracleError::NotOwner));
            assert_eq!(oracle.pending_owner(), None);
        }

        #[ink::test]
        fn only_the_pending_owner_can_accept() {
            let mut oracle = setup(0, 1);
            set_caller(accounts().bob);
            assert_eq!(oracle.accept_ownership(), Err(OracleError::NotPendingOwner));
            set_caller(accounts().alice);
            oracle.transfer_ownership(accounts().charlie).unwrap();
            oracle.transfer_ownership(accounts().django).unwrap();
            set_caller(accounts().charlie);
            assert_eq!(oracle.accept_ownership(), Err(OracleError::NotPendingOwner));
            set_caller(accounts().alice);
            assert_eq!(oracle.accept_ownership(), Err(OracleError::NotPendingOwner));
            assert_eq!(oracle.owner(), accounts().alice);
            set_caller(accounts().django);
            assert_eq!(oracle.accept_ownership(), Ok(()));
            assert_eq!(oracle.accept_ownership(), Err(OracleError::NotPendingOwner));
        }

        // ------------------------------------------------------------ reporters

        #[ink::test]
        fn owner_adds_and_removes_reporters_with_events() {
            let mut oracle = setup(0, 2);
            assert_eq!(oracle.add_reporter(account(1)), Ok(()));
            assert_eq!(last_event::<ReporterAdded>(), ReporterAdded { reporter: account(1), epoch: 1 });
            assert_eq!(events().last().unwrap().topics.len(), 2);
            oracle.add_reporter(account(2)).unwrap();
            oracle.add_reporter(account(3)).unwrap();
            assert_eq!(oracle.reporters(), vec![account(1), account(2), account(3)]);
            assert_eq!(oracle.remove_reporter(account(2)), Ok(()));
            assert_eq!(last_event::<ReporterRemoved>(), ReporterRemoved { reporter: account(2) });
            assert_eq!(oracle.reporters(), vec![account(1), account(3)]);
            oracle.add_reporter(account(2)).unwrap();
            assert_eq!(last_event::<ReporterAdded>(), ReporterAdded { reporter: account(2), epoch: 4 });
            assert_eq!(oracle.reporters(), vec![account(1), account(3), account(2)]);
        }

        #[ink::test]
        fn reporter_errors() {
            let mut oracle = setup(1, 1);
            assert_eq!(oracle.add_reporter(account(1)), Err(OracleError::AlreadyReporter));
            assert_eq!(oracle.remove_reporter(account(9)), Err(OracleError::NotReporter));
            set_caller(accounts().bob);
            assert_eq!(oracle.add_reporter(account(2)), Err(OracleError::NotOwner));
            assert_eq!(oracle.remove_reporter(account(1)), Err(OracleError::NotOwner));
            assert_eq!(oracle.reporters(), vec![account(1)]);
        }

        #[ink::test]
        fn reporter_set_is_bounded() {
            let mut oracle = setup(32, 17);
            assert_eq!(oracle.reporters().len(), MAX_REPORTERS as usize);
            let before = events().len();
            assert_eq!(oracle.add_reporter(account(200)), Err(OracleError::TooManyReporters));
            assert_eq!(events().len(), before);
            oracle.remove_reporter(account(5)).unwrap();
            assert_eq!(oracle.add_reporter(account(200)), Ok(()));
        }

        #[ink::test]
        fn epoch_counter_never_wraps() {
            let mut oracle = setup(0, 1);
            oracle.last_epoch = u64::MAX;
            assert_eq!(oracle.add_reporter(account(1)), Err(OracleError::EpochOverflow));
            assert!(oracle.reporters().is_empty());
        }

        // ------------------------------------------------------------ feeds

        #[ink::test]
        fn feeds_get_dense_ids_and_events() {
            let mut oracle = setup(0, 1);
            assert_eq!(oracle.feed_count(), 1);
            assert_eq!(last_event::<FeedCreated>(), FeedCreated { feed: 0, config: price_config(1) });
            assert_eq!(events().last().unwrap().topics.len(), 2);
            let vol = FeedConfig {
                kind: FeedKind::Volatility,
                window_ms: 1,
                quorum: 32,
                min_e18: 1,
                max_e18: 1,
                max_spread_e18: 1,
            };
            assert_eq!(oracle.create_feed(vol), Ok(1));
            assert_eq!(oracle.feed_count(), 2);
            assert_eq!(oracle.feed_config(1), Some(vol));
            assert_eq!(oracle.feed_config(0), Some(price_config(1)));
            assert_eq!(oracle.feed_config(2), None);
        }

        #[ink::test]
        fn invalid_feed_configs_are_rejected() {
            let mut oracle = setup(0, 1);
            let ok = price_config(1);
            let cases = [
                (FeedConfig { window_ms: 0, ..ok }, OracleError::ZeroWindow),
                (FeedConfig { quorum: 0, ..ok }, OracleError::InvalidQuorum),
                (FeedConfig { quorum: MAX_REPORTERS + 1, ..ok }, OracleError::InvalidQuorum),
                (FeedConfig { min_e18: 0, ..ok }, OracleError::ZeroMinBound),
                (FeedConfig { min_e18: 5, max_e18: 4, ..ok }, OracleError::InvertedBounds),
            ];
            for (config, error) in cases {
                assert_eq!(oracle.create_feed(config), Err(error));
                assert_eq!(oracle.update_feed(0, config), Err(error));
            }
            assert_eq!(oracle.feed_count(), 1);
            assert_eq!(oracle.feed_config(0), Some(ok));
            assert_eq!(oracle.create_feed(FeedConfig { min_e18: 5, max_e18: 5, ..ok }), Ok(1));
        }

        #[ink::test]
        fn non_owner_cannot_manage_feeds() {
            let mut oracle = setup(0, 1);
            set_caller(accounts().bob);
            assert_eq!(oracle.create_feed(price_config(1)), Err(OracleError::NotOwner));
            assert_eq!(oracle.update_feed(0, price_config(2)), Err(OracleError::NotOwner));
            assert_eq!(oracle.feed_count(), 1);
            assert_eq!(oracle.feed_config(0), Some(price_config(1)));
        }

        #[ink::test]
        fn feed_ids_never_wrap() {
            let mut oracle = setup(0, 1);
            oracle.feed_count = u32::MAX;
            assert_eq!(oracle.create_feed(price_config(1)), Err(OracleError::TooManyFeeds));
            assert_eq!(oracle.feed_count(), u32::MAX);
        }

        #[ink::test]
        fn update_feed_replaces_the_config() {
            let mut oracle = setup(0, 1);
            let new = FeedConfig { window_ms: 5, quorum: 3, ..price_config(1) };
            assert_eq!(oracle.update_feed(0, new), Ok(()));
            assert_eq!(oracle.feed_config(0), Some(new));
            assert_eq!(last_event::<FeedUpdated>(), FeedUpdated { feed: 0, previous: price_config(1), config: new });
            assert_eq!(oracle.update_feed(1, new), Err(OracleError::UnknownFeed));
            let vol = FeedConfig { kind: FeedKind::Volatility, ..new };
            assert_eq!(oracle.update_feed(0, vol), Err(OracleError::KindChange));
            assert_eq!(oracle.feed_config(0), Some(new));
        }

        // ------------------------------------------------------------ submissions

        #[ink::test]
        fn reporter_submits_and_the_event_carries_it() {
            let mut oracle = setup(1, 1);
            assert_eq!(submit_as(&mut oracle, 1, 0, 60_000 * E18, NOW - 5), Ok(()));
            let event = events().last().unwrap().clone();
            assert_eq!(event.topics.len(), 3);
            assert_eq!(
                decode::<Submitted>(&event),
                Submitted { feed: 0, reporter: account(1), value_e18: 60_000 * E18, ts_ms: NOW - 5 }
            );
            assert_eq!(oracle.submissions(0), vec![(account(1), 60_000 * E18, NOW - 5)]);
            // A later submission replaces it; an equal timestamp is accepted too.
            assert_eq!(submit_as(&mut oracle, 1, 0, 61_000 * E18, NOW), Ok(()));
            assert_eq!(submit_as(&mut oracle, 1, 0, 62_000 * E18, NOW), Ok(()));
            assert_eq!(oracle.submissions(0), vec![(account(1), 62_000 * E18, NOW)]);
        }

        #[ink::test]
        fn submission_errors() {
            let mut oracle = setup(1, 1);
            let config = price_config(1);
            let cases = [
                (1, 1, E18, NOW, OracleError::UnknownFeed),
                (2, 0, E18, NOW, OracleError::NotReporter),
                (2, 7, E18, NOW, OracleError::NotReporter),
                (1, 0, 0, NOW, OracleError::ZeroValue),
                (1, 0, config.min_e18 - 1, NOW, OracleError::OutOfBounds),
                (1, 0, config.max_e18 + 1, NOW, OracleError::OutOfBounds),
                (1, 0, E18, NOW + 1, OracleError::FutureTimestamp),
            ];
            let before = events().len();
            for (reporter, feed, value, ts, error) in cases {
                assert_eq!(
                    submit_as(&mut oracle, reporter, feed, value, ts),
                    Err(error),
                    "{reporter} {feed} {value} {ts}"
                );
            }
            assert_eq!(events().len(), before);
            assert!(oracle.submissions(0).is_empty());
            // The bounds are inclusive.
            assert_eq!(submit_as(&mut oracle, 1, 0, config.min_e18, NOW), Ok(()));
            assert_eq!(submit_as(&mut oracle, 1, 0, config.max_e18, NOW), Ok(()));
        }

        #[ink::test]
        fn reporter_cannot_rewind_its_timestamp() {
            let mut oracle = setup(1, 1);
            submit_as(&mut oracle, 1, 0, 2 * E18, NOW - 10).unwrap();
            assert_eq!(submit_as(&mut oracle, 1, 0, 3 * E18, NOW - 11), Err(OracleError::OlderThanPrevious));
            assert_eq!(oracle.submissions(0), vec![(account(1), 2 * E18, NOW - 10)]);
        }

        #[ink::test]
        fn submit_batch_stores_every_item_in_order() {
            let mut oracle = setup(1, 1);
            set_caller(accounts().alice);
            oracle.create_feed(price_config(1)).unwrap();
            let before = events().len();
            set_caller(account(1));
            assert_eq!(
                oracle.submit_batch(vec![(0, 5 * E18, NOW - 3), (1, 7 * E18, NOW), (0, 6 * E18, NOW - 3)]),
                Ok(())
            );
            // NOW is a whole minute: feed 1's value, stamped NOW, also records its settlement,
            // after the submissions' events.
            let all = events();
            assert_eq!(all.len(), before + 4);
            let recorded: SettlementRecorded = decode(&all[before + 3]);
            assert_eq!(recorded, SettlementRecorded { feed: 1, boundary_ms: NOW, value_e18: 7 * E18, ts_ms: NOW });
            let emitted: Vec<Submitted> = all[before..before + 3].iter().map(decode).collect();
            assert_eq!(
                emitted,
                vec![
                    Submitted { feed: 0, reporter: account(1), value_e18: 5 * E18, ts_ms: NOW - 3 },
                    Submitted { feed: 1, reporter: account(1), value_e18: 7 * E18, ts_ms: NOW },
                    Submitted { feed: 0, reporter: account(1), value_e18: 6 * E18, ts_ms: NOW - 3 },
                ]
            );
            assert_eq!(oracle.submissions(0), vec![(account(1), 6 * E18, NOW - 3)]);
            assert_eq!(oracle.submissions(1), vec![(account(1), 7 * E18, NOW)]);
            assert_eq!(oracle.submit_batch(Vec::new()), Ok(()));
        }

        #[ink::test]
        fn submit_batch_is_all_or_nothing() {
            let mut oracle = setup(1, 1);
            set_caller(accounts().alice);
            oracle.create_feed(price_config(1)).unwrap();
            set_caller(account(1));
            oracle.submit(1, E18, NOW - 100).unwrap();
            let before = events().len();
            let failing = [
                (vec![(0, 5 * E18, NOW), (1, 0, NOW)], OracleError::ZeroValue),
                (vec![(0, 5 * E18, NOW), (2, E18, NOW)], OracleError::UnknownFeed),
                (vec![(0, 5 * E18, NOW), (1, E18, NOW + 1)], OracleError::FutureTimestamp),
                (vec![(0, 5 * E18, NOW), (1, E18, NOW - 101)], OracleError::OlderThanPrevious),
                // Within the batch too.
                (vec![(0, 5 * E18, NOW), (0, 5 * E18, NOW - 1)], OracleError::OlderThanPrevious),
            ];
            for (items, error) in failing {
                assert_eq!(oracle.submit_batch(items), Err(error));
            }
            assert_eq!(events().len(), before);
            assert!(oracle.submissions(0).is_empty());
            assert_eq!(oracle.submissions(1), vec![(account(1), E18, NOW - 100)]);
            set_caller(account(2));
            assert_eq!(oracle.submit_batch(vec![(0, E18, NOW)]), Err(OracleError::NotReporter));
        }

        // ------------------------------------------------------------ reads

        #[ink::test]
        fn outlier_with_an_even_count_gives_the_lower_middle() {
            let mut oracle = setup(4, 3);
            submit_as(&mut oracle, 1, 0, 100 * E18, NOW).unwrap();
            submit_as(&mut oracle, 2, 0, 101 * E18, NOW).unwrap();
            submit_as(&mut oracle, 3, 0, 102 * E18, NOW).unwrap();
            submit_as(&mut oracle, 4, 0, 9_000_000 * E18, NOW).unwrap();
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 101 * E18, ts_ms: NOW, window_ms: WINDOW }));
            // A low outlier instead: the lower middle is still an honest value.
            submit_as(&mut oracle, 4, 0, E18, NOW).unwrap();
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 100 * E18, ts_ms: NOW, window_ms: WINDOW }));
        }

        #[ink::test]
        fn value_carries_the_quorum_th_newest_timestamp() {
            // Quorum 3 of 3: the third newest of the three stamps, the oldest.
            let mut oracle = setup(3, 3);
            submit_as(&mut oracle, 1, 0, 10 * E18, NOW - 40_000).unwrap();
            submit_as(&mut oracle, 2, 0, 20 * E18, NOW - 1).unwrap();
            submit_as(&mut oracle, 3, 0, 30 * E18, NOW - 20_000).unwrap();
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 20 * E18, ts_ms: NOW - 40_000, window_ms: WINDOW }));
            // Quorum 2 of 3: the second newest — the one back-dated value does not age it.
            set_caller(accounts().alice);
            oracle.update_feed(0, price_config(2)).unwrap();
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 20 * E18, ts_ms: NOW - 20_000, window_ms: WINDOW }));
        }

        #[ink::test]
        fn window_edge_is_inclusive() {
            let mut oracle = setup(1, 1);
            submit_as(&mut oracle, 1, 0, 5 * E18, NOW).unwrap();
            set_now(NOW + WINDOW - 1);
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 5 * E18, ts_ms: NOW, window_ms: WINDOW }));
            set_now(NOW + WINDOW);
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 5 * E18, ts_ms: NOW, window_ms: WINDOW }));
            // One ms later the quorum is lost: the last quorum value stays, with its old stamp.
            set_now(NOW + WINDOW + 1);
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 5 * E18, ts_ms: NOW, window_ms: WINDOW }));
            // The stale submission is still listed (freshness is the reader's filter).
            assert_eq!(oracle.submissions(0), vec![(account(1), 5 * E18, NOW)]);
        }

        #[ink::test]
        fn quorum_not_met_gives_no_value() {
            let mut oracle = setup(3, 3);
            assert_eq!(oracle.read(0), Err(FeedError::NoQuorum));
            submit_as(&mut oracle, 1, 0, 5 * E18, NOW).unwrap();
            submit_as(&mut oracle, 2, 0, 6 * E18, NOW).unwrap();
            assert_eq!(oracle.read(0), Err(FeedError::NoQuorum));
            // A stale third submission does not count toward the quorum.
            submit_as(&mut oracle, 3, 0, 7 * E18, NOW - WINDOW - 1).unwrap();
            assert_eq!(oracle.read(0), Err(FeedError::NoQuorum));
            submit_as(&mut oracle, 3, 0, 7 * E18, NOW).unwrap();
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 6 * E18, ts_ms: NOW, window_ms: WINDOW }));
        }

        #[ink::test]
        fn lost_quorum_keeps_the_last_quorum_value_with_its_old_stamp() {
            let mut oracle = setup(3, 2);
            submit_as(&mut oracle, 1, 0, 100 * E18, NOW).unwrap();
            submit_as(&mut oracle, 2, 0, 104 * E18, NOW).unwrap();
            submit_as(&mut oracle, 3, 0, 102 * E18, NOW).unwrap();
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 102 * E18, ts_ms: NOW, window_ms: WINDOW }));
            // Reporter 1 keeps reporting alone; 2 and 3 fall silent.
            for k in 1..=5u64 {
                set_now(NOW + k * WINDOW / 2);
                submit_as(&mut oracle, 1, 0, (100 + k as u128) * E18, NOW + k * WINDOW / 2).unwrap();
            }
            // One fresh submission is no quorum: the feed serves what 2 and 3 (with 1's value of
            // then gone) last supported: the lower middle of 102 and 104, stamped NOW.
            set_now(NOW + 5 * WINDOW / 2);
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 102 * E18, ts_ms: NOW, window_ms: WINDOW }));
            assert_eq!(
                oracle.read_batch(vec![0]),
                vec![Ok(FeedValue { value_e18: 102 * E18, ts_ms: NOW, window_ms: WINDOW })]
            );
            // Reporter 2 returns: a fresh quorum again, fresh value and stamp.
            submit_as(&mut oracle, 2, 0, 107 * E18, NOW + 5 * WINDOW / 2).unwrap();
            assert_eq!(
                oracle.read(0),
                Ok(FeedValue { value_e18: 105 * E18, ts_ms: NOW + 5 * WINDOW / 2, window_ms: WINDOW })
            );
        }

        #[ink::test]
        fn removed_reporter_stops_counting_at_once() {
            let mut oracle = setup(3, 2);
            submit_as(&mut oracle, 1, 0, 5 * E18, NOW).unwrap();
            submit_as(&mut oracle, 2, 0, 6 * E18, NOW).unwrap();
            submit_as(&mut oracle, 3, 0, 900 * E18, NOW).unwrap();
            assert_eq!(oracle.read(0).map(|v| v.value_e18), Ok(6 * E18));
            set_caller(accounts().alice);
            oracle.remove_reporter(account(2)).unwrap();
            // The two left disagree (900 is far beyond the spread of the median, 5): disputed,
            // and no earlier value of theirs to fall back on.
            assert_eq!(oracle.read(0), Err(FeedError::Disputed));
            assert_eq!(oracle.submissions(0), vec![(account(1), 5 * E18, NOW), (account(3), 900 * E18, NOW)]);
            oracle.remove_reporter(account(3)).unwrap();
            assert_eq!(oracle.read(0), Err(FeedError::NoQuorum));
            assert_eq!(submit_as(&mut oracle, 3, 0, 5 * E18, NOW), Err(OracleError::NotReporter));
        }

        #[ink::test]
        fn re_added_reporter_does_not_revive_old_submissions() {
            let mut oracle = setup(2, 2);
            submit_as(&mut oracle, 1, 0, 5 * E18, NOW).unwrap();
            submit_as(&mut oracle, 2, 0, 6 * E18, NOW).unwrap();
            set_caller(accounts().alice);
            oracle.remove_reporter(account(2)).unwrap();
            oracle.add_reporter(account(2)).unwrap();
            assert_eq!(oracle.read(0), Err(FeedError::NoQuorum));
            assert_eq!(oracle.submissions(0), vec![(account(1), 5 * E18, NOW)]);
            // The void submission does not constrain the next one's timestamp either.
            assert_eq!(submit_as(&mut oracle, 2, 0, 7 * E18, NOW - 30), Ok(()));
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 5 * E18, ts_ms: NOW - 30, window_ms: WINDOW }));
        }

        #[ink::test]
        fn tightened_bounds_exclude_stored_values() {
            let mut oracle = setup(3, 2);
            submit_as(&mut oracle, 1, 0, 5 * E18, NOW).unwrap();
            submit_as(&mut oracle, 2, 0, 6 * E18, NOW).unwrap();
            submit_as(&mut oracle, 3, 0, 9 * E18, NOW).unwrap();
            assert_eq!(oracle.read(0).map(|v| v.value_e18), Ok(6 * E18));
            set_caller(accounts().alice);
            oracle.update_feed(0, FeedConfig { min_e18: 7 * E18, ..price_config(2) }).unwrap();
            assert_eq!(oracle.submissions(0), vec![(account(3), 9 * E18, NOW)]);
            // One value left within the bounds, none before: no quorum ever.
            assert_eq!(oracle.read(0), Err(FeedError::NoQuorum));
        }

        #[ink::test]
        fn batched_reads_return_one_result_per_id() {
            let mut oracle = setup(2, 2);
            set_caller(accounts().alice);
            oracle
                .create_feed(FeedConfig {
                    kind: FeedKind::Volatility,
                    window_ms: 10,
                    quorum: 2,
                    min_e18: 1,
                    max_e18: 5 * E18,
                    max_spread_e18: E18,
                })
                .unwrap();
            submit_as(&mut oracle, 1, 0, 5 * E18, NOW).unwrap();
            submit_as(&mut oracle, 2, 0, 6 * E18, NOW - 7).unwrap();
            submit_as(&mut oracle, 1, 1, E18 / 2, NOW - 20).unwrap();
            submit_as(&mut oracle, 2, 1, E18 / 2, NOW - 20).unwrap();
            let before = events().len();
            assert_eq!(
                oracle.read_batch(vec![0, 1, 2, 0]),
                vec![
                    Ok(FeedValue { value_e18: 5 * E18, ts_ms: NOW - 7, window_ms: WINDOW }),
                    // Its submissions left the 10 ms window: the last value, stamped old.
                    Ok(FeedValue { value_e18: E18 / 2, ts_ms: NOW - 20, window_ms: 10 }),
                    Err(FeedError::UnknownFeed),
                    Ok(FeedValue { value_e18: 5 * E18, ts_ms: NOW - 7, window_ms: WINDOW }),
                ]
            );
            assert_eq!(oracle.read(2), Err(FeedError::UnknownFeed));
            assert!(oracle.read_batch(Vec::new()).is_empty());
            assert_eq!(events().len(), before);
            assert!(oracle.submissions(2).is_empty());
        }
        // ------------------------------------------------------------ majority, disputes, settlement

        #[ink::test]
        fn quorum_must_stay_a_strict_majority() {
            let mut oracle = setup(3, 2);
            // 4 reporters would make 2 half, not a majority.
            assert_eq!(oracle.add_reporter(account(4)), Err(OracleError::QuorumNotMajority(0)));
            assert_eq!(oracle.update_feed(0, price_config(1)), Err(OracleError::QuorumNotMajority(0)));
            assert_eq!(oracle.create_feed(price_config(1)), Err(OracleError::QuorumNotMajority(1)));
            // Raise the quorum first, then add.
            assert_eq!(oracle.update_feed(0, price_config(3)), Ok(()));
            assert_eq!(oracle.add_reporter(account(4)), Ok(()));
            assert_eq!(oracle.reporters().len(), 4);
            // Removing one keeps 3 > 3 / 2; lowering to 2 of 3 is fine again.
            assert_eq!(oracle.remove_reporter(account(4)), Ok(()));
            assert_eq!(oracle.update_feed(0, price_config(2)), Ok(()));
        }

        #[ink::test]
        fn an_outlier_neither_moves_nor_disputes_and_a_split_is_disputed() {
            let mut oracle = setup(3, 2);
            set_caller(accounts().alice);
            oracle.update_feed(0, FeedConfig { max_spread_e18: E18 / 50, ..price_config(2) }).unwrap();
            submit_as(&mut oracle, 1, 0, 100 * E18, NOW).unwrap();
            submit_as(&mut oracle, 2, 0, 101 * E18, NOW).unwrap();
            submit_as(&mut oracle, 3, 0, E18, NOW).unwrap();
            assert_eq!(oracle.read(0).map(|v| v.value_e18), Ok(100 * E18));
            // The honest second reporter goes quiet: one honest value, one outlier, quorum 2.
            set_now(NOW + WINDOW);
            submit_as(&mut oracle, 1, 0, 100 * E18, NOW + WINDOW).unwrap();
            submit_as(&mut oracle, 3, 0, E18, NOW + WINDOW).unwrap();
            set_now(NOW + WINDOW + 1);
            // Disputed now: the last agreed value is served with its old stamp.
            assert_eq!(oracle.read(0), Ok(FeedValue { value_e18: 100 * E18, ts_ms: NOW, window_ms: WINDOW }));
        }

        #[ink::test]
        fn the_first_quorum_value_after_each_whole_minute_is_recorded_once() {
            let mut oracle = setup(3, 2);
            let minute = 60_000;
            let boundary = (NOW / minute + 1) * minute;
            set_now(boundary - 1);
            submit_as(&mut oracle, 1, 0, 90 * E18, boundary - 1).unwrap();
            submit_as(&mut oracle, 2, 0, 90 * E18, boundary - 1).unwrap();
            set_now(boundary + 10);
            submit_as(&mut oracle, 1, 0, 100 * E18, boundary + 10).unwrap();
            // One submission from the minute on: no quorum of them yet.
            assert_eq!(oracle.settlement(0, boundary), None);
            set_now(boundary + 20);
            submit_as(&mut oracle, 2, 0, 102 * E18, boundary + 20).unwrap();
            let recorded = Some(FeedValue { value_e18: 100 * E18, ts_ms: boundary + 10, window_ms: WINDOW });
            assert_eq!(oracle.settlement(0, boundary), recorded);
            assert_eq!(
                last_event::<SettlementRecorded>(),
                SettlementRecorded { feed: 0, boundary_ms: boundary, value_e18: 100 * E18, ts_ms: boundary + 10 }
            );
            // Later values do not change it, whoever submits them and whenever it is read.
            set_now(boundary + 30_000);
            submit_as(&mut oracle, 3, 0, 130 * E18, boundary + 30_000).unwrap();
            submit_as(&mut oracle, 1, 0, 130 * E18, boundary + 30_000).unwrap();
            assert_eq!(oracle.settlement(0, boundary), recorded);
            // A week later its slot holds a newer minute: the old record is gone, not confused.
            set_now(boundary + 10_080 * minute + 5);
            submit_as(&mut oracle, 1, 0, 140 * E18, boundary + 10_080 * minute + 5).unwrap();
            submit_as(&mut oracle, 2, 0, 140 * E18, boundary + 10_080 * minute + 5).unwrap();
            assert_eq!(oracle.settlement(0, boundary), None);
            assert_eq!(oracle.settlement(0, boundary + 10_080 * minute).map(|v| v.value_e18), Some(140 * E18));
            // Volatility feeds keep no records; an unknown feed has none.
            assert_eq!(oracle.settlement(7, boundary), None);
        }

        #[ink::test]
        fn feed_info_names_kind_window_and_upper_bound() {
            let oracle = setup(1, 1);
            let info = FeedInfo { kind: FeedKind::Price, window_ms: WINDOW, max_e18: 10_000_000_000 * E18 };
            assert_eq!(oracle.feed_info(0), Some(info));
            assert_eq!(oracle.feed_info(1), None);
        }
    }
}
