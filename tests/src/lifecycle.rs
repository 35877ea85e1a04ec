//! The whole path: list, deposit collateral with 0, 6, 18 and 24 decimals, approve a venue,
//! trade linear and options, move prices, check health.

use engine::types::OptionType;

use crate::suite::*;
use crate::utils::actor;

#[test]
fn deposit_trade_and_reprice() {
    let mut s = Suite::new();
    let (alice, bob) = (actor(10), actor(11));
    s.fund(alice, s.quote, units("100000", 6));
    s.fund(alice, s.btc, units("1.5", 24));
    s.fund(alice, s.eth, units("10", 18));
    s.fund(alice, s.idx, 25);
    s.fund(bob, s.quote, units("500000", 6));
    assert_eq!(s.balance(s.btc, s.engine), units("1.5", 24));
    assert_eq!(s.balance(s.idx, s.engine), 25);
    let a = s.account(alice).expect("alice account");
    assert_eq!(a.cash, units("100000", 6) as i128);
    assert_eq!(a.collateral.len(), 3);

    s.approve_venue(alice);
    s.approve_venue(bob);
    // Alice hedges her BTC with a short perpetual at 60,000.
    s.trade(bob, alice, s.perp[BTC as usize], e18("1.5"), e18("60000"), 0).expect("perp trade");
    let h = s.health(alice).expect("health");
    let btc = h.underlyings.iter().find(|u| u.underlying == BTC).expect("btc risk");
    assert_eq!(btc.delta_bits, 0, "collateral and an equal short perpetual net to zero delta");

    // Bob sells Alice a call for 2,000 per contract.
    let expiry = T0 + 30 * 86_400_000;
    let call = s.list_option(BTC, OptionType::Call, "65000", expiry);
    let before_cash = s.account(alice).expect("alice").cash;
    let mark = margin_math::trading::option_mark_e18(
        margin_math::OptionKind::Call,
        e18("60000"),
        e18("65000"),
        e18("0.65"),
        0,
        T0,
        expiry,
    )
    .expect("mark");
    let price = mark / LOT * LOT; // any price within the band
    s.trade(alice, bob, call, e18("2"), price, E18 / 1000).expect("option trade");
    let after = s.account(alice).expect("alice");
    let premium = margin_math::trading::premium_units(e18("2"), price, 6).expect("premium");
    let fee = margin_math::trading::fee_units(
        margin_math::trading::notional_units(e18("2"), price, 6, true).expect("notional"),
        E18 / 1000,
    )
    .expect("fee");
    assert_eq!(after.cash, before_cash - premium as i128 - fee as i128);

    // Prices move: health is recomputed from the new oracle values.
    s.chain.set_time(T0 + 10_000);
    s.set_prices(&[(BTC, "54000", "0.9"), (ETH, "2500", "0.9"), (IDX, "900", "0.4")]);
    let moved = s.health(alice).expect("health after move");
    assert_ne!(moved.equity_bits, h.equity_bits);
    assert!(!moved.liquidatable);
}

/// The harness routes exactly the admin module's messages through the engine's `admin`: the list
/// is read from the admin module's metadata (no hand-kept copy), holds the owner messages and
/// module views, and none of the engine's own six messages, which the engine answers directly.
#[test]
fn engine_admin_messages_are_the_admin_modules_and_not_the_engines() {
    use crate::utils::{engine_admin_messages, message_labels};
    let admin = engine_admin_messages();
    assert_eq!(admin.len(), 36, "{admin:?}");
    for message in ["list_market", "authorize_venue", "announce", "set_change_delay", "config", "account", "settle"] {
        assert!(admin.iter().any(|m| m == message), "{message} is an admin-module message");
    }
    let mut engine = message_labels(crate::BundleProvider::Engine);
    engine.sort();
    assert_eq!(engine, ["admin", "apply_trade", "deposit", "health", "liquidate", "withdraw"]);
    assert!(admin.iter().all(|m| !engine.contains(m)), "a message in both would be ambiguous");
}

/// The engine and its admin module run on one storage: the admin module's messages execute by
/// delegate call on the engine's storage, so both contracts must lay it out identically. Both
/// storage structs are one field of the shared `EngineState`; this compares what their
/// metadata say: the same root key and, under it, the same fields with the same keys and types
/// (type ids resolved to their paths, since each metadata numbers its own types).
#[test]
fn engine_and_admin_module_share_one_storage_layout() {
    let engine = storage_layout(crate::BundleProvider::Engine);
    let admin = storage_layout(crate::BundleProvider::EngineAdmin);
    assert_eq!(engine, admin, "storage layouts differ");
    // Not vacuous: the layout names the state's mappings with their keys and value types.
    let text = engine.to_string();
    for needle in ["\"accounts\"", "\"pending_changes\"", "deltamargin_core::types::AccountData", "\"root_key\""] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
}

/// A contract's storage layout from its bundle's metadata, below its (contract-named) storage
/// struct, with every type id replaced by the type's description.
fn storage_layout(bundle: crate::BundleProvider) -> serde_json::Value {
    let bundle = bundle.bundle().unwrap_or_else(|e| panic!("contract bundle: {e:?}"));
    let project = bundle.transcoder.metadata();
    let registry = project.registry();
    let mut layout = serde_json::to_value(project.layout()).expect("layout serializes");
    resolve_type_ids(&mut layout, registry);
    let root = layout.get_mut("root").expect("root layout");
    let fields = root["layout"]["struct"]["fields"].take();
    serde_json::json!({ "root_key": root["root_key"].take(), "fields": fields })
}

fn resolve_type_ids(value: &mut serde_json::Value, registry: &ink::scale_info::PortableRegistry) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), v.as_u64()) {
                    ("ty", Some(id)) => *v = serde_json::Value::String(describe_type(registry, id as u32)),
                    _ => resolve_type_ids(v, registry),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| resolve_type_ids(v, registry)),
        _ => {}
    }
}

/// A type as a path with its parameters (`deltamargin_core::types::AccountData`,
/// `Option<AccountId>`), or its shape when it has no path (primitives, tuples, arrays, vectors).
fn describe_type(registry: &ink::scale_info::PortableRegistry, id: u32) -> String {
    use ink::scale_info::TypeDef;
    let ty = registry.resolve(id).unwrap_or_else(|| panic!("type {id} in the registry"));
    let params: Vec<String> =
        ty.type_params.iter().filter_map(|p| p.ty.map(|t| describe_type(registry, t.id))).collect();
    if !ty.path.segments.is_empty() {
        return format!("{}<{}>", ty.path.segments.join("::"), params.join(","));
    }
    match &ty.type_def {
        TypeDef::Primitive(p) => format!("{p:?}"),
        TypeDef::Sequence(s) => format!("Vec<{}>", describe_type(registry, s.type_param.id)),
        TypeDef::Array(a) => format!("[{};{}]", describe_type(registry, a.type_param.id), a.len),
        TypeDef::Tuple(t) => {
            let parts: Vec<String> = t.fields.iter().map(|f| describe_type(registry, f.id)).collect();
            format!("({})", parts.join(","))
        }
        other => format!("{other:?}"),
    }
}
