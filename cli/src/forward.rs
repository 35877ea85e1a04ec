//! `deltamargin simulate …`, `keeper …`, `drill …` and `admin …`: run the sibling binary
//! `deltamargin-sim` (the scenario simulator, keeper, drill and admin call on the contracts, built
//! from the excluded `tests/` crate because drink cannot live in this workspace) with the arguments
//! passed through.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use crate::error::{CliError, CliResult};

/// The simulator's file name.
const SIM: &str = "deltamargin-sim";

/// How to build the simulator, for the error when it is missing.
pub const BUILD_HINT: &str = "build it with `cd tests && cargo build --release --locked --bin deltamargin-sim` \
     (with the same CARGO_TARGET_DIR as this tool it lands next to `deltamargin`), or set DELTAMARGIN_SIM to its path";

/// The simulator binary: `$DELTAMARGIN_SIM` if set, else `deltamargin-sim` next to the running
/// executable. Missing: an I/O error saying how to build it.
pub fn sim_binary() -> CliResult<PathBuf> {
    if let Some(path) = std::env::var_os("DELTAMARGIN_SIM") {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        return Err(CliError::Io(format!("DELTAMARGIN_SIM={} is not a file; {BUILD_HINT}", path.display())));
    }
    let exe = std::env::current_exe().map_err(|e| CliError::Io(format!("cannot locate this executable: {e}")))?;
    let sibling = exe.with_file_name(format!("{SIM}{}", std::env::consts::EXE_SUFFIX));
    if sibling.is_file() {
        return Ok(sibling);
    }
    Err(CliError::Io(format!("the simulator `{SIM}` was not found at {}; {BUILD_HINT}", sibling.display())))
}

/// Runs `deltamargin-sim <subcommand> <args…>` with inherited stdin, stdout and stderr and
/// returns its exit code (1 if it was killed by a signal).
pub fn run(subcommand: &str, args: &[OsString]) -> CliResult<ExitCode> {
    let binary = sim_binary()?;
    let status = Command::new(&binary)
        .arg(subcommand)
        .args(args)
        .status()
        .map_err(|e| CliError::Io(format!("cannot run {}: {e}", binary.display())))?;
    Ok(ExitCode::from(status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(1)))
}
