//! A hand-written SVG chart of stress grids: loss against spot, one polyline per volatility,
//! one panel per underlying.
//!
//! Floating point is used here for drawing only; every number the chart shows is also in the
//! exact JSON output of `stress`.

use core::fmt::Write as _;

/// One underlying's stress grid, in plotting units.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Underlying name (escaped when written).
    pub name: String,
    /// Current spot.
    pub spot: f64,
    /// The model's margin requirement for the underlying at the charted level.
    pub margin: f64,
    /// A line of exact figures under the title.
    pub note: String,
    /// One series per volatility: `(vol, [(spot, loss)])`, spots ascending.
    pub series: Vec<(f64, Vec<(f64, f64)>)>,
}

const WIDTH: f64 = 900.0;
const PANEL_HEIGHT: f64 = 430.0;
const LEFT: f64 = 95.0;
const RIGHT: f64 = 175.0;
const TOP: f64 = 62.0;
const BOTTOM: f64 = 58.0;

/// Renders all panels, stacked vertically. `level` is `mm` or `im`.
pub fn render(panels: &[Panel], level: &str) -> String {
    let height = PANEL_HEIGHT * panels.len().max(1) as f64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##);
    if panels.is_empty() {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">The account holds nothing: no stress grid.</text>"#,
            WIDTH / 2.0,
            height / 2.0
        );
    }
    for (i, panel) in panels.iter().enumerate() {
        let _ = writeln!(s, r#"<g transform="translate(0,{})">"#, PANEL_HEIGHT * i as f64);
        panel_svg(&mut s, panel, level);
        let _ = writeln!(s, "</g>");
    }
    s.push_str("</svg>\n");
    s
}

fn panel_svg(s: &mut String, p: &Panel, level: &str) {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = PANEL_HEIGHT - TOP - BOTTOM;
    let points = p.series.iter().flat_map(|(_, pts)| pts.iter());
    let (mut x_lo, mut x_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut y_lo, mut y_hi) = (0.0f64.min(p.margin), 0.0f64.max(p.margin));
    for &(x, y) in points {
        x_lo = x_lo.min(x);
        x_hi = x_hi.max(x);
        y_lo = y_lo.min(y);
        y_hi = y_hi.max(y);
    }
    if x_hi <= x_lo {
        x_lo = p.spot * 0.9;
        x_hi = p.spot * 1.1;
    }
    if y_hi <= y_lo {
        (y_lo, y_hi) = (-1.0, 1.0);
    }
    let y_step = nice_step(y_hi - y_lo, 6);
    let (y_lo, y_hi) = ((y_lo / y_step).floor() * y_step, (y_hi / y_step).ceil() * y_step);
    let x_step = nice_step(x_hi - x_lo, 6);
    let px = |x: f64| LEFT + (x - x_lo) / (x_hi - x_lo) * plot_w;
    let py = |y: f64| TOP + (y_hi - y) / (y_hi - y_lo) * plot_h;

    let level_name = if level == "im" { "initial" } else { "maintenance" };
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{} — loss vs spot on the {level_name} stress box</text>"#,
        escape(&p.name)
    );
    let _ = writeln!(s, r##"<text x="{LEFT}" y="44" fill="#444444">{}</text>"##, escape(&p.note));
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
    // Zero line, margin line, current spot.
    if y_lo <= 0.0 && 0.0 <= y_hi {
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{0:.2}" x2="{1:.2}" y2="{0:.2}" stroke="#000000" stroke-width="1"/>"##,
            py(0.0),
            LEFT + plot_w
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{0:.2}" x2="{1:.2}" y2="{0:.2}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="8 4"/><text x="{2:.2}" y="{3:.2}" fill="#c0392b" text-anchor="end">MR({level})</text>"##,
        py(p.margin),
        LEFT + plot_w,
        LEFT + plot_w - 4.0,
        if py(p.margin) - TOP < 16.0 { py(p.margin) + 15.0 } else { py(p.margin) - 5.0 }
    );
    if x_lo <= p.spot && p.spot <= x_hi {
        let _ = writeln!(
            s,
            r##"<line x1="{0:.2}" y1="{TOP}" x2="{0:.2}" y2="{1:.2}" stroke="#777777" stroke-dasharray="3 3"/><text x="{2:.2}" y="{3:.2}" fill="#555555">S</text>"##,
            px(p.spot),
            TOP + plot_h,
            px(p.spot) + 4.0,
            TOP + plot_h - 6.0
        );
    }
    // Series and legend.
    let n = p.series.len();
    for (j, (vol, pts)) in p.series.iter().enumerate() {
        let color = ramp(if n > 1 { j as f64 / (n - 1) as f64 } else { 0.5 });
        let coords: Vec<String> = pts.iter().map(|&(x, y)| format!("{:.2},{:.2}", px(x), py(y))).collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2" stroke-linejoin="round"/>"#,
            coords.join(" ")
        );
        let ly = TOP + 10.0 + 20.0 * j as f64;
        let lx = LEFT + plot_w + 16.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx:.2}" y1="{ly:.2}" x2="{:.2}" y2="{ly:.2}" stroke="{color}" stroke-width="3"/><text x="{:.2}" y="{:.2}">σ = {}</text>"#,
            lx + 24.0,
            lx + 30.0,
            ly + 4.0,
            label(*vol, 0.0001)
        );
    }
    // Axis titles.
    let _ = writeln!(
        s,
        r#"<text x="{:.2}" y="{:.2}" text-anchor="middle">spot (quote per unit)</text>"#,
        LEFT + plot_w / 2.0,
        TOP + plot_h + 42.0
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(22,{:.2}) rotate(-90)" text-anchor="middle">loss in quote (negative = gain)</text>"#,
        TOP + plot_h / 2.0
    );
}

/// A 1-2-5 step giving about `target` intervals over `range`.
fn nice_step(range: f64, target: u32) -> f64 {
    let raw = range / f64::from(target);
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

/// `x` with as many decimals as `step` needs (no `-0`).
fn label(x: f64, step: f64) -> String {
    let decimals = if step > 0.0 { (-step.log10().floor()).clamp(0.0, 12.0) as usize } else { 2 };
    let text = format!("{x:.decimals$}");
    if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

/// Blue (low vol) to red (high vol).
fn ramp(t: f64) -> String {
    let (a, b) = ((0x1f, 0x77, 0xb4), (0xd6, 0x27, 0x28));
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// XML text escaping.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_labels() {
        assert_eq!(nice_step(7200.0, 6), 2000.0);
        assert!((nice_step(0.9, 6) - 0.2).abs() < 1e-12);
        assert_eq!(label(-0.0001, 0.01), "0.00");
        assert_eq!(label(63600.0, 2000.0), "63600");
        assert_eq!(escape("a<b&\"c\""), "a&lt;b&amp;&quot;c&quot;");
    }

    #[test]
    fn renders_one_polyline_per_vol() {
        let panel = Panel {
            name: "BTC".into(),
            spot: 100.0,
            margin: 6.0,
            note: "worst loss 6".into(),
            series: vec![(0.5, vec![(94.0, 6.0), (106.0, -6.0)]), (0.7, vec![(94.0, 5.0), (106.0, -5.0)])],
        };
        let svg = render(&[panel], "mm");
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }
}
