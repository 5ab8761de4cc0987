//! Integration tests of dyad-trade's readers, store and queries, in one test binary (each
//! separate binary would link DataFusion again).

mod comtrade_json;
mod fuzz_readers;
mod pair;
mod readers;

use std::future::Future;
use std::path::Path;
use std::sync::OnceLock;

use dyad_core::Registry;
use dyad_trade::datafusion::arrow::array::RecordBatch;
use dyad_trade::{Declarer, Direction, Result, TradeDb, Years};

/// Awaits `f` on one runtime shared by the tests, as the CLI's `main` awaits its command.
fn wait<F: Future>(f: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .build()
                .expect("a runtime for the tests")
        })
        .block_on(f)
}

/// `TradeDb` with each answer awaited ([`wait`]): the tests are synchronous (proptest's
/// among them), so each call reads as it did before the API was async.
pub struct Db(pub TradeDb);

impl std::ops::Deref for Db {
    type Target = TradeDb;
    fn deref(&self) -> &TradeDb {
        &self.0
    }
}

type Answer = Result<Vec<RecordBatch>>;

#[allow(dead_code)]
impl Db {
    pub fn open(home: Option<&Path>, registry: &Registry) -> Result<Db> {
        TradeDb::open(home, registry).map(Db)
    }
    pub fn sql(&self, query: &str) -> Answer {
        wait(self.0.sql(query))
    }
    pub fn series(&self, a: &str, b: &str, years: Option<Years>) -> Answer {
        wait(self.0.series(a, b, years))
    }
    pub fn series_sql(&self, a: &str, b: &str, years: Option<Years>) -> Answer {
        wait(self.0.series_sql(a, b, years))
    }
    pub fn mirror(&self, e: &str, i: &str, years: Option<Years>) -> Answer {
        wait(self.0.mirror(e, i, years))
    }
    pub fn mirror_sql(&self, e: &str, i: &str, years: Option<Years>) -> Answer {
        wait(self.0.mirror_sql(e, i, years))
    }
    pub fn partners(&self, c: &str, d: Direction, y: Years, top: usize, source: &str) -> Answer {
        wait(self.0.partners(c, d, y, top, source))
    }
    pub fn partners_sql(&self, c: &str, d: Direction, y: Years, top: usize, s: &str) -> Answer {
        wait(self.0.partners_sql(c, d, y, top, s))
    }
    pub fn partner_series(&self, c: &str, d: Direction, who: Declarer) -> Answer {
        wait(self.0.partner_series(c, d, who))
    }
    pub fn partner_series_sql(&self, c: &str, d: Direction, who: Declarer) -> Answer {
        wait(self.0.partner_series_sql(c, d, who))
    }
    pub fn products(&self, e: &str, i: &str, year: i32, level: u8, source: &str) -> Answer {
        wait(self.0.products(e, i, year, level, source))
    }
    pub fn products_sql(&self, e: &str, i: &str, year: i32, level: u8, source: &str) -> Answer {
        wait(self.0.products_sql(e, i, year, level, source))
    }
    pub fn products_by_year(
        &self,
        e: &str,
        i: &str,
        years: Option<Years>,
        level: u8,
        source: &str,
    ) -> Answer {
        wait(self.0.products_by_year(e, i, years, level, source))
    }
    pub fn products_by_year_sql(
        &self,
        e: &str,
        i: &str,
        years: Option<Years>,
        level: u8,
        source: &str,
    ) -> Answer {
        wait(self.0.products_by_year_sql(e, i, years, level, source))
    }
}
