# Sourced by the other scripts: the environment for wasm32 builds (trunk, wasm tests).
# Do not source it for native builds: it may switch cargo to Debian's toolchain.
#
# If rustup has the wasm32 standard library we use the ordinary toolchain; otherwise
# Debian's rustc-web, which builds std for wasm32 from source (see scripts/setup.sh).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/e2e/node_modules/.bin:$PATH"
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  # Debian's cargo, rustc AND rustdoc must come first together (mixing versions fails).
  export PATH="/usr/bin:$PATH"
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
fi
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
