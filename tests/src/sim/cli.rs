//! `deltamargin-sim simulate SCENARIO`.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::run;
use super::scenario::Scenario;

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The scenario file (TOML; see scenarios/ and the README's simulator section).
    pub scenario: PathBuf,
    /// Print the whole result as JSON on stdout instead of the table and summary.
    #[arg(long)]
    pub json: bool,
    /// Write three SVG charts (prices, health per account, insurance fund) into this directory.
    #[arg(long, value_name = "DIR")]
    pub svg: Option<PathBuf>,
    /// No progress bar (it is also off when stderr is not a terminal).
    #[arg(long)]
    pub quiet: bool,
}

/// Runs a scenario; `Err` is a message for stderr (exit code 1). A run whose conservation
/// check failed in some block prints its output and then fails.
pub fn run(args: SimulateArgs) -> Result<(), String> {
    let scenario = Scenario::load(&args.scenario)?;
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} blocks {elapsed}")
                .map_err(|e| e.to_string())?
                .progress_chars("=> "),
        );
        bar.set_message(format!("simulating {}", scenario.name));
        bar
    };
    let result = run::run(&scenario, &mut |done, total| {
        bar.set_length(u64::from(total));
        bar.set_position(u64::from(done));
    });
    bar.finish_and_clear();
    let result = result?;
    if args.json {
        let text = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print!("{}", super::report::text(&result));
    }
    if let Some(dir) = &args.svg {
        for path in super::svg::write(&result, dir)? {
            eprintln!("wrote {path}");
        }
    }
    if result.summary.conservation_failures > 0 || !result.summary.fund_identity_holds {
        return Err("conservation or the insurance identity failed (see the output)".into());
    }
    Ok(())
}
