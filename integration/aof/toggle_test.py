#!/usr/bin/env python3
"""CONFIG SET appendonly yes|no at runtime, the Redis 7.0 way: `yes` starts a rewrite that
produces the base (writes made while it runs are kept in a temporary incr that becomes the first
incr file), INFO shows aof_enabled / aof_rewrite_scheduled, the manifest appears; `no` stops
appending. After a restart every acknowledged write is present, and redis-server 7.0 starts from
the folder vigil produced with the same dataset."""

import os
import threading
import time

import aof_harness as h


def writer(port, tid, acks, stop):
    c = h.Client(port, timeout=10.0)
    i = 0
    try:
        while not stop.is_set():
            key = "t%d:%d" % (tid, i)
            c.send("INCR", key)
            if c.read() != 1:
                break
            acks.append(key)
            i += 1
    except (OSError, ConnectionError):
        pass
    finally:
        c.close()


def count_missing(port, keys):
    c = h.Client(port, timeout=30)
    missing = 0
    try:
        for start in range(0, len(keys), 1000):
            batch = keys[start:start + 1000]
            missing += sum(1 for v in c.cmd("MGET", *batch) if v != b"1")
    finally:
        c.close()
    return missing


def test_toggle_on_under_writes(args, res, dirs):
    work = dirs.new("toggle")
    # A slow rewrite child (rdb-key-save-delay) so the writers keep going during the rewrite.
    p = h.start_vigil(args.vigil, work, "--appendonly", "no", "--save", "",
                      "--rdb-key-save-delay", 20)
    p2 = r = None
    try:
        if not res.check(p.wait_ready(), "toggle: server starts with appendonly no", p.log()):
            return
        c = h.Client(p.port)
        pipe = []
        for i in range(20000):
            pipe.append(h.encode("SET", "pre:%d" % i, "v%d" % i))
        c.sock.sendall(b"".join(pipe))
        for _ in range(20000):
            c.read()
        acks, stop = [], threading.Event()
        threads = [threading.Thread(target=writer, args=(p.port, t, acks, stop)) for t in range(2)]
        for t in threads:
            t.start()
        # The writers are going before the switch (the temporary incr must get their writes).
        res.check(h.wait_until(lambda: len(acks) >= 100, 10), "toggle: the writers write")
        reply = c.call("CONFIG", "SET", "appendonly", "yes")
        res.check(reply == "OK", "toggle: CONFIG SET appendonly yes -> OK", repr(reply))
        res.check(h.info_field(p.port, "aof_enabled") == "1", "toggle: aof_enabled:1 right away")
        res.check(h.info_field(p.port, "aof_rewrite_in_progress") == "1",
                  "toggle: the rewrite producing the base runs")
        temp_incr = os.path.join(work, "appendonlydir", "temp-appendonly.aof.incr")
        res.check(h.wait_until(lambda: os.path.exists(temp_incr) and os.path.getsize(temp_incr) > 0, 5),
                  "toggle: writes during the rewrite go to the temporary incr")
        done = h.wait_until(lambda: h.info_field(p.port, "aof_rewrite_in_progress") == "0", 40)
        res.check(done, "toggle: the rewrite finishes")
        time.sleep(0.5)  # writes go on after the switch, into the new incr file
        stop.set()
        for t in threads:
            t.join(timeout=15)
        files = sorted(os.listdir(os.path.join(work, "appendonlydir")))
        res.check(files == ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof",
                            "appendonly.aof.manifest"],
                  "toggle: base, incr and manifest created", str(files))
        res.check(h.info_field(p.port, "aof_rewrites") == "1"
                  and h.info_field(p.port, "aof_last_bgrewrite_status") == "ok",
                  "toggle: aof_rewrites:1 and status ok")
        c.close()
        p.shutdown()
        print("toggle: acknowledged INCRs during the switch: %d" % len(acks))
        p2 = h.start_vigil(args.vigil, work, "--appendonly", "yes", log_name="restart.log")
        if not res.check(p2.wait_ready(30), "toggle: restarts from the AOF", p2.log()):
            return
        c = h.Client(p2.port, timeout=30)
        pre = c.cmd("MGET", *["pre:%d" % i for i in range(0, 20000, 97)])
        c.close()
        res.check(all(v == b"v%d" % i for v, i in zip(pre, range(0, 20000, 97))),
                  "toggle: data written before the switch is present")
        missing = count_missing(p2.port, acks)
        res.check(missing == 0 and len(acks) > 100,
                  "toggle: every INCR acknowledged during the switch is present exactly once", "missing=%d of %d" % (missing, len(acks)))
        c = h.Client(p2.port)
        ours_size = c.cmd("DBSIZE")
        c.close()
        p2.shutdown()
        r = h.start_redis(args.redis_server, work, "--appendonly", "yes", log_name="redis.log")
        if not res.check(r.wait_ready(30), "toggle: redis-server 7.0 starts from the folder", r.log()):
            return
        c = h.Client(r.port, timeout=30)
        theirs_size = c.cmd("DBSIZE")
        pre = c.cmd("MGET", *["pre:%d" % i for i in range(0, 20000, 97)])
        c.close()
        res.check(theirs_size == ours_size and count_missing(r.port, acks) == 0
                  and all(v == b"v%d" % i for v, i in zip(pre, range(0, 20000, 97))),
                  "toggle: redis-server loads the same dataset",
                  "ours=%d theirs=%d keys" % (ours_size, theirs_size))
    finally:
        p.kill()
        for x in (p2, r):
            if x is not None:
                x.kill()


def test_toggle_off_and_on_again(args, res, dirs):
    work = dirs.new("toggle-off")
    p = h.start_vigil(args.vigil, work, "--appendonly", "yes", "--save", "")
    p2 = None
    try:
        if not res.check(p.wait_ready(), "toggle-off: server starts with appendonly yes", p.log()):
            return
        c = h.Client(p.port)
        c.cmd("SET", "before", "1")
        incr = os.path.join(work, "appendonlydir", "appendonly.aof.1.incr.aof")
        size_on = os.path.getsize(incr)
        res.check(c.call("CONFIG", "SET", "appendonly", "no") == "OK",
                  "toggle-off: CONFIG SET appendonly no -> OK")
        res.check(h.info_field(p.port, "aof_enabled") == "0", "toggle-off: aof_enabled:0")
        c.cmd("SET", "while-off", "1")
        res.check(os.path.getsize(incr) == size_on, "toggle-off: nothing is appended while off")
        res.check(c.cmd("CONFIG", "GET", "appendonly") == [b"appendonly", b"no"],
                  "toggle-off: CONFIG GET appendonly says no")
        res.check(c.call("CONFIG", "SET", "appendonly", "yes") == "OK",
                  "toggle-off: CONFIG SET appendonly yes again -> OK")
        done = h.wait_until(lambda: h.info_field(p.port, "aof_rewrite_in_progress") == "0"
                            and h.info_field(p.port, "aof_rewrites") == "1", 20)
        res.check(done, "toggle-off: the new base is written")
        c.cmd("SET", "after", "1")
        files = sorted(os.listdir(os.path.join(work, "appendonlydir")))
        res.check(files == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof",
                            "appendonly.aof.manifest"],
                  "toggle-off: the earlier period's files became history and were deleted", str(files))
        c.close()
        p.shutdown()
        p2 = h.start_vigil(args.vigil, work, "--appendonly", "yes", log_name="restart.log")
        if not res.check(p2.wait_ready(30), "toggle-off: restarts", p2.log()):
            return
        c = h.Client(p2.port)
        got = c.cmd("MGET", "before", "while-off", "after")
        c.close()
        res.check(got == [b"1", b"1", b"1"], "toggle-off: writes of every period are present",
                  repr(got))
    finally:
        p.kill()
        if p2 is not None:
            p2.kill()


def test_toggle_on_while_bgsave_runs(args, res, dirs):
    work = dirs.new("toggle-sched")
    p = h.start_vigil(args.vigil, work, "--appendonly", "no", "--save", "",
                      "--rdb-key-save-delay", 200)
    try:
        if not res.check(p.wait_ready(), "toggle-sched: server starts", p.log()):
            return
        c = h.Client(p.port)
        c.sock.sendall(b"".join(h.encode("SET", "k%d" % i, i) for i in range(5000)))
        for _ in range(5000):
            c.read()
        res.check(c.cmd("BGSAVE") == "Background saving started", "toggle-sched: BGSAVE starts")
        res.check(c.call("CONFIG", "SET", "appendonly", "yes") == "OK",
                  "toggle-sched: CONFIG SET appendonly yes while BGSAVE runs -> OK")
        res.check(h.info_field(p.port, "aof_rewrite_scheduled") == "1"
                  and h.info_field(p.port, "aof_rewrite_in_progress") == "0",
                  "toggle-sched: aof_rewrite_scheduled:1 while the BGSAVE child runs")
        c.cmd("SET", "during-bgsave", "x")
        c.cmd("CONFIG", "SET", "rdb-key-save-delay", 0)
        done = h.wait_until(lambda: h.info_field(p.port, "aof_rewrites") == "1", 40)
        res.check(done, "toggle-sched: the rewrite runs once the BGSAVE child exits")
        res.check(h.info_field(p.port, "aof_rewrite_scheduled") == "0",
                  "toggle-sched: aof_rewrite_scheduled back to 0")
        c.close()
        p.shutdown()
        p2 = h.start_vigil(args.vigil, work, "--appendonly", "yes", log_name="restart.log")
        try:
            if res.check(p2.wait_ready(30), "toggle-sched: restarts", p2.log()):
                c = h.Client(p2.port)
                res.check(c.cmd("GET", "during-bgsave") == b"x" and c.cmd("DBSIZE") == 5001,
                          "toggle-sched: the write made before the rewrite started is present")
                c.close()
        finally:
            p2.kill()
    finally:
        p.kill()


if __name__ == "__main__":
    h.run_tests(__doc__, test_toggle_on_under_writes, test_toggle_off_and_on_again,
                test_toggle_on_while_bgsave_runs)
