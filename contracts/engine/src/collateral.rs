//! Collateral in and out: the `deposit` and `withdraw` messages' work (see their docs in the
//! contract module). Value enters only through `EngineState::pull`'s measured transfer and
//! leaves only after the state is written (checks-effects-interactions).

use deltamargin_core::env;
use deltamargin_core::errors::{ensure, EngineError, MathFailure};
use deltamargin_core::events::{Deposited, Withdrawn};
use deltamargin_core::state::EngineState;
use deltamargin_core::tokens;
use ink::primitives::AccountId;

const OVERFLOW: EngineError = EngineError::Math(MathFailure::Overflow);

/// `deposit`: credits the caller with `amount` base units of `asset` pulled from it.
pub fn deposit(state: &mut EngineState, asset: AccountId, amount: u128) -> Result<(), EngineError> {
    ensure(amount > 0, EngineError::ZeroAmount)?;
    let caller = env::caller();
    let mut config = state.assets.get(asset).ok_or(EngineError::UnknownAsset)?;
    let total = config.total_deposits.checked_add(amount).ok_or(EngineError::DepositCapExceeded)?;
    ensure(total <= config.deposit_cap, EngineError::DepositCapExceeded)?;
    state.pull(asset, caller, amount)?;
    let mut data = state.accounts.get(caller).unwrap_or_default();
    if config.underlying.is_some() {
        data.add_collateral(asset, amount)?;
    } else {
        data.add_cash(i128::try_from(amount).map_err(|_| OVERFLOW)?)?;
    }
    config.total_deposits = total;
    state.assets.insert(asset, &config);
    state.store_account(caller, &data)?;
    env::emit(Deposited { account: caller, asset, amount });
    Ok(())
}

/// `withdraw`: pays the caller `amount` base units of `asset` if it stays above initial margin.
pub fn withdraw(state: &mut EngineState, asset: AccountId, amount: u128) -> Result<(), EngineError> {
    ensure(!state.paused.withdrawals, EngineError::Paused)?;
    ensure(amount > 0, EngineError::ZeroAmount)?;
    let caller = env::caller();
    let now = env::now_ms();
    let mut config = state.assets.get(asset).ok_or(EngineError::UnknownAsset)?;
    let mut data = state.accounts.get(caller).ok_or(EngineError::NoAccount)?;
    state.settle_expired(caller, &mut data, now)?;
    if config.underlying.is_some() {
        data.remove_collateral(asset, amount)?;
    } else {
        let units = i128::try_from(amount).map_err(|_| EngineError::InsufficientCash)?;
        ensure(data.cash >= units, EngineError::InsufficientCash)?;
        ensure(state.deficit == 0, EngineError::DeficitOutstanding)?;
        let liquidity = tokens::balance(asset, env::this())?;
        ensure(liquidity >= amount, EngineError::InsufficientLiquidity)?;
        data.add_cash(units.checked_neg().ok_or(OVERFLOW)?)?;
        state.quote_held = state.quote_held.saturating_sub(amount);
    }
    if !data.collateral.is_empty() || !data.positions.is_empty() || data.cash < 0 {
        let health = state.evaluate_account(&data, now)?;
        ensure(health.equity >= health.initial_margin, EngineError::InsufficientMargin)?;
    }
    config.total_deposits = config.total_deposits.saturating_sub(amount);
    state.assets.insert(asset, &config);
    state.store_account(caller, &data)?;
    tokens::transfer(asset, caller, amount)?;
    env::emit(Withdrawn { account: caller, asset, amount });
    Ok(())
}
