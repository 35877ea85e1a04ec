//! A deployed deltamargin suite: oracle with three reporters, a 6-decimal quote token,
//! collateral tokens with 0, 18 and 24 decimals, the engine with three markets and a venue.

use engine::types::{
    AccountData, InstrumentId, InstrumentKind, LiquidationOutcome, LiquidationParams, LiquidationSlice, OptionType,
    PauseFlags,
};
use engine::EngineError;
use oracle::FeedKind;

pub use crate::params::*;
use crate::utils::{actor, Account, Chain};
use crate::BundleProvider;

/// The deployed contracts and actors.
pub struct Suite {
    /// The chain.
    pub chain: Chain,
    /// Owner of every contract (the sandbox's default actor).
    pub owner: Account,
    /// Oracle reporters.
    pub reporters: [Account; 3],
    /// The authorized venue.
    pub venue: Account,
    /// The fee account.
    pub fee_account: Account,
    /// Oracle contract.
    pub oracle: Account,
    /// Engine contract.
    pub engine: Account,
    /// Lens contract over the engine (read-only views such as `stress`).
    pub lens: Account,
    /// Quote token, 6 decimals.
    pub quote: Account,
    /// BTC token, 24 decimals (market BTC).
    pub btc: Account,
    /// ETH token, 18 decimals (market ETH).
    pub eth: Account,
    /// IDX token, 0 decimals (market IDX).
    pub idx: Account,
    /// Linear instruments per market: BTC, ETH, IDX.
    pub perp: [InstrumentId; 3],
}

pub use crate::utils::selector_call;

/// Wasm of a contract built by the bundle provider.
pub fn wasm(bundle: BundleProvider) -> Vec<u8> {
    bundle.bundle().expect("contract bundle").wasm
}

impl Suite {
    /// Deploys everything at time `T0` with fresh prices: BTC 60,000 / 65%, ETH 3,000 / 80%,
    /// IDX 1,000 / 30%; the venue authorized with a 1% max fee.
    pub fn new() -> Self {
        Self::with_markets(3)
    }

    /// Like [`Suite::new`] with `markets` (3..=8) markets: BTC, ETH and IDX as in `new`, then
    /// underlyings 3.. priced at 100 / 50% with a linear instrument each (`3 ≤ u`: instrument `u`).
    pub fn with_markets(markets: u32) -> Self {
        assert!((3..=8).contains(&markets));
        let mut chain = Chain::new();
        // Deployed a day before T0, so the engine's notice of risk-raising changes can be set
        // to 0 for the tests (through the one-day default notice) before they start at T0.
        chain.set_time(T0 - engine::types::DEFAULT_CHANGE_DELAY_MS);
        let owner = actor(1);
        let oracle = chain.deploy(&wasm(BundleProvider::Oracle), "new", (), owner, 0);
        let token_wasm = wasm(BundleProvider::Token);
        let token = |chain: &mut Chain, symbol: &str, decimals: u8, salt: u32| {
            chain.deploy(
                &token_wasm,
                "new",
                (Some(symbol.to_string()), Some(symbol.to_string()), decimals),
                owner,
                salt,
            )
        };
        let quote = token(&mut chain, "USD", 6, 1);
        let btc = token(&mut chain, "BTC", 24, 2);
        let eth = token(&mut chain, "ETH", 18, 3);
        let idx = token(&mut chain, "IDX", 0, 4);
        let fee_account = actor(6);
        let engine = chain.deploy_engine(
            &wasm(BundleProvider::Engine),
            &wasm(BundleProvider::EngineAdmin),
            (oracle, quote, units("1000000000", 6), fee_account),
            owner,
            5,
        );
        let no_notice = selector_call("set_change_delay", 0u64);
        let announced: Result<u64, EngineError> = chain.call(owner, engine, "announce", no_notice.clone());
        assert_eq!(announced, Ok(T0));
        chain.set_time(T0);
        let res: Result<(), EngineError> = chain.call(owner, engine, "set_change_delay", 0u64);
        res.expect("no notice in the tests (the attack tests set one)");
        let lens = chain.deploy(&wasm(BundleProvider::Lens), "new", engine, owner, 6);
        let reporters = [actor(2), actor(3), actor(4)];
        let mut suite = Suite {
            chain,
            owner,
            reporters,
            venue: actor(5),
            fee_account,
            oracle,
            engine,
            lens,
            quote,
            btc,
            eth,
            idx,
            perp: [0, 1, 2],
        };
        for r in reporters {
            let res: Result<(), oracle::OracleError> = suite.chain.call(owner, oracle, "add_reporter", r);
            res.expect("add reporter");
        }
        for feed in 0..2 * markets {
            let kind = if feed % 2 == 0 { FeedKind::Price } else { FeedKind::Volatility };
            let config = feed_config(kind, 2, market_config(BTC).max_spot_e18);
            let res: Result<u32, oracle::OracleError> = suite.chain.call(owner, oracle, "create_feed", config);
            assert_eq!(res, Ok(feed));
        }
        let mut prices = vec![(BTC, "60000", "0.65"), (ETH, "3000", "0.8"), (IDX, "1000", "0.3")];
        prices.extend((3..markets).map(|u| (u, "100", "0.5")));
        suite.set_prices(&prices);
        for u in 0..markets {
            let res: Result<u32, EngineError> = suite.chain.call(owner, engine, "list_market", market_config(u));
            assert_eq!(res, Ok(u));
        }
        for (asset, u, decimals) in [(btc, BTC, 24), (eth, ETH, 18), (idx, IDX, 0)] {
            let cap = units("1000000", decimals);
            let res: Result<(), EngineError> = suite.chain.call(owner, engine, "list_asset", (asset, u, 0u128, cap));
            res.expect("list asset");
        }
        for u in 0..markets {
            let res: Result<u32, EngineError> =
                suite.chain.call(owner, engine, "list_instrument", (u, InstrumentKind::Linear));
            assert_eq!(res, Ok(u));
        }
        let res: Result<(), EngineError> =
            suite.chain.call(owner, engine, "authorize_venue", (suite.venue, E18 / 100, 0u128));
        res.expect("authorize venue");
        suite
    }

    /// The account's collateral as `margin-math` input, from the suite's own knowledge of its
    /// tokens (BTC 24, ETH 18, IDX 0 decimals, no haircut) — independent of the engine's
    /// conversion, which the bit-identity tests compare against.
    pub fn math_collateral(&self, data: &AccountData) -> Vec<margin_math::margin::Collateral> {
        data.collateral
            .iter()
            .map(|c| {
                let (underlying, decimals) = if c.asset == self.btc {
                    (BTC, 24)
                } else if c.asset == self.eth {
                    (ETH, 18)
                } else {
                    assert_eq!(c.asset, self.idx);
                    (IDX, 0)
                };
                margin_math::margin::Collateral { underlying, amount: c.amount, decimals, basis_haircut_e18: 0 }
            })
            .collect()
    }

    /// Every reporter submits `(underlying, spot, vol)` at the current block time.
    pub fn set_prices(&mut self, prices: &[(u32, &str, &str)]) {
        let now = self.chain.now();
        let items: Vec<(u32, u128, u64)> =
            prices.iter().flat_map(|&(u, s, v)| [(2 * u, e18(s), now), (2 * u + 1, e18(v), now)]).collect();
        for r in self.reporters {
            let res: Result<(), oracle::OracleError> = self.chain.call(r, self.oracle, "submit_batch", items.clone());
            res.expect("submit prices");
        }
    }

    /// Lists an option on `underlying` and returns its id.
    pub fn list_option(
        &mut self,
        underlying: u32,
        option_type: OptionType,
        strike: &str,
        expiry_ms: u64,
    ) -> InstrumentId {
        let kind = InstrumentKind::Option { option_type, strike_e18: e18(strike), expiry_ms };
        let res: Result<u32, EngineError> =
            self.chain.call(self.owner, self.engine, "list_instrument", (underlying, kind));
        res.expect("list option")
    }

    /// Mints `amount` base units of `token` to `who` (owner-gated mint).
    pub fn mint(&mut self, token: Account, who: Account, amount: u128) {
        let res: Result<(), deltamargin_interfaces::PSP22Error> =
            self.chain.call(self.owner, token, "mint", (who, amount));
        res.expect("mint");
    }

    /// `who` approves the engine for `amount` and deposits it.
    pub fn deposit(&mut self, who: Account, token: Account, amount: u128) -> Result<(), EngineError> {
        let approve: Result<(), deltamargin_interfaces::PSP22Error> =
            self.chain.call(who, token, "PSP22::approve", (self.engine, amount));
        approve.expect("approve");
        self.chain.call(who, self.engine, "deposit", (token, amount))
    }

    /// Mints and deposits.
    pub fn fund(&mut self, who: Account, token: Account, amount: u128) {
        self.mint(token, who, amount);
        self.deposit(who, token, amount).expect("deposit");
    }

    /// `who` approves the suite's venue.
    pub fn approve_venue(&mut self, who: Account) {
        let res: Result<(), EngineError> = self.chain.call(who, self.engine, "approve_venue", (self.venue, true));
        res.expect("approve venue");
    }

    /// The venue reports a trade.
    pub fn trade(
        &mut self,
        buyer: Account,
        seller: Account,
        instrument: InstrumentId,
        size_e18: u128,
        price_e18: u128,
        fee_rate_e18: u128,
    ) -> Result<(), EngineError> {
        let venue = self.venue;
        self.chain.call(
            venue,
            self.engine,
            "apply_trade",
            (buyer, seller, instrument, size_e18, price_e18, fee_rate_e18),
        )
    }

    /// The engine's stored account of `who`.
    pub fn account(&mut self, who: Account) -> Option<AccountData> {
        self.chain.call(self.owner, self.engine, "account", who)
    }

    /// `PSP22::balance_of`.
    pub fn balance(&mut self, token: Account, who: Account) -> u128 {
        self.chain.call(self.owner, token, "PSP22::balance_of", who)
    }

    /// The engine's health view of `who`.
    pub fn health(&mut self, who: Account) -> Result<engine::types::HealthView, EngineError> {
        self.chain.call(self.owner, self.engine, "health", who)
    }
    /// `who` approves the engine to pull `amount` base units of `token` (`fund_insurance`,
    /// `cover_deficit`).
    pub fn approve_engine(&mut self, who: Account, token: Account, amount: u128) {
        let res: Result<(), deltamargin_interfaces::PSP22Error> =
            self.chain.call(who, token, "PSP22::approve", (self.engine, amount));
        res.expect("approve");
    }

    /// `liquidator` calls `liquidate(target, slice, quantity)`. Nothing else happens (a
    /// collateral slice is paid from the liquidator's margin cash).
    pub fn try_liquidate(
        &mut self,
        liquidator: Account,
        target: Account,
        slice: LiquidationSlice,
        quantity: u128,
    ) -> Result<LiquidationOutcome, EngineError> {
        self.chain.call(liquidator, self.engine, "liquidate", (target, slice, quantity))
    }

    /// [`Suite::try_liquidate`] that must succeed.
    pub fn liquidate(
        &mut self,
        liquidator: Account,
        target: Account,
        slice: LiquidationSlice,
        quantity: u128,
    ) -> LiquidationOutcome {
        self.try_liquidate(liquidator, target, slice, quantity)
            .unwrap_or_else(|e| panic!("liquidate {slice:?} x {quantity}: {e:?}"))
    }

    /// Anyone (`caller`) pins the settlement price of an expired option's (underlying, expiry).
    pub fn pin_settlement(&mut self, caller: Account, instrument: InstrumentId) -> Result<u128, EngineError> {
        self.chain.call(caller, self.engine, "pin_settlement", instrument)
    }

    /// Anyone (`caller`) settles `who`'s expired pinned options; returns the cash moved.
    pub fn settle(&mut self, caller: Account, who: Account, instrument: InstrumentId) -> Result<i128, EngineError> {
        self.chain.call(caller, self.engine, "settle", (who, instrument))
    }

    /// The pinned settlement price of (`underlying`, `expiry_ms`), if any.
    pub fn settlement_price(&mut self, underlying: u32, expiry_ms: u64) -> Option<u128> {
        let price: Result<Option<u128>, EngineError> =
            self.chain.call(self.owner, self.engine, "settlement_price", (underlying, expiry_ms));
        price.expect("settlement_price")
    }

    /// Mints `amount` quote base units to `who`, approves the engine and calls
    /// `fund_insurance(amount)` as `who`.
    pub fn fund_insurance(&mut self, who: Account, amount: u128) -> Result<(), EngineError> {
        self.mint(self.quote, who, amount);
        self.approve_engine(who, self.quote, amount);
        self.chain.call(who, self.engine, "fund_insurance", amount)
    }

    /// Mints `amount` quote base units to the owner, approves the engine and calls
    /// `cover_deficit(amount)` as the owner.
    pub fn cover_deficit(&mut self, amount: u128) -> Result<(), EngineError> {
        let owner = self.owner;
        self.mint(self.quote, owner, amount);
        self.approve_engine(owner, self.quote, amount);
        self.chain.call(owner, self.engine, "cover_deficit", amount)
    }

    /// The owner sets the liquidation parameters.
    pub fn set_liquidation_params(&mut self, params: LiquidationParams) -> Result<(), EngineError> {
        self.chain.call(self.owner, self.engine, "set_liquidation_params", params)
    }

    /// The liquidation parameters in force.
    pub fn liquidation_params(&mut self) -> LiquidationParams {
        self.chain.call::<engine::types::EngineConfig>(self.owner, self.engine, "config", ()).liquidation_params
    }

    /// The owner sets the pause flags.
    pub fn set_paused(&mut self, flags: PauseFlags) -> Result<(), EngineError> {
        self.chain.call(self.owner, self.engine, "set_paused", flags)
    }

    /// The owner sets the grace period after unpausing liquidations (ms).
    pub fn set_grace_period(&mut self, grace_period_ms: u64) -> Result<(), EngineError> {
        self.chain.call(self.owner, self.engine, "set_grace_period", grace_period_ms)
    }

    /// The insurance fund, quote base units.
    pub fn insurance_fund(&mut self) -> u128 {
        self.chain.call::<engine::types::EngineConfig>(self.owner, self.engine, "config", ()).insurance_fund
    }

    /// The deficit, quote base units.
    pub fn deficit(&mut self) -> u128 {
        self.chain.call::<engine::types::EngineConfig>(self.owner, self.engine, "config", ()).deficit
    }
}
