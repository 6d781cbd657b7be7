#!/usr/bin/env bash
# Runs one cargo-fuzz target (fuzz/, README "Fuzzing") for a while, debug assertions on, its
# corpus seeded from scenarios/ and lessons/ (as files, and as share links):
#
#   scripts/fuzz.sh scenario_file|share_link|node_schedule [SECONDS, default 1800]
#
# Needs rustup's nightly toolchain (on these machines) and cargo-fuzz (installed if missing).
# A crash is saved under fuzz/artifacts/TARGET/; replay it with
# `cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-…`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
target="${1:?usage: scripts/fuzz.sh scenario_file|share_link|node_schedule [SECONDS]}"
seconds="${2:-1800}"
case "$target" in scenario_file | share_link | node_schedule) ;; *)
  echo "unknown target $target (scenario_file, share_link or node_schedule)" >&2
  exit 2
  ;;
esac
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus="fuzz/corpus/$target"
mkdir -p "$corpus"
case "$target" in
scenario_file)
  for f in scenarios/*.json lessons/*.json; do cp "$f" "$corpus/$(dirname "$f")-$(basename "$f")"; done
  ;;
share_link)
  python3 - "$corpus" scenarios/*.json lessons/*.json <<'PY'
import base64, os, sys, zlib
out = sys.argv[1]
for path in sys.argv[2:]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = c.compress(open(path, "rb").read()) + c.flush()
    link = "run=" + base64.urlsafe_b64encode(packed).decode().rstrip("=")
    name = os.path.join(out, path.replace("/", "-") + ".link")
    open(name, "w").write(link)
PY
  ;;
esac
cargo +nightly fuzz run --debug-assertions "$target" "$corpus" -- \
  -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1
