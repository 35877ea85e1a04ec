//! deltamargin engine: holds multi-asset PSP22 collateral, books positions that authorized
//! venues report, and margins every account with the portfolio delta-margin model of
//! `margin-math` at fresh oracle prices (`docs/model.md`, `docs/contracts.md`).
//!
//! The contract module is glue: it loads state, calls `margin-math` (all arithmetic) and the
//! plain bookkeeping in [`account`], stores, and emits [`events`]. Errors are [`EngineError`].
//!
//! The owner-only messages run in the admin module (see [`admin`]): the contract below is built
//! twice, as the engine and, with `cfg(engine_admin)` (set by `contracts/engine_admin`'s build
//! script), as the admin module that the engine delegate-calls. One source, one storage layout.
//!
//! Every message is `#[inline(never)]`: inlined into ink!'s dispatcher they made the Wasm 1.3 KB
//! larger (code size is paid on every call).
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod admin;
pub mod events;

pub use deltamargin_core::{account, errors, liquidation, types};

pub use errors::{EngineError, MathFailure, Side};

include!("contract.rs");
