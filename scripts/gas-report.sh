#!/usr/bin/env bash
# Gas report from the drink sandbox: ref_time and proof_size of every contract message, `health`
# and `apply_trade` at 1, 8 and 32 positions (half options), as % of a 2 s block and of Aleph
# Zero's 400 ms block, each contract's Wasm size, and the margin-math kernels on chain (probe). Writes target/gas-report.md (in the clone)
# and prints it; the README's table is this output.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deltamargin/target}"
rustup toolchain install >/dev/null
mkdir -p target
out="$PWD/target/gas-report.md"
kernels="$PWD/target/kernel-gas.md"
(cd tests && GAS_REPORT_OUT="$out" KERNEL_GAS_OUT="$kernels" cargo test --release --locked -- \
  --exact gas_report::gas_report kernel_gas::kernel_gas >/dev/null)
cat "$out"
echo
cat "$kernels"
