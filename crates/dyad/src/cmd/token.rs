//! `dyad token create|list|revoke`: curator tokens for writing through the web API.

use std::io::Write;

use anyhow::{Context, Result};

use crate::context::LedgerArgs;
use crate::output::{self, Format};

/// Arguments of `dyad token`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The token actions.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Create a token and print it (only this once; the ledger keeps just its hash).
    Create {
        /// Name of the curator or tool; written as `recorded_by` on the acts it adds.
        name: String,
    },
    /// List tokens by name, with when they were created and revoked.
    List {
        /// Output format (default: table on a terminal, CSV otherwise).
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
    /// Revoke a token: it stops working at once.
    Revoke {
        /// Name given at creation.
        name: String,
    },
}

/// Runs `dyad token`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    if ledger_args.home.is_none() {
        anyhow::bail!(
            "tokens live in a home's ledger: run `dyad init DIR`, then pass --home DIR or set DYAD_HOME"
        );
    }
    let mut ledger = ledger_args.open()?;
    match args.action {
        Action::Create { name } => {
            let token = ledger
                .create_token(&name)
                .with_context(|| format!("creating token `{name}`"))?;
            writeln!(out, "{token}")?;
            eprintln!(
                "token `{name}` created; it is shown only now. Send it as `Authorization: Bearer TOKEN` to POST /api/acts."
            );
        }
        Action::List { format } => {
            let tokens = ledger.tokens()?;
            let view = dyad_view::ledger::TokensView { tokens: &tokens };
            output::write(&view, Format::resolve(format), out)?;
        }
        Action::Revoke { name } => {
            ledger
                .revoke_token(&name)
                .with_context(|| format!("revoking token `{name}`"))?;
            writeln!(out, "token `{name}` revoked")?;
        }
    }
    Ok(())
}
