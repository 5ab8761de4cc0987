//! dyad-brief: where the ledger meets trade.
//!
//! - [`figures`]: trade figures with their provenance, from the trade store or the bundled
//!   reported figures;
//! - [`study`]: event studies of a trade series around a dated act, with peers;
//! - [`claims`]: the bundled example claims and the figure source that checks them;
//! - [`brief`]: one-page sourced briefs on an (actor, authority) pair, as Markdown or HTML;
//! - [`stance_chart`]: the brief's chart of the actor's and its peers' levels over time.

pub mod brief;
pub mod claims;
pub mod doc;
pub mod figures;
pub mod stance_chart;
pub mod study;

/// Errors of briefs and studies.
#[derive(Debug, thiserror::Error)]
pub enum BriefError {
    /// The trade store failed.
    #[error(transparent)]
    Trade(#[from] dyad_trade::TradeError),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] dyad_ledger::LedgerError),
    /// Converting query results failed.
    #[error("reading query results: {0}")]
    Arrow(#[from] dyad_trade::datafusion::arrow::error::ArrowError),
    /// A request that cannot be answered, in words.
    #[error("{0}")]
    Invalid(String),
}
