//! `GET /api/brief`: the content of `dyad brief ACTOR AUTHORITY` as JSON (or CSV): the stance,
//! the trade figures with their sources, and the brief's sections (timeline, peers, trade,
//! products, partner shares, event study, mirror gap, claims with verdicts) with every table row
//! citing its numbered sources.

use axum::extract::State;
use axum::response::Response;
use dyad_view::brief::{BriefParts, BriefView};
use dyad_view::ledger::ActIndex;

use crate::brief;
use crate::error::ApiError;
use crate::params::{today, Params};
use crate::respond::answer;
use crate::state::AppState;

/// `GET /api/brief?actor=&authority=&on=`.
pub async fn brief(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["actor", "authority", "on"])?;
    let format = p.format()?;
    let on = p.day("on")?.unwrap_or_else(today);
    let built = brief::build(&st, p.required("actor")?, p.required("authority")?, on).await?;
    let snap = &built.snapshot;
    let authority = crate::params::find_authority(&snap.registry, &built.authority)?;
    // The stance from the same fold as the brief's first section, with its acts.
    let acts = snap.acts_of(&authority.id);
    let stance = dyad_core::fold(&built.actor, authority, acts.iter(), on);
    let index = ActIndex::new(acts.iter());
    let parts = BriefParts {
        registry: &snap.registry,
        authority,
        on,
        stance: &stance,
        figures: &built.figures,
    };
    answer(&BriefView::new(&built.doc, parts, &index), format)
}
