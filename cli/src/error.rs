//! The CLI's error type and its exit codes.

use core::fmt;

/// Why a command failed. Every failure prints one message on stderr and nothing on stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// Bad input (malformed, missing or out-of-domain values, or a `margin-math` error): exit code 2.
    /// The message starts with the JSON path, flag or `file:line` of the offending value.
    Input(String),
    /// A file or stream could not be read or written: exit code 1.
    Io(String),
}

impl CliError {
    /// The process exit code for this error: 2 for bad input, 1 for I/O.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 2,
            CliError::Io(_) => 1,
        }
    }

    /// Shorthand for an input error at `path`.
    pub fn at(path: &str, message: impl fmt::Display) -> CliError {
        CliError::Input(format!("{path}: {message}"))
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(m) | CliError::Io(m) => f.write_str(m),
        }
    }
}

/// Shorthand for `Result<T, CliError>`.
pub type CliResult<T> = Result<T, CliError>;
