//! The country–authority page: where one actor stands on a day, each dimension with the acts
//! behind it, the pair's whole timeline with every source linked, and the trade between the
//! actor and the authority's state as a chart with its figures and sources.

use axum::extract::State;
use dyad_brief::brief::{flow_name, usd};
use dyad_brief::figures::{pair_figures, rows, Cell, PairFigure};
use dyad_core::Act;
use dyad_view::ledger::{dimensions, timeline, ActIndex};
use maud::{html, Markup};

use super::{ended_notice, inline_svg, layout, level_badge, source_link, PageError, Segments};
use crate::error::ApiError;
use crate::params::{check_actor, find_authority, today, Params};
use crate::state::AppState;

/// `GET /pair/{actor}/{authority}?on=`.
pub async fn page(
    State(st): State<AppState>,
    Segments((actor, authority)): Segments<(String, String)>,
    p: Params,
) -> Result<Markup, PageError> {
    let snap = st.snapshot();
    let authority = find_authority(&snap.registry, &authority)?;
    check_actor(&snap.registry, &actor)?;
    let on = p.day("on")?.unwrap_or_else(today);
    let on_text = dyad_core::date::format_day(on);
    let acts = snap.acts_of(&authority.id);
    let stance = dyad_core::fold(&actor, authority, acts.iter(), on);
    let dimensions = dimensions(&stance, &ActIndex::new(acts.iter()));
    let timeline = timeline(&actor, authority, &acts);
    let name = snap.registry.name_of(&actor);
    let query = format!("actor={actor}&authority={}", authority.id);
    let mine: Vec<&Act> = acts.iter().filter(|a| a.actor == actor).collect();
    let trade = trade(&st, &actor, &authority.state).await;
    let trade = trade_section(&actor, name, &authority.state, &snap.registry, &mine, trade);

    let content = html! {
        h1 { (name) " and " (authority.name) }
        (ended_notice(authority, on))
        form.inline method="get" {
            label for="on" { "Date" }
            input #on type="date" name="on" value=(on_text) required;
            button type="submit" { "Show" }
        }
        p.summary {
            "On " (on_text) ": " (level_badge(stance.level, stance.level_uncertain))
            @if stance.level_uncertain {
                " — an act dated only to a month or year may already have changed this."
            }
        }
        h2 { "Dimensions" }
        table.dimensions {
            thead { tr { th { "Dimension" } th { "Value" } th { "Acts behind it" } } }
            tbody {
                @for d in &dimensions {
                    tr {
                        th scope="row" { (d.dimension) }
                        td { (d.value) @if d.uncertain { " (uncertain)" } }
                        td {
                            @if d.acts.is_empty() { "no act" } @else {
                            ul.cited {
                                @for c in &d.acts {
                                    li {
                                        (c.act.date) " " code { (c.act.act) }
                                        @if c.status == "pending" { " (pending: inside its date's period)" }
                                        " — " (source_link(c.act.source_url))
                                    }
                                }
                            }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Timeline" }
        @if timeline.is_empty() {
            p { "No act of " (name) " toward " (authority.id) " is in the ledger." }
        } @else {
            table.timeline {
                thead { tr { th { "Date" } th { "Act" } th { "Level after" } th { "What happened" } th { "Source" } } }
                tbody {
                    @for e in &timeline {
                        tr data-act=(e.act.id) class=[(e.act.date.start() > on).then_some("later")] {
                            td { time datetime=(e.act.date) { (e.act.date) } }
                            td { code { (e.act.act) } }
                            td { (level_badge(e.level_after, false)) }
                            td { (e.act.detail) }
                            td { (source_link(e.act.source_url)) }
                        }
                    }
                }
            }
        }
        p { "As data: "
            a href={ "/api/why?" (query) "&on=" (on_text) } { "why (JSON)" } ", "
            a href={ "/api/timeline?" (query) } { "timeline (JSON)" } ", "
            a href={ "/api/timeline?" (query) "&format=csv" } { "timeline (CSV)" } "." }
        (trade)
        p.brief-link {
            a #brief-link href={ "/brief/" (actor) "/" (authority.id) "?on=" (on_text) } {
                "One-page brief on " (name) " and " (authority.id)
            }
            " — stance, timeline, peers, trade, product mix, event study and claims checked, with every source numbered."
        }
        p { a href={ "/?authority=" (authority.id) "&on=" (on_text) } { "Back to the map" } }
    };
    Ok(layout(&format!("{actor} and {}", authority.id), content))
}

/// The trade figures of a pair and the releases of the data sets among them.
struct Trade {
    /// Every figure, both directions, each as its source gives it.
    figures: Vec<PairFigure>,
    /// BACI and Comtrade releases behind figures without a URL of their own.
    releases: Vec<String>,
    /// Rows in the trade store (0: only the bundled reported figures).
    store_rows: u64,
}

/// Reads the pair's figures with the same query as `dyad trade series` and `dyad brief`.
async fn trade(st: &AppState, actor: &str, state: &str) -> Result<Trade, ApiError> {
    let (actor, state) = (actor.to_string(), state.to_string());
    st.with_trade(move |db| {
        let fail = |e: dyad_brief::BriefError| ApiError::internal(e.to_string());
        let figures = pair_figures(db, &actor, &state).map_err(fail)?;
        let releases = if figures.iter().any(|f| f.source_url.is_none()) {
            releases(db, &actor, &state).map_err(fail)?
        } else {
            Vec::new()
        };
        Ok(Trade {
            figures,
            releases,
            store_rows: db.store_rows(),
        })
    })
    .await
}

/// "CEPII BACI HS17, release V202401" for each data set holding figures of the pair.
fn releases(
    db: &dyad_trade::TradeDb,
    a: &str,
    b: &str,
) -> Result<Vec<String>, dyad_brief::BriefError> {
    let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let (a, b) = (q(&db.country(a)?), q(&db.country(b)?));
    let batches = db.sql(&format!(
        "SELECT DISTINCT source, classification, release FROM flows
         WHERE ((exporter = {a} AND importer = {b}) OR (exporter = {b} AND importer = {a}))
           AND source <> 'reported'
         ORDER BY source, classification, release"
    ))?;
    Ok(rows(&batches)?
        .iter()
        .map(|r| {
            let text = |k: &str| match r.get(k) {
                Some(Cell::Text(t)) => t.clone(),
                _ => String::new(),
            };
            let name = match text("source").as_str() {
                "baci" => "CEPII BACI".to_string(),
                "comtrade" => "UN Comtrade".to_string(),
                other => other.to_string(),
            };
            match text("release").as_str() {
                "" => format!("{name} {}", text("classification")),
                release => format!("{name} {}, release {release}", text("classification")),
            }
        })
        .collect())
}

/// The trade section: a chart of every figure by year (one line per direction, flow and
/// reporter, as in the brief), the figures with their sources, or a clear notice when there
/// are none.
fn trade_section(
    actor: &str,
    name: &str,
    state: &str,
    registry: &dyad_core::Registry,
    mine: &[&Act],
    trade: Result<Trade, ApiError>,
) -> Markup {
    let state_name = registry.name_of(state);
    let series = format!("/api/trade/series?a={actor}&b={state}");
    let body = match trade {
        Err(e) => {
            // The engine's message names files of the server: logged, not shown.
            eprintln!(
                "pair page {actor}/{state}: trade data could not be read: {}",
                e.message
            );
            html! {
                p.gap { strong { "Trade data could not be read on this server." } }
            }
        }
        Ok(t) if t.figures.is_empty() => html! {
            p.gap #no-trade {
                strong { "No trade data for this pair." }
                " dyad has no trade figure between " (actor) " and " (state) " in "
                @if t.store_rows == 0 { "the bundled reported figures (this server has no trade store)" }
                @else { "its trade store or the bundled reported figures" }
                ". Ingest BACI or UN Comtrade files with "
                code { "dyad trade ingest" } " to fill the gap."
            }
        },
        Ok(t) => {
            let chart = dyad_brief::brief::trade_chart(actor, state, &t.figures, mine);
            let alt = format!(
                "{name} ({actor}) and {state_name} ({state}): trade by year in USD million, one line per direction, flow and reporter, {actor}'s steps toward envoys or recognition marked"
            );
            let svg = chart.svg();
            let mut urls: Vec<&str> = t
                .figures
                .iter()
                .filter_map(|f| f.source_url.as_deref())
                .collect();
            urls.sort_unstable();
            urls.dedup();
            html! {
                p.note {
                    "Both directions, each figure as its source gives it: reporters disagree, and "
                    "their figures are shown side by side, never added up. A year without a figure "
                    "is a gap in its line, not a zero. The figures are for the state (" (state)
                    "), whoever governed it in that year."
                }
                @match svg.as_deref().ok().and_then(inline_svg) {
                    Some(svg) => figure.chart #trade-chart {
                        (svg)
                        figcaption { (alt) ". The figures and their sources are listed below." }
                    },
                    None => p.gap { strong { "The chart could not be drawn." } " The figures are listed below." },
                }
                details open[t.figures.len() <= 20] {
                    summary { "The " (t.figures.len()) " figures behind the chart" }
                    div.scroll {
                        table #trade-figures {
                            thead { tr {
                                th { "Year" } th { "Direction" } th { "Flow" } th { "Value" }
                                th { "Reported by" } th { "Source" }
                            } }
                            tbody {
                                @for f in &t.figures {
                                    tr data-year=(f.year) data-flow=(f.flow) data-value-usd=(f.value_usd) {
                                        td { (f.year) }
                                        td.nowrap {
                                            (f.exporter)
                                            // A turnover is both ways: no direction to show.
                                            @if f.flow == "T" { " ↔ " } @else { " → " }
                                            (f.importer)
                                        }
                                        td { (flow_name(&f.flow)) }
                                        td.num { (usd(f.value_usd)) }
                                        td { (f.provenance()) }
                                        td {
                                            @match &f.source_url {
                                                Some(url) => (source_link(url)),
                                                None => "see the releases below",
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                p.sources {
                    "Sources: "
                    @for (i, url) in urls.iter().enumerate() {
                        @if i > 0 { ", " }
                        (source_link(url))
                    }
                    @for (i, r) in t.releases.iter().enumerate() {
                        @if i > 0 || !urls.is_empty() { "; " }
                        (r)
                    }
                    "."
                }
            }
        }
    };
    html! {
        section #trade {
            h2 { "Trade between " (name) " and " (state_name) }
            (body)
            p { "As data: "
                a href=(series) { "trade series (JSON)" } ", "
                a href={ (series) "&format=csv" } { "trade series (CSV)" } "." }
        }
    }
}
