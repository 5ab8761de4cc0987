//! One file per subcommand; this module only lists them and dispatches.

use anyhow::Result;

use crate::context::LedgerArgs;

pub mod check;
pub mod compare;
pub mod diff;
pub mod export;
pub mod gravity;
pub mod history;
pub mod import;
pub mod init;
pub mod status;
pub mod timeline;
pub mod why;

/// Every subcommand of `dyad`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Where every actor stands toward an authority on a day.
    #[command(after_help = "Example:\n  dyad status AFG-IEA --on 2023-04-18")]
    Status(status::Args),
    /// Each dimension of one actor's stance, with the acts, dates and sources behind it.
    #[command(after_help = "Example:\n  dyad why KAZ AFG-IEA --on 2023-04-18")]
    Why(why::Args),
    /// Every act of one actor toward an authority, with the level after each.
    #[command(after_help = "Example:\n  dyad timeline RUS AFG-IEA")]
    Timeline(timeline::Args),
    /// Several actors side by side on one day.
    #[command(after_help = "Example:\n  dyad compare AFG-IEA --on 2023-04-18 KAZ CHN RUS TKM PAK")]
    Compare(compare::Args),
    /// Who moved between two days, and how.
    #[command(after_help = "Example:\n  dyad diff AFG-IEA --from 2023-01-01 --to 2025-12-31")]
    Diff(diff::Args),
    /// Every recorded version of an act.
    #[command(after_help = "Example:\n  dyad history RUS/AFG-IEA/2025-07-03/recognition")]
    History(history::Args),
    /// Add acts (and authorities) from CSV files to the home's ledger, all or nothing.
    #[command(
        after_help = "Example:\n  dyad --home ~/dyad import new_acts.csv --by 'A. Analyst' --reason 'added 2026 items'"
    )]
    Import(import::Args),
    /// Write the ledger's acts as CSV.
    #[command(after_help = "Example:\n  dyad export --authority AFG-IEA > acts.csv")]
    Export(export::Args),
    /// Validate acts files and list where dyad's level differs from the file's `level` column.
    #[command(after_help = "Example:\n  dyad check afghanistan_iea_events.csv")]
    Check(check::Args),
    /// Create a home directory with a ledger (seeded with the bundled dataset).
    #[command(after_help = "Example:\n  dyad init ~/dyad && export DYAD_HOME=~/dyad")]
    Init(init::Args),
    /// Estimate a gravity model (PPML or OLS) with high-dimensional fixed effects.
    Gravity(gravity::Args),
}

/// Runs one subcommand, writing its result to standard output.
pub fn run(command: Command, ledger: &LedgerArgs) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        Command::Status(args) => status::run(args, ledger, &mut out),
        Command::Why(args) => why::run(args, ledger, &mut out),
        Command::Timeline(args) => timeline::run(args, ledger, &mut out),
        Command::Compare(args) => compare::run(args, ledger, &mut out),
        Command::Diff(args) => diff::run(args, ledger, &mut out),
        Command::History(args) => history::run(args, ledger, &mut out),
        Command::Import(args) => import::run(args, ledger, &mut out),
        Command::Export(args) => export::run(args, ledger, &mut out),
        Command::Check(args) => check::run(args, ledger, &mut out),
        Command::Init(args) => init::run(args, &mut out),
        Command::Gravity(args) => gravity::run(args, &mut out),
    }
}
