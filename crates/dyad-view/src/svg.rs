//! Charts are SVG documents drawn by `dyad-viz`; this is the check one passes before it is
//! inserted into a page or a brief, the one place where markup not written with maud is
//! inserted. Also what counts as a web address to link.

use maud::PreEscaped;

/// The elements a `dyad-viz` chart is drawn with. Anything else in a chart (a `script`, a
/// `foreignObject` with HTML inside) was not drawn by it.
const SVG_ELEMENTS: [&str; 9] = [
    "svg", "g", "rect", "line", "polyline", "polygon", "path", "circle", "text",
];

/// A chart's SVG document as markup to insert in a page, or `None` if it holds anything but
/// the drawing elements of `SVG_ELEMENTS`.
///
/// plotters escapes text and attribute values (so a source's name with `<` in a legend stays
/// text), which makes every `<` in its output the start of an element: checking each element's
/// name is enough to know the document holds nothing that could run or load. The page's
/// Content-Security-Policy would block a script anyway; this keeps it from being there at all.
pub fn inline_svg(svg: &str) -> Option<PreEscaped<&str>> {
    let body = svg.trim();
    if !body.starts_with("<svg") {
        return None;
    }
    for part in body.split('<').skip(1) {
        let part = part.strip_prefix('/').unwrap_or(part);
        let name: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
            .collect();
        if !SVG_ELEMENTS.contains(&name.as_str()) {
            return None;
        }
        // Inside the tag itself, no event handler and no script URL: the chart code escapes
        // data, and this is the second lock on the door.
        let tag = part.split('>').next().unwrap_or("").to_ascii_lowercase();
        if tag.contains("javascript:") || has_event_attribute(&tag) {
            return None;
        }
    }
    Some(PreEscaped(body))
}

/// Whether a tag's text has an attribute named `on…` (`onload=`, `onclick =`).
fn has_event_attribute(tag: &str) -> bool {
    tag.match_indices("on").any(|(i, _)| {
        let before_ok = tag[..i].ends_with(|c: char| c.is_ascii_whitespace());
        let rest = &tag[i + 2..];
        let name_len = rest.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        before_ok && name_len > 0 && rest[name_len..].trim_start().starts_with('=')
    })
}

/// Whether a source is a web address, to be linked (a named data set is shown as text).
pub fn is_web_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::inline_svg;

    #[test]
    fn event_handlers_and_script_urls_are_refused() {
        assert!(inline_svg(r#"<svg onload="alert(1)"></svg>"#).is_none());
        assert!(inline_svg(r#"<svg><rect onclick = "x"/></svg>"#).is_none());
        assert!(inline_svg(r#"<svg><a href="javascript:alert(1)"></a></svg>"#).is_none());
        assert!(inline_svg(r#"<svg><text font-family="Monospace">onion=1</text></svg>"#).is_some());
    }

    #[test]
    fn only_drawing_elements_are_inserted() {
        let chart = dyad_viz::LineChart {
            title: "<script>alert(1)</script> & co".into(),
            y_label: "USD million".into(),
            lines: vec![dyad_viz::Line {
                name: "a \"<b>\" line".into(),
                points: vec![(2021.0, Some(1.0)), (2022.0, Some(2.0))],
            }],
            markers: vec![],
            ..Default::default()
        }
        .svg()
        .unwrap();
        let inserted = inline_svg(&chart).expect("a dyad-viz chart is inserted").0;
        assert!(!inserted.contains("<script"), "{inserted}");
        assert!(inserted.contains("&lt;script&gt;"), "{inserted}");
        for bad in [
            "<svg><script>alert(1)</script></svg>",
            "<svg><foreignObject><p>x</p></foreignObject></svg>",
            "<svg><image href=\"https://example.org/x.png\"/></svg>",
            "<div><svg></svg></div>",
            "<svg><a href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        ] {
            assert!(inline_svg(bad).is_none(), "{bad}");
        }
    }
}
