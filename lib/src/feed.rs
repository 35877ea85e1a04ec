//! Oracle feed rules (`docs/contracts.md`, oracle): which submissions are fresh, how fresh
//! submissions aggregate into one value, and which submissions are accepted at all.
//!
//! The oracle contract stores one latest submission per (feed, reporter) and calls these
//! functions; off-chain tools call the same ones, so a feed value computed off chain from the same
//! submissions and timestamp is identical to the contract's.
//!
//! Units: values are `u128` with 18 decimals (`_e18`: a price in quote per whole token, or an
//! annualized volatility fraction); times are milliseconds (`_ms`, block time).

use alloc::vec::Vec;

use crate::fixed_point::divrem_u128_u64;

/// One reporter's value for a feed, or a feed's aggregated value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Submission {
    /// The value, 18 decimals.
    pub value_e18: u128,
    /// When the value was observed, ms (for an aggregate: the newest instant a quorum of the
    /// agreeing submissions supports, see [`aggregate`]).
    pub ts_ms: u64,
}

/// How a feed's submissions aggregate: the oracle's per-feed parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FeedRules {
    /// How long a submission counts, ms (see [`is_fresh`]).
    pub window_ms: u64,
    /// Fresh, agreeing submissions needed for a value; 0 counts as 1.
    pub quorum: u32,
    /// How far from the median a fresh value may lie and still agree with it: a fraction of the
    /// median, 18 decimals (0.02e18 = 2%).
    pub max_spread_e18: u128,
}

/// Why [`aggregate`] produced no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedAggregateError {
    /// Returned if fewer fresh submissions than `max(quorum, 1)` exist.
    NoQuorum,
    /// Returned if a quorum is fresh but fewer than `max(quorum, 1)` of the fresh values lie
    /// within the feed's maximum spread of their median: the reporters disagree, and a consumer
    /// cannot tell which side is honest.
    Disputed,
}

impl core::fmt::Display for FeedAggregateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FeedAggregateError::NoQuorum => f.write_str("fewer fresh submissions than the quorum"),
            FeedAggregateError::Disputed => f.write_str("fewer than a quorum of fresh values agree with the median"),
        }
    }
}

/// Why [`check_submission`] rejected a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubmissionError {
    /// Returned if the value is zero.
    ZeroValue,
    /// Returned if the value lies outside the feed's bounds `[min_e18, max_e18]`.
    OutOfBounds,
    /// Returned if the timestamp lies after the current time.
    FutureTimestamp,
}

impl core::fmt::Display for SubmissionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let text = match self {
            SubmissionError::ZeroValue => "value is zero",
            SubmissionError::OutOfBounds => "value outside the feed's bounds",
            SubmissionError::FutureTimestamp => "timestamp in the future",
        };
        f.write_str(text)
    }
}

/// Whether a submission observed at `ts_ms` still counts at `now_ms` for a feed whose window is
/// `window_ms` (all in ms).
///
/// Fresh iff `ts_ms ≤ now_ms` and `now_ms − ts_ms ≤ window_ms`: the edge is **inclusive**, a
/// submission exactly `window_ms` old is fresh and one 1 ms older is not. A timestamp after
/// `now_ms` is never fresh (the contract rejects such submissions; this keeps the function total).
/// With `window_ms = 0` only submissions at exactly `now_ms` are fresh.
#[must_use]
pub fn is_fresh(ts_ms: u64, now_ms: u64, window_ms: u64) -> bool {
    match now_ms.checked_sub(ts_ms) {
        Some(age_ms) => age_ms <= window_ms,
        None => false,
    }
}

/// Aggregates a feed's submissions at `now_ms` (ms) into one value.
///
/// * Only fresh submissions count ([`is_fresh`] with `rules.window_ms`).
/// * Fewer than `max(quorum, 1)` fresh submissions: [`FeedAggregateError::NoQuorum`].
/// * `value_e18` is the median of the fresh values; for an even count the **lower** of the two
///   middle values (no averaging, so the result is always a value some reporter submitted).
///   At least half of the fresh values are ≤ it and at least half are ≥ it.
/// * A fresh value **agrees** when it lies within [`spread_tolerance`] of the median
///   (`floor(median · max_spread)`).
///   Fewer than `max(quorum, 1)` agreeing values: [`FeedAggregateError::Disputed`]. With the
///   quorum a strict majority of the reporters (the oracle enforces it), a minority can neither
///   move the value beyond the honest values' range nor, while the others report, dispute it.
/// * `ts_ms` is the newest instant a quorum of the agreeing submissions supports: the
///   `quorum`-th newest of their timestamps. One reporter back-dating its submissions cannot age
///   the value while a quorum of others report fresh ones.
///
/// Deterministic and independent of the order of `submissions`.
pub fn aggregate(submissions: &[Submission], now_ms: u64, rules: &FeedRules) -> Result<Submission, FeedAggregateError> {
    let fresh: Vec<Submission> =
        submissions.iter().copied().filter(|s| is_fresh(s.ts_ms, now_ms, rules.window_ms)).collect();
    // A `u32` quorum above `usize::MAX` (16-bit targets) can never be met.
    let needed = usize::try_from(rules.quorum.max(1)).unwrap_or(usize::MAX);
    if fresh.len() < needed {
        return Err(FeedAggregateError::NoQuorum);
    }
    let mut values: Vec<u128> = fresh.iter().map(|s| s.value_e18).collect();
    insertion_sort(&mut values);
    // Lower middle: index ⌊(n − 1) / 2⌋; n ≥ 1 here.
    let middle = values.len().checked_sub(1).ok_or(FeedAggregateError::NoQuorum)? / 2;
    let value_e18 = values.get(middle).copied().ok_or(FeedAggregateError::NoQuorum)?;
    let tolerance = spread_tolerance(value_e18, rules.max_spread_e18);
    // Newest first, as "older than" keys: the quorum-th of them is the stamp.
    let mut agreeing: Vec<u64> = fresh
        .iter()
        .filter(|s| s.value_e18.abs_diff(value_e18) <= tolerance)
        .map(|s| u64::MAX.saturating_sub(s.ts_ms))
        .collect();
    if agreeing.len() < needed {
        return Err(FeedAggregateError::Disputed);
    }
    insertion_sort(&mut agreeing);
    let age_key = agreeing.get(needed.saturating_sub(1)).copied().ok_or(FeedAggregateError::NoQuorum)?;
    Ok(Submission { value_e18, ts_ms: u64::MAX.saturating_sub(age_key) })
}

/// How far a value may lie from the median and still agree: `floor(median · max_spread / 10^18)`,
/// exact in 128 bits (the median split at 10^18: `⌊m/10^18⌋·s + ⌊(m mod 10^18)·s / 10^18⌋`),
/// saturating at `u128::MAX` (a spread above 100% lets every value agree).
pub fn spread_tolerance(median_e18: u128, max_spread_e18: u128) -> u128 {
    // 10^18 fits 64 bits: both divisions are the fast 128-by-64-bit kind (wasm32 emulates
    // 128-bit division, and every oracle read runs this once per feed).
    const E18: u64 = 1_000_000_000_000_000_000;
    let Some((high, low)) = divrem_u128_u64(median_e18, E18) else { return u128::MAX };
    let high = high.saturating_mul(max_spread_e18);
    let low =
        u128::from(low).checked_mul(max_spread_e18).and_then(|p| divrem_u128_u64(p, E18)).map_or(u128::MAX, |(q, _)| q);
    high.saturating_add(low)
}

/// Sorts a short slice (at most one value per reporter) in place, ascending: an insertion sort,
/// a fraction of the code of the standard library's sorts (code size is paid on every call).
fn insertion_sort<T: Copy + Ord>(items: &mut [T]) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 {
            let (Some(&a), Some(&b)) = (items.get(j.wrapping_sub(1)), items.get(j)) else { break };
            if a <= b {
                break;
            }
            items.swap(j.wrapping_sub(1), j);
            j = j.wrapping_sub(1);
        }
    }
}

/// A feed's value at `now_ms` (ms) from its stored submissions, losing no value to an outage or
/// a dispute.
///
/// * If [`aggregate`] gives a value at `now_ms`: that value.
/// * Otherwise the last value they gave: [`aggregate`] at the latest instant `c < now_ms` at which
///   it succeeded. The set of fresh submissions — and so the aggregate — changes only when a
///   submission starts counting (at its `ts_ms`) or stops (after `ts_ms + window_ms`), so only the
///   instants `ts_ms − 1` and `ts_ms + window_ms` are tried, latest first. The value keeps its old
///   stamp, so its age shows: a consumer comparing `ts_ms` with its own freshness limit sees it
///   as stale.
/// * If it never succeeded: [`FeedAggregateError::Disputed`] if the aggregate at `now_ms` is
///   disputed, else [`FeedAggregateError::NoQuorum`].
///
/// Submissions after `now_ms` never count. Deterministic and independent of the order of
/// `submissions`; at most `2 · submissions.len() + 1` aggregations, in the fallback case only.
pub fn latest_value(
    submissions: &[Submission],
    now_ms: u64,
    rules: &FeedRules,
) -> Result<Submission, FeedAggregateError> {
    let now_error = match aggregate(submissions, now_ms, rules) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    // Latest first, without sorting: each round takes the latest change instant before the
    // previous one; `before` strictly falls.
    let mut before = now_ms;
    loop {
        let instants = submissions
            .iter()
            .flat_map(|s| [s.ts_ms.checked_sub(1), s.ts_ms.checked_add(rules.window_ms)])
            .flatten()
            .filter(|&c| c < before);
        let Some(instant) = instants.max() else { return Err(now_error) };
        if let Ok(value) = aggregate(submissions, instant, rules) {
            return Ok(value);
        }
        before = instant;
    }
}

/// Length of a settlement period, ms: settlement boundaries are the whole minutes (UTC), and
/// listed expiries lie on them.
pub const SETTLEMENT_PERIOD_MS: u64 = 60_000;

/// The settlement boundary at or before `ts_ms`: the whole minute it falls in.
#[must_use]
pub fn settlement_boundary(ts_ms: u64) -> u64 {
    ts_ms.saturating_sub(ts_ms % SETTLEMENT_PERIOD_MS)
}

/// The settlement boundary an option expiring at `expiry_ms` settles at: its expiry if that is a
/// whole minute, else the next whole minute.
#[must_use]
pub fn settlement_boundary_of_expiry(expiry_ms: u64) -> u64 {
    let start = settlement_boundary(expiry_ms);
    if start == expiry_ms {
        start
    } else {
        start.saturating_add(SETTLEMENT_PERIOD_MS)
    }
}

/// The settlement value of `boundary_ms` at `now_ms`: [`aggregate`] over the submissions stamped
/// at or after the boundary only. The oracle calls this on every submission after a boundary
/// and records the first value it gives, so the settlement price is the first value a quorum of
/// post-boundary observations supports — it depends on the oracle's data alone, not on who reads
/// it or when.
pub fn settlement_value(
    submissions: &[Submission],
    now_ms: u64,
    boundary_ms: u64,
    rules: &FeedRules,
) -> Result<Submission, FeedAggregateError> {
    let after: Vec<Submission> = submissions.iter().copied().filter(|s| s.ts_ms >= boundary_ms).collect();
    aggregate(&after, now_ms, rules)
}

/// Checks a submission of `value_e18` (18 decimals) observed at `ts_ms` against the current time
/// `now_ms` (ms) and the feed's inclusive bounds `[min_e18, max_e18]`.
///
/// Checks in this order, returning the first failure: the value is not zero
/// ([`SubmissionError::ZeroValue`], even if `min_e18` is 0), it lies within the bounds
/// ([`SubmissionError::OutOfBounds`]; with `min_e18 > max_e18` every value is out of bounds), and
/// `ts_ms ≤ now_ms` ([`SubmissionError::FutureTimestamp`]; a timestamp equal to `now_ms` is
/// accepted). Freshness is not checked here: an old but honest observation is accepted and simply
/// stops counting once it leaves the feed's window.
pub fn check_submission(
    value_e18: u128,
    ts_ms: u64,
    now_ms: u64,
    min_e18: u128,
    max_e18: u128,
) -> Result<(), SubmissionError> {
    if value_e18 == 0 {
        return Err(SubmissionError::ZeroValue);
    }
    if value_e18 < min_e18 || value_e18 > max_e18 {
        return Err(SubmissionError::OutOfBounds);
    }
    if ts_ms > now_ms {
        return Err(SubmissionError::FutureTimestamp);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_767_225_600_000;

    fn sub(value_e18: u128, ts_ms: u64) -> Submission {
        Submission { value_e18, ts_ms }
    }

    /// Every fresh value agrees (no dispute possible).
    fn rules(window_ms: u64, quorum: u32) -> FeedRules {
        FeedRules { window_ms, quorum, max_spread_e18: u128::MAX }
    }

    #[test]
    fn freshness_edge_is_inclusive() {
        assert!(is_fresh(NOW - 1000, NOW, 1000));
        assert!(!is_fresh(NOW - 1001, NOW, 1000));
        assert!(is_fresh(NOW - 999, NOW, 1000));
        assert!(is_fresh(NOW, NOW, 0));
        assert!(!is_fresh(NOW - 1, NOW, 0));
        assert!(!is_fresh(NOW + 1, NOW, u64::MAX));
        assert!(is_fresh(0, u64::MAX, u64::MAX));
    }

    #[test]
    fn odd_count_takes_the_middle_and_the_quorum_th_newest_timestamp() {
        let subs = [sub(30, NOW - 5), sub(10, NOW - 1), sub(20, NOW - 9)];
        assert_eq!(aggregate(&subs, NOW, &rules(100, 3)), Ok(sub(20, NOW - 9)));
        assert_eq!(aggregate(&subs, NOW, &rules(100, 2)), Ok(sub(20, NOW - 5)));
        assert_eq!(aggregate(&subs, NOW, &rules(100, 1)), Ok(sub(20, NOW - 1)));
    }

    #[test]
    fn even_count_takes_the_lower_middle() {
        let subs = [sub(40, NOW), sub(10, NOW), sub(30, NOW), sub(20, NOW)];
        assert_eq!(aggregate(&subs, NOW, &rules(100, 1)).map(|s| s.value_e18), Ok(20));
        let two = [sub(7, NOW), sub(3, NOW)];
        assert_eq!(aggregate(&two, NOW, &rules(100, 2)).map(|s| s.value_e18), Ok(3));
    }

    #[test]
    fn stale_submissions_neither_vote_nor_age_the_value() {
        let subs = [sub(1, NOW - 101), sub(50, NOW - 100), sub(60, NOW - 3), sub(70, NOW)];
        assert_eq!(aggregate(&subs, NOW, &rules(100, 3)), Ok(sub(60, NOW - 100)));
        assert_eq!(aggregate(&subs, NOW, &rules(100, 2)), Ok(sub(60, NOW - 3)));
        assert_eq!(aggregate(&subs, NOW, &rules(99, 3)), Err(FeedAggregateError::NoQuorum));
    }

    #[test]
    fn quorum_is_counted_over_fresh_submissions_only() {
        assert_eq!(aggregate(&[], NOW, &rules(100, 0)), Err(FeedAggregateError::NoQuorum));
        assert_eq!(aggregate(&[sub(5, NOW)], NOW, &rules(100, 0)), Ok(sub(5, NOW)));
        assert_eq!(aggregate(&[sub(5, NOW), sub(6, NOW)], NOW, &rules(100, 3)), Err(FeedAggregateError::NoQuorum));
        assert_eq!(aggregate(&[sub(5, NOW + 1), sub(6, NOW)], NOW, &rules(100, 2)), Err(FeedAggregateError::NoQuorum));
        assert_eq!(aggregate(&[sub(5, NOW)], NOW, &rules(100, u32::MAX)), Err(FeedAggregateError::NoQuorum));
    }

    #[test]
    fn values_beyond_the_spread_do_not_agree() {
        // 2%: 100 ± 2 agree with a median of 100.
        let r = FeedRules { window_ms: 100, quorum: 2, max_spread_e18: 20_000_000_000_000_000 }; // 2%
        assert_eq!(aggregate(&[sub(100, NOW), sub(102, NOW)], NOW, &r), Ok(sub(100, NOW)));
        // The lower middle of (100, 103) is 100; 103 does not agree: one agreeing value of two.
        assert_eq!(aggregate(&[sub(100, NOW), sub(103, NOW)], NOW, &r), Err(FeedAggregateError::Disputed));
        // A third reporter agreeing settles it, and the outlier's stamp does not count.
        let three = [sub(100, NOW - 7), sub(104, NOW), sub(101, NOW - 4)];
        assert_eq!(aggregate(&three, NOW, &r), Ok(sub(101, NOW - 7)));
    }

    #[test]
    fn one_backdating_reporter_does_not_age_the_value() {
        let subs = [sub(100, NOW), sub(100, NOW - 1), sub(100, NOW - 45_000)];
        assert_eq!(aggregate(&subs, NOW, &rules(60_000, 2)).map(|s| s.ts_ms), Ok(NOW - 1));
    }

    #[test]
    fn submissions_are_checked_in_order() {
        assert_eq!(check_submission(0, NOW + 1, NOW, 0, 10), Err(SubmissionError::ZeroValue));
        assert_eq!(check_submission(11, NOW + 1, NOW, 1, 10), Err(SubmissionError::OutOfBounds));
        assert_eq!(check_submission(0, NOW, NOW, 1, 10), Err(SubmissionError::ZeroValue));
        assert_eq!(check_submission(1, NOW, NOW, 2, 10), Err(SubmissionError::OutOfBounds));
        assert_eq!(check_submission(5, NOW + 1, NOW, 1, 10), Err(SubmissionError::FutureTimestamp));
        assert_eq!(check_submission(1, NOW, NOW, 1, 10), Ok(()));
        assert_eq!(check_submission(10, 0, NOW, 1, 10), Ok(()));
        assert_eq!(check_submission(5, NOW, NOW, 6, 4), Err(SubmissionError::OutOfBounds));
    }

    #[test]
    fn ties_and_duplicates_are_ordinary_values() {
        let subs = [sub(3, NOW), sub(3, NOW - 7), sub(1, NOW), sub(3, NOW - 200)];
        assert_eq!(aggregate(&subs, NOW, &rules(100, 2)), Ok(sub(3, NOW)));
    }

    #[test]
    fn settlement_counts_only_submissions_from_the_boundary_on() {
        let boundary = settlement_boundary(NOW + 5);
        assert_eq!(boundary % SETTLEMENT_PERIOD_MS, 0);
        assert_eq!(settlement_boundary_of_expiry(boundary), boundary);
        assert_eq!(settlement_boundary_of_expiry(boundary + 1), boundary + SETTLEMENT_PERIOD_MS);
        let subs = [sub(90, boundary - 1), sub(100, boundary), sub(110, boundary + 10)];
        assert_eq!(settlement_value(&subs, boundary + 10, boundary, &rules(60_000, 2)), Ok(sub(100, boundary)));
        assert_eq!(
            settlement_value(&subs, boundary + 10, boundary, &rules(60_000, 3)),
            Err(FeedAggregateError::NoQuorum)
        );
    }
}
