#!/usr/bin/env bash
# Installs what Vigil needs to build and test, from Debian packages. Idempotent: it does nothing
# when everything is already present, so both quick-start commands can call it first.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config python3
  libhiredis-dev libevent-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev  # EVAL/FCALL: Redis 7.0 embeds Lua 5.1
  libssl-dev  # TLS (tls-port, tls-replication, vigil-cli --tls): OpenSSL, as Redis's BUILD_TLS
  redis-server redis-sentinel redis-tools python3-redis
  nftables  # partitions inside network namespaces (integration/chaos)
  iproute2  # loopback inside the namespaces the upstream suites run in (integration/upstream)
  tcl8.6    # Redis's own test harness (integration/upstream)
  tcl-tls   # its --tls mode (the upstream_tls_unit test)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "setup: apt-get update" >&2
$SUDO apt-get update -qq
echo "setup: apt-get install (${#missing[@]} packages, about a minute)" >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: packages installed" >&2
# Debian starts the packaged redis-server/sentinel services; tests run their own on loopback.
for svc in redis-server redis-sentinel; do
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl stop "$svc" >/dev/null 2>&1 || true; fi
  if command -v service >/dev/null 2>&1; then $SUDO service "$svc" stop >/dev/null 2>&1 || true; fi
done
