//! Stances and what is built of them: the stance list of `dyad status` and `/api/stance` (and
//! `compare`), the contest between rival governments, and the explained stance of `why`.
//!
//! A stance has one shape everywhere ([`StanceView`]): inside a list, a contest row, a why or
//! a brief. What the enclosing answer already says (the authority, the day, whether the
//! authority had ended) is said there once, not in every stance.

use dyad_core::contest::Contest;
use dyad_core::stance::{Designation, Dimension, Envoys, Mission, Recognition, Stance};
use dyad_core::{ActKind, Authority, PartialDate, Registry};
use serde::Serialize;
use time::Date;

use super::{day, ActIndex, ActView, AuthorityView};
use crate::{Table, View, ViewError};

/// An act a stance cites, with its source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceAct<'a> {
    /// Act id.
    pub id: &'a str,
    /// Its date, to a day, month or year.
    pub date: PartialDate,
    /// Kind of act.
    pub act: ActKind,
    /// What happened.
    pub detail: &'a str,
    /// The source.
    pub source_url: &'a str,
}

/// Where one actor stands toward an authority on a day.
#[derive(Debug, Clone, Serialize)]
pub struct StanceView<'a> {
    /// Actor code.
    pub actor: &'a str,
    /// Actor's English name.
    pub actor_name: &'a str,
    /// Summary level 0–5.
    pub level: u8,
    /// Name of the level.
    pub level_name: &'static str,
    /// Whether an act pending on the day could change the level.
    pub level_uncertain: bool,
    /// Recognition, with the acts behind it and those pending.
    pub recognition: &'a Dimension<Recognition>,
    /// The authority's envoys received by the actor.
    pub envoys: &'a Dimension<Envoys>,
    /// The actor's own mission in the authority's capital.
    pub mission: &'a Dimension<Mission>,
    /// Terrorist or banned-organisation listing.
    pub designation: &'a Dimension<Designation>,
    /// The acts behind the level.
    pub level_acts: &'a [String],
    /// Every act counted by the day, oldest first.
    pub counted: &'a [String],
    /// The acts the stance cites (behind each dimension and the level, and pending ones), in
    /// ledger order, with their sources.
    pub sources: Vec<SourceAct<'a>>,
    #[serde(skip)]
    stance: &'a Stance,
}

/// Columns of a stance in a table or CSV (`dyad status`, `/api/stance?format=csv`).
pub const STANCE_COLUMNS: [&str; 11] = [
    "actor",
    "name",
    "level",
    "level_name",
    "recognition",
    "envoys",
    "mission",
    "designation",
    "uncertain",
    "acts",
    "pending",
];

impl<'a> StanceView<'a> {
    /// The view of a stance; `acts` holds (at least) the acts it cites.
    pub fn new(s: &'a Stance, registry: &'a Registry, acts: &ActIndex<'a>) -> StanceView<'a> {
        StanceView {
            actor: &s.actor,
            actor_name: registry.name_of(&s.actor),
            level: s.level,
            level_name: s.level_name(),
            level_uncertain: s.level_uncertain,
            recognition: &s.recognition,
            envoys: &s.envoys,
            mission: &s.mission,
            designation: &s.designation,
            level_acts: s.level_acts(),
            counted: &s.counted,
            sources: acts
                .cited(s.cited())
                .into_iter()
                .map(|a| SourceAct {
                    id: &a.id,
                    date: a.date,
                    act: a.kind,
                    detail: &a.detail,
                    source_url: &a.source_url,
                })
                .collect(),
            stance: s,
        }
    }

    /// The level as a table shows it: with `?` when a pending act could change it.
    pub fn level_text(&self) -> String {
        format!(
            "{}{}",
            self.level,
            if self.level_uncertain { "?" } else { "" }
        )
    }

    /// The stance as one row of [`STANCE_COLUMNS`]; act ids are space-separated.
    pub fn row(&self) -> Vec<String> {
        let s = self.stance;
        vec![
            self.actor.to_string(),
            self.actor_name.to_string(),
            self.level_text(),
            self.level_name.to_string(),
            s.recognition.value.as_str().to_string(),
            s.envoys.value.as_str().to_string(),
            s.mission.value.as_str().to_string(),
            s.designation.value.as_str().to_string(),
            s.uncertain_dimensions(),
            self.level_acts.join(" "),
            s.pending().collect::<Vec<_>>().join(" "),
        ]
    }
}

/// Stances as a table of [`STANCE_COLUMNS`].
pub fn stances_table(stances: &[StanceView]) -> Table {
    let mut t = Table::new(STANCE_COLUMNS);
    for s in stances {
        t.push(s.row());
    }
    t
}

/// Every actor's stance toward an authority on a day (`dyad status`, `/api/stance`), or chosen
/// actors' (`dyad compare`, `/api/compare`).
#[derive(Debug, Clone, Serialize)]
pub struct StancesView<'a> {
    /// The authority.
    pub authority: AuthorityView<'a>,
    /// The day.
    pub on: String,
    /// As the ledger stood at the end of this day, if asked.
    pub known_on: Option<String>,
    /// The authority's last day, when `on` is after it: the stances are what its acts left
    /// behind.
    pub ended: Option<String>,
    /// One stance per actor. Last, so that [`StancesView::json_with_list`] can splice a list
    /// encoded before.
    pub stances: Vec<StanceView<'a>>,
}

impl<'a> StancesView<'a> {
    /// The view of `stances` toward `authority` on `on`; `acts` holds the acts they cite.
    pub fn new(
        registry: &'a Registry,
        authority: &'a Authority,
        on: Date,
        known_on: Option<Date>,
        stances: &'a [Stance],
        acts: &ActIndex<'a>,
    ) -> StancesView<'a> {
        StancesView {
            authority: AuthorityView::new(authority),
            on: day(on),
            known_on: known_on.map(day),
            ended: authority.ended_by(on).map(day),
            stances: stances
                .iter()
                .map(|s| StanceView::new(s, registry, acts))
                .collect(),
        }
    }

    /// The JSON of this view (whose `stances` is empty) with `list`, a JSON array of stances
    /// encoded before, in place of `stances`. The server keeps encoded lists for the days
    /// between two act dates, which all have the same stances.
    pub fn json_with_list(&self, list: &[u8]) -> Result<Vec<u8>, ViewError> {
        const EMPTY_END: &[u8] = b"[]}";
        let mut body = serde_json::to_vec(self)?;
        if !self.stances.is_empty() || !body.ends_with(EMPTY_END) {
            return Err(ViewError::Json(serde::ser::Error::custom(
                "a stance list can only be spliced into a view without stances",
            )));
        }
        body.truncate(body.len() - EMPTY_END.len());
        body.reserve(list.len() + 1);
        body.extend_from_slice(list);
        body.push(b'}');
        Ok(body)
    }
}

impl View for StancesView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        Ok(stances_table(&self.stances))
    }
}

/// One side of a contest: the authority and how many actors stand where.
#[derive(Debug, Clone, Serialize)]
pub struct SideView<'a> {
    /// The authority.
    pub authority: AuthorityView<'a>,
    /// Its last day, when the contest's day is after it (it had ended).
    pub ended: Option<String>,
    /// Whether it had lost its capital by the day.
    pub in_exile: bool,
    /// Actors with at least one act toward it by the day.
    pub actors: usize,
    /// Actors recognising it de jure.
    pub recognised_by: usize,
    /// Actors receiving its envoys, at any rank.
    pub envoys_received_by: usize,
    /// Actors whose own mission in its capital is open.
    pub missions_open: usize,
}

/// One actor's row of a contest: its stance toward each side (null without acts toward it).
#[derive(Debug, Clone, Serialize)]
pub struct ContestRowView<'a> {
    /// Actor code.
    pub actor: &'a str,
    /// Actor's English name.
    pub actor_name: &'a str,
    /// Stances in the order of the sides.
    pub stances: Vec<Option<StanceView<'a>>>,
}

/// The rival governments of a state side by side (`dyad contest`, `/api/contest`).
#[derive(Debug, Clone, Serialize)]
pub struct ContestView<'a> {
    /// The state contested.
    pub state: &'a str,
    /// The state's name.
    pub state_name: &'a str,
    /// The day.
    pub on: String,
    /// As the ledger stood at the end of this day, if asked.
    pub known_on: Option<String>,
    /// The rival authorities that had begun by the day, oldest first.
    pub sides: Vec<SideView<'a>>,
    /// Actors recognising more than one side.
    pub recognise_several: usize,
    /// One row per actor with acts toward any side, by actor code.
    pub actors: Vec<ContestRowView<'a>>,
}

/// The columns a contest has for each side in a table or CSV, after `actor` and `name`.
const SIDE_COLUMNS: [&str; 5] = ["level", "recognition", "envoys", "mission", "acts"];

impl<'a> ContestView<'a> {
    /// The view of a contest; `acts` holds the acts its stances cite.
    pub fn new(
        c: &'a Contest,
        registry: &'a Registry,
        known_on: Option<Date>,
        acts: &ActIndex<'a>,
    ) -> ContestView<'a> {
        ContestView {
            state: &c.state,
            state_name: registry.name_of(&c.state),
            on: day(c.on),
            known_on: known_on.map(day),
            sides: c
                .sides
                .iter()
                .map(|s| SideView {
                    authority: AuthorityView::new(&s.authority),
                    ended: s.ended.map(day),
                    in_exile: s.in_exile,
                    actors: s.actors,
                    recognised_by: s.recognised_by,
                    envoys_received_by: s.envoys_received_by,
                    missions_open: s.missions_open,
                })
                .collect(),
            recognise_several: c.recognise_several,
            actors: c
                .rows
                .iter()
                .map(|r| ContestRowView {
                    actor: &r.actor,
                    actor_name: registry.name_of(&r.actor),
                    stances: r
                        .stances
                        .iter()
                        .map(|s| s.as_ref().map(|s| StanceView::new(s, registry, acts)))
                        .collect(),
                })
                .collect(),
        }
    }

    /// One line per side: how many actors recognise it, receive its envoys, keep a mission;
    /// then how many recognise more than one side, if any do.
    pub fn summary(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .sides
            .iter()
            .map(|s| {
                let ended = s
                    .ended
                    .as_ref()
                    .map(|u| format!(" (ended {u})"))
                    .unwrap_or_default();
                format!(
                    "{}{ended}: recognised by {} of {} actors with acts; envoys received by {}; own mission open in {}",
                    s.authority.id, s.recognised_by, s.actors, s.envoys_received_by, s.missions_open
                )
            })
            .collect();
        if self.recognise_several > 0 {
            lines.push(format!(
                "{} actors recognise more than one side",
                self.recognise_several
            ));
        }
        lines
    }
}

impl View for ContestView<'_> {
    /// `actor`, `name`, then `ID.level`, `ID.recognition`, `ID.envoys`, `ID.mission`, `ID.acts`
    /// for each side: a level with pending acts is marked `?`, act ids are space-separated,
    /// and a side the actor has no act toward is left empty.
    fn table(&self) -> Result<Table, ViewError> {
        let mut columns = vec!["actor".to_string(), "name".to_string()];
        for side in &self.sides {
            columns.extend(
                SIDE_COLUMNS
                    .iter()
                    .map(|c| format!("{}.{c}", side.authority.id)),
            );
        }
        let mut t = Table::new(columns);
        for row in &self.actors {
            let mut cells = vec![row.actor.to_string(), row.actor_name.to_string()];
            for stance in &row.stances {
                match stance {
                    Some(s) => cells.extend([
                        s.level_text(),
                        s.recognition.value.as_str().to_string(),
                        s.envoys.value.as_str().to_string(),
                        s.mission.value.as_str().to_string(),
                        s.level_acts.join(" "),
                    ]),
                    None => cells.extend(std::iter::repeat_n(String::new(), SIDE_COLUMNS.len())),
                }
            }
            t.push(cells);
        }
        Ok(t)
    }
}

/// One act cited by a dimension of a stance.
#[derive(Debug, Clone, Serialize)]
pub struct CitedAct<'a> {
    /// `counted` (it set or confirmed the value) or `pending` (its period contains the day).
    pub status: &'static str,
    /// The act.
    #[serde(flatten)]
    pub act: ActView<'a>,
}

/// One dimension of a stance, with its acts in full.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionView<'a> {
    /// `recognition`, `envoys`, `mission` or `designation`.
    pub dimension: &'static str,
    /// The value on the day.
    pub value: &'static str,
    /// Whether a pending act makes it uncertain.
    pub uncertain: bool,
    /// The acts behind it: those counted, then those pending.
    pub acts: Vec<CitedAct<'a>>,
}

/// Each dimension of a stance with its acts (what `dyad why` and the pair page show).
pub fn dimensions<'a>(s: &Stance, acts: &ActIndex<'a>) -> Vec<DimensionView<'a>> {
    fn dim<'a, T: Copy + PartialEq>(
        name: &'static str,
        value: &'static str,
        d: &Dimension<T>,
        acts: &ActIndex<'a>,
    ) -> DimensionView<'a> {
        let cite = |ids: &[String], status: &'static str| -> Vec<CitedAct<'a>> {
            ids.iter()
                .filter_map(|id| acts.get(id))
                .map(|a| CitedAct {
                    status,
                    act: ActView::new(a),
                })
                .collect()
        };
        let mut cited = cite(&d.acts, "counted");
        cited.extend(cite(&d.pending, "pending"));
        DimensionView {
            dimension: name,
            value,
            uncertain: d.uncertain(),
            acts: cited,
        }
    }
    vec![
        dim(
            "recognition",
            s.recognition.value.as_str(),
            &s.recognition,
            acts,
        ),
        dim("envoys", s.envoys.value.as_str(), &s.envoys, acts),
        dim("mission", s.mission.value.as_str(), &s.mission, acts),
        dim(
            "designation",
            s.designation.value.as_str(),
            &s.designation,
            acts,
        ),
    ]
}

/// One actor's stance explained (`dyad why`, `/api/why`): the stance as everywhere, and each
/// dimension with its acts in full.
#[derive(Debug, Clone, Serialize)]
pub struct WhyView<'a> {
    /// The stance.
    #[serde(flatten)]
    pub stance: StanceView<'a>,
    /// The authority.
    pub authority: AuthorityView<'a>,
    /// The day.
    pub on: String,
    /// As the ledger stood at the end of this day, if asked.
    pub known_on: Option<String>,
    /// The authority's last day, when `on` is after it.
    pub ended: Option<String>,
    /// Each dimension with the acts behind it.
    pub dimensions: Vec<DimensionView<'a>>,
}

/// Columns of `why` in a table or CSV.
pub const WHY_COLUMNS: [&str; 8] = [
    "dimension",
    "value",
    "status",
    "act_id",
    "date",
    "act",
    "source_url",
    "detail",
];

impl<'a> WhyView<'a> {
    /// The view of `stance` toward `authority`; `acts` holds the acts it cites.
    pub fn new(
        stance: &'a Stance,
        registry: &'a Registry,
        authority: &'a Authority,
        known_on: Option<Date>,
        acts: &ActIndex<'a>,
    ) -> WhyView<'a> {
        WhyView {
            stance: StanceView::new(stance, registry, acts),
            authority: AuthorityView::new(authority),
            on: day(stance.on),
            known_on: known_on.map(day),
            ended: stance.ended.map(day),
            dimensions: dimensions(stance, acts),
        }
    }

    /// The line a table starts with: who, toward whom, on which day, at which level.
    pub fn headline(&self) -> String {
        format!(
            "{} ({}) toward {} on {}: level {} ({})",
            self.stance.actor_name,
            self.stance.actor,
            self.authority.id,
            self.on,
            self.stance.level_text(),
            self.stance.level_name
        )
    }
}

impl View for WhyView<'_> {
    /// One row per cited act of each dimension (`no act` for a dimension without any).
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new(WHY_COLUMNS);
        for d in &self.dimensions {
            if d.acts.is_empty() {
                t.push([d.dimension, d.value, "no act", "", "", "", "", ""]);
            }
            for c in &d.acts {
                t.push([
                    d.dimension.to_string(),
                    d.value.to_string(),
                    c.status.to_string(),
                    c.act.id.to_string(),
                    c.act.date.to_string(),
                    c.act.act.to_string(),
                    c.act.source_url.to_string(),
                    c.act.detail.to_string(),
                ]);
            }
        }
        Ok(t)
    }
}
