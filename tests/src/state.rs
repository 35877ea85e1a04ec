//! The full observable state of a suite, captured before and after an operation so that a
//! failing operation can be shown to change nothing.

use std::fmt::Debug;

use engine::types::{AccountData, AssetConfig, Instrument, MarketConfig};
use engine::EngineError;
use ink::scale::{Decode, Encode};

use crate::suite::Suite;
use crate::utils::Account;

/// Everything a failed operation must leave untouched.
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
    /// Quote and collateral asset configurations (total deposits included).
    pub assets: Vec<Option<AssetConfig>>,
    /// Insurance fund, quote base units.
    pub insurance_fund: u128,
    /// Deficit, quote base units.
    pub deficit: u128,
    /// `balance_of` of the engine and of each actor, for every suite token.
    pub token_balances: Vec<u128>,
}

impl Suite {
    /// Captures [`State`] including the accounts of `actors` (indexed accounts are always included).
    pub fn state(&mut self, actors: &[Account]) -> State {
        let (owner, engine) = (self.owner, self.engine);
        let account_count: u32 = self.chain.call(owner, engine, "account_count", ());
        let mut ids: Vec<Account> = self.chain.call(owner, engine, "accounts", (0u32, 100u32));
        for a in actors {
            if !ids.contains(a) {
                ids.push(*a);
            }
        }
        let accounts = ids.iter().map(|&a| (a, self.account(a))).collect();
        let instrument_count: u32 = self.chain.call(owner, engine, "instrument_count", ());
        let instruments = (0..instrument_count).map(|i| self.chain.call(owner, engine, "instrument", i)).collect();
        let market_count: u32 = self.chain.call(owner, engine, "market_count", ());
        let markets = (0..market_count).map(|u| self.chain.call(owner, engine, "market", u)).collect();
        let tokens = [self.quote, self.btc, self.eth, self.idx];
        let assets = tokens.iter().map(|&t| self.chain.call(owner, engine, "asset", t)).collect();
        let insurance_fund = self.chain.call(owner, engine, "insurance_fund", ());
        let deficit = self.chain.call(owner, engine, "deficit", ());
        let mut holders = vec![engine];
        holders.extend_from_slice(actors);
        let mut token_balances = Vec::new();
        for t in tokens {
            for &h in &holders {
                token_balances.push(self.balance(t, h));
            }
        }
        State { accounts, account_count, instruments, markets, assets, insurance_fund, deficit, token_balances }
    }
}

/// Calls `message` on the engine as `origin`, asserts that it fails with exactly `expected`,
/// reverts, emits no event and leaves the full state of `actors` (and every indexed account)
/// unchanged.
pub fn assert_rejected<T: Decode + Debug + PartialEq>(
    s: &mut Suite,
    actors: &[Account],
    origin: Account,
    message: &str,
    args: impl Encode,
    expected: EngineError,
) {
    let before = s.state(actors);
    s.chain.clear_events();
    let engine = s.engine;
    let result: Result<T, EngineError> = s.chain.call(origin, engine, message, args);
    assert_eq!(result, Err(expected), "{message}");
    assert!(s.chain.last_reverted, "{message}: an Err result must revert");
    assert_eq!(s.chain.event_count(engine), 0, "{message}: a failed call emits nothing");
    assert_eq!(s.state(actors), before, "{message}: a failed call changes nothing");
}
