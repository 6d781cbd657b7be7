#!/usr/bin/env bash
# Sets up (if needed) and serves the playground at http://127.0.0.1:8080 with trunk.
# Extra arguments go to `trunk serve` (e.g. --release, --port 9000).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
exec trunk serve "$@"
