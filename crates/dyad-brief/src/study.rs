//! Event studies from the trade store: resolve the event (a date or an act), build the target
//! and peer series, and run [`dyad_analysis::event`].

use std::collections::BTreeMap;

use dyad_analysis::event::{closest_peers, event_study, EventResult, EventSpec};
use dyad_analysis::series::{Period, Series};
use dyad_core::Act;
use dyad_trade::TradeDb;
use serde::Serialize;
use time::Date;

use crate::figures::{partner_series, SeriesSource};
use crate::BriefError;

/// Which peers to compare with.
#[derive(Debug, Clone)]
pub enum Peers {
    /// The `k` closest by pre-event level among the importer's other suppliers (or, with
    /// `exporter_markets`, the exporter's other markets).
    Auto {
        /// How many.
        k: usize,
        /// Use the exporter's other markets instead of the importer's other suppliers.
        exporter_markets: bool,
    },
    /// Named exporters (or importers, with `exporter_markets`).
    List {
        /// Country codes.
        codes: Vec<String>,
        /// As for `Auto`.
        exporter_markets: bool,
    },
}

/// An event study request.
#[derive(Debug, Clone)]
pub struct StudyRequest {
    /// Exporting country.
    pub exporter: String,
    /// Importing country.
    pub importer: String,
    /// A day (`2023-04-17`) or an act id.
    pub event: String,
    /// Periods in each window.
    pub window: usize,
    /// The peers.
    pub peers: Peers,
    /// The figures to use.
    pub source: SeriesSource,
    /// Monthly instead of annual data.
    pub monthly: bool,
}

/// A study with everything needed to report it.
#[derive(Debug, Clone, Serialize)]
pub struct StudyOutput {
    /// Exporting country.
    pub exporter: String,
    /// Importing country.
    pub importer: String,
    /// The event day.
    pub event_date: Date,
    /// The act, when the event was given as one.
    pub event_act: Option<Act>,
    /// The figures used.
    pub source: &'static str,
    /// How peers were chosen.
    pub peer_rule: String,
    /// The target series.
    pub target: Series,
    /// The peers' series, by code.
    pub peers: BTreeMap<String, Series>,
    /// The result.
    pub result: EventResult,
}

/// Resolves an event given as a day or an act id (acts count from the end of their period).
pub fn resolve_event(event: &str, acts: &[Act]) -> Result<(Date, Option<Act>), BriefError> {
    if let Ok(day) = dyad_core::date::parse_day(event) {
        return Ok((day, None));
    }
    let act = acts.iter().find(|a| a.id == event).ok_or_else(|| {
        BriefError::Invalid(format!(
            "`{event}` is neither a day (YYYY-MM-DD) nor an act id in the ledger"
        ))
    })?;
    Ok((act.date.end(), Some(act.clone())))
}

/// Runs an event study.
pub async fn run(
    db: &TradeDb,
    acts: &[Act],
    req: &StudyRequest,
) -> Result<StudyOutput, BriefError> {
    let (exporter, importer) = (db.country(&req.exporter)?, db.country(&req.importer)?);
    let (event_date, event_act) = resolve_event(&req.event, acts)?;
    let event = if req.monthly {
        Period::Month(event_date.year(), event_date.month() as u8)
    } else {
        Period::Year(event_date.year())
    };
    let spec = EventSpec {
        event,
        window: req.window,
    };
    let exporter_markets = match &req.peers {
        Peers::Auto {
            exporter_markets, ..
        }
        | Peers::List {
            exporter_markets, ..
        } => *exporter_markets,
    };
    // One query gives the target and the candidates: all suppliers of the importer, or all
    // markets of the exporter.
    let (fixed, own) = if exporter_markets {
        (&exporter, &importer)
    } else {
        (&importer, &exporter)
    };
    let mut all = partner_series(db, fixed, exporter_markets, req.source, req.monthly).await?;
    let target = all.remove(own).unwrap_or_default();
    if target.points.is_empty() {
        return Err(BriefError::Invalid(format!(
            "not enough data: no {} figures for {exporter} -> {importer}{}; ingest BACI or Comtrade files with `dyad trade ingest`",
            req.source.label(),
            if req.monthly { " by month" } else { "" }
        )));
    }
    let candidates: Vec<(String, Series)> = all.into_iter().collect();
    let (chosen, rule) = match &req.peers {
        Peers::Auto { k, .. } => (
            closest_peers(&target, &candidates, spec, *k),
            format!(
                "the {k} {} closest to the target in mean log value over the pre-event window, among those with data in both windows",
                if exporter_markets { "other markets of the exporter" } else { "other suppliers of the importer" }
            ),
        ),
        Peers::List { codes, .. } => {
            let codes = codes.iter().map(|c| db.country(c)).collect::<Result<Vec<_>, _>>()?;
            (codes, "as listed".to_string())
        }
    };
    let peers: Vec<(String, Series)> = chosen
        .iter()
        .map(|c| {
            (
                c.clone(),
                candidates
                    .iter()
                    .find(|(n, _)| n == c)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let result =
        event_study(&target, &peers, spec).map_err(|e| BriefError::Invalid(e.to_string()))?;
    Ok(StudyOutput {
        exporter,
        importer,
        event_date,
        event_act,
        source: req.source.label(),
        peer_rule: rule,
        target,
        peers: peers.into_iter().collect(),
        result,
    })
}
