//! The registry of states, organisations and authorities.
//!
//! Both lists are data: the bundled files under `crates/dyad-core/data/` are compiled in, and a
//! ledger can add authorities of its own (a new case family is a new row, never new code).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::PartialDate;
use crate::error::InputErrors;
use crate::raw::RawAuthority;
use crate::table::{read_rows, Columns};

/// What kind of actor a code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A state: UN member or observer, or a usual case such as Taiwan or Kosovo.
    State,
    /// A dependent territory or other area with its own ISO code.
    Territory,
    /// An international organisation that acts (the UN).
    Organisation,
}

/// A state, territory or organisation that can act or trade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// ISO 3166-1 alpha-3 code, or a conventional code (`XKX`, `UN`).
    pub code: String,
    /// ISO 3166-1 numeric code (= UN M49 for countries), if any.
    pub numeric: Option<u16>,
    /// ISO 3166-1 alpha-2 code, if any.
    pub alpha2: Option<String>,
    /// English short name.
    pub name: String,
    /// `member`, `observer` or `none` at the United Nations.
    pub un_status: String,
    /// State, territory or organisation.
    pub kind: Kind,
}

/// A government or administration claiming to speak for a state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    /// Identifier such as `AFG-IEA`.
    pub id: String,
    /// Code of the state it claims to govern.
    pub state: String,
    /// English name.
    pub name: String,
    /// First day acts toward it can be dated.
    pub from: Date,
    /// Last day acts toward it can be dated, if it has ended.
    pub until: Option<Date>,
    /// Day it lost its capital while its missions abroad went on (the Islamic Republic on
    /// 2021-08-15). From then on, mission acts toward it concern its missions in the actor's
    /// country rather than the actor's mission in its capital.
    pub exile_from: Option<Date>,
    /// Other states whose government it also claims to be, as the Republic of China long
    /// claimed China's seat against the People's Republic: `dyad contest CHN` sets it beside the
    /// authorities whose `state` is `CHN`. Empty for most.
    pub contests: Vec<String>,
    /// Source for the dates.
    pub source_url: String,
    /// A short note.
    pub note: String,
}

impl Authority {
    /// Whether an act dated `date` can concern this authority: the act's period must overlap
    /// the authority's.
    pub fn covers(&self, date: &PartialDate) -> bool {
        date.end() >= self.from && self.until.is_none_or(|u| date.start() <= u)
    }

    /// Whether the authority claims `state`: its own, or one it contests.
    pub fn claims(&self, state: &str) -> bool {
        self.state == state || self.contests.iter().any(|s| s == state)
    }

    /// The authority's last day, when `day` is after it (the authority had ended by then).
    pub fn ended_by(&self, day: Date) -> Option<Date> {
        self.until.filter(|&until| day > until)
    }

    /// Whether the authority had lost its capital by `day`.
    pub fn in_exile_on(&self, day: Date) -> bool {
        self.exile_from.is_some_and(|e| day >= e)
    }

    /// The period as text, for messages.
    pub fn period(&self) -> String {
        let until = self
            .until
            .map_or_else(|| "today".to_string(), crate::date::format_day);
        format!("{} to {until}", crate::date::format_day(self.from))
    }
}

/// States, organisations and authorities known to dyad.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    states: BTreeMap<String, State>,
    authorities: BTreeMap<String, Authority>,
}

/// The bundled list of states, territories and organisations.
pub const BUNDLED_STATES: &str = include_str!("../data/states.csv");
/// The bundled list of authorities.
pub const BUNDLED_AUTHORITIES: &str = include_str!("../data/authorities.csv");

const STATE_COLUMNS: Columns<'static> = Columns {
    required: &["code", "numeric", "alpha2", "name", "un_status", "kind"],
    optional: &[],
    aliases: &[],
};

/// Columns of an authorities file.
pub const AUTHORITY_COLUMNS: Columns<'static> = Columns {
    required: &["id", "state", "name", "from", "source_url"],
    optional: &["until", "exile_from", "contests", "note"],
    aliases: &[],
};

impl Registry {
    /// The registry compiled into dyad.
    pub fn bundled() -> Registry {
        let mut r = Registry {
            states: parse_states("<bundled>/states.csv", BUNDLED_STATES.as_bytes())
                .expect("bundled states.csv is valid"),
            authorities: BTreeMap::new(),
        };
        for a in parse_authorities(
            "<bundled>/authorities.csv",
            BUNDLED_AUTHORITIES.as_bytes(),
            &r,
        )
        .expect("bundled authorities.csv is valid")
        {
            r.authorities.insert(a.id.clone(), a);
        }
        r
    }

    /// A state, territory or organisation by code.
    pub fn state(&self, code: &str) -> Option<&State> {
        self.states.get(code)
    }

    /// An authority by identifier.
    pub fn authority(&self, id: &str) -> Option<&Authority> {
        self.authorities.get(id)
    }

    /// All states, territories and organisations, sorted by code.
    pub fn states(&self) -> impl Iterator<Item = &State> {
        self.states.values()
    }

    /// All authorities, sorted by identifier.
    pub fn authorities(&self) -> impl Iterator<Item = &Authority> {
        self.authorities.values()
    }

    /// Adds or replaces an authority (its state must already be known).
    pub fn add_authority(&mut self, authority: Authority) {
        self.authorities.insert(authority.id.clone(), authority);
    }

    /// The authority governing `state` on `day`: it claims the state, its period covers the day
    /// and it has not lost the capital (an authority in exile keeps its claim, not the
    /// government). The latest-founded wins if several qualify. `None` for the many states whose
    /// government the registry does not track.
    pub fn governing(&self, state: &str, day: Date) -> Option<&Authority> {
        self.authorities
            .values()
            .filter(|a| {
                a.state == state
                    && a.from <= day
                    && a.until.is_none_or(|u| day <= u)
                    && !a.in_exile_on(day)
            })
            .max_by_key(|a| a.from)
    }

    /// The authorities claiming `state` (its own or contested), oldest first: the rivals of a
    /// contest such as `AFG-IRA` and `AFG-IEA`.
    pub fn claimants(&self, state: &str) -> Vec<&Authority> {
        let mut out: Vec<&Authority> = self
            .authorities
            .values()
            .filter(|a| a.claims(state))
            .collect();
        out.sort_by_key(|a| (a.from, a.id.as_str()));
        out
    }

    /// A state by ISO numeric / M49 code.
    pub fn by_numeric(&self, numeric: u16) -> Option<&State> {
        self.states.values().find(|s| s.numeric == Some(numeric))
    }

    /// The display name of an actor or authority code, or the code itself when unknown.
    pub fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.states
            .get(code)
            .map(|s| s.name.as_str())
            .or_else(|| self.authorities.get(code).map(|a| a.name.as_str()))
            .unwrap_or(code)
    }
}

fn parse_states(file: &str, bytes: &[u8]) -> Result<BTreeMap<String, State>, InputErrors> {
    let mut out = BTreeMap::new();
    read_rows(file, bytes, STATE_COLUMNS, |row| {
        let numeric = match row.get("numeric") {
            "" => None,
            n => Some(
                n.parse::<u16>()
                    .map_err(|_| row.error("numeric", format!("`{n}` is not a number")))?,
            ),
        };
        let kind = match row.get("kind") {
            "state" => Kind::State,
            "territory" => Kind::Territory,
            "organisation" => Kind::Organisation,
            k => return Err(row.error("kind", format!("unknown kind `{k}`"))),
        };
        let code = row.get("code").to_string();
        let alpha2 = Some(row.get("alpha2").to_string()).filter(|s| !s.is_empty());
        out.insert(
            code.clone(),
            State {
                code,
                numeric,
                alpha2,
                name: row.get("name").to_string(),
                un_status: row.get("un_status").to_string(),
                kind,
            },
        );
        Ok(())
    })?;
    Ok(out)
}

/// Parses an authorities CSV (`id,state,name,from,until,exile_from,contests,source_url,note`;
/// `contests` is optional, space-separated state codes) and validates each row against
/// `registry` and the rows before it ([`RawAuthority::validate`]).
pub fn parse_authorities(
    file: &str,
    bytes: &[u8],
    registry: &Registry,
) -> Result<Vec<Authority>, InputErrors> {
    let mut out: Vec<Authority> = Vec::new();
    read_rows(file, bytes, AUTHORITY_COLUMNS, |row| {
        let raw = RawAuthority {
            id: row.get("id"),
            state: row.get("state"),
            name: row.get("name"),
            from: row.get("from"),
            until: row.get("until"),
            exile_from: row.get("exile_from"),
            contests: row.get("contests"),
            source_url: row.get("source_url"),
            note: row.get("note"),
        };
        let authority = raw.validate(registry, &out).map_err(|e| row.locate(e))?;
        out.push(authority);
        Ok(())
    })?;
    Ok(out)
}

/// Checks that a source is given as an absolute web address.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.is_empty() {
        return Err("a source URL is required".into());
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`{url}` is not a web address (http:// or https://)"))?;
    if rest.is_empty() || rest.starts_with('/') || url.chars().any(char::is_whitespace) {
        return Err(format!("`{url}` is not a valid web address"));
    }
    Ok(())
}
