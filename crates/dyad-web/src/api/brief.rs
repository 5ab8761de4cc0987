//! `GET /api/brief`: the content of `dyad brief ACTOR AUTHORITY` as JSON (or CSV): the stance,
//! the trade figures with their sources, and the brief's sections (timeline, peers, trade,
//! products, partner shares, event study, mirror gap, claims with verdicts) with every table row
//! citing its numbered sources.

use axum::extract::State;
use axum::response::Response;
use dyad_brief::figures::PairFigure;
use serde::Serialize;

use crate::brief::{self, SectionOut, SourceOut};
use crate::error::ApiError;
use crate::model::{AuthorityOut, StanceOut};
use crate::params::{today, Format, Params};
use crate::respond::{csv_response, json_response};
use crate::state::AppState;

#[derive(Serialize)]
struct BriefOut<'a> {
    actor: &'a str,
    actor_name: &'a str,
    authority: AuthorityOut<'a>,
    on: String,
    title: &'a str,
    subtitle: &'a str,
    stance: StanceOut<'a>,
    figures: &'a [PairFigure],
    sections: Vec<SectionOut<'a>>,
    sources: Vec<SourceOut<'a>>,
}

/// `GET /api/brief?actor=&authority=&on=`.
pub async fn brief(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["actor", "authority", "on"])?;
    let format = p.format()?;
    let on = p.day("on")?.unwrap_or_else(today);
    let built = brief::build(&st, p.required("actor")?, p.required("authority")?, on).await?;
    match format {
        Format::Csv => csv_response(&brief::CSV_COLUMNS, brief::csv_rows(&built.doc)),
        Format::Json => {
            let snap = &built.snapshot;
            let authority = crate::params::find_authority(&snap.registry, &built.authority)?;
            // The stance from the same fold as the brief's first section, with its acts.
            let acts = snap.acts_of(&authority.id);
            let stance = dyad_core::fold(&built.actor, authority, acts.iter(), on);
            json_response(&BriefOut {
                actor: &built.actor,
                actor_name: snap.registry.name_of(&built.actor),
                authority: AuthorityOut::new(authority),
                on: dyad_core::date::format_day(on),
                title: &built.doc.title,
                subtitle: &built.doc.subtitle,
                stance: StanceOut::new(&stance, &snap.registry),
                figures: &built.figures,
                sections: brief::sections(&built.doc),
                sources: brief::sources(&built.doc),
            })
        }
    }
}
