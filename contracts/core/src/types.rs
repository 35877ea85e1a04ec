//! Stored configuration and account data, and the views the engine returns. All numbers are
//! integers: `_e18` values carry 18 decimals, amounts are token base units, times are ms.

use deltamargin_interfaces::FeedId;
use ink::prelude::vec::Vec;
use ink::primitives::{AccountId, Hash};
use margin_math::margin::MarketParams;

/// Dense id of an underlying (index of its market, from 0).
pub type UnderlyingId = u32;
/// Dense id of an instrument (from 0).
pub type InstrumentId = u32;

/// Collateral assets that can be listed besides the quote asset.
pub const MAX_ASSETS: u32 = 16;
/// Markets (underlyings) that can be listed.
pub const MAX_MARKETS: u32 = 32;
/// Hard ceiling of positions per account (the configurable cap is at most this): bounds the gas of
/// `health` and of every margin check.
pub const MAX_POSITIONS: u32 = 32;
/// Largest notional in quote whole units (18 decimals) any single item may reach through the
/// caps: 1e18 quote. Keeps every reachable account computable (README "Units and conventions").
pub const MAX_ITEM_NOTIONAL_E18: u128 = 1_000_000_000_000_000_000 * 1_000_000_000_000_000_000;
/// Largest accepted spot: 1e10 quote per unit, 18 decimals.
pub const MAX_SPOT_E18: u128 = 10_000_000_000 * 1_000_000_000_000_000_000;
/// Smallest accepted spot: 1e-6 quote per unit, 18 decimals.
pub const MIN_SPOT_E18: u128 = 1_000_000_000_000;
/// Longest accepted max oracle age: one day, ms.
pub const MAX_ORACLE_AGE_MS: u64 = 86_400_000;
/// `1.0` with 18 decimals (margin-math's constant).
pub use margin_math::trading::ONE_E18;

/// Risk parameters of a market (`docs/model.md`), 18 decimals; the storable twin of
/// `margin_math::MarketParams`. It is declared here, not reused, because a stored type needs
/// ink!'s `StorageLayout` (no blanket impl exists) and `margin-math` stays free of ink!;
/// [`RiskParams::to_math`] is the one place the fields are mapped (tested field by field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct RiskParams {
    /// Spot shock for initial margin, fraction of spot.
    pub spot_shock_im_e18: u128,
    /// Spot shock for maintenance margin, fraction of spot.
    pub spot_shock_mm_e18: u128,
    /// Volatility shock for initial margin, absolute.
    pub vol_shock_im_e18: u128,
    /// Volatility shock for maintenance margin, absolute.
    pub vol_shock_mm_e18: u128,
    /// Floor of the lower volatility scenario.
    pub vol_floor_e18: u128,
    /// Add-on per short option contract, fraction of spot.
    pub short_option_addon_e18: u128,
    /// Annual continuously compounded rate for option pricing (signed).
    pub rate_e18: i128,
}

impl RiskParams {
    /// The same numbers as `margin-math` parameters.
    pub fn to_math(&self) -> MarketParams {
        MarketParams {
            spot_shock_im_e18: self.spot_shock_im_e18,
            spot_shock_mm_e18: self.spot_shock_mm_e18,
            vol_shock_im_e18: self.vol_shock_im_e18,
            vol_shock_mm_e18: self.vol_shock_mm_e18,
            vol_floor_e18: self.vol_floor_e18,
            short_option_addon_e18: self.short_option_addon_e18,
            rate_e18: self.rate_e18,
        }
    }
}

/// Everything the engine knows about one underlying's market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct MarketConfig {
    /// Oracle feed of the spot price, quote per whole unit.
    pub price_feed: FeedId,
    /// Oracle feed of the annualized volatility.
    pub vol_feed: FeedId,
    /// Margin model parameters.
    pub risk: RiskParams,
    /// Oldest accepted oracle value, ms (`now − ts ≤ max_oracle_age_ms` is fresh); 1 ms to 1 day.
    pub max_oracle_age_ms: u64,
    /// Trade price band, fraction of spot (0 < band ≤ 1): linear `|price − mark| ≤ band·S`;
    /// options use it on their delta: `|price − mark| ≤ vega·band_vol + |Δ|·S·band + tick`.
    pub band_e18: u128,
    /// Option price band in volatility terms, annualized vol points (≤ 1e18 = 100 points).
    pub band_vol_e18: u128,
    /// Option price band floor, quote per contract (18 decimals, ≤ `max_spot_e18`).
    pub tick_e18: u128,
    /// Minimum lot, contracts (18 decimals, > 0): sizes are whole multiples of it.
    pub lot_e18: u128,
    /// Highest spot the engine accepts from the oracle, quote per unit (≤ 1e10).
    pub max_spot_e18: u128,
    /// Cap of each instrument's open interest (sum of long sizes), contracts.
    pub open_interest_cap_e18: u128,
    /// Cap of an account's gross position notional in this underlying, `Σ|size|·S`, quote (18 decimals).
    pub account_notional_cap_e18: u128,
}

impl MarketConfig {
    /// Bounds checked at listing and on every update: the model's domain
    /// (`MarketParams::is_valid`), `0 < band ≤ 1`, `band_vol ≤ 1`, `tick ≤ max_spot`, `lot > 0`, `1e-6 ≤ max_spot ≤ 1e10`, age in
    /// 1 ms ..= 1 day, and caps small enough that no item can exceed `MAX_ITEM_NOTIONAL_E18` at
    /// `max_spot`.
    pub fn is_valid(&self) -> bool {
        let notional_ok = |cap_e18: u128| {
            margin_math::trading::mul_div(cap_e18, self.max_spot_e18, ONE_E18, true)
                .is_ok_and(|n| n <= MAX_ITEM_NOTIONAL_E18)
        };
        self.risk.to_math().is_valid()
            && self.band_e18 > 0
            && self.band_e18 <= ONE_E18
            && self.band_vol_e18 <= ONE_E18
            && self.tick_e18 <= self.max_spot_e18
            && self.lot_e18 > 0
            && self.lot_e18 <= self.open_interest_cap_e18
            && self.max_spot_e18 >= MIN_SPOT_E18
            && self.max_spot_e18 <= MAX_SPOT_E18
            && self.max_oracle_age_ms > 0
            && self.max_oracle_age_ms <= MAX_ORACLE_AGE_MS
            && notional_ok(self.open_interest_cap_e18)
            && self.account_notional_cap_e18 <= MAX_ITEM_NOTIONAL_E18
    }
}

/// Largest volatility the engine accepts from the oracle: 10.0 (1000%), 18 decimals.
pub const MAX_VOL_E18: u128 = 10 * ONE_E18;

impl MarketConfig {
    /// The market of `underlying` from its oracle values at `now_ms`, and whether it is fresh.
    /// Fresh: both values stamped within `max_oracle_age_ms` (boundary inclusive), both feeds'
    /// windows no longer than it (the oracle can lengthen a window after listing), and the
    /// price at most `max_spot_e18`. A stale price above the range is valued at its top. The
    /// one rule the engine, the lens and keepers apply to oracle values.
    /// Errors: `PriceOutOfRange` (a spot below `MIN_SPOT_E18` or a vol above `MAX_VOL_E18`).
    pub fn market_from(
        &self,
        underlying: UnderlyingId,
        price: &deltamargin_interfaces::FeedValue,
        vol: &deltamargin_interfaces::FeedValue,
        now_ms: u64,
    ) -> Result<(margin_math::margin::Market, bool), crate::EngineError> {
        let fresh = self.is_fresh(price.ts_ms, now_ms)
            && self.is_fresh(vol.ts_ms, now_ms)
            && price.window_ms <= self.max_oracle_age_ms
            && vol.window_ms <= self.max_oracle_age_ms
            && price.value_e18 <= self.max_spot_e18;
        let market = self.market_at(underlying, price.value_e18.min(self.max_spot_e18), vol.value_e18)?;
        Ok((market, fresh))
    }

    /// Whether an oracle value stamped `ts_ms` is fresh at `now_ms`: `ts ≤ now` and
    /// `now − ts ≤ max_oracle_age_ms` (inclusive).
    pub fn is_fresh(&self, ts_ms: u64, now_ms: u64) -> bool {
        ts_ms <= now_ms && now_ms.saturating_sub(ts_ms) <= self.max_oracle_age_ms
    }

    /// The `margin-math` market of `underlying` at spot `spot_e18` and volatility `vol_e18`;
    /// `PriceOutOfRange` unless `MIN_SPOT_E18 ≤ spot ≤ max_spot_e18` and `vol ≤ MAX_VOL_E18`.
    pub fn market_at(
        &self,
        underlying: UnderlyingId,
        spot_e18: u128,
        vol_e18: u128,
    ) -> Result<margin_math::margin::Market, crate::EngineError> {
        let in_range = (MIN_SPOT_E18..=self.max_spot_e18).contains(&spot_e18) && vol_e18 <= MAX_VOL_E18;
        crate::errors::ensure(in_range, crate::EngineError::PriceOutOfRange(underlying))?;
        Ok(margin_math::margin::Market { underlying, spot_e18, vol_e18, params: self.risk.to_math() })
    }
}

/// Pause flags set by the owner (`docs/contracts.md`, safety).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct PauseFlags {
    /// New risk paused: trades must reduce both sides' positions (deposits still work).
    pub new_risk: bool,
    /// Withdrawals paused.
    pub withdrawals: bool,
    /// A liquidation pause was started (and not lifted): liquidations wait until
    /// `liquidations_resume_at_ms` (at most `MAX_LIQUIDATION_PAUSE_MS` after the pause began; the
    /// flag stays set after that time until the owner lifts it, see [`liquidations_open`]).
    pub liquidations: bool,
}

/// Longest a liquidation pause lasts: 1 day, ms. It ends by itself; a new one within this length
/// after its end must be announced (notice of changes).
pub const MAX_LIQUIDATION_PAUSE_MS: u64 = 86_400_000;

/// Whether liquidations may run at `now_ms`: from `liquidations_resume_at_ms` on (the end of a
/// pause, or of the grace period after one was lifted). The one rule the engine and keepers use.
pub fn liquidations_open(liquidations_resume_at_ms: u64, now_ms: u64) -> bool {
    now_ms >= liquidations_resume_at_ms
}

/// Default notice of owner changes that can make a healthy account liquidatable: 1 day, ms.
pub const DEFAULT_CHANGE_DELAY_MS: u64 = 86_400_000;

/// Longest notice the owner may set: 30 days, ms.
pub const MAX_CHANGE_DELAY_MS: u64 = 30 * 86_400_000;

impl MarketConfig {
    /// Whether replacing `old` with this configuration can make a healthy account liquidatable
    /// (so it must be announced and wait the change delay): any shock, floor or add-on raised,
    /// the rate changed, a feed repointed, `max_spot` or the max oracle age lowered. New
    /// parameters join by being added here.
    pub fn needs_notice_over(&self, old: &MarketConfig) -> bool {
        let (n, o) = (&self.risk, &old.risk);
        n.spot_shock_im_e18 > o.spot_shock_im_e18
            || n.spot_shock_mm_e18 > o.spot_shock_mm_e18
            || n.vol_shock_im_e18 > o.vol_shock_im_e18
            || n.vol_shock_mm_e18 > o.vol_shock_mm_e18
            || n.vol_floor_e18 > o.vol_floor_e18
            || n.short_option_addon_e18 > o.short_option_addon_e18
            || n.rate_e18 != o.rate_e18
            || self.price_feed != old.price_feed
            || self.vol_feed != old.vol_feed
            || self.max_spot_e18 < old.max_spot_e18
            || self.max_oracle_age_ms < old.max_oracle_age_ms
    }
}

impl MarketConfig {
    /// Whether these parameters lower the margin further than an immediate change may: a shock,
    /// the vol floor or the short-option add-on below half of `reference` (the configuration in
    /// force after the market's listing or its last announced change), or the max oracle age
    /// above twice it. Such a change must be announced and wait the change delay like a raise,
    /// so within one delay margins fall by at most a factor of 2.
    pub fn below_floor_of(&self, reference: &MarketConfig) -> bool {
        let (n, r) = (&self.risk, &reference.risk);
        let below_half = |new: u128, reference: u128| new.saturating_mul(2) < reference;
        below_half(n.spot_shock_im_e18, r.spot_shock_im_e18)
            || below_half(n.spot_shock_mm_e18, r.spot_shock_mm_e18)
            || below_half(n.vol_shock_im_e18, r.vol_shock_im_e18)
            || below_half(n.vol_shock_mm_e18, r.vol_shock_mm_e18)
            || below_half(n.vol_floor_e18, r.vol_floor_e18)
            || below_half(n.short_option_addon_e18, r.short_option_addon_e18)
            || self.max_oracle_age_ms > reference.max_oracle_age_ms.saturating_mul(2)
    }
}

impl LiquidationParams {
    /// Whether replacing `old` with these parameters can hurt users or depositors (so it must
    /// wait the change delay): a higher penalty rate or end buffer (more is taken), a higher
    /// fund-paid reward cap (the fund pays more out).
    pub fn needs_notice_over(&self, old: &LiquidationParams) -> bool {
        self.penalty_rate_e18 > old.penalty_rate_e18
            || self.end_buffer_e18 > old.end_buffer_e18
            || self.insolvent_reward_cap > old.insolvent_reward_cap
    }
}

/// Protocol ceiling of the fee rate a venue may charge each side of a linear trade: 1% of the
/// notional, 18 decimals.
pub const MAX_LINEAR_FEE_RATE_E18: u128 = ONE_E18 / 100;

/// Protocol ceiling of the fee rate a venue may charge each side of an option trade: 12.5% of
/// the premium, 18 decimals (option fees are a fraction of the premium).
pub const MAX_OPTION_FEE_RATE_E18: u128 = ONE_E18 / 8;

/// Protocol ceiling of the per-contract floor a venue may add to an option fee: 0.03% of spot
/// per contract, 18 decimals (a cheap option may still pay this much: the usual per-contract
/// option fee of derivative venues).
pub const MAX_OPTION_FEE_FLOOR_E18: u128 = 3 * ONE_E18 / 10_000;

/// Furthest an option's expiry may lie ahead at listing: 10 years, ms. With rates bounded by 1
/// (100%), `e^{−rT} ≤ e^10` keeps every discounted strike inside the pricing type.
pub const MAX_EXPIRY_HORIZON_MS: u64 = 10 * 365 * 86_400_000;

/// Longest accepted grace period after liquidations are unpaused: 7 days, ms.
pub const MAX_GRACE_PERIOD_MS: u64 = 7 * 86_400_000;

/// Largest change of the rate per update: 0.05 (5 percentage points), 18 decimals.
pub const MAX_RATE_STEP_E18: i128 = 50_000_000_000_000_000;
/// Largest value a zero add-on or haircut may rise to in one update: 0.05, 18 decimals.
pub const MAX_STEP_FROM_ZERO_E18: u128 = 50_000_000_000_000_000;

/// Whether `new` is within a factor of 2 of `old` (`old/2 ≤ new ≤ 2·old`), or, from `old = 0`,
/// at most `from_zero`.
pub fn within_factor_two(old: u128, new: u128, from_zero: u128) -> bool {
    if old == 0 {
        return new <= from_zero;
    }
    let up_ok = old.checked_mul(2).is_none_or(|limit| new <= limit);
    let down_ok = new.checked_mul(2).is_none_or(|twice| twice >= old);
    up_ok && down_ok
}

impl MarketConfig {
    /// Step limits of `update_market`: the risk parameters (shocks, vol floor, add-on), the
    /// band, the lot and the max oracle age move at most a factor of 2 per update (a zero
    /// add-on may rise to at most 0.05), the rate at most 0.05; feeds, spot bound and caps are
    /// free within the listing bounds (lowering a cap only blocks new risk).
    pub fn within_step_of(&self, old: &MarketConfig) -> bool {
        let (n, o) = (&self.risk, &old.risk);
        within_factor_two(o.spot_shock_im_e18, n.spot_shock_im_e18, 0)
            && within_factor_two(o.spot_shock_mm_e18, n.spot_shock_mm_e18, 0)
            && within_factor_two(o.vol_shock_im_e18, n.vol_shock_im_e18, MAX_STEP_FROM_ZERO_E18)
            && within_factor_two(o.vol_shock_mm_e18, n.vol_shock_mm_e18, MAX_STEP_FROM_ZERO_E18)
            && within_factor_two(o.vol_floor_e18, n.vol_floor_e18, 0)
            && within_factor_two(o.short_option_addon_e18, n.short_option_addon_e18, MAX_STEP_FROM_ZERO_E18)
            && n.rate_e18.checked_sub(o.rate_e18).is_some_and(|d| d.unsigned_abs() <= MAX_RATE_STEP_E18.unsigned_abs())
            && within_factor_two(old.band_e18, self.band_e18, 0)
            && within_factor_two(old.band_vol_e18, self.band_vol_e18, MAX_STEP_FROM_ZERO_E18)
            && within_factor_two(old.tick_e18, self.tick_e18, MAX_STEP_FROM_ZERO_E18)
            && within_factor_two(old.lot_e18, self.lot_e18, 0)
            && within_factor_two(u128::from(old.max_oracle_age_ms), u128::from(self.max_oracle_age_ms), 0)
    }
}

/// A listed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct AssetConfig {
    /// The underlying whose spot prices it; `None` for the quote asset (credited to cash).
    pub underlying: Option<UnderlyingId>,
    /// Decimals read from `PSP22Metadata::token_decimals` at listing (0–24).
    pub decimals: u8,
    /// Un-netted haircut for wrapped/bridged tokens, fraction of value (< 1), 18 decimals.
    pub basis_haircut_e18: u128,
    /// Cap of all accounts' deposits of this asset, base units.
    pub deposit_cap: u128,
    /// Sum of all accounts' balances of this asset, base units. For the quote asset: deposits
    /// minus withdrawals, floored at 0 (withdrawn realized profits can exceed deposits); the
    /// deposit cap applies to it.
    pub total_deposits: u128,
}

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[allow(clippy::cast_possible_truncation)]
pub enum OptionType {
    /// Right to buy at the strike.
    Call,
    /// Right to sell at the strike.
    Put,
}

/// What an instrument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[allow(clippy::cast_possible_truncation)]
pub enum InstrumentKind {
    /// Perpetual-style linear contract on one unit of the underlying.
    Linear,
    /// European option on one unit, cash-settled in quote.
    Option {
        /// Call or put.
        option_type: OptionType,
        /// Strike, quote per unit, 18 decimals (1e-6 ..= 1e10).
        strike_e18: u128,
        /// Expiry, ms.
        expiry_ms: u64,
    },
}

/// A listed instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Instrument {
    /// The underlying it references.
    pub underlying: UnderlyingId,
    /// Linear or option.
    pub kind: InstrumentKind,
    /// Open interest: the sum of all long sizes, contracts (18 decimals).
    pub open_interest_e18: u128,
}

/// An authorized venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct VenueConfig {
    /// Highest fee rate the venue may charge each side, fraction of trade value (notional for
    /// linear contracts, premium for options), 18 decimals.
    pub max_fee_rate_e18: u128,
    /// Per-contract floor an option fee may reach whatever the premium: fraction of spot per
    /// contract, 18 decimals (an option fee may be up to `max_fee_rate·premium + floor·spot·size`).
    pub option_fee_floor_e18: u128,
    /// The venue's authorization epoch: an account's approval counts only if it was given in
    /// this epoch, so re-authorizing a venue does not revive approvals given before it was
    /// deauthorized.
    pub epoch: u32,
}

/// One collateral balance of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct CollateralBalance {
    /// The token.
    pub asset: AccountId,
    /// Balance, the token's base units (> 0 while stored).
    pub amount: u128,
}

/// One open position of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct PositionData {
    /// The instrument.
    pub instrument: InstrumentId,
    /// The instrument's underlying (copied from the immutable listing, so margining an account
    /// reads no instrument records).
    pub underlying: UnderlyingId,
    /// The instrument's kind (copied from the immutable listing).
    pub kind: InstrumentKind,
    /// Signed size, contracts with 18 decimals (long > 0); never 0 while stored.
    pub size_e18: i128,
    /// Average entry price of a linear position, quote per unit, 18 decimals (0 for options).
    pub entry_e18: u128,
}

/// A margin account, read and written in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct AccountData {
    /// Quote cash, quote base units (negative = debt covered by collateral).
    pub cash: i128,
    /// Non-quote collateral balances.
    pub collateral: Vec<CollateralBalance>,
    /// Open positions.
    pub positions: Vec<PositionData>,
    /// Liquidation incentives the insurance fund has paid out while this account was insolvent,
    /// quote base units: at most `insolvent_reward_cap` per account until it is emptied.
    pub fund_rewards_paid: u128,
}

impl AccountData {
    /// Whether the account holds nothing at all (no cash, collateral or positions).
    pub fn is_empty(&self) -> bool {
        self.cash == 0 && self.collateral.is_empty() && self.positions.is_empty()
    }
}

/// Where an underlying's requirement is set — a grid point, or the bound over a spot cell
/// between two grid spots (`margin_math::margin::Scenario`) — as fixed-point bits of `I80F48`
/// (divide by 2^48 for the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct ScenarioView {
    /// Grid point: its spot; cell: its lower spot. Quote per unit (bits).
    pub spot_bits: i128,
    /// Grid point: its volatility; cell: the lower grid vol (bits).
    pub vol_bits: i128,
    /// Loss at the grid point, or the cell's loss bound, quote (bits).
    pub loss_bits: i128,
    /// `None` for a grid point.
    pub cell: Option<CellView>,
}

/// The rest of a cell scenario (bits): the bound covers `[spot, spot_high] × [vol, vol_high]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct CellView {
    /// The cell's upper spot, quote per unit.
    pub spot_high_bits: i128,
    /// The upper grid vol.
    pub vol_high_bits: i128,
    /// The spot where the bound sits.
    pub at_spot_bits: i128,
    /// The vega credit taken off the cell's loss, quote.
    pub vega_credit_bits: i128,
}

/// Risk of an account in one underlying; every figure is the raw `I80F48` bits `margin-math`
/// computed (value = bits / 2^48), so off-chain tools can compare bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct UnderlyingView {
    /// The underlying.
    pub underlying: UnderlyingId,
    /// Value of the underlying's items at spot, quote.
    pub value_bits: i128,
    /// Net delta, units of the underlying.
    pub delta_bits: i128,
    /// Net gamma, units per quote.
    pub gamma_bits: i128,
    /// Net vega, quote per 1.00 of volatility.
    pub vega_bits: i128,
    /// Initial margin requirement, quote.
    pub initial_margin_bits: i128,
    /// Maintenance margin requirement, quote.
    pub maintenance_margin_bits: i128,
    /// Worst point of the initial-margin grid.
    pub worst_im: ScenarioView,
    /// Worst point of the maintenance-margin grid.
    pub worst_mm: ScenarioView,
}

/// An account's health at fresh oracle prices: raw `I80F48` bits in quote whole units.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct HealthView {
    /// Equity `E`.
    pub equity_bits: i128,
    /// Initial margin `MR(im)`.
    pub initial_margin_bits: i128,
    /// Maintenance margin `MR(mm)`.
    pub maintenance_margin_bits: i128,
    /// `E − MR(mm)`.
    pub health_bits: i128,
    /// `health < 0`.
    pub liquidatable: bool,
    /// Block timestamp the health was computed at, ms.
    pub now_ms: u64,
    /// Per underlying held, in market order.
    pub underlyings: Vec<UnderlyingView>,
}

/// One point of a stress grid: raw `I80F48` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct StressPointView {
    /// Scenario spot, quote per unit (bits).
    pub spot_bits: i128,
    /// Scenario volatility (bits).
    pub vol_bits: i128,
    /// Loss of the underlying's items versus now, quote (bits; negative = gain).
    pub loss_bits: i128,
}

/// A read-only stress grid of one underlying (see `margin_math::margin::stress`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct StressView {
    /// The underlying.
    pub underlying: UnderlyingId,
    /// Spot points, evenly spaced over `S(1±h)`.
    pub spot_points: u32,
    /// Volatility points, evenly spaced over `[max(σ−v, σ_min), σ+v]`.
    pub vol_points: u32,
    /// Spot-major points.
    pub points: Vec<StressPointView>,
    /// Largest loss on the grid (≥ 0), quote (bits).
    pub worst_loss_bits: i128,
}

/// What a liquidator takes from an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[allow(clippy::cast_possible_truncation)]
pub enum LiquidationSlice {
    /// Part of a position: `quantity` contracts (18 decimals) move toward zero at the mark and
    /// the liquidator takes them over.
    Position(InstrumentId),
    /// Part of a collateral balance: `quantity` base units move to the liquidator's account,
    /// paid at the mark in quote tokens the liquidator transfers in.
    Collateral(AccountId),
}

/// Liquidation parameters (`docs/contracts.md`), set by the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct LiquidationParams {
    /// Penalty per unit of maintenance requirement released (`rate`, ≤ 1), 18 decimals.
    pub penalty_rate_e18: u128,
    /// Part of the penalty paid to the liquidator (≤ 1, the rest to the insurance fund), 18 decimals.
    pub liquidator_share_e18: u128,
    /// `b` of the liquidation-end target `MR(mm) + b·(MR(im) − MR(mm))` (≤ 1), 18 decimals.
    pub end_buffer_e18: u128,
    /// Largest incentive the insurance fund pays for one liquidation of an insolvent account,
    /// quote base units (its amount is what the penalty share would have been, capped).
    pub insolvent_reward_cap: u128,
}

impl LiquidationParams {
    /// The defaults at deployment: rate 0.5, liquidator share 0.5, `b` 0.5, no fund-paid reward.
    pub const DEFAULT: LiquidationParams = LiquidationParams {
        penalty_rate_e18: ONE_E18 / 2,
        liquidator_share_e18: ONE_E18 / 2,
        end_buffer_e18: ONE_E18 / 2,
        insolvent_reward_cap: 0,
    };

    /// Bounds: every fraction at most 1.
    pub fn is_valid(&self) -> bool {
        self.penalty_rate_e18 <= ONE_E18 && self.liquidator_share_e18 <= ONE_E18 && self.end_buffer_e18 <= ONE_E18
    }

    /// Step limits: the rate and `b` move at most a factor of 2 per update (from 0 at most to
    /// 0.05); the share and the reward cap are free within bounds.
    pub fn within_step_of(&self, old: &LiquidationParams) -> bool {
        within_factor_two(old.penalty_rate_e18, self.penalty_rate_e18, MAX_STEP_FROM_ZERO_E18)
            && within_factor_two(old.end_buffer_e18, self.end_buffer_e18, MAX_STEP_FROM_ZERO_E18)
    }
}

/// What one `liquidate` call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct LiquidationOutcome {
    /// Mark the slice moved at, quote per unit (18 decimals): spot for collateral and linear
    /// positions, the model price (or intrinsic value once expired) for options.
    pub price_e18: u128,
    /// Target's `E − MR(mm)` before, raw `I80F48` bits.
    pub health_before_bits: i128,
    /// Target's `E − MR(mm)` after (penalty included), raw `I80F48` bits.
    pub health_after_bits: i128,
    /// Target's equity `E` before, raw `I80F48` bits (negative: insolvent, so a slice only
    /// needs to keep it, see `margin_math::liquidation::slice_allowed`).
    pub equity_before_bits: i128,
    /// Target's equity after (penalty included, before any bad debt is written off), raw bits.
    pub equity_after_bits: i128,
    /// Penalty taken from the target, quote base units (0 from an insolvent target).
    pub penalty: u128,
    /// Paid to the liquidator's cash, quote base units (its penalty share, or the fund-paid
    /// incentive for an insolvent target).
    pub liquidator_reward: u128,
    /// Penalty share credited to the insurance fund, quote base units.
    pub fund_share: u128,
    /// Quote moved from the liquidator's cash to the target's for collateral, base units
    /// (`ceil` at spot; 0 for positions).
    pub payment: u128,
    /// Bad debt recognized in this call (the account's last item was taken with negative
    /// equity), quote base units.
    pub bad_debt: u128,
}

/// The engine's configuration and global figures in one view (`config()`), for keepers, UIs
/// and the lens: one call instead of one per figure (and a smaller engine).
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct EngineConfig {
    /// May run the admin module's messages and hand ownership on.
    pub owner: AccountId,
    /// Named by `transfer_ownership`; becomes owner by `accept_ownership`.
    pub pending_owner: Option<AccountId>,
    /// The price oracle the engine reads.
    pub oracle: AccountId,
    /// The quote asset (cash, fees, fund, deficit are in its base units).
    pub quote_asset: AccountId,
    /// The quote asset's decimals.
    pub quote_decimals: u8,
    /// The account credited with trade fees.
    pub fee_account: AccountId,
    /// Code hash of the admin module `admin(call)` delegate-calls (fixed at deployment).
    pub admin_code_hash: Hash,
    /// Maximum positions per account.
    pub max_positions: u32,
    /// Pause flags.
    pub paused: PauseFlags,
    /// Grace period after unpausing liquidations, ms.
    pub grace_period_ms: u64,
    /// Block time from which liquidations may run again, ms (see [`liquidations_open`]).
    pub liquidations_resume_at_ms: u64,
    /// Liquidation parameters.
    pub liquidation_params: LiquidationParams,
    /// Insurance fund, quote base units.
    pub insurance_fund: u128,
    /// Bad debt the fund could not cover, quote base units (quote withdrawals wait while > 0).
    pub deficit: u128,
    /// Quote tokens the engine has taken in minus paid out, base units; its quote balance must
    /// cover it after every quote pull.
    pub quote_held: u128,
    /// Listed markets (underlying ids `0..market_count`).
    pub market_count: u32,
    /// Listed instruments (ids `0..instrument_count`).
    pub instrument_count: u32,
    /// Accounts ever created (indices `0..account_count` for `accounts`).
    pub account_count: u32,
    /// Notice owner changes that can make a healthy account liquidatable must give, ms: they
    /// are announced (`announce`) and take effect no earlier than this later.
    pub change_delay_ms: u64,
}
