//! `deltamargin-admin`: sends one engine owner call (encoded with the admin module's metadata)
//! through the engine's `admin` message on a live node (`deltamargin admin` runs this binary).
//! The owner's secret URI comes from --signer-file or DELTAMARGIN_SIGNER.

use clap::Parser;
use deltamargin_keeper::admin::{run, AdminArgs};

#[derive(Parser)]
#[command(name = "deltamargin-admin", about = "deltamargin admin sender: one engine owner call on a live node")]
struct Cli {
    #[command(flatten)]
    args: AdminArgs,
}

fn main() {
    if let Err(message) = run(Cli::parse().args) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
