//! `deltamargin-keeper`: liquidates engine accounts below maintenance margin on a live node
//! (`deltamargin keeper` runs this binary). See `deltamargin_keeper::cli` for the signer,
//! the log format and the exit codes.

use clap::Parser;
use deltamargin_keeper::cli::{run, KeeperArgs, SIGNER_ENV};

#[derive(Parser)]
#[command(name = "deltamargin-keeper", about = "deltamargin keeper: liquidates accounts below maintenance margin")]
struct Cli {
    #[command(flatten)]
    args: KeeperArgs,
}

fn main() {
    let args = Cli::parse().args;
    if let Err(error) = run(args, std::env::var(SIGNER_ENV).ok()) {
        eprintln!("error: {error}");
        std::process::exit(error.exit_code());
    }
}
