//! Tokens on the real Wasm: the PSP22 token (transfers, allowances, events, errors, the owner's
//! mint, metadata), and hostile tokens listed as engine collateral (fee-on-transfer, no-op,
//! trapping, re-entrant) — each rejected with a typed error and no state change — plus exact
//! deposit/withdraw round trips at 0, 6, 18 and 24 decimals.

use deltamargin_interfaces::PSP22Error;
use engine::events::{Deposited, Withdrawn};
use engine::types::AssetConfig;
use engine::EngineError;
use hostile_token::Mode;
use ink::scale::{Decode, Encode};
use token::events::{Approval, Transfer};

use crate::state::State;
use crate::suite::*;
use crate::utils::{actor, selector, Account};
use crate::BundleProvider;

/// Whole-token unit of the 18-decimal hostile tokens.
fn tokens(text: &str) -> u128 {
    units(text, 18)
}

fn transfer(s: &mut Suite, token: Account, from: Account, to: Account, value: u128) -> Result<(), PSP22Error> {
    s.chain.call(from, token, "PSP22::transfer", (to, value, Vec::<u8>::new()))
}

fn transfer_from(
    s: &mut Suite,
    token: Account,
    spender: Account,
    from: Account,
    to: Account,
    value: u128,
) -> Result<(), PSP22Error> {
    s.chain.call(spender, token, "PSP22::transfer_from", (from, to, value, Vec::<u8>::new()))
}

fn approve(s: &mut Suite, token: Account, owner: Account, spender: Account, value: u128) -> Result<(), PSP22Error> {
    s.chain.call(owner, token, "PSP22::approve", (spender, value))
}

fn allowance(s: &mut Suite, token: Account, owner: Account, spender: Account) -> u128 {
    s.chain.call(s.owner, token, "PSP22::allowance", (owner, spender))
}

fn total_supply(s: &mut Suite, token: Account) -> u128 {
    s.chain.call(s.owner, token, "PSP22::total_supply", ())
}

fn deposit(s: &mut Suite, who: Account, asset: Account, amount: u128) -> Result<(), EngineError> {
    s.chain.call(who, s.engine, "deposit", (asset, amount))
}

fn withdraw(s: &mut Suite, who: Account, asset: Account, amount: u128) -> Result<(), EngineError> {
    s.chain.call(who, s.engine, "withdraw", (asset, amount))
}

fn asset(s: &mut Suite, token: Account) -> Option<AssetConfig> {
    let config: Result<AssetConfig, EngineError> = s.chain.call(s.owner, s.engine, "asset", token);
    config.ok()
}

// ------------------------------------------------------------------------------ PSP22 token

#[test]
fn psp22_transfer_moves_balances_and_emits_transfer() {
    let mut s = Suite::new();
    let (alice, bob) = (actor(10), actor(11));
    let eth = s.eth;
    s.mint(eth, alice, 1_000);

    s.chain.clear_events();
    assert_eq!(transfer(&mut s, eth, alice, bob, 300), Ok(()));
    assert_eq!((s.balance(eth, alice), s.balance(eth, bob)), (700, 300));
    assert_eq!(total_supply(&mut s, eth), 1_000);
    assert_eq!(s.chain.events::<Transfer>(eth), vec![Transfer { from: Some(alice), to: Some(bob), value: 300 }]);
    assert_eq!(s.chain.event_count(eth), 1);

    s.chain.clear_events();
    assert_eq!(transfer(&mut s, eth, alice, bob, 701), Err(PSP22Error::InsufficientBalance));
    assert_eq!((s.balance(eth, alice), s.balance(eth, bob)), (700, 300));
    assert_eq!(s.chain.event_count(eth), 0);
}

#[test]
fn psp22_transfer_from_spends_the_allowance_with_events() {
    let mut s = Suite::new();
    let (alice, bob, carol) = (actor(10), actor(11), actor(12));
    let eth = s.eth;
    s.mint(eth, alice, 1_000);

    s.chain.clear_events();
    assert_eq!(approve(&mut s, eth, alice, bob, 500), Ok(()));
    assert_eq!(s.chain.events::<Approval>(eth), vec![Approval { owner: alice, spender: bob, amount: 500 }]);
    assert_eq!(allowance(&mut s, eth, alice, bob), 500);

    s.chain.clear_events();
    assert_eq!(transfer_from(&mut s, eth, bob, alice, carol, 200), Ok(()));
    assert_eq!((s.balance(eth, alice), s.balance(eth, bob), s.balance(eth, carol)), (800, 0, 200));
    assert_eq!(allowance(&mut s, eth, alice, bob), 300);
    assert_eq!(s.chain.events::<Transfer>(eth), vec![Transfer { from: Some(alice), to: Some(carol), value: 200 }]);
    // The Approval carries the new total, not the amount spent.
    assert_eq!(s.chain.events::<Approval>(eth), vec![Approval { owner: alice, spender: bob, amount: 300 }]);

    // More than the allowance: InsufficientAllowance, nothing moves.
    s.chain.clear_events();
    assert_eq!(transfer_from(&mut s, eth, bob, alice, carol, 301), Err(PSP22Error::InsufficientAllowance));
    assert_eq!((s.balance(eth, alice), s.balance(eth, carol), allowance(&mut s, eth, alice, bob)), (800, 200, 300));
    // Allowance enough but balance short: InsufficientBalance, and the allowance is not spent.
    assert_eq!(approve(&mut s, eth, alice, bob, 5_000), Ok(()));
    s.chain.clear_events();
    assert_eq!(transfer_from(&mut s, eth, bob, alice, carol, 801), Err(PSP22Error::InsufficientBalance));
    assert_eq!((s.balance(eth, alice), s.balance(eth, carol), allowance(&mut s, eth, alice, bob)), (800, 200, 5_000));
    // Neither the allowance nor the balance suffices: the standard names the allowance first.
    assert_eq!(transfer_from(&mut s, eth, carol, alice, bob, 801), Err(PSP22Error::InsufficientAllowance));
    assert_eq!(s.chain.event_count(eth), 0);

    // decrease_allowance below zero fails; a valid decrease emits the new amount.
    let too_much: Result<(), PSP22Error> = s.chain.call(alice, eth, "PSP22::decrease_allowance", (bob, 5_001u128));
    assert_eq!(too_much, Err(PSP22Error::InsufficientAllowance));
    let decreased: Result<(), PSP22Error> = s.chain.call(alice, eth, "PSP22::decrease_allowance", (bob, 1_000u128));
    assert_eq!(decreased, Ok(()));
    assert_eq!(allowance(&mut s, eth, alice, bob), 4_000);
    assert_eq!(s.chain.events::<Approval>(eth), vec![Approval { owner: alice, spender: bob, amount: 4_000 }]);
}

#[test]
fn only_the_owner_can_mint() {
    let mut s = Suite::new();
    let (alice, mallory) = (actor(10), actor(13));
    let btc = s.btc;
    let owner: Account = s.chain.call(alice, btc, "owner", ());
    assert_eq!(owner, s.owner);

    s.chain.clear_events();
    let by_mallory: Result<(), PSP22Error> = s.chain.call(mallory, btc, "mint", (mallory, 1_000u128));
    assert_eq!(by_mallory, Err(PSP22Error::Custom("NotOwner".to_string())));
    assert_eq!((s.balance(btc, mallory), total_supply(&mut s, btc)), (0, 0));
    assert_eq!(s.chain.event_count(btc), 0);

    let by_owner: Result<(), PSP22Error> = s.chain.call(s.owner, btc, "mint", (alice, 1_000u128));
    assert_eq!(by_owner, Ok(()));
    assert_eq!((s.balance(btc, alice), total_supply(&mut s, btc)), (1_000, 1_000));
    assert_eq!(s.chain.events::<Transfer>(btc), vec![Transfer { from: None, to: Some(alice), value: 1_000 }]);
}

#[test]
fn metadata_reports_decimals_name_and_symbol() {
    let mut s = Suite::new();
    for (token, symbol, decimals) in [(s.quote, "USD", 6u8), (s.btc, "BTC", 24), (s.eth, "ETH", 18), (s.idx, "IDX", 0)]
    {
        let d: u8 = s.chain.call(s.owner, token, "PSP22Metadata::token_decimals", ());
        assert_eq!(d, decimals, "{symbol}");
        let name: Option<String> = s.chain.call(s.owner, token, "PSP22Metadata::token_name", ());
        let sym: Option<String> = s.chain.call(s.owner, token, "PSP22Metadata::token_symbol", ());
        assert_eq!((name.as_deref(), sym.as_deref()), (Some(symbol), Some(symbol)));
        // The engine read the same decimals at listing.
        assert_eq!(asset(&mut s, token).map(|a| a.decimals), Some(decimals), "{symbol}");
    }
}

// ------------------------------------------------------------------------------ hostile tokens

/// Deploys a hostile token with 18 decimals in `mode` and lists it as BTC-priced collateral with
/// a cap of one million tokens.
fn list_hostile(s: &mut Suite, mode: Mode, salt: u32) -> Account {
    let wasm = wasm(BundleProvider::HostileToken);
    let token = s.chain.deploy(&wasm, "new", (18u8, mode), s.owner, salt);
    let listed: Result<(), EngineError> =
        s.chain.call(s.owner, s.engine, "list_asset", (token, BTC, 0u128, tokens("1000000")));
    listed.expect("list hostile token");
    token
}

fn hostile_mint(s: &mut Suite, token: Account, to: Account, value: u128) {
    let minted: Result<(), PSP22Error> = s.chain.call(to, token, "mint", (to, value));
    minted.expect("hostile mint");
}

fn set_mode(s: &mut Suite, token: Account, mode: Mode) {
    s.chain.call::<()>(s.owner, token, "set_mode", mode);
}

/// Everything a rejected operation with a hostile token must leave untouched: the suite's state,
/// the token's engine listing, and the token's own balances, allowance and supply.
#[derive(Debug, PartialEq, Eq)]
struct Untouched {
    state: State,
    asset: Option<AssetConfig>,
    /// Engine balance, user balance, user's allowance for the engine, total supply.
    token: [u128; 4],
}

fn snapshot(s: &mut Suite, token: Account, user: Account) -> Untouched {
    let engine = s.engine;
    Untouched {
        state: s.state(&[user]),
        asset: asset(s, token),
        token: [
            s.balance(token, engine),
            s.balance(token, user),
            allowance(s, token, user, engine),
            total_supply(s, token),
        ],
    }
}

#[test]
fn fee_on_transfer_token_is_rejected() {
    let mut s = Suite::new();
    s.chain.set_time(T0);
    let alice = actor(10);
    let engine = s.engine;
    let token = list_hostile(&mut s, Mode::FeeOnTransfer { fee_bps: 250 }, 100);
    let amount = tokens("1000");
    hostile_mint(&mut s, token, alice, amount);
    approve(&mut s, token, alice, engine, amount).expect("approve");
    let before = snapshot(&mut s, token, alice);

    s.chain.clear_events();
    // 2.5% of 1,000 tokens is burned on the way in: 975 arrive.
    let expected = EngineError::TransferMismatch { expected: amount, received: tokens("975") };
    assert_eq!(deposit(&mut s, alice, token, amount), Err(expected));
    assert_eq!(snapshot(&mut s, token, alice), before);
    assert_eq!(s.account(alice), None);
    assert_eq!(s.chain.event_count(s.engine), 0);
    assert_eq!(s.chain.event_count(token), 0, "the token's transfer was reverted with the deposit");
}

#[test]
fn quote_pulls_keep_the_engine_balance_at_or_above_the_quote_it_accounts_for() {
    // An engine whose quote token is the hostile token (6 decimals), normal at first.
    let mut s = Suite::new();
    let alice = actor(10);
    let quote = s.chain.deploy(&wasm(BundleProvider::HostileToken), "new", (6u8, Mode::Normal), s.owner, 300);
    let engine = s.chain.deploy_engine(
        &wasm(BundleProvider::Engine),
        &wasm(BundleProvider::EngineAdmin),
        (s.oracle, quote, units("1000000", 6), s.fee_account),
        s.owner,
        301,
    );
    s.engine = engine;
    hostile_mint(&mut s, quote, alice, units("1000", 6));
    approve(&mut s, quote, alice, engine, units("1000", 6)).expect("approve");
    let cash = |s: &mut Suite| s.account(alice).map_or(0, |a| a.cash);
    assert_eq!(deposit(&mut s, alice, quote, units("100", 6)), Ok(()));
    // A donation straight to the engine never makes a pull fail: 5 USD more than accounted.
    let donated: Result<(), PSP22Error> =
        s.chain.call(alice, quote, "PSP22::transfer", (engine, units("5", 6), Vec::<u8>::new()));
    donated.expect("donation");
    assert_eq!(deposit(&mut s, alice, quote, units("100", 6)), Ok(()));
    assert_eq!(s.balance(quote, engine), units("205", 6));
    // The token starts taking 2.5% on the way in. The engine requires only that its balance
    // covers all the quote it accounts for: the donation absorbs two fees of 2.5 USD...
    set_mode(&mut s, quote, Mode::FeeOnTransfer { fee_bps: 250 });
    assert_eq!(deposit(&mut s, alice, quote, units("100", 6)), Ok(()));
    assert_eq!(deposit(&mut s, alice, quote, units("100", 6)), Ok(()));
    assert_eq!(s.balance(quote, engine), units("400", 6));
    assert_eq!(cash(&mut s), units("400", 6) as i128);
    // ...and the third would leave the engine short: rejected, nothing changed.
    let before = snapshot(&mut s, quote, alice);
    s.chain.clear_events();
    let expected = EngineError::TransferMismatch { expected: units("100", 6), received: units("97.5", 6) };
    assert_eq!(deposit(&mut s, alice, quote, units("100", 6)), Err(expected.clone()));
    assert_eq!(snapshot(&mut s, quote, alice), before);
    assert_eq!(s.chain.event_count(engine), 0);
    // Insurance funding and liquidation payments are quote pulls too.
    let funded: Result<(), EngineError> = s.chain.call(alice, engine, "fund_insurance", units("100", 6));
    assert_eq!(funded, Err(expected));
    // Withdrawals lower what the engine accounts for; a token that pays out exactly keeps
    // the two in step.
    set_mode(&mut s, quote, Mode::Normal);
    let withdrawn: Result<(), EngineError> = s.chain.call(alice, engine, "withdraw", (quote, units("400", 6)));
    assert_eq!(withdrawn, Ok(()));
    assert_eq!(s.balance(quote, engine), 0);
    assert_eq!(deposit(&mut s, alice, quote, units("10", 6)), Ok(()));
}

#[test]
fn no_op_token_is_rejected() {
    let mut s = Suite::new();
    s.chain.set_time(T0);
    let alice = actor(10);
    let engine = s.engine;
    let token = list_hostile(&mut s, Mode::NoOp, 100);
    let amount = tokens("1000");
    hostile_mint(&mut s, token, alice, amount);
    approve(&mut s, token, alice, engine, amount).expect("approve");
    let before = snapshot(&mut s, token, alice);

    s.chain.clear_events();
    let expected = EngineError::TransferMismatch { expected: amount, received: 0 };
    assert_eq!(deposit(&mut s, alice, token, amount), Err(expected));
    assert_eq!(snapshot(&mut s, token, alice), before);
    assert_eq!(s.account(alice), None);
    assert_eq!(s.chain.event_count(s.engine), 0);
}

#[test]
fn trapping_token_is_a_typed_error() {
    let mut s = Suite::new();
    s.chain.set_time(T0);
    let alice = actor(10);
    let engine = s.engine;

    // A deposit whose transfer_from traps.
    let trapping = list_hostile(&mut s, Mode::TrapOnTransfer, 100);
    let amount = tokens("1000");
    hostile_mint(&mut s, trapping, alice, amount);
    approve(&mut s, trapping, alice, engine, amount).expect("approve");
    let before = snapshot(&mut s, trapping, alice);
    s.chain.clear_events();
    assert_eq!(deposit(&mut s, alice, trapping, amount), Err(EngineError::TokenCallFailed));
    assert_eq!(snapshot(&mut s, trapping, alice), before);
    assert_eq!(s.account(alice), None);
    assert_eq!(s.chain.event_count(s.engine), 0);

    // A withdrawal whose transfer traps: a token that behaved at deposit turns hostile.
    let turncoat = list_hostile(&mut s, Mode::Normal, 101);
    hostile_mint(&mut s, turncoat, alice, amount);
    s.deposit(alice, turncoat, amount).expect("deposit while normal");
    set_mode(&mut s, turncoat, Mode::TrapOnTransfer);
    let before = snapshot(&mut s, turncoat, alice);
    assert_eq!(before.token[..2], [amount, 0]);
    s.chain.clear_events();
    assert_eq!(withdraw(&mut s, alice, turncoat, tokens("400")), Err(EngineError::TokenCallFailed));
    assert_eq!(withdraw(&mut s, alice, turncoat, amount), Err(EngineError::TokenCallFailed));
    assert_eq!(snapshot(&mut s, turncoat, alice), before);
    let account = s.account(alice).expect("account");
    assert_eq!(account.collateral.iter().find(|c| c.asset == turncoat).map(|c| c.amount), Some(amount));
    assert_eq!(asset(&mut s, turncoat).map(|a| a.total_deposits), Some(amount));
    assert_eq!(s.chain.event_count(s.engine), 0);

    // The balance was kept, not lost: once the token behaves, the withdrawal goes through.
    set_mode(&mut s, turncoat, Mode::Normal);
    assert_eq!(withdraw(&mut s, alice, turncoat, tokens("400")), Ok(()));
    assert_eq!(s.balance(turncoat, alice), tokens("400"));
    assert_eq!(s.balance(turncoat, s.engine), tokens("600"));
}

#[test]
fn reentrant_token_is_denied_with_state_unchanged() {
    let mut s = Suite::new();
    s.chain.set_time(T0);
    let (alice, bob) = (actor(10), actor(11));
    let (engine, quote) = (s.engine, s.quote);
    s.fund(alice, quote, units("1000", 6));

    // During the engine's transfer_from the token calls engine.withdraw(quote, 500).
    let token = list_hostile(&mut s, Mode::Reentrant, 100);
    let mut input = selector("withdraw").to_vec();
    (quote, units("500", 6)).encode_to(&mut input);
    s.chain.call::<()>(s.owner, token, "set_callback", (engine, input.clone()));
    let stored: Option<(Account, Vec<u8>)> = s.chain.call(s.owner, token, "callback", ());
    assert_eq!(stored, Some((engine, input)));

    let amount = tokens("1000");
    hostile_mint(&mut s, token, alice, amount);
    approve(&mut s, token, alice, engine, amount).expect("approve");
    let before = snapshot(&mut s, token, alice);
    s.chain.clear_events();
    // pallet-contracts refuses the re-entry into the engine (already on the call stack without
    // ALLOW_REENTRY); the refusal traps the token's transfer_from; the engine sees a failed call.
    assert_eq!(deposit(&mut s, alice, token, amount), Err(EngineError::TokenCallFailed));
    assert_eq!(snapshot(&mut s, token, alice), before);
    let last: Option<bool> = s.chain.call(s.owner, token, "last_callback", ());
    assert_eq!(last, None, "the token's own record of the callback was reverted with its trap");
    assert_eq!(s.chain.event_count(engine), 0);
    assert_eq!(s.chain.event_count(token), 0);

    // The same on the way out: deposit while normal, turn re-entrant, withdraw.
    set_mode(&mut s, token, Mode::Normal);
    assert_eq!(deposit(&mut s, alice, token, amount), Ok(()));
    set_mode(&mut s, token, Mode::Reentrant);
    let before = snapshot(&mut s, token, alice);
    assert_eq!(withdraw(&mut s, alice, token, amount), Err(EngineError::TokenCallFailed));
    assert_eq!(snapshot(&mut s, token, alice), before);
    assert_eq!(
        s.account(alice).expect("account").collateral.iter().find(|c| c.asset == token).map(|c| c.amount),
        Some(amount)
    );

    // Control: the same callback made while the engine is not on the call stack (alice moves
    // the token directly) reaches the engine, which answers for the token's own (missing)
    // account. So the failures above are the re-entry refusal, not a broken callback.
    hostile_mint(&mut s, token, alice, 1);
    assert_eq!(transfer(&mut s, token, alice, bob, 1), Ok(()));
    let last: Option<bool> = s.chain.call(s.owner, token, "last_callback", ());
    assert_eq!(last, Some(true));
    let output: Vec<u8> = s.chain.call(s.owner, token, "last_callback_output", ());
    // The message's own return value (the call-level `MessageResult` is already unwrapped).
    let answer = Result::<(), EngineError>::decode(&mut &output[..]).expect("engine output");
    assert_eq!(answer, Err(EngineError::NoAccount));
    assert_eq!(s.balance(token, bob), 1);
}

#[test]
fn tokens_with_0_6_18_24_decimals_round_trip_exactly() {
    let mut s = Suite::new();
    s.chain.set_time(T0);
    let alice = actor(10);
    let engine = s.engine;
    let cases = [
        (s.quote, units("123456.789012", 6)),
        (s.btc, units("1.234567890123456789012345", 24)),
        (s.eth, units("7.123456789012345678", 18)),
        (s.idx, 25),
    ];
    for (token, amount) in cases {
        s.mint(token, alice, amount);
    }

    s.chain.clear_events();
    for (token, amount) in cases {
        assert_eq!(s.deposit(alice, token, amount), Ok(()));
    }
    let deposited: Vec<(Account, Account, u128)> =
        s.chain.events::<Deposited>(engine).into_iter().map(|e| (e.account, e.asset, e.amount)).collect();
    assert_eq!(deposited, cases.iter().map(|&(t, a)| (alice, t, a)).collect::<Vec<_>>());
    let account = s.account(alice).expect("account");
    assert_eq!(account.cash, units("123456.789012", 6) as i128);
    for (token, amount) in cases {
        assert_eq!(s.balance(token, alice), 0);
        assert_eq!(s.balance(token, engine), amount);
        assert_eq!(asset(&mut s, token).map(|a| a.total_deposits), Some(amount));
        if token != s.quote {
            assert_eq!(account.collateral.iter().find(|c| c.asset == token).map(|c| c.amount), Some(amount));
        }
    }

    s.chain.clear_events();
    for (token, amount) in cases {
        assert_eq!(withdraw(&mut s, alice, token, amount), Ok(()));
    }
    let withdrawn: Vec<(Account, Account, u128)> =
        s.chain.events::<Withdrawn>(engine).into_iter().map(|e| (e.account, e.asset, e.amount)).collect();
    assert_eq!(withdrawn, cases.iter().map(|&(t, a)| (alice, t, a)).collect::<Vec<_>>());
    for (token, amount) in cases {
        assert_eq!(s.balance(token, alice), amount, "wallet balance restored exactly");
        assert_eq!(s.balance(token, engine), 0);
        assert_eq!(asset(&mut s, token).map(|a| a.total_deposits), Some(0));
    }
    let account = s.account(alice).expect("account stays indexed");
    assert_eq!((account.cash, account.collateral.len(), account.positions.len()), (0, 0, 0));
}
