//! The keeper's live-node backend over RPC with subxt 0.37 (dynamic API, the node's metadata
//! checks every argument): dry runs through the `ContractsApi_call` runtime API, transactions as
//! `Contracts.call` extrinsics signed by an sr25519 secret URI, with the gas the dry run
//! required, waited for until in a block and successful (`ExtrinsicFailed` is an error).

use std::str::FromStr;

use ink::scale::{Compact, Decode};
use subxt::dynamic::Value;
use subxt::tx::TxStatus;
use subxt::{OnlineClient, SubstrateConfig};
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

use super::{ChainError, Executed, KeeperChain};
use crate::utils::Account;

/// A live node seen by a keeper.
pub struct LiveChain {
    runtime: tokio::runtime::Runtime,
    api: OnlineClient<SubstrateConfig>,
    signer: Keypair,
    engine: Account,
    keeper: Account,
}

/// An account id from SS58 text or `0x` + 64 hex digits.
pub fn parse_account(text: &str) -> Result<Account, String> {
    if let Some(hex) = text.strip_prefix("0x") {
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{text}` is not 0x followed by 64 hex digits"));
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        return Ok(Account::from(bytes));
    }
    let id = subxt::utils::AccountId32::from_str(text)
        .map_err(|e| format!("`{text}` is neither an SS58 address nor 0x-hex ({e})"))?;
    Ok(Account::from(id.0))
}

/// The keypair of a secret URI such as `//Alice` or a mnemonic with a derivation path.
pub fn parse_signer(suri: &str) -> Result<Keypair, String> {
    let uri = SecretUri::from_str(suri).map_err(|e| format!("bad secret URI: {e}"))?;
    Keypair::from_uri(&uri).map_err(|e| format!("bad secret URI: {e}"))
}

fn chain_err(context: &str) -> impl Fn(subxt::Error) -> ChainError + '_ {
    move |e| ChainError(format!("{context}: {e}"))
}

/// The head of pallet-contracts' `ContractResult` (the trailing events are not needed).
struct DryRun {
    gas_required: (u64, u64),
    output: Result<(u32, Vec<u8>), String>,
    gas_consumed: u64,
}

fn decode_dry_run(bytes: &[u8]) -> Result<DryRun, ChainError> {
    let bad = |e: ink::scale::Error| ChainError(format!("undecodable ContractsApi_call result: {e}"));
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
        0 => {
            let flags = u32::decode(input).map_err(bad)?;
            let data = Vec::<u8>::decode(input).map_err(bad)?;
            Ok((flags, data))
        }
        _ => Err(format!(
            "dispatch error 0x{} (debug: {})",
            input.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>(),
            String::from_utf8_lossy(&debug)
        )),
    };
    Ok(DryRun { gas_required: required, output, gas_consumed: consumed.0 })
}

impl LiveChain {
    /// Connects to `url` (ws:// or wss://) as the keeper `suri` against `engine`.
    pub fn connect(url: &str, engine: Account, suri: &str) -> Result<Self, String> {
        let signer = parse_signer(suri)?;
        let keeper = Account::from(signer.public_key().0);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let api = runtime
            .block_on(OnlineClient::<SubstrateConfig>::from_insecure_url(url))
            .map_err(|e| format!("cannot connect to {url}: {e}"))?;
        Ok(LiveChain { runtime, api, signer, engine, keeper })
    }

    fn dry_run(&mut self, contract: Account, input: Vec<u8>) -> Result<DryRun, ChainError> {
        let origin: &[u8; 32] = self.keeper.as_ref();
        let dest: &[u8; 32] = contract.as_ref();
        let payload = subxt::dynamic::runtime_api_call(
            "ContractsApi",
            "call",
            vec![
                Value::from_bytes(origin),
                Value::from_bytes(dest),
                Value::u128(0),
                Value::unnamed_variant("None", []),
                Value::unnamed_variant("None", []),
                Value::from_bytes(&input),
            ],
        );
        let api = self.api.clone();
        let thunk = self.runtime.block_on(async move {
            let at = api.runtime_api().at_latest().await?;
            at.call(payload).await
        });
        let thunk = thunk.map_err(chain_err("ContractsApi_call"))?;
        decode_dry_run(thunk.encoded())
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
        let api = self.api.clone();
        let address = subxt::dynamic::storage("Timestamp", "Now", ());
        let value = self
            .runtime
            .block_on(async move { api.storage().at_latest().await?.fetch(&address).await })
            .map_err(chain_err("Timestamp.Now"))?
            .ok_or_else(|| ChainError("Timestamp.Now is not set".into()))?;
        u64::decode(&mut value.encoded()).map_err(|e| ChainError(format!("Timestamp.Now: {e}")))
    }

    fn query(&mut self, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        let run = self.dry_run(contract, input)?;
        let (flags, output) = run.output.map_err(ChainError)?;
        Ok(Executed { output, ref_time_ps: run.gas_consumed, reverted: flags & 1 == 1 })
    }

    /// Dry-runs first: a reverting call is returned as such without sending (it would only
    /// fail on chain); otherwise sends `Contracts.call` with the dry run's required gas and
    /// returns the dry run's output once the extrinsic succeeded in a block.
    fn submit(&mut self, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        let run = self.dry_run(contract, input.clone())?;
        let (flags, output) = run.output.map_err(ChainError)?;
        let executed = Executed { output, ref_time_ps: run.gas_consumed, reverted: flags & 1 == 1 };
        if executed.reverted {
            return Ok(executed);
        }
        let dest: &[u8; 32] = contract.as_ref();
        let (ref_time, proof_size) = run.gas_required;
        let tx = subxt::dynamic::tx(
            "Contracts",
            "call",
            vec![
                Value::unnamed_variant("Id", [Value::from_bytes(dest)]),
                Value::u128(0),
                Value::named_composite([
                    ("ref_time", Value::u128(u128::from(ref_time))),
                    ("proof_size", Value::u128(u128::from(proof_size))),
                ]),
                Value::unnamed_variant("None", []),
                Value::from_bytes(&input),
            ],
        );
        let api = self.api.clone();
        let signer = self.signer.clone();
        self.runtime
            .block_on(async move {
                let mut progress = api.tx().sign_and_submit_then_watch_default(&tx, &signer).await?;
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
            .map_err(chain_err("Contracts.call"))?;
        Ok(executed)
    }
}

#[cfg(test)]
mod tests {
    use super::decode_dry_run;
    use crate::suite::Suite;
    use crate::utils::{actor, selector};
    use engine::types::LiquidationSlice;
    use ink::scale::Encode;

    /// The live keeper decodes `ContractsApi_call` results by hand; here it decodes the real
    /// encoding of pallet-contracts' `ContractExecResult` (the version the sandbox runs), for a
    /// call that returns and one that reverts, and must agree with the sandbox's own view.
    #[test]
    fn dry_run_decoding_matches_pallet_contracts_encoding() {
        let mut s = Suite::new();
        let healthy = actor(20);
        s.fund(healthy, s.quote, crate::suite::units("1000", 6));
        let config = selector("config").to_vec();
        let liquidate =
            [&selector("liquidate")[..], &(healthy, LiquidationSlice::Position(0), 1u128).encode()[..]].concat();
        for (input, reverts) in [(config, false), (liquidate, true)] {
            let encoded = s.chain.dry_run_encoded(s.owner, s.engine, input.clone());
            let (data, weight, reverted) = s.chain.raw_call(s.owner, s.engine, input, false).expect("call runs");
            assert_eq!(reverted, reverts);
            let decoded = decode_dry_run(&encoded).expect("decodes");
            assert_eq!(decoded.output, Ok((u32::from(reverts), data)));
            assert_eq!(decoded.gas_consumed, weight.ref_time());
            assert!(decoded.gas_required.0 >= decoded.gas_consumed && decoded.gas_required.1 > 0);
        }
    }
}
