#!/usr/bin/env bash
# Throughput and memory of vigil-datanode side by side with redis-server 7.0, in one run.
#   bench/datanode.sh [runs]     (default 3 runs; medians reported)
# Both servers run on 127.0.0.1 with persistence off; redis-benchmark is the client for both.
# Prints a Markdown table for bench/README.md. Run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
vigil=build/bin/vigil-datanode
[ -x "$vigil" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "needs redis-server (bash scripts/setup.sh)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start() {  # name port -> pid
  local name=$1 port=$2
  if [ "$name" = redis ]; then
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --enable-debug-command yes \
      --logfile /dev/null --daemonize no >/dev/null 2>&1 &
  else
    "$vigil" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --enable-debug-command yes \
      --logfile /dev/null >/dev/null 2>&1 &
  fi
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  echo "$pid"
}

rps() {  # port test args... -> requests/s per test, "TEST rps" lines
  local port=$1; shift
  redis-benchmark -p "$port" -c 50 --csv "$@" 2>/dev/null | tail -n +2 | tr -d '"' | awk -F, '{print $1, $2}'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A results
for server in redis vigil; do
  for r in $(seq 1 "$runs"); do
    port=$(free_port); pid=$(start "$server" "$port")
    while read -r t v; do results["$server|P1 $t"]+="$v "; done < <(rps "$port" -t set,get -n 200000 -P 1)
    while read -r t v; do results["$server|P16 $t"]+="$v "; done < <(rps "$port" -t set,get -n 1000000 -P 16)
    while read -r t v; do results["$server|P1 $t"]+="$v "; done < <(rps "$port" -t lpush,hset,sadd,zadd -n 100000 -P 1)
    # Custom commands: redis-benchmark titles them with the whole command line, so keep the rps.
    while read -r v; do results["$server|P1 GEOADD"]+="$v "; done < <(rps "$port" -n 100000 -r 1000 \
      GEOADD bench:geo 13.361389 38.115556 m:__rand_int__ | awk '{print $NF}')
    while read -r v; do results["$server|P1 GEOSEARCH"]+="$v "; done < <(rps "$port" -n 20000 \
      GEOSEARCH bench:geo FROMLONLAT 13.36 38.11 BYRADIUS 10 km COUNT 10 ASC | awk '{print $NF}')
    redis-cli -p "$port" FLUSHALL >/dev/null
    base=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    redis-cli -p "$port" DEBUG POPULATE 1000000 >/dev/null
    sleep 1
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    results["$server|rss"]+="$rss "
    results["$server|rss_delta"]+="$((rss - base)) "
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done

echo "| test | redis-server 7.0 | vigil-datanode | ratio |"
echo "| --- | ---: | ---: | ---: |"
for key in "P1 SET" "P1 GET" "P16 SET" "P16 GET" "P1 LPUSH" "P1 HSET" "P1 SADD" "P1 ZADD" "P1 GEOADD" "P1 GEOSEARCH"; do
  a=$(echo ${results["redis|$key"]} | tr ' ' '\n' | median)
  b=$(echo ${results["vigil|$key"]} | tr ' ' '\n' | median)
  printf '| %s req/s (-c 50) | %.0f | %.0f | %.2fx |\n' "$key" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
done
a=$(echo ${results["redis|rss"]} | tr ' ' '\n' | median); b=$(echo ${results["vigil|rss"]} | tr ' ' '\n' | median)
printf '| RSS after DEBUG POPULATE 1000000 (kB) | %.0f | %.0f | %.2fx |\n' "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
a=$(echo ${results["redis|rss_delta"]} | tr ' ' '\n' | median); b=$(echo ${results["vigil|rss_delta"]} | tr ' ' '\n' | median)
printf '| RSS growth for 1M keys (kB) | %.0f | %.0f | %.2fx |\n' "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
