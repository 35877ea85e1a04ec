//! The engine's owner-only messages — and its less frequent public ones (settlement, insurance
//! funding, lookups) — run in a second contract, the admin module (`contracts/engine_admin`,
//! whose storage struct is the engine's: one field of the shared `EngineState`, so the layouts
//! are identical by construction). The engine reaches it with one message,
//! `admin(call)`, which delegate-calls the admin module's code (hash fixed at construction and
//! locked as a delegate dependency): the module's message runs on the engine's storage, with the
//! engine's caller and address, and emits its events as the engine. This keeps the engine's Wasm
//! (paid for by every call) free of the code the hot path (deposits, withdrawals, trades,
//! liquidations, `health`) never runs.
//!
//! This module is the byte plumbing of that forwarding: the call goes out verbatim and the
//! module's `Result<T, EngineError>` comes back as the SCALE bytes of `T` or the error.

use deltamargin_core::env::Env;
use ink::env::call::{build_call, ExecutionInput, Selector};
use ink::prelude::vec::Vec;
use ink::primitives::Hash;
use ink::scale::{Decode, Encode, Error, Input, Output};

use crate::errors::EngineError;

/// Runs the admin module's message `call` (`selector ++ SCALE arguments`) by delegate call to
/// `admin_code` on the running contract's storage, and returns the SCALE bytes of its `Ok`
/// value or its error. Errors: the message's own, `InvalidAdminCall` (too short, no such
/// message, the module trapped, an output that is not a `Result<_, EngineError>`).
pub fn forward(admin_code: Hash, call: &[u8]) -> Result<Vec<u8>, EngineError> {
    let (selector, args) = split_call(call)?;
    let output = build_call::<Env>()
        .delegate(admin_code)
        .exec_input(ExecutionInput::new(Selector::new(selector)).push_arg(RawArgs(args)))
        .returns::<RawOutput>()
        .try_invoke();
    match output {
        Ok(Ok(RawOutput(output))) => read_output(&output),
        _ => Err(EngineError::InvalidAdminCall),
    }
}

/// Arguments already SCALE-encoded: written verbatim after the selector of a call.
pub struct RawArgs<'a>(pub &'a [u8]);

impl Encode for RawArgs<'_> {
    fn size_hint(&self) -> usize {
        self.0.len()
    }

    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(self.0);
    }
}

/// A call's output taken whole, undecoded.
pub struct RawOutput(pub Vec<u8>);

impl Decode for RawOutput {
    fn decode<I: Input>(input: &mut I) -> Result<Self, Error> {
        let len = input.remaining_len()?.ok_or("RawOutput needs a sized input")?;
        let mut bytes = ink::prelude::vec![0; len];
        input.read(&mut bytes)?;
        Ok(RawOutput(bytes))
    }
}

/// Splits an admin call (`selector ++ SCALE arguments` of an admin-module message) into its
/// selector and arguments. Errors: `InvalidAdminCall` if it is shorter than a selector.
pub fn split_call(call: &[u8]) -> Result<([u8; 4], &[u8]), EngineError> {
    let (selector, args) = call.split_first_chunk::<4>().ok_or(EngineError::InvalidAdminCall)?;
    Ok((*selector, args))
}

/// Reads an admin-module message's output (`Result<T, EngineError>` SCALE-encoded): the bytes
/// of `T` on `Ok`, the module's error on `Err`. Errors: `InvalidAdminCall` if the output is
/// neither.
pub fn read_output(output: &[u8]) -> Result<Vec<u8>, EngineError> {
    match output.split_first() {
        Some((0, value)) => Ok(value.to_vec()),
        Some((1, mut error)) => Err(EngineError::decode(&mut error).map_err(|_| EngineError::InvalidAdminCall)?),
        _ => Err(EngineError::InvalidAdminCall),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_args_are_written_verbatim() {
        let args = (7u32, true).encode();
        let mut out = vec![1, 2, 3, 4];
        RawArgs(&args).encode_to(&mut out);
        assert_eq!(out, [1, 2, 3, 4, 7, 0, 0, 0, 1]);
        assert_eq!(RawArgs(&args).size_hint(), 5);
    }

    #[test]
    fn raw_output_takes_everything() {
        let bytes = [0u8, 9, 8, 7];
        let RawOutput(taken) = RawOutput::decode(&mut &bytes[..]).unwrap();
        assert_eq!(taken, bytes);
        let RawOutput(empty) = RawOutput::decode(&mut &[][..]).unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn calls_shorter_than_a_selector_are_rejected() {
        assert_eq!(split_call(&[1, 2, 3]), Err(EngineError::InvalidAdminCall));
        assert_eq!(split_call(&[1, 2, 3, 4]), Ok(([1, 2, 3, 4], &[][..])));
        assert_eq!(split_call(&[1, 2, 3, 4, 5]), Ok(([1, 2, 3, 4], &[5][..])));
    }

    #[test]
    fn outputs_map_to_value_or_error() {
        let ok: Result<u32, EngineError> = Ok(42);
        assert_eq!(read_output(&ok.encode()), Ok(42u32.encode()));
        let unit: Result<(), EngineError> = Ok(());
        assert_eq!(read_output(&unit.encode()), Ok(Vec::new()));
        let err: Result<u32, EngineError> = Err(EngineError::NotOwner);
        assert_eq!(read_output(&err.encode()), Err(EngineError::NotOwner));
        assert_eq!(read_output(&[]), Err(EngineError::InvalidAdminCall));
        assert_eq!(read_output(&[2, 0]), Err(EngineError::InvalidAdminCall));
        assert_eq!(read_output(&[1, 0xff]), Err(EngineError::InvalidAdminCall));
    }
}
