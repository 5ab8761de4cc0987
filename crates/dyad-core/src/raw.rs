//! Acts and authorities as a reader finds them, and the one validation of each.
//!
//! A reader (the CSV reader in [`crate::acts_csv`] and [`crate::codes`], the JSON body of the
//! curator API) only maps its fields to a [`RawAct`] or [`RawAuthority`]: text, trimmed, empty
//! when absent. `validate` checks that text against the registry and returns the typed value
//! or the first problem, as a [`FieldError`] naming the field; the reader adds where the record
//! was (`file:line:column`, or `acts[i]`). So every format is held to the same rules with the
//! same words.

use std::collections::HashMap;

use time::Date;

use crate::act::{Act, ActKind, UnknownAct};
use crate::codes::{check_url, Authority, Registry};
use crate::date::{parse_day, PartialDate, Precision};
use crate::error::{RecordError, RecordErrors};

/// A problem with one field of a record (`field`), or with the record as a whole (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field, named as in the CSV header and the JSON keys.
    pub field: Option<&'static str>,
    /// What is wrong, in words.
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: Some(field),
            message: message.into(),
        }
    }
}

/// An act's fields as text, as a reader found them (trimmed; empty when absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawAct<'a> {
    /// `id`: empty for the natural id.
    pub id: &'a str,
    /// `date`.
    pub date: &'a str,
    /// `actor`.
    pub actor: &'a str,
    /// `counterpart` (or its alias `authority`).
    pub counterpart: &'a str,
    /// `act`.
    pub act: &'a str,
    /// `level`.
    pub level: &'a str,
    /// `detail`.
    pub detail: &'a str,
    /// `source_url`.
    pub source_url: &'a str,
    /// `source_date`.
    pub source_date: &'a str,
}

/// An act that passed [`RawAct::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAct {
    /// The act.
    pub act: Act,
    /// Whether the record gave the id; otherwise it is the natural one ([`Act::natural_id`]).
    pub id_given: bool,
}

impl<'a> RawAct<'a> {
    /// The fields of an act, as the CSV header and the JSON keys name them.
    pub const FIELDS: [&'static str; 9] = [
        "id",
        "date",
        "actor",
        "counterpart",
        "act",
        "level",
        "detail",
        "source_url",
        "source_date",
    ];

    /// Other names accepted for a field: `(alias, field)`.
    pub const ALIASES: [(&'static str, &'static str); 1] = [("authority", "counterpart")];

    /// Sets the field called `name` (or one of its [`RawAct::ALIASES`]) to `value`, trimmed;
    /// `false` when an act has no such field.
    pub fn set(&mut self, name: &str, value: &'a str) -> bool {
        let name = Self::ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |&(_, field)| field);
        let slot = match name {
            "id" => &mut self.id,
            "date" => &mut self.date,
            "actor" => &mut self.actor,
            "counterpart" => &mut self.counterpart,
            "act" => &mut self.act,
            "level" => &mut self.level,
            "detail" => &mut self.detail,
            "source_url" => &mut self.source_url,
            "source_date" => &mut self.source_date,
            _ => return false,
        };
        *slot = value.trim();
        true
    }

    /// Checks the act against `registry`: known actor and authority, a real date inside the
    /// authority's period (or after its end for acts that wind it up), a known act, a level
    /// from 0 to 5, a web source, a source date to the month or day. Returns the act, or the
    /// first problem found.
    pub fn validate(&self, registry: &Registry) -> Result<ValidAct, FieldError> {
        let date =
            PartialDate::parse(self.date).map_err(|e| FieldError::new("date", e.to_string()))?;
        let actor = self.actor;
        if registry.state(actor).is_none() {
            return Err(FieldError::new(
                "actor",
                format!("unknown actor `{actor}` (expected an ISO alpha-3 code or UN)"),
            ));
        }
        let authority_id = self.counterpart;
        let authority = registry.authority(authority_id).ok_or_else(|| {
            FieldError::new("counterpart", format!("unknown authority `{authority_id}`"))
        })?;
        let kind: ActKind = self
            .act
            .parse()
            .map_err(|e: UnknownAct| FieldError::new("act", e.to_string()))?;
        if !authority.covers(&date) {
            let wind_up = kind.winds_up() && date.end() >= authority.from;
            if !wind_up {
                let hint = if authority.until.is_some_and(|u| date.start() > u) {
                    "; after its end only acts that wind it up (mission_closed, envoy_rejected, \
                     recognition_withdrawn) may be dated"
                } else {
                    ""
                };
                return Err(FieldError::new(
                    "date",
                    format!(
                        "{date} is outside the period of {authority_id} ({}){hint}",
                        authority.period()
                    ),
                ));
            }
        }
        let level = match self.level {
            "" => None,
            t => match t.parse::<u8>() {
                Ok(l) if l <= 5 => Some(l),
                _ => {
                    return Err(FieldError::new(
                        "level",
                        format!("`{t}` is not a level from 0 to 5"),
                    ))
                }
            },
        };
        check_url(self.source_url).map_err(|m| FieldError::new("source_url", m))?;
        let source_date = match self.source_date {
            "" => None,
            t => {
                let d = PartialDate::parse(t)
                    .map_err(|e| FieldError::new("source_date", e.to_string()))?;
                if d.precision() == Precision::Year {
                    return Err(FieldError::new(
                        "source_date",
                        "give the source's date as YYYY-MM-DD or YYYY-MM",
                    ));
                }
                Some(d)
            }
        };
        let id = match self.id {
            "" => Act::natural_id(actor, authority_id, &date, kind),
            given => given.to_string(),
        };
        Ok(ValidAct {
            act: Act {
                id,
                date,
                actor: actor.to_string(),
                authority: authority_id.to_string(),
                kind,
                level,
                detail: self.detail.to_string(),
                source_url: self.source_url.to_string(),
                source_date,
            },
            id_given: !self.id.is_empty(),
        })
    }
}

/// The repeated ids among `ids`, as (position of the repeat, position of the first), in order.
/// One pass over borrowed ids with a map sized up front: hashing each id once and copying none
/// keeps large files fast.
pub fn repeated_ids<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> Vec<(usize, usize)> {
    // foldhash rather than SipHash: ids come from the user's own files, not from an adversary
    // on a network, and SipHash was a measurable share of a large import.
    let mut seen: HashMap<&str, usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(ids.len(), Default::default());
    let mut out = Vec::new();
    for (i, id) in ids.enumerate() {
        if let Some(&first) = seen.get(id) {
            out.push((i, first));
        } else {
            seen.insert(id, i);
        }
    }
    out
}

/// Validates a list of acts given as data rather than as a file (the JSON body of the curator
/// API), all or nothing: every problem is located as `LIST[i].field`, including an act repeated
/// within the list.
pub fn validate_acts(
    list: &str,
    raws: &[RawAct<'_>],
    registry: &Registry,
) -> Result<Vec<ValidAct>, RecordErrors> {
    let mut errors = Vec::new();
    let mut valid = Vec::with_capacity(raws.len());
    let mut index = Vec::with_capacity(raws.len());
    for (i, raw) in raws.iter().enumerate() {
        match raw.validate(registry) {
            Ok(v) => {
                valid.push(v);
                index.push(i);
            }
            Err(e) => errors.push(RecordError::new(list, i, e)),
        }
    }
    for (repeat, first) in repeated_ids(valid.iter().map(|v| v.act.id.as_str())) {
        let message = format!(
            "duplicate act `{}`: {list}[{}] already has this actor, authority, date and act",
            valid[repeat].act.id, index[first]
        );
        errors.push(RecordError::new(
            list,
            index[repeat],
            FieldError {
                field: None,
                message,
            },
        ));
    }
    if errors.is_empty() {
        Ok(valid)
    } else {
        errors.sort_by_key(|e| e.index);
        Err(RecordErrors(errors))
    }
}

/// An authority's fields as text, as a reader found them (trimmed; empty when absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawAuthority<'a> {
    /// `id`.
    pub id: &'a str,
    /// `state`.
    pub state: &'a str,
    /// `name`.
    pub name: &'a str,
    /// `from`.
    pub from: &'a str,
    /// `until`.
    pub until: &'a str,
    /// `exile_from`.
    pub exile_from: &'a str,
    /// `contests`: space-separated state codes.
    pub contests: &'a str,
    /// `source_url`.
    pub source_url: &'a str,
    /// `note`.
    pub note: &'a str,
}

impl RawAuthority<'_> {
    /// Checks the authority against `registry` and against `earlier`, those accepted before it
    /// from the same list (an id may appear once): a plain identifier, a known state, real
    /// dates in order, known contested states other than its own, a web source. Returns the
    /// authority, or the first problem found.
    pub fn validate(
        &self,
        registry: &Registry,
        earlier: &[Authority],
    ) -> Result<Authority, FieldError> {
        let day = |name: &'static str, text: &str| -> Result<Option<Date>, FieldError> {
            match text {
                "" => Ok(None),
                t => parse_day(t)
                    .map(Some)
                    .map_err(|e| FieldError::new(name, e.to_string())),
            }
        };
        let id = self.id;
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(FieldError::new(
                "id",
                format!("`{id}` is not a valid identifier (letters, digits, - and _)"),
            ));
        }
        if earlier.iter().any(|a| a.id == id) {
            return Err(FieldError::new(
                "id",
                format!("authority `{id}` appears twice"),
            ));
        }
        let state = self.state;
        if registry.state(state).is_none() {
            return Err(FieldError::new("state", format!("unknown state `{state}`")));
        }
        let from = day("from", self.from)?
            .ok_or_else(|| FieldError::new("from", "a start date is required"))?;
        let until = day("until", self.until)?;
        if until.is_some_and(|u| u < from) {
            return Err(FieldError::new("until", "ends before it starts"));
        }
        let mut contests = Vec::new();
        for code in self.contests.split_whitespace() {
            if registry.state(code).is_none() {
                return Err(FieldError::new(
                    "contests",
                    format!("unknown state `{code}`"),
                ));
            }
            if code == state {
                return Err(FieldError::new(
                    "contests",
                    format!("`{code}` is the authority's own state"),
                ));
            }
            contests.push(code.to_string());
        }
        check_url(self.source_url).map_err(|m| FieldError::new("source_url", m))?;
        Ok(Authority {
            id: id.to_string(),
            state: state.to_string(),
            name: self.name.to_string(),
            from,
            until,
            exile_from: day("exile_from", self.exile_from)?,
            contests,
            source_url: self.source_url.to_string(),
            note: self.note.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kaz() -> RawAct<'static> {
        RawAct {
            date: "2023-04-17",
            actor: "KAZ",
            counterpart: "AFG-IEA",
            act: "envoy_accepted",
            source_url: "https://example.org/a",
            ..RawAct::default()
        }
    }

    #[test]
    fn a_valid_act_gets_its_natural_id() {
        let v = kaz().validate(&Registry::bundled()).unwrap();
        assert_eq!(v.act.id, "KAZ/AFG-IEA/2023-04-17/envoy_accepted");
        assert!(!v.id_given);
    }

    #[test]
    fn fields_are_set_by_name_or_alias_and_trimmed() {
        let mut raw = RawAct::default();
        assert!(raw.set("authority", " AFG-IEA "));
        assert!(raw.set("level", "3"));
        assert!(!raw.set("when", "2023"));
        assert_eq!((raw.counterpart, raw.level), ("AFG-IEA", "3"));
        for field in RawAct::FIELDS {
            assert!(RawAct::default().set(field, "x"), "{field}");
        }
    }

    #[test]
    fn the_first_problem_names_its_field() {
        let registry = Registry::bundled();
        let bad = RawAct {
            actor: "XXX",
            level: "9",
            ..kaz()
        };
        let e = bad.validate(&registry).unwrap_err();
        assert_eq!(e.field, Some("actor"));
        let e = RawAct {
            level: "9",
            ..kaz()
        }
        .validate(&registry)
        .unwrap_err();
        assert_eq!(
            (e.field, e.message.as_str()),
            (Some("level"), "`9` is not a level from 0 to 5")
        );
    }

    #[test]
    fn a_list_is_refused_whole_with_each_problem_at_its_index() {
        let registry = Registry::bundled();
        let raws = [
            kaz(),
            RawAct {
                act: "waved",
                ..kaz()
            },
            kaz(),
        ];
        let e = validate_acts("acts", &raws, &registry).unwrap_err();
        let lines: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("acts[1].act: unknown act `waved`"),
            "{lines:?}"
        );
        assert_eq!(
            lines[1],
            "acts[2]: duplicate act `KAZ/AFG-IEA/2023-04-17/envoy_accepted`: acts[0] already has \
             this actor, authority, date and act"
        );
        assert_eq!(
            validate_acts("acts", &raws[..1], &registry).unwrap().len(),
            1
        );
    }

    #[test]
    fn an_authority_is_checked_against_the_list_so_far() {
        let registry = Registry::bundled();
        let raw = RawAuthority {
            id: "TST-GOV",
            state: "NPL",
            from: "2001-01-01",
            source_url: "https://example.org/tst",
            ..RawAuthority::default()
        };
        let first = raw.validate(&registry, &[]).unwrap();
        let again = raw.validate(&registry, &[first]).unwrap_err();
        assert_eq!(again.field, Some("id"));
        let e = RawAuthority {
            contests: "NPL",
            ..raw
        }
        .validate(&registry, &[])
        .unwrap_err();
        assert_eq!(e.message, "`NPL` is the authority's own state");
    }
}
