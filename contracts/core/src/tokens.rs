//! Calls into PSP22 tokens: the only way value enters or leaves the engine. Every failure is a
//! typed error: `TokenCallFailed` when the call itself fails (no such contract, a trap, an
//! undecodable answer), `TokenError` when the token answers with its own error.

use deltamargin_interfaces::{PSP22Metadata, PSP22};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

use crate::env::Env;
use crate::errors::{ensure, EngineError};

/// Largest number of decimals a listed token may have (keeps `10^decimals` and every amount
/// scaling within range).
pub const MAX_TOKEN_DECIMALS: u8 = 24;

/// The token's `PSP22Metadata::token_decimals`. Errors: `TokenCallFailed`,
/// `UnsupportedDecimals` (more than [`MAX_TOKEN_DECIMALS`]).
pub fn read_decimals(token: AccountId) -> Result<u8, EngineError> {
    let metadata: ink::contract_ref!(PSP22Metadata, Env) = token.into();
    let decimals = match ink::codegen::TraitCallBuilder::call(&metadata).token_decimals().try_invoke() {
        Ok(Ok(decimals)) => decimals,
        _ => return Err(EngineError::TokenCallFailed),
    };
    ensure(decimals <= MAX_TOKEN_DECIMALS, EngineError::UnsupportedDecimals(decimals))?;
    Ok(decimals)
}

/// `owner`'s balance of `token`, base units. Errors: `TokenCallFailed`.
#[inline(never)]
pub fn balance(token: AccountId, owner: AccountId) -> Result<u128, EngineError> {
    let psp22: ink::contract_ref!(PSP22, Env) = token.into();
    match ink::codegen::TraitCallBuilder::call(&psp22).balance_of(owner).try_invoke() {
        Ok(Ok(balance)) => Ok(balance),
        _ => Err(EngineError::TokenCallFailed),
    }
}

/// Moves `value` base units of `token` from `from` to `to` on the running contract's allowance.
/// Errors: `TokenError`, `TokenCallFailed`.
pub fn transfer_from(token: AccountId, from: AccountId, to: AccountId, value: u128) -> Result<(), EngineError> {
    let mut psp22: ink::contract_ref!(PSP22, Env) = token.into();
    match ink::codegen::TraitCallBuilder::call_mut(&mut psp22).transfer_from(from, to, value, Vec::new()).try_invoke() {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(EngineError::TokenError(e)),
        _ => Err(EngineError::TokenCallFailed),
    }
}

/// Sends `value` base units of `token` from the running contract to `to`. Errors:
/// `TokenError`, `TokenCallFailed`.
pub fn transfer(token: AccountId, to: AccountId, value: u128) -> Result<(), EngineError> {
    let mut psp22: ink::contract_ref!(PSP22, Env) = token.into();
    match ink::codegen::TraitCallBuilder::call_mut(&mut psp22).transfer(to, value, Vec::new()).try_invoke() {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(EngineError::TokenError(e)),
        _ => Err(EngineError::TokenCallFailed),
    }
}
