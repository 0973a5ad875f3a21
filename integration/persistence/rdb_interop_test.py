#!/usr/bin/env python3
"""RDB interop between vigil-datanode and a real redis-server 7.0:
  * an RDB written by vigil passes redis-check-rdb and loads into redis-server with identical
    contents (values, TTLs, OBJECT ENCODING), with and without compression / checksum, and
    with LFU / LRU opcodes;
  * RDB files written by redis-server (every encoding: listpack, intset, quicklist with packed,
    plain and LZF-compressed nodes, hashtable, skiplist; LRU and LFU opcodes) load into
    vigil-datanode with identical contents;
  * both datasets hold streams (several listpack nodes, tombstones, consumer groups, pending
    entries, consumers with and without them, an empty stream): XRANGE and XINFO STREAM FULL
    (delivery and seen times included) agree on both sides;
  * `vigil-datanode --check-rdb` prints what redis-check-rdb prints;
  * FUNCTION libraries (RDB FUNCTION2 records) move both ways: redis-server's RDB loads into
    vigil and vigil's into redis-server, and FUNCTION DUMP payloads restore on the other side.
Prints "N passed, M failed"; exits non-zero on failure."""

import hashlib
import os
import shutil
import subprocess
import tempfile

import rdb_harness as h


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_rdb(tool, path):
    p = subprocess.run([tool, path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    return p.returncode, p.stdout.decode(errors="replace")


def vigil_to_redis(args, res, root, name, vigil_extra=(), redis_extra=()):
    work = os.path.join(root, name)
    os.makedirs(work)
    vigil = h.Proc("vigil", args.vigil, work, ["--save", ""] + list(vigil_extra))
    redis = h.Proc("redis", args.redis_server, work, ["--save", ""] + list(redis_extra))
    try:
        vigil.start()
        c = vigil.client()
        h.build_dataset(c)
        want = h.dump(c)
        res.check(c.cmd("SAVE") == "OK", name + ": SAVE")
        c.close()
        vigil.kill()
        rdb = os.path.join(work, "dump.rdb")
        rc, out = check_rdb(args.redis_check_rdb, rdb)
        res.check(rc == 0 and "\\o/ RDB looks OK! \\o/" in out,
                  name + ": redis-check-rdb accepts vigil's RDB", out[-600:])
        if args.verbose:
            print(out)
        redis.start()
        rc_ = redis.client()
        got = h.dump(rc_)
        res.check(h.same(want, got), name + ": redis-server loads vigil's RDB with identical contents",
                  h.diff(want, got))
        rc_.close()
    finally:
        vigil.kill()
        redis.kill()


def redis_to_vigil(args, res, root, name, redis_extra=(), vigil_extra=()):
    work = os.path.join(root, name)
    os.makedirs(work)
    redis = h.Proc("redis", args.redis_server, work, ["--save", ""] + list(redis_extra))
    vigil = h.Proc("vigil", args.vigil, work, ["--save", ""] + list(vigil_extra))
    try:
        redis.start()
        c = redis.client()
        h.build_dataset(c, redis_only=True)
        want = h.dump(c)
        res.check(c.cmd("SAVE") == "OK", name + ": redis SAVE")
        c.close()
        redis.kill()
        rdb = os.path.join(work, "dump.rdb")
        p = subprocess.run([args.vigil, "--check-rdb", rdb], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        ours = p.stdout.decode(errors="replace")
        _, theirs = check_rdb(args.redis_check_rdb, rdb)
        theirs = "\n".join(l for l in theirs.splitlines() if not l[:1].isdigit())  # drop log lines
        res.check(p.returncode == 0 and
                  ours.strip() == theirs.strip(), name + ": --check-rdb matches redis-check-rdb", "\nours:\n%s\ntheirs:\n%s" % (ours, theirs))
        before = sha(rdb)
        vigil.start()
        vc = vigil.client()
        got = h.dump(vc)
        res.check(h.same(want, got), name + ": vigil loads redis's RDB with identical contents",
                  h.diff(want, got))
        loaded = h.info_field(vc, "persistence", "rdb_last_load_keys_loaded")
        res.check(loaded == str(len(want)), name + ": INFO rdb_last_load_keys_loaded",
                  "%s != %d" % (loaded, len(want)))
        vc.close()
        res.check(sha(rdb) == before, name + ": loading leaves the file unchanged")
    finally:
        redis.kill()
        vigil.kill()


FUNCTION_LIBS = [
    "#!lua name=fnlib_a\nredis.register_function('fa', function(keys, args) return args[1] end)",
    "#!lua name=fnlib_b\nredis.register_function{function_name='fb', callback=function(keys) "
    "return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a key'}\n"
    "-- a long comment so that the code is LZF-compressed in the RDB ------------------------",
]


def function_state(c):
    """FUNCTION LIST WITHCODE as a comparable value, and what the functions answer."""
    libs = c.cmd("FUNCTION", "LIST", "WITHCODE")
    libs = sorted(repr(x) for x in libs)
    c.cmd("SET", "fn:key", "v")
    return libs, c.cmd("FCALL", "fa", "0", "x"), c.cmd("FCALL_RO", "fb", "1", "fn:key")


def functions_interop(args, res, root, name, writer_kind):
    work = os.path.join(root, name)
    os.makedirs(work)
    binaries = {"vigil": args.vigil, "redis": args.redis_server}
    reader_kind = "redis" if writer_kind == "vigil" else "vigil"
    writer = h.Proc(writer_kind, binaries[writer_kind], work, ["--save", ""])
    reader = h.Proc(reader_kind, binaries[reader_kind], work, ["--save", ""])
    try:
        writer.start()
        c = writer.client()
        for code in FUNCTION_LIBS:
            c.cmd("FUNCTION", "LOAD", code)
        want = function_state(c)
        payload = c.cmd("FUNCTION", "DUMP")
        res.check(c.cmd("SAVE") == "OK", name + ": SAVE")
        c.close()
        writer.kill()
        rdb = os.path.join(work, "dump.rdb")
        if writer_kind == "vigil":
            rc, out = check_rdb(args.redis_check_rdb, rdb)
            res.check(rc == 0 and "\\o/ RDB looks OK! \\o/" in out,
                      name + ": redis-check-rdb accepts vigil's RDB with functions", out[-600:])
        reader.start()
        r = reader.client()
        got = function_state(r)
        res.check(got == want, name + ": %s loads the libraries of %s's RDB" % (
            reader_kind, writer_kind), "%r != %r" % (got, want))
        res.check(r.cmd("FUNCTION", "FLUSH") == "OK", name + ": FUNCTION FLUSH")
        res.check(r.cmd("FUNCTION", "RESTORE", payload) == "OK",
                  name + ": %s restores %s's FUNCTION DUMP" % (reader_kind, writer_kind))
        got = function_state(r)
        res.check(got == want, name + ": restored libraries match", "%r != %r" % (got, want))
        r.close()
    finally:
        writer.kill()
        reader.kill()


def main():
    args = h.parse_args(__doc__)
    res = h.Results(args.verbose)
    root = tempfile.mkdtemp(prefix="vigil-rdb-interop-")
    try:
        res.run("vigil->redis default", lambda: vigil_to_redis(args, res, root, "v2r-default"))
        res.run("vigil->redis no compression/checksum", lambda: vigil_to_redis(
            args, res, root, "v2r-plain", ["--rdbcompression", "no", "--rdbchecksum", "no"],
            ["--rdbchecksum", "no"]))
        res.run("vigil->redis lfu", lambda: vigil_to_redis(
            args, res, root, "v2r-lfu", ["--maxmemory-policy", "allkeys-lfu"],
            ["--maxmemory-policy", "allkeys-lfu"]))
        res.run("vigil->redis lru", lambda: vigil_to_redis(
            args, res, root, "v2r-lru", ["--maxmemory-policy", "allkeys-lru"]))
        res.run("redis->vigil default", lambda: redis_to_vigil(
            args, res, root, "r2v-default", ["--list-compress-depth", "1"]))
        res.run("redis->vigil lfu", lambda: redis_to_vigil(
            args, res, root, "r2v-lfu", ["--maxmemory-policy", "allkeys-lfu"]))
        res.run("redis->vigil lru", lambda: redis_to_vigil(
            args, res, root, "r2v-lru", ["--maxmemory-policy", "allkeys-lru",
                                         "--rdbcompression", "no"]))
        res.run("functions vigil->redis", lambda: functions_interop(
            args, res, root, "fn-v2r", "vigil"))
        res.run("functions redis->vigil", lambda: functions_interop(
            args, res, root, "fn-r2v", "redis"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()
