//! Full revaluation of one underlying's items on a fine spot × volatility grid.

use alloc::vec::Vec;

use super::evaluate::{book, check_underlyings};
use super::types::{Account, Market, UnderlyingId};
use crate::error::{MathError, MathResult};
use crate::fixed_point::{add, mul_ceil, ovf, precise_to_value_floor, psub, sub, value_to_precise, Precise, Value};

/// One point of a stress grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StressPoint {
    /// Spot, quote per unit.
    pub spot: Value,
    /// Volatility, annualized fraction.
    pub vol: Value,
    /// `V_u(S, σ) − V_u(s, ν)` in quote (positive = loss), each item rounded up.
    pub loss: Value,
}

/// A stress grid for one underlying, spot-major (all vols of the lowest spot first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StressGrid {
    /// The underlying.
    pub underlying: UnderlyingId,
    /// Number of spot points (from `S(1−h)` to `S(1+h)`, evenly spaced).
    pub spot_points: u32,
    /// Number of vol points (from `max(σ−v, σ_min)` to `σ+v`, evenly spaced).
    pub vol_points: u32,
    /// The points, `spot_points × vol_points`.
    pub points: Vec<StressPoint>,
    /// The largest loss on the grid, at least zero.
    pub worst_loss: Value,
}

/// Largest grid side accepted by [`stress`].
pub const MAX_STRESS_POINTS: u32 = 201;

/// Revalues every item of `underlying` at each point of the box
/// `[S(1−h), S(1+h)] × [max(σ−v, σ_min), σ+v]`, with `h`/`v` the maintenance shocks if
/// `maintenance`, else the initial ones. `spot_points ∈ [2, 201]`, `vol_points ∈ [1, 201]`
/// (one vol point: `σ` itself); otherwise `OutOfDomain`.
pub fn stress(
    markets: &[Market],
    account: &Account<'_>,
    now_ms: u64,
    underlying: UnderlyingId,
    spot_points: u32,
    vol_points: u32,
    maintenance: bool,
) -> MathResult<StressGrid> {
    if !(2..=MAX_STRESS_POINTS).contains(&spot_points) || !(1..=MAX_STRESS_POINTS).contains(&vol_points) {
        return Err(MathError::OutOfDomain);
    }
    check_underlyings(markets, account)?;
    let market = markets.iter().find(|m| m.underlying == underlying).ok_or(MathError::UnknownUnderlying)?;
    let b = book(market, account, now_ms, false)?;
    let m = b.market;
    let full = mul_ceil(m.spot, shock_h(&b, maintenance))?;
    let low_spot = sub(m.spot, full)?;
    let (vol_lo, vol_hi) = if vol_points == 1 { (m.vol_p, m.vol_p) } else { b.vol_range(shock_v(&b, maintenance))? };
    let spot_steps = Value::from_num(spot_points.saturating_sub(1));
    let vol_steps = Precise::from_num(vol_points.saturating_sub(1).max(1));
    let spot_span = ovf(ovf(full.checked_mul_int(2))?.checked_div(spot_steps))?;
    let vol_span = ovf(psub(vol_hi, vol_lo)?.checked_div(vol_steps))?;
    let mut vols = Vec::new();
    for j in 0..vol_points {
        let vol_p = ovf(vol_lo.checked_add(ovf(vol_span.checked_mul_int(i128::from(j)))?))?;
        vols.push((vol_p, b.vol_terms(vol_p)?));
    }
    let mut points = Vec::new();
    let mut worst_loss = Value::ZERO;
    for i in 0..spot_points {
        let spot = add(low_spot, ovf(spot_span.checked_mul_int(i128::from(i)))?)?;
        let spot_p = value_to_precise(spot)?;
        let d_one_loss = mul_ceil(b.d_one, sub(m.spot, spot)?)?;
        let ln_spot = b.ln_spot(spot_p)?;
        for (vol_p, terms) in &vols {
            let vol_p = *vol_p;
            let loss = add(d_one_loss, b.option_loss(spot_p, ln_spot, terms)?)?;
            worst_loss = worst_loss.max(loss);
            points.push(StressPoint { spot, vol: precise_to_value_floor(vol_p), loss });
        }
    }
    Ok(StressGrid { underlying, spot_points, vol_points, points, worst_loss })
}

fn shock_h(b: &super::evaluate::Book, maintenance: bool) -> Value {
    if maintenance {
        b.market.h_mm
    } else {
        b.market.h_im
    }
}

fn shock_v(b: &super::evaluate::Book, maintenance: bool) -> Precise {
    if maintenance {
        b.market.v_mm_p
    } else {
        b.market.v_im_p
    }
}
