//! deltamargin engine core: everything the engine decides that does not need its storage or
//! environment — the stored types ([`types`]), account bookkeeping and the translation into
//! `margin-math` inputs ([`account`]), the one error type ([`errors`]) and the liquidation,
//! settlement and bad-debt rules as pure functions over copies of accounts ([`liquidation`]).
//!
//! The engine's messages load state, call these functions and store what they return; the
//! keeper calls the same functions on its snapshot to choose slices. One copy of every rule.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod account;
pub mod errors;
pub mod liquidation;
pub mod types;

pub use errors::{EngineError, MathFailure, Side};
