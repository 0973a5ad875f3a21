#!/usr/bin/env bash
# Lua scripting throughput and script-cache memory of vigil-datanode side by side with
# redis-server 7.0, in one run.
#   bench/scripting.sh [runs]     (default 3 runs; medians reported)
# Both servers run on 127.0.0.1 with persistence off; redis-benchmark -c 50 is the client.
# Rows: EVALSHA of a one-GET script; EVALSHA of an INCR + EXPIRE rate limiter over 100,000
# keys; FCALL of the same rate limiter (FUNCTION LOAD first); used_memory, Lua VM memory and
# RSS growth after SCRIPT LOAD of 10,000 distinct scripts. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
n=${N:-300000}  # requests per throughput row
vigil=${VIGIL:-build/bin/vigil-datanode}
[ -x "$vigil" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "needs redis-server (bash scripts/setup.sh)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start() {  # name port -> pid
  local name=$1 port=$2
  if [ "$name" = redis ]; then
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
      --logfile /dev/null --daemonize no >/dev/null 2>&1 &
  else
    "$vigil" --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
      --logfile /dev/null >/dev/null 2>&1 &
  fi
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  echo "$pid"
}

rps() {  # port args... -> requests/s (redis-benchmark titles custom commands with the command)
  local port=$1; shift
  redis-benchmark -p "$port" -c 50 --csv "$@" 2>/dev/null | tail -n +2 | tr -d '"' |
    awk -F, '{print $2}'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
info() { redis-cli -p "$1" INFO memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, in clock ticks
hz=$(getconf CLK_TCK)
measure() {  # server pid port key n args... -> appends req/s and server CPU µs per request
  local server=$1 pid=$2 port=$3 key=$4 n=$5; shift 5
  local c0 c1
  c0=$(cpu_ticks "$pid")
  results["$server|$key"]+="$(rps "$port" -n "$n" "$@") "
  c1=$(cpu_ticks "$pid")
  results["$server|$key cpu"]+="$(awk -v d=$((c1 - c0)) -v hz="$hz" -v n="$n" 'BEGIN{print d * 1e6 / hz / n}') "
}

get_script="return redis.call('GET', KEYS[1])"
limiter="local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end if n > tonumber(ARGV[2]) then return 0 end return 1"
library="#!lua name=bench
redis.register_function('ratelimit', function(keys, args) local n = redis.call('INCR', keys[1]) if n == 1 then redis.call('EXPIRE', keys[1], args[1]) end if n > tonumber(args[2]) then return 0 end return 1 end)"

# 10,000 distinct scripts of a typical size (a small GET/SET/EXPIRE helper each), as RESP.
scripts=$(mktemp)
trap 'cleanup; rm -f "$scripts"' EXIT
python3 - "$scripts" <<'EOF'
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(10000):
        body = ("local v = redis.call('GET', KEYS[1]) if not v then redis.call('SET', KEYS[1], "
                "ARGV[1]) redis.call('EXPIRE', KEYS[1], 60) return %d end return v" % i).encode()
        f.write(b"*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n$%d\r\n%s\r\n" % (len(body), body))
EOF

declare -A results
# Runs alternate between the servers, so a change of load on the machine hits both.
for r in $(seq 1 "$runs"); do
  for server in redis vigil; do
    port=$(free_port); pid=$(start "$server" "$port")
    redis-cli -p "$port" SET bench:k hello >/dev/null
    get_sha=$(redis-cli -p "$port" SCRIPT LOAD "$get_script")
    lim_sha=$(redis-cli -p "$port" SCRIPT LOAD "$limiter")
    redis-cli -p "$port" FUNCTION LOAD "$library" >/dev/null
    measure "$server" "$pid" "$port" "EVALSHA GET" "$n" EVALSHA "$get_sha" 1 bench:k
    measure "$server" "$pid" "$port" "EVALSHA limiter" "$n" -r 100000 \
      EVALSHA "$lim_sha" 1 rl:__rand_int__ 60 100
    measure "$server" "$pid" "$port" "FCALL limiter" "$n" -r 100000 \
      FCALL ratelimit 1 rl:__rand_int__ 60 100
    redis-cli -p "$port" SCRIPT FLUSH >/dev/null
    sleep 0.5
    um0=$(info "$port" used_memory); lua0=$(info "$port" used_memory_lua); rss0=$(rss "$pid")
    redis-cli -p "$port" --pipe <"$scripts" >/dev/null
    sleep 1
    um1=$(info "$port" used_memory); lua1=$(info "$port" used_memory_lua); rss1=$(rss "$pid")
    results["$server|um"]+="$(( (um1 - um0) / 1024 )) "
    results["$server|lua"]+="$(( (lua1 - lua0) / 1024 )) "
    results["$server|rss"]+="$(( rss1 - rss0 )) "
    # Redis's used_memory leaves the Lua heap out (it is not zmalloc'ed); Vigil's counts every
    # malloc'ed byte, the Lua heap included. All the scripts cost: Redis um + lua, Vigil um.
    if [ "$server" = redis ]; then
      results["$server|total"]+="$(( (um1 - um0 + lua1 - lua0) / 1024 )) "
    else
      results["$server|total"]+="$(( (um1 - um0) / 1024 )) "
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done

row() {  # key title unit
  local a b
  a=$(echo ${results["redis|$1"]} | tr ' ' '\n' | median)
  b=$(echo ${results["vigil|$1"]} | tr ' ' '\n' | median)
  printf "| %s | $3 | $3 | %.2fx |\n" "$2" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print (a ? b/a : 0)}')"
}
echo "| test | redis-server 7.0 | vigil-datanode | ratio |"
echo "| --- | ---: | ---: | ---: |"
row "EVALSHA GET" "EVALSHA one-GET script req/s (-c 50)" %.0f
row "EVALSHA limiter" "EVALSHA INCR+EXPIRE limiter req/s (-c 50)" %.0f
row "FCALL limiter" "FCALL INCR+EXPIRE limiter req/s (-c 50)" %.0f
row "EVALSHA GET cpu" "EVALSHA one-GET script: server CPU µs per request" %.1f
row "EVALSHA limiter cpu" "EVALSHA limiter: server CPU µs per request" %.1f
row "FCALL limiter cpu" "FCALL limiter: server CPU µs per request" %.1f
row total "10,000 SCRIPT LOADs: memory growth, cache + Lua heap (kB)" %.0f
row lua "10,000 SCRIPT LOADs: of it, used_memory_lua growth (kB)" %.0f
row um "10,000 SCRIPT LOADs: used_memory growth as reported (kB)" %.0f
row rss "10,000 SCRIPT LOADs: RSS growth (kB)" %.0f
