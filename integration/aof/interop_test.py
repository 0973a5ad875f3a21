#!/usr/bin/env python3
"""AOF folder interop with redis-server 7.0, both ways (issue 3): a dataset written to
vigil-datanode (every type, streams with consumer groups, TTLs, several databases, MULTI/EXEC, a BGREWRITEAOF with writes
after it) is served identically by redis-server started on the same appendonlydir, and a
dataset written to redis-server is served identically by vigil-datanode."""

import os

import aof_harness as h


def fill(port):
    c = h.Client(port)
    try:
        c.call("SET", "s", "hello")
        c.call("SET", "n", 12345)
        c.call("SET", "big", "x" * 5000)
        c.call("SET", "ttl", "v", "EX", 1000)
        c.call("RPUSH", "l", *["e%d" % i for i in range(200)])
        c.call("HSET", "hs", "f1", "v1", "f2", "2")
        c.call("HSET", "hb", *sum((["f%d" % i, "v%d" % i] for i in range(600)), []))
        c.call("SADD", "si", 1, 2, 3, 70000)
        c.call("SADD", "ss", *["m%d" % i for i in range(600)])
        c.call("ZADD", "zs", 1, "a", 2.5, "b")
        c.call("ZADD", "zb", *sum(([i * 1.5, "z%d" % i] for i in range(300)), []))
        c.call("SELECT", 3)
        c.call("SET", "db3key", "x")
        c.call("MULTI")
        c.call("INCR", "ctr")
        c.call("LPUSH", "l3", "a", "b")
        c.call("EXEC")
        c.call("SELECT", 0)
        for i in range(1, 150):
            c.call("XADD", "st", "%d-%d" % (i, i % 2), "f", i, "g", "x" * (i % 5))
        c.call("XDEL", "st", "3-1", "77-1")
        c.call("XGROUP", "CREATE", "st", "grp", "0")
        c.call("XREADGROUP", "GROUP", "grp", "alice", "COUNT", 4, "STREAMS", "st", ">")
        c.call("XGROUP", "CREATECONSUMER", "st", "grp", "idle")
        c.call("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM")
        c.call("BGREWRITEAOF")
        ok = h.wait_until(lambda: h.info_field(port, "aof_rewrite_in_progress") == "0"
                          and h.info_field(port, "aof_rewrites") not in ("0", None), 20)
        c.call("SET", "after", "rewrite")
        c.call("DEL", "s")
        c.call("SET", "s", "again")
        c.call("EXPIRE", "l", 5000)
        c.call("XADD", "st", "MAXLEN", "~", "40", "*", "late", "1")
        c.call("XREADGROUP", "GROUP", "grp", "bob", "NOACK", "COUNT", 2, "STREAMS", "st", ">")
        c.call("XCLAIM", "st", "grp", "carol", 0, "2-0")
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
        if not res.check("%s writer starts" % writer_kind, w.wait_ready(), w.log()):
            return
        res.check("%s: BGREWRITEAOF completes" % writer_kind, fill(w.port))
        before = h.dump_dataset(w.port)
        w.shutdown()
        files = sorted(os.listdir(os.path.join(work, "appendonlydir")))
        with open(os.path.join(work, "appendonlydir", "appendonly.aof.manifest")) as f:
            manifest = f.read()
        print("%s wrote %s\n%s" % (writer_kind, files, manifest.strip()))
        res.check("%s: manifest names base seq 2 + incr seq 2" % writer_kind,
                  manifest == "file appendonly.aof.2.base.rdb seq 2 type b\n"
                              "file appendonly.aof.2.incr.aof seq 2 type i\n", repr(manifest))
        r = h.start_vigil(r_bin, work, "--appendonly", "yes") if reader_kind == "vigil" else \
            h.start_redis(r_bin, work, "--appendonly", "yes")
        if not res.check("%s starts from the %s folder" % (reader_kind, writer_kind),
                         r.wait_ready(timeout=30), r.log()[-2000:]):
            return
        after = h.dump_dataset(r.port)
        diff = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
        res.check("%s -> %s: identical contents (%d keys)" % (writer_kind, reader_kind, len(before)),
                  not diff and len(before) > 10, "differences: %s" % diff[:5])
    finally:
        w.kill()
        if r is not None:
            r.kill()


def main():
    args = h.parse_args(__doc__)
    res = h.Results(args.verbose)
    dirs = h.TempDirs()
    try:
        one_way(args, res, dirs, "vigil")
        one_way(args, res, dirs, "redis")
    finally:
        dirs.cleanup()
    res.finish()


if __name__ == "__main__":
    main()
