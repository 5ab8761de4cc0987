//! Briefs (`dyad_brief::doc::Doc`) in every form: HTML written with maud (one path for `dyad
//! brief --out x.html` and the web's brief page), Markdown, and the JSON and CSV of
//! `/api/brief`.
//!
//! maud escapes every interpolated value, so text from the ledger or a trade file (an act's
//! detail, a reporter's name) can never inject markup; a chart's SVG is inserted only after
//! [`crate::svg::inline_svg`] has checked it. Every table row links the numbered sources it
//! cites.

use dyad_brief::doc::{Block, Doc};
use dyad_brief::figures::PairFigure;
use dyad_core::stance::Stance;
use dyad_core::{Authority, Registry};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Serialize;
use time::Date;

use crate::ledger::{day, ActIndex, AuthorityView, StanceView};
use crate::svg::{inline_svg, is_web_url};
use crate::{Table, View, ViewError};

/// The brief's sections and its numbered sources, as HTML: what the web's brief page shows
/// inside the site and [`html_page`] inside a page of its own.
pub fn content(doc: &Doc) -> Markup {
    html! {
        @for s in &doc.sections {
            section {
                h2 { (s.title) }
                @for b in &s.blocks {
                    (block(b))
                }
            }
        }
        section {
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

/// The style of a brief written as a page of its own (the web's pages have the site's sheet).
const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #ccc;margin-top:2rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.gap{background:#fff4e0;border-left:4px solid #e69f00;padding:.4rem .8rem}
.chart svg{max-width:100%;height:auto}.sources li{word-break:break-all;font-size:.85rem}.sub{color:#555}";

/// One self-contained HTML page (charts inline as SVG, no external resources): `dyad brief
/// --out x.html`.
pub fn html_page(doc: &Doc) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (doc.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (doc.title) }
                p.sub { (doc.subtitle) }
                (content(doc))
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

fn md_cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\n', " ")
}

/// Markdown; charts are referenced as `{stem}-{name}.svg` beside the file.
pub fn markdown(doc: &Doc, stem: &str) -> String {
    let mut out = format!("# {}\n\n{}\n", doc.title, doc.subtitle);
    for s in &doc.sections {
        out.push_str(&format!("\n## {}\n\n", s.title));
        for b in &s.blocks {
            match b {
                Block::Para(t) => out.push_str(&format!("{t}\n\n")),
                Block::Gap(t) => out.push_str(&format!("> **Data gap.** {t}\n\n")),
                Block::Table { headers, rows } => {
                    out.push_str(&format!(
                        "| {} | sources |\n",
                        headers
                            .iter()
                            .map(|h| md_cell(h))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ));
                    out.push_str(&format!("|{}---|\n", "---|".repeat(headers.len())));
                    for (cells, refs) in rows {
                        let refs: Vec<String> =
                            refs.iter().map(|r| format!("[{r}](#source-{r})")).collect();
                        out.push_str(&format!(
                            "| {} | {} |\n",
                            cells
                                .iter()
                                .map(|c| md_cell(c))
                                .collect::<Vec<_>>()
                                .join(" | "),
                            refs.join(" ")
                        ));
                    }
                    out.push('\n');
                }
                Block::Chart { name, alt, .. } => {
                    out.push_str(&format!("![{}]({stem}-{name}.svg)\n\n", md_cell(alt)))
                }
            }
        }
    }
    out.push_str("\n## Sources\n\n");
    for (i, s) in doc.sources.iter().enumerate() {
        let n = i + 1;
        if is_web_url(s) {
            out.push_str(&format!("{n}. <a id=\"source-{n}\"></a><{s}>\n"));
        } else {
            out.push_str(&format!("{n}. <a id=\"source-{n}\"></a>{s}\n"));
        }
    }
    out
}

/// One block of a section, as JSON gives it.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockView<'a> {
    /// Plain text.
    Paragraph {
        /// The text.
        text: &'a str,
    },
    /// Data that are missing, and what would fill the gap.
    Gap {
        /// The notice.
        text: &'a str,
    },
    /// A table whose rows cite sources by number.
    Table {
        /// Column names.
        headers: &'a [String],
        /// The rows.
        rows: Vec<RowView<'a>>,
    },
    /// A chart, as an SVG document.
    Chart {
        /// Short name (`trade`, `products`).
        name: &'a str,
        /// Text alternative.
        alt: &'a str,
        /// The SVG document.
        svg: &'a str,
    },
}

/// A table row with the numbers of its sources (see [`SourceView`]).
#[derive(Debug, Serialize)]
pub struct RowView<'a> {
    /// Cells, in the order of the headers.
    pub cells: &'a [String],
    /// Numbers of the sources the row's figures come from.
    pub sources: &'a [usize],
}

/// A titled section.
#[derive(Debug, Serialize)]
pub struct SectionView<'a> {
    /// Heading.
    pub title: &'a str,
    /// Content, in order.
    pub blocks: Vec<BlockView<'a>>,
}

/// A numbered source: a URL, or a named data set (`CEPII BACI (reconciled mirror flows)`).
#[derive(Debug, Serialize)]
pub struct SourceView<'a> {
    /// The number rows cite.
    pub number: usize,
    /// The URL or name.
    pub source: &'a str,
}

/// The sections of a brief, for JSON.
pub fn sections(doc: &Doc) -> Vec<SectionView<'_>> {
    doc.sections
        .iter()
        .map(|s| SectionView {
            title: &s.title,
            blocks: s
                .blocks
                .iter()
                .map(|b| match b {
                    Block::Para(t) => BlockView::Paragraph { text: t },
                    Block::Gap(t) => BlockView::Gap { text: t },
                    Block::Table { headers, rows } => BlockView::Table {
                        headers,
                        rows: rows
                            .iter()
                            .map(|(cells, sources)| RowView { cells, sources })
                            .collect(),
                    },
                    Block::Chart { name, alt, svg, .. } => BlockView::Chart { name, alt, svg },
                })
                .collect(),
        })
        .collect()
}

/// The numbered sources, for JSON.
pub fn sources(doc: &Doc) -> Vec<SourceView<'_>> {
    doc.sources
        .iter()
        .enumerate()
        .map(|(i, s)| SourceView {
            number: i + 1,
            source: s,
        })
        .collect()
}

/// Columns of a brief as CSV: one line per table cell, paragraph, gap, chart and source.
pub const CSV_COLUMNS: [&str; 7] = [
    "section", "block", "kind", "row", "column", "value", "sources",
];

/// A brief as a long table of [`CSV_COLUMNS`] (the brief's tables have different columns).
/// Charts are given by their text alternative; their data are the table beside them.
pub fn long_table(doc: &Doc) -> Table {
    let refs = |r: &[usize]| {
        r.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut t = Table::new(CSV_COLUMNS);
    for s in &doc.sections {
        for (b, block) in s.blocks.iter().enumerate() {
            let b = (b + 1).to_string();
            let line = |kind: &str, row: String, column: &str, value: &str, sources: String| {
                [
                    s.title.clone(),
                    b.clone(),
                    kind.to_string(),
                    row,
                    column.to_string(),
                    value.to_string(),
                    sources,
                ]
            };
            match block {
                Block::Para(text) => t.push(line(
                    "paragraph",
                    String::new(),
                    "text",
                    text,
                    String::new(),
                )),
                Block::Gap(text) => t.push(line("gap", String::new(), "text", text, String::new())),
                Block::Chart { alt, .. } => {
                    t.push(line("chart", String::new(), "alt", alt, String::new()))
                }
                Block::Table { headers, rows } => {
                    for (r, (cells, sources)) in rows.iter().enumerate() {
                        for (h, c) in headers.iter().zip(cells) {
                            t.push(line("table", (r + 1).to_string(), h, c, refs(sources)));
                        }
                    }
                }
            }
        }
    }
    for (i, s) in doc.sources.iter().enumerate() {
        t.push([
            "Sources".to_string(),
            String::new(),
            "source".to_string(),
            (i + 1).to_string(),
            "source".to_string(),
            s.clone(),
            String::new(),
        ]);
    }
    t
}

/// A brief's content (`/api/brief`): the stance, the trade figures with their sources, and
/// the sections, whose table rows cite the numbered sources.
#[derive(Debug, Serialize)]
pub struct BriefView<'a> {
    /// Actor code.
    pub actor: &'a str,
    /// Actor's English name.
    pub actor_name: &'a str,
    /// The authority.
    pub authority: AuthorityView<'a>,
    /// The day of the stance.
    pub on: String,
    /// Title.
    pub title: &'a str,
    /// The line under the title.
    pub subtitle: &'a str,
    /// The stance, as every answer gives one.
    pub stance: StanceView<'a>,
    /// Every trade figure between the actor and the authority's state, as its source gives it.
    pub figures: &'a [PairFigure],
    /// The sections.
    pub sections: Vec<SectionView<'a>>,
    /// The numbered sources.
    pub sources: Vec<SourceView<'a>>,
    #[serde(skip)]
    doc: &'a Doc,
}

/// What a [`BriefView`] is made of besides the document.
#[derive(Debug, Clone, Copy)]
pub struct BriefParts<'a> {
    /// The registry the brief was built with.
    pub registry: &'a Registry,
    /// The authority.
    pub authority: &'a Authority,
    /// The day of the stance.
    pub on: Date,
    /// The actor's stance on that day.
    pub stance: &'a Stance,
    /// The trade figures of the pair.
    pub figures: &'a [PairFigure],
}

impl<'a> BriefView<'a> {
    /// The view of `doc`; `acts` holds the acts the stance cites.
    pub fn new(doc: &'a Doc, parts: BriefParts<'a>, acts: &ActIndex<'a>) -> BriefView<'a> {
        let stance = parts.stance;
        BriefView {
            actor: &stance.actor,
            actor_name: parts.registry.name_of(&stance.actor),
            authority: AuthorityView::new(parts.authority),
            on: day(parts.on),
            title: &doc.title,
            subtitle: &doc.subtitle,
            stance: StanceView::new(stance, parts.registry, acts),
            figures: parts.figures,
            sections: sections(doc),
            sources: sources(doc),
            doc,
        }
    }
}

impl View for BriefView<'_> {
    /// The long format of [`long_table`].
    fn table(&self) -> Result<Table, ViewError> {
        Ok(long_table(self.doc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dyad_brief::doc::Section;

    #[test]
    fn data_is_escaped_and_sources_numbered() {
        let mut doc = Doc {
            title: "A <b>".into(),
            ..Doc::default()
        };
        let n = doc.cite("https://example.org/x?a=1&b=2");
        assert_eq!(doc.cite("https://example.org/x?a=1&b=2"), n);
        doc.sections.push(Section {
            title: "T".into(),
            blocks: vec![Block::Table {
                headers: vec!["h".into()],
                rows: vec![(vec!["<script>x</script>".into()], vec![n])],
            }],
        });
        let h = html_page(&doc);
        assert!(!h.contains("<script>"));
        assert!(h.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(h.contains("<title>A &lt;b&gt;</title>"), "{h}");
        assert!(h.contains("<a href=\"#source-1\">[1]</a>"));
        assert!(h.contains("href=\"https://example.org/x?a=1&amp;b=2\""));
        let m = markdown(&doc, "b");
        assert!(
            m.contains("| &lt;script&gt;x&lt;/script&gt; | [1](#source-1) |"),
            "{m}"
        );
    }

    #[test]
    fn a_chart_that_is_not_a_drawing_is_a_gap() {
        let doc = Doc {
            sections: vec![Section {
                title: "T".into(),
                blocks: vec![Block::Chart {
                    name: "trade".into(),
                    alt: "Trade <by> year".into(),
                    svg: "<svg><script>alert(1)</script></svg>".into(),
                    png: None,
                }],
            }],
            ..Doc::default()
        };
        let h = html_page(&doc);
        assert!(!h.contains("<script"), "{h}");
        assert!(
            h.contains("Data gap.") && h.contains("Trade &lt;by&gt; year"),
            "{h}"
        );
        // The long table names the chart by its text alternative.
        let t = long_table(&doc);
        assert_eq!(t.rows[0][2..6], ["chart", "", "alt", "Trade <by> year"]);
    }
}
