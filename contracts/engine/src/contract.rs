#[ink::contract]
mod engine {
    #[cfg(engine_admin)]
    use deltamargin_interfaces::FeedKind;
    use deltamargin_interfaces::{FeedError, FeedId, FeedValue, PSP22Metadata, PriceOracle, PSP22};
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;
    use margin_math::margin::{evaluate, Health, Market};
    use margin_math::trading::{
        fee_units, is_reducing, is_whole_lots, notional_e18, notional_units, option_fee_ceiling_units,
        option_mark_and_band_e18,
    };
    use margin_math::Value;

    use crate::account::{health_view, option_kind, trade_between, MathAccount};
    use crate::errors::{ensure, EngineError, MathFailure, Side};
    use crate::events::*;
    use crate::liquidation;
    use crate::types::*;

    const OVERFLOW: EngineError = EngineError::Math(MathFailure::Overflow);

    /// The engine's storage.
    #[ink(storage)]
    pub struct Engine {
        owner: AccountId,
        pending_owner: Option<AccountId>,
        oracle: AccountId,
        quote: AccountId,
        quote_decimals: u8,
        fee_account: AccountId,
        max_positions: u32,
        insurance_fund: u128,
        deficit: u128,
        assets: Mapping<AccountId, AssetConfig>,
        asset_list: Vec<AccountId>,
        markets: Mapping<UnderlyingId, MarketConfig>,
        /// Per market, the configuration at listing or after its last announced change: the
        /// reference immediate (unannounced) decreases may not go below half of.
        market_references: Mapping<UnderlyingId, MarketConfig>,
        market_count: u32,
        instruments: Mapping<InstrumentId, Instrument>,
        instrument_count: u32,
        venues: Mapping<AccountId, VenueConfig>,
        approvals: Mapping<(AccountId, AccountId), u32>,
        paused: PauseFlags,
        grace_period_ms: u64,
        liquidations_resume_at_ms: u64,
        reduce_only: Mapping<UnderlyingId, ()>,
        liquidation: LiquidationParams,
        settlements: Mapping<(UnderlyingId, u64), u128>,
        accounts: Mapping<AccountId, AccountData>,
        account_index: Mapping<u32, AccountId>,
        account_count: u32,
        admin_code: Hash,
        quote_held: u128,
        /// Notice risk-raising owner changes must give, ms.
        change_delay_ms: u64,
        /// Announced changes: `blake2x256(call)` → earliest execution time, ms.
        pending_changes: Mapping<[u8; 32], u64>,
        /// Last venue authorization epoch handed out.
        venue_epoch: u32,
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
            let decimals = read_decimals(quote)?;
            // Traps unless the code is on chain; the lock keeps it there while the engine lives.
            Self::env().lock_delegate_dependency(&admin_code);
            let mut assets = Mapping::new();
            let config = AssetConfig {
                underlying: None,
                decimals,
                basis_haircut_e18: 0,
                deposit_cap: quote_deposit_cap,
                total_deposits: 0,
            };
            assets.insert(quote, &config);
            let engine = Self {
                owner: Self::env().caller(),
                pending_owner: None,
                oracle,
                quote,
                quote_decimals: decimals,
                fee_account,
                max_positions: MAX_POSITIONS,
                insurance_fund: 0,
                deficit: 0,
                assets,
                asset_list: Vec::new(),
                markets: Mapping::new(),
                market_references: Mapping::new(),
                market_count: 0,
                instruments: Mapping::new(),
                instrument_count: 0,
                venues: Mapping::new(),
                approvals: Mapping::new(),
                paused: PauseFlags::default(),
                grace_period_ms: 0,
                liquidations_resume_at_ms: 0,
                reduce_only: Mapping::new(),
                liquidation: LiquidationParams::DEFAULT,
                settlements: Mapping::new(),
                accounts: Mapping::new(),
                account_index: Mapping::new(),
                account_count: 0,
                admin_code,
                quote_held: 0,
                change_delay_ms: DEFAULT_CHANGE_DELAY_MS,
                pending_changes: Mapping::new(),
                venue_epoch: 0,
            };
            Self::env().emit_event(AssetListed {
                asset: quote,
                underlying: None,
                decimals,
                basis_haircut_e18: 0,
                deposit_cap: quote_deposit_cap,
            });
            Ok(engine)
        }

        // ------------------------------------------------------------------ admin forwarding

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
        #[cfg(not(engine_admin))]
        #[ink(message)]
        #[inline(never)]
        pub fn admin(&self, call: Vec<u8>) -> Result<Vec<u8>, EngineError> {
            use crate::admin::{read_output, split_call, RawArgs, RawOutput};
            use ink::env::call::{build_call, ExecutionInput, Selector};
            let (selector, args) = split_call(&call)?;
            let output = build_call::<Environment>()
                .delegate(self.admin_code)
                .exec_input(ExecutionInput::new(Selector::new(selector)).push_arg(RawArgs(args)))
                .returns::<RawOutput>()
                .try_invoke();
            match output {
                Ok(Ok(RawOutput(output))) => read_output(&output),
                _ => Err(EngineError::InvalidAdminCall),
            }
        }


        // ------------------------------------------------------------------ ownership

        /// Owner: proposes `new_owner`, who must call `accept_ownership`. Emits
        /// `OwnershipTransferStarted`. Errors: `NotOwner`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn transfer_ownership(&mut self, new_owner: AccountId) -> Result<(), EngineError> {
            self.only_owner()?;
            self.pending_owner = Some(new_owner);
            self.env().emit_event(OwnershipTransferStarted { owner: self.owner, pending_owner: new_owner });
            Ok(())
        }

        /// Pending owner: completes the transfer. Emits `OwnershipTransferred`.
        /// Errors: `NotPendingOwner`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn accept_ownership(&mut self) -> Result<(), EngineError> {
            let caller = self.env().caller();
            ensure(self.pending_owner == Some(caller), EngineError::NotPendingOwner)?;
            let previous_owner = self.owner;
            self.owner = caller;
            self.pending_owner = None;
            self.env().emit_event(OwnershipTransferred { previous_owner, new_owner: caller });
            Ok(())
        }

        // ------------------------------------------------------------------ listing

        /// Owner: lists a market (underlying) and returns its id (dense, from 0). Emits
        /// `MarketListed`. Errors: `NotOwner`, `TooManyMarkets`, `InvalidMarketParams`
        /// (see `MarketConfig::is_valid`), `InvalidFeed`, `OracleCallFailed`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn list_market(&mut self, config: MarketConfig) -> Result<UnderlyingId, EngineError> {
            self.only_owner()?;
            ensure(self.market_count < MAX_MARKETS, EngineError::TooManyMarkets)?;
            ensure(config.is_valid(), EngineError::InvalidMarketParams)?;
            self.check_feeds(&config)?;
            let underlying = self.market_count;
            self.markets.insert(underlying, &config);
            self.market_references.insert(underlying, &config);
            self.market_count = underlying.checked_add(1).ok_or(OVERFLOW)?;
            self.env().emit_event(MarketListed { underlying, config });
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
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn update_market(&mut self, underlying: UnderlyingId, config: MarketConfig) -> Result<(), EngineError> {
            self.only_owner()?;
            let old = self.market_config(underlying)?;
            ensure(config.is_valid(), EngineError::InvalidMarketParams)?;
            ensure(config.within_step_of(&old), EngineError::StepTooLarge)?;
            self.check_feeds(&config)?;
            let reference = self.market_references.get(underlying).unwrap_or(old);
            let needs = config.needs_notice_over(&old) || config.below_floor_of(&reference);
            self.notice(needs, ink::selector_bytes!("update_market"), &(underlying, config))?;
            // Without a delay every change is as good as announced.
            if needs || self.change_delay_ms == 0 {
                self.market_references.insert(underlying, &config);
            }
            self.markets.insert(underlying, &config);
            self.env().emit_event(MarketUpdated { underlying, config });
            Ok(())
        }

        /// Owner: lists a PSP22 token as collateral priced by `underlying`'s spot. Its decimals
        /// are read from `PSP22Metadata::token_decimals` (0–24). `basis_haircut_e18 < 1e18`;
        /// `deposit_cap` (base units) must keep the whole cap below 1e18 quote at the market's
        /// `max_spot_e18`. Emits `AssetListed`. Errors: `NotOwner`, `AssetAlreadyListed`,
        /// `TooManyAssets`, `UnknownMarket`, `TokenCallFailed`, `UnsupportedDecimals`,
        /// `InvalidAssetParams`.
        #[cfg(engine_admin)]
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
            ensure(!self.assets.contains(asset), EngineError::AssetAlreadyListed)?;
            let count = u32::try_from(self.asset_list.len()).map_err(|_| EngineError::TooManyAssets)?;
            ensure(count < MAX_ASSETS, EngineError::TooManyAssets)?;
            let market = self.market_config(underlying)?;
            let decimals = read_decimals(asset)?;
            let config = AssetConfig {
                underlying: Some(underlying),
                decimals,
                basis_haircut_e18,
                deposit_cap,
                total_deposits: 0,
            };
            ensure(asset_params_ok(&config, &market), EngineError::InvalidAssetParams)?;
            self.assets.insert(asset, &config);
            self.asset_list.push(asset);
            self.env().emit_event(AssetListed {
                asset,
                underlying: Some(underlying),
                decimals,
                basis_haircut_e18,
                deposit_cap,
            });
            Ok(())
        }

        /// Owner: changes a listed asset's basis haircut and deposit cap (same bounds as
        /// listing; the quote asset's haircut must stay 0; the haircut moves at most a factor of
        /// 2 per update, from 0 at most to 0.05; the cap is free; raising the haircut must be
        /// announced and wait the change delay). Emits `AssetUpdated`. Errors: `NotOwner`,
        /// `UnknownAsset`, `InvalidAssetParams`, `StepTooLarge`, `NoticeRequired`, `NoticePending`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn update_asset(
            &mut self,
            asset: AccountId,
            basis_haircut_e18: u128,
            deposit_cap: u128,
        ) -> Result<(), EngineError> {
            self.only_owner()?;
            let mut config = self.assets.get(asset).ok_or(EngineError::UnknownAsset)?;
            let old_haircut = config.basis_haircut_e18;
            let step_ok = within_factor_two(old_haircut, basis_haircut_e18, MAX_STEP_FROM_ZERO_E18);
            config.basis_haircut_e18 = basis_haircut_e18;
            config.deposit_cap = deposit_cap;
            let ok = match config.underlying {
                Some(u) => asset_params_ok(&config, &self.market_config(u)?),
                None => basis_haircut_e18 == 0,
            };
            ensure(ok, EngineError::InvalidAssetParams)?;
            ensure(step_ok, EngineError::StepTooLarge)?;
            let raises = basis_haircut_e18 > old_haircut;
            self.notice(raises, ink::selector_bytes!("update_asset"), &(asset, basis_haircut_e18, deposit_cap))?;
            self.assets.insert(asset, &config);
            self.env().emit_event(AssetUpdated { asset, basis_haircut_e18, deposit_cap });
            Ok(())
        }

        /// Owner: lists an instrument on `underlying` and returns its id (dense, from 0). Options
        /// need `1e-6 ≤ strike ≤ 1e10` (18 decimals) and an expiry (ms) after the current block,
        /// on a whole minute (the oracle's settlement boundaries) and at most
        /// `MAX_EXPIRY_HORIZON_MS` (10 years) ahead, so `e^{−rT}` stays computable at any rate. Emits `InstrumentListed`. Errors: `NotOwner`, `UnknownMarket`,
        /// `InvalidInstrument`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn list_instrument(
            &mut self,
            underlying: UnderlyingId,
            kind: InstrumentKind,
        ) -> Result<InstrumentId, EngineError> {
            self.only_owner()?;
            self.market_config(underlying)?;
            if let InstrumentKind::Option { strike_e18, expiry_ms, .. } = kind {
                let now = self.env().block_timestamp();
                let ok = (MIN_SPOT_E18..=MAX_SPOT_E18).contains(&strike_e18)
                    && expiry_ms > now
                    && expiry_ms % margin_math::feed::SETTLEMENT_PERIOD_MS == 0
                    && expiry_ms <= now.saturating_add(MAX_EXPIRY_HORIZON_MS);
                ensure(ok, EngineError::InvalidInstrument)?;
            }
            let instrument = self.instrument_count;
            self.instruments.insert(instrument, &Instrument { underlying, kind, open_interest_e18: 0 });
            self.instrument_count = instrument.checked_add(1).ok_or(OVERFLOW)?;
            self.env().emit_event(InstrumentListed { instrument, underlying, kind });
            Ok(instrument)
        }

        /// Owner: authorizes `venue` to report trades, charging each side at most
        /// `max_fee_rate_e18` of the trade value (notional for linear contracts, premium for
        /// options; at most the protocol's `MAX_OPTION_FEE_RATE_E18`, 12.5%, and a linear trade's
        /// rate at most `MAX_LINEAR_FEE_RATE_E18`, 1%) plus, on options, `option_fee_floor_e18` of
        /// spot per contract (at most `MAX_OPTION_FEE_FLOOR_E18`, 0.03%). Calling again changes
        /// both; raising either must be announced and wait the change delay. A venue
        /// (re)authorized after a deauthorization starts a new epoch: accounts must approve it
        /// again. Emits `VenueAuthorized`. Errors: `NotOwner`, `InvalidFeeRate`,
        /// `NoticeRequired`, `NoticePending`.
        #[cfg(engine_admin)]
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
            let epoch = match self.venues.get(venue) {
                // Raising an authorized venue's maximum waits; its approvals stay.
                Some(old) => {
                    let raises = max_fee_rate_e18 > old.max_fee_rate_e18
                        || option_fee_floor_e18 > old.option_fee_floor_e18;
                    let args = (venue, max_fee_rate_e18, option_fee_floor_e18);
                    self.notice(raises, ink::selector_bytes!("authorize_venue"), &args)?;
                    old.epoch
                }
                // A new authorization starts a new epoch: approvals given before are void.
                None => {
                    self.venue_epoch = self.venue_epoch.checked_add(1).ok_or(OVERFLOW)?;
                    self.venue_epoch
                }
            };
            self.venues.insert(venue, &VenueConfig { max_fee_rate_e18, option_fee_floor_e18, epoch });
            self.env().emit_event(VenueAuthorized { venue, max_fee_rate_e18, option_fee_floor_e18 });
            Ok(())
        }

        /// Owner: withdraws a venue's authorization (its trades are rejected from now on).
        /// Emits `VenueDeauthorized`. Errors: `NotOwner`, `VenueNotAuthorized`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn deauthorize_venue(&mut self, venue: AccountId) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(self.venues.contains(venue), EngineError::VenueNotAuthorized)?;
            self.venues.remove(venue);
            self.env().emit_event(VenueDeauthorized { venue });
            Ok(())
        }

        /// Owner: sets the account credited with trade fees (quote cash). Emits
        /// `FeeAccountChanged`. Errors: `NotOwner`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn set_fee_account(&mut self, fee_account: AccountId) -> Result<(), EngineError> {
            self.only_owner()?;
            self.fee_account = fee_account;
            self.env().emit_event(FeeAccountChanged { fee_account });
            Ok(())
        }

        /// Owner: sets the maximum number of positions per account (1 ..= `MAX_POSITIONS`).
        /// Existing accounts above it keep their positions but cannot open new ones. Emits
        /// `PositionCapChanged`. Errors: `NotOwner`, `InvalidMarketParams`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn set_max_positions(&mut self, max_positions: u32) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure((1..=MAX_POSITIONS).contains(&max_positions), EngineError::InvalidMarketParams)?;
            self.max_positions = max_positions;
            self.env().emit_event(PositionCapChanged { max_positions });
            Ok(())
        }

        /// Owner: sets the pause flags. A liquidation pause lasts at most
        /// `MAX_LIQUIDATION_PAUSE_MS` and ends by itself (liquidations run again from
        /// `liquidations_resume_at_ms`); starting one within that length after the last one ended
        /// is a renewal and must be announced like a risk-raising change. Lifting it early starts
        /// the grace period: liquidations run again from `now + grace_period_ms` (or the pause's
        /// own end, if sooner). Emits `PauseChanged`. Errors: `NotOwner`, `NoticeRequired`,
        /// `NoticePending`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn set_paused(&mut self, flags: PauseFlags) -> Result<(), EngineError> {
            self.only_owner()?;
            let now = self.env().block_timestamp();
            let resume_at_ms = self.liquidations_resume_at_ms;
            if flags.liquidations && !self.paused.liquidations {
                let renewal = now < resume_at_ms.saturating_add(MAX_LIQUIDATION_PAUSE_MS);
                self.notice(renewal, ink::selector_bytes!("set_paused"), &flags)?;
                self.liquidations_resume_at_ms = now.saturating_add(MAX_LIQUIDATION_PAUSE_MS);
            } else if !flags.liquidations && self.paused.liquidations {
                self.liquidations_resume_at_ms = resume_at_ms.min(now.saturating_add(self.grace_period_ms));
            }
            self.paused = flags;
            self.env().emit_event(PauseChanged { flags, liquidations_resume_at_ms: self.liquidations_resume_at_ms });
            Ok(())
        }

        /// Owner: sets the grace period after unpausing liquidations (ms, ≤ 7 days; raising it must
        /// be announced and wait the change delay). Emits `GracePeriodChanged`. Errors:
        /// `NotOwner`, `InvalidGracePeriod`, `NoticeRequired`, `NoticePending`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn set_grace_period(&mut self, grace_period_ms: u64) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(grace_period_ms <= MAX_GRACE_PERIOD_MS, EngineError::InvalidGracePeriod)?;
            let raises = grace_period_ms > self.grace_period_ms;
            self.notice(raises, ink::selector_bytes!("set_grace_period"), &grace_period_ms)?;
            self.grace_period_ms = grace_period_ms;
            self.env().emit_event(GracePeriodChanged { grace_period_ms });
            Ok(())
        }

        /// Owner: makes a market reduce-only (trades on its instruments must reduce both sides'
        /// positions toward zero without crossing) or lifts it. Emits `ReduceOnlyChanged`.
        /// Errors: `NotOwner`, `UnknownMarket`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn set_reduce_only(&mut self, underlying: UnderlyingId, reduce_only: bool) -> Result<(), EngineError> {
            self.only_owner()?;
            self.market_config(underlying)?;
            if reduce_only {
                self.reduce_only.insert(underlying, &());
            } else {
                self.reduce_only.remove(underlying);
            }
            self.env().emit_event(ReduceOnlyChanged { underlying, reduce_only });
            Ok(())
        }

        // ------------------------------------------------------------------ notice of changes

        /// Owner: announces a change that must give notice: `call` is the admin message's
        /// selector and SCALE arguments, exactly as it will be sent through `admin`. It may run
        /// from `now + change_delay_ms` on (once). Returns that time (ms). Emits
        /// `ChangeAnnounced` (with the call, so anyone can read what will change).
        /// Errors: `NotOwner`, `InvalidAdminCall` (shorter than a selector).
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn announce(&mut self, call: Vec<u8>) -> Result<u64, EngineError> {
            self.only_owner()?;
            ensure(call.len() >= 4, EngineError::InvalidAdminCall)?;
            let hash = blake2(&call);
            let eta_ms = self.env().block_timestamp().checked_add(self.change_delay_ms).ok_or(OVERFLOW)?;
            self.pending_changes.insert(hash, &eta_ms);
            self.env().emit_event(ChangeAnnounced { hash, eta_ms, call });
            Ok(eta_ms)
        }

        /// Owner: withdraws an announced change. Emits `ChangeCancelled`. Errors: `NotOwner`,
        /// `NoticeRequired` (not announced).
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn cancel(&mut self, call: Vec<u8>) -> Result<(), EngineError> {
            self.only_owner()?;
            let hash = blake2(&call);
            ensure(self.pending_changes.contains(hash), EngineError::NoticeRequired)?;
            self.pending_changes.remove(hash);
            self.env().emit_event(ChangeCancelled { hash });
            Ok(())
        }

        /// The earliest execution time (ms) of the announced change with `blake2x256(call)` =
        /// `hash`, if announced.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn pending_change(&self, hash: [u8; 32]) -> Result<Option<u64>, EngineError> {
            Ok(self.pending_changes.get(hash))
        }

        /// Owner: sets the notice risk-raising changes must give (ms, ≤ `MAX_CHANGE_DELAY_MS`):
        /// itself only through the current notice. Emits `ChangeDelayChanged`. Errors:
        /// `NotOwner`, `InvalidChangeDelay`, `NoticeRequired`, `NoticePending`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn set_change_delay(&mut self, delay_ms: u64) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(delay_ms <= MAX_CHANGE_DELAY_MS, EngineError::InvalidChangeDelay)?;
            self.notice(true, ink::selector_bytes!("set_change_delay"), &delay_ms)?;
            self.change_delay_ms = delay_ms;
            self.env().emit_event(ChangeDelayChanged { delay_ms });
            Ok(())
        }

        /// Owner: pins the settlement price of an expired option's (underlying, expiry) pair
        /// when the oracle recorded none (an outage or a dispute over the expiry's minute) —
        /// always announced, so holders see the price a full change delay before it applies.
        /// Emits `SettlementPinned`. Errors: `NotOwner`, `UnknownInstrument`, `NotExpired`,
        /// `AlreadyPinned`, `PriceOutOfRange`, `NoticeRequired`, `NoticePending`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn set_settlement_price(&mut self, instrument: InstrumentId, price_e18: u128) -> Result<(), EngineError> {
            self.only_owner()?;
            let listing = self.instruments.get(instrument).ok_or(EngineError::UnknownInstrument(instrument))?;
            let now = self.env().block_timestamp();
            let expiry_ms = match listing.kind {
                InstrumentKind::Option { expiry_ms, .. } if now >= expiry_ms => expiry_ms,
                _ => return Err(EngineError::NotExpired),
            };
            let key = (listing.underlying, expiry_ms);
            ensure(!self.settlements.contains(key), EngineError::AlreadyPinned)?;
            let config = self.market_config(listing.underlying)?;
            let in_range = (MIN_SPOT_E18..=config.max_spot_e18).contains(&price_e18);
            ensure(in_range, EngineError::PriceOutOfRange(listing.underlying))?;
            self.notice(true, ink::selector_bytes!("set_settlement_price"), &(instrument, price_e18))?;
            self.settlements.insert(key, &price_e18);
            self.env().emit_event(SettlementPinned { underlying: listing.underlying, expiry_ms, price_e18, price_ts_ms: now });
            Ok(())
        }

        // ------------------------------------------------------------------ accounts

        /// Caller: allows (`approved: true`) or forbids (`false`) an authorized venue to report
        /// trades for the caller's account. Emits `VenueApprovalChanged`.
        /// Errors: `VenueNotAuthorized` (approving an unknown venue; revoking always works).
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn approve_venue(&mut self, venue: AccountId, approved: bool) -> Result<(), EngineError> {
            let account = self.env().caller();
            if approved {
                let config = self.venues.get(venue).ok_or(EngineError::VenueNotAuthorized)?;
                self.approvals.insert((account, venue), &config.epoch);
            } else {
                self.approvals.remove((account, venue));
            }
            self.env().emit_event(VenueApprovalChanged { account, venue, approved });
            Ok(())
        }

        /// Caller: deposits `amount` base units of a listed asset (the quote asset is credited to
        /// cash). The caller must have approved the engine for `amount` on the token. The engine
        /// measures its own `balance_of` before and after `transfer_from` and credits the
        /// increase, which must equal `amount` (fee-on-transfer and no-op tokens are rejected).
        /// Needs no oracle. Emits `Deposited`. Errors: `ZeroAmount`, `UnknownAsset`,
        /// `DepositCapExceeded`, `TooManyPositions` (collateral entries), `TokenCallFailed`,
        /// `TokenError`, `TransferMismatch`.
        #[cfg(not(engine_admin))]
        #[ink(message)]
        #[inline(never)]
        pub fn deposit(&mut self, asset: AccountId, amount: u128) -> Result<(), EngineError> {
            ensure(amount > 0, EngineError::ZeroAmount)?;
            let caller = self.env().caller();
            let mut config = self.assets.get(asset).ok_or(EngineError::UnknownAsset)?;
            let total = config.total_deposits.checked_add(amount).ok_or(EngineError::DepositCapExceeded)?;
            ensure(total <= config.deposit_cap, EngineError::DepositCapExceeded)?;
            self.pull(asset, caller, amount)?;
            let mut data = self.accounts.get(caller).unwrap_or_default();
            if config.underlying.is_some() {
                data.add_collateral(asset, amount)?;
            } else {
                data.add_cash(i128::try_from(amount).map_err(|_| OVERFLOW)?)?;
            }
            config.total_deposits = total;
            self.assets.insert(asset, &config);
            self.store_account(caller, &data)?;
            self.env().emit_event(Deposited { account: caller, asset, amount });
            Ok(())
        }

        /// Caller: withdraws `amount` base units. Collateral needs the balance; quote needs
        /// `cash ≥ amount`, enough quote tokens in the engine and no outstanding deficit. The
        /// account must end with `E ≥ MR(im)` at fresh prices. State is written before the token
        /// transfer (checks-effects-interactions); a failed transfer reverts everything.
        /// Emits `Withdrawn`. Errors: `Paused` (withdrawals paused), `ZeroAmount`, `UnknownAsset`, `NoAccount`,
        /// `InsufficientCollateral`, `InsufficientCash`, `InsufficientLiquidity`,
        /// `DeficitOutstanding`, `InsufficientMargin`, oracle errors (`StalePrice`, …),
        /// `TokenCallFailed`, `TokenError`.
        #[cfg(not(engine_admin))]
        #[ink(message)]
        #[inline(never)]
        pub fn withdraw(&mut self, asset: AccountId, amount: u128) -> Result<(), EngineError> {
            ensure(!self.paused.withdrawals, EngineError::Paused)?;
            ensure(amount > 0, EngineError::ZeroAmount)?;
            let caller = self.env().caller();
            let mut config = self.assets.get(asset).ok_or(EngineError::UnknownAsset)?;
            let mut data = self.accounts.get(caller).ok_or(EngineError::NoAccount)?;
            self.settle_expired(caller, &mut data, self.env().block_timestamp())?;
            if config.underlying.is_some() {
                data.remove_collateral(asset, amount)?;
            } else {
                let units = i128::try_from(amount).map_err(|_| EngineError::InsufficientCash)?;
                ensure(data.cash >= units, EngineError::InsufficientCash)?;
                ensure(self.deficit == 0, EngineError::DeficitOutstanding)?;
                let liquidity = token_balance(asset, self.env().account_id())?;
                ensure(liquidity >= amount, EngineError::InsufficientLiquidity)?;
                data.add_cash(units.checked_neg().ok_or(OVERFLOW)?)?;
                self.quote_held = self.quote_held.saturating_sub(amount);
            }
            if !data.collateral.is_empty() || !data.positions.is_empty() || data.cash < 0 {
                let health = self.evaluate_account(&data, self.env().block_timestamp())?;
                ensure(health.equity >= health.initial_margin, EngineError::InsufficientMargin)?;
            }
            config.total_deposits = config.total_deposits.saturating_sub(amount);
            self.assets.insert(asset, &config);
            self.store_account(caller, &data)?;
            token_transfer(asset, caller, amount)?;
            self.env().emit_event(Withdrawn { account: caller, asset, amount });
            Ok(())
        }

        // ------------------------------------------------------------------ trading

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
        #[cfg(not(engine_admin))]
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
            let venue = self.env().caller();
            let venue_config = self.venues.get(venue).ok_or(EngineError::VenueNotAuthorized)?;
            ensure(buyer != seller, EngineError::SelfTrade)?;
            let approved = |who: AccountId| self.approvals.get((who, venue)) == Some(venue_config.epoch);
            ensure(approved(buyer), EngineError::VenueNotApproved(Side::Buyer))?;
            ensure(approved(seller), EngineError::VenueNotApproved(Side::Seller))?;
            ensure(size_e18 > 0, EngineError::ZeroAmount)?;
            let mut instrument =
                self.instruments.get(instrument_id).ok_or(EngineError::UnknownInstrument(instrument_id))?;
            let underlying = instrument.underlying;
            let market = self.market_config(underlying)?;
            let now = self.env().block_timestamp();
            if let InstrumentKind::Option { expiry_ms, .. } = instrument.kind {
                ensure(now < expiry_ms, EngineError::InstrumentExpired(instrument_id))?;
            } else {
                ensure(price_e18 > 0, EngineError::ZeroAmount)?;
            }
            ensure(is_whole_lots(size_e18, market.lot_e18), EngineError::NotWholeLots)?;

            let mut before_buyer = self.accounts.get(buyer).unwrap_or_default();
            let mut before_seller = self.accounts.get(seller).unwrap_or_default();
            self.settle_expired(buyer, &mut before_buyer, now)?;
            self.settle_expired(seller, &mut before_seller, now)?;
            // Margin-math views of the states before the trade: their underlyings (plus the
            // instrument's) are the snapshot, and a reducing side below IM is compared with them.
            let before_buyer_math = self.math_account(&before_buyer)?;
            let before_seller_math = self.math_account(&before_seller)?;
            let underlyings = union_of(&before_buyer_math.underlyings, &before_seller_math.underlyings, underlying);
            let markets = self.snapshot(&underlyings)?;
            let snap =
                markets.iter().find(|m| m.underlying == underlying).ok_or(EngineError::UnknownMarket(underlying))?;
            let (mark, band) = match instrument.kind {
                InstrumentKind::Linear => {
                    (snap.spot_e18, margin_math::trading::mul_div(snap.spot_e18, market.band_e18, ONE_E18, false)?)
                }
                InstrumentKind::Option { option_type, strike_e18, expiry_ms } => option_mark_and_band_e18(
                    option_kind(option_type),
                    snap.spot_e18,
                    strike_e18,
                    snap.vol_e18,
                    market.risk.rate_e18,
                    now,
                    expiry_ms,
                    market.band_e18,
                    market.band_vol_e18,
                    market.tick_e18,
                )?,
            };
            ensure(price_e18.abs_diff(mark) <= band, EngineError::PriceOutOfBand)?;
            let qd = self.quote_decimals;
            let fee = fee_units(notional_units(size_e18, price_e18, qd, true)?, fee_rate_e18)?;
            let fee_allowed = match instrument.kind {
                InstrumentKind::Linear => {
                    fee_rate_e18 <= venue_config.max_fee_rate_e18.min(MAX_LINEAR_FEE_RATE_E18)
                }
                InstrumentKind::Option { .. } => {
                    let ceiling = option_fee_ceiling_units(
                        size_e18,
                        price_e18,
                        snap.spot_e18,
                        qd,
                        venue_config.max_fee_rate_e18,
                        venue_config.option_fee_floor_e18,
                    )?;
                    fee <= ceiling
                }
            };
            ensure(fee_allowed, EngineError::FeeTooHigh)?;

            let mut buyer_data = before_buyer.clone();
            let mut seller_data = before_seller.clone();
            let old_oi = instrument.open_interest_e18;
            let fill = trade_between(
                &mut buyer_data,
                &mut seller_data,
                instrument_id,
                &mut instrument,
                size_e18,
                price_e18,
                true,
                qd,
                self.max_positions,
            )?;
            let ((old_buyer, new_buyer), (old_seller, new_seller)) = (fill.buyer, fill.seller);
            let fee_signed = i128::try_from(fee).map_err(|_| OVERFLOW)?;
            buyer_data.add_cash(fee_signed.checked_neg().ok_or(OVERFLOW)?)?;
            seller_data.add_cash(fee_signed.checked_neg().ok_or(OVERFLOW)?)?;
            let both_reduce = is_reducing(old_buyer.size_e18, new_buyer.size_e18)
                && is_reducing(old_seller.size_e18, new_seller.size_e18);
            ensure(both_reduce || !self.paused.new_risk, EngineError::Paused)?;
            ensure(both_reduce || !self.reduce_only.contains(underlying), EngineError::ReduceOnly(underlying))?;
            // Open interest (the sum of long sizes) may only grow up to its cap.
            let new_oi = instrument.open_interest_e18;
            ensure(new_oi <= old_oi || new_oi <= market.open_interest_cap_e18, EngineError::OpenInterestCapExceeded)?;

            let sides = [
                (Side::Buyer, &before_buyer_math, &buyer_data, old_buyer.size_e18, new_buyer.size_e18),
                (Side::Seller, &before_seller_math, &seller_data, old_seller.size_e18, new_seller.size_e18),
            ];
            for (side, before, after, old_size, new_size) in sides {
                if new_size.unsigned_abs() > old_size.unsigned_abs() {
                    let gross = self.gross_notional_e18(after, underlying, snap.spot_e18)?;
                    ensure(gross <= market.account_notional_cap_e18, EngineError::NotionalCapExceeded(side))?;
                }
                // The side's price is at the mark or better for it: a buyer pays at most the
                // mark, a seller receives at least it.
                let at_mark_or_better = match side {
                    Side::Buyer => price_e18 <= mark,
                    Side::Seller => price_e18 >= mark,
                };
                let leg = Leg { old_size, new_size, at_mark_or_better };
                self.check_trade_margin(&markets, before, after, leg, side, now)?;
            }

            self.store_account(buyer, &buyer_data)?;
            self.store_account(seller, &seller_data)?;
            self.instruments.insert(instrument_id, &instrument);
            if fee > 0 {
                let fee_account = self.fee_account;
                let mut fee_data = self.accounts.get(fee_account).unwrap_or_default();
                fee_data.add_cash(fee_signed.checked_mul(2).ok_or(OVERFLOW)?)?;
                self.store_account(fee_account, &fee_data)?;
            }
            self.env().emit_event(TradeApplied {
                instrument: instrument_id,
                buyer,
                seller,
                venue,
                size_e18,
                price_e18,
                premium: fill.premium,
                fee_per_side: fee,
                buyer_realized: fill.buyer_realized,
                seller_realized: fill.seller_realized,
            });
            Ok(())
        }

        // ------------------------------------------------------------------ liquidation

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
        #[cfg(not(engine_admin))]
        #[ink(message)]
        #[inline(never)]
        pub fn liquidate(
            &mut self,
            target: AccountId,
            slice: LiquidationSlice,
            quantity: u128,
        ) -> Result<LiquidationOutcome, EngineError> {
            let liquidator = self.env().caller();
            let now = self.env().block_timestamp();
            ensure(liquidations_open(self.liquidations_resume_at_ms, now), EngineError::Paused)?;
            ensure(liquidator != target, EngineError::SelfLiquidation)?;
            ensure(quantity > 0, EngineError::ZeroAmount)?;
            let mut data = self.accounts.get(target).ok_or(EngineError::NoAccount)?;
            let liquidator_data = self.accounts.get(liquidator).ok_or(EngineError::NoAccount)?;
            self.settle_expired(target, &mut data, now)?;

            // What the slice needs from storage: its listing or asset, and its market (the
            // rules check that the target holds it).
            let (asset, listing, underlying) = match slice {
                LiquidationSlice::Position(id) => {
                    let listing = self.instruments.get(id).ok_or(EngineError::InvalidSlice)?;
                    (None, Some(listing), listing.underlying)
                }
                LiquidationSlice::Collateral(a) => {
                    let config = self.assets.get(a).ok_or(EngineError::UnknownAsset)?;
                    (Some(config), None, config.underlying.ok_or(EngineError::InvalidSlice)?)
                }
            };
            let market = self.market_config(underlying)?;

            let done = {
                // One oracle read for the target's and the liquidator's underlyings.
                let books = self.books();
                let target_math = books.math_account(&data)?;
                let liquidator_math = books.math_account(&liquidator_data)?;
                let underlyings = union_of(&target_math.underlyings, &liquidator_math.underlyings, underlying);
                let (markets, stale) = self.read_markets(&underlyings, true)?;
                let call = liquidation::LiquidationCall {
                    slice,
                    quantity,
                    target: &data,
                    target_math: &target_math,
                    liquidator: &liquidator_data,
                    markets: &markets,
                    stale: &stale,
                    market,
                    asset,
                    listing,
                };
                liquidation::liquidate(&books, &self.liquidation, &call, self.insurance_fund, self.deficit)?
            };
            let outcome = done.outcome;
            self.insurance_fund = done.insurance_fund;
            self.deficit = done.deficit;
            if let Some(b) = done.payout.bad_debt {
                self.env().emit_event(BadDebtRecognized {
                    account: target,
                    bad_debt: b.bad_debt,
                    fund_cover: b.fund_cover,
                    deficit_increase: b.deficit_increase,
                });
            }
            self.emit_deficit_paid(done.payout.deficit_paid);
            self.store_account(target, &done.fill.target)?;
            self.store_account(liquidator, &done.fill.liquidator)?;
            if let (LiquidationSlice::Position(id), Some(instrument)) = (slice, done.fill.instrument) {
                self.instruments.insert(id, &instrument);
            }
            self.env().emit_event(Liquidated { target, liquidator, slice, quantity, outcome });
            Ok(outcome)
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
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn pin_settlement(&mut self, instrument: InstrumentId) -> Result<u128, EngineError> {
            let listing = self.instruments.get(instrument).ok_or(EngineError::UnknownInstrument(instrument))?;
            let now = self.env().block_timestamp();
            let expiry_ms = match listing.kind {
                InstrumentKind::Option { expiry_ms, .. } if now >= expiry_ms => expiry_ms,
                _ => return Err(EngineError::NotExpired),
            };
            let key = (listing.underlying, expiry_ms);
            ensure(!self.settlements.contains(key), EngineError::AlreadyPinned)?;
            let config = self.market_config(listing.underlying)?;
            let boundary_ms = margin_math::feed::settlement_boundary_of_expiry(expiry_ms);
            let oracle: ink::contract_ref!(PriceOracle) = self.oracle.into();
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
            self.settlements.insert(key, &value.value_e18);
            self.env().emit_event(SettlementPinned {
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
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn settle(&mut self, who: AccountId, instrument: InstrumentId) -> Result<i128, EngineError> {
            let listing = self.instruments.get(instrument).ok_or(EngineError::UnknownInstrument(instrument))?;
            let now = self.env().block_timestamp();
            let expiry_ms = match listing.kind {
                InstrumentKind::Option { expiry_ms, .. } if now >= expiry_ms => expiry_ms,
                _ => return Err(EngineError::NotExpired),
            };
            ensure(self.settlements.contains((listing.underlying, expiry_ms)), EngineError::NotPinned)?;
            let mut data = self.accounts.get(who).ok_or(EngineError::NoAccount)?;
            ensure(data.positions.iter().any(|p| p.instrument == instrument), EngineError::InvalidSlice)?;
            let cash_before = data.cash;
            self.settle_expired(who, &mut data, now)?;
            let moved = data.cash.checked_sub(cash_before).ok_or(OVERFLOW)?;
            self.recognize_bad_debt(who, &mut data)?;
            self.store_account(who, &data)?;
            Ok(moved)
        }

        /// Anyone: adds `amount` quote base units to the insurance fund (transferred in and
        /// measured like a deposit; approve the engine first). Emits `InsuranceFunded`.
        /// Errors: `ZeroAmount`, token errors, `TransferMismatch`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn fund_insurance(&mut self, amount: u128) -> Result<(), EngineError> {
            ensure(amount > 0, EngineError::ZeroAmount)?;
            let from = self.env().caller();
            self.pull(self.quote, from, amount)?;
            self.insurance_fund = self.insurance_fund.checked_add(amount).ok_or(OVERFLOW)?;
            self.env().emit_event(InsuranceFunded { from, amount });
            self.pay_down_deficit();
            Ok(())
        }

        /// Owner: covers `amount` (≤ deficit) quote base units of the deficit with quote tokens
        /// transferred in (approve the engine first). Quote withdrawals resume once the deficit is
        /// 0. Emits `DeficitCovered`. Errors: `NotOwner`, `ZeroAmount`, `ExceedsDeficit`, token
        /// errors, `TransferMismatch`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn cover_deficit(&mut self, amount: u128) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(amount > 0, EngineError::ZeroAmount)?;
            ensure(amount <= self.deficit, EngineError::ExceedsDeficit)?;
            self.pull(self.quote, self.owner, amount)?;
            self.deficit = self.deficit.checked_sub(amount).ok_or(OVERFLOW)?;
            self.env().emit_event(DeficitCovered { amount, deficit: self.deficit, from_fund: false });
            Ok(())
        }

        /// Owner: sets the liquidation parameters (fractions ≤ 1; the rate and `b` move at most a
        /// factor of 2 per update, from 0 at most to 0.05). Emits `LiquidationParamsChanged`.
        /// Errors: `NotOwner`, `InvalidLiquidationParams`, `StepTooLarge`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn set_liquidation_params(&mut self, params: LiquidationParams) -> Result<(), EngineError> {
            self.only_owner()?;
            ensure(params.is_valid(), EngineError::InvalidLiquidationParams)?;
            ensure(params.within_step_of(&self.liquidation), EngineError::StepTooLarge)?;
            let raises = params.needs_notice_over(&self.liquidation);
            self.notice(raises, ink::selector_bytes!("set_liquidation_params"), &params)?;
            self.liquidation = params;
            self.env().emit_event(LiquidationParamsChanged { params });
            Ok(())
        }

        // ------------------------------------------------------------------ views

        /// Health of `who` at fresh oracle prices and the current block time: raw `I80F48` bits
        /// of E, MR(im), MR(mm), E − MR(mm), and per underlying value, Δ, Γ, vega, requirements
        /// and worst scenarios (value = bits / 2^48, quote whole units). Errors: `NoAccount`,
        /// oracle errors, `Math`.
        #[cfg(not(engine_admin))]
        #[ink(message)]
        #[inline(never)]
        pub fn health(&self, who: AccountId) -> Result<HealthView, EngineError> {
            let data = self.accounts.get(who).ok_or(EngineError::NoAccount)?;
            let now = self.env().block_timestamp();
            let health = self.evaluate_account(&data, now)?;
            Ok(health_view(&health, now))
        }

        /// The stored account of `who` (cash in quote base units, collateral in base units,
        /// positions with 18-decimal sizes and entries), if any.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn account(&self, who: AccountId) -> Result<Option<AccountData>, EngineError> {
            Ok(self.accounts.get(who))
        }


        /// The engine's configuration and global figures (owner, oracle, quote asset, fee
        /// account, admin code hash, caps, pause state, liquidation parameters, insurance fund,
        /// deficit, the quote count, counts of markets, instruments and accounts).
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn config(&self) -> Result<EngineConfig, EngineError> {
            Ok(EngineConfig {
                owner: self.owner,
                pending_owner: self.pending_owner,
                oracle: self.oracle,
                quote_asset: self.quote,
                quote_decimals: self.quote_decimals,
                fee_account: self.fee_account,
                admin_code_hash: self.admin_code,
                max_positions: self.max_positions,
                paused: self.paused,
                grace_period_ms: self.grace_period_ms,
                liquidations_resume_at_ms: self.liquidations_resume_at_ms,
                liquidation_params: self.liquidation,
                insurance_fund: self.insurance_fund,
                deficit: self.deficit,
                quote_held: self.quote_held,
                market_count: self.market_count,
                instrument_count: self.instrument_count,
                account_count: self.account_count,
                change_delay_ms: self.change_delay_ms,
            })
        }

        /// Up to `limit` (≤ 100) account ids from index `from_index`, in creation order: how
        /// keepers page through all accounts.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn accounts(&self, from_index: u32, limit: u32) -> Result<Vec<AccountId>, EngineError> {
            let end = from_index.saturating_add(limit.min(100)).min(self.account_count);
            Ok((from_index..end).filter_map(|i| self.account_index.get(i)).collect())
        }

        /// A market's configuration. Errors: `UnknownMarket`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn market(&self, underlying: UnderlyingId) -> Result<MarketConfig, EngineError> {
            self.market_config(underlying)
        }


        /// A listed asset's configuration (the quote asset has `underlying: None`). Errors:
        /// `UnknownAsset`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn asset(&self, asset: AccountId) -> Result<AssetConfig, EngineError> {
            self.assets.get(asset).ok_or(EngineError::UnknownAsset)
        }

        /// The listed collateral assets (without the quote asset), in listing order.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn collateral_assets(&self) -> Result<Vec<AccountId>, EngineError> {
            Ok(self.asset_list.clone())
        }

        /// An instrument. Errors: `UnknownInstrument`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn instrument(&self, instrument: InstrumentId) -> Result<Instrument, EngineError> {
            self.instruments.get(instrument).ok_or(EngineError::UnknownInstrument(instrument))
        }


        /// An authorized venue's configuration. Errors: `VenueNotAuthorized`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn venue(&self, venue: AccountId) -> Result<VenueConfig, EngineError> {
            self.venues.get(venue).ok_or(EngineError::VenueNotAuthorized)
        }

        /// Whether `account` approved `venue`.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn is_venue_approved(&self, account: AccountId, venue: AccountId) -> Result<bool, EngineError> {
            let epoch = self.venues.get(venue).map(|v| v.epoch);
            Ok(epoch.is_some() && self.approvals.get((account, venue)) == epoch)
        }










        /// Whether `underlying`'s market is reduce-only.
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn is_reduce_only(&self, underlying: UnderlyingId) -> Result<bool, EngineError> {
            Ok(self.reduce_only.contains(underlying))
        }



        /// The pinned settlement price of (`underlying`, `expiry_ms`), quote per unit (18
        /// decimals), if pinned (`None` until then).
        #[cfg(engine_admin)]
        #[ink(message)]
        #[inline(never)]
        pub fn settlement_price(&self, underlying: UnderlyingId, expiry_ms: u64) -> Result<Option<u128>, EngineError> {
            Ok(self.settlements.get((underlying, expiry_ms)))
        }


        // ------------------------------------------------------------------ internals

        #[cfg(engine_admin)]
        fn only_owner(&self) -> Result<(), EngineError> {
            ensure(self.env().caller() == self.owner, EngineError::NotOwner)
        }

        /// The notice rule, declared by each owner message: a change that `needs` notice runs
        /// only as an announced call (`selector ++ args` exactly) whose time has come, and only
        /// once (the announcement is consumed; emits `ChangeExecuted`). Changes that do not
        /// need notice (risk-reducing ones, pauses, listings) pass at once, and so does every
        /// change while the delay is 0.
        #[cfg(engine_admin)]
        fn notice(&mut self, needs: bool, selector: [u8; 4], args: &impl ink::scale::Encode) -> Result<(), EngineError> {
            // A delay of 0 (set only through the previous delay) means no notice at all.
            if !needs || self.change_delay_ms == 0 {
                return Ok(());
            }
            let mut call = selector.to_vec();
            args.encode_to(&mut call);
            let hash = blake2(&call);
            let eta_ms = self.pending_changes.get(hash).ok_or(EngineError::NoticeRequired)?;
            ensure(self.env().block_timestamp() >= eta_ms, EngineError::NoticePending(eta_ms))?;
            self.pending_changes.remove(hash);
            self.env().emit_event(ChangeExecuted { hash });
            Ok(())
        }

        fn market_config(&self, underlying: UnderlyingId) -> Result<MarketConfig, EngineError> {
            self.markets.get(underlying).ok_or(EngineError::UnknownMarket(underlying))
        }

        fn store_account(&mut self, who: AccountId, data: &AccountData) -> Result<(), EngineError> {
            if !self.accounts.contains(who) {
                self.account_index.insert(self.account_count, &who);
                self.account_count = self.account_count.checked_add(1).ok_or(OVERFLOW)?;
            }
            self.accounts.insert(who, data);
            Ok(())
        }

        /// The market's price feed must be an oracle `Price` feed and its vol feed a
        /// `Volatility` feed, each with a window no longer than the market's max oracle age (so
        /// every value in a median is as fresh as the market requires) and an upper bound the
        /// engine accepts (`max_spot_e18` for the price, `MAX_VOL_E18` for the vol: every value
        /// the oracle can report is one the engine can value).
        #[cfg(engine_admin)]
        fn check_feeds(&self, config: &MarketConfig) -> Result<(), EngineError> {
            let oracle: ink::contract_ref!(PriceOracle) = self.oracle.into();
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

        fn math_account(&self, data: &AccountData) -> Result<MathAccount, EngineError> {
            // Through `books` so that `to_math_account` is built once, for the closures the
            // liquidation rules use too (a second copy cost 3 KB of Wasm).
            self.books().math_account(data)
        }

        fn evaluate_account(&self, data: &AccountData, now: u64) -> Result<Health, EngineError> {
            let math = self.math_account(data)?;
            let markets = self.snapshot(&math.underlyings)?;
            Ok(evaluate(&markets, &math.as_math(), now)?)
        }

        /// Reads price and volatility of `underlyings` in one batched oracle call and checks
        /// freshness (`now − ts ≤ max_oracle_age_ms`) and range.
        fn snapshot(&self, underlyings: &[UnderlyingId]) -> Result<Vec<Market>, EngineError> {
            Ok(self.read_markets(underlyings, false)?.0)
        }

        /// Like `snapshot`; with `allow_stale`, markets older than their max age are returned at
        /// their last value and listed in the second result instead of failing.
        fn read_markets(
            &self,
            underlyings: &[UnderlyingId],
            allow_stale: bool,
        ) -> Result<(Vec<Market>, Vec<UnderlyingId>), EngineError> {
            let mut stale = Vec::new();
            if underlyings.is_empty() {
                return Ok((Vec::new(), stale));
            }
            let mut configs = Vec::with_capacity(underlyings.len());
            let mut feeds = Vec::with_capacity(underlyings.len().saturating_mul(2));
            for &u in underlyings {
                let config = self.market_config(u)?;
                feeds.push(config.price_feed);
                feeds.push(config.vol_feed);
                configs.push((u, config));
            }
            let values = self.read_feeds(feeds)?;
            let now = self.env().block_timestamp();
            let mut markets = Vec::with_capacity(configs.len());
            let mut values = values.into_iter();
            for (u, config) in configs {
                let price = values.next().ok_or(EngineError::OracleCallFailed)?;
                let vol = values.next().ok_or(EngineError::OracleCallFailed)?;
                let price = price.map_err(|e| EngineError::OracleFeed(config.price_feed, e))?;
                let vol = vol.map_err(|e| EngineError::OracleFeed(config.vol_feed, e))?;
                let (market, fresh) = config.market_from(u, &price, &vol, now)?;
                if !fresh {
                    ensure(allow_stale, EngineError::StalePrice(u))?;
                    stale.push(u);
                }
                markets.push(market);
            }
            Ok((markets, stale))
        }

        /// One batched oracle read: a result per feed, in order.
        fn read_feeds(&self, feeds: Vec<FeedId>) -> Result<Vec<Result<FeedValue, FeedError>>, EngineError> {
            let oracle: ink::contract_ref!(PriceOracle) = self.oracle.into();
            let expected = feeds.len();
            match ink::codegen::TraitCallBuilder::call(&oracle).read_batch(feeds).try_invoke() {
                Ok(Ok(values)) if values.len() == expected => Ok(values),
                _ => Err(EngineError::OracleCallFailed),
            }
        }

        /// Transfers `amount` of `asset` from `from` to the engine and checks that the engine's
        /// measured balance grew by exactly `amount` (fee-on-transfer and no-op tokens fail).
        ///
        /// The quote asset takes one balance read: the engine counts the quote tokens it has
        /// taken in and paid out (`quote_held`) and requires its balance to cover that count
        /// after each pull (a donation never makes a pull fail; a shortfall makes every quote
        /// pull fail until it is transferred in).
        fn pull(&mut self, asset: AccountId, from: AccountId, amount: u128) -> Result<(), EngineError> {
            let engine = self.env().account_id();
            let quote = asset == self.quote;
            let before = if quote { self.quote_held } else { token_balance(asset, engine)? };
            let expected_after = before.checked_add(amount).ok_or(OVERFLOW)?;
            token_transfer_from(asset, from, engine, amount)?;
            let after = token_balance(asset, engine)?;
            let received = after.saturating_sub(before);
            let ok = if quote { after >= expected_after } else { received == amount };
            ensure(ok, EngineError::TransferMismatch { expected: amount, received })?;
            if quote {
                self.quote_held = expected_after;
            }
            Ok(())
        }

        /// The fund pays down the deficit as far as it can (`liquidation::pay_down_deficit`),
        /// without waiting for the owner. Emits `DeficitCovered` when it moved anything.
        #[cfg(engine_admin)]
        fn pay_down_deficit(&mut self) {
            let amount = liquidation::pay_down_deficit(&mut self.insurance_fund, &mut self.deficit);
            self.emit_deficit_paid(amount);
        }

        /// Emits `DeficitCovered` for `amount` (> 0) paid down by the fund.
        fn emit_deficit_paid(&self, amount: u128) {
            if amount > 0 {
                self.env().emit_event(DeficitCovered { amount, deficit: self.deficit, from_fund: true });
            }
        }

        /// Writes off an emptied account's negative cash (`liquidation::recognize_bad_debt`:
        /// the fund covers first, the rest becomes deficit). Emits `BadDebtRecognized`.
        /// Returns the bad debt (0: none).
        #[cfg(engine_admin)]
        fn recognize_bad_debt(&mut self, who: AccountId, data: &mut AccountData) -> Result<u128, EngineError> {
            let Some(b) = liquidation::recognize_bad_debt(data, &mut self.insurance_fund, &mut self.deficit)? else {
                return Ok(0);
            };
            self.env().emit_event(BadDebtRecognized {
                account: who,
                bad_debt: b.bad_debt,
                fund_cover: b.fund_cover,
                deficit_increase: b.deficit_increase,
            });
            Ok(b.bad_debt)
        }

        /// Settles `who`'s expired options that have a pinned price
        /// (`liquidation::settle_expired`) and lowers open interest by settled longs. Emits
        /// `PositionSettled` for each.
        fn settle_expired(&mut self, who: AccountId, data: &mut AccountData, now: u64) -> Result<(), EngineError> {
            let (quote_decimals, max_positions) = (self.quote_decimals, self.max_positions);
            let settlements = &self.settlements;
            let instruments = &mut self.instruments;
            let settlement_of = |u, e| settlements.get((u, e));
            liquidation::settle_expired(data, now, quote_decimals, max_positions, settlement_of, |s| {
                if s.size_e18 > 0 {
                    let mut listing =
                        instruments.get(s.instrument).ok_or(EngineError::UnknownInstrument(s.instrument))?;
                    listing.open_interest_e18 = listing.open_interest_e18.saturating_sub(s.size_e18.unsigned_abs());
                    instruments.insert(s.instrument, &listing);
                }
                Self::env().emit_event(PositionSettled {
                    account: who,
                    instrument: s.instrument,
                    size_e18: s.size_e18,
                    cash: s.cash,
                });
                Ok(())
            })
        }

        /// The engine's state as the pure rules of `liquidation` read it.
        fn books(
            &self,
        ) -> liquidation::Books<impl Fn(AccountId) -> Option<AssetConfig> + '_, impl Fn(UnderlyingId, u64) -> Option<u128> + '_> {
            liquidation::Books {
                quote_decimals: self.quote_decimals,
                max_positions: self.max_positions,
                now_ms: self.env().block_timestamp(),
                asset_of: |a| self.assets.get(a),
                settlement_of: |u, e| self.settlements.get((u, e)),
            }
        }

        /// `Σ |size|·S` over the account's positions in `underlying`, quote with 18 decimals.
        fn gross_notional_e18(
            &self,
            data: &AccountData,
            underlying: UnderlyingId,
            spot_e18: u128,
        ) -> Result<u128, EngineError> {
            let mut gross: u128 = 0;
            for p in data.positions.iter().filter(|p| p.underlying == underlying) {
                gross = gross.checked_add(p.size_e18.unsigned_abs()).ok_or(OVERFLOW)?;
            }
            Ok(notional_e18(gross, spot_e18)?)
        }

        /// A side passes if it ends with `E ≥ MR(im)`, or uses the reducing exception: its leg
        /// reduces the position toward zero without crossing, at the mark or better for the side,
        /// its equity after the trade is not negative and its maintenance health does not fall.
        /// (Without the price and equity conditions an insolvent side could sell at the bottom of
        /// the band to a friend: health rises while value moves out — bad debt.) Never if it ends
        /// with no items and negative cash (that debt is for a liquidation to recognize).
        fn check_trade_margin(
            &self,
            markets: &[Market],
            before: &MathAccount,
            after: &AccountData,
            leg: Leg,
            side: Side,
            now: u64,
        ) -> Result<(), EngineError> {
            // Closing an account's last item with debt is a liquidation (which recognizes the bad
            // debt), not a trade.
            let emptied_in_debt = after.collateral.is_empty() && after.positions.is_empty() && after.cash < 0;
            ensure(!emptied_in_debt, EngineError::TradeMargin(side))?;
            let after_math = self.math_account(after)?;
            let after_health = evaluate(markets, &after_math.as_math(), now)?;
            if after_health.equity >= after_health.initial_margin {
                return Ok(());
            }
            let exception = is_reducing(leg.old_size, leg.new_size)
                && leg.at_mark_or_better
                && after_health.equity >= Value::ZERO;
            ensure(exception, EngineError::TradeMargin(side))?;
            let before_health = evaluate(markets, &before.as_math(), now)?;
            ensure(after_health.health >= before_health.health, EngineError::TradeMargin(side))
        }
    }

    /// One side's leg of a trade: its position before and after, and whether the trade price is
    /// at the mark or better for it.
    #[derive(Clone, Copy)]
    struct Leg {
        old_size: i128,
        new_size: i128,
        at_mark_or_better: bool,
    }

    /// The underlyings of two accounts and `extra`, without repeats (the first's order, then
    /// the others' new ones): the markets one oracle read must cover.
    #[cfg(not(engine_admin))]
    #[inline(never)]
    fn union_of(a: &[UnderlyingId], b: &[UnderlyingId], extra: UnderlyingId) -> Vec<UnderlyingId> {
        let mut out = a.to_vec();
        for &u in b.iter().chain([&extra]) {
            if !out.contains(&u) {
                out.push(u);
            }
        }
        out
    }

    /// Haircut below 100% and a deposit cap worth at most `MAX_ITEM_NOTIONAL_E18` at the
    /// market's highest accepted spot: `cap · max_spot / 10^decimals`.
    #[cfg(engine_admin)]
    fn asset_params_ok(config: &AssetConfig, market: &MarketConfig) -> bool {
        let notional_ok = margin_math::units::pow10(config.decimals)
            .and_then(|scale| margin_math::trading::mul_div(config.deposit_cap, market.max_spot_e18, scale, true))
            .is_ok_and(|n| n <= MAX_ITEM_NOTIONAL_E18);
        config.basis_haircut_e18 < ONE_E18 && notional_ok
    }

    /// `blake2x256(bytes)`: the key of an announced change.
    #[cfg(engine_admin)]
    fn blake2(bytes: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        ink::env::hash_bytes::<ink::env::hash::Blake2x256>(bytes, &mut out);
        out
    }

    fn read_decimals(token: AccountId) -> Result<u8, EngineError> {
        let metadata: ink::contract_ref!(PSP22Metadata) = token.into();
        let decimals = match ink::codegen::TraitCallBuilder::call(&metadata).token_decimals().try_invoke() {
            Ok(Ok(decimals)) => decimals,
            _ => return Err(EngineError::TokenCallFailed),
        };
        ensure(decimals <= 24, EngineError::UnsupportedDecimals(decimals))?;
        Ok(decimals)
    }

    #[inline(never)]
    fn token_balance(token: AccountId, owner: AccountId) -> Result<u128, EngineError> {
        let psp22: ink::contract_ref!(PSP22) = token.into();
        match ink::codegen::TraitCallBuilder::call(&psp22).balance_of(owner).try_invoke() {
            Ok(Ok(balance)) => Ok(balance),
            _ => Err(EngineError::TokenCallFailed),
        }
    }

    fn token_transfer_from(token: AccountId, from: AccountId, to: AccountId, value: u128) -> Result<(), EngineError> {
        let mut psp22: ink::contract_ref!(PSP22) = token.into();
        match ink::codegen::TraitCallBuilder::call_mut(&mut psp22)
            .transfer_from(from, to, value, Vec::new())
            .try_invoke()
        {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(EngineError::TokenError(e)),
            _ => Err(EngineError::TokenCallFailed),
        }
    }

    fn token_transfer(token: AccountId, to: AccountId, value: u128) -> Result<(), EngineError> {
        let mut psp22: ink::contract_ref!(PSP22) = token.into();
        match ink::codegen::TraitCallBuilder::call_mut(&mut psp22).transfer(to, value, Vec::new()).try_invoke() {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(EngineError::TokenError(e)),
            _ => Err(EngineError::TokenCallFailed),
        }
    }
}
