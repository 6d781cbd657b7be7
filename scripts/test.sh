#!/usr/bin/env bash
# Sets up (if needed) and runs every test suite:
#   1. native:   cargo test (unit, scenario, property and CLI tests)
#   2. browser:  wasm-bindgen-test in headless Chromium (tests/web.rs)
#   3. end-to-end: trunk build --release, then e2e/*.test.mjs in Chromium (playwright-core)
# Exits non-zero if any suite fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
banner() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

banner "1/3 native: cargo test"
(export PATH="$HOME/.cargo/bin:$PATH"; cargo test --release)

source "$ROOT/scripts/env.sh"
banner "2/3 browser: wasm-bindgen-test in headless Chromium"
cargo test --target wasm32-unknown-unknown --test web

banner "3/3 end-to-end: release build in Chromium"
trunk build --release
(cd e2e && node --test)
banner "all test suites passed"
