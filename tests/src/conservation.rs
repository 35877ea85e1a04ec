//! Conservation (`docs/contracts.md`) on the whole engine state, as one reusable check (the random
//! sequences run it after every operation, the demo at its end):
//!
//! * each collateral token: `balance_of(engine) = Σ balances = total_deposits` (collateral only
//!   ever moves whole between accounts, so there is no rounding dust: equality is asserted);
//! * quote: `balance_of(engine) ≥ Σ cash (every indexed account, the fee account included) +
//!   insurance fund − deficit + Σ settlement cash of pinned but unsettled expired options +
//!   Σ unrealized P&L of linear positions`, with the surplus (rounding dust kept by the engine)
//!   at most a bound the caller passes; and `balance_of(engine) ≥` the engine's own quote count
//!   (`config().quote_held`, what every quote pull checks). The last term is needed: a linear position's realized
//!   profit is paid out of another holder's still unrealized loss (A buys from B at 100 and sells
//!   to C at 110: A's cash is +10 while B, short from 100, has not paid yet), so `Σ cash` alone
//!   can exceed the engine's balance. At a common price the unrealized P&L sums to the same
//!   `−Σ size·entry` whatever the price (positions sum to zero); it is computed exactly;
//! * positions of each instrument sum to zero (until its settlement price is pinned: then holders
//!   settle one by one), and its open interest is the sum of long sizes;
//! * health never fails to compute: `health(who)` is `Ok` (and self-consistent) for every
//!   account holding anything whose markets are all fresh; if one is stale the error names a
//!   stale market, `StalePrice(u)`. Every feed keeps a value: past the oracle's 60 s window the
//!   oracle serves the last quorum value with its old stamp, never none.

use std::collections::BTreeMap;

use deltamargin_interfaces::{FeedError, FeedValue};
use engine::types::{AccountData, HealthView, InstrumentKind};
use engine::EngineError;
use margin_math::liquidation::{intrinsic_e18, settlement_cash_units};

use engine::types::{AssetConfig, Instrument, MarketConfig};

use crate::utils::{Account, Chain};

/// A deployed engine with its oracle and tokens, whatever deployed it (the test suite, the
/// simulator): what [`capture`] and [`check`] read.
pub trait Deployment {
    /// The chain.
    fn chain(&mut self) -> &mut Chain;
    /// The engine's owner (origin of the read-only calls).
    fn owner(&self) -> Account;
    /// The oracle contract.
    fn oracle(&self) -> Account;
    /// The engine contract.
    fn engine(&self) -> Account;
    /// Every listed token, the quote token first.
    fn tokens(&self) -> Vec<Account>;
}

#[cfg(test)]
impl Deployment for crate::suite::Suite {
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
        vec![self.quote, self.btc, self.eth, self.idx]
    }
}

/// The full observable state of a deployment, captured before and after an operation (so that a
/// failing operation can be shown to change nothing, and conservation checked on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// Every indexed account and the listed actors' accounts.
    pub accounts: Vec<(Account, Option<AccountData>)>,
    /// Number of indexed accounts.
    pub account_count: u32,
    /// Every instrument (open interest included).
    pub instruments: Vec<Option<Instrument>>,
    /// Every market configuration.
    pub markets: Vec<Option<MarketConfig>>,
    /// Asset configurations (total deposits included), in [`Deployment::tokens`] order.
    pub assets: Vec<Option<AssetConfig>>,
    /// Insurance fund, quote base units.
    pub insurance_fund: u128,
    /// Deficit, quote base units.
    pub deficit: u128,
    /// The engine's quote count (quote taken in minus paid out), base units.
    pub quote_held: u128,
    /// `balance_of` of the engine and of each actor, for every token (token-major).
    pub token_balances: Vec<u128>,
}

/// Accounts read per `accounts(from, limit)` page.
const PAGE: u32 = 100;

/// A lookup of the engine's admin module (`market`, `asset`, `instrument`: `Result<T,
/// EngineError>`), `None` where the engine has no such item.
fn module_view<T: ink::scale::Decode>(
    chain: &mut crate::utils::Chain,
    owner: Account,
    engine: Account,
    message: &str,
    args: impl ink::scale::Encode,
) -> Option<T> {
    let value: Result<T, engine::EngineError> = chain.call(owner, engine, message, args);
    value.ok()
}

/// Captures [`State`] including the accounts of `actors` (every indexed account is included,
/// read page by page).
pub fn capture(d: &mut impl Deployment, actors: &[Account]) -> State {
    let (owner, engine, tokens) = (d.owner(), d.engine(), d.tokens());
    let chain = d.chain();
    let config: engine::types::EngineConfig = chain.call(owner, engine, "config", ());
    let account_count = config.account_count;
    let mut ids: Vec<Account> = Vec::new();
    let mut from = 0u32;
    while from < account_count {
        let page: Vec<Account> = chain.call(owner, engine, "accounts", (from, PAGE));
        if page.is_empty() {
            break;
        }
        ids.extend(page);
        from = from.saturating_add(PAGE);
    }
    for a in actors {
        if !ids.contains(a) {
            ids.push(*a);
        }
    }
    let accounts = ids.iter().map(|&a| (a, chain.call(owner, engine, "account", a))).collect();
    let instrument_count = config.instrument_count;
    let instruments = (0..instrument_count).map(|i| module_view(chain, owner, engine, "instrument", i)).collect();
    let market_count = config.market_count;
    let markets = (0..market_count).map(|u| module_view(chain, owner, engine, "market", u)).collect();
    let assets = tokens.iter().map(|&t| module_view(chain, owner, engine, "asset", t)).collect();
    let (insurance_fund, deficit, quote_held) = (config.insurance_fund, config.deficit, config.quote_held);
    let mut holders = vec![engine];
    holders.extend_from_slice(actors);
    let mut token_balances = Vec::new();
    for &t in &tokens {
        for &h in &holders {
            token_balances.push(chain.call(owner, t, "PSP22::balance_of", h));
        }
    }
    State { accounts, account_count, instruments, markets, assets, insurance_fund, deficit, quote_held, token_balances }
}

/// What a passing check saw.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// `balance_of(engine)` of quote minus what the engine owes in quote, exactly
    /// `.0 + .1 / 10^(36 − quote decimals)` base units (`.0 ≥ 0`): the rounding dust it keeps.
    pub quote_surplus: (i128, i128),
    /// The same without the linear positions' unrealized P&L (what a check of `Σ cash` alone
    /// would see; it can be negative while realized profits are others' unrealized losses).
    pub naive_quote_surplus: i128,
    /// Pinned but unsettled expired option positions counted as settled.
    pub pending_settlements: usize,
    /// Health views of the accounts whose markets were all fresh.
    pub healths: Vec<(Account, HealthView)>,
    /// Accounts holding items in a stale market (health refused with a stale-market error).
    pub stale_accounts: Vec<Account>,
    /// Markets fresh at the check (price and volatility within the engine's max age).
    pub fresh: Vec<bool>,
}

impl Report {
    /// The accounts whose health view says `liquidatable`.
    pub fn liquidatable(&self) -> Vec<Account> {
        self.healths.iter().filter(|(_, h)| h.liquidatable).map(|(a, _)| *a).collect()
    }

    /// The health view of `who`, if computed.
    pub fn health(&self, who: Account) -> Option<&HealthView> {
        self.healths.iter().find(|(a, _)| *a == who).map(|(_, h)| h)
    }
}

/// Captures the state (indexed accounts plus `actors`) and checks it; `max_surplus` bounds the
/// quote dust.
pub fn check(s: &mut impl Deployment, actors: &[Account], max_surplus: u128) -> Result<Report, String> {
    let state = capture(s, actors);
    check_state(s, &state, max_surplus)
}

/// [`check`] on a state captured just before (no operation in between).
pub fn check_state(s: &mut impl Deployment, state: &State, max_surplus: u128) -> Result<Report, String> {
    let (owner, oracle, engine) = (s.owner(), s.oracle(), s.engine());
    let now = s.chain().now();
    let tokens = s.tokens();
    // `State::token_balances` is token-major over [engine, actors…]: the engine's is the first.
    let holders = state.token_balances.len() / tokens.len();
    let engine_balance = |t: usize| state.token_balances[t * holders];
    let quote_config = state.assets[0].ok_or("quote asset not listed")?;
    let qd = quote_config.decimals;

    let accounts: Vec<(Account, &AccountData)> =
        state.accounts.iter().filter_map(|(a, d)| d.as_ref().map(|d| (*a, d))).collect();

    // ------------------------------------------------------------ collateral
    for (t, &token) in tokens.iter().enumerate().skip(1) {
        let mut sum: u128 = 0;
        for (_, data) in &accounts {
            for c in data.collateral.iter().filter(|c| c.asset == token) {
                sum = sum.checked_add(c.amount).ok_or("collateral sum overflows")?;
            }
        }
        let held = engine_balance(t);
        if held != sum {
            return Err(format!("collateral conservation (token {t}): engine holds {held}, accounts {sum}"));
        }
        let total = state.assets[t].map_or(0, |c| c.total_deposits);
        if total != sum {
            return Err(format!("collateral total_deposits (token {t}): {total}, accounts hold {sum}"));
        }
    }

    // ------------------------------------------------------------ positions and open interest
    let mut net: BTreeMap<u32, i128> = BTreeMap::new();
    let mut longs: BTreeMap<u32, u128> = BTreeMap::new();
    let mut pending: i128 = 0;
    let mut pending_settlements = 0;
    let mut settlement_prices: BTreeMap<(u32, u64), Option<u128>> = BTreeMap::new();
    for (who, data) in &accounts {
        for p in &data.positions {
            if p.size_e18 == 0 {
                return Err(format!("{who:?} stores a flat position in instrument {}", p.instrument));
            }
            let n = net.entry(p.instrument).or_default();
            *n = n.checked_add(p.size_e18).ok_or("position sum overflows")?;
            if p.size_e18 > 0 {
                let l = longs.entry(p.instrument).or_default();
                *l = l.checked_add(p.size_e18.unsigned_abs()).ok_or("long sum overflows")?;
            }
            if let InstrumentKind::Option { option_type, strike_e18, expiry_ms } = p.kind {
                if now >= expiry_ms {
                    let key = (p.underlying, expiry_ms);
                    let price = settlement_price(s, &mut settlement_prices, key);
                    if let Some(price) = price {
                        let intrinsic = intrinsic_e18(engine::account::option_kind(option_type), price, strike_e18);
                        let cash = settlement_cash_units(p.size_e18, intrinsic, qd)
                            .map_err(|e| format!("settlement cash of {who:?} in {}: {e:?}", p.instrument))?;
                        pending = pending.checked_add(cash).ok_or("pending settlement overflows")?;
                        pending_settlements += 1;
                    }
                }
            }
        }
    }
    for (id, instrument) in state.instruments.iter().enumerate() {
        let id = id as u32;
        let Some(instrument) = instrument else { return Err(format!("instrument {id} missing")) };
        // Once settlement is pinned, holders settle one by one and leave: the rest need not
        // sum to zero (what they will receive or pay is counted in the quote check below).
        let settling = match instrument.kind {
            InstrumentKind::Option { expiry_ms, .. } if now >= expiry_ms => {
                settlement_price(s, &mut settlement_prices, (instrument.underlying, expiry_ms)).is_some()
            }
            _ => false,
        };
        let n = net.get(&id).copied().unwrap_or(0);
        if n != 0 && !settling {
            return Err(format!("positions of instrument {id} sum to {n}, not 0"));
        }
        let l = longs.get(&id).copied().unwrap_or(0);
        if instrument.open_interest_e18 != l {
            return Err(format!(
                "open interest of instrument {id} is {} but longs sum to {l}",
                instrument.open_interest_e18
            ));
        }
    }
    if let Some(id) = net.keys().find(|&&id| id as usize >= state.instruments.len()) {
        return Err(format!("a position names unlisted instrument {id}"));
    }

    // ------------------------------------------------------------ quote
    // Linear P&L is zero-sum only with its unrealized part: a realized profit is another holder's
    // unrealized loss until that one closes. `Σ size·(S − entry)` over all linear positions is
    // the same at every common `S` (positions sum to zero), so it is counted at `S = 0`:
    // `−Σ size·entry`, kept exactly as `W + R/D` quote base units (`D = 10^(36 − qd)`).
    let mut cash: i128 = 0;
    let mut linear = Limbs::default();
    for (_, data) in &accounts {
        cash = cash.checked_add(data.cash).ok_or("cash sum overflows")?;
        for p in data.positions.iter().filter(|p| p.kind == InstrumentKind::Linear) {
            linear.add_product(p.size_e18, p.entry_e18)?;
        }
    }
    let (entry_whole, entry_rem, denominator) = linear.div_pow10(36 - u32::from(qd))?;
    let fund = i128::try_from(state.insurance_fund).map_err(|_| "fund overflows i128")?;
    let deficit = i128::try_from(state.deficit).map_err(|_| "deficit overflows i128")?;
    let owed_without_linear = cash
        .checked_add(fund)
        .and_then(|x| x.checked_sub(deficit))
        .and_then(|x| x.checked_add(pending))
        .ok_or("quote liabilities overflow")?;
    // The engine's own quote count is covered by its balance (what every quote pull checks).
    if engine_balance(0) < state.quote_held {
        return Err(format!("quote balance {} below the engine's quote count {}", engine_balance(0), state.quote_held));
    }
    let held = i128::try_from(engine_balance(0)).map_err(|_| "quote balance overflows i128")?;
    // Exact surplus = held − owed_without_linear − (−Σ size·entry) = surplus + entry_rem / D.
    let surplus = held
        .checked_sub(owed_without_linear)
        .and_then(|x| x.checked_add(entry_whole))
        .ok_or("quote surplus overflows")?;
    if surplus < 0 || surplus.unsigned_abs() > max_surplus {
        return Err(format!(
            "quote conservation: engine holds {held}, owes cash {cash} + fund {fund} - deficit {deficit} + pending \
             settlements {pending} + linear unrealized -({entry_whole} + {entry_rem}/{denominator}): surplus {surplus} \
             outside [0, {max_surplus}]"
        ));
    }

    // ------------------------------------------------------------ health always computes
    let markets = state.markets.len() as u32;
    let mut fresh = Vec::with_capacity(markets as usize);
    for (u, config) in state.markets.iter().enumerate() {
        let config = config.ok_or(format!("market {u} missing"))?;
        let values: Vec<Result<FeedValue, FeedError>> =
            s.chain().call(owner, oracle, "PriceOracle::read_batch", vec![config.price_feed, config.vol_feed]);
        // A feed that once had a quorum never loses its value (an outage only ages it).
        let values = values.into_iter().collect::<Result<Vec<_>, _>>();
        let values = values.map_err(|e| format!("market {u}: a feed lost its value: {e:?}"))?;
        let [price, vol] = values.as_slice() else { return Err(format!("market {u}: two feed values expected")) };
        let (_, is_fresh) = config.market_from(u as u32, price, vol, now).map_err(|e| format!("market {u}: {e:?}"))?;
        fresh.push(is_fresh);
    }
    let mut healths = Vec::new();
    let mut stale_accounts = Vec::new();
    for (who, data) in &accounts {
        if data.cash == 0 && data.collateral.is_empty() && data.positions.is_empty() {
            continue;
        }
        let mut underlyings: Vec<u32> = data.positions.iter().map(|p| p.underlying).collect();
        for c in &data.collateral {
            let t = tokens.iter().position(|&t| t == c.asset).ok_or(format!("{who:?} holds an unlisted asset"))?;
            let u = state.assets[t].and_then(|a| a.underlying).ok_or("collateral without underlying")?;
            underlyings.push(u);
        }
        let all_fresh = underlyings.iter().all(|&u| u < markets && fresh[u as usize]);
        let health: Result<HealthView, EngineError> = s.chain().call(owner, engine, "health", *who);
        match health {
            Ok(view) => {
                if !all_fresh {
                    return Err(format!("health of {who:?} computed although a market is stale: {underlyings:?}"));
                }
                let consistent = view.equity_bits.checked_sub(view.maintenance_margin_bits) == Some(view.health_bits)
                    && view.liquidatable == (view.health_bits < 0)
                    && view.maintenance_margin_bits >= 0
                    && view.initial_margin_bits >= view.maintenance_margin_bits
                    && view.now_ms == now;
                if !consistent {
                    return Err(format!("health view of {who:?} inconsistent: {view:?}"));
                }
                healths.push((*who, view));
            }
            Err(e) => {
                let stale_error = match e {
                    EngineError::StalePrice(u) => underlyings.contains(&u) && !fresh[u as usize],
                    _ => false,
                };
                if all_fresh || !stale_error {
                    return Err(format!(
                        "health of {who:?} failed to compute: {e:?} (markets {underlyings:?}, fresh {fresh:?}, data {data:?})"
                    ));
                }
                stale_accounts.push(*who);
            }
        }
    }

    Ok(Report {
        quote_surplus: (surplus, entry_rem),
        naive_quote_surplus: held - owed_without_linear,
        pending_settlements,
        healths,
        stale_accounts,
        fresh,
    })
}

/// The pinned settlement price of `key` (underlying, expiry), read once per check.
fn settlement_price(
    s: &mut impl Deployment,
    cache: &mut BTreeMap<(u32, u64), Option<u128>>,
    key: (u32, u64),
) -> Option<u128> {
    let (owner, engine) = (s.owner(), s.engine());
    *cache.entry(key).or_insert_with(|| {
        let price: Result<Option<u128>, engine::EngineError> = s.chain().call(owner, engine, "settlement_price", key);
        price.ok().flatten()
    })
}

/// A signed sum of products `size_e18 · entry_e18` (up to ~1e52) in base-1e18 limbs.
#[derive(Debug, Default, Clone, Copy)]
struct Limbs {
    /// Value `l2·1e36 + l1·1e18 + l0`, with `0 ≤ l0, l1 < 1e18` after each addition.
    l: [i128; 3],
}

impl Limbs {
    const BASE: i128 = 1_000_000_000_000_000_000;

    fn add_product(&mut self, size: i128, entry: u128) -> Result<(), String> {
        let entry = i128::try_from(entry).map_err(|_| "entry overflows i128")?;
        let (a1, a0) = (size / Self::BASE, size % Self::BASE);
        let (b1, b0) = (entry / Self::BASE, entry % Self::BASE);
        let err = || "linear entry sum overflows".to_string();
        let t1 = a1.checked_mul(b0).and_then(|x| x.checked_add(a0.checked_mul(b1)?)).ok_or_else(err)?;
        self.l[0] = self.l[0].checked_add(a0 * b0).ok_or_else(err)?;
        self.l[1] = self.l[1].checked_add(t1).ok_or_else(err)?;
        self.l[2] = self.l[2].checked_add(a1.checked_mul(b1).ok_or_else(err)?).ok_or_else(err)?;
        for i in 0..2 {
            let carry = self.l[i].div_euclid(Self::BASE);
            self.l[i] = self.l[i].rem_euclid(Self::BASE);
            self.l[i + 1] = self.l[i + 1].checked_add(carry).ok_or_else(err)?;
        }
        Ok(())
    }

    /// `value / 10^e` exactly, as `(W, R, D)` with `value / D = W + R/D`, `D = 10^e ≤ 1e36`,
    /// `0 ≤ R < D`.
    fn div_pow10(&self, e: u32) -> Result<(i128, i128, i128), String> {
        // value = l2·1e36 + low, 0 ≤ low < 1e36; D = 10^e ≤ 1e36.
        let d = 10i128.checked_pow(e).ok_or("exponent too large")?;
        let low = self.l[1] * Self::BASE + self.l[0];
        let high_units = self.l[2].checked_mul(10i128.pow(36 - e)).ok_or("linear entry sum overflows")?;
        // value / D = high_units + low / D.
        let whole = high_units.checked_add(low / d).ok_or("linear entry sum overflows")?;
        Ok((whole, low % d, d))
    }
}

/// `I80F48` bits as a decimal string with `places` decimals (rounded toward zero).
pub fn bits_str(bits: i128, places: u32) -> String {
    let sign = if bits < 0 { "-" } else { "" };
    let abs = bits.unsigned_abs();
    let int = abs >> 48;
    let frac = ((abs & ((1u128 << 48) - 1)) * 10u128.pow(places)) >> 48;
    if places == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0width$}", width = places as usize)
    }
}

/// Base units with `decimals` as a decimal string with `places` decimals (rounded toward zero).
pub fn units_str(amount: i128, decimals: u32, places: u32) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    let scale = 10u128.pow(decimals);
    let int = abs / scale;
    let frac = abs % scale;
    if places == 0 {
        return format!("{sign}{int}");
    }
    let frac =
        if places <= decimals { frac / 10u128.pow(decimals - places) } else { frac * 10u128.pow(places - decimals) };
    format!("{sign}{int}.{frac:0width$}", width = places as usize)
}
