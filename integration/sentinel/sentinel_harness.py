"""Helpers for the vigil-sentinel integration scripts (stdlib + Debian python3-redis).

Data nodes (redis-server or vigil-datanode) and sentinels (vigil-sentinel or redis-sentinel) on
127.0.0.1, free ports, temp dirs, killed by pid; an event recorder that PSUBSCRIBEs to a
sentinel; bounded waits everywhere.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datanode"))
import harness as h  # noqa: E402

HOST = h.HOST
_used_ports = set()


def free_port():
    """A free port not handed out before in this process (many nodes start concurrently)."""
    while True:
        p = h.free_port()
        if p not in _used_ports:
            _used_ports.add(p)
            return p
RespConn = h.RespConn
Results = h.Results


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--vigil-sentinel", required=True)
    p.add_argument("--vigil", required=True, help="vigil-datanode binary")
    p.add_argument("--redis-server", default=shutil.which("redis-server") or "redis-server")
    p.add_argument("--redis-sentinel", default=shutil.which("redis-sentinel") or "redis-sentinel")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args()


def decode(node):
    """RESP node -> python: str, int, list, None; errors as RespErr."""
    if node.kind in "+$=(,":
        return None if node.value is None else node.value.decode("utf-8", "replace")
    if node.kind == ":":
        return int(node.value)
    if node.kind in "-!":
        return RespErr(node.value.decode())
    if node.kind == "_":
        return None
    if node.value is None:
        return None
    return [decode(x) for x in node.value]


class RespErr(str):
    pass


def call(port, *args, timeout=5.0):
    c = RespConn(port, timeout=timeout)
    try:
        return decode(c.call(*args))
    finally:
        c.close()


def wait_for(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pred():
                return True
        except (OSError, ConnectionError, h.RespError):
            pass
        time.sleep(step)
    return False


def wait_hellos_relayed(master_port, sentinel_ports, timeout):
    """Whether every sentinel at `sentinel_ports` publishes a hello naming the master at
    `master_port` through that master within `timeout` seconds: the master has then heard from
    each of them (it notes a hello as it runs the PUBLISH, before any subscriber gets it)."""
    want = {call(p, "SENTINEL", "MYID") for p in sentinel_ports}
    heard = set()
    deadline = time.monotonic() + timeout
    conn = RespConn(master_port, timeout=5.0)
    try:
        conn.call("SUBSCRIBE", "__sentinel__:hello")
        while not want <= heard:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                msg = decode(conn.read_reply(timeout=left))
            except socket.timeout:
                break
            if isinstance(msg, list) and len(msg) == 3 and msg[0] == "message":
                fields = str(msg[2]).split(",")
                if len(fields) == 8 and fields[6] == str(master_port):
                    heard.add(fields[2])
    finally:
        conn.close()
    return want <= heard


class Proc:
    """A process on a fixed port that can be killed and restarted on the same port."""

    def __init__(self, name, argv_fn, port=None, tmpdir=None):
        self.name = name
        self.port = port or free_port()
        self.dir = tmpdir or tempfile.mkdtemp(prefix="vigil-st-%s-" % name)
        self.argv_fn = argv_fn
        self.proc = None

    def start(self, wait=True):
        log = open(os.path.join(self.dir, "stdout.log"), "ab")
        self.proc = subprocess.Popen(self.argv_fn(self), stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, cwd=self.dir)
        log.close()
        if wait and not wait_for(self.ping, 10):
            raise RuntimeError("%s did not start on %d:\n%s" % (self.name, self.port, self.log_tail()))
        return self

    def ping(self):
        if self.proc.poll() is not None:
            raise RuntimeError("%s exited with %s:\n%s" % (self.name, self.proc.returncode, self.log_tail()))
        return call(self.port, "PING", timeout=1.0) == "PONG"

    def call(self, *args, timeout=5.0):
        return call(self.port, *args, timeout=timeout)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=30):
        out = []
        for f in ("server.log", "sentinel.log", "stdout.log"):
            p = os.path.join(self.dir, f)
            if os.path.exists(p):
                with open(p, errors="replace") as fh:
                    out.append("== %s\n%s" % (f, "".join(fh.readlines()[-n:])))
        return "\n".join(out)

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def data_node(binary, replicaof=None, extra=()):
    def argv(p):
        a = [binary, "--port", str(p.port), "--bind", HOST, "--dir", p.dir, "--save", "",
             "--appendonly", "no", "--logfile", os.path.join(p.dir, "server.log"),
             "--repl-diskless-sync-delay", "0"]
        if p.replicaof:
            a += ["--replicaof", HOST, str(p.replicaof)]
        return a + list(extra)
    p = Proc("node", argv)
    p.replicaof = replicaof
    return p


def sentinel_conf(port, masters, dir_, down_after=1000, failover_timeout=5000, extra=""):
    lines = ["port %d" % port, "bind %s" % HOST, "dir %s" % dir_,
             "logfile %s" % os.path.join(dir_, "sentinel.log")]
    for name, mport, quorum in masters:
        lines += ["sentinel monitor %s %s %d %d" % (name, HOST, mport, quorum),
                  "sentinel down-after-milliseconds %s %d" % (name, down_after),
                  "sentinel failover-timeout %s %d" % (name, failover_timeout)]
    return "\n".join(lines) + "\n" + extra


def sentinel(binary, masters, down_after=1000, failover_timeout=5000, extra="", toml=None,
             args=()):
    """A sentinel (vigil or redis) with a classic config, or a TOML one when toml is text."""
    p = Proc("sentinel", None)
    if toml is not None:
        p.conf = os.path.join(p.dir, "sentinel.toml")
        with open(p.conf, "w") as f:
            f.write(toml % {"port": p.port, "dir": p.dir})
    else:
        p.conf = os.path.join(p.dir, "sentinel.conf")
        with open(p.conf, "w") as f:
            f.write(sentinel_conf(p.port, masters, p.dir, down_after, failover_timeout, extra))
    p.argv_fn = lambda q: [binary, q.conf] + list(args)
    return p


class EventRecorder:
    """PSUBSCRIBE * on a sentinel in a thread; events as (monotonic time, channel, message)."""

    def __init__(self, port):
        self.port = port
        self.events = []
        self.lock = threading.Lock()
        self.stop = False
        self.conn = RespConn(port, timeout=0.5)
        self.conn.send("PSUBSCRIBE", "*")
        self.conn.read_reply(timeout=5)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                n = self.conn.read_reply(timeout=0.2)
            except socket.timeout:
                continue
            except (OSError, ConnectionError):
                return
            v = decode(n)
            if isinstance(v, list) and len(v) == 4 and v[0] == "pmessage":
                with self.lock:
                    self.events.append((time.monotonic(), v[2], v[3]))

    def types(self):
        with self.lock:
            return [e[1] for e in self.events]

    def first(self, channel, contains=""):
        with self.lock:
            for e in self.events:
                if e[1] == channel and contains in e[2]:
                    return e
        return None

    def close(self):
        self.stop = True
        self.conn.close()


def stop_everything(procs=(), popens=(), recorders=(), stop_file=None):
    """Stops what a test started, by pid: tells writers to stop (stop_file), kills the
    subprocess.Popen ones still running, closes event recorders, then cleans up every Proc."""
    if stop_file is not None:
        open(stop_file, "w").close()
    for p in popens:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
    for r in recorders:
        r.close()
    for p in procs:
        p.cleanup()


def info_field(port, field, section="replication"):
    text = call(port, "INFO", section, timeout=2.0)
    for line in (text or "").splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    return None


def master_addr(port, name):
    r = call(port, "SENTINEL", "get-master-addr-by-name", name, timeout=2.0)
    return (r[0], int(r[1])) if isinstance(r, list) else None


import_redis_py = h.import_redis_py  # python3-redis, also from a pyenv interpreter
