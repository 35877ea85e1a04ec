//! deltamargin engine core, shared by the engine, its admin module, the lens and the keeper (no
//! contract in it): the stored types ([`types`]), the storage both contracts run on
//! ([`state`]), account bookkeeping and the translation into `margin-math` inputs
//! ([`account`]), the one error type ([`errors`]), the events ([`events`]), token calls
//! ([`tokens`]) and the liquidation, settlement and bad-debt rules as pure functions over copies
//! of accounts ([`liquidation`]).
//!
//! The contracts' messages load state, call these functions and store what they return; the
//! keeper calls the same rules on its snapshot to choose slices. One copy of every rule.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod account;
pub mod env;
pub mod errors;
pub mod events;
pub mod liquidation;
pub mod state;
pub mod tokens;
pub mod types;

pub use errors::{EngineError, MathFailure, Side};
