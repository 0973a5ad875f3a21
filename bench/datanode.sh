#!/usr/bin/env bash
# Throughput and memory of vigil-datanode side by side with redis-server 7.0, in one run:
# strings, lists, hashes, sets, sorted sets, geo, bitmaps, HyperLogLog and SORT.
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

# A custom command line: redis-benchmark titles it with the whole line, so keep only the rate.
custom() {  # server port label n args...
  local server=$1 port=$2 label=$3 n=$4; shift 4
  while read -r v; do results["$server|P1 $label"]+="$v "; done < <(rps "$port" -n "$n" "$@" | awk '{print $NF}')
}

# RESP for `count` commands built by awk from a printf format over i = 0..count-1, for --pipe.
pipe_fill() {  # port count awk-printf-args
  local port=$1 count=$2 fmt=$3
  awk -v n="$count" "BEGIN { for (i = 0; i < n; i++) { $fmt } }" | redis-cli -p "$port" --pipe >/dev/null
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A results
for server in redis vigil; do
  for r in $(seq 1 "$runs"); do
    port=$(free_port); pid=$(start "$server" "$port")
    while read -r t v; do results["$server|P1 $t"]+="$v "; done < <(rps "$port" -t set,get -n 200000 -P 1)
    while read -r t v; do results["$server|P16 $t"]+="$v "; done < <(rps "$port" -t set,get -n 1000000 -P 16)
    while read -r t v; do results["$server|P1 $t"]+="$v "; done < <(rps "$port" -t lpush,hset,sadd,zadd -n 100000 -P 1)
    custom "$server" "$port" GEOADD 100000 -r 1000 GEOADD bench:geo 13.361389 38.115556 m:__rand_int__
    custom "$server" "$port" GEOSEARCH 20000 GEOSEARCH bench:geo FROMLONLAT 13.36 38.11 BYRADIUS 10 km COUNT 10 ASC
    # 10,000 bitmaps of 1 KiB, set then counted.
    custom "$server" "$port" SETBIT 200000 -r 10000 SETBIT bits:__rand_int__ 8191 1
    custom "$server" "$port" BITCOUNT 200000 -r 10000 BITCOUNT bits:__rand_int__
    custom "$server" "$port" PFADD 200000 -r 1000000 PFADD bench:hll __rand_int__
    for k in a b c; do rps "$port" -n 20000 -r 1000000 PFADD "hll:$k" __rand_int__ >/dev/null; done
    custom "$server" "$port" "PFCOUNT (3 keys)" 50000 PFCOUNT hll:a hll:b hll:c
    rps "$port" -n 1000 -r 1000000 RPUSH bench:sort __rand_int__ >/dev/null
    custom "$server" "$port" "SORT (1,000)" 5000 SORT bench:sort
    kill "$pid"; wait "$pid" 2>/dev/null || true
    # Memory, each on a fresh server (freed memory is not always given back to the system):
    # 1M strings, 1M HyperLogLogs of three elements (sparse), 1M bitmaps of 1 KiB.
    port=$(free_port); pid=$(start "$server" "$port"); base=$(rss_kb "$pid")
    redis-cli -p "$port" DEBUG POPULATE 1000000 >/dev/null
    sleep 1
    rss=$(rss_kb "$pid")
    results["$server|rss"]+="$rss "
    results["$server|rss_delta"]+="$((rss - base)) "
    kill "$pid"; wait "$pid" 2>/dev/null || true
    port=$(free_port); pid=$(start "$server" "$port"); base=$(rss_kb "$pid")
    pipe_fill "$port" 1000000 'k = "hll:" i; printf "*5\r\n$5\r\nPFADD\r\n$%d\r\n%s\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", length(k), k'
    sleep 1
    results["$server|rss_hll"]+="$(($(rss_kb "$pid") - base)) "
    kill "$pid"; wait "$pid" 2>/dev/null || true
    port=$(free_port); pid=$(start "$server" "$port"); base=$(rss_kb "$pid")
    pipe_fill "$port" 1000000 'k = "bm:" i; printf "*4\r\n$6\r\nSETBIT\r\n$%d\r\n%s\r\n$4\r\n8191\r\n$1\r\n1\r\n", length(k), k'
    sleep 1
    results["$server|rss_bitmap"]+="$(($(rss_kb "$pid") - base)) "
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done

echo "| test | redis-server 7.0 | vigil-datanode | ratio |"
echo "| --- | ---: | ---: | ---: |"
for key in "P1 SET" "P1 GET" "P16 SET" "P16 GET" "P1 LPUSH" "P1 HSET" "P1 SADD" "P1 ZADD" "P1 GEOADD" \
  "P1 GEOSEARCH" "P1 SETBIT" "P1 BITCOUNT" "P1 PFADD" "P1 PFCOUNT (3 keys)" "P1 SORT (1,000)"; do
  a=$(echo ${results["redis|$key"]} | tr ' ' '\n' | median)
  b=$(echo ${results["vigil|$key"]} | tr ' ' '\n' | median)
  printf '| %s req/s (-c 50) | %.0f | %.0f | %.2fx |\n' "$key" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
done
a=$(echo ${results["redis|rss"]} | tr ' ' '\n' | median); b=$(echo ${results["vigil|rss"]} | tr ' ' '\n' | median)
printf '| RSS after DEBUG POPULATE 1000000 (kB) | %.0f | %.0f | %.2fx |\n' "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
a=$(echo ${results["redis|rss_delta"]} | tr ' ' '\n' | median); b=$(echo ${results["vigil|rss_delta"]} | tr ' ' '\n' | median)
printf '| RSS growth for 1M keys (kB) | %.0f | %.0f | %.2fx |\n' "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
a=$(echo ${results["redis|rss_hll"]} | tr ' ' '\n' | median); b=$(echo ${results["vigil|rss_hll"]} | tr ' ' '\n' | median)
printf '| RSS growth for 1M HyperLogLogs (kB) | %.0f | %.0f | %.2fx |\n' "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
a=$(echo ${results["redis|rss_bitmap"]} | tr ' ' '\n' | median); b=$(echo ${results["vigil|rss_bitmap"]} | tr ' ' '\n' | median)
printf '| RSS growth for 1M 1-KiB bitmaps (kB) | %.0f | %.0f | %.2fx |\n' "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
