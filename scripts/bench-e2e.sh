#!/usr/bin/env bash
# End-to-end benchmarks of the bridge with `facegate-sim load` (see docs/benchmarks.md).
#
# Usage: scripts/bench-e2e.sh [FACEGATE_BIN] [OUT_DIR]
#   FACEGATE_BIN  the bridge executable (default: target/release/facegate)
#   OUT_DIR       where the JSON and table outputs go (default: bench-results/<UTC time>)
# Needs: cargo build --release -p facegate-sim -p facegate
# Environment: SOAK=1 also runs the 10-minute soak at 1,000 events/s; JSON=1 prints JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/facegate}
OUT=${2:-bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
SIM=target/release/facegate-sim
mkdir -p "$OUT"
[ -x "$BIN" ] || { echo "no bridge at $BIN" >&2; exit 1; }
[ -x "$SIM" ] || { echo "no $SIM: cargo build --release -p facegate-sim" >&2; exit 1; }

{ lscpu | grep -E 'Model name|^CPU\(s\)'; uptime; } > "$OUT/machine.txt"

run() { # name, args...  (JSON=1: JSON instead of the table)
  local name=$1; shift
  local fmt=()
  [ "${JSON:-0}" = 1 ] && fmt=(--json)
  echo "== $name: $SIM load $*" | tee "$OUT/$name.txt"
  "$SIM" load --bridge-bin "$BIN" "${fmt[@]}" "$@" | tee -a "$OUT/$name.txt"
}

# 1. Latency at 1,000 events/s, keep-alive, 30 s.
run latency-1k --rate 1000 --duration 30s --connections 8 --warmup 3s
# 2. The same with a new connection per request.
run latency-1k-newconn --rate 1000 --duration 30s --new-connection-per-request --warmup 3s
# 3. Ramp to the highest sustainable rate (p99 from intended ≤ 100 ms, ≥ 99.9 % completed).
#    A 3 s event age: the bridge's de-duplication table (100,000 events kept for
#    max_event_age + clock_skew) would otherwise cap the rate (docs/benchmarks.md).
run ramp --ramp 4000,6000,8000,10000,12000,15000,20000,25000 --duration 10s --connections 64 \
  --max-event-age 3s
if [ "${SOAK:-0}" = 1 ]; then
  # 4. Soak: 10 minutes at 1,000 events/s; memory sampled every 100 ms.
  run soak-1k --rate 1000 --duration 10m --connections 8
fi
echo "results in $OUT"
