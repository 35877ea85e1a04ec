//! Liquidation: the `liquidate` message's glue (see its doc in the contract module). It loads
//! what the slice needs, runs the one copy of the rules (`deltamargin_core::liquidation::liquidate`,
//! which the keeper also runs), stores the result and emits.

use deltamargin_core::env;
use deltamargin_core::errors::{ensure, EngineError};
use deltamargin_core::events::{BadDebtRecognized, Liquidated};
use deltamargin_core::liquidation;
use deltamargin_core::state::EngineState;
use deltamargin_core::types::*;
use ink::primitives::AccountId;

use crate::union_of;

/// `liquidate`: the caller takes `quantity` of `slice` from `target`.
pub fn liquidate(
    state: &mut EngineState,
    target: AccountId,
    slice: LiquidationSlice,
    quantity: u128,
) -> Result<LiquidationOutcome, EngineError> {
    let liquidator = env::caller();
    let now = env::now_ms();
    ensure(liquidations_open(state.liquidations_resume_at_ms, now), EngineError::Paused)?;
    ensure(liquidator != target, EngineError::SelfLiquidation)?;
    ensure(quantity > 0, EngineError::ZeroAmount)?;
    let mut data = state.accounts.get(target).ok_or(EngineError::NoAccount)?;
    let liquidator_data = state.accounts.get(liquidator).ok_or(EngineError::NoAccount)?;
    state.settle_expired(target, &mut data, now)?;

    // What the slice needs from storage: its listing or asset, and its market (the
    // rules check that the target holds it).
    let (asset, listing, underlying) = match slice {
        LiquidationSlice::Position(id) => {
            let listing = state.instruments.get(id).ok_or(EngineError::InvalidSlice)?;
            (None, Some(listing), listing.underlying)
        }
        LiquidationSlice::Collateral(a) => {
            let config = state.assets.get(a).ok_or(EngineError::UnknownAsset)?;
            (Some(config), None, config.underlying.ok_or(EngineError::InvalidSlice)?)
        }
    };
    let market = state.market_config(underlying)?;

    let done = {
        // One oracle read for the target's and the liquidator's underlyings.
        let books = state.books(now);
        let target_math = books.math_account(&data)?;
        let liquidator_math = books.math_account(&liquidator_data)?;
        let underlyings = union_of(&target_math.underlyings, &liquidator_math.underlyings, underlying);
        let (markets, stale) = state.read_markets(&underlyings, true, now)?;
        let call = liquidation::LiquidationCall {
            slice,
            quantity,
            target: &data,
            target_math: &target_math,
            liquidator: &liquidator_data,
            markets: &markets,
            stale: &stale,
            market,
            asset,
            listing,
        };
        liquidation::liquidate(&books, &state.liquidation, &call, state.insurance_fund, state.deficit)?
    };
    let outcome = done.outcome;
    state.insurance_fund = done.insurance_fund;
    state.deficit = done.deficit;
    if let Some(b) = done.payout.bad_debt {
        env::emit(BadDebtRecognized {
            account: target,
            bad_debt: b.bad_debt,
            fund_cover: b.fund_cover,
            deficit_increase: b.deficit_increase,
        });
    }
    state.emit_deficit_paid(done.payout.deficit_paid);
    state.store_account(target, &done.fill.target)?;
    state.store_account(liquidator, &done.fill.liquidator)?;
    if let (LiquidationSlice::Position(id), Some(instrument)) = (slice, done.fill.instrument) {
        state.instruments.insert(id, &instrument);
    }
    env::emit(Liquidated { target, liquidator, slice, quantity, outcome });
    Ok(outcome)
}
