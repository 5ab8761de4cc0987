//! The contest page: the rival governments of one state side by side, one row per actor with
//! its stance toward each and the acts behind it, and how many actors recognise each.

use std::collections::HashMap;

use axum::extract::State;
use dyad_core::Act;
use maud::{html, Markup};

use super::{ended_notice, layout, level_badge, source_link, PageError, Segments};
use crate::api::ledger::build_contest;
use crate::params::{check_actor, today, Params};
use crate::state::AppState;

/// `GET /contest/{state}?on=`.
pub async fn page(
    State(st): State<AppState>,
    Segments(state): Segments<String>,
    p: Params,
) -> Result<Markup, PageError> {
    let snap = st.snapshot();
    let state = state.to_ascii_uppercase();
    check_actor(&snap.registry, &state)?;
    let on = p.day("on")?.unwrap_or_else(today);
    let on_text = dyad_core::date::format_day(on);
    let (contest, acts) = build_contest(&st, &snap.registry, &state, on, None).await?;
    let by_id: HashMap<&str, &Act> = acts.iter().map(|a| (a.id.as_str(), a)).collect();
    let name = snap.registry.name_of(&state);
    let content = html! {
        h1 { "Who recognises whom: " (name) }
        p { "Every actor's stance on " (on_text) " toward each government claiming " (name)
            ", side by side. Each cell links to the acts behind it." }
        form.inline method="get" action={ "/contest/" (state) } {
            label for="on" { "Date" }
            input #on type="date" name="on" value=(on_text) required;
            button type="submit" { "Show" }
        }
        @for side in &contest.sides {
            @if side.ended.is_some() { (ended_notice(&side.authority, on)) }
        }
        section #summary aria-labelledby="summary-title" {
            h2 #summary-title { "Summary" }
            table {
                thead { tr { th { "Authority" } th { "Period" } th { "Recognised by" }
                             th { "Envoys received by" } th { "Own mission open in" } th { "Actors with acts" } } }
                tbody {
                    @for side in &contest.sides {
                        tr data-authority=(side.authority.id) {
                            td { a href={ "/?authority=" (side.authority.id) "&on=" (on_text) } {
                                (side.authority.name) " (" (side.authority.id) ")" }
                                @if side.in_exile { " · in exile" }
                                @if side.ended.is_some() { " · " strong { "ended" } } }
                            td { (side.authority.period()) }
                            td.recognised { (side.recognised_by) }
                            td { (side.envoys_received_by) }
                            td { (side.missions_open) }
                            td { (side.actors) }
                        }
                    }
                }
            }
            @if contest.recognise_several > 0 {
                p { (contest.recognise_several) " actors recognise more than one side on this day." }
            }
        }
        section #actors aria-labelledby="actors-title" {
            h2 #actors-title { "Actors" }
            table.contest {
                thead { tr {
                    th { "Actor" }
                    @for side in &contest.sides { th scope="col" { (side.authority.id) } }
                } }
                tbody {
                    @for row in &contest.rows {
                        tr data-code=(row.actor) {
                            td { (snap.registry.name_of(&row.actor)) " (" (row.actor) ")" }
                            @for (side, stance) in contest.sides.iter().zip(&row.stances) {
                                td data-authority=(side.authority.id) {
                                    @match stance {
                                        Some(s) => {
                                            a href={ "/pair/" (row.actor) "/" (side.authority.id) "?on=" (on_text) } {
                                                (level_badge(s.level, s.level_uncertain)) }
                                            div.dims { "recognition " (s.recognition.value.as_str())
                                                " · envoys " (s.envoys.value.as_str())
                                                " · mission " (s.mission.value.as_str()) }
                                            ul.acts {
                                                @for id in s.level_acts() {
                                                    @if let Some(a) = by_id.get(id.as_str()) {
                                                        li { (a.date.to_string()) " " (a.kind.as_str()) " "
                                                             (source_link(&a.source_url)) }
                                                    }
                                                }
                                            }
                                        }
                                        None => { span.none { "no act" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { "As data: "
                a href={ "/api/contest?state=" (state) "&on=" (on_text) } { "JSON" } ", "
                a href={ "/api/contest?state=" (state) "&on=" (on_text) "&format=csv" } { "CSV" } "." }
        }
    };
    Ok(layout(&format!("{state} contest on {on_text}"), content))
}
