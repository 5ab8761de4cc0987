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
    /// Whether a pending act could change the level.
    pub level_uncertain: bool,
    /// Every act counted by the day, oldest first.
    pub counted: Vec<String>,
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
        EnvoyAccepted | EmbassyHandedOver | AmbassadorCredentialsAccepted | EnvoyRejected => Touch::Envoys,
        EmbassyKeptOpen | MissionClosed if exile => Touch::Envoys,
        EmbassyKeptOpen | MissionClosed | AmbassadorSent => Touch::Mission,
        DesignationAdded | DesignationRemoved => Touch::Designation,
        UnCredentialsDeferred | TradeAgreement | Other => Touch::Nothing,
    }
}

/// Whether an act shows bilateral contact (level 1 at least). Statements, UN procedure and a
/// listing as terrorist do not.
fn is_contact(kind: ActKind) -> bool {
    !matches!(
        kind,
        ActKind::StatementNonRecognition | ActKind::UnCredentialsDeferred | ActKind::DesignationAdded
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
            (EnvoyAccepted | EmbassyHandedOver, _) => raise(&mut self.envoys, Envoys::BelowAmbassador, id),
            (EnvoyRejected, _) | (MissionClosed, Touch::Envoys) => self.envoys.set(Envoys::None, id),
            (EmbassyKeptOpen, Touch::Envoys) => raise(&mut self.envoys, Envoys::Received, id),
            (EmbassyKeptOpen, _) => {
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

    fn summarise(&mut self, contact: bool, any_pending: bool) {
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
        self.level_uncertain = any_pending;
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
pub fn fold<'a>(actor: &str, authority: &Authority, acts: impl IntoIterator<Item = &'a Act>, on: Date) -> Stance {
    let mut mine: Vec<&Act> = acts
        .into_iter()
        .filter(|a| a.actor == actor && a.authority == authority.id && a.date.start() <= on)
        .collect();
    mine.sort_by_key(|a| a.date.end());
    let mut stance = Stance::empty(actor, &authority.id, on);
    let mut contact = false;
    let mut any_pending = false;
    for act in mine {
        let exile = authority.in_exile_on(act.date.end());
        if act.date.end() <= on {
            stance.apply(act, exile);
            contact |= is_contact(act.kind);
        } else {
            stance.mark_pending(act, exile);
            any_pending |= touches(act.kind, exile) != Touch::Nothing;
        }
    }
    stance.summarise(contact, any_pending);
    stance
}

/// The stance of every actor with at least one act toward `authority` dated by `on`, sorted by
/// actor code.
pub fn fold_all<'a>(authority: &Authority, acts: impl IntoIterator<Item = &'a Act>, on: Date) -> Vec<Stance> {
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
    let b = before.cloned().unwrap_or_else(|| Stance::empty(&after.actor, &after.authority, after.on));
    let mut out = Vec::new();
    let mut push = |dimension, from: &str, to: &str| {
        if from != to {
            out.push(Change { dimension, from: from.to_string(), to: to.to_string() });
        }
    };
    push("recognition", b.recognition.value.as_str(), after.recognition.value.as_str());
    push("envoys", b.envoys.value.as_str(), after.envoys.value.as_str());
    push("mission", b.mission.value.as_str(), after.mission.value.as_str());
    push("designation", b.designation.value.as_str(), after.designation.value.as_str());
    push("level", &b.level.to_string(), &after.level.to_string());
    out
}
