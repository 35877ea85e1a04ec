//! `deltamargin-keeper`: the keeper as a long-running service against a live node.
//!
//! * The signer's secret URI comes from a file (`--signer-file`, first line) or the environment
//!   variable [`SIGNER_ENV`], never from the command line, where `ps` would show it.
//! * Every round's decisions and errors are printed to stdout as logfmt lines
//!   ([`KeeperLog::logfmt`]): `ts=… level=… event=… key=value…`, one per decision.
//! * A failed connection (at start or later) is retried with exponential back-off (1 s doubling
//!   to `--max-backoff-ms`); chain errors inside a round back off by rounds (see [`Keeper`]).
//! * Exit codes: 0 on a clean `--once` round; 2 on a configuration error (bad arguments, no
//!   signer, unreadable signer file); 1 only for `--once` when its round hit a chain error (a
//!   one-shot check for scripts). The service itself never exits on chain or node errors.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::live::{parse_account, parse_signer, LiveChain, LiveNode};
use crate::{Account, Keeper, KeeperChain, KeeperConfig, KeeperLog};

/// The environment variable holding the signer's secret URI when no `--signer-file` is given.
pub const SIGNER_ENV: &str = "DELTAMARGIN_SIGNER";

/// Where a live-node command runs and whose key signs.
#[derive(Debug, Clone, clap::Args)]
pub struct NodeArgs {
    /// Node RPC endpoint (ws:// or wss://).
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    pub url: String,
    /// The engine contract's address: SS58 or 0x + 64 hex digits.
    #[arg(long)]
    pub engine: String,
    /// A file whose first line is the signer's secret URI (e.g. //Alice or a mnemonic). Without
    /// it the URI is read from the environment variable DELTAMARGIN_SIGNER. The keeper's signer
    /// needs quote deposited in the engine (its initial margin covers what it takes over); the
    /// admin sender's is the engine's owner.
    #[arg(long)]
    pub signer_file: Option<PathBuf>,
}

/// A configuration error (exit code 2) or a failed one-shot round (exit code 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// Bad arguments, no signer, an unreadable signer file.
    Config(String),
    /// `--once`: the round hit a chain error.
    RoundFailed(String),
}

impl RunError {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Config(_) => 2,
            RunError::RoundFailed(_) => 1,
        }
    }
}

impl core::fmt::Display for RunError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            RunError::Config(m) => write!(f, "configuration: {m}"),
            RunError::RoundFailed(m) => f.write_str(m),
        }
    }
}

/// Checks that `url` is a websocket endpoint.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("ws://") || url.starts_with("wss://") {
        Ok(())
    } else {
        Err(format!("--url must start with ws:// or wss:// (got `{url}`)"))
    }
}

/// The signer's secret URI: the first line of `--signer-file`, else `env` (the value of
/// [`SIGNER_ENV`]). Errors name where it was looked for.
pub fn signer_suri(args: &NodeArgs, env: Option<String>) -> Result<String, String> {
    let suri = match &args.signer_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("--signer-file {}: {e}", path.display()))?;
            text.lines().next().unwrap_or("").trim().to_string()
        }
        None => env.ok_or_else(|| format!("no signer: give --signer-file or set {SIGNER_ENV}"))?.trim().to_string(),
    };
    if suri.is_empty() {
        return Err("the signer's secret URI is empty".into());
    }
    parse_signer(&suri)?;
    Ok(suri)
}

/// Arguments of `deltamargin-keeper`.
#[derive(Debug, Clone, clap::Args)]
pub struct KeeperArgs {
    /// Node, engine and keeper signer.
    #[command(flatten)]
    pub node: NodeArgs,
    /// Run one round and exit (exit code 1 if the round hit a chain error).
    #[arg(long)]
    pub once: bool,
    /// Pause between rounds, ms.
    #[arg(long, default_value_t = 6000)]
    pub interval_ms: u64,
    /// Accounts read per `accounts(from, limit)` page (1..=100).
    #[arg(long, default_value_t = 64)]
    pub page_size: u32,
    /// Liquidations sent per round at most (≥ 1).
    #[arg(long, default_value_t = 16)]
    pub max_per_round: u32,
    /// Longest wait between reconnection attempts, ms (≥ 1000).
    #[arg(long, default_value_t = 60_000)]
    pub max_backoff_ms: u64,
}

/// Checks the arguments that clap cannot.
pub fn validate(args: &KeeperArgs) -> Result<(), String> {
    check_url(&args.node.url)?;
    if !(1..=100).contains(&args.page_size) {
        return Err(format!("--page-size must be 1..=100 (the engine's page cap), got {}", args.page_size));
    }
    if args.max_per_round == 0 {
        return Err("--max-per-round must be at least 1".into());
    }
    if args.interval_ms == 0 {
        return Err("--interval-ms must be at least 1".into());
    }
    if args.max_backoff_ms < 1000 {
        return Err("--max-backoff-ms must be at least 1000".into());
    }
    Ok(())
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// The wait before reconnection attempt `attempt` (from 0): 1 s doubling, capped at `max_ms`.
pub fn reconnect_delay_ms(attempt: u32, max_ms: u64) -> u64 {
    1000u64.checked_shl(attempt.min(40)).unwrap_or(u64::MAX).min(max_ms)
}

/// Connects to the node, retrying with back-off until it answers (a node that is down is not a
/// configuration error).
fn connect(args: &KeeperArgs, engine: Account, suri: &str, once: bool) -> Result<LiveChain, RunError> {
    let mut attempt = 0u32;
    loop {
        match LiveNode::connect(&args.node.url) {
            Ok(node) => {
                let signer = parse_signer(suri).map_err(RunError::Config)?;
                return Ok(LiveChain::new(node, engine, signer));
            }
            Err(e) if once => return Err(RunError::RoundFailed(e)),
            Err(e) => {
                let wait = reconnect_delay_ms(attempt, args.max_backoff_ms);
                println!("{}", KeeperLog::ChainFailure(format!("{e}; reconnecting in {wait} ms")).logfmt(now_ms()));
                std::thread::sleep(Duration::from_millis(wait));
                attempt = attempt.saturating_add(1);
            }
        }
    }
}

/// Runs the keeper (see the module docs for exit codes); `env_signer` is the value of
/// [`SIGNER_ENV`].
pub fn run(args: KeeperArgs, env_signer: Option<String>) -> Result<(), RunError> {
    validate(&args).map_err(RunError::Config)?;
    let engine = parse_account(&args.node.engine).map_err(|e| RunError::Config(format!("--engine: {e}")))?;
    let suri = signer_suri(&args.node, env_signer).map_err(RunError::Config)?;
    let config = KeeperConfig {
        page_size: args.page_size,
        max_liquidations_per_round: args.max_per_round,
        ..KeeperConfig::default()
    };
    let mut keeper = Keeper::new(config);
    let mut chain = connect(&args, engine, &suri, args.once)?;
    let start = KeeperLog::Note(format!(
        "keeper {} on engine {} at {}",
        crate::short(&chain.keeper()),
        args.node.engine,
        args.node.url
    ));
    println!("{}", start.logfmt(now_ms()));
    let mut failures_in_a_row = 0u32;
    loop {
        let logs = keeper.run_once(&mut chain);
        let failed = logs.iter().any(|l| matches!(l, KeeperLog::ChainFailure(_)));
        if logs.is_empty() {
            println!("{}", KeeperLog::Note("round: nothing to liquidate".into()).logfmt(now_ms()));
        }
        for log in &logs {
            println!("{}", log.logfmt(now_ms()));
        }
        if args.once {
            return if failed { Err(RunError::RoundFailed("the round hit a chain error".into())) } else { Ok(()) };
        }
        // Rounds that keep failing may mean a dropped connection: connect anew.
        failures_in_a_row = if failed { failures_in_a_row.saturating_add(1) } else { 0 };
        if failures_in_a_row >= 3 {
            failures_in_a_row = 0;
            chain = connect(&args, engine, &suri, false)?;
        }
        std::thread::sleep(Duration::from_millis(args.interval_ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: KeeperArgs,
    }

    fn parse(argv: &[&str]) -> Result<KeeperArgs, String> {
        let cli =
            Cli::try_parse_from(std::iter::once("keeper").chain(argv.iter().copied())).map_err(|e| e.to_string())?;
        validate(&cli.args)?;
        Ok(cli.args)
    }

    #[test]
    fn arguments_are_checked() {
        let ok = parse(&["--engine", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"]).unwrap();
        assert_eq!((ok.page_size, ok.interval_ms, ok.once, ok.max_backoff_ms), (64, 6000, false, 60_000));
        assert!(parse(&[]).is_err(), "--engine is required");
        assert!(parse(&["--engine", "x", "--page-size", "0"]).unwrap_err().contains("page-size"));
        assert!(parse(&["--engine", "x", "--page-size", "101"]).unwrap_err().contains("page-size"));
        assert!(parse(&["--engine", "x", "--url", "http://a"]).unwrap_err().contains("--url"));
        assert!(parse(&["--engine", "x", "--max-per-round", "0"]).is_err());
        assert!(parse(&["--engine", "x", "--max-backoff-ms", "999"]).is_err());
        assert!(parse(&["--engine", "x", "--suri", "//Alice"]).is_err(), "no secret on the command line");
    }

    #[test]
    fn the_signer_comes_from_a_file_or_the_environment() {
        let args = |file: Option<PathBuf>| NodeArgs { url: "ws://a".into(), engine: "x".into(), signer_file: file };
        assert_eq!(signer_suri(&args(None), Some("//Alice\n".into())), Ok("//Alice".into()));
        assert!(signer_suri(&args(None), None).unwrap_err().contains(SIGNER_ENV));
        assert!(signer_suri(&args(None), Some("  ".into())).is_err());
        let dir = std::env::temp_dir().join(format!("deltamargin-keeper-signer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("suri");
        std::fs::write(&path, "//Dave\nignored\n").unwrap();
        // The file wins over the environment.
        assert_eq!(signer_suri(&args(Some(path.clone())), Some("//Alice".into())), Ok("//Dave".into()));
        std::fs::write(&path, "not a secret uri at all //").unwrap();
        assert!(signer_suri(&args(Some(path)), None).is_err());
        assert!(signer_suri(&args(Some(dir.join("missing"))), None).unwrap_err().contains("--signer-file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn configuration_errors_exit_2_and_a_failed_once_round_1() {
        let args = parse(&["--engine", "x"]).unwrap();
        let err = run(args, Some("//Alice".into())).unwrap_err();
        assert!(matches!(err, RunError::Config(ref m) if m.contains("--engine")), "{err:?}");
        assert_eq!(err.exit_code(), 2);
        let args = parse(&["--engine", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"]).unwrap();
        assert_eq!(run(args.clone(), None).unwrap_err().exit_code(), 2, "no signer");
        // Nothing listens on port 1: a --once round fails with exit code 1, not 2.
        let once = KeeperArgs { once: true, node: NodeArgs { url: "ws://127.0.0.1:1".into(), ..args.node }, ..args };
        assert_eq!(run(once, Some("//Alice".into())).unwrap_err().exit_code(), 1);
    }

    #[test]
    fn reconnection_waits_double_up_to_the_cap() {
        let waits: Vec<u64> = (0..8).map(|a| reconnect_delay_ms(a, 60_000)).collect();
        assert_eq!(waits, vec![1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
        assert_eq!(reconnect_delay_ms(u32::MAX, 5000), 5000);
    }

    #[test]
    fn engine_addresses_parse_from_ss58_and_hex() {
        // //Alice's well-known public key in both spellings.
        let alice = parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").unwrap();
        let hex = parse_account("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d").unwrap();
        assert_eq!(alice, hex);
        assert!(parse_account("0x1234").is_err());
        use crate::live::parse_hex;
        assert_eq!(parse_hex("0x00ffAb"), Ok(vec![0x00, 0xff, 0xab]));
        assert_eq!(parse_hex("0x"), Ok(vec![]));
        assert!(parse_hex("00ff").is_err() && parse_hex("0x0").is_err() && parse_hex("0xzz").is_err());
        assert!(parse_account("not-an-address").is_err());
        let signer = crate::live::parse_signer("//Alice").unwrap();
        assert_eq!(crate::Account::from(signer.public_key().0), alice);
    }
}
