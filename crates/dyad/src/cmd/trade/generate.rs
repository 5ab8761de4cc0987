//! `dyad trade generate DIR --rows N --years A-B`: a synthetic BACI-format release.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use dyad_trade::generate::{generate, Spec};

/// Arguments of `dyad trade generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write the release into.
    pub dir: PathBuf,
    /// Rows per year (approximately).
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Years, e.g. 2000-2024.
    #[arg(long, value_parser = super::parse_years)]
    pub years: dyad_trade::Years,
    /// Number of HS6 product codes.
    #[arg(long, default_value_t = 5000)]
    pub products: usize,
    /// Seed of the random numbers (the same seed gives the same files).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Runs `dyad trade generate`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<()> {
    let spec = Spec {
        rows_per_year: args.rows,
        first_year: args.years.from,
        last_year: args.years.to,
        products: args.products,
        seed: args.seed,
    };
    for (path, rows) in generate(&args.dir, &spec)? {
        writeln!(out, "{}: {rows} rows", path.display())?;
    }
    Ok(())
}
