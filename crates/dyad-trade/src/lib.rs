//! dyad-trade: trade flows for dyad.
//!
//! - readers, exact to `docs/FORMATS.md`: [`baci`] (CEPII BACI releases),
//!   [`comtrade`] (UN Comtrade Plus CSV and bulk files), [`reported`] (figures as reported, with
//!   a source each; the Afghanistan file is bundled);
//! - [`codes`]: area codes to ISO3 through dyad's registry and a committed exception table;
//! - [`store`] and [`ingest`]: the Parquet store under `HOME/trade/`, replaced atomically;
//!   [`totals`]: each flow file's annual rows summed over products, written beside it;
//! - [`tables`]: the tables (`flows`, `pair_totals`, `products`, `countries`, `areas`) in a
//!   DataFusion session, and [`engine`]: whether that session runs here or on a cluster (see
//!   `dyad-cluster`);
//! - [`query`]: the queries (series, products, partners, mirror, read-only SQL), through
//!   DataFusion or, for the products of one pair, the fast path;
//! - [`fastpath`]: the one-dyad fast path, a reader of the store's Parquet pages that knows
//!   nothing of the queries asked of it;
//! - [`generate`]: BACI-format synthetic releases for benchmarks.

pub mod baci;
pub mod codes;
pub mod comtrade;
pub mod container;
pub mod engine;
pub mod error;
pub mod fastpath;
pub mod flow;
pub mod generate;
pub mod ingest;
pub mod query;
pub mod reported;
pub mod store;
pub mod tables;
pub mod totals;

/// The DataFusion this crate is built with (and its `arrow` and `parquet`), for callers.
pub use datafusion;
pub use engine::{Cluster, Engine};
pub use error::{Result, TradeError};
pub use flow::{Flow, Source};
pub use query::{Declarer, Direction, TradeDb, Years};
pub use tables::trade_session;
