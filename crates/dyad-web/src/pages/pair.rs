//! The country–authority page: where one actor stands on a day, each dimension with the acts
//! behind it, and the pair's whole timeline with every source linked.

use axum::extract::{Path, State};
use maud::{html, Markup};

use super::{layout, level_badge, source_link, PageError};
use crate::model;
use crate::params::{check_actor, find_authority, today, Params};
use crate::state::AppState;

/// `GET /pair/{actor}/{authority}?on=`.
pub async fn page(
    State(st): State<AppState>,
    Path((actor, authority)): Path<(String, String)>,
    p: Params,
) -> Result<Markup, PageError> {
    let snap = st.snapshot();
    let authority = find_authority(&snap.registry, &authority)?;
    check_actor(&snap.registry, &actor)?;
    let on = p.day("on")?.unwrap_or_else(today);
    let on_text = dyad_core::date::format_day(on);
    let acts = snap.acts_of(&authority.id);
    let stance = dyad_core::fold(&actor, authority, acts.iter(), on);
    let dimensions = model::dimensions(&stance, &acts);
    let timeline = model::timeline(&actor, authority, &acts);
    let name = snap.registry.name_of(&actor);
    let query = format!("actor={actor}&authority={}", authority.id);

    let content = html! {
        h1 { (name) " and " (authority.name) }
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
        p { a href={ "/?authority=" (authority.id) "&on=" (on_text) } { "Back to the map" } }
    };
    Ok(layout(&format!("{actor} and {}", authority.id), content))
}
