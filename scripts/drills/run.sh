#!/usr/bin/env bash
# Fault drills (docs/reliability.md): each starts its own bridge on a generated config
# against the in-process ACS simulator, breaks something under load, and prints PASS/FAIL
# per criterion. Exit status 1 when any drill fails.
#
# Usage: scripts/drills/run.sh [DRILL|all] [FACEGATE_BIN]
#   DRILL  acs-restart | acs-slow | watcher-down | overload | kill9 | all (default)
# Needs: cargo build --release -p facegate-sim -p facegate
set -euo pipefail
cd "$(dirname "$0")/../.."
DRILL=${1:-all}
BIN=${2:-target/release/facegate}
SIM=target/release/facegate-sim
[ -x "$BIN" ] || { echo "no bridge at $BIN" >&2; exit 1; }
[ -x "$SIM" ] || { echo "no $SIM: cargo build --release -p facegate-sim" >&2; exit 1; }
exec "$SIM" drill "$DRILL" --bridge-bin "$BIN"
