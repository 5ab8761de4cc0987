//! dyad-cluster: dyad's trade questions on an Apache Ballista cluster.
//!
//! One binary runs every role: `dyad cluster scheduler` and `dyad cluster executor` call
//! [`run_scheduler`] and [`run_executor`], which start Ballista's scheduler and executor through
//! their library crates' process entry points; `--cluster df://HOST:PORT` on the trade commands
//! turns into an [`engine`], which `dyad_trade::TradeDb::open_on` registers the same tables in
//! (the link to the rest of dyad is that one value). Plans carry dyad's in-memory tables through
//! [`codec::DyadLogicalCodec`], installed in the client and the scheduler alike.
//!
//! Every node reads the trade store by the same absolute path: a shared filesystem (NFS, a
//! cluster filesystem, or one machine's disk for a laptop demo).

use std::sync::Arc;
use std::time::Duration;

pub mod client;
pub mod codec;
pub mod roles;
pub mod window;

pub use client::{Ballista, SchedulerAddr, DEFAULT_PORT};
pub use roles::{run_executor, run_scheduler, ExecutorOptions, SchedulerOptions};

/// What can go wrong setting up or reaching a cluster. Messages are complete sentences that say
/// what to do.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// A bad address or option, or a port that cannot be bound.
    #[error("{0}")]
    Config(String),
    /// The scheduler cannot be reached.
    #[error("{0}")]
    Unreachable(String),
    /// The scheduler has no executor to run queries on.
    #[error("{0}")]
    NoExecutor(String),
    /// Ballista itself failed.
    #[error("ballista: {0}")]
    Ballista(String),
}

/// The engine for `--cluster URL`: queries are planned in a Ballista session and run by the
/// scheduler at `url` (`df://HOST[:PORT]`); one that has not ended after `timeout` is cancelled
/// and reported. Nothing is contacted until the first query.
pub fn engine(url: &str, timeout: Duration) -> Result<dyad_trade::Engine, ClusterError> {
    let addr = SchedulerAddr::parse(url)?;
    Ok(dyad_trade::Engine::Cluster(Arc::new(Ballista::new(
        addr, timeout,
    ))))
}
