//! The answers the API and the pages share: computed once here from acts, then serialised as
//! JSON or CSV by `api/` and rendered as HTML by `pages/`, so a page and its JSON twin agree.

use dyad_core::stance::{changes, Dimension, Stance, LEVEL_NAMES};
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
    let before = dyad_core::fold_all(authority, acts, from);
    let after = dyad_core::fold_all(authority, acts, to);
    let mut out = Vec::new();
    for s in &after {
        let old = before.iter().find(|b| b.actor == s.actor);
        let moved: Vec<&str> = acts
            .iter()
            .filter(|a| a.actor == s.actor && a.date.end() > from && a.date.end() <= to)
            .map(|a| a.id.as_str())
            .collect();
        for c in changes(old, s) {
            out.push(DiffRow {
                actor: s.actor.clone(),
                actor_name: registry.name_of(&s.actor).to_string(),
                dimension: c.dimension,
                from: c.from,
                to: c.to,
                acts: moved.clone(),
            });
        }
    }
    out
}
