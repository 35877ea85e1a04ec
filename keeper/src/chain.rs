//! Typed engine and oracle calls over any [`KeeperChain`]: each call is `selector(name)` + SCALE
//! arguments (as `utils::Chain::try_call` encodes them), the output decoded as ink!'s
//! `Result<T, LangError>`; and the reading of one [`RoundView`].

use std::collections::{BTreeMap, BTreeSet};

use deltamargin_core::types::{
    AccountData, AssetConfig, EngineConfig, InstrumentKind, LiquidationOutcome, LiquidationSlice, MarketConfig,
};
use deltamargin_core::EngineError;
use deltamargin_interfaces::{FeedError, FeedId, FeedValue};
use ink::scale::{Decode, Encode};

use crate::plan::RoundView;
use crate::{selector, Account};
use crate::{ChainError, Executed, KeeperChain};

/// `selector(message)` followed by the SCALE-encoded `args`: a contract call's input.
pub fn encode_call(message: &str, args: impl Encode) -> Vec<u8> {
    let mut input = selector(message).to_vec();
    args.encode_to(&mut input);
    input
}

/// The engine's `admin` input for a raw admin-module `call` (selector ++ SCALE arguments):
/// `selector("admin") ++ Vec<u8>(call)`.
pub fn admin_call_input(call: &[u8]) -> Vec<u8> {
    encode_call("admin", call)
}

/// Decodes a message's output (`Result<R, LangError>`).
pub fn decode_output<R: Decode>(message: &str, exec: &Executed) -> Result<R, ChainError> {
    match Result::<R, ink::LangError>::decode(&mut &exec.output[..]) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(lang)) => Err(ChainError(format!("{message}: ink! LangError {lang:?}"))),
        Err(e) => Err(ChainError(format!("{message}: undecodable output ({e})"))),
    }
}

/// Typed read-only calls (dry runs) as the keeper.
pub trait ChainReader: KeeperChain {
    /// Dry-runs `message` on `contract` and decodes its result.
    fn read<R: Decode>(&mut self, contract: Account, message: &str, args: impl Encode) -> Result<R, ChainError> {
        let exec = self.query(contract, encode_call(message, args))?;
        decode_output(message, &exec)
    }

    /// Dry-runs `message` of the engine's admin module through the engine's `admin(call)` and
    /// decodes its `Ok` value (the module's error is a [`ChainError`] naming it).
    fn read_module<R: Decode>(&mut self, message: &str, args: impl Encode) -> Result<R, ChainError> {
        let engine = self.engine();
        let bytes: Result<Vec<u8>, EngineError> = self.read(engine, "admin", encode_call(message, args))?;
        let bytes = bytes.map_err(|e| ChainError(format!("{message}: the engine answered {e:?}")))?;
        R::decode(&mut &bytes[..]).map_err(|e| ChainError(format!("{message}: undecodable output ({e})")))
    }

    /// Dry-runs `liquidate(target, slice, quantity)`: the engine's verdict, nothing committed.
    fn dry_run_liquidation(
        &mut self,
        target: Account,
        slice: LiquidationSlice,
        quantity: u128,
    ) -> Result<(Result<LiquidationOutcome, EngineError>, u64), ChainError> {
        self.liquidation(target, slice, quantity, false)
    }

    /// Sends `liquidate(target, slice, quantity)` as a transaction.
    fn send_liquidation(
        &mut self,
        target: Account,
        slice: LiquidationSlice,
        quantity: u128,
    ) -> Result<(Result<LiquidationOutcome, EngineError>, u64), ChainError> {
        self.liquidation(target, slice, quantity, true)
    }

    /// `liquidate(target, slice, quantity)` as a dry run or (`commit`) a transaction: the
    /// engine's answer and the ref_time it used, ps.
    fn liquidation(
        &mut self,
        target: Account,
        slice: LiquidationSlice,
        quantity: u128,
        commit: bool,
    ) -> Result<(Result<LiquidationOutcome, EngineError>, u64), ChainError> {
        let (engine, input) = (self.engine(), encode_call("liquidate", (target, slice, quantity)));
        let exec = if commit { self.submit(engine, input)? } else { self.query(engine, input)? };
        Ok((decode_output("liquidate", &exec)?, exec.ref_time_ps))
    }

    /// Reads one snapshot: the engine's configuration, every account (pages of `page_size`,
    /// at most 100 — the engine's cap), the keeper's own account, one `read_batch` of every
    /// market's feeds and the pinned prices of expired options held.
    fn read_snapshot(&mut self, page_size: u32) -> Result<RoundView, ChainError> {
        let keeper = self.keeper();
        let now_ms = self.now_ms()?;
        let config: EngineConfig = self.read_module("config", ())?;
        let market_count = config.market_count;
        let mut markets = Vec::new();
        for u in 0..market_count {
            let config: MarketConfig = self.read_module("market", u)?;
            markets.push(config);
        }
        let quote_decimals = config.quote_decimals;
        let mut assets = BTreeMap::new();
        let listed: Vec<Account> = self.read_module("collateral_assets", ())?;
        for asset in listed {
            let config: AssetConfig = self.read_module("asset", asset)?;
            assets.insert(asset, config);
        }
        let liquidation = config.liquidation_params;
        let resume_at = config.liquidations_resume_at_ms;
        let max_positions = config.max_positions;
        let insurance_fund = config.insurance_fund;
        let deficit = config.deficit;

        let page = page_size.clamp(1, 100);
        let count = config.account_count;
        let mut accounts = Vec::new();
        let mut from = 0u32;
        while from < count {
            let ids: Vec<Account> = self.read_module("accounts", (from, page))?;
            if ids.is_empty() {
                break;
            }
            from = from.saturating_add(u32::try_from(ids.len()).unwrap_or(u32::MAX));
            for who in ids {
                let data: Option<AccountData> = self.read_module("account", who)?;
                if let Some(data) = data {
                    accounts.push((who, data));
                }
            }
        }
        let keeper_data: Option<AccountData> = self.read_module("account", keeper)?;

        let oracle = config.oracle;
        let feed_ids: Vec<FeedId> = markets.iter().flat_map(|m| [m.price_feed, m.vol_feed]).collect();
        let values: Vec<Result<FeedValue, FeedError>> =
            self.read(oracle, "PriceOracle::read_batch", feed_ids.clone())?;
        if values.len() != feed_ids.len() {
            return Err(ChainError(format!("oracle returned {} values for {} feeds", values.len(), feed_ids.len())));
        }
        let feeds = feed_ids.into_iter().zip(values).collect();

        let mut expired = BTreeSet::new();
        for data in accounts.iter().map(|(_, d)| d).chain(keeper_data.iter()) {
            for p in &data.positions {
                if let InstrumentKind::Option { expiry_ms, .. } = p.kind {
                    if now_ms >= expiry_ms {
                        expired.insert((p.underlying, expiry_ms));
                    }
                }
            }
        }
        let mut settlements = BTreeMap::new();
        for (u, expiry) in expired {
            let price: Option<u128> = self.read_module("settlement_price", (u, expiry))?;
            if let Some(price) = price {
                settlements.insert((u, expiry), price);
            }
        }
        Ok(RoundView {
            now_ms,
            quote_decimals,
            markets,
            assets,
            liquidation,
            liquidations_open: deltamargin_core::types::liquidations_open(resume_at, now_ms),
            max_positions,
            insurance_fund,
            deficit,
            feeds,
            settlements,
            accounts,
            keeper,
            keeper_data,
        })
    }
}

impl<C: KeeperChain + ?Sized> ChainReader for C {}
