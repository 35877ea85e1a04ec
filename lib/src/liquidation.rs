//! Liquidation and settlement arithmetic (rules: `docs/contracts.md`): an account's standing
//! recombined after one underlying changed, the liquidation-end target, penalties, collateral
//! payments and option settlement amounts — all exact integers or fixed-point values, so the engine
//! and off-chain keepers get the same bits.

use crate::black_scholes::OptionKind;
use crate::error::{MathError, MathResult};
use crate::fixed_point::{add, mul_ceil, mul_floor, mul_u128_wide, ovf, sub, Value};
use crate::margin::{Health, Maintenance, UnderlyingMaintenance, UnderlyingRisk};
use crate::trading::{div_round_u256, div_u256, mul_div, notional_units, ONE_E18};
use crate::units::{e18_to_value, e18_to_value_ceil, pow10, units_to_value_floor};

/// Equity and requirements of an account, quote whole units: what liquidation compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Equity `E`.
    pub equity: Value,
    /// `MR(im)`.
    pub initial_margin: Value,
    /// `MR(mm)`.
    pub maintenance_margin: Value,
}

impl Standing {
    /// The standing of a full evaluation.
    pub fn of(health: &Health) -> Self {
        Standing {
            equity: health.equity,
            initial_margin: health.initial_margin,
            maintenance_margin: health.maintenance_margin,
        }
    }

    /// `E − MR(mm)`.
    pub fn health(&self) -> MathResult<Value> {
        sub(self.equity, self.maintenance_margin)
    }

    /// Equity and maintenance requirement only.
    pub fn maintenance(&self) -> MaintenanceStanding {
        MaintenanceStanding { equity: self.equity, maintenance_margin: self.maintenance_margin }
    }

    /// The liquidation-end target `MR(mm) + b·(MR(im) − MR(mm))` (`b = buffer_e18`, 0..=1),
    /// rounded up: a liquidation may take the account up to it and no further.
    pub fn end_target(&self, buffer_e18: u128) -> MathResult<Value> {
        let gap = sub(self.initial_margin, self.maintenance_margin)?.max(Value::ZERO);
        add(self.maintenance_margin, mul_ceil(gap, e18_to_value_ceil(buffer_e18)?)?)
    }

    /// Whether `E` reached the liquidation-end target.
    pub fn reached_end(&self, buffer_e18: u128) -> MathResult<bool> {
        Ok(self.equity >= self.end_target(buffer_e18)?)
    }

    /// The standing after the items of one underlying changed from `old` to `new` (`None`: no
    /// items) and cash from `old_cash` to `new_cash` (base units with `cash_decimals`): the old
    /// contributions are subtracted and the new ones added. Fixed-point addition is exact, so
    /// this is bit for bit what a full evaluation of the changed account gives, at the cost of
    /// revaluing one underlying only.
    pub fn replace(
        &self,
        old: Option<&UnderlyingRisk>,
        new: Option<&UnderlyingRisk>,
        old_cash: i128,
        new_cash: i128,
        cash_decimals: u8,
    ) -> MathResult<Standing> {
        let m = self.maintenance().replace(
            old.map(UnderlyingRisk::maintenance).as_ref(),
            new.map(UnderlyingRisk::maintenance).as_ref(),
            old_cash,
            new_cash,
            cash_decimals,
        )?;
        let mut initial_margin = self.initial_margin;
        if let Some(r) = old {
            initial_margin = sub(initial_margin, r.initial_margin)?;
        }
        if let Some(r) = new {
            initial_margin = add(initial_margin, r.initial_margin)?;
        }
        Ok(m.with_initial_margin(initial_margin))
    }
}

/// Equity and maintenance requirement, quote whole units: the part of a [`Standing`] that a
/// maintenance-only evaluation gives. Liquidation needs the initial margin only for the end
/// target, and only once `E ≥ MR(mm)` ([`MaintenanceStanding::reached_end`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaintenanceStanding {
    /// Equity `E`.
    pub equity: Value,
    /// `MR(mm)`.
    pub maintenance_margin: Value,
}

impl MaintenanceStanding {
    /// The standing of a maintenance-only evaluation.
    pub fn of(m: &Maintenance) -> Self {
        MaintenanceStanding { equity: m.equity, maintenance_margin: m.maintenance_margin }
    }

    /// `E − MR(mm)`.
    pub fn health(&self) -> MathResult<Value> {
        sub(self.equity, self.maintenance_margin)
    }

    /// The full standing once the account's `MR(im)` is known.
    pub fn with_initial_margin(&self, initial_margin: Value) -> Standing {
        Standing { equity: self.equity, initial_margin, maintenance_margin: self.maintenance_margin }
    }

    /// Like [`Standing::replace`], for equity and maintenance margin: exact.
    pub fn replace(
        &self,
        old: Option<&UnderlyingMaintenance>,
        new: Option<&UnderlyingMaintenance>,
        old_cash: i128,
        new_cash: i128,
        cash_decimals: u8,
    ) -> MathResult<MaintenanceStanding> {
        let mut s = *self;
        let cash_change =
            sub(units_to_value_floor(new_cash, cash_decimals)?, units_to_value_floor(old_cash, cash_decimals)?)?;
        s.equity = add(s.equity, cash_change)?;
        if let Some(r) = old {
            s.equity = sub(s.equity, r.value)?;
            s.maintenance_margin = sub(s.maintenance_margin, r.maintenance_margin)?;
        }
        if let Some(r) = new {
            s.equity = add(s.equity, r.value)?;
            s.maintenance_margin = add(s.maintenance_margin, r.maintenance_margin)?;
        }
        Ok(s)
    }

    /// [`Standing::reached_end`] computing the account's `MR(im)` with `initial_margin` only when
    /// it can matter: the end target is never below `MR(mm)` (the gap and `b` are non-negative),
    /// so `E < MR(mm)` has not reached it whatever the initial margin.
    pub fn reached_end<E: From<MathError>>(
        &self,
        buffer_e18: u128,
        initial_margin: impl FnOnce() -> Result<Value, E>,
    ) -> Result<bool, E> {
        if self.equity < self.maintenance_margin {
            return Ok(false);
        }
        Ok(self.with_initial_margin(initial_margin()?).reached_end(buffer_e18)?)
    }
}

/// `floor(v · 10^decimals)`: a value in quote whole units as base units, rounded toward −∞.
pub fn value_to_units_floor(v: Value, decimals: u8) -> MathResult<i128> {
    let bits = v.to_bits();
    // |bits| · 10^decimals / 2^48 (the scale of `Value`'s bits), the magnitude rounded up for a
    // negative value so the result is the floor.
    let magnitude = div_u256(mul_u128_wide(bits.unsigned_abs(), pow10(decimals)?), 1 << 48, bits < 0)?;
    if bits >= 0 {
        i128::try_from(magnitude).map_err(|_| MathError::Overflow)
    } else {
        ovf(0i128.checked_sub_unsigned(magnitude))
    }
}

/// What one liquidation slice charges the target, quote base units (`docs/contracts.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlicePenalty {
    /// Taken from the target's cash: `rate · MR(mm) released` ([`penalty_units`]), capped at the
    /// target's equity less one ulp so the equity stays ≥ 0; 0 from an insolvent target.
    pub penalty: u128,
    /// The liquidator's share of `penalty` (rounded down).
    pub liquidator_reward: u128,
    /// The insurance fund's share: `penalty − liquidator_reward`.
    pub fund_share: u128,
    /// From an insolvent target only: what the liquidator's share would have been, for the
    /// insurance fund to pay (the caller caps it by the fund and the configured cap).
    pub fund_reward: u128,
}

/// The penalty of a slice that took the target's maintenance requirement from `mm_before` to
/// `mm_after` and left its equity (before the penalty) at `equity_after` — quote whole units —
/// with `rate_e18` and `liquidator_share_e18` (0..=1). The engine charges it and keepers predict
/// it with this one function.
///
/// From an insolvent target (`equity_after < 0`) no penalty is taken; the fund pays the
/// liquidator `share · rate · max(MR released, insolvent_basis)` instead (the caller caps it per
/// target and by the fund): `insolvent_basis` is the slice's own risk
/// ([`slice_risk_basis`]), so winding down an insolvent book pays even when what is left of it
/// needs more margin than before (a hedge leg taken away).
pub fn slice_penalty(
    mm_before: Value,
    mm_after: Value,
    equity_after: Value,
    insolvent_basis: Value,
    rate_e18: u128,
    liquidator_share_e18: u128,
    quote_decimals: u8,
) -> MathResult<SlicePenalty> {
    let nominal = penalty_units(mm_before, mm_after, rate_e18, quote_decimals)?;
    let (penalty, fund_reward) = if equity_after < Value::ZERO {
        let basis = penalty_units(insolvent_basis, Value::ZERO, rate_e18, quote_decimals)?;
        (0, share_units(nominal.max(basis), liquidator_share_e18)?)
    } else {
        // At most the equity less one ulp, so the equity stays ≥ 0 after the cash moves.
        let room = sub(equity_after, Value::from_bits(1))?;
        let cap =
            u128::try_from(value_to_units_floor(room, quote_decimals)?.max(0)).map_err(|_| MathError::Overflow)?;
        (nominal.min(cap), 0)
    };
    let liquidator_reward = share_units(penalty, liquidator_share_e18)?;
    let fund_share = ovf(penalty.checked_sub(liquidator_reward))?;
    Ok(SlicePenalty { penalty, liquidator_reward, fund_share, fund_reward })
}

/// A slice's penalty charged to its target: the split ([`slice_penalty`]), the target's cash
/// after it and its standing after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChargedPenalty {
    /// The penalty and its split, quote base units.
    pub split: SlicePenalty,
    /// The target's quote cash once the penalty left it, base units.
    pub cash: i128,
    /// The target's equity and maintenance requirement once the penalty left its cash, quote
    /// whole units (its `MR(im)` does not change).
    pub standing: MaintenanceStanding,
}

/// Charges a slice's penalty to its target: `moved` is the target's standing after the slice
/// (before any penalty) with quote cash `cash` (base units), `mm_before` its `MR(mm)` before the
/// slice, `insolvent_basis` the slice's own risk ([`slice_risk_basis`]). The penalty
/// ([`slice_penalty`] of `mm_before` → `moved`) leaves the cash and the standing follows it. The
/// engine's `liquidate` and keepers' predictions both run this.
pub fn charge_penalty(
    mm_before: Value,
    moved: &MaintenanceStanding,
    cash: i128,
    insolvent_basis: Value,
    rate_e18: u128,
    liquidator_share_e18: u128,
    quote_decimals: u8,
) -> MathResult<ChargedPenalty> {
    let split = slice_penalty(
        mm_before,
        moved.maintenance_margin,
        moved.equity,
        insolvent_basis,
        rate_e18,
        liquidator_share_e18,
        quote_decimals,
    )?;
    let penalty = i128::try_from(split.penalty).map_err(|_| MathError::Overflow)?;
    let charged_cash = ovf(cash.checked_sub(penalty))?;
    let standing = moved.replace(None, None, cash, charged_cash, quote_decimals)?;
    Ok(ChargedPenalty { split, cash: charged_cash, standing })
}

/// The risk one slice carries on its own: `quantity / 10^decimals` units of the underlying at
/// spot `spot_e18`, times the maintenance spot shock `h_mm_e18` — quote whole units, rounded
/// down. A position slice counts its contracts (`decimals` 18), a collateral slice its base units
/// with the token's decimals. It measures the risk an insolvent book's liquidator takes off it
/// whatever the rest of the book does (the fund pays for it, see [`slice_penalty`]).
pub fn slice_risk_basis(quantity: u128, decimals: u8, spot_e18: u128, h_mm_e18: u128) -> MathResult<Value> {
    let notional_e18 = mul_div(quantity, spot_e18, pow10(decimals)?, false)?;
    mul_floor(e18_to_value(notional_e18)?, e18_to_value(h_mm_e18)?)
}

/// Whether a liquidation slice may go through, from the target's maintenance standing before
/// and after it (penalty included): its health `E − MR(mm)` rose, or it took the account's last
/// item (`emptied`), or the account was insolvent (`E < 0`) and the slice did not lower its
/// equity by more than one quote base unit of rounding. The last case lets an insolvent book be
/// emptied even when what remains hedges itself (every slice then raises `MR(mm)`), so its bad
/// debt is always recognized; at the mark with no penalty, a slice moves no value.
pub fn slice_allowed(
    before: &MaintenanceStanding,
    after: &MaintenanceStanding,
    emptied: bool,
    quote_decimals: u8,
) -> MathResult<bool> {
    if emptied || after.health()? > before.health()? {
        return Ok(true);
    }
    let dust = units_to_value_floor(1, quote_decimals)?;
    Ok(before.equity < Value::ZERO && after.equity >= sub(before.equity, dust)?)
}

/// Liquidation penalty in quote base units: `rate · (MR(mm) before − MR(mm) after)` — paid for
/// the risk removed, not the notional — rounded down (0 when no requirement was released).
pub fn penalty_units(mm_before: Value, mm_after: Value, rate_e18: u128, quote_decimals: u8) -> MathResult<u128> {
    let released = sub(mm_before, mm_after)?;
    if released <= Value::ZERO {
        return Ok(0);
    }
    let penalty = mul_floor(released, e18_to_value(rate_e18)?)?;
    let units = value_to_units_floor(penalty, quote_decimals)?;
    u128::try_from(units).map_err(|_| MathError::Overflow)
}

/// `floor(amount · share)`: the part of `amount` (base units) that `share_e18` (0..=1) gives.
pub fn share_units(amount: u128, share_e18: u128) -> MathResult<u128> {
    mul_div(amount, share_e18, ONE_E18, false)
}

/// Value of `amount` base units of a token with `decimals` (0–24) at `price_e18` (quote per
/// whole token, 18 decimals), in quote base units (`quote_decimals`), rounded down or up when
/// `up`: `amount · price · 10^(qd − decimals − 18)`, exact before the one rounding.
pub fn collateral_value_units(
    amount: u128,
    decimals: u8,
    price_e18: u128,
    quote_decimals: u8,
    up: bool,
) -> MathResult<u128> {
    // Scale exponent qd − decimals − 18, in −42 ..= 6.
    let product = mul_u128_wide(amount, price_e18);
    let up_scale = i32::from(quote_decimals);
    let down_scale = ovf(i32::from(decimals).checked_add(18))?;
    if up_scale >= down_scale {
        let e = u8::try_from(ovf(up_scale.checked_sub(down_scale))?).map_err(|_| MathError::Overflow)?;
        match product {
            (0, low) => ovf(low.checked_mul(pow10(e)?)),
            _ => Err(MathError::Overflow),
        }
    } else {
        let e = ovf(down_scale.checked_sub(up_scale))?;
        // 10^e with e ≤ 42 as two divisions by at most 10^24 each: for positive integers,
        // ⌊⌊p/a⌋/b⌋ = ⌊p/(ab)⌋ and ⌈⌈p/a⌉/b⌉ = ⌈p/(ab)⌉.
        let first = u8::try_from(e.min(24)).map_err(|_| MathError::Overflow)?;
        let second = u8::try_from(ovf(e.checked_sub(i32::from(first)))?).map_err(|_| MathError::Overflow)?;
        div_u256(div_round_u256(product, pow10(first)?, up)?, pow10(second)?, up)
    }
}

/// Intrinsic value of one option at `settlement_e18`, quote per unit (18 decimals, exact).
pub fn intrinsic_e18(kind: OptionKind, settlement_e18: u128, strike_e18: u128) -> u128 {
    match kind {
        OptionKind::Call => settlement_e18.saturating_sub(strike_e18),
        OptionKind::Put => strike_e18.saturating_sub(settlement_e18),
    }
}

/// Cash an option position of `size_e18` contracts receives (long, rounded down) or pays
/// (short, rounded up) at settlement, quote base units, signed: `size · intrinsic`. Rounding
/// favours the protocol on both sides.
pub fn settlement_cash_units(size_e18: i128, intrinsic_e18: u128, quote_decimals: u8) -> MathResult<i128> {
    let magnitude = notional_units(size_e18.unsigned_abs(), intrinsic_e18, quote_decimals, size_e18 < 0)?;
    let magnitude = i128::try_from(magnitude).map_err(|_| MathError::Overflow)?;
    if size_e18 >= 0 {
        Ok(magnitude)
    } else {
        ovf(magnitude.checked_neg())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: i64) -> Value {
        Value::from_num(x)
    }

    #[test]
    fn value_to_units_floors_toward_negative_infinity() {
        assert_eq!(value_to_units_floor(v(3), 6).unwrap(), 3_000_000);
        assert_eq!(value_to_units_floor(v(-3), 6).unwrap(), -3_000_000);
        let tiny = Value::from_bits(1); // 2^-48
        assert_eq!(value_to_units_floor(tiny, 6).unwrap(), 0);
        assert_eq!(value_to_units_floor(-tiny, 6).unwrap(), -1);
        assert_eq!(value_to_units_floor(Value::from_bits(1 << 47), 0).unwrap(), 0);
        assert_eq!(value_to_units_floor(-Value::from_bits(1 << 47), 0).unwrap(), -1);
        assert_eq!(value_to_units_floor(Value::from_bits(1 << 47), 1).unwrap(), 5);
        assert_eq!(value_to_units_floor(v(1), 24).unwrap(), 1_000_000_000_000_000_000_000_000);
    }

    #[test]
    fn penalty_is_rate_times_released_requirement_rounded_down() {
        assert_eq!(penalty_units(v(100), v(40), ONE_E18 / 2, 6).unwrap(), 30_000_000);
        assert_eq!(penalty_units(v(40), v(100), ONE_E18 / 2, 6).unwrap(), 0);
        assert_eq!(penalty_units(v(40), v(40), ONE_E18, 6).unwrap(), 0);
        // 1/3 of a quote unit released at rate 1 with 0 decimals: floor → 0.
        let third = Value::from_bits((1i128 << 48) / 3);
        assert_eq!(penalty_units(third, Value::ZERO, ONE_E18, 0).unwrap(), 0);
    }

    #[test]
    fn slice_penalty_caps_at_equity_and_moves_to_the_fund_when_insolvent() {
        let (rate, share) = (ONE_E18 / 2, ONE_E18 / 2);
        // 60 released at rate ½: 30 quote; equity 1000 leaves it whole; split 15 / 15.
        let p = slice_penalty(v(100), v(40), v(1000), Value::ZERO, rate, share, 6).unwrap();
        assert_eq!(
            p,
            SlicePenalty { penalty: 30_000_000, liquidator_reward: 15_000_000, fund_share: 15_000_000, fund_reward: 0 }
        );
        // Equity 10: capped at 10 less one ulp (2^-48 quote), floored to base units: 9.999999.
        let p = slice_penalty(v(100), v(40), v(10), Value::ZERO, rate, share, 6).unwrap();
        assert_eq!(p.penalty, 9_999_999);
        assert_eq!((p.liquidator_reward, p.fund_share), (4_999_999, 5_000_000));
        // Equity exactly 0: nothing can be taken.
        assert_eq!(slice_penalty(v(100), v(40), Value::ZERO, Value::ZERO, rate, share, 6).unwrap().penalty, 0);
        // Insolvent: no penalty; the fund owes the liquidator's share of the nominal 30: 15.
        let p = slice_penalty(v(100), v(40), v(-5), Value::ZERO, rate, share, 6).unwrap();
        assert_eq!(p, SlicePenalty { penalty: 0, liquidator_reward: 0, fund_share: 0, fund_reward: 15_000_000 });
        // Insolvent with the slice's own risk above what was released (a hedge leg taken: MR
        // rose): the fund pays the share of rate · basis, 0.5 · 0.5 · 200 = 50.
        let p = slice_penalty(v(100), v(140), v(-5), v(200), rate, share, 6).unwrap();
        assert_eq!(p, SlicePenalty { penalty: 0, liquidator_reward: 0, fund_share: 0, fund_reward: 50_000_000 });
        // A solvent target pays nothing on the basis.
        assert_eq!(slice_penalty(v(100), v(140), v(5), v(200), rate, share, 6).unwrap().penalty, 0);
    }

    #[test]
    fn slice_risk_basis_is_notional_times_the_maintenance_shock() {
        // 2.5 contracts at 60,000 with h = 0.06: 9,000 (within input rounding, rounded down).
        let b = slice_risk_basis(5 * ONE_E18 / 2, 18, 60_000 * ONE_E18, 6 * ONE_E18 / 100).unwrap();
        assert!(b <= v(9_000) && b > v(9_000) - Value::from_bits(1 << 20), "{b}");
        // 0.001 BTC of an 8-decimal token: 100,000 base units → 60 quote of notional, 3.6 at 6%.
        let b = slice_risk_basis(100_000, 8, 60_000 * ONE_E18, 6 * ONE_E18 / 100).unwrap();
        assert!(b <= Value::from_num(3.6) && b > Value::from_num(3.6) - Value::from_bits(1 << 20), "{b}");
    }

    #[test]
    fn slices_must_improve_health_unless_the_target_is_insolvent() {
        let standing = |e: i64, mm: i64| MaintenanceStanding { equity: v(e), maintenance_margin: v(mm) };
        let dust = Value::from_bits((1i128 << 48) / 1_000_000 + 1);
        // Solvent, below maintenance: health must rise.
        assert!(slice_allowed(&standing(50, 100), &standing(50, 90), false, 6).unwrap());
        assert!(!slice_allowed(&standing(50, 100), &standing(50, 110), false, 6).unwrap());
        // Emptied: always.
        assert!(slice_allowed(&standing(50, 100), &standing(50, 110), true, 6).unwrap());
        // Insolvent: MR may rise, E may not fall by more than one base unit.
        assert!(slice_allowed(&standing(-50, 0), &standing(-50, 60), false, 6).unwrap());
        let one_unit_less =
            MaintenanceStanding { equity: v(-50) - dust + Value::from_bits(2), maintenance_margin: v(60) };
        assert!(slice_allowed(&standing(-50, 0), &one_unit_less, false, 6).unwrap());
        let more = MaintenanceStanding { equity: v(-51), maintenance_margin: v(60) };
        assert!(!slice_allowed(&standing(-50, 0), &more, false, 6).unwrap());
    }

    #[test]
    fn charged_penalty_leaves_the_cash_and_the_equity() {
        let (rate, share) = (ONE_E18 / 2, ONE_E18 / 2);
        let moved = MaintenanceStanding { equity: v(1000), maintenance_margin: v(40) };
        // 30 quote (6 decimals) from cash 500: cash 470, equity 970, requirements unchanged.
        let c = charge_penalty(v(100), &moved, 500_000_000, Value::ZERO, rate, share, 6).unwrap();
        assert_eq!(c.split, slice_penalty(v(100), v(40), v(1000), Value::ZERO, rate, share, 6).unwrap());
        assert_eq!(c.cash, 470_000_000);
        assert_eq!(c.standing, MaintenanceStanding { equity: v(970), ..moved });
        // Insolvent: nothing is charged, the standing stays.
        let insolvent = MaintenanceStanding { equity: v(-5), ..moved };
        let c = charge_penalty(v(100), &insolvent, -5_000_000, Value::ZERO, rate, share, 6).unwrap();
        assert_eq!((c.split.penalty, c.cash, c.standing), (0, -5_000_000, insolvent));
        // Cash at the bottom of i128 cannot pay: overflow, not a wrap.
        assert_eq!(charge_penalty(v(100), &moved, i128::MIN, Value::ZERO, rate, share, 6), Err(MathError::Overflow));
    }

    #[test]
    fn collateral_value_is_exact_before_one_rounding() {
        // 1.5 BTC (8 decimals) at 60000 in a 6-decimal quote: 90000 quote.
        let price = 60_000 * ONE_E18;
        assert_eq!(collateral_value_units(150_000_000, 8, price, 6, false).unwrap(), 90_000_000_000);
        // One base unit of a 24-decimal token at 1e-6: 1e-30 quote → 0 down, 1 base unit up.
        assert_eq!(collateral_value_units(1, 24, 1_000_000_000_000, 6, false).unwrap(), 0);
        assert_eq!(collateral_value_units(1, 24, 1_000_000_000_000, 6, true).unwrap(), 1);
        // 0-decimal token, 24-decimal quote: scale up by 10^6.
        assert_eq!(collateral_value_units(2, 0, 3 * ONE_E18, 24, false).unwrap(), 6_000_000_000_000_000_000_000_000);
        // Exact divisions do not round up.
        assert_eq!(collateral_value_units(100, 2, ONE_E18, 0, true).unwrap(), 1);
    }

    #[test]
    fn settlement_cash_rounds_against_both_holders() {
        let intrinsic = intrinsic_e18(OptionKind::Call, 61_000 * ONE_E18 + 1, 60_000 * ONE_E18);
        assert_eq!(intrinsic, 1_000 * ONE_E18 + 1);
        assert_eq!(intrinsic_e18(OptionKind::Put, 61_000 * ONE_E18, 60_000 * ONE_E18), 0);
        let long = settlement_cash_units(1_000_000_000_000_000_000, intrinsic, 6).unwrap();
        let short = settlement_cash_units(-1_000_000_000_000_000_000, intrinsic, 6).unwrap();
        assert_eq!(long, 1_000_000_000);
        assert_eq!(short, -1_000_000_001);
    }

    #[test]
    fn end_target_sits_between_the_requirements() {
        let s = Standing { equity: v(150), initial_margin: v(200), maintenance_margin: v(100) };
        assert_eq!(s.end_target(ONE_E18 / 2).unwrap(), v(150));
        assert!(s.reached_end(ONE_E18 / 2).unwrap());
        assert!(!s.reached_end(ONE_E18).unwrap());
        assert_eq!(s.end_target(0).unwrap(), v(100));
        assert_eq!(s.health().unwrap(), v(50));
    }
}
