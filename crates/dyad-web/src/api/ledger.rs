//! Read endpoints over the ledger: authorities, states, stances, why, timeline, diff, acts and
//! their history. Each answers JSON, or CSV with `?format=csv`.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use dyad_core::stance::Stance;
use dyad_view::ledger::{
    ActIndex, ActsView, AuthoritiesView, ContestView, DiffView, HistoryView, StanceView,
    StancesView, StatesView, TimelineView, WhyView,
};

use crate::error::ApiError;
use crate::params::{check_actor, today, Format, Params};
use crate::respond::{answer, csv_bytes, failed, json_bytes};
use crate::state::AppState;

/// The read routes of the ledger area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/authorities", get(authorities))
        .route("/api/states", get(states))
        .route("/api/stance", get(stance))
        .route("/api/compare", get(compare))
        .route("/api/contest", get(contest))
        .route("/api/why", get(why))
        .route("/api/timeline", get(timeline))
        .route("/api/diff", get(diff))
        .route("/api/history", get(history))
}

/// `GET /api/authorities`: every authority, in the format of an authorities file for CSV.
async fn authorities(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&[])?;
    let snap = st.snapshot();
    answer(&AuthoritiesView::new(&snap.registry), p.format()?)
}

/// `GET /api/states`: every state, territory and organisation with its codes.
async fn states(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&[])?;
    let snap = st.snapshot();
    answer(&StatesView::new(&snap.registry), p.format()?)
}

/// The answer of `/api/stance` and `/api/compare`: the view of `dyad status` and `dyad compare`.
fn stances_response(
    registry: &dyad_core::Registry,
    authority: &dyad_core::Authority,
    on: time::Date,
    known_on: Option<time::Date>,
    stances: &[Stance],
    acts: &[dyad_core::Act],
    format: Format,
) -> Result<Response, ApiError> {
    let index = ActIndex::new(acts);
    let view = StancesView::new(registry, authority, on, known_on, stances, &index);
    answer(&view, format)
}

/// `GET /api/stance?authority=&on=&known_on=`: every actor with acts toward the authority.
async fn stance(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["authority", "on", "known_on"])?;
    let format = p.format()?;
    let snap = st.snapshot();
    let authority = p.authority(&snap.registry, "authority")?;
    let on = p.day("on")?.unwrap_or_else(today);
    let known_on = p.day("known_on")?;
    if known_on.is_some() {
        let acts = st.acts_of(&authority.id, known_on).await?;
        let stances = dyad_core::fold_all(authority, acts.iter(), on);
        return stances_response(
            &snap.registry,
            authority,
            on,
            known_on,
            &stances,
            &acts,
            format,
        );
    }
    // The current ledger: the map's slider and the load benchmark hit this path, so the encoded
    // list is cached per period between act dates (see `Snapshot::cached_stances`).
    let list = snap.cached_stances(&authority.id, on, format == Format::Csv, || {
        let acts = snap.acts_of(&authority.id);
        let stances = dyad_core::fold_all(authority, acts.iter(), on);
        let index = ActIndex::new(acts.iter());
        let views: Vec<StanceView> = stances
            .iter()
            .map(|s| StanceView::new(s, &snap.registry, &index))
            .collect();
        let bytes = match format {
            Format::Json => dyad_view::json_bytes(&views),
            Format::Csv => {
                let mut out = Vec::new();
                dyad_view::ledger::stance::stances_table(&views)
                    .write_csv(&mut out)
                    .map(|()| out)
            }
        };
        bytes.map(Bytes::from).map_err(failed)
    })?;
    match format {
        Format::Csv => Ok(csv_bytes(list)),
        Format::Json => {
            // The same document as the view, with the cached list spliced in.
            let head = StancesView::new(
                &snap.registry,
                authority,
                on,
                None,
                &[],
                &ActIndex::default(),
            );
            Ok(json_bytes(head.json_with_list(&list).map_err(failed)?))
        }
    }
}

/// `GET /api/compare?authority=&on=&actors=A,B`: chosen actors side by side, in the order
/// given, including those with no act (level 0).
async fn compare(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["authority", "on", "actors", "known_on"])?;
    let format = p.format()?;
    let snap = st.snapshot();
    let authority = p.authority(&snap.registry, "authority")?;
    let on = p.day("on")?.unwrap_or_else(today);
    let known_on = p.day("known_on")?;
    let actors = parse_actors(&snap.registry, p.required("actors")?)?;
    let acts = st.acts_of(&authority.id, known_on).await?;
    let stances: Vec<Stance> = actors
        .iter()
        .map(|a| dyad_core::fold(a, authority, acts.iter(), on))
        .collect();
    stances_response(
        &snap.registry,
        authority,
        on,
        known_on,
        &stances,
        &acts,
        format,
    )
}

/// `GET /api/contest?state=&on=&known_on=`: every actor's stance toward each authority
/// claiming the state, side by side, with how many actors recognise each (as `dyad contest`).
async fn contest(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["state", "on", "known_on"])?;
    let format = p.format()?;
    let snap = st.snapshot();
    let state = p.actor(&snap.registry, "state")?;
    let on = p.day("on")?.unwrap_or_else(today);
    let known_on = p.day("known_on")?;
    let (contest, acts) = build_contest(&st, &snap.registry, state, on, known_on).await?;
    let index = ActIndex::new(&acts);
    answer(
        &ContestView::new(&contest, &snap.registry, known_on, &index),
        format,
    )
}

/// The contest over `state` on `on`, with the acts it was folded from (toward every claimant).
/// A 404 when no authority claims the state or none had begun by the day.
pub async fn build_contest(
    st: &AppState,
    registry: &dyad_core::Registry,
    state: &str,
    on: time::Date,
    known_on: Option<time::Date>,
) -> Result<(dyad_core::contest::Contest, Vec<dyad_core::Act>), ApiError> {
    let claimants = registry.claimants(state);
    if claimants.is_empty() {
        return Err(ApiError::not_found(format!(
            "parameter `state`: no authority claims {state}; claimed states: {}",
            registry
                .authorities()
                .map(|a| a.state.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut acts = Vec::new();
    for a in &claimants {
        acts.extend(st.acts_of(&a.id, known_on).await?.iter().cloned());
    }
    let contest = dyad_core::contest::contest(registry, state, &acts, on).ok_or_else(|| {
        ApiError::not_found(format!(
            "parameter `on`: no authority claiming {state} had begun by {}: {}",
            dyad_core::date::format_day(on),
            claimants
                .iter()
                .map(|a| format!("{} from {}", a.id, dyad_core::date::format_day(a.from)))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    Ok((contest, acts))
}

/// Splits `KAZ,CHN RUS` into known actor codes, without repeats.
pub fn parse_actors(registry: &dyad_core::Registry, text: &str) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::new();
    for code in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
    {
        let code = code.to_ascii_uppercase();
        // Unknown is a 404, as for `actor`; the description's pattern rules out malformed codes.
        check_actor(registry, &code)
            .map_err(|e| ApiError::not_found(format!("parameter `actors`: {}", e.message)))?;
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(
            "parameter `actors`: give one or more actor codes, e.g. KAZ,CHN",
        ));
    }
    Ok(out)
}

/// `GET /api/why?actor=&authority=&on=`: each dimension with its acts and sources.
async fn why(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["actor", "authority", "on", "known_on"])?;
    let format = p.format()?;
    let snap = st.snapshot();
    let authority = p.authority(&snap.registry, "authority")?;
    let actor = p.actor(&snap.registry, "actor")?;
    let on = p.day("on")?.unwrap_or_else(today);
    let known_on = p.day("known_on")?;
    let acts = st.acts_of(&authority.id, known_on).await?;
    let stance = dyad_core::fold(actor, authority, acts.iter(), on);
    let index = ActIndex::new(acts.iter());
    answer(
        &WhyView::new(&stance, &snap.registry, authority, known_on, &index),
        format,
    )
}

/// `GET /api/timeline?actor=&authority=`: every act of the pair with the level after each.
async fn timeline(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["actor", "authority", "known_on"])?;
    let format = p.format()?;
    let snap = st.snapshot();
    let authority = p.authority(&snap.registry, "authority")?;
    let actor = p.actor(&snap.registry, "actor")?;
    let known_on = p.day("known_on")?;
    let acts = st.acts_of(&authority.id, known_on).await?;
    answer(
        &TimelineView::new(&snap.registry, actor, authority, &acts, known_on),
        format,
    )
}

/// `GET /api/diff?authority=&from=&to=`: who moved between two days.
async fn diff(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["authority", "from", "to", "known_on"])?;
    let format = p.format()?;
    let snap = st.snapshot();
    let authority = p.authority(&snap.registry, "authority")?;
    let from = p.required_day("from")?;
    let to = p.required_day("to")?;
    // Either order is a comparison of two days: the changes read from `from`'s stance to
    // `to`'s. (A rule that `from` come first cannot be put in the OpenAPI description, which
    // has no way to relate two parameters, so the API does not make one.)
    let known_on = p.day("known_on")?;
    let acts = st.acts_of(&authority.id, known_on).await?;
    answer(
        &DiffView::new(&snap.registry, authority, &acts, from, to, known_on),
        format,
    )
}

/// `GET /api/acts?authority=&actor=&known_on=`: the ledger's acts; CSV is the format that
/// `dyad import` and `POST /api/acts` read.
pub async fn list_acts(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["authority", "actor", "known_on"])?;
    let format = p.format()?;
    let snap = st.snapshot();
    let authority = p
        .get("authority")
        .map(|id| crate::params::find_authority(&snap.registry, id).map(|a| a.id.clone()))
        .transpose()?;
    let actor = p
        .get("actor")
        .map(|code| check_actor(&snap.registry, code).map(|()| code.to_string()))
        .transpose()?;
    let known_on = p.day("known_on")?;
    let acts: Vec<dyad_core::Act> = match (known_on, &authority) {
        (None, Some(id)) => snap
            .acts_of(id)
            .iter()
            .filter(|a| actor.as_ref().is_none_or(|x| &a.actor == x))
            .cloned()
            .collect(),
        _ => {
            let (authority, actor) = (authority.clone(), actor.clone());
            st.with_ledger(move |l| {
                l.acts(authority.as_deref(), actor.as_deref(), known_on)
                    .map_err(ApiError::from)
            })
            .await?
        }
    };
    answer(&ActsView::new(&acts, known_on), format)
}

/// `GET /api/history?id=`: every stored version of an act: who, when, why.
async fn history(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["id"])?;
    let format = p.format()?;
    let id = p.required("id")?.to_string();
    let versions = {
        let id = id.clone();
        st.with_ledger(move |l| l.history(&id).map_err(ApiError::from))
            .await?
    };
    if versions.is_empty() {
        return Err(ApiError::not_found(format!(
            "no act with id `{id}` (ids look like KAZ/AFG-IEA/2023-04-17/envoy_accepted)"
        )));
    }
    answer(
        &HistoryView {
            id: &id,
            versions: &versions,
        },
        format,
    )
}
