//! Read endpoints over the ledger: authorities, states, stances, why, timeline, diff, acts and
//! their history. Each answers JSON, or CSV with `?format=csv`.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use dyad_core::stance::Stance;
use serde::Serialize;

use crate::error::ApiError;
use crate::model::{self, ActOut, AuthorityOut, StanceOut};
use crate::params::{check_actor, today, Format, Params};
use crate::respond::{csv_body, csv_bytes, csv_response, json_bytes, json_response};
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

#[derive(Serialize)]
struct AuthoritiesOut<'a> {
    authorities: Vec<AuthorityOut<'a>>,
}

/// `GET /api/authorities`: every authority, in the format of an authorities file for CSV.
async fn authorities(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&[])?;
    let snap = st.snapshot();
    let list: Vec<AuthorityOut> = snap.registry.authorities().map(AuthorityOut::new).collect();
    match p.format()? {
        Format::Json => json_response(&AuthoritiesOut { authorities: list }),
        Format::Csv => csv_response(
            &[
                "id",
                "state",
                "name",
                "from",
                "until",
                "exile_from",
                "contests",
                "source_url",
                "note",
            ],
            list.iter().map(|a| {
                [
                    a.id.to_string(),
                    a.state.to_string(),
                    a.name.to_string(),
                    a.from.clone(),
                    a.until.clone().unwrap_or_default(),
                    a.exile_from.clone().unwrap_or_default(),
                    a.contests.join(" "),
                    a.source_url.to_string(),
                    a.note.to_string(),
                ]
            }),
        ),
    }
}

#[derive(Serialize)]
struct StatesOut<'a> {
    states: Vec<&'a dyad_core::State>,
}

/// `GET /api/states`: every state, territory and organisation with its codes.
async fn states(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&[])?;
    let snap = st.snapshot();
    let list: Vec<&dyad_core::State> = snap.registry.states().collect();
    match p.format()? {
        Format::Json => json_response(&StatesOut { states: list }),
        Format::Csv => csv_response(
            &["code", "numeric", "alpha2", "name", "un_status", "kind"],
            list.iter().map(|s| {
                [
                    s.code.clone(),
                    s.numeric.map(|n| format!("{n:03}")).unwrap_or_default(),
                    s.alpha2.clone().unwrap_or_default(),
                    s.name.clone(),
                    s.un_status.clone(),
                    match s.kind {
                        dyad_core::codes::Kind::State => "state",
                        dyad_core::codes::Kind::Territory => "territory",
                        dyad_core::codes::Kind::Organisation => "organisation",
                    }
                    .to_string(),
                ]
            }),
        ),
    }
}

/// The JSON of `/api/stance` and `/api/compare`.
#[derive(Serialize)]
struct StancesOut<'a> {
    authority: AuthorityOut<'a>,
    on: String,
    known_on: Option<String>,
    ended: Option<String>,
    stances: Vec<StanceOut<'a>>,
}

fn stances_response(
    registry: &dyad_core::Registry,
    authority: &dyad_core::Authority,
    on: time::Date,
    known_on: Option<time::Date>,
    stances: &[Stance],
    format: Format,
) -> Result<Response, ApiError> {
    match format {
        Format::Json => json_response(&StancesOut {
            authority: AuthorityOut::new(authority),
            on: dyad_core::date::format_day(on),
            known_on: known_on.map(dyad_core::date::format_day),
            ended: authority.ended_by(on).map(dyad_core::date::format_day),
            stances: stances
                .iter()
                .map(|s| StanceOut::new(s, registry))
                .collect(),
        }),
        Format::Csv => csv_response(
            &dyad_core::stance::STANCE_COLUMNS,
            stances.iter().map(|s| s.row(registry)),
        ),
    }
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
        return stances_response(&snap.registry, authority, on, known_on, &stances, format);
    }
    // The current ledger: the map's slider and the load benchmark hit this path, so the encoded
    // list is cached per period between act dates (see `Snapshot::cached_stances`).
    let list = snap.cached_stances(&authority.id, on, format == Format::Csv, || {
        let acts = snap.acts_of(&authority.id);
        let stances = dyad_core::fold_all(authority, acts.iter(), on);
        let out: Vec<StanceOut> = stances
            .iter()
            .map(|s| StanceOut::new(s, &snap.registry))
            .collect();
        match format {
            Format::Json => serde_json::to_vec(&out)
                .map(Bytes::from)
                .map_err(|e| ApiError::internal(format!("writing JSON: {e}"))),
            Format::Csv => csv_body(
                &dyad_core::stance::STANCE_COLUMNS,
                stances.iter().map(|s| s.row(&snap.registry)),
            )
            .map(Bytes::from),
        }
    })?;
    match format {
        Format::Csv => Ok(csv_bytes(list)),
        Format::Json => {
            // The same document as `StancesOut`, with the cached list spliced in.
            let head = StancesHead {
                authority: AuthorityOut::new(authority),
                on: dyad_core::date::format_day(on),
                known_on: None,
                ended: authority.ended_by(on).map(dyad_core::date::format_day),
            };
            let mut body = serde_json::to_vec(&head)
                .map_err(|e| ApiError::internal(format!("writing JSON: {e}")))?;
            body.pop(); // the closing brace
            body.reserve(list.len() + 16);
            body.extend_from_slice(b",\"stances\":");
            body.extend_from_slice(&list);
            body.push(b'}');
            Ok(json_bytes(body))
        }
    }
}

/// The fields of [`StancesOut`] before `stances`, in the same order.
#[derive(Serialize)]
struct StancesHead<'a> {
    authority: AuthorityOut<'a>,
    on: String,
    known_on: Option<String>,
    ended: Option<String>,
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
    stances_response(&snap.registry, authority, on, known_on, &stances, format)
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
    let (contest, _) = build_contest(&st, &snap.registry, state, on, known_on).await?;
    match format {
        Format::Json => json_response(&model::ContestOut::new(&contest, &snap.registry, known_on)),
        Format::Csv => {
            let columns = contest.columns();
            let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
            csv_response(
                &headers,
                contest
                    .rows
                    .iter()
                    .map(|r| contest.cells(r, &snap.registry)),
            )
        }
    }
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
            "no authority claims {state}; claimed states: {}",
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
            "no authority claiming {state} had begun by {}: {}",
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

#[derive(Serialize)]
struct WhyOut<'a> {
    actor: &'a str,
    actor_name: &'a str,
    authority: AuthorityOut<'a>,
    on: String,
    known_on: Option<String>,
    ended: Option<String>,
    level: u8,
    level_name: &'static str,
    level_uncertain: bool,
    level_acts: &'a [String],
    dimensions: Vec<model::DimensionOut<'a>>,
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
    let dimensions = model::dimensions(&stance, &acts);
    match format {
        Format::Json => json_response(&WhyOut {
            actor,
            actor_name: snap.registry.name_of(actor),
            authority: AuthorityOut::new(authority),
            on: dyad_core::date::format_day(on),
            known_on: known_on.map(dyad_core::date::format_day),
            ended: stance.ended.map(dyad_core::date::format_day),
            level: stance.level,
            level_name: stance.level_name(),
            level_uncertain: stance.level_uncertain,
            level_acts: stance.level_acts(),
            dimensions,
        }),
        Format::Csv => {
            let mut rows: Vec<Vec<String>> = Vec::new();
            for d in &dimensions {
                if d.acts.is_empty() {
                    rows.push(vec![
                        d.dimension.into(),
                        d.value.into(),
                        "no act".into(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]);
                }
                for c in &d.acts {
                    rows.push(vec![
                        d.dimension.into(),
                        d.value.into(),
                        c.status.into(),
                        c.act.id.into(),
                        c.act.date.to_string(),
                        c.act.act.into(),
                        c.act.detail.into(),
                        c.act.source_url.into(),
                    ]);
                }
            }
            csv_response(
                &[
                    "dimension",
                    "value",
                    "status",
                    "act_id",
                    "date",
                    "act",
                    "detail",
                    "source_url",
                ],
                rows,
            )
        }
    }
}

#[derive(Serialize)]
struct TimelineOut<'a> {
    actor: &'a str,
    actor_name: &'a str,
    authority: AuthorityOut<'a>,
    known_on: Option<String>,
    acts: Vec<model::TimelineEntry<'a>>,
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
    let entries = model::timeline(actor, authority, &acts);
    match format {
        Format::Json => json_response(&TimelineOut {
            actor,
            actor_name: snap.registry.name_of(actor),
            authority: AuthorityOut::new(authority),
            known_on: known_on.map(dyad_core::date::format_day),
            acts: entries,
        }),
        Format::Csv => csv_response(
            &[
                "date",
                "precision",
                "act",
                "level_after",
                "id",
                "detail",
                "source_url",
            ],
            entries.iter().map(|e| {
                [
                    e.act.date.to_string(),
                    e.act.precision.to_string(),
                    e.act.act.to_string(),
                    e.level_after.to_string(),
                    e.act.id.to_string(),
                    e.act.detail.to_string(),
                    e.act.source_url.to_string(),
                ]
            }),
        ),
    }
}

#[derive(Serialize)]
struct DiffOut<'a> {
    authority: AuthorityOut<'a>,
    from: String,
    to: String,
    known_on: Option<String>,
    changes: Vec<model::DiffRow<'a>>,
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
    let changes = model::diff(&snap.registry, authority, &acts, from, to);
    match format {
        Format::Json => json_response(&DiffOut {
            authority: AuthorityOut::new(authority),
            from: dyad_core::date::format_day(from),
            to: dyad_core::date::format_day(to),
            known_on: known_on.map(dyad_core::date::format_day),
            changes,
        }),
        Format::Csv => csv_response(
            &["actor", "name", "dimension", "from", "to", "acts"],
            changes.iter().map(|c| {
                [
                    c.actor.clone(),
                    c.actor_name.clone(),
                    c.dimension.to_string(),
                    c.from.clone(),
                    c.to.clone(),
                    c.acts.join(" "),
                ]
            }),
        ),
    }
}

#[derive(Serialize)]
struct ActsOut<'a> {
    known_on: Option<String>,
    acts: Vec<ActOut<'a>>,
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
    match format {
        Format::Json => json_response(&ActsOut {
            known_on: known_on.map(dyad_core::date::format_day),
            acts: acts.iter().map(ActOut::new).collect(),
        }),
        Format::Csv => {
            let mut out = Vec::new();
            dyad_core::acts_csv::write_acts(&mut out, &acts)
                .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
            Ok(csv_bytes(out))
        }
    }
}

#[derive(Serialize)]
struct HistoryOut {
    id: String,
    versions: Vec<dyad_ledger::ActVersion>,
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
    match format {
        Format::Json => json_response(&HistoryOut { id, versions }),
        Format::Csv => csv_response(
            &[
                "version",
                "recorded_at",
                "recorded_by",
                "reason",
                "superseded_at",
                "date",
                "actor",
                "counterpart",
                "act",
                "detail",
                "source_url",
            ],
            versions.iter().map(|v| {
                [
                    v.version.to_string(),
                    v.recorded_at.clone(),
                    v.recorded_by.clone(),
                    v.reason.clone(),
                    v.superseded_at.clone().unwrap_or_default(),
                    v.act.date.to_string(),
                    v.act.actor.clone(),
                    v.act.authority.clone(),
                    v.act.kind.to_string(),
                    v.act.detail.clone(),
                    v.act.source_url.clone(),
                ]
            }),
        ),
    }
}
