//! Server-rendered HTML pages, one module per page. Pages use `maud`, which escapes every
//! interpolated value unless explicitly told not to, so text from the ledger (an act's detail,
//! a source URL) can never inject markup. Pages work without JavaScript; `static/app.js` only
//! makes the map's date slider recolour in place.
//!
//! Charts are SVG drawn on the server by `dyad-viz` and inserted as markup, the one place where
//! pages insert markup they did not write with maud: [`inline_svg`] (from `dyad_view::svg`,
//! which briefs use too) checks it first.

pub mod brief;
pub mod compare;
pub mod contest;
pub mod diff;
pub mod map;
pub mod pair;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, DOCTYPE};

pub use dyad_view::svg::{inline_svg, is_web_url};

use crate::error::ApiError;
use crate::state::AppState;

/// The page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(map::page))
        .route("/pair/{actor}/{authority}", get(pair::page))
        .route("/brief/{actor}/{authority}", get(brief::page))
        .route("/compare", get(compare::page))
        .route("/contest/{state}", get(contest::page))
        .route("/diff", get(diff::page))
}

/// An error shown as a page, with the status of the underlying [`ApiError`].
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let error = self.0.for_client();
        let title = error.status.canonical_reason().unwrap_or("Error");
        let body = layout(
            title,
            html! {
                h1 { (title) }
                p.error { (error.message) }
                @if !error.problems.is_empty() {
                    ul { @for p in &error.problems { li { (p) } } }
                }
                p { a href="/" { "Back to the map" } }
            },
        );
        let mut response = (error.status, body).into_response();
        if error.status == StatusCode::SERVICE_UNAVAILABLE {
            // As the API's answer: the query gate was full (see `crate::limit`).
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}

/// A page's path segments, as axum's `Path`, but a segment that does not decode (percent-escaped
/// bytes that are not UTF-8) is answered with an error page rather than axum's plain-text
/// rejection, like every other refusal of a page.
#[derive(Debug)]
pub struct Segments<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Segments<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| Segments(t))
            .map_err(|e| {
                PageError(ApiError::bad_request(format!(
                    "malformed path {}: {}",
                    parts.uri.path(),
                    e.body_text()
                )))
            })
    }
}

/// The answer for an unknown page.
pub async fn not_found(uri: axum::http::Uri) -> PageError {
    PageError(ApiError::new(
        StatusCode::NOT_FOUND,
        format!("there is no page at {}", uri.path()),
    ))
}

/// The frame of every page: head, navigation, and the content.
pub fn layout(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · dyad" }
                link rel="stylesheet" href="/static/style.css";
                script src="/static/app.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "dyad" }
                    nav aria-label="Main" {
                        a href="/" { "Map" }
                        a href="/compare" { "Compare" }
                        a href="/diff" { "Diff" }
                        a href="/api/openapi.json" { "API" }
                    }
                }
                main { (content) }
                footer {
                    "Every fact has a source. Data: the dyad ledger; map: Natural Earth (public domain)."
                }
            }
        }
    }
}

/// The levels and their names, for legends.
pub fn levels() -> impl Iterator<Item = (u8, &'static str)> {
    dyad_core::stance::LEVEL_NAMES
        .iter()
        .enumerate()
        .map(|(i, n)| (i as u8, *n))
}

/// CSS class of a summary level.
pub fn level_class(level: u8) -> String {
    format!("l{level}")
}

/// A coloured level badge: `3 · envoys received below ambassador rank`.
pub fn level_badge(level: u8, uncertain: bool) -> Markup {
    let name = dyad_core::stance::LEVEL_NAMES[usize::from(level)];
    html! {
        span class={ "badge " (level_class(level)) } {
            (level) @if uncertain { "?" } " · " (name)
        }
    }
}

/// A source link: opens the page without telling it where the reader came from.
pub fn source_link(url: &str) -> Markup {
    html! { a.source href=(url) rel="noopener noreferrer nofollow" { (host(url)) } }
}

/// The host of a URL, as link text (`eurasianet.org`).
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// A `<select>` of the authorities, each with its period (which `static/app.js` uses to keep
/// the chosen date inside the period of a newly picked authority).
pub fn authority_select(registry: &dyad_core::Registry, chosen: &str) -> Markup {
    html! {
        label for="authority" { "Authority" }
        select #authority name="authority" {
            @for a in registry.authorities() {
                option value=(a.id) selected[a.id == chosen]
                    data-from=(dyad_core::date::format_day(a.from))
                    data-until=[a.until.map(dyad_core::date::format_day)] {
                    (a.id) " — " (a.name) " (" (a.period()) ")"
                }
            }
        }
    }
}

/// What a page says when asked about an authority after its end, or before its start: the
/// stances shown are what its acts left behind, not current ones.
pub fn ended_notice(authority: &dyad_core::Authority, on: time::Date) -> Markup {
    let on_text = dyad_core::date::format_day(on);
    html! {
        @if let Some(until) = authority.ended_by(on) {
            p.notice.ended role="status" {
                strong { (authority.name) " (" (authority.id) ") had ended by " (on_text) }
                ": its last day was " (dyad_core::date::format_day(until)) " (" (authority.period())
                "). What is shown is what its acts left behind, not a current stance."
            }
        } @else if on < authority.from {
            p.notice.ended role="status" {
                strong { (authority.name) " (" (authority.id) ") had not begun by " (on_text) }
                ": its first day was " (dyad_core::date::format_day(authority.from)) "."
            }
        }
    }
}

/// The authority shown when none is asked for: the one the bundled dataset is about, when the
/// ledger knows it, else the first.
pub fn default_authority(registry: &dyad_core::Registry) -> Option<&str> {
    registry
        .authority("AFG-IEA")
        .or_else(|| registry.authorities().next())
        .map(|a| a.id.as_str())
}
