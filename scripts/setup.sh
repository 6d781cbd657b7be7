#!/usr/bin/env bash
# Installs whatever is missing to build, serve and test Dynamo Playground; quick when
# everything is already there. Safe to run again at any time.
#
#   wasm32 toolchain    rustup's wasm32 target if it can be had; otherwise Debian's
#                       rustc-web + rust-web-src (std is then built from source)
#   Chromium            Debian's chromium + chromium-driver (headless browser tests)
#   wasm-bindgen-cli    exactly the wasm-bindgen version in Cargo.lock
#   trunk 0.22.1        built once with cargo (offline-capable: see Trunk.toml)
#   e2e/node_modules    playwright-core and binaryen (wasm-opt), from e2e/package-lock.json
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
TRUNK_VERSION=0.22.1
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

debian_wasm_ready() {
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ] &&
    /usr/bin/rustc --print target-list 2>/dev/null | grep -qx wasm32-unknown-unknown
}

# 1. The wasm32 toolchain.
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  :
elif debian_wasm_ready; then
  :
elif timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
  say "rustup: installed the wasm32-unknown-unknown target"
else
  say "rustup cannot download the wasm32 target here; using Debian's toolchain instead"
  apt_install rustc-web cargo-web rust-web-src lld-22
  debian_wasm_ready || { echo "setup: Debian's rustc-web does not provide wasm32" >&2; exit 1; }
fi

# 2. Chromium and its driver for the browser tests.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# 3. wasm-bindgen-cli, at the version Cargo.lock pins.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  cargo install -q wasm-bindgen-cli --version "$WB_VERSION"
fi

# 4. trunk. 0.22.1 needs rustc >= 1.96.1: use the default toolchain if it is new enough,
#    else rustup's nightly.
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  toolchain=""
  rustc_minor="$(rustc --version | sed -E 's/^rustc 1\.([0-9]+)\.([0-9]+).*/\1 \2/')"
  read -r minor patch <<<"$rustc_minor"
  if [ "$minor" -lt 96 ] || { [ "$minor" -eq 96 ] && [ "$patch" -lt 1 ]; }; then
    toolchain="+nightly"
  fi
  say "cargo $toolchain install trunk $TRUNK_VERSION (long: ~25 minutes on 2 cores, once)"
  cargo $toolchain install -q trunk --version "$TRUNK_VERSION"
fi

# 5. npm packages for the end-to-end tests and wasm-opt.
if [ ! -f e2e/node_modules/.package-lock.json ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  say "npm ci (e2e/)"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
say "ready"
