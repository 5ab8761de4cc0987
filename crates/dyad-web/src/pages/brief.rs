//! The brief page: `dyad brief ACTOR AUTHORITY` inside the site's layout, its sections and
//! sources rendered by `dyad_view::brief::content` as `dyad brief --out x.html` renders them.
//! Every table row links the numbered sources it cites; charts are inline SVG; missing data are
//! shown as a "Data gap" block saying what would fill it.

use axum::extract::State;
use maud::{html, Markup};

use super::{layout, PageError, Segments};
use crate::params::{today, Params};
use crate::state::AppState;

/// `GET /brief/{actor}/{authority}?on=`.
pub async fn page(
    State(st): State<AppState>,
    Segments((actor, authority)): Segments<(String, String)>,
    p: Params,
) -> Result<Markup, PageError> {
    p.only(&["on"])?;
    let on = p.day("on")?.unwrap_or_else(today);
    let on_text = dyad_core::date::format_day(on);
    let built = crate::brief::build(&st, &actor, &authority, on).await?;
    let doc = &built.doc;
    let query = format!(
        "actor={}&authority={}&on={on_text}",
        built.actor, built.authority
    );
    let pair = format!("/pair/{}/{}?on={on_text}", built.actor, built.authority);

    let content = html! {
        article.brief {
            h1 { (doc.title) }
            p.sub { (doc.subtitle) }
            form.inline method="get" {
                label for="on" { "Stance on" }
                input #on type="date" name="on" value=(on_text) required;
                button type="submit" { "Show" }
            }
            p {
                a href=(pair) { "Country–authority page" } " · As data: "
                a href={ "/api/brief?" (query) } { "JSON" } ", "
                a href={ "/api/brief?" (query) "&format=csv" } { "CSV" } "."
            }
            (dyad_view::brief::content(doc))
        }
    };
    Ok(layout(
        &format!("Brief: {} and {}", built.actor, built.authority),
        content,
    ))
}
