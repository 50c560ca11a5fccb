#!/usr/bin/env bash
# Drill kill9 (see docs/reliability.md). Usage: scripts/drills/kill9.sh [FACEGATE_BIN]
exec "$(dirname "$0")/run.sh" kill9 "${1:-target/release/facegate}"
