#!/usr/bin/env bash
# Drill watcher-down (see docs/reliability.md). Usage: scripts/drills/watcher-down.sh [FACEGATE_BIN]
exec "$(dirname "$0")/run.sh" watcher-down "${1:-target/release/facegate}"
