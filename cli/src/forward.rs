//! `deltamargin simulate …`, `drill …`, `keeper …` and `admin …`: run a sibling binary with the
//! arguments passed through. `simulate` and `drill` run `deltamargin-sim` (the scenario
//! simulator and the liquidation drill with the contracts it builds, from the excluded `tests/`
//! crate because drink cannot live in this workspace); `keeper` and `admin` run
//! `deltamargin-keeper` and `deltamargin-admin` (the excluded `keeper/` crate, no sandbox).

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use crate::error::{CliError, CliResult};

/// A sibling binary the CLI forwards to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sibling {
    /// Its file name (without the platform's executable suffix).
    pub name: &'static str,
    /// The environment variable that overrides where it is.
    pub env: &'static str,
    /// The crate directory it is built from.
    pub dir: &'static str,
    /// Whether the subcommand is passed as its first argument.
    pub pass_subcommand: bool,
}

/// The simulator, drill and admin sender.
pub const SIM: Sibling =
    Sibling { name: "deltamargin-sim", env: "DELTAMARGIN_SIM", dir: "tests", pass_subcommand: true };

/// The keeper.
pub const KEEPER: Sibling =
    Sibling { name: "deltamargin-keeper", env: "DELTAMARGIN_KEEPER", dir: "keeper", pass_subcommand: false };

/// The admin sender.
pub const ADMIN: Sibling =
    Sibling { name: "deltamargin-admin", env: "DELTAMARGIN_ADMIN", dir: "keeper", pass_subcommand: false };

impl Sibling {
    /// How to build it, for the error when it is missing.
    pub fn build_hint(&self) -> String {
        format!(
            "build it with `cd {} && cargo build --release --locked --bin {}` (with the same CARGO_TARGET_DIR as \
             this tool it lands next to `deltamargin`), or set {} to its path",
            self.dir, self.name, self.env
        )
    }

    /// The binary: `$<env>` if set, else the sibling next to the running executable. Missing:
    /// an I/O error saying how to build it.
    pub fn binary(&self) -> CliResult<PathBuf> {
        if let Some(path) = std::env::var_os(self.env) {
            let path = PathBuf::from(path);
            if path.is_file() {
                return Ok(path);
            }
            return Err(CliError::Io(format!("{}={} is not a file; {}", self.env, path.display(), self.build_hint())));
        }
        let exe = std::env::current_exe().map_err(|e| CliError::Io(format!("cannot locate this executable: {e}")))?;
        let sibling = exe.with_file_name(format!("{}{}", self.name, std::env::consts::EXE_SUFFIX));
        if sibling.is_file() {
            return Ok(sibling);
        }
        Err(CliError::Io(format!("`{}` was not found at {}; {}", self.name, sibling.display(), self.build_hint())))
    }
}

/// Runs `<sibling> [<subcommand>] <args…>` with inherited stdin, stdout and stderr and returns
/// its exit code (1 if it was killed by a signal).
pub fn run(sibling: Sibling, subcommand: &str, args: &[OsString]) -> CliResult<ExitCode> {
    let binary = sibling.binary()?;
    let mut command = Command::new(&binary);
    if sibling.pass_subcommand {
        command.arg(subcommand);
    }
    let status =
        command.args(args).status().map_err(|e| CliError::Io(format!("cannot run {}: {e}", binary.display())))?;
    Ok(ExitCode::from(status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(1)))
}
