//! The keeper's drink-sandbox backend: the real contracts in an embedded runtime (used by
//! `deltamargin simulate` and the tests). Queries run inside the sandbox's `dry_run`, so they
//! commit nothing; submits are ordinary calls.

use super::{ChainError, Executed, KeeperChain};
use crate::utils::{Account, Chain};
use deltamargin_keeper::drill::Operator;

/// A sandbox [`Chain`] seen by a keeper signing as `keeper` against `engine`.
pub struct SandboxChain<'a> {
    /// The sandbox chain.
    pub chain: &'a mut Chain,
    /// The engine contract.
    pub engine: Account,
    /// The keeper's account (origin of every call).
    pub keeper: Account,
}

impl<'a> SandboxChain<'a> {
    /// The keeper `keeper` on `chain`'s `engine`.
    pub fn new(chain: &'a mut Chain, engine: Account, keeper: Account) -> Self {
        SandboxChain { chain, engine, keeper }
    }
}

impl KeeperChain for SandboxChain<'_> {
    fn keeper(&self) -> Account {
        self.keeper
    }

    fn engine(&self) -> Account {
        self.engine
    }

    fn now_ms(&mut self) -> Result<u64, ChainError> {
        Ok(self.chain.now())
    }

    fn query(&mut self, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        Operator::query(self.chain, self.keeper, contract, input)
    }

    fn submit(&mut self, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        Operator::send(self.chain, self.keeper, contract, input)
    }
}
