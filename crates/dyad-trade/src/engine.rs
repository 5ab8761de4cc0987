//! Where the trade tables' SQL is planned and run: DataFusion in this process, or a cluster.
//!
//! Both engines get the same tables from the same function (`tables::session`) and the
//! same SQL from [`crate::TradeDb`]; only the `SessionContext` they are registered in and the way
//! a planned query is run differ. The cluster itself (Apache Ballista) lives in the
//! `dyad-cluster` crate, which implements [`Cluster`], so this crate does not depend on it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::Result;

/// A future that may be sent between threads, as a [`Cluster`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A distributed engine that plans and runs dyad's SQL on other processes or machines.
pub trait Cluster: Send + Sync + std::fmt::Debug {
    /// The address the user gave (`df://host:port`), for messages.
    fn url(&self) -> &str;

    /// A session whose queries run on the cluster, built from `config` (the settings the embedded
    /// engine would use). Tables are registered in it by the caller.
    fn session(&self, config: SessionConfig) -> Result<SessionContext>;

    /// Runs a query planned in a [`Cluster::session`] to its end and returns its rows. It must
    /// end: a cluster that cannot answer gives an error that says why (or after how long).
    fn collect(&self, df: DataFrame) -> BoxFuture<'_, Result<Vec<RecordBatch>>>;
}

/// Which engine answers the SQL of a [`crate::TradeDb`].
#[derive(Debug, Clone, Default)]
pub enum Engine {
    /// DataFusion in this process. The one-dyad fast path is used where it applies.
    #[default]
    Embedded,
    /// A cluster: every answer, the product mix of one pair included, goes through SQL planned
    /// and run there.
    Cluster(Arc<dyn Cluster>),
}

impl Engine {
    /// Whether queries run in this process.
    pub fn is_embedded(&self) -> bool {
        matches!(self, Engine::Embedded)
    }

    /// An empty session of this engine with `config`.
    pub(crate) fn context(&self, config: SessionConfig) -> Result<SessionContext> {
        match self {
            Engine::Embedded => Ok(SessionContext::new_with_config(config)),
            Engine::Cluster(c) => c.session(config),
        }
    }

    /// Runs a planned query to its end.
    pub(crate) async fn collect(&self, df: DataFrame) -> Result<Vec<RecordBatch>> {
        match self {
            Engine::Embedded => Ok(df.collect().await?),
            Engine::Cluster(c) => c.collect(df).await,
        }
    }
}
