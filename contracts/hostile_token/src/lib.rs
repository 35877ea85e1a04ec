#![cfg_attr(not(feature = "std"), no_std, no_main)]
//! A PSP22 token that misbehaves on purpose, for adversarial engine tests. Its [`Mode`] decides
//! what `transfer` and `transfer_from` do: charge a fee, do nothing, trap, call back into another
//! contract first, or behave normally. Everything else (balances, allowances, approvals, events)
//! follows the PSP22 standard. Anyone may `mint`, `set_mode` and `set_callback`: it is a test
//! token. Amounts are base units of the token.

use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use ink::scale::{Decode, Encode, Error as CodecError, Input, Output};

/// What `transfer` and `transfer_from` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[allow(clippy::cast_possible_truncation)]
pub enum Mode {
    /// A plain PSP22 token (the control case).
    Normal,
    /// The sender is debited `value`, the recipient credited `value − fee` and the fee burned
    /// (`fee = ⌊value · fee_bps / 10 000⌋`, at most `value`; `fee_bps` in basis points).
    /// Emits `Transfer` of `value − fee` to the recipient and, if `fee > 0`, `Transfer` of the
    /// fee to `None`. `transfer_from` spends the full `value` of allowance.
    FeeOnTransfer {
        /// Fee in basis points of the transferred value (10 000 = everything).
        fee_bps: u16,
    },
    /// `transfer` and `transfer_from` return `Ok(())` and change nothing (no balance, no
    /// allowance, no event), whatever the balance and allowance.
    NoOp,
    /// `transfer` and `transfer_from` trap (Wasm `unreachable`): the caller sees
    /// `CalleeTrapped`.
    TrapOnTransfer,
    /// `transfer` and `transfer_from` first call the stored callback (see `set_callback`), record
    /// its outcome, then behave like `Normal`.
    Reentrant,
}

/// `value` base units moved from `from` to `to` (`from == None`: mint, `to == None`: burn).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Account the tokens left (`None` for a mint).
    #[ink(topic)]
    pub from: Option<AccountId>,
    /// Account the tokens arrived at (`None` for a burn, such as a fee).
    #[ink(topic)]
    pub to: Option<AccountId>,
    /// Amount moved, base units.
    pub value: u128,
}

/// The allowance `owner` granted to `spender` is now `amount` base units.
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

/// Pre-encoded call arguments, written to the call input as they are (no length prefix).
struct RawArgs<'a>(&'a [u8]);

impl Encode for RawArgs<'_> {
    fn size_hint(&self) -> usize {
        self.0.len()
    }

    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(self.0);
    }
}

/// Whatever a called message returned, kept as raw bytes (it decodes any output, so a call is
/// never reported failed because its return type is unknown here).
struct RawOutput(Vec<u8>);

impl Decode for RawOutput {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        let len = input.remaining_len()?.unwrap_or(0);
        let mut bytes = ink::prelude::vec![0u8; len];
        input.read(&mut bytes)?;
        Ok(RawOutput(bytes))
    }
}

/// Stops execution with a real trap, as `Mode::TrapOnTransfer` promises.
#[cfg(target_arch = "wasm32")]
fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

/// Off-chain (unit tests) a panic is the closest thing to a Wasm trap.
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::panic)] // deliberate: this token exists to misbehave; only reached in TrapOnTransfer mode
fn trap() -> ! {
    panic!("hostile_token: TrapOnTransfer")
}

#[ink::contract]
pub mod hostile_token {
    use crate::{trap, Approval, Mode, RawArgs, RawOutput, Transfer};
    use deltamargin_interfaces::{PSP22Error, PSP22Metadata, PSP22};
    use ink::env::call::{build_call, ExecutionInput, Selector};
    use ink::env::DefaultEnvironment;
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::Mapping;

    /// Basis points in one whole (100 %).
    const BPS_ONE: u128 = 10_000;

    fn overflow() -> PSP22Error {
        PSP22Error::Custom(String::from("Overflow"))
    }

    /// The token's state.
    #[ink(storage)]
    pub struct HostileToken {
        /// Sum of all balances, base units.
        total_supply: u128,
        /// Balance per account, base units.
        balances: Mapping<AccountId, u128>,
        /// Allowance per (owner, spender), base units.
        allowances: Mapping<(AccountId, AccountId), u128>,
        /// Decimals reported by `token_decimals`.
        decimals: u8,
        /// Current behaviour of `transfer` / `transfer_from`.
        mode: Mode,
        /// Contract and raw call input used by `Mode::Reentrant`.
        callback: Option<(AccountId, Vec<u8>)>,
        /// Whether the last callback returned normally (`None`: none made yet).
        last_callback: Option<bool>,
        /// What the last callback returned, raw (see `last_callback_output`).
        last_callback_output: Vec<u8>,
    }

    impl HostileToken {
        /// An empty token (supply 0) reporting `decimals`, starting in `mode`.
        #[ink(constructor)]
        pub fn new(decimals: u8, mode: Mode) -> Self {
            Self {
                total_supply: 0,
                balances: Mapping::default(),
                allowances: Mapping::default(),
                decimals,
                mode,
                callback: None,
                last_callback: None,
                last_callback_output: Vec::new(),
            }
        }

        /// Creates `value` base units on `to` (anyone may call); emits `Transfer` from `None`.
        ///
        /// # Errors
        /// `Custom("Overflow")` if the total supply would exceed `u128::MAX`.
        #[ink(message)]
        pub fn mint(&mut self, to: AccountId, value: u128) -> Result<(), PSP22Error> {
            if value == 0 {
                return Ok(());
            }
            let total_supply = self.total_supply.checked_add(value).ok_or_else(overflow)?;
            let balance = self.balance_of_or_zero(to).checked_add(value).ok_or_else(overflow)?;
            self.total_supply = total_supply;
            self.balances.insert(to, &balance);
            self.env().emit_event(Transfer { from: None, to: Some(to), value });
            Ok(())
        }

        /// Switches the behaviour of `transfer` / `transfer_from` (anyone may call).
        #[ink(message)]
        pub fn set_mode(&mut self, mode: Mode) {
            self.mode = mode;
        }

        /// The current behaviour of `transfer` / `transfer_from`.
        #[ink(message)]
        pub fn mode(&self) -> Mode {
            self.mode
        }

        /// Stores the call `Mode::Reentrant` makes: contract `target` with raw `input`, a 4-byte
        /// message selector followed by the SCALE-encoded arguments. The call carries no value,
        /// all remaining gas and default flags (no `ALLOW_REENTRY`), so calling a contract that
        /// is already on the call stack is denied by pallet-contracts.
        #[ink(message)]
        pub fn set_callback(&mut self, target: AccountId, input: Vec<u8>) {
            self.callback = Some((target, input));
        }

        /// The stored callback: target contract and raw call input.
        #[ink(message)]
        pub fn callback(&self) -> Option<(AccountId, Vec<u8>)> {
            self.callback.clone()
        }

        /// Whether the last callback returned normally: `Some(true)` if the callee returned
        /// (`Ok(Ok(_))`, which includes an ink! message that returned `Err` and so reverted its
        /// own changes — decode `last_callback_output` to tell), `Some(false)` if it trapped,
        /// was not a contract, failed to dispatch, or the stored input was shorter than a
        /// selector; `None` if no callback was made yet. Only recorded if the surrounding
        /// transfer succeeds (a failed message reverts it). A callback pallet-contracts refuses
        /// for reentrancy never gets here: the refusal traps this token's own call.
        #[ink(message)]
        pub fn last_callback(&self) -> Option<bool> {
            self.last_callback
        }

        /// Raw SCALE bytes the last callback returned (its message's return value, e.g. an
        /// encoded `Result<(), E>`); empty if it did not return.
        #[ink(message)]
        pub fn last_callback_output(&self) -> Vec<u8> {
            self.last_callback_output.clone()
        }

        fn balance_of_or_zero(&self, owner: AccountId) -> u128 {
            self.balances.get(owner).unwrap_or_default()
        }

        fn allowance_or_zero(&self, owner: AccountId, spender: AccountId) -> u128 {
            self.allowances.get((owner, spender)).unwrap_or_default()
        }

        fn set_allowance(&mut self, owner: AccountId, spender: AccountId, amount: u128) {
            self.allowances.insert((owner, spender), &amount);
            self.env().emit_event(Approval { owner, spender, amount });
        }

        /// The mode's behaviour before any tokens move; `false` if none should move.
        fn before_move(&mut self) -> bool {
            match self.mode {
                Mode::Normal | Mode::FeeOnTransfer { .. } => true,
                Mode::NoOp => false,
                Mode::TrapOnTransfer => trap(),
                Mode::Reentrant => {
                    self.run_callback();
                    true
                }
            }
        }

        /// Makes the stored call, if any, and records its outcome.
        fn run_callback(&mut self) {
            let Some((target, input)) = self.callback.clone() else {
                return;
            };
            // An input shorter than a selector cannot be sent: recorded as a failed callback.
            let outcome = input.split_first_chunk::<4>().map(|(selector, args)| {
                build_call::<DefaultEnvironment>()
                    .call(target)
                    .exec_input(ExecutionInput::new(Selector::new(*selector)).push_arg(RawArgs(args)))
                    .returns::<RawOutput>()
                    .try_invoke()
            });
            let (returned, output) = match outcome {
                Some(Ok(Ok(RawOutput(bytes)))) => (true, bytes),
                _ => (false, Vec::new()),
            };
            self.last_callback = Some(returned);
            self.last_callback_output = output;
        }

        /// Debits `value` from `from`, credits `value − fee` to `to`, burns the fee (non-zero
        /// only in `FeeOnTransfer` mode) and emits the transfers.
        fn move_tokens(&mut self, from: AccountId, to: AccountId, value: u128) -> Result<(), PSP22Error> {
            let fee = match self.mode {
                Mode::FeeOnTransfer { fee_bps } => value
                    .checked_mul(u128::from(fee_bps))
                    .and_then(|scaled| scaled.checked_div(BPS_ONE))
                    .ok_or_else(overflow)?
                    .min(value),
                _ => 0,
            };
            let received = value.saturating_sub(fee); // fee <= value
            let from_balance =
                self.balance_of_or_zero(from).checked_sub(value).ok_or(PSP22Error::InsufficientBalance)?;
            self.balances.insert(from, &from_balance);
            let to_balance = self.balance_of_or_zero(to).checked_add(received).ok_or_else(overflow)?;
            self.balances.insert(to, &to_balance);
            self.total_supply = self.total_supply.saturating_sub(fee); // fee <= a balance <= supply
            self.env().emit_event(Transfer { from: Some(from), to: Some(to), value: received });
            if fee > 0 {
                self.env().emit_event(Transfer { from: Some(from), to: None, value: fee });
            }
            Ok(())
        }
    }

    impl PSP22 for HostileToken {
        /// Total supply, base units.
        #[ink(message)]
        fn total_supply(&self) -> u128 {
            self.total_supply
        }

        /// Balance of `owner`, base units.
        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> u128 {
            self.balance_of_or_zero(owner)
        }

        /// Allowance `owner` granted to `spender`, base units.
        #[ink(message)]
        fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
            self.allowance_or_zero(owner, spender)
        }

        /// Moves `value` base units from the caller to `to` as the [`Mode`] says; otherwise as
        /// the standard says (no-op for `value == 0` or `to == caller`, `InsufficientBalance`).
        #[ink(message)]
        fn transfer(&mut self, to: AccountId, value: u128, _data: Vec<u8>) -> Result<(), PSP22Error> {
            let caller = self.env().caller();
            if !self.before_move() || caller == to || value == 0 {
                return Ok(());
            }
            self.move_tokens(caller, to, value)
        }

        /// Moves `value` base units from `from` to `to` with the caller's allowance, as the
        /// [`Mode`] says; otherwise as the standard says (no allowance needed if the caller is
        /// `from`; `InsufficientAllowance` before `InsufficientBalance`; emits `Approval`).
        #[ink(message)]
        fn transfer_from(
            &mut self,
            from: AccountId,
            to: AccountId,
            value: u128,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            let caller = self.env().caller();
            if !self.before_move() || from == to || value == 0 {
                return Ok(());
            }
            if caller == from {
                return self.move_tokens(from, to, value);
            }
            let allowance =
                self.allowance_or_zero(from, caller).checked_sub(value).ok_or(PSP22Error::InsufficientAllowance)?;
            self.move_tokens(from, to, value)?;
            self.set_allowance(from, caller, allowance);
            Ok(())
        }

        /// Sets the caller's allowance for `spender` to `value` base units (no-op for oneself).
        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error> {
            let owner = self.env().caller();
            if owner != spender {
                self.set_allowance(owner, spender, value);
            }
            Ok(())
        }

        /// Raises the caller's allowance for `spender` by `delta_value` base units, saturating.
        #[ink(message)]
        fn increase_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            let owner = self.env().caller();
            if owner != spender && delta_value != 0 {
                let amount = self.allowance_or_zero(owner, spender).saturating_add(delta_value);
                self.set_allowance(owner, spender, amount);
            }
            Ok(())
        }

        /// Lowers the caller's allowance for `spender` by `delta_value` base units;
        /// `InsufficientAllowance` if it is smaller.
        #[ink(message)]
        fn decrease_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            let owner = self.env().caller();
            if owner != spender && delta_value != 0 {
                let amount = self
                    .allowance_or_zero(owner, spender)
                    .checked_sub(delta_value)
                    .ok_or(PSP22Error::InsufficientAllowance)?;
                self.set_allowance(owner, spender, amount);
            }
            Ok(())
        }
    }

    impl PSP22Metadata for HostileToken {
        /// Always `Some("Hostile")`.
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            Some(String::from("Hostile"))
        }

        /// Always `Some("HOSTILE")`.
        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            Some(String::from("HOSTILE"))
        }

        /// The decimals given at construction.
        #[ink(message)]
        fn token_decimals(&self) -> u8 {
            self.decimals
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::env::test::{default_accounts, recorded_events, set_caller, DefaultAccounts};
        use ink::env::Event;
        use ink::scale::{Decode, Encode};

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            default_accounts::<DefaultEnvironment>()
        }

        fn set_sender(account: AccountId) {
            set_caller::<DefaultEnvironment>(account);
        }

        /// A token in `mode` with 10 000 base units minted to alice, alice calling.
        fn token_with_alice_balance(mode: Mode) -> HostileToken {
            let alice = accounts().alice;
            set_sender(alice);
            let mut token = HostileToken::new(12, mode);
            token.mint(alice, 10_000).unwrap();
            token
        }

        /// The `Transfer` events emitted after the first `skip` events.
        fn transfers_since(skip: usize) -> Vec<Transfer> {
            let signature = <Transfer as Event>::SIGNATURE_TOPIC.unwrap().to_vec();
            recorded_events()
                .skip(skip)
                .filter(|event| event.topics.first() == Some(&signature))
                .map(|event| Transfer::decode(&mut &event.data[..]).unwrap())
                .collect()
        }

        #[ink::test]
        fn metadata_reports_constructor_decimals() {
            let token = HostileToken::new(9, Mode::Normal);
            assert_eq!(token.token_decimals(), 9);
            assert_eq!(token.token_name(), Some(String::from("Hostile")));
            assert_eq!(token.token_symbol(), Some(String::from("HOSTILE")));
            assert_eq!(token.mode(), Mode::Normal);
            assert_eq!(token.total_supply(), 0);
        }

        #[ink::test]
        fn anyone_can_mint_up_to_u128_max_supply() {
            let accounts = accounts();
            let mut token = HostileToken::new(6, Mode::NoOp);
            set_sender(accounts.eve);
            assert_eq!(token.mint(accounts.bob, u128::MAX - 1), Ok(()));
            assert_eq!(token.mint(accounts.charlie, 2), Err(overflow()));
            assert_eq!(token.mint(accounts.charlie, 1), Ok(()));
            assert_eq!(token.total_supply(), u128::MAX);
            assert_eq!(token.balance_of(accounts.bob), u128::MAX - 1);
            assert_eq!(token.balance_of(accounts.charlie), 1);
        }

        #[ink::test]
        fn normal_mode_is_a_plain_psp22_token() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::Normal);
            let emitted = recorded_events().count();
            assert_eq!(token.transfer(accounts.bob, 3_000, vec![]), Ok(()));
            assert_eq!(token.transfer(accounts.bob, 7_001, vec![]), Err(PSP22Error::InsufficientBalance));
            assert_eq!(token.transfer(accounts.alice, 99_999, vec![]), Ok(()));
            assert_eq!(token.approve(accounts.charlie, 1_000), Ok(()));
            set_sender(accounts.charlie);
            assert_eq!(
                token.transfer_from(accounts.alice, accounts.django, 1_001, vec![]),
                Err(PSP22Error::InsufficientAllowance)
            );
            assert_eq!(token.transfer_from(accounts.alice, accounts.django, 400, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.alice), 6_600);
            assert_eq!(token.balance_of(accounts.bob), 3_000);
            assert_eq!(token.balance_of(accounts.django), 400);
            assert_eq!(token.allowance(accounts.alice, accounts.charlie), 600);
            assert_eq!(token.total_supply(), 10_000);
            assert_eq!(
                transfers_since(emitted),
                vec![
                    Transfer { from: Some(accounts.alice), to: Some(accounts.bob), value: 3_000 },
                    Transfer { from: Some(accounts.alice), to: Some(accounts.django), value: 400 },
                ]
            );
        }

        #[ink::test]
        fn allowances_follow_the_standard() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::Normal);
            assert_eq!(token.approve(accounts.alice, 5), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.alice), 0);
            assert_eq!(token.increase_allowance(accounts.bob, u128::MAX), Ok(()));
            assert_eq!(token.increase_allowance(accounts.bob, 1), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), u128::MAX);
            assert_eq!(token.approve(accounts.bob, 10), Ok(()));
            assert_eq!(token.decrease_allowance(accounts.bob, 11), Err(PSP22Error::InsufficientAllowance));
            assert_eq!(token.decrease_allowance(accounts.bob, 4), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 6);
            // The owner itself needs no allowance for transfer_from.
            assert_eq!(token.transfer_from(accounts.alice, accounts.bob, 100, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.bob), 100);
        }

        #[ink::test]
        fn fee_on_transfer_delivers_value_minus_fee_and_burns_the_fee() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::FeeOnTransfer { fee_bps: 100 });
            let emitted = recorded_events().count();
            assert_eq!(token.transfer(accounts.bob, 5_000, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.alice), 5_000);
            assert_eq!(token.balance_of(accounts.bob), 4_950);
            assert_eq!(token.total_supply(), 9_950);
            assert_eq!(
                transfers_since(emitted),
                vec![
                    Transfer { from: Some(accounts.alice), to: Some(accounts.bob), value: 4_950 },
                    Transfer { from: Some(accounts.alice), to: None, value: 50 },
                ]
            );
        }

        #[ink::test]
        fn fee_on_transfer_from_spends_the_full_allowance() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::FeeOnTransfer { fee_bps: 250 });
            token.approve(accounts.bob, 4_000).unwrap();
            set_sender(accounts.bob);
            assert_eq!(token.transfer_from(accounts.alice, accounts.charlie, 4_000, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.alice), 6_000);
            assert_eq!(token.balance_of(accounts.charlie), 3_900);
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 0);
            assert_eq!(token.total_supply(), 9_900);
        }

        #[ink::test]
        fn fee_rounds_down_and_never_exceeds_the_value() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::FeeOnTransfer { fee_bps: 100 });
            assert_eq!(token.transfer(accounts.bob, 99, vec![]), Ok(())); // fee 0.99 -> 0
            assert_eq!(token.balance_of(accounts.bob), 99);
            token.set_mode(Mode::FeeOnTransfer { fee_bps: u16::MAX });
            assert_eq!(token.transfer(accounts.charlie, 1_000, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.charlie), 0);
            assert_eq!(token.balance_of(accounts.alice), 10_000 - 99 - 1_000);
            assert_eq!(token.total_supply(), 10_000 - 1_000);
            // Insufficient balance is still an error.
            assert_eq!(token.transfer(accounts.charlie, 1_000_000, vec![]), Err(PSP22Error::InsufficientBalance));
        }

        #[ink::test]
        fn no_op_mode_reports_success_but_moves_nothing() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::NoOp);
            let emitted = recorded_events().count();
            assert_eq!(token.transfer(accounts.bob, 5_000, vec![]), Ok(()));
            assert_eq!(token.transfer(accounts.bob, 50_000, vec![]), Ok(()));
            set_sender(accounts.bob); // no allowance
            assert_eq!(token.transfer_from(accounts.alice, accounts.bob, 5_000, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.alice), 10_000);
            assert_eq!(token.balance_of(accounts.bob), 0);
            assert_eq!(token.total_supply(), 10_000);
            assert_eq!(recorded_events().count(), emitted);
        }

        #[ink::test]
        #[should_panic(expected = "TrapOnTransfer")]
        fn trap_mode_traps_transfer() {
            let mut token = token_with_alice_balance(Mode::TrapOnTransfer);
            let _ = token.transfer(accounts().bob, 1, vec![]);
        }

        #[ink::test]
        #[should_panic(expected = "TrapOnTransfer")]
        fn trap_mode_traps_transfer_from() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::TrapOnTransfer);
            let _ = token.transfer_from(accounts.alice, accounts.bob, 1, vec![]);
        }

        #[ink::test]
        fn trap_mode_leaves_other_messages_working() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::TrapOnTransfer);
            assert_eq!(token.approve(accounts.bob, 7), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 7);
            token.set_mode(Mode::Normal);
            assert_eq!(token.transfer(accounts.bob, 1, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.bob), 1);
        }

        #[ink::test]
        fn reentrant_mode_without_callback_transfers_normally() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::Reentrant);
            assert_eq!(token.transfer(accounts.bob, 1_000, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.bob), 1_000);
            assert_eq!(token.last_callback(), None);
        }

        #[ink::test]
        fn set_callback_stores_target_and_raw_input() {
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::Normal);
            token.set_callback(accounts.frank, vec![1, 2, 3, 4, 42]);
            assert_eq!(token.callback(), Some((accounts.frank, vec![1, 2, 3, 4, 42])));
            // Not Reentrant: the callback is not made.
            assert_eq!(token.transfer(accounts.bob, 1, vec![]), Ok(()));
            assert_eq!(token.last_callback(), None);
        }

        #[ink::test]
        fn callback_input_shorter_than_a_selector_is_a_failed_callback() {
            // The off-chain environment cannot call contracts, so only this path (no call made)
            // is testable here; real callbacks are exercised in the sandbox tests.
            let accounts = accounts();
            let mut token = token_with_alice_balance(Mode::Reentrant);
            token.set_callback(accounts.frank, vec![1, 2, 3]);
            assert_eq!(token.transfer(accounts.bob, 1_000, vec![]), Ok(()));
            assert_eq!(token.last_callback(), Some(false));
            assert!(token.last_callback_output().is_empty());
            assert_eq!(token.balance_of(accounts.bob), 1_000);
        }

        #[ink::test]
        fn raw_args_encode_verbatim_after_the_selector() {
            let input = ExecutionInput::new(Selector::new([9, 8, 7, 6])).push_arg(RawArgs(&[1, 2, 3]));
            assert_eq!(input.encode(), vec![9, 8, 7, 6, 1, 2, 3]);
            let output = RawOutput::decode(&mut &[0u8, 1, 5][..]).unwrap();
            assert_eq!(output.0, vec![0, 1, 5]);
        }

        #[ink::test]
        fn mode_round_trips_through_scale() {
            for mode in
                [Mode::Normal, Mode::FeeOnTransfer { fee_bps: 100 }, Mode::NoOp, Mode::TrapOnTransfer, Mode::Reentrant]
            {
                assert_eq!(Mode::decode(&mut &mode.encode()[..]).unwrap(), mode);
            }
        }
    }
}
