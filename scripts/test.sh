#!/usr/bin/env bash
# The one test command: installs the pinned toolchain, then fmt check, clippy and every test.
# Works from a fresh clone with only rustup and the package registries; reuses a target
# directory outside the clone (CARGO_TARGET_DIR, default ~/.cache/deltamargin/target).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deltamargin/target}"
export PROPTEST_CASES="${PROPTEST_CASES:-2000}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$CARGO_TARGET_DIR"

total_start=$(date +%s)
stage() { # stage NAME CMD...
  local name=$1; shift
  local start; start=$(date +%s)
  echo "==> $name"
  "$@"
  echo "<== $name: $(( $(date +%s) - start )) s"
}

# rustup does not install a toolchain file's toolchain on first use in every version: ask it to.
stage "toolchain (rust-toolchain.toml)" rustup toolchain install
stage "fmt" cargo fmt --all -- --check
stage "fmt (sandbox tests)" cargo fmt --manifest-path tests/Cargo.toml -- --check
stage "fmt (keeper)" cargo fmt --manifest-path keeper/Cargo.toml -- --check
stage "clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
test_log=$(mktemp)
trap 'rm -f "$test_log"' EXIT
run_tests() { cargo test --workspace --locked 2>&1 | tee "$test_log"; return "${PIPESTATUS[0]}"; }
stage "tests (workspace, PROPTEST_CASES=$PROPTEST_CASES)" run_tests
# Benchmarks must keep compiling; running them is scripts/bench.sh.
stage "benches build" cargo bench --workspace --locked --no-run

# The keeper: its own crate and lockfile, no drink (checked), release like the sandbox crate so
# the two share dependency builds.
no_drink() {
  local tree; tree=$(cargo tree --manifest-path keeper/Cargo.toml --locked -e normal,build)
  if echo "$tree" | grep -i drink; then
    echo "the keeper's dependency tree must not contain drink" >&2
    return 1
  fi
  echo "no drink in the keeper's dependency tree"
}
stage "keeper: no drink" no_drink
stage "keeper: clippy" cargo clippy --manifest-path keeper/Cargo.toml --release --all-targets --locked -- -D warnings
run_keeper_tests() {
  cargo test --manifest-path keeper/Cargo.toml --release --locked 2>&1 | tee -a "$test_log"
  return "${PIPESTATUS[0]}"
}
stage "keeper: tests" run_keeper_tests
stage "keeper: build (deltamargin-keeper)" cargo build --manifest-path keeper/Cargo.toml --release --locked --bins

# The contracts on the real runtime: drink sandbox tests (own crate and lockfile: docs/build.md).
# The bundle provider builds every contract to release Wasm first; the bit-identity test runs
# the CLI, so build it and say where it is.
stage "CLI build (for the bit-identity test)" cargo build --release --locked -p deltamargin-cli
export DELTAMARGIN_CLI="$CARGO_TARGET_DIR/release/deltamargin"
run_sandbox_tests() {
  (cd tests && cargo test --release --locked 2>&1) | tee -a "$test_log"
  return "${PIPESTATUS[0]}"
}
# The simulator and keeper binary (scripts/demo.sh runs it) compiles the sandbox crate without
# cfg(test): build it so that a test-only item it uses cannot slip through.
stage "simulator build (deltamargin-sim)" bash -c 'cd tests && cargo build --release --locked --bins'
stage "sandbox tests (drink, release Wasm)" run_sandbox_tests

passed=$(grep -Eo 'test result: [a-z]+\. [0-9]+ passed' "$test_log" | awk '{s += $4} END {print s + 0}')
failed=$(grep -Eo '[0-9]+ failed' "$test_log" | awk '{s += $1} END {print s + 0}')
echo "all stages passed in $(( $(date +%s) - total_start )) s"
echo "tests: $passed passed, $failed failed"
