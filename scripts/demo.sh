#!/usr/bin/env bash
# The README's first command. Today: start a vigil-datanode on loopback, drive it with the real
# redis-cli through a short session (strings, expiry, lists, hashes, sets, sorted sets, pub/sub,
# a transaction), then stop it. The sentinel and client issues turn this into the 3+3 failover demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"${VIGIL_JOBS:-2}" --target vigil-datanode >/dev/null

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

build/bin/vigil-datanode --bind 127.0.0.1 --port "$port" --dir "$work" --logfile "$work/datanode.log" &
pid=$!
for _ in $(seq 1 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf 'redis-cli> %s\n' "$*"; redis-cli -p "$port" "$@"; }

say "vigil-datanode pid $pid on 127.0.0.1:$port, driven by the real redis-cli $(redis-cli --version | awk '{print $2}')"
run PING
run SET greeting "hello from vigil"
run GET greeting
run SET session:42 alice EX 60
run TTL session:42
run INCRBY counter 5
run RPUSH queue job1 job2 job3
run LRANGE queue 0 -1
run HSET user:1 name Ada lang C++
run HGETALL user:1
run SADD tags redis sentinel vigil
run SCARD tags
run ZADD board 10 ada 20 bob 15 cy
run ZRANGE board 0 -1 WITHSCORES
say "A transaction (MULTI/EXEC) through redis-cli's pipe:"
printf 'MULTI\nINCR counter\nLPOP queue\nEXEC\n' | redis-cli -p "$port"
say "Server facts:"
run INFO server | grep -E '^(redis_version|vigil_version|tcp_port|uptime_in_seconds)'
run DBSIZE
say "Stopping the data node."
redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait "$pid" 2>/dev/null || true
pid=""
echo "demo finished: the data node served a real redis-cli session and shut down cleanly."
