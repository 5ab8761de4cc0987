//! Political variables for a trade panel, built from the ledger's acts.
//!
//! For a row (exporter, importer, time) the variables describe each side's stance toward the
//! *government of the other side* on the row's day, as the ledger records it:
//!
//! * `exp_*`: the exporter's stance toward the authority governing the importer's country;
//! * `imp_*`: the importer's stance toward the authority governing the exporter's country.
//!
//! An authority governs a state on a day when it claims that state, its period covers the day
//! and it is not in exile (so Afghanistan is governed by `AFG-IRA` until 14 August 2021 and by
//! `AFG-IEA` from 15 August 2021). Each stance is [`dyad_core::fold`]'s answer on that day: an
//! act counts from the end of its period, so a month-dated act is not yet counted inside its
//! month.
//!
//! The indicators are 1 where the ledger shows that state of affairs and 0 otherwise, including
//! where the partner's country has no governing authority in the registry (most pairs): those
//! pairs are constant over time and fall into pair fixed effects. `*_level` (the stance's
//! summary level, 0–5) is missing unless the ledger counts at least one act of that side toward
//! that authority by the day, because a level read from no acts would be a guess.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use dyad_core::stance::{Designation, Envoys, Mission, Recognition};
use dyad_core::{fold, Act, Authority, PartialDate, Registry, Stance};
use time::{Date, Month};

use crate::gravity::{Frame, GravityError, MISSING};

/// What each side's variables measure, as suffixes of `exp_` and `imp_`.
pub const MEASURES: [(&str, &str); 6] = [
    ("recognises", "recognises the other side's government (1/0)"),
    (
        "hosts_envoys",
        "receives that government's envoys, any rank (1/0)",
    ),
    (
        "hosts_ambassador",
        "has accepted an ambassador of that government (1/0)",
    ),
    (
        "mission",
        "keeps its own mission open in that government's capital (1/0)",
    ),
    (
        "lists",
        "lists that government's movement as terrorist or banned (1/0)",
    ),
    (
        "level",
        "summary level 0-5 of the stance; missing where the ledger has no act",
    ),
];

/// The two sides, as variable-name prefixes, with whose stance toward whom they measure.
pub const SIDES: [(&str, &str); 2] = [
    ("exp", "the exporter toward the importer's government"),
    ("imp", "the importer toward the exporter's government"),
];

/// All variable names, `exp_recognises` … `imp_level`.
pub fn variable_names() -> Vec<String> {
    SIDES
        .iter()
        .flat_map(|(s, _)| MEASURES.iter().map(move |(m, _)| format!("{s}_{m}")))
        .collect()
}

/// The (side, measure) indexes of a political variable's name, if it is one.
fn parse_variable(name: &str) -> Option<(usize, usize)> {
    let (side, measure) = name.split_once('_')?;
    let s = SIDES.iter().position(|(p, _)| *p == side)?;
    let m = MEASURES.iter().position(|(p, _)| *p == measure)?;
    Some((s, m))
}

/// Whether `name` is one of the political variables.
pub fn is_variable(name: &str) -> bool {
    parse_variable(name).is_some()
}

/// Whether a key cell counts as missing (as the gravity reader reads it).
pub fn is_missing(label: &str) -> bool {
    matches!(label.trim(), "" | "NA" | "NaN" | "nan" | "null" | "NULL")
}

/// The values of a side with no governing authority: zeros, level missing.
const NONE_VALUES: [f64; 6] = [0.0, 0.0, 0.0, 0.0, 0.0, f64::NAN];

/// One side's stance toward the other side's government on a day, as numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct SideVars {
    /// The authority governing the partner's country on the day, if the registry has one.
    pub authority: Option<String>,
    /// The values in the order of [`MEASURES`]; `level` is NaN when missing.
    pub values: [f64; 6],
    /// Ids of the acts the stance cites (those behind each dimension and the level).
    pub acts: Vec<String>,
    /// Dimensions an act dated around the day may change (`envoys,mission`), or empty.
    pub uncertain: String,
}

impl SideVars {
    /// No governing authority: zeros, level missing.
    pub fn none() -> SideVars {
        SideVars {
            authority: None,
            values: NONE_VALUES,
            acts: Vec::new(),
            uncertain: String::new(),
        }
    }
}

/// Why a panel cannot get political variables.
#[derive(Debug, thiserror::Error)]
pub enum PoliticsError {
    /// A time label is not a year or a date.
    #[error(
        "column `{column}`: `{label}` is not a year or a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
    )]
    Time {
        /// The time column.
        column: String,
        /// The bad label.
        label: String,
    },
    /// No country code of the panel is known: probably the wrong columns or coding.
    #[error(
        "none of the codes in `{exporter}` and `{importer}` is a known country (e.g. `{example}`); dyad expects ISO alpha-3 codes (KAZ) or numeric area codes as in BACI and Comtrade (398, 842)"
    )]
    NoKnownCodes {
        /// The exporter column.
        exporter: String,
        /// The importer column.
        importer: String,
        /// One of the unknown codes.
        example: String,
    },
    /// A column is missing from the frame.
    #[error(transparent)]
    Frame(#[from] GravityError),
}

/// The names of the key columns of a panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// Exporter country code column.
    pub exporter: String,
    /// Importer country code column.
    pub importer: String,
    /// Time column: a year, or a date `YYYY-MM` / `YYYY-MM-DD`.
    pub time: String,
}

impl std::str::FromStr for Keys {
    type Err = String;
    fn from_str(s: &str) -> Result<Keys, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        match parts.as_slice() {
            [e, i, t] if !e.is_empty() && !i.is_empty() && !t.is_empty() => Ok(Keys {
                exporter: e.to_string(),
                importer: i.to_string(),
                time: t.to_string(),
            }),
            _ => Err(format!(
                "`{s}`: expected three column names EXPORTER,IMPORTER,TIME (e.g. exporter,importer,year)"
            )),
        }
    }
}

impl Default for Keys {
    fn default() -> Keys {
        Keys {
            exporter: "exporter".into(),
            importer: "importer".into(),
            time: "year".into(),
        }
    }
}

/// What the variables of a panel rest on, for the user to judge them by.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Coverage {
    /// Rows in the panel.
    pub rows: usize,
    /// Rows where the importer's country has a governing authority in the registry.
    pub rows_exp_covered: usize,
    /// Rows where the exporter's country has a governing authority in the registry.
    pub rows_imp_covered: usize,
    /// Rows per governing authority met (either side).
    pub authorities: BTreeMap<String, usize>,
    /// Per governing authority, rows dated before the ledger's first act toward it (the date
    /// of that act, or none): there the ledger is silent, so the indicators read 0 whatever
    /// the relations were.
    pub rows_before_first_act: BTreeMap<String, (usize, Option<String>)>,
    /// Country codes of the panel that dyad does not know (their variables are 0).
    pub unknown_codes: Vec<String>,
}

impl Coverage {
    /// Plain-language notes on the coverage, one per line, for standard error.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let auth: Vec<String> = self
            .authorities
            .iter()
            .map(|(a, n)| format!("{a} ({n} rows)"))
            .collect();
        notes.push(format!(
            "political variables: {} of {} rows have a governing authority on the importer's side, {} on the exporter's{}",
            self.rows_exp_covered,
            self.rows,
            self.rows_imp_covered,
            if auth.is_empty() {
                String::new()
            } else {
                format!(": {}", auth.join(", "))
            }
        ));
        for (a, (n, first)) in &self.rows_before_first_act {
            notes.push(match first {
                Some(d) => format!(
                    "{n} rows toward {a} are dated before the ledger's first act toward it ({d}): there its variables read 0 and its level is missing"
                ),
                None => format!(
                    "the ledger holds no act toward {a}: its {n} rows read 0 and have no level"
                ),
            });
        }
        if !self.unknown_codes.is_empty() {
            let some: Vec<&str> = self
                .unknown_codes
                .iter()
                .take(5)
                .map(String::as_str)
                .collect();
            notes.push(format!(
                "{} country codes are not known to dyad (e.g. {}): their variables are 0",
                self.unknown_codes.len(),
                some.join(", ")
            ));
        }
        notes
    }

    /// Counts one row whose sides face `authorities` (the importer's government, the
    /// exporter's) on `day`.
    pub fn count(&mut self, politics: &Politics<'_>, authorities: [Option<&str>; 2], day: Date) {
        self.rows += 1;
        for (side, a) in authorities.iter().enumerate() {
            let Some(a) = a else { continue };
            if side == 0 {
                self.rows_exp_covered += 1;
            } else {
                self.rows_imp_covered += 1;
            }
            *self.authorities.entry(a.to_string()).or_default() += 1;
            let first = politics.first_act.get(a).copied();
            if first.is_none_or(|f| day < f) {
                let e = self
                    .rows_before_first_act
                    .entry(a.to_string())
                    .or_insert((0, first.map(dyad_core::date::format_day)));
                e.0 += 1;
            }
        }
    }
}

/// Resolves a panel's country code to the registry's alpha-3 code.
pub type Resolver<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// The ledger's acts, ready to answer stances for panel rows.
pub struct Politics<'a> {
    registry: &'a Registry,
    by_pair: HashMap<(&'a str, &'a str), Vec<&'a Act>>,
    /// The end of the earliest act toward each authority.
    first_act: HashMap<&'a str, Date>,
    year_day: (Month, u8),
    resolver: Resolver<'a>,
}

impl<'a> Politics<'a> {
    /// Indexes `acts` by (actor, authority). Rows whose time is a bare year are answered as of
    /// 31 December of that year ([`Politics::with_year_day`]); country codes are alpha-3 or ISO
    /// numeric ([`Politics::with_resolver`]).
    pub fn new(registry: &'a Registry, acts: &'a [Act]) -> Politics<'a> {
        let mut by_pair: HashMap<(&str, &str), Vec<&Act>> = HashMap::new();
        let mut first_act: HashMap<&str, Date> = HashMap::new();
        for a in acts {
            by_pair
                .entry((a.actor.as_str(), a.authority.as_str()))
                .or_default()
                .push(a);
            let end = a.date.end();
            first_act
                .entry(a.authority.as_str())
                .and_modify(|d| *d = (*d).min(end))
                .or_insert(end);
        }
        Politics {
            registry,
            by_pair,
            first_act,
            year_day: (Month::December, 31),
            resolver: Box::new(move |code| {
                if registry.state(code).is_some() {
                    return Some(code.to_string());
                }
                let n: u16 = code.parse().ok()?;
                registry.by_numeric(n).map(|s| s.code.clone())
            }),
        }
    }

    /// Answers rows with a bare year as of this month and day of the year.
    pub fn with_year_day(mut self, month: Month, day: u8) -> Politics<'a> {
        self.year_day = (month, day);
        self
    }

    /// Resolves country codes with `resolver` instead of alpha-3 / ISO numeric only: the CLI
    /// passes the trade crate's, which knows BACI's and Comtrade's own area codes (842 for the
    /// United States, 490 for Taiwan).
    pub fn with_resolver(mut self, resolver: Resolver<'a>) -> Politics<'a> {
        self.resolver = resolver;
        self
    }

    /// The authority governing `state` on `day` ([`Registry::governing`]).
    pub fn governing(&self, state: &str, day: Date) -> Option<&'a Authority> {
        self.registry.governing(state, day)
    }

    /// The day a time label stands for: a year → the configured day of that year (31 December
    /// by default), a month → its last day, a day → itself. `2023.0` (a year written by a tool
    /// as a float) is read as 2023.
    pub fn day_of(&self, label: &str) -> Option<Date> {
        let label = label.trim();
        let label = label.strip_suffix(".0").unwrap_or(label);
        let d = PartialDate::parse(label).ok()?;
        match d.precision() {
            dyad_core::Precision::Year => {
                let (m, day) = self.year_day;
                let day = day.min(m.length(d.start().year()));
                Date::from_calendar_date(d.start().year(), m, day).ok()
            }
            _ => Some(d.end()),
        }
    }

    /// Resolves a panel's country code (`KAZ`, `398`, `842.0`); `None` for a code dyad does not
    /// know.
    pub fn country(&self, code: &str) -> Option<String> {
        let code = code.trim();
        (self.resolver)(code.strip_suffix(".0").unwrap_or(code))
    }

    fn stance(&self, actor: &str, authority: &Authority, day: Date) -> Stance {
        let acts = self
            .by_pair
            .get(&(actor, authority.id.as_str()))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        fold(actor, authority, acts.iter().copied(), day)
    }

    fn values(s: &Stance) -> [f64; 6] {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        // A level read from no acts would be a guess: missing instead.
        let level = if s.counted.is_empty() {
            f64::NAN
        } else {
            f64::from(s.level)
        };
        [
            flag(s.recognition.value == Recognition::DeJure),
            flag(s.envoys.value >= Envoys::Received),
            flag(s.envoys.value == Envoys::Ambassador),
            flag(matches!(
                s.mission.value,
                Mission::Open | Mission::Ambassador
            )),
            flag(s.designation.value == Designation::Listed),
            level,
        ]
    }

    /// `actor`'s stance toward the government of `partner` (both alpha-3) on `day`.
    pub fn side(&self, actor: &str, partner: &str, day: Date) -> SideVars {
        let Some(authority) = self.governing(partner, day) else {
            return SideVars::none();
        };
        let s = self.stance(actor, authority, day);
        SideVars {
            authority: Some(authority.id.clone()),
            values: Self::values(&s),
            acts: s.cited().into_iter().map(String::from).collect(),
            uncertain: s.uncertain_dimensions(),
        }
    }

    /// Both sides of a row whose country codes are already resolved with
    /// [`Politics::country`]: `[exporter's stance, importer's stance]`. A side whose own code is
    /// unknown has zeros, but still names the government of its partner.
    pub fn pair(&self, exporter: Option<&str>, importer: Option<&str>, day: Date) -> [SideVars; 2] {
        match (exporter, importer) {
            (Some(e), Some(i)) => [self.side(e, i, day), self.side(i, e, day)],
            (e, i) => {
                let named = |partner: Option<&str>| SideVars {
                    authority: partner
                        .and_then(|p| self.governing(p, day))
                        .map(|a| a.id.clone()),
                    ..SideVars::none()
                };
                [named(i), named(e)]
            }
        }
    }

    /// Adds the political variables `names` (those of [`variable_names`] among them) to
    /// `frame`, from its key columns. Rows with a missing key get missing values. Stances are
    /// folded once per (actor, governing authority, time), so a panel costs little more than
    /// the rows whose partner has a tracked government.
    pub fn add_to_frame(
        &self,
        frame: &mut Frame,
        keys: &Keys,
        names: &[String],
    ) -> Result<Coverage, PoliticsError> {
        let wanted: Vec<(&String, (usize, usize))> = names
            .iter()
            .filter_map(|n| Some((n, parse_variable(n)?)))
            .collect();
        let exp = frame.factor(&keys.exporter)?.into_owned();
        let imp = frame.factor(&keys.importer)?.into_owned();
        let time = frame.factor(&keys.time)?.into_owned();
        let days: Vec<Date> = time
            .levels
            .iter()
            .map(|l| {
                self.day_of(l).ok_or_else(|| PoliticsError::Time {
                    column: keys.time.clone(),
                    label: l.clone(),
                })
            })
            .collect::<Result<_, _>>()?;
        let mut unknown = BTreeSet::new();
        let mut resolve_levels = |levels: &[String]| -> Vec<Option<String>> {
            levels
                .iter()
                .map(|l| {
                    let r = self.country(l);
                    if r.is_none() {
                        unknown.insert(l.clone());
                    }
                    r
                })
                .collect()
        };
        let exp_codes = resolve_levels(&exp.levels);
        let imp_codes = resolve_levels(&imp.levels);
        let any_levels = !(exp_codes.is_empty() && imp_codes.is_empty());
        if any_levels && exp_codes.iter().chain(&imp_codes).all(Option::is_none) {
            return Err(PoliticsError::NoKnownCodes {
                exporter: keys.exporter.clone(),
                importer: keys.importer.clone(),
                example: unknown.iter().next().cloned().unwrap_or_default(),
            });
        }
        let n = frame.nrows();
        let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(n); wanted.len()];
        let mut cov = Coverage {
            unknown_codes: unknown.into_iter().collect(),
            ..Coverage::default()
        };
        // Small caches: governments per (country, time) and stances per (actor, government,
        // time); rows whose partner has no tracked government need neither.
        let mut governing: HashMap<(u8, u32, u32), Option<&Authority>> = HashMap::new();
        let mut folded: HashMap<(&str, &str, u32), [f64; 6]> = HashMap::new();
        for r in 0..n {
            let (e, i, t) = (exp.codes[r], imp.codes[r], time.codes[r]);
            if e == MISSING || i == MISSING || t == MISSING {
                cov.rows += 1;
                for c in &mut columns {
                    c.push(f64::NAN);
                }
                continue;
            }
            let day = days[t as usize];
            let (ec, ic) = (
                exp_codes[e as usize].as_deref(),
                imp_codes[i as usize].as_deref(),
            );
            // Keyed by (column, level, time): 0 for the exporter column, 1 for the importer.
            let mut gov = |col: u8, level: u32, c: Option<&str>| {
                *governing
                    .entry((col, level, t))
                    .or_insert_with(|| c.and_then(|c| self.governing(c, day)))
            };
            // The exporter faces the importer's government, and the other way round.
            let faced = [gov(1, i, ic), gov(0, e, ec)];
            let actors = [ec, ic];
            let mut values = [NONE_VALUES; 2];
            for side in 0..2 {
                if let (Some(actor), Some(auth)) = (actors[side], faced[side]) {
                    values[side] = *folded
                        .entry((actor, auth.id.as_str(), t))
                        .or_insert_with(|| Self::values(&self.stance(actor, auth, day)));
                }
            }
            cov.count(self, faced.map(|a| a.map(|a| a.id.as_str())), day);
            for (col, (_, (s, m))) in columns.iter_mut().zip(&wanted) {
                col.push(values[*s][*m]);
            }
        }
        for ((name, _), col) in wanted.into_iter().zip(columns) {
            frame.add_numeric(name, col);
        }
        Ok(cov)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        dyad_core::date::parse_day(s).unwrap()
    }

    #[test]
    fn names_and_keys() {
        let names = variable_names();
        assert_eq!(names.len(), 12);
        assert_eq!(names[0], "exp_recognises");
        assert_eq!(names[11], "imp_level");
        assert!(is_variable("imp_hosts_envoys"));
        assert!(!is_variable("rta"));
        let k: Keys = "Origin, Destination ,Year".parse().unwrap();
        assert_eq!(k.importer, "Destination");
        assert!("a,b".parse::<Keys>().is_err());
    }

    #[test]
    fn governing_authority_follows_the_registry_periods() {
        // Periods from the bundled authorities.csv: the Islamic Republic until it lost Kabul on
        // 15 August 2021, the Islamic Emirate from that day.
        let reg = Registry::bundled();
        let p = Politics::new(&reg, &[]);
        let id = |s: &str, d: &str| p.governing(s, day(d)).map(|a| a.id.clone());
        assert_eq!(id("AFG", "2021-08-14").as_deref(), Some("AFG-IRA"));
        assert_eq!(id("AFG", "2021-08-15").as_deref(), Some("AFG-IEA"));
        assert_eq!(id("AFG", "2003-01-01"), None);
        assert_eq!(id("CHN", "2020-01-01").as_deref(), Some("PRC"));
        assert_eq!(id("DEU", "2020-01-01"), None);
    }

    #[test]
    fn time_labels() {
        let reg = Registry::bundled();
        let p = Politics::new(&reg, &[]);
        assert_eq!(p.day_of("2023"), Some(day("2023-12-31")));
        assert_eq!(p.day_of("2023.0"), Some(day("2023-12-31")));
        assert_eq!(p.day_of("2024-02"), Some(day("2024-02-29")));
        assert_eq!(p.day_of("2023-04-18"), Some(day("2023-04-18")));
        assert_eq!(p.day_of("23"), None);
        let mid = Politics::new(&reg, &[]).with_year_day(Month::June, 30);
        assert_eq!(mid.day_of("2023"), Some(day("2023-06-30")));
    }

    #[test]
    fn unknown_side_is_zero_and_level_missing() {
        let reg = Registry::bundled();
        let p = Politics::new(&reg, &[]);
        let v = p.side("KAZ", "DEU", day("2023-12-31"));
        assert_eq!(v.authority, None);
        assert_eq!(&v.values[..5], &[0.0; 5]);
        assert!(v.values[5].is_nan());
        // A governed partner with no acts: named, zeros, level missing.
        let v = p.side("KAZ", "AFG", day("2023-12-31"));
        assert_eq!(v.authority.as_deref(), Some("AFG-IEA"));
        assert!(v.values[5].is_nan());
    }
}
