#!/usr/bin/env bash
# Gas report from the drink sandbox: ref_time and proof_size of every contract message, `health`
# and `apply_trade` at 1, 8 and 32 positions (half options), `liquidate` (position and collateral
# slices, the insolvent path) against targets of 1, 8 and 32 positions, as % of a 2 s block and of Aleph
# Zero's 400 ms block, each contract's Wasm size, and the margin-math kernels on chain (probe). Writes target/gas-report.md (in the clone)
# and prints it; the README's table is this output.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deltamargin/target}"
rustup toolchain install >/dev/null
mkdir -p target
out="$PWD/target/gas-report.md"
kernels="$PWD/target/kernel-gas.md"
liquidation="$PWD/target/liquidation-gas.md"
(cd tests && GAS_REPORT_OUT="$out" KERNEL_GAS_OUT="$kernels" LIQUIDATION_GAS_OUT="$liquidation" \
  cargo test --release --locked -- --exact --test-threads=1 \
  gas_report::gas_report kernel_gas::kernel_gas liquidation_gas::liquidation_gas_report >/dev/null)
cat "$out"
echo
cat "$liquidation"
echo
cat "$kernels"
