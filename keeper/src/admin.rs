//! `deltamargin-admin`: sends one engine owner call on a live node. The owner messages live
//! in the admin module and are reached through the engine's `admin(call)`, an `&self` message
//! (README "Deploying with cargo-contract"), which `cargo contract call` refuses to execute as
//! a transaction. So: encode the call with `cargo contract encode` and the admin module's
//! metadata, and send it with this command.

use crate::cli::{check_url, signer_suri, NodeArgs, SIGNER_ENV};
use crate::drill::{send_admin, LiveOperator};
use crate::live::{account_of, parse_account, parse_hex, parse_signer};

/// Arguments of `admin`.
#[derive(Debug, clap::Args)]
pub struct AdminArgs {
    /// Node, engine and owner signer.
    #[command(flatten)]
    pub node: NodeArgs,
    /// The admin-module call, 0x-hex: selector ++ SCALE arguments, e.g. the "Encoded data" of
    /// `cargo contract encode engine_admin.contract --message list_instrument --args 0 Linear`.
    #[arg(long)]
    pub call: String,
}

/// Sends the call (dry run first: a refused call is reported, not sent); prints the admin
/// message's SCALE-encoded `Ok` value as hex. `Err` is a message for stderr (exit code 1),
/// including the engine's typed error.
pub fn run(args: AdminArgs) -> Result<(), String> {
    let NodeArgs { url, engine, .. } = &args.node;
    check_url(url)?;
    let suri = &signer_suri(&args.node, std::env::var(SIGNER_ENV).ok())?;
    let engine = parse_account(engine).map_err(|e| format!("--engine: {e}"))?;
    let call = parse_hex(&args.call).map_err(|e| format!("--call: {e}"))?;
    let owner = parse_signer(suri).map(|k| account_of(&k))?;
    let mut node = LiveOperator::connect(url, &[suri.as_str()])?;
    match send_admin(&mut node, owner, engine, &call)? {
        Ok(value) => {
            println!("ok 0x{}", value.iter().map(|b| format!("{b:02x}")).collect::<String>());
            Ok(())
        }
        Err(error) => Err(format!("the engine refused the call: {error:?}")),
    }
}
