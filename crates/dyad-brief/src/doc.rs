//! A small document model for briefs: sections of paragraphs, data gaps, tables and charts,
//! and a numbered list of sources. `dyad-view` renders it (HTML with maud, Markdown, JSON, CSV)
//! for the CLI and the web alike.
//!
//! Every table row that shows a figure carries the numbers of its sources, which the renderers
//! turn into links to a numbered sources list: no number without its source.

/// A block of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// A paragraph of plain text.
    Para(String),
    /// A notice that data are missing (rendered so that a gap is visibly a gap).
    Gap(String),
    /// A table; each row has the numbers of its sources.
    Table {
        /// Column names.
        headers: Vec<String>,
        /// Rows of cells, with their source numbers.
        rows: Vec<(Vec<String>, Vec<usize>)>,
    },
    /// A chart.
    Chart {
        /// File stem for Markdown output (`trade`).
        name: String,
        /// Text alternative.
        alt: String,
        /// The SVG document.
        svg: String,
        /// The PNG, when asked for.
        png: Option<Vec<u8>>,
    },
}

/// A titled section.
#[derive(Debug, Clone)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Content.
    pub blocks: Vec<Block>,
}

/// A whole document.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Title.
    pub title: String,
    /// One line under the title.
    pub subtitle: String,
    /// Sections in order.
    pub sections: Vec<Section>,
    /// Numbered sources (1-based in output).
    pub sources: Vec<String>,
}

impl Doc {
    /// The number of a source, adding it if new.
    pub fn cite(&mut self, source: &str) -> usize {
        match self.sources.iter().position(|s| s == source) {
            Some(i) => i + 1,
            None => {
                self.sources.push(source.to_string());
                self.sources.len()
            }
        }
    }

    /// Every chart, for writing beside a Markdown file.
    pub fn charts(&self) -> impl Iterator<Item = (&str, &str, Option<&[u8]>)> {
        self.sections
            .iter()
            .flat_map(|s| &s.blocks)
            .filter_map(|b| match b {
                Block::Chart { name, svg, png, .. } => {
                    Some((name.as_str(), svg.as_str(), png.as_deref()))
                }
                _ => None,
            })
    }
}
