//! The liquidation drill: everything an operator must see work on a chain before trusting the
//! keeper there, in one run. Over any [`Operator`] (the drink sandbox in the sandbox crate's tests,
//! a live node in `deltamargin-sim drill` / `scripts/keeper-live.sh`) it
//!
//! 1. uploads and instantiates the suite (the contracts' Wasm as [`Codes`]): a 6-decimal quote token, the oracle, the engine's admin
//!    module (code only) and the engine (`new(oracle, quote, cap, fee account, admin code hash)`);
//! 2. configures it through the engine's `admin` message (market BTC with the example risk
//!    parameters of `params::risk`, a linear instrument, an authorized venue) and the oracle (one
//!    reporter, quorum 1, BTC 60,000 / 65%);
//! 3. funds three dev accounts (trader A 61,000 USD, counterparty H and keeper K 1,000,000 USD each),
//!    has the venue report A buying 10 BTC at 60,000 from H, and moves BTC to 57,000;
//! 4. runs one keeper round as K ([`Keeper::run_once`]) and checks the result against the engine:
//!    A was liquidated to the end target in one slice (5.123 BTC, the figure of the engine test
//!    `close_factor_stops_within_one_lot_of_the_end_target`), is no longer liquidatable, and K
//!    holds the contracts it took.
//!
//! With [`DrillOptions::keeper_round`] off it stops after step 3 and leaves A liquidatable, so the
//! standalone `deltamargin-keeper` can be pointed at the engine instead.

use deltamargin_core::types::{AccountData, HealthView, InstrumentKind, LiquidationSlice};
use deltamargin_core::EngineError;
use deltamargin_interfaces::{FeedKind, PSP22Error};
use ink::scale::{Decode, Encode};
use oracle::OracleError;

use crate::chain::{admin_call_input, decode_output, encode_call};
use crate::live::{account_of, parse_signer, LiveChain, LiveNode};
use crate::params::{e18, feed_config, market_config, units, BTC, E18};
use crate::{Account, ChainError, Executed, Keeper, KeeperConfig, KeeperLog};

/// The dev accounts the drill signs with: owner (also oracle reporter and venue), trader A,
/// counterparty H, keeper K. Every contracts dev chain funds them at genesis.
pub const DEV_SURIS: [&str; 4] = ["//Alice", "//Bob", "//Charlie", "//Dave"];

/// The contracts' Wasm the drill deploys.
pub struct Codes {
    /// The PSP22 test token (`token`).
    pub token: Vec<u8>,
    /// The oracle.
    pub oracle: Vec<u8>,
    /// The engine.
    pub engine: Vec<u8>,
    /// The engine's admin module (uploaded, not instantiated).
    pub engine_admin: Vec<u8>,
}

impl Codes {
    /// The Wasm of each contract from `dir`, laid out as `cargo contract build` and the sandbox
    /// crate's bundle provider write it: `<dir>/<name>/<name>.wasm` for `token`, `oracle`,
    /// `engine` and `engine_admin` (e.g. `$CARGO_TARGET_DIR/ink`).
    pub fn from_dir(dir: &std::path::Path) -> Result<Codes, String> {
        let read = |name: &str| {
            let path = dir.join(name).join(format!("{name}.wasm"));
            std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        Ok(Codes {
            token: read("token")?,
            oracle: read("oracle")?,
            engine: read("engine")?,
            engine_admin: read("engine_admin")?,
        })
    }
}

/// The drill's roles, as accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    /// Deploys and owns every contract; the oracle's reporter and the authorized venue.
    pub owner: Account,
    /// A: goes long and is liquidated.
    pub trader: Account,
    /// H: the trader's counterparty.
    pub counterparty: Account,
    /// K: runs the keeper round.
    pub keeper: Account,
}

impl Roles {
    /// The accounts of [`DEV_SURIS`].
    pub fn dev() -> Result<Roles, String> {
        let account = |suri: &str| parse_signer(suri).map(|k| account_of(&k));
        let [owner, trader, counterparty, keeper] = DEV_SURIS;
        Ok(Roles {
            owner: account(owner)?,
            trader: account(trader)?,
            counterparty: account(counterparty)?,
            keeper: account(keeper)?,
        })
    }
}

/// What a drill backend does: code uploads, instantiations, contract calls signed by any of
/// the drill's accounts, and one keeper round.
pub trait Operator {
    /// Uploads `wasm` as `from`; returns its code hash.
    fn upload(&mut self, from: Account, wasm: &[u8]) -> Result<[u8; 32], ChainError>;
    /// Instantiates stored `code_hash` with constructor `input` (selector + SCALE arguments) and
    /// `salt` as `from`; returns the new contract's address.
    fn instantiate(
        &mut self,
        from: Account,
        code_hash: [u8; 32],
        input: Vec<u8>,
        salt: Vec<u8>,
    ) -> Result<Account, ChainError>;
    /// Calls `contract` with `input` as `from` and commits it unless the contract reverts.
    fn send(&mut self, from: Account, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError>;
    /// Calls `contract` with `input` as `from` without committing anything.
    fn query(&mut self, from: Account, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError>;
    /// The latest block's timestamp, ms (oracle submissions carry it).
    fn now_ms(&mut self) -> Result<u64, ChainError>;
    /// One [`Keeper::run_once`] signed by `keeper` against `engine`.
    fn keeper_round(
        &mut self,
        keeper: &mut Keeper,
        engine: Account,
        as_keeper: Account,
    ) -> Result<Vec<KeeperLog>, ChainError>;
}

/// The drill (or any [`Operator`] use) on a live node, signing with keys from secret URIs.
pub struct LiveOperator {
    node: LiveNode,
    signers: Vec<subxt_signer::sr25519::Keypair>,
}

impl LiveOperator {
    /// Connects to `url`, signing with the keys of `suris` (secret URIs).
    pub fn connect(url: &str, suris: &[&str]) -> Result<LiveOperator, String> {
        let signers = suris.iter().map(|suri| parse_signer(suri)).collect::<Result<Vec<_>, _>>()?;
        Ok(LiveOperator { node: LiveNode::connect(url)?, signers })
    }

    fn signer(&self, who: Account) -> Result<&subxt_signer::sr25519::Keypair, ChainError> {
        self.signers
            .iter()
            .find(|k| account_of(k) == who)
            .ok_or_else(|| ChainError(format!("no key for {}", crate::short(&who))))
    }
}

impl Operator for LiveOperator {
    fn upload(&mut self, from: Account, wasm: &[u8]) -> Result<[u8; 32], ChainError> {
        self.node.upload(self.signer(from)?, wasm)
    }

    fn instantiate(
        &mut self,
        from: Account,
        code_hash: [u8; 32],
        input: Vec<u8>,
        salt: Vec<u8>,
    ) -> Result<Account, ChainError> {
        self.node.instantiate(self.signer(from)?, code_hash, input, salt)
    }

    fn send(&mut self, from: Account, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        self.node.call(self.signer(from)?, contract, input)
    }

    fn query(&mut self, from: Account, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        self.node.query(from, contract, input)
    }

    fn now_ms(&mut self) -> Result<u64, ChainError> {
        self.node.block_time_ms()
    }

    fn keeper_round(
        &mut self,
        keeper: &mut Keeper,
        engine: Account,
        as_keeper: Account,
    ) -> Result<Vec<KeeperLog>, ChainError> {
        let signer = self.signer(as_keeper)?.clone();
        Ok(keeper.run_once(&mut LiveChain::new(self.node.clone(), engine, signer)))
    }
}

/// Drill settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrillOptions {
    /// Salt of every instantiation (a new salt deploys a new suite on the same chain).
    pub salt: u32,
    /// Run the keeper round and check it (step 4); off: stop with the trader liquidatable.
    pub keeper_round: bool,
}

/// What the drill deployed and saw.
#[derive(Debug, Clone)]
pub struct DrillReport {
    /// The roles' accounts.
    pub roles: Roles,
    /// The quote token.
    pub quote: Account,
    /// The oracle.
    pub oracle: Account,
    /// The engine.
    pub engine: Account,
    /// The trader's health before the keeper round.
    pub health_before: HealthView,
    /// The keeper round's log (empty without a keeper round).
    pub keeper_log: Vec<KeeperLog>,
    /// Contracts (e18) of the BTC perp the keeper took over from the trader (0 without a round).
    pub taken_e18: u128,
    /// The trader's health after the keeper round (`None` without a round).
    pub health_after: Option<HealthView>,
}

/// Contracts the engine takes from the trader in the drill's one slice: its end target (the
/// engine test `close_factor_stops_within_one_lot_of_the_end_target`, same book and prices).
pub const EXPECTED_TAKEN_E18: u128 = 5_123 * (E18 / 1000);

/// A step's failure, with the step named.
fn step<T, E: core::fmt::Debug>(what: &str, result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e:?}"))
}

/// Sends `message(args)` to `contract` as `from` and decodes its `Result<T, E>`.
fn call<T: Decode, E: Decode + core::fmt::Debug>(
    op: &mut impl Operator,
    from: Account,
    contract: Account,
    message: &str,
    args: impl Encode,
) -> Result<T, String> {
    let exec = step(message, op.send(from, contract, encode_call(message, args)))?;
    let result: Result<T, E> = step(message, decode_output(message, &exec))?;
    step(message, result)
}

/// Dry-runs view `message(args)` on `contract` as `from` and decodes its value.
fn view<T: Decode>(
    op: &mut impl Operator,
    from: Account,
    contract: Account,
    message: &str,
    args: impl Encode,
) -> Result<T, String> {
    let exec = step(message, op.query(from, contract, encode_call(message, args)))?;
    step(message, decode_output(message, &exec))
}

/// Dry-runs view `message(args)` of the engine's admin module through `admin` as `from` and
/// decodes its `Ok` value.
fn module_view<T: Decode>(
    op: &mut impl Operator,
    from: Account,
    engine: Account,
    message: &str,
    args: impl Encode,
) -> Result<T, String> {
    let exec = step(message, op.query(from, engine, admin_call_input(&encode_call(message, args))))?;
    let bytes: Result<Vec<u8>, EngineError> = step(message, decode_output(message, &exec))?;
    step(message, T::decode(&mut &step(message, bytes)?[..]))
}

/// Sends a raw admin-module call (`selector ++ SCALE arguments`, e.g. from `cargo contract
/// encode` with the admin module's metadata) through the engine's `admin` as `from`. The engine
/// answers `Result<Vec<u8>, EngineError>`, the bytes being the admin message's `Ok` value; `Err`
/// here is a chain failure or an output that does not decode.
pub fn send_admin(
    op: &mut impl Operator,
    from: Account,
    engine: Account,
    call: &[u8],
) -> Result<Result<Vec<u8>, EngineError>, String> {
    let exec = step("admin", op.send(from, engine, admin_call_input(call)))?;
    step("admin", decode_output("admin", &exec))
}

/// Sends engine admin-module `message(args)` through the engine's `admin` as `from` and decodes
/// the message's `Ok` value.
fn admin<T: Decode>(
    op: &mut impl Operator,
    from: Account,
    engine: Account,
    message: &str,
    args: impl Encode,
) -> Result<T, String> {
    let bytes = step(message, send_admin(op, from, engine, &encode_call(message, args))?)?;
    step(message, T::decode(&mut &bytes[..]))
}

/// Runs the drill (module docs); `log` receives one line per step. `Err` names the step that
/// failed or the check that did not hold.
pub fn run(
    op: &mut impl Operator,
    codes: &Codes,
    roles: Roles,
    options: DrillOptions,
    log: &mut dyn FnMut(String),
) -> Result<DrillReport, String> {
    let Roles { owner, trader, counterparty, keeper } = roles;
    let salt = options.salt.to_le_bytes().to_vec();
    let short = crate::short;

    // 1. Deploy.
    let token_code = step("upload token", op.upload(owner, &codes.token))?;
    let oracle_code = step("upload oracle", op.upload(owner, &codes.oracle))?;
    let admin_code = step("upload engine_admin", op.upload(owner, &codes.engine_admin))?;
    let engine_code = step("upload engine", op.upload(owner, &codes.engine))?;
    let token_new = encode_call("new", (Some("USD".to_string()), Some("USD".to_string()), 6u8));
    let quote = step("instantiate quote token", op.instantiate(owner, token_code, token_new, salt.clone()))?;
    let oracle = step("instantiate oracle", op.instantiate(owner, oracle_code, encode_call("new", ()), salt.clone()))?;
    let engine_new =
        encode_call("new", (oracle, quote, units("1000000000", 6), owner, ink::primitives::Hash::from(admin_code)));
    let engine = step("instantiate engine", op.instantiate(owner, engine_code, engine_new, salt))?;
    log(format!("deployed: quote {}, oracle {}, engine {}", short(&quote), short(&oracle), short(&engine)));

    // 2. Configure the oracle and the engine.
    call::<(), OracleError>(op, owner, oracle, "add_reporter", owner)?;
    for kind in [FeedKind::Price, FeedKind::Volatility] {
        let config = feed_config(kind, 1, market_config(BTC).max_spot_e18);
        call::<u32, OracleError>(op, owner, oracle, "create_feed", config)?;
    }
    submit_prices(op, owner, oracle, "60000")?;
    let market: u32 = admin(op, owner, engine, "list_market", market_config(BTC))?;
    let perp: u32 = admin(op, owner, engine, "list_instrument", (market, InstrumentKind::Linear))?;
    admin::<()>(op, owner, engine, "authorize_venue", (owner, E18 / 100, 0u128))?;
    log(format!("configured: market {market} (BTC 60,000 / 65%), linear instrument {perp}, venue {}", short(&owner)));

    // 3. Accounts, the trade and the move.
    for (who, usd) in [(trader, "61000"), (counterparty, "1000000"), (keeper, "1000000")] {
        let amount = units(usd, 6);
        call::<(), PSP22Error>(op, owner, quote, "mint", (who, amount))?;
        call::<(), PSP22Error>(op, who, quote, "PSP22::approve", (engine, amount))?;
        call::<(), EngineError>(op, who, engine, "deposit", (quote, amount))?;
        admin::<()>(op, who, engine, "approve_venue", (owner, true))?;
    }
    call::<(), EngineError>(
        op,
        owner,
        engine,
        "apply_trade",
        (trader, counterparty, perp, 10 * E18, e18("60000"), 0u128),
    )?;
    log(format!("trade: {} bought 10 BTC at 60,000 from {}", short(&trader), short(&counterparty)));
    submit_prices(op, owner, oracle, "57000")?;
    let health_before: HealthView =
        step("health", view::<Result<HealthView, EngineError>>(op, keeper, engine, "health", trader)?)?;
    log(format!(
        "BTC at 57,000: {} has equity {:.2} vs maintenance {:.2} USD (liquidatable: {})",
        short(&trader),
        margin_math::Value::from_bits(health_before.equity_bits),
        margin_math::Value::from_bits(health_before.maintenance_margin_bits),
        health_before.liquidatable
    ));
    if !health_before.liquidatable {
        return Err("the trader is not liquidatable after the move".into());
    }
    let mut report = DrillReport {
        roles,
        quote,
        oracle,
        engine,
        health_before,
        keeper_log: Vec::new(),
        taken_e18: 0,
        health_after: None,
    };
    if !options.keeper_round {
        return Ok(report);
    }

    // 4. One keeper round, checked against the engine.
    let mut bot = Keeper::new(KeeperConfig::default());
    report.keeper_log = step("keeper round", op.keeper_round(&mut bot, engine, keeper))?;
    for line in &report.keeper_log {
        log(format!("keeper: {line}"));
    }
    let slices: Vec<_> = report
        .keeper_log
        .iter()
        .filter_map(|l| match l {
            KeeperLog::Liquidated { target, slice, quantity, .. } => Some((*target, *slice, *quantity)),
            _ => None,
        })
        .collect();
    let expected = [(trader, LiquidationSlice::Position(perp), EXPECTED_TAKEN_E18)];
    if slices != expected {
        return Err(format!("the keeper round liquidated {slices:?}, expected {expected:?}"));
    }
    let after: HealthView =
        step("health", view::<Result<HealthView, EngineError>>(op, keeper, engine, "health", trader)?)?;
    if after.liquidatable {
        return Err("the trader is still liquidatable after the keeper round".into());
    }
    let held: Option<AccountData> = module_view(op, keeper, engine, "account", keeper)?;
    let taken = held.and_then(|a| a.positions.iter().find(|p| p.instrument == perp).map(|p| p.size_e18));
    if taken != Some(EXPECTED_TAKEN_E18 as i128) {
        return Err(format!("the keeper holds {taken:?} contracts, expected {EXPECTED_TAKEN_E18}"));
    }
    report.taken_e18 = EXPECTED_TAKEN_E18;
    report.health_after = Some(after);
    log(format!("drill passed: {} liquidated to the end target, no longer liquidatable", short(&trader)));
    Ok(report)
}

/// The owner (the only reporter, quorum 1) submits BTC at `btc` and 65% vol, stamped with the
/// latest block time.
fn submit_prices(op: &mut impl Operator, owner: Account, oracle: Account, btc: &str) -> Result<(), String> {
    let now = step("block time", op.now_ms())?;
    let items: Vec<(u32, u128, u64)> = vec![(2 * BTC, e18(btc), now), (2 * BTC + 1, e18("0.65"), now)];
    call::<(), OracleError>(op, owner, oracle, "submit_batch", items)
}
