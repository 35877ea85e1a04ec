//! deltamargin engine: holds multi-asset PSP22 collateral, books positions that authorized
//! venues report, and margins every account with the portfolio delta-margin model of
//! `margin-math` at fresh oracle prices (`docs/model.md`, `docs/contracts.md`).
//!
//! Split by concern: [`contract`] holds the storage and the entry points (thin glue),
//! [`collateral`] deposits and withdrawals, [`trading`] trades and their margin rule,
//! [`liquidate`] the liquidation message's glue, [`admin`] the forwarding to the admin module.
//! The storage type, shared state work, events, errors, token calls and the liquidation /
//! settlement rules live in `deltamargin_core`, shared with the admin module
//! (`contracts/engine_admin`, which the engine delegate-calls for its owner and less frequent
//! messages), the lens and the keeper; all arithmetic is in `margin-math`.
//!
//! Every message is `#[inline(never)]`: inlined into ink!'s dispatcher they made the Wasm 1.3 KB
//! larger (code size is paid on every call).
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod admin;
pub mod collateral;
pub mod contract;
pub mod liquidate;
pub mod trading;

pub use deltamargin_core::{account, errors, events, liquidation, state, types};

pub use errors::{EngineError, MathFailure, Side};

use ink::prelude::vec::Vec;
use types::UnderlyingId;

/// The underlyings of two accounts and `extra`, without repeats (the first's order, then the
/// others' new ones): the markets one oracle read must cover.
#[inline(never)]
pub(crate) fn union_of(a: &[UnderlyingId], b: &[UnderlyingId], extra: UnderlyingId) -> Vec<UnderlyingId> {
    let mut out = a.to_vec();
    for &u in b.iter().chain([&extra]) {
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}
