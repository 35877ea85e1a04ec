//! `deltamargin-sim`: the scenario simulator on the real contracts, the liquidation drill and the
//! admin sender (the workspace CLI's `deltamargin simulate`, `drill` and `admin` run this
//! binary; `deltamargin keeper` runs `deltamargin-keeper`, which needs no sandbox).

use clap::{Parser, Subcommand};
use deltamargin_sandbox::{keeper, sim};

#[derive(Parser)]
#[command(name = "deltamargin-sim", about = "deltamargin scenario simulator, liquidation drill and admin sender")]
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
    /// Sends one engine owner call (encoded with the admin module's metadata) through the
    /// engine's `admin` message on a live node.
    Admin(keeper::admin_cli::AdminArgs),
}

fn main() {
    let result = match Cli::parse().command {
        Command::Simulate(args) => sim::cli::run(args),
        Command::Drill(args) => keeper::drill_cli::run(args),
        Command::Admin(args) => keeper::admin_cli::run(args),
    };
    if let Err(message) = result {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
