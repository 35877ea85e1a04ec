//! The portfolio delta-margin model (`docs/model.md`).
//!
//! Per underlying `u` with spot `S`, volatility `σ`, rate `r` and, for `k ∈ {im, mm}`, spot
//! shock `h_k`, vol shock `v_k`, short-option add-on `m` and vol floor `σ_min`:
//!
//! ```text
//! Δ_u       = collateral_u + Σ linear size + Σ option size·delta
//! V_u(s, ν) = value of all u-items at spot s and vol ν
//! grid_k    = spot {S−δ, S−δ/2, S, S+δ/2, S+δ} × vol {max(σ−v_k, σ_min), σ+v_k},  δ = S·h_k
//! cells_k   = the four spot cells [s_i, s_i+1] × [ν_lo, ν_hi] between the grid spots
//! MR_u(k)   = max(0, max over grid_k of [V_u(S, σ) − V_u(s, ν)], max over cells_k of the cell's
//!             loss bound) + m·S·Σ|short option size| + Σ basis_haircut·amount·S
//! MR(k)     = Σ_u MR_u(k);  E = cash + Σ_u V_u(S, σ);  health = E − MR(mm);  liquidatable ⇔ health < 0
//! ```
//!
//! A cell's loss bound (module `cell`) covers the long options' optionality between the grid spots:
//! longs at `ν_lo`, shorts at `ν_hi`, the longs' tangents at the cell's ends and the rest's chord,
//! less a vega credit. It is computed from the grid's own prices and deltas; a book without long
//! options keeps the 10 grid points' figure bit for bit. For every book in bounds, `MR_u(k)`
//! before the add-ons covers the worst loss anywhere in the box `[S(1±h)] × [ν_lo, ν_hi]`
//! (`lib/tests/coverage.rs`).
//!
//! Conventions (documented so that an independent implementation can match bit for bit):
//! * Values (equity terms) round toward −∞, requirements (losses, add-ons) toward +∞, term by
//!   term ([`crate::fixed_point`]). Requirement parameters (`h`, `m`, basis haircut) convert
//!   rounding up; quantities (collateral amounts, position sizes) convert toward zero, so equal
//!   and opposite quantities cancel exactly (collateral + an equal short perpetual: Δ = 0).
//! * Delta-one items (collateral and linear positions) are aggregated first into
//!   `D = Σ amount + Σ size`; their scenario loss is `D·(S − s)` with `S − s ∈ {±δ, ±δ/2, 0}` and
//!   `δ = ceil(S·h)`, `δ/2 = ceil(S·(h/2))` (with `h` converted rounding up). A book of collateral and linear positions thus needs
//!   exactly `ceil(|D|·ceil(S·h))`.
//! * Options are fully revalued by Black-Scholes at each grid point (in `I64F64`, spot points
//!   `S ∓ S·h`, `S ∓ S·h/2`); each option's loss `size·(p(S,σ) − p(s,ν))` rounds up.
//! * Expired options with a pinned settlement price are worth `size·intrinsic(settlement)` with
//!   no risk and no add-on; expired options without one are valued at intrinsic (T = 0) at
//!   every grid spot, with the intrinsic value's subgradient as delta.
//! * `MR_u(im)` is floored at `MR_u(mm)`, so `IM ≥ MM` holds for every book (the raw grids are
//!   not nested, so an option book could otherwise show `IM < MM`).
//!
//! [`evaluate`] gives everything; [`evaluate_maintenance`] gives the same bits of `E`, `MR(mm)`
//! and health (total and per underlying) without the initial grid and the greeks, about half the
//! option pricing: what a liquidation needs until the account is back above maintenance.

mod cell;
mod evaluate;
mod stress;
mod types;

pub use evaluate::{
    equity, evaluate, evaluate_maintenance, CellBound, Health, Maintenance, Scenario, UnderlyingMaintenance,
    UnderlyingRisk,
};
pub use stress::{stress, StressGrid, StressPoint};
pub use types::{Account, Collateral, Market, MarketParams, Position, PositionKind, UnderlyingId};
