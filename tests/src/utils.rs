//! The sandbox harness every contract test uses: a chain with funded actors, typed calls
//! (arguments SCALE-encoded from the contracts' own types, results decoded into them), events
//! decoded by their ink! signature topic, explicit time, and the gas of the last call.

use drink::minimal::MinimalSandbox;
use drink::pallet_contracts::{self, Determinism};
use drink::sandbox_api::prelude::*;
use drink::{AccountId32, Sandbox, Weight};
use ink::scale::{Decode, Encode};

/// The contracts' account id type.
pub type Account = ink::primitives::AccountId;
type Runtime = <MinimalSandbox as Sandbox>::Runtime;

/// Gas limit of every call: a whole 2 s block of ref_time (heavy views and trades must fit; the
/// gas report shows what each really uses).
pub const GAS_LIMIT: Weight = Weight::from_parts(2_000_000_000_000, 64 * 1024 * 1024);

/// The engine's owner-only messages and module views: every message of the admin module
/// (`engine_admin`), read from the metadata of the bundle this crate builds — they are reached
/// through the engine's `admin(selector ++ arguments)` message. (The engine's own messages are
/// not among them: `engine_admin_messages_are_the_admin_modules_and_not_the_engines`.)
pub fn engine_admin_messages() -> &'static [String] {
    static MESSAGES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    MESSAGES.get_or_init(|| message_labels(crate::BundleProvider::EngineAdmin))
}

/// Whether `message` is one of [`engine_admin_messages`].
pub fn is_engine_admin_message(message: &str) -> bool {
    engine_admin_messages().iter().any(|m| m == message)
}

/// The labels of a contract's messages, from its bundle's metadata. Panics if the bundle cannot
/// be loaded (the crate's build made it).
pub fn message_labels(bundle: crate::BundleProvider) -> Vec<String> {
    let bundle = bundle.bundle().unwrap_or_else(|e| panic!("contract bundle: {e:?}"));
    bundle.transcoder.metadata().spec().messages().iter().map(|m| m.label().to_string()).collect()
}

/// Module views that cannot fail (they answer `Result<T, EngineError>` only for the forwarder):
/// the harness gives callers their `T` directly.
pub const INFALLIBLE_MODULE_VIEWS: [&str; 3] = ["account", "accounts", "config"];

/// The engine's `admin` input that runs admin-module `message` with SCALE-encoded `args`:
/// `selector("admin") ++ Vec<u8>(selector(message) ++ args)`.
pub fn admin_input(message: &str, args: impl Encode) -> Vec<u8> {
    let mut call = selector(message).to_vec();
    args.encode_to(&mut call);
    admin_call_input(&call)
}

pub use deltamargin_keeper::chain::admin_call_input;

/// Turns the engine's `admin` output (`Result<Vec<u8>, EngineError>`, the `Ok` bytes being the
/// admin message's SCALE value) into that message's own output (`Result<T, EngineError>`), so
/// callers decode it as if they had called the message directly.
fn unwrap_admin_output(output: &[u8]) -> Result<Vec<u8>, String> {
    match output.split_first() {
        Some((0, mut rest)) => {
            let value = Vec::<u8>::decode(&mut rest).map_err(|e| format!("admin output: {e}"))?;
            Ok([&[0u8][..], &value].concat())
        }
        _ => Ok(output.to_vec()),
    }
}

/// `call_contract` on a sandbox as `origin` with `input`: no value, the harness's gas limit, no
/// storage deposit limit, enforced determinism (every call of the harness).
macro_rules! call_contract {
    ($sandbox:expr, $origin:expr, $contract:expr, $input:expr) => {
        $sandbox.call_contract(
            to_sandbox($contract),
            0,
            $input,
            to_sandbox($origin),
            GAS_LIMIT,
            None,
            Determinism::Enforced,
        )
    };
}

/// A deterministic actor; `actor(1)` is the sandbox's pre-funded default account.
pub fn actor(n: u8) -> Account {
    Account::from([n; 32])
}

fn to_sandbox(account: Account) -> AccountId32 {
    AccountId32::new(*AsRef::<[u8; 32]>::as_ref(&account))
}

fn from_sandbox(account: &AccountId32) -> Account {
    Account::from(*AsRef::<[u8; 32]>::as_ref(account))
}

/// The 4-byte selector of an ink! message or constructor (the keeper crate's).
pub use deltamargin_keeper::selector;

/// `selector(message) ++ SCALE(args)`: an admin message's call as `announce` takes it (the
/// keeper crate's `encode_call`).
pub use deltamargin_keeper::chain::encode_call as selector_call;

/// Why a call produced no decoded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFailure {
    /// The contract trapped or the runtime refused the call (out of gas, reentrancy…).
    Dispatch(String),
    /// ink! reported a `LangError` (e.g. unknown selector).
    Lang,
    /// The output did not decode as the expected type.
    Decode(String),
}

/// A sandbox chain with the contracts deployed by the tests.
pub struct Chain {
    sandbox: MinimalSandbox,
    /// ref_time (ps) and proof_size (bytes) consumed by the last call.
    pub last_gas: Weight,
    /// Whether the last call reverted (returned `Err` from a `Result` message).
    pub last_reverted: bool,
    /// Engines whose [`engine_admin_messages`] [`Chain::try_call`] sends through `admin`.
    admin_routed: Vec<Account>,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// A fresh chain at block time 1,700,000,000,000 ms with actors 1–60 funded with native
    /// balance (for storage deposits).
    pub fn new() -> Self {
        let mut sandbox = MinimalSandbox::default();
        for n in 2..=60u8 {
            sandbox.mint_into(&to_sandbox(actor(n)), 1_000_000_000_000_000).expect("mint native balance");
        }
        let mut chain = Chain { sandbox, last_gas: Weight::zero(), last_reverted: false, admin_routed: Vec::new() };
        chain.set_time(1_700_000_000_000);
        chain
    }

    /// Mints `amount` native balance (for storage deposits) to `who`: actors beyond 60, such as
    /// the simulator's generated accounts.
    pub fn mint_native(&mut self, who: Account, amount: u128) {
        self.sandbox.mint_into(&to_sandbox(who), amount).expect("mint native balance");
    }

    /// Sets the block timestamp (ms); tests always set time explicitly.
    pub fn set_time(&mut self, ms: u64) {
        self.sandbox.set_timestamp(ms);
    }

    /// The current block timestamp, ms.
    pub fn now(&mut self) -> u64 {
        self.sandbox.get_timestamp()
    }

    /// Instantiates `wasm` with the constructor `ctor` and SCALE-encoded `args`; panics with the
    /// contract's debug output if it fails (deployment is test set-up, not a test subject).
    pub fn deploy(&mut self, wasm: &[u8], ctor: &str, args: impl Encode, origin: Account, salt: u32) -> Account {
        let mut data = selector(ctor).to_vec();
        args.encode_to(&mut data);
        let result = self.sandbox.deploy_contract(
            wasm.to_vec(),
            0,
            data,
            salt.to_le_bytes().to_vec(),
            to_sandbox(origin),
            GAS_LIMIT,
            None,
        );
        let exec = result.result.unwrap_or_else(|e| {
            panic!("deploy {ctor} failed: {e:?}; debug: {}", String::from_utf8_lossy(&result.debug_message))
        });
        assert!(!exec.result.did_revert(), "deploy {ctor} reverted: {:?}", exec.result.data);
        from_sandbox(&exec.account_id)
    }

    /// Uploads `wasm` as `origin` (code only, no instance) and returns its code hash.
    pub fn upload(&mut self, wasm: &[u8], origin: Account) -> ink::primitives::Hash {
        self.try_upload(wasm, origin).unwrap_or_else(|e| panic!("upload failed: {e:?}"))
    }

    /// [`Chain::upload`], returning why the runtime refused the code instead of panicking.
    pub fn try_upload(&mut self, wasm: &[u8], origin: Account) -> Result<ink::primitives::Hash, CallFailure> {
        let result = self
            .sandbox
            .upload_contract(wasm.to_vec(), to_sandbox(origin), None, Determinism::Enforced)
            .map_err(|e| CallFailure::Dispatch(format!("{e:?}")))?;
        Ok(ink::primitives::Hash::from(result.code_hash.0))
    }

    /// Instantiates uploaded code `code_hash` with a raw constructor `input` (selector + SCALE
    /// arguments) and `salt` as `origin`. Returns the new contract's address, or why the
    /// constructor did not run or reverted; also returns pallet-contracts' whole
    /// `ContractInstantiateResult` SCALE-encoded (what a node's `ContractsApi_instantiate`
    /// answers with; the live backend's decoder is tested against it).
    pub fn instantiate(
        &mut self,
        code_hash: [u8; 32],
        input: Vec<u8>,
        salt: Vec<u8>,
        origin: Account,
    ) -> (Result<Account, CallFailure>, Vec<u8>) {
        let result =
            self.sandbox.instantiate_contract(code_hash.to_vec(), 0, input, salt, to_sandbox(origin), GAS_LIMIT, None);
        let encoded = result.encode();
        let outcome = match result.result {
            Ok(exec) if !exec.result.did_revert() => Ok(from_sandbox(&exec.account_id)),
            Ok(exec) => Err(CallFailure::Dispatch(format!("constructor reverted: {:?}", exec.result.data))),
            Err(e) => {
                Err(CallFailure::Dispatch(format!("{e:?}; debug: {}", String::from_utf8_lossy(&result.debug_message))))
            }
        };
        (outcome, encoded)
    }

    /// Deploys the engine: uploads the admin module's code (`admin_wasm`), instantiates
    /// `engine_wasm` with `new(oracle, quote, quote_deposit_cap, fee_account, admin code hash)`
    /// as `owner`, and routes the engine's [`engine_admin_messages`] through `admin` in
    /// [`Chain::try_call`].
    pub fn deploy_engine(
        &mut self,
        engine_wasm: &[u8],
        admin_wasm: &[u8],
        (oracle, quote, quote_deposit_cap, fee_account): (Account, Account, u128, Account),
        owner: Account,
        salt: u32,
    ) -> Account {
        let admin_code = self.upload(admin_wasm, owner);
        let engine =
            self.deploy(engine_wasm, "new", (oracle, quote, quote_deposit_cap, fee_account, admin_code), owner, salt);
        self.admin_routed.push(engine);
        engine
    }

    /// Calls `message` on `contract` as `origin` and decodes the ink! `MessageResult<R>`. An
    /// engine admin message (deployed by [`Chain::deploy_engine`]) goes through the engine's
    /// `admin` and decodes as if called directly.
    pub fn try_call<R: Decode>(
        &mut self,
        origin: Account,
        contract: Account,
        message: &str,
        args: impl Encode,
    ) -> Result<R, CallFailure> {
        let routed = self.admin_routed.contains(&contract) && is_engine_admin_message(message);
        let data = if routed {
            admin_input(message, args)
        } else {
            let mut data = selector(message).to_vec();
            args.encode_to(&mut data);
            data
        };
        let result = call_contract!(self.sandbox, origin, contract, data);
        self.last_gas = result.gas_consumed;
        let exec = result.result.map_err(|e| {
            CallFailure::Dispatch(format!("{e:?}; debug: {}", String::from_utf8_lossy(&result.debug_message)))
        })?;
        self.last_reverted = exec.did_revert();
        let output = match exec.data.split_first() {
            Some((0, rest)) if routed => {
                let own = unwrap_admin_output(rest).map_err(CallFailure::Decode)?;
                match own.split_first() {
                    // `Ok(T)` of an infallible view: its `T`.
                    Some((0, value)) if INFALLIBLE_MODULE_VIEWS.contains(&message) => [&[0u8][..], value].concat(),
                    _ => [&[0u8][..], &own].concat(),
                }
            }
            _ => exec.data,
        };
        let decoded = Result::<R, ink::LangError>::decode(&mut &output[..])
            .map_err(|e| CallFailure::Decode(format!("{message}: {e}")))?;
        decoded.map_err(|_| CallFailure::Lang)
    }

    /// Calls `contract` with a raw `input` (selector + SCALE arguments) as `origin`; with
    /// `commit = false` inside the sandbox's `dry_run`, which restores every storage change
    /// (events included) afterwards. Returns the raw `MessageResult` output, the weight consumed
    /// and whether the contract reverted; `Err` if the call did not run (trap, out of gas…).
    /// Also sets [`Chain::last_gas`] and [`Chain::last_reverted`].
    pub fn raw_call(
        &mut self,
        origin: Account,
        contract: Account,
        input: Vec<u8>,
        commit: bool,
    ) -> Result<(Vec<u8>, Weight, bool), CallFailure> {
        let call = |sandbox: &mut MinimalSandbox| call_contract!(sandbox, origin, contract, input);
        let result = if commit { call(&mut self.sandbox) } else { self.sandbox.dry_run(call) };
        self.last_gas = result.gas_consumed;
        let exec = result.result.map_err(|e| {
            CallFailure::Dispatch(format!("{e:?}; debug: {}", String::from_utf8_lossy(&result.debug_message)))
        })?;
        let reverted = exec.did_revert();
        self.last_reverted = reverted;
        Ok((exec.data, result.gas_consumed, reverted))
    }

    /// A dry run of `input` on `contract` as `origin`, returning pallet-contracts' whole
    /// `ContractExecResult` SCALE-encoded: the bytes a node's `ContractsApi_call` runtime API
    /// answers with (the live keeper's decoder is tested against them).
    pub fn dry_run_encoded(&mut self, origin: Account, contract: Account, input: Vec<u8>) -> Vec<u8> {
        let result = self.sandbox.dry_run(|sandbox| call_contract!(sandbox, origin, contract, input));
        result.encode()
    }

    /// [`Chain::try_call`] for calls that must reach the contract; panics otherwise.
    pub fn call<R: Decode>(&mut self, origin: Account, contract: Account, message: &str, args: impl Encode) -> R {
        self.try_call(origin, contract, message, args).unwrap_or_else(|e| panic!("{message}: {e:?}"))
    }

    /// Forgets recorded runtime events (call before the operation whose events a test checks).
    pub fn clear_events(&mut self) {
        self.sandbox.reset_events();
    }

    /// Events of type `E` emitted by `contract` since the last [`Chain::clear_events`], matched
    /// by the event's ink! signature topic.
    pub fn events<E: ink::env::Event + Decode>(&mut self, contract: Account) -> Vec<E> {
        let Some(signature) = E::SIGNATURE_TOPIC else { return Vec::new() };
        let contract = to_sandbox(contract);
        self.sandbox
            .events()
            .into_iter()
            .filter(|record| record.topics.first().is_some_and(|t| t.as_ref() == signature))
            .filter_map(|record| {
                let event: Result<pallet_contracts::Event<Runtime>, _> = record.event.try_into();
                match event {
                    Ok(pallet_contracts::Event::ContractEmitted { contract: from, data }) if from == contract => {
                        E::decode(&mut &data[..]).ok()
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// Number of contract events of any type emitted since the last [`Chain::clear_events`].
    pub fn event_count(&mut self, contract: Account) -> usize {
        let contract = to_sandbox(contract);
        self.sandbox
            .events()
            .into_iter()
            .filter(|record| {
                let event: Result<pallet_contracts::Event<Runtime>, _> = record.event.clone().try_into();
                matches!(event, Ok(pallet_contracts::Event::ContractEmitted { contract: ref from, .. }) if *from == contract)
            })
            .count()
    }
}
