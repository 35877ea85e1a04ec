//! The keeper's decisions as a pure function of one chain snapshot: which accounts to liquidate,
//! in which order, which slice and how much. Every rule the engine applies is the engine's own
//! code: `deltamargin_core::liquidation` (`settle_expired`, `liquidate`, `reaches_end`) and
//! `MarketConfig::market_from` are what the engine's `liquidate` message runs, called here on
//! the snapshot's copies — so a quantity the keeper plans is one the engine accepts, bit for bit.
//!
//! The keeper's own choices (not engine rules):
//! * Health `E − MR(mm)` at the snapshot's oracle values; a market older than its max age counts
//!   at its last price but cannot be sliced; a market with no oracle value at all (or a price out
//!   of the engine's range) blocks every liquidation of an account holding it (the engine fails
//!   the whole call), and of every target if the keeper itself holds it.
//! * Liquidatable accounts (`health < 0`) are planned worst health first; the keeper never
//!   targets itself.
//! * The slice: fresh underlyings by decreasing `MR_u(mm)`; within one, positions whose first lot
//!   lowers `MR(mm)` (risk-reducing) first, by the size of that reduction, then other positions,
//!   then collateral. The first candidate with a feasible quantity wins.
//! * The quantity: the smallest whole-lot quantity that reaches the end target
//!   `MM + b·(IM − MM)` (`liquidation::reaches_end`, binary search), or the whole holding if
//!   nothing reaches it; then `liquidation::liquidate` decides it exactly as the engine will. A
//!   quantity the engine would find too large falls back to one lot; one that would leave the
//!   keeper below its initial margin shrinks to the largest the keeper can carry. Lots: the
//!   market lot for positions, `lot_e18` scaled to the token's decimals for collateral
//!   (`liquidation::slice_step`); a quantity never leaves a remainder below one lot.
//! * Open interest is not read: each instrument's listing is rebuilt with the open interest the
//!   accounts imply (the sum of long sizes, which is what the engine stores); it affects neither
//!   account.
//! * Each planned liquidation updates the keeper's own account, the fund, the deficit and the
//!   listings for the next one.
use std::collections::BTreeMap;

use deltamargin_core::account::MathAccount;
use deltamargin_core::liquidation::{self, Books, Liquidation, LiquidationCall, SliceFill};
use deltamargin_core::types::{
    AccountData, AssetConfig, Instrument, InstrumentId, LiquidationParams, LiquidationSlice, MarketConfig,
    PositionData, UnderlyingId,
};
use deltamargin_core::EngineError;
use deltamargin_interfaces::{FeedError, FeedId, FeedValue};
use margin_math::margin::{evaluate, Health, Market};
use margin_math::trading::long_part;
use margin_math::Value;

use crate::Account;

/// Everything the keeper reads in one round (one oracle read for every market).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundView {
    /// Block time, ms.
    pub now_ms: u64,
    /// Quote asset decimals.
    pub quote_decimals: u8,
    /// Market configurations, index = underlying id (`0..market_count`).
    pub markets: Vec<MarketConfig>,
    /// Listed collateral assets (the quote asset excluded).
    pub assets: BTreeMap<Account, AssetConfig>,
    /// The engine's liquidation parameters.
    pub liquidation: LiquidationParams,
    /// Whether liquidations may run now (not paused, grace period over).
    pub liquidations_open: bool,
    /// The engine's position cap per account.
    pub max_positions: u32,
    /// The insurance fund, quote base units (pays insolvent targets' liquidators).
    pub insurance_fund: u128,
    /// The deficit, quote base units (the fund pays it down after each liquidation).
    pub deficit: u128,
    /// One `read_batch` of every market's price and volatility feed.
    pub feeds: BTreeMap<FeedId, Result<FeedValue, FeedError>>,
    /// Pinned settlement prices of expired options held, by (underlying, expiry ms), 18 decimals.
    pub settlements: BTreeMap<(UnderlyingId, u64), u128>,
    /// Every account of the engine with its data.
    pub accounts: Vec<(Account, AccountData)>,
    /// The keeper's account id.
    pub keeper: Account,
    /// The keeper's own engine account (`None`: it has none and cannot liquidate).
    pub keeper_data: Option<AccountData>,
}

/// One planned liquidation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The account to liquidate.
    pub target: Account,
    /// The item to take.
    pub slice: LiquidationSlice,
    /// How much: contracts (18 decimals) or collateral base units.
    pub quantity: u128,
    /// One lot of the slice (contracts e18, or collateral base units): how the keeper shrinks a
    /// quantity the chain finds too large.
    pub step: u128,
    /// The target's holding of the slice (quantity = holding takes it whole).
    pub holding: u128,
    /// The target's `E − MR(mm)` now.
    pub health_before: Value,
    /// The target's `E − MR(mm)` the engine should report after (penalty included).
    pub expected_health_after: Value,
    /// Whether the target should reach the liquidation-end target.
    pub reaches_end: bool,
}

/// One decision of [`plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send this liquidation.
    Liquidate(Planned),
    /// A liquidatable (or unvaluable) account is left alone this round, and why.
    Skip {
        /// The account.
        target: Account,
        /// Its `E − MR(mm)` if it could be computed.
        health: Option<Value>,
        /// Why.
        reason: String,
    },
    /// Nothing can be liquidated this round (paused, the keeper has no account…).
    Idle(String),
}

/// What one market looks like in the snapshot.
#[derive(Debug, Clone, Copy)]
enum MarketState {
    /// Fresh, can be sliced.
    Fresh(Market),
    /// Older than its max age: counts at its last value, cannot be sliced.
    Stale(Market),
}

/// The decisions for `snapshot`, liquidatable accounts worst health first (skips of accounts
/// whose health cannot be computed last).
pub fn plan(snapshot: &RoundView) -> Vec<Decision> {
    if !snapshot.liquidations_open {
        return vec![Decision::Idle("liquidations are paused or within the grace period".into())];
    }
    let Some(keeper_data) = snapshot.keeper_data.clone() else {
        return vec![Decision::Idle("the keeper has no engine account: deposit quote first".into())];
    };
    let markets = market_states(snapshot);
    let mut ranked: Vec<(Value, Account, AccountData, Health)> = Vec::new();
    let mut blocked = Vec::new();
    for (who, data) in &snapshot.accounts {
        if *who == snapshot.keeper || data.is_empty() {
            continue;
        }
        let valued = settle_expired(snapshot, data)
            .map_err(|e| format!("cannot settle its expired options: {e:?}"))
            .and_then(|settled| Ok((health_of(snapshot, &markets, &settled)?, settled)));
        match valued {
            Ok((h, settled)) if h.liquidatable => ranked.push((h.health, *who, settled, h)),
            Ok(_) => {}
            Err(reason) => blocked.push(Decision::Skip { target: *who, health: None, reason }),
        }
    }
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    let mut state = Running {
        keeper: keeper_data,
        fund: snapshot.insurance_fund,
        deficit: snapshot.deficit,
        listings: listings(snapshot),
    };
    let mut decisions = Vec::new();
    for (health, target, data, before) in ranked {
        match plan_target(snapshot, &markets, target, &data, &before, &state) {
            Ok((planned, done)) => {
                state.keeper = done.fill.liquidator;
                state.fund = done.insurance_fund;
                state.deficit = done.deficit;
                if let (LiquidationSlice::Position(id), Some(listing)) = (planned.slice, done.fill.instrument) {
                    state.listings.insert(id, listing);
                }
                decisions.push(Decision::Liquidate(planned));
            }
            Err(reason) => decisions.push(Decision::Skip { target, health: Some(health), reason }),
        }
    }
    decisions.extend(blocked);
    decisions
}

/// What the planned liquidations of one round change for the next: the keeper's account, the
/// fund, the deficit and the listings.
struct Running {
    keeper: AccountData,
    fund: u128,
    deficit: u128,
    listings: BTreeMap<InstrumentId, Instrument>,
}

/// Every held instrument's listing with the open interest the accounts imply: the sum of long
/// sizes (what the engine stores).
fn listings(snapshot: &RoundView) -> BTreeMap<InstrumentId, Instrument> {
    let mut out: BTreeMap<InstrumentId, Instrument> = BTreeMap::new();
    let all = snapshot.accounts.iter().map(|(_, d)| d).chain(snapshot.keeper_data.iter());
    for p in all.flat_map(|d| &d.positions) {
        let listing = out.entry(p.instrument).or_insert(Instrument {
            underlying: p.underlying,
            kind: p.kind,
            open_interest_e18: 0,
        });
        listing.open_interest_e18 = listing.open_interest_e18.saturating_add(long_part(p.size_e18));
    }
    out
}

/// Every market's state from the one oracle read, or why it has no usable value.
fn market_states(snapshot: &RoundView) -> Vec<Result<MarketState, String>> {
    let now = snapshot.now_ms;
    (0u32..)
        .zip(&snapshot.markets)
        .map(|(u, config)| {
            let read = |feed: FeedId| match snapshot.feeds.get(&feed) {
                Some(Ok(v)) => Ok(*v),
                Some(Err(e)) => Err(format!("market {u} has no oracle value (feed {feed}: {e:?})")),
                None => Err(format!("market {u} has no oracle value (feed {feed} not read)")),
            };
            let (price, vol) = (read(config.price_feed)?, read(config.vol_feed)?);
            let (market, fresh) = config
                .market_from(u, &price, &vol, now)
                .map_err(|e| format!("market {u}: oracle value refused by the engine ({e:?})"))?;
            if fresh {
                Ok(MarketState::Fresh(market))
            } else {
                Ok(MarketState::Stale(market))
            }
        })
        .collect()
}

/// The snapshot as the engine's rules read it (`liquidation::Books`).
fn books(
    snapshot: &RoundView,
) -> Books<impl Fn(Account) -> Option<AssetConfig> + '_, impl Fn(UnderlyingId, u64) -> Option<u128> + '_> {
    Books {
        quote_decimals: snapshot.quote_decimals,
        max_positions: snapshot.max_positions,
        now_ms: snapshot.now_ms,
        asset_of: |a| snapshot.assets.get(&a).copied(),
        settlement_of: |u, e| snapshot.settlements.get(&(u, e)).copied(),
    }
}

/// The engine's `math_account`.
fn math_account(snapshot: &RoundView, data: &AccountData) -> Result<MathAccount, EngineError> {
    books(snapshot).math_account(data)
}

/// The engine's `settle_expired` on a copy: expired options with a pinned price become cash.
fn settle_expired(snapshot: &RoundView, data: &AccountData) -> Result<AccountData, EngineError> {
    let mut out = data.clone();
    let settlement_of = |u, e| snapshot.settlements.get(&(u, e)).copied();
    let (now, qd, cap) = (snapshot.now_ms, snapshot.quote_decimals, snapshot.max_positions);
    liquidation::settle_expired(&mut out, now, qd, cap, settlement_of, |_| Ok(()))?;
    Ok(out)
}

/// The markets of `underlyings` in the given order, or why one has no value.
fn markets_of(
    markets: &[Result<MarketState, String>],
    underlyings: &[UnderlyingId],
) -> Result<(Vec<Market>, Vec<UnderlyingId>), String> {
    let mut out = Vec::new();
    let mut stale = Vec::new();
    for &u in underlyings {
        let state =
            usize::try_from(u).ok().and_then(|i| markets.get(i)).ok_or_else(|| format!("market {u} is not listed"))?;
        match state.clone()? {
            MarketState::Fresh(m) => out.push(m),
            MarketState::Stale(m) => {
                out.push(m);
                stale.push(u);
            }
        }
    }
    Ok((out, stale))
}

/// Health of a (settled) account at the snapshot, stale markets at their last price.
fn health_of(
    snapshot: &RoundView,
    markets: &[Result<MarketState, String>],
    data: &AccountData,
) -> Result<Health, String> {
    let math = math_account(snapshot, data).map_err(|e| format!("cannot value the account: {e:?}"))?;
    let (ms, _) = markets_of(markets, &math.underlyings)?;
    evaluate(&ms, &math.as_math(), snapshot.now_ms).map_err(|e| format!("cannot value the account: {e:?}"))
}

/// What every candidate quantity of one slice shares: the engine's `liquidate` inputs but the
/// quantity.
struct SliceCtx<'a> {
    snapshot: &'a RoundView,
    slice: LiquidationSlice,
    /// All markets of the target and the keeper (engine order) and the stale ones.
    markets: &'a [Market],
    stale: &'a [UnderlyingId],
    data: &'a AccountData,
    target_math: &'a MathAccount,
    state: &'a Running,
    market: MarketConfig,
    asset: Option<AssetConfig>,
    listing: Option<Instrument>,
}

impl SliceCtx<'_> {
    fn call(&self, quantity: u128) -> LiquidationCall<'_> {
        LiquidationCall {
            slice: self.slice,
            quantity,
            target: self.data,
            target_math: self.target_math,
            liquidator: &self.state.keeper,
            markets: self.markets,
            stale: self.stale,
            market: self.market,
            asset: self.asset,
            listing: self.listing,
        }
    }

    /// The engine's `liquidate` of `quantity` on copies.
    fn fill(&self, quantity: u128) -> Result<Liquidation, EngineError> {
        let s = self.snapshot;
        liquidation::liquidate(&books(s), &s.liquidation, &self.call(quantity), self.state.fund, self.state.deficit)
    }

    /// `quantity` filled on copies (no acceptance rule applied) and whether it reaches the
    /// liquidation-end target (the engine's test).
    fn simulate(&self, quantity: u128) -> Result<(SliceFill, bool), EngineError> {
        liquidation::simulate_slice(&books(self.snapshot), &self.snapshot.liquidation, &self.call(quantity))
    }
}

fn market_config(s: &RoundView, u: UnderlyingId) -> Result<&MarketConfig, EngineError> {
    usize::try_from(u).ok().and_then(|i| s.markets.get(i)).ok_or(EngineError::UnknownMarket(u))
}

/// The valid quantities of a slice, ascending: whole lots `n·step` leaving no remainder below
/// one lot, then the whole holding.
fn candidates(holding: u128, step: u128) -> Vec<u128> {
    let mut out = Vec::new();
    if step == 0 || holding == 0 {
        return out;
    }
    let lots = holding / step;
    for n in 1..=lots {
        let q = n * step;
        let rest = holding - q;
        if rest == 0 || rest >= step {
            out.push(q);
        }
    }
    if out.last() != Some(&holding) {
        out.push(holding);
    }
    out
}

/// The slice candidates of a target, in the keeper's order of preference.
fn slice_candidates(
    data: &AccountData,
    before: &Health,
    markets: &[Result<MarketState, String>],
    snapshot: &RoundView,
) -> Vec<(LiquidationSlice, UnderlyingId, u128)> {
    let mut risks: Vec<_> = before.underlyings.iter().collect();
    risks.sort_by(|a, b| b.maintenance_margin.cmp(&a.maintenance_margin).then(a.underlying.cmp(&b.underlying)));
    let mut out = Vec::new();
    for r in risks {
        let u = r.underlying;
        let fresh = usize::try_from(u)
            .ok()
            .and_then(|i| markets.get(i))
            .is_some_and(|m| matches!(m, Ok(MarketState::Fresh(_))));
        if !fresh {
            continue;
        }
        let positions: Vec<&PositionData> = data.positions.iter().filter(|p| p.underlying == u).collect();
        for p in positions {
            out.push((LiquidationSlice::Position(p.instrument), u, p.size_e18.unsigned_abs()));
        }
        for c in &data.collateral {
            if snapshot.assets.get(&c.asset).and_then(|a| a.underlying) == Some(u) {
                out.push((LiquidationSlice::Collateral(c.asset), u, c.amount));
            }
        }
    }
    out
}

/// The liquidation of one target, or why there is none.
fn plan_target(
    snapshot: &RoundView,
    states: &[Result<MarketState, String>],
    target: Account,
    data: &AccountData,
    before: &Health,
    state: &Running,
) -> Result<(Planned, Liquidation), String> {
    let err = |e: EngineError| format!("{e:?}");
    let target_math = math_account(snapshot, data).map_err(err)?;
    let keeper_math = math_account(snapshot, &state.keeper).map_err(err)?;
    let mut underlyings = target_math.underlyings.clone();
    for &u in &keeper_math.underlyings {
        if !underlyings.contains(&u) {
            underlyings.push(u);
        }
    }
    let (markets, stale) = markets_of(states, &underlyings)?;
    let mut candidates_found = Vec::new();
    for (slice, u, holding) in slice_candidates(data, before, states, snapshot) {
        let market = *market_config(snapshot, u).map_err(err)?;
        let (asset, listing, decimals) = match slice {
            LiquidationSlice::Position(id) => (None, state.listings.get(&id).copied(), 0),
            LiquidationSlice::Collateral(a) => {
                let config = snapshot.assets.get(&a).copied();
                (config, None, config.map_or(0, |c| c.decimals))
            }
        };
        let step = liquidation::slice_step(slice, &market, decimals).map_err(err)?;
        let ctx = SliceCtx {
            snapshot,
            slice,
            markets: &markets,
            stale: &stale,
            data,
            target_math: &target_math,
            state,
            market,
            asset,
            listing,
        };
        // Risk-reducing positions first: how much one (valid) lot lowers MR(mm).
        let qs = candidates(holding, step);
        let Some(&first) = qs.first() else { continue };
        let reduction = match (slice, ctx.simulate(first)) {
            (LiquidationSlice::Position(_), Ok((f, _))) => {
                before.maintenance_margin.checked_sub(f.after.maintenance_margin).unwrap_or(Value::ZERO)
            }
            _ => Value::MIN,
        };
        candidates_found.push((reduction, slice, step, holding, qs, ctx));
    }
    // Stable: keeps the MR_u(mm) order among equal reductions; collateral (MIN) last.
    candidates_found.sort_by(|a, b| {
        let a_pos = a.0 > Value::ZERO;
        let b_pos = b.0 > Value::ZERO;
        b_pos.cmp(&a_pos).then(if a_pos && b_pos { b.0.cmp(&a.0) } else { core::cmp::Ordering::Equal })
    });
    if candidates_found.is_empty() {
        return Err("no slice in a fresh market".into());
    }
    let mut reasons = Vec::new();
    for (_, slice, step, holding, qs, ctx) in candidates_found {
        match choose_quantity(&ctx, &qs) {
            Ok((quantity, done)) => {
                let planned = Planned {
                    target,
                    slice,
                    quantity,
                    step,
                    holding,
                    health_before: before.health,
                    expected_health_after: Value::from_bits(done.outcome.health_after_bits),
                    reaches_end: ctx.simulate(quantity).map_err(err)?.1,
                };
                return Ok((planned, done));
            }
            Err(reason) => reasons.push(format!("{}: {reason}", slice_name(slice))),
        }
    }
    Err(reasons.join("; "))
}

/// Short human name of a slice.
pub fn slice_name(slice: LiquidationSlice) -> String {
    match slice {
        LiquidationSlice::Position(id) => format!("position {id}"),
        LiquidationSlice::Collateral(asset) => format!("collateral {asset:?}"),
    }
}

/// The quantity for one slice (see the module docs), with the engine's liquidation of it.
fn choose_quantity(ctx: &SliceCtx<'_>, qs: &[u128]) -> Result<(u128, Liquidation), String> {
    let err = |e: EngineError| format!("{e:?}");
    // Smallest candidate reaching the end target (binary search: reaching is monotone in the
    // quantity for the slices the keeper takes; the engine's rules decide below anyway).
    let reaches = |i: usize| -> Result<bool, String> { Ok(ctx.simulate(qs[i]).map_err(err)?.1) };
    let (mut lo, mut hi) = (0usize, qs.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if reaches(mid)? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let mut index = lo.min(qs.len() - 1);
    let mut result = ctx.fill(qs[index]);
    if result.as_ref().err() == Some(&EngineError::LiquidationTooLarge) {
        // Not monotone here: fall back to the smallest valid quantity.
        index = 0;
        result = ctx.fill(qs[0]);
    }
    match result {
        Ok(done) => Ok((qs[index], done)),
        Err(EngineError::HealthNotImproved) => Err("taking it does not improve the target's health".into()),
        Err(EngineError::StalePrice(u)) => Err(format!("the keeper would hold stale market {u}")),
        Err(EngineError::LiquidatorMargin) => {
            // The largest smaller quantity the keeper can carry (binary search over qs[..index]).
            let reason = "the keeper would fall below its initial margin".to_string();
            let ok = |i: usize| ctx.fill(qs[i]).is_ok();
            if index == 0 || !ok(0) {
                return Err(reason);
            }
            let (mut lo, mut hi) = (0usize, index);
            while lo + 1 < hi {
                let mid = lo + (hi - lo) / 2;
                if ok(mid) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            Ok((qs[lo], ctx.fill(qs[lo]).map_err(err)?))
        }
        Err(e) => Err(err(e)),
    }
}

#[cfg(test)]
mod tests {
    //! Hand-built snapshots; expected numbers are worked out by hand in the comments (BTC risk:
    //! spot shock 6% for MR(mm), 10% for MR(im); quote has 6 decimals; lots of 0.001).
    use super::*;
    use crate::params::{e18, market_config, units, E18, LOT, WINDOW_MS};
    use deltamargin_core::types::{CollateralBalance, InstrumentKind, PositionData};

    fn actor(n: u8) -> Account {
        Account::from([n; 32])
    }

    const NOW: u64 = 1_767_225_600_000;
    const BTC_TOKEN: u8 = 90;

    fn usd(text: &str) -> i128 {
        i128::try_from(units(text, 6)).unwrap()
    }

    fn long(instrument: u32, underlying: u32, size: &str, entry: &str) -> PositionData {
        PositionData {
            instrument,
            underlying,
            kind: InstrumentKind::Linear,
            size_e18: i128::try_from(e18(size)).unwrap(),
            entry_e18: e18(entry),
        }
    }

    fn account(cash: &str, positions: Vec<PositionData>) -> AccountData {
        AccountData { cash: usd(cash), collateral: Vec::new(), positions, fund_rewards_paid: 0 }
    }

    /// BTC (market 0) at `btc`, ETH (market 1) at `eth`, both 65% vol and fresh; the keeper
    /// (actor 50) with `keeper_cash` USD.
    fn snapshot(btc: &str, eth: &str, keeper_cash: &str, accounts: Vec<(Account, AccountData)>) -> RoundView {
        let mut feeds = BTreeMap::new();
        feeds.insert(0, Ok(FeedValue { value_e18: e18(btc), ts_ms: NOW, window_ms: WINDOW_MS }));
        feeds.insert(1, Ok(FeedValue { value_e18: e18("0.65"), ts_ms: NOW, window_ms: WINDOW_MS }));
        feeds.insert(2, Ok(FeedValue { value_e18: e18(eth), ts_ms: NOW, window_ms: WINDOW_MS }));
        feeds.insert(3, Ok(FeedValue { value_e18: e18("0.65"), ts_ms: NOW, window_ms: WINDOW_MS }));
        let mut assets = BTreeMap::new();
        assets.insert(
            actor(BTC_TOKEN),
            AssetConfig {
                underlying: Some(0),
                decimals: 24,
                basis_haircut_e18: 0,
                deposit_cap: u128::MAX / 2,
                total_deposits: 0,
            },
        );
        RoundView {
            now_ms: NOW,
            quote_decimals: 6,
            markets: vec![market_config(0), market_config(1)],
            assets,
            liquidation: LiquidationParams::DEFAULT,
            liquidations_open: true,
            max_positions: 32,
            insurance_fund: 0,
            deficit: 0,
            feeds,
            settlements: BTreeMap::new(),
            accounts,
            keeper: actor(50),
            keeper_data: Some(account(keeper_cash, Vec::new())),
        }
    }

    fn liquidations(decisions: &[Decision]) -> Vec<&Planned> {
        decisions
            .iter()
            .filter_map(|d| match d {
                Decision::Liquidate(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    fn skip_reason(decisions: &[Decision], who: Account) -> Option<(Option<Value>, String)> {
        decisions.iter().find_map(|d| match d {
            Decision::Skip { target, health, reason } if *target == who => Some((*health, reason.clone())),
            _ => None,
        })
    }

    /// The engine test `close_factor_stops_within_one_lot_of_the_end_target`: 10 BTC long at
    /// 60,000 with 61,000 USD, BTC at 57,000: E = 31,000, MR(mm) = 34,200 (health −3,200),
    /// MR(im) = 57,000; the engine accepts 5.123 BTC and refuses 5.124.
    fn close_factor_account() -> AccountData {
        account("61000", vec![long(0, 0, "10", "60000")])
    }

    #[test]
    fn healthy_accounts_are_ignored() {
        // 1 BTC long at 60,000 with 10,000 USD at 57,000: E = 7,000 > MR(mm) = 3,420.
        let s =
            snapshot("57000", "3000", "1000000", vec![(actor(10), account("10000", vec![long(0, 0, "1", "60000")]))]);
        assert_eq!(plan(&s), Vec::new());
    }

    #[test]
    fn quantity_is_the_smallest_whole_lot_count_reaching_the_end_target() {
        let s = snapshot("57000", "3000", "1000000", vec![(actor(10), close_factor_account())]);
        let decisions = plan(&s);
        let planned = liquidations(&decisions);
        assert_eq!(planned.len(), 1, "{decisions:?}");
        let p = planned[0];
        assert_eq!((p.target, p.slice, p.quantity), (actor(10), LiquidationSlice::Position(0), e18("5.123")));
        assert_eq!((p.step, p.holding), (LOT, 10 * E18));
        assert!(p.reaches_end);
        // −3,200 up to the engine's rounding (values toward −∞, requirements toward +∞).
        assert!(p.health_before < Value::from_num(-3200) && p.health_before > Value::from_num(-3200.001));
        assert!(p.expected_health_after > Value::ZERO);
    }

    #[test]
    fn worst_health_first_and_the_keeper_never_targets_itself() {
        // A: health −3,200 (above). B: 1 BTC long at 60,000 with 4,000 USD at 57,000:
        // E = 1,000, MR(mm) = 3,420, health −2,420. The keeper's own account is underwater too.
        let mut s = snapshot(
            "57000",
            "3000",
            "1000000",
            vec![(actor(11), account("4000", vec![long(0, 0, "1", "60000")])), (actor(10), close_factor_account())],
        );
        s.accounts.push((actor(50), account("100", vec![long(0, 0, "1", "60000")])));
        let decisions = plan(&s);
        let targets: Vec<Account> = liquidations(&decisions).iter().map(|p| p.target).collect();
        assert_eq!(targets, vec![actor(10), actor(11)], "{decisions:?}");
        assert!(decisions.iter().all(|d| !matches!(d, Decision::Skip { target, .. } if *target == actor(50))));
    }

    #[test]
    fn stale_slice_market_is_not_sliced_but_counts_at_its_last_price() {
        // ETH stale (40 s old, max age 30 s). A holds only ETH: nothing to slice. B holds BTC
        // and ETH: the BTC position is taken although ETH carries the larger MR(mm).
        let mut s = snapshot(
            "56000",
            "2800",
            "1000000",
            vec![
                (actor(10), account("2000", vec![long(1, 1, "10", "3000")])),
                // E = 10,000 − 4,000 − 2,000 = 4,000; MR(mm) = 3,360 + 1,680 (ETH 10·2,800·0.06).
                (actor(11), account("10000", vec![long(0, 0, "1", "60000"), long(1, 1, "20", "3000")])),
            ],
        );
        for feed in [2, 3] {
            s.feeds.insert(
                feed,
                Ok(FeedValue {
                    value_e18: s.feeds[&feed].unwrap().value_e18,
                    ts_ms: NOW - 40_000,
                    window_ms: WINDOW_MS,
                }),
            );
        }
        let decisions = plan(&s);
        let (health, reason) = skip_reason(&decisions, actor(10)).expect("A skipped");
        assert!(health.is_some_and(|h| h < Value::ZERO));
        assert!(reason.contains("no slice in a fresh market"), "{reason}");
        let planned = liquidations(&decisions);
        assert_eq!(planned.len(), 1, "{decisions:?}");
        assert_eq!((planned[0].target, planned[0].slice), (actor(11), LiquidationSlice::Position(0)));
    }

    #[test]
    fn a_market_without_oracle_value_blocks_its_holders_only() {
        let mut s = snapshot(
            "57000",
            "3000",
            "1000000",
            vec![
                (actor(10), close_factor_account()),
                (actor(11), account("100", vec![long(0, 0, "1", "60000"), long(1, 1, "1", "3000")])),
            ],
        );
        s.feeds.insert(3, Err(FeedError::NoQuorum));
        let decisions = plan(&s);
        let (health, reason) = skip_reason(&decisions, actor(11)).expect("B blocked");
        assert_eq!(health, None);
        assert!(reason.contains("market 1 has no oracle value"), "{reason}");
        assert_eq!(liquidations(&decisions).iter().map(|p| p.target).collect::<Vec<_>>(), vec![actor(10)]);
        // If the keeper itself holds the blocked market, nobody can be liquidated.
        s.keeper_data = Some(account("1000000", vec![long(1, 1, "1", "3000")]));
        let decisions = plan(&s);
        assert!(liquidations(&decisions).is_empty(), "{decisions:?}");
        assert!(skip_reason(&decisions, actor(10)).is_some_and(|(_, r)| r.contains("market 1 has no oracle value")));
    }

    #[test]
    fn the_keeper_keeps_its_initial_margin() {
        // Keeper with 1,000 USD taking q BTC long at 57,000: MR(im) = 5,700·q, its reward
        // 0.5·0.5·(0.06·57,000·q) = 855·q: 1,000 + 855·q ≥ 5,700·q ⇔ q ≤ 0.2063… → 0.206 BTC.
        let s = snapshot("57000", "3000", "1000", vec![(actor(10), close_factor_account())]);
        let decisions = plan(&s);
        let planned = liquidations(&decisions);
        assert_eq!(planned.len(), 1, "{decisions:?}");
        assert_eq!(planned[0].quantity, e18("0.206"));
        assert!(!planned[0].reaches_end);
        // A keeper with no money cannot take even one lot.
        let s = snapshot("57000", "3000", "0", vec![(actor(10), close_factor_account())]);
        let decisions = plan(&s);
        assert!(liquidations(&decisions).is_empty());
        let (_, reason) = skip_reason(&decisions, actor(10)).expect("skipped");
        assert!(reason.contains("initial margin"), "{reason}");
    }

    #[test]
    fn collateral_quantities_are_whole_lots_in_base_units() {
        // 1.5000005 BTC (24 decimals) against −81,000 USD at 57,000: E = 4,500.03 <
        // MR(mm) = 5,130.0005. One lot = 0.001 BTC = 10^21 base units.
        let amount = units("1.5000005", 24);
        let mut data = account("0", Vec::new());
        data.cash = -usd("81000");
        data.collateral.push(CollateralBalance { asset: actor(BTC_TOKEN), amount });
        let s = snapshot("57000", "3000", "1000000", vec![(actor(10), data)]);
        let decisions = plan(&s);
        let planned = liquidations(&decisions);
        assert_eq!(planned.len(), 1, "{decisions:?}");
        let p = planned[0];
        assert_eq!(p.slice, LiquidationSlice::Collateral(actor(BTC_TOKEN)));
        assert_eq!(p.step, units("0.001", 24));
        assert!(p.quantity % p.step == 0 || p.quantity == amount, "{}", p.quantity);
        assert!(amount - p.quantity == 0 || amount - p.quantity >= p.step);
    }

    #[test]
    fn candidate_quantities_leave_no_remainder_below_a_lot() {
        assert_eq!(candidates(3000, 1000), vec![1000, 2000, 3000]);
        assert_eq!(candidates(2500, 1000), vec![1000, 2500]);
        assert_eq!(candidates(500, 1000), vec![500]);
        assert_eq!(candidates(0, 1000), Vec::<u128>::new());
    }

    #[test]
    fn paused_liquidations_and_a_keeper_without_account_idle() {
        let mut s = snapshot("57000", "3000", "1000000", vec![(actor(10), close_factor_account())]);
        s.liquidations_open = false;
        assert!(matches!(plan(&s).as_slice(), [Decision::Idle(r)] if r.contains("paused")));
        s.liquidations_open = true;
        s.keeper_data = None;
        assert!(matches!(plan(&s).as_slice(), [Decision::Idle(r)] if r.contains("no engine account")));
    }
}
