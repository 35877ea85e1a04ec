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

/// One reporter's value for a feed, or a feed's aggregated value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Submission {
    /// The value, 18 decimals.
    pub value_e18: u128,
    /// When the value was observed, ms (for an aggregate: the oldest timestamp used).
    pub ts_ms: u64,
}

/// Why [`aggregate`] produced no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedAggregateError {
    /// Returned if fewer fresh submissions than `max(quorum, 1)` exist.
    NoQuorum,
}

impl core::fmt::Display for FeedAggregateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FeedAggregateError::NoQuorum => f.write_str("fewer fresh submissions than the quorum"),
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
/// * Only fresh submissions count ([`is_fresh`] with `window_ms`).
/// * Fewer than `max(quorum, 1)` fresh submissions: [`FeedAggregateError::NoQuorum`]. A quorum of
///   0 is treated as 1, so a value always comes from at least one submission.
/// * `value_e18` is the median of the fresh values; for an even count the **lower** of the two
///   middle values (no averaging, so the result is always a value some reporter submitted).
///   Consequently at least half of the fresh values are ≤ it and at least half are ≥ it, and it
///   lies within the range of the fresh values whatever a minority of outliers submit.
/// * `ts_ms` is the **oldest** timestamp among the fresh submissions, so consumers see the true
///   age of the data the value rests on.
///
/// Deterministic and independent of the order of `submissions`. Allocates one `Vec` of the fresh
/// values (sorted in place); no arithmetic that can overflow.
pub fn aggregate(
    submissions: &[Submission],
    now_ms: u64,
    window_ms: u64,
    quorum: u32,
) -> Result<Submission, FeedAggregateError> {
    let mut values: Vec<u128> = Vec::with_capacity(submissions.len());
    let mut oldest_ms: Option<u64> = None;
    for submission in submissions.iter().filter(|s| is_fresh(s.ts_ms, now_ms, window_ms)) {
        values.push(submission.value_e18);
        oldest_ms = Some(oldest_ms.map_or(submission.ts_ms, |oldest| oldest.min(submission.ts_ms)));
    }
    // A `u32` quorum above `usize::MAX` (16-bit targets) can never be met.
    let needed = usize::try_from(quorum.max(1)).unwrap_or(usize::MAX);
    if values.len() < needed {
        return Err(FeedAggregateError::NoQuorum);
    }
    values.sort_unstable();
    // Lower middle: index ⌊(n − 1) / 2⌋; n ≥ 1 here.
    let middle = values.len().checked_sub(1).ok_or(FeedAggregateError::NoQuorum)? / 2;
    let value_e18 = values.get(middle).copied().ok_or(FeedAggregateError::NoQuorum)?;
    let ts_ms = oldest_ms.ok_or(FeedAggregateError::NoQuorum)?;
    Ok(Submission { value_e18, ts_ms })
}

/// A feed's value at `now_ms` (ms) from its stored submissions, losing no value to an outage.
///
/// * If a quorum of them is fresh at `now_ms`: [`aggregate`] at `now_ms`.
/// * Otherwise the last value they supported: [`aggregate`] at the latest instant `c < now_ms` at
///   which a quorum of them was fresh at once. That instant is always the last millisecond some
///   submission still counted (`c = ts_ms + window_ms`: counts only fall when a submission
///   leaves the window), so only those instants are tried, latest first. The value keeps its
///   rule (median of the then-fresh values, stamped with their **oldest** timestamp), so its
///   age shows: a consumer comparing `ts_ms` with its own freshness limit sees it as stale.
/// * [`FeedAggregateError::NoQuorum`] only if a quorum of these submissions was never fresh at
///   the same time.
///
/// Submissions after `now_ms` never count. Deterministic and independent of the order of
/// `submissions`; at most `submissions.len() + 1` aggregations, in the outage case only.
pub fn latest_value(
    submissions: &[Submission],
    now_ms: u64,
    window_ms: u64,
    quorum: u32,
) -> Result<Submission, FeedAggregateError> {
    if let Ok(value) = aggregate(submissions, now_ms, window_ms, quorum) {
        return Ok(value);
    }
    // Latest first, without sorting (no second sort in the oracle's code): each round takes
    // the latest last-counting instant before the previous one; `before` strictly falls.
    let mut before = now_ms;
    loop {
        let latest = submissions.iter().filter_map(|s| s.ts_ms.checked_add(window_ms)).filter(|&c| c < before).max();
        let instant = latest.ok_or(FeedAggregateError::NoQuorum)?;
        if let Ok(value) = aggregate(submissions, instant, window_ms, quorum) {
            return Ok(value);
        }
        before = instant;
    }
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
    fn odd_count_takes_the_middle_and_oldest_timestamp() {
        let subs = [sub(30, NOW - 5), sub(10, NOW - 1), sub(20, NOW - 9)];
        assert_eq!(aggregate(&subs, NOW, 100, 3), Ok(sub(20, NOW - 9)));
    }

    #[test]
    fn even_count_takes_the_lower_middle() {
        let subs = [sub(40, NOW), sub(10, NOW), sub(30, NOW), sub(20, NOW)];
        assert_eq!(aggregate(&subs, NOW, 100, 1).map(|s| s.value_e18), Ok(20));
        let two = [sub(7, NOW), sub(3, NOW)];
        assert_eq!(aggregate(&two, NOW, 100, 2).map(|s| s.value_e18), Ok(3));
    }

    #[test]
    fn stale_submissions_neither_vote_nor_age_the_value() {
        let subs = [sub(1, NOW - 101), sub(50, NOW - 100), sub(60, NOW - 3), sub(70, NOW)];
        assert_eq!(aggregate(&subs, NOW, 100, 3), Ok(sub(60, NOW - 100)));
        assert_eq!(aggregate(&subs, NOW, 99, 3), Err(FeedAggregateError::NoQuorum));
    }

    #[test]
    fn quorum_is_counted_over_fresh_submissions_only() {
        assert_eq!(aggregate(&[], NOW, 100, 0), Err(FeedAggregateError::NoQuorum));
        assert_eq!(aggregate(&[sub(5, NOW)], NOW, 100, 0), Ok(sub(5, NOW)));
        assert_eq!(aggregate(&[sub(5, NOW), sub(6, NOW)], NOW, 100, 3), Err(FeedAggregateError::NoQuorum));
        assert_eq!(aggregate(&[sub(5, NOW + 1), sub(6, NOW)], NOW, 100, 2), Err(FeedAggregateError::NoQuorum));
        assert_eq!(aggregate(&[sub(5, NOW)], NOW, 100, u32::MAX), Err(FeedAggregateError::NoQuorum));
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
        assert_eq!(aggregate(&subs, NOW, 100, 2), Ok(sub(3, NOW - 7)));
    }
}
