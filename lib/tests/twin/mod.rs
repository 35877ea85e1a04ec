//! The reference twin of `margin-math`'s margin model in plain f64: short, readable, unrounded.
//! The differential and coverage tests compare the fixed-point model with it, and the `bs`
//! benchmark uses it as the f64 baseline. It states the rule of `docs/model.md` once more, in
//! floating point, so a reader can check the fixed-point code against it line by line.
//!
//! * Black-Scholes with W. J. Cody's erfc (CALERF, Math. Comp. 23 (1969) 631–637; Netlib
//!   specfun), relative error ≲ 1e-16 over the whole line.
//! * [`Book64`]: one underlying's items; [`Book64::requirement`] is `MR_u(k)` before the add-ons
//!   (the 10 grid points and the cell bounds), [`Book64::fine_grid_loss`] the worst loss on a fine
//!   grid of the box, [`evaluate_f64`] the whole account.
#![allow(dead_code, clippy::excessive_precision)]

use std::f64::consts::{FRAC_1_SQRT_2, PI};

use margin_math::margin::{Account, Market, PositionKind};
use margin_math::OptionKind;

#[allow(clippy::excessive_precision)]
pub mod cody {
    const THRESH: f64 = 0.46875;
    const XSMALL: f64 = 1.11e-16;
    const XBIG: f64 = 26.543;
    const SQRPI: f64 = 5.641_895_835_477_562_869_5e-1; // 1/√π
    const A: [f64; 5] = [
        3.161_123_743_870_565_60e00,
        1.138_641_541_510_501_56e02,
        3.774_852_376_853_020_21e02,
        3.209_377_589_138_469_47e03,
        1.857_777_061_846_031_53e-1,
    ];
    const B: [f64; 4] = [
        2.360_129_095_234_412_09e01,
        2.440_246_379_344_441_73e02,
        1.282_616_526_077_372_28e03,
        2.844_236_833_439_170_62e03,
    ];
    const C: [f64; 9] = [
        5.641_884_969_886_700_89e-1,
        8.883_149_794_388_375_94e00,
        6.611_919_063_714_162_95e01,
        2.986_351_381_974_001_31e02,
        8.819_522_212_417_690_90e02,
        1.712_047_612_634_070_58e03,
        2.051_078_377_826_071_47e03,
        1.230_339_354_797_997_25e03,
        2.153_115_354_744_038_46e-8,
    ];
    const D: [f64; 8] = [
        1.574_492_611_070_983_47e01,
        1.176_939_508_913_124_99e02,
        5.371_811_018_620_098_58e02,
        1.621_389_574_566_690_19e03,
        3.290_799_235_733_459_63e03,
        4.362_619_090_143_247_16e03,
        3.439_367_674_143_721_64e03,
        1.230_339_354_803_749_42e03,
    ];
    const P: [f64; 6] = [
        3.053_266_349_612_323_44e-1,
        3.603_448_999_498_044_39e-1,
        1.257_817_261_112_292_46e-1,
        1.608_378_514_874_227_66e-2,
        6.587_491_615_298_378_03e-4,
        1.631_538_713_730_209_78e-2,
    ];
    const Q: [f64; 5] = [
        2.568_520_192_289_822_42e00,
        1.872_952_849_923_467_25e00,
        5.279_051_029_514_284_12e-1,
        6.051_834_131_244_131_91e-2,
        2.335_204_976_268_691_85e-3,
    ];

    /// `e^(−y²)` computed as `e^(−⌊16y⌋²/256)·e^(−(y−a)(y+a))` to avoid the rounding of `y²`.
    #[inline]
    fn exp_neg_sq(y: f64) -> f64 {
        let a = (y * 16.0).trunc() / 16.0;
        let del = (y - a) * (y + a);
        (-a * a).exp() * (-del).exp()
    }

    /// Complementary error function.
    #[inline]
    pub fn erfc(x: f64) -> f64 {
        let y = x.abs();
        if y <= THRESH {
            let ysq = if y > XSMALL { y * y } else { 0.0 };
            let mut xnum = A[4] * ysq;
            let mut xden = ysq;
            for (a, b) in A.iter().zip(B.iter()).take(3) {
                xnum = (xnum + a) * ysq;
                xden = (xden + b) * ysq;
            }
            return 1.0 - x * (xnum + A[3]) / (xden + B[3]);
        }
        let r = if y <= 4.0 {
            let mut xnum = C[8] * y;
            let mut xden = y;
            for (c, d) in C.iter().zip(D.iter()).take(7) {
                xnum = (xnum + c) * y;
                xden = (xden + d) * y;
            }
            exp_neg_sq(y) * (xnum + C[7]) / (xden + D[7])
        } else if y >= XBIG {
            0.0
        } else {
            let ysq = 1.0 / (y * y);
            let mut xnum = P[5] * ysq;
            let mut xden = ysq;
            for (p, q) in P.iter().zip(Q.iter()).take(4) {
                xnum = (xnum + p) * ysq;
                xden = (xden + q) * ysq;
            }
            let r = ysq * (xnum + P[4]) / (xden + Q[4]);
            exp_neg_sq(y) * (SQRPI - r) / y
        };
        if x < 0.0 {
            2.0 - r
        } else {
            r
        }
    }
}

/// Φ(x) = erfc(−x/√2)/2.
#[inline]
pub fn phi_f64(x: f64) -> f64 {
    0.5 * cody::erfc(-x * FRAC_1_SQRT_2)
}

/// φ(x).
#[inline]
pub fn pdf_f64(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// Price and first/second-order greeks of one option (vega per 1.00 of vol).
#[derive(Debug, Clone, Copy)]
pub struct GreeksF64 {
    pub price: f64,
    pub delta: f64,
    pub gamma: f64,
    pub vega: f64,
}

/// (d1, d2, K·e^(−rT), √T, σ√T) — the same formulas as `black_scholes`.
#[inline]
pub fn core_f64(s: f64, k: f64, vol: f64, t: f64, r: f64) -> (f64, f64, f64, f64, f64) {
    let sqrt_t = t.sqrt();
    let sst = vol * sqrt_t;
    let dk = k * (-r * t).exp();
    if sst == 0.0 {
        return (0.0, 0.0, dk, sqrt_t, 0.0);
    }
    let d1 = ((s / k).ln() + r * t) / sst + 0.5 * sst;
    (d1, d1 - sst, dk, sqrt_t, sst)
}

/// Black-Scholes price; at `σ√T = 0` the discounted intrinsic value.
#[inline]
pub fn price_f64(kind: OptionKind, s: f64, k: f64, vol: f64, t: f64, r: f64) -> f64 {
    greeks_f64(kind, s, k, vol, t, r).price
}

/// Price, delta (at `σ√T = 0` the intrinsic value's subgradient: 1/0, ½ at the strike), gamma
/// and vega.
#[inline]
pub fn greeks_f64(kind: OptionKind, s: f64, k: f64, vol: f64, t: f64, r: f64) -> GreeksF64 {
    let (d1, d2, dk, sqrt_t, sst) = core_f64(s, k, vol, t, r);
    if sst == 0.0 {
        let half = if s == dk { 0.5 } else { 0.0 };
        let (price, delta) = match kind {
            OptionKind::Call => ((s - dk).max(0.0), if s > dk { 1.0 } else { half }),
            OptionKind::Put => ((dk - s).max(0.0), if s < dk { -1.0 } else { -half }),
        };
        return GreeksF64 { price, delta, gamma: 0.0, vega: 0.0 };
    }
    let (price, delta) = match kind {
        OptionKind::Call => {
            let n1 = phi_f64(d1);
            (s * n1 - dk * phi_f64(d2), n1)
        }
        OptionKind::Put => {
            let n1 = phi_f64(-d1);
            (dk * phi_f64(-d2) - s * n1, -n1)
        }
    };
    let density = pdf_f64(d1);
    GreeksF64 { price: price.max(0.0), delta, gamma: density / (s * sst), vega: s * density * sqrt_t }
}

/// `d1`, or `None` where `σ√T = 0` (vega is 0 there).
pub fn d1_f64(s: f64, k: f64, vol: f64, t: f64, r: f64) -> Option<f64> {
    let (d1, _, _, _, sst) = core_f64(s, k, vol, t, r);
    (sst > 0.0).then_some(d1)
}

pub const ONE_E18: f64 = 1e18;

pub fn e18f(x: u128) -> f64 {
    x as f64 / ONE_E18
}

/// One unpinned option of a [`Book64`].
#[derive(Debug, Clone, Copy)]
pub struct Opt64 {
    pub kind: OptionKind,
    /// Contracts, signed.
    pub size: f64,
    pub strike: f64,
    pub years: f64,
}

/// Which options a sum takes, by size.
type Keep = fn(f64) -> bool;

/// One option at one grid point.
#[derive(Debug, Clone, Copy)]
struct Point {
    price: f64,
    delta: f64,
    d1: Option<f64>,
}

/// One margin level's shocks: spot `h`, vol `v`.
#[derive(Debug, Clone, Copy)]
pub struct Level {
    pub h: f64,
    pub v: f64,
}

/// One underlying's items in f64.
#[derive(Debug, Clone)]
pub struct Book64 {
    pub spot: f64,
    pub vol: f64,
    pub rate: f64,
    pub vol_floor: f64,
    /// Σ collateral + Σ linear sizes.
    pub d_one: f64,
    /// Unpinned options (pinned ones are constants and cancel in every loss).
    pub options: Vec<Opt64>,
    /// `V_u(S, σ)`.
    pub value: f64,
    /// Σ |size| of short unpinned options.
    pub short_size: f64,
    /// Σ collateral amount · basis haircut.
    pub haircut_units: f64,
    pub addon: f64,
    pub mm: Level,
    pub im: Level,
}

impl Book64 {
    /// The items of `market`'s underlying in `account` at `now_ms`; `None` if it holds none.
    pub fn of(market: &Market, account: &Account<'_>, now_ms: u64) -> Option<Self> {
        let u = market.underlying;
        let held =
            account.collateral.iter().any(|c| c.underlying == u) || account.positions.iter().any(|p| p.underlying == u);
        if !held {
            return None;
        }
        let p = &market.params;
        let (s, vol, r) = (e18f(market.spot_e18), e18f(market.vol_e18), p.rate_e18 as f64 / ONE_E18);
        let mut b = Book64 {
            spot: s,
            vol,
            rate: r,
            vol_floor: e18f(p.vol_floor_e18),
            d_one: 0.0,
            options: Vec::new(),
            value: 0.0,
            short_size: 0.0,
            haircut_units: 0.0,
            addon: e18f(p.short_option_addon_e18),
            mm: Level { h: e18f(p.spot_shock_mm_e18), v: e18f(p.vol_shock_mm_e18) },
            im: Level { h: e18f(p.spot_shock_im_e18), v: e18f(p.vol_shock_im_e18) },
        };
        for c in account.collateral.iter().filter(|c| c.underlying == u) {
            let amount = c.amount as f64 / 10f64.powi(i32::from(c.decimals));
            b.d_one += amount;
            b.value += amount * s;
            b.haircut_units += amount * e18f(c.basis_haircut_e18);
        }
        for pos in account.positions.iter().filter(|p| p.underlying == u) {
            let size = pos.size_e18 as f64 / ONE_E18;
            match pos.kind {
                PositionKind::Linear { entry_e18 } => {
                    b.d_one += size;
                    b.value += size * (s - e18f(entry_e18));
                }
                PositionKind::Option { kind, strike_e18, expiry_ms, settlement_e18 } => {
                    let strike = e18f(strike_e18);
                    let years = expiry_ms.saturating_sub(now_ms) as f64 / 31_536_000_000.0;
                    match settlement_e18 {
                        Some(x) if now_ms >= expiry_ms => {
                            let x = e18f(x);
                            let intrinsic = match kind {
                                OptionKind::Call => x - strike,
                                OptionKind::Put => strike - x,
                            };
                            b.value += size * intrinsic.max(0.0);
                        }
                        _ => {
                            if size < 0.0 {
                                b.short_size -= size;
                            }
                            b.value += size * price_f64(kind, s, strike, vol, years, r);
                            b.options.push(Opt64 { kind, size, strike, years });
                        }
                    }
                }
            }
        }
        Some(b)
    }

    /// The vol scenarios `max(σ − v, σ_min)` and `σ + v`, lower first.
    pub fn vols(&self, level: Level) -> (f64, f64) {
        let (a, b) = ((self.vol - level.v).max(self.vol_floor), self.vol + level.v);
        (a.min(b), a.max(b))
    }

    /// Value of the options selected by `keep` at spot `s` and vol `nu`.
    fn options_value(&self, s: f64, nu: f64, keep: impl Fn(&Opt64) -> bool) -> f64 {
        self.options
            .iter()
            .filter(|o| keep(o))
            .map(|o| o.size * price_f64(o.kind, s, o.strike, nu, o.years, self.rate))
            .sum()
    }

    /// Value (without constants, which cancel in losses) at spot `s` and vol `nu`.
    pub fn value_at(&self, s: f64, nu: f64) -> f64 {
        self.options_value(s, nu, |_| true) + self.d_one * s
    }

    /// `V(S, σ) − V(s, ν)`.
    pub fn loss(&self, s: f64, nu: f64) -> f64 {
        self.value_at(self.spot, self.vol) - self.value_at(s, nu)
    }

    /// The five grid spots `S(1 + h·{−1, −½, 0, ½, 1})`.
    pub fn grid_spots(&self, level: Level) -> [f64; 5] {
        let (s, h) = (self.spot, level.h);
        [s * (1.0 - h), s * (1.0 - h / 2.0), s, s * (1.0 + h / 2.0), s * (1.0 + h)]
    }

    /// Every option's price, delta and `d1` at the 10 grid points, `[option][spot][vol]`.
    fn grid_points(&self, level: Level) -> Vec<[[Point; 2]; 5]> {
        let (lo, hi) = self.vols(level);
        let spots = self.grid_spots(level);
        self.options
            .iter()
            .map(|o| {
                spots.map(|s| {
                    [lo, hi].map(|nu| {
                        let g = greeks_f64(o.kind, s, o.strike, nu, o.years, self.rate);
                        Point { price: g.price, delta: g.delta, d1: d1_f64(s, o.strike, nu, o.years, self.rate) }
                    })
                })
            })
            .collect()
    }

    /// The worst loss on the 10 grid points (may be negative).
    pub fn grid_loss(&self, level: Level) -> f64 {
        self.requirement_parts(level).0
    }

    /// `MR_u(k)` before the add-ons: `max(0, grid losses, cell bounds)`.
    pub fn requirement(&self, level: Level) -> f64 {
        let (grid, cells) = self.requirement_parts(level);
        cells.iter().fold(grid.max(0.0), |m, &c| m.max(c))
    }

    /// The worst of the 10 grid losses, and each spot cell's bound (none without long options).
    ///
    /// Cell `[a, b]`: `V(S, σ) − (B + G)`, with `W(s) = V_L(s, ν_lo) + V_S(s, ν_hi) + D·s`, `B`
    /// the minimum over `[a, b]` of the longs' tangents at `a`, `b` plus the chord of the rest
    /// (`W − V_L`), and `G = (ν_hi − ν_lo)·min(vega_L, vega_S)` from each side's vega lower bound
    /// `|n|·a·√T·φ(largest |d1| at the cell's corners)`.
    pub fn requirement_parts(&self, level: Level) -> (f64, Vec<f64>) {
        let (lo, hi) = self.vols(level);
        let spots = self.grid_spots(level);
        let at = self.grid_points(level);
        let base = self.value_at(self.spot, self.vol);
        let side = |keep: Keep, i: usize, j: usize, f: fn(&Point) -> f64| -> f64 {
            self.options.iter().zip(&at).filter(|(o, _)| keep(o.size)).map(|(o, p)| o.size * f(&p[i][j])).sum()
        };
        let long: Keep = |n| n > 0.0;
        let short: Keep = |n| n < 0.0;
        let any: Keep = |_| true;
        let price = |p: &Point| p.price;
        let delta = |p: &Point| p.delta;
        let mut grid = f64::NEG_INFINITY;
        for (i, s) in spots.iter().enumerate() {
            for j in 0..2 {
                grid = grid.max(base - side(any, i, j, price) - self.d_one * s);
            }
        }
        if !self.options.iter().any(|o| o.size > 0.0) {
            return (grid, Vec::new());
        }
        let v_long = |i: usize| side(long, i, 0, price);
        let rest = |i: usize| side(short, i, 1, price) + self.d_one * spots[i];
        let vega_floor = |keep: Keep, i: usize| -> f64 {
            self.options
                .iter()
                .zip(&at)
                .filter(|(o, _)| keep(o.size))
                .map(|(o, p)| {
                    let corners = [p[i][0].d1, p[i][1].d1, p[i + 1][0].d1, p[i + 1][1].d1];
                    if corners.iter().any(Option::is_none) {
                        return 0.0;
                    }
                    let d = corners.iter().map(|d| d.unwrap_or(0.0).abs()).fold(0.0, f64::max);
                    o.size.abs() * spots[i] * o.years.sqrt() * pdf_f64(d)
                })
                .sum()
        };
        let cells = (0..4)
            .map(|i| {
                let (a, b) = (spots[i], spots[i + 1]);
                let (w_a, w_b) = (v_long(i) + rest(i), v_long(i + 1) + rest(i + 1));
                let w = b - a;
                let (p, q) = (side(long, i, 0, delta), side(long, i + 1, 0, delta));
                let c = (rest(i + 1) - rest(i)) / w;
                let bound = if q > p && p + c < 0.0 && q + c > 0.0 {
                    let u = ((q * w - (v_long(i + 1) - v_long(i))) / (q - p)).clamp(0.0, w);
                    (w_a + (p + c) * u).min(w_b - (q + c) * (w - u))
                } else {
                    w_a.min(w_b)
                };
                let credit = (hi - lo) * vega_floor(long, i).min(vega_floor(short, i));
                base - bound - credit
            })
            .collect();
        (grid, cells)
    }

    /// The worst loss (at least 0) on an `n_spot × n_vol` grid evenly covering the box
    /// `[S(1 − h), S(1 + h)] × [ν_lo, ν_hi]`.
    pub fn fine_grid_loss(&self, level: Level, n_spot: usize, n_vol: usize) -> f64 {
        let (lo, hi) = self.vols(level);
        let base = self.value_at(self.spot, self.vol);
        let mut worst = 0.0f64;
        for i in 0..n_spot {
            let s = self.spot * (1.0 - level.h + 2.0 * level.h * i as f64 / (n_spot - 1) as f64);
            for j in 0..n_vol {
                let nu = lo + (hi - lo) * j as f64 / (n_vol - 1).max(1) as f64;
                worst = worst.max(base - self.value_at(s, nu));
            }
        }
        worst
    }

    /// `m·S·Σ|short| + S·Σ haircut units`.
    pub fn add_ons(&self) -> f64 {
        self.addon * self.spot * self.short_size + self.haircut_units * self.spot
    }
}

/// Risk of one underlying in f64.
#[derive(Debug, Clone)]
pub struct RiskF64 {
    pub underlying: u32,
    pub value: f64,
    pub delta: f64,
    pub gamma: f64,
    pub vega: f64,
    pub initial_margin: f64,
    pub maintenance_margin: f64,
}

/// The whole account in f64.
#[derive(Debug, Clone)]
pub struct HealthF64 {
    pub equity: f64,
    pub initial_margin: f64,
    pub maintenance_margin: f64,
    pub health: f64,
    pub liquidatable: bool,
    pub underlyings: Vec<RiskF64>,
}

/// `margin::evaluate` in f64.
pub fn evaluate_f64(markets: &[Market], account: &Account<'_>, now_ms: u64) -> HealthF64 {
    let mut equity = account.cash as f64 / 10f64.powi(i32::from(account.cash_decimals));
    let (mut im_total, mut mm_total) = (0.0, 0.0);
    let mut underlyings = Vec::new();
    for m in markets {
        let Some(b) = Book64::of(m, account, now_ms) else { continue };
        let (mut delta, mut gamma, mut vega) = (b.d_one, 0.0, 0.0);
        for o in &b.options {
            let g = greeks_f64(o.kind, b.spot, o.strike, b.vol, o.years, b.rate);
            delta += o.size * g.delta;
            gamma += o.size * g.gamma;
            vega += o.size * g.vega;
        }
        let mm = b.requirement(b.mm) + b.add_ons();
        let im = (b.requirement(b.im) + b.add_ons()).max(mm);
        equity += b.value;
        im_total += im;
        mm_total += mm;
        underlyings.push(RiskF64 {
            underlying: m.underlying,
            value: b.value,
            delta,
            gamma,
            vega,
            initial_margin: im,
            maintenance_margin: mm,
        });
    }
    let health = equity - mm_total;
    HealthF64 {
        equity,
        initial_margin: im_total,
        maintenance_margin: mm_total,
        health,
        liquidatable: health < 0.0,
        underlyings,
    }
}
