//! Events of the engine, emitted on every state change. Amounts are token base units, `_e18`
//! numbers carry 18 decimals, times are ms. At most three topic fields each.

use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

use crate::types::{InstrumentId, InstrumentKind, MarketConfig, UnderlyingId};

/// The owner proposed a new owner (who must call `accept_ownership`).
#[ink::event]
pub struct OwnershipTransferStarted {
    /// Current owner.
    #[ink(topic)]
    pub owner: AccountId,
    /// Proposed owner.
    #[ink(topic)]
    pub pending_owner: AccountId,
}

/// The pending owner accepted ownership.
#[ink::event]
pub struct OwnershipTransferred {
    /// Previous owner.
    #[ink(topic)]
    pub previous_owner: AccountId,
    /// New owner.
    #[ink(topic)]
    pub new_owner: AccountId,
}

/// A market (underlying) was listed.
#[ink::event]
pub struct MarketListed {
    /// The new underlying's id.
    #[ink(topic)]
    pub underlying: UnderlyingId,
    /// Its configuration (feeds, risk parameters, band, lot, caps).
    pub config: MarketConfig,
}

/// A market's configuration changed.
#[ink::event]
pub struct MarketUpdated {
    /// The underlying.
    #[ink(topic)]
    pub underlying: UnderlyingId,
    /// The new configuration.
    pub config: MarketConfig,
}

/// A collateral asset was listed (or the quote asset, at construction, with `underlying: None`).
#[ink::event]
pub struct AssetListed {
    /// The PSP22 token.
    #[ink(topic)]
    pub asset: AccountId,
    /// The underlying pricing it (`None`: quote asset).
    pub underlying: Option<UnderlyingId>,
    /// Decimals read from the token's metadata.
    pub decimals: u8,
    /// Basis haircut, fraction of value, 18 decimals.
    pub basis_haircut_e18: u128,
    /// Cap of total deposits, base units.
    pub deposit_cap: u128,
}

/// An asset's haircut or deposit cap changed.
#[ink::event]
pub struct AssetUpdated {
    /// The token.
    #[ink(topic)]
    pub asset: AccountId,
    /// New basis haircut, 18 decimals.
    pub basis_haircut_e18: u128,
    /// New deposit cap, base units.
    pub deposit_cap: u128,
}

/// An instrument was listed.
#[ink::event]
pub struct InstrumentListed {
    /// The new instrument's id.
    #[ink(topic)]
    pub instrument: InstrumentId,
    /// Its underlying.
    #[ink(topic)]
    pub underlying: UnderlyingId,
    /// Linear, or option with type, strike (18 decimals) and expiry (ms).
    pub kind: InstrumentKind,
}

/// The owner authorized a venue or changed its maximum fee.
#[ink::event]
pub struct VenueAuthorized {
    /// The venue.
    #[ink(topic)]
    pub venue: AccountId,
    /// Maximum fee rate per side, fraction of trade value, 18 decimals.
    pub max_fee_rate_e18: u128,
    /// Per-contract option fee floor, fraction of spot per contract, 18 decimals.
    pub option_fee_floor_e18: u128,
}

/// The owner withdrew a venue's authorization.
#[ink::event]
pub struct VenueDeauthorized {
    /// The venue.
    #[ink(topic)]
    pub venue: AccountId,
}

/// An account approved (`approved: true`) or revoked (`false`) a venue to trade for it.
#[ink::event]
pub struct VenueApprovalChanged {
    /// The account.
    #[ink(topic)]
    pub account: AccountId,
    /// The venue.
    #[ink(topic)]
    pub venue: AccountId,
    /// Whether the venue may now trade for the account.
    pub approved: bool,
}

/// The fee account changed.
#[ink::event]
pub struct FeeAccountChanged {
    /// The new fee account (credited in quote cash).
    #[ink(topic)]
    pub fee_account: AccountId,
}

/// The per-account position cap changed.
#[ink::event]
pub struct PositionCapChanged {
    /// New maximum number of positions per account (≤ 32).
    pub max_positions: u32,
}

/// Tokens were deposited.
#[ink::event]
pub struct Deposited {
    /// The account credited.
    #[ink(topic)]
    pub account: AccountId,
    /// The token.
    #[ink(topic)]
    pub asset: AccountId,
    /// Amount credited (the measured balance increase), base units.
    pub amount: u128,
}

/// Tokens were withdrawn.
#[ink::event]
pub struct Withdrawn {
    /// The account debited.
    #[ink(topic)]
    pub account: AccountId,
    /// The token.
    #[ink(topic)]
    pub asset: AccountId,
    /// Amount sent to the account, base units.
    pub amount: u128,
}

/// A venue reported a trade.
#[ink::event]
pub struct TradeApplied {
    /// The instrument.
    #[ink(topic)]
    pub instrument: InstrumentId,
    /// The buyer (position grows by `size_e18`).
    #[ink(topic)]
    pub buyer: AccountId,
    /// The seller (position shrinks by `size_e18`).
    #[ink(topic)]
    pub seller: AccountId,
    /// The venue that reported it.
    pub venue: AccountId,
    /// Contracts traded, 18 decimals.
    pub size_e18: u128,
    /// Trade price, quote per unit (option: premium per contract), 18 decimals.
    pub price_e18: u128,
    /// Option premium paid by the buyer to the seller, quote base units (0 for linear).
    pub premium: u128,
    /// Fee each side paid to the fee account, quote base units.
    pub fee_per_side: u128,
    /// P&L the buyer realized into cash, quote base units.
    pub buyer_realized: i128,
    /// P&L the seller realized into cash, quote base units.
    pub seller_realized: i128,
}

/// The owner changed the pause flags.
#[ink::event]
pub struct PauseChanged {
    /// The new flags.
    pub flags: crate::types::PauseFlags,
    /// Earliest block time (ms) liquidations may run again (0 while never paused): the end of a
    /// new pause, or of the grace period when one is lifted.
    pub liquidations_resume_at_ms: u64,
}

/// The owner changed the grace period that follows unpausing liquidations.
#[ink::event]
pub struct GracePeriodChanged {
    /// New grace period, ms.
    pub grace_period_ms: u64,
}

/// The owner set or cleared a market's reduce-only flag.
#[ink::event]
pub struct ReduceOnlyChanged {
    /// The underlying.
    #[ink(topic)]
    pub underlying: UnderlyingId,
    /// Whether only risk-reducing trades are accepted on its instruments.
    pub reduce_only: bool,
}

/// An account was liquidated: a slice moved from `target` to `liquidator` at the mark.
#[ink::event]
pub struct Liquidated {
    /// The liquidated account.
    #[ink(topic)]
    pub target: AccountId,
    /// The caller, who took the slice.
    #[ink(topic)]
    pub liquidator: AccountId,
    /// What was taken.
    pub slice: crate::types::LiquidationSlice,
    /// Contracts (18 decimals) for a position, base units for collateral.
    pub quantity: u128,
    /// The outcome: mark, health before/after (raw bits), penalty, reward, fund share, payment,
    /// bad debt (quote base units).
    pub outcome: crate::types::LiquidationOutcome,
}

/// An account's last item was taken (or settled) with negative equity: the insurance fund
/// covered what it could and the rest became deficit.
#[ink::event]
pub struct BadDebtRecognized {
    /// The insolvent account (its cash is reset to 0).
    #[ink(topic)]
    pub account: AccountId,
    /// Negative equity written off, quote base units.
    pub bad_debt: u128,
    /// Part the insurance fund covered, quote base units.
    pub fund_cover: u128,
    /// Part added to the deficit, quote base units.
    pub deficit_increase: u128,
}

/// The settlement price of an (underlying, expiry) pair was pinned.
#[ink::event]
pub struct SettlementPinned {
    /// The underlying.
    #[ink(topic)]
    pub underlying: UnderlyingId,
    /// The expiry, ms.
    pub expiry_ms: u64,
    /// The pinned price, quote per unit, 18 decimals.
    pub price_e18: u128,
    /// Oracle timestamp of that price (≥ expiry), ms.
    pub price_ts_ms: u64,
}

/// An expired option position was settled into cash at the pinned price.
#[ink::event]
pub struct PositionSettled {
    /// The holder.
    #[ink(topic)]
    pub account: AccountId,
    /// The option.
    #[ink(topic)]
    pub instrument: InstrumentId,
    /// The settled size, contracts (18 decimals, signed).
    pub size_e18: i128,
    /// Cash received (long, rounded down) or paid (short, rounded up), quote base units.
    pub cash: i128,
}

/// Quote tokens were added to the insurance fund.
#[ink::event]
pub struct InsuranceFunded {
    /// Who transferred them.
    #[ink(topic)]
    pub from: AccountId,
    /// Amount, quote base units.
    pub amount: u128,
}

/// Part of the deficit was covered: by the owner with quote tokens transferred in
/// (`cover_deficit`), or by the insurance fund, which pays the deficit down whenever it holds
/// quote (after `fund_insurance` and after a liquidation's penalty share).
#[ink::event]
pub struct DeficitCovered {
    /// Amount, quote base units.
    pub amount: u128,
    /// Deficit left, quote base units.
    pub deficit: u128,
    /// Whether the insurance fund paid it (else the owner).
    pub from_fund: bool,
}

/// The owner changed the liquidation parameters.
#[ink::event]
pub struct LiquidationParamsChanged {
    /// The new parameters.
    pub params: crate::types::LiquidationParams,
}

/// The owner announced a change (`announce`): `call` (an admin message's selector and SCALE
/// arguments, exactly as it will be sent) may run from `eta_ms` on.
#[ink::event]
pub struct ChangeAnnounced {
    /// `blake2x256(call)`.
    #[ink(topic)]
    pub hash: [u8; 32],
    /// Earliest execution time, ms.
    pub eta_ms: u64,
    /// The announced call.
    pub call: Vec<u8>,
}

/// The owner withdrew an announced change (`cancel`).
#[ink::event]
pub struct ChangeCancelled {
    /// `blake2x256(call)`.
    #[ink(topic)]
    pub hash: [u8; 32],
}

/// An announced change ran (its message emits its own event too).
#[ink::event]
pub struct ChangeExecuted {
    /// `blake2x256(call)`.
    #[ink(topic)]
    pub hash: [u8; 32],
}

/// The notice of risk-raising owner changes changed (itself only through the old notice).
#[ink::event]
pub struct ChangeDelayChanged {
    /// The new delay, ms.
    pub delay_ms: u64,
}
