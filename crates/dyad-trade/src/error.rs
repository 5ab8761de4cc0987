//! Errors of the trade crate.

use std::path::PathBuf;

use dyad_core::InputErrors;

/// What can go wrong reading, storing or querying trade data.
#[derive(Debug, thiserror::Error)]
pub enum TradeError {
    /// Problems in input files, each located at `file:line:column`; nothing was written.
    #[error("{0}")]
    Input(#[from] InputErrors),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The query engine failed.
    #[error("query failed: {0}")]
    Query(#[from] datafusion::error::DataFusionError),
    /// Writing Parquet failed.
    #[error("writing Parquet: {0}")]
    Parquet(#[from] datafusion::parquet::errors::ParquetError),
    /// Building Arrow data failed.
    #[error("arrow: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// Anything else, in words.
    #[error("{0}")]
    Other(String),
}

/// Result with a [`TradeError`].
pub type Result<T, E = TradeError> = std::result::Result<T, E>;

/// Attaches a path to an I/O error.
pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> TradeError {
    let path = path.into();
    move |source| TradeError::Io { path, source }
}
