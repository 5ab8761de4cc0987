//! `dyad serve [--addr 127.0.0.1:8080]`: the web pages and JSON API over the ledger.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Result;

use crate::context::LedgerArgs;

/// Arguments of `dyad serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Trade queries, briefs and charts that run at once [default: the number of cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub query_slots: Option<u32>,
    /// How many more may wait for a slot; past that, requests are answered 503 with
    /// Retry-After [default: 16 per slot].
    #[arg(long, value_name = "N")]
    pub query_queue: Option<u32>,
    /// Seconds a request may wait for a slot before it is answered 503.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub query_wait: f64,
    // Trade answers (series, products, partners, mirror, charts, briefs) from a cluster.
    #[command(flatten)]
    pub cluster: super::cluster::ClusterArgs,
}

impl Args {
    /// The server's bounds on slow work, from the flags and the defaults.
    fn limits(&self) -> Result<dyad_web::Limits> {
        let default = dyad_web::Limits::default();
        let slots = self.query_slots.map_or(default.slots, |n| n as usize);
        let wait = std::time::Duration::try_from_secs_f64(self.query_wait)
            .ok()
            .filter(|w| !w.is_zero())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--query-wait {}: expected a positive number of seconds",
                    self.query_wait
                )
            })?;
        Ok(dyad_web::Limits {
            slots,
            queue: self.query_queue.map_or(16 * slots, |n| n as usize),
            wait,
        })
    }
}

/// Runs `dyad serve` until Ctrl-C.
pub async fn run(args: Args, ledger_args: &LedgerArgs, _out: &mut dyn Write) -> Result<()> {
    if ledger_args.known_on.is_some() {
        // The server answers for the current ledger; each API call can still ask for a past
        // state of it.
        anyhow::bail!(
            "--known-on does not apply to serve; pass known_on=YYYY-MM-DD to the API instead"
        );
    }
    let limits = args.limits()?;
    let engine = args.cluster.engine()?;
    init_log()?;
    dyad_web::serve_on(args.addr, ledger_args.home.clone(), limits, engine).await?;
    Ok(())
}

/// Logs to standard error at the level `DYAD_LOG` gives (`info` by default: one line per
/// request; `warn` for faults only; any `tracing` filter such as `dyad_web=debug`).
fn init_log() -> Result<()> {
    let filter = match std::env::var("DYAD_LOG") {
        Ok(spec) => tracing_subscriber::EnvFilter::try_new(&spec)
            .map_err(|e| anyhow::anyhow!("DYAD_LOG={spec}: {e}"))?,
        Err(_) => tracing_subscriber::EnvFilter::new("info"),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    Ok(())
}
