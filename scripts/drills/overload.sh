#!/usr/bin/env bash
# Drill overload (see docs/reliability.md). Usage: scripts/drills/overload.sh [FACEGATE_BIN]
exec "$(dirname "$0")/run.sh" overload "${1:-target/release/facegate}"
