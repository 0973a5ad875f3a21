"""Helpers for the RDB integration scripts (stdlib only): free ports on 127.0.0.1, starting
vigil-datanode / redis-server in a given directory with bounded waits, a small RESP2 client,
dataset builders and a canonical dump used to compare two servers, and a pass/fail counter
that prints the final "N passed, M failed" line."""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datanode"))
import harness as _datanode_harness  # noqa: E402

HOST = "127.0.0.1"


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--vigil", required=True, help="path to the vigil-datanode binary")
    p.add_argument("--redis-server", default=shutil.which("redis-server") or "redis-server")
    p.add_argument("--redis-check-rdb", default=shutil.which("redis-check-rdb") or "redis-check-rdb")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    for tool in (args.redis_server, args.redis_check_rdb):
        if shutil.which(tool) is None and not os.access(tool, os.X_OK):
            print("FATAL: %s not found; these tests need Redis 7.0 (apt-get install redis-server "
                  "redis-tools)" % tool)
            print("0 passed, 1 failed")
            sys.exit(1)
    if not os.access(args.vigil, os.X_OK):
        print("FATAL: vigil-datanode not executable: %s" % args.vigil)
        print("0 passed, 1 failed")
        sys.exit(1)
    return args


# One free-port picker for every integration harness.
free_port = _datanode_harness.free_port


# --------------------------------------------------------------------------- RESP client

class RespError(Exception):
    pass


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8", "surrogateescape")
        elif isinstance(a, (int, float)):
            a = repr(a).encode() if isinstance(a, float) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Client:
    def __init__(self, port, timeout=30.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("connection closed")
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def _read(self):
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
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise ValueError("bad reply type %r" % line)

    def call(self, *args):
        """Returns the reply; an error reply is returned as a RespError instance."""
        self.sock.sendall(encode(args))
        return self._read()

    def cmd(self, *args):
        """Like call, but raises on an error reply."""
        r = self.call(*args)
        if isinstance(r, RespError):
            raise r
        return r

    def pipeline(self, commands):
        self.sock.sendall(b"".join(encode(c) for c in commands))
        return [self._read() for _ in commands]


# --------------------------------------------------------------------------- processes

class Proc:
    """A vigil-datanode or redis-server process working in `workdir` (not removed on stop)."""

    def __init__(self, kind, binary, workdir, extra=(), dbfilename="dump.rdb"):
        self.kind, self.binary, self.workdir = kind, binary, workdir
        self.extra, self.dbfilename = list(extra), dbfilename
        self.proc = None
        self.port = None
        self.log_path = os.path.join(workdir + "-logs", "%s.log" % kind)
        os.makedirs(workdir + "-logs", exist_ok=True)

    def args(self):
        a = [self.binary, "--port", str(self.port), "--bind", HOST, "--dir", self.workdir,
             "--dbfilename", self.dbfilename, "--logfile", self.log_path, "--daemonize", "no",
             "--enable-debug-command", "yes", "--appendonly", "no"]
        return a + self.extra

    def spawn(self):
        self.port = free_port()
        self.proc = subprocess.Popen(self.args(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     cwd=self.workdir)
        return self

    def start(self, timeout=30.0):
        for _ in range(3):
            self.spawn()
            try:
                self.wait_ready(timeout)
                return self
            except PortRace:
                self.kill()
        raise RuntimeError("%s: could not bind a free port" % self.kind)

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self.log()
                if "Address already in use" in log or "Could not create server TCP" in log:
                    raise PortRace()
                raise RuntimeError("%s exited with code %s; log tail:\n%s"
                                   % (self.kind, self.proc.returncode, self.log_tail()))
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5) as s:
                    s.settimeout(2.0)
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("%s not ready after %.0fs; log tail:\n%s"
                           % (self.kind, timeout, self.log_tail()))

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def client(self):
        return Client(self.port)

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=15):
        return "".join(self.log().splitlines(True)[-n:])

    def signal(self, sig):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def kill(self):
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


class PortRace(Exception):
    pass


def wait_until(predicate, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def info_field(client, section, name):
    text = client.cmd("INFO", section).decode()
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None


# --------------------------------------------------------------------------- datasets

def build_dataset(c, redis_only=False):
    """Writes a dataset that forces every encoding both servers share: int/embstr/raw strings
    (LZF-compressible and not), listpack and hashtable hashes, intset and hashtable sets,
    listpack and skiplist zsets, multi-node quicklists, TTLs, binary data, several databases."""
    cmds = []
    add = cmds.append
    add(["SET", "str:small", "hello"])
    add(["SET", "str:int", "12345"])
    add(["SET", "str:neg", "-7"])
    add(["SET", "str:big", "4294967296"])
    add(["SET", "str:int64min", "-9223372036854775808"])
    add(["SET", "str:lead0", "007"])
    add(["SET", "str:lzf", "a" * 100])
    add(["SET", "str:empty", ""])
    add(["SET", "str:bin", b"\x00\r\n\xff\xfebinary\x00"])
    add(["SET", b"key\x00with\nbinary\xff", "v"])
    add(["SET", "str:huge", ("0123456789abcdef" * 65536)])  # 1 MiB, compressible
    add(["SET", "str:rand", os.urandom(3000)])
    add(["RPUSH", "list:small", "a", "b", "1", "2", "300", "-5"])
    add(["RPUSH", "list:big"] + ["element-%d" % i for i in range(3000)])
    add(["RPUSH", "list:mixed"] + [("x" * (i % 300)) if i % 2 else str(i) for i in range(700)])
    add(["SADD", "set:int", "1", "2", "3", "70000"])
    add(["SADD", "set:int64", "-9223372036854775808", "9223372036854775807", "0"])
    add(["SADD", "set:str", "a", "b", "c"])
    add(["SADD", "set:bigint"] + [str(i * 3) for i in range(600)])
    add(["SADD", "set:big"] + ["s%d" % i for i in range(700)])
    add(["ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0.1", "e",
         "-3", "f", "1e300", "g"])
    add(["ZADD", "zset:big"] + sum([[str(i * 1.5), "m%d" % i] for i in range(200)], []))
    add(["ZADD", "zset:longmember", "1", "q" * 100])
    add(["HSET", "hash:small", "f1", "v1", "f2", "2", "f3", "", "f4", "-100000"])
    add(["HSET", "hash:big"] + sum([["field%d" % i, "value%d" % i] for i in range(600)], []))
    add(["HSET", "hash:longvalue", "f", "v" * 200])
    add(["SET", "ttl:str", "x", "PX", "3600000"])
    add(["RPUSH", "ttl:list", "x"])
    add(["PEXPIRE", "ttl:list", "7200000"])
    add(["HSET", "ttl:hash", "f", "v"])
    add(["EXPIRE", "ttl:hash", "86400"])
    for db in (1, 5, 15):
        add(["SELECT", str(db)])
        add(["SET", "db%d" % db, str(db)])
        add(["HSET", "h%d" % db, "f", "v"])
        add(["SADD", "s%d" % db, "x"])
    add(["SELECT", "0"])
    # Streams: one small, one spanning several nodes with tombstones (XDEL, exact trim), groups
    # with pending entries owned by several consumers, an idle consumer, and an empty stream.
    add(["XADD", "stream:small", "1-1", "f", "v"])
    for i in range(1, 301):
        add(["XADD", "stream:big", "%d-%d" % (1000 + i, i % 3), "a" if i % 4 else "b", str(i),
             "pad", "x" * (i % 11)])
    add(["XDEL", "stream:big", "1005-2", "1150-0", "1201-0"])
    add(["XTRIM", "stream:big", "MAXLEN", "=", "280"])
    add(["XGROUP", "CREATE", "stream:big", "g1", "0"])
    add(["XGROUP", "CREATE", "stream:big", "g2", "$"])
    add(["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "stream:big", ">"])
    add(["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "stream:big", ">"])
    add(["XACK", "stream:big", "g1", "1026-2"])
    add(["XGROUP", "CREATECONSUMER", "stream:big", "g1", "idle"])
    add(["XGROUP", "CREATE", "stream:empty", "g", "$", "MKSTREAM"])
    for reply in c.pipeline(cmds):
        if isinstance(reply, RespError):
            raise reply
    if redis_only:
        # Redis-only shapes: PLAIN quicklist nodes.
        c.cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
        c.cmd("RPUSH", "list:plain", "small", "p" * 200, "tail")
        c.cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824")


def _value(c, key, typ):
    if typ == "string":
        return c.cmd("GET", key)
    if typ == "list":
        return c.cmd("LRANGE", key, "0", "-1")
    if typ == "set":
        return sorted(c.cmd("SMEMBERS", key))
    if typ == "zset":
        flat = c.cmd("ZRANGE", key, "0", "-1", "WITHSCORES")
        return [(flat[i], float(flat[i + 1])) for i in range(0, len(flat), 2)]
    if typ == "hash":
        flat = c.cmd("HGETALL", key)
        return sorted((flat[i], flat[i + 1]) for i in range(0, len(flat), 2))
    if typ == "stream":
        info = c.cmd("XINFO", "STREAM", key, "FULL", "COUNT", "0")
        # Vigil keeps no rax, so the rax's node count is not comparable (KNOWN_DIFFERENCES.md).
        info = [info[i:i + 2] for i in range(0, len(info), 2) if info[i] != b"radix-tree-nodes"]
        return (c.cmd("XRANGE", key, "-", "+"), info)
    return "<%s>" % typ


def dump(c, with_encoding=True):
    """{(db, key): (type, encoding, value, ttl bucket)} over the 16 databases."""
    out = {}
    for db in range(16):
        c.cmd("SELECT", str(db))
        for key in c.cmd("KEYS", "*"):
            typ = c.cmd("TYPE", key)
            enc = c.cmd("OBJECT", "ENCODING", key).decode() if with_encoding else ""
            ttl = c.cmd("PTTL", key)
            out[(db, key)] = (typ, enc, _value(c, key, typ), ttl)
    c.cmd("SELECT", "0")
    return out


TTL_TOLERANCE_MS = 30000  # the two sides read TTLs at different moments


def _same(x, y):
    if x is None or y is None:
        return x is y
    if x[:3] != y[:3]:
        return False
    tx, ty = x[3], y[3]
    if tx < 0 or ty < 0:
        return tx == ty
    return abs(tx - ty) <= TTL_TOLERANCE_MS


def same(a, b):
    """True when two dumps hold the same keys, types, encodings and values, and TTLs that
    agree within TTL_TOLERANCE_MS."""
    return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)


def diff(a, b, limit=5):
    """A short description of how two dumps differ, or '' when equal."""
    lines = []
    for k in sorted(set(a) | set(b), key=repr):
        if not _same(a.get(k), b.get(k)):
            va, vb = repr(a.get(k))[:160], repr(b.get(k))[:160]
            lines.append("%r: %s != %s" % (k, va, vb))
            if len(lines) >= limit:
                break
    return "\n".join(lines)


# --------------------------------------------------------------------------- results

class Results:
    def __init__(self, verbose=False):
        self.passed, self.failed, self.verbose = 0, 0, verbose

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("PASS %s" % name)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))
        sys.stdout.flush()
        return cond

    def run(self, name, fn):
        try:
            fn()
        except Exception as e:  # a crashed scenario counts as one failure
            self.failed += 1
            print("FAIL %s raised %s: %s" % (name, type(e).__name__, e))
            if self.verbose:
                traceback.print_exc()

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)
