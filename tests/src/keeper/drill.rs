//! The liquidation drill (`deltamargin_keeper::drill`) on the drink sandbox: the sandbox as a
//! drill [`Operator`], the contracts' Wasm from the bundle provider, and the drill's tests.

#[cfg(test)]
use deltamargin_keeper::drill::{run, send_admin, DrillOptions, Roles, EXPECTED_TAKEN_E18};
use deltamargin_keeper::drill::{Codes, Operator};
#[cfg(test)]
use engine::{types::HealthView, EngineError};

use super::{ChainError, Executed, Keeper, KeeperLog, SandboxChain};
#[cfg(test)]
use crate::params::E18;
#[cfg(test)]
use crate::utils::selector_call as encode_call;
use crate::utils::{Account, Chain};

/// The release Wasm the sandbox crate's bundle provider built (`$CARGO_TARGET_DIR/ink/`).
pub fn codes_from_bundles() -> Result<Codes, String> {
    use crate::BundleProvider;
    let wasm = |bundle: BundleProvider| bundle.bundle().map(|b| b.wasm).map_err(|e| format!("bundle: {e:?}"));
    Ok(Codes {
        token: wasm(BundleProvider::Token)?,
        oracle: wasm(BundleProvider::Oracle)?,
        engine: wasm(BundleProvider::Engine)?,
        engine_admin: wasm(BundleProvider::EngineAdmin)?,
    })
}

/// The drill on the drink sandbox (the tests).
impl Operator for Chain {
    fn upload(&mut self, from: Account, wasm: &[u8]) -> Result<[u8; 32], ChainError> {
        let hash = self.try_upload(wasm, from).map_err(|e| ChainError(format!("upload: {e:?}")))?;
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(hash.as_ref());
        Ok(bytes)
    }

    fn instantiate(
        &mut self,
        from: Account,
        code_hash: [u8; 32],
        input: Vec<u8>,
        salt: Vec<u8>,
    ) -> Result<Account, ChainError> {
        Chain::instantiate(self, code_hash, input, salt, from).0.map_err(|e| ChainError(format!("instantiate: {e:?}")))
    }

    fn send(&mut self, from: Account, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        let (output, gas, reverted) =
            self.raw_call(from, contract, input, true).map_err(|e| ChainError(format!("call: {e:?}")))?;
        Ok(Executed { output, ref_time_ps: gas.ref_time(), reverted })
    }

    fn query(&mut self, from: Account, contract: Account, input: Vec<u8>) -> Result<Executed, ChainError> {
        let (output, gas, reverted) =
            self.raw_call(from, contract, input, false).map_err(|e| ChainError(format!("dry run: {e:?}")))?;
        Ok(Executed { output, ref_time_ps: gas.ref_time(), reverted })
    }

    fn now_ms(&mut self) -> Result<u64, ChainError> {
        Ok(self.now())
    }

    fn keeper_round(
        &mut self,
        keeper: &mut Keeper,
        engine: Account,
        as_keeper: Account,
    ) -> Result<Vec<KeeperLog>, ChainError> {
        Ok(keeper.run_once(&mut SandboxChain::new(self, engine, as_keeper)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The drill in the sandbox: every step the live run takes (deployment over raw uploads and
    /// instantiations, configuration through `admin`, the keeper round) and its checks, on the
    /// real contracts; the dev accounts get native balance first (a dev chain funds them).
    #[test]
    fn drill_liquidates_the_trader_to_the_end_target() {
        let mut chain = Chain::new();
        let roles = Roles::dev().unwrap();
        for who in [roles.owner, roles.trader, roles.counterparty, roles.keeper] {
            chain.mint_native(who, 1_000_000_000_000_000);
        }
        let codes = codes_from_bundles().unwrap();
        let mut lines = Vec::new();
        let report =
            run(&mut chain, &codes, roles, DrillOptions { salt: 7, keeper_round: true }, &mut |l| lines.push(l))
                .unwrap_or_else(|e| panic!("drill failed: {e}\n{}", lines.join("\n")));
        println!("{}", lines.join("\n"));
        assert!(report.health_before.liquidatable);
        assert_eq!(report.taken_e18, EXPECTED_TAKEN_E18);
        assert!(report.health_after.is_some_and(|h| !h.liquidatable));
        // The engine's events agree: one liquidation of the trader by the keeper.
        let events = chain.events::<engine::events::Liquidated>(report.engine);
        assert_eq!(events.len(), 1);
        assert_eq!((events[0].target, events[0].liquidator), (roles.trader, roles.keeper));

        // Raw admin calls (what `deltamargin-sim admin` sends): the engine's typed answers.
        let venue_call = encode_call("authorize_venue", (roles.trader, E18 / 100, 0u128));
        assert_eq!(send_admin(&mut chain, roles.trader, report.engine, &venue_call), Ok(Err(EngineError::NotOwner)));
        assert_eq!(
            send_admin(&mut chain, roles.owner, report.engine, &[0x12, 0x34]),
            Ok(Err(EngineError::InvalidAdminCall))
        );
        assert_eq!(send_admin(&mut chain, roles.owner, report.engine, &venue_call), Ok(Ok(Vec::new())));

        // Without the keeper round (a second suite, new salt): the trader is left liquidatable
        // for the standalone keeper, and nothing was liquidated.
        chain.clear_events();
        let report =
            run(&mut chain, &codes, roles, DrillOptions { salt: 8, keeper_round: false }, &mut |_| {}).unwrap();
        assert!(report.keeper_log.is_empty() && report.health_after.is_none());
        let health: Result<HealthView, EngineError> = chain.call(roles.keeper, report.engine, "health", roles.trader);
        assert!(health.unwrap().liquidatable);
        assert!(chain.events::<engine::events::Liquidated>(report.engine).is_empty());
    }

    /// A step that fails stops the drill with the step's name: here the admin module's code is
    /// not Wasm, so the chain refuses its upload.
    #[test]
    fn a_failing_step_is_named() {
        let mut chain = Chain::new();
        let roles = Roles::dev().unwrap();
        chain.mint_native(roles.owner, 1_000_000_000_000_000);
        let mut codes = codes_from_bundles().unwrap();
        codes.engine_admin = b"not wasm".to_vec();
        let err =
            run(&mut chain, &codes, roles, DrillOptions { salt: 1, keeper_round: true }, &mut |_| {}).unwrap_err();
        assert!(err.starts_with("upload engine_admin"), "{err}");
    }
}
