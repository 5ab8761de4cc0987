//! The compare page: chosen actors side by side on one day.

use axum::extract::State;
use maud::{html, Markup};

use super::{authority_select, default_authority, ended_notice, layout, level_badge, PageError};
use crate::api::ledger::parse_actors;
use crate::error::ApiError;
use crate::params::{find_authority, today, Params};
use crate::state::AppState;

/// `GET /compare?authority=&on=&actors=`.
pub async fn page(State(st): State<AppState>, p: Params) -> Result<Markup, PageError> {
    let snap = st.snapshot();
    let id = match p.get("authority") {
        Some(id) => id,
        None => default_authority(&snap.registry)
            .ok_or_else(|| ApiError::not_found("the ledger has no authority to show"))?,
    };
    let authority = find_authority(&snap.registry, id)?;
    let on = p.day("on")?.unwrap_or_else(today);
    let on_text = dyad_core::date::format_day(on);
    let actors = match p.get("actors") {
        Some(text) => parse_actors(&snap.registry, text)?,
        None => Vec::new(),
    };
    let acts = snap.acts_of(&authority.id);
    let stances: Vec<_> = actors
        .iter()
        .map(|a| dyad_core::fold(a, authority, acts.iter(), on))
        .collect();
    let content = html! {
        h1 { "Compare actors toward " (authority.name) }
        (ended_notice(authority, on))
        form.inline method="get" action="/compare" {
            (authority_select(&snap.registry, &authority.id))
            label for="on" { "Date" }
            input #on type="date" name="on" value=(on_text) required;
            label for="actors" { "Actors (ISO alpha-3, separated by commas)" }
            input #actors type="text" name="actors" value=(actors.join(",")) required;
            button type="submit" { "Compare" }
        }
        @if !stances.is_empty() {
            table {
                thead { tr { th { "Actor" } th { "Level" } th { "Recognition" } th { "Envoys" }
                             th { "Mission" } th { "Designation" } } }
                tbody {
                    @for s in &stances {
                        tr {
                            td { a href={ "/pair/" (s.actor) "/" (authority.id) "?on=" (on_text) } {
                                (snap.registry.name_of(&s.actor)) " (" (s.actor) ")" } }
                            td { (level_badge(s.level, s.level_uncertain)) }
                            td { (s.recognition.value.as_str()) }
                            td { (s.envoys.value.as_str()) }
                            td { (s.mission.value.as_str()) }
                            td { (s.designation.value.as_str()) }
                        }
                    }
                }
            }
            p { "As data: "
                a href={ "/api/compare?authority=" (authority.id) "&on=" (on_text) "&actors=" (actors.join(",")) } { "JSON" } "." }
        }
    };
    Ok(layout("Compare", content))
}
