//! `dyad trade ...`: the trade store and its queries, one file per subcommand.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use dyad_trade::datafusion::arrow::array::RecordBatch;
use dyad_view::View;

use crate::context::LedgerArgs;
use crate::output::{self, write_atomic, Format};

pub mod generate;
pub mod ingest;
pub mod mirror;
pub mod partners;
pub mod products;
pub mod series;

/// Arguments of `dyad trade`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands of `dyad trade`.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Read BACI releases, Comtrade files or reported figures into the home's trade store.
    #[command(
        after_help = "Example:\n  dyad --home ~/dyad trade ingest BACI_HS17_V202401.zip\n  dyad --home ~/dyad trade ingest C_A_398_2023_H6_O.txt.gz --source comtrade"
    )]
    Ingest(ingest::Args),
    /// Trade between two countries in both directions, by year, source and reporter.
    #[command(after_help = "Example:\n  dyad trade series KAZ AFG --years 2017-2024")]
    Series(series::Args),
    /// What one country sold another, by HS product at 2, 4 or 6 digits, in a year or by year.
    #[command(
        after_help = "Example:\n  dyad trade products KAZ AFG --year 2022 --level 4\n  dyad trade products KAZ AFG --years 2000-2024 --level 2"
    )]
    Products(products::Args),
    /// A country's main partners over some years, with their shares.
    #[command(
        after_help = "Example:\n  dyad trade partners AFG --flow import --years 2019-2023 --top 10"
    )]
    Partners(partners::Args),
    /// Exporter-reported exports against importer-reported imports (Comtrade), by year.
    #[command(after_help = "Example:\n  dyad trade mirror KAZ AFG")]
    Mirror(mirror::Args),
    /// Write a synthetic BACI-format release for benchmarks (not data).
    #[command(
        after_help = "Example:\n  dyad trade generate /tmp/baci --rows 2000000 --years 2000-2024"
    )]
    Generate(generate::Args),
}

/// Runs `dyad trade ...`.
pub async fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    match args.command {
        Command::Ingest(a) => ingest::run(a, ledger_args, out),
        Command::Series(a) => series::run(a, ledger_args, out).await,
        Command::Products(a) => products::run(a, ledger_args, out).await,
        Command::Partners(a) => partners::run(a, ledger_args, out).await,
        Command::Mirror(a) => mirror::run(a, ledger_args, out).await,
        Command::Generate(a) => generate::run(a, out),
    }
}

/// Output format of trade results: the usual three, plus Parquet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TradeFormat {
    /// Aligned, human-readable table.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// JSON (an array of objects).
    Json,
    /// Apache Parquet (to --out FILE, or to standard output when it is not a terminal).
    Parquet,
}

/// Output options shared by the trade queries.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<TradeFormat>,
    /// File to write (Parquet output).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Opens the trade tables: the home's store, if any, plus the bundled reported figures.
pub fn open(ledger_args: &LedgerArgs) -> Result<dyad_trade::TradeDb> {
    let registry = dyad_core::Registry::bundled();
    dyad_trade::TradeDb::open(ledger_args.home.as_deref(), &registry)
        .context("opening the trade tables")
}

/// [`open`], with the SQL planned and run on the cluster `--cluster` names, if any.
pub fn open_on(
    ledger_args: &LedgerArgs,
    cluster: &super::cluster::ClusterArgs,
) -> Result<dyad_trade::TradeDb> {
    let registry = dyad_core::Registry::bundled();
    dyad_trade::TradeDb::open_on(ledger_args.home.as_deref(), &registry, cluster.engine()?)
        .context("opening the trade tables")
}

/// Writes a trade answer in the chosen format: its view (as the web API answers it), or the
/// query's batches as Parquet. `--out FILE` is written whole or not at all.
pub fn write<V: View>(
    view: &V,
    batches: &[RecordBatch],
    args: &OutputArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let format = match args.format {
        Some(TradeFormat::Parquet) => return write_parquet(batches, args.out.as_deref(), out),
        Some(TradeFormat::Table) => Some(Format::Table),
        Some(TradeFormat::Csv) => Some(Format::Csv),
        Some(TradeFormat::Json) => Some(Format::Json),
        None => None,
    };
    match &args.out {
        Some(path) => {
            let mut buf = Vec::new();
            output::write(view, format.unwrap_or(Format::Csv), &mut buf)?;
            write_atomic(path, &buf)
        }
        None => output::write(view, Format::resolve(format), out),
    }
}

fn write_parquet(batches: &[RecordBatch], path: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    use dyad_trade::datafusion::parquet::arrow::ArrowWriter;
    let Some(schema) = batches.first().map(|b| b.schema()) else {
        bail!("no rows to write");
    };
    let mut buf = Vec::new();
    {
        let mut w = ArrowWriter::try_new(&mut buf, schema, None)?;
        for b in batches {
            w.write(b)?;
        }
        w.close()?;
    }
    match path {
        Some(p) => write_atomic(p, &buf),
        None if std::io::stdout().is_terminal() => {
            bail!("Parquet output needs --out FILE (or a pipe)")
        }
        None => Ok(out.write_all(&buf)?),
    }
}

/// The rows of a query with exactly `columns`, as every surface writes them.
pub fn rows(batches: &[RecordBatch], columns: &[&str]) -> Result<dyad_view::trade::Rows> {
    Ok(dyad_view::trade::Rows::new(batches, Some(columns))?)
}

/// Runs `query` `n` more times (after the caller's untimed first run) and prints the median,
/// 90th percentile and fastest run in milliseconds to standard error (`--repeat`).
pub async fn repeat<F, Q>(n: usize, mut query: F) -> Result<()>
where
    F: FnMut() -> Q,
    Q: std::future::Future<Output = dyad_trade::Result<()>>,
{
    if n == 0 {
        return Ok(());
    }
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n {
        let t = std::time::Instant::now();
        query().await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((n - 1) as f64 * p).round() as usize];
    eprintln!(
        "runs={n} p50_ms={:.3} p90_ms={:.3} min_ms={:.3}",
        at(0.5),
        at(0.9),
        ms[0]
    );
    Ok(())
}

/// Parses `--years A-B`.
pub fn parse_years(text: &str) -> Result<dyad_trade::Years, String> {
    dyad_trade::Years::parse(text)
}
