//! The PSP22 standard's events. They live outside the contract module so that sandbox tests can
//! import and decode them.

use ink::primitives::AccountId;

/// `value` base units moved from `from` to `to`.
///
/// `from == None` is a mint, `to == None` a burn (this token never burns).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Account the tokens left (`None` for a mint).
    #[ink(topic)]
    pub from: Option<AccountId>,
    /// Account the tokens arrived at (`None` for a burn).
    #[ink(topic)]
    pub to: Option<AccountId>,
    /// Amount moved, base units.
    pub value: u128,
}

/// The allowance `owner` granted to `spender` is now `amount`.
///
/// Emitted by `approve`, `increase_allowance`, `decrease_allowance` and by `transfer_from` (which
/// decreases the allowance); `amount` is always the new total, never a delta.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// Account whose tokens may be spent.
    #[ink(topic)]
    pub owner: AccountId,
    /// Account allowed to spend them.
    #[ink(topic)]
    pub spender: AccountId,
    /// The new allowance, base units.
    pub amount: u128,
}
