//! The charts through dyad-viz's public API, as briefs and pages use them: text from the data
//! (act labels, product names, titles) is escaped, odd data draws instead of panicking, and bars
//! come out in the order given.

use dyad_viz::{BarChart, Line, LineChart, Marker, Note};

const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>&";

fn hostile_line_chart() -> LineChart {
    LineChart {
        title: HOSTILE.into(),
        y_label: HOSTILE.into(),
        lines: vec![Line {
            name: HOSTILE.into(),
            points: vec![(2021.0, Some(1.0)), (2022.0, Some(2.0))],
        }],
        markers: vec![Marker {
            x: 2021.5,
            label: HOSTILE.into(),
        }],
        notes: vec![Note {
            x: 2022.0,
            y: 2.0,
            text: HOSTILE.into(),
        }],
        ..LineChart::default()
    }
}

/// Markup in any text of a chart stays text: the SVG is embedded inline in pages and briefs.
#[test]
fn text_from_the_data_is_escaped() {
    let bars = BarChart {
        title: HOSTILE.into(),
        x_label: HOSTILE.into(),
        bars: vec![(HOSTILE.into(), 1.0)],
    };
    for svg in [hostile_line_chart().svg().unwrap(), bars.svg().unwrap()] {
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<img"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
        // Every `&` in the document starts an entity.
        for (i, _) in svg.match_indices('&') {
            let rest = &svg[i..];
            let entity = rest.split(';').next().unwrap();
            assert!(
                ["&lt", "&gt", "&amp", "&quot", "&apos"].contains(&entity)
                    || entity.starts_with("&#"),
                "bare & at {i}: {}",
                &rest[..rest.len().min(20)]
            );
        }
    }
}

/// Charts of empty, flat, negative or non-finite data draw (a trade series can be all gaps, all
/// equal or all zero) rather than panicking or failing.
#[test]
fn odd_data_draws() {
    let cases: Vec<Vec<(f64, Option<f64>)>> = vec![
        vec![],
        vec![(2020.0, None), (2021.0, None)],
        vec![(2020.0, Some(0.0)), (2021.0, Some(0.0))],
        vec![(2020.0, Some(5.0))],
        vec![(2020.0, Some(-3.0)), (2021.0, Some(-1.0))],
        vec![(2020.0, Some(f64::NAN)), (2021.0, Some(2.0))],
    ];
    for points in cases {
        let chart = LineChart {
            title: "t".into(),
            lines: vec![Line {
                name: "l".into(),
                points: points.clone(),
            }],
            ..LineChart::default()
        };
        let svg = chart.svg().unwrap_or_else(|e| panic!("{points:?}: {e}"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(&chart.png().unwrap()[..4], b"\x89PNG", "{points:?}");
    }
    for bars in [vec![], vec![("zero".to_string(), 0.0)]] {
        let chart = BarChart {
            title: "t".into(),
            x_label: "USD".into(),
            bars,
        };
        assert!(chart.svg().unwrap().starts_with("<svg"));
    }
}

/// Bars are drawn top to bottom in the order given (the largest partner first, as callers sort).
#[test]
fn bars_keep_their_order() {
    let names = ["Wheat", "Flour", "Coal", "Cotton"];
    let chart = BarChart {
        title: "Exports".into(),
        x_label: "USD".into(),
        bars: names
            .iter()
            .zip([4.0, 3.0, 2.0, 1.0])
            .map(|(n, v)| (n.to_string(), v))
            .collect(),
    };
    let svg = chart.svg().unwrap();
    // Each label is a <text> element with its own y; the y of successive bars must grow.
    let y_of = |name: &str| -> f64 {
        let element = svg
            .split("<text")
            .skip(1)
            .find(|e| {
                let content = e.split_once('>').map_or("", |(_, c)| c);
                content.split("</text>").next().unwrap_or("").trim() == name
            })
            .unwrap_or_else(|| panic!("no label {name} in {svg}"));
        let y = element
            .split(" y=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        y.parse().unwrap()
    };
    let ys: Vec<f64> = names.iter().map(|n| y_of(n)).collect();
    assert!(ys.windows(2).all(|w| w[0] < w[1]), "{ys:?}");
}
