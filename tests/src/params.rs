//! The example oracle feeds of the sandbox suite and the drill; the engine-side example
//! parameters are the keeper crate's (`deltamargin_keeper::params`), re-exported here.

use engine::types::MAX_VOL_E18;
use oracle::{FeedConfig, FeedKind};

pub use deltamargin_keeper::params::*;

/// Largest spread from the median at which a reporter's value still agrees: 2%.
pub const MAX_SPREAD_E18: u128 = E18 / 50;

/// The example oracle feed: window [`WINDOW_MS`], `quorum`, values from 1e-18 up to `max_spot_e18`
/// for a price feed (the market's `max_spot_e18`: the engine accepts no feed that can report
/// more) or up to 10 for a volatility feed, spread [`MAX_SPREAD_E18`].
pub fn feed_config(kind: FeedKind, quorum: u32, max_spot_e18: u128) -> FeedConfig {
    let max_e18 = match kind {
        FeedKind::Price => max_spot_e18,
        FeedKind::Volatility => MAX_VOL_E18,
    };
    FeedConfig { kind, window_ms: WINDOW_MS, quorum, min_e18: 1, max_e18, max_spread_e18: MAX_SPREAD_E18 }
}
