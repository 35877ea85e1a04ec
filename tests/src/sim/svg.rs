//! Three SVG line charts of a run: spot per market, health per account, insurance fund and
//! deficit. Floats are used for drawing only; the exact figures are in the JSON output.
//! (A small writer of its own: the workspace CLI's `svg.rs` draws stress panels, not time
//! series, and is a binary-only module of a workspace crate this excluded crate cannot share.)

use core::fmt::Write as _;
use std::path::Path;

use super::run::SimResult;

/// One line of a chart.
struct Series {
    name: String,
    /// `(step, value)`; NaN values break the line.
    points: Vec<(f64, f64)>,
    /// Points drawn as open circles (health just before a liquidation).
    marks: Vec<(f64, f64)>,
}

const W: f64 = 900.0;
const H: f64 = 420.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 50.0;
const COLORS: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
/// Largest number of accounts drawn one line each (a cascade draws min / median / max instead).
const MAX_LINES: usize = 8;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn nice_step(range: f64, ticks: f64) -> f64 {
    let raw = (range / ticks).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn chart(title: &str, y_label: &str, series: &[Series], zero_line: bool) -> String {
    let values = series.iter().flat_map(|s| s.points.iter().chain(s.marks.iter())).filter(|p| p.1.is_finite());
    let (mut x_hi, mut y_lo, mut y_hi) = (1.0f64, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in values {
        x_hi = x_hi.max(x);
        y_lo = y_lo.min(y);
        y_hi = y_hi.max(y);
    }
    if zero_line {
        y_lo = y_lo.min(0.0);
        y_hi = y_hi.max(0.0);
    }
    if !y_lo.is_finite() || y_hi <= y_lo {
        (y_lo, y_hi) = if y_lo.is_finite() { (y_lo - 1.0, y_lo + 1.0) } else { (-1.0, 1.0) };
    }
    let step = nice_step(y_hi - y_lo, 6.0);
    let (y_lo, y_hi) = ((y_lo / step).floor() * step, (y_hi / step).ceil() * step);
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let px = |x: f64| LEFT + x / x_hi * pw;
    let py = |y: f64| TOP + (y_hi - y) / (y_hi - y_lo) * ph;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r##"<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>"##);
    let _ = writeln!(s, r#"<text x="{}" y="28" text-anchor="middle" font-size="16">{}</text>"#, W / 2.0, escape(title));
    // Grid and axes.
    let mut y = y_lo;
    while y <= y_hi + step / 2.0 {
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1}" y2="{0:.1}" stroke="#e0e0e0"/><text x="{2}" y="{3:.1}" text-anchor="end">{4}</text>"##,
            py(y),
            LEFT + pw,
            LEFT - 6.0,
            py(y) + 4.0,
            label(y)
        );
        y += step;
    }
    let x_step = nice_step(x_hi, 10.0).max(1.0);
    let mut x = 0.0;
    while x <= x_hi + 1e-9 {
        let _ = writeln!(s, r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#, px(x), TOP + ph + 18.0, x);
        x += x_step;
    }
    let _ = writeln!(s, r#"<text x="{}" y="{}" text-anchor="middle">step</text>"#, LEFT + pw / 2.0, H - 12.0);
    let _ = writeln!(
        s,
        r#"<text x="20" y="{0}" text-anchor="middle" transform="rotate(-90 20 {0})">{1}</text>"#,
        TOP + ph / 2.0,
        escape(y_label)
    );
    if zero_line && y_lo < 0.0 && y_hi > 0.0 {
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1}" y2="{0:.1}" stroke="#000000" stroke-dasharray="4 3"/>"##,
            py(0.0),
            LEFT + pw
        );
    }
    let _ = writeln!(s, r##"<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#444444"/>"##);
    for (i, series) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let mut segment: Vec<String> = Vec::new();
        let flush = |segment: &mut Vec<String>, s: &mut String| {
            if !segment.is_empty() {
                let _ = writeln!(
                    s,
                    r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
                    segment.join(" ")
                );
                segment.clear();
            }
        };
        for &(x, y) in &series.points {
            if y.is_finite() {
                segment.push(format!("{:.1},{:.1}", px(x), py(y)));
            } else {
                flush(&mut segment, &mut s);
            }
        }
        flush(&mut segment, &mut s);
        for &(x, y) in series.marks.iter().filter(|p| p.1.is_finite()) {
            let _ = writeln!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#ffffff" stroke="{color}" stroke-width="2"/>"##,
                px(x),
                py(y)
            );
        }
        let ly = TOP + 10.0 + 18.0 * i as f64;
        let _ = writeln!(
            s,
            r#"<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{color}" stroke-width="3"/><text x="{3}" y="{4}">{5}</text>"#,
            LEFT + pw + 12.0,
            ly,
            LEFT + pw + 32.0,
            LEFT + pw + 38.0,
            ly + 4.0,
            escape(&series.name)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn label(y: f64) -> String {
    if y.abs() >= 1e6 {
        format!("{:.2}M", y / 1e6)
    } else if y.abs() >= 1e4 {
        format!("{:.0}k", y / 1e3)
    } else {
        format!("{y}")
    }
}

/// Writes `<dir>/<scenario>-prices.svg`, `-health.svg` and `-fund.svg`; returns their paths.
pub fn write(result: &SimResult, dir: &Path) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let e18 = 1e18;
    let prices: Vec<Series> = result
        .markets
        .iter()
        .enumerate()
        .map(|(u, name)| Series {
            name: name.clone(),
            points: result.steps.iter().map(|r| (f64::from(r.step), r.spots_e18[u] as f64 / e18)).collect(),
            marks: Vec::new(),
        })
        .collect();
    let charted: Vec<usize> = (0..result.accounts.len()).filter(|&i| result.charted.get(i) != Some(&false)).collect();
    let health: Vec<Series> = if charted.len() <= MAX_LINES {
        charted
            .iter()
            .map(|&i| {
                let name = &result.accounts[i];
                Series {
                    name: name.clone(),
                    points: result.steps.iter().map(|r| (f64::from(r.step), r.accounts[i].health_f64)).collect(),
                    marks: result
                        .steps
                        .iter()
                        .flat_map(|r| {
                            r.liquidations
                                .iter()
                                .filter(|l| &l.target == name)
                                .map(move |l| (f64::from(r.step), l.health_before_f64))
                        })
                        .collect(),
                }
            })
            .collect()
    } else {
        let pick = |q: f64| {
            move |r: &super::run::StepRecord| {
                let mut v: Vec<f64> = r.accounts.iter().map(|a| a.health_f64).filter(|h| h.is_finite()).collect();
                v.sort_by(f64::total_cmp);
                if v.is_empty() {
                    f64::NAN
                } else {
                    v[((v.len() - 1) as f64 * q).round() as usize]
                }
            }
        };
        [("lowest", 0.0), ("median", 0.5), ("highest", 1.0)]
            .into_iter()
            .map(|(name, q)| Series {
                name: format!("{name} of {}", result.accounts.len()),
                points: result.steps.iter().map(|r| (f64::from(r.step), pick(q)(r))).collect(),
                marks: Vec::new(),
            })
            .collect()
    };
    let scale = 10f64.powi(i32::from(result.quote_decimals));
    let fund = vec![
        Series {
            name: "insurance fund".into(),
            points: result.steps.iter().map(|r| (f64::from(r.step), r.insurance_fund as f64 / scale)).collect(),
            marks: Vec::new(),
        },
        Series {
            name: "deficit".into(),
            points: result.steps.iter().map(|r| (f64::from(r.step), r.deficit as f64 / scale)).collect(),
            marks: Vec::new(),
        },
    ];
    let q = &result.quote;
    let charts = [
        ("prices", chart(&format!("{}: spot per market", result.scenario), &format!("{q} per unit"), &prices, false)),
        (
            "health",
            chart(
                &format!("{}: health (E - MM) after each block; o = just before a liquidation", result.scenario),
                q,
                &health,
                true,
            ),
        ),
        ("fund", chart(&format!("{}: insurance fund and deficit", result.scenario), q, &fund, true)),
    ];
    let mut paths = Vec::new();
    for (kind, svg) in charts {
        let path = dir.join(format!("{}-{kind}.svg", result.scenario));
        std::fs::write(&path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
        paths.push(path.display().to_string());
    }
    Ok(paths)
}
