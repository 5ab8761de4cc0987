//! The stance fold: what one actor's acts toward one authority add up to on a given day.
//!
//! The fold is pure and deterministic. It keeps separate dimensions (recognition, the
//! authority's envoys received, the actor's own mission, designation) so that accreditation is
//! never mistaken for recognition, and each dimension cites the acts that set it.
//!
//! Date precision: an act known only to a month or a year counts from the last day of its period.
//! On a day inside the period the act may or may not have happened yet, so the dimension it would
//! change is marked uncertain and the act is listed as pending.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::act::{Act, ActKind};
use crate::codes::Authority;

/// Whether the actor recognises the authority as a government.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Recognition {
    /// No recognition recorded.
    #[default]
    None,
    /// Formal de jure recognition.
    DeJure,
}

/// Whether and at what rank the actor receives the authority's envoys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Envoys {
    /// None received.
    #[default]
    None,
    /// Its mission carries on in the actor's country, rank not recorded.
    Received,
    /// Chargé, secretaries or consuls: below ambassador rank.
    BelowAmbassador,
    /// An accredited ambassador.
    Ambassador,
}

/// The actor's own mission in the authority's capital.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mission {
    /// Nothing recorded.
    #[default]
    None,
    /// Closed or suspended.
    Closed,
    /// Open (embassy, technical mission or chargé).
    Open,
    /// Open and headed by an ambassador.
    Ambassador,
}

/// Whether the actor lists the authority's movement as terrorist or banned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Designation {
    /// No act on the matter.
    #[default]
    NotRecorded,
    /// Listed.
    Listed,
    /// Taken off the list.
    NotListed,
}

macro_rules! names {
    ($($t:ty { $($v:ident => $s:literal),* })*) => {$(
        impl $t {
            /// The name used in tables, CSV and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
        }
    )*};
}

names! {
    Recognition { None => "none", DeJure => "de_jure" }
    Envoys { None => "none", Received => "received", BelowAmbassador => "below_ambassador", Ambassador => "ambassador" }
    Mission { None => "none", Closed => "closed", Open => "open", Ambassador => "ambassador" }
    Designation { NotRecorded => "not_recorded", Listed => "listed", NotListed => "not_listed" }
}

/// One dimension of a stance: its value and the acts behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Dimension<T> {
    /// The value on the day.
    pub value: T,
    /// Acts that set or confirmed the value, oldest first.
    pub acts: Vec<String>,
    /// Acts whose period contains the day: they may already have changed this dimension.
    pub pending: Vec<String>,
}

impl<T: PartialEq + Copy> Dimension<T> {
    /// Whether a pending act makes the value uncertain.
    pub fn uncertain(&self) -> bool {
        !self.pending.is_empty()
    }

    fn set(&mut self, value: T, act: &str) {
        if value != self.value {
            self.value = value;
            self.acts.clear();
        }
        self.acts.push(act.to_string());
    }
}

/// The summary engagement level, 0–5, of the dataset's scale.
pub const LEVEL_NAMES: [&str; 6] = [
    "none",
    "contacts only",
    "own embassy open",
    "envoys received below ambassador rank",
    "ambassador accredited",
    "formal recognition",
];

/// Where an actor stands toward an authority on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stance {
    /// The acting state or organisation.
    pub actor: String,
    /// The authority.
    pub authority: String,
    /// The day of the answer.
    pub on: Date,
    /// Recognition.
    pub recognition: Dimension<Recognition>,
    /// The authority's envoys received by the actor.
    pub envoys: Dimension<Envoys>,
    /// The actor's own mission in the authority's capital.
    pub mission: Dimension<Mission>,
    /// Terrorist or banned-organisation listing.
    pub designation: Dimension<Designation>,
    /// Summary level 0–5 (see [`LEVEL_NAMES`]).
    pub level: u8,
    /// Whether a pending act could change the level: some of the acts pending on the day, had
    /// they happened by then (at either end of the days still open to them), give another level.
    pub level_uncertain: bool,
    /// Every act counted by the day, oldest first.
    pub counted: Vec<String>,
    /// The authority's last day when the answer's day is after it: the authority had ended, and
    /// the stance is what its acts (including those winding up its missions) left behind.
    pub ended: Option<Date>,
}

/// Which dimension an act touches, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Touch {
    Recognition,
    Envoys,
    Mission,
    Designation,
    Nothing,
}

fn touches(kind: ActKind, exile: bool) -> Touch {
    use ActKind::*;
    match kind {
        Recognition | RecognitionWithdrawn | StatementNonRecognition => Touch::Recognition,
        EnvoyAccepted | EmbassyHandedOver | AmbassadorCredentialsAccepted | EnvoyRejected => {
            Touch::Envoys
        }
        EmbassyKeptOpen | MissionOpened | MissionClosed if exile => Touch::Envoys,
        EmbassyKeptOpen | MissionOpened | MissionClosed | AmbassadorSent => Touch::Mission,
        DesignationAdded | DesignationRemoved => Touch::Designation,
        UnCredentialsDeferred | TradeAgreement | Other => Touch::Nothing,
    }
}

/// Whether an act shows bilateral contact (level 1 at least). Statements, UN procedure and a
/// listing as terrorist do not.
fn is_contact(kind: ActKind) -> bool {
    !matches!(
        kind,
        ActKind::StatementNonRecognition
            | ActKind::UnCredentialsDeferred
            | ActKind::DesignationAdded
    )
}

impl Stance {
    fn empty(actor: &str, authority: &str, on: Date) -> Stance {
        Stance {
            actor: actor.to_string(),
            authority: authority.to_string(),
            on,
            recognition: Dimension::default(),
            envoys: Dimension::default(),
            mission: Dimension::default(),
            designation: Dimension::default(),
            level: 0,
            level_uncertain: false,
            counted: Vec::new(),
            ended: None,
        }
    }

    fn apply(&mut self, act: &Act, exile: bool) {
        use ActKind::*;
        let id = act.id.as_str();
        match (act.kind, touches(act.kind, exile)) {
            (Recognition, _) => self.recognition.set(self::Recognition::DeJure, id),
            (RecognitionWithdrawn, _) => self.recognition.set(self::Recognition::None, id),
            (StatementNonRecognition, _) => {
                // A statement confirms non-recognition; it cannot undo a recognition.
                if self.recognition.value == self::Recognition::None {
                    self.recognition.acts.push(id.to_string());
                }
            }
            (AmbassadorCredentialsAccepted, _) => self.envoys.set(Envoys::Ambassador, id),
            (EnvoyAccepted | EmbassyHandedOver, _) => {
                raise(&mut self.envoys, Envoys::BelowAmbassador, id)
            }
            (EnvoyRejected, _) | (MissionClosed, Touch::Envoys) => {
                self.envoys.set(Envoys::None, id)
            }
            // An authority in exile has no capital: its mission (re)opened in the actor's
            // country is what such an act can mean, as for `embassy_kept_open`.
            (EmbassyKeptOpen | MissionOpened, Touch::Envoys) => {
                raise(&mut self.envoys, Envoys::Received, id)
            }
            // Opening and keeping open end in the same state; an ambassador already named
            // stays (the act confirms the mission, it does not downgrade it).
            (EmbassyKeptOpen | MissionOpened, _) => {
                if self.mission.value == Mission::Ambassador {
                    self.mission.acts.push(id.to_string());
                } else {
                    self.mission.set(Mission::Open, id);
                }
            }
            (AmbassadorSent, _) => self.mission.set(Mission::Ambassador, id),
            (MissionClosed, _) => self.mission.set(Mission::Closed, id),
            (DesignationAdded, _) => self.designation.set(Designation::Listed, id),
            (DesignationRemoved, _) => self.designation.set(Designation::NotListed, id),
            (UnCredentialsDeferred | TradeAgreement | Other, _) => {}
        }
        self.counted.push(id.to_string());
    }

    fn mark_pending(&mut self, act: &Act, exile: bool) {
        let id = act.id.clone();
        match touches(act.kind, exile) {
            Touch::Recognition => self.recognition.pending.push(id),
            Touch::Envoys => self.envoys.pending.push(id),
            Touch::Mission => self.mission.pending.push(id),
            Touch::Designation => self.designation.pending.push(id),
            Touch::Nothing => {}
        }
    }

    fn summarise(&mut self, contact: bool) {
        self.level = if self.recognition.value == Recognition::DeJure {
            5
        } else if self.envoys.value == Envoys::Ambassador {
            4
        } else if self.envoys.value >= Envoys::Received {
            3
        } else if matches!(self.mission.value, Mission::Open | Mission::Ambassador) {
            2
        } else if contact {
            1
        } else {
            0
        };
    }

    /// The acts behind the summary level: those of the dimension that decides it.
    pub fn level_acts(&self) -> &[String] {
        match self.level {
            5 => &self.recognition.acts,
            3 | 4 => &self.envoys.acts,
            2 => &self.mission.acts,
            _ => &self.counted,
        }
    }

    /// Acts pending on the day (their date's period contains it), across dimensions.
    pub fn pending(&self) -> impl Iterator<Item = &str> {
        [
            &self.recognition.pending,
            &self.envoys.pending,
            &self.mission.pending,
            &self.designation.pending,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
    }

    /// Every act the stance cites: those behind each dimension and the level, and pending ones.
    pub fn cited(&self) -> std::collections::BTreeSet<&str> {
        self.recognition
            .acts
            .iter()
            .chain(&self.envoys.acts)
            .chain(&self.mission.acts)
            .chain(&self.designation.acts)
            .chain(self.level_acts())
            .map(String::as_str)
            .chain(self.pending())
            .collect()
    }

    /// The dimensions a pending act may change, comma-separated (`envoys,mission`), or empty.
    pub fn uncertain_dimensions(&self) -> String {
        [
            ("recognition", self.recognition.uncertain()),
            ("envoys", self.envoys.uncertain()),
            ("mission", self.mission.uncertain()),
            ("designation", self.designation.uncertain()),
        ]
        .iter()
        .filter(|(_, u)| *u)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(",")
    }

    /// Name of the summary level.
    pub fn level_name(&self) -> &'static str {
        LEVEL_NAMES[usize::from(self.level)]
    }
}

/// Raises an ordered dimension to at least `floor`, citing the act when it sets the value.
fn raise(dim: &mut Dimension<Envoys>, floor: Envoys, id: &str) {
    if dim.value <= floor {
        dim.set(floor, id);
    }
}

/// Folds the acts of one actor toward one authority into its stance on `on`.
///
/// `acts` may be in any order and may include acts by other actors or toward other authorities;
/// those are ignored. Acts on the same effective day are applied in the order given.
pub fn fold<'a>(
    actor: &str,
    authority: &Authority,
    acts: impl IntoIterator<Item = &'a Act>,
    on: Date,
) -> Stance {
    let mut mine: Vec<&Act> = acts
        .into_iter()
        .filter(|a| a.actor == actor && a.authority == authority.id && a.date.start() <= on)
        .collect();
    mine.sort_by_key(|a| a.date.end());
    let (counted, pending): (Vec<&Act>, Vec<&Act>) =
        mine.into_iter().partition(|a| a.date.end() <= on);
    let mut stance = apply_all(actor, authority, on, counted.iter().copied());
    for act in &pending {
        stance.mark_pending(act, authority.in_exile_on(act.date.end()));
    }
    stance.level_uncertain =
        pending_could_change_level(authority, on, &counted, &pending, stance.level);
    stance.ended = authority.ended_by(on);
    stance
}

/// Applies acts, in the order given, to an empty stance and sums up its level.
fn apply_all<'a>(
    actor: &str,
    authority: &Authority,
    on: Date,
    acts: impl IntoIterator<Item = &'a Act>,
) -> Stance {
    let mut stance = Stance::empty(actor, &authority.id, on);
    let mut contact = false;
    for act in acts {
        stance.apply(act, authority.in_exile_on(act.date.end()));
        contact |= is_contact(act.kind);
    }
    stance.summarise(contact);
    stance
}

/// Pending acts beyond this many are not tried in every combination (3^n folds); the answer is
/// then "uncertain" as soon as one of them could move the level on its own or all together.
const EXACT_PENDING_MAX: usize = 6;

/// Whether some of the pending acts, had they already happened, would give a level other than
/// `level`. Each pending act may be absent, or have happened at the start of its period (before
/// counted acts of the same days) or on `on` itself (after them): the order matters, since a
/// mission reopened before or after a closure in the same month ends open or closed.
fn pending_could_change_level(
    authority: &Authority,
    on: Date,
    counted: &[&Act],
    pending: &[&Act],
    level: u8,
) -> bool {
    // Only acts that touch a dimension or show contact can move the level.
    let movers: Vec<&Act> = pending
        .iter()
        .copied()
        .filter(|a| {
            touches(a.kind, authority.in_exile_on(a.date.end())) != Touch::Nothing
                || is_contact(a.kind)
        })
        .collect();
    if movers.is_empty() {
        return false;
    }
    let level_with = |choice: &[u8]| -> u8 {
        // Keys: counted acts at their end; a chosen pending act at its start (1) or on `on` (2).
        let mut seq: Vec<(Date, &Act)> = counted.iter().map(|a| (a.date.end(), *a)).collect();
        for (act, &c) in movers.iter().zip(choice) {
            match c {
                1 => seq.push((act.date.start(), act)),
                2 => seq.push((on, act)),
                _ => {}
            }
        }
        seq.sort_by_key(|(day, _)| *day);
        apply_all("", authority, on, seq.into_iter().map(|(_, a)| a)).level
    };
    let n = movers.len();
    if n > EXACT_PENDING_MAX {
        let mut alone = vec![0u8; n];
        return (0..n).any(|i| {
            alone.iter_mut().for_each(|c| *c = 0);
            alone[i] = 2;
            level_with(&alone) != level
        }) || level_with(&vec![1; n]) != level
            || level_with(&vec![2; n]) != level;
    }
    let mut choice = vec![0u8; n];
    for mut code in 1..3usize.pow(n as u32) {
        for c in choice.iter_mut() {
            *c = (code % 3) as u8;
            code /= 3;
        }
        if level_with(&choice) != level {
            return true;
        }
    }
    false
}

/// The stance of every actor with at least one act toward `authority` dated by `on`, sorted by
/// actor code.
pub fn fold_all<'a>(
    authority: &Authority,
    acts: impl IntoIterator<Item = &'a Act>,
    on: Date,
) -> Vec<Stance> {
    let mut by_actor: BTreeMap<&str, Vec<&Act>> = BTreeMap::new();
    for a in acts {
        if a.authority == authority.id && a.date.start() <= on {
            by_actor.entry(a.actor.as_str()).or_default().push(a);
        }
    }
    by_actor
        .into_iter()
        .map(|(actor, acts)| fold(actor, authority, acts, on))
        .collect()
}

/// One change between two stances of the same actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The dimension (`recognition`, `envoys`, `mission`, `designation`, `level`).
    pub dimension: &'static str,
    /// Value before.
    pub from: String,
    /// Value after.
    pub to: String,
}

/// What changed between two stances of one actor (`before` may be absent: no acts yet).
pub fn changes(before: Option<&Stance>, after: &Stance) -> Vec<Change> {
    let b = before
        .cloned()
        .unwrap_or_else(|| Stance::empty(&after.actor, &after.authority, after.on));
    let mut out = Vec::new();
    let mut push = |dimension, from: &str, to: &str| {
        if from != to {
            out.push(Change {
                dimension,
                from: from.to_string(),
                to: to.to_string(),
            });
        }
    };
    push(
        "recognition",
        b.recognition.value.as_str(),
        after.recognition.value.as_str(),
    );
    push(
        "envoys",
        b.envoys.value.as_str(),
        after.envoys.value.as_str(),
    );
    push(
        "mission",
        b.mission.value.as_str(),
        after.mission.value.as_str(),
    );
    push(
        "designation",
        b.designation.value.as_str(),
        after.designation.value.as_str(),
    );
    push("level", &b.level.to_string(), &after.level.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_day;
    use crate::PartialDate;

    fn authority(exile_from: Option<&str>) -> Authority {
        Authority {
            id: "GOV".into(),
            state: "AFG".into(),
            name: "Test government".into(),
            from: parse_day("2000-01-01").unwrap(),
            until: None,
            exile_from: exile_from.map(|d| parse_day(d).unwrap()),
            contests: Vec::new(),
            source_url: "https://example.org".into(),
            note: String::new(),
        }
    }

    fn act(date: &str, kind: ActKind) -> Act {
        let date = PartialDate::parse(date).unwrap();
        Act {
            id: Act::natural_id("KAZ", "GOV", &date, kind),
            date,
            actor: "KAZ".into(),
            authority: "GOV".into(),
            kind,
            level: None,
            detail: String::new(),
            source_url: "https://example.org/a".into(),
            source_date: None,
        }
    }

    fn on(acts: &[Act], day: &str) -> Stance {
        fold(
            "KAZ",
            &authority(Some("2020-01-01")),
            acts,
            parse_day(day).unwrap(),
        )
    }

    #[test]
    fn no_acts_is_level_zero() {
        let s = on(&[], "2023-01-01");
        assert_eq!(
            (s.level, s.recognition.value, s.envoys.value),
            (0, Recognition::None, Envoys::None)
        );
        assert!(s.counted.is_empty() && !s.level_uncertain);
    }

    #[test]
    fn accreditation_is_never_recognition() {
        let acts = [
            act("2010-01-01", ActKind::EmbassyKeptOpen),
            act("2011-01-01", ActKind::EnvoyAccepted),
            act("2012-01-01", ActKind::AmbassadorCredentialsAccepted),
            act("2012-06-01", ActKind::AmbassadorSent),
        ];
        let s = on(&acts, "2013-01-01");
        assert_eq!(s.recognition.value, Recognition::None);
        assert_eq!(s.envoys.value, Envoys::Ambassador);
        assert_eq!(s.mission.value, Mission::Ambassador);
        assert_eq!(s.level, 4);
        assert_eq!(
            s.level_acts(),
            ["KAZ/GOV/2012-01-01/ambassador_credentials_accepted"]
        );
        // A later chargé does not lower an accredited ambassador.
        let mut more = acts.to_vec();
        more.push(act("2014-01-01", ActKind::EnvoyAccepted));
        assert_eq!(on(&more, "2015-01-01").envoys.value, Envoys::Ambassador);
    }

    #[test]
    fn steps_up_and_down_over_time() {
        let acts = [
            act("2010-01-01", ActKind::StatementNonRecognition),
            act("2011-01-01", ActKind::EmbassyKeptOpen),
            act("2012-01-01", ActKind::EnvoyAccepted),
            act("2013-01-01", ActKind::Recognition),
            act("2014-01-01", ActKind::RecognitionWithdrawn),
            act("2015-01-01", ActKind::EnvoyRejected),
            act("2016-01-01", ActKind::MissionClosed),
        ];
        let levels: Vec<u8> = [
            "2009-12-31",
            "2010-01-01",
            "2011-01-01",
            "2012-01-01",
            "2013-01-01",
            "2014-01-01",
            "2015-01-01",
            "2016-01-01",
        ]
        .iter()
        .map(|d| on(&acts, d).level)
        .collect();
        assert_eq!(levels, [0, 0, 2, 3, 5, 3, 2, 1]);
        let s = on(&acts, "2010-06-01");
        assert_eq!(
            s.recognition.acts,
            ["KAZ/GOV/2010-01-01/statement_non_recognition"]
        );
    }

    #[test]
    fn acts_count_from_the_end_of_their_period() {
        let acts = [
            act("2011-01-01", ActKind::EmbassyKeptOpen),
            act("2012-05", ActKind::EnvoyAccepted),
        ];
        let before = on(&acts, "2012-04-30");
        assert_eq!((before.level, before.level_uncertain), (2, false));
        let inside = on(&acts, "2012-05-15");
        assert_eq!(inside.envoys.value, Envoys::None);
        assert!(inside.envoys.uncertain() && inside.level_uncertain);
        assert_eq!(inside.envoys.pending, ["KAZ/GOV/2012-05/envoy_accepted"]);
        let after = on(&acts, "2012-05-31");
        assert_eq!((after.level, after.level_uncertain), (3, false));
        let year = [act("2012", ActKind::Recognition)];
        assert!(on(&year, "2012-12-30").recognition.uncertain());
        assert_eq!(on(&year, "2012-12-31").level, 5);
    }

    #[test]
    fn level_uncertain_exactly_when_a_pending_act_could_move_the_level() {
        // A trade deal in May would be the first contact: 0 or 1 on 15 May.
        let s = on(&[act("2012-05", ActKind::TradeAgreement)], "2012-05-15");
        assert_eq!((s.level, s.level_uncertain), (0, true));
        // A listing as terrorist is no contact and touches no dimension of the level.
        let s = on(&[act("2012-05", ActKind::DesignationAdded)], "2012-05-15");
        assert_eq!(s.level, 0);
        assert!(s.designation.uncertain() && !s.level_uncertain);
        // A chargé cannot lower an accredited ambassador.
        let acts = [
            act("2011-01-01", ActKind::AmbassadorCredentialsAccepted),
            act("2012-05", ActKind::EnvoyAccepted),
        ];
        let s = on(&acts, "2012-05-15");
        assert!(s.envoys.uncertain() && !s.level_uncertain && s.level == 4);
        // Order inside the open days matters: a closure counted on 10 May and an opening some
        // time in May leave the mission open or closed.
        let acts = [
            act("2011-01-01", ActKind::Other),
            act("2012-05-10", ActKind::MissionClosed),
            act("2012-05", ActKind::EmbassyKeptOpen),
        ];
        let s = on(&acts, "2012-05-20");
        assert_eq!((s.level, s.level_uncertain), (1, true));
    }

    #[test]
    fn a_stance_after_the_authority_ended_says_so() {
        let mut gov = authority(None);
        gov.until = Some(parse_day("2013-01-05").unwrap());
        let acts = [
            act("2012-01-01", ActKind::Recognition),
            act("2013-02-06", ActKind::EnvoyRejected),
        ];
        let s = fold("KAZ", &gov, &acts, parse_day("2013-01-05").unwrap());
        assert_eq!((s.level, s.ended), (5, None));
        let s = fold("KAZ", &gov, &acts, parse_day("2013-02-10").unwrap());
        assert_eq!(s.ended, gov.until);
        assert_eq!(s.envoys.acts, ["KAZ/GOV/2013-02-06/envoy_rejected"]);
    }

    #[test]
    fn designation_is_its_own_dimension() {
        let acts = [
            act("2010-01-01", ActKind::DesignationAdded),
            act("2012-01-01", ActKind::DesignationRemoved),
        ];
        let s = on(&acts, "2011-01-01");
        assert_eq!((s.designation.value, s.level), (Designation::Listed, 0));
        let s = on(&acts, "2012-01-01");
        assert_eq!((s.designation.value, s.level), (Designation::NotListed, 1));
    }

    #[test]
    fn mission_acts_toward_an_authority_in_exile_concern_its_envoys() {
        let exiled = authority(Some("2021-08-15"));
        let acts = [
            act("2021-08-20", ActKind::EmbassyKeptOpen),
            act("2022-05-16", ActKind::MissionClosed),
        ];
        let s = fold("KAZ", &exiled, &acts, parse_day("2021-09-01").unwrap());
        assert_eq!(
            (s.envoys.value, s.mission.value, s.level),
            (Envoys::Received, Mission::None, 3)
        );
        let s = fold("KAZ", &exiled, &acts, parse_day("2022-06-01").unwrap());
        assert_eq!(
            (s.envoys.value, s.mission.value, s.level),
            (Envoys::None, Mission::None, 1)
        );
        let seated = authority(None);
        let s = fold("KAZ", &seated, &acts, parse_day("2021-09-01").unwrap());
        assert_eq!(
            (s.envoys.value, s.mission.value),
            (Envoys::None, Mission::Open)
        );
    }

    #[test]
    fn a_reopened_mission_is_open_from_the_reopening() {
        let acts = [
            act("2010-01-01", ActKind::EmbassyKeptOpen),
            act("2011-01-01", ActKind::MissionClosed),
            act("2012-10", ActKind::MissionOpened),
        ];
        let s = on(&acts, "2011-06-01");
        assert_eq!((s.mission.value, s.level), (Mission::Closed, 1));
        // Inside the reopening's month the mission may or may not be open yet.
        let s = on(&acts, "2012-10-15");
        assert_eq!(s.mission.value, Mission::Closed);
        assert_eq!(s.mission.pending, ["KAZ/GOV/2012-10/mission_opened"]);
        assert!(s.level_uncertain);
        let s = on(&acts, "2013-01-01");
        assert_eq!((s.mission.value, s.level), (Mission::Open, 2));
        assert_eq!(s.mission.acts, ["KAZ/GOV/2012-10/mission_opened"]);
        assert_eq!(s.level_acts(), ["KAZ/GOV/2012-10/mission_opened"]);
    }

    #[test]
    fn opening_a_mission_keeps_an_ambassador() {
        let acts = [
            act("2010-01-01", ActKind::AmbassadorSent),
            act("2011-01-01", ActKind::MissionOpened),
        ];
        let s = on(&acts, "2012-01-01");
        assert_eq!(s.mission.value, Mission::Ambassador);
        assert_eq!(
            s.mission.acts,
            [
                "KAZ/GOV/2010-01-01/ambassador_sent",
                "KAZ/GOV/2011-01-01/mission_opened"
            ]
        );
    }

    #[test]
    fn a_mission_opened_toward_an_authority_in_exile_is_its_envoys() {
        // As with `embassy_kept_open`: the exiled authority has no capital, so the act is
        // about its own mission in the actor's country.
        let exiled = authority(Some("2021-08-15"));
        let acts = [
            act("2022-05-16", ActKind::MissionClosed),
            act("2023-03-01", ActKind::MissionOpened),
        ];
        let s = fold("KAZ", &exiled, &acts, parse_day("2022-06-01").unwrap());
        assert_eq!(
            (s.envoys.value, s.mission.value),
            (Envoys::None, Mission::None)
        );
        let s = fold("KAZ", &exiled, &acts, parse_day("2023-04-01").unwrap());
        assert_eq!(
            (s.envoys.value, s.mission.value, s.level),
            (Envoys::Received, Mission::None, 3)
        );
        assert_eq!(s.envoys.acts, ["KAZ/GOV/2023-03-01/mission_opened"]);
    }

    #[test]
    fn fold_ignores_other_pairs_and_order_of_input() {
        let mut acts = vec![
            act("2012-01-01", ActKind::EnvoyAccepted),
            act("2011-01-01", ActKind::EmbassyKeptOpen),
        ];
        let mut other = act("2013-01-01", ActKind::Recognition);
        other.actor = "CHN".into();
        acts.push(other);
        let s = on(&acts, "2014-01-01");
        assert_eq!(s.level, 3);
        assert_eq!(s.counted.len(), 2);
        let all = fold_all(
            &authority(Some("2020-01-01")),
            &acts,
            parse_day("2014-01-01").unwrap(),
        );
        assert_eq!(
            all.iter()
                .map(|s| (s.actor.as_str(), s.level))
                .collect::<Vec<_>>(),
            [("CHN", 5), ("KAZ", 3)]
        );
    }

    #[test]
    fn diff_reads_either_way_between_two_days() {
        let gov = authority(None);
        let acts = [
            act("2011-01-01", ActKind::EmbassyKeptOpen),
            act("2012-01-01", ActKind::Recognition),
        ];
        let (d1, d2) = (
            parse_day("2010-06-01").unwrap(),
            parse_day("2012-06-01").unwrap(),
        );
        let forward = diff(&gov, &acts, d1, d2);
        assert_eq!(forward.len(), 1);
        assert_eq!(forward[0].acts.len(), 2);
        let levels: Vec<_> = forward[0]
            .changes
            .iter()
            .filter(|c| c.dimension == "level")
            .collect();
        assert_eq!((levels[0].from.as_str(), levels[0].to.as_str()), ("0", "5"));
        // Backwards: KAZ had no act by 2010-06-01, so it moves back to nothing.
        let back = diff(&gov, &acts, d2, d1);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].acts, forward[0].acts);
        let levels: Vec<_> = back[0]
            .changes
            .iter()
            .filter(|c| c.dimension == "level")
            .collect();
        assert_eq!((levels[0].from.as_str(), levels[0].to.as_str()), ("5", "0"));
    }

    #[test]
    fn changes_name_each_moved_dimension() {
        let acts = [
            act("2011-01-01", ActKind::EmbassyKeptOpen),
            act("2012-01-01", ActKind::Recognition),
        ];
        let a = on(&acts, "2011-06-01");
        let b = on(&acts, "2012-06-01");
        let c = changes(Some(&a), &b);
        assert_eq!(
            c.iter().map(|c| c.dimension).collect::<Vec<_>>(),
            ["recognition", "level"]
        );
        assert_eq!((c[1].from.as_str(), c[1].to.as_str()), ("2", "5"));
        assert_eq!(changes(None, &a).len(), 2);
    }
}

/// One actor's changes between two days, with the acts dated between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved<'a> {
    /// The actor.
    pub actor: String,
    /// What changed, from the first day's stance to the second's.
    pub changes: Vec<Change>,
    /// Acts of the actor that count from a day between the two (after the earlier, up to the
    /// later).
    pub acts: Vec<&'a str>,
}

/// Who moved toward `authority` between `from` and `to`, by actor code. The days may come in
/// either order: the changes read from `from`'s stance to `to`'s, so a later `from` reads them
/// backwards (an actor with no act by `to` then moves back to nothing).
pub fn diff<'a>(authority: &Authority, acts: &'a [Act], from: Date, to: Date) -> Vec<Moved<'a>> {
    let before = fold_all(authority, acts, from);
    let after = fold_all(authority, acts, to);
    let (lo, hi) = (from.min(to), from.max(to));
    let actors: std::collections::BTreeSet<&str> = before
        .iter()
        .chain(&after)
        .map(|s| s.actor.as_str())
        .collect();
    actors
        .into_iter()
        .filter_map(|actor| {
            let old = before.iter().find(|b| b.actor == actor);
            let new = after
                .iter()
                .find(|s| s.actor == actor)
                .cloned()
                .unwrap_or_else(|| Stance::empty(actor, &authority.id, to));
            let changes = changes(old, &new);
            (!changes.is_empty()).then(|| Moved {
                actor: actor.to_string(),
                changes,
                acts: acts
                    .iter()
                    .filter(|a| a.actor == actor && a.date.end() > lo && a.date.end() <= hi)
                    .map(|a| a.id.as_str())
                    .collect(),
            })
        })
        .collect()
}
