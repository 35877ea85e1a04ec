#!/usr/bin/env bash
# The demo. First a scenario replayed on the real contracts: the oracle, engine, lens and PSP22
# tokens built to release Wasm and run in an embedded drink sandbox by the simulator
# (`deltamargin simulate`, binary deltamargin-sim) — by default scenarios/crash.toml: a 35%
# crash, a hedged account that survives and an unhedged one liquidated by the keeper for bad
# debt paid by the insurance fund, conservation checked after every block, gas per message kind;
# its three SVG charts go to docs/. Then the off-chain CLI on the example portfolios (margin,
# stress with an SVG chart).
#   scripts/demo.sh [SCENARIO.toml]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deltamargin/target}"
rustup toolchain install >/dev/null 2>&1 || rustup toolchain install
scenario="${1:-scenarios/crash.toml}"

# The sandbox crate builds the contracts itself (several minutes on a cold target directory);
# cargo's progress goes to stderr.
echo "building the contracts and the simulator (release)..." >&2
(cd tests && cargo build --release --locked --bin deltamargin-sim) >&2
cargo build --release --locked -p deltamargin-cli >&2
bin="$CARGO_TARGET_DIR/release/deltamargin"
# `deltamargin simulate` runs deltamargin-sim from the same directory.
"$bin" simulate "$scenario" --svg docs --quiet

echo
echo "== the off-chain CLI on the example portfolios =="
out="${DEMO_OUT:-target/demo}"
mkdir -p "$out"
printf '%-18s %14s %12s %12s %14s  %s\n' portfolio equity IM MM health liquidatable
for example in examples/*.json; do
  case "$example" in *.margin.json|*.stress.json) continue ;; esac
  name=$(basename "$example" .json)
  "$bin" margin --input "$example" >"$out/$name.margin.json"
  "$bin" stress --input "$example" --svg "$out/$name.svg" >"$out/$name.stress.json"
  # The top-level figures of the margin output (decimal strings, shown with 2 decimals).
  awk -F'"' -v name="$name" '
    /^  "(equity|initial_margin|maintenance_margin|health)"/ { v[$2] = $4 }
    /^  "liquidatable"/ { split($3, l, /[ ,]+/); liq = l[2] }
    END { printf "%-18s %14.2f %12.2f %12.2f %14.2f  %s\n", name, v["equity"], v["initial_margin"],
          v["maintenance_margin"], v["health"], liq }' "$out/$name.margin.json"
done
echo "(full margin and stress output, SVG charts: $out/)"
