//! `deltamargin-sim`: the scenario simulator and the keeper on the real contracts (the workspace
//! CLI's `deltamargin simulate` and `deltamargin keeper` run this binary).

use clap::{Parser, Subcommand};
use deltamargin_sandbox::{keeper, sim};

#[derive(Parser)]
#[command(name = "deltamargin-sim", about = "deltamargin scenario simulator and keeper")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replays a scenario file on the real contracts in an embedded drink sandbox.
    Simulate(sim::cli::SimulateArgs),
    /// Runs the keeper against a live node.
    Keeper(keeper::cli::KeeperArgs),
    /// Deploys the suite on a live dev chain, makes an account liquidatable and checks that one
    /// keeper round liquidates it.
    Drill(keeper::drill_cli::DrillArgs),
    /// Sends one engine owner call (encoded with the admin module's metadata) through the
    /// engine's `admin` message on a live node.
    Admin(keeper::admin_cli::AdminArgs),
}

fn main() {
    let result = match Cli::parse().command {
        Command::Simulate(args) => sim::cli::run(args),
        Command::Keeper(args) => keeper::cli::run(args),
        Command::Drill(args) => keeper::drill_cli::run(args),
        Command::Admin(args) => keeper::admin_cli::run(args),
    };
    if let Err(message) = result {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
