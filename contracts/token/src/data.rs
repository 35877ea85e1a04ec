//! The PSP22 state and its state transitions, free of the contract environment: every method
//! takes the acting account as an argument and returns the events to emit instead of emitting
//! them, so the contract module is only glue (store, call, emit).
//!
//! Invariant: the sum of all balances equals `total_supply`, which fits in a `u128`. Hence no
//! single balance can overflow when tokens move between accounts; the checked additions below
//! still return an error instead of relying on that.

use crate::events::{Approval, Transfer};
use deltamargin_interfaces::PSP22Error;
use ink::{
    prelude::{string::String, vec, vec::Vec},
    primitives::AccountId,
    storage::Mapping,
};

/// An event a state transition asks the contract to emit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PSP22Event {
    /// A PSP22 `Transfer` event.
    Transfer(Transfer),
    /// A PSP22 `Approval` event.
    Approval(Approval),
}

/// The error returned when an amount would exceed `u128::MAX` base units.
pub fn overflow_error() -> PSP22Error {
    PSP22Error::Custom(String::from("Overflow"))
}

fn transfer_event(from: Option<AccountId>, to: Option<AccountId>, value: u128) -> PSP22Event {
    PSP22Event::Transfer(Transfer { from, to, value })
}

fn approval_event(owner: AccountId, spender: AccountId, amount: u128) -> PSP22Event {
    PSP22Event::Approval(Approval { owner, spender, amount })
}

/// Balances, allowances and total supply of a PSP22 token (all amounts in base units).
///
/// Zero balances and zero allowances are removed from storage rather than stored.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct PSP22Data {
    /// Sum of all balances, base units.
    total_supply: u128,
    /// Balance per account, base units; absent means zero.
    balances: Mapping<AccountId, u128>,
    /// Allowance per (owner, spender), base units; absent means zero.
    allowances: Mapping<(AccountId, AccountId), u128>,
}

impl PSP22Data {
    /// An empty token: no balances, no allowances, supply 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Total supply, base units.
    pub fn total_supply(&self) -> u128 {
        self.total_supply
    }

    /// Balance of `owner`, base units (0 for an unknown account).
    pub fn balance_of(&self, owner: AccountId) -> u128 {
        self.balances.get(owner).unwrap_or_default()
    }

    /// Allowance `owner` granted to `spender`, base units (0 if none was granted).
    pub fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
        self.allowances.get((owner, spender)).unwrap_or_default()
    }

    /// Moves `value` base units from `caller` to `to`.
    ///
    /// A no-op without events if `caller == to` or `value == 0`. Otherwise emits `Transfer`.
    ///
    /// # Errors
    /// `InsufficientBalance` if `caller` holds less than `value`.
    pub fn transfer(&mut self, caller: AccountId, to: AccountId, value: u128) -> Result<Vec<PSP22Event>, PSP22Error> {
        if caller == to || value == 0 {
            return Ok(Vec::new());
        }
        self.move_balance(caller, to, value)?;
        Ok(vec![transfer_event(Some(caller), Some(to), value)])
    }

    /// Moves `value` base units from `from` to `to` on behalf of `caller`, spending the allowance
    /// `from` granted to `caller`.
    ///
    /// A no-op without events if `from == to` or `value == 0`. If `caller == from` no allowance
    /// is needed or spent and this is exactly [`Self::transfer`]. Otherwise emits `Transfer` and
    /// `Approval` with the decreased allowance.
    ///
    /// # Errors
    /// `InsufficientAllowance` if `caller != from` and the allowance is below `value` (checked
    /// first, as the standard requires when both conditions hold); `InsufficientBalance` if
    /// `from` holds less than `value`.
    pub fn transfer_from(
        &mut self,
        caller: AccountId,
        from: AccountId,
        to: AccountId,
        value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        if from == to || value == 0 {
            return Ok(Vec::new());
        }
        if caller == from {
            return self.transfer(caller, to, value);
        }
        let new_allowance = self.allowance(from, caller).checked_sub(value).ok_or(PSP22Error::InsufficientAllowance)?;
        self.move_balance(from, to, value)?;
        self.set_allowance(from, caller, new_allowance);
        Ok(vec![transfer_event(Some(from), Some(to), value), approval_event(from, caller, new_allowance)])
    }

    /// Sets the allowance `owner` grants `spender` to `value` base units, overwriting the
    /// previous one; emits `Approval`. A no-op without events if `owner == spender`.
    pub fn approve(
        &mut self,
        owner: AccountId,
        spender: AccountId,
        value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        if owner == spender {
            return Ok(Vec::new());
        }
        self.set_allowance(owner, spender, value);
        Ok(vec![approval_event(owner, spender, value)])
    }

    /// Raises the allowance `owner` grants `spender` by `delta_value` base units, saturating at
    /// `u128::MAX` (as the reference implementation does); emits `Approval` with the new amount.
    /// A no-op without events if `owner == spender` or `delta_value == 0`.
    pub fn increase_allowance(
        &mut self,
        owner: AccountId,
        spender: AccountId,
        delta_value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        if owner == spender || delta_value == 0 {
            return Ok(Vec::new());
        }
        let amount = self.allowance(owner, spender).saturating_add(delta_value);
        self.set_allowance(owner, spender, amount);
        Ok(vec![approval_event(owner, spender, amount)])
    }

    /// Lowers the allowance `owner` grants `spender` by `delta_value` base units; emits
    /// `Approval` with the new amount. A no-op without events if `owner == spender` or
    /// `delta_value == 0`.
    ///
    /// # Errors
    /// `InsufficientAllowance` if the allowance is below `delta_value`.
    pub fn decrease_allowance(
        &mut self,
        owner: AccountId,
        spender: AccountId,
        delta_value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        if owner == spender || delta_value == 0 {
            return Ok(Vec::new());
        }
        let amount =
            self.allowance(owner, spender).checked_sub(delta_value).ok_or(PSP22Error::InsufficientAllowance)?;
        self.set_allowance(owner, spender, amount);
        Ok(vec![approval_event(owner, spender, amount)])
    }

    /// Creates `value` new base units on `to`; emits `Transfer` with `from == None`. A no-op
    /// without events if `value == 0`.
    ///
    /// # Errors
    /// `Custom("Overflow")` if the total supply would exceed `u128::MAX`.
    pub fn mint(&mut self, to: AccountId, value: u128) -> Result<Vec<PSP22Event>, PSP22Error> {
        if value == 0 {
            return Ok(Vec::new());
        }
        let total_supply = self.total_supply.checked_add(value).ok_or_else(overflow_error)?;
        let balance = self.balance_of(to).checked_add(value).ok_or_else(overflow_error)?;
        self.total_supply = total_supply;
        self.set_balance(to, balance);
        Ok(vec![transfer_event(None, Some(to), value)])
    }

    /// Debits `from` and credits `to` (`from != to`), writing nothing unless both succeed.
    fn move_balance(&mut self, from: AccountId, to: AccountId, value: u128) -> Result<(), PSP22Error> {
        let from_balance = self.balance_of(from).checked_sub(value).ok_or(PSP22Error::InsufficientBalance)?;
        let to_balance = self.balance_of(to).checked_add(value).ok_or_else(overflow_error)?;
        self.set_balance(from, from_balance);
        self.set_balance(to, to_balance);
        Ok(())
    }

    fn set_balance(&mut self, owner: AccountId, balance: u128) {
        if balance == 0 {
            self.balances.remove(owner);
        } else {
            self.balances.insert(owner, &balance);
        }
    }

    fn set_allowance(&mut self, owner: AccountId, spender: AccountId, amount: u128) {
        if amount == 0 {
            self.allowances.remove((owner, spender));
        } else {
            self.allowances.insert((owner, spender), &amount);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    #[ink::test]
    fn failed_transfer_from_changes_nothing() {
        let (alice, bob, charlie) = (account(1), account(2), account(3));
        let mut data = PSP22Data::new();
        data.mint(alice, 100).unwrap();
        data.approve(alice, bob, 500).unwrap();

        // Enough allowance but not enough balance: the allowance must not be spent.
        assert_eq!(data.transfer_from(bob, alice, charlie, 101), Err(PSP22Error::InsufficientBalance));
        assert_eq!(data.allowance(alice, bob), 500);
        assert_eq!(data.balance_of(alice), 100);
        assert_eq!(data.balance_of(charlie), 0);
    }

    #[ink::test]
    fn zero_amounts_are_not_stored() {
        let (alice, bob) = (account(1), account(2));
        let mut data = PSP22Data::new();
        data.mint(alice, 7).unwrap();
        data.approve(alice, bob, 3).unwrap();
        data.transfer(alice, bob, 7).unwrap();
        data.approve(alice, bob, 0).unwrap();
        assert!(data.balances.get(alice).is_none());
        assert!(data.allowances.get((alice, bob)).is_none());
        assert_eq!(data.balance_of(bob), 7);
    }

    #[ink::test]
    fn methods_return_events_in_order() {
        let (alice, bob, charlie) = (account(1), account(2), account(3));
        let mut data = PSP22Data::new();
        assert_eq!(data.mint(alice, 10).unwrap(), vec![transfer_event(None, Some(alice), 10)]);
        data.approve(alice, bob, 6).unwrap();
        assert_eq!(
            data.transfer_from(bob, alice, charlie, 4).unwrap(),
            vec![transfer_event(Some(alice), Some(charlie), 4), approval_event(alice, bob, 2)]
        );
        assert_eq!(data.total_supply(), 10);
    }
}
