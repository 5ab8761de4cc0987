//! Briefs for the API and the brief page: built by `dyad_brief::brief::build_from`, as
//! `dyad brief` builds them, from the server's snapshot of the ledger and its trade tables, then
//! serialised (JSON, CSV) or rendered inside the site's layout (see `pages::brief`).

use std::sync::Arc;

use dyad_brief::brief::{build_from, BriefRequest};
use dyad_brief::doc::{Block, Doc};
use dyad_brief::figures::{pair_figures, PairFigure};
use serde::Serialize;
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

/// One block of a section, as the API gives it.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockOut<'a> {
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
        rows: Vec<RowOut<'a>>,
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

/// A table row with the numbers of its sources (see [`SourceOut`]).
#[derive(Debug, Serialize)]
pub struct RowOut<'a> {
    /// Cells, in the order of the headers.
    pub cells: &'a [String],
    /// Numbers of the sources the row's figures come from.
    pub sources: &'a [usize],
}

/// A titled section.
#[derive(Debug, Serialize)]
pub struct SectionOut<'a> {
    /// Heading.
    pub title: &'a str,
    /// Content, in order.
    pub blocks: Vec<BlockOut<'a>>,
}

/// A numbered source: a URL, or a named data set (`CEPII BACI (reconciled mirror flows)`).
#[derive(Debug, Serialize)]
pub struct SourceOut<'a> {
    /// The number rows cite.
    pub number: usize,
    /// The URL or name.
    pub source: &'a str,
}

/// The sections of a brief, for JSON.
pub fn sections(doc: &Doc) -> Vec<SectionOut<'_>> {
    doc.sections
        .iter()
        .map(|s| SectionOut {
            title: &s.title,
            blocks: s
                .blocks
                .iter()
                .map(|b| match b {
                    Block::Para(t) => BlockOut::Paragraph { text: t },
                    Block::Gap(t) => BlockOut::Gap { text: t },
                    Block::Table { headers, rows } => BlockOut::Table {
                        headers,
                        rows: rows
                            .iter()
                            .map(|(cells, sources)| RowOut { cells, sources })
                            .collect(),
                    },
                    Block::Chart { name, alt, svg, .. } => BlockOut::Chart { name, alt, svg },
                })
                .collect(),
        })
        .collect()
}

/// The numbered sources, for JSON.
pub fn sources(doc: &Doc) -> Vec<SourceOut<'_>> {
    doc.sources
        .iter()
        .enumerate()
        .map(|(i, s)| SourceOut {
            number: i + 1,
            source: s,
        })
        .collect()
}

/// Columns of a brief as CSV: one line per table cell, paragraph, gap, chart and source.
pub const CSV_COLUMNS: [&str; 7] = [
    "section", "block", "kind", "row", "column", "value", "sources",
];

/// A brief as CSV lines (see [`CSV_COLUMNS`]): a long format, because the brief's tables have
/// different columns. Charts are given by their text alternative; their data are the table
/// beside them.
pub fn csv_rows(doc: &Doc) -> Vec<[String; 7]> {
    let refs = |r: &[usize]| {
        r.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = Vec::new();
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
                Block::Para(t) => {
                    out.push(line("paragraph", String::new(), "text", t, String::new()))
                }
                Block::Gap(t) => out.push(line("gap", String::new(), "text", t, String::new())),
                Block::Chart { alt, .. } => {
                    out.push(line("chart", String::new(), "alt", alt, String::new()))
                }
                Block::Table { headers, rows } => {
                    for (r, (cells, sources)) in rows.iter().enumerate() {
                        for (h, c) in headers.iter().zip(cells) {
                            out.push(line("table", (r + 1).to_string(), h, c, refs(sources)));
                        }
                    }
                }
            }
        }
    }
    for (i, s) in doc.sources.iter().enumerate() {
        out.push([
            "Sources".to_string(),
            String::new(),
            "source".to_string(),
            (i + 1).to_string(),
            "source".to_string(),
            s.clone(),
            String::new(),
        ]);
    }
    out
}
