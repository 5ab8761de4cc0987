//! A small document model for briefs, rendered as Markdown or as one self-contained HTML page.
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

/// Escapes text for HTML element content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

fn md_cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\n', " ")
}

/// Renders Markdown; charts are referenced as `{stem}-{name}.svg` beside the file.
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
        if is_url(s) {
            out.push_str(&format!("{n}. <a id=\"source-{n}\"></a><{s}>\n"));
        } else {
            out.push_str(&format!("{n}. <a id=\"source-{n}\"></a>{s}\n"));
        }
    }
    out
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #ccc;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.gap{background:#fff4e0;border-left:4px solid #e69f00;padding:.4rem .8rem}
.chart svg{max-width:100%;height:auto}.sources li{word-break:break-all;font-size:.85rem}.sub{color:#555}";

/// Renders one self-contained HTML page (charts inline as SVG, no external resources).
pub fn html(doc: &Doc) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1><p class=\"sub\">{}</p>\n",
        esc(&doc.title),
        esc(&doc.title),
        esc(&doc.subtitle)
    );
    for s in &doc.sections {
        out.push_str(&format!("<section><h2>{}</h2>\n", esc(&s.title)));
        for b in &s.blocks {
            match b {
                Block::Para(t) => out.push_str(&format!("<p>{}</p>\n", esc(t))),
                Block::Gap(t) => out.push_str(&format!(
                    "<p class=\"gap\"><strong>Data gap.</strong> {}</p>\n",
                    esc(t)
                )),
                Block::Table { headers, rows } => {
                    out.push_str("<table><thead><tr>");
                    for h in headers {
                        out.push_str(&format!("<th>{}</th>", esc(h)));
                    }
                    out.push_str("<th>sources</th></tr></thead><tbody>\n");
                    for (cells, refs) in rows {
                        out.push_str("<tr>");
                        for c in cells {
                            if is_url(c) {
                                out.push_str(&format!(
                                    "<td><a href=\"{}\">{}</a></td>",
                                    esc(c),
                                    esc(c)
                                ));
                            } else {
                                out.push_str(&format!("<td>{}</td>", esc(c)));
                            }
                        }
                        let refs: Vec<String> = refs
                            .iter()
                            .map(|r| format!("<a href=\"#source-{r}\">[{r}]</a>"))
                            .collect();
                        out.push_str(&format!("<td>{}</td></tr>\n", refs.join(" ")));
                    }
                    out.push_str("</tbody></table>\n");
                }
                Block::Chart { alt, svg, .. } => {
                    out.push_str(&format!("<figure class=\"chart\" aria-label=\"{}\">{svg}<figcaption>{}</figcaption></figure>\n", esc(alt), esc(alt)));
                }
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("<section><h2>Sources</h2><ol class=\"sources\">\n");
    for (i, s) in doc.sources.iter().enumerate() {
        let n = i + 1;
        if is_url(s) {
            out.push_str(&format!(
                "<li id=\"source-{n}\"><a href=\"{}\">{}</a></li>\n",
                esc(s),
                esc(s)
            ));
        } else {
            out.push_str(&format!("<li id=\"source-{n}\">{}</li>\n", esc(s)));
        }
    }
    out.push_str("</ol></section>\n</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let h = html(&doc);
        assert!(!h.contains("<script>"));
        assert!(h.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(h.contains("<a href=\"#source-1\">[1]</a>"));
        assert!(h.contains("href=\"https://example.org/x?a=1&amp;b=2\""));
        let m = markdown(&doc, "b");
        assert!(
            m.contains("| &lt;script&gt;x&lt;/script&gt; | [1](#source-1) |"),
            "{m}"
        );
    }
}
