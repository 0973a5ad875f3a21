#!/usr/bin/env python3
"""AOF folder interop with redis-server 7.0, both ways (issue 3): a dataset written to
vigil-datanode (every type, streams with consumer groups, TTLs, several databases, MULTI/EXEC, a BGREWRITEAOF with writes
after it) is served identically by redis-server started on the same appendonlydir, and a
dataset written to redis-server is served identically by vigil-datanode."""

import functools
import os

import aof_harness as h


def fill(port):
    c = h.Client(port)
    try:
        c.cmd("SET", "s", "hello")
        c.cmd("SET", "n", 12345)
        c.cmd("SET", "big", "x" * 5000)
        c.cmd("SET", "ttl", "v", "EX", 1000)
        c.cmd("RPUSH", "l", *["e%d" % i for i in range(200)])
        c.cmd("HSET", "hs", "f1", "v1", "f2", "2")
        c.cmd("HSET", "hb", *sum((["f%d" % i, "v%d" % i] for i in range(600)), []))
        c.cmd("SADD", "si", 1, 2, 3, 70000)
        c.cmd("SADD", "ss", *["m%d" % i for i in range(600)])
        c.cmd("ZADD", "zs", 1, "a", 2.5, "b")
        c.cmd("ZADD", "zb", *sum(([i * 1.5, "z%d" % i] for i in range(300)), []))
        c.cmd("SELECT", 3)
        c.cmd("SET", "db3key", "x")
        c.cmd("MULTI")
        c.cmd("INCR", "ctr")
        c.cmd("LPUSH", "l3", "a", "b")
        c.cmd("EXEC")
        c.cmd("SELECT", 0)
        for i in range(1, 150):
            c.cmd("XADD", "st", "%d-%d" % (i, i % 2), "f", i, "g", "x" * (i % 5))
        c.cmd("XDEL", "st", "3-1", "77-1")
        c.cmd("XGROUP", "CREATE", "st", "grp", "0")
        c.cmd("XREADGROUP", "GROUP", "grp", "alice", "COUNT", 4, "STREAMS", "st", ">")
        c.cmd("XGROUP", "CREATECONSUMER", "st", "grp", "idle")
        c.cmd("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM")
        c.cmd("BGREWRITEAOF")
        ok = h.wait_until(lambda: h.info_field(port, "aof_rewrite_in_progress") == "0"
                          and h.info_field(port, "aof_rewrites") not in ("0", None), 20)
        c.cmd("SET", "after", "rewrite")
        c.cmd("DEL", "s")
        c.cmd("SET", "s", "again")
        c.cmd("EXPIRE", "l", 5000)
        c.cmd("XADD", "st", "MAXLEN", "~", "40", "*", "late", "1")
        c.cmd("XREADGROUP", "GROUP", "grp", "bob", "NOACK", "COUNT", 2, "STREAMS", "st", ">")
        c.cmd("XCLAIM", "st", "grp", "carol", 0, "2-0")
        return ok
    finally:
        c.close()


def one_way(args, res, dirs, writer_kind):
    work = dirs.new("interop-" + writer_kind)
    w_bin = args.vigil if writer_kind == "vigil" else args.redis_server
    r_bin = args.redis_server if writer_kind == "vigil" else args.vigil
    reader_kind = "redis" if writer_kind == "vigil" else "vigil"
    w = h.start_vigil(w_bin, work, "--appendonly", "yes") if writer_kind == "vigil" else \
        h.start_redis(w_bin, work, "--appendonly", "yes")
    r = None
    try:
        if not res.check(w.wait_ready(), "%s writer starts" % writer_kind, w.log()):
            return
        res.check(fill(w.port), "%s: BGREWRITEAOF completes" % writer_kind)
        before = h.dump_dataset(w.port)
        w.shutdown()
        files = sorted(os.listdir(os.path.join(work, "appendonlydir")))
        with open(os.path.join(work, "appendonlydir", "appendonly.aof.manifest")) as f:
            manifest = f.read()
        print("%s wrote %s\n%s" % (writer_kind, files, manifest.strip()))
        res.check(manifest == "file appendonly.aof.2.base.rdb seq 2 type b\n"
                              "file appendonly.aof.2.incr.aof seq 2 type i\n",
                  "%s: manifest names base seq 2 + incr seq 2" % writer_kind, repr(manifest))
        r = h.start_vigil(r_bin, work, "--appendonly", "yes") if reader_kind == "vigil" else \
            h.start_redis(r_bin, work, "--appendonly", "yes")
        if not res.check(r.wait_ready(timeout=30),
                         "%s starts from the %s folder" % (reader_kind, writer_kind), r.log()[-2000:]):
            return
        after = h.dump_dataset(r.port)
        diff = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
        res.check(not diff and len(before) > 10,
                  "%s -> %s: identical contents (%d keys)" % (writer_kind, reader_kind, len(before)), "differences: %s" % diff[:5])
    finally:
        w.kill()
        if r is not None:
            r.kill()


if __name__ == "__main__":
    h.run_tests(__doc__, *(functools.partial(one_way, writer_kind=v) for v in ("vigil", "redis")))
