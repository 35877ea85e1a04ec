//! Property tests of the oracle feed rules (`margin_math::feed`; the rules: `docs/contracts.md`,
//! oracle).
//!
//! Case count: proptest's default (256) or `PROPTEST_CASES` (CI sets 2000). Submissions are drawn
//! with timestamps from 2 s before to 0.5 s after `NOW` (so some are stale and some in the future)
//! and windows up to 2.5 s, values over the whole `u128` range.

use margin_math::feed::{
    aggregate, check_submission, is_fresh, latest_value, settlement_value, FeedAggregateError, FeedRules, Submission,
    SubmissionError,
};
use proptest::prelude::*;

const NOW: u64 = 1_767_225_600_000;
const E18: u128 = 1_000_000_000_000_000_000;

fn sub(value_e18: u128, ts_ms: u64) -> Submission {
    Submission { value_e18, ts_ms }
}

/// Rules under which every fresh value agrees (no dispute possible).
fn agreeing(window_ms: u64, quorum: u32) -> FeedRules {
    FeedRules { window_ms, quorum, max_spread_e18: u128::MAX }
}

fn fresh_values(subs: &[Submission], now: u64, window: u64) -> Vec<Submission> {
    subs.iter().copied().filter(|s| is_fresh(s.ts_ms, now, window)).collect()
}

fn submissions() -> impl Strategy<Value = Vec<Submission>> {
    prop::collection::vec((1u128..=u128::MAX, NOW - 2_000..=NOW + 500).prop_map(|(v, t)| sub(v, t)), 0..40)
}

/// The `k`-th newest (1-based) of the timestamps.
fn kth_newest(mut ts: Vec<u64>, k: usize) -> u64 {
    ts.sort_unstable_by(|a, b| b.cmp(a));
    ts[k - 1]
}

proptest! {
    #[test]
    fn median_is_a_fresh_value_splitting_the_set(subs in submissions(), window in 0u64..2_500, quorum in 0u32..8) {
        let fresh = fresh_values(&subs, NOW, window);
        let needed = quorum.max(1) as usize;
        match aggregate(&subs, NOW, &agreeing(window, quorum)) {
            Err(FeedAggregateError::NoQuorum) => prop_assert!(fresh.len() < needed),
            Err(FeedAggregateError::Disputed) => prop_assert!(false, "every value agrees"),
            Ok(agg) => {
                prop_assert!(fresh.len() >= needed);
                prop_assert!(fresh.iter().any(|s| s.value_e18 == agg.value_e18));
                let below = fresh.iter().filter(|s| s.value_e18 <= agg.value_e18).count();
                let above = fresh.iter().filter(|s| s.value_e18 >= agg.value_e18).count();
                prop_assert!(2 * below >= fresh.len() && 2 * above >= fresh.len());
                // Lower middle: strictly fewer than half lie strictly below it.
                let strictly_below = fresh.iter().filter(|s| s.value_e18 < agg.value_e18).count();
                prop_assert!(2 * strictly_below < fresh.len());
                // Stamped with the quorum-th newest fresh timestamp.
                prop_assert_eq!(agg.ts_ms, kth_newest(fresh.iter().map(|s| s.ts_ms).collect(), needed));
            }
        }
    }

    /// A value needs a quorum of fresh values within the spread of the median; a dispute means a
    /// quorum is fresh but fewer than a quorum agree.
    #[test]
    fn a_value_is_agreed_by_a_quorum_and_a_dispute_is_not(
        values in prop::collection::vec((1_000u128..2_000, NOW - 100..=NOW), 0..12),
        spread_permille in 0u128..100,
        quorum in 1u32..6,
    ) {
        let subs: Vec<Submission> = values.iter().map(|&(v, t)| sub(v, t)).collect();
        let rules = FeedRules { window_ms: 100, quorum, max_spread_e18: spread_permille * E18 / 1000 };
        let agreeing_with = |m: u128| subs.iter().filter(|s| s.value_e18.abs_diff(m) * 1000 <= m * spread_permille).count();
        match aggregate(&subs, NOW, &rules) {
            Ok(agg) => prop_assert!(agreeing_with(agg.value_e18) >= quorum as usize),
            Err(FeedAggregateError::Disputed) => {
                prop_assert!(subs.len() >= quorum as usize);
                let mut sorted: Vec<u128> = subs.iter().map(|s| s.value_e18).collect();
                sorted.sort_unstable();
                prop_assert!(agreeing_with(sorted[(sorted.len() - 1) / 2]) < quorum as usize);
            }
            Err(FeedAggregateError::NoQuorum) => prop_assert!(subs.len() < quorum as usize),
        }
    }

    /// With a strict majority of honest reporters agreeing within the spread and reporting fresh
    /// values, a minority of outliers (any values, any timestamps up to now) can neither move the
    /// value outside the honest range, nor dispute it, nor age it beyond the honest quorum.
    #[test]
    fn a_minority_can_neither_move_nor_dispute_nor_age_the_value(
        honest in prop::collection::vec((1_000_000u128..1_010_000, NOW - 50..=NOW), 2..9),
        outliers in prop::collection::vec((prop_oneof![Just(1u128), Just(u128::MAX), 1u128..=u128::MAX], 0..=NOW), 0..8),
    ) {
        let reporters = honest.len() + outliers.len().min(honest.len() - 1);
        let outliers = &outliers[..reporters - honest.len()];
        let quorum = (reporters / 2 + 1) as u32;
        prop_assume!(honest.len() >= quorum as usize);
        // Honest values lie within 1% of each other: a 2% spread makes them agree.
        let rules = FeedRules { window_ms: 100, quorum, max_spread_e18: E18 / 50 };
        let mut subs: Vec<Submission> = honest.iter().map(|&(v, t)| sub(v, t)).collect();
        subs.extend(outliers.iter().map(|&(v, t)| sub(v, t)));
        let agg = aggregate(&subs, NOW, &rules).expect("an honest majority gives a value");
        let lo = honest.iter().map(|h| h.0).min().unwrap();
        let hi = honest.iter().map(|h| h.0).max().unwrap();
        prop_assert!(lo <= agg.value_e18 && agg.value_e18 <= hi, "{} not in [{lo}, {hi}]", agg.value_e18);
        let honest_stamp = kth_newest(honest.iter().map(|h| h.1).collect(), quorum as usize);
        prop_assert!(agg.ts_ms >= honest_stamp.min(NOW - 100), "stamp {} older than the honest quorum's {honest_stamp}", agg.ts_ms);
    }

    #[test]
    fn aggregate_is_permutation_invariant(subs in submissions(), window in 0u64..2_500, seed in any::<u64>(), spread in any::<u64>()) {
        let mut shuffled = subs.clone();
        // Deterministic Fisher–Yates driven by a linear congruential generator.
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let j = (state >> 33) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        let rules = FeedRules { window_ms: window, quorum: 2, max_spread_e18: u128::from(spread) };
        prop_assert_eq!(aggregate(&subs, NOW, &rules), aggregate(&shuffled, NOW, &rules));
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
        let agg = aggregate(&subs, NOW, &agreeing(0, 1)).unwrap();
        prop_assert_eq!(agg.value_e18, sorted[sorted.len() / 2 - 1]);
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

    /// A settlement value uses only submissions stamped at or after the boundary.
    #[test]
    fn settlement_ignores_submissions_before_the_boundary(subs in submissions(), cut in NOW - 2_000..=NOW) {
        let rules = agreeing(2_500, 2);
        let after: Vec<Submission> = subs.iter().copied().filter(|s| s.ts_ms >= cut).collect();
        prop_assert_eq!(settlement_value(&subs, NOW, cut, &rules), aggregate(&after, NOW, &rules));
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
    /// trying every millisecond from `now` down to 0 — with disputes as well as outages.
    #[test]
    fn latest_value_is_the_aggregate_at_the_last_instant_with_a_value(
        subs in small_submissions(),
        now in 0u64..=400,
        window in 0u64..=60,
        quorum in 0u32..5,
        spread_percent in prop_oneof![Just(1000u128), 0u128..50],
    ) {
        let rules = FeedRules { window_ms: window, quorum, max_spread_e18: spread_percent * E18 / 100 };
        let reference = (0..=now).rev().find_map(|t| aggregate(&subs, t, &rules).ok());
        prop_assert_eq!(latest_value(&subs, now, &rules).ok(), reference);
    }

    /// With a value now, nothing changes: the value is `aggregate`'s.
    #[test]
    fn latest_value_equals_aggregate_while_it_has_a_value(
        subs in submissions(),
        window in 0u64..2_500,
        quorum in 0u32..8,
    ) {
        let rules = agreeing(window, quorum);
        if let Ok(now_value) = aggregate(&subs, NOW, &rules) {
            prop_assert_eq!(latest_value(&subs, NOW, &rules), Ok(now_value));
        }
    }
}

#[test]
fn outage_serves_the_last_quorum_value_with_its_old_stamp() {
    // Window 60 s, quorum 2: three reporters at 0, 10 s and 20 s (values 100, 102, 101).
    let subs = [sub(100, 0), sub(102, 10_000), sub(101, 20_000)];
    let q2 = agreeing(60_000, 2);
    // At 30 s all three are fresh: median 101, stamped with the second newest, 10 s.
    assert_eq!(latest_value(&subs, 30_000, &q2), Ok(sub(101, 10_000)));
    // At 65 s the first has left: median of 102 and 101 is the lower, 101, stamped 10 s.
    assert_eq!(latest_value(&subs, 65_000, &q2), Ok(sub(101, 10_000)));
    // At 75 s only one is fresh: the last quorum was at 70 s (10 s + 60 s), the same value.
    assert_eq!(aggregate(&subs, 75_000, &q2), Err(FeedAggregateError::NoQuorum));
    assert_eq!(latest_value(&subs, 75_000, &q2), Ok(sub(101, 10_000)));
    // A day later nothing has changed but the age.
    assert_eq!(latest_value(&subs, 86_400_000, &q2), Ok(sub(101, 10_000)));
    // Quorum 3 was met only until 60 s (the first submission's last instant).
    assert_eq!(latest_value(&subs, 86_400_000, &agreeing(60_000, 3)), Ok(sub(101, 0)));
    // Submissions never fresh together: no value at all.
    let apart = [sub(100, 0), sub(100, 61_000)];
    assert_eq!(latest_value(&apart, 200_000, &q2), Err(FeedAggregateError::NoQuorum));
    // A submission from the future does not count.
    assert_eq!(latest_value(&[sub(7, 500)], 400, &agreeing(60_000, 1)), Err(FeedAggregateError::NoQuorum));
}

#[test]
fn dispute_serves_the_last_agreed_value_with_its_old_stamp() {
    // 2%: reporters at 100 (0 s) and 101 (5 s) agree; at 10 s the second one's next submission
    // says 110, which the first does not agree with (quorum 2 of the two).
    let rules = FeedRules { window_ms: 60_000, quorum: 2, max_spread_e18: E18 / 50 };
    let before = [sub(100, 0), sub(101, 5_000)];
    assert_eq!(latest_value(&before, 8_000, &rules), Ok(sub(100, 0)));
    let now = [sub(100, 0), sub(110, 10_000)];
    assert_eq!(aggregate(&now, 12_000, &rules), Err(FeedAggregateError::Disputed));
    // The stored data no longer holds 101: the last instant it gave a value is just before 10 s,
    // when only the first reporter counted — no quorum; so there is no value to fall back on.
    assert_eq!(latest_value(&now, 12_000, &rules), Err(FeedAggregateError::Disputed));
    // With a third reporter agreeing with the first, a quorum of 2 agrees: the outlier neither
    // moves nor disputes the value; a quorum of 3 is disputed.
    let three = [sub(100, 0), sub(110, 10_000), sub(100, 2_000)];
    let three_rules = FeedRules { quorum: 3, ..rules };
    assert_eq!(aggregate(&three, 12_000, &three_rules), Err(FeedAggregateError::Disputed));
    assert_eq!(latest_value(&three, 12_000, &FeedRules { quorum: 2, ..rules }), Ok(sub(100, 0)));
}
