#!/usr/bin/env bash
# Failover benchmark (issue 6), Vigil and Redis 7.0 side by side in one run:
#   1 master + 2 replicas, 3 sentinels, quorum 2, down-after-milliseconds 1000,
#   failover-timeout 5000; kill -9 the master at a random phase (0-1 s after the sentinels are
#   settled); measure (a) time until a SET succeeds at the address GET-MASTER-ADDR-BY-NAME
#   returns (all three sentinels polled every 10 ms), and (b) after restarting the old master
#   (1 s after the last +switch-master), time until its master_link_status is up.
# Usage: bench/failover.sh [iterations=5]
#   env: VIGIL_BUILD (default build), NODE_ARGS (extra data node args, default
#        "--repl-diskless-sync-delay 0" for both systems)
set -euo pipefail
ITER=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VIGIL_BUILD:-$ROOT/build}
export ITER ROOT BUILD NODE_ARGS=${NODE_ARGS:---repl-diskless-sync-delay 0}
exec python3 - <<'PY'
import os, random, shutil, statistics, sys, time
sys.path.insert(0, os.path.join(os.environ["ROOT"], "integration", "sentinel"))
import sentinel_harness as sh

ITER = int(os.environ["ITER"])
BUILD = os.environ["BUILD"]
NODE_ARGS = os.environ["NODE_ARGS"].split()
SYSTEMS = [
    ("vigil", os.path.join(BUILD, "bin", "vigil-sentinel"), os.path.join(BUILD, "bin", "vigil-datanode")),
    ("redis", shutil.which("redis-sentinel"), shutil.which("redis-server")),
]


def try_set(addr):
    try:
        c = sh.RespConn(addr[1], timeout=0.05)
        try:
            return sh.decode(c.call("SET", "bench", "1")) == "OK"
        finally:
            c.close()
    except OSError:
        return False


def one_run(sentinel_bin, node_bin):
    procs, recs = [], []
    try:
        master = sh.data_node(node_bin, extra=NODE_ARGS)
        procs.append(master.start())
        nodes = [master]
        for _ in range(2):
            r = sh.data_node(node_bin, replicaof=master.port, extra=NODE_ARGS)
            procs.append(r.start())
            nodes.append(r)
        assert sh.wait_for(lambda: all(sh.info_field(n.port, "master_link_status") == "up"
                                       for n in nodes[1:]), 30)
        sents = []
        for _ in range(3):
            s = sh.sentinel(sentinel_bin, [("mym", master.port, 2)], 1000, 5000)
            procs.append(s.start())
            sents.append(s)

        def settled():
            for s in sents:
                m = sh.call(s.port, "SENTINEL", "MASTER", "mym")
                d = dict(zip(m[::2], m[1::2]))
                if d["num-other-sentinels"] != "2" or d["num-slaves"] != "2":
                    return False
            return True
        assert sh.wait_for(settled, 30)
        recs = [sh.EventRecorder(s.port) for s in sents]
        time.sleep(random.random())
        t_kill = time.monotonic()
        master.kill()
        set_ok = None
        while time.monotonic() - t_kill < 30 and set_ok is None:
            for s in sents:
                try:
                    addr = sh.master_addr(s.port, "mym")
                except (OSError, ConnectionError):
                    continue
                if addr and addr[1] != master.port and try_set(addr):
                    set_ok = time.monotonic() - t_kill
                    break
            time.sleep(0.01)
        assert sh.wait_for(lambda: all(r.first("+switch-master") for r in recs), 30)
        last_switch = max(r.first("+switch-master")[0] for r in recs)
        time.sleep(max(0.0, last_switch + 1.0 - time.monotonic()))
        t_restart = time.monotonic()
        master.start(wait=False)
        link = None
        while time.monotonic() - t_restart < 60 and link is None:
            try:
                if sh.info_field(master.port, "master_link_status") == "up":
                    link = time.monotonic() - t_restart
            except (OSError, ConnectionError, sh.h.RespError):
                pass
            time.sleep(0.01)
        return set_ok, link
    finally:
        for r in recs:
            r.close()
        for p in procs:
            p.cleanup()


results = {}
for it in range(ITER):
    for name, sbin, nbin in SYSTEMS:
        a, b = one_run(sbin, nbin)
        results.setdefault(name, []).append((a, b))
        print("run %d %-5s  SET ok after %.3f s   old master linked after %s s" %
              (it + 1, name, a if a else float("nan"), "%.3f" % b if b else "timeout"), flush=True)


def fmt(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-", "-", "-"
    return "%.3f" % min(xs), "%.3f" % statistics.median(xs), "%.3f" % max(xs)


print()
print("| metric (s) | system | min | median | max | per run |")
print("| --- | --- | ---: | ---: | ---: | --- |")
for idx, metric in ((0, "kill -9 → SET ok at GET-MASTER-ADDR-BY-NAME"),
                    (1, "old master restart → master_link_status:up")):
    for name in ("vigil", "redis"):
        xs = [r[idx] for r in results[name]]
        mn, md, mx = fmt(xs)
        runs = " ".join("%.2f" % x if x else "-" for x in xs)
        print("| %s | %s | %s | %s | %s | %s |" % (metric, name, mn, md, mx, runs))
PY
