#!/usr/bin/env bash
# Opt-in live check of the keeper (`deltamargin-sim keeper`, README "Keeper"): starts a local
# contracts node (`substrate-contracts-node` or `ink-node`, --dev --tmp) and runs one keeper round
# against an engine deployed on it. CI does not need it: without a node binary on PATH the
# script prints SKIPPED and exits 0.
#
# What stands: the script starts the node and runs `deltamargin-sim keeper --once` against the
# engine address in KEEPER_ENGINE (deploy the contracts yourself, e.g. with cargo-contract,
# from the bundles the sandbox crate builds under $CARGO_TARGET_DIR/ink/). Deploying the suite
# and making an account liquidatable over subxt is not automated yet; without KEEPER_ENGINE the
# script starts the node, checks that the keeper connects and refuses an engine address that
# holds no contract, and stops.
#
# Environment: KEEPER_ENGINE (SS58 or 0x-hex engine address), KEEPER_SURI (default //Alice),
# KEEPER_PORT (default 9944), CARGO_TARGET_DIR (default ~/.cache/deltamargin/target).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deltamargin/target}"

node=""
for candidate in substrate-contracts-node ink-node; do
  if command -v "$candidate" >/dev/null 2>&1; then
    node="$candidate"
    break
  fi
done
if [ -z "$node" ]; then
  cat <<'MSG'
SKIPPED: keeper live check: neither substrate-contracts-node nor ink-node found on PATH.
  To run it, put a contracts node on PATH, e.g. a release binary from
  https://github.com/use-ink/ink-node/releases (or substrate-contracts-node releases), or build
  one: `cargo install contracts-node` is hard on this toolchain (see /work/shared/TOOLCHAIN.md
  item 12: it needs Rust 1.84, WASM_BUILD_WORKSPACE_HINT, protobuf-compiler and libclang, and
  more than 40 minutes on 2 cores). Then: KEEPER_ENGINE=<engine address> scripts/keeper-live.sh
MSG
  exit 0
fi

port="${KEEPER_PORT:-9944}"
suri="${KEEPER_SURI:-//Alice}"
url="ws://127.0.0.1:$port"
(cd tests && cargo build --release --locked --bin deltamargin-sim) >&2
bin="$CARGO_TARGET_DIR/release/deltamargin-sim"

log=$(mktemp)
"$node" --dev --tmp --rpc-port "$port" >"$log" 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 60); do
  if grep -q "Running JSON-RPC server" "$log" 2>/dev/null; then break; fi
  sleep 1
done
grep -q "Running JSON-RPC server" "$log" || { cat "$log" >&2; echo "keeper-live: $node did not start" >&2; exit 1; }
echo "started $node at $url (pid $node_pid)"

if [ -z "${KEEPER_ENGINE:-}" ]; then
  # No engine deployed: an address without a contract must be refused with a clear error.
  if "$bin" keeper --url "$url" --engine 0x0000000000000000000000000000000000000000000000000000000000000000 \
      --suri "$suri" --once; then
    echo "keeper-live: the keeper accepted an address that holds no engine" >&2
    exit 1
  fi
  echo "keeper connected and refused an address without an engine."
  echo "PARTIAL: set KEEPER_ENGINE to a deployed engine's address to run a liquidation round."
  exit 0
fi
"$bin" keeper --url "$url" --engine "$KEEPER_ENGINE" --suri "$suri" --once
