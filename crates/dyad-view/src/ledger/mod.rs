//! The ledger's answers: the registry, stances (see [`stance`]), timelines, diffs, acts and
//! their history, curator tokens.

pub mod stance;

use std::collections::HashMap;

use dyad_core::{Act, Authority, PartialDate, Registry};
use dyad_ledger::tokens::TokenInfo;
use dyad_ledger::ActVersion;
use serde::Serialize;
use time::Date;

pub use stance::{
    dimensions, CitedAct, ContestRowView, ContestView, DimensionView, SideView, SourceAct,
    StanceView, StancesView, WhyView, STANCE_COLUMNS, WHY_COLUMNS,
};

use crate::{Table, View, ViewError};

/// A day as every answer writes it (`2023-04-18`).
pub fn day(d: Date) -> String {
    dyad_core::date::format_day(d)
}

/// The acts a view may cite, by id, with their order.
#[derive(Debug, Default)]
pub struct ActIndex<'a> {
    by_id: HashMap<&'a str, (usize, &'a Act)>,
}

impl<'a> ActIndex<'a> {
    /// Indexes acts (in ledger order; of an id given twice the first is kept).
    pub fn new(acts: impl IntoIterator<Item = &'a Act>) -> ActIndex<'a> {
        let mut by_id = HashMap::new();
        for (i, a) in acts.into_iter().enumerate() {
            by_id.entry(a.id.as_str()).or_insert((i, a));
        }
        ActIndex { by_id }
    }

    /// The act with this id.
    pub fn get(&self, id: &str) -> Option<&'a Act> {
        self.by_id.get(id).map(|(_, a)| *a)
    }

    /// The acts of `ids` that the index holds, each once, in the order they were indexed.
    pub fn cited<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> Vec<&'a Act> {
        let mut found: Vec<(usize, &'a Act)> = ids
            .into_iter()
            .filter_map(|id| self.by_id.get(id))
            .copied()
            .collect();
        found.sort_unstable_by_key(|(i, _)| *i);
        found.dedup_by_key(|(i, _)| *i);
        found.into_iter().map(|(_, a)| a).collect()
    }
}

/// An authority as every answer gives it.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorityView<'a> {
    /// Identifier, e.g. `AFG-IEA`.
    pub id: &'a str,
    /// Code of the state it claims.
    pub state: &'a str,
    /// English name.
    pub name: &'a str,
    /// First day acts toward it may carry.
    pub from: String,
    /// Last such day, if it ended.
    pub until: Option<String>,
    /// Day it lost its capital, if it did.
    pub exile_from: Option<String>,
    /// Other states whose government it also claims to be (`CHN` for `TWN-ROC`).
    pub contests: Vec<&'a str>,
    /// Source of the dates.
    pub source_url: &'a str,
    /// A short note.
    pub note: &'a str,
}

impl<'a> AuthorityView<'a> {
    /// The view of an authority.
    pub fn new(a: &'a Authority) -> AuthorityView<'a> {
        AuthorityView {
            id: &a.id,
            state: &a.state,
            name: &a.name,
            from: day(a.from),
            until: a.until.map(day),
            exile_from: a.exile_from.map(day),
            contests: a.contests.iter().map(String::as_str).collect(),
            source_url: &a.source_url,
            note: &a.note,
        }
    }
}

/// Every authority (`/api/authorities`); as CSV, the format of an authorities file.
#[derive(Debug, Clone, Serialize)]
pub struct AuthoritiesView<'a> {
    /// The authorities, in the registry's order.
    pub authorities: Vec<AuthorityView<'a>>,
}

impl<'a> AuthoritiesView<'a> {
    /// Every authority of the registry.
    pub fn new(registry: &'a Registry) -> AuthoritiesView<'a> {
        AuthoritiesView {
            authorities: registry.authorities().map(AuthorityView::new).collect(),
        }
    }
}

impl View for AuthoritiesView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new([
            "id",
            "state",
            "name",
            "from",
            "until",
            "exile_from",
            "contests",
            "source_url",
            "note",
        ]);
        for a in &self.authorities {
            t.push([
                a.id.to_string(),
                a.state.to_string(),
                a.name.to_string(),
                a.from.clone(),
                a.until.clone().unwrap_or_default(),
                a.exile_from.clone().unwrap_or_default(),
                a.contests.join(" "),
                a.source_url.to_string(),
                a.note.to_string(),
            ]);
        }
        Ok(t)
    }
}

/// Every state, territory and organisation with its codes (`/api/states`).
#[derive(Debug, Clone, Serialize)]
pub struct StatesView<'a> {
    /// The states, in the registry's order.
    pub states: Vec<&'a dyad_core::State>,
}

impl<'a> StatesView<'a> {
    /// Every state of the registry.
    pub fn new(registry: &'a Registry) -> StatesView<'a> {
        StatesView {
            states: registry.states().collect(),
        }
    }
}

impl View for StatesView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new(["code", "numeric", "alpha2", "name", "un_status", "kind"]);
        for s in &self.states {
            t.push([
                s.code.clone(),
                s.numeric.map(|n| format!("{n:03}")).unwrap_or_default(),
                s.alpha2.clone().unwrap_or_default(),
                s.name.clone(),
                s.un_status.clone(),
                match s.kind {
                    dyad_core::codes::Kind::State => "state",
                    dyad_core::codes::Kind::Territory => "territory",
                    dyad_core::codes::Kind::Organisation => "organisation",
                }
                .to_string(),
            ]);
        }
        Ok(t)
    }
}

/// An act as every answer gives it.
#[derive(Debug, Clone, Serialize)]
pub struct ActView<'a> {
    /// Identifier.
    pub id: &'a str,
    /// Date as given: a day, month or year.
    pub date: PartialDate,
    /// `day`, `month` or `year`.
    pub precision: &'static str,
    /// Acting state or organisation.
    pub actor: &'a str,
    /// Authority acted toward.
    pub authority: &'a str,
    /// Kind of act.
    pub act: &'static str,
    /// The curator's level after the act, if given.
    pub level: Option<u8>,
    /// What happened.
    pub detail: &'a str,
    /// The source.
    pub source_url: &'a str,
    /// Publication date of the source, if known.
    pub source_date: Option<PartialDate>,
}

impl<'a> ActView<'a> {
    /// The view of an act.
    pub fn new(a: &'a Act) -> ActView<'a> {
        ActView {
            id: &a.id,
            date: a.date,
            precision: a.date.precision().as_str(),
            actor: &a.actor,
            authority: &a.authority,
            act: a.kind.as_str(),
            level: a.level,
            detail: &a.detail,
            source_url: &a.source_url,
            source_date: a.source_date,
        }
    }
}

/// The ledger's acts (`/api/acts`); as CSV, the format `dyad import` reads (`dyad export`).
#[derive(Debug, Clone, Serialize)]
pub struct ActsView<'a> {
    /// As the ledger stood at the end of this day, if asked.
    pub known_on: Option<String>,
    /// The acts.
    pub acts: Vec<ActView<'a>>,
    #[serde(skip)]
    source: &'a [Act],
}

impl<'a> ActsView<'a> {
    /// The view of `acts`.
    pub fn new(acts: &'a [Act], known_on: Option<Date>) -> ActsView<'a> {
        ActsView {
            known_on: known_on.map(day),
            acts: acts.iter().map(ActView::new).collect(),
            source: acts,
        }
    }
}

impl View for ActsView<'_> {
    /// The import format's columns and cells, read back from [`View::write_csv`].
    fn table(&self) -> Result<Table, ViewError> {
        let bytes = crate::csv_bytes(self)?;
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let mut t = Table::new(r.headers()?.iter());
        for rec in r.records() {
            t.push(rec?.iter());
        }
        Ok(t)
    }

    fn write_csv(&self, out: &mut dyn std::io::Write) -> Result<(), ViewError> {
        dyad_core::acts_csv::write_acts(out, self.source)?;
        Ok(())
    }
}

/// One act of a pair's timeline, with dyad's level once it counts.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry<'a> {
    /// The act.
    #[serde(flatten)]
    pub act: ActView<'a>,
    /// dyad's level at the end of the act's date period.
    pub level_after: u8,
}

/// Every act of one actor toward an authority, oldest first, with the level after each
/// (`dyad timeline`, `/api/timeline`).
#[derive(Debug, Clone, Serialize)]
pub struct TimelineView<'a> {
    /// Actor code.
    pub actor: &'a str,
    /// Actor's English name.
    pub actor_name: &'a str,
    /// The authority.
    pub authority: AuthorityView<'a>,
    /// As the ledger stood at the end of this day, if asked.
    pub known_on: Option<String>,
    /// The acts.
    pub acts: Vec<TimelineEntry<'a>>,
}

impl<'a> TimelineView<'a> {
    /// The timeline of `actor` toward `authority` from `acts` (acts of other actors are left
    /// out).
    pub fn new(
        registry: &'a Registry,
        actor: &'a str,
        authority: &'a Authority,
        acts: &'a [Act],
        known_on: Option<Date>,
    ) -> TimelineView<'a> {
        TimelineView {
            actor,
            actor_name: registry.name_of(actor),
            authority: AuthorityView::new(authority),
            known_on: known_on.map(day),
            acts: timeline(actor, authority, acts),
        }
    }
}

/// Every act of `actor` toward `authority`, oldest first, with the level after each.
pub fn timeline<'a>(actor: &str, authority: &Authority, acts: &'a [Act]) -> Vec<TimelineEntry<'a>> {
    let mine: Vec<&Act> = acts.iter().filter(|a| a.actor == actor).collect();
    mine.iter()
        .map(|a| TimelineEntry {
            act: ActView::new(a),
            // The level once the act counts: at the end of its date's period.
            level_after: dyad_core::fold(actor, authority, mine.iter().copied(), a.date.end())
                .level,
        })
        .collect()
}

impl View for TimelineView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new([
            "date",
            "precision",
            "act",
            "level_after",
            "id",
            "detail",
            "source_url",
        ]);
        for e in &self.acts {
            t.push([
                e.act.date.to_string(),
                e.act.precision.to_string(),
                e.act.act.to_string(),
                e.level_after.to_string(),
                e.act.id.to_string(),
                e.act.detail.to_string(),
                e.act.source_url.to_string(),
            ]);
        }
        Ok(t)
    }
}

/// One moved dimension of one actor between two days.
#[derive(Debug, Clone, Serialize)]
pub struct DiffRow<'a> {
    /// Actor code.
    pub actor: String,
    /// Actor name.
    pub actor_name: String,
    /// The dimension (`recognition`, `envoys`, `mission`, `designation`, `level`).
    pub dimension: &'static str,
    /// Value on the first day.
    pub from: String,
    /// Value on the second day.
    pub to: String,
    /// Acts of the actor that came to count between the two days.
    pub acts: Vec<&'a str>,
}

/// Who moved between two days, dimension by dimension (`dyad diff`, `/api/diff`).
#[derive(Debug, Clone, Serialize)]
pub struct DiffView<'a> {
    /// The authority.
    pub authority: AuthorityView<'a>,
    /// The day compared from.
    pub from: String,
    /// The day compared to.
    pub to: String,
    /// As the ledger stood at the end of this day, if asked.
    pub known_on: Option<String>,
    /// One row per moved dimension of each actor.
    pub changes: Vec<DiffRow<'a>>,
}

impl<'a> DiffView<'a> {
    /// Who moved toward `authority` between `from` and `to` (in either order: backwards reads
    /// the changes backwards).
    pub fn new(
        registry: &'a Registry,
        authority: &'a Authority,
        acts: &'a [Act],
        from: Date,
        to: Date,
        known_on: Option<Date>,
    ) -> DiffView<'a> {
        let mut changes = Vec::new();
        for moved in dyad_core::stance::diff(authority, acts, from, to) {
            let actor_name = registry.name_of(&moved.actor).to_string();
            for c in moved.changes {
                changes.push(DiffRow {
                    actor: moved.actor.clone(),
                    actor_name: actor_name.clone(),
                    dimension: c.dimension,
                    from: c.from,
                    to: c.to,
                    acts: moved.acts.clone(),
                });
            }
        }
        DiffView {
            authority: AuthorityView::new(authority),
            from: day(from),
            to: day(to),
            known_on: known_on.map(day),
            changes,
        }
    }
}

impl View for DiffView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new(["actor", "name", "dimension", "from", "to", "acts"]);
        for c in &self.changes {
            t.push([
                c.actor.clone(),
                c.actor_name.clone(),
                c.dimension.to_string(),
                c.from.clone(),
                c.to.clone(),
                c.acts.join(" "),
            ]);
        }
        Ok(t)
    }
}

/// Every stored version of an act: who, when, why (`dyad history`, `/api/history`).
#[derive(Debug, Clone, Serialize)]
pub struct HistoryView<'a> {
    /// The act's id.
    pub id: &'a str,
    /// Its versions, oldest first.
    pub versions: &'a [ActVersion],
}

impl View for HistoryView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new([
            "version",
            "recorded_at",
            "recorded_by",
            "reason",
            "superseded_at",
            "date",
            "actor",
            "counterpart",
            "act",
            "level",
            "detail",
            "source_url",
        ]);
        for v in self.versions {
            t.push([
                v.version.to_string(),
                v.recorded_at.clone(),
                v.recorded_by.clone(),
                v.reason.clone(),
                v.superseded_at.clone().unwrap_or_default(),
                v.act.date.to_string(),
                v.act.actor.clone(),
                v.act.authority.clone(),
                v.act.kind.to_string(),
                v.act.level.map(|l| l.to_string()).unwrap_or_default(),
                v.act.detail.clone(),
                v.act.source_url.clone(),
            ]);
        }
        Ok(t)
    }
}

/// Curator tokens as listed (`dyad token list`): never the secrets.
#[derive(Debug, Clone, Serialize)]
pub struct TokensView<'a> {
    /// The tokens.
    pub tokens: &'a [TokenInfo],
}

impl View for TokensView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new(["name", "created_at", "revoked_at"]);
        for k in self.tokens {
            t.push([
                k.name.clone(),
                k.created_at.clone(),
                k.revoked_at.clone().unwrap_or_default(),
            ]);
        }
        Ok(t)
    }
}
