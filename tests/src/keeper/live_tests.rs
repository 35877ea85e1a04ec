//! The live keeper's hand decoders (`deltamargin_keeper::live`) against the real encodings of
//! the sandbox's pallet-contracts runtime.
use crate::suite::Suite;
use crate::utils::{actor, selector};
use deltamargin_keeper::live::{code_hash, decode_dry_run, decode_instantiate_dry_run};
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
    let config = crate::utils::admin_call_input(&selector("config"));
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

/// The instantiation decoder against pallet-contracts' real `ContractInstantiateResult`
/// encoding: the address it reads is the one the sandbox created, and a failed constructor
/// (an unknown selector) is not mistaken for a success. Also: code hashes are computed the
/// way the chain stores code.
#[test]
fn instantiate_decoding_matches_pallet_contracts_encoding() {
    use crate::utils::{actor, selector, Chain};
    let codes = crate::keeper::drill::codes_from_bundles().expect("bundles");
    let mut chain = Chain::new();
    let owner = actor(2);
    let stored = chain.upload(&codes.oracle, owner);
    assert_eq!(stored.as_ref(), &code_hash(&codes.oracle)[..]);
    let (created, encoded) = chain.instantiate(code_hash(&codes.oracle), selector("new").to_vec(), vec![1], owner);
    let created = created.expect("oracle instantiates");
    let decoded = decode_instantiate_dry_run(&encoded).expect("decodes");
    let ((flags, _data), address) = decoded.output.expect("succeeded");
    assert_eq!((flags & 1, address), (0, created));
    assert!(decoded.gas_required.0 >= decoded.gas_consumed && decoded.gas_consumed > 0);
    // An unknown constructor selector: ink! answers with a LangError and the chain
    // reports the call as failed, never as an instantiated contract.
    let (failed, encoded) = chain.instantiate(code_hash(&codes.oracle), vec![0xde, 0xad, 0xbe, 0xef], vec![2], owner);
    assert!(failed.is_err());
    let decoded = decode_instantiate_dry_run(&encoded).expect("decodes");
    match decoded.output {
        Ok(((flags, _), _)) => assert_eq!(flags & 1, 1, "a failed constructor must revert"),
        Err(refused) => assert!(!refused.error.is_empty()),
    }
}

/// A call to an address that holds no contract is refused by the runtime; the refusal is
/// named from the runtime's metadata (here the sandbox runtime's, on a node the node's).
#[test]
fn refusals_are_named_from_the_runtime_metadata() {
    use deltamargin_keeper::live::{describe_refusal, Refused};
    use drink::Sandbox as _;
    use ink::scale::Decode as _;
    let mut chain = crate::utils::Chain::new();
    let encoded = chain.dry_run_encoded(actor(2), actor(59), selector("config").to_vec());
    let refused = decode_dry_run(&encoded).expect("decodes").output.expect_err("no contract there");
    let metadata_bytes = drink::minimal::MinimalSandbox::get_metadata().encode();
    let metadata = subxt::Metadata::decode(&mut &metadata_bytes[..]).expect("runtime metadata");
    assert_eq!(describe_refusal(&metadata, &refused), "dispatch error Contracts::ContractNotFound");
    // Bytes the metadata does not name stay visible.
    let unknown = Refused { error: vec![3, 250, 1, 0, 0, 0], debug: "trace".into() };
    assert_eq!(describe_refusal(&metadata, &unknown), "dispatch error 0x03fa01000000 (debug: trace)");
}
