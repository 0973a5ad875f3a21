#!/usr/bin/env bash
# Redis 7.0.15's own test suites (sentinel and unit), Vigil and Debian's redis-server 7.0.15 side
# by side in one run. Prints a per-unit table (tests passed / failed for each side) and the share
# of redis-server's passing tests that Vigil passes too; the JSON report keeps every test name.
# Needs root (the suites run in a network namespace) and a built tree.
# Usage: bench/upstream.sh [units=all] [report=build/upstream-report.json]
#   units: "all" (sentinel suite + every unit runtest runs by default), "sentinel", "units", or a
#          comma-separated list of units such as unit/type/incr,unit/expire
#   env: VIGIL_BUILD (default build), UNIT_TIMEOUT (seconds per unit, default 900)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VIGIL_BUILD:-$ROOT/build}
WHAT=${1:-all}
REPORT=${2:-$BUILD/upstream-report.json}
ARGS=(--build "$BUILD" --side both --report "$REPORT" --unit-timeout "${UNIT_TIMEOUT:-900}")
case "$WHAT" in
  all | sentinel | units) ARGS+=(--suite "$WHAT") ;;
  *) ARGS+=(--suite units --units "$WHAT") ;;
esac
echo "# $(date -u +%Y-%m-%d) commit $(git -C "$ROOT" rev-parse --short HEAD)"
exec python3 "$ROOT/integration/upstream/run.py" "${ARGS[@]}"
