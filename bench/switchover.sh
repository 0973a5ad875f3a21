#!/usr/bin/env bash
# Planned switchover benchmark (issue 8): how long writes stop and how many acknowledged writes
# are lost when the master is changed on purpose, Vigil and Redis 7.0 side by side:
#   3 data nodes + 3 sentinels on 127.0.0.1 (quorum 2, down-after 5000, failover-timeout 5000),
#   a writer doing SET of unique keys at ~200/s to the master the sentinels name, re-resolving
#   on an error and every 100 ms (as a client following +switch-master would);
#   - vigil COORDINATED: SENTINEL FAILOVER <name> COORDINATED on vigil-sentinel + vigil-datanode
#   - vigil plain:       SENTINEL FAILOVER <name> on vigil-sentinel + vigil-datanode
#   - redis plain:       SENTINEL FAILOVER <name> on redis-sentinel + redis-server 7.0
#   - vigil / redis FAILOVER: FAILOVER TO <replica> TIMEOUT 5000 sent by hand to the master
#                        (no sentinels; the writer follows the node that reports role:master)
# Pause = longest gap between consecutive acknowledged writes around the switchover; lost =
# acknowledged keys missing on the new master once the old master follows it.
# Usage: bench/switchover.sh [switchovers per variant=5]   env: VIGIL_BUILD (default build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ITER=${1:-5} ROOT BUILD=${VIGIL_BUILD:-$ROOT/build}
exec python3 "$ROOT/bench/switchover.py"
