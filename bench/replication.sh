#!/usr/bin/env bash
# Replication benchmark: vigil-datanode side by side with redis-server 7.0 in one run.
#   bench/replication.sh [keys] [build-dir]     (default 1000000 keys, build dir "build")
# For each implementation (master and replica of the same kind, 127.0.0.1, no persistence):
#   - full resync of a fresh replica of a master holding <keys> keys (DEBUG POPULATE, 16-byte
#     values): REPLICAOF → master_link_status:up, with repl-diskless-sync yes (delay 0) and no;
#   - replica lag under `redis-benchmark -t set -c 50 -P 16 -n 300000 -r 100000` on the master:
#     SET throughput with the replica attached, the largest master_repl_offset - slave_repl_offset
#     seen (sampled every 20 ms) and the time the replica needs to catch up after the load ends.
# Prints a Markdown table. Run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
keys=${1:-1000000}
build=${2:-build}
vigil=$(realpath -m "$build/bin/vigil-datanode")
[ -x "$vigil" ] || { echo "build first ($vigil missing)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "needs redis-server" >&2; exit 1; }
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark" >&2; exit 1; }
exec python3 - "$vigil" "$keys" <<'PY'
import os, shutil, signal, socket, subprocess, sys, tempfile, time

vigil, keys = sys.argv[1], int(sys.argv[2])
procs, dirs = [], []

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port)] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=120).stdout.strip()

def info(port):
    out = {}
    for line in cli(port, "INFO", "replication").splitlines():
        if ":" in line:
            k, v = line.split(":", 1); out[k] = v.strip()
    return out

def start(kind, extra=()):
    port, d = free_port(), tempfile.mkdtemp(prefix="vigil-bench-repl-")
    dirs.append(d)
    binary = "redis-server" if kind == "redis" else vigil
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", d, "--logfile", os.path.join(d, "log"), "--enable-debug-command", "yes",
            "--repl-diskless-sync-delay", "0"] + list(extra)
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=d)
    procs.append(p)
    for _ in range(200):
        if cli(port, "PING") in ("PONG",) or cli(port, "PING").startswith("LOADING"): break
        time.sleep(0.05)
    return p, port

def stop(p):
    if p.poll() is None:
        os.kill(p.pid, signal.SIGKILL)
    p.wait(10)

def wait_up(port, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if info(port).get("master_link_status") == "up": return True
        time.sleep(0.02)
    return False

def full_sync(kind, diskless):
    mp, mport = start(kind, ["--repl-diskless-sync", "yes" if diskless else "no"])
    cli(mport, "DEBUG", "POPULATE", keys, "key", 16)
    rp, rport = start(kind)
    t0 = time.monotonic()
    cli(rport, "REPLICAOF", "127.0.0.1", mport)
    ok = wait_up(rport)
    dt = time.monotonic() - t0
    n = cli(rport, "DBSIZE")
    stop(rp); stop(mp)
    return ("%.2f s" % dt) if ok and n == str(keys) else "failed (%s keys)" % n

def lag(kind):
    mp, mport = start(kind)
    rp, rport = start(kind, ["--replicaof", "127.0.0.1", str(mport)])
    wait_up(rport)
    bench = subprocess.Popen(["redis-benchmark", "-p", str(mport), "-t", "set", "-c", "50", "-P", "16",
                              "-n", "300000", "-r", "100000", "-q", "--csv"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    worst = 0
    while bench.poll() is None:
        try:
            worst = max(worst, int(info(mport)["master_repl_offset"]) - int(info(rport)["slave_repl_offset"]))
        except (KeyError, ValueError):
            pass
        time.sleep(0.02)
    out = bench.stdout.read()
    t0 = time.monotonic()
    target = int(info(mport)["master_repl_offset"])
    while int(info(rport).get("slave_repl_offset", 0)) < target and time.monotonic() - t0 < 60:
        time.sleep(0.005)
    catch_up = time.monotonic() - t0
    rps = out.strip().splitlines()[-1].split(",")[1].strip('"') if out.strip() else "?"
    stop(rp); stop(mp)
    return rps, worst, catch_up

try:
    rows = []
    for kind in ("redis", "vigil"):
        name = "redis-server 7.0" if kind == "redis" else "vigil-datanode"
        diskless = full_sync(kind, True)
        disk = full_sync(kind, False)
        rps, worst, catch = lag(kind)
        rows.append((name, diskless, disk, rps, worst, catch))
    print("| server | full sync %d keys, diskless | full sync, disk | SET rps with replica (-P 16) | max lag (bytes) | catch-up after load |" % keys)
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %s | %s | %s | %.3f s |" % r)
finally:
    for p in procs:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL); p.wait(10)
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
PY
