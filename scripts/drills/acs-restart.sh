#!/usr/bin/env bash
# Drill acs-restart (see docs/reliability.md). Usage: scripts/drills/acs-restart.sh [FACEGATE_BIN]
exec "$(dirname "$0")/run.sh" acs-restart "${1:-target/release/facegate}"
