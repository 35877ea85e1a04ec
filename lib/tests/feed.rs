//! Property tests of the oracle feed rules (`margin_math::feed`; the rules: `docs/contracts.md`,
//! oracle).
//!
//! Case count: proptest's default (256) or `PROPTEST_CASES` (CI sets 2000). Submissions are drawn
//! with timestamps from 2 s before to 0.5 s after `NOW` (so some are stale and some in the future)
//! and windows up to 2.5 s, values over the whole `u128` range.

use margin_math::feed::{
    aggregate, check_submission, is_fresh, latest_value, FeedAggregateError, Submission, SubmissionError,
};
use proptest::prelude::*;

const NOW: u64 = 1_767_225_600_000;

fn sub(value_e18: u128, ts_ms: u64) -> Submission {
    Submission { value_e18, ts_ms }
}

fn fresh_values(subs: &[Submission], now: u64, window: u64) -> Vec<Submission> {
    subs.iter().copied().filter(|s| is_fresh(s.ts_ms, now, window)).collect()
}

fn submissions() -> impl Strategy<Value = Vec<Submission>> {
    prop::collection::vec((1u128..=u128::MAX, NOW - 2_000..=NOW + 500).prop_map(|(v, t)| sub(v, t)), 0..40)
}

proptest! {
    #[test]
    fn median_is_a_fresh_value_splitting_the_set(subs in submissions(), window in 0u64..2_500, quorum in 0u32..8) {
        let fresh = fresh_values(&subs, NOW, window);
        match aggregate(&subs, NOW, window, quorum) {
            Err(FeedAggregateError::NoQuorum) => prop_assert!(fresh.len() < quorum.max(1) as usize),
            Ok(agg) => {
                prop_assert!(fresh.len() >= quorum.max(1) as usize);
                prop_assert!(fresh.iter().any(|s| s.value_e18 == agg.value_e18));
                let below = fresh.iter().filter(|s| s.value_e18 <= agg.value_e18).count();
                let above = fresh.iter().filter(|s| s.value_e18 >= agg.value_e18).count();
                prop_assert!(2 * below >= fresh.len() && 2 * above >= fresh.len());
                // Lower middle: strictly fewer than half lie strictly below it.
                let strictly_below = fresh.iter().filter(|s| s.value_e18 < agg.value_e18).count();
                prop_assert!(2 * strictly_below < fresh.len());
                prop_assert!(fresh.iter().all(|s| agg.ts_ms <= s.ts_ms));
                prop_assert!(fresh.iter().any(|s| s.ts_ms == agg.ts_ms));
            }
        }
    }

    #[test]
    fn aggregate_is_permutation_invariant(subs in submissions(), window in 0u64..2_500, seed in any::<u64>()) {
        let mut shuffled = subs.clone();
        // Deterministic Fisher–Yates driven by a linear congruential generator.
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let j = (state >> 33) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        prop_assert_eq!(aggregate(&subs, NOW, window, 1), aggregate(&shuffled, NOW, window, 1));
    }

    #[test]
    fn even_count_median_is_the_lower_middle(mut values in prop::collection::vec(1u128..1_000_000, 1..20)) {
        if values.len() % 2 == 1 {
            values.pop();
        }
        prop_assume!(!values.is_empty());
        let subs: Vec<Submission> = values.iter().map(|&v| sub(v, NOW)).collect();
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let agg = aggregate(&subs, NOW, 0, 1).unwrap();
        prop_assert_eq!(agg.value_e18, sorted[sorted.len() / 2 - 1]);
    }

    #[test]
    fn a_minority_of_outliers_cannot_leave_the_honest_range(
        honest in prop::collection::vec(1_000u128..2_000, 1..10),
        outliers in prop::collection::vec(prop_oneof![Just(1u128), Just(u128::MAX), 1u128..=u128::MAX], 0..10),
    ) {
        // Strict minority of outliers (for an even total the lower middle is still honest when
        // outliers are fewer than honest values).
        let outliers = &outliers[..outliers.len().min(honest.len().saturating_sub(1))];
        let mut subs: Vec<Submission> = honest.iter().map(|&v| sub(v, NOW - 10)).collect();
        subs.extend(outliers.iter().map(|&v| sub(v, NOW)));
        let lo = *honest.iter().min().unwrap();
        let hi = *honest.iter().max().unwrap();
        let agg = aggregate(&subs, NOW, 10, 1).unwrap();
        prop_assert!(lo <= agg.value_e18 && agg.value_e18 <= hi, "{} not in [{lo}, {hi}]", agg.value_e18);
        prop_assert_eq!(agg.ts_ms, NOW - 10);
    }

    #[test]
    fn single_outlier_stays_within_the_fresh_range(subs in submissions(), outlier in any::<u128>(), window in 0u64..2_500) {
        let mut all = subs.clone();
        all.push(sub(outlier.max(1), NOW));
        if let Ok(agg) = aggregate(&all, NOW, window, 1) {
            let fresh = fresh_values(&all, NOW, window);
            let lo = fresh.iter().map(|s| s.value_e18).min().unwrap();
            let hi = fresh.iter().map(|s| s.value_e18).max().unwrap();
            prop_assert!(lo <= agg.value_e18 && agg.value_e18 <= hi);
            // With at least two other fresh values the outlier can only be the median if it
            // lies between them: never beyond the range of the other fresh values.
            let others: Vec<u128> = fresh_values(&subs, NOW, window).iter().map(|s| s.value_e18).collect();
            if others.len() >= 2 {
                let olo = *others.iter().min().unwrap();
                let ohi = *others.iter().max().unwrap();
                prop_assert!(olo <= agg.value_e18 && agg.value_e18 <= ohi);
            }
        }
    }

    #[test]
    fn check_submission_matches_its_definition(
        value in any::<u128>(), ts in any::<u64>(), now in any::<u64>(), min in any::<u128>(), max in any::<u128>(),
    ) {
        let expected = if value == 0 {
            Err(SubmissionError::ZeroValue)
        } else if value < min || value > max {
            Err(SubmissionError::OutOfBounds)
        } else if ts > now {
            Err(SubmissionError::FutureTimestamp)
        } else {
            Ok(())
        };
        prop_assert_eq!(check_submission(value, ts, now, min, max), expected);
    }
}

proptest! {
    #[test]
    fn freshness_matches_its_definition(ts in any::<u64>(), now in any::<u64>(), window in any::<u64>()) {
        let expected = ts <= now && u128::from(now) - u128::from(ts) <= u128::from(window);
        prop_assert_eq!(is_fresh(ts, now, window), expected);
    }

    #[test]
    fn freshness_edge_is_inclusive_at_every_window((now, window) in (1u64..=u64::MAX).prop_flat_map(|now| (Just(now), 0..now))) {
        prop_assert!(is_fresh(now - window, now, window));
        prop_assert!(!is_fresh(now - window - 1, now, window));
    }
}

/// Small clocks, so the reference can try every millisecond.
fn small_submissions() -> impl Strategy<Value = Vec<Submission>> {
    prop::collection::vec((1u128..=50, 0u64..=300).prop_map(|(v, t)| sub(v, t)), 0..12)
}

proptest! {
    /// `latest_value` is the aggregate at the latest millisecond `t ≤ now` that has one, found by
    /// trying every millisecond from `now` down to 0.
    #[test]
    fn latest_value_is_the_aggregate_at_the_last_instant_with_quorum(
        subs in small_submissions(),
        now in 0u64..=400,
        window in 0u64..=60,
        quorum in 0u32..5,
    ) {
        let reference = (0..=now).rev().find_map(|t| aggregate(&subs, t, window, quorum).ok());
        prop_assert_eq!(latest_value(&subs, now, window, quorum).ok(), reference);
    }

    /// With a quorum fresh now, nothing changes: the value is `aggregate`'s.
    #[test]
    fn latest_value_equals_aggregate_while_a_quorum_is_fresh(
        subs in submissions(),
        window in 0u64..2_500,
        quorum in 0u32..8,
    ) {
        if let Ok(now_value) = aggregate(&subs, NOW, window, quorum) {
            prop_assert_eq!(latest_value(&subs, NOW, window, quorum), Ok(now_value));
        }
    }
}

#[test]
fn outage_serves_the_last_quorum_value_with_its_old_stamp() {
    // Window 60 s, quorum 2: three reporters at 0, 10 s and 20 s (values 100, 102, 101).
    let subs = [sub(100, 0), sub(102, 10_000), sub(101, 20_000)];
    // At 30 s all three are fresh: median 101, oldest stamp 0.
    assert_eq!(latest_value(&subs, 30_000, 60_000, 2), Ok(sub(101, 0)));
    // At 65 s the first has left: median of 102 and 101 is the lower, 101, stamped 10 s.
    assert_eq!(latest_value(&subs, 65_000, 60_000, 2), Ok(sub(101, 10_000)));
    // At 75 s only one is fresh: the last quorum was at 70 s (10 s + 60 s), the same value.
    assert_eq!(aggregate(&subs, 75_000, 60_000, 2), Err(FeedAggregateError::NoQuorum));
    assert_eq!(latest_value(&subs, 75_000, 60_000, 2), Ok(sub(101, 10_000)));
    // A day later nothing has changed but the age.
    assert_eq!(latest_value(&subs, 86_400_000, 60_000, 2), Ok(sub(101, 10_000)));
    // Quorum 3 was met only until 60 s (the first submission's last instant).
    assert_eq!(latest_value(&subs, 86_400_000, 60_000, 3), Ok(sub(101, 0)));
    // Submissions never fresh together: no value at all.
    let apart = [sub(100, 0), sub(100, 61_000)];
    assert_eq!(latest_value(&apart, 200_000, 60_000, 2), Err(FeedAggregateError::NoQuorum));
    // A submission from the future does not count.
    assert_eq!(latest_value(&[sub(7, 500)], 400, 60_000, 1), Err(FeedAggregateError::NoQuorum));
}
