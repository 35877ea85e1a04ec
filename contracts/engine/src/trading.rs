//! Trading: the `apply_trade` message's work (see its doc in the contract module) and the
//! per-side margin rule of a trade.

use ink::primitives::AccountId;
use margin_math::margin::{evaluate, Market};
use margin_math::trading::{
    fee_units, is_reducing, is_whole_lots, notional_e18, notional_units, option_fee_ceiling_units,
    option_mark_and_band_e18,
};
use margin_math::Value;

use deltamargin_core::account::{option_kind, trade_between, MathAccount};
use deltamargin_core::env;
use deltamargin_core::errors::{ensure, EngineError, MathFailure, Side};
use deltamargin_core::events::TradeApplied;
use deltamargin_core::state::EngineState;
use deltamargin_core::types::*;

use crate::union_of;

const OVERFLOW: EngineError = EngineError::Math(MathFailure::Overflow);

/// `apply_trade`: books a venue-reported trade between two accounts.
pub fn apply_trade(
    state: &mut EngineState,
    buyer: AccountId,
    seller: AccountId,
    instrument_id: InstrumentId,
    size_e18: u128,
    price_e18: u128,
    fee_rate_e18: u128,
) -> Result<(), EngineError> {
    let venue = env::caller();
    let now = env::now_ms();
    let venue_config = state.venues.get(venue).ok_or(EngineError::VenueNotAuthorized)?;
    ensure(buyer != seller, EngineError::SelfTrade)?;
    let approved = |who: AccountId| state.approvals.get((who, venue)) == Some(venue_config.epoch);
    ensure(approved(buyer), EngineError::VenueNotApproved(Side::Buyer))?;
    ensure(approved(seller), EngineError::VenueNotApproved(Side::Seller))?;
    ensure(size_e18 > 0, EngineError::ZeroAmount)?;
    let mut instrument = state.instruments.get(instrument_id).ok_or(EngineError::UnknownInstrument(instrument_id))?;
    let underlying = instrument.underlying;
    let market = state.market_config(underlying)?;
    if let InstrumentKind::Option { expiry_ms, .. } = instrument.kind {
        ensure(now < expiry_ms, EngineError::InstrumentExpired(instrument_id))?;
    } else {
        ensure(price_e18 > 0, EngineError::ZeroAmount)?;
    }
    ensure(is_whole_lots(size_e18, market.lot_e18), EngineError::NotWholeLots)?;

    let mut before_buyer = state.accounts.get(buyer).unwrap_or_default();
    let mut before_seller = state.accounts.get(seller).unwrap_or_default();
    state.settle_expired(buyer, &mut before_buyer, now)?;
    state.settle_expired(seller, &mut before_seller, now)?;
    // Margin-math views of the states before the trade: their underlyings (plus the
    // instrument's) are the snapshot, and a reducing side below IM is compared with them.
    let before_buyer_math = state.math_account(&before_buyer, now)?;
    let before_seller_math = state.math_account(&before_seller, now)?;
    let underlyings = union_of(&before_buyer_math.underlyings, &before_seller_math.underlyings, underlying);
    let markets = state.snapshot(&underlyings, now)?;
    let snap = markets.iter().find(|m| m.underlying == underlying).ok_or(EngineError::UnknownMarket(underlying))?;
    let (mark, band) = match instrument.kind {
        InstrumentKind::Linear => {
            (snap.spot_e18, margin_math::trading::mul_div(snap.spot_e18, market.band_e18, ONE_E18, false)?)
        }
        InstrumentKind::Option { option_type, strike_e18, expiry_ms } => option_mark_and_band_e18(
            option_kind(option_type),
            snap.spot_e18,
            strike_e18,
            snap.vol_e18,
            market.risk.rate_e18,
            now,
            expiry_ms,
            market.band_e18,
            market.band_vol_e18,
            market.tick_e18,
        )?,
    };
    ensure(price_e18.abs_diff(mark) <= band, EngineError::PriceOutOfBand)?;
    let qd = state.quote_decimals;
    let fee = fee_units(notional_units(size_e18, price_e18, qd, true)?, fee_rate_e18)?;
    let fee_allowed = match instrument.kind {
        InstrumentKind::Linear => fee_rate_e18 <= venue_config.max_fee_rate_e18.min(MAX_LINEAR_FEE_RATE_E18),
        InstrumentKind::Option { .. } => {
            let ceiling = option_fee_ceiling_units(
                size_e18,
                price_e18,
                snap.spot_e18,
                qd,
                venue_config.max_fee_rate_e18,
                venue_config.option_fee_floor_e18,
            )?;
            fee <= ceiling
        }
    };
    ensure(fee_allowed, EngineError::FeeTooHigh)?;

    let mut buyer_data = before_buyer.clone();
    let mut seller_data = before_seller.clone();
    let old_oi = instrument.open_interest_e18;
    let fill = trade_between(
        &mut buyer_data,
        &mut seller_data,
        instrument_id,
        &mut instrument,
        size_e18,
        price_e18,
        true,
        qd,
        state.max_positions,
    )?;
    let ((old_buyer, new_buyer), (old_seller, new_seller)) = (fill.buyer, fill.seller);
    let fee_signed = i128::try_from(fee).map_err(|_| OVERFLOW)?;
    buyer_data.add_cash(fee_signed.checked_neg().ok_or(OVERFLOW)?)?;
    seller_data.add_cash(fee_signed.checked_neg().ok_or(OVERFLOW)?)?;
    let both_reduce =
        is_reducing(old_buyer.size_e18, new_buyer.size_e18) && is_reducing(old_seller.size_e18, new_seller.size_e18);
    ensure(both_reduce || !state.paused.new_risk, EngineError::Paused)?;
    ensure(both_reduce || !state.reduce_only.contains(underlying), EngineError::ReduceOnly(underlying))?;
    // Open interest (the sum of long sizes) may only grow up to its cap.
    let new_oi = instrument.open_interest_e18;
    ensure(new_oi <= old_oi || new_oi <= market.open_interest_cap_e18, EngineError::OpenInterestCapExceeded)?;

    let sides = [
        (Side::Buyer, &before_buyer_math, &buyer_data, old_buyer.size_e18, new_buyer.size_e18),
        (Side::Seller, &before_seller_math, &seller_data, old_seller.size_e18, new_seller.size_e18),
    ];
    for (side, before, after, old_size, new_size) in sides {
        if new_size.unsigned_abs() > old_size.unsigned_abs() {
            let gross = gross_notional_e18(after, underlying, snap.spot_e18)?;
            ensure(gross <= market.account_notional_cap_e18, EngineError::NotionalCapExceeded(side))?;
        }
        // The side's price is at the mark or better for it: a buyer pays at most the
        // mark, a seller receives at least it.
        let at_mark_or_better = match side {
            Side::Buyer => price_e18 <= mark,
            Side::Seller => price_e18 >= mark,
        };
        let leg = Leg { old_size, new_size, at_mark_or_better };
        check_trade_margin(state, &markets, before, after, leg, side, now)?;
    }

    state.store_account(buyer, &buyer_data)?;
    state.store_account(seller, &seller_data)?;
    state.instruments.insert(instrument_id, &instrument);
    if fee > 0 {
        let fee_account = state.fee_account;
        let mut fee_data = state.accounts.get(fee_account).unwrap_or_default();
        fee_data.add_cash(fee_signed.checked_mul(2).ok_or(OVERFLOW)?)?;
        state.store_account(fee_account, &fee_data)?;
    }
    env::emit(TradeApplied {
        instrument: instrument_id,
        buyer,
        seller,
        venue,
        size_e18,
        price_e18,
        premium: fill.premium,
        fee_per_side: fee,
        buyer_realized: fill.buyer_realized,
        seller_realized: fill.seller_realized,
    });
    Ok(())
}

fn gross_notional_e18(data: &AccountData, underlying: UnderlyingId, spot_e18: u128) -> Result<u128, EngineError> {
    let mut gross: u128 = 0;
    for p in data.positions.iter().filter(|p| p.underlying == underlying) {
        gross = gross.checked_add(p.size_e18.unsigned_abs()).ok_or(OVERFLOW)?;
    }
    Ok(notional_e18(gross, spot_e18)?)
}

fn check_trade_margin(
    state: &EngineState,
    markets: &[Market],
    before: &MathAccount,
    after: &AccountData,
    leg: Leg,
    side: Side,
    now: u64,
) -> Result<(), EngineError> {
    // Closing an account's last item with debt is a liquidation (which recognizes the bad
    // debt), not a trade.
    let emptied_in_debt = after.collateral.is_empty() && after.positions.is_empty() && after.cash < 0;
    ensure(!emptied_in_debt, EngineError::TradeMargin(side))?;
    let after_math = state.math_account(after, now)?;
    let after_health = evaluate(markets, &after_math.as_math(), now)?;
    if after_health.equity >= after_health.initial_margin {
        return Ok(());
    }
    let exception =
        is_reducing(leg.old_size, leg.new_size) && leg.at_mark_or_better && after_health.equity >= Value::ZERO;
    ensure(exception, EngineError::TradeMargin(side))?;
    let before_health = evaluate(markets, &before.as_math(), now)?;
    ensure(after_health.health >= before_health.health, EngineError::TradeMargin(side))
}

/// One side's leg of a trade: its position before and after, and whether the trade price is
/// at the mark or better for it.
#[derive(Clone, Copy)]
struct Leg {
    old_size: i128,
    new_size: i128,
    at_mark_or_better: bool,
}
