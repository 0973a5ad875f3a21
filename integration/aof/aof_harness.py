"""Helpers for the AOF integration scripts (stdlib only): free ports on 127.0.0.1, starting
vigil-datanode / redis-server in a given directory, bounded waits, kill by pid, a minimal RESP
client, a dataset dump for comparisons and a pass/fail counter printing "N passed, M failed"."""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datanode"))
import harness as _datanode_harness  # noqa: E402

HOST = "127.0.0.1"


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--vigil", required=True, help="path to the vigil-datanode binary")
    p.add_argument("--redis-server", default=shutil.which("redis-server") or "redis-server")
    p.add_argument("--redis-check-aof", default=shutil.which("redis-check-aof") or "redis-check-aof")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args()


# One free-port picker for every integration harness.
free_port = _datanode_harness.free_port


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RespError(Exception):
    pass


class Client:
    """Blocking RESP2 client with a timeout on every read."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return RespError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError("bad reply %r" % line)

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def call(self, *args):
        self.send(*args)
        r = self.read()
        if isinstance(r, RespError):
            raise r
        return r

    def call_raw(self, *args):
        """Returns errors instead of raising them."""
        self.send(*args)
        return self.read()


class Proc:
    """A started server; kill() by pid, always bounded."""

    def __init__(self, kind, argv, port, workdir, log_path):
        self.kind, self.argv, self.port, self.workdir, self.log_path = kind, argv, port, workdir, log_path
        self.proc = subprocess.Popen(argv, cwd=workdir, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT)

    def wait_ready(self, timeout=15.0, accept_loading=False):
        """Until PING answers (PONG, or -LOADING when accept_loading). False if it exited."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                c = Client(self.port, timeout=2.0)
                try:
                    r = c.call_raw("PING")
                finally:
                    c.close()
                if r == "PONG" or (accept_loading and isinstance(r, RespError)):
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def wait_exit(self, timeout=15.0):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)

    def shutdown(self):
        """SIGTERM and a bounded wait (both servers fsync the AOF on the way out)."""
        self.kill(signal.SIGTERM)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def start_vigil(binary, workdir, *extra, log_name="vigil.log"):
    port = free_port()
    log_path = os.path.join(workdir, log_name)
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir,
            "--logfile", log_path] + [str(x) for x in extra]
    return Proc("vigil", argv, port, workdir, log_path)


def start_redis(binary, workdir, *extra, log_name="redis.log"):
    port = free_port()
    log_path = os.path.join(workdir, log_name)
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir,
            "--logfile", log_path, "--save", "", "--daemonize", "no"] + [str(x) for x in extra]
    return Proc("redis", argv, port, workdir, log_path)


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
            c.call("SELECT", db)
            for key in sorted(c.call("KEYS", "*")):
                t = c.call("TYPE", key)
                if t == "string":
                    v = c.call("GET", key)
                elif t == "list":
                    v = c.call("LRANGE", key, 0, -1)
                elif t == "set":
                    v = sorted(c.call("SMEMBERS", key))
                elif t == "zset":
                    v = c.call("ZRANGE", key, 0, -1, "WITHSCORES")
                elif t == "hash":
                    flat = c.call("HGETALL", key)
                    v = sorted(zip(flat[0::2], flat[1::2]))
                elif t == "stream":
                    v = (c.call("XRANGE", key, "-", "+"),
                         _stream_state(c.call("XINFO", "STREAM", key, "FULL", "COUNT", 0)))
                else:
                    v = None
                ttl = c.call("PTTL", key)
                out[(db, key)] = (t, v, ttl > 0)
    finally:
        c.close()
    return out


def wait_until(pred, timeout, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def info_field(port, field):
    c = Client(port)
    try:
        text = c.call("INFO", "persistence").decode()
    finally:
        c.close()
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1]
    return None


class Results:
    def __init__(self, verbose=False):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("PASS %s" % name)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))
        sys.stdout.flush()
        return ok

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(0 if self.failed == 0 else 1)


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
