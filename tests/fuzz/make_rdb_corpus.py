#!/usr/bin/env python3
"""Writes the seed corpus of the rdb_loader fuzz target (corpus/rdb_loader/) with a real
redis-server 7.0: one small RDB file per value type, each forcing the encodings Redis 7.0 writes
(small limits make the big encodings cheap). Run it again only to refresh the seeds:
    python3 tests/fuzz/make_rdb_corpus.py [--redis-server PATH]
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "datanode"))
import harness  # noqa: E402

# Small encoding limits so that "big" encodings need only a handful of elements.
SMALL_LIMITS = ["--list-max-listpack-size", "4", "--set-max-intset-entries", "4",
                "--zset-max-listpack-entries", "4", "--hash-max-listpack-entries", "4",
                "--stream-node-max-entries", "4"]

SEEDS = {
    "strings.rdb": [
        ["SET", "int", "12345"], ["SET", "neg", "-7"], ["SET", "i64", "-9223372036854775808"],
        ["SET", "small", "hello"], ["SET", "empty", ""], ["SET", "lzf", "a" * 120],
        ["SET", "bin", b"\x00\r\n\xff"], ["SET", "lead0", "007"],
    ],
    "lists.rdb": [
        ["RPUSH", "one-node", "a", "1", "-2", "300"],
        ["RPUSH", "many-nodes"] + ["e%d" % i for i in range(10)],
        ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "16"],
        ["RPUSH", "plain", "x", "p" * 40, "y"],
    ],
    "sets.rdb": [
        ["SADD", "intset", "1", "70000", "-5"],
        ["SADD", "intset64", "-9223372036854775808", "9223372036854775807"],
        ["SADD", "hashtable", "a", "b", "c", "d", "e", "f"],
    ],
    "zsets.rdb": [
        ["ZADD", "listpack", "1", "a", "2.5", "b", "-inf", "c"],
        ["ZADD", "skiplist", "1", "a", "2", "b", "3", "c", "4", "d", "5.5", "e", "inf", "f"],
    ],
    "hashes.rdb": [
        ["HSET", "listpack", "f1", "v1", "f2", "2"],
        ["HSET", "hashtable", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"],
    ],
    "expires_and_dbs.rdb": [
        ["SET", "ttl", "x", "PX", "86400000"], ["SET", "plain", "y"],
        ["SELECT", "3"], ["RPUSH", "l3", "a"], ["PEXPIRE", "l3", "7200000"],
        ["SELECT", "15"], ["HSET", "h15", "f", "v"],
    ],
    "stream.rdb": [
        ["XADD", "s", "1-1", "f", "v"], ["XADD", "s", "1-2", "f", "w", "g", "1"],
        ["XADD", "s", "2-1", "a", "b"], ["XADD", "s", "2-2", "a", "c"], ["XADD", "s", "3-0", "z", "z"],
        ["XGROUP", "CREATE", "s", "grp", "0"],
        ["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "2", "STREAMS", "s", ">"],
        ["XDEL", "s", "1-2"],
    ],
    "function.rdb": [
        ["FUNCTION", "LOAD", "#!lua name=seedlib\nredis.register_function('seedf', "
                             "function(keys, args) return 1 end)"],
        ["SET", "k", "v"],
    ],
}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--redis-server", default=shutil.which("redis-server") or "redis-server")
    p.add_argument("--out", default=os.path.join(HERE, "corpus", "rdb_loader"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    server = harness.start_redis(args.redis_server, SMALL_LIMITS)
    try:
        conn = harness.RespConn(server.port)
        for name, commands in SEEDS.items():
            conn.call("FLUSHALL")
            conn.call("FUNCTION", "FLUSH")
            conn.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824")
            for cmd in commands:
                reply = conn.call(*cmd)
                if reply.kind == "-":
                    raise SystemExit("%s: %r failed: %r" % (name, cmd[:3], reply.value))
            conn.call("SAVE")
            shutil.copyfile(os.path.join(server.tmpdir, "dump.rdb"), os.path.join(args.out, name))
            print("%s: %d bytes" % (name, os.path.getsize(os.path.join(args.out, name))))
        conn.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
