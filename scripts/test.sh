#!/usr/bin/env bash
# Sets up (if needed) and runs every test suite:
#   1. native:   cargo fmt --check, cargo clippy -D warnings, then cargo test (unit, scenario,
#                property and CLI tests) with debug assertions on
#   2. browser:  wasm-bindgen-test in headless Chromium (tests/web.rs)
#   3. end-to-end: trunk build --release, then e2e/*.test.mjs in Chromium (playwright-core)
# Exits non-zero if any suite fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
banner() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

banner "1/3 native: fmt, clippy, cargo test (debug assertions on)"
(
  export PATH="$HOME/.cargo/bin:$PATH"
  cargo fmt --check
  cargo clippy --all-targets -- -D warnings
  cargo test
)

source "$ROOT/scripts/env.sh"
banner "2/3 browser: clippy for wasm32, then wasm-bindgen-test in headless Chromium"
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --target wasm32-unknown-unknown --lib --bins --test web -- -D warnings
else
  echo "note: this wasm32 toolchain has no clippy; the UI was not linted" >&2
fi
cargo test --target wasm32-unknown-unknown --test web

banner "3/3 end-to-end: release build in Chromium"
trunk build --release
(cd e2e && node --test)
banner "all test suites passed"
