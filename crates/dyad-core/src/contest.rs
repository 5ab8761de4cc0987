//! A contest between rival governments of one state: every actor's stance toward each
//! authority claiming the state, side by side, and how many actors stand where.
//!
//! The rivals are the registry's claimants of the state ([`Registry::claimants`]): the
//! authorities whose `state` it is and those that contest it (`TWN-ROC` for `CHN`). An authority
//! that had not begun by the day is left out; one that had ended is kept and marked, so that an
//! answer after its end says so rather than passing its last stances off as current.

use std::collections::BTreeSet;

use serde::Serialize;
use time::Date;

use crate::act::Act;
use crate::codes::{Authority, Registry};
use crate::stance::{fold, Envoys, Mission, Recognition, Stance};

/// One side of a contest: an authority and how the actors stand toward it.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The authority.
    pub authority: Authority,
    /// Its last day, when the contest's day is after it.
    pub ended: Option<Date>,
    /// Whether it had lost its capital by the day (an authority in exile).
    pub in_exile: bool,
    /// Actors with at least one act toward it by the day.
    pub actors: usize,
    /// Actors recognising it de jure.
    pub recognised_by: usize,
    /// Actors receiving its envoys (any rank).
    pub envoys_received_by: usize,
    /// Actors whose own mission in its capital is open.
    pub missions_open: usize,
}

/// One actor's row: its stance toward each side, `None` where it has no act toward that side.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The acting state or organisation.
    pub actor: String,
    /// Stances in the order of [`Contest::sides`].
    pub stances: Vec<Option<Stance>>,
}

impl Row {
    /// The sides (by index) this actor recognises on the day.
    pub fn recognises(&self) -> impl Iterator<Item = usize> + '_ {
        self.stances.iter().enumerate().filter_map(|(i, s)| {
            s.as_ref()
                .filter(|s| s.recognition.value == Recognition::DeJure)
                .map(|_| i)
        })
    }
}

/// Every actor's stance toward each rival authority of a state on a day.
#[derive(Debug, Clone, Serialize)]
pub struct Contest {
    /// The state contested.
    pub state: String,
    /// The day of the answer.
    pub on: Date,
    /// The rival authorities, oldest first.
    pub sides: Vec<Side>,
    /// One row per actor with an act toward any side by the day, sorted by actor code.
    pub rows: Vec<Row>,
    /// Actors recognising more than one side at once (each side counted them).
    pub recognise_several: usize,
}

/// Builds the contest over `state` on `on` from `acts` (acts toward other authorities are
/// ignored). `None` when no authority claiming the state had begun by the day.
pub fn contest(registry: &Registry, state: &str, acts: &[Act], on: Date) -> Option<Contest> {
    let rivals: Vec<&Authority> = registry
        .claimants(state)
        .into_iter()
        .filter(|a| a.from <= on)
        .collect();
    if rivals.is_empty() {
        return None;
    }
    let ids: BTreeSet<&str> = rivals.iter().map(|a| a.id.as_str()).collect();
    let actors: BTreeSet<&str> = acts
        .iter()
        .filter(|a| ids.contains(a.authority.as_str()) && a.date.start() <= on)
        .map(|a| a.actor.as_str())
        .collect();
    let rows: Vec<Row> = actors
        .into_iter()
        .map(|actor| Row {
            actor: actor.to_string(),
            stances: rivals
                .iter()
                .map(|authority| {
                    let has_acts = acts.iter().any(|a| {
                        a.actor == actor && a.authority == authority.id && a.date.start() <= on
                    });
                    has_acts.then(|| fold(actor, authority, acts, on))
                })
                .collect(),
        })
        .collect();
    let sides = rivals
        .iter()
        .enumerate()
        .map(|(i, authority)| {
            let stances = || rows.iter().filter_map(|r| r.stances[i].as_ref());
            Side {
                authority: (*authority).clone(),
                ended: authority.ended_by(on),
                in_exile: authority.in_exile_on(on),
                actors: stances().count(),
                recognised_by: stances()
                    .filter(|s| s.recognition.value == Recognition::DeJure)
                    .count(),
                envoys_received_by: stances()
                    .filter(|s| s.envoys.value >= Envoys::Received)
                    .count(),
                missions_open: stances()
                    .filter(|s| matches!(s.mission.value, Mission::Open | Mission::Ambassador))
                    .count(),
            }
        })
        .collect();
    let recognise_several = rows.iter().filter(|r| r.recognises().count() > 1).count();
    Some(Contest {
        state: state.to_string(),
        on,
        sides,
        rows,
        recognise_several,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::act::ActKind;
    use crate::date::parse_day;
    use crate::PartialDate;

    fn act(actor: &str, authority: &str, date: &str, kind: ActKind) -> Act {
        let date = PartialDate::parse(date).unwrap();
        Act {
            id: Act::natural_id(actor, authority, &date, kind),
            date,
            actor: actor.into(),
            authority: authority.into(),
            kind,
            level: None,
            detail: String::new(),
            source_url: "https://example.org/a".into(),
            source_date: None,
        }
    }

    #[test]
    fn sides_are_the_claimants_that_had_begun_and_counts_follow_the_stances() {
        let registry = Registry::bundled();
        let acts = [
            act("KAZ", "AFG-IRA", "2010-01-01", ActKind::Recognition),
            act("KAZ", "AFG-IEA", "2023-04-17", ActKind::EnvoyAccepted),
            act("RUS", "AFG-IEA", "2025-07-03", ActKind::Recognition),
        ];
        let c = contest(&registry, "AFG", &acts, parse_day("2021-01-01").unwrap()).unwrap();
        let ids: Vec<&str> = c.sides.iter().map(|s| s.authority.id.as_str()).collect();
        assert_eq!(ids, ["AFG-IRA"], "the Emirate had not begun");
        let c = contest(&registry, "AFG", &acts, parse_day("2025-08-01").unwrap()).unwrap();
        let ids: Vec<&str> = c.sides.iter().map(|s| s.authority.id.as_str()).collect();
        assert_eq!(ids, ["AFG-IRA", "AFG-IEA"]);
        assert!(c.sides[0].in_exile && !c.sides[1].in_exile);
        assert_eq!((c.sides[0].recognised_by, c.sides[1].recognised_by), (1, 1));
        assert_eq!(c.sides[1].envoys_received_by, 1);
        assert_eq!(c.rows.len(), 2);
        assert!(
            c.rows[1].stances[0].is_none(),
            "RUS has no act toward AFG-IRA"
        );
        assert_eq!(c.recognise_several, 0);
        assert!(contest(&registry, "AFG", &acts, parse_day("2000-01-01").unwrap()).is_none());
    }

    #[test]
    fn a_contested_seat_includes_the_contesting_authority() {
        let registry = Registry::bundled();
        let c = contest(&registry, "CHN", &[], parse_day("2020-01-01").unwrap()).unwrap();
        let ids: Vec<&str> = c.sides.iter().map(|s| s.authority.id.as_str()).collect();
        assert_eq!(ids, ["TWN-ROC", "PRC"]);
    }
}
