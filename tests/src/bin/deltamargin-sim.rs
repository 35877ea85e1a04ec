//! `deltamargin-sim`: the scenario simulator on the real contracts and the liquidation drill
//! with the contracts this crate builds (the workspace CLI's `deltamargin simulate` and `drill`
//! run this binary; `keeper` and `admin` run the keeper crate's binaries, which need no sandbox).

use clap::{Parser, Subcommand};
use deltamargin_sandbox::{keeper, sim};

#[derive(Parser)]
#[command(name = "deltamargin-sim", about = "deltamargin scenario simulator and liquidation drill")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replays a scenario file on the real contracts in an embedded drink sandbox.
    Simulate(sim::cli::SimulateArgs),
    /// Deploys the suite on a live dev chain, makes an account liquidatable and checks that one
    /// keeper round liquidates it.
    Drill(keeper::drill_cli::DrillArgs),
}

fn main() {
    let result = match Cli::parse().command {
        Command::Simulate(args) => sim::cli::run(args),
        Command::Drill(args) => keeper::drill_cli::run(args),
    };
    if let Err(message) = result {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
