//! Price histories for historical scenarios: a CSV with a `time` column, one price column per
//! underlying and optional `<underlying>_vol` columns (annualized vols), and the returns over a
//! horizon taken from it.

use core::fmt;

/// A parsed history: rows in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The `time` column, as written.
    pub times: Vec<String>,
    /// Price columns: `(underlying, closes)`, in header order.
    pub prices: Vec<(String, Vec<f64>)>,
    /// Vol columns: `(underlying, vols)` for the underlyings that have `<underlying>_vol`.
    pub vols: Vec<(String, Vec<f64>)>,
}

/// Why a history file cannot be used; lines and columns are 1-based as an editor shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryError {
    /// No header, or no data row.
    Empty,
    /// The header's first column is not `time`, or a column name is empty or repeated.
    Header(String),
    /// `<name>_vol` without a `<name>` price column.
    VolWithoutPrice(String),
    /// A row with another number of cells than the header.
    Ragged {
        /// Line of the row.
        line: usize,
    },
    /// A cell that is not a positive finite number.
    Cell {
        /// Line of the cell.
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The cell's text.
        text: String,
    },
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::Empty => write!(f, "the history has no header or no data row"),
            HistoryError::Header(why) => write!(f, "header: {why}"),
            HistoryError::VolWithoutPrice(name) => write!(f, "header: {name}_vol has no {name} price column"),
            HistoryError::Ragged { line } => write!(f, "line {line}: wrong number of cells"),
            HistoryError::Cell { line, column, text } => {
                write!(f, "line {line}, column {column}: {text:?} is not a positive number")
            }
        }
    }
}

impl std::error::Error for HistoryError {}

/// Parses a history CSV (comma-separated, no quoting; blank lines are skipped).
/// Errors: [`HistoryError`].
pub fn parse(text: &str) -> Result<History, HistoryError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or(HistoryError::Empty)?;
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    if names.first() != Some(&"time") {
        return Err(HistoryError::Header("the first column must be `time`".into()));
    }
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() || names[..i].contains(name) {
            return Err(HistoryError::Header(format!("column {} is empty or repeated", i + 1)));
        }
    }
    let columns = &names[1..];
    for name in columns {
        if let Some(base) = name.strip_suffix("_vol") {
            if !columns.contains(&base) {
                return Err(HistoryError::VolWithoutPrice(base.to_string()));
            }
        }
    }
    let mut times = Vec::new();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); columns.len()];
    for (index, line) in lines {
        let line_no = index + 1;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != names.len() {
            return Err(HistoryError::Ragged { line: line_no });
        }
        times.push(cells[0].to_string());
        for (c, cell) in cells[1..].iter().enumerate() {
            let value = cell
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| HistoryError::Cell { line: line_no, column: c + 2, text: cell.to_string() })?;
            values[c].push(value);
        }
    }
    if times.is_empty() {
        return Err(HistoryError::Empty);
    }
    let mut prices = Vec::new();
    let mut vols = Vec::new();
    for (name, column) in columns.iter().zip(values) {
        match name.strip_suffix("_vol") {
            Some(base) => vols.push((base.to_string(), column)),
            None => prices.push((name.to_string(), column)),
        }
    }
    Ok(History { times, prices, vols })
}

/// Log returns `ln(P[t+h] / P[t])` over `horizon` rows: every start row when `overlapping`,
/// else every `horizon`-th. Empty when the history is shorter than the horizon (or `horizon`
/// is 0).
pub fn returns(prices: &[f64], horizon: usize, overlapping: bool) -> Vec<f64> {
    if horizon == 0 || prices.len() <= horizon {
        return Vec::new();
    }
    let step = if overlapping { 1 } else { horizon };
    (0..prices.len() - horizon).step_by(step).map(|t| (prices[t + horizon] / prices[t]).ln()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prices_and_vols_by_name() {
        let h = parse("time,BTC,ETH,BTC_vol\n2024-01-01,100,10,0.5\n\n2024-01-02,110,9,0.6\n").unwrap();
        assert_eq!(h.times, ["2024-01-01", "2024-01-02"]);
        assert_eq!(h.prices, vec![("BTC".into(), vec![100.0, 110.0]), ("ETH".into(), vec![10.0, 9.0])]);
        assert_eq!(h.vols, vec![("BTC".into(), vec![0.5, 0.6])]);
    }

    #[test]
    fn errors_name_the_line_and_column() {
        assert_eq!(parse(""), Err(HistoryError::Empty));
        assert_eq!(parse("time,BTC\n"), Err(HistoryError::Empty));
        assert!(matches!(parse("date,BTC\nx,1\n"), Err(HistoryError::Header(_))));
        assert!(matches!(parse("time,BTC,BTC\nx,1,1\n"), Err(HistoryError::Header(_))));
        assert_eq!(parse("time,ETH_vol\nx,1\n"), Err(HistoryError::VolWithoutPrice("ETH".into())));
        assert_eq!(parse("time,BTC\nx,1\ny\n"), Err(HistoryError::Ragged { line: 3 }));
        assert_eq!(parse("time,BTC\nx,1\ny,-2\n"), Err(HistoryError::Cell { line: 3, column: 2, text: "-2".into() }));
        assert_eq!(
            parse("time,BTC\nx,abc\n").unwrap_err().to_string(),
            "line 2, column 2: \"abc\" is not a positive number"
        );
    }

    #[test]
    fn returns_over_a_horizon() {
        let p = [100.0, 110.0, 121.0, 133.1];
        let r = returns(&p, 1, true);
        assert_eq!(r.len(), 3);
        assert!(r.iter().all(|x| (x - 1.1f64.ln()).abs() < 1e-12));
        let r = returns(&p, 2, true);
        assert_eq!(r.len(), 2);
        assert!((r[0] - 1.21f64.ln()).abs() < 1e-12);
        assert_eq!(returns(&p, 2, false).len(), 1);
        assert!(returns(&p, 4, true).is_empty());
        assert!(returns(&p, 0, true).is_empty());
    }

    /// The shipped synthetic history (`examples/history.csv`, `scripts/gen/history.py`) parses:
    /// two years of days for three underlyings with vols.
    #[test]
    fn the_shipped_history_parses() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/history.csv");
        let h = parse(&std::fs::read_to_string(path).expect("examples/history.csv")).unwrap();
        assert_eq!(h.times.len(), 731);
        assert_eq!(h.times.first().map(String::as_str), Some("2024-01-01"));
        let names: Vec<&str> = h.prices.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["BTC", "ETH", "DOT"]);
        assert_eq!(h.vols.len(), 3);
        assert_eq!(h.prices[0].1[0], 60000.0);
        assert_eq!(returns(&h.prices[0].1, 1, true).len(), 730);
    }
}
