#!/usr/bin/env bash
# Deploys the suite with cargo-contract (README "Deploying with cargo-contract") on a node: oracle,
# a 6-decimal quote token (or QUOTE=<existing PSP22>), an 8-decimal WBTC test token as collateral,
# the engine's admin module (code only) and the engine; then one reporter, the BTC price and
# volatility feeds, market 0 with the example risk parameters (tests/src/params.rs), WBTC as
# collateral, a linear instrument and the venue. Owner messages go through the engine's `admin`,
# which `cargo contract call` refuses to execute (an `&self` message), so they are encoded with
# `cargo contract encode` and the admin module's metadata and sent by `deltamargin-admin`.
# Prints every address and, last, the engine's `config()` (read through `admin`).
#
# Needs: cargo-contract 5 on PATH (`cargo install cargo-contract --version "^5" --locked`).
# Environment: URL (ws://127.0.0.1:9944), SURI (//Alice), OWNER (the SURI's SS58 address; //Alice's
# by default), VENUE (OWNER), SALT (0x01), QUOTE (deploy a test token), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deltamargin/target}"
URL="${URL:-ws://127.0.0.1:9944}"
SURI="${SURI:-//Alice}"
OWNER="${OWNER:-5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY}"
VENUE="${VENUE:-$OWNER}"
SALT="${SALT:-0x01}"
command -v cargo-contract >/dev/null || { echo "deploy: cargo-contract is not on PATH" >&2; exit 1; }

# The bundles (.contract: Wasm + metadata) are what the sandbox crate's bundle provider builds
# when deltamargin-sim is compiled (the same contract-build library as `cargo contract build`).
(cd tests && cargo build --release --locked --bin deltamargin-sim) >&2
(cd keeper && cargo build --release --locked --bin deltamargin-admin) >&2
admin_bin="$CARGO_TARGET_DIR/release/deltamargin-admin"
B="$CARGO_TARGET_DIR/ink"
tx=(--url "$URL" --suri "$SURI" --execute --skip-confirm)

fail() { echo "deploy: $*" >&2; exit 1; }
# instantiate BUNDLE ARGS...: the new contract's address. The bundle goes before --args, which
# takes every following word.
instantiate() {
  local bundle=$1; shift
  local out
  out=$(cargo contract instantiate "${tx[@]}" --constructor new --salt "$SALT" "$bundle" "$@" 2>&1) \
    || fail "instantiate $(basename "$bundle"): $out"
  echo "$out" | grep -Eo 'Contract [0-9A-Za-z]{47,48}' | tail -1 | awk '{print $2}'
}
# call BUNDLE CONTRACT MESSAGE ARGS...: a transaction; fails on an error or a revert.
call() {
  local bundle=$1 contract=$2 message=$3; shift 3
  local out
  out=$(cargo contract call "${tx[@]}" "$bundle" --contract "$contract" --message "$message" ${1:+--args "$@"} 2>&1) \
    || fail "$message: $out"
  echo "$message: done"
}
# admin MESSAGE ARGS...: an owner message of the engine.
admin() {
  local message=$1; shift
  local data
  data=$(cargo contract encode "$B/engine_admin/engine_admin.contract" --message "$message" ${1:+--args "$@"} \
    | awk '/Encoded data/ {print $3}')
  [ -n "$data" ] || fail "cannot encode $message"
  echo -n "$message: "
  DELTAMARGIN_SIGNER="$SURI" "$admin_bin" --url "$URL" --engine "$ENGINE" --call "0x$data"
}

ORACLE=$(instantiate "$B/oracle/oracle.contract")
echo "oracle $ORACLE"
if [ -z "${QUOTE:-}" ]; then
  QUOTE=$(instantiate "$B/token/token.contract" --args 'Some("USD")' 'Some("USD")' 6)
fi
echo "quote $QUOTE"
WBTC=$(instantiate "$B/token/token.contract" --args 'Some("WBTC")' 'Some("WBTC")' 8)
echo "wbtc $WBTC"
# Code that is on chain already (an earlier deployment) is not uploaded again: its hash is reused.
upload=$(cargo contract upload "${tx[@]}" "$B/engine_admin/engine_admin.contract" 2>&1) \
  || echo "$upload" | grep -q "already been uploaded" || fail "upload: $upload"
ADMIN_CODE_HASH=$(echo "$upload" | grep -Eo '(Code hash|code hash:) 0x[0-9a-f]{64}' | grep -Eo '0x[0-9a-f]{64}' | head -1)
[ -n "$ADMIN_CODE_HASH" ] || fail "no code hash in: $upload"
echo "admin module code $ADMIN_CODE_HASH"
# new(oracle, quote, quote deposit cap (base units), fee account, admin module code hash)
ENGINE=$(instantiate "$B/engine/engine.contract" --args "$ORACLE" "$QUOTE" 1000000000000000 "$OWNER" "$ADMIN_CODE_HASH")
echo "engine $ENGINE"

call "$B/oracle/oracle.contract" "$ORACLE" add_reporter "$OWNER"
# Feeds 0 (price, at most the market's max_spot: 10^6 quote) and 1 (volatility, at most 10):
# window 30 s, no longer than the market's max oracle age; quorum 1 of the 1 reporter (a strict
# majority); values more than 2% from the median do not count toward the quorum.
for feed in "Price 1000000000000000000000000" "Volatility 10000000000000000000"; do
  set -- $feed
  call "$B/oracle/oracle.contract" "$ORACLE" create_feed \
    "{ kind: $1, window_ms: 30000, quorum: 1, min_e18: 1000000000000, max_e18: $2, max_spread_e18: 20000000000000000 }"
done
admin list_market '{ price_feed: 0, vol_feed: 1,
  risk: { spot_shock_im_e18: 100000000000000000, spot_shock_mm_e18: 60000000000000000,
          vol_shock_im_e18: 200000000000000000, vol_shock_mm_e18: 120000000000000000,
          vol_floor_e18: 50000000000000000, short_option_addon_e18: 10000000000000000, rate_e18: 0 },
  max_oracle_age_ms: 30000, band_e18: 20000000000000000, band_vol_e18: 50000000000000000,
  tick_e18: 10000000000000000, lot_e18: 1000000000000000,
  max_spot_e18: 1000000000000000000000000, open_interest_cap_e18: 1000000000000000000000000,
  account_notional_cap_e18: 1000000000000000000000000000000 }'
admin list_asset "$WBTC" 0 0 100000000000000        # asset, underlying, haircut e18, deposit cap
admin list_instrument 0 Linear
admin authorize_venue "$VENUE" 10000000000000000 300000000000000  # max fee rate 1%, option floor 0.03% of spot
echo "== engine config() (a view of the admin module, read through admin)"
admin config
