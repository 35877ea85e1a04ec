//! Equity, initial and maintenance margin, health and per-underlying risk of one account.

use alloc::vec::Vec;

use super::cell::{spot_bound, vega_credit, vega_floor, SpotRow};
use super::types::{Account, Market, PositionKind, PreparedMarket, UnderlyingId, MAX_PRICE_E18};
use crate::black_scholes::{ln_of, Greeks, OptionKind, OptionTerms, VolTerms};
use crate::error::{MathError, MathResult};
use crate::fixed_point::{
    add, mul_ceil, mul_floor, mul_size_precise, ovf, pmul, precise_to_value_floor, psub, sub, Precise, Value,
};
use crate::units::{
    e18_to_precise, e18_to_value, e18_to_value_ceil, units_to_value_floor, units_to_value_toward_zero,
    unsigned_to_value_floor, years_until,
};

/// Where an underlying's requirement is set: one point of the scenario grid, or the bound over
/// one spot cell between two grid spots (quote whole units; negative loss = gain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// Grid point: its spot. Cell: the cell's lower spot `a`. Quote per unit.
    pub spot: Value,
    /// Grid point: its volatility. Cell: the lower grid vol `ν_lo`. Annualized fraction.
    pub vol: Value,
    /// Grid point: `V_u(S, σ) − V_u(s, ν)`, each item rounded up. Cell: the upper bound of the
    /// loss over the whole cell (see [`CellBound`]).
    pub loss: Value,
    /// `None` for a grid point; the cell for a cell bound.
    pub cell: Option<CellBound>,
}

/// The rest of a cell scenario: the bound covers `[spot, spot_high] × [vol, vol_high]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellBound {
    /// The cell's upper spot `b`, quote per unit.
    pub spot_high: Value,
    /// The upper grid vol `ν_hi`, annualized fraction.
    pub vol_high: Value,
    /// The spot where the bound sits: `a`, `b` or the longs' tangents' intersection.
    pub at_spot: Value,
    /// The vega credit `G` taken off the cell's loss (0 unless the book holds long and short
    /// options).
    pub vega_credit: Value,
}

/// Risk of the account in one underlying. Money in quote whole units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnderlyingRisk {
    /// The underlying.
    pub underlying: UnderlyingId,
    /// `V_u(S, σ)`: value of the underlying's items at the current spot and vol (rounded down).
    pub value: Value,
    /// Net delta Δ_u in units of the underlying (collateral + linear + option deltas).
    pub delta: Value,
    /// Net gamma Σ size·Γ, units per quote.
    pub gamma: Value,
    /// Net vega Σ size·vega, quote per 1.00 of volatility.
    pub vega: Value,
    /// Initial margin requirement MR_u(im), quote.
    pub initial_margin: Value,
    /// Maintenance margin requirement MR_u(mm), quote.
    pub maintenance_margin: Value,
    /// The worst point of the initial-margin grid.
    pub worst_im: Scenario,
    /// The worst point of the maintenance-margin grid.
    pub worst_mm: Scenario,
}

/// Health of one account. Money in quote whole units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// `E = cash + Σ_u V_u(S, σ)`.
    pub equity: Value,
    /// `MR(im) = Σ_u MR_u(im)`.
    pub initial_margin: Value,
    /// `MR(mm) = Σ_u MR_u(mm)`.
    pub maintenance_margin: Value,
    /// `E − MR(mm)`.
    pub health: Value,
    /// `health < 0`.
    pub liquidatable: bool,
    /// Per underlying the account holds, in market order.
    pub underlyings: Vec<UnderlyingRisk>,
}

/// Equity and maintenance requirement of the account in one underlying (no initial margin, no
/// greeks): what [`evaluate_maintenance`] computes. Money in quote whole units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnderlyingMaintenance {
    /// The underlying.
    pub underlying: UnderlyingId,
    /// `V_u(S, σ)`, the same bits as [`UnderlyingRisk::value`].
    pub value: Value,
    /// `MR_u(mm)`, the same bits as [`UnderlyingRisk::maintenance_margin`].
    pub maintenance_margin: Value,
}

/// Equity and maintenance margin of one account, the same bits as [`evaluate`]'s: what a
/// liquidation checks first. Money in quote whole units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maintenance {
    /// `E = cash + Σ_u V_u(S, σ)`.
    pub equity: Value,
    /// `MR(mm) = Σ_u MR_u(mm)`.
    pub maintenance_margin: Value,
    /// `E − MR(mm)`.
    pub health: Value,
    /// `health < 0`.
    pub liquidatable: bool,
    /// Per underlying the account holds, in market order.
    pub underlyings: Vec<UnderlyingMaintenance>,
}

impl UnderlyingRisk {
    /// The maintenance part of this risk.
    pub fn maintenance(&self) -> UnderlyingMaintenance {
        UnderlyingMaintenance {
            underlying: self.underlying,
            value: self.value,
            maintenance_margin: self.maintenance_margin,
        }
    }
}

impl Health {
    /// `E − MR(im)`: the margin left for new risk (negative: trades must reduce).
    pub fn initial_health(&self) -> MathResult<Value> {
        sub(self.equity, self.initial_margin)
    }
}

/// An option converted once per evaluation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PreparedOption {
    pub size: Value,
    /// Spot- and vol-independent pricing terms, reused at every grid point.
    pub terms: OptionTerms,
    /// Price at (S, σ); for pinned options the intrinsic value at settlement.
    pub p0: Precise,
    /// Delta, gamma and vega at (S, σ) (zero for pinned options).
    pub delta: Precise,
    /// See `delta`.
    pub gamma: Precise,
    /// See `delta`.
    pub vega: Precise,
    /// Settled at a pinned price: constant value, no risk.
    pub pinned: bool,
}

/// The delta-one and option items of one underlying.
pub(crate) struct Book {
    /// Some unpinned option is long / short: the cell bound needs the longs' deltas, the vega
    /// credit both sides.
    pub has_long: bool,
    /// See `has_long`.
    pub has_short: bool,
    pub market: PreparedMarket,
    /// Σ collateral + Σ linear size (units of the underlying).
    pub d_one: Value,
    pub options: Vec<PreparedOption>,
    /// Σ collateral amount · basis haircut (units), charged as `·S` un-netted.
    pub haircut_units: Value,
    /// Σ |size| of short, unpinned options (contracts).
    pub short_size: Value,
    /// Σ linear size · (S − entry) + Σ collateral · S, rounded down.
    pub d_one_value: Value,
    /// `ln S` at the current spot, once computed for the options' centre greeks.
    pub ln_centre: Option<Precise>,
}

/// The shocks of one margin level.
#[derive(Clone, Copy)]
pub(crate) struct Shock {
    h: Value,
    h_p: Precise,
    v_p: Precise,
}

fn intrinsic(kind: OptionKind, settle: Precise, strike: Precise) -> MathResult<Precise> {
    let diff = match kind {
        OptionKind::Call => psub(settle, strike)?,
        OptionKind::Put => psub(strike, settle)?,
    };
    Ok(diff.max(Precise::ZERO))
}

/// Collects and converts the items of `underlying`; with `greeks` false, unpinned options are
/// priced at the centre only (the same price bits) and carry zero greeks.
pub(crate) fn book(market: &Market, account: &Account<'_>, now_ms: u64, greeks: bool) -> MathResult<Book> {
    let pm = market.prepare()?;
    let u = market.underlying;
    let mut d_one = Value::ZERO;
    let mut d_one_value = Value::ZERO;
    let mut haircut_units = Value::ZERO;
    let mut short_size = Value::ZERO;
    let mut options = Vec::new();
    let mut ln_spot: Option<Precise> = None;
    for c in account.collateral.iter().filter(|c| c.underlying == u) {
        if c.basis_haircut_e18 >= 1_000_000_000_000_000_000 {
            return Err(MathError::OutOfDomain);
        }
        let amount = unsigned_to_value_floor(c.amount, c.decimals)?;
        d_one = add(d_one, amount)?;
        d_one_value = add(d_one_value, mul_floor(amount, pm.spot)?)?;
        if c.basis_haircut_e18 > 0 {
            haircut_units = add(haircut_units, mul_ceil(amount, e18_to_value_ceil(c.basis_haircut_e18)?)?)?;
        }
    }
    for p in account.positions.iter().filter(|p| p.underlying == u) {
        let size = units_to_value_toward_zero(p.size_e18, crate::units::E18_DECIMALS)?;
        match p.kind {
            PositionKind::Linear { entry_e18 } => {
                if entry_e18 > MAX_PRICE_E18 {
                    return Err(MathError::OutOfDomain);
                }
                let entry = e18_to_value(entry_e18)?;
                d_one = add(d_one, size)?;
                d_one_value = add(d_one_value, mul_floor(size, sub(pm.spot, entry)?)?)?;
            }
            PositionKind::Option { kind, strike_e18, expiry_ms, settlement_e18 } => {
                if strike_e18 == 0 || strike_e18 > MAX_PRICE_E18 {
                    return Err(MathError::OutOfDomain);
                }
                let strike = e18_to_precise(strike_e18)?;
                let years = years_until(now_ms, expiry_ms);
                let pinned_price = match settlement_e18 {
                    Some(s) if now_ms >= expiry_ms => Some(e18_to_precise(s)?),
                    _ => None,
                };
                let terms = OptionTerms::new(kind, strike, years, pm.rate_p)?;
                let option = match pinned_price {
                    Some(settle) => {
                        let p0 = intrinsic(kind, settle, strike)?;
                        let zero = Precise::ZERO;
                        PreparedOption { size, terms, p0, delta: zero, gamma: zero, vega: zero, pinned: true }
                    }
                    None => {
                        let ln_s = match ln_spot {
                            Some(l) => l,
                            None => *ln_spot.insert(ln_of(pm.spot_p)?),
                        };
                        let g = if greeks {
                            terms.greeks(pm.spot_p, ln_s, pm.vol_p)?
                        } else {
                            let zero = Precise::ZERO;
                            let price = terms.price(pm.spot_p, ln_s, pm.vol_p)?;
                            Greeks { price, delta: zero, gamma: zero, vega: zero }
                        };
                        if size < Value::ZERO {
                            short_size = sub(short_size, size)?;
                        }
                        PreparedOption {
                            size,
                            terms,
                            p0: g.price,
                            delta: g.delta,
                            gamma: g.gamma,
                            vega: g.vega,
                            pinned: false,
                        }
                    }
                };
                options.push(option);
            }
        }
    }
    let has_long = options.iter().any(|o| !o.pinned && o.size > Value::ZERO);
    let has_short = options.iter().any(|o| !o.pinned && o.size < Value::ZERO);
    Ok(Book {
        has_long,
        has_short,
        market: pm,
        d_one,
        options,
        haircut_units,
        short_size,
        d_one_value,
        ln_centre: ln_spot,
    })
}

impl Book {
    pub(crate) fn shock(&self, maintenance: bool) -> Shock {
        let m = &self.market;
        if maintenance {
            Shock { h: m.h_mm, h_p: m.h_mm_p, v_p: m.v_mm_p }
        } else {
            Shock { h: m.h_im, h_p: m.h_im_p, v_p: m.v_im_p }
        }
    }

    /// Each unpinned option's volatility terms at `vol_p` (`None` for pinned options), computed
    /// once per grid volatility and reused at every grid spot.
    pub(crate) fn vol_terms(&self, vol_p: Precise) -> MathResult<Vec<Option<VolTerms>>> {
        self.options.iter().map(|o| if o.pinned { Ok(None) } else { o.terms.at_vol(vol_p).map(Some) }).collect()
    }

    /// `ln(spot_p)` if any option needs pricing (0 otherwise): computed once per grid spot and
    /// shared by both volatilities and every option.
    pub(crate) fn ln_spot(&self, spot_p: Precise) -> MathResult<Precise> {
        if self.options.iter().any(|o| !o.pinned) {
            match self.ln_centre {
                Some(ln_centre) if spot_p == self.market.spot_p => Ok(ln_centre),
                _ => ln_of(spot_p),
            }
        } else {
            Ok(Precise::ZERO)
        }
    }

    /// Option part of `V(S, σ) − V(s, ν)` at spot `spot_p` (with `ln_spot = ln_of(spot_p)`) and
    /// the volatility whose terms are `vols` (from [`Book::vol_terms`]), each option's loss
    /// rounded up.
    pub(crate) fn option_loss(
        &self,
        spot_p: Precise,
        ln_spot: Precise,
        vols: &[Option<VolTerms>],
    ) -> MathResult<Value> {
        let mut loss = Value::ZERO;
        for (o, vol) in self.options.iter().zip(vols) {
            let Some(vol) = vol else { continue };
            let p = o.terms.price_at(spot_p, ln_spot, vol)?;
            loss = add(loss, mul_size_precise(o.size, psub(o.p0, p)?, true)?)?;
        }
        Ok(loss)
    }

    /// The two vol scenarios `max(σ − v, σ_min)` and `σ + v`, lower first: when the oracle's `σ`
    /// is so far below the floor that `σ + v < σ_min`, the floor is the upper one (the box lies
    /// between the two either way).
    pub(crate) fn vol_range(&self, v_p: Precise) -> MathResult<(Precise, Precise)> {
        let m = &self.market;
        let lo = psub(m.vol_p, v_p)?.max(m.vol_floor_p);
        let hi = ovf(m.vol_p.checked_add(v_p))?;
        Ok((lo.min(hi), lo.max(hi)))
    }

    /// `max(0, worst loss)` and where it is, for one margin level: the worst of the 10 grid
    /// points and of the 4 spot cells' bounds (module `cell`). Grid points come first
    /// (spot-major, low vol first), a later candidate replaces the worst only if strictly larger,
    /// and a cell only if its bound also exceeds 0; a cell's vega credit is computed only for a
    /// cell whose bound without it would replace the worst, which gives the same result as
    /// computing it everywhere. A book without long options has no kink and no credit, and its
    /// cells' bounds are grid losses at `ν_hi`: its result is the 10-point grid's, bit for bit.
    fn grid(&self, shock: Shock) -> MathResult<(Value, Scenario)> {
        let m = &self.market;
        let full = mul_ceil(m.spot, shock.h)?;
        let half = mul_ceil(m.spot, Value::from_bits(shock.h.to_bits() >> 1))?;
        let full_p = pmul(m.spot_p, shock.h_p)?;
        let half_p = pmul(m.spot_p, Precise::from_bits(shock.h_p.to_bits() >> 1))?;
        // (S − s) in Value and s in Precise for the five spot points, low to high.
        let spots = [
            (full, psub(m.spot_p, full_p)?, sub(m.spot, full)?),
            (half, psub(m.spot_p, half_p)?, sub(m.spot, half)?),
            (Value::ZERO, m.spot_p, m.spot),
            (ovf(half.checked_neg())?, ovf(m.spot_p.checked_add(half_p))?, add(m.spot, half)?),
            (ovf(full.checked_neg())?, ovf(m.spot_p.checked_add(full_p))?, add(m.spot, full)?),
        ];
        let (lo, hi) = self.vol_range(shock.v_p)?;
        let vols = [(lo, self.vol_terms(lo)?), (hi, self.vol_terms(hi)?)];
        let vol_values = [precise_to_value_floor(lo), precise_to_value_floor(hi)];
        // d1 of every option at every grid point, [spot][vol][option], for the vega credit.
        let credit = self.has_long && self.has_short;
        let mut d1s: Vec<Option<Precise>> = Vec::new();
        let mut rows: Vec<SpotRow> = Vec::with_capacity(spots.len());
        let mut worst: Option<Scenario> = None;
        for (move_down, spot_p, spot_v) in spots {
            let mut row = SpotRow {
                spot_p,
                spot: spot_v,
                d_one_loss: mul_ceil(self.d_one, move_down)?,
                long_loss: [Value::ZERO; 2],
                short_loss: [Value::ZERO; 2],
                long_delta_floor: Value::ZERO,
                long_delta_ceil: Value::ZERO,
            };
            let ln_spot = self.ln_spot(spot_p)?;
            for (j, ((_, terms), vol)) in vols.iter().zip(vol_values).enumerate() {
                let (long_j, short_j) = match j {
                    0 => (&mut row.long_loss[0], &mut row.short_loss[0]),
                    _ => (&mut row.long_loss[1], &mut row.short_loss[1]),
                };
                for (o, terms) in self.options.iter().zip(terms) {
                    let Some(terms) = terms else {
                        if credit {
                            d1s.push(None);
                        }
                        continue;
                    };
                    let point = o.terms.point_at(spot_p, ln_spot, terms)?;
                    let loss = mul_size_precise(o.size, psub(o.p0, point.price)?, true)?;
                    if o.size > Value::ZERO {
                        *long_j = add(*long_j, loss)?;
                        if j == 0 {
                            row.long_delta_floor =
                                add(row.long_delta_floor, mul_size_precise(o.size, point.delta, false)?)?;
                            row.long_delta_ceil =
                                add(row.long_delta_ceil, mul_size_precise(o.size, point.delta, true)?)?;
                        }
                    } else {
                        *short_j = add(*short_j, loss)?;
                    }
                    if credit {
                        d1s.push(point.d1);
                    }
                }
                let loss = row.grid_loss(j)?;
                if worst.is_none_or(|w| loss > w.loss) {
                    worst = Some(Scenario { spot: spot_v, vol, loss, cell: None });
                }
            }
            rows.push(row);
        }
        let mut worst = worst.ok_or(MathError::Overflow)?;
        if self.has_long {
            let vol_span = precise_to_value_floor(psub(hi, lo)?);
            for (i, pair) in rows.windows(2).enumerate() {
                let [a, b] = pair else { continue };
                let (mut loss, at_spot) = spot_bound(a, b)?;
                let threshold = worst.loss.max(Value::ZERO);
                if loss <= threshold {
                    continue;
                }
                let mut vega_credit_v = Value::ZERO;
                if credit {
                    vega_credit_v = self.cell_vega_credit(&d1s, i, a.spot_p, vol_span)?;
                    loss = sub(loss, vega_credit_v)?;
                }
                if loss > threshold {
                    let cell =
                        CellBound { spot_high: b.spot, vol_high: vol_values[1], at_spot, vega_credit: vega_credit_v };
                    worst = Scenario { spot: a.spot, vol: vol_values[0], loss, cell: Some(cell) };
                }
            }
        }
        Ok((worst.loss.max(Value::ZERO), worst))
    }

    /// The vega credit of the cell between grid spots `i` and `i + 1` with lower spot `a`:
    /// `(ν_hi − ν_lo)·min(vega_L, vega_S)` from each option's vega lower bound over the cell
    /// ([`vega_floor`]); `d1s` holds every option's `d1` at every grid point, `[spot][vol][option]`.
    fn cell_vega_credit(&self, d1s: &[Option<Precise>], i: usize, a: Precise, vol_span: Value) -> MathResult<Value> {
        let n = self.options.len();
        let at = |spot: usize, vol: usize, o: usize| -> Option<Precise> {
            d1s.get(spot.checked_mul(2)?.checked_add(vol)?.checked_mul(n)?.checked_add(o)?).copied().flatten()
        };
        let (mut vega_long, mut vega_short) = (Value::ZERO, Value::ZERO);
        for (k, o) in self.options.iter().enumerate() {
            if o.pinned || o.size == Value::ZERO {
                continue;
            }
            let i1 = i.checked_add(1).ok_or(MathError::Overflow)?;
            let corners = [at(i, 0, k), at(i, 1, k), at(i1, 0, k), at(i1, 1, k)];
            let vega = vega_floor(o.size, a, o.terms.sqrt_t(), corners)?;
            if o.size > Value::ZERO {
                vega_long = add(vega_long, vega)?;
            } else {
                vega_short = add(vega_short, vega)?;
            }
        }
        vega_credit(vol_span, vega_long, vega_short)
    }

    /// `m·S·Σ|short| + S·Σ haircut units`, rounded up.
    fn add_ons(&self) -> MathResult<Value> {
        let m = &self.market;
        let shorts = mul_ceil(mul_ceil(m.addon, m.spot)?, self.short_size)?;
        let haircut = mul_ceil(self.haircut_units, m.spot)?;
        add(shorts, haircut)
    }

    /// `V_u(S, σ)`, rounded down.
    pub(crate) fn value(&self) -> MathResult<Value> {
        let mut v = self.d_one_value;
        for o in &self.options {
            v = add(v, mul_size_precise(o.size, o.p0, false)?)?;
        }
        Ok(v)
    }
}

/// The account's risk in `market`'s underlying; without `initial`, the maintenance grid only,
/// priced at the centre without greeks (the same value and maintenance bits; the initial margin
/// and its worst point are then copies of the maintenance ones, the greeks zero).
fn risk(market: &Market, account: &Account<'_>, now_ms: u64, initial: bool) -> MathResult<UnderlyingRisk> {
    let b = book(market, account, now_ms, initial)?;
    let mut delta = b.d_one;
    let mut gamma = Value::ZERO;
    let mut vega = Value::ZERO;
    for o in b.options.iter().filter(|o| initial && !o.pinned) {
        delta = add(delta, mul_size_precise(o.size, o.delta, false)?)?;
        gamma = add(gamma, mul_size_precise(o.size, o.gamma, false)?)?;
        vega = add(vega, mul_size_precise(o.size, o.vega, false)?)?;
    }
    let add_ons = b.add_ons()?;
    let (grid_mm, worst_mm) = b.grid(b.shock(true))?;
    let (grid_im, worst_im) = if initial { b.grid(b.shock(false))? } else { (grid_mm, worst_mm) };
    let maintenance_margin = add(grid_mm, add_ons)?;
    let initial_margin = add(grid_im, add_ons)?.max(maintenance_margin);
    Ok(UnderlyingRisk {
        underlying: market.underlying,
        value: b.value()?,
        delta,
        gamma,
        vega,
        initial_margin,
        maintenance_margin,
        worst_im,
        worst_mm,
    })
}

/// Checks that every item of the account has a market.
pub(crate) fn check_underlyings(markets: &[Market], account: &Account<'_>) -> MathResult<()> {
    let known = |u: UnderlyingId| markets.iter().any(|m| m.underlying == u);
    let all_known =
        account.collateral.iter().all(|c| known(c.underlying)) && account.positions.iter().all(|p| known(p.underlying));
    if all_known {
        Ok(())
    } else {
        Err(MathError::UnknownUnderlying)
    }
}

/// Margins the account against the markets at time `now_ms` (`docs/model.md`).
///
/// Underlyings the account holds nothing in are skipped (and may be absent from `markets`);
/// an item whose underlying has no market is `UnknownUnderlying`. Duplicate market entries for
/// one underlying are `OutOfDomain`.
pub fn evaluate(markets: &[Market], account: &Account<'_>, now_ms: u64) -> MathResult<Health> {
    evaluate_levels(markets, account, now_ms, true)
}

/// Equity and maintenance margin only: without the initial-margin grid and the greeks, about
/// half the cost of [`evaluate`] for option books. Same inputs and checks; wherever `evaluate`
/// succeeds, the same bits (it can succeed where only `evaluate`'s IM grid or greeks overflow).
pub fn evaluate_maintenance(markets: &[Market], account: &Account<'_>, now_ms: u64) -> MathResult<Maintenance> {
    let h = evaluate_levels(markets, account, now_ms, false)?;
    Ok(Maintenance {
        equity: h.equity,
        maintenance_margin: h.maintenance_margin,
        health: h.health,
        liquidatable: h.liquidatable,
        underlyings: h.underlyings.iter().map(UnderlyingRisk::maintenance).collect(),
    })
}

/// The account's equity `E = cash + Σ_u V_u(S, σ)` alone, with no grid: the same bits as
/// [`evaluate`]'s `equity` (the same book valuation), for revaluing a book over many scenarios.
/// Same checks as `evaluate` (`UnknownUnderlying`, `OutOfDomain` for duplicate markets).
pub fn equity(markets: &[Market], account: &Account<'_>, now_ms: u64) -> MathResult<Value> {
    check_underlyings(markets, account)?;
    let mut equity = units_to_value_floor(account.cash, account.cash_decimals)?;
    for (i, market) in markets.iter().enumerate() {
        if markets.iter().take(i).any(|m| m.underlying == market.underlying) {
            return Err(MathError::OutOfDomain);
        }
        let held = account.collateral.iter().any(|c| c.underlying == market.underlying)
            || account.positions.iter().any(|p| p.underlying == market.underlying);
        if held {
            equity = add(equity, book(market, account, now_ms, false)?.value()?)?;
        }
    }
    Ok(equity)
}

/// [`evaluate`]; without `initial`, see [`risk`].
fn evaluate_levels(markets: &[Market], account: &Account<'_>, now_ms: u64, initial: bool) -> MathResult<Health> {
    check_underlyings(markets, account)?;
    let mut equity = units_to_value_floor(account.cash, account.cash_decimals)?;
    let mut initial_margin = Value::ZERO;
    let mut maintenance_margin = Value::ZERO;
    let mut underlyings = Vec::new();
    for (i, market) in markets.iter().enumerate() {
        if markets.iter().take(i).any(|m| m.underlying == market.underlying) {
            return Err(MathError::OutOfDomain);
        }
        let held = account.collateral.iter().any(|c| c.underlying == market.underlying)
            || account.positions.iter().any(|p| p.underlying == market.underlying);
        if !held {
            continue;
        }
        let r = risk(market, account, now_ms, initial)?;
        equity = add(equity, r.value)?;
        initial_margin = add(initial_margin, r.initial_margin)?;
        maintenance_margin = add(maintenance_margin, r.maintenance_margin)?;
        underlyings.push(r);
    }
    let health = sub(equity, maintenance_margin)?;
    Ok(Health { equity, initial_margin, maintenance_margin, health, liquidatable: health < Value::ZERO, underlyings })
}
