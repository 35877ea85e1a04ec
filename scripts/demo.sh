#!/usr/bin/env bash
# The demo. First a story on the real contracts: the oracle, engine and PSP22 tokens built to
# release Wasm and run in a drink sandbox (tests/src/demo.rs, also a test) — a leveraged account,
# a 35% crash, a keeper liquidating in slices, an insolvent account's bad debt hitting the
# insurance fund and the deficit, conservation and the gas of every message kind. Then the
# off-chain CLI on the example portfolios (margin, stress with an SVG chart).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deltamargin/target}"
rustup toolchain install >/dev/null 2>&1 || rustup toolchain install

# The tests crate builds the contracts itself (several minutes on a cold target directory);
# cargo's progress goes to stderr, the harness's own lines are dropped, the story is stdout.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "building the contracts and the sandbox tests (release)..." >&2
if ! (cd tests && cargo test --release --locked demo::story -- --exact --nocapture --test-threads=1) >"$log"; then
  cat "$log" >&2
  echo "demo: the sandbox story failed" >&2
  exit 1
fi
sed -n '/^== deltamargin sandbox story ==$/,/^== end of story ==$/p' "$log"

echo
echo "== the off-chain CLI on the example portfolios =="
cargo build --release --locked -p deltamargin-cli >&2
bin="$CARGO_TARGET_DIR/release/deltamargin"
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
