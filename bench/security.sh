#!/usr/bin/env bash
# TLS and ACL costs of vigil-datanode side by side with redis-server 7.0, in one run (issue 16).
#   bench/security.sh [runs]     (default 3 runs; medians reported)
# - redis-benchmark --tls -c 50: SET and GET at -P 1 and -P 16 on the TLS port (client
#   certificates required, as tls-auth-clients yes has it);
# - new TLS connections per second: `openssl s_time -new` (a full handshake per connection);
# - the cost of ACL checks: the same SET/GET -P 16 on the plain port as a user with 20 key
#   patterns (the one matching redis-benchmark's keys last) against the default user.
# Certificates come from integration/tls/gen-certs.sh into a temp dir. Run on an idle machine.
# With two or more CPUs the server runs on CPU 1 and the clients on CPU 0 (taskset), so the two
# do not preempt each other: on a 2-core VM that halves the run-to-run spread.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
vigil=build/bin/vigil-datanode
[ -x "$vigil" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "needs redis-server (bash scripts/setup.sh)" >&2; exit 1; }

certs=$(mktemp -d /tmp/vigil-bench-certs.XXXXXX)
server_cpu=(); client_cpu=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c 1); client_cpu=(taskset -c 0)
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$certs"; }
trap cleanup EXIT
bash integration/tls/gen-certs.sh "$certs" >/dev/null

tls_args=(--tls-cert-file "$certs/server.crt" --tls-key-file "$certs/server.key"
          --tls-ca-cert-file "$certs/ca.crt")
client_tls=(--tls --cacert "$certs/ca.crt" --cert "$certs/client.crt" --key "$certs/client.key")

start() {  # name port tls_port -> pid
  local name=$1 port=$2 tport=$3 bin
  bin=$([ "$name" = redis ] && command -v redis-server || echo "$vigil")
  "${server_cpu[@]}" "$bin" --port "$port" --tls-port "$tport" --bind 127.0.0.1 --save "" --appendonly no \
    --logfile /dev/null --daemonize no "${tls_args[@]}" >/dev/null 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  echo "$pid"
}

rps() {  # redis-benchmark args... -> "TEST rps" lines
  "${client_cpu[@]}" redis-benchmark -c 50 --csv "$@" 2>/dev/null | tail -n +2 | tr -d '"' | awk -F, '{print $1, $2}'
}

handshakes() {  # tls_port -> new TLS connections per second
  "${client_cpu[@]}" openssl s_time -connect "127.0.0.1:$1" -new -time 5 -CAfile "$certs/ca.crt" \
    -cert "$certs/client.crt" -key "$certs/client.key" 2>/dev/null |
    awk '/connections in .* real seconds/ {print $1 / $4; exit}'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

patterns=()
for i in $(seq 1 19); do patterns+=("~other$i:*"); done
patterns+=("~key:*")

declare -A results
for server in redis vigil; do
  for _ in $(seq 1 "$runs"); do
    port=$(free_port); tport=$(free_port); pid=$(start "$server" "$port" "$tport")
    while read -r t v; do results["$server|TLS P1 $t"]+="$v "; done \
      < <(rps -p "$tport" "${client_tls[@]}" -t set,get -n 100000 -P 1)
    while read -r t v; do results["$server|TLS P16 $t"]+="$v "; done \
      < <(rps -p "$tport" "${client_tls[@]}" -t set,get -n 1000000 -P 16)
    results["$server|TLS handshakes"]+="$(handshakes "$tport") "
    while read -r t v; do results["$server|plain P16 $t"]+="$v "; done \
      < <(rps -p "$port" -t set,get -n 1000000 -P 16)
    redis-cli -p "$port" ACL SETUSER bench on '>pw' "${patterns[@]}" '+@all' >/dev/null
    while read -r t v; do results["$server|ACL P16 $t"]+="$v "; done \
      < <(rps -p "$port" --user bench -a pw -t set,get -n 1000000 -P 16)
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", b/a}'; }
echo "| test | redis-server 7.0 | vigil-datanode | ratio |"
echo "| --- | ---: | ---: | ---: |"
for key in "TLS P1 SET" "TLS P1 GET" "TLS P16 SET" "TLS P16 GET" "TLS handshakes"; do
  a=$(echo ${results["redis|$key"]} | tr ' ' '\n' | median)
  b=$(echo ${results["vigil|$key"]} | tr ' ' '\n' | median)
  unit=$([ "$key" = "TLS handshakes" ] && echo "new connections/s" || echo "req/s (-c 50)")
  printf '| %s %s | %.0f | %.0f | %s |\n' "$key" "$unit" "$a" "$b" "$(ratio "$a" "$b")"
done
echo
echo "ACL cost: a user with 20 key patterns against the default user, same server, -P 16:"
echo
echo "| test | redis default | redis 20 patterns | redis loss | vigil default | vigil 20 patterns | vigil loss |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for t in SET GET; do
  row="| P16 $t req/s"
  for server in redis vigil; do
    a=$(echo ${results["$server|plain P16 $t"]} | tr ' ' '\n' | median)
    b=$(echo ${results["$server|ACL P16 $t"]} | tr ' ' '\n' | median)
    row+=$(printf ' | %.0f | %.0f | %.1f %%' "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print (a-b)*100/a}')")
  done
  echo "$row |"
done
