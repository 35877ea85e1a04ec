//! Account bookkeeping as plain functions on [`AccountData`] (no storage, no environment), and
//! the translation of stored accounts into `margin-math` inputs.

use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use margin_math::margin::{Account, Collateral, Health, Position, PositionKind, Scenario};
use margin_math::trading::{fill_linear, long_part, notional_units};
use margin_math::OptionKind;

use crate::errors::{ensure, EngineError, MathFailure};

const OVERFLOW: EngineError = EngineError::Math(MathFailure::Overflow);
use crate::types::{
    AccountData, AssetConfig, CellView, CollateralBalance, HealthView, Instrument, InstrumentId, InstrumentKind,
    OptionType, PositionData, ScenarioView, UnderlyingId, UnderlyingView, MAX_ASSETS,
};

impl AccountData {
    /// Adds `units` (signed, quote base units) to cash.
    pub fn add_cash(&mut self, units: i128) -> Result<(), EngineError> {
        self.cash = self.cash.checked_add(units).ok_or(EngineError::Math(crate::errors::MathFailure::Overflow))?;
        Ok(())
    }

    /// Credits `amount` base units of a collateral asset.
    pub fn add_collateral(&mut self, asset: AccountId, amount: u128) -> Result<(), EngineError> {
        if let Some(entry) = self.collateral.iter_mut().find(|c| c.asset == asset) {
            entry.amount =
                entry.amount.checked_add(amount).ok_or(EngineError::Math(crate::errors::MathFailure::Overflow))?;
            return Ok(());
        }
        ensure(u32::try_from(self.collateral.len()).is_ok_and(|n| n < MAX_ASSETS), EngineError::TooManyPositions)?;
        self.collateral.push(CollateralBalance { asset, amount });
        Ok(())
    }

    /// Debits `amount` base units of a collateral asset; `InsufficientCollateral` if the balance is
    /// smaller. An emptied entry is removed.
    pub fn remove_collateral(&mut self, asset: AccountId, amount: u128) -> Result<(), EngineError> {
        let entry = self.collateral.iter_mut().find(|c| c.asset == asset).ok_or(EngineError::InsufficientCollateral)?;
        entry.amount = entry.amount.checked_sub(amount).ok_or(EngineError::InsufficientCollateral)?;
        self.collateral.retain(|c| c.amount > 0);
        Ok(())
    }

    /// Balance of a collateral asset, base units.
    pub fn collateral_of(&self, asset: AccountId) -> u128 {
        self.collateral.iter().find(|c| c.asset == asset).map_or(0, |c| c.amount)
    }

    /// The position in instrument `id` listed as `listing` (size 0 and entry 0 when there is none).
    pub fn position(&self, id: InstrumentId, listing: &Instrument) -> PositionData {
        self.positions.iter().find(|p| p.instrument == id).copied().unwrap_or(PositionData {
            instrument: id,
            underlying: listing.underlying,
            kind: listing.kind,
            size_e18: 0,
            entry_e18: 0,
        })
    }

    /// Replaces the position in `instrument` (removing it when the size is 0); a new position
    /// must fit under `max_positions`.
    pub fn set_position(&mut self, position: PositionData, max_positions: u32) -> Result<(), EngineError> {
        if let Some(existing) = self.positions.iter_mut().find(|p| p.instrument == position.instrument) {
            *existing = position;
        } else if position.size_e18 != 0 {
            let count = u32::try_from(self.positions.len()).map_err(|_| EngineError::TooManyPositions)?;
            ensure(count < max_positions, EngineError::TooManyPositions)?;
            self.positions.push(position);
        }
        self.positions.retain(|p| p.size_e18 != 0);
        Ok(())
    }
}

/// What [`trade_between`] did to both positions and to cash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeFill {
    /// The buyer's position before and after.
    pub buyer: (PositionData, PositionData),
    /// The seller's position before and after.
    pub seller: (PositionData, PositionData),
    /// P&L the buyer realized into cash (linear), quote base units.
    pub buyer_realized: i128,
    /// P&L the seller realized into cash (linear), quote base units.
    pub seller_realized: i128,
    /// Option premium the buyer paid the seller, quote base units (0 for linear).
    pub premium: u128,
}

/// Books `size_e18` contracts of instrument `id` (listed as `listing`) from `seller` to `buyer`
/// at `price_e18`: linear fills realize P&L into each side's cash (see
/// `margin_math::trading::fill_linear`); options move the premium `size·price` (rounded up when
/// `premium_up`, else down) from buyer to seller. Updates the listing's open interest (sum of
/// long sizes) and both positions (a new one must fit under `max_positions`). Used by trades
/// and by position liquidations, which are trades at the mark.
#[allow(clippy::too_many_arguments)]
pub fn trade_between(
    buyer: &mut AccountData,
    seller: &mut AccountData,
    id: InstrumentId,
    listing: &mut Instrument,
    size_e18: u128,
    price_e18: u128,
    premium_up: bool,
    quote_decimals: u8,
    max_positions: u32,
) -> Result<TradeFill, EngineError> {
    let size = i128::try_from(size_e18).map_err(|_| OVERFLOW)?;
    let old_buyer = buyer.position(id, listing);
    let old_seller = seller.position(id, listing);
    let (mut new_buyer, mut new_seller) = (old_buyer, old_seller);
    let (mut buyer_realized, mut seller_realized, mut premium) = (0i128, 0i128, 0u128);
    match listing.kind {
        InstrumentKind::Linear => {
            let fb = fill_linear(old_buyer.size_e18, old_buyer.entry_e18, size, price_e18, quote_decimals)?;
            let fs = fill_linear(
                old_seller.size_e18,
                old_seller.entry_e18,
                size.checked_neg().ok_or(OVERFLOW)?,
                price_e18,
                quote_decimals,
            )?;
            (new_buyer.size_e18, new_buyer.entry_e18, buyer_realized) = (fb.size_e18, fb.entry_e18, fb.realized_units);
            (new_seller.size_e18, new_seller.entry_e18, seller_realized) =
                (fs.size_e18, fs.entry_e18, fs.realized_units);
            buyer.add_cash(buyer_realized)?;
            seller.add_cash(seller_realized)?;
        }
        InstrumentKind::Option { .. } => {
            new_buyer.size_e18 = old_buyer.size_e18.checked_add(size).ok_or(OVERFLOW)?;
            new_seller.size_e18 = old_seller.size_e18.checked_sub(size).ok_or(OVERFLOW)?;
            premium = notional_units(size_e18, price_e18, quote_decimals, premium_up)?;
            let p = i128::try_from(premium).map_err(|_| OVERFLOW)?;
            buyer.add_cash(p.checked_neg().ok_or(OVERFLOW)?)?;
            seller.add_cash(p)?;
        }
    }
    listing.open_interest_e18 = listing
        .open_interest_e18
        .checked_sub(long_part(old_buyer.size_e18))
        .and_then(|x| x.checked_sub(long_part(old_seller.size_e18)))
        .and_then(|x| x.checked_add(long_part(new_buyer.size_e18)))
        .and_then(|x| x.checked_add(long_part(new_seller.size_e18)))
        .ok_or(OVERFLOW)?;
    buyer.set_position(new_buyer, max_positions)?;
    seller.set_position(new_seller, max_positions)?;
    Ok(TradeFill {
        buyer: (old_buyer, new_buyer),
        seller: (old_seller, new_seller),
        buyer_realized,
        seller_realized,
        premium,
    })
}

/// An account converted to `margin-math` inputs, with the underlyings it touches.
#[derive(Debug, Clone, PartialEq)]
pub struct MathAccount {
    /// Quote cash, base units.
    pub cash: i128,
    /// Quote decimals.
    pub cash_decimals: u8,
    /// Collateral items.
    pub collateral: Vec<Collateral>,
    /// Position items.
    pub positions: Vec<Position>,
    /// Distinct underlyings of the items, ascending (market order).
    pub underlyings: Vec<UnderlyingId>,
}

impl MathAccount {
    /// The items of `underlying` only, with no cash: what a liquidation revalues.
    pub fn only(&self, underlying: UnderlyingId) -> MathAccount {
        self.select(|u| u == underlying)
    }

    /// The items of every underlying but `underlying`, with no cash.
    pub fn except(&self, underlying: UnderlyingId) -> MathAccount {
        self.select(|u| u != underlying)
    }

    fn select(&self, keep: impl Fn(UnderlyingId) -> bool) -> MathAccount {
        MathAccount {
            cash: 0,
            cash_decimals: self.cash_decimals,
            collateral: self.collateral.iter().filter(|c| keep(c.underlying)).copied().collect(),
            positions: self.positions.iter().filter(|p| keep(p.underlying)).copied().collect(),
            underlyings: self.underlyings.iter().copied().filter(|&u| keep(u)).collect(),
        }
    }

    /// Borrowed view for `margin_math::margin::evaluate`.
    pub fn as_math(&self) -> Account<'_> {
        Account {
            cash: self.cash,
            cash_decimals: self.cash_decimals,
            collateral: &self.collateral,
            positions: &self.positions,
        }
    }
}

/// Translates a stored account, looking up asset configurations and, for options expired at
/// `now_ms`, the pinned settlement price of their (underlying, expiry) pair.
///
/// Never inlined: the engine reaches it from its margin checks and from the liquidation rules,
/// and an inlined copy in one of them costs the engine Wasm (270 B after wasm-opt).
#[inline(never)]
pub fn to_math_account(
    data: &AccountData,
    quote_decimals: u8,
    asset_of: impl Fn(AccountId) -> Option<AssetConfig>,
    settlement_of: impl Fn(UnderlyingId, u64) -> Option<u128>,
    now_ms: u64,
) -> Result<MathAccount, EngineError> {
    let mut underlyings: Vec<UnderlyingId> = Vec::new();
    // Kept ascending (market order): the order `health` reports underlyings in, as the CLI does.
    let mut note = |u: UnderlyingId| {
        if let Err(position) = underlyings.binary_search(&u) {
            underlyings.insert(position, u);
        }
    };
    let mut collateral = Vec::with_capacity(data.collateral.len());
    for c in &data.collateral {
        let config = asset_of(c.asset).ok_or(EngineError::UnknownAsset)?;
        let underlying = config.underlying.ok_or(EngineError::UnknownAsset)?;
        note(underlying);
        collateral.push(Collateral {
            underlying,
            amount: c.amount,
            decimals: config.decimals,
            basis_haircut_e18: config.basis_haircut_e18,
        });
    }
    let mut positions = Vec::with_capacity(data.positions.len());
    for p in &data.positions {
        note(p.underlying);
        let mut kind = position_kind(&p.kind, p.entry_e18);
        if let PositionKind::Option { expiry_ms, ref mut settlement_e18, .. } = kind {
            if now_ms >= expiry_ms {
                *settlement_e18 = settlement_of(p.underlying, expiry_ms);
            }
        }
        positions.push(Position { underlying: p.underlying, size_e18: p.size_e18, kind });
    }
    Ok(MathAccount { cash: data.cash, cash_decimals: quote_decimals, collateral, positions, underlyings })
}

/// The `margin-math` kind of a position in an instrument.
pub fn position_kind(kind: &InstrumentKind, entry_e18: u128) -> PositionKind {
    match *kind {
        InstrumentKind::Linear => PositionKind::Linear { entry_e18 },
        InstrumentKind::Option { option_type, strike_e18, expiry_ms } => {
            PositionKind::Option { kind: option_kind(option_type), strike_e18, expiry_ms, settlement_e18: None }
        }
    }
}

/// The `margin-math` option kind.
pub fn option_kind(option_type: OptionType) -> OptionKind {
    match option_type {
        OptionType::Call => OptionKind::Call,
        OptionType::Put => OptionKind::Put,
    }
}

fn scenario_view(s: &Scenario) -> ScenarioView {
    ScenarioView {
        spot_bits: s.spot.to_bits(),
        vol_bits: s.vol.to_bits(),
        loss_bits: s.loss.to_bits(),
        cell: s.cell.map(|c| CellView {
            spot_high_bits: c.spot_high.to_bits(),
            vol_high_bits: c.vol_high.to_bits(),
            at_spot_bits: c.at_spot.to_bits(),
            vega_credit_bits: c.vega_credit.to_bits(),
        }),
    }
}

/// The raw-bits view of a `margin-math` health result.
pub fn health_view(health: &Health, now_ms: u64) -> HealthView {
    HealthView {
        equity_bits: health.equity.to_bits(),
        initial_margin_bits: health.initial_margin.to_bits(),
        maintenance_margin_bits: health.maintenance_margin.to_bits(),
        health_bits: health.health.to_bits(),
        liquidatable: health.liquidatable,
        now_ms,
        underlyings: health
            .underlyings
            .iter()
            .map(|u| UnderlyingView {
                underlying: u.underlying,
                value_bits: u.value.to_bits(),
                delta_bits: u.delta.to_bits(),
                gamma_bits: u.gamma.to_bits(),
                vega_bits: u.vega.to_bits(),
                initial_margin_bits: u.initial_margin.to_bits(),
                maintenance_margin_bits: u.maintenance_margin.to_bits(),
                worst_im: scenario_view(&u.worst_im),
                worst_mm: scenario_view(&u.worst_mm),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[test]
    fn collateral_entries_add_up_and_vanish_when_emptied() {
        let mut a = AccountData::default();
        a.add_collateral(asset(1), 5).unwrap();
        a.add_collateral(asset(1), 7).unwrap();
        assert_eq!(a.collateral_of(asset(1)), 12);
        assert_eq!(a.remove_collateral(asset(1), 13), Err(EngineError::InsufficientCollateral));
        assert_eq!(a.remove_collateral(asset(2), 1), Err(EngineError::InsufficientCollateral));
        a.remove_collateral(asset(1), 12).unwrap();
        assert!(a.collateral.is_empty());
        assert!(a.is_empty());
    }

    #[test]
    fn collateral_entries_are_capped_at_the_listable_assets() {
        let mut a = AccountData::default();
        for n in 0..MAX_ASSETS {
            a.add_collateral(asset(u8::try_from(n).unwrap()), 1).unwrap();
        }
        assert_eq!(a.add_collateral(asset(200), 1), Err(EngineError::TooManyPositions));
        // Adding to an existing entry is always possible.
        a.add_collateral(asset(0), 1).unwrap();
    }

    #[test]
    fn positions_are_replaced_removed_at_zero_and_capped() {
        let mut a = AccountData::default();
        let p = |instrument, size_e18| PositionData {
            instrument,
            underlying: 0,
            kind: InstrumentKind::Linear,
            size_e18,
            entry_e18: 0,
        };
        let listing = Instrument { underlying: 0, kind: InstrumentKind::Linear, open_interest_e18: 0 };
        a.set_position(p(1, 10), 2).unwrap();
        a.set_position(p(2, -3), 2).unwrap();
        assert_eq!(a.set_position(p(3, 1), 2), Err(EngineError::TooManyPositions));
        // A flat "position" never takes a slot, and replacing an existing one is allowed.
        a.set_position(p(3, 0), 2).unwrap();
        a.set_position(p(1, 4), 2).unwrap();
        assert_eq!(a.position(1, &listing).size_e18, 4);
        a.set_position(p(1, 0), 2).unwrap();
        assert_eq!(a.positions.len(), 1);
        assert_eq!(a.position(1, &listing), p(1, 0));
    }

    #[test]
    fn cash_overflow_is_a_typed_error() {
        let mut a = AccountData { cash: i128::MAX, ..AccountData::default() };
        assert_eq!(a.add_cash(1), Err(EngineError::Math(crate::errors::MathFailure::Overflow)));
        assert_eq!(a.cash, i128::MAX);
    }

    #[test]
    fn step_limit_is_a_factor_of_two_or_a_bounded_start_from_zero() {
        use crate::types::within_factor_two;
        assert!(within_factor_two(100, 200, 0));
        assert!(!within_factor_two(100, 201, 0));
        assert!(within_factor_two(100, 50, 0));
        assert!(!within_factor_two(100, 49, 0));
        assert!(within_factor_two(0, 5, 5));
        assert!(!within_factor_two(0, 6, 5));
        assert!(within_factor_two(u128::MAX, u128::MAX, 0));
    }

    #[test]
    fn immediate_decreases_stop_at_half_of_the_reference() {
        use crate::types::{MarketConfig, RiskParams};
        let reference = MarketConfig {
            price_feed: 0,
            vol_feed: 1,
            risk: RiskParams {
                spot_shock_im_e18: 100,
                spot_shock_mm_e18: 60,
                vol_shock_im_e18: 20,
                vol_shock_mm_e18: 12,
                vol_floor_e18: 5,
                short_option_addon_e18: 1,
                rate_e18: 0,
            },
            max_oracle_age_ms: 30_000,
            band_e18: 2,
            band_vol_e18: 5,
            tick_e18: 1,
            lot_e18: 1,
            max_spot_e18: 1_000,
            open_interest_cap_e18: 1_000,
            account_notional_cap_e18: 1_000,
        };
        let with = |f: &dyn Fn(&mut MarketConfig)| {
            let mut c = reference;
            f(&mut c);
            c
        };
        assert!(!reference.below_floor_of(&reference));
        // Exactly half is still immediate; one unit below is not.
        assert!(!with(&|c| c.risk.spot_shock_im_e18 = 50).below_floor_of(&reference));
        assert!(with(&|c| c.risk.spot_shock_im_e18 = 49).below_floor_of(&reference));
        assert!(with(&|c| c.risk.spot_shock_mm_e18 = 29).below_floor_of(&reference));
        assert!(with(&|c| c.risk.vol_shock_im_e18 = 9).below_floor_of(&reference));
        assert!(with(&|c| c.risk.vol_shock_mm_e18 = 5).below_floor_of(&reference));
        assert!(with(&|c| c.risk.vol_floor_e18 = 2).below_floor_of(&reference));
        assert!(with(&|c| c.risk.short_option_addon_e18 = 0).below_floor_of(&reference));
        assert!(!with(&|c| c.max_oracle_age_ms = 60_000).below_floor_of(&reference));
        assert!(with(&|c| c.max_oracle_age_ms = 60_001).below_floor_of(&reference));
        // Raises are not decreases (they need notice for their own reason).
        assert!(!with(&|c| c.risk.spot_shock_im_e18 = 1_000).below_floor_of(&reference));
    }

    #[test]
    fn risk_params_map_to_margin_math_field_by_field() {
        use crate::types::RiskParams;
        let stored = RiskParams {
            spot_shock_im_e18: 1,
            spot_shock_mm_e18: 2,
            vol_shock_im_e18: 3,
            vol_shock_mm_e18: 4,
            vol_floor_e18: 5,
            short_option_addon_e18: 6,
            rate_e18: -7,
        };
        let math = stored.to_math();
        let fields = [
            math.spot_shock_im_e18,
            math.spot_shock_mm_e18,
            math.vol_shock_im_e18,
            math.vol_shock_mm_e18,
            math.vol_floor_e18,
            math.short_option_addon_e18,
        ];
        assert_eq!(fields, [1, 2, 3, 4, 5, 6]);
        assert_eq!(math.rate_e18, -7);
    }
}
