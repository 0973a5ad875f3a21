#!/usr/bin/env bash
# The README's first command: a live failover. Three vigil-datanode (one master, two replicas)
# and three vigil-sentinel processes on 127.0.0.1, configured from the conf/*.toml templates in a
# temporary directory; vigil-writer (built on libvigil-client) writes and WAITs continuously;
# the master is killed with kill -9; the script prints the sentinels' timeline, the writer's
# longest pause and the acknowledged writes lost; then it restarts the old master, shows it
# rejoin as a replica, stops everything and exits 0.
# VIGIL_DEMO_SKIP_BUILD=1 skips setup and build (the integration test uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIGIL_DEMO_SKIP_BUILD:-}" ]; then
  bash scripts/setup.sh
  echo "demo: building vigil-datanode, vigil-sentinel and vigil-writer into build/bin" \
    "(a few minutes on a fresh machine)"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  # Progress lines and errors only: a newcomer sees the build move, not every compiler command.
  set +e
  cmake --build build -j"${VIGIL_JOBS:-2}" --target vigil-datanode vigil-sentinel vigil-writer 2>&1 |
    grep --line-buffered -E '^\[ *[0-9]+%\] (Building|Linking)|error' | sed -u 's/^/  /'
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    echo "demo: the build failed (cmake --build build shows the whole output)" >&2
    exit 1
  fi
fi
bin=${VIGIL_BIN_DIR:-build/bin}
tools="python3 scripts/demo_tools.py"
work=$(mktemp -d)
declare -A pid=()
cleanup() {
  for name in "${!pid[@]}"; do
    p=${pid[$name]}
    if kill -0 "$p" 2>/dev/null; then kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; fi
  done
  for name in "${!pid[@]}"; do wait "${pid[$name]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
wait_ping() {  # port: bounded wait until the process answers PING
  for _ in $(seq 1 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "demo: nothing answers on port $1" >&2; return 1
}

declare -A port=()
for n in n1 n2 n3 s1 s2 s3; do port[$n]=$(free_port); done

start_node() {  # name [replicaof-port]
  local name=$1 dir="$work/$1"
  mkdir -p "$dir"
  local extra=()
  if [ $# -gt 1 ]; then extra=("replicaof=[\"127.0.0.1\", $2]"); fi
  $tools render conf/datanode.toml "$dir/datanode.toml" "port=${port[$name]}" 'bind=["127.0.0.1"]' \
    "dir=\"$dir\"" "logfile=\"$dir/datanode.log\"" 'save=""' 'repl-diskless-sync-delay=0' "${extra[@]}"
  "$bin/vigil-datanode" "$dir/datanode.toml" >/dev/null 2>&1 &
  pid[$name]=$!
  wait_ping "${port[$name]}"
}

start_sentinel() {  # name
  local name=$1 dir="$work/$1"
  mkdir -p "$dir"
  $tools render conf/sentinel.toml "$dir/sentinel.toml" "port=${port[$name]}" 'bind=["127.0.0.1"]' \
    "dir=\"$dir\"" "logfile=\"$dir/sentinel.log\"" 'masters.mymaster.host="127.0.0.1"' \
    "masters.mymaster.port=${port[n1]}" 'masters.mymaster.quorum=2' \
    'masters.mymaster.down-after-milliseconds=1000' 'masters.mymaster.failover-timeout=5000'
  "$bin/vigil-sentinel" "$dir/sentinel.toml" >/dev/null 2>&1 &
  pid[$name]=$!
  wait_ping "${port[$name]}"
}

say "1. Three data nodes and three sentinels on 127.0.0.1 (configs from conf/*.toml in $work)"
start_node n1
start_node n2 "${port[n1]}"
start_node n3 "${port[n1]}"
for s in s1 s2 s3; do start_sentinel $s; done
$tools wait-discovered mymaster "${port[s1]}" "${port[s2]}" "${port[s3]}"
for n in n1 n2 n3; do
  printf '  data node %s  127.0.0.1:%-5s  %s\n' $n "${port[$n]}" \
    "$(redis-cli -p "${port[$n]}" role | head -1)"
done
for s in s1 s2 s3; do printf '  sentinel  %s  127.0.0.1:%-5s  monitors mymaster, quorum 2, down-after 1000 ms\n' $s "${port[$s]}"; done

$tools events "${port[s1]}" "${port[s2]}" "${port[s3]}" >"$work/events.log" 2>/dev/null &
pid[events]=$!
for _ in $(seq 1 50); do grep -q ready "$work/events.log" 2>/dev/null && break; sleep 0.1; done

say "2. vigil-writer: SET + WAIT 1 at 200 writes/s through libvigil-client"
sentinels="127.0.0.1:${port[s1]},127.0.0.1:${port[s2]},127.0.0.1:${port[s3]}"
"$bin/vigil-writer" --sentinels "$sentinels" --master mymaster --duration-ms 60000 --rate 200 \
  --prefix demo: --wait-every 1 --wait-replicas 1 --wait-timeout-ms 200 --ack-log "$work/acks.log" \
  --stop-file "$work/stop" --verify >"$work/writer.json" 2>"$work/writer.err" &
pid[writer]=$!
sleep 2
printf '  %s writes acknowledged so far, all on the master 127.0.0.1:%s\n' \
  "$(wc -l <"$work/acks.log")" "${port[n1]}"

say "3. kill -9 the master (n1, pid ${pid[n1]})"
kill_ms=$(now_ms)
kill -9 "${pid[n1]}"
wait "${pid[n1]}" 2>/dev/null || true
unset 'pid[n1]'
for _ in $(seq 1 200); do grep -q ' +switch-master ' "$work/events.log" && break; sleep 0.1; done
sleep 2  # the writer keeps writing on the new master
touch "$work/stop"
wait "${pid[writer]}"
unset 'pid[writer]'
new_port=$(redis-cli -p "${port[s1]}" sentinel get-master-addr-by-name mymaster | tail -1)

say "4. Timeline (seconds after the kill, first sentinel to publish each event)"
$tools timeline "$work/events.log" "$kill_ms"
summary=$(tail -1 "$work/writer.json")
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$summary" "$1"; }
echo
echo "  new master: 127.0.0.1:$new_port"
echo "  writer: $(field attempted) writes attempted, $(field acked) acknowledged, $(field errors) failed calls"
echo "  writer's longest pause between two acknowledged writes: $(field longest_pause_ms) ms"
echo "  writes sent to a replica: $(field writes_to_replica)"
echo "  acknowledged writes lost (read back from the new master): $(field lost)"

say "5. Restart the old master (n1): the sentinels turn it into a replica of the new master"
"$bin/vigil-datanode" "$work/n1/datanode.toml" >/dev/null 2>&1 &
pid[n1]=$!
wait_ping "${port[n1]}"
restart_ms=$(now_ms)
rejoined=""
for _ in $(seq 1 250); do
  if [ "$(redis-cli -p "${port[n1]}" info replication | tr -d '\r' | grep -c '^master_link_status:up')" = 1 ]; then
    rejoined=yes; break
  fi
  sleep 0.1
done
awk -v a="$restart_ms" -v b="$(now_ms)" -v p="${port[n1]}" \
  'BEGIN { printf "  %.1f s after the restart, n1 (127.0.0.1:%s) answers ROLE and INFO replication:\n", (b-a)/1000, p }'
redis-cli -p "${port[n1]}" role | head -3 | sed 's/^/    /'
redis-cli -p "${port[n1]}" info replication | tr -d '\r' | grep -E '^(role|master_port|master_link_status):' | sed 's/^/    /'
grep -h ' +convert-to-slave ' "$work/events.log" | head -1 | awk -v k="$restart_ms" '{printf "  +convert-to-slave published %.3f s after the restart\n", ($1-k)/1000}' || true
if [ -z "$rejoined" ]; then echo "demo: the old master did not rejoin as a replica in time" >&2; exit 1; fi

say "6. Stopping everything"
echo "demo finished: failover followed, lost $(field lost) acknowledged writes, old master rejoined as a replica."
