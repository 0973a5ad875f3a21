#!/usr/bin/env bash
# The chaos suite: integration/chaos/run.sh --rounds N --seed S [--scenario NAME] [--redis]
# Uses the binaries in build/bin (override with --build DIR). Needs root for network
# namespaces; without them it runs a reduced loopback mode and says so. The trap removes this
# run's namespaces and bridge even if chaos.py itself was killed: the names carry this shell's
# pid, and the processes still inside those namespaces are killed by pid first.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RUN_ID=$$

cleanup() {
  command -v ip >/dev/null 2>&1 || return 0
  [ "$(id -u)" -eq 0 ] || return 0
  local ns pid link
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^chaos($((RUN_ID * 2))|$((RUN_ID * 2 + 1)))-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  for link in "chb$((RUN_ID * 2))" "chb$((RUN_ID * 2 + 1))"; do
    ip link show "$link" >/dev/null 2>&1 && ip link del "$link" 2>/dev/null || true
  done
}
child=""
on_signal() {
  # chaos.py stops its processes and removes its namespaces on TERM; give it 10 s.
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$child" 2>/dev/null
  fi
  exit 130
}
trap cleanup EXIT
trap on_signal INT TERM HUP

python3 "$HERE/chaos.py" --run-id "$RUN_ID" "$@" &
child=$!
wait "$child"
exit $?
