//! Inputs of the margin model: markets (oracle snapshot and risk parameters) and an account.
//!
//! Every number is an integer as stored on chain: prices, volatilities and parameters with 18
//! decimals (`_e18`), amounts in token base units with their decimals, times in milliseconds.

use crate::black_scholes::OptionKind;
use crate::error::{MathError, MathResult};
use crate::fixed_point::{Precise, Value};
use crate::units::{e18_to_precise, e18_to_value, e18_to_value_ceil, signed_e18_to_precise};

/// Dense identifier of an underlying (the engine's market index; the CLI's market order).
pub type UnderlyingId = u32;

/// Risk parameters of one market, all with 18 decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketParams {
    /// Spot shock `h_im` for initial margin, fraction of spot (0.10 = 10%); `0 < h_mm ≤ h_im < 1`.
    pub spot_shock_im_e18: u128,
    /// Spot shock `h_mm` for maintenance margin, fraction of spot.
    pub spot_shock_mm_e18: u128,
    /// Volatility shock `v_im` for initial margin, absolute (0.20 = 20 vol points); `v_mm ≤ v_im`.
    pub vol_shock_im_e18: u128,
    /// Volatility shock `v_mm` for maintenance margin, absolute.
    pub vol_shock_mm_e18: u128,
    /// Volatility floor `σ_min` of the lower vol scenario, > 0.
    pub vol_floor_e18: u128,
    /// Short-option add-on `m`, fraction of spot per short contract, < 1.
    pub short_option_addon_e18: u128,
    /// Continuously compounded annual rate `r` used to price options, `|r| ≤ 1`.
    pub rate_e18: i128,
}

/// One underlying's oracle snapshot and parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Market {
    /// The underlying this market prices.
    pub underlying: UnderlyingId,
    /// Spot `S`, quote per whole unit, 18 decimals (> 0).
    pub spot_e18: u128,
    /// Volatility `σ`, annualized fraction, 18 decimals.
    pub vol_e18: u128,
    /// Risk parameters.
    pub params: MarketParams,
}

/// Collateral held in a non-quote asset that maps to an underlying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collateral {
    /// The underlying whose spot prices this asset.
    pub underlying: UnderlyingId,
    /// Balance in the asset's base units.
    pub amount: u128,
    /// The asset's decimals (0–24).
    pub decimals: u8,
    /// Un-netted haircut for wrapped/bridged assets, fraction of value, 18 decimals (< 1).
    pub basis_haircut_e18: u128,
}

/// What a position is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionKind {
    /// Perpetual-style linear contract with its entry price (quote per unit, 18 decimals).
    Linear {
        /// Average entry price, 18 decimals.
        entry_e18: u128,
    },
    /// European option, cash-settled in quote.
    Option {
        /// Call or put.
        kind: OptionKind,
        /// Strike, quote per unit, 18 decimals (> 0).
        strike_e18: u128,
        /// Expiry time, ms.
        expiry_ms: u64,
        /// The pinned settlement price (18 decimals) once known.
        settlement_e18: Option<u128>,
    },
}

/// A position of `size` contracts (one contract = one whole unit of the underlying).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The underlying.
    pub underlying: UnderlyingId,
    /// Signed size in contracts, 18 decimals (long > 0, short < 0).
    pub size_e18: i128,
    /// Linear or option.
    pub kind: PositionKind,
}

/// The account being margined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account<'a> {
    /// Quote cash in quote base units (negative = debt).
    pub cash: i128,
    /// The quote asset's decimals (0–24).
    pub cash_decimals: u8,
    /// Non-quote collateral.
    pub collateral: &'a [Collateral],
    /// Open positions.
    pub positions: &'a [Position],
}

/// A market's numbers converted once for one evaluation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PreparedMarket {
    pub spot: Value,
    pub spot_p: Precise,
    pub vol_p: Precise,
    pub rate_p: Precise,
    pub h_im: Value,
    pub h_mm: Value,
    pub h_im_p: Precise,
    pub h_mm_p: Precise,
    pub v_im_p: Precise,
    pub v_mm_p: Precise,
    pub vol_floor_p: Precise,
    pub addon: Value,
}

/// Largest accepted spot and strike: 1e10 quote per unit (README, "Units and conventions").
pub(crate) const MAX_PRICE_E18: u128 = 10_000_000_000 * 1_000_000_000_000_000_000;
/// Largest accepted volatility or vol shock: 10.0 (1000%).
pub(crate) const MAX_VOL_E18: u128 = 10 * 1_000_000_000_000_000_000;
const ONE_E18: u128 = 1_000_000_000_000_000_000;

impl MarketParams {
    /// Whether the parameters lie in the model's domain: `0 < h_mm ≤ h_im < 1`,
    /// `v_mm ≤ v_im ≤ 10`, `0 < σ_min ≤ 10`, `m < 1`, `|r| ≤ 1` (what the engine checks at listing).
    pub fn is_valid(&self) -> bool {
        let p = self;
        p.spot_shock_mm_e18 > 0
            && p.spot_shock_mm_e18 <= p.spot_shock_im_e18
            && p.spot_shock_im_e18 < ONE_E18
            && p.vol_shock_mm_e18 <= p.vol_shock_im_e18
            && p.vol_shock_im_e18 <= MAX_VOL_E18
            && p.vol_floor_e18 > 0
            && p.vol_floor_e18 <= MAX_VOL_E18
            && p.short_option_addon_e18 < ONE_E18
            && p.rate_e18.unsigned_abs() <= ONE_E18
    }
}

impl Market {
    /// Converts and validates: `0 < S ≤ 1e10`, `σ ≤ 10` and [`MarketParams::is_valid`];
    /// otherwise `OutOfDomain`.
    pub(crate) fn prepare(&self) -> MathResult<PreparedMarket> {
        let p = &self.params;
        let ok = self.spot_e18 > 0 && self.spot_e18 <= MAX_PRICE_E18 && self.vol_e18 <= MAX_VOL_E18 && p.is_valid();
        if !ok {
            return Err(MathError::OutOfDomain);
        }
        Ok(PreparedMarket {
            spot: e18_to_value(self.spot_e18)?,
            spot_p: e18_to_precise(self.spot_e18)?,
            vol_p: e18_to_precise(self.vol_e18)?,
            rate_p: signed_e18_to_precise(p.rate_e18)?,
            h_im: e18_to_value_ceil(p.spot_shock_im_e18)?,
            h_mm: e18_to_value_ceil(p.spot_shock_mm_e18)?,
            h_im_p: e18_to_precise(p.spot_shock_im_e18)?,
            h_mm_p: e18_to_precise(p.spot_shock_mm_e18)?,
            v_im_p: e18_to_precise(p.vol_shock_im_e18)?,
            v_mm_p: e18_to_precise(p.vol_shock_mm_e18)?,
            vol_floor_p: e18_to_precise(p.vol_floor_e18)?,
            addon: e18_to_value_ceil(p.short_option_addon_e18)?,
        })
    }
}
