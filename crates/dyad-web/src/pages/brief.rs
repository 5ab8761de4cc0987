//! The brief page: `dyad brief ACTOR AUTHORITY` inside the site's layout. Every table row
//! links the numbered sources it cites; charts are inline SVG; missing data are shown as a
//! "Data gap" block saying what would fill it.

use axum::extract::State;
use dyad_brief::doc::Block;
use maud::{html, Markup};

use super::{inline_svg, is_web_url, layout, PageError, Segments};
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
            @for s in &doc.sections {
                section {
                    h2 { (s.title) }
                    @for b in &s.blocks {
                        (block(b))
                    }
                }
            }
            section #sources {
                h2 { "Sources" }
                ol.sources {
                    @for (i, s) in doc.sources.iter().enumerate() {
                        li id={ "source-" (i + 1) } {
                            @if is_web_url(s) {
                                a href=(s) rel="noopener noreferrer nofollow" { (s) }
                            } @else { (s) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(
        &format!("Brief: {} and {}", built.actor, built.authority),
        content,
    ))
}

/// One block of a section.
fn block(b: &Block) -> Markup {
    match b {
        Block::Para(t) => html! { p { (t) } },
        Block::Gap(t) => html! { p.gap { strong { "Data gap." } " " (t) } },
        Block::Table { headers, rows } => html! {
            div.scroll {
                table.brief-table {
                    thead { tr {
                        @for h in headers { th { (h) } }
                        th { "sources" }
                    } }
                    tbody {
                        @for (cells, refs) in rows {
                            tr {
                                @for c in cells {
                                    td {
                                        @if is_web_url(c) {
                                            a href=(c) rel="noopener noreferrer nofollow" { (c) }
                                        } @else { (c) }
                                    }
                                }
                                td.refs {
                                    @for r in refs {
                                        a href={ "#source-" (r) } { "[" (r) "]" } " "
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
        Block::Chart { name, alt, svg, .. } => match inline_svg(svg) {
            Some(svg) => html! {
                figure.chart id={ "chart-" (name) } {
                    (svg)
                    figcaption { (alt) }
                }
            },
            None => html! {
                p.gap { strong { "Data gap." } " The chart “" (alt) "” could not be shown." }
            },
        },
    }
}
