#![cfg_attr(not(feature = "std"), no_std, no_main)]
//! A test-only contract that measures margin-math kernels on chain: every message runs one
//! kernel `n` times on the given raw `I64F64` bits (each input passed through
//! `core::hint::black_box` per iteration, so the work cannot be hoisted out of the loop) and
//! returns the last result's raw bits (`0` for `n = 0`, `i128::MIN` if the kernel failed).
//! `tests/src/kernel_gas.rs` takes the gas difference between `n = 20` and `n = 0`.
//! Never deployed on a real chain.

#[ink::contract]
mod probe {
    use core::hint::black_box;
    use margin_math::black_scholes::{self, ln_of, OptionKind, OptionTerms};
    use margin_math::error::MathResult;
    use margin_math::{elementary, fixed_point, normal, Precise};

    /// Stateless.
    #[ink(storage)]
    #[derive(Default)]
    pub struct Probe {}

    fn p(bits: i128) -> Precise {
        Precise::from_bits(black_box(bits))
    }

    fn kind(call: bool) -> OptionKind {
        if call {
            OptionKind::Call
        } else {
            OptionKind::Put
        }
    }

    /// Runs `f` `n` times; the last result's bits, or `i128::MIN` on an error.
    fn run(n: u32, mut f: impl FnMut() -> MathResult<Precise>) -> i128 {
        let mut out = 0i128;
        for _ in 0..n {
            out = match f() {
                Ok(v) => black_box(v.to_bits()),
                Err(_) => i128::MIN,
            };
        }
        out
    }

    impl Probe {
        /// The probe.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {}
        }

        /// `black_scholes::price` (rate 0), from scratch: `OptionTerms::new` (ln K, √T), `ln S`,
        /// σ√T and its reciprocal, two Φ.
        #[ink(message)]
        pub fn price(&self, call: bool, spot: i128, strike: i128, vol: i128, years: i128, n: u32) -> i128 {
            run(n, || black_scholes::price(kind(call), p(spot), p(strike), p(vol), p(years), Precise::ZERO))
        }

        /// `black_scholes::greeks` (rate 0): the price plus φ, a division for Γ and vega.
        /// Returns the last `(price, delta, gamma, vega)` bits.
        #[ink(message)]
        pub fn greeks(
            &self,
            call: bool,
            spot: i128,
            strike: i128,
            vol: i128,
            years: i128,
            n: u32,
        ) -> (i128, i128, i128, i128) {
            let mut out = (0, 0, 0, 0);
            for _ in 0..n {
                out = match black_scholes::greeks(kind(call), p(spot), p(strike), p(vol), p(years), Precise::ZERO) {
                    Ok(g) => black_box((g.price.to_bits(), g.delta.to_bits(), g.gamma.to_bits(), g.vega.to_bits())),
                    Err(_) => (i128::MIN, 0, 0, 0),
                };
            }
            out
        }

        /// The scenario-grid path: `OptionTerms::price_at` with the option's terms, `ln S` and
        /// the volatility terms computed once outside the loop (two Φ per call).
        #[ink(message)]
        pub fn price_at(&self, call: bool, spot: i128, strike: i128, vol: i128, years: i128, n: u32) -> i128 {
            let prepared = OptionTerms::new(kind(call), p(strike), p(years), Precise::ZERO)
                .and_then(|t| Ok((t, ln_of(p(spot))?, t.at_vol(p(vol))?)));
            let Ok((terms, ln_spot, vol_terms)) = prepared else { return i128::MIN };
            run(n, || black_box(terms).price_at(p(spot), black_box(ln_spot), black_box(&vol_terms)))
        }

        /// `OptionTerms::at_vol`: σ√T and its reciprocal (one multiply, one division).
        #[ink(message)]
        pub fn at_vol(&self, strike: i128, vol: i128, years: i128, n: u32) -> i128 {
            let Ok(terms) = OptionTerms::new(OptionKind::Call, p(strike), p(years), Precise::ZERO) else {
                return i128::MIN;
            };
            let mut out = 0;
            for _ in 0..n {
                out = match black_box(terms).at_vol(p(vol)) {
                    Ok(v) => {
                        black_box(v);
                        1
                    }
                    Err(_) => i128::MIN,
                };
            }
            out
        }

        /// `normal::cdf` (Φ).
        #[ink(message)]
        pub fn cdf(&self, x: i128, n: u32) -> i128 {
            run(n, || normal::cdf(p(x)))
        }

        /// `normal::pdf` (φ).
        #[ink(message)]
        pub fn pdf(&self, x: i128, n: u32) -> i128 {
            run(n, || normal::pdf(p(x)))
        }

        /// `black_scholes::ln_of`.
        #[ink(message)]
        pub fn ln_of(&self, x: i128, n: u32) -> i128 {
            run(n, || ln_of(p(x)))
        }

        /// `elementary::exp`.
        #[ink(message)]
        pub fn exp(&self, x: i128, n: u32) -> i128 {
            run(n, || elementary::exp(p(x)))
        }

        /// `elementary::sqrt`.
        #[ink(message)]
        pub fn sqrt(&self, x: i128, n: u32) -> i128 {
            run(n, || elementary::sqrt(p(x)))
        }

        /// `fixed_point::pmul` (I64F64 multiply, floor).
        #[ink(message)]
        pub fn pmul(&self, a: i128, b: i128, n: u32) -> i128 {
            run(n, || fixed_point::pmul(p(a), p(b)))
        }

        /// `I64F64::checked_div`.
        #[ink(message)]
        pub fn div(&self, a: i128, b: i128, n: u32) -> i128 {
            run(n, || p(a).checked_div(p(b)).ok_or(margin_math::MathError::Overflow))
        }

        /// `fixed_point::pdiv` (I64F64 division from 64-bit limbs, the bits of `checked_div`).
        #[ink(message)]
        pub fn pdiv(&self, a: i128, b: i128, n: u32) -> i128 {
            run(n, || fixed_point::pdiv(p(a), p(b)))
        }
    }
}
