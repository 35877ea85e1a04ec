//! The canonical account JSON (README, "The `deltamargin` CLI") → `margin-math` inputs,
//! validated with JSON paths.
//!
//! ```json
//! { "now": 1767225600, "rate": "0",
//!   "markets": [ { "underlying": "BTC", "spot": "60000", "vol": "0.65",
//!                  "spot_shock_im": "0.10", "spot_shock_mm": "0.06",
//!                  "vol_shock_im": "0.20", "vol_shock_mm": "0.12",
//!                  "vol_floor": "0.05", "short_option_addon": "0.01", "rate": "0.03" } ],
//!   "account": { "cash": "-1000.5",
//!                "collateral": [ { "underlying": "BTC", "amount": "1.5", "basis_haircut": "0.02" } ],
//!                "positions": [ { "underlying": "BTC", "kind": "linear", "size": "-1.5", "entry": "59000" },
//!                               { "underlying": "BTC", "kind": "call", "strike": "65000",
//!                                 "expiry": 1769904000, "size": "-2", "settlement": "64000" } ] } }
//! ```
//!
//! * Every number except the two times is a decimal string (≤ 18 decimals), parsed exactly to an
//!   18-decimal integer ([`crate::decimal`]). Cash and collateral amounts are therefore passed to
//!   `margin-math` with `decimals = 18`.
//! * `now` and `expiry` are unix seconds (JSON integers), converted to ms by `× 1000`.
//! * Underlying names map to dense ids `0, 1, …` by their order in `markets`.
//! * `rate` (top level, default `"0"`) is every market's rate unless the market has its own.
//! * Optional: `rate` (both levels), `account.collateral`, `account.positions` (absent = empty),
//!   `basis_haircut` (default 0), `settlement` (only once `now ≥ expiry`).
//! * Unknown fields are errors, so a misspelt optional field is never silently ignored.
//!
//! The checks below mirror `margin-math`'s own domain checks (which still run) so that an error
//! names the exact field; what only the computation can find is located by [`crate::margin_cmd`].

use margin_math::margin::{Collateral, Market, MarketParams, Position, PositionKind};
use margin_math::OptionKind;

use crate::error::{CliError, CliResult};
use crate::json::{self, index, Json, Object};
use margin_math::decimal::E18;

/// Largest spot, strike, entry or settlement price: 1e10 quote per unit (the listing bound).
pub const MAX_PRICE_E18: u128 = 10_000_000_000 * E18;
/// Largest volatility, vol shock or vol floor: 10.0 (1000%).
pub const MAX_VOL_E18: u128 = 10 * E18;
/// Decimals of cash and collateral amounts in the canonical JSON.
pub const AMOUNT_DECIMALS: u8 = 18;

/// One account and the market snapshot it is margined against, as `margin-math` integers.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Evaluation time, ms.
    pub now_ms: u64,
    /// Underlying names; `names[id]` is the name of underlying `id`.
    pub names: Vec<String>,
    /// Markets in input order (`markets[i].underlying == i`).
    pub markets: Vec<Market>,
    /// Quote cash, 18 decimals.
    pub cash_e18: i128,
    /// Collateral in input order.
    pub collateral: Vec<Collateral>,
    /// Positions in input order.
    pub positions: Vec<Position>,
}

impl Snapshot {
    /// The account as `margin-math` takes it.
    pub fn account(&self) -> margin_math::margin::Account<'_> {
        margin_math::margin::Account {
            cash: self.cash_e18,
            cash_decimals: AMOUNT_DECIMALS,
            collateral: &self.collateral,
            positions: &self.positions,
        }
    }

    /// The name of underlying `id`.
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("?", String::as_str)
    }
}

/// Parses and validates the canonical JSON text.
pub fn parse(text: &str) -> CliResult<Snapshot> {
    let root = json::parse(text)?;
    let top = Object::new(&root, "")?;
    top.deny_unknown(&["now", "rate", "markets", "account"], "")?;
    let now_s = top.unix_seconds("now")?;
    let now_ms = seconds_to_ms(now_s, "now")?;
    let default_rate = top.optional_signed_e18("rate")?.unwrap_or(0);
    check_rate(default_rate, "rate")?;

    let mut names: Vec<String> = Vec::new();
    let mut markets = Vec::new();
    for (i, item) in top.array("markets")?.iter().enumerate() {
        let obj = Object::new(item, &index("markets", i))?;
        let (name, market) = parse_market(&obj, default_rate, names.len())?;
        if let Some(first) = names.iter().position(|n| *n == name) {
            return Err(CliError::at(
                &obj.field_path("underlying"),
                format_args!("duplicate market \"{name}\" (already markets[{first}])"),
            ));
        }
        names.push(name);
        markets.push(market);
    }

    let account = Object::new(top.required("account")?, "account")?;
    account.deny_unknown(&["cash", "collateral", "positions"], "")?;
    let cash_e18 = account.signed_e18("cash")?;
    let lookup = |value: &Json, path: &str| -> CliResult<u32> {
        let name = json::as_str(value, path)?;
        match names.iter().position(|n| n == name) {
            Some(id) => Ok(u32::try_from(id).map_err(|_| CliError::at(path, "too many markets"))?),
            None => {
                Err(CliError::at(path, format_args!("unknown underlying \"{name}\" (markets: {})", names.join(", "))))
            }
        }
    };

    let mut collateral = Vec::new();
    for (j, item) in account.array_or_empty("collateral")?.iter().enumerate() {
        let obj = Object::new(item, &index("account.collateral", j))?;
        obj.deny_unknown(&["underlying", "amount", "basis_haircut"], "")?;
        let underlying = lookup(obj.required("underlying")?, &obj.field_path("underlying"))?;
        let amount = obj.unsigned_e18("amount")?;
        let basis_haircut_e18 = obj.optional_unsigned_e18("basis_haircut")?.unwrap_or(0);
        if basis_haircut_e18 >= E18 {
            return Err(CliError::at(&obj.field_path("basis_haircut"), "must be < 1"));
        }
        collateral.push(Collateral { underlying, amount, decimals: AMOUNT_DECIMALS, basis_haircut_e18 });
    }

    let mut positions = Vec::new();
    for (k, item) in account.array_or_empty("positions")?.iter().enumerate() {
        let obj = Object::new(item, &index("account.positions", k))?;
        let underlying = lookup(obj.required("underlying")?, &obj.field_path("underlying"))?;
        positions.push(parse_position(&obj, underlying, now_s)?);
    }

    Ok(Snapshot { now_ms, names, markets, cash_e18, collateral, positions })
}

fn parse_market(obj: &Object<'_>, default_rate: i128, id: usize) -> CliResult<(String, Market)> {
    obj.deny_unknown(
        &[
            "underlying",
            "spot",
            "vol",
            "spot_shock_im",
            "spot_shock_mm",
            "vol_shock_im",
            "vol_shock_mm",
            "vol_floor",
            "short_option_addon",
            "rate",
        ],
        "",
    )?;
    let name = obj.string("underlying")?;
    if name.is_empty() {
        return Err(CliError::at(&obj.field_path("underlying"), "must not be empty"));
    }
    let at = |key: &str| obj.field_path(key);
    let spot = obj.unsigned_e18("spot")?;
    check(spot > 0, &at("spot"), "must be > 0")?;
    check(spot <= MAX_PRICE_E18, &at("spot"), "must be ≤ 10000000000")?;
    let vol = obj.unsigned_e18("vol")?;
    check(vol <= MAX_VOL_E18, &at("vol"), "must be ≤ 10")?;
    let h_im = obj.unsigned_e18("spot_shock_im")?;
    let h_mm = obj.unsigned_e18("spot_shock_mm")?;
    check(h_im < E18, &at("spot_shock_im"), "must be < 1")?;
    check(h_mm > 0, &at("spot_shock_mm"), "must be > 0")?;
    check(h_mm <= h_im, &at("spot_shock_mm"), "must be ≤ spot_shock_im")?;
    let v_im = obj.unsigned_e18("vol_shock_im")?;
    let v_mm = obj.unsigned_e18("vol_shock_mm")?;
    check(v_im <= MAX_VOL_E18, &at("vol_shock_im"), "must be ≤ 10")?;
    check(v_mm <= v_im, &at("vol_shock_mm"), "must be ≤ vol_shock_im")?;
    let floor = obj.unsigned_e18("vol_floor")?;
    check(floor > 0, &at("vol_floor"), "must be > 0")?;
    check(floor <= MAX_VOL_E18, &at("vol_floor"), "must be ≤ 10")?;
    let addon = obj.unsigned_e18("short_option_addon")?;
    check(addon < E18, &at("short_option_addon"), "must be < 1")?;
    let rate = match obj.optional_signed_e18("rate")? {
        Some(r) => {
            check_rate(r, &at("rate"))?;
            r
        }
        None => default_rate,
    };
    let underlying = u32::try_from(id).map_err(|_| CliError::at(obj.path(), "too many markets"))?;
    let market = Market {
        underlying,
        spot_e18: spot,
        vol_e18: vol,
        params: MarketParams {
            spot_shock_im_e18: h_im,
            spot_shock_mm_e18: h_mm,
            vol_shock_im_e18: v_im,
            vol_shock_mm_e18: v_mm,
            vol_floor_e18: floor,
            short_option_addon_e18: addon,
            rate_e18: rate,
        },
    };
    Ok((name.to_string(), market))
}

fn parse_position(obj: &Object<'_>, underlying: u32, now_s: u64) -> CliResult<Position> {
    let kind_path = obj.field_path("kind");
    let kind = obj.string("kind")?;
    let kind = match kind {
        "linear" => None,
        "call" => Some(OptionKind::Call),
        "put" => Some(OptionKind::Put),
        other => {
            return Err(CliError::at(
                &kind_path,
                format_args!("unknown kind \"{other}\" (expected linear, call or put)"),
            ))
        }
    };
    let size_e18 = obj.signed_e18("size")?;
    let kind = match kind {
        None => {
            obj.deny_unknown(&["underlying", "kind", "size", "entry"], " for kind linear")?;
            let entry_e18 = obj.unsigned_e18("entry")?;
            check(entry_e18 <= MAX_PRICE_E18, &obj.field_path("entry"), "must be ≤ 10000000000")?;
            PositionKind::Linear { entry_e18 }
        }
        Some(option) => {
            let context = if option == OptionKind::Call { " for kind call" } else { " for kind put" };
            obj.deny_unknown(&["underlying", "kind", "size", "strike", "expiry", "settlement"], context)?;
            let strike_e18 = obj.unsigned_e18("strike")?;
            check(strike_e18 > 0, &obj.field_path("strike"), "must be > 0")?;
            check(strike_e18 <= MAX_PRICE_E18, &obj.field_path("strike"), "must be ≤ 10000000000")?;
            let expiry_s = obj.unix_seconds("expiry")?;
            let expiry_ms = seconds_to_ms(expiry_s, &obj.field_path("expiry"))?;
            let settlement_e18 = obj.optional_unsigned_e18("settlement")?;
            if let Some(s) = settlement_e18 {
                let path = obj.field_path("settlement");
                check(s <= MAX_PRICE_E18, &path, "must be ≤ 10000000000")?;
                if now_s < expiry_s {
                    return Err(CliError::at(
                        &path,
                        format_args!("a settlement price exists only once expired (now {now_s} < expiry {expiry_s})"),
                    ));
                }
            }
            PositionKind::Option { kind: option, strike_e18, expiry_ms, settlement_e18 }
        }
    };
    Ok(Position { underlying, size_e18, kind })
}

fn check(ok: bool, path: &str, message: &str) -> CliResult<()> {
    if ok {
        Ok(())
    } else {
        Err(CliError::at(path, message))
    }
}

fn check_rate(rate_e18: i128, path: &str) -> CliResult<()> {
    check(rate_e18.unsigned_abs() <= E18, path, "must be between -1 and 1")
}

fn seconds_to_ms(seconds: u64, path: &str) -> CliResult<u64> {
    seconds
        .checked_mul(1000)
        .ok_or_else(|| CliError::at(path, "out of range (unix seconds · 1000 must fit in 64 bits)"))
}
