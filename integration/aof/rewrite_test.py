#!/usr/bin/env python3
"""AOF rewrite (issue 3): BGREWRITEAOF by fork while clients keep writing loses nothing (writes
during the rewrite land in the incr file opened at its start), old files are deleted, and the
automatic trigger (auto-aof-rewrite-percentage / auto-aof-rewrite-min-size) fires."""

import os
import signal
import threading
import time

import aof_harness as h


def writer(port, tid, acks, stop):
    c = h.Client(port, timeout=10.0)
    i = 0
    try:
        while not stop.is_set():
            key = "r%d:%d" % (tid, i)
            c.send("SET", key, "x" * 100)
            if c.read() != "OK":
                break
            acks.append(key)
            i += 1
    except (OSError, ConnectionError):
        pass
    finally:
        c.close()


def rewrites(port):
    return int(h.info_field(port, "aof_rewrites") or 0)


def test_manual_rewrites_under_load(args, res, dirs):
    work = dirs.new("rewrite")
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes", "--auto-aof-rewrite-percentage", 0)
    p2 = None
    try:
        if not res.check(p.wait_ready(), "rewrite: server starts", p.log()):
            return
        acks, stop = [], threading.Event()
        threads = [threading.Thread(target=writer, args=(p.port, t, acks, stop)) for t in range(3)]
        for t in threads:
            t.start()
        c = h.Client(p.port)
        done = 0
        for _ in range(4):
            time.sleep(0.3)  # writes land between the rewrites, not only during them
            c.cmd("BGREWRITEAOF")
            if h.wait_until(lambda: h.info_field(p.port, "aof_rewrite_in_progress") == "0", 20):
                done += 1
        c.close()
        time.sleep(0.3)  # and after the last one, into its incr file, until the SIGKILL
        os.kill(p.proc.pid, signal.SIGKILL)
        p.proc.wait(timeout=15)
        stop.set()
        for t in threads:
            t.join(timeout=15)
        res.check(done == 4, "rewrite: 4 rewrites completed under load", "done=%d" % done)
        files = sorted(os.listdir(os.path.join(work, "appendonlydir")))
        res.check(files == ["appendonly.aof.5.base.rdb", "appendonly.aof.5.incr.aof",
                            "appendonly.aof.manifest"],
                  "rewrite: only the newest base and incr remain", str(files))
        p2 = h.start_vigil(args.vigil, work, "--appendonly", "yes", log_name="restart.log")
        if not res.check(p2.wait_ready(30), "rewrite: restarts", p2.log()):
            return
        c = h.Client(p2.port, timeout=30)
        missing = 0
        for start in range(0, len(acks), 1000):
            batch = acks[start:start + 1000]
            missing += sum(1 for v in c.cmd("MGET", *batch) if v is None)
        c.close()
        print("rewrite: acknowledged=%d missing=%d" % (len(acks), missing))
        res.check(missing == 0 and len(acks) > 100, "rewrite: no acknowledged write lost across rewrites")
    finally:
        p.kill()
        if p2 is not None:
            p2.kill()


def test_auto_rewrite(args, res, dirs):
    work = dirs.new("auto")
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes", "--auto-aof-rewrite-min-size",
                      "64kb", "--auto-aof-rewrite-percentage", 100)
    try:
        if not res.check(p.wait_ready(), "auto: server starts", p.log()):
            return
        c = h.Client(p.port)
        for i in range(2000):
            c.send("SET", "a%d" % (i % 50), "y" * 200)  # overwrites: the rewrite shrinks the AOF
        for i in range(2000):
            c.read()
        c.close()
        ok = h.wait_until(lambda: rewrites(p.port) >= 1, 10)
        res.check(ok, "auto: rewrite triggered by growth", p.log()[-800:])
        size = int(h.info_field(p.port, "aof_current_size") or 0)
        res.check(0 < size < 64 * 1024, "auto: the AOF shrank below the trigger size", "size=%d" % size)
    finally:
        p.kill()


if __name__ == "__main__":
    h.run_tests(__doc__, test_manual_rewrites_under_load, test_auto_rewrite)
