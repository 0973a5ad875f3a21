#!/usr/bin/env python3
"""Crash test for the AOF (issue 3): clients write unique keys and record every acknowledgement,
vigil-datanode is killed with SIGKILL mid-stream and restarted from its appendonlydir.
  appendfsync always   : every acknowledged key must be present.
  appendfsync everysec : keys lost, if any, were acknowledged in the last two seconds.
Prints acknowledged / present counts for each policy."""

import functools
import os
import signal
import threading
import time

import aof_harness as h

WRITERS = 4
RUN_SECONDS = 2.0


def writer(port, tid, acks, stop):
    try:
        c = h.Client(port, timeout=5.0)
    except OSError:
        return
    i = 0
    try:
        while not stop.is_set():
            key = "w%d:%d" % (tid, i)
            c.send("SET", key, "v%d" % i)
            r = c.read()
            if r != "OK":
                break
            acks.append((key, time.time()))
            i += 1
    except (OSError, ConnectionError, ValueError):
        pass
    finally:
        c.close()


def present_keys(port, keys):
    c = h.Client(port, timeout=30.0)
    found = set()
    try:
        for start in range(0, len(keys), 1000):
            batch = keys[start:start + 1000]
            vals = c.cmd("MGET", *batch)
            found.update(k for k, v in zip(batch, vals) if v is not None)
    finally:
        c.close()
    return found


def run_policy(args, res, dirs, policy):
    work = dirs.new("crash-" + policy)
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes", "--appendfsync", policy)
    p2 = None
    try:
        if not res.check(p.wait_ready(), "%s: server starts" % policy, p.log()):
            return
        acks = []
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(p.port, t, acks, stop)) for t in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(RUN_SECONDS)
        kill_time = time.time()
        os.kill(p.proc.pid, signal.SIGKILL)  # mid-stream: writers are still sending
        p.proc.wait(timeout=15)
        stop.set()
        for t in threads:
            t.join(timeout=15)
        keys = [k for k, _ in acks]
        p2 = h.start_vigil(args.vigil, work, "--appendonly", "yes", "--appendfsync", policy,
                           log_name="restart.log")
        if not res.check(p2.wait_ready(timeout=30), "%s: restarts after SIGKILL" % policy, p2.log()):
            return
        found = present_keys(p2.port, keys)
        missing = [(k, t) for k, t in acks if k not in found]
        print("%s: acknowledged=%d present=%d missing=%d" % (policy, len(keys), len(found), len(missing)))
        res.check(len(keys) > 100, "%s: writes were acknowledged" % policy, "acks=%d" % len(keys))
        if policy == "always":
            res.check(not missing, "always: every acknowledged key is present",
                      "missing e.g. %s" % missing[:5])
        else:
            oldest = min((t for _, t in missing), default=kill_time)
            res.check(kill_time - oldest <= 2.0, "everysec: loss bounded by two seconds",
                      "oldest missing ack %.2fs before the kill" % (kill_time - oldest))
    finally:
        p.kill()
        if p2 is not None:
            p2.kill()


if __name__ == "__main__":
    h.run_tests(__doc__, *(functools.partial(run_policy, policy=v) for v in ("always", "everysec")))
