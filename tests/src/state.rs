//! The full observable state of a suite, captured before and after an operation so that a
//! failing operation can be shown to change nothing.

use std::fmt::Debug;

use engine::EngineError;
use ink::scale::{Decode, Encode};

use crate::suite::Suite;
use crate::utils::Account;

pub use crate::conservation::State;

impl Suite {
    /// Captures [`State`] including the accounts of `actors` (indexed accounts are always included).
    pub fn state(&mut self, actors: &[Account]) -> State {
        crate::conservation::capture(self, actors)
    }
}

/// Calls `message` on the engine as `origin`, asserts that it fails with exactly `expected`,
/// reverts, emits no event and leaves the full state of `actors` (and every indexed account)
/// unchanged.
pub fn assert_rejected<T: Decode + Debug + PartialEq>(
    s: &mut Suite,
    actors: &[Account],
    origin: Account,
    message: &str,
    args: impl Encode,
    expected: EngineError,
) {
    let before = s.state(actors);
    s.chain.clear_events();
    let engine = s.engine;
    let result: Result<T, EngineError> = s.chain.call(origin, engine, message, args);
    assert_eq!(result, Err(expected), "{message}");
    assert!(s.chain.last_reverted, "{message}: an Err result must revert");
    assert_eq!(s.chain.event_count(engine), 0, "{message}: a failed call emits nothing");
    assert_eq!(s.state(actors), before, "{message}: a failed call changes nothing");
}
