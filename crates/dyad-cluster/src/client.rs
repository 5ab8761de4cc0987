//! The client side: a [`dyad_trade::Cluster`] that plans dyad's SQL in a Ballista session and
//! runs it on the scheduler at `df://HOST:PORT`.
//!
//! Before each query the scheduler's readiness probe (`GET /readyz`, served on its gRPC port)
//! is asked whether any executor is registered, so that an unreachable scheduler or an empty
//! cluster is reported at once and in words rather than as a job that waits forever. A query
//! that has not ended within the timeout is cancelled on the scheduler and reported with the
//! timeout's value.

use std::sync::Arc;
use std::time::Duration;

use ballista_core::extension::{SessionConfigExt, SessionStateExt};
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::serde::protobuf::CancelJobParams;
use datafusion_proto::protobuf::LogicalPlanNode;
use dyad_trade::datafusion::arrow::array::RecordBatch;
use dyad_trade::datafusion::dataframe::DataFrame;
use dyad_trade::datafusion::execution::SessionStateBuilder;
use dyad_trade::datafusion::physical_plan::{collect, ExecutionPlan};
use dyad_trade::datafusion::prelude::{SessionConfig, SessionContext};
use dyad_trade::engine::BoxFuture;
use dyad_trade::{Result, TradeError};

use crate::codec::DyadLogicalCodec;
use crate::ClusterError;

/// The port of `df://HOST` when none is given: Ballista's default scheduler port.
pub const DEFAULT_PORT: u16 = 50050;

/// How long the readiness probe and a job's cancellation may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// A scheduler's address, parsed from `df://HOST[:PORT]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerAddr {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// Port of the scheduler's gRPC (and probe) service.
    pub port: u16,
}

impl SchedulerAddr {
    /// Parses `df://HOST[:PORT]`; `HOST[:PORT]` alone is accepted too (as `dyad cluster
    /// executor --scheduler` takes it).
    pub fn parse(text: &str) -> Result<SchedulerAddr, ClusterError> {
        let bad = |why: &str| {
            ClusterError::Config(format!(
                "cluster address `{text}`: {why} (expected df://HOST:PORT, e.g. df://127.0.0.1:50050)"
            ))
        };
        let full = if text.contains("://") {
            text.to_string()
        } else {
            format!("df://{text}")
        };
        let url = url::Url::parse(&full).map_err(|e| bad(&e.to_string()))?;
        if url.scheme() != "df" {
            return Err(bad(&format!("the scheme is `{}`", url.scheme())));
        }
        if !(url.path().is_empty() || url.path() == "/")
            || url.query().is_some()
            || !url.username().is_empty()
        {
            return Err(bad("only a host and a port may be given"));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => a.to_string(),
            None => return Err(bad("no host")),
        };
        Ok(SchedulerAddr {
            host,
            port: url.port().unwrap_or(DEFAULT_PORT),
        })
    }

    /// `host:port`, with brackets around an IPv6 address.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The address in the form users give it.
    pub fn url(&self) -> String {
        format!("df://{}", self.authority())
    }

    fn http(&self) -> String {
        format!("http://{}", self.authority())
    }
}

/// A Ballista cluster as dyad's trade tables see it; see the [module](self) documentation.
#[derive(Debug)]
pub struct Ballista {
    addr: SchedulerAddr,
    url: String,
    timeout: Duration,
}

impl Ballista {
    /// The cluster whose scheduler is at `addr`; a query that has not ended after `timeout` is
    /// cancelled and reported.
    pub fn new(addr: SchedulerAddr, timeout: Duration) -> Ballista {
        Ballista {
            url: addr.url(),
            addr,
            timeout,
        }
    }

    /// Asks the scheduler whether it can run a query now, on a blocking thread.
    async fn check_ready(&self) -> Result<()> {
        let addr = self.addr.clone();
        tokio::task::spawn_blocking(move || probe(&addr))
            .await
            .map_err(|e| TradeError::Other(format!("the readiness probe failed: {e}")))?
            .map_err(|e| TradeError::Other(e.to_string()))
    }

    /// Cancels the job of `plan` on the scheduler, if it got as far as having one. A failure is
    /// only reported in the message, since the query has failed already.
    async fn cancel(&self, plan: &Arc<dyn ExecutionPlan>) -> String {
        let Some(job) = job_id(plan) else {
            return "no job had been accepted".to_string();
        };
        let cancel = async {
            let mut client = SchedulerGrpcClient::connect(self.addr.http()).await?;
            client
                .cancel_job(CancelJobParams {
                    job_id: job.clone(),
                })
                .await?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        };
        match tokio::time::timeout(PROBE_TIMEOUT, cancel).await {
            Ok(Ok(())) => format!("job {job} was cancelled"),
            Ok(Err(e)) => format!("cancelling job {job} failed: {e}"),
            Err(_) => format!("cancelling job {job} took over {PROBE_TIMEOUT:?}"),
        }
    }

    async fn run(&self, df: DataFrame) -> Result<Vec<RecordBatch>> {
        self.check_ready().await?;
        let task = Arc::new(df.task_ctx());
        let plan = df.create_physical_plan().await?;
        match tokio::time::timeout(self.timeout, collect(plan.clone(), task)).await {
            Ok(Ok(batches)) => Ok(batches),
            Ok(Err(e)) => Err(TradeError::Other(format!(
                "the query failed on the cluster at {}: {e}",
                self.url
            ))),
            Err(_) => {
                let cancelled = self.cancel(&plan).await;
                Err(TradeError::Other(format!(
                    "the cluster at {} gave no answer within {} s (--cluster-timeout); {cancelled}",
                    self.url,
                    self.timeout.as_secs_f64()
                )))
            }
        }
    }
}

impl dyad_trade::Cluster for Ballista {
    fn url(&self) -> &str {
        &self.url
    }

    fn session(&self, mut config: SessionConfig) -> Result<SessionContext> {
        // A hash join's dynamic filter (DataFusion 55, on by default) is built when the join is
        // planned; Ballista's scheduler later swaps the inputs of such a join as stages finish,
        // which DataFusion refuses, and the job then never ends (the mirror query's LEFT JOIN
        // on an empty side; "Cannot swap HashJoinExec inputs after dynamic filters have been
        // constructed" in the scheduler's log). The settings travel with the query and are set
        // on the scheduler in their order, where the umbrella setting (last) overrides the
        // others, so all are turned off.
        let optimizer = &mut config.options_mut().optimizer;
        optimizer.enable_dynamic_filter_pushdown = false;
        optimizer.enable_join_dynamic_filter_pushdown = false;
        optimizer.enable_topk_dynamic_filter_pushdown = false;
        optimizer.enable_aggregate_dynamic_filter_pushdown = false;
        let config = config
            .with_ballista_logical_extension_codec(DyadLogicalCodec::shared())
            .with_ballista_job_name("dyad")
            // Ballista 55's adaptive planner (on by default) re-planned dyad's mirror query
            // without end, a new stage every few milliseconds (seen with dynamic filters still
            // on; not tried since they are off). The static planner, with the rule of
            // `window.rs` on the scheduler, runs every query of crates/dyad/tests/it/cluster.rs.
            .with_ballista_adaptive_query_planner(false);
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_default_features()
            .build()
            .upgrade_for_ballista(self.addr.http())?;
        Ok(SessionContext::new_with_state(state))
    }

    fn collect(&self, df: DataFrame) -> BoxFuture<'_, Result<Vec<RecordBatch>>> {
        Box::pin(self.run(df))
    }
}

/// The job id of the distributed query in `plan`, once the scheduler has accepted it.
fn job_id(plan: &Arc<dyn ExecutionPlan>) -> Option<String> {
    use ballista_core::execution_plans::DistributedQueryExec;
    if let Some(q) = plan.downcast_ref::<DistributedQueryExec<LogicalPlanNode>>() {
        return q.job_id().map(|j| j.to_string());
    }
    plan.children().into_iter().find_map(job_id)
}

/// `GET /readyz` on the scheduler: 200 when an executor is registered, 503 when none is.
fn probe(addr: &SchedulerAddr) -> Result<(), ClusterError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(PROBE_TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let url = addr.url();
    let mut answer = agent
        .get(format!("{}/readyz", addr.http()))
        .call()
        .map_err(|e| {
            ClusterError::Unreachable(format!(
                "cannot reach the Ballista scheduler at {url} ({e}); start one with \
                 `dyad cluster scheduler --bind {}`, or check the address",
                addr.authority()
            ))
        })?;
    let status = answer.status().as_u16();
    let body = answer.body_mut().read_to_string().unwrap_or_default();
    match status {
        200 => Ok(()),
        503 => Err(ClusterError::NoExecutor(format!(
            "the scheduler at {url} has no executor registered ({}); start one with \
             `dyad cluster executor --scheduler {}`",
            body.trim(),
            addr.authority()
        ))),
        _ => Err(ClusterError::Unreachable(format!(
            "{url} answered its readiness probe with HTTP {status}: is it a Ballista scheduler?"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_with_and_without_scheme_and_port() {
        let a = SchedulerAddr::parse("df://127.0.0.1:50070").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("127.0.0.1", 50070));
        assert_eq!(a.url(), "df://127.0.0.1:50070");
        let b = SchedulerAddr::parse("sched.example.org").unwrap();
        assert_eq!(
            (b.host.as_str(), b.port),
            ("sched.example.org", DEFAULT_PORT)
        );
        let c = SchedulerAddr::parse("df://[::1]:7000").unwrap();
        assert_eq!(
            (c.host.as_str(), c.authority()),
            ("::1", "[::1]:7000".into())
        );
    }

    #[test]
    fn bad_addresses_are_refused_with_the_expected_form() {
        for text in [
            "http://h:1",
            "df://h:1/x",
            "df://h:99999",
            "df://",
            "df://u@h:1",
        ] {
            let e = SchedulerAddr::parse(text).unwrap_err().to_string();
            assert!(
                e.contains(text) && e.contains("df://HOST:PORT"),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn a_closed_port_is_reported_as_unreachable_with_the_command_to_start_one() {
        // Bind and drop a listener: the port is then (almost surely) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = SchedulerAddr {
            host: "127.0.0.1".into(),
            port,
        };
        let e = probe(&addr).unwrap_err().to_string();
        assert!(
            e.contains("cannot reach") && e.contains("dyad cluster scheduler"),
            "{e}"
        );
    }
}
