//! deltamargin engine admin module: the engine's owner-only messages (ownership, listings,
//! venues, pauses, parameters, deficit cover), built from the engine's own contract source with
//! `cfg(engine_admin)` so the storage layout is the engine's by construction.
//!
//! Never used as a contract of its own: upload its code, pass the code hash to the engine's
//! constructor, and call its messages through the engine's `admin(selector ++ arguments)`,
//! which delegate-calls this code on the engine's storage (see `engine::admin`).
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// The shared source's engine-side helpers and imports are unused in this half; the engine's
// own build lints them.
#![allow(dead_code, unused_imports)]

pub use ::engine::{account, errors, events, liquidation, types};
pub use ::engine::{EngineError, MathFailure, Side};

include!("../../engine/src/contract.rs");
