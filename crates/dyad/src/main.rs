//! The `dyad` command line: parses arguments and hands each subcommand to its own file in `cmd/`.

mod cmd;
mod context;
mod output;
mod render;
mod stdout;

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
    let mut out = stdout::Stdout::lock();
    let result = cmd::run(cli.command, &cli.ledger, &mut out);
    // A reader that stopped reading (`dyad export | head`) is not an error of dyad's.
    let result = result.and_then(|()| std::io::Write::flush(&mut out).map_err(Into::into));
    if out.closed() {
        std::process::exit(0);
    }
    if let Err(err) = result {
        eprintln!("dyad: {err:#}");
        std::process::exit(1);
    }
}
