//! The engine's entry points: its storage (the shared `EngineState`), constructor and the
//! messages of the hot path. Each message is thin glue: the work is in the module of its
//! concern (`collateral`, `trading`, `liquidate`), the shared state work and rules in
//! `deltamargin_core`, the arithmetic in `margin-math`; everything else runs in the admin
//! module through `admin`.
#[ink::contract]
mod engine {
    use deltamargin_core::account::health_view;
    use deltamargin_core::errors::EngineError;
    use deltamargin_core::state::EngineState;
    use deltamargin_core::tokens;
    use deltamargin_core::types::*;
    use ink::prelude::vec::Vec;

    /// The engine's storage: the state shared with the admin module (one field, so both
    /// contracts have the same layout; see `deltamargin_core::state`).
    #[ink(storage)]
    pub struct Engine {
        state: EngineState,
    }

    impl Engine {
        /// Deploys the engine with its `oracle`, its `quote` asset (decimals read from the token's
        /// `PSP22Metadata`; deposits of it are credited as cash), the quote deposit cap (base
        /// units), the fee account and the code hash of the admin module (`engine_admin`, uploaded
        /// first; locked as a delegate dependency, so it cannot be removed). The caller becomes
        /// the owner; the position cap starts at `MAX_POSITIONS`. Emits `AssetListed` for the
        /// quote asset.
        ///
        /// Errors: `TokenCallFailed`, `UnsupportedDecimals`.
        #[ink(constructor)]
        pub fn new(
            oracle: AccountId,
            quote: AccountId,
            quote_deposit_cap: u128,
            fee_account: AccountId,
            admin_code: Hash,
        ) -> Result<Self, EngineError> {
            let decimals = tokens::read_decimals(quote)?;
            // Traps unless the code is on chain; the lock keeps it there while the engine lives.
            Self::env().lock_delegate_dependency(&admin_code);
            let owner = deltamargin_core::env::caller();
            let state = EngineState::new(owner, oracle, quote, decimals, quote_deposit_cap, fee_account, admin_code);
            Self::env().emit_event(deltamargin_core::events::AssetListed {
                asset: quote,
                underlying: None,
                decimals,
                basis_haircut_e18: 0,
                deposit_cap: quote_deposit_cap,
            });
            Ok(Self { state })
        }

        /// Runs a message of the admin module on the engine's state: `call` is the module's
        /// `selector ++ SCALE arguments` (e.g. `list_market` with a `MarketConfig`). The module
        /// holds the owner messages and the engine's less frequent ones — settlement
        /// (`pin_settlement`, `settle`), `fund_insurance`, `approve_venue`, the notice of changes
        /// (`announce`, `cancel`, `pending_change`) and the views but `health` (`config`,
        /// `account`, `accounts`, `market`, `asset`, `collateral_assets`, `instrument`, `venue`,
        /// `is_venue_approved`, `is_reduce_only`, `settlement_price`) — so the engine's code,
        /// paid for on every call, stays small.
        /// The module's message runs by delegate call with this call's caller, so its own checks
        /// apply (`NotOwner`, `NotPendingOwner`, …) and its events are the engine's. Returns the
        /// SCALE bytes of the message's `Ok` value (`()` is empty, an id is 4 bytes) or its
        /// error. Errors: the message's own, `InvalidAdminCall`.
        ///
        /// `&self`: the module writes the state; this frame must not write its stale copy back.
        #[ink(message)]
        #[inline(never)]
        pub fn admin(&self, call: Vec<u8>) -> Result<Vec<u8>, EngineError> {
            crate::admin::forward(self.state.admin_code, &call)
        }

        /// Caller: deposits `amount` base units of a listed asset (the quote asset is credited to
        /// cash). The caller must have approved the engine for `amount` on the token. The engine
        /// measures its own `balance_of` before and after `transfer_from` and credits the
        /// increase, which must equal `amount` (fee-on-transfer and no-op tokens are rejected).
        /// Needs no oracle. Emits `Deposited`. Errors: `ZeroAmount`, `UnknownAsset`,
        /// `DepositCapExceeded`, `TooManyPositions` (collateral entries), `TokenCallFailed`,
        /// `TokenError`, `TransferMismatch`.
        #[ink(message)]
        #[inline(never)]
        pub fn deposit(&mut self, asset: AccountId, amount: u128) -> Result<(), EngineError> {
            crate::collateral::deposit(&mut self.state, asset, amount)
        }

        /// Caller: withdraws `amount` base units. Collateral needs the balance; quote needs
        /// `cash ≥ amount`, enough quote tokens in the engine and no outstanding deficit. The
        /// account must end with `E ≥ MR(im)` at fresh prices. State is written before the token
        /// transfer (checks-effects-interactions); a failed transfer reverts everything.
        /// Emits `Withdrawn`. Errors: `Paused` (withdrawals paused), `ZeroAmount`, `UnknownAsset`, `NoAccount`,
        /// `InsufficientCollateral`, `InsufficientCash`, `InsufficientLiquidity`,
        /// `DeficitOutstanding`, `InsufficientMargin`, oracle errors (`StalePrice`, …),
        /// `TokenCallFailed`, `TokenError`.
        #[ink(message)]
        #[inline(never)]
        pub fn withdraw(&mut self, asset: AccountId, amount: u128) -> Result<(), EngineError> {
            crate::collateral::withdraw(&mut self.state, asset, amount)
        }

        /// Authorized venue: books a trade of `size_e18` contracts of `instrument` from `seller`
        /// to `buyer` at `price_e18` (quote per unit; for options the premium per contract),
        /// charging each side `fee_rate_e18` of the trade value (`size·price`, rounded up) to the
        /// fee account.
        ///
        /// Checks: both accounts approved the venue, no self-trade, fee rate within the venue's
        /// maximum and the protocol's ceiling (`FeeTooHigh`: 1% of notional for linear contracts,
        /// 12.5% of the premium for options), the instrument is listed and (options) not expired,
        /// whole lots, a fresh oracle snapshot, the price band (linear: `|price − spot| ≤
        /// band·S`; options, around the Black-Scholes mark: `vega·band_vol + |Δ|·S·band + tick`),
        /// open-interest and per-account notional caps for growing positions, the position cap,
        /// and for each side: `E ≥ MR(im)` after the trade, or the reducing exception — the leg
        /// reduces the position toward zero without crossing, at the mark or better for the
        /// side, with non-negative equity after it and maintenance health not falling (and it
        /// does not end with no items and negative cash: closing an insolvent account's last
        /// item is a liquidation). While new risk is paused, or on a reduce-only market, both legs must
        /// reduce (`Paused`, `ReduceOnly`).
        ///
        /// Linear: each side's fill realizes P&L on the closed part into cash (weighted-average
        /// entry otherwise, see `margin_math::trading::fill_linear`). Options: the buyer pays the
        /// premium `ceil(size·price)` (quote base units) to the seller. Emits `TradeApplied`.
        #[ink(message)]
        #[inline(never)]
        pub fn apply_trade(
            &mut self,
            buyer: AccountId,
            seller: AccountId,
            instrument_id: InstrumentId,
            size_e18: u128,
            price_e18: u128,
            fee_rate_e18: u128,
        ) -> Result<(), EngineError> {
            crate::trading::apply_trade(
                &mut self.state,
                buyer,
                seller,
                instrument_id,
                size_e18,
                price_e18,
                fee_rate_e18,
            )
        }

        /// Liquidator (any account holder but the target): takes `quantity` of one item of
        /// `target` — contracts (18 decimals) of a position, or base units of a collateral asset —
        /// at the mark, when the target's health `E − MR(mm)` is negative (`docs/contracts.md`).
        ///
        /// * The health is computed at the current oracle values; markets older than their max
        ///   age count at their last price (their items carry their full maintenance requirement,
        ///   the worst point of their grid) and cannot be sliced (`StalePrice`). Expired options
        ///   with a pinned price are settled first.
        /// * Positions move toward zero at the mark (spot; options: the model price, intrinsic
        ///   once expired), realizing linear P&L; an option's premium is paid by whoever takes the
        ///   long side (rounded up when the liquidator pays, down when it receives). Collateral moves
        ///   into the liquidator's account, paid at spot (`ceil`) from that account's quote cash
        ///   to the target's: no token moves, so no token call can block a liquidation.
        /// * Quantities are whole lots unless they take the whole position, and may not leave a
        ///   remainder below one lot (for collateral: one lot of the underlying in base units).
        /// * Penalty `rate·(MR(mm) before − after)`, rounded down and capped so a non-negative
        ///   equity stays non-negative, split liquidator / insurance fund. No penalty from an
        ///   insolvent target (`E < 0` after the slice): the fund pays the liquidator's share
        ///   instead, capped at `insolvent_reward_cap` and the fund.
        /// * The target's health must rise (or its last item go); if it reaches
        ///   `MR(mm) + b·(MR(im) − MR(mm))`, one lot less must not have reached it.
        /// * The liquidator must end with `E ≥ MR(im)` at fresh prices.
        /// * Taking the last item of an account with negative cash recognizes bad debt: the fund
        ///   covers what it can, the rest becomes deficit (`BadDebtRecognized`).
        ///
        /// Emits `Liquidated` (and `PositionSettled`, `BadDebtRecognized`). Errors: `Paused`
        /// (paused or within the grace period), `SelfLiquidation`, `ZeroAmount`, `NoAccount`
        /// (target or liquidator), `NotLiquidatable`, `InvalidSlice`, `UnknownAsset`,
        /// `StalePrice`, `HealthNotImproved`, `LiquidationTooLarge`, `LiquidatorMargin`,
        /// `TooManyPositions`, oracle errors, `Math`.
        #[ink(message)]
        #[inline(never)]
        pub fn liquidate(
            &mut self,
            target: AccountId,
            slice: LiquidationSlice,
            quantity: u128,
        ) -> Result<LiquidationOutcome, EngineError> {
            crate::liquidate::liquidate(&mut self.state, target, slice, quantity)
        }

        /// Health of `who` at fresh oracle prices and the current block time: raw `I80F48` bits
        /// of E, MR(im), MR(mm), E − MR(mm), and per underlying value, Δ, Γ, vega, requirements
        /// and worst scenarios (value = bits / 2^48, quote whole units). Errors: `NoAccount`,
        /// oracle errors, `Math`.
        #[ink(message)]
        #[inline(never)]
        pub fn health(&self, who: AccountId) -> Result<HealthView, EngineError> {
            let data = self.state.accounts.get(who).ok_or(EngineError::NoAccount)?;
            let now = deltamargin_core::env::now_ms();
            let health = self.state.evaluate_account(&data, now)?;
            Ok(health_view(&health, now))
        }
    }
}
