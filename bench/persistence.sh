#!/usr/bin/env bash
# RDB persistence benchmark: vigil-datanode side by side with redis-server 7.0 in one run.
#   bench/persistence.sh [keys] [build-dir] [runs]   (default 1000000 keys, "build", 3 runs)
# For each implementation (127.0.0.1, own temp dir, save "" so only our BGSAVE runs):
#   - DEBUG POPULATE <keys> (key:N -> 16-byte values), then BGSAVE: wall time from the command
#     to rdb_bgsave_in_progress:0 (10 ms polling), latest_fork_usec, RDB size;
#   - restart on that file: process start -> first PONG (both answer -LOADING until the data
#     set is in).
# Medians over the runs. Prints a Markdown table. Run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
keys=${1:-1000000}
build=${2:-build}
runs=${3:-3}
vigil=$build/bin/vigil-datanode
[ -x "$vigil" ] || { echo "build first ($vigil missing)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "needs redis-server" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
pids=()
tmp=$(mktemp -d /tmp/vigil-bench-persist-XXXXXX)
cleanup() {
  for p in "${pids[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

start() {  # kind dir port -> pid
  local kind=$1 dir=$2 port=$3
  if [ "$kind" = redis ]; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
      --enable-debug-command yes --logfile "$dir/log" --daemonize no >/dev/null 2>&1 &
  else
    "$vigil" --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
      --enable-debug-command yes --logfile "$dir/log" >/dev/null 2>&1 &
  fi
  local pid=$!
  pids+=("$pid")
  echo "$pid"
}

wait_loaded() {  # port: until PING answers and INFO says loading:0 (bounded: 120 s)
  local port=$1
  for _ in $(seq 1 12000); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] &&
       redis-cli -p "$port" info persistence 2>/dev/null | grep -q '^loading:0'; then return 0; fi
    sleep 0.01
  done
  echo "server on port $port never finished loading" >&2; exit 1
}

field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1==f {print $2}'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A bgsave fork size load
for kind in redis vigil; do
  for run in $(seq 1 "$runs"); do
    dir="$tmp/$kind-$run"; mkdir -p "$dir"
    port=$(free_port)
    pid=$(start "$kind" "$dir" "$port")
    wait_loaded "$port"
    redis-cli -p "$port" debug populate "$keys" key 16 >/dev/null
    t0=$(now_ms)
    redis-cli -p "$port" bgsave >/dev/null
    sleep 0.01
    for _ in $(seq 1 60000); do
      [ "$(field "$port" persistence rdb_bgsave_in_progress)" = 0 ] && break
      sleep 0.01
    done
    t1=$(now_ms)
    [ "$(field "$port" persistence rdb_last_bgsave_status)" = ok ] || { echo "$kind BGSAVE failed" >&2; exit 1; }
    bgsave[$kind]+="$((t1 - t0)) "
    fork[$kind]+="$(field "$port" stats latest_fork_usec) "
    size[$kind]+="$(stat -c %s "$dir/dump.rdb") "
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    port=$(free_port)
    t0=$(now_ms)
    pid=$(start "$kind" "$dir" "$port")
    wait_loaded "$port"
    t1=$(now_ms)
    load[$kind]+="$((t1 - t0)) "
    [ "$(redis-cli -p "$port" dbsize)" = "$keys" ] || { echo "$kind loaded a wrong key count" >&2; exit 1; }
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
  done
done

med() { echo "$1" | tr ' ' '\n' | grep -v '^$' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "Persistence, $keys keys (DEBUG POPULATE, 16-byte values), medians of $runs runs"
echo
echo "| measurement | redis-server 7.0 | vigil-datanode | vigil / redis |"
echo "|---|---|---|---|"
for m in bgsave fork size load; do
  declare -n arr=$m
  r=$(med "${arr[redis]}"); v=$(med "${arr[vigil]}")
  case $m in
    bgsave) label="BGSAVE wall time (ms)";;
    fork) label="fork latency (latest_fork_usec, µs)";;
    size) label="RDB size (bytes)";;
    load) label="startup load: start → loaded (ms)";;
  esac
  echo "| $label | $r | $v | $(ratio "$v" "$r") |"
done
