//! Black-Scholes prices and greeks of European options on a non-dividend underlying.
//!
//! All inputs and outputs are [`Precise`] (`I64F64`): spot and strike in quote per unit of the
//! underlying, volatility as an annualized fraction, time in years, rate as a continuously
//! compounded annual fraction. Outputs: price in quote per unit, delta (dimensionless), gamma per
//! unit of spot (1/quote), vega per 1.00 of volatility (quote per unit).
//!
//! ```text
//! d1 = (ln S − ln K + r·T) / (σ√T) + σ√T/2,   d2 = d1 − σ√T,   K' = K·e^(−rT)
//! call = S·Φ(d1) − K'·Φ(d2)        put = K'·Φ(−d2) − S·Φ(−d1)
//! Δ_call = Φ(d1)   Δ_put = −Φ(−d1)   Γ = φ(d1)/(S·σ√T)   vega = S·φ(d1)·√T
//! ```
//!
//! Edge cases: when `σ√T = 0` (expiry or zero volatility) the option is worth its discounted
//! intrinsic value `max(S − K', 0)` / `max(K' − S, 0)` with delta 1/0 (½ at `S = K'`) and zero
//! gamma and vega. `ln S − ln K` is computed from the exactly normalized arguments, so deep in or
//! out of the money keeps full precision; when `|ln(S/K) + rT| / σ√T` exceeds 2^40 the ratio is
//! saturated (Φ is exactly 0 or 1 there), so tiny `σ√T` never overflows.
//! Put prices use `Φ(−d)` directly, never `1 − Φ(d)`, so out-of-the-money puts keep their
//! absolute accuracy.

use crate::elementary::{exp, ln_raw, sqrt};
use crate::error::{MathError, MathResult};
use crate::fixed_point::{div_q64_i128, mul_q64_i128, ovf, padd, pdiv, pmul, psub, Precise};
use crate::normal::{cdf, pdf};

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionKind {
    /// The right to buy at the strike.
    Call,
    /// The right to sell at the strike.
    Put,
}

/// Price and first/second-order sensitivities of one option on one unit of the underlying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Greeks {
    /// Price in quote per unit of the underlying.
    pub price: Precise,
    /// ∂price/∂S (calls in [0, 1], puts in [−1, 0]).
    pub delta: Precise,
    /// ∂²price/∂S², per unit of spot.
    pub gamma: Precise,
    /// ∂price/∂σ per 1.00 (100 percentage points) of volatility.
    pub vega: Precise,
}

/// The quantities shared by price and greeks. `d1`/`d2` are meaningful only when
/// `sig_sqrt_t > 0`.
struct Core {
    d1: Precise,
    d2: Precise,
    discounted_strike: Precise,
    sqrt_t: Precise,
    sig_sqrt_t: Precise,
}

/// Saturation bound for `(ln(S/K) + rT)/σ√T`: Φ is exactly 0 or 1 far before this.
const D_SATURATION: Precise = Precise::from_bits(1i128 << (64 + 40));

/// The spot- and volatility-independent terms of one option (`e^{−rT}K`, `√T`, `ln K`, `rT`),
/// computed once and reused at every point of a scenario grid. Using them gives exactly the bits
/// of [`price`] and [`greeks`], which are built on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionTerms {
    kind: OptionKind,
    rt: Precise,
    discounted_strike: Precise,
    sqrt_t: Precise,
    ln_strike: Precise,
}

impl OptionTerms {
    /// Terms of a `kind` option with `strike > 0` (quote per unit), `years ≥ 0` and annual
    /// `rate`; otherwise `OutOfDomain`.
    pub fn new(kind: OptionKind, strike: Precise, years: Precise, rate: Precise) -> MathResult<Self> {
        if strike <= Precise::ZERO || years < Precise::ZERO {
            return Err(MathError::OutOfDomain);
        }
        let rt = pmul(rate, years)?;
        let discounted_strike = if rt == Precise::ZERO { strike } else { pmul(strike, exp(ovf(rt.checked_neg())?)?)? };
        let sqrt_t = sqrt(years)?;
        let ln_strike = Precise::from_bits(ln_raw(strike.to_bits().unsigned_abs(), 64)?);
        Ok(Self { kind, rt, discounted_strike, sqrt_t, ln_strike })
    }

    /// The volatility-dependent terms at `vol ≥ 0` (otherwise `OutOfDomain`): `σ√T` and its
    /// reciprocal, computed once per volatility and reused at every spot of a grid.
    pub fn at_vol(&self, vol: Precise) -> MathResult<VolTerms> {
        if vol < Precise::ZERO {
            return Err(MathError::OutOfDomain);
        }
        let sig_sqrt_t = pmul(vol, self.sqrt_t)?;
        // `checked_div`'s bits from 64-bit limbs. None when σ√T = 0 (intrinsic value) or 1/σ√T
        // exceeds the type (σ√T < 2^-63, where every d saturates unless ln(S/K) + rT is exactly 0).
        let inverse = div_q64_i128(Precise::ONE.to_bits(), sig_sqrt_t.to_bits()).map(Precise::from_bits);
        Ok(VolTerms { sig_sqrt_t, inverse })
    }

    /// Black-Scholes price at `spot` (> 0) with `ln_spot = ln_of(spot)` and `vol ≥ 0`.
    pub fn price(&self, spot: Precise, ln_spot: Precise, vol: Precise) -> MathResult<Precise> {
        self.price_at(spot, ln_spot, &self.at_vol(vol)?)
    }

    /// Black-Scholes price at `spot` (> 0) with `ln_spot = ln_of(spot)` and the terms of one
    /// volatility from [`OptionTerms::at_vol`].
    pub fn price_at(&self, spot: Precise, ln_spot: Precise, vol: &VolTerms) -> MathResult<Precise> {
        let c = self.core(spot, ln_spot, vol)?;
        Ok(price_delta_from_core(self.kind, spot, &c)?.0)
    }

    /// [`OptionTerms::price_at`] with what the margin model's cell bound needs at the same
    /// point, at no extra normal evaluation: the delta (`Φ(d1)` / `−Φ(−d1)`, already computed
    /// for the price; at `σ√T = 0` the intrinsic value's subgradient 1/0, ½ at the strike) and
    /// `d1` (`None` at `σ√T = 0`, where vega is zero). The price has exactly `price_at`'s bits.
    pub fn point_at(&self, spot: Precise, ln_spot: Precise, vol: &VolTerms) -> MathResult<PricePoint> {
        let c = self.core(spot, ln_spot, vol)?;
        let (price, delta) = price_delta_from_core(self.kind, spot, &c)?;
        let d1 = if c.sig_sqrt_t == Precise::ZERO { None } else { Some(c.d1) };
        Ok(PricePoint { price, delta, d1 })
    }

    /// `√T` in years: with `d1` from [`OptionTerms::point_at`], vega is `S·√T·φ(d1)`.
    pub fn sqrt_t(&self) -> Precise {
        self.sqrt_t
    }

    /// Price, delta, gamma and vega at `spot` (> 0) with `ln_spot = ln_of(spot)` and `vol ≥ 0`.
    pub fn greeks(&self, spot: Precise, ln_spot: Precise, vol: Precise) -> MathResult<Greeks> {
        let c = self.core(spot, ln_spot, &self.at_vol(vol)?)?;
        greeks_from_core(self.kind, spot, &c)
    }

    /// `d1`, `d2` with `(ln S − ln K + rT)·(1/σ√T)`: one multiply by the per-volatility
    /// reciprocal instead of a 128-bit division at every grid point (the reciprocal's relative
    /// error is below 2^-64·(1/σ√T), far under the Φ table's 3.5e-19).
    fn core(&self, spot: Precise, ln_spot: Precise, vol: &VolTerms) -> MathResult<Core> {
        if spot <= Precise::ZERO {
            return Err(MathError::OutOfDomain);
        }
        let (discounted_strike, sqrt_t, sig_sqrt_t) = (self.discounted_strike, self.sqrt_t, vol.sig_sqrt_t);
        if sig_sqrt_t == Precise::ZERO {
            return Ok(Core { d1: Precise::ZERO, d2: Precise::ZERO, discounted_strike, sqrt_t, sig_sqrt_t });
        }
        let num = padd(psub(ln_spot, self.ln_strike)?, self.rt)?;
        let saturated = if num >= Precise::ZERO { D_SATURATION } else { -D_SATURATION };
        let ratio = match vol.inverse {
            _ if num == Precise::ZERO => Precise::ZERO,
            Some(inverse) => match mul_q64_i128(num.to_bits(), inverse.to_bits()) {
                Some(q) => Precise::from_bits(q).clamp(-D_SATURATION, D_SATURATION),
                None => saturated,
            },
            None => saturated,
        };
        let half = Precise::from_bits(sig_sqrt_t.to_bits() >> 1);
        Ok(Core { d1: padd(ratio, half)?, d2: psub(ratio, half)?, discounted_strike, sqrt_t, sig_sqrt_t })
    }
}

/// Price, delta and `d1` of one option at one point (see [`OptionTerms::point_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricePoint {
    /// Price in quote per unit of the underlying.
    pub price: Precise,
    /// ∂price/∂S; at expiry (`σ√T = 0`) the intrinsic value's subgradient.
    pub delta: Precise,
    /// `d1`, or `None` where `σ√T = 0`.
    pub d1: Option<Precise>,
}

/// The volatility-dependent terms of one option (see [`OptionTerms::at_vol`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolTerms {
    sig_sqrt_t: Precise,
    inverse: Option<Precise>,
}

/// `ln(spot)` for `spot > 0` (otherwise `OutOfDomain`): the one spot-dependent logarithm of
/// Black-Scholes, shared by every option priced at that spot.
pub fn ln_of(spot: Precise) -> MathResult<Precise> {
    if spot <= Precise::ZERO {
        return Err(MathError::OutOfDomain);
    }
    Ok(Precise::from_bits(ln_raw(spot.to_bits().unsigned_abs(), 64)?))
}

/// Discounted intrinsic value and its delta, for `σ√T = 0`.
fn intrinsic(kind: OptionKind, spot: Precise, discounted_strike: Precise) -> MathResult<(Precise, Precise)> {
    let half = Precise::from_bits(1i128 << 63);
    Ok(match kind {
        OptionKind::Call => match spot.cmp(&discounted_strike) {
            core::cmp::Ordering::Greater => (psub(spot, discounted_strike)?, Precise::ONE),
            core::cmp::Ordering::Equal => (Precise::ZERO, half),
            core::cmp::Ordering::Less => (Precise::ZERO, Precise::ZERO),
        },
        OptionKind::Put => match spot.cmp(&discounted_strike) {
            core::cmp::Ordering::Less => (psub(discounted_strike, spot)?, -Precise::ONE),
            core::cmp::Ordering::Equal => (Precise::ZERO, Precise::from_bits(-(1i128 << 63))),
            core::cmp::Ordering::Greater => (Precise::ZERO, Precise::ZERO),
        },
    })
}

/// Price and delta: the delta is the `Φ(±d1)` the price needs anyway.
fn price_delta_from_core(kind: OptionKind, spot: Precise, c: &Core) -> MathResult<(Precise, Precise)> {
    if c.sig_sqrt_t == Precise::ZERO {
        return intrinsic(kind, spot, c.discounted_strike);
    }
    let (price, delta) = match kind {
        OptionKind::Call => {
            let n1 = cdf(c.d1)?;
            (psub(pmul(spot, n1)?, pmul(c.discounted_strike, cdf(c.d2)?)?)?, n1)
        }
        OptionKind::Put => {
            let neg_d1 = ovf(c.d1.checked_neg())?;
            let neg_d2 = ovf(c.d2.checked_neg())?;
            let n1 = cdf(neg_d1)?;
            (psub(pmul(c.discounted_strike, cdf(neg_d2)?)?, pmul(spot, n1)?)?, ovf(n1.checked_neg())?)
        }
    };
    // Rounding can leave a few ulp below zero far out of the money.
    Ok((price.max(Precise::ZERO), delta))
}

/// Black-Scholes price of one option on one unit of the underlying, in quote.
///
/// Inputs: `spot > 0`, `strike > 0` (quote per unit), `vol ≥ 0` (annualized fraction),
/// `years ≥ 0`, `rate` (annual, continuous). Otherwise `OutOfDomain`.
/// Error: absolute ≤ 1e-17 · max(S, K) plus a few ulp (measured on the reference vectors).
pub fn price(
    kind: OptionKind,
    spot: Precise,
    strike: Precise,
    vol: Precise,
    years: Precise,
    rate: Precise,
) -> MathResult<Precise> {
    if spot <= Precise::ZERO || vol < Precise::ZERO {
        return Err(MathError::OutOfDomain);
    }
    OptionTerms::new(kind, strike, years, rate)?.price(spot, ln_of(spot)?, vol)
}

/// Black-Scholes price, delta, gamma and vega (see the module docs for units and edge cases).
///
/// Same inputs and domain as [`price`]. Delta error ≤ 1e-16; gamma and vega relative error
/// ≤ 1e-15 where they exceed 1e-12 (measured on the reference vectors).
pub fn greeks(
    kind: OptionKind,
    spot: Precise,
    strike: Precise,
    vol: Precise,
    years: Precise,
    rate: Precise,
) -> MathResult<Greeks> {
    if spot <= Precise::ZERO || vol < Precise::ZERO {
        return Err(MathError::OutOfDomain);
    }
    OptionTerms::new(kind, strike, years, rate)?.greeks(spot, ln_of(spot)?, vol)
}

fn greeks_from_core(kind: OptionKind, spot: Precise, c: &Core) -> MathResult<Greeks> {
    if c.sig_sqrt_t == Precise::ZERO {
        let (price, delta) = intrinsic(kind, spot, c.discounted_strike)?;
        return Ok(Greeks { price, delta, gamma: Precise::ZERO, vega: Precise::ZERO });
    }
    let (price, delta) = price_delta_from_core(kind, spot, c)?;
    let density = pdf(c.d1)?;
    let gamma = if density == Precise::ZERO { Precise::ZERO } else { pdiv(density, pmul(spot, c.sig_sqrt_t)?)? };
    let vega = pmul(pmul(spot, density)?, c.sqrt_t)?;
    Ok(Greeks { price, delta, gamma, vega })
}
