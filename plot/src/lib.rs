//! deltamargin's one SVG writer: line charts (several series, optional marked points,
//! horizontal and vertical reference lines), stacked vertically as panels in one self-contained
//! SVG document. The CLI's `stress --svg` draws its loss-vs-spot panels with it and the
//! simulator its time series (prices, health, fund).
//!
//! Floating point is for drawing only: every figure a chart shows is also in the exact JSON of
//! the command that drew it.

use core::fmt::Write as _;

/// Width of a chart, px.
pub const WIDTH: f64 = 900.0;
/// Height of one chart (panel), px.
pub const HEIGHT: f64 = 430.0;
const LEFT: f64 = 95.0;
const RIGHT: f64 = 175.0;
const TOP: f64 = 62.0;
const BOTTOM: f64 = 58.0;
/// Series colours, in order, for series without their own.
pub const COLORS: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/// One line of a chart.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Legend text (escaped when written).
    pub name: String,
    /// Stroke colour (`#rrggbb`); `None`: the palette's colour for the series' position.
    pub color: Option<String>,
    /// `(x, y)` in drawing order; a non-finite `y` breaks the line.
    pub points: Vec<(f64, f64)>,
    /// Points drawn as open circles on top of the line.
    pub marks: Vec<(f64, f64)>,
}

/// A reference line across the plot: horizontal at `y = value` or vertical at `x = value`.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Where the line sits, in the axis' units.
    pub value: f64,
    /// Text written beside it (escaped).
    pub label: String,
    /// Stroke colour (`#rrggbb`).
    pub color: String,
}

/// One chart (a panel of the document).
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// Title, bold at the top (escaped).
    pub title: String,
    /// A line of smaller text under the title (escaped; empty: none).
    pub note: String,
    /// X axis title.
    pub x_label: String,
    /// Y axis title.
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series>,
    /// Horizontal reference lines (dashed), always inside the y range.
    pub h_rules: Vec<Rule>,
    /// Vertical reference lines (dotted), drawn when inside the x range.
    pub v_rules: Vec<Rule>,
    /// Keep `y = 0` in the range and draw it as a solid line.
    pub zero_line: bool,
    /// Start the x axis at 0 instead of the smallest x.
    pub x_from_zero: bool,
}

/// Renders `charts` stacked vertically in one SVG document; with no chart, one panel saying
/// `empty_text`.
pub fn render(charts: &[Chart], empty_text: &str) -> String {
    let height = HEIGHT * charts.len().max(1) as f64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##);
    if charts.is_empty() {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            WIDTH / 2.0,
            height / 2.0,
            escape(empty_text)
        );
    }
    for (i, chart) in charts.iter().enumerate() {
        let _ = writeln!(s, r#"<g transform="translate(0,{})">"#, HEIGHT * i as f64);
        chart_svg(&mut s, chart);
        let _ = writeln!(s, "</g>");
    }
    s.push_str("</svg>\n");
    s
}

/// The x and y ranges a chart needs (points, marks, rules, zero), padded where degenerate.
fn ranges(c: &Chart) -> ((f64, f64), (f64, f64)) {
    let (mut x_lo, mut x_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut y_lo, mut y_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let points = c.series.iter().flat_map(|s| s.points.iter().chain(s.marks.iter()));
    for &(x, y) in points.filter(|p| p.0.is_finite() && p.1.is_finite()) {
        (x_lo, x_hi) = (x_lo.min(x), x_hi.max(x));
        (y_lo, y_hi) = (y_lo.min(y), y_hi.max(y));
    }
    for rule in c.h_rules.iter().filter(|r| r.value.is_finite()) {
        (y_lo, y_hi) = (y_lo.min(rule.value), y_hi.max(rule.value));
    }
    if c.zero_line {
        (y_lo, y_hi) = (y_lo.min(0.0), y_hi.max(0.0));
    }
    if c.x_from_zero {
        x_lo = x_lo.min(0.0);
    }
    if x_hi.partial_cmp(&x_lo) != Some(core::cmp::Ordering::Greater) {
        let centre = if x_lo.is_finite() { x_lo } else { 0.0 };
        let half = if centre == 0.0 { 1.0 } else { centre.abs() * 0.1 };
        (x_lo, x_hi) = (centre - half, centre + half);
    }
    if y_hi.partial_cmp(&y_lo) != Some(core::cmp::Ordering::Greater) {
        let centre = if y_lo.is_finite() { y_lo } else { 0.0 };
        (y_lo, y_hi) = (centre - 1.0, centre + 1.0);
    }
    ((x_lo, x_hi), (y_lo, y_hi))
}

fn chart_svg(s: &mut String, c: &Chart) {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let ((x_lo, x_hi), (y_lo, y_hi)) = ranges(c);
    let y_step = nice_step(y_hi - y_lo, 6);
    let (y_lo, y_hi) = ((y_lo / y_step).floor() * y_step, (y_hi / y_step).ceil() * y_step);
    let x_step = nice_step(x_hi - x_lo, 8);
    let px = |x: f64| LEFT + (x - x_lo) / (x_hi - x_lo) * plot_w;
    let py = |y: f64| TOP + (y_hi - y) / (y_hi - y_lo) * plot_h;

    let _ = writeln!(s, r#"<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{}</text>"#, escape(&c.title));
    if !c.note.is_empty() {
        let _ = writeln!(s, r##"<text x="{LEFT}" y="44" fill="#444444">{}</text>"##, escape(&c.note));
    }
    // Grid lines and tick labels.
    let mut y = y_lo;
    while y <= y_hi + y_step / 2.0 {
        let yy = py(y);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{yy:.2}" x2="{:.2}" y2="{yy:.2}" stroke="#e4e4e4"/><text x="{:.2}" y="{:.2}" text-anchor="end">{}</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            yy + 4.0,
            label(y, y_step)
        );
        y += y_step;
    }
    let mut x = (x_lo / x_step).ceil() * x_step;
    while x <= x_hi + x_step * 1e-9 {
        let xx = px(x);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.2}" y1="{TOP}" x2="{xx:.2}" y2="{:.2}" stroke="#e4e4e4"/><text x="{xx:.2}" y="{:.2}" text-anchor="middle">{}</text>"##,
            TOP + plot_h,
            TOP + plot_h + 18.0,
            label(x, x_step)
        );
        x += x_step;
    }
    let _ = writeln!(
        s,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w:.2}" height="{plot_h:.2}" fill="none" stroke="#888888"/>"##
    );
    if c.zero_line {
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{0:.2}" x2="{1:.2}" y2="{0:.2}" stroke="#000000" stroke-width="1"/>"##,
            py(0.0),
            LEFT + plot_w
        );
    }
    for rule in c.h_rules.iter().filter(|r| r.value.is_finite()) {
        let yy = py(rule.value);
        let _ = writeln!(
            s,
            r#"<line x1="{LEFT}" y1="{yy:.2}" x2="{:.2}" y2="{yy:.2}" stroke="{color}" stroke-width="1.5" stroke-dasharray="8 4"/><text x="{:.2}" y="{:.2}" fill="{color}" text-anchor="end">{}</text>"#,
            LEFT + plot_w,
            LEFT + plot_w - 4.0,
            if yy - TOP < 16.0 { yy + 15.0 } else { yy - 5.0 },
            escape(&rule.label),
            color = rule.color,
        );
    }
    for rule in c.v_rules.iter().filter(|r| x_lo <= r.value && r.value <= x_hi) {
        let xx = px(rule.value);
        let _ = writeln!(
            s,
            r#"<line x1="{xx:.2}" y1="{TOP}" x2="{xx:.2}" y2="{:.2}" stroke="{color}" stroke-dasharray="3 3"/><text x="{:.2}" y="{:.2}" fill="{color}">{}</text>"#,
            TOP + plot_h,
            xx + 4.0,
            TOP + plot_h - 6.0,
            escape(&rule.label),
            color = rule.color,
        );
    }
    // Series (broken at non-finite values), marks and legend.
    for (j, series) in c.series.iter().enumerate() {
        let color = series.color.clone().unwrap_or_else(|| COLORS[j % COLORS.len()].to_string());
        for segment in series.points.split(|p| !(p.0.is_finite() && p.1.is_finite())).filter(|g| !g.is_empty()) {
            let coords: Vec<String> = segment.iter().map(|&(x, y)| format!("{:.2},{:.2}", px(x), py(y))).collect();
            let _ = writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2" stroke-linejoin="round"/>"#,
                coords.join(" ")
            );
        }
        for &(x, y) in series.marks.iter().filter(|p| p.0.is_finite() && p.1.is_finite()) {
            let _ = writeln!(
                s,
                r##"<circle cx="{:.2}" cy="{:.2}" r="5" fill="#ffffff" stroke="{color}" stroke-width="2"/>"##,
                px(x),
                py(y)
            );
        }
        let ly = TOP + 10.0 + 20.0 * j as f64;
        let lx = LEFT + plot_w + 16.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx:.2}" y1="{ly:.2}" x2="{:.2}" y2="{ly:.2}" stroke="{color}" stroke-width="3"/><text x="{:.2}" y="{:.2}">{}</text>"#,
            lx + 24.0,
            lx + 30.0,
            ly + 4.0,
            escape(&series.name)
        );
    }
    // Axis titles.
    let _ = writeln!(
        s,
        r#"<text x="{:.2}" y="{:.2}" text-anchor="middle">{}</text>"#,
        LEFT + plot_w / 2.0,
        TOP + plot_h + 42.0,
        escape(&c.x_label)
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(22,{:.2}) rotate(-90)" text-anchor="middle">{}</text>"#,
        TOP + plot_h / 2.0,
        escape(&c.y_label)
    );
}

/// A 1-2-5 step giving about `target` intervals over `range` (> 0).
pub fn nice_step(range: f64, target: u32) -> f64 {
    let raw = (range / f64::from(target.max(1))).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// `x` with as many decimals as `step` needs (at most 12; no `-0`).
pub fn label(x: f64, step: f64) -> String {
    let decimals = if step > 0.0 { (-step.log10().floor()).clamp(0.0, 12.0) as usize } else { 2 };
    let text = format!("{x:.decimals$}");
    if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

/// A colour from blue (`t = 0`) to red (`t = 1`), `#rrggbb`.
pub fn ramp(t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let (a, b) = ((0x1f, 0x77, 0xb4), (0xd6, 0x27, 0x28));
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// XML text escaping (`&`, `<`, `>`, `"`).
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_lines() -> Chart {
        Chart {
            title: "BTC <loss>".into(),
            x_label: "spot".into(),
            y_label: "loss".into(),
            series: vec![
                Series { name: "a".into(), points: vec![(94.0, 6.0), (106.0, -6.0)], ..Series::default() },
                Series {
                    name: "b".into(),
                    color: Some("#000001".into()),
                    points: vec![(94.0, 5.0), (100.0, f64::NAN), (106.0, -5.0), (107.0, -4.0)],
                    marks: vec![(106.0, -5.0)],
                },
            ],
            h_rules: vec![Rule { value: 9.0, label: "MR(mm)".into(), color: "#c0392b".into() }],
            v_rules: vec![
                Rule { value: 100.0, label: "S".into(), color: "#777777".into() },
                Rule { value: 500.0, label: "far".into(), color: "#777777".into() },
            ],
            zero_line: true,
            ..Chart::default()
        }
    }

    #[test]
    fn steps_and_labels() {
        assert_eq!(nice_step(7200.0, 6), 2000.0);
        assert!((nice_step(0.9, 6) - 0.2).abs() < 1e-12);
        assert_eq!(nice_step(0.0, 6), nice_step(f64::MIN_POSITIVE * 6.0, 6));
        assert_eq!(label(-0.0001, 0.01), "0.00");
        assert_eq!(label(63600.0, 2000.0), "63600");
        assert_eq!(label(0.25, 0.05), "0.25");
        assert_eq!(escape("a<b&\"c\""), "a&lt;b&amp;&quot;c&quot;");
        assert_eq!(ramp(0.0), "#1f77b4");
        assert_eq!(ramp(1.0), "#d62728");
        assert_eq!(ramp(7.0), "#d62728");
    }

    #[test]
    fn lines_break_at_gaps_and_rules_show_where_they_fall() {
        let svg = render(&[two_lines()], "nothing");
        // Series a: one polyline; series b: broken by the NaN into two.
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(svg.contains("stroke=\"#000001\""));
        assert!(svg.contains(">MR(mm)</text>"));
        assert!(svg.contains(">S</text>"));
        assert!(!svg.contains(">far</text>"), "a vertical rule outside the x range is not drawn");
        assert!(svg.contains("BTC &lt;loss&gt;"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }

    #[test]
    fn panels_stack_and_an_empty_document_says_so() {
        let svg = render(&[two_lines(), two_lines()], "nothing");
        assert!(svg.contains(&format!("height=\"{}\"", 2.0 * HEIGHT)));
        assert_eq!(svg.matches("<g transform").count(), 2);
        let empty = render(&[], "The account holds nothing.");
        assert!(empty.contains(">The account holds nothing.</text>"));
        assert!(!empty.contains("<polyline"));
    }

    #[test]
    fn the_y_range_holds_points_rules_and_zero() {
        let ((x_lo, x_hi), (y_lo, y_hi)) = ranges(&two_lines());
        assert_eq!((x_lo, x_hi), (94.0, 107.0));
        assert_eq!((y_lo, y_hi), (-6.0, 9.0));
        let flat = Chart { series: vec![Series { points: vec![(3.0, 2.0)], ..Series::default() }], ..Chart::default() };
        let ((x_lo, x_hi), (y_lo, y_hi)) = ranges(&flat);
        assert!(x_lo < 3.0 && 3.0 < x_hi && y_lo < 2.0 && 2.0 < y_hi);
        let from_zero = Chart { x_from_zero: true, ..two_lines() };
        assert_eq!(ranges(&from_zero).0 .0, 0.0);
    }
}
