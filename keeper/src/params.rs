//! The example deployment parameters (risk parameters, oracle window, lot) and decimal helpers
//! for literals: shared by the keeper's tests, the sandbox suite, the drill and the simulator.

use deltamargin_core::types::{MarketConfig, RiskParams, MAX_VOL_E18};
use deltamargin_interfaces::FeedKind;
use oracle::FeedConfig;

/// 10^18.
pub const E18: u128 = margin_math::decimal::E18;
/// Start of every test, ms.
pub const T0: u64 = 1_767_225_600_000;
/// Markets: BTC (0), ETH (1), IDX (2).
pub const BTC: u32 = 0;
/// Ether market.
pub const ETH: u32 = 1;
/// An index token market (0-decimal token).
pub const IDX: u32 = 2;
/// Oracle window, ms: no longer than the engine's max oracle age (the engine refuses feeds whose
/// window exceeds it).
pub const WINDOW_MS: u64 = 30_000;
/// Engine max oracle age, ms.
pub const MAX_AGE_MS: u64 = 30_000;
/// Minimum lot: 0.001 contracts.
pub const LOT: u128 = E18 / 1000;

/// Decimal literal helper for tests and examples: `units("1.5", 6) = 1_500_000`. Panics on a
/// malformed literal or more fractional digits than `decimals`.
pub fn units(text: &str, decimals: u32) -> u128 {
    let places = u8::try_from(decimals).unwrap_or(u8::MAX);
    match margin_math::decimal::parse_units(text, places) {
        Ok(x) => x,
        Err(e) => panic!("`{text}` with {decimals} decimals: {e}"),
    }
}

/// `e18("60000.5")`.
pub fn e18(text: &str) -> u128 {
    units(text, 18)
}

/// The example risk parameters: spot shocks 10% / 6%, vol shocks 0.20 / 0.12, vol floor 0.05,
/// short-option add-on 1%, rate 0 (the model: `docs/model.md`).
pub fn risk() -> RiskParams {
    RiskParams {
        spot_shock_im_e18: e18("0.10"),
        spot_shock_mm_e18: e18("0.06"),
        vol_shock_im_e18: e18("0.20"),
        vol_shock_mm_e18: e18("0.12"),
        vol_floor_e18: e18("0.05"),
        short_option_addon_e18: e18("0.01"),
        rate_e18: 0,
    }
}

/// A market configuration on feeds `2u` (price) and `2u + 1` (vol).
pub fn market_config(underlying: u32) -> MarketConfig {
    MarketConfig {
        price_feed: 2 * underlying,
        vol_feed: 2 * underlying + 1,
        risk: risk(),
        max_oracle_age_ms: MAX_AGE_MS,
        band_e18: e18("0.02"),
        band_vol_e18: e18("0.05"),
        tick_e18: e18("0.01"),
        lot_e18: LOT,
        max_spot_e18: e18("1000000"),
        open_interest_cap_e18: e18("1000000"),
        account_notional_cap_e18: e18("1000000000000"),
    }
}

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
