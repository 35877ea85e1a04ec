//! Three SVG line charts of a run: spot per market, health per account, insurance fund and
//! deficit, drawn with the one SVG writer (`deltamargin-plot`, which the CLI's stress charts
//! use too). Floats are used for drawing only; the exact figures are in the JSON output.

use std::path::Path;

use deltamargin_plot::{Chart, Series};

use super::run::SimResult;

/// Largest number of accounts drawn one line each (a cascade draws min / median / max instead).
const MAX_LINES: usize = 8;

/// A time-series chart over the run's steps.
fn chart(title: String, y_label: &str, series: Vec<Series>, zero_line: bool) -> String {
    let chart = Chart {
        title,
        x_label: "step".into(),
        y_label: y_label.into(),
        series,
        zero_line,
        x_from_zero: true,
        ..Chart::default()
    };
    deltamargin_plot::render(&[chart], "")
}

/// Writes `<dir>/<scenario>-prices.svg`, `-health.svg` and `-fund.svg`; returns their paths.
pub fn write(result: &SimResult, dir: &Path) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let e18 = 1e18;
    let line = |name: String, points: Vec<(f64, f64)>| Series { name, points, ..Series::default() };
    let prices: Vec<Series> = result
        .markets
        .iter()
        .enumerate()
        .map(|(u, name)| {
            line(name.clone(), result.steps.iter().map(|r| (f64::from(r.step), r.spots_e18[u] as f64 / e18)).collect())
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
                    color: None,
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
                let at = ((v.len().saturating_sub(1)) as f64 * q).round() as usize;
                v.get(at).copied().unwrap_or(f64::NAN)
            }
        };
        [("lowest", 0.0), ("median", 0.5), ("highest", 1.0)]
            .into_iter()
            .map(|(name, q)| {
                let points = result.steps.iter().map(|r| (f64::from(r.step), pick(q)(r))).collect();
                line(format!("{name} of {}", result.accounts.len()), points)
            })
            .collect()
    };
    let scale = 10f64.powi(i32::from(result.quote_decimals));
    let fund = vec![
        line(
            "insurance fund".into(),
            result.steps.iter().map(|r| (f64::from(r.step), r.insurance_fund as f64 / scale)).collect(),
        ),
        line("deficit".into(), result.steps.iter().map(|r| (f64::from(r.step), r.deficit as f64 / scale)).collect()),
    ];
    let (q, scenario) = (&result.quote, &result.scenario);
    let charts = [
        ("prices", chart(format!("{scenario}: spot per market"), &format!("{q} per unit"), prices, false)),
        (
            "health",
            chart(
                format!("{scenario}: health (E - MM) after each block; o = just before a liquidation"),
                q,
                health,
                true,
            ),
        ),
        ("fund", chart(format!("{scenario}: insurance fund and deficit"), q, fund, true)),
    ];
    let mut paths = Vec::new();
    for (kind, svg) in charts {
        let path = dir.join(format!("{scenario}-{kind}.svg"));
        std::fs::write(&path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
        paths.push(path.display().to_string());
    }
    Ok(paths)
}
