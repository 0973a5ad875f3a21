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
import traceback

HOST = "127.0.0.1"


# --------------------------------------------------------------------------- args

def parse_args(description, tools=()):
    """--vigil, --redis-server, -v, and one --<tool> option per name in `tools` (a Redis tool
    such as redis-check-aof), each defaulting to the one on PATH."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--vigil", required=True, help="path to the vigil-datanode binary")
    for tool in ("redis-server",) + tuple(tools):
        p.add_argument("--" + tool, default=shutil.which(tool) or tool)
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


class Proc:
    """One server process (vigil-datanode or redis-server) started as
    `binary --port <free port> <args>` in `workdir`, which it leaves in place. spawn() only
    starts it; wait_ready() says whether it serves; start() does both and retries when the
    freed port was taken by someone else. Every wait is bounded; kill() goes by pid."""

    def __init__(self, kind, binary, workdir, args, log_path):
        self.kind, self.binary, self.workdir = kind, binary, workdir
        self.args = [str(a) for a in args]
        self.log_path = log_path
        self.proc = None
        self.port = None

    def spawn(self):
        self.port = free_port()
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port)] + self.args,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT, cwd=self.workdir)
        return self

    def wait_ready(self, timeout=15.0, accept_loading=False):
        """Until PING answers +PONG (or -NOAUTH: it serves; -LOADING with accept_loading).
        False when the process exited or the time ran out."""
        accepted = (b"+PONG", b"-NOAUTH") + ((b"-LOADING",) if accept_loading else ())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5) as s:
                    s.settimeout(2.0)
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                    if s.recv(64).startswith(accepted):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def start(self, timeout=30.0):
        for _attempt in range(3):
            self.spawn()
            if self.wait_ready(timeout):
                return self
            self.kill()
            if not self.port_was_taken():
                break
        raise RuntimeError("%s not ready on port %s (exit code %s); log tail:\n%s"
                           % (self.kind, self.port, self.proc.returncode, self.log_tail()))

    def port_was_taken(self):
        log = self.log()
        return "Address already in use" in log or "Could not create server TCP" in log

    def client(self, timeout=30.0):
        return Client(self.port, timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout=15.0):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self, sig=signal.SIGKILL):
        """Sends `sig` and waits (bounded); SIGKILL if it is still there after that."""
        if self.proc is None:
            return
        try:
            self.signal(sig)
        except ProcessLookupError:
            pass
        if self.wait_exit(15) is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.wait_exit(15)

    def shutdown(self):
        """SIGTERM: both servers save / fsync what their config says on the way out."""
        self.kill(signal.SIGTERM)

    # Defined after kill(): in the class body this name hides the signal module.
    def signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    def log_tail(self, n=20):
        return "".join(self.log().splitlines(True)[-n:]) or "(no log)"


class Server(Proc):
    """A server in a temp dir of its own, removed on stop(). Use as a context manager or call
    stop()."""

    def __init__(self, kind, binary, extra_args=(), ready_timeout=10.0):
        super().__init__(kind, binary, None, [], None)
        self.extra_args = list(extra_args)
        self.ready_timeout = ready_timeout
        self.tmpdir = None

    def start(self):
        for _attempt in range(3):  # the freed port may be raced by someone else: retry a bit
            self.tmpdir = self.workdir = tempfile.mkdtemp(prefix="vigil-it-%s-" % self.kind)
            self.log_path = os.path.join(self.tmpdir, "server.log")
            self.args = ["--bind", HOST, "--dir", self.tmpdir, "--logfile", self.log_path,
                         "--daemonize", "no"] + [str(a) for a in self.extra_args]
            if self.kind == "redis":
                self.args += ["--appendonly", "no"]
            self.spawn()
            if self.wait_ready(self.ready_timeout):
                return self
            error = "%s not ready on port %d (exit code %s); log:\n%s" % (
                self.kind, self.port, self.proc.poll(), self.log_tail())
            self.stop()
        raise RuntimeError("could not start %s: %s" % (self.kind, error))

    def stop(self):
        if self.proc is not None:
            self.kill()
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


def import_redis_py():
    """The redis module, also when `python3` is a pyenv/venv interpreter that does not see the
    distribution's python3-redis package (pure Python, /usr/lib/python3/dist-packages)."""
    try:
        import redis
        return redis
    except ImportError:
        pass
    for d in ("/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages"):
        if os.path.isdir(os.path.join(d, "redis")) and d not in sys.path:
            sys.path.append(d)
            try:
                import redis
                return redis
            except ImportError:
                sys.path.remove(d)
    return None


# --------------------------------------------------------------------------- RESP

def encode_command(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8", "surrogateescape")
        elif isinstance(a, float):
            a = repr(a).encode()
        elif not isinstance(a, (bytes, bytearray)):
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


def decode(node):
    """A RESP2 reply as Python values: str for a status, a RespError instance for an error,
    int, bytes or None for a bulk string, lists for arrays."""
    if node.kind == "+":
        return node.value.decode()
    if node.kind == "-":
        return RespError(node.value.decode())
    if node.kind == ":":
        return int(node.value)
    if isinstance(node.value, list):
        return [decode(n) for n in node.value]
    return node.value


class Client(RespConn):
    """A RespConn that speaks in Python values (see decode). call() and read() return an error
    reply as a RespError; cmd() raises it."""

    def __init__(self, port, timeout=30.0):
        super().__init__(port, timeout)

    def read(self):
        return decode(self.read_reply())

    def call(self, *args):
        self.send(*args)
        return self.read()

    def cmd(self, *args):
        r = self.call(*args)
        if isinstance(r, RespError):
            raise r
        return r

    def pipeline(self, commands):
        self.send_raw(b"".join(encode_command(c) for c in commands))
        return [self.read() for _ in commands]


def wait_until(predicate, timeout, step=0.05):
    """Polls predicate until it holds or timeout seconds passed; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


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
    def __init__(self, verbose=False):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.verbose = verbose

    def check(self, cond, name, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(name)
            print("FAIL: %s%s" % (name, (" -- " + detail) if detail else ""))
        sys.stdout.flush()
        return cond

    def run(self, name, fn):
        """Runs one scenario; one that raises counts as one failure."""
        try:
            fn()
        except Exception as e:
            self.check(False, name, "raised %s: %s" % (type(e).__name__, e))
            if self.verbose:
                traceback.print_exc()

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(0 if self.failed == 0 else 1)
