//! deltamargin on an embedded drink sandbox (the real release Wasm of every contract): the
//! contract tests, the scenario simulator and the keeper.
//!
//! One crate, one bundle provider (docs/build.md): the contracts are built once; the simulator
//! (`deltamargin-sim`, reached as `deltamargin simulate` / `deltamargin keeper`) and every test
//! module below use them through [`utils::Chain`].

#[drink::contract_bundle_provider]
pub enum BundleProvider {}

pub mod conservation;
pub mod keeper;
pub mod params;
pub mod sim;
pub mod utils;

#[cfg(test)]
mod state;
#[cfg(test)]
mod suite;

#[cfg(test)]
mod attacks;
#[cfg(test)]
mod bit_identity;
#[cfg(test)]
mod gas_report;
#[cfg(test)]
mod kernel_gas;
#[cfg(test)]
mod lifecycle;
#[cfg(test)]
mod liquidation_gas;
#[cfg(test)]
mod margin_v2;
#[cfg(test)]
mod oracle_tests;
#[cfg(test)]
mod tokens;

#[cfg(test)]
mod engine_errors;
#[cfg(test)]
mod lens_tests;
#[cfg(test)]
mod venue;

#[cfg(test)]
mod demo;
#[cfg(test)]
mod liquidation;
#[cfg(test)]
mod random_sequences;
#[cfg(test)]
mod settlement;
