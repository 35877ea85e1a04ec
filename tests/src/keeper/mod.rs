//! The keeper on the sandbox, and the live-node tools that deploy contracts.
//!
//! The keeper itself is the crate `deltamargin-keeper` (`keeper/`, no drink), re-exported here so
//! the simulator and the tests reach it as `crate::keeper`. This module adds what needs the
//! contracts' Wasm or the sandbox: [`SandboxChain`] (the keeper's chain over the drink sandbox),
//! the liquidation drill on the sandbox (the drill itself is the keeper crate's) and the drill's
//! live command, which takes the contracts' Wasm from this crate's bundle provider.

pub use deltamargin_keeper::*;

pub mod drill;
pub mod drill_cli;
#[cfg(test)]
mod live_tests;
pub mod sandbox;
#[cfg(test)]
mod sandbox_tests;

pub use sandbox::SandboxChain;
