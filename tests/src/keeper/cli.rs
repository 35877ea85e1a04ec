//! `deltamargin-sim keeper`: the keeper against a live node.

/// Arguments of `keeper`.
#[derive(Debug, clap::Args)]
pub struct KeeperArgs {}

/// Runs the keeper; `Err` is a message for stderr (exit code 1).
pub fn run(_args: KeeperArgs) -> Result<(), String> {
    Err("keeper: not yet implemented".into())
}
