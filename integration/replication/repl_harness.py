"""Helpers for the replication integration scripts: start vigil-datanode / redis-server nodes
on 127.0.0.1 (free ports, temp dirs, killed by pid), talk RESP to them, read INFO, wait with a
bound, and compare the contents of two nodes. Reuses integration/datanode/harness.py."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datanode"))
import harness  # noqa: E402
from harness import HOST, RespConn, Results, free_port, require_file, require_tool  # noqa: E402,F401

FAST_REPL = ["--repl-diskless-sync-delay", "0"]


def parse_args(description):
    return harness.parse_args(description)


class Node:
    """A started server. kind is 'vigil' or 'redis'."""

    def __init__(self, kind, binary, extra=()):
        self.kind = kind
        base = ["--save", "", "--enable-debug-command", "yes"] + FAST_REPL
        self.server = harness.Server(kind, binary, base + list(extra)).start()
        self.port = self.server.port
        self.dir = self.server.tmpdir
        self._conn = None

    @property
    def pid(self):
        return self.server.proc.pid if self.server.proc else None

    def conn(self):
        if self._conn is None:
            self._conn = RespConn(self.port, timeout=10.0)
        return self._conn

    def call(self, *args):
        """One command on the node's shared connection; returns the decoded value."""
        for attempt in range(2):
            try:
                return decode(self.conn().call(*args))
            except (OSError, ConnectionError):
                # Sentinel's CLIENT KILL TYPE normal closes our connection: reconnect once.
                if self._conn is not None:
                    self._conn.close()
                self._conn = None
                if attempt == 1:
                    raise

    def try_call(self, *args):
        try:
            return self.call(*args)
        except (OSError, ConnectionError) as e:
            return e

    def info(self, section="replication"):
        text = self.call("INFO", section)
        out = {}
        for line in text.split("\r\n"):
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                out[k] = v
        return out

    def log_tail(self, n=30):
        return self.server.log_tail(n)

    def kill(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.server.stop()


def decode(node):
    """harness.Node → Python: bytes → str, errors → RespErrorValue, aggregates → lists."""
    if node.kind in ("-", "!"):
        return ErrorReply(node.value.decode("utf-8", "replace"))
    if node.kind == ":":
        return int(node.value)
    if node.value is None:
        return None
    if isinstance(node.value, list):
        return [decode(x) for x in node.value]
    if isinstance(node.value, (bytes, bytearray)):
        return node.value.decode("utf-8", "surrogateescape")
    return node.value


class ErrorReply(str):
    pass


def wait_for(pred, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pred():
                return True
        except (OSError, ConnectionError):
            pass
        time.sleep(interval)
    return False


def link_up(node):
    i = node.info()
    return i.get("role") == "slave" and i.get("master_link_status") == "up"


def offsets_equal(master, replica):
    return int(master.info()["master_repl_offset"]) == int(replica.info()["slave_repl_offset"])


def _stream_state(info):
    """XINFO STREAM FULL without what legitimately differs between two nodes: the node layout
    (radix-tree-keys/-nodes follow each node's own stream-node-max-entries, which is not
    replicated, and Vigil keeps no rax) and consumers' seen-time (each node's clock when it
    applied the command; Redis replicas differ from their master the same way)."""
    if not isinstance(info, list):
        return info
    out = []
    i = 0
    while i < len(info):
        k = info[i]
        if isinstance(k, (str, bytes)) and i + 1 < len(info) and \
                (k in ("seen-time", b"seen-time", "radix-tree-nodes", b"radix-tree-nodes",
                      "radix-tree-keys", b"radix-tree-keys")):
            i += 2
            continue
        out.append(_stream_state(k))
        i += 1
    return out


def contents(node, db=0):
    """Every key of `db` with its type and value, for comparing two nodes."""
    node.call("SELECT", db)
    out = {}
    for key in node.call("KEYS", "*"):
        t = node.call("TYPE", key)
        if t == "string":
            v = node.call("GET", key)
        elif t == "list":
            v = node.call("LRANGE", key, 0, -1)
        elif t == "hash":
            v = sorted(node.call("HGETALL", key))
        elif t == "set":
            v = sorted(node.call("SMEMBERS", key))
        elif t == "zset":
            v = node.call("ZRANGE", key, 0, -1, "WITHSCORES")
        elif t == "stream":
            v = (node.call("XRANGE", key, "-", "+"),
                 _stream_state(node.call("XINFO", "STREAM", key, "FULL", "COUNT", 0)))
        else:
            v = None
        out[key] = (t, v)
    node.call("SELECT", 0)
    return out


def fill(node, prefix, n, db=0):
    """Writes a mix of types with a pipeline."""
    c = RespConn(node.port, timeout=10.0)
    try:
        cmds = [("SELECT", db)]
        for i in range(n):
            k = "%s:%d" % (prefix, i)
            m = i % 5
            if m == 0:
                cmds.append(("SET", k, "v%d" % i))
            elif m == 1:
                cmds.append(("RPUSH", k, "a", "b", str(i)))
            elif m == 2:
                cmds.append(("HSET", k, "f", str(i), "g", "x"))
            elif m == 3:
                cmds.append(("SADD", k, "m1", "m2", str(i)))
            else:
                cmds.append(("ZADD", k, str(i), "z", "1.5", "y"))
        c.send_raw(b"".join(harness.encode_command(list(x)) for x in cmds))
        for _ in cmds:
            c.read_reply()
    finally:
        c.close()


def stop_all(nodes):
    for n in nodes:
        try:
            n.kill()
        except Exception:  # noqa: BLE001 - best effort cleanup
            pass


def restart(node, binary, extra=()):
    """Starts `binary` again on the node's port and directory (after a kill -9), keeping the
    files; returns when it answers PING (or -LOADING/-MASTERDOWN)."""
    import signal
    import subprocess
    s = node.server
    if s.proc is not None and s.proc.poll() is None:
        os.kill(s.proc.pid, signal.SIGKILL)
        s.proc.wait(5)
    if node._conn is not None:
        node._conn.close()
        node._conn = None
    s.log_path = os.path.join(node.dir, "server-restarted.log")
    base = ["--save", "", "--enable-debug-command", "yes"] + FAST_REPL
    s.proc = subprocess.Popen([binary, "--port", str(node.port), "--bind", HOST, "--dir", node.dir,
                               "--logfile", s.log_path, "--daemonize", "no"] + base + list(extra),
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT, cwd=node.dir)
    s.tmpdir = node.dir
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            c = RespConn(node.port, timeout=1.0)
            c.send("PING")
            r = c.read_reply()
            c.close()
            if r is not None:
                return node
        except (OSError, ConnectionError):
            time.sleep(0.05)
    raise RuntimeError("restart failed: " + s.log_tail())
