//! A scenario's deployment on the sandbox: the oracle with three reporters, the quote and
//! collateral tokens, the engine with the scenario's markets, assets and instruments, the lens,
//! a venue, the insurance fund, the keeper's account and every scenario account — and the
//! operations the replay performs on them (price submissions, deposits, trades), each with its
//! gas recorded per message kind.

use std::collections::BTreeMap;

use deltamargin_interfaces::PSP22Error;
use engine::types::{
    InstrumentId, InstrumentKind, LiquidationParams, MarketConfig, OptionType, RiskParams, DEFAULT_CHANGE_DELAY_MS,
    MAX_VOL_E18,
};
use engine::EngineError;
use margin_math::trading::option_mark_e18;
use oracle::{FeedConfig, FeedKind};
use serde::Serialize;

use super::scenario::{parse_unsigned, Scenario, Trade};
use crate::conservation::Deployment;
use crate::utils::{actor, Account, Chain};
use crate::BundleProvider;

/// 10^18.
pub const E18: u128 = margin_math::decimal::E18;
/// Longest oracle aggregation window, ms: each market's feeds get the shorter of this and the
/// market's max oracle age (the engine refuses feeds whose window exceeds the max age).
pub const WINDOW_MS: u64 = 60_000;
/// Native balance given to each generated account (storage deposits).
const NATIVE: u128 = 1_000_000_000_000_000;

/// A token of the deployment.
#[derive(Debug, Clone, Serialize)]
pub struct Token {
    /// Symbol.
    pub symbol: String,
    /// Contract.
    #[serde(skip)]
    pub account: Account,
    /// Decimals.
    pub decimals: u8,
}

/// A market's current oracle inputs.
#[derive(Debug, Clone, Serialize)]
pub struct MarketState {
    /// Name.
    pub name: String,
    /// Spot of the path at the current step, 18 decimals.
    pub spot_e18: u128,
    /// Volatility of the path at the current step, 18 decimals.
    pub vol_e18: u128,
    /// Spot last submitted to the oracle, 18 decimals.
    pub oracle_spot_e18: u128,
    /// Volatility last submitted to the oracle, 18 decimals.
    pub oracle_vol_e18: u128,
    /// Time of the last submission, ms.
    pub oracle_ts_ms: u64,
    /// The engine's max oracle age for it, ms.
    pub max_age_ms: u64,
}

/// Gas of one message kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GasStat {
    /// Calls.
    pub count: u64,
    /// Sum of ref_time, ps.
    pub total_ref_time_ps: u128,
    /// Largest ref_time, ps.
    pub max_ref_time_ps: u64,
}

impl GasStat {
    /// Mean ref_time, ps (0 without calls).
    pub fn mean(&self) -> u128 {
        if self.count == 0 {
            0
        } else {
            self.total_ref_time_ps / u128::from(self.count)
        }
    }
}

/// The deployed scenario.
pub struct World {
    /// The chain.
    pub chain: Chain,
    /// Owner of every contract.
    pub owner: Account,
    /// Oracle reporters.
    pub reporters: [Account; 3],
    /// The venue reporting trades.
    pub venue: Account,
    /// Oracle.
    pub oracle: Account,
    /// Engine.
    pub engine: Account,
    /// Lens.
    pub lens: Account,
    /// The quote token.
    pub quote: Token,
    /// Collateral tokens.
    pub assets: Vec<Token>,
    /// Markets, in listing order (underlying ids).
    pub markets: Vec<MarketState>,
    /// Instruments by name: id, underlying, kind.
    pub instruments: BTreeMap<String, (InstrumentId, u32, InstrumentKind)>,
    /// Scenario accounts in order: name, account.
    pub accounts: Vec<(String, Account)>,
    /// Group name → indices into `accounts` (a single account is a group of one).
    pub groups: BTreeMap<String, Vec<usize>>,
    /// The keeper's account.
    pub keeper: Account,
    /// Gas per message kind.
    pub gas: BTreeMap<String, GasStat>,
}

impl Deployment for World {
    fn chain(&mut self) -> &mut Chain {
        &mut self.chain
    }
    fn owner(&self) -> Account {
        self.owner
    }
    fn oracle(&self) -> Account {
        self.oracle
    }
    fn engine(&self) -> Account {
        self.engine
    }
    fn tokens(&self) -> Vec<Account> {
        std::iter::once(self.quote.account).chain(self.assets.iter().map(|t| t.account)).collect()
    }
}

/// Account `i` of the scenario: 32 bytes `0x5A…` with `i` in the first four.
fn generated(i: usize) -> Account {
    let mut bytes = [0x5Au8; 32];
    bytes[..4].copy_from_slice(&(i as u32).to_be_bytes());
    Account::from(bytes)
}

fn e18(text: &str, what: &str) -> Result<u128, String> {
    parse_unsigned(text, 18).map_err(|e| format!("{what}: {e}"))
}

fn ok<T, E: core::fmt::Debug>(what: &str, r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| format!("set-up: {what}: {e:?}"))
}

impl World {
    /// Deploys `scenario` at its start time with its set-up prices; funds the insurance fund,
    /// the keeper and every account's deposits. Set-up trades are left to the caller.
    pub fn deploy(scenario: &Scenario) -> Result<World, String> {
        let wasm = |b: BundleProvider| b.bundle().map(|b| b.wasm).map_err(|e| format!("contract bundle: {e:?}"));
        let mut chain = Chain::new();
        // Deployed a day (the default notice) before the start: the owner announces that the
        // set-up needs no notice and configures the fresh deployment at the start; the
        // default notice is restored before the path runs (see the end of this function).
        let deployed_ms = scenario.start_ms.checked_sub(DEFAULT_CHANGE_DELAY_MS).ok_or("start_ms is before one day")?;
        chain.set_time(deployed_ms);
        let owner = actor(1);
        let oracle = chain.deploy(&wasm(BundleProvider::Oracle)?, "new", (), owner, 0);
        let token_wasm = wasm(BundleProvider::Token)?;
        let mut salt = 1u32;
        let mut token = |chain: &mut Chain, symbol: &str, decimals: u8| {
            salt += 1;
            let account = chain.deploy(
                &token_wasm,
                "new",
                (Some(symbol.to_string()), Some(symbol.to_string()), decimals),
                owner,
                salt,
            );
            Token { symbol: symbol.to_string(), account, decimals }
        };
        let quote = token(&mut chain, &scenario.quote.symbol, scenario.quote.decimals);
        let assets: Vec<Token> = scenario.assets.iter().map(|a| token(&mut chain, &a.symbol, a.decimals)).collect();
        let fee_account = actor(6);
        let quote_cap = parse_unsigned(&scenario.quote.cap, u32::from(quote.decimals))?;
        let engine = chain.deploy_engine(
            &wasm(BundleProvider::Engine)?,
            &wasm(BundleProvider::EngineAdmin)?,
            (oracle, quote.account, quote_cap, fee_account),
            owner,
            100,
        );
        let no_notice = crate::utils::selector_call("set_change_delay", 0u64);
        let announced: Result<u64, EngineError> = chain.call(owner, engine, "announce", no_notice);
        ok("announce set_change_delay(0)", announced.map(|_| ()))?;
        chain.set_time(scenario.start_ms);
        let res: Result<(), EngineError> = chain.call(owner, engine, "set_change_delay", 0u64);
        ok("set_change_delay(0)", res)?;
        let lens = chain.deploy(&wasm(BundleProvider::Lens)?, "new", engine, owner, 101);
        let reporters = [actor(2), actor(3), actor(4)];
        let mut world = World {
            chain,
            owner,
            reporters,
            venue: actor(5),
            oracle,
            engine,
            lens,
            quote,
            assets,
            markets: Vec::new(),
            instruments: BTreeMap::new(),
            accounts: Vec::new(),
            groups: BTreeMap::new(),
            keeper: Account::from([0x4Bu8; 32]),
            gas: BTreeMap::new(),
        };
        for r in reporters {
            let res: Result<(), oracle::OracleError> = world.chain.call(owner, oracle, "add_reporter", r);
            ok("add_reporter", res)?;
        }
        // Markets: feeds 2u (price) and 2u + 1 (volatility), first prices, listing.
        let mut configs = Vec::new();
        for (u, m) in scenario.markets.iter().enumerate() {
            let name = &m.name;
            let f = |t: &str, what: &str| e18(t, &format!("market {name}: {what}"));
            let config = MarketConfig {
                price_feed: 2 * u as u32,
                vol_feed: 2 * u as u32 + 1,
                risk: RiskParams {
                    spot_shock_im_e18: f(&m.spot_shock_im, "spot_shock_im")?,
                    spot_shock_mm_e18: f(&m.spot_shock_mm, "spot_shock_mm")?,
                    vol_shock_im_e18: f(&m.vol_shock_im, "vol_shock_im")?,
                    vol_shock_mm_e18: f(&m.vol_shock_mm, "vol_shock_mm")?,
                    vol_floor_e18: f(&m.vol_floor, "vol_floor")?,
                    short_option_addon_e18: f(&m.short_option_addon, "short_option_addon")?,
                    rate_e18: 0,
                },
                max_oracle_age_ms: m.max_oracle_age_ms,
                band_e18: f(&m.band, "band")?,
                band_vol_e18: f(&m.band_vol, "band_vol")?,
                tick_e18: f(&m.tick, "tick")?,
                lot_e18: f(&m.lot, "lot")?,
                max_spot_e18: f(&m.max_spot, "max_spot")?,
                open_interest_cap_e18: f(&m.open_interest_cap, "open_interest_cap")?,
                account_notional_cap_e18: f(&m.account_notional_cap, "account_notional_cap")?,
            };
            for kind in [FeedKind::Price, FeedKind::Volatility] {
                let max_e18 = if kind == FeedKind::Price { config.max_spot_e18 } else { MAX_VOL_E18 };
                let feed = FeedConfig {
                    kind,
                    window_ms: config.max_oracle_age_ms.min(WINDOW_MS),
                    quorum: 2,
                    min_e18: 1,
                    max_e18,
                    max_spread_e18: crate::params::MAX_SPREAD_E18,
                };
                let res: Result<u32, oracle::OracleError> = world.chain.call(owner, oracle, "create_feed", feed);
                ok("create_feed", res)?;
            }
            let (spot, vol) = (f(&m.spot, "spot")?, f(&m.vol, "vol")?);
            world.markets.push(MarketState {
                name: name.clone(),
                spot_e18: spot,
                vol_e18: vol,
                oracle_spot_e18: 0,
                oracle_vol_e18: 0,
                oracle_ts_ms: 0,
                max_age_ms: m.max_oracle_age_ms,
            });
            configs.push(config);
        }
        world.submit_prices(&[])?;
        for config in configs {
            let res: Result<u32, EngineError> = world.chain.call(owner, engine, "list_market", config);
            ok("list_market", res)?;
        }
        for (i, a) in scenario.assets.iter().enumerate() {
            let u = world.market_index(&a.market)?;
            let haircut = e18(&a.haircut, "haircut")?;
            let cap = parse_unsigned(&a.cap, u32::from(a.decimals))?;
            let token = world.assets[i].account;
            let res: Result<(), EngineError> =
                world.chain.call(owner, engine, "list_asset", (token, u as u32, haircut, cap));
            ok(&format!("list_asset {}", a.symbol), res)?;
        }
        for i in &scenario.instruments {
            let u = world.market_index(&i.market)? as u32;
            let kind = match i.kind.as_str() {
                "linear" => InstrumentKind::Linear,
                "call" | "put" => {
                    let option_type = if i.kind == "call" { OptionType::Call } else { OptionType::Put };
                    let strike = i.strike.as_deref().ok_or(format!("instrument {}: strike missing", i.name))?;
                    let after = i.expiry_after_ms.ok_or(format!("instrument {}: expiry_after_ms missing", i.name))?;
                    InstrumentKind::Option {
                        option_type,
                        strike_e18: e18(strike, "strike")?,
                        expiry_ms: scenario.start_ms.saturating_add(after),
                    }
                }
                other => return Err(format!("instrument {}: kind `{other}` is not linear, call or put", i.name)),
            };
            let res: Result<u32, EngineError> = world.chain.call(owner, engine, "list_instrument", (u, kind));
            let id = ok(&format!("list_instrument {}", i.name), res)?;
            if world.instruments.insert(i.name.clone(), (id, u, kind)).is_some() {
                return Err(format!("instrument {} listed twice", i.name));
            }
        }
        let res: Result<(), EngineError> =
            world.chain.call(owner, engine, "authorize_venue", (world.venue, E18 / 100, 0u128));
        ok("authorize_venue", res)?;

        // Liquidation parameters, then the insurance fund.
        let ins = &scenario.insurance;
        let qd = u32::from(world.quote.decimals);
        let params = LiquidationParams {
            penalty_rate_e18: e18(&ins.penalty_rate, "penalty_rate")?,
            liquidator_share_e18: e18(&ins.liquidator_share, "liquidator_share")?,
            end_buffer_e18: e18(&ins.end_buffer, "end_buffer")?,
            insolvent_reward_cap: parse_unsigned(&ins.insolvent_reward_cap, qd)?,
        };
        if params != LiquidationParams::DEFAULT {
            let res: Result<(), EngineError> = world.chain.call(owner, engine, "set_liquidation_params", params);
            ok("set_liquidation_params", res)?;
        }
        let fund = parse_unsigned(&ins.fund, qd)?;
        if fund > 0 {
            world.mint(world.quote.account, owner, fund)?;
            world.approve(owner, world.quote.account, fund)?;
            let res: Result<(), EngineError> = world.chain.call(owner, engine, "fund_insurance", fund);
            ok("fund_insurance", res)?;
        }

        // The keeper: margin in the engine (collateral slices are paid from it), quote in the wallet.
        let keeper = world.keeper;
        world.chain.mint_native(keeper, NATIVE);
        let (deposit, wallet) =
            (parse_unsigned(&scenario.keeper.deposit, qd)?, parse_unsigned(&scenario.keeper.wallet, qd)?);
        let total = deposit.checked_add(wallet).ok_or("keeper funds overflow")?;
        world.mint(world.quote.account, keeper, total)?;
        if deposit > 0 {
            world.deposit(keeper, world.quote.account, deposit).map_err(|e| format!("keeper deposit: {e:?}"))?;
        }

        // Accounts and their deposits.
        for spec in &scenario.accounts {
            let names: Vec<String> = match spec.count {
                None => vec![spec.name.clone()],
                Some(n) => (0..n).map(|i| format!("{}-{i}", spec.name)).collect(),
            };
            let mut members = Vec::new();
            for name in names {
                let index = world.accounts.len();
                let who = generated(index);
                world.chain.mint_native(who, NATIVE);
                world.accounts.push((name.clone(), who));
                if spec.count.is_some() {
                    world.groups.insert(name, vec![index]);
                }
                members.push(index);
                for (symbol, amount) in &spec.deposits {
                    let token = world.token(symbol)?;
                    let amount = parse_unsigned(amount, u32::from(token.decimals))?;
                    world.mint(token.account, who, amount)?;
                    world
                        .deposit(who, token.account, amount)
                        .map_err(|e| format!("deposit of {} {symbol}: {e:?}", spec.name))?;
                }
                let res: Result<(), EngineError> = world.chain.call(who, engine, "approve_venue", (world.venue, true));
                ok("approve_venue", res)?;
            }
            if world.groups.insert(spec.name.clone(), members).is_some() {
                return Err(format!("account name {} used twice", spec.name));
            }
        }
        // Set-up done: changes from here on wait the default notice again.
        let res: Result<(), EngineError> = world.chain.call(owner, engine, "set_change_delay", DEFAULT_CHANGE_DELAY_MS);
        ok("set_change_delay(default)", res)?;
        Ok(world)
    }

    /// Index of the market named `name`.
    pub fn market_index(&self, name: &str) -> Result<usize, String> {
        self.markets.iter().position(|m| m.name == name).ok_or(format!("unknown market `{name}`"))
    }

    /// The token with `symbol`.
    pub fn token(&self, symbol: &str) -> Result<Token, String> {
        std::iter::once(&self.quote)
            .chain(self.assets.iter())
            .find(|t| t.symbol == symbol)
            .cloned()
            .ok_or(format!("unknown token `{symbol}`"))
    }

    /// Members of the account or group `name`.
    pub fn members(&self, name: &str) -> Result<Vec<Account>, String> {
        let indices = self.groups.get(name).ok_or(format!("unknown account `{name}`"))?;
        Ok(indices.iter().map(|&i| self.accounts[i].1).collect())
    }

    /// The scenario name of `who` (or `keeper`, or a short hex id).
    pub fn name_of(&self, who: Account) -> String {
        if who == self.keeper {
            return "keeper".into();
        }
        self.accounts.iter().find(|(_, a)| *a == who).map_or_else(
            || {
                let bytes: &[u8; 32] = who.as_ref();
                bytes[..4].iter().map(|b| format!("{b:02x}")).collect()
            },
            |(n, _)| n.clone(),
        )
    }

    fn record_gas(&mut self, kind: &str) {
        let ref_time = self.chain.last_gas.ref_time();
        Self::record(&mut self.gas, kind, ref_time);
    }

    /// Adds one call of `kind` with `ref_time` ps to `gas`.
    pub fn record(gas: &mut BTreeMap<String, GasStat>, kind: &str, ref_time: u64) {
        let stat = gas.entry(kind.to_string()).or_default();
        stat.count += 1;
        stat.total_ref_time_ps += u128::from(ref_time);
        stat.max_ref_time_ps = stat.max_ref_time_ps.max(ref_time);
    }

    fn mint(&mut self, token: Account, who: Account, amount: u128) -> Result<(), String> {
        let res: Result<(), PSP22Error> = self.chain.call(self.owner, token, "mint", (who, amount));
        ok("mint", res)
    }

    fn approve(&mut self, who: Account, token: Account, amount: u128) -> Result<(), String> {
        let res: Result<(), PSP22Error> = self.chain.call(who, token, "PSP22::approve", (self.engine, amount));
        self.record_gas("token approve");
        ok("approve", res)
    }

    /// Every reporter submits the current path values of every market not in `outage`.
    pub fn submit_prices(&mut self, outage: &[usize]) -> Result<(), String> {
        let now = self.chain.now();
        let mut items: Vec<(u32, u128, u64)> = Vec::new();
        for (u, m) in self.markets.iter_mut().enumerate() {
            if outage.contains(&u) {
                continue;
            }
            items.push((2 * u as u32, m.spot_e18, now));
            items.push((2 * u as u32 + 1, m.vol_e18, now));
            (m.oracle_spot_e18, m.oracle_vol_e18, m.oracle_ts_ms) = (m.spot_e18, m.vol_e18, now);
        }
        if items.is_empty() {
            return Ok(());
        }
        for r in self.reporters {
            let res: Result<(), oracle::OracleError> = self.chain.call(r, self.oracle, "submit_batch", items.clone());
            self.record_gas("oracle submit_batch");
            res.map_err(|e| format!("oracle submit: {e:?}"))?;
        }
        Ok(())
    }

    /// Mints nothing: `who` approves the engine for `amount` of `token` and deposits it.
    pub fn deposit(&mut self, who: Account, token: Account, amount: u128) -> Result<(), String> {
        self.approve(who, token, amount)?;
        let res: Result<(), EngineError> = self.chain.call(who, self.engine, "deposit", (token, amount));
        self.record_gas("deposit");
        res.map_err(|e| format!("{e:?}"))
    }

    /// A deposit action: mints `amount` whole tokens of `symbol` to each member of `account`
    /// and deposits them; one result per member.
    pub fn deposit_action(&mut self, account: &str, symbol: &str, amount: &str) -> Result<Vec<ActionResult>, String> {
        let token = self.token(symbol)?;
        let units = parse_unsigned(amount, u32::from(token.decimals))?;
        let mut results = Vec::new();
        for who in self.members(account)? {
            self.mint(token.account, who, units)?;
            let res = self.deposit(who, token.account, units);
            results.push(ActionResult {
                action: format!("deposit {amount} {symbol} by {}", self.name_of(who)),
                ok: res.is_ok(),
                error: res.err(),
            });
        }
        Ok(results)
    }

    /// The mark of `instrument` at the oracle's current values (spot for linear, Black-Scholes
    /// for options), 18 decimals.
    pub fn mark_e18(&mut self, instrument: &str) -> Result<u128, String> {
        let (_, u, kind) = *self.instruments.get(instrument).ok_or(format!("unknown instrument `{instrument}`"))?;
        let m = &self.markets[u as usize];
        let (spot, vol) = (m.oracle_spot_e18, m.oracle_vol_e18);
        match kind {
            InstrumentKind::Linear => Ok(spot),
            InstrumentKind::Option { option_type, strike_e18, expiry_ms } => {
                let now = self.chain.now();
                option_mark_e18(engine::account::option_kind(option_type), spot, strike_e18, vol, 0, now, expiry_ms)
                    .map_err(|e| format!("mark of {instrument}: {e:?}"))
            }
        }
    }

    /// A trade action: the venue reports `trade` for each (buyer, seller) pair (groups pair
    /// member by member; a single account pairs with every member of a group).
    pub fn trade_action(&mut self, trade: &Trade) -> Result<Vec<ActionResult>, String> {
        let (id, _, _) =
            *self.instruments.get(&trade.instrument).ok_or(format!("unknown instrument `{}`", trade.instrument))?;
        let size = parse_unsigned(&trade.size, 18)?;
        let price =
            if trade.price == "mark" { self.mark_e18(&trade.instrument)? } else { parse_unsigned(&trade.price, 18)? };
        let buyers = self.members(&trade.buyer)?;
        let sellers = self.members(&trade.seller)?;
        let pairs: Vec<(Account, Account)> = match (buyers.len(), sellers.len()) {
            (1, _) => sellers.iter().map(|&s| (buyers[0], s)).collect(),
            (_, 1) => buyers.iter().map(|&b| (b, sellers[0])).collect(),
            (a, b) if a == b => buyers.into_iter().zip(sellers).collect(),
            _ => return Err(format!("trade {} / {}: groups of different sizes", trade.buyer, trade.seller)),
        };
        let mut results = Vec::new();
        for (buyer, seller) in pairs {
            let res: Result<(), EngineError> =
                self.chain.call(self.venue, self.engine, "apply_trade", (buyer, seller, id, size, price, 0u128));
            self.record_gas("apply_trade");
            results.push(ActionResult {
                action: format!(
                    "{} buys {} {} from {} at {}",
                    self.name_of(buyer),
                    trade.size,
                    trade.instrument,
                    self.name_of(seller),
                    super::report::e18_str(price, 2)
                ),
                ok: res.is_ok(),
                error: res.err().map(|e| format!("{e:?}")),
            });
        }
        Ok(results)
    }
}

/// The result of one scenario action.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ActionResult {
    /// What was done.
    pub action: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// The engine's error otherwise.
    pub error: Option<String>,
}
