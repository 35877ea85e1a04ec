//! The chain environment the engine and its admin module run in (ink!'s default environment),
//! as free functions so the shared state's methods can read the block and emit events without
//! a contract type. Off chain (tests, the keeper) these are never called.

use ink::primitives::AccountId;

/// The environment of both contracts.
pub type Env = ink::env::DefaultEnvironment;

/// The current block's timestamp, ms.
#[inline]
pub fn now_ms() -> u64 {
    ink::env::block_timestamp::<Env>()
}

/// The account that called the running message (with a delegate call: the engine's caller).
#[inline]
pub fn caller() -> AccountId {
    ink::env::caller::<Env>()
}

/// The running contract's own account (with a delegate call: the engine's).
#[inline]
pub fn this() -> AccountId {
    ink::env::account_id::<Env>()
}

/// Emits `event` as the running contract (with a delegate call: as the engine).
#[inline]
pub fn emit<E: ink::env::Event>(event: E) {
    ink::env::emit_event::<Env, E>(event)
}
