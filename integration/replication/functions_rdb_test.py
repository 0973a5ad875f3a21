#!/usr/bin/env python3
"""redis-cli --functions-rdb against vigil-datanode, checked the same way on redis-server 7.0.

redis-cli 7.0 sends REPLCONF capa eof, REPLCONF rdb-only 1 and REPLCONF rdb-filter-only
functions, then SYNC, and saves what comes back. The master leaves every key out of that
snapshot (and sends it over the socket even with disk-based replication). The file must load in
redis-server with the library and no keys. A plain --rdb taken afterwards still holds the keys.
The REPLCONF option's error replies are compared with redis-server's.
"""

import os
import shutil
import subprocess
import tempfile

import repl_harness as rh

LIBRARY = ("#!lua name=rdblib\n"
           "redis.register_function('rdbfn', function(keys, args) return 'from-rdb' end)")


def fetch(node, flag, path):
    """redis-cli <flag> <path> against the node; returns (exit code, output)."""
    cli = shutil.which("redis-cli")
    p = subprocess.run([cli, "-p", str(node.port), flag, path], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, (p.stdout + p.stderr).strip()


def load_file(redis_bin, path):
    """A redis-server started on the file; returns (FUNCTION LIST names, keyspace INFO, FCALL)."""
    d = tempfile.mkdtemp(prefix="vigil-frdb-")
    shutil.copy(path, os.path.join(d, "dump.rdb"))
    n = rh.Node("redis", redis_bin, ["--dir", d, "--dbfilename", "dump.rdb"])
    try:
        libs = n.call("FUNCTION", "LIST")
        names = [entry[1] for entry in libs] if isinstance(libs, list) else libs
        keyspace = n.call("INFO", "keyspace")
        keys = [line for line in keyspace.split("\r\n") if line.startswith("db")]
        return names, keys, n.call("FCALL", "rdbfn", "0")
    finally:
        n.kill()
        shutil.rmtree(d, ignore_errors=True)


def replconf_replies(node):
    """The replies to the option's edge cases, on fresh connections."""
    out = []
    for args in (("rdb-filter-only", "bogus"), ("rdb-filter-only", "functions bogus"),
                 ("rdb-filter-only", '"unbalanced'), ("rdb-filter-only", "FUNCTIONS"),
                 ("rdb-filter-only", "")):
        c = rh.RespConn(node.port, timeout=10.0)
        try:
            out.append(rh.decode(c.call("REPLCONF", *args)))
        finally:
            c.close()
    # A filtered snapshot needs the EOF framing: SYNC without capa eof is refused.
    c = rh.RespConn(node.port, timeout=10.0)
    try:
        c.call("REPLCONF", "rdb-filter-only", "functions")
        out.append(rh.decode(c.call("SYNC")))
    finally:
        c.close()
    return out


def check(res, node, redis_bin, tmp):
    node.call("FUNCTION", "LOAD", "REPLACE", LIBRARY)
    node.call("SET", "frdb:a", "1")
    node.call("SELECT", "3")
    node.call("HSET", "frdb:h", "f", "v")
    node.call("SELECT", "0")
    path = os.path.join(tmp, node.kind + "-functions.rdb")
    rc, out = fetch(node, "--functions-rdb", path)
    res.check(rc == 0 and os.path.exists(path),
              "%s: redis-cli --functions-rdb succeeds" % node.kind, out)
    if rc != 0 or not os.path.exists(path):
        return None
    names, keys, called = load_file(redis_bin, path)
    res.check(names == ["rdblib"], "%s: the file holds the library" % node.kind, repr(names))
    res.check(keys == [], "%s: the file holds no keys" % node.kind, repr(keys))
    res.check(called == "from-rdb", "%s: the loaded function runs" % node.kind, repr(called))
    # The next, unfiltered snapshot is whole again.
    full = os.path.join(tmp, node.kind + "-full.rdb")
    rc, out = fetch(node, "--rdb", full)
    res.check(rc == 0, "%s: redis-cli --rdb succeeds afterwards" % node.kind, out)
    if rc == 0:
        names, keys, _ = load_file(redis_bin, full)
        res.check(names == ["rdblib"] and len(keys) == 2,
                  "%s: a plain --rdb still holds the library and the keys" % node.kind,
                  repr((names, keys)))
    return replconf_replies(node)


def main():
    args = rh.parse_args(__doc__)
    rh.require_file(args.vigil, "vigil-datanode")
    redis_bin = rh.require_tool("redis-server")
    rh.require_tool("redis-cli")
    res = rh.Results()
    tmp = tempfile.mkdtemp(prefix="vigil-frdb-")
    nodes = []
    replies = {}
    try:
        # Disk-based replication: the filtered snapshot still goes over the socket.
        for kind, binary in (("vigil", args.vigil), ("redis", redis_bin)):
            n = rh.Node(kind, binary, ["--repl-diskless-sync", "no"])
            nodes.append(n)
            replies[kind] = check(res, n, redis_bin, tmp)
        res.check(replies["vigil"] == replies["redis"],
                  "REPLCONF rdb-filter-only replies match redis-server",
                  "vigil %r, redis %r" % (replies["vigil"], replies["redis"]))
    finally:
        rh.stop_all(nodes)
        shutil.rmtree(tmp, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()
