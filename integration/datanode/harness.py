"""Shared helpers for the vigil-datanode integration scripts (stdlib only).

- free-port discovery on 127.0.0.1
- starting redis-server / vigil-datanode in a temp dir, bounded readiness wait,
  kill by pid, temp dir removal
- RESP request encoding and an incremental RESP2/RESP3 reply parser
- a tiny pass/fail counter that prints "N passed, M failed"
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"


# --------------------------------------------------------------------------- args

def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--vigil", required=True, help="path to the vigil-datanode binary")
    p.add_argument("--redis-server", default=shutil.which("redis-server") or "redis-server")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args()


def require_tool(name):
    path = shutil.which(name)
    if path is None:
        print("FATAL: '%s' was not found in PATH. These integration tests compare "
              "vigil-datanode with a real Redis 7.0; install redis-server/redis-tools "
              "(apt-get install redis-server redis-tools)." % name)
        print("0 passed, 1 failed")
        sys.exit(1)
    return path


def require_file(path, what):
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        print("FATAL: %s binary not found or not executable: %s" % (what, path))
        print("0 passed, 1 failed")
        sys.exit(1)


# --------------------------------------------------------------------------- ports / processes

def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


class Server:
    """One started server process. Use as a context manager or call stop()."""

    def __init__(self, kind, binary, extra_args=(), ready_timeout=10.0):
        self.kind = kind
        self.binary = binary
        self.extra_args = list(extra_args)
        self.ready_timeout = ready_timeout
        self.proc = None
        self.port = None
        self.tmpdir = None
        self.log_path = None

    def start(self):
        last_err = None
        for _attempt in range(3):  # the freed port may be raced by someone else: retry a bit
            self.tmpdir = tempfile.mkdtemp(prefix="vigil-it-%s-" % self.kind)
            self.port = free_port()
            self.log_path = os.path.join(self.tmpdir, "server.log")
            args = [self.binary, "--port", str(self.port), "--bind", HOST, "--dir", self.tmpdir,
                    "--logfile", self.log_path, "--daemonize", "no"] + self.extra_args
            if self.kind == "redis":
                args += ["--appendonly", "no"]
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.STDOUT, cwd=self.tmpdir)
            try:
                self._wait_ready()
                return self
            except RuntimeError as e:
                last_err = e
                self.stop()
        raise RuntimeError("could not start %s: %s" % (self.kind, last_err))

    def _wait_ready(self):
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with code %s; log:\n%s"
                                   % (self.kind, self.proc.returncode, self.log_tail()))
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5) as s:
                    s.settimeout(1.0)
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                    data = s.recv(64)
                    # +PONG, or -NOAUTH when requirepass is set: either way it serves
                    if data.startswith(b"+PONG") or data.startswith(b"-NOAUTH"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("%s not ready on port %d after %.0fs; log:\n%s"
                           % (self.kind, self.port, self.ready_timeout, self.log_tail()))

    def log_tail(self, n=20):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    os.kill(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self):
        # start_vigil()/start_redis() return a started server: entering it must not start a
        # second process (the first would leak).
        return self if self.proc is not None else self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def start_redis(redis_bin, extra=()):
    return Server("redis", redis_bin, ["--save", "", "--enable-debug-command", "yes"] + list(extra)).start()


def start_vigil(vigil_bin, extra=()):
    return Server("vigil", vigil_bin, ["--save", "", "--enable-debug-command", "yes"] + list(extra)).start()


# --------------------------------------------------------------------------- RESP

def encode_command(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8", "surrogateescape")
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RespError(Exception):
    pass


class Node:
    """A parsed RESP value. kind is the type byte as a str ('+', '-', ':', '$', '*', '%', '~',
    '>', '_', ',', '#', '(', '=', '|', '!'); value is bytes for scalars, a list of Nodes for
    aggregates (maps: flat k,v,k,v list), None for null bulk/array and '_'."""

    __slots__ = ("kind", "value", "raw", "attrs")

    def __init__(self, kind, value, raw):
        self.kind = kind
        self.value = value
        self.raw = raw
        self.attrs = None

    def is_agg(self):
        return isinstance(self.value, list)

    def __repr__(self):
        return "Node(%s,%r)" % (self.kind, self.value)


_NEED_MORE = object()
_AGG_MULT = {"*": 1, "~": 1, ">": 1, "%": 2, "|": 2}


def _parse_at(buf, pos):
    """Parse one RESP value starting at pos. Returns (Node, newpos) or _NEED_MORE."""
    if pos >= len(buf):
        return _NEED_MORE
    t = chr(buf[pos])
    eol = buf.find(b"\r\n", pos + 1)
    if eol < 0:
        return _NEED_MORE
    line = bytes(buf[pos + 1:eol])
    nxt = eol + 2
    if t in "+-:,(#_":
        return Node(t, None if t == "_" else line, bytes(buf[pos:nxt])), nxt
    if t in "$=!":
        try:
            n = int(line)
        except ValueError:
            raise RespError("bad bulk length %r" % line)
        if n < 0:
            return Node(t, None, bytes(buf[pos:nxt])), nxt
        if len(buf) < nxt + n + 2:
            return _NEED_MORE
        if buf[nxt + n:nxt + n + 2] != b"\r\n":
            raise RespError("bulk not terminated by CRLF")
        return Node(t, bytes(buf[nxt:nxt + n]), bytes(buf[pos:nxt + n + 2])), nxt + n + 2
    if t in _AGG_MULT:
        try:
            n = int(line)
        except ValueError:
            raise RespError("bad aggregate length %r" % line)
        if n < 0:
            return Node(t, None, bytes(buf[pos:nxt])), nxt
        items = []
        p = nxt
        for _ in range(n * _AGG_MULT[t]):
            r = _parse_at(buf, p)
            if r is _NEED_MORE:
                return _NEED_MORE
            items.append(r[0])
            p = r[1]
        if t == "|":  # attribute: attach to the following value
            r = _parse_at(buf, p)
            if r is _NEED_MORE:
                return _NEED_MORE
            r[0].attrs = items
            return Node(r[0].kind, r[0].value, bytes(buf[pos:r[1]])), r[1]
        return Node(t, items, bytes(buf[pos:p])), p
    raise RespError("unknown RESP type byte %r at offset %d" % (t, pos))


class RespConn:
    """A raw socket with an incremental RESP reader."""

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = bytearray()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, *args):
        self.sock.sendall(encode_command(args))

    def read_reply(self, timeout=None):
        """Read exactly one complete reply. Raises socket.timeout / ConnectionError."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        while True:
            r = _parse_at(self.buf, 0)
            if r is not _NEED_MORE:
                node, end = r
                del self.buf[:end]
                return node
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by server (buffered: %r)" % bytes(self.buf[:200]))
            self.buf += chunk

    def call(self, *args, timeout=None):
        self.send(*args)
        return self.read_reply(timeout)

    def read_until_closed(self, timeout=5.0):
        """Read all bytes until EOF; returns (data, closed). Bounded by timeout."""
        deadline = time.monotonic() + timeout
        data = bytes(self.buf)
        self.buf.clear()
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return data, False
            except ConnectionResetError:
                return data, True
            if not chunk:
                return data, True
            data += chunk
        return data, False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------- redis-cli style arg splitting

def split_args(line):
    """Split like redis-cli / sdssplitargs. Returns (args as bytes list, rest) where rest is the
    text of the line from the first unquoted token starting with '#!' (directives), or ''."""
    args = []
    i = 0
    n = len(line)
    while True:
        while i < n and line[i] in " \t\n\r\v\f":
            i += 1
        if i >= n:
            return args, ""
        if line.startswith("#!", i):
            return args, line[i:]
        cur = bytearray()
        inq = insq = False
        done = False
        while not done:
            if inq:
                if i >= n:
                    raise ValueError("unbalanced double quotes")
                c = line[i]
                if c == "\\" and i + 3 < n and line[i + 1] == "x" and _ishex(line[i + 2]) and _ishex(line[i + 3]):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif c == "\\" and i + 1 < n:
                    i += 1
                    cur += {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b", "a": b"\a"}.get(line[i], line[i].encode())
                elif c == '"':
                    if i + 1 < n and line[i + 1] not in " \t\n\r\v\f":
                        raise ValueError("closing quote must be followed by a space")
                    done = True
                else:
                    cur += c.encode()
            elif insq:
                if i >= n:
                    raise ValueError("unbalanced single quotes")
                c = line[i]
                if c == "\\" and i + 1 < n and line[i + 1] == "'":
                    i += 1
                    cur += b"'"
                elif c == "'":
                    if i + 1 < n and line[i + 1] not in " \t\n\r\v\f":
                        raise ValueError("closing quote must be followed by a space")
                    done = True
                else:
                    cur += c.encode()
            else:
                if i >= n:
                    done = True
                    continue
                c = line[i]
                if c in " \t\n\r\v\f":
                    done = True
                elif c == '"':
                    inq = True
                elif c == "'":
                    insq = True
                else:
                    cur += c.encode()
            if i < n:
                i += 1
        args.append(bytes(cur))


def _ishex(c):
    return c in "0123456789abcdefABCDEF"


# --------------------------------------------------------------------------- results

class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, cond, name, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(name)
            print("FAIL: %s%s" % (name, (" -- " + detail) if detail else ""))
        return cond

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(0 if self.failed == 0 else 1)
