#![cfg_attr(not(feature = "std"), no_std, no_main)]
//! A plain PSP22 token (standard + metadata) with an owner-gated `mint`: the collateral token of
//! the deltamargin tests.
//!
//! The logic lives in [`data::PSP22Data`], which returns the events to emit; the contract only
//! stores, calls it and emits. Events are in [`events`], outside the contract module, so sandbox
//! tests can decode them. Amounts are base units of the token (`10^decimals` per whole token).

pub mod data;
pub mod events;

pub use data::{PSP22Data, PSP22Event};
pub use events::{Approval, Transfer};

#[ink::contract]
pub mod token {
    use crate::data::{PSP22Data, PSP22Event};
    use deltamargin_interfaces::{PSP22Error, PSP22Metadata, PSP22};
    use ink::prelude::{string::String, vec::Vec};

    /// The token's state.
    #[ink(storage)]
    pub struct Token {
        /// Balances, allowances and supply.
        data: PSP22Data,
        /// Token name, if any.
        name: Option<String>,
        /// Token symbol, if any.
        symbol: Option<String>,
        /// Decimals of one whole token.
        decimals: u8,
        /// The only account allowed to mint (the deployer).
        owner: AccountId,
    }

    impl Token {
        /// A token with supply 0 whose owner (the only minter) is the caller.
        #[ink(constructor)]
        pub fn new(name: Option<String>, symbol: Option<String>, decimals: u8) -> Self {
            Self { data: PSP22Data::new(), name, symbol, decimals, owner: Self::env().caller() }
        }

        /// The account allowed to mint.
        #[ink(message)]
        pub fn owner(&self) -> AccountId {
            self.owner
        }

        /// Creates `value` base units on `to`; emits `Transfer` with `from == None` (nothing if
        /// `value == 0`).
        ///
        /// # Errors
        /// `Custom("NotOwner")` if the caller is not the owner; `Custom("Overflow")` if the total
        /// supply would exceed `u128::MAX`.
        #[ink(message)]
        pub fn mint(&mut self, to: AccountId, value: u128) -> Result<(), PSP22Error> {
            if self.env().caller() != self.owner {
                return Err(PSP22Error::Custom(String::from("NotOwner")));
            }
            let events = self.data.mint(to, value)?;
            self.emit_events(events);
            Ok(())
        }

        fn emit_events(&self, events: Vec<PSP22Event>) {
            for event in events {
                match event {
                    PSP22Event::Transfer(transfer) => self.env().emit_event(transfer),
                    PSP22Event::Approval(approval) => self.env().emit_event(approval),
                }
            }
        }
    }

    impl PSP22 for Token {
        /// Total supply, base units.
        #[ink(message)]
        fn total_supply(&self) -> u128 {
            self.data.total_supply()
        }

        /// Balance of `owner`, base units.
        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> u128 {
            self.data.balance_of(owner)
        }

        /// Allowance `owner` granted to `spender`, base units.
        #[ink(message)]
        fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
            self.data.allowance(owner, spender)
        }

        /// Moves `value` base units from the caller to `to` (`data` is ignored); see
        /// [`PSP22Data::transfer`].
        #[ink(message)]
        fn transfer(&mut self, to: AccountId, value: u128, _data: Vec<u8>) -> Result<(), PSP22Error> {
            let events = self.data.transfer(self.env().caller(), to, value)?;
            self.emit_events(events);
            Ok(())
        }

        /// Moves `value` base units from `from` to `to` with the caller's allowance (`data` is
        /// ignored); see [`PSP22Data::transfer_from`].
        #[ink(message)]
        fn transfer_from(
            &mut self,
            from: AccountId,
            to: AccountId,
            value: u128,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            let events = self.data.transfer_from(self.env().caller(), from, to, value)?;
            self.emit_events(events);
            Ok(())
        }

        /// Sets the caller's allowance for `spender` to `value` base units; see
        /// [`PSP22Data::approve`].
        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error> {
            let events = self.data.approve(self.env().caller(), spender, value)?;
            self.emit_events(events);
            Ok(())
        }

        /// Raises the caller's allowance for `spender` by `delta_value` base units (saturating);
        /// see [`PSP22Data::increase_allowance`].
        #[ink(message)]
        fn increase_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            let events = self.data.increase_allowance(self.env().caller(), spender, delta_value)?;
            self.emit_events(events);
            Ok(())
        }

        /// Lowers the caller's allowance for `spender` by `delta_value` base units; see
        /// [`PSP22Data::decrease_allowance`].
        #[ink(message)]
        fn decrease_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            let events = self.data.decrease_allowance(self.env().caller(), spender, delta_value)?;
            self.emit_events(events);
            Ok(())
        }
    }

    impl PSP22Metadata for Token {
        /// The name given at construction.
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            self.name.clone()
        }

        /// The symbol given at construction.
        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            self.symbol.clone()
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
        use crate::events::{Approval, Transfer};
        use ink::env::{
            test::{default_accounts, recorded_events, set_caller, DefaultAccounts, EmittedEvent},
            DefaultEnvironment, Event,
        };
        use ink::scale::{Decode, Encode};

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            default_accounts::<DefaultEnvironment>()
        }

        fn set_sender(account: AccountId) {
            set_caller::<DefaultEnvironment>(account);
        }

        fn custom(message: &str) -> PSP22Error {
            PSP22Error::Custom(String::from(message))
        }

        /// A token deployed by alice with `supply` minted to alice, alice calling; also returns
        /// how many events were emitted so far (pass it to `events_since`).
        fn token_with_alice_balance(supply: u128) -> (Token, usize) {
            let alice = accounts().alice;
            set_sender(alice);
            let mut token = Token::new(Some(String::from("Dollar")), Some(String::from("USD")), 6);
            token.mint(alice, supply).unwrap();
            (token, recorded_events().count())
        }

        /// Events emitted after the first `skip`.
        fn events_since(skip: usize) -> Vec<EmittedEvent> {
            recorded_events().skip(skip).collect()
        }

        /// The topic ink! publishes for an account: its 32 bytes (an encoding of at most 32
        /// bytes is used as is, zero-padded).
        fn account_topic(account: AccountId) -> Vec<u8> {
            account.encode()
        }

        /// The topic ink! publishes for an `Option` field: that of the inner value for `Some`,
        /// that of `0u8` (32 zero bytes) for `None`.
        fn optional_account_topic(account: Option<AccountId>) -> Vec<u8> {
            account.map_or_else(|| vec![0; 32], account_topic)
        }

        fn assert_transfer(event: &EmittedEvent, from: Option<AccountId>, to: Option<AccountId>, value: u128) {
            let decoded = Transfer::decode(&mut &event.data[..]).expect("not a Transfer event");
            assert_eq!(decoded.from, from);
            assert_eq!(decoded.to, to);
            assert_eq!(decoded.value, value);
            let signature = Transfer::SIGNATURE_TOPIC.unwrap().to_vec();
            assert_eq!(event.topics, vec![signature, optional_account_topic(from), optional_account_topic(to)]);
        }

        fn assert_approval(event: &EmittedEvent, owner: AccountId, spender: AccountId, amount: u128) {
            let decoded = Approval::decode(&mut &event.data[..]).expect("not an Approval event");
            assert_eq!(decoded.owner, owner);
            assert_eq!(decoded.spender, spender);
            assert_eq!(decoded.amount, amount);
            let signature = Approval::SIGNATURE_TOPIC.unwrap().to_vec();
            assert_eq!(event.topics, vec![signature, account_topic(owner), account_topic(spender)]);
        }

        // --- construction and metadata ---

        #[ink::test]
        fn constructor_sets_metadata_owner_and_zero_supply() {
            let accounts = accounts();
            set_sender(accounts.bob);
            let token = Token::new(Some(String::from("Dollar")), None, 18);
            assert_eq!(token.token_name(), Some(String::from("Dollar")));
            assert_eq!(token.token_symbol(), None);
            assert_eq!(token.token_decimals(), 18);
            assert_eq!(token.owner(), accounts.bob);
            assert_eq!(token.total_supply(), 0);
            assert_eq!(token.balance_of(accounts.bob), 0);
            assert_eq!(recorded_events().count(), 0);
        }

        // --- mint ---

        #[ink::test]
        fn owner_mint_credits_balance_and_supply_and_emits_transfer_from_none() {
            let accounts = accounts();
            set_sender(accounts.alice);
            let mut token = Token::new(None, None, 6);
            assert_eq!(token.mint(accounts.bob, 1_000), Ok(()));
            assert_eq!(token.mint(accounts.bob, 500), Ok(()));
            assert_eq!(token.balance_of(accounts.bob), 1_500);
            assert_eq!(token.total_supply(), 1_500);
            let events = events_since(0);
            assert_eq!(events.len(), 2);
            assert_transfer(&events[0], None, Some(accounts.bob), 1_000);
            assert_transfer(&events[1], None, Some(accounts.bob), 500);
        }

        #[ink::test]
        fn non_owner_cannot_mint() {
            let accounts = accounts();
            set_sender(accounts.alice);
            let mut token = Token::new(None, None, 6);
            set_sender(accounts.bob);
            assert_eq!(token.mint(accounts.bob, 1_000), Err(custom("NotOwner")));
            assert_eq!(token.mint(accounts.bob, 0), Err(custom("NotOwner")));
            assert_eq!(token.balance_of(accounts.bob), 0);
            assert_eq!(token.total_supply(), 0);
            assert_eq!(recorded_events().count(), 0);
        }

        #[ink::test]
        fn mint_beyond_u128_max_supply_is_overflow() {
            let (mut token, emitted) = token_with_alice_balance(u128::MAX - 10);
            let bob = accounts().bob;
            assert_eq!(token.mint(bob, 11), Err(custom("Overflow")));
            assert_eq!(token.total_supply(), u128::MAX - 10);
            assert_eq!(token.balance_of(bob), 0);
            assert_eq!(token.mint(bob, 10), Ok(()));
            assert_eq!(token.total_supply(), u128::MAX);
            assert_eq!(events_since(emitted).len(), 1);
        }

        #[ink::test]
        fn mint_of_zero_is_a_silent_no_op() {
            let (mut token, emitted) = token_with_alice_balance(100);
            assert_eq!(token.mint(accounts().bob, 0), Ok(()));
            assert_eq!(token.total_supply(), 100);
            assert!(events_since(emitted).is_empty());
        }

        // --- balances and transfer ---

        #[ink::test]
        fn unknown_account_has_zero_balance_and_allowance() {
            let (token, _) = token_with_alice_balance(100);
            let accounts = accounts();
            assert_eq!(token.balance_of(accounts.django), 0);
            assert_eq!(token.allowance(accounts.alice, accounts.django), 0);
        }

        #[ink::test]
        fn transfer_moves_balance_keeps_supply_and_emits_transfer() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            assert_eq!(token.transfer(accounts.bob, 300, vec![1, 2, 3]), Ok(()));
            assert_eq!(token.balance_of(accounts.alice), 700);
            assert_eq!(token.balance_of(accounts.bob), 300);
            assert_eq!(token.total_supply(), 1_000);
            let events = events_since(emitted);
            assert_eq!(events.len(), 1);
            assert_transfer(&events[0], Some(accounts.alice), Some(accounts.bob), 300);
        }

        #[ink::test]
        fn transfer_of_whole_balance_leaves_zero() {
            let (mut token, _) = token_with_alice_balance(1_000);
            let accounts = accounts();
            assert_eq!(token.transfer(accounts.bob, 1_000, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.alice), 0);
            assert_eq!(token.balance_of(accounts.bob), 1_000);
        }

        #[ink::test]
        fn transfer_above_balance_is_insufficient_balance() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            assert_eq!(token.transfer(accounts.bob, 1_001, vec![]), Err(PSP22Error::InsufficientBalance));
            assert_eq!(token.balance_of(accounts.alice), 1_000);
            assert_eq!(token.balance_of(accounts.bob), 0);
            assert!(events_since(emitted).is_empty());
        }

        #[ink::test]
        fn transfer_of_zero_is_a_silent_no_op() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            set_sender(accounts.bob); // holds nothing
            assert_eq!(token.transfer(accounts.charlie, 0, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.charlie), 0);
            assert!(events_since(emitted).is_empty());
        }

        #[ink::test]
        fn transfer_to_self_is_a_silent_no_op_even_above_balance() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let alice = accounts().alice;
            assert_eq!(token.transfer(alice, 500, vec![]), Ok(()));
            assert_eq!(token.transfer(alice, 5_000, vec![]), Ok(()));
            assert_eq!(token.balance_of(alice), 1_000);
            assert!(events_since(emitted).is_empty());
        }

        // --- approve, increase_allowance, decrease_allowance ---

        #[ink::test]
        fn approve_sets_and_overwrites_allowance_and_emits_approval() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            assert_eq!(token.approve(accounts.bob, 300), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 300);
            assert_eq!(token.approve(accounts.bob, 50), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 50);
            assert_eq!(token.approve(accounts.bob, 0), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 0);
            // Approving more than the balance is allowed.
            assert_eq!(token.approve(accounts.bob, 5_000), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 5_000);
            // The allowance is directional.
            assert_eq!(token.allowance(accounts.bob, accounts.alice), 0);
            let events = events_since(emitted);
            assert_eq!(events.len(), 4);
            assert_approval(&events[0], accounts.alice, accounts.bob, 300);
            assert_approval(&events[1], accounts.alice, accounts.bob, 50);
            assert_approval(&events[2], accounts.alice, accounts.bob, 0);
            assert_approval(&events[3], accounts.alice, accounts.bob, 5_000);
        }

        #[ink::test]
        fn approve_to_self_is_a_silent_no_op() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let alice = accounts().alice;
            assert_eq!(token.approve(alice, 300), Ok(()));
            assert_eq!(token.allowance(alice, alice), 0);
            assert!(events_since(emitted).is_empty());
        }

        #[ink::test]
        fn increase_allowance_adds_and_emits_new_total() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            assert_eq!(token.increase_allowance(accounts.bob, 100), Ok(()));
            assert_eq!(token.increase_allowance(accounts.bob, 50), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 150);
            let events = events_since(emitted);
            assert_eq!(events.len(), 2);
            assert_approval(&events[0], accounts.alice, accounts.bob, 100);
            assert_approval(&events[1], accounts.alice, accounts.bob, 150);
        }

        #[ink::test]
        fn increase_allowance_saturates_at_u128_max() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            assert_eq!(token.approve(accounts.bob, u128::MAX - 1), Ok(()));
            assert_eq!(token.increase_allowance(accounts.bob, 10), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), u128::MAX);
            let events = events_since(emitted);
            assert_eq!(events.len(), 2);
            assert_approval(&events[1], accounts.alice, accounts.bob, u128::MAX);
        }

        #[ink::test]
        fn increase_allowance_by_zero_or_to_self_is_a_silent_no_op() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            assert_eq!(token.increase_allowance(accounts.bob, 0), Ok(()));
            assert_eq!(token.increase_allowance(accounts.alice, 10), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 0);
            assert_eq!(token.allowance(accounts.alice, accounts.alice), 0);
            assert!(events_since(emitted).is_empty());
        }

        #[ink::test]
        fn decrease_allowance_subtracts_and_emits_new_total() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            token.approve(accounts.bob, 100).unwrap();
            assert_eq!(token.decrease_allowance(accounts.bob, 30), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 70);
            assert_eq!(token.decrease_allowance(accounts.bob, 70), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 0);
            let events = events_since(emitted);
            assert_eq!(events.len(), 3);
            assert_approval(&events[1], accounts.alice, accounts.bob, 70);
            assert_approval(&events[2], accounts.alice, accounts.bob, 0);
        }

        #[ink::test]
        fn decrease_allowance_below_zero_is_insufficient_allowance() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            token.approve(accounts.bob, 100).unwrap();
            assert_eq!(token.decrease_allowance(accounts.bob, 101), Err(PSP22Error::InsufficientAllowance));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 100);
            assert_eq!(token.decrease_allowance(accounts.charlie, 1), Err(PSP22Error::InsufficientAllowance));
            assert_eq!(events_since(emitted).len(), 1); // only the approve
        }

        #[ink::test]
        fn decrease_allowance_by_zero_or_to_self_is_a_silent_no_op() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            assert_eq!(token.decrease_allowance(accounts.bob, 0), Ok(()));
            assert_eq!(token.decrease_allowance(accounts.alice, 10), Ok(()));
            assert!(events_since(emitted).is_empty());
        }

        // --- transfer_from ---

        #[ink::test]
        fn transfer_from_moves_balance_spends_allowance_and_emits_transfer_and_approval() {
            let (mut token, _) = token_with_alice_balance(1_000);
            let accounts = accounts();
            token.approve(accounts.bob, 400).unwrap();
            let emitted = recorded_events().count();
            set_sender(accounts.bob);
            assert_eq!(token.transfer_from(accounts.alice, accounts.charlie, 150, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.alice), 850);
            assert_eq!(token.balance_of(accounts.charlie), 150);
            assert_eq!(token.balance_of(accounts.bob), 0);
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 250);
            assert_eq!(token.total_supply(), 1_000);
            let events = events_since(emitted);
            assert_eq!(events.len(), 2);
            assert_transfer(&events[0], Some(accounts.alice), Some(accounts.charlie), 150);
            assert_approval(&events[1], accounts.alice, accounts.bob, 250);
        }

        #[ink::test]
        fn transfer_from_of_whole_allowance_leaves_zero_allowance() {
            let (mut token, _) = token_with_alice_balance(1_000);
            let accounts = accounts();
            token.approve(accounts.bob, 400).unwrap();
            set_sender(accounts.bob);
            assert_eq!(token.transfer_from(accounts.alice, accounts.bob, 400, vec![]), Ok(()));
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 0);
            assert_eq!(token.balance_of(accounts.bob), 400);
            assert_eq!(
                token.transfer_from(accounts.alice, accounts.bob, 1, vec![]),
                Err(PSP22Error::InsufficientAllowance)
            );
        }

        #[ink::test]
        fn transfer_from_above_allowance_is_insufficient_allowance() {
            let (mut token, _) = token_with_alice_balance(1_000);
            let accounts = accounts();
            token.approve(accounts.bob, 100).unwrap();
            let emitted = recorded_events().count();
            set_sender(accounts.bob);
            assert_eq!(
                token.transfer_from(accounts.alice, accounts.charlie, 101, vec![]),
                Err(PSP22Error::InsufficientAllowance)
            );
            assert_eq!(token.balance_of(accounts.alice), 1_000);
            assert_eq!(token.balance_of(accounts.charlie), 0);
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 100);
            assert!(events_since(emitted).is_empty());
        }

        #[ink::test]
        fn transfer_from_above_balance_is_insufficient_balance() {
            let (mut token, _) = token_with_alice_balance(1_000);
            let accounts = accounts();
            token.approve(accounts.bob, 5_000).unwrap();
            let emitted = recorded_events().count();
            set_sender(accounts.bob);
            assert_eq!(
                token.transfer_from(accounts.alice, accounts.charlie, 1_001, vec![]),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(token.balance_of(accounts.alice), 1_000);
            assert_eq!(token.allowance(accounts.alice, accounts.bob), 5_000);
            assert!(events_since(emitted).is_empty());
        }

        #[ink::test]
        fn transfer_from_short_of_both_reports_insufficient_allowance() {
            let (mut token, _) = token_with_alice_balance(1_000);
            let accounts = accounts();
            token.approve(accounts.bob, 10).unwrap();
            set_sender(accounts.bob);
            assert_eq!(
                token.transfer_from(accounts.alice, accounts.charlie, 2_000, vec![]),
                Err(PSP22Error::InsufficientAllowance)
            );
        }

        #[ink::test]
        fn transfer_from_by_the_owner_needs_no_allowance_and_emits_only_transfer() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            assert_eq!(token.transfer_from(accounts.alice, accounts.bob, 200, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.alice), 800);
            assert_eq!(token.balance_of(accounts.bob), 200);
            assert_eq!(token.allowance(accounts.alice, accounts.alice), 0);
            let events = events_since(emitted);
            assert_eq!(events.len(), 1);
            assert_transfer(&events[0], Some(accounts.alice), Some(accounts.bob), 200);
            assert_eq!(
                token.transfer_from(accounts.alice, accounts.bob, 801, vec![]),
                Err(PSP22Error::InsufficientBalance)
            );
        }

        #[ink::test]
        fn transfer_from_of_zero_or_to_from_is_a_silent_no_op() {
            let (mut token, emitted) = token_with_alice_balance(1_000);
            let accounts = accounts();
            set_sender(accounts.bob); // no allowance at all
            assert_eq!(token.transfer_from(accounts.alice, accounts.charlie, 0, vec![]), Ok(()));
            assert_eq!(token.transfer_from(accounts.alice, accounts.alice, 500, vec![]), Ok(()));
            assert_eq!(token.balance_of(accounts.alice), 1_000);
            assert_eq!(token.balance_of(accounts.charlie), 0);
            assert!(events_since(emitted).is_empty());
        }
    }
}
