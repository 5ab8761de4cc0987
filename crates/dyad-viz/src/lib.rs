//! dyad-viz: the charts of briefs and pages, drawn with plotters as SVG, or PNG on request.
//!
//! Charts are described by plain data ([`LineChart`], [`BarChart`]) and drawn on any plotters
//! backend, so the SVG and the PNG of a chart are the same drawing. A gap in a series is drawn
//! as a break in the line, never as a zero.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The font used to lay out text, and to draw it in PNG output (DejaVu Sans; licence in
/// `fonts/LICENSE`). SVG output names the family and leaves drawing to the viewer.
const FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const FAMILY: &str = "DejaVu Sans";

/// Colours of successive series (Okabe–Ito, readable with colour-blindness).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend text.
    pub name: String,
    /// `(x, y)`; `None` (or a value that is not finite) is a gap.
    pub points: Vec<(f64, Option<f64>)>,
}

/// A labelled vertical marker (an act on a time axis).
#[derive(Debug, Clone)]
pub struct Marker {
    /// Position on the x axis.
    pub x: f64,
    /// Short label.
    pub label: String,
}

/// A short text at a point of a line chart (the number of a step, say).
#[derive(Debug, Clone)]
pub struct Note {
    /// Position on the x axis.
    pub x: f64,
    /// Position on the y axis; the text is drawn just above it.
    pub y: f64,
    /// The text.
    pub text: String,
}

/// A line chart over time.
#[derive(Debug, Clone, Default)]
pub struct LineChart {
    /// Title above the chart.
    pub title: String,
    /// Label of the y axis (with its unit).
    pub y_label: String,
    /// The lines.
    pub lines: Vec<Line>,
    /// Vertical markers.
    pub markers: Vec<Marker>,
    /// Top of the y axis; by default 1.7 times the largest value, which leaves room for the
    /// legend and marker labels above the data.
    pub y_max: Option<f64>,
    /// Texts at points.
    pub notes: Vec<Note>,
    /// The x axis is fractional years labelled as months (`2022-07`) rather than years.
    pub x_months: bool,
    /// The y axis is labelled with whole numbers (levels), not decimals.
    pub y_whole: bool,
}

/// A horizontal bar chart.
#[derive(Debug, Clone, Default)]
pub struct BarChart {
    /// Title above the chart.
    pub title: String,
    /// Label of the value axis (with its unit).
    pub x_label: String,
    /// `(label, value)`, drawn top to bottom.
    pub bars: Vec<(String, f64)>,
}

/// Size of drawn charts in pixels.
pub const SIZE: (u32, u32) = (760, 420);

fn ensure_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Registration only fails on a malformed font, and the font is compiled in.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

fn svg_of(
    draw: impl FnOnce(DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    ensure_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        draw(root)?;
    }
    Ok(out)
}

fn png_of(
    draw: impl FnOnce(DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    ensure_font();
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        draw(root)?;
    }
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(err)?;
        writer.write_image_data(&rgb).map_err(err)?;
    }
    Ok(png)
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A value to draw: NaN and infinities are gaps, like missing values.
fn finite(y: Option<f64>) -> Option<f64> {
    y.filter(|v| v.is_finite())
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if (hi - lo).abs() < f64::EPSILON {
        return (lo - 0.5, hi + 0.5);
    }
    (lo, hi)
}

impl LineChart {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let xs = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .chain(self.markers.iter().map(|m| m.x));
        let (x0, x1) = range(xs);
        let ys = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().filter_map(|p| finite(p.1)));
        let (y0, y1) = range(ys);
        // The axis starts at zero unless the data goes below it (a mirror gap can), and a
        // value below the axis would be mapped far outside the drawing.
        let bottom = if y0 < 0.0 { y0 * 1.1 } else { 0.0 };
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, (FAMILY, 18))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(64)
            // Headroom above the data keeps the legend and marker labels clear of the lines.
            .build_cartesian_2d(
                (x0 - 0.5)..(x1 + 0.5),
                bottom..self.y_max.unwrap_or((y1 * 1.7).max(1e-9)),
            )
            .map_err(err)?;
        let month = |x: &f64| {
            let year = x.floor();
            let m = ((x - year) * 12.0).floor().clamp(0.0, 11.0) as u32 + 1;
            format!("{year:.0}-{m:02}")
        };
        let whole = |y: &f64| format!("{y:.0}");
        let mut mesh = chart.configure_mesh();
        mesh.y_desc(&self.y_label).label_style((FAMILY, 12));
        if self.x_months {
            mesh.x_label_formatter(&month).x_labels(8);
        } else {
            mesh.x_label_formatter(&|x| format!("{x:.0}"));
        }
        if self.y_whole {
            // One label per whole number: a level of 2.5 means nothing.
            let top = self.y_max.unwrap_or(y1).floor() as usize;
            mesh.y_label_formatter(&whole).y_labels(top + 1);
        }
        mesh.draw().map_err(err)?;
        for note in &self.notes {
            let style =
                TextStyle::from((FAMILY, 10).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
            chart
                .draw_series(std::iter::once(Text::new(
                    note.text.clone(),
                    (note.x, note.y + 0.08),
                    style,
                )))
                .map_err(err)?;
        }
        for (i, m) in self.markers.iter().enumerate() {
            // Labels of nearby markers are staggered so they do not print over each other.
            let top = y1 * (1.12 + 0.1 * (i % 4) as f64);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(m.x, 0.0), (m.x, top)],
                    RGBColor(150, 150, 150).stroke_width(1),
                )))
                .map_err(err)?;
            // A label in the right third of the axis ends at its line instead of starting
            // there, so that it is not cut off by the chart's right edge.
            let style = TextStyle::from((FAMILY, 10).into_font());
            let style = if m.x > x0 + (x1 - x0) * 2.0 / 3.0 {
                style.pos(Pos::new(HPos::Right, VPos::Top))
            } else {
                style
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    m.label.clone(),
                    (m.x, top),
                    style,
                )))
                .map_err(err)?;
        }
        for (i, line) in self.lines.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            // A gap splits the line into separately drawn segments.
            let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for &(x, y) in &line.points {
                match finite(y) {
                    Some(y) => segments.last_mut().expect("one segment").push((x, y)),
                    None => segments.push(Vec::new()),
                }
            }
            let mut first = true;
            for seg in segments.into_iter().filter(|s| !s.is_empty()) {
                let drawn = chart
                    .draw_series(LineSeries::new(seg.clone(), colour.stroke_width(2)))
                    .map_err(err)?;
                if first {
                    drawn.label(line.name.clone()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                    });
                    first = false;
                }
                chart
                    .draw_series(seg.into_iter().map(|p| Circle::new(p, 3, colour.filled())))
                    .map_err(err)?;
            }
        }
        if !self.lines.is_empty() {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font((FAMILY, 12))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)
    }

    /// The chart as an SVG document.
    pub fn svg(&self) -> Result<String, String> {
        svg_of(|root| self.draw(root))
    }

    /// The chart as a PNG image.
    pub fn png(&self) -> Result<Vec<u8>, String> {
        png_of(|root| self.draw(root))
    }
}

impl BarChart {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let n = self.bars.len().max(1);
        let (_, hi) = range(self.bars.iter().map(|b| b.1).chain(std::iter::once(0.0)));
        let labels: Vec<String> = self.bars.iter().map(|b| b.0.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, (FAMILY, 18))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(220)
            .build_cartesian_2d(0.0..(hi * 1.1).max(1e-9), (0..n).into_segmented())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_labels(n)
            .y_label_formatter(&|seg| match seg {
                SegmentValue::CenterOf(i) => (n - 1)
                    .checked_sub(*i)
                    .and_then(|k| labels.get(k))
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FAMILY, 12))
            .disable_y_mesh()
            .draw()
            .map_err(err)?;
        chart
            .draw_series(self.bars.iter().enumerate().map(|(i, (_, v))| {
                let row = n - 1 - i;
                Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row)),
                        (*v, SegmentValue::Exact(row + 1)),
                    ],
                    PALETTE[0].filled(),
                )
            }))
            .map_err(err)?;
        root.present().map_err(err)
    }

    /// The chart as an SVG document.
    pub fn svg(&self) -> Result<String, String> {
        svg_of(|root| self.draw(root))
    }

    /// The chart as a PNG image.
    pub fn png(&self) -> Result<Vec<u8>, String> {
        png_of(|root| self.draw(root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> LineChart {
        LineChart {
            title: "KAZ -> AFG".into(),
            y_label: "USD million".into(),
            lines: vec![Line {
                name: "exports".into(),
                points: vec![
                    (2020.0, Some(1.0)),
                    (2021.0, None),
                    (2022.0, Some(3.0)),
                    (2023.0, Some(4.0)),
                ],
            }],
            markers: vec![Marker {
                x: 2021.6,
                label: "envoys".into(),
            }],
            ..LineChart::default()
        }
    }

    #[test]
    fn gaps_break_the_line() {
        let svg = chart().svg().unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        // The series (first palette colour) is drawn as polylines; a bridged gap would join 2020,
        // 2022 and 2023 in one polyline of three points. Only 2022–2023 may be joined.
        let series: Vec<usize> = svg
            .lines()
            .filter(|l| l.starts_with("<polyline") && l.contains("stroke=\"#0072B2\""))
            .map(|l| {
                l.split("points=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .count()
            })
            .collect();
        assert!(series.contains(&2), "{series:?}");
        assert!(series.iter().all(|&n| n <= 2), "{series:?}");
        assert!(svg.contains("envoys") && svg.contains("exports"));
    }

    #[test]
    fn png_is_a_png() {
        let png = chart().png().unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let bars = BarChart {
            title: "t".into(),
            x_label: "USD".into(),
            bars: vec![("Wheat".into(), 2.0), ("Flour".into(), 1.0)],
        };
        assert!(bars.svg().unwrap().contains("Wheat"));
        assert_eq!(&bars.png().unwrap()[..4], b"\x89PNG");
    }
}
