//! The `dyad` command line: parses arguments and hands each subcommand to its own file in `cmd/`.

mod cmd;
mod context;
mod output;
mod render;

use clap::Parser;

/// dyad: who recognises whom as of any date, with a source behind every fact, and what trade did.
#[derive(Debug, Parser)]
#[command(name = "dyad", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    ledger: context::LedgerArgs,
    #[command(subcommand)]
    command: cmd::Command,
}

fn main() {
    let cli = Cli::parse();
    if let Err(err) = cmd::run(cli.command, &cli.ledger) {
        eprintln!("dyad: {err:#}");
        std::process::exit(1);
    }
}
