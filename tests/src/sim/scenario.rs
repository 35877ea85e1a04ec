//! The scenario file (TOML): what to deploy, who holds what, and the price/volatility path with
//! per-step actions and oracle outages. Decimal amounts are strings (`"60000.5"`) so that no
//! value passes through a float; they are read into base units exactly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name (shown in the output, used for SVG file names).
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// Block time of the set-up block, ms (default 1,767,225,600,000: 2026-01-01).
    #[serde(default = "default_start")]
    pub start_ms: u64,
    /// Time between steps (blocks), ms (default 60,000).
    #[serde(default = "default_step")]
    pub step_ms: u64,
    /// The quote token.
    pub quote: Quote,
    /// Collateral tokens, each priced by a market.
    #[serde(default)]
    pub assets: Vec<Asset>,
    /// Markets (underlyings) with their risk parameters; market `i` uses oracle feeds `2i`
    /// (price) and `2i + 1` (volatility).
    pub markets: Vec<Market>,
    /// Instruments.
    pub instruments: Vec<Instrument>,
    /// Insurance fund and liquidation parameters.
    #[serde(default)]
    pub insurance: Insurance,
    /// The keeper's account.
    #[serde(default)]
    pub keeper: KeeperAccount,
    /// Accounts (or groups of identical accounts) with their initial deposits.
    pub accounts: Vec<AccountSpec>,
    /// Trades of the set-up block, after the deposits.
    #[serde(default)]
    pub trades: Vec<Trade>,
    /// A seeded random walk generating the path (optional; explicit steps then only add
    /// actions, outages or override prices at their `at` index).
    #[serde(default)]
    pub random_walk: Option<RandomWalk>,
    /// Explicit steps: prices, volatilities, outages and actions.
    #[serde(default)]
    pub steps: Vec<Step>,
}

fn default_start() -> u64 {
    1_767_225_600_000
}

fn default_step() -> u64 {
    60_000
}

/// The quote token.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    /// Symbol (how deposits name it).
    pub symbol: String,
    /// Decimals (0–24).
    pub decimals: u8,
    /// Cap of all quote deposits, whole tokens (default 10^12).
    #[serde(default = "default_quote_cap")]
    pub cap: String,
}

fn default_quote_cap() -> String {
    "1000000000000".into()
}

/// A collateral token.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    /// Symbol (how deposits name it).
    pub symbol: String,
    /// Decimals (0–24).
    pub decimals: u8,
    /// The market pricing it.
    pub market: String,
    /// Basis haircut, fraction (default 0).
    #[serde(default = "zero")]
    pub haircut: String,
    /// Deposit cap, whole tokens (default 10^9).
    #[serde(default = "default_asset_cap")]
    pub cap: String,
}

fn zero() -> String {
    "0".into()
}

fn default_asset_cap() -> String {
    "1000000000".into()
}

/// A market and its risk parameters (defaults: the example risk parameters of `params::risk`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Market {
    /// Name (how instruments, assets and paths name it).
    pub name: String,
    /// Spot of the set-up block, quote per unit.
    pub spot: String,
    /// Volatility of the set-up block (annualized fraction).
    pub vol: String,
    /// IM spot shock (default 0.10).
    #[serde(default = "d_spot_im")]
    pub spot_shock_im: String,
    /// MM spot shock (default 0.06).
    #[serde(default = "d_spot_mm")]
    pub spot_shock_mm: String,
    /// IM vol shock (default 0.20).
    #[serde(default = "d_vol_im")]
    pub vol_shock_im: String,
    /// MM vol shock (default 0.12).
    #[serde(default = "d_vol_mm")]
    pub vol_shock_mm: String,
    /// Vol floor (default 0.05).
    #[serde(default = "d_vol_floor")]
    pub vol_floor: String,
    /// Short option add-on (default 0.01).
    #[serde(default = "d_addon")]
    pub short_option_addon: String,
    /// Minimum lot, contracts (default 0.001).
    #[serde(default = "d_lot")]
    pub lot: String,
    /// Trade price band around the mark, fraction of spot (default 0.02); options apply it to
    /// their delta.
    #[serde(default = "d_band")]
    pub band: String,
    /// Option price band in vol points (default 0.05).
    #[serde(default = "d_band_vol")]
    pub band_vol: String,
    /// Option price band floor, quote per contract (default 0.01).
    #[serde(default = "d_tick")]
    pub tick: String,
    /// Largest spot the market accepts (default 10^7).
    #[serde(default = "d_max_spot")]
    pub max_spot: String,
    /// Open-interest cap per instrument, contracts (default 10^9).
    #[serde(default = "d_big")]
    pub open_interest_cap: String,
    /// Per-account notional cap, quote (default 10^15).
    #[serde(default = "d_notional")]
    pub account_notional_cap: String,
    /// Engine's max oracle age, ms (default 30,000).
    #[serde(default = "d_age")]
    pub max_oracle_age_ms: u64,
}

fn d_spot_im() -> String {
    "0.10".into()
}
fn d_spot_mm() -> String {
    "0.06".into()
}
fn d_vol_im() -> String {
    "0.20".into()
}
fn d_vol_mm() -> String {
    "0.12".into()
}
fn d_vol_floor() -> String {
    "0.05".into()
}
fn d_addon() -> String {
    "0.01".into()
}
fn d_lot() -> String {
    "0.001".into()
}
fn d_band() -> String {
    "0.02".into()
}
fn d_band_vol() -> String {
    "0.05".into()
}
fn d_tick() -> String {
    "0.01".into()
}
fn d_max_spot() -> String {
    "10000000".into()
}
fn d_big() -> String {
    "1000000000".into()
}
fn d_notional() -> String {
    "1000000000000000".into()
}
fn d_age() -> u64 {
    30_000
}

/// An instrument.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Name (how trades name it).
    pub name: String,
    /// Its market.
    pub market: String,
    /// `linear`, `call` or `put`.
    pub kind: String,
    /// Option strike, quote per unit.
    #[serde(default)]
    pub strike: Option<String>,
    /// Option expiry, ms after `start_ms`.
    #[serde(default)]
    pub expiry_after_ms: Option<u64>,
}

/// Insurance fund and liquidation parameters.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Insurance {
    /// Starting balance, quote (paid in with `fund_insurance` in the set-up block).
    #[serde(default = "zero")]
    pub fund: String,
    /// Penalty per unit of MM released (default 0.5, the engine's).
    #[serde(default = "half")]
    pub penalty_rate: String,
    /// Liquidator's part of the penalty (default 0.5).
    #[serde(default = "half")]
    pub liquidator_share: String,
    /// `b` of the liquidation end target (default 0.5).
    #[serde(default = "half")]
    pub end_buffer: String,
    /// Largest fund-paid incentive per insolvent target, over all its liquidations, quote
    /// (default 0).
    #[serde(default = "zero")]
    pub insolvent_reward_cap: String,
}

fn half() -> String {
    "0.5".into()
}

impl Default for Insurance {
    fn default() -> Self {
        Insurance {
            fund: zero(),
            penalty_rate: half(),
            liquidator_share: half(),
            end_buffer: half(),
            insolvent_reward_cap: zero(),
        }
    }
}

/// The keeper's account.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeeperAccount {
    /// Quote deposited into its engine account (its margin for positions taken over).
    #[serde(default = "d_keeper")]
    pub deposit: String,
    /// Quote minted to its wallet, outside the engine (liquidations do not use it: collateral
    /// slices are paid from the margin account).
    #[serde(default = "d_keeper")]
    pub wallet: String,
}

fn d_keeper() -> String {
    "10000000".into()
}

impl Default for KeeperAccount {
    fn default() -> Self {
        KeeperAccount { deposit: d_keeper(), wallet: d_keeper() }
    }
}

/// An account, or `count` identical accounts named `name-0 … name-(count−1)`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    /// Name (a group's members are `name-i`; trades naming the group apply to each member).
    pub name: String,
    /// Number of accounts (default 1: a single account named `name`).
    #[serde(default)]
    pub count: Option<u32>,
    /// Deposits of the set-up block: symbol → whole tokens.
    #[serde(default)]
    pub deposits: BTreeMap<String, String>,
    /// Drawn in the health chart (default true; a large counterparty would flatten the others).
    #[serde(default = "yes")]
    pub chart: bool,
}

fn yes() -> bool {
    true
}

/// A trade reported by the venue.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Trade {
    /// Buyer (account or group: one trade per member).
    pub buyer: String,
    /// Seller (account or group).
    pub seller: String,
    /// Instrument name.
    pub instrument: String,
    /// Contracts.
    pub size: String,
    /// Price, quote per contract, or `mark` (spot for linear, Black-Scholes for options, at
    /// the current oracle values) — the default.
    #[serde(default = "mark")]
    pub price: String,
}

fn mark() -> String {
    "mark".into()
}

/// A deposit action.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deposit {
    /// Account (or group).
    pub account: String,
    /// Token symbol.
    pub asset: String,
    /// Whole tokens.
    pub amount: String,
}

/// A seeded random walk of every market's spot and volatility.
///
/// Per step and market, with `u`, `u'` uniform on [0, 1) from splitmix64 and
/// `z = (Σ of 12 uniforms) − 6` (Irwin–Hall, mean 0, variance 1):
/// `spot ← spot · (1 + sigma·z)`, and with probability `jump_probability` (`u < p`) also
/// `spot ← spot · (1 + jump)` and `vol ← vol + vol_jump`. All in integer 18-decimal
/// arithmetic, so a seed gives the same path on every machine.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RandomWalk {
    /// PRNG seed.
    pub seed: u64,
    /// Number of steps.
    pub steps: u32,
    /// Per-step relative spot stdev (fraction).
    pub sigma: String,
    /// Probability of a jump per step and market.
    #[serde(default = "zero")]
    pub jump_probability: String,
    /// Relative spot jump (fraction, e.g. `-0.2`).
    #[serde(default = "zero")]
    pub jump: String,
    /// Volatility added on a jump (fraction, may be negative).
    #[serde(default = "zero")]
    pub vol_jump: String,
}

/// One step (block) of the path.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Step index (1-based; default: the position in the list, 1 for the first).
    #[serde(default)]
    pub at: Option<u32>,
    /// Spots set at this step: market → quote per unit (others keep their value).
    #[serde(default)]
    pub prices: BTreeMap<String, String>,
    /// Volatilities set at this step: market → fraction.
    #[serde(default)]
    pub vols: BTreeMap<String, String>,
    /// Markets whose oracle is not updated at this step.
    #[serde(default)]
    pub outage: Vec<String>,
    /// Deposits of this step.
    #[serde(default)]
    pub deposits: Vec<Deposit>,
    /// Trades of this step.
    #[serde(default)]
    pub trades: Vec<Trade>,
}

impl Scenario {
    /// Reads a scenario from TOML text.
    pub fn parse(text: &str) -> Result<Scenario, String> {
        toml::from_str(text).map_err(|e| format!("scenario: {e}"))
    }

    /// Reads a scenario file.
    pub fn load(path: &std::path::Path) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Scenario::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Parses a decimal string into base units with `decimals` (exact; negative allowed;
/// surrounding spaces ignored): `margin_math::decimal::parse_units_signed`.
pub fn parse_units(text: &str, decimals: u32) -> Result<i128, String> {
    let places = u8::try_from(decimals).map_err(|_| format!("`{text}`: {decimals} decimals is too many"))?;
    margin_math::decimal::parse_units_signed(text.trim(), places).map_err(|e| format!("`{text}`: {e}"))
}

/// [`parse_units`] for non-negative amounts.
pub fn parse_unsigned(text: &str, decimals: u32) -> Result<u128, String> {
    let places = u8::try_from(decimals).map_err(|_| format!("`{text}`: {decimals} decimals is too many"))?;
    margin_math::decimal::parse_units(text.trim(), places).map_err(|e| format!("`{text}`: {e}"))
}

/// splitmix64 (Steele, Lea, Flood 2014): a 64-bit state advanced by the golden-ratio constant
/// and mixed by two xor-shift-multiply rounds. Small, fast and fully deterministic.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform on [0, 1) as an 18-decimal fraction: the top 60 bits scaled by 10^18 / 2^60.
    pub fn uniform_e18(&mut self) -> i128 {
        let bits = i128::from(self.next_u64() >> 4);
        (bits * 1_000_000_000_000_000_000) >> 60
    }

    /// An approximately standard normal variate (Irwin–Hall: sum of 12 uniforms minus 6),
    /// 18 decimals.
    pub fn normal_e18(&mut self) -> i128 {
        (0..12).map(|_| self.uniform_e18()).sum::<i128>() - 6_000_000_000_000_000_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_splitmix64_reference_values() {
        // The first outputs for seed 1234567, from the reference C implementation
        // (https://prng.di.unimi.it/splitmix64.c).
        let mut g = SplitMix64::new(1234567);
        assert_eq!(g.next_u64(), 6457827717110365317);
        assert_eq!(g.next_u64(), 3203168211198807973);
        assert_eq!(g.next_u64(), 9817491932198370423);
    }

    #[test]
    fn sim_parse_units_exact() {
        assert_eq!(parse_units("60000.5", 6), Ok(60_000_500_000));
        assert_eq!(parse_units("-0.35", 18), Ok(-350_000_000_000_000_000));
        assert_eq!(parse_units("7", 0), Ok(7));
        assert!(parse_units("1.25", 1).is_err());
        assert!(parse_units("1e3", 6).is_err());
        assert!(parse_unsigned("-1", 6).is_err());
    }
}
