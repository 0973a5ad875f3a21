#!/usr/bin/env python3
"""Planned restart without an outage: SHUTDOWN and SIGTERM hand the master role over first
(issue 17, item 1; replication/DESIGN.md, "Handoff on shutdown").

Three vigil-datanodes with `sentinel-shutdown-handoff yes` and three vigil-sentinels on
127.0.0.1. vigil-writer (libvigil-client) and the redis-py writer (chaos/py_writer.py, redis-py's
Sentinel client) write through the sentinels while the master gets `--fault shutdown` (the
SHUTDOWN command) or `--fault sigterm`. Checked:
  - the sentinels name a new master within 0.5 s of the command, and the old master exits;
  - each writer failed at most one call and lost no acknowledged write (--verify reads every
    acknowledged key back from the new master);
  - the old master's log says it handed over.
`--fault abort`: with the sentinels stopped the handoff cannot get an answer; SHUTDOWN ABORT
cancels it, the waiting SHUTDOWN gets Redis's error and the master stays in charge.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sentinel"))
import sentinel_harness as sh  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "client"))
import sdk_failover_test as sdk  # noqa: E402

NAME = sdk.NAME
PY_WRITER = os.path.join(HERE, "..", "chaos", "py_writer.py")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vigil-sentinel", required=True)
    p.add_argument("--vigil", required=True, help="vigil-datanode binary")
    p.add_argument("--writer", required=True, help="vigil-writer binary")
    p.add_argument("--fault", choices=["shutdown", "sigterm", "abort"], required=True)
    a = p.parse_args()
    a.vigil, a.vigil_sentinel, a.writer = map(os.path.abspath, (a.vigil, a.vigil_sentinel, a.writer))
    return a


def start_cluster(args, procs):
    args.auth = False
    args.node_extra = ["--sentinel-shutdown-handoff", "yes"]
    cluster = sdk.start_cluster(args, procs)
    master, _, sents = cluster
    # The master asks the sentinels it has heard hellos from: it must know every one first.
    if not sh.wait_hellos_relayed(master.port, [s.port for s in sents], 15):
        raise RuntimeError("the master did not hear a hello from every sentinel within 15 s")
    return cluster


def run_abort(args, res):
    """Sentinels stopped: the handoff cannot get an answer; SHUTDOWN ABORT cancels it."""
    procs = []
    try:
        master, replicas, sents = start_cluster(args, procs)
        for s in sents:
            os.kill(s.proc.pid, signal.SIGSTOP)
        waiting = sh.RespConn(master.port, timeout=10.0)
        waiting.send("SHUTDOWN")
        log_path = os.path.join(master.dir, "server.log")
        res.check(sh.wait_for(lambda: "Handing the master role to a replica" in
                              open(log_path, errors="replace").read(), 10),
                  "the master starts the handoff")
        held = sh.RespConn(master.port, timeout=5.0)
        held.send("SET", "k", "v")
        try:
            early = held.read_reply(0.3)
        except OSError:
            early = None
        res.check(early is None, "writes are held while the handoff runs", repr(early))
        res.check(sh.call(master.port, "SHUTDOWN", "ABORT") == "OK", "SHUTDOWN ABORT is accepted")
        res.check(sh.decode(held.read_reply(5.0)) == "OK", "the held write runs after the abort")
        reply = sh.decode(waiting.read_reply(5.0))
        res.check(str(reply) == "ERR Errors trying to SHUTDOWN. Check logs.",
                  "the waiting SHUTDOWN gets Redis's abort error", repr(reply))
        res.check(sh.info_field(master.port, "role") == "master", "the master stays in charge")
        time.sleep(3.5)  # past every 1 s question bound: nothing resumes the cancelled handoff
        res.check(master.proc.poll() is None, "the master keeps running")
        for s in sents:
            os.kill(s.proc.pid, signal.SIGCONT)
    finally:
        for p in procs:
            if p.proc is not None and p.proc.poll() is None:
                try:
                    os.kill(p.proc.pid, signal.SIGCONT)
                except OSError:
                    pass
            p.cleanup()


def run(args, res):
    if args.fault == "abort":
        return run_abort(args, res)
    procs, writers = [], []
    work = tempfile.mkdtemp(prefix="vigil-handoff-")
    stop_file = os.path.join(work, "stop")
    try:
        master, replicas, sents = start_cluster(args, procs)
        sentinels = ",".join("%s:%d" % (sh.HOST, s.port) for s in sents)
        for tag, argv in (("vigil-writer", [args.writer]),
                          ("redis-py", [sys.executable, PY_WRITER])):
            log = os.path.join(work, tag + ".acks")
            p = subprocess.Popen(argv + ["--sentinels", sentinels, "--master", NAME,
                                         "--duration-ms", "60000", "--rate", "200",
                                         "--prefix", tag + ":", "--ack-log", log,
                                         "--stop-file", stop_file, "--verify"],
                                 stdout=subprocess.PIPE,
                                 stderr=open(os.path.join(work, tag + ".err"), "wb"))
            writers.append((tag, p, log))

        def acked(log):
            return sum(1 for _ in open(log)) if os.path.exists(log) else 0
        res.check(sh.wait_for(lambda: all(acked(w[2]) > 100 for w in writers), 20),
                  "both writers write before the shutdown")
        old_port = master.port
        t0 = time.monotonic()
        if args.fault == "shutdown":
            c = sh.RespConn(old_port, timeout=15.0)
            c.send("SHUTDOWN")
        else:
            os.kill(master.proc.pid, signal.SIGTERM)

        named_at = {}

        def all_named_new():
            for s in sents:
                if s.port in named_at:
                    continue
                addr = sh.master_addr(s.port, NAME)
                if addr is not None and addr[1] != old_port:
                    named_at[s.port] = time.monotonic() - t0
            return len(named_at) == len(sents)
        named = sh.wait_for(all_named_new, 10, step=0.005)
        t_named = max(named_at.values()) if named else 99.0
        res.check(named, "every sentinel names a new master")
        res.check(t_named <= 0.5, "every sentinel names it within 0.5 s of the %s" % args.fault,
                  "%.3f s (%s)" % (t_named, sorted(named_at.values())))
        exited = sh.wait_for(lambda: master.proc.poll() is not None, 15)
        t_exit = time.monotonic() - t0
        res.check(exited, "the old master exits")
        log = open(os.path.join(master.dir, "server.log"), errors="replace").read()
        res.check("Handoff done" in log, "the old master logged the handoff",
                  "\n".join(log.splitlines()[-15:]))
        time.sleep(3.0)  # the writers go on against the new master: the checks below cover this too
        open(stop_file, "w").close()
        for tag, p, _ in writers:
            out, _ = p.communicate(timeout=60)
            lines = out.decode().strip().splitlines()
            summary = json.loads(lines[-1]) if lines else {}
            print("%s (%s): %s; named after %.3f s, exited after %.3f s" % (
                tag, args.fault, json.dumps(summary), t_named, t_exit))
            res.check(p.returncode == 0, "%s exits 0" % tag, "exit %s" % p.returncode)
            res.check(summary.get("errors", 99) <= 1, "%s: at most one failed call" % tag,
                      json.dumps(summary) + " " +
                      open(os.path.join(work, tag + ".err"), errors="replace").read()[-600:])
            res.check(summary.get("lost", 99) == 0, "%s: no acknowledged write lost" % tag,
                      json.dumps(summary))
    finally:
        sh.stop_everything(procs, [w[1] for w in writers], stop_file=stop_file)


def main():
    args = parse_args()
    res = sh.Results()
    run(args, res)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
