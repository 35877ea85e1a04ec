//! deltamargin lens: read-only views computed from the engine's state and the oracle, kept out
//! of the engine so that the engine's Wasm stays within its code-size budget.
//!
//! The lens holds no state but the engine's address. Each view reads what it needs through the
//! engine's existing view messages (`account`, `asset`, `market`, `oracle`, `quote_asset`,
//! `settlement_price`) and the oracle's `PriceOracle::read_batch`, converts the account with
//! the engine's own [`engine::account::to_math_account`] and applies the engine's freshness and
//! range checks, so the result is bit for bit what the engine would compute at the same block.
//! Errors are the engine's [`EngineError`].
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use engine::EngineError;

/// Most points of one stress grid (`spot_points × vol_points`): the encoded result (48 bytes a
/// point plus at most 34 bytes of envelope) must fit ink!'s 16 KiB output buffer; a grid of 341
/// points would trap on return, so larger grids are `InvalidStressGrid`.
pub const MAX_GRID_POINTS: u32 = 340;

#[ink::contract]
mod lens {
    use deltamargin_interfaces::{FeedError, FeedId, FeedValue, PriceOracle};
    use engine::account::{to_math_account, MathAccount};
    use engine::errors::ensure;
    use engine::state::{feeds_of, markets_from};
    use engine::types::{
        AccountData, AssetConfig, EngineConfig, InstrumentKind, MarketConfig, StressPointView, StressView, UnderlyingId,
    };
    use engine::EngineError;
    use ink::env::call::utils::{Argument, ArgumentList, EmptyArgumentList};
    use ink::env::call::{build_call, ExecutionInput, Selector};
    use ink::env::DefaultEnvironment;
    use ink::prelude::vec::Vec;
    use margin_math::margin::{stress, Market};

    use crate::MAX_GRID_POINTS;

    /// Accepted spot points of a stress grid.
    const SPOT_POINTS: core::ops::RangeInclusive<u32> = 2..=201;
    /// Accepted volatility points of a stress grid.
    const VOL_POINTS: core::ops::RangeInclusive<u32> = 1..=201;

    /// Error of a failed read of the engine (the call trapped, reverted, returned an ink!
    /// `LangError` or did not decode).
    const ENGINE_CALL_FAILED: EngineError = EngineError::EngineCallFailed;
    /// Error of a failed oracle read (as the engine reports it).
    const ORACLE_CALL_FAILED: EngineError = EngineError::OracleCallFailed;

    /// Call data of an engine message without arguments.
    type NoArgs = ExecutionInput<EmptyArgumentList>;
    /// Call data of an engine message with one argument.
    type OneArg<A> = ExecutionInput<ArgumentList<Argument<A>, EmptyArgumentList>>;

    /// The lens's storage: the engine it reads.
    #[ink(storage)]
    pub struct Lens {
        engine: AccountId,
    }

    impl Lens {
        /// Deploys a lens over `engine` (the engine's contract address; the oracle is read from
        /// the engine on every call).
        #[ink(constructor)]
        pub fn new(engine: AccountId) -> Self {
            Self { engine }
        }

        /// The engine this lens reads.
        #[ink(message)]
        pub fn engine(&self) -> AccountId {
            self.engine
        }

        /// Read-only stress grid of `who`'s items in `underlying` at fresh oracle prices and the
        /// current block time: `spot_points` (2–201) evenly over `S(1±h)` × `vol_points`
        /// (1–201) over `[max(σ−v, σ_min), σ+v]`, at most [`MAX_GRID_POINTS`] (340) points in
        /// all, with the maintenance shocks if `maintenance`, else the initial ones (see
        /// `margin_math::margin::stress`). Spot, volatility and loss
        /// (quote whole units, negative = gain) are raw `I80F48` bits (value = bits / 2^48),
        /// exactly what the engine's margin computation yields for the same account, snapshot
        /// and time.
        ///
        /// Errors: `NoAccount`, `InvalidStressGrid`, `UnknownMarket`, `UnknownAsset`, oracle
        /// errors (`OracleFeed`, `StalePrice`, `PriceOutOfRange`), `Math`, and
        /// `EngineCallFailed` if a read of the engine fails, `OracleCallFailed` if the oracle's
        /// does.
        #[ink(message)]
        pub fn stress(
            &self,
            who: AccountId,
            underlying: UnderlyingId,
            spot_points: u32,
            vol_points: u32,
            maintenance: bool,
        ) -> Result<StressView, EngineError> {
            let data: Option<AccountData> = self.module_query(ink::selector_bytes!("account"), who)?;
            let data = data.ok_or(EngineError::NoAccount)?;
            let ok = SPOT_POINTS.contains(&spot_points)
                && VOL_POINTS.contains(&vol_points)
                && spot_points.checked_mul(vol_points).is_some_and(|n| n <= MAX_GRID_POINTS);
            ensure(ok, EngineError::InvalidStressGrid)?;
            let config = self.market_config(underlying)?;
            let now = self.env().block_timestamp();
            let math = self.math_account(&data, now)?;
            let mut underlyings = math.underlyings.clone();
            if !underlyings.contains(&underlying) {
                underlyings.push(underlying);
            }
            let markets = self.snapshot(&underlyings, (underlying, config), now)?;
            let grid = stress(&markets, &math.as_math(), now, underlying, spot_points, vol_points, maintenance)?;
            Ok(StressView {
                underlying,
                spot_points: grid.spot_points,
                vol_points: grid.vol_points,
                points: grid
                    .points
                    .iter()
                    .map(|p| StressPointView {
                        spot_bits: p.spot.to_bits(),
                        vol_bits: p.vol.to_bits(),
                        loss_bits: p.loss.to_bits(),
                    })
                    .collect(),
                worst_loss_bits: grid.worst_loss.to_bits(),
            })
        }

        // ------------------------------------------------------------------ internals

        /// Call data of the engine message whose selector is `selector`, without arguments.
        fn input(selector: [u8; 4]) -> NoArgs {
            ExecutionInput::new(Selector::new(selector))
        }

        /// Call data of the engine message whose selector is `selector`, with one argument.
        fn input_of<A: ink::scale::Encode>(selector: [u8; 4], arg: A) -> OneArg<A> {
            Self::input(selector).push_arg(arg)
        }

        /// Calls an engine view and decodes its return value; any failure is `EngineCallFailed`.
        fn query<Args, R>(&self, input: ExecutionInput<Args>) -> Result<R, EngineError>
        where
            Args: ink::scale::Encode,
            R: ink::scale::Decode,
        {
            match build_call::<DefaultEnvironment>().call(self.engine).exec_input(input).returns::<R>().try_invoke() {
                Ok(Ok(value)) => Ok(value),
                _ => Err(ENGINE_CALL_FAILED),
            }
        }

        /// Calls a message of the engine's admin module through the engine's `admin(call)`
        /// (`selector ++ SCALE arguments`) and decodes its `Ok` value; the module's own error is
        /// returned as it is, any other failure is `EngineCallFailed`.
        fn module_query<A: ink::scale::Encode, R: ink::scale::Decode>(
            &self,
            selector: [u8; 4],
            args: A,
        ) -> Result<R, EngineError> {
            let mut call = selector.to_vec();
            args.encode_to(&mut call);
            let bytes: Result<Vec<u8>, EngineError> =
                self.query(Self::input_of(ink::selector_bytes!("admin"), call))?;
            R::decode(&mut &bytes?[..]).map_err(|_| ENGINE_CALL_FAILED)
        }

        /// The engine's configuration of `underlying`'s market; `UnknownMarket` if none.
        fn market_config(&self, underlying: UnderlyingId) -> Result<MarketConfig, EngineError> {
            self.module_query(ink::selector_bytes!("market"), underlying)
        }

        /// The engine's configuration of the token `asset`, if listed.
        fn asset_config(&self, asset: AccountId) -> Result<Option<AssetConfig>, EngineError> {
            match self.module_query(ink::selector_bytes!("asset"), asset) {
                Ok(config) => Ok(Some(config)),
                Err(EngineError::UnknownAsset) => Ok(None),
                Err(e) => Err(e),
            }
        }

        /// The engine's `config()`.
        fn engine_config(&self) -> Result<EngineConfig, EngineError> {
            self.module_query(ink::selector_bytes!("config"), ())
        }

        /// The stored account as `margin-math` inputs, converted by the engine's own
        /// `to_math_account` from the same engine data it would look up itself: the quote
        /// asset's decimals, the configuration of each collateral asset held and the pinned
        /// settlement price of each option held that expired at `now_ms`. All of them are read
        /// first, so a failed read is an error rather than a missing value.
        fn math_account(&self, data: &AccountData, now_ms: u64) -> Result<MathAccount, EngineError> {
            let quote_decimals = self.engine_config()?.quote_decimals;
            let mut assets: Vec<(AccountId, Option<AssetConfig>)> = Vec::with_capacity(data.collateral.len());
            for c in &data.collateral {
                if !assets.iter().any(|(asset, _)| *asset == c.asset) {
                    assets.push((c.asset, self.asset_config(c.asset)?));
                }
            }
            let mut settlements: Vec<(UnderlyingId, u64, Option<u128>)> = Vec::new();
            for p in &data.positions {
                let InstrumentKind::Option { expiry_ms, .. } = p.kind else { continue };
                let known = settlements.iter().any(|&(u, e, _)| u == p.underlying && e == expiry_ms);
                if now_ms >= expiry_ms && !known {
                    let price: Option<u128> =
                        self.module_query(ink::selector_bytes!("settlement_price"), (p.underlying, expiry_ms))?;
                    settlements.push((p.underlying, expiry_ms, price));
                }
            }
            to_math_account(
                data,
                quote_decimals,
                |asset| assets.iter().find(|(a, _)| *a == asset).and_then(|&(_, config)| config),
                |u, expiry| settlements.iter().find(|&&(su, se, _)| su == u && se == expiry).and_then(|&(_, _, p)| p),
                now_ms,
            )
        }

        /// Price and volatility of `underlyings` in one batched oracle read, with the engine's
        /// checks: freshness (`ts ≤ now` and `now − ts ≤ max_oracle_age_ms`, else `StalePrice`)
        /// and range (`MIN_SPOT_E18 ≤ spot ≤ max_spot_e18`, `vol ≤ 10`, else
        /// `PriceOutOfRange`). `known` is a market configuration read already.
        fn snapshot(
            &self,
            underlyings: &[UnderlyingId],
            known: (UnderlyingId, MarketConfig),
            now: u64,
        ) -> Result<Vec<Market>, EngineError> {
            let mut configs = Vec::with_capacity(underlyings.len());
            for &u in underlyings {
                configs.push((u, if u == known.0 { known.1 } else { self.market_config(u)? }));
            }
            let values = self.read_feeds(feeds_of(&configs))?;
            Ok(markets_from(&configs, values, now, false)?.0)
        }

        /// One batched read from the engine's oracle: a result per feed, in order.
        fn read_feeds(&self, feeds: Vec<FeedId>) -> Result<Vec<Result<FeedValue, FeedError>>, EngineError> {
            let oracle: ink::contract_ref!(PriceOracle) = self.engine_config()?.oracle.into();
            let expected = feeds.len();
            match ink::codegen::TraitCallBuilder::call(&oracle).read_batch(feeds).try_invoke() {
                Ok(Ok(values)) if values.len() == expected => Ok(values),
                _ => Err(ORACLE_CALL_FAILED),
            }
        }
    }
}
