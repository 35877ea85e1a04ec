//! The engine's storage, one type for both contracts that run on it: the engine, and the admin
//! module whose code the engine delegate-calls (so the module's messages read and write this
//! same storage). Both contracts' `#[ink(storage)]` struct has one field, `state:
//! EngineState`. [`EngineState`] takes no key parameter, so ink! derives each mapping's storage
//! key from this struct's name and the field's name alone, and the plain fields are encoded in
//! the contract's root cell in declaration order: the two layouts are identical by
//! construction (the sandbox test `engine_and_admin_module_share_one_storage_layout` compares
//! the two contracts' metadata to prove it).
//!
//! The methods are the state work both contracts share: loading a market, storing an account,
//! settling expired options, pulling tokens in, reading the oracle into `margin-math` markets.

use deltamargin_interfaces::{FeedError, FeedId, FeedValue, PriceOracle};
use ink::prelude::vec::Vec;
use ink::primitives::{AccountId, Hash};
use ink::storage::Mapping;
use margin_math::margin::{evaluate, Health, Market};

use crate::account::MathAccount;
use crate::env;
use crate::errors::{ensure, EngineError, MathFailure};
use crate::events::{BadDebtRecognized, DeficitCovered, PositionSettled};
use crate::liquidation;
use crate::tokens;
use crate::types::*;

const OVERFLOW: EngineError = EngineError::Math(MathFailure::Overflow);

/// The feeds one batched oracle read asks for: each market's price feed, then its vol feed, in
/// the markets' order (what [`markets_from`] reads back).
pub fn feeds_of(configs: &[(UnderlyingId, MarketConfig)]) -> Vec<FeedId> {
    // A plain loop: an iterator chain here cost the engine 200 B of Wasm.
    let mut feeds = Vec::with_capacity(configs.len().saturating_mul(2));
    for (_, c) in configs {
        feeds.push(c.price_feed);
        feeds.push(c.vol_feed);
    }
    feeds
}

/// The route from one batched oracle read to `margin-math` markets, shared by the engine and the
/// lens: `values` answers [`feeds_of`]`(configs)` in order; each market is checked by
/// `MarketConfig::market_from` (range, freshness). A market older than its max age fails with
/// `StalePrice`, or with `allow_stale` is returned at its last value and listed in the second
/// result. Errors: `OracleCallFailed` (too few values), `OracleFeed`, `StalePrice`,
/// `PriceOutOfRange`, `Math`.
pub fn markets_from(
    configs: &[(UnderlyingId, MarketConfig)],
    values: Vec<Result<FeedValue, FeedError>>,
    now: u64,
    allow_stale: bool,
) -> Result<(Vec<Market>, Vec<UnderlyingId>), EngineError> {
    let mut markets = Vec::with_capacity(configs.len());
    let mut stale = Vec::new();
    let mut values = values.into_iter();
    for &(u, config) in configs {
        let price = values.next().ok_or(EngineError::OracleCallFailed)?;
        let vol = values.next().ok_or(EngineError::OracleCallFailed)?;
        let price = price.map_err(|e| EngineError::OracleFeed(config.price_feed, e))?;
        let vol = vol.map_err(|e| EngineError::OracleFeed(config.vol_feed, e))?;
        let (market, fresh) = config.market_from(u, &price, &vol, now)?;
        if !fresh {
            ensure(allow_stale, EngineError::StalePrice(u))?;
            stale.push(u);
        }
        markets.push(market);
    }
    Ok((markets, stale))
}

/// Everything the engine stores. Amounts are token base units, `_e18` values 18 decimals,
/// times ms.
#[ink::storage_item]
#[cfg_attr(feature = "std", derive(Debug))]
pub struct EngineState {
    /// The owner (runs the admin module's owner messages).
    pub owner: AccountId,
    /// Proposed owner, until it accepts.
    pub pending_owner: Option<AccountId>,
    /// The price oracle.
    pub oracle: AccountId,
    /// The quote asset (deposits are cash).
    pub quote: AccountId,
    /// The quote asset's decimals.
    pub quote_decimals: u8,
    /// The account credited with trade fees.
    pub fee_account: AccountId,
    /// Position cap per account (≤ `MAX_POSITIONS`).
    pub max_positions: u32,
    /// Insurance fund, quote base units.
    pub insurance_fund: u128,
    /// Bad debt the fund could not cover, quote base units; quote withdrawals wait while > 0.
    pub deficit: u128,
    /// Listed assets (the quote asset included).
    pub assets: Mapping<AccountId, AssetConfig>,
    /// Listed collateral assets (without the quote asset), in listing order.
    pub asset_list: Vec<AccountId>,
    /// Markets by underlying id.
    pub markets: Mapping<UnderlyingId, MarketConfig>,
    /// Per market, the configuration at listing or after its last announced change: the
    /// reference immediate (unannounced) decreases may not go below half of.
    pub market_references: Mapping<UnderlyingId, MarketConfig>,
    /// Markets listed (ids are `0..market_count`).
    pub market_count: u32,
    /// Instruments by id.
    pub instruments: Mapping<InstrumentId, Instrument>,
    /// Instruments listed (ids are `0..instrument_count`).
    pub instrument_count: u32,
    /// Authorized venues.
    pub venues: Mapping<AccountId, VenueConfig>,
    /// (account, venue) → the venue's epoch the account approved.
    pub approvals: Mapping<(AccountId, AccountId), u32>,
    /// Pause flags.
    pub paused: PauseFlags,
    /// Grace period after liquidations are unpaused early, ms.
    pub grace_period_ms: u64,
    /// Liquidations run from this time on, ms.
    pub liquidations_resume_at_ms: u64,
    /// Reduce-only markets.
    pub reduce_only: Mapping<UnderlyingId, ()>,
    /// Liquidation parameters.
    pub liquidation: LiquidationParams,
    /// Pinned settlement prices: (underlying, expiry ms) → price, 18 decimals.
    pub settlements: Mapping<(UnderlyingId, u64), u128>,
    /// Accounts.
    pub accounts: Mapping<AccountId, AccountData>,
    /// Account ids in creation order (for keepers paging through them).
    pub account_index: Mapping<u32, AccountId>,
    /// Accounts created.
    pub account_count: u32,
    /// Code hash of the admin module.
    pub admin_code: Hash,
    /// Quote tokens the engine has taken in and not paid out, base units.
    pub quote_held: u128,
    /// Notice risk-raising owner changes must give, ms.
    pub change_delay_ms: u64,
    /// Announced changes: `blake2x256(call)` → earliest execution time, ms.
    pub pending_changes: Mapping<[u8; 32], u64>,
    /// Last venue authorization epoch handed out.
    pub venue_epoch: u32,
}

impl EngineState {
    /// A fresh engine: `owner`, its `oracle`, the `quote` asset (with its `decimals`, listed with
    /// `quote_deposit_cap`), the fee account and the admin module's code hash; position cap
    /// `MAX_POSITIONS`, default liquidation parameters and change delay, nothing paused. (The
    /// constructor emits `AssetListed` for the quote asset.)
    pub fn new(
        owner: AccountId,
        oracle: AccountId,
        quote: AccountId,
        decimals: u8,
        quote_deposit_cap: u128,
        fee_account: AccountId,
        admin_code: Hash,
    ) -> Self {
        let mut assets = Mapping::new();
        let config = AssetConfig {
            underlying: None,
            decimals,
            basis_haircut_e18: 0,
            deposit_cap: quote_deposit_cap,
            total_deposits: 0,
        };
        assets.insert(quote, &config);
        Self {
            owner,
            pending_owner: None,
            oracle,
            quote,
            quote_decimals: decimals,
            fee_account,
            max_positions: MAX_POSITIONS,
            insurance_fund: 0,
            deficit: 0,
            assets,
            asset_list: Vec::new(),
            markets: Mapping::new(),
            market_references: Mapping::new(),
            market_count: 0,
            instruments: Mapping::new(),
            instrument_count: 0,
            venues: Mapping::new(),
            approvals: Mapping::new(),
            paused: PauseFlags::default(),
            grace_period_ms: 0,
            liquidations_resume_at_ms: 0,
            reduce_only: Mapping::new(),
            liquidation: LiquidationParams::DEFAULT,
            settlements: Mapping::new(),
            accounts: Mapping::new(),
            account_index: Mapping::new(),
            account_count: 0,
            admin_code,
            quote_held: 0,
            change_delay_ms: DEFAULT_CHANGE_DELAY_MS,
            pending_changes: Mapping::new(),
            venue_epoch: 0,
        }
    }

    /// A listed market's configuration. Errors: `UnknownMarket`.
    pub fn market_config(&self, underlying: UnderlyingId) -> Result<MarketConfig, EngineError> {
        self.markets.get(underlying).ok_or(EngineError::UnknownMarket(underlying))
    }

    /// Stores `who`'s account, indexing it on first store. Errors: `Math(Overflow)` (account
    /// count).
    pub fn store_account(&mut self, who: AccountId, data: &AccountData) -> Result<(), EngineError> {
        if !self.accounts.contains(who) {
            self.account_index.insert(self.account_count, &who);
            self.account_count = self.account_count.checked_add(1).ok_or(OVERFLOW)?;
        }
        self.accounts.insert(who, data);
        Ok(())
    }

    /// Transfers `amount` of `asset` from `from` to the engine and checks that the engine's
    /// measured balance grew by exactly `amount` (fee-on-transfer and no-op tokens fail).
    ///
    /// The quote asset takes one balance read: the engine counts the quote tokens it has
    /// taken in and paid out (`quote_held`) and requires its balance to cover that count
    /// after each pull (a donation never makes a pull fail; a shortfall makes every quote
    /// pull fail until it is transferred in). Errors: `TokenCallFailed`, `TokenError`,
    /// `TransferMismatch`, `Math(Overflow)`.
    pub fn pull(&mut self, asset: AccountId, from: AccountId, amount: u128) -> Result<(), EngineError> {
        let engine = env::this();
        let quote = asset == self.quote;
        let before = if quote { self.quote_held } else { tokens::balance(asset, engine)? };
        let expected_after = before.checked_add(amount).ok_or(OVERFLOW)?;
        tokens::transfer_from(asset, from, engine, amount)?;
        let after = tokens::balance(asset, engine)?;
        let received = after.saturating_sub(before);
        let ok = if quote { after >= expected_after } else { received == amount };
        ensure(ok, EngineError::TransferMismatch { expected: amount, received })?;
        if quote {
            self.quote_held = expected_after;
        }
        Ok(())
    }

    /// The fund pays down the deficit as far as it can (`liquidation::pay_down_deficit`),
    /// without waiting for the owner. Emits `DeficitCovered` when it moved anything.
    pub fn pay_down_deficit(&mut self) {
        let amount = liquidation::pay_down_deficit(&mut self.insurance_fund, &mut self.deficit);
        self.emit_deficit_paid(amount);
    }

    /// Emits `DeficitCovered` for `amount` (> 0) paid down by the fund.
    pub fn emit_deficit_paid(&self, amount: u128) {
        if amount > 0 {
            env::emit(DeficitCovered { amount, deficit: self.deficit, from_fund: true });
        }
    }

    /// Writes off an emptied account's negative cash (`liquidation::recognize_bad_debt`: the
    /// fund covers first, the rest becomes deficit). Emits `BadDebtRecognized`. Returns the bad
    /// debt (0: none). Errors: `Math(Overflow)`.
    pub fn recognize_bad_debt(&mut self, who: AccountId, data: &mut AccountData) -> Result<u128, EngineError> {
        let Some(b) = liquidation::recognize_bad_debt(data, &mut self.insurance_fund, &mut self.deficit)? else {
            return Ok(0);
        };
        env::emit(BadDebtRecognized {
            account: who,
            bad_debt: b.bad_debt,
            fund_cover: b.fund_cover,
            deficit_increase: b.deficit_increase,
        });
        Ok(b.bad_debt)
    }

    /// Settles `who`'s expired options that have a pinned price (`liquidation::settle_expired`)
    /// and lowers open interest by settled longs. Emits `PositionSettled` for each. Errors:
    /// `UnknownInstrument`, `TooManyPositions`, `Math`.
    pub fn settle_expired(&mut self, who: AccountId, data: &mut AccountData, now: u64) -> Result<(), EngineError> {
        let (quote_decimals, max_positions) = (self.quote_decimals, self.max_positions);
        let settlements = &self.settlements;
        let instruments = &mut self.instruments;
        let settlement_of = |u, e| settlements.get((u, e));
        liquidation::settle_expired(data, now, quote_decimals, max_positions, settlement_of, |s| {
            if s.size_e18 > 0 {
                let mut listing = instruments.get(s.instrument).ok_or(EngineError::UnknownInstrument(s.instrument))?;
                listing.open_interest_e18 = listing.open_interest_e18.saturating_sub(s.size_e18.unsigned_abs());
                instruments.insert(s.instrument, &listing);
            }
            env::emit(PositionSettled { account: who, instrument: s.instrument, size_e18: s.size_e18, cash: s.cash });
            Ok(())
        })
    }

    /// The state as the pure rules of `liquidation` read it, at block time `now_ms`.
    pub fn books(
        &self,
        now_ms: u64,
    ) -> liquidation::Books<
        impl Fn(AccountId) -> Option<AssetConfig> + '_,
        impl Fn(UnderlyingId, u64) -> Option<u128> + '_,
    > {
        liquidation::Books {
            quote_decimals: self.quote_decimals,
            max_positions: self.max_positions,
            now_ms,
            asset_of: |a| self.assets.get(a),
            settlement_of: |u, e| self.settlements.get((u, e)),
        }
    }

    /// `data` as `margin-math` sees it at `now`. Errors: `UnknownAsset`, `Math`.
    pub fn math_account(&self, data: &AccountData, now: u64) -> Result<MathAccount, EngineError> {
        // Through `books` so that `to_math_account` is built once, for the closures the
        // liquidation rules use too (a second copy cost 3 KB of Wasm).
        self.books(now).math_account(data)
    }

    /// `data`'s health at fresh oracle values and block time `now`. Errors: `UnknownAsset`,
    /// oracle errors (`StalePrice`, …), `Math`.
    pub fn evaluate_account(&self, data: &AccountData, now: u64) -> Result<Health, EngineError> {
        let math = self.math_account(data, now)?;
        let markets = self.snapshot(&math.underlyings, now)?;
        Ok(evaluate(&markets, &math.as_math(), now)?)
    }

    /// Reads price and volatility of `underlyings` in one batched oracle call and checks
    /// freshness (`now − ts ≤ max_oracle_age_ms`) and range. Errors: `UnknownMarket`,
    /// `OracleCallFailed`, `OracleFeed`, `StalePrice`, `PriceOutOfRange`, …
    pub fn snapshot(&self, underlyings: &[UnderlyingId], now: u64) -> Result<Vec<Market>, EngineError> {
        Ok(self.read_markets(underlyings, false, now)?.0)
    }

    /// Like [`Self::snapshot`]; with `allow_stale`, markets older than their max age are
    /// returned at their last value and listed in the second result instead of failing.
    pub fn read_markets(
        &self,
        underlyings: &[UnderlyingId],
        allow_stale: bool,
        now: u64,
    ) -> Result<(Vec<Market>, Vec<UnderlyingId>), EngineError> {
        if underlyings.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut configs = Vec::with_capacity(underlyings.len());
        for &u in underlyings {
            configs.push((u, self.market_config(u)?));
        }
        let values = self.read_feeds(feeds_of(&configs))?;
        markets_from(&configs, values, now, allow_stale)
    }

    /// One batched oracle read: a result per feed, in order. Errors: `OracleCallFailed` (the
    /// call failed or answered with the wrong count).
    pub fn read_feeds(&self, feeds: Vec<FeedId>) -> Result<Vec<Result<FeedValue, FeedError>>, EngineError> {
        let oracle: ink::contract_ref!(PriceOracle, env::Env) = self.oracle.into();
        let expected = feeds.len();
        match ink::codegen::TraitCallBuilder::call(&oracle).read_batch(feeds).try_invoke() {
            Ok(Ok(values)) if values.len() == expected => Ok(values),
            _ => Err(EngineError::OracleCallFailed),
        }
    }
}
