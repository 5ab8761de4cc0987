//! The analyses' answers: event studies (`dyad study`), partner shares (`dyad shares`), mirror
//! gaps (`dyad gap`), judged claims (`dyad check-claims`) and the level check of acts files
//! (`dyad check`). Each JSON form is a list or document of typed values (numbers as numbers);
//! the table form is what a reader wants to scan, with figures rounded.

use dyad_analysis::claims::ClaimResult;
use dyad_analysis::mirror::MirrorRow;
use dyad_analysis::series::Period;
use dyad_analysis::shares::ShareRow;
use dyad_brief::study::StudyOutput;
use dyad_core::Registry;
use serde::Serialize;

use crate::{Table, View, ViewError};

/// An event study: JSON is the study in full (series, peers, placebos); the table its
/// measures.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct StudyView<'a> {
    /// The study.
    pub study: &'a StudyOutput,
}

impl View for StudyView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        let s = self.study;
        let r = &s.result;
        let periods = |ps: &[Period]| {
            ps.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut t = Table::new(["measure", "value"]);
        t.push([
            "exporter -> importer".to_string(),
            format!("{} -> {}", s.exporter, s.importer),
        ]);
        t.push([
            "event".to_string(),
            match &s.event_act {
                Some(a) => format!(
                    "{} ({}) {}",
                    a.id,
                    dyad_core::date::format_day(s.event_date),
                    a.source_url
                ),
                None => dyad_core::date::format_day(s.event_date),
            },
        ]);
        t.push(["figures".to_string(), s.source.to_string()]);
        t.push(["pre window".to_string(), periods(&r.pre)]);
        t.push(["post window".to_string(), periods(&r.post)]);
        t.push([
            "target change (log points)".to_string(),
            format!("{:+.4}", r.target_change),
        ]);
        t.push([
            "peer change (log points)".to_string(),
            r.peer_change
                .map_or_else(|| "no usable peer".into(), |c| format!("{c:+.4}")),
        ]);
        t.push([
            "effect (log points)".to_string(),
            format!("{:+.4}", r.effect),
        ]);
        t.push(["effect ratio".to_string(), format!("{:.3}", r.effect_ratio)]);
        t.push([
            "p-value".to_string(),
            r.p_value.map_or_else(
                || "none (no placebo possible)".into(),
                |p| format!("{p:.4} from {} placebos", r.placebos.len()),
            ),
        ]);
        t.push(["peers used".to_string(), r.peers_used.join(" ")]);
        t.push(["peer rule".to_string(), s.peer_rule.clone()]);
        for (name, why) in &r.peers_dropped {
            t.push([format!("peer dropped: {name}"), why.clone()]);
        }
        Ok(t)
    }
}

/// One partner of [`SharesView`]: its values and shares, with its name.
#[derive(Debug, Clone, Serialize)]
pub struct ShareView<'a> {
    /// Partner's English name.
    pub name: &'a str,
    /// The values and shares.
    #[serde(flatten)]
    pub row: &'a ShareRow,
}

/// Whose share of a country's trade rose or fell between two years (`dyad shares`): JSON is
/// the list of partners.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct SharesView<'a> {
    /// The partners, largest first.
    pub partners: Vec<ShareView<'a>>,
    #[serde(skip)]
    years: (i32, i32),
}

impl<'a> SharesView<'a> {
    /// The view of `rows` between the years `first` and `last`.
    pub fn new(rows: &'a [ShareRow], registry: &'a Registry, first: i32, last: i32) -> Self {
        SharesView {
            partners: rows
                .iter()
                .map(|r| ShareView {
                    name: registry.name_of(&r.partner),
                    row: r,
                })
                .collect(),
            years: (first, last),
        }
    }
}

impl View for SharesView<'_> {
    /// Values in whole dollars, shares to four places, changes in points to two.
    fn table(&self) -> Result<Table, ViewError> {
        let (a, b) = self.years;
        let mut t = Table::new(vec![
            "partner".to_string(),
            "name".into(),
            format!("value_{a}"),
            format!("value_{b}"),
            format!("share_{a}"),
            format!("share_{b}"),
            "change_pp".into(),
        ]);
        let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or_else(String::new, f);
        for p in &self.partners {
            let r = p.row;
            t.push([
                r.partner.clone(),
                p.name.to_string(),
                opt(r.first_value, &|v| format!("{v:.0}")),
                opt(r.last_value, &|v| format!("{v:.0}")),
                opt(r.first_share, &|s| format!("{s:.4}")),
                opt(r.last_share, &|s| format!("{s:.4}")),
                opt(r.change_pp, &|c| format!("{c:+.2}")),
            ]);
        }
        Ok(t)
    }
}

/// Exporter-reported against importer-reported trade, period by period (`dyad gap`): JSON is
/// the list of periods.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct GapView<'a> {
    /// The periods.
    pub rows: &'a [MirrorRow],
}

impl View for GapView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new([
            "period",
            "exporter_reported_fob",
            "importer_reported_cif",
            "ratio",
            "gap",
            "reported_by",
        ]);
        let opt = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.0}"));
        for r in self.rows {
            t.push([
                r.period.to_string(),
                opt(r.exporter_reported),
                opt(r.importer_reported),
                r.ratio.map_or_else(String::new, |v| format!("{v:.4}")),
                opt(r.gap),
                r.reported_by.to_string(),
            ]);
        }
        Ok(t)
    }
}

/// Claims judged against the figures and the ledger (`dyad check-claims`): JSON is the list
/// of claims with their evidence; the table has one row per piece of evidence.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ClaimsView<'a> {
    /// The claims.
    pub claims: &'a [ClaimResult],
}

impl View for ClaimsView<'_> {
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new([
            "claim", "verdict", "evidence", "observed", "agrees", "sources",
        ]);
        for r in self.claims {
            if r.evidence.is_empty() {
                t.push([
                    r.id.as_str(),
                    r.verdict.as_str(),
                    "no figure bears on it",
                    "",
                    "",
                    "",
                ]);
            }
            for e in &r.evidence {
                t.push([
                    r.id.clone(),
                    r.verdict.as_str().to_string(),
                    e.label.clone(),
                    e.observed.clone(),
                    if e.agrees { "yes" } else { "no" }.to_string(),
                    e.sources.join(" "),
                ]);
            }
        }
        Ok(t)
    }
}

/// A row of an acts file whose `level` differs from dyad's fold (`dyad check`).
#[derive(Debug, Clone, Serialize)]
pub struct LevelDifference {
    /// The file.
    pub file: String,
    /// The row's line.
    pub line: u64,
    /// The act's id.
    pub id: String,
    /// Acting state.
    pub actor: String,
    /// Authority.
    pub authority: String,
    /// The act's date as given.
    pub date: String,
    /// Kind of act.
    pub act: String,
    /// The file's `level`.
    pub file_level: u8,
    /// dyad's level at the end of the act's date.
    pub dyad_level: u8,
    /// The acts behind dyad's level.
    pub dyad_acts: Vec<String>,
}

/// Every level difference found by `dyad check`: JSON is the list.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct CheckView {
    /// The differences, file by file, in row order.
    pub differences: Vec<LevelDifference>,
}

impl View for CheckView {
    fn table(&self) -> Result<Table, ViewError> {
        let mut t = Table::new([
            "file",
            "line",
            "id",
            "actor",
            "authority",
            "date",
            "act",
            "file_level",
            "dyad_level",
            "dyad_acts",
        ]);
        for d in &self.differences {
            t.push([
                d.file.clone(),
                d.line.to_string(),
                d.id.clone(),
                d.actor.clone(),
                d.authority.clone(),
                d.date.clone(),
                d.act.clone(),
                d.file_level.to_string(),
                d.dyad_level.to_string(),
                d.dyad_acts.join(" "),
            ]);
        }
        Ok(t)
    }
}
