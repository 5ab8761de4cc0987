//! The diff page: who moved between two days, dimension by dimension.

use axum::extract::State;
use dyad_view::ledger::DiffView;
use maud::{html, Markup};

use super::{authority_select, default_authority, layout, PageError};
use crate::error::ApiError;
use crate::params::{find_authority, Params};
use crate::state::AppState;

/// `GET /diff?authority=&from=&to=`.
pub async fn page(State(st): State<AppState>, p: Params) -> Result<Markup, PageError> {
    let snap = st.snapshot();
    let id = match p.get("authority") {
        Some(id) => id,
        None => default_authority(&snap.registry)
            .ok_or_else(|| ApiError::not_found("the ledger has no authority to show"))?,
    };
    let authority = find_authority(&snap.registry, id)?;
    let from = p.day("from")?;
    let to = p.day("to")?;
    let acts = snap.acts_of(&authority.id);
    let changes = match (from, to) {
        (Some(f), Some(t)) => {
            Some(DiffView::new(&snap.registry, authority, &acts, f, t, None).changes)
        }
        _ => None,
    };
    let day = |d: Option<time::Date>| d.map(dyad_core::date::format_day).unwrap_or_default();
    let content = html! {
        h1 { "What changed toward " (authority.name) }
        form.inline method="get" action="/diff" {
            (authority_select(&snap.registry, &authority.id))
            label for="from" { "From" }
            input #from type="date" name="from" value=(day(from)) required;
            label for="to" { "To" }
            input #to type="date" name="to" value=(day(to)) required;
            button type="submit" { "Show changes" }
        }
        @if let Some(changes) = &changes {
            @if changes.is_empty() {
                p { "No actor moved between " (day(from)) " and " (day(to)) "." }
            } @else {
                table {
                    thead { tr { th { "Actor" } th { "Dimension" } th { "From" } th { "To" } th { "Acts" } } }
                    tbody {
                        @for c in changes {
                            tr {
                                td { a href={ "/pair/" (c.actor) "/" (authority.id) "?on=" (day(to)) } {
                                    (c.actor_name) " (" (c.actor) ")" } }
                                td { (c.dimension) }
                                td { (c.from) }
                                td { (c.to) }
                                td { @for a in &c.acts { code { (a) } " " } }
                            }
                        }
                    }
                }
                p { "As data: "
                    a href={ "/api/diff?authority=" (authority.id) "&from=" (day(from)) "&to=" (day(to)) } { "JSON" } ", "
                    a href={ "/api/diff?authority=" (authority.id) "&from=" (day(from)) "&to=" (day(to)) "&format=csv" } { "CSV" } "." }
            }
        }
    };
    Ok(layout("Diff", content))
}
