//! The answers the API and the pages share: computed once here from acts, then serialised as
//! JSON or CSV by `api/` and rendered as HTML by `pages/`, so a page and its JSON twin agree.

use dyad_core::stance::{Dimension, Stance, LEVEL_NAMES};
use dyad_core::{Act, Authority, PartialDate, Registry};
use serde::Serialize;
use time::Date;

/// An authority as the API lists it.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorityOut<'a> {
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

impl<'a> AuthorityOut<'a> {
    /// The API view of an authority.
    pub fn new(a: &'a Authority) -> AuthorityOut<'a> {
        AuthorityOut {
            id: &a.id,
            state: &a.state,
            name: &a.name,
            from: dyad_core::date::format_day(a.from),
            until: a.until.map(dyad_core::date::format_day),
            exile_from: a.exile_from.map(dyad_core::date::format_day),
            contests: a.contests.iter().map(String::as_str).collect(),
            source_url: &a.source_url,
            note: &a.note,
        }
    }
}

/// One actor's stance as the API gives it.
#[derive(Debug, Clone, Serialize)]
pub struct StanceOut<'a> {
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
    /// Recognition, with the acts behind it.
    pub recognition: &'a Dimension<dyad_core::stance::Recognition>,
    /// The authority's envoys received by the actor.
    pub envoys: &'a Dimension<dyad_core::stance::Envoys>,
    /// The actor's own mission in the authority's capital.
    pub mission: &'a Dimension<dyad_core::stance::Mission>,
    /// Terrorist or banned-organisation listing.
    pub designation: &'a Dimension<dyad_core::stance::Designation>,
    /// The acts behind the level.
    pub level_acts: &'a [String],
}

impl<'a> StanceOut<'a> {
    /// The API view of a stance.
    pub fn new(s: &'a Stance, registry: &'a Registry) -> StanceOut<'a> {
        StanceOut {
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
        }
    }
}

/// One side of a contest, as the API gives it: the authority and how many actors stand where.
#[derive(Debug, Clone, Serialize)]
pub struct SideOut<'a> {
    /// The authority.
    pub authority: AuthorityOut<'a>,
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
pub struct ContestRowOut<'a> {
    /// Actor code.
    pub actor: &'a str,
    /// Actor's English name.
    pub actor_name: &'a str,
    /// Stances in the order of the sides.
    pub stances: Vec<Option<StanceOut<'a>>>,
}

/// A contest between the rival governments of a state, as `/api/contest` gives it.
#[derive(Debug, Clone, Serialize)]
pub struct ContestOut<'a> {
    /// The state contested.
    pub state: &'a str,
    /// The state's name.
    pub state_name: &'a str,
    /// The day.
    pub on: String,
    /// As the ledger stood at the end of this day, if asked.
    pub known_on: Option<String>,
    /// The rival authorities that had begun by the day, oldest first.
    pub sides: Vec<SideOut<'a>>,
    /// Actors recognising more than one side.
    pub recognise_several: usize,
    /// One row per actor with acts toward any side, by actor code.
    pub actors: Vec<ContestRowOut<'a>>,
}

impl<'a> ContestOut<'a> {
    /// The API view of a contest.
    pub fn new(
        c: &'a dyad_core::contest::Contest,
        registry: &'a Registry,
        known_on: Option<Date>,
    ) -> ContestOut<'a> {
        ContestOut {
            state: &c.state,
            state_name: registry.name_of(&c.state),
            on: dyad_core::date::format_day(c.on),
            known_on: known_on.map(dyad_core::date::format_day),
            sides: c
                .sides
                .iter()
                .map(|s| SideOut {
                    authority: AuthorityOut::new(&s.authority),
                    ended: s.ended.map(dyad_core::date::format_day),
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
                .map(|r| ContestRowOut {
                    actor: &r.actor,
                    actor_name: registry.name_of(&r.actor),
                    stances: r
                        .stances
                        .iter()
                        .map(|s| s.as_ref().map(|s| StanceOut::new(s, registry)))
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The levels and their names, for legends.
pub fn levels() -> impl Iterator<Item = (u8, &'static str)> {
    LEVEL_NAMES.iter().enumerate().map(|(i, n)| (i as u8, *n))
}

/// An act as the API gives it.
#[derive(Debug, Clone, Serialize)]
pub struct ActOut<'a> {
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

impl<'a> ActOut<'a> {
    /// The API view of an act.
    pub fn new(a: &'a Act) -> ActOut<'a> {
        ActOut {
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

/// One act cited by a dimension of a stance.
#[derive(Debug, Clone, Serialize)]
pub struct CitedAct<'a> {
    /// `counted` (it set or confirmed the value) or `pending` (its period contains the day).
    pub status: &'static str,
    /// The act.
    #[serde(flatten)]
    pub act: ActOut<'a>,
}

/// One dimension of a stance, with its acts in full.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionOut<'a> {
    /// `recognition`, `envoys`, `mission` or `designation`.
    pub dimension: &'static str,
    /// The value on the day.
    pub value: &'static str,
    /// Whether a pending act makes it uncertain.
    pub uncertain: bool,
    /// The acts behind it.
    pub acts: Vec<CitedAct<'a>>,
}

/// Each dimension of a stance with its acts (what `dyad why` shows).
pub fn dimensions<'a>(s: &Stance, acts: &'a [Act]) -> Vec<DimensionOut<'a>> {
    fn dim<'a, T: Copy + PartialEq>(
        name: &'static str,
        value: &'static str,
        d: &Dimension<T>,
        acts: &'a [Act],
    ) -> DimensionOut<'a> {
        let cite = |ids: &[String], status: &'static str| -> Vec<CitedAct<'a>> {
            ids.iter()
                .filter_map(|id| acts.iter().find(|a| &a.id == id))
                .map(|a| CitedAct {
                    status,
                    act: ActOut::new(a),
                })
                .collect()
        };
        let mut cited = cite(&d.acts, "counted");
        cited.extend(cite(&d.pending, "pending"));
        DimensionOut {
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

/// One act of a pair's timeline, with dyad's level once it counts.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry<'a> {
    /// The act.
    #[serde(flatten)]
    pub act: ActOut<'a>,
    /// dyad's level at the end of the act's date period.
    pub level_after: u8,
}

/// Every act of `actor` toward `authority`, oldest first, with the level after each.
pub fn timeline<'a>(actor: &str, authority: &Authority, acts: &'a [Act]) -> Vec<TimelineEntry<'a>> {
    let mine: Vec<&Act> = acts.iter().filter(|a| a.actor == actor).collect();
    mine.iter()
        .map(|a| TimelineEntry {
            act: ActOut::new(a),
            level_after: dyad_core::fold(actor, authority, mine.iter().copied(), a.date.end())
                .level,
        })
        .collect()
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

/// Who moved between `from` and `to`, dimension by dimension (what `dyad diff` shows).
pub fn diff<'a>(
    registry: &Registry,
    authority: &Authority,
    acts: &'a [Act],
    from: Date,
    to: Date,
) -> Vec<DiffRow<'a>> {
    let mut out = Vec::new();
    for moved in dyad_core::stance::diff(authority, acts, from, to) {
        for c in moved.changes {
            out.push(DiffRow {
                actor: moved.actor.clone(),
                actor_name: registry.name_of(&moved.actor).to_string(),
                dimension: c.dimension,
                from: c.from,
                to: c.to,
                acts: moved.acts.clone(),
            });
        }
    }
    out
}
