//! One-page sourced briefs on an actor and an authority: stance and timeline, peers on the key
//! dates, trade with the authority's state, product mix, partner shares, an event study, the
//! mirror gap and checked claims. Every figure cites its source; a missing piece of data is
//! shown as a gap with what would fill it.

use std::collections::BTreeMap;

use dyad_analysis::shares::shares;
use dyad_core::{fold, Act, Authority, Registry};
use dyad_ledger::Ledger;
use dyad_trade::datafusion::arrow::array::AsArray;
use dyad_trade::datafusion::arrow::datatypes::Int32Type;
use dyad_trade::TradeDb;
use dyad_viz::{BarChart, Line, LineChart, Marker};
use time::Date;

use crate::doc::{Block, Doc, Section};
use crate::figures::{pair_figures, partner_series, rows, Cell, PairFigure, SeriesSource};
use crate::study::{self, Peers, StudyRequest};
use crate::BriefError;

/// What to brief on.
#[derive(Debug, Clone)]
pub struct BriefRequest {
    /// The acting state.
    pub actor: String,
    /// The authority.
    pub authority: String,
    /// The day of the stance (usually today).
    pub on: Date,
    /// Also draw charts as PNG.
    pub png: bool,
    /// A claims file (name, text); `None` uses the bundled claims when they concern this pair.
    pub claims: Option<(String, String)>,
}

/// Formats US dollars for people: `USD 987.9M`, `USD 9.1M`, `USD 41,235`.
pub fn usd(v: f64) -> String {
    if v.abs() >= 1e9 {
        format!("USD {:.2}B", v / 1e9)
    } else if v.abs() >= 1e6 {
        format!("USD {:.1}M", v / 1e6)
    } else {
        let whole = v.round() as i64;
        let digits = whole.abs().to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("USD {}{grouped}", if whole < 0 { "-" } else { "" })
    }
}

pub(crate) fn chart_block(
    name: &str,
    alt: String,
    svg: Result<String, String>,
    png: Option<Result<Vec<u8>, String>>,
) -> Block {
    match (svg, png.transpose()) {
        (Ok(svg), Ok(png)) => Block::Chart {
            name: name.to_string(),
            alt,
            svg,
            png,
        },
        (Err(e), _) | (_, Err(e)) => Block::Gap(format!("the chart could not be drawn: {e}")),
    }
}

/// Builds the brief.
pub async fn build(ledger: &Ledger, db: &TradeDb, req: &BriefRequest) -> Result<Doc, BriefError> {
    let acts = ledger.acts(Some(&req.authority), None, None)?;
    let label = ledger.home().map_or_else(
        || "the bundled dataset".to_string(),
        |h| h.display().to_string(),
    );
    build_from(ledger.registry(), &acts, &label, db, req).await
}

/// Builds the brief from acts already read: every current act toward `req.authority`, ordered
/// by date as [`Ledger::acts`] gives them (a server passes its in-memory snapshot, so a brief
/// never holds the ledger). `ledger_label` is how the brief names the ledger.
pub async fn build_from(
    registry: &Registry,
    acts: &[Act],
    ledger_label: &str,
    db: &TradeDb,
    req: &BriefRequest,
) -> Result<Doc, BriefError> {
    let authority = registry
        .authority(&req.authority)
        .ok_or_else(|| BriefError::Invalid(format!("unknown authority `{}`", req.authority)))?
        .clone();
    if registry.state(&req.actor).is_none() {
        return Err(BriefError::Invalid(format!(
            "unknown actor `{}`",
            req.actor
        )));
    }
    let acts: Vec<Act> = acts
        .iter()
        .filter(|a| a.authority == authority.id)
        .cloned()
        .collect();
    let mine: Vec<&Act> = acts.iter().filter(|a| a.actor == req.actor).collect();
    let state = authority.state.clone();
    let mut doc = Doc {
        title: format!("{} and {}", registry.name_of(&req.actor), authority.name),
        subtitle: format!(
            "dyad brief as of {}: {} ({}) toward {} ({}, governing {}). Ledger: {}. Trade: {}.",
            dyad_core::date::format_day(req.on),
            registry.name_of(&req.actor),
            req.actor,
            authority.name,
            authority.id,
            registry.name_of(&state),
            ledger_label,
            if db.store_rows() == 0 {
                "the bundled reported figures only".to_string()
            } else {
                format!(
                    "{} stored rows and the bundled reported figures",
                    db.store_rows()
                )
            }
        ),
        ..Doc::default()
    };
    stance_section(&mut doc, registry, &authority, &acts, req);
    crate::stance_chart::stance_chart_section(
        &mut doc,
        registry,
        &authority,
        &acts,
        &peers(&acts, &req.actor),
        req,
    );
    timeline_section(&mut doc, &authority, &acts, &mine, req);
    peers_section(&mut doc, registry, &authority, &acts, &mine, req);
    let figures = pair_figures(db, &req.actor, &state).await?;
    trade_section(
        &mut doc, registry, &req.actor, &state, &figures, &mine, req.png,
    );
    products_section(&mut doc, db, &req.actor, &state, req.png).await?;
    shares_section(&mut doc, db, registry, &state).await?;
    study_section(&mut doc, db, &acts, &authority, &mine, &req.actor, &state).await;
    mirror_section(&mut doc, db, &req.actor, &state).await?;
    claims_section(&mut doc, db, registry, &acts, &req.actor, &state, req).await?;
    Ok(doc)
}

fn stance_section(
    doc: &mut Doc,
    registry: &Registry,
    authority: &Authority,
    acts: &[Act],
    req: &BriefRequest,
) {
    let s = fold(&req.actor, authority, acts, req.on);
    // Asked about a day after the authority's end, the brief says so before any stance.
    let ended = s.ended.map(|until| {
        Block::Gap(format!(
            "{} ({}) had ended by {}: its last day was {} ({}). The stance below is what its acts left behind, not a current one",
            authority.name,
            authority.id,
            dyad_core::date::format_day(req.on),
            dyad_core::date::format_day(until),
            authority.period()
        ))
    });
    let mut rows = Vec::new();
    let dims: [(&str, &str, &Vec<String>, bool); 4] = [
        (
            "recognition",
            s.recognition.value.as_str(),
            &s.recognition.acts,
            s.recognition.uncertain(),
        ),
        (
            "their envoys received",
            s.envoys.value.as_str(),
            &s.envoys.acts,
            s.envoys.uncertain(),
        ),
        (
            "own mission in their capital",
            s.mission.value.as_str(),
            &s.mission.acts,
            s.mission.uncertain(),
        ),
        (
            "designation as terrorist",
            s.designation.value.as_str(),
            &s.designation.acts,
            s.designation.uncertain(),
        ),
    ];
    for (name, value, ids, uncertain) in dims {
        let refs = ids
            .iter()
            .filter_map(|id| acts.iter().find(|a| &a.id == id))
            .map(|a| doc.cite(&a.source_url))
            .collect();
        let value = if uncertain {
            format!("{value} (uncertain: an act dated to a month or year is pending)")
        } else {
            value.to_string()
        };
        rows.push((vec![name.to_string(), value, ids.join(" ")], refs));
    }
    doc.sections.push(Section {
        title: format!("Stance on {}", dyad_core::date::format_day(req.on)),
        blocks: ended
            .into_iter()
            .chain([
            Block::Para(format!(
                "Summary level {}{} of 5: {}. Accreditation of envoys never implies recognition; each dimension below is set only by the acts it cites.",
                s.level,
                if s.level_uncertain { " (uncertain)" } else { "" },
                s.level_name()
            )),
            Block::Table { headers: vec!["dimension".into(), "value".into(), "acts".into()], rows },
        ])
        .collect(),
    });
    let _ = registry;
}

fn timeline_section(
    doc: &mut Doc,
    authority: &Authority,
    acts: &[Act],
    mine: &[&Act],
    req: &BriefRequest,
) {
    let mut rows = Vec::new();
    for a in mine {
        let level = fold(&req.actor, authority, acts, a.date.end()).level;
        let refs = vec![doc.cite(&a.source_url)];
        rows.push((
            vec![
                a.date.to_string(),
                a.kind.to_string(),
                level.to_string(),
                a.detail.clone(),
            ],
            refs,
        ));
    }
    let blocks = if rows.is_empty() {
        vec![Block::Gap(format!(
            "the ledger has no act of {} toward {}",
            req.actor, authority.id
        ))]
    } else {
        vec![Block::Table {
            headers: vec![
                "date".into(),
                "act".into(),
                "level after".into(),
                "what happened".into(),
            ],
            rows,
        }]
    };
    doc.sections.push(Section {
        title: "Timeline".into(),
        blocks,
    });
}

/// Days (the end of each act's period) on which the actor's level changed, plus the brief's day.
fn key_dates(
    authority: &Authority,
    acts: &[Act],
    mine: &[&Act],
    actor: &str,
    on: Date,
) -> Vec<Date> {
    let mut out = Vec::new();
    let mut last = 0;
    for a in mine {
        let d = a.date.end();
        let level = fold(actor, authority, acts, d).level;
        if level != last && !out.contains(&d) {
            out.push(d);
            last = level;
        }
    }
    if !out.contains(&on) {
        out.push(on);
    }
    out.sort();
    out
}

/// The peers of `actor`: the other states with acts toward the authority, most acts first (an
/// organisation such as the UN is no peer of a state).
fn peers<'a>(acts: &'a [Act], actor: &str) -> Vec<&'a str> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for a in acts.iter().filter(|a| a.actor != actor && a.actor != "UN") {
        *counts.entry(&a.actor).or_default() += 1;
    }
    let mut peers: Vec<(&str, usize)> = counts.into_iter().collect();
    peers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    peers.into_iter().map(|p| p.0).collect()
}

fn peers_section(
    doc: &mut Doc,
    registry: &Registry,
    authority: &Authority,
    acts: &[Act],
    mine: &[&Act],
    req: &BriefRequest,
) {
    let dates = key_dates(authority, acts, mine, &req.actor, req.on);
    let mut actors = vec![req.actor.as_str()];
    actors.extend(peers(acts, &req.actor).into_iter().take(8));
    let mut headers = vec!["actor".to_string()];
    headers.extend(dates.iter().map(|d| dyad_core::date::format_day(*d)));
    let mut rows = Vec::new();
    for actor in actors {
        let mut cells = vec![format!("{} ({actor})", registry.name_of(actor))];
        let mut refs = Vec::new();
        for d in &dates {
            let s = fold(actor, authority, acts, *d);
            cells.push(format!(
                "{}{}",
                s.level,
                if s.level_uncertain { "?" } else { "" }
            ));
            for id in s.level_acts().iter().filter(|_| s.level >= 2) {
                if let Some(a) = acts.iter().find(|a| &a.id == id) {
                    let n = doc.cite(&a.source_url);
                    if !refs.contains(&n) {
                        refs.push(n);
                    }
                }
            }
        }
        rows.push((cells, refs));
    }
    doc.sections.push(Section {
        title: "Peers on the key dates".into(),
        blocks: vec![
            Block::Para(format!(
                "Summary levels (0 none, 1 contacts, 2 own embassy, 3 envoys below ambassador rank, 4 ambassador accredited, 5 recognised) on the days {}'s level changed; peers are the states with the most acts toward {} in the ledger. Sources are the acts behind levels of 2 and above.",
                req.actor, authority.id
            )),
            Block::Table { headers, rows },
        ],
    });
}

fn direction(f: &PairFigure) -> String {
    format!("{} -> {}", f.exporter, f.importer)
}

/// A flow code in words, as the brief and the web's pair page show it.
pub fn flow_name(flow: &str) -> &str {
    match flow {
        "X" => "exports",
        "M" => "imports",
        "T" => "turnover (both ways)",
        "RX" => "re-exports",
        "RM" => "re-imports",
        other => other,
    }
}

fn trade_section(
    doc: &mut Doc,
    registry: &Registry,
    actor: &str,
    state: &str,
    figures: &[PairFigure],
    mine: &[&Act],
    png: bool,
) {
    let title = format!(
        "Trade between {} and {}",
        registry.name_of(actor),
        registry.name_of(state)
    );
    if figures.is_empty() {
        doc.sections.push(Section {
            title,
            blocks: vec![Block::Gap(format!(
                "no trade figures for {actor} and {state}: ingest BACI or UN Comtrade files with `dyad trade ingest`"
            ))],
        });
        return;
    }
    let mut rows = Vec::new();
    for f in figures {
        let source = f.source_url.clone().unwrap_or_else(|| f.provenance());
        let refs = vec![doc.cite(&source)];
        rows.push((
            vec![
                f.year.to_string(),
                direction(f),
                flow_name(&f.flow).to_string(),
                usd(f.value_usd),
                f.provenance(),
            ],
            refs,
        ));
    }
    let chart = trade_chart(actor, state, figures, mine);
    let blocks = vec![
        Block::Para("Every figure as its source gives it; sources disagree and are not reconciled. Gaps in the chart are years without a figure, not zeros.".into()),
        chart_block("trade", format!("{actor}-{state} trade by year and source, with {actor}'s acts marked"), chart.svg(), png.then(|| chart.png())),
        Block::Table { headers: vec!["year".into(), "direction".into(), "flow".into(), "value".into(), "reported by".into()], rows },
    ];
    doc.sections.push(Section { title, blocks });
}

/// The trade chart of a pair: one line per direction, flow and reporter, in USD million, with
/// the actor's steps that moved envoys or recognition marked. A year without a figure is a gap
/// in its line, never a zero. Also drawn on the web's country–authority page, so that page and
/// the brief show the same chart.
///
/// At most seven lines are drawn (the palette's colours), ordered by direction, flow code and
/// reporter; when there are more, the title says how many were left out.
pub fn trade_chart(actor: &str, state: &str, figures: &[PairFigure], acts: &[&Act]) -> LineChart {
    /// Legend text, and per year the sum and count of the figures (USD million).
    type Points = (String, BTreeMap<i32, (f64, u32)>);
    // Keyed by the full provenance: two reporters whose names share a long prefix stay apart.
    let mut lines: BTreeMap<String, Points> = BTreeMap::new();
    for f in figures {
        let provenance = f.provenance();
        let (key, name) = if f.flow == "T" {
            (
                format!("turnover {provenance}"),
                format!("turnover ({})", short(&provenance)),
            )
        } else {
            (
                format!("{} {} {provenance}", direction(f), f.flow),
                format!(
                    "{} {} ({})",
                    direction(f),
                    flow_name(&f.flow),
                    short(&provenance)
                ),
            )
        };
        // Several figures for one year from one reporter (revisions) are shown as their mean.
        let e = lines.entry(key).or_insert_with(|| (name, BTreeMap::new()));
        let point = e.1.entry(f.year).or_insert((0.0, 0));
        point.0 += f.value_usd / 1e6;
        point.1 += 1;
    }
    let (y0, y1) = (
        figures.iter().map(|f| f.year).min().unwrap_or(0),
        figures.iter().map(|f| f.year).max().unwrap_or(0),
    );
    const MAX_LINES: usize = 7;
    let title = if lines.len() > MAX_LINES {
        format!(
            "{actor}-{state} trade, USD million ({MAX_LINES} of {} series drawn; all in the table)",
            lines.len()
        )
    } else {
        format!("{actor}-{state} trade, USD million")
    };
    LineChart {
        title,
        y_label: "USD million".into(),
        lines: lines
            .into_values()
            .take(MAX_LINES)
            .map(|(name, pts)| Line {
                name,
                points: (y0..=y1)
                    .map(|y| {
                        (
                            f64::from(y),
                            pts.get(&y).map(|(sum, n)| sum / f64::from(*n)),
                        )
                    })
                    .collect(),
            })
            .collect(),
        markers: acts
            .iter()
            .filter(|a| {
                (y0..=y1 + 1).contains(&a.date.end().year())
                    && matches!(
                        a.kind.as_str(),
                        "envoy_accepted"
                            | "ambassador_credentials_accepted"
                            | "recognition"
                            | "designation_removed"
                    )
            })
            .map(|a| Marker {
                x: f64::from(a.date.end().year()) + f64::from(a.date.end().ordinal()) / 366.0,
                label: a.kind.as_str().replace('_', " "),
            })
            .collect(),
        ..LineChart::default()
    }
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(40).collect();
    if t.len() < text.len() {
        format!("{t}...")
    } else {
        t
    }
}

/// The latest year with product-level figures from `source` for the pair: the year the products
/// section shows. From the products of every year (the fast path, a few milliseconds) rather
/// than a SQL `max(year)`, which planned a DataFusion query for each source tried.
async fn latest_products_year(
    db: &TradeDb,
    exporter: &str,
    importer: &str,
    source: &str,
) -> Result<Option<i32>, BriefError> {
    let batches = db
        .products_by_year(exporter, importer, None, 2, source)
        .await?;
    Ok(batches
        .iter()
        .filter_map(|b| b.column_by_name("year"))
        .filter_map(|c| c.as_primitive_opt::<Int32Type>())
        .flat_map(|years| years.iter().flatten())
        .max())
}

async fn products_section(
    doc: &mut Doc,
    db: &TradeDb,
    actor: &str,
    state: &str,
    png: bool,
) -> Result<(), BriefError> {
    let title = format!("What {actor} sells to {state}");
    let mut found = None;
    for source in ["baci", "comtrade"] {
        if let Some(year) = latest_products_year(db, actor, state, source).await? {
            found = Some((source, year));
            break;
        }
    }
    let Some((source, year)) = found else {
        doc.sections.push(Section {
            title,
            blocks: vec![Block::Gap("no product-level figures (the bundled reported figures are totals): ingest a BACI release or Comtrade files by HS code".into())],
        });
        return Ok(());
    };
    let batches = db.products(actor, state, year, 2, source).await?;
    let mut table = Vec::new();
    let mut bars = Vec::new();
    for r in rows(&batches)?.into_iter().take(10) {
        let text = |k: &str| {
            r.get(k)
                .and_then(|c| {
                    if let Cell::Text(t) = c {
                        Some(t.clone())
                    } else {
                        None
                    }
                })
                .unwrap_or_default()
        };
        let value = r
            .get("value_usd")
            .and_then(|c| if let Cell::Num(v) = c { Some(*v) } else { None })
            .unwrap_or(0.0);
        let share = r
            .get("share")
            .and_then(|c| if let Cell::Num(v) = c { Some(*v) } else { None });
        let name = text("name");
        let label = if name.is_empty() {
            text("product")
        } else {
            format!("{} {}", text("product"), short(&name))
        };
        let provenance = if source == "baci" {
            format!("CEPII BACI {}", text("classification"))
        } else {
            format!(
                "UN Comtrade {}, reported by {}",
                text("classification"),
                text("reporter")
            )
        };
        let refs = vec![doc.cite(&provenance)];
        bars.push((label.clone(), value / 1e6));
        table.push((
            vec![
                label,
                usd(value),
                share.map_or_else(String::new, |s| format!("{:.1}%", 100.0 * s)),
            ],
            refs,
        ));
    }
    let chart = BarChart {
        title: format!("{actor} -> {state}, {year}, top HS chapters"),
        x_label: "USD million".into(),
        bars,
    };
    doc.sections.push(Section {
        title,
        blocks: vec![
            chart_block(
                "products",
                format!("{actor} exports to {state} in {year} by HS chapter"),
                chart.svg(),
                png.then(|| chart.png()),
            ),
            Block::Table {
                headers: vec!["HS chapter".into(), "value".into(), "share".into()],
                rows: table,
            },
        ],
    });
    Ok(())
}

async fn shares_section(
    doc: &mut Doc,
    db: &TradeDb,
    registry: &Registry,
    state: &str,
) -> Result<(), BriefError> {
    let title = format!("Who supplies {}", registry.name_of(state));
    let series = partner_series(db, state, false, SeriesSource::Baci, false).await?;
    let years: Vec<i32> = series
        .values()
        .flat_map(|s| s.points.keys())
        .filter_map(|p| match p {
            dyad_analysis::series::Period::Year(y) => Some(*y),
            _ => None,
        })
        .collect();
    let (Some(&y0), Some(&y1)) = (years.iter().min(), years.iter().max()) else {
        doc.sections.push(Section {
            title,
            blocks: vec![Block::Gap(format!("no BACI figures for {state}'s imports by partner: ingest a BACI release to see partner shares"))],
        });
        return Ok(());
    };
    let flows: Vec<(String, dyad_analysis::series::Period, f64)> = series
        .iter()
        .flat_map(|(p, s)| s.points.iter().map(move |(per, v)| (p.clone(), *per, *v)))
        .collect();
    let first = dyad_analysis::series::Period::Year(y0);
    let last = dyad_analysis::series::Period::Year(y1);
    let n = doc.cite("CEPII BACI (reconciled mirror flows)");
    let rows = shares(&flows, first, last, 10)
        .into_iter()
        .map(|r| {
            let pct = |s: Option<f64>| {
                s.map_or_else(|| "no figure".to_string(), |s| format!("{:.1}%", 100.0 * s))
            };
            (
                vec![
                    format!("{} ({})", registry.name_of(&r.partner), r.partner),
                    pct(r.first_share),
                    pct(r.last_share),
                    r.change_pp.map_or_else(String::new, |c| format!("{c:+.1}")),
                ],
                vec![n],
            )
        })
        .collect();
    doc.sections.push(Section {
        title,
        blocks: vec![
            Block::Para(format!("Shares of {state}'s imports (as BACI reconciles them) by partner, {y0} and {y1}; the total is over every partner in the store.")),
            Block::Table { headers: vec!["partner".into(), format!("share {y0}"), format!("share {y1}"), "change, points".into()], rows },
        ],
    });
    Ok(())
}

async fn study_section(
    doc: &mut Doc,
    db: &TradeDb,
    acts: &[Act],
    authority: &Authority,
    mine: &[&Act],
    actor: &str,
    state: &str,
) {
    let title = "Event study".to_string();
    // The event: the first act that brought the actor's level to 3 or more (envoys received),
    // else the first act that changed its level.
    let event = mine
        .iter()
        .find(|a| fold(actor, authority, acts, a.date.end()).level >= 3)
        .or_else(|| {
            mine.iter()
                .find(|a| fold(actor, authority, acts, a.date.end()).level > 0)
        });
    let Some(event) = event else {
        doc.sections.push(Section {
            title,
            blocks: vec![Block::Gap(format!("no act of {actor} to study"))],
        });
        return;
    };
    let mut last_err = String::new();
    for source in [
        SeriesSource::Baci,
        SeriesSource::ComtradeImporter,
        SeriesSource::ComtradeExporter,
    ] {
        let req = StudyRequest {
            exporter: actor.to_string(),
            importer: state.to_string(),
            event: event.id.clone(),
            window: 2,
            peers: Peers::Auto {
                k: 8,
                exporter_markets: false,
            },
            source,
            monthly: false,
        };
        match study::run(db, acts, &req).await {
            Ok(out) => {
                let r = &out.result;
                let n = doc.cite(out.source);
                let m = doc.cite(&event.source_url);
                let rows = vec![
                    (
                        vec![
                            "event".into(),
                            format!(
                                "{} ({})",
                                event.id,
                                dyad_core::date::format_day(out.event_date)
                            ),
                        ],
                        vec![m],
                    ),
                    (
                        vec![
                            "windows".into(),
                            format!(
                                "pre {:?}, post {:?}",
                                r.pre.iter().map(ToString::to_string).collect::<Vec<_>>(),
                                r.post.iter().map(ToString::to_string).collect::<Vec<_>>()
                            ),
                        ],
                        vec![],
                    ),
                    (
                        vec![
                            "target change (log points)".into(),
                            format!("{:+.3}", r.target_change),
                        ],
                        vec![n],
                    ),
                    (
                        vec![
                            "peers' mean change".into(),
                            r.peer_change
                                .map_or_else(|| "no usable peer".into(), |c| format!("{c:+.3}")),
                        ],
                        vec![n],
                    ),
                    (
                        vec![
                            "effect vs peers".into(),
                            format!("{:+.3} (x{:.2})", r.effect, r.effect_ratio),
                        ],
                        vec![n],
                    ),
                    (
                        vec![
                            "placebo p-value".into(),
                            r.p_value.map_or_else(
                                || "no placebo possible".into(),
                                |p| format!("{p:.3} ({} placebos)", r.placebos.len()),
                            ),
                        ],
                        vec![n],
                    ),
                    (vec!["peers".into(), r.peers_used.join(" ")], vec![]),
                ];
                doc.sections.push(Section {
                    title,
                    blocks: vec![
                        Block::Para(format!("{actor} -> {state} exports around {}, against {}. Method: mean log value after minus before (the event year itself left out), minus the same for peers; p-value from peer and shifted-date placebos (see the README).", event.id, out.peer_rule)),
                        Block::Table { headers: vec!["measure".into(), "value".into()], rows },
                    ],
                });
                return;
            }
            Err(e) => last_err = e.to_string(),
        }
    }
    doc.sections.push(Section {
        title,
        blocks: vec![Block::Gap(format!("around {}: {last_err}", event.id))],
    });
}

async fn mirror_section(
    doc: &mut Doc,
    db: &TradeDb,
    actor: &str,
    state: &str,
) -> Result<(), BriefError> {
    let title = "Mirror gap".to_string();
    let batches = db.mirror(actor, state, None).await?;
    let found = rows(&batches)?;
    if found.is_empty() {
        doc.sections.push(Section {
            title,
            blocks: vec![Block::Gap(format!("no year with both {actor}'s reported exports and {state}'s reported imports (UN Comtrade); ingest both reporters' files"))],
        });
        return Ok(());
    }
    let n = doc.cite("UN Comtrade (both reporters)");
    let num = |r: &BTreeMap<String, Cell>, k: &str| {
        r.get(k)
            .and_then(|c| if let Cell::Num(v) = c { Some(*v) } else { None })
    };
    let rows = found
        .iter()
        .map(|r| {
            (
                vec![
                    num(r, "year").map_or_else(String::new, |y| format!("{y:.0}")),
                    num(r, "exports_reported").map_or_else(String::new, usd),
                    num(r, "imports_reported").map_or_else(String::new, usd),
                    num(r, "ratio").map_or_else(String::new, |x| format!("{x:.3}")),
                ],
                vec![n],
            )
        })
        .collect();
    doc.sections.push(Section {
        title,
        blocks: vec![
            Block::Para("Imports are valued CIF (with freight and insurance) and exports FOB, so a ratio a little above 1 is expected; large gaps point to misreporting, transit or unrecorded trade.".into()),
            Block::Table { headers: vec!["year".into(), format!("{actor}-reported exports"), format!("{state}-reported imports"), "ratio".into()], rows },
        ],
    });
    Ok(())
}

async fn claims_section(
    doc: &mut Doc,
    db: &TradeDb,
    registry: &Registry,
    acts: &[Act],
    actor: &str,
    state: &str,
    req: &BriefRequest,
) -> Result<(), BriefError> {
    let (name, text) = match &req.claims {
        Some((n, t)) => (n.clone(), t.clone()),
        None if actor == "KAZ" && state == "AFG" => (
            crate::claims::BUNDLED_NAME.to_string(),
            crate::claims::BUNDLED.to_string(),
        ),
        None => return Ok(()),
    };
    let file = crate::claims::load(&name, &text, registry)?;
    let results = crate::claims::check(&file, db, acts, registry).await;
    let mut rows = Vec::new();
    for r in results {
        let evidence: Vec<String> = r
            .evidence
            .iter()
            .map(|e| {
                format!(
                    "{}: {}{}",
                    e.label,
                    e.observed,
                    if e.agrees { "" } else { " (disagrees)" }
                )
            })
            .collect();
        let refs = r
            .evidence
            .iter()
            .flat_map(|e| e.sources.clone())
            .collect::<Vec<_>>()
            .iter()
            .map(|s| doc.cite(s))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        rows.push((
            vec![
                r.text.clone(),
                r.verdict.as_str().to_string(),
                if evidence.is_empty() {
                    "no figure bears on it".into()
                } else {
                    evidence.join("; ")
                },
            ],
            refs,
        ));
    }
    doc.sections.push(Section {
        title: "Claims checked".into(),
        blocks: vec![Block::Table {
            headers: vec!["claim".into(), "verdict".into(), "evidence".into()],
            rows,
        }],
    });
    Ok(())
}
