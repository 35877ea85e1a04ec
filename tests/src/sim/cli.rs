//! `deltamargin-sim simulate SCENARIO`.

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {}

/// Runs a scenario; `Err` is a message for stderr (exit code 1).
pub fn run(_args: SimulateArgs) -> Result<(), String> {
    Err("simulate: not yet implemented".into())
}
