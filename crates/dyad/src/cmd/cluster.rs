//! `dyad cluster scheduler|executor`: the server roles of an Apache Ballista cluster, and
//! `--cluster df://HOST:PORT`, which sends the trade commands' SQL to one.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use dyad_cluster::{ExecutorOptions, SchedulerAddr, SchedulerOptions};

/// Arguments of `dyad cluster`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    role: Role,
}

/// The roles a `dyad` process can take in a cluster.
#[derive(Debug, clap::Subcommand)]
enum Role {
    /// Run a scheduler: it plans queries from clients and hands their tasks to executors.
    #[command(after_help = "Example:\n  dyad cluster scheduler --bind 127.0.0.1:50050")]
    Scheduler(SchedulerArgs),
    /// Run an executor: it registers with a scheduler and runs the tasks it is given, reading
    /// the trade store by the same path as the client.
    #[command(
        after_help = "Example:\n  dyad cluster executor --scheduler 127.0.0.1:50050 --bind-port 50051\n  dyad cluster executor --scheduler 127.0.0.1:50050 --bind-port 50061"
    )]
    Executor(ExecutorArgs),
}

/// Arguments of `dyad cluster scheduler`.
#[derive(Debug, clap::Args)]
struct SchedulerArgs {
    /// Address to listen on for clients and executors.
    #[arg(long, default_value = "127.0.0.1:50050")]
    bind: SocketAddr,
    /// Seconds an executor may go without a heartbeat (sent every 5 s) before it is taken for
    /// lost and its tasks are run elsewhere.
    #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(6..))]
    executor_timeout: u64,
}

/// Arguments of `dyad cluster executor`.
#[derive(Debug, clap::Args)]
struct ExecutorArgs {
    /// The scheduler: HOST:PORT or df://HOST:PORT.
    #[arg(long)]
    scheduler: String,
    /// Local address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: String,
    /// Port for fetching results and shuffle data (Arrow Flight).
    #[arg(long, default_value_t = 50051)]
    bind_port: u16,
    /// Port on which the scheduler launches tasks [default: --bind-port + 1].
    #[arg(long)]
    grpc_port: Option<u16>,
    /// Name or address at which the scheduler and other executors reach this one [default:
    /// --bind-host].
    #[arg(long)]
    external_host: Option<String>,
    /// Tasks run at once [default: one per core].
    #[arg(long, value_name = "N")]
    vcores: Option<usize>,
    /// Directory for shuffle files [default: a temporary directory, removed at exit].
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Seconds to wait for the scheduler to answer at start.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    scheduler_wait: u64,
}

/// `--cluster` and its timeout, on the commands whose SQL can run on a cluster.
#[derive(Debug, Clone, clap::Args)]
pub struct ClusterArgs {
    /// Plan and run the SQL on an Apache Ballista cluster whose scheduler is at this address
    /// (df://HOST:PORT; see `dyad cluster`). Every node must see the home's trade store at the
    /// same path.
    #[arg(long, env = "DYAD_CLUSTER", value_name = "df://HOST:PORT")]
    pub cluster: Option<String>,
    /// Seconds a query may take on the cluster before it is cancelled and reported.
    #[arg(
        long,
        env = "DYAD_CLUSTER_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 600.0
    )]
    pub cluster_timeout: f64,
}

impl ClusterArgs {
    /// The engine the tables are registered in: this process, or the cluster.
    pub fn engine(&self) -> Result<dyad_trade::Engine> {
        let Some(url) = &self.cluster else {
            return Ok(dyad_trade::Engine::Embedded);
        };
        let timeout = Duration::try_from_secs_f64(self.cluster_timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--cluster-timeout {}: expected a positive number of seconds",
                    self.cluster_timeout
                )
            })?;
        Ok(dyad_cluster::engine(url, timeout)?)
    }
}

/// Runs `dyad cluster ...` until Ctrl-C or SIGTERM.
pub fn run(args: Args, _out: &mut dyn Write) -> Result<()> {
    init_log()?;
    match args.role {
        Role::Scheduler(a) => {
            let options = SchedulerOptions {
                bind: a.bind,
                executor_timeout: Duration::from_secs(a.executor_timeout),
            };
            dyad_cluster::run_scheduler(options, |at| {
                eprintln!(
                    "dyad: scheduler listening on df://{at}; start executors with `dyad cluster \
                     executor --scheduler {at}` and query with `--cluster df://{at}`"
                );
            })
            .context("running the scheduler")
        }
        Role::Executor(a) => {
            let scheduler = SchedulerAddr::parse(&a.scheduler)?;
            let grpc_port = match a.grpc_port {
                Some(p) => p,
                None => a.bind_port.checked_add(1).with_context(|| {
                    format!("--bind-port {}: give --grpc-port too", a.bind_port)
                })?,
            };
            let options = ExecutorOptions {
                scheduler,
                bind_host: a.bind_host,
                bind_port: a.bind_port,
                grpc_port,
                external_host: a.external_host,
                vcores: a.vcores.unwrap_or(0),
                work_dir: a.work_dir,
                scheduler_wait: Duration::from_secs(a.scheduler_wait),
            };
            dyad_cluster::run_executor(options, |o| {
                eprintln!(
                    "dyad: executor on {}:{} (tasks on port {}) registering with {}",
                    o.bind_host,
                    o.bind_port,
                    o.grpc_port,
                    o.scheduler.url()
                );
            })
            .context("running the executor")
        }
    }
}

/// Logs Ballista's messages to standard error at the level `DYAD_LOG` gives (`warn` by default:
/// lost executors and failed tasks; `info` adds every job and task).
fn init_log() -> Result<()> {
    let filter = match std::env::var("DYAD_LOG") {
        Ok(spec) => tracing_subscriber::EnvFilter::try_new(&spec)
            .map_err(|e| anyhow::anyhow!("DYAD_LOG={spec}: {e}"))?,
        Err(_) => tracing_subscriber::EnvFilter::new("warn"),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    Ok(())
}
