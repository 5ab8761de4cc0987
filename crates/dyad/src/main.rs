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
    let result = match cli.command {
        // A cluster role runs Ballista's servers on a runtime of its own (deep stacks, see
        // `dyad_cluster::run_scheduler`), which cannot start inside another.
        cmd::Command::Cluster(args) => cmd::cluster::run(args, &mut out),
        command => runtime().and_then(|rt| rt.block_on(cmd::run(command, &cli.ledger, &mut out))),
    };
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

/// The one tokio runtime of the process (but for `dyad cluster`'s roles), on which `main` awaits
/// the command: DataFusion's
/// queries and `serve` run on it (`dyad_trade::TradeDb` and the server own none). Multi-threaded,
/// one worker per core (tokio's default, as `serve` had), so that a query's partitions run in
/// parallel; timers, sockets and signals enabled for `serve`. The workers start when the runtime
/// is built and then sleep, which is all that commands that never read trade tables pay:
/// DataFusion itself is only set up when a command opens the trade tables.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the async runtime: {e}"))
}
