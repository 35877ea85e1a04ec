//! The bound between the grid points: an upper bound of an underlying's loss over one spot cell
//! `[a, b]` of the grid and the whole vol range `[ν_lo, ν_hi]` (`docs/model.md`, "Between the
//! grid points").
//!
//! Options are split by the sign of their size: longs (value `V_L`, convex in spot), shorts
//! (`V_S`, concave) and the delta-one items `D·s` (exact). Black-Scholes prices rise with
//! volatility, so on the whole cell
//!
//! ```text
//! V(s, ν) ≥ W(s) + G,   W(s) = V_L(s, ν_lo) + V_S(s, ν_hi) + D·s,
//! G = (ν_hi − ν_lo) · min(vega_L, vega_S)     (lower bounds of each side's vega over the cell)
//! ```
//!
//! and `W` lies above the longs' tangents at `a` and `b` plus the chord of the rest, a
//! piecewise-linear function whose minimum over `[a, b]` is at `a`, at `b` or at the tangents'
//! intersection `a + u`. Everything here works in loss space (`V(S, σ) − value`), on the grid's
//! own per-item losses (each rounded up), so the bound is computed from numbers the grid
//! already has: no extra Black-Scholes price.
//!
//! Rounding keeps every step an upper bound of the loss: the longs' slope at `a` rounds down,
//! at `b` up, the line terms up; any intersection point `t ∈ [0, 1]` gives a valid bound, so
//! rounding `t` only costs tightness. The vega lower bounds round down and are shaved by
//! `2^-50` relative plus 4 ulp per option for `φ`'s error. Black-Scholes prices themselves carry
//! their proven error (≤ 1e-17 · max(S, K) per price, no direction); the coverage tests allow
//! for it (`docs/model.md`).

use crate::error::MathResult;
use crate::fixed_point::{
    add, div_q64_i128, mul_ceil, mul_floor, mul_size_precise, ovf, pmul, precise_to_value_floor, psub, sub, Precise,
    Value,
};
use crate::normal::pdf;

/// What the grid computed at one of its five spots, per margin level: the items' losses at the
/// two grid vols (index 0: `ν_lo`, 1: `ν_hi`) split by side, and the longs' slope at `ν_lo`.
/// Money in quote whole units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpotRow {
    /// The spot the options were priced at.
    pub spot_p: Precise,
    /// The same spot as a [`Value`] (the delta-one move `S − s` is `S − spot` exactly).
    pub spot: Value,
    /// `ceil(D·(S − s))`.
    pub d_one_loss: Value,
    /// Σ over long options of `size·(p(S, σ) − p(s, ν))`, each rounded up, per grid vol.
    pub long_loss: [Value; 2],
    /// The same over short options.
    pub short_loss: [Value; 2],
    /// Σ over long options of `size·Δ(s, ν_lo)`, each rounded down.
    pub long_delta_floor: Value,
    /// The same, each rounded up.
    pub long_delta_ceil: Value,
}

impl SpotRow {
    /// The loss at grid vol `j`: `D`'s, the longs' and the shorts' (exact sums).
    pub fn grid_loss(&self, j: usize) -> MathResult<Value> {
        let (long, short) = match j {
            0 => (self.long_loss[0], self.short_loss[0]),
            _ => (self.long_loss[1], self.short_loss[1]),
        };
        add(add(self.d_one_loss, long)?, short)
    }

    /// `V(S, σ) − W(s)`: the longs at `ν_lo`, the shorts at `ν_hi`.
    fn mixed_loss(&self) -> MathResult<Value> {
        add(add(self.d_one_loss, self.long_loss[0])?, self.short_loss[1])
    }

    /// `V(S, σ) − (W − V_L)(s)`: the shorts at `ν_hi` and the delta-one items.
    fn rest_loss(&self) -> MathResult<Value> {
        add(self.d_one_loss, self.short_loss[1])
    }
}

/// Upper bound of `V(S, σ) − W(s)` over the cell `[a, b]` (before the vega credit) and the spot
/// where it sits (`a`, `b` or the tangents' intersection).
///
/// With `p`, `q` the longs' slopes at `a` (rounded down) and `b` (rounded up), `w = b − a` and
/// `ΔR` the rise of `W − V_L` over the cell (its chord slope is `c = ΔR/w`):
/// `X = p·w + ΔR` and `Y = q·w + ΔR` are the two lines' rises over the whole cell. Only when
/// `q > p`, `X < 0 < Y` does `W`'s lower envelope dip inside the cell; then at
/// `t = (q·w − ΔV_L)/((q − p)·w)` (clamped to `[0, 1]`) the bound is
/// `max(M_a − X·t, M_b + Y·(1 − t))` with `M` the mixed losses at the ends; otherwise
/// `max(M_a, M_b)`.
pub(crate) fn spot_bound(a: &SpotRow, b: &SpotRow) -> MathResult<(Value, Value)> {
    let (m_a, m_b) = (a.mixed_loss()?, b.mixed_loss()?);
    let end = if m_b > m_a { (m_b, b.spot) } else { (m_a, a.spot) };
    let (p, q) = (a.long_delta_floor, b.long_delta_ceil);
    let w = precise_to_value_floor(psub(b.spot_p, a.spot_p)?);
    if q <= p || w <= Value::ZERO {
        return Ok(end);
    }
    let rise_rest = sub(a.rest_loss()?, b.rest_loss()?)?;
    let x = add(mul_floor(p, w)?, rise_rest)?;
    let y = add(mul_ceil(q, w)?, rise_rest)?;
    if x >= Value::ZERO || y <= Value::ZERO {
        return Ok(end);
    }
    let rise_long = sub(a.long_loss[0], b.long_loss[0])?;
    let num = sub(mul_floor(q, w)?, rise_long)?;
    let den = mul_floor(sub(q, p)?, w)?;
    let t = if num <= Value::ZERO {
        Value::ZERO
    } else {
        // num / den in Q64 from the raw bits (the scales cancel), then to Value; None: ≥ 2^63.
        match div_q64_i128(num.to_bits(), den.to_bits()) {
            Some(t) if den > Value::ZERO => precise_to_value_floor(Precise::from_bits(t)).min(Value::ONE),
            _ => Value::ONE,
        }
    };
    let left = add(m_a, mul_ceil(ovf(x.checked_neg())?, t)?)?;
    let right = add(m_b, mul_ceil(y, sub(Value::ONE, t)?)?)?;
    Ok((left.max(right), add(a.spot, mul_floor(w, t)?)?))
}

/// A lower bound of `|size|·vega` of one option over a cell whose corner `d1`s are given
/// (`None` where `σ√T = 0`, i.e. expired: vega 0): `|size|·a·√T·φ(max |d1|)` — vega is
/// `s·√T·φ(d1)`, `s ≥ a` on the cell and `|d1|` is largest at a corner (`d1 = x/y + y/2` with
/// `x = ln(s/K) + rT`, `y = ν√T`: convex in `x`, monotone or convex in `y`). Rounded down and
/// shaved for `φ`'s error.
pub(crate) fn vega_floor(size: Value, a: Precise, sqrt_t: Precise, corners: [Option<Precise>; 4]) -> MathResult<Value> {
    let mut d_max = Precise::ZERO;
    for d in corners {
        let Some(d) = d else { return Ok(Value::ZERO) };
        d_max = d_max.max(d.checked_abs().unwrap_or(Precise::MAX));
    }
    let phi = pdf(d_max)?;
    let shaved =
        Precise::from_bits(phi.to_bits().saturating_sub(phi.to_bits() >> 50).saturating_sub(PDF_SLACK_ULP).max(0));
    let per_unit = pmul(pmul(a, sqrt_t)?, shaved)?;
    mul_size_precise(size.checked_abs().unwrap_or(Value::MAX), per_unit, false)
}

/// Ulps of `I64F64` taken off `φ` beyond its relative error (its documented 2-ulp bound, doubled).
const PDF_SLACK_ULP: i128 = 4;

/// The vega credit `G = (ν_hi − ν_lo) · min(vega_L, vega_S)` from the two sides' vega lower
/// bounds, rounded down.
pub(crate) fn vega_credit(vol_span: Value, vega_long: Value, vega_short: Value) -> MathResult<Value> {
    mul_floor(vol_span, vega_long.min(vega_short))
}
