#!/usr/bin/env bash
# Criterion benchmarks of margin-math (fixed point beside f64, with ratios printed).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deltamargin/target}"
rustup toolchain install >/dev/null 2>&1 || rustup toolchain install
cargo bench --locked -p margin-math --bench bs "$@"
