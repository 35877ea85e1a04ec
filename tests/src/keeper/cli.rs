//! `deltamargin-sim keeper`: the keeper against a live node.

use std::time::Duration;

use super::live::{parse_account, LiveChain};
use super::{Keeper, KeeperConfig};

/// Where and as whom a live-node command runs (`keeper`, `admin`).
#[derive(Debug, clap::Args)]
pub struct NodeArgs {
    /// Node RPC endpoint (ws:// or wss://).
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    pub url: String,
    /// The engine contract's address: SS58 or 0x + 64 hex digits.
    #[arg(long)]
    pub engine: String,
    /// The signer as a secret URI (e.g. //Alice or a mnemonic): for `keeper` an account with
    /// quote deposited in the engine (its initial margin covers what it takes over), for `admin`
    /// the engine's owner.
    #[arg(long, default_value = "//Alice")]
    pub suri: String,
}

/// Checks that `url` is a websocket endpoint.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("ws://") || url.starts_with("wss://") {
        Ok(())
    } else {
        Err(format!("--url must start with ws:// or wss:// (got `{url}`)"))
    }
}

/// Arguments of `keeper`.
#[derive(Debug, clap::Args)]
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
    Ok(())
}

/// Runs the keeper; `Err` is a message for stderr (exit code 1).
pub fn run(args: KeeperArgs) -> Result<(), String> {
    validate(&args)?;
    let NodeArgs { url, engine: engine_text, suri } = &args.node;
    let engine = parse_account(engine_text).map_err(|e| format!("--engine: {e}"))?;
    let mut chain = LiveChain::connect(url, engine, suri)?;
    let config = KeeperConfig {
        page_size: args.page_size,
        max_liquidations_per_round: args.max_per_round,
        ..KeeperConfig::default()
    };
    let mut keeper = Keeper::new(config);
    eprintln!("keeper {} on engine {engine_text} at {url}", super::short(&chain_keeper(&chain)));
    loop {
        let logs = keeper.run_once(&mut chain);
        let failed = logs.iter().any(|l| matches!(l, super::KeeperLog::ChainFailure(_)));
        if logs.is_empty() {
            println!("round: nothing to liquidate");
        }
        for log in &logs {
            println!("{log}");
        }
        if args.once {
            return if failed { Err("the round hit a chain error".into()) } else { Ok(()) };
        }
        std::thread::sleep(Duration::from_millis(args.interval_ms));
    }
}

fn chain_keeper(chain: &LiveChain) -> crate::utils::Account {
    use super::KeeperChain;
    chain.keeper()
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
        assert_eq!((ok.page_size, ok.interval_ms, ok.once), (64, 6000, false));
        assert!(parse(&[]).is_err(), "--engine is required");
        assert!(parse(&["--engine", "x", "--page-size", "0"]).unwrap_err().contains("page-size"));
        assert!(parse(&["--engine", "x", "--page-size", "101"]).unwrap_err().contains("page-size"));
        assert!(parse(&["--engine", "x", "--url", "http://a"]).unwrap_err().contains("--url"));
        assert!(parse(&["--engine", "x", "--max-per-round", "0"]).is_err());
    }

    #[test]
    fn engine_addresses_parse_from_ss58_and_hex() {
        // //Alice's well-known public key in both spellings.
        let alice = parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").unwrap();
        let hex = parse_account("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d").unwrap();
        assert_eq!(alice, hex);
        assert!(parse_account("0x1234").is_err());
        use crate::keeper::live::parse_hex;
        assert_eq!(parse_hex("0x00ffAb"), Ok(vec![0x00, 0xff, 0xab]));
        assert_eq!(parse_hex("0x"), Ok(vec![]));
        assert!(parse_hex("00ff").is_err() && parse_hex("0x0").is_err() && parse_hex("0xzz").is_err());
        assert!(parse_account("not-an-address").is_err());
        let signer = crate::keeper::live::parse_signer("//Alice").unwrap();
        assert_eq!(crate::utils::Account::from(signer.public_key().0), alice);
    }
}
