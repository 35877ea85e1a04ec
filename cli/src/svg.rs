//! The SVG chart of stress grids: loss against spot, one line per volatility, one panel per
//! underlying.
//!
//! Floating point is used here for drawing only; every number the chart shows is also in the
//! exact JSON output of `stress`.

use deltamargin_plot::{Chart, Rule, Series};

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

/// Renders all panels, stacked vertically, with the one SVG writer (`deltamargin-plot`): per
/// underlying, loss against spot with one line per volatility (blue = lowest, red = highest),
/// the requirement `MR(level)` as a dashed line and the current spot. `level` is `mm` or `im`.
pub fn render(panels: &[Panel], level: &str) -> String {
    let level_name = if level == "im" { "initial" } else { "maintenance" };
    let charts: Vec<Chart> = panels
        .iter()
        .map(|p| {
            let n = p.series.len();
            let series = p
                .series
                .iter()
                .enumerate()
                .map(|(j, (vol, points))| Series {
                    name: format!("σ = {}", deltamargin_plot::label(*vol, 0.0001)),
                    color: Some(deltamargin_plot::ramp(if n > 1 { j as f64 / (n - 1) as f64 } else { 0.5 })),
                    points: points.clone(),
                    marks: Vec::new(),
                })
                .collect();
            Chart {
                title: format!("{} — loss vs spot on the {level_name} stress box", p.name),
                note: p.note.clone(),
                x_label: "spot (quote per unit)".into(),
                y_label: "loss in quote (negative = gain)".into(),
                series,
                h_rules: vec![Rule { value: p.margin, label: format!("MR({level})"), color: "#c0392b".into() }],
                v_rules: vec![Rule { value: p.spot, label: "S".into(), color: "#777777".into() }],
                zero_line: true,
                x_from_zero: false,
            }
        })
        .collect();
    deltamargin_plot::render(&charts, "The account holds nothing: no stress grid.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_one_polyline_per_vol_with_the_margin_and_spot() {
        let panel = Panel {
            name: "BTC".into(),
            spot: 100.0,
            margin: 6.0,
            note: "worst loss 6".into(),
            series: vec![(0.5, vec![(94.0, 6.0), (106.0, -6.0)]), (0.7, vec![(94.0, 5.0), (106.0, -5.0)])],
        };
        let svg = render(&[panel], "mm");
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(">σ = 0.5000</text>") && svg.contains(">σ = 0.7000</text>"));
        assert!(svg.contains(">MR(mm)</text>") && svg.contains(">S</text>"));
        assert!(svg.contains("BTC — loss vs spot on the maintenance stress box"));
        assert!(svg.contains("stroke=\"#1f77b4\"") && svg.contains("stroke=\"#d62728\""));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert!(render(&[], "im").contains("no stress grid"));
    }
}
