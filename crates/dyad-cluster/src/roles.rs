//! The two server roles, run by `dyad cluster scheduler` and `dyad cluster executor` through the
//! Ballista crates' own process entry points, with dyad's codec installed.
//!
//! The scheduler plans every query, with Ballista's session plus one physical rule of dyad's
//! ([`crate::window`]).
//!
//! Ballista's defaults suit long-lived clusters behind an orchestrator (an executor beats every
//! 60 s and is declared lost after 180 s). dyad's are shorter, so that a killed executor's tasks
//! are given to another within about half a minute rather than three minutes: executors beat
//! every [`HEARTBEAT`] and the scheduler declares one lost after `--executor-timeout`.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use dyad_trade::datafusion::execution::SessionStateBuilder;

use crate::client::SchedulerAddr;
use crate::codec::DyadLogicalCodec;
use crate::window::ExplicitWindowSort;
use crate::ClusterError;

/// How often an executor tells the scheduler it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// How often the scheduler looks for executors whose heartbeats stopped.
const EXPIRY_CHECK: Duration = Duration::from_secs(5);

/// Options of `dyad cluster scheduler`.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Address to listen on for clients and executors (gRPC, the readiness probe, and the
    /// result proxy share the port).
    pub bind: SocketAddr,
    /// How long an executor may go without a heartbeat before its tasks are given to others.
    pub executor_timeout: Duration,
}

/// Options of `dyad cluster executor`.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler to register with.
    pub scheduler: SchedulerAddr,
    /// Local address to listen on.
    pub bind_host: String,
    /// Port of the Arrow Flight service, from which the client and other executors fetch
    /// results and shuffle data.
    pub bind_port: u16,
    /// Port of the executor's gRPC service, on which the scheduler launches tasks.
    pub grpc_port: u16,
    /// Host name or address other nodes reach this executor at (default: `bind_host`).
    pub external_host: Option<String>,
    /// Tasks run at once (0: one per core).
    pub vcores: usize,
    /// Directory for shuffle files (default: a temporary directory removed at exit).
    pub work_dir: Option<PathBuf>,
    /// How long to wait for the scheduler to accept connections at start.
    pub scheduler_wait: Duration,
}

/// A tokio runtime for a server role, with the deep stacks Ballista's own binaries use (plans
/// are walked recursively).
fn runtime() -> Result<tokio::runtime::Runtime, ClusterError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .map_err(|e| ClusterError::Config(format!("starting the runtime: {e}")))
}

/// Runs a scheduler until Ctrl-C or SIGTERM. `ready` is called with the bound address once it
/// listens (the CLI prints it).
pub fn run_scheduler(
    options: SchedulerOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ClusterError> {
    let rt = runtime()?;
    rt.block_on(async {
        let bind = options.bind;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| ClusterError::Config(format!("listening on {bind}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| ClusterError::Config(format!("listening on {bind}: {e}")))?;
        let timeout = options.executor_timeout.as_secs().max(1);
        let config = SchedulerConfig {
            bind_host: local.ip().to_string(),
            bind_port: local.port(),
            external_host: local.ip().to_string(),
            executor_timeout_seconds: timeout,
            expire_dead_executor_interval_seconds: EXPIRY_CHECK.as_secs(),
            // A job whose last executor is gone fails after the same time, rather than waiting
            // three minutes for one to come back.
            no_executors_grace_period_seconds: timeout,
            override_logical_codec: Some(DyadLogicalCodec::shared()),
            // Ballista's own session, plus dyad's last physical rule (see `window.rs`).
            override_session_builder: Some(Arc::new(|config| {
                let state = ballista_core::utils::default_session_builder(config)?;
                Ok(SessionStateBuilder::new_from_existing(state)
                    .with_physical_optimizer_rule(ExplicitWindowSort::shared())
                    .build())
            })),
            ..SchedulerConfig::default()
        };
        config.validate().map_err(ballista)?;
        let config = Arc::new(config);
        let cluster = BallistaCluster::new_from_config(&config)
            .await
            .map_err(ballista)?;
        let scheduler = create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, config)
            .await
            .map_err(ballista)?;
        ready(local);
        tokio::select! {
            served = start_grpc_service_with_listener(listener, scheduler) => {
                served.map_err(ballista)
            }
            _ = shutdown() => Ok(()),
        }
    })
}

/// Runs an executor until Ctrl-C or SIGTERM (Ballista's process handles both). `ready` is
/// called once the scheduler is reachable, before registering.
pub fn run_executor(
    options: ExecutorOptions,
    ready: impl FnOnce(&ExecutorOptions),
) -> Result<(), ClusterError> {
    // Ballista's executor would otherwise pick a temporary directory and delete it at once.
    let (work_dir, _temp) = match &options.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| {
                ClusterError::Config(format!(
                    "creating the work directory {}: {e}",
                    dir.display()
                ))
            })?;
            (dir.clone(), None)
        }
        None => {
            let temp = tempfile::Builder::new()
                .prefix("dyad-executor-")
                .tempdir()
                .map_err(|e| ClusterError::Config(format!("creating a work directory: {e}")))?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    let work_dir = work_dir.to_str().map(str::to_owned).ok_or_else(|| {
        ClusterError::Config(format!(
            "the work directory {} is not UTF-8",
            work_dir.display()
        ))
    })?;
    for port in [options.bind_port, options.grpc_port] {
        // A port in use is found here, in words, rather than after registering.
        TcpListener::bind((options.bind_host.as_str(), port)).map_err(|e| {
            ClusterError::Config(format!("listening on {}:{port}: {e}", options.bind_host))
        })?;
    }
    let external_host = match &options.external_host {
        Some(h) => h.clone(),
        None if is_unspecified(&options.bind_host) => {
            return Err(ClusterError::Config(format!(
                "listening on {} (every interface), the executor needs --external-host: the \
                 name or address the scheduler and other executors reach it at",
                options.bind_host
            )))
        }
        None => options.bind_host.clone(),
    };
    wait_for_scheduler(&options.scheduler, options.scheduler_wait)?;
    ready(&options);
    let config = ExecutorProcessConfig {
        bind_host: options.bind_host.clone(),
        external_host: Some(external_host),
        port: options.bind_port,
        grpc_port: options.grpc_port,
        scheduler_host: options.scheduler.host.clone(),
        scheduler_port: options.scheduler.port,
        // Connect once: `wait_for_scheduler` has waited already.
        scheduler_connect_timeout_seconds: 0,
        vcores: options.vcores,
        work_dir: Some(work_dir),
        print_thread_info: false,
        executor_heartbeat_interval_seconds: HEARTBEAT.as_secs(),
        override_logical_codec: Some(DyadLogicalCodec::shared()),
        ..ExecutorProcessConfig::default()
    };
    runtime()?
        .block_on(start_executor_process(Arc::new(config)))
        .map_err(ballista)
}

/// Waits until the scheduler's port accepts connections, for at most `wait`.
fn wait_for_scheduler(addr: &SchedulerAddr, wait: Duration) -> Result<(), ClusterError> {
    use std::net::ToSocketAddrs;
    let start = Instant::now();
    loop {
        let resolved = (addr.host.as_str(), addr.port)
            .to_socket_addrs()
            .map_err(|e| ClusterError::Config(format!("scheduler {}: {e}", addr.url())))?
            .collect::<Vec<_>>();
        let up = resolved
            .iter()
            .any(|a| std::net::TcpStream::connect_timeout(a, Duration::from_secs(1)).is_ok());
        if up {
            return Ok(());
        }
        if start.elapsed() >= wait {
            return Err(ClusterError::Unreachable(format!(
                "no scheduler answered at {} within {} s (--scheduler-wait); start one with \
                 `dyad cluster scheduler --bind {}`",
                addr.url(),
                wait.as_secs_f64(),
                addr.authority()
            )));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn is_unspecified(host: &str) -> bool {
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|a| a.is_unspecified())
}

/// Ends on Ctrl-C or SIGTERM.
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn ballista(e: ballista_core::error::BallistaError) -> ClusterError {
    ClusterError::Ballista(e.to_string())
}
