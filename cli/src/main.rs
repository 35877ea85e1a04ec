//! `deltamargin`: the off-chain tool (README, "The `deltamargin` CLI").
//!
//! It runs the very `margin-math` code the contracts run, on the same integers: every decimal
//! string of the input is parsed exactly to an 18-decimal integer ([`decimal`]) and converted by
//! `margin-math`'s integer-first conversions, so a figure printed here is bit-identical to the
//! contract's for the same snapshot and time (use `margin --raw` to compare raw bits).
//!
//! Exit codes: 0 success; 2 bad input (a message on stderr starting with the JSON path, flag or
//! `file:line` of the offending value; also clap's usage errors); 1 I/O error. On failure nothing
//! is written to stdout.

mod error;
mod forward;
mod greeks_cmd;
mod input;
mod json;
mod margin_cmd;
mod output;
mod risk_cmd;
mod stress_cmd;
mod svg;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use error::{CliError, CliResult};
use stress_cmd::Level;

/// Portfolio delta margin, option greeks and stress grids, bit-identical to the deltamargin contracts.
#[derive(Debug, Parser)]
#[command(name = "deltamargin", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Equity, initial and maintenance margin, health and per-underlying risk of one account
    /// (canonical account JSON, see the README).
    Margin(MarginArgs),
    /// Black-Scholes price, delta, gamma and vega of one option, or of every row of a CSV.
    Greeks(GreeksArgs),
    /// Full revaluation of each held underlying on a fine spot × vol grid (JSON, optional SVG).
    Stress(StressArgs),
    /// VaR and Expected Shortfall by historical simulation: every horizon window of a price
    /// history (CSV: time, one price column per market, optional <name>_vol) revalues the book.
    Risk(RiskArgs),
    /// Replays a scenario file on the real contracts in an embedded sandbox (runs the sibling
    /// binary `deltamargin-sim simulate`; `deltamargin simulate --help` shows its options).
    #[command(disable_help_flag = true)]
    Simulate(ForwardArgs),
    /// Runs the keeper against a live node (runs the sibling binary `deltamargin-keeper`; the
    /// signer's secret URI comes from --signer-file or DELTAMARGIN_SIGNER).
    #[command(disable_help_flag = true)]
    Keeper(ForwardArgs),
    /// Deploys the suite on a live dev chain, makes an account liquidatable and checks that one
    /// keeper round liquidates it (runs `deltamargin-sim drill`).
    #[command(disable_help_flag = true)]
    Drill(ForwardArgs),
    /// Sends one engine owner call, encoded with the admin module's metadata, through the
    /// engine's `admin` on a live node (runs the sibling binary `deltamargin-admin`).
    #[command(disable_help_flag = true)]
    Admin(ForwardArgs),
}

/// Arguments passed through unchanged to a sibling binary.
#[derive(Debug, Args)]
struct ForwardArgs {
    /// Everything after the subcommand, `--help` included.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "ARGS")]
    args: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
struct RiskArgs {
    /// The account JSON file, or `-` for stdin.
    #[arg(long, value_name = "FILE|-")]
    input: PathBuf,
    /// The price history CSV (one row per day; see examples/history.csv).
    #[arg(long, value_name = "FILE")]
    history: PathBuf,
    /// Horizon in days (history rows).
    #[arg(long, default_value_t = 1)]
    horizon_days: usize,
    /// Use every start day (overlapping windows) instead of disjoint windows.
    #[arg(long)]
    overlapping: bool,
    /// Confidence levels (comma-separated), each between 0 and 1.
    #[arg(long, value_delimiter = ',', default_values_t = [0.99, 0.975])]
    confidence: Vec<f64>,
    /// Probability of the distribution-free VaR interval.
    #[arg(long, default_value_t = 0.95)]
    coverage: f64,
    /// How many worst scenarios to list.
    #[arg(long, default_value_t = 5)]
    worst: usize,
    /// Reference coverage for the margin backtest (Kupiec's test, the traffic light).
    #[arg(long, default_value_t = 0.99)]
    backtest_coverage: f64,
    /// VaR and ES from this many Monte Carlo paths (Student-t copula and marginals at the
    /// markets' vols, correlation fitted to the history) instead of the history's windows.
    #[arg(long, value_name = "PATHS")]
    monte_carlo: Option<usize>,
    /// Seed of the Monte Carlo paths.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Degrees of freedom of the Monte Carlo t distribution (≥ 3).
    #[arg(long, default_value_t = 4)]
    dof: u32,
}

#[derive(Debug, Args)]
struct MarginArgs {
    /// The account JSON file, or `-` for stdin.
    #[arg(long, value_name = "FILE|-")]
    input: PathBuf,
    /// Also print a "raw" object with the I80F48 bits of E, IM, MM, health and per-underlying risk.
    #[arg(long)]
    raw: bool,
}

#[derive(Debug, Args)]
struct GreeksArgs {
    /// Option kind.
    #[arg(long, value_enum, required_unless_present = "csv")]
    kind: Option<KindArg>,
    /// Spot, quote per unit (decimal, > 0).
    #[arg(long, allow_hyphen_values = true, required_unless_present = "csv")]
    spot: Option<String>,
    /// Strike, quote per unit (decimal, > 0).
    #[arg(long, allow_hyphen_values = true, required_unless_present = "csv")]
    strike: Option<String>,
    /// Volatility, annualized fraction (decimal, 0.65 = 65%).
    #[arg(long, allow_hyphen_values = true, required_unless_present = "csv")]
    vol: Option<String>,
    /// Time to expiry in years (decimal, ≥ 0).
    #[arg(long, allow_hyphen_values = true, required_unless_present = "csv")]
    years: Option<String>,
    /// Continuously compounded annual rate (decimal).
    #[arg(long, allow_hyphen_values = true, default_value = "0")]
    rate: String,
    /// Price every row of this CSV (`-` for stdin) with columns kind,spot,strike,vol,t_years[,rate].
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["kind", "spot", "strike", "vol", "years", "rate", "raw"])]
    csv: Option<PathBuf>,
    /// Also print the raw I64F64 bits (single option only).
    #[arg(long)]
    raw: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Call,
    Put,
}

#[derive(Debug, Args)]
struct StressArgs {
    /// The account JSON file, or `-` for stdin.
    #[arg(long, value_name = "FILE|-")]
    input: PathBuf,
    /// Also write an SVG chart (loss vs spot, one line per vol, one panel per underlying).
    #[arg(long, value_name = "OUT")]
    svg: Option<PathBuf>,
    /// Spot points from S(1−h) to S(1+h), 2–201.
    #[arg(long, default_value_t = 21, value_parser = clap::value_parser!(u32).range(2..=201))]
    spot_points: u32,
    /// Vol points from max(σ−v, σ_min) to σ+v, 1–201 (1: σ only).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=201))]
    vol_points: u32,
    /// Which margin level's shock box to use.
    #[arg(long, value_enum, default_value_t = LevelArg::Mm)]
    level: LevelArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LevelArg {
    Mm,
    Im,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let forwarded = match &cli.command {
        Command::Simulate(a) => Some((forward::SIM, "simulate", &a.args)),
        Command::Keeper(a) => Some((forward::KEEPER, "keeper", &a.args)),
        Command::Drill(a) => Some((forward::SIM, "drill", &a.args)),
        Command::Admin(a) => Some((forward::ADMIN, "admin", &a.args)),
        _ => None,
    };
    if let Some((sibling, subcommand, args)) = forwarded {
        return forward::run(sibling, subcommand, args).unwrap_or_else(|e| {
            eprintln!("deltamargin: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        });
    }
    match run(cli.command) {
        Ok(text) => match std::io::stdout().lock().write_all(text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("deltamargin: cannot write to stdout: {e}");
                ExitCode::from(1)
            }
        },
        Err(e) => {
            eprintln!("deltamargin: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

/// Runs one command and returns everything it prints on stdout (printed only on success).
fn run(command: Command) -> CliResult<String> {
    match command {
        Command::Margin(a) => {
            let snapshot = input::parse(&read_input(&a.input)?)?;
            let health = margin_cmd::health(&snapshot)?;
            Ok(output::pretty(&margin_cmd::render(&snapshot, &health, a.raw)))
        }
        Command::Greeks(a) => match &a.csv {
            Some(path) => greeks_cmd::csv(&read_input(path)?, &path.display().to_string()),
            None => {
                let kind = match a.kind {
                    Some(KindArg::Call) => "call",
                    Some(KindArg::Put) => "put",
                    None => return Err(CliError::Input("--kind: missing".into())),
                };
                let missing = |flag: &str| CliError::Input(format!("--{flag}: missing"));
                let o = greeks_cmd::OptionText {
                    kind,
                    spot: a.spot.as_deref().ok_or_else(|| missing("spot"))?,
                    strike: a.strike.as_deref().ok_or_else(|| missing("strike"))?,
                    vol: a.vol.as_deref().ok_or_else(|| missing("vol"))?,
                    years: a.years.as_deref().ok_or_else(|| missing("years"))?,
                    rate: &a.rate,
                };
                let g = greeks_cmd::compute(&o, &greeks_cmd::flag_names())?;
                Ok(output::pretty(&greeks_cmd::render(&g, a.raw)))
            }
        },
        Command::Simulate(_) | Command::Keeper(_) | Command::Drill(_) | Command::Admin(_) => {
            Err(CliError::Io("simulate, keeper, drill and admin are forwarded to sibling binaries".into()))
        }
        Command::Risk(a) => {
            let snapshot = input::parse(&read_input(&a.input)?)?;
            let name = a.history.display().to_string();
            let history = risk_cmd::read_history(&read_input(&a.history)?, &name)?;
            let options = risk_cmd::RiskOptions {
                horizon_rows: a.horizon_days,
                overlapping: a.overlapping,
                confidences: a.confidence,
                coverage: a.coverage,
                worst: a.worst,
                backtest_coverage: a.backtest_coverage,
                monte_carlo: a.monte_carlo.map(|paths| (paths, a.seed, a.dof)),
            };
            Ok(output::pretty(&risk_cmd::run(&snapshot, &history, &name, &options)?))
        }
        Command::Stress(a) => {
            let snapshot = input::parse(&read_input(&a.input)?)?;
            let level = match a.level {
                LevelArg::Mm => Level::Maintenance,
                LevelArg::Im => Level::Initial,
            };
            let results = stress_cmd::run(&snapshot, a.spot_points, a.vol_points, level)?;
            let json = stress_cmd::render(&results, a.spot_points, a.vol_points, level)?;
            if let Some(out) = &a.svg {
                write_atomically(out, &svg::render(&stress_cmd::panels(&results, level), level.name()))?;
            }
            Ok(output::pretty(&json))
        }
    }
}

/// Reads a UTF-8 file, or stdin for `-`. Unreadable: I/O error; not UTF-8: input error.
fn read_input(path: &Path) -> CliResult<String> {
    let mut bytes = Vec::new();
    let name = path.display().to_string();
    let result = if name == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map(|_| ())
    };
    result.map_err(|e| CliError::Io(format!("cannot read {name}: {e}")))?;
    String::from_utf8(bytes).map_err(|e| CliError::at(&name, format_args!("not valid UTF-8 ({e})")))
}

/// Writes `text` to `OUT.tmp` and renames it over `OUT`, so a failed run never leaves half a file.
fn write_atomically(path: &Path, text: &str) -> CliResult<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let io = |e: std::io::Error| CliError::Io(format!("cannot write {}: {e}", path.display()));
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}
