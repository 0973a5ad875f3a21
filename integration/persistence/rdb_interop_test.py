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
  * `vigil-datanode --check-rdb` prints what redis-check-rdb prints.
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
    finally:
        shutil.rmtree(root, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()
