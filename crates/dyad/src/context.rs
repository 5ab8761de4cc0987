//! What every ledger command needs: the ledger (a home, or the bundled data) and common dates.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use dyad_ledger::Ledger;
use time::Date;

/// Options shared by the ledger commands.
#[derive(Debug, Clone, clap::Args)]
pub struct LedgerArgs {
    /// Home directory made by `dyad init` (default: $DYAD_HOME; without either, the bundled data).
    #[arg(long, env = "DYAD_HOME", global = true)]
    pub home: Option<PathBuf>,
    /// Answer as the ledger stood at the end of this day (YYYY-MM-DD), ignoring later edits.
    #[arg(long, value_parser = parse_day, global = true)]
    pub known_on: Option<Date>,
}

impl LedgerArgs {
    /// Opens the ledger in the home, or the bundled one. Opening writes nothing: a command that
    /// only reads leaves the home as it was, and the first write migrates an old home.
    pub fn open(&self) -> Result<Ledger> {
        let Some(dir) = &self.home else {
            return Ledger::bundled().context("loading the bundled dataset");
        };
        let ledger = Ledger::open(dir)
            .with_context(|| format!("opening the ledger in {}", dir.display()))?;
        if let Some(version) = ledger.upgraded_in_memory() {
            eprintln!(
                "dyad: note: the ledger in {home} is at schema version {version}, too old to read \
                 as it is; it was upgraded in memory for this command and the home is unchanged. \
                 `dyad --home {home} migrate` upgrades it for good (later commands then start \
                 faster).",
                home = dir.display()
            );
        }
        Ok(ledger)
    }
}

/// Parses a `YYYY-MM-DD` argument.
pub fn parse_day(text: &str) -> Result<Date, String> {
    dyad_core::date::parse_day(text).map_err(|e| e.to_string())
}

/// Today in UTC, the default for `--on`.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// Checks that an authority id is known, with a helpful message.
pub fn authority<'a>(ledger: &'a Ledger, id: &str) -> Result<&'a dyad_core::Authority> {
    ledger.registry().authority(id).with_context(|| {
        let known: Vec<&str> = ledger
            .registry()
            .authorities()
            .map(|a| a.id.as_str())
            .collect();
        format!("unknown authority `{id}`; known: {}", known.join(", "))
    })
}

/// Checks that an actor code is known.
pub fn actor(ledger: &Ledger, code: &str) -> Result<()> {
    if ledger.registry().state(code).is_none() {
        anyhow::bail!("unknown actor `{code}` (expected an ISO alpha-3 code such as KAZ, or UN)");
    }
    Ok(())
}
