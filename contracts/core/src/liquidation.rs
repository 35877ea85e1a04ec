//! Liquidation, settlement and bad debt as pure functions over copies of accounts: no storage,
//! no environment, no events. The engine's `liquidate`, `settle` and trade messages load state,
//! call these and store what they return (emitting events from it); the keeper calls the same
//! functions on its snapshot to choose slices, so both decide by one copy of the rules.
//!
//! Amounts are quote base units unless named otherwise; `_e18` values carry 18 decimals.

use ink::primitives::AccountId;
use margin_math::liquidation::{
    charge_penalty, collateral_value_units, intrinsic_e18, settlement_cash_units, slice_allowed, slice_risk_basis,
    MaintenanceStanding, SlicePenalty,
};
use margin_math::margin::{evaluate, evaluate_maintenance, Maintenance, Market, UnderlyingMaintenance};
use margin_math::trading::{is_whole_lots, option_mark_e18};
use margin_math::Value;

use crate::account::{option_kind, to_math_account, trade_between, MathAccount};
use crate::errors::{ensure, EngineError, MathFailure};
use crate::types::{
    AccountData, AssetConfig, Instrument, InstrumentId, InstrumentKind, LiquidationOutcome, LiquidationParams,
    LiquidationSlice, MarketConfig, PositionData, UnderlyingId, ONE_E18,
};

const OVERFLOW: EngineError = EngineError::Math(MathFailure::Overflow);

/// The read-only engine state a liquidation consults besides the two accounts: the quote
/// asset's decimals, the position cap, the block time and lookups of listed assets and pinned
/// settlement prices (storage reads in the engine, snapshot maps in the keeper).
pub struct Books<A, S> {
    /// Quote asset decimals.
    pub quote_decimals: u8,
    /// Position cap per account.
    pub max_positions: u32,
    /// Block time, ms.
    pub now_ms: u64,
    /// A listed collateral asset's configuration.
    pub asset_of: A,
    /// The pinned settlement price (18 decimals) of an (underlying, expiry ms) pair.
    pub settlement_of: S,
}

impl<A, S> Books<A, S>
where
    A: Fn(AccountId) -> Option<AssetConfig>,
    S: Fn(UnderlyingId, u64) -> Option<u128>,
{
    /// `data` as `margin-math` sees it (see [`to_math_account`]). Errors: `UnknownAsset`,
    /// `Math`.
    pub fn math_account(&self, data: &AccountData) -> Result<MathAccount, EngineError> {
        to_math_account(data, self.quote_decimals, &self.asset_of, &self.settlement_of, self.now_ms)
    }
}

/// One option position settled into cash by [`settle_expired`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    /// The option.
    pub instrument: InstrumentId,
    /// The position's size before settlement, contracts (18 decimals, signed).
    pub size_e18: i128,
    /// Cash credited (long, rounded down) or debited (short, rounded up), quote base units.
    pub cash: i128,
}

/// Settles every option of `data` that expired by `now_ms` and has a pinned price: cash
/// `size·intrinsic` (long rounded down, short up), the position removed; `on_settled` hears of
/// each (the caller lowers open interest by settled longs and reports it). Options without a
/// price stay. Errors: `Math` (overflow), and whatever `on_settled` returns.
pub fn settle_expired(
    data: &mut AccountData,
    now_ms: u64,
    quote_decimals: u8,
    max_positions: u32,
    settlement_of: impl Fn(UnderlyingId, u64) -> Option<u128>,
    mut on_settled: impl FnMut(Settled) -> Result<(), EngineError>,
) -> Result<(), EngineError> {
    let mut i = 0;
    while let Some(p) = data.positions.get(i).copied() {
        let expired_price = match p.kind {
            InstrumentKind::Option { option_type, strike_e18, expiry_ms } if now_ms >= expiry_ms => {
                settlement_of(p.underlying, expiry_ms).map(|price| (option_type, strike_e18, price))
            }
            _ => None,
        };
        let Some((option_type, strike_e18, price_e18)) = expired_price else {
            i = i.saturating_add(1);
            continue;
        };
        let intrinsic = intrinsic_e18(option_kind(option_type), price_e18, strike_e18);
        let cash = settlement_cash_units(p.size_e18, intrinsic, quote_decimals)?;
        data.add_cash(cash)?;
        // Removes the position at `i`; the next one moves into its place.
        data.set_position(PositionData { size_e18: 0, ..p }, max_positions)?;
        on_settled(Settled { instrument: p.instrument, size_e18: p.size_e18, cash })?;
    }
    Ok(())
}

/// Bad debt written off an emptied account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadDebt {
    /// The account's negative cash, quote base units.
    pub bad_debt: u128,
    /// Part the insurance fund covered.
    pub fund_cover: u128,
    /// Part that became deficit.
    pub deficit_increase: u128,
}

/// If `data` holds no items and negative cash, writes the debt off: the insurance fund covers
/// what it can, the rest becomes deficit; cash and the fund rewards paid reset to 0. Returns
/// what was written off (`None`: nothing to write off). Errors: `Math` (overflow).
pub fn recognize_bad_debt(
    data: &mut AccountData,
    insurance_fund: &mut u128,
    deficit: &mut u128,
) -> Result<Option<BadDebt>, EngineError> {
    if !(data.collateral.is_empty() && data.positions.is_empty() && data.cash < 0) {
        return Ok(None);
    }
    let bad_debt = data.cash.unsigned_abs();
    data.cash = 0;
    data.fund_rewards_paid = 0;
    let fund_cover = bad_debt.min(*insurance_fund);
    let deficit_increase = bad_debt.checked_sub(fund_cover).ok_or(OVERFLOW)?;
    *insurance_fund = insurance_fund.checked_sub(fund_cover).ok_or(OVERFLOW)?;
    *deficit = deficit.checked_add(deficit_increase).ok_or(OVERFLOW)?;
    Ok(Some(BadDebt { bad_debt, fund_cover, deficit_increase }))
}

/// The insurance fund pays down the deficit as far as it can, without waiting for the owner.
/// Returns the amount moved (0: no deficit or an empty fund).
pub fn pay_down_deficit(insurance_fund: &mut u128, deficit: &mut u128) -> u128 {
    let amount = (*deficit).min(*insurance_fund);
    *deficit = deficit.saturating_sub(amount);
    *insurance_fund = insurance_fund.saturating_sub(amount);
    amount
}

/// A liquidation slice's underlying, the target's holding of it (contracts for a position,
/// token base units for collateral) and the collateral's decimals (0 for a position).
/// Errors: `InvalidSlice` (not held, or an asset without underlying), `UnknownAsset`.
pub fn slice_holding(
    data: &AccountData,
    slice: LiquidationSlice,
    asset: Option<AssetConfig>,
) -> Result<(UnderlyingId, u128, u8), EngineError> {
    match slice {
        LiquidationSlice::Position(id) => {
            let p = data.positions.iter().find(|p| p.instrument == id).ok_or(EngineError::InvalidSlice)?;
            Ok((p.underlying, p.size_e18.unsigned_abs(), 0))
        }
        LiquidationSlice::Collateral(asset_id) => {
            let config = asset.ok_or(EngineError::UnknownAsset)?;
            let underlying = config.underlying.ok_or(EngineError::InvalidSlice)?;
            Ok((underlying, data.collateral_of(asset_id), config.decimals))
        }
    }
}

/// One lot of a slice in its own units: the market lot for positions, `lot_e18` scaled to the
/// token's `decimals` (rounded down, at least 1) for collateral. Errors: `Math`.
pub fn slice_step(slice: LiquidationSlice, market: &MarketConfig, decimals: u8) -> Result<u128, EngineError> {
    match slice {
        LiquidationSlice::Position(_) => Ok(market.lot_e18),
        LiquidationSlice::Collateral(_) => {
            let scale = margin_math::units::pow10(decimals)?;
            Ok(margin_math::trading::mul_div(market.lot_e18, scale, ONE_E18, false)?.max(1))
        }
    }
}

/// Whether `quantity` of a `holding` is a valid slice: the whole holding, or whole steps
/// leaving no remainder below one step. Errors: `InvalidSlice`.
pub fn check_quantity(holding: u128, quantity: u128, step: u128) -> Result<(), EngineError> {
    let remainder = holding.checked_sub(quantity).ok_or(EngineError::InvalidSlice)?;
    let whole = quantity == holding || is_whole_lots(quantity, step);
    ensure(whole && (remainder == 0 || remainder >= step), EngineError::InvalidSlice)
}

/// What every candidate quantity of one slice shares.
pub struct SliceContext<'a> {
    /// The slice.
    pub slice: LiquidationSlice,
    /// Decimals of a collateral slice's asset (0 for a position slice).
    pub decimals: u8,
    /// The slice underlying's market at the oracle's values.
    pub snap: Market,
    /// The slice underlying's configuration.
    pub market: MarketConfig,
    /// The target's equity and `MR(mm)` before.
    pub standing: MaintenanceStanding,
    /// The target's maintenance figures in the slice underlying before.
    pub old_risk: Option<&'a UnderlyingMaintenance>,
    /// A position slice's instrument listing (open interest is kept in it).
    pub listing: Option<Instrument>,
}

/// One liquidation quantity applied to copies of both accounts (nothing stored).
#[derive(Debug, Clone)]
pub struct SliceFill {
    /// The target after the move and penalty.
    pub target: AccountData,
    /// The liquidator after the move (before its reward).
    pub liquidator: AccountData,
    /// A position slice's listing after the move.
    pub instrument: Option<Instrument>,
    /// Mark the slice moved at, 18 decimals.
    pub price_e18: u128,
    /// Quote paid by the liquidator for collateral, base units.
    pub payment: u128,
    /// Penalty taken from the target, base units.
    pub penalty: u128,
    /// The liquidator's penalty share, base units.
    pub liquidator_reward: u128,
    /// The fund's penalty share, base units.
    pub fund_share: u128,
    /// What the liquidator's share would have been from an insolvent target (the fund pays
    /// it, capped).
    pub fund_reward: u128,
    /// The target's equity and `MR(mm)` after (its slice underlying revalued alone).
    pub after: MaintenanceStanding,
    /// The target's items in the slice underlying after the move.
    pub only: MathAccount,
}

impl SliceFill {
    /// Whether the move took the target's last item.
    pub fn emptied(&self) -> bool {
        self.target.collateral.is_empty() && self.target.positions.is_empty()
    }
}

/// Moves `quantity` of the slice from the target to the liquidator at the mark (spot for
/// collateral and linear contracts, the Black-Scholes price for options; collateral paid from
/// the liquidator's cash at `ceil`) and prices the outcome: the target's standing after (the
/// slice underlying revalued alone), the penalty `rate · MR(mm) released` and its split (none
/// from an insolvent target; the fund's incentive per risk removed instead). Errors:
/// `InvalidSlice`, `UnknownInstrument`, `TooManyPositions`, `UnknownAsset`, `Math`.
#[inline(never)]
pub fn fill_slice<A, S>(
    books: &Books<A, S>,
    params: &LiquidationParams,
    ctx: &SliceContext<'_>,
    data: &AccountData,
    liquidator_data: &AccountData,
    quantity: u128,
) -> Result<SliceFill, EngineError>
where
    A: Fn(AccountId) -> Option<AssetConfig>,
    S: Fn(UnderlyingId, u64) -> Option<u128>,
{
    let qd = books.quote_decimals;
    let mut target = data.clone();
    let mut liquidator = liquidator_data.clone();
    let mut instrument = None;
    let mut payment = 0u128;
    let price_e18;
    match ctx.slice {
        LiquidationSlice::Position(id) => {
            let mut listing = ctx.listing.ok_or(EngineError::UnknownInstrument(id))?;
            price_e18 = match listing.kind {
                InstrumentKind::Linear => ctx.snap.spot_e18,
                InstrumentKind::Option { option_type, strike_e18, expiry_ms } => option_mark_e18(
                    option_kind(option_type),
                    ctx.snap.spot_e18,
                    strike_e18,
                    ctx.snap.vol_e18,
                    ctx.market.risk.rate_e18,
                    books.now_ms,
                    expiry_ms,
                )?,
            };
            // A trade at the mark toward zero for the target: the liquidator buys a long
            // position (paying an option premium rounded up) or sells into a short one
            // (receiving it rounded down).
            let target_long = target.position(id, &listing).size_e18 > 0;
            let (buyer, seller) =
                if target_long { (&mut liquidator, &mut target) } else { (&mut target, &mut liquidator) };
            trade_between(buyer, seller, id, &mut listing, quantity, price_e18, target_long, qd, books.max_positions)?;
            instrument = Some(listing);
        }
        LiquidationSlice::Collateral(asset) => {
            price_e18 = ctx.snap.spot_e18;
            payment = collateral_value_units(quantity, ctx.decimals, price_e18, qd, true)?;
            target.remove_collateral(asset, quantity).map_err(|_| EngineError::InvalidSlice)?;
            let paid = i128::try_from(payment).map_err(|_| OVERFLOW)?;
            target.add_cash(paid)?;
            liquidator.add_cash(paid.checked_neg().ok_or(OVERFLOW)?)?;
            liquidator.add_collateral(asset, quantity)?;
        }
    }
    // The target's standing after the move: its slice underlying revalued alone.
    let underlying = ctx.snap.underlying;
    let only = books.math_account(&target)?.only(underlying);
    let revalued = evaluate_maintenance(&[ctx.snap], &only.as_math(), books.now_ms)?;
    let moved = ctx.standing.replace(ctx.old_risk, revalued.underlyings.first(), data.cash, target.cash, qd)?;
    let basis_decimals = match ctx.slice {
        LiquidationSlice::Position(_) => 18,
        LiquidationSlice::Collateral(_) => ctx.decimals,
    };
    // The slice's own risk matters only for an insolvent target (the fund's incentive).
    let basis = if moved.equity < Value::ZERO {
        slice_risk_basis(quantity, basis_decimals, ctx.snap.spot_e18, ctx.market.risk.spot_shock_mm_e18)?
    } else {
        Value::ZERO
    };
    let charged = charge_penalty(
        ctx.standing.maintenance_margin,
        &moved,
        target.cash,
        basis,
        params.penalty_rate_e18,
        params.liquidator_share_e18,
        qd,
    )?;
    target.cash = charged.cash;
    let SlicePenalty { penalty, liquidator_reward, fund_share, fund_reward } = charged.split;
    Ok(SliceFill {
        target,
        liquidator,
        instrument,
        price_e18,
        payment,
        penalty,
        liquidator_reward,
        fund_share,
        fund_reward,
        after: charged.standing,
        only,
    })
}

/// Whether the target after `fill` reached the liquidation-end target
/// `E ≥ MR(mm) + end_buffer·(MR(im) − MR(mm))`. Its `MR(im)` — the untouched underlyings' from
/// `before` (computed once into `others_im`) plus the slice underlying's revalued — is computed
/// only when `E ≥ MR(mm)`, the least the target can be. `markets` holds every market of
/// `before`. Errors: `Math`.
#[inline(never)]
pub fn reached_end(
    ctx: &SliceContext<'_>,
    markets: &[Market],
    before: &MathAccount,
    fill: &SliceFill,
    end_buffer_e18: u128,
    now_ms: u64,
    others_im: &mut Option<Value>,
) -> Result<bool, EngineError> {
    Ok(fill.after.reached_end(end_buffer_e18, || {
        let others = match *others_im {
            Some(im) => im,
            None => {
                let rest = before.except(ctx.snap.underlying);
                *others_im.insert(evaluate(markets, &rest.as_math(), now_ms)?.initial_margin)
            }
        };
        let slice = evaluate(&[ctx.snap], &fill.only.as_math(), now_ms)?;
        margin_math::fixed_point::add(others, slice.initial_margin)
    })?)
}

/// What [`pay_slice`] moved besides the accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlicePayout {
    /// Bad debt written off the emptied target, if any.
    pub bad_debt: Option<BadDebt>,
    /// Paid by the fund to the liquidator of an insolvent target (capped per target).
    pub fund_paid: u128,
    /// Deficit the fund paid down after the call (0: none).
    pub deficit_paid: u128,
    /// The liquidator's whole reward: its penalty share plus `fund_paid`.
    pub reward: u128,
}

/// Settles one slice's money: the emptied insolvent target's bad debt is recognized (the fund
/// covers first), the fund pays an insolvent target's liquidator `fund_reward` up to what is
/// left of `insolvent_reward_cap` for this target (counted in `fund_rewards_paid`, reset when
/// the target is emptied) and what it holds, takes its penalty share, then pays down the
/// deficit; the liquidator's cash gets its reward. Errors: `Math` (overflow).
pub fn pay_slice(
    fill: &mut SliceFill,
    params: &LiquidationParams,
    insurance_fund: &mut u128,
    deficit: &mut u128,
) -> Result<SlicePayout, EngineError> {
    let paid_before = fill.target.fund_rewards_paid;
    let bad_debt = recognize_bad_debt(&mut fill.target, insurance_fund, deficit)?;
    let room = params.insolvent_reward_cap.saturating_sub(paid_before);
    let fund_paid = fill.fund_reward.min(room).min(*insurance_fund);
    *insurance_fund =
        insurance_fund.checked_sub(fund_paid).and_then(|f| f.checked_add(fill.fund_share)).ok_or(OVERFLOW)?;
    fill.target.fund_rewards_paid =
        if fill.emptied() { 0 } else { paid_before.checked_add(fund_paid).ok_or(OVERFLOW)? };
    let deficit_paid = pay_down_deficit(insurance_fund, deficit);
    let reward = fill.liquidator_reward.checked_add(fund_paid).ok_or(OVERFLOW)?;
    fill.liquidator.add_cash(i128::try_from(reward).map_err(|_| OVERFLOW)?)?;
    Ok(SlicePayout { bad_debt, fund_paid, deficit_paid, reward })
}

/// Everything one `liquidate` call decides on, read by the caller (the target's expired
/// options already settled).
pub struct LiquidationCall<'a> {
    /// The slice.
    pub slice: LiquidationSlice,
    /// Its quantity (contracts, or token base units for collateral).
    pub quantity: u128,
    /// The target, expired options settled.
    pub target: &'a AccountData,
    /// The target as `margin-math` sees it.
    pub target_math: &'a MathAccount,
    /// The liquidator.
    pub liquidator: &'a AccountData,
    /// Markets of every underlying of both accounts, at the oracle's values.
    pub markets: &'a [Market],
    /// Those of `markets` older than their max age.
    pub stale: &'a [UnderlyingId],
    /// The slice underlying's configuration.
    pub market: MarketConfig,
    /// A collateral slice's asset configuration (`None` for positions).
    pub asset: Option<AssetConfig>,
    /// A position slice's listing (`None` for collateral).
    pub listing: Option<Instrument>,
}

/// What one `liquidate` call changes: both accounts, the listing, the fund and deficit, and
/// the figures its events report.
#[derive(Debug, Clone)]
pub struct Liquidation {
    /// The slice as filled (target and liquidator after, the listing, penalty split).
    pub fill: SliceFill,
    /// Money moved besides the accounts.
    pub payout: SlicePayout,
    /// The call's reported outcome.
    pub outcome: LiquidationOutcome,
    /// The insurance fund after, base units.
    pub insurance_fund: u128,
    /// The deficit after, base units.
    pub deficit: u128,
}

/// What every rule of one `liquidate` call starts from.
struct Prepared {
    /// The target's maintenance evaluation before.
    before: Maintenance,
    /// A collateral slice's decimals (0 for positions).
    decimals: u8,
    /// One lot of the slice.
    step: u128,
    /// The slice underlying's market.
    snap: Market,
}

/// Checks the slice (held, whole lots, fresh market) and evaluates the target before.
fn prepare<A, S>(books: &Books<A, S>, call: &LiquidationCall<'_>) -> Result<Prepared, EngineError>
where
    A: Fn(AccountId) -> Option<AssetConfig>,
    S: Fn(UnderlyingId, u64) -> Option<u128>,
{
    let (underlying, holding, decimals) = slice_holding(call.target, call.slice, call.asset)?;
    let step = slice_step(call.slice, &call.market, decimals)?;
    check_quantity(holding, call.quantity, step)?;
    ensure(!call.stale.contains(&underlying), EngineError::StalePrice(underlying))?;
    let snap =
        *call.markets.iter().find(|m| m.underlying == underlying).ok_or(EngineError::UnknownMarket(underlying))?;
    // Equity and maintenance only: initial margin matters for the end target alone.
    let before = evaluate_maintenance(call.markets, &call.target_math.as_math(), books.now_ms)?;
    Ok(Prepared { before, decimals, step, snap })
}

/// `call.quantity` of the slice filled on copies, and whether it takes the target to the
/// liquidation-end target (the test [`liquidate`] applies to a quantity and to one lot less),
/// penalty included; none of `liquidate`'s acceptance rules is applied: what a keeper searches
/// over. Errors: as [`liquidate`]'s checks of the slice, and `Math`.
pub fn simulate_slice<A, S>(
    books: &Books<A, S>,
    params: &LiquidationParams,
    call: &LiquidationCall<'_>,
) -> Result<(SliceFill, bool), EngineError>
where
    A: Fn(AccountId) -> Option<AssetConfig>,
    S: Fn(UnderlyingId, u64) -> Option<u128>,
{
    let Prepared { before, decimals, snap, .. } = prepare(books, call)?;
    let ctx = SliceContext {
        slice: call.slice,
        decimals,
        snap,
        market: call.market,
        standing: MaintenanceStanding::of(&before),
        old_risk: before.underlyings.iter().find(|r| r.underlying == snap.underlying),
        listing: call.listing,
    };
    let fill = fill_slice(books, params, &ctx, call.target, call.liquidator, call.quantity)?;
    let reached =
        reached_end(&ctx, call.markets, call.target_math, &fill, params.end_buffer_e18, books.now_ms, &mut None)?;
    Ok((fill, reached))
}

/// The engine's whole `liquidate` rule set on copies: the slice is held and whole lots; its
/// market is fresh; the target is liquidatable (`E < MR(mm)`); the move at the mark must raise
/// the target's health, take its last item, or (insolvent) not lower its equity beyond one base
/// unit; a quantity over one lot must not reach the end target with one lot less; the money is
/// paid ([`pay_slice`]); the liquidator ends at fresh prices only and at or above its initial
/// margin. Errors: `InvalidSlice`, `UnknownAsset`, `UnknownMarket`, `StalePrice`,
/// `NotLiquidatable`, `HealthNotImproved`, `LiquidationTooLarge`, `LiquidatorMargin`,
/// `TooManyPositions`, `UnknownInstrument`, `Math`.
pub fn liquidate<A, S>(
    books: &Books<A, S>,
    params: &LiquidationParams,
    call: &LiquidationCall<'_>,
    insurance_fund: u128,
    deficit: u128,
) -> Result<Liquidation, EngineError>
where
    A: Fn(AccountId) -> Option<AssetConfig>,
    S: Fn(UnderlyingId, u64) -> Option<u128>,
{
    let Prepared { before, decimals, step, snap } = prepare(books, call)?;
    ensure(before.liquidatable, EngineError::NotLiquidatable)?;
    let now = books.now_ms;
    let standing = MaintenanceStanding::of(&before);
    let ctx = SliceContext {
        slice: call.slice,
        decimals,
        snap,
        market: call.market,
        standing,
        old_risk: before.underlyings.iter().find(|r| r.underlying == snap.underlying),
        listing: call.listing,
    };
    let mut fill = fill_slice(books, params, &ctx, call.target, call.liquidator, call.quantity)?;
    // Health must rise, or the last item go, or an insolvent account not lose equity (so an
    // insolvent book whose remaining items hedge each other can still be emptied).
    ensure(
        slice_allowed(&standing, &fill.after, fill.emptied(), books.quote_decimals)?,
        EngineError::HealthNotImproved,
    )?;
    if call.quantity > step {
        let mut others_im = None;
        let end = params.end_buffer_e18;
        if reached_end(&ctx, call.markets, call.target_math, &fill, end, now, &mut others_im)? {
            let smaller = call.quantity.checked_sub(step).ok_or(OVERFLOW)?;
            let less = fill_slice(books, params, &ctx, call.target, call.liquidator, smaller)?;
            let too_large = !reached_end(&ctx, call.markets, call.target_math, &less, end, now, &mut others_im)?;
            ensure(too_large, EngineError::LiquidationTooLarge)?;
        }
    }
    let (mut fund, mut owed) = (insurance_fund, deficit);
    let payout = pay_slice(&mut fill, params, &mut fund, &mut owed)?;
    // The liquidator ends at or above initial margin, at fresh prices only.
    let liquidator_after = books.math_account(&fill.liquidator)?;
    if let Some(&u) = liquidator_after.underlyings.iter().find(|u| call.stale.contains(u)) {
        return Err(EngineError::StalePrice(u));
    }
    let liquidator_health = evaluate(call.markets, &liquidator_after.as_math(), now)?;
    ensure(liquidator_health.equity >= liquidator_health.initial_margin, EngineError::LiquidatorMargin)?;
    let outcome = LiquidationOutcome {
        price_e18: fill.price_e18,
        health_before_bits: before.health.to_bits(),
        health_after_bits: fill.after.health()?.to_bits(),
        equity_before_bits: before.equity.to_bits(),
        equity_after_bits: fill.after.equity.to_bits(),
        penalty: fill.penalty,
        liquidator_reward: payout.reward,
        fund_share: fill.fund_share,
        payment: fill.payment,
        bad_debt: payout.bad_debt.map_or(0, |b| b.bad_debt),
    };
    Ok(Liquidation { fill, payout, outcome, insurance_fund: fund, deficit: owed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{CollateralBalance, OptionType};

    fn short_call(expiry_ms: u64) -> PositionData {
        PositionData {
            instrument: 7,
            underlying: 0,
            kind: InstrumentKind::Option { option_type: OptionType::Call, strike_e18: 50_000 * ONE_E18, expiry_ms },
            size_e18: -2 * ONE_E18 as i128,
            entry_e18: 0,
        }
    }

    #[test]
    fn bad_debt_of_an_emptied_account_goes_to_the_fund_first_then_the_deficit() {
        let mut data = AccountData { cash: -1_500, fund_rewards_paid: 40, ..Default::default() };
        let (mut fund, mut deficit) = (1_000u128, 5u128);
        let written = recognize_bad_debt(&mut data, &mut fund, &mut deficit);
        let expected = BadDebt { bad_debt: 1_500, fund_cover: 1_000, deficit_increase: 500 };
        assert_eq!(written, Ok(Some(expected)));
        assert_eq!((fund, deficit, data.cash, data.fund_rewards_paid), (0, 505, 0, 0));
        // An account that still holds an item, or has no debt, is left alone.
        let mut holder = AccountData {
            cash: -1,
            collateral: vec![CollateralBalance { asset: AccountId::from([1; 32]), amount: 5 }],
            ..Default::default()
        };
        assert_eq!(recognize_bad_debt(&mut holder, &mut fund, &mut deficit), Ok(None));
        assert_eq!(holder.cash, -1);
    }

    #[test]
    fn the_fund_pays_down_what_it_can_of_the_deficit() {
        let (mut fund, mut deficit) = (300u128, 1_000u128);
        assert_eq!(pay_down_deficit(&mut fund, &mut deficit), 300);
        assert_eq!((fund, deficit), (0, 700));
        let (mut fund, mut deficit) = (300u128, 0u128);
        assert_eq!(pay_down_deficit(&mut fund, &mut deficit), 0);
        assert_eq!((fund, deficit), (300, 0));
    }

    #[test]
    fn a_slice_is_the_whole_holding_or_whole_lots_leaving_at_least_a_lot() {
        let (holding, step) = (10u128, 3u128);
        for ok in [3, 6, 10] {
            assert_eq!(check_quantity(holding, ok, step), Ok(()), "{ok}");
        }
        // 9 leaves 1 (< one lot), 4 is not whole lots, 11 is more than held.
        for bad in [9, 4, 11] {
            assert_eq!(check_quantity(holding, bad, step), Err(EngineError::InvalidSlice), "{bad}");
        }
    }

    #[test]
    fn expired_options_with_a_price_settle_at_intrinsic_and_others_wait() {
        let expiry = 1_000;
        let mut waiting = short_call(2_000);
        waiting.instrument = 8;
        let mut data = AccountData { cash: 0, positions: vec![short_call(expiry), waiting], ..Default::default() };
        // Settled at 51,000: the short pays 2 · 1,000 = 2,000 quote, 6 decimals.
        let mut settled = Vec::new();
        let price = |u, e| (u == 0 && e == expiry).then_some(51_000 * ONE_E18);
        let done = settle_expired(&mut data, 1_500, 6, 32, price, |s| {
            settled.push(s);
            Ok(())
        });
        assert_eq!(done, Ok(()));
        assert_eq!(settled, vec![Settled { instrument: 7, size_e18: -2 * ONE_E18 as i128, cash: -2_000_000_000 }]);
        assert_eq!(data.cash, -2_000_000_000);
        assert_eq!(data.positions, vec![waiting], "the unexpired option stays");
    }
}
