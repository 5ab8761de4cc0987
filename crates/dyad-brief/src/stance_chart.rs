//! The brief's stance chart: the actor's summary level over time, with its peers' on the same
//! axis, and a table of every step drawn, each with the act that made it and its source.

use dyad_core::{fold, Act, Authority, Registry};
use dyad_viz::{Line, LineChart, Note};
use time::Date;

use crate::brief::{chart_block, BriefRequest};
use crate::doc::{Block, Doc, Section};

/// Lines are lifted by this much per series so that equal levels stay visible side by side.
const OFFSET: f64 = 0.06;

/// A day as a fractional year, the x axis of the charts.
fn year_of(day: Date) -> f64 {
    let days = if time::util::is_leap_year(day.year()) {
        366.0
    } else {
        365.0
    };
    f64::from(day.year()) + f64::from(day.ordinal() - 1) / days
}

/// One step of a line: the day, the level before and after, and the act that moved it.
struct Step<'a> {
    day: Date,
    from: u8,
    to: u8,
    act: &'a Act,
}

/// The steps of `actor`'s level toward `authority` from its acts up to `until`: a step is an act
/// after which the level differs from the day before.
fn steps<'a>(authority: &Authority, acts: &'a [Act], actor: &str, until: Date) -> Vec<Step<'a>> {
    let mut out = Vec::new();
    let mut level = 0;
    let mut days: Vec<(Date, &Act)> = acts
        .iter()
        .filter(|a| a.actor == actor && a.date.end() <= until)
        .map(|a| (a.date.end(), a))
        .collect();
    days.sort_by_key(|(d, _)| *d);
    for (day, act) in days {
        let now = fold(actor, authority, acts, day).level;
        if now != level {
            out.push(Step {
                day,
                from: level,
                to: now,
                act,
            });
            level = now;
        }
    }
    out
}

/// Adds the section "Stance over time": a step chart of the summary level of the actor and of
/// `peers` (drawn in that order), from the authority's first day (or the first act) to the
/// brief's day, and the table of steps, numbered as the chart's markers are.
pub fn stance_chart_section(
    doc: &mut Doc,
    registry: &Registry,
    authority: &Authority,
    acts: &[Act],
    peers: &[&str],
    req: &BriefRequest,
) {
    let end = authority
        .until
        .map_or(req.on, |u| u.min(req.on))
        .max(authority.from);
    let start = acts
        .iter()
        .map(|a| a.date.end())
        .min()
        .map_or(authority.from, |first| first.max(authority.from).min(end));
    let mut actors = vec![req.actor.as_str()];
    actors.extend(peers.iter().copied().filter(|p| *p != req.actor).take(4));
    let mut lines = Vec::new();
    // Step numbers by day: steps of several actors on one day share one note.
    let mut notes: std::collections::BTreeMap<Date, (f64, f64, Vec<String>)> = Default::default();
    let mut rows = Vec::new();
    for (i, actor) in actors.iter().enumerate() {
        let lift = OFFSET * i as f64;
        let steps = steps(authority, acts, actor, end);
        let mut points = vec![(year_of(start), Some(lift))];
        let mut level = 0;
        for step in &steps {
            let x = year_of(step.day.max(start));
            points.push((x, Some(f64::from(step.from) + lift)));
            points.push((x, Some(f64::from(step.to) + lift)));
            level = step.to;
            let number = rows.len() + 1;
            let note = notes.entry(step.day).or_insert((x, 0.0, Vec::new()));
            note.1 = note.1.max(f64::from(step.to.max(step.from)) + lift);
            note.2.push(number.to_string());
            let source = doc.cite(&step.act.source_url);
            rows.push((
                vec![
                    number.to_string(),
                    dyad_core::date::format_day(step.day),
                    format!("{} ({actor})", registry.name_of(actor)),
                    format!("{} → {}", step.from, step.to),
                    step.act.kind.to_string(),
                    step.act.id.clone(),
                ],
                vec![source],
            ));
        }
        points.push((year_of(end), Some(f64::from(level) + lift)));
        lines.push(Line {
            name: format!("{} ({actor})", registry.name_of(actor)),
            points,
        });
    }
    let chart = LineChart {
        title: format!(
            "Summary level toward {} (0–5), {} and peers",
            authority.id, req.actor
        ),
        y_label: "summary level (0 none … 5 recognised)".into(),
        lines,
        markers: Vec::new(),
        y_max: Some(8.5),
        notes: notes
            .into_values()
            .map(|(x, y, numbers)| Note {
                x,
                y,
                text: numbers.join(","),
            })
            .collect(),
        x_months: true,
        y_whole: true,
    };
    let mut blocks = vec![
        Block::Para(format!(
            "The level of {} and of the peers with the most acts toward {} on every day from {} to {}; each step is an act, numbered on the chart as in the table below. Lines are lifted slightly one above the other so that equal levels stay apart.",
            req.actor,
            authority.id,
            dyad_core::date::format_day(start),
            dyad_core::date::format_day(end),
        )),
        chart_block(
            "stance",
            format!("Summary level of {} and peers toward {} over time", req.actor, authority.id),
            chart.svg(),
            req.png.then(|| chart.png()),
        ),
    ];
    if rows.is_empty() {
        blocks.push(Block::Gap(format!(
            "no act of {} or its peers toward {} moved a level by {}",
            req.actor,
            authority.id,
            dyad_core::date::format_day(end)
        )));
    } else {
        blocks.push(Block::Table {
            headers: ["step", "date", "actor", "level", "act", "act id"]
                .map(String::from)
                .to_vec(),
            rows,
        });
    }
    doc.sections.push(Section {
        title: "Stance over time".into(),
        blocks,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use dyad_core::ActKind;

    #[test]
    fn steps_are_the_acts_that_moved_the_level() {
        let registry = Registry::bundled();
        let authority = registry.authority("AFG-IEA").unwrap().clone();
        let act = |date: &str, kind: ActKind| {
            let date = dyad_core::PartialDate::parse(date).unwrap();
            Act {
                id: Act::natural_id("KAZ", "AFG-IEA", &date, kind),
                date,
                actor: "KAZ".into(),
                authority: "AFG-IEA".into(),
                kind,
                level: None,
                detail: String::new(),
                source_url: format!("https://example.org/{kind}"),
                source_date: None,
            }
        };
        let acts = [
            act("2021-08-20", ActKind::EmbassyKeptOpen),
            act("2022-01-01", ActKind::StatementNonRecognition),
            act("2023-04-17", ActKind::EnvoyAccepted),
        ];
        let day = dyad_core::date::parse_day("2024-01-01").unwrap();
        let s = steps(&authority, &acts, "KAZ", day);
        let got: Vec<(u8, u8)> = s.iter().map(|s| (s.from, s.to)).collect();
        assert_eq!(got, [(0, 2), (2, 3)], "the statement moved nothing");
        assert_eq!(s[1].act.kind, ActKind::EnvoyAccepted);
    }
}
