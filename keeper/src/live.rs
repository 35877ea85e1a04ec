//! The keeper's live-node backend over RPC with subxt 0.37 (dynamic API, the node's metadata
//! checks every argument): dry runs through the `ContractsApi_call` / `ContractsApi_instantiate`
//! runtime APIs, transactions as `Contracts.call` / `upload_code` / `instantiate` extrinsics
//! signed by sr25519 keys from secret URIs, with the gas the dry run required, waited for until
//! in the best block and successful (`ExtrinsicFailed` is an error); reads are at the best block
//! (what other tools such as cargo-contract just sent is visible at once). [`LiveNode`] is the connection
//! (also used by the liquidation drill); [`LiveChain`] is the keeper's view of it.

use std::str::FromStr;
use std::sync::Arc;

use ink::scale::{Compact, Decode};
use subxt::backend::legacy::LegacyRpcMethods;
use subxt::backend::rpc::RpcClient;
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::tx::TxStatus;
use subxt::{OnlineClient, SubstrateConfig};
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

use crate::Account;
use crate::{ChainError, Executed, KeeperChain};

/// A connection to a live node: contract dry runs through the `ContractsApi` runtime API and
/// signed `Contracts` extrinsics (calls, code uploads, instantiations), each waited for until it
/// is in a block and successful. Cheap to clone (one connection and runtime, shared).
#[derive(Clone)]
pub struct LiveNode {
    runtime: Arc<tokio::runtime::Runtime>,
    api: OnlineClient<SubstrateConfig>,
    rpc: LegacyRpcMethods<SubstrateConfig>,
}

/// A live node seen by a keeper signing with one key against one engine.
pub struct LiveChain {
    node: LiveNode,
    signer: Keypair,
    engine: Account,
    keeper: Account,
}

/// An account id from SS58 text or `0x` + 64 hex digits.
pub fn parse_account(text: &str) -> Result<Account, String> {
    if text.starts_with("0x") {
        let bytes: [u8; 32] =
            parse_hex(text)?.try_into().map_err(|_| format!("`{text}` is not 0x followed by 64 hex digits"))?;
        return Ok(Account::from(bytes));
    }
    let id = subxt::utils::AccountId32::from_str(text)
        .map_err(|e| format!("`{text}` is neither an SS58 address nor 0x-hex ({e})"))?;
    Ok(Account::from(id.0))
}

/// Bytes from `0x` followed by an even number of hex digits (either case).
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits = text.strip_prefix("0x").ok_or_else(|| format!("`{text}` does not start with 0x"))?;
    if digits.len() % 2 != 0 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`{text}` is not 0x followed by pairs of hex digits"));
    }
    (0..digits.len()).step_by(2).map(|i| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|e| e.to_string())).collect()
}

/// The keypair of a secret URI such as `//Alice` or a mnemonic with a derivation path.
pub fn parse_signer(suri: &str) -> Result<Keypair, String> {
    let uri = SecretUri::from_str(suri).map_err(|e| format!("bad secret URI: {e}"))?;
    Keypair::from_uri(&uri).map_err(|e| format!("bad secret URI: {e}"))
}

/// The account id (sr25519 public key) of a keypair.
pub fn account_of(signer: &Keypair) -> Account {
    Account::from(signer.public_key().0)
}

fn chain_err(context: &str) -> impl Fn(subxt::Error) -> ChainError + '_ {
    move |e| ChainError(format!("{context}: {e}"))
}

/// The head of pallet-contracts' `ContractResult` (the trailing events are not needed) of a
/// call (`R` = `(flags, data)`) or an instantiation (`R` = `((flags, data), address)`).
pub struct DryRun<R> {
    /// Weight the call needs: (ref_time ps, proof size bytes).
    pub gas_required: (u64, u64),
    /// The call's output, or the runtime's refusal.
    pub output: Result<R, Refused>,
    /// ref_time consumed, ps.
    pub gas_consumed: u64,
}

/// A dry run the runtime refused (`DispatchError`): the error's first SCALE bytes and the
/// contract's debug buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The `DispatchError`'s first SCALE bytes (at most 8).
    pub error: Vec<u8>,
    /// The contract's debug buffer.
    pub debug: String,
}

/// A refusal as text, named from the node's metadata where it can be: a module error as
/// `Pallet::Error` (e.g. `Contracts::ContractNotFound`), otherwise its bytes in hex.
pub fn describe_refusal(metadata: &subxt::Metadata, refused: &Refused) -> String {
    let named = match refused.error[..] {
        // DispatchError::Module(ModuleError { index, error: [u8; 4] }): the first byte of
        // `error` is the pallet's error variant.
        [3, pallet, error, ..] => metadata
            .pallet_by_index(pallet)
            .and_then(|p| p.error_variant_by_index(error).map(|v| format!("{}::{}", p.name(), v.name))),
        _ => None,
    };
    let what = named.unwrap_or_else(|| format!("0x{}", hex(&refused.error)));
    if refused.debug.is_empty() {
        format!("dispatch error {what}")
    } else {
        format!("dispatch error {what} (debug: {})", refused.debug)
    }
}

/// Decodes `ContractResult<Result<R, DispatchError>, ..>` up to its result, `ok` decoding `R`.
fn decode_result<R>(
    bytes: &[u8],
    what: &str,
    ok: impl FnOnce(&mut &[u8]) -> Result<R, ink::scale::Error>,
) -> Result<DryRun<R>, ChainError> {
    let bad = |e: ink::scale::Error| ChainError(format!("undecodable {what} result: {e}"));
    let input = &mut &bytes[..];
    let weight = |input: &mut &[u8]| -> Result<(u64, u64), ChainError> {
        let ref_time = Compact::<u64>::decode(input).map_err(bad)?.0;
        let proof_size = Compact::<u64>::decode(input).map_err(bad)?.0;
        Ok((ref_time, proof_size))
    };
    let consumed = weight(input)?;
    let required = weight(input)?;
    // StorageDeposit: Refund(u128) | Charge(u128).
    let _variant = u8::decode(input).map_err(bad)?;
    let _amount = u128::decode(input).map_err(bad)?;
    let debug = Vec::<u8>::decode(input).map_err(bad)?;
    let output = match u8::decode(input).map_err(bad)? {
        0 => Ok(ok(input).map_err(bad)?),
        _ => Err(Refused {
            error: input.iter().take(8).copied().collect(),
            debug: String::from_utf8_lossy(&debug).into_owned(),
        }),
    };
    Ok(DryRun { gas_required: required, output, gas_consumed: consumed.0 })
}

/// `ExecReturnValue { flags: u32, data: Vec<u8> }`.
fn decode_exec_return(input: &mut &[u8]) -> Result<(u32, Vec<u8>), ink::scale::Error> {
    Ok((u32::decode(input)?, Vec::<u8>::decode(input)?))
}

/// Decodes a `ContractsApi_call` answer (`ContractExecResult`).
pub fn decode_dry_run(bytes: &[u8]) -> Result<DryRun<(u32, Vec<u8>)>, ChainError> {
    decode_result(bytes, "ContractsApi_call", decode_exec_return)
}

/// A constructor's `(flags, data)` and the new contract's address.
pub type Instantiated = ((u32, Vec<u8>), Account);

/// Decodes a `ContractsApi_instantiate` answer (`ContractInstantiateResult`): the constructor's
/// return value and the new contract's address.
pub fn decode_instantiate_dry_run(bytes: &[u8]) -> Result<DryRun<Instantiated>, ChainError> {
    decode_result(bytes, "ContractsApi_instantiate", |input| {
        let exec = decode_exec_return(input)?;
        let address = <[u8; 32]>::decode(input)?;
        Ok((exec, Account::from(address)))
    })
}

/// `blake2_256(wasm)`: the code hash pallet-contracts stores uploaded code under.
pub fn code_hash(wasm: &[u8]) -> [u8; 32] {
    let mut hash = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(wasm, &mut hash);
    hash
}

fn weight_value((ref_time, proof_size): (u64, u64)) -> Value {
    Value::named_composite([
        ("ref_time", Value::u128(u128::from(ref_time))),
        ("proof_size", Value::u128(u128::from(proof_size))),
    ])
}

impl LiveNode {
    /// Connects to `url` (ws:// or wss://).
    pub fn connect(url: &str) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let (api, rpc) = runtime
            .block_on(async {
                let client = RpcClient::from_insecure_url(url).await?;
                let api = OnlineClient::<SubstrateConfig>::from_rpc_client(client.clone()).await?;
                Ok::<_, subxt::Error>((api, LegacyRpcMethods::new(client)))
            })
            .map_err(|e| format!("cannot connect to {url}: {e}"))?;
        Ok(LiveNode { runtime: Arc::new(runtime), api, rpc })
    }

    fn refusal(&self, refused: &Refused) -> ChainError {
        ChainError(describe_refusal(&self.api.metadata(), refused))
    }

    /// The hash of the node's best block: every read is at it (subxt's `at_latest` would be
    /// the latest finalized block, which lags behind transactions just included).
    async fn best_block(rpc: &LegacyRpcMethods<SubstrateConfig>) -> Result<subxt::utils::H256, subxt::Error> {
        rpc.chain_get_block_hash(None).await?.ok_or_else(|| subxt::Error::Other("the node has no best block".into()))
    }

    /// The best block's timestamp (`Timestamp.Now`), ms.
    pub fn block_time_ms(&self) -> Result<u64, ChainError> {
        let (api, rpc) = (self.api.clone(), self.rpc.clone());
        let address = subxt::dynamic::storage("Timestamp", "Now", ());
        let value = self
            .runtime
            .block_on(async move { api.storage().at(Self::best_block(&rpc).await?).fetch(&address).await })
            .map_err(chain_err("Timestamp.Now"))?
            .ok_or_else(|| ChainError("Timestamp.Now is not set".into()))?;
        u64::decode(&mut value.encoded()).map_err(|e| ChainError(format!("Timestamp.Now: {e}")))
    }

    /// Calls runtime API `ContractsApi.method` with `args` at the best block; its SCALE answer.
    fn runtime_api(&self, method: &'static str, args: Vec<Value>) -> Result<Vec<u8>, ChainError> {
        let payload = subxt::dynamic::runtime_api_call("ContractsApi", method, args);
        let (api, rpc) = (self.api.clone(), self.rpc.clone());
        let thunk = self.runtime.block_on(async move {
            let at = api.runtime_api().at(Self::best_block(&rpc).await?);
            at.call(payload).await
        });
        Ok(thunk.map_err(chain_err(method))?.encoded().to_vec())
    }

    fn dry_run(&self, origin: Account, contract: Account, input: &[u8]) -> Result<DryRun<(u32, Vec<u8>)>, ChainError> {
        let origin: &[u8; 32] = origin.as_ref();
        let dest: &[u8; 32] = contract.as_ref();
        let answer = self.runtime_api(
            "call",
            vec![
                Value::from_bytes(origin),
                Value::from_bytes(dest),
                Value::u128(0),
                Value::unnamed_variant("None", []),
                Value::unnamed_variant("None", []),
                Value::from_bytes(input),
            ],
        )?;
        decode_dry_run(&answer)
    }

    /// Signs `tx` with `signer`, submits it and waits until it is in the best block and
    /// succeeded (`ExtrinsicFailed`, an invalid or a dropped transaction are errors). Reads
    /// (dry runs, storage) are at the best block, so they see it at once.
    fn send(&self, context: &str, tx: subxt::tx::DynamicPayload, signer: &Keypair) -> Result<(), ChainError> {
        let (api, rpc) = (self.api.clone(), self.rpc.clone());
        let signer = signer.clone();
        self.runtime
            .block_on(async move {
                // The nonce from the node's pool and best block (subxt's default reads it at the
                // latest finalized block, stale after recent transactions of the same signer).
                let account = subxt::utils::AccountId32(signer.public_key().0);
                let nonce = rpc.system_account_next_index(&account).await?;
                let params = DefaultExtrinsicParamsBuilder::<SubstrateConfig>::new().nonce(nonce).build();
                let mut progress = api.tx().sign_and_submit_then_watch(&tx, &signer, params).await?;
                while let Some(status) = progress.next().await {
                    match status? {
                        TxStatus::InBestBlock(in_block) | TxStatus::InFinalizedBlock(in_block) => {
                            return in_block.wait_for_success().await.map(|_| ());
                        }
                        TxStatus::Error { message } | TxStatus::Invalid { message } | TxStatus::Dropped { message } => {
                            return Err(subxt::Error::Other(format!("transaction not included: {message}")));
                        }
                        _ => continue,
                    }
                }
                Err(subxt::Error::Other("transaction status stream ended".into()))
            })
            .map_err(chain_err(context))
    }

    /// Dry-runs `input` on `contract` as `origin`; nothing is committed.
    pub fn query(&self, origin: Account, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        let run = self.dry_run(origin, contract, &input)?;
        let (flags, output) = run.output.map_err(|r| self.refusal(&r))?;
        Ok(Executed { output, ref_time_ps: run.gas_consumed, reverted: flags & 1 == 1 })
    }

    /// Dry-runs first: a reverting call is returned as such without sending (it would only
    /// fail on chain); otherwise sends `Contracts.call` signed by `signer` with the dry run's
    /// required gas and returns the dry run's output once the extrinsic succeeded in a block.
    pub fn call(&self, signer: &Keypair, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        let run = self.dry_run(account_of(signer), contract, &input)?;
        let (flags, output) = run.output.map_err(|r| self.refusal(&r))?;
        let executed = Executed { output, ref_time_ps: run.gas_consumed, reverted: flags & 1 == 1 };
        if executed.reverted {
            return Ok(executed);
        }
        let dest: &[u8; 32] = contract.as_ref();
        let tx = subxt::dynamic::tx(
            "Contracts",
            "call",
            vec![
                Value::unnamed_variant("Id", [Value::from_bytes(dest)]),
                Value::u128(0),
                weight_value(run.gas_required),
                Value::unnamed_variant("None", []),
                Value::from_bytes(&input),
            ],
        );
        self.send("Contracts.call", tx, signer)?;
        Ok(executed)
    }

    /// Uploads `wasm` (`Contracts.upload_code`, deterministic execution enforced) signed by
    /// `signer`; returns its code hash. Code that is already stored uploads again as a no-op.
    pub fn upload(&self, signer: &Keypair, wasm: &[u8]) -> Result<[u8; 32], ChainError> {
        let tx = subxt::dynamic::tx(
            "Contracts",
            "upload_code",
            vec![Value::from_bytes(wasm), Value::unnamed_variant("None", []), Value::unnamed_variant("Enforced", [])],
        );
        self.send("Contracts.upload_code", tx, signer)?;
        Ok(code_hash(wasm))
    }

    /// Instantiates stored code `code_hash` with constructor `input` (selector + SCALE
    /// arguments) and `salt`, signed by `signer`: dry-runs `ContractsApi_instantiate` for the
    /// address and the gas, refuses a constructor that reverts, then sends
    /// `Contracts.instantiate`. Returns the new contract's address.
    pub fn instantiate(
        &self,
        signer: &Keypair,
        code_hash: [u8; 32],
        input: Vec<u8>,
        salt: Vec<u8>,
    ) -> Result<Account, ChainError> {
        let origin = account_of(signer);
        let origin: &[u8; 32] = origin.as_ref();
        let answer = self.runtime_api(
            "instantiate",
            vec![
                Value::from_bytes(origin),
                Value::u128(0),
                Value::unnamed_variant("None", []),
                Value::unnamed_variant("None", []),
                Value::unnamed_variant("Existing", [Value::from_bytes(code_hash)]),
                Value::from_bytes(&input),
                Value::from_bytes(&salt),
            ],
        )?;
        let run = decode_instantiate_dry_run(&answer)?;
        let ((flags, data), address) = run.output.map_err(|r| self.refusal(&r))?;
        if flags & 1 == 1 {
            return Err(ChainError(format!("constructor reverted: 0x{}", hex(&data))));
        }
        let tx = subxt::dynamic::tx(
            "Contracts",
            "instantiate",
            vec![
                Value::u128(0),
                weight_value(run.gas_required),
                Value::unnamed_variant("None", []),
                Value::from_bytes(code_hash),
                Value::from_bytes(&input),
                Value::from_bytes(&salt),
            ],
        );
        self.send("Contracts.instantiate", tx, signer)?;
        Ok(address)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl LiveChain {
    /// Connects to `url` (ws:// or wss://) as the keeper `suri` against `engine`.
    pub fn connect(url: &str, engine: Account, suri: &str) -> Result<Self, String> {
        let signer = parse_signer(suri)?;
        Ok(LiveChain::new(LiveNode::connect(url)?, engine, signer))
    }

    /// The keeper `signer` against `engine` on `node`.
    pub fn new(node: LiveNode, engine: Account, signer: Keypair) -> Self {
        let keeper = account_of(&signer);
        LiveChain { node, signer, engine, keeper }
    }
}

impl KeeperChain for LiveChain {
    fn keeper(&self) -> Account {
        self.keeper
    }

    fn engine(&self) -> Account {
        self.engine
    }

    fn now_ms(&mut self) -> Result<u64, ChainError> {
        self.node.block_time_ms()
    }

    fn query(&mut self, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        self.node.query(self.keeper, contract, input)
    }

    /// [`LiveNode::call`] signed by the keeper.
    fn submit(&mut self, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        self.node.call(&self.signer, contract, input)
    }
}
