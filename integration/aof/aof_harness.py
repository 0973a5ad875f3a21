"""The AOF integration scripts' layer over the shared harness (integration/datanode/harness.py):
servers started in a directory the test owns (the AOF folder outlives restarts), a dataset dump
for comparisons, INFO persistence fields and temp dirs removed at the end."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datanode"))
from harness import HOST, Client, Results, RespError, encode_command, wait_until  # noqa: E402,F401
import harness  # noqa: E402


def parse_args(description):
    return harness.parse_args(description, ["redis-check-aof"])


def encode(*args):
    return encode_command(args)


def _start(kind, binary, workdir, extra, log_name, fixed=()):
    log_path = os.path.join(workdir, log_name)
    args = ["--bind", HOST, "--dir", workdir, "--logfile", log_path] + list(fixed) + list(extra)
    return harness.Proc(kind, binary, workdir, args, log_path).spawn()


def start_vigil(binary, workdir, *extra, log_name="vigil.log"):
    """Spawned, not yet ready: callers check wait_ready() (some expect it to fail)."""
    return _start("vigil", binary, workdir, extra, log_name)


def start_redis(binary, workdir, *extra, log_name="redis.log"):
    return _start("redis", binary, workdir, extra, log_name, ["--save", "", "--daemonize", "no"])


def _stream_state(info):
    """XINFO STREAM FULL minus the node layout (radix-tree-*: Vigil keeps no rax, and a replayed
    stream is laid out by the loader's own stream-node-max-entries) and consumers' seen-time
    (the replay's clock)."""
    if not isinstance(info, list):
        return info
    out, i = [], 0
    while i < len(info):
        k = info[i].decode() if isinstance(info[i], bytes) else info[i]
        if k in ("seen-time", "radix-tree-nodes", "radix-tree-keys") and i + 1 < len(info):
            i += 2
            continue
        out.append(_stream_state(info[i]))
        i += 1
    return out


def dump_dataset(port, dbs=16):
    """Every key of every db with type, value and whether it has a TTL, as a comparable dict."""
    c = Client(port)
    out = {}
    try:
        for db in range(dbs):
            c.cmd("SELECT", db)
            for key in sorted(c.cmd("KEYS", "*")):
                t = c.cmd("TYPE", key)
                if t == "string":
                    v = c.cmd("GET", key)
                elif t == "list":
                    v = c.cmd("LRANGE", key, 0, -1)
                elif t == "set":
                    v = sorted(c.cmd("SMEMBERS", key))
                elif t == "zset":
                    v = c.cmd("ZRANGE", key, 0, -1, "WITHSCORES")
                elif t == "hash":
                    flat = c.cmd("HGETALL", key)
                    v = sorted(zip(flat[0::2], flat[1::2]))
                elif t == "stream":
                    v = (c.call("XRANGE", key, "-", "+"),
                         _stream_state(c.call("XINFO", "STREAM", key, "FULL", "COUNT", 0)))
                else:
                    v = None
                ttl = c.cmd("PTTL", key)
                out[(db, key)] = (t, v, ttl > 0)
    finally:
        c.close()
    return out


def info_field(port, field):
    c = Client(port)
    try:
        text = c.cmd("INFO", "persistence").decode()
    finally:
        c.close()
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1]
    return None


class TempDirs:
    def __init__(self):
        self.dirs = []

    def new(self, tag):
        d = tempfile.mkdtemp(prefix="vigil-aof-%s-" % tag)
        self.dirs.append(d)
        return d

    def cleanup(self):
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)


def run_tests(description, *tests):
    """Runs each test(args, res, dirs) in order, removes the temp dirs, prints the totals and
    exits non-zero on any failure."""
    args = parse_args(description)
    res = Results(args.verbose)
    dirs = TempDirs()
    try:
        for test in tests:
            test(args, res, dirs)
    finally:
        dirs.cleanup()
    res.finish()
