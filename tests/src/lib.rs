//! drink sandbox tests of the deltamargin contracts on the real Wasm (release builds).
//!
//! One crate, one bundle provider (TOOLCHAIN 11): the contracts are built once and every test
//! module below uses them through [`utils::Chain`] and [`suite::Suite`].
#![cfg(test)]

#[drink::contract_bundle_provider]
pub enum BundleProvider {}

mod conservation;
mod state;
mod suite;
mod utils;

mod bit_identity;
mod gas_report;
mod kernel_gas;
mod lifecycle;
mod liquidation_gas;
mod oracle_tests;
mod tokens;

mod engine_errors;
mod lens_tests;
mod venue;

mod demo;
mod liquidation;
mod random_sequences;
mod settlement;
