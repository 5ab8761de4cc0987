//! What the server holds: an in-memory snapshot of the ledger for fast reads, and the ledger
//! itself for `known_on` queries, history and curator writes.
//!
//! `dyad_ledger::Ledger` wraps a SQLite connection, which is not `Sync`, so it sits behind a
//! mutex and is only touched on blocking threads. Plain reads (the stance of every actor on a
//! day, the map) never touch it: they fold acts from a [`Snapshot`] loaded at start and swapped
//! whole after each write, so readers never wait for a writer.
//!
//! Trade answers come from a [`dyad_trade::TradeDb`] opened exactly as the CLI opens it (the
//! home's store plus the bundled reported figures; the bundled figures alone without a home),
//! see `TradeTables` below. Its queries are awaited on the server's own runtime (DataFusion is
//! async); its fast path, synchronous decoding of a few milliseconds, runs on tokio's blocking
//! pool ([`TradeDb::offload_fast_path`]) so that it never holds an async worker: with one query
//! slot per core (`crate::limit`), inline fast paths could hold every worker at once and stall
//! the stances and the map.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use arc_swap::ArcSwap;
use axum::body::Bytes;
use dyad_core::{Act, Registry};
use dyad_ledger::Ledger;
use dyad_trade::{Engine, TradeDb};
use time::Date;

use crate::error::ApiError;
use crate::limit::{Limits, QueryGate};

/// The current acts and registry, as one immutable value.
#[derive(Debug)]
pub struct Snapshot {
    /// States and authorities, including those imported into the ledger.
    pub registry: Registry,
    /// Current acts by authority id, each list ordered by the end of the act's date.
    pub acts: HashMap<String, Arc<Vec<Act>>>,
    /// Per authority, every first and last day of an act's date, sorted and distinct.
    breaks: HashMap<String, Vec<Date>>,
    /// Encoded stance lists; see [`Snapshot::cached_stances`].
    cache: RwLock<StanceCache>,
}

/// Encoded answers of `/api/stance`, by authority, period between breaks, and format.
#[derive(Debug, Default)]
struct StanceCache {
    entries: HashMap<(String, usize, bool), Bytes>,
    bytes: usize,
}

/// Most bytes the stance cache holds; past this it starts over. A ledger with many acts has
/// many periods, and a map user sliding across all of them must not grow memory without bound.
const STANCE_CACHE_BYTES: usize = 64 << 20;

impl Snapshot {
    /// Reads the registry and every current act from the ledger.
    pub fn load(ledger: &Ledger) -> Result<Snapshot, dyad_ledger::LedgerError> {
        let mut acts: HashMap<String, Vec<Act>> = HashMap::new();
        for act in ledger.acts(None, None, None)? {
            acts.entry(act.authority.clone()).or_default().push(act);
        }
        let breaks = acts
            .iter()
            .map(|(k, list)| {
                let mut days: Vec<Date> = list
                    .iter()
                    .flat_map(|a| [a.date.start(), a.date.end()])
                    .collect();
                days.sort_unstable();
                days.dedup();
                (k.clone(), days)
            })
            .collect();
        Ok(Snapshot {
            registry: ledger.registry().clone(),
            acts: acts.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
            breaks,
            cache: RwLock::default(),
        })
    }

    /// The encoded stance list of every actor toward `authority` on `on` (`csv` or JSON),
    /// computed by `make` once per period.
    ///
    /// The fold of an authority's acts depends on the day only through which acts have begun
    /// (first day of their date) and which have counted (last day), so every day between two
    /// consecutive such days gives the same stances: one cache entry serves the whole period,
    /// and the number of entries is bounded by twice the number of acts.
    pub fn cached_stances(
        &self,
        authority: &str,
        on: Date,
        csv: bool,
        make: impl FnOnce() -> Result<Bytes, ApiError>,
    ) -> Result<Bytes, ApiError> {
        let period = self
            .breaks
            .get(authority)
            .map_or(0, |b| b.partition_point(|d| *d <= on));
        let key = (authority.to_string(), period, csv);
        if let Some(hit) = self
            .cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .get(&key)
        {
            return Ok(hit.clone());
        }
        let bytes = make()?;
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        if cache.bytes + bytes.len() > STANCE_CACHE_BYTES {
            *cache = StanceCache::default();
        }
        cache.bytes += bytes.len();
        cache.entries.insert(key, bytes.clone());
        Ok(bytes)
    }

    /// Current acts toward one authority (empty if it has none).
    pub fn acts_of(&self, authority: &str) -> Arc<Vec<Act>> {
        self.acts.get(authority).cloned().unwrap_or_default()
    }
}

/// Shared state of the server, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    snapshot: ArcSwap<Snapshot>,
    ledger: Mutex<Ledger>,
    /// Whether the ledger lives in a home directory; the bundled in-memory one takes no writes
    /// because nothing would keep them (and no token can exist for it).
    has_home: bool,
    /// The trade tables of the same home.
    trade: TradeTables,
    /// Admits trade work (queries, briefs, charts) within the server's bounds.
    gate: QueryGate,
}

impl AppState {
    /// Wraps a ledger, loading its first snapshot, with the default [`Limits`].
    pub fn new(ledger: Ledger) -> Result<AppState, dyad_ledger::LedgerError> {
        AppState::with_limits(ledger, Limits::default())
    }

    /// As [`AppState::new`], with these bounds on concurrent trade work.
    pub fn with_limits(
        ledger: Ledger,
        limits: Limits,
    ) -> Result<AppState, dyad_ledger::LedgerError> {
        AppState::with_engine(ledger, limits, Engine::Embedded)
    }

    /// As [`AppState::with_limits`], with the trade tables' SQL run by `engine`.
    pub fn with_engine(
        ledger: Ledger,
        limits: Limits,
        engine: Engine,
    ) -> Result<AppState, dyad_ledger::LedgerError> {
        let snapshot = Snapshot::load(&ledger)?;
        Ok(AppState {
            inner: Arc::new(Inner {
                snapshot: ArcSwap::from_pointee(snapshot),
                has_home: ledger.home().is_some(),
                trade: TradeTables::new(ledger.home(), engine),
                gate: QueryGate::new(limits),
                ledger: Mutex::new(ledger),
            }),
        })
    }

    /// The snapshot readers should use now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner.snapshot.load_full()
    }

    /// Whether curator writes are possible (the server runs on a home directory).
    pub fn has_home(&self) -> bool {
        self.inner.has_home
    }

    /// Runs `f` with the ledger on a blocking thread, so SQLite never stalls the async workers.
    pub async fn with_ledger<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Ledger) -> Result<T, ApiError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock leaves the connection itself intact (SQLite rolls
            // back an unfinished transaction), so a poisoned mutex is still safe to use.
            let mut ledger = inner.ledger.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut ledger)
        })
        .await
        .map_err(|e| ApiError::internal(format!("ledger task failed: {e}")))?
    }

    /// Runs a write with the ledger, then publishes a fresh snapshot before returning, so the
    /// writer's next read already sees its change.
    pub async fn write_ledger<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Ledger) -> Result<T, ApiError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut ledger = inner.ledger.lock().unwrap_or_else(|p| p.into_inner());
            let out = f(&mut ledger)?;
            let snapshot = Snapshot::load(&ledger)
                .map_err(|e| ApiError::internal(format!("reloading the ledger: {e}")))?;
            inner.snapshot.store(Arc::new(snapshot));
            Ok(out)
        })
        .await
        .map_err(|e| ApiError::internal(format!("ledger task failed: {e}")))?
    }

    /// Awaits `f` with the trade tables, in a task of its own. It first takes a slot of the query
    /// gate, so that a flood of slow requests is answered 503 rather than queued without end
    /// (see [`crate::limit`]). The task holds the slot until `f` is done, even if the request is
    /// dropped meanwhile: the fast path's work on the blocking pool cannot be stopped, so a
    /// slot freed early would let disconnecting clients pile it up past the bound.
    pub async fn with_trade<T, F, Fut>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(Arc<TradeDb>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, ApiError>> + Send + 'static,
    {
        let permit = self.inner.gate.enter().await?;
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let db = inner.trade.current()?;
            f(db).await
        })
        .await
        .map_err(|e| ApiError::internal(format!("trade task failed: {e}")))?
    }

    /// Acts toward `authority`: from the snapshot, or as the ledger stood at the end of
    /// `known_on` (a SQLite query).
    pub async fn acts_of(
        &self,
        authority: &str,
        known_on: Option<Date>,
    ) -> Result<Arc<Vec<Act>>, ApiError> {
        match known_on {
            None => Ok(self.snapshot().acts_of(authority)),
            Some(day) => {
                let authority = authority.to_string();
                self.with_ledger(move |l| {
                    l.acts(Some(&authority), None, Some(day))
                        .map(Arc::new)
                        .map_err(ApiError::from)
                })
                .await
            }
        }
    }
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

/// Elsewhere the modification time and length must do.
#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

/// The trade tables, opened on first use and opened again when the store changes.
///
/// `dyad trade ingest` may run while the server does: it writes a new manifest and deletes the
/// files the old one listed, so tables opened before it would read files that are gone. Each
/// use compares the manifest's identity (inode, modification time, length) with that at
/// opening, which costs one `stat`. The ingest replaces the manifest by renaming a new file over
/// it, so the inode changes with every ingest even when the clock has not ticked.
struct TradeTables {
    home: Option<PathBuf>,
    /// Where the SQL runs (this process, or a cluster).
    engine: Engine,
    open: Mutex<Option<(Stamp, Arc<TradeDb>)>>,
}

/// What identifies a version of the store's manifest (`None`: no manifest, no store).
type Stamp = Option<(u64, SystemTime, u64)>;

impl TradeTables {
    fn new(home: Option<&Path>, engine: Engine) -> TradeTables {
        TradeTables {
            home: home.map(Path::to_path_buf),
            engine,
            open: Mutex::new(None),
        }
    }

    fn stamp(&self) -> Stamp {
        let home = self.home.as_deref()?;
        let manifest = dyad_trade::store::Store::new(home)
            .root()
            .join("manifest.json");
        let meta = std::fs::metadata(manifest).ok()?;
        Some((inode(&meta), meta.modified().ok()?, meta.len()))
    }

    /// The tables for the store as it is now. One `stat` per call, and opening (reading the
    /// manifest, no data) once per version of the store: short enough for an async worker.
    fn current(&self) -> Result<Arc<TradeDb>, ApiError> {
        let stamp = self.stamp();
        // Holding the lock while opening makes concurrent first requests share one opening
        // instead of racing; it is never held across an await.
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, db)) = open.as_ref() {
            if *at == stamp {
                return Ok(db.clone());
            }
        }
        // The same registry as the CLI's `trade` commands, so both resolve countries alike.
        let registry = dyad_core::Registry::bundled();
        let db = TradeDb::open_on(self.home.as_deref(), &registry, self.engine.clone())
            .map_err(|e| ApiError::internal(format!("opening the trade tables: {e}")))?
            .offload_fast_path();
        let db = Arc::new(db);
        *open = Some((stamp, db.clone()));
        Ok(db)
    }
}
