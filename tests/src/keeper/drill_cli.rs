//! `deltamargin-sim drill`: the liquidation drill ([`super::drill`]) against a live node.

use deltamargin_keeper::drill::{self, DrillOptions, LiveOperator, Roles};

/// Arguments of `drill`.
#[derive(Debug, clap::Args)]
pub struct DrillArgs {
    /// Node RPC endpoint (ws:// or wss://) of a contracts dev chain (the drill signs with the
    /// dev keys //Alice, //Bob, //Charlie and //Dave).
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    pub url: String,
    /// Salt of every instantiation: a new salt deploys a new suite on the same chain.
    #[arg(long, default_value_t = 0)]
    pub salt: u32,
    /// Stop with the trader liquidatable instead of running the keeper round (then point
    /// `DELTAMARGIN_SIGNER=//Dave deltamargin-keeper --engine <printed address>` at it).
    #[arg(long)]
    pub no_keeper: bool,
}

/// Runs the drill; `Err` is a message for stderr (exit code 1).
pub fn run(args: DrillArgs) -> Result<(), String> {
    super::cli::check_url(&args.url)?;
    let codes = super::drill::codes_from_bundles()?;
    let mut node = LiveOperator::connect(&args.url, &drill::DEV_SURIS)?;
    let options = DrillOptions { salt: args.salt, keeper_round: !args.no_keeper };
    let report = drill::run(&mut node, &codes, Roles::dev()?, options, &mut |line| println!("{line}"))?;
    println!("engine={}", super::hex_account(&report.engine));
    println!("trader={}", super::hex_account(&report.roles.trader));
    Ok(())
}
