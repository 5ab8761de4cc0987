//! `dyad serve [--addr 127.0.0.1:8080]`: the web pages and JSON API over the ledger.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Result;

use crate::context::LedgerArgs;

/// Arguments of `dyad serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
}

/// Runs `dyad serve` until Ctrl-C.
pub fn run(args: Args, ledger_args: &LedgerArgs, _out: &mut dyn Write) -> Result<()> {
    if ledger_args.known_on.is_some() {
        // The server answers for the current ledger; each API call can still ask for a past
        // state of it.
        anyhow::bail!(
            "--known-on does not apply to serve; pass known_on=YYYY-MM-DD to the API instead"
        );
    }
    dyad_web::serve_blocking(args.addr, ledger_args.home.clone())?;
    Ok(())
}
