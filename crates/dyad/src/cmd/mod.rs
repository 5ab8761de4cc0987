//! One file per subcommand; this module only lists them and dispatches.

use anyhow::Result;

use crate::context::LedgerArgs;

pub mod brief;
pub mod check;
pub mod check_claims;
pub mod cluster;
pub mod compare;
pub mod contest;
pub mod diff;
pub mod export;
pub mod gap;
pub mod gravity;
pub mod history;
pub mod import;
pub mod init;
pub mod migrate;
pub mod politics;
pub mod serve;
pub mod shares;
pub mod sql;
pub mod status;
pub mod study;
pub mod timeline;
pub mod token;
pub mod trade;
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
    /// Rival governments of one state side by side: each actor's stance toward each, and who
    /// recognises whom.
    #[command(after_help = "Example:\n  dyad contest VEN --on 2019-03-01")]
    Contest(contest::Args),
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
    /// Upgrade a home to what this dyad writes: the ledger's schema, the trade store's pair
    /// totals (commands that only read never do).
    #[command(after_help = "Example:\n  dyad --home ~/dyad migrate")]
    Migrate(migrate::Args),
    /// How trade moved around a dated act, against peers, with placebo p-values.
    #[command(
        after_help = "Example:\n  dyad study KAZ AFG --event KAZ/AFG-IEA/2023-04-17/envoy_accepted --window 2 --peers auto"
    )]
    Study(study::Args),
    /// Whose share of a country's imports or exports rose or fell.
    #[command(after_help = "Example:\n  dyad shares AFG --flow import --years 2019-2023 --top 10")]
    Shares(shares::Args),
    /// Exporter-reported against importer-reported trade, year by year (CIF/FOB).
    #[command(after_help = "Example:\n  dyad gap KAZ AFG")]
    Gap(gap::Args),
    /// Judge stated claims (TOML) against trade figures and the ledger.
    #[command(
        after_help = "Example:\n  dyad check-claims            # the bundled Kazakhstan-Afghanistan claims\n  dyad check-claims my_claims.toml"
    )]
    CheckClaims(check_claims::Args),
    /// A one-page sourced brief on an actor and an authority (HTML or Markdown).
    #[command(after_help = "Example:\n  dyad brief KAZ AFG-IEA --out kaz.html")]
    Brief(brief::Args),
    /// Estimate a gravity model (PPML or OLS) with high-dimensional fixed effects.
    #[command(
        after_help = "Examples:\n  dyad gravity trade.csv --formula 'Euros ~ log(dist_km) | Origin + Destination + Product + Year' --vcov twoway\n  dyad gravity panel.csv --politics=exporter,importer,year --formula 'value ~ imp_hosts_envoys + exp_mission | exporter^year + importer^year + exporter^importer'"
    )]
    Gravity(gravity::Args),
    /// Add the ledger's political variables (recognition, envoys, mission, listing) to a trade panel.
    #[command(
        after_help = "Example:\n  dyad politics panel.csv --keys exporter,importer,year > panel_politics.csv"
    )]
    Politics(politics::Args),
    /// Trade data: ingest BACI, Comtrade and reported figures; series, products, partners, mirror.
    Trade(trade::Args),
    /// Read-only SQL over the trade tables (flows, pair_totals, products, countries, areas).
    #[command(
        after_help = "Example:\n  dyad sql \"SELECT year, sum(value_usd) FROM flows WHERE exporter = 'KAZ' GROUP BY year\""
    )]
    Sql(sql::Args),
    /// Serve the web pages (map, pairs, compare, diff) and the JSON API.
    #[command(after_help = "Example:\n  dyad serve --addr 127.0.0.1:8080")]
    Serve(serve::Args),
    /// Run a scheduler or an executor of an Apache Ballista cluster, for `--cluster`.
    #[command(
        after_help = "Example (three terminals):\n  dyad cluster scheduler --bind 127.0.0.1:50050\n  dyad cluster executor --scheduler 127.0.0.1:50050 --bind-port 50051\n  dyad cluster executor --scheduler 127.0.0.1:50050 --bind-port 50061"
    )]
    Cluster(cluster::Args),
    /// Curator tokens for writing acts through the API: create, list, revoke.
    #[command(after_help = "Example:\n  dyad --home ~/dyad token create alice")]
    Token(token::Args),
}

/// Runs one subcommand, writing its result to standard output. Awaited on the one runtime of
/// `main`: the commands that read trade tables or serve await there; the others are plain
/// synchronous code and never touch it.
pub async fn run(
    command: Command,
    ledger: &LedgerArgs,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    match command {
        Command::Status(args) => status::run(args, ledger, out),
        Command::Why(args) => why::run(args, ledger, out),
        Command::Timeline(args) => timeline::run(args, ledger, out),
        Command::Compare(args) => compare::run(args, ledger, out),
        Command::Contest(args) => contest::run(args, ledger, out),
        Command::Diff(args) => diff::run(args, ledger, out),
        Command::History(args) => history::run(args, ledger, out),
        Command::Import(args) => import::run(args, ledger, out),
        Command::Export(args) => export::run(args, ledger, out),
        Command::Check(args) => check::run(args, ledger, out),
        Command::Init(args) => init::run(args, out),
        Command::Migrate(args) => migrate::run(args, ledger, out),
        Command::Study(args) => study::run(args, ledger, out).await,
        Command::Shares(args) => shares::run(args, ledger, out).await,
        Command::Gap(args) => gap::run(args, ledger, out).await,
        Command::CheckClaims(args) => check_claims::run(args, ledger, out).await,
        Command::Brief(args) => brief::run(args, ledger, out).await,
        Command::Gravity(args) => gravity::run(args, ledger, out).await,
        Command::Politics(args) => politics::run(args, ledger, out),
        Command::Trade(args) => trade::run(args, ledger, out).await,
        Command::Sql(args) => sql::run(args, ledger, out).await,
        Command::Serve(args) => serve::run(args, ledger, out).await,
        Command::Token(args) => token::run(args, ledger, out),
        // `main` runs the cluster's roles itself, outside this runtime (they build their own).
        Command::Cluster(_) => unreachable!("dyad cluster is run by main, not on its runtime"),
    }
}
