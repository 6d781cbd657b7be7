#!/usr/bin/env bash
# The simulator's speed in the browser against native, on this machine: the 64-node
# reference load (200 ms of virtual time, the same trace hash both ways), built with the
# release profile, run natively and then in headless Chromium (wasm-bindgen-test), one
# after the other, three times each; prints the best rates and their ratio (target ≥ 0.5).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
best() { sort -n | tail -1; }
native=$(for _ in 1 2 3; do
  cargo test -q --release --test paper_scenarios the_reference_load -- --nocapture 2>/dev/null \
    | sed -n 's/^native reference load: \([0-9]*\) deliveries\/s/\1/p'
done | best)
source "$ROOT/scripts/env.sh"
wasm=$(for _ in 1 2 3; do
  cargo test --release --target wasm32-unknown-unknown --test web the_reference_load -- --nocapture \
    2>/dev/null \
    | sed -n 's/.*: \([0-9]*\) deliveries\/s.*/\1/p'
done | best)
echo "native: $native deliveries/s"
echo "wasm (Chromium): $wasm deliveries/s"
awk -v w="$wasm" -v n="$native" 'BEGIN { printf "ratio wasm/native: %.2f (target >= 0.5)\n", w / n }'
