//! deltamargin engine admin module: the engine's owner-only messages (ownership, listings,
//! venues, pauses, parameters, notice of changes, deficit cover) and its less frequent public
//! ones (settlement, insurance funding, venue approvals, views but `health`).
//!
//! A contract of its own over the engine's storage type: its `#[ink(storage)]` struct is the
//! engine's, one field of `deltamargin_core::state::EngineState`, so the layouts are identical
//! by construction (the sandbox test `engine_and_admin_module_share_one_storage_layout` checks
//! the two metadata). It is never instantiated (its constructor always fails): upload its code,
//! pass the code hash to the engine's constructor, and call its messages through the engine's
//! `admin(selector ++ arguments)`, which delegate-calls this code on the engine's storage, with
//! the engine's caller and address; its events are the engine's.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use deltamargin_core::{account, errors, events, liquidation, state, types};
pub use deltamargin_core::{EngineError, MathFailure, Side};

#[ink::contract]
mod engine_admin {
    use deltamargin_core::env;
    use deltamargin_core::errors::{ensure, EngineError, MathFailure};
    use deltamargin_core::events::*;
    use deltamargin_core::state::EngineState;
    use deltamargin_core::tokens;
    use deltamargin_core::types::*;
    use deltamargin_interfaces::{FeedKind, PriceOracle};
    use ink::prelude::vec::Vec;

    const OVERFLOW: EngineError = EngineError::Math(MathFailure::Overflow);

    /// The engine's storage (see `deltamargin_core::state`): the same single field as the
    /// engine's storage struct.
    #[ink(storage)]
    pub struct EngineAdmin {
        state: EngineState,
    }

    impl EngineAdmin {
        /// Always fails with `InvalidAdminCall`: the module runs only by delegate call from the
        /// engine, on the engine's storage; an instance of its own would hold no engine.
        #[ink(constructor)]
        pub fn new() -> Result<Self, EngineError> {
            Err(EngineError::InvalidAdminCall)
        }

        // ------------------------------------------------------------------ ownership

        /// Owner: proposes `new_owner`, who must call `accept_ownership`. Emits
        /// `OwnershipTransferStarted`. Errors: `NotOwner`.
        #[ink(message)]
        #[inline(never)]
        pub fn transfer_ownership(&mut self, new_owner: AccountId) -> Result<(), EngineError> {
            self.only_owner()?;
            self.state.pending_owner = Some(new_owner);
            env::emit(OwnershipTransferStarted { owner: self.state.owner, pending_owner: new_owner });
            Ok(())
        }

        /// Pending owner: completes the transfer. Emits `OwnershipTransferred`.
        /// Errors: `NotPendingOwner`.
        #[ink(message)]
        #[inline(never)]
        pub fn accept_ownership(&mut self) -> Result<(), EngineError> {
            let caller = env::caller();
            ensure(self.state.pending_owner == Some(caller), EngineError::NotPendingOwner)?;
            let previous_owner = self.state.owner;
            self.state.owner = caller;
            self.state.pending_owner = None;
            env::emit(OwnershipTransferred { previous_owner, new_owner: caller });
            Ok(())
        }

        // ------------------------------------------------------------------ listing

        /// Owner: lists a market (underlying) and returns its id (dense, from 0). Emits
        /// `MarketListed`. Errors: `NotOwner`, `TooManyMarkets`, `InvalidMarketParams`
        /// (see `MarketConfig::is_valid`), `InvalidFeed`, `OracleCallFailed`.
        #[ink(message)]
        #[inline(never)]
        pub fn list_market(&mut self, config: MarketConfig) -> Result<UnderlyingId, EngineError> {
            self.only_owner()?;
            ensure(self.state.market_count < MAX_MARKETS, EngineError::TooManyMarkets)?;
            ensure(config.is_valid(), EngineError::InvalidMarketParams)?;
            self.check_feeds(&config)?;
            let underlying = self.state.market_count;
            self.state.markets.insert(underlying, &config);
            self.state.market_references.insert(underlying, &config);
            self.state.market_count = underlying.checked_add(1).ok_or(OVERFLOW)?;
            env::emit(MarketListed { underlying, config });
            Ok(underlying)
        }

        /// Owner: replaces a market's configuration. Emits `MarketUpdated`.
        /// Step limits: see `MarketConfig::within_step_of`. A change that can make a healthy
        /// account liquidatable (`MarketConfig::needs_notice_over`: a shock, floor or add-on
        /// raised, the rate changed, a feed repointed, `max_spot` or the max age lowered) must be
        /// announced and wait the change delay, and so must a decrease below half of the market's
        /// reference (`MarketConfig::below_floor_of`: the configuration at listing or after the
        /// last announced change, which an announced change resets). Errors: `NotOwner`, `UnknownMarket`,
        /// `InvalidMarketParams`, `StepTooLarge`, `InvalidFeed`, `OracleCallFailed`,
        /// `NoticeRequired`, `NoticePending`.
        #[ink(message)]
        #[inline(never)]
        pub fn update_market(&mut self, underlying: UnderlyingId, config: MarketConfig) -> Result<(), EngineError> {
            self.only_owner()?;
            let old = self.state.market_config(underlying)?;
            ensure(config.is_valid(), EngineError::InvalidMarketParams)?;
            ensure(config.within_step_of(&old), EngineError::StepTooLarge)?;
            self.check_feeds(&config)?;
            let reference = self.state.market_references.get(underlying).unwrap_or(old);
            let needs = config.needs_notice_over(&old) || config.below_floor_of(&reference);
            self.notice(needs, ink::selector_bytes!("update_market"), &(underlying, config))?;
            // Without a delay every change is as good as announced.
            if needs || self.state.change_delay_ms == 0 {
                self.state.market_references.insert(underlying, &config);
            }
            self.state.markets.insert(underlying, &config);
            env::emit(MarketUpdated { underlying, config });
            Ok(())
        }

        /// Owner: lists a PSP22 token as collateral priced by `underlying`'s spot. Its decimals
        /// are read from `PSP22Metadata::token_decimals` (0–24). `basis_haircut_e18 < 1e18`;
        /// `deposit_cap` (base units) must keep the whole cap below 1e18 quote at the market's
        /// `max_spot_e18`. Emits `AssetListed`. Errors: `NotOwner`, `AssetAlreadyListed`,
        /// `TooManyAssets`, `UnknownMarket`, `TokenCallFailed`, `UnsupportedDecimals`,
        /// `InvalidAssetParams`.
        #[ink(message)]
        #[inline(never)]
        pub fn list_asset(
            &mut self,
            asset: AccountId,
            underlying: UnderlyingId,
            basis_haircut_e18: u128,
            deposit_cap: u128,
        ) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(!self.state.assets.contains(asset), EngineError::AssetAlreadyListed)?;
            let count = u32::try_from(self.state.asset_list.len()).map_err(|_| EngineError::TooManyAssets)?;
            ensure(count < MAX_ASSETS, EngineError::TooManyAssets)?;
            let market = self.state.market_config(underlying)?;
            let decimals = tokens::read_decimals(asset)?;
            let config = AssetConfig {
                underlying: Some(underlying),
                decimals,
                basis_haircut_e18,
                deposit_cap,
                total_deposits: 0,
            };
            ensure(asset_params_ok(&config, &market), EngineError::InvalidAssetParams)?;
            self.state.assets.insert(asset, &config);
            self.state.asset_list.push(asset);
            env::emit(AssetListed { asset, underlying: Some(underlying), decimals, basis_haircut_e18, deposit_cap });
            Ok(())
        }

        /// Owner: changes a listed asset's basis haircut and deposit cap (same bounds as
        /// listing; the quote asset's haircut must stay 0; the haircut moves at most a factor of
        /// 2 per update, from 0 at most to 0.05; the cap is free; raising the haircut must be
        /// announced and wait the change delay). Emits `AssetUpdated`. Errors: `NotOwner`,
        /// `UnknownAsset`, `InvalidAssetParams`, `StepTooLarge`, `NoticeRequired`, `NoticePending`.
        #[ink(message)]
        #[inline(never)]
        pub fn update_asset(
            &mut self,
            asset: AccountId,
            basis_haircut_e18: u128,
            deposit_cap: u128,
        ) -> Result<(), EngineError> {
            self.only_owner()?;
            let mut config = self.state.assets.get(asset).ok_or(EngineError::UnknownAsset)?;
            let old_haircut = config.basis_haircut_e18;
            let step_ok = within_factor_two(old_haircut, basis_haircut_e18, MAX_STEP_FROM_ZERO_E18);
            config.basis_haircut_e18 = basis_haircut_e18;
            config.deposit_cap = deposit_cap;
            let ok = match config.underlying {
                Some(u) => asset_params_ok(&config, &self.state.market_config(u)?),
                None => basis_haircut_e18 == 0,
            };
            ensure(ok, EngineError::InvalidAssetParams)?;
            ensure(step_ok, EngineError::StepTooLarge)?;
            let raises = basis_haircut_e18 > old_haircut;
            self.notice(raises, ink::selector_bytes!("update_asset"), &(asset, basis_haircut_e18, deposit_cap))?;
            self.state.assets.insert(asset, &config);
            env::emit(AssetUpdated { asset, basis_haircut_e18, deposit_cap });
            Ok(())
        }

        /// Owner: lists an instrument on `underlying` and returns its id (dense, from 0). Options
        /// need `1e-6 ≤ strike ≤ 1e10` (18 decimals) and an expiry (ms) after the current block,
        /// on a whole minute (the oracle's settlement boundaries) and at most
        /// `MAX_EXPIRY_HORIZON_MS` (10 years) ahead, so `e^{−rT}` stays computable at any rate. Emits `InstrumentListed`. Errors: `NotOwner`, `UnknownMarket`,
        /// `InvalidInstrument`.
        #[ink(message)]
        #[inline(never)]
        pub fn list_instrument(
            &mut self,
            underlying: UnderlyingId,
            kind: InstrumentKind,
        ) -> Result<InstrumentId, EngineError> {
            self.only_owner()?;
            self.state.market_config(underlying)?;
            if let InstrumentKind::Option { strike_e18, expiry_ms, .. } = kind {
                let now = env::now_ms();
                let ok = (MIN_SPOT_E18..=MAX_SPOT_E18).contains(&strike_e18)
                    && expiry_ms > now
                    && expiry_ms % margin_math::feed::SETTLEMENT_PERIOD_MS == 0
                    && expiry_ms <= now.saturating_add(MAX_EXPIRY_HORIZON_MS);
                ensure(ok, EngineError::InvalidInstrument)?;
            }
            let instrument = self.state.instrument_count;
            self.state.instruments.insert(instrument, &Instrument { underlying, kind, open_interest_e18: 0 });
            self.state.instrument_count = instrument.checked_add(1).ok_or(OVERFLOW)?;
            env::emit(InstrumentListed { instrument, underlying, kind });
            Ok(instrument)
        }

        // ------------------------------------------------------------------ venues

        /// Owner: authorizes `venue` to report trades, charging each side at most
        /// `max_fee_rate_e18` of the trade value (notional for linear contracts, premium for
        /// options; at most the protocol's `MAX_OPTION_FEE_RATE_E18`, 12.5%, and a linear trade's
        /// rate at most `MAX_LINEAR_FEE_RATE_E18`, 1%) plus, on options, `option_fee_floor_e18` of
        /// spot per contract (at most `MAX_OPTION_FEE_FLOOR_E18`, 0.03%). Calling again changes
        /// both; raising either must be announced and wait the change delay. A venue
        /// (re)authorized after a deauthorization starts a new epoch: accounts must approve it
        /// again. Emits `VenueAuthorized`. Errors: `NotOwner`, `InvalidFeeRate`,
        /// `NoticeRequired`, `NoticePending`.
        #[ink(message)]
        #[inline(never)]
        pub fn authorize_venue(
            &mut self,
            venue: AccountId,
            max_fee_rate_e18: u128,
            option_fee_floor_e18: u128,
        ) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(max_fee_rate_e18 <= MAX_OPTION_FEE_RATE_E18, EngineError::InvalidFeeRate)?;
            ensure(option_fee_floor_e18 <= MAX_OPTION_FEE_FLOOR_E18, EngineError::InvalidFeeRate)?;
            let epoch = match self.state.venues.get(venue) {
                // Raising an authorized venue's maximum waits; its approvals stay.
                Some(old) => {
                    let raises =
                        max_fee_rate_e18 > old.max_fee_rate_e18 || option_fee_floor_e18 > old.option_fee_floor_e18;
                    let args = (venue, max_fee_rate_e18, option_fee_floor_e18);
                    self.notice(raises, ink::selector_bytes!("authorize_venue"), &args)?;
                    old.epoch
                }
                // A new authorization starts a new epoch: approvals given before are void.
                None => {
                    self.state.venue_epoch = self.state.venue_epoch.checked_add(1).ok_or(OVERFLOW)?;
                    self.state.venue_epoch
                }
            };
            self.state.venues.insert(venue, &VenueConfig { max_fee_rate_e18, option_fee_floor_e18, epoch });
            env::emit(VenueAuthorized { venue, max_fee_rate_e18, option_fee_floor_e18 });
            Ok(())
        }

        /// Owner: withdraws a venue's authorization (its trades are rejected from now on).
        /// Emits `VenueDeauthorized`. Errors: `NotOwner`, `VenueNotAuthorized`.
        #[ink(message)]
        #[inline(never)]
        pub fn deauthorize_venue(&mut self, venue: AccountId) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(self.state.venues.contains(venue), EngineError::VenueNotAuthorized)?;
            self.state.venues.remove(venue);
            env::emit(VenueDeauthorized { venue });
            Ok(())
        }

        // ------------------------------------------------------------------ parameters and pauses

        /// Owner: sets the account credited with trade fees (quote cash). Emits
        /// `FeeAccountChanged`. Errors: `NotOwner`.
        #[ink(message)]
        #[inline(never)]
        pub fn set_fee_account(&mut self, fee_account: AccountId) -> Result<(), EngineError> {
            self.only_owner()?;
            self.state.fee_account = fee_account;
            env::emit(FeeAccountChanged { fee_account });
            Ok(())
        }

        /// Owner: sets the maximum number of positions per account (1 ..= `MAX_POSITIONS`).
        /// Existing accounts above it keep their positions but cannot open new ones. Emits
        /// `PositionCapChanged`. Errors: `NotOwner`, `InvalidMarketParams`.
        #[ink(message)]
        #[inline(never)]
        pub fn set_max_positions(&mut self, max_positions: u32) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure((1..=MAX_POSITIONS).contains(&max_positions), EngineError::InvalidMarketParams)?;
            self.state.max_positions = max_positions;
            env::emit(PositionCapChanged { max_positions });
            Ok(())
        }

        /// Owner: sets the pause flags. A liquidation pause lasts at most
        /// `MAX_LIQUIDATION_PAUSE_MS` and ends by itself (liquidations run again from
        /// `liquidations_resume_at_ms`); starting one within that length after the last one ended
        /// is a renewal and must be announced like a risk-raising change. Lifting it early starts
        /// the grace period: liquidations run again from `now + grace_period_ms` (or the pause's
        /// own end, if sooner). Emits `PauseChanged`. Errors: `NotOwner`, `NoticeRequired`,
        /// `NoticePending`.
        #[ink(message)]
        #[inline(never)]
        pub fn set_paused(&mut self, flags: PauseFlags) -> Result<(), EngineError> {
            self.only_owner()?;
            let now = env::now_ms();
            let resume_at_ms = self.state.liquidations_resume_at_ms;
            if flags.liquidations && !self.state.paused.liquidations {
                let renewal = now < resume_at_ms.saturating_add(MAX_LIQUIDATION_PAUSE_MS);
                self.notice(renewal, ink::selector_bytes!("set_paused"), &flags)?;
                self.state.liquidations_resume_at_ms = now.saturating_add(MAX_LIQUIDATION_PAUSE_MS);
            } else if !flags.liquidations && self.state.paused.liquidations {
                self.state.liquidations_resume_at_ms = resume_at_ms.min(now.saturating_add(self.state.grace_period_ms));
            }
            self.state.paused = flags;
            env::emit(PauseChanged { flags, liquidations_resume_at_ms: self.state.liquidations_resume_at_ms });
            Ok(())
        }

        /// Owner: sets the grace period after unpausing liquidations (ms, ≤ 7 days; raising it must
        /// be announced and wait the change delay). Emits `GracePeriodChanged`. Errors:
        /// `NotOwner`, `InvalidGracePeriod`, `NoticeRequired`, `NoticePending`.
        #[ink(message)]
        #[inline(never)]
        pub fn set_grace_period(&mut self, grace_period_ms: u64) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(grace_period_ms <= MAX_GRACE_PERIOD_MS, EngineError::InvalidGracePeriod)?;
            let raises = grace_period_ms > self.state.grace_period_ms;
            self.notice(raises, ink::selector_bytes!("set_grace_period"), &grace_period_ms)?;
            self.state.grace_period_ms = grace_period_ms;
            env::emit(GracePeriodChanged { grace_period_ms });
            Ok(())
        }

        /// Owner: makes a market reduce-only (trades on its instruments must reduce both sides'
        /// positions toward zero without crossing) or lifts it. Emits `ReduceOnlyChanged`.
        /// Errors: `NotOwner`, `UnknownMarket`.
        #[ink(message)]
        #[inline(never)]
        pub fn set_reduce_only(&mut self, underlying: UnderlyingId, reduce_only: bool) -> Result<(), EngineError> {
            self.only_owner()?;
            self.state.market_config(underlying)?;
            if reduce_only {
                self.state.reduce_only.insert(underlying, &());
            } else {
                self.state.reduce_only.remove(underlying);
            }
            env::emit(ReduceOnlyChanged { underlying, reduce_only });
            Ok(())
        }

        // ------------------------------------------------------------------ notice of changes

        /// Owner: announces a change that must give notice: `call` is the admin message's
        /// selector and SCALE arguments, exactly as it will be sent through `admin`. It may run
        /// from `now + change_delay_ms` on (once). Returns that time (ms). Emits
        /// `ChangeAnnounced` (with the call, so anyone can read what will change).
        /// Errors: `NotOwner`, `InvalidAdminCall` (shorter than a selector).
        #[ink(message)]
        #[inline(never)]
        pub fn announce(&mut self, call: Vec<u8>) -> Result<u64, EngineError> {
            self.only_owner()?;
            ensure(call.len() >= 4, EngineError::InvalidAdminCall)?;
            let hash = blake2(&call);
            let eta_ms = env::now_ms().checked_add(self.state.change_delay_ms).ok_or(OVERFLOW)?;
            self.state.pending_changes.insert(hash, &eta_ms);
            env::emit(ChangeAnnounced { hash, eta_ms, call });
            Ok(eta_ms)
        }

        /// Owner: withdraws an announced change. Emits `ChangeCancelled`. Errors: `NotOwner`,
        /// `NoticeRequired` (not announced).
        #[ink(message)]
        #[inline(never)]
        pub fn cancel(&mut self, call: Vec<u8>) -> Result<(), EngineError> {
            self.only_owner()?;
            let hash = blake2(&call);
            ensure(self.state.pending_changes.contains(hash), EngineError::NoticeRequired)?;
            self.state.pending_changes.remove(hash);
            env::emit(ChangeCancelled { hash });
            Ok(())
        }

        /// The earliest execution time (ms) of the announced change with `blake2x256(call)` =
        /// `hash`, if announced.
        #[ink(message)]
        #[inline(never)]
        pub fn pending_change(&self, hash: [u8; 32]) -> Result<Option<u64>, EngineError> {
            Ok(self.state.pending_changes.get(hash))
        }

        /// Owner: sets the notice risk-raising changes must give (ms, ≤ `MAX_CHANGE_DELAY_MS`):
        /// itself only through the current notice. Emits `ChangeDelayChanged`. Errors:
        /// `NotOwner`, `InvalidChangeDelay`, `NoticeRequired`, `NoticePending`.
        #[ink(message)]
        #[inline(never)]
        pub fn set_change_delay(&mut self, delay_ms: u64) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(delay_ms <= MAX_CHANGE_DELAY_MS, EngineError::InvalidChangeDelay)?;
            self.notice(true, ink::selector_bytes!("set_change_delay"), &delay_ms)?;
            self.state.change_delay_ms = delay_ms;
            env::emit(ChangeDelayChanged { delay_ms });
            Ok(())
        }

        // ------------------------------------------------------------------ settlement

        /// Owner: pins the settlement price of an expired option's (underlying, expiry) pair
        /// when the oracle recorded none (an outage or a dispute over the expiry's minute) —
        /// always announced, so holders see the price a full change delay before it applies.
        /// Emits `SettlementPinned`. Errors: `NotOwner`, `UnknownInstrument`, `NotExpired`,
        /// `AlreadyPinned`, `PriceOutOfRange`, `NoticeRequired`, `NoticePending`.
        #[ink(message)]
        #[inline(never)]
        pub fn set_settlement_price(&mut self, instrument: InstrumentId, price_e18: u128) -> Result<(), EngineError> {
            self.only_owner()?;
            let listing = self.state.instruments.get(instrument).ok_or(EngineError::UnknownInstrument(instrument))?;
            let now = env::now_ms();
            let expiry_ms = match listing.kind {
                InstrumentKind::Option { expiry_ms, .. } if now >= expiry_ms => expiry_ms,
                _ => return Err(EngineError::NotExpired),
            };
            let key = (listing.underlying, expiry_ms);
            ensure(!self.state.settlements.contains(key), EngineError::AlreadyPinned)?;
            let config = self.state.market_config(listing.underlying)?;
            let in_range = (MIN_SPOT_E18..=config.max_spot_e18).contains(&price_e18);
            ensure(in_range, EngineError::PriceOutOfRange(listing.underlying))?;
            self.notice(true, ink::selector_bytes!("set_settlement_price"), &(instrument, price_e18))?;
            self.state.settlements.insert(key, &price_e18);
            env::emit(SettlementPinned { underlying: listing.underlying, expiry_ms, price_e18, price_ts_ms: now });
            Ok(())
        }

        // ------------------------------------------------------------------ accounts

        /// Caller: allows (`approved: true`) or forbids (`false`) an authorized venue to report
        /// trades for the caller's account. Emits `VenueApprovalChanged`.
        /// Errors: `VenueNotAuthorized` (approving an unknown venue; revoking always works).
        #[ink(message)]
        #[inline(never)]
        pub fn approve_venue(&mut self, venue: AccountId, approved: bool) -> Result<(), EngineError> {
            let account = env::caller();
            if approved {
                let config = self.state.venues.get(venue).ok_or(EngineError::VenueNotAuthorized)?;
                self.state.approvals.insert((account, venue), &config.epoch);
            } else {
                self.state.approvals.remove((account, venue));
            }
            env::emit(VenueApprovalChanged { account, venue, approved });
            Ok(())
        }

        /// Anyone: pins the settlement price of an expired option's (underlying, expiry) pair: the
        /// oracle's record for the whole minute the option settles at (its expiry, or the next
        /// whole minute for an expiry off the minute) — the first value a quorum of the
        /// submissions stamped from that minute on supported, recorded by the oracle as they
        /// arrived. It depends on the oracle's data alone: whoever pins, and whenever, gets the
        /// same price. Every holder of every option on that pair settles at it. Returns the price
        /// (18 decimals). Emits `SettlementPinned`. Errors: `UnknownInstrument`, `NotExpired`
        /// (linear, or before expiry), `AlreadyPinned`, `SettlementNotReady` (no record: the
        /// option waits, valued at intrinsic on the grid), `PriceOutOfRange`, `OracleCallFailed`.
        #[ink(message)]
        #[inline(never)]
        pub fn pin_settlement(&mut self, instrument: InstrumentId) -> Result<u128, EngineError> {
            let listing = self.state.instruments.get(instrument).ok_or(EngineError::UnknownInstrument(instrument))?;
            let now = env::now_ms();
            let expiry_ms = match listing.kind {
                InstrumentKind::Option { expiry_ms, .. } if now >= expiry_ms => expiry_ms,
                _ => return Err(EngineError::NotExpired),
            };
            let key = (listing.underlying, expiry_ms);
            ensure(!self.state.settlements.contains(key), EngineError::AlreadyPinned)?;
            let config = self.state.market_config(listing.underlying)?;
            let boundary_ms = margin_math::feed::settlement_boundary_of_expiry(expiry_ms);
            let oracle: ink::contract_ref!(PriceOracle) = self.state.oracle.into();
            let value = match ink::codegen::TraitCallBuilder::call(&oracle)
                .settlement(config.price_feed, boundary_ms)
                .try_invoke()
            {
                Ok(Ok(Some(value))) => value,
                Ok(Ok(None)) => return Err(EngineError::SettlementNotReady),
                _ => return Err(EngineError::OracleCallFailed),
            };
            ensure(
                (MIN_SPOT_E18..=config.max_spot_e18).contains(&value.value_e18),
                EngineError::PriceOutOfRange(listing.underlying),
            )?;
            self.state.settlements.insert(key, &value.value_e18);
            env::emit(SettlementPinned {
                underlying: listing.underlying,
                expiry_ms,
                price_e18: value.value_e18,
                price_ts_ms: value.ts_ms,
            });
            Ok(value.value_e18)
        }

        /// Anyone: settles `who`'s expired positions with a pinned price (all of them, `instrument`
        /// included) into cash: longs receive `floor(size·intrinsic)`, shorts pay
        /// `ceil(|size|·intrinsic)` (quote base units). If that leaves the account with no items
        /// and negative cash, the bad debt is recognized. Returns the cash moved. Emits
        /// `PositionSettled` (and `BadDebtRecognized`). Errors: `UnknownInstrument`, `NotExpired`,
        /// `NotPinned`, `NoAccount`, `InvalidSlice` (no position in `instrument`).
        #[ink(message)]
        #[inline(never)]
        pub fn settle(&mut self, who: AccountId, instrument: InstrumentId) -> Result<i128, EngineError> {
            let listing = self.state.instruments.get(instrument).ok_or(EngineError::UnknownInstrument(instrument))?;
            let now = env::now_ms();
            let expiry_ms = match listing.kind {
                InstrumentKind::Option { expiry_ms, .. } if now >= expiry_ms => expiry_ms,
                _ => return Err(EngineError::NotExpired),
            };
            ensure(self.state.settlements.contains((listing.underlying, expiry_ms)), EngineError::NotPinned)?;
            let mut data = self.state.accounts.get(who).ok_or(EngineError::NoAccount)?;
            ensure(data.positions.iter().any(|p| p.instrument == instrument), EngineError::InvalidSlice)?;
            let cash_before = data.cash;
            self.state.settle_expired(who, &mut data, now)?;
            let moved = data.cash.checked_sub(cash_before).ok_or(OVERFLOW)?;
            self.state.recognize_bad_debt(who, &mut data)?;
            self.state.store_account(who, &data)?;
            Ok(moved)
        }

        // ------------------------------------------------------------------ insurance fund and deficit

        /// Anyone: adds `amount` quote base units to the insurance fund (transferred in and
        /// measured like a deposit; approve the engine first). Emits `InsuranceFunded`.
        /// Errors: `ZeroAmount`, token errors, `TransferMismatch`.
        #[ink(message)]
        #[inline(never)]
        pub fn fund_insurance(&mut self, amount: u128) -> Result<(), EngineError> {
            ensure(amount > 0, EngineError::ZeroAmount)?;
            let from = env::caller();
            self.state.pull(self.state.quote, from, amount)?;
            self.state.insurance_fund = self.state.insurance_fund.checked_add(amount).ok_or(OVERFLOW)?;
            env::emit(InsuranceFunded { from, amount });
            self.state.pay_down_deficit();
            Ok(())
        }

        /// Owner: covers `amount` (≤ deficit) quote base units of the deficit with quote tokens
        /// transferred in (approve the engine first). Quote withdrawals resume once the deficit is
        /// 0. Emits `DeficitCovered`. Errors: `NotOwner`, `ZeroAmount`, `ExceedsDeficit`, token
        /// errors, `TransferMismatch`.
        #[ink(message)]
        #[inline(never)]
        pub fn cover_deficit(&mut self, amount: u128) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(amount > 0, EngineError::ZeroAmount)?;
            ensure(amount <= self.state.deficit, EngineError::ExceedsDeficit)?;
            self.state.pull(self.state.quote, self.state.owner, amount)?;
            self.state.deficit = self.state.deficit.checked_sub(amount).ok_or(OVERFLOW)?;
            env::emit(DeficitCovered { amount, deficit: self.state.deficit, from_fund: false });
            Ok(())
        }

        // ------------------------------------------------------------------ parameters and pauses

        /// Owner: sets the liquidation parameters (fractions ≤ 1; the rate and `b` move at most a
        /// factor of 2 per update, from 0 at most to 0.05). Emits `LiquidationParamsChanged`.
        /// Errors: `NotOwner`, `InvalidLiquidationParams`, `StepTooLarge`.
        #[ink(message)]
        #[inline(never)]
        pub fn set_liquidation_params(&mut self, params: LiquidationParams) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(params.is_valid(), EngineError::InvalidLiquidationParams)?;
            ensure(params.within_step_of(&self.state.liquidation), EngineError::StepTooLarge)?;
            let raises = params.needs_notice_over(&self.state.liquidation);
            self.notice(raises, ink::selector_bytes!("set_liquidation_params"), &params)?;
            self.state.liquidation = params;
            env::emit(LiquidationParamsChanged { params });
            Ok(())
        }

        // ------------------------------------------------------------------ views

        /// The stored account of `who` (cash in quote base units, collateral in base units,
        /// positions with 18-decimal sizes and entries), if any.
        #[ink(message)]
        #[inline(never)]
        pub fn account(&self, who: AccountId) -> Result<Option<AccountData>, EngineError> {
            Ok(self.state.accounts.get(who))
        }

        /// The engine's configuration and global figures (owner, oracle, quote asset, fee
        /// account, admin code hash, caps, pause state, liquidation parameters, insurance fund,
        /// deficit, the quote count, counts of markets, instruments and accounts).
        #[ink(message)]
        #[inline(never)]
        pub fn config(&self) -> Result<EngineConfig, EngineError> {
            Ok(EngineConfig {
                owner: self.state.owner,
                pending_owner: self.state.pending_owner,
                oracle: self.state.oracle,
                quote_asset: self.state.quote,
                quote_decimals: self.state.quote_decimals,
                fee_account: self.state.fee_account,
                admin_code_hash: self.state.admin_code,
                max_positions: self.state.max_positions,
                paused: self.state.paused,
                grace_period_ms: self.state.grace_period_ms,
                liquidations_resume_at_ms: self.state.liquidations_resume_at_ms,
                liquidation_params: self.state.liquidation,
                insurance_fund: self.state.insurance_fund,
                deficit: self.state.deficit,
                quote_held: self.state.quote_held,
                market_count: self.state.market_count,
                instrument_count: self.state.instrument_count,
                account_count: self.state.account_count,
                change_delay_ms: self.state.change_delay_ms,
            })
        }

        /// Up to `limit` (≤ 100) account ids from index `from_index`, in creation order: how
        /// keepers page through all accounts.
        #[ink(message)]
        #[inline(never)]
        pub fn accounts(&self, from_index: u32, limit: u32) -> Result<Vec<AccountId>, EngineError> {
            let end = from_index.saturating_add(limit.min(100)).min(self.state.account_count);
            Ok((from_index..end).filter_map(|i| self.state.account_index.get(i)).collect())
        }

        /// A market's configuration. Errors: `UnknownMarket`.
        #[ink(message)]
        #[inline(never)]
        pub fn market(&self, underlying: UnderlyingId) -> Result<MarketConfig, EngineError> {
            self.state.market_config(underlying)
        }

        /// A listed asset's configuration (the quote asset has `underlying: None`). Errors:
        /// `UnknownAsset`.
        #[ink(message)]
        #[inline(never)]
        pub fn asset(&self, asset: AccountId) -> Result<AssetConfig, EngineError> {
            self.state.assets.get(asset).ok_or(EngineError::UnknownAsset)
        }

        /// The listed collateral assets (without the quote asset), in listing order.
        #[ink(message)]
        #[inline(never)]
        pub fn collateral_assets(&self) -> Result<Vec<AccountId>, EngineError> {
            Ok(self.state.asset_list.clone())
        }

        /// An instrument. Errors: `UnknownInstrument`.
        #[ink(message)]
        #[inline(never)]
        pub fn instrument(&self, instrument: InstrumentId) -> Result<Instrument, EngineError> {
            self.state.instruments.get(instrument).ok_or(EngineError::UnknownInstrument(instrument))
        }

        /// An authorized venue's configuration. Errors: `VenueNotAuthorized`.
        #[ink(message)]
        #[inline(never)]
        pub fn venue(&self, venue: AccountId) -> Result<VenueConfig, EngineError> {
            self.state.venues.get(venue).ok_or(EngineError::VenueNotAuthorized)
        }

        /// Whether `account` approved `venue`.
        #[ink(message)]
        #[inline(never)]
        pub fn is_venue_approved(&self, account: AccountId, venue: AccountId) -> Result<bool, EngineError> {
            let epoch = self.state.venues.get(venue).map(|v| v.epoch);
            Ok(epoch.is_some() && self.state.approvals.get((account, venue)) == epoch)
        }

        /// Whether `underlying`'s market is reduce-only.
        #[ink(message)]
        #[inline(never)]
        pub fn is_reduce_only(&self, underlying: UnderlyingId) -> Result<bool, EngineError> {
            Ok(self.state.reduce_only.contains(underlying))
        }

        /// The pinned settlement price of (`underlying`, `expiry_ms`), quote per unit (18
        /// decimals), if pinned (`None` until then).
        #[ink(message)]
        #[inline(never)]
        pub fn settlement_price(&self, underlying: UnderlyingId, expiry_ms: u64) -> Result<Option<u128>, EngineError> {
            Ok(self.state.settlements.get((underlying, expiry_ms)))
        }

        // ------------------------------------------------------------------ internals

        fn only_owner(&self) -> Result<(), EngineError> {
            ensure(env::caller() == self.state.owner, EngineError::NotOwner)
        }

        /// The notice rule, declared by each owner message: a change that `needs` notice runs
        /// only as an announced call (`selector ++ args` exactly) whose time has come, and only
        /// once (the announcement is consumed; emits `ChangeExecuted`). Changes that do not
        /// need notice (risk-reducing ones, pauses, listings) pass at once, and so does every
        /// change while the delay is 0.
        fn notice(
            &mut self,
            needs: bool,
            selector: [u8; 4],
            args: &impl ink::scale::Encode,
        ) -> Result<(), EngineError> {
            // A delay of 0 (set only through the previous delay) means no notice at all.
            if !needs || self.state.change_delay_ms == 0 {
                return Ok(());
            }
            let mut call = selector.to_vec();
            args.encode_to(&mut call);
            let hash = blake2(&call);
            let eta_ms = self.state.pending_changes.get(hash).ok_or(EngineError::NoticeRequired)?;
            ensure(env::now_ms() >= eta_ms, EngineError::NoticePending(eta_ms))?;
            self.state.pending_changes.remove(hash);
            env::emit(ChangeExecuted { hash });
            Ok(())
        }

        /// The market's price feed must be an oracle `Price` feed and its vol feed a
        /// `Volatility` feed, each with a window no longer than the market's max oracle age (so
        /// every value in a median is as fresh as the market requires) and an upper bound the
        /// engine accepts (`max_spot_e18` for the price, `MAX_VOL_E18` for the vol: every value
        /// the oracle can report is one the engine can value).
        fn check_feeds(&self, config: &MarketConfig) -> Result<(), EngineError> {
            let oracle: ink::contract_ref!(PriceOracle) = self.state.oracle.into();
            let feeds = [
                (config.price_feed, FeedKind::Price, config.max_spot_e18),
                (config.vol_feed, FeedKind::Volatility, MAX_VOL_E18),
            ];
            for (feed, kind, max_e18) in feeds {
                match ink::codegen::TraitCallBuilder::call(&oracle).feed_info(feed).try_invoke() {
                    Ok(Ok(Some(info)))
                        if info.kind == kind
                            && info.window_ms <= config.max_oracle_age_ms
                            && info.max_e18 <= max_e18 => {}
                    Ok(Ok(_)) => return Err(EngineError::InvalidFeed(feed)),
                    _ => return Err(EngineError::OracleCallFailed),
                }
            }
            Ok(())
        }
    }

    /// Haircut below 100% and a deposit cap worth at most `MAX_ITEM_NOTIONAL_E18` at the
    /// market's highest accepted spot: `cap · max_spot / 10^decimals`.
    fn asset_params_ok(config: &AssetConfig, market: &MarketConfig) -> bool {
        let notional_ok = margin_math::units::pow10(config.decimals)
            .and_then(|scale| margin_math::trading::mul_div(config.deposit_cap, market.max_spot_e18, scale, true))
            .is_ok_and(|n| n <= MAX_ITEM_NOTIONAL_E18);
        config.basis_haircut_e18 < ONE_E18 && notional_ok
    }

    /// `blake2x256(bytes)`: the key of an announced change.
    fn blake2(bytes: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        ink::env::hash_bytes::<ink::env::hash::Blake2x256>(bytes, &mut out);
        out
    }
}
