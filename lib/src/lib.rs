//! `margin-math`: the deterministic fixed-point core of deltamargin.
//!
//! Everything the contracts, the CLI and the tests compute lives here: unit conversions from
//! on-chain integers, elementary functions (`exp`, `ln`, `sqrt`), the normal distribution,
//! Black-Scholes prices and greeks, and the portfolio delta-margin model (`docs/model.md`).
//!
//! * `no_std` (with `alloc`), no floating point, no panics outside tests: every fallible
//!   operation returns [`MathError`].
//! * Two fixed-point types: [`Value`] (`I80F48`) for money and positions in whole-token units,
//!   and [`Precise`] (`I64F64`) on the option-pricing path (`S/K → ln → d1 → Φ`).
//! * Integer inputs (token base units, 18-decimal oracle values, milliseconds) are converted
//!   integer-first with floor (see [`units`]), so the same integers give the same bits on chain
//!   and off chain.
#![no_std]
#![cfg_attr(
    not(test),
    deny(
        clippy::float_arithmetic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        clippy::cast_sign_loss
    )
)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod black_scholes;
pub mod decimal;
pub mod elementary;
pub mod error;
pub mod feed;
pub mod fixed_point;
pub mod funding;
pub mod interest;
pub mod liquidation;
pub mod margin;
pub mod normal;
mod normal_table;
pub mod trading;
pub mod units;

pub use black_scholes::{Greeks, OptionKind};
pub use error::MathError;
pub use fixed_point::{Precise, Value};
pub use normal_table::TABLE_ERROR_BOUND_E21;
