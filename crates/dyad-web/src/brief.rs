//! Briefs for the API and the brief page: built by `dyad_brief::brief::build_from`, as
//! `dyad brief` builds them, from the server's snapshot of the ledger and its trade tables, then
//! written by `dyad_view::brief` as JSON and CSV (`api::brief`) or as HTML inside the site's
//! layout (`pages::brief`).

use std::sync::Arc;

use dyad_brief::brief::{build_from, BriefRequest};
use dyad_brief::doc::Doc;
use dyad_brief::figures::{pair_figures, PairFigure};
use time::Date;

use crate::error::ApiError;
use crate::params::{check_actor, find_authority};
use crate::state::{AppState, Snapshot};

/// A brief and the figures its trade section shows.
#[derive(Debug)]
pub struct Built {
    /// Actor code, as asked.
    pub actor: String,
    /// Authority id.
    pub authority: String,
    /// The day of the stance.
    pub on: Date,
    /// The document: sections of paragraphs, data gaps, tables and charts, and its sources.
    pub doc: Doc,
    /// Every trade figure between the actor and the authority's state, as the sources give them.
    pub figures: Vec<PairFigure>,
    /// The acts and registry the brief was built from, so that what is served with it agrees.
    pub snapshot: Arc<Snapshot>,
}

/// Builds the brief of `actor` toward `authority` on `on`. An unknown actor or authority is a
/// 404, as for `/api/why`.
pub async fn build(
    st: &AppState,
    actor: &str,
    authority: &str,
    on: Date,
) -> Result<Built, ApiError> {
    let snap = st.snapshot();
    let authority = find_authority(&snap.registry, authority)?;
    check_actor(&snap.registry, actor)?;
    let req = BriefRequest {
        actor: actor.to_string(),
        authority: authority.id.clone(),
        on,
        png: false,
        // `dyad brief` without --claims: the bundled claims where they concern the pair.
        claims: None,
    };
    // The server's home path is nobody's business.
    let label = if st.has_home() {
        "this server's ledger"
    } else {
        "the bundled dataset"
    };
    let state = authority.state.clone();
    // From the snapshot the pages read, not the ledger: a brief's trade queries take a while,
    // and curators' writes must not wait for them.
    let acts = snap.acts_of(&authority.id);
    st.with_trade(move |db| {
        let fail =
            |e: dyad_brief::BriefError| ApiError::internal(format!("building the brief: {e}"));
        let doc = build_from(&snap.registry, &acts, label, db, &req).map_err(fail)?;
        let figures = pair_figures(db, &req.actor, &state).map_err(fail)?;
        Ok(Built {
            actor: req.actor,
            authority: req.authority,
            on,
            doc,
            figures,
            snapshot: snap,
        })
    })
    .await
}
