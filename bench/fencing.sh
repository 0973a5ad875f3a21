#!/usr/bin/env bash
# Fencing windows (README.md "Fencing"): runs the fencing integration scenarios N times on
# 127.0.0.1 and prints their measured lines. Usage: bench/fencing.sh [N] (default 3).
#  - sentinels_pause: all 3 sentinels SIGSTOPped 4 s; when the master refuses writes, its last
#    acknowledged write, and how soon writes work after SIGCONT (the partition-side window).
#  - master_pause: master SIGSTOPped 8 s under 200 writes/s, with the fence on and off (off is
#    Redis behaviour); writes acknowledged after SIGCONT and acknowledged keys lost.
set -u
n=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/bin
args=(--vigil "$bin/vigil-datanode" --vigil-sentinel "$bin/vigil-sentinel")
for i in $(seq "$n"); do
  python3 "$root/integration/fencing/sentinels_pause_test.py" "${args[@]}" | grep '^measured'
done
for fence in 1000 0; do
  for i in $(seq "$n"); do
    python3 "$root/integration/fencing/master_pause_test.py" "${args[@]}" --fence-ms "$fence" \
      | grep '^measured'
  done
done
