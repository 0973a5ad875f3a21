#!/usr/bin/env bash
# Failover benchmark (issues 6 and 17), Vigil and Redis 7.0 side by side in one run:
#   1 master + 2 replicas, 3 sentinels, quorum 2, down-after-milliseconds 1000,
#   failover-timeout 5000. Two clients write through the sentinels the whole time: redis-py's
#   Sentinel client (integration/chaos/py_writer.py) and vigil-writer (libvigil-client), each a
#   SET every 5 ms. Faults, at a random phase (0-1 s after the sentinels are settled):
#     kill      kill -9 of the master
#     shutdown  the SHUTDOWN command to the master (a planned restart)
#     sigterm   SIGTERM to the master (systemd's stop)
#   Vigil's data nodes run with `sentinel-shutdown-handoff yes`; Redis has no handoff.
#   Measured: (a) the fault → a SET succeeds at the address GET-MASTER-ADDR-BY-NAME returns (all
#   three sentinels polled every 10 ms); (b) the longest interval each client could not write
#   (between two acknowledged writes around the fault), the outage an application sees;
#   (c) after restarting the old master (1 s after the last +switch-master; from its RDB when
#   it saved one), time until its master_link_status is up, and the full resyncs that took.
# Usage: bench/failover.sh [iterations=5] [faults="kill shutdown sigterm"]
#   env: VIGIL_BUILD (default build), NODE_ARGS (extra data node args for both systems,
#        default "--repl-diskless-sync-delay 0")
set -euo pipefail
ITER=${1:-5}
FAULTS=${2:-kill shutdown sigterm}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VIGIL_BUILD:-$ROOT/build}
export ITER FAULTS ROOT BUILD NODE_ARGS=${NODE_ARGS:---repl-diskless-sync-delay 0}
exec python3 - <<'PY'
import os, random, shutil, signal, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.join(os.environ["ROOT"], "integration", "sentinel"))
import sentinel_harness as sh

ITER = int(os.environ["ITER"])
FAULTS = os.environ["FAULTS"].split()
BUILD = os.environ["BUILD"]
NODE_ARGS = os.environ["NODE_ARGS"].split() + ["--save", "3600 1"]
PY_WRITER = os.path.join(os.environ["ROOT"], "integration", "chaos", "py_writer.py")
VIGIL_WRITER = os.path.join(BUILD, "bin", "vigil-writer")
SYSTEMS = [
    ("vigil", os.path.join(BUILD, "bin", "vigil-sentinel"),
     os.path.join(BUILD, "bin", "vigil-datanode"), ["--sentinel-shutdown-handoff", "yes"]),
    ("redis", shutil.which("redis-sentinel"), shutil.which("redis-server"), []),
]
WRITERS = [("redis-py", [sys.executable, PY_WRITER]), ("vigil-writer", [VIGIL_WRITER])]


def try_set(addr):
    try:
        c = sh.RespConn(addr[1], timeout=0.05)
        try:
            return sh.decode(c.call("SET", "bench", "1")) == "OK"
        finally:
            c.close()
    except OSError:
        return False


def longest_gap(path, t_from):
    """Longest interval between consecutive acks from t_from (unix s) on."""
    times = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts:
                times.append(int(parts[0]) / 1000.0)
    times = [t for t in times if t >= t_from]
    return max((b - a for a, b in zip(times, times[1:])), default=None)


def one_run(sentinel_bin, node_bin, node_extra, fault):
    procs, recs, writers = [], [], []
    work = tempfile.mkdtemp(prefix="vigil-bench-failover-")
    stop_file = os.path.join(work, "stop")
    try:
        args = NODE_ARGS + node_extra
        master = sh.data_node(node_bin, extra=args)
        procs.append(master.start())
        nodes = [master]
        for _ in range(2):
            r = sh.data_node(node_bin, replicaof=master.port, extra=args)
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
        time.sleep(2.5)  # every sentinel's hello has reached the master
        sentinels = ",".join("%s:%d" % (sh.HOST, s.port) for s in sents)
        for tag, argv in WRITERS:
            log = os.path.join(work, tag + ".acks")
            p = subprocess.Popen(argv + ["--sentinels", sentinels, "--master", "mym",
                                         "--duration-ms", "120000", "--rate", "200",
                                         "--prefix", tag + ":", "--ack-log", log,
                                         "--stop-file", stop_file],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            writers.append((tag, p, log))
        assert sh.wait_for(lambda: all(os.path.exists(w[2]) and os.path.getsize(w[2]) > 2000
                                       for w in writers), 20)
        recs = [sh.EventRecorder(s.port) for s in sents]
        time.sleep(random.random())
        t_fault = time.monotonic()
        t_fault_wall = time.time()
        if fault == "kill":
            master.kill()
        elif fault == "sigterm":
            os.kill(master.proc.pid, signal.SIGTERM)
        else:
            c = sh.RespConn(master.port, timeout=30.0)
            c.send("SHUTDOWN")
        set_ok = None
        while time.monotonic() - t_fault < 30 and set_ok is None:
            for s in sents:
                try:
                    addr = sh.master_addr(s.port, "mym")
                except (OSError, ConnectionError):
                    continue
                if addr and addr[1] != master.port and try_set(addr):
                    set_ok = time.monotonic() - t_fault
                    break
            time.sleep(0.01)
        assert sh.wait_for(lambda: all(r.first("+switch-master") for r in recs), 30)
        if master.proc is not None:  # kill() already reaped it
            assert sh.wait_for(lambda: master.proc.poll() is not None, 30)
            master.proc.wait()
        last_switch = max(r.first("+switch-master")[0] for r in recs)
        time.sleep(max(0.0, last_switch + 1.0 - time.monotonic()))
        new_port = sh.master_addr(sents[0].port, "mym")[1]
        full_before = int(sh.info_field(new_port, "sync_full", "stats"))
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
        full = int(sh.info_field(new_port, "sync_full", "stats")) - full_before
        open(stop_file, "w").close()
        gaps = {}
        for tag, p, log in writers:
            p.wait(timeout=60)
            gaps[tag] = longest_gap(log, t_fault_wall - 0.5)
        return set_ok, gaps, link, full
    finally:
        sh.stop_everything(procs, [w[1] for w in writers], recs, stop_file)
        shutil.rmtree(work, ignore_errors=True)


results = {}
for it in range(ITER):
    for fault in FAULTS:
        for name, sbin, nbin, extra in SYSTEMS:
            a, gaps, link, full = one_run(sbin, nbin, extra, fault)
            results.setdefault((fault, name), []).append((a, gaps, link, full))
            print("run %d %-8s %-5s SET ok after %.3f s  client gaps %s  old master linked after "
                  "%s s (%d full resync)" % (
                      it + 1, fault, name, a if a else float("nan"),
                      " ".join("%s=%.3f" % (k, v) for k, v in gaps.items() if v is not None),
                      "%.3f" % link if link else "timeout", full), flush=True)


def fmt(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-", "-", "-"
    return "%.3f" % min(xs), "%.3f" % statistics.median(xs), "%.3f" % max(xs)


print()
print("| fault | metric (s) | system | min | median | max | per run |")
print("| --- | --- | --- | ---: | ---: | ---: | --- |")
for fault in FAULTS:
    metrics = [("→ SET ok at GET-MASTER-ADDR-BY-NAME", lambda r: r[0])]
    metrics += [("longest write gap, %s" % tag, (lambda t: lambda r: r[1].get(t))(tag))
                for tag, _ in WRITERS]
    metrics += [("old master restart → link up", lambda r: r[2]),
                ("full resyncs on that rejoin", lambda r: r[3])]
    for metric, get in metrics:
        for name, _, _, _ in SYSTEMS:
            xs = [get(r) for r in results[(fault, name)]]
            mn, md, mx = fmt(xs)
            runs = " ".join(("%.2f" % x if isinstance(x, float) else str(x)) if x is not None
                            else "-" for x in xs)
            print("| %s | %s | %s | %s | %s | %s | %s |" % (fault, metric, name, mn, md, mx, runs))
PY
