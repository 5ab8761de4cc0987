//! Server-rendered HTML pages, one module per page. Pages use `maud`, which escapes every
//! interpolated value unless explicitly told not to, so text from the ledger (an act's detail,
//! a source URL) can never inject markup. Pages work without JavaScript; `static/app.js` only
//! makes the map's date slider recolour in place.
//!
//! Trade and brief pages get their own modules here when their stores land.

pub mod compare;
pub mod diff;
pub mod map;
pub mod pair;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, DOCTYPE};

use crate::error::ApiError;
use crate::state::AppState;

/// The page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(map::page))
        .route("/pair/{actor}/{authority}", get(pair::page))
        .route("/compare", get(compare::page))
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
        let title = self.0.status.canonical_reason().unwrap_or("Error");
        let body = layout(
            title,
            html! {
                h1 { (title) }
                p.error { (self.0.message) }
                @if !self.0.problems.is_empty() {
                    ul { @for p in &self.0.problems { li { (p) } } }
                }
                p { a href="/" { "Back to the map" } }
            },
        );
        (self.0.status, body).into_response()
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

/// A `<select>` of the authorities.
pub fn authority_select(registry: &dyad_core::Registry, chosen: &str) -> Markup {
    html! {
        label for="authority" { "Authority" }
        select #authority name="authority" {
            @for a in registry.authorities() {
                option value=(a.id) selected[a.id == chosen] { (a.id) " — " (a.name) }
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
