//! The replay: the path is expanded step by step, each step one block — set the time, the
//! reporters submit the step's prices and volatilities (except for markets in outage), the
//! step's deposits and trades, one keeper round (`Keeper::run_once` on the sandbox backend),
//! then conservation (`docs/contracts.md`) on the whole state and the record of the block.

use std::collections::BTreeMap;

use engine::events::{BadDebtRecognized, Liquidated};
use engine::types::{HealthView, LiquidationSlice};
use serde::Serialize;

use super::scenario::{parse_units, parse_unsigned, Deposit, Scenario, SplitMix64, Trade};
use super::world::{ActionResult, GasStat, MarketState, World, E18};
use crate::conservation;
use crate::keeper::sandbox::SandboxChain;
use crate::keeper::{Keeper, KeeperConfig, KeeperLog};

/// Largest quote rounding dust (base units) conservation accepts: the engine rounds in its own
/// favour by at most a base unit per fill; the simulator allows one per account and call.
const MAX_DUST_PER_ACCOUNT: u128 = 64;

/// One account's health at a step (decimal strings in quote whole units, 6 places).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AccountRow {
    /// Scenario name.
    pub name: String,
    /// Equity, quote.
    pub equity: String,
    /// Initial margin, quote.
    pub initial_margin: String,
    /// Maintenance margin, quote.
    pub maintenance_margin: String,
    /// `equity − MM`, quote.
    pub health: String,
    /// Health view's `liquidatable`.
    pub liquidatable: bool,
    /// Health could not be computed because a market it holds is stale.
    pub stale: bool,
    /// The account holds nothing (no row values).
    pub empty: bool,
    /// `health` as a float, for charts.
    #[serde(skip)]
    pub health_f64: f64,
}

/// One liquidation call (from the engine's `Liquidated` event).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LiquidationRecord {
    /// Target account name.
    pub target: String,
    /// Liquidator name.
    pub liquidator: String,
    /// `position <instrument id>` or `collateral <symbol>`.
    pub slice: String,
    /// Quantity (contracts e18 or collateral base units).
    pub quantity: u128,
    /// Mark, 18 decimals.
    pub price_e18: u128,
    /// Penalty taken from the target, quote base units.
    pub penalty: u128,
    /// Paid to the liquidator, quote base units.
    pub liquidator_reward: u128,
    /// Penalty share to the fund, quote base units.
    pub fund_share: u128,
    /// Incentive the fund paid (insolvent target): `reward + fund_share − penalty`.
    pub fund_paid: u128,
    /// Bad debt recognized, quote base units.
    pub bad_debt: u128,
    /// Target's health before the call, quote (6 places).
    pub health_before: String,
    /// `health_before` as a float, for charts.
    #[serde(skip)]
    pub health_before_f64: f64,
}

/// A `BadDebtRecognized` event.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BadDebtRecord {
    /// Account name.
    pub account: String,
    /// Bad debt, quote base units.
    pub bad_debt: u128,
    /// Covered by the fund.
    pub fund_cover: u128,
    /// Added to the deficit.
    pub deficit_increase: u128,
}

/// One block.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    /// Step (0: the set-up block).
    pub step: u32,
    /// Block time, ms.
    pub time_ms: u64,
    /// Path spot per market, 18 decimals.
    pub spots_e18: Vec<u128>,
    /// Path volatility per market, 18 decimals.
    pub vols_e18: Vec<u128>,
    /// Markets whose oracle was not updated this step.
    pub outage: Vec<String>,
    /// Markets the engine considers fresh after the block.
    pub fresh: Vec<bool>,
    /// Every scenario account's health after the block.
    pub accounts: Vec<AccountRow>,
    /// Deposits and trades of the step.
    pub actions: Vec<ActionResult>,
    /// Liquidations of the block.
    pub liquidations: Vec<LiquidationRecord>,
    /// Bad debt recognized in the block.
    pub bad_debts: Vec<BadDebtRecord>,
    /// The keeper's log lines of the block.
    pub keeper_log: Vec<String>,
    /// Insurance fund after the block, quote base units.
    pub insurance_fund: u128,
    /// Deficit after the block, quote base units.
    pub deficit: u128,
    /// Conservation after the block: `None` if it holds, else what failed.
    pub conservation_error: Option<String>,
    /// Fund/deficit movement of the block equals what its events say.
    pub fund_identity_holds: bool,
}

/// The totals of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Liquidation calls per target account (every scenario account listed, 0 if none).
    pub liquidations_per_account: BTreeMap<String, u32>,
    /// Accounts holding nothing at the end.
    pub emptied_accounts: Vec<String>,
    /// Rewards paid to the keeper, quote base units.
    pub keeper_rewards: u128,
    /// Σ penalties, quote base units.
    pub penalties: u128,
    /// Σ penalty shares credited to the fund, quote base units.
    pub fund_shares: u128,
    /// Σ incentives paid by the fund for insolvent targets, quote base units.
    pub fund_paid_incentives: u128,
    /// Σ bad debt recognized, quote base units.
    pub bad_debt: u128,
    /// Fund after set-up, quote base units.
    pub starting_fund: u128,
    /// Final fund, quote base units.
    pub final_fund: u128,
    /// Final deficit, quote base units.
    pub final_deficit: u128,
    /// `final_fund − final_deficit = starting_fund + fund_shares − fund_paid_incentives −
    /// bad_debt` (the engine's whole insurance arithmetic; no fund_insurance / cover_deficit
    /// calls in scenarios) and every block's own movement matched its events.
    pub fund_identity_holds: bool,
    /// Blocks where conservation failed.
    pub conservation_failures: u32,
    /// Failed actions.
    pub failed_actions: u32,
    /// Gas per message kind.
    pub gas: BTreeMap<String, GasStat>,
}

/// Everything a run produced.
#[derive(Debug, Clone, Serialize)]
pub struct SimResult {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Market names.
    pub markets: Vec<String>,
    /// Account names.
    pub accounts: Vec<String>,
    /// Whether each account is drawn in the health chart.
    pub charted: Vec<bool>,
    /// Collateral tokens: symbol and decimals.
    pub assets: Vec<(String, u8)>,
    /// Quote symbol.
    pub quote: String,
    /// Quote decimals.
    pub quote_decimals: u8,
    /// Blocks, the set-up block first.
    pub steps: Vec<StepRecord>,
    /// Totals.
    pub summary: Summary,
}

/// One step of the expanded path.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Spot per market, 18 decimals.
    pub spots: Vec<u128>,
    /// Volatility per market, 18 decimals.
    pub vols: Vec<u128>,
    /// Markets not updated.
    pub outage: Vec<usize>,
    /// Deposits.
    pub deposits: Vec<Deposit>,
    /// Trades.
    pub trades: Vec<Trade>,
}

/// Expands the path: one plan per step 1..=N (the random walk's, then explicit steps applied
/// at their index).
pub fn plan(scenario: &Scenario, markets: &[MarketState]) -> Result<Vec<Plan>, String> {
    let index = |name: &str| markets.iter().position(|m| m.name == name).ok_or(format!("unknown market `{name}`"));
    let spot_path = markets;
    let markets = spot_path.len();
    let mut n = scenario.random_walk.as_ref().map_or(0, |w| w.steps);
    for (i, s) in scenario.steps.iter().enumerate() {
        let at = s.at.unwrap_or(i as u32 + 1);
        if at == 0 {
            return Err("steps are numbered from 1 (0 is the set-up block)".into());
        }
        n = n.max(at);
    }
    let mut plans = vec![Plan::default(); n as usize];
    let mut spots: Vec<u128> = spot_path.iter().map(|m| m.spot_e18).collect();
    let mut vols: Vec<u128> = spot_path.iter().map(|m| m.vol_e18).collect();
    let e18 = E18 as i128;
    // Random values first (so explicit prices override them).
    let mut walk: Vec<Option<(Vec<i128>, Vec<bool>)>> = vec![None; n as usize];
    if let Some(w) = &scenario.random_walk {
        let mut rng = SplitMix64::new(w.seed);
        let sigma = parse_units(&w.sigma, 18)?;
        let p = parse_units(&w.jump_probability, 18)?;
        for slot in walk.iter_mut().take(w.steps as usize) {
            let mut moves = Vec::with_capacity(markets);
            let mut jumps = Vec::with_capacity(markets);
            for _ in 0..markets {
                moves.push(rng.normal_e18() * sigma / e18);
                jumps.push(rng.uniform_e18() < p);
            }
            *slot = Some((moves, jumps));
        }
    }
    let (jump, vol_jump) = match &scenario.random_walk {
        Some(w) => (parse_units(&w.jump, 18)?, parse_units(&w.vol_jump, 18)?),
        None => (0, 0),
    };
    let mut explicit: BTreeMap<u32, Vec<&super::scenario::Step>> = BTreeMap::new();
    for (i, s) in scenario.steps.iter().enumerate() {
        explicit.entry(s.at.unwrap_or(i as u32 + 1)).or_default().push(s);
    }
    for k in 1..=n {
        let plan = &mut plans[(k - 1) as usize];
        if let Some((moves, jumps)) = &walk[(k - 1) as usize] {
            for u in 0..markets {
                // s·(1 + r) as s + (s / 10^9)·(r / 10^9): no overflow for any listed spot.
                let grow = |s: i128, r: i128| s + (s / 1_000_000_000) * (r / 1_000_000_000);
                let mut s = grow(spots[u] as i128, moves[u]);
                let mut v = vols[u] as i128;
                if jumps[u] {
                    s = grow(s, jump);
                    v += vol_jump;
                }
                spots[u] = s.max(1) as u128;
                vols[u] = v.max(e18 / 100) as u128;
            }
        }
        for s in explicit.get(&k).into_iter().flatten() {
            for (name, value) in &s.prices {
                spots[index(name)?] = parse_unsigned(value, 18)?;
            }
            for (name, value) in &s.vols {
                vols[index(name)?] = parse_unsigned(value, 18)?;
            }
            for name in &s.outage {
                plan.outage.push(index(name)?);
            }
            plan.deposits.extend(s.deposits.iter().cloned());
            plan.trades.extend(s.trades.iter().cloned());
        }
        plan.spots = spots.clone();
        plan.vols = vols.clone();
    }
    Ok(plans)
}

/// Runs `scenario`; `on_step(done, total)` is called after each block.
pub fn run(scenario: &Scenario, on_step: &mut dyn FnMut(u32, u32)) -> Result<SimResult, String> {
    let mut world = World::deploy(scenario)?;
    let plans = plan(scenario, &world.markets)?;
    let total = plans.len() as u32 + 1;
    let mut keeper = Keeper::new(KeeperConfig::default());
    let mut steps = Vec::new();

    // The set-up block: deployment done, the set-up trades.
    world.chain.clear_events();
    let mut actions = Vec::new();
    for t in &scenario.trades {
        actions.extend(world.trade_action(t)?);
    }
    let starting_fund: u128 =
        world.chain.call::<engine::types::EngineConfig>(world.owner, world.engine, "config", ()).insurance_fund;
    let mut fund_before = starting_fund;
    let mut deficit_before: u128 =
        world.chain.call::<engine::types::EngineConfig>(world.owner, world.engine, "config", ()).deficit;
    steps.push(record(&mut world, 0, Vec::new(), actions, Vec::new(), (&mut fund_before, &mut deficit_before)));
    on_step(1, total);

    for (i, p) in plans.iter().enumerate() {
        let k = i as u32 + 1;
        let time = scenario.start_ms.saturating_add(u64::from(k).saturating_mul(scenario.step_ms));
        world.chain.set_time(time);
        world.chain.clear_events();
        for (u, m) in world.markets.iter_mut().enumerate() {
            (m.spot_e18, m.vol_e18) = (p.spots[u], p.vols[u]);
        }
        world.submit_prices(&p.outage)?;
        let mut actions = Vec::new();
        for d in &p.deposits {
            actions.extend(world.deposit_action(&d.account, &d.asset, &d.amount)?);
        }
        for t in &p.trades {
            actions.extend(world.trade_action(t)?);
        }
        let logs = {
            let (engine, keeper_account) = (world.engine, world.keeper);
            let mut backend = SandboxChain::new(&mut world.chain, engine, keeper_account);
            keeper.run_once(&mut backend)
        };
        let mut keeper_log = Vec::new();
        for log in &logs {
            if let KeeperLog::Liquidated { ref_time_ps, .. } = log {
                World::record(&mut world.gas, "liquidate", *ref_time_ps);
            }
            keeper_log.push(log.to_string());
        }
        steps.push(record(
            &mut world,
            k,
            p.outage.clone(),
            actions,
            keeper_log,
            (&mut fund_before, &mut deficit_before),
        ));
        on_step(k + 1, total);
    }

    let summary = summarize(&mut world, &steps, starting_fund);
    Ok(SimResult {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        markets: world.markets.iter().map(|m| m.name.clone()).collect(),
        accounts: world.accounts.iter().map(|(n, _)| n.clone()).collect(),
        charted: scenario
            .accounts
            .iter()
            .flat_map(|a| std::iter::repeat_n(a.chart, a.count.map_or(1, |n| n as usize)))
            .collect(),
        assets: world.assets.iter().map(|t| (t.symbol.clone(), t.decimals)).collect(),
        quote: world.quote.symbol.clone(),
        quote_decimals: world.quote.decimals,
        steps,
        summary,
    })
}

fn row(name: &str, view: Option<&HealthView>, stale: bool) -> AccountRow {
    let text = |bits: i128| conservation::bits_str(bits, 6);
    match view {
        Some(v) => AccountRow {
            name: name.to_string(),
            equity: text(v.equity_bits),
            initial_margin: text(v.initial_margin_bits),
            maintenance_margin: text(v.maintenance_margin_bits),
            health: text(v.health_bits),
            liquidatable: v.liquidatable,
            stale: false,
            empty: false,
            health_f64: v.health_bits as f64 / (1u64 << 48) as f64,
        },
        None => AccountRow {
            name: name.to_string(),
            equity: String::new(),
            initial_margin: String::new(),
            maintenance_margin: String::new(),
            health: String::new(),
            liquidatable: false,
            stale,
            empty: !stale,
            health_f64: f64::NAN,
        },
    }
}

/// Reads the block's events, checks conservation and the fund movement, records the block.
fn record(
    world: &mut World,
    step: u32,
    outage: Vec<usize>,
    actions: Vec<ActionResult>,
    keeper_log: Vec<String>,
    (fund_before, deficit_before): (&mut u128, &mut u128),
) -> StepRecord {
    let engine = world.engine;
    let liquidated = world.chain.events::<Liquidated>(engine);
    let bad = world.chain.events::<BadDebtRecognized>(engine);
    let liquidations: Vec<LiquidationRecord> = liquidated
        .iter()
        .map(|e| {
            let o = e.outcome;
            LiquidationRecord {
                target: world.name_of(e.target),
                liquidator: world.name_of(e.liquidator),
                slice: match e.slice {
                    LiquidationSlice::Position(id) => format!(
                        "position {}",
                        world.instruments.iter().find(|(_, v)| v.0 == id).map_or("?", |(name, _)| name.as_str())
                    ),
                    LiquidationSlice::Collateral(asset) => format!(
                        "collateral {}",
                        world.assets.iter().find(|t| t.account == asset).map_or("?", |t| t.symbol.as_str())
                    ),
                },
                quantity: e.quantity,
                price_e18: o.price_e18,
                penalty: o.penalty,
                liquidator_reward: o.liquidator_reward,
                fund_share: o.fund_share,
                fund_paid: (o.liquidator_reward + o.fund_share).saturating_sub(o.penalty),
                bad_debt: o.bad_debt,
                health_before: conservation::bits_str(o.health_before_bits, 6),
                health_before_f64: o.health_before_bits as f64 / (1u64 << 48) as f64,
            }
        })
        .collect();
    let bad_debts: Vec<BadDebtRecord> = bad
        .iter()
        .map(|e| BadDebtRecord {
            account: world.name_of(e.account),
            bad_debt: e.bad_debt,
            fund_cover: e.fund_cover,
            deficit_increase: e.deficit_increase,
        })
        .collect();
    let state = conservation::capture(world, &[]);
    let dust =
        MAX_DUST_PER_ACCOUNT.saturating_mul(u128::from(state.account_count) + 1).saturating_mul(u128::from(step) + 1);
    let checked = conservation::check_state(world, &state, dust);
    let (fund, deficit) = (state.insurance_fund, state.deficit);
    // The block's fund and deficit movement from its events alone.
    let shares: u128 = liquidations.iter().map(|l| l.fund_share).sum();
    let paid: u128 = liquidations.iter().map(|l| l.fund_paid).sum();
    let cover: u128 = bad_debts.iter().map(|b| b.fund_cover).sum();
    let increase: u128 = bad_debts.iter().map(|b| b.deficit_increase).sum();
    let balanced = bad_debts.iter().all(|b| b.fund_cover + b.deficit_increase == b.bad_debt);
    let fund_identity_holds = balanced
        && (*fund_before + shares).checked_sub(paid + cover) == Some(fund)
        && *deficit_before + increase == deficit;
    (*fund_before, *deficit_before) = (fund, deficit);

    let (accounts, fresh, conservation_error) = match checked {
        Ok(report) => {
            let rows = world
                .accounts
                .iter()
                .map(|(name, who)| row(name, report.health(*who), report.stale_accounts.contains(who)))
                .collect();
            (rows, report.fresh, None)
        }
        Err(e) => (world.accounts.iter().map(|(n, _)| row(n, None, false)).collect(), Vec::new(), Some(e)),
    };
    StepRecord {
        step,
        time_ms: world.chain.now(),
        spots_e18: world.markets.iter().map(|m| m.spot_e18).collect(),
        vols_e18: world.markets.iter().map(|m| m.vol_e18).collect(),
        outage: outage.iter().map(|&u| world.markets[u].name.clone()).collect(),
        fresh,
        accounts,
        actions,
        liquidations,
        bad_debts,
        keeper_log,
        insurance_fund: fund,
        deficit,
        conservation_error,
        fund_identity_holds,
    }
}

fn summarize(world: &mut World, steps: &[StepRecord], starting_fund: u128) -> Summary {
    let mut per_account: BTreeMap<String, u32> = world.accounts.iter().map(|(n, _)| (n.clone(), 0)).collect();
    let (mut rewards, mut penalties, mut shares, mut paid) = (0u128, 0u128, 0u128, 0u128);
    for l in steps.iter().flat_map(|s| &s.liquidations) {
        *per_account.entry(l.target.clone()).or_default() += 1;
        if l.liquidator == "keeper" {
            rewards += l.liquidator_reward;
        }
        penalties += l.penalty;
        shares += l.fund_share;
        paid += l.fund_paid;
    }
    let bad_debt: u128 = steps.iter().flat_map(|s| &s.bad_debts).map(|b| b.bad_debt).sum();
    let last = steps.last();
    let (final_fund, final_deficit) = last.map_or((0, 0), |s| (s.insurance_fund, s.deficit));
    let lhs = final_fund as i128 - final_deficit as i128;
    let rhs = starting_fund as i128 + shares as i128 - paid as i128 - bad_debt as i128;
    let emptied =
        last.map(|s| s.accounts.iter().filter(|a| a.empty).map(|a| a.name.clone()).collect()).unwrap_or_default();
    Summary {
        liquidations_per_account: per_account,
        emptied_accounts: emptied,
        keeper_rewards: rewards,
        penalties,
        fund_shares: shares,
        fund_paid_incentives: paid,
        bad_debt,
        starting_fund,
        final_fund,
        final_deficit,
        fund_identity_holds: lhs == rhs && steps.iter().skip(1).all(|s| s.fund_identity_holds),
        conservation_failures: steps.iter().filter(|s| s.conservation_error.is_some()).count() as u32,
        failed_actions: steps.iter().flat_map(|s| &s.actions).filter(|a| !a.ok).count() as u32,
        gas: world.gas.clone(),
    }
}
