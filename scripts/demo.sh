#!/usr/bin/env bash
# The main job, for now: the CLI on the example portfolios (margin, stress with an SVG chart).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deltamargin/target}"
rustup toolchain install >/dev/null 2>&1 || rustup toolchain install
cargo build --release --locked -p deltamargin-cli >&2
bin="$CARGO_TARGET_DIR/release/deltamargin"
out="${DEMO_OUT:-target/demo}"
mkdir -p "$out"
for example in examples/*.json; do
  case "$example" in *.margin.json|*.stress.json) continue ;; esac
  name=$(basename "$example" .json)
  echo "### $name — deltamargin margin --input $example"
  "$bin" margin --input "$example"
  "$bin" stress --input "$example" --svg "$out/$name.svg" > "$out/$name.stress.json"
  echo "(stress grid: $out/$name.stress.json, chart: $out/$name.svg)"
  echo
done
echo "### greeks — deltamargin greeks --kind call --spot 60000 --strike 65000 --vol 0.65 --years 0.25"
"$bin" greeks --kind call --spot 60000 --strike 65000 --vol 0.65 --years 0.25
