//! Acts: dated, sourced steps by an actor toward an authority.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::date::PartialDate;

/// The kinds of act dyad knows. The names are those of the CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActKind {
    /// Formal de jure recognition of the authority as the government of its state.
    Recognition,
    /// Recognition withdrawn (for example when a state switches from Taipei to Beijing).
    RecognitionWithdrawn,
    /// The authority's appointees (chargé, secretary, consul) accepted, below ambassador rank.
    EnvoyAccepted,
    /// The authority's mission in the actor's capital formally handed to its appointees.
    EmbassyHandedOver,
    /// An ambassador of the authority accredited (credentials, or a copy of them, accepted).
    AmbassadorCredentialsAccepted,
    /// The actor's own mission in the authority's capital keeps working (it was never closed,
    /// or the source shows it working on that day).
    EmbassyKeptOpen,
    /// The actor opens its own mission in the authority's capital, or reopens it after closing
    /// it (a different fact from [`ActKind::EmbassyKeptOpen`]: the mission was shut before).
    MissionOpened,
    /// The actor names or upgrades its own ambassador to the authority's capital.
    AmbassadorSent,
    /// The actor closes its own mission in the authority's capital.
    MissionClosed,
    /// The actor refuses the authority's envoys or ends their accreditation.
    EnvoyRejected,
    /// The authority is put on the actor's terrorist or banned-organisation list.
    DesignationAdded,
    /// The authority is taken off the actor's terrorist or banned-organisation list.
    DesignationRemoved,
    /// A public statement that the actor does not or will not (yet) recognise the authority.
    StatementNonRecognition,
    /// The UN credentials committee or General Assembly puts off the seat question.
    UnCredentialsDeferred,
    /// A significant trade or investment agreement between the governments, or one the
    /// authority's administration is party to. Contracts between companies are `Other`.
    TradeAgreement,
    /// Anything else worth recording (announcements, appointments, meetings).
    Other,
}

impl ActKind {
    /// Every kind, in the order of the README's effect table.
    pub const ALL: [ActKind; 16] = [
        ActKind::Recognition,
        ActKind::RecognitionWithdrawn,
        ActKind::EnvoyAccepted,
        ActKind::EmbassyHandedOver,
        ActKind::AmbassadorCredentialsAccepted,
        ActKind::EnvoyRejected,
        ActKind::EmbassyKeptOpen,
        ActKind::MissionOpened,
        ActKind::AmbassadorSent,
        ActKind::MissionClosed,
        ActKind::DesignationAdded,
        ActKind::DesignationRemoved,
        ActKind::StatementNonRecognition,
        ActKind::UnCredentialsDeferred,
        ActKind::TradeAgreement,
        ActKind::Other,
    ];

    /// Whether the act winds up dealings with an authority: closing a mission, ending its
    /// envoys' accreditation, withdrawing recognition. Only these may be dated after an
    /// authority's end, since what it left behind (embassy buildings, accredited envoys) is
    /// wound up after a government has gone.
    pub fn winds_up(self) -> bool {
        matches!(
            self,
            ActKind::MissionClosed | ActKind::EnvoyRejected | ActKind::RecognitionWithdrawn
        )
    }

    /// The CSV name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ActKind::Recognition => "recognition",
            ActKind::RecognitionWithdrawn => "recognition_withdrawn",
            ActKind::EnvoyAccepted => "envoy_accepted",
            ActKind::EmbassyHandedOver => "embassy_handed_over",
            ActKind::AmbassadorCredentialsAccepted => "ambassador_credentials_accepted",
            ActKind::EmbassyKeptOpen => "embassy_kept_open",
            ActKind::MissionOpened => "mission_opened",
            ActKind::AmbassadorSent => "ambassador_sent",
            ActKind::MissionClosed => "mission_closed",
            ActKind::EnvoyRejected => "envoy_rejected",
            ActKind::DesignationAdded => "designation_added",
            ActKind::DesignationRemoved => "designation_removed",
            ActKind::StatementNonRecognition => "statement_non_recognition",
            ActKind::UnCredentialsDeferred => "un_credentials_deferred",
            ActKind::TradeAgreement => "trade_agreement",
            ActKind::Other => "other",
        }
    }
}

impl fmt::Display for ActKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not one of the act names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown act `{0}`; known acts: {known}", known = ActKind::ALL.map(|k| k.as_str()).join(", "))]
pub struct UnknownAct(pub String);

impl FromStr for ActKind {
    type Err = UnknownAct;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ActKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownAct(s.to_string()))
    }
}

/// One dated, sourced act, as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Act {
    /// Stable identifier; see [`Act::natural_id`].
    pub id: String,
    /// When the act happened, to a day, month or year.
    pub date: PartialDate,
    /// Code of the acting state (ISO alpha-3) or organisation (`UN`).
    pub actor: String,
    /// Identifier of the authority acted toward (`AFG-IEA`).
    pub authority: String,
    /// What was done.
    pub kind: ActKind,
    /// The curator's engagement level after the act (0–5), if given. dyad computes its own.
    pub level: Option<u8>,
    /// One sentence on what happened.
    pub detail: String,
    /// The page the act is based on.
    pub source_url: String,
    /// Publication date of that page, if shown (day or month).
    pub source_date: Option<PartialDate>,
}

impl Act {
    /// The identifier an act gets when its file gives none: actor, authority, date and kind,
    /// which together must be unique (a second row with the same four is a duplicate).
    pub fn natural_id(actor: &str, authority: &str, date: &PartialDate, kind: ActKind) -> String {
        // Built by hand rather than with `format!`: an import makes one per row.
        let (date, kind) = (date.text(), kind.as_str());
        let mut id =
            String::with_capacity(actor.len() + authority.len() + date.len() + kind.len() + 3);
        for (i, part) in [actor, authority, &date, kind].into_iter().enumerate() {
            if i > 0 {
                id.push('/');
            }
            id.push_str(part);
        }
        id
    }
}
