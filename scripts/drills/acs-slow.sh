#!/usr/bin/env bash
# Drill acs-slow (see docs/reliability.md). Usage: scripts/drills/acs-slow.sh [FACEGATE_BIN]
exec "$(dirname "$0")/run.sh" acs-slow "${1:-target/release/facegate}"
