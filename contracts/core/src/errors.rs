//! The engine's one error type. Every message returns `Result<_, EngineError>`; a message that
//! returns `Err` reverts every storage change it made.

use deltamargin_interfaces::{FeedError, FeedId};
use margin_math::MathError;

use crate::types::{InstrumentId, UnderlyingId};

/// Which side of a trade an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[allow(clippy::cast_possible_truncation)]
pub enum Side {
    /// The buyer (its position grows by `size`).
    Buyer,
    /// The seller (its position shrinks by `size`).
    Seller,
}

/// A `margin-math` failure, mirrored so it can be SCALE-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[allow(clippy::cast_possible_truncation)]
pub enum MathFailure {
    /// An intermediate or final value did not fit its fixed-point type.
    Overflow,
    /// A divisor was zero.
    DivisionByZero,
    /// `ln`/`sqrt` of a non-positive argument.
    NonPositive,
    /// A model input lay outside its documented domain.
    OutOfDomain,
    /// An item named an underlying without a market in the snapshot.
    UnknownUnderlying,
}

/// Everything that can make an engine message fail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[allow(clippy::cast_possible_truncation)]
pub enum EngineError {
    /// Returned if the caller is not the owner.
    NotOwner,
    /// Returned if the caller of `accept_ownership` is not the pending owner.
    NotPendingOwner,
    /// Returned if a token is not listed (neither the quote asset nor a collateral asset).
    UnknownAsset,
    /// Returned if a token is listed already (or is the quote asset).
    AssetAlreadyListed,
    /// Returned if the listing limit of collateral assets (`MAX_ASSETS`) is reached.
    TooManyAssets,
    /// Returned if a token reports more than 24 decimals.
    UnsupportedDecimals(u8),
    /// Returned if an asset's basis haircut or deposit cap is out of bounds.
    InvalidAssetParams,
    /// Returned if no market exists for this underlying.
    UnknownMarket(UnderlyingId),
    /// Returned if the listing limit of markets (`MAX_MARKETS`) is reached.
    TooManyMarkets,
    /// Returned if market parameters (risk, band, lot, age, caps) are out of bounds.
    InvalidMarketParams,
    /// Returned if no instrument has this id.
    UnknownInstrument(InstrumentId),
    /// Returned if an instrument's definition is invalid (strike out of bounds, expiry in the past).
    InvalidInstrument,
    /// Returned if a trade names an option at or after its expiry.
    InstrumentExpired(InstrumentId),
    /// Returned if an amount or size is zero.
    ZeroAmount,
    /// Returned if a deposit would take the asset's total deposits above its cap.
    DepositCapExceeded,
    /// Returned if a token call trapped, reverted, could not be decoded or was denied.
    TokenCallFailed,
    /// Returned if a token call returned a PSP22 error.
    TokenError(deltamargin_interfaces::PSP22Error),
    /// Returned if the engine's measured balance grew by less (or more) than the amount
    /// deposited: fee-on-transfer and no-op tokens are rejected.
    TransferMismatch {
        /// Amount asked for, base units.
        expected: u128,
        /// Measured balance increase, base units.
        received: u128,
    },
    /// Returned if the caller has no margin account.
    NoAccount,
    /// Returned if a withdrawal exceeds the account's balance of that collateral asset.
    InsufficientCollateral,
    /// Returned if a quote withdrawal exceeds the account's cash.
    InsufficientCash,
    /// Returned if the engine holds fewer quote tokens than a quote withdrawal asks for.
    InsufficientLiquidity,
    /// Returned if quote withdrawals wait because the engine has a deficit.
    DeficitOutstanding,
    /// Returned if an account would end below initial margin (`E < MR(im)`) without the
    /// operation being risk-reducing.
    InsufficientMargin,
    /// Returned if a trade leaves a side below initial margin while not reducing (the side named).
    TradeMargin(Side),
    /// Returned if an oracle feed has no value (unknown feed, no quorum).
    OracleFeed(FeedId, FeedError),
    /// Returned if a market names an oracle feed that does not exist or measures the wrong
    /// thing (the price feed must be a `Price` feed, the vol feed a `Volatility` feed).
    InvalidFeed(FeedId),
    /// Returned if the oracle call itself failed.
    OracleCallFailed,
    /// Returned if an underlying's price or volatility is older than the market's max age.
    StalePrice(UnderlyingId),
    /// Returned if an oracle value lies outside the market's accepted range.
    PriceOutOfRange(UnderlyingId),
    /// Returned if the caller is not an authorized venue.
    VenueNotAuthorized,
    /// Returned if an account has not approved the calling venue (the side named).
    VenueNotApproved(Side),
    /// Returned if a venue's maximum fee rate or option fee floor is above the protocol's
    /// ceiling (`MAX_OPTION_FEE_RATE_E18`, `MAX_OPTION_FEE_FLOOR_E18`).
    InvalidFeeRate,
    /// Returned if buyer and seller are the same account.
    SelfTrade,
    /// Returned if a size is not a positive whole number of the market's lots.
    NotWholeLots,
    /// Returned if a trade price is outside the band around the mark.
    PriceOutOfBand,
    /// Returned if a trade's fee is above what the venue may charge: a linear trade's rate above
    /// the venue's maximum or 1%, an option trade's fee above `max_rate·premium + floor·spot·size`.
    FeeTooHigh,
    /// Returned if a trade would take an instrument's open interest above its cap.
    OpenInterestCapExceeded,
    /// Returned if a trade would take a side's notional in the underlying above its cap.
    NotionalCapExceeded(Side),
    /// Returned if an account would hold more positions (or collateral assets) than allowed.
    TooManyPositions,
    /// Returned if the operation is paused by the owner (withdrawals, or new risk: only trades
    /// that reduce both sides' positions are accepted).
    Paused,
    /// Returned if a trade on a reduce-only market does not reduce both sides' positions.
    ReduceOnly(UnderlyingId),
    /// Returned if a parameter update moves a parameter further than its step limit (see
    /// `MarketConfig::within_step_of`; an asset's haircut moves at most a factor of 2, from 0 at
    /// most to 0.05).
    StepTooLarge,
    /// Returned if a grace period is longer than `MAX_GRACE_PERIOD_MS`.
    InvalidGracePeriod,
    /// Returned if a liquidation names an account whose health is not negative.
    NotLiquidatable,
    /// Returned if a liquidator names its own account.
    SelfLiquidation,
    /// Returned if a liquidation slice names nothing the target holds, a quantity of zero or
    /// above the holding, a position quantity that is not whole lots (unless it is the whole
    /// position), or leaves a remainder below one lot behind.
    InvalidSlice,
    /// Returned if a liquidation would not raise the target's health (`E − MR(mm)`).
    HealthNotImproved,
    /// Returned if one lot less would already take the target to the liquidation-end target.
    LiquidationTooLarge,
    /// Returned if the liquidator would end below its initial margin (`E < MR(im)`).
    LiquidatorMargin,
    /// Returned if an option's settlement is asked for before its expiry.
    NotExpired,
    /// Returned if the oracle has no price stamped at or after the expiry yet.
    SettlementNotReady,
    /// Returned if an expired option is settled before its settlement price is pinned.
    NotPinned,
    /// Returned if a settlement price is pinned already.
    AlreadyPinned,
    /// Returned if liquidation parameters are out of bounds.
    InvalidLiquidationParams,
    /// Returned if a deficit cover exceeds the deficit.
    ExceedsDeficit,
    /// Returned if a stress grid request is out of bounds (the `lens` contract's `stress`).
    InvalidStressGrid,
    /// Returned if a computation failed (the reachable state space is bounded so that margin
    /// always computes; this surfaces a bound being hit by a new operation).
    Math(MathFailure),
    /// Returned by `admin` if its call is not a message of the admin module (fewer than 4
    /// bytes, an unknown selector, arguments that do not decode) or the admin module trapped.
    InvalidAdminCall,
    /// Returned if an owner change that can make a healthy account liquidatable (see
    /// `MarketConfig::needs_notice_over` and the messages' docs) was not announced with
    /// `announce` in exactly this form, or `cancel` names a change that is not announced.
    NoticeRequired,
    /// Returned if an announced change is executed before its time (the announced `eta_ms`).
    NoticePending(u64),
    /// Returned if `set_change_delay` names a delay above `MAX_CHANGE_DELAY_MS`.
    InvalidChangeDelay,
    /// Returned by the lens if a read of the engine failed: the call trapped, reverted, returned
    /// an ink! `LangError` or its answer did not decode (the lens is pointed at no engine).
    EngineCallFailed,
}

impl From<MathError> for EngineError {
    fn from(error: MathError) -> Self {
        EngineError::Math(match error {
            MathError::Overflow => MathFailure::Overflow,
            MathError::DivisionByZero => MathFailure::DivisionByZero,
            MathError::NonPositive => MathFailure::NonPositive,
            MathError::OutOfDomain => MathFailure::OutOfDomain,
            MathError::UnknownUnderlying => MathFailure::UnknownUnderlying,
        })
    }
}

/// Returns `Err(error)` unless `condition` holds.
pub fn ensure(condition: bool, error: EngineError) -> Result<(), EngineError> {
    if condition {
        Ok(())
    } else {
        Err(error)
    }
}
