//! The map page: the world coloured by each state's summary level toward an authority on a
//! day, a date slider (recolouring in place through `/api/stance` when JavaScript runs, a plain
//! form submit when not), a legend, and the same answer as a list for screen readers.

use std::collections::HashMap;

use axum::extract::State;
use dyad_core::stance::Stance;
use maud::{html, Markup};

use super::{authority_select, default_authority, ended_notice, layout, level_badge, PageError};
use crate::error::ApiError;
use crate::params::{find_authority, today, Params};
use crate::state::AppState;
use crate::world::world;

/// `GET /?authority=&on=`.
pub async fn page(State(st): State<AppState>, p: Params) -> Result<Markup, PageError> {
    let snap = st.snapshot();
    let id = match p.get("authority") {
        Some(id) => id,
        None => default_authority(&snap.registry)
            .ok_or_else(|| ApiError::not_found("the ledger has no authority to show"))?,
    };
    let authority = find_authority(&snap.registry, id)?;
    let on = p.day("on")?.unwrap_or_else(today);
    let acts = snap.acts_of(&authority.id);
    let stances = dyad_core::fold_all(authority, acts.iter(), on);
    let by_actor: HashMap<&str, &Stance> = stances.iter().map(|s| (s.actor.as_str(), s)).collect();
    let on_text = dyad_core::date::format_day(on);
    let last = authority.until.unwrap_or_else(today).max(authority.from);
    let span = (last - authority.from).whole_days();
    let slider = (on - authority.from).whole_days().clamp(0, span);
    let w = world();

    let mut listed: Vec<&Stance> = stances.iter().collect();
    listed.sort_by(|a, b| {
        b.level.cmp(&a.level).then_with(|| {
            snap.registry
                .name_of(&a.actor)
                .cmp(snap.registry.name_of(&b.actor))
        })
    });

    let content = html! {
        h1 { "How states deal with " (authority.name) }
        (ended_notice(authority, on))
        p.contest-link {
            a href={ "/contest/" (authority.state) "?on=" (on_text) } {
                "Who recognises whom: every government claiming " (snap.registry.name_of(&authority.state)) ", side by side" }
        }
        form #controls method="get" action="/" data-start=(dyad_core::date::format_day(authority.from)) {
            (authority_select(&snap.registry, &authority.id))
            label for="on" { "Date" }
            input #on type="date" name="on" value=(on_text)
                min=(dyad_core::date::format_day(authority.from))
                max=(dyad_core::date::format_day(last)) required;
            input #day type="range" min="0" max=(span) value=(slider) step="1"
                aria-label="Date slider: days since the authority began";
            button type="submit" { "Show" }
        }
        p #status aria-live="polite" {
            (stances.len()) " actors with acts toward " (authority.id) " on " (on_text) "."
            @if let Some(until) = authority.ended_by(on) {
                " " (authority.id) " had ended: its last day was " (dyad_core::date::format_day(until)) "."
            }
        }
        figure.map {
            svg #map viewBox={ "0 0 " (w.width) " " (w.height) } role="img"
                aria-label={ "World map of stances toward " (authority.id) "; the list below gives the same" }
                data-authority=(authority.id) data-home=(authority.state) {
                path.sphere d=(w.sphere) {}
                @for c in &w.countries {
                    @match &c.code {
                        Some(code) => {
                            @let s = by_actor.get(code.as_str());
                            @let home = *code == authority.state;
                            a href={ "/pair/" (code) "/" (authority.id) "?on=" (on_text) }
                                data-code=(code) data-name=(c.name) {
                                path #{ "c-" (code) } class=(classes(s.copied(), home)) d=(c.d) {
                                    title { (c.name) ": " (describe(s.copied(), home)) }
                                }
                            }
                        }
                        None => {
                            path.c.unlisted d=(c.d) { title { (c.name) ": not listed by dyad" } }
                        }
                    }
                }
            }
            figcaption {
                ul.legend aria-label="Legend" {
                    @for (level, name) in super::levels().collect::<Vec<_>>().into_iter().rev() {
                        li { span class={ "swatch l" (level) } {} (level) " · " (name) }
                    }
                    li { span.swatch.nodata {} "no act recorded" }
                    li { span.swatch.home {} "the state the authority claims" }
                    li { span.swatch.uncertain-key {} "dashed: an act dated only to a month or year may have changed it" }
                }
            }
        }
        section #list aria-labelledby="list-title" {
            h2 #list-title { "Actors with acts, by level" }
            table {
                thead { tr { th { "Actor" } th { "Level" } th { "Recognition" } th { "Envoys" } th { "Mission" } } }
                tbody #list-body {
                    @for s in &listed {
                        tr data-code=(s.actor) {
                            td { a href={ "/pair/" (s.actor) "/" (authority.id) "?on=" (on_text) } {
                                (snap.registry.name_of(&s.actor)) " (" (s.actor) ")" } }
                            td { (level_badge(s.level, s.level_uncertain)) }
                            td { (s.recognition.value.as_str()) }
                            td { (s.envoys.value.as_str()) }
                            td { (s.mission.value.as_str()) }
                        }
                    }
                }
            }
            p { "As data: "
                a href={ "/api/stance?authority=" (authority.id) "&on=" (on_text) } { "JSON" } ", "
                a href={ "/api/stance?authority=" (authority.id) "&on=" (on_text) "&format=csv" } { "CSV" } "." }
        }
    };
    Ok(layout(&format!("{} on {on_text}", authority.id), content))
}

/// The classes of a country's path: its level (or no data), the claimed state, uncertainty.
/// `static/app.js` builds the same classes when it recolours.
fn classes(s: Option<&Stance>, home: bool) -> String {
    let mut out = String::from("c ");
    match s {
        Some(s) => {
            out.push_str(&super::level_class(s.level));
            if s.level_uncertain {
                out.push_str(" uncertain");
            }
        }
        None if home => out.push_str("home"),
        None => out.push_str("nodata"),
    }
    out
}

/// A country's hover text after its name.
fn describe(s: Option<&Stance>, home: bool) -> String {
    match s {
        Some(s) => format!(
            "level {}{}, {}",
            s.level,
            if s.level_uncertain { "?" } else { "" },
            s.level_name()
        ),
        None if home => "the state the authority claims".to_string(),
        None => "no act recorded".to_string(),
    }
}
